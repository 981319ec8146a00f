#!/usr/bin/python3
"""The default model's error on the shipped sample, computed by PyTorch: the golden figures of
tests/cli/default_model.sh and tests/unit/api_test.cpp (and data/samples/README.md).

Loads a checkpoint in the default model's layout into tools/train_default_model.py's PyTorch model,
lifts data/samples/cmu_02_06_custom.npz (the sample's 2D, normalised with its image size) with edge
padding as the reference evaluates a video, with and without flip test-time augmentation, and prints
MPJPE and P-MPJPE against data/samples/cmu_02_06_gt.npy (root-relative camera frame) in mm.

Usage: default_model_sample_figures.py [CHECKPOINT]   (default: data/models/default_coco_h36m_81f.bin)
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_default_model as tdm  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "data/models/default_coco_h36m_81f.bin")
    checkpoint = torch.load(path, map_location="cpu")
    weights = checkpoint["model_pos"]
    channels = weights["expand_conv.weight"].shape[0]
    blocks = sum(1 for name in weights if name.startswith("layers_conv.")) // 2
    model = tdm.TemporalModel(17, 2, 17, [3] * (blocks + 1), channels)
    model.load_state_dict(weights)
    model.eval()
    sample = np.load(os.path.join(ROOT, "data/samples/cmu_02_06_custom.npz"), allow_pickle=True)
    video, keypoints = next(iter(sample["positions_2d"].item().items()))
    size = sample["metadata"].item()["video_metadata"][video]
    pixels = keypoints["custom"][0].astype(np.float32)
    inputs = tdm.normalize_screen(pixels[None], np.array([size["w"]]), np.array([size["h"]]))[0]
    gt = np.load(os.path.join(ROOT, "data/samples/cmu_02_06_gt.npy"))
    gt = gt - gt[:, :1]
    for tta in (True, False):
        pred = tdm.predict_sequence(model, inputs, tta)
        print(f"{os.path.basename(path)} on {video} ({pred.shape[0]} frames), flip TTA {'on' if tta else 'off'}: "
              f"MPJPE {1000 * tdm.mpjpe(pred, gt):.5f} mm, P-MPJPE {1000 * tdm.p_mpjpe(pred, gt):.5f} mm")


if __name__ == "__main__":
    main()
