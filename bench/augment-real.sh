#!/usr/bin/env bash
# Augmentation on real HAM10000 (not part of the tests), from the real-data generator and inverter of
# bench/gan-real.sh and bench/invert-real.sh: HyperStyle-inverts a 1-in-N sample of the train split,
# factorises the inverter's generator (SeFa, top 8), makes --target class-balanced synthetic images
# from the top 8 directions (approved automatically: all_top_k) at --edit-alphas (in standard
# deviations of W along each direction), then writes a grid per source image (rows = directions,
# columns = real | --alphas) and the LPIPS distribution per direction. Run it again and it adds
# nothing (resumes if it was stopped).
# Usage: bench/augment-real.sh [--target 2000] [--sample 20] [--edit-alphas=-12,-6,6,12] [--alphas=-12,-6,0,6,12]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=2000; sample=20; edit_alphas="-12,-6,6,12"; alphas="-12,-6,0,6,12"
source "$root/bench/lib.sh"
bench_options "[--target N] [--sample N] [--edit-alphas=A,B,...] [--alphas=A,B,...]" \
  --target=target --sample=sample --alphas=alphas --edit-alphas=edit_alphas -- "$@"
inverter="$root/bench/work/invert-real/inverter"
warehouse="$root/bench/work/gan-real/warehouse"
classifiers="$root/bench/work/classifier-real/warehouse/models/classifier"
[[ -d "$inverter" ]] || { echo "run bench/invert-real.sh first" >&2; exit 1; }
out="$root/bench/augment-real"
mkdir -p "$out"
ds="$root/bin/dermsynth"
sets=(--set "warehouse=$warehouse")
classifier="$(ls -d "$classifiers"/* | tail -n 1)"
"$ds" invert --model "$inverter" "${sets[@]}" --set invert.batch_size=8 --set invert.partitions=4 \
  --set "invert.where=split = 'train' AND pmod(hash(image_id), $sample) = 0" 2>/dev/null
"$ds" factorize --model "$inverter" "${sets[@]}" --set factorize.top_k=8 2>/dev/null
/usr/bin/time -v "$ds" augment --model "$inverter" "${sets[@]}" --set augment.directions=all_top_k \
  --set augment.top_k=8 --set "augment.target=$target" --set "augment.alphas=[${edit_alphas}]" \
  --set "augment.classifier=$classifier" --set augment.partitions=4 \
  2> >(grep -E "Maximum resident|Elapsed|ERROR|Exception" >&2)
(cd "$root" && mvn -B -q -o -DskipTests package -pl bench -am > /dev/null)
opens=$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$root/pom.xml")
# shellcheck disable=SC2086
java $opens -Xmx4g -cp "$root/bench/target/dermsynth-bench-0.1.0-SNAPSHOT.jar:$(cat "$root/bench/target/classpath.txt")" \
  io.dermsynth.bench.AugmentBench "$inverter" "$warehouse" "$out" "$alphas" 2>/dev/null | grep -E "^(grid|\|)"
