import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import yaml from 'yaml';

/**
 * promtool from Debian's `prometheus` package (scripts/prerequisites.sh
 * installs it). Missing promtool is an error, never a skip.
 */
export function promtoolPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v promtool']);
  const bin = found.stdout?.toString().trim();
  if (found.status !== 0 || !bin) {
    throw new Error(
      "promtool not found: install Debian's prometheus package (scripts/prerequisites.sh does)",
    );
  }
  return bin;
}

/** Runs promtool in a temporary folder holding `files`; returns its output. */
export function runPromtool(
  args: string[],
  files: Record<string, string>,
): { status: number; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-promtool-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), content);
    }
    const r = spawnSync(promtoolPath(), args, { cwd: dir });
    return {
      status: r.status ?? 1,
      output: `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Prometheus' `%.4g` as its template functions print numbers. */
function g4(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** Prometheus' `humanize` template function (values used here). */
export function humanize(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return g4(value);
  const big = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
  const small = ['', 'm', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
  let v = value;
  let i = 0;
  if (Math.abs(v) >= 1) {
    while (Math.abs(v) >= 1000 && i < big.length - 1) {
      v /= 1000;
      i++;
    }
    return `${g4(v)}${big[i]}`;
  }
  while (Math.abs(v) < 1 && i < small.length - 1) {
    v *= 1000;
    i++;
  }
  return `${g4(v)}${small[i]}`;
}

/** Prometheus' `humanizePercentage`. */
export const humanizePercentage = (v: number) => `${g4(v * 100)}%`;

/** Prometheus' `humanizeDuration` (seconds), for values below a minute. */
export function humanizeDuration(value: number): string {
  let v = value;
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    if (Math.abs(v) >= 60) throw new Error(`not needed here: ${v}`);
    return `${g4(v)}s`;
  }
  const small = ['', 'm', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
  let i = 0;
  while (Math.abs(v) < 1 && i < small.length - 1) {
    v *= 1000;
    i++;
  }
  return `${g4(v)}${small[i]}s`;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The number an alert compares against: the last `> x` / `< x` of its expr. */
export function thresholdOf(rule: AlertRule): number {
  const all = [...rule.expr.matchAll(/[<>]\s*([0-9.eE+-]+)/g)];
  if (!all.length)
    throw new Error(`${rule.alert}: no threshold in ${rule.expr}`);
  return Number(all[all.length - 1][1]);
}

const PER_MINUTE = 600;

/** Minutes in a Prometheus duration such as `15m`, `2h`, `1d`. */
function minutes(duration: string): number {
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (!m) throw new Error(`unsupported duration ${duration}`);
  return Number(m[1]) * { s: 1 / 60, m: 1, h: 60, d: 1440 }[m[2] as 's']!;
}

/**
 * promtool unit tests for the generated rules: for every alert, one group
 * whose series fire it (with the labels and annotations it must carry) and
 * one whose series do not. The series are what the cluster really emits:
 * Istio's destination-reported metrics and the app's own http_* series.
 */
export function alertUnitTests(options: {
  rules: AlertRule[];
  namespace: string;
  name: string;
}): string {
  const { rules, namespace, name } = options;
  const mesh = (extra: Record<string, string>) => ({
    reporter: 'destination',
    destination_workload_namespace: namespace,
    destination_workload: name,
    destination_version: 'stable',
    ...extra,
  });
  let length = 0;
  const series = (
    metric: string,
    labels: Record<string, string>,
    perMin: number,
  ) => ({
    series: `${metric}{${Object.entries(labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`,
    values: `0+${perMin}x${length}`,
  });
  // errors as the callers' sidecars report them (reporter="source")
  const source = (extra: Record<string, string>) => ({
    reporter: 'source',
    destination_service_namespace: namespace,
    destination_service_name: name,
    source_workload: 'caller',
    ...extra,
  });
  const requests = (errorRatio: number) => [
    series(
      'istio_requests_total',
      source({ response_code: '200' }),
      PER_MINUTE * (1 - errorRatio),
    ),
    series(
      'istio_requests_total',
      source({ response_code: '500' }),
      PER_MINUTE * errorRatio,
    ),
    // the destination sidecar saw no errors: it must not hide the callers'
    series('istio_requests_total', mesh({ response_code: '200' }), PER_MINUTE),
  ];
  const up = (value: 0 | 1) => ({
    series: `up{namespace=${JSON.stringify(namespace)},pod=${JSON.stringify(
      `${name}-7d9f8-abcde`,
    )}}`,
    values: `${value}x${length}`,
  });
  // buckets at threshold/2 and 2x threshold: all below (fast) or all between (slow)
  const histogram = (
    metric: string,
    labels: Record<string, string>,
    threshold: number,
    slow: boolean,
  ) => [
    series(
      metric,
      { ...labels, le: String(threshold / 2) },
      slow ? 0 : PER_MINUTE,
    ),
    series(metric, { ...labels, le: String(threshold * 2) }, PER_MINUTE),
    series(metric, { ...labels, le: '+Inf' }, PER_MINUTE),
  ];
  // p95 of the slow histogram: linear interpolation inside (t/2, 2t]
  const slowP95 = (t: number) => t / 2 + (2 * t - t / 2) * 0.95;
  const app = (route: string) => ({
    app: name,
    version: 'stable',
    method: 'GET',
    path: route,
    track: 'stable',
  });

  const tests: any[] = [];
  for (const rule of rules) {
    // rates over a long window are defined from the second sample on, so an
    // alert holds from the start and fires once its `for` has passed
    const evalMinutes = minutes(rule.for ?? '0m') + 15;
    length = evalMinutes + 5;
    const t = rule.alert === 'ServiceDown' ? 0 : thresholdOf(rule);
    let firing: any[];
    let quiet: any[];
    let value: string | undefined;
    if (
      rule.alert.startsWith('ErrorBudgetBurn') ||
      rule.alert === 'HighErrorRate'
    ) {
      const ratio = Math.min(1, 2 * t);
      firing = requests(ratio);
      quiet = requests(t / 2);
      value = humanizePercentage(ratio);
    } else if (rule.alert === 'ServiceDown') {
      firing = [up(0)];
      quiet = [up(1)];
    } else if (rule.alert === 'HighLatency') {
      const m = 'istio_request_duration_milliseconds_bucket';
      firing = histogram(m, mesh({}), t, true);
      quiet = histogram(m, mesh({}), t, false);
      value = humanize(slowP95(t));
    } else if (rule.alert === 'AppLatencyNearSlo') {
      const m = 'http_request_duration_seconds_bucket';
      firing = histogram(m, app('/api/v1/items'), t, true);
      // slow probes and scrapes must not count
      quiet = [
        ...histogram(m, app('/api/v1/items'), t, false),
        ...histogram(m, app('/healthz'), t, true),
        ...histogram(m, app('/metrics'), t, true),
      ];
      value = humanizeDuration(slowP95(t));
    } else {
      throw new Error(`no unit test for alert ${rule.alert}`);
    }
    const annotations = Object.fromEntries(
      Object.entries(rule.annotations).map(([k, v]) => [
        k,
        v.replace(/\{\{ \$value \| \w+ \}\}/g, value ?? ''),
      ]),
    );
    const evalTime = `${evalMinutes}m`;
    tests.push(
      {
        name: `${rule.alert} fires`,
        interval: '1m',
        input_series: firing,
        alert_rule_test: [
          {
            eval_time: evalTime,
            alertname: rule.alert,
            exp_alerts: [
              { exp_labels: rule.labels, exp_annotations: annotations },
            ],
          },
        ],
      },
      {
        name: `${rule.alert} stays quiet`,
        interval: '1m',
        input_series: quiet,
        alert_rule_test: [
          { eval_time: evalTime, alertname: rule.alert, exp_alerts: [] },
        ],
      },
    );
  }
  return yaml.stringify({
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests,
  });
}
