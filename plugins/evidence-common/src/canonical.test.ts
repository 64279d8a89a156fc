import fs from 'fs';
import path from 'path';
import { canonicalBytes, canonicalJson } from './canonical';
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
