// The test reads the real template from the repository (a Node-side fixture).
// eslint-disable-next-line no-restricted-imports
import fs from 'fs';
// eslint-disable-next-line no-restricted-imports
import path from 'path';
import yaml from 'yaml';
import { configure, fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import {
  AssayResourcesFieldExtension,
  assayResourcesFieldOptions,
  ASSAY_RESOURCES_FIELD,
} from './extensions';

// The real "Resources and compliance" step of the onboarding template.
const template = yaml.parse(
  fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../templates/service-onboarding/template.yaml',
    ),
    'utf8',
  ),
);
const step = template.spec.parameters.find(
  (p: any) => p.title === 'Resources and compliance',
);

const renderStep = (onCreate = jest.fn()) =>
  renderInTestApp(
    <Stepper
      manifest={{
        title: template.metadata.title,
        steps: [{ title: step.title, schema: step }],
      }}
      extensions={[assayResourcesFieldOptions]}
      onCreate={onCreate}
    />,
  );

const cpuInput = () => screen.getByTestId('resource-cpu') as HTMLInputElement;
const review = () =>
  fireEvent.click(screen.getByRole('button', { name: 'Review' }));

// The real scaffolder Stepper renders slowly on a loaded 2-core machine.
jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 10_000 });

describe('AssayResources in the scaffolder form', () => {
  it('is the field the template uses', () => {
    expect(step.properties.resources['ui:field']).toBe(ASSAY_RESOURCES_FIELD);
    expect(AssayResourcesFieldExtension).toBeDefined();
  });

  it('compliance: an invalid CPU shows the error and blocks; fixing it moves on', async () => {
    await renderStep();
    fireEvent.change(cpuInput(), { target: { value: '0.05' } });
    expect(screen.getByRole('alert')).toHaveTextContent(
      'cpu must be 0.1–16.0 cores',
    );
    review();
    await waitFor(() =>
      expect(
        screen.getAllByText(
          /cpu must be 0\.1–16\.0 cores with at most 3 decimal places \(got 0\.05\)/,
        ).length,
      ).toBeGreaterThan(1),
    );
    expect(
      screen.queryByRole('button', { name: 'Create' }),
    ).not.toBeInTheDocument();

    fireEvent.change(cpuInput(), { target: { value: '0.5' } });
    review();
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it('sandbox: the same CPU is a warning and does not block', async () => {
    await renderStep();
    fireEvent.click(screen.getByLabelText('Sandbox (warnings)'));
    fireEvent.change(cpuInput(), { target: { value: '0.05' } });
    expect(screen.getByRole('status')).toHaveTextContent(
      'Warning: cpu must be 0.1–16.0 cores',
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    review();
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });
});
