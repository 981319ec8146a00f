# infer --output clip.bvh: a BVH file with the Human3.6M hierarchy, stated units and axes, one line
# of channels per frame; refusals for what a BVH cannot hold. With Blender installed, Blender's own
# importer reads it back: every frame present, the pelvis (the root, never moved by the rigid
# skeleton) within 1 mm of the lifted pelvis, every joint within 1 mm of the distance lift3d reports
# between its skeleton and the lifted joints. (tests/unit/bvh_blender_test.cpp checks every joint to
# 1 mm against the skeleton lift3d solved.)
source "$(dirname "$0")/lib.sh" "$@"
S=$SOURCE/data/samples
M=$FIXTURES/model
D=$FIXTURES/datasets

expect_exit 0 "$LIFT3D" infer --input "$S/cmu_02_06_coco.json" --output "$WORK/walk.bvh"
cp "$WORK/err" "$WORK/walk.err"
expect_exit 0 "$LIFT3D" infer --input "$S/cmu_02_06_coco.json" --output "$WORK/walk.npy"
bvh=$WORK/walk.bvh
[[ $(head -n 1 "$bvh") == HIERARCHY ]] || fail "the first line is not HIERARCHY: $(head -n 1 "$bvh")"
grep -qF '# units: centimetres; axes: Y up' "$bvh" || fail "no units/axes comment"
grep -qF "# from lift3d's camera frame (x right, y down, z forward): BVH (x, y, z) = (x, -y, -z)" "$bvh" ||
  fail "no frame comment"
grep -qF '# frame rate: 50 fps' "$bvh" || fail "the sample's 50 fps is not stated"
[[ $(grep -c '^ *\(ROOT\|JOINT\) ' "$bvh") == 17 ]] || fail "not 17 joints: $(grep -c 'JOINT' "$bvh")"
[[ $(grep -c 'End Site' "$bvh") == 5 ]] || fail "not 5 end sites (ankles, head, wrists)"
grep -qx 'ROOT pelvis' "$bvh" || fail "the root is not the pelvis"
grep -qx 'Frames: 500' "$bvh" || fail "not 500 frames"
grep -qx 'Frame Time: 0.02' "$bvh" || fail "frame time is not 0.02 s"
values=$(awk '/^Frame Time:/ {on = 1; next} on {print NF}' "$bvh" | sort -u)
[[ $values == 54 ]] || fail "motion lines hold '$values' values, want 6 + 16 x 3 = 54"
grep -qF 'walk.bvh: BVH of 500 frames, centimetres, Y up' "$WORK/walk.err" ||
  fail "no note on the skeleton: $(cat "$WORK/walk.err")"

# The world frame is stated as such; an input without a frame rate gets 30 fps with a warning.
expect_exit 0 "$LIFT3D" infer --input "$S/cmu_02_06_coco.json" --frame world --output "$WORK/world.bvh"
grep -qF "# from lift3d's world frame (z up, lowest joint on the ground): BVH (x, y, z) = (x, z, -y)" \
  "$WORK/world.bvh" || fail "no world frame comment"
expect_exit 0 "$LIFT3D" infer --input "$FIXTURES/real/openpose/pose2sim_body25b_cam1" --input-layout body25b \
  --image-size 1088x1920 --output "$WORK/op.bvh"
grep -qF 'does not give a frame rate; the BVH plays at 30 fps' "$WORK/err" || fail "no fps warning: $(cat "$WORK/err")"
grep -qF '# frame rate: 30 fps (assumed: the input does not say)' "$WORK/op.bvh" || fail "assumed fps not stated"

# Several sequences do not fit one skeleton file; nothing is written.
expect_exit 2 "$LIFT3D" infer "$M/arc333_zip.bin" --input "$D/data_2d_custom_tiny.npz" --output "$WORK/many.bvh"
expect_one_line_error "many.bvh" "a .bvh output holds one sequence"
expect_no_file "$WORK/many.bvh"
# A model of another skeleton has no Human3.6M rig.
expect_exit 2 "$LIFT3D" infer "$M/arc33_he15_zip.bin" --input "$D/data_2d_humaneva15_tiny.npz" --dataset humaneva15 \
  --subject Validate/S1 --action 'Walking 1 chunk0' --camera 0 --output "$WORK/he.bvh"
expect_one_line_error "he.bvh" "Human3.6M 17-joint skeleton"
expect_no_file "$WORK/he.bvh"

if ! command -v blender >/dev/null; then
  echo "skip: blender is not installed (scripts/setup.sh --viewers installs it); the file checks above passed"
  finish
  exit 77
fi
blender -b --factory-startup --python "$SOURCE/tools/check_bvh_in_blender.py" -- "$bvh" "$WORK/blender.json" \
  >"$WORK/blender.log" 2>&1 || fail "blender could not import the file: $(tail -5 "$WORK/blender.log")"
max_mm=$(sed -n 's/.*at most \([0-9.]*\) mm.*/\1/p' "$WORK/walk.err")
$PYTHON - "$WORK/blender.json" "$WORK/walk.npy" "$max_mm" <<'PY' || fail "Blender's skeleton is not lift3d's"
import json, sys
import numpy as np
blender = json.load(open(sys.argv[1]))
lifted = np.load(sys.argv[2])  # camera frame, metres
reported_max_mm = float(sys.argv[3])
names = ["pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "spine", "thorax",
         "neck", "head", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder", "right_elbow", "right_wrist"]
assert blender["frames"] == lifted.shape[0] == 500, blender["frames"]
assert abs(blender["fps"] - 50) < 1e-6, blender["fps"]
assert sorted(blender["bones"]) == sorted(names), blender["bones"]
heads = np.array(blender["heads"])[:, [blender["bones"].index(n) for n in names]]  # BVH axes, cm
camera = heads / 100.0 * np.array([1.0, -1.0, -1.0])  # the stated mapping, back to lift3d's camera frame
distance_mm = np.linalg.norm(camera - lifted, axis=-1) * 1000
assert distance_mm[:, 0].max() < 1.0, distance_mm[:, 0].max()
assert distance_mm.max() < reported_max_mm + 1.0, (distance_mm.max(), reported_max_mm)
print("pelvis %.3f mm, joints at most %.1f mm (reported %.1f mm)"
      % (distance_mm[:, 0].max(), distance_mm.max(), reported_max_mm))
PY
finish
