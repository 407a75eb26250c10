#!/usr/bin/env python3
"""Effective rates from measured peer runs: reads harness lines of bench/peer/stylegan2_peer.py (one run per
preset and batch, e.g. bench/gpu-calibration.sh's output), divides the arithmetic of bench/scaling/flops.py
by the measured median times, and prints a Markdown section; with --update FILE it replaces the section
between the markers in that file (docs/SCALING.md), or appends it.

  /usr/bin/python3 bench/scaling/gpu_rates.py RESULTS.txt [--update docs/SCALING.md]

FLOPs per measured call: g_forward = batch × G forward; train_step = batch × (4 G + 9 D) forward-equivalents
(Gmain: G and D forward + backward; Dmain: G forward, D forward + backward on fakes and on reals; backward = 2 ×
forward), as the peer's step runs them; train_step_r1 adds R1's double backward of D on the reals (≈ 3 D).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flops import PRESETS, discriminator, generator  # noqa: E402

BEGIN, END = "<!-- gpu-rates:begin -->", "<!-- gpu-rates:end -->"


def parse(lines):
    """(name, preset, batch, median_s, min_s, max_s, extra) for each harness line; the device from '# peer on'."""
    runs, device = [], "unknown device"
    for line in lines:
        m = re.match(r"# peer on (.*)", line)
        if m:
            device = m.group(1).strip()
            continue
        f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        if {"preset", "batch", "median_s"} <= f.keys():
            runs.append((line.split()[0], f["preset"], int(f["batch"]), float(f["median_s"]), float(f["min_s"]),
                         float(f["max_s"]), f.get("gpu_peak_mib", ""), device))
    return runs


def flops(name, preset, batch):
    R, base, cmax = PRESETS[preset]
    g, d = 2 * generator(R, base, cmax), 2 * discriminator(R, base, cmax)
    per_image = {"g_forward": g, "train_step": 4 * g + 9 * d, "train_step_r1": 4 * g + 12 * d}[name]
    return batch * per_image


def section(runs):
    out = [BEGIN, "## Measured effective rates (`bench/gpu-calibration.sh`, the PyTorch peer)", "",
           "| device | preset | measurement | batch | median s (min–max) | images/s | TFLOP/s effective | GPU memory peak |",
           "|---|---|---|---|---|---|---|---|"]
    for name, preset, batch, med, lo, hi, mem, device in runs:
        tflops = flops(name, preset, batch) / med / 1e12
        out.append(f"| {device} | {preset} | {name} | {batch} | {med:.4f} ({lo:.4f}–{hi:.4f}) | {batch / med:.1f} "
                   f"| {tflops:.3g} | {mem + ' MiB' if mem else '–'} |")
    out += ["", "FLOPs from `bench/scaling/flops.py` (convolutions and dense layers); the peer runs FP32 "
            "(TF32 where PyTorch allows it), no mixed precision. These replace the assumed rates above for "
            "this device: training ≈ the train_step rate, inference ≈ the g_forward rate at the larger batch.",
            END]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--update", default=None)
    a = ap.parse_args()
    with open(a.results) as f:
        runs = parse(f.read().splitlines())
    if not runs:
        sys.exit(f"no harness lines in {a.results}")
    text = section(runs)
    print(text)
    if a.update:
        with open(a.update) as f:
            doc = f.read()
        if BEGIN in doc and END in doc:
            doc = doc[:doc.index(BEGIN)] + text + doc[doc.index(END) + len(END):]
        else:
            doc = doc.rstrip("\n") + "\n\n" + text + "\n"
        with open(a.update, "w") as f:
            f.write(doc)


if __name__ == "__main__":
    main()
