// The generator's inputs (name lists, regions, distributions …) and parameters: data that lives in
// a template's sample-data folder, read and checked here before any record is generated.
import type { Issue } from '@trellis/rule-engine';
import { isObject, join, type Obj } from '../form-index.js';

/** [hanzi, pinyin] */
export type NamePair = readonly [string, string];

export type SampleCity = {
  city: string;
  short: string;
  pinyin: string;
  lat: number;
  lng: number;
  weight: number;
  districts: readonly string[];
};
export type SampleProvince = { province: string; team: string; cities: readonly SampleCity[] };

export type SampleInputs = {
  names: {
    surnames: ReadonlyArray<readonly [string, string, number]>;
    givenNames: { male: readonly NamePair[]; female: readonly NamePair[] };
  };
  companies: {
    words: readonly NamePair[];
    /** [name in the company name, e-mail code, option of the `industry` field] */
    industries: ReadonlyArray<readonly [string, string, string]>;
    suffixes: ReadonlyArray<readonly [string, number]>;
    roads: readonly string[];
  };
  regions: readonly SampleProvince[];
  phones: { mobilePrefixes: readonly string[] };
  /** `form.field` → option value → weight. */
  distributions: Readonly<Record<string, Readonly<Record<string, number>>>>;
  economics: {
    acquisitionCost: Readonly<Record<string, number>>;
    dealSizeMedian: Readonly<Record<string, number>>;
    dealSizeSpread: number;
    winRate: number;
    cycleDaysMedian: number;
    firstContactMinutesMedian: number;
    responseMinutesMedian: number;
    leadConversionShare: number;
    customersFromLeadsShare: number;
    publicPoolShare: number;
    initialImportShare: number;
  };
  phrases: {
    followUpContent: readonly string[];
    topics: readonly string[];
    reactions: readonly string[];
    nextActions: readonly string[];
    products: readonly string[];
    competitors: readonly string[];
    ticketTitles: readonly string[];
    resolutions: readonly string[];
    jobTitles: readonly string[];
    taskTitles: readonly string[];
    personalEmailDomains: readonly string[];
  };
  org: {
    emailDomain: string;
    members: ReadonlyArray<{ team: string; role: string; count: number; title: string }>;
  };
};

export type SampleParams = {
  customers: number;
  contacts: number;
  leads: number;
  followUps: number;
  opportunities: number;
  tasks: number;
  serviceTickets: number;
  months: number;
  timeZone: string;
  /** The time zone's offset (the generator works on a fixed offset; Asia/Shanghai has no DST). */
  utcOffsetMinutes: number;
};

export const DEFAULT_SAMPLE_PARAMS: Readonly<SampleParams> = Object.freeze({
  customers: 10_000,
  contacts: 15_000,
  leads: 6_000,
  followUps: 30_000,
  opportunities: 3_000,
  tasks: 5_000,
  serviceTickets: 1_500,
  months: 18,
  timeZone: 'Asia/Shanghai',
  utcOffsetMinutes: 480,
});

/** Distributions the generator draws from (each `form.field`). */
export const REQUIRED_DISTRIBUTIONS: readonly string[] = [
  'customer.level',
  'customer.tier',
  'customer.status',
  'customer.company_size',
  'customer.source',
  'lead.source',
  'lead.stage',
  'lead.unqualified_reason',
  'lead.contact_method',
  'contact.role',
  'follow_up.method',
  'follow_up.result',
  'opportunity.type',
  'opportunity.loss_reason',
  'task.priority',
  'service_ticket.channel',
  'service_ticket.category',
  'service_ticket.priority',
  'service_ticket.rating',
  'payment.method',
];

const ECONOMIC_NUMBERS: ReadonlyArray<readonly [string, number, number]> = [
  ['dealSizeSpread', 0, 3],
  ['winRate', 0.01, 0.99],
  ['cycleDaysMedian', 1, 365],
  ['firstContactMinutesMedian', 1, 10_000],
  ['responseMinutesMedian', 1, 10_000],
  ['leadConversionShare', 0, 1],
  ['customersFromLeadsShare', 0, 1],
  ['publicPoolShare', 0, 1],
  ['initialImportShare', 0, 1],
];

const PHRASE_LISTS = [
  'followUpContent',
  'topics',
  'reactions',
  'nextActions',
  'products',
  'competitors',
  'ticketTitles',
  'resolutions',
  'jobTitles',
  'taskTitles',
  'personalEmailDomains',
] as const;

class Reader {
  readonly issues: Issue[] = [];
  add(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }
  object(v: unknown, path: string): Obj | undefined {
    if (isObject(v)) return v;
    this.add(path, v === undefined ? 'required' : 'invalid_type', 'expected an object');
    return undefined;
  }
  list(v: unknown, path: string, min = 1): unknown[] {
    if (Array.isArray(v) && v.length >= min) return v;
    this.add(
      path,
      v === undefined ? 'required' : 'invalid_type',
      `expected a list of at least ${min}`,
    );
    return [];
  }
  strings(v: unknown, path: string): string[] {
    const list = this.list(v, path);
    list.forEach((s, i) => {
      if (typeof s !== 'string' || s === '')
        this.add(join(path, i), 'invalid_type', 'expected a non-empty string');
    });
    return list.filter((s): s is string => typeof s === 'string' && s !== '');
  }
  pairs(v: unknown, path: string): NamePair[] {
    const out: NamePair[] = [];
    this.list(v, path).forEach((p, i) => {
      if (
        Array.isArray(p) &&
        typeof p[0] === 'string' &&
        p[0] !== '' &&
        typeof p[1] === 'string' &&
        /^[a-z]+$/.test(p[1])
      ) {
        out.push([p[0], p[1]]);
      } else
        this.add(
          join(path, i),
          'invalid_type',
          'expected ["汉字", "pinyin"] (pinyin in lowercase letters)',
        );
    });
    return out;
  }
  number(v: unknown, path: string, min: number, max: number): number {
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return v;
    this.add(
      path,
      v === undefined ? 'required' : 'out_of_range',
      `expected a number from ${min} to ${max}`,
    );
    return min;
  }
  weights(v: unknown, path: string): Record<string, number> {
    const o = this.object(v, path);
    if (o === undefined) return {};
    const out: Record<string, number> = {};
    for (const [k, w] of Object.entries(o)) {
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
        this.add(join(path, k), 'invalid_weight', 'a weight is a number >= 0');
      else out[k] = w;
    }
    if (Object.values(out).every((w) => w === 0))
      this.add(path, 'invalid_weight', 'at least one weight must be positive');
    return out;
  }
}

/** Reads and checks the inputs; `path` prefixes every issue (`sampleData.inputs`). */
export function readSampleInputs(
  raw: unknown,
  path = 'sampleData.inputs',
): { inputs: SampleInputs; issues: Issue[] } {
  const r = new Reader();
  const root = r.object(raw, path) ?? {};
  const at = (key: string): string => join(path, key);

  const names = r.object(root['names'], at('names')) ?? {};
  const surnames: Array<readonly [string, string, number]> = [];
  r.list(names['surnames'], join(at('names'), 'surnames')).forEach((s, i) => {
    if (
      Array.isArray(s) &&
      typeof s[0] === 'string' &&
      typeof s[1] === 'string' &&
      /^[a-z]+$/.test(s[1]) &&
      typeof s[2] === 'number' &&
      s[2] > 0
    ) {
      surnames.push([s[0], s[1], s[2]]);
    } else
      r.add(
        join(at('names'), `surnames.${i}`),
        'invalid_type',
        'expected ["王", "wang", weight > 0]',
      );
  });
  const given = r.object(names['givenNames'], join(at('names'), 'givenNames')) ?? {};
  const male = r.pairs(given['male'], join(at('names'), 'givenNames.male'));
  const female = r.pairs(given['female'], join(at('names'), 'givenNames.female'));

  const companies = r.object(root['companies'], at('companies')) ?? {};
  const cp = at('companies');
  const words = r.pairs(companies['words'], join(cp, 'words'));
  const industries: Array<readonly [string, string, string]> = [];
  r.list(companies['industries'], join(cp, 'industries')).forEach((s, i) => {
    if (
      Array.isArray(s) &&
      s.length === 3 &&
      s.every((x) => typeof x === 'string' && x !== '') &&
      /^[a-z0-9]+$/.test(s[1] as string)
    ) {
      industries.push([s[0] as string, s[1] as string, s[2] as string]);
    } else
      r.add(
        join(cp, `industries.${i}`),
        'invalid_type',
        'expected ["信息技术", "it", "<industry option>"]',
      );
  });
  const suffixes: Array<readonly [string, number]> = [];
  r.list(companies['suffixes'], join(cp, 'suffixes')).forEach((s, i) => {
    if (Array.isArray(s) && typeof s[0] === 'string' && typeof s[1] === 'number' && s[1] > 0)
      suffixes.push([s[0], s[1]]);
    else r.add(join(cp, `suffixes.${i}`), 'invalid_type', 'expected ["有限公司", weight > 0]');
  });
  const roads = r.strings(companies['roads'], join(cp, 'roads'));

  const regions: SampleProvince[] = [];
  r.list(root['regions'], at('regions')).forEach((p, i) => {
    const pp = join(at('regions'), i);
    const o = r.object(p, pp);
    if (o === undefined) return;
    if (typeof o['province'] !== 'string' || typeof o['team'] !== 'string') {
      r.add(pp, 'invalid_type', 'a region is { province, team, cities }');
      return;
    }
    const cities: SampleCity[] = [];
    r.list(o['cities'], join(pp, 'cities')).forEach((c, j) => {
      const cpath = join(pp, `cities.${j}`);
      const co = r.object(c, cpath);
      if (co === undefined) return;
      const ok =
        typeof co['city'] === 'string' &&
        typeof co['short'] === 'string' &&
        typeof co['pinyin'] === 'string' &&
        /^[a-z]+$/.test(co['pinyin']);
      if (!ok) {
        r.add(
          cpath,
          'invalid_type',
          'a city is { city, short, pinyin, lat, lng, weight, districts }',
        );
        return;
      }
      cities.push({
        city: co['city'] as string,
        short: co['short'] as string,
        pinyin: co['pinyin'] as string,
        lat: r.number(co['lat'], join(cpath, 'lat'), 18, 54),
        lng: r.number(co['lng'], join(cpath, 'lng'), 73, 135),
        weight: r.number(co['weight'], join(cpath, 'weight'), 0.001, 1000),
        districts: r.strings(co['districts'], join(cpath, 'districts')),
      });
    });
    regions.push({ province: o['province'], team: o['team'], cities });
  });

  const phones = r.object(root['phones'], at('phones')) ?? {};
  const prefixes = r.strings(phones['mobilePrefixes'], join(at('phones'), 'mobilePrefixes'));
  prefixes.forEach((p, i) => {
    if (!/^1[3-9][0-9]$/.test(p))
      r.add(
        join(at('phones'), `mobilePrefixes.${i}`),
        'invalid_format',
        'a mainland mobile prefix such as 138',
      );
  });

  const dist = r.object(root['distributions'], at('distributions')) ?? {};
  const distributions: Record<string, Record<string, number>> = {};
  for (const [key, value] of Object.entries(dist))
    distributions[key] = r.weights(value, join(at('distributions'), key));
  for (const key of REQUIRED_DISTRIBUTIONS) {
    if (!(key in dist))
      r.add(join(at('distributions'), key), 'required', `the generator draws ${key} from here`);
  }

  const eco = r.object(root['economics'], at('economics')) ?? {};
  const ep = at('economics');
  const economics = {
    acquisitionCost: r.weights(eco['acquisitionCost'], join(ep, 'acquisitionCost')),
    dealSizeMedian: r.weights(eco['dealSizeMedian'], join(ep, 'dealSizeMedian')),
  } as Record<string, unknown>;
  for (const [key, min, max] of ECONOMIC_NUMBERS)
    economics[key] = r.number(eco[key], join(ep, key), min, max);

  const phr = r.object(root['phrases'], at('phrases')) ?? {};
  const phrases = {} as Record<string, string[]>;
  for (const key of PHRASE_LISTS) phrases[key] = r.strings(phr[key], join(at('phrases'), key));

  const org = r.object(root['org'], at('org')) ?? {};
  const emailDomain = org['emailDomain'];
  if (typeof emailDomain !== 'string' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(emailDomain)) {
    r.add(join(at('org'), 'emailDomain'), 'invalid_format', 'an e-mail domain such as example.cn');
  }
  const members: Array<{ team: string; role: string; count: number; title: string }> = [];
  r.list(org['members'], join(at('org'), 'members')).forEach((m, i) => {
    const mp = join(at('org'), `members.${i}`);
    const o = r.object(m, mp);
    if (o === undefined) return;
    if (
      typeof o['team'] !== 'string' ||
      typeof o['role'] !== 'string' ||
      typeof o['title'] !== 'string'
    ) {
      r.add(mp, 'invalid_type', 'a member group is { team, role, count, title }');
      return;
    }
    members.push({
      team: o['team'],
      role: o['role'],
      title: o['title'],
      count: Math.round(r.number(o['count'], join(mp, 'count'), 1, 200)),
    });
  });

  const inputs: SampleInputs = {
    names: { surnames, givenNames: { male, female } },
    companies: { words, industries, suffixes, roads },
    regions,
    phones: { mobilePrefixes: prefixes },
    distributions,
    economics: economics as SampleInputs['economics'],
    phrases: phrases as unknown as SampleInputs['phrases'],
    org: { emailDomain: typeof emailDomain === 'string' ? emailDomain : 'example.cn', members },
  };
  return { inputs, issues: r.issues };
}

/** Reads the parameters over the defaults; `path` prefixes every issue. */
export function readSampleParams(
  raw: unknown,
  path = 'sampleData.params',
): { params: SampleParams; issues: Issue[] } {
  const r = new Reader();
  const params: SampleParams = { ...DEFAULT_SAMPLE_PARAMS };
  if (raw === undefined) return { params, issues: [] };
  const o = r.object(raw, path) ?? {};
  const counts = [
    'customers',
    'contacts',
    'leads',
    'followUps',
    'opportunities',
    'tasks',
    'serviceTickets',
  ] as const;
  for (const key of Object.keys(o)) {
    const at = join(path, key);
    const v = o[key];
    if ((counts as readonly string[]).includes(key)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1_000_000)
        r.add(at, 'out_of_range', 'a whole number from 0 to 1000000');
      else params[key as (typeof counts)[number]] = v;
    } else if (key === 'months') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 60)
        r.add(at, 'out_of_range', 'months is 1 to 60');
      else params.months = v;
    } else if (key === 'timeZone') {
      if (typeof v !== 'string' || v === '') r.add(at, 'invalid_type', 'an IANA time zone');
      else params.timeZone = v;
    } else if (key === 'utcOffsetMinutes') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -720 || v > 840)
        r.add(at, 'out_of_range', 'minutes from -720 to 840');
      else params.utcOffsetMinutes = v;
    } else r.add(at, 'unknown_property', `unknown parameter "${key}"`);
  }
  if (params.contacts < params.customers)
    r.add(
      join(path, 'contacts'),
      'out_of_range',
      'every customer has a primary contact: contacts >= customers',
    );
  return { params, issues: r.issues };
}
