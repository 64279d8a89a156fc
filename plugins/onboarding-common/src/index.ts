/**
 * Pure onboarding rules shared by the scaffolder actions and the form:
 * resource validation, feature identity, canary steps, SLO thresholds and
 * the checkpoint log format. No Node built-ins, so it runs in the browser.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './resources';
export * from './featureId';
export * from './canary';
export * from './slo';
export * from './spec';
export * from './checkpoint';
export * from './naming';
export * from './dsse';
