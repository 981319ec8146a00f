# Nothing a user has is lost and nothing hangs: an output never replaces an input of the same run
# or another output (any spelling: ./, absolute, symbolic and hard links), and is refused before any
# work (exit 2, one line) with the input untouched; outputs that are symbolic links are written
# through to their target, pipes, devices and directories are refused; an input that is a pipe or
# a device is refused at once instead of blocking.
source "$(dirname "$0")/lib.sh"
M=$FIXTURES/model/arc333_zip.bin
F=$FIXTURES/formats
E=$FIXTURES/eval
D=$FIXTURES/datasets
SIZE=(--width 640 --height 480)
cd "$WORK" || exit 1
cp "$F/coco_results.json" clip.json
sum() { sha256sum "$1" | cut -d' ' -f1; }
original=$(sum clip.json)
unchanged() { [[ $(sum "$1") == "$2" ]] || fail "$1 was changed"; }

# --output is the input, however spelt.
ln clip.json hard.json
ln -s clip.json soft.json
for output in clip.json ./clip.json "$WORK/clip.json" hard.json soft.json ../"$(basename "$WORK")"/clip.json; do
  expect_exit 2 "$LIFT3D" infer "$M" --input clip.json --output "$output" "${SIZE[@]}"
  expect_one_line_error "would replace --input clip.json"
  unchanged clip.json "$original"
done
# --output-dir is the input's folder and the default name is the input's: a multi-sequence .npz
# dataset is written as .npz by default and used to replace itself.
cp "$D/data_2d_custom_tiny.npz" dataset.npz
dataset_sum=$(sum dataset.npz)
expect_exit 2 "$LIFT3D" infer "$M" --input dataset.npz --output-dir .
expect_one_line_error "./dataset.npz: the output of dataset.npz would replace --input dataset.npz"
unchanged dataset.npz "$dataset_sum"
# The checkpoint is an input too.
cp "$M" model.npy  # a torch checkpoint under any name
expect_exit 2 "$LIFT3D" infer model.npy --input clip.json --output ./model.npy "${SIZE[@]}"
expect_one_line_error "would replace the checkpoint model.npy"

# Two inputs of one batch with the same output name.
mkdir -p a b lifted
cp clip.json a/x.json
cp clip.json b/x.json
expect_exit 2 "$LIFT3D" infer "$M" --input a/x.json b/x.json --output-dir lifted "${SIZE[@]}"
expect_one_line_error "lifted/x.npy: the output of b/x.json and the output of a/x.json are the same file"
[[ -z $(ls lifted) ]] || fail "something was written: $(ls lifted)"

# eval: a report naming a data file or the other report.
cp "$E/data_3d_h36m_tiny.npz" d3.npz
cp "$E/data_2d_h36m_tiny.npz" d2.npz
d3_sum=$(sum d3.npz)
EVAL=(eval "$FIXTURES/model/arc353_zip.bin" --dataset h36m --data-3d d3.npz --data-2d d2.npz)
expect_exit 2 "$LIFT3D" "${EVAL[@]}" --report-json d3.npz
expect_one_line_error "d3.npz: --report-json would replace --data-3d d3.npz"
expect_exit 2 "$LIFT3D" "${EVAL[@]}" --report-md ./d2.npz
expect_one_line_error "--report-md would replace --data-2d d2.npz"
expect_exit 2 "$LIFT3D" "${EVAL[@]}" --report-json report --report-md report
expect_one_line_error "report: --report-md and --report-json are the same file"
unchanged d3.npz "$d3_sum"
expect_no_file report

# Outputs that are not plain files.
printf 'kept' > target.json
ln -s target.json link.json
expect_exit 0 "$LIFT3D" infer "$M" --input clip.json --output link.json "${SIZE[@]}"
[[ -L link.json ]] || fail "the symbolic link was replaced by a file"
grep -q '"format": "lift3d-poses-3d"' target.json || fail "the link's target was not written"
ln -s missing/nowhere.json dangling.json
expect_exit 2 "$LIFT3D" infer "$M" --input clip.json --output dangling.json "${SIZE[@]}"
expect_one_line_error "dangling.json: a symbolic link to a file that does not exist"
mkfifo pipe.json
expect_exit 2 timeout 20 "$LIFT3D" infer "$M" --input clip.json --output pipe.json "${SIZE[@]}"
expect_one_line_error "pipe.json: is a pipe (FIFO); lift3d writes regular files only"
mkdir folder.json
expect_exit 2 "$LIFT3D" infer "$M" --input clip.json --output folder.json "${SIZE[@]}"
expect_one_line_error "folder.json: is a directory; lift3d writes regular files only"
ln -s /dev/null device.json
expect_exit 2 "$LIFT3D" infer "$M" --input clip.json --output device.json "${SIZE[@]}"
expect_one_line_error "device.json: is a device; lift3d writes regular files only"

# Inputs that are not plain files: refused at once (a pipe used to block forever).
expect_exit 1 timeout 20 "$LIFT3D" infer "$M" --input pipe.json --output out.npy "${SIZE[@]}"
expect_one_line_error "pipe.json: is a pipe (FIFO), not a regular file"
expect_exit 1 timeout 20 "$LIFT3D" inspect pipe.json
expect_one_line_error "pipe.json: is a pipe (FIFO), not a regular file"
mkfifo pipe.npz
expect_exit 1 timeout 20 "$LIFT3D" "${EVAL[@]/d3.npz/pipe.npz}"
expect_one_line_error "pipe.npz: is a pipe (FIFO), not a regular file"
expect_exit 1 timeout 20 "$LIFT3D" infer "$M" --input /dev/zero --output out.npy "${SIZE[@]}"
expect_one_line_error "/dev/zero: is a device, not a regular file"
finish
