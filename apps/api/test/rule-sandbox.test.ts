import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, CUSTOMER_SCHEMA, publishForm } from './support/forms.js';
import { HttpClient, type Problem } from './support/http.js';
import { signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A condition nested `depth` levels deep: {"!": {"!": ... true}}. */
function nested(depth: number): unknown {
  let logic: unknown = true;
  for (let i = 0; i < depth; i += 1) logic = { '!': [logic] };
  return logic;
}

/** Hostile conditions, each refused when the rule is saved, with the place named. */
const REFUSED: Array<[string, unknown]> = [
  ['an unknown operator', { eval: ['process.exit(1)'] }],
  ['a method call', { method: [{ var: 'company_name' }, 'constructor'] }],
  ['a prototype path', { '==': [{ var: '__proto__.polluted' }, 1] }],
  ['a constructor path', { '==': [{ var: 'constructor.prototype.polluted' }, 1] }],
  ['depth 1000', nested(1000)],
  ['a huge array', { in: [{ var: 'company_name' }, Array.from({ length: 100_000 }, (_, i) => i)] }],
  ['a backreference regex', { regex_match: [{ var: 'company_name' }, '(a+)\\1'] }],
];

/**
 * Issue 11, battery item 7: the rule sandbox through the API. Hostile rules
 * are refused when saved; a rule that is allowed stays bounded when it runs.
 */
describe('rule sandbox: refused when saved, bounded when run (issue 11 item 7)', () => {
  let t: TestApp;
  let as: HttpClient;
  let appId: string;

  before(async () => {
    t = await startTestApp();
    const http = new HttpClient(t.baseUrl);
    as = http.as((await signupOwner(http)).accessToken);
    appId = await createApp(as);
    await publishForm(as, appId, 'customer', { 'zh-CN': '客户', en: 'Customer' }, CUSTOMER_SCHEMA);
  });
  after(() => t.close());

  const rule = (id: string, condition: unknown) => ({
    definition: {
      id,
      name: '沙箱测试',
      form: 'customer',
      trigger: { type: 'record_created' },
      condition,
      actions: [{ type: 'notify', channel: 'in_app', to: [{ type: 'owner' }], title: '命中' }],
    },
  });

  for (const [title, condition] of REFUSED) {
    it(`refuses ${title} when the rule is saved, saying where`, async () => {
      const before = await as.get<unknown[]>(`/api/apps/${appId}/rules`);
      const response = await as.post<Problem>(
        `/api/apps/${appId}/rules`,
        rule('hostile', condition),
      );
      assert.equal(response.status, 400, JSON.stringify(response.body).slice(0, 500));
      assert.ok(
        response.body.errors.some((e) => e.path.startsWith('definition.condition')),
        JSON.stringify(response.body.errors).slice(0, 500),
      );
      assert.deepEqual((await as.get<unknown[]>(`/api/apps/${appId}/rules`)).body, before.body);
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    });
  }

  it('runs an allowed but nasty rule in bounded time: nested quantifiers over a long input', async () => {
    const saved = await as.post<{ id: string }>(
      `/api/apps/${appId}/rules`,
      rule('nested_quantifiers', { regex_match: [{ var: 'company_name' }, '^(a+)+$'] }),
    );
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
    const started = Date.now();
    const tested = await as.post<{ matched: boolean }>(`/api/rules/${saved.body.id}/test`, {
      record: { company_name: `${'a'.repeat(20_000)}!` },
    });
    assert.equal(tested.status, 200, JSON.stringify(tested.body));
    assert.equal(tested.body.matched, false);
    assert.ok(Date.now() - started < 5_000, 'answered without catastrophic backtracking');
    const health = await as.get('/api/health');
    assert.equal(health.status, 200);
  });
});
