import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { AddressInfo } from 'net';
import yaml from 'yaml';
import request from 'supertest';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import evidencePlugin from '@assay/plugin-evidence-backend';
import { startScaffolder } from '../__testUtils__/renderTemplate';
import { writeTree } from '../__testUtils__/generated/runtimes';

/*
 * The evidence steps of the rendered workflow, run as GitHub would run them
 * (bash -e -o pipefail, job + step env, GITHUB_PATH/GITHUB_ENV files) against
 * a started evidence backend: the CLI is downloaded from the portal and its
 * digest checked, every stage pushes its evidence with a CI token scoped by
 * evidence.producers, and the load-test gate compares against the previous
 * load-test record.
 */

jest.setTimeout(240_000);

const NAME = 'svc-pipe';

describe('the generated pipeline against a started evidence backend', () => {
  const publishDir = createMockDirectory();
  let workflow: any;
  let dir: string;
  let server: any;
  let url: string;
  let token: string;

  beforeAll(async () => {
    const scaffolder = await startScaffolder({ publishDir: publishDir.path });
    try {
      const result = await scaffolder.dryRun({
        name: NAME,
        owner: 'group:default/payments-team',
        system: 'system:default/example-service',
        runtime: 'node',
        mode: 'compliance',
        resources: { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 3 },
      });
      if (result.status !== 200) throw new Error(JSON.stringify(result.body));
      dir = writeTree(result.files, 'assay-pipeline-');
      workflow = yaml.parse(
        result.files.get('.github/workflows/ci.yaml')!.toString(),
      );
    } finally {
      await scaffolder.backend.stop();
    }
    ({ server } = await startTestBackend({
      features: [
        evidencePlugin,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: NAME },
              spec: {
                type: 'service',
                lifecycle: 'experimental',
                owner: 'payments-team',
              },
              relations: [
                { type: 'ownedBy', targetRef: 'group:default/payments-team' },
              ],
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            evidence: {
              producers: [
                {
                  subject: 'ci-pipeline',
                  owners: ['group:default/payments-team'],
                  categories: [
                    'tests',
                    'sbom',
                    'load-test',
                    'pipeline',
                    'build',
                    'deployment',
                  ],
                },
              ],
            },
          },
        }),
      ],
    }));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    token = mockCredentials.service.token({
      onBehalfOf: mockCredentials.service('external:ci-pipeline'),
      targetPluginId: 'evidence',
    });
  });
  afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  /** What GitHub would put in `${{ … }}` for this run. */
  const expressions = (extra: Record<string, string> = {}) => ({
    'vars.ASSAY_URL': url,
    'secrets.ASSAY_TOKEN': token,
    'job.status': 'success',
    'github.run_id': '4242',
    'github.sha': 'c0ffee0000000000000000000000000000000000',
    'steps.image.outputs.digest': `sha256:${'ab'.repeat(32)}`,
    'needs.build.outputs.digest': `sha256:${'ab'.repeat(32)}`,
    'vars.PROMETHEUS_URL': 'http://prometheus.invalid',
    ...extra,
  });
  const substitute = (value: string, values: Record<string, string>) =>
    String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e) => {
      if (!(e in values)) throw new Error(`no test value for \${{ ${e} }}`);
      return values[e];
    });

  /** Runs a process without blocking the backend that serves it. */
  const exec = (
    args: string[],
    options: { cwd: string; env: Record<string, string | undefined> },
  ) =>
    new Promise<{ status: number | null; output: string }>(resolve => {
      const child = spawn(args[0], args.slice(1), options);
      let output = '';
      child.stdout.on('data', d => (output += d));
      child.stderr.on('data', d => (output += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('close', status => {
        clearTimeout(timer);
        resolve({ status, output });
      });
    });

  /** Runs the named steps of one job; returns each step's status and output. */
  async function runJob(
    job: string,
    stepNames: string[],
    overrides: Record<string, string> = {},
  ) {
    const values = expressions(overrides);
    const runner = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-runner-'));
    const githubPath = path.join(runner, 'path');
    const githubEnv = path.join(runner, 'env');
    fs.writeFileSync(githubPath, '');
    fs.writeFileSync(githubEnv, '');
    const baseEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries<string>({
      ...workflow.env,
      ...(workflow.jobs[job].env ?? {}),
    })) {
      baseEnv[k] = substitute(v, values);
    }
    for (const [k, v] of Object.entries(overrides)) {
      if (!k.includes('.')) baseEnv[k] = v;
    }
    const results: { name: string; status: number | null; output: string }[] =
      [];
    for (const step of workflow.jobs[job].steps) {
      if (!stepNames.includes(step.name)) continue;
      const stepEnv: Record<string, string> = {};
      for (const [k, v] of Object.entries<string>(step.env ?? {})) {
        stepEnv[k] = substitute(v, values);
      }
      const extraPath = fs.readFileSync(githubPath, 'utf8').trim().split('\n');
      const exported = Object.fromEntries(
        fs
          .readFileSync(githubEnv, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const r = await exec(
        ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run],
        {
          cwd: dir,
          env: {
            HOME: os.homedir(),
            PATH: [...extraPath.filter(Boolean), process.env.PATH].join(':'),
            ...baseEnv,
            ...exported,
            ...stepEnv,
            RUNNER_TEMP: runner,
            GITHUB_PATH: githubPath,
            GITHUB_ENV: githubEnv,
          },
        },
      );
      results.push({ name: step.name, status: r.status, output: r.output });
      if (r.status !== 0) break;
    }
    fs.rmSync(runner, { recursive: true, force: true });
    return results;
  }

  const records = async (category: string) => {
    const res = await request(server)
      .get(
        `/api/evidence/v1/entities/component/default/${NAME}/records?category=${category}&limit=100`,
      )
      .set(
        'authorization',
        mockCredentials.user.header('user:default/auditor'),
      );
    expect(res.status).toBe(200);
    return res.body.items as any[];
  };

  it('downloads the pinned CLI from the portal and refuses one with another digest', async () => {
    const ok = await runJob('preflight', ['Assay CLI']);
    expect(ok).toEqual([
      { name: 'Assay CLI', status: 0, output: expect.stringContaining('OK') },
    ]);
    const tampered = await runJob('preflight', ['Assay CLI'], {
      ASSAY_CLI_SHA256: '0'.repeat(64),
    });
    expect(tampered[0].status).not.toBe(0);
    expect(tampered[0].output).toContain('FAILED');
  });

  it('pushes the evidence of every stage with the scoped CI token', async () => {
    fs.writeFileSync(
      path.join(dir, 'junit.xml'),
      '<testsuites><testsuite name="s" tests="3" failures="0" errors="0" skipped="0"></testsuite></testsuites>',
    );
    fs.writeFileSync(
      path.join(dir, 'sbom.cdx.json'),
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        version: 1,
        components: [
          { type: 'library', name: 'prom-client', version: '15.1.3' },
        ],
      }),
    );
    const k6 = (p95: number) =>
      JSON.stringify({
        metrics: {
          http_req_duration: { 'p(95)': p95, avg: p95 / 2 },
          http_req_failed: { value: 0 },
        },
      });
    fs.writeFileSync(path.join(dir, 'k6-summary.json'), k6(100));
    const stages: [string, string[]][] = [
      ['preflight', ['Assay CLI', 'Evidence']],
      ['validate', ['Assay CLI', 'Evidence']],
      ['generate', ['Assay CLI', 'Evidence']],
      ['build', ['Assay CLI', 'Evidence']],
      ['deploy', ['Assay CLI', 'Evidence']],
      [
        'audit',
        [
          'Assay CLI',
          'Baseline p95 (the previous load-test evidence)',
          'p95 regression gate (at most 10% above the baseline)',
          'Evidence',
        ],
      ],
    ];
    for (const [job, steps] of stages) {
      const results = await runJob(job, steps);
      expect({
        job,
        results: results.map(r => [r.name, r.status]),
      }).toEqual({ job, results: steps.map(s => [s, 0]) });
    }
    expect((await records('pipeline')).length).toBe(6);
    const [tests] = await records('tests');
    expect(tests.envelope.summary).toMatchObject({ tests: 3 });
    const [build] = await records('build');
    expect(build.envelope.summary.digest).toBe(`sha256:${'ab'.repeat(32)}`);
    expect(await records('sbom')).toHaveLength(1);
    expect(await records('deployment')).toHaveLength(1);
    const loadTests = await records('load-test');
    expect(loadTests).toHaveLength(1);
    expect(loadTests[0].envelope.summary.p95Ms).toBe(100);

    // the next run compares against that record: +5% passes, +20% fails
    fs.writeFileSync(path.join(dir, 'k6-summary.json'), k6(105));
    const gateSteps = [
      'Assay CLI',
      'Baseline p95 (the previous load-test evidence)',
      'p95 regression gate (at most 10% above the baseline)',
    ];
    const within = await runJob('audit', gateSteps);
    expect(within.map(r => r.status)).toEqual([0, 0, 0]);
    expect(within[2].output).toMatch(/within 10%/);
    fs.writeFileSync(path.join(dir, 'k6-summary.json'), k6(120));
    const regressed = await runJob('audit', gateSteps);
    expect(regressed.map(r => r.status)).toEqual([0, 0, 1]);
    expect(regressed[2].output).toMatch(
      /p95 120\.00 ms is 20\.0% above the baseline 100 ms/,
    );
  });
});
