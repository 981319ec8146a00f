#!/usr/bin/env python3
"""Golden fixtures for `lift3d eval`: tiny Human3.6M / HumanEva-I files in VideoPose3D's npz layouts and
the numbers `run.py --evaluate` prints for them.

Usage: /usr/bin/python3 tools/make_eval_fixtures.py    (needs numpy and torch; seeded, deterministic)

Writes tests/fixtures/eval/ (see the README written beside them):
  data_3d_h36m_tiny.npz, data_2d_h36m_tiny.npz, data_2d_h36m_tiny_coco.npz,
  data_3d_humaneva15_tiny.npz, data_2d_humaneva15_tiny.npz   motion and its 2D views
  data_3d_h36m_small.npz, data_2d_h36m_small.npz              a few short sequences, one of a single frame
  bad_data_2d_h36m_small_*.npz                                2D files the evaluation must refuse
  expected_<scenario>.json                                    one per evaluation scenario

The motion is a forward-kinematics skeleton (walking, sitting, gesturing, ...), the 2D is its
projection through the real cameras (Human3.6M with the dataset's distortion model) plus detector-like
noise; some cameras' 2D run a few frames past the mocap, as in the real files, and must be trimmed.

The expected numbers follow run.py's evaluation as the reference computes it
(checked against VideoPose3D's run.py, common/loss.py, common/camera.py, common/generators.py, but
written here, not copied): ground truth per camera by the conjugate-quaternion world_to_camera in
torch float32, joints made relative to the root and the root zeroed at evaluation; 2D trimmed to the
mocap length and normalised per camera resolution; the model run by the oracle tools/vp3d_oracle.py
(edge padding, causal shift, flip TTA in one batch of two); per video MPJPE and N-MPJPE in float32
torch, P-MPJPE and the velocity error in float32 NumPy, accumulated frame-weighted in float64 per
action group (text before the first space); the unweighted np.mean over the groups that pass the
action-prefix filter, printed as print(round(x, 1)) / round(x, 2) of a NumPy float64 (NumPy's
scale-and-rint rounding, which is not Python's correctly rounded round()).

Every expected file was cross-checked against VideoPose3D's run.py itself (see the README).
"""
import json
import math
import pathlib
import sys
import warnings

import numpy as np
import torch

TOOLS = pathlib.Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))

import make_metric_fixtures as mf  # noqa: E402  (reference-precision metrics, cameras, npz writer)
import vp3d_oracle as oracle  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
OUT = FIXTURES / "eval"

torch.set_num_threads(1)

H36M_PARENTS_32 = [-1, 0, 1, 2, 3, 4, 0, 6, 7, 8, 9, 0, 11, 12, 13, 14, 12, 16, 17, 18, 19, 20, 19, 22, 12,
                   24,                    25, 26, 27, 28, 27, 30]
HUMANEVA_PARENTS = [-1, 0, 1, 2, 3, 1, 5, 6, 0, 8, 9, 0, 11, 12, 1]

# Body frame: x towards the person's left, y forward, z up; metres.
H36M_OFFSETS_32 = np.array([
    [0, 0, 0],                                                                       # 0 pelvis
    [-0.13, 0, 0], [0, 0, -0.45], [0, 0, -0.44], [0, 0.13, -0.05], [0, 0.03, 0],     # 1-5 right leg
    [0.13, 0, 0], [0, 0, -0.45], [0, 0, -0.44], [0, 0.13, -0.05], [0, 0.03, 0],      # 6-10 left leg
    [0, 0, 0.01], [0, 0.01, 0.23], [0, 0.02, 0.25], [0, 0.06, 0.1], [0, -0.02, 0.12],  # 11-15 spine, head
    [0, 0, 0.23], [0.15, -0.01, 0], [0, 0, -0.28], [0, 0, -0.25], [0, 0, -0.05],    # 16-20 left arm
    [0, 0, -0.03], [0, 0.03, -0.02], [0, 0.01, 0],                                   # 21-23 left hand
    [0, 0, 0.23], [-0.15, -0.01, 0], [0, 0, -0.28], [0, 0, -0.25], [0, 0, -0.05],   # 24-28 right arm
    [0, 0, -0.03], [0, 0.03, -0.02], [0, 0.01, 0],                                   # 29-31 right hand
])
HUMANEVA_OFFSETS = np.array([
    [0, 0, 0], [0, 0.02, 0.48],                                # 0 pelvis, 1 thorax
    [0.17, 0, 0], [0, 0, -0.29], [0, 0, -0.26],                # 2-4 left arm
    [-0.17, 0, 0], [0, 0, -0.29], [0, 0, -0.26],               # 5-7 right arm
    [0.1, 0, -0.06], [0, 0, -0.43], [0, 0, -0.42],             # 8-10 left leg
    [-0.1, 0, -0.06], [0, 0, -0.43], [0, 0, -0.42],            # 11-13 right leg
    [0, 0.03, 0.24],                                           # 14 head
])
# Joints whose flexion (rotation about the body's x axis) the motions drive.
H36M_RIG = {'hip_l': 6, 'hip_r': 1, 'knee_l': 7, 'knee_r': 2, 'shoulder_l': 17, 'shoulder_r': 25,
            'elbow_l': 18, 'elbow_r': 26, 'spine': 11, 'abduct_l': 16, 'abduct_r': 24}
HUMANEVA_RIG = {'hip_l': 8, 'hip_r': 11, 'knee_l': 9, 'knee_r': 12, 'shoulder_l': 2, 'shoulder_r': 5,
                'elbow_l': 3, 'elbow_r': 6, 'spine': 1, 'abduct_l': None, 'abduct_r': None}

H36M_KEPT = mf.H36M_KEPT
H36M_METADATA = {'layout_name': 'h36m', 'num_joints': 17,
                 'keypoints_symmetry': [[4, 5, 6, 11, 12, 13], [1, 2, 3, 14, 15, 16]]}
COCO_METADATA = {'layout_name': 'coco', 'num_joints': 17,
                 'keypoints_symmetry': [[1, 3, 5, 7, 9, 11, 13, 15], [2, 4, 6, 8, 10, 12, 14, 16]]}
HUMANEVA_METADATA = {'layout_name': 'humaneva15', 'num_joints': 15,
                     'keypoints_symmetry': [[2, 3, 4, 8, 9, 10], [5, 6, 7, 11, 12, 13]]}


# --------------------------------------------------------------------------------------------------
# Motion

def rot_x(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rot_y(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rot_z(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def forward_kinematics(parents, offsets, local, root_rotation, root_position):
    """World joint positions of one frame; `local[j]` rotates the subtree below joint j."""
    count = len(parents)
    rotations = [None] * count
    positions = np.zeros((count, 3))
    for j in range(count):
        p = parents[j]
        if p < 0:
            rotations[j] = root_rotation @ local.get(j, np.eye(3))
            positions[j] = root_position
        else:
            positions[j] = positions[p] + rotations[p] @ offsets[j]
            rotations[j] = rotations[p] @ local.get(j, np.eye(3))
    return positions


def action_style(action):
    """(kind, gait frequency Hz, forward speed m/s) of an action name's group."""
    group = action.split(' ')[0]
    return {
        'Walking': ('walk', 0.9, 1.2), 'WalkDog': ('walk', 0.7, 0.8), 'WalkTogether': ('walk', 0.8, 1.0),
        'Jog': ('walk', 1.4, 2.6), 'Sitting': ('sit', 0.3, 0.0), 'SittingDown': ('sitdown', 0.3, 0.0),
        'Directions': ('gesture', 0.4, 0.1), 'Eating': ('eat', 0.5, 0.0), 'Gestures': ('gesture', 0.6, 0.0),
        'Box': ('box', 1.5, 0.0), 'ThrowCatch': ('throw', 0.8, 0.0),
    }[group]


def motion(rng, action, frames, fps, parents, offsets, rig, pelvis_height):
    """A (frames, J, 3) float32 world-space sequence (metres, z up) of a plausible movement."""
    kind, freq, speed = action_style(action)
    phase = rng.uniform(0, 2 * np.pi)
    heading = rng.uniform(-np.pi, np.pi)
    turn = rng.normal(scale=0.3)
    position = np.array([rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8), pelvis_height])
    sway = rng.uniform(0.02, 0.06)
    out = np.zeros((frames, len(parents), 3))
    for t in range(frames):
        time = t / fps
        w = 2 * np.pi * freq * time + phase
        yaw = heading + turn * time
        flex = {k: 0.0 for k in rig}
        height = pelvis_height
        lean = 0.05
        if kind == 'walk':
            amp = 0.45 if speed < 2 else 0.7
            flex['hip_l'], flex['hip_r'] = amp * np.sin(w), -amp * np.sin(w)
            flex['knee_l'] = -0.6 * max(0.0, np.sin(w + 1.2)) - 0.1
            flex['knee_r'] = -0.6 * max(0.0, -np.sin(w + 1.2)) - 0.1
            flex['shoulder_l'], flex['shoulder_r'] = -0.5 * amp * np.sin(w), 0.5 * amp * np.sin(w)
            flex['elbow_l'] = flex['elbow_r'] = 0.3 + (0.8 if speed > 2 else 0.0)
            height = pelvis_height + 0.02 * np.cos(2 * w)
            lean = 0.08 + 0.1 * (speed > 2)
        elif kind in ('sit', 'sitdown'):
            s = 1.0 if kind == 'sit' else min(1.0, t / max(1, frames - 1) * 1.3)
            flex['hip_l'] = flex['hip_r'] = 1.45 * s
            flex['knee_l'] = flex['knee_r'] = -1.5 * s
            flex['shoulder_l'] = 0.3 + 0.1 * np.sin(w)
            flex['shoulder_r'] = 0.2 + 0.1 * np.cos(w)
            flex['elbow_l'] = flex['elbow_r'] = 1.0
            height = pelvis_height - 0.42 * s
            lean = 0.1 + 0.15 * s * np.sin(0.5 * w) ** 2
        elif kind == 'gesture':
            flex['shoulder_r'] = 0.9 + 0.5 * np.sin(w)
            flex['elbow_r'] = 0.6 + 0.4 * np.sin(w + 0.5)
            flex['shoulder_l'] = 0.2 * np.sin(0.5 * w)
            flex['abduct_l'] = 0.3 + 0.2 * np.sin(w)
            flex['knee_l'] = flex['knee_r'] = -0.05
        elif kind == 'eat':
            flex['shoulder_l'] = flex['shoulder_r'] = 0.5 + 0.2 * np.sin(w)
            flex['elbow_l'] = 1.9 + 0.3 * np.sin(w)
            flex['elbow_r'] = 1.6 + 0.3 * np.cos(w)
        elif kind == 'box':
            punch = max(0.0, np.sin(w))
            flex['shoulder_l'] = 1.2 + 0.3 * punch
            flex['shoulder_r'] = 1.2 + 0.3 * max(0.0, -np.sin(w))
            flex['elbow_l'] = 1.8 - 1.4 * punch
            flex['elbow_r'] = 1.8 - 1.4 * max(0.0, -np.sin(w))
            flex['knee_l'] = flex['knee_r'] = -0.3
            flex['hip_l'] = flex['hip_r'] = 0.2
            height = pelvis_height - 0.05
        else:  # throw
            flex['shoulder_r'] = 1.5 * np.sin(w) ** 2 + 0.3
            flex['elbow_r'] = 0.5 + 0.5 * np.cos(w)
            flex['shoulder_l'] = 0.6
            flex['elbow_l'] = 0.8
        local = {}
        for name, value in flex.items():
            if rig[name] is None:
                continue
            if name.startswith('abduct'):
                local[rig[name]] = rot_y(value if name.endswith('_l') else -value)
            else:
                local[rig[name]] = rot_x(value)
        local[rig['spine']] = rot_x(lean)
        root_rot = rot_z(yaw) @ rot_y(sway * np.sin(w))
        position = position + rot_z(yaw) @ np.array([0, speed / fps, 0])
        out[t] = forward_kinematics(parents, offsets, local, root_rot, np.array([*position[:2], height]))
    out += rng.normal(scale=0.004, size=out.shape)  # marker jitter
    return (np.round(out * 4096) / 4096).astype(np.float32)  # 1/4096 m steps: smaller files


# --------------------------------------------------------------------------------------------------
# Cameras and 2D

def load_camera_table(dataset):
    table = mf.load_cameras(dataset)
    return table["cameras"], table["extrinsics"]


def camera_key(subject):
    """The camera table's subject for a dataset subject ('Validate/S1' -> 'S1')."""
    return subject.split('/')[-1]


def world_to_camera(world, extrinsic):
    """run.py's ground-truth transform: torch float32 qrot by the conjugate quaternion (tiled to every
    point) of X - t, t in metres.

    Memory layouts are kept as the reference's NumPy/torch operations leave them (the H36M joint
    selection `positions[:, kept]` yields a joints-major array and every later step preserves it),
    because NumPy's float32 reductions in P-MPJPE sum in memory order: a C-ordered copy changes
    P-MPJPE by a float32 rounding (~1e-5 mm).
    """
    world = np.asarray(world, dtype=np.float32)
    rotation = torch.from_numpy(np.array(extrinsic["orientation"], dtype=np.float32))
    conjugate = torch.cat((rotation[:1], -rotation[1:])).numpy()
    translation = np.array(extrinsic["translation"], dtype=np.float32) / 1000
    quaternions = np.tile(conjugate, (*world.shape[:-1], 1))
    return mf.qrot_torch(torch.from_numpy(quaternions), torch.from_numpy(world - translation)).numpy()


def h36m_pixels(world17, intrinsics, extrinsic):
    """Human3.6M projection with distortion, in pixels (float64)."""
    cam = world_to_camera(world17, extrinsic)
    normalized = mf.project_ref(cam, mf.intrinsic_vector(intrinsics))
    return mf.image_coordinates_ref(normalized.astype(np.float64), intrinsics["res_w"], intrinsics["res_h"])


def pinhole_pixels(world, extrinsic, focal, width, height):
    """HumanEva has no intrinsics in VideoPose3D; a plausible pinhole camera makes the 2D."""
    cam = world_to_camera(world, extrinsic).astype(np.float64)
    assert (cam[..., 2] > 1).all(), 'point behind or too close to the camera'
    return focal * cam[..., :2] / cam[..., 2:] + np.array([width / 2, height / 2])


def coco_from_h36m32(world32):
    """COCO-17 keypoints placed on the 32-joint skeleton (face points around the head)."""
    left = world32[:, 17] - world32[:, 25]
    left /= np.linalg.norm(left, axis=-1, keepdims=True)
    up = world32[:, 15] - world32[:, 13]
    up /= np.linalg.norm(up, axis=-1, keepdims=True)
    forward = np.cross(up, left)
    head = world32[:, 14]

    def at(f, u, l):
        return head + f * forward + u * up + l * left
    points = [at(0.1, 0.0, 0.0), at(0.08, 0.04, 0.035), at(0.08, 0.04, -0.035), at(0.0, 0.03, 0.08),
              at(0.0, 0.03, -0.08)]
    for j in (17, 25, 18, 26, 19, 27, 6, 1, 7, 2, 8, 3):
        points.append(world32[:, j])
    return np.stack(points, axis=1)


def noisy(rng, pixels, sigma):
    """Detector-like noise; multiples of 1/32 px keep the files small (trailing zero mantissa bits)."""
    return (np.round((pixels + rng.normal(scale=sigma, size=pixels.shape)) * 32) / 32).astype(np.float32)


# --------------------------------------------------------------------------------------------------
# The datasets

# (subject, action, mocap frames, extra 2D frames per camera). H36M receptive fields of the paired
# models: arc353 45, arc3333_causal 81, arc3_single 3, dense333 27, arc333 27, arc5333 135.
H36M_SEQUENCES = [
    ('S1', 'Directions', 6, (0, 0, 0, 0)),
    ('S1', 'Walking 1', 5, (0, 1, 0, 0)),
    ('S9', 'Directions', 36, (0, 0, 2, 0)),
    ('S9', 'Directions 1', 18, (0, 0, 0, 0)),
    ('S9', 'Walking 1', 52, (1, 0, 0, 3)),
    ('S9', 'WalkDog', 11, (0, 0, 0, 0)),
    ('S9', 'Sitting 1', 24, (0, 2, 0, 0)),
    ('S9', 'SittingDown', 2, (0, 0, 0, 1)),
    ('S11', 'Walking 1', 47, (0, 0, 1, 0)),
    ('S11', 'Sitting 1', 14, (0, 0, 0, 0)),
    ('S11', 'Directions 1', 27, (2, 0, 0, 0)),
    ('S11', 'SittingDown 1', 8, (0, 0, 0, 0)),
    ('S11', 'WalkDog', 20, (0, 1, 1, 1)),
    ('S11', 'Eating', 13, (0, 0, 0, 0)),
]
# 2D of a subject without mocap (like Human3.6M's S2-S4): never trimmed, never evaluated.
H36M_UNLABELED = [('S2', 'Walking', 9)]

HUMANEVA_SEQUENCES = [
    ('Train/S1', 'Walking 1 chunk0', 6, (0, 0, 0)),
    ('Validate/S1', 'Walking 1 chunk0', 30, (0, 0, 0)),
    ('Validate/S1', 'Jog 1 chunk0', 16, (0, 2, 0)),
    ('Validate/S1', 'Box 1 chunk0', 12, (0, 0, 0)),
    ('Validate/S1', 'Walking 1 chunk2', 5, (0, 0, 1)),
    ('Validate/S2', 'Jog 1 chunk0', 22, (0, 0, 0)),
    ('Validate/S2', 'Walking 1 chunk0', 18, (1, 0, 0)),
    ('Validate/S2', 'Gestures 1 chunk0', 9, (0, 0, 0)),
    ('Validate/S3', 'Walking 1 chunk0', 25, (0, 0, 0)),
    ('Validate/S3', 'Box 1 chunk0', 7, (0, 0, 0)),
    ('Validate/S3', 'ThrowCatch 1 chunk1', 11, (0, 1, 0)),
]
HUMANEVA_UNLABELED = [('Unlabeled/Validate/S1', 'Walking 1 chunk1', 8)]
HUMANEVA_FOCAL = 760.0


def nested_insert(tree, subject, action, value):
    tree.setdefault(subject, {})[action] = value


def make_h36m(rng):
    intrinsics, extrinsics = load_camera_table("h36m")
    positions_3d, positions_2d, coco_2d = {}, {}, {}
    for subject, action, frames, extra in H36M_SEQUENCES + [(s, a, n, None) for s, a, n in H36M_UNLABELED]:
        longest = frames + (max(extra) if extra else 0)
        world32 = motion(rng, action, longest, 50, H36M_PARENTS_32, H36M_OFFSETS_32, H36M_RIG, 0.93)
        if extra is not None:
            nested_insert(positions_3d, subject, action, world32[:frames].copy())
        world17 = world32[:, H36M_KEPT]
        coco = coco_from_h36m32(world32.astype(np.float64))
        views, coco_views = [], []
        cams = extrinsics[subject] if extra is not None else extrinsics['S9']  # S2 has no extrinsics
        for c, intr in enumerate(intrinsics):
            length = frames + (extra[c] if extra else 0)
            px = h36m_pixels(world17[:length], intr, cams[c])
            assert (px > -100).all() and (px[..., 0] < intr["res_w"] + 100).all(), (subject, action, c)
            views.append(noisy(rng, px, 2.5))
            coco_views.append(noisy(rng, h36m_pixels(coco[:length], intr, cams[c]), 3.0))
        nested_insert(positions_2d, subject, action, views)
        nested_insert(coco_2d, subject, action, coco_views)
    return positions_3d, positions_2d, coco_2d


def make_humaneva(rng):
    intrinsics, extrinsics = load_camera_table("humaneva")
    positions_3d, positions_2d = {}, {}
    unlabeled = [(s, a, n, None) for s, a, n in HUMANEVA_UNLABELED]
    for subject, action, frames, extra in HUMANEVA_SEQUENCES + unlabeled:
        longest = frames + (max(extra) if extra else 0)
        world = motion(rng, action, longest, 60, HUMANEVA_PARENTS, HUMANEVA_OFFSETS, HUMANEVA_RIG, 0.95)
        if extra is not None:
            nested_insert(positions_3d, subject, action, world[:frames].copy())
        views = []
        for c, intr in enumerate(intrinsics):
            length = frames + (extra[c] if extra else 0)
            px = pinhole_pixels(world[:length], extrinsics[camera_key(subject)][c], HUMANEVA_FOCAL,
                                intr["res_w"], intr["res_h"])
            assert (px > -60).all() and (px[..., 0] < 700).all() and (px[..., 1] < 540).all(), (subject, c)
            views.append(noisy(rng, px, 2.0))
        nested_insert(positions_2d, subject, action, views)
    return positions_3d, positions_2d


def make_small_files():
    """A tiny 3D file with a one-frame sequence (its velocity error is NaN in run.py), its 2D, and 2D
    files that break run.py's assertions in the ways lift3d must report."""
    rng = np.random.default_rng(99)
    intrinsics, extrinsics = load_camera_table("h36m")

    def seq(action, n):
        return motion(rng, action, n, 50, H36M_PARENTS_32, H36M_OFFSETS_32, H36M_RIG, 0.93)
    world = {'S1': {'Walking': seq('Walking', 4)},
             'S9': {'Walking 1': seq('Walking 1', 5), 'Eating': seq('Eating', 3),
                    'Directions': seq('Directions', 1)}}

    def views(subject, w):
        return [noisy(rng, h36m_pixels(w[:, H36M_KEPT], intr, extrinsics[subject][c]), 2.0)
                for c, intr in enumerate(intrinsics)]
    full = {s: {a: views(s, w) for a, w in acts.items()} for s, acts in world.items()}
    files = {"data_3d_h36m_small.npz": {"positions_3d": world},
             "data_2d_h36m_small.npz": {"positions_2d": full, "metadata": H36M_METADATA}}
    missing = {s: dict(a) for s, a in full.items()}
    del missing['S9']['Eating']
    files["bad_data_2d_h36m_small_missing_action.npz"] = {"positions_2d": missing, "metadata": H36M_METADATA}
    missing_train = {s: dict(a) for s, a in full.items()}
    del missing_train['S1']['Walking']
    files["bad_data_2d_h36m_small_missing_train_action.npz"] = {"positions_2d": missing_train,
                                                                "metadata": H36M_METADATA}
    short = {s: dict(a) for s, a in full.items()}
    short['S9']['Walking 1'] = [v if c != 2 else v[:4] for c, v in enumerate(full['S9']['Walking 1'])]
    files["bad_data_2d_h36m_small_short.npz"] = {"positions_2d": short, "metadata": H36M_METADATA}
    return files


# --------------------------------------------------------------------------------------------------
# run.py --evaluate

class Evaluation:
    """run.py's data preparation for one (3D file, 2D file) pair, read back from the written files."""

    def __init__(self, dataset, path_3d, path_2d):
        self.dataset = dataset
        intrinsics, extrinsics = load_camera_table("h36m" if dataset == "h36m" else "humaneva")
        mocap = np.load(path_3d, allow_pickle=True)["positions_3d"].item()
        loaded = np.load(path_2d, allow_pickle=True)
        metadata = loaded["metadata"].item()
        keypoints = loaded["positions_2d"].item()
        symmetry = metadata["keypoints_symmetry"]
        self.kps_left, self.kps_right = list(symmetry[0]), list(symmetry[1])
        skeleton = "h36m" if dataset == "h36m" else "humaneva15"
        self.joints_left, self.joints_right = (list(x) for x in oracle.SKELETON_SIDES[skeleton])

        # "Preparing data": per camera, world -> camera, joints 1.. relative to the root.
        self.truth = {}
        for subject, actions in mocap.items():
            self.truth[subject] = {}
            for action, world in actions.items():
                if dataset == "h36m":
                    world = world[:, H36M_KEPT]
                views = []
                for extrinsic in extrinsics[camera_key(subject)]:
                    pos = world_to_camera(world, extrinsic)
                    pos[:, 1:] -= pos[:, :1]
                    views.append(pos)
                self.truth[subject][action] = views

        # "Loading 2D detections": every mocap sequence must have 2D no shorter than it; trim.
        for subject, actions in self.truth.items():
            assert subject in keypoints, subject
            for action, views in actions.items():
                assert action in keypoints[subject], (subject, action)
                for c in range(len(keypoints[subject][action])):
                    length = views[c].shape[0]
                    assert keypoints[subject][action][c].shape[0] >= length
                    keypoints[subject][action][c] = keypoints[subject][action][c][:length]
                assert len(keypoints[subject][action]) == len(views)
        # Normalisation of every 2D array with its camera's resolution.
        for subject, actions in keypoints.items():
            for action, cams in actions.items():
                for c, kps in enumerate(cams):
                    w, h = intrinsics[c]["res_w"], intrinsics[c]["res_h"]
                    cams[c] = oracle.normalize_screen_coordinates(kps, w, h)
        self.keypoints = keypoints
        self.mocap_order = {s: list(a) for s, a in mocap.items()}
        self._predictions = {}

    def predict(self, model_key, model, tta, subject, action, camera):
        """(1, frames, J, 3) torch float32 prediction of one video, as evaluate() holds it.

        The same values as oracle.run_sequence, with the reference's tensor layout (the model's
        permuted output; with TTA the mean over the batch of the plain and the un-flipped copy).
        """
        key = (model_key, tta, subject, action, camera)
        if key not in self._predictions:
            sequence = self.keypoints[subject][action][camera]
            before, after = oracle.sequence_padding(model.filter_widths, model.causal)
            batch = oracle.pad_edges(sequence, before, after)[None]
            if tta:
                mirrored = oracle.mirror_keypoints(batch[0], self.kps_left, self.kps_right)
                batch = np.concatenate((batch, mirrored[None]))
            with torch.no_grad():
                predicted = model(torch.from_numpy(batch.astype('float32')))
                if tta:
                    predicted[1, :, :, 0] *= -1
                    predicted[1, :, self.joints_left + self.joints_right] = \
                        predicted[1, :, self.joints_right + self.joints_left]
                    predicted = torch.mean(predicted, dim=0, keepdim=True)
            self._predictions[key] = predicted
        return self._predictions[key]


def evaluate_group(evaluation, model_key, model, tta, members):
    """run.py evaluate() over one action group's videos: frame-weighted float64 sums of float32 errors."""
    loss_pos = loss_procrustes = loss_scale = loss_vel = 0
    total = 0
    videos = 0
    for subject, action in members:
        for camera, truth in enumerate(evaluation.truth[subject][action]):
            predicted = evaluation.predict(model_key, model, tta, subject, action, camera)
            inputs_3d = torch.from_numpy(truth[None].astype('float32'))
            inputs_3d[:, :, 0] = 0
            error = mf.ref_mpjpe_torch(predicted, inputs_3d)
            weight = inputs_3d.shape[0] * inputs_3d.shape[1]
            loss_scale += weight * mf.ref_n_mpjpe_torch(predicted, inputs_3d).item()
            loss_pos += weight * error.item()
            total += weight
            joints = inputs_3d.shape[-2]
            target = inputs_3d.numpy().reshape(-1, joints, 3)
            pred = predicted.numpy().reshape(-1, joints, 3)
            loss_procrustes += weight * mf.ref_p_mpjpe_numpy(pred, target)[0]
            with np.errstate(invalid='ignore', divide='ignore'), warnings.catch_warnings():
                warnings.simplefilter('ignore', RuntimeWarning)  # one frame: mean of no velocities, NaN
                loss_vel += weight * mf.ref_mpjve_numpy(pred, target)
            videos += 1
    values = [float((x / total) * 1000) for x in (loss_pos, loss_procrustes, loss_scale, loss_vel)]
    return {"action": None, "sequences": len(members), "videos": videos, "frames": int(total),
            "mpjpe": values[0], "p_mpjpe": values[1], "n_mpjpe": values[2], "mpjve": values[3]}


def run_evaluation(evaluation, model_key, model, tta, groups, action_filter, subject_label):
    results = []
    for name, members in groups.items():
        if action_filter is not None and not any(name.startswith(a) for a in action_filter):
            continue
        group = evaluate_group(evaluation, model_key, model, tta, members)
        group["action"] = name
        group["subject"] = subject_label
        results.append(group)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)  # no selected group: the mean of nothing, NaN
        means = {k: np.mean([g[k] for g in results]) for k in ("mpjpe", "p_mpjpe", "n_mpjpe", "mpjve")}
    average = {"subject": subject_label, **{k: float(v) for k, v in means.items()}}
    printed = [
        "Protocol #1   (MPJPE) action-wise average: %s mm" % round(means["mpjpe"], 1),
        "Protocol #2 (P-MPJPE) action-wise average: %s mm" % round(means["p_mpjpe"], 1),
        "Protocol #3 (N-MPJPE) action-wise average: %s mm" % round(means["n_mpjpe"], 1),
        "Velocity      (MPJVE) action-wise average: %s mm" % round(means["mpjve"], 2),
    ]
    return results, average, printed


def evaluate_scenario(evaluation, model_key, model, tta, subjects, action_filter, by_subject):
    all_actions, by_subject_actions = {}, {}
    for subject in subjects:
        by_subject_actions.setdefault(subject, {})
        for action in evaluation.mocap_order[subject]:
            name = action.split(' ')[0]
            all_actions.setdefault(name, []).append((subject, action))
            by_subject_actions[subject].setdefault(name, []).append((subject, action))
    groups, averages, printed = [], [], []
    runs = [(s, by_subject_actions[s]) for s in by_subject_actions] if by_subject else [(None, all_actions)]
    for label, actions in runs:
        g, a, p = run_evaluation(evaluation, model_key, model, tta, actions, action_filter, label)
        groups += g
        averages.append(a)
        printed += p
    return groups, averages, printed


# --------------------------------------------------------------------------------------------------

MODEL_INPUT = {  # case -> (joints in, dense, causal)
    'arc353': (17, False, False), 'arc3333_causal': (17, False, True), 'arc3_single': (17, False, False),
    'dense333': (17, True, False), 'arc333': (17, False, False), 'arc5333': (17, False, False),
    'arc33_he15': (15, False, False),
}

# name -> (dataset, case, 2D file, extra lift3d options); the 3D file is data_3d_<dataset>_tiny.npz
# unless the 2D file is a "small" one.
SCENARIOS = [
    ("h36m_arc353_tta", "h36m", "arc353", "data_2d_h36m_tiny.npz", []),
    ("h36m_arc353_notta", "h36m", "arc353", "data_2d_h36m_tiny.npz", ["--no-tta"]),
    ("h36m_arc3333_causal", "h36m", "arc3333_causal", "data_2d_h36m_tiny.npz", ["--causal"]),
    ("h36m_arc353_actions", "h36m", "arc353", "data_2d_h36m_tiny.npz", ["--actions", "Walk,Sit"]),
    ("h36m_arc353_by_subject", "h36m", "arc353", "data_2d_h36m_tiny.npz", ["--by-subject"]),
    ("h36m_arc353_s11_s9", "h36m", "arc353", "data_2d_h36m_tiny.npz", ["--subjects-test", "S11,S9"]),
    ("h36m_arc3_single", "h36m", "arc3_single", "data_2d_h36m_tiny.npz", ["--by-subject", "--no-tta"]),
    ("h36m_coco_dense333", "h36m", "dense333", "data_2d_h36m_tiny_coco.npz", ["--dense"]),
    ("h36m_coco_arc333", "h36m", "arc333", "data_2d_h36m_tiny_coco.npz",
     ["--subjects-test", "S9", "--actions", "Dir,Walking", "--no-tta"]),
    ("h36m_coco_arc5333", "h36m", "arc5333", "data_2d_h36m_tiny_coco.npz", []),
    ("humaneva15_arc33_he15_tta", "humaneva15", "arc33_he15", "data_2d_humaneva15_tiny.npz", []),
    ("humaneva15_arc33_he15_by_subject", "humaneva15", "arc33_he15", "data_2d_humaneva15_tiny.npz",
     ["--by-subject"]),
    ("humaneva15_arc33_he15_actions", "humaneva15", "arc33_he15", "data_2d_humaneva15_tiny.npz",
     ["--actions", "Walk,Jog"]),
    ("h36m_arc353_by_subject_eat", "h36m", "arc353", "data_2d_h36m_tiny.npz",
     ["--by-subject", "--actions", "Eat"]),
    ("h36m_small_single_frame", "h36m", "arc353", "data_2d_h36m_small.npz", ["--subjects-test", "S9"]),
]


def without_nan(value):
    """NaN (the velocity error of one-frame videos and what it averages into) as JSON null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nan(v) for v in value]
    return value


def option(args, flag, default=None):
    return args[args.index(flag) + 1] if flag in args else default


def round_cases():
    """How run.py prints an average: print(round(np.mean(...), d)) on a NumPy float64, which rounds with
    NumPy's around() (x * 10^d, half to even, / 10^d) rather than Python's correctly rounded round()."""
    values = [430.0, 429.99999, 430.04, 46.75, 46.85, 36.45, 0.05, 0.15, 2.675, 1.005, 0.0, -0.04, -0.0,
              -12.35,
              1e-5, 0.00049, 0.125, 99.95, 999.95, 1193.2399585301584, 12345678.95, 1e15 + 0.25, 1e16, 3.2e17,
              1e22, 5e-324, 1.7976931348623157e308, float('nan'), float('inf'), float('-inf')]
    rng = np.random.default_rng(5)
    differing = 0
    while differing < 12:  # values next to a half where NumPy's rounding and Python's disagree
        digits = int(rng.integers(1, 3))
        half = (int(rng.integers(0, 10 ** 6)) + 0.5) / 10 ** digits
        x = float(np.nextafter(half, rng.choice([-np.inf, np.inf])))
        if round(np.float64(x), digits) != round(x, digits):
            values.append(x)
            differing += 1
    cases = []
    for x in values:
        for digits in (1, 2):
            with np.errstate(over='ignore'):  # 1.8e308 * 10 overflows to inf, as in NumPy's own rounding
                printed = str(round(np.float64(x), digits))
            cases.append({"value": repr(x), "digits": digits, "printed": printed,
                          "python_round_differs": printed != repr(round(x, digits))})
    return cases


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    cases = ",\n".join(json.dumps(case) for case in round_cases())
    (OUT / "round_cases.json").write_text('{"cases": [\n' + cases + '\n]}\n')
    rng = np.random.default_rng(20240612)
    h36m_3d, h36m_2d, h36m_coco = make_h36m(rng)
    humaneva_3d, humaneva_2d = make_humaneva(rng)
    files = {
        "data_3d_h36m_tiny.npz": {"positions_3d": h36m_3d},
        "data_2d_h36m_tiny.npz": {"positions_2d": h36m_2d, "metadata": H36M_METADATA},
        "data_2d_h36m_tiny_coco.npz": {"positions_2d": h36m_coco, "metadata": COCO_METADATA},
        "data_3d_humaneva15_tiny.npz": {"positions_3d": humaneva_3d},
        "data_2d_humaneva15_tiny.npz": {"positions_2d": humaneva_2d, "metadata": HUMANEVA_METADATA},
    }
    files.update(make_small_files())
    for name, members in files.items():
        mf.save_npz(OUT / name, members)

    evaluations, models = {}, {}
    for name, dataset, case, file_2d, extra in SCENARIOS:
        file_3d = "data_3d_%s_%s.npz" % (dataset, "small" if "small" in file_2d else "tiny")
        key = (file_3d, file_2d)
        if key not in evaluations:
            evaluations[key] = Evaluation(dataset, OUT / file_3d, OUT / file_2d)
        if case not in models:
            joints_in, dense, causal = MODEL_INPUT[case]
            checkpoint = oracle.load_checkpoint(str(FIXTURES / "model" / ("%s_zip.bin" % case)))
            models[case] = oracle.model_from_state_dict(checkpoint["model_pos"], joints_in, causal=causal,
                                                        dense=dense)
        default_subjects = "S9,S11" if dataset == "h36m" else "Validate/S1,Validate/S2,Validate/S3"
        subjects = option(extra, "--subjects-test", default_subjects).split(",")
        actions = option(extra, "--actions")
        action_filter = None if actions is None else actions.split(",")
        tta = "--no-tta" not in extra
        groups, averages, printed = evaluate_scenario(evaluations[key], case, models[case], tta,
                                                      subjects, action_filter, "--by-subject" in extra)
        command = ["eval", "model/%s_zip.bin" % case, "--dataset", dataset,
                   "--data-3d", "eval/" + file_3d, "--data-2d", "eval/" + file_2d] + extra
        expected = {"scenario": name, "command": command, "tta": "--no-tta" not in extra,
                    "causal": "--causal" in extra, "groups": groups, "averages": averages, "printed": printed}
        text = json.dumps(without_nan(expected), indent=1, allow_nan=False)
        (OUT / ("expected_%s.json" % name)).write_text(text + "\n")
        print("expected_%s.json: %s" % (name, " | ".join(line.split(": ")[1] for line in printed[:4])))


if __name__ == "__main__":
    main()
