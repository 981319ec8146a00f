# lift3d inspect: text and JSON reports, both torch formats, and its errors.
source "$(dirname "$0")/lib.sh" "$@"
M=$FIXTURES/model

for format in legacy zip; do
  expect_exit 0 "$LIFT3D" inspect "$M/arc333_$format.bin"
  expect_stdout_has "architecture:     3,3,3 (dilated)"
  expect_stdout_has "receptive field:  27 frames"
  expect_stdout_has "trajectory model: yes"
  expect_stdout_has "format:           $format"
done

expect_exit 0 "$LIFT3D" inspect "$M/arc3333_causal_zip.bin" --json
if have_numpy; then
  $PYTHON - "$WORK/out" <<'PY' || fail "inspect --json content"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["format"] == "zip", report
assert report["model_pos"]["architecture"] == "3,3,3,3", report
assert report["model_pos"]["receptive_field_frames"] == 81, report
assert report["model_pos"]["channels"] == 16, report
assert report["model_traj"] is None and report["has_trajectory"] is False, report
PY
fi

expect_exit 1 "$LIFT3D" inspect "$WORK/missing.bin"
expect_one_line_error "$WORK/missing.bin"

printf 'not a checkpoint at all' >"$WORK/garbage.bin"
expect_exit 1 "$LIFT3D" inspect "$WORK/garbage.bin"
expect_one_line_error "$WORK/garbage.bin"

expect_exit 1 "$LIFT3D" inspect "$M/arc333_zip.bin" --dense
expect_one_line_error "arc333_zip.bin"

expect_exit 2 "$LIFT3D" inspect
expect_exit 2 "$LIFT3D" frobnicate
finish
