import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { buildAuditPackFiles } from './auditPack';
import { sha256Hex } from './hash';
import { makeBundle } from './__testUtils__/bundle';

const { bundle } = makeBundle(5);

function writePack(files: Record<string, Uint8Array | string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-pack-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** The README's shell snippets, in order. */
function shellBlocks(readme: string): string[] {
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map(m => m[1]);
}

const has = (cmd: string, arg = '--version') =>
  spawnSync(cmd, [arg]).status === 0;
const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('buildAuditPackFiles', () => {
  const files = buildAuditPackFiles(bundle);

  it('contains the exact canonical bytes, proofs and checkpoint', () => {
    const names = Object.keys(files).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'README.md',
        'bundle.json',
        'checkpoint.txt',
        'public-key.txt',
        'verify_pack.py',
      ]),
    );
    bundle.records.forEach((r, i) => {
      const bytes = files[`records/${i + 1}-${r.hash}.json`] as Uint8Array;
      expect(new TextDecoder().decode(bytes)).toBe(r.canonical);
      expect(sha256Hex(bytes)).toBe(r.hash);
      expect(JSON.parse(files[`proofs/${i + 1}.json`] as string)).toMatchObject(
        {
          seq: i + 1,
          leafIndex: r.leafIndex,
        },
      );
    });
    expect(files['checkpoint.txt']).toBe(bundle.checkpoint);
    expect(JSON.parse(files['bundle.json'] as string)).toEqual(bundle);
  });

  it('refuses record hashes that are not hex (they become file names)', () => {
    const bad = JSON.parse(JSON.stringify(bundle));
    bad.records[0].hash = '../../etc/passwd';
    expect(() => buildAuditPackFiles(bad)).toThrow(TypeError);
  });
});

const tools = ['python3', 'bash', 'sha256sum', 'openssl'];
const toolsPresent = tools.every(t =>
  has(t, t === 'openssl' ? 'version' : '--version'),
);

(toolsPresent ? describe : describe.skip)(
  `audit pack README with ${tools.join(', ')}`,
  () => {
    const files = buildAuditPackFiles(bundle);
    const [hashes, links, signature] = shellBlocks(
      files['README.md'] as string,
    );

    it('verifies with the README instructions and standard tools only', () => {
      const dir = writePack(files);
      const py = run('python3', ['verify_pack.py', '.'], dir);
      expect(py.out).toContain('5 records, 0 failed');
      expect(py.status).toBe(0);
      const h = run('bash', ['-c', hashes], dir);
      expect(h.out.match(/^ok /gm)).toHaveLength(5);
      expect(h.out).not.toContain('FAIL');
      const l = run('bash', ['-c', links], dir);
      expect(l.out.match(/^ok /gm)).toHaveLength(5);
      expect(l.out).not.toContain('FAIL');
      expect(run('bash', ['-c', signature], dir).out).toContain(
        'Signature Verified Successfully',
      );
    });

    it('the same instructions catch tampering', () => {
      const dir = writePack(files);
      const record = fs
        .readdirSync(path.join(dir, 'records'))
        .find(f => f.startsWith('3-'))!;
      const file = path.join(dir, 'records', record);
      fs.writeFileSync(
        file,
        fs.readFileSync(file, 'utf8').replace('"passed":30', '"passed":31'),
      );
      const py = run('python3', ['verify_pack.py', '.'], dir);
      expect(py.status).toBe(1);
      expect(py.out).toMatch(
        /FAIL record 3 .*differs from its file name.*inclusion proof does not lead/,
      );
      expect(run('bash', ['-c', hashes], dir).out).toContain(
        `FAIL records/${record}`,
      );
      fs.writeFileSync(
        path.join(dir, 'checkpoint.txt'),
        (files['checkpoint.txt'] as string).replace(
          /\n(\d+)\n/,
          (_, n) => `\n${Number(n) + 1}\n`,
        ),
      );
      expect(run('bash', ['-c', signature], dir).out).not.toContain(
        'Signature Verified Successfully',
      );
    });
  },
);

(has('python3') ? describe : describe.skip)(
  'audit pack of a checkpoint that commits to entity heads',
  () => {
    const bound = makeBundle(5, undefined, { heads: true }).bundle;

    it('carries the head proof, documents the format and verifies', () => {
      const files = buildAuditPackFiles(bound);
      expect(JSON.parse(files['proofs/head.json'] as string)).toMatchObject({
        head: { seq: 5, hash: bound.records[4].hash },
      });
      expect(files['README.md']).toContain(
        'assay-heads/v1 <count> <base64 root>',
      );
      expect(files['README.md']).toContain('[entityRef, seq, hash]');
      const py = run('python3', ['verify_pack.py', '.'], writePack(files));
      expect(py.out).toMatch(/^ok {3}head/m);
      expect(py.out).toContain('5 records, 0 failed');
      expect(py.status).toBe(0);
    });

    it('verify_pack.py names a pack whose newest record was removed', () => {
      const truncated = JSON.parse(JSON.stringify(bound));
      truncated.records.pop();
      const py = run(
        'python3',
        ['verify_pack.py', '.'],
        writePack(buildAuditPackFiles(truncated)),
      );
      expect(py.out).toMatch(
        /FAIL head truncated: the checkpoint commits to head #5 but the records end at #4/,
      );
      expect(py.status).toBe(1);
    });

    it('verify_pack.py rejects a head proof that is not in the signed heads tree', () => {
      const forged = JSON.parse(JSON.stringify(bound));
      forged.records.pop();
      forged.headProof.head.seq = 4;
      forged.headProof.head.hash = forged.records[3].hash;
      const py = run(
        'python3',
        ['verify_pack.py', '.'],
        writePack(buildAuditPackFiles(forged)),
      );
      expect(py.out).toMatch(
        /FAIL head the head proof does not lead to the heads root/,
      );
      expect(py.status).toBe(1);
    });
  },
);
