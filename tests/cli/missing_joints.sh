# Joints a clip never shows, on real detector exports (tests/fixtures/real/, see each SOURCE.md):
# filled from the body model with a warning naming them, marked 2 in the outputs' fill masks, with
# plausible 3D limbs; refused with --missing-joints refuse, or when too little of the body is seen.
# And normalised coordinates: told apart from the values, scaled to pixels, the same 3D.
source "$(dirname "$0")/lib.sh" "$@"
R=$FIXTURES/real
DEFAULT=$SOURCE/data/models/default_coco_h36m_81f.bin  # COCO-17 in, trained on real motion: real bone lengths
SIGNLANG=$R/upperbody/signlang_openpose_json           # OpenPose BODY_25, 1280x720, 9 frames, legs never seen
RAGA=$R/upperbody/raga_seated_musician_1person_body25  # OpenPose BODY_25, 1920x1080, 125 frames, right ankle never
SIDE=$R/sideview/pose2sim_cam3_coco17/cam3.lift3d.json # Pose2Sim BODY_25B as COCO-17, 50 frames, right eye never

expect_stderr_has() { grep -qF -- "$1" "$WORK/err" || fail "stderr lacks '$1': $(cat "$WORK/err")"; }

# checks.py FILE FRAMES FILLED LEGS_FROM_MODEL: frames, finite values, the fill mask (2 exactly for
# the FILLED input joints, in every frame), and, from the 3D, plausible legs: thigh and shin between
# 0.2 and 0.6 m, left and right within 15% of each other (within 20% where one side was filled and
# the other seen).
cat >"$WORK/checks.py" <<'PY'
import json, sys
import numpy as np
path, frames, filled, tolerance = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), float(sys.argv[4])
doc = json.load(open(path))
poses = np.array(doc["poses"], dtype=np.float32)
assert poses.shape == (frames, 17, 3), poses.shape
assert np.isfinite(poses).all()
mask = np.array(doc["keypoints_filled"])
names = doc["keypoint_names"]
assert mask.shape == (frames, len(names)), mask.shape
for j, name in enumerate(names):
    if name in filled:
        assert (mask[:, j] == 2).all(), (name, mask[:, j])
    else:
        assert (mask[:, j] != 2).all(), (name, mask[:, j])
joint = {n: i for i, n in enumerate(doc["joint_names"])}
def length(a, b):
    return np.linalg.norm(poses[:, joint[a]] - poses[:, joint[b]], axis=-1)
for bone in ("hip", "knee"):
    child = {"hip": "knee", "knee": "ankle"}[bone]
    left, right = length("left_" + bone, "left_" + child), length("right_" + bone, "right_" + child)
    for side in (left, right):
        assert 0.2 < side.min() and side.max() < 0.6, (bone, side.min(), side.max())
    assert abs(left.mean() - right.mean()) < tolerance * (left.mean() + right.mean()) / 2, (bone, left.mean(), right.mean())
PY

# An upper-body clip: legs never detected, filled, reported once, marked.
expect_exit 0 "$LIFT3D" infer "$DEFAULT" --input "$SIGNLANG" --width 1280 --height 720 --output "$WORK/signlang.json"
expect_stderr_has "signlang_openpose_json: filled 54 of 153 joint positions from a body model"
expect_stderr_has "left_hip, right_hip, left_knee, right_knee, left_ankle, right_ankle never seen"
[[ $(grep -c "from a body model" "$WORK/err") == 1 ]] || fail "the body-model warning is not once per sequence: $(cat "$WORK/err")"
if have_numpy; then
  $PYTHON "$WORK/checks.py" "$WORK/signlang.json" 9 left_hip,right_hip,left_knee,right_knee,left_ankle,right_ankle 0.15 ||
    fail "signlang: frames, mask or filled legs"
fi
# The same mask in .npz: a uint8 member beside the poses.
expect_exit 0 "$LIFT3D" infer "$DEFAULT" --input "$SIGNLANG" --width 1280 --height 720 --output "$WORK/signlang.npz"
if have_numpy; then
  $PYTHON - "$WORK" <<'PY' || fail "signlang: npz fill mask"
import json, sys
import numpy as np
w = sys.argv[1]
npz = np.load(w + "/signlang.npz")
assert sorted(npz.files) == ["signlang_openpose_json", "signlang_openpose_json.keypoints_filled"], npz.files
mask = npz["signlang_openpose_json.keypoints_filled"]
assert mask.dtype == np.uint8 and mask.shape == (9, 17)
assert np.array_equal(mask, np.array(json.load(open(w + "/signlang.json"))["keypoints_filled"]))
assert np.array_equal(npz["signlang_openpose_json"], np.array(json.load(open(w + "/signlang.json"))["poses"], np.float32))
PY
fi

# Refused on demand, naming the joints; nothing written.
expect_exit 1 "$LIFT3D" infer "$DEFAULT" --input "$SIGNLANG" --width 1280 --height 720 --missing-joints refuse \
  --output "$WORK/refused.json"
expect_one_line_error "signlang_openpose_json: joints 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle' are never usable"
expect_no_file "$WORK/refused.json"

# --layout h36m: pelvis and spine (made from the hips) are filled too. (Any 17-keypoint model reads them.)
expect_exit 0 "$LIFT3D" infer "$FIXTURES/model/arc333_zip.bin" --input "$SIGNLANG" --width 1280 --height 720 \
  --layout h36m --output "$WORK/signlang_h36m.json"
expect_stderr_has "pelvis, right_hip, right_knee, right_ankle, left_hip, left_knee, left_ankle, spine never seen"
if have_numpy; then
  $PYTHON - "$WORK/signlang_h36m.json" <<'PY' || fail "signlang h36m: mask"
import json, sys
import numpy as np
doc = json.load(open(sys.argv[1]))
mask = np.array(doc["keypoints_filled"])
assert doc["keypoint_names"][:8] == ["pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "spine"]
assert (mask[:, :8] == 2).all() and (mask[:, 8:] == 0).all(), mask
PY
fi

# A seated musician: the right ankle is never detected; it hangs from the seen right knee.
expect_exit 0 "$LIFT3D" infer "$DEFAULT" --input "$RAGA" --width 1920 --height 1080 --output "$WORK/raga.json"
expect_stderr_has "raga_seated_musician_1person_body25: filled 125 of 2125 joint positions from a body model"
expect_stderr_has "): right_ankle never seen"
if have_numpy; then
  $PYTHON "$WORK/checks.py" "$WORK/raga.json" 125 right_ankle 0.2 || fail "raga: frames, mask or legs"
fi

# A side view: the right eye is never seen; the body model, turned to fit, places it.
expect_exit 0 "$LIFT3D" infer "$DEFAULT" --input "$SIDE" --output "$WORK/side.json"
expect_stderr_has "cam3.lift3d: filled 50 of 850 joint positions from a body model"
expect_stderr_has "right_eye never seen"
if have_numpy; then
  $PYTHON - "$WORK/side.json" <<'PY' || fail "side view: mask"
import json, sys
import numpy as np
doc = json.load(open(sys.argv[1]))
poses = np.array(doc["poses"])
assert poses.shape == (50, 17, 3) and np.isfinite(poses).all()
mask = np.array(doc["keypoints_filled"])
assert (mask[:, 2] == 2).all() and (np.delete(mask, 2, axis=1) != 2).all()
PY
fi

# Only the head is ever seen: refused by the rule, saying what was seen (also with --missing-joints refuse).
expect_exit 1 "$LIFT3D" infer "$DEFAULT" --input "$R/upperbody/signlang_head_only" --width 1280 --height 720 \
  --output "$WORK/head.json"
expect_one_line_error "signlang_head_only: too little of the body is seen for 3D: only the head is ever seen in 9 frames" \
  "at least 2 torso joints"
expect_no_file "$WORK/head.json"

# Normalised coordinates (the sign-language clip divided by its size; OpenPose --keypoint_scale 3
# and 4): auto tells them apart, a note says so, and the 3D equals the pixel original's within
# float32 round-off.
expect_exit 0 "$LIFT3D" infer "$DEFAULT" --input "$SIGNLANG" --width 1280 --height 720 --output "$WORK/pixels.npy"
for scale in 01 11; do
  expect_exit 0 "$LIFT3D" infer "$DEFAULT" --input "${SIGNLANG}_scale$scale" --width 1280 --height 720 \
    --output "$WORK/scale$scale.npy"
  range=$([[ $scale == 01 ]] && echo "[0, 1]" || echo "[-1, 1]")
  expect_stderr_has "lift3d: note: ${SIGNLANG}_scale$scale: coordinates are normalised $range (every x, y within"
  expect_stderr_has "scaled to pixels of the 1280x720 image"
  if have_numpy; then
    $PYTHON - "$WORK/pixels.npy" "$WORK/scale$scale.npy" <<'PY' || fail "normalised $scale: not the pixel original's 3D"
import sys
import numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == b.shape == (9, 17, 3)
assert np.abs(a - b).max() < 2e-6, np.abs(a - b).max()   # metres: float32 round-off
PY
  fi
done
# Normalised coordinates need the image size for the aspect ratio.
expect_exit 2 "$LIFT3D" infer "$DEFAULT" --input "${SIGNLANG}_scale01" --output "$WORK/nosize.npy"
expect_one_line_error "signlang_openpose_json_scale01: the coordinates are normalised [0, 1]" \
  "the image size is needed to restore the aspect ratio: pass --width and --height"
expect_no_file "$WORK/nosize.npy"
# Asked for normalised, pixels are refused; asked for pixels, normalised values are read as pixels.
expect_exit 2 "$LIFT3D" infer "$DEFAULT" --input "$SIGNLANG" --width 1280 --height 720 --coordinates normalized \
  --output "$WORK/x.npy"
expect_one_line_error "coordinates normalised was asked for"
expect_exit 0 "$LIFT3D" infer "$DEFAULT" --input "${SIGNLANG}_scale01" --width 1280 --height 720 --coordinates pixels \
  --output "$WORK/as_pixels.npy"
grep -qF "coordinates are normalised" "$WORK/err" && fail "--coordinates pixels still scaled: $(cat "$WORK/err")"
cmp -s "$WORK/pixels.npy" "$WORK/as_pixels.npy" && fail "--coordinates pixels gave the pixel original's 3D"
finish
