# infer --output clip.html (and eval --report-html): one self-contained file, opened in a real
# browser: headless Chromium loads each kind of report with no script error, draws the 3D player,
# and the player's canvas pixels change when the frame changes (#frame=N in the URL). Skipped,
# saying so, only when chromium is not installed (scripts/setup.sh --viewers installs it).
source "$(dirname "$0")/lib.sh" "$@"
S=$SOURCE/data/samples
E=$FIXTURES/eval

# The file holds everything: no network address to load, the data inline and compact.
expect_exit 0 "$LIFT3D" infer --input "$S/cmu_02_06_coco.json" --output "$WORK/walk.html"
html=$WORK/walk.html
grep -qF '<script type="application/json" id="lift3d-data">' "$html" || fail "no inline data"
! grep -qiE '(src|href)="(https?:)?//' "$html" || fail "the page loads something from the network"
size=$(stat -c %s "$html")
((size < 400000)) || fail "500 frames take $size bytes (want < 400 kB)"
# An input with filled keypoints carries its fill marks (1 interpolated).
expect_exit 0 "$LIFT3D" infer --input "$FIXTURES/real/openpose/pose2sim_body25b_cam1" --input-layout body25b \
  --image-size 1088x1920 --output "$WORK/op.html"
grep -qE '"fill":"[0-9]*1' "$WORK/op.html" || fail "no interpolated keypoint marked in op.html"
# Several sequences in one page, chosen in the page.
expect_exit 0 "$LIFT3D" infer "$FIXTURES/model/arc333_zip.bin" --input "$FIXTURES/datasets/data_2d_custom_tiny.npz" \
  --output "$WORK/many.html"
expect_exit 0 "$LIFT3D" eval "$FIXTURES/model/arc353_zip.bin" --dataset h36m --data-3d "$E/data_3d_h36m_tiny.npz" \
  --data-2d "$E/data_2d_h36m_tiny.npz" --report-html "$WORK/eval.html"
grep -qF '"kind":"eval"' "$WORK/eval.html" || fail "eval report lacks its data"
if have_numpy; then  # the report's content: every video, the worst first, the worst one played
  $PYTHON - "$WORK/eval.html" <<'PY' || fail "eval report content"
import json, re, sys
page = open(sys.argv[1]).read()
data = json.loads(re.search(r'id="lift3d-data">(.*?)</script>', page, re.S).group(1))
videos = data["videos"]
assert len(videos) == 48, len(videos)  # S9 and S11, 4 cameras each (tests/fixtures/eval/README.md)
mpjpe = [v["mpjpe"] for v in videos]
worst = data["worst_videos"]
assert len(worst) == 10 and mpjpe[worst[0]] == max(mpjpe), worst
assert sorted((mpjpe[i] for i in worst), reverse=True) == [mpjpe[i] for i in worst]
assert data["player"]["name"] == videos[worst[0]]["name"]
frames = data["player"]["frames"]
assert all(len(s["joints_mm"]) == frames * 17 * 3 for s in data["player"]["skeletons"])
for v in videos:  # the curve's mean is the video's MPJPE (bins of one frame here)
    assert v["curve_step"] == 1 and len(v["curve"]) == v["frames"], v["name"]
    assert abs(sum(v["curve"]) / len(v["curve"]) - v["mpjpe"]) < 0.1, v["name"]
assert [g["name"] for g in data["summaries"][0]["groups"]] == \
    ["Directions", "Walking", "WalkDog", "Sitting", "SittingDown", "Eating"]
PY
fi
# The played video can be chosen; a name that is not a video is refused naming examples.
expect_exit 0 "$LIFT3D" eval "$FIXTURES/model/arc353_zip.bin" --dataset h36m --data-3d "$E/data_3d_h36m_tiny.npz" \
  --data-2d "$E/data_2d_h36m_tiny.npz" --report-html "$WORK/eval_s9.html" --report-video 'S9/Walking 1/2'
grep -qF '"player":{"first_frame":0,"fps":50.0,"frame":"camera","frames":52,"name":"S9/Walking 1/2"' \
  "$WORK/eval_s9.html" || fail "the chosen video is not played"
expect_exit 2 "$LIFT3D" eval "$FIXTURES/model/arc353_zip.bin" --dataset h36m --data-3d "$E/data_3d_h36m_tiny.npz" \
  --data-2d "$E/data_2d_h36m_tiny.npz" --report-html "$WORK/bad.html" --report-video 'S9/Walking/0'
expect_one_line_error "--report-video 'S9/Walking/0' is not an evaluated video" "S9/Directions/0"
expect_no_file "$WORK/bad.html"

if ! command -v chromium >/dev/null; then
  echo "skip: chromium is not installed (scripts/setup.sh --viewers installs it); the file checks above passed"
  finish
  exit 77
fi

# open PAGE HASH NAME: the DOM after the scripts ran, and the browser's log.
open_page() {
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/profile-$3" --enable-logging=stderr --v=0 \
    --virtual-time-budget=2000 --dump-dom "file://$1#$2" >"$WORK/$3.dom" 2>"$WORK/$3.log"
}
body_attribute() { grep -o "<body[^>]*>" "$WORK/$1.dom" | grep -o "$2=\"[^\"]*\"" | cut -d'"' -f2; }

# check_page PAGE NAME: opens frames 0 and 5 (every played video has more); the canvas must draw and change.
check_page() {
  local page=$1 name=$2
  open_page "$page" "frame=0" "$name-a"
  open_page "$page" "frame=5" "$name-b"
  for run in "$name-a" "$name-b"; do
    [[ $(body_attribute "$run" data-ready) == 1 ]] || fail "$run: the page did not finish: $(tail -3 "$WORK/$run.log")"
    [[ -z $(body_attribute "$run" data-errors) ]] || fail "$run: script errors: $(body_attribute "$run" data-errors)"
    ! grep -E 'CONSOLE.*(Uncaught|Error)' "$WORK/$run.log" || fail "$run: console errors"
    inked=$(body_attribute "$run" data-canvas-inked)
    ((${inked:-0} > 2000)) || fail "$run: the 3D canvas is nearly blank ($inked pixels drawn)"
  done
  [[ $(body_attribute "$name-a" data-frame) == 0 && $(body_attribute "$name-b" data-frame) == 5 ]] ||
    fail "$name: #frame=N did not select the frame"
  [[ $(body_attribute "$name-a" data-canvas-hash) != "$(body_attribute "$name-b" data-canvas-hash)" ]] ||
    fail "$name: the 3D canvas is the same at frames 0 and 5"
}
check_page "$html" infer
check_page "$WORK/op.html" openpose
check_page "$WORK/many.html" many
check_page "$WORK/eval.html" eval

# A screenshot shows pixels too (the same page at two frames gives two different images).
for frame in 0 40; do
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/profile-shot" --hide-scrollbars \
    --window-size=1040,760 --virtual-time-budget=2000 --screenshot="$WORK/shot$frame.png" "file://$html#frame=$frame" \
    >/dev/null 2>&1
  [[ -s $WORK/shot$frame.png ]] || fail "no screenshot at frame $frame"
done
cmp -s "$WORK/shot0.png" "$WORK/shot40.png" && fail "screenshots at frames 0 and 40 are identical"
finish
