# lift3d train across two processes (mpirun -np 2 on this host) against the same run in one process:
# the same epoch lines and the same final checkpoint (weights, running statistics, optimizer state and
# shuffling state) within float32 round-off; only process 0 reports and saves. The same for
# semi-supervised training (both models, both generators split, the unlabelled terms summed across the
# processes) and for the chunked full model (--stride 3, --dense, --disable-optimizations). Skipped
# (exit 77) without mpirun. A build without MPI must refuse to run as one of several
# processes; that is checked, then the rest is skipped.
source "$(dirname "$0")/lib.sh" "$@"
E=$FIXTURES/eval
R=$FIXTURES/training/run_py
DATA=(--dataset h36m --data-3d "$E/data_3d_h36m_tiny.npz" --data-2d "$E/data_2d_h36m_tiny.npz")
# Dropout on: the processes must drop exactly what one process drops. Batches of 64 examples split
# 32 + 32, and the last batch of each epoch is shorter.
TRAIN=(--subjects-train S1,S9 --subjects-test S11 --architecture 3,3 --channels 16 --dropout 0.25 --batch-size 64
       --epochs 3 --checkpoint-frequency 1 --no-time --resume "$R/init.bin")

if ! command -v mpirun >/dev/null; then
  echo "skipped: mpirun not found (scripts/setup.sh --mpi installs Open MPI)"
  exit 77
fi
# Containers: Open MPI refuses root unless told, and two processes on fewer cores need --oversubscribe.
# Its shared-memory transport's single-copy mechanism (CMA) needs ptrace rights that containers
# usually lack; plain copies work everywhere.
MPIRUN=(mpirun --oversubscribe -np 2)
MPIRUN3=(mpirun --oversubscribe -np 3)
if [[ $(id -u) == 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OPENBLAS_NUM_THREADS=1

# compare_epoch_lines OURS THEIRS WHAT: the same epochs and fields, every value within 0.01 of the
# single process's (3D losses of hundreds of mm; the 2D ones, about 0.4, printed to 1e-6).
compare_epoch_lines() {
  paste -d'\n' "$1" "$2" | awk '
    NR % 2 == 1 { n = split($0, ours, " "); next }
    { m = split($0, theirs, " ")
      if (n != m || ours[1] != theirs[1] || ours[3] != theirs[3]) { print "lines differ: " $0; bad = 1; next }
      for (i = 5; i <= n; i += 2) if (ours[i-1] != theirs[i-1] || (ours[i] - theirs[i])^2 > 0.0001) { print ours[1] " " ours[i-1] " " ours[i] " vs " theirs[i]; bad = 1 } }
    END { exit bad }' >"$WORK/diff.txt" || fail "$3: epoch lines differ from one process's: $(cat "$WORK/diff.txt")"
}

# compare_checkpoints ONE TWO WHAT: the same checkpoint: both are written by lift3d in the same layout,
# so storage N of one is storage N of the other; float32 storages within 1e-5 (weights, running
# statistics, Adam's moments), everything else (the pickled epoch, lr and RandomStates, step counts,
# num_batches_tracked) identical.
compare_checkpoints() {
  $PYTHON - "$1" "$2" >"$WORK/py.txt" 2>&1 <<'PY' || fail "$3: checkpoints differ: $(cat "$WORK/py.txt")"
import collections, pickle, sys, zipfile, numpy as np

class Storages(pickle.Unpickler):  # data.pkl without torch: which storage holds which type
    types = {}
    def find_class(self, module, name):
        if module == 'torch._utils' and name == '_rebuild_tensor_v2': return lambda *args: None
        if module == 'torch': return name
        return super().find_class(module, name)
    def persistent_load(self, pid):  # ('storage', type, key, location, count)
        Storages.types[str(pid[2])] = pid[1]

def entries(path):
    z = zipfile.ZipFile(path)
    return {n.split('/', 1)[1]: z.read(n) for n in z.namelist()}

one, two = entries(sys.argv[1]), entries(sys.argv[2])
assert sorted(one) == sorted(two), 'different entries'
assert one['data.pkl'] == two['data.pkl'], 'data.pkl differs (epoch, lr, RandomState or layout)'
Storages(__import__('io').BytesIO(one['data.pkl'])).load()
worst, floats = 0.0, 0
for name in sorted(one):
    if one[name] == two[name]: continue
    kind = Storages.types.get(name[len('data/'):]) if name.startswith('data/') else None
    assert kind == 'FloatStorage' and len(one[name]) == len(two[name]), '%s (%s) differs' % (name, kind)
    x, y = np.frombuffer(one[name], np.float32), np.frombuffer(two[name], np.float32)
    worst = max(worst, float(np.max(np.abs(x.astype(np.float64) - y))))
    floats += 1
assert len(Storages.types) > 20, 'storages not found in data.pkl: %s' % Storages.types
assert worst <= 1e-5, 'largest difference %g' % worst
print('%d storages, %d float32 ones differing in round-off, largest difference %.2g' % (len(Storages.types), floats, worst))
PY
  cat "$WORK/py.txt"
}

expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${TRAIN[@]}" --checkpoint "$WORK/one"
grep '^\[' "$WORK/out" >"$WORK/one.txt"
sed -n '/^Final evaluation/,$p' "$WORK/out" >"$WORK/one_final.txt"
[[ $(wc -l <"$WORK/one.txt") == 3 ]] || fail "expected 3 epoch lines in one process: $(cat "$WORK/out")"

"${MPIRUN[@]}" "$LIFT3D" train "${DATA[@]}" "${TRAIN[@]}" --checkpoint "$WORK/two" >"$WORK/out" 2>"$WORK/err"
status=$?
if grep -q 'built without MPI' "$WORK/err"; then
  [[ $status != 0 ]] || fail "a build without MPI ran as one of 2 processes"
  grep -q '^lift3d: error: started as one of 2 processes (mpirun), but this lift3d was built without MPI' "$WORK/err" ||
    fail "no refusal naming the build without MPI: $(cat "$WORK/err")"
  ((failures)) && finish
  echo "skipped: this lift3d was built without MPI (its refusal under mpirun checked)"
  exit 77
fi
[[ $status == 0 ]] || fail "mpirun -np 2 exited $status: $(head -c 1500 "$WORK/err")"
grep '^\[' "$WORK/out" >"$WORK/two.txt"

# Only process 0 prints the epoch lines, the end-of-run evaluation and the notes, and writes the
# checkpoints; its evaluation is the single process's (the final weights agree to round-off, and the
# table shows 3 decimals of mm).
[[ $(wc -l <"$WORK/two.txt") == 3 ]] || fail "expected 3 epoch lines from 2 processes: $(cat "$WORK/out")"
[[ $(grep -c '^Final evaluation' "$WORK/out") == 1 ]] || fail "expected one end-of-run evaluation: $(cat "$WORK/out")"
grep -q 'action-wise average' "$WORK/one_final.txt" || fail "no end-of-run evaluation in one process"
sed -n '/^Final evaluation/,$p' "$WORK/out" | diff - "$WORK/one_final.txt" >"$WORK/final.diff" ||
  fail "2 processes' end-of-run evaluation differs from one's: $(cat "$WORK/final.diff")"
[[ $(grep -c 'receptive field' "$WORK/err") == 1 ]] || fail "notes not from process 0 alone: $(cat "$WORK/err")"
grep -q 'training in 2 processes' "$WORK/err" || fail "no note of the 2 processes: $(cat "$WORK/err")"
for e in 1 2 3; do [[ -s $WORK/two/epoch_$e.bin ]] || fail "no checkpoint epoch_$e.bin from 2 processes"; done

# The same epoch lines: every loss within 0.01 mm (losses of hundreds of mm).
compare_epoch_lines "$WORK/two.txt" "$WORK/one.txt" "2 processes"

# The same final checkpoint.
compare_checkpoints "$WORK/one/epoch_3.bin" "$WORK/two/epoch_3.bin" "2 processes"

# Semi-supervised training (tests/cli/train_semi.sh's run from run.py's starting checkpoint, dropout on):
# 3 epochs, the first a warm-up; both models and both generators split 25 + 25 (S1's last labelled
# batch and S9's unlabelled ones split too, the unlabelled stream running on across the epochs).
S=$FIXTURES/training/run_py_semi
SEMI=(--subjects-train S1 --subjects-unlabeled S9 --subjects-test S11 --architecture 3,3 --channels 16 --dropout 0.25
      --batch-size 50 --epochs 3 --checkpoint-frequency 1 --no-time --resume "$S/init.bin")
expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${SEMI[@]}" --checkpoint "$WORK/semi_one"
grep '^\[' "$WORK/out" >"$WORK/semi_one.txt"
sed -n '/^Final evaluation/,$p' "$WORK/out" >"$WORK/semi_one_final.txt"
[[ $(wc -l <"$WORK/semi_one.txt") == 3 ]] || fail "semi-supervised: expected 3 epoch lines in one process: $(cat "$WORK/out")"
grep -q 'action-wise average' "$WORK/semi_one_final.txt" || fail "semi-supervised: no end-of-run evaluation in one process"

"${MPIRUN[@]}" "$LIFT3D" train "${DATA[@]}" "${SEMI[@]}" --checkpoint "$WORK/semi_two" >"$WORK/out" 2>"$WORK/err"
status=$?
[[ $status == 0 ]] || fail "semi-supervised: mpirun -np 2 exited $status: $(head -c 1500 "$WORK/err")"
grep '^\[' "$WORK/out" >"$WORK/semi_two.txt"
[[ $(wc -l <"$WORK/semi_two.txt") == 3 ]] || fail "semi-supervised: expected 3 epoch lines from 2 processes: $(cat "$WORK/out")"
# run.py's semi-supervised lines (19 fields without the time), finite.
awk 'NF != 19 || /nan|inf/ { bad = 1 } END { exit bad }' "$WORK/semi_two.txt" ||
  fail "semi-supervised: not run.py's semi-supervised lines of finite losses: $(cat "$WORK/semi_two.txt")"
compare_epoch_lines "$WORK/semi_two.txt" "$WORK/semi_one.txt" "semi-supervised, 2 processes"
[[ $(grep -c '^Final evaluation' "$WORK/out") == 1 ]] || fail "semi-supervised: expected one end-of-run evaluation: $(cat "$WORK/out")"
sed -n '/^Final evaluation/,$p' "$WORK/out" | diff - "$WORK/semi_one_final.txt" >"$WORK/final.diff" ||
  fail "semi-supervised: 2 processes' end-of-run evaluation differs from one's: $(cat "$WORK/final.diff")"
[[ $(grep -c 'semi-supervision on 572 frames of S9' "$WORK/err") == 1 ]] ||
  fail "semi-supervised: notes not from process 0 alone: $(cat "$WORK/err")"
grep -q 'training in 2 processes' "$WORK/err" || fail "semi-supervised: no note of the 2 processes: $(cat "$WORK/err")"
for e in 1 2 3; do [[ -s $WORK/semi_two/epoch_$e.bin ]] || fail "semi-supervised: no checkpoint epoch_$e.bin from 2 processes"; done
# Both models, the one Adam over both, and both generators' RandomStates.
compare_checkpoints "$WORK/semi_one/epoch_3.bin" "$WORK/semi_two/epoch_3.bin" "semi-supervised, 2 processes"

# Three processes, batches of 100 (S1's 88 labelled examples in one batch split 29 + 29 + 30, S9's
# 1144 unlabelled ones in 12, the last of 44 shorter than the labelled batch), 13 epochs, so that the
# unlabelled stream runs out after the 12th and starts a new permutation, as run.py's endless generator.
semi_case() {  # NAME MPIRUN-ARRAY-NAME EPOCHS OPTIONS...: mpirun against one process
  local name=$1 epochs=$3
  local -n launcher=$2
  local processes=${launcher[-1]}  # the arrays end with -np N
  shift 3
  local options=(--subjects-train S1 --subjects-unlabeled S9 --subjects-test S11 --architecture 3,3 --channels 16
                 --dropout 0.25 --epochs "$epochs" --checkpoint-frequency "$epochs" --no-time --no-final-eval
                 --resume "$S/init.bin" "$@")
  expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${options[@]}" --checkpoint "$WORK/${name}_one"
  cp "$WORK/out" "$WORK/${name}_one.txt"
  "${launcher[@]}" "$LIFT3D" train "${DATA[@]}" "${options[@]}" --checkpoint "$WORK/${name}_many" >"$WORK/out" 2>"$WORK/err"
  status=$?
  [[ $status == 0 ]] || fail "$name: mpirun -np $processes exited $status: $(head -c 1500 "$WORK/err")"
  [[ $(wc -l <"$WORK/out") == "$epochs" ]] || fail "$name: expected $epochs epoch lines from mpirun: $(cat "$WORK/out")"
  awk 'NF != 19 || /nan|inf/ { bad = 1 } END { exit bad }' "$WORK/out" ||
    fail "$name: not run.py's semi-supervised lines of finite losses: $(cat "$WORK/out")"
  grep -q "training in $processes processes" "$WORK/err" || fail "$name: no note of the $processes processes: $(cat "$WORK/err")"
  compare_epoch_lines "$WORK/out" "$WORK/${name}_one.txt" "$name"
  compare_checkpoints "$WORK/${name}_one/epoch_$epochs.bin" "$WORK/${name}_many/epoch_$epochs.bin" "$name"
}
semi_case semi3 MPIRUN3 13 --batch-size 100 --warmup 2

# The chunked full model (run.py's TemporalModel for --stride > 1, --dense, --disable-optimizations):
# each process takes its share of every batch of chunks. --stride 3 from run.py's starting checkpoint
# with the end-of-run evaluation; --dense over 3 processes with batches of 45 (15 + 15 + 15 chunks,
# the last batch shorter); --disable-optimizations with a causal model.
CHUNKED=(--subjects-train S1,S9 --subjects-test S11 --architecture 3,3 --channels 16 --dropout 0.25 --epochs 3
         --checkpoint-frequency 3 --no-time)
chunked_case() {  # NAME MPIRUN-ARRAY-NAME OPTIONS...
  local name=$1 launcher=$2[@]
  shift 2
  expect_exit 0 "$LIFT3D" train "${DATA[@]}" "${CHUNKED[@]}" "$@" --checkpoint "$WORK/${name}_one"
  grep '^\[' "$WORK/out" >"$WORK/${name}_one.txt"
  sed -n '/^Final evaluation/,$p' "$WORK/out" >"$WORK/${name}_one_final.txt"
  [[ $(wc -l <"$WORK/${name}_one.txt") == 3 ]] || fail "$name: expected 3 epoch lines in one process: $(cat "$WORK/out")"
  "${!launcher}" "$LIFT3D" train "${DATA[@]}" "${CHUNKED[@]}" "$@" --checkpoint "$WORK/${name}_many" >"$WORK/out" 2>"$WORK/err"
  status=$?
  [[ $status == 0 ]] || fail "$name: mpirun exited $status: $(head -c 1500 "$WORK/err")"
  grep '^\[' "$WORK/out" >"$WORK/${name}_many.txt"
  sed -n '/^Final evaluation/,$p' "$WORK/out" >"$WORK/${name}_many_final.txt"
  [[ $(wc -l <"$WORK/${name}_many.txt") == 3 ]] || fail "$name: expected 3 epoch lines from mpirun: $(cat "$WORK/out")"
  grep -q 'training in [23] processes' "$WORK/err" || fail "$name: no note of the processes: $(cat "$WORK/err")"
  compare_epoch_lines "$WORK/${name}_many.txt" "$WORK/${name}_one.txt" "$name"
  compare_checkpoints "$WORK/${name}_one/epoch_3.bin" "$WORK/${name}_many/epoch_3.bin" "$name"
}
chunked_case stride3 MPIRUN --batch-size 64 --stride 3 --resume "$R/init.bin"
# The end-of-run evaluation: the same table, every value within one unit of its last printed digit.
# Not identical text: the final weights agree within 2e-7, but a value can lie on a rounding boundary
# (here Directions' MPJPE, 322.5155 mm: 322.515 from 2 processes, 322.516 from one; one process with 2
# BLAS threads instead of 1 prints 322.515 too).
grep -q 'action-wise average' "$WORK/stride3_one_final.txt" || fail "stride3: no end-of-run evaluation in one process"
paste -d'\n' "$WORK/stride3_many_final.txt" "$WORK/stride3_one_final.txt" | awk '
  function unit(v) { return index(v, ".") ? 10 ^ -(length(v) - index(v, ".")) : 1 }
  NR % 2 == 1 { n = split($0, ours, " "); next }
  { m = split($0, theirs, " ")
    if (n != m) { print "lines differ: " $0; bad = 1; next }
    for (i = 1; i <= n; i++) {
      if (ours[i] == theirs[i]) continue
      numeric = ours[i] ~ /^-?[0-9]+(\.[0-9]+)?$/ && theirs[i] ~ /^-?[0-9]+(\.[0-9]+)?$/
      d = ours[i] - theirs[i]; if (d < 0) d = -d
      if (!numeric || unit(ours[i]) != unit(theirs[i]) || d > 1.01 * unit(theirs[i])) { print ours[i] " vs " theirs[i] " in: " $0; bad = 1 } } }
  END { if (NR == 0 || NR % 2) bad = 1; exit bad }' >"$WORK/final.diff" ||
  fail "stride3: the end-of-run evaluation differs from one process's: $(cat "$WORK/final.diff")"
chunked_case dense MPIRUN3 --batch-size 45 --dense --no-final-eval
chunked_case full_causal MPIRUN --batch-size 64 --disable-optimizations --causal --no-final-eval --resume "$R/init.bin"

# Semi-supervised training on chunks, both models in the full form: each process takes its share of
# every labelled and every unlabelled batch of chunks. --stride 3 from run.py's starting checkpoint
# (16 chunks of each kind a batch, split 8 + 8), --disable-optimizations --causal over 3 processes
# (50 examples of each kind, split 16 + 17 + 17). Both start from run.py's checkpoint, whose trajectory
# model stands 5 m ahead of the cameras: from torch's initialisation (near depth 0, as a --dense run
# would have to start, the checkpoint's kernels being the dilated ones) the reprojection's 1/z terms
# make the run depend on the order of sums (tools/make_semi_run_fixtures.py), for one process too.
semi_case semi_stride3 MPIRUN 3 --batch-size 50 --stride 3
semi_case semi_full_causal MPIRUN3 3 --batch-size 50 --disable-optimizations --causal --warmup 0
finish
