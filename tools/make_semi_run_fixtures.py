#!/usr/bin/env python3
"""Golden runs of VideoPose3D's own run.py in semi-supervised mode, for lift3d's semi-supervised training tests.

Usage: /usr/bin/python3 tools/make_semi_run_fixtures.py /path/to/VideoPose3D-checkout

Copies the checkout to a temporary directory, places the tiny Human3.6M fixtures where run.py looks for
them (data/data_3d_h36m.npz and data/data_2d_h36m_tiny.npz, from tests/fixtures/eval), writes a
starting checkpoint init.bin (epoch 0, lr 0.001, model_pos and model_traj of the strided training model
from torch's default initialisation with seed 0, the pose model first, random_state_semi a fresh
RandomState(4321), optimizer None: run.py then starts Adam afresh and shuffles the labelled examples from
seed 1234, exactly as a fresh run) and runs on the CPU

  run.py -k tiny -str S9 -sun S1 -ste S11 -arc 3,3 -ch 16 -drop 0 -b 40 -c <dir> --resume init.bin
         --checkpoint-frequency 1 <variant>

with these variants:
  semi:     -e 3 (warm-up 1 epoch, projection with distortion, bone-length term)
  resumed:  -e 3 resuming from semi's own epoch_2.bin (the unlabelled generator is part-way through a
            permutation at that point; run.py keeps only its RandomState, so it starts a fresh
            permutation after the resume, and the BatchNorm momentum stays 0.1 in that epoch)
  linear:   -e 2 --linear-projection --no-bone-length
  noproj:   -e 2 --no-proj --warmup 0
With -b 40, S9's 1144 labelled examples (flips included) make 29 batches per epoch and S1's 88
unlabelled ones 3 (40, 40, 8), so the endless unlabelled stream crosses its permutation boundaries
inside the epochs and at no epoch end.

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
COMMON = ['-k', 'tiny', '-str', 'S9', '-sun', 'S1', '-ste', 'S11', '-arc', '3,3', '-ch', '16', '-drop', '0',
          '-b', '40', '--checkpoint-frequency', '1']
VARIANTS = {
    'semi': (['-e', '3'], 'init.bin', 3),
    'linear': (['-e', '2', '--linear-projection', '--no-bone-length'], 'init.bin', 2),
    'noproj': (['-e', '2', '--no-proj', '--warmup', '0'], 'init.bin', 2),
}


def main():
    checkout = pathlib.Path(sys.argv[1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp) / 'vp3d'
        shutil.copytree(checkout, work, ignore=shutil.ignore_patterns('.git'))
        (work / 'data').mkdir(exist_ok=True)
        shutil.copy(ROOT / 'tests/fixtures/eval/data_3d_h36m_tiny.npz', work / 'data/data_3d_h36m.npz')
        shutil.copy(ROOT / 'tests/fixtures/eval/data_2d_h36m_tiny.npz', work / 'data/data_2d_h36m_tiny.npz')
        torch.manual_seed(0)
        model_pos = StridedTemporalModel(17, 2, 17, [3, 3], False, 16)
        model_traj = StridedTemporalModel(17, 2, 1, [3, 3], False, 16)
        torch.save({'epoch': 0, 'lr': 0.001, 'model_pos': model_pos.state_dict(), 'optimizer': None,
                    'random_state': None, 'model_traj': model_traj.state_dict(),
                    'random_state_semi': np.random.RandomState(4321)}, OUT / 'init.bin')
        env = dict(os.environ, CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')

        def run(name, extra, resume, last_epoch):
            directory = work / ('ck_' + name)
            directory.mkdir()
            shutil.copy(OUT / 'init.bin', directory / 'init.bin')
            if resume != 'init.bin':
                shutil.copy(OUT / resume, directory / resume)
            args = [*COMMON, *extra, '-c', str(directory), '--resume', resume]
            result = subprocess.run([sys.executable, 'run.py', *args], cwd=work, env=env, capture_output=True,
                                    text=True)
            if result.returncode != 0:
                sys.exit('run.py failed:\n' + result.stdout + result.stderr)
            lines = [line for line in result.stdout.splitlines() if line.startswith('[')]
            (OUT / (name + '_epochs.txt')).write_text('\n'.join(lines) + '\n')
            print(name, '\n'.join(lines), sep='\n')
            last = torch.load(directory / f'epoch_{last_epoch}.bin', map_location='cpu')
            torch.save({'model_pos': last['model_pos'], 'model_traj': last['model_traj']}, OUT / (name + '_final.bin'))
            return directory

        semi = run('semi', *VARIANTS['semi'])
        shutil.copy(semi / 'epoch_2.bin', OUT / 'semi_epoch_2.bin')
        run('resumed', ['-e', '3'], 'semi_epoch_2.bin', 3)
        run('linear', *VARIANTS['linear'])
        run('noproj', *VARIANTS['noproj'])


if __name__ == '__main__':
    main()
