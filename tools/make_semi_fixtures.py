#!/usr/bin/env python3
"""Golden values of the semi-supervised losses (tests/unit/semi_losses_test.cpp), from PyTorch autograd.

Run with /usr/bin/python3 (Debian's python3-torch): /usr/bin/python3 tools/make_semi_fixtures.py
Writes tests/fixtures/training/semi_losses.npz; seeded and deterministic.

The projections are written here from their description (reference-spec 7.3; the reference's
common/camera.py project_to_2d and project_to_2d_linear): x/z and y/z clamped to [-1, 1], the Human3.6M
radial and tangential distortion, focal length and centre in normalised screen units. The reprojection
loss is run.py's: MPJPE in 2D between the projection of pose + trajectory (the trajectory broadcast over
the joints) and the 2D target. The bone-length term is run.py's: per example the length of every bone
(joint j to its parent, j = 1..J-1) averaged over the output frames, then the mean over bones of
|mean over the labelled examples - mean over the unlabelled ones|.

Stored (float32 unless said):
  pose        (B, 1, J, 3) predicted root-relative poses of the unlabelled examples
  trajectory  (B, 1, 1, 3) predicted trajectories (one example is pushed outside |x/z| <= 1: the clamp)
  cameras     (B, 9) intrinsics [fx, fy, cx, cy, k1, k2, k3, p1, p2]
  target      (B, 1, J, 2) 2D targets
  <kind>.loss float64 scalar, <kind>.grad_pose, <kind>.grad_trajectory for kind = distorted, linear
  bone.pose   (B_all, 1, J, 3) predictions of a concatenated batch; bone.split int64 (labelled count)
  bone.parents int64 (J,) the Human3.6M 17-joint skeleton's parents
  bone.loss, bone.grad
"""
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'tests', 'fixtures', 'training', 'semi_losses.npz')
H36M_PARENTS = [-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15]


def project(points, cameras, distorted):
    cams = cameras[:, None, None, :]
    f, c, k, p = cams[..., :2], cams[..., 2:4], cams[..., 4:7], cams[..., 7:]
    ratio = torch.clamp(points[..., :2] / points[..., 2:], min=-1, max=1)
    if not distorted:
        return f * ratio + c
    r2 = torch.sum(ratio ** 2, dim=-1, keepdim=True)
    radial = 1 + torch.sum(k * torch.cat((r2, r2 ** 2, r2 ** 3), dim=-1), dim=-1, keepdim=True)
    tangential = torch.sum(p * ratio, dim=-1, keepdim=True)
    return f * (ratio * (radial + tangential) + p * r2) + c


def mpjpe(predicted, target):
    return torch.mean(torch.norm(predicted - target, dim=-1))


def bone_penalty(pose, split):
    bones = pose[:, :, 1:] - pose[:, :, H36M_PARENTS[1:]]
    lengths = torch.mean(torch.norm(bones, dim=3), dim=1)
    return torch.mean(torch.abs(torch.mean(lengths[:split], dim=0) - torch.mean(lengths[split:], dim=0)))


def main():
    rng = np.random.default_rng(7)
    examples, joints = 6, 17
    pose = (rng.normal(size=(examples, 1, joints, 3)) * 0.25).astype(np.float32)
    pose[:, :, 0] = 0
    trajectory = np.stack([rng.uniform(-0.8, 0.8, examples), rng.uniform(-0.5, 0.5, examples),
                           rng.uniform(3.0, 6.0, examples)], axis=-1).astype(np.float32).reshape(examples, 1, 1, 3)
    trajectory[2, 0, 0, 0] = 9.0  # x/z > 1 for every joint of this example: clamped, no gradient through x
    cameras = np.array([[2.29, 2.2876, 0.025, 0.0289, -0.207, 0.247, -0.0031, -0.00096, -0.0014]] * examples,
                       dtype=np.float32)
    cameras[1::2, 2] *= -1  # flipped examples: cx and p1 negated
    cameras[1::2, 7] *= -1
    cameras[:, 4:] *= rng.uniform(0.5, 1.5, size=(examples, 5)).astype(np.float32)
    with torch.no_grad():
        projected = project(torch.from_numpy(pose + trajectory), torch.from_numpy(cameras), True).numpy()
    target = (projected + rng.normal(size=projected.shape) * 0.02).astype(np.float32)
    arrays = {'pose': pose, 'trajectory': trajectory, 'cameras': cameras, 'target': target}
    for kind, distorted in (('distorted', True), ('linear', False)):
        p = torch.from_numpy(pose.copy()).requires_grad_()
        t = torch.from_numpy(trajectory.copy()).requires_grad_()
        loss = mpjpe(project(p + t, torch.from_numpy(cameras), distorted), torch.from_numpy(target))
        loss.backward()
        arrays[kind + '.loss'] = np.array(loss.item(), dtype=np.float64)
        arrays[kind + '.grad_pose'] = p.grad.numpy()
        arrays[kind + '.grad_trajectory'] = t.grad.numpy()

    split = 4
    bone_pose = (rng.normal(size=(7, 1, joints, 3)) * 0.25).astype(np.float32)
    b = torch.from_numpy(bone_pose.copy()).requires_grad_()
    penalty = bone_penalty(b, split)
    penalty.backward()
    arrays.update({'bone.pose': bone_pose, 'bone.split': np.array(split, dtype=np.int64),
                   'bone.parents': np.array(H36M_PARENTS, dtype=np.int64),
                   'bone.loss': np.array(penalty.item(), dtype=np.float64), 'bone.grad': b.grad.numpy()})
    np.savez(OUT, **arrays)
    print(OUT, {k: v.shape for k, v in arrays.items()})


if __name__ == '__main__':
    main()
