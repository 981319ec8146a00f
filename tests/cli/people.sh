# People in multi-person files, with the default model: the default person, --person all (one
# sequence per person over its own frames, named person_<id>), --track, the warnings and notes, and
# the output forms (npz members, json/csv sequences with first_frame, .npy refused for several).
source "$(dirname "$0")/lib.sh" "$@"
REAL=$FIXTURES/real/alphapose/motionbert_halpe26_frames100-149_no_idx/frames100-149_alphapose-results.json

# Plausible bodies: finite, every sequence's median bone lengths human (metres), left = right.
check_bodies() {  # check_bodies FILE.npy|FILE.npz:MEMBER FRAMES [any-side]
  $PYTHON - "$@" <<'PY'
import sys
import numpy as np
path, frames = sys.argv[1], int(sys.argv[2])
symmetric = len(sys.argv) < 4
arrays = [np.load(path)] if path.endswith(".npy") else [np.load(path.split(":")[0])[path.split(":")[1]]]
assert [a.shape for a in arrays] == [(frames, 17, 3)], [a.shape for a in arrays]
# Human3.6M-17: thighs, shins, upper arms, forearms (right, left)
pairs = {"thigh": ((1, 2), (4, 5)), "shin": ((2, 3), (5, 6)), "upper arm": ((14, 15), (11, 12)),
         "forearm": ((15, 16), (12, 13))}
limits = {"thigh": (0.3, 0.6), "shin": (0.3, 0.6), "upper arm": (0.2, 0.45), "forearm": (0.15, 0.4)}
for poses in arrays:
    assert np.isfinite(poses).all()
    for bone, sides in pairs.items():
        right, left = (np.median(np.linalg.norm(poses[:, a] - poses[:, b], axis=-1)) for a, b in sides)
        low, high = limits[bone]
        assert low < right < high and low < left < high, (bone, right, left)
        assert not symmetric or abs(right - left) < 0.2 * max(right, left), (bone, right, left)
PY
}

# --- a real OpenPose folder of three seated musicians: the third shows only head and right arm ----
RAGA=$FIXTURES/real/openpose/raga_seated_musicians_3people_body25
expect_exit 0 "$LIFT3D" infer --input "$RAGA" --image-size 768x576 --person all --output "$WORK/raga.npz"
grep -qF "too little of the body is seen for 3D" "$WORK/err" && grep -qF "person_3 is skipped, the others are lifted" "$WORK/err" ||
  fail "the third musician is not reported as skipped: $(cat "$WORK/err")"
if have_numpy; then
  $PYTHON - "$WORK/raga.npz" <<'PY' || fail "--person all of the musicians"
import sys
import numpy as np
members = np.load(sys.argv[1])
assert sorted(members.files) == ["person_1", "person_1.keypoints_filled", "person_2", "person_2.keypoints_filled"], \
    members.files
PY
  check_bodies "$WORK/raga.npz:person_1" 40 || fail "first musician"
  # Bones in human ranges only: the lifted arms of this musician (knees and an ear never seen, the
  # left arm behind the instrument) differ by about a fifth, left from right.
  check_bodies "$WORK/raga.npz:person_2" 40 any-side || fail "second musician"
fi
# The third alone cannot be lifted: refused, naming what is seen.
expect_exit 1 "$LIFT3D" infer --input "$RAGA" --image-size 768x576 --track 3 --output "$WORK/third.npy"
expect_one_line_error "too little of the body is seen for 3D: only nose"
expect_no_file "$WORK/third.npy"

# --- a real AlphaPose export: one person, plus a second detection of them in one frame -----------
expect_exit 0 "$LIFT3D" infer --input "$REAL" --width 360 --height 640 --output "$WORK/real.npy"
grep -q "ambiguous" "$WORK/err" && fail "one person is not ambiguous: $(cat "$WORK/err")"
expect_exit 0 "$LIFT3D" infer --input "$REAL" --width 360 --height 640 --person all --output "$WORK/real_all.npz"
grep -qF "skipped 1 of 2 people present in fewer than 10 frames: person 2 (1 frame(s))" "$WORK/err" ||
  fail "the one-frame duplicate is not reported as skipped: $(cat "$WORK/err")"
if have_numpy; then
  check_bodies "$WORK/real.npy" 50 || fail "default person of the real file"
  check_bodies "$WORK/real_all.npz:person_1" 50 || fail "--person all of the real file"
  $PYTHON - "$WORK" <<'PY' || fail "--person all of one person differs from the default"
import sys
import numpy as np
w = sys.argv[1]
members = np.load(w + "/real_all.npz")
assert members.files == ["person_1", "person_1.keypoints_filled"], members.files
assert np.array_equal(members["person_1"], np.load(w + "/real.npy"))
PY
fi

if ! have_numpy; then finish; exit; fi

# --- two people made of the real keypoints: A as filmed, B a copy of A 640 px lower in frames
# FIRST..LAST (the image stretched to 360x1280; the model normalises by the width, so A keeps its size)
make_pair() {  # make_pair OUT FIRST LAST: writes OUT.pair.json, OUT.a_only.json, OUT.b_only.json
  $PYTHON - "$REAL" "$@" <<'PY'
import json, sys
source, out, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
entries = json.load(open(source))
a_only, b_only, both, seen = [], [], [], set()
for e in entries:
    if e["image_id"] in seen:  # the duplicate detection of image 144
        continue
    seen.add(e["image_id"])
    a_only.append(e)
    number = int(e["image_id"].split(".")[0])
    if first <= number <= last:
        lower = [v + 640 if i % 3 == 1 else v for i, v in enumerate(e["keypoints"])]
        b = dict(e, keypoints=lower, score=e["score"] * 1.1)  # B scores higher as a detection
        b_only.append(b)
        both += [e, b]
    else:
        both.append(e)
for name, data in (("pair", both), ("a_only", a_only), ("b_only", b_only)):
    json.dump(data, open(out + "." + name + ".json", "w"))
PY
}
make_pair "$WORK/late" 110 139
SIZE=(--width 360 --height 1280)

# The default lifts A, there all along (B only in 30 of the 50 frames, though with higher person
# scores): the same 3D as A alone.
expect_exit 0 "$LIFT3D" infer --input "$WORK/late.pair.json" "${SIZE[@]}" --output "$WORK/pair.npy"
[[ -s $WORK/err ]] && fail "a clear choice is not silent: $(cat "$WORK/err")"
expect_exit 0 "$LIFT3D" --verbose infer --input "$WORK/late.pair.json" "${SIZE[@]}" --output "$WORK/pair.npy"
grep -qF "lifting person 1, the most prominent of 2 people tracked: in 50 of 50 frames" "$WORK/err" ||
  fail "--verbose does not say which person: $(cat "$WORK/err")"
expect_exit 0 "$LIFT3D" infer --input "$WORK/late.a_only.json" "${SIZE[@]}" --output "$WORK/a_only.npy"
expect_exit 0 "$LIFT3D" infer --input "$WORK/late.b_only.json" "${SIZE[@]}" --output "$WORK/b_only.npy"
cmp -s "$WORK/pair.npy" "$WORK/a_only.npy" || fail "the default person of the pair is not A"

# --person all: A and B, each over its own frames, in every multi-sequence output form.
for ext in npz json csv; do
  expect_exit 0 "$LIFT3D" infer --input "$WORK/late.pair.json" "${SIZE[@]}" --person all --output "$WORK/all.$ext"
done
# (B's bones are not checked: this small model shortens the legs of people low in the image)
check_bodies "$WORK/all.npz:person_1" 50 || fail "--person all of the pair"
$PYTHON - "$WORK" <<'PY' || fail "--person all outputs"
import csv, json, sys
import numpy as np
w = sys.argv[1]
members = np.load(w + "/all.npz")
assert sorted(members.files) == ["person_1", "person_1.keypoints_filled", "person_2", "person_2.keypoints_filled"], \
    members.files
# each person's fill mask covers its own frames
assert [members[p + ".keypoints_filled"].shape[0] for p in ("person_1", "person_2")] == [50, 30]
# the same as each person alone, to float32 round-off (lifting two sequences plans threads differently)
assert np.allclose(members["person_1"], np.load(w + "/a_only.npy"), rtol=0, atol=1e-5)
assert np.allclose(members["person_2"], np.load(w + "/b_only.npy"), rtol=0, atol=1e-5)
doc = json.load(open(w + "/all.json"))
assert [(s["name"], s["first_frame"], len(s["poses"])) for s in doc["sequences"]] == \
    [("person_1", 0, 50), ("person_2", 10, 30)], [(s["name"], s["first_frame"]) for s in doc["sequences"]]
assert np.array_equal(np.array(doc["sequences"][1]["poses"], np.float32), members["person_2"])
rows = list(csv.DictReader(open(w + "/all.csv")))
frames = {}
for r in rows:
    frames.setdefault(r["sequence"], set()).add(int(r["frame"]))
assert frames == {"person_1": set(range(50)), "person_2": set(range(10, 40))}, {k: (min(v), max(v)) for k, v in frames.items()}
PY

# One .npy cannot hold two people: refused before lifting, naming them and the ways out.
expect_exit 2 "$LIFT3D" infer --input "$WORK/late.pair.json" "${SIZE[@]}" --person all --output "$WORK/x.npy"
expect_one_line_error "x.npy: a .npy output holds one sequence" "(person_1, person_2)" ".npz" "--track ID"
expect_no_file "$WORK/x.npy"
# --output-dir without --format: npz for several sequences.
mkdir -p "$WORK/dir"
expect_exit 0 "$LIFT3D" infer --input "$WORK/late.pair.json" "${SIZE[@]}" --person all --output-dir "$WORK/dir"
[[ -s $WORK/dir/late.pair.npz ]] || fail "--output-dir did not write late.pair.npz: $(ls "$WORK/dir")"

# --track: lift3d's numbers (the file has no ids); B over the whole video, held outside its frames.
expect_exit 0 "$LIFT3D" infer --input "$WORK/late.pair.json" "${SIZE[@]}" --track 2 --output "$WORK/track2.npy"
grep -qF "person 2 is present in only" "$WORK/err" && fail "30 of 50 frames (most) is warned of: $(cat "$WORK/err")"
grep -qF "filled" "$WORK/err" || fail "the frames without B are not reported as filled: $(cat "$WORK/err")"
$PYTHON -c "import numpy as np, sys; p = np.load(sys.argv[1]); assert p.shape == (50, 17, 3) and np.isfinite(p).all()" \
  "$WORK/track2.npy" || fail "--track 2"
cmp -s "$WORK/track2.npy" "$WORK/pair.npy" && fail "--track 2 lifts the default person"
expect_exit 1 "$LIFT3D" infer --input "$WORK/late.pair.json" "${SIZE[@]}" --track 7 --output "$WORK/x.npy"
expect_one_line_error "late.pair.json: no person with track id 7 (ids present: 1, 2)"
expect_exit 2 "$LIFT3D" infer --input "$WORK/late.pair.json" "${SIZE[@]}" --track 1 --person all --output "$WORK/x.npz"
expect_one_line_error "--track follows one person and --person all lifts every person"
expect_exit 2 "$LIFT3D" infer --input "$WORK/late.pair.json" "${SIZE[@]}" --person everybody --output "$WORK/x.npz"
# A VideoPose3D .npz has one person per sequence and no track ids.
expect_exit 2 "$LIFT3D" infer --input "$SOURCE/data/samples/cmu_02_06_custom.npz" --track 1 --output "$WORK/x.npy"
expect_one_line_error "cmu_02_06_custom.npz: a VideoPose3D .npz holds no track ids" "--subject/--action/--camera"

# Two people alike, both there all along: the choice is ambiguous and the warning says how to choose.
make_pair "$WORK/twin" 100 149
expect_exit 0 "$LIFT3D" infer --input "$WORK/twin.pair.json" "${SIZE[@]}" --output "$WORK/twin.npy"
grep -qF "warning: $WORK/twin.pair.json: the person to lift is ambiguous: person 1" "$WORK/err" ||
  fail "no ambiguity warning: $(cat "$WORK/err")"
grep -qF "choose one with --track 1 or --track 2, or lift everybody with --person all" "$WORK/err" ||
  fail "the warning does not say how to choose: $(cat "$WORK/err")"
finish
