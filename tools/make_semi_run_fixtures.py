#!/usr/bin/env python3
"""Golden runs of VideoPose3D's own run.py in semi-supervised mode, for lift3d's semi-supervised training tests.

Usage: /usr/bin/python3 tools/make_semi_run_fixtures.py /path/to/VideoPose3D-checkout [VARIANT ...]
(all variants, and the endless stream, unless some are named; init.bin is written each time, the same bytes)

Copies the checkout to a temporary directory, places the tiny Human3.6M fixtures where run.py looks for
them (data/data_3d_h36m.npz and data/data_2d_h36m_tiny.npz, from tests/fixtures/eval), writes a
starting checkpoint init.bin (epoch 0, lr 0.001, model_pos and model_traj of the strided training model
from torch's default initialisation with seed 0, the pose model first, random_state_semi a fresh
RandomState(4321), optimizer None: run.py then starts Adam afresh and shuffles the labelled examples from
seed 1234, exactly as a fresh run) and runs on the CPU

  run.py -k tiny -str S1 -sun S9 -ste S11 -arc 3,3 -ch 16 -drop 0 -b 50 -c <dir> --resume init.bin
         --checkpoint-frequency 1 <variant>

with these variants:
  semi:     -e 3 (warm-up 1 epoch, projection with distortion, bone-length term)
  resumed:  -e 3 resuming from semi's own epoch_2.bin (the unlabelled generator is part-way through a
            permutation at that point; run.py keeps only its RandomState, so it starts a fresh
            permutation after the resume, and the BatchNorm momentum stays 0.1 in that epoch)
  linear:   -e 2 --linear-projection --no-bone-length --warmup 0
  noproj:   -e 2 --no-proj --warmup 0 -b 100 (one step per epoch: without the reprojection the
            trajectory model's gradient comes from the labelled half of the batch only, and BatchNorm
            all but cancels it in the inner layers, so round-off grows fastest there)
  causal:   -e 2 --causal --warmup 0 -b 100 (windows end at the predicted frame; the reprojection
            target is the window's centre frame, pad frames before it, as run.py takes it)
  stride:   -e 3 --stride 3 (warm-up 1 epoch; run.py then trains both models in their full
            TemporalModel form on chunks of 3 output frames, 50 // 3 = 16 chunks of each kind a batch; the
            reprojection and bone-length terms over every output frame of the chunks)
  full:     -e 2 --disable-optimizations --warmup 0 -b 100 (the full models on one output frame per
            example: BatchNorm statistics over every frame of the windows)
With -b 50, S1's 88 labelled examples (flips included) make 2 batches per epoch (50, 38) and S9's 1144
unlabelled ones 23, so the endless unlabelled stream continues its permutation across epoch ends.

The trajectory model's shrink bias starts at (0, 0, 5) m, where a trained trajectory model sits (the
subjects stand about 5 m from the cameras), instead of torch's near-zero default: with the predicted
root near the camera's centre the projection divides by depths near zero and its x/z, y/z sit at the
clamp's corners, where float32 round-off decides between a gradient and none. run.py then disagrees with
itself (1 thread against 2) by 1e-3 in the weights after two steps, and no comparison can be tighter than
that. From (0, 0, 5) m it agrees with itself to about 1e-6 on these runs; jitter.txt records, per
variant, the largest weight difference between run.py on 1 and on 2 threads.

A few steps only: semi-supervised training on a tiny dataset amplifies round-off (Adam turns
near-zero gradients into full-size steps), so run.py's 1- and 2-thread runs drift apart after some tens
of steps; the variants stay below that.

Also writes endless_stream.npz: the unlabelled batches run.py's loop sees, from the reference's own
ChunkedGenerator (common/generators.py of the checkout, imported, not copied): a labelled generator of 4
batches per epoch zipped with an endless unlabelled one of 7 batches per permutation, the last of 2 (videos of 5, 3 and
5 frames, 2 joints, flips, pad 1, seed 4321) over 5 epochs, so the stream runs on across epoch ends and
draws new permutations inside epochs. Stored: sizes (int64, the 20 batch sizes), inputs_2d (examples,
3, 2, 2) and cameras (examples, 9) of all batches in order, and the generator's MT19937 key and pos
afterwards.

Writes tests/fixtures/training/run_py_semi/: init.bin; <variant>_epochs.txt (run.py's epoch lines);
<variant>_final.bin (torch.save of {'model_pos', 'model_traj'} from run.py's last checkpoint of the
variant); semi_epoch_2.bin as run.py saved it (the resumed variant starts from it). Nothing of
VideoPose3D is copied into this repository.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_training_fixtures import StridedTemporalModel  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / 'tests' / 'fixtures' / 'training' / 'run_py_semi'
COMMON = ['-k', 'tiny', '-str', 'S1', '-sun', 'S9', '-ste', 'S11', '-arc', '3,3', '-ch', '16', '-drop', '0',
          '-b', '50', '--checkpoint-frequency', '1']
VARIANTS = {
    'semi': (['-e', '3'], 'init.bin', 3),
    'linear': (['-e', '2', '--linear-projection', '--no-bone-length', '--warmup', '0'], 'init.bin', 2),
    'noproj': (['-e', '2', '--no-proj', '--warmup', '0', '-b', '100'], 'init.bin', 2),
    'causal': (['-e', '2', '--causal', '--warmup', '0', '-b', '100'], 'init.bin', 2),
    'stride': (['-e', '3', '--stride', '3'], 'init.bin', 3),
    'full': (['-e', '2', '--disable-optimizations', '--warmup', '0', '-b', '100'], 'init.bin', 2),
}


def write_endless_stream(checkout):
    sys.path.insert(0, str(checkout))
    from common.generators import ChunkedGenerator
    lengths = [5, 3, 5]
    poses_2d, cameras = [], []
    for v, n in enumerate(lengths):
        t = np.arange(n, dtype=np.float64)[:, None]
        joints = np.stack([np.concatenate([1 + 100 * v + t + 1000 * j, -(2 + 100 * v + t + 1000 * j)], axis=1)
                           for j in range(2)], axis=1)
        poses_2d.append(joints.astype(np.float32))
        cameras.append(np.array([v + 1, 0, 10 + v, 0, 0, 0, 0, 20 + v, 0], dtype=np.float32))
    labelled = ChunkedGenerator(4, None, [np.zeros((7, 2, 3), np.float32)], [np.zeros((7, 2, 2), np.float32)], 1,
                                pad=1, shuffle=True, augment=True, kps_left=[0], kps_right=[1], joints_left=[0],
                                joints_right=[1])
    semi = ChunkedGenerator(4, cameras, None, poses_2d, 1, pad=1, shuffle=True, random_seed=4321, augment=True,
                            kps_left=[0], kps_right=[1], joints_left=[0], joints_right=[1], endless=True)
    sizes, inputs, cams = [], [], []
    for _ in range(5):
        for _, (cam, _, batch_2d) in zip(labelled.next_epoch(), semi.next_epoch()):
            sizes.append(len(batch_2d))
            inputs.append(batch_2d.astype(np.float32).copy())
            cams.append(cam.astype(np.float32).copy())
    state = semi.random_state().get_state()
    np.savez(OUT / 'endless_stream.npz', sizes=np.array(sizes, dtype=np.int64), inputs_2d=np.concatenate(inputs),
             cameras=np.concatenate(cams), key=state[1].astype(np.int64), pos=np.array(state[2], dtype=np.int64))
    print('endless stream: batch sizes', sizes)


def main():
    checkout = pathlib.Path(sys.argv[1])
    wanted = sys.argv[2:] or ['resumed', *VARIANTS]
    unknown = set(wanted) - set(VARIANTS) - {'resumed'}
    if unknown:
        sys.exit('unknown variants: ' + ', '.join(sorted(unknown)))
    OUT.mkdir(parents=True, exist_ok=True)
    if not sys.argv[2:]:
        write_endless_stream(checkout)
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp) / 'vp3d'
        shutil.copytree(checkout, work, ignore=shutil.ignore_patterns('.git'))
        (work / 'data').mkdir(exist_ok=True)
        shutil.copy(ROOT / 'tests/fixtures/eval/data_3d_h36m_tiny.npz', work / 'data/data_3d_h36m.npz')
        shutil.copy(ROOT / 'tests/fixtures/eval/data_2d_h36m_tiny.npz', work / 'data/data_2d_h36m_tiny.npz')
        torch.manual_seed(0)
        model_pos = StridedTemporalModel(17, 2, 17, [3, 3], False, 16)
        model_traj = StridedTemporalModel(17, 2, 1, [3, 3], False, 16)
        with torch.no_grad():
            model_traj.shrink.bias.copy_(torch.tensor([0.0, 0.0, 5.0]))
        torch.save({'epoch': 0, 'lr': 0.001, 'model_pos': model_pos.state_dict(), 'optimizer': None,
                    'random_state': None, 'model_traj': model_traj.state_dict(),
                    'random_state_semi': np.random.RandomState(4321)}, OUT / 'init.bin')
        jitter_file = OUT / 'jitter.txt'
        kept = jitter_file.read_text().splitlines() if jitter_file.exists() and sys.argv[2:] else []
        jitter = [line for line in kept if line.split()[0] not in wanted]

        def run(name, extra, resume, last_epoch, threads=1):
            env = dict(os.environ, CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS=str(threads))
            directory = work / ('ck_' + name + '_' + str(threads))
            directory.mkdir()
            shutil.copy(OUT / 'init.bin', directory / 'init.bin')
            if resume != 'init.bin':
                shutil.copy(OUT / resume, directory / resume)
            args = [*COMMON, *extra, '-c', str(directory), '--resume', resume]
            result = subprocess.run([sys.executable, 'run.py', *args], cwd=work, env=env, capture_output=True,
                                    text=True)
            if result.returncode != 0:
                sys.exit('run.py failed:\n' + result.stdout + result.stderr)
            last = torch.load(directory / f'epoch_{last_epoch}.bin', map_location='cpu')
            if threads != 1:
                return last
            lines = [line for line in result.stdout.splitlines() if line.startswith('[')]
            (OUT / (name + '_epochs.txt')).write_text('\n'.join(lines) + '\n')
            print(name, '\n'.join(lines), sep='\n')
            torch.save({'model_pos': last['model_pos'], 'model_traj': last['model_traj']}, OUT / (name + '_final.bin'))
            other = run(name, extra, resume, last_epoch, threads=2)
            worst = max((last[m][k].double() - other[m][k].double()).abs().max().item()
                        for m in ('model_pos', 'model_traj') for k in last[m])
            jitter.append(f'{name} {worst:.3g}')
            return directory

        if 'semi' in wanted:
            semi = run('semi', *VARIANTS['semi'])
            shutil.copy(semi / 'epoch_2.bin', OUT / 'semi_epoch_2.bin')
        if 'resumed' in wanted:
            run('resumed', ['-e', '3'], 'semi_epoch_2.bin', 3)
        for name in VARIANTS:
            if name != 'semi' and name in wanted:
                run(name, *VARIANTS[name])
        order = ['semi', 'resumed', *VARIANTS]  # the file's order, whichever variants ran
        jitter.sort(key=lambda line: order.index(line.split()[0]))
        jitter_file.write_text('\n'.join(jitter) + '\n')
        print('\n'.join(jitter))


if __name__ == '__main__':
    main()
