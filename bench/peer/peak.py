#!/usr/bin/env python3
"""The same yardstick as io.dermsynth.bench.PeakBench in PyTorch eager (Debian's torch): a 2048² matrix
product and a 3×3 convolution (32 × 128→128 × 32×32, padding 1) forward, and forward + both gradients, at 1
and 2 threads; --mkldnn off runs libtorch's own convolution kernels. Prints Timing's line plus gflops=.

  /usr/bin/python3 bench/peer/peak.py [--mkldnn on|off]
"""
import argparse
import os
import statistics
import time

import torch
import torch.nn.functional as F


def measure(what, flops, warmup, iters, fn):
    s = []
    for i in range(warmup + iters):
        t0 = time.perf_counter()
        fn()
        if i >= warmup:
            s.append(time.perf_counter() - t0)
    med = statistics.median(s)
    print(f"{what} preset=peak batch=1 threads={torch.get_num_threads()} runs={iters} median_s={med:.3f} "
          f"min_s={min(s):.3f} max_s={max(s):.3f} torch={torch.__version__}")
    print(f"{what} threads={torch.get_num_threads()} gflops={flops / med / 1e9:.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mkldnn", default="on", choices=["on", "off"])
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iters", type=int, default=5)
    a = ap.parse_args()
    torch.backends.mkldnn.enabled = a.mkldnn == "on"
    threads = 1
    while threads <= os.cpu_count():
        torch.set_num_threads(threads)
        x2 = torch.randn(2048, 2048)
        y2 = torch.randn(2048, 2048)
        measure("matmul_2048", 2.0 * 2048 ** 3, a.warmup, a.iters, lambda: x2 @ y2)
        x = torch.randn(32, 128, 32, 32)
        w = torch.randn(128, 128, 3, 3)
        flops = 2.0 * 32 * 32 * 32 * 128 * 128 * 9
        with torch.no_grad():
            measure("conv3x3_forward", flops, a.warmup, a.iters, lambda: F.conv2d(x, w, padding=1))
        xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
        measure("conv3x3_train", 3 * flops, a.warmup, a.iters, lambda: F.conv2d(xg, wg, padding=1).sum().backward())
        threads *= 2


if __name__ == "__main__":
    main()
