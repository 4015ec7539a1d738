// Rule 8 (README): the form's validator as a standalone ES module for browsers whose
// Content-Security-Policy has no 'unsafe-eval'.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { ajvValidator } from './ajv-compiler.js';
import customerForm from './fixtures/customer-form.json' with { type: 'json' };
import followUpForm from './fixtures/follow-up-form.json' with { type: 'json' };
import {
  compileForm,
  FormEngineError,
  formJsonSchema,
  standaloneValidatorModule,
  type FormSchema,
  type JsonSchemaValidateFunction,
} from './index.js';

const customer = customerForm as unknown as FormSchema;
const followUp = followUpForm as unknown as FormSchema;

type StandaloneModule = {
  default: JsonSchemaValidateFunction;
  validate: JsonSchemaValidateFunction;
  fingerprint: string;
};

async function load(source: string): Promise<StandaloneModule> {
  const url = `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  return (await import(url)) as StandaloneModule;
}

/** import / export-from / require / dynamic import / eval / Function constructor. */
const FORBIDDEN = [
  /(^|[^\w$.])import\s*[\s({*'"]/m,
  /(^|[^\w$.])require\s*\(/m,
  /(^|[^\w$.])eval\s*\(/m,
  /(^|[^\w$.])Function\s*\(/m,
  /\bfrom\s*['"]/m,
];

const ZW = '3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f';

/** Values a customer record might hold: canonical, typed by hand, wrong, or of another type. */
const anyJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 200 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom('province', 'lat', 'lng', 'key', 'x'),
    fc.oneof(fc.string({ maxLength: 5 }), fc.integer()),
    { maxKeys: 3 },
  ),
);
const samples: Record<string, unknown[]> = {
  company_name: ['上海启明信息技术有限公司', '  ', '', 'x'.repeat(101)],
  contact_name: ['张伟', '王芳'],
  phone: ['13812345678', '+86 138-1234-5678', '02112345678', '+14155552671', '12812345678'],
  email: ['zhangwei@qiming.example.cn', 'ZhangWei@Qiming.cn', 'lina@', ' wf@example.com '],
  level: ['normal', 'important', 'vip', 'super', ''],
  tier: ['A', 'B', 'C', 'D'],
  status: ['potential', 'active', 'dormant', 'churned'],
  churn_reason: ['价格原因', ''],
  pool: ['public', 'private'],
  region: [
    { province: '上海市', city: '上海市' },
    { province: '' },
    { zip: '1' },
    { province: '浙江省', adcode: '330100' },
  ],
  owner: [ZW, ZW.toUpperCase(), 'zhangwei'],
  annual_revenue: ['12800.50', '12800.5', 12800.5, '-1.00', '1.234', 'abc'],
  tags: [
    ['internet'],
    ['internet', 'internet'],
    [],
    ['x'],
    ['internet', 'education', 'government', 'healthcare', 'manufacturing', 'key_account'],
  ],
  website: ['https://www.qiming.example.cn', ' http://a.cn ', 'javascript:alert(1)'],
  customer_no: ['KH-2024-0001', 7],
  follow_up_count: [3, 'x'],
  last_followed_at: ['2024-05-01T01:30:00.000Z'],
  remark: ['年度框架合同客户', '\n'],
};
const customerRecord = fc.record(
  Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [
      k,
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...v) }, { weight: 1, arbitrary: anyJson }),
    ]),
  ),
  { requiredKeys: [] },
);
const recordWithExtras = fc
  .tuple(
    customerRecord,
    fc.option(fc.constantFrom('credit_limit', 'owner_id', '__proto__'), { nil: undefined }),
  )
  .map(([r, extra]) =>
    extra === undefined
      ? r
      : Object.assign(
          JSON.parse(JSON.stringify(r)) as Record<string, unknown>,
          JSON.parse(`{"${extra}": 1}`) as Record<string, unknown>,
        ),
  );

describe('standalone validator module', () => {
  it('the generated JSON Schemas pass ajv strict mode (no unknown keywords, consistent types)', () => {
    for (const schema of [customer, followUp]) {
      const strictAjv = new Ajv2020.default({
        strict: true,
        allowUnionTypes: true,
        strictRequired: false,
        unicode: false,
        logger: false,
      });
      assert.doesNotThrow(() => strictAjv.compile(formJsonSchema(schema)));
    }
  });

  it('has no imports, requires, eval or Function constructor', () => {
    for (const schema of [customer, followUp]) {
      const source = standaloneValidatorModule(schema);
      for (const pattern of FORBIDDEN) assert.doesNotMatch(source, pattern);
      assert.match(source, /export default/);
      assert.match(source, /export const fingerprint = "[0-9a-f]{16}";/);
    }
  });

  it('validates exactly like the in-process ajv validator (property)', async () => {
    const json = formJsonSchema(customer);
    const inProcess = ajvValidator(JSON.stringify(json), json, false);
    const standalone = (await load(standaloneValidatorModule(customer))).default;
    fc.assert(
      fc.property(recordWithExtras, (record) => {
        const a = inProcess(record);
        const b = standalone(record);
        assert.equal(b, a);
        assert.deepEqual(
          JSON.parse(JSON.stringify(standalone.errors ?? null)),
          JSON.parse(JSON.stringify(inProcess.errors ?? null)),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('gives a compiled form the same results as in-process validation (property)', async () => {
    const mod = await load(standaloneValidatorModule(customer));
    const server = compileForm(customer);
    const browser = compileForm(customer, { jsonSchemaValidator: mod });
    fc.assert(
      fc.property(recordWithExtras, fc.constantFrom('zh-CN', 'en'), (record, locale) => {
        const ctx = { user: { id: ZW }, locale };
        assert.deepEqual(browser.validate(record, ctx), server.validate(record, ctx));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a module generated for another version of the form', async () => {
    const mod = await load(standaloneValidatorModule(customer));
    const next: FormSchema = {
      ...customer,
      fields: customer.fields.filter((f) => f.id !== 'remark'),
      layout: { items: [] },
    };
    assert.throws(
      () => compileForm(next, { jsonSchemaValidator: mod }),
      (e: unknown) => e instanceof FormEngineError && e.code === 'VALIDATOR_MISMATCH',
    );
  });

  it('user text (labels, option values) never changes the generated code', async () => {
    const hostile = [
      '"); globalThis.__pwned = true; ("',
      "'; globalThis.__pwned = true; //",
      '</script><script>globalThis.__pwned = true</script>',
      'a\u2028b\u2029c',
      '${globalThis.__pwned = true}',
    ];
    const schema: FormSchema = {
      id: 'hostile',
      name: '"; alert(1); //',
      fields: [
        {
          id: 'choice',
          type: 'select',
          label: '*/ globalThis.__pwned = true; /*',
          options: hostile.map((value, i) => ({ value, label: `选项 ${i}` })),
        },
      ],
    };
    const benign: FormSchema = {
      ...schema,
      fields: [
        {
          id: 'choice',
          type: 'select',
          label: '选项',
          options: hostile.map((_v, i) => ({ value: `v${i}`, label: `选项 ${i}` })),
        },
      ],
    };
    // Same structure: only string literals (and ajv's numbered names) differ.
    const shape = (source: string) =>
      source
        .replace(/"(?:[^"\\]|\\.)*"/g, '""')
        .replace(/\/\^.*?\/[a-z]*/g, '//')
        .replace(/\b([A-Za-z_$]+)\d+\b/g, '$1#');
    assert.equal(
      shape(standaloneValidatorModule(schema)),
      shape(standaloneValidatorModule(benign)),
    );
    const mod = await load(standaloneValidatorModule(schema));
    assert.equal((globalThis as Record<string, unknown>)['__pwned'], undefined);
    for (const value of hostile) assert.equal(mod.default({ choice: value }), true);
    assert.equal(mod.default({ choice: 'other' }), false);
  });

  it('runs with code generation from strings disabled, as under a CSP without unsafe-eval', () => {
    const source = standaloneValidatorModule(customer);
    const index = new URL('./index.js', import.meta.url).href;
    const script = `
      const { compileForm } = await import(${JSON.stringify(index)});
      const schema = ${JSON.stringify(customer)};
      const mod = await import('data:text/javascript;base64,${Buffer.from(source).toString('base64')}');
      let blocked = false;
      try { compileForm(schema, { cache: false }); } catch (e) { blocked = e instanceof EvalError || /code generation/i.test(String(e)); }
      const form = compileForm(schema, { jsonSchemaValidator: mod });
      const ok = form.validate({ company_name: '上海启明信息技术有限公司', contact_name: '张伟', phone: '+86 138-1234-5678', level: 'vip', email: 'zw@qiming.cn', annual_revenue: '100', status: 'active', pool: 'private' }, { user: { id: '${ZW}' } });
      const bad = form.validate({ company_name: '', phone: '123', level: 'x', status: 'active', pool: 'private' }, { locale: 'en' });
      const states = form.fieldStates({ status: 'churned' });
      console.log(JSON.stringify({ blocked, ok, bad: bad.errors.map((e) => e.code), churnVisible: states.churn_reason.visible }));
    `;
    const child = spawnSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout.trim().split('\n').pop() as string) as {
      blocked: boolean;
      ok: { ok: boolean; values: Record<string, unknown> };
      bad: string[];
      churnVisible: boolean;
    };
    assert.equal(out.blocked, true, 'compiling with ajv must fail when code generation is blocked');
    assert.equal(out.ok.ok, true);
    assert.equal(out.ok.values['phone'], '13812345678');
    assert.deepEqual(out.bad, ['REQUIRED', 'REQUIRED', 'INVALID_PHONE', 'INVALID_OPTION']);
    assert.equal(out.churnVisible, true);
  });
});
