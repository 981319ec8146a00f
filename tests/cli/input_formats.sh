# Every detector input format, given the same keypoints, yields the same 3D, and
# every output format loads in numpy / json / csv with the same numbers.
source "$(dirname "$0")/lib.sh" "$@"
F=$FIXTURES/formats
MODEL=$FIXTURES/model/arc333_zip.bin  # COCO-17 in, Human3.6M-17 out, with a trajectory model

expect_exit 0 "$LIFT3D" infer "$MODEL" --input "$F/sequence.lift3d.json" --output "$WORK/reference.npy"
for input in coco_results.json alphapose_coco.json alphapose_halpe26.json mmpose.json mmpose_predictions.json \
             openpose_body25 openpose_coco18 "openpose_body25/*_keypoints.json"; do
  name=$(echo "$input" | tr '/*' '__')
  # Only the lift3d JSON carries the image size; the others need it on the command line.
  expect_exit 0 "$LIFT3D" infer "$MODEL" --input "$F/$input" --width 640 --height 480 --output "$WORK/$name.npy"
  cmp -s "$WORK/reference.npy" "$WORK/$name.npy" || fail "$input gives different 3D than the lift3d JSON"
done

# Without an image size, a detector export is refused with a clear message.
expect_exit 2 "$LIFT3D" infer "$MODEL" --input "$F/coco_results.json" --output "$WORK/x.npy"
expect_one_line_error "coco_results.json" "--width"
expect_no_file "$WORK/x.npy"

# Output formats carry the same numbers, units and frame.
for ext in npz json csv; do
  expect_exit 0 "$LIFT3D" infer "$MODEL" --input "$F/sequence.lift3d.json" --output "$WORK/out.$ext"
done
expect_exit 0 "$LIFT3D" infer "$MODEL" --input "$F/sequence.lift3d.json" --frame world --output "$WORK/world.json"
if have_numpy; then
  $PYTHON - "$WORK" <<'PY' || fail "output formats disagree"
import csv, json, sys
import numpy as np
w = sys.argv[1]
ref = np.load(w + "/reference.npy")
assert ref.dtype == np.float32 and ref.ndim == 3 and ref.shape[1:] == (17, 3), ref.shape
npz = np.load(w + "/out.npz")
# One pose array and its fill mask (uint8 frames x input joints): the file misses left_ear in
# frame 2 and right_ankle in frame 5, interpolated over time (1).
assert sorted(npz.files) == ["sequence.lift3d", "sequence.lift3d.keypoints_filled"], npz.files
assert np.array_equal(npz["sequence.lift3d"], ref)
mask = npz["sequence.lift3d.keypoints_filled"]
assert mask.dtype == np.uint8 and mask.shape == (ref.shape[0], 17), (mask.dtype, mask.shape)
assert np.argwhere(mask).tolist() == [[2, 3], [5, 16]] and mask.max() == 1, np.argwhere(mask)
doc = json.load(open(w + "/out.json"))
assert doc["units"] == "m" and doc["frame"] == "camera" and len(doc["joint_names"]) == 17
assert np.array_equal(np.array(doc["poses"], dtype=np.float32), ref)
assert doc["keypoint_names"][3] == "left_ear" and np.array_equal(np.array(doc["keypoints_filled"]), mask)
rows = list(csv.DictReader(open(w + "/out.csv")))
assert len(rows) == ref.shape[0] * 17 and "camera_x_m" in rows[0]
values = np.array([[float(r["camera_x_m"]), float(r["camera_y_m"]), float(r["camera_z_m"])] for r in rows], np.float32)
assert np.array_equal(values.reshape(ref.shape), ref)
world = json.load(open(w + "/world.json"))
assert world["frame"] == "world"
z = np.array(world["poses"])[..., 2]
assert abs(z.min()) < 1e-6, z.min()   # lowest joint on the ground
PY
fi

# Batch mode: one bad input among good ones is reported, the rest are written, exit code 4.
mkdir -p "$WORK/batch"
echo '{"format": "lift3d-keypoints-2d", "version": 1' >"$WORK/broken.json"
cp "$F/sequence.lift3d.json" "$WORK/first.json"
cp "$F/sequence.lift3d.json" "$WORK/second.json"
expect_exit 4 "$LIFT3D" infer "$MODEL" --input "$WORK/first.json" "$WORK/broken.json" "$WORK/second.json" \
  --output-dir "$WORK/batch" --format json --keep-going
grep -qF "broken.json" "$WORK/err" || fail "the bad input is not named: $(cat "$WORK/err")"
[[ -s $WORK/batch/first.json && -s $WORK/batch/second.json ]] || fail "good inputs were not written: $(ls "$WORK/batch")"
expect_no_file "$WORK/batch/broken.json"
# Without --keep-going the first error stops everything.
expect_exit 1 "$LIFT3D" infer "$MODEL" --input "$WORK/broken.json" --output-dir "$WORK/batch" --format json
expect_one_line_error "broken.json"
finish
