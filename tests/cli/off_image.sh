# Keypoints that cannot be pixels of the image: one absurd value is made missing (a warning, the
# sequence otherwise as without it); a sequence mostly outside the image is refused in one line.
source "$(dirname "$0")/lib.sh" "$@"
SAMPLE=$SOURCE/data/samples/cmu_02_06_coco.json  # 500 frames, 1000x1002

$PYTHON - "$SAMPLE" "$WORK" <<'PY'
import copy, json, sys
sample, work = sys.argv[1], sys.argv[2]
doc = json.load(open(sample))
one = copy.deepcopy(doc)
one["keypoints"][5][3][0] = 1e30  # frame 5, left ear
json.dump(one, open(work + "/one_absurd.json", "w"))
shifted = copy.deepcopy(doc)
for frame in shifted["keypoints"]:
    for joint in frame:
        if joint:
            joint[0] += 5000
json.dump(shifted, open(work + "/shifted.json", "w"))
PY

expect_exit 0 "$LIFT3D" infer --input "$SAMPLE" --output "$WORK/clean.npy"
expect_exit 0 "$LIFT3D" infer --input "$WORK/one_absurd.json" --output "$WORK/one_absurd.npy"
grep -qF "1 keypoint(s) lie more than an image side outside the 1000x1002 image (the first: frame 5, left_ear at x 1e+30" \
  "$WORK/err" || fail "the absurd value is not reported: $(cat "$WORK/err")"
have_numpy && { $PYTHON - "$WORK" <<'PY' || fail "one absurd value changed more than its neighbourhood"; }
import sys
import numpy as np
w = sys.argv[1]
clean, poisoned = np.load(w + "/clean.npy"), np.load(w + "/one_absurd.npy")
assert np.isfinite(poisoned).all()
diff = np.abs(clean - poisoned).max(axis=(1, 2))
assert diff.max() < 0.05, diff.max()          # metres: an interpolated ear, not a ruined sequence
assert diff[300:].max() == 0, diff[300:].max()  # frames beyond the receptive field are untouched
PY

expect_exit 1 "$LIFT3D" infer --input "$WORK/shifted.json" --output "$WORK/shifted.npy"
expect_one_line_error "shifted.json: 8500 of 8500 keypoints lie outside the 1000x1002 image" "--image-size"
expect_no_file "$WORK/shifted.npy"
finish
