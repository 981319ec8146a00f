# Real detector exports (tests/fixtures/real, each with its SOURCE.md) lifted with the default model
# as a user would: frame counts, finite values, and every bone of the Human3.6M-17 output between
# 0.05 and 0.7 m in the middle frame. Where lifting needs what this reader does not do (filling a
# joint the detector never saw), the run must either succeed the same way or fail with that one
# message, so the test stays right when that lands.
source "$(dirname "$0")/lib.sh" "$@"
R=$FIXTURES/real

# check_poses FILE FRAMES [no-bones]: shape (FRAMES, 17, 3), finite, and each bone's median length
# over the frames between 0.05 and 0.7 m.
check_poses() {
  have_numpy || return 0
  $PYTHON - "$@" <<'PY' || fail "$1: implausible poses"
import sys
import numpy as np
poses = np.load(sys.argv[1])
frames = int(sys.argv[2])
assert poses.shape == (frames, 17, 3), poses.shape
assert np.isfinite(poses).all(), "non-finite values"
if len(sys.argv) < 4:
    parents = [-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15]
    bones = np.median(np.linalg.norm(poses[:, 1:] - poses[:, parents[1:]], axis=-1), axis=0)
    assert ((bones >= 0.05) & (bones <= 0.7)).all(), ["%.3f" % b for b in bones]
PY
}

# lift NAME FRAMES ARGS...: lifts with the default model into $WORK/NAME.npy and checks it.
lift() {
  local name=$1 frames=$2; shift 2
  expect_exit 0 "$LIFT3D" infer "$@" --output "$WORK/$name.npy"
  [[ -f $WORK/$name.npy ]] && check_poses "$WORK/$name.npy" "$frames" ${NO_BONES:+no-bones}
}

# lift_or_pending NAME FRAMES PENDING ARGS...: as lift, or exit 1 with the one-line PENDING error.
lift_or_pending() {
  local name=$1 frames=$2 pending=$3; shift 3
  "$LIFT3D" infer "$@" --output "$WORK/$name.npy" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [[ $got == 0 ]]; then
    check_poses "$WORK/$name.npy" "$frames"
  else
    [[ $got == 1 ]] || fail "$name: exit $got: $(cat "$WORK/err")"
    grep -q '^lift3d: error: ' "$WORK/err" && grep -qF -- "$pending" "$WORK/err" ||
      fail "$name: neither lifted nor the known pending error: $(cat "$WORK/err")"
  fi
}

# Pose2Sim, OpenPose BODY_25B, cam01.NNNN.json names, 2 people a frame, portrait 1088x1920.
P2S=$R/openpose/pose2sim_body25b_cam1
lift pose2sim_cam1 30 --input "$P2S" --input-layout body25b --image-size 1088x1920
grep -q "image size 1088x1920 (--image-size 1088x1920)" "$WORK/err" || fail "no note of the image size: $(cat "$WORK/err")"
# Read as BODY_25 by its joint count, it is refused, naming the option.
expect_exit 1 "$LIFT3D" infer --input "$P2S" --width 1088 --height 1920 --output "$WORK/x.npy"
expect_one_line_error "pose2sim_body25b_cam1" "--input-layout body25b"
# A glob of the same frames: same poses, output named after the folder.
mkdir -p "$WORK/dir"
expect_exit 0 "$LIFT3D" infer --input "$P2S/cam01.*.json" --input-layout body25b --image-size 1088x1920 \
  --output-dir "$WORK/dir"
[[ -f $WORK/dir/pose2sim_body25b_cam1.npy ]] || fail "glob output not named after its folder: $(ls "$WORK/dir")"
cmp -s "$WORK/dir/pose2sim_body25b_cam1.npy" "$WORK/pose2sim_cam1.npy" || fail "glob and folder give different 3D"

# Pose2Sim side camera with stray del_*.json files: the strays are skipped with a warning; the left
# eye is never seen (filling a never-seen joint is not done by the reader).
"$LIFT3D" infer --input "$R/openpose/pose2sim_cam04_stray_files" --input-layout body25b --image-size 1088x1920 \
  --output "$WORK/cam04.npy" >"$WORK/out" 2>"$WORK/err"
grep -qF "skipped 2 file group(s) without any person: del_000000, del_000001" "$WORK/err" ||
  fail "stray files not reported: $(cat "$WORK/err")"
lift_or_pending cam04 30 "joint 'left_eye' is never usable" \
  --input "$R/openpose/pose2sim_cam04_stray_files" --input-layout body25b --image-size 1088x1920

# AlphaPose Halpe-26, untracked (idx lists), image ids "0.jpg".."79.jpg", portrait about 360x640.
lift motionbert_halpe26 80 --input "$R/alphapose/motionbert_halpe26/alphapose-results.json" --image-size 360x640

# PoseMamba keypoints.npz: reconstruction (1, frames, 17, 3) in Human3.6M order with scores,
# mapped onto the default model's COCO input with a warning about the eyes and ears.
lift posemamba_video 185 --input "$R/npz/posemamba_sample_video/keypoints.npz" --image-size 1280x720
grep -qF "reconstruction array read in h36m joint order" "$WORK/err" || fail "no note of the assumed order"
grep -qF "the eyes and ears are placed at the head joint" "$WORK/err" || fail "no warning about the mapping"
# Its source video is not published (the coordinates reach 1578 x 1808 pixels: 1920x1920 bounds
# them), and it is a close-up whose knees and ankles the detector made up (scores near 0.05): the
# lift runs and is finite, but no bone lengths are promised.
NO_BONES=1 lift posemamba_video1 77 --input "$R/npz/posemamba_sample_video1/keypoints.npz" --image-size 1920x1920

# A truncated MMPose 0.x dump: one line naming the file.
expect_exit 1 "$LIFT3D" infer --input "$R/mmpose/mmpose0x_truncated/pose_results.json" --image-size 640x480 \
  --output "$WORK/x.npy"
expect_one_line_error "mmpose0x_truncated/pose_results.json" "invalid json"
expect_no_file "$WORK/x.npy"

finish
