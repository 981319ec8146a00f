# The error contract on hostile and malformed inputs, as a user meets it: exit 1 for a bad
# file, 2 for a selection that does not fit it, exactly one stderr line naming the file, no output,
# no temporary files, and no pickle payload ever run (they would `touch LIFT3D_PWNED` in the current
# directory, so lift3d runs inside the scratch directory). Then --keep-going with one bad and two
# good inputs. Fixtures: tools/make_hostile_fixtures.py.
source "$(dirname "$0")/lib.sh" "$@"
LIFT3D=$(realpath "$LIFT3D")
FIXTURES=$(realpath "$FIXTURES")
H=$FIXTURES/hostile
M=$FIXTURES/model/arc333_zip.bin
D=$FIXTURES/datasets
cd "$WORK" || exit 1
mkdir results

# Nothing at all was written into results/ (no result, no temporary file) and no payload ran.
expect_nothing_written() {
  [[ -z $(ls -A results) ]] || fail "files left in the output directory: $(ls -A results)"
  expect_no_file LIFT3D_PWNED
}
# rejected CODE INPUT [FRAGMENT...]: infer INPUT with the model, exit CODE, one line naming INPUT.
rejected() {
  local code=$1 input=$2
  shift 2
  expect_exit "$code" "$LIFT3D" infer "$M" --input "$input" --output results/result.npz
  expect_one_line_error "$input" "$@"
  expect_nothing_written
}
# bad_model FILE [FRAGMENT...]: infer and inspect refuse the checkpoint with one line naming it.
bad_model() {
  local model=$1
  shift
  expect_exit 1 "$LIFT3D" infer "$model" --input "$D/data_2d_custom_tiny.npz" --output results/result.npz
  expect_one_line_error "$model" "$@"
  expect_nothing_written
  expect_exit 1 "$LIFT3D" inspect "$model"
  expect_one_line_error "$model" "$@"
}

# Checkpoints: payloads, damage, claims of 2^40 elements, tensors of no VideoPose3D architecture.
bad_model "$H/ckpt_payload.bin" "refusing to load global 'posix.system'"
bad_model "$H/ckpt_payload_legacy.bin" "refusing to load global 'posix.system'"
head -c 5000 "$M" >cut.bin
bad_model "$WORK/cut.bin"
head -c 3000 "$FIXTURES/model/arc333_legacy.bin" >cut_legacy.bin
bad_model "$WORK/cut_legacy.bin"
{ printf 'PK\003\005'; tail -c +5 "$M"; } >magic.bin  # a zip checkpoint with a wrong magic number
bad_model "$WORK/magic.bin" "not a PyTorch checkpoint"
bad_model "$H/ckpt_legacy_numel_2e40.bin" "needs 1099511627724 elements but storage '0' holds 408"
bad_model "$H/ckpt_zip_numel_2e40.bin" "needs 1099511627724 elements but storage '0' holds 408"
bad_model "$H/ckpt_legacy_storage_header_2e40.bin" "is cut off by the end of the file"
bad_model "$H/ckpt_not_videopose.bin" "missing tensor 'expand_conv.weight'"
bad_model "$H/ckpt_extra_tensor.bin" "unexpected tensor 'attention.weight'"

# VideoPose3D 2D files.
rejected 1 "$H/data_2d_payload.npz" "refusing to load global 'posix.system'"
rejected 1 "$H/data_2d_payload_metadata.npz" "refusing to load global 'posix.system'"
rejected 1 "$H/data_2d_zip_bomb.npz" "inflates to more than the declared 1000 bytes"
rejected 1 "$H/data_2d_huge_member.npz" "declared size of 4294967280 bytes is implausible"
rejected 1 "$H/data_2d_huge_shape.npz" "1099511627776"
rejected 1 "$H/data_2d_nan.npz" "NaN or infinite"
rejected 1 "$H/data_2d_empty_sequence.npz" "has no frames"
rejected 1 "$H/data_2d_15_joints.npz" "15 keypoints, the model expects 17"
rejected 1 "$H/data_2d_laughs.npz" "expected a keypoint array, found list"
head -c 2500 "$D/data_2d_custom_tiny.npz" >cut.npz
rejected 1 "$WORK/cut.npz"
expect_exit 2 "$LIFT3D" infer "$M" --input "$D/data_2d_custom_tiny.npz" --camera 9 --output results/result.npz
expect_one_line_error "data_2d_custom_tiny.npz" "no camera 9"
expect_nothing_written
expect_exit 2 "$LIFT3D" infer "$M" --input "$D/data_2d_h36m_tiny.npz" --dataset h36m --subject S9 --action Running \
  --output results/result.npz
expect_one_line_error "data_2d_h36m_tiny.npz" "no action 'Running'"
expect_nothing_written

# Detector JSON.
head -c 700 "$FIXTURES/formats/sequence.lift3d.json" >cut.json
rejected 1 "$WORK/cut.json" "invalid json"
printf '%.0s[' {1..50000} >deep.json
rejected 1 "$WORK/deep.json" "invalid json"
printf '{"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco", "image_width": 10, "image_height": 10,
 "keypoints": []}' >empty.json
rejected 1 "$WORK/empty.json" "keypoints: no frames"

# A sequence of one frame is lifted to one frame.
expect_exit 0 "$LIFT3D" infer "$M" --input "$H/data_2d_one_frame.npz" --output results/one.npy
if have_numpy; then
  $PYTHON -c "import numpy, sys; a = numpy.load(sys.argv[1]); assert a.shape == (1, 17, 3), a.shape" results/one.npy ||
    fail "one-frame output has the wrong shape"
fi
rm -f results/one.npy

# A failed run leaves an existing output untouched.
echo old >results/keep.npz
expect_exit 1 "$LIFT3D" infer "$M" --input "$H/data_2d_payload.npz" --output results/keep.npz
[[ $(cat results/keep.npz) == old ]] || fail "the existing output was changed by a failed run"
rm results/keep.npz

# An interrupted run never leaves a half-written file under the final name. A file-size limit too
# small for the 6 KB output is a write error: one line, exit 1, the old file untouched, no
# temporary file left.
echo old >results/keep.npy
(ulimit -f 2 && exec "$LIFT3D" infer "$M" --input "$H/data_2d_good_1.npz" --output results/keep.npy) 2>"$WORK/err"
[[ $? == 1 ]] || fail "a write cut by the file-size limit did not exit 1"
expect_one_line_error "results/keep.npy" "file too large"
[[ $(ls -A results) == keep.npy && $(cat results/keep.npy) == old ]] || fail "after a cut write: $(ls -A results)"
rm results/keep.npy
# SIGTERM or SIGINT at any moment of a batch: every output under its final name is complete and no
# temporary file is left. SIGKILL leaves its temporary file (nothing can remove it) but never a
# partial output.
if have_numpy; then
  for signal in TERM INT KILL; do
    for delay in 0.02 0.05 0.1 0.2 0.4; do
      "$LIFT3D" infer "$M" --input "$H/data_2d_good_1.npz" "$H/data_2d_good_2.npz" "$D/data_2d_custom_tiny.npz" \
        --output-dir results --format json --threads 1 2>/dev/null &
      sleep "$delay"
      kill -"$signal" $! 2>/dev/null
      wait $! 2>/dev/null
      $PYTHON - results <<'PY' || fail "SIG$signal after $delay s left an incomplete output"
import glob, json, sys
for path in glob.glob(sys.argv[1] + "/*.json"):
    json.load(open(path))
PY
      [[ $signal == KILL ]] && rm -f results/.*.tmp.*
      [[ -z $(ls -A results | grep -v '\.json$') ]] || fail "SIG$signal after $delay s left: $(ls -A results)"
      rm -f results/*
    done
  done
fi

# --keep-going: the bad input is reported on one line, the two good ones are written, exit 4.
expect_exit 4 "$LIFT3D" infer "$M" --input "$H/data_2d_good_1.npz" "$H/data_2d_payload.npz" "$H/data_2d_good_2.npz" \
  --output-dir results --keep-going
[[ $(grep -c '^lift3d: error: ' "$WORK/err") == 1 ]] || fail "expected one error line: $(cat "$WORK/err")"
grep -q "^lift3d: error: $H/data_2d_payload.npz: .*refusing to load global 'posix.system'" "$WORK/err" ||
  fail "the error line does not name the bad input: $(cat "$WORK/err")"
grep -qF "1 of 3 inputs failed" "$WORK/err" || fail "no summary of the failures: $(cat "$WORK/err")"
[[ $(ls results | sort | tr '\n' ' ') == "data_2d_good_1.npy data_2d_good_2.npy " ]] || fail "outputs: $(ls -A results)"
if have_numpy; then
  $PYTHON - results <<'PY' || fail "batch outputs do not load"
import sys
import numpy as np
for name in ("data_2d_good_1.npy", "data_2d_good_2.npy"):
    a = np.load(sys.argv[1] + "/" + name)
    assert a.dtype == np.float32 and a.shape == (30, 17, 3) and np.isfinite(a).all(), (name, a.shape)
PY
fi
expect_no_file LIFT3D_PWNED
rm -f results/*

# Errors raised while lifting name the input too (regression: the flip-TTA refusal did not), keep
# their exit code, and two sequences of one input failing at once give one error line.
expect_exit 2 "$LIFT3D" infer "$M" --input "$H/data_2d_no_symmetry.npz" --output results/result.npz
expect_one_line_error "$H/data_2d_no_symmetry.npz: " "use --no-tta"
expect_nothing_written
expect_exit 4 "$LIFT3D" infer "$M" --input "$H/data_2d_no_symmetry.npz" "$H/data_2d_good_1.npz" --output-dir results \
  --keep-going --threads 2
[[ $(grep -c '^lift3d: error: ' "$WORK/err") == 1 ]] || fail "expected one error line: $(cat "$WORK/err")"
grep -qF "lift3d: error: $H/data_2d_no_symmetry.npz: " "$WORK/err" || fail "input not named: $(cat "$WORK/err")"
[[ $(ls results) == data_2d_good_1.npy ]] || fail "outputs: $(ls -A results)"
rm -f results/*

# Without --keep-going the bad input stops the batch before anything is written.
expect_exit 1 "$LIFT3D" infer "$M" --input "$H/data_2d_good_1.npz" "$H/data_2d_payload.npz" "$H/data_2d_good_2.npz" \
  --output-dir results
expect_one_line_error "data_2d_payload.npz"
expect_nothing_written

# A bad checkpoint fails the whole batch, --keep-going or not.
expect_exit 1 "$LIFT3D" infer "$H/ckpt_payload.bin" --input "$H/data_2d_good_1.npz" "$H/data_2d_good_2.npz" \
  --output-dir results --keep-going
expect_one_line_error "ckpt_payload.bin"
expect_nothing_written
finish
