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
  };
}
