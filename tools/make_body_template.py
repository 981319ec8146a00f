#!/usr/bin/python3
"""Compute the body template lift3d fits to the visible joints to place joints a clip never shows,
and write it as the C++ table src/core/body_template_table.cpp.

Data: the CMU motion capture the default model was trained on (data/models/README.md), converted to
Human3.6M-17 plus five face points by tools/mocap_to_h36m.py (imported from beside this script;
its forward kinematics and joint mapping are used as they are).

Template (the mean pose): every frame of the flat-ground walking clips (manifest tags "walk",
"walk (slow)", "walk (stride)") is turned to face the camera and averaged. Facing the camera means
the frame of a camera looking at the person from the front, the image's axes:
  x = the person's left (hip-to-hip direction, made horizontal; a person facing the camera has
      their left on the image's right), y = down (the world's -Z), z = away from the camera
      (the person's backward direction),
with the origin at the pelvis (the mid-point of the hip joints). All clips share one retargeted
skeleton (mocap README, quirk 2), so no scale normalisation is needed: the template is in metres.
Walking averages to a neutral standing pose (feet under the hips, arms hanging, legs straight).

Spread (how far each joint strays from the template in real motion; lift3d weights the fit by
1 / spread^2): every 4th frame of every clip (all motions, sitting and climbing included), faced to
the camera as above and projected orthographically onto the image plane, is aligned to the projected
template by a 2D similarity fit (scale, rotation, translation; least squares, every joint weighing
the same: Procrustes); a joint's spread is the root mean square distance of its aligned position
from the template's. (Weighting this alignment by the spreads themselves and iterating has a
degenerate fixed point: the two best-fitting joints take all the weight and their spread goes to 0.)

Layouts: COCO-17 (COCO's order; face points as mocap_to_h36m.py places them) and Human3.6M-17 as
lift3d's --layout h36m inputs are made from COCO keypoints (src/base/joint_mapping.cpp, MMPose's
synthesis): pelvis = mid-hips, thorax = mid-shoulders, spine = mean of hips and shoulders, joint 9
(neck/nose) = the nose, joint 10 (head) = mid-eyes. The H36M-17 template is that mapping applied to
the COCO-17 points of every frame, so it matches what the pipeline feeds the model.

Usage: make_body_template.py --mocap-dir <dir with manifest.tsv> --out src/core/body_template_table.cpp
"""

import argparse
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mocap_to_h36m  # noqa: E402  (same folder)

WALK_TAGS = {"walk", "walk (slow)", "walk (stride)"}
SPREAD_FRAME_STEP = 4

COCO_NAMES = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
              "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
              "right_knee", "left_ankle", "right_ankle"]
# COCO-17 joint -> index into mocap_to_h36m's 22 points (0-16 H36M-17, 17-21 nose, eyes, ears).
COCO_FROM_POINTS = [17, 18, 19, 20, 21, 11, 14, 12, 15, 13, 16, 4, 1, 5, 2, 6, 3]
H36M_NAMES = ["pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "spine",
              "thorax", "neck", "head", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder",
              "right_elbow", "right_wrist"]
# Human3.6M-17 joint <- mean of these COCO-17 joints (lift3d's coco -> h36m table).
H36M_FROM_COCO = [[11, 12], [12], [14], [16], [11], [13], [15], [11, 12, 5, 6], [5, 6], [0], [1, 2], [5], [7], [9],
                  [6], [8], [10]]
LEFT_HIP, RIGHT_HIP = 11, 12  # COCO indices


def coco_points(points22):
    return points22[:, COCO_FROM_POINTS]


def h36m_from_coco(coco):
    return np.stack([coco[:, sources].mean(axis=1) for sources in H36M_FROM_COCO], axis=1)


def facing_camera(coco_world):
    """World (metres, Z up) -> the frontal camera frame described above, pelvis at the origin."""
    pelvis = 0.5 * (coco_world[:, LEFT_HIP] + coco_world[:, RIGHT_HIP])
    left = coco_world[:, LEFT_HIP] - coco_world[:, RIGHT_HIP]
    left[:, 2] = 0.0
    left /= np.linalg.norm(left, axis=1, keepdims=True)
    up = np.array([0.0, 0.0, 1.0])
    forward = np.cross(left, up)
    d = coco_world - pelvis[:, None, :]
    x = np.einsum("fjk,fk->fj", d, left)
    y = -d[..., 2]
    z = -np.einsum("fjk,fk->fj", d, forward)
    return np.stack([x, y, z], axis=-1)


def similarity_fit(source, target, weights):
    """Weighted least-squares similarity (no reflection) taking source (n x 2) onto target (n x 2):
    target ~ c * source + t in complex numbers, c = s e^{i phi}. Returns the mapped source."""
    a = source[:, 0] + 1j * source[:, 1]
    b = target[:, 0] + 1j * target[:, 1]
    w = weights / weights.sum()
    a0, b0 = (w * a).sum(), (w * b).sum()
    ac, bc = a - a0, b - b0
    c = (w * np.conj(ac) * bc).sum() / (w * np.abs(ac) ** 2).sum()
    mapped = c * ac + b0
    return np.stack([mapped.real, mapped.imag], axis=1)


def spreads(template_2d, frames_2d):
    """Root mean square distance of each joint from the template after an equal-weight similarity
    fit of the whole pose onto the template (the frame's pose onto the template, so the distances
    are in the template's metres)."""
    weights = np.ones(template_2d.shape[0])
    squared = np.zeros(template_2d.shape[0])
    for frame in frames_2d:
        aligned = similarity_fit(frame, template_2d, weights)
        squared += ((aligned - template_2d) ** 2).sum(axis=1)
    return np.sqrt(squared / len(frames_2d))


def cpp_table(name, joint_names, template, spread):
    lines = [f"const BodyTemplate& {name}() {{",
             "  static const BodyTemplate table = {",
             "      // x (the person's left), y (down), z (away from the camera), metres; spread, metres"]
    rows = []
    for joint, (point, s) in enumerate(zip(template, spread)):
        rows.append(f"      {{{{{point[0]:+.4f}, {point[1]:+.4f}, {point[2]:+.4f}}}, {s:.4f}}},  // {joint_names[joint]}")
    lines.append("      {\n" + "\n".join(rows) + "\n      }};")
    lines.append("  return table;")
    lines.append("}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mocap-dir", required=True, help="folder holding manifest.tsv and cmu/")
    ap.add_argument("--out", required=True, help="the C++ file to write")
    args = ap.parse_args()

    with open(os.path.join(args.mocap_dir, "manifest.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    walking, sampled = [], []
    walk_clips = 0
    for row in rows:
        points22, _ = mocap_to_h36m.convert_clip(os.path.join(args.mocap_dir, row["file"]))
        coco = facing_camera(coco_points(points22.astype(np.float64)))
        if row["motion_tags"] in WALK_TAGS:
            walking.append(coco)
            walk_clips += 1
        sampled.append(coco[::SPREAD_FRAME_STEP])
        print(f"{row['trial']}: {points22.shape[0]} frames", file=sys.stderr)
    walking = np.concatenate(walking)
    sampled = np.concatenate(sampled)

    coco_template = walking.mean(axis=0)
    h36m_template = h36m_from_coco(walking).mean(axis=0)
    coco_spread = spreads(coco_template[:, :2], sampled[..., :2])
    h36m_spread = spreads(h36m_template[:, :2], h36m_from_coco(sampled)[..., :2])
    print(f"template: {walking.shape[0]} frames of {walk_clips} walking clips; spread: {sampled.shape[0]} frames "
          f"of {len(rows)} clips", file=sys.stderr)

    text = f"""// Generated by tools/make_body_template.py from CMU motion capture (data/models/README.md; the data
// was obtained from mocap.cs.cmu.edu, the database was created with funding from NSF EIA-0196217;
// BVH conversion by B. Hahne, cgspeed.com). Do not edit: rerun the script.
//
// Mean pose of {walking.shape[0]} frames (50 fps) of {walk_clips} flat-ground walking clips, each frame turned to face the
// camera, pelvis (mid-hips) at the origin; spread of each joint over {sampled.shape[0]} frames of all {len(rows)} clips
// after a weighted similarity fit onto the template's frontal projection (see the script).
#include "core/body_template.hpp"

namespace lift3d::core {{

{cpp_table("coco_body_template", COCO_NAMES, coco_template, coco_spread)}

{cpp_table("h36m_body_template", H36M_NAMES, h36m_template, h36m_spread)}

}}  // namespace lift3d::core
"""
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
