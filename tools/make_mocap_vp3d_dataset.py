#!/usr/bin/python3
"""Turn CMU motion capture (tools/mocap_to_h36m.py's npz) into a VideoPose3D Human3.6M-format dataset
(data_3d + ground-truth data_2d) that `lift3d train` reads, for the scarce-label experiment.

Each CMU subject is put on one Human3.6M subject's camera rig (its 4 real cameras: intrinsics, lens
distortion and extrinsics from data/cameras/h36m.json, the table lift3d has built in), so a
Human3.6M "subject" here is a rig holding the clips of one or more CMU subjects, each clip an action
named "<cmu subject>_<trial>" (e.g. "14_07"). The default assignment (--rigs):

    S1   <- 14                  labelled (the paper's S1)
    S5   <- 13                  unlabelled
    S6   <- 05, 03, 11          unlabelled
    S7   <- 06, 07, 08, 10      unlabelled
    S8   <- 09, 12              unlabelled
    S9   <- 01                  held out (test)
    S11  <- 02                  held out (test)

data_3d: positions_3d[rig][clip] = (frames, 32, 3) float32 world positions in metres (Z up, floor at
z = 0, the clip's path centred on the origin as mocap_to_h36m.py places it), the 17 converted
joints in the Human3.6M 32-joint slots VideoPose3D keeps (0, 1, 2, 3, 6, 7, 8, 12, 13, 14, 15, 17,
18, 19, 25, 26, 27); the 15 slots VideoPose3D removes hold a copy of their nearest kept ancestor
(they are never read).

data_2d: positions_2d[rig][clip] = [4 arrays (frames, 17, 2) float32], the 17 joints projected through
each of the rig's cameras with Human3.6M's distortion model (radial k1..k3, tangential p1, p2), in
pixels of the camera's image, as Human3.6M's ground-truth 2D file (VideoPose3D's `-k gt`); metadata
{layout_name 'h36m', num_joints 17, keypoints_symmetry}. No noise is added: this is the paper's
ground-truth-2D setting, not detector 2D.

The clips are real motion in a capture volume centred on the origin, like Human3.6M's, but some
walks cover 3-4.6 m and leave part of some cameras' images; the script reports, per rig and camera,
the share of projected joints outside the image and refuses a point with |x/z| or |y/z| > 1 (where
run.py's reprojection clamps) or one within 0.5 m of a camera.

Usage: make_mocap_vp3d_dataset.py --mocap h36m_cmu.npz --out-dir /tmp/mocap_vp3d [--rigs ...]
writes <out-dir>/data_3d_cmu.npz and <out-dir>/data_2d_cmu_gt.npz.
"""

import argparse
import json
import os
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
CAMERAS = ROOT / "data" / "cameras" / "h36m.json"

DEFAULT_RIGS = "S1=14;S5=13;S6=05,03,11;S7=06,07,08,10;S8=09,12;S9=01;S11=02"

H36M_PARENTS_32 = [-1, 0, 1, 2, 3, 4, 0, 6, 7, 8, 9, 0, 11, 12, 13, 14, 12, 16, 17, 18, 19, 20, 19, 22, 12,
                   24, 25, 26, 27, 28, 27, 30]
H36M_KEPT = [0, 1, 2, 3, 6, 7, 8, 12, 13, 14, 15, 17, 18, 19, 25, 26, 27]
H36M_METADATA = {"layout_name": "h36m", "num_joints": 17,
                 "keypoints_symmetry": [[4, 5, 6, 11, 12, 13], [1, 2, 3, 14, 15, 16]]}


def parse_rigs(text):
    """'S1=14;S5=13,05' -> {'S1': ['14'], 'S5': ['13', '05']} (rig order kept)."""
    rigs = {}
    for part in text.split(";"):
        rig, _, subjects = part.partition("=")
        rigs[rig.strip()] = [s.strip() for s in subjects.split(",") if s.strip()]
    return rigs


def to_32_joints(points17):
    """(frames, 17, 3) -> (frames, 32, 3): kept slots filled, removed slots copy their nearest kept ancestor."""
    out = np.zeros((points17.shape[0], 32, 3), dtype=np.float32)
    out[:, H36M_KEPT] = points17
    for j in range(32):
        if j in H36M_KEPT:
            continue
        a = H36M_PARENTS_32[j]
        while a not in H36M_KEPT:
            a = H36M_PARENTS_32[a]
        out[:, j] = out[:, a]
    return out


def qrot(q, v):
    """Rotate vectors v (..., 3) by the unit quaternion q = (w, x, y, z)."""
    u = np.asarray(q[1:], dtype=np.float64)
    uv = np.cross(u, v)
    uuv = np.cross(u, uv)
    return v + 2 * (q[0] * uv + uuv)


def world_to_camera(world, extrinsic):
    """World (m) -> camera frame (m): the conjugate of the camera-to-world orientation applied to X - t."""
    q = np.asarray(extrinsic["orientation"], dtype=np.float64)
    conjugate = np.concatenate([q[:1], -q[1:]])
    t = np.asarray(extrinsic["translation"], dtype=np.float64) / 1000.0  # the table holds millimetres
    return qrot(conjugate, world.astype(np.float64) - t)


def project_pixels(camera_points, intrinsics):
    """Human3.6M's camera model (VideoPose3D's project_to_2d, in pixels): pinhole, radial k1..k3 and
    tangential p1, p2 distortion of the normalised coordinates, then focal length and centre in pixels."""
    xy = camera_points[..., :2] / camera_points[..., 2:]
    k = np.asarray(intrinsics["radial_distortion"], dtype=np.float64)
    p = np.asarray(intrinsics["tangential_distortion"], dtype=np.float64)
    r2 = np.sum(xy ** 2, axis=-1, keepdims=True)
    radial = 1 + k[0] * r2 + k[1] * r2 ** 2 + k[2] * r2 ** 3
    tangential = np.sum(p * xy, axis=-1, keepdims=True)
    distorted = xy * (radial + tangential) + p * r2
    return distorted * np.asarray(intrinsics["focal_length"]) + np.asarray(intrinsics["center"])


def view_of(points17, intrinsics, extrinsic, where):
    """(frames, 17, 2) float32 pixels, and the number of joint positions outside the image."""
    cam = world_to_camera(points17, extrinsic)
    if (cam[..., 2] < 0.5).any():
        raise SystemExit(f"{where}: a joint is within 0.5 m of the camera or behind it")
    ratio = np.abs(cam[..., :2] / cam[..., 2:])
    if (ratio > 1).any():
        raise SystemExit(f"{where}: a joint is beyond 45 degrees off the optical axis (run.py's clamp)")
    px = project_pixels(cam, intrinsics)
    w, h = intrinsics["res_w"], intrinsics["res_h"]
    outside = int(np.sum((px[..., 0] < 0) | (px[..., 0] >= w) | (px[..., 1] < 0) | (px[..., 1] >= h)))
    return px.astype(np.float32), outside


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mocap", required=True, help="tools/mocap_to_h36m.py's output npz")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--rigs", default=DEFAULT_RIGS, help=f"rig=CMU subjects;... (default {DEFAULT_RIGS})")
    args = ap.parse_args()

    table = json.loads(CAMERAS.read_text())
    mocap = np.load(args.mocap)
    clips = [str(c) for c in mocap["clips"]]
    subject_of = dict(zip(clips, (str(s) for s in mocap["subjects"])))
    rigs = parse_rigs(args.rigs)
    assigned = [s for subjects in rigs.values() for s in subjects]
    if len(assigned) != len(set(assigned)):
        raise SystemExit("--rigs: a CMU subject is on two rigs")

    positions_3d, positions_2d = {}, {}
    print("rig   CMU subjects        clips  frames  joints outside the image per camera (%)", file=sys.stderr)
    for rig, subjects in rigs.items():
        extrinsics = table["extrinsics"][rig]
        outside, total, frames = [0] * 4, 0, 0
        rig_clips = [c for c in clips if subject_of[c] in subjects]
        for clip in rig_clips:
            points17 = mocap[clip][:, :17]  # 17..21 are COCO face points, not used here
            positions_3d.setdefault(rig, {})[clip] = to_32_joints(points17)
            views = []
            for c, intrinsics in enumerate(table["cameras"]):
                px, out = view_of(points17, intrinsics, extrinsics[c], f"{rig}/{clip} camera {c}")
                views.append(px)
                outside[c] += out
            positions_2d.setdefault(rig, {})[clip] = views
            total += points17.shape[0] * 17
            frames += points17.shape[0]
        shares = " ".join(f"{100.0 * o / max(total, 1):5.1f}" for o in outside)
        print(f"{rig:<5} {','.join(subjects):<19} {len(rig_clips):5d} {frames:7d}  {shares}", file=sys.stderr)

    os.makedirs(args.out_dir, exist_ok=True)
    path_3d = os.path.join(args.out_dir, "data_3d_cmu.npz")
    path_2d = os.path.join(args.out_dir, "data_2d_cmu_gt.npz")
    np.savez_compressed(path_3d, positions_3d=positions_3d)
    np.savez_compressed(path_2d, positions_2d=positions_2d, metadata=H36M_METADATA)
    print(f"wrote {path_3d} and {path_2d}", file=sys.stderr)


if __name__ == "__main__":
    main()
