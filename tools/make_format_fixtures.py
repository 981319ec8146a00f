#!/usr/bin/python3
"""Writes tests/fixtures/formats/: one tiny 2D keypoint sequence exported in every detector format
lift3d reads, the results lift3d must produce from it, and a camera->world golden.

Usage: /usr/bin/python3 tools/make_format_fixtures.py [--out tests/fixtures/formats]

Deterministic (fixed seed); needs numpy only (torch, when importable, cross-checks camera_to_world).

The sequence: 6 frames, 640x480, COCO-17, two people per frame. The "main" person always has the
higher person score (every format's notion of it); the "distractor" is lower everywhere. Holes in
the main person: frame 2 left_ear and frame 5 right_ankle are undetected (0, 0, 0); frame 0
left_ankle (score 0.05) and frame 4 left_wrist (score 0.1) are low-confidence.

Files:
  sequence.lift3d.json        main person, COCO, lift3d's own format (what every reader must yield)
  distractor.lift3d.json      the other person (what a track-id selection of it must yield)
  openpose_body25/            clip_<12 digits>_keypoints.json, BODY_25, person_id [-1]
  openpose_coco18/            the same in OpenPose's COCO-18 layout, person_id 3 (main) / 4
  coco_results.json           [{image_id, category_id, keypoints[51], score}]
  alphapose_halpe26.json      [{image_id "<n>.jpg", keypoints[78], score, box, idx 1 (main) / 2}]
  alphapose_coco.json         the same with 51 values and no idx
  mmpose.json                 [{frame_id, instances: [{keypoints, keypoint_scores, bbox, bbox_score,
                              track_id 0 (main) / 1}]}]
  mmpose_predictions.json     {"meta_info": {...}, "instance_info": [...]} (body3d demo form)
  mmpose0x_pose_results.json  MMPose 0.x pose_results per frame: [[{bbox [x1, y1, x2, y2, score],
                              keypoints [[x, y, s] x 17], track_id 0 (main) / 1}]]
  openpose_body25b/           the OpenPose folder in BODY_25B order (COCO-17, upper neck, head top, feet)
  keypoints_coco.csv          main person, one row per frame: frame, nose_x, nose_y, nose_score, ...
  keypoints_numbered.csv      the same as x0, y0, s0, x1, ... without a frame column
  keypoints_coco.npy          main person, float32 (frames, 17, 3)
  keypoints_coco.npz          main person as `reconstruction`, float32 (1, frames, 17, 3), COCO order
  mediapipe_frames.json       main person as MediaPipe's 33 landmarks, x / 640 and y / 480:
                              [{frame, keypoints: [{id, x, y, z, visibility}]}], two leading frames
                              with no pose (frames 0, 1; the sequence follows as frames 2-7)
  mediapipe_named.json        [{frame_number, landmarks: {"nose": {x, y, z, visibility}, ...},
                              has_pose}], the same two empty frames ({} and has_pose false)
  mediapipe_wide.csv          frame, L0_x, L0_y, L0_z, L0_visibility, ... (one row per frame)
  mediapipe_long.csv          Frame, LandmarkID, X, Y (33 rows per frame, no visibility)
  expected_h36m.lift3d.json   main person mapped COCO -> H36M (means in float64, score = min)
  expected_coco_filled_min0.3.lift3d.json  main person after gap filling at --min-score 0.3
                              (np.interp per joint and coordinate over the usable frames)
  world_frame.json            camera-space poses and their world-frame versions, computed with
                              VideoPose3D's qrot/camera_to_world formula in float32
"""

import argparse
import json
import os
import shutil

import numpy as np

SEED = 20240611
FRAMES = 6
WIDTH, HEIGHT, FPS = 640, 480, 25

COCO = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
        "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
        "right_knee", "left_ankle", "right_ankle"]
H36M = ["pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "spine",
        "thorax", "neck", "head", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder", "right_elbow",
        "right_wrist"]

# COCO joint indices used below.
NOSE, LEYE, REYE, LEAR, REAR, LSHO, RSHO, LELB, RELB, LWRI, RWRI, LHIP, RHIP, LKNE, RKNE, LANK, RANK = range(17)

TEMPLATE = np.array([
    (320, 100), (328, 92), (312, 92), (338, 98), (302, 98), (350, 140), (290, 140), (362, 190), (278, 190),
    (368, 235), (272, 235), (340, 250), (300, 250), (344, 320), (296, 320), (346, 390), (294, 390)],
    dtype=np.float64)

# The reference's dummy camera for in-the-wild videos (Human3.6M S1, camera 0), float32 as it loads it.
ORIENTATION = np.array([0.1407056450843811, -0.1500701755285263, -0.755240797996521, 0.6223280429840088],
                       dtype=np.float32)
TRANSLATION_M = np.array([1841.1070556640625, 4955.28466796875, 1563.4454345703125], dtype=np.float32) / 1000


def make_people(rng):
    """Returns (main, distractor), each float32 (FRAMES, 17, 3): x, y, score."""
    main = np.zeros((FRAMES, 17, 3), dtype=np.float32)
    other = np.zeros((FRAMES, 17, 3), dtype=np.float32)
    for f in range(FRAMES):
        shift = np.array([4.0 * f, -1.5 * f])
        main[f, :, :2] = TEMPLATE + shift + rng.normal(0.0, 1.5, size=(17, 2))
        main[f, :, 2] = rng.uniform(0.55, 0.98, size=17)
        centre = TEMPLATE.mean(axis=0)
        other[f, :, :2] = (TEMPLATE - centre) * 0.8 + centre + np.array([170.0, 20.0]) - shift + \
            rng.normal(0.0, 1.5, size=(17, 2))
        other[f, :, 2] = rng.uniform(0.2, 0.45, size=17)
    main[2, LEAR] = 0.0
    main[5, RANK] = 0.0
    main[0, LANK, 2] = 0.05
    main[4, LWRI, 2] = 0.1
    return main, other


def mid(person, *joints):
    """Mean position of some joints (float64 sum in order, like lift3d), score = lowest."""
    xy = sum(person[..., j, :2].astype(np.float64) for j in joints) / len(joints)
    score = np.min(np.stack([person[..., j, 2] for j in joints]), axis=0)
    return np.concatenate([xy.astype(np.float32), score[..., None]], axis=-1)


def foot(person, ankle, dx, dy):
    out = person[..., ankle, :].copy()
    out[..., 0] += dx
    out[..., 1] += dy
    out[..., 2] *= np.float32(0.9)
    out[person[..., ankle, 2] == 0] = 0.0
    return out


def to_body25(p):
    j = [p[..., NOSE, :], mid(p, LSHO, RSHO), p[..., RSHO, :], p[..., RELB, :], p[..., RWRI, :], p[..., LSHO, :],
         p[..., LELB, :], p[..., LWRI, :], mid(p, LHIP, RHIP), p[..., RHIP, :], p[..., RKNE, :], p[..., RANK, :],
         p[..., LHIP, :], p[..., LKNE, :], p[..., LANK, :], p[..., REYE, :], p[..., LEYE, :], p[..., REAR, :],
         p[..., LEAR, :], foot(p, LANK, 8, 12), foot(p, LANK, 14, 10), foot(p, LANK, -4, 6), foot(p, RANK, -8, 12),
         foot(p, RANK, -14, 10), foot(p, RANK, 4, 6)]
    return np.stack(j, axis=-2).astype(np.float32)


def to_coco18(p):
    j = [p[..., NOSE, :], mid(p, LSHO, RSHO), p[..., RSHO, :], p[..., RELB, :], p[..., RWRI, :], p[..., LSHO, :],
         p[..., LELB, :], p[..., LWRI, :], p[..., RHIP, :], p[..., RKNE, :], p[..., RANK, :], p[..., LHIP, :],
         p[..., LKNE, :], p[..., LANK, :], p[..., REYE, :], p[..., LEYE, :], p[..., REAR, :], p[..., LEAR, :]]
    return np.stack(j, axis=-2).astype(np.float32)


def to_halpe26(p):
    head = mid(p, LEYE, REYE)
    head[..., 1] -= 15
    extra = [head, mid(p, LSHO, RSHO), mid(p, LHIP, RHIP), foot(p, LANK, 8, 12), foot(p, RANK, -8, 12),
             foot(p, LANK, 14, 10), foot(p, RANK, -14, 10), foot(p, LANK, -4, 6), foot(p, RANK, 4, 6)]
    return np.concatenate([p, np.stack(extra, axis=-2)], axis=-2).astype(np.float32)


def to_body25b(p):
    head = mid(p, LEYE, REYE)
    head[..., 1] -= 15
    extra = [mid(p, LSHO, RSHO), head, foot(p, LANK, 8, 12), foot(p, LANK, 14, 10), foot(p, LANK, -4, 6),
             foot(p, RANK, -8, 12), foot(p, RANK, -14, 10), foot(p, RANK, 4, 6)]
    return np.concatenate([p, np.stack(extra, axis=-2)], axis=-2).astype(np.float32)


MEDIAPIPE = ["nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
             "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
             "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky",
             "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee",
             "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index",
             "right_foot_index"]


def to_mediapipe33(p):
    """COCO -> the 33 MediaPipe landmarks in pixels (the extra ones placed beside their neighbours)."""
    def near(j, dx, dy):
        out = p[..., j, :].copy()
        out[..., 0] += dx
        out[..., 1] += dy
        return out
    j = [p[..., NOSE, :], near(LEYE, -3, 0), p[..., LEYE, :], near(LEYE, 3, 0), near(REYE, 3, 0), p[..., REYE, :],
         near(REYE, -3, 0), p[..., LEAR, :], p[..., REAR, :], near(NOSE, 4, 8), near(NOSE, -4, 8), p[..., LSHO, :],
         p[..., RSHO, :], p[..., LELB, :], p[..., RELB, :], p[..., LWRI, :], p[..., RWRI, :], near(LWRI, 4, 10),
         near(RWRI, -4, 10), near(LWRI, 2, 12), near(RWRI, -2, 12), near(LWRI, -2, 8), near(RWRI, 2, 8),
         p[..., LHIP, :], p[..., RHIP, :], p[..., LKNE, :], p[..., RKNE, :], p[..., LANK, :], p[..., RANK, :],
         foot(p, LANK, -4, 6), foot(p, RANK, 4, 6), foot(p, LANK, 12, 10), foot(p, RANK, -12, 10)]
    return np.stack(j, axis=-2).astype(np.float32)


def coco_to_h36m(p):
    j = [mid(p, LHIP, RHIP), p[..., RHIP, :], p[..., RKNE, :], p[..., RANK, :], p[..., LHIP, :], p[..., LKNE, :],
         p[..., LANK, :], mid(p, LHIP, RHIP, LSHO, RSHO), mid(p, LSHO, RSHO), p[..., NOSE, :], mid(p, LEYE, REYE),
         p[..., LSHO, :], p[..., LELB, :], p[..., LWRI, :], p[..., RSHO, :], p[..., RELB, :], p[..., RWRI, :]]
    return np.stack(j, axis=-2).astype(np.float32)


def fill_gaps(p, min_score):
    """np.interp over the usable frames of each joint, as VideoPose3D's prepare_data_2d_custom does."""
    out = p.copy()
    frames = np.arange(p.shape[0])
    for j in range(p.shape[1]):
        usable = (p[:, j, 2] > 0) & (p[:, j, 2] >= np.float32(min_score))
        for axis in range(2):
            out[:, j, axis] = np.interp(frames, frames[usable], p[usable, j, axis].astype(np.float64))
    return out


def flat(person_frame):
    return [float(v) for v in person_frame.reshape(-1)]


def points(person_frame):
    return [[float(x), float(y)] for x, y in person_frame[:, :2]]


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, separators=(",", ":"))
        f.write("\n")


def lift3d_text(layout, names, seq, fps=FPS):
    rows = []
    for frame in seq:
        rows.append("  [" + ", ".join(
            "[" + ", ".join(repr(float(v)) for v in joint) + "]" for joint in frame) + "]")
    return ('{"format": "lift3d-keypoints-2d", "version": 1, "layout": "%s", "image_width": %d, '
            '"image_height": %d, "fps": %s,\n "joint_names": %s,\n "keypoints": [\n%s\n ]}\n'
            % (layout, WIDTH, HEIGHT, json.dumps(fps), json.dumps(names), ",\n".join(rows)))


def box(person_frame):
    x0, y0 = person_frame[:, :2].min(axis=0)
    x1, y1 = person_frame[:, :2].max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def qrot(q, v):
    """VideoPose3D common/quaternion.py qrot, in numpy float32."""
    qvec = q[..., 1:]
    uv = np.cross(qvec, v)
    uuv = np.cross(qvec, uv)
    return v + 2 * (q[..., :1] * uv + uuv)


def camera_to_world(x, q, t):
    return qrot(np.broadcast_to(q, x.shape[:-1] + (4,)), x) + t


def world_frame_fixture(rng):
    camera = rng.uniform(-0.9, 0.9, size=(5, 17, 3)).astype(np.float32)
    camera[..., 2] += np.float32(0.2)
    rotated = camera_to_world(camera, ORIENTATION, np.float32(0)).astype(np.float32)
    rebased = rotated.copy()
    rebased[:, :, 2] -= np.min(rebased[:, :, 2])
    translated = camera_to_world(camera, ORIENTATION, TRANSLATION_M).astype(np.float32)
    assert rotated.dtype == np.float32 and translated.dtype == np.float32
    try:  # the reference runs qrot in torch; check the numpy port against it when torch is here
        import torch
        q = torch.from_numpy(np.ascontiguousarray(np.broadcast_to(ORIENTATION, camera.shape[:-1] + (4,))))
        v = torch.from_numpy(camera)
        qvec = q[..., 1:]
        uv = torch.cross(qvec, v, dim=-1)
        uuv = torch.cross(qvec, uv, dim=-1)
        torch_rotated = (v + 2 * (q[..., :1] * uv + uuv)).numpy()
        assert np.allclose(torch_rotated, rotated, rtol=0, atol=1e-6)
    except ImportError:
        pass

    def nested(a):
        return [[[float(v) for v in joint] for joint in frame] for frame in a]
    return {"orientation_wxyz": [float(v) for v in ORIENTATION],
            "translation_m": [float(v) for v in TRANSLATION_M],
            "camera": nested(camera),
            "world_rotated": nested(rotated),
            "world_rebased": nested(rebased),
            "world_translated": nested(translated)}


def write_new_formats(out, main_p, other_p):
    # MMPose 0.x pose_results: the distractor first; bbox score decides.
    frames = []
    for f in range(FRAMES):
        people = []
        for person, bbox_score, track in ((other_p[f], 0.62, 1), (main_p[f], 0.95, 0)):
            people.append({"bbox": list(box(person)) + [bbox_score],
                           "keypoints": [[float(v) for v in joint] for joint in person], "track_id": track})
        frames.append(people)
    write_json(os.path.join(out, "mmpose0x_pose_results.json"), frames)

    directory = os.path.join(out, "openpose_body25b")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    main_b, other_b = to_body25b(main_p), to_body25b(other_p)
    for f in range(FRAMES):
        people = [{"person_id": [-1], "pose_keypoints_2d": flat(person)} for person in (other_b[f], main_b[f])]
        write_json(os.path.join(directory, "clip_%012d_keypoints.json" % f), {"version": 1.3, "people": people})

    # Keypoint tables and arrays of the main person (floats in their shortest exact text).
    header = ["frame"] + ["%s_%s" % (n, part) for n in COCO for part in ("x", "y", "score")]
    rows = [",".join([str(f)] + [repr(float(v)) for v in main_p[f].reshape(-1)]) for f in range(FRAMES)]
    with open(os.path.join(out, "keypoints_coco.csv"), "w") as f:
        f.write("\n".join([",".join(header)] + rows) + "\n")
    header = ["%s%d" % (part, j) for j in range(17) for part in ("x", "y", "s")]
    rows = [",".join(repr(float(v)) for v in main_p[f].reshape(-1)) for f in range(FRAMES)]
    with open(os.path.join(out, "keypoints_numbered.csv"), "w") as f:
        f.write("\n".join([",".join(header)] + rows) + "\n")
    np.save(os.path.join(out, "keypoints_coco.npy"), main_p.astype(np.float32))
    np.savez_compressed(os.path.join(out, "keypoints_coco.npz"), reconstruction=main_p[None].astype(np.float32))

    # MediaPipe: normalised by the image size, visibility = score; two frames without a pose first.
    mp = to_mediapipe33(main_p).astype(np.float64)
    mp[..., 0] /= WIDTH
    mp[..., 1] /= HEIGHT
    z = -0.05

    def landmark(f, j):
        return {"x": float(mp[f, j, 0]), "y": float(mp[f, j, 1]), "z": z, "visibility": float(mp[f, j, 2])}

    frames = [{"frame": 0, "keypoints": []}, {"frame": 1, "keypoints": []}]
    frames += [{"frame": f + 2, "keypoints": [dict(id=j, **landmark(f, j)) for j in range(33)]} for f in range(FRAMES)]
    with open(os.path.join(out, "mediapipe_frames.json"), "w") as f:
        json.dump(frames, f, indent=2)
    frames = [{"frame_number": 0, "timestamp": 0.0, "landmarks": {}, "has_pose": False},
              {"frame_number": 1, "timestamp": 0.04, "landmarks": {}, "has_pose": False}]
    frames += [{"frame_number": f + 2, "timestamp": 0.04 * (f + 2),
                "landmarks": {MEDIAPIPE[j]: landmark(f, j) for j in range(33)}, "has_pose": True}
               for f in range(FRAMES)]
    write_json(os.path.join(out, "mediapipe_named.json"), frames)
    header = ["frame"] + ["L%d_%s" % (j, part) for j in range(33) for part in ("x", "y", "z", "visibility")]
    rows = [",".join([str(f + 2)] + [repr(v) for j in range(33) for v in (float(mp[f, j, 0]), float(mp[f, j, 1]),
                                                                          z, float(mp[f, j, 2]))])
            for f in range(FRAMES)]
    with open(os.path.join(out, "mediapipe_wide.csv"), "w") as f:
        f.write("\n".join([",".join(header)] + rows) + "\n")
    rows = ["%d,%d,%r,%r" % (f + 2, j, float(mp[f, j, 0]), float(mp[f, j, 1])) for f in range(FRAMES) for j in range(33)]
    with open(os.path.join(out, "mediapipe_long.csv"), "w") as f:
        f.write("\n".join(["Frame,LandmarkID,X,Y"] + rows) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "fixtures", "formats"))
    args = parser.parse_args()
    out = os.path.normpath(args.out)
    os.makedirs(out, exist_ok=True)

    rng = np.random.default_rng(SEED)
    main_p, other_p = make_people(rng)

    with open(os.path.join(out, "sequence.lift3d.json"), "w") as f:
        f.write(lift3d_text("coco", COCO, main_p))
    with open(os.path.join(out, "distractor.lift3d.json"), "w") as f:
        f.write(lift3d_text("coco", COCO, other_p))
    with open(os.path.join(out, "expected_h36m.lift3d.json"), "w") as f:
        f.write(lift3d_text("h36m", H36M, coco_to_h36m(main_p)))
    with open(os.path.join(out, "expected_coco_filled_min0.3.lift3d.json"), "w") as f:
        f.write(lift3d_text("coco", COCO, fill_gaps(main_p, 0.3)))

    # OpenPose: one file per frame; the distractor comes first so selection has to work.
    for name, convert, ids in (("openpose_body25", to_body25, ([-1], [-1])),
                               ("openpose_coco18", to_coco18, ([3], [4]))):
        directory = os.path.join(out, name)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        main_c, other_c = convert(main_p), convert(other_p)
        for f in range(FRAMES):
            people = []
            for person, pid in ((other_c[f], ids[1]), (main_c[f], ids[0])):
                people.append({"person_id": pid, "pose_keypoints_2d": flat(person), "face_keypoints_2d": [],
                               "hand_left_keypoints_2d": [], "hand_right_keypoints_2d": [],
                               "pose_keypoints_3d": [], "face_keypoints_3d": [], "hand_left_keypoints_3d": [],
                               "hand_right_keypoints_3d": []})
            write_json(os.path.join(directory, "clip_%012d_keypoints.json" % f), {"version": 1.3, "people": people})

    # COCO results: both detections per image, in alternating order.
    results = []
    for f in range(FRAMES):
        pair = [(main_p[f], 0.9 + 0.01 * f), (other_p[f], 0.6)]
        for person, score in (pair if f % 2 else pair[::-1]):
            results.append({"image_id": f, "category_id": 1, "keypoints": flat(person), "score": score})
    write_json(os.path.join(out, "coco_results.json"), results)

    # AlphaPose: pose-NMS scores are not in [0, 1]; image_id is the frame's file name.
    for name, convert, with_idx in (("alphapose_halpe26.json", to_halpe26, True),
                                    ("alphapose_coco.json", lambda p: p, False)):
        entries = []
        main_c, other_c = convert(main_p), convert(other_p)
        for f in range(FRAMES):
            for person, score, idx in ((other_c[f], 1.4, 2), (main_c[f], 2.9 - 0.05 * f, 1)):
                x0, y0, x1, y1 = box(person)
                entry = {"image_id": "%d.jpg" % f, "category_id": 1, "keypoints": flat(person), "score": score,
                         "box": [x0, y0, x1 - x0, y1 - y0]}
                if with_idx:
                    entry["idx"] = idx
                entries.append(entry)
        write_json(os.path.join(out, name), entries)

    # MMPose inferencer output (bbox nested one level deeper, as split_instances writes it).
    frames = []
    for f in range(FRAMES):
        instances = []
        for person, bbox_score, track in ((other_p[f], 0.71, 1), (main_p[f], 0.93, 0)):
            instances.append({"keypoints": points(person), "keypoint_scores": [float(s) for s in person[:, 2]],
                              "bbox": [list(box(person))], "bbox_score": bbox_score, "track_id": track})
        frames.append({"frame_id": f, "instances": instances})
    write_json(os.path.join(out, "mmpose.json"), frames)
    meta = {"dataset_name": "coco", "num_keypoints": 17,
            "keypoint_id2name": {str(i): n for i, n in enumerate(COCO)}}
    write_json(os.path.join(out, "mmpose_predictions.json"), {"meta_info": meta, "instance_info": frames})

    write_new_formats(out, main_p, other_p)
    write_json(os.path.join(out, "world_frame.json"), world_frame_fixture(rng))


if __name__ == "__main__":
    main()
