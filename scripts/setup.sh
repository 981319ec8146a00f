#!/usr/bin/env bash
# Installs the Debian packages lift3d needs. Idempotent: packages already present are left as they are.
#   scripts/setup.sh             build and run (the default build also compiles the tests and benchmarks)
#   scripts/setup.sh --tests     ... and what the test suite runs: PyTorch for the golden tests, Open MPI
#                                for tests/cli/train_mpi.sh (--mpi), and
#                                the real viewers the report tests open files in (--viewers)
#   scripts/setup.sh --bench     ... and what scripts/bench_vs_pytorch.sh runs
#   scripts/setup.sh --package   ... and what `cpack -G DEB` runs (dpkg-shlibdeps, file)
#   scripts/setup.sh --viewers   ... and those viewers alone: Blender (imports the .bvh output) and
#                                Chromium (opens the .html reports, headless); large, so not in the
#                                set for building and lifting
#   scripts/setup.sh --mpi       ... and Open MPI, for `mpirun -np N lift3d train` (data-parallel
#                                training; CMake then builds lift3d with MPI)
#   scripts/setup.sh --ci        all of the above, the fuzzer's clang, and debootstrap for
#                                scripts/check_package.sh
# Options combine.
set -euo pipefail

build=(
  cmake g++ make pkg-config
  libeigen3-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libopenblas-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
viewers=(blender chromium)
mpi=(libopenmpi-dev openmpi-bin)
tests=(python3 python3-numpy python3-torch "${viewers[@]}" "${mpi[@]}")
bench=(python3 python3-numpy python3-torch time)
package=(dpkg-dev file)
ci=("${tests[@]}" "${package[@]}" "${viewers[@]}" "${mpi[@]}" clang libclang-rt-14-dev debootstrap)

packages=("${build[@]}")
for option in "$@"; do
  case $option in
    --tests) packages+=("${tests[@]}") ;;
    --bench) packages+=("${bench[@]}") ;;
    --package) packages+=("${package[@]}") ;;
    --viewers) packages+=("${viewers[@]}") ;;
    --mpi) packages+=("${mpi[@]}") ;;
    --ci) packages+=("${ci[@]}") ;;
    *) echo "setup.sh: unknown option $option (--tests, --bench, --package, --viewers, --mpi, --ci)" >&2; exit 2 ;;
  esac
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "setup: all ${#packages[@]} packages present"
