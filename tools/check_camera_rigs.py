#!/usr/bin/python3
"""Check the camera rigs of tools/make_default_training_set.py's virtual-rig mode (--cameras-out)
against the geometry lift3d applies to a camera file, computed here independently of the generator's
rendering code: world -> camera by the file's quaternion and translation as VideoPose3D's
common/camera.py does it (qrot(conj(q), X - t / 1000)), then its project_to_2d (x/z and y/z clamped
to [-1, 1], radial k1..k3 and tangential p1, p2 distortion) with the file's intrinsics, in float64.

1. Quaternions: quaternion_from_matrix on random rotations, including rotations by nearly 180
   degrees about each axis (each branch of the conversion), gives back the matrix.
2. In memory: `--rigs` training copies built by the generator's own functions; their camera file
   (written by the generator's writer, read back as JSON) reproduces the generator's noise-free
   pixels of all 17 COCO keypoints (limit 1e-3 px).
3. With --cameras/--data-3d/--data-2d (a generated set): every training view's 12 COCO body
   keypoints (shoulders to ankles, the ones the 17-joint 3D file determines) projected from the
   3D file through the camera file; views whose 2D matches to 1e-3 px are the noise-free ones (about
   10 %), the others should differ by detector noise. Also: how much of each view keeps the body
   inside the image, S9/S11 entries equal to data/cameras/h36m.json, and with --reference-2d the
   held-out 2D equal to another generated set's (e.g. the fixed-rig mode's).

Usage:
  check_camera_rigs.py --data h36m_cmu.npz [--rigs 24] [--seed 11] \
      [--cameras cameras.json --data-3d data_3d.npz --data-2d data_2d.npz [--reference-2d other_2d.npz]]
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_default_training_set as generator  # noqa: E402
import train_default_model as synth  # noqa: E402

LIMIT_PX = 1e-3
BODY_KEYPOINTS = list(range(5, 17))  # COCO shoulders .. ankles: H36M joints, known from the 3D file
BODY_POINTS = [synth.COCO_FROM_POINTS[k] for k in BODY_KEYPOINTS]  # their H36M-17 joints


# --- The reference geometry (VideoPose3D common/quaternion.py, common/camera.py), float64 ----------

def qrot(q, v):
    """Rotate v (..., 3) by the quaternion q (4,) (w, x, y, z), as the reference's qrot."""
    u = np.broadcast_to(q[1:], v.shape)
    uv = np.cross(u, v)
    uuv = np.cross(u, uv)
    return v + 2 * (q[0] * uv + uuv)


def world_to_camera(points, entry):
    q = np.array(entry["orientation"], dtype=np.float64)
    t = np.array(entry["translation"], dtype=np.float64) / 1000.0
    conj = q * np.array([1.0, -1.0, -1.0, -1.0])
    return qrot(conj, points.astype(np.float64) - t)


def project_to_2d(points_cam, entry):
    f = np.array(entry["focal_length"], dtype=np.float64)
    c = np.array(entry["center"], dtype=np.float64)
    k = np.array(entry.get("radial_distortion", [0.0, 0.0, 0.0]), dtype=np.float64)
    p = np.array(entry.get("tangential_distortion", [0.0, 0.0]), dtype=np.float64)
    xx = np.clip(points_cam[..., :2] / points_cam[..., 2:], -1, 1)
    r2 = np.sum(xx ** 2, axis=-1, keepdims=True)
    radial = 1 + np.sum(k * np.concatenate([r2, r2 ** 2, r2 ** 3], axis=-1), axis=-1, keepdims=True)
    tan = np.sum(p * xx, axis=-1, keepdims=True)
    return f * (xx * (radial + tan) + p * r2) + c


def file_pixels(points_world, entry):
    return project_to_2d(world_to_camera(points_world, entry), entry)


def inside_fraction(pixels, entry):
    u, v = pixels[..., 0], pixels[..., 1]
    inside = (u >= 0) & (u < entry["res_w"]) & (v >= 0) & (v < entry["res_h"])
    return float(inside.all(axis=1).mean())


# --- 1. quaternion conversion -------------------------------------------------------------------

def check_quaternions(rng):
    worst = 0.0
    rotations = []
    for _ in range(2000):
        q = rng.normal(size=4)
        rotations.append(synth.quaternion_matrix(q / np.linalg.norm(q)))
    for axis in np.eye(3):
        for angle in (np.pi, np.pi - 1e-6, np.pi - 0.3):
            q = np.concatenate([[np.cos(angle / 2)], np.sin(angle / 2) * axis])
            rotations.append(synth.quaternion_matrix(q))
    for M in rotations:
        q = generator.quaternion_from_matrix(M)
        worst = max(worst, float(np.abs(synth.quaternion_matrix(q) - M).max()), abs(float(np.linalg.norm(q)) - 1))
    print(f"1. quaternion_from_matrix on {len(rotations)} rotations: max |R(q) - M| {worst:.1e}")
    return worst < 1e-12


# --- 2. in memory ---------------------------------------------------------------------------------

def check_in_memory(data, count, seed):
    clips, train_names, _, _ = synth.load_clips(data)
    rng = np.random.default_rng(seed)
    table = generator.load_h36m_table()
    chosen = rng.choice(len(train_names), size=min(count, len(train_names)), replace=False)
    subjects = generator.subject_names(len(chosen))
    rigs, rendered = {}, {}
    for subject, clip_index in zip(subjects, chosen):
        world, _, clean_views, rig = generator.virtual_rig_copy(clips[train_names[clip_index]], subject, table, rng)
        rigs[subject] = [camera.entry for camera in rig]
        rendered[subject] = (world, clean_views, [camera.kind for camera in rig])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cameras.json")
        generator.write_atomically(path, generator.camera_file_text(rigs, table, "check"))
        with open(path) as f:
            doc = json.load(f)
    worst = {"virtual": 0.0, "h36m": 0.0}
    views = {"virtual": 0, "h36m": 0}
    frames = 0
    for subject, (world, clean_views, kinds) in rendered.items():
        for entry, clean, kind in zip(doc["extrinsics"][subject], clean_views, kinds):
            expected = file_pixels(world, entry)[:, synth.COCO_FROM_POINTS]
            worst[kind] = max(worst[kind], float(np.abs(expected - clean).max()))
            views[kind] += 1
        frames += world.shape[0]
    print(f"2. in memory, {len(rendered)} rigs ({frames} frames): file vs generator's noise-free pixels, all 17 "
          f"keypoints: virtual cameras ({views['virtual']}) max {worst['virtual']:.2e} px, Human3.6M cameras "
          f"({views['h36m']}) max {worst['h36m']:.2e} px (limit {LIMIT_PX} px)")
    return max(worst.values()) < LIMIT_PX


# --- 3. a generated set ---------------------------------------------------------------------------

def is_virtual(entry):
    return "-virtual" in entry["id"]


def check_generated_set(args):
    with open(args.cameras) as f:
        doc = json.load(f)
    positions_3d = np.load(args.data_3d, allow_pickle=True)["positions_3d"].item()
    positions_2d = np.load(args.data_2d, allow_pickle=True)["positions_2d"].item()
    ok = True
    training = [s for s in positions_3d if s not in synth.EVAL_CAMERA_SUBJECTS]
    missing = [s for s in positions_3d if s not in doc["extrinsics"]]
    if missing:
        print(f"3. subjects without cameras in {args.cameras}: {missing[:5]}")
        return False
    clean_worst, clean_views, noisy_median = 0.0, 0, []
    inside = {True: [], False: []}
    for subject in training:
        entries = doc["extrinsics"][subject]
        for action, world in positions_3d[subject].items():
            views = positions_2d[subject][action]
            if len(views) != 4 or len(entries) != 4 or any(v.shape[0] != world.shape[0] for v in views):
                print(f"3. {subject} {action}: {len(views)} views, {len(entries)} cameras, frames differ or not 4")
                ok = False
                continue
            for entry, view in zip(entries, views):
                expected = file_pixels(world, entry)[:, BODY_POINTS]
                diff = np.abs(expected - view[:, BODY_KEYPOINTS])
                if diff.max() < LIMIT_PX:
                    clean_views += 1
                    clean_worst = max(clean_worst, float(diff.max()))
                else:
                    noisy_median.append(float(np.median(np.linalg.norm(expected - view[:, BODY_KEYPOINTS], axis=-1))))
                inside[is_virtual(entry)].append(inside_fraction(expected, entry))
    total = clean_views + len(noisy_median)
    print(f"3. {args.cameras}: {len(training)} training subjects, {total} views; {clean_views} "
          f"({100 * clean_views / max(total, 1):.1f} %) reproduced from the 3D file through the camera file to "
          f"max {clean_worst:.2e} px (12 body keypoints; the noise-free ones), the other {len(noisy_median)} "
          f"differ by a per-view median of {np.median(noisy_median):.2f} px (median over views; detector noise)")
    for virtual, fractions in inside.items():
        if fractions:
            fractions = np.array(fractions)
            print(f"   {'virtual' if virtual else 'Human3.6M'} cameras: {len(fractions)} views, body keypoints all "
                  f"inside the image in {100 * fractions.mean():.1f} % of frames on average, min "
                  f"{100 * fractions.min():.1f} %, {int((fractions < 0.95).sum())} views under 95 %, "
                  f"{int((fractions < 0.5).sum())} under 50 %")
    ok &= total > 0 and 0.05 < clean_views / total < 0.16
    ok &= check_test_rigs(doc, args, positions_2d)
    return ok


def check_test_rigs(doc, args, positions_2d):
    table = generator.load_h36m_table()
    ok = True
    for subject in synth.EVAL_CAMERA_SUBJECTS:
        expected = [generator.h36m_entry(table, subject, index) for index in range(4)]
        if doc["extrinsics"].get(subject) != expected:
            print(f"   {subject}: entries differ from data/cameras/h36m.json")
            ok = False
    message = "S9/S11 entries equal data/cameras/h36m.json's values" if ok else ""
    if args.reference_2d:
        reference = np.load(args.reference_2d, allow_pickle=True)["positions_2d"].item()
        same = all(list(positions_2d[s]) == list(reference[s])
                   and all(all(np.array_equal(a, b) for a, b in zip(positions_2d[s][n], reference[s][n]))
                           for n in positions_2d[s])
                   for s in synth.EVAL_CAMERA_SUBJECTS)
        views = sum(len(v) for s in synth.EVAL_CAMERA_SUBJECTS for v in positions_2d[s].values())
        message += (f"; held-out 2D ({views} views) {'identical to' if same else 'DIFFERENT from'} "
                    f"{args.reference_2d}")
        ok &= same
    print("   " + message)
    return ok


def main():
    ap = argparse.ArgumentParser(description="check make_default_training_set.py's camera rigs")
    ap.add_argument("--data", required=True, help="npz written by mocap_to_h36m.py")
    ap.add_argument("--rigs", type=int, default=24, help="rigs to build and check in memory")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--cameras", default="", help="camera file of a generated set")
    ap.add_argument("--data-3d", default="")
    ap.add_argument("--data-2d", default="")
    ap.add_argument("--reference-2d", default="", help="another generated data_2d with the same held-out part")
    args = ap.parse_args()
    ok = check_quaternions(np.random.default_rng(args.seed))
    ok &= check_in_memory(args.data, args.rigs, args.seed)
    if args.cameras:
        if not (args.data_3d and args.data_2d):
            ap.error("--cameras needs --data-3d and --data-2d")
        ok &= check_generated_set(args)
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
