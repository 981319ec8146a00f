# Every error is exactly one readable line: control characters and bytes that are not UTF-8 are
# escaped, a huge quoted value is cut (saying how long it was), numeric range errors name a readable
# range, and NaN is not a number an option accepts.
source "$(dirname "$0")/lib.sh"
M=$FIXTURES/model/arc333_zip.bin
SAMPLE=$SOURCE/data/samples/cmu_02_06_coco.json
cd "$WORK" || exit 1

# A file name with a newline, a tab, an escape character and a Latin-1 byte.
name=$(printf 'bad\nname\t\033[31m\xe9.json')
printf '{"format": "nope"}' >"$name"
expect_exit 1 "$LIFT3D" infer "$M" --input "$name" --output out.npy --width 10 --height 10
expect_one_line_error 'bad\nname\t\x1b[31m\xe9.json: unknown format "nope"'
LC_ALL=C grep -q $'\033' "$WORK/err" && fail "a raw escape character reached the terminal"
# Valid UTF-8 is kept as it is.
printf '{"format": "nope"}' >"été.json"
expect_exit 1 "$LIFT3D" infer "$M" --input "été.json" --output out.npy --width 10 --height 10
expect_one_line_error "été.json: unknown format"

# A huge value quoted from a file is cut.
$PYTHON -c 'import json; print(json.dumps({"format": "x" * 100000}))' >long.json
expect_exit 1 "$LIFT3D" infer "$M" --input long.json --output out.npy --width 10 --height 10
expect_one_line_error "long.json: unknown format" "bytes in all]"
bytes=$(wc -c <"$WORK/err")
((bytes < 2200)) || fail "the error line is $bytes bytes long"

# Readable ranges; NaN refused.
for option in "--width -3" "--height 0" "--threads 0" "--chunk-frames 0" "--camera -1"; do
  # shellcheck disable=SC2086
  expect_exit 2 "$LIFT3D" infer --input "$SAMPLE" --output out.npy $option
  expect_one_line_error "${option%% *}: expected a whole number"
  bytes=$(wc -c <"$WORK/err")
  ((bytes < 120)) || fail "$option: the error line is $bytes bytes long: $(cat "$WORK/err")"
done
for value in nan inf -1 1.5; do
  expect_exit 2 "$LIFT3D" infer --input "$SAMPLE" --output out.npy --min-score "$value"
  expect_one_line_error "--min-score: expected a number from 0 to 1, got '$value'"
done
expect_exit 2 "$LIFT3D" eval "$M" --dataset h36m --data-3d a.npz --data-2d b.npz --max-mpjpe nan
expect_one_line_error "--max-mpjpe: expected a number"
expect_no_file out.npy
finish
