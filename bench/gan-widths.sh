#!/usr/bin/env bash
# Which 64-px StyleGAN2 width gives the better generator at equal CPU-hours (issue 18; not part of the
# tests)? Trains small64 at two or more channel widths side by side on the real HAM10000 train split, one
# libtorch thread each (two processes on 2 cores), each for the same --minutes per invocation, and scores
# every snapshot with FID/KID against the val split in one fixed classifier's features (the committed
# label judge, so that all widths are measured by the same network) and sample diversity. Resumable: run it
# again (this session or a later one) and every width continues from its newest snapshot for the same
# minutes, so the CPU-hours stay equal. Needs the warehouse of bench/sources-real.sh (64-px ingest).
# Commit-ready output under bench/gan-widths/<width>/: metrics.jsonl, curves.png, best.json, the best
# fakes grid; and bench/gan-widths/summary.txt (one line per width: kimg, CPU-hours, best KID/FID).
# --report copies and summarises what the runs have so far, without training.
# Usage: bench/gan-widths.sh [--minutes 60] [--widths 8192:128,16384:256] [--work DIR] [--report]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes=60; widths="8192:128,16384:256"; work="$root/bench/work/real"; report_only=0
out="$root/bench/gan-widths"; classifier="$root/bench/experiment-real/sources/classifier"
source "$root/bench/lib.sh"
bench_options "[--minutes N] [--widths BASE:MAX,...] [--work DIR] [--report]" \
  --minutes=minutes --widths=widths --work=work --report=report_only! -- "$@"
[[ -f "$work/done/ingest" ]] || { echo "run bench/sources-real.sh first (no $work/done/ingest)" >&2; exit 1; }
ds="$root/bin/dermsynth"
export OMP_NUM_THREADS=1
IFS=, read -ra ws <<< "$widths"
for w in "${ws[@]}"; do
  [[ $report_only -eq 1 ]] && break
  base="${w%%:*}"; max="${w##*:}"; name="small64-$base-$max"; run="$work/gan-widths/$name"
  mkdir -p "$run" "$out/$name"
  (
    started=$(date +%s)
    /usr/bin/time -v "$ds" train-gan --set "warehouse=$work/warehouse" --set gan.preset=small64 \
      --set "gan.channel_base=$base" --set "gan.channel_max=$max" --set gan.kimg=1000 \
      --set "gan.max_minutes=$minutes" --set gan.tick_kimg=0.5 --set gan.snapshot_ticks=2 \
      --set gan.keep_snapshots=2 --set gan.grid_images=36 --set gan.progress=false \
      --set "gan.quality_classifier=$classifier" --set gan.quality_fakes=500 --set gan.quality_reals=1300 \
      --resume "$run" > "$run/last.txt" 2> "$run/last.stderr"
    # CPU-hours spent by this width over all invocations (one thread each).
    echo $(( $(date +%s) - started )) >> "$run/seconds"
  ) &
done
wait
for w in "${ws[@]}"; do
  base="${w%%:*}"; max="${w##*:}"; name="small64-$base-$max"; run="$work/gan-widths/$name"
  [[ -f "$run/metrics.jsonl" ]] || { echo "$name: no tick finished (see $run/last.stderr)" >&2; continue; }
  mkdir -p "$out/$name"
  cp "$run/metrics.jsonl" "$run/curves.png" "$out/$name/"
  cp "$run/best.json" "$out/$name/" 2>/dev/null || true
  grid=$(ls "$run"/grids/fakes-*.png | tail -1); cp "$grid" "$out/$name/fakes-last.png"
done
{
  echo "# bench/gan-widths.sh, $(date -u +%Y-%m-%d): small64 widths, the same minutes per invocation at one libtorch thread each (wall time, on a shared machine)"
  for w in "${ws[@]}"; do
    base="${w%%:*}"; max="${w##*:}"; name="small64-$base-$max"; run="$work/gan-widths/$name"
    [[ -f "$run/metrics.jsonl" ]] || { echo "$name: no tick finished"; continue; }
    hours=$(awk '{ s += $1 } END { printf "%.2f", s / 3600 }' "$run/seconds")
    python3 - "$run/metrics.jsonl" "$name" "$hours" <<'PY'
import json, math, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
scored = [r for r in rows if r.get("kid") is not None and math.isfinite(r["kid"])]
best = min(scored, key=lambda r: r["kid"]) if scored else None
last = rows[-1]
print(f"{sys.argv[2]}: {last['kimg']:.1f} kimg in {sys.argv[3]} h at one libtorch thread ({last['secPerKimg']:.0f} s/kimg); "
      + (f"best KID {best['kid']:.5f} (FID {best['fid']:.2f}, diversity {best['diversity']:.3f}) at {best['kimg']:.1f} kimg; "
         f"last KID {scored[-1]['kid']:.5f}" if best else "no scored snapshot"))
PY
  done
} | tee "$out/summary.txt"
