#!/usr/bin/env bash
# What tracing costs the whole stack (docs/benchmarks.md, "The cost of tracing"):
# bench/stack.sh on the same stack, tracing off, recording a tenth of the traces and all of them,
# then off again (the baseline's check for drift), each service sending its spans to a sink that
# keeps nothing (bench/SpanSink.java, on loopback): the figures hold what the services spend to
# record, encode and send spans, and no trace server's CPU on the same cores.
#
# Usage: bench/tracing-cost.sh
#        BASE=../base bench/tracing-cost.sh    adds a variant run from another checkout, built
#                                              (e.g. the commit before tracing: git worktree add ../base <rev>)
# Settings of bench/stack.sh pass through (RATES, STEP, SATURATION, OVERLOAD...); SINK_PORT=19411.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
script=tracing-cost
needs_benchmarks_jar=0
source "$root/bench/lib.sh"

port="${SINK_PORT:-19411}"
mkdir -p "$root/bench/results"
"$jdk/bin/java" "$root/bench/SpanSink.java" "$port" > "$root/bench/results/span-sink.log" 2>&1 &
sink=$!
trap 'kill "$sink" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  grep -q "span sink on" "$root/bench/results/span-sink.log" 2>/dev/null && break
  sleep 0.2
done

endpoint="MANAGEMENT_TRACING_EXPORT_ZIPKIN_ENDPOINT=http://127.0.0.1:$port/api/v2/spans"
variants="tracing off||||||MANAGEMENT_TRACING_ENABLED=false $endpoint"
if [[ -n "${BASE:-}" ]]; then
  variants="$variants
before tracing ($(git -C "$BASE" rev-parse --short HEAD))||||$BASE||"
fi
variants="$variants
sampling 10 %||||||MANAGEMENT_TRACING_SAMPLING_PROBABILITY=0.1 $endpoint
sampling 100 %||||||MANAGEMENT_TRACING_SAMPLING_PROBABILITY=1.0 $endpoint
tracing off again||||||MANAGEMENT_TRACING_ENABLED=false $endpoint"
VARIANTS="$variants" OVERLOAD="${OVERLOAD-}" "$root/bench/stack.sh"
kill "$sink" 2>/dev/null || true
wait "$sink" 2>/dev/null || true
cat "$root/bench/results/span-sink.log"
