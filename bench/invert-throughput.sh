#!/usr/bin/env bash
# Inversion through Spark against the bare DJL loop, and executor memory over many inversions, with the
# inverter of bench/invert-real.sh on real val-split images (not part of the tests).
#   throughput: images/s of decode + invert in a plain batch loop vs the same rows through the
#               LatentInverter Transformer in local Spark (one task at a time, as one executor core),
#               5 alternating rounds on the same loaded model, median ratio
#   rss:        N inversions through the Transformer in one executor (local mode: the bench JVM), RSS
#               sampled every 2 s (trace in bench/work/invert-rss-trace.csv); growth from the median of
#               the first fifth to the median of the last; the heap is pinned (-Xms = -Xmx, pre-touched,
#               as executors are usually run) so that what grows is native memory, unless RSS_HEAP_OPTS
#               says otherwise
#               (after --rss-warmup unmeasured inversions)
# Usage: bench/invert-throughput.sh [--method hyperstyle] [--images 64] [--batch 16] [--rss-n 5000]
#                                   [--rss-warmup 0]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
method=hyperstyle; images=64; batch=16; rss_n=5000; rss_warmup=0
source "$root/bench/lib.sh"
bench_options "[--method M] [--images N] [--batch N] [--rss-n N] [--rss-warmup N]" \
  --method=method --images=images --batch=batch --rss-n=rss_n --rss-warmup=rss_warmup -- "$@"
inverter="$root/bench/work/invert-real/inverter"
warehouse="$root/bench/work/gan-real/warehouse"
[[ -d "$inverter" ]] || { echo "run bench/invert-real.sh first" >&2; exit 1; }
bench_build > /dev/null
bench_env
if [[ "$images" -gt 0 ]]; then
  # shellcheck disable=SC2086
  java $opens -Xmx4g -cp "$cp" io.dermsynth.bench.InvertBench throughput "$inverter" "$warehouse" "$images" \
    "$batch" "$method" 2>/dev/null | grep -E "^throughput"
fi
if [[ "$rss_n" -gt 0 ]]; then
  # shellcheck disable=SC2086
  (cd "$root/bench/work" && java $opens ${RSS_HEAP_OPTS:--Xms3g -Xmx3g -XX:+AlwaysPreTouch} -XX:NativeMemoryTracking=summary -cp "$cp" io.dermsynth.bench.InvertBench rss "$inverter" \
    "$warehouse" 200 "$batch" "$method" "$rss_n" "$rss_warmup" 2>/dev/null | grep -E "^rss")
fi
