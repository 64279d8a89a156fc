/*
 * Property test: the hand-written check of append bodies says yes only when
 * zod does, with the value zod returns (toStrictEqual: the same keys, undefined
 * ones included, and plain objects), and says yes to every JSON body zod
 * accepts (else the fast path would be dead code for some producer).
 */
import fc from 'fast-check';
import { fastAppendRequest } from './fastAppendRequest';
import { assertIJson } from './inputLimits';
import { appendRequestSchema } from './prepare';

const RUNS = 5_000;

/** What a scorecards refresh sends, once per entity. */
const typical = () => ({
  entityRef: 'component:default/service-a',
  category: 'compliance',
  summary: {
    actor: 'plugin:scorecards',
    kind: 'scorecard',
    level: 'gold',
    score: 87.5,
    mode: 'enforce',
    resultHash: `sha256:${'ab'.repeat(32)}`,
    failing: 0,
    inputs: 'catalog,evidence',
    blocking: false,
    waiver: null,
  },
  payload: {
    actor: 'plugin:scorecards',
    result: { checks: [{ id: 'has-owner', status: 'pass' }], score: 87.5 },
  },
  producedAt: new Date().toISOString(),
});

/** Values of the wrong type, and of the right type but odd. */
class Thing {
  entityRef = 'component:default/a';
}
const anything: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, true, false, NaN, Infinity, -Infinity, -0),
  fc.double(),
  fc.integer(),
  fc.bigInt(),
  fc.string({ maxLength: 4 }),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  fc.date(),
  fc.constant(new Map()),
  fc.constant(new Thing()),
  fc.constant({ then: () => 1, catch: () => 1 }),
);

/** Strings that fit `min(1).max(max)`, some exactly `max` code units long. */
const fitting = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('a', '😀') // a surrogate pair counts 2
        .map(c => c.repeat(max / c.length)),
    },
  );
/** Strings around every length bound of the schema, in UTF-16 code units. */
const BOUNDS = [0, 1, 2, 31, 32, 33, 63, 64, 65, 255, 256, 257, 1024, 1025];
const nearString: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...BOUNDS), fc.constantFrom('a', 'é', '😀', ' '))
    .map(([n, c]) => c.repeat(n).slice(0, n)),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
/** mostly a fitting value, sometimes one near it or anything */
const mostly = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 16, arbitrary: good },
    { weight: 1, arbitrary: nearString },
    { weight: 1, arbitrary: anything },
  );
/** a `min(1).max(max)` field: mostly fitting, often just at or past a bound */
const stringField = (max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: mostly(fitting(max)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(0, 1, max, max + 1), fc.constantFrom('a', '😀'))
        .map(([n, c]) => c.repeat(n).slice(0, n)),
    },
  );

const d2 = (min: number, max: number) =>
  fc.integer({ min, max }).map(n => String(n).padStart(2, '0'));
/** Datetimes built from parts, each part valid or just out of range. */
const builtDatetime = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('0000', '1900', '2000', '2024', '2026', '2100', '2400'),
      fc.integer({ min: 0, max: 9999 }).map(n => String(n).padStart(4, '0')),
      fc.constantFrom('+02026', '26', '02026'),
    ),
    d2(0, 13),
    d2(0, 32),
    fc.constantFrom('T', 'T', 't', ' '),
    d2(0, 24),
    d2(0, 60),
    fc.option(d2(0, 61), { nil: '' }).map(s => (s ? `:${s}` : '')),
    fc.option(
      fc
        .integer({ min: 0, max: 12 })
        .map(n => `.${'1234567890ab'.slice(0, n)}`),
      { nil: '' },
    ),
    fc.oneof(
      fc.constantFrom('Z', 'Z', 'z', '', ' Z', '+01', '+1:00', 'UTC'),
      fc
        .tuple(
          fc.constantFrom('+', '-', '\u2212'),
          d2(0, 99),
          fc.constantFrom(':', ''),
          d2(0, 99),
        )
        .map(parts => parts.join('')),
    ),
  )
  .map(
    ([y, mo, d, t, h, mi, s, f, z]) =>
      `${y}-${mo}-${d}${t}${h}:${mi}${s}${f}${z}`,
  );
/** what producers send: Date#toISOString (years past 9999 get a sign) */
const isoDatetime = (date: fc.Arbitrary<Date>) =>
  date.map(d => d.toISOString());
const anyDate = fc.date({ noInvalidDate: true });
const fourDigitYear = fc.date({
  min: new Date('0000-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});
/** a valid one with one character replaced, dropped or doubled */
const mutatedDatetime = fc
  .tuple(
    isoDatetime(fourDigitYear),
    fc.nat(),
    fc.constantFrom('replace', 'drop', 'double'),
    fc.constantFrom('0', '9', 'T', ':', '-', 'x'),
  )
  .map(([s, i, how, c]) => {
    const at = i % s.length;
    const by = { replace: c, drop: '', double: s[at] + s[at] }[how];
    return s.slice(0, at) + by + s.slice(at + 1);
  });
const datetime = fc.oneof(
  { weight: 6, arbitrary: isoDatetime(fourDigitYear) },
  { weight: 1, arbitrary: isoDatetime(anyDate) },
  { weight: 2, arbitrary: builtDatetime },
  { weight: 1, arbitrary: mutatedDatetime },
);

/**
 * A copy of an object (generated values are not to be changed; prototype
 * kept) with sometimes one more key, some of them dangerous, or one less.
 */
function mutateKeys<T extends object>(
  arb: fc.Arbitrary<T>,
  keys: string[],
): fc.Arbitrary<T> {
  const extraKey = fc.oneof(
    fc.constantFrom(...keys),
    fc.constantFrom('__proto__', 'constructor', 'toString', '', 'x'),
  );
  const mutation = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.tuple(extraKey, anything) },
    { weight: 1, arbitrary: fc.constantFrom(...keys) },
  );
  return fc.tuple(arb, mutation).map(([generated, m]) => {
    if (m === undefined) return generated;
    const o = Object.defineProperties(
      Object.create(Object.getPrototypeOf(generated)),
      Object.getOwnPropertyDescriptors(generated),
    );
    if (typeof m === 'string') {
      delete o[m];
    } else {
      // an own property even for __proto__, as JSON.parse makes it
      Object.defineProperty(o, m[0], {
        value: m[1],
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
    return o;
  });
}

const subjectKeys = ['commit', 'version', 'featureSha', 'runId', 'environment'];
const subject = mutateKeys(
  fc.record(Object.fromEntries(subjectKeys.map(k => [k, stringField(256)])), {
    requiredKeys: [],
  }),
  subjectKeys,
);

const fact = fc.oneof(
  fitting(1024),
  fc.constant(''),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const summary = fc.dictionary(
  fc.oneof(
    { weight: 8, arbitrary: fc.string({ maxLength: 6 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', '1'),
    },
  ),
  mostly(fact),
  { maxKeys: 4 },
);

const artifactKeys = ['name', 'mediaType', 'format', 'contentBase64'];
const artifact = mutateKeys(
  fc.record(
    {
      name: stringField(255),
      mediaType: stringField(255),
      format: stringField(32),
      contentBase64: mostly(fc.string({ maxLength: 8 })),
    },
    { requiredKeys: ['name', 'contentBase64'] },
  ),
  artifactKeys,
);
const artifacts = fc.oneof(
  fc.array(artifact, { maxLength: 3 }),
  // around the .max(32)
  fc.constantFrom(31, 32, 33).map(n =>
    Array.from({ length: n }, (_, i) => ({
      name: `a${i}`,
      contentBase64: '',
    })),
  ),
);

const topKeys = [
  'entityRef',
  'category',
  'subject',
  'summary',
  'payload',
  'producedAt',
  'artifacts',
];
const body: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: anything },
  {
    weight: 20,
    arbitrary: mutateKeys(
      fc.record(
        {
          entityRef: stringField(255),
          category: stringField(64),
          subject: mostly(subject),
          summary: mostly(summary),
          payload: fc.oneof(fc.jsonValue({ maxDepth: 2 }), anything),
          producedAt: mostly(datetime),
          artifacts: mostly(artifacts),
        },
        { requiredKeys: ['entityRef', 'category'] },
      ),
      topKeys,
    ),
  },
);

/** What JSON.parse would make of it, or undefined if nothing. */
function viaJson(v: unknown): unknown {
  try {
    const text = JSON.stringify(v);
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined; // BigInt
  }
}

function agreesWithZod(b: unknown): boolean {
  const fast = fastAppendRequest(b);
  const zod = appendRequestSchema.safeParse(b);
  if (fast !== undefined) {
    expect(zod.success).toBe(true);
    expect(fast).toStrictEqual(zod.data);
  }
  return fast !== undefined;
}

describe('fastAppendRequest', () => {
  it('takes the body a scorecards refresh sends, as zod returns it', () => {
    for (const b of [typical(), viaJson(typical())]) {
      const fast = fastAppendRequest(b);
      expect(fast).toBeDefined();
      expect(fast).toStrictEqual(appendRequestSchema.parse(b));
    }
    const full = {
      ...typical(),
      subject: { commit: 'a'.repeat(40), environment: 'prod' },
      artifacts: [
        { name: 'junit.xml', contentBase64: 'PHgvPg==' },
        {
          name: 'x',
          mediaType: 'text/plain',
          format: 'raw',
          contentBase64: '',
        },
      ],
    };
    expect(fastAppendRequest(full)).toStrictEqual(
      appendRequestSchema.parse(full),
    );
    // the payload is passed on as is, as z.unknown() does
    expect(fastAppendRequest(full)?.payload).toBe(full.payload);
  });

  it.each([
    '2026-01-31T23:59:59Z',
    '2026-01-31T23:59:59.123Z',
    '2026-01-31T23:59:59.1234567890Z',
    '2026-01-31T23:59Z',
    '2026-01-31T23:59:59+01:00',
    '2026-01-31T23:59:59+0100',
    '2026-01-31T23:59:59+01',
    '2026-01-31T23:59:59z',
    '2026-01-31T23:59:60Z',
    '2026-01-31T24:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2024-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-01-31t23:59:59Z',
    '2026-01-31 23:59:59Z',
    '+012026-01-31T23:59:59Z',
    '2026-01-31T23:59:59.Z',
  ])('producedAt %s: accepted exactly when zod accepts it', producedAt => {
    const b = { ...typical(), producedAt };
    expect(fastAppendRequest(b) !== undefined).toBe(
      appendRequestSchema.safeParse(b).success,
    );
    agreesWithZod(b);
  });

  it('says yes only when zod does, with what zod returns; yes to every JSON body zod accepts', () => {
    let fast = 0;
    let json = 0;
    fc.assert(
      fc.property(body, b => {
        if (agreesWithZod(b)) fast++;
        // what a route gets from express.json(), past assertIJson
        const parsed = viaJson(b);
        try {
          assertIJson(parsed);
        } catch {
          return;
        }
        json++;
        expect(agreesWithZod(parsed)).toBe(
          appendRequestSchema.safeParse(parsed).success,
        );
      }),
      { numRuns: RUNS },
    );
    // the generator reaches valid bodies often enough to mean something
    expect(fast).toBeGreaterThan(RUNS / 10);
    expect(json).toBeGreaterThan(RUNS / 2);
  });
});
