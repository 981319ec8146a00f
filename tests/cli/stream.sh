# lift3d stream: a real sequence piped as JSON lines gives what infer gives on the whole file (to
# float32 round-off) for a symmetric model, a causal one and one with a trajectory model, with
# flip TTA; several tracks; bad lines; --max-delay; --follow on a directory filled while it runs;
# frames come out as soon as they are due; --frame world (by its running-floor rule); normalised
# --coordinates; SIGINT (--follow) and SIGTERM (stdin) flush every frame given.
source "$(dirname "$0")/lib.sh" "$@"
M=$FIXTURES/model
SAMPLE=$SOURCE/data/samples/cmu_02_06_coco.json
have_numpy || { echo "skipped: numpy missing"; exit 0; }
TO="timeout 120"

# The sample (500 frames, 17 COCO keypoints, 1000x1002 pixels) as JSON lines, frame numbers 0..499;
# also its frames 100..299 as a second person (lift3d JSON, for infer) and the two interleaved.
$PYTHON - "$SAMPLE" "$WORK" <<'PY'
import json, sys
sample, work = sys.argv[1], sys.argv[2]
doc = json.load(open(sample))
kps = doc["keypoints"]
with open(work + "/frames.ndjson", "w") as f:
    for t, k in enumerate(kps):
        f.write(json.dumps({"frame": t, "keypoints": k}) + "\n")
second = dict(doc, keypoints=kps[100:300])
json.dump(second, open(work + "/second.json", "w"))
first = dict(doc, keypoints=kps[:200])
json.dump(first, open(work + "/first.json", "w"))
with open(work + "/tracks.ndjson", "w") as f:
    for t in range(200):
        f.write(json.dumps({"frame": t, "track": 1, "keypoints": kps[t]}) + "\n")
        f.write(json.dumps({"frame": t, "track": "b", "keypoints": kps[100 + t]}) + "\n")
PY

# compare OUT.ndjson REFERENCE.npy [TRACK]: every frame, in order, within 1e-5 m.
compare() {
  $PYTHON - "$@" <<'PY'
import json, sys
import numpy as np
out, ref = sys.argv[1], np.load(sys.argv[2])
track = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
lines = [json.loads(l) for l in open(out)]
lines = [l for l in lines if l.get("track") == track]
assert len(lines) == len(ref), (len(lines), len(ref))
frames = [l["frame"] for l in lines]
assert frames == sorted(frames) and len(set(frames)) == len(frames), "frames out of order"
got = np.array([l["joints"] for l in lines], dtype=np.float32)
assert got.shape == ref.shape, (got.shape, ref.shape)
diff = np.abs(got - ref).max()
assert diff <= 1e-5, diff
print(f"{len(lines)} frames, max difference {diff:.2e} m")
PY
}

# Symmetric default model (81 frames), flip TTA: equal to infer, delay 40 frames then the flush.
expect_exit 0 "$LIFT3D" infer --input "$SAMPLE" --output "$WORK/default.npy"
$TO "$LIFT3D" stream --image-size 1000x1002 --fps 50 <"$WORK/frames.ndjson" >"$WORK/default.ndjson" 2>"$WORK/err" ||
  fail "stream (default model) failed: $(cat "$WORK/err")"
compare "$WORK/default.ndjson" "$WORK/default.npy" || fail "default model: stream differs from infer"
grep -q "symmetric model, receptive field 81 frames: each frame's 3D is written when the frame 40 later arrives (0.8 s at 50 fps)" "$WORK/err" ||
  fail "the delay note is missing: $(cat "$WORK/err")"
$PYTHON - "$WORK/default.ndjson" <<'PY' || fail "default model: delays or padding wrong"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
for t, l in enumerate(lines):
    assert l["delay_frames"] == min(40, 499 - t), (t, l["delay_frames"])
    assert l["padded_frames"] == max(0, t + 40 - 499), (t, l["padded_frames"])
    assert len(l["joints"]) == 17 and "filled" not in l and "track" not in l
PY

# Causal model (h36m input layout, 81 frames): delay 0, equal to infer.
expect_exit 0 "$LIFT3D" infer "$M/arc3333_causal_zip.bin" --causal --layout h36m --input "$SAMPLE" --output "$WORK/causal.npy"
$TO "$LIFT3D" stream "$M/arc3333_causal_zip.bin" --causal --layout h36m --image-size 1000x1002 <"$WORK/frames.ndjson" \
  >"$WORK/causal.ndjson" 2>"$WORK/err" || fail "stream (causal) failed: $(cat "$WORK/err")"
compare "$WORK/causal.ndjson" "$WORK/causal.npy" || fail "causal model: stream differs from infer"
grep -q "causal model, receptive field 81 frames: each frame's 3D is written as soon as the frame arrives" "$WORK/err" ||
  fail "causal delay note missing: $(cat "$WORK/err")"
grep -q '"delay_frames":[1-9]' "$WORK/causal.ndjson" && fail "a causal frame came late"

# A model with a trajectory model (root position added), with and without TTA.
for tta in "" --no-tta; do
  expect_exit 0 "$LIFT3D" infer "$M/arc333_zip.bin" $tta --input "$SAMPLE" --output "$WORK/traj.npy"
  $TO "$LIFT3D" stream "$M/arc333_zip.bin" $tta --width 1000 --height 1002 <"$WORK/frames.ndjson" \
    >"$WORK/traj.ndjson" 2>"$WORK/err" || fail "stream (trajectory $tta) failed: $(cat "$WORK/err")"
  compare "$WORK/traj.ndjson" "$WORK/traj.npy" || fail "trajectory model $tta: stream differs from infer"
done

# Several tracks, interleaved line by line: each equals infer on its own frames.
expect_exit 0 "$LIFT3D" infer --input "$WORK/first.json" --output "$WORK/first.npy"
expect_exit 0 "$LIFT3D" infer --input "$WORK/second.json" --output "$WORK/second.npy"
$TO "$LIFT3D" stream --image-size 1000x1002 <"$WORK/tracks.ndjson" >"$WORK/tracks.out" 2>"$WORK/err" ||
  fail "stream (tracks) failed: $(cat "$WORK/err")"
compare "$WORK/tracks.out" "$WORK/first.npy" 1 || fail "track 1 differs from infer"
compare "$WORK/tracks.out" "$WORK/second.npy" '"b"' || fail "track b differs from infer"

# A track silent for more than --track-timeout (30) frames ends: its waiting frames come out when
# the newer frame arrives, lifted as infer lifts its frames alone. Numbers that skip: one warning.
$PYTHON - "$SAMPLE" "$WORK" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
kps = doc["keypoints"]
json.dump(dict(doc, keypoints=kps[:100]), open(sys.argv[2] + "/a.json", "w"))
json.dump(dict(doc, keypoints=kps[200:300]), open(sys.argv[2] + "/b.json", "w"))
with open(sys.argv[2] + "/timeout.ndjson", "w") as f:
    for t in range(100):
        f.write(json.dumps({"frame": t, "track": "a", "keypoints": kps[t]}) + "\n")
    for t in range(100):
        f.write(json.dumps({"frame": 200 + 2 * t, "track": "b", "keypoints": kps[200 + t]}) + "\n")
PY
expect_exit 0 "$LIFT3D" infer --input "$WORK/a.json" --output "$WORK/a.npy"
expect_exit 0 "$LIFT3D" infer --input "$WORK/b.json" --output "$WORK/b.npy"
$TO "$LIFT3D" stream --image-size 1000x1002 <"$WORK/timeout.ndjson" >"$WORK/timeout.out" 2>"$WORK/err" ||
  fail "track timeout: $(cat "$WORK/err")"
compare "$WORK/timeout.out" "$WORK/a.npy" '"a"' || fail "ended track a differs from infer"
compare "$WORK/timeout.out" "$WORK/b.npy" '"b"' || fail "track b differs from infer"
$PYTHON - "$WORK/timeout.out" <<'PY' || fail "track a was not ended when b's first frame came"
import json, sys
tracks = [json.loads(l)["track"] for l in open(sys.argv[1])]
assert tracks == ["a"] * 100 + ["b"] * 100, tracks[95:105]
PY
[[ $(grep -c 'frame numbers of track "b" skip (200 -> 202)' "$WORK/err") == 1 ]] || fail "skip not warned once: $(cat "$WORK/err")"

# Bad lines: each skipped with one warning naming its line, the others lifted as if they were not
# there; exit code 4. A 2 MB line is refused (the bound is 1 MiB).
$PYTHON - "$WORK" <<'PY'
import sys
work = sys.argv[1]
lines = open(work + "/frames.ndjson").read().splitlines(True)
bad = {
    10: "not json at all\n",
    20: '{"frame": 5, "keypoints": [[1, 2, 1]]}\n',  # 1 keypoint
    30: "[" * 100000 + "\n",
    40: '{"frame": 41, "keypoints": ' + "[" * 3 + "1" + "]" * 3 + "}\n",
    50: '{"frame": 3, "keypoints": ' + lines[0].split('"keypoints": ')[1],  # goes back
    60: '{"frame": 61, "keypoints": [' + "1," * 1000000 + '1]}\n',
    70: "\n",  # blank: ignored
}
out = []
for i, line in enumerate(lines):
    if i in bad:
        out.append(bad[i])
    out.append(line)
open(work + "/bad.ndjson", "w").writelines(out)
PY
$TO "$LIFT3D" stream --image-size 1000x1002 <"$WORK/bad.ndjson" >"$WORK/out" 2>"$WORK/err"
[[ $? == 4 ]] || fail "bad lines: want exit 4, stderr: $(head -c 600 "$WORK/err")"
compare "$WORK/out" "$WORK/default.npy" || fail "bad lines changed the good frames"
for n in 11 22 33 44 55 66; do
  [[ $(grep -c "<stdin>: line $n: .*; skipped" "$WORK/err") == 1 ]] || fail "no single warning for line $n: $(cat "$WORK/err")"
done
grep -q "line 22: 1 keypoints; a frame has 17" "$WORK/err" || fail "wrong count not named"
grep -q "line 33: nested deeper than 8 levels" "$WORK/err" || fail "deep nesting not named"
grep -q "line 55: frame 3 comes after frame 49 of the stream; frame numbers must increase" "$WORK/err" ||
  fail "frame order not named: $(cat "$WORK/err")"
grep -q "line 66: [0-9]* bytes, longer than --max-line-bytes 1048576" "$WORK/err" || fail "long line not named"
grep -q "6 of 507 input lines skipped" "$WORK/err" || fail "no summary: $(tail -2 "$WORK/err")"

# --on-bad-line stop: the frames before are lifted (the last ones edge-padded), then one error line.
head -100 "$WORK/frames.ndjson" >"$WORK/stop.ndjson"
echo '{"frame": 100, "keypoints": "nope"}' >>"$WORK/stop.ndjson"
tail -n +101 "$WORK/frames.ndjson" >>"$WORK/stop.ndjson"
expect_exit 1 $TO "$LIFT3D" stream --image-size 1000x1002 --on-bad-line stop --quiet <"$WORK/stop.ndjson"
expect_one_line_error "<stdin>: line 101: keypoints: expected an array, got string"
[[ $(wc -l <"$WORK/out") == 100 ]] || fail "stop: want the 100 frames before the bad line, got $(wc -l <"$WORK/out")"

# No image size: a usage error before reading anything.
expect_exit 2 "$LIFT3D" stream </dev/null
expect_one_line_error "--image-size"

# --max-delay 5: every frame within 5 frames; the last 6 equal to infer (they see the real end).
$TO "$LIFT3D" stream --image-size 1000x1002 --max-delay 5 <"$WORK/frames.ndjson" >"$WORK/delay5.ndjson" 2>"$WORK/err" ||
  fail "--max-delay failed: $(cat "$WORK/err")"
$PYTHON - "$WORK/delay5.ndjson" "$WORK/default.npy" <<'PY' || fail "--max-delay 5: wrong delays or values"
import json, sys
import numpy as np
lines = [json.loads(l) for l in open(sys.argv[1])]
ref = np.load(sys.argv[2])
assert [l["frame"] for l in lines] == list(range(500))
assert max(l["delay_frames"] for l in lines) == 5
assert all(l["padded_frames"] == 35 for l in lines[:495])
got = np.array([l["joints"] for l in lines], dtype=np.float32)
assert np.abs(got[494:] - ref[494:]).max() <= 1e-5
assert np.abs(got[:400] - ref[:400]).max() > 1e-4  # less future seen: a different (less accurate) answer
PY

# Binary records: 40-byte header + 17 x 3 float32 each, the same numbers as the JSON lines.
$TO "$LIFT3D" stream --image-size 1000x1002 --output-format binary <"$WORK/tracks.ndjson" >"$WORK/out.bin" 2>"$WORK/err" ||
  fail "binary output failed: $(cat "$WORK/err")"
$PYTHON - "$WORK/out.bin" "$WORK/tracks.out" <<'PY' || fail "binary records differ from the JSON lines"
import json, struct, sys
import numpy as np
data = open(sys.argv[1], "rb").read()
lines = [json.loads(l) for l in open(sys.argv[2])]
size = 40 + 17 * 12
assert len(data) == size * len(lines), (len(data), len(lines))
for i, line in enumerate(lines):
    magic, frame, track, delay, padded, joints, filled, _ = struct.unpack_from("<4sqiiiiQi", data, i * size)
    assert magic == b"L3DP" and frame == line["frame"] and joints == 17 and filled == 0
    assert track == (0 if line["track"] == 1 else 1) and delay == line["delay_frames"]
    xyz = np.frombuffer(data, np.float32, 51, i * size + 40).reshape(17, 3)
    assert (xyz == np.array(line["joints"], dtype=np.float32)).all()
PY

# A missing joint is held at its last position and named in "filled".
$PYTHON - "$WORK/frames.ndjson" >"$WORK/gap.ndjson" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if 200 <= d["frame"] < 205:
        d["keypoints"][9] = [0, 0, 0]
    print(json.dumps(d))
PY
$TO "$LIFT3D" stream --image-size 1000x1002 <"$WORK/gap.ndjson" >"$WORK/out" 2>"$WORK/err" || fail "gap failed"
[[ $(grep -c '"filled":\[9\]' "$WORK/out") == 5 ]] || fail "held joint not marked in 5 frames"
[[ $(grep -c "<stdin>: frame 200: left_wrist not observed: held at the last position seen" "$WORK/err") == 1 ]] ||
  fail "held joint not named once: $(cat "$WORK/err")"
grep -q "<stdin>: filled 5 of 8500 keypoint positions (5 held at the last position seen, 0 placed from the body model)" \
  "$WORK/err" || fail "no fill summary: $(cat "$WORK/err")"

# Frames come out as soon as they are due, without waiting for more input: written one line at a
# time, each waiting for the frame it makes due (causal: its own; symmetric: the one 40 before).
$PYTHON "$SOURCE/tools/stream_latency.py" "$LIFT3D" "$WORK/frames.ndjson" --frames 120 --lockstep --delay 0 -- \
  "$M/arc3333_causal_zip.bin" --causal --layout h36m --image-size 1000x1002 >"$WORK/lat" 2>&1 ||
  fail "causal: a due frame did not come: $(cat "$WORK/lat")"
$PYTHON "$SOURCE/tools/stream_latency.py" "$LIFT3D" "$WORK/frames.ndjson" --frames 120 --lockstep --delay 40 -- \
  --image-size 1000x1002 >"$WORK/lat" 2>&1 || fail "symmetric: a due frame did not come: $(cat "$WORK/lat")"
$PYTHON "$SOURCE/tools/stream_latency.py" "$LIFT3D" "$WORK/frames.ndjson" --frames 120 --lockstep --delay 5 -- \
  --max-delay 5 --image-size 1000x1002 >"$WORK/lat" 2>&1 || fail "--max-delay 5: a due frame did not come: $(cat "$WORK/lat")"

# --frame world: rotated as infer --frame world, heights from the lowest joint so far. From the
# frame holding the sequence's lowest joint on, equal to infer --frame world within 1e-5 m; before
# it, x and y equal and every joint lower by the same amount, the floor still to come (infer's
# lowest joint of the frames so far).
# world_check OUT.ndjson INFER.npy [MUST_WAIT]: the rule, every frame; MUST_WAIT: the lowest joint
# comes after the first frame (so the frames before it are checked against the rule).
world_check() {
  $PYTHON - "$@" <<'PY'
import json, sys
import numpy as np
got = np.array([json.loads(l)["joints"] for l in open(sys.argv[1])], dtype=np.float64)
ref = np.load(sys.argv[2]).astype(np.float64)
assert got.shape == ref.shape == (500, 17, 3), (got.shape, ref.shape)
lowest = int(np.unravel_index(ref[..., 2].argmin(), ref[..., 2].shape)[0])
assert lowest > 0 or len(sys.argv) < 4, "the sample's lowest joint is in its first frame: the rule is not exercised"
assert np.abs(got[lowest:] - ref[lowest:]).max() <= 1e-5, np.abs(got[lowest:] - ref[lowest:]).max()
assert np.abs(got[..., :2] - ref[..., :2]).max() <= 1e-5
floor_so_far = np.minimum.accumulate(ref[..., 2].min(axis=1))  # in infer's heights
assert np.abs(got[..., 2] - (ref[..., 2] - floor_so_far[:, None])).max() <= 1e-5
assert got[..., 2].min(axis=1).min() >= -1e-6  # no frame below its ground
print(f"world: equal from frame {lowest} on; before it lower by up to {floor_so_far.max() * 1000:.1f} mm")
PY
}
expect_exit 0 "$LIFT3D" infer --input "$SAMPLE" --frame world --output "$WORK/world.npy"
$TO "$LIFT3D" stream --image-size 1000x1002 --frame world <"$WORK/frames.ndjson" >"$WORK/world.ndjson" 2>"$WORK/err" ||
  fail "stream --frame world failed: $(cat "$WORK/err")"
grep -qF "stream: world frame (z up, rotated as infer --frame world)" "$WORK/err" || fail "no world note: $(cat "$WORK/err")"
world_check "$WORK/world.ndjson" "$WORK/world.npy" must_wait || fail "--frame world: not infer's world frame by the rule"
# With a trajectory model (the root moves, as infer --frame world has it).
expect_exit 0 "$LIFT3D" infer "$M/arc333_zip.bin" --input "$SAMPLE" --frame world --output "$WORK/world_traj.npy"
$TO "$LIFT3D" stream "$M/arc333_zip.bin" --image-size 1000x1002 --frame world <"$WORK/frames.ndjson" \
  >"$WORK/world_traj.ndjson" 2>"$WORK/err" || fail "stream --frame world (trajectory) failed: $(cat "$WORK/err")"
world_check "$WORK/world_traj.ndjson" "$WORK/world_traj.npy" || fail "--frame world (trajectory): not infer's by the rule"

# --coordinates: normalised frames ([0, 1] and [-1, 1]) give infer's camera-frame output; auto says
# so from the first frame; a later frame in pixels does not fit and is a bad line (exit 4).
$PYTHON - "$SAMPLE" "$WORK" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
w, h = doc["image_width"] if "image_width" in doc else 1000, doc.get("image_height", 1002)
with open(sys.argv[2] + "/unit.ndjson", "w") as unit, open(sys.argv[2] + "/signed.ndjson", "w") as signed:
    for t, k in enumerate(doc["keypoints"]):
        unit.write(json.dumps({"frame": t, "keypoints": [[x / 1000, y / 1002, s] for x, y, s in k]}) + "\n")
        signed.write(json.dumps({"frame": t, "keypoints": [[x / 500 - 1, y / 501 - 1, s] for x, y, s in k]}) + "\n")
with open(sys.argv[2] + "/mixed.ndjson", "w") as mixed:
    for t, k in enumerate(doc["keypoints"][:100]):
        scale = (1.0, 1.0) if t == 50 else (1000.0, 1002.0)  # frame 50 left in pixels
        mixed.write(json.dumps({"frame": t, "keypoints": [[x / scale[0], y / scale[1], s] for x, y, s in k]}) + "\n")
PY
for kind in unit signed; do
  $TO "$LIFT3D" stream --image-size 1000x1002 <"$WORK/$kind.ndjson" >"$WORK/$kind.out" 2>"$WORK/err" ||
    fail "stream ($kind normalised, auto) failed: $(cat "$WORK/err")"
  compare "$WORK/$kind.out" "$WORK/default.npy" || fail "$kind normalised: stream differs from infer"
done
grep -qF "<stdin>: line 1: coordinates are normalised [-1, 1]" "$WORK/err" || fail "no coordinates note: $(cat "$WORK/err")"
$TO "$LIFT3D" stream --image-size 1000x1002 --coordinates normalized <"$WORK/unit.ndjson" >"$WORK/unit2.out" 2>"$WORK/err" ||
  fail "stream --coordinates normalized failed: $(cat "$WORK/err")"
compare "$WORK/unit2.out" "$WORK/default.npy" || fail "--coordinates normalized: stream differs from infer"
expect_exit 4 $TO "$LIFT3D" stream --image-size 1000x1002 <"$WORK/mixed.ndjson"
grep -qF "<stdin>: line 51: x, y within" "$WORK/err" || fail "pixel frame in a normalised stream not refused: $(cat "$WORK/err")"
[[ $(wc -l <"$WORK/out") == 99 ]] || fail "mixed: want 99 frames out, got $(wc -l <"$WORK/out")"

# --follow: an OpenPose --write_json folder (COCO-18 files) filled by a background writer, a file
# every 20 ms; ends 4 s after the last file. Equal to infer on the finished folder.
mkdir -p "$WORK/live"
$PYTHON - "$SAMPLE" "$WORK/live" "$WORK/openpose_done" <<'PY' &
import json, os, sys, time
doc = json.load(open(sys.argv[1]))
folder = sys.argv[2]
coco18_from_coco = [0, None, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3]
for t, k in enumerate(doc["keypoints"][:120]):
    person = []
    for source in coco18_from_coco:
        if source is None:  # neck: between the shoulders
            person += [(k[5][0] + k[6][0]) / 2, (k[5][1] + k[6][1]) / 2, min(k[5][2], k[6][2])]
        else:
            person += k[source]
    frame = {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": person}]}
    name = os.path.join(folder, f"clip_{t:012d}_keypoints.json")
    if t % 2:  # half written in place, half renamed in
        json.dump(frame, open(name, "w"))
    else:
        json.dump(frame, open(name + ".part", "w"))
        os.rename(name + ".part", name)
    time.sleep(0.02)
open(sys.argv[3], "w").close()
PY
writer=$!
sleep 0.3  # a few files are there before lift3d starts, the rest come while it runs
$TO "$LIFT3D" stream --follow "$WORK/live" --idle-timeout 4 --image-size 1000x1002 >"$WORK/follow.ndjson" 2>"$WORK/err" ||
  fail "--follow failed: $(cat "$WORK/err")"
wait $writer
[[ -e $WORK/openpose_done ]] || fail "the writer did not finish"
expect_exit 0 "$LIFT3D" infer --input "$WORK/live" --image-size 1000x1002 --output "$WORK/follow.npy"
compare "$WORK/follow.ndjson" "$WORK/follow.npy" || fail "--follow differs from infer on the folder"

# A real OpenPose BODY_25 export (seated musician, 1920x1080, 125 frames, the right ankle never
# detected) copied file by file into a followed folder: every frame lifted, the ankle placed from
# the body model and marked, and within a few millimetres of infer on the folder on average (infer
# interpolates the gaps a stream can only hold, and turns the body model once for the whole clip).
REAL=$FIXTURES/real/upperbody/raga_seated_musician_1person_body25
mkdir -p "$WORK/raga"
( for f in "$REAL"/*_keypoints.json; do cp "$f" "$WORK/raga/"; sleep 0.01; done ) &
copier=$!
sleep 0.2
$TO "$LIFT3D" stream --follow "$WORK/raga" --idle-timeout 4 --image-size 1920x1080 >"$WORK/raga.ndjson" 2>"$WORK/err" ||
  fail "--follow (real) failed: $(cat "$WORK/err")"
wait $copier
grep -q "right_ankle not seen yet: placed from the body model" "$WORK/err" || fail "placed ankle not said: $(cat "$WORK/err")"
expect_exit 0 "$LIFT3D" infer --input "$REAL" --image-size 1920x1080 --output "$WORK/raga.npy"
$PYTHON - "$WORK/raga.ndjson" "$WORK/raga.npy" <<'PY' || fail "--follow (real): wrong frames or values"
import json, sys
import numpy as np
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l["frame"] for l in lines] == list(range(125)), [l["frame"] for l in lines][:10]
assert all(16 in l["filled"] for l in lines)  # right_ankle (COCO 16)
got = np.array([l["joints"] for l in lines], dtype=np.float32)
distance = np.linalg.norm(got - np.load(sys.argv[2]), axis=-1)
assert distance.mean() < 0.01, distance.mean()
thigh = np.linalg.norm(got[:, 1] - got[:, 2], axis=-1)  # right hip - right knee
assert 0.3 < np.median(thigh) < 0.6, np.median(thigh)
PY

# Ctrl-C on --follow: the files already in the folder are lifted, the frames still waiting flushed
# (edge-padded as at the end of input: infer on the folder), then exit 130.
mkdir -p "$WORK/sig"
cp "$WORK"/live/clip_0000000000{0..5}*_keypoints.json "$WORK/sig/"
"$LIFT3D" stream --follow "$WORK/sig" --image-size 1000x1002 >"$WORK/sig.ndjson" 2>"$WORK/sig.err" &
streamer=$!
sleep 1
cp "$WORK"/live/clip_0000000000{6..7}*_keypoints.json "$WORK/sig/"  # 20 more while it runs
sleep 1
kill -INT $streamer
wait $streamer
code=$?
[[ $code == 130 ]] || fail "--follow after SIGINT: exit $code, want 130: $(cat "$WORK/sig.err")"
grep -qF "stream: stopped by SIGINT: the 80 frame(s) given were lifted and written" "$WORK/sig.err" ||
  fail "no stop note: $(cat "$WORK/sig.err")"
expect_exit 0 "$LIFT3D" infer --input "$WORK/sig" --image-size 1000x1002 --output "$WORK/sig.npy"
compare "$WORK/sig.ndjson" "$WORK/sig.npy" || fail "--follow after SIGINT: not every frame given came out as infer"

# SIGTERM on stdin (a pipe whose writer stays open): the lines sent are lifted, even those still
# in the pipe when the signal came, then exit 0.
mkfifo "$WORK/pipe"
"$LIFT3D" stream --image-size 1000x1002 <"$WORK/pipe" >"$WORK/term.ndjson" 2>"$WORK/term.err" &
streamer=$!
exec 3>"$WORK/pipe"
head -n 200 "$WORK/frames.ndjson" >&3
kill -TERM $streamer
wait $streamer
code=$?
exec 3>&-
[[ $code == 0 ]] || fail "stdin after SIGTERM: exit $code, want 0: $(cat "$WORK/term.err")"
grep -qF "stream: stopped by SIGTERM: the 200 frame(s) given" "$WORK/term.err" || fail "no stop note: $(cat "$WORK/term.err")"
expect_exit 0 "$LIFT3D" infer --input "$WORK/first.json" --output "$WORK/first.npy"
compare "$WORK/term.ndjson" "$WORK/first.npy" || fail "stdin after SIGTERM: not every frame sent came out as infer"

# --timing-warmup: the first N frames are left out of --timing's figures; it goes with --timing only.
head -n 60 "$WORK/frames.ndjson" >"$WORK/sixty.ndjson"
"$LIFT3D" stream --image-size 1000x1002 --timing --timing-warmup 25 <"$WORK/sixty.ndjson" >/dev/null 2>"$WORK/err" ||
  fail "stream --timing-warmup failed: $(cat "$WORK/err")"
grep -qE '^lift3d: note: timing: 35 frames after the first 25, per frame .* p99 [0-9.]+ ms' "$WORK/err" ||
  fail "--timing-warmup: $(cat "$WORK/err")"
expect_exit 2 "$LIFT3D" stream --image-size 1000x1002 --timing-warmup 25 <"$WORK/sixty.ndjson"

finish
