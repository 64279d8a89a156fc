import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import evidencePlugin from '@assay/plugin-evidence-backend';
import { run } from './program';
import { captureContext } from './__testUtils__/fakeEvidenceServer';

jest.setTimeout(120_000);

const ENTITY = 'component:default/payments';

async function startBackend() {
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'payments', namespace: 'default' },
            spec: { owner: 'user:default/mock', type: 'service' },
          },
        ],
      }),
      mockServices.rootConfig.factory({
        data: { backend: { baseUrl: 'http://localhost:7007' } },
      }),
    ],
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const append = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${url}/api/evidence/v1/records`, {
        method: 'POST',
        headers: {
          authorization: mockCredentials.user.header(),
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          entityRef: ENTITY,
          category: 'tests',
          summary: { run: i },
        }),
      });
      expect(res.status).toBe(201);
    }
  };
  const env = { ASSAY_URL: url, ASSAY_TOKEN: mockCredentials.user.token() };
  return { url, append, env };
}

describe('assay evidence verify, streaming and incremental', () => {
  it('streams the bundle, then re-verifies only the new records from the state file', async () => {
    const { url, append, env } = await startBackend();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-cli-state-'));
    const state = path.join(dir, 'state.json');
    await append(3);

    // the bundle the backend streams: one record per line, valid JSON
    const res = await fetch(
      `${url}/api/evidence/v1/entities/component/default/payments/bundle`,
      { headers: { authorization: mockCredentials.user.header() } },
    );
    const text = await res.text();
    expect(text.split('\n')[0]).toMatch(/"records":\[$/);
    expect(JSON.parse(text).records).toHaveLength(3);
    const file = path.join(dir, 'bundle.json');
    fs.writeFileSync(file, text);
    const offline = captureContext({});
    expect(
      await run(['evidence', 'verify', '--bundle', file], offline.ctx),
    ).toBe(0);
    expect(offline.out.join('\n')).toMatch(/all 3 records/);
    // a cut-off stream is not a bundle
    fs.writeFileSync(file, text.split('\n').slice(0, 3).join('\n'));
    const cut = captureContext({});
    expect(await run(['evidence', 'verify', '--bundle', file], cut.ctx)).toBe(
      1,
    );
    expect(cut.err.join('\n')).toMatch(/ends before the records do/);

    // the streamed layout's fast path (native hashes, batched proofs) still
    // names every kind of tampering in a record line
    const lines = text.split('\n');
    const tampered = (edit: (record: any) => void) => {
      const copy = [...lines];
      const comma = copy[2].endsWith(',');
      const record = JSON.parse(comma ? copy[2].slice(0, -1) : copy[2]);
      edit(record);
      copy[2] = `${JSON.stringify(record)}${comma ? ',' : ''}`;
      fs.writeFileSync(file, copy.join('\n'));
      const c = captureContext({});
      return run(['evidence', 'verify', '--bundle', file], c.ctx).then(
        code => ({ code, text: c.text() }),
      );
    };
    const foreign = Buffer.alloc(32, 9).toString('base64');
    for (const [edit, reason] of [
      [
        (r: any) => {
          r.inclusionProof[0] = foreign;
        },
        /record #2 \(leaf \d+\) is not included/,
      ],
      [
        (r: any) => {
          r.inclusionProof[r.inclusionProof.length - 1] = foreign;
        },
        /record #2 \(leaf \d+\) is not included/,
      ],
      [
        (r: any) => {
          r.inclusionProof.push(foreign);
        },
        /record #2 \(leaf \d+\) is not included/,
      ],
      [
        (r: any) => {
          r.canonical = r.canonical.replace('"run":1', '"run":7');
        },
        /hash mismatch/,
      ],
      [
        (r: any) => {
          r.hash = 'ab'.repeat(32);
        },
        /hash mismatch/,
      ],
      [
        (r: any) => {
          r.canonical = r.canonical.replace('{"artifacts"', '{ "artifacts"');
        },
        /canonical form/,
      ],
    ] as const) {
      const result = await tampered(edit);
      expect(result.code).toBe(1);
      expect(result.text).toMatch(reason);
    }
    fs.writeFileSync(file, text);

    // first run with --state: a full pass that remembers the head
    const first = captureContext(env);
    const args = ['evidence', 'verify', '--entity', ENTITY, '--state', state];
    expect(await run(args, first.ctx)).toBe(0);
    expect(first.out.join('\n')).toMatch(/all 3 records/);
    const remembered = JSON.parse(fs.readFileSync(state, 'utf8'));
    expect(remembered).toMatchObject({ entityRef: ENTITY, head: { seq: 3 } });

    // later: only the suffix
    await append(2);
    const second = captureContext(env);
    expect(await run(args, second.ctx)).toBe(0);
    expect(second.out.join('\n')).toMatch(/2 new records after #3, head #5/);
    expect(JSON.parse(fs.readFileSync(state, 'utf8')).head.seq).toBe(5);

    // a remembered head the server's records do not link to
    const forged = JSON.parse(fs.readFileSync(state, 'utf8'));
    forged.head = { ...forged.head, seq: 4 };
    fs.writeFileSync(state, JSON.stringify(forged));
    await append(1);
    const linked = captureContext(env);
    expect(await run(args, linked.ctx)).toBe(1);
    // (the remembered head itself is checked first: #4 is not what it says)
    expect(linked.err.join('\n')).toMatch(
      /record #5 .*sequence|previousHash|head replaced: .* was #4 /,
    );

    // a remembered checkpoint the log does not extend
    const other = JSON.parse(fs.readFileSync(state, 'utf8'));
    other.head = remembered.head;
    other.treeSize = remembered.treeSize;
    other.rootHash = Buffer.alloc(32, 7).toString('base64');
    fs.writeFileSync(state, JSON.stringify(other));
    const inconsistent = captureContext(env);
    expect(await run(args, inconsistent.ctx)).toBe(1);
    expect(inconsistent.err.join('\n')).toMatch(/not an append-only extension/);

    // a state file for another entity is refused
    fs.writeFileSync(
      state,
      JSON.stringify({ ...remembered, entityRef: 'component:default/x' }),
    );
    const wrong = captureContext(env);
    expect(await run(args, wrong.ctx)).toBe(1);
    expect(wrong.err.join('\n')).toMatch(/remembers component:default\/x/);
  });
});
