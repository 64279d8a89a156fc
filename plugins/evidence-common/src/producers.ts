/**
 * Categories written by Assay's own plugins. Users and external producers
 * (CI tokens) may not write them; an `evidence.producers` entry may grant one
 * only by listing it explicitly.
 *
 * @public
 */
export const RESERVED_CATEGORIES: readonly string[] = [
  'promotion',
  'canary',
  'release',
  'waiver',
  'compliance',
  // written by the scaffolder's onboarding action; a required category, so
  // owners and CI tokens must not be able to write it themselves
  'onboarding',
];

/**
 * True for a {@link RESERVED_CATEGORIES} category.
 *
 * @public
 */
export function isReservedCategory(category: string): boolean {
  return RESERVED_CATEGORIES.includes(category);
}

/**
 * What each Backstage plugin principal (`plugin:<pluginId>`, calling with its
 * own service credentials) may write by default; overridden per plugin by
 * `evidence.pluginProducers`. A plugin without an entry may not write.
 *
 * @public
 */
export const DEFAULT_PLUGIN_PRODUCERS: Readonly<
  Record<string, readonly string[]>
> = {
  delivery: ['canary', 'promotion', 'release'],
  scorecards: ['compliance', 'waiver'],
  scaffolder: ['onboarding'],
};

/**
 * The topic on the Backstage events service on which the evidence backend
 * publishes {@link EvidenceAppendedEvent} after each committed append.
 *
 * @public
 */
export const EVIDENCE_APPENDED_TOPIC = 'assay.evidence.appended';

/**
 * Payload of {@link EVIDENCE_APPENDED_TOPIC}.
 *
 * @public
 */
export interface EvidenceAppendedEvent {
  entityRef: string;
  category: string;
  /** hex SHA-256 of the record's canonical envelope */
  hash: string;
  seq: number;
}
