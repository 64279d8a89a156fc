import { parseXml } from './xml';

/** Cobertura XML → line coverage percent. */
export function parseCobertura(text: string) {
  const doc = parseXml(text);
  const cov = doc.coverage;
  if (!cov || cov['line-rate'] === undefined) {
    throw new Error('expected a <coverage line-rate=...> root element');
  }
  const rate = Number(cov['line-rate']);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new Error('line-rate must be a number between 0 and 1');
  }
  return {
    linePct: Math.round(rate * 1000) / 10,
    linesValid:
      cov['lines-valid'] !== undefined ? Number(cov['lines-valid']) : null,
    linesCovered:
      cov['lines-covered'] !== undefined ? Number(cov['lines-covered']) : null,
  };
}
