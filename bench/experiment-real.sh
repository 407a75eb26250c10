#!/usr/bin/env bash
# The paper's comparison on real HAM10000 (not part of the tests): baseline vs real + synthetic (sa2k by
# default) on the ../shared split, every arm the same small DenseNet, seeds and epochs, evaluated on the
# real test split (evaluations + report/experiments/<id>/). Uses the real-data warehouse of
# bench/gan-real.sh with the synthetic images of bench/augment-real.sh (run those first); tops the
# synthetic pool up with augment-real.sh --target so the largest arm has enough images within LPIPS 0.2.
# With --test-data DIR, every arm's models are also evaluated on that labelled folder.
# Models stay under the warehouse's models/classifier/, so `dermsynth evaluate --model M --test-data D`
# can be re-run on any other folder later.
# --evaluate-only skips the experiment (its models exist) and only evaluates them on --test-data.
# Usage: bench/experiment-real.sh [--arms baseline,sa2k] [--seeds 42] [--epochs 30] [--pool-target 3000]
#                                 [--id real-sa2k] [--test-data DIR] [--evaluate-only]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arms="baseline,sa2k"; seeds="42"; epochs=30; pool_target=3000; id="real-sa2k"; test_data=""; evaluate_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --arms) arms="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --pool-target) pool_target="$2"; shift 2 ;;
    --id) id="$2"; shift 2 ;;
    --test-data) test_data="$2"; shift 2 ;;
    --evaluate-only) evaluate_only=1; shift ;;
    *) echo "unknown option $1; see the usage at the top of $0" >&2; exit 2 ;;
  esac
done
warehouse="$root/bench/work/gan-real/warehouse"
[[ -d "$warehouse/synthetic" ]] || { echo "run bench/gan-real.sh, bench/invert-real.sh and bench/augment-real.sh first" >&2; exit 1; }
ds="$root/bin/dermsynth"
out="$root/bench/experiment-real"
mkdir -p "$out"
sets=(--set "warehouse=$warehouse" --set classifier.image_size=64 --set "classifier.epochs=$epochs"
      --set classifier.patience=0 --set classifier.progress=false --set "experiment.id=$id"
      --set "experiment.arms=[${arms}]" --set "experiment.seeds=[${seeds}]")
if [[ $evaluate_only -eq 0 ]]; then
  "$root/bench/augment-real.sh" --target "$pool_target" >&2
  /usr/bin/time -v "$ds" experiment "${sets[@]}" 2> >(tee "$root/bench/work/experiment-real.stderr" \
    | grep -E "ERROR|Exception" >&2) | tee "$out/experiment.txt"
  grep -E "Maximum resident|Elapsed" "$root/bench/work/experiment-real.stderr" || true
  cp "$warehouse/report/experiments/$id/index.html" "$out/report.html"
fi
if [[ -n "$test_data" ]]; then
  "$ds" sql "SELECT concat(arm, ' ', model_path) AS m FROM evaluations WHERE experiment_id = '$id' AND
      test_set = 'images:test'" --set "warehouse=$warehouse" --max-rows 1000 | tail -n +3 | while read -r arm model; do
    [[ -n "$model" ]] && "$ds" evaluate --model "$model" --test-data "$test_data" --set "warehouse=$warehouse" \
        --set "classifier.arm=$arm" | tee -a "$out/evaluate-test-data.txt"
  done
fi
echo "report: $out/report.html"
