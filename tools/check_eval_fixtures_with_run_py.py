#!/usr/bin/env python3
"""Cross-checks tests/fixtures/eval/expected_*.json against VideoPose3D's own `run.py --evaluate`.

Usage: /usr/bin/python3 tools/check_eval_fixtures_with_run_py.py /path/to/VideoPose3D-checkout

For every scenario this copies the checkout to a temporary directory and places the fixture files
where run.py looks for them (data/data_3d_<dataset>.npz, data/data_2d_<dataset>_<k>.npz, the
checkpoint in -c). It runs run.py with the scenario's options (-arc/-ch of the checkpoint,
-ste/-a/--by-subject/-no-tta/--causal/--dense), reads the per-group values and average lines it
prints, and reports the largest difference from the expected files. The printed lines must be
identical.

One line of the temporary copy is patched. run.py builds a trajectory model whenever the checkpoint
has a 'model_traj' key, and fails on load_state_dict(None) when the value is None, as it is in the
fixtures arc353, dense333 and arc5333. The patch skips a None value; lift3d eval ignores trajectory
models. Nothing of VideoPose3D is copied into this repository.
"""
import glob
import json
import math
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ARCHITECTURES = {'arc353': ('3,5,3', 24), 'arc3333_causal': ('3,3,3,3', 16), 'arc3_single': ('3', 8),
                 'dense333': ('3,3,3', 16), 'arc333': ('3,3,3', 32), 'arc5333': ('5,3,3,3', 16),
                 'arc33_he15': ('3,3', 20)}
TRAJECTORY_LINE = "if args.evaluate and 'model_traj' in checkpoint:"
TRAJECTORY_PATCH = "if args.evaluate and checkpoint.get('model_traj') is not None:"
METRICS = ("mpjpe", "p_mpjpe", "n_mpjpe", "mpjve")


def run_py_arguments(command):
    """run.py arguments for an expected file's lift3d command."""
    case = os.path.basename(command[1])[:-len('_zip.bin')]
    dataset = command[command.index('--dataset') + 1]
    file_2d = command[command.index('--data-2d') + 1]
    keypoints = os.path.basename(file_2d)[len('data_2d_%s_' % dataset):-len('.npz')]
    widths, channels = ARCHITECTURES[case]
    args = ['-d', dataset, '-k', keypoints, '-arc', widths, '-ch', str(channels), '-c', 'checkpoint',
            '--evaluate', 'model.bin']
    subjects = 'S9,S11' if dataset == 'h36m' else 'Validate/S1,Validate/S2,Validate/S3'
    options = command[command.index('--data-2d') + 2:]
    flags = {'--no-tta': '-no-tta', '--by-subject': '--by-subject', '--causal': '--causal',
             '--dense': '--dense'}
    i = 0
    while i < len(options):
        if options[i] in flags:
            args.append(flags[options[i]])
        elif options[i] == '--subjects-test':
            subjects = options[i + 1]
            i += 1
        elif options[i] == '--actions':
            args += ['-a', options[i + 1]]
            i += 1
        else:
            raise SystemExit('no run.py equivalent for ' + options[i])
        i += 1
    return args + ['-ste', subjects]


def printed_results(stdout):
    """[(subject or None, group, [e1, e2, e3, ev])] and the average lines, as run.py printed them."""
    lines = stdout.splitlines()
    groups, averages, subject = [], [], None
    for i, line in enumerate(lines):
        match = re.match(r'^Evaluating on subject (.*)$', line)
        if match:
            subject = match.group(1)
        match = re.match(r'^----(.+)----$', line)
        if match and match.group(1) != '--':
            values = [float(lines[i + k].split(': ')[1].split(' ')[0]) for k in (2, 3, 4, 5)]
            groups.append((subject, match.group(1), values))
        if 'action-wise average' in line:
            averages.append(line)
    return groups, averages


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    checkout = pathlib.Path(sys.argv[1])
    worst = dict.fromkeys(METRICS, 0.0)
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        copy = pathlib.Path(work) / 'vp3d'
        shutil.copytree(checkout, copy, ignore=shutil.ignore_patterns('.git', 'data', 'checkpoint'))
        source = (copy / 'run.py').read_text()
        (copy / 'run.py').write_text(source.replace(TRAJECTORY_LINE, TRAJECTORY_PATCH))
        for path in sorted(glob.glob(str(FIXTURES / 'eval' / 'expected_*.json'))):
            expected = json.load(open(path))
            command = expected['command']
            dataset = command[command.index('--dataset') + 1]
            shutil.rmtree(copy / 'data', ignore_errors=True)
            (copy / 'data').mkdir()
            (copy / 'checkpoint').mkdir(exist_ok=True)
            args = run_py_arguments(command)
            keypoints = args[args.index('-k') + 1]
            shutil.copy(FIXTURES / command[command.index('--data-3d') + 1],
                        copy / 'data' / ('data_3d_%s.npz' % dataset))
            shutil.copy(FIXTURES / command[command.index('--data-2d') + 1],
                        copy / 'data' / ('data_2d_%s_%s.npz' % (dataset, keypoints)))
            shutil.copy(FIXTURES / command[1], copy / 'checkpoint' / 'model.bin')
            env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
            run = subprocess.run([sys.executable, 'run.py'] + args, cwd=copy, capture_output=True, text=True,
                                 env=env)
            name = os.path.basename(path)
            if run.returncode != 0:
                print('%s: run.py failed:\n%s' % (name, run.stderr[-2000:]))
                failures += 1
                continue
            groups, averages = printed_results(run.stdout)
            problems = []
            if [(s, a) for s, a, _ in groups] != [(g['subject'], g['action']) for g in expected['groups']]:
                problems.append('groups differ: %s' % [(s, a) for s, a, _ in groups])
            else:
                for (_, _, values), group in zip(groups, expected['groups']):
                    for metric, value in zip(METRICS, values):
                        if group[metric] is None:
                            if not math.isnan(value):
                                problems.append('%s %s: run.py %r, expected null'
                                                % (group['action'], metric, value))
                            continue
                        worst[metric] = max(worst[metric], abs(value - group[metric]))
            if averages != expected['printed']:
                problems.append('printed %s, expected %s' % (averages, expected['printed']))
            print('%s: %s' % (name, '; '.join(problems) if problems else 'ok (%d groups)' % len(groups)))
            failures += bool(problems)
    print('largest |run.py - expected| (mm): ' + ', '.join('%s %.3g' % item for item in worst.items()))
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
