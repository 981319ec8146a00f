# lift3d infer end to end: outputs numpy can load and that equal the PyTorch oracle's, selection,
# and the error contract (one line, non-zero exit, nothing written).
source "$(dirname "$0")/lib.sh" "$@"
M=$FIXTURES/model
D=$FIXTURES/datasets

# Every sequence of a custom file, with the trajectory added (what run.py --viz-export saves).
expect_exit 0 "$LIFT3D" infer "$M/arc333_legacy.bin" --input "$D/data_2d_custom_tiny.npz" --output "$WORK/all.npz"
# One sequence as .npy, no TTA, root-relative.
expect_exit 0 "$LIFT3D" infer "$M/arc333_zip.bin" --input "$D/data_2d_custom_tiny.npz" --subject walk.mp4 \
  --no-tta --no-trajectory --output "$WORK/walk.npy"
# Human3.6M file, one camera.
expect_exit 0 "$LIFT3D" infer "$M/arc353_zip.bin" --input "$D/data_2d_h36m_tiny.npz" --dataset h36m \
  --subject S9 --action 'Walking 1' --camera 3 --output "$WORK/s9.npy"
if have_numpy; then
  $PYTHON - "$WORK" "$D" <<'PY' || fail "outputs differ from the oracle"
import sys
import numpy as np
work, data = sys.argv[1], sys.argv[2]
ours = np.load(work + "/all.npz")
expected = np.load(data + "/expected_custom_arc333_tta_export.npz")
assert sorted(ours.files) == sorted(expected.files), (ours.files, expected.files)
for key in expected.files:
    assert ours[key].dtype == np.float32 and ours[key].shape == expected[key].shape, key
    assert np.abs(ours[key] - expected[key]).max() < 1e-5, key
walk = np.load(work + "/walk.npy")
ref = np.load(data + "/expected_custom_arc333_notta.npz")["walk.mp4/custom/0"]
assert walk.dtype == np.float32 and walk.shape == ref.shape and np.abs(walk - ref).max() < 1e-5
s9 = np.load(work + "/s9.npy")
ref = np.load(data + "/expected_h36m_arc353_tta.npz")["S9/Walking 1/3"]
assert s9.shape == ref.shape and np.abs(s9 - ref).max() < 1e-5
PY
fi

# Several sequences cannot go into one .npy; nothing is written.
expect_exit 2 "$LIFT3D" infer "$M/arc333_zip.bin" --input "$D/data_2d_custom_tiny.npz" --output "$WORK/many.npy"
expect_one_line_error "many.npy" ".npz"
expect_no_file "$WORK/many.npy"

# Unknown subject / action names what the file has.
expect_exit 2 "$LIFT3D" infer "$M/arc353_zip.bin" --input "$D/data_2d_h36m_tiny.npz" --dataset h36m --subject S7 \
  --output "$WORK/x.npz"
expect_one_line_error "no subject 'S7'" "S9, S11"
expect_no_file "$WORK/x.npz"

# A dataset file without --dataset cannot be normalised.
expect_exit 2 "$LIFT3D" infer "$M/arc353_zip.bin" --input "$D/data_2d_h36m_tiny.npz" --output "$WORK/x.npz"
expect_one_line_error "data_2d_h36m_tiny.npz" "--dataset"

# Joint count that does not fit the model (HumanEva 15 keypoints into a 17-joint model).
expect_exit 1 "$LIFT3D" infer "$M/arc333_zip.bin" --input "$D/data_2d_humaneva15_tiny.npz" --dataset humaneva15 \
  --output "$WORK/x.npz"
expect_one_line_error "data_2d_humaneva15_tiny.npz" "15 keypoints"

# Truncated input: one line naming the file, no output.
head -c 3000 "$D/data_2d_custom_tiny.npz" >"$WORK/truncated.npz"
expect_exit 1 "$LIFT3D" infer "$M/arc333_zip.bin" --input "$WORK/truncated.npz" --output "$WORK/t.npz"
expect_one_line_error "truncated.npz"
expect_no_file "$WORK/t.npz"

# Architecture checks say what the file holds.
expect_exit 1 "$LIFT3D" infer "$M/arc333_zip.bin" --architecture 3,3,3,3,3 --input "$D/data_2d_custom_tiny.npz" \
  --output "$WORK/x.npz"
expect_one_line_error "holds architecture 3,3,3"

# An existing output is replaced whole, never left half-written.
echo old >"$WORK/keep.npy"
expect_exit 0 "$LIFT3D" infer "$M/arc333_zip.bin" --input "$D/data_2d_custom_tiny.npz" --subject walk.mp4 \
  --output "$WORK/keep.npy"
[[ $(head -c 6 "$WORK/keep.npy" | tail -c 5) == "NUMPY" ]] || fail "keep.npy was not replaced by an npy file"
ls "$WORK" | grep -q '\.tmp' && fail "temporary files left behind: $(ls "$WORK")"
finish
