import fs from 'fs';
import yaml from 'yaml';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { startScaffolder } from '../__testUtils__/renderTemplate';
import {
  ManifestDoc,
  runtimeErrors,
  typeErrors,
  unknownKinds,
} from '../__testUtils__/generated/strictManifests';
import {
  AlertRule,
  alertUnitTests,
  runPromtool,
} from '../__testUtils__/generated/promtool';
import {
  run,
  runServiceUnitTests,
  serviceCommand,
  sigtermAsPid1,
  writeTree,
} from '../__testUtils__/generated/runtimes';
import { actionlint } from '../__testUtils__/generated/actionlint';

/*
 * The generated service as the systems it targets take it: every
 * Kubernetes/Istio/Prometheus-Operator object through strict schemas, the
 * alert rules through promtool (check + unit tests), the workflow through
 * actionlint, the service's own unit tests, and SIGTERM handling as PID 1 —
 * for both runtimes in both modes.
 */

jest.setTimeout(300_000);

const JWT = {
  jwtIssuer: 'https://auth.example.com',
  jwksUri: 'https://auth.example.com/.well-known/jwks.json',
};

const combos = [
  { runtime: 'python', mode: 'compliance', jwt: true },
  { runtime: 'python', mode: 'sandbox', jwt: false },
  { runtime: 'node', mode: 'compliance', jwt: false },
  { runtime: 'node', mode: 'sandbox', jwt: true },
];

const rendered = new Map<string, Promise<Map<string, Buffer>>>();
const publishDir = createMockDirectory();
let scaffolder: Promise<Awaited<ReturnType<typeof startScaffolder>>>;

beforeAll(() => {
  scaffolder = startScaffolder({ publishDir: publishDir.path });
});
afterAll(async () => (await scaffolder).backend.stop());

/** One scaffolder backend renders every combination (dry-run). */
function render(combo: (typeof combos)[number], name: string) {
  if (!rendered.has(name)) {
    rendered.set(
      name,
      (async () => {
        const result = await (
          await scaffolder
        ).dryRun({
          name,
          description: 'Generated for the tests',
          owner: 'group:default/payments-team',
          system: 'system:default/example-service',
          dependencies: ['component:default/service-a'],
          callers: ['component:default/service-a'],
          runtime: combo.runtime,
          mode: combo.mode,
          resources: {
            cpu: 0.5,
            memoryMb: 512,
            storageMb: 1024,
            storyPoints: 3,
          },
          canarySteps: '10,50,100',
          ...(combo.jwt ? JWT : {}),
        });
        if (result.status !== 200) {
          throw new Error(`dry run failed: ${JSON.stringify(result.body)}`);
        }
        return result.files;
      })(),
    );
  }
  return rendered.get(name)!;
}

describe.each(combos)(
  'generated $runtime service, $mode mode, jwt $jwt',
  combo => {
    const name = `svc-${combo.runtime}-${combo.mode}`;
    let files: Map<string, Buffer>;
    let dir: string;
    let docs: ManifestDoc[];
    const text = (p: string) => files.get(p)!.toString('utf8');
    const ofKind = (kind: string) =>
      docs.filter(d => d.doc.kind === kind).map(d => d.doc);

    beforeAll(async () => {
      files = await render(combo, name);
      dir = writeTree(files, `assay-gen-${name}-`);
      docs = [...files.keys()]
        .filter(
          f =>
            /^(k8s|monitoring)\/.*\.ya?ml$/.test(f) &&
            !f.endsWith('kustomization.yaml'),
        )
        .flatMap(file =>
          yaml
            .parseAllDocuments(text(file))
            .map(d => d.toJS())
            .filter(Boolean)
            .map(doc => ({ file, doc })),
        );
    });
    afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it('every Kubernetes, Istio and Prometheus Operator object passes the strict schemas', () => {
      expect(docs.length).toBeGreaterThanOrEqual(combo.jwt ? 14 : 13);
      expect(unknownKinds(docs)).toEqual([]);
      expect(runtimeErrors(docs)).toEqual([]);
      expect(typeErrors(docs)).toEqual([]);
    });

    it('uses Istio APIs every 1.2x serves, and deploys one image by digest', () => {
      for (const d of docs.filter(x => /istio\.io\//.test(x.doc.apiVersion))) {
        expect(d.doc.apiVersion).toMatch(
          /^(networking|security)\.istio\.io\/v1beta1$/,
        );
      }
      const kustomization = yaml.parse(text('k8s/kustomization.yaml'));
      for (const resource of kustomization.resources) {
        expect(files.has(`k8s/${resource}`)).toBe(true);
      }
      expect(kustomization.images).toEqual([
        { name: 'app-stable', newName: `ghcr.io/payments-team/${name}` },
        { name: 'app-canary', newName: `ghcr.io/payments-team/${name}` },
      ]);
      const images = ofKind('Deployment').map(
        d => d.spec.template.spec.containers[0].image,
      );
      expect(images).toEqual(['app-stable', 'app-canary']);
      expect(text('k8s/deployment.yaml')).not.toContain(':latest');
      const script = text('deploy/canary.sh');
      expect(script).toContain(
        'refusing to deploy an image that is not pinned by digest',
      );
      expect(run('bash', ['-n', 'deploy/canary.sh'], dir).status).toBe(0);
    });

    it('runs in an injected namespace with Pod Security "restricted"', () => {
      const [ns] = ofKind('Namespace');
      expect(ns.metadata.labels).toMatchObject({
        'istio-injection': 'enabled',
        'pod-security.kubernetes.io/enforce': 'restricted',
      });
      for (const d of ofKind('Deployment')) {
        const pod = d.spec.template;
        expect(pod.metadata.labels['sidecar.istio.io/inject']).toBe('true');
        expect(
          pod.metadata.annotations['sidecar.istio.io/inject'],
        ).toBeUndefined();
        expect(pod.spec.automountServiceAccountToken).toBe(false);
        expect(pod.spec.securityContext).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        for (const c of pod.spec.containers) {
          expect(c.securityContext).toEqual({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
        }
      }
      expect(ofKind('ServiceAccount')[0].automountServiceAccountToken).toBe(
        false,
      );
      const [pdb] = ofKind('PodDisruptionBudget');
      expect(pdb.spec).toMatchObject({ minAvailable: 1 });
      const [hpa] = ofKind('HorizontalPodAutoscaler');
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name,
      });
    });

    it('admits only the callers and the gateway, never /metrics; JWT when configured', () => {
      const [policy] = ofKind('AuthorizationPolicy');
      expect(policy.spec.action).toBe('ALLOW');
      const principals = policy.spec.rules.flatMap((r: any) =>
        r.from.flatMap((f: any) => f.source.principals ?? []),
      );
      expect(principals).toEqual([
        'cluster.local/ns/example-service/sa/service-a',
        'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
      ]);
      for (const rule of policy.spec.rules) {
        expect(rule.from.every((f: any) => !f.source.namespaces)).toBe(true);
        for (const to of rule.to)
          expect(to.operation.notPaths).toEqual(['/metrics']);
      }
      const gateway =
        policy.spec.rules[policy.spec.rules.length - 1].from[0].source;
      const requestAuth = ofKind('RequestAuthentication');
      expect({
        jwtRules: requestAuth.map(r => r.spec.jwtRules),
        requestPrincipals: gateway.requestPrincipals,
      }).toEqual(
        combo.jwt
          ? {
              jwtRules: [
                [
                  {
                    issuer: JWT.jwtIssuer,
                    jwksUri: JWT.jwksUri,
                    forwardOriginalToken: false,
                  },
                ],
              ],
              requestPrincipals: [`${JWT.jwtIssuer}/*`],
            }
          : { jwtRules: [], requestPrincipals: undefined },
      );
    });

    it('retries only idempotent methods on gateway errors', () => {
      const [vs] = ofKind('VirtualService');
      const [safe, other] = vs.spec.http;
      expect(safe.match).toEqual([{ method: { regex: 'GET|HEAD|OPTIONS' } }]);
      expect(safe.retries.retryOn).toContain('gateway-error');
      expect(other.match).toBeUndefined();
      expect(other.retries.retryOn.split(',').sort()).toEqual([
        'connect-failure',
        'refused-stream',
      ]);
      for (const route of vs.spec.http) {
        expect(
          route.route.map((r: any) => [r.destination.subset, r.weight]),
        ).toEqual([
          ['stable', 90],
          ['canary', 10],
        ]);
      }
    });

    it('has alert rules that promtool accepts, and unit tests: each alert fires on real series and stays quiet otherwise', () => {
      const [rule] = ofKind('PrometheusRule');
      const rules: AlertRule[] = rule.spec.groups.flatMap((g: any) => g.rules);
      expect(new Set(rules.map(r => r.labels.severity))).toEqual(
        new Set(['critical', 'high', 'medium', 'low']),
      );
      const escalation = Object.fromEntries(
        rules.map(r => [r.labels.severity, r.labels.escalation]),
      );
      expect(escalation).toMatchObject({ critical: 'page', low: 'dashboard' });
      for (const r of rules) {
        expect(r.annotations.threshold_hierarchy).toBe(
          'service-specific -> mode -> global',
        );
        // scrape health only says whether any pod is up at all
        expect(/\bup\{/.test(r.expr)).toBe(r.alert === 'ServiceDown');
      }
      const appRules = rules.filter(r => r.expr.includes('http_request'));
      expect(appRules.length).toBeGreaterThan(0);
      for (const r of appRules) {
        expect(r.expr).toContain('path!~"/healthz|/metrics"');
      }
      const rulesFile = yaml.stringify({ groups: rule.spec.groups });
      const check = runPromtool(['check', 'rules', 'rules.yaml'], {
        'rules.yaml': rulesFile,
      });
      expect(check.output).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(check.status).toBe(0);
      const tests = alertUnitTests({
        rules,
        namespace: 'example-service',
        name,
      });
      const unit = runPromtool(['test', 'rules', 'tests.yaml'], {
        'rules.yaml': rulesFile,
        'tests.yaml': tests,
      });
      expect(unit.output).toContain('SUCCESS');
      expect(unit.status).toBe(0);
    });

    it('has a dashboard with the same expressions as the alerts', () => {
      const dashboard = JSON.parse(text('monitoring/grafana-dashboard.json'));
      const [rule] = ofKind('PrometheusRule');
      const rules: AlertRule[] = rule.spec.groups.flatMap((g: any) => g.rules);
      const lhs = (alert: string) =>
        rules
          .find(r => r.alert === alert)!
          .expr.trim()
          .replace(/\s*>\s*[0-9.]+$/, '')
          .replace(/\s+/g, ' ');
      const expr = (title: string) =>
        dashboard.panels
          .find((p: any) => p.title === title)
          .targets[0].expr.replace(/\s+/g, ' ');
      expect(expr('P95 latency')).toBe(lhs('HighLatency'));
      expect(expr('Error rate')).toBe(lhs('HighErrorRate'));
    });

    it('has a workflow that passes actionlint and pins the CLI it downloads', async () => {
      const workflow = text('.github/workflows/ci.yaml');
      expect(await actionlint(workflow)).toEqual([]);
      expect(workflow).not.toMatch(/npm install -g @assay\/cli/);
      const ci = yaml.parse(workflow);
      expect(ci.env.ASSAY_CLI_SHA256).toMatch(/^[0-9a-f]{64}$/);
      // and actionlint does find mistakes in a workflow
      expect(
        await actionlint(workflow.replace('needs: preflight', 'needs: nope')),
      ).toEqual([expect.stringContaining('job "validate" needs job "nope"')]);
    });

    it("runs the generated service's own unit tests", () => {
      const result = runServiceUnitTests(combo.runtime, dir);
      expect({
        status: result.status,
        tests: result.tests,
        output: result.status === 0 ? '' : result.output,
      }).toEqual({ status: 0, tests: 3, output: '' });
    });

    it('exits within 2 s on SIGTERM when it runs as PID 1', async () => {
      const cmd = serviceCommand(combo.runtime, dir);
      const result = await sigtermAsPid1(cmd, dir, { PORT: '0' });
      expect(result.pid1).toBe(true);
      expect(result.exitMs).toBeLessThan(2000);
      expect(result.output).toMatch(/shutting down/);
    });
  },
);

describe('the strict manifest check itself', () => {
  it('refuses unknown fields at any depth and wrong types, which the JSON-schema validators let through', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'x' } },
          spec: { containers: [{ name: 'x', image: 'i' }] },
        },
      },
    };
    const unknownDeep = structuredClone(deployment) as any;
    unknownDeep.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    const wrongType = structuredClone(deployment) as any;
    wrongType.spec.replicas = '2';
    expect(typeErrors([{ file: 'ok.yaml', doc: deployment }])).toEqual([]);
    expect(runtimeErrors([{ file: 'deep.yaml', doc: unknownDeep }])).toEqual(
      [],
    );
    expect(typeErrors([{ file: 'deep.yaml', doc: unknownDeep }])).toEqual([
      expect.stringMatching(/^deep\.yaml: .*imagePullPolicyy/),
    ]);
    expect(typeErrors([{ file: 'type.yaml', doc: wrongType }])).toEqual([
      expect.stringMatching(/^type\.yaml: .*string.*number/),
    ]);
  });
});
