/**
 * The pipeline stages a checkpoint can name, in order.
 *
 * @public
 */
export const PIPELINE_STAGES = [
  'preflight',
  'validate',
  'generate',
  'build',
  'deploy',
  'audit',
] as const;

/** @public */
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/**
 * One line of a checkpoint log.
 *
 * @public
 */
export interface Checkpoint {
  /** ISO-8601 UTC, second precision, e.g. 2025-09-24T14:04:40Z */
  timestamp: string;
  runId: string;
  featureId: string;
  stage: string;
  /** e.g. passed, warned, failed, completed */
  status: string;
  /** The artifact the stage produced, or `-` */
  artifact: string;
}

/**
 * ISO-8601 UTC timestamp with second precision.
 *
 * @public
 */
export function checkpointTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Formats a checkpoint in the line format
 * `2025-09-24T14:04:40Z | <runId> | <featureId> | <stage> | <status> | <artifact>`.
 *
 * @public
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  return [
    checkpoint.timestamp,
    checkpoint.runId,
    checkpoint.featureId,
    checkpoint.stage,
    checkpoint.status,
    checkpoint.artifact || '-',
  ]
    .map(part => part.replace(/[|\n\r]/g, '_'))
    .join(' | ');
}

/**
 * Parses one checkpoint line; returns undefined when it is not one.
 *
 * @public
 */
export function parseCheckpoint(line: string): Checkpoint | undefined {
  const parts = line.split(' | ');
  if (
    parts.length !== 6 ||
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(parts[0])
  ) {
    return undefined;
  }
  const [timestamp, runId, featureId, stage, status, artifact] = parts;
  return { timestamp, runId, featureId, stage, status, artifact };
}
