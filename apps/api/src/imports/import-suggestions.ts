import { labelKey } from './import-cleaning.js';

/**
 * Suggests which form field each column of a file fills, from the column
 * labels people actually use (手机/电话/联系方式 are all the phone), the
 * field labels in zh-CN and en, and mappings saved for the form earlier.
 */
export type SuggestableField = {
  readonly id: string;
  readonly type: string;
  readonly labels: readonly string[];
};

export type Suggestion = {
  readonly fieldId: string;
  /** 0..1; 1 is an exact label or a saved mapping. */
  readonly score: number;
  readonly source: 'saved' | 'label' | 'alias' | 'similar';
};

/** Concepts of a CRM and the words spreadsheets use for them. */
const CONCEPTS: ReadonlyArray<{
  readonly concept: string;
  readonly types?: readonly string[];
  readonly words: readonly string[];
}> = [
  {
    concept: 'phone',
    types: ['phone'],
    words: [
      '手机',
      '手机号',
      '手机号码',
      '电话',
      '电话号码',
      '联系电话',
      '联系方式',
      '移动电话',
      '联系手机',
      '手机/电话',
      '座机',
      'mobile',
      'phone',
      'tel',
      'telephone',
      'cell',
      'cellphone',
      'mobilephone',
      'phonenumber',
    ],
  },
  {
    concept: 'email',
    types: ['email'],
    words: [
      '邮箱',
      '电子邮箱',
      '邮件',
      '电子邮件',
      '邮箱地址',
      'email',
      'e-mail',
      'mail',
      'emailaddress',
    ],
  },
  {
    concept: 'company',
    words: [
      '公司',
      '公司名称',
      '公司名',
      '客户名称',
      '客户',
      '客户名',
      '企业',
      '企业名称',
      '单位',
      '单位名称',
      '机构名称',
      'company',
      'companyname',
      'customer',
      'customername',
      'account',
      'organization',
      'organisation',
    ],
  },
  {
    concept: 'contact',
    words: [
      '联系人',
      '姓名',
      '联系人姓名',
      '客户姓名',
      '名字',
      'contact',
      'contactname',
      'name',
      'fullname',
    ],
  },
  {
    concept: 'address',
    words: ['地址', '详细地址', '联系地址', '公司地址', '办公地址', 'address'],
  },
  {
    concept: 'website',
    types: ['url'],
    words: ['网站', '网址', '官网', '公司网站', 'website', 'url', 'web'],
  },
  {
    concept: 'remark',
    words: ['备注', '说明', '备注信息', '附注', 'remark', 'remarks', 'note', 'notes', 'comment'],
  },
  { concept: 'industry', words: ['行业', '所属行业', '行业类别', 'industry'] },
  {
    concept: 'source',
    words: ['来源', '客户来源', '线索来源', '渠道', 'source', 'leadsource', 'channel'],
  },
  { concept: 'level', words: ['等级', '客户等级', '级别', '客户级别', 'level', 'grade', 'tier'] },
  { concept: 'status', words: ['状态', '客户状态', 'status', 'state'] },
  { concept: 'province', words: ['省份', '省', '所在省份', 'province'] },
  { concept: 'city', words: ['城市', '市', '所在城市', 'city'] },
  {
    concept: 'revenue',
    words: [
      '年营业额',
      '营业额',
      '年收入',
      '营收',
      '年销售额',
      'revenue',
      'annualrevenue',
      'turnover',
    ],
  },
  {
    concept: 'employees',
    words: ['员工人数', '人数', '员工数', '公司规模', 'employees', 'headcount', 'staff'],
  },
];

const WORDS = new Map<string, string>();
for (const c of CONCEPTS) for (const w of c.words) WORDS.set(labelKey(w), c.concept);

/** The concept a header or a field label names, if any. */
function conceptOf(text: string): string | undefined {
  const key = labelKey(text).replace(/[*：:()（）]/g, '');
  return WORDS.get(key);
}

function fieldConcepts(field: SuggestableField): Set<string> {
  const out = new Set<string>();
  for (const c of CONCEPTS) if (c.types?.includes(field.type) === true) out.add(c.concept);
  for (const label of [...field.labels, field.id]) {
    const concept = conceptOf(label);
    if (concept !== undefined) out.add(concept);
  }
  return out;
}

function bigrams(text: string): string[] {
  const chars = Array.from(text);
  if (chars.length < 2) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}`);
  return out;
}

/** Dice coefficient of character bigrams: 联系电话 ~ 电话号码 share 电话. */
export function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.length === 0 || y.length === 0) return 0;
  const pool = new Map<string, number>();
  for (const g of x) pool.set(g, (pool.get(g) ?? 0) + 1);
  let shared = 0;
  for (const g of y) {
    const n = pool.get(g) ?? 0;
    if (n > 0) {
      shared++;
      pool.set(g, n - 1);
    }
  }
  return (2 * shared) / (x.length + y.length);
}

function clean(label: string): string {
  return labelKey(label).replace(/[*：:()（）\-_]/g, '');
}

/**
 * One suggestion per column at most, and each field for one column at most
 * (best scores first). `saved` maps a header label to the field it was
 * mapped to last time for this form.
 */
export function suggestColumns(
  headers: readonly string[],
  fields: readonly SuggestableField[],
  saved: ReadonlyMap<string, string> = new Map(),
): Array<Suggestion | null> {
  const candidates: Array<{ column: number; suggestion: Suggestion }> = [];
  const concepts = new Map(fields.map((f) => [f.id, fieldConcepts(f)]));
  const known = new Set(fields.map((f) => f.id));
  headers.forEach((header, column) => {
    const savedField = saved.get(clean(header));
    if (savedField !== undefined && known.has(savedField)) {
      candidates.push({ column, suggestion: { fieldId: savedField, score: 1, source: 'saved' } });
      return;
    }
    const key = clean(header);
    const headerConcept = conceptOf(header);
    for (const field of fields) {
      const labels = [...field.labels, field.id].map(clean);
      let best: Suggestion | null = null;
      if (labels.includes(key)) best = { fieldId: field.id, score: 0.99, source: 'label' };
      else if (headerConcept !== undefined && concepts.get(field.id)?.has(headerConcept) === true)
        best = { fieldId: field.id, score: 0.9, source: 'alias' };
      else {
        const score = Math.max(...labels.map((l) => similarity(key, l)));
        if (score >= 0.5)
          best = { fieldId: field.id, score: Math.round(score * 100) / 100, source: 'similar' };
      }
      if (best !== null) candidates.push({ column, suggestion: best });
    }
  });
  candidates.sort((a, b) => b.suggestion.score - a.suggestion.score || a.column - b.column);
  const out: Array<Suggestion | null> = headers.map(() => null);
  const taken = new Set<string>();
  for (const { column, suggestion } of candidates) {
    if (out[column] !== null || taken.has(suggestion.fieldId)) continue;
    out[column] = suggestion;
    taken.add(suggestion.fieldId);
  }
  return out;
}

/** The key a header label is saved under in a reusable mapping. */
export function savedLabelKey(header: string): string {
  return clean(header);
}
