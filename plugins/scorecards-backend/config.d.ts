export interface Config {
  /** Assay compliance scorecards. */
  scorecards?: {
    /**
     * The checks. When absent, the built-in defaults are used. Each check:
     * id (kebab-case), title, description, category (security, reliability,
     * observability, delivery, ownership), level (bronze, silver, gold),
     * weight, appliesTo (kind, type, lifecycle, tags, owner), rule (all /
     * any / not over fact leaves: exists, equals, notEquals, in, matches,
     * gt/gte/lt/lte, maxAgeDays), maxAgeDays, remediation (text, url) and
     * controls (e.g. SOC2:CC8.1). Invalid checks stop the backend at
     * start-up with a message naming the check and the field.
     */
    checks?: Array<{
      id: string;
      title: string;
      description?: string;
      category: string;
      level: string;
      weight?: number;
      appliesTo?: {
        kind?: string[];
        type?: string[];
        lifecycle?: string[];
        tags?: string[];
        owner?: string[];
      };
      /** A rule over facts (see the plugin's README for the grammar). */
      rule: any;
      maxAgeDays?: number;
      remediation: { text: string; url?: string };
      controls?: string[];
    }>;
    /**
     * Extra checks appended to the configured (or default) ones, e.g. to
     * keep the defaults and add a few. Same shape as `checks`.
     */
    additionalChecks?: Array<any>;
    /** Evidence older than this (days) is stale unless a check sets its own. Default 30. */
    maxEvidenceAgeDays?: number;
    /** Which catalog kinds get a scorecard. Default [Component]. */
    kinds?: string[];
    refresh?: {
      /** Minutes between scheduled full refreshes (global task). Default 60. */
      frequencyMinutes?: number;
      /** Seconds after start-up before the first full refresh. Default 20. */
      initialDelaySeconds?: number;
      /** Minutes between catalog change scans (global task). Default 2. */
      catalogScanMinutes?: number;
      /** Entities whose evidence is read in parallel. Default 8. */
      concurrency?: number;
      /**
       * Worker threads a full refresh evaluates entities on, each reading
       * its entities' evidence from the evidence API itself and appending
       * their compliance records once the results are stored (used when
       * the evidence service is the HTTP client, as in packages/backend). 0
       * evaluates on the main thread. Default: one per core but one, at
       * most 4 (1 on 2 cores, 0 on one).
       */
      workers?: number;
    };
    /** Retention of daily history. */
    history?: {
      /** Days of daily history kept; older points are deleted by a global cleanup task. Default 365. */
      retentionDays?: number;
    };
    waivers?: {
      /** Longest waiver in days (any mode). Default 180. */
      maxDays?: number;
      /** Longest waiver in days for entities in compliance mode. Default 30. */
      maxDaysCompliance?: number;
    };
    /** Record each changed result as `compliance` evidence. Default true. */
    recordCompliance?: boolean;
  };
}
