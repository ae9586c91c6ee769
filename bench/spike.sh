#!/usr/bin/env bash
# A spike against the autoscaled local stack: ./fulcrum up --autoscale in a private state folder,
# then the open-model generator of load/ (Fulcrum's mix: 80 % GET /api/me, 10 % GET /api/hello,
# 10 % POST /api/jobs, over 100 users) at BASE requests a second, ten times that for a minute, and
# BASE again while the replicas come back down. It prints each phase (rate, failures, p50/p99/p99.9)
# and how the autoscaler coped, and writes bench/results/spike-<time>.csv and .png (JFreeChart).
# See docs/scaling.md.
#
# Usage: bench/spike.sh        BASE=30 FACTOR=10 BEFORE=60s SPIKE=60s AFTER=150s USERS=100 to change them.
# The autoscaler's settings come from the environment as for ./fulcrum up; this script sets a low
# CPU target (FULCRUM_AUTOSCALE_CPU_TARGET=0.25) unless you set one, so that a laptop's spike is
# enough to scale, and decides every 5 s.
set -euo pipefail

script=spike
needs_benchmarks_jar=0
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# C1 alone unless FULCRUM_JAVA_OPTS says otherwise: the CPU target and windows are set for its
# steady CPU, and C2 compiling in a new replica is CPU the autoscaler would count as load.
export FULCRUM_JAVA_OPTS="${FULCRUM_JAVA_OPTS:--Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError}"
export FULCRUM_AUTOSCALE_CPU_TARGET="${FULCRUM_AUTOSCALE_CPU_TARGET:-0.25}"
export FULCRUM_AUTOSCALE_PERIOD="${FULCRUM_AUTOSCALE_PERIOD:-5s}"
export FULCRUM_AUTOSCALE_DOWN_WINDOW="${FULCRUM_AUTOSCALE_DOWN_WINDOW:-60s}"

home="$(mktemp -d)"
cleanup() {
  "$root/fulcrum" down --home "$home" >/dev/null 2>&1 || true
  rm -rf "$home"
}
trap cleanup EXIT

build=()
for module in gateway auth-service api-service worker-service launcher; do
  [[ -f "$root/$module/target/$module.jar" ]] || build=(--build)
done
if [[ ! -f "$root/load/target/load-exec.jar" || -n "$(find "$root/load/src" -newer "$root/load/target/load-exec.jar" -type f 2>/dev/null | head -1)" ]]; then
  echo "Building load/target/load-exec.jar ..."
  (cd "$root" && JAVA_HOME="$jdk" ./mvnw -q -pl load -am package -DskipTests -Dspring-javaformat.skip=true)
fi

echo "== starting ./fulcrum up --autoscale --api 1 --workers 1 (CPU target $FULCRUM_AUTOSCALE_CPU_TARGET cores, every $FULCRUM_AUTOSCALE_PERIOD, scale-down window $FULCRUM_AUTOSCALE_DOWN_WINDOW) =="
"$root/fulcrum" up --home "$home" --free-ports --autoscale --api 1 --workers 1 "${build[@]}" >"$home/up.log" 2>&1 \
  || { cat "$home/up.log" >&2; exit 1; }
gateway="$(awk -F'\t' '$1 == "gateway-1" { print $4 }' "$home/stack.tsv")"

mkdir -p "$root/bench/results"
echo "== the spike (machine: $(nproc) cores, $(uname -sr)) =="
"$jdk/bin/java" -Djava.awt.headless=true -jar "$root/load/target/load-exec.jar" spike --gateway "$gateway" --home "$home" \
  --base "${BASE:-30}" --factor "${FACTOR:-10}" --before "${BEFORE:-60s}" --spike "${SPIKE:-60s}" \
  --after "${AFTER:-150s}" --users "${USERS:-100}" --out "$root/bench/results"
echo "== the supervisor's decisions =="
grep -E ' -> |is ready|drained|stopped' "$home/logs/supervisor.log" | cut -c1-200
