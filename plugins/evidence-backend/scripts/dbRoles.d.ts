import type { Knex } from 'knex';

/** Grants the runtime role exactly what the backend needs (PostgreSQL). */
export function grantRuntimePrivileges(knex: Knex, role: string): Promise<void>;

/** Runs the evidence migrations as the owner; `grantTo` grants the runtime role. */
export function migrateEvidence(
  knex: Knex,
  options?: { grantTo?: string },
): Promise<{ applied: string[] }>;

export const MIGRATIONS_DIR: string;
