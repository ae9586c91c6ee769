#!/usr/bin/env bash
# Profiles running JVMs with JDK Flight Recorder: where does a service spend its CPU under load?
#
#   bench/profile.sh [SECONDS] NAME=PID [NAME=PID ...]
#   bench/profile.sh --print FILE.jfr [FILE.jfr ...]     the same report of recordings made before
#
# Records each JVM for SECONDS (default 30) with JFR's "profile" settings (execution samples every
# 10 ms per running thread), all at once, while you drive the load yourself (bench/stack.sh, wrk,
# the scaling lab). Then prints, per JVM, the methods that were running (self) and the methods on the
# stack (inclusive: each counted once per sample, so a row says "this share of the samples was
# under this method"), and keeps the recordings in bench/results/profile-<time>-<name>.jfr for
# `jfr view` or JDK Mission Control.
#
# The pids of a local stack: `./fulcrum status` (or `jcmd -l`). Example, 30 s of the api-service and
# the gateway while bench/stack.sh holds 1,000/s in another terminal:
#   bench/profile.sh 30 gateway=$(pgrep -f 'gateway.*\.jar' | head -1) api=$(pgrep -f 'api-service.*\.jar' | head -1)
#
# The JVM must run as the same user as this script (or run it as root). TOP=40 sets the rows kept.
set -euo pipefail
script=profile.sh
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
# lib.sh moves to the repository's root: make the recordings named on the command line absolute first.
declare -a given=()
for arg in "$@"; do
  if [[ "$arg" == *.jfr && "$arg" != /* ]]; then given+=("$PWD/$arg"); else given+=("$arg"); fi
done
set -- ${given[@]+"${given[@]}"}
needs_benchmarks_jar=0
source "$(dirname "$self")/lib.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

top="${TOP:-40}"
# One line per sample: the frames of its stack, top first, separated by '|'.
stacks() {
  "$jdk/bin/jfr" print --events jdk.ExecutionSample --stack-depth 256 "$1" | awk '
    /^jdk.ExecutionSample/ { if (n) print line; line = ""; n = 0; in_stack = 0; next }
    /stackTrace = \[/ { in_stack = 1; next }
    in_stack && /^[[:space:]]*\]/ { in_stack = 0; next }
    in_stack {
      frame = $0; sub(/^[[:space:]]+/, "", frame); sub(/[[:space:]]+line:.*$/, "", frame)
      if (frame == "...") next
      line = line (n ? "|" : "") frame; n++
    }
    END { if (n) print line }'
}

# The report of one recording: samples, then the methods by self and by inclusive share.
report() {
  local label="$1" file="$2" total lines="$work/stacks"
  echo
  if ! stacks "$file" > "$lines"; then
    echo "== $label: $file could not be read (see above)"
    return 0
  fi
  total="$(wc -l < "$lines")"
  echo "== $label: $total samples, $file"
  if [[ "$total" -gt 0 ]]; then
    echo "-- self: the method running"
    cut -d'|' -f1 "$lines" | sort | uniq -c | sort -rn | awk -v n="$top" 'NR <= n' \
      | awk -v t="$total" '{ c = $1; $1 = ""; printf "%6.1f %%  %s\n", 100 * c / t, substr($0, 2) }'
    echo "-- inclusive: the method anywhere on the stack"
    awk -F'|' '{ delete seen; for (f = 1; f <= NF; f++) if (!($f in seen)) { seen[$f] = 1; print $f } }' "$lines" \
      | sort | uniq -c | sort -rn | awk -v n="$top" 'NR <= n' \
      | awk -v t="$total" '{ c = $1; $1 = ""; printf "%6.1f %%  %s\n", 100 * c / t, substr($0, 2) }'
  fi
}

if [[ "${1:-}" == "--print" ]]; then
  shift
  for file in "$@"; do
    report "$(basename "$file" .jfr)" "$file"
  done
  exit 0
fi

seconds=30
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds="$1"; shift
fi
[[ $# -ge 1 ]] || { sed -n '2,18p' "$self" | sed 's/^# \{0,1\}//' >&2; exit 2; }
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
declare -a names=() pids=() files=()
for target in "$@"; do
  name="${target%%=*}"; pid="${target#*=}"
  [[ "$name" != "$target" && "$pid" =~ ^[0-9]+$ ]] || { echo "$script: expected NAME=PID, got '$target'" >&2; exit 2; }
  kill -0 "$pid" 2>/dev/null || { echo "$script: no process $pid ($name)" >&2; exit 1; }
  names+=("$name"); pids+=("$pid"); files+=("$root/bench/results/profile-$stamp-$name.jfr")
done

for i in "${!pids[@]}"; do
  # Whole stacks (JFR keeps 64 frames by default, less than a request through Spring); a JVM that
  # has recorded before keeps its depth.
  "$jdk/bin/jcmd" "${pids[$i]}" JFR.configure stackdepth=256 >/dev/null 2>&1 || true
  "$jdk/bin/jcmd" "${pids[$i]}" JFR.start name=bench-profile settings=profile "duration=${seconds}s" \
    "filename=${files[$i]}" >/dev/null
done
echo "Recording ${#pids[@]} JVM(s) for ${seconds} s ..."
sleep "$seconds"
# A recording is written out when it ends: wait until JFR no longer lists it (at most 30 s).
for i in "${!pids[@]}"; do
  for _ in $(seq 30); do
    "$jdk/bin/jcmd" "${pids[$i]}" JFR.check name=bench-profile 2>/dev/null | grep -q "name=bench-profile" || break
    sleep 1
  done
done


for i in "${!pids[@]}"; do
  report "${names[$i]} (pid ${pids[$i]}, ${seconds} s)" "${files[$i]}"
done
