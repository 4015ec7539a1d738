// The anchor for bench/api: a bare Fastify server running, with pg, the same
// statements the API runs for a list, a create and a stage transition. It runs
// in its own process, like the API, so that neither side shares an event loop
// with the load generator. Configuration comes as JSON in argv[2]; it prints
// "listening <url>" once ready.
import Fastify from 'fastify';
import pg from 'pg';

const config = JSON.parse(process.argv[2]);
const { databaseUrl, table, columns, memberId, workspaceId, formId, appId, deep } = config;
const pool = new pg.Pool({ connectionString: databaseUrl, max: 16 });
const app = Fastify({ logger: false });

const listSql = (
  cursor,
) => `SELECT t.id, t.version, t.owner_id, t.created_by, t.created_at, t.updated_at, t.stage, t.stage_entered_at, t.is_draft, t.submitted_at, t.deleted_at, t.flow_snapshot, ${columns}, t.amount AS "__sort"
    FROM ${table} t WHERE t.deleted_at IS NULL AND (NOT t.is_draft OR t.created_by = $1::uuid) AND TRUE AND t."level" = $2::text ${cursor ? `AND (t.amount < $3::numeric OR (t.amount = $3::numeric AND t.id < $4::uuid))` : ''}
    ORDER BY t.amount DESC, t.id DESC LIMIT 51`;

app.get('/list', async () => (await pool.query(listSql(false), [memberId, 'vip'])).rows);
app.get(
  '/deep',
  async () => (await pool.query(listSql(true), [memberId, 'vip', deep.amount, deep.id])).rows,
);

/** Runs `work` in one transaction on one pooled client. */
async function inTransaction(work) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

const lockForm = (client) =>
  client.query(`SELECT published_version FROM form WHERE workspace_id = $1 AND id = $2 FOR SHARE`, [
    workspaceId,
    formId,
  ]);

// the statements one create runs, in one transaction, as the API runs them
app.post('/create', async (request) =>
  inTransaction(async (client) => {
    await lockForm(client);
    const v = request.body.values;
    const {
      rows: [created],
    } = await client.query(
      `INSERT INTO ${table} (owner_id, created_by, is_draft, submitted_at, search_text, search_grams, company_name, contact_name, phone, email, level, status, source, industry, city, amount, employees, rating, signed_on, next_follow_up, remark)
       VALUES ($1, $1, false, now(), $2, $3::text[], $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::numeric, $14::numeric, $15::numeric, $16::date, $17::timestamptz, $18) RETURNING id`,
      [
        memberId,
        v.company_name,
        [v.company_name],
        v.company_name,
        v.contact_name,
        v.phone,
        v.email,
        v.level,
        v.status,
        v.source,
        v.industry,
        v.city,
        v.amount,
        v.employees,
        v.rating,
        v.signed_on,
        v.next_follow_up,
        v.remark,
      ],
    );
    const {
      rows: [record],
    } = await client.query(`SELECT * FROM ${table} t WHERE t.id = $1`, [created.id]);
    await client.query(
      `INSERT INTO record_history (workspace_id, form_id, record_id, version, kind, actor_member_id, changes) VALUES ($1, $2, $3, 1, 'create', $4, $5)`,
      [
        workspaceId,
        formId,
        created.id,
        memberId,
        JSON.stringify(Object.entries(v).map(([field, to]) => ({ field, from: null, to }))),
      ],
    );
    await client.query(
      `INSERT INTO outbox_event (workspace_id, app_id, form_id, record_id, type, payload, depth) VALUES ($1, $2, $3, $4, 'record.created', $5, 0)`,
      [workspaceId, appId, formId, created.id, JSON.stringify({ record: v })],
    );
    await client.query(`SELECT pg_notify('trellis_outbox', '')`);
    return record;
  }),
);

// the statements one stage transition runs: form share lock, record,
// compare-and-set update, history, outbox event
app.post('/move/:id', async (request, reply) => {
  const id = request.params.id;
  const to = `s${Number(request.body.event.slice(4)) + 1}`;
  return inTransaction(async (client) => {
    await lockForm(client);
    const {
      rows: [rec],
    } = await client.query(
      `SELECT * FROM ${table} t WHERE t.id = $1 AND (NOT t.is_draft OR t.created_by = $2) AND TRUE AND t.deleted_at IS NULL`,
      [id, memberId],
    );
    const updated = await client.query(
      `UPDATE ${table} AS t SET flow_snapshot = $1::jsonb, version = version + 1, updated_at = now(), stage = $2::text, stage_entered_at = now() WHERE t.id = $3::uuid AND t.version = $4 RETURNING t.*`,
      [JSON.stringify({ ...rec.flow_snapshot, state: to }), to, id, rec.version],
    );
    if (updated.rowCount !== 1) return reply.code(409).send({ code: 'VERSION_CONFLICT' });
    await client.query(
      `INSERT INTO record_history (workspace_id, form_id, record_id, version, kind, actor_member_id, changes, detail) VALUES ($1, $2, $3, $4, 'flow.transition', $5, $6, $7)`,
      [
        workspaceId,
        formId,
        id,
        rec.version + 1,
        memberId,
        JSON.stringify([{ field: 'stage', from: rec.stage, to }]),
        JSON.stringify({ to }),
      ],
    );
    await client.query(
      `INSERT INTO outbox_event (workspace_id, app_id, form_id, record_id, type, payload, depth) VALUES ($1, NULL, $2, $3, 'record.stage_changed', $4, 0)`,
      [workspaceId, formId, id, JSON.stringify({ from: rec.stage, to })],
    );
    await client.query(`SELECT pg_notify('trellis_outbox', '')`);
    return updated.rows[0];
  });
});

const shutdown = () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
process.on('SIGTERM', shutdown);
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening http://127.0.0.1:${app.server.address().port}`);
