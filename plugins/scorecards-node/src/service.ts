import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  EntityResult,
  LevelOrNone,
  levelRank,
  Mode,
} from '@assay/plugin-scorecards-common';

/**
 * What a promotion gate needs to know about an entity's scorecard.
 *
 * @public
 */
export type ScorecardLevel = {
  entityRef: string;
  mode: Mode;
  level: LevelOrNone;
  score: number;
  resultHash: string;
  computedAt: string;
  /** Ids of checks that fail (not pass, not waived). */
  failing: string[];
};

/**
 * Read access to scorecard results for other backend plugins (e.g. a
 * promotion gate that requires `silver` in compliance mode).
 *
 * @public
 */
export interface ScorecardsService {
  /** The full result; undefined when the entity has no scorecard. */
  getResult(
    entityRef: string,
    options?: { credentials?: BackstageCredentials },
  ): Promise<EntityResult | undefined>;
  /** Level, mode, score and failing checks; undefined when none. */
  getLevel(
    entityRef: string,
    options?: { credentials?: BackstageCredentials },
  ): Promise<ScorecardLevel | undefined>;
  /** Whether the entity reached at least `level`. */
  meetsLevel(
    entityRef: string,
    level: LevelOrNone,
    options?: { credentials?: BackstageCredentials },
  ): Promise<boolean>;
}

/**
 * HTTP client of the scorecards API. Calls are made with the caller's
 * credentials when given, else the calling plugin's own.
 *
 * @public
 */
export class ScorecardsClient implements ScorecardsService {
  static create(options: { discovery: DiscoveryService; auth: AuthService }) {
    return new ScorecardsClient(options.discovery, options.auth);
  }

  private constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  async getResult(
    entityRef: string,
    options?: { credentials?: BackstageCredentials },
  ): Promise<EntityResult | undefined> {
    const m = /^([^:]+):([^/]+)\/(.+)$/.exec(entityRef);
    if (!m) throw new TypeError(`not a full entity ref: '${entityRef}'`);
    const [, kind, namespace, name] = m.map(encodeURIComponent);
    const baseUrl = await this.discovery.getBaseUrl('scorecards');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf:
        options?.credentials ?? (await this.auth.getOwnServiceCredentials()),
      targetPluginId: 'scorecards',
    });
    const res = await fetch(
      `${baseUrl}/v1/entities/${kind}/${namespace}/${name}`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    if (res.status === 404) return undefined;
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as EntityResult;
  }

  async getLevel(
    entityRef: string,
    options?: { credentials?: BackstageCredentials },
  ): Promise<ScorecardLevel | undefined> {
    const r = await this.getResult(entityRef, options);
    return r && levelOfResult(r);
  }

  async meetsLevel(
    entityRef: string,
    level: LevelOrNone,
    options?: { credentials?: BackstageCredentials },
  ): Promise<boolean> {
    const r = await this.getLevel(entityRef, options);
    return !!r && levelRank(r.level) >= levelRank(level);
  }
}

/** The gate's view of a result. @public */
export function levelOfResult(r: EntityResult): ScorecardLevel {
  return {
    entityRef: r.entityRef,
    mode: r.mode,
    level: r.level,
    score: r.score,
    resultHash: r.resultHash,
    computedAt: r.computedAt,
    failing: r.checks
      .filter(c => c.status !== 'pass' && c.status !== 'waived')
      .map(c => c.id),
  };
}

/**
 * Service ref for scorecard results, backed by the scorecards API.
 *
 * @public
 */
export const scorecardsServiceRef = createServiceRef<ScorecardsService>({
  id: 'assay.scorecards',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { discovery: coreServices.discovery, auth: coreServices.auth },
      factory: ({ discovery, auth }) =>
        ScorecardsClient.create({ discovery, auth }),
    }),
});
