#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a given time, seeded with the
# test fixtures. A crash, leak, timeout or sanitizer report stops the run with a non-zero exit and
# leaves the reproducer in fuzz-out/<target>/. Usage:
#   scripts/fuzz.sh [--seconds N] [--runs N] [--only TARGET]      (default: 60 s per target)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
runs=-1
only=""
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

build=$root/build-fuzz
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIFT3D_FUZZ=ON \
  -DLIFT3D_SANITIZE=ON -DLIFT3D_BUILD_TESTS=OFF -DLIFT3D_BUILD_BENCHMARKS=OFF >/dev/null
targets=(unpickle_fuzz npy_fuzz npz_fuzz torch_checkpoint_fuzz keypoints_json_fuzz keypoint_tables_fuzz media_size_fuzz camera_file_fuzz)
# Only the fuzz targets: the lift3d executable is not needed here.
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}" >/dev/null

F=$root/tests/fixtures
declare -A seeds=(
  [unpickle_fuzz]="$F/pickle"
  [npy_fuzz]="$F/npy"
  [npz_fuzz]="$F/npy $F/datasets $F/hostile"
  [torch_checkpoint_fuzz]="$F/checkpoints $F/model $F/hostile"
  [keypoints_json_fuzz]="$F/formats $F/real/alphapose/motionbert_halpe26 $F/real/openpose/pose2sim_body25b_cam1"
  [keypoint_tables_fuzz]="$F/formats"
  [media_size_fuzz]="$F/media"
  [camera_file_fuzz]="$F/cameras $root/data/cameras"
)
declare -A patterns=(
  [unpickle_fuzz]="*.pkl *.pickle"
  [npy_fuzz]="*.npy"
  [npz_fuzz]="*.npz"
  [torch_checkpoint_fuzz]="*.bin *.pt *.pth"
  [keypoints_json_fuzz]="*.json"
  [keypoint_tables_fuzz]="*.csv *.npy"
  [media_size_fuzz]="*.png *.jpg *.mp4 *.bin"
  [camera_file_fuzz]="*.json"
)

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for target in "${targets[@]}"; do
  [[ -n $only && $only != "$target" ]] && continue
  out=$root/fuzz-out/$target
  mkdir -p "$out/corpus"
  for dir in ${seeds[$target]}; do
    [[ -d $dir ]] || continue
    for pattern in ${patterns[$target]}; do
      find "$dir" -maxdepth 2 -name "$pattern" -size -2M -exec cp -n {} "$out/corpus/" \; 2>/dev/null || true
    done
  done
  # Unpickler seeds also come from the pickles inside the checkpoint fixtures (zip members data.pkl).
  if [[ $target == unpickle_fuzz ]] && command -v python3 >/dev/null; then
    python3 - "$F/model" "$out/corpus" <<'PY' || true
import sys, zipfile, glob, os
for path in glob.glob(os.path.join(sys.argv[1], "*_zip.bin"))[:4]:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith("data.pkl"):
                open(os.path.join(sys.argv[2], os.path.basename(path) + ".pkl"), "wb").write(z.read(name))
PY
  fi
  # The tables target reads its first byte as the reader to use (bit 0: npy, bit 1: layout coco).
  if [[ $target == keypoint_tables_fuzz ]]; then
    for seed in "$out/corpus"/*.csv "$out/corpus"/*.npy; do
      [[ -f $seed ]] || continue
      { if [[ $seed == *.npy ]]; then printf '\003'; else printf '\000'; fi; cat "$seed"; } >"$seed.seed" && mv "$seed.seed" "${seed%.*}_${seed##*.}.seed"
      rm -f "$seed"
    done
  fi
  echo "== $target: $(ls "$out/corpus" | wc -l) seeds, ${seconds}s"
  set +e
  "$build/tests/fuzz/$target" "$out/corpus" -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=1048576 -artifact_prefix="$out/" -print_final_stats=1 >"$out/log.txt" 2>&1
  code=$?
  set -e
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done ' "$out/log.txt" | sed 's/^/   /'
  if ((code != 0)); then
    echo "   FAILED (exit $code); see $out/log.txt" >&2
    tail -30 "$out/log.txt" >&2
    status=1
  fi
done
exit $status
