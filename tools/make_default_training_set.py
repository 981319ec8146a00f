#!/usr/bin/python3
"""Build a Human3.6M-format dataset (VideoPose3D's data_3d / data_2d .npz pair) from CMU motion
capture, for training lift3d's default model with `lift3d train --dataset h36m`.

`lift3d train` reads Human3.6M's layout: 3D joint positions per subject and action in the world frame
(metres), and per action one 2D keypoint array for each of the subject's 4 cameras, whose intrinsics
and extrinsics come from Human3.6M's built-in table. Here a "subject" is therefore only a rig of 4 real
Human3.6M cameras; the people are CMU's.

* Training rigs S1, S5, S6, S7, S8: every training clip (CMU subjects other than 01 and 02) rendered
  `--copies` times, each copy its own action "<clip>_c<k>" on one rig (round robin), with the
  augmentations of tools/train_default_model.py applied once per copy: a constant time warp, random
  bone re-proportioning, a random turn about the vertical and a placement within 0.8 m of the origin
  (so the rig's 4 cameras see the body from varied directions), and COCO-17 keypoints with
  detector-like noise drawn independently for each camera view (level U(0, 1.6), 10 % noise-free).
  The random virtual cameras of the Python trainer cannot be expressed: a subject's cameras are fixed.
* Test rigs S9, S11: the held-out clips (CMU 01, 02) as converted, 2D noise level 1, generated with
  the same random sequence as train_default_model.py's evaluation (seed 99), so `lift3d train`'s
  end-of-run evaluation sees the very 2D inputs of `train_default_model.py --evaluate-only`.

The 3D file holds the 17 Human3.6M joints directly (lift3d accepts 17 as well as Human3.6M's 32).
The 2D file's metadata names the COCO layout and its left/right keypoints, used for the flip
augmentation and flip test-time augmentation.

Usage:
  make_default_training_set.py --data h36m_cmu.npz --out-3d data_3d_cmu.npz --out-2d data_2d_cmu_coco.npz \
      [--copies 4] [--seed 2024]
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_default_model as synth  # noqa: E402  (the 2D synthesis of the Python trainer)

EVAL_SEED = 99          # train_default_model.evaluate()'s seed
EVAL_NOISE_LEVEL = 1.0  # train_default_model.py's --eval-noise default
PLACEMENT_RADIUS_M = 0.8


def time_warped(clip, rng):
    """The whole clip resampled with one frame spacing, log-uniform in [0.75, 1.33] (30 % at 1), as
    the Python trainer warps its windows."""
    speed = 1.0 if rng.random() < 0.3 else float(np.exp(rng.uniform(np.log(0.75), np.log(1.33))))
    bank = synth.MotionBank([clip])
    n = clip.shape[0]
    length = int((n - 2) / speed) + 1
    return bank.windows(np.array([n // 2]), np.array([speed]), length, rng)  # (1, length, P, 3)


def placed_in_world(points, rng):
    """Random turn about the vertical through the mean pelvis, then that pelvis moved within the
    placement radius of the origin: (1, T, P, 3) -> (1, T, P, 3), world frame."""
    M, origin, target = synth.random_turn(points, rng, radius=PLACEMENT_RADIUS_M)
    return np.einsum("bij,btpj->btpi", M, points - origin[:, None, None]) + target[:, None, None]


def training_copy(clip, rig, rng):
    """One augmented copy of a clip on one training rig: H36M-17 world positions (T, 17, 3) and the
    4 cameras' noisy COCO-17 pixels [(T, 17, 2)] * 4."""
    world = placed_in_world(synth.scale_bones(time_warped(clip, rng), rng), rng)[0].astype(np.float32)
    views = []
    for index in range(4):
        level = 0.0 if rng.random() < 0.1 else float(rng.uniform(0.0, 1.6))
        pixels, _, _ = synth.render_view(world, synth.h36m_cameras([(rig, index)]), rng, level)
        views.append(pixels.astype(np.float32))
    return world[:, :17], views


def held_out_views(clips, test_names):
    """The held-out clips through S9's and S11's cameras, in train_default_model.evaluate()'s order
    and random sequence (clip by clip, S9 cameras 0-3 then S11 cameras 0-3)."""
    rng = np.random.default_rng(EVAL_SEED)
    views = {subject: {} for subject in synth.EVAL_CAMERA_SUBJECTS}
    for name in test_names:
        for subject in synth.EVAL_CAMERA_SUBJECTS:
            for index in range(4):
                pixels, _, _ = synth.render_view(clips[name], synth.h36m_cameras([(subject, index)]), rng,
                                                 EVAL_NOISE_LEVEL)
                views[subject].setdefault(name, []).append(pixels.astype(np.float32))
    return views


def main():
    ap = argparse.ArgumentParser(description="CMU mocap -> Human3.6M-format data_3d/data_2d for lift3d train")
    ap.add_argument("--data", required=True, help="npz written by mocap_to_h36m.py")
    ap.add_argument("--out-3d", required=True, help="data_3d .npz to write (positions_3d)")
    ap.add_argument("--out-2d", required=True, help="data_2d .npz to write (positions_2d, metadata)")
    ap.add_argument("--copies", type=int, default=4, help="augmented copies of each training clip")
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()

    clips, train_names, test_names, test_subjects = synth.load_clips(args.data)
    rng = np.random.default_rng(args.seed)
    positions_3d = {s: {} for s in synth.TRAIN_CAMERA_SUBJECTS + synth.EVAL_CAMERA_SUBJECTS}
    positions_2d = {s: {} for s in positions_3d}
    start = time.time()
    train_frames = 0
    serial = 0
    for name in train_names:
        for copy in range(args.copies):
            rig = synth.TRAIN_CAMERA_SUBJECTS[serial % len(synth.TRAIN_CAMERA_SUBJECTS)]
            serial += 1
            action = f"{name}_c{copy}"
            positions_3d[rig][action], positions_2d[rig][action] = training_copy(clips[name], rig, rng)
            train_frames += positions_3d[rig][action].shape[0]
    for subject, actions in held_out_views(clips, test_names).items():
        for name, views in actions.items():
            positions_3d[subject][name] = clips[name][:, :17].astype(np.float32)
            positions_2d[subject][name] = views
    test_frames = sum(clips[n].shape[0] for n in test_names)

    metadata = {"layout_name": "coco", "num_joints": 17,
                "keypoints_symmetry": [synth.COCO_LEFT, synth.COCO_RIGHT]}
    np.savez_compressed(args.out_3d, positions_3d=positions_3d)
    np.savez_compressed(args.out_2d, positions_2d=positions_2d, metadata=metadata)
    print(f"training: {len(train_names)} clips x {args.copies} copies on rigs "
          f"{','.join(synth.TRAIN_CAMERA_SUBJECTS)}: {train_frames} frames x 4 cameras = {4 * train_frames} "
          f"2D frames; test: {len(test_names)} clips (CMU {','.join(test_subjects)}) on "
          f"{','.join(synth.EVAL_CAMERA_SUBJECTS)}: {test_frames} frames x 8 cameras = {8 * test_frames}; "
          f"{time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
