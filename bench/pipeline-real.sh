#!/usr/bin/env bash
# `dermsynth pipeline` on real HAM10000 (not part of the tests): the whole chain with the small64 presets
# (conf/pipeline-small64.conf) in its own warehouse, unattended (augment.directions = all_top_k, said in
# the output) unless --attended. It takes many CPU hours (StyleGAN2 small64 ~400 s/kimg on 2 cores, 100
# kimg); run it again to go on: finished training stages are reused and data stages add only what is
# missing. At the end, the cost of each stage (wall time, CPU-hours and share, from the runs table's
# cpu_seconds) → $work/cost.md. `bench/experiment-real.sh` runs the experiment alone from the bench's
# already-trained models.
# --every N runs it on every N-th lesion of the data (bench/subset.py, copied into $work/data-1-in-N): the
# chain end to end in a session, to scale up stage by stage (bench/RESULTS.md "The real pipeline's cost").
# Usage: bench/pipeline-real.sh [--attended] [--work DIR] [--every N] [--set key=value ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DERMSYNTH_HAM10000:-$root/../shared/data/ham10000-200x150}"
work="$root/bench/work/pipeline-real"; directions=(--set augment.directions=all_top_k); extra=()
source "$root/bench/lib.sh"
bench_options "[--attended] [--work DIR] [--every N] [--set key=value ...]" \
  --attended=attended! --work=work --every=every --set=extra+ -- "$@"
[[ -z ${attended-} ]] || directions=()
mkdir -p "$work"
if [[ -n ${every-} ]]; then
  if [[ ! -d "$work/data-1-in-$every" ]]; then
    /usr/bin/python3 "$root/bench/subset.py" "$data" "$work/data-1-in-$every.tmp" "$every"
    mv "$work/data-1-in-$every.tmp" "$work/data-1-in-$every"
  fi
  data="$work/data-1-in-$every"
fi
/usr/bin/time -v "$root/bin/dermsynth" pipeline --data "$data" --set "warehouse=$work/warehouse" \
  "${directions[@]}" "${extra[@]}" 2> >(tee "$work/pipeline.stderr" \
  | grep -E "ERROR|Exception" >&2) | tee -a "$work/pipeline.txt"
grep -E "Maximum resident|Elapsed" "$work/pipeline.stderr" || true
# What each stage cost (wall, CPU-hours, share) from the warehouse's runs table, and train-gan up to the
# snapshot the later stages used.
bench_build > /dev/null
bench_java PipelineCost stages "$work/warehouse" | tee "$work/cost.md"
