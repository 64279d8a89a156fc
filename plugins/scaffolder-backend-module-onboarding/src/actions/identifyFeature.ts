import { ConflictError } from '@backstage/errors';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  createTemplateAction,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import {
  checkpointTimestamp,
  featureBranch,
  featureId,
  nextFreeName,
} from '@assay/plugin-onboarding-common';
import { examples } from './identifyFeature.examples';

/** Annotation carrying the feature id on generated components. */
export const FEATURE_ID_ANNOTATION = 'assay.dev/feature-id';

/** A run id that sorts by time: `20250924T140440Z-<first 8 of the task id>`. */
export function makeRunId(now: Date, taskId: string): string {
  const stamp = checkpointTimestamp(now).replace(/[-:]/g, '');
  const suffix = taskId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8) || 'local';
  return `${stamp}-${suffix}`;
}

/**
 * `assay:feature:identify` — computes the feature id of the onboarding spec,
 * its branch, a run id, and resolves name conflicts against the catalog:
 * compliance mode refuses, sandbox mode picks `<name>-v2`, `-v3`, …
 *
 * @public
 */
export function createIdentifyFeatureAction(options: {
  catalog: CatalogService;
  /**
   * Whether the publisher already holds a repository of that name (the
   * local publisher can tell; remote ones are checked by their own step).
   */
  repositoryExists?: (name: string) => Promise<boolean>;
}): TemplateAction<any, any, 'v2'> {
  const { catalog, repositoryExists = async () => false } = options;
  return createTemplateAction({
    id: 'assay:feature:identify',
    description:
      'Computes the feature id (SHA-256 of the RFC 8785 canonical spec, 12 hex), the branch auto/spec-implementation/<featureId>, a run id, and the component name after conflict checks.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        spec: z =>
          z
            .object(
              { name: z.string({ description: 'Requested component name' }) },
              {
                description:
                  'The onboarding spec; its canonical JSON identifies the feature',
              },
            )
            .passthrough(),
        mode: z =>
          z.enum(['sandbox', 'compliance'], {
            description: 'Conflict policy: compliance blocks, sandbox renames',
          }),
        namespace: z =>
          z
            .string({ description: 'Catalog namespace, default "default"' })
            .optional(),
      },
      output: {
        featureId: z => z.string({ description: '12 hex characters' }),
        branch: z =>
          z.string({ description: 'auto/spec-implementation/<featureId>' }),
        runId: z => z.string({ description: 'Identifies this onboarding run' }),
        componentName: z =>
          z.string({
            description: 'Name to create: the requested one or a -vN variant',
          }),
        entityRef: z =>
          z.string({ description: 'Entity ref of the component to create' }),
        conflict: z =>
          z.boolean({
            description:
              'Whether the requested name or feature already existed',
          }),
      },
    },
    async handler(ctx) {
      const { spec, mode } = ctx.input;
      const namespace = ctx.input.namespace ?? 'default';
      const id = featureId(spec);
      const credentials = await ctx.getInitiatorCredentials();

      const inCatalog = async (name: string) =>
        Boolean(
          await catalog.getEntityByRef(
            { kind: 'Component', namespace, name },
            { credentials },
          ),
        );
      const nameTaken = async (name: string) =>
        (await inCatalog(name)) || (await repositoryExists(name));
      const { items: sameFeature } = await catalog.getEntities(
        {
          filter: {
            kind: 'Component',
            [`metadata.annotations.${FEATURE_ID_ANNOTATION}`]: id,
          },
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      );
      const requested = spec.name;
      const requestedInCatalog = await inCatalog(requested);
      const requestedRepo = await repositoryExists(requested);
      const requestedTaken = requestedInCatalog || requestedRepo;
      const conflict = requestedTaken || sameFeature.length > 0;

      let componentName = requested;
      if (conflict) {
        const reasons = [
          ...(requestedInCatalog
            ? [`a component named '${requested}' already exists`]
            : []),
          ...(requestedRepo
            ? [`a repository named '${requested}' already exists`]
            : []),
          ...sameFeature.map(
            e =>
              `feature ${id} is already onboarded as ${stringifyEntityRef(e)}`,
          ),
        ].join('; ');
        if (mode === 'compliance') {
          throw new ConflictError(
            `Compliance mode: ${reasons}. Choose another name or change the spec; compliance mode never renames.`,
          );
        }
        // A second implementation of a feature is a new version, even under a free name.
        componentName = await nextFreeName(requested, async name =>
          name === requested ? true : nameTaken(name),
        );
        ctx.logger.warn(
          `Sandbox mode: ${reasons}; creating '${componentName}' instead`,
        );
      }

      const runId = makeRunId(new Date(), ctx.task.id);
      ctx.logger.info(
        `Feature ${id}, run ${runId}, component ${componentName}`,
      );
      ctx.output('featureId', id);
      // a sandbox -vN of the component is a -vN of the branch too
      const version = componentName.slice(requested.length);
      ctx.output('branch', `${featureBranch(id)}${version}`);
      ctx.output('runId', runId);
      ctx.output('componentName', componentName);
      ctx.output(
        'entityRef',
        stringifyEntityRef({
          kind: 'Component',
          namespace,
          name: componentName,
        }),
      );
      ctx.output('conflict', conflict);
    },
  });
}
