import { utf8Encode } from './bytes';
import { ChainRecord, verifyChain, verifyChainAsync } from './chain';
import { sha256 } from './hash';
import { ENTITY, makeChain, rehash } from './__testUtils__/chain';

const records = (chain: ReturnType<typeof makeChain>): ChainRecord[] =>
  chain.map(({ hash, canonical }) => ({ hash, canonical }));

/** The failure as one comparable object, or 'ok'. */
function bad(result: ReturnType<typeof verifyChain>) {
  return result.ok
    ? 'ok'
    : { ...result.firstBad, checked: result.checked, hash: undefined };
}

const failure = (seq: number, reason: RegExp, checked = seq - 1) => ({
  seq,
  reason: expect.stringMatching(reason),
  checked,
  hash: undefined,
});

describe('verifyChain', () => {
  const chain = makeChain(8);

  it('accepts a valid chain, as strings or bytes', () => {
    expect(verifyChain(records(chain))).toEqual({
      ok: true,
      checked: 8,
      headHash: chain[7].hash,
    });
    const asBytes = chain.map(r => ({
      hash: r.hash,
      canonical: utf8Encode(r.canonical),
    }));
    expect(verifyChain(asBytes, { entityRef: 'Component:payments' }).ok).toBe(
      true,
    );
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, headHash: null });
  });

  it('uses the given hash function', () => {
    const calls: number[] = [];
    verifyChain(records(chain), {
      hash: d => {
        calls.push(1);
        return sha256(d);
      },
    });
    expect(calls).toHaveLength(8);
  });

  it('names a record whose bytes were tampered with', () => {
    const recs = records(chain);
    recs[4] = {
      ...recs[4],
      canonical: chain[4].canonical.replace('"passed":50', '"passed":51'),
    };
    expect(bad(verifyChain(recs))).toEqual(
      failure(
        5,
        /^hash mismatch: stored [0-9a-f]{64} recomputed [0-9a-f]{64}$/,
      ),
    );
  });

  it('names a record whose bytes no longer parse', () => {
    const recs = records(chain);
    recs[2] = { ...recs[2], canonical: chain[2].canonical.slice(0, -1) };
    expect(bad(verifyChain(recs))).toEqual(failure(3, /not valid JSON/));
    const bytes = utf8Encode(chain[3].canonical);
    bytes[10] = 0xff;
    recs[2] = { hash: recs[3].hash, canonical: bytes };
    expect(bad(verifyChain(recs))).toEqual(failure(3, /not valid UTF-8/));
  });

  it('names a record that is not in canonical form', () => {
    const recs = records(chain);
    const pretty = JSON.stringify(JSON.parse(chain[5].canonical), null, 1);
    recs[5] = { hash: chain[5].hash, canonical: pretty };
    expect(bad(verifyChain(recs))).toEqual(
      failure(6, /not in RFC 8785 canonical form/),
    );
  });

  it('names a record with a broken link', () => {
    const recs = records(chain);
    const env = { ...chain[3].env, previousHash: chain[1].hash };
    recs[3] = rehash(env);
    expect(bad(verifyChain(recs))).toEqual(
      failure(4, /^previousHash does not match record #3/),
    );
  });

  it('names the record after a gap', () => {
    const recs = records(chain);
    recs.splice(4, 2);
    expect(bad(verifyChain(recs))).toEqual(
      failure(7, /^sequence gap: expected 5, found 7$/, 4),
    );
  });

  it('names a duplicate', () => {
    const recs = records(chain);
    recs.splice(3, 0, recs[2]);
    expect(bad(verifyChain(recs))).toEqual(
      failure(
        3,
        /^duplicate or out-of-order sequence: expected 4, found 3$/,
        3,
      ),
    );
  });

  it('names a record of another entity', () => {
    const other = makeChain(8, 'component:default/other');
    const recs = records(chain);
    const env = { ...other[5].env, previousHash: chain[4].hash };
    recs[5] = rehash(env);
    expect(bad(verifyChain(recs))).toEqual(
      failure(
        6,
        /^entityRef mismatch: expected component:default\/payments, found component:default\/other$/,
      ),
    );
    expect(bad(verifyChain(records(other), { entityRef: ENTITY }))).toEqual(
      failure(1, /entityRef mismatch/),
    );
  });

  it('rejects schema violations even when the hash matches', () => {
    const recs = records(chain);
    recs[1] = rehash({ ...chain[1].env, previousHash: null });
    expect(bad(verifyChain(recs))).toEqual(
      failure(2, /previousHash: must be null exactly when seq is 1/),
    );
    recs[1] = rehash({ ...chain[1].env, category: 'Not Kebab' } as any);
    expect(bad(verifyChain(recs))).toEqual(failure(2, /category/));
    recs[1] = rehash({ ...chain[1].env, extra: 1 } as any);
    expect(bad(verifyChain(recs))).toEqual(failure(2, /Unrecognized key/));
  });

  it('detects a rewritten first record', () => {
    const recs = records(chain);
    recs[0] = rehash({ ...chain[0].env, summary: { passed: 1000 } });
    expect(bad(verifyChain(recs))).toEqual(
      failure(2, /previousHash does not match record #1/),
    );
  });

  it('verifies a suffix from a known head', () => {
    const suffix = records(chain).slice(5);
    expect(
      verifyChain(suffix, { expectedFirstSeq: 6, previousHash: chain[4].hash })
        .ok,
    ).toBe(true);
    expect(
      bad(
        verifyChain(suffix, {
          expectedFirstSeq: 6,
          previousHash: chain[3].hash,
        }),
      ),
    ).toEqual(failure(6, /previousHash does not match record #5/, 0));
  });

  it('reports progress, and the async variant agrees', async () => {
    const long = records(makeChain(1100));
    const progress: number[] = [];
    const result = await verifyChainAsync(long, {
      onProgress: done => progress.push(done),
    });
    expect(result).toEqual(verifyChain(long));
    expect(result.ok).toBe(true);
    expect(progress).toEqual([500, 1000, 1100]);
    long[1050] = { ...long[1050], hash: long[1049].hash };
    expect(bad(await verifyChainAsync(long))).toEqual(
      failure(1051, /hash mismatch/, 1050),
    );
  });
});
