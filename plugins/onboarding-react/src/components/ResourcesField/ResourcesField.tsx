import { ChangeEvent } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import ButtonGroup from '@material-ui/core/ButtonGroup';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  describeRule,
  RESOURCE_PRESETS,
  RESOURCE_RULES,
  ResourceRequest,
  validateResources,
} from '@assay/plugin-onboarding-common';
import { resolveMode, ResourcesFieldOptions } from './mode';

const STEP: Record<keyof ResourceRequest, string> = {
  cpu: '0.001',
  memoryMb: '1',
  storageMb: '1',
  storyPoints: '1',
};

/**
 * Resources and story points, validated live with the Assay rules:
 * errors in compliance mode, warnings in sandbox mode (values Kubernetes
 * cannot carry are rounded, and the warning says to what). Presets S / M / L
 * fill CPU, memory and storage.
 *
 * @public
 */
export const ResourcesField = (
  props: FieldExtensionComponentProps<
    Partial<ResourceRequest>,
    ResourcesFieldOptions
  >,
) => {
  const {
    formData,
    onChange,
    uiSchema,
    formContext,
    schema,
    required,
    disabled,
    idSchema,
  } = props;
  const value = formData ?? {};
  const mode = resolveMode(uiSchema?.['ui:options'], formContext?.formData);
  const result = validateResources(value, mode);
  // errors block (every violation in compliance; in sandbox, values that
  // cannot be rendered as Kubernetes quantities); warnings only inform
  const errorFor = (field: string) =>
    result.errors.find(p => p.field === field);
  const warningFor = (field: string) =>
    result.warnings.find(p => p.field === field);
  const id = idSchema?.$id ?? 'assay-resources';

  const set =
    (field: keyof ResourceRequest) => (e: ChangeEvent<HTMLInputElement>) => {
      const raw = e.target.value;
      onChange({ ...value, [field]: raw === '' ? undefined : Number(raw) });
    };

  return (
    <FormControl component="fieldset" fullWidth required={required}>
      <Typography variant="subtitle1" component="legend">
        {schema.title ?? 'Resources'}
      </Typography>
      {schema.description && (
        <Typography variant="body2" color="textSecondary">
          {schema.description}
        </Typography>
      )}
      <Box mt={1} display="flex" alignItems="center">
        <Typography variant="body2" component="span">
          Presets:&nbsp;
        </Typography>
        <ButtonGroup size="small" aria-label="resource presets">
          {Object.entries(RESOURCE_PRESETS).map(([name, preset]) => (
            <Button
              key={name}
              disabled={disabled}
              data-testid={`resource-preset-${name}`}
              title={`${preset.cpu} cores, ${preset.memoryMb} MB memory, ${preset.storageMb} MB storage`}
              onClick={() => onChange({ ...value, ...preset })}
            >
              {name}
            </Button>
          ))}
        </ButtonGroup>
      </Box>
      <Box mt={1}>
        <Grid container spacing={2}>
          {RESOURCE_RULES.map(rule => {
            const error = errorFor(rule.field);
            const problem = error ?? warningFor(rule.field);
            const isError = !!error;
            return (
              <Grid item xs={12} sm={6} md={3} key={rule.field}>
                <TextField
                  id={`${id}-${rule.field}`}
                  label={
                    (schema.properties?.[rule.field] as { title?: string })
                      ?.title ?? rule.label
                  }
                  type="number"
                  fullWidth
                  required
                  disabled={disabled}
                  value={value[rule.field] ?? ''}
                  onChange={set(rule.field)}
                  inputProps={{
                    step: STEP[rule.field],
                    'data-testid': `resource-${rule.field}`,
                  }}
                  error={isError}
                  helperText={
                    problem ? (
                      <span role={isError ? 'alert' : 'status'}>
                        {isError
                          ? problem.message
                          : `Warning: ${problem.message}`}
                      </span>
                    ) : (
                      describeRule(rule)
                    )
                  }
                />
              </Grid>
            );
          })}
        </Grid>
      </Box>
      <FormHelperText>
        {mode === 'compliance'
          ? 'Compliance mode: a rule violation stops onboarding.'
          : `Sandbox mode: violations are recorded as warnings (${result.warnings.length}); values Kubernetes cannot represent are rounded to the nearest valid quantity.`}
      </FormHelperText>
    </FormControl>
  );
};
