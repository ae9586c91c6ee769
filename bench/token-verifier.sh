#!/usr/bin/env bash
# Fulcrum's TokenVerifier (ES256): a token it has not seen (cold) and one it has (cached), with JMH;
# see docs/benchmarks.md.
#
# Usage: bench/token-verifier.sh [JMH options]   e.g. -f 2 -wi 5, or -h for JMH's help.
# Results: bench/results/token-verifier.json (JMH's JSON, for jmh.morethan.io and friends).
set -euo pipefail

script=token-verifier
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

exec "$jdk/bin/java" -jar "$jar" TokenVerifierBenchmark \
  -rf json -rff bench/results/token-verifier.json "$@"
