export interface Config {
  /** Assay evidence store */
  evidence?: {
    /**
     * Checkpoint origin line (the log's name), e.g. "assay.example.com/evidence".
     * Defaults to the backend base URL's host followed by "/evidence".
     */
    origin?: string;
    signing?: {
      /**
       * C2SP signed-note signer key ("PRIVATE+KEY+<name>+<id>+<key>") used to
       * sign checkpoints. When absent a key is generated on first start,
       * persisted in the plugin database and a warning is logged.
       * @visibility secret
       */
      key?: string;
    };
    artifacts?: {
      /** Maximum size in bytes of one artifact or payload. Default 10 MiB. */
      maxBytes?: number;
    };
    /**
     * What each external-access subject (a CI token, see
     * `backend.auth.externalAccess[].options.subject`) may write. A service
     * principal without an entry gets 403 on create. The categories written
     * by Assay's own plugins (promotion, canary, release, waiver, compliance)
     * are refused unless listed explicitly in `categories`.
     */
    producers?: Array<{
      /** The external access subject, e.g. `ci-pipeline` (also accepted: `external:ci-pipeline`). */
      subject: string;
      /** Entities it may write, as entity refs, e.g. `component:default/service-a`. */
      entities?: string[];
      /** Groups whose entities (catalog ownership) it may write, e.g. `group:default/payments-team`. */
      owners?: string[];
      /** Categories it may write; default every non-reserved category. */
      categories?: string[];
    }>;
    /**
     * Categories each Backstage plugin may write when it calls with its own
     * service credentials (`plugin:<pluginId>`), by plugin id. Overrides the
     * defaults per plugin: delivery → canary, promotion, release; scorecards →
     * compliance, waiver; scaffolder → onboarding. A plugin without an entry
     * may not write.
     */
    pluginProducers?: { [pluginId: string]: string[] };
    /** Caps on one append; a request over a cap is a 400 naming the field. */
    limits?: {
      /** Canonical envelope size in bytes (summary, subject, artifact list). Default 65536. */
      maxEnvelopeBytes?: number;
      /** Keys in `summary`, hand-written and parsed together. Default 64. */
      maxSummaryKeys?: number;
      /** Artifacts per record. Default 32. */
      maxArtifacts?: number;
    };
    /** Extra evidence categories beyond the built-in ones (lowercase kebab-case). */
    categories?: string[];
    retention?: {
      /**
       * governance: holders of evidence.retention.bypass may purge payloads
       * early (and the purge is itself recorded); compliance: nobody may.
       * Default governance.
       */
      mode?: 'governance' | 'compliance';
      /** Default retention in years for categories without a rule. Default 3. */
      defaultYears?: number;
      /** Retention in years per category, e.g. { compliance: 7 }. */
      categories?: { [category: string]: number };
      /** How often the global purge task runs, in minutes. Default 60. */
      purgeFrequencyMinutes?: number;
    };
    /**
     * Categories an entity must have fresh evidence for, per compliance mode
     * (annotation assay.dev/compliance-mode). Shown as gaps in the viewer.
     */
    requirements?: {
      [mode: string]: Array<{
        /** Evidence category */
        category: string;
        /** A record older than this many days counts as stale. */
        maxAgeDays: number;
      }>;
    };
    /**
     * The global integrity audit task: re-derives record hashes, columns,
     * leaf and interior Merkle nodes and heads from the canonical bytes,
     * resumably, in bounded batches.
     */
    audit?: {
      /** Minutes between runs. Default 15. */
      frequencyMinutes?: number;
      /** Minutes after start before the first run. Default 2. */
      initialDelayMinutes?: number;
      /** Leaves per batch (one batch = a few queries). Default 2000. */
      batchSize?: number;
      /** Batches per run; the cursor is persisted after each. Default 50. */
      maxBatchesPerRun?: number;
    };
    demo?: {
      /**
       * Seed demo evidence for service-a and service-b on start when they
       * have none. Development only; never set this in production config.
       */
      seed?: boolean;
    };
  };
}
