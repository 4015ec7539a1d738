import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createApp, CUSTOMER_SCHEMA, type FormInfo, publishForm } from './support/forms.js';
import { HttpClient, type Problem, type Session } from './support/http.js';
import { fixture, uploadFile } from './support/imports.js';
import { signupOwner } from './support/people.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 11, battery item 10: hostile uploads are refused early with a clear,
 * located error, and nothing of them is kept.
 */
describe('uploads: path traversal, zip bombs, XML entities and 10^7 rows are refused early', () => {
  let t: TestApp;
  let owner: Session;
  let form: FormInfo;
  let db: pg.Client;

  before(async () => {
    t = await startTestApp();
    const http = new HttpClient(t.baseUrl);
    owner = await signupOwner(http);
    const as = http.as(owner.accessToken);
    form = await publishForm(
      as,
      await createApp(as),
      'customer',
      { 'zh-CN': '客户', en: 'Customer' },
      CUSTOMER_SCHEMA,
    );
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  const importsKept = async () =>
    Number((await db.query(`SELECT count(*) AS n FROM import_job`)).rows[0].n);

  const hostile = [
    { file: 'traversal.xlsx', status: 400, code: 'UNSAFE_ZIP_ENTRY' },
    { file: 'zip-bomb.xlsx', status: 413, code: 'ZIP_BOMB' },
    { file: 'zip-bomb-lying.xlsx', status: 413, code: 'ZIP_BOMB' },
    { file: 'xxe.xlsx', status: 400, code: 'XML_ENTITIES' },
  ];
  for (const c of hostile) {
    it(`refuses ${c.file} with ${c.status} ${c.code} at the file, keeping nothing`, async () => {
      const before = await importsKept();
      const response = await uploadFile(
        t.baseUrl,
        owner.accessToken,
        form.id,
        c.file,
        await fixture(c.file),
      );
      assert.equal(response.status, c.status, JSON.stringify(response.body));
      const problem = response.body as unknown as Problem;
      assert.equal(problem.errors[0]?.path, 'file');
      assert.equal(problem.errors[0]?.code, c.code);
      assert.equal(await importsKept(), before);
    });
  }

  /**
   * Posts a multipart upload exactly as given (fetch's FormData would strip a
   * path from the file name), streaming `rows` copies of `line` after the
   * head; stops sending as soon as the server answers.
   */
  function postRaw(fileName: string, head: string, line: Buffer, rows: number) {
    const boundary = `----trellis${Date.now()}`;
    const start = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n${head}`,
    );
    const perChunk = Math.min(rows, 10_000);
    const chunk = Buffer.concat(Array.from({ length: perChunk }, () => line));
    const total = start.length + rows * line.length;
    let sent = 0;
    let answered = false;
    return new Promise<{ status: number; body: string; sent: number; total: number }>(
      (resolve, reject) => {
        const req = httpRequest(
          `${t.baseUrl}/api/forms/${form.id}/imports`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${owner.accessToken}`,
              'content-type': `multipart/form-data; boundary=${boundary}`,
              connection: 'close',
            },
          },
          (response) => {
            answered = true;
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (d: string) => (body += d));
            response.on('end', () => {
              resolve({ status: response.statusCode ?? 0, body, sent, total });
              // a polite client: end the (now truncated) upload and let the connection close
              req.end();
            });
          },
        );
        req.on('error', (error) => {
          if (!answered) reject(error);
        });
        req.write(start);
        sent += start.length;
        let written = 0;
        const pump = () => {
          while (written < rows && !answered) {
            written += perChunk;
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          if (!answered) req.end(`\r\n--${boundary}--\r\n`);
        };
        pump();
      },
    );
  }

  it('refuses a file name that climbs out of its folder', async () => {
    const before = await importsKept();
    const answer = await postRaw(
      '../../etc/客户.csv',
      '公司名称,联系人\n',
      Buffer.from('上海启明信息技术有限公司,张伟\n'),
      1,
    );
    assert.equal(answer.status, 400, answer.body);
    const problem = JSON.parse(answer.body) as Problem;
    assert.equal(problem.errors[0]?.path, 'file.filename');
    assert.equal(problem.errors[0]?.code, 'UNSAFE_FILE_NAME');
    assert.equal(await importsKept(), before);
  });

  it('stops reading a CSV of 10,000,000 rows at the row limit, long before its end', async () => {
    const before = await importsKept();
    const answer = await postRaw(
      'huge.csv',
      '公司名称,联系人\n',
      Buffer.from('上海启明信息技术有限公司,张伟\n'),
      10_000_000,
    );
    assert.equal(answer.status, 413, answer.body);
    const problem = JSON.parse(answer.body) as Problem;
    assert.equal(problem.errors[0]?.path, 'file');
    assert.equal(problem.errors[0]?.code, 'TOO_MANY_ROWS');
    assert.ok(
      answer.sent < answer.total / 2,
      `refused after ${answer.sent} of ${answer.total} bytes`,
    );
    assert.equal(await importsKept(), before);
  });
});
