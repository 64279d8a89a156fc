import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DEFAULT_PLUGIN_PRODUCERS,
  isReservedCategory,
  isValidCategoryName,
  normalizeEntityRef,
  RESERVED_CATEGORIES,
} from '@assay/plugin-evidence-common';

/** One `evidence.producers` entry: what an external-access subject may write. */
export interface ProducerRule {
  /** `backend.auth.externalAccess[].options.subject`, e.g. `ci-pipeline` */
  subject: string;
  /** explicit entity refs (normalized) */
  entities: string[];
  /** group refs (normalized); every entity they own in the catalog */
  owners: string[];
  /** allowed categories; undefined = every non-reserved category */
  categories?: string[];
}

export interface ProducerConfig {
  producers: ProducerRule[];
  /** pluginId → categories that `plugin:<pluginId>` may write */
  pluginProducers: Record<string, string[]>;
}

const ownerRef = (ref: string, namespace = 'default') => {
  const r = parseEntityRef(ref, {
    defaultKind: 'group',
    defaultNamespace: namespace,
  });
  return `${r.kind}:${r.namespace}/${r.name}`.toLocaleLowerCase('en-US');
};

function categoryList(where: string, list: string[]): string[] {
  for (const c of list) {
    if (!isValidCategoryName(c)) {
      throw new Error(
        `${where}: '${c}' is not a valid category name (lowercase kebab-case)`,
      );
    }
  }
  return list;
}

/** Reads and validates `evidence.producers` and `evidence.pluginProducers`. */
export function readProducerConfig(config: Config): ProducerConfig {
  const seen = new Set<string>();
  const producers = (
    config.getOptionalConfigArray('evidence.producers') ?? []
  ).map((p, i): ProducerRule => {
    const where = `evidence.producers[${i}]`;
    const subject = p.getString('subject').replace(/^external:/, '');
    if (seen.has(subject)) {
      throw new Error(`${where}.subject: '${subject}' is listed twice`);
    }
    seen.add(subject);
    const entities = (p.getOptionalStringArray('entities') ?? []).map(ref => {
      try {
        return normalizeEntityRef(ref);
      } catch {
        throw new Error(
          `${where}.entities: '${ref}' is not an entity ref (kind:namespace/name)`,
        );
      }
    });
    const owners = (p.getOptionalStringArray('owners') ?? []).map(ref => {
      try {
        return ownerRef(ref);
      } catch {
        throw new Error(`${where}.owners: '${ref}' is not a group ref`);
      }
    });
    if (!entities.length && !owners.length) {
      throw new Error(
        `${where}: '${subject}' may write no entity; list entities and/or owners`,
      );
    }
    const categories = p.getOptionalStringArray('categories');
    return {
      subject,
      entities,
      owners,
      categories: categories && categoryList(`${where}.categories`, categories),
    };
  });

  const pluginProducers: Record<string, string[]> = {};
  for (const [id, cats] of Object.entries(DEFAULT_PLUGIN_PRODUCERS)) {
    pluginProducers[id] = [...cats];
  }
  const pc = config.getOptionalConfig('evidence.pluginProducers');
  for (const id of pc?.keys() ?? []) {
    pluginProducers[id] = categoryList(
      `evidence.pluginProducers.${id}`,
      pc!.getStringArray(id),
    );
  }
  return { producers, pluginProducers };
}

/** The groups that own an entity: `ownedBy` relations, else `spec.owner`. */
export function ownersOf(entity: Entity): string[] {
  const fromRelations = (entity.relations ?? [])
    .filter(r => r.type === 'ownedBy')
    .map(r => r.targetRef.toLocaleLowerCase('en-US'));
  if (fromRelations.length) return fromRelations;
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return [];
  try {
    return [ownerRef(owner, entity.metadata.namespace ?? 'default')];
  } catch {
    return [];
  }
}

type Principal =
  | { kind: 'user'; ref: string }
  | { kind: 'plugin'; pluginId: string }
  | { kind: 'external'; subject: string };

function principalOf(credentials: BackstageCredentials): Principal {
  const p = credentials.principal as {
    type: string;
    subject?: string;
    userEntityRef?: string;
  };
  if (p.type === 'user') return { kind: 'user', ref: p.userEntityRef! };
  const subject = p.subject ?? '';
  if (subject.startsWith('plugin:')) {
    return { kind: 'plugin', pluginId: subject.slice('plugin:'.length) };
  }
  return { kind: 'external', subject: subject.replace(/^external:/, '') };
}

/**
 * Who may write what, beyond the permission framework.
 *
 * Backstage decides service principals from `accessRestrictions` permission
 * names only (it ignores the resource), so the evidence backend scopes them
 * itself:
 *   - `plugin:<id>` (a backend plugin with its own credentials) may write the
 *     categories of its `evidence.pluginProducers` entry, for any entity the
 *     catalog knows; a plugin without an entry may not write;
 *   - an external-access subject (CI token) may write only what its
 *     `evidence.producers` entry grants (entities and/or owners' entities,
 *     categories; reserved categories only when listed explicitly); a
 *     subject without an entry may not write;
 *   - users (decided by the permission policy: owners by default) may write
 *     every non-reserved category.
 * Every append must name an entity that the catalog knows.
 */
export class ProducerScope {
  constructor(
    private readonly cfg: ProducerConfig,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  /**
   * Entities the catalog knew, for a few seconds: an append's existence and
   * ownership check is then no catalog round trip per append (16 CI writers
   * on one entity). Only found entities are kept, so a newly registered
   * entity is writable at once; a removed one stays writable for at most
   * `ttlMs`.
   */
  private readonly known = new Map<string, { entity: Entity; at: number }>();
  private readonly ttlMs = 10_000;

  private async lookup(entityRef: string): Promise<Entity | undefined> {
    const now = Date.now();
    const hit = this.known.get(entityRef);
    if (hit && now - hit.at < this.ttlMs) return hit.entity;
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials: await this.auth.getOwnServiceCredentials(),
    });
    if (entity) {
      if (this.known.size >= 10_000) this.known.clear();
      this.known.set(entityRef, { entity, at: now });
    } else this.known.delete(entityRef);
    return entity;
  }

  /**
   * Looks up the entities of a batch that are not known from the last
   * `ttlMs` in ONE catalog request (`getEntitiesByRefs`), so each record's
   * check is a cache hit instead of a catalog round trip per record (a
   * scorecards refresh records a batch of 100 entities' results at once).
   * Entities the catalog does not have are not cached: their records fail
   * their own check as before.
   */
  async prefetch(entityRefs: string[]): Promise<void> {
    const now = Date.now();
    const missing = [...new Set(entityRefs)].filter(ref => {
      const hit = this.known.get(ref);
      return !(hit && now - hit.at < this.ttlMs);
    });
    if (missing.length === 0) return;
    const { items } = await this.catalog.getEntitiesByRefs(
      { entityRefs: missing },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    items.forEach((entity, i) => {
      if (!entity) return;
      if (this.known.size >= 10_000) this.known.clear();
      this.known.set(missing[i], { entity, at: now });
    });
  }

  /**
   * Checks, before anything about the request is revealed, that the principal
   * may write evidence of `entityRef` at all. Returns a function that checks
   * the category once the body has been validated, and then that the entity
   * exists (4xx naming `entityRef`).
   */
  async forEntity(
    credentials: BackstageCredentials,
    entityRef: string,
  ): Promise<{ check(category: string): Promise<void> }> {
    const principal = principalOf(credentials);
    let entity: Entity | undefined | null = null; // null = not looked up yet
    const deny = (msg: string) => {
      throw new NotAllowedError(msg);
    };
    let allowed: (category: string) => boolean;
    let describe: string;

    if (principal.kind === 'plugin') {
      const cats = this.cfg.pluginProducers[principal.pluginId];
      if (!cats?.length) {
        deny(
          `plugin:${principal.pluginId} may not write evidence (no evidence.pluginProducers entry)`,
        );
      }
      allowed = c => cats.includes(c);
      describe = `plugin:${principal.pluginId} may write only ${cats.join(
        ', ',
      )} (evidence.pluginProducers)`;
    } else if (principal.kind === 'external') {
      const rule = this.cfg.producers.find(
        r => r.subject === principal.subject,
      );
      if (!rule) {
        deny(
          `external:${principal.subject} may not write evidence (no evidence.producers entry for subject '${principal.subject}')`,
        );
      }
      if (!rule!.entities.includes(entityRef)) {
        const owned =
          rule!.owners.length > 0 &&
          (entity = await this.lookup(entityRef)) !== undefined &&
          ownersOf(entity!).some(o => rule!.owners.includes(o));
        if (!owned) {
          deny(
            `external:${principal.subject} may not write evidence of ${entityRef} (not in its evidence.producers entities or owners)`,
          );
        }
      }
      const cats = rule!.categories;
      allowed = c => (cats ? cats.includes(c) : !isReservedCategory(c));
      describe = cats
        ? `external:${principal.subject} may write only ${cats.join(
            ', ',
          )} (evidence.producers)`
        : `external:${
            principal.subject
          } may not write the reserved categories ${RESERVED_CATEGORIES.join(
            ', ',
          )} unless its evidence.producers entry lists them`;
    } else {
      allowed = c => !isReservedCategory(c);
      describe = `users may not write the categories ${RESERVED_CATEGORIES.join(
        ', ',
      )}; Assay's plugins write them`;
    }

    return {
      check: async (category: string) => {
        if (!allowed(category)) {
          deny(`category: '${category}' refused: ${describe}`);
        }
        if (entity === null) entity = await this.lookup(entityRef);
        if (!entity) {
          throw new InputError(
            `entityRef: ${entityRef} is not in the catalog; register the entity before recording evidence for it`,
          );
        }
      },
    };
  }
}
