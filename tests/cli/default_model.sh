# The README's first command: the shipped default model on the shipped sample, without naming a
# checkpoint. Its error against the sample's ground truth must be the figure PyTorch measures for the
# shipped weights (data/samples/README.md: MPJPE 87.6 mm with flip TTA; 87.58976 mm unrounded, printed
# by tools/default_model_sample_figures.py), and the custom-npz copy of the sample must give the same 3D.
source "$(dirname "$0")/lib.sh" "$@"
S=$SOURCE/data/samples

expect_exit 0 "$LIFT3D" infer --input "$S/cmu_02_06_coco.json" --output "$WORK/sample.npy"
expect_exit 0 "$LIFT3D" infer --input "$S/cmu_02_06_custom.npz" --output "$WORK/sample_npz.npy"
cmp -s "$WORK/sample.npy" "$WORK/sample_npz.npy" || fail "the JSON and npz copies of the sample give different 3D"
if have_numpy; then
  $PYTHON - "$WORK/sample.npy" "$S/cmu_02_06_gt.npy" <<'PY' || fail "default model accuracy on the sample"
import sys
import numpy as np
pred, gt = np.load(sys.argv[1]), np.load(sys.argv[2])
assert pred.shape == gt.shape == (500, 17, 3), (pred.shape, gt.shape)
gt = gt - gt[:, :1]
mpjpe = np.linalg.norm(pred - gt, axis=-1).mean() * 1000
assert abs(mpjpe - 87.58976) < 0.01, mpjpe
PY
fi
expect_exit 0 "$LIFT3D" inspect "$SOURCE/data/models/default_coco_h36m_81f.bin"
expect_stdout_has "receptive field:  81 frames"
finish
