#!/usr/bin/env bash
# The synthetic-image experiment on real HAM10000 (issue 18; not part of the tests): arms × seeds on the
# ../shared split, every arm the same small DenseNet, seeds and optimizer steps (experiment.budget =
# steps), evaluated on the real test split with a paired bootstrap over lesions and seeds. Needs the
# warehouse of bench/sources-real.sh (latents of every train image, directions). Makes the synthetic
# pools first (augment, unattended: the top directions, said in the run rows): residual edits, residual
# α = 0 renders (the recon control) and generator edits, each spread proportionally over the classes.
# Commits-ready outputs under bench/experiment-real/: experiment.txt, report.html, renders.png (per class:
# source | generator render | residual render of the same edits) and every arm's model
# as models/<arm>-s<seed>/ (weights + manifest, < 1 MB each; ':' in arm names becomes '-').
#
# --evaluate-only --test-data DIR scores the committed models on any labelled folder (no training, no
# warehouse needed) and prints one line per arm: arm <name> seeds <n> balanced_accuracy <mean> auc_macro <mean>.
# Usage: bench/experiment-real.sh [--arms baseline,recon2k,sa2k,sa2k:generator] [--seeds 1,2,3] [--epochs 7]
#          [--alphas -6,-3,3,6] [--pool-target 4000] [--id real-protocol] [--work DIR] [--set key=value ...]
#        bench/experiment-real.sh --evaluate-only --test-data DIR [--models DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arms="baseline,recon2k,sa2k,sa2k:generator"; seeds="1,2,3"; epochs=7; alphas="-6.0,-3.0,3.0,6.0"
pool_target=4000; id="real-protocol"; work="$root/bench/work/real"; test_data=""; evaluate_only=0
out="$root/bench/experiment-real"; models="$out/models"; extra=()
source "$root/bench/lib.sh"
bench_options "[--arms A] [--seeds S] [--epochs N] [--alphas A] [--pool-target N] [--id ID] [--work DIR] [--models DIR] [--test-data DIR] [--evaluate-only] [--set key=value ...]" \
  --arms=arms --seeds=seeds --epochs=epochs --alphas=alphas --pool-target=pool_target --id=id --work=work --models=models --set=extra+ --test-data=test_data --evaluate-only=evaluate_only! -- "$@"
ds="$root/bin/dermsynth"

if [[ $evaluate_only -eq 1 ]]; then
  [[ -n "$test_data" ]] || { echo "--evaluate-only needs --test-data DIR" >&2; exit 2; }
  compgen -G "$models/*/manifest.json" > /dev/null || { echo "no models under $models" >&2; exit 1; }
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/dermsynth-evaluate-XXXXXX")"
  trap 'rm -rf "$scratch"' EXIT
  args=()
  for m in "$models"/*/; do args+=(--model "${m%/}"); done
  "$ds" evaluate "${args[@]}" --test-data "$test_data" --set "warehouse=$scratch/warehouse" "${extra[@]}" \
    > "$scratch/evaluate.txt"
  # One line per arm: the means over its seeds (folders <arm>-s<seed>).
  sed -n 's/^run [^:]*: .*, model \(.*\): balanced accuracy \([0-9.]*\) .*macro AUC \([0-9.NaN]*\) .*/\1 \2 \3/p' \
      "$scratch/evaluate.txt" | awk '{ n = split($1, p, "/"); arm = p[n]; sub(/-s[0-9]+$/, "", arm);
        if (!(arm in seen)) { order[++k] = arm; seen[arm] = 1 }
        c[arm]++; ba[arm] += $2; auc[arm] += $3 }
      END { for (i = 1; i <= k; i++) { a = order[i];
        printf "arm %s seeds %d balanced_accuracy %.4f auc_macro %.4f\n", a, c[a], ba[a] / c[a], auc[a] / c[a] } }'
  exit 0
fi

warehouse="$work/warehouse"
[[ -f "$work/done/factorize" ]] || { echo "run bench/sources-real.sh first (no $work/done/factorize)" >&2; exit 1; }
mkdir -p "$out"
sets=(--set "warehouse=$warehouse" --set classifier.image_size=64 --set classifier.progress=false)
# Models reused by sources-real.sh --reuse (the committed inverter and label judge).
if [[ -f "$work/reused.sets" ]]; then while read -r kv; do sets+=(--set "$kv"); done < "$work/reused.sets"; fi
sets+=("${extra[@]}")
pool() {  # pool NAME render alphas target
  [[ -f "$work/done/pool-$1" ]] && return 0
  echo "[pool $1] $(date -u +%H:%M:%S): render $2, alphas [$3], target $4"
  "$ds" augment "${sets[@]}" --set augment.directions=all_top_k --set augment.top_k=10 --set "augment.render=$2" \
    --set "augment.alphas=[$3]" --set "augment.target=$4" --set augment.balance=proportional \
    | tee "$work/pool-$1.txt"
  touch "$work/done/pool-$1"
}
pool residual-edits residual "$alphas" "$pool_target"
pool residual-recon residual "0.0" "$pool_target"
pool generator-edits generator "$alphas" "$pool_target"

# HOCON list of quoted arm specs (policy words contain ':').
arm_list="$(echo "$arms" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s\"%s\"", (i > 1 ? "," : ""), $i }')"
/usr/bin/time -v "$ds" experiment "${sets[@]}" --set "classifier.epochs=$epochs" --set classifier.patience=0 \
  --set "experiment.id=$id" --set "experiment.arms=[${arm_list}]" --set "experiment.seeds=[${seeds}]" \
  --set experiment.budget=steps --set experiment.allow_fewer=true \
  2> >(tee "$work/experiment-$id.stderr" | grep -E "ERROR|Exception" >&2) | tee "$out/experiment.txt"
grep -E "Maximum resident|Elapsed" "$work/experiment-$id.stderr" || true
cp "$warehouse/report/experiments/$id/index.html" "$out/report.html"
cp "$warehouse/report/experiments/$id/renders.png" "$out/renders.png" 2>/dev/null || true
# Every arm's models, as <arm>-s<seed>/ with the weights and manifest only.
"$ds" sql "SELECT concat(arm, ' ', seed, ' ', model_path) AS m FROM evaluations WHERE experiment_id = '$id'
    AND test_set = 'images:test'" --set "warehouse=$warehouse" --max-rows 1000 | tail -n +3 \
  | while read -r arm seed model; do
    [[ -n "$model" ]] || continue
    dir="$models/${arm//:/-}-s$seed"
    mkdir -p "$dir"
    cp "$model"/manifest.json "$model"/*.safetensors "$dir"/
  done
echo "report: $out/report.html; models: $models"
