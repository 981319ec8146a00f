# The input formats and options added for real users' files, on the synthetic sequence of
# tests/fixtures/formats (tools/make_format_fixtures.py): each format gives the same 3D as the
# lift3d JSON; image sizes per input (--image-size, --size-from) and --input-layout.
source "$(dirname "$0")/lib.sh" "$@"
F=$FIXTURES/formats
MODEL=$FIXTURES/model/arc333_zip.bin  # COCO-17 in, Human3.6M-17 out

expect_exit 0 "$LIFT3D" infer "$MODEL" --input "$F/sequence.lift3d.json" --output "$WORK/reference.npy"
same_as_reference() {  # NAME ARGS...
  local name=$1; shift
  expect_exit 0 "$LIFT3D" infer "$MODEL" "$@" --output "$WORK/$name.npy"
  cmp -s "$WORK/reference.npy" "$WORK/$name.npy" || fail "$name gives different 3D than the lift3d JSON"
}
same_as_reference mmpose0x --input "$F/mmpose0x_pose_results.json" --image-size 640x480
same_as_reference csv --input "$F/keypoints_coco.csv" --width 640 --height 480
same_as_reference numbered_csv --input "$F/keypoints_numbered.csv" --input-layout coco --image-size 640x480
same_as_reference npy --input "$F/keypoints_coco.npy" --input-layout coco --image-size 640x480
same_as_reference npz --input "$F/keypoints_coco.npz" --input-layout coco --image-size 640x480
same_as_reference body25b --input "$F/openpose_body25b" --input-layout body25b --image-size 640x480

# A plain array does not say its joint order.
expect_exit 2 "$LIFT3D" infer "$MODEL" --input "$F/keypoints_coco.npy" --image-size 640x480 --output "$WORK/x.npy"
expect_one_line_error "keypoints_coco.npy" "--input-layout"
expect_exit 2 "$LIFT3D" infer "$MODEL" --input "$F/keypoints_coco.npy" --input-layout nonsense --image-size 640x480 \
  --output "$WORK/x.npy"

# --size-from: the size read from a frame image's header (a 640x480 PNG header written here).
$PYTHON - "$WORK/frame.png" <<'PY'
import struct, sys, zlib
ihdr = struct.pack(">IIBBBBB", 640, 480, 8, 0, 0, 0, 0)
chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk)
PY
same_as_reference size_from --input "$F/keypoints_coco.csv" --size-from "$WORK/frame.png"
grep -qF "image size 640x480 (--size-from $WORK/frame.png: png header)" "$WORK/err" ||
  fail "no note of where the size came from: $(cat "$WORK/err")"

# Per input: a batch whose inputs have different sizes; names match the file name or its stem.
mkdir -p "$WORK/batch" "$WORK/big"
cp "$F/keypoints_coco.csv" "$WORK/big/big.csv"
expect_exit 0 "$LIFT3D" infer "$MODEL" --input "$F/keypoints_coco.csv" --input "$WORK/big/big.csv" \
  --image-size 640x480 --image-size big=1280x960 --output-dir "$WORK/batch"
grep -qF "keypoints_coco.csv: image size 640x480 (--image-size 640x480)" "$WORK/err" || fail "no note for the first input"
grep -qF "big.csv: image size 1280x960 (--image-size big=1280x960)" "$WORK/err" || fail "no note for the named input"
cmp -s "$WORK/reference.npy" "$WORK/batch/keypoints_coco.npy" || fail "the first input lost its size"
cmp -s "$WORK/reference.npy" "$WORK/batch/big.npy" && fail "the named size was not used"
# Conflicts and names matching no input are usage errors before any work.
expect_exit 2 "$LIFT3D" infer "$MODEL" --input "$F/keypoints_coco.csv" --image-size 640x480 --width 640 --height 480 \
  --output "$WORK/x.npy"
expect_one_line_error "--width/--height and --image-size 640x480"
expect_exit 2 "$LIFT3D" infer "$MODEL" --input "$F/keypoints_coco.csv" --image-size other=640x480 --output "$WORK/x.npy"
expect_one_line_error "'other' names no --input"
expect_exit 2 "$LIFT3D" infer "$MODEL" --input "$F/keypoints_coco.csv" --image-size 640by480 --output "$WORK/x.npy"
expect_one_line_error "--image-size 640by480" "WIDTHxHEIGHT"
expect_exit 1 "$LIFT3D" infer "$MODEL" --input "$F/keypoints_coco.csv" --size-from "$F/keypoints_coco.csv" \
  --output "$WORK/x.npy"
expect_one_line_error "keypoints_coco.csv: not a png, jpeg or mp4/mov file"
expect_no_file "$WORK/x.npy"

# A glob never names an output with '*': the folder's name is used.
mkdir -p "$WORK/globbed"
expect_exit 0 "$LIFT3D" infer "$MODEL" --input "$F/openpose_body25/clip_*_keypoints.json" --image-size 640x480 \
  --output-dir "$WORK/globbed"
[[ -f $WORK/globbed/openpose_body25.npy ]] || fail "glob output name: $(ls "$WORK/globbed")"

finish
