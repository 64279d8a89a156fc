import { createHash } from 'node:crypto';
import { EvidenceEnvelope, recordHash } from '@assay/plugin-evidence-common';
import { envelopeMatches, sortedJson } from './hashing';

const sha256Text = (text: string) =>
  createHash('sha256').update(text, 'utf8').digest('hex');
const sha256Bytes = (data: Uint8Array) =>
  new Uint8Array(createHash('sha256').update(data).digest());

const envelope: EvidenceEnvelope = {
  v: 1,
  entityRef: 'component:default/service-a',
  seq: 3,
  category: 'sbom',
  subject: { commit: 'a'.repeat(40), version: '1.2.3' },
  summary: { critical: 0, high: 2, medium: 3, tool: 'syft', ok: true },
  payloadDigest: `sha256:${'b'.repeat(64)}`,
  artifacts: [
    {
      name: 'sbom.json',
      digest: `sha256:${'c'.repeat(64)}`,
      mediaType: 'application/vnd.cyclonedx+json',
      size: 1234,
    } as any,
  ],
  producer: 'service:ci',
  producedAt: '2026-11-29T10:00:00.000Z',
  recordedAt: '2026-11-29T10:00:01.000Z',
  previousHash: 'd'.repeat(64),
};

describe('envelopeMatches', () => {
  it('matches the RFC 8785 record hash on the fast path (no full canonicalization)', () => {
    const hash = recordHash(envelope);
    const bytes = jest.fn(sha256Bytes);
    const text = jest.fn(sha256Text);
    expect(envelopeMatches(envelope, hash, bytes, text)).toBe(true);
    expect(text).toHaveBeenCalledTimes(1);
    expect(bytes).not.toHaveBeenCalled(); // the fallback hashes bytes
    // without subject / with nulls, and with the bytes hash only
    const first = {
      ...envelope,
      seq: 1,
      previousHash: null,
      payloadDigest: null,
    };
    delete (first as any).subject;
    const b2 = jest.fn(sha256Bytes);
    expect(envelopeMatches(first, recordHash(first), b2)).toBe(true);
    expect(b2).toHaveBeenCalledTimes(1);
  });

  it('refuses a changed envelope, and an envelope with an unknown field still verifies exactly', () => {
    const hash = recordHash(envelope);
    const changed = { ...envelope, summary: { ...envelope.summary, high: 0 } };
    expect(envelopeMatches(changed, hash, sha256Bytes, sha256Text)).toBe(false);
    const extra = { ...envelope, zExtra: 1 } as any;
    expect(
      envelopeMatches(extra, recordHash(extra), sha256Bytes, sha256Text),
    ).toBe(true);
    expect(envelopeMatches(extra, hash, sha256Bytes, sha256Text)).toBe(false);
  });

  it('refuses an envelope with an own __proto__ key added to its summary (the key is hashed, not dropped)', () => {
    const hash = recordHash(envelope);
    const tampered = JSON.parse(JSON.stringify(envelope));
    Object.defineProperty(tampered.summary, '__proto__', {
      value: { critical: 0 },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(Object.keys(tampered.summary)).toContain('__proto__');
    expect(envelopeMatches(tampered, hash, sha256Bytes, sha256Text)).toBe(
      false,
    );
    expect(recordHash(tampered)).not.toBe(hash);
    // as JSON.parse of a tampered record's text gives it
    const parsed = JSON.parse(
      JSON.stringify(envelope).replace(
        '"summary":{',
        '"summary":{"__proto__":{"critical":0},',
      ),
    );
    expect(envelopeMatches(parsed, hash, sha256Bytes, sha256Text)).toBe(false);
  });
});

describe('sortedJson', () => {
  it('keeps own __proto__ keys (JSON.parse makes them): a value with one does not hash as one without', () => {
    const withKey = JSON.parse('{"b":{"c":1},"a":{"__proto__":{"rule":1}}}');
    expect(sortedJson(withKey)).toBe(
      '{"a":{"__proto__":{"rule":1}},"b":{"c":1}}',
    );
    expect(sortedJson(withKey)).not.toBe(sortedJson({ b: { c: 1 }, a: {} }));
  });

  // a generic reference: every object rebuilt with sorted keys
  const reference = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(reference);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = reference(x);
      }
      return out;
    }
    return v;
  };

  it.each([
    [{ a: 1, b: 'x', c: null, d: true }], // already sorted, flat: used as is
    [{ b: 1, a: 2 }],
    [{ '9': 1, '10': 2, a: 3 }], // integer-like keys iterate first, unsorted
    [{ a: 1, b: undefined, c: 2 }],
    [{ a: { d: 1, c: 2 }, b: [3, { f: 1, e: 2 }] }],
    [[1, 'a', null, true]],
    [[{ b: 1, a: 2 }]],
    [Object.assign(Object.create(null), { b: 1, a: 2 })],
  ])('writes %j with sorted keys at every level', value => {
    expect(sortedJson(value)).toBe(JSON.stringify(reference(value)));
  });
});
