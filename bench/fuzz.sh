#!/usr/bin/env bash
# Seeded mutation fuzzing of ingest's inputs (issue 20; not part of the tests' size): TestFuzzInputs with
# N inputs of each kind — mutated JPEG/PNG/BMP/GIF through the image normaliser, mutated HAM10000 csv
# files through the reader. Every input must end as an image or a quarantine reason (csv: records and
# rejections, or an error naming the file). Prints the outcome counts and the wall time.
# Usage: bench/fuzz.sh [N (100000)] [SEED (20261130)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-100000}"; seed="${2:-20261130}"
cd "$root"
start=$(date +%s)
mvn -B -o test -pl core -Dtest=TestFuzzInputs -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.inputs="$n" -Dfuzz.seed="$seed" -DtrimStackTrace=false \
  | grep -E "^fuzz |Tests run|FAIL|escaped" || true
echo "fuzz: $n inputs of each kind, seed $seed, $(( $(date +%s) - start )) s on $(nproc) cores ($(date -u +%F))"
