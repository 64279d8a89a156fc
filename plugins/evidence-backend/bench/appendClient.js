/* eslint-disable no-console */
// Load generator for bench/appends.ts, in its own process like real CI
// clients: `node appendClient.js <baseUrl> <authHeader> <total> <writers>`.
// node:http with a keep-alive agent (one connection per writer): about half
// the CPU per request of fetch (undici), which on a 2-core machine would
// otherwise take that CPU from the server being measured.
const http = require('node:http');

const [baseUrl, auth, totalArg, writersArg] = process.argv.slice(2);
const total = Number(totalArg);
const writers = Number(writersArg);
const entities = ['a', 'b', 'c', 'd'].map(x => `component:default/bench-${x}`);
const url = new URL(`${baseUrl}/records`);
const agent = new http.Agent({ keepAlive: true, maxSockets: writers });
let next = 0;
const failures = [];

function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: auth,
        },
      },
      res => {
        const chunks = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function writer() {
  for (;;) {
    const i = next++;
    if (i >= total) return;
    let res;
    try {
      res = await post(
        JSON.stringify({
          entityRef: entities[i % entities.length],
          category: 'tests',
          summary: { tests: i, failures: 0 },
          subject: { runId: `run-${i}` },
        }),
      );
    } catch (e) {
      failures.push(`request failed: ${e}`);
      continue;
    }
    if (res.status !== 201)
      failures.push(`${res.status} ${res.text.slice(0, 200)}`);
  }
}

const t0 = process.hrtime.bigint();
Promise.all(Array.from({ length: writers }, writer)).then(() => {
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({
      secs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      failures: failures.length,
      sample: failures.slice(0, 3),
    }),
  );
});
