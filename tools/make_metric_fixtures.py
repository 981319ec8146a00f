#!/usr/bin/env python3
"""Golden fixtures for lift3d's metrics, aggregation, cameras, ground truth and 3D dataset reader.

Usage: /usr/bin/python3 tools/make_metric_fixtures.py    (needs numpy and torch; seeded, deterministic)

Writes tests/fixtures/metrics/:
  metric_cases.json   per-video MPJPE / P-MPJPE / N-MPJPE / MPJVE: the reference's float32 path
                      (torch for MPJPE and N-MPJPE, NumPy for the others, as run.py evaluate() runs
                      them) and an exact float64 path with lift3d's handling of degenerate frames
  aggregation.json    run.py's action-group aggregation (Python floats, np.mean) over many videos,
                      H36M and HumanEva naming, action filters, by-subject; and np.mean oracles
  cameras.json        normalised intrinsics, world<->camera transforms, projections, screen
                      normalisation, all with the reference's float32/float64 arithmetic
  ground_truth.json   tiny world-space datasets and their per-camera root-relative ground truth
  data_3d_*.npz       the same datasets as VideoPose3D's data_3d_<dataset>.npz files, plus bad ones

The formulas follow the reference's run.py, loss.py and camera.py; they are written here from that
description, not copied from VideoPose3D.
"""
import io
import json
import pathlib
import pickle
import zipfile

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "metrics"
CAMERAS = ROOT / "data" / "cameras"

torch.set_num_threads(1)


def f32_list(a):
    """float32 values as decimal text that round-trips through a double (9 significant digits)."""
    return [float("%.9g" % v) for v in np.asarray(a, dtype=np.float32).ravel()]


def f64(v):
    return None if v is None else float(v)


def dump(name, obj):
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    (OUT / name).write_text(text + "\n")
    print(f"wrote {name} ({len(text)} bytes)")


# --------------------------------------------------------------------------------------------------
# Metrics as the reference runs them (float32).

def ref_mpjpe_torch(p, g):
    """Mean Euclidean distance over every (batch, frame, joint), torch float32."""
    return torch.mean(torch.norm(p - g, dim=-1))


def ref_n_mpjpe_torch(p, g):
    """One scale per frame: mean_j <g, p> / mean_j |p|^2, then MPJPE, torch float32."""
    sq = torch.mean(torch.sum(p ** 2, dim=-1, keepdim=True), dim=-2, keepdim=True)
    cross = torch.mean(torch.sum(g * p, dim=-1, keepdim=True), dim=-2, keepdim=True)
    return ref_mpjpe_torch(cross / sq * p, g)


def ref_p_mpjpe_numpy(p, g):
    """Per-frame similarity Procrustes with the reflection fix, NumPy on (N, J, 3) arrays."""
    mu_g = np.mean(g, axis=1, keepdims=True)
    mu_p = np.mean(p, axis=1, keepdims=True)
    g0 = g - mu_g
    p0 = p - mu_p
    n_g = np.sqrt(np.sum(g0 ** 2, axis=(1, 2), keepdims=True))
    n_p = np.sqrt(np.sum(p0 ** 2, axis=(1, 2), keepdims=True))
    g0 /= n_g
    p0 /= n_p
    h = np.matmul(np.swapaxes(g0, 1, 2), p0)
    u, s, vt = np.linalg.svd(h)
    v = np.swapaxes(vt, 1, 2)
    ut = np.swapaxes(u, 1, 2)
    flip = np.sign(np.linalg.det(np.matmul(v, ut)))
    v[:, :, 2] *= flip[:, None]
    s[:, 2] *= flip
    r = np.matmul(v, ut)
    scale = np.sum(s, axis=1)[:, None, None] * n_g / n_p
    shift = mu_g - scale * np.matmul(mu_p, r)
    aligned = scale * np.matmul(p, r) + shift
    return np.mean(np.linalg.norm(aligned - g, axis=-1)), int(np.sum(flip < 0))


def ref_mpjve_numpy(p, g):
    dv = np.diff(p, axis=0) - np.diff(g, axis=0)
    return np.mean(np.linalg.norm(dv, axis=-1))


def reference_metrics(p32, g32):
    """The four per-video values in metres exactly as run.py evaluate() obtains them."""
    tp = torch.from_numpy(p32[None].copy())
    tg = torch.from_numpy(g32[None].copy())
    p1 = ref_mpjpe_torch(tp, tg).item()
    p3 = ref_n_mpjpe_torch(tp, tg).item()
    p2, flips = ref_p_mpjpe_numpy(p32.copy(), g32.copy())
    vel = ref_mpjve_numpy(p32, g32) if len(p32) > 1 else None
    return [p1, float(p2), p3, None if vel is None else float(vel)], flips


# --------------------------------------------------------------------------------------------------
# The same metrics in float64 with lift3d's documented limits for degenerate frames.

def exact_metrics_mm(p, g):
    p = p.astype(np.float64)
    g = g.astype(np.float64)
    n, j, _ = p.shape
    mpjpe = np.linalg.norm(p - g, axis=-1).mean()

    total = 0.0
    for t in range(n):
        mu_g, mu_p = g[t].mean(axis=0), p[t].mean(axis=0)
        g0, p0 = g[t] - mu_g, p[t] - mu_p
        n_g, n_p = np.linalg.norm(g0), np.linalg.norm(p0)
        if n_g == 0 or n_p == 0:  # zero spread: the prediction collapses onto the target centroid
            total += np.linalg.norm(mu_g - g[t], axis=-1).sum()
            continue
        u, s, vt = np.linalg.svd((g0 / n_g).T @ (p0 / n_p))
        v = vt.T
        d = np.sign(np.linalg.det(v @ u.T))
        v[:, 2] *= d
        s[2] *= d
        r = v @ u.T
        a = s.sum() * n_g / n_p
        aligned = a * (p[t] @ r) + (mu_g - a * (mu_p @ r))
        total += np.linalg.norm(aligned - g[t], axis=-1).sum()
    p_mpjpe = total / (n * j)

    sq = (p ** 2).sum(axis=(1, 2))
    cross = (g * p).sum(axis=(1, 2))
    scale = np.where(sq == 0, 0.0, cross / np.where(sq == 0, 1.0, sq))
    n_mpjpe = np.linalg.norm(scale[:, None, None] * p - g, axis=-1).mean()

    mpjve = np.linalg.norm(np.diff(p, axis=0) - np.diff(g, axis=0), axis=-1).mean() if n > 1 else None
    return [1000 * mpjpe, 1000 * p_mpjpe, 1000 * n_mpjpe, None if mpjve is None else 1000 * mpjve]


def random_rotation(rng):
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def random_target(rng, frames, joints):
    """Root-relative camera-space poses in metres with the root at 0, as evaluation sees them."""
    g = rng.normal(scale=0.25, size=(frames, joints, 3))
    g += np.cumsum(rng.normal(scale=0.01, size=(frames, 1, 3)), axis=0)  # smooth-ish motion
    g[:, 0] = 0
    return g


def metric_cases():
    rng = np.random.default_rng(20240611)
    cases = []

    def add(name, p, g, note, degenerate=False):
        p32 = np.asarray(p, dtype=np.float32)
        g32 = np.asarray(g, dtype=np.float32)
        exact = exact_metrics_mm(p32, g32)
        ref, flips = (None, 0) if degenerate else reference_metrics(p32, g32)
        if not degenerate:
            # Sanity: away from degenerate frames the float64 path is the reference formula in float64.
            ref64, _ = reference_metrics(p32.astype(np.float64), g32.astype(np.float64))
            for a, b in zip(exact, ref64):
                if a is not None:
                    assert abs(a - 1000 * b) <= 1e-9 * abs(a), (name, a, b)
        cases.append({
            "name": name, "note": note, "frames": int(p32.shape[0]), "joints": int(p32.shape[1]),
            "predicted": f32_list(p32), "target": f32_list(g32),
            "exact_mm": exact,
            "reference_float32_m": ref,
            "reflection_frames": flips,
        })

    g = random_target(rng, 10, 17)
    rot = random_rotation(rng)
    p = 1.1 * g @ rot + np.array([0.02, -0.05, 0.1]) + rng.normal(scale=0.02, size=g.shape)
    add("random_h36m", p, g, "scaled, rotated, shifted and noisy prediction")

    g = random_target(rng, 6, 17)
    p = g * np.array([-1.0, 1.0, 1.0]) + rng.normal(scale=0.005, size=g.shape)
    add("mirrored", p, g, "prediction mirrored in x: the best orthogonal map is a reflection")
    assert cases[-1]["reflection_frames"] == 6, cases[-1]["reflection_frames"]

    g = random_target(rng, 7, 15)
    p = g + rng.normal(scale=0.03, size=g.shape)
    add("humaneva15", p, g, "15 joints, noisy prediction")

    g = random_target(rng, 1, 17)
    p = g + rng.normal(scale=0.03, size=g.shape)
    add("single_frame", p, g, "one frame: the velocity error is undefined (NaN)")

    g = random_target(rng, 5, 17) + np.array([0.3, -0.2, 4.5])
    p = g + rng.normal(scale=0.04, size=g.shape)
    add("absolute_depth", p, g, "poses 4.5 m in front of the camera, root not zeroed")

    g = random_target(rng, 5, 17)
    p = g + rng.normal(scale=0.03, size=g.shape)
    p[2] = 0
    add("zero_prediction_frame", p, g, "frame 2 of the prediction is all zeros; the reference yields "
        "NaN (N-MPJPE) and fails in the SVD (P-MPJPE)", degenerate=True)

    g = random_target(rng, 4, 17)
    p = g + rng.normal(scale=0.03, size=g.shape)
    g[1] = 0
    add("point_target_frame", p, g, "frame 1 of the target is a single point", degenerate=True)
    return cases


# --------------------------------------------------------------------------------------------------
# Aggregation (run.py: evaluate() per action group, run_evaluation(), --by-subject).

def group_name(action):
    return action.split(' ')[0]


def reference_report(videos, subjects, dataset_actions, action_filter):
    """videos[(subject, action)] = list over cameras of (frames, [p1, p2, p3, vel] metres)."""
    groups = {}
    for subject in subjects:
        for action in dataset_actions[subject]:
            groups.setdefault(group_name(action), []).append((subject, action))
    out = []
    for name, members in groups.items():
        if action_filter is not None and not any(name.startswith(a) for a in action_filter):
            continue
        sums = [0, 0, 0, 0]
        total = 0
        count = 0
        for key in members:
            for frames, errors in videos[key]:
                for k in range(4):
                    sums[k] += frames * errors[k]
                total += frames
                count += 1
        out.append({"name": name, "frames": total, "videos": count,
                    "errors_mm": [(s / total) * 1000 for s in sums]})
    average = [float(np.mean([g["errors_mm"][k] for g in out])) for k in range(4)] if out else [None] * 4
    return {"groups": out, "average_mm": average}


def aggregation_scenario(rng, subjects, dataset_actions, cameras, filters):
    videos = {}
    flat = []
    for subject in subjects:
        for action in dataset_actions[subject]:
            per_camera = []
            for cam in range(cameras):
                frames = int(rng.integers(40, 3000))
                p1 = rng.uniform(0.02, 0.09)
                errors = [float(np.float32(x)) for x in (p1, 0.72 * p1 * rng.uniform(0.9, 1.1),
                                                           0.97 * p1 * rng.uniform(0.95, 1.05),
                                                           rng.uniform(0.001, 0.005))]
                per_camera.append((frames, errors))
                flat.append({"subject": subject, "action": action, "camera": cam, "frames": frames,
                             "errors_m": errors})
            videos[(subject, action)] = per_camera
    expected = {"all": reference_report(videos, subjects, dataset_actions, None),
                "by_subject": [dict(subject=s, **reference_report(videos, [s], dataset_actions, None))
                               for s in subjects],
                "filtered": [dict(filter=f, **reference_report(videos, subjects, dataset_actions, f))
                             for f in filters]}
    return {"videos": flat, "expected": expected}


def end_to_end(cases):
    """The metric cases as videos of an evaluation: reference float32 per-video values, run.py's
    aggregation. lift3d computes the per-video values itself, so this checks the whole chain."""
    usable = {c["name"]: c for c in cases if c["reference_float32_m"] is not None and c["frames"] > 1
              and c["joints"] == 17}
    layout = [("S9", "Walking 1", "random_h36m"), ("S9", "Walking", "mirrored"),
              ("S9", "Eating", "absolute_depth"), ("S11", "Walking", "absolute_depth"),
              ("S11", "Eating 2", "random_h36m")]
    dataset_actions, videos, flat = {}, {}, []
    for subject, action, case in layout:
        dataset_actions.setdefault(subject, []).append(action)
        c = usable[case]
        videos[(subject, action)] = [(c["frames"], c["reference_float32_m"])]
        flat.append({"subject": subject, "action": action, "case": case})
    return {"videos": flat, "expected": reference_report(videos, list(dataset_actions), dataset_actions, None)}


def aggregation():
    rng = np.random.default_rng(7)
    h36m_actions = {
        "S9": ["Directions 1", "Directions", "Discussion 1", "Walking 1", "Walking", "WalkDog", "Sitting 1",
               "SittingDown", "WalkTogether 1", "Photo", "Eating 2"],
        "S11": ["Walking", "Walking 1", "WalkTogether 1", "Eating", "Directions 1", "SittingDown 1",
                "Sitting 1", "Purchases 1", "Smoking", "Waiting 1", "Greeting 2"],
    }
    humaneva_actions = {
        "Validate/S1": ["Jog 1 chunk0", "Walking 1 chunk0", "Walking 1 chunk2", "Box 1 chunk0",
                        "Gestures 1 chunk0", "ThrowCatch 1 chunk0"],
        "Validate/S2": ["Walking 1 chunk0", "Jog 1 chunk0", "Jog 1 chunk1", "Box 1 chunk0", "Gestures 1 chunk0"],
        "Validate/S3": ["Walking 1 chunk0", "Jog 1 chunk0", "Box 1 chunk0"],
    }
    scenarios = {
        "h36m": aggregation_scenario(rng, ["S9", "S11"], h36m_actions, 4, [["Walk"], ["Sitting", "Eat"]]),
        "humaneva": aggregation_scenario(rng, ["Validate/S1", "Validate/S2", "Validate/S3"], humaneva_actions,
                                         3, [["Walk", "Jog", "Box"]]),
    }
    assert len(scenarios["h36m"]["expected"]["all"]["groups"]) >= 8  # exercises the 8-way pairwise sum

    means = []
    for n in (3, 8, 15, 129, 300):
        values = rng.normal(loc=40.0, scale=15.0, size=n) * np.exp(rng.normal(scale=3.0, size=n))
        means.append({"values": [float(v) for v in values], "mean": float(np.mean(values)),
                      "sequential_mean": sum(float(v) for v in values) / n})
    assert any(m["mean"] != m["sequential_mean"] for m in means)  # the oracle tells the orders apart
    return {"scenarios": scenarios, "numpy_mean": means}


# --------------------------------------------------------------------------------------------------
# Cameras (common/camera.py, common/quaternion.py semantics; torch float32).

def load_cameras(dataset):
    table = json.loads((CAMERAS / f"{dataset}.json").read_text())
    return table


def qrot_torch(q, v):
    u = q[..., 1:]
    uv = torch.cross(u, v, dim=-1)
    uuv = torch.cross(u, uv, dim=-1)
    return v + 2 * (q[..., :1] * uv + uuv)


def world_to_camera_ref(x32, orientation, translation_mm):
    q = torch.from_numpy(np.array(orientation, dtype=np.float32))
    q_inv = torch.cat((q[:1], -q[1:]))
    t = np.array(translation_mm, dtype=np.float32) / 1000
    v = torch.from_numpy(x32 - t)
    return qrot_torch(q_inv.expand(*v.shape[:-1], 4), v).numpy()


def camera_to_world_ref(x32, orientation, translation_mm):
    q = torch.from_numpy(np.array(orientation, dtype=np.float32))
    t = np.array(translation_mm, dtype=np.float32) / 1000
    v = torch.from_numpy(x32)
    return qrot_torch(q.expand(*v.shape[:-1], 4), v).numpy() + t


def normalize_ref(x32, w, h):
    return (x32 / w * 2 - [1, h / w]).astype(np.float32)


def image_coordinates_ref(x, w, h):
    return (x + [1, h / w]) * w / 2


def intrinsic_vector(cam):
    w, h = cam["res_w"], cam["res_h"]
    centre = normalize_ref(np.array(cam["center"], dtype=np.float32), w, h)
    focal = np.array(cam["focal_length"], dtype=np.float32) / w * 2
    return np.concatenate((focal, centre, np.array(cam["radial_distortion"], dtype=np.float32),
                           np.array(cam["tangential_distortion"], dtype=np.float32))).astype(np.float32)


def project_ref(x32, intrinsic, linear=False):
    x = torch.from_numpy(x32)
    k9 = torch.from_numpy(intrinsic)
    f, c, k, p = k9[:2], k9[2:4], k9[4:7], k9[7:]
    xy = torch.clamp(x[..., :2] / x[..., 2:], min=-1, max=1)
    if linear:
        return (f * xy + c).numpy()
    r2 = torch.sum(xy ** 2, dim=-1, keepdim=True)
    radial = 1 + torch.sum(k * torch.cat((r2, r2 ** 2, r2 ** 3), dim=-1), dim=-1, keepdim=True)
    tangential = torch.sum(p * xy, dim=-1, keepdim=True)
    distorted = xy * (radial + tangential) + p * r2
    return (f * distorted + c).numpy()


# Spec 7.2, computed there by emulating the reference's float32 arithmetic: a cross-check of both.
SPEC_INTRINSICS = [
    [2.2900989055633545, 2.287562370300293, 0.025083065032958984, 0.02890298143029213],
    [2.299351215362549, 2.2951834201812744, 0.01769721508026123, 0.01612985134124756],
    [2.29828143119812, 2.297597885131836, 0.03963172435760498, 0.002805352210998535],
    [2.291022777557373, 2.289547920227051, 0.02993643283843994, 0.0017640333389863372],
]


def camera_fixtures():
    rng = np.random.default_rng(11)
    h36m = load_cameras("h36m")
    humaneva = load_cameras("humaneva")
    out = {"intrinsics": [], "transforms": [], "projections": [], "screen": []}

    for i, cam in enumerate(h36m["cameras"]):
        vec = intrinsic_vector(cam)
        assert [float(v) for v in vec[:4]] == SPEC_INTRINSICS[i], (i, vec[:4])
        out["intrinsics"].append({"index": i, "id": cam["id"], "normalized": [float(v) for v in vec]})

    for dataset, table in (("h36m", h36m), ("humaneva", humaneva)):
        for subject, cams in table["extrinsics"].items():
            for index, ext in enumerate(cams):
                if not ext:
                    continue
                world = np.concatenate([rng.uniform(-2, 2, size=(6, 2)), rng.uniform(0, 2, size=(6, 1))],
                                       axis=1).astype(np.float32)
                cam_pts = world_to_camera_ref(world, ext["orientation"], ext["translation"]).astype(np.float32)
                back = camera_to_world_ref(cam_pts, ext["orientation"], ext["translation"]).astype(np.float32)
                out["transforms"].append({"dataset": dataset, "subject": subject, "camera": index,
                                          "world": f32_list(world), "camera_space": f32_list(cam_pts),
                                          "back_to_world": f32_list(back)})

    for i, cam in enumerate(h36m["cameras"]):
        pts = np.concatenate([rng.uniform(-1.5, 1.5, size=(8, 2)), rng.uniform(2.5, 7, size=(8, 1))], axis=1)
        pts[0] = [2.0, 0.3, 1.0]    # x/z beyond the clamp
        pts[1] = [-0.2, -3.0, 1.5]  # y/z beyond the clamp
        pts = pts.astype(np.float32)
        k9 = intrinsic_vector(cam)
        uv = project_ref(pts, k9)
        uv_linear = project_ref(pts, k9, linear=True)
        pixels = image_coordinates_ref(uv, cam["res_w"], cam["res_h"])
        out["projections"].append({"camera": i, "camera_space": f32_list(pts), "normalized": f32_list(uv),
                                   "linear": f32_list(uv_linear),
                                   "pixels": [float(v) for v in pixels.ravel()],
                                   "pixels_float32": f32_list(pixels)})

    for w, h in ((1000, 1002), (1000, 1000), (640, 480), (1920, 1080), (1080, 1920)):
        px = np.concatenate([rng.uniform(0, w, size=(6, 1)), rng.uniform(0, h, size=(6, 1))], axis=1)
        px = px.astype(np.float32)
        norm = normalize_ref(px, w, h)
        back = image_coordinates_ref(norm, w, h)
        out["screen"].append({"width": w, "height": h, "pixels": f32_list(px), "normalized": f32_list(norm),
                              "back": [float(v) for v in back.ravel()]})
    return out


# --------------------------------------------------------------------------------------------------
# Ground truth (run.py "Preparing data") and the data_3d npz layout.

H36M_REMOVED = [4, 5, 9, 10, 11, 16, 20, 21, 22, 23, 24, 28, 29, 30, 31]
H36M_KEPT = [j for j in range(32) if j not in H36M_REMOVED]


def world_sequence(rng, frames, joints):
    root = np.array([rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), 0.9])
    pose = rng.normal(scale=0.3, size=(1, joints, 3))
    drift = np.cumsum(rng.normal(scale=0.02, size=(frames, 1, 3)), axis=0)
    return (root + pose + drift + rng.normal(scale=0.01, size=(frames, joints, 3))).astype(np.float32)


def ground_truth_of(dataset_dict, table, kept):
    out = []
    for subject, actions in dataset_dict.items():
        cams = table["extrinsics"][subject.split("/")[-1]]
        for action, positions in actions.items():
            pos = positions[:, kept] if kept is not None else positions
            views = []
            for ext in cams:
                p = world_to_camera_ref(pos, ext["orientation"], ext["translation"]).astype(np.float32)
                p[:, 1:] -= p[:, :1]
                views.append(f32_list(p))
            out.append({"subject": subject, "action": action, "frames": int(pos.shape[0]),
                        "joints": int(pos.shape[1]), "cameras": views})
    return out


def save_npz(path, members, pickle_protocol=None):
    """np.savez_compressed's layout (deflated .npy members written through zip64-forced streams),
    with a fixed timestamp so the bytes are reproducible. `pickle_protocol` 2 pickles object arrays
    as the NumPy releases of 2018 did; by default NumPy's own (protocol 3) is used."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for key, value in members.items():
            arr = np.asanyarray(value) if not isinstance(value, dict) else None
            if arr is None:
                arr = np.empty((), dtype=object)
                arr[()] = value
            buf = io.BytesIO()
            if pickle_protocol is not None and arr.dtype == object:
                np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(arr))
                pickle.dump(arr, buf, protocol=pickle_protocol)
            else:
                np.lib.format.write_array(buf, arr, allow_pickle=True)
            info = zipfile.ZipInfo(key + ".npy", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as member:
                member.write(buf.getvalue())


def dataset_fixtures():
    rng = np.random.default_rng(3)
    h36m = {
        "S1": {"Walking": world_sequence(rng, 3, 32), "Walking 1": world_sequence(rng, 4, 32)},
        "S11": {"Directions 1": world_sequence(rng, 2, 32)},
    }
    humaneva = {
        "Validate/S1": {"Walking 1 chunk0": world_sequence(rng, 3, 15), "Jog 1 chunk2": world_sequence(rng, 2, 15)},
        "Train/S3": {"Box 1 chunk0": world_sequence(rng, 3, 15)},
    }
    save_npz(OUT / "data_3d_h36m_tiny.npz", {"positions_3d": h36m})
    save_npz(OUT / "data_3d_humaneva15_tiny.npz", {"positions_3d": humaneva})
    save_npz(OUT / "data_3d_h36m_tiny_protocol2.npz", {"positions_3d": h36m}, pickle_protocol=2)
    for name in ("data_3d_h36m_tiny.npz", "data_3d_h36m_tiny_protocol2.npz"):
        loaded = np.load(OUT / name, allow_pickle=True)["positions_3d"].item()
        assert list(loaded) == list(h36m) and list(loaded["S1"]) == list(h36m["S1"])
        assert np.array_equal(loaded["S1"]["Walking 1"], h36m["S1"]["Walking 1"])

    one = np.zeros((1, 32, 3), dtype=np.float32)
    bad = {
        "bad_no_positions.npz": {"poses": np.zeros(3, dtype=np.float32)},
        "bad_numeric_positions.npz": {"positions_3d": np.zeros((2, 3), dtype=np.float32)},
        "bad_shape.npz": {"positions_3d": {"S1": {"Walking": np.zeros((2, 32, 2), dtype=np.float32)}}},
        "bad_actions_not_dict.npz": {"positions_3d": {"S1": [one]}},
        "bad_joint_counts.npz": {"positions_3d": {"S1": {"Walking": one, "Eating": np.zeros((1, 17, 3), np.float32)}}},
        "bad_nan.npz": {"positions_3d": {"S1": {"Walking": np.full((1, 32, 3), np.nan, dtype=np.float32)}}},
        "bad_dtype.npz": {"positions_3d": {"S1": {"Walking": np.zeros((1, 32, 3), dtype=np.int32)}}},
        "bad_empty_action.npz": {"positions_3d": {"S1": {"Walking": np.zeros((0, 32, 3), dtype=np.float32)}}},
    }
    for name, members in bad.items():
        save_npz(OUT / name, members)

    def inputs(d):
        return [{"subject": s, "action": a, "frames": int(v.shape[0]), "joints": int(v.shape[1]),
                 "world": f32_list(v)} for s, acts in d.items() for a, v in acts.items()]

    gt = {
        "h36m": {"npz": "data_3d_h36m_tiny.npz", "inputs": inputs(h36m), "kept_joints": H36M_KEPT,
                 "expected": ground_truth_of(h36m, load_cameras("h36m"), H36M_KEPT)},
        "humaneva": {"npz": "data_3d_humaneva15_tiny.npz", "inputs": inputs(humaneva),
                     "expected": ground_truth_of(humaneva, load_cameras("humaneva"), None)},
    }
    return gt


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    cases = metric_cases()
    dump("metric_cases.json", {"cases": cases, "end_to_end": end_to_end(cases)})
    dump("aggregation.json", aggregation())
    dump("cameras.json", camera_fixtures())
    dump("ground_truth.json", dataset_fixtures())


if __name__ == "__main__":
    main()
