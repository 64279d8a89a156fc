import {
  BundleRangeResult,
  BundleVerification,
  createBundleRangeVerifier,
  createBundleStitcher,
  createBundleVerifier,
  EvidenceBundle,
  EvidenceBundleRecord,
  MalformedBundleRecordError,
} from './bundle';
import { canonicalJson } from './canonical';
import { recordHash } from './envelope';
import { makeBundle } from './__testUtils__/bundle';

/** One pass over all records (what the CLI does on one thread). */
function single(bundle: EvidenceBundle): BundleVerification {
  const { records, ...header } = bundle;
  const v = createBundleVerifier(header);
  for (const r of records) v.add(r);
  return v.finish();
}

/**
 * The records cut at `cuts` (indexes where a new range starts), each range
 * verified on its own — as a worker thread does, through a structured clone —
 * and joined in order.
 */
function ranged(bundle: EvidenceBundle, cuts: number[]): BundleVerification {
  const { records, ...header } = bundle;
  const stitcher = createBundleStitcher(header);
  const starts = [0, ...cuts.filter(c => c > 0 && c < records.length)];
  const results: BundleRangeResult[] = starts.map((start, k) => {
    const end = k + 1 < starts.length ? starts[k + 1] : records.length;
    const range = createBundleRangeVerifier({
      entityRef: stitcher.entityRef,
      checkpoint: stitcher.checkpoint,
      first: k === 0,
    });
    for (const r of records.slice(start, end)) range.add(r);
    return structuredClone(range.finish());
  });
  for (const r of results) stitcher.add(r);
  return stitcher.finish();
}

/** Every single cut, every range of one record, and a few random cuttings. */
function cuttings(n: number): number[][] {
  const out: number[][] = [[]];
  for (let c = 1; c < n; c++) out.push([c]);
  out.push(Array.from({ length: n }, (_, i) => i));
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let t = 0; t < 10; t++) {
    out.push(
      Array.from({ length: n }, (_, i) => i).filter(i => i > 0 && rnd() < 0.3),
    );
  }
  return out;
}

function expectSameEverywhere(bundle: EvidenceBundle, ok: boolean) {
  const expected = single(bundle);
  expect(expected.ok).toBe(ok);
  for (const cuts of cuttings(bundle.records.length)) {
    expect({ cuts, result: ranged(bundle, cuts) }).toEqual({
      cuts,
      result: expected,
    });
  }
  return expected;
}

function tampered(edit: (records: EvidenceBundleRecord[]) => void) {
  const { bundle } = makeBundle(9, undefined, { heads: true });
  edit(bundle.records);
  return bundle;
}

describe('bundle ranges (verification split over threads)', () => {
  it('a good bundle verifies the same whatever the cutting', () => {
    const { bundle } = makeBundle(9, undefined, { heads: true });
    const r = expectSameEverywhere(bundle, true);
    expect(r.heads?.bound).toBe(true);
    expect(r.chain).toEqual({
      ok: true,
      checked: 9,
      headHash: bundle.records[8].hash,
    });
  });

  // each tamper at every position: in the middle of a range, first and last
  // record of a range (every cutting above puts a boundary next to it)
  const positions = [0, 1, 4, 7, 8];

  it.each(positions)('an altered record #%i fails the same', k => {
    const bundle = tampered(rs => {
      rs[k].canonical = rs[k].canonical.replace('"unit"', '"unix"');
    });
    const r = expectSameEverywhere(bundle, false);
    expect(r.chain.ok).toBe(false);
    expect(r.failures.map(f => f.reason).join('\n')).toMatch(/hash mismatch/);
  });

  it.each(positions)(
    'a record #%i rewritten and re-hashed fails the same (link and inclusion)',
    k => {
      const bundle = tampered(rs => {
        const env = JSON.parse(rs[k].canonical);
        env.summary.passed = 999;
        rs[k].canonical = canonicalJson(env);
        rs[k].hash = recordHash(env);
      });
      const r = expectSameEverywhere(bundle, false);
      expect(r.failures.map(f => f.reason).join('\n')).toMatch(
        /not included in the signed checkpoint/,
      );
      // the next record's link names it (the last one has no next record)
      expect(r.chain.ok ? '' : r.chain.firstBad.reason).toMatch(
        k < 8 ? /previousHash does not match record/ : /^$/,
      );
    },
  );

  it.each(positions)('a removed record #%i fails the same', k => {
    const bundle = tampered(rs => rs.splice(k, 1));
    const r = expectSameEverywhere(bundle, false);
    expect(r.failures.map(f => f.reason).join('\n')).toMatch(
      k === 8 ? /head|truncat|newest/i : /sequence gap/,
    );
  });

  it.each(positions.filter(k => k < 8))(
    'records #%i and the next swapped fail the same',
    k => {
      const bundle = tampered(rs => {
        [rs[k], rs[k + 1]] = [rs[k + 1], rs[k]];
      });
      const r = expectSameEverywhere(bundle, false);
      const reasons = r.failures.map(f => f.reason).join('\n');
      expect(reasons).toMatch(/sequence gap/);
      expect(reasons).toMatch(/leaf indexes must increase/);
    },
  );

  // a range whose records ascend among themselves but not above the leaf
  // index reached before it: one pass names every such record
  it.each([
    [
      'halves swapped',
      (rs: EvidenceBundleRecord[]) => rs.push(...rs.splice(0, 5)),
    ],
    ['reversed', (rs: EvidenceBundleRecord[]) => rs.reverse()],
    [
      'the last three moved first',
      (rs: EvidenceBundleRecord[]) => rs.unshift(...rs.splice(6, 3)),
    ],
  ])('records reordered (%s) fail with the same messages', (_, edit) => {
    const bundle = tampered(edit);
    const r = expectSameEverywhere(bundle, false);
    const leafOrder = r.failures.filter(f =>
      /leaf indexes must increase/.test(f.reason),
    );
    expect(leafOrder.length).toBeGreaterThan(1);
  });

  it.each(positions)('a duplicated record #%i fails the same', k => {
    const bundle = tampered(rs => rs.splice(k, 0, { ...rs[k] }));
    const r = expectSameEverywhere(bundle, false);
    expect(r.failures.map(f => f.reason).join('\n')).toMatch(
      /duplicate or out-of-order sequence/,
    );
  });

  it('a bad inclusion proof fails the same', () => {
    const bundle = tampered(rs => {
      rs[4].inclusionProof[0] = rs[2].inclusionProof[0];
    });
    const r = expectSameEverywhere(bundle, false);
    expect(r.failures.map(f => f.reason)).toEqual([
      expect.stringMatching(/^record #5 \(leaf \d+\) is not included/),
    ]);
  });

  it('a bundle whose first records are missing fails the same', () => {
    const bundle = tampered(rs => rs.splice(0, 3));
    const r = expectSameEverywhere(bundle, false);
    expect(r.chain.ok === false && r.chain.firstBad.reason).toBe(
      'sequence gap: expected 1, found 4',
    );
  });

  it('unparseable canonical bytes at a boundary fail the same', () => {
    const bundle = tampered(rs => {
      rs[4].canonical = '{"seq":';
    });
    const r = expectSameEverywhere(bundle, false);
    expect(r.chain.ok === false && r.chain.firstBad).toMatchObject({
      seq: 5,
      reason: 'canonical bytes are not valid JSON',
    });
  });

  it('a bad checkpoint signature fails the same', () => {
    const { bundle } = makeBundle(9, undefined, { heads: true });
    const forged = {
      ...bundle,
      checkpoint: bundle.checkpoint.replace('\n', '\n\n'),
    };
    const r = expectSameEverywhere(forged, false);
    expect(r.checkpoint).toBeNull();
  });

  it('a malformed record is named by its range index', () => {
    const range = createBundleRangeVerifier({
      entityRef: 'component:default/payments',
      checkpoint: null,
      first: false,
    });
    const { bundle } = makeBundle(3);
    range.add(bundle.records[1]);
    let error: MalformedBundleRecordError | undefined;
    try {
      range.add({ ...bundle.records[2], leafIndex: -1 });
    } catch (e) {
      error = e as MalformedBundleRecordError;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.index).toBe(1);
    expect(error?.problem).toMatch(/^\.leafIndex/);
  });

  it('never accepts a range that does not continue the chain', () => {
    // two good bundles of the same entity and log cannot be mixed: a range
    // whose start does not match where the chain stands fails
    const { bundle } = makeBundle(9, undefined, { heads: true });
    const { records, ...header } = bundle;
    const stitcher = createBundleStitcher(header);
    const a = createBundleRangeVerifier({
      entityRef: stitcher.entityRef,
      checkpoint: stitcher.checkpoint,
      first: true,
    });
    records.slice(0, 4).forEach(r => a.add(r));
    const b = createBundleRangeVerifier({
      entityRef: stitcher.entityRef,
      checkpoint: stitcher.checkpoint,
      first: false,
    });
    records.slice(5).forEach(r => b.add(r)); // record #5 left out
    stitcher.add(a.finish());
    stitcher.add(b.finish());
    const r = stitcher.finish();
    expect(r.ok).toBe(false);
    expect(r.chain).toMatchObject({
      ok: false,
      checked: 4,
      firstBad: { seq: 6, reason: 'sequence gap: expected 5, found 6' },
    });
  });
});
