#!/usr/bin/env bash
# SeFa edits (augment's per-row work: render, LPIPS to the source, PNG) through DirectionEditor in Spark
# against the bare DJL loop, and executor memory over many edits, on the real latents and directions of
# bench/invert-real.sh and bench/augment-real.sh, or of any warehouse that has latents and directions
# (--warehouse, with its inverter's model folder as --inverter: e.g. a `dermsynth pipeline` run's) (not part
# of the tests).
#   throughput: edits/s, 5 alternating rounds on the same loaded model, median ratio
#   rss:        N edits through DirectionEditor in one executor (local mode: the bench JVM, heap pinned),
#               RSS every 2 s (trace in bench/work/edit-rss-trace.csv), growth first → last fifth (medians)
# Usage: bench/edit-throughput.sh [--edits 256] [--batch 16] [--rss-n 10000] [--rss-warmup 1000]
#          [--inverter DIR] [--warehouse DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
edits=256; batch=16; rss_n=10000; rss_warmup=1000
source "$root/bench/lib.sh"
inverter="$root/bench/work/invert-real/inverter"
warehouse="$root/bench/work/gan-real/warehouse"
bench_options "[--edits N] [--batch N] [--rss-n N] [--rss-warmup N] [--inverter DIR] [--warehouse DIR]" \
  --edits=edits --batch=batch --rss-n=rss_n --rss-warmup=rss_warmup --inverter=inverter --warehouse=warehouse -- "$@"
[[ -d "$inverter" ]] || { echo "run bench/invert-real.sh and bench/augment-real.sh first" >&2; exit 1; }
bench_build > /dev/null
bench_env
export MALLOC_ARENA_MAX=2
if [[ "$edits" -gt 0 ]]; then
  # shellcheck disable=SC2086
  java $opens -Xmx4g -cp "$cp" io.dermsynth.bench.EditBench throughput "$inverter" "$warehouse" "$edits" "$batch" \
    2>/dev/null | grep -E "^throughput|^round_seconds"
fi
if [[ "$rss_n" -gt 0 ]]; then
  mkdir -p "$root/bench/work" && cd "$root/bench/work"
  # shellcheck disable=SC2086
  java $opens -Xms3g -Xmx3g -XX:+AlwaysPreTouch -cp "$cp" io.dermsynth.bench.EditBench rss "$inverter" "$warehouse" \
    "$((rss_n + rss_warmup))" "$batch" "$rss_warmup" 2>/dev/null | grep -E "^rss"
fi
