#!/usr/bin/python3
"""A whole Human3.6M-size evaluation: `lift3d eval` against VideoPose3D's own `run.py --evaluate` on the
same host, the same data and the same checkpoint; prints both times, CPU seconds, peak memories, the
ratio, and checks that both print the same protocol averages.

Usage:
  /usr/bin/python3 tools/bench_eval_vs_runpy.py --checkout VideoPose3D-checkout --lift3d build/lift3d \
      [--scale 1.0] [--threads 2] [--arc 3,3,3,3,3] [--channels 1024] [--data-dir DIR] [--runs 1]

The data stand in for Human3.6M's test set (S9 and S11, 30 actions each, 4 cameras, about 2,100
frames per video at --scale 1: about 509,000 frames through the model): forward-kinematics motion in
metres (tools/make_eval_fixtures.py's generator) seen through the dataset's real cameras with noise,
written as data_3d_h36m.npz and data_2d_h36m_bench.npz in VideoPose3D's layouts. The checkpoint has
random weights and BatchNorm statistics (tools/bench_pytorch.py's), so the errors are large; they are
the same on both sides, which is the point. --data-dir keeps the generated files for later runs.

Both sides run with --threads threads (run.py through OMP_NUM_THREADS, which sizes PyTorch's pool).
Nothing of VideoPose3D is copied into this repository; the checkout is used in a temporary copy.
"""
import argparse
import os
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

TOOLS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

ACTIONS = ['Directions', 'Discussion', 'Eating', 'Greeting', 'Phoning', 'Photo', 'Posing', 'Purchases',
           'Sitting', 'SittingDown', 'Smoking', 'Waiting', 'WalkDog', 'Walking', 'WalkTogether']
# The motion generator knows a few movement kinds; each Human3.6M action borrows one.
MOTION_OF = {'Directions': 'Directions', 'Discussion': 'Gestures', 'Eating': 'Eating', 'Greeting': 'Gestures',
             'Phoning': 'Directions', 'Photo': 'Directions', 'Posing': 'Gestures', 'Purchases': 'Walking',
             'Sitting': 'Sitting', 'SittingDown': 'SittingDown', 'Smoking': 'Eating', 'Waiting': 'Directions',
             'WalkDog': 'WalkDog', 'Walking': 'Walking', 'WalkTogether': 'WalkTogether'}
SUBJECTS = ['S9', 'S11']
KEYPOINTS = 'bench'
AVERAGE = re.compile(r'^(Protocol #\d|Velocity).*action-wise average: .*$', re.M)


def make_data(directory, scale, seed=0):
    """Writes data_3d_h36m.npz and data_2d_h36m_bench.npz; returns the number of 2D frames."""
    import make_eval_fixtures as ef
    rng = np.random.default_rng(seed)
    intrinsics, extrinsics = ef.load_camera_table('h36m')
    positions_3d, positions_2d, total = {}, {}, 0
    for subject in SUBJECTS:
        for action in ACTIONS:
            for take in ('', ' 1'):
                name = action + take
                frames = max(300, int(rng.integers(1000, 3250) * scale))
                world32 = ef.motion(rng, MOTION_OF[action], frames, 50, ef.H36M_PARENTS_32, ef.H36M_OFFSETS_32,
                                    ef.H36M_RIG, 0.93)
                positions_3d.setdefault(subject, {})[name] = world32
                world17 = world32[:, ef.H36M_KEPT]
                views = [ef.noisy(rng, ef.h36m_pixels(world17, intr, extrinsics[subject][c]), 2.5)
                         for c, intr in enumerate(intrinsics)]
                positions_2d.setdefault(subject, {})[name] = views
                total += 4 * frames
    metadata = {'layout_name': 'h36m', 'num_joints': 17,
                'keypoints_symmetry': [[4, 5, 6, 11, 12, 13], [1, 2, 3, 14, 15, 16]]}
    np.savez(os.path.join(directory, 'data_3d_h36m.npz'), positions_3d=positions_3d)
    np.savez(os.path.join(directory, 'data_2d_h36m_%s.npz' % KEYPOINTS), positions_2d=positions_2d,
             metadata=metadata)
    return total


def make_checkpoint(directory, arc, channels):
    subprocess.run([sys.executable, str(TOOLS / 'bench_pytorch.py'), 'make', '--dir', directory, '--frames', '1',
                    '--arc', arc, '--channels', str(channels)], check=True)


def timed(command, cwd=None, env=None):
    """(wall s, CPU s, peak RSS MiB, stdout) of a command, through GNU time."""
    with tempfile.NamedTemporaryFile('r', suffix='.time') as report:
        start = time.perf_counter()
        run = subprocess.run(['/usr/bin/time', '-f', '%M %U %S', '-o', report.name] + command, cwd=cwd, env=env,
                             capture_output=True, text=True)
        wall = time.perf_counter() - start
        if run.returncode != 0:
            raise SystemExit('failed (%d): %s\n%s' % (run.returncode, ' '.join(command), run.stderr[-3000:]))
        peak_kib, user, system = report.read().split('\n')[-2].split()
    return wall, float(user) + float(system), int(peak_kib) / 1024, run.stdout


def cpu_name():
    for line in open('/proc/cpuinfo'):
        if line.startswith('model name'):
            return line.split(':', 1)[1].strip()
    return platform.processor()


def instruction_sets():
    flags = next((line.split(':', 1)[1].split() for line in open('/proc/cpuinfo') if line.startswith('flags')), [])
    wanted = ['avx2', 'fma', 'avx512f', 'avx512_bf16', 'amx_tile']
    return ', '.join(flag for flag in wanted if flag in flags) or 'no AVX2'


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--checkout', required=True, help='a VideoPose3D checkout (run.py, common/)')
    parser.add_argument('--lift3d', required=True)
    parser.add_argument('--scale', type=float, default=1.0, help='video lengths relative to Human3.6M test size')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--arc', default='3,3,3,3,3')
    parser.add_argument('--channels', type=int, default=1024)
    parser.add_argument('--data-dir', help='keep (or reuse) the generated data and checkpoint here')
    parser.add_argument('--runs', type=int, default=1, help='alternating runs per side; the fastest counts')
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix='lift3d-bench-eval-') as scratch:
        data = args.data_dir or os.path.join(scratch, 'data')
        os.makedirs(data, exist_ok=True)
        stamp = os.path.join(data, 'frames_%g_%s_%d.txt' % (args.scale, args.arc.replace(',', ''), args.channels))
        if not os.path.exists(stamp):
            frames = make_data(data, args.scale)
            make_checkpoint(data, args.arc, args.channels)
            pathlib.Path(stamp).write_text(str(frames))
        frames = int(pathlib.Path(stamp).read_text())

        copy = pathlib.Path(scratch) / 'vp3d'
        shutil.copytree(args.checkout, copy, ignore=shutil.ignore_patterns('.git', 'data', 'checkpoint'))
        (copy / 'data').mkdir()
        (copy / 'checkpoint').mkdir()
        for name in ('data_3d_h36m.npz', 'data_2d_h36m_%s.npz' % KEYPOINTS):
            os.symlink(os.path.join(os.path.abspath(data), name), copy / 'data' / name)
        os.symlink(os.path.join(os.path.abspath(data), 'model.bin'), copy / 'checkpoint' / 'model.bin')

        threads = str(args.threads)
        env = dict(os.environ, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        run_py = [sys.executable, 'run.py', '-d', 'h36m', '-k', KEYPOINTS, '-arc', args.arc, '-ch',
                  str(args.channels), '-c', 'checkpoint', '--evaluate', 'model.bin']
        lift3d = [os.path.abspath(args.lift3d), 'eval', os.path.join(data, 'model.bin'), '--dataset', 'h36m',
                  '--data-3d', os.path.join(data, 'data_3d_h36m.npz'),
                  '--data-2d', os.path.join(data, 'data_2d_h36m_%s.npz' % KEYPOINTS), '--threads', threads]
        ours, theirs = [], []
        for round_index in range(args.runs):
            ours.append(timed(lift3d))
            theirs.append(timed(run_py, cwd=copy, env=env))
            print('run %d: lift3d eval %.1f s (CPU %.1f s, peak %.0f MiB); run.py --evaluate %.1f s '
                  '(CPU %.1f s, peak %.0f MiB)' % ((round_index + 1,) + ours[-1][:3] + theirs[-1][:3]), flush=True)

        lines_ours = [m.group(0) for m in AVERAGE.finditer(ours[0][3])]
        lines_theirs = [m.group(0) for m in AVERAGE.finditer(theirs[0][3])]
        same = len(lines_ours) == 4 and lines_ours == lines_theirs
        best_ours, best_theirs = min(ours), min(theirs)
        print('host: %s (%s), %d thread(s); %d videos, %d frames through the %s/%d-channel model, flip TTA'
              % (cpu_name(), instruction_sets(), args.threads, len(SUBJECTS) * len(ACTIONS) * 2 * 4, frames,
                 args.arc, args.channels))
        print('lift3d eval %.1f s, run.py --evaluate %.1f s: ratio %.2fx (CPU s %.1f against %.1f; peak RSS '
              '%.0f MiB against %.0f MiB)' % (best_ours[0], best_theirs[0], best_theirs[0] / best_ours[0],
                                              best_ours[1], best_theirs[1], best_ours[2], best_theirs[2]))
        print('printed averages %s' % ('identical' if same else 'DIFFER'))
        for line in lines_ours if same else lines_ours + ['-- run.py:'] + lines_theirs:
            print('  ' + line)
        sys.exit(0 if same else 1)


if __name__ == '__main__':
    main()
