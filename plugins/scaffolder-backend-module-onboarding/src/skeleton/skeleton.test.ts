import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import ts from 'typescript';
import yaml from 'yaml';
import {
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { EVIDENCE_CATEGORIES } from '@assay/plugin-evidence-common';
import { featureId, parseCheckpoint } from '@assay/plugin-onboarding-common';
import { startScaffolder } from '../__testUtils__/renderTemplate';

jest.setTimeout(120_000);

const sha256 = (data: Buffer) =>
  createHash('sha256').update(data).digest('hex');

interface Case {
  title: string;
  values: Record<string, unknown>;
  expected: {
    name: string;
    cpu: string;
    memory: string;
    storage: string;
    canary: number;
    steps: string;
    p95Ms: number;
    p95Source: string;
    errorRate: number;
    errorRateSource: string;
    availability: number;
    availabilitySource: string;
    warnings: number;
  };
}

const base = {
  description: 'Payment reconciliation',
  owner: 'group:default/payments-team',
  system: 'system:default/example-service',
  dependencies: ['component:default/service-a'],
};

const cases: Case[] = [
  {
    title: 'python, compliance mode, defaults',
    values: {
      ...base,
      name: 'service-c',
      runtime: 'python',
      mode: 'compliance',
      resources: { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 3 },
      canarySteps: '10,50,100',
    },
    expected: {
      name: 'service-c',
      cpu: '500m',
      memory: '512Mi',
      storage: '1024Mi',
      canary: 10,
      steps: '10,50,100',
      p95Ms: 300,
      p95Source: 'mode',
      errorRate: 0.005,
      errorRateSource: 'mode',
      availability: 0.999,
      availabilitySource: 'mode',
      warnings: 0,
    },
  },
  {
    title: 'node, sandbox mode, out-of-range CPU, own canary steps and p95',
    values: {
      ...base,
      name: 'service-d',
      runtime: 'node',
      mode: 'sandbox',
      resources: { cpu: 20, memoryMb: 256, storageMb: 50, storyPoints: 8 },
      canarySteps: '5, 25, 100',
      sloP95Ms: 250,
    },
    expected: {
      name: 'service-d',
      cpu: '20000m',
      memory: '256Mi',
      storage: '50Mi',
      canary: 5,
      steps: '5,25,100',
      p95Ms: 250,
      p95Source: 'service',
      errorRate: 0.05,
      errorRateSource: 'mode',
      availability: 0.995,
      availabilitySource: 'global',
      warnings: 1,
    },
  },
];

const RUNTIMES = {
  python: {
    dockerFrom: /^FROM python:3\.11/m,
    entry: 'app/main.py',
    health: '"/healthz"',
    metrics: '"/metrics"',
    sources: ['app/__init__.py', 'app/main.py', 'tests/test_main.py'],
  },
  node: {
    dockerFrom: /^FROM node:22/m,
    entry: 'src/server.ts',
    health: "'/healthz'",
    metrics: "'/metrics'",
    sources: ['src/server.ts', 'src/main.ts', 'src/server.test.ts'],
  },
};

const python = ['python3.11', 'python3'].find(bin => {
  try {
    execFileSync(bin, ['--version']);
    return true;
  } catch {
    return false;
  }
});

/**
 * Syntax errors of generated sources: TypeScript through the compiler's
 * parser, Python through py_compile when a Python is installed.
 */
function syntaxErrors(sources: Record<string, string>): string[] {
  const errors: string[] = [];
  const py = Object.keys(sources).filter(f => f.endsWith('.py'));
  for (const [file, source] of Object.entries(sources)) {
    if (file.endsWith('.ts')) {
      const { diagnostics = [] } = ts.transpileModule(source, {
        reportDiagnostics: true,
        fileName: file,
      });
      errors.push(
        ...diagnostics.map(
          d =>
            `${file}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
        ),
      );
    }
  }
  if (py.length && python) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onb-py-'));
    try {
      for (const f of py) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), sources[f]);
      }
      execFileSync(python, ['-m', 'py_compile', ...py], {
        cwd: dir,
        stdio: 'pipe',
      });
    } catch (e) {
      errors.push(String((e as { stderr?: Buffer }).stderr ?? e));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return errors;
}

const entityPolicy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

describe('service-onboarding template, rendered by the scaffolder', () => {
  const publishDir = createMockDirectory();
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;

  beforeAll(async () => {
    scaffolder = await startScaffolder({ publishDir: publishDir.path });
  });
  afterAll(() => scaffolder?.backend.stop());

  describe.each(cases)('$title', ({ values, expected }) => {
    let files: Map<string, Buffer>;
    let body: any;
    const text = (p: string) => {
      const data = files.get(p);
      if (!data)
        throw new Error(`missing ${p}; have ${[...files.keys()].join(', ')}`);
      return data.toString('utf8');
    };
    const docs = (p: string) =>
      yaml
        .parseAllDocuments(text(p))
        .map(d => d.toJS())
        .filter(Boolean);
    const one = (p: string, kind: string) => {
      const found = docs(p).filter((d: any) => d.kind === kind);
      expect(found).toHaveLength(1);
      return found[0] as any;
    };
    let id: string;
    const component = () => docs('catalog-info.yaml')[0] as any;

    beforeAll(async () => {
      const result = await scaffolder.dryRun(values);
      if (result.status !== 200) {
        throw new Error(`dry run failed: ${JSON.stringify(result.body)}`);
      }
      files = result.files;
      body = result.body;
      id = (component() as Entity).metadata.annotations![
        'assay.dev/feature-id'
      ];
    });

    it('runs every step', () => {
      const failed = (body.log ?? []).filter(
        (l: any) => l.body?.status === 'failed',
      );
      expect(failed).toEqual([]);
      expect(body.steps.map((s: any) => s.id)).toEqual([
        'identify',
        'validate',
        'cli',
        'callers',
        'generate',
        'generate-runtime',
        'reports',
        'publish',
        'publish-github',
        'publish-gitlab',
        'register',
        'evidence',
      ]);
      expect(scaffolder.evidence.append).not.toHaveBeenCalled(); // dry-run
    });

    it('parses every YAML file', () => {
      const yamlFiles = [...files.keys()].filter(f => /\.ya?ml$/.test(f));
      expect(yamlFiles.length).toBeGreaterThanOrEqual(9);
      for (const f of yamlFiles) {
        for (const doc of yaml.parseAllDocuments(text(f))) {
          expect({ file: f, errors: doc.errors.map(e => e.message) }).toEqual({
            file: f,
            errors: [],
          });
        }
      }
    });

    it('produces a catalog-info.yaml that passes catalog-model validation', async () => {
      const entity = component() as Entity;
      await expect(entityPolicy.enforce(entity)).resolves.toBeDefined();
      await expect(
        componentEntityV1alpha1Validator.check(entity),
      ).resolves.toBe(true);
      expect(entity.metadata.name).toBe(expected.name);
      expect(entity.metadata.annotations).toMatchObject({
        'assay.dev/evidence-enabled': 'true',
        'assay.dev/compliance-mode': values.mode,
        'assay.dev/feature-id': expect.stringMatching(/^[0-9a-f]{12}$/),
        'assay.dev/canary-steps': expected.steps,
        'assay.dev/slo-p95-ms': String(expected.p95Ms),
        'assay.dev/slo-error-rate': String(expected.errorRate),
      });
      expect(entity.spec).toMatchObject({
        type: 'service',
        owner: 'group:default/payments-team',
        system: 'system:default/example-service',
        dependsOn: ['component:default/service-a', 'resource:service-mesh'],
        providesApis: [`${expected.name}-api`],
      });
      expect(entity.metadata.annotations).toMatchObject({
        'backstage.io/kubernetes-id': expected.name,
        'backstage.io/techdocs-ref': 'dir:.',
        'grafana/dashboard-selector': `tags @> '${expected.name}'`,
        'assay.dev/mesh-mtls': 'STRICT',
      });
      expect(entity.metadata.annotations!['prometheus.io/rule']).toMatch(
        /^sum by \(destination_version\) .*\|destination_version$/,
      );
      const [, api] = docs('catalog-info.yaml') as Entity[];
      await expect(entityPolicy.enforce(api)).resolves.toBeDefined();
      expect(api).toMatchObject({
        kind: 'API',
        metadata: { name: `${expected.name}-api` },
        spec: { type: 'openapi', definition: { $text: './openapi.yaml' } },
      });
      expect(yaml.parse(text('openapi.yaml')).paths).toHaveProperty([
        '/api/v1/items',
      ]);
      expect(yaml.parse(text('mkdocs.yml')).nav).toHaveLength(2);
      expect(text('docs/operations.md')).toContain('ErrorBudgetBurnFast');
    });

    it('identifies the feature from the canonical spec, with the branch convention', () => {
      const spec = JSON.parse(text('assay/onboarding-spec.json'));
      expect(spec).toMatchObject({
        name: values.name,
        runtime: values.runtime,
        resources: values.resources,
      });
      expect(id).toBe(featureId(spec));
      expect(component().metadata.annotations['assay.dev/feature-branch']).toBe(
        `auto/spec-implementation/${id}`,
      );
    });

    it('has stable and canary Deployments with the validated resources and /healthz probes', () => {
      const deployments = docs('k8s/deployment.yaml').filter(
        (d: any) => d.kind === 'Deployment',
      ) as any[];
      expect(
        deployments.map(d => [
          d.metadata.name,
          d.spec.template.metadata.labels.version,
        ]),
      ).toEqual([
        [expected.name, 'stable'],
        [`${expected.name}-canary`, 'canary'],
      ]);
      for (const d of deployments) {
        expect(d.apiVersion).toBe('apps/v1');
        expect(d.metadata.namespace).toBe('example-service');
        expect(d.spec.selector.matchLabels).toEqual(
          expect.objectContaining({
            app: expected.name,
            version: d.spec.template.metadata.labels.version,
          }),
        );
        const [container] = d.spec.template.spec.containers;
        const resources = {
          cpu: expected.cpu,
          memory: expected.memory,
          'ephemeral-storage': expected.storage,
        };
        expect(container.resources).toEqual({
          requests: resources,
          limits: resources,
        });
        expect(container.readinessProbe.httpGet).toEqual({
          path: '/healthz',
          port: 'http',
        });
        expect(container.livenessProbe.httpGet).toEqual({
          path: '/healthz',
          port: 'http',
        });
        expect(container.ports).toEqual([
          { name: 'http', containerPort: 8080, protocol: 'TCP' },
        ]);
        expect(d.spec.template.metadata.annotations['prometheus.io/path']).toBe(
          '/metrics',
        );
        expect(container.env).toContainEqual({
          name: 'SERVICE_A_URL',
          value: 'http://service-a:8080',
        });
      }
      const service = one('k8s/service.yaml', 'Service');
      expect(service.spec.selector).toEqual({ app: expected.name });
      expect(service.spec.ports[0]).toMatchObject({
        port: 8080,
        targetPort: 'http',
      });
      expect(one('k8s/service.yaml', 'ServiceAccount').metadata.name).toBe(
        expected.name,
      );
    });

    it('enforces mTLS STRICT and has an AuthorizationPolicy', () => {
      const pa = one(
        'k8s/istio/peer-authentication.yaml',
        'PeerAuthentication',
      );
      expect(pa.apiVersion).toBe('security.istio.io/v1beta1');
      expect(pa.spec).toEqual({
        selector: { matchLabels: { app: expected.name } },
        mtls: { mode: 'STRICT' },
      });
      const ap = one(
        'k8s/istio/authorization-policy.yaml',
        'AuthorizationPolicy',
      );
      expect(ap.spec.action).toBe('ALLOW');
      expect(ap.spec.selector.matchLabels).toEqual({ app: expected.name });
      expect(ap.spec.rules.length).toBeGreaterThan(0);
    });

    it('splits traffic by the first canary step, weights summing to 100, with retries and timeouts', () => {
      const vs = one('k8s/istio/virtual-service.yaml', 'VirtualService');
      const [route] = vs.spec.http;
      const weights = Object.fromEntries(
        route.route.map((r: any) => [r.destination.subset, r.weight]),
      );
      expect(weights).toEqual({
        stable: 100 - expected.canary,
        canary: expected.canary,
      });
      expect(
        route.route.reduce((sum: number, r: any) => sum + r.weight, 0),
      ).toBe(100);
      expect(route.timeout).toBe(`${Math.max(1000, expected.p95Ms * 6)}ms`);
      expect(route.retries).toMatchObject({
        attempts: 2,
        perTryTimeout: `${Math.max(250, expected.p95Ms * 2)}ms`,
      });
      expect(vs.metadata.annotations['assay.dev/canary-steps']).toBe(
        expected.steps,
      );

      const dr = one('k8s/istio/destination-rule.yaml', 'DestinationRule');
      expect(dr.spec.host).toBe(expected.name);
      expect(dr.spec.subsets).toEqual([
        { name: 'stable', labels: { version: 'stable' } },
        { name: 'canary', labels: { version: 'canary' } },
      ]);
      expect(dr.spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
      expect(
        dr.spec.trafficPolicy.connectionPool.tcp.maxConnections,
      ).toBeGreaterThan(0);
      expect(
        dr.spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests,
      ).toBeGreaterThan(0);
      expect(dr.spec.trafficPolicy.outlierDetection).toMatchObject({
        consecutive5xxErrors: expect.any(Number),
        baseEjectionTime: expect.any(String),
      });
    });

    it('has a Grafana dashboard with P95 latency, error rate, throughput and burn rate panels on Istio metrics', () => {
      const dashboard = JSON.parse(text('monitoring/grafana-dashboard.json'));
      expect(dashboard.uid).toBe(`assay-${expected.name}`);
      expect(dashboard.panels.map((p: any) => p.title)).toEqual([
        'P95 latency',
        'Error rate',
        'Throughput',
        'Error budget burn rate (1h)',
      ]);
      // latency and throughput at the destination, errors as callers see them
      const selectors = dashboard.panels.map((p: any) =>
        p.targets[0].expr.includes('reporter="source"')
          ? p.targets[0].expr.includes(
              `destination_service_name="${expected.name}"`,
            ) && 'source'
          : p.targets[0].expr.includes(
              `destination_workload=~"${expected.name}|${expected.name}-canary"`,
            ) && 'destination',
      );
      expect(selectors).toEqual([
        'destination',
        'source',
        'destination',
        'source',
      ]);
      const threshold = (p: any) =>
        p.fieldConfig.defaults.thresholds.steps[1].value;
      expect(threshold(dashboard.panels[0])).toBe(expected.p95Ms);
      expect(dashboard.panels[0].fieldConfig.defaults.unit).toBe('ms');
      expect(threshold(dashboard.panels[1])).toBe(expected.errorRate);
      expect(dashboard.panels[0].targets[0].expr).toMatch(
        /^histogram_quantile\(0\.95, sum by \(le\) \(rate\(istio_request_duration_milliseconds_bucket\{/,
      );
    });

    it('has alerts per signal and severity, thresholds from the SLO hierarchy', () => {
      const rule = one('monitoring/prometheus-rules.yaml', 'PrometheusRule');
      const rules = rule.spec.groups.flatMap((g: any) => g.rules);
      const byName = Object.fromEntries(rules.map((r: any) => [r.alert, r]));
      expect(Object.keys(byName).sort()).toEqual([
        'AppLatencyNearSlo',
        'ErrorBudgetBurnFast',
        'ErrorBudgetBurnSlow',
        'ErrorBudgetBurnTicket',
        'HighErrorRate',
        'HighLatency',
        'ServiceDown',
      ]);
      expect(byName.HighLatency.expr.trim()).toMatch(
        new RegExp(`> ${expected.p95Ms}$`),
      );
      expect(byName.HighLatency.expr).toContain(
        'istio_request_duration_milliseconds_bucket',
      );
      expect(byName.HighErrorRate.expr.trim()).toMatch(
        new RegExp(`> ${expected.errorRate}$`),
      );
      const budget = Number((1 - expected.availability).toFixed(6));
      expect(byName.ErrorBudgetBurnFast.expr).toContain(
        `> ${Number((14.4 * budget).toFixed(6))}`,
      );
      expect(byName.HighLatency.annotations.threshold_source).toBe(
        expected.p95Source,
      );
      expect(byName.HighErrorRate.annotations.threshold_source).toBe(
        expected.errorRateSource,
      );
      expect(byName.ErrorBudgetBurnFast.annotations.threshold_source).toBe(
        expected.availabilitySource,
      );
      const serious = values.mode === 'compliance' ? 'high' : 'medium';
      expect(byName.HighLatency.labels.severity).toBe(serious);
      expect(byName.ErrorBudgetBurnFast.labels).toMatchObject({
        severity: 'critical',
        escalation: 'page',
      });
      for (const r of rules) {
        expect(r.annotations.threshold_hierarchy).toBe(
          'service-specific -> mode -> global',
        );
        expect(r.labels.service).toBe(expected.name);
      }
    });

    it('has a k6 load test with the SLOs as thresholds', () => {
      const script = text('loadtest/k6.js');
      const { diagnostics } = ts.transpileModule(script, {
        reportDiagnostics: true,
        compilerOptions: { allowJs: true },
      });
      expect(diagnostics).toEqual([]);
      expect(script).toContain(
        `http_req_duration: ['p(95)<${expected.p95Ms}']`,
      );
      expect(script).toContain(
        `http_req_failed: ['rate<${expected.errorRate}']`,
      );
      expect(script).toContain(`checks: ['rate>${expected.availability}']`);
      expect(script).toContain('/api/v1/items');
      expect(script).not.toContain('/healthz');
      expect(text('loadtest/regression-gate.mjs')).toContain(
        'MAX_REGRESSION = 0.1',
      );
    });

    it('has a CI pipeline with the seed stages, pushing evidence with the pinned assay CLI', () => {
      const ci = yaml.parse(text('.github/workflows/ci.yaml'));
      expect(Object.keys(ci.jobs)).toEqual([
        'preflight',
        'validate',
        'generate',
        'build',
        'deploy',
        'audit',
      ]);
      const order = Object.keys(ci.jobs);
      order
        .slice(1)
        .forEach((job, i) => expect(ci.jobs[job].needs).toBe(order[i]));
      expect(ci.env).toMatchObject({
        FEATURE_ID: id,
        ENTITY_REF: `component:default/${expected.name}`,
        RUNTIME: values.runtime,
        ASSAY_CLI_SHA256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      // the token only reaches the steps that use it
      expect(ci.env.ASSAY_TOKEN).toBeUndefined();
      const categories = [
        ...text('.github/workflows/ci.yaml').matchAll(
          /--category ([a-z][a-z0-9-]*)/g,
        ),
      ].map(m => m[1]);
      expect(new Set(categories)).toEqual(
        new Set([
          'pipeline',
          'tests',
          'sbom',
          'build',
          'deployment',
          'load-test',
        ]),
      );
      for (const c of categories) expect(EVIDENCE_CATEGORIES).toContain(c);
      // never the categories Assay's own plugins write
      for (const reserved of ['compliance', 'release', 'promotion', 'canary'])
        expect(categories).not.toContain(reserved);
      for (const job of order) {
        const steps = ci.jobs[job].steps;
        const cli = steps.find((st: any) => st.name === 'Assay CLI');
        expect(cli.run).toContain('sha256sum -c -');
        const script = steps.map((st: any) => st.run ?? '').join('\n');
        expect(script).toMatch(
          /assay evidence push --entity "\$ENTITY_REF" --category \S+ --file \S+/,
        );
        expect(script).toContain('--subject featureSha="$FEATURE_ID"');
        expect(script).toContain(`| ${job} |`);
      }
      expect(
        ci.jobs.validate.steps.map((st: any) => st.run ?? '').join('\n'),
      ).toContain(
        values.runtime === 'node'
          ? 'npm run test:ci'
          : 'python -m pytest --junitxml=junit.xml',
      );
    });

    it('has the runtime with /healthz and /metrics, in valid source', () => {
      const runtime = RUNTIMES[values.runtime as keyof typeof RUNTIMES];
      expect(text('Dockerfile')).toMatch(runtime.dockerFrom);
      const entry = text(runtime.entry);
      expect(entry).toContain(runtime.health);
      expect(entry).toContain(runtime.metrics);
      const sources = Object.fromEntries(
        runtime.sources.map(f => [f, text(f)]),
      );
      expect(syntaxErrors(sources)).toEqual([]);
    });

    it('writes reports whose manifest digests match the files, signed with DSSE', () => {
      const runs = [...files.keys()]
        .map(
          f =>
            new RegExp(`^reports/${id}/([^/]+)/manifest\\.json$`).exec(f)?.[1],
        )
        .filter(Boolean);
      expect(runs).toHaveLength(1);
      const run = runs[0]!;
      const dir = `reports/${id}/${run}`;
      const manifest = JSON.parse(text(`${dir}/manifest.json`));
      expect(manifest).toMatchObject({
        featureId: id,
        runId: run,
        algorithm: 'sha256',
      });
      const unlisted = [
        `${dir}/manifest.json`,
        `${dir}/checkpoints.log`,
        `${dir}/signatures/manifest.json.dsse.json`,
        `${dir}/signatures/signing-key.pub.pem`,
      ];
      // `latest` is a symlink to the run folder: the dry-run serializer drops
      // links that resolve, so it is checked in writeReports.test.ts
      expect(manifest.files.map((f: any) => f.path).sort()).toEqual(
        [...files.keys()].filter(f => !unlisted.includes(f)).sort(),
      );
      for (const f of manifest.files) {
        expect({ path: f.path, sha256: sha256(files.get(f.path)!) }).toEqual({
          path: f.path,
          sha256: f.sha256,
        });
      }
      for (const report of [
        'spec-validation-report.json',
        'spec-coverage.json',
        'resource-estimates.json',
        'sbom.cyclonedx.json',
      ]) {
        expect(files.has(`${dir}/${report}`)).toBe(true);
      }
      const coverage = JSON.parse(text(`${dir}/spec-coverage.json`));
      expect(coverage.ratio).toBe(1);
      const report = JSON.parse(text(`${dir}/spec-validation-report.json`));
      expect(report).toMatchObject({ ok: true, mode: values.mode, errors: [] });
      expect(report.warnings).toHaveLength(expected.warnings);
      const estimates = JSON.parse(text(`${dir}/resource-estimates.json`));
      expect(estimates.kubernetes.requests).toEqual({
        cpu: expected.cpu,
        memory: expected.memory,
        ephemeralStorage: expected.storage,
      });
      const checkpoints = text(`${dir}/checkpoints.log`)
        .trim()
        .split('\n')
        .map(parseCheckpoint);
      expect(checkpoints.map(c => c?.stage)).toEqual([
        'preflight',
        'validate',
        'generate',
      ]);
      expect(
        checkpoints.every(c => c?.runId === run && c?.featureId === id),
      ).toBe(true);
      const envelope = JSON.parse(
        text(`${dir}/signatures/manifest.json.dsse.json`),
      );
      expect(
        Buffer.from(envelope.payload, 'base64').equals(
          files.get(`${dir}/manifest.json`)!,
        ),
      ).toBe(true);

      const summary = body.output.text[0].content as string;
      expect(summary).toContain(
        `sha256:${sha256(files.get(`${dir}/manifest.json`)!)}`,
      );
      expect(body.output.links.map((l: any) => l.title)).toEqual([
        'Repository',
        'Open in catalog',
        'Evidence',
      ]);
      expect(body.output.links[1].entityRef).toBe(
        `component:default/${expected.name}`,
      );
      expect(body.output.links[2].url).toBe(
        `/catalog/default/component/${expected.name}/evidence`,
      );
    });
  });

  describe('rules and conflicts through the template', () => {
    const valid = {
      ...base,
      runtime: 'python',
      resources: { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 3 },
    };
    // A failing dry run answers with the error of the failed step.
    const errorOf = (result: { status: number; body: any }) => {
      expect(result.status).toBeGreaterThanOrEqual(400);
      return `${result.body.error?.name}: ${result.body.error?.message}`;
    };

    it('compliance mode stops on an invalid CPU, naming the field and the range', async () => {
      const result = await scaffolder.dryRun({
        ...valid,
        name: 'service-e',
        mode: 'compliance',
        resources: { ...valid.resources, cpu: 0.05 },
      });
      expect(errorOf(result)).toContain(
        'InputError: Compliance mode: cpu must be 0.1–16.0 cores with at most 3 decimal places (got 0.05)',
      );
      expect([...result.files.keys()].some(f => f.startsWith('k8s/'))).toBe(
        false,
      );
    });

    it('compliance mode blocks an existing component', async () => {
      const result = await scaffolder.dryRun({
        ...valid,
        name: 'service-a',
        mode: 'compliance',
      });
      expect(errorOf(result)).toMatch(
        /^ConflictError: Compliance mode: a component named 'service-a' already exists/,
      );
    });

    it('sandbox mode creates service-a-v2 instead', async () => {
      const result = await scaffolder.dryRun({
        ...valid,
        name: 'service-a',
        mode: 'sandbox',
      });
      expect(result.status).toBe(200);
      const entity = yaml
        .parseAllDocuments(result.files.get('catalog-info.yaml')!.toString())[0]
        .toJS();
      expect(entity.metadata.name).toBe('service-a-v2');
      expect(result.files.get('k8s/deployment.yaml')!.toString()).toContain(
        'name: service-a-v2-canary',
      );
    });
  });
});
