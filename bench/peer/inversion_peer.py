#!/usr/bin/env python3
"""PyTorch eager peer of dermsynth's inversion (e4e encoder + HyperStyle), for bench/RESULTS.md.

Written from the papers (Tov et al. 2021; Alaluf et al. 2022) in the shapes dermsynth uses, on the
StyleGAN2 peer's generator (stylegan2_peer.py): the encoder is a residual backbone (D's blocks) down to
c = max(4, R/16) px with a feature pyramid at c, 2c, 4c (lateral 1×1 convolutions, FIR upsampling) and
one map2style block per style (stride-2 3×3 convolutions to 1×1, then a linear layer); W+ = w_avg + w +
Δᵢ. HyperStyle: a second backbone on [image, reconstruction] (6 channels) to c px, per tuned layer a
refinement head (3×3 convolutions to 1×1, linear to z) and one shared hypernetwork per layer shape
(z → in·z → in×out offsets), applied as W ⊙ (1 + Δ); each iteration adds its offsets and renders again.
One inversion = encode, render, `iters` × (offsets, render), with constant noise and no gradients — what
io.dermsynth.bench.InversionBench times (no L2/LPIPS: those are the job's quality columns).

  /usr/bin/python3 bench/peer/inversion_peer.py --preset small64 --batch 16 --iters-refine 5
"""
import argparse
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stylegan2_peer import FC, PRESETS, Conv, Generator, upsample  # noqa: E402
from timing import report  # noqa: E402


class Block(torch.nn.Module):
    """The residual discriminator block: [fromrgb], conv0, conv1 (down) + skip (down), each ×√½."""

    def __init__(self, cin, tmp, out, img_channels):
        super().__init__()
        self.fromrgb = Conv(img_channels, tmp, 1) if cin == 0 else None
        self.conv0, self.conv1 = Conv(tmp, tmp, 3), Conv(tmp, out, 3, down=True)
        self.skip = Conv(tmp, out, 1, bias=False, act=False, down=True)

    def forward(self, x):
        if self.fromrgb is not None:
            x = self.fromrgb(x)
        return self.skip(x, math.sqrt(0.5)) + self.conv1(self.conv0(x), math.sqrt(0.5))


class Backbone(torch.nn.Module):
    def __init__(self, res, ch, img_channels, lowest):
        super().__init__()
        self.blocks, self.out_res, cin, r = torch.nn.ModuleList(), [], 0, res
        while r > lowest:
            self.blocks.append(Block(cin, ch(r), ch(r // 2), img_channels))
            self.out_res.append(r // 2)
            cin, r = ch(r), r // 2

    def forward(self, x):
        out = {}
        for b, r in zip(self.blocks, self.out_res):
            x = b(x)
            out[r] = x
        return out


class ToVector(torch.nn.Module):
    """map2style / a refinement head: [conv3×3 (no down)], stride-2 convs down to 1×1, a linear layer."""

    def __init__(self, cin, width, cout, spatial, first=False):
        super().__init__()
        convs, c = [], cin
        if first:
            convs.append(Conv(cin, width, 3))
            c = width
        s = spatial
        while s > 1:
            convs.append(Conv(c, width, 3, down=True))
            c, s = width, s // 2
        self.convs, self.fc, self.width = torch.nn.ModuleList(convs), FC(width, cout, False), width

    def forward(self, x):
        for c in self.convs:
            x = c(x)
        return self.fc(x.reshape(x.shape[0], self.width))


class Encoder(torch.nn.Module):
    def __init__(self, res, ch, num_ws, wdim=512):
        super().__init__()
        self.coarse = c = max(4, res // 16)
        self.body = Backbone(res, ch, 3, c)
        self.lat1, self.lat2 = Conv(ch(c), ch(2 * c), 1, act=False), Conv(ch(2 * c), ch(4 * c), 1, act=False)
        self.level = []
        self.styles = torch.nn.ModuleList()
        for i in range(num_ws):
            drives = min(res, 4 << ((i + 1) // 2))
            lv = 0 if drives <= 8 else 1 if drives <= 32 else 2
            self.level.append(lv)
            r = c << lv
            self.styles.append(ToVector(ch(r), min(ch(r), wdim), wdim, r))

    def forward(self, img, w_avg):
        f = self.body(img)
        c3 = f[self.coarse]
        p2 = f[2 * self.coarse] + upsample(self.lat1(c3))
        p1 = f[4 * self.coarse] + upsample(self.lat2(p2)) if 2 in self.level else None
        levels = (c3, p2, p1)
        codes = torch.stack([s(levels[lv]) for s, lv in zip(self.styles, self.level)], 1)
        base, deltas = codes[:, :1], codes[:, 1:]
        return torch.cat([torch.zeros_like(base), deltas], 1) + base + w_avg[None, None]


class SharedHypernet(torch.nn.Module):
    def __init__(self, out, cin, z):
        super().__init__()
        self.w1, self.b1 = torch.nn.Parameter(torch.zeros(z, out)), torch.nn.Parameter(torch.zeros(out))
        self.w2, self.b2 = torch.nn.Parameter(torch.randn(z, cin * z)), torch.nn.Parameter(torch.zeros(cin * z))
        self.out, self.cin, self.z = out, cin, z

    def forward(self, code):
        g = 1 / math.sqrt(self.z)
        h = (code @ (self.w2 * g) + self.b2).reshape(-1, self.cin, self.z)
        delta = h @ (self.w1 * g) + self.b1  # [N, in, out]
        return delta.transpose(1, 2).reshape(-1, self.out, self.cin, 1, 1)


class HyperStyle(torch.nn.Module):
    def __init__(self, res, ch, layers, z):
        super().__init__()
        self.spatial = s = max(4, res // 16)
        self.body = Backbone(res, ch, 6, s)
        self.heads = torch.nn.ModuleList([ToVector(ch(s), z, z, s, first=True) for _ in layers])
        self.shared = torch.nn.ModuleDict()
        self.key = []
        for out, cin in layers:
            k = f"o{out}i{cin}"
            if k not in self.shared:
                self.shared[k] = SharedHypernet(out, cin, z)
            self.key.append(k)

    def forward(self, real, rec):
        f = self.body(torch.cat([real, rec], 1))[self.spatial]
        return [self.shared[k](h(f)) for h, k in zip(self.heads, self.key)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small64")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--iters-refine", type=int, default=5)
    ap.add_argument("--hyper-z", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iters", type=int, default=7)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    res, cbase, cmax = PRESETS[a.preset]
    ch = lambda r: min(cbase // r, cmax)
    G = Generator(res, cbase, cmax).eval().requires_grad_(False)
    E = Encoder(res, ch, G.num_ws).eval().requires_grad_(False)
    layers = [(l.weight.shape[0], l.weight.shape[1]) for l in G.convs]
    H = HyperStyle(res, ch, layers, a.hyper_z).eval().requires_grad_(False)
    real = torch.rand(a.batch, 3, res, res) * 2 - 1
    count = lambda m: sum(p.numel() for p in m.parameters())
    print(f"params encoder={count(E)} hyper={count(H)}")

    def invert():
        with torch.no_grad():
            w = E(real, G.mapping.w_avg)
            y = G.synthesis(w, const_noise=True)
            acc = None
            for _ in range(a.iters_refine):
                step = H(real, y)
                acc = step if acc is None else [p + q for p, q in zip(acc, step)]
                y = G.synthesis(w, acc, const_noise=True)
            y.tolist()

    report("inversion_hyperstyle", a.preset, a.batch, a.batch, invert, a.warmup, a.iters)

if __name__ == "__main__":
    main()
