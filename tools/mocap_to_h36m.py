#!/usr/bin/python3
"""Convert CMU motion capture (BVH) into Human3.6M-17 joint trajectories for training lift3d's
default model.

Reads the CMU BVH files described in the mocap README (centimetres, Y up, 120 fps, frames 0-5 are a
synthetic T-pose and its blend), runs forward kinematics with a small BVH parser written here, maps
the Daz "Aiko3" rig onto the 17 Human3.6M joints VideoPose3D uses (plus five face points from which
COCO's nose, eyes and ears are derived), moves everything into a Human3.6M-like world frame (metres,
Z up, floor at z = 0, the clip's horizontal path centred on the origin) and resamples to 50 fps.

Output: one .npz (no pickles) holding one float32 array (frames, 22, 3) per clip, named
"<subject>_<trial>", plus `clips`, `subjects`, `splits` string arrays. Points 0-16 are H36M-17 in the
reference's order; 17-21 are nose, left eye, right eye, left ear, right ear.

Usage: mocap_to_h36m.py --mocap-dir <dir with manifest.tsv> --out h36m_cmu.npz [--test-subjects 01,02]
"""

import argparse
import csv
import os
import sys

import numpy as np

SOURCE_FPS = 120.0
TARGET_FPS = 50.0
FIRST_CLEAN_FRAME = 6  # frame 0 is a synthetic T-pose, frames 1-5 blend out of it (README quirk 1)
CM_TO_M = 0.01

H36M_NAMES = ["pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
              "spine", "thorax", "neck_nose", "head_top", "left_shoulder", "left_elbow", "left_wrist",
              "right_shoulder", "right_elbow", "right_wrist"]
FACE_NAMES = ["nose", "left_eye", "right_eye", "left_ear", "right_ear"]
POINT_NAMES = H36M_NAMES + FACE_NAMES

# Points rigidly attached to the rig's `head` joint (skull base), as offsets in the head's rest frame
# (centimetres; rest frame = T-pose: +X figure's left, +Y up, +Z facing). The rig has no head-top,
# nose or ear joints, so these are placed from its eye joints (4.1/-3.7, 8.0, 8.0) and ordinary head
# proportions for a ~165 cm figure: vertex ~18 cm above the skull base (eyes are at 8 cm, eye-to-vertex
# ~11 cm in adults), nose tip 2.5 cm ahead of and 3 cm below the eyes, ears 7 cm to each side,
# 2 cm below eye level and about 8 cm behind the eyes. H36M's joint 9 ("neck/nose", the 32-joint
# skeleton's Head joint) sits at the chin/mouth level in front of the neck; it is placed 4 cm up and
# 5 cm forward of the skull base.
HEAD_POINT_OFFSETS_CM = {
    "head_top": (0.0, 18.0, 1.0),
    "neck_nose": (0.0, 4.0, 5.0),
    "nose": (0.2, 5.0, 10.5),
    "left_ear": (7.0, 6.0, 0.0),
    "right_ear": (-7.0, 6.0, 0.0),
}


class BvhJoint:
    def __init__(self, name, parent, offset, channels):
        self.name = name
        self.parent = parent      # index into the joint list, -1 for the root
        self.offset = offset      # np.array(3), centimetres, in the parent's frame
        self.channels = channels  # e.g. ["Zrotation", "Xrotation", "Yrotation"]; empty for end sites
        self.first_column = -1    # column of its first channel in a motion row


def parse_bvh(path):
    """Returns (joints, frame_time, motion[frames, columns]) from an ASCII BVH file."""
    with open(path, "r", encoding="ascii", newline="") as f:
        text = f.read()
    head, sep, tail = text.partition("MOTION")
    if not sep:
        raise ValueError(f"{path}: no MOTION section")
    tokens = head.replace("\r", " ").split()
    joints, stack, pending_name, pending_parent, column = [], [], None, -1, 0
    i = 0
    if tokens[:1] != ["HIERARCHY"]:
        raise ValueError(f"{path}: does not start with HIERARCHY")
    i = 1
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("ROOT", "JOINT"):
            pending_name, pending_parent = tokens[i + 1], (stack[-1] if stack else -1)
            i += 2
        elif tok == "End":  # "End Site"
            parent = stack[-1]
            pending_name, pending_parent = joints[parent].name + "_end", parent
            i += 2
        elif tok == "{":
            joints.append(BvhJoint(pending_name, pending_parent, np.zeros(3), []))
            stack.append(len(joints) - 1)
            i += 1
        elif tok == "}":
            stack.pop()
            i += 1
        elif tok == "OFFSET":
            joints[stack[-1]].offset = np.array([float(t) for t in tokens[i + 1:i + 4]])
            i += 4
        elif tok == "CHANNELS":
            n = int(tokens[i + 1])
            joint = joints[stack[-1]]
            joint.channels = tokens[i + 2:i + 2 + n]
            joint.first_column = column
            column += n
            i += 2 + n
        else:
            raise ValueError(f"{path}: unexpected token '{tok}' in HIERARCHY")
    lines = tail.replace("\r", "").split("\n")
    lines = [ln for ln in lines if ln.strip()]
    frames = int(lines[0].split(":")[1])
    frame_time = float(lines[1].split(":")[1])
    values = np.array(" ".join(lines[2:2 + frames]).split(), dtype=np.float64)
    if values.size != frames * column:
        raise ValueError(f"{path}: expected {frames} x {column} motion values, found {values.size}")
    return joints, frame_time, values.reshape(frames, column)


def axis_rotation(axis, degrees):
    """Rotation matrices (frames, 3, 3) about one coordinate axis (right-handed, active)."""
    a = np.radians(degrees)
    c, s = np.cos(a), np.sin(a)
    m = np.zeros(a.shape + (3, 3))
    i = "XYZ".index(axis)
    j, k = (i + 1) % 3, (i + 2) % 3
    m[..., i, i] = 1.0
    m[..., j, j] = c
    m[..., k, k] = c
    m[..., k, j] = s
    m[..., j, k] = -s
    return m


def forward_kinematics(joints, motion):
    """World positions (frames, joints, 3) and rotations (frames, joints, 3, 3).

    Standard BVH convention: a joint's local rotation is the product of its rotation channels in the
    order they are declared (R = R_first . R_second . R_third, so Zrotation Xrotation Yrotation gives
    Rz.Rx.Ry), position_child = position_parent + R_parent . offset_child,
    R_child = R_parent . R_local. The root's translation channels give its position.
    """
    frames = motion.shape[0]
    pos = np.zeros((frames, len(joints), 3))
    rot = np.zeros((frames, len(joints), 3, 3))
    for j, joint in enumerate(joints):
        local = np.broadcast_to(np.eye(3), (frames, 3, 3)).copy()
        translation = np.zeros((frames, 3))
        for c, channel in enumerate(joint.channels):
            values = motion[:, joint.first_column + c]
            if channel.endswith("rotation"):
                local = local @ axis_rotation(channel[0], values)
            elif channel.endswith("position"):
                translation[:, "XYZ".index(channel[0])] = values
            else:
                raise ValueError(f"unknown channel {channel}")
        if joint.parent < 0:
            pos[:, j] = translation + joint.offset
            rot[:, j] = local
        else:
            p = joint.parent
            pos[:, j] = pos[:, p] + np.einsum("fab,b->fa", rot[:, p], joint.offset)
            rot[:, j] = rot[:, p] @ local
    return pos, rot


def rig_points(joints, pos, rot):
    """The 22 output points in BVH coordinates (centimetres, Y up), frames x 22 x 3.

    Mapping from the Daz rig (names mark the joint at the start of each bone):
      pelvis       midpoint of lThigh and rThigh (the hip joints); the rig's root `hip` is 2.6 cm
                   lower and 1 cm further forward, H36M's pelvis lies between the hip joints
      R/L hip      rThigh / lThigh;  R/L knee  rShin / lShin;  R/L ankle  rFoot / lFoot
      spine        midpoint of abdomen and chest (H36M's spine point is about halfway up the trunk)
      thorax       neck (base of the neck, top of the chest)
      neck/nose    head (skull base) + offset, see HEAD_POINT_OFFSETS_CM
      head top     head + offset (the rig has no head-top joint)
      R/L shoulder rShldr / lShldr;  R/L elbow  rForeArm / lForeArm;  R/L wrist  rHand / lHand
      COCO eyes    the rig's leftEye / rightEye joints;  nose and ears: head + offsets
    """
    index = {j.name: i for i, j in enumerate(joints)}

    def p(name):
        return pos[:, index[name]]

    def on_head(name):
        offset = np.array(HEAD_POINT_OFFSETS_CM[name])
        return p("head") + np.einsum("fab,b->fa", rot[:, index["head"]], offset)

    points = {
        "pelvis": 0.5 * (p("lThigh") + p("rThigh")),
        "right_hip": p("rThigh"), "right_knee": p("rShin"), "right_ankle": p("rFoot"),
        "left_hip": p("lThigh"), "left_knee": p("lShin"), "left_ankle": p("lFoot"),
        "spine": 0.5 * (p("abdomen") + p("chest")),
        "thorax": p("neck"),
        "neck_nose": on_head("neck_nose"),
        "head_top": on_head("head_top"),
        "left_shoulder": p("lShldr"), "left_elbow": p("lForeArm"), "left_wrist": p("lHand"),
        "right_shoulder": p("rShldr"), "right_elbow": p("rForeArm"), "right_wrist": p("rHand"),
        "nose": on_head("nose"),
        "left_eye": p("leftEye"), "right_eye": p("rightEye"),
        "left_ear": on_head("left_ear"), "right_ear": on_head("right_ear"),
    }
    return np.stack([points[n] for n in POINT_NAMES], axis=1)


def bvh_to_world(points_cm):
    """BVH (cm, Y up, figure faces +Z in the rest pose, its left is +X) -> H36M-like world (m, Z up).

    (x, y, z)_bvh -> (x, -z, y)_world is a proper rotation (det +1): up becomes +Z and the rest pose
    faces -Y. H36M's world is Z-up with the cameras around the origin, so this is all the H36M
    extrinsics need; the facing direction does not matter because clips turn and the trainer adds
    random yaw.
    """
    x, y, z = points_cm[..., 0], points_cm[..., 1], points_cm[..., 2]
    return np.stack([x, -z, y], axis=-1) * CM_TO_M


def resample(points, source_fps, target_fps, first_frame):
    """Linear interpolation of joint positions (not Euler angles, which wrap) from `first_frame` on."""
    n = points.shape[0]
    duration = (n - 1 - first_frame) / source_fps
    count = int(np.floor(duration * target_fps)) + 1
    t = first_frame + np.arange(count) * (source_fps / target_fps)
    i0 = np.clip(np.floor(t).astype(int), 0, n - 1)
    i1 = np.clip(i0 + 1, 0, n - 1)
    w = (t - i0)[:, None, None]
    return (1 - w) * points[i0] + w * points[i1]


def place_in_world(world):
    """Floor at z = 0 and the clip's horizontal pelvis path centred on the origin.

    The floor is the 5th percentile over frames of the lowest ankle/foot point (README quirk 3: the
    floor is not exactly at 0 and differs per clip). Ankles sit ~8 cm above the toe tips, so the
    5th-percentile ankle height minus a typical ankle height of 0.08 m is used.
    """
    ankle_z = np.minimum(world[:, 3, 2], world[:, 6, 2])
    floor = np.percentile(ankle_z, 5) - 0.08
    out = world.copy()
    out[..., 2] -= floor
    path = out[:, 0, :2]
    centre = 0.5 * (path.min(axis=0) + path.max(axis=0))
    out[..., :2] -= centre
    return out


def convert_clip(path):
    joints, frame_time, motion = parse_bvh(path)
    fps = 1.0 / frame_time
    if abs(fps - SOURCE_FPS) > 0.5:
        raise ValueError(f"{path}: expected {SOURCE_FPS} fps, found {fps:.3f}")
    pos, rot = forward_kinematics(joints, motion)
    points = bvh_to_world(rig_points(joints, pos, rot))
    points = resample(points, fps, TARGET_FPS, FIRST_CLEAN_FRAME)
    return place_in_world(points).astype(np.float32), joints


def rest_pose_check(joints):
    """The rest pose must face +Z with its left at +X (README), else the mapping above is wrong."""
    zero = np.zeros((1, sum(len(j.channels) for j in joints)))
    pos, rot = forward_kinematics(joints, zero)
    idx = {j.name: i for i, j in enumerate(joints)}
    assert pos[0, idx["lShldr"], 0] > 0 and pos[0, idx["rShldr"], 0] < 0, "left side is not +X"
    assert pos[0, idx["lFoot_end"], 2] > pos[0, idx["lFoot"], 2], "toes do not point +Z"
    assert pos[0, idx["head"], 1] > pos[0, idx["hip"], 1], "Y is not up"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mocap-dir", required=True, help="folder holding manifest.tsv and cmu/")
    ap.add_argument("--out", required=True, help="output .npz")
    ap.add_argument("--test-subjects", default="01,02", help="CMU subjects held out for testing")
    args = ap.parse_args()

    test_subjects = set(s.strip() for s in args.test_subjects.split(","))
    with open(os.path.join(args.mocap_dir, "manifest.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    arrays, clips, subjects, splits = {}, [], [], []
    frames_by_split = {"train": 0, "test": 0}
    checked = False
    for row in rows:
        data, joints = convert_clip(os.path.join(args.mocap_dir, row["file"]))
        if not checked:
            rest_pose_check(joints)
            checked = True
        split = "test" if row["subject"] in test_subjects else "train"
        name = row["trial"]
        arrays[name] = data
        clips.append(name)
        subjects.append(row["subject"])
        splits.append(split)
        frames_by_split[split] += data.shape[0]
        print(f"{name}: {data.shape[0]} frames at {TARGET_FPS:g} fps, {split}", file=sys.stderr)
    total = sum(frames_by_split.values())
    print(f"train {frames_by_split['train']} frames, test {frames_by_split['test']} frames "
          f"({100.0 * frames_by_split['test'] / total:.1f}% held out)", file=sys.stderr)
    np.savez_compressed(args.out, clips=np.array(clips), subjects=np.array(subjects),
                        splits=np.array(splits), point_names=np.array(POINT_NAMES),
                        fps=np.array(TARGET_FPS), **arrays)


if __name__ == "__main__":
    main()
