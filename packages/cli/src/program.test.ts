import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { sha256Hex } from '@assay/plugin-evidence-common';
import { run } from './program';
import {
  captureContext,
  FakeLog,
  startFakeServer,
} from './__testUtils__/fakeEvidenceServer';

const ENTITY = 'component:default/payments';
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'assay-cli-'));

describe('assay evidence push', () => {
  it('posts the record with token, idempotency key and artifacts, and prints the result', async () => {
    const log = new FakeLog();
    const server = await startFakeServer(log);
    const dir = tmp();
    const report = path.join(dir, 'junit.xml');
    fs.writeFileSync(report, '<testsuites tests="3"/>');
    const { ctx, out, err } = captureContext({ ASSAY_TOKEN: 'secret-token' });
    try {
      const code = await run(
        [
          'evidence',
          'push',
          '--url',
          server.url,
          '--entity',
          'Component:payments',
          '--category',
          'tests',
          '--file',
          report,
          '--format',
          'junit',
          '--subject',
          'commit=abc123',
          '--subject',
          'environment=ci',
          '--summary',
          'passed=3',
          '--summary',
          'flaky=false',
          '--summary',
          'suite=unit=fast',
          '--idempotency-key',
          'run-42',
        ],
        ctx,
      );
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expect(server.seen).toHaveLength(1);
      const [req] = server.seen;
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/api/evidence/v1/records');
      expect(req.headers.authorization).toBe('Bearer secret-token');
      expect(req.headers['idempotency-key']).toBe('run-42');
      expect(req.headers['content-type']).toBe('application/json');
      const body = JSON.parse(req.body);
      expect(body).toEqual({
        entityRef: ENTITY,
        category: 'tests',
        subject: { commit: 'abc123', environment: 'ci' },
        summary: { passed: 3, flaky: false, suite: 'unit=fast' },
        producedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        artifacts: [
          {
            name: 'junit.xml',
            mediaType: 'application/xml',
            format: 'junit',
            contentBase64: Buffer.from('<testsuites tests="3"/>').toString(
              'base64',
            ),
          },
        ],
      });
      expect(out.join('\n')).toContain(`seq:       1`);
      expect(out.join('\n')).toContain(`hash:      ${log.rows[0].hash}`);
      expect(out.join('\n')).toContain('leafIndex: 0');
    } finally {
      await server.close();
    }
  });

  it('prints the server error message and exits 1 on a non-2xx answer', async () => {
    const server = await startFakeServer(new FakeLog(), (_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'You may not record evidence for this entity',
          },
        }),
      );
      return true;
    });
    const { ctx, err } = captureContext({ ASSAY_URL: server.url });
    try {
      const code = await run(
        ['evidence', 'push', '--entity', ENTITY, '--category', 'tests'],
        ctx,
      );
      expect(code).toBe(1);
      expect(err.join('\n')).toMatch(
        /403: You may not record evidence for this entity/,
      );
    } finally {
      await server.close();
    }
  });

  it('rejects bad input before calling the server', async () => {
    const server = await startFakeServer(new FakeLog());
    try {
      const bad = [
        ['--entity', 'payments', '--category', 'tests'],
        ['--entity', ENTITY, '--category', 'Tests'],
        ['--entity', ENTITY, '--category', 'tests', '--subject', 'branch=main'],
        ['--entity', ENTITY, '--category', 'tests', '--summary', 'novalue'],
        [
          '--entity',
          ENTITY,
          '--category',
          'tests',
          '--file',
          '/nonexistent/file',
        ],
        ['--entity', ENTITY, '--category', 'tests', '--format', 'pdf'],
        ['--category', 'tests'],
      ];
      for (const args of bad) {
        const { ctx, err } = captureContext();
        expect(
          await run(['evidence', 'push', '--url', server.url, ...args], ctx),
        ).toBe(1);
        expect(err.join('\n')).toMatch(/error/);
      }
      expect(server.seen).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('reports an unreachable server', async () => {
    const { ctx, err } = captureContext();
    const code = await run(
      [
        'evidence',
        'push',
        '--url',
        'http://127.0.0.1:1',
        '--entity',
        ENTITY,
        '--category',
        'tests',
      ],
      ctx,
    );
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1/);
  });
});

describe('assay evidence verify and export', () => {
  let log: FakeLog;
  let server: Awaited<ReturnType<typeof startFakeServer>>;

  beforeEach(async () => {
    log = new FakeLog();
    for (let i = 0; i < 4; i++) {
      for (const entityRef of [ENTITY, 'component:default/other']) {
        log.append({
          entityRef,
          category: 'tests',
          summary: { run: i },
          producedAt: '2025-06-01T11:00:00Z',
        });
      }
    }
    server = await startFakeServer(log);
  });

  afterEach(() => server.close());

  it('verifies an entity online', async () => {
    const { ctx, out, err } = captureContext({
      ASSAY_URL: server.url,
      ASSAY_TOKEN: 't',
    });
    expect(await run(['evidence', 'verify', '--entity', ENTITY], ctx)).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('\n')).toMatch(/chain: +4 records/);
    expect(out.join('\n')).toMatch(
      /inclusion: +4\/4 records in the checkpoint/,
    );
    expect(out.join('\n')).toContain(`OK: all 4 records of ${ENTITY} verify.`);
    expect(server.seen[0].url).toBe(
      '/api/evidence/v1/entities/component/default/payments/bundle',
    );
    expect(server.seen[0].headers.authorization).toBe('Bearer t');
  });

  it('accepts a pinned key that matches and refuses one that does not', async () => {
    const { ctx } = captureContext({ ASSAY_URL: server.url });
    const key = log.bundle(ENTITY).publicKey;
    expect(
      await run(
        ['evidence', 'verify', '--entity', ENTITY, '--public-key', key],
        ctx,
      ),
    ).toBe(0);
    const other = new FakeLog().bundle(ENTITY).publicKey;
    const pinnedWrong = captureContext({
      ASSAY_URL: server.url,
      ASSAY_PUBLIC_KEY: other,
    });
    expect(
      await run(['evidence', 'verify', '--entity', ENTITY], pinnedWrong.ctx),
    ).toBe(1);
    expect(pinnedWrong.err.join('\n')).toMatch(/is not the pinned key/);
  });

  it('names the first bad record when the server serves tampered evidence', async () => {
    log.rows[4].canonical = log.rows[4].canonical.replace('"run":2', '"run":7'); // seq 3 of ENTITY
    const { ctx, err } = captureContext({ ASSAY_URL: server.url });
    expect(await run(['evidence', 'verify', '--entity', ENTITY], ctx)).toBe(1);
    expect(err[0]).toMatch(/^FAILED: first bad record is #3: hash mismatch/);
    expect(err.join('\n')).toMatch(
      / {2}- record #3 \(leaf 4\) is not included/,
    );
  });

  it('prints the server message for an unknown entity', async () => {
    const { ctx, err } = captureContext({ ASSAY_URL: server.url });
    expect(
      await run(
        ['evidence', 'verify', '--entity', 'component:default/nope'],
        ctx,
      ),
    ).toBe(1);
    expect(err.join('\n')).toMatch(
      /404: No evidence recorded for component:default\/nope/,
    );
  });

  it('exports an audit pack that verifies offline, byte for byte', async () => {
    const dir = tmp();
    const zipPath = path.join(dir, 'pack.zip');
    const { ctx, out } = captureContext({ ASSAY_URL: server.url });
    expect(
      await run(['evidence', 'export', '--entity', ENTITY, '-o', zipPath], ctx),
    ).toBe(0);
    expect(out[0]).toMatch(/wrote .*pack\.zip: 4 records/);

    const files = unzipSync(fs.readFileSync(zipPath));
    const bundle = log.bundle(ENTITY);
    expect(Object.keys(files).sort()).toEqual(
      [
        'README.md',
        'bundle.json',
        'checkpoint.txt',
        'public-key.txt',
        'verify_pack.py',
        ...bundle.records.map((r, i) => `records/${i + 1}-${r.hash}.json`),
        ...bundle.records.map((_, i) => `proofs/${i + 1}.json`),
      ].sort(),
    );
    bundle.records.forEach((r, i) => {
      const bytes = files[`records/${i + 1}-${r.hash}.json`];
      expect(Buffer.from(bytes).toString('utf8')).toBe(r.canonical);
      expect(sha256Hex(bytes)).toBe(r.hash);
    });
    expect(Buffer.from(files['checkpoint.txt']).toString()).toBe(
      bundle.checkpoint,
    );
    expect(Buffer.from(files['public-key.txt']).toString()).toBe(
      `${bundle.publicKey}\n`,
    );
    expect(Buffer.from(files['README.md']).toString()).toContain('sha256sum');

    // offline, from the zip and from the extracted bundle.json
    const offline = captureContext();
    expect(
      await run(
        ['evidence', 'verify', '--entity', ENTITY, '--bundle', zipPath],
        offline.ctx,
      ),
    ).toBe(0);
    const json = path.join(dir, 'bundle.json');
    fs.writeFileSync(json, files['bundle.json']);
    expect(
      await run(['evidence', 'verify', '--bundle', json], captureContext().ctx),
    ).toBe(0);
    const wrongEntity = captureContext();
    expect(
      await run(
        [
          'evidence',
          'verify',
          '--entity',
          'component:default/other',
          '--bundle',
          json,
        ],
        wrongEntity.ctx,
      ),
    ).toBe(1);
    expect(wrongEntity.err.join('\n')).toMatch(
      /the bundle is for component:default\/payments/,
    );
  });

  it('detects a tampered audit pack offline', async () => {
    const dir = tmp();
    const json = path.join(dir, 'bundle.json');
    const bundle = log.bundle(ENTITY);
    bundle.records[1].inclusionProof[0] = bundle.records[0].inclusionProof[0];
    fs.writeFileSync(json, JSON.stringify(bundle));
    const { ctx, err } = captureContext();
    expect(await run(['evidence', 'verify', '--bundle', json], ctx)).toBe(1);
    expect(err[0]).toMatch(
      /^FAILED: first bad record is #2: record #2 \(leaf 2\) is not included/,
    );
  });

  it('refuses to export evidence that does not verify, unless forced', async () => {
    log.rows[0].canonical = `${log.rows[0].canonical} `;
    const dir = tmp();
    const zipPath = path.join(dir, 'pack.zip');
    const { ctx, err } = captureContext({ ASSAY_URL: server.url });
    expect(
      await run(['evidence', 'export', '--entity', ENTITY, '-o', zipPath], ctx),
    ).toBe(1);
    expect(err.join('\n')).toMatch(/Not writing an audit pack/);
    expect(fs.existsSync(zipPath)).toBe(false);
    const forced = captureContext({ ASSAY_URL: server.url });
    expect(
      await run(
        ['evidence', 'export', '--entity', ENTITY, '-o', zipPath, '--force'],
        forced.ctx,
      ),
    ).toBe(1);
    expect(fs.existsSync(zipPath)).toBe(true);
  });

  it('runs as the bin script', () => {
    const dir = tmp();
    const json = path.join(dir, 'bundle.json');
    fs.writeFileSync(json, JSON.stringify(log.bundle(ENTITY)));
    const bin = path.resolve(__dirname, '../bin/assay');
    const ok = spawnSync(
      process.execPath,
      [bin, 'evidence', 'verify', '--bundle', json],
      { encoding: 'utf8' },
    );
    expect(ok.stdout).toContain('OK: all 4 records');
    expect(ok.status).toBe(0);
    fs.writeFileSync(
      json,
      JSON.stringify({
        ...log.bundle(ENTITY),
        entityRef: 'component:default/other',
      }),
    );
    const bad = spawnSync(
      process.execPath,
      [bin, 'evidence', 'verify', '--bundle', json],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(1);
  });

  it('rejects a file that is not a bundle', async () => {
    const dir = tmp();
    const json = path.join(dir, 'x.json');
    fs.writeFileSync(json, '{"version":1}');
    const { ctx, err } = captureContext();
    expect(await run(['evidence', 'verify', '--bundle', json], ctx)).toBe(1);
    expect(err.join('\n')).toMatch(/malformed evidence bundle/);
  });
});
