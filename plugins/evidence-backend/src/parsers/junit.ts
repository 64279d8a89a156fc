import { asArray, parseXml } from './xml';

/** JUnit XML (testsuites or a single testsuite) → counts. */
export function parseJunit(text: string) {
  const doc = parseXml(text);
  let suites: unknown[] | null = null;
  if (doc.testsuites) suites = asArray(doc.testsuites.testsuite);
  else if (doc.testsuite) suites = asArray(doc.testsuite);
  if (!suites) {
    throw new Error('expected a <testsuites> or <testsuite> root element');
  }
  const t = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  let time = 0;
  for (const s of suites as any[]) {
    const cases = asArray<any>(s.testcase);
    t.tests += s.tests !== undefined ? Number(s.tests) : cases.length;
    t.failures +=
      s.failures !== undefined
        ? Number(s.failures)
        : cases.filter(c => c.failure !== undefined).length;
    t.errors +=
      s.errors !== undefined
        ? Number(s.errors)
        : cases.filter(c => c.error !== undefined).length;
    t.skipped += Number(
      s.skipped ??
        s.disabled ??
        cases.filter(c => c.skipped !== undefined).length,
    );
    time += Number(s.time ?? 0);
  }
  if (Object.values(t).some(n => !Number.isFinite(n))) {
    throw new Error('tests/failures/errors/skipped must be numbers');
  }
  return {
    ...t,
    passed: t.tests - t.failures - t.errors - t.skipped,
    durationSeconds: Math.round(time * 1000) / 1000,
  };
}
