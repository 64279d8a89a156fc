import fs from 'fs';
import path from 'path';
import { createHash, createPublicKey, verify } from 'crypto';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { createMockDirectory } from '@backstage/backend-test-utils';
import {
  DsseEnvelope,
  dsseVerify,
  ONBOARDING_MANIFEST_PAYLOAD_TYPE,
  parseCheckpoint,
} from '@assay/plugin-onboarding-common';
import { createWriteReportsAction } from './writeReports';
import { examples } from './writeReports.examples';
import { exampleInputs, mockContext } from '../__testUtils__/actionContext';

const sha256 = (data: Buffer | string) =>
  createHash('sha256').update(data).digest('hex');
const featureId = '0123456789ab';
const runId = '20250924T140440Z-1a2b3c4d';

const input = (overrides: any = {}) => ({
  featureId,
  runId,
  mode: 'sandbox',
  spec: {
    name: 'service-c',
    resources: { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 5 },
  },
  validation: {
    ok: true,
    errors: [],
    warnings: [{ field: 'cpu', message: 'cpu must be …' }],
    quantities: { cpu: '500m', memory: '512Mi', ephemeralStorage: '1024Mi' },
    canarySteps: [10, 50, 100],
    initialSplit: { stable: 90, canary: 10 },
  },
  ...overrides,
});

describe('assay:reports:write', () => {
  const workspace = createMockDirectory();
  const action = createWriteReportsAction();
  const run = async (i: any, isDryRun = false) => {
    const { ctx, outputs } = mockContext({
      input: i,
      workspacePath: workspace.path,
      isDryRun,
    });
    await action.handler(ctx);
    return outputs;
  };
  const read = (p: string) => fs.readFileSync(path.join(workspace.path, p));

  beforeEach(() => {
    workspace.setContent({
      'catalog-info.yaml': 'kind: Component\n',
      'k8s/deployment.yaml': 'kind: Deployment\n',
      'src/app.py': 'print("hi")\n',
    });
  });

  it('writes the reports, a manifest of every generated file, the log and the latest pointer', async () => {
    const outputs = await run(input());
    const dir = `reports/${featureId}/${runId}`;
    expect(outputs).toEqual({
      reportDir: dir,
      manifestPath: `${dir}/manifest.json`,
      manifestDigest: `sha256:${sha256(read(`${dir}/manifest.json`))}`,
      fileCount: 7,
      signatureKeyId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    const manifest = JSON.parse(read(`${dir}/manifest.json`).toString());
    expect(manifest).toMatchObject({ featureId, runId, algorithm: 'sha256' });
    expect(manifest.files.map((f: any) => f.path)).toEqual([
      'catalog-info.yaml',
      'k8s/deployment.yaml',
      `${dir}/resource-estimates.json`,
      `${dir}/sbom.cyclonedx.json`,
      `${dir}/spec-coverage.json`,
      `${dir}/spec-validation-report.json`,
      'src/app.py',
    ]);
    for (const file of manifest.files) {
      const data = read(file.path);
      expect(file.sha256).toBe(sha256(data));
      expect(file.bytes).toBe(data.length);
    }

    const report = JSON.parse(
      read(`${dir}/spec-validation-report.json`).toString(),
    );
    expect(report).toMatchObject({
      featureId,
      runId,
      mode: 'sandbox',
      ok: true,
      errors: [],
    });
    expect(report.warnings).toHaveLength(1);
    expect(report.rules.map((r: any) => r.field)).toEqual([
      'cpu',
      'memoryMb',
      'storageMb',
      'storyPoints',
    ]);

    const estimates = JSON.parse(
      read(`${dir}/resource-estimates.json`).toString(),
    );
    expect(estimates.kubernetes.requests).toEqual({
      cpu: '500m',
      memory: '512Mi',
      ephemeralStorage: '1024Mi',
    });
    expect(estimates.kubernetes.limits).toEqual(estimates.kubernetes.requests);
    expect(estimates.initialSplit).toEqual({ stable: 90, canary: 10 });

    const lines = read(`${dir}/checkpoints.log`).toString().trim().split('\n');
    const checkpoints = lines.map(l => parseCheckpoint(l));
    expect(
      checkpoints.map(c => [c?.runId, c?.featureId, c?.stage, c?.status]),
    ).toEqual([
      [runId, featureId, 'preflight', 'passed'],
      [runId, featureId, 'validate', 'warned'],
      [runId, featureId, 'generate', 'completed'],
    ]);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \| /);
    // latest is a symlink to the newest run
    const latest = path.join(workspace.path, `reports/${featureId}/latest`);
    expect(fs.lstatSync(latest).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(latest)).toBe(runId);
    expect(fs.existsSync(path.join(latest, 'manifest.json'))).toBe(true);
  });

  it('signs the manifest as a DSSE envelope verifiable with the published key', async () => {
    const outputs = await run(input());
    const dir = `reports/${featureId}/${runId}`;
    const envelope = JSON.parse(
      read(`${dir}/signatures/manifest.json.dsse.json`).toString(),
    );
    const key = createPublicKey(
      read(`${dir}/signatures/signing-key.pub.pem`).toString(),
    );
    const check = (env: DsseEnvelope) =>
      dsseVerify(env, (pae, sig) => verify(null, pae, key, sig));
    const ok = await check(envelope);
    expect(ok.ok).toBe(true);
    expect(
      Buffer.from((ok as any).payload).equals(read(`${dir}/manifest.json`)),
    ).toBe(true);
    expect(envelope).toMatchObject({
      payloadType: ONBOARDING_MANIFEST_PAYLOAD_TYPE,
      signatures: [{ keyid: outputs.signatureKeyId }],
    });
    const tampered = {
      ...envelope,
      payload: Buffer.from(
        read(`${dir}/manifest.json`).toString().replace('sha256', 'sha512'),
      ).toString('base64'),
    };
    expect((await check(tampered)).ok).toBe(false);
  });

  it('writes spec coverage and a valid CycloneDX SBOM of the declared dependencies', async () => {
    workspace.setContent({
      'catalog-info.yaml': 'name: service-c\n',
      'requirements.txt': 'prometheus-client==0.21.1\n',
      'package.json': JSON.stringify({
        dependencies: { 'prom-client': '^15.1.3', '@scope/x': '~1.2.0' },
      }),
    });
    await run(input());
    const dir = `reports/${featureId}/${runId}`;
    const coverage = JSON.parse(read(`${dir}/spec-coverage.json`).toString());
    expect(coverage.total).toBeGreaterThan(5);
    expect(coverage.items.find((i: any) => i.field === 'name').covered).toBe(
      true,
    );
    expect(
      coverage.items.find((i: any) => i.field === 'resources.cpu').covered,
    ).toBe(false);
    const sbom = read(`${dir}/sbom.cyclonedx.json`).toString();
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot5);
    await expect(validator.validate(sbom)).resolves.toBeNull();
    expect(JSON.parse(sbom).components.map((c: any) => c.purl)).toEqual([
      'pkg:npm/prom-client@15.1.3',
      'pkg:npm/%40scope/x@1.2.0',
      'pkg:pypi/prometheus-client@0.21.1',
    ]);
    // and the validator does fail on an invalid SBOM
    const invalid = JSON.parse(sbom);
    invalid.components[0].type = 'banana';
    await expect(
      validator.validate(JSON.stringify(invalid)),
    ).resolves.not.toBeNull();
  });

  it('archives earlier runs under archive/YYYYMMDD/', async () => {
    const first = '20250923T101010Z-aaaaaaaa';
    await run(input({ runId: first }));
    await run(input());
    expect(
      fs.existsSync(
        path.join(
          workspace.path,
          `reports/${featureId}/archive/20250923/${first}/manifest.json`,
        ),
      ),
    ).toBe(true);
    expect(
      fs.existsSync(path.join(workspace.path, `reports/${featureId}/${first}`)),
    ).toBe(false);
    expect(
      fs.readlinkSync(path.join(workspace.path, `reports/${featureId}/latest`)),
    ).toBe(runId);
  });

  it('marks validate as passed without warnings', async () => {
    await run(input({ validation: { ok: true, errors: [], warnings: [] } }));
    const log = read(
      `reports/${featureId}/${runId}/checkpoints.log`,
    ).toString();
    expect(log).toContain(' | validate | passed | ');
  });

  it('writes under a target path', async () => {
    workspace.setContent({ 'svc/catalog-info.yaml': 'x' });
    const outputs = await run(input({ targetPath: 'svc' }));
    expect(outputs.manifestPath).toBe(
      `svc/reports/${featureId}/${runId}/manifest.json`,
    );
    expect(outputs.fileCount).toBe(5);
  });

  it('also writes in dry-run: the workspace is the only thing it touches', async () => {
    expect(action.supportsDryRun).toBe(true);
    const outputs = await run(input(), true);
    expect(fs.existsSync(path.join(workspace.path, outputs.manifestPath))).toBe(
      true,
    );
  });

  it('refuses paths outside the workspace', async () => {
    await expect(run(input({ targetPath: '../elsewhere' }))).rejects.toThrow(
      /outside/i,
    );
  });

  describe('examples', () => {
    it.each(exampleInputs(action, examples))('%s', async (_description, i) => {
      const outputs = await run(i);
      expect(outputs.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    });
  });
});
