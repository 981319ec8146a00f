# More threads than the BLAS library serves at once (Debian's OpenBLAS: 64) must not corrupt memory:
# 200 inputs with --threads 256 once crashed (segmentation fault) with that many sequences calling
# the BLAS at the same time. The plan is cut to the BLAS's limit with a note; every output is written.
source "$(dirname "$0")/lib.sh"
SAMPLE=$SOURCE/data/samples/cmu_02_06_coco.json
have_numpy || { echo "skip: numpy"; exit 0; }
$PYTHON - "$SAMPLE" "$WORK/short.json" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
document["keypoints"] = document["keypoints"][:40]
json.dump(document, open(sys.argv[2], "w"))
PY
mkdir -p "$WORK/in" "$WORK/lifted"
inputs=()
for i in $(seq 1 200); do
  cp "$WORK/short.json" "$WORK/in/clip_$i.json"
  inputs+=("$WORK/in/clip_$i.json")
done
expect_exit 0 "$LIFT3D" infer --input "${inputs[@]}" --output-dir "$WORK/lifted" --threads 256
grep -q "lift3d: note: using [0-9]* threads, not 256: the BLAS library is built for at most" "$WORK/err" ||
  fail "no note on the thread limit: $(head -c 300 "$WORK/err")"
written=$(ls "$WORK/lifted" | wc -l)
[[ $written == 200 ]] || fail "$written of 200 outputs written"
cmp -s "$WORK/lifted/clip_1.npy" "$WORK/lifted/clip_200.npy" || fail "the same input gave different outputs"
finish
