#!/usr/bin/python3
"""Build a Human3.6M-format dataset (VideoPose3D's data_3d / data_2d .npz pair) from CMU motion
capture, for training lift3d's default model with `lift3d train --dataset h36m`.

`lift3d train` reads Human3.6M's layout: 3D joint positions per subject and action in the world frame
(metres), and per action one 2D keypoint array for each of the subject's 4 cameras. The people are
CMU's; what a "subject" is depends on the mode.

Fixed-rig mode (default): a subject is a rig of 4 real Human3.6M cameras taken from lift3d's
built-in camera table.

* Training rigs S1, S5, S6, S7, S8: every training clip (CMU subjects other than 01 and 02) rendered
  `--copies` times, each copy its own action "<clip>_c<k>" on one rig (round robin), with the
  augmentations of tools/train_default_model.py applied once per copy: a constant time warp, random
  bone re-proportioning, a random turn about the vertical and a placement within 0.8 m of the origin
  (so the rig's 4 cameras see the body from varied directions), and COCO-17 keypoints with
  detector-like noise drawn independently for each camera view (level U(0, 1.6), 10 % noise-free).
  The built-in table fixes each subject's cameras, so the Python trainer's random virtual cameras
  cannot be expressed in this mode.

Virtual-rig mode (`--cameras-out FILE`): every training copy is its own subject R0001, R0002, ...
(one action "<clip>_c<k>") with its own 4 cameras, written to a camera table JSON for
`lift3d train --cameras FILE` (the file replaces the built-in table). Each camera, independently:
with probability 0.5 one of the 20 Human3.6M training cameras (a random subject of S1, S5-S8 and a
random index, exact intrinsics with distortion and exact extrinsics), otherwise a random virtual
camera drawn as train_default_model.virtual_cameras() draws them (yaw anywhere, 3.5-6 m away,
0.8-2 m high, slight roll, focal 1100-1500 px, 1000 x 1000, no distortion), aimed at the copy's
mean pelvis at a height U(0.8, 1.1) m. One camera sees a whole clip, in which people may walk, so a
virtual camera is redrawn (up to 20 tries, then a Human3.6M camera is used instead) unless the
pelvis stays >= 2 m in front of it in every frame and all keypoints project inside the image in
>= 95 % of the frames. A virtual camera's rotation is stored as a unit quaternion rounded to
float32 and its centre as float32 millimetres, and the 2D is rendered through the camera rebuilt
from exactly those stored numbers, so the file reproduces the noise-free 2D (checked by
tools/check_camera_rigs.py). The augmentations per copy are those of the fixed-rig mode. The file
also holds S9 and S11 with Human3.6M's values (copied from data/cameras/h36m.json). The training
subjects' comma-separated list (for `lift3d train --subjects-train`) is printed or written to
`--subjects-out`.

Both modes: test rigs S9, S11 hold the held-out clips (CMU 01, 02) as converted, 2D noise level 1,
generated with the same random sequence as train_default_model.py's evaluation (seed 99), so
`lift3d train`'s end-of-run evaluation sees the very 2D inputs of
`train_default_model.py --evaluate-only`.

The 3D file holds the 17 Human3.6M joints directly (lift3d accepts 17 as well as Human3.6M's 32).
The 2D file's metadata names the COCO layout and its left/right keypoints, used for the flip
augmentation and flip test-time augmentation.

Usage:
  make_default_training_set.py --data h36m_cmu.npz --out-3d data_3d_cmu.npz --out-2d data_2d_cmu_coco.npz \
      [--copies 4] [--seed 2024] [--cameras-out cameras.json [--subjects-out subjects.txt]]
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_default_model as synth  # noqa: E402  (the 2D synthesis of the Python trainer)

EVAL_SEED = 99          # train_default_model.evaluate()'s seed
EVAL_NOISE_LEVEL = 1.0  # train_default_model.py's --eval-noise default
PLACEMENT_RADIUS_M = 0.8

# Virtual-rig mode
H36M_CAMERA_PROBABILITY = 0.5    # as train_default_model.make_batch's h36m_fraction
AIM_HEIGHT_RANGE_M = (0.8, 1.1)  # virtual cameras aim at the mean pelvis at this height
VIRTUAL_CAMERA_TRIES = 20        # redraws of a virtual camera before falling back to Human3.6M's
MIN_PELVIS_DEPTH_M = 2.0         # the pelvis must stay this far in front of a virtual camera...
MIN_IN_IMAGE_FRACTION = 0.95     # ...and all keypoints inside its image in this share of frames
H36M_TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "cameras", "h36m.json")


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


def augmented_world(clip, rng):
    """One augmented copy of a clip: time warp, bone scales, turn and placement; (T, 22, 3) world
    frame, metres, float32."""
    return placed_in_world(synth.scale_bones(time_warped(clip, rng), rng), rng)[0].astype(np.float32)


def training_copy(clip, rig, rng):
    """One augmented copy of a clip on one training rig: H36M-17 world positions (T, 17, 3) and the
    4 cameras' noisy COCO-17 pixels [(T, 17, 2)] * 4."""
    world = augmented_world(clip, rng)
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


# ----------------------------------------------------------------------------------------------
# Virtual-rig mode


def load_h36m_table():
    """data/cameras/h36m.json, checked against the Python trainer's copy of the same numbers (the
    2D is rendered from the trainer's, the file is written from the JSON's)."""
    with open(H36M_TABLE) as f:
        table = json.load(f)
    for index, camera in enumerate(table["cameras"]):
        mine = synth.H36M_INTRINSICS[index]
        same = (tuple(camera["center"]) == tuple(mine["center"])
                and tuple(camera["focal_length"]) == tuple(mine["focal"])
                and tuple(camera["radial_distortion"]) == tuple(mine["k"])
                and tuple(camera["tangential_distortion"]) == tuple(mine["p"])
                and (camera["res_w"], camera["res_h"]) == (mine["w"], mine["h"]))
        if not same:
            sys.exit(f"{H36M_TABLE}: camera {index} differs from train_default_model.H36M_INTRINSICS")
    for subject, cameras in synth.H36M_EXTRINSICS.items():
        for index, (q, t) in enumerate(cameras):
            entry = table["extrinsics"][subject][index]
            if entry.get("orientation") != list(q) or entry.get("translation") != list(t):
                sys.exit(f"{H36M_TABLE}: {subject} camera {index} differs from train_default_model.H36M_EXTRINSICS")
    return table


def h36m_entry(table, subject, index, camera_id=None):
    """One self-contained camera entry of the output file: Human3.6M's intrinsics of camera `index`
    and `subject`'s extrinsics, the same float values as the table."""
    intrinsics = table["cameras"][index]
    extrinsics = table["extrinsics"][subject][index]
    return {"id": camera_id or intrinsics["id"], "res_w": intrinsics["res_w"], "res_h": intrinsics["res_h"],
            "azimuth": intrinsics["azimuth"], "focal_length": intrinsics["focal_length"],
            "center": intrinsics["center"], "radial_distortion": intrinsics["radial_distortion"],
            "tangential_distortion": intrinsics["tangential_distortion"],
            "orientation": extrinsics["orientation"], "translation": extrinsics["translation"]}


def quaternion_from_matrix(M):
    """Unit quaternion (w, x, y, z) of a rotation matrix (active rotation, as
    train_default_model.quaternion_matrix), by Shepperd's method: the largest of 4w^2, 4x^2, 4y^2,
    4z^2 is taken from the diagonal and the others from off-diagonal sums, so no division by a small
    number. The sign is chosen with w >= 0."""
    M = np.asarray(M, dtype=np.float64)
    trace = M[0, 0] + M[1, 1] + M[2, 2]
    candidates = [trace, M[0, 0], M[1, 1], M[2, 2]]
    largest = int(np.argmax(candidates))
    if largest == 0:
        s = 2.0 * np.sqrt(1.0 + trace)
        q = [0.25 * s, (M[2, 1] - M[1, 2]) / s, (M[0, 2] - M[2, 0]) / s, (M[1, 0] - M[0, 1]) / s]
    elif largest == 1:
        s = 2.0 * np.sqrt(1.0 + M[0, 0] - M[1, 1] - M[2, 2])
        q = [(M[2, 1] - M[1, 2]) / s, 0.25 * s, (M[0, 1] + M[1, 0]) / s, (M[0, 2] + M[2, 0]) / s]
    elif largest == 2:
        s = 2.0 * np.sqrt(1.0 + M[1, 1] - M[0, 0] - M[2, 2])
        q = [(M[0, 2] - M[2, 0]) / s, (M[0, 1] + M[1, 0]) / s, 0.25 * s, (M[1, 2] + M[2, 1]) / s]
    else:
        s = 2.0 * np.sqrt(1.0 + M[2, 2] - M[0, 0] - M[1, 1])
        q = [(M[1, 0] - M[0, 1]) / s, (M[0, 2] + M[2, 0]) / s, (M[1, 2] + M[2, 1]) / s, 0.25 * s]
    q = np.array(q)
    q /= np.linalg.norm(q)
    return -q if q[0] < 0 else q


def float32_list(values):
    """Values rounded to float32, as Python floats (JSON writes them exactly; a float32 reader gets
    the same numbers back)."""
    return [float(v) for v in np.asarray(values, dtype=np.float32).ravel()]


def stored_virtual_camera(drawn, camera_id):
    """A drawn virtual camera (synth.Cameras of one) -> (the camera rebuilt from the numbers the file
    stores, its file entry). The file holds the camera-to-world rotation R^T (R's rows are the
    camera axes in world coordinates) as a unit quaternion and the centre in millimetres, both
    float32; rendering through the rebuilt camera makes the file reproduce the 2D."""
    orientation = float32_list(quaternion_from_matrix(drawn.R[0].astype(np.float64).T))
    translation_mm = float32_list(drawn.C[0].astype(np.float64) * 1000.0)
    focal, center = float32_list(drawn.focal[0]), float32_list(drawn.center[0])
    R = synth.quaternion_matrix(np.array(orientation)).T
    C = np.array(translation_mm) / 1000.0
    cams = synth.Cameras(R[None], C[None], np.array([focal]), np.array([center]), np.zeros((1, 3)),
                         np.zeros((1, 2)), np.array([1000]), np.array([1000]))
    entry = {"id": camera_id, "res_w": 1000, "res_h": 1000, "azimuth": 0, "focal_length": focal,
             "center": center, "radial_distortion": [0.0, 0.0, 0.0], "tangential_distortion": [0.0, 0.0],
             "orientation": orientation, "translation": translation_mm}
    return cams, entry


def noise_free_pixels(world, cams):
    """World points (T, 22, 3) through one camera: camera-frame points (T, 22, 3) and COCO-17 pixels
    (T, 17, 2), as render_view computes them before the noise."""
    cam_points = synth.to_camera(world[None], cams)
    return cam_points[0], synth.project(cam_points, cams)[0][:, synth.COCO_FROM_POINTS]


def sees_whole_clip(world, cams):
    """Whether a camera keeps the pelvis >= MIN_PELVIS_DEPTH_M in front of it in every frame and all
    17 keypoints inside its image in >= MIN_IN_IMAGE_FRACTION of the frames."""
    cam_points, pixels = noise_free_pixels(world, cams)
    if cam_points[:, 0, 2].min() < MIN_PELVIS_DEPTH_M:
        return False
    return in_image_fraction(pixels, cams) >= MIN_IN_IMAGE_FRACTION


def in_image_fraction(pixels, cams):
    """Share of frames whose 17 keypoints all lie inside the image [0, w) x [0, h)."""
    u, v = pixels[..., 0], pixels[..., 1]
    inside = (u >= 0) & (u < cams.w[0]) & (v >= 0) & (v < cams.h[0])
    return float(inside.all(axis=1).mean())


class RigCamera:
    """One camera of a virtual rig: `cams` renders the 2D, `entry` is its camera file entry, `kind`
    "h36m" or "virtual", `rejected` virtual draws that did not see the whole clip before this one,
    `fallback` when a Human3.6M camera replaced VIRTUAL_CAMERA_TRIES such draws."""

    def __init__(self, cams, entry, kind, rejected=0, fallback=False):
        self.cams, self.entry, self.kind = cams, entry, kind
        self.rejected, self.fallback = rejected, fallback


def random_h36m_camera(table, rng, rejected=0, fallback=False):
    subject = synth.TRAIN_CAMERA_SUBJECTS[int(rng.integers(0, len(synth.TRAIN_CAMERA_SUBJECTS)))]
    index = int(rng.integers(0, 4))
    camera_id = f"{subject}-{table['cameras'][index]['id']}"
    return RigCamera(synth.h36m_cameras([(subject, index)]), h36m_entry(table, subject, index, camera_id), "h36m",
                     rejected, fallback)


def random_rig_camera(world, table, rng, camera_id):
    """A Human3.6M training camera with probability H36M_CAMERA_PROBABILITY, else a virtual camera
    aimed at the copy's mean pelvis that sees the whole clip (a Human3.6M camera when none of
    VIRTUAL_CAMERA_TRIES draws does)."""
    if rng.random() < H36M_CAMERA_PROBABILITY:
        return random_h36m_camera(table, rng)
    look_at = world[:, 0].mean(axis=0).astype(np.float64)
    for rejected in range(VIRTUAL_CAMERA_TRIES):
        look_at[2] = rng.uniform(*AIM_HEIGHT_RANGE_M)
        cams, entry = stored_virtual_camera(synth.virtual_cameras(rng, 1, look_at[None]), camera_id)
        if sees_whole_clip(world, cams):
            return RigCamera(cams, entry, "virtual", rejected)
    return random_h36m_camera(table, rng, VIRTUAL_CAMERA_TRIES, fallback=True)


def virtual_rig_copy(clip, subject, table, rng):
    """One augmented copy of a clip on its own rig of 4 random cameras: the world positions of all
    22 converter points (T, 22, 3; the first 17 are H36M-17), the 4 views' noisy COCO-17 pixels
    [(T, 17, 2)] * 4, their noise-free pixels, and the 4 RigCameras."""
    world = augmented_world(clip, rng)
    views, clean_views, rig = [], [], []
    for index in range(4):
        camera = random_rig_camera(world, table, rng, f"{subject}-virtual{index}")
        level = 0.0 if rng.random() < 0.1 else float(rng.uniform(0.0, 1.6))
        pixels, _, _ = synth.render_view(world, camera.cams, rng, level)
        views.append(pixels.astype(np.float32))
        clean_views.append(noise_free_pixels(world, camera.cams)[1].astype(np.float32))
        rig.append(camera)
    return world, views, clean_views, rig


def subject_names(count):
    width = max(4, len(str(count)))
    return [f"R{n:0{width}d}" for n in range(1, count + 1)]


def camera_file_text(rigs, table, source):
    """The camera table JSON: training rigs and Human3.6M's S9/S11, one self-contained entry per
    camera (no shared "cameras" list), one camera per line."""
    all_rigs = dict(rigs)
    for subject in synth.EVAL_CAMERA_SUBJECTS:
        all_rigs[subject] = [h36m_entry(table, subject, index) for index in range(4)]
    lines = ["{", f'  "dataset": {json.dumps("cmu-virtual-rigs")},', f'  "source": {json.dumps(source)},',
             '  "extrinsics": {']
    subjects = list(all_rigs)
    for s, subject in enumerate(subjects):
        lines.append(f"    {json.dumps(subject)}: [")
        entries = all_rigs[subject]
        for i, entry in enumerate(entries):
            lines.append("      " + json.dumps(entry) + ("," if i + 1 < len(entries) else ""))
        lines.append("    ]" + ("," if s + 1 < len(subjects) else ""))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def camera_file_source(args):
    return ("lift3d tools/make_default_training_set.py --cameras-out (seed "
            f"{args.seed}, {args.copies} copies): one rig of 4 cameras per augmented copy of a CMU training "
            "clip (subjects R...), each camera a Human3.6M training camera (id '<subject>-<camera id>', exact "
            "calibration) or a random virtual camera (id '<rig>-virtual<k>', no distortion); S9 and S11 are "
            "Human3.6M's test rigs as in data/cameras/h36m.json. Units: center and focal_length in pixels; "
            "orientation: camera-to-world rotation quaternion (w, x, y, z); translation: camera centre in world "
            "coordinates, millimetres; virtual cameras' values are float32 numbers written exactly")


def virtual_rig_training(clips, train_names, copies, rng):
    """All training copies on virtual rigs: {subject: {action: 3D}}, {subject: {action: [2D] * 4}},
    {subject: [4 camera entries]} and counts for the summary."""
    table = load_h36m_table()
    subjects = subject_names(len(train_names) * copies)
    positions_3d, positions_2d, rigs = {}, {}, {}
    counts = {"virtual": 0, "h36m": 0, "fallback": 0, "rejected": 0, "frames": 0}
    serial = 0
    for name in train_names:
        for copy in range(copies):
            subject = subjects[serial]
            serial += 1
            world, views, _, rig = virtual_rig_copy(clips[name], subject, table, rng)
            action = f"{name}_c{copy}"
            positions_3d[subject] = {action: world[:, :17]}
            positions_2d[subject] = {action: views}
            rigs[subject] = [camera.entry for camera in rig]
            for camera in rig:
                counts[camera.kind] += 1
                counts["fallback"] += camera.fallback
                counts["rejected"] += camera.rejected
            counts["frames"] += world.shape[0]
    return positions_3d, positions_2d, rigs, table, counts


def fixed_rig_training(clips, train_names, copies, rng):
    """All training copies round robin on the Human3.6M rigs S1, S5-S8."""
    positions_3d = {s: {} for s in synth.TRAIN_CAMERA_SUBJECTS}
    positions_2d = {s: {} for s in synth.TRAIN_CAMERA_SUBJECTS}
    frames = 0
    serial = 0
    for name in train_names:
        for copy in range(copies):
            rig = synth.TRAIN_CAMERA_SUBJECTS[serial % len(synth.TRAIN_CAMERA_SUBJECTS)]
            serial += 1
            action = f"{name}_c{copy}"
            positions_3d[rig][action], positions_2d[rig][action] = training_copy(clips[name], rig, rng)
            frames += positions_3d[rig][action].shape[0]
    return positions_3d, positions_2d, frames


def main():
    ap = argparse.ArgumentParser(description="CMU mocap -> Human3.6M-format data_3d/data_2d for lift3d train")
    ap.add_argument("--data", required=True, help="npz written by mocap_to_h36m.py")
    ap.add_argument("--out-3d", required=True, help="data_3d .npz to write (positions_3d)")
    ap.add_argument("--out-2d", required=True, help="data_2d .npz to write (positions_2d, metadata)")
    ap.add_argument("--copies", type=int, default=4, help="augmented copies of each training clip")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--cameras-out", default="",
                    help="virtual-rig mode: every copy its own subject R0001... with 4 random cameras, whose "
                         "camera table JSON (for lift3d train --cameras) is written here")
    ap.add_argument("--subjects-out", default="",
                    help="with --cameras-out: write the comma-separated training subjects here instead of "
                         "printing them")
    args = ap.parse_args()
    if args.subjects_out and not args.cameras_out:
        ap.error("--subjects-out needs --cameras-out")

    clips, train_names, test_names, test_subjects = synth.load_clips(args.data)
    rng = np.random.default_rng(args.seed)
    start = time.time()
    if args.cameras_out:
        positions_3d, positions_2d, rigs, table, counts = virtual_rig_training(clips, train_names, args.copies, rng)
        train_frames = counts["frames"]
    else:
        positions_3d, positions_2d, train_frames = fixed_rig_training(clips, train_names, args.copies, rng)
    for subject in synth.EVAL_CAMERA_SUBJECTS:
        positions_3d[subject], positions_2d[subject] = {}, {}
    for subject, actions in held_out_views(clips, test_names).items():
        for name, views in actions.items():
            positions_3d[subject][name] = clips[name][:, :17].astype(np.float32)
            positions_2d[subject][name] = views
    test_frames = sum(clips[n].shape[0] for n in test_names)

    metadata = {"layout_name": "coco", "num_joints": 17,
                "keypoints_symmetry": [synth.COCO_LEFT, synth.COCO_RIGHT]}
    np.savez_compressed(args.out_3d, positions_3d=positions_3d)
    np.savez_compressed(args.out_2d, positions_2d=positions_2d, metadata=metadata)
    if args.cameras_out:
        write_atomically(args.cameras_out, camera_file_text(rigs, table, camera_file_source(args)))
        subjects = ",".join(rigs)
        cameras = 4 * len(rigs)
        print(f"training: {len(train_names)} clips x {args.copies} copies = {len(rigs)} subjects "
              f"{next(iter(rigs))}..{next(reversed(rigs))}, {cameras} cameras: {counts['virtual']} virtual, "
              f"{counts['h36m']} Human3.6M ({counts['fallback']} of them fallbacks after "
              f"{VIRTUAL_CAMERA_TRIES} virtual draws that did not see the whole clip; {counts['rejected']} virtual "
              f"draws rejected in all); {train_frames} frames x 4 "
              f"cameras = {4 * train_frames} 2D frames; cameras in {args.cameras_out}")
        if args.subjects_out:
            write_atomically(args.subjects_out, subjects + "\n")
            print(f"training subjects (for --subjects-train) in {args.subjects_out}")
        else:
            print(f"training subjects (for --subjects-train): {subjects}")
        print(f"test: {len(test_names)} clips (CMU {','.join(test_subjects)}) on "
              f"{','.join(synth.EVAL_CAMERA_SUBJECTS)} (Human3.6M's rigs, also in {args.cameras_out}): "
              f"{test_frames} frames x 8 cameras = {8 * test_frames}; {time.time() - start:.0f} s")
    else:
        print(f"training: {len(train_names)} clips x {args.copies} copies on rigs "
              f"{','.join(synth.TRAIN_CAMERA_SUBJECTS)}: {train_frames} frames x 4 cameras = {4 * train_frames} "
              f"2D frames; test: {len(test_names)} clips (CMU {','.join(test_subjects)}) on "
              f"{','.join(synth.EVAL_CAMERA_SUBJECTS)}: {test_frames} frames x 8 cameras = {8 * test_frames}; "
              f"{time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
