#!/usr/bin/env bash
# Access-token signing and verification, ES256 vs EdDSA (Ed25519), with JMH; see docs/benchmarks.md.
#
# Usage: bench/jwt-algorithms.sh [JMH options]   e.g. -f 2 -wi 5, or -h for JMH's help.
# Results: bench/results/jwt-algorithms.json (JMH's JSON, for jmh.morethan.io and friends).
set -euo pipefail

script=jwt-algorithms
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

exec "$jdk/bin/java" -jar "$jar" SignatureAlgorithmBenchmark \
  -rf json -rff bench/results/jwt-algorithms.json "$@"
