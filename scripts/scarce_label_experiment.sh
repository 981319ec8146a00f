#!/bin/bash
# The scarce-label experiment of VideoPose3D (Pavllo et al., CVPR 2019, semi-supervised training) on
# real CMU motion capture: supervised training on a few labelled frames against semi-supervised
# training with the same labelled frames plus the 2D of other subjects, evaluated on held-out subjects.
#
# Usage: scripts/scarce_label_experiment.sh [OUT_DIR]          (default /tmp/scarce_label)
#   LIFT3D=<binary>   lift3d to run (default build/lift3d)
#   MOCAP=<dir>       the CMU BVH folder with manifest.tsv (default ../shared/mocap from the repository)
#   QUICK=1           a smoke run (2 epochs each) to check the pipeline, not the experiment
#
# Steps: tools/mocap_to_h36m.py (BVH -> H36M-17 at 50 fps), tools/make_mocap_vp3d_dataset.py (rigs:
# S1 <- CMU 14 labelled; S5-S8 <- the other training subjects, unlabelled; S9 <- 01, S11 <- 02 held
# out), four `lift3d train` runs one after another on one core (OPENBLAS_NUM_THREADS=1, nice 5), then
# tools/scarce_label_table.py prints the table from the runs' end-of-run evaluations.
#
# Every run: -arc 3,3,3, 256 channels, dropout 0.25, batch 64, Adam lr 0.001, seed 0, no per-epoch
# evaluation. Both labelled amounts take the same number of optimiser steps (about 9,300) and end at
# the same learning rate (0.98^80 = 0.198 of the start):
#   10 % of S1 (--subset 0.1, 933 frames): 80 epochs, lr decay 0.98, warm-up 4 epochs (semi);
#   all of S1 (9,326 frames):               8 epochs, lr decay 0.98^10 = 0.8171, warm-up 1 epoch (semi).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-/tmp/scarce_label}
LIFT3D=${LIFT3D:-$REPO/build/lift3d}
MOCAP=${MOCAP:-$REPO/../shared/mocap}
PY=/usr/bin/python3
mkdir -p "$OUT/logs" "$OUT/checkpoints"
export OPENBLAS_NUM_THREADS=1

if [ ! -f "$OUT/h36m_cmu.npz" ]; then
  "$PY" "$REPO/tools/mocap_to_h36m.py" --mocap-dir "$MOCAP" --out "$OUT/h36m_cmu.npz" 2>"$OUT/logs/mocap_to_h36m.log"
fi
"$PY" "$REPO/tools/make_mocap_vp3d_dataset.py" --mocap "$OUT/h36m_cmu.npz" --out-dir "$OUT/data" \
  2>&1 | tee "$OUT/logs/dataset.log"

COMMON=(--dataset h36m --data-3d "$OUT/data/data_3d_cmu.npz" --data-2d "$OUT/data/data_2d_cmu_gt.npz"
        --subjects-train S1 --subjects-test S9,S11 --architecture 3,3,3 --channels 256 --dropout 0.25
        --batch-size 64 --learning-rate 0.001 --seed 0 --no-eval --checkpoint-frequency 1000)
UNLABELLED=(--subjects-unlabeled S5,S6,S7,S8)
E10=80 E100=8
if [ "${QUICK:-0}" = 1 ]; then E10=2 E100=2; fi

run() {  # name, then lift3d train options
  local name=$1; shift
  echo "$(date -u +%H:%M:%S) $name: lift3d train $*" | tee -a "$OUT/logs/commands.txt"
  local start; start=$(date +%s)
  nice -n 5 "$LIFT3D" train "${COMMON[@]}" --checkpoint "$OUT/checkpoints/$name" "$@" \
    >"$OUT/logs/$name.out" 2>"$OUT/logs/$name.err"
  echo "$(( $(date +%s) - start ))" >"$OUT/logs/$name.seconds"
  echo "$(date -u +%H:%M:%S) $name: done in $(cat "$OUT/logs/$name.seconds") s"
}

run sup_10pct  --subset 0.1 --epochs $E10 --lr-decay 0.98
run semi_10pct --subset 0.1 --epochs $E10 --lr-decay 0.98 "${UNLABELLED[@]}" --warmup 4
run sup_100pct  --epochs $E100 --lr-decay 0.8171
run semi_100pct --epochs $E100 --lr-decay 0.8171 "${UNLABELLED[@]}" --warmup 1

"$PY" "$REPO/tools/scarce_label_table.py" "$OUT/logs" | tee "$OUT/table.md"
