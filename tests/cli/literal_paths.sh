# A path that exists is read as itself even when it holds glob characters ([, ?, *): once,
# "f_[1]_keypoints.json" silently read "f_1_keypoints.json". A pattern is a pattern only when no
# such file exists.
source "$(dirname "$0")/lib.sh"
M=$FIXTURES/model/arc333_zip.bin
F=$FIXTURES/formats
cd "$WORK" || exit 1
mkdir frames
cp "$F/openpose_body25/clip_000000000001_keypoints.json" "frames/f_[1]_keypoints.json"
cp "$F/openpose_body25/clip_000000000004_keypoints.json" "frames/f_1_keypoints.json"
expect_exit 0 "$LIFT3D" infer "$M" --input "frames/f_[1]_keypoints.json" --output literal.npy --width 640 --height 480
expect_exit 0 "$LIFT3D" infer "$M" --input "frames/f_1_keypoints.json" --output other.npy --width 640 --height 480
expect_exit 0 "$LIFT3D" infer "$M" --input "$F/openpose_body25/clip_000000000001_keypoints.json" --output same.npy \
  --width 640 --height 480
cmp -s literal.npy same.npy || fail "the bracketed file name did not read that file"
cmp -s literal.npy other.npy && fail "the bracketed name read the other file"
# A pattern that names no file still globs.
expect_exit 0 "$LIFT3D" infer "$M" --input "$F/openpose_body25/clip_00000000000[0-5]_keypoints.json" \
  --output glob.json --width 640 --height 480
grep -q '"poses"' glob.json || fail "the glob read nothing"
finish
