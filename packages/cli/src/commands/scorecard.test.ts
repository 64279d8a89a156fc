import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  EvidenceEnvelope,
  envelopeBytes,
  recordHash,
  sha256Hex,
} from '@assay/plugin-evidence-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  checkSetDigest,
  compactResult,
  DEFAULT_CHECKS,
  recordedResult,
  entityFacts,
  evaluateEntity,
  evidenceFacts,
} from '@assay/plugin-scorecards-common';
import { run } from '../program';
import { zipAuditPack } from './export';

const REF = 'component:default/service-a';

function chain() {
  const out: { envelope: EvidenceEnvelope; hash: string }[] = [];
  const items: [string, Record<string, number>][] = [
    ['tests', { tests: 10, failures: 0, errors: 0 }],
    ['coverage', { linePct: 88 }],
    ['sast', { error: 0 }],
    ['sbom', { critical: 0, high: 1 }],
  ];
  items.forEach(([category, summary], i) => {
    const envelope: EvidenceEnvelope = {
      v: 1,
      entityRef: REF,
      seq: i + 1,
      category,
      summary,
      payloadDigest: null,
      artifacts: [],
      producer: 'service:ci',
      producedAt: '2026-11-28T00:00:00.000Z',
      recordedAt: '2026-11-28T00:00:00.000Z',
      previousHash: i ? out[i - 1].hash : null,
    };
    out.push({ envelope, hash: recordHash(envelope) });
  });
  return out;
}

function setup() {
  const records = chain();
  const entity = {
    kind: 'Component',
    metadata: {
      name: 'service-a',
      namespace: 'default',
      annotations: {
        'assay.dev/compliance-mode': 'compliance',
        'assay.dev/mesh-mtls': 'STRICT',
      },
    },
    spec: { owner: 'payments-team', system: 'example-service' },
  };
  const stored = evaluateEntity({
    entityRef: REF,
    mode: 'compliance',
    checks: DEFAULT_CHECKS,
    facts: { ...entityFacts(entity), ...evidenceFacts(records) },
    waivers: [],
    maxEvidenceAgeDays: 30,
    now: '2026-11-30T00:00:00.000Z',
    headSeq: records.length,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-replay-'));
  const files: Record<string, Uint8Array | string> = {
    'bundle.json': JSON.stringify({ entityRef: REF }),
  };
  for (const r of records) {
    files[`records/${r.envelope.seq}-${r.hash}.json`] = envelopeBytes(
      r.envelope,
    );
  }
  fs.writeFileSync(path.join(dir, 'pack.zip'), zipAuditPack(files));
  const resultFile = path.join(dir, 'result.json');
  fs.writeFileSync(resultFile, JSON.stringify(stored));
  return { dir, pack: path.join(dir, 'pack.zip'), resultFile, stored, files };
}

function ctx() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    ctx: {
      env: {},
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
    },
  };
}

describe('assay scorecard replay', () => {
  it('matches a stored result recomputed from the audit pack', async () => {
    const { pack, resultFile, stored } = setup();
    const c = ctx();
    expect(
      await run(
        ['scorecard', 'replay', '--pack', pack, '--result', resultFile],
        c.ctx,
      ),
    ).toBe(0);
    expect(c.out).toContain(
      `stored    level ${stored.level}, score ${stored.score}, result ${stored.resultHash}`,
    );
    expect(c.out.at(-1)).toMatch(/^MATCH/);
  });

  it('reports a mismatch when the stored result claims more than the evidence gives', async () => {
    const { pack, resultFile, stored } = setup();
    const forged = {
      ...stored,
      checks: stored.checks.map(ch =>
        ch.id === 'sbom-no-critical-high'
          ? { ...ch, status: 'pass', reason: 'ok' }
          : ch,
      ),
    };
    fs.writeFileSync(resultFile, JSON.stringify(forged));
    const c = ctx();
    expect(
      await run(
        ['scorecard', 'replay', '--pack', pack, '--result', resultFile],
        c.ctx,
      ),
    ).toBe(1);
    expect(
      c.out.some(l =>
        l.startsWith(
          '  differs sbom-no-critical-high: stored pass (ok), replayed fail',
        ),
      ),
    ).toBe(true);
    expect(c.out.at(-1)).toMatch(/^MISMATCH/);
  });

  it('refuses a pack whose record bytes do not hash to their names', async () => {
    const { dir, resultFile, files } = setup();
    const name = Object.keys(files).find(n => n.startsWith('records/2-'))!;
    const tampered = {
      ...files,
      [name]: Buffer.from(files[name] as Uint8Array)
        .toString('utf8')
        .replace('"linePct":88', '"linePct":98'),
    };
    const pack = path.join(dir, 'tampered.zip');
    fs.writeFileSync(pack, zipAuditPack(tampered));
    const c = ctx();
    expect(
      await run(
        ['scorecard', 'replay', '--pack', pack, '--result', resultFile],
        c.ctx,
      ),
    ).toBe(1);
    expect(c.err.join('\n')).toContain(
      `${name}: its bytes do not hash to the hash in its name`,
    );
  });
});

describe('assay scorecard replay of a compliance record (compact or recorded result)', () => {
  const digest = checkSetDigest(DEFAULT_CHECKS);
  let server: http.Server;
  let base: string;
  const served: string[] = [];
  let serveChecks: unknown = DEFAULT_CHECKS;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      served.push(`${req.url} ${req.headers.authorization ?? ''}`);
      if (req.url === `/api/scorecards/v1/check-sets/${digest}`) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ digest, checks: serveChecks }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => server.close(r)));

  function payloadFile() {
    const s = setup();
    fs.writeFileSync(
      s.resultFile,
      JSON.stringify({
        actor: 'plugin:scorecards',
        result: compactResult(s.stored),
      }),
    );
    return s;
  }

  it('fetches the check set the record names and matches', async () => {
    served.length = 0;
    serveChecks = DEFAULT_CHECKS;
    const { pack, resultFile } = payloadFile();
    const c = ctx();
    c.ctx.env = { ASSAY_URL: base, ASSAY_TOKEN: 't0k' };
    expect(
      await run(
        ['scorecard', 'replay', '--pack', pack, '--result', resultFile],
        c.ctx,
      ),
    ).toBe(0);
    expect(served).toEqual([
      `/api/scorecards/v1/check-sets/${digest} Bearer t0k`,
    ]);
    expect(c.out).toContain(
      `checks    set ${digest} (${DEFAULT_CHECKS.length} definitions; they hash to the digest the result names)`,
    );
    expect(c.out.at(-1)).toMatch(/^MATCH/);
  });

  it('refuses a served check set that does not hash to the digest', async () => {
    // e.g. a laxer rule for the check the entity fails
    serveChecks = DEFAULT_CHECKS.map(ch =>
      ch.id === 'sbom-no-critical-high'
        ? { ...ch, rule: { fact: 'entity.kind', exists: true } }
        : ch,
    );
    const { pack, resultFile } = payloadFile();
    const c = ctx();
    c.ctx.env = { ASSAY_URL: base };
    expect(
      await run(
        ['scorecard', 'replay', '--pack', pack, '--result', resultFile],
        c.ctx,
      ),
    ).toBe(1);
    expect(c.err.join('\n')).toContain(
      'cannot replay: the check set does not hash to the digest the result names',
    );
    serveChecks = DEFAULT_CHECKS;
  });

  it('reads the check set from a file (offline)', async () => {
    const { dir, pack, resultFile, stored } = payloadFile();
    const checks = path.join(dir, 'checks.json');
    fs.writeFileSync(
      checks,
      JSON.stringify({ digest, checks: DEFAULT_CHECKS }),
    );
    const c = ctx();
    c.ctx.env = { ASSAY_URL: 'http://127.0.0.1:1' }; // not reachable: not used
    expect(
      await run(
        [
          'scorecard',
          'replay',
          '--pack',
          pack,
          '--result',
          resultFile,
          '--checks',
          checks,
        ],
        c.ctx,
      ),
    ).toBe(0);
    expect(c.out).toContain(
      `stored    level ${stored.level}, score ${stored.score}, result ${stored.resultHash}`,
    );
    expect(c.out.at(-1)).toMatch(/^MATCH/);
  });

  /**
   * A pack that also holds the compliance record carrying the recorded
   * result (its envelope commits to the payload's digest), and the payload
   * file, as `GET /api/evidence/v1/records/{hash}/artifacts/{digest}` gives it.
   */
  function recordedPayload(
    edit: (r: ReturnType<typeof recordedResult>) => unknown = r => r,
  ) {
    const s = setup();
    const payload = Buffer.from(
      JSON.stringify({
        actor: 'plugin:scorecards',
        result: recordedResult(s.stored),
      }),
    );
    const last = Object.keys(s.files)
      .filter(n => n.startsWith('records/'))
      .sort()
      .at(-1)!;
    const envelope: EvidenceEnvelope = {
      v: 1,
      entityRef: REF,
      seq: 5,
      category: 'compliance',
      summary: { resultHash: s.stored.resultHash, level: s.stored.level },
      payloadDigest: `sha256:${sha256Hex(payload)}`,
      artifacts: [],
      producer: 'plugin:scorecards',
      producedAt: '2026-11-30T00:00:00.000Z',
      recordedAt: '2026-11-30T00:00:00.000Z',
      previousHash: last.slice(last.indexOf('-') + 1, -'.json'.length),
    };
    const hash = recordHash(envelope);
    const files = {
      ...s.files,
      [`records/5-${hash}.json`]: envelopeBytes(envelope),
    };
    fs.writeFileSync(s.pack, zipAuditPack(files));
    const edited = edit(recordedResult(s.stored));
    fs.writeFileSync(
      s.resultFile,
      edited === undefined
        ? payload
        : JSON.stringify({ actor: 'plugin:scorecards', result: edited }),
    );
    const checks = path.join(s.dir, 'checks.json');
    fs.writeFileSync(
      checks,
      JSON.stringify({ digest, checks: DEFAULT_CHECKS }),
    );
    return { ...s, checks, hash };
  }

  it('replays a recorded result (status per check only) from its record in the pack', async () => {
    const { pack, resultFile, checks, stored, hash } = recordedPayload(
      () => undefined, // the payload's exact bytes
    );
    const c = ctx();
    c.ctx.env = { ASSAY_URL: 'http://127.0.0.1:1' }; // offline: --checks
    expect(
      await run(
        [
          'scorecard',
          'replay',
          '--pack',
          pack,
          '--result',
          resultFile,
          '--checks',
          checks,
        ],
        c.ctx,
      ),
    ).toBe(0);
    expect(c.out).toContain(
      `record    the payload of compliance record 5 (${hash}) in the pack`,
    );
    expect(c.out.some(l => l.startsWith('form      recorded:'))).toBe(true);
    expect(c.out).toContain(
      `stored    level ${stored.level}, score ${stored.score}, result ${stored.resultHash}`,
    );
    expect(c.out).toContain(
      `replayed  level ${stored.level}, score ${stored.score}, result ${stored.resultHash}`,
    );
    expect(c.out.at(-1)).toMatch(/^MATCH/);
  });

  it('fetches the check set a recorded result names', async () => {
    served.length = 0;
    serveChecks = DEFAULT_CHECKS;
    const { pack, resultFile } = recordedPayload(() => undefined);
    const c = ctx();
    c.ctx.env = { ASSAY_URL: base };
    expect(
      await run(
        ['scorecard', 'replay', '--pack', pack, '--result', resultFile],
        c.ctx,
      ),
    ).toBe(0);
    expect(served).toEqual([`/api/scorecards/v1/check-sets/${digest} `]);
    serveChecks = DEFAULT_CHECKS.slice(1);
    const refused = ctx();
    refused.ctx.env = { ASSAY_URL: base };
    expect(
      await run(
        ['scorecard', 'replay', '--pack', pack, '--result', resultFile],
        refused.ctx,
      ),
    ).toBe(1);
    expect(refused.err.join('\n')).toContain(
      'cannot replay: the check set does not hash to the digest the result names',
    );
    serveChecks = DEFAULT_CHECKS;
  });

  it('reports a recorded status the evidence does not give', async () => {
    const { pack, resultFile, checks } = recordedPayload(r => ({
      ...r,
      checks: r.checks.map(ch =>
        ch.id === 'sbom-no-critical-high' ? { ...ch, status: 'pass' } : ch,
      ),
    }));
    const c = ctx();
    expect(
      await run(
        [
          'scorecard',
          'replay',
          '--pack',
          pack,
          '--result',
          resultFile,
          '--checks',
          checks,
        ],
        c.ctx,
      ),
    ).toBe(1);
    expect(c.out).toContain(
      '  differs sbom-no-critical-high: recorded pass, replayed fail (evidence.sbom.high is 1 (needs ≤ 0))',
    );
    // edited: no longer the bytes the record commits to
    expect(
      c.out.some(l =>
        l.startsWith('record    not the payload of a record in the pack'),
      ),
    ).toBe(true);
    expect(c.out.at(-1)).toMatch(/^MISMATCH/);
  });
});
