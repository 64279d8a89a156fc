import { useState } from 'react';
import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { ResourcesField } from './ResourcesField';
import { resourcesFieldValidation } from './validation';

const valid = { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 3 };

function Harness(props: {
  initial?: any;
  mode?: string;
  uiMode?: string;
  onChange?: (v: any) => void;
}) {
  const [value, setValue] = useState<any>(props.initial ?? valid);
  return (
    <ResourcesField
      {...({} as any)}
      formData={value}
      onChange={(v: any) => {
        setValue(v);
        props.onChange?.(v);
      }}
      schema={{
        title: 'Resources',
        type: 'object',
        properties: { cpu: { title: 'CPU (cores)' } },
      }}
      uiSchema={{
        'ui:options': props.uiMode
          ? { mode: props.uiMode }
          : { modeField: 'mode' },
      }}
      formContext={{ formData: { mode: props.mode } }}
      idSchema={{ $id: 'root_resources' } as any}
      rawErrors={[]}
      required
    />
  );
}

const cpuInput = () => screen.getByTestId('resource-cpu') as HTMLInputElement;

describe('ResourcesField', () => {
  it('shows the four inputs with their allowed ranges', async () => {
    await renderInTestApp(<Harness mode="compliance" />);
    expect(screen.getByLabelText(/CPU \(cores\)/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Memory/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Storage/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Story points/)).toBeInTheDocument();
    expect(
      screen.getByText('0.1–16.0 cores with at most 3 decimal places'),
    ).toBeInTheDocument();
    expect(screen.getByText('128–32768 MB, integers only')).toBeInTheDocument();
    expect(
      screen.getByText(/Compliance mode: a rule violation stops onboarding/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('fills CPU, memory and storage from a preset, keeping story points', async () => {
    const onChange = jest.fn();
    await renderInTestApp(
      <Harness
        mode="compliance"
        initial={{ cpu: 20, memoryMb: 1, storageMb: 1, storyPoints: 7 }}
        onChange={onChange}
      />,
    );
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    fireEvent.click(screen.getByTestId('resource-preset-L'));
    expect(onChange).toHaveBeenLastCalledWith({
      cpu: 1,
      memoryMb: 1024,
      storageMb: 2048,
      storyPoints: 7,
    });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getByTestId('resource-memoryMb')).toHaveValue(1024);
  });

  it('reports numbers as they are typed', async () => {
    const onChange = jest.fn();
    await renderInTestApp(<Harness mode="compliance" onChange={onChange} />);
    fireEvent.change(cpuInput(), { target: { value: '1.25' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...valid, cpu: 1.25 });
    fireEvent.change(cpuInput(), { target: { value: '' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...valid, cpu: undefined });
  });

  it('shows an error live in compliance mode, and clears it once fixed', async () => {
    await renderInTestApp(<Harness mode="compliance" />);
    fireEvent.change(cpuInput(), { target: { value: '0.05' } });
    expect(screen.getByRole('alert')).toHaveTextContent(
      'cpu must be 0.1–16.0 cores with at most 3 decimal places (got 0.05)',
    );
    expect(cpuInput()).toHaveAttribute('aria-invalid', 'true');
    fireEvent.change(cpuInput(), { target: { value: '0.125' } });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows only the first violation in compliance mode (fail fast)', async () => {
    await renderInTestApp(
      <Harness
        mode="compliance"
        initial={{ cpu: 99, memoryMb: 1, storageMb: 1, storyPoints: 99 }}
      />,
    );
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getByRole('alert')).toHaveTextContent(/^cpu must be/);
  });

  it('shows every violation as a warning in sandbox mode', async () => {
    await renderInTestApp(
      <Harness
        mode="sandbox"
        initial={{ cpu: 20, memoryMb: 100, storageMb: 1024, storyPoints: 1.5 }}
      />,
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    const warnings = screen.getAllByRole('status');
    expect(warnings.map(w => w.textContent)).toEqual([
      'Warning: cpu must be 0.1–16.0 cores with at most 3 decimal places (got 20)',
      'Warning: memoryMb must be 128–32768 MB, integers only (got 100)',
      'Warning: storyPoints must be 1–20 points, integers only (got 1.5)',
    ]);
    expect(cpuInput()).toHaveAttribute('aria-invalid', 'false');
    expect(
      screen.getByText(
        /Sandbox mode: violations are recorded as warnings \(3\)/,
      ),
    ).toBeInTheDocument();
  });

  it('sandbox: values Kubernetes cannot represent are warnings naming what is rendered', async () => {
    await renderInTestApp(
      <Harness
        mode="sandbox"
        initial={{ cpu: 20, memoryMb: -1, storageMb: 1024, storyPoints: 3 }}
      />,
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    const warnings = screen.getAllByRole('status');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toHaveTextContent(
      /^Warning: cpu must be 0\.1–16\.0 cores/,
    );
    expect(warnings[1]).toHaveTextContent(
      'memoryMb must be 128–32768 MB, integers only (got -1); rendered as 1 MB (the nearest value Kubernetes accepts)',
    );
  });

  it('sandbox: a value that is not a number is an error', async () => {
    await renderInTestApp(
      <Harness
        mode="sandbox"
        initial={{
          cpu: Infinity,
          memoryMb: 512,
          storageMb: 1024,
          storyPoints: 3,
        }}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      'cpu cannot be rendered as a Kubernetes quantity',
    );
  });

  it('uses a fixed mode from ui:options over the form', async () => {
    await renderInTestApp(
      <Harness
        mode="sandbox"
        uiMode="compliance"
        initial={{ ...valid, memoryMb: 64 }}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      /^memoryMb must be 128–32768 MB/,
    );
  });
});

describe('resourcesFieldValidation', () => {
  const run = (
    data: any,
    formData: any,
    uiOptions: any = { modeField: 'mode' },
  ) => {
    const errors: string[] = [];
    resourcesFieldValidation(
      data,
      { addError: (m: string) => errors.push(m) } as any,
      {
        apiHolder: { get: () => undefined },
        formData,
        schema: {},
        uiSchema: { 'ui:options': uiOptions },
      },
    );
    return errors;
  };

  it('blocks in compliance mode with the first violation', () => {
    expect(
      run({ ...valid, cpu: 0.05, storyPoints: 0 }, { mode: 'compliance' }),
    ).toEqual([
      'cpu must be 0.1–16.0 cores with at most 3 decimal places (got 0.05)',
    ]);
  });

  it('does not block rule violations in sandbox mode', () => {
    expect(
      run({ ...valid, cpu: 0.05, storyPoints: 0 }, { mode: 'sandbox' }),
    ).toEqual([]);
  });

  it('sandbox never blocks on range or precision: it renders the nearest value', () => {
    expect(
      run(
        { ...valid, cpu: 0, memoryMb: 256.5, storyPoints: 0 },
        { mode: 'sandbox' },
      ),
    ).toEqual([]);
    expect(run({ ...valid, cpu: Number.NaN }, { mode: 'sandbox' })).toEqual([
      'cpu cannot be rendered as a Kubernetes quantity: it must be a positive number of cores with at most 3 decimal places (got NaN)',
    ]);
  });

  it('passes valid resources, defaults to compliance, reads a custom mode field', () => {
    expect(run(valid, { mode: 'compliance' })).toEqual([]);
    expect(run({ ...valid, cpu: 17 }, {})).toHaveLength(1);
    expect(
      run(
        { ...valid, cpu: 17 },
        { policy: 'sandbox' },
        { modeField: 'policy' },
      ),
    ).toEqual([]);
  });
});
