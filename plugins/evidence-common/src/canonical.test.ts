import fs from 'fs';
import path from 'path';
import fc from 'fast-check';
import {
  canonicalBytes,
  canonicalJson,
  canonicalJsonOfData,
  canonicalOrder,
} from './canonical';
import { canonicalJsonGeneral } from './canonicalReference';
import { conformanceDir } from './__testUtils__/conformance';

const jcsDir = path.join(conformanceDir, 'jcs');
const names = fs
  .readdirSync(path.join(jcsDir, 'input'))
  .filter(f => f.endsWith('.json'));

describe('canonicalJson (RFC 8785)', () => {
  it('has the conformance vectors', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  it.each(names)('matches jcs/output/%s byte for byte', name => {
    const input = JSON.parse(
      fs.readFileSync(path.join(jcsDir, 'input', name), 'utf8'),
    );
    const expected = fs.readFileSync(path.join(jcsDir, 'output', name));
    expect(Buffer.from(canonicalBytes(input)).equals(expected)).toBe(true);
  });

  it('sorts keys by UTF-16 code units and normalizes numbers', () => {
    expect(canonicalJson({ b: 1, a: [1.0, -0, 1e21], é: 'x', Z: null })).toBe(
      '{"Z":null,"a":[1,0,1e+21],"b":1,"é":"x"}',
    );
  });

  it('omits undefined object properties and applies toJSON', () => {
    expect(canonicalJson({ a: undefined, d: new Date(0) })).toBe(
      '{"d":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it.each([
    ['undefined', undefined],
    ['NaN', NaN],
    ['Infinity', { a: [Infinity] }],
    ['undefined in an array', [1, undefined]],
    ['a function', { f: () => 1 }],
    ['a bigint', { n: BigInt(1) }],
    ['a symbol', Symbol('s')],
  ])('throws a TypeError for %s', (_, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });
});

/** Both results, or both errors (class and message). */
function outcome(f: () => string): string {
  try {
    return `ok:${f()}`;
  } catch (e) {
    return `error:${(e as Error).name}:${(e as Error).message}`;
  }
}

describe('canonicalJson fast path', () => {
  const key = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.string({ maxLength: 4, unit: 'binary' }), // lone surrogates, astral
    fc.constantFrom(
      '__proto__',
      'toJSON',
      '0',
      '1',
      '10',
      '2',
      '01',
      '4294967294',
      '4294967295',
      '-1',
      '1.5',
      'é',
      'Z',
      '\u0000',
      '"',
      '\\',
      '\u2028',
      '😀',
      '\uffff',
    ),
  );
  // finite numbers only: NaN and ±Infinity are not JSON values (both
  // serializers refuse them; the second property below covers that)
  const number = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 0.1 + 0.2),
  );
  const leaf = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.string({ maxLength: 8, unit: 'binary' }),
    fc.string({ maxLength: 4, unit: 'grapheme' }),
    fc.constantFrom('\b\f\n\r\t\u0001\u001f\u007f', '\ud800', '\udc00x'),
    number,
    fc.boolean(),
    fc.constant(null),
  );
  const odd = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(NaN, Infinity, -Infinity),
    fc.constant(new Date(0)),
    fc.constant(() => 1),
    fc.constant(Symbol('s')),
    fc.constant(BigInt(1)),
  );
  const json = fc.letrec(tie => ({
    value: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    ),
  })).value;
  const withOdd = fc.letrec(tie => ({
    value: fc.oneof(
      { depthSize: 'small' },
      leaf,
      odd,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    ),
  })).value;

  it('writes the same bytes as the general serializer for JSON values', () => {
    fc.assert(
      fc.property(json, v => {
        expect(canonicalJson(v)).toBe(canonicalJsonGeneral(v));
      }),
      { numRuns: 3000 },
    );
  });

  // (all-digit keys take the general path: canonicalOrder leaves them as they are)
  const orderable = fc.letrec(tie => ({
    value: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(
        key.filter(k => !/^[0-9]+$/.test(k)),
        tie('value'),
        { maxKeys: 6 },
      ),
    ),
  })).value;

  it('takes data already in canonical order as it is: same bytes, no copy', () => {
    fc.assert(
      fc.property(orderable, v => {
        const before = canonicalJsonGeneral(v);
        const ordered = canonicalOrder(v);
        // the input is not changed; the ordered value is its canonical form
        expect(canonicalJsonGeneral(v)).toBe(before);
        expect(canonicalJson(ordered)).toBe(before);
        expect(canonicalJsonOfData(ordered)).toBe(before);
        expect(canonicalJsonOfData(v)).toBe(before);
        expect(JSON.stringify(ordered)).toBe(before);
        // ordered data is returned as it is (so canonicalJson copies nothing)
        expect(canonicalOrder(ordered)).toBe(ordered);
        // partly ordered data: a copy only where needed, same bytes
        const mixed = { z: ordered, a: [ordered, { y: 1, b: ordered }] };
        expect(canonicalJson(mixed)).toBe(canonicalJsonGeneral(mixed));
        expect(canonicalJsonOfData(mixed)).toBe(canonicalJsonGeneral(mixed));
        const copy = canonicalOrder(mixed) as typeof mixed;
        expect(copy).not.toBe(mixed);
        expect(copy.z).toBe(ordered);
        expect(copy.a[0]).toBe(ordered);
      }),
      { numRuns: 2000 },
    );
  });

  it('copies what is not plain data, so JSON.stringify never reads the value itself', () => {
    class Point {
      constructor(public x = 1, public y = 2) {}
    }
    let reads = 0;
    const getter = {
      get a() {
        reads += 1;
        return reads === 1 ? 'x' : { z: 1, b: 2 };
      },
    };
    /* eslint-disable no-new-wrappers */
    for (const v of [
      { a: new Number(5) },
      [new Boolean(false)],
      { a: new String('') },
      { a: new Point() },
      { b: Object.create(null, { a: { value: 1, enumerable: true } }) },
    ]) {
      /* eslint-enable no-new-wrappers */
      expect(canonicalJson(v)).toBe(canonicalJsonGeneral(v));
      expect(canonicalJsonOfData(v)).toBe(canonicalJsonGeneral(v));
    }
    // canonicalJson reads each property once, from the copy it serializes
    expect(canonicalJson(getter)).toBe('{"a":"x"}');
    expect(reads).toBe(1);
  });

  it('gives the same bytes or the same error for any value', () => {
    fc.assert(
      fc.property(withOdd, v => {
        expect(outcome(() => canonicalJson(v))).toBe(
          outcome(() => canonicalJsonGeneral(v)),
        );
        expect(outcome(() => canonicalJsonOfData(v))).toBe(
          outcome(() => canonicalJsonGeneral(v)),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on values parsed from JSON text (own __proto__ keys, digit keys)', () => {
    for (const text of [
      '{"__proto__":{"a":1},"b":2}',
      '{"__proto__":null,"b":[1,{"__proto__":"x"}]}',
      '{"2":1,"10":2,"a":3,"1":[]}',
      '{"b":"\\ud800","a":"\\u2028"}',
      '[1e21,-0,0.000001,1e-7,123456789012345680000]',
    ]) {
      const v = JSON.parse(text);
      expect(canonicalJson(v)).toBe(canonicalJsonGeneral(v));
    }
    // sparse arrays and digit keys take the general path
    // eslint-disable-next-line no-sparse-arrays
    expect(outcome(() => canonicalJson([1, , 2]))).toBe(
      // eslint-disable-next-line no-sparse-arrays
      outcome(() => canonicalJsonGeneral([1, , 2])),
    );
    expect(canonicalJson({ 10: 'a', 2: 'b', a: 'c' })).toBe(
      '{"10":"a","2":"b","a":"c"}',
    );
  });

  it('keeps own __proto__ keys as keys (a key JSON text can carry is never dropped)', () => {
    const text = '{"b":2,"__proto__":{"x":1,"__proto__":[1]}}';
    const want = '{"__proto__":{"__proto__":[1],"x":1},"b":2}';
    // fast path
    expect(canonicalJson(JSON.parse(text))).toBe(want);
    // general path (a digit key sends the value there)
    expect(canonicalJson(JSON.parse(`{"1":0,${text.slice(1)}`))).toBe(
      `{"1":0,${want.slice(1)}`,
    );
    expect(canonicalJsonGeneral(JSON.parse(text))).toBe(want);
    // so a value with the key does not serialize (nor hash) as one without
    expect(canonicalJson(JSON.parse(text))).not.toBe(canonicalJson({ b: 2 }));
    // and the copy's prototype is untouched
    expect(canonicalJson(JSON.parse('{"__proto__":{"toJSON":1}}'))).toBe(
      '{"__proto__":{"toJSON":1}}',
    );
  });
});
