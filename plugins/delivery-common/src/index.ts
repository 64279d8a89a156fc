/**
 * Pure core of Assay delivery: canary judge, rollout state machine, promotion gates and wave planning
 *
 * @packageDocumentation
 */

export {};
