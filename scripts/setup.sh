#!/usr/bin/env bash
# Installs every Debian package lift3d needs to build, test and benchmark.
# Idempotent: packages already present are left as they are.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libeigen3-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libopenblas-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-torch time
  clang libclang-rt-14-dev
)

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
