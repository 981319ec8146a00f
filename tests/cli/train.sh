# lift3d train end to end on the tiny Human3.6M fixtures, against VideoPose3D's own run.py
# (tests/fixtures/training/run_py, see tools/make_training_run_fixtures.py): the epoch lines, its
# checkpoints (read back by --resume and by lift3d eval, and by torch.load when PyTorch is installed),
# and the error contract.
source "$(dirname "$0")/lib.sh" "$@"
E=$FIXTURES/eval
R=$FIXTURES/training/run_py
DATA=(--dataset h36m --data-3d "$E/data_3d_h36m_tiny.npz" --data-2d "$E/data_2d_h36m_tiny.npz")
RUN_PY=(--subjects-train S1,S9 --subjects-test S11 --architecture 3,3 --channels 16 --dropout 0 --batch-size 64
        --checkpoint-frequency 1 --no-time --no-final-eval)  # stdout: the epoch lines only

# compare_lines OURS THEIRS: the same epochs, every loss within 0.01 mm of run.py's.
compare_lines() {
  paste -d'\n' <(sed 's/ time [0-9.]*//' "$1") <(sed 's/ time [0-9.]*//' "$2") | awk '
    NR % 2 == 1 { n = split($0, ours, " "); next }
    { m = split($0, theirs, " ")
      if (n != m || ours[1] != theirs[1] || ours[3] != theirs[3]) { print "lines differ: " $0; bad = 1; next }
      for (i = 5; i <= n; i += 2) if ((ours[i] - theirs[i])^2 > 0.0001) { print ours[1] " " ours[i-1] " " ours[i] " vs " theirs[i]; bad = 1 } }
    END { exit bad }' || fail "epoch lines differ from run.py's: $(cat "$1")"
}

# Three epochs from run.py's starting checkpoint: run.py's epoch lines.
expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${RUN_PY[@]}" --epochs 3 --checkpoint "$WORK/ck" --resume "$R/init.bin"
cp "$WORK/out" "$WORK/epochs.txt"
[[ $(wc -l <"$WORK/epochs.txt") == 3 ]] || fail "expected 3 epoch lines: $(cat "$WORK/epochs.txt")"
compare_lines "$WORK/epochs.txt" "$R/epochs.txt"
for e in 1 2 3; do [[ -s $WORK/ck/epoch_$e.bin ]] || fail "no checkpoint epoch_$e.bin"; done
grep -q 'holds no optimizer state' "$WORK/err" || fail "no warning about a checkpoint without optimizer: $(cat "$WORK/err")"

# The same run with the cameras from a file in which every subject is its own self-contained rig
# (Human3.6M's values): run.py's epoch lines again.
expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${RUN_PY[@]}" --epochs 3 --checkpoint '' --resume "$R/init.bin" \
  --cameras "$FIXTURES/cameras/h36m_own_rigs.json"
compare_lines "$WORK/out" "$R/epochs.txt"

# Resuming lift3d's own epoch_2.bin gives the third epoch run.py gives when it resumes its epoch_2.bin.
expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${RUN_PY[@]}" --epochs 3 --checkpoint "$WORK/ck2" --resume "$WORK/ck/epoch_2.bin"
compare_lines "$WORK/out" "$R/resumed_epochs.txt"

# The checkpoint is a VideoPose3D checkpoint: lift3d eval reads it, and so does torch.load.
expect_exit 0 "$LIFT3D" eval "$WORK/ck/epoch_3.bin" "${DATA[@]}" --subjects-test S11 --architecture 3,3
expect_stdout_has 'Protocol #1   (MPJPE) action-wise average:'
if $PYTHON -c 'import torch' 2>/dev/null; then
  $PYTHON - "$WORK/ck/epoch_3.bin" >"$WORK/py.txt" 2>&1 <<'PY' || fail "torch.load: $(cat "$WORK/py.txt")"
import sys, numpy as np, torch
c = torch.load(sys.argv[1], map_location=lambda s, l: s)
assert sorted(c) == ['epoch', 'lr', 'model_pos', 'model_traj', 'optimizer', 'random_state', 'random_state_semi'], sorted(c)
assert c['epoch'] == 3 and abs(c['lr'] - 0.001 * 0.95 ** 3) < 1e-12, (c['epoch'], c['lr'])
assert isinstance(c['random_state'], np.random.RandomState)
assert c['model_pos']['expand_conv.weight'].shape == (16, 34, 3)
assert len(c['optimizer']['state']) == len(c['optimizer']['param_groups'][0]['params'])
PY
fi

# Errors: one line, exit 2 for options that do not fit.
expect_exit 2 "$LIFT3D" train "${DATA[@]}" --subjects-train S7 --checkpoint ''
expect_one_line_error "no subject 'S7'" 'S1, S9, S11'
expect_exit 1 "$LIFT3D" train "${DATA[@]}" --subjects-train S1,S9 --subjects-test S11 --architecture 3,3,3 --channels 16 --epochs 1 \
  --checkpoint '' --resume "$R/init.bin" --quiet
expect_one_line_error 'init.bin' 'model_pos'
# A checkpoint folder that cannot be made (a file in the way): exit 1 before the first epoch.
: >"$WORK/a_file"
expect_exit 1 "$LIFT3D" train "${DATA[@]}" --subjects-train S1 --subjects-test S11 --architecture 3,3 --channels 16 \
  --epochs 1 --checkpoint "$WORK/a_file/runs" --quiet
expect_one_line_error 'a_file/runs' 'cannot create the checkpoint folder'
finish
