#!/usr/bin/env python3
"""PyTorch eager peer of dermsynth's StyleGAN2 for the throughput ratio in bench/RESULTS.md.

The same architecture and step as io.dermsynth.bench.GanBench: NVlabs StyleGAN2 config F structure
(8-layer mapping, modulated conv as grouped conv, noise, skip ToRGB, resnet D with minibatch std,
equalised lr), a preset's widths, and one training step as NVlabs' training loop takes it: Gmain
(non-saturating loss) + Dmain, each with Adam(β = (0, 0.99)) after nan_to_num on the gradients, style
mixing 0.9, w_avg tracking, the G_ema update, no augmentation; train_step_r1 adds Dreg (R1 by double
backward), which lazy R1 runs on 1 step in 16. Prints, per measurement, the median of the timed runs
with min and max, the threads and the peak RSS; --profile writes a Chrome trace of two training steps.

  /usr/bin/python3 bench/peer/stylegan2_peer.py --preset small64 --batch 16 [--threads 2] [--device cpu|cuda]
"""
import argparse
import copy
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import report  # noqa: E402

PRESETS = {"tiny32": (32, 4096, 64), "small64": (64, 8192, 128), "stylegan2": (256, 32768, 512),
           "paper256": (256, 16384, 512),
           "paper512": (512, 32768, 512)}
SQRT2 = math.sqrt(2)
F1 = torch.tensor([1.0, 3.0, 3.0, 1.0])
FIR = torch.outer(F1, F1) / 64


def fir(x, pad, stride=1, gain=1.0):
    c = x.shape[1]
    k = (FIR * gain).to(x)[None, None].repeat(c, 1, 1, 1)
    return F.conv2d(F.pad(x, pad), k, stride=stride, groups=c)


def upsample(x):
    n, c, h, w = x.shape
    z = x.new_zeros(n, c, 2 * h, 2 * w)
    z[:, :, ::2, ::2] = x
    return fir(z, (2, 1, 2, 1), gain=4.0)


class FC(torch.nn.Module):
    def __init__(self, i, o, act, lr=1.0, bias_init=0.0):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(o, i) / lr)
        self.bias = torch.nn.Parameter(torch.full([o], float(bias_init)) / lr)
        self.g, self.lr, self.act = lr / math.sqrt(i), lr, act

    def forward(self, x):
        y = F.linear(x, self.weight * self.g, self.bias * self.lr)
        return F.leaky_relu(y, 0.2) * SQRT2 if self.act else y


class Mapping(torch.nn.Module):
    def __init__(self, z, w, num_ws, layers=8):
        super().__init__()
        self.fcs = torch.nn.ModuleList([FC(z if i == 0 else w, w, True, 0.01) for i in range(layers)])
        self.num_ws = num_ws
        self.register_buffer("w_avg", torch.zeros(w))

    def forward(self, z, track_w_avg=False):
        x = z * (z.square().mean(1, keepdim=True) + 1e-8).rsqrt()
        for f in self.fcs:
            x = f(x)
        if track_w_avg:
            self.w_avg.copy_(x.detach().mean(0).lerp(self.w_avg, 0.995))
        return x[:, None].repeat(1, self.num_ws, 1)


def modconv(x, weight, s, demod, up=False):
    """weight [O, I, k, k], or per sample [N, O, I, k, k] (HyperStyle's offset weights)."""
    n, i, h, w = x.shape
    o = weight.shape[-4]
    wt = (weight if weight.dim() == 5 else weight[None]) * s[:, None, :, None, None]
    if demod:
        wt = wt * (wt.square().sum([2, 3, 4]) + 1e-8).rsqrt()[:, :, None, None, None]
    k = weight.shape[-1]
    if up:
        y = F.conv_transpose2d(x.reshape(1, n * i, h, w), wt.transpose(1, 2).reshape(n * i, o, k, k),
                               stride=2, groups=n)
        y = fir(y.reshape(n, o, y.shape[2], y.shape[3]), (1, 1, 1, 1), gain=4.0)
        return y
    y = F.conv2d(x.reshape(1, n * i, h, w), wt.reshape(n * o, i, k, k), padding=k // 2, groups=n)
    return y.reshape(n, o, h, w)


class SynLayer(torch.nn.Module):
    def __init__(self, i, o, wdim, res, up):
        super().__init__()
        self.affine = FC(wdim, i, False, bias_init=1)
        self.weight = torch.nn.Parameter(torch.randn(o, i, 3, 3))
        self.bias = torch.nn.Parameter(torch.zeros(o))
        self.noise_strength = torch.nn.Parameter(torch.zeros([]))
        self.register_buffer("noise_const", torch.randn(res, res))
        self.up, self.res = up, res

    def forward(self, x, w, delta=None, const_noise=False):
        """delta [N, O, I, 1, 1]: HyperStyle's weight offsets, W ⊙ (1 + Δ)."""
        weight = self.weight if delta is None else self.weight[None] * (1 + delta)
        y = modconv(x, weight, self.affine(w), True, self.up)
        noise = self.noise_const if const_noise else torch.randn(y.shape[0], 1, self.res, self.res)
        y = y + noise * self.noise_strength
        return F.leaky_relu(y + self.bias[None, :, None, None], 0.2) * SQRT2


class ToRGB(torch.nn.Module):
    def __init__(self, i, wdim):
        super().__init__()
        self.affine = FC(wdim, i, False, bias_init=1)
        self.weight = torch.nn.Parameter(torch.randn(3, i, 1, 1))
        self.bias = torch.nn.Parameter(torch.zeros(3))
        self.g = 1 / math.sqrt(i)

    def forward(self, x, w):
        return modconv(x, self.weight, self.affine(w) * self.g, False) + self.bias[None, :, None, None]


class Generator(torch.nn.Module):
    def __init__(self, res, cbase, cmax, wdim=512):
        super().__init__()
        ch = lambda r: min(cbase // r, cmax)
        self.resolutions = [2 ** i for i in range(2, int(math.log2(res)) + 1)]
        self.num_ws = 2 * int(math.log2(res)) - 2
        self.mapping = Mapping(512, wdim, self.num_ws)
        self.const = torch.nn.Parameter(torch.randn(ch(4), 4, 4))
        self.convs = torch.nn.ModuleList()
        self.torgbs = torch.nn.ModuleList()
        for r in self.resolutions:
            if r > 4:
                self.convs.append(SynLayer(ch(r // 2), ch(r), wdim, r, True))
            self.convs.append(SynLayer(ch(r), ch(r), wdim, r, False))
            self.torgbs.append(ToRGB(ch(r), wdim))

    def synthesis(self, ws, deltas=None, const_noise=False):
        """deltas: one weight offset per conv layer (self.convs), or None."""
        x = self.const[None].repeat(ws.shape[0], 1, 1, 1)
        img, ci, wi = None, 0, 0
        for bi, r in enumerate(self.resolutions):
            for _ in range(1 if r == 4 else 2):
                x = self.convs[ci](x, ws[:, wi], None if deltas is None else deltas[ci], const_noise)
                ci, wi = ci + 1, wi + 1
            y = self.torgbs[bi](x, ws[:, wi])
            img = y if img is None else upsample(img) + y
        return img


class Conv(torch.nn.Module):
    def __init__(self, i, o, k, bias=True, act=True, down=False):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(o, i, k, k))
        self.bias = torch.nn.Parameter(torch.zeros(o)) if bias else None
        self.g, self.act, self.down, self.k = 1 / math.sqrt(i * k * k), act, down, k

    def forward(self, x, gain=1.0):
        w = self.weight * self.g
        if self.down and self.k == 1:
            x = F.conv2d(fir(x, (1, 1, 1, 1), stride=2), w)
        elif self.down:
            x = F.conv2d(fir(x, (2, 2, 2, 2)), w, stride=2)
        else:
            x = F.conv2d(x, w, padding=self.k // 2)
        if self.bias is not None:
            x = x + self.bias[None, :, None, None]
        return F.leaky_relu(x, 0.2) * SQRT2 * gain if self.act else x * gain


class Discriminator(torch.nn.Module):
    def __init__(self, res, cbase, cmax):
        super().__init__()
        ch = lambda r: min(cbase // r, cmax)
        self.fromrgb = Conv(3, ch(res), 1)
        self.blocks = torch.nn.ModuleList()
        r = res
        while r > 4:
            self.blocks.append(torch.nn.ModuleList([Conv(ch(r), ch(r), 3), Conv(ch(r), ch(r // 2), 3, down=True),
                                                    Conv(ch(r), ch(r // 2), 1, bias=False, act=False, down=True)]))
            r //= 2
        c = ch(4)
        self.conv, self.fc, self.out = Conv(c + 1, c, 3), FC(c * 16, c, True), FC(c, 1, False)

    def forward(self, img):
        x = self.fromrgb(img)
        for conv0, conv1, skip in self.blocks:
            x = skip(x, math.sqrt(0.5)) + conv1(conv0(x), math.sqrt(0.5))
        n, c, h, w = x.shape
        g = min(4, n)
        y = x.reshape(g, -1, 1, c, h, w)
        y = ((y - y.mean(0)).square().mean(0) + 1e-8).sqrt().mean([2, 3, 4]).reshape(-1, 1, 1, 1).repeat(g, 1, h, w)
        x = self.conv(torch.cat([x, y], 1))
        return self.out(self.fc(x.flatten(1)))


def nan_to_num_grads(module):
    """NVlabs: one flat nan_to_num over all gradients before each optimiser step."""
    params = [p for p in module.parameters() if p.grad is not None]
    flat = torch.cat([p.grad.flatten() for p in params])
    torch.nan_to_num(flat, nan=0, posinf=1e5, neginf=-1e5, out=flat)
    for p, g in zip(params, flat.split([p.numel() for p in params])):
        p.grad = g.reshape(p.shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small64")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iters", type=int, default=8)
    ap.add_argument("--profile", default=None, help="Chrome trace of two training steps")
    ap.add_argument("--forward-only", action="store_true")
    ap.add_argument("--mkldnn", default="on", choices=["on", "off"],
                    help="off: libtorch's own convolution kernels, as dermsynth runs where its check turns oneDNN off")
    ap.add_argument("--device", default="cpu", help="cpu, or cuda on a GPU machine (torch >= 2.0)")
    a = ap.parse_args()
    if a.device != "cpu":
        # Every tensor the script makes (parameters, latents, noise) on that device; FIR taps follow x.
        torch.set_default_device(a.device)
    torch.backends.mkldnn.enabled = a.mkldnn == "on"
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    res, cbase, cmax = PRESETS[a.preset]
    G, D = Generator(res, cbase, cmax), Discriminator(res, cbase, cmax)
    G_ema = copy.deepcopy(G).eval().requires_grad_(False)
    optG = torch.optim.Adam(G.parameters(), lr=0.0025, betas=(0, 0.99))
    optD = torch.optim.Adam(D.parameters(), lr=0.0025 * 16 / 17, betas=(0, 0.99 ** (16 / 17)))
    reals = torch.rand(a.batch, 3, res, res) * 2 - 1
    print(f"# peer on {reals.device}" + (f" ({torch.cuda.get_device_name()})" if reals.is_cuda else ""), flush=True)
    n = a.batch
    ema_beta = 0.5 ** (n / (10 * 1000))  # ema_kimg 10, past the ramp-up

    def ws_mixed():
        ws = G.mapping(torch.randn(n, 512), track_w_avg=True)
        if torch.rand([]) < 0.9:
            cut = int(torch.randint(1, G.num_ws, []))
            ws = torch.cat([ws[:, :cut], G.mapping(torch.randn(n, 512))[:, cut:]], 1)
        return ws

    def step(r1=False):
        G.requires_grad_(True); D.requires_grad_(False); optG.zero_grad(set_to_none=True)
        F.softplus(-D(G.synthesis(ws_mixed()))).mean().backward()
        nan_to_num_grads(G); optG.step()
        G.requires_grad_(False); D.requires_grad_(True); optD.zero_grad(set_to_none=True)
        fake_logits, real_logits = D(G.synthesis(ws_mixed())), D(reals)
        (F.softplus(fake_logits).mean() + F.softplus(-real_logits).mean()).backward()
        real_logits.detach().sign().mean().item()  # ADA's r_t statistic
        nan_to_num_grads(D); optD.step()
        if r1:
            optD.zero_grad(set_to_none=True)
            x = reals.detach().requires_grad_(True)
            grad, = torch.autograd.grad(D(x).sum(), x, create_graph=True)
            (grad.square().sum([1, 2, 3]).mean() * (0.0512 / 2 * 16)).backward()
            nan_to_num_grads(D); optD.step()
        D.requires_grad_(False)
        with torch.no_grad():
            for p_ema, p in zip(G_ema.parameters(), G.parameters()):
                p_ema.copy_(p.lerp(p_ema, ema_beta))
            for b_ema, b in zip(G_ema.buffers(), G.buffers()):
                b_ema.copy_(b)

    def forward():
        with torch.no_grad():
            G_ema.synthesis(G_ema.mapping(torch.randn(n, 512)))

    measured = (("g_forward", forward), ("train_step", step), ("train_step_r1", lambda: step(True)))
    for name, fn in measured[:1] if a.forward_only else measured:
        report(name, a.preset, n, n, fn, a.warmup, a.iters)
    if a.profile and not a.forward_only:
        with torch.autograd.profiler.profile(record_shapes=True) as prof:
            step()
            step()
        prof.export_chrome_trace(a.profile)


if __name__ == "__main__":
    main()
