import { CheckDefinition } from './types';

const ann = (key: string) => `entity.annotations.${key}`;

/** Annotation: service-mesh mTLS mode (`STRICT`). @public */
export const MESH_MTLS_ANNOTATION = 'assay.dev/mesh-mtls';
/** Annotation: where the alert rules live. @public */
export const ALERT_RULES_ANNOTATION = 'assay.dev/alert-rules';
/** Annotation: dashboard URL. @public */
export const DASHBOARD_ANNOTATION = 'assay.dev/dashboard-url';
/** Annotation: runbook URL. @public */
export const RUNBOOK_ANNOTATION = 'assay.dev/runbook-url';

/**
 * The built-in checks, used when `scorecards.checks` is not configured.
 * Facts come from the catalog entity and from the verified summaries of the
 * newest evidence records (names as the evidence parsers write them).
 *
 * @public
 */
export const DEFAULT_CHECKS: CheckDefinition[] = [
  {
    id: 'owner-set',
    title: 'Owner is set',
    category: 'ownership',
    level: 'bronze',
    weight: 1,
    rule: { fact: 'entity.owner', exists: true },
    remediation: { text: 'Set spec.owner to the team that runs the service.' },
    controls: ['ISO27001:A.5.9', 'SOC2:CC1.3'],
  },
  {
    id: 'system-set',
    title: 'System is set',
    category: 'ownership',
    level: 'bronze',
    weight: 1,
    rule: { fact: 'entity.system', exists: true },
    remediation: { text: 'Set spec.system to the system this belongs to.' },
    controls: ['ISO27001:A.5.9'],
  },
  {
    id: 'tests-passing',
    title: 'Tests pass',
    category: 'reliability',
    level: 'bronze',
    weight: 2,
    rule: {
      all: [
        { fact: 'evidence.tests.tests', gt: 0 },
        { fact: 'evidence.tests.failures', lte: 0 },
        { fact: 'evidence.tests.errors', lte: 0 },
      ],
    },
    remediation: {
      text: 'Record a JUnit report: assay evidence push --category tests --file junit.xml',
    },
    controls: ['SOC2:CC8.1'],
  },
  {
    id: 'sbom-present',
    title: 'SBOM recorded',
    category: 'security',
    level: 'bronze',
    weight: 1,
    rule: { fact: 'evidence.sbom.producedAt', exists: true },
    remediation: {
      text: 'Record a CycloneDX SBOM: assay evidence push --category sbom --file sbom.cdx.json',
    },
    controls: ['SOC2:CC7.1', 'ISO27001:A.8.8'],
  },
  {
    id: 'coverage-70',
    title: 'Line coverage ≥ 70%',
    category: 'reliability',
    level: 'silver',
    weight: 2,
    rule: { fact: 'evidence.coverage.linePct', gte: 70 },
    remediation: { text: 'Add tests until line coverage reaches 70%.' },
    controls: ['SOC2:CC8.1'],
  },
  {
    id: 'sast-clean',
    title: 'No SAST errors',
    category: 'security',
    level: 'silver',
    weight: 3,
    rule: { fact: 'evidence.sast.error', lte: 0 },
    remediation: {
      text: 'Fix or triage the SAST findings of level error, then record the SARIF report again.',
    },
    controls: ['SOC2:CC7.1', 'ISO27001:A.8.28'],
  },
  {
    id: 'chain-verified',
    title: 'Evidence chain verified',
    category: 'security',
    level: 'silver',
    weight: 2,
    rule: { fact: 'evidence.chain.verified', equals: true },
    remediation: {
      text: 'The evidence chain does not verify: run assay evidence verify and report to the platform team.',
    },
    controls: ['SOC2:CC7.2', 'ISO27001:A.8.15'],
  },
  {
    id: 'mtls-strict',
    title: 'Mesh mTLS is STRICT',
    category: 'security',
    level: 'silver',
    weight: 2,
    rule: { fact: ann(MESH_MTLS_ANNOTATION), equals: 'STRICT' },
    remediation: {
      text: `Apply a PeerAuthentication with mtls.mode STRICT and annotate the entity with ${MESH_MTLS_ANNOTATION}: STRICT.`,
    },
    controls: ['SOC2:CC6.7', 'ISO27001:A.8.24', 'GDPR:Art.32'],
  },
  {
    id: 'alerts-present',
    title: 'Alert rules present',
    category: 'observability',
    level: 'silver',
    weight: 1,
    rule: { fact: ann(ALERT_RULES_ANNOTATION), exists: true },
    remediation: {
      text: `Add Prometheus alert rules and point ${ALERT_RULES_ANNOTATION} at them.`,
    },
    controls: ['SOC2:CC7.2'],
  },
  {
    id: 'dashboard-present',
    title: 'Dashboard present',
    category: 'observability',
    level: 'silver',
    weight: 1,
    rule: {
      any: [
        { fact: ann(DASHBOARD_ANNOTATION), exists: true },
        { fact: ann('grafana/dashboard-selector'), exists: true },
      ],
    },
    remediation: {
      text: `Create a dashboard and set ${DASHBOARD_ANNOTATION} (or grafana/dashboard-selector).`,
    },
    controls: ['SOC2:CC7.2'],
  },
  {
    id: 'sbom-no-critical-high',
    title: 'No critical or high vulnerabilities',
    category: 'security',
    level: 'gold',
    weight: 3,
    rule: {
      all: [
        { fact: 'evidence.sbom.critical', lte: 0 },
        { fact: 'evidence.sbom.high', lte: 0 },
      ],
    },
    remediation: {
      text: 'Upgrade the affected components, rebuild and record the SBOM again.',
    },
    controls: ['SOC2:CC7.1', 'ISO27001:A.8.8', 'GDPR:Art.32'],
  },
  {
    id: 'signatures-present',
    title: 'Release signatures recorded',
    category: 'security',
    level: 'gold',
    weight: 2,
    rule: { fact: 'evidence.signature.producedAt', exists: true },
    remediation: {
      text: 'Sign the release image (cosign) and record the signature: assay evidence push --category signature.',
    },
    controls: ['SOC2:CC8.1', 'ISO27001:A.8.32'],
  },
  {
    id: 'load-test-regression',
    title: 'Load-test p95 regression ≤ 10%',
    category: 'reliability',
    level: 'gold',
    weight: 2,
    rule: { fact: 'evidence.load-test.p95RegressionPct', lte: 10 },
    remediation: {
      text: 'Run the k6 load test against a baseline (two runs, or summary baselineP95Ms) and fix regressions above 10%.',
    },
    controls: ['ISO27001:A.8.6'],
  },
  {
    id: 'canary-passed',
    title: 'Last canary passed',
    category: 'delivery',
    level: 'gold',
    weight: 1,
    rule: {
      any: [
        { fact: 'evidence.canary.outcome', in: ['succeeded', 'promoted'] },
        { fact: 'evidence.canary.classification', equals: 'Pass' },
      ],
    },
    remediation: { text: 'Roll out through an analysed canary.' },
    controls: ['SOC2:CC8.1'],
  },
  {
    id: 'promotion-success',
    title: 'Promotion success rate ≥ 90%',
    category: 'delivery',
    level: 'gold',
    weight: 1,
    rule: { fact: 'evidence.promotion.successRate', gte: 0.9 },
    remediation: {
      text: 'Investigate failed promotions; the last 20 promotion records count.',
    },
    controls: ['SOC2:CC8.1'],
  },
  {
    id: 'runbook-present',
    title: 'Runbook linked',
    category: 'observability',
    level: 'gold',
    weight: 1,
    rule: { fact: ann(RUNBOOK_ANNOTATION), exists: true },
    remediation: { text: `Write a runbook and set ${RUNBOOK_ANNOTATION}.` },
    controls: ['SOC2:CC7.4'],
  },
];
