import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EvidenceBundle } from '@assay/plugin-evidence-common';
import { run } from './program';
import { captureContext, FakeLog } from './__testUtils__/fakeEvidenceServer';

jest.setTimeout(120_000);

const ENTITY = 'component:default/payments';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-threads-'));

/** A log with 12 records of ENTITY (interleaved with another entity). */
function bundleOf(n = 12): EvidenceBundle {
  const log = new FakeLog();
  for (let i = 0; i < n; i++) {
    for (const entityRef of [ENTITY, 'component:default/other']) {
      log.append({
        entityRef,
        category: 'tests',
        summary: { passed: i, suite: 'unit' },
        producedAt: '2026-11-30T10:00:00Z',
      });
    }
  }
  return log.bundle(ENTITY);
}

/** The line layout the backend's /bundle streams: header, one record per line, `]}`. */
function streamedLines(bundle: EvidenceBundle): string[] {
  const { records, ...header } = bundle;
  const head = JSON.stringify({ ...header, records: [] }).slice(0, -2);
  return [
    head,
    ...records.map(
      (r, i) => `${JSON.stringify(r)}${i < records.length - 1 ? ',' : ''}`,
    ),
    ']}',
  ];
}

let fileNo = 0;
function write(text: string): string {
  const file = path.join(dir, `bundle-${++fileNo}.json`);
  fs.writeFileSync(file, text);
  return file;
}

async function verify(
  file: string,
  threads: number,
  rangeBytes?: number,
  env: Record<string, string> = {},
) {
  const c = captureContext(
    rangeBytes ? { ...env, ASSAY_VERIFY_RANGE_BYTES: String(rangeBytes) } : env,
  );
  let code: number;
  try {
    code = await run(
      ['evidence', 'verify', '--bundle', file, '--threads', String(threads)],
      c.ctx,
    );
  } catch (e) {
    code = -1;
    c.err.push(String(e));
  }
  return { code, text: c.text() };
}

/**
 * The one-thread verdict, and the same file verified in 2 threads with
 * ranges of one line, of about a third of the file, and the default.
 */
async function expectSameVerdict(file: string, ...moreRangeBytes: number[]) {
  const one = await verify(file, 1);
  const size = fs.statSync(file).size;
  for (const rangeBytes of [
    1,
    Math.ceil(size / 3),
    undefined,
    ...moreRangeBytes,
  ]) {
    const two = await verify(file, 2, rangeBytes);
    expect({ rangeBytes, ...two }).toEqual({ rangeBytes, ...one });
  }
  return one;
}

describe('assay evidence verify --threads', () => {
  const bundle = bundleOf();
  const lines = streamedLines(bundle);
  const text = (ls: string[]) => `${ls.join('\n')}\n`;
  // the record lines are lines[1..12]: 1 and 12 are the first and the last,
  // 6 is in the middle (a range boundary with one-line ranges; inside a
  // range of a third of the file)
  const record = (ls: string[], i: number) =>
    JSON.parse(ls[i].replace(/,$/, ''));
  const setRecord = (ls: string[], i: number, r: unknown) => {
    ls[i] = `${JSON.stringify(r)}${ls[i].endsWith(',') ? ',' : ''}`;
  };

  it('a good bundle verifies in worker threads as on one thread', async () => {
    const one = await expectSameVerdict(write(text(lines)));
    expect(one.code).toBe(0);
    expect(one.text).toMatch(/12 records/);
  });

  it.each([1, 5, 6, 12])(
    'an altered record on line %i fails the same',
    async i => {
      const ls = [...lines];
      const r = record(ls, i);
      r.canonical = r.canonical.replace('"unit"', '"unix"');
      setRecord(ls, i, r);
      const one = await expectSameVerdict(write(text(ls)));
      expect(one.code).toBe(1);
      expect(one.text).toMatch(/hash mismatch/);
    },
  );

  it.each([1, 6, 7])('a removed record on line %i fails the same', async i => {
    const ls = [...lines];
    ls.splice(i, 1);
    const one = await expectSameVerdict(write(text(ls)));
    expect(one.code).toBe(1);
    expect(one.text).toMatch(/sequence gap/);
  });

  it.each([1, 6, 11])(
    'records on lines %i and the next swapped fail the same',
    async i => {
      const ls = [...lines];
      const a = record(ls, i);
      const b = record(ls, i + 1);
      setRecord(ls, i, b);
      setRecord(ls, i + 1, a);
      const one = await expectSameVerdict(write(text(ls)));
      expect(one.code).toBe(1);
      expect(one.text).toMatch(/sequence gap/);
      expect(one.text).toMatch(/leaf indexes must increase/);
    },
  );

  it('records reordered in halves fail with the same leaf order messages', async () => {
    const ls = [lines[0], ...lines.slice(7, 13), ...lines.slice(1, 7), ']}'];
    const one = await expectSameVerdict(write(text(ls)));
    expect(one.code).toBe(1);
    expect(one.text.match(/leaf indexes must increase/g)?.length).toBe(6);
  });

  it.each([1, 6, 11])(
    'a duplicated record on line %i fails the same',
    async i => {
      const ls = [...lines];
      ls.splice(i + 1, 0, ls[i]);
      const one = await expectSameVerdict(write(text(ls)));
      expect(one.code).toBe(1);
      expect(one.text).toMatch(/duplicate or out-of-order sequence/);
    },
  );

  it('a truncated final range fails the same', async () => {
    const all = text(lines);
    const one = await expectSameVerdict(write(all.slice(0, all.length - 200)));
    expect(one.code).not.toBe(0);
    const cut = await expectSameVerdict(write(text(lines.slice(0, -3))));
    expect(cut.code).not.toBe(0);
    expect(cut.text).toMatch(/ends before the records do/);
  });

  it('an extra line after the records fails the same', async () => {
    const one = await expectSameVerdict(write(text([...lines, lines[3]])));
    expect(one.code).not.toBe(0);
    expect(one.text).toMatch(/unexpected content after the records/);
    // blank lines after the records are allowed
    expect((await expectSameVerdict(write(`${text(lines)}\n\n`))).code).toBe(0);
  });

  it('content after a blank line after the records fails the same', async () => {
    // a range starting after `]}` with a blank line (JSON.parse('') fails
    // there) must not hide the rest of the file
    const one = await expectSameVerdict(
      write(text([...lines, '', lines[3]])),
      3,
    );
    expect(one.code).toBe(1);
    expect(one.text).toMatch(/unexpected content after the records/);
    // many newlines, then a forged second document: with the default ranges
    // of 2 threads the second range starts in the newlines
    const body = text(lines);
    const forged = write(
      `${body}${'\n'.repeat(body.length)}${JSON.stringify({
        entityRef: 'component:default/other',
        records: [],
      })}\n`,
    );
    const oneThread = await verify(forged, 1);
    expect(oneThread.code).toBe(1);
    expect(oneThread.text).toMatch(/unexpected content after the records/);
    expect(await verify(forged, 2)).toEqual(oneThread);
    // not blank by the trim rule: a NUL, invalid UTF-8; blank: U+00A0, U+3000
    for (const tail of [Buffer.from('\0\n'), Buffer.from([10, 10, 0xff, 10])]) {
      const file = path.join(dir, `tail-${++fileNo}.json`);
      fs.writeFileSync(file, Buffer.concat([Buffer.from(`${body}\n\n`), tail]));
      expect((await expectSameVerdict(file, 3)).code).toBe(1);
    }
    expect(
      (await expectSameVerdict(write(`${body}\n\n\u00a0\u3000\n\n`), 3)).code,
    ).toBe(0);
  });

  it('a file without a header larger than the whole-document cap is refused', async () => {
    const env = { ASSAY_VERIFY_WHOLE_DOCUMENT_MAX_BYTES: '65536' };
    const file = write('\n'.repeat(100_000));
    for (const threads of [1, 2]) {
      const r = await verify(file, threads, undefined, env);
      expect(r.code).toBe(1);
      expect(r.text).toMatch(
        /does not start with a bundle header line .* larger than 65536 bytes/,
      );
    }
    // under the cap a pretty-printed bundle is still read whole
    const pretty = write(JSON.stringify(bundle, null, 2));
    expect((await verify(pretty, 2, undefined, env)).code).toBe(0);
  });

  it('workers close their file once (no warning with many ranges)', () => {
    const bin = path.resolve(__dirname, '../bin/assay');
    const r = spawnSync(
      process.execPath,
      [
        bin,
        'evidence',
        'verify',
        '--bundle',
        write(text(lines)),
        '--threads',
        '4',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, ASSAY_VERIFY_RANGE_BYTES: '1' },
      },
    );
    expect(r.stdout).toMatch(/OK: all 12 records/);
    expect(r.stderr).not.toMatch(/Warning|closed but not opened/);
    expect(r.status).toBe(0);
  });

  it('an unreadable record line is named with its number', async () => {
    const ls = [...lines];
    ls[7] = '{"leafIndex": 3,';
    const one = await expectSameVerdict(write(text(ls)));
    expect(one.text).toMatch(/\(record 7\) is not valid JSON/);
    const bad = [...lines];
    setRecord(bad, 9, { ...record(bad, 9), leafIndex: -1 });
    const two = await expectSameVerdict(write(text(bad)));
    expect(two.text).toMatch(
      /malformed evidence bundle: records\.8\.leafIndex/,
    );
  });

  it('a bad checkpoint fails the same', async () => {
    const forged = streamedLines({
      ...bundle,
      checkpoint: bundle.checkpoint.replace(/\n\n/, '\n\n\n'),
    });
    const one = await expectSameVerdict(write(text(forged)));
    expect(one.code).toBe(1);
    expect(one.text).toMatch(/checkpoint NOT verified|does not verify/);
  });

  it('a bad inclusion proof at a range boundary fails the same', async () => {
    const ls = [...lines];
    const r = record(ls, 7);
    r.inclusionProof[0] = record(ls, 3).inclusionProof[0];
    setRecord(ls, 7, r);
    const one = await expectSameVerdict(write(text(ls)));
    expect(one.code).toBe(1);
    expect(one.text).toMatch(/not included in the signed checkpoint/);
  });

  it('refuses a bad --threads value', async () => {
    const c = captureContext();
    const code = await run(
      ['evidence', 'verify', '--bundle', write(text(lines)), '--threads', '0'],
      c.ctx,
    );
    expect(code).not.toBe(0);
    expect(c.text()).toMatch(/--threads/);
  });
});
