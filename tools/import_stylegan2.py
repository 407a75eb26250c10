#!/usr/bin/env python3
"""Convert a trained StyleGAN2 checkpoint into dermsynth's weight files (safetensors, NVlabs key names).

Sources:
  --nvlabs  FILE.pkl   NVlabs stylegan2-ada-pytorch / stylegan3 / official TF StyleGAN2 pickles.
                       Unpickling needs NVlabs code: pass --nvlabs-repo DIR (a stylegan2-ada-pytorch
                       checkout); its legacy.load_network_pkl also converts the TF pickles.
  --rosinality FILE.pt rosinality/stylegan2-pytorch checkpoints (dict with g_ema, g, d, latent_avg).

Output folder (what `dermsynth sample --model DIR` and Generator/Discriminator loading read):
  G_ema.safetensors, G.safetensors (when present), D.safetensors (when present), import.json
  (architecture in NVlabs terms, source, and the key map used).

Key map (rosinality → dermsynth/NVlabs), i = 0 … n_mlp − 1, k = 0 … log2(R) − 3, r = 8·2^k:
  style.{i+1}.weight|bias             → mapping.fc{i}.weight|bias
  latent_avg                          → mapping.w_avg
  input.input [1,C,4,4]               → synthesis.b4.const [C,4,4]
  conv1.conv.weight [1,O,I,3,3]       → synthesis.b4.conv1.weight [O,I,3,3]
  conv1.conv.modulation.weight|bias   → synthesis.b4.conv1.affine.weight|bias
  conv1.noise.weight [1]              → synthesis.b4.conv1.noise_strength []
  conv1.activate.bias                 → synthesis.b4.conv1.bias
  noises.noise_0 [1,1,4,4]            → synthesis.b4.conv1.noise_const [4,4]
  to_rgb1.conv.weight [1,3,C,1,1]     → synthesis.b4.torgb.weight [3,C,1,1]
  to_rgb1.conv.modulation.*           → synthesis.b4.torgb.affine.*
  to_rgb1.bias [1,3,1,1]              → synthesis.b4.torgb.bias [3]
  convs.{2k} / convs.{2k+1}           → synthesis.b{r}.conv0 / conv1 (same sub-keys as conv1 above)
  noises.noise_{2k+1} / noise_{2k+2}  → synthesis.b{r}.conv0 / conv1 .noise_const
  to_rgbs.{k}                         → synthesis.b{r}.torgb
  D: convs.0.0.weight, convs.0.1.bias → b{R}.fromrgb.weight, .bias
     convs.{j}.conv1.0.weight/.1.bias → b{R/2^(j-1)}.conv0.weight/.bias   (j = 1 …)
     convs.{j}.conv2.1.weight/.2.bias → b{…}.conv1.weight/.bias
     convs.{j}.skip.1.weight          → b{…}.skip.weight
     final_conv.0.weight/.1.bias      → b4.conv.weight/.bias
     final_linear.0.* / final_linear.1.* → b4.fc.* / b4.out.*
Both codebases use the same equalised-lr storage (N(0,1) weights, bias·lr_mul), the same transposed
up-convolution + [1,3,3,1] FIR and the same gains, so values are copied as they are; only names and
singleton dimensions change. NVlabs pickles already use these names (resample_filter buffers dropped).

Needs torch (any recent version); not needed by dermsynth at run time.
"""
import argparse
import json
import math
import pathlib
import struct
import sys


def read_safetensors(path):
    """name → float32 numpy array, for the fixture scripts (numpy imported here only: the import needs torch)."""
    import numpy as np
    raw = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", (name, meta["dtype"])
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(meta["shape"])
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to("cpu").float().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def nvlabs_state(module):
    out = {}
    for k, v in module.state_dict().items():
        if k.endswith("resample_filter"):
            continue
        if k.startswith("mapping.embed") or k.startswith("embed"):
            sys.exit("conditional StyleGAN2 (c_dim > 0) is not supported: dermsynth's GAN is unconditional")
        out[k] = v
    return out


def rosinality_generator(sd, latent_avg):
    out = {}
    i = 1
    while f"style.{i}.weight" in sd:
        out[f"mapping.fc{i - 1}.weight"] = sd[f"style.{i}.weight"]
        out[f"mapping.fc{i - 1}.bias"] = sd[f"style.{i}.bias"]
        i += 1
    if latent_avg is None:
        sys.exit("the checkpoint has no latent_avg: truncation needs w_avg")
    out["mapping.w_avg"] = latent_avg.reshape(-1)

    def layer(src, dst, noise_key):
        out[f"{dst}.weight"] = sd[f"{src}.conv.weight"][0]
        out[f"{dst}.affine.weight"] = sd[f"{src}.conv.modulation.weight"]
        out[f"{dst}.affine.bias"] = sd[f"{src}.conv.modulation.bias"]
        out[f"{dst}.noise_strength"] = sd[f"{src}.noise.weight"].reshape(())
        out[f"{dst}.bias"] = sd[f"{src}.activate.bias"]
        out[f"{dst}.noise_const"] = sd[noise_key][0, 0]

    def torgb(src, dst):
        out[f"{dst}.weight"] = sd[f"{src}.conv.weight"][0]
        out[f"{dst}.affine.weight"] = sd[f"{src}.conv.modulation.weight"]
        out[f"{dst}.affine.bias"] = sd[f"{src}.conv.modulation.bias"]
        out[f"{dst}.bias"] = sd[f"{src}.bias"].reshape(-1)

    out["synthesis.b4.const"] = sd["input.input"][0]
    layer("conv1", "synthesis.b4.conv1", "noises.noise_0")
    torgb("to_rgb1", "synthesis.b4.torgb")
    k = 0
    while f"to_rgbs.{k}.bias" in sd:
        r = 8 * 2 ** k
        layer(f"convs.{2 * k}", f"synthesis.b{r}.conv0", f"noises.noise_{2 * k + 1}")
        layer(f"convs.{2 * k + 1}", f"synthesis.b{r}.conv1", f"noises.noise_{2 * k + 2}")
        torgb(f"to_rgbs.{k}", f"synthesis.b{r}.torgb")
        k += 1
    return out, 4 * 2 ** k


def rosinality_discriminator(sd, resolution):
    out = {"b%d.fromrgb.weight" % resolution: sd["convs.0.0.weight"],
           "b%d.fromrgb.bias" % resolution: sd["convs.0.1.bias"]}
    j, r = 1, resolution
    while f"convs.{j}.conv1.0.weight" in sd:
        out[f"b{r}.conv0.weight"] = sd[f"convs.{j}.conv1.0.weight"]
        out[f"b{r}.conv0.bias"] = sd[f"convs.{j}.conv1.1.bias"]
        out[f"b{r}.conv1.weight"] = sd[f"convs.{j}.conv2.1.weight"]
        out[f"b{r}.conv1.bias"] = sd[f"convs.{j}.conv2.2.bias"]
        out[f"b{r}.skip.weight"] = sd[f"convs.{j}.skip.1.weight"]
        j, r = j + 1, r // 2
    out["b4.conv.weight"] = sd["final_conv.0.weight"]
    out["b4.conv.bias"] = sd["final_conv.1.bias"]
    out["b4.fc.weight"] = sd["final_linear.0.weight"]
    out["b4.fc.bias"] = sd["final_linear.0.bias"]
    out["b4.out.weight"] = sd["final_linear.1.weight"]
    out["b4.out.bias"] = sd["final_linear.1.bias"]
    return out


def architecture(g):
    """NVlabs terms from the generator's shapes; channel_base/max chosen to reproduce every width."""
    res = max(int(k.split(".")[1][1:]) for k in g if k.startswith("synthesis.b"))
    widths = {r: g[f"synthesis.b{r}.torgb.weight"].shape[1] for r in [2 ** i for i in range(2, int(math.log2(res)) + 1)]}
    cmax = max(widths.values())
    cbase = max(w * r for r, w in widths.items() if w < cmax) if any(w < cmax for w in widths.values()) else cmax * res
    for r, w in widths.items():
        if min(cbase // r, cmax) != w:
            sys.exit(f"channel widths {widths} are not min(channel_base/res, channel_max) for any base")
    n_mlp = sum(1 for k in g if k.startswith("mapping.fc") and k.endswith(".weight"))
    return {"resolution": res, "channelBase": cbase, "channelMax": cmax,
            "zDim": g["mapping.fc0.weight"].shape[1], "wDim": g["mapping.w_avg"].shape[0],
            "mappingLayers": n_mlp, "imgChannels": 3, "mbstdGroup": 4}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--nvlabs", type=pathlib.Path)
    src.add_argument("--rosinality", type=pathlib.Path)
    ap.add_argument("--nvlabs-repo", type=pathlib.Path, help="stylegan2-ada-pytorch checkout, to unpickle")
    ap.add_argument("--out", type=pathlib.Path, required=True)
    a = ap.parse_args()
    import torch

    nets = {}
    if a.nvlabs:
        if a.nvlabs_repo:
            sys.path.insert(0, str(a.nvlabs_repo))
        import legacy  # from the NVlabs repository
        with open(a.nvlabs, "rb") as f:
            data = legacy.load_network_pkl(f)
        for name in ("G_ema", "G", "D"):
            if data.get(name) is not None:
                nets[name] = nvlabs_state(data[name])
    else:
        ckpt = torch.load(a.rosinality, map_location="cpu")
        latent_avg = ckpt.get("latent_avg")
        for src_name, name in (("g_ema", "G_ema"), ("g", "G")):
            if src_name in ckpt:
                nets[name], res = rosinality_generator(ckpt[src_name], latent_avg)
        if "d" in ckpt:
            nets["D"] = rosinality_discriminator(ckpt["d"], res)
    if "G_ema" not in nets:
        sys.exit("no G_ema in the checkpoint")
    a.out.mkdir(parents=True, exist_ok=True)
    for name, sd in nets.items():
        write_safetensors(a.out / f"{name}.safetensors", sd)
    arch = architecture(nets["G_ema"])
    (a.out / "import.json").write_text(json.dumps({
        "format": "dermsynth-stylegan2-import/1", "architecture": arch,
        "source": str(a.nvlabs or a.rosinality), "networks": sorted(nets)}, indent=2) + "\n")
    print(f"wrote {sorted(nets)} to {a.out}: {arch}")


if __name__ == "__main__":
    main()
