import fc from 'fast-check';
import { canonicalJson } from './canonical';
import { verifyChain } from './chain';
import { evidenceEnvelopeSchema } from './envelope';
import { recognizeCanonicalEnvelope } from './fastEnvelope';
import { sha256Hex } from './hash';
import { makeChain } from './__testUtils__/chain';

/** The full check's verdict on one record's text (the definition). */
function fullAccepts(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  let canonical: string | undefined;
  try {
    canonical = canonicalJson(parsed);
  } catch {
    return false;
  }
  return canonical === text && evidenceEnvelopeSchema.safeParse(parsed).success;
}

const [first, second] = makeChain(2);

/** Verifies [record 1, record 2 with `text`] as a chain. */
function verifySecond(text: string) {
  return verifyChain([
    { hash: first.hash, canonical: first.canonical },
    { hash: sha256Hex(text), canonical: text },
  ]);
}

describe('recognizeCanonicalEnvelope (verifyChain fast path)', () => {
  it('recognizes canonical envelopes and returns their chain fields', () => {
    expect(recognizeCanonicalEnvelope(second.canonical)).toEqual({
      seq: 2,
      entityRef: second.env.entityRef,
      previousHash: first.hash,
    });
    const withArtifacts = canonicalJson({
      ...second.env,
      subject: undefined,
      payloadDigest: `sha256:${'a'.repeat(64)}`,
      artifacts: [
        {
          name: 'junit.xml',
          digest: `sha256:${'b'.repeat(64)}`,
          size: 0,
          mediaType: 'application/xml',
        },
        {
          name: 'b',
          digest: `sha256:${'c'.repeat(64)}`,
          size: 12,
          mediaType: 'text/plain',
        },
      ],
      summary: { '': 'x', a: -1.5e-7, b: 1e21, c: null, é: true },
    });
    expect(recognizeCanonicalEnvelope(withArtifacts)).toBeDefined();
    expect(fullAccepts(withArtifacts)).toBe(true);
  });

  // every rule of the full check, broken one at a time: the fast path must
  // not accept it, and verifyChain (which then runs the full check) rejects
  const s = second.canonical;
  const broken: Array<[string, string, RegExp]> = [
    ['whitespace', s.replace('"seq":2', '"seq": 2'), /canonical/],
    [
      'keys out of order',
      s
        .replace('{"artifacts":[],', '{')
        .replace(',"v":1}', ',"artifacts":[],"v":1}'),
      /canonical/,
    ],
    [
      'unknown key',
      s
        .replace(',"v":1}', ',"w":1,"v":1}')
        .replace('"v":1,"w":1', '"v":1,"w":1'),
      /schema|canonical/,
    ],
    ['missing key', s.replace(/"producer":"[^"]*",/, ''), /schema/],
    ['version 2', s.replace('"v":1}', '"v":2}'), /schema: v/],
    ['seq 0', s.replace('"seq":2', '"seq":0'), /schema: seq/],
    ['seq as a string', s.replace('"seq":2', '"seq":"2"'), /schema: seq/],
    ['seq as 2.0', s.replace('"seq":2', '"seq":2.0'), /canonical/],
    ['seq with a leading zero', s.replace('"seq":2', '"seq":02'), /JSON/],
    [
      'seq beyond 2^53',
      s.replace('"seq":2', '"seq":9007199254740993'),
      /canonical/,
    ],
    ['-0 in the summary', s.replace('"failed":0', '"failed":-0'), /canonical/],
    [
      '1.50 in the summary',
      s.replace('"failed":0', '"failed":1.50'),
      /canonical/,
    ],
    [
      '1e21 spelled 1e21',
      s.replace('"failed":0', '"failed":1e21'),
      /canonical/,
    ],
    [
      'summary keys out of order',
      s.replace('"failed":0,"flaky":false', '"flaky":false,"failed":0'),
      /canonical/,
    ],
    [
      'a repeated summary key',
      s.replace('"failed":0,', '"failed":0,"failed":0,'),
      /canonical/,
    ],
    [
      '__proto__ key',
      s.replace('"failed":0,', '"__proto__":0,"failed":0,'),
      /schema: summary\.__proto__: the key __proto__ is not accepted/,
    ],
    [
      'object in the summary',
      s.replace('"failed":0', '"failed":{}'),
      /schema: summary/,
    ],
    [
      'array in the summary',
      s.replace('"failed":0', '"failed":[]'),
      /schema: summary/,
    ],
    [
      'unknown subject key',
      s.replace('"subject":{"commit"', '"subject":{"branch":"x","commit"'),
      /schema: subject/,
    ],
    [
      'number in the subject',
      s.replace(/"commit":"[^"]*"/, '"commit":1'),
      /schema: subject/,
    ],
    [
      'category not kebab-case',
      s.replace('"category":"sbom"', '"category":"SBOM"'),
      /schema: category/,
    ],
    [
      'entityRef not normalized',
      s.replace(
        '"entityRef":"component:default/',
        '"entityRef":"Component:default/',
      ),
      /schema: entityRef/,
    ],
    [
      'payloadDigest in upper case',
      s.replace(
        '"payloadDigest":null',
        `"payloadDigest":"sha256:${'A'.repeat(64)}"`,
      ),
      /schema: payloadDigest/,
    ],
    [
      'payloadDigest too short',
      s.replace(
        '"payloadDigest":null',
        `"payloadDigest":"sha256:${'a'.repeat(63)}"`,
      ),
      /schema: payloadDigest/,
    ],
    [
      'previousHash null at seq 2',
      s.replace(`"previousHash":"${first.hash}"`, '"previousHash":null'),
      /schema: previousHash/,
    ],
    [
      'previousHash not hex',
      s.replace(
        `"previousHash":"${first.hash}"`,
        `"previousHash":"${'g'.repeat(64)}"`,
      ),
      /schema: previousHash/,
    ],
    [
      'impossible producedAt',
      s.replace(
        '"producedAt":"2025-01-02T03:04:05Z"',
        '"producedAt":"2025-02-30T03:04:05Z"',
      ),
      /schema: producedAt/,
    ],
    [
      'recordedAt without a zone',
      s.replace(
        '"recordedAt":"2025-01-02T03:04:06.123Z"',
        '"recordedAt":"2025-01-02T03:04:06.123"',
      ),
      /schema: recordedAt/,
    ],
    [
      'empty producer',
      s.replace('"producer":"ci"', '"producer":""'),
      /schema: producer/,
    ],
    ['trailing bytes', `${s} `, /JSON|canonical/],
    [
      'a control character',
      s.replace('"suite":"unit"', '"suite":"un\u0001it"'),
      /JSON/,
    ],
  ];
  const artifact = (a: Record<string, unknown>) =>
    s.replace(
      '"artifacts":[]',
      `"artifacts":[${canonicalJson({
        digest: `sha256:${'b'.repeat(64)}`,
        mediaType: 'text/plain',
        name: 'a.txt',
        size: 1,
        ...a,
      })}]`,
    );
  broken.push(
    ['empty artifact name', artifact({ name: '' }), /schema: artifacts/],
    [
      'empty artifact media type',
      artifact({ mediaType: '' }),
      /schema: artifacts/,
    ],
    ['negative artifact size', artifact({ size: -1 }), /schema: artifacts/],
    ['fractional artifact size', artifact({ size: 1.5 }), /schema: artifacts/],
    ['extra artifact key', artifact({ url: 'x' }), /schema: artifacts/],
    [
      'artifact digest of another algorithm',
      artifact({ digest: `md5:${'b'.repeat(32)}` }),
      /schema: artifacts/,
    ],
  );

  it.each(broken)(
    'does not accept %s; verifyChain rejects it',
    (_, text, reason) => {
      expect(text).not.toBe(s);
      expect(recognizeCanonicalEnvelope(text)).toBeUndefined();
      const result = verifySecond(text);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.firstBad.reason).toMatch(reason);
    },
  );

  it('leaves strings with escapes to the full check, which accepts canonical ones', () => {
    const text = canonicalJson({
      ...second.env,
      summary: { q: 'say "hi"\n\\' },
    });
    expect(recognizeCanonicalEnvelope(text)).toBeUndefined();
    expect(verifySecond(text).ok).toBe(true);
  });

  it('rejects a lone surrogate in a string record (it has no UTF-8 form)', () => {
    const text = second.canonical.replace('"suite":"unit"', '"suite":"\ud800"');
    const result = verifyChain([
      { hash: first.hash, canonical: first.canonical },
      { hash: sha256Hex(text), canonical: text },
    ]);
    expect(result.ok).toBe(false);
  });

  it('still checks the hash and the chain links on the fast path', () => {
    expect(verifySecond(second.canonical).ok).toBe(true);
    const wrongHash = verifyChain([
      { hash: first.hash, canonical: first.canonical },
      { hash: first.hash, canonical: second.canonical },
    ]);
    expect(!wrongHash.ok && wrongHash.firstBad.reason).toMatch(/hash mismatch/);
    const relinked = second.canonical.replace(first.hash, 'a'.repeat(64));
    expect(recognizeCanonicalEnvelope(relinked)).toBeDefined();
    expect(verifySecond(relinked)).toMatchObject({
      ok: false,
      firstBad: {
        reason: expect.stringMatching(/previousHash does not match/),
      },
    });
    const [other] = makeChain(2, 'component:default/other').slice(1);
    const wrongEntity = verifySecond(
      other.canonical.replace(other.env.previousHash!, first.hash),
    );
    expect(!wrongEntity.ok && wrongEntity.firstBad.reason).toMatch(
      /entityRef mismatch/,
    );
    const gap = verifyChain([
      { hash: second.hash, canonical: second.canonical },
    ]);
    expect(!gap.ok && gap.firstBad.reason).toMatch(/sequence gap/);
  });

  it('never accepts what the full check rejects (random envelopes and byte edits)', () => {
    const plain = fc.string({ maxLength: 8 });
    const any = fc.string({ maxLength: 6, unit: 'binary' });
    /** mostly the valid form, sometimes an invalid one */
    const mostly = <T>(valid: fc.Arbitrary<T>, ...invalid: fc.Arbitrary<T>[]) =>
      fc.oneof(
        { weight: 12, arbitrary: valid },
        ...invalid.map(arbitrary => ({ weight: 1, arbitrary })),
      );
    const seqAndPrevious = mostly(
      fc.constantFrom<[unknown, unknown]>([1, null], [2, 'a'.repeat(64)]),
      fc.constantFrom<[unknown, unknown]>(
        [1, 'a'.repeat(64)],
        [2, null],
        [0, null],
        [2, 'A'.repeat(64)],
        [1.5, null],
        [2 ** 53, 'a'.repeat(64)],
      ),
    );
    const envelope = fc.record({
      v: mostly(fc.constant<unknown>(1), fc.constant(2), fc.constant('1')),
      entityRef: mostly(
        fc.constant('component:default/a'),
        fc.constantFrom('Component:default/a', 'x', 'component:a'),
      ),
      seqAndPrevious,
      category: mostly(
        fc.constantFrom('tests', 'load-test'),
        fc.constantFrom('Tests', ''),
      ),
      subject: fc.option(
        fc.dictionary(
          mostly(
            fc.constantFrom('commit', 'runId', 'version'),
            fc.constant('branch'),
          ),
          mostly<unknown>(plain, fc.integer()),
        ),
        { nil: undefined },
      ),
      summary: fc.dictionary(
        mostly(plain, any, fc.constant('__proto__')),
        fc.oneof(
          plain,
          any,
          fc.double(),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
        ),
      ),
      payloadDigest: mostly(
        fc.constantFrom(null, `sha256:${'a'.repeat(64)}`),
        fc.constant('sha256:zz'),
      ),
      artifacts: fc.array(
        fc.record({
          name: mostly(
            plain.filter(x => x.length > 0),
            fc.constant(''),
          ),
          digest: mostly(
            fc.constant(`sha256:${'b'.repeat(64)}`),
            fc.constant('x'),
          ),
          size: mostly<unknown>(fc.nat(), fc.constant(-1), fc.double()),
          mediaType: plain,
        }),
        { maxLength: 2 },
      ),
      producer: plain,
      producedAt: mostly(
        fc.constantFrom('2025-01-02T03:04:05Z', '2024-02-29T00:00:00.5+01:00'),
        fc.constantFrom('2025-02-29T00:00:00Z', 'now'),
      ),
      recordedAt: mostly(
        fc.constant('2025-01-02T03:04:05.123Z'),
        fc.constant('2025-01-02 03:04:05Z'),
      ),
    });
    const edit = fc.tuple(
      fc.nat(),
      fc.nat({ max: 3 }),
      fc.string({ maxLength: 2 }),
    );
    let recognized = 0;
    fc.assert(
      fc.property(
        envelope,
        fc.option(edit),
        ({ seqAndPrevious: sp, ...env }, e) => {
          let text: string;
          try {
            text = canonicalJson({ ...env, seq: sp[0], previousHash: sp[1] });
          } catch {
            return true;
          }
          if (e) {
            const at = e[0] % (text.length + 1);
            text = text.slice(0, at) + e[2] + text.slice(at + e[1]);
          }
          // verifyChain sends only well-formed text here (a lone surrogate
          // has no UTF-8 form; the full check rejects it)
          const wellFormed = (text as any).isWellFormed() as boolean;
          const fields = wellFormed
            ? recognizeCanonicalEnvelope(text)
            : undefined;
          if (!fields) return true;
          recognized += 1;
          const parsed = JSON.parse(text);
          return (
            fullAccepts(text) &&
            fields.seq === parsed.seq &&
            fields.entityRef === parsed.entityRef &&
            fields.previousHash === parsed.previousHash
          );
        },
      ),
      { numRuns: 20000, seed: 13 },
    );
    expect(recognized).toBeGreaterThan(100);
  });
});
