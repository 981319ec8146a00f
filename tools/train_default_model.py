#!/usr/bin/python3
"""Train lift3d's default VideoPose3D model (COCO-17 2D in, Human3.6M-17 3D out, 81 frames) on
CMU motion capture converted by tools/mocap_to_h36m.py, evaluate it on held-out CMU subjects, and
write the shipped checkpoint and the sample input files.

The 2D training inputs are synthesised on the fly: each 81-frame window of real 3D motion is
(optionally) re-proportioned, turned and placed in a Human3.6M-like world, seen through one of the
Human3.6M training cameras (real intrinsics with distortion and extrinsics) or a
random virtual camera, projected, converted to the COCO-17 keypoints a detector reports, and
corrupted with detector-like noise. The model is a re-implementation of VideoPose3D's TemporalModel
with the reference's state_dict names and shapes; it is trained with the equivalent strided
single-frame formulation (TemporalModelOptimized1f) and evaluated with the plain dilated one.

Usage:
  train_default_model.py --data h36m_cmu.npz --out data/models/default_coco_h36m_81f.bin \
      [--channels 256] [--epochs 60] [--batch-size 256] [--time-budget-min 55]
  train_default_model.py --data h36m_cmu.npz --out <model.bin> --evaluate-only
  train_default_model.py --data h36m_cmu.npz --out <model.bin> --evaluate-only \
      --sample-clip 02_06 --sample-dir data/samples
"""

import argparse
import io
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------
# Skeletons and layouts

H36M_PARENTS = [-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15]
H36M_LEFT = [4, 5, 6, 11, 12, 13]
H36M_RIGHT = [1, 2, 3, 14, 15, 16]
COCO_NAMES = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
              "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
              "right_knee", "left_ankle", "right_ankle"]
COCO_LEFT = [1, 3, 5, 7, 9, 11, 13, 15]
COCO_RIGHT = [2, 4, 6, 8, 10, 12, 14, 16]
# Converter points (0-16 H36M-17, 17-21 nose, left eye, right eye, left ear, right ear) -> COCO-17.
COCO_FROM_POINTS = [17, 18, 19, 20, 21, 11, 14, 12, 15, 13, 16, 4, 1, 5, 2, 6, 3]
# Parents of the 22 converter points for bone-length augmentation: face points hang off the
# neck/nose point (joint 9) and scale with the head.
POINT_PARENTS = H36M_PARENTS + [9, 9, 9, 9, 9]
# Which random scale each bone (point -> parent) takes.
BONE_GROUP = ["-", "hip_width", "thigh", "shin", "hip_width", "thigh", "shin", "trunk", "trunk", "neck",
              "head", "shoulder_width", "upper_arm", "forearm", "shoulder_width", "upper_arm", "forearm",
              "head", "head", "head", "head", "head"]
# Ranges of the per-group scale factors (on top of a global scale). The CMU files share one
# retargeted skeleton (a slim ~1.65 m figure with short thighs and narrow hip joints), so lengths are
# varied to cover other bodies and other detectors' hip/shoulder placement.
BONE_SCALE_RANGE = {"hip_width": (0.95, 1.5), "thigh": (0.95, 1.25), "shin": (0.88, 1.08),
                    "trunk": (0.9, 1.1), "neck": (0.85, 1.15), "head": (0.85, 1.15),
                    "shoulder_width": (0.9, 1.2), "upper_arm": (0.9, 1.12), "forearm": (0.9, 1.15)}
GLOBAL_SCALE_RANGE = (0.92, 1.12)

# Relative detector noise per COCO keypoint, as a fraction of the person's size (longer side of the
# keypoint bounding box). Hips and wrists are the least precise keypoints of COCO detectors.
NOISE_FRACTION = np.array([0.008, 0.007, 0.007, 0.010, 0.010, 0.012, 0.012, 0.015, 0.015, 0.020, 0.020,
                           0.020, 0.020, 0.015, 0.015, 0.018, 0.018], dtype=np.float32)

# ----------------------------------------------------------------------------------------------
# Human3.6M cameras: intrinsics per camera index, extrinsics per subject

H36M_INTRINSICS = [
    dict(center=(512.54150390625, 515.4514770507812), focal=(1145.0494384765625, 1143.7811279296875),
         k=(-0.20709891617298126, 0.24777518212795258, -0.0030751503072679043),
         p=(-0.0009756988729350269, -0.00142447161488235), w=1000, h=1002),
    dict(center=(508.8486328125, 508.0649108886719), focal=(1149.6756591796875, 1147.5916748046875),
         k=(-0.1942136287689209, 0.2404085397720337, 0.006819975562393665),
         p=(-0.0016190266469493508, -0.0027408944442868233), w=1000, h=1000),
    dict(center=(519.8158569335938, 501.40264892578125), focal=(1149.1407470703125, 1148.7989501953125),
         k=(-0.2083381861448288, 0.25548800826072693, -0.0024604974314570427),
         p=(0.0014843869721516967, -0.0007599993259645998), w=1000, h=1000),
    dict(center=(514.9682006835938, 501.88201904296875), focal=(1145.5113525390625, 1144.77392578125),
         k=(-0.198384091258049, 0.21832367777824402, -0.008947807364165783),
         p=(-0.0005872055771760643, -0.0018133620033040643), w=1000, h=1002),
]
# (orientation quaternion w, x, y, z: camera-to-world; translation: camera centre in mm)
H36M_EXTRINSICS = {
    "S1": [([0.1407056450843811, -0.1500701755285263, -0.755240797996521, 0.6223280429840088],
            [1841.1070556640625, 4955.28466796875, 1563.4454345703125]),
           ([0.6157187819480896, -0.764836311340332, -0.14833825826644897, 0.11794740706682205],
            [1761.278564453125, -5078.0068359375, 1606.2650146484375]),
           ([0.14651472866535187, -0.14647851884365082, 0.7653023600578308, -0.6094175577163696],
            [-1846.7777099609375, 5215.04638671875, 1491.972412109375]),
           ([0.5834008455276489, -0.7853162288665771, 0.14548823237419128, -0.14749594032764435],
            [-1794.7896728515625, -3722.698974609375, 1574.8927001953125])],
    "S5": [([0.1467377245426178, -0.162370964884758, -0.7551892995834351, 0.6178938746452332],
            [2097.3916015625, 4880.94482421875, 1605.732421875]),
           ([0.6159758567810059, -0.7626792192459106, -0.15728192031383514, 0.1189815029501915],
            [2031.7008056640625, -5167.93310546875, 1612.923095703125]),
           ([0.14291371405124664, -0.12907841801643372, 0.7678384780883789, -0.6110143065452576],
            [-1620.5948486328125, 5171.65869140625, 1496.43701171875]),
           ([0.5920479893684387, -0.7814217805862427, 0.1274748593568802, -0.15036417543888092],
            [-1637.1737060546875, -3867.3173828125, 1547.033203125])],
    "S6": [([0.1337897777557373, -0.15692396461963654, -0.7571090459823608, 0.6198879480361938],
            [1935.4517822265625, 4950.24560546875, 1618.0838623046875]),
           ([0.6147197484970093, -0.7628812789916992, -0.16174767911434174, 0.11819244921207428],
            [1969.803955078125, -5128.73876953125, 1632.77880859375]),
           ([0.1529948115348816, -0.13529130816459656, 0.7646096348762512, -0.6112781167030334],
            [-1769.596435546875, 5185.361328125, 1476.993408203125]),
           ([0.5916101336479187, -0.7804774045944214, 0.12832270562648773, -0.1561593860387802],
            [-1721.668701171875, -3884.13134765625, 1540.4879150390625])],
    "S7": [([0.1435241848230362, -0.1631336808204651, -0.7548328638076782, 0.6188824772834778],
            [1974.512939453125, 4926.3544921875, 1597.8326416015625]),
           ([0.6141672730445862, -0.7638262510299683, -0.1596645563840866, 0.1177929937839508],
            [1937.0584716796875, -5119.7900390625, 1631.5665283203125]),
           ([0.14550060033798218, -0.12874816358089447, 0.7660516500473022, -0.6127139329910278],
            [-1741.8111572265625, 5208.24951171875, 1464.8245849609375]),
           ([0.5912848114967346, -0.7821764349937439, 0.12445473670959473, -0.15196487307548523],
            [-1734.7105712890625, -3832.42138671875, 1548.5830078125])],
    "S8": [([0.14110587537288666, -0.15589867532253265, -0.7561917304992676, 0.619644045829773],
            [2150.65185546875, 4896.1611328125, 1611.9046630859375]),
           ([0.6169601678848267, -0.7647668123245239, -0.14846350252628326, 0.11158157885074615],
            [2219.965576171875, -5148.453125, 1613.0440673828125]),
           ([0.1471444070339203, -0.13377119600772858, 0.7670128345489502, -0.6100369691848755],
            [-1571.2215576171875, 5137.0185546875, 1498.1761474609375]),
           ([0.5927824378013611, -0.7825870513916016, 0.12147816270589828, -0.14631995558738708],
            [-1476.913330078125, -3896.7412109375, 1547.97216796875])],
    "S9": [([0.15540587902069092, -0.15548215806484222, -0.7532095313072205, 0.6199594736099243],
            [2044.45849609375, 4935.1171875, 1481.2275390625]),
           ([0.618784487247467, -0.7634735107421875, -0.14132238924503326, 0.11933968216180801],
            [1990.959716796875, -5123.810546875, 1568.8048095703125]),
           ([0.13357827067375183, -0.1367100477218628, 0.7689454555511475, -0.6100738644599915],
            [-1670.9921875, 5211.98583984375, 1528.387939453125]),
           ([0.5879399180412292, -0.7823407053947449, 0.1427614390850067, -0.14794869720935822],
            [-1696.04345703125, -3827.099853515625, 1591.4127197265625])],
    "S11": [([0.15232472121715546, -0.15442320704460144, -0.7547563314437866, 0.6191070079803467],
             [2098.440185546875, 4926.5546875, 1500.278564453125]),
            ([0.6189449429512024, -0.7600917220115662, -0.15300633013248444, 0.1255258321762085],
             [2083.182373046875, -4912.1728515625, 1561.07861328125]),
            ([0.14943228662014008, -0.15650227665901184, 0.7681233882904053, -0.6026304364204407],
             [-1609.8153076171875, 5177.3359375, 1537.896728515625]),
            ([0.5894251465797424, -0.7818877100944519, 0.13991211354732513, -0.14715361595153809],
             [-1590.738037109375, -3854.1689453125, 1578.017578125])],
}
TRAIN_CAMERA_SUBJECTS = ["S1", "S5", "S6", "S7", "S8"]  # H36M's own training split
EVAL_CAMERA_SUBJECTS = ["S9", "S11"]


def quaternion_matrix(q):
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


class Cameras:
    """A batch of cameras: world_from_camera is not stored; camera_from_world = R (X - C)."""

    def __init__(self, R, C, focal, center, k, p, w, h):
        self.R, self.C = R.astype(np.float32), C.astype(np.float32)              # (B,3,3), (B,3)
        self.focal, self.center = focal.astype(np.float32), center.astype(np.float32)  # (B,2)
        self.k, self.p = k.astype(np.float32), p.astype(np.float32)              # (B,3), (B,2)
        self.w, self.h = w.astype(np.float32), h.astype(np.float32)              # (B,)


_CAMERA_CACHE = {}


def h36m_cameras(keys):
    """keys: list of (subject, index). Returns Cameras."""
    if not _CAMERA_CACHE:
        for subject in H36M_EXTRINSICS:
            for index in range(4):
                _CAMERA_CACHE[(subject, index)] = _h36m_camera_arrays(subject, index)
    parts = list(zip(*[_CAMERA_CACHE[key] for key in keys]))
    return Cameras(*[np.array(p) for p in parts])


def _h36m_camera_arrays(subject, index):
    q, t = H36M_EXTRINSICS[subject][index]
    intr = H36M_INTRINSICS[index]
    # world_to_camera = qrot(conj(q), X - t) = R(q)^T (X - t), t in metres
    return (quaternion_matrix(np.array(q, dtype=np.float64)).T, np.array(t) / 1000.0, intr["focal"],
            intr["center"], intr["k"], intr["p"], intr["w"], intr["h"])


def virtual_cameras(rng, count, targets):
    """Random cameras looking at `targets` (B,3): yaw anywhere, 3.5-6 m away, 0.8-2 m high,
    focal 1100-1500 px, 1000x1000 images, slight roll and aim jitter, no lens distortion."""
    yaw = rng.uniform(0, 2 * np.pi, count)
    dist = rng.uniform(3.5, 6.0, count)
    height = rng.uniform(0.8, 2.0, count)
    centre = np.stack([targets[:, 0] + dist * np.cos(yaw), targets[:, 1] + dist * np.sin(yaw), height], axis=1)
    aim = targets + np.concatenate([rng.normal(0, 0.25, (count, 2)), rng.uniform(-0.2, 0.2, (count, 1))], axis=1)
    forward = aim - centre
    forward /= np.linalg.norm(forward, axis=1, keepdims=True)
    up = np.array([0.0, 0.0, 1.0])
    right = np.cross(forward, up)
    right /= np.linalg.norm(right, axis=1, keepdims=True)
    down = np.cross(forward, right)
    roll = rng.normal(0, np.radians(3), count)
    cr, sr = np.cos(roll)[:, None], np.sin(roll)[:, None]
    right, down = cr * right + sr * down, -sr * right + cr * down
    R = np.stack([right, down, forward], axis=1)  # rows: camera x (right), y (down), z (forward)
    f = rng.uniform(1100, 1500, count)
    focal = np.stack([f, f * rng.uniform(0.998, 1.002, count)], axis=1)
    center = 500 + rng.normal(0, 8, (count, 2))
    return Cameras(R, centre, focal, center, np.zeros((count, 3)), np.zeros((count, 2)),
                   np.full(count, 1000), np.full(count, 1000))


def concat_cameras(a, b, take_a):
    """Per-sample choice between two camera batches."""
    def pick(x, y):
        m = take_a.reshape((-1,) + (1,) * (x.ndim - 1))
        return np.where(m, x, y)
    return Cameras(pick(a.R, b.R), pick(a.C, b.C), pick(a.focal, b.focal), pick(a.center, b.center),
                   pick(a.k, b.k), pick(a.p, b.p), pick(a.w, b.w), pick(a.h, b.h))


def to_camera(points, cams, turn=None):
    """points (B,T,P,3) world -> camera frame (x right, y down, z forward), metres. `turn` optionally
    applies a per-sample rigid motion first: (M (B,3,3), origin (B,3), target (B,3)) maps X to
    M (X - origin) + target."""
    R, C = cams.R.astype(np.float32), cams.C.astype(np.float32)
    if turn is None:
        A, d = R, -np.einsum("bij,bj->bi", R, C)
    else:
        M, origin, target = turn
        A = np.matmul(R, M).astype(np.float32)
        d = np.einsum("bij,bj->bi", R, target - C) - np.einsum("bij,bj->bi", A, origin)
    A, d = A.astype(np.float32), d.astype(np.float32)
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    out = np.empty(points.shape, dtype=np.float32)
    for i in range(3):
        out[..., i] = (A[:, i, 0, None, None] * x + A[:, i, 1, None, None] * y + A[:, i, 2, None, None] * z
                       + d[:, i, None, None])
    return out


def project(points_cam, cams):
    """Human3.6M's distortion model as the reference applies it, in pixels."""
    def per_sample(v):
        return v.astype(np.float32)[:, None, None]
    z = np.maximum(points_cam[..., 2], 1e-3)
    x = np.clip(points_cam[..., 0] / z, -1, 1)
    y = np.clip(points_cam[..., 1] / z, -1, 1)
    r2 = x * x + y * y
    k1, k2, k3 = (per_sample(cams.k[:, i]) for i in range(3))
    p1, p2 = per_sample(cams.p[:, 0]), per_sample(cams.p[:, 1])
    radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
    tan = p1 * x + p2 * y
    u = per_sample(cams.focal[:, 0]) * (x * (radial + tan) + p1 * r2) + per_sample(cams.center[:, 0])
    v = per_sample(cams.focal[:, 1]) * (y * (radial + tan) + p2 * r2) + per_sample(cams.center[:, 1])
    return np.stack([u, v], axis=-1)


def normalize_screen(pixels, w, h):
    """VideoPose3D's normalize_screen_coordinates: x/w*2 - 1, y/w*2 - h/w (both axes over w)."""
    w = w.reshape((-1,) + (1,) * (pixels.ndim - 1))
    h = h.reshape((-1,) + (1,) * (pixels.ndim - 1))
    out = pixels / w * 2
    out[..., 0:1] -= 1
    out[..., 1:2] -= h / w
    return out.astype(np.float32)

# ----------------------------------------------------------------------------------------------
# Motion sampling and augmentation


class MotionBank:
    """All training clips in one array, for vectorised window sampling."""

    def __init__(self, clips):
        self.frames = np.concatenate(clips, axis=0).astype(np.float32)
        lengths = np.array([c.shape[0] for c in clips])
        self.starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        self.clip_of_frame = np.repeat(np.arange(len(clips)), lengths)
        self.lengths = lengths

    def windows(self, frames, speeds, length, rng):
        """Windows of `length` frames centred near the given global frames, frame spacing `speeds`
        (time-warp augmentation, linear interpolation). Indices past a clip's ends repeat its edge
        frame, as the reference's edge padding does. Returns (B, length, P, 3)."""
        clip = self.clip_of_frame[frames]
        start, n = self.starts[clip][:, None], self.lengths[clip][:, None]
        centre = (frames - self.starts[clip]) + rng.uniform(-0.5, 0.5, len(frames))
        pos = np.clip(centre[:, None] + (np.arange(length) - length // 2)[None] * speeds[:, None], 0, n - 1)
        i0 = np.floor(pos).astype(np.int64)
        i1 = np.minimum(i0 + 1, n - 1)
        w = (pos - i0).astype(np.float32)[..., None, None]
        return (1 - w) * self.frames[start + i0] + w * self.frames[start + i1]


def _ancestor_matrix(parents):
    """A[j, k] = 1 when bone k (point k minus its parent) lies on the path from the root to j."""
    n = len(parents)
    A = np.zeros((n, n), dtype=np.float32)
    for j in range(n):
        k = j
        while k >= 0:
            A[j, k] = 1
            k = parents[k]
    return A


_ANCESTORS = _ancestor_matrix(POINT_PARENTS)


def scale_bones(points, rng):
    """Random, left/right-symmetric bone-length changes applied along the kinematic tree."""
    B = points.shape[0]
    scale = np.ones((B, len(POINT_PARENTS)), dtype=np.float32)
    glob = rng.uniform(*GLOBAL_SCALE_RANGE, B).astype(np.float32)
    for group, (lo, hi) in BONE_SCALE_RANGE.items():
        s = rng.uniform(lo, hi, B).astype(np.float32) * glob
        for j, g in enumerate(BONE_GROUP):
            if g == group:
                scale[:, j] = s
    parents = np.array([max(p, 0) for p in POINT_PARENTS])
    bones = points - points[:, :, parents]
    bones[:, :, 0] = points[:, :, 0]  # the root "bone" is the root position itself
    bones *= scale[:, None, :, None]
    out = np.tensordot(bones, _ANCESTORS, axes=([2], [1]))  # (B, T, 3, P)
    return np.ascontiguousarray(out.transpose(0, 1, 3, 2))


def random_turn(points, rng, radius):
    """A rigid motion per window: turn about the vertical through its mean pelvis, then move that
    pelvis to a random spot within `radius` of the origin (height kept). Returns (M, origin, target)
    for to_camera."""
    B = points.shape[0]
    origin = np.zeros((B, 3), dtype=np.float32)
    origin[:, :2] = points[:, :, 0, :2].mean(axis=1)
    yaw = rng.uniform(0, 2 * np.pi, B)
    c, s = np.cos(yaw), np.sin(yaw)
    M = np.zeros((B, 3, 3), dtype=np.float32)
    M[:, 0, 0], M[:, 0, 1], M[:, 1, 0], M[:, 1, 1], M[:, 2, 2] = c, -s, s, c, 1
    target = np.zeros((B, 3), dtype=np.float32)
    target[:, :2] = rng.uniform(-radius, radius, (B, 2))
    return M, origin, target


def person_size(kp):
    """Per-sample person size in pixels: median over frames of the keypoint box's longer side."""
    ext = kp.max(axis=2) - kp.min(axis=2)  # (B,T,2)
    return np.median(ext.max(axis=-1), axis=1).astype(np.float32)  # (B,)


def detector_noise(kp, rng, level):
    """Detector-like corruption of COCO-17 pixel keypoints kp (B,T,17,2).

    - white Gaussian jitter and an AR(1) temporally correlated drift, both proportional to the
      person's size and to per-keypoint NOISE_FRACTION, scaled by `level` (B,);
    - occasional outliers: a keypoint jumps by 5-25% of the person's size for 1-6 frames;
    - occasional left/right confusions of a limb for 2-12 frames.
    Returns (noisy keypoints, per-keypoint displacement in units of person size).
    """
    B, T, J, _ = kp.shape
    size = person_size(kp)
    sigma = (level * size)[:, None, None, None] * NOISE_FRACTION[None, None, :, None]
    rho = rng.uniform(0.8, 0.97, B).astype(np.float32)[:, None, None]
    noise = rng.standard_normal((B, T, J, 2), dtype=np.float32) * 0.6
    innov = rng.standard_normal((B, T, J, 2), dtype=np.float32) * (0.8 * np.sqrt(1 - rho ** 2))[..., None]
    drift = rng.standard_normal((B, J, 2), dtype=np.float32) * 0.8
    noise[:, 0] += drift
    for t in range(1, T):
        drift = rho * drift + innov[:, t]
        noise[:, t] += drift
    noisy = kp + sigma * noise

    # outliers
    rate = rng.uniform(0, 0.006, B) * np.minimum(level, 1.5)
    starts = rng.random((B, T, J), dtype=np.float32) < rate[:, None, None]
    b_idx, t_idx, j_idx = np.nonzero(starts)
    if len(b_idx):
        dur = rng.integers(1, 7, len(b_idx))
        ang = rng.uniform(0, 2 * np.pi, len(b_idx))
        mag = rng.uniform(0.05, 0.25, len(b_idx)) * size[b_idx]
        off = (np.stack([np.cos(ang), np.sin(ang)], axis=1) * mag[:, None]).astype(np.float32)
        for d in range(6):
            keep = (d < dur) & (t_idx + d < T)
            noisy[b_idx[keep], t_idx[keep] + d, j_idx[keep]] += off[keep]

    # left/right confusions (a whole limb: knee+ankle, or elbow+wrist)
    for left, right in (([13, 15], [14, 16]), ([7, 9], [8, 10])):
        for b in np.nonzero(rng.random(B) < 0.04 * np.minimum(level, 1.0))[0]:
            t0 = rng.integers(0, T)
            t1 = min(T, t0 + rng.integers(2, 13))
            a = noisy[b, t0:t1, left].copy()
            noisy[b, t0:t1, left] = noisy[b, t0:t1, right]
            noisy[b, t0:t1, right] = a
    err = np.linalg.norm(noisy - kp, axis=-1) / np.maximum(size, 1)[:, None, None]
    return noisy.astype(np.float32), err


def flip_inputs(inputs_2d, targets_3d, mask):
    """Horizontal flip (reference training augmentation): 2D x negated and COCO left/right swapped,
    3D x negated and H36M left/right swapped, for the samples in `mask`."""
    sel = np.nonzero(mask)[0]
    if len(sel) == 0:
        return inputs_2d, targets_3d
    a = inputs_2d[sel]
    a[..., 0] *= -1
    a[:, :, COCO_LEFT + COCO_RIGHT] = a[:, :, COCO_RIGHT + COCO_LEFT]
    inputs_2d[sel] = a
    b = targets_3d[sel]
    b[..., 0] *= -1
    b[:, H36M_LEFT + H36M_RIGHT] = b[:, H36M_RIGHT + H36M_LEFT]
    targets_3d[sel] = b
    return inputs_2d, targets_3d


def make_batch(bank, rng, batch_size, receptive_field, h36m_fraction=0.5):
    """One training batch: (inputs (B, RF, 17, 2) normalised COCO, targets (B, 17, 3) camera-space
    root-relative H36M-17 with the root at 0)."""
    frames = rng.integers(0, bank.frames.shape[0], batch_size)
    speeds = np.exp(rng.uniform(np.log(0.75), np.log(1.33), batch_size))
    speeds[rng.random(batch_size) < 0.3] = 1.0
    world = scale_bones(bank.windows(frames, speeds, receptive_field, rng), rng)
    turn = random_turn(world, rng, radius=0.8)

    use_h36m = rng.random(batch_size) < h36m_fraction
    keys = [(TRAIN_CAMERA_SUBJECTS[s], i) for s, i in zip(rng.integers(0, len(TRAIN_CAMERA_SUBJECTS), batch_size),
                                                           rng.integers(0, 4, batch_size))]
    look_at = turn[2].copy()
    look_at[:, 2] = rng.uniform(0.8, 1.1, batch_size)
    cams = concat_cameras(h36m_cameras(keys), virtual_cameras(rng, batch_size, look_at), use_h36m)

    cam_points = to_camera(world, cams, turn)
    pixels = project(cam_points[:, :, COCO_FROM_POINTS], cams)
    level = rng.uniform(0.0, 1.6, batch_size).astype(np.float32)
    level[rng.random(batch_size) < 0.1] = 0.0
    noisy, _ = detector_noise(pixels, rng, level)
    inputs = normalize_screen(noisy, cams.w, cams.h)

    mid = receptive_field // 2
    target = cam_points[:, mid, :17] - cam_points[:, mid, :1]
    return flip_inputs(inputs, target, rng.random(batch_size) < 0.5)

# ----------------------------------------------------------------------------------------------
# Model: VideoPose3D's TemporalModel, same parameter names and shapes as the reference


class TemporalModel(nn.Module):
    def __init__(self, joints_in, features, joints_out, filter_widths, channels, dropout=0.25):
        super().__init__()
        for fw in filter_widths:
            assert fw % 2 == 1, "filter widths must be odd"
        self.joints_in, self.features, self.joints_out = joints_in, features, joints_out
        self.filter_widths = list(filter_widths)
        # Registration order matches the reference so the state_dict comes out in the same order.
        self.drop = nn.Dropout(dropout)
        self.relu = nn.ReLU(inplace=True)
        self.expand_bn = nn.BatchNorm1d(channels, momentum=0.1)
        self.shrink = nn.Conv1d(channels, joints_out * 3, 1)
        self.expand_conv = nn.Conv1d(joints_in * features, channels, filter_widths[0], bias=False)
        convs, bns = [], []
        self.pads, self.dilations = [], []
        dilation = filter_widths[0]
        for fw in filter_widths[1:]:
            self.pads.append((fw - 1) * dilation // 2)
            self.dilations.append(dilation)
            convs.append(nn.Conv1d(channels, channels, fw, dilation=dilation, bias=False))
            bns.append(nn.BatchNorm1d(channels, momentum=0.1))
            convs.append(nn.Conv1d(channels, channels, 1, bias=False))
            bns.append(nn.BatchNorm1d(channels, momentum=0.1))
            dilation *= fw
        self.layers_conv = nn.ModuleList(convs)
        self.layers_bn = nn.ModuleList(bns)

    def receptive_field(self):
        return int(np.prod(self.filter_widths))

    def set_bn_momentum(self, momentum):
        self.expand_bn.momentum = momentum
        for bn in self.layers_bn:
            bn.momentum = momentum

    def _flatten(self, x):
        B, T = x.shape[:2]
        return x.reshape(B, T, -1).permute(0, 2, 1)  # channel = joint * features + feature

    def _unflatten(self, y):
        return y.permute(0, 2, 1).reshape(y.shape[0], -1, self.joints_out, 3)

    def forward(self, x):
        """Any length T >= RF; output T - RF + 1 frames (dilated convolutions)."""
        h = self.drop(self.relu(self.expand_bn(self.expand_conv(self._flatten(x)))))
        for i, pad in enumerate(self.pads):
            res = h[:, :, pad:h.shape[2] - pad]
            h = self.drop(self.relu(self.layers_bn[2 * i](self.layers_conv[2 * i](h))))
            h = res + self.drop(self.relu(self.layers_bn[2 * i + 1](self.layers_conv[2 * i + 1](h))))
        return self._unflatten(self.shrink(h))

    def forward_single(self, x):
        """Exactly RF input frames -> one output frame. The reference trains with strided instead of
        dilated convolutions (TemporalModelOptimized1f: same weights, far fewer operations); with
        stride == kernel width a convolution is a matrix product over non-overlapping groups of
        frames, computed here as such (channels-last), which is faster on a CPU."""
        B, T = x.shape[:2]
        assert T == self.receptive_field()
        fw0 = self.filter_widths[0]
        length = T // fw0
        # weight (out, in, k) -> (out, k * in) to match frames grouped as (k, in)
        w = self.expand_conv.weight.permute(0, 2, 1).reshape(self.expand_conv.weight.shape[0], -1)
        h = x.reshape(B * length, -1) @ w.t()
        h = self.drop(self.relu(self.expand_bn(h)))
        channels = h.shape[1]
        for i, fw in enumerate(self.filter_widths[1:]):
            groups = h.view(B, length // fw, fw, channels)
            res = groups[:, :, fw // 2].reshape(-1, channels)
            conv = self.layers_conv[2 * i].weight
            h = groups.reshape(-1, fw * channels) @ conv.permute(0, 2, 1).reshape(channels, -1).t()
            h = self.drop(self.relu(self.layers_bn[2 * i](h)))
            h = h @ self.layers_conv[2 * i + 1].weight[:, :, 0].t()
            h = res + self.drop(self.relu(self.layers_bn[2 * i + 1](h)))
            length //= fw
        y = h @ self.shrink.weight[:, :, 0].t() + self.shrink.bias
        return y.view(B, length, self.joints_out, 3)

# ----------------------------------------------------------------------------------------------
# Metrics (the reference's loss.py)


def mpjpe(pred, gt):
    return np.mean(np.linalg.norm(pred - gt, axis=-1))


def p_mpjpe(pred, gt):
    """Per-frame similarity (Procrustes) alignment of pred onto gt, then MPJPE; float32 as in the
    reference."""
    pred, gt = pred.astype(np.float32), gt.astype(np.float32)
    mu_x, mu_y = gt.mean(axis=1, keepdims=True), pred.mean(axis=1, keepdims=True)
    x0, y0 = gt - mu_x, pred - mu_y
    nx = np.sqrt(np.sum(x0 ** 2, axis=(1, 2), keepdims=True))
    ny = np.sqrt(np.sum(y0 ** 2, axis=(1, 2), keepdims=True))
    x0, y0 = x0 / nx, y0 / ny
    H = np.matmul(x0.transpose(0, 2, 1), y0)
    U, s, Vt = np.linalg.svd(H)
    V = Vt.transpose(0, 2, 1)
    R = np.matmul(V, U.transpose(0, 2, 1))
    sign = np.sign(np.expand_dims(np.linalg.det(R), axis=1))
    V[:, :, -1] *= sign
    s[:, -1] *= sign.flatten()
    R = np.matmul(V, U.transpose(0, 2, 1))
    a = np.expand_dims(np.sum(s, axis=1, keepdims=True), axis=2) * nx / ny
    t = mu_x - a * np.matmul(mu_y, R)
    aligned = a * np.matmul(pred, R) + t
    return np.mean(np.linalg.norm(aligned - gt, axis=-1))

# ----------------------------------------------------------------------------------------------
# Whole-sequence inference (as the reference evaluates one video)


def predict_sequence(model, inputs, tta):
    """inputs (N, 17, 2) normalised -> (N, 17, 3): edge padding by (RF-1)/2, optional flip TTA."""
    pad = (model.receptive_field() - 1) // 2
    x = np.pad(inputs, ((pad, pad), (0, 0), (0, 0)), mode="edge")[None]
    if tta:
        flipped = x.copy()
        flipped[..., 0] *= -1
        flipped[:, :, COCO_LEFT + COCO_RIGHT] = flipped[:, :, COCO_RIGHT + COCO_LEFT]
        x = np.concatenate([x, flipped], axis=0)
    with torch.no_grad():
        y = model(torch.from_numpy(np.ascontiguousarray(x))).numpy()
    if tta:
        y[1, :, :, 0] *= -1
        y[1, :, H36M_LEFT + H36M_RIGHT] = y[1, :, H36M_RIGHT + H36M_LEFT]
        y = (y[0:1] + y[1:2]) / 2
    return y[0]


def render_view(clip, cams_one, rng, noise_level):
    """A whole clip (N, 22, 3) world seen by one camera: noisy COCO pixels (N,17,2), per-keypoint
    displacement, and camera-space H36M-17 (N,17,3)."""
    cam_points = to_camera(clip[None], cams_one)
    pixels = project(cam_points, cams_one)[:, :, COCO_FROM_POINTS]
    if noise_level > 0:
        noisy, err = detector_noise(pixels, rng, np.array([noise_level], dtype=np.float32))
    else:
        noisy, err = pixels, np.zeros(pixels.shape[:-1], dtype=np.float32)
    return noisy[0], err[0], cam_points[0, :, :17]


def evaluate(model, clips, names, noise_level, seed, quick=False):
    """Held-out clips through the 8 Human3.6M cameras of S9/S11 (quick: S9 camera 0 only, no TTA).
    Returns frame-weighted means (mm) over all videos, as the reference aggregates within an action
    group, with (`*_tta`) and without flip TTA, and per-clip MPJPE."""
    model.eval()
    rng = np.random.default_rng(seed)
    settings = (False,) if quick else (True, False)
    views = [("S9", 0)] if quick else [(s, i) for s in EVAL_CAMERA_SUBJECTS for i in range(4)]
    sums = {}
    frames = 0
    per_clip = {}
    for name in names:
        clip_sum, clip_frames = 0.0, 0
        for view in views:
            cams = h36m_cameras([view])
            kp, _, cam3d = render_view(clips[name], cams, rng, noise_level)
            gt = cam3d - cam3d[:, :1]
            inputs = normalize_screen(kp[None], cams.w, cams.h)[0]
            n = kp.shape[0]
            for tta in settings:
                pred = predict_sequence(model, inputs, tta)
                e1, e2 = float(mpjpe(pred, gt)), float(p_mpjpe(pred, gt))
                suffix = "_tta" if tta else ""
                sums["mpjpe" + suffix] = sums.get("mpjpe" + suffix, 0.0) + e1 * n
                sums["pmpjpe" + suffix] = sums.get("pmpjpe" + suffix, 0.0) + e2 * n
                if tta == settings[0]:
                    clip_sum += e1 * n
                    clip_frames += n
            frames += n
        per_clip[name] = 1000 * clip_sum / clip_frames
    result = {k: 1000 * v / frames for k, v in sums.items()}
    result["frames"] = frames
    result["per_clip_mpjpe"] = per_clip
    return result

# ----------------------------------------------------------------------------------------------
# Sample files


def export_sample(model, clips, name, subject_cam, start_s, seconds, out_dir, seed, log):
    fps = 50
    clip = clips[name][int(start_s * fps):int((start_s + seconds) * fps)]
    cams = h36m_cameras([subject_cam])
    rng = np.random.default_rng(seed)
    kp, err, cam3d = render_view(clip, cams, rng, 1.0)
    # A synthetic detector confidence: high for accurate keypoints, falling with the displacement.
    score = np.clip(0.95 - 2.5 * err + rng.normal(0, 0.02, err.shape), 0.05, 0.99).astype(np.float32)
    W, H = int(cams.w[0]), int(cams.h[0])
    subj, trial = name.split("_")
    stem = os.path.join(out_dir, f"cmu_{subj}_{trial}")
    doc = {"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco", "image_width": W,
           "image_height": H, "fps": fps, "joint_names": COCO_NAMES,
           "keypoints": [[[round(float(kp[t, j, 0]), 2), round(float(kp[t, j, 1]), 2), round(float(score[t, j]), 3)]
                          for j in range(17)] for t in range(kp.shape[0])]}
    os.makedirs(out_dir, exist_ok=True)
    with open(stem + "_coco.json", "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    # the JSON holds rounded values; the npz and the error below use the same rounded numbers
    kp_rounded = np.array([[[p[0], p[1]] for p in fr] for fr in doc["keypoints"]], dtype=np.float32)
    gt = (cam3d - cam3d[:, :1]).astype(np.float32)
    np.save(stem + "_gt.npy", gt)
    video = f"cmu_{subj}_{trial}"
    positions_2d = {video: {"custom": [kp_rounded]}}
    metadata = {"layout_name": "coco", "num_joints": 17, "keypoints_symmetry": [COCO_LEFT, COCO_RIGHT],
                "video_metadata": {video: {"w": W, "h": H}}}
    np.savez_compressed(stem + "_custom.npz", positions_2d=positions_2d, metadata=metadata)
    inputs = normalize_screen(kp_rounded[None], cams.w, cams.h)[0]
    model.eval()
    res = {}
    for tta in (True, False):
        pred = predict_sequence(model, inputs, tta)
        res["tta" if tta else "no_tta"] = (1000 * mpjpe(pred, gt), 1000 * p_mpjpe(pred, gt))
    log(f"sample {video}: {kp.shape[0]} frames, camera {subject_cam}, {W}x{H}; "
        f"MPJPE/P-MPJPE with TTA {res['tta'][0]:.1f}/{res['tta'][1]:.1f} mm, "
        f"without {res['no_tta'][0]:.1f}/{res['no_tta'][1]:.1f} mm")
    return res

# ----------------------------------------------------------------------------------------------


def load_clips(path):
    data = np.load(path)
    names = [str(c) for c in data["clips"]]
    splits = [str(s) for s in data["splits"]]
    subjects = [str(s) for s in data["subjects"]]
    clips = {n: data[n].astype(np.float32) for n in names}
    train = [n for n, s in zip(names, splits) if s == "train"]
    test = [n for n, s in zip(names, splits) if s == "test"]
    test_subjects = sorted(set(s for s, sp in zip(subjects, splits) if sp == "test"))
    return clips, train, test, test_subjects


def check_strided_equals_dilated(model, rf, log):
    model.eval()
    x = torch.randn(3, rf, 17, 2)
    with torch.no_grad():
        a, b = model(x), model.forward_single(x)
    diff = float((a - b).abs().max())
    log(f"strided vs dilated forward, max difference {diff:.2e}")
    assert diff < 1e-4


def save_checkpoint(model, epoch, lr, path):
    """The reference's checkpoint layout, reduced to what a supervised pose model needs: epoch, lr
    and model_pos (an OrderedDict state_dict); no optimizer state, no model_traj. Saved through a
    buffer so the zip archive's record prefix is the neutral 'archive', then renamed into place."""
    buffer = io.BytesIO()
    torch.save({"epoch": int(epoch), "lr": float(lr), "model_pos": model.state_dict()}, buffer)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buffer.getvalue())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="train lift3d's default VideoPose3D model on CMU mocap")
    ap.add_argument("--data", required=True, help="npz written by mocap_to_h36m.py")
    ap.add_argument("--out", required=True, help="checkpoint to write (or read with --evaluate-only)")
    ap.add_argument("--channels", type=int, default=256)
    ap.add_argument("--architecture", default="3,3,3,3")
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--final-lr-ratio", type=float, default=0.02, help="lr at the end / initial lr")
    ap.add_argument("--validate-every", type=int, default=4, help="epochs between held-out quick checks")
    ap.add_argument("--epoch-samples", type=int, default=0, help="samples per epoch (default: training frames)")
    ap.add_argument("--time-budget-min", type=float, default=0,
                    help="train for this long, with the schedule following wall time (overrides --epochs)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--eval-noise", type=float, default=1.0, help="noise level of the held-out 2D")
    ap.add_argument("--evaluate-only", action="store_true")
    ap.add_argument("--metrics-out", default="", help="write the evaluation as JSON here")
    ap.add_argument("--sample-clip", default="", help="held-out clip to export, e.g. 02_06")
    ap.add_argument("--sample-start", type=float, default=0.0, help="seconds")
    ap.add_argument("--sample-seconds", type=float, default=10.0)
    ap.add_argument("--sample-dir", default="")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    clips, train_names, test_names, test_subjects = load_clips(args.data)
    arch = [int(a) for a in args.architecture.split(",")]
    model = TemporalModel(17, 2, 17, arch, args.channels)
    rf = model.receptive_field()
    log(f"receptive field {rf}, parameters {sum(p.numel() for p in model.parameters())}, "
        f"train clips {len(train_names)}, test clips {len(test_names)} (CMU subjects {','.join(test_subjects)})")
    check_strided_equals_dilated(model, rf, log)

    if args.evaluate_only:
        ckpt = torch.load(args.out, map_location="cpu")
        model.load_state_dict(ckpt["model_pos"])
        log(f"loaded {args.out}: epoch {ckpt['epoch']}, lr {ckpt['lr']:.3g}")
    else:
        bank = MotionBank([clips[n] for n in train_names])
        epoch_samples = args.epoch_samples or bank.frames.shape[0]
        iters = max(1, epoch_samples // args.batch_size)
        log(f"{bank.frames.shape[0]} training frames; {iters} iterations of {args.batch_size} per epoch")
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, amsgrad=True)
        lr = args.lr
        start = time.time()
        epoch = 0
        tmp_ckpt = args.out + ".partial"
        budget_s = args.time_budget_min * 60

        def progress(epochs_done):
            """Fraction of the schedule done: by epochs, or by wall time when a budget is set (the
            machine is shared, so a fixed epoch count could overrun the budget)."""
            if budget_s:
                return min(1.0, (time.time() - start) / budget_s)
            return epochs_done / args.epochs

        while True:
            epoch += 1
            model.train()
            total, t_data, t_step = 0.0, 0.0, 0.0
            for _ in range(iters):
                t0 = time.time()
                inputs, target = make_batch(bank, rng, args.batch_size, rf)
                t1 = time.time()
                pred = model.forward_single(torch.from_numpy(inputs))[:, 0]
                loss = torch.mean(torch.norm(pred - torch.from_numpy(target), dim=-1))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += float(loss)
                t_data += t1 - t0
                t_step += time.time() - t1
            done = progress(epoch)
            # Exponential decays as in the reference (lr by --final-lr-ratio overall, BN momentum
            # 0.1 -> 0.001), driven by the fraction of the schedule done.
            lr = args.lr * args.final_lr_ratio ** done
            for group in optimizer.param_groups:
                group["lr"] = lr
            model.set_bn_momentum(0.1 * math.exp(-done * math.log(0.1 / 0.001)))
            elapsed = (time.time() - start) / 60
            log(f"epoch {epoch}: train MPJPE {1000 * total / iters:.1f} mm, next lr {lr:.2e}, "
                f"data {t_data:.0f}s step {t_step:.0f}s, elapsed {elapsed:.1f} min, schedule {100 * done:.0f}%")
            if epoch % args.validate_every == 0:
                quick = evaluate(model, clips, test_names, args.eval_noise, seed=99, quick=True)
                log(f"  held-out quick check (S9 camera 0, no TTA): MPJPE {quick['mpjpe']:.1f} mm, "
                    f"P-MPJPE {quick['pmpjpe']:.1f} mm")
                save_checkpoint(model, epoch, lr, tmp_ckpt)
            if done >= 1.0 or (budget_s and time.time() - start + (time.time() - start) / epoch > budget_s * 1.02):
                break
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        save_checkpoint(model, epoch, lr, args.out)
        if os.path.exists(tmp_ckpt):
            os.remove(tmp_ckpt)
        log(f"saved {args.out} ({os.path.getsize(args.out)} bytes) after {epoch} epochs, "
            f"{(time.time() - start) / 60:.1f} min")

    result = evaluate(model, clips, test_names, args.eval_noise, seed=99)
    clean = evaluate(model, clips, test_names, 0.0, seed=99)
    log(f"held-out ({result['frames']} frames per setting, H36M cameras of S9/S11, noisy 2D level "
        f"{args.eval_noise}): MPJPE {result['mpjpe_tta']:.1f} mm, P-MPJPE {result['pmpjpe_tta']:.1f} mm with TTA; "
        f"{result['mpjpe']:.1f} / {result['pmpjpe']:.1f} mm without")
    log(f"held-out, noise-free 2D: MPJPE {clean['mpjpe_tta']:.1f} mm, P-MPJPE {clean['pmpjpe_tta']:.1f} mm with TTA; "
        f"{clean['mpjpe']:.1f} / {clean['pmpjpe']:.1f} mm without")
    for name, value in result["per_clip_mpjpe"].items():
        log(f"  {name}: MPJPE {value:.1f} mm (TTA, noisy)")
    metrics = {"noisy": result, "clean": clean}
    if args.sample_clip:
        metrics["sample"] = export_sample(model, clips, args.sample_clip, ("S9", 0), args.sample_start,
                                          args.sample_seconds, args.sample_dir, seed=7, log=log)
    if args.metrics_out:
        with open(args.metrics_out, "w") as f:
            json.dump(metrics, f, indent=1, default=float)


if __name__ == "__main__":
    main()
