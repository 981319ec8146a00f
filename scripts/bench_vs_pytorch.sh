#!/usr/bin/env bash
# lift3d versus the PyTorch reference model on the same random 243-frame/1024-channel checkpoint and
# the same long random sequence, alternating runs; prints per-run figures and the median ratio
# lift3d/PyTorch of frames per second, plus both peak memories. Usage:
#   scripts/bench_vs_pytorch.sh [build-dir] [-- extra args, e.g. --frames 2000 --threads 1 --no-tta]
# Defaults: T=10000, 2 threads, flip TTA, 5 rounds of 3 alternating runs per side. Needs python3-torch and GNU time (scripts/setup.sh --bench
# installs both).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift $(( $# > 0 ? 1 : 0 ))
[[ "${1:-}" == "--" ]] && shift
[[ -x "$build/lift3d" ]] || { echo "bench_vs_pytorch: no lift3d binary in $build (build first)" >&2; exit 2; }
exec /usr/bin/python3 "$root/tools/bench_pytorch.py" compare --lift3d "$build/lift3d" "$@"
