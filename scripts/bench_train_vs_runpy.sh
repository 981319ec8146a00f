#!/usr/bin/env bash
# Training speed of `lift3d train` against the reference's run.py on the same synthetic
# Human3.6M-shaped data, the same architecture, batch size and thread count: training samples
# (output frames, flipped copies included) per second.
#
#   scripts/bench_train_vs_runpy.sh LIFT3D_BINARY VIDEOPOSE3D_CHECKOUT [FRAMES] [ARCH] [CHANNELS] [BATCH]
#
# Defaults: 500 frames per camera (S1, one action, 4 cameras: 4000 samples an epoch with the
# flips), -arc 3,3,3, 1024 channels, batch 1024, dropout 0.25. Each side runs 1 and 4 epochs
# (--no-eval; the test set is a few frames) and the per-epoch time is (t4 - t1) / 3, so process
# start-up, imports and loading cancel out. 1 and 2 threads (OMP_NUM_THREADS for PyTorch,
# OPENBLAS_NUM_THREADS for lift3d). Prints the CPU model and ISA, each side's samples/s and the
# ratio lift3d / run.py. Nothing of VideoPose3D is copied: run.py runs from a temporary copy of
# the checkout.
set -euo pipefail
LIFT3D=$(realpath "$1")
CHECKOUT=$(realpath "$2")
FRAMES=${3:-500}
ARCH=${4:-3,3,3}
CHANNELS=${5:-1024}
BATCH=${6:-1024}
PYTHON=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cp -r "$CHECKOUT" "$WORK/vp3d"
rm -rf "$WORK/vp3d/.git"
mkdir -p "$WORK/vp3d/data" "$WORK/vp3d/checkpoint"
# Synthetic data: a random walk of 32 joints around a standing height, and its 17 H36M keypoints
# as pixels (any values do for timing; the shapes and files are run.py's).
$PYTHON - "$WORK/vp3d/data" "$FRAMES" <<'PY'
import sys
import numpy as np
out, frames = sys.argv[1], int(sys.argv[2])
rng = np.random.RandomState(0)
def walk(t):
    p = np.cumsum(rng.randn(t, 32, 3).astype(np.float32) * 0.005, axis=0)
    return p + rng.randn(1, 32, 3).astype(np.float32) * 0.3 + np.array([0, 0, 1.0], np.float32)
positions_3d = {'S1': {'Walking': walk(frames)}, 'S9': {'Walking': walk(30)}}
np.savez_compressed(out + '/data_3d_h36m.npz', positions_3d=positions_3d)
positions_2d = {s: {a: [(rng.rand(len(p), 17, 2) * 1000).astype(np.float32) for _ in range(4)]
                    for a, p in acts.items()} for s, acts in positions_3d.items()}
metadata = {'layout_name': 'h36m', 'num_joints': 17,
            'keypoints_symmetry': [[4, 5, 6, 11, 12, 13], [1, 2, 3, 14, 15, 16]]}
np.savez_compressed(out + '/data_2d_h36m_bench.npz', positions_2d=positions_2d, metadata=metadata)
PY

now() { date +%s.%N; }
# seconds EPOCHS THREADS SIDE: wall time of one training run.
seconds() {
  local epochs=$1 threads=$2 side=$3 start end
  start=$(now)
  if [[ $side == lift3d ]]; then
    OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$LIFT3D" train --dataset h36m \
      --data-3d "$WORK/vp3d/data/data_3d_h36m.npz" --data-2d "$WORK/vp3d/data/data_2d_h36m_bench.npz" \
      --subjects-train S1 --subjects-test S9 --architecture "$ARCH" --channels "$CHANNELS" \
      --batch-size "$BATCH" --epochs "$epochs" --checkpoint '' --no-eval --no-final-eval --quiet >/dev/null
  else
    (cd "$WORK/vp3d" && CUDA_VISIBLE_DEVICES='' OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
      $PYTHON run.py -k bench -str S1 -ste S9 -arc "$ARCH" -ch "$CHANNELS" -b "$BATCH" -e "$epochs" \
      --no-eval -c checkpoint --checkpoint-frequency 1000 >/dev/null 2>&1)
  fi
  end=$(now)
  echo "$end - $start" | bc -l
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "ISA: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx|avx2|avx512f|fma|sse4_2)$' | tr '\n' ' ')"
echo "PyTorch $($PYTHON -c 'import torch; print(torch.__version__)'), $("$LIFT3D" --version 2>/dev/null | head -1)"
samples=$((FRAMES * 4 * 2))
echo "data: $FRAMES frames x 4 cameras, flipped copies: $samples samples an epoch; -arc $ARCH, $CHANNELS channels, batch $BATCH"
for threads in 1 2; do
  declare -A rate
  for side in lift3d run.py; do
    one=$(seconds 1 "$threads" "$side")
    four=$(seconds 4 "$threads" "$side")
    rate[$side]=$(echo "$samples * 3 / ($four - $one)" | bc -l)
    printf '%d thread(s) %-7s 1 epoch %6.2f s, 4 epochs %6.2f s: %8.0f samples/s\n' "$threads" "$side" "$one" "$four" "${rate[$side]}"
  done
  printf '%d thread(s) ratio lift3d / run.py: %.2f\n' "$threads" "$(echo "${rate[lift3d]} / ${rate[run.py]}" | bc -l)"
done
