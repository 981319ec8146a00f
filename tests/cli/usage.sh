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

# Half an image size: the message names the half given and what completes it.
COCO=$SOURCE/tests/fixtures/formats/coco_results.json
expect_exit 2 "$LIFT3D" infer --input "$COCO" --width 640 --output "$WORK/x.json"
expect_one_line_error "coco_results.json: --width 640 was given without --height" "--image-size 640xH"
expect_exit 2 "$LIFT3D" infer --input "$COCO" --height 480 --output "$WORK/x.json"
expect_one_line_error "--height 480 was given without --width" "--image-size Wx480"
expect_exit 2 "$LIFT3D" infer --input "$COCO" --output "$WORK/x.json"
expect_one_line_error "coco_results.json: the file does not give the image size" "--image-size WxH" "--size-from"
expect_no_file "$WORK/x.json"

# Joints with score 0 are undetected, whatever --min-score is; the refusal says so.
$PYTHON - "$WORK/legless.json" <<'PY'
import json, sys
joints = [[100 + j * 5, 100 + j * 20, 0.0 if j >= 11 else 0.9] for j in range(17)]
json.dump({"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco", "image_width": 640,
           "image_height": 480, "keypoints": [joints] * 4}, open(sys.argv[1], "w"))
PY
expect_exit 1 "$LIFT3D" infer --input "$WORK/legless.json" --missing-joints refuse --output "$WORK/x.json"
expect_one_line_error "legless.json" "never usable (not detected in all 4 frames)"
grep -q "below --min-score 0" "$WORK/err" && fail "score-0 joints called below --min-score 0: $(cat "$WORK/err")"
expect_no_file "$WORK/x.json"
finish
