# lift3d eval end to end against the numbers run.py --evaluate produces for the same files
# (tests/fixtures/eval, written by tools/make_eval_fixtures.py): every group and every average within
# 0.001 mm, the printed rounded averages verbatim, reports, the --max-mpjpe gate and the error contract.
source "$(dirname "$0")/lib.sh" "$@"
[[ $LIFT3D == /* ]] || LIFT3D=$PWD/$LIFT3D
cd "$FIXTURES" || exit 1  # the expected files name their inputs relative to tests/fixtures
E=eval
have_python() { [[ -x $PYTHON ]] && $PYTHON -c 'import json' 2>/dev/null; }

# run_scenario NAME LIFT3D-EVAL-ARGS...: the arguments must be the expected file's "command".
scenarios=()
run_scenario() {
  local name=$1; shift
  scenarios+=("$name")
  printf '%s\n' "$@" >"$WORK/$name.args"
  expect_exit 0 "$LIFT3D" "$@" --report-json "$WORK/$name.json" --report-md "$WORK/$name.md"
  cp "$WORK/out" "$WORK/$name.out"
  # Without Python: each printed average line must still be one of the expected lines.
  grep 'action-wise average' "$WORK/$name.out" >"$WORK/$name.printed" ||
    fail "$name: no average lines printed"
  while IFS= read -r line; do
    grep -qF -- "\"$line\"" "$E/expected_$name.json" || fail "$name: printed '$line' is not run.py's"
  done <"$WORK/$name.printed"
  [[ -s $WORK/$name.md ]] || fail "$name: --report-md wrote nothing"
  grep -qF '| Protocol #1 (MPJPE) |' "$WORK/$name.md" || fail "$name: markdown report lacks the MPJPE row"
}

H3D=(--dataset h36m --data-3d $E/data_3d_h36m_tiny.npz)
H2D=(--data-2d $E/data_2d_h36m_tiny.npz)
C2D=(--data-2d $E/data_2d_h36m_tiny_coco.npz)
HE=(--dataset humaneva15 --data-3d $E/data_3d_humaneva15_tiny.npz --data-2d $E/data_2d_humaneva15_tiny.npz)

run_scenario h36m_arc353_tta eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}"
run_scenario h36m_arc353_notta eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --no-tta
run_scenario h36m_arc3333_causal eval model/arc3333_causal_zip.bin "${H3D[@]}" "${H2D[@]}" --causal
run_scenario h36m_arc353_actions eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --actions Walk,Sit
run_scenario h36m_arc353_by_subject eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --by-subject
# S9 has no Eating: run.py still reports S9, with NaN averages.
run_scenario h36m_arc353_by_subject_eat eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --by-subject \
  --actions Eat
run_scenario h36m_arc353_s11_s9 eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --subjects-test S11,S9
run_scenario h36m_arc3_single eval model/arc3_single_zip.bin "${H3D[@]}" "${H2D[@]}" --by-subject --no-tta
run_scenario h36m_coco_dense333 eval model/dense333_zip.bin "${H3D[@]}" "${C2D[@]}" --dense
run_scenario h36m_coco_arc333 eval model/arc333_zip.bin "${H3D[@]}" "${C2D[@]}" --subjects-test S9 \
  --actions Dir,Walking --no-tta
run_scenario h36m_coco_arc5333 eval model/arc5333_zip.bin "${H3D[@]}" "${C2D[@]}"
run_scenario humaneva15_arc33_he15_tta eval model/arc33_he15_zip.bin "${HE[@]}"
run_scenario humaneva15_arc33_he15_by_subject eval model/arc33_he15_zip.bin "${HE[@]}" --by-subject
run_scenario humaneva15_arc33_he15_actions eval model/arc33_he15_zip.bin "${HE[@]}" --actions Walk,Jog
# A one-frame video: run.py's velocity error is NaN there and in the average (JSON null, printed "nan").
SMALL=(--dataset h36m --data-3d $E/data_3d_h36m_small.npz)
run_scenario h36m_small_single_frame eval model/arc353_zip.bin "${SMALL[@]}" \
  --data-2d $E/data_2d_h36m_small.npz \
  --subjects-test S9

if have_python; then
  $PYTHON - "$WORK" "$E" "${scenarios[@]}" <<'PY' || fail "reports differ from run.py --evaluate"
import json
import sys

work, expected_dir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
TOLERANCE_MM = 0.001
METRICS = ("mpjpe", "p_mpjpe", "n_mpjpe", "mpjve")
problems = []
worst = dict.fromkeys(METRICS, 0.0)


def close(metric, ours, theirs):
    """Within the tolerance; null (NaN: no velocity in a one-frame video) only where run.py has NaN."""
    if ours is None or theirs is None:
        return ours is None and theirs is None
    worst[metric] = max(worst[metric], abs(ours - theirs))
    return abs(ours - theirs) <= TOLERANCE_MM


for name in names:
    expected = json.load(open("%s/expected_%s.json" % (expected_dir, name)))
    ours = json.load(open("%s/%s.json" % (work, name)))
    args = open("%s/%s.args" % (work, name)).read().splitlines()
    if args != expected["command"]:
        problems.append("%s: ran %s, expected file is for %s" % (name, args, expected["command"]))
    if ours["units"] != "mm" or ours["tta"] != expected["tta"] or ours["causal"] != expected["causal"]:
        problems.append("%s: units/tta/causal %s %s %s" % (name, ours["units"], ours["tta"], ours["causal"]))
    got = [(g["subject"], g["action"]) for g in ours["groups"]]
    want = [(g["subject"], g["action"]) for g in expected["groups"]]
    if got != want:
        problems.append("%s: groups %s, run.py has %s" % (name, got, want))
        continue
    for g, e in zip(ours["groups"], expected["groups"]):
        where = "%s %s/%s" % (name, e["subject"], e["action"])
        # lift3d's "sequences" counts videos (camera views), as the reference's evaluate() loop does.
        if g["frames"] != e["frames"] or g["sequences"] != e["videos"]:
            problems.append("%s: frames/videos %s/%s, run.py %s/%s" % (where, g["frames"], g["sequences"],
                                                                        e["frames"], e["videos"]))
        for k in METRICS:
            if not close(k, g[k], e[k]):
                problems.append("%s: %s %r, run.py %r" % (where, k, g[k], e[k]))
    if [a["subject"] for a in ours["averages"]] != [a["subject"] for a in expected["averages"]]:
        problems.append("%s: average subjects %s" % (name, [a["subject"] for a in ours["averages"]]))
    else:
        for a, e in zip(ours["averages"], expected["averages"]):
            for k in METRICS:
                if not close(k, a[k], e[k]):
                    problems.append("%s average %s: %s %r, run.py %r" % (name, e["subject"], k, a[k], e[k]))
    printed = open("%s/%s.printed" % (work, name)).read().splitlines()
    if printed != expected["printed"]:
        problems.append("%s: printed %s, run.py printed %s" % (name, printed, expected["printed"]))
print("eval: max |lift3d - run.py| in mm: " + ", ".join("%s %.2e" % (k, v) for k, v in worst.items()))
for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
fi

# The thread count changes nothing: videos run in parallel, results are aggregated in order.
for n in 1 3; do
  expect_exit 0 "$LIFT3D" eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --threads $n \
    --report-json "$WORK/t$n.json"
done
cmp -s "$WORK/t1.json" "$WORK/t3.json" || fail "--threads 1 and --threads 3 reports differ"

# --cameras: the built-in table given as a file (its shared layout) or as self-contained rigs gives
# the same report bit for bit; a rig that differs (S9's camera 0 reports a 1200-pixel-wide image, so
# its 2D is normalised differently) changes S9's numbers, and only S9's.
for cams in "$SOURCE/data/cameras/h36m.json" cameras/h36m_own_rigs.json; do
  expect_exit 0 "$LIFT3D" eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --threads 1 --cameras "$cams" \
    --report-json "$WORK/cams.json"
  cmp -s "$WORK/t1.json" "$WORK/cams.json" || fail "--cameras $cams: the report differs from the built-in table's"
done
for cams in "" cameras/h36m_s9_wide.json; do
  expect_exit 0 "$LIFT3D" eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --by-subject ${cams:+--cameras "$cams"}
  grep 'action-wise average' "$WORK/out" >"$WORK/by_subject${cams:+_wide}.txt"
done
[[ $(sed -n 1,4p "$WORK/by_subject.txt") != $(sed -n 1,4p "$WORK/by_subject_wide.txt") ]] ||
  fail "--cameras with a wider S9 camera 0 left S9's averages unchanged"
[[ $(sed -n '5,$p' "$WORK/by_subject.txt") == $(sed -n '5,$p' "$WORK/by_subject_wide.txt") ]] ||
  fail "--cameras with a wider S9 camera 0 changed S11's averages"
# A camera file replaces the table for every subject: one without S9 and S11 cannot serve.
printf '{"extrinsics": {"R1": [{"id": "a", "res_w": 1000, "res_h": 1000, "orientation": [1, 0, 0, 0], "translation": [0, 0, 0]}]}}' \
  >"$WORK/rig.json"
expect_exit 1 "$LIFT3D" eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --cameras "$WORK/rig.json"
expect_one_line_error "rig.json: no cameras for subject" "has: R1"

# --max-mpjpe gates on the action-wise average MPJPE: exit 3 above it (reports still written), 0 at or below.
limit_below=0
limit_above=1e9
if have_python; then
  read -r limit_below limit_above < <($PYTHON -c '
import json, sys
mpjpe = json.load(open(sys.argv[1]))["averages"][0]["mpjpe"]
print(mpjpe - 0.01, mpjpe + 0.01)' "$E/expected_h36m_arc353_tta.json")
fi
expect_exit 3 "$LIFT3D" eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --max-mpjpe "$limit_below" \
  --report-json "$WORK/gate.json"
grep -qF -- '--max-mpjpe' "$WORK/err" || fail "exit 3 without a message naming --max-mpjpe: $(<"$WORK/err")"
[[ -s $WORK/gate.json ]] || fail "no report written when the gate fails"
expect_stdout_has 'Protocol #1   (MPJPE) action-wise average:'
expect_exit 0 "$LIFT3D" eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --max-mpjpe "$limit_above"

# Error contract: one line, exit 2 for usage, 1 for data files that break run.py's assertions.
expect_exit 2 "$LIFT3D" eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --subjects-test S9,S7 \
  --report-json "$WORK/none.json"
expect_one_line_error "'S7'"
expect_no_file "$WORK/none.json"
expect_exit 2 "$LIFT3D" eval model/arc353_zip.bin "${H3D[@]}" "${H2D[@]}" --actions Jumping
expect_one_line_error "Jumping"

# The bad 2D files differ from data_2d_h36m_small.npz (evaluated above) only by their defect.
SMALL+=(--subjects-test S9)
# A mocap sequence without 2D, of a test subject or of any other subject (run.py asserts both).
expect_exit 1 "$LIFT3D" eval model/arc353_zip.bin "${SMALL[@]}" \
  --data-2d $E/bad_data_2d_h36m_small_missing_action.npz \
  --report-json "$WORK/none.json"
expect_one_line_error "bad_data_2d_h36m_small_missing_action.npz" "Eating"
expect_no_file "$WORK/none.json"
expect_exit 1 "$LIFT3D" eval model/arc353_zip.bin "${SMALL[@]}" \
  --data-2d $E/bad_data_2d_h36m_small_missing_train_action.npz
expect_one_line_error "bad_data_2d_h36m_small_missing_train_action.npz" "S1" "Walking"
# 2D shorter than the mocap (camera 2 of S9/Walking 1).
expect_exit 1 "$LIFT3D" eval model/arc353_zip.bin "${SMALL[@]}" --data-2d $E/bad_data_2d_h36m_small_short.npz
expect_one_line_error "bad_data_2d_h36m_small_short.npz" "Walking 1"
# A model for the other skeleton.
expect_exit 1 "$LIFT3D" eval model/arc353_zip.bin "${HE[@]}"
expect_one_line_error "arc353_zip.bin"
finish
