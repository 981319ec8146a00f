#!/usr/bin/env python3
"""Golden run of VideoPose3D's own run.py training, for lift3d's end-to-end training test.

Usage: /usr/bin/python3 tools/make_training_run_fixtures.py /path/to/VideoPose3D-checkout

Copies the checkout to a temporary directory, places the tiny Human3.6M fixtures where run.py looks for
them (data/data_3d_h36m.npz and data/data_2d_h36m_tiny.npz, from tests/fixtures/eval), writes a
starting checkpoint checkpoint/init.bin (epoch 0, lr 0.001, model_pos of the strided training model
from torch's default initialisation with seed 0, optimizer None: run.py then starts Adam afresh and
shuffles from seed 1234, exactly as a fresh run), and runs

  run.py -k tiny -str S1,S9 -ste S11 -arc 3,3 -ch 16 -drop 0 -e 3 -b 64 -c checkpoint \
         --resume init.bin --checkpoint-frequency 1

on the CPU, then once more resuming from its own epoch_2.bin (run.py keeps the BatchNorm momentum at 0.1
in the first epoch after a resume, so that third epoch differs from the uninterrupted run's). Writes
tests/fixtures/training/run_py/: init.bin, epoch_2.bin and epoch_3.bin as run.py saved them (model_pos,
optimizer, random_state, ...), resumed_epoch_3.bin, and epochs.txt / resumed_epochs.txt, run.py's
epoch lines. Nothing of
VideoPose3D is copied into this repository.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_training_fixtures import StridedTemporalModel  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / 'tests' / 'fixtures' / 'training' / 'run_py'
ARGS = ['-k', 'tiny', '-str', 'S1,S9', '-ste', 'S11', '-arc', '3,3', '-ch', '16', '-drop', '0', '-e', '3',
        '-b', '64', '-c', 'checkpoint', '--resume', 'init.bin', '--checkpoint-frequency', '1']


def main():
    checkout = pathlib.Path(sys.argv[1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp) / 'vp3d'
        shutil.copytree(checkout, work, ignore=shutil.ignore_patterns('.git'))
        (work / 'data').mkdir(exist_ok=True)
        shutil.copy(ROOT / 'tests/fixtures/eval/data_3d_h36m_tiny.npz', work / 'data/data_3d_h36m.npz')
        shutil.copy(ROOT / 'tests/fixtures/eval/data_2d_h36m_tiny.npz', work / 'data/data_2d_h36m_tiny.npz')
        (work / 'checkpoint').mkdir()
        torch.manual_seed(0)
        model = StridedTemporalModel(17, 2, 17, [3, 3], False, 16)
        torch.save({'epoch': 0, 'lr': 0.001, 'model_pos': model.state_dict(), 'optimizer': None,
                    'model_traj': None, 'random_state_semi': None}, work / 'checkpoint/init.bin')
        env = dict(os.environ, CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')

        def run(args, lines_file):
            result = subprocess.run([sys.executable, 'run.py', *args], cwd=work, env=env, capture_output=True,
                                    text=True)
            if result.returncode != 0:
                sys.exit('run.py failed:\n' + result.stdout + result.stderr)
            lines = [line for line in result.stdout.splitlines() if line.startswith('[')]
            (OUT / lines_file).write_text('\n'.join(lines) + '\n')
            print('\n'.join(lines))

        run(ARGS, 'epochs.txt')
        for name in ('init.bin', 'epoch_2.bin', 'epoch_3.bin'):
            shutil.copy(work / 'checkpoint' / name, OUT / name)
        run([a if a != 'init.bin' else 'epoch_2.bin' for a in ARGS], 'resumed_epochs.txt')
        shutil.copy(work / 'checkpoint' / 'epoch_3.bin', OUT / 'resumed_epoch_3.bin')


if __name__ == '__main__':
    main()
