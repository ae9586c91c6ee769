#!/usr/bin/env bash
# One Redis against a Redis Cluster of three masters, each Redis held to REDIS_CPUS of a core by
# a CFS quota (the mechanism behind `docker run --cpus`, which the scaling lab uses), in one run:
#
#   1. Submission: the api-service's own submit-job.lua (idempotency record, quotas, job, stream
#      entry), run by redis-benchmark on every master at once (CLIENTS connections each), each on
#      keys of the shard that master serves, for distinct random users. The Redis side of POST
#      /api/jobs: what one node, or three, can accept.
#   2. Drain: JOBS echo jobs queued as the api-service writes them, spread over the shards, drained
#      by two real worker processes (worker-service.jar, CONCURRENCY jobs at once each) reading
#      every shard; timed from the first job done to the last, after a warm-up round.
#
# Single: one Redis, the queue as one shard (JOBS_SHARDS=1). Cluster: three masters formed by
# docker/redis-cluster-init.sh, the queue as three shards (JOBS_SHARDS=3), one per master.
#
# Usage: sudo bench/redis-cluster.sh      REDIS_CPUS=0.1 CLIENTS=16 SUBMIT_SECONDS=15
#                                         JOBS=30000 WARMUP=20000 CONCURRENCY=64 to change them
# Needs root (the quotas are cgroups), cgroup v1's or v2's cpu controller, redis-server,
# redis-cli and redis-benchmark (Debian: apt-get install redis-server). See docs/scaling.md.
set -euo pipefail

script=redis-cluster
needs_benchmarks_jar=0
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

redis_cpus="${REDIS_CPUS:-0.1}"
clients="${CLIENTS:-16}"
submit_seconds="${SUBMIT_SECONDS:-15}"
jobs_count="${JOBS:-30000}"
warmup="${WARMUP:-20000}"
concurrency="${CONCURRENCY:-64}"
for tool in redis-server redis-cli redis-benchmark bc; do
  command -v "$tool" >/dev/null || { echo "$script: needs $tool (Debian: apt-get install redis-server bc)" >&2; exit 1; }
done
[[ "$(id -u)" == 0 ]] || { echo "$script: needs root, for the CPU quotas (cgroups)" >&2; exit 1; }

# The CPU quotas: a cgroup of its own per Redis, cgroup v2 (cpu.max) or v1 (cfs_quota_us).
period=100000
quota="$(echo "$redis_cpus * $period / 1" | bc)"
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
  cgroot=/sys/fs/cgroup
  grep -qw cpu "$cgroot/cgroup.subtree_control" || echo "+cpu" >"$cgroot/cgroup.subtree_control"
  limit() { mkdir -p "$cgroot/$1"; echo "$quota $period" >"$cgroot/$1/cpu.max"; echo "$2" >"$cgroot/$1/cgroup.procs"; }
elif [[ -d /sys/fs/cgroup/cpu ]]; then
  cgroot=/sys/fs/cgroup/cpu
  limit() {
    mkdir -p "$cgroot/$1"
    echo "$period" >"$cgroot/$1/cpu.cfs_period_us"
    echo "$quota" >"$cgroot/$1/cpu.cfs_quota_us"
    echo "$2" >"$cgroot/$1/cgroup.procs"
  }
else
  echo "$script: no cgroup cpu controller" >&2
  exit 1
fi
cgroups=()

worker_jar="$root/worker-service/target/worker-service.jar"
if [[ ! -f "$worker_jar" || -n "$(find worker-service/src jobs/src common/src -newer "$worker_jar" -type f | head -1)" ]]; then
  echo "Building $worker_jar ..."
  JAVA_HOME="$jdk" ./mvnw -q -pl worker-service -am package -DskipTests -Dspring-javaformat.skip=true
  # Maven leaves an up-to-date jar as it was: newer than the sources from now on.
  touch "$worker_jar"
fi
submit_lua="$root/api-service/src/main/resources/scripts/submit-job.lua"

work="$(mktemp -d)"
base_port=$((22000 + RANDOM % 8000))
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
cleanup() {
  stop_all
  for group in "${cgroups[@]}"; do rmdir "$cgroot/$group" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

export REDIS_PASSWORD=bench-only
cli() { local port="$1"; shift; redis-cli --no-auth-warning -a "$REDIS_PASSWORD" -p "$port" "$@"; }

# start_redis <n> <cluster yes|no>: n masters on base_port, base_port+1, ..., each in its quota.
ports=()
start_redis() {
  ports=()
  local i port
  for ((i = 0; i < $1; i++)); do
    port=$((base_port + i))
    mkdir -p "$work/redis-$port"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/redis-$port" \
      --requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD" --maxmemory-policy noeviction \
      --cluster-enabled "$2" --cluster-config-file "nodes-$port.conf" >"$work/redis-$port.log" 2>&1 &
    pids+=($!)
    limit "fulcrum-bench-redis-$port" $!
    cgroups+=("fulcrum-bench-redis-$port")
    ports+=("$port")
    until cli "$port" PING >/dev/null 2>&1; do sleep 0.1; done
  done
  if [[ "$2" == yes ]]; then
    local nodes=()
    for port in "${ports[@]}"; do nodes+=("127.0.0.1:$port"); done
    sh "$root/docker/redis-cluster-init.sh" "${nodes[@]}" >/dev/null
  fi
}

# The shard's tag (the jobs module's JobShard): {jobs}, {jobs-1}, ...
tag() { if [[ "$1" == 0 ]]; then echo jobs; else echo "jobs-$1"; fi; }
# The master that serves a shard's slot.
port_of_shard() {
  local shards="$1" shard="$2"
  if [[ "$shards" == 1 ]]; then echo "${ports[0]}"; return; fi
  local slot
  slot="$(cli "${ports[0]}" CLUSTER KEYSLOT "{$(tag "$shard")}")"
  for port in "${ports[@]}"; do
    if cli "$port" CLUSTER NODES | grep myself | tr ' ' '\n' | tail -n +9 | awk -F- -v s="$slot" '
        { if (s >= $1 && s <= ($2 == "" ? $1 : $2)) found = 1 } END { exit !found }'; then
      echo "$port"
      return
    fi
  done
}

# 1. Submission: submit-job.lua at full speed on every master at once, summed.
submission() {
  local shards="$1" shard port prefix sha out rates=()
  echo "== submission: submit-job.lua, $clients connections per master, $submit_seconds s =="
  for ((shard = 0; shard < shards; shard++)); do
    port="$(port_of_shard "$shards" "$shard")"
    prefix="fulcrum:{$(tag "$shard")}:"
    sha="$(cli "$port" SCRIPT LOAD "$(cat "$submit_lua")")"
    # A request of a new user each time (random ids): no quota is reached, every record is new.
    redis-benchmark -a "$REDIS_PASSWORD" -p "$port" -c "$clients" -n 100000000 -r 100000000 -q \
      EVALSHA "$sha" 6 \
      "${prefix}idem:u__rand_int__:k__rand_int__" "${prefix}job:__rand_int__" "${prefix}stream" \
      "${prefix}outstanding" "${prefix}user:u__rand_int__" "${prefix}user:u__rand_int__:open" \
      fp __rand_int__ u__rand_int__ echo '{}' 2026-01-01T00:00:00Z 1767225600000 86400000 1000000000 \
      '{"id":"x","status":"QUEUED"}' k 100 500 '' 0 >"$work/submit-$shard.log" 2>&1 &
    out+=("$!")
  done
  sleep "$submit_seconds"
  # SIGTERM: a background job of a script ignores SIGINT.
  for pid in "${out[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${out[@]}" 2>/dev/null || true
  local total=0 rate
  for ((shard = 0; shard < shards; shard++)); do
    # redis-benchmark's running average over the whole run, as it last printed it.
    rate="$(tr '\r' '\n' <"$work/submit-$shard.log" | grep -o 'rps=[0-9.]* (overall: [0-9.]*' | tail -1 \
      | awk '{ printf "%.0f", $3 }')"
    rate="${rate:-0}"
    echo "  shard $shard (port $(port_of_shard "$shards" "$shard")): $rate submissions/s"
    total=$((total + rate))
  done
  echo "  all shards: $total submissions/s"
  submit_rate="$total"
}

# 2. Drain: queue_jobs <shards> <first number> <count>, spread evenly, then two workers drain.
queue_script="
    for i = tonumber(ARGV[1]), tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1 do
      local id = 'bench-' .. i
      redis.call('HSET', KEYS[3] .. id, 'id', id, 'user', 'bench', 'type', 'echo', 'payload', '{}',
        'status', 'QUEUED', 'attempts', '0', 'idempotencyKey', 'k' .. i,
        'idempotencyRecord', KEYS[4] .. i)
      redis.call('XADD', KEYS[1], '*', 'id', id)
    end
    redis.call('INCRBY', KEYS[2], ARGV[2])
    return redis.call('XLEN', KEYS[1])"
queue_jobs() {
  local shards="$1" first="$2" count="$3" shard prefix per=$(($3 / $1))
  for ((shard = 0; shard < shards; shard++)); do
    prefix="fulcrum:{$(tag "$shard")}:"
    cli "$(port_of_shard "$shards" "$shard")" EVAL "$queue_script" 4 "${prefix}stream" "${prefix}outstanding" \
      "${prefix}job:" "${prefix}idem:bench:" "$((first + shard * per))" "$per" >/dev/null
  done
}
outstanding() {
  local shards="$1" shard sum=0 n
  for ((shard = 0; shard < shards; shard++)); do
    n="$(cli "$(port_of_shard "$shards" "$shard")" GET "fulcrum:{$(tag "$shard")}:outstanding")"
    sum=$((sum + ${n:-0}))
  done
  echo "$sum"
}
now() { date +%s.%N; }
drain_wait() {
  local shards="$1" total="$2" left
  first=""
  while :; do
    left="$(outstanding "$shards")"
    if [[ -z "$first" && "$left" -lt "$total" ]]; then first="$(now)"; fi
    if [[ "$left" == 0 ]]; then last="$(now)"; break; fi
    sleep 0.05
  done
}
drain() {
  local shards="$1" cluster_nodes="$2" i per=$((jobs_count / $1 * $1))
  echo "== drain: 2 workers, $concurrency jobs at once each, reading $shards shard(s) =="
  # Any spring.data.redis.cluster.* setting, even an empty one, switches to the cluster client.
  local cluster=()
  [[ -n "$cluster_nodes" ]] && cluster=("SPRING_DATA_REDIS_CLUSTER_NODES=$cluster_nodes")
  for i in 1 2; do
    env INSTANCE_ID="bench-worker-$i" SERVER_PORT=$((base_port + 100 + i)) SERVER_ADDRESS=127.0.0.1 \
      REDIS_URL="redis://default:$REDIS_PASSWORD@127.0.0.1:${ports[0]}" "${cluster[@]}" JOBS_SHARDS="$shards" \
      WORKER_CONCURRENCY="$concurrency" LOG_FORMAT= \
      "$jdk/bin/java" -Xmx512m -jar "$worker_jar" >"$work/worker-$shards-$i.log" 2>&1 &
    workers+=($!)
    pids+=($!)
  done
  queue_jobs "$shards" $((jobs_count + 1)) "$warmup"
  drain_wait "$shards" "$warmup"
  queue_jobs "$shards" 1 "$per"
  drain_wait "$shards" "$per"
  local seconds
  seconds="$(echo "$last - $first" | bc -l)"
  drain_rate="$(echo "$per / $seconds" | bc -l | xargs printf '%.0f')"
  printf '  drained %d jobs in %.2f s: %s jobs/s\n' "$per" "$seconds" "$drain_rate"
  for pid in "${workers[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${workers[@]}" 2>/dev/null || true
  workers=()
}

echo "== machine: $(nproc) cores, $(uname -sr); each Redis at $redis_cpus of a core =="
declare -A results
workers=()

echo "== single: one Redis, one shard =="
start_redis 1 no
submission 1
results[single_submit]="$submit_rate"
cli "${ports[0]}" FLUSHALL >/dev/null
drain 1 ""
results[single_drain]="$drain_rate"
stop_all

base_port=$((base_port + 10))
echo "== cluster: three masters, three shards =="
start_redis 3 yes
submission 3
results[cluster_submit]="$submit_rate"
for port in "${ports[@]}"; do cli "$port" FLUSHALL >/dev/null; done
nodes="$(printf '127.0.0.1:%s,' "${ports[@]}")"
drain 3 "${nodes%,}"
results[cluster_drain]="$drain_rate"
stop_all

echo
echo "| Redis ($redis_cpus core each) | submissions/s (submit-job.lua) | drain, jobs/s (2 workers) |"
echo "|---|---|---|"
echo "| 1 node, 1 shard | ${results[single_submit]} | ${results[single_drain]} |"
echo "| 3 masters, 3 shards | ${results[cluster_submit]} | ${results[cluster_drain]} |"
mkdir -p "$root/bench/results"
printf '{"redisCpus":%s,"single":{"submissionsPerSecond":%s,"drainPerSecond":%s},"cluster":{"submissionsPerSecond":%s,"drainPerSecond":%s}}\n' \
  "$redis_cpus" "${results[single_submit]}" "${results[single_drain]}" "${results[cluster_submit]}" \
  "${results[cluster_drain]}" >"$root/bench/results/redis-cluster.json"
