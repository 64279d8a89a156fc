import fs from 'fs';
import path from 'path';
import {
  canonicalJson,
  featureBranch,
  featureId,
  sha256Hex,
} from './featureId';

describe('featureId', () => {
  const spec = {
    name: 'service-c',
    owner: 'group:default/payments-team',
    resources: { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 5 },
  };

  it('is the first 12 hex chars of SHA-256 over the canonical JSON', () => {
    const canonical =
      '{"name":"service-c","owner":"group:default/payments-team","resources":{"cpu":0.5,"memoryMb":512,"storageMb":1024,"storyPoints":5}}';
    expect(canonicalJson(spec)).toBe(canonical);
    const id = featureId(spec);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(id).toBe(sha256Hex(canonical).slice(0, 12));
  });

  it('does not depend on key order or number spelling', () => {
    const reordered = {
      resources: {
        storyPoints: 5,
        storageMb: 1024,
        memoryMb: 512.0,
        cpu: 5e-1,
      },
      owner: 'group:default/payments-team',
      name: 'service-c',
    };
    expect(featureId(reordered)).toBe(featureId(spec));
    expect(featureId({ ...spec, name: 'service-d' })).not.toBe(featureId(spec));
  });

  it('hashes a known value', () => {
    // sha256("{}") = 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
    expect(featureId({})).toBe('44136fa355b3');
  });

  it('rejects values without a JSON form', () => {
    expect(() => featureId(undefined)).toThrow(TypeError);
  });

  it.each([
    [
      { ...spec, resources: { ...spec.resources, cpu: NaN } },
      '$.resources.cpu: NaN',
    ],
    [{ ...spec, canarySteps: [10, Infinity] }, '$.canarySteps[1]: Infinity'],
    [-Infinity, '$: -Infinity'],
  ])('rejects non-finite numbers, naming where they are (%#)', (value, at) => {
    const message = `Cannot canonicalize ${at} is not a finite number`;
    expect(() => featureId(value)).toThrow(message);
    expect(() => featureId(value)).toThrow(TypeError);
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it('names the branch after the feature', () => {
    expect(featureBranch('0123456789ab')).toBe(
      'auto/spec-implementation/0123456789ab',
    );
  });

  // RFC 8785 vectors, copied into the package (testdata/README.md).
  const jcsDir = path.resolve(__dirname, '../testdata/jcs');
  const vectors = fs.readdirSync(path.join(jcsDir, 'input'));
  for (const file of vectors) {
    it(`canonicalizes the RFC 8785 vector ${file}`, () => {
      const input = JSON.parse(
        fs.readFileSync(path.join(jcsDir, 'input', file), 'utf8'),
      );
      const expected = fs.readFileSync(
        path.join(jcsDir, 'output', file),
        'utf8',
      );
      expect(canonicalJson(input)).toBe(expected.replace(/\n$/, ''));
    });
  }
  it('finds the RFC 8785 vectors in testdata/jcs', () => {
    expect(vectors.length).toBeGreaterThan(0);
  });
});
