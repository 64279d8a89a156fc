import fs from 'fs/promises';
import path from 'path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import {
  createTemplateAction,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import {
  checkpointTimestamp,
  describeRule,
  formatCheckpoint,
  RESOURCE_RULES,
} from '@assay/plugin-onboarding-common';
import { sha256Hex } from '@assay/plugin-evidence-common';
import { digestFiles, listFiles, writeJson } from '../lib/files';
import {
  archiveOlderRuns,
  declaredDependenciesSbom,
  pointLatest,
  ReportSigner,
  specCoverage,
} from '../lib/reports';
import { examples } from './writeReports.examples';

/** Files of a report folder that are not generated content and so not in the manifest. */
export const UNLISTED_REPORT_FILES = ['manifest.json', 'checkpoints.log'];

/**
 * `assay:reports:write` — writes `reports/<featureId>/<runId>/` into the
 * workspace: the spec validation report, spec coverage, resource estimates,
 * a CycloneDX SBOM of the declared dependencies, a manifest with the SHA-256
 * of every generated file, a checkpoint log and a DSSE signature over the
 * manifest (`signatures/`). `reports/<featureId>/latest` is a symlink to the
 * newest run (a file naming it where the file system cannot hold a link);
 * older runs move to `reports/<featureId>/archive/YYYYMMDD/<runId>/`.
 *
 * @public
 */
export function createWriteReportsAction(
  options: { signer?: ReportSigner } = {},
): TemplateAction<any, any, 'v2'> {
  const signer = options.signer ?? ReportSigner.ephemeral();
  return createTemplateAction({
    id: 'assay:reports:write',
    description:
      'Writes the onboarding reports (spec validation, spec coverage, resource estimates, CycloneDX SBOM, SHA-256 manifest of every generated file, checkpoint log, DSSE signature of the manifest) under reports/<featureId>/<runId>/, points reports/<featureId>/latest at it and archives older runs under archive/YYYYMMDD/.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        featureId: z =>
          z
            .string({ description: 'Feature id from assay:feature:identify' })
            .regex(/^[0-9a-f]{12}$/),
        runId: z =>
          z
            .string({ description: 'Run id from assay:feature:identify' })
            .regex(/^[A-Za-z0-9._-]+$/),
        mode: z =>
          z.enum(['sandbox', 'compliance'], { description: 'Onboarding mode' }),
        spec: z =>
          z.record(z.unknown(), { description: 'The onboarding spec' }),
        validation: z =>
          z
            .object(
              {
                ok: z.boolean({
                  description: 'Whether onboarding may continue',
                }),
                errors: z
                  .array(z.object({ field: z.string(), message: z.string() }))
                  .default([]),
                warnings: z
                  .array(z.object({ field: z.string(), message: z.string() }))
                  .default([]),
              },
              { description: 'The outputs of assay:resources:validate' },
            )
            .passthrough(),
        targetPath: z =>
          z
            .string({
              description:
                'Workspace folder holding the generated service, default "."',
            })
            .optional(),
      },
      output: {
        reportDir: z =>
          z.string({ description: 'Workspace-relative report folder' }),
        manifestPath: z =>
          z.string({ description: 'Workspace-relative path of manifest.json' }),
        manifestDigest: z =>
          z.string({ description: 'sha256:<hex> of manifest.json' }),
        fileCount: z =>
          z.number({ description: 'Number of files listed in the manifest' }),
        signatureKeyId: z =>
          z.string({
            description:
              'keyid of the DSSE signature: sha256 of the public key (SPKI DER)',
          }),
      },
    },
    async handler(ctx) {
      const { featureId, runId, mode, spec, validation } = ctx.input;
      const root = resolveSafeChildPath(
        ctx.workspacePath,
        ctx.input.targetPath ?? '.',
      );
      const featureDir = `reports/${featureId}`;
      const reportDir = `${featureDir}/${runId}`;
      const abs = (p: string) => resolveSafeChildPath(root, p);
      const now = new Date();
      const generatedAt = now.toISOString();
      const extras = validation as {
        quantities?: unknown;
        canarySteps?: unknown;
        initialSplit?: unknown;
        slo?: unknown;
      };

      await archiveOlderRuns(abs(featureDir), runId);

      await writeJson(abs(`${reportDir}/spec-validation-report.json`), {
        featureId,
        runId,
        mode,
        generatedAt,
        ok: validation.ok,
        errors: validation.errors,
        warnings: validation.warnings,
        rules: RESOURCE_RULES.map(r => ({
          field: r.field,
          allowed: describeRule(r),
        })),
        spec,
      });
      await writeJson(abs(`${reportDir}/resource-estimates.json`), {
        featureId,
        runId,
        generatedAt,
        requested: spec.resources ?? null,
        kubernetes: extras.quantities
          ? { requests: extras.quantities, limits: extras.quantities }
          : null,
        canarySteps: extras.canarySteps ?? null,
        initialSplit: extras.initialSplit ?? null,
        slo: extras.slo ?? null,
      });

      await writeJson(abs(`${reportDir}/spec-coverage.json`), {
        featureId,
        runId,
        generatedAt,
        ...(await specCoverage(root, spec)),
      });
      await writeJson(
        abs(`${reportDir}/sbom.cyclonedx.json`),
        await declaredDependenciesSbom(root, {
          name: String(spec.name ?? 'service'),
          featureId,
          runId,
          generatedAt,
        }),
      );

      const unlisted = new Set([
        `${featureDir}/latest`,
        ...UNLISTED_REPORT_FILES.map(f => `${reportDir}/${f}`),
      ]);
      const files = (await listFiles(root)).filter(
        f =>
          !unlisted.has(f) &&
          !f.startsWith(`${featureDir}/archive/`) &&
          !f.startsWith(`${reportDir}/signatures/`),
      );
      const digests = await digestFiles(root, files);
      const manifest = await writeJson(abs(`${reportDir}/manifest.json`), {
        featureId,
        runId,
        generatedAt,
        algorithm: 'sha256',
        files: digests,
      });
      const manifestDigest = `sha256:${sha256Hex(manifest)}`;

      const line = (stage: string, status: string, artifact: string) =>
        formatCheckpoint({
          timestamp: checkpointTimestamp(now),
          runId,
          featureId,
          stage,
          status,
          artifact,
        });
      const log = [
        line('preflight', 'passed', 'feature-id'),
        line(
          'validate',
          validation.warnings.length ? 'warned' : 'passed',
          `${reportDir}/spec-validation-report.json`,
        ),
        line('generate', 'completed', `${reportDir}/manifest.json`),
      ];
      await fs.appendFile(
        abs(`${reportDir}/checkpoints.log`),
        `${log.join('\n')}\n`,
      );
      const signature = await signer.signManifest(manifest);
      await writeJson(
        abs(`${reportDir}/signatures/manifest.json.dsse.json`),
        signature.envelope,
      );
      await fs.writeFile(
        abs(`${reportDir}/signatures/signing-key.pub.pem`),
        signature.publicKeyPem,
      );
      await pointLatest(abs(featureDir), runId);

      ctx.logger.info(
        `Wrote ${reportDir} listing ${digests.length} files (${manifestDigest})`,
      );
      const rel = (p: string) =>
        path.posix.join(ctx.input.targetPath ?? '.', p);
      ctx.output('reportDir', rel(reportDir));
      ctx.output('manifestPath', rel(`${reportDir}/manifest.json`));
      ctx.output('manifestDigest', manifestDigest);
      ctx.output('fileCount', digests.length);
      ctx.output('signatureKeyId', signature.keyid);
    },
  });
}
