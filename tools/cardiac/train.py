#!/usr/bin/python3
"""Trains Atrium's learned cardiac segmenter (LV blood pool, LV myocardium, RV blood pool on
short-axis cine MR) on ACDC and exports it as ONNX for `atrium analyze --segmenter learned`.

  /usr/bin/python3 tools/cardiac/train.py --data ../shared/data/acdc --out models/

Patients are split by patient: two of each pathology group (chosen by the seed) are held out for
validation and never trained on; validation Dice per structure at ED and ES, and the LV/RV EF
errors, are printed at the end (and written to OUT/cardiac_unet.validation.json). Seeded: the same
command gives the same model on the same machine. CPU by default (2 threads); --device cuda uses a
GPU when there is one, nothing needs it.

Licence: ACDC is CC BY-NC-SA 4.0, and so are the weights trained on it (see models/README.md).
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acdc_data import load_patients, slices_of, split  # noqa: E402
from cardiac_model import CLASSES, CROP, MODEL_VERSION, UNet, normalise, write_card  # noqa: E402
from sunnybrook_data import PARTIAL, load_case  # noqa: E402

class Augmenter:
    """What differs between sites and scanners, drawn per sample: position of the heart in the
    crop, scale (ACDC's unknown 1.3-1.9 mm pixels and other sites' fields of view), rotation and
    mirroring (view conventions), gamma, contrast and brightness, a smooth bias field (coil
    sensitivity), blur and noise."""

    def __init__(self, rng):
        self.rng = rng

    def sample(self, image, label, centre):
        r = self.rng
        h, w = image.shape
        if r.random() < 0.15:  # anywhere in the image: the network learns what is not a heart
            cy, cx = r.uniform(0, h), r.uniform(0, w)
        else:
            cy, cx = centre[0] + r.normal(0, 18), centre[1] + r.normal(0, 18)
        scale = math.exp(r.uniform(math.log(0.7), math.log(1.4)))  # output px per input px
        angle = r.uniform(-math.pi, math.pi)
        flip = -1.0 if r.random() < 0.5 else 1.0
        # affine_grid maps output coords in [-1, 1] to input coords in [-1, 1] (align_corners=False)
        half = CROP / 2 / scale  # input pixels from the crop's centre to its edge
        ca, sa = math.cos(angle), math.sin(angle)
        theta = torch.tensor([[
            [ca * half / (w / 2) * flip, -sa * half / (w / 2), (cx + 0.5) / (w / 2) - 1],
            [sa * half / (h / 2) * flip, ca * half / (h / 2), (cy + 0.5) / (h / 2) - 1]]], dtype=torch.float32)
        grid = F.affine_grid(theta, (1, 1, CROP, CROP), align_corners=False)
        x = F.grid_sample(torch.from_numpy(image)[None, None], grid, mode="bilinear",
                          padding_mode="zeros", align_corners=False)[0, 0]
        y = F.grid_sample(torch.from_numpy(label.astype(np.float32))[None, None], grid, mode="nearest",
                          padding_mode="zeros", align_corners=False)[0, 0].long()
        x = x.clamp(0, 1) ** math.exp(r.uniform(math.log(0.6), math.log(1.6)))  # gamma
        yy, xx = torch.meshgrid(torch.linspace(-1, 1, CROP), torch.linspace(-1, 1, CROP), indexing="ij")
        c = r.normal(0, 0.25, 5)
        x = x * torch.exp(c[0] * xx + c[1] * yy + c[2] * xx * yy + c[3] * xx * xx + c[4] * yy * yy)  # bias field
        x = x * r.uniform(0.75, 1.25) + r.uniform(-0.1, 0.1)  # contrast, brightness
        if r.random() < 0.2:
            k = torch.tensor([0.25, 0.5, 0.25])
            x = F.conv2d(x[None, None], (k[:, None] * k[None, :])[None, None], padding=1)[0, 0]
        x = x + torch.randn(CROP, CROP, generator=None) * float(r.uniform(0, 0.06))
        return x, y


def batches(slices, aug, size, rng, seed, extra=(), extra_fraction=0.0):
    """Crops from `slices`; with `extra` (partly labelled slices, another site), each crop comes from
    there with probability extra_fraction (drawn after the rest: without extra the samples are the
    ones this function always drew)."""
    torch.manual_seed(seed)
    while True:
        idx = rng.integers(0, len(slices), size)
        chosen = [slices[i] for i in idx]
        if extra:
            take = rng.random(size) < extra_fraction
            other = rng.integers(0, len(extra), size)
            chosen = [extra[o] if t else c for c, t, o in zip(chosen, take, other)]
        xs, ys = zip(*(aug.sample(*c) for c in chosen))
        yield torch.stack(xs)[:, None], torch.stack(ys)


def loss_fn(logits, target):
    """Cross-entropy + soft Dice. A partial label (sunnybrook_data.PARTIAL: "one of these classes")
    costs -log of the classes' summed probability, and a sample holding one does not count in the
    Dice of the classes it leaves open (its pixels there are unknown)."""
    if target.max() >= len(CLASSES):
        return partial_loss(logits, target)
    ce = F.cross_entropy(logits, target)
    prob = logits.softmax(1)[:, 1:]
    onehot = F.one_hot(target, prob.shape[1] + 1).permute(0, 3, 1, 2)[:, 1:].float()
    inter = (prob * onehot).sum((0, 2, 3))
    dice = (2 * inter + 1) / (prob.sum((0, 2, 3)) + onehot.sum((0, 2, 3)) + 1)
    return ce + (1 - dice.mean())


def partial_loss(logits, target):
    logp = logits.log_softmax(1)
    known = target < len(CLASSES)
    nll = -logp.gather(1, target.clamp(max=len(CLASSES) - 1)[:, None])[:, 0]
    counts = torch.zeros(target.shape[0], len(CLASSES), device=target.device)  # per sample: may class c be unknown?
    for code, classes in PARTIAL.items():
        here = target == code
        nll = torch.where(here, -torch.logsumexp(logp[:, list(classes)], 1), nll)
        has = here.flatten(1).any(1).float()
        for c in classes:
            counts[:, c] += has
    ce = nll.mean()
    prob = logits.softmax(1)[:, 1:]
    onehot = F.one_hot(torch.where(known, target, 0), len(CLASSES)).permute(0, 3, 1, 2)[:, 1:].float()
    use = (counts[:, 1:] == 0).float()[:, :, None, None]  # sample x class: every pixel known
    inter = (prob * onehot * use).sum((0, 2, 3))
    dice = (2 * inter + 1) / ((prob * use).sum((0, 2, 3)) + (onehot * use).sum((0, 2, 3)) + 1)
    return ce + (1 - dice.mean())


def largest_components(labels):
    """The shape rule applied by the C++ post-processing too: one component per structure."""
    from scipy import ndimage
    out = np.zeros_like(labels)
    for c in (1, 2, 3):
        comp, n = ndimage.label(labels == c)
        if n:
            sizes = ndimage.sum(np.ones_like(comp), comp, range(1, n + 1))
            out[comp == 1 + int(np.argmax(sizes))] = c
    return out


@torch.no_grad()
def predict_volume(model, volume, device):
    """Whole slices at the training pixel size (ACDC's own), padded to a multiple of 16."""
    out = []
    for img in volume:
        x = normalise(img)
        h, w = x.shape
        ph, pw = (-h) % 16, (-w) % 16
        t = torch.from_numpy(np.pad(x, ((0, ph), (0, pw))))[None, None].to(device)
        out.append(largest_components(model(t)[0, :, :h, :w].argmax(0).cpu().numpy()))
    return np.stack(out)


def dice(a, b):
    s = a.sum() + b.sum()
    return 1.0 if s == 0 else 2.0 * np.logical_and(a, b).sum() / s


def validate(model, patients, device):
    model.eval()
    rows = []
    for p in patients:
        r = {"id": p["id"], "group": p["group"]}
        vol = {}
        for phase in ("ed", "es"):
            pred, ref = predict_volume(model, p[phase + "_image"], device), p[phase + "_label"]
            for c, name in ((3, "lv"), (2, "myo"), (1, "rv")):
                r[f"{phase}_{name}_dice"] = dice(pred == c, ref == c)
            vol[phase] = {k: ((pred == c).sum(), (ref == c).sum()) for k, c in (("lv", 3), ("rv", 1))}
        for k in ("lv", "rv"):
            (ed_p, ed_r), (es_p, es_r) = vol["ed"][k], vol["es"][k]
            ef_p = 100.0 * (ed_p - es_p) / ed_p if ed_p else 0.0
            ef_r = 100.0 * (ed_r - es_r) / ed_r if ed_r else 0.0
            r[f"{k}_ef_error"] = abs(ef_p - ef_r)
        rows.append(r)
    model.train()
    keys = [k for k in rows[0] if k not in ("id", "group")] if rows else []
    mean = {k: float(np.mean([r[k] for r in rows])) for k in keys}
    return rows, mean


def report(rows, mean, out=sys.stdout):
    print("validation (patients never trained on):", file=out)
    for r in rows:
        print(f"  {r['id']} {r['group']:4s} ED LV {r['ed_lv_dice']:.3f} MYO {r['ed_myo_dice']:.3f} "
              f"RV {r['ed_rv_dice']:.3f} | ES LV {r['es_lv_dice']:.3f} MYO {r['es_myo_dice']:.3f} "
              f"RV {r['es_rv_dice']:.3f} | EF err LV {r['lv_ef_error']:.1f} RV {r['rv_ef_error']:.1f}", file=out)
    if mean:
        print(f"  mean ED LV {mean['ed_lv_dice']:.3f} MYO {mean['ed_myo_dice']:.3f} RV {mean['ed_rv_dice']:.3f} | "
              f"ES LV {mean['es_lv_dice']:.3f} MYO {mean['es_myo_dice']:.3f} RV {mean['es_rv_dice']:.3f} | "
              f"EF err LV {mean['lv_ef_error']:.1f} RV {mean['rv_ef_error']:.1f}", file=out)
    out.flush()


def export(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, CROP, CROP)
    torch.onnx.export(model, dummy, path, opset_version=11, input_names=["image"], output_names=["logits"],
                      do_constant_folding=True)
    model.train()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/acdc"))
    ap.add_argument("--out", default="models")
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1, help="the split, the initial weights and the samples")
    ap.add_argument("--sample-seed", type=int, default=None,
                    help="the crops and their augmentation only (default: --seed); a later stage with its "
                         "own samples keeps the same split")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--limit-patients", type=int, default=None, help="only the first N patients (tests)")
    ap.add_argument("--validate-every", type=int, default=0)
    ap.add_argument("--init", help="start from these weights (a .pt this script saved): a second, shorter run")
    ap.add_argument("--sunnybrook", action="append", default=[], metavar="CASE",
                    help="also train on this Sunnybrook case's outlined images (LV only: outside the "
                         "outlines a pixel may be background or RV); repeatable")
    ap.add_argument("--sunnybrook-fraction", type=float, default=0.1,
                    help="share of the crops drawn from the --sunnybrook cases")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    sample_seed = args.seed if args.sample_seed is None else args.sample_seed
    rng = np.random.default_rng(sample_seed)
    patients = load_patients(args.data, args.limit_patients)
    train, val = split(patients, args.seed)
    print(f"train.py: {len(train)} training patients, {len(val)} validation: {' '.join(p['id'] for p in val)}",
          flush=True)
    slices = slices_of(train)
    extra = [s for case in args.sunnybrook for s in load_case(case)]
    if extra:
        print(f"train.py: {len(extra)} Sunnybrook images, {args.sunnybrook_fraction:.0%} of the crops", flush=True)
    model = UNet(args.base).to(args.device)
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location=args.device))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-5)
    warm = max(1, args.iterations // 50)

    def lr_at(i):
        return args.lr * (i + 1) / warm if i < warm else args.lr * 0.5 * (1 + math.cos(math.pi * (i - warm) / max(1, args.iterations - warm)))

    start, running = time.time(), 0.0
    gen = batches(slices, Augmenter(rng), args.batch, rng, sample_seed, extra, args.sunnybrook_fraction)
    for it in range(args.iterations):
        for g in opt.param_groups:
            g["lr"] = lr_at(it)
        x, y = next(gen)
        loss = loss_fn(model(x.to(args.device)), y.to(args.device))
        opt.zero_grad()
        loss.backward()
        opt.step()
        running = 0.98 * running + 0.02 * loss.item() if it else loss.item()
        if (it + 1) % 50 == 0 or it + 1 == args.iterations:
            el = time.time() - start
            print(f"it {it + 1}/{args.iterations} loss {running:.4f} lr {lr_at(it):.2e} "
                  f"{(it + 1) * args.batch / el:.1f} img/s {el / 60:.1f} min", flush=True)
        if args.validate_every and (it + 1) % args.validate_every == 0 and it + 1 < args.iterations and val:
            report(*validate(model, val, args.device))
            os.makedirs(args.out, exist_ok=True)
            torch.save(model.state_dict(), os.path.join(args.out, "cardiac_unet.pt"))

    os.makedirs(args.out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(args.out, "cardiac_unet.pt"))
    onnx_path = os.path.join(args.out, "cardiac_unet.onnx")
    export(model.cpu(), onnx_path)
    rows, mean = validate(model, val, "cpu")
    report(rows, mean)
    write_card(onnx_path, command="/usr/bin/python3 tools/cardiac/train.py " + " ".join(sys.argv[1:]),
               seed=args.seed, iterations=args.iterations, base_channels=args.base,
               validation_mean=mean, training_patients=len(train), validation_patients=[p["id"] for p in val],
               **({"sunnybrook_cases": [os.path.basename(os.path.normpath(c)) for c in args.sunnybrook],
                   "sunnybrook_fraction": args.sunnybrook_fraction} if args.sunnybrook else {}))
    with open(os.path.join(args.out, "cardiac_unet.validation.json"), "w") as f:
        json.dump({"model_version": MODEL_VERSION, "command": " ".join(sys.argv), "seed": args.seed,
                   "iterations": args.iterations, "training_patients": [p["id"] for p in train],
                   "validation_patients": rows, "mean": mean,
                   "minutes": (time.time() - start) / 60}, f, indent=1, default=float)
    print(f"train.py: wrote {onnx_path}", flush=True)


if __name__ == "__main__":
    main()
