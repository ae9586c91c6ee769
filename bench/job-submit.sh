#!/usr/bin/env bash
# End-to-end job submission: POST /api/jobs through the gateway (token check at the edge and in
# the api-service, idempotency record, job, stream entry, all in one script) with the workers
# draining at the same time, on a local stack started for the run. Measured by the same wrk in the
# same run, next to two baselines: the same submission sent straight to one api-service instance
# (what the gateway adds), and a public GET /api/hello through the gateway (the plain proxy).
# See docs/benchmarks.md.
#
# Usage: bench/job-submit.sh        DURATION=20s CONNECTIONS=32 to change the defaults.
# Needs wrk and curl (Debian: apt-get install wrk curl). Builds the jars if they are missing.
# The services run with ./fulcrum up's JVM options (C2 from AOT caches trained under load, small
# heaps), or FULCRUM_JAVA_OPTS. The figures in docs/benchmarks.md were measured with C1 alone
# (-XX:TieredStopAtLevel=1, the default then), before the caches held the request paths' profiles.
set -euo pipefail

script=job-submit
needs_benchmarks_jar=0
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

duration="${DURATION:-20s}"
connections="${CONNECTIONS:-32}"
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "$script: needs $tool (Debian: apt-get install wrk curl)" >&2; exit 1; }
done

home="$(mktemp -d)"
cleanup() {
  "$root/fulcrum" down --home "$home" >/dev/null 2>&1 || true
  rm -rf "$home"
}
trap cleanup EXIT

build=()
for service in gateway auth-service api-service worker-service launcher; do
  [[ -f "$root/$service/target/$service.jar" ]] || build=(--build)
done
echo "== starting a local stack (2 api-service, 2 worker-service, 1 gateway) =="
"$root/fulcrum" up --home "$home" --free-ports --api 2 --workers 2 "${build[@]}" >"$home/up.log" 2>&1 || { cat "$home/up.log" >&2; exit 1; }
url_of() { awk -F'\t' -v instance="$1" '$1 == instance { print $4 }' "$home/stack.tsv"; }
gateway="$(url_of gateway-1)"
api="$(url_of api-service-1)"

# The demo user of the local profile (demo credentials, local only).
token="$(curl -fsS -X POST "$gateway/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"demo","password":"demo-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')"
run="run-$(date +%s)"
submit="$root/bench/wrk/submit-job.lua"

measure() {
  local label="$1"; shift
  echo "== $label ($duration, $connections connections) =="
  wrk -t2 -c"$connections" -d"$duration" --latency "$@" | tee "$home/wrk.log" | grep -E 'Requests/sec|^ +(50|99)%|status|Non-2xx'
  rates["$label"]="$(awk '/Requests\/sec/ { print $2 }' "$home/wrk.log")"
  p99["$label"]="$(awk '$1 == "99%" { print $2 }' "$home/wrk.log")"
}
declare -A rates p99

echo "== warm-up: 20 s of submissions, not counted =="
wrk -t2 -c"$connections" -d20s -s "$submit" "$gateway/api/jobs" -- "$token" "$run-warmup" >/dev/null
wrk -t2 -c"$connections" -d5s "$gateway/api/hello" >/dev/null

measure "GET /api/hello through the gateway" "$gateway/api/hello"
measure "POST /api/jobs straight to one api-service" -s "$submit" "$api/api/jobs" -- "$token" "$run-direct"
measure "POST /api/jobs through the gateway" -s "$submit" "$gateway/api/jobs" -- "$token" "$run-gateway"

echo "== waiting for the workers to finish every job =="
for _ in $(seq 1 120); do
  outstanding="$(curl -fsS "$(awk -F'\t' '$1 == "worker-service-1" { print $5 }' "$home/stack.tsv" | sed 's#/actuator/health/readiness#/actuator/prometheus#')" \
    | awk '/^fulcrum_jobs_outstanding/ { print int($2) }')"
  [[ "$outstanding" == 0 ]] && break
  sleep 1
done
echo "jobs not yet final: $outstanding"

mkdir -p "$root/bench/results"
{
  printf '{"connections":%d,"duration":"%s","results":[' "$connections" "$duration"
  first=1
  for label in "GET /api/hello through the gateway" "POST /api/jobs straight to one api-service" "POST /api/jobs through the gateway"; do
    [[ $first == 1 ]] || printf ','
    first=0
    printf '{"label":"%s","requestsPerSecond":%s,"p99":"%s"}' "$label" "${rates[$label]}" "${p99[$label]}"
  done
  printf '],"outstandingAfter":%s}\n' "${outstanding:-null}"
} >"$root/bench/results/job-submit.json"
cat "$root/bench/results/job-submit.json"
