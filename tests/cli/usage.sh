# What a newcomer meets before anything is lifted: bare `lift3d` shows the usage, a misspelt option
# or subcommand gets a suggestion, a missing output folder is named as such; all exit 2 (usage)
# with one error line, and nothing is written.
source "$(dirname "$0")/lib.sh"
SAMPLE=$SOURCE/data/samples/cmu_02_06_coco.json

expect_exit 2 "$LIFT3D"
grep -q '^Usage: lift3d \[OPTIONS\] SUBCOMMAND' "$WORK/err" || fail "bare lift3d shows no usage: $(head -c 300 "$WORK/err")"
grep -q 'infer' "$WORK/err" || fail "bare lift3d does not list the subcommands"

expect_exit 2 "$LIFT3D" infer --input "$SAMPLE" --outptu "$WORK/x.json"
expect_one_line_error "unknown option --outptu" "did you mean --output?"
expect_exit 2 "$LIFT3D" infer --input "$SAMPLE" --output "$WORK/x.json" --frmae world
expect_one_line_error "unknown option --frmae" "did you mean --frame?"
expect_exit 2 "$LIFT3D" --quite infer --input "$SAMPLE" --output "$WORK/x.json"
expect_one_line_error "unknown option --quite" "did you mean --quiet?"
# The typo explains the missing required option: it is what the message names.
expect_exit 2 "$LIFT3D" infer --inptu "$SAMPLE" --output "$WORK/x.json"
expect_one_line_error "unknown option --inptu" "did you mean --input?"
expect_exit 2 "$LIFT3D" infr --input "$SAMPLE"
expect_one_line_error "unexpected argument infr" "did you mean infer?"
# Far from every option: no guess.
expect_exit 2 "$LIFT3D" infer --input "$SAMPLE" --output "$WORK/x.json" --zzzzzzzz
expect_one_line_error "unknown option --zzzzzzzz"
grep -q "did you mean" "$WORK/err" && fail "a guess for --zzzzzzzz: $(cat "$WORK/err")"
expect_no_file "$WORK/x.json"

expect_exit 2 "$LIFT3D" infer --input "$SAMPLE" --output "$WORK/missing/folder/x.json"
expect_one_line_error "$WORK/missing/folder/x.json: the folder $WORK/missing/folder does not exist"
expect_exit 2 "$LIFT3D" infer --input "$SAMPLE" --output-dir "$WORK/missing"
expect_one_line_error "$WORK/missing: --output-dir is not an existing directory"
finish
