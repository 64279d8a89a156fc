import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  initialTrafficSplit,
  parseCanarySteps,
  toKubernetesQuantities,
  validateSpecRules,
} from '@assay/plugin-onboarding-common';
import { examples } from './validateResources.examples';

/**
 * `assay:resources:validate` — checks resources, story points, canary steps
 * and SLOs with the onboarding rules. Compliance mode fails on the first
 * violation; sandbox mode never fails on a range or precision rule: it logs
 * every violation as a warning and continues, rendering values Kubernetes
 * cannot carry as the nearest valid quantity (the warning says which).
 *
 * @public
 */
export function createValidateResourcesAction() {
  return createTemplateAction({
    id: 'assay:resources:validate',
    description:
      'Validates requested resources, story points, canary steps and SLOs with the Assay onboarding rules (compliance: fail fast on the first violation; sandbox: every violation is a warning, values Kubernetes cannot carry are rendered as the nearest valid quantity and the warning names it).',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        cpu: z =>
          z.number({
            description: 'CPU in cores, 0.1–16.0, at most 3 decimal places',
          }),
        memoryMb: z =>
          z.number({ description: 'Memory in MB, integer 128–32768' }),
        storageMb: z =>
          z.number({ description: 'Storage in MB, integer 10–100000' }),
        storyPoints: z =>
          z.number({ description: 'Effort estimate, integer 1–20' }),
        mode: z =>
          z.enum(['sandbox', 'compliance'], {
            description:
              'sandbox collects warnings and continues (values Kubernetes cannot carry are rounded to the nearest valid quantity); compliance fails on the first violation; anything else is an error',
          }),
        canarySteps: z =>
          z
            .union([z.array(z.number()), z.string()], {
              description:
                'Canary traffic percentages, increasing, ending at 100: a list or "10,50,100" (default)',
            })
            .optional(),
        slo: z =>
          z
            .object(
              {
                p95Ms: z
                  .number({ description: 'p95 latency budget in ms' })
                  .optional(),
                errorRate: z
                  .number({ description: 'Max error ratio, e.g. 0.01' })
                  .optional(),
                availability: z
                  .number({ description: 'Min availability ratio, e.g. 0.995' })
                  .optional(),
              },
              {
                description:
                  'Service-specific SLOs; missing ones come from the mode, then the global defaults',
              },
            )
            .optional(),
      },
      output: {
        ok: z => z.boolean({ description: 'Whether onboarding may continue' }),
        errors: z =>
          z.array(z.object({ field: z.string(), message: z.string() }), {
            description: 'Violations that stop onboarding: { field, message }',
          }),
        warnings: z =>
          z.array(z.object({ field: z.string(), message: z.string() }), {
            description:
              'Violations tolerated in sandbox mode: { field, message }',
          }),
        quantities: z =>
          z.object(
            {
              cpu: z.string({
                description:
                  'CPU as a Kubernetes quantity in millicores, e.g. 500m (sandbox may have rounded it; see warnings)',
              }),
              memory: z.string({ description: 'Memory, e.g. 512Mi' }),
              ephemeralStorage: z.string({
                description: 'Ephemeral storage, e.g. 1024Mi',
              }),
            },
            {
              description:
                'Kubernetes requests (= limits) of the validated values',
            },
          ),
        canarySteps: z =>
          z.array(z.number(), {
            description: 'Canary steps onboarding continues with',
          }),
        initialSplit: z =>
          z.object(
            {
              stable: z.number({
                description: 'Initial weight of the stable subset',
              }),
              canary: z.number({
                description:
                  'Initial weight of the canary subset (the first step)',
              }),
            },
            { description: 'Initial VirtualService weights, summing to 100' },
          ),
        slo: z =>
          z.record(
            z.object({
              value: z.number(),
              source: z.enum(['service', 'mode', 'global']),
            }),
            { description: 'Resolved thresholds with their source' },
          ),
      },
    },
    async handler(ctx) {
      const { cpu, memoryMb, storageMb, storyPoints, mode, canarySteps, slo } =
        ctx.input;
      const result = validateSpecRules(
        {
          resources: { cpu, memoryMb, storageMb, storyPoints },
          canarySteps:
            canarySteps === undefined
              ? undefined
              : parseCanarySteps(canarySteps),
          slo,
        },
        mode,
      );
      if (!result.ok) {
        // compliance reports its first violation; sandbox every resource
        // that no Kubernetes quantity can carry
        throw new InputError(
          mode === 'compliance'
            ? `Compliance mode: ${result.errors[0].message}`
            : `Sandbox mode: ${result.errors.map(e => e.message).join('; ')}`,
        );
      }
      for (const warning of result.warnings) {
        ctx.logger.warn(`Sandbox mode, continuing: ${warning.message}`);
      }
      ctx.logger.info(
        `Resources validated in ${mode} mode with ${result.warnings.length} warning(s)`,
      );
      ctx.output('ok', result.ok);
      ctx.output('errors', result.errors);
      ctx.output('warnings', result.warnings);
      ctx.output('quantities', toKubernetesQuantities(result.rendered));
      ctx.output('canarySteps', result.canarySteps);
      ctx.output('initialSplit', initialTrafficSplit(result.canarySteps));
      ctx.output('slo', result.slo);
    },
  });
}
