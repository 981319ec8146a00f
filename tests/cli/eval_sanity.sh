# eval never answers wrong in silence: 3D ground truth in millimetres (VideoPose3D's files hold
# metres) once gave an MPJPE of 418,179 mm; now it is refused, naming the unit it looks like. 2D
# keypoints much longer than their 3D are still cut to the 3D length as run.py does, but with a
# warning giving both lengths.
source "$(dirname "$0")/lib.sh"
have_numpy || { echo "skip: numpy"; exit 0; }
E=$FIXTURES/eval
M=$FIXTURES/model/arc353_zip.bin
$PYTHON - "$E" "$WORK" <<'PY'
import sys
import numpy as np
source, work = sys.argv[1], sys.argv[2]
d3 = np.load(source + "/data_3d_h36m_tiny.npz", allow_pickle=True)
positions = d3["positions_3d"].item()
for scale, name in ((1000.0, "mm"), (100.0, "cm")):
    scaled = {s: {a: (v * scale).astype(np.float32) for a, v in acts.items()} for s, acts in positions.items()}
    np.savez_compressed(f"{work}/d3_{name}.npz", positions_3d=scaled)
d2 = np.load(source + "/data_2d_h36m_tiny.npz", allow_pickle=True)
keypoints = d2["positions_2d"].item()
doubled = {s: {a: [np.concatenate([c, c, c]) for c in cams] for a, cams in acts.items()} for s, acts in keypoints.items()}
np.savez_compressed(work + "/d2_long.npz", positions_2d=doubled, metadata=d2["metadata"])
PY
BASE=(eval "$M" --dataset h36m)
expect_exit 1 "$LIFT3D" "${BASE[@]}" --data-3d "$WORK/d3_mm.npz" --data-2d "$E/data_2d_h36m_tiny.npz"
expect_one_line_error "$WORK/d3_mm.npz: S1/Directions: the median bone is" "looks like millimetres (divide by 1000)"
expect_exit 1 "$LIFT3D" "${BASE[@]}" --data-3d "$WORK/d3_cm.npz" --data-2d "$E/data_2d_h36m_tiny.npz"
expect_one_line_error "looks like centimetres (divide by 100)"

# Three times the frames: evaluated as run.py would (the same numbers), and said.
expect_exit 0 "$LIFT3D" "${BASE[@]}" --data-3d "$E/data_3d_h36m_tiny.npz" --data-2d "$E/data_2d_h36m_tiny.npz"
cp "$WORK/out" "$WORK/plain.out"
expect_exit 0 "$LIFT3D" "${BASE[@]}" --data-3d "$E/data_3d_h36m_tiny.npz" --data-2d "$WORK/d2_long.npz"
grep -q "^lift3d: warning: $WORK/d2_long.npz: S9/.*: camera 0: the 2D has [0-9]* frames, the 3D ground truth [0-9]*; only the first" \
  "$WORK/err" || fail "no warning on the long 2D: $(head -c 400 "$WORK/err")"
# The first line names the 2D file; the numbers follow.
cmp -s <(tail -n +2 "$WORK/out") <(tail -n +2 "$WORK/plain.out") || fail "the long 2D changed the numbers"
# The unchanged files give no warning.
expect_exit 0 "$LIFT3D" "${BASE[@]}" --data-3d "$E/data_3d_h36m_tiny.npz" --data-2d "$E/data_2d_h36m_tiny.npz"
[[ ! -s $WORK/err ]] || fail "unexpected stderr: $(cat "$WORK/err")"
finish
