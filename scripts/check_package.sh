#!/usr/bin/env bash
# CI check of two packaging claims:
#  1. examples/embed builds and runs against the *installed* package: `cmake --install` into a
#     temporary prefix, find_package(lift3d) through CMAKE_PREFIX_PATH; the installed lift3d and
#     liblift3d.so find the default model beside themselves, also after the prefix is moved.
#  2. the CPack .deb, installed with apt into a clean Debian 12 root (debootstrap --variant=minbase),
#     lifts the shipped sample with no source tree present, with LIFT3D_DATA_DIR unset and with it
#     pointing elsewhere.
# Usage: scripts/check_package.sh [BUILD_DIR]
#   BUILD_DIR is reused if configured (CI passes its Release build), else configured here (Release,
#   no tests); default build-package.
# Environment: LIFT3D_CI_CACHE (default /var/cache/lift3d-ci; empty: no cache) keeps the
# debootstrapped root as a tarball for a week; LIFT3D_CI_MIRROR overrides the Debian mirror, which is
# otherwise taken from the host's apt sources (as are the sources inside the root).
# Needs root (debootstrap, chroot, mount) and debootstrap, dpkg-dev, file, python3
# (scripts/setup.sh --ci installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build-package}")
cache=${LIFT3D_CI_CACHE-/var/cache/lift3d-ci}
suite=bookworm
start=$SECONDS

say() { printf 'check_package: [%3ds] %s\n' $((SECONDS - start)) "$*"; }
die() { printf 'check_package: FAIL: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "needs root (debootstrap, chroot, mount)"
for tool in debootstrap dpkg-shlibdeps file python3 cpack; do
  command -v "$tool" >/dev/null || die "$tool is missing: run scripts/setup.sh --ci"
done

work=$(mktemp -d /tmp/lift3d-check.XXXXXX)
chroot_dir=$work/root
log=$work/log
# Unmount everything under the work dir, then remove it; never remove while something is mounted
# there (a bind mount would take the host's files with it).
cleanup() {
  local rc=$? mounts
  mounts=$(awk -v w="$work/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r)
  for m in $mounts; do umount "$m" 2>/dev/null || umount -l "$m" || true; done
  if awk -v w="$work/" 'index($2, w) == 1 {found = 1} END {exit !found}' /proc/mounts; then
    echo "check_package: $work still has mounts; left in place" >&2
  else
    rm -rf --one-file-system "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# run CMD...: output to the log, shown if CMD fails.
run() {
  echo "+ $*" >>"$log"
  "$@" >>"$log" 2>&1 || { tail -n 30 "$log" | sed 's/^/  | /' >&2; die "failed: $*"; }
}

# --- Build -----------------------------------------------------------------------------------------
if [[ ! -f $build/CMakeCache.txt ]]; then
  say "configuring $build (Release, no tests)"
  run cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLIFT3D_BUILD_TESTS=OFF -DLIFT3D_BUILD_BENCHMARKS=OFF
fi
say "building $build"
run cmake --build "$build" -j2
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
[[ -n $version && -n $libdir ]] || die "$build/CMakeCache.txt lacks the project version or CMAKE_INSTALL_LIBDIR"

# The lift3d JSON output of FILE holds the sample's frames, 17 joints of finite numbers, in metres.
check_output() {  # check_output OUTPUT_JSON INPUT_JSON
  python3 - "$1" "$2" <<'PY' || die "$1: not the 3D of $2"
import json, math, sys
def no_constants(name):
    raise ValueError("non-finite number " + name)
out = json.load(open(sys.argv[1]), parse_constant=no_constants)
frames = len(json.load(open(sys.argv[2]))["keypoints"])
assert out["format"] == "lift3d-poses-3d" and out["units"] == "m", (out.get("format"), out.get("units"))
assert len(out["joint_names"]) == 17, out["joint_names"]
poses = out["poses"]
assert len(poses) == frames, (len(poses), frames)
for frame in poses:
    assert len(frame) == 17 and all(len(joint) == 3 for joint in frame)
    for v in (v for joint in frame for v in joint):
        assert isinstance(v, float) and math.isfinite(v) and abs(v) < 3.0, v  # metres, root-relative
print(f"  {sys.argv[1]}: {len(poses)} frames x 17 joints, finite, metres")
PY
}

# --- 1. The installed package, used through find_package ------------------------------------------
prefix=$work/prefix
say "cmake --install into $prefix"
run cmake --install "$build" --prefix "$prefix"
for f in bin/lift3d "$libdir/liblift3d.so" "$libdir/liblift3d.so.${version%%.*}" "$libdir/liblift3d.so.$version" \
  "$libdir/cmake/lift3d/lift3dConfig.cmake" "$libdir/cmake/lift3d/lift3dConfigVersion.cmake" \
  "$libdir/cmake/lift3d/lift3dTargets.cmake" share/lift3d/models/default_coco_h36m_81f.bin \
  share/lift3d/models/README.md share/lift3d/samples/cmu_02_06_coco.json share/lift3d/samples/README.md \
  share/doc/lift3d/copyright include/lift3d/lift3d.hpp; do
  [[ -e $prefix/$f ]] || die "not installed: $f"
done
diff <(cd "$root/include" && ls lift3d/*.hpp) <(cd "$prefix/include" && find . -type f | sed 's|^\./||' | sort) \
  >>"$log" || die "the installed include/ is not exactly include/lift3d/*.hpp"

sample=$prefix/share/lift3d/samples/cmu_02_06_coco.json
say "building examples/embed against $prefix (find_package(lift3d))"
run cmake -S "$root/examples/embed" -B "$work/embed" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
run cmake --build "$work/embed" -j2
env -u LIFT3D_DATA_DIR "$work/embed/embed" "$sample" >"$work/embed.out" 2>&1 || die "embed: $(cat "$work/embed.out")"
sed 's/^/  embed: /' "$work/embed.out"
grep -qx "frames: 500, joints: 17" "$work/embed.out" || die "embed did not lift 500 frames x 17 joints"
grep -qF "model $prefix/share/lift3d/models/default_coco_h36m_81f.bin" "$work/embed.out" ||
  die "embed's default model is not the installed one"

say "moving the prefix: lift3d and liblift3d.so still find their data"
moved=$work/moved
mv "$prefix" "$moved"
env -u LIFT3D_DATA_DIR "$moved/bin/lift3d" infer --input "$moved/share/lift3d/samples/cmu_02_06_coco.json" \
  --output "$work/moved.json" >>"$log" 2>&1 || die "lift3d in a moved prefix: $(tail -n 1 "$log")"
check_output "$work/moved.json" "$moved/share/lift3d/samples/cmu_02_06_coco.json"
env -u LIFT3D_DATA_DIR LD_LIBRARY_PATH="$moved/$libdir" "$work/embed/embed" "$moved/share/lift3d/samples/cmu_02_06_coco.json" \
  >"$work/embed.out" 2>&1 || die "embed with the moved library: $(cat "$work/embed.out")"
grep -qF "model $moved/share/lift3d/models/default_coco_h36m_81f.bin" "$work/embed.out" ||
  die "the moved liblift3d.so did not find the moved model: $(cat "$work/embed.out")"

# --- 2. The .deb in a clean Debian 12 root ----------------------------------------------------------
say "cpack -G DEB"
run cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg"
arch=$(dpkg --print-architecture)
deb=$work/pkg/lift3d_${version}_$arch.deb
[[ -f $deb ]] || die "cpack made no $(basename "$deb"): $(ls "$work/pkg")"
say "$(basename "$deb"): $(du -k "$deb" | cut -f1) KiB; Depends: $(dpkg-deb -f "$deb" Depends)"

# The host's Debian apt sources (deb822 stanzas and one-line entries), for the root and its mirror.
debian_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && awk 'BEGIN {RS = ""; ORS = "\n\n"} /URIs:[^\n]*debian/ && /Suites:[^\n]*'"$suite"'/' "$f"
  done
  return 0
}
debian_lines() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -E "^deb[[:space:]].*debian.*[[:space:]]$suite([-/][a-z]+)?[[:space:]]" || true
}
mirror=${LIFT3D_CI_MIRROR:-}
if [[ -z $mirror ]]; then
  mirror=$(debian_sources | awk 'BEGIN {RS = ""} $0 ~ "Suites:[^\n]*[ \t]'"$suite"'([ \t\n]|$)" {
             if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { s = substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", s); print s; exit } }')
fi
if [[ -z $mirror ]]; then
  mirror=$(debian_lines | awk -v s="$suite" '$3 == s {print $2; exit}')
fi
mirror=${mirror:-http://deb.debian.org/debian}

tarball=${cache:+$cache/$suite-minbase-$arch.tar.gz}
if [[ -n $tarball && -f $tarball && -n $(find "$tarball" -mtime -7) ]]; then
  say "clean $suite root from the cache ($tarball)"
  mkdir "$chroot_dir"
  tar -xzf "$tarball" -C "$chroot_dir" --numeric-owner
else
  say "debootstrap --variant=minbase $suite from $mirror"
  run debootstrap --variant=minbase "$suite" "$chroot_dir" "$mirror"
  if [[ -n $tarball ]]; then
    mkdir -p "$cache"
    tar -czf "$tarball.tmp.$$" -C "$chroot_dir" --numeric-owner . && mv "$tarball.tmp.$$" "$tarball"
    say "cached the root as $tarball"
  fi
fi

# apt inside the root uses the host's Debian sources (mirror, updates, security) and proxy.
rm -f "$chroot_dir/etc/apt/sources.list"
debian_sources >"$chroot_dir/etc/apt/sources.list.d/debian.sources"
debian_lines >"$chroot_dir/etc/apt/sources.list"
if [[ ! -s $chroot_dir/etc/apt/sources.list.d/debian.sources && ! -s $chroot_dir/etc/apt/sources.list ]]; then
  echo "deb $mirror $suite main" >"$chroot_dir/etc/apt/sources.list"
fi
apt-config dump | grep -i '^Acquire::[a-z]*::Proxy ' >"$chroot_dir/etc/apt/apt.conf.d/90host-proxy" || true
cp -L /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
mount -t proc proc "$chroot_dir/proc"
[[ ! -e $chroot_dir$root ]] || die "the source tree's path $root exists inside the root"

# in_root CMD...: runs CMD inside the root from /, with a clean environment (no LIFT3D_DATA_DIR).
in_root() { chroot "$chroot_dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive /bin/sh -c 'cd / && exec "$@"' sh "$@"; }

say "apt-get install ./$(basename "$deb") in the root"
cp "$deb" "$chroot_dir/tmp/"
run in_root apt-get update -q
run in_root sh -c "cd /tmp && apt-get install -y -q --no-install-recommends ./$(basename "$deb")"
in_root dpkg-query -W -f='${Version}' lift3d | grep -qx "$version" || die "lift3d $version is not installed in the root"
! in_root ldd /usr/bin/lift3d | grep -F "not found" || die "lift3d misses shared libraries in the root"

say "lift3d in the root, from /"
in_root lift3d --version >"$work/version" 2>&1 || die "lift3d --version: $(cat "$work/version")"
grep -qE "^lift3d $version \(commit [0-9a-f]+(-modified)?\)$" "$work/version" || die "lift3d --version: $(cat "$work/version")"
echo "  $(cat "$work/version")"
in_sample=/usr/share/lift3d/samples/cmu_02_06_coco.json
in_root lift3d infer --input $in_sample --output /tmp/out.json >>"$log" 2>&1 ||
  die "lift3d infer in the root: $(tail -n 1 "$log")"
check_output "$chroot_dir/tmp/out.json" "$chroot_dir$in_sample" | sed "s|$chroot_dir||"

say "LIFT3D_DATA_DIR in the root: a copy elsewhere, the installed data hidden"
in_root sh -c 'cp -r /usr/share/lift3d /opt/lift3d-data && mv /usr/share/lift3d/models /usr/share/lift3d/models.hidden'
in_root env LIFT3D_DATA_DIR=/opt/lift3d-data lift3d infer --input $in_sample --output /tmp/out_env.json >>"$log" 2>&1 ||
  die "lift3d infer with LIFT3D_DATA_DIR=/opt/lift3d-data: $(tail -n 1 "$log")"
check_output "$chroot_dir/tmp/out_env.json" "$chroot_dir$in_sample" | sed "s|$chroot_dir||"
cmp -s "$chroot_dir/tmp/out.json" "$chroot_dir/tmp/out_env.json" || die "the model under LIFT3D_DATA_DIR gives other 3D"
# Nothing found: exit 1, one line naming where it looked and LIFT3D_DATA_DIR.
expect_error() {  # expect_error FRAGMENT... -- CMD...
  local fragments=()
  while [[ $1 != -- ]]; do fragments+=("$1"); shift; done
  shift
  local code=0
  in_root "$@" >"$work/err" 2>&1 || code=$?
  [[ $code == 1 && $(wc -l <"$work/err") == 1 ]] || die "want exit 1 and one line from $*, got $code: $(cat "$work/err")"
  for fragment in "${fragments[@]}"; do
    grep -qF -- "$fragment" "$work/err" || die "the error of $* lacks '$fragment': $(cat "$work/err")"
  done
  echo "  as expected: $(cat "$work/err")"
}
expect_error "/usr/share/lift3d" "LIFT3D_DATA_DIR" -- lift3d infer --input $in_sample --output /tmp/none.json
[[ ! -e $chroot_dir/tmp/none.json ]] || die "a failed run wrote /tmp/none.json"
in_root mv /usr/share/lift3d/models.hidden /usr/share/lift3d/models
# The variable wins over the installed data even when it points at nothing.
expect_error "/nonexistent/models/default_coco_h36m_81f.bin" "LIFT3D_DATA_DIR" -- \
  env LIFT3D_DATA_DIR=/nonexistent lift3d infer --input $in_sample --output /tmp/none.json

say "all checks passed in $((SECONDS - start)) s"
