import { HttpAuthService } from '@backstage/backend-plugin-api';
import { loadCliBundle } from '@assay/plugin-evidence-node';
import Router from 'express-promise-router';

/**
 * Serves the single-file `assay` CLI to pipelines (see `loadCliBundle`):
 * - `GET /v1/cli` → `{ version, sha256, size, path }`
 * - `GET /v1/cli/assay.cjs` → the file, with `x-content-sha256`.
 * Any authenticated caller (user, plugin or CI token) may fetch it; it holds
 * no evidence. Pipelines check the digest pinned at onboarding.
 */
export function createCliRouter(options: { httpAuth: HttpAuthService }) {
  const router = Router();
  router.get('/v1/cli', async (req, res) => {
    await options.httpAuth.credentials(req);
    const bundle = await loadCliBundle();
    res.json({
      version: bundle.version,
      sha256: bundle.sha256,
      size: bundle.content.length,
      path: '/v1/cli/assay.cjs',
    });
  });
  router.get('/v1/cli/assay.cjs', async (req, res) => {
    await options.httpAuth.credentials(req);
    const bundle = await loadCliBundle();
    res.setHeader('content-type', 'application/javascript; charset=utf-8');
    res.setHeader('x-content-sha256', bundle.sha256);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('content-disposition', 'attachment; filename="assay.cjs"');
    res.send(bundle.content);
  });
  return router;
}
