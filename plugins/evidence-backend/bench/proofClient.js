/* eslint-disable no-console */
// Sequential inclusion-proof requests from their own process, as a verifier
// (CLI, browser) calls them: one keep-alive connection, random leaves.
// `node proofClient.js <apiBaseUrl> <authHeader> <treeSize> <count> <warmup>`
// prints the latencies (ms) of the requests after the warm-up as JSON.
const http = require('node:http');

const [apiBase, auth, sizeArg, countArg, warmupArg] = process.argv.slice(2);
const treeSize = Number(sizeArg);
const count = Number(countArg);
const warmup = Number(warmupArg);
const base = new URL(apiBase);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(path) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        path: `${base.pathname}${path}`,
        headers: { authorization: auth },
      },
      res => {
        const chunks = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(
              new Error(`${path}: ${res.statusCode} ${body.slice(0, 200)}`),
            );
          } else {
            resolve(JSON.parse(body));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

(async () => {
  const latencies = [];
  for (let i = 0; i < warmup + count; i++) {
    const leaf = Math.floor(Math.random() * treeSize);
    const t = process.hrtime.bigint();
    const proof = await get(
      `/proofs/inclusion?leafIndex=${leaf}&treeSize=${treeSize}`,
    );
    const took = Number(process.hrtime.bigint() - t) / 1e6;
    if (proof.leafIndex !== leaf || !Array.isArray(proof.hashes)) {
      throw new Error(`unexpected answer for leaf ${leaf}`);
    }
    if (i >= warmup) latencies.push(took);
  }
  process.stdout.write(JSON.stringify({ latencies }));
  agent.destroy();
})().catch(e => {
  console.error(e);
  process.exit(1);
});
