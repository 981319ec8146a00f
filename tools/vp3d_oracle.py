"""Independent PyTorch statement of VideoPose3D inference, used to produce golden test outputs.

Written from the published description of the reference's model and evaluation; it is not the reference code. It holds:
  * TemporalModel: eval-mode model whose state_dict keys, shapes and order are those of the
    reference checkpoints (expand_bn, shrink, expand_conv, layers_conv.N, layers_bn.N);
  * the evaluation pipeline of run.py for one video: screen normalisation, edge padding
    (causal: everything on the left), flip test-time augmentation, the trajectory model, and the
    array --viz-export would save.
Everything runs on the CPU in float32, as the reference does.
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Left/right index lists (data_utils metadata of the 2D layouts; skeleton lists of the 3D outputs).
KEYPOINT_SYMMETRY = {
    'coco': ([1, 3, 5, 7, 9, 11, 13, 15], [2, 4, 6, 8, 10, 12, 14, 16]),
    'h36m': ([4, 5, 6, 11, 12, 13], [1, 2, 3, 14, 15, 16]),
    'mpii': ([3, 4, 5, 13, 14, 15], [0, 1, 2, 10, 11, 12]),
    'humaneva15': ([2, 3, 4, 8, 9, 10], [5, 6, 7, 11, 12, 13]),
    'humaneva20': ([3, 4, 5, 6, 11, 12, 13, 14], [7, 8, 9, 10, 15, 16, 17, 18]),
}
KEYPOINT_COUNT = {'coco': 17, 'h36m': 17, 'mpii': 16, 'humaneva15': 15, 'humaneva20': 20}
SKELETON_SIDES = {
    'h36m': ([4, 5, 6, 11, 12, 13], [1, 2, 3, 14, 15, 16]),
    'humaneva15': ([2, 3, 4, 8, 9, 10], [5, 6, 7, 11, 12, 13]),
}
SKELETON_COUNT = {'h36m': 17, 'humaneva15': 15}


# --------------------------------------------------------------------------------------------
# Architecture arithmetic (spec 1.2)

def block_geometry(filter_widths, causal, dense):
    """Per residual block (i >= 1): (kernel, dilation, pad, causal_shift)."""
    blocks = []
    dilation = filter_widths[0]
    for width in filter_widths[1:]:
        pad = (width - 1) * dilation // 2
        shift = (width // 2) * dilation if causal else 0
        kernel, conv_dilation = (2 * pad + 1, 1) if dense else (width, dilation)
        blocks.append((kernel, conv_dilation, pad, shift))
        dilation *= width
    return blocks


def receptive_field(filter_widths):
    return int(np.prod(filter_widths))


def sequence_padding(filter_widths, causal):
    """(frames added before, frames added after) a sequence, as run.py pads it."""
    pad = (receptive_field(filter_widths) - 1) // 2
    shift = pad if causal else 0
    return pad + shift, pad - shift


# --------------------------------------------------------------------------------------------
# Model

class TemporalModel(nn.Module):
    """Eval-only temporal convolution model with the reference's parameter names and order."""

    def __init__(self, joints_in, features, joints_out, filter_widths, causal=False, channels=1024,
                 dense=False):
        super().__init__()
        if any(w % 2 == 0 for w in filter_widths):
            raise ValueError('filter widths must be odd')
        self.joints_in = joints_in
        self.features = features
        self.joints_out = joints_out
        self.filter_widths = list(filter_widths)
        self.causal = causal
        self.dense = dense
        self.channels = channels
        self.geometry = block_geometry(self.filter_widths, causal, dense)
        # Registration order fixes the state_dict order: expand_bn, shrink, expand_conv, layers_*.
        self.expand_bn = nn.BatchNorm1d(channels, momentum=0.1)
        self.shrink = nn.Conv1d(channels, 3 * joints_out, 1)
        self.expand_conv = nn.Conv1d(joints_in * features, channels, filter_widths[0], bias=False)
        convs, norms = [], []
        for kernel, dilation, _, _ in self.geometry:
            convs.append(nn.Conv1d(channels, channels, kernel, dilation=dilation, bias=False))
            norms.append(nn.BatchNorm1d(channels, momentum=0.1))
            convs.append(nn.Conv1d(channels, channels, 1, bias=False))
            norms.append(nn.BatchNorm1d(channels, momentum=0.1))
        self.layers_conv = nn.ModuleList(convs)
        self.layers_bn = nn.ModuleList(norms)
        self.eval()

    def receptive_field(self):
        return receptive_field(self.filter_widths)

    def forward(self, x, activations=None):
        """x: (B, T, joints_in, features) -> (B, T - RF + 1, joints_out, 3).

        When `activations` is a list, the (B, C, L) tensor after the expand block and after each
        residual block is appended to it.
        """
        if x.dim() != 4 or x.shape[2] != self.joints_in or x.shape[3] != self.features:
            raise ValueError('input must be (batch, frames, %d, %d)' % (self.joints_in, self.features))
        batch, frames = x.shape[0], x.shape[1]
        # Channels are joint-major with the feature fastest: [x0, y0, x1, y1, ...].
        h = x.reshape(batch, frames, self.joints_in * self.features).permute(0, 2, 1)
        h = F.relu(self.expand_bn(self.expand_conv(h)))
        if activations is not None:
            activations.append(h)
        for b, (_, _, pad, shift) in enumerate(self.geometry):
            length = h.shape[2]
            skip = h[:, :, pad + shift:length - pad + shift]
            h = F.relu(self.layers_bn[2 * b](self.layers_conv[2 * b](h)))
            h = skip + F.relu(self.layers_bn[2 * b + 1](self.layers_conv[2 * b + 1](h)))
            if activations is not None:
                activations.append(h)
        y = self.shrink(h)
        return y.permute(0, 2, 1).reshape(batch, -1, self.joints_out, 3)


def model_from_state_dict(state, joints_in, features=2, causal=False, dense=False):
    """Builds a TemporalModel whose architecture is read from the tensor shapes (spec 1.8)."""
    expand = state['expand_conv.weight']
    channels, in_channels, width0 = expand.shape
    if in_channels != joints_in * features:
        raise ValueError('expand_conv takes %d channels, not %d x %d' % (in_channels, joints_in, features))
    widths = [width0]
    dilation = width0
    blocks = sum(1 for k in state if k.startswith('layers_conv.')) // 2
    for b in range(blocks):
        kernel = state['layers_conv.%d.weight' % (2 * b)].shape[2]
        width = (kernel - 1) // dilation + 1 if dense else kernel
        widths.append(width)
        dilation *= width
    joints_out = state['shrink.weight'].shape[0] // 3
    model = TemporalModel(joints_in, features, joints_out, widths, causal=causal, channels=channels,
                          dense=dense)
    model.load_state_dict(state, strict=True)
    model.eval()
    return model


# --------------------------------------------------------------------------------------------
# Pipeline (run.py evaluate / render, spec 3.4, 3.7, 8.2)

def normalize_screen_coordinates(pixels, width, height):
    """Maps [0, width] to [-1, 1] on both axes (both divided by the width).

    NumPy evaluation order of the reference: the division and scaling are float32, the subtraction
    of [1, h/w] is float64, and the result is stored back as float32.
    """
    pixels = np.asarray(pixels, dtype=np.float32)
    if pixels.shape[-1] != 2:
        raise ValueError('expected x, y in the last dimension')
    scaled = pixels / width * 2
    offset = np.array([1, height / width], dtype=np.float64)
    return (scaled - offset).astype(np.float32)


def image_coordinates(normalized, width, height):
    return (np.asarray(normalized) + [1, height / width]) * width / 2


def pad_edges(sequence, before, after):
    """Repeats the first frame `before` times and the last frame `after` times."""
    sequence = np.asarray(sequence)
    head = np.repeat(sequence[:1], before, axis=0)
    tail = np.repeat(sequence[-1:], after, axis=0)
    return np.concatenate([head, sequence, tail], axis=0)


def mirror_keypoints(sequence, kps_left, kps_right):
    """Flip of a normalised 2D sequence (frames, joints, F): x negated, left/right keypoints swapped."""
    mirrored = sequence.copy()
    mirrored[..., 0] *= -1
    order = np.arange(sequence.shape[-2])
    order[kps_left] = kps_right
    order[kps_right] = kps_left
    return mirrored[..., order, :]


def unmirror_prediction(prediction, joints_left, joints_right, swap_joints=True):
    """Undoes the flip on a prediction (frames, joints, 3): x negated, then joints swapped."""
    restored = prediction.clone()
    restored[..., 0] *= -1
    if swap_joints:
        order = torch.arange(prediction.shape[-2])
        order[joints_left] = torch.tensor(joints_right)
        order[joints_right] = torch.tensor(joints_left)
        restored = restored[..., order, :]
    return restored


def run_sequence(model, normalized, tta, kps_left=None, kps_right=None, joints_left=None,
                 joints_right=None, trajectory=False):
    """Prediction for one normalised 2D sequence (frames, joints_in, F) -> (frames, joints_out, 3).

    Pads the sequence with its edge frames so every input frame gets an output frame; with `tta`
    the mirrored copy is run in the same batch, un-mirrored and averaged with the plain one. The
    trajectory model is un-mirrored by negating x only (it has no joints to swap).
    """
    before, after = sequence_padding(model.filter_widths, model.causal)
    plain = pad_edges(np.asarray(normalized, dtype=np.float32), before, after)
    batch = [plain]
    if tta:
        batch.append(mirror_keypoints(plain, kps_left, kps_right))
    inputs = torch.from_numpy(np.stack(batch).astype(np.float32))
    with torch.no_grad():
        out = model(inputs)
        if tta:
            restored = unmirror_prediction(out[1], joints_left, joints_right, swap_joints=not trajectory)
            out = torch.stack([out[0], restored]).mean(dim=0, keepdim=True)
    return out[0].numpy().astype(np.float32)


def predict_video(model_pos, model_traj, normalized, tta, kps_left, kps_right, joints_left, joints_right):
    """What run.py --render computes for one video without ground truth.

    Returns a dict: 'pose' (frames, J, 3) root-relative camera space, 'traj' (frames, 1, 3) or None,
    'export' the array --viz-export saves (pose + trajectory when a trajectory model exists).
    """
    pose = run_sequence(model_pos, normalized, tta, kps_left, kps_right, joints_left, joints_right)
    traj = None
    export = pose.copy()
    if model_traj is not None:
        traj = run_sequence(model_traj, normalized, tta, kps_left, kps_right, joints_left, joints_right,
                            trajectory=True)
        export = (export + traj).astype(np.float32)  # broadcast over joints, float32 add
    return {'pose': pose, 'traj': traj, 'export': export}


def load_checkpoint(path):
    """torch.load of a VideoPose3D checkpoint onto the CPU (the file holds a numpy RandomState)."""
    try:
        return torch.load(path, map_location='cpu', weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location='cpu')
