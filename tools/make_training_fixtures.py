"""Golden fixtures for lift3d's training (tests/unit/training_model_test.cpp), from PyTorch autograd.

Run with /usr/bin/python3 (Debian's python3-torch): /usr/bin/python3 tools/make_training_fixtures.py
Writes tests/fixtures/training/<case>.npz; seeded and deterministic.

The model is a PyTorch statement of VideoPose3D's single-frame training model (TemporalModelOptimized1f,
described in the reference's common/model.py), written here from that description: strided
convolutions without bias, BatchNorm1d in training mode, ReLU, dropout, residual slices, a 1x1 shrink
convolution with bias. Dropout multiplies by a given 0/1 mask / (1 - p) (what nn.Dropout does with its
own draws), so that lift3d can be run with the very same masks.

Each case runs `steps` training steps as run.py does them: zero_grad, forward in training mode, loss
(MPJPE against targets whose root joint is zero, or the trajectory model's 1/z-weighted MPJPE),
backward, torch.optim.Adam(amsgrad=True).step(); between steps the learning rate decays and the
BatchNorm momentum follows run.py's schedule. Stored (all float32 unless said):
  config             int64 [joints_in, features, joints_out, channels, causal, steps, batch, trajectory]
  architecture       int64 filter widths
  dropout            float64 scalar
  init.<name>        the state_dict before training (parameters and running statistics)
  input.<s>          (batch, RF, joints_in, features) 2D input of step s
  target.<s>         (batch, 1, joints_out, 3)
  mask.<s>.<u>       (batch, channels, frames) 0/1 dropout mask of unit u (expand = 0, then the
                     block convolutions in order); absent when dropout is 0
  lr.<s>, momentum.<s>  float64 scalars used at step s
  output.<s>         (batch, 1, joints_out, 3) the model's output at step s
  loss               float64 (steps,) loss.item() of each step
  grad.<name>        torch.autograd gradient of every parameter at step 0
  final.<name>       the state_dict after the last optimizer step
  final.num_batches_tracked  int64
"""

import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, '..', 'tests', 'fixtures', 'training')


class StridedTemporalModel(nn.Module):
    """The single-frame training model; modules registered in the reference's order."""

    def __init__(self, joints_in, features, joints_out, widths, causal, channels):
        super().__init__()
        self.widths = widths
        self.causal = causal
        self.expand_bn = nn.BatchNorm1d(channels, momentum=0.1)
        self.shrink = nn.Conv1d(channels, 3 * joints_out, 1)
        self.expand_conv = nn.Conv1d(joints_in * features, channels, widths[0], stride=widths[0], bias=False)
        convs, norms = [], []
        for width in widths[1:]:
            convs.append(nn.Conv1d(channels, channels, width, stride=width, bias=False))
            norms.append(nn.BatchNorm1d(channels, momentum=0.1))
            convs.append(nn.Conv1d(channels, channels, 1, bias=False))
            norms.append(nn.BatchNorm1d(channels, momentum=0.1))
        self.layers_conv = nn.ModuleList(convs)
        self.layers_bn = nn.ModuleList(norms)

    def set_momentum(self, momentum):
        for bn in [self.expand_bn, *self.layers_bn]:
            bn.momentum = momentum

    def forward(self, x, masks, p):
        batch, frames = x.shape[0], x.shape[1]
        h = x.reshape(batch, frames, -1).permute(0, 2, 1)

        def unit(conv, bn, value, u):
            value = F.relu(bn(conv(value)))
            if p > 0:
                value = value * (masks[u] / (1 - p))
            return value

        h = unit(self.expand_conv, self.expand_bn, h, 0)
        for b, width in enumerate(self.widths[1:]):
            offset = width // 2 + (width // 2 if self.causal else 0)
            residual = h[:, :, offset::width]
            h = unit(self.layers_conv[2 * b], self.layers_bn[2 * b], h, 1 + 2 * b)
            h = residual + unit(self.layers_conv[2 * b + 1], self.layers_bn[2 * b + 1], h, 2 + 2 * b)
        y = self.shrink(h)
        return y.permute(0, 2, 1).reshape(batch, -1, y.shape[1] // 3, 3)


def randomise(model, rng):
    """Weights away from the defaults so that every term of the gradients matters."""
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith('num_batches_tracked'):
                continue
            shape = tuple(tensor.shape)
            if name.endswith('running_var'):
                values = rng.uniform(0.5, 2.0, shape)
            elif name.endswith('running_mean'):
                values = rng.normal(0, 0.2, shape)
            elif name.endswith('bn.weight') or ('layers_bn' in name and name.endswith('weight')):
                values = rng.uniform(0.5, 1.5, shape)
            elif 'bn' in name and name.endswith('bias'):
                values = rng.normal(0, 0.1, shape)
            else:
                fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else model.shrink.weight.shape[1]
                values = rng.uniform(-1, 1, shape) / math.sqrt(fan_in)
            tensor.copy_(torch.from_numpy(values.astype(np.float32)))


def unit_frames(widths):
    """Frames per example after each unit: expand, then two per block."""
    frames, out = int(np.prod(widths)), []
    frames //= widths[0]
    out.append(frames)
    for width in widths[1:]:
        frames //= width
        out += [frames, frames]
    return out


def momentum_after(epoch, epochs):
    return 0.1 * np.exp(-epoch / epochs * np.log(0.1 / 0.001))


def make_case(name, widths, channels, joints_out, causal, dropout, batch, steps, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    joints_in, features = 17, 2
    trajectory = joints_out == 1
    model = StridedTemporalModel(joints_in, features, joints_out, widths, causal, channels)
    randomise(model, rng)
    model.train()
    arrays = {
        'config': np.array([joints_in, features, joints_out, channels, int(causal), steps, batch, int(trajectory)],
                           dtype=np.int64),
        'architecture': np.array(widths, dtype=np.int64),
        'dropout': np.array(dropout, dtype=np.float64),
    }
    for key, value in model.state_dict().items():
        if not key.endswith('num_batches_tracked'):
            arrays['init.' + key] = value.numpy().copy()
    lr = 1e-3
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, amsgrad=True)
    rf = int(np.prod(widths))
    losses = []
    for s in range(steps):
        momentum = float(momentum_after(s, steps)) if s > 0 else 0.1
        model.set_momentum(momentum)
        x = rng.uniform(-1, 1, (batch, rf, joints_in, features)).astype(np.float32)
        if trajectory:
            target = np.concatenate([rng.normal(0, 0.5, (batch, 1, 1, 2)), rng.uniform(2, 6, (batch, 1, 1, 1))],
                                    axis=-1).astype(np.float32)
        else:
            target = rng.normal(0, 0.3, (batch, 1, joints_out, 3)).astype(np.float32)
            target[:, :, 0] = 0
        masks = [torch.from_numpy((rng.uniform(size=(batch, channels, f)) >= dropout).astype(np.float32))
                 for f in unit_frames(widths)] if dropout > 0 else None
        optimizer.zero_grad()
        predicted = model(torch.from_numpy(x), masks, dropout)
        target_t = torch.from_numpy(target)
        if trajectory:
            w = 1 / target_t[:, :, :, 2]
            loss = torch.mean(w * torch.norm(predicted - target_t, dim=3))
        else:
            loss = torch.mean(torch.norm(predicted - target_t, dim=3))
        loss.backward()
        if s == 0:
            for pname, param in model.named_parameters():
                arrays['grad.' + pname] = param.grad.numpy().copy()
        optimizer.step()
        losses.append(loss.item())
        arrays[f'input.{s}'] = x
        arrays[f'target.{s}'] = target
        arrays[f'output.{s}'] = predicted.detach().numpy().copy()
        arrays[f'lr.{s}'] = np.array(lr, dtype=np.float64)
        arrays[f'momentum.{s}'] = np.array(momentum, dtype=np.float64)
        if masks is not None:
            for u, m in enumerate(masks):
                arrays[f'mask.{s}.{u}'] = m.numpy().astype(np.uint8)
        lr *= 0.95
        for group in optimizer.param_groups:
            group['lr'] *= 0.95
    arrays['loss'] = np.array(losses, dtype=np.float64)
    for key, value in model.state_dict().items():
        arrays['final.' + key] = value.numpy().copy()
    path = os.path.join(OUT_DIR, name + '.npz')
    np.savez_compressed(path, **arrays)
    print(f'{path}: {os.path.getsize(path)} bytes, losses {losses}')


def chunked_pairs(lengths, chunk, augment):
    """The example list of the reference's ChunkedGenerator, as an int64 (N, 4) array:
    (sequence, start, end, flip) for every chunk of every sequence, the flipped copies after each
    sequence's plain ones."""
    pairs = []
    for i, n in enumerate(lengths):
        chunks = (n + chunk - 1) // chunk
        offset = (chunks * chunk - n) // 2
        bounds = np.arange(chunks + 1) * chunk - offset
        plain = [(i, bounds[k], bounds[k + 1], False) for k in range(chunks)]
        pairs += plain
        if augment:
            pairs += [(i, a, b, True) for i, a, b, _ in plain]
    return pairs


def make_shuffle_fixture():
    """NumPy's RandomState(1234) shuffles: permutations of index ranges of several sizes drawn one after
    the other from one generator, then three epochs of permutation() of a ChunkedGenerator example list
    (what run.py's training does), and the generator state at the end."""
    rng = np.random.RandomState(1234)
    arrays = {}
    sizes = [1, 2, 3, 7, 88, 1000, 5000]
    for k, n in enumerate(sizes):
        arrays[f'perm.{k}'] = rng.permutation(n).astype(np.int64)
    arrays['sizes'] = np.array(sizes, dtype=np.int64)
    lengths = [6, 5, 36, 18, 52, 11]
    arrays['lengths'] = np.array(lengths, dtype=np.int64)
    pairs = chunked_pairs(lengths, 1, True)
    for epoch in range(3):
        arrays[f'epoch.{epoch}'] = rng.permutation(pairs).astype(np.int64)
    state = rng.get_state()
    arrays['state.key'] = state[1].astype(np.uint32)
    arrays['state.pos'] = np.array(state[2], dtype=np.int64)
    arrays['next'] = np.array([rng.randint(0, 2**32, dtype=np.uint64) for _ in range(4)], dtype=np.uint64)
    path = os.path.join(OUT_DIR, 'numpy_shuffle.npz')
    np.savez_compressed(path, **arrays)
    print(f'{path}: {os.path.getsize(path)} bytes')


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    make_shuffle_fixture()
    make_case('pose_arc33_c64_dropout', [3, 3], 64, 17, False, 0.25, 6, 3, 1)
    make_case('pose_arc353_c16_causal', [3, 5, 3], 16, 17, True, 0.0, 4, 3, 2)
    make_case('traj_arc33_c16_dropout', [3, 3], 16, 1, False, 0.25, 5, 3, 3)


if __name__ == '__main__':
    main()
