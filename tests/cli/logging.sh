# What lift3d writes on stderr and how the global options change it: warnings by default, --quiet
# (errors only), --verbose (debug lines), --log-format json (one valid JSON object per line,
# errors included, whatever bytes a file name holds); errors stay one line with their exit codes;
# stdout and output files never change with these options; the progress line only on a terminal.
source "$(dirname "$0")/lib.sh" "$@"
M=$FIXTURES/model/arc333_zip.bin  # COCO-17 in, Human3.6M-17 out, with a trajectory model
F=$FIXTURES/formats
E=$FIXTURES/eval
# coco_results.json has missing joints: lifting it warns that they were filled.
FILLED=(--input "$F/coco_results.json" --width 640 --height 480)

expect_stderr_has() { grep -qF -- "$1" "$WORK/err" || fail "stderr lacks '$1': $(head -c 600 "$WORK/err")"; }
expect_stderr_lacks() { ! grep -qF -- "$1" "$WORK/err" || fail "stderr has '$1': $(head -c 600 "$WORK/err")"; }
expect_empty() { [[ ! -s $1 ]] || fail "$1 is not empty: $(head -c 400 "$1")"; }
# Every stderr line is one JSON object {"level", "message", "time"} (strict UTF-8); each given level
# occurs. Writes the records' "level<TAB>message" lines to $WORK/records.
expect_json_lines() {
  $PYTHON - "$WORK/err" "$WORK/records" "$@" <<'PY' || fail "stderr is not JSON lines: $(head -c 600 "$WORK/err")"
import json, re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")  # strict: a byte that is not UTF-8 fails
assert text.endswith("\n"), "stderr does not end with a newline"
records = [json.loads(line) for line in text[:-1].split("\n")]
for r in records:
    assert isinstance(r, dict) and sorted(r) == ["level", "message", "time"], r
    assert isinstance(r["message"], str) and r["level"] in ("error", "warning", "note", "debug"), r
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["time"]), r["time"]
levels = [r["level"] for r in records]
for want in sys.argv[3:]:
    assert want in levels, (want, levels)
with open(sys.argv[2], "w") as out:
    for r in records:
        out.write(r["level"] + "\t" + r["message"].replace("\n", "\\n") + "\n")
PY
}
# The error contract in json mode: exactly one line, one record of level "error" whose message
# (decoded) contains each given fragment.
expect_one_json_error() {
  $PYTHON - "$WORK/err" "$@" <<'PY' || fail "not one json error line: $(head -c 600 "$WORK/err")"
import json, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")
lines = text.split("\n")
assert len(lines) == 2 and lines[1] == "", lines
record = json.loads(lines[0])
assert record["level"] == "error", record
for fragment in sys.argv[2:]:
    assert fragment in record["message"], (fragment, record["message"])
PY
}

# Default: the filled-joints warning, nothing on stdout; the same output with every option.
expect_exit 0 "$LIFT3D" infer "$M" "${FILLED[@]}" --output "$WORK/default.npy"
expect_stderr_has "lift3d: warning: $F/coco_results.json: "
expect_stderr_has "filled 2 of 102 joint positions"
[[ $(grep -vc '^lift3d: warning: ' "$WORK/err") == 0 ]] || fail "default stderr has other lines: $(cat "$WORK/err")"
expect_empty "$WORK/out"
n=0
for options in "--quiet" "--verbose" "--log-format json" "--log-format text" "--quiet --log-format json" \
               "--verbose --log-format json"; do
  n=$((n + 1))
  # shellcheck disable=SC2086  # the options are words
  expect_exit 0 "$LIFT3D" $options infer "$M" "${FILLED[@]}" --output "$WORK/with$n.npy"
  expect_empty "$WORK/out"
  cmp -s "$WORK/default.npy" "$WORK/with$n.npy" || fail "$options changed the output file"
done

# --quiet hides warnings, before or after the subcommand.
expect_exit 0 "$LIFT3D" --quiet infer "$M" "${FILLED[@]}" --output "$WORK/q.npy"
expect_empty "$WORK/err"
expect_exit 0 "$LIFT3D" infer "$M" "${FILLED[@]}" --output "$WORK/q.npy" --quiet
expect_empty "$WORK/err"
# ...but never errors: one line, the same exit codes as without it.
expect_exit 2 "$LIFT3D" --quiet infer "$M" --input "$F/coco_results.json" --output "$WORK/x.npy"
expect_one_line_error "coco_results.json" "--width"
expect_exit 1 "$LIFT3D" --quiet infer "$M" --input "$WORK/missing.json" --width 640 --height 480 --output "$WORK/x.npy"
expect_one_line_error "missing.json"
expect_exit 2 "$LIFT3D" --quiet infer "$M" "${FILLED[@]}" --output "$WORK/x.npy" --no-such-option
expect_one_line_error "--no-such-option"
expect_exit 2 "$LIFT3D" --quiet --verbose infer "$M" "${FILLED[@]}" --output "$WORK/x.npy"
expect_one_line_error "--quiet" "--verbose"
expect_no_file "$WORK/x.npy"
# --keep-going: each failed input is an error line (kept by --quiet), the summary a warning (not).
echo '{"format": "lift3d-keypoints-2d"' >"$WORK/broken.json"
mkdir -p "$WORK/batch"
expect_exit 4 "$LIFT3D" infer "$M" --input "$F/sequence.lift3d.json" "$WORK/broken.json" --output-dir "$WORK/batch" \
  --keep-going
[[ $(grep -c "^lift3d: error: $WORK/broken.json: " "$WORK/err") == 1 ]] || fail "keep-going error: $(cat "$WORK/err")"
expect_stderr_has "lift3d: warning: 1 of 2 inputs failed"
expect_exit 4 "$LIFT3D" --quiet infer "$M" --input "$F/sequence.lift3d.json" "$WORK/broken.json" \
  --output-dir "$WORK/batch" --keep-going
expect_one_line_error "$WORK/broken.json: "
# eval --max-mpjpe: exit 3 with its reason on one error line, --quiet or not; the report on stdout.
EVAL=(eval "$FIXTURES/model/arc353_zip.bin" --dataset h36m --data-3d "$E/data_3d_h36m_tiny.npz"
      --data-2d "$E/data_2d_h36m_tiny.npz")
for quiet in "" --quiet; do
  # shellcheck disable=SC2086
  expect_exit 3 "$LIFT3D" $quiet "${EVAL[@]}" --max-mpjpe 0
  expect_one_line_error "--max-mpjpe"
  expect_stdout_has "Protocol #1   (MPJPE) action-wise average:"
done

# --verbose: debug lines naming the checkpoint, the input and the output.
expect_exit 0 "$LIFT3D" --verbose infer "$M" "${FILLED[@]}" --output "$WORK/v.npy"
expect_stderr_has "lift3d: debug: $M: loaded zip checkpoint; model_pos 3,3,3 (dilated)"
expect_stderr_has "lift3d: debug: $F/coco_results.json: coco results json, coco keypoints, 6 frames, image 640x480"
expect_stderr_has "lift3d: debug: $WORK/v.npy: wrote 1 sequence(s)"
expect_stderr_has "17 joints, metres, camera frame"
expect_stderr_has "lift3d: debug: thread plan: "
expect_stderr_has "lift3d: warning: $F/coco_results.json: "
expect_stderr_lacks "timing:"
grep -vqE '^lift3d: (warning|note|debug): ' "$WORK/err" && fail "unexpected --verbose lines: $(cat "$WORK/err")"
expect_exit 0 "$LIFT3D" infer "$M" "${FILLED[@]}" --output "$WORK/v.npy" --verbose
expect_stderr_has "lift3d: debug: $M: loaded"
expect_exit 0 "$LIFT3D" --verbose "${EVAL[@]}"
expect_stderr_has "lift3d: debug: $E/data_3d_h36m_tiny.npz: 3D ground truth"
expect_stderr_has "lift3d: debug: evaluating "
cp "$WORK/out" "$WORK/eval_verbose.out"
for options in "" "--quiet" "--log-format json"; do
  # shellcheck disable=SC2086
  expect_exit 0 "$LIFT3D" $options "${EVAL[@]}"
  cmp -s "$WORK/out" "$WORK/eval_verbose.out" || fail "eval stdout differs with '$options' and --verbose"
done
expect_exit 0 "$LIFT3D" inspect "$M"
cp "$WORK/out" "$WORK/inspect.out"
expect_empty "$WORK/err"
for options in "--verbose" "--quiet" "--log-format json"; do
  # shellcheck disable=SC2086
  expect_exit 0 "$LIFT3D" $options inspect "$M" --json
  cp "$WORK/out" "$WORK/inspect_json.out"
  # shellcheck disable=SC2086
  expect_exit 0 "$LIFT3D" $options inspect "$M"
  cmp -s "$WORK/out" "$WORK/inspect.out" || fail "inspect stdout differs with '$options'"
done

# --timing prints its note whatever the level, in the chosen format.
expect_exit 0 "$LIFT3D" infer "$M" "${FILLED[@]}" --output "$WORK/t.npy" --timing
grep -qE '^lift3d: note: timing: load [0-9.e-]+ s, lift [0-9.e-]+ s \(' "$WORK/err" || fail "timing: $(cat "$WORK/err")"
expect_exit 0 "$LIFT3D" --quiet infer "$M" "${FILLED[@]}" --output "$WORK/t.npy" --timing
[[ $(grep -c '' "$WORK/err") == 1 ]] || fail "--quiet --timing: $(cat "$WORK/err")"
expect_stderr_has "lift3d: note: timing: load "
expect_exit 0 "$LIFT3D" --log-format json infer "$M" "${FILLED[@]}" --output "$WORK/t.npy" --timing
expect_json_lines note warning
grep -q $'^note\ttiming: load ' "$WORK/records" || fail "no json timing record: $(cat "$WORK/records")"

# --log-format json: only JSON lines, warnings, notes, debug and errors alike.
expect_exit 0 "$LIFT3D" --log-format json --verbose infer "$M" "${FILLED[@]}" --output "$WORK/j.npy"
expect_json_lines warning debug
grep -qF "warning"$'\t'"$F/coco_results.json: coco_results: filled 2 of 102" "$WORK/records" ||
  fail "json warning: $(cat "$WORK/records")"
expect_exit 0 "$LIFT3D" infer "$M" "${FILLED[@]}" --output "$WORK/j.npy" --log-format=json
expect_json_lines warning
expect_exit 2 "$LIFT3D" --log-format json infer "$M" --input "$F/coco_results.json" --output "$WORK/x.npy"
expect_one_json_error "coco_results.json" "--width"
expect_exit 1 "$LIFT3D" --log-format json --quiet infer "$M" --input "$WORK/missing.json" --width 640 --height 480 \
  --output "$WORK/x.npy"
expect_one_json_error "missing.json"
expect_exit 2 "$LIFT3D" --log-format json infer "$M" "${FILLED[@]}" --output "$WORK/x.npy" --no-such-option
expect_one_json_error "--no-such-option"
expect_exit 2 "$LIFT3D" infer "$M" "${FILLED[@]}" --output "$WORK/x.npy" --no-such-option --log-format json
expect_one_json_error "--no-such-option"
expect_exit 2 "$LIFT3D" --log-format yaml infer "$M" "${FILLED[@]}" --output "$WORK/x.npy"
expect_one_line_error "--log-format"
expect_exit 3 "$LIFT3D" --log-format json "${EVAL[@]}" --max-mpjpe 0
expect_one_json_error "--max-mpjpe"
expect_stdout_has "Protocol #1   (MPJPE) action-wise average:"
expect_exit 4 "$LIFT3D" --log-format json infer "$M" --input "$F/sequence.lift3d.json" "$WORK/broken.json" \
  --output-dir "$WORK/batch" --keep-going
expect_json_lines error warning
# A file name with a quote, a newline, a backslash and a byte that is not UTF-8: still one valid
# JSON line per record (the byte becomes U+FFFD, the rest is kept), and one line in text mode too.
odd=$(printf 'odd"na\nme\\\xff.json')
cp "$F/coco_results.json" "$WORK/$odd"
expect_exit 0 "$LIFT3D" --log-format json infer "$M" --input "$WORK/$odd" --width 640 --height 480 \
  --output "$WORK/odd.npy"
expect_json_lines warning
$PYTHON - "$WORK/err" "$WORK" <<'PY' || fail "the odd file name is not in the json warning: $(cat "$WORK/err")"
import json, sys
record = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
assert record["message"].startswith(sys.argv[2] + '/odd"na\nme\\\ufffd.json: '), record["message"]
PY
expect_exit 2 "$LIFT3D" --log-format json infer "$M" --input "$WORK/$odd" --output "$WORK/x.npy"
expect_one_json_error "odd\"na
me\\"$'\xef\xbf\xbd'".json" "--width"
expect_exit 2 "$LIFT3D" infer "$M" --input "$WORK/$odd" --output "$WORK/x.npy"
expect_one_line_error 'odd"na\nme\'

# The progress line: never when stderr is not a terminal (as here)...
expect_exit 0 "$LIFT3D" infer "$M" --input "$F/sequence.lift3d.json" "$F/mmpose.json" --width 640 --height 480 \
  --output-dir "$WORK/batch" --format json
expect_stderr_lacks "lifting:"
grep -q $'[\r\x1b]' "$WORK/err" && fail "control characters on a non-terminal stderr: $(od -c "$WORK/err" | head)"
expect_exit 0 "$LIFT3D" "${EVAL[@]}"
expect_stderr_lacks "evaluating:"
expect_empty "$WORK/err"
# ...and on a terminal (stderr on a pseudo-terminal, stdout a file): drawn, erased before each log
# line and at the end, so that the screen shows only whole log lines; not with --quiet or json.
on_terminal() {  # on_terminal CMD...: stderr bytes as a terminal received them in $WORK/tty, stdout in $WORK/out
  $PYTHON - "$WORK/tty" "$WORK/out" "$@" <<'PY'
import errno, os, pty, subprocess, sys
master, slave = pty.openpty()
with open(sys.argv[2], "wb") as out:
    process = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL, stdout=out, stderr=slave)
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError as e:  # EIO: the last writer closed the terminal
        if e.errno != errno.EIO:
            raise
        break
    if not chunk:
        break
    data += chunk
open(sys.argv[1], "wb").write(data)
sys.exit(process.wait())
PY
}
# The screen after a terminal received $WORK/tty (\r, \n and erase-to-end-of-line), one line each.
screen() {
  $PYTHON - "$WORK/tty" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
lines, col, i = [bytearray()], 0, 0
while i < len(data):
    if data.startswith(b"\x1b[K", i):
        del lines[-1][col:]
        i += 3
        continue
    c = data[i]
    i += 1
    if c == 13:
        col = 0
    elif c == 10:
        lines.append(bytearray())
        col = 0
    else:
        line = lines[-1]
        line[col:col + 1] = bytes([c])
        col += 1
sys.stdout.write("\n".join(l.decode("utf-8", "replace") for l in lines))
PY
}
INPUTS=(--input "$F/coco_results.json" "$F/mmpose.json" "$F/alphapose_coco.json" --width 640 --height 480
        --min-score 0.3 --output-dir "$WORK/batch" --format json --threads 1)
if on_terminal "$LIFT3D" infer "$M" "${INPUTS[@]}"; then
  grep -qF "lifting: 3/3 sequences" "$WORK/tty" || fail "no progress line on a terminal: $(od -c "$WORK/tty" | head)"
  screen >"$WORK/screen"
  [[ $(grep -c '^lift3d: warning: .*filled 4 of 102' "$WORK/screen") == 3 ]] || fail "screen: $(cat "$WORK/screen")"
  grep -q 'lifting:' "$WORK/screen" && fail "the progress line is left on the screen: $(cat "$WORK/screen")"
  grep -v '^lift3d: warning: ' "$WORK/screen" | grep -q . && fail "screen has broken lines: $(cat "$WORK/screen")"
  expect_empty "$WORK/out"
else
  fail "infer on a terminal failed: $(cat "$WORK/tty")"
fi
on_terminal "$LIFT3D" "${EVAL[@]}" || fail "eval on a terminal failed: $(cat "$WORK/tty")"
grep -qF "evaluating: " "$WORK/tty" || fail "no eval progress line on a terminal: $(od -c "$WORK/tty" | head)"
expect_stdout_has "Protocol #1   (MPJPE) action-wise average:"
on_terminal "$LIFT3D" --quiet infer "$M" "${INPUTS[@]}" || fail "--quiet infer on a terminal failed"
[[ ! -s $WORK/tty ]] || fail "--quiet on a terminal wrote: $(od -c "$WORK/tty" | head)"
on_terminal "$LIFT3D" --log-format json infer "$M" "${INPUTS[@]}" || fail "json infer on a terminal failed"
grep -q 'lifting:' "$WORK/tty" && fail "a progress line in json mode: $(od -c "$WORK/tty" | head)"
tr -d '\r' <"$WORK/tty" >"$WORK/err"  # the terminal turns \n into \r\n
expect_json_lines warning
finish
