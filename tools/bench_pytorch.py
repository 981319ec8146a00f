#!/usr/bin/python3
"""lift3d versus PyTorch on the same machine, the same checkpoint and the same input.

  bench_pytorch.py make    --dir D --frames T [--arc 3,3,3,3,3 --channels 1024] [--optimizer]
      writes D/model.bin (random VideoPose3D checkpoint) and D/input.npz (VideoPose3D custom 2D file);
      with --optimizer the checkpoint is laid out like the official ones (legacy format, epoch, lr,
      random_state, the AMSGrad Adam state, model_pos: 271 MB for the 243-frame model)
  bench_pytorch.py run     --dir D --threads N [--no-tta]
      the PyTorch side: loads both, lifts the sequence as run.py does (edge padding, flip TTA in one
      batch of two), prints the seconds the lifting took
  bench_pytorch.py compare --lift3d BIN --frames T --threads N [--runs 5] [--repeat 3] [--no-tta] [--optimizer]
      makes the inputs, then runs `runs` rounds of `repeat` alternating lift3d and PyTorch runs,
      and prints the median over rounds of the frames/s ratio lift3d / PyTorch (each side's
      fastest run of the round), each side's peak resident memory (max RSS of the process) and the
      median time each takes to load the checkpoint; with --tta-cost, lift3d alone, alternating runs
      with and without flip TTA, and the median ratio of their times

Both sides are timed around the lifting only (normalisation, padding, the model, flip TTA; not the
imports, checkpoint and file loading): PyTorch by this script, lift3d by its own `--timing` report.
The lift3d whole-process time (loading and writing included) is printed as well.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

COCO_LEFT = [1, 3, 5, 7, 9, 11, 13, 15]
COCO_RIGHT = [2, 4, 6, 8, 10, 12, 14, 16]
H36M_LEFT = [4, 5, 6, 11, 12, 13]
H36M_RIGHT = [1, 2, 3, 14, 15, 16]
WIDTH, HEIGHT = 1000, 1000


def make(directory, frames, arc, channels, optimizer=False, seed=0):
    import torch
    import vp3d_oracle as oracle
    os.makedirs(directory, exist_ok=True)
    torch.manual_seed(seed)
    model = oracle.TemporalModel(17, 2, 17, arc, channels=channels)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith('running_var'):
                tensor.uniform_(0.5, 2.0)
            elif name.endswith('running_mean') or name.endswith('.bias'):
                tensor.uniform_(-0.1, 0.1)
    path = os.path.join(directory, 'model.bin')
    if optimizer:
        from make_model_fixtures import optimizer_state
        rng_state = np.random.RandomState(seed)
        checkpoint = {'epoch': 80, 'lr': 0.001 * 0.95 ** 80, 'random_state': rng_state,
                      'optimizer': optimizer_state([model], rng_state, True, 0.001), 'model_pos': model.state_dict()}
        torch.save(checkpoint, path, _use_new_zipfile_serialization=False)
    else:
        torch.save({'epoch': 1, 'lr': 0.001, 'model_pos': model.state_dict()}, path)
    rng = np.random.default_rng(seed)
    keypoints = rng.uniform(100, 900, size=(frames, 17, 2)).astype(np.float32)
    metadata = {'layout_name': 'coco', 'num_joints': 17, 'keypoints_symmetry': [COCO_LEFT, COCO_RIGHT],
                'video_metadata': {'bench': {'w': WIDTH, 'h': HEIGHT}}}
    np.savez(os.path.join(directory, 'input.npz'), positions_2d={'bench': {'custom': [keypoints]}},
             metadata=metadata)


def run(directory, threads, tta):
    """Prints: forward wall s, torch.load s, forward CPU s, and the whole job's wall s (torch.load +
    model build + input read + forward + np.save of the prediction; the interpreter's start and
    imports excluded)."""
    import torch
    import vp3d_oracle as oracle
    torch.set_num_threads(threads)
    job_start = time.perf_counter()
    start = time.perf_counter()
    state = torch.load(os.path.join(directory, 'model.bin'), map_location='cpu')['model_pos']
    load_seconds = time.perf_counter() - start
    model = oracle.model_from_state_dict(state, 17)
    data = np.load(os.path.join(directory, 'input.npz'), allow_pickle=True)  # our own file
    keypoints = data['positions_2d'].item()['bench']['custom'][0]
    start, start_cpu = time.perf_counter(), time.process_time()
    normalized = oracle.normalize_screen_coordinates(keypoints, WIDTH, HEIGHT)
    prediction = oracle.run_sequence(model, normalized, tta, COCO_LEFT, COCO_RIGHT, H36M_LEFT, H36M_RIGHT)
    forward_seconds, forward_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    np.save(os.path.join(directory, 'out_torch.npy'), prediction)
    job_seconds = time.perf_counter() - job_start
    print('%.6f %.6f %.6f %.6f' % (forward_seconds, load_seconds, forward_cpu, job_seconds))


def timed(command):
    """Runs a command; returns (wall seconds, peak RSS in MiB, stdout, stderr, CPU seconds).

    Peak memory comes from GNU time (/usr/bin/time), which forks from a small process: a child
    forked from this Python process would count the parent's memory at fork time in its maximum.
    """
    with tempfile.NamedTemporaryFile('r', suffix='.rss') as rss:
        start = time.perf_counter()
        process = subprocess.run(['/usr/bin/time', '-f', '%M %U %S', '-o', rss.name] + command, capture_output=True)
        wall = time.perf_counter() - start
        if process.returncode != 0:
            raise SystemExit('command failed (%d): %s\n%s' % (process.returncode, ' '.join(command),
                                                               process.stderr.decode()))
        peak_kib, user, system = rss.read().strip().splitlines()[-1].split()
    return wall, int(peak_kib) / 1024.0, process.stdout.decode(), process.stderr.decode(), float(user) + float(system)


def lift3d_timing(stderr):
    """(load seconds, lift seconds) from lift3d's `--timing` line."""
    load = float(stderr.split('timing: load ')[1].split(' s')[0])
    lift = float(stderr.split(' lift ')[1].split(' s')[0])
    return load, lift


def tta_cost(args, lift3d_cmd):
    """Median over rounds of lift3d's time with flip TTA / without (each side's best of the round)."""
    ratios = []
    for round_index in range(args.runs):
        with_tta, without = [], []
        for _ in range(args.repeat):
            for tta, times in ((True, with_tta), (False, without)):
                err = timed(lift3d_cmd + ([] if tta else ['--no-tta']))[3]
                times.append(lift3d_timing(err)[1])
        ratios.append(min(with_tta) / min(without))
        print('round %d (best of %d each): lift3d %.3f s with flip TTA, %.3f s without, cost %.3fx'
              % (round_index + 1, args.repeat, min(with_tta), min(without), ratios[-1]), flush=True)
    print('arc %s, %d channels, T=%d, %d thread(s): flip TTA costs %.3fx the time without (median of rounds)'
          % (args.arc, args.channels, args.frames, args.threads, statistics.median(ratios)))


def compare(args):
    with tempfile.TemporaryDirectory(prefix='lift3d-bench-') as directory:
        # In a child process, so that this driver never imports torch (see timed()).
        subprocess.run([sys.executable, os.path.abspath(__file__), 'make', '--dir', directory, '--frames',
                        str(args.frames), '--arc', args.arc, '--channels', str(args.channels)] +
                       (['--optimizer'] if args.optimizer else []), check=True)
        lift3d_cmd = [args.lift3d, 'infer', os.path.join(directory, 'model.bin'), '--input',
                      os.path.join(directory, 'input.npz'), '--output', os.path.join(directory, 'out.npy'),
                      '--threads', str(args.threads), '--timing']
        if args.tta_cost:
            return tta_cost(args, lift3d_cmd)
        lift3d_cmd += ['--no-tta'] if args.no_tta else []
        torch_cmd = [sys.executable, os.path.abspath(__file__), 'run', '--dir', directory, '--threads',
                     str(args.threads)] + (['--no-tta'] if args.no_tta else [])
        ratios, ours_fps, theirs_fps, ours_rss, theirs_rss, process_fps, job_fps = [], [], [], [], [], [], []
        ours_load, theirs_load = [], []
        cpu_ratios = []
        for round_index in range(args.runs):
            # A round alternates `repeat` runs of each side and keeps each side's fastest: other
            # tenants of a shared machine only ever add time, so the best of a few is the steadiest
            # estimate of what each can do, and both sides are treated alike.
            round_ours, round_theirs, round_process, round_job = [], [], [], []
            cpu_rounds, torch_cpu_rounds = [], []
            for _ in range(args.repeat):
                wall_ours, rss_ours, _, err, cpu_ours = timed(lift3d_cmd)
                cpu_rounds.append(cpu_ours)
                load_ours, lift_ours = lift3d_timing(err)
                round_ours.append(args.frames / lift_ours)
                ours_load.append(load_ours)
                round_process.append(args.frames / wall_ours)
                ours_rss.append(rss_ours)
                _, rss_theirs, out, _, _ = timed(torch_cmd)
                seconds_theirs, load_theirs, cpu_theirs, job_theirs = map(float, out.strip().splitlines()[-1].split())
                round_job.append(args.frames / job_theirs)
                torch_cpu_rounds.append(cpu_theirs)
                round_theirs.append(args.frames / seconds_theirs)
                theirs_load.append(load_theirs)
                theirs_rss.append(rss_theirs)
            ours_fps.append(max(round_ours))
            theirs_fps.append(max(round_theirs))
            process_fps.append(max(round_process))
            job_fps.append(max(round_job))
            ratios.append(ours_fps[-1] / theirs_fps[-1])
            # CPU seconds: PyTorch's forward alone against lift3d's whole process (loading and
            # writing included): on a shared machine steadier than wall time, but comparable only
            # while PyTorch keeps to its threads (its CPU seconds per wall second near --threads).
            cpu_ratios.append(min(torch_cpu_rounds) / min(cpu_rounds))
            print('round %d (best of %d each): lift3d %.0f frames/s (whole process %.0f frames/s), pytorch %.0f '
                  'frames/s, ratio %.3f; CPU s: lift3d process %.3f, pytorch forward %.3f, ratio %.3f'
                  % (round_index + 1, args.repeat, ours_fps[-1], process_fps[-1], theirs_fps[-1], ratios[-1],
                     min(cpu_rounds), min(torch_cpu_rounds), cpu_ratios[-1]), flush=True)
        print('arc %s, %d channels, T=%d, %d thread(s), %s: median ratio lift3d/pytorch = %.3f '
              '(lift3d %.0f frames/s, pytorch %.0f frames/s; lift3d whole process incl. loading %.0f frames/s, '
              'ratio %.3f); peak RSS lift3d %.0f MiB, pytorch %.0f MiB'
              % (args.arc, args.channels, args.frames, args.threads, 'no TTA' if args.no_tta else 'flip TTA',
                 statistics.median(ratios), statistics.median(ours_fps), statistics.median(theirs_fps),
                 statistics.median(process_fps), statistics.median(process_fps) / statistics.median(theirs_fps),
                 max(ours_rss), max(theirs_rss)))
        print('whole job: lift3d process (start, load, lift, write) %.0f frames/s, PyTorch torch.load + forward + '
              'np.save (interpreter start and imports excluded) %.0f frames/s: ratio %.3f'
              % (statistics.median(process_fps), statistics.median(job_fps),
                 statistics.median(process_fps) / statistics.median(job_fps)))
        print('CPU time (on a shared machine steadier than wall time): PyTorch forward / lift3d whole process, '
              'median over rounds = %.3f' % statistics.median(cpu_ratios))
        print('checkpoint (%.0f MB) and input loading, median: lift3d %.3f s; torch.load of the checkpoint alone %.3f s'
              % (os.path.getsize(os.path.join(directory, 'model.bin')) / 1e6, statistics.median(ours_load),
                 statistics.median(theirs_load)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('make')
    p.add_argument('--dir', required=True)
    p.add_argument('--frames', type=int, required=True)
    p.add_argument('--arc', default='3,3,3,3,3')
    p.add_argument('--channels', type=int, default=1024)
    p.add_argument('--optimizer', action='store_true')
    p = sub.add_parser('run')
    p.add_argument('--dir', required=True)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--no-tta', action='store_true')
    p = sub.add_parser('compare')
    p.add_argument('--lift3d', required=True)
    p.add_argument('--frames', type=int, default=10000)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--runs', type=int, default=5, help='rounds; the median ratio over rounds is reported')
    p.add_argument('--repeat', type=int, default=3, help='alternating runs per side in a round (its fastest counts)')
    p.add_argument('--arc', default='3,3,3,3,3')
    p.add_argument('--channels', type=int, default=1024)
    p.add_argument('--no-tta', action='store_true')
    p.add_argument('--optimizer', action='store_true')
    p.add_argument('--tta-cost', action='store_true', help='lift3d only: time with flip TTA / without')
    args = parser.parse_args()
    if args.command == 'make':
        make(args.dir, args.frames, [int(w) for w in args.arc.split(',')], args.channels, args.optimizer)
    elif args.command == 'run':
        run(args.dir, args.threads, not args.no_tta)
    else:
        compare(args)


if __name__ == '__main__':
    main()
