import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { loadCliBundle } from '@assay/plugin-evidence-node';
import { examples } from './pinCli.examples';

/**
 * `assay:cli:pin` — the SHA-256 of the single-file `assay` CLI the portal
 * serves at `/api/evidence/v1/cli/assay.cjs`. The generated pipeline
 * downloads that file and refuses to run it unless the digest matches.
 *
 * @public
 */
export function createPinCliAction() {
  return createTemplateAction({
    id: 'assay:cli:pin',
    description:
      'Outputs the SHA-256 and version of the assay CLI bundle served by the portal (GET /api/evidence/v1/cli/assay.cjs), so generated pipelines can pin it.',
    examples,
    supportsDryRun: true,
    schema: {
      output: {
        sha256: z => z.string({ description: 'hex SHA-256 of assay.cjs' }),
        version: z => z.string({ description: '@assay/cli version' }),
        path: z =>
          z.string({
            description: 'Path of the file under the portal backend',
          }),
      },
    },
    async handler(ctx) {
      const bundle = await loadCliBundle();
      ctx.logger.info(
        `assay CLI ${bundle.version}: sha256 ${bundle.sha256} (${bundle.content.length} bytes)`,
      );
      ctx.output('sha256', bundle.sha256);
      ctx.output('version', bundle.version);
      ctx.output('path', '/api/evidence/v1/cli/assay.cjs');
    },
  });
}
