#!/usr/bin/python3
"""Writes the golden fixtures of lift3d's model and pipeline tests (tests/fixtures/{model,datasets}).

For every case: checkpoints shaped like VideoPose3D's run.py writes them (legacy and zip
torch.save formats) holding seeded random weights with calibrated BatchNorm statistics, and an
npz of expected outputs computed with tools/vp3d_oracle.py. Also writes tiny 2D datasets in
VideoPose3D's npz layouts and the oracle's predictions for them. tests/fixtures/model/README.md
documents every file and array.

  /usr/bin/python3 tools/make_model_fixtures.py               # rewrite tests/fixtures/{model,datasets}
  /usr/bin/python3 tools/make_model_fixtures.py --out DIR     # same files into DIR/{model,datasets}
  /usr/bin/python3 tools/make_model_fixtures.py --large DIR   # 243-frame, 1024-channel case

Deterministic: every random number comes from a seeded numpy RandomState. Only the storage keys
of the legacy-format checkpoints change between runs (torch names them after memory addresses,
as in real pre-1.6 files).
"""

import argparse
import collections
import os
import sys
from dataclasses import dataclass

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vp3d_oracle as oracle  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, 'tests', 'fixtures')

# Image size used for the sequence at each position of the length list (varied on purpose).
RESOLUTIONS = [(1000, 1002), (1920, 1080), (1000, 1000), (720, 1280), (640, 480)]
H36M_RESOLUTIONS = [(1000, 1002), (1000, 1000), (1000, 1000), (1000, 1002)]
HUMANEVA_RESOLUTION = (640, 480)
LAYER_EXTRA_FRAMES = 6  # layers_input has RF + 6 frames, so the model yields 7 output frames


@dataclass
class Case:
    name: str
    filter_widths: list
    channels: int
    layout_in: str       # 2D keypoint layout (kps_left / kps_right)
    skeleton: str        # 3D output skeleton (joints_left / joints_right)
    traj: str            # 'state': model_traj is a state_dict, 'none': key holds None, 'absent'
    causal: bool = False
    dense: bool = False
    batches_tracked: bool = True  # False: BN num_batches_tracked entries left out (pre-0.4.1 files)
    adam_state: bool = True       # False: optimizer state_dict of an Adam that never stepped
    seed: int = 0


CASES = [
    Case('arc333', [3, 3, 3], 32, 'coco', 'h36m', 'state', adam_state=False, seed=333),
    Case('arc353', [3, 5, 3], 24, 'h36m', 'h36m', 'none', adam_state=False, seed=353),
    Case('arc3333_causal', [3, 3, 3, 3], 16, 'h36m', 'h36m', 'absent', causal=True,
         batches_tracked=False, adam_state=False, seed=3333),
    Case('dense333', [3, 3, 3], 16, 'coco', 'h36m', 'none', dense=True, adam_state=False, seed=1333),
    Case('arc33_he15', [3, 3], 20, 'humaneva15', 'humaneva15', 'absent', adam_state=False, seed=33),
    Case('arc3_single', [3], 8, 'h36m', 'h36m', 'state', seed=3),
    Case('arc5333', [5, 3, 3, 3], 16, 'coco', 'h36m', 'none', adam_state=False, seed=5333),
]

LARGE_CASE = Case('arc33333_c1024', [3, 3, 3, 3, 3], 1024, 'h36m', 'h36m', 'none', adam_state=False,
                  seed=33333)
LARGE_LENGTHS = [50, 243, 600]


# --------------------------------------------------------------------------------------------
# Synthetic 2D input

def synthetic_pixels(rng, frames, joints, width, height):
    """A person-like 2D track in pixels: a fixed joint constellation that jitters and sways.
    Coordinates are multiples of 1/8 pixel (as heatmap-based detectors give), which keeps the
    compressed fixtures small."""
    size = min(width, height)
    centre = np.array([width, height], dtype=np.float64) * rng.uniform(0.4, 0.6, 2)
    template = rng.normal(0.0, 0.12 * size, (joints, 2))
    amplitude = rng.uniform(0.005, 0.03, (joints, 2)) * size
    frequency = rng.uniform(0.02, 0.15, (joints, 2))
    phase = rng.uniform(0, 2 * np.pi, (joints, 2))
    sway = rng.uniform(0.0, 0.08, 2) * size
    sway_frequency = rng.uniform(0.002, 0.01)
    t = np.arange(frames, dtype=np.float64)[:, None, None]
    track = (centre + template[None] + amplitude * np.sin(2 * np.pi * frequency * t + phase)
             + sway * np.sin(2 * np.pi * sway_frequency * t) + rng.normal(0.0, 0.8, (frames, joints, 2)))
    return (np.round(track * 8) / 8).astype(np.float32)


def synthetic_normalized(rng, frames, joints):
    width, height = RESOLUTIONS[rng.randint(len(RESOLUTIONS))]
    return oracle.normalize_screen_coordinates(synthetic_pixels(rng, frames, joints, width, height),
                                               width, height)


# --------------------------------------------------------------------------------------------
# Weights

def randomize_model(model, rng, calibration, trajectory=False):
    """Random conv weights and BN affine parameters; BN running statistics and the output conv
    calibrated on `calibration` (each BN gets the per-channel mean/variance of what really reaches
    it, perturbed), so activations and outputs stay in a trained-looking range."""
    def tensor(values):
        return torch.from_numpy(np.asarray(values, dtype=np.float32))

    channels = model.channels
    with torch.no_grad():
        for conv in [model.expand_conv, *model.layers_conv]:
            shape = tuple(conv.weight.shape)
            fan_in = shape[1] * shape[2]
            conv.weight.copy_(tensor(rng.standard_normal(shape) * 1.4 / np.sqrt(fan_in)))
        norms = [model.expand_bn, *model.layers_bn]
        for bn in norms:
            bn.weight.copy_(tensor(rng.uniform(0.5, 1.5, channels)))
            bn.bias.copy_(tensor(rng.normal(0.0, 0.2, channels)))
            bn.num_batches_tracked.fill_(int(rng.randint(1000, 100000)))

        def calibrate(bn, inputs):
            x = inputs[0].double()
            mean = x.mean(dim=(0, 2)).numpy()
            var = x.var(dim=(0, 2), unbiased=False).numpy()
            bn.running_mean.copy_(tensor(mean + rng.normal(0.0, 0.1, channels) * np.sqrt(var)))
            bn.running_var.copy_(tensor(var * rng.uniform(0.7, 1.4, channels) + 1e-3))

        def calibrate_shrink(shrink, inputs):
            # Scale the 1x1 output conv to what reaches it: outputs of about 0.3 m around a pose
            # offset per coordinate (a trajectory: about 0.2 m around a point 4.5 m ahead).
            x = inputs[0].double()
            rms = float(x.pow(2).mean().sqrt())
            mean_in = x.mean(dim=(0, 2)).numpy()
            outputs = shrink.weight.shape[0]
            spread = 0.2 if trajectory else 0.3
            weight = rng.standard_normal((outputs, channels)) * spread / (rms * np.sqrt(channels))
            if trajectory:
                target = np.array([0.1, 0.2, 4.5]) + rng.normal(0.0, 0.05, 3)
            else:
                target = rng.normal(0.0, 0.3, outputs)
            shrink.weight.copy_(tensor(weight[:, :, None]))
            shrink.bias.copy_(tensor(target - weight @ mean_in))

        hooks = [bn.register_forward_pre_hook(calibrate) for bn in norms]
        hooks.append(model.shrink.register_forward_pre_hook(calibrate_shrink))
        model.eval()
        model(torch.from_numpy(calibration))
        for hook in hooks:
            hook.remove()


def saved_state_dict(model, batches_tracked):
    state = model.state_dict()
    if batches_tracked:
        return state
    # Files from PyTorch < 0.4.1: no num_batches_tracked and no BN version metadata.
    return collections.OrderedDict((k, v) for k, v in state.items() if not k.endswith('num_batches_tracked'))


def optimizer_state(models, rng, stepped, lr):
    """A real Adam(amsgrad=True) state_dict over the models' parameters, as run.py builds it.
    It is stepped once on copies with random gradients so that 'state' holds tensors."""
    params = [p.detach().clone().requires_grad_(True) for m in models for p in m.parameters()]
    optimizer = torch.optim.Adam(params, lr=lr, amsgrad=True)
    if stepped:
        for p in params:
            p.grad = torch.from_numpy(rng.normal(0.0, 1e-3, tuple(p.shape)).astype(np.float32))
        optimizer.step()
    return optimizer.state_dict()


def build_models(case, rng):
    rf = oracle.receptive_field(case.filter_widths)
    joints_in = oracle.KEYPOINT_COUNT[case.layout_in]
    joints_out = oracle.SKELETON_COUNT[case.skeleton]
    calibration = np.stack([synthetic_normalized(rng, rf + 40, joints_in) for _ in range(6)])

    def make(out):
        return oracle.TemporalModel(joints_in, 2, out, case.filter_widths, causal=case.causal,
                                    channels=case.channels, dense=case.dense)

    model_pos = make(joints_out)
    randomize_model(model_pos, rng, calibration)
    model_traj = None
    if case.traj == 'state':
        model_traj = make(1)
        randomize_model(model_traj, rng, calibration, trajectory=True)
    return model_pos, model_traj


def checkpoint_dict(case, model_pos, model_traj, rng):
    epoch = int(rng.randint(10, 200))
    lr = float(0.001 * 0.95 ** epoch)
    models = [model_pos] + ([model_traj] if model_traj is not None else [])
    checkpoint = {
        'epoch': epoch,
        'lr': lr,
        'random_state': np.random.RandomState(case.seed),
        'optimizer': optimizer_state(models, rng, case.adam_state, lr),
        'model_pos': saved_state_dict(model_pos, case.batches_tracked),
    }
    if case.traj == 'state':
        checkpoint['model_traj'] = saved_state_dict(model_traj, case.batches_tracked)
        checkpoint['random_state_semi'] = np.random.RandomState(case.seed + 1)
    elif case.traj == 'none':
        checkpoint['model_traj'] = None
        checkpoint['random_state_semi'] = None
    return checkpoint


def write_checkpoints(case, checkpoint, out_dir):
    legacy = os.path.join(out_dir, case.name + '_legacy.bin')
    zipped = os.path.join(out_dir, case.name + '_zip.bin')
    torch.save(checkpoint, legacy, _use_new_zipfile_serialization=False)
    torch.save(checkpoint, zipped, _use_new_zipfile_serialization=True)
    return legacy, zipped


def check_reload(case, path, model_pos, model_traj):
    """The saved file must load into fresh models and reproduce the generating models exactly."""
    loaded = oracle.load_checkpoint(path)
    joints_in = model_pos.joints_in
    pos = oracle.model_from_state_dict(loaded['model_pos'], joints_in, causal=case.causal, dense=case.dense)
    probe = torch.from_numpy(synthetic_normalized(np.random.RandomState(1), pos.receptive_field() + 3,
                                                  joints_in)[None])
    with torch.no_grad():
        assert torch.equal(pos(probe), model_pos(probe)), path
        if model_traj is not None:
            traj = oracle.model_from_state_dict(loaded['model_traj'], joints_in, causal=case.causal,
                                                dense=case.dense)
            assert torch.equal(traj(probe), model_traj(probe)), path
    assert pos.filter_widths == case.filter_widths, (pos.filter_widths, case.filter_widths)


# --------------------------------------------------------------------------------------------
# Expected outputs

def sequence_lengths(rf, base=None):
    if base is None:
        base = [1, 5, rf - 1, rf, 3 * rf + 7]
    lengths = []
    for n in base:
        if n >= 1 and n not in lengths:
            lengths.append(n)
    return lengths


def expected_arrays(case, model_pos, model_traj, rng, lengths):
    kps_left, kps_right = oracle.KEYPOINT_SYMMETRY[case.layout_in]
    joints_left, joints_right = oracle.SKELETON_SIDES[case.skeleton]
    rf = model_pos.receptive_field()
    joints_in = model_pos.joints_in
    out = collections.OrderedDict()
    out['config_filter_widths'] = np.array(case.filter_widths, dtype=np.int64)
    out['config_channels'] = np.array(case.channels, dtype=np.int64)
    out['config_causal'] = np.array(int(case.causal), dtype=np.int64)
    out['config_dense'] = np.array(int(case.dense), dtype=np.int64)
    out['config_joints_in'] = np.array(joints_in, dtype=np.int64)
    out['config_features'] = np.array(2, dtype=np.int64)
    out['config_joints_out'] = np.array(model_pos.joints_out, dtype=np.int64)
    out['config_receptive_field'] = np.array(rf, dtype=np.int64)
    out['config_has_traj'] = np.array(int(model_traj is not None), dtype=np.int64)
    out['config_lengths'] = np.array(lengths, dtype=np.int64)
    out['kps_left'] = np.array(kps_left, dtype=np.int64)
    out['kps_right'] = np.array(kps_right, dtype=np.int64)
    out['joints_left'] = np.array(joints_left, dtype=np.int64)
    out['joints_right'] = np.array(joints_right, dtype=np.int64)

    for i, frames in enumerate(lengths):
        width, height = RESOLUTIONS[i % len(RESOLUTIONS)]
        pixels = synthetic_pixels(rng, frames, joints_in, width, height)
        normalized = oracle.normalize_screen_coordinates(pixels, width, height)
        plain = oracle.predict_video(model_pos, model_traj, normalized, False, kps_left, kps_right,
                                     joints_left, joints_right)
        flipped = oracle.predict_video(model_pos, model_traj, normalized, True, kps_left, kps_right,
                                       joints_left, joints_right)
        key = 'T%d_' % frames
        out[key + 'input_px'] = pixels
        out[key + 'width'] = np.array(width, dtype=np.int64)
        out[key + 'height'] = np.array(height, dtype=np.int64)
        out[key + 'input'] = normalized
        out[key + 'pred_notta'] = plain['pose']
        out[key + 'pred_tta'] = flipped['pose']
        if model_traj is not None:
            out[key + 'traj_notta'] = plain['traj']
            out[key + 'traj_tta'] = flipped['traj']
            # Without a trajectory model the export is pred_tta itself; stored only when it differs.
            out[key + 'export_tta'] = flipped['export']

    # One raw forward pass with every intermediate activation (batch element 0, channels x frames).
    layers_input = synthetic_normalized(rng, rf + LAYER_EXTRA_FRAMES, joints_in)[None]
    activations = []
    with torch.no_grad():
        raw = model_pos(torch.from_numpy(layers_input), activations)
    out['layers_input'] = layers_input.astype(np.float32)
    for k, act in enumerate(activations):
        out['layer%d' % k] = act[0].numpy().astype(np.float32)
    out['raw_output'] = raw.numpy().astype(np.float32)
    return out


def write_case(case, out_dir, lengths=None):
    torch.manual_seed(case.seed)
    rng = np.random.RandomState(case.seed)
    model_pos, model_traj = build_models(case, rng)
    checkpoint = checkpoint_dict(case, model_pos, model_traj, rng)
    for path in write_checkpoints(case, checkpoint, out_dir):
        check_reload(case, path, model_pos, model_traj)
    rf = model_pos.receptive_field()
    arrays = expected_arrays(case, model_pos, model_traj, rng, sequence_lengths(rf, lengths))
    np.savez_compressed(os.path.join(out_dir, case.name + '_expected.npz'), **arrays)
    return model_pos, model_traj


# --------------------------------------------------------------------------------------------
# Datasets in VideoPose3D's npz layouts

def metadata_for(layout):
    left, right = oracle.KEYPOINT_SYMMETRY[layout]
    return {'layout_name': layout, 'num_joints': oracle.KEYPOINT_COUNT[layout],
            'keypoints_symmetry': [list(left), list(right)]}


def dataset_specs():
    """name -> (positions_2d in pixels, metadata, resolution(subject, camera), layout, skeleton)."""
    rng = np.random.RandomState(2024)
    specs = {}

    h36m_lengths = {
        'S9': {'Directions': [50, 51, 50, 52], 'Walking 1': [20, 20, 21, 20]},
        'S11': {'Sitting 1': [30, 30, 31, 30], 'WalkTogether': [9, 9, 10, 9]},
    }
    positions = {}
    for subject, actions in h36m_lengths.items():
        positions[subject] = {}
        for action, lengths in actions.items():
            positions[subject][action] = [synthetic_pixels(rng, n, 17, *H36M_RESOLUTIONS[c])
                                          for c, n in enumerate(lengths)]
    specs['h36m'] = (positions, metadata_for('h36m'), lambda s, c: H36M_RESOLUTIONS[c], 'h36m', 'h36m')

    videos = {'walk.mp4': ((1280, 720), 60), 'clip two.mp4': ((480, 854), 15)}
    positions = {name: {'custom': [synthetic_pixels(rng, n, 17, *res)]} for name, (res, n) in videos.items()}
    metadata = metadata_for('coco')
    metadata['video_metadata'] = {name: {'w': res[0], 'h': res[1]} for name, (res, _) in videos.items()}
    specs['custom'] = (positions, metadata, lambda s, c: videos[s][0], 'coco', 'h36m')

    humaneva_lengths = {
        'Validate/S1': {'Walking 1 chunk0': [30, 30, 30], 'Jog 1 chunk2': [20, 20, 20]},
        'Validate/S2': {'Box 1 chunk0': [7, 7, 7]},
        'Unlabeled/Validate/S1': {'Walking 1 chunk1': [12, 12, 12]},
        'Unlabeled/S2': {'Box 2': [20, 21, 20]},
    }
    positions = {}
    for subject, actions in humaneva_lengths.items():
        positions[subject] = {}
        for action, lengths in actions.items():
            positions[subject][action] = [synthetic_pixels(rng, n, 15, *HUMANEVA_RESOLUTION) for n in lengths]
    specs['humaneva15'] = (positions, metadata_for('humaneva15'), lambda s, c: HUMANEVA_RESOLUTION,
                           'humaneva15', 'humaneva15')
    return specs


DATASET_PAIRS = {
    'h36m': ['arc353'],
    'custom': ['arc333', 'arc5333'],
    'humaneva15': ['arc33_he15'],
}


def write_datasets(out_dir, models):
    for dataset, (positions, metadata, resolution, layout, skeleton) in dataset_specs().items():
        np.savez_compressed(os.path.join(out_dir, 'data_2d_%s_tiny.npz' % dataset),
                            positions_2d=positions, metadata=metadata)
        kps_left, kps_right = metadata['keypoints_symmetry']
        joints_left, joints_right = oracle.SKELETON_SIDES[skeleton]
        for case_name in DATASET_PAIRS[dataset]:
            model_pos, model_traj = models[case_name]
            for tta in (True, False):
                pose, traj, export = {}, {}, {}
                for subject, actions in positions.items():
                    for action, cameras in actions.items():
                        for c, pixels in enumerate(cameras):
                            width, height = resolution(subject, c)
                            normalized = oracle.normalize_screen_coordinates(pixels, width, height)
                            result = oracle.predict_video(model_pos, model_traj, normalized, tta, kps_left,
                                                          kps_right, joints_left, joints_right)
                            key = '%s/%s/%d' % (subject, action, c)
                            pose[key] = result['pose']
                            if model_traj is not None:
                                traj[key] = result['traj']
                                export[key] = result['export']
                mode = 'tta' if tta else 'notta'
                stem = os.path.join(out_dir, 'expected_%s_%s_%s' % (dataset, case_name, mode))
                np.savez_compressed(stem + '.npz', **pose)
                if model_traj is not None:
                    np.savez_compressed(stem + '_traj.npz', **traj)
                    np.savez_compressed(stem + '_export.npz', **export)


# --------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=DEFAULT_OUT,
                        help='fixtures root: writes OUT/model and OUT/datasets (default tests/fixtures)')
    parser.add_argument('--large', metavar='OUTDIR', help='write only the 243-frame C=1024 case into OUTDIR')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (default 1: keeps the float32 summation order reproducible)')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    if args.large:
        os.makedirs(args.large, exist_ok=True)
        write_case(LARGE_CASE, args.large, LARGE_LENGTHS)
        return
    model_dir = os.path.join(args.out, 'model')
    dataset_dir = os.path.join(args.out, 'datasets')
    os.makedirs(model_dir, exist_ok=True)
    os.makedirs(dataset_dir, exist_ok=True)
    models = {}
    for case in CASES:
        models[case.name] = write_case(case, model_dir)
    write_datasets(dataset_dir, models)


if __name__ == '__main__':
    main()
