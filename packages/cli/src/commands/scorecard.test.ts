import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  buildAuditPackFiles,
  canonicalJson,
  EvidenceEnvelope,
  recordHash,
  sha256Hex,
  verifierKeyFromSignerKey,
} from '@assay/plugin-evidence-common';
import {
  CheckDefinition,
  checkSetDigest,
  compactResult,
  DEFAULT_CHECKS,
  EntityResult,
  entityFacts,
  evaluateEntity,
  evidenceFacts,
  recordedResult,
  Waiver,
} from '@assay/plugin-scorecards-common';
import { FakeLog, captureContext } from '../__testUtils__/fakeEvidenceServer';
import { run } from '../program';
import { zipAuditPack } from './export';

const REF = 'component:default/service-a';
const SCORECARDS = 'service:plugin:scorecards';
const NOW = '2026-11-30T00:00:00.000Z';
const digest = checkSetDigest(DEFAULT_CHECKS);

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

/** CI evidence of the entity in a log (seq 1-4), each record by `service:ci`. */
function ciLog() {
  const log = new FakeLog();
  const items: [string, Record<string, number>][] = [
    ['tests', { tests: 10, failures: 0, errors: 0 }],
    ['coverage', { linePct: 88 }],
    ['sast', { error: 0 }],
    ['sbom', { critical: 0, high: 1 }],
  ];
  for (const [category, summary] of items) {
    log.append(
      { entityRef: REF, category, summary, producedAt: '2026-11-28T00:00:00Z' },
      'service:ci',
    );
  }
  return log;
}

const recordsOf = (log: FakeLog) =>
  log.rows
    .filter(r => r.env.entityRef === REF)
    .map(r => ({ envelope: r.env, hash: r.hash }));

/** What the scorecards engine computes over the log's records now. */
function evaluate(
  log: FakeLog,
  opts: {
    waivers?: Waiver[];
    checks?: CheckDefinition[];
    headSeq?: number;
  } = {},
): EntityResult {
  const records = recordsOf(log);
  return evaluateEntity({
    entityRef: REF,
    mode: 'compliance',
    checks: opts.checks ?? DEFAULT_CHECKS,
    facts: { ...entityFacts(entity), ...evidenceFacts(records) },
    waivers: opts.waivers ?? [],
    maxEvidenceAgeDays: 30,
    now: NOW,
    headSeq: opts.headSeq ?? records.length,
  });
}

const payloadBytes = (result: unknown) =>
  Buffer.from(JSON.stringify({ actor: 'plugin:scorecards', result }));

/** Appends the record whose payload is `payload` (as the evidence backend commits to it). */
function appendPayload(
  log: FakeLog,
  payload: Buffer,
  category = 'compliance',
  producer = SCORECARDS,
) {
  return log.append(
    {
      entityRef: REF,
      category,
      summary: { actor: 'plugin:scorecards' },
      payloadDigest: `sha256:${sha256Hex(payload)}`,
      producedAt: NOW,
    },
    producer,
  );
}

function tmp() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-replay-'));
  const file = (name: string, content: string | Uint8Array) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };
  return { dir, file };
}

const packOf = (log: FakeLog) => buildAuditPackFiles(log.bundle(REF));

/**
 * A genuine decision: the CI records, then the compliance record the
 * scorecards plugin wrote of the result over them, in a pack whose chain
 * and checkpoint verify; the payload file is the record's payload bytes.
 */
function genuine(form: 'recorded' | 'compact' = 'recorded') {
  const log = ciLog();
  const stored = evaluate(log);
  const payload = payloadBytes(
    form === 'recorded' ? recordedResult(stored) : compactResult(stored),
  );
  const row = appendPayload(log, payload);
  const t = tmp();
  return {
    ...t,
    log,
    stored,
    row,
    payload,
    pack: t.file('pack.zip', zipAuditPack(packOf(log))),
    resultFile: t.file('payload.json', payload),
    checks: t.file(
      'checks.json',
      JSON.stringify({ digest, checks: DEFAULT_CHECKS }),
    ),
  };
}

/** `--pack <pack> --result <result> --checks <checks>` */
const replayArgs = (pack: string, result: string, checks: string) => [
  '--pack',
  pack,
  '--result',
  result,
  '--checks',
  checks,
];

async function replay(args: string[], env: Record<string, string> = {}) {
  const c = captureContext({ ASSAY_URL: 'http://127.0.0.1:1', ...env });
  const code = await run(['scorecard', 'replay', ...args], c.ctx);
  return { code, ...c };
}

/** The reviewer's forgery: made-up approved waivers for every failing check. */
function forgedWaivers(log: FakeLog): EntityResult {
  const honest = evaluate(log);
  const waivers: Waiver[] = honest.checks
    .filter(c => c.status !== 'pass')
    .map(c => ({
      id: `w-${c.id}`,
      entityRef: REF,
      checkId: c.id,
      reason: 'trust me',
      expiresAt: '2027-01-01T00:00:00.000Z',
      status: 'approved',
      requestedBy: 'user:default/mallory',
      requestedAt: NOW,
      decidedBy: 'user:default/mallory',
      decidedAt: NOW,
    }));
  return evaluate(log, { waivers });
}

describe('assay scorecard replay', () => {
  it('MATCH (exit 0) for the payload of a compliance record of the scorecards plugin in a verified pack', async () => {
    const { pack, resultFile, checks, stored, row } = genuine();
    const r = await replay(replayArgs(pack, resultFile, checks));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `record    the payload of compliance record 5 (${row.hash}) written by ${SCORECARDS}`,
    );
    expect(r.out.some(l => l.startsWith('pack      5 records of'))).toBe(true);
    expect(r.out.some(l => l.startsWith('form      recorded:'))).toBe(true);
    expect(r.out).toContain(
      `replayed  level ${stored.level}, score ${stored.score}, result ${stored.resultHash}`,
    );
    expect(r.out.at(-1)).toBe(
      'MATCH: the decision recorded in compliance record 5 is exactly what the evidence and the checks give',
    );
  });

  it('also reads an unpacked pack directory and pins the checkpoint key', async () => {
    const { dir, log, resultFile, checks } = genuine();
    const files = packOf(log);
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, 'unpacked', name)), {
        recursive: true,
      });
      fs.writeFileSync(path.join(dir, 'unpacked', name), content);
    }
    const key = verifierKeyFromSignerKey(log.signerKey);
    const args = replayArgs(path.join(dir, 'unpacked'), resultFile, checks);
    const pinned = await replay([...args, '--public-key', key]);
    expect(pinned.code).toBe(0);
    expect(pinned.out.some(l => l.endsWith('(matches --public-key)'))).toBe(
      true,
    );
    // another log's key: the pack is not the one trusted
    const other = verifierKeyFromSignerKey(new FakeLog().signerKey);
    const wrongKey = await replay(args, { ASSAY_PUBLIC_KEY: other });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.out.at(-1)).toMatch(
      /^UNVERIFIED: the bundle's checkpoint key .* is not the pinned key/,
    );
  });

  it('UNVERIFIED (exit 1) for a result rebuilt with made-up approved waivers (bronze → gold)', async () => {
    const { dir, pack, checks, stored } = genuine();
    const forged = forgedWaivers(ciLog());
    expect(stored.level).not.toBe('gold');
    expect(forged.level).toBe('gold');
    expect(forged.score).toBe(100);
    const file = path.join(dir, 'forged.json');
    fs.writeFileSync(file, payloadBytes(recordedResult(forged)));
    const r = await replay(replayArgs(pack, file, checks));
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toMatch(
      /^UNVERIFIED: the file is not the payload of any record in the pack \(it hashes to sha256:[0-9a-f]{64}\)$/,
    );
    expect(r.out.some(l => /^MATCH/.test(l))).toBe(false);
  });

  it('UNVERIFIED when the forged bytes are the payload of a tests record written by CI', async () => {
    const log = ciLog();
    const forged = payloadBytes(recordedResult(forgedWaivers(log)));
    const row = appendPayload(log, forged, 'tests', 'service:ci');
    const t = tmp();
    const r = await replay(
      replayArgs(
        t.file('pack.zip', zipAuditPack(packOf(log))),
        t.file('forged.json', forged),
        t.file('checks.json', JSON.stringify(DEFAULT_CHECKS)),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toBe(
      `UNVERIFIED: it is the payload of tests record 5 (${row.hash}), not of a compliance record`,
    );
  });

  it('UNVERIFIED when a compliance record with the payload was not written by the scorecards plugin', async () => {
    const log = ciLog();
    const forged = payloadBytes(recordedResult(forgedWaivers(log)));
    appendPayload(log, forged, 'compliance', 'user:default/mallory');
    const t = tmp();
    const r = await replay(
      replayArgs(
        t.file('pack.zip', zipAuditPack(packOf(log))),
        t.file('forged.json', forged),
        t.file('checks.json', JSON.stringify(DEFAULT_CHECKS)),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toMatch(
      /^UNVERIFIED: compliance record 5 \([0-9a-f]{64}\) was written by user:default\/mallory, not by the scorecards plugin \(service:plugin:scorecards\)$/,
    );
  });

  it('UNVERIFIED for a lax check set given with --checks and named by digest in a forged payload', async () => {
    const { dir, pack } = genuine();
    const lax = DEFAULT_CHECKS.map(ch => ({
      ...ch,
      rule: { fact: 'entity.kind', exists: true } as const,
    }));
    const forged = evaluate(ciLog(), { checks: lax });
    expect(forged.level).toBe('gold');
    const checks = path.join(dir, 'lax.json');
    fs.writeFileSync(checks, JSON.stringify(lax));
    const file = path.join(dir, 'forged.json');
    fs.writeFileSync(file, payloadBytes(recordedResult(forged)));
    const r = await replay(replayArgs(pack, file, checks));
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toMatch(
      /^UNVERIFIED: the file is not the payload of any record in the pack/,
    );
  });

  it('UNVERIFIED for a made-up compliance envelope added to the pack zip', async () => {
    const { log, checks } = genuine();
    const forged = payloadBytes(recordedResult(forgedWaivers(ciLog())));
    const last = log.rows.at(-1)!;
    const envelope: EvidenceEnvelope = {
      ...last.env,
      seq: 6,
      payloadDigest: `sha256:${sha256Hex(forged)}`,
      previousHash: last.hash,
    };
    const hash = recordHash(envelope);
    const files = {
      ...packOf(log),
      [`records/6-${hash}.json`]: canonicalJson(envelope),
    };
    const t = tmp();
    const r = await replay(
      replayArgs(
        t.file('pack.zip', zipAuditPack(files)),
        t.file('forged.json', forged),
        checks,
      ),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `  unverified records/6-${hash}.json: not a record of the pack's bundle.json (which the chain and the checkpoint cover)`,
    );
    expect(r.out.at(-1)).toMatch(/^UNVERIFIED: records\/6-/);
  });

  it('UNVERIFIED when the made-up record is also put in bundle.json (the checkpoint does not cover it)', async () => {
    const { log, checks } = genuine();
    const forged = payloadBytes(recordedResult(forgedWaivers(ciLog())));
    const bundle = log.bundle(REF);
    const last = log.rows.at(-1)!;
    const envelope: EvidenceEnvelope = {
      ...last.env,
      seq: 6,
      payloadDigest: `sha256:${sha256Hex(forged)}`,
      previousHash: last.hash,
    };
    bundle.records.push({
      leafIndex: 5,
      hash: recordHash(envelope),
      canonical: canonicalJson(envelope),
      inclusionProof: bundle.records.at(-1)!.inclusionProof,
    });
    const t = tmp();
    const r = await replay(
      replayArgs(
        t.file('pack.zip', zipAuditPack(buildAuditPackFiles(bundle))),
        t.file('forged.json', forged),
        checks,
      ),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'pack      does NOT verify (run assay evidence verify --bundle ' +
        `${path.join(t.dir, 'pack.zip')})`,
    );
    expect(r.out.at(-1)).toMatch(/^UNVERIFIED: the pack does not verify: /);
  });

  it('UNVERIFIED when a record of the pack was tampered with (its chain breaks)', async () => {
    const { log, resultFile, checks } = genuine();
    log.rows[1].env = {
      ...log.rows[1].env,
      summary: { linePct: 98 },
    };
    log.rows[1].canonical = canonicalJson(log.rows[1].env);
    log.rows[1].hash = recordHash(log.rows[1].env);
    const t = tmp();
    const r = await replay(
      replayArgs(
        t.file('pack.zip', zipAuditPack(packOf(log))),
        resultFile,
        checks,
      ),
    );
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toMatch(/^UNVERIFIED: the pack does not verify: /);
  });

  it('UNVERIFIED when a records/ file does not hash to its name', async () => {
    const { log, resultFile, checks } = genuine();
    const files = packOf(log);
    const name = Object.keys(files).find(n => n.startsWith('records/2-'))!;
    files[name] = Buffer.from(files[name] as Uint8Array)
      .toString('utf8')
      .replace('"linePct":88', '"linePct":98');
    const t = tmp();
    const r = await replay(
      replayArgs(t.file('pack.zip', zipAuditPack(files)), resultFile, checks),
    );
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toBe(
      `UNVERIFIED: ${name}: its bytes do not hash to the hash in its name`,
    );
  });

  it('UNVERIFIED when the result cites records at or after its own record', async () => {
    const log = ciLog();
    // claims to have read up to seq 5, which is its own record
    const stored = evaluate(log, { headSeq: 5 });
    const payload = payloadBytes(recordedResult(stored));
    appendPayload(log, payload);
    const t = tmp();
    const r = await replay(
      replayArgs(
        t.file('pack.zip', zipAuditPack(packOf(log))),
        t.file('payload.json', payload),
        t.file('checks.json', JSON.stringify(DEFAULT_CHECKS)),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toBe(
      'UNVERIFIED: the result reads records up to seq 5, not all before its compliance record 5',
    );
  });

  it('MISMATCH (exit 1) for a recorded decision the evidence does not give', async () => {
    const log = ciLog();
    const stored = evaluate(log);
    const wrong = recordedResult(stored);
    wrong.checks = wrong.checks.map(ch =>
      ch.id === 'sbom-no-critical-high' ? { ...ch, status: 'pass' } : ch,
    );
    const payload = payloadBytes(wrong);
    appendPayload(log, payload);
    const t = tmp();
    const r = await replay(
      replayArgs(
        t.file('pack.zip', zipAuditPack(packOf(log))),
        t.file('payload.json', payload),
        t.file('checks.json', JSON.stringify(DEFAULT_CHECKS)),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      '  differs sbom-no-critical-high: recorded pass, replayed fail (evidence.sbom.high is 1 (needs ≤ 0))',
    );
    expect(r.out.at(-1)).toMatch(/^MISMATCH/);
  });

  it('refuses a bare result without --unbound; with it says MATCH (not bound to a recorded decision)', async () => {
    const { dir, pack, stored } = genuine();
    const file = path.join(dir, 'result.json');
    fs.writeFileSync(file, JSON.stringify(stored));
    const refused = await replay(['--pack', pack, '--result', file]);
    expect(refused.code).toBe(1);
    expect(refused.out).toEqual([
      `UNVERIFIED: ${file} is a bare result, not a compliance record's payload ({ actor, result }): nothing binds it to a recorded decision (pass --unbound to replay it anyway)`,
    ]);
    const unbound = await replay([
      '--pack',
      pack,
      '--result',
      file,
      '--unbound',
    ]);
    expect(unbound.code).toBe(0);
    expect(unbound.out).toContain(
      'record    none: --unbound (the result is not a record payload)',
    );
    expect(unbound.out.at(-1)).toBe(
      'MATCH (not bound to a recorded decision): the result is what the evidence and the checks give, but no verified compliance record of the scorecards plugin in the pack records it',
    );
    // a forged payload with --unbound: still never a plain MATCH
    const forged = path.join(dir, 'forged.json');
    fs.writeFileSync(forged, JSON.stringify(forgedWaivers(ciLog())));
    const f = await replay(['--pack', pack, '--result', forged, '--unbound']);
    expect(f.code).toBe(0);
    expect(f.out.at(-1)).toMatch(/^MATCH \(not bound to a recorded decision\)/);
  });

  it('reports a bare result that does not match with --unbound', async () => {
    const { dir, pack, stored } = genuine();
    const forged = {
      ...stored,
      checks: stored.checks.map(ch =>
        ch.id === 'sbom-no-critical-high'
          ? { ...ch, status: 'pass', reason: 'ok' }
          : ch,
      ),
    };
    const file = path.join(dir, 'result.json');
    fs.writeFileSync(file, JSON.stringify(forged));
    const r = await replay(['--pack', pack, '--result', file, '--unbound']);
    expect(r.code).toBe(1);
    expect(
      r.out.some(l =>
        l.startsWith(
          '  differs sbom-no-critical-high: stored pass (ok), replayed fail',
        ),
      ),
    ).toBe(true);
    expect(r.out.at(-1)).toMatch(/^MISMATCH/);
  });

  it('refuses a relabelled compact payload (form: recorded) naming the field, exit 1', async () => {
    const log = ciLog();
    const stored = evaluate(log);
    const relabelled = { form: 'recorded', ...compactResult(stored) };
    const payload = payloadBytes(relabelled);
    appendPayload(log, payload);
    const t = tmp();
    const r = await replay(
      replayArgs(
        t.file('pack.zip', zipAuditPack(packOf(log))),
        t.file('payload.json', payload),
        t.file('checks.json', JSON.stringify(DEFAULT_CHECKS)),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(
      /^error: not a scorecards result: result\.checks\.0\.(level|weight|reason|facts|evidence): not allowed in a recorded result$/,
    );
    expect(r.out.at(-1)).toMatch(/^UNVERIFIED: not a scorecards result: /);
  });

  it('UNVERIFIED for a pack of another entity than --entity; exit 2 for an invalid --entity', async () => {
    const { pack, resultFile, checks } = genuine();
    const args = ['--pack', pack, '--result', resultFile, '--checks', checks];
    const same = await replay([
      ...args,
      '--entity',
      'Component:default/service-a',
    ]);
    expect(same.code).toBe(0);
    const other = await replay([
      ...args,
      '--entity',
      'component:default/service-b',
    ]);
    expect(other.code).toBe(1);
    expect(other.out.at(-1)).toBe(
      `UNVERIFIED: --entity component:default/service-b: the pack is for ${REF}`,
    );
    const invalid = await replay([...args, '--entity', 'not a ref']);
    expect(invalid.code).toBe(2);
    expect(invalid.err.join('\n')).toMatch(/^error: --entity: /);
  });

  it('exit 2 when the pack or the result cannot be read', async () => {
    const { dir, pack, checks } = genuine();
    const noPack = await replay([
      '--pack',
      path.join(dir, 'missing.zip'),
      '--result',
      checks,
    ]);
    expect(noPack.code).toBe(2);
    expect(noPack.err.join('\n')).toContain('cannot read');
    const noResult = await replay([
      '--pack',
      pack,
      '--result',
      path.join(dir, 'missing.json'),
    ]);
    expect(noResult.code).toBe(2);
    expect(noResult.err.join('\n')).toContain(
      `cannot read ${path.join(dir, 'missing.json')}`,
    );
  });
});

describe('assay scorecard replay against the backend (check sets, entity API)', () => {
  let server: http.Server;
  let base: string;
  const served: string[] = [];
  let serveChecks: unknown = DEFAULT_CHECKS;
  let entityResult: unknown;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      served.push(`${req.url} ${req.headers.authorization ?? ''}`);
      res.setHeader('content-type', 'application/json');
      if (req.url === `/api/scorecards/v1/check-sets/${digest}`) {
        res.end(JSON.stringify({ digest, checks: serveChecks }));
      } else if (
        req.url === '/api/scorecards/v1/entities/component/default/service-a'
      ) {
        res.end(JSON.stringify(entityResult));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => server.close(r)));

  it('fetches the check set a compact record names and matches', async () => {
    served.length = 0;
    serveChecks = DEFAULT_CHECKS;
    const { pack, resultFile } = genuine('compact');
    const r = await replay(['--pack', pack, '--result', resultFile], {
      ASSAY_URL: base,
      ASSAY_TOKEN: 't0k',
    });
    expect(r.code).toBe(0);
    expect(served).toEqual([
      `/api/scorecards/v1/check-sets/${digest} Bearer t0k`,
    ]);
    expect(r.out).toContain(
      `checks    set ${digest} (${DEFAULT_CHECKS.length} definitions; they hash to the digest the result names)`,
    );
    expect(r.out.at(-1)).toMatch(/^MATCH: the decision recorded in/);
  });

  it('refuses a served check set that does not hash to the digest (exit 1)', async () => {
    // e.g. a laxer rule for the check the entity fails
    serveChecks = DEFAULT_CHECKS.map(ch =>
      ch.id === 'sbom-no-critical-high'
        ? { ...ch, rule: { fact: 'entity.kind', exists: true } }
        : ch,
    );
    for (const form of ['compact', 'recorded'] as const) {
      const { pack, resultFile } = genuine(form);
      const r = await replay(['--pack', pack, '--result', resultFile], {
        ASSAY_URL: base,
      });
      expect(r.code).toBe(1);
      expect(r.err.join('\n')).toContain(
        'cannot replay: the check set does not hash to the digest the result names',
      );
      expect(r.out.at(-1)).toMatch(/^UNVERIFIED: cannot replay: /);
    }
    serveChecks = DEFAULT_CHECKS;
  });

  it('exit 2 when the check set cannot be fetched', async () => {
    const { pack, resultFile } = genuine();
    const r = await replay(['--pack', pack, '--result', resultFile], {
      ASSAY_URL: `${base}/nowhere`,
    });
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/^error: GET .* failed with 404/);
  });

  it("replays the entity API's result only with --unbound", async () => {
    const { pack, stored } = genuine();
    entityResult = stored;
    served.length = 0;
    const refused = await replay(['--pack', pack], { ASSAY_URL: base });
    expect(refused.code).toBe(1);
    expect(refused.out.at(-1)).toMatch(
      /^UNVERIFIED: the entity API's result is not a recorded decision/,
    );
    expect(served).toEqual([]);
    const r = await replay(['--pack', pack, '--unbound'], {
      ASSAY_URL: base,
    });
    expect(r.code).toBe(0);
    expect(served).toEqual([
      '/api/scorecards/v1/entities/component/default/service-a ',
    ]);
    expect(r.out.at(-1)).toMatch(/^MATCH \(not bound to a recorded decision\)/);
  });
});
