/* eslint-disable no-console */
// Load generator for bench/appends.ts, in its own process like real CI
// clients: `node appendClient.js <baseUrl> <authHeader> <total> <writers>`.
const [baseUrl, auth, totalArg, writersArg] = process.argv.slice(2);
const total = Number(totalArg);
const writers = Number(writersArg);
const entities = ['a', 'b', 'c', 'd'].map(x => `component:default/bench-${x}`);
let next = 0;
const failures = [];

async function writer() {
  for (;;) {
    const i = next++;
    if (i >= total) return;
    const res = await fetch(`${baseUrl}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({
        entityRef: entities[i % entities.length],
        category: 'tests',
        summary: { tests: i, failures: 0 },
        subject: { runId: `run-${i}` },
      }),
    });
    const text = await res.text();
    if (res.status !== 201)
      failures.push(`${res.status} ${text.slice(0, 200)}`);
  }
}

const t0 = process.hrtime.bigint();
Promise.all(Array.from({ length: writers }, writer)).then(() => {
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(
    JSON.stringify({
      secs,
      failures: failures.length,
      sample: failures.slice(0, 3),
    }),
  );
});
