#!/usr/bin/env bash
# Copies across splits (issue 20): exact and perceptual-hash copies in the real HAM10000 images of ../shared,
# and how far re-encoded copies move the hash — the data behind ingest.near_duplicate_radius's advice.
# Usage: bench/copies-real.sh [SIZE (64)] [COPIES (1000)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DERMSYNTH_HAM10000:-$root/../shared/data/ham10000-200x150}"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_build
bench_java CopiesBench "$data" "${1:-64}" "${2:-1000}"
