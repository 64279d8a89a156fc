import { ChangeEvent, useState } from 'react';
import TextField from '@material-ui/core/TextField';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import useDebounce from 'react-use/esm/useDebounce';
import useAsync from 'react-use/esm/useAsync';
import {
  nextFreeName,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
} from '@assay/plugin-onboarding-common';

/** What the catalog says about a name, in words. */
export type NameAvailability =
  | { state: 'invalid'; message: string }
  | { state: 'available'; message: string }
  | { state: 'taken'; message: string; alternative: string };

/** Format first, then the catalog: a Component of that name, or a free -vN. */
export async function checkServiceName(
  name: string,
  exists: (name: string) => Promise<boolean>,
): Promise<NameAvailability> {
  if (!new RegExp(SERVICE_NAME_PATTERN).test(name)) {
    return {
      state: 'invalid',
      message:
        "lower-case letters, digits and '-', starting with a letter, not ending with '-'",
    };
  }
  if (name.length > SERVICE_NAME_MAX_LENGTH) {
    return {
      state: 'invalid',
      message: `at most ${SERVICE_NAME_MAX_LENGTH} characters`,
    };
  }
  if (!(await exists(name))) {
    return { state: 'available', message: `'${name}' is available` };
  }
  const alternative = await nextFreeName(name, exists);
  return {
    state: 'taken',
    alternative,
    message: `'${name}' is taken: compliance mode stops, sandbox mode creates '${alternative}'`,
  };
}

/**
 * The service name, checked against the catalog while you type (before
 * "Create"): the format, then whether a component of that name exists and,
 * if so, the `-vN` sandbox mode would create.
 *
 * @public
 */
export const ServiceNameField = (
  props: FieldExtensionComponentProps<string>,
) => {
  const {
    formData,
    onChange,
    schema,
    required,
    disabled,
    idSchema,
    rawErrors,
  } = props;
  const catalogApi = useApi(catalogApiRef);
  const [debounced, setDebounced] = useState(formData ?? '');
  useDebounce(() => setDebounced(formData ?? ''), 300, [formData]);
  const { value: availability, loading } = useAsync(async () => {
    if (!debounced) return undefined;
    return checkServiceName(debounced, async name =>
      Boolean(
        await catalogApi.getEntityByRef({
          kind: 'Component',
          namespace: 'default',
          name,
        }),
      ),
    );
  }, [debounced, catalogApi]);

  const stale = debounced !== (formData ?? '');
  let helper: string | undefined = schema.description;
  if (formData && (loading || stale)) helper = 'Checking the catalog…';
  else if (availability) helper = availability.message;
  const isError =
    !!rawErrors?.length || (!stale && availability?.state === 'invalid');

  return (
    <TextField
      id={idSchema?.$id ?? 'assay-service-name'}
      label={schema.title ?? 'Name'}
      fullWidth
      required={required}
      disabled={disabled}
      value={formData ?? ''}
      onChange={(e: ChangeEvent<HTMLInputElement>) =>
        onChange(e.target.value || undefined)
      }
      error={isError}
      helperText={
        <span
          role={availability?.state === 'taken' ? 'status' : undefined}
          data-testid="service-name-availability"
        >
          {helper}
        </span>
      }
      inputProps={{ 'data-testid': 'service-name', autoFocus: true }}
    />
  );
};
