#!/usr/bin/env bash
# Inversion on real HAM10000 (not part of the tests). Trains the e4e encoder and then HyperStyle against
# the small64 generator of bench/gan-real.sh (a copy of its newest snapshot), with the real-data
# classifier of bench/classifier-real.sh as the LPIPS network, for a wall-clock budget (run it again to
# resume); then measures reconstruction L2 / LPIPS on 200 val-split images for encoder only, encoder +
# HyperStyle and encoder + optimisation, and writes an 8-image comparison PNG.
# Sized for a 2-core CPU shared with other work: batch 4, 3 refinement iterations while training and
# inverting, 30 optimisation steps.
# Usage: bench/invert-real.sh [--minutes N=70] [--encoder-steps N=800] [--hyper-steps N=150] [--eval-only]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes=70; enc=800; hyp=150; eval_only=0; work="$root/bench/work/invert-real"
source "$root/bench/lib.sh"
bench_options "[--minutes N] [--encoder-steps N] [--hyper-steps N] [--eval-only]" \
  --minutes=minutes --encoder-steps=enc --hyper-steps=hyp --eval-only=eval_only! -- "$@"
gan_run="$root/bench/work/gan-real/run"
warehouse="$root/bench/work/gan-real/warehouse"
classifiers="$root/bench/work/classifier-real/warehouse/models/classifier"
[[ -d "$gan_run" && -d "$warehouse/images" ]] || { echo "run bench/gan-real.sh first" >&2; exit 1; }
[[ -d "$classifiers" ]] || { echo "run bench/classifier-real.sh first" >&2; exit 1; }
mkdir -p "$work"
if [[ ! -d "$work/gan" ]]; then
  newest="$(ls -d "$gan_run"/snapshot-* | tail -n 1)"
  mkdir -p "$work/gan" && cp -r "$newest" "$work/gan/"
fi
lpips="$(ls -d "$classifiers"/* | tail -n 1)"
if [[ $eval_only -eq 0 ]]; then
  /usr/bin/time -v "$root/bin/dermsynth" train-inverter --resume "$work/inverter" --set "warehouse=$warehouse" \
    --set "inverter.gan_model=$work/gan" --set "inverter.lpips_model=$lpips" \
    --set "inverter.encoder_steps=$enc" --set "inverter.hyper_steps=$hyp" --set inverter.batch_size=4 --set inverter.refinement_iterations=3 \
    --set "inverter.max_minutes=$minutes" --set inverter.tick_steps=50 --set inverter.snapshot_ticks=2 \
    --set inverter.opt_steps=30 \
    2> >(tee "$work/train.stderr" | grep -E "tick|ERROR|Exception" >&2)
  grep -E "Maximum resident|Elapsed" "$work/train.stderr" || true
fi
(cd "$root" && mvn -B -q -o -DskipTests package -pl bench -am > /dev/null)
opens=$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$root/pom.xml")
# shellcheck disable=SC2086
java $opens -Xmx6g -cp "$root/bench/target/dermsynth-bench-0.1.0-SNAPSHOT.jar:$(cat "$root/bench/target/classpath.txt")" \
  io.dermsynth.bench.InvertBench quality "$work/inverter" "$warehouse" 200 "$work/inversions-val.png" \
  2>/dev/null | grep -E "^(quality|hyperstyle)"
