#!/usr/bin/python3
"""Turn a `lift3d train` checkpoint (run.py's layout: epoch, lr, random_state, optimizer, model_pos,
model_traj) into the shipped default model's layout (data/models/README.md): {'epoch', 'lr',
'model_pos'} in torch.save's zip format with the neutral record prefix 'archive', no optimizer state.

The weights are loaded into tools/train_default_model.py's TemporalModel first (every name and
shape must fit the given architecture), so a checkpoint of another shape is refused.

Usage: ship_default_model.py <lift3d checkpoint epoch_N.bin> <out.bin> [--architecture 3,3,3,3] [--channels 256]
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_default_model as trainer  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description="lift3d train checkpoint -> shipped default model layout")
    ap.add_argument("checkpoint", help="epoch_N.bin written by lift3d train")
    ap.add_argument("out", help="model file to write")
    ap.add_argument("--architecture", default="3,3,3,3")
    ap.add_argument("--channels", type=int, default=256)
    args = ap.parse_args()

    ckpt = torch.load(args.checkpoint, map_location="cpu")
    if ckpt.get("model_traj") is not None:
        sys.exit(f"{args.checkpoint}: has a trajectory model; the default model is pose-only")
    model = trainer.TemporalModel(17, 2, 17, [int(a) for a in args.architecture.split(",")], args.channels)
    model.load_state_dict(ckpt["model_pos"], strict=True)
    trainer.save_checkpoint(model, ckpt["epoch"], ckpt["lr"], args.out)
    print(f"{args.out}: epoch {ckpt['epoch']}, lr {ckpt['lr']:.3g}, "
          f"{sum(p.numel() for p in model.parameters())} parameters, {os.path.getsize(args.out)} bytes")


if __name__ == "__main__":
    main()
