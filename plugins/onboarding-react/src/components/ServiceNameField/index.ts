export { ServiceNameField, checkServiceName } from './ServiceNameField';
export type { NameAvailability } from './ServiceNameField';
