// in-process API + import of a file; prints memory by phase
import { openAsBlob } from 'node:fs';
import pg from 'pg';
const root = '/work/main';
const { loadConfig } = await import(`${root}/apps/api/dist/src/config/app-config.js`);
const { createLogger } = await import(`${root}/apps/api/dist/src/common/logging/logger.js`);
const { createHttpApp } = await import(`${root}/apps/api/dist/src/http-app.js`);
const { startRuntime } = await import(`${root}/apps/api/dist/src/runtime.js`);
const { BENCH_FORM } = await import(`${root}/bench/import/form.mjs`);
const url = 'postgres://postgres@127.0.0.1:5432/trellis_memprobe';
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
await admin.query('DROP DATABASE IF EXISTS trellis_memprobe WITH (FORCE)');
await admin.query('CREATE DATABASE trellis_memprobe');
await admin.end();
const config = loadConfig({
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: url,
  JWT_SECRET: 'x'.repeat(40),
  LOG_LEVEL: 'warn',
  TRELLIS_TEMPLATE: 'skip',
  TRELLIS_DATA_DIR: '/tmp/memprobe',
});
const runtime = await startRuntime(config, createLogger(config));
const app = await createHttpApp(runtime);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
const mem = (label) => {
  const m = process.memoryUsage();
  console.log(
    label,
    'rss',
    (m.rss / 1e6).toFixed(0),
    'heap',
    (m.heapUsed / 1e6).toFixed(0),
    'heapTotal',
    (m.heapTotal / 1e6).toFixed(0),
    'ext',
    (m.external / 1e6).toFixed(0),
    'ab',
    (m.arrayBuffers / 1e6).toFixed(0),
  );
};
mem('idle');
const call = async (method, path, token, body) => {
  const r = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: 'Bearer ' + token } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.json();
};
const s = await call('POST', '/api/auth/signup', null, {
  email: 'a@b.cn',
  password: 'Qiming-CRM-2026!',
  name: '张伟',
  workspaceName: 'x',
});
const t = s.accessToken;
const appR = await call('POST', '/api/apps', t, { name: 'crm' });
const form = await call('POST', `/api/apps/${appR.id}/forms`, t, {
  key: 'customer',
  name: '客户',
  schema: BENCH_FORM,
});
await call('POST', `/api/forms/${form.id}/publish`, t);
const fd = new FormData();
fd.append('file', await openAsBlob(process.argv[2]), 'c.csv');
const up = await (
  await fetch(`${base}/api/forms/${form.id}/imports`, {
    method: 'POST',
    headers: { authorization: 'Bearer ' + t },
    body: fd,
  })
).json();
mem('after upload');
await call('PUT', `/api/imports/${up.id}/mapping`, t, {
  ...up.suggestedMapping,
  matchKeys: [{ field: 'phone' }],
});
await call('POST', `/api/imports/${up.id}/commit`, t, { mode: 'skip_bad_rows' });
for (;;) {
  const b = await call('GET', `/api/imports/${up.id}`, t);
  mem(`${b.status} ${b.progress?.phase} ${b.progress?.processedRows}`);
  if (b.status !== 'running') break;
  await new Promise((r) => setTimeout(r, 1000));
}
await app.close();
await runtime.stop();
process.exit(0);
