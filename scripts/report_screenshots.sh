#!/usr/bin/env bash
# Screenshots of lift3d's HTML reports for the README, taken by headless Chromium:
#   data/images/infer_player.png   infer --output clip.html on the shipped sample (frame 120)
#   data/images/infer_filled.png   the same for a real OpenPose export with interpolated keypoints
#   data/images/eval_report.png    eval --report-html: the default model on the tiny Human3.6M test fixture
#                                  (synthetic motion, COCO keypoints; tests/fixtures/eval)
# Usage: scripts/report_screenshots.sh [BUILD_DIR]   (default build; needs chromium: setup.sh --viewers)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lift3d=$(cd "${1:-$root/build}" && pwd)/lift3d
out=$root/data/images
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v chromium >/dev/null || { echo "report_screenshots.sh: chromium is not installed (scripts/setup.sh --viewers)" >&2; exit 2; }
mkdir -p "$out"
cd "$root"  # inputs named relative to the repository: the pages show the names as given, no machine path

shot() {  # shot PAGE HASH WIDTH HEIGHT PNG
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size="$3,$4" --virtual-time-budget=2000 --screenshot="$5" "file://$1#$2" >/dev/null 2>&1
  echo "wrote $5 ($(stat -c %s "$5") bytes)"
}

"$lift3d" --quiet infer --input data/samples/cmu_02_06_coco.json --output "$work/sample.html"
shot "$work/sample.html" frame=120 1040 660 "$out/infer_player.png"
"$lift3d" --quiet infer --input tests/fixtures/real/openpose/pose2sim_body25b_cam1 --input-layout body25b --image-size 1088x1920 --output "$work/openpose.html"
shot "$work/openpose.html" frame=12 1040 660 "$out/infer_filled.png"
f=tests/fixtures
"$lift3d" --quiet eval data/models/default_coco_h36m_81f.bin --dataset h36m \
  --data-3d "$f/eval/data_3d_h36m_tiny.npz" --data-2d "$f/eval/data_2d_h36m_tiny_coco.npz" \
  --report-html "$work/eval.html" >/dev/null
shot "$work/eval.html" frame=8 1040 1500 "$out/eval_report.png"
