#!/usr/bin/env bash
# How fast two worker processes drain no-op jobs, with the full claim / complete / acknowledge
# path (the worker's own Lua scripts) and status tracking, next to redis-benchmark's XADD rate
# measured on the same Redis in the same run. See docs/benchmarks.md.
#
# Then, with RATE set, what a worker costs at a steady rate as the whole stack gives it jobs: RATE
# jobs a second, one at a time, for PACED seconds, with each worker's CPU per job read from /proc;
# then IDLE seconds with no job at all, with each worker's CPU a second.
#
# Usage: bench/job-drain.sh          JOBS=60000 WARMUP=30000 CONCURRENCY=64 to change the defaults.
#        RATE=50 PACED=60 IDLE=30 bench/job-drain.sh     the paced and idle rounds too (CPU is read
#          in 10 ms ticks: a longer IDLE reads the idle cost finer)
#        WORKER_JAVA_OPTS="-Xmx256m -XX:TieredStopAtLevel=1" the workers' JVM options (default -Xmx512m)
# Needs redis-benchmark and redis-cli (Debian: apt-get install redis-tools).
set -euo pipefail

script=job-drain
needs_benchmarks_jar=0
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

jobs_count="${JOBS:-60000}"
concurrency="${CONCURRENCY:-64}"
warmup="${WARMUP:-30000}"
for tool in redis-benchmark redis-cli curl; do
  command -v "$tool" >/dev/null || { echo "$script: needs $tool (Debian: apt-get install redis-tools curl)" >&2; exit 1; }
done

# The worker jar, rebuilt when its sources are newer (WORKER_JAR=path runs another build as is,
# to compare two versions in one sitting).
worker_jar="${WORKER_JAR:-$root/worker-service/target/worker-service.jar}"
if [[ -z "${WORKER_JAR:-}" ]] && [[ ! -f "$worker_jar" || -n "$(find worker-service/src jobs/src common/src -newer "$worker_jar" -type f | head -1)" ]]; then
  echo "Building $worker_jar ..."
  JAVA_HOME="$jdk" ./mvnw -q -pl worker-service -am package -DskipTests -Dspring-javaformat.skip=true
fi

# A Redis of its own: the launcher's copy of the embedded binary, or one on PATH.
redis_bin="$root/.fulcrum/bin/redis-server"
[[ -x "$redis_bin" ]] || redis_bin="$(command -v redis-server || true)"
[[ -n "$redis_bin" ]] || { echo "$script: no redis-server; run ./fulcrum up once (it installs one) or install redis-server" >&2; exit 1; }

work="$(mktemp -d)"
port=$((21000 + RANDOM % 9000))
pids=()
workers=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$redis_bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
cli() { redis-cli -p "$port" "$@"; }
until cli PING >/dev/null 2>&1; do sleep 0.1; done

echo "== redis-benchmark XADD (50 clients, no pipelining) =="
xadd="$(redis-benchmark -p "$port" -n 200000 -c 50 -q XADD fulcrum-bench-xadd '*' id 1 | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1)"
echo "XADD: $xadd"
cli DEL fulcrum-bench-xadd >/dev/null

# Queues echo jobs as the api-service writes them (job hash, stream entry, outstanding count):
# queue_jobs <first number> <count>. The idempotency record that the worker checks is named but
# not written; the worker's lookup of it costs Redis the same.
queue_script="
    for i = tonumber(ARGV[1]), tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1 do
      local id = 'bench-' .. i
      redis.call('HSET', KEYS[3] .. id, 'id', id, 'user', 'bench', 'type', 'echo', 'payload', '{}',
        'status', 'QUEUED', 'attempts', '0', 'idempotencyKey', 'k' .. i,
        'idempotencyRecord', 'fulcrum:{jobs}:idem:bench:' .. i)
      redis.call('XADD', KEYS[1], '*', 'id', id)
    end
    redis.call('INCRBY', KEYS[2], ARGV[2])
    return redis.call('XLEN', KEYS[1])"
queue_keys=(3 'fulcrum:{jobs}:stream' 'fulcrum:{jobs}:outstanding' 'fulcrum:{jobs}:job:')
queue_jobs() {
  cli EVAL "$queue_script" "${queue_keys[@]}" "$1" "$2" >/dev/null
}
now() { date +%s.%N; }
# Waits until no job is outstanding; sets first (when the first job of the batch finished) and last.
drain() {
  local total="$1" left
  first=""
  while :; do
    left="$(cli GET 'fulcrum:{jobs}:outstanding')"
    if [[ -z "$first" && "$left" -lt "$total" ]]; then first="$(now)"; fi
    if [[ "$left" == 0 ]]; then last="$(now)"; break; fi
    sleep 0.02
  done
}

echo "== starting 2 workers, $concurrency jobs at once each =="
for i in 1 2; do
  # shellcheck disable=SC2086
  INSTANCE_ID="bench-worker-$i" SERVER_PORT=$((port + i)) SERVER_ADDRESS=127.0.0.1 \
    REDIS_URL="redis://127.0.0.1:$port" WORKER_CONCURRENCY="$concurrency" LOG_FORMAT= \
    "$jdk/bin/java" ${WORKER_JAVA_OPTS:--Xmx512m} -jar "$worker_jar" >"$work/worker-$i.log" 2>&1 &
  pids+=($!)
  workers+=($!)
done

# The JIT compiles the hot path during the first tens of thousands of jobs: a warm-up round is
# drained and not counted, as JMH does.
echo "== warm-up: $warmup jobs, not counted =="
queue_jobs $((jobs_count + 1)) "$warmup"
drain "$warmup"

echo "== measured: $jobs_count jobs =="
queue_jobs 1 "$jobs_count"
drain "$jobs_count"
seconds="$(echo "$last - $first" | bc -l)"
rate="$(echo "$jobs_count / $seconds" | bc -l)"
succeeded="$(cli EVAL "local n = 0 for i = 1, tonumber(ARGV[1]) do if redis.call('HGET', KEYS[1] .. 'bench-' .. i, 'status') == 'SUCCEEDED' then n = n + 1 end end return n" 1 'fulcrum:{jobs}:job:' "$jobs_count")"
printf 'Drained %d jobs in %.2f s: %.0f jobs/s (%s of them SUCCEEDED)\n' "$jobs_count" "$seconds" "$rate" "$succeeded"
xadd_rate="${xadd% requests per second}"
printf 'Drain rate / XADD rate: %.1f%%\n' "$(echo "100 * $rate / $xadd_rate" | bc -l)"
mkdir -p "$root/bench/results"
printf '{"jobs":%d,"concurrency":%d,"seconds":%.3f,"jobsPerSecond":%.0f,"xaddPerSecond":%s,"succeeded":%s}\n' \
  "$jobs_count" "$concurrency" "$seconds" "$rate" "$xadd_rate" "$succeeded" >"$root/bench/results/job-drain.json"

[[ "${RATE:-0}" -gt 0 ]] || exit 0

# CPU time of a process so far, in milliseconds (user + system, from /proc).
ticks=$(getconf CLK_TCK)
cpu_ms() { awk -v t="$ticks" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / t }' "/proc/$1/stat"; }
cpu_all() { local pid; for pid in "${workers[@]}"; do cpu_ms "$pid"; done; }

paced="${PACED:-60}"
echo "== paced: $RATE jobs/s, one at a time, for $paced s =="
sha="$(cli SCRIPT LOAD "$queue_script")"
next=$((jobs_count + warmup + 1))
read -r -d '' -a before < <(cpu_all) || true
started="$(now)"
count=$((RATE * paced))
# Each job at its own moment from the start (bash's clock, no fork), so that the loop's own time
# does not slow the rate down.
start_us=$(( ${EPOCHREALTIME/./} ))
for ((i = 0; i < count; i++)); do
  echo "EVALSHA $sha ${queue_keys[*]} $((next + i)) 1"
  wait_us=$(( start_us + (i + 1) * 1000000 / RATE - ${EPOCHREALTIME/./} ))
  if ((wait_us > 0)); then sleep "$(printf '%d.%06d' $((wait_us / 1000000)) $((wait_us % 1000000)))"; fi
done | cli >/dev/null
drain "$count"
read -r -d '' -a after < <(cpu_all) || true
seconds="$(echo "$(now) - $started" | bc -l)"
printf 'Paced: %d jobs in %.1f s (%.0f jobs/s)\n' "$count" "$seconds" "$(echo "$count / $seconds" | bc -l)"
for i in "${!workers[@]}"; do
  printf '  worker %d: %.0f ms of CPU, %.3f ms per job of all\n' $((i + 1)) "$(echo "${after[i]} - ${before[i]}" | bc -l)" \
    "$(echo "(${after[i]} - ${before[i]}) / $count" | bc -l)"
done
total="$(echo "${after[0]} + ${after[1]} - ${before[0]} - ${before[1]}" | bc -l)"
printf '  both workers: %.3f ms of CPU per job\n' "$(echo "$total / $count" | bc -l)"

idle="${IDLE:-30}"
echo "== idle: no job for $idle s =="
read -r -d '' -a before < <(cpu_all) || true
sleep "$idle"
read -r -d '' -a after < <(cpu_all) || true
for i in "${!workers[@]}"; do
  printf '  worker %d: %.1f ms of CPU a second\n' $((i + 1)) "$(echo "(${after[i]} - ${before[i]}) / $idle" | bc -l)"
done
