#!/usr/bin/env bash
# How long a service's container takes to start, with and without the image's AOT cache, measured
# in the same run (docs/containers.md, "Images"; docs/benchmarks.md).
#
#   runtime   docker build --target runtime: the service's jars on a JRE, no cache
#   aot       docker build (the shipped image): the same, plus the AOT cache of a training run
#
# Each round starts one container of each, alternating, alone on the machine, with the memory
# limit of compose (512 MiB) and no Redis (start-up does not wait for it), and reads Spring Boot's
# "Started ... (process running for N)" from its log: the JVM's start included. Prints every round
# and the median of each.
#
# Usage: bench/container-startup.sh   (SERVICES="api-service gateway" ROUNDS=5)
# Needs a Docker engine whose client builds with BuildKit (deploy-tests/images/README.md).
set -euo pipefail

services="${SERVICES:-api-service gateway}"
rounds="${ROUNDS:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
docker="${DOCKER:-docker}"
export DOCKER_BUILDKIT=1

# Seconds from the JVM's start to the application's start, from one container's log.
started() {
  local container="$1" seconds=""
  for _ in $(seq 240); do
    seconds="$("$docker" logs "$container" 2>&1 | sed -n 's/.*Started .* (process running for \([0-9.]*\)).*/\1/p' | head -1)"
    [[ -n "$seconds" ]] && break
    sleep 0.25
  done
  echo "${seconds:-timeout}"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for service in $services; do
  for variant in runtime aot; do
    target=(); [[ "$variant" == runtime ]] && target=(--target runtime)
    echo "Building fulcrum-bench/$service:$variant ..."
    "$docker" build -q "${target[@]}" --build-arg "SERVICE=$service" -t "fulcrum-bench/$service:$variant" "$root" >/dev/null
  done
  for round in $(seq "$rounds"); do
    for variant in runtime aot; do
      container="fulcrum-startup-$$"
      "$docker" run -d --rm --name "$container" --memory 512m --read-only --tmpfs /tmp:exec \
        "fulcrum-bench/$service:$variant" >/dev/null
      seconds="$(started "$container")"
      "$docker" rm -f "$container" >/dev/null
      printf '%-16s %-8s round %d: %s s\n' "$service" "$variant" "$round" "$seconds"
      echo "$service $variant $seconds" >>"$results"
    done
  done
done

echo
printf '%-16s %12s %12s\n' service "no cache" "AOT cache"
for service in $services; do
  printf '%-16s %11ss %11ss\n' "$service" \
    "$(awk -v s="$service" '$1 == s && $2 == "runtime" { print $3 }' "$results" | median)" \
    "$(awk -v s="$service" '$1 == s && $2 == "aot" { print $3 }' "$results" | median)"
done
