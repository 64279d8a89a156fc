import fs from 'node:fs';
import path from 'node:path';
import { judge } from '../judge/judge';
import { argoWebMetricResponse } from './webMetric';
import {
  evalArgoCondition,
  evaluateArgoWebMetric,
  k8sJsonPath,
} from './argoEvaluate';

/** The AnalysisTemplate documented in the README, as Argo would read it. */
function documentedTemplate() {
  const readme = fs.readFileSync(
    path.resolve(__dirname, '../../README.md'),
    'utf8',
  );
  const block =
    /<!-- argo-analysis-template:start -->([\s\S]*?)<!-- argo-analysis-template:end -->/.exec(
      readme,
    )![1];
  const field = (name: string) => {
    const m = new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(block);
    if (!m) throw new Error(`${name} missing from the README template`);
    const raw = m[1].trim();
    // YAML scalars: '…' (quotes doubled), "…" (JSON-like escapes), or plain
    if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
    if (raw.startsWith('"')) return JSON.parse(raw);
    return raw;
  };
  return {
    jsonPath: field('jsonPath'),
    successCondition: field('successCondition'),
    failureCondition: field('failureCondition'),
  };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const verdict = (canary: number[]) =>
  judge({
    metrics: [
      { name: 'latency', canary, baseline: range(100, 139) },
      { name: 'errors', canary: range(1, 40), baseline: range(1, 40) },
    ],
    thresholds: { pass: 95, marginal: 40 },
  });
// Argo reads the HTTP body: serialise exactly as the endpoint does
const body = (v: ReturnType<typeof verdict>) =>
  JSON.stringify(argoWebMetricResponse(v, { evidenceHash: 'sha256:abc' }));

describe('Argo Rollouts web metric provider contract', () => {
  const template = documentedTemplate();
  const pass = verdict(range(100, 139));
  const marginal = verdict(range(200, 239)); // latency High → score 50
  const fail = judge({
    metrics: [
      {
        name: 'latency',
        canary: range(200, 239),
        baseline: range(100, 139),
        critical: true,
      },
    ],
    thresholds: { pass: 95, marginal: 40 },
  });

  it('the README template reads the classification', () => {
    expect(template).toEqual({
      jsonPath: '{$}',
      successCondition: 'result.classification == "Pass"',
      failureCondition: 'result.classification == "Fail"',
    });
    expect([
      pass.classification,
      marginal.classification,
      fail.classification,
    ]).toEqual(['Pass', 'Marginal', 'Fail']);
  });

  it('Pass → Successful, Marginal → Inconclusive (Argo pauses), Fail → Failed (Argo aborts)', () => {
    expect(evaluateArgoWebMetric(body(pass), template).phase).toBe(
      'Successful',
    );
    expect(evaluateArgoWebMetric(body(marginal), template).phase).toBe(
      'Inconclusive',
    );
    expect(evaluateArgoWebMetric(body(fail), template).phase).toBe('Failed');
  });

  it('the measurement value Argo stores is the JSON of the selected value', () => {
    const r = evaluateArgoWebMetric(body(pass), {
      jsonPath: '{$.classification}',
      successCondition: 'result == "Pass"',
    });
    expect(r).toEqual({ phase: 'Successful', value: '"Pass"' });
    expect(
      evaluateArgoWebMetric(body(fail), {
        jsonPath: '{$.score}',
        successCondition: 'result >= 90',
      }),
    ).toEqual({ phase: 'Failed', value: '0' });
  });

  it('other documented conditions', () => {
    expect(
      evaluateArgoWebMetric(body(pass), { successCondition: 'result.pass' })
        .phase,
    ).toBe('Successful');
    expect(
      evaluateArgoWebMetric(body(marginal), {
        successCondition: 'result.pass == true',
      }).phase,
    ).toBe('Failed');
    expect(
      evaluateArgoWebMetric(body(marginal), {
        successCondition: 'result.score >= 40 && !result.fail',
      }).phase,
    ).toBe('Successful');
    expect(
      evaluateArgoWebMetric(body(pass), {
        jsonPath: '{$.metrics[0].classification}',
        successCondition: 'result == "Pass"',
      }).phase,
    ).toBe('Successful');
  });

  it('is JSON-safe: NaN effect sizes become null', () => {
    const v = judge({
      metrics: [
        {
          name: 'm',
          canary: range(11, 30),
          baseline: range(-10, 9).map(x => x + 0.5 - 0.5),
        },
      ],
      thresholds: { pass: 95, marginal: 75 },
    });
    const zeroMean = judge({
      metrics: [
        {
          name: 'm',
          canary: range(11, 30),
          baseline: [...range(-10, -1), ...range(1, 10)],
        },
      ],
      thresholds: { pass: 95, marginal: 75 },
    });
    expect(zeroMean.metrics[0].effectSize).toBeNaN();
    expect(argoWebMetricResponse(zeroMean).metrics[0].effectSize).toBeNull();
    expect(JSON.parse(JSON.stringify(argoWebMetricResponse(v)))).toEqual(
      argoWebMetricResponse(v),
    );
  });

  describe('Argo semantics replayed (webmetric.go, evaluate.go)', () => {
    it('a missing JSONPath key is an Error naming it; no value is an Error', () => {
      expect(
        evaluateArgoWebMetric('{"a":1}', {
          jsonPath: '{$.nope}',
          successCondition: 'result == 1',
        }),
      ).toMatchObject({
        phase: 'Error',
        message: 'Could not find JSONPath in body: nope is not found',
      });
      expect(
        evaluateArgoWebMetric('{"a":[]}', {
          jsonPath: '{$.a[*]}',
          successCondition: 'result == 1',
        }),
      ).toMatchObject({
        phase: 'Error',
        message: 'result of web metric produced no value',
      });
    });
    it('only a failure condition: not true → Successful; none → Successful; a non-bool → Error', () => {
      expect(
        evaluateArgoWebMetric('{"x":1}', { failureCondition: 'result.x > 2' })
          .phase,
      ).toBe('Successful');
      expect(evaluateArgoWebMetric('{"x":1}', {}).phase).toBe('Successful');
      expect(
        evaluateArgoWebMetric('{"x":1}', { successCondition: 'result.x' }),
      ).toMatchObject({ phase: 'Error' });
    });
    it('a non-JSON body is the result string', () => {
      expect(
        evaluateArgoWebMetric('I am OK', {
          successCondition: 'result == "I am OK"',
        }).phase,
      ).toBe('Successful');
    });
    it('missing map keys read as nil; arithmetic, precedence, functions', () => {
      expect(evalArgoCondition('result.missing == nil', { a: 1 })).toBe(true);
      expect(evalArgoCondition('1 + 2 * 3 == 7 and not false', null)).toBe(
        true,
      );
      expect(evalArgoCondition('asFloat(result) > 0.5', '0.75')).toBe(true);
      expect(
        evalArgoCondition("result['a'][1] == 'b'", { a: ['a', 'b'] }),
      ).toBe(true);
      expect(() => evalArgoCondition('result.a.b', {})).toThrow('nil');
    });
    it('JSONPath: root, fields, indexes, wildcards', () => {
      const d = { a: { b: [1, 2, 3] }, 'c-d': 4 };
      expect(k8sJsonPath(d, '{$}')).toEqual([d]);
      expect(k8sJsonPath(d, '{.a.b[1]}')).toEqual([2]);
      expect(k8sJsonPath(d, '{$.a.b[-1]}')).toEqual([3]);
      expect(k8sJsonPath(d, '{$.a.b[*]}')).toEqual([1, 2, 3]);
      expect(k8sJsonPath(d, "{$['c-d']}")).toEqual([4]);
    });
  });
});
