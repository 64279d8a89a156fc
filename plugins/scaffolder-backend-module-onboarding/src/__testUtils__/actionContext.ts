import yaml from 'yaml';
import type {
  TemplateAction,
  TemplateExample,
} from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';

/** Inputs of every step of every documented example that uses the action. */
export function exampleInputs(
  action: TemplateAction<any, any, any>,
  examples: TemplateExample[],
) {
  return examples.flatMap(example =>
    (yaml.parse(example.example).steps as Array<{ action: string; input: any }>)
      .filter(step => step.action === action.id)
      .map(step => [example.description, step.input] as const),
  );
}

/** A mock context that also carries `isDryRun` and collects outputs in a record. */
export function mockContext(options: {
  input: any;
  workspacePath: string;
  isDryRun?: boolean;
  taskId?: string;
}) {
  const outputs: Record<string, any> = {};
  const ctx = {
    ...createMockActionContext({
      input: options.input,
      workspacePath: options.workspacePath,
      task: { id: options.taskId ?? '1a2b3c4d-0000-4000-8000-000000000000' },
    }),
    isDryRun: options.isDryRun ?? false,
  };
  ctx.output = jest.fn((name: string | number | symbol, value: unknown) => {
    outputs[String(name)] = value;
  }) as any;
  return { ctx, outputs };
}
