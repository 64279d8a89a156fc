/** Deterministic latency-like sample (normal or log-normal) for tests. */
export function latency(
  n: number,
  seed: number,
  shift = 1,
  logNormal = false,
): number[] {
  let s = seed;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return Array.from({ length: n }, () => {
    const g = Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    return logNormal
      ? 100 * shift * Math.exp(0.25 * g)
      : shift * (120 + 15 * g);
  });
}
