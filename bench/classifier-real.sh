#!/usr/bin/env bash
# Baseline classifier on real HAM10000 (not part of the tests): ingest ../shared at 64 px, train the
# small DenseNet from scratch on the train split (CPU, time budget), evaluate on the test split and,
# when given, on another labelled folder. The last two lines are balanced accuracy and macro AUC.
# Usage: bench/classifier-real.sh [--minutes N=60] [--test-data DIR] [--work DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DERMSYNTH_HAM10000:-$root/../shared/data/ham10000-200x150}"
minutes=60; test_data=""; work="$root/bench/work/classifier-real"
source "$root/bench/lib.sh"
bench_options "[--minutes N] [--test-data DIR] [--work DIR]" \
  --minutes=minutes --test-data=test_data --work=work -- "$@"
mkdir -p "$work"
sets=(--set "warehouse=$work/warehouse" --set ingest.size=64 --set classifier.image_size=64
      --set classifier.epochs=500 --set classifier.patience=25 --set "classifier.max_minutes=$minutes"
      --set classifier.progress=false)
ds="$root/bin/dermsynth"
"$ds" ingest --data "$data" "${sets[@]}" | tail -n 12
/usr/bin/time -v "$ds" train-classifier "${sets[@]}" 2> >(tee "$work/train.stderr" | grep -E "epoch|ERROR|Exception" >&2)
grep -E "Maximum resident" "$work/train.stderr" || true
out="$("$ds" evaluate "${sets[@]}")"
echo "$out"
if [[ -n "$test_data" ]]; then
  "$ds" evaluate "${sets[@]}" --test-data "$test_data"
fi
"$ds" sql "SELECT arm, test_set, n_images, balanced_accuracy, auc_macro, recall FROM evaluations ORDER BY evaluated_at" \
  --set "warehouse=$work/warehouse" --max-rows 20
ba=$(sed -n 's/.*balanced accuracy \([0-9.]*\).*/\1/p' <<<"$out" | head -1)
auc=$(sed -n 's/.*macro AUC \([0-9.]*\).*/\1/p' <<<"$out" | head -1)
echo "balanced_accuracy=$ba"
echo "auc_macro=$auc"
