import {
  EvaluateGatesInput,
  GateEvaluation,
  GateEvidence,
  GateResult,
  PromotionPolicy,
} from './types';

/** Policy defaults. @public */
export const PROMOTION_POLICY_DEFAULTS = {
  requiredEvidence: [
    'tests',
    'sast',
    'sbom',
    'coverage',
    'load-test',
    'signature',
  ],
  maxEvidenceAgeDays: 30,
  minCoveragePct: 70,
  blockingSeverities: ['critical', 'high'] as Array<
    'critical' | 'high' | 'medium' | 'low'
  >,
  // as the scorecards' sast-clean check (evidence.sast.error ≤ 0): SARIF
  // warnings are reported in the gate's detail but do not block by default
  sastBlockingLevels: ['error'] as Array<'error' | 'warning' | 'note'>,
  maxP95RegressionPct: 10,
  approvals: { required: 1, sandboxRequired: 0, maxAgeHours: 72 },
};

const DAY = 86_400_000;

function num(e: GateEvidence | null | undefined, key: string): number | null {
  const v = e?.envelope.summary[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Present, verified and fresh — or why not. */
function usable(
  e: GateEvidence | null | undefined,
  category: string,
  now: number,
  maxAgeDays: number,
  version: string,
): string | null {
  if (!e) return `release ${version} cites no ${category} record`;
  if (!e.verified)
    return `the ${category} record ${e.hash} did not verify (hash, chain or inclusion)`;
  const at = Date.parse(e.envelope.producedAt || e.envelope.recordedAt);
  if (!Number.isFinite(at)) return `the ${category} record has no valid time`;
  const ageDays = (now - at) / DAY;
  if (ageDays > maxAgeDays) {
    return `the ${category} record is ${ageDays.toFixed(
      1,
    )} days old (older than ${maxAgeDays})`;
  }
  return null;
}

function signatureDetail(
  verified: unknown,
  otherImage: boolean,
  digest: unknown,
  images: string[],
): string {
  if (verified !== true)
    return `summary.verified is ${JSON.stringify(verified ?? null)}`;
  if (otherImage)
    return `the signature was verified for ${digest}, not for the release's image (${images.join(
      ', ',
    )})`;
  return `signature verified${
    typeof digest === 'string' ? ` for ${digest}` : ''
  }`;
}

/**
 * Evaluates the promotion gates, fail-closed: missing, stale or unverified
 * evidence fails the gates that need it. In sandbox mode failures are
 * warnings; in compliance mode they block. Pure: the decision can be
 * replayed from the evidence hashes it cites.
 * @public
 */
export function evaluateGates(input: EvaluateGatesInput): GateEvaluation {
  const p: Required<
    Omit<PromotionPolicy, 'approvals' | 'minScorecardLevel'>
  > & {
    minScorecardLevel: string | null;
    approvals: Required<NonNullable<PromotionPolicy['approvals']>>;
  } = {
    ...PROMOTION_POLICY_DEFAULTS,
    ...Object.fromEntries(
      Object.entries(input.policy).filter(([, v]) => v !== undefined),
    ),
    minScorecardLevel: input.policy.minScorecardLevel ?? null,
    approvals: {
      ...PROMOTION_POLICY_DEFAULTS.approvals,
      ...(input.policy.approvals ?? {}),
    },
  } as any;
  const now =
    typeof input.now === 'string' ? Date.parse(input.now) : input.now.getTime();
  // the records the release cites (never newer ones the release does not rest on)
  const ev = (c: string) => input.evidence[c] ?? null;
  const version = input.release.version;
  const gates: GateResult[] = [];
  const add = (
    id: string,
    title: string,
    ok: boolean,
    rule: string,
    detail: string,
    inputs: GateResult['inputs'],
    evidence: Array<string | undefined | null>,
  ) => {
    let status: GateResult['status'] = 'pass';
    let d = detail;
    if (!ok) {
      status = input.mode === 'compliance' ? 'fail' : 'warn';
      if (status === 'warn')
        d = `${detail} (sandbox mode: warning, not blocking)`;
    }
    gates.push({
      id,
      title,
      status,
      rule,
      detail: d,
      inputs,
      evidence: evidence.filter((h): h is string => !!h),
    });
  };

  // 1. required evidence present, fresh and chain-verified
  for (const category of p.requiredEvidence) {
    const e = ev(category);
    const why = usable(e, category, now, p.maxEvidenceAgeDays, version);
    add(
      `evidence.${category}`,
      `${category} evidence`,
      why === null,
      `the release cites a ${category} record that verifies (hash, chain, inclusion) and is at most ${p.maxEvidenceAgeDays} days old`,
      why ?? `record ${e!.hash} from ${e!.envelope.producedAt}, verified`,
      {
        present: !!e,
        verified: e?.verified ?? false,
        producedAt: e?.envelope.producedAt ?? null,
      },
      [e?.hash],
    );
  }

  // a fact gate: the record must be usable and the fact present
  const factGate = (
    id: string,
    title: string,
    category: string,
    rule: string,
    keys: string[],
    judge: (v: Record<string, number>) => { ok: boolean; detail: string },
  ) => {
    const e = ev(category);
    const why = usable(e, category, now, p.maxEvidenceAgeDays, version);
    const values: Record<string, number> = {};
    const missing: string[] = [];
    for (const k of keys) {
      const v = num(e, k);
      if (v === null) missing.push(k);
      else values[k] = v;
    }
    if (why)
      return add(
        id,
        title,
        false,
        rule,
        `${why}: cannot check`,
        { ...values },
        [e?.hash],
      );
    if (missing.length) {
      return add(
        id,
        title,
        false,
        rule,
        `the ${category} record ${e!.hash} has no ${missing.join(', ')} fact`,
        { ...values },
        [e!.hash],
      );
    }
    const r = judge(values);
    return add(id, title, r.ok, rule, r.detail, { ...values }, [e!.hash]);
  };

  factGate(
    'tests',
    'Tests pass',
    'tests',
    'no failed or errored tests in the tests record the release cites',
    ['failures', 'errors'],
    v => ({
      ok: v.failures + v.errors === 0,
      detail: `${v.failures} failures, ${v.errors} errors`,
    }),
  );

  const sev = p.blockingSeverities;
  factGate(
    'sbom.vulnerabilities',
    'SBOM vulnerabilities',
    'sbom',
    `no ${sev.join(' or ')} vulnerabilities in the SBOM`,
    sev,
    v => {
      const found = sev.filter(s => v[s] > 0);
      return {
        ok: found.length === 0,
        detail: sev.map(s => `${v[s]} ${s}`).join(', '),
      };
    },
  );

  factGate(
    'coverage',
    'Coverage',
    'coverage',
    `line coverage ≥ ${p.minCoveragePct}%`,
    ['linePct'],
    v => ({
      ok: v.linePct >= p.minCoveragePct,
      detail: `line coverage ${v.linePct}% ${
        v.linePct >= p.minCoveragePct ? '≥' : '<'
      } ${p.minCoveragePct}%`,
    }),
  );

  const levels = p.sastBlockingLevels;
  factGate(
    'sast',
    'SAST clean',
    'sast',
    `no SAST findings at level ${levels.join(' or ')}`,
    levels,
    v => ({
      ok: levels.every(l => v[l] === 0),
      detail: levels.map(l => `${v[l]} ${l}`).join(', '),
    }),
  );

  // load test: p95 regression vs the previous release
  {
    const e = ev('load-test');
    const rule = `load-test p95 at most ${p.maxP95RegressionPct}% above the previous release's`;
    const why = usable(e, 'load-test', now, p.maxEvidenceAgeDays, version);
    const cur = num(e, 'p95Ms');
    const prev = input.previousRelease;
    const prevP95 = num(prev?.loadTest, 'p95Ms');
    if (why)
      add(
        'load-test.regression',
        'Load-test regression',
        false,
        rule,
        `${why}: cannot check`,
        { p95Ms: cur },
        [e?.hash],
      );
    else if (cur === null)
      add(
        'load-test.regression',
        'Load-test regression',
        false,
        rule,
        `the load-test record ${e!.hash} has no p95Ms fact`,
        {},
        [e!.hash],
      );
    else if (!prev)
      add(
        'load-test.regression',
        'Load-test regression',
        true,
        rule,
        `p95 ${cur} ms; no previous release in this environment to compare with`,
        { p95Ms: cur, previousP95Ms: null },
        [e!.hash],
      );
    else if (!prev.loadTest || prevP95 === null || !prev.loadTest.verified) {
      add(
        'load-test.regression',
        'Load-test regression',
        false,
        rule,
        `the previous release ${prev.version} has no verified load-test p95 to compare with`,
        { p95Ms: cur, previousP95Ms: prevP95 },
        [e!.hash, prev.loadTest?.hash, prev.hash],
      );
    } else {
      let pct = ((cur - prevP95) / prevP95) * 100;
      if (prevP95 === 0) pct = cur === 0 ? 0 : Infinity;
      add(
        'load-test.regression',
        'Load-test regression',
        pct <= p.maxP95RegressionPct,
        rule,
        `p95 ${cur} ms vs ${prevP95} ms for ${prev.version}: ${
          pct >= 0 ? '+' : ''
        }${Number(pct.toFixed(2))}% ${
          pct <= p.maxP95RegressionPct ? '≤' : '>'
        } ${p.maxP95RegressionPct}%`,
        {
          p95Ms: cur,
          previousP95Ms: prevP95,
          regressionPct: Number(pct.toFixed(4)),
        },
        [e!.hash, prev.loadTest.hash, prev.hash],
      );
    }
  }

  // signatures: the pipeline verifies the image signature (e.g. `cosign
  // verify`) and records the result: `assay evidence push --category
  // signature --summary verified=true --summary digest=<image digest>`.
  {
    const e = ev('signature');
    const why = usable(e, 'signature', now, p.maxEvidenceAgeDays, version);
    const verified = e?.envelope.summary.verified;
    const digest = e?.envelope.summary.digest;
    const images = (input.release.artifacts ?? [])
      .filter(a => a.kind === 'image')
      .map(a => a.digest);
    // a release with an image: the signature must name that image's digest
    const noDigest = images.length > 0 && typeof digest !== 'string';
    const otherImage =
      typeof digest === 'string' &&
      images.length > 0 &&
      !images.includes(digest);
    add(
      'signature',
      'Signatures verified',
      !why && verified === true && !noDigest && !otherImage,
      "the signature record the release cites says the release image's signature verified (summary.verified = true and summary.digest is the release's image digest)",
      why ??
        (noDigest && verified === true
          ? `signature record does not name the image digest (release image ${images.join(
              ', ',
            )})`
          : signatureDetail(verified, otherImage, digest, images)),
      {
        verified: typeof verified === 'boolean' ? verified : null,
        digest: typeof digest === 'string' ? digest : null,
      },
      [e?.hash],
    );
  }

  // promotion path: the release runs in the environment before this one
  if (input.path) {
    const { previousEnvironment, deployedThere } = input.path;
    add(
      'path',
      'Promotion path',
      deployedThere,
      `release ${input.release.version} runs in ${previousEnvironment} before it is promoted further`,
      deployedThere
        ? `${input.release.version} runs in ${previousEnvironment}`
        : `${input.release.version} does not run in ${previousEnvironment}${
            input.path.deployedVersion
              ? ` (${input.path.deployedVersion} does)`
              : ' (nothing does)'
          }`,
      {
        previousEnvironment,
        deployedThere,
        deployedVersion: input.path.deployedVersion ?? null,
      },
      [input.release.hash],
    );
  }

  // scorecard level
  if (p.minScorecardLevel) {
    const sc = input.scorecard;
    const rule = `scorecard level at least ${p.minScorecardLevel}`;
    if (!sc)
      add(
        'scorecard',
        'Scorecard level',
        false,
        rule,
        'no scorecard for the entity',
        { level: null },
        [],
      );
    else {
      const have = sc.level === null ? -1 : sc.levels.indexOf(sc.level);
      const need = sc.levels.indexOf(p.minScorecardLevel);
      const ok = need >= 0 && have >= need;
      add(
        'scorecard',
        'Scorecard level',
        ok,
        rule,
        need < 0
          ? `unknown level ${p.minScorecardLevel} (levels: ${sc.levels.join(
              ', ',
            )})`
          : `level ${sc.level ?? 'none'} ${ok ? '≥' : '<'} ${
              p.minScorecardLevel
            }`,
        { level: sc.level, required: p.minScorecardLevel },
        [sc.hash],
      );
    }
  }

  // approvals
  {
    const required =
      input.mode === 'compliance'
        ? p.approvals.required
        : p.approvals.sandboxRequired;
    const rule = `${required} approval(s) of release ${input.release.hash} from someone other than the requester and the release's producer, not expired`;
    const valid: string[] = [];
    const refused: string[] = [];
    const hashes: string[] = [];
    for (const a of input.approvals) {
      const expires = a.expiresAt
        ? Date.parse(a.expiresAt)
        : Date.parse(a.approvedAt) + p.approvals.maxAgeHours * 3_600_000;
      let why: string | null = null;
      // entity refs compare case-insensitively
      const who = a.approver.toLocaleLowerCase('en-US');
      const is = (ref: string | null | undefined) =>
        !!ref && ref.toLocaleLowerCase('en-US') === who;
      if (a.releaseHash !== input.release.hash)
        why = 'approved another release';
      else if (is(input.requester))
        why = 'the requester cannot approve their own promotion';
      else if (is(input.release.producer))
        why = "the release's producer cannot approve it";
      else if (!(now < expires))
        why = `expired at ${new Date(expires).toISOString()}`;
      else if (valid.some(is)) why = 'already counted';
      if (why) refused.push(`${a.approver}: ${why}`);
      else {
        valid.push(a.approver);
        if (a.hash) hashes.push(a.hash);
      }
    }
    add(
      'approvals',
      'Approvals',
      valid.length >= required,
      rule,
      `${valid.length} of ${required} valid${
        valid.length ? ` (${valid.join(', ')})` : ''
      }${refused.length ? `; not counted: ${refused.join('; ')}` : ''}`,
      { required, valid: valid.length, refused: refused.length },
      [input.release.hash, ...hashes],
    );
  }

  const failing = gates.filter(g => g.status === 'fail');
  const warning = gates.filter(g => g.status === 'warn');
  const inputs = [...new Set(gates.flatMap(g => g.evidence))];
  return {
    mode: input.mode,
    allowed: failing.length === 0,
    gates,
    inputs,
    summary: failing.length
      ? `blocked (${input.mode}): ${failing.map(g => g.title).join(', ')}`
      : `allowed (${input.mode})${
          warning.length
            ? ` with ${warning.length} warning(s): ${warning
                .map(g => g.title)
                .join(', ')}`
            : ''
        }`,
  };
}
