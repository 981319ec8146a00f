#!/usr/bin/python3
"""Camera files for the `--cameras` tests (tests/fixtures/cameras), made from lift3d's own Human3.6M
table (data/cameras/h36m.json):

* h36m_own_rigs.json: every calibrated subject as its own rig, each entry self-contained (its id, image
  size, intrinsics and extrinsics; no shared "cameras" list), the same float values: training and
  evaluation with it must give exactly what the built-in table gives.
* h36m_s9_wide.json: the same, but S9's camera 0 reports a 1200-pixel-wide image, which changes how its
  2D is normalised, so evaluation on S9 must change.
* humaneva_with_intrinsics.json: data/cameras/humaneva.json (HumanEva-I has no intrinsics in the
  reference) with a made-up pinhole (focal 1000 px, centre at the image centre) for every camera, so
  that semi-supervised training, which projects, can run on the HumanEva-I fixtures.

Usage: make_camera_fixtures.py [REPO_ROOT]
"""
import json
import os
import sys


def own_rigs(table):
    rigs = {}
    for subject, poses in table["extrinsics"].items():
        if not all(poses):
            continue  # subjects without calibration (Human3.6M S2-S4) are left out
        rigs[subject] = [dict(intrinsics, **pose) for intrinsics, pose in zip(table["cameras"], poses)]
        for entry in rigs[subject]:
            entry.pop("index", None)
    return rigs


def write(path, source, rigs):
    with open(path, "w") as out:
        json.dump({"source": source, "extrinsics": rigs}, out, indent=1)
        out.write("\n")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with open(os.path.join(root, "data/cameras/h36m.json")) as f:
        table = json.load(f)
    out = os.path.join(root, "tests/fixtures/cameras")
    os.makedirs(out, exist_ok=True)
    rigs = own_rigs(table)
    write(os.path.join(out, "h36m_own_rigs.json"),
          "data/cameras/h36m.json with every subject as a self-contained rig (tools/make_camera_fixtures.py)", rigs)
    rigs["S9"][0]["res_w"] = 1200
    write(os.path.join(out, "h36m_s9_wide.json"),
          "h36m_own_rigs.json with S9 camera 0 1200 pixels wide (tools/make_camera_fixtures.py)", rigs)

    with open(os.path.join(root, "data/cameras/humaneva.json")) as f:
        humaneva = json.load(f)
    for camera in humaneva["cameras"]:
        camera.update(focal_length=[1000.0, 1000.0], center=[camera["res_w"] / 2, camera["res_h"] / 2])
    with open(os.path.join(out, "humaneva_with_intrinsics.json"), "w") as f:
        json.dump({"source": "data/cameras/humaneva.json with a made-up pinhole per camera (tools/make_camera_fixtures.py)",
                   "cameras": humaneva["cameras"], "extrinsics": humaneva["extrinsics"]}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
