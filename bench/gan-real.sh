#!/usr/bin/env bash
# StyleGAN2 on real HAM10000 (not part of the tests): ingest ../shared, train the small64 preset on the
# train split for a wall-clock budget on the CPU, in a fixed run folder so that running the script again
# resumes from the newest snapshot. Sample grids, metrics.jsonl and snapshots land in $work/run.
# Usage: bench/gan-real.sh [--minutes N=65] [--preset small64] [--work DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DERMSYNTH_HAM10000:-$root/../shared/data/ham10000-200x150}"
minutes=65; preset=small64; work="$root/bench/work/gan-real"
source "$root/bench/lib.sh"
bench_options "[--minutes N] [--preset P] [--work DIR]" \
  --minutes=minutes --preset=preset --work=work -- "$@"
mkdir -p "$work"
sets=(--set "warehouse=$work/warehouse" --set "gan.preset=$preset" --set gan.kimg=1000
      --set "gan.max_minutes=$minutes" --set gan.tick_kimg=0.5 --set gan.snapshot_ticks=2
      --set gan.keep_snapshots=40 --set gan.progress=false)
ds="$root/bin/dermsynth"
if [[ ! -d "$work/warehouse/images" ]]; then
  "$ds" ingest --data "$data" "${sets[@]}" | tail -n 12
fi
/usr/bin/time -v "$ds" train-gan "${sets[@]}" --resume "$work/run" \
  2> >(tee "$work/train.stderr" | grep -E "tick|ERROR|Exception" >&2)
grep -E "Maximum resident|Elapsed" "$work/train.stderr" || true
