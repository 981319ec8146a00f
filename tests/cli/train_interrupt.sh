# lift3d train and Ctrl-C: SIGINT mid-run stops at the next batch boundary with exit 130, names the
# last good checkpoint on stderr, leaves every checkpoint written whole (no temporary file behind),
# and --resume from that checkpoint runs on to the end. Also: the progress line appears on a terminal
# only, and the end-of-run evaluation is printed unless --no-final-eval.
source "$(dirname "$0")/lib.sh" "$@"
E=$FIXTURES/eval
DATA=(--dataset h36m --data-3d "$E/data_3d_h36m_tiny.npz" --data-2d "$E/data_2d_h36m_tiny.npz")
SMALL=(--subjects-train S1,S9 --subjects-test S11 --architecture 3,3,3 --channels 64 --batch-size 64 --no-time)

# A run far longer than the test: interrupted once its second checkpoint is written.
"$LIFT3D" train "${DATA[@]}" "${SMALL[@]}" --epochs 100000 --checkpoint "$WORK/ck" --checkpoint-frequency 1 \
  >"$WORK/run.out" 2>"$WORK/run.err" &
trainer=$!
for _ in $(seq 1 600); do [[ -e $WORK/ck/epoch_2.bin ]] && break; sleep 0.05; done
[[ -e $WORK/ck/epoch_2.bin ]] || fail "no epoch_2.bin after 30 s: $(cat "$WORK/run.err")"
sleep 0.3
kill -INT $trainer
wait $trainer
code=$?
[[ $code == 130 ]] || fail "after SIGINT: exit $code, want 130: $(tail -3 "$WORK/run.err")"
last=$(ls "$WORK/ck" | sed -n 's/^epoch_\([0-9]*\)\.bin$/\1/p' | sort -n | tail -1)
[[ -n $last ]] || fail "no checkpoint left"
grep -qF "the last good checkpoint is $WORK/ck/epoch_$last.bin" "$WORK/run.err" ||
  fail "stderr does not name epoch_$last.bin as the last good checkpoint: $(tail -2 "$WORK/run.err")"
grep -q '^lift3d: warning: interrupted in epoch ' "$WORK/run.err" || fail "no interruption note: $(tail -2 "$WORK/run.err")"
lines=$(grep -c '^\[' "$WORK/run.out")
[[ $lines == "$last" ]] || fail "$lines epoch lines, but the last checkpoint is epoch_$last.bin"
grep -q 'Protocol #1' "$WORK/run.out" && fail "an interrupted run printed the end-of-run evaluation"
[[ -z $(ls -A "$WORK/ck" | grep -v '^epoch_[0-9]*\.bin$') ]] || fail "left behind: $(ls -A "$WORK/ck")"
[[ -n $(grep -a 'batches' "$WORK/run.err") ]] && fail "progress line written to a file: $(grep -a batches "$WORK/run.err" | head -1)"
# Every checkpoint written is whole: lift3d reads each one.
for f in "$WORK"/ck/epoch_*.bin; do
  expect_exit 0 "$LIFT3D" inspect "$f"
done

# --resume from the last good checkpoint: two more epochs, numbered on from it, then the evaluation.
end=$((last + 2))
expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${SMALL[@]}" --epochs $end --checkpoint "$WORK/ck" \
  --checkpoint-frequency 1 --resume "$WORK/ck/epoch_$last.bin"
[[ $(grep '^\[' "$WORK/out" | sed 's/\].*//; s/\[//' | tr '\n' ' ') == "$((last + 1)) $end " ]] ||
  fail "resumed epochs are not $((last + 1)) and $end: $(grep '^\[' "$WORK/out")"
[[ -s $WORK/ck/epoch_$end.bin ]] || fail "no epoch_$end.bin after resuming"
grep -qF "resuming after epoch $last" "$WORK/err" || fail "no resume note: $(cat "$WORK/err")"
expect_stdout_has 'Final evaluation (test subjects, flip test-time augmentation):'
expect_stdout_has 'Protocol #1   (MPJPE) action-wise average:'
expect_stdout_has 'Velocity      (MPJVE) action-wise average:'

# --no-final-eval leaves it out.
expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${SMALL[@]}" --epochs 1 --checkpoint '' --no-final-eval
grep -q 'Protocol' "$WORK/out" && fail "--no-final-eval still evaluated: $(cat "$WORK/out")"

# On a terminal (script gives one), the progress line: batches done / total, samples/s, loss.
if command -v script >/dev/null; then
  script -qec "'$LIFT3D' train ${DATA[*]} ${SMALL[*]} --epochs 2 --checkpoint '' --no-final-eval" /dev/null \
    >"$WORK/tty.txt" 2>&1 || fail "train on a terminal failed: $(tail -c 400 "$WORK/tty.txt")"
  tr '\r' '\n' <"$WORK/tty.txt" | grep -aqE 'training: [0-9]+/20 batches, [0-9]+ samples/s, loss [0-9.]+ mm' ||
    fail "no progress line on a terminal: $(tail -c 400 "$WORK/tty.txt")"
fi

# --stride and --dense from the command line: run.py's epoch lines (tests/fixtures/training/run_py_options,
# see training_options_test.cpp for the weights), and a dense checkpoint that lift3d eval reads with --dense.
O=$FIXTURES/training/run_py_options
RUN_PY=(--subjects-train S1,S9 --subjects-test S11 --architecture 3,3 --channels 16 --dropout 0 --batch-size 64
        --no-time --no-final-eval)
for variant in "stride:--stride 4" "dense:--dense"; do
  name=${variant%%:*}
  init=$FIXTURES/training/run_py/init.bin
  [[ $name == dense ]] && init=$O/init_dense.bin
  # shellcheck disable=SC2086
  expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${RUN_PY[@]}" --epochs 3 --checkpoint "$WORK/$name" --resume "$init" ${variant#*:}
  paste -d'\n' "$WORK/out" <(sed 's/ time [0-9.]*//' "$O/${name}_epochs.txt") | awk '
    NR % 2 == 1 { n = split($0, ours, " "); next }
    { m = split($0, theirs, " ")
      if (n != m || ours[1] != theirs[1]) { print "lines differ: " $0; bad = 1; next }
      for (i = 5; i <= n; i += 2) if ((ours[i] - theirs[i])^2 > 0.0001) { print ours[i-1] " " ours[i] " vs " theirs[i]; bad = 1 } }
    END { exit bad }' >"$WORK/cmp.txt" || fail "--$name: epoch lines differ from run.py's: $(cat "$WORK/cmp.txt")"
done
expect_exit 0 "$LIFT3D" eval "$WORK/dense/epoch_3.bin" "${DATA[@]}" --subjects-test S11 --architecture 3,3 --dense
expect_stdout_has 'Protocol #1   (MPJPE) action-wise average: 378.7 mm'

# Refusals: one line, exit 2.
expect_exit 2 "$LIFT3D" train "${DATA[@]}" --subset 0 --checkpoint ''
expect_one_line_error '--subset'
expect_exit 2 "$LIFT3D" train "${DATA[@]}" --downsample 0 --checkpoint ''
expect_one_line_error '--downsample'
finish
