import { useState } from 'react';
import { screen, waitFor, fireEvent } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { checkServiceName, ServiceNameField } from './ServiceNameField';

const taken = new Set(['service-a', 'service-b', 'service-b-v2']);
const exists = async (name: string) => taken.has(name);

describe('checkServiceName', () => {
  it('says which names are available, taken (with the -vN) or invalid', async () => {
    expect(await checkServiceName('service-c', exists)).toEqual({
      state: 'available',
      message: "'service-c' is available",
    });
    expect(await checkServiceName('service-b', exists)).toEqual({
      state: 'taken',
      alternative: 'service-b-v3',
      message:
        "'service-b' is taken: compliance mode stops, sandbox mode creates 'service-b-v3'",
    });
    expect((await checkServiceName('Service_C', exists)).state).toBe('invalid');
    expect((await checkServiceName('a'.repeat(51), exists)).state).toBe(
      'invalid',
    );
  });
});

describe('ServiceNameField', () => {
  const catalogApi = {
    getEntityByRef: jest.fn(async (ref: any) =>
      taken.has(ref.name) ? { metadata: { name: ref.name } } : undefined,
    ),
  };
  function Harness() {
    const [value, setValue] = useState<string | undefined>('');
    return (
      <TestApiProvider apis={[[catalogApiRef, catalogApi as any]]}>
        <ServiceNameField
          {...({} as any)}
          formData={value}
          onChange={setValue}
          schema={{ title: 'Name', type: 'string' }}
        />
      </TestApiProvider>
    );
  }

  it('checks the catalog while typing', async () => {
    await renderInTestApp(<Harness />);
    fireEvent.change(screen.getByTestId('service-name'), {
      target: { value: 'service-a' },
    });
    await waitFor(() =>
      expect(screen.getByTestId('service-name-availability')).toHaveTextContent(
        "'service-a' is taken: compliance mode stops, sandbox mode creates 'service-a-v2'",
      ),
    );
    fireEvent.change(screen.getByTestId('service-name'), {
      target: { value: 'service-z' },
    });
    await waitFor(() =>
      expect(screen.getByTestId('service-name-availability')).toHaveTextContent(
        "'service-z' is available",
      ),
    );
    expect(catalogApi.getEntityByRef).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'service-z',
    });
  });
});
