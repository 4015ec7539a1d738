// crm-sample-v1: deterministic sample data for the customer follow-up template. Same bundle, seed,
// scale and `now` → the same records, byte for byte. No Math.random and no clock: every record i
// of a form draws from its own generator seeded by (seed, form, i), so any record can be rebuilt
// alone. A compact plan (typed arrays: who owns which customer, when each opportunity closed …) is
// computed up front; records are produced lazily, one form at a time.
import {
  addWorkingTime,
  CHINA_MAINLAND_CALENDAR_2026_2027,
  type Issue,
  type WorkingCalendar,
} from '@trellis/rule-engine';
import { isObject, type Obj } from '../form-index.js';
import type { LocalizedText } from '../types.js';
import { DAY, HOUR, LocalTime, MINUTE } from './local-time.js';
import { AffinePermutation, hash32, hashString, recordUuid, Rng, WeightedTable } from './prng.js';
import {
  readSampleInputs,
  readSampleParams,
  type SampleCity,
  type SampleInputs,
  type SampleParams,
} from './sample-inputs.js';

export const SAMPLE_GENERATOR = 'crm-sample-v1';

/** Forms in insertion order: every relation points at a form inserted earlier (or at itself). */
export const SAMPLE_FORM_ORDER: readonly string[] = [
  'lead',
  'customer',
  'contact',
  'opportunity',
  'follow_up',
  'contract',
  'payment',
  'task',
  'service_ticket',
  'sales_target',
];

export type SampleMember = {
  id: string;
  key: string;
  name: string;
  email: string;
  mobile: string;
  roles: string[];
  teamKey: string;
  title: string;
  managerId: string | null;
};

export type SampleTeam = {
  key: string;
  name: LocalizedText;
  parentKey: string | null;
  leadId: string | null;
  memberIds: string[];
};

/**
 * One generated record. `values` hold the form's fields (relation and user fields hold the ids
 * of generated records and members); computed fields (serial, formula, lookup, rollup) are left to
 * the host. System fields are beside the values.
 */
export type SampleRecord = {
  id: string;
  form: string;
  ownerId: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  stage: string | null;
  stageEnteredAt: string | null;
  values: Record<string, unknown>;
};

export type SamplePlan = {
  generator: typeof SAMPLE_GENERATOR;
  seed: number;
  scale: number;
  now: string;
  /** The earliest instant records are spread from (`params.months` before now). */
  start: string;
  params: SampleParams;
  /** Records per form at this seed and scale. */
  counts: Record<string, number>;
  order: readonly string[];
  members: number;
  reps: number;
  salesTeams: number;
};

export type SampleData = {
  plan: SamplePlan;
  members: readonly SampleMember[];
  teams: readonly SampleTeam[];
  /** A fresh iterator over one form's records (insert in `plan.order`). */
  records(form: string): IterableIterator<SampleRecord>;
  /** Every record, form by form in `plan.order`. */
  all(): IterableIterator<SampleRecord>;
};

export type GenerateSampleOptions = {
  /** The instant the data is generated for (ISO). Records spread over the months before it. */
  now: string;
  /** Default: the bundle's `sampleData.seed`. */
  seed?: number;
  /** Multiplies every record count (members and targets stay): 0.01 for tests. Default 1. */
  scale?: number;
  /** For first-contact times in working minutes. Default: the mainland China calendar. */
  calendar?: WorkingCalendar;
};

export class SampleDataError extends Error {
  readonly code: string;
  readonly issues: Issue[];
  constructor(code: string, message: string, issues: Issue[] = []) {
    super(message);
    this.name = 'SampleDataError';
    this.code = code;
    this.issues = issues;
  }
}

const S = {
  member: hashString('member'),
  skill: hashString('skill'),
  customer: hashString('customer'),
  customerDetail: hashString('customer.detail'),
  contact: hashString('contact'),
  contactPerson: hashString('contact.person'),
  lead: hashString('lead'),
  leadPerson: hashString('lead.person'),
  opportunity: hashString('opportunity'),
  opportunityDetail: hashString('opportunity.detail'),
  followUp: hashString('follow_up'),
  followUpDetail: hashString('follow_up.detail'),
  contract: hashString('contract'),
  payment: hashString('payment'),
  task: hashString('task'),
  ticket: hashString('service_ticket'),
  target: hashString('sales_target'),
  phone: hashString('phone'),
  names: hashString('company.names'),
  leadSlots: hashString('lead.slots'),
} as const;

const OPP_OPEN = ['prospecting', 'needs_analysis', 'proposal', 'negotiation'] as const;
const OPP_PROBABILITY: Readonly<Record<string, number>> = {
  prospecting: 10,
  needs_analysis: 30,
  proposal: 60,
  negotiation: 80,
  won: 100,
  lost: 0,
};
const PHONE_SPACE = 100_000_000;
const MEMBER_PHONE_BASE = 99_000_000;

const cents = (amount: number): number => Math.max(0, Math.round(amount * 100));
const money = (c: number): string => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const round100 = (yuan: number): number => Math.max(100, Math.round(yuan / 100) * 100);

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (m, key: string) => values[key] ?? m);
}

type City = SampleCity & { province: string; team: string };

/** The generator's plan and record builders. */
class World {
  readonly seed: number;
  readonly scale: number;
  readonly nowMs: number;
  readonly startMs: number;
  readonly t: LocalTime;
  readonly inputs: SampleInputs;
  readonly params: SampleParams;
  readonly calendar: WorkingCalendar;
  readonly counts: Record<string, number>;

  // tables
  private readonly dists = new Map<string, WeightedTable<string>>();
  private readonly surnames: WeightedTable<readonly [string, string, number]>;
  private readonly cities: readonly City[];
  private readonly cityTable: WeightedTable<number>;
  private readonly suffixes: WeightedTable<string>;
  private readonly wordSlugs: readonly string[];
  private readonly phonePerm: AffinePermutation;
  private readonly namesPerCity: number;
  private readonly namePerms: AffinePermutation[] = [];

  // people
  readonly members: SampleMember[] = [];
  readonly teams: SampleTeam[] = [];
  private readonly reps: number[] = [];
  private readonly repSkill: number[] = [];
  private readonly repsByTeam = new Map<string, number[]>();
  private readonly byRole = new Map<string, number[]>();
  private readonly adminIndex: number;

  // customers
  private readonly cCreated: Float64Array;
  private readonly cOwner: Int16Array;
  private readonly cCity: Int16Array;
  private readonly cName: Int32Array;
  private readonly cLevel: Uint8Array;
  private readonly cStatus: Uint8Array;
  private readonly cSize: Uint8Array;
  private readonly cLeadSlot: Int32Array;
  private readonly cSource: string[];
  private readonly levelValues: readonly string[];
  private readonly statusValues: readonly string[];
  private readonly sizeValues: readonly string[];
  private readonly followUpTable: WeightedTable<number>;
  private readonly opportunityTable: WeightedTable<number>;

  // leads
  private readonly leadSlots: AffinePermutation;
  private readonly fromLead: number[] = [];
  private readonly lCity: Int16Array;
  private readonly lName: Int32Array;

  // opportunities
  private readonly oCustomer: Int32Array;
  private readonly oCreated: Float64Array;
  private readonly oClosed: Float64Array;
  private readonly oStage: Uint8Array;
  private readonly oAmount: Float64Array;
  private readonly oOwner: Int16Array;
  private readonly oDiscount: Uint8Array;
  private readonly won: number[] = [];

  // follow-ups
  private readonly fCustomer: Int32Array;
  private readonly fAt: Float64Array;
  private readonly fOwner: Int16Array;

  // contracts and payments
  private readonly kSigned: Float64Array;
  private readonly kStart: Float64Array;
  private readonly kEnd: Float64Array;
  private readonly kPhases: Uint8Array;
  private readonly paymentStart: Int32Array;

  constructor(bundle: Obj, options: GenerateSampleOptions) {
    const settings = bundle['sampleData'];
    if (!isObject(settings) || settings['generator'] !== SAMPLE_GENERATOR) {
      throw new SampleDataError(
        'no_sample_data',
        `the bundle has no ${SAMPLE_GENERATOR} sampleData`,
      );
    }
    const p = readSampleParams(settings['params']);
    const i = readSampleInputs(settings['inputs']);
    if (p.issues.length + i.issues.length > 0) {
      throw new SampleDataError('invalid_sample_data', 'the sample-data settings have problems', [
        ...p.issues,
        ...i.issues,
      ]);
    }
    this.params = p.params;
    this.inputs = i.inputs;
    const seed = options.seed ?? settings['seed'];
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new SampleDataError('invalid_seed', 'seed is a whole number from 0 to 4294967295');
    }
    this.seed = seed;
    this.scale = options.scale ?? 1;
    if (!(this.scale > 0 && this.scale <= 10))
      throw new SampleDataError('invalid_scale', 'scale is above 0 and at most 10');
    this.nowMs = Date.parse(options.now);
    if (!Number.isFinite(this.nowMs))
      throw new SampleDataError('invalid_now', 'now is an ISO instant');
    this.t = new LocalTime(this.params.utcOffsetMinutes);
    this.startMs = this.t.addMonths(this.nowMs, -this.params.months);
    this.calendar = options.calendar ?? CHINA_MAINLAND_CALENDAR_2026_2027;
    this.phonePerm = new AffinePermutation(PHONE_SPACE, hash32(seed, S.phone));

    for (const [key, weights] of Object.entries(this.inputs.distributions)) {
      this.dists.set(key, WeightedTable.fromRecord(weights));
    }
    this.surnames = new WeightedTable(this.inputs.names.surnames.map((s) => [s, s[2]] as const));
    this.cities = this.inputs.regions.flatMap((r) =>
      r.cities.map((c) => ({ ...c, province: r.province, team: r.team })),
    );
    this.cityTable = new WeightedTable(this.cities.map((c, k) => [k, c.weight] as const));
    this.suffixes = new WeightedTable(
      this.inputs.companies.suffixes.map(([s, w]) => [s, w] as const),
    );
    const seen = new Map<string, number>();
    this.wordSlugs = this.inputs.companies.words.map(([, py]) => {
      const n = (seen.get(py) ?? 0) + 1;
      seen.set(py, n);
      return n === 1 ? py : `${py}${n}`;
    });
    this.namesPerCity =
      this.inputs.companies.words.length * this.inputs.companies.industries.length;
    this.cities.forEach((_, k) =>
      this.namePerms.push(new AffinePermutation(this.namesPerCity, hash32(seed, S.names, k))),
    );
    this.levelValues = this.dist('customer.level').values;
    this.statusValues = this.dist('customer.status').values;
    this.sizeValues = this.dist('customer.company_size').values;

    const scaled = (n: number): number => (n === 0 ? 0 : Math.max(1, Math.round(n * this.scale)));
    const customers = scaled(this.params.customers);
    const leads = scaled(this.params.leads);
    const opportunities = scaled(this.params.opportunities);
    const followUps = scaled(this.params.followUps);
    this.counts = {
      lead: leads,
      customer: customers,
      contact: Math.max(customers, scaled(this.params.contacts)),
      opportunity: opportunities,
      follow_up: followUps,
      contract: 0,
      payment: 0,
      task: scaled(this.params.tasks),
      service_ticket: scaled(this.params.serviceTickets),
      sales_target: 0,
    };

    this.adminIndex = this.buildMembers(bundle);
    this.counts['sales_target'] = this.reps.length * this.params.months;

    // customers
    this.cCreated = new Float64Array(customers);
    this.cOwner = new Int16Array(customers);
    this.cCity = new Int16Array(customers);
    this.cName = new Int32Array(customers);
    this.cLevel = new Uint8Array(customers);
    this.cStatus = new Uint8Array(customers);
    this.cSize = new Uint8Array(customers);
    this.cLeadSlot = new Int32Array(customers).fill(-1);
    this.cSource = new Array<string>(customers);
    const cityUse = new Int32Array(this.cities.length);
    const nameFor = (city: number): [number, number] => {
      // The k-th company of a city takes the k-th name of the city's permutation; a full city
      // passes its companies on to the next one.
      for (let c = city, n = 0; n < this.cities.length; n++, c = (c + 1) % this.cities.length) {
        const used = cityUse[c] as number;
        if (used < this.namesPerCity) {
          cityUse[c] = used + 1;
          return [c, (this.namePerms[c] as AffinePermutation).at(used)];
        }
      }
      throw new SampleDataError('too_few_names', 'not enough company names for this scale');
    };
    for (let c = 0; c < customers; c++) this.customerCore(c, nameFor);
    // Customers from leads, one converted lead each (at most the number of leads).
    for (let c = 0; c < customers && this.fromLead.length < leads; c++) {
      if (this.cLeadSlot[c] === -2) {
        this.cLeadSlot[c] = this.fromLead.length;
        this.fromLead.push(c);
      }
    }
    for (let c = 0; c < customers; c++) if (this.cLeadSlot[c] === -2) this.cLeadSlot[c] = -1;
    this.leadSlots = new AffinePermutation(Math.max(1, leads), hash32(seed, S.leadSlots));
    this.lCity = new Int16Array(leads);
    this.lName = new Int32Array(leads);
    for (let l = 0; l < leads; l++) {
      const slot = this.leadSlots.at(l);
      if (slot < this.fromLead.length) {
        const c = this.fromLead[slot] as number;
        this.lCity[l] = this.cCity[c] as number;
        this.lName[l] = this.cName[c] as number;
      } else {
        const rng = new Rng(seed, S.lead, l);
        const [city, name] = nameFor(this.cityTable.pick(rng));
        this.lCity[l] = city;
        this.lName[l] = name;
      }
    }
    const fuWeights: Array<readonly [number, number]> = [];
    const oppWeights: Array<readonly [number, number]> = [];
    const statusWeight: Readonly<Record<string, readonly [number, number]>> = {
      potential: [3, 2.2],
      active: [5, 3],
      dormant: [1, 0.5],
      churned: [0.3, 0.6],
    };
    const levelWeight: Readonly<Record<string, number>> = { normal: 1, important: 1.7, vip: 2.6 };
    for (let c = 0; c < customers; c++) {
      const status = this.statusValues[this.cStatus[c] as number] as string;
      const level = this.levelValues[this.cLevel[c] as number] as string;
      const [fw, ow] = statusWeight[status] ?? [1, 1];
      const pool = (this.cOwner[c] as number) < 0 ? 0.25 : 1;
      const lw = levelWeight[level] ?? 1;
      fuWeights.push([c, fw * lw * pool]);
      oppWeights.push([c, ow * lw * pool]);
    }
    this.followUpTable = new WeightedTable(fuWeights);
    this.opportunityTable = new WeightedTable(oppWeights);

    // opportunities
    this.oCustomer = new Int32Array(opportunities);
    this.oCreated = new Float64Array(opportunities);
    this.oClosed = new Float64Array(opportunities);
    this.oStage = new Uint8Array(opportunities);
    this.oAmount = new Float64Array(opportunities);
    this.oOwner = new Int16Array(opportunities);
    this.oDiscount = new Uint8Array(opportunities);
    for (let o = 0; o < opportunities; o++) this.opportunityCore(o);
    this.counts['contract'] = this.won.length;

    // contracts and payments
    const k = this.won.length;
    this.kSigned = new Float64Array(k);
    this.kStart = new Float64Array(k);
    this.kEnd = new Float64Array(k);
    this.kPhases = new Uint8Array(k);
    this.paymentStart = new Int32Array(k + 1);
    for (let j = 0; j < k; j++) {
      const o = this.won[j] as number;
      const rng = new Rng(seed, S.contract, j);
      const signed = this.t.dayStart(this.oClosed[o] as number);
      const start = signed + rng.int(0, 14) * DAY;
      const u = rng.next();
      const term = u < 0.7 ? 12 : u < 0.9 ? 24 : 6;
      const amount = this.oAmount[o] as number;
      this.kSigned[j] = signed;
      this.kStart[j] = start;
      this.kEnd[j] = this.t.addMonths(start, term) - DAY;
      this.kPhases[j] = amount < 50_000 ? 1 : amount < 200_000 ? 2 : 3;
      this.paymentStart[j + 1] = (this.paymentStart[j] as number) + (this.kPhases[j] as number);
    }
    this.counts['payment'] = this.paymentStart[k] as number;

    // follow-ups
    this.fCustomer = new Int32Array(followUps);
    this.fAt = new Float64Array(followUps);
    this.fOwner = new Int16Array(followUps);
    for (let f = 0; f < followUps; f++) {
      const rng = new Rng(seed, S.followUp, f);
      const c = this.followUpTable.pick(rng);
      const from = this.cCreated[c] as number;
      const at = this.workTime(rng, from + (this.nowMs - from) * Math.pow(rng.next(), 0.7), from);
      this.fCustomer[f] = c;
      this.fAt[f] = at;
      this.fOwner[f] = this.ownerOr(c, rng);
    }
  }

  dist(key: string): WeightedTable<string> {
    const table = this.dists.get(key);
    if (table === undefined)
      throw new SampleDataError('invalid_sample_data', `no distribution ${key}`);
    return table;
  }

  // ------------------------------------------------------------------ people

  private buildMembers(bundle: Obj): number {
    const teamNames = new Map<string, { name: LocalizedText; parent: string | null }>();
    for (const team of Array.isArray(bundle['teams']) ? bundle['teams'] : []) {
      if (isObject(team) && typeof team['key'] === 'string') {
        teamNames.set(team['key'], {
          name: (team['name'] as LocalizedText | undefined) ?? team['key'],
          parent: typeof team['parent'] === 'string' ? team['parent'] : null,
        });
      }
    }
    const usedNames = new Set<string>();
    const usedEmails = new Set<string>();
    let k = 0;
    for (const group of this.inputs.org.members) {
      for (let n = 0; n < group.count; n++, k++) {
        const rng = new Rng(this.seed, S.member, k);
        let person = this.person(rng);
        while (usedNames.has(person.name)) person = this.person(rng);
        usedNames.add(person.name);
        let local = `${person.given}.${person.surname}`;
        for (let d = 2; usedEmails.has(local); d++) local = `${person.given}.${person.surname}${d}`;
        usedEmails.add(local);
        this.members.push({
          id: recordUuid(this.seed, S.member, k),
          key: `m${String(k + 1).padStart(2, '0')}`,
          name: person.name,
          email: `${local}@${this.inputs.org.emailDomain}`,
          mobile: this.phone(MEMBER_PHONE_BASE + k),
          roles: [group.role],
          teamKey: group.team,
          title: group.title,
          managerId: null,
        });
        const list = this.byRole.get(group.role) ?? [];
        list.push(k);
        this.byRole.set(group.role, list);
        if (group.role === 'sales_rep') {
          this.reps.push(k);
          this.repSkill.push(0.7 + 0.6 * new Rng(this.seed, S.skill, k).next());
          const team = this.repsByTeam.get(group.team) ?? [];
          team.push(k);
          this.repsByTeam.set(group.team, team);
        }
      }
    }
    if (this.reps.length === 0) throw new SampleDataError('no_reps', 'the org has no sales_rep');
    // managers: a rep reports to their team's sales manager, who reports to the director;
    // service staff report to the service manager.
    const first = (role: string, team?: string): SampleMember | undefined =>
      this.members.find(
        (m) => m.roles.includes(role) && (team === undefined || m.teamKey === team),
      );
    const director = first('sales_director');
    const serviceManager = first('service_manager');
    for (const m of this.members) {
      const role = m.roles[0];
      if (role === 'sales_rep')
        m.managerId = (first('sales_manager', m.teamKey) ?? director)?.id ?? null;
      else if (role === 'sales_manager' || role === 'presales') m.managerId = director?.id ?? null;
      else if (role === 'service_engineer' || role === 'customer_service')
        m.managerId = serviceManager?.id ?? null;
    }
    const keys = [...new Set([...teamNames.keys(), ...this.members.map((m) => m.teamKey)])];
    for (const key of keys) {
      const info = teamNames.get(key);
      const memberIds = this.members.filter((m) => m.teamKey === key).map((m) => m.id);
      const lead = this.members.find(
        (m) =>
          m.teamKey === key &&
          ['sales_manager', 'sales_director', 'service_manager'].includes(m.roles[0] as string),
      );
      this.teams.push({
        key,
        name: info?.name ?? key,
        parentKey: info?.parent ?? null,
        leadId: lead?.id ?? null,
        memberIds,
      });
    }
    const admin = this.members.findIndex((m) => m.roles.includes('admin'));
    return admin >= 0 ? admin : (this.reps[0] as number);
  }

  private person(
    rng: Rng,
    female?: boolean,
  ): { name: string; surname: string; given: string; female: boolean } {
    const isFemale = female ?? rng.chance(0.5);
    const [sn, spy] = this.surnames.pick(rng);
    const list = isFemale ? this.inputs.names.givenNames.female : this.inputs.names.givenNames.male;
    const [gn, gpy] = rng.pick(list);
    return { name: `${sn}${gn}`, surname: spy, given: gpy, female: isFemale };
  }

  private phone(index: number): string {
    const prefixes = this.inputs.phones.mobilePrefixes;
    const prefix = prefixes[hash32(this.seed, S.phone, index) % prefixes.length] as string;
    return `${prefix}${String(this.phonePerm.at(index)).padStart(8, '0')}`;
  }

  private memberId(k: number): string | null {
    return k < 0 ? null : (this.members[k] as SampleMember).id;
  }

  private repOfTeam(team: string, rng: Rng): number {
    const reps = this.repsByTeam.get(team) ?? this.reps;
    return rng.pick(reps.length > 0 ? reps : this.reps);
  }

  /** The customer's owner, or a rep of the customer's region when it is in the public pool. */
  private ownerOr(c: number, rng: Rng): number {
    const owner = this.cOwner[c] as number;
    if (owner >= 0) return owner;
    return this.repOfTeam((this.cities[this.cCity[c] as number] as City).team, rng);
  }

  private roleMember(role: string, rng: Rng): number {
    const list = this.byRole.get(role);
    return list === undefined || list.length === 0 ? this.adminIndex : rng.pick(list);
  }

  // ------------------------------------------------------------------ time

  /** Growth-weighted instant between start and now (more records in recent months). */
  private growthTime(rng: Rng, from = this.startMs): number {
    const g = 1.5;
    const u = rng.next();
    const x = (-1 + Math.sqrt(1 + 2 * g * u * (1 + g / 2))) / g;
    return from + x * (this.nowMs - from);
  }

  /** A working-hours instant on (about) the day of `ms`, never before `notBefore` nor after now. */
  private workTime(rng: Rng, ms: number, notBefore = this.startMs): number {
    const day = this.t.dayStart(rng.chance(0.92) ? this.t.weekdayOf(ms) : ms);
    let at = day + 9 * HOUR + Math.floor(rng.next() * 9 * 60) * MINUTE;
    if (at > this.nowMs) at = this.nowMs - (1 + Math.floor(rng.next() * 180)) * MINUTE;
    if (at < notBefore)
      at = Math.min(this.nowMs, notBefore + (1 + Math.floor(rng.next() * 60)) * MINUTE);
    return at;
  }

  // ------------------------------------------------------------------ cores (the plan)

  private customerCore(c: number, nameFor: (city: number) => [number, number]): void {
    const rng = new Rng(this.seed, S.customer, c);
    const eco = this.inputs.economics;
    const fromLead = rng.chance(eco.customersFromLeadsShare);
    const [city, name] = nameFor(this.cityTable.pick(rng));
    const level = this.dist('customer.level').pick(rng);
    const status = this.dist('customer.status').pick(rng);
    const size = this.dist('customer.company_size').pick(rng);
    let source = this.dist('customer.source').pick(rng);
    const leadSource = this.dist('lead.source').pick(rng);
    const imported = !fromLead && rng.chance(eco.initialImportShare);
    const created = imported
      ? this.workTime(rng, this.startMs + rng.next() * 14 * DAY)
      : this.workTime(rng, this.growthTime(rng, this.startMs + 7 * DAY));
    const publicPool =
      !fromLead && (status === 'churned' ? rng.chance(0.6) : rng.chance(eco.publicPoolShare));
    const team = (this.cities[city] as City).team;
    const owner = this.repOfTeam(team, rng);
    if (fromLead) source = leadSource;
    else if (imported) source = 'existing';
    else if (source === 'existing') source = 'website';
    this.cCreated[c] = created;
    this.cOwner[c] = publicPool ? -1 : owner;
    this.cCity[c] = city;
    this.cName[c] = name;
    this.cLevel[c] = this.levelValues.indexOf(level);
    this.cStatus[c] = this.statusValues.indexOf(status);
    this.cSize[c] = this.sizeValues.indexOf(size);
    this.cSource[c] = source;
    if (fromLead) this.cLeadSlot[c] = -2;
  }

  private opportunityCore(o: number): void {
    const rng = new Rng(this.seed, S.opportunity, o);
    const eco = this.inputs.economics;
    const c = this.opportunityTable.pick(rng);
    const from = this.cCreated[c] as number;
    const created = this.workTime(
      rng,
      from + (this.nowMs - from) * Math.pow(rng.next(), 0.85),
      from,
    );
    const owner = this.ownerOr(c, rng);
    const skill = this.repSkill[this.reps.indexOf(owner)] ?? 1;
    const size = this.sizeValues[this.cSize[c] as number] as string;
    const median = eco.dealSizeMedian[size] ?? 50_000;
    const amount = round100(rng.lognormal(median * (0.85 + 0.3 * skill), eco.dealSizeSpread));
    const cycle = Math.min(240, Math.max(5, rng.lognormal(eco.cycleDaysMedian / skill, 0.5))) * DAY;
    const close = created + cycle;
    let stage: string;
    let closed = 0;
    let discount = 0;
    if (close <= this.nowMs) {
      const winRate = Math.min(0.8, Math.max(0.1, eco.winRate * skill));
      stage = rng.chance(winRate) ? 'won' : 'lost';
      closed = this.workTime(rng, close, created + HOUR);
      if (stage === 'won') {
        const u = rng.next();
        discount =
          u < 0.7 ? 0 : u < 0.9 ? rng.int(5, 10) : u < 0.98 ? rng.int(11, 20) : rng.int(21, 30);
        this.won.push(o);
      }
    } else {
      const progress = (this.nowMs - created) / cycle;
      stage = OPP_OPEN[Math.min(3, Math.floor(progress * 4))] as string;
    }
    this.oCustomer[o] = c;
    this.oCreated[o] = created;
    this.oClosed[o] = closed;
    this.oStage[o] = [
      'prospecting',
      'needs_analysis',
      'proposal',
      'negotiation',
      'won',
      'lost',
    ].indexOf(stage);
    this.oAmount[o] = amount;
    this.oOwner[o] = owner;
    this.oDiscount[o] = discount;
  }

  // ------------------------------------------------------------------ shared values

  private company(
    city: number,
    name: number,
  ): {
    name: string;
    short: string;
    domain: string;
    industry: string;
    word: string;
  } {
    const words = this.inputs.companies.words;
    const industries = this.inputs.companies.industries;
    const w = name % words.length;
    const ind = Math.floor(name / words.length) % industries.length;
    const c = this.cities[city] as City;
    const [word] = words[w] as readonly [string, string];
    const [industryName, code, option] = industries[ind] as readonly [string, string, string];
    const suffix = this.suffixes.at(hash32(this.seed, S.names, city, name) / 4294967296);
    return {
      name: `${c.short}${word}${industryName}${suffix}`,
      short: `${word}${industryName.slice(0, 2)}`,
      domain: `${this.wordSlugs[w] as string}${code}-${c.pinyin}.com`,
      industry: option,
      word,
    };
  }

  private address(rng: Rng, city: number): Record<string, string> {
    const c = this.cities[city] as City;
    const road = rng.pick(this.inputs.companies.roads);
    return {
      province: c.province,
      city: c.city,
      district: rng.pick(c.districts),
      detail: `${road}${rng.int(1, 999)}号${rng.chance(0.5) ? `${rng.int(1, 30)}楼` : ''}`,
    };
  }

  /** The person behind contact k (a converted lead's contact is the same person). */
  private contactPerson(k: number): {
    name: string;
    surname: string;
    given: string;
    female: boolean;
    mobile: string;
  } {
    const rng = new Rng(this.seed, S.contactPerson, k);
    const p = this.person(rng);
    return { ...p, mobile: this.phone((this.counts['customer'] as number) + k) };
  }

  private record(
    form: string,
    id: string,
    owner: number,
    createdAt: number,
    values: Record<string, unknown>,
    stage: string | null = null,
    stageEnteredAt: number | null = null,
  ): SampleRecord {
    const ownerId = this.memberId(owner);
    const updated = Math.max(createdAt, stageEnteredAt ?? 0);
    return {
      id,
      form,
      ownerId,
      createdBy: ownerId ?? (this.members[this.adminIndex] as SampleMember).id,
      createdAt: this.t.iso(createdAt),
      updatedAt: this.t.iso(updated),
      stage,
      stageEnteredAt: stageEnteredAt === null ? null : this.t.iso(stageEnteredAt),
      values,
    };
  }

  customerId(c: number): string {
    return recordUuid(this.seed, S.customer, c);
  }
  contactId(k: number): string {
    return recordUuid(this.seed, S.contact, k);
  }
  leadId(l: number): string {
    return recordUuid(this.seed, S.lead, l);
  }
  opportunityId(o: number): string {
    return recordUuid(this.seed, S.opportunity, o);
  }
  followUpId(f: number): string {
    return recordUuid(this.seed, S.followUp, f);
  }
  contractId(j: number): string {
    return recordUuid(this.seed, S.contract, j);
  }

  // ------------------------------------------------------------------ records

  customer(c: number): SampleRecord {
    const rng = new Rng(this.seed, S.customerDetail, c);
    const city = this.cCity[c] as number;
    const co = this.company(city, this.cName[c] as number);
    const level = this.levelValues[this.cLevel[c] as number] as string;
    const status = this.statusValues[this.cStatus[c] as number] as string;
    const owner = this.cOwner[c] as number;
    const tier =
      level === 'vip'
        ? rng.chance(0.7)
          ? 'A'
          : 'B'
        : level === 'important'
          ? rng.pick(['A', 'B', 'B', 'C'])
          : this.dist('customer.tier').pick(rng);
    const created = this.cCreated[c] as number;
    const revenueMedians: Readonly<Record<string, number>> = {
      micro: 3e6,
      small: 2e7,
      medium: 1e8,
      large: 5e8,
      enterprise: 2e9,
    };
    const revenueMedian = revenueMedians[this.sizeValues[this.cSize[c] as number] as string] ?? 5e7;
    const leadSlot = this.cLeadSlot[c] as number;
    const tags: string[] = [];
    if (level === 'vip') tags.push('key_account');
    if (rng.chance(0.15)) tags.push('price_sensitive');
    if (rng.chance(0.1)) tags.push('decision_fast');
    if (rng.chance(0.05)) tags.push('state_owned');
    const values: Record<string, unknown> = {
      company_name: co.name,
      short_name: co.short,
      level,
      tier,
      status,
      churn_reason:
        status === 'churned'
          ? rng.pick(['预算削减，停止续费', '被竞品替代', '公司业务调整', '负责人离职，需求中断'])
          : null,
      pool: owner < 0 ? 'public' : 'private',
      protected: level !== 'normal' && rng.chance(0.3),
      returned_at:
        owner < 0
          ? this.t.iso(this.workTime(rng, created + (this.nowMs - created) * rng.next(), created))
          : null,
      churn_risk: false,
      phone: this.phone(c),
      email: `${rng.pick(['info', 'sales', 'service', 'contact', 'office'])}@${co.domain}`,
      website: `https://www.${co.domain}`,
      region: this.address(rng, city),
      industry: co.industry,
      company_size: this.sizeValues[this.cSize[c] as number],
      source: this.cSource[c],
      source_lead: leadSlot >= 0 ? this.leadId(this.leadSlots.indexOf(leadSlot)) : null,
      annual_revenue:
        level !== 'normal' || rng.chance(0.3)
          ? money(cents(round100(rng.lognormal(revenueMedian, 0.6))))
          : null,
      tags,
    };
    return this.record('customer', this.customerId(c), owner, created, values);
  }

  contact(k: number): SampleRecord {
    const customers = this.counts['customer'] as number;
    const rng = new Rng(this.seed, S.contact, k);
    const c = k < customers ? k : this.opportunityTable.pick(rng);
    const p = this.contactPerson(k);
    const co = this.company(this.cCity[c] as number, this.cName[c] as number);
    const created =
      k < customers
        ? (this.cCreated[c] as number)
        : this.workTime(
            rng,
            (this.cCreated[c] as number) + rng.next() * (this.nowMs - (this.cCreated[c] as number)),
            this.cCreated[c] as number,
          );
    const values: Record<string, unknown> = {
      customer: this.customerId(c),
      name: p.name,
      gender: p.female ? 'female' : 'male',
      title: rng.pick(this.inputs.phrases.jobTitles),
      role: this.dist('contact.role').pick(rng),
      mobile: p.mobile,
      email: rng.chance(0.7)
        ? `${p.given}.${p.surname}@${co.domain}`
        : `${p.given}${p.surname}${rng.int(1, 999)}@${rng.pick(this.inputs.phrases.personalEmailDomains)}`,
      wechat: rng.chance(0.6) ? `wxid_${p.given}${p.surname}${rng.int(10, 9999)}` : null,
      birthday: rng.chance(0.6)
        ? `${rng.int(1965, 1998)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`
        : null,
      is_primary: k < customers,
    };
    return this.record('contact', this.contactId(k), this.ownerOr(c, rng), created, values);
  }

  lead(l: number): SampleRecord {
    const rng = new Rng(this.seed, S.leadPerson, l);
    const eco = this.inputs.economics;
    const slot = this.leadSlots.at(l);
    const converted = slot < this.fromLead.length;
    const c = converted ? (this.fromLead[slot] as number) : -1;
    const city = this.lCity[l] as number;
    const co = this.company(city, this.lName[l] as number);
    let person: { name: string; surname: string; given: string; mobile: string };
    let created: number;
    let stage: string;
    let source: string;
    let size: string;
    let owner: number;
    if (converted) {
      person = this.contactPerson(c);
      const customerCreated = this.cCreated[c] as number;
      created = this.workTime(
        rng,
        Math.max(this.startMs, customerCreated - rng.lognormal(12, 0.6) * DAY),
        this.startMs,
      );
      if (created >= customerCreated) created = customerCreated - HOUR;
      stage = 'converted';
      source = this.cSource[c] as string;
      size = this.sizeValues[this.cSize[c] as number] as string;
      owner = this.cOwner[c] as number;
    } else {
      const p = this.person(rng);
      person = {
        ...p,
        mobile: this.phone(
          (this.counts['customer'] as number) + (this.counts['contact'] as number) + l,
        ),
      };
      created = this.workTime(rng, this.growthTime(rng));
      stage = this.dist('lead.stage').pick(rng);
      const age = this.nowMs - created;
      if (age < DAY) stage = rng.chance(0.8) ? 'new' : 'contacted';
      else if (stage === 'new' && age > 5 * DAY) stage = 'unqualified';
      source = this.dist('lead.source').pick(rng);
      size = this.dist('customer.company_size').pick(rng);
      owner = this.repOfTeam((this.cities[city] as City).team, rng);
    }
    const contacted = stage !== 'new' && !(stage === 'unqualified' && rng.chance(0.15));
    const firstContactMinutes = contacted
      ? Math.max(1, Math.round(rng.lognormal(eco.firstContactMinutesMedian, 1)))
      : null;
    const firstContactedAt =
      firstContactMinutes === null
        ? null
        : Date.parse(
            addWorkingTime(new Date(created), { minutes: firstContactMinutes }, this.calendar),
          );
    const unqualifiedReason =
      stage === 'unqualified' ? this.dist('lead.unqualified_reason').pick(rng) : null;
    const publicPool =
      stage === 'unqualified' ? rng.chance(0.1) : stage === 'new' && this.nowMs - created > 3 * DAY;
    const hot = stage === 'qualified' || stage === 'converted';
    const convertedAt = converted ? (this.cCreated[c] as number) : null;
    const stageEntered =
      stage === 'new'
        ? created
        : (convertedAt ??
          (firstContactedAt === null
            ? created + HOUR
            : Math.min(
                this.nowMs,
                firstContactedAt + (stage === 'contacted' ? 0 : rng.next() * 10 * DAY),
              )));
    const medianBudget = this.inputs.economics.dealSizeMedian[size] ?? 50_000;
    const values: Record<string, unknown> = {
      company_name: co.name,
      contact_name: person.name,
      title: rng.pick(this.inputs.phrases.jobTitles),
      mobile: person.mobile,
      email: rng.chance(0.6) ? `${person.given}.${person.surname}@${co.domain}` : null,
      source,
      industry: co.industry,
      company_size: size,
      region: this.address(rng, city),
      budget: hot ? money(cents(round100(rng.lognormal(medianBudget, 0.5)))) : null,
      expected_close_date: hot ? this.t.date(created + rng.int(30, 90) * DAY) : null,
      reply_count: hot ? rng.int(1, 4) : rng.int(0, 2),
      visit_count: hot ? rng.int(0, 2) : 0,
      acquisition_cost: money(
        cents(Math.round((eco.acquisitionCost[source] ?? 200) * (0.6 + 0.8 * rng.next()))),
      ),
      contact_method: contacted ? this.dist('lead.contact_method').pick(rng) : null,
      first_contacted_at: firstContactedAt === null ? null : this.t.iso(firstContactedAt),
      first_contact_minutes: firstContactMinutes,
      pool: publicPool ? 'public' : 'private',
      unqualified_reason: unqualifiedReason,
      converted_at: convertedAt === null ? null : this.t.iso(convertedAt),
    };
    return this.record(
      'lead',
      this.leadId(l),
      publicPool ? -1 : owner,
      created,
      values,
      stage,
      stageEntered,
    );
  }

  opportunity(o: number): SampleRecord {
    const rng = new Rng(this.seed, S.opportunityDetail, o);
    const c = this.oCustomer[o] as number;
    const stage = ['prospecting', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost'][
      this.oStage[o] as number
    ] as string;
    const created = this.oCreated[o] as number;
    const closed = this.oClosed[o] as number;
    const co = this.company(this.cCity[c] as number, this.cName[c] as number);
    const product = rng.pick(this.inputs.phrases.products);
    const leadSlot = this.cLeadSlot[c] as number;
    const type = this.dist('opportunity.type').pick(rng);
    const isClosed = stage === 'won' || stage === 'lost';
    const openIndex = OPP_OPEN.indexOf(stage as (typeof OPP_OPEN)[number]);
    const lostAt =
      stage === 'lost'
        ? (rng.pick([
            'prospecting',
            'needs_analysis',
            'needs_analysis',
            'proposal',
            'proposal',
            'negotiation',
          ]) as string)
        : null;
    const reached = isClosed
      ? stage === 'won'
        ? 3
        : OPP_OPEN.indexOf(lostAt as (typeof OPP_OPEN)[number])
      : openIndex;
    const stageEntered = isClosed
      ? closed
      : Math.min(
          this.nowMs - HOUR,
          created + ((this.nowMs - created) * openIndex) / 4 + rng.next() * DAY,
        );
    const amount = this.oAmount[o] as number;
    const values: Record<string, unknown> = {
      name: `${co.short}${product}项目`,
      customer: this.customerId(c),
      contact: this.contactId(c),
      lead:
        leadSlot >= 0 && type === 'new_business'
          ? this.leadId(this.leadSlots.indexOf(leadSlot))
          : null,
      type,
      source: this.cSource[c],
      amount: money(cents(amount)),
      probability: OPP_PROBABILITY[stage],
      expected_close_date: this.t.date(
        isClosed
          ? closed
          : Math.max(
              this.nowMs + DAY,
              created + rng.lognormal(this.inputs.economics.cycleDaysMedian, 0.4) * DAY,
            ),
      ),
      discount: this.oDiscount[o],
      quote_no:
        reached >= 2
          ? `BJ-${this.t.date(created).slice(0, 4)}-${String(o + 1).padStart(5, '0')}`
          : null,
      competitor:
        stage === 'lost' || rng.chance(0.35) ? rng.pick(this.inputs.phrases.competitors) : null,
      next_step: isClosed ? null : rng.pick(this.inputs.phrases.nextActions),
      stalled: !isClosed && this.nowMs - stageEntered >= 7 * DAY,
      loss_reason: stage === 'lost' ? this.dist('opportunity.loss_reason').pick(rng) : null,
      loss_note:
        stage === 'lost' && rng.chance(0.5) ? rng.pick(this.inputs.phrases.reactions) : null,
      lost_at_stage: lostAt,
      contract_no:
        stage === 'won'
          ? `HT-${this.t.date(closed).slice(0, 4)}-${String(this.won.indexOf(o) + 1).padStart(5, '0')}`
          : null,
      signed_at: stage === 'won' ? this.t.date(closed) : null,
      closed_at: isClosed ? this.t.iso(closed) : null,
    };
    return this.record(
      'opportunity',
      this.opportunityId(o),
      this.oOwner[o] as number,
      created,
      values,
      stage,
      stageEntered,
    );
  }

  followUp(f: number): SampleRecord {
    const rng = new Rng(this.seed, S.followUpDetail, f);
    const c = this.fCustomer[f] as number;
    const at = this.fAt[f] as number;
    const method = this.dist('follow_up.method').pick(rng);
    const result = this.dist('follow_up.result').pick(rng);
    const contact = this.contactPerson(c);
    const phrases = this.inputs.phrases;
    const content = fill(rng.pick(phrases.followUpContent), {
      contact: contact.name,
      topic: rng.pick(phrases.topics),
      product: rng.pick(phrases.products),
      reaction: rng.pick(phrases.reactions),
    });
    let next =
      result === 'follow_again' || (result === 'interested' && rng.chance(0.5))
        ? this.t.dayStart(this.t.weekdayOf(at + rng.int(1, 14) * DAY)) +
          (rng.chance(0.5) ? 10 : 15) * HOUR
        : null;
    // a weekend moved back to Friday can land before this follow-up: next working day then
    while (next !== null && (next <= at + HOUR || this.t.weekday(next) % 6 === 0)) next += DAY;
    const city = this.cities[this.cCity[c] as number] as City;
    const values: Record<string, unknown> = {
      customer: this.customerId(c),
      contact: this.contactId(c),
      method,
      followed_at: this.t.iso(at),
      duration_minutes:
        method === 'call'
          ? rng.int(2, 40)
          : method === 'visit' || method === 'meeting'
            ? rng.int(30, 150)
            : null,
      content,
      result,
      next_follow_up_at: next === null ? null : this.t.iso(next),
      next_action: next === null ? null : rng.pick(phrases.nextActions),
      location:
        method === 'visit'
          ? {
              lat: Math.round((city.lat + (rng.next() - 0.5) * 0.2) * 1e6) / 1e6,
              lng: Math.round((city.lng + (rng.next() - 0.5) * 0.2) * 1e6) / 1e6,
              address: `${city.city}${rng.pick(city.districts)}`,
              accuracy: rng.int(5, 60),
              coordSystem: 'gcj02',
              capturedAt: this.t.iso(at),
            }
          : null,
    };
    return this.record('follow_up', this.followUpId(f), this.fOwner[f] as number, at, values);
  }

  contract(j: number): SampleRecord {
    const rng = new Rng(this.seed, S.contract ^ 0x5bd1e995, j);
    const o = this.won[j] as number;
    const c = this.oCustomer[o] as number;
    const co = this.company(this.cCity[c] as number, this.cName[c] as number);
    const amount = cents(this.oAmount[o] as number);
    const start = this.kStart[j] as number;
    const end = this.kEnd[j] as number;
    const status = start > this.nowMs ? 'signed' : end < this.nowMs ? 'expired' : 'active';
    const plan = this.phases(j).map((p) => ({
      phase: p.phase,
      planned_date: this.t.date(p.date),
      ratio: p.ratio,
      planned_amount: money(p.cents),
    }));
    const values: Record<string, unknown> = {
      name: `${co.short}${rng.pick(this.inputs.phrases.products)}采购合同`,
      customer: this.customerId(c),
      opportunity: this.opportunityId(o),
      amount: money(amount),
      status,
      signed_at: this.t.date(this.kSigned[j] as number),
      start_date: this.t.date(start),
      end_date: this.t.date(end),
      payment_plan: plan,
      payment_terms:
        plan.length === 1 ? '签约后一次性付清' : `分 ${plan.length} 期付款，见回款计划`,
      renewed: status === 'expired' && rng.chance(0.55),
      renewal_of: null,
    };
    return this.record(
      'contract',
      this.contractId(j),
      this.oOwner[o] as number,
      (this.oClosed[o] as number) + rng.int(1, 48) * HOUR,
      values,
    );
  }

  private phases(j: number): Array<{ phase: string; date: number; ratio: number; cents: number }> {
    const o = this.won[j] as number;
    const total = cents(this.oAmount[o] as number);
    const start = this.kStart[j] as number;
    const end = this.kEnd[j] as number;
    const n = this.kPhases[j] as number;
    const ratios = n === 1 ? [100] : n === 2 ? [50, 50] : [30, 40, 30];
    const names = n === 1 ? ['全款'] : n === 2 ? ['首付款', '尾款'] : ['首付款', '二期款', '尾款'];
    let left = total;
    return ratios.map((ratio, i) => {
      const part = i === n - 1 ? left : Math.round((total * ratio) / 100);
      left -= part;
      const date = i === 0 ? start : i === n - 1 ? end - 30 * DAY : start + ((end - start) * i) / n;
      return { phase: names[i] as string, date: this.t.dayStart(date), ratio, cents: part };
    });
  }

  payment(q: number): SampleRecord {
    // the contract whose phases hold payment q
    let lo = 0;
    let hi = this.won.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.paymentStart[mid] as number) <= q) lo = mid;
      else hi = mid - 1;
    }
    const j = lo;
    const phase = this.phases(j)[q - (this.paymentStart[j] as number)] as {
      phase: string;
      date: number;
      ratio: number;
      cents: number;
    };
    const rng = new Rng(this.seed, S.payment, q);
    const o = this.won[j] as number;
    const c = this.oCustomer[o] as number;
    let received = 0;
    let receivedAt: number | null = null;
    if (phase.date <= this.nowMs) {
      const u = rng.next();
      const when = phase.date + Math.round(rng.lognormal(4, 0.9)) * DAY;
      if (u < 0.86 && when <= this.nowMs) {
        received = phase.cents;
        receivedAt = when;
      } else if (u < 0.91 && when <= this.nowMs) {
        received = Math.round(phase.cents * (0.3 + 0.4 * rng.next()));
        receivedAt = when;
      }
    }
    const overdue = received < phase.cents && phase.date + DAY <= this.nowMs;
    const status =
      received >= phase.cents
        ? 'received'
        : overdue
          ? 'overdue'
          : received > 0
            ? 'partial'
            : 'planned';
    const values: Record<string, unknown> = {
      contract: this.contractId(j),
      customer: this.customerId(c),
      phase: phase.phase,
      planned_date: this.t.date(phase.date),
      planned_amount: money(phase.cents),
      received_date: receivedAt === null ? null : this.t.date(receivedAt),
      received_amount: money(received),
      method: received > 0 ? this.dist('payment.method').pick(rng) : null,
      status,
      is_overdue: overdue,
      invoice_no: received > 0 ? String(rng.int(10_000_000, 99_999_999)) : null,
    };
    return this.record(
      'payment',
      recordUuid(this.seed, S.payment, q),
      this.oOwner[o] as number,
      (this.kSigned[j] as number) + HOUR,
      values,
    );
  }

  task(n: number): SampleRecord {
    const rng = new Rng(this.seed, S.task, n);
    const followUps = this.counts['follow_up'] as number;
    const opportunities = this.counts['opportunity'] as number;
    const u = rng.next();
    let queue = 'sales';
    let customer: number;
    let followUp = -1;
    let opportunity = -1;
    let assignee: number;
    let title: string;
    let created: number;
    if (u < 0.5 && followUps > 0) {
      followUp = rng.int(0, followUps - 1);
      customer = this.fCustomer[followUp] as number;
      assignee = this.fOwner[followUp] as number;
      created = this.fAt[followUp] as number;
      title = `跟进：${this.company(this.cCity[customer] as number, this.cName[customer] as number).name}`;
    } else if (u < 0.65 && opportunities > 0) {
      opportunity = rng.int(0, opportunities - 1);
      customer = this.oCustomer[opportunity] as number;
      queue = 'presales';
      assignee = this.roleMember('presales', rng);
      created = this.oCreated[opportunity] as number;
      title = `需求调研与方案支持：${this.company(this.cCity[customer] as number, this.cName[customer] as number).short}`;
    } else {
      customer = this.followUpTable.pick(rng);
      assignee = this.ownerOr(customer, rng);
      created = this.workTime(
        rng,
        this.growthTime(rng, Math.max(this.startMs, this.cCreated[customer] as number)),
        this.cCreated[customer] as number,
      );
      title = `${rng.pick(this.inputs.phrases.taskTitles)}：${this.company(this.cCity[customer] as number, this.cName[customer] as number).short}`;
    }
    // a quarter of the tasks sit around today, so "My day" has something to show
    const near = rng.chance(0.25);
    const due = near
      ? this.t.dayStart(this.nowMs) + rng.int(-5, 10) * DAY + rng.int(10, 18) * HOUR
      : created + rng.int(1, 7) * DAY;
    if (near && created > due) created = due - rng.int(1, 5) * DAY;
    const past = due <= this.nowMs;
    const done = past ? rng.chance(near ? 0.5 : 0.88) : rng.chance(0.1);
    const status = done
      ? 'done'
      : past && rng.chance(0.3)
        ? 'cancelled'
        : rng.chance(0.2)
          ? 'doing'
          : 'todo';
    const values: Record<string, unknown> = {
      title,
      description: null,
      due_at: this.t.iso(due),
      priority: this.dist('task.priority').pick(rng),
      status,
      queue,
      assignee: this.memberId(assignee),
      origin: followUp >= 0 ? 'rule' : 'manual',
      customer: customer >= 0 ? this.customerId(customer) : null,
      opportunity: opportunity >= 0 ? this.opportunityId(opportunity) : null,
      follow_up: followUp >= 0 ? this.followUpId(followUp) : null,
      contract: null,
      completed_at: done
        ? this.t.iso(Math.min(this.nowMs, Math.max(created, due - rng.int(0, 48) * HOUR)))
        : null,
    };
    return this.record(
      'task',
      recordUuid(this.seed, S.task, n),
      assignee,
      Math.min(created, due),
      values,
    );
  }

  serviceTicket(n: number): SampleRecord {
    const rng = new Rng(this.seed, S.ticket, n);
    const c = this.followUpTable.pick(rng);
    const from = this.cCreated[c] as number;
    const reported = this.workTime(
      rng,
      from + (this.nowMs - from) * Math.pow(rng.next(), 0.8),
      from,
    );
    const age = this.nowMs - reported;
    const eco = this.inputs.economics;
    const responseMinutes = Math.max(1, Math.round(rng.lognormal(eco.responseMinutesMedian, 0.8)));
    const responded = reported + responseMinutes * MINUTE;
    let stage: string;
    if (age < responseMinutes * MINUTE) stage = 'reported';
    else if (age < 6 * HOUR) stage = 'dispatched';
    else if (age < 10 * DAY)
      stage = rng.pick(['dispatched', 'resolved', 'feedback', 'feedback', 'rated', 'rated']);
    else stage = rng.chance(0.07) ? 'cancelled' : 'rated';
    const hasResponse = stage !== 'reported';
    const resolved = ['resolved', 'feedback', 'rated'].includes(stage);
    const resolvedAt = resolved
      ? Math.min(this.nowMs - HOUR, responded + rng.lognormal(20, 0.8) * HOUR)
      : null;
    const category = this.dist('service_ticket.category').pick(rng);
    const compensation =
      resolved && (category === 'complaint' || category === 'fault') && rng.chance(0.08)
        ? cents(rng.int(5, 50) * 100)
        : 0;
    const engineer = this.roleMember('service_engineer', rng);
    const stageEntered =
      stage === 'reported'
        ? reported
        : stage === 'dispatched'
          ? responded
          : stage === 'cancelled'
            ? responded + HOUR
            : Math.min(
                this.nowMs,
                (resolvedAt ?? responded) + (stage === 'resolved' ? 0 : rng.next() * 2 * DAY),
              );
    const values: Record<string, unknown> = {
      title: rng.pick(this.inputs.phrases.ticketTitles),
      customer: this.customerId(c),
      contact: this.contactId(c),
      channel: this.dist('service_ticket.channel').pick(rng),
      category,
      priority: this.dist('service_ticket.priority').pick(rng),
      description: `${this.contactPerson(c).name}反馈：${rng.pick(this.inputs.phrases.ticketTitles)}，请尽快处理。`,
      reported_at: this.t.iso(reported),
      engineer_id: hasResponse && stage !== 'cancelled' ? this.memberId(engineer) : null,
      responded_at: hasResponse ? this.t.iso(responded) : null,
      response_minutes: hasResponse ? responseMinutes : null,
      sla_breached: hasResponse ? responseMinutes > 30 : age > 30 * MINUTE,
      resolution: resolved ? rng.pick(this.inputs.phrases.resolutions) : null,
      resolved_at: resolvedAt === null ? null : this.t.iso(resolvedAt),
      compensation_amount: money(compensation),
      callback_note:
        stage === 'feedback' || stage === 'rated' ? '已电话回访，客户确认问题解决' : null,
      rating: stage === 'rated' ? Number(this.dist('service_ticket.rating').pick(rng)) : null,
      feedback:
        stage === 'rated' && rng.chance(0.3)
          ? rng.pick([
              '响应很快，工程师很专业',
              '问题解决了，但上门有点晚',
              '希望以后提前电话联系',
              '非常满意',
            ])
          : null,
      cancel_reason: stage === 'cancelled' ? '客户自行解决' : null,
    };
    return this.record(
      'service_ticket',
      recordUuid(this.seed, S.ticket, n),
      this.roleMember('customer_service', rng),
      reported,
      values,
      stage,
      stageEntered,
    );
  }

  /** Targets per rep × month (one column per metric), from what each rep achieves on average (±). */
  *salesTargets(): IterableIterator<SampleRecord> {
    const months = this.params.months;
    const firstMonth = this.t.monthStart(this.nowMs, -(months - 1));
    const perRep = new Map<number, { won: number; customers: number; followUps: number }>();
    for (const r of this.reps) perRep.set(r, { won: 0, customers: 0, followUps: 0 });
    for (const o of this.won) {
      const e = perRep.get(this.oOwner[o] as number);
      if (e !== undefined) e.won += this.oAmount[o] as number;
    }
    this.cOwner.forEach((owner) => {
      const e = perRep.get(owner);
      if (e !== undefined) e.customers += 1;
    });
    this.fOwner.forEach((owner) => {
      const e = perRep.get(owner);
      if (e !== undefined) e.followUps += 1;
    });
    let n = 0;
    for (const r of this.reps) {
      const totals = perRep.get(r) as { won: number; customers: number; followUps: number };
      // Some managers set stretch targets, some cautious ones: attainment differs by rep.
      const ambition = 0.8 + 0.5 * new Rng(this.seed, S.target, 1_000_000 + r).next();
      const manager = (this.members[r] as SampleMember).managerId;
      const managerIndex = this.members.findIndex((m) => m.id === manager);
      for (let m = 0; m < months; m++) {
        const month = this.t.monthStart(firstMonth, m);
        const monthNo = Number(this.t.date(month).slice(5, 7));
        const season = monthNo === 12 || monthNo === 6 ? 1.2 : monthNo === 2 ? 0.75 : 1;
        const rng = new Rng(this.seed, S.target, n);
        const factor = (): number => (ambition * season * (0.85 + 0.3 * rng.next())) / months;
        const values: Record<string, unknown> = {
          rep: (this.members[r] as SampleMember).id,
          month: this.t.date(month),
          won_amount: money(
            cents(Math.max(10_000, Math.round((totals.won * factor()) / 10_000) * 10_000)),
          ),
          new_customers: Math.max(1, Math.round(totals.customers * factor())),
          follow_ups: Math.max(1, Math.round(totals.followUps * factor())),
        };
        yield this.record(
          'sales_target',
          recordUuid(this.seed, S.target, n),
          managerIndex >= 0 ? managerIndex : r,
          Math.max(this.startMs, month - 5 * DAY),
          values,
        );
        n++;
      }
    }
  }

  *stream(form: string): IterableIterator<SampleRecord> {
    const count = this.counts[form];
    if (count === undefined)
      throw new SampleDataError('unknown_form', `crm-sample-v1 does not generate "${form}"`);
    if (form === 'sales_target') {
      yield* this.salesTargets();
      return;
    }
    const build: (i: number) => SampleRecord =
      form === 'lead'
        ? (i) => this.lead(i)
        : form === 'customer'
          ? (i) => this.customer(i)
          : form === 'contact'
            ? (i) => this.contact(i)
            : form === 'opportunity'
              ? (i) => this.opportunity(i)
              : form === 'follow_up'
                ? (i) => this.followUp(i)
                : form === 'contract'
                  ? (i) => this.contract(i)
                  : form === 'payment'
                    ? (i) => this.payment(i)
                    : form === 'task'
                      ? (i) => this.task(i)
                      : (i) => this.serviceTicket(i);
    for (let i = 0; i < count; i++) yield build(i);
  }
}

function toPlan(world: World): SamplePlan {
  return {
    generator: SAMPLE_GENERATOR,
    seed: world.seed,
    scale: world.scale,
    now: world.t.iso(world.nowMs),
    start: world.t.iso(world.startMs),
    params: world.params,
    counts: { ...world.counts },
    order: SAMPLE_FORM_ORDER,
    members: world.members.length,
    reps: world.members.filter((m) => m.roles.includes('sales_rep')).length,
    salesTeams: new Set(
      world.members.filter((m) => m.roles.includes('sales_rep')).map((m) => m.teamKey),
    ).size,
  };
}

/**
 * The sample data of a bundle with `sampleData.generator: 'crm-sample-v1'`: members and teams
 * (small, in memory) and a fresh iterator per form. Throws `SampleDataError` (with `issues`) when
 * the settings are unusable; `validateBundle` reports the same problems.
 */
export function generateSampleData(bundle: unknown, options: GenerateSampleOptions): SampleData {
  if (!isObject(bundle)) throw new SampleDataError('invalid_bundle', 'a bundle is an object');
  const world = new World(bundle, options);
  const plan = toPlan(world);
  return {
    plan,
    members: world.members,
    teams: world.teams,
    records: (form: string) => world.stream(form),
    all: function* () {
      for (const form of SAMPLE_FORM_ORDER) yield* world.stream(form);
    },
  };
}

/** The plan alone: how many records of each form a seed and scale give. */
export function planSampleData(bundle: unknown, options: GenerateSampleOptions): SamplePlan {
  return generateSampleData(bundle, options).plan;
}
