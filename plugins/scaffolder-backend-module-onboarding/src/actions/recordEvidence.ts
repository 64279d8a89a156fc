import fs from 'fs/promises';
import {
  AuthService,
  BackstageCredentials,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { EvidenceService } from '@assay/plugin-evidence-node';
import { sha256Hex } from '@assay/plugin-evidence-common';
import { examples } from './recordEvidence.examples';

const REPORT_ARTIFACTS = [
  'spec-validation-report.json',
  'resource-estimates.json',
];

/**
 * `assay:evidence:record` — appends an `onboarding` evidence record for the
 * new component, citing the manifest digest, the feature id and the run id,
 * with the manifest and reports attached as artifacts.
 *
 * With `auth`, the record is written with the scaffolder's own service
 * credentials (`plugin:scaffolder`, which `evidence.pluginProducers` allows
 * to write `onboarding`), and the user who ran the template is named in
 * `summary.actor` and the payload; without it, on behalf of that user. With
 * `catalog`, it first waits (bounded) until the entity registered by
 * `catalog:register` has been processed, since the evidence store refuses
 * entities the catalog does not know.
 *
 * @public
 */
export function createRecordEvidenceAction(options: {
  evidence: EvidenceService;
  auth?: AuthService;
  catalog?: CatalogService;
  /** how long to wait for the entity to appear in the catalog (default 60 s) */
  entityWaitMs?: number;
}) {
  const { evidence, auth, catalog } = options;
  const entityWaitMs = options.entityWaitMs ?? 60_000;
  async function waitForEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ) {
    if (!catalog) return;
    const deadline = Date.now() + entityWaitMs;
    for (let delay = 250; ; delay = Math.min(delay * 2, 2_000)) {
      if (await catalog.getEntityByRef(entityRef, { credentials })) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `${entityRef} is not in the catalog ${Math.round(
            entityWaitMs / 1000,
          )} s after registration; evidence can only be recorded for catalog entities`,
        );
      }
      await new Promise(r => setTimeout(r, delay));
    }
  }
  return createTemplateAction({
    id: 'assay:evidence:record',
    description:
      'Appends an onboarding evidence record (manifest digest, featureId, runId) for the new component to the Assay evidence store.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string({
            description:
              'The component the evidence is about, e.g. component:default/service-c',
          }),
        featureId: z =>
          z.string({ description: 'Feature id from assay:feature:identify' }),
        runId: z =>
          z.string({ description: 'Run id from assay:feature:identify' }),
        manifestPath: z =>
          z.string({
            description:
              'Workspace-relative path of manifest.json from assay:reports:write',
          }),
        mode: z =>
          z.enum(['sandbox', 'compliance'], { description: 'Onboarding mode' }),
        version: z =>
          z
            .string({ description: 'Version of the service, if any' })
            .optional(),
        repository: z =>
          z
            .object(
              {
                remoteUrl: z
                  .string({ description: 'Where the code was published' })
                  .optional(),
                commitHash: z
                  .string({ description: 'Published commit' })
                  .optional(),
                branch: z.string({ description: 'Feature branch' }).optional(),
              },
              { description: 'Publication facts to keep with the record' },
            )
            .optional(),
        warnings: z =>
          z.number({ description: 'Number of sandbox warnings' }).optional(),
      },
      output: {
        recorded: z => z.boolean({ description: 'False in dry-run' }),
        manifestDigest: z =>
          z.string({ description: 'sha256:<hex> of the manifest cited' }),
        recordHash: z =>
          z
            .string({ description: 'Hash of the stored evidence record' })
            .optional(),
        leafIndex: z =>
          z
            .number({
              description: 'Position of the record in the evidence log',
            })
            .optional(),
      },
    },
    async handler(ctx) {
      const {
        entityRef,
        featureId,
        runId,
        manifestPath,
        mode,
        version,
        repository,
        warnings,
      } = ctx.input;
      const manifestFile = resolveSafeChildPath(
        ctx.workspacePath,
        manifestPath,
      );
      const manifestBytes = await fs.readFile(manifestFile).catch(() => {
        throw new InputError(
          `No manifest at ${manifestPath}; run assay:reports:write first`,
        );
      });
      const manifest = JSON.parse(manifestBytes.toString('utf8'));
      if (manifest.featureId !== featureId || manifest.runId !== runId) {
        throw new InputError(
          `Manifest ${manifestPath} is for feature ${manifest.featureId} run ${manifest.runId}, not ${featureId} run ${runId}`,
        );
      }
      const manifestDigest = `sha256:${sha256Hex(manifestBytes)}`;
      ctx.output('manifestDigest', manifestDigest);

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would record onboarding evidence for ${entityRef} (${manifestDigest})`,
        );
        ctx.output('recorded', false);
        return;
      }

      const reportDir = manifestFile.replace(/manifest\.json$/, '');
      const artifacts = [
        {
          name: 'manifest.json',
          mediaType: 'application/json',
          content: manifestBytes,
        },
        ...(await Promise.all(
          REPORT_ARTIFACTS.map(async name => ({
            name,
            mediaType: 'application/json',
            content: await fs.readFile(`${reportDir}${name}`),
          })),
        )),
      ];
      const idempotencyKey = `onboarding:${entityRef}:${featureId}:${runId}`;
      const initiator = await ctx.getInitiatorCredentials();
      const actor =
        ctx.user?.ref ??
        (initiator.principal as { userEntityRef?: string }).userEntityRef;
      const credentials = auth
        ? await auth.getOwnServiceCredentials()
        : initiator;
      await waitForEntity(entityRef, auth ? credentials : initiator);
      const stored = await ctx.checkpoint({
        key: `assay-evidence-${featureId}-${runId}`,
        fn: async () => {
          const result = await evidence.append(
            {
              entityRef,
              category: 'onboarding',
              subject: {
                featureSha: featureId,
                runId,
                ...(version ? { version } : {}),
              },
              summary: {
                featureId,
                runId,
                mode,
                manifestDigest,
                files: Array.isArray(manifest.files)
                  ? manifest.files.length
                  : 0,
                warnings: warnings ?? 0,
                ...(actor ? { actor } : {}),
              },
              payload: {
                ...(actor ? { actor } : {}),
                manifestDigest,
                manifest,
                repository: repository ?? null,
              },
              artifacts,
              idempotencyKey,
            },
            { credentials },
          );
          return { hash: result.hash, leafIndex: result.leafIndex };
        },
      });
      ctx.logger.info(
        `Recorded onboarding evidence ${stored.hash} for ${entityRef}`,
      );
      ctx.output('recorded', true);
      ctx.output('recordHash', stored.hash);
      ctx.output('leafIndex', stored.leafIndex);
    },
  });
}
