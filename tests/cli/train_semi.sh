# lift3d train --subjects-unlabeled end to end on the tiny Human3.6M fixtures, against VideoPose3D's own
# run.py in semi-supervised mode (tests/fixtures/training/run_py_semi, see
# tools/make_semi_run_fixtures.py): the epoch lines, the checkpoints (read back by --resume and by
# lift3d eval, and by torch.load as run.py --resume reads them when PyTorch is installed), and the
# error contract of the semi-supervised options.
source "$(dirname "$0")/lib.sh" "$@"
E=$FIXTURES/eval
R=$FIXTURES/training/run_py_semi
DATA=(--dataset h36m --data-3d "$E/data_3d_h36m_tiny.npz" --data-2d "$E/data_2d_h36m_tiny.npz")
RUN_PY=(--subjects-train S1 --subjects-unlabeled S9 --subjects-test S11 --architecture 3,3 --channels 16 --dropout 0
        --batch-size 50 --checkpoint-frequency 1 --no-time --no-final-eval)  # stdout: the epoch lines only

# compare_lines OURS THEIRS: the same epochs and fields, every value within 0.01 of run.py's (losses
# of hundreds of mm; the 2D ones, about 0.4, are compared tighter by training_semi_run_test).
compare_lines() {
  paste -d'\n' <(sed 's/ time [0-9.]*//' "$1") <(sed 's/ time [0-9.]*//' "$2") | awk '
    NR % 2 == 1 { n = split($0, ours, " "); next }
    { m = split($0, theirs, " ")
      if (n != m || ours[1] != theirs[1] || ours[3] != theirs[3]) { print "lines differ: " $0; bad = 1; next }
      for (i = 5; i <= n; i += 2) if (ours[i-1] != theirs[i-1] || (ours[i] - theirs[i])^2 > 0.0001) { print ours[1] " " ours[i-1] " " ours[i] " vs " theirs[i]; bad = 1 } }
    END { exit bad }' || fail "epoch lines differ from run.py's: $(cat "$1")"
}

# Three epochs (one warm-up) from run.py's starting checkpoint: run.py's semi-supervised epoch lines.
expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${RUN_PY[@]}" --epochs 3 --checkpoint "$WORK/ck" --resume "$R/init.bin"
cp "$WORK/out" "$WORK/epochs.txt"
[[ $(wc -l <"$WORK/epochs.txt") == 3 ]] || fail "expected 3 epoch lines: $(cat "$WORK/epochs.txt")"
grep -q ' traj_eval .* 2d_train_unsup ' "$WORK/epochs.txt" || fail "no semi-supervised epoch line: $(cat "$WORK/epochs.txt")"
compare_lines "$WORK/epochs.txt" "$R/semi_epochs.txt"
grep -q 'semi-supervision on 572 frames of S9' "$WORK/err" || fail "no semi-supervision note: $(cat "$WORK/err")"

# Resuming lift3d's own epoch_2.bin gives the third epoch run.py gives when it resumes its epoch_2.bin.
expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${RUN_PY[@]}" --epochs 3 --checkpoint "$WORK/ck2" --resume "$WORK/ck/epoch_2.bin"
compare_lines "$WORK/out" "$R/resumed_epochs.txt"

# On chunks of 3 output frames (run.py's --stride 3: both models in their full form): run.py's lines.
expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${RUN_PY[@]}" --epochs 3 --stride 3 --checkpoint "$WORK/ck3" --resume "$R/init.bin"
compare_lines "$WORK/out" "$R/stride_epochs.txt"

# The checkpoint is a VideoPose3D checkpoint: lift3d eval reads it, and torch.load reads it as run.py's
# --resume does (model_traj into a one-joint model, one Adam over both models, two RandomStates).
expect_exit 0 "$LIFT3D" eval "$WORK/ck/epoch_3.bin" "${DATA[@]}" --subjects-test S11 --architecture 3,3
expect_stdout_has 'Protocol #1   (MPJPE) action-wise average:'
if $PYTHON -c 'import torch' 2>/dev/null; then
  $PYTHON - "$WORK/ck/epoch_3.bin" "$(dirname "$0")/../../tools" >"$WORK/py.txt" 2>&1 <<'PY' || fail "torch.load: $(cat "$WORK/py.txt")"
import sys, numpy as np, torch
sys.path.insert(0, sys.argv[2])
from make_training_fixtures import StridedTemporalModel
c = torch.load(sys.argv[1], map_location=lambda s, l: s)
assert sorted(c) == ['epoch', 'lr', 'model_pos', 'model_traj', 'optimizer', 'random_state', 'random_state_semi'], sorted(c)
assert c['epoch'] == 3 and abs(c['lr'] - 0.001 * 0.95 ** 3) < 1e-12, (c['epoch'], c['lr'])
assert isinstance(c['random_state'], np.random.RandomState) and isinstance(c['random_state_semi'], np.random.RandomState)
pos = StridedTemporalModel(17, 2, 17, [3, 3], False, 16)
traj = StridedTemporalModel(17, 2, 1, [3, 3], False, 16)
pos.load_state_dict(c['model_pos'])
traj.load_state_dict(c['model_traj'])
assert c['model_traj']['shrink.weight'].shape == (3, 16, 1)
optimizer = torch.optim.Adam(list(pos.parameters()) + list(traj.parameters()), lr=c['lr'], amsgrad=True)
optimizer.load_state_dict(c['optimizer'])
assert len(c['optimizer']['state']) == 22 == len(c['optimizer']['param_groups'][0]['params'])
# The trajectory model has learnt the depth: the root 0.5 to 10 m ahead of the camera.
with torch.no_grad():
    traj.eval()
    depth = traj(torch.zeros(1, 9, 17, 2), None, 0)[0, 0, 0, 2].item()
assert 0.5 < depth < 10, depth
PY
fi

# Errors: one line, exit 2 for options that do not fit, 1 for a checkpoint that does not.
expect_exit 2 "$LIFT3D" train "${DATA[@]}" --warmup 2 --checkpoint ''
expect_one_line_error '--warmup' 'only for semi-supervised training'
expect_exit 2 "$LIFT3D" train "${DATA[@]}" --no-proj --checkpoint ''
expect_one_line_error '--no-proj' '--subjects-unlabeled'
expect_exit 2 "$LIFT3D" train "${DATA[@]}" --subjects-train S1 --subjects-test S11 --subjects-unlabeled S7 --checkpoint ''
expect_one_line_error "no subject 'S7'" 'data_2d_h36m_tiny.npz'
expect_exit 2 "$LIFT3D" train --dataset h36m --data-3d "$E/data_3d_h36m_tiny.npz" --data-2d "$E/data_2d_h36m_tiny_coco.npz" \
  --subjects-train S1 --subjects-test S11 --subjects-unlabeled S9 --checkpoint ''
expect_one_line_error "'coco' layout" 'one for one'
expect_exit 2 "$LIFT3D" train --dataset humaneva15 --data-3d "$E/data_3d_humaneva15_tiny.npz" \
  --data-2d "$E/data_2d_humaneva15_tiny.npz" --subjects-unlabeled Train/S2 --checkpoint ''
expect_one_line_error '--subjects-unlabeled' 'only h36m'
# ...unless a camera file gives them: three epochs of HumanEva-I (one warm-up), finite losses, the
# unlabelled terms from epoch 2 on.
expect_exit 0 "$LIFT3D" train --dataset humaneva15 --data-3d "$E/data_3d_humaneva15_tiny.npz" \
  --data-2d "$E/data_2d_humaneva15_tiny.npz" --cameras "$FIXTURES/cameras/humaneva_with_intrinsics.json" \
  --subjects-train Train/S1 --subjects-unlabeled Unlabeled/Validate/S1 --subjects-test Validate/S1 --architecture 3,3 \
  --channels 16 --epochs 3 --batch-size 32 --checkpoint '' --no-final-eval --no-time
[[ $(wc -l <"$WORK/out") == 3 ]] || fail "HumanEva-I with --cameras: expected 3 epoch lines: $(cat "$WORK/out")"
awk 'NF != 19 || /nan|inf/ { bad = 1 } END { exit bad }' "$WORK/out" ||
  fail "HumanEva-I with --cameras: not run.py's semi-supervised lines of finite losses: $(cat "$WORK/out")"
grep -q 'semi-supervision on 24 frames of Unlabeled/Validate/S1' "$WORK/err" ||
  fail "HumanEva-I with --cameras: no note on the unlabelled frames: $(cat "$WORK/err")"
expect_exit 1 "$LIFT3D" train "${DATA[@]}" "${RUN_PY[@]}" --epochs 3 --checkpoint '' --resume "$FIXTURES/training/run_py/epoch_2.bin" --quiet
expect_one_line_error 'epoch_2.bin' 'no model_traj'
finish
