export interface Config {
  /** Assay delivery (`@assay/plugin-delivery-backend`). */
  delivery?: {
    /** Canary rollouts judged on metrics. */
    canary?: {
      /**
       * Where canary and baseline series come from: `simulator` (built-in,
       * deterministic, for the demo; a run can be told to degrade) or
       * `prometheus` (needs `prometheus.baseUrl` and a `query` per metric).
       * Default `simulator`.
       */
      metricsProvider?: 'simulator' | 'prometheus';
      /**
       * How traffic moves: `recorder` (built-in, records the weights, moves
       * nothing) or `istio` (patches VirtualService weights through the
       * Kubernetes API). Default `recorder`.
       */
      trafficProvider?: 'recorder' | 'istio';
      /** Prometheus HTTP API settings (metricsProvider `prometheus`). */
      prometheus?: {
        /** Base URL, e.g. http://prometheus:9090 */
        baseUrl: string;
        /** Range-query resolution in seconds. Default 15. */
        stepSeconds?: number;
        /**
         * PromQL template of one version's request rate, for the observed
         * traffic share, e.g.
         * `sum(rate(http_requests_total{app="${name}",version="${version}"}[1m]))`.
         */
        trafficQuery?: string;
        /**
         * Value of the Authorization header sent to Prometheus.
         * @visibility secret
         */
        authorization?: string;
      };
      /** Istio settings (trafficProvider `istio`). */
      istio?: {
        /** Namespace of the VirtualService unless the entity annotation `assay.dev/istio-virtualservice` names one. Default `default`. */
        namespace?: string;
        /** VirtualService name template (`${name}` = entity name). Default `${name}`. */
        virtualService?: string;
        /** Destination subset of the stable version. Default `stable`. */
        stableSubset?: string;
        /** Destination subset of the canary version. Default `canary`. */
        canarySubset?: string;
        /** A kubeconfig file; default: in-cluster or ~/.kube/config. */
        kubeconfigPath?: string;
      };
      /** Default steps (canary weights in percent, last 100) when the entity has no `assay.dev/canary-steps` annotation. Default [10, 50, 100]. */
      steps?: number[];
      /** Seconds at each step before its analysis. Default 300. */
      intervalSeconds?: number;
      /** Failed analyses retried per step before the automatic rollback. Default 2. */
      retries?: number;
      /** Seconds before a retry. Default 120. */
      retryIntervalSeconds?: number;
      /** Failed metric queries in a row (metrics provider down) tolerated before the run stops (Argo's consecutiveErrorLimit). Default 4. */
      consecutiveErrorLimit?: number;
      /** What a run does past consecutiveErrorLimit: `pause` for a human (default) or `abort` (traffic back to stable). */
      onErrorLimit?: 'pause' | 'abort';
      /**
       * Days a finished canary run (its analyses, measurements and events) is
       * kept in the delivery database; a daily task deletes older ones. Its
       * evidence records are not touched. Default: kept forever.
       */
      retentionDays?: number;
      /** How often the engine task runs (seconds, one replica at a time). Default 10. */
      frequencySeconds?: number;
      /** Baseline version label when a start request names none. Default `stable`. */
      baselineVersion?: string;
      /** Judge settings (see `judge` in @assay/plugin-delivery-common). */
      judge?: {
        /** Score thresholds: ≥ pass → Pass, ≥ marginal → Marginal (pause), else Fail. Default 95 / 75. */
        thresholds?: { pass?: number; marginal?: number };
        /** Mann-Whitney confidence level. Default 0.98. */
        confidenceLevel?: number;
        /** Relative tolerance of the estimate. Default 0.25. */
        tolerance?: number;
        /** Minimum samples per side (0 = off, pure Kayenta). Default 10. */
        minSamples?: number;
        /** Weight (0..100) per metric group. */
        groupWeights?: { [group: string]: number };
      };
      /**
       * Metrics every canary is judged on. Default: latency_p95 (≤ 10 % above
       * baseline), error_rate (critical) and cpu (observe-only).
       */
      metrics?: Array<{
        /** Metric name ([A-Za-z0-9_.:-]). */
        name: string;
        /** PromQL template; `${version}`, `${name}`, `${namespace}`, `${kind}`, `${entityRef}` are substituted. */
        query?: string;
        /** Unit shown in the UI. */
        unit?: string;
        /** Shown in the UI. */
        description?: string;
        /** Score group. */
        group?: string;
        /** Judged and shown, never deciding. */
        observeOnly?: boolean;
        /** A failing critical metric fails the verdict. */
        critical?: boolean;
        /** Which change counts against the canary. Default either. */
        direction?: 'either' | 'increase' | 'decrease';
        /** NaN handling. Default remove. */
        nanStrategy?: 'remove' | 'replace';
        /** Outlier handling. Default keep. */
        outliers?: 'keep' | 'remove';
        /** No data is a failure. */
        mustHaveData?: boolean;
        /** Per-metric minimum samples. */
        minSamples?: number;
        /** Effect size limits (Kayenta semantics). */
        effectSize?: {
          /** meanRatio or cles. */
          measure?: 'meanRatio' | 'cles';
          /** High only at or above this effect size. */
          allowedIncrease?: number;
          /** Low only at or below this effect size. */
          allowedDecrease?: number;
          /** Critical failure at or above this. */
          criticalIncrease?: number;
          /** Critical failure at or below this. */
          criticalDecrease?: number;
        };
        /** Judge Argo-style (one measurement per analysis) instead of Mann-Whitney. */
        threshold?: {
          /** e.g. { aggregate: p95, op: '<=', baselineFactor: 1.1 } */
          successCondition?: {
            /** mean, p50, p90, p95, p99, min, max, sum, last, count */
            aggregate: string;
            /** <, <=, >, >= */
            op: string;
            /** Absolute limit. */
            value?: number;
            /** Limit relative to the baseline's aggregate. */
            baselineFactor?: number;
          };
          /** Same shape as successCondition. */
          failureCondition?: {
            /** mean, p50, p90, p95, p99, min, max, sum, last, count */
            aggregate: string;
            /** <, <=, >, >= */
            op: string;
            /** Absolute limit. */
            value?: number;
            /** Limit relative to the baseline's aggregate. */
            baselineFactor?: number;
          };
          /** Failed measurements tolerated. Default 0. */
          failureLimit?: number;
          /** Inconclusive measurements tolerated. Default 0. */
          inconclusiveLimit?: number;
          /** Consecutive errors tolerated. Default 4. */
          consecutiveErrorLimit?: number;
        };
      }>;
      /** Argo Rollouts web metric provider endpoint. */
      argo?: {
        /** Metrics window judged when the request carries no samples (seconds). Default 300. */
        windowSeconds?: number;
      };
      /** Seed two finished demo runs (service-a succeeded, service-b rolled back) on first start. Default false. */
      demoSeed?: boolean;
    };
    /** Promotion of releases through environments, gated on verified evidence. */
    promotion?: {
      /**
       * How a release gets into an environment: `recorder` (built-in, records
       * the digests, deploys nothing; the demo) or `gitops` (commits the
       * digests into the environment's file in a git repository). Default
       * `recorder`.
       */
      provider?: 'recorder' | 'gitops';
      /**
       * The default promotion path, in order. The entity annotation
       * `assay.dev/environments` (e.g. `dev,staging,prod`) overrides names and
       * order. Default dev (0 approvals) → staging (1) → prod (2, canary).
       */
      environments?: Array<{
        /** Lowercase letters, digits, dashes. */
        name: string;
        /** Approvals required in compliance mode (0..10). Default 0. */
        approvals?: number;
        /** The step may run through the canary engine. Default false. */
        canary?: boolean;
        /**
         * Compliance mode in this environment even for entities annotated
         * `assay.dev/compliance-mode: sandbox` (their owners edit that
         * annotation). Default false; true for prod in the built-in default.
         */
        enforceCompliance?: boolean;
      }>;
      /** How long an approval counts (hours). Default 72. */
      approvalMaxAgeHours?: number;
      /** Mode of entities without the `assay.dev/compliance-mode` annotation. Default `compliance`. */
      defaultMode?: 'sandbox' | 'compliance';
      /** Gate policy (see PromotionPolicy in @assay/plugin-delivery-common). */
      policy?: {
        /** Categories that must be present, fresh and verified. Default tests, sast, sbom, coverage, load-test, signature. */
        requiredEvidence?: string[];
        /** Evidence older than this fails (days). Default 30. */
        maxEvidenceAgeDays?: number;
        /** Minimum line coverage (percent). Default 70. */
        minCoveragePct?: number;
        /** SBOM severities that block. Default critical, high. */
        blockingSeverities?: Array<'critical' | 'high' | 'medium' | 'low'>;
        /** SARIF levels that make SAST unclean. Default error. */
        sastBlockingLevels?: Array<'error' | 'warning' | 'note'>;
        /** Maximum load-test p95 regression against the previous release (percent). Default 10. */
        maxP95RegressionPct?: number;
        /** Lowest scorecard level (bronze, silver, gold); read from the scorecards plugin. Default none. */
        minScorecardLevel?: string;
      };
      /** GitOps provider settings (provider `gitops`). */
      gitops?: {
        /** Repository URL the git CLI clones and pushes. http(s): credentials from the SCM integration for its host (`integrations.github` token or app, `gitlab`/`gitea`/`bitbucketServer`/`bitbucketCloud`), none if no integration. */
        repoUrl: string;
        /** Branch Argo CD / Flux watch. Default main. */
        branch?: string;
        /** File of an environment; `{{env}}`, `{{name}}`, `{{namespace}}`, `{{kind}}` substituted. A name containing `values` is edited as Helm values, else as a kustomization. Default `deploy/{{env}}/{{name}}/kustomization.yaml`. */
        pathTemplate?: string;
        /** Committer name. Default Assay. */
        authorName?: string;
        /** Committer email (and author email without authorEmailDomain). */
        authorEmail?: string;
        /** Author email = `<user name>@<domain>` of the acting user. */
        authorEmailDomain?: string;
      };
      /**
       * A pinned verifier key of the evidence log (`<name>+<id>+<key>`);
       * default: the log's own key, fetched once.
       */
      evidenceVerifierKey?: string;
      /** Coordinated promotion: services promoted in parallel per wave. Default 4. */
      concurrency?: number;
      /** Coordinated promotion: roll earlier waves back too when a wave fails. Default false. */
      rollbackEarlierWaves?: boolean;
      /** Coordinated promotion: how often the plan task runs (seconds, one backend at a time). Default 5. */
      planFrequencySeconds?: number;
      /** Coordinated promotion: seconds a backend may hold a service it promotes or rolls back before another backend takes it over (after a crash). Default 900. */
      planLeaseSeconds?: number;
      /** Seed demo releases and promotions for service-a and service-b. Default false. */
      demoSeed?: boolean;
    };
  };
}
