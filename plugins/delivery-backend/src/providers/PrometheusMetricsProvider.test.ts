import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PrometheusMetricsProvider } from './PrometheusMetricsProvider';
import { valuesOf } from './types';

/**
 * Integration test against a REAL Prometheus server (Debian's `prometheus`
 * package; CI installs it via scripts/prerequisites.sh). The harness starts a
 * tiny emitter of canary (v2) and baseline (v1) series, then Prometheus on a
 * free port with a temp data dir scraping it every second.
 */
const PROMETHEUS = process.env.ASSAY_PROMETHEUS_BIN ?? '/usr/bin/prometheus';

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>(r => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise(r => s.close(r));
  return port;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('PrometheusMetricsProvider against a real Prometheus', () => {
  let emitter: http.Server;
  let prom: ChildProcess;
  let dir: string;
  let baseUrl: string;
  let started: Date;
  let scrapes = 0;
  let requestsV1 = 0;
  let requestsV2 = 0;

  beforeAll(async () => {
    if (!fs.existsSync(PROMETHEUS)) {
      throw new Error(
        `${PROMETHEUS} not found: install Debian's prometheus package (scripts/prerequisites.sh)`,
      );
    }
    // canary v2 is ~30% slower; it gets 10% of the requests
    emitter = http.createServer((_req, res) => {
      scrapes++;
      requestsV1 += 90;
      requestsV2 += 10;
      const wobble = (scrapes % 5) - 2;
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(
        [
          '# TYPE demo_latency_ms gauge',
          `demo_latency_ms{app="service-a",version="v1"} ${100 + wobble}`,
          `demo_latency_ms{app="service-a",version="v2"} ${130 + wobble}`,
          '# TYPE demo_requests_total counter',
          `demo_requests_total{app="service-a",version="v1"} ${requestsV1}`,
          `demo_requests_total{app="service-a",version="v2"} ${requestsV2}`,
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>(r => emitter.listen(0, '127.0.0.1', r));
    const emitterPort = (emitter.address() as AddressInfo).port;

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-prom-'));
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: emitter',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${emitterPort}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    started = new Date();
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${baseUrl}/-/ready`)
        .then(r => r.ok)
        .catch(() => false);
      if (ok) break;
      await sleep(200);
    }
    // enough scrapes for a sample of ≥ 6 points and a rate()
    while (scrapes < 8) await sleep(250);
    await sleep(1500);
  }, 60000);

  afterAll(async () => {
    prom?.kill('SIGTERM');
    await new Promise(r => emitter?.close(r));
    if (prom && prom.exitCode === null) {
      await new Promise(r => prom.on('exit', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('range-queries each metric per version and measures the traffic share', async () => {
    const provider = new PrometheusMetricsProvider({
      baseUrl,
      stepSeconds: 1,
      trafficQuery:
        'sum(rate(demo_requests_total{app="${name}",version="${version}"}[4s]))',
    });
    const result = await provider.query({
      runId: 'r1',
      entityRef: 'component:default/service-a',
      canaryVersion: 'v2',
      baselineVersion: 'v1',
      metrics: [
        {
          name: 'latency',
          query: 'max(demo_latency_ms{app="${name}",version="${version}"})',
        },
        { name: 'missing', query: 'demo_nothing{version="${version}"}' },
      ],
      start: started,
      end: new Date(),
    });
    const latency = result.series.find(s => s.metric === 'latency')!;
    const canary = valuesOf(latency.canary);
    const baseline = valuesOf(latency.baseline);
    expect(canary.length).toBeGreaterThanOrEqual(5);
    expect(baseline.length).toBeGreaterThanOrEqual(5);
    expect(Math.min(...canary)).toBeGreaterThanOrEqual(128);
    expect(Math.max(...baseline)).toBeLessThanOrEqual(102);
    // timestamps are seconds, ascending, 1 s apart
    expect(latency.canary[1].t - latency.canary[0].t).toBe(1);
    // no data is an empty series, not an error
    expect(result.series.find(s => s.metric === 'missing')).toEqual({
      metric: 'missing',
      canary: [],
      baseline: [],
    });
    expect(result.observedWeight).not.toBeNull();
    expect(result.observedWeight!).toBeGreaterThan(8);
    expect(result.observedWeight!).toBeLessThan(12);
  });

  it('reports a PromQL error with the query', async () => {
    const provider = new PrometheusMetricsProvider({ baseUrl, stepSeconds: 1 });
    await expect(
      provider.query({
        runId: 'r1',
        entityRef: 'component:default/service-a',
        canaryVersion: 'v2',
        baselineVersion: 'v1',
        metrics: [{ name: 'bad', query: 'sum(rate(' }],
        start: started,
        end: new Date(),
      }),
    ).rejects.toThrow(/Prometheus query failed \(400\).*sum\(rate\(/);
  });
});
