# A long keypoint JSON file is lifted in memory near its decoded keypoints: the file is read record by
# record, never whole, and no whole copy of the sequence is held beside another on the way to the
# model. tools/bench_json_memory.py generates 100000 frames of COCO-17 keypoints in lift3d's own JSON
# and as COCO results, runs infer on each, and fails when the peak memory above that of a 300-frame
# input exceeds 1.5 times the float32 keypoints (frames x 17 x 3 floats). Reading the whole text and
# its parsed document took 12 to 16 times. --no-tta halves the lifting time; the memory it saves is
# the model's working chunk, which the 300-frame run counts as well.
source "$(dirname "$0")/lib.sh"
$PYTHON "$SOURCE/tools/bench_json_memory.py" --lift3d "$LIFT3D" --frames 100000 --formats lift3d,coco \
  --check-ratio 1.5 --tmp "$WORK" --infer-arg=--no-tta >"$WORK/out" 2>"$WORK/err" ||
  fail "peak memory above 1.5x the keypoints: $(cat "$WORK/out" "$WORK/err")"
grep -q '^| coco | 100000 |' "$WORK/out" || fail "no figures for COCO results: $(cat "$WORK/out" "$WORK/err")"
cat "$WORK/out"
finish
