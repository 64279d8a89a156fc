import fc from 'fast-check';
import { fmt, pct } from './format';

/** The formatting as first written (toPrecision round trip): the reference. */
function reference(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

describe('fmt', () => {
  it('writes what the toPrecision round trip writes (random doubles across the range)', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, min: -2e6, max: 2e6 }),
        fc.integer({ min: -6, max: 6 }),
        (d, e) => {
          const v = d * 10 ** e;
          expect(fmt(v)).toBe(reference(v));
          expect(pct(v)).toBe(`${Number((v * 100).toPrecision(4))}%`);
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('writes the same at ties, near powers of ten and at the ends of the range', () => {
    const values = [
      1.0005,
      1.00049999,
      0.00012345,
      0.000123450001,
      999.95,
      9999.5,
      99995,
      123456.5,
      999999.4,
      0.0001,
      0.00009999,
      1e-4,
      1e6,
      999.9999999999,
      1000.00000001,
      9.9995,
      2.5e-3,
      0.98,
      0.25,
      3.75,
      12345,
      -0.125,
      -9999.5,
      1 / 3,
      2 / 3,
      0.1 + 0.2,
      100.05,
      1.2345,
      5.555e-3,
    ];
    for (const base of values) {
      for (const v of [
        base,
        -base,
        base * (1 + 2 ** -52),
        base * (1 - 2 ** -53),
      ]) {
        expect(fmt(v)).toBe(reference(v));
        expect(pct(v)).toBe(`${Number((v * 100).toPrecision(4))}%`);
      }
    }
    expect(fmt(null)).toBe('n/a');
    expect(fmt(undefined)).toBe('n/a');
    expect(fmt(NaN)).toBe('NaN');
    expect(fmt(-Infinity)).toBe('-∞');
    expect(fmt(95)).toBe('95');
    expect(fmt(0.9374)).toBe('0.9374');
    expect(pct(0.98)).toBe('98%');
  });
});
