#!/usr/bin/env bash
# Deploys ${{ values.name }} by digest and moves traffic through the canary steps
# (${{ values.canarySteps | join(' -> ') }} %), judging each step on Prometheus: the canary's
# p95 may be at most 10% above the stable one and its 5xx ratio at most the
# SLO (${{ values.sloErrorRate }}). A failed step sends all traffic back to stable and fails.
# At 100% the new image becomes stable and the split returns to 100/0 on stable.
#
# This is the hook Assay's canary engine drives in the portal too: it patches
# the same VirtualService routes. Inputs (environment): IMAGE_REPOSITORY, DIGEST
# (sha256:…), NAMESPACE, SERVICE_NAME, CANARY_STEPS ("10 50 100"),
# CANARY_INTERVAL_SECONDS, PROMETHEUS_URL, SLO_ERROR_RATE; kubectl and kustomize
# configured.
set -euo pipefail
: "${DIGEST:?DIGEST (sha256:...) of the image built by this pipeline}"
case "$DIGEST" in sha256:*) ;; *) echo "DIGEST must be sha256:..., got $DIGEST" >&2; exit 1 ;; esac

ns="$NAMESPACE"
name="$SERVICE_NAME"
new="${IMAGE_REPOSITORY}@${DIGEST}"
# The image stable runs now, by digest; on the first deploy there is none.
current="$(kubectl -n "$ns" get deployment "$name" -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)"
case "$current" in *@sha256:*) stable="$current" ;; *) stable="$new" ;; esac

weights() { # <stable> <canary>: the same split on every http route
  local patch="[" i count
  count="$(kubectl -n "$ns" get virtualservice "$name" -o jsonpath='{.spec.http[*].name}' | wc -w)"
  for ((i = 0; i < count; i++)); do
    patch+="{\"op\":\"replace\",\"path\":\"/spec/http/$i/route/0/weight\",\"value\":$1},"
    patch+="{\"op\":\"replace\",\"path\":\"/spec/http/$i/route/1/weight\",\"value\":$2},"
  done
  kubectl -n "$ns" patch virtualservice "$name" --type=json -p "${patch%,}]"
  echo "traffic: stable $1% / canary $2%"
}

query() { # PromQL -> number; fails when Prometheus cannot be asked, NaN = no data
  local out
  out="$(curl -fsS --get "${PROMETHEUS_URL}/api/v1/query" --data-urlencode "query=$1")"
  node -e 'const r=JSON.parse(process.argv[1]).data.result;console.log(r.length?r[0].value[1]:"NaN")' "$out"
}

sel() { echo "reporter=\"destination\",destination_workload_namespace=\"$ns\",destination_workload=\"$1\""; }
p95() { query "histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{$(sel "$1")}[2m])))"; }
errors() { query "sum(rate(istio_requests_total{$(sel "$1"),response_code=~\"5..\"}[2m])) / sum(rate(istio_requests_total{$(sel "$1")}[2m]))"; }

requests() { query "sum(increase(istio_requests_total{$(sel "$1")}[2m]))"; }

judge() { # fail closed: enough canary traffic, p95 <= 1.10 x stable, 5xx <= SLO
  local cp sp ce n
  cp="$(p95 "$name-canary")"
  sp="$(p95 "$name")"
  ce="$(errors "$name-canary")"
  n="$(requests "$name-canary")"
  node -e '
    const [cp, sp, ce, n, slo, min] = process.argv.slice(1).map(v => (v === "" ? NaN : Number(v)));
    const fail = [];
    if (!(n >= min)) fail.push(`only ${n} canary requests in 2m (need ${min})`);
    if (Number.isNaN(cp) || Number.isNaN(sp)) fail.push("no p95 data for canary or stable");
    else if (cp > 1.1 * sp) fail.push(`p95 ${cp} ms > 1.10 x stable ${sp} ms`);
    if (!(ce <= slo)) fail.push(`5xx ratio ${ce} > ${slo} (or no data)`);
    if (fail.length) { console.log(fail.join("; ")); process.exit(1); }
    console.log(`ok: ${n} requests, p95 ${cp} ms (stable ${sp} ms), 5xx ratio ${ce}`);
  ' "$cp" "$sp" "$ce" "$n" "$SLO_ERROR_RATE" "${CANARY_MIN_REQUESTS:-50}"
}

record() { # the outcome, for the deployment evidence
  printf '{"image":"%s","stable":"%s","steps":"%s","result":"%s","reason":"%s"}\n' \
    "$new" "$stable" "$CANARY_STEPS" "$1" "${2:-}" > deployment.json
}

# Pin both images by digest (the guard below refuses anything else) and apply.
(cd k8s && kustomize edit set image "app-stable=${stable}" "app-canary=${new}")
rendered="$(kustomize build k8s)"
if grep -E '^\s+image:' <<<"$rendered" | grep -v '@sha256:'; then
  echo "refusing to deploy an image that is not pinned by digest" >&2
  exit 1
fi
kubectl apply -f - <<<"$rendered"
kubectl apply -f monitoring/pod-monitor.yaml -f monitoring/prometheus-rules.yaml
kubectl -n "$ns" rollout status "deployment/$name-canary" --timeout=300s

for step in $CANARY_STEPS; do
  weights $((100 - step)) "$step"
  sleep "${CANARY_INTERVAL_SECONDS}"
  if ! verdict="$(judge)"; then
    weights 100 0
    # the bad canary must not stay an endpoint of the Service either
    kubectl -n "$ns" scale "deployment/$name-canary" --replicas=0
    record rolled-back "step ${step}%: ${verdict}"
    echo "::error::canary rolled back at ${step}%: ${verdict}"
    exit 1
  fi
  echo "step ${step}%: ${verdict}"
done

# Promote: the new image becomes stable (only the image changes: re-applying
# everything would reset the weights and the HPA's replica count mid-rollout),
# then all traffic to stable. The kustomization records the new pins.
kubectl -n "$ns" set image "deployment/$name" "$name=${new}"
kubectl -n "$ns" rollout status "deployment/$name" --timeout=300s
weights 100 0
(cd k8s && kustomize edit set image "app-stable=${new}" "app-canary=${new}")
record promoted
