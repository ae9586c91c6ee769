#!/usr/bin/env bash
# The whole stack's speed as a user meets it (docs/benchmarks.md, "The whole stack"): for each
# variant, ./fulcrum up in a private state folder (timed), then the open-model generator of load/
# sends Fulcrum's mix (80 % GET /api/me, 10 % GET /api/hello, 10 % POST /api/jobs of an echo job,
# over USERS users): the first minute at FIRST_RATE in 10 s windows (how soon it is at full speed),
# fixed arrival rates RATES for STEP each, then saturation (CONNECTIONS connections sending back to
# back, as wrk does), then rates past saturation (OVERLOAD: multiples of the rate saturation
# reached). Each row has successful requests a second (all, and those answered within a second),
# the p50/p99/p99.9 of the successful requests, failures by status and the CPU each tier (and the generator) spent per request, read
# from /proc. Then ./fulcrum down.
# Variants run one after the other in one run, so they share the machine's state: the first is the
# baseline of the others.
#
# Usage: bench/stack.sh                     the defaults of ./fulcrum up
#        VARIANTS=$'defaults\nno AOT cache||off\nC1 alone|-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1' bench/stack.sh
#          one line per variant: "label|JVM options|AOT cache|training|tree|up arguments|environment", the options as
#          FULCRUM_JAVA_OPTS (empty: the defaults), the cache as FULCRUM_AOT_CACHE (off, or empty: on),
#          the training as FULCRUM_AOT_TRAINING (load, refresh, or empty: load with C2, refresh with C1),
#          the tree as another checkout, built, whose ./fulcrum and jars to run (an absolute path, or
#          relative to this repository's root; empty: this one), for an A/B of two versions of the
#          code in one run (git worktree add ../base HEAD~1), and more arguments for this variant's
#          ./fulcrum up (e.g. "--api 1 --workers 1"), and variables for the services' environment
#          (NAME=value, space-separated, e.g. "GATEWAY_CONCURRENCY_LIMIT_ENABLED=true"): a setting
#          changed this way keeps the AOT caches, which JVM options would retrain
# Settings: USERS=100 FIRST_RATE=1200 FIRST=60s RATES=600,1200,2400 STEP=30s SATURATION=30s
#           CONNECTIONS=64 OVERLOAD=0.5,1,1.5,2 (empty: none)
#           UP_ARGS="" (more arguments for ./fulcrum up, e.g. "--api 2")
# Writes bench/results/stack-<time>.md and .csv.
set -euo pipefail

script=stack
needs_benchmarks_jar=0
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ! -f "$root/load/target/load-exec.jar" || -n "$(find "$root/load/src" "$root/load/pom.xml" -newer "$root/load/target/load-exec.jar" -type f 2>/dev/null | head -1)" ]]; then
  echo "Building load/target/load-exec.jar ..."
  (cd "$root" && JAVA_HOME="$jdk" ./mvnw -q -pl load -am package -DskipTests -Dspring-javaformat.skip=true)
fi

report="$root/bench/results/stack-$(date +%Y-%m-%dT%H-%M-%S).md"
home=""
fulcrum="$root/fulcrum"
cleanup() {
  if [[ -n "$home" ]]; then
    "$fulcrum" down --home "$home" >/dev/null 2>&1 || true
    rm -rf "$home"
  fi
}
trap cleanup EXIT

{
  echo "# bench/stack.sh, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(uname -sr), $("$jdk/bin/java" -version 2>&1 | head -1)."
  echo "Load: USERS=${USERS:-100} FIRST_RATE=${FIRST_RATE:-1200} FIRST=${FIRST:-60s} RATES=${RATES:-600,1200,2400}" \
    "STEP=${STEP:-30s} SATURATION=${SATURATION:-30s} CONNECTIONS=${CONNECTIONS:-64} OVERLOAD=${OVERLOAD-0.5,1,1.5,2}" \
    "UP_ARGS=${UP_ARGS:-}"
  echo "Latency columns: of the successful (2xx) requests; a request shed at once with a 503 is a failure, not a fast answer." \
    "\"within 1 s/s\": successful requests answered within a second, a second: what a client that waits no longer got."
  echo "CPU columns: milliseconds per request offered; \"stack\" sums the tiers (not the generator)."
  echo
  echo "Stacks, in the order measured:"
  while IFS='|' read -r label java_opts aot training tree up_args environment; do
    [[ -n "$label" ]] && echo "- **$label**: ${environment:+$environment }FULCRUM_JAVA_OPTS=\"${java_opts:-(default)}\" FULCRUM_AOT_CACHE=${aot:-on}" \
      "FULCRUM_AOT_TRAINING=${training:-(default)} up ${UP_ARGS:-}${up_args:+ $up_args}" \
      "code: $(git -C "${tree:-$root}" log -1 --format='%h %s' 2>/dev/null || echo "${tree:-$root}")"
  done <<<"${VARIANTS:-defaults}"
  echo
} >"$report"

while IFS= read -r variant; do
  [[ -n "$variant" ]] || continue
  IFS='|' read -r label java_opts aot training tree up_args environment <<<"$variant"
  fulcrum="${tree:-$root}/fulcrum"
  # This checkout is built if a jar is missing; another tree must come built.
  build=()
  for module in gateway auth-service api-service worker-service launcher; do
    if [[ ! -f "${tree:-$root}/$module/target/$module.jar" ]]; then
      [[ -z "$tree" ]] || { echo "$script: $tree has no $module jar; build it first" >&2; exit 1; }
      build=(--build)
    fi
  done
  options=(env)
  # shellcheck disable=SC2206
  [[ -n "$environment" ]] && options+=($environment)
  [[ -n "$java_opts" ]] && options+=("FULCRUM_JAVA_OPTS=$java_opts")
  [[ -n "$aot" ]] && options+=("FULCRUM_AOT_CACHE=$aot")
  [[ -n "$training" ]] && options+=("FULCRUM_AOT_TRAINING=$training")
  home="$(mktemp -d)"
  echo "== $label: ${options[*]:1} ./fulcrum up ${UP_ARGS:-} ${up_args:-} =="
  started=$(date +%s%N)
  # shellcheck disable=SC2086
  "${options[@]}" "$fulcrum" up --home "$home" --free-ports ${UP_ARGS:-} ${up_args:-} "${build[@]}" </dev/null >"$home/up.log" 2>&1 \
    || { cat "$home/up.log" >&2; exit 1; }
  up=$(( ($(date +%s%N) - started) / 1000000 ))
  # Training the AOT cache happens once per build (and JVM options): not part of a start.
  trained="$(sed -n 's/^Trained in \([0-9.]*\)s$/\1/p' "$home/up.log")"
  if [[ -n "$trained" ]]; then
    echo "(trained the AOT cache in ${trained} s first; not counted)"
    up=$(( up - $(awk -v t="$trained" 'BEGIN { printf "%d", t * 1000 }') ))
  fi
  gateway="$(awk -F'\t' '$1 == "gateway-1" { print $4 }' "$home/stack.tsv")"
  echo "up in $((up / 1000)).$(( (up % 1000) / 100 )) s; gateway $gateway"
  "$jdk/bin/java" -jar "$root/load/target/load-exec.jar" stack --gateway "$gateway" --home "$home" \
    --label "$label (up $((up / 1000)).$(( (up % 1000) / 100 )) s)" --users "${USERS:-100}" \
    --first-minute "${FIRST:-60s}" --first-minute-rate "${FIRST_RATE:-1200}" --rates "${RATES:-600,1200,2400}" \
    --step "${STEP:-30s}" --saturation "${SATURATION:-30s}" --connections "${CONNECTIONS:-64}" --overload "${OVERLOAD-0.5,1,1.5,2}" --report "$report" \
    </dev/null
  "$fulcrum" down --home "$home" </dev/null >/dev/null 2>&1 || true
  rm -rf "$home"
  home=""
done <<<"${VARIANTS:-defaults}"

echo "== $report =="
cat "$report"
