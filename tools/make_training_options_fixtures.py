#!/usr/bin/env python3
"""Golden runs of VideoPose3D's own run.py with its data options and its end-of-run evaluation, for
lift3d's training tests.

Usage: /usr/bin/python3 tools/make_training_options_fixtures.py /path/to/VideoPose3D-checkout

Copies the checkout to a temporary directory, places the tiny Human3.6M fixtures where run.py looks for
them (as tools/make_training_run_fixtures.py does), starts every run from the committed starting
checkpoint tests/fixtures/training/run_py/init.bin (optimizer None: a fresh run), and runs

  run.py -k tiny -str S1,S9 -ste S11 -arc 3,3 -ch 16 -drop 0 -e 3 -b 64 -c checkpoint --resume init.bin
         --checkpoint-frequency 3 <variant's options>

on the CPU with one thread, for the variants below (dense: from init_dense.bin, written here). Writes tests/fixtures/training/run_py_options/:
<variant>_epochs.txt (run.py's epoch lines), <variant>_eval.txt (everything run.py prints from
'Evaluating...' on: its end-of-run evaluation of the final model on the test subjects, per action and
averaged, flip test-time augmentation on) and <variant>_final.bin (torch.save of {'model_pos'} from
run.py's last checkpoint). Nothing of VideoPose3D is copied into this repository.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / 'tests' / 'fixtures' / 'training' / 'run_py_options'
INIT = ROOT / 'tests' / 'fixtures' / 'training' / 'run_py' / 'init.bin'
ARGS = ['-k', 'tiny', '-str', 'S1,S9', '-ste', 'S11', '-arc', '3,3', '-ch', '16', '-drop', '0', '-e', '3',
        '-b', '64', '-c', 'checkpoint', '--resume', 'init.bin', '--checkpoint-frequency', '3']
VARIANTS = {
    'plain': [],
    # 5-frame videos: round(2.5) = 2 (Python rounds half to even), 11 frames: round(5.5) = 6
    'subset': ['--subset', '0.5'],
    'downsample': ['--downsample', '2'],
    'subset_downsample': ['--subset', '0.7', '--downsample', '2'],
    # The full TemporalModel on chunks: of 4 frames (batches of 64 // 4 = 16 chunks), of 3 frames with
    # causal convolutions, and dense convolutions at stride 1 (from init_dense.bin: the dense model's
    # kernels have other shapes).
    'stride': ['--stride', '4'],
    'stride_causal': ['--stride', '3', '--causal'],
    'dense': ['--dense'],
    # The full model at stride 1: BatchNorm then sees every frame of each window, not only those the
    # strided form computes, so the run differs from the plain one. Batches of 128 (the later -b wins):
    # at -b 64 this run amplifies float32 round-off after some 20 steps (see the test).
    'no_optimizations': ['--disable-optimizations', '-b', '128'],
}


def write_dense_init(work):
    """init_dense.bin: the reference's own dense TemporalModel (imported from the checkout) with torch's
    default initialisation under seed 0, optimizer None (a fresh run)."""
    sys.path.insert(0, str(work))
    from common.model import TemporalModel  # noqa: E402  (the checkout's, not copied)
    torch.manual_seed(0)
    model = TemporalModel(17, 2, 17, filter_widths=[3, 3], causal=False, dropout=0, channels=16, dense=True)
    torch.save({'epoch': 0, 'lr': 0.001, 'model_pos': model.state_dict(), 'optimizer': None,
                'model_traj': None, 'random_state_semi': None}, OUT / 'init_dense.bin')


def main():
    checkout = pathlib.Path(sys.argv[1])
    only = sys.argv[2:]
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp) / 'vp3d'
        shutil.copytree(checkout, work, ignore=shutil.ignore_patterns('.git'))
        (work / 'data').mkdir(exist_ok=True)
        shutil.copy(ROOT / 'tests/fixtures/eval/data_3d_h36m_tiny.npz', work / 'data/data_3d_h36m.npz')
        shutil.copy(ROOT / 'tests/fixtures/eval/data_2d_h36m_tiny.npz', work / 'data/data_2d_h36m_tiny.npz')
        write_dense_init(work)
        env = dict(os.environ, CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
        for name, options in VARIANTS.items():
            if only and name not in only:
                continue
            shutil.rmtree(work / 'checkpoint', ignore_errors=True)
            (work / 'checkpoint').mkdir()
            shutil.copy(OUT / 'init_dense.bin' if '--dense' in options else INIT, work / 'checkpoint/init.bin')
            result = subprocess.run([sys.executable, 'run.py', *ARGS, *options], cwd=work, env=env,
                                    capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(name + ': run.py failed:\n' + result.stdout + result.stderr)
            lines = result.stdout.splitlines()
            epochs = [line for line in lines if line.startswith('[')]
            evaluation = lines[lines.index('Evaluating...'):]
            (OUT / (name + '_epochs.txt')).write_text('\n'.join(epochs) + '\n')
            (OUT / (name + '_eval.txt')).write_text('\n'.join(evaluation) + '\n')
            last = torch.load(work / 'checkpoint/epoch_3.bin', map_location=lambda s, l: s)
            torch.save({'model_pos': last['model_pos']}, OUT / (name + '_final.bin'))
            print(name)
            print('\n'.join(epochs + evaluation))


if __name__ == '__main__':
    main()
