#!/usr/bin/env bash
# The scaling lab (docs/scaling.md): the compose stack on this machine's Docker engine, with each
# container's CPU quota standing for the node it would run on. For 1-4 api-service replicas at
# API_CPUS cores each (horizontal), one replica at 1x, 2x and 4x that (vertical), and the gateway at
# 0.25-1 cores in front of four unlimited replicas (the balancer's own curve), it finds the highest
# arrival rate of Fulcrum's mix (80 % GET /api/me, 10 % GET /api/hello, 10 % POST /api/jobs, 100
# users) held with p99 <= 100 ms and failures <= 1 %, and the CPU each part spent per request.
# It prints a table and writes bench/results/scaling-lab-<time>.md, .csv and .png (JFreeChart).
#
# Usage: bench/scaling-lab.sh          about 30 minutes
#        QUICK=1 bench/scaling-lab.sh  1 and 2 replicas, short steps: about 5 minutes
# Settings: API_CPUS=0.5 GATEWAY_CPUS=1 REPLICAS=1,2,3,4 VERTICAL=1,2,4 GATEWAY_CURVE=0.25,0.5,1
#           GATEWAY_REPLICAS=4 (api-service replicas behind the gateway's curve) STEP=15s USERS=100
#           LAB_GATEWAY_PORT=18080 LAB_MANAGEMENT_PORT=19080
# Needs Docker with Compose (v2's `docker compose` or v1's `docker-compose`); builds the images.
set -euo pipefail

script=scaling-lab
needs_benchmarks_jar=0
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if docker compose version >/dev/null 2>&1; then
  compose="docker compose"
elif command -v docker-compose >/dev/null; then
  compose="docker-compose"
else
  echo "$script: Docker Compose not found (docker compose or docker-compose)" >&2; exit 1
fi
# The Dockerfile's cache mounts need BuildKit, which Compose v1 uses only when asked.
export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
export COMPOSE_PROJECT_NAME=fulcrumlab
export COMPOSE_FILE="$root/docker-compose.yml:$root/bench/scaling-lab.compose.yml"
export GATEWAY_PORT="${LAB_GATEWAY_PORT:-18080}" GATEWAY_MANAGEMENT_PORT="${LAB_MANAGEMENT_PORT:-19080}"

if [[ "${QUICK:-0}" == 1 ]]; then
  lab=(--replicas "${REPLICAS-1,2}" --vertical "${VERTICAL-}" --gateway-curve "${GATEWAY_CURVE-}" \
    --step "${STEP:-5s}" --warm-up 60s --growth 1.4 --refinements 2)
else
  lab=(--replicas "${REPLICAS-1,2,3,4}" --vertical "${VERTICAL-1,2,4}" --gateway-curve "${GATEWAY_CURVE-0.25,0.5,1}" \
    --step "${STEP:-15s}" --growth 1.4)
fi

if [[ ! -f "$root/load/target/load-exec.jar" || -n "$(find "$root/load/src" -newer "$root/load/target/load-exec.jar" -type f 2>/dev/null | head -1)" ]]; then
  echo "Building load/target/load-exec.jar ..."
  (cd "$root" && JAVA_HOME="$jdk" ./mvnw -q -pl load -am package -DskipTests -Dspring-javaformat.skip=true)
fi

cleanup() {
  local status=$?
  if [[ $status -ne 0 ]]; then
    # What the containers said, before they go: the lab stopped because something failed.
    local failure="$root/bench/results/scaling-lab-failure-$(date +%Y-%m-%dT%H-%M-%S).log"
    { $compose ps; docker stats --no-stream; $compose logs --no-color --tail 300; } >"$failure" 2>&1 || true
    echo "$script: failed (exit $status); the containers' state and logs: $failure" >&2
  fi
  $compose down --volumes --remove-orphans >/dev/null 2>&1 || true
}
trap cleanup EXIT
echo "== building and starting the compose project $COMPOSE_PROJECT_NAME (gateway on :$GATEWAY_PORT) =="
$compose build
$compose up --detach
for _ in $(seq 180); do
  curl -fsS "http://127.0.0.1:$GATEWAY_MANAGEMENT_PORT/actuator/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$GATEWAY_MANAGEMENT_PORT/actuator/health" >/dev/null \
  || { echo "$script: the gateway did not become healthy" >&2; $compose ps >&2; exit 1; }

echo "== the lab (machine: $(nproc) cores, $(uname -sr); API_CPUS=${API_CPUS:-0.5}) =="
"$jdk/bin/java" -Djava.awt.headless=true -jar "$root/load/target/load-exec.jar" scaling-lab \
  --gateway "http://localhost:$GATEWAY_PORT" --management "http://127.0.0.1:$GATEWAY_MANAGEMENT_PORT" \
  --project "$COMPOSE_PROJECT_NAME" --compose "$compose" --api-cpus "${API_CPUS:-0.5}" \
  --gateway-cpus "${GATEWAY_CPUS:-1}" --gateway-replicas "${GATEWAY_REPLICAS:-4}" --users "${USERS:-100}" \
  --out "$root/bench/results" "${lab[@]}"
