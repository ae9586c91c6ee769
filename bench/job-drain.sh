#!/usr/bin/env bash
# How fast two worker processes drain no-op jobs, with the full claim / complete / acknowledge
# path (the worker's own Lua scripts) and status tracking, next to redis-benchmark's XADD rate
# measured on the same Redis in the same run. See docs/benchmarks.md.
#
# Usage: bench/job-drain.sh          JOBS=60000 WARMUP=30000 CONCURRENCY=64 to change the defaults.
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
# queue_jobs <first number> <count>. The idempotency record that the worker checks is not written
# (its name is a SHA-256, which Lua cannot compute); the worker's lookup of it costs Redis the same.
queue_jobs() {
  cli EVAL "
    for i = tonumber(ARGV[1]), tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1 do
      local id = 'bench-' .. i
      redis.call('HSET', KEYS[3] .. id, 'id', id, 'user', 'bench', 'type', 'echo', 'payload', '{}',
        'status', 'QUEUED', 'attempts', '0', 'idempotencyKey', 'k' .. i)
      redis.call('XADD', KEYS[1], '*', 'id', id)
    end
    redis.call('INCRBY', KEYS[2], ARGV[2])
    return redis.call('XLEN', KEYS[1])" 3 'fulcrum:{jobs}:stream' 'fulcrum:{jobs}:outstanding' 'fulcrum:{jobs}:job:' "$1" "$2" >/dev/null
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
  INSTANCE_ID="bench-worker-$i" SERVER_PORT=$((port + i)) SERVER_ADDRESS=127.0.0.1 \
    REDIS_URL="redis://127.0.0.1:$port" WORKER_CONCURRENCY="$concurrency" LOG_FORMAT= \
    "$jdk/bin/java" -Xmx512m -jar "$worker_jar" >"$work/worker-$i.log" 2>&1 &
  pids+=($!)
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
