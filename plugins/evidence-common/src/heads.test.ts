import { toBase64, toHex, utf8Encode } from './bytes';
import { EvidenceBundle, verifyBundle } from './bundle';
import { parseCheckpoint } from './checkpoint';
import {
  compareEntityRefs,
  compareHead,
  compareRememberedHead,
  headLeafData,
  HeadsTree,
  HeadLeafProof,
  parseHeadsExtension,
  redactHeadLeaf,
  verifyHeadProof,
} from './heads';
import { leafHash, merkleRoot } from './merkle';
import { generateSignerKey } from './noteKeys';
import { makeBundle, ORIGIN } from './__testUtils__/bundle';
import { ENTITY } from './__testUtils__/chain';

const h = (c: string) => c.repeat(64);
const clone = (b: EvidenceBundle): EvidenceBundle =>
  JSON.parse(JSON.stringify(b));

const heads = [
  { entityRef: 'component:default/b', seq: 2, hash: h('b') },
  { entityRef: 'component:default/a', seq: 7, hash: h('a') },
  { entityRef: 'component:default/d', seq: 1, hash: h('d') },
  { entityRef: 'api:default/x', seq: 3, hash: h('c') },
  { entityRef: 'component:default/f', seq: 9, hash: h('e') },
];

describe('heads tree', () => {
  it('hashes canonical [entityRef, seq, hash] leaves sorted by ref (RFC 6962)', () => {
    expect(new TextDecoder().decode(headLeafData(heads[1]))).toBe(
      `["component:default/a",7,"${h('a')}"]`,
    );
    const tree = new HeadsTree(heads);
    const sorted = [...heads].sort((x, y) =>
      x.entityRef < y.entityRef ? -1 : 1,
    );
    expect(tree.heads.map(x => x.entityRef)).toEqual(
      sorted.map(x => x.entityRef),
    );
    expect(toHex(tree.root)).toBe(
      toHex(merkleRoot(sorted.map(x => leafHash(headLeafData(x))))),
    );
    expect(tree.extension()).toBe(`assay-heads/v1 5 ${toBase64(tree.root)}`);
    expect(new HeadsTree([]).extension()).toMatch(/^assay-heads\/v1 0 /);
  });

  it('orders refs by code point (UTF-8 bytes), not UTF-16 units', () => {
    expect(compareEntityRefs('a:x/\uffff', 'a:x/\u{10000}')).toBe(-1);
    expect('a:x/\uffff' < 'a:x/\u{10000}').toBe(false); // UTF-16 differs
    expect(compareEntityRefs('a', 'ab')).toBe(-1);
    expect(compareEntityRefs('ab', 'ab')).toBe(0);
  });

  it('refuses duplicate heads', () => {
    expect(() => new HeadsTree([heads[0], heads[0]])).toThrow(/duplicate/);
  });

  const tree = new HeadsTree(heads);
  const cp = { treeSize: 40, extensions: [tree.extension()] };

  it('proves every head and rejects tampered proofs', () => {
    for (const x of heads) {
      expect(
        verifyHeadProof(tree.proof(x.entityRef, 40), cp, x.entityRef),
      ).toEqual({ seq: x.seq, hash: x.hash });
    }
    const p = tree.proof('component:default/b', 40);
    expect(() =>
      verifyHeadProof(
        { ...p, head: { ...p.head!, seq: 1 } },
        cp,
        'component:default/b',
      ),
    ).toThrow(/not in the heads tree the checkpoint signs/);
    expect(() => verifyHeadProof(p, cp, 'component:default/a')).toThrow(
      /is for component:default\/b/,
    );
    expect(() =>
      verifyHeadProof({ ...p, treeSize: 39 }, cp, 'component:default/b'),
    ).toThrow(/tree size 39/);
    expect(() =>
      verifyHeadProof(p, { treeSize: 40, extensions: [] }, 'x'),
    ).toThrow(/does not commit to entity heads/);
  });

  it('proves absence with adjacent leaves, and rejects a head hidden as absent', () => {
    for (const ref of ['a:a/a', 'component:default/c', 'component:default/z']) {
      expect(verifyHeadProof(tree.proof(ref, 40), cp, ref)).toBeNull();
    }
    expect(
      verifyHeadProof(
        new HeadsTree([]).proof('a:b/c', 0),
        { treeSize: 0, extensions: [new HeadsTree([]).extension()] },
        'a:b/c',
      ),
    ).toBeNull();
    // the server claims component:default/b has no head: left and right
    // around it are not adjacent
    const around = tree.proof('component:default/bb', 40);
    const a = tree.proof('component:default/a', 40).head!;
    expect(() =>
      verifyHeadProof({ ...around, left: a }, cp, 'component:default/b'),
    ).toThrow(/does not show that component:default\/b has no head/);
    // or drops a neighbour
    expect(() =>
      verifyHeadProof({ ...around, right: null }, cp, 'component:default/bb'),
    ).toThrow(/no head/);
  });

  it('redacts a neighbour to its leaf hash: still in the tree, but the absence is not proven', () => {
    const around = tree.proof('component:default/c', 40);
    const left = around.left as HeadLeafProof;
    const redacted = redactHeadLeaf(left);
    expect(redacted).toEqual({
      index: left.index,
      proof: left.proof,
      leafHash: toBase64(leafHash(headLeafData(left))),
      redacted: true,
    });
    expect(JSON.stringify(redacted)).not.toContain(left.entityRef);
    expect(JSON.stringify(redacted)).not.toContain(left.hash);
    expect(() =>
      verifyHeadProof({ ...around, left: redacted }, cp, 'component:default/c'),
    ).toThrow(
      /cannot show that component:default\/c has no head.*\(redacted\)/,
    );
  });

  it('parses the extension strictly', () => {
    expect(parseHeadsExtension(['other line'])).toBeNull();
    expect(() => parseHeadsExtension(['assay-heads/v1 01 AAAA'])).toThrow(
      /malformed heads line/,
    );
    expect(() => parseHeadsExtension(['assay-heads/v1 1 AAAA'])).toThrow(
      /malformed/,
    );
    expect(() =>
      parseHeadsExtension([tree.extension(), tree.extension()]),
    ).toThrow(/more than one/);
  });
});

describe('compareHead', () => {
  const committed = { seq: 5, hash: h('5') };
  it('names truncation and replaced heads', () => {
    expect(compareHead(committed, { seq: 5, hash: h('5') })).toBeNull();
    expect(compareHead(committed, { seq: 4, hash: h('4') })).toMatchObject({
      kind: 'truncated',
      message: expect.stringMatching(
        /^truncated: the signed checkpoint commits to head #5 .* end at #4$/,
      ),
    });
    expect(compareHead(committed, undefined)?.kind).toBe('truncated');
    expect(compareHead(committed, { seq: 5, hash: h('6') })).toMatchObject({
      kind: 'head replaced',
      message: expect.stringMatching(/^head replaced: /),
    });
    expect(compareHead(committed, { seq: 6, hash: h('6') })?.kind).toBe(
      'head replaced',
    );
    expect(compareHead(null, undefined)).toBeNull();
    expect(compareHead(null, { seq: 1, hash: h('1') })?.kind).toBe(
      'head replaced',
    );
  });

  it('checks a remembered head against what is served now', () => {
    const served = new Map([
      [4, h('4')],
      [5, h('5')],
      [6, h('6')],
    ]);
    const at = (s: number) => served.get(s);
    expect(
      compareRememberedHead(committed, { seq: 6, hash: h('6') }, at),
    ).toBeNull();
    expect(
      compareRememberedHead(committed, { seq: 4, hash: h('4') }, at, 'monday'),
    ).toMatchObject({
      kind: 'truncated',
      message: expect.stringMatching(/saw on monday was #5 .* end at #4$/),
    });
    expect(
      compareRememberedHead(
        { seq: 5, hash: h('x') },
        { seq: 6, hash: h('6') },
        at,
      )?.kind,
    ).toBe('head replaced');
  });
});

describe('verifyBundle with heads bound to the checkpoint', () => {
  const key = generateSignerKey(ORIGIN);
  const { bundle } = makeBundle(6, key, { heads: true });

  it('accepts the complete bundle and reports the committed head', () => {
    const r = verifyBundle(bundle);
    expect(r.failures).toEqual([]);
    expect(r.heads).toEqual({
      bound: true,
      committed: { seq: 6, hash: bundle.records[5].hash },
      mismatch: null,
    });
  });

  it('detects that the newest record was removed (first-time verifier)', () => {
    const b = clone(bundle);
    b.records.pop(); // the head record deleted in the database
    const r = verifyBundle(b);
    expect(r.ok).toBe(false);
    expect(r.chain.ok).toBe(true); // everything left still chains and is included
    expect(r.failures).toEqual([
      {
        seq: 6,
        reason: expect.stringMatching(
          /^truncated: the signed checkpoint commits to head #6 .* end at #5$/,
        ),
      },
    ]);
    // without heads in the checkpoint, the same truncation is invisible
    const unbound = clone(makeBundle(6, key).bundle);
    unbound.records.pop();
    expect(verifyBundle(unbound).ok).toBe(true);
  });

  it('requires a head proof when the checkpoint commits to heads', () => {
    const b = clone(bundle);
    delete b.headProof;
    expect(verifyBundle(b).failures[0].reason).toMatch(/no head proof/);
  });

  it('rejects a head proof that does not match the signed heads', () => {
    const b = clone(bundle);
    b.headProof!.head!.seq = 5;
    b.headProof!.head!.hash = b.records[4].hash;
    b.records.pop();
    expect(verifyBundle(b).failures[0].reason).toMatch(
      /not in the heads tree the checkpoint signs/,
    );
  });

  it('signs the heads line inside the checkpoint body', () => {
    const text = bundle.checkpoint.slice(
      0,
      bundle.checkpoint.lastIndexOf('\n\n') + 1,
    );
    const ext = parseHeadsExtension(parseCheckpoint(text).extensions);
    expect(ext?.count).toBe(2);
    expect(utf8Encode(text).length).toBeGreaterThan(0);
    expect(bundle.headProof?.entityRef).toBe(ENTITY);
  });
});
