#!/usr/bin/env python3
"""Analytic multiply-accumulates (MACs) per image for dermsynth's networks at a GAN preset, from the same
shape rules as core (GanArchitecture.channels(res) = min(channel_base / res, channel_max); NVlabs config-F
layer list; the e4e/HyperStyle backbone is the discriminator's block stack, as ResidualBackbone is).
Convolutions and dense layers only (≥ 98% of the arithmetic); FIR filters, bias, activations, noise and
modulation/demodulation of the weights are left out. FLOPs = 2 × MACs. Writes a Markdown table.

  bench/scaling/flops.py > bench/scaling/flops.md
"""
PRESETS = {"small64": (64, 8192, 128), "stylegan2": (256, 32768, 512), "paper256": (256, 16384, 512),
           "paper512": (512, 32768, 512), "paper1024": (1024, 32768, 512)}
W_DIM, MAP_LAYERS = 512, 8


def ch(res, base, cmax):
    return min(base // res, cmax)


def generator(R, base, cmax):
    macs = MAP_LAYERS * W_DIM * W_DIM
    r = 4
    c4 = ch(4, base, cmax)
    macs += 4 * 4 * 9 * c4 * c4           # b4.conv1
    macs += 4 * 4 * c4 * 3                # b4.torgb
    while r < R:
        r *= 2
        cin, cout = ch(r // 2, base, cmax), ch(r, base, cmax)
        macs += r * r * 9 * cin * cout    # conv0 (upsampling, transposed 3x3 at the output size)
        macs += r * r * 9 * cout * cout   # conv1
        macs += r * r * cout * 3          # torgb
        # affine (style) layers: w_dim x cin each, three per block
        macs += W_DIM * (cin + cout + cout)
    return macs


def backbone(R, base, cmax, in_channels=3, lowest=4):
    """Discriminator-style residual stack: fromrgb, conv0 3x3 at r, conv1 3x3 stride 2, skip 1x1 stride 2."""
    macs = R * R * in_channels * ch(R, base, cmax)
    r = R
    while r > lowest:
        c, out = ch(r, base, cmax), ch(r // 2, base, cmax)
        macs += r * r * 9 * c * c
        macs += (r // 2) ** 2 * 9 * c * out
        macs += (r // 2) ** 2 * c * out
        r //= 2
    return macs


def discriminator(R, base, cmax):
    c4 = ch(4, base, cmax)
    epilogue = 4 * 4 * 9 * (c4 + 1) * c4 + (c4 * 16) * c4 + c4
    return backbone(R, base, cmax) + epilogue


def densenet121(side=224):
    """torchvision DenseNet-121 at 224 px: 2.87 GMACs; scales with the pixel count."""
    return 2.87e9 * (side / 224) ** 2


DENSENETS = {"small": (12, (4, 8, 6), 24, 4, 0.5), "densenet121": (32, (6, 12, 24, 16), 64, 4, 0.5)}


def densenet(k, blocks, init, bn_size, theta, side, classes=7):
    """DenseNet-BC convolutions layer by layer (core's DenseNet): 7×7/2 stem, 3×3/2 max pool, per dense layer
    a 1×1 bottleneck (bn_size·k) and a 3×3 (k), transitions 1×1 (×θ) then 2×2 average pool, the classifier.
    densenet121 at 224 px gives 2.83 GMACs (torchvision's published 2.87 counts the BN/pool work too)."""
    s = side // 2
    macs = s * s * 3 * init * 49
    s = (s + 1) // 2
    c = init
    for i, n in enumerate(blocks):
        for _ in range(n):
            macs += s * s * c * bn_size * k + s * s * bn_size * k * k * 9
            c += k
        if i < len(blocks) - 1:
            out = int(c * theta)
            macs += s * s * c * out
            c, s = out, s // 2
    return macs + c * classes


def main():
    rows = []
    for name, (R, base, cmax) in PRESETS.items():
        g, d = generator(R, base, cmax), discriminator(R, base, cmax)
        enc = backbone(R, base, cmax) + 18 * W_DIM * 4 * 4 * ch(4, base, cmax)  # + map2style heads (approx.)
        hyper_backbone = backbone(R, base, cmax, in_channels=6)
        # Training: per real image shown to D — Gmain: G fwd+bwd, D fwd+bwd; Dmain: G fwd, D fwd+bwd on fake
        # and on real; bwd = 2 x fwd. Lazy R1 (every 16, a double backward of D on reals ~ 2 x D more)
        # and path length (every 4, half batch, G fwd + double bwd ~ 4 x G) as their amortised shares.
        train = 3 * g + 3 * d + g + 3 * d + 3 * d + (2 * d) / 16 + (0.5 * 4 * g) / 4
        # HyperStyle inversion, 5 refinement iterations: encoder once, then per iteration the 6-channel
        # backbone and a G forward (the hypernetwork heads are small next to them).
        hyper = enc + g + 5 * (hyper_backbone + g)
        lpips_net = densenet121(R if R <= 256 else 256)  # LPIPS features from the classifier at <= 256 px
        edit = g + lpips_net + densenet121(224)           # render + LPIPS to the source + label check
        rows.append((name, R, g, d, train, enc, hyper, edit))
    print("| preset | px | G forward | D forward | G+D training step (per real image) | e4e encoder | "
          "HyperStyle inversion (5 it.) | one augment edit (G + LPIPS + classifier) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, R, *macs in rows:
        print(f"| {name} | {R} | " + " | ".join(f"{2 * m / 1e9:.1f}" for m in macs) + " |")
    print("\nGFLOPs per image (2 × MACs).")
    print("\n| DenseNet | px | forward | training step (forward + backward = 3 × forward) |\n|---|---|---|---|")
    for name, cfg in DENSENETS.items():
        for side in (64, 224):
            f = 2 * densenet(*cfg, side)
            print(f"| {name} | {side} | {f / 1e9:.4f} | {3 * f / 1e9:.4f} |")
    print("\nGFLOPs per image, 7 classes.")


if __name__ == "__main__":
    main()
