#!/usr/bin/env bash
# The real-data sources of the synthetic-image experiment (issue 18), not part of the tests: HAM10000 from
# ../shared ingested at 64 px, StyleGAN2 (gan.preset, tiny32 by default: with the residual render the
# generator only supplies the edit's low-frequency change, and tiny32 trains ~15x faster per kimg than
# small64 on a CPU), the baseline classifier (LPIPS network and label judge), the e4e + HyperStyle
# inverter, every train image inverted, SeFa directions. Each stage runs once: a stage whose marker file
# exists is skipped, so the script is re-run to go on. StyleGAN2 and the classifier train side by side at
# one libtorch thread each (OMP_NUM_THREADS=1), as two libtorch processes on 2 cores must; the later
# stages run alone with two.
# --reuse DIR takes a committed inverter (DIR/inverter, with its generator) and label judge (DIR/classifier),
# e.g. bench/experiment-real/sources, instead of training them: ingest, invert and factorize only (~10 min).
# --refine CLASSES (e.g. akiec,bcc,df,vasc) then re-inverts those classes' train images by optimisation
# (--opt-steps Adam steps on W+, 30 by default), replacing their HyperStyle rows: pools made afterwards
# start from the refined latents (~6 s an image at 30 steps on this machine).
# Usage: bench/sources-real.sh [--work DIR] [--gan-minutes 40] [--reuse DIR] [--refine CLASSES]
#        [--opt-steps N] [--set key=value ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DERMSYNTH_HAM10000:-$root/../shared/data/ham10000-200x150}"
work="$root/bench/work/real"; gan_minutes=40; reuse=""; refine=""; opt_steps=30; extra=()
source "$root/bench/lib.sh"
bench_options "[--work DIR] [--gan-minutes N] [--reuse DIR] [--refine CLASSES] [--opt-steps N] [--set key=value ...]" \
  --work=work --gan-minutes=gan_minutes --reuse=reuse --refine=refine --opt-steps=opt_steps --set=extra+ -- "$@"
[[ -z ${reuse-} ]] || reuse="$(cd "$reuse" && pwd)"
mkdir -p "$work/done"
ds=("$root/bin/dermsynth")
sets=(--set "warehouse=$work/warehouse" --set ingest.size=64 --set gan.preset=tiny32 --set gan.progress=false
      --set classifier.image_size=64 --set classifier.progress=false "${extra[@]}")
# stage NAME COMMAND...: runs once, its output in $work/NAME.txt
stage() {
  local name="$1"; shift
  [[ -f "$work/done/$name" ]] && { echo "[$name] done before"; return 0; }
  echo "[$name] $(date -u +%H:%M:%S) start"
  /usr/bin/time -v "$@" "${sets[@]}" > "$work/$name.txt" 2> "$work/$name.stderr"
  grep -E "Maximum resident|Elapsed" "$work/$name.stderr" | sed "s/^/[$name] /" || true
  touch "$work/done/$name"; echo "[$name] $(date -u +%H:%M:%S) end"; tail -3 "$work/$name.txt"
}
stage ingest "${ds[@]}" ingest --data "$data"
if [[ -n "$reuse" ]]; then
  [[ -f "$reuse/inverter/generator/manifest.json" && -f "$reuse/classifier/manifest.json" ]] \
    || { echo "--reuse $reuse needs inverter/ (with generator/) and classifier/" >&2; exit 1; }
  # Later scripts (experiment-real.sh) read these from the work folder.
  printf '%s\n' "invert.model=$reuse/inverter" "factorize.model=$reuse/inverter" "augment.model=$reuse/inverter" \
    "augment.classifier=$reuse/classifier" > "$work/reused.sets"
  while read -r kv; do sets+=(--set "$kv"); done < "$work/reused.sets"
  touch "$work/done/train-gan" "$work/done/train-classifier" "$work/done/train-inverter"
fi
export OMP_NUM_THREADS=1
stage train-gan "${ds[@]}" train-gan --set gan.kimg=400 --set gan.tick_kimg=4 --set "gan.max_minutes=$gan_minutes" &
stage train-classifier "${ds[@]}" train-classifier --set classifier.epochs=30 --set classifier.patience=8 &
wait
export OMP_NUM_THREADS=2
stage train-inverter "${ds[@]}" train-inverter --set inverter.encoder_steps=800 --set inverter.hyper_steps=300 \
  --set inverter.batch_size=4 --set inverter.refinement_iterations=3 --set inverter.max_minutes=25
stage invert "${ds[@]}" invert --set "invert.where=split = 'train'" --set invert.partitions=8
stage factorize "${ds[@]}" factorize --set factorize.top_k=10
if [[ -n "$refine" ]]; then
  in_list="'${refine//,/\',\'}'"
  stage "refine-${refine//,/-}" "${ds[@]}" invert --set invert.method=optimised --set "invert.opt_steps=$opt_steps" \
    --set "invert.where=split = 'train' AND dx IN ($in_list)" --set invert.partitions=8
fi
