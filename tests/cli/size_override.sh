# An image size from the options that differs from the one the input declares is used, with a
# warning naming both; the same size, or a file that declares none, gives no warning.
source "$(dirname "$0")/lib.sh" "$@"
SAMPLE=$SOURCE/data/samples/cmu_02_06_coco.json  # declares 1000x1002

expect_exit 0 "$LIFT3D" infer --input "$SAMPLE" --width 640 --height 480 --output "$WORK/given.npy"
grep -qF "cmu_02_06_coco.json: the image size given (640x480 pixels) overrides the 1000x1002 the file declares" \
  "$WORK/err" || fail "no warning for an overridden size: $(cat "$WORK/err")"
expect_exit 0 "$LIFT3D" infer --input "$SAMPLE" --image-size 640x480 --output "$WORK/per_input.npy"
grep -qF "overrides the 1000x1002 the file declares" "$WORK/err" || fail "--image-size override not warned of"
# Half given: the other half is the file's.
expect_exit 0 "$LIFT3D" infer --input "$SAMPLE" --width 640 --output "$WORK/half.npy"
grep -qF "the image size given (640x1002 pixels)" "$WORK/err" || fail "half a size: $(cat "$WORK/err")"
expect_exit 0 "$LIFT3D" infer --input "$SAMPLE" --width 1000 --height 1002 --output "$WORK/same.npy"
grep -q "overrides" "$WORK/err" && fail "the declared size itself is warned of: $(cat "$WORK/err")"
# A VideoPose3D custom .npz declares its size in video_metadata.
expect_exit 0 "$LIFT3D" infer --input "$SOURCE/data/samples/cmu_02_06_custom.npz" --width 640 --height 480 \
  --output "$WORK/npz.npy"
grep -qF "cmu_02_06_custom.npz: cmu_02_06/custom/0: the image size given (640x480 pixels) overrides the 1000x1002" \
  "$WORK/err" || fail "custom .npz override not warned of: $(cat "$WORK/err")"
# No size in the file: nothing is overridden.
expect_exit 0 "$LIFT3D" infer --input "$FIXTURES/formats/coco_results.json" --width 640 --height 480 --output "$WORK/c.npy"
grep -q "overrides" "$WORK/err" && fail "a file without a size is warned of: $(cat "$WORK/err")"
finish
