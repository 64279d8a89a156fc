import fs from 'fs';
import path from 'path';
import { createHash } from 'crypto';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { parseCheckpoint } from '@assay/plugin-onboarding-common';
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
      fileCount: 5,
    });
    const manifest = JSON.parse(read(`${dir}/manifest.json`).toString());
    expect(manifest).toMatchObject({ featureId, runId, algorithm: 'sha256' });
    expect(manifest.files.map((f: any) => f.path)).toEqual([
      'catalog-info.yaml',
      'k8s/deployment.yaml',
      `${dir}/resource-estimates.json`,
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
    expect(read(`reports/${featureId}/latest`).toString()).toBe(`${runId}\n`);
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
    expect(outputs.fileCount).toBe(3);
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
