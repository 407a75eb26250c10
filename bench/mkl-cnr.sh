#!/usr/bin/env bash
# MKL's reproducible mode (MKL_CBWR, MKL_DYNAMIC) on train-gan: speed (mean s/kimg of ticks 2-4, tiny32,
# batch 8, 0.128 kimg) and whether the final G_ema bytes change, alternating modes over ROUNDS rounds.
# Usage: bench/mkl-cnr.sh [rounds]   (phantoms: no data needed; ~1 min per run on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
d="$root/bin/dermsynth"
"$d" make-phantoms --out "$work/p" --n 40 >/dev/null 2>&1
"$d" ingest --data "$work/p" --set "warehouse=$work/wh" --set ingest.size=32 >/dev/null 2>&1
gan=(train-gan --set "warehouse=$work/wh" --set gan.kimg=0.128 --set gan.batch_size=8 --set gan.tick_kimg=0.032
  --set gan.snapshot_ticks=100 --set gan.grid_images=4)
declare -A env=([off]="MKL_CBWR= MKL_DYNAMIC=" [cbwr]="MKL_CBWR=AUTO MKL_DYNAMIC=" [cbwr+static]="MKL_CBWR=AUTO MKL_DYNAMIC=FALSE")
echo "mode,round,s_per_kimg,g_ema_sha256"
for r in $(seq "$rounds"); do
  for mode in off cbwr cbwr+static; do
    out="$work/$mode-$r"
    # An empty value: bin/dermsynth leaves it, and MKL takes its default.
    # shellcheck disable=SC2086
    env ${env[$mode]} "$d" "${gan[@]}" --resume "$out" > "$out.log" 2>&1
    rate=$(grep -o 'tick [234] kimg [0-9.]*: [0-9.]* s/kimg' "$out.log" | awk '{s+=$5} END {printf "%.1f", s/3}')
    echo "$mode,$r,$rate,$(sha256sum "$out"/snapshot-*/G_ema.safetensors | cut -c1-16)"
  done
done
