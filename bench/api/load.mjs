// The load generator for bench/api, in its own process so that it shares an
// event loop with neither server. Options come as JSON in argv[2]; with
// `uniqueCreate` every request body is the create body with a fresh company
// name. Prints the autocannon summary as one JSON line.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

const {
  url,
  method = 'GET',
  headers = {},
  connections,
  duration,
  createBody,
} = JSON.parse(process.argv[2]);
let n = 0;
const uniqueBody = () =>
  JSON.stringify({
    ...createBody,
    values: { ...createBody.values, company_name: `压测客户${n++}-${randomUUID().slice(0, 8)}` },
  });
const options = { url, method, headers, connections, duration };
if (createBody !== undefined)
  options.requests = [{ method, setupRequest: (req) => ({ ...req, body: uniqueBody() }) }];
autocannon(options, (error, result) => {
  if (error) throw error;
  process.stdout.write(
    `${JSON.stringify({
      rate: result.requests.average,
      p50: result.latency.p50,
      non2xx: result.non2xx,
      errors: result.errors,
    })}\n`,
  );
});
