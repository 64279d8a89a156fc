import {
  createMockDirectory,
  mockCredentials,
} from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import type { EvidenceService } from '@assay/plugin-evidence-node';
import { createRecordEvidenceAction } from './recordEvidence';
import { createWriteReportsAction } from './writeReports';
import { examples } from './recordEvidence.examples';
import { exampleInputs, mockContext } from '../__testUtils__/actionContext';

const featureId = '0123456789ab';
const runId = '20250924T140440Z-1a2b3c4d';
const manifestPath = `reports/${featureId}/${runId}/manifest.json`;

function fakeEvidence() {
  const append = jest.fn(async (request: any) => ({
    envelope: { v: 1, entityRef: request.entityRef, seq: 1 } as any,
    hash: 'a'.repeat(64),
    leafIndex: 7,
    payloadPurged: false,
    replayed: false,
  }));
  const service: EvidenceService = { append, list: jest.fn() };
  return { service, append };
}

describe('assay:evidence:record', () => {
  const workspace = createMockDirectory();
  let manifestDigest: string;

  beforeEach(async () => {
    workspace.setContent({ 'catalog-info.yaml': 'kind: Component\n' });
    const { ctx, outputs } = mockContext({
      input: {
        featureId,
        runId,
        mode: 'compliance',
        spec: { name: 'service-c' },
        validation: { ok: true, errors: [], warnings: [] },
      },
      workspacePath: workspace.path,
    });
    await createWriteReportsAction().handler(ctx);
    manifestDigest = outputs.manifestDigest;
  });

  const baseInput = {
    entityRef: 'component:default/service-c',
    featureId,
    runId,
    manifestPath,
    mode: 'compliance',
    repository: {
      remoteUrl: 'file:///tmp/repos/service-c.git',
      commitHash: 'c'.repeat(40),
    },
  };

  it('appends an onboarding record citing the manifest digest, feature and run', async () => {
    const { service, append } = fakeEvidence();
    const action = createRecordEvidenceAction({ evidence: service });
    const { ctx, outputs } = mockContext({
      input: baseInput,
      workspacePath: workspace.path,
    });
    await action.handler(ctx);

    expect(append).toHaveBeenCalledTimes(1);
    const [request, options] = append.mock.calls[0] as any[];
    expect(request).toMatchObject({
      entityRef: 'component:default/service-c',
      category: 'onboarding',
      subject: { featureSha: featureId, runId },
      summary: {
        featureId,
        runId,
        mode: 'compliance',
        manifestDigest,
        files: 5,
        warnings: 0,
      },
      payload: { manifestDigest, repository: baseInput.repository },
      idempotencyKey: `onboarding:component:default/service-c:${featureId}:${runId}`,
    });
    expect(request.artifacts.map((a: any) => a.name)).toEqual([
      'manifest.json',
      'spec-validation-report.json',
      'resource-estimates.json',
    ]);
    expect(Buffer.isBuffer(request.artifacts[0].content)).toBe(true);
    expect(options.credentials).toEqual(await ctx.getInitiatorCredentials());
    expect(outputs).toEqual({
      manifestDigest,
      recorded: true,
      recordHash: 'a'.repeat(64),
      leafIndex: 7,
    });
  });

  it('passes the version when given', async () => {
    const { service, append } = fakeEvidence();
    const { ctx } = mockContext({
      input: { ...baseInput, version: '0.1.0' },
      workspacePath: workspace.path,
    });
    await createRecordEvidenceAction({ evidence: service }).handler(ctx);
    expect((append.mock.calls[0] as any[])[0].subject).toEqual({
      featureSha: featureId,
      runId,
      version: '0.1.0',
    });
  });

  it('records nothing in dry-run', async () => {
    const { service, append } = fakeEvidence();
    const action = createRecordEvidenceAction({ evidence: service });
    expect(action.supportsDryRun).toBe(true);
    const { ctx, outputs } = mockContext({
      input: baseInput,
      workspacePath: workspace.path,
      isDryRun: true,
    });
    await action.handler(ctx);
    expect(append).not.toHaveBeenCalled();
    expect(outputs).toEqual({ manifestDigest, recorded: false });
  });

  it('refuses a missing manifest or one of another run', async () => {
    const { service } = fakeEvidence();
    const action = createRecordEvidenceAction({ evidence: service });
    const missing = mockContext({
      input: { ...baseInput, manifestPath: 'nope.json' },
      workspacePath: workspace.path,
    });
    await expect(action.handler(missing.ctx)).rejects.toThrow(InputError);
    const other = mockContext({
      input: { ...baseInput, runId: 'other' },
      workspacePath: workspace.path,
    });
    await expect(action.handler(other.ctx)).rejects.toThrow(
      /not 0123456789ab run other/,
    );
  });

  it('with auth, writes as plugin:scaffolder naming the user, once the catalog has the entity', async () => {
    const { service, append } = fakeEvidence();
    const own = mockCredentials.service('plugin:scaffolder');
    const auth = { getOwnServiceCredentials: async () => own } as any;
    let lookups = 0;
    const catalog = {
      // catalog:register's entity shows up on the third look-up
      getEntityByRef: jest.fn(async () =>
        ++lookups >= 3 ? { kind: 'Component' } : undefined,
      ),
    } as any;
    const { ctx } = mockContext({
      input: baseInput,
      workspacePath: workspace.path,
    });
    await createRecordEvidenceAction({
      evidence: service,
      auth,
      catalog,
    }).handler(ctx);
    expect(lookups).toBe(3);
    const [request, options] = append.mock.calls[0] as any[];
    expect(options.credentials).toBe(own);
    const actor = ((await ctx.getInitiatorCredentials()).principal as any)
      .userEntityRef;
    expect(actor).toMatch(/^user:/);
    expect(request.summary.actor).toBe(actor);
    expect(request.payload.actor).toBe(actor);
  });

  it('gives up, naming the entity, when the catalog never gets it', async () => {
    const { service, append } = fakeEvidence();
    const { ctx } = mockContext({
      input: baseInput,
      workspacePath: workspace.path,
    });
    await expect(
      createRecordEvidenceAction({
        evidence: service,
        catalog: { getEntityByRef: async () => undefined } as any,
        entityWaitMs: 300,
      }).handler(ctx),
    ).rejects.toThrow(/component:default\/service-c is not in the catalog/);
    expect(append).not.toHaveBeenCalled();
  });

  it('surfaces evidence store failures', async () => {
    const service: EvidenceService = {
      append: jest.fn().mockRejectedValue(new Error('evidence store down')),
      list: jest.fn(),
    };
    const { ctx } = mockContext({
      input: baseInput,
      workspacePath: workspace.path,
    });
    await expect(
      createRecordEvidenceAction({ evidence: service }).handler(ctx),
    ).rejects.toThrow('evidence store down');
  });

  describe('examples', () => {
    it.each(
      exampleInputs(
        createRecordEvidenceAction({ evidence: fakeEvidence().service }),
        examples,
      ),
    )('%s', async (_description, input) => {
      const { service, append } = fakeEvidence();
      const { ctx, outputs } = mockContext({
        input,
        workspacePath: workspace.path,
      });
      await createRecordEvidenceAction({ evidence: service }).handler(ctx);
      expect(append).toHaveBeenCalledTimes(1);
      expect(outputs.recorded).toBe(true);
    });
  });
});
