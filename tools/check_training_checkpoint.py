"""Loads a lift3d training checkpoint with torch.load, as run.py --resume does, and dumps what it read.

Usage: /usr/bin/python3 tools/check_training_checkpoint.py CHECKPOINT ARCH CHANNELS JOINTS_IN JOINTS_OUT OUT.npz

Fails (non-zero exit) unless: torch.load reads the file; model_pos loads strictly into the training model
(the reference's TemporalModelOptimized1f names and shapes); the optimizer state loads into
torch.optim.Adam(amsgrad=True) over that model's parameters, and one step runs; random_state is a
numpy RandomState. Then writes OUT.npz with every model_pos tensor (model.<name>), the optimizer's
moments (exp_avg.<i>, exp_avg_sq.<i>, max_exp_avg_sq.<i>, step.<i>), the random state (key, pos) and
epoch, lr, so that the C++ test compares them with what it wrote.
"""

import sys

import numpy as np
import torch

from make_training_fixtures import StridedTemporalModel


def main():
    path, arch, channels, joints_in, joints_out, out = sys.argv[1:7]
    widths = [int(w) for w in arch.split(',')]
    checkpoint = torch.load(path, map_location=lambda storage, loc: storage)
    model = StridedTemporalModel(int(joints_in), 2, int(joints_out), widths, False, int(channels))
    model.load_state_dict(checkpoint['model_pos'])  # strict
    optimizer = torch.optim.Adam(model.parameters(), lr=checkpoint['lr'], amsgrad=True)
    optimizer.load_state_dict(checkpoint['optimizer'])
    random = checkpoint['random_state']
    assert isinstance(random, np.random.RandomState), type(random)
    assert checkpoint['model_traj'] is None and checkpoint['random_state_semi'] is None
    arrays = {'epoch': np.array(checkpoint['epoch']), 'lr': np.array(checkpoint['lr'])}
    for name, tensor in checkpoint['model_pos'].items():
        arrays['model.' + name] = tensor.numpy().copy()
    for index, slot in optimizer.state_dict()['state'].items():
        for key in ('exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'):
            arrays[f'{key}.{index}'] = slot[key].numpy().copy()
        arrays[f'step.{index}'] = np.array(float(slot['step']))
    state = random.get_state()
    arrays['key'] = state[1]
    arrays['pos'] = np.array(state[2])
    arrays['next'] = np.array([random.randint(0, 2**32, dtype=np.uint64) for _ in range(3)], dtype=np.uint64)
    # The optimizer must be usable, not only loadable.
    model.train()
    x = torch.zeros(2, int(np.prod(widths)), int(joints_in), 2)
    model(x, None, 0).sum().backward()
    optimizer.step()
    np.savez(out, **arrays)


if __name__ == '__main__':
    main()
