import fc from 'fast-check';
import { assertIJson, MAX_JSON_DEPTH } from './inputLimits';

const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('assertIJson', () => {
  it('names the field of a lone surrogate in a value, a key, and at the top', () => {
    expect(() =>
      assertIJson({ payload: { a: ['ok', { b: 'x\uD800y' }] } }),
    ).toThrow(
      /^payload\.a\.1\.b: contains a lone surrogate \(not valid Unicode, RFC 7493 I-JSON\)$/,
    );
    expect(() => assertIJson({ summary: { ['k\uDC00']: 1 } })).toThrow(
      /^summary: a key contains a lone surrogate/,
    );
    expect(() => assertIJson('\uDBFF')).toThrow(/^body: contains a lone/);
    // a surrogate pair is not a lone surrogate
    expect(() =>
      assertIJson({ s: '\uD83D\uDE00', ['\uD83D\uDE00']: 1 }),
    ).not.toThrow();
  });

  it('names the path of a __proto__ key and of nesting past the limit', () => {
    expect(() =>
      assertIJson(JSON.parse('{"payload":[{"__proto__":{"x":1}}]}')),
    ).toThrow(/^payload\.0\.__proto__: the key __proto__ is not accepted$/);
    const deep = (d: number, leaf: unknown): unknown =>
      d === 0 ? leaf : { x: deep(d - 1, leaf) };
    expect(() => assertIJson(deep(MAX_JSON_DEPTH, 1))).not.toThrow();
    // a number, not only a container, one level past the limit is refused
    expect(() => assertIJson(deep(MAX_JSON_DEPTH + 1, 1))).toThrow(
      new RegExp(
        `^${Array(MAX_JSON_DEPTH + 1)
          .fill('x')
          .join('\\.')}: nested deeper than ${MAX_JSON_DEPTH} levels$`,
      ),
    );
    expect(() => assertIJson(deep(3, 1), ['records', '7'])).not.toThrow();
    expect(() => assertIJson({ a: '\uD800' }, ['records', '7'])).toThrow(
      /^records\.7\.a: contains a lone surrogate/,
    );
  });

  it('refuses exactly the strings with a lone surrogate (as the RFC 7493 pattern does)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a', 'é'),
            fc.string({ unit: 'binary', maxLength: 3 }),
          ),
        ),
        parts => {
          const s = parts.join('');
          let refused = false;
          try {
            assertIJson({ v: s, [s]: 1 });
          } catch {
            refused = true;
          }
          expect(refused).toBe(LONE_SURROGATE.test(s));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
