#!/usr/bin/python3
"""Derive the test inputs of tests/cli/missing_joints.sh from the real detector exports committed in
tests/fixtures/real/ (each derived folder gets a SOURCE.md naming its original and what was done):

  upperbody/signlang_openpose_json_scale01/  the sign-language OpenPose folder with x / width and
                                              y / height: what OpenPose --keypoint_scale 3 writes
  upperbody/signlang_openpose_json_scale11/  the same mapped to [-1, 1] (2 x / width - 1, 2 y /
                                              height - 1): what OpenPose --keypoint_scale 4 writes
  upperbody/signlang_head_only/               the same folder with every joint but the nose, eyes
                                              and ears set to 0, 0, 0 (not detected)
  sideview/pose2sim_cam3_coco17/              the Pose2Sim BODY_25B side view as one lift3d JSON
                                              file in COCO-17: BODY_25B's first 17 joints are
                                              COCO-17 in COCO's order (Pose2Sim's skeletons.py
                                              gives their ids), the 8 others (neck, head top,
                                              feet) are dropped; image 1088 x 1920

The sign-language video is 1280 x 720 (sign-language-processing/pose sample-data/video/video.mp4).
Normalised values are written with Python's shortest float repr of the double quotient, so
scaling them back gives each pixel value to within float32 round-off.

Usage: make_missing_joint_fixtures.py [--fixtures tests/fixtures/real]
"""

import argparse
import glob
import json
import os

SIGNLANG_SIZE = (1280, 720)
SIDEVIEW_SIZE = (1088, 1920)
BODY25_HEAD = {0, 15, 16, 17, 18}  # nose, right eye, left eye, right ear, left ear
COCO_NAMES = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
              "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
              "right_knee", "left_ankle", "right_ankle"]

MIT_SIGNLANG = """MIT License

Copyright (c) 2021 Amit Moryossef

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

BSD_POSE2SIM = """BSD 3-Clause License

Copyright (c) 2022, perfanalytics
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""


def write_source(folder, original, what, licence):
    with open(os.path.join(folder, "SOURCE.md"), "w") as f:
        f.write(f"# Derived test input\n\nMade by `tools/make_missing_joint_fixtures.py` from `{original}` "
                f"(see its SOURCE.md for the repository, path and commit).\n\n{what}\n\n## Licence of the original\n\n"
                f"```\n{licence}```\n")


def openpose_frames(folder):
    for path in sorted(glob.glob(os.path.join(folder, "*_keypoints.json"))):
        with open(path) as f:
            yield os.path.basename(path), json.load(f)


def write_openpose(folder, name, frame):
    with open(os.path.join(folder, name), "w") as f:
        json.dump(frame, f, separators=(",", ":"))


def map_people(frame, transform):
    for person in frame["people"]:
        values = person["pose_keypoints_2d"]
        person["pose_keypoints_2d"] = [v for j in range(len(values) // 3) for v in transform(j, values[3 * j:3 * j + 3])]
    return frame


def scaled(low, high, size):
    """(x, y, score) in pixels -> the range [low, high] of the image; undetected joints stay 0, 0, 0."""
    def transform(joint, xys):
        x, y, score = xys
        if score == 0 and x == 0 and y == 0:
            return [0, 0, 0]
        return [low + (high - low) * x / size[0], low + (high - low) * y / size[1], score]
    return transform


def head_only(joint, xys):
    return xys if joint in BODY25_HEAD else [0, 0, 0]


def derive_signlang(root):
    original = os.path.join(root, "upperbody", "signlang_openpose_json")
    variants = [
        ("signlang_openpose_json_scale01", scaled(0.0, 1.0, SIGNLANG_SIZE),
         "Every detected x, y divided by the video's width and height (1280 x 720): coordinates in [0, 1], "
         "as OpenPose `--keypoint_scale 3` writes them. Undetected joints stay 0, 0, 0."),
        ("signlang_openpose_json_scale11", scaled(-1.0, 1.0, SIGNLANG_SIZE),
         "Every detected x, y mapped to [-1, 1] (2 x / 1280 - 1, 2 y / 720 - 1), as OpenPose `--keypoint_scale 4` "
         "writes them. Undetected joints stay 0, 0, 0."),
        ("signlang_head_only", head_only,
         "Every BODY_25 joint but the nose, eyes and ears (0, 15-18) set to 0, 0, 0: a clip that shows only the "
         "head."),
    ]
    for name, transform, what in variants:
        folder = os.path.join(root, "upperbody", name)
        os.makedirs(folder, exist_ok=True)
        for file_name, frame in openpose_frames(original):
            write_openpose(folder, file_name, map_people(frame, transform))
        write_source(folder, "tests/fixtures/real/upperbody/signlang_openpose_json", what, MIT_SIGNLANG)


def derive_sideview(root):
    original = os.path.join(root, "sideview", "pose2sim_body25b_cam3_json_reye_never")
    keypoints = []
    for path in sorted(glob.glob(os.path.join(original, "*.json"))):
        with open(path) as f:
            people = json.load(f)["people"]
        if len(people) != 1:
            raise SystemExit(f"{path}: expected one person, found {len(people)}")
        values = people[0]["pose_keypoints_2d"]
        keypoints.append([None if values[3 * j + 2] == 0 else values[3 * j:3 * j + 3] for j in range(17)])
    folder = os.path.join(root, "sideview", "pose2sim_cam3_coco17")
    os.makedirs(folder, exist_ok=True)
    document = {"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco",
                "image_width": SIDEVIEW_SIZE[0], "image_height": SIDEVIEW_SIZE[1], "fps": 60,
                "joint_names": COCO_NAMES, "keypoints": keypoints}
    with open(os.path.join(folder, "cam3.lift3d.json"), "w") as f:
        f.write(json.dumps({k: v for k, v in document.items() if k != "keypoints"})[:-1])
        f.write(',\n "keypoints": [\n')
        f.write(",\n".join("  " + json.dumps(frame) for frame in keypoints))
        f.write("]}\n")
    write_source(folder, "tests/fixtures/real/sideview/pose2sim_body25b_cam3_json_reye_never",
                 "The 50 frames (one person each) as one lift3d JSON file, layout COCO-17: BODY_25B's joints 0-16 are "
                 "COCO-17 in COCO's order (nose, left/right eye, left/right ear, shoulders, elbows, wrists, hips, "
                 "knees, ankles; Pose2Sim's skeletons.py at that commit gives the body ids), so they are copied as "
                 "they are; the neck, head top and foot points (17-24) are dropped. Undetected joints (0, 0, 0) "
                 "are null. Image 1088 x 1920 (portrait), 60 fps (the original's SOURCE.md).", BSD_POSE2SIM)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                                       "fixtures", "real"))
    args = ap.parse_args()
    derive_signlang(args.fixtures)
    derive_sideview(args.fixtures)


if __name__ == "__main__":
    main()
