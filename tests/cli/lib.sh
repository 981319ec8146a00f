# Shared helpers for the command-line tests: each test script is run as
#   bash <script> <lift3d binary> <fixtures dir> <source dir>
set -uo pipefail
LIFT3D=$1
FIXTURES=$2
SOURCE=$3
PYTHON=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect_exit CODE CMD...: runs CMD, checks its exit code, keeps stdout/stderr in $WORK/out, $WORK/err.
expect_exit() {
  local want=$1; shift
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  [[ $got == "$want" ]] || fail "exit $got (want $want): $* -- stderr: $(head -c 400 "$WORK/err")"
}
# The error contract: exactly one stderr line, prefixed, containing each given fragment.
expect_one_line_error() {
  local lines
  lines=$(wc -l <"$WORK/err")
  [[ $lines == 1 ]] || fail "expected one stderr line, got $lines: $(cat "$WORK/err")"
  grep -q '^lift3d: error: ' "$WORK/err" || fail "stderr lacks 'lift3d: error: ': $(cat "$WORK/err")"
  for fragment in "$@"; do
    grep -qF -- "$fragment" "$WORK/err" || fail "stderr lacks '$fragment': $(cat "$WORK/err")"
  done
}
expect_stdout_has() { grep -qF -- "$1" "$WORK/out" || fail "stdout lacks '$1': $(head -c 600 "$WORK/out")"; }
expect_no_file() { [[ ! -e $1 ]] || fail "$1 exists but should not"; }
have_numpy() { $PYTHON -c 'import numpy' 2>/dev/null; }
finish() {
  if ((failures)); then echo "$failures failure(s)" >&2; exit 1; fi
  echo ok
}
