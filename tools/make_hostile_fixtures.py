#!/usr/bin/python3
"""Hostile and malformed inputs for tests/unit/hostile_inputs_test.cpp and tests/cli/hostile_inputs.sh.

Writes tests/fixtures/hostile/: checkpoints that torch.save really writes but that are not usable
VideoPose3D models (a random non-VideoPose3D state_dict, wrong shapes, missing and extra tensors,
integer weights, a bare state_dict, ...), hand-built checkpoints in both torch formats whose storages
claim 2^40 elements, VideoPose3D 2D/3D .npz files whose pickles are well formed but whose content is
wrong (NaN/Inf keypoints, empty and one-frame sequences, bad symmetry lists, shapes that claim 2^40
frames, cyclic and exponentially shared structures), and files whose pickles would run
`touch LIFT3D_PWNED` in the current directory if they were ever executed (the CLI test runs lift3d
in a scratch directory and checks that the marker never appears). Byte-level damage (truncation,
flipped bytes, lying zip headers, zip bombs) is made by the tests themselves from these and the
other fixtures.

Run with /usr/bin/python3 (needs torch and numpy); the output is deterministic.
"""

import collections
import io
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "hostile")
MARKER_COMMAND = "touch LIFT3D_PWNED"
HUGE = 2 ** 40


def path(name):
    return os.path.join(OUT, name)


# ------------------------------------------------------------------------------------------------
# Checkpoints written by torch.save

def vp3d_state(rng, channels=4, joints_in=17, joints_out=17, widths=(3, 3)):
    """A VideoPose3D TemporalModel state_dict (dilated), small random float32 weights."""
    state = collections.OrderedDict()

    def t(*shape):
        return torch.from_numpy(rng.standard_normal(shape).astype(np.float32))

    def bn(prefix):
        state[prefix + ".weight"] = t(channels)
        state[prefix + ".bias"] = t(channels)
        state[prefix + ".running_mean"] = t(channels)
        state[prefix + ".running_var"] = torch.from_numpy(rng.uniform(0.5, 2, channels).astype(np.float32))
        state[prefix + ".num_batches_tracked"] = torch.tensor(3, dtype=torch.int64)

    state["expand_conv.weight"] = t(channels, joints_in * 2, widths[0])
    bn("expand_bn")
    for b, width in enumerate(widths[1:]):
        state["layers_conv.%d.weight" % (2 * b)] = t(channels, channels, width)
        state["layers_conv.%d.weight" % (2 * b + 1)] = t(channels, channels, 1)
        bn("layers_bn.%d" % (2 * b))
        bn("layers_bn.%d" % (2 * b + 1))
    state["shrink.weight"] = t(3 * joints_out, channels, 1)
    state["shrink.bias"] = t(3 * joints_out)
    return state


def not_videopose_state(rng):
    """A small image classifier's state_dict: plausible torch, nothing like a TemporalModel."""
    state = collections.OrderedDict()
    state["conv1.weight"] = torch.from_numpy(rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    for field in ("weight", "bias", "running_mean", "running_var"):
        state["bn1." + field] = torch.from_numpy(rng.uniform(0.5, 1.5, 4).astype(np.float32))
    state["fc.weight"] = torch.from_numpy(rng.standard_normal((10, 4)).astype(np.float32))
    state["fc.bias"] = torch.zeros(10)
    return state


def save_both(obj, stem):
    """torch.save in the zip format; the legacy twin comes from write_legacy below, because torch's
    legacy writer names storages by memory address and would make the fixture differ on every run."""
    torch.save(obj, path(stem + ".bin"), _use_new_zipfile_serialization=True)
    fake, storages = fake_state_dict(obj["model_pos"])
    write_legacy(stem + "_legacy.bin", dict(obj, model_pos=fake), storages)


def write_torch_checkpoints():
    rng = np.random.default_rng(6)

    def checkpoint(pose, traj=None):
        return {"epoch": 7, "lr": 0.001, "random_state": None, "model_pos": pose, "model_traj": traj}

    save_both(checkpoint(not_videopose_state(rng)), "ckpt_not_videopose")
    torch.save(vp3d_state(rng), path("ckpt_bare_state_dict.bin"))
    torch.save([torch.zeros(3)], path("ckpt_list_root.bin"))
    torch.save(checkpoint([torch.zeros(3)]), path("ckpt_model_pos_list.bin"))
    torch.save({"epoch": 1, "model": vp3d_state(rng)}, path("ckpt_no_model_pos.bin"))

    state = vp3d_state(rng)
    state["shrink.weight"] = state["shrink.weight"][:50].clone()
    state["shrink.bias"] = state["shrink.bias"][:50].clone()
    save_both(checkpoint(state), "ckpt_shrink_not_xyz")

    state = vp3d_state(rng)
    del state["layers_bn.1.running_var"]
    torch.save(checkpoint(state), path("ckpt_missing_tensor.bin"))

    state = vp3d_state(rng)
    state["attention.weight"] = torch.zeros(4, 4)
    torch.save(checkpoint(state), path("ckpt_extra_tensor.bin"))

    state = vp3d_state(rng)
    state["layers_conv.0.weight"] = torch.zeros(4, 8, 3)
    torch.save(checkpoint(state), path("ckpt_inconsistent_channels.bin"))

    state = vp3d_state(rng)
    state["expand_bn.weight"] = torch.arange(4, dtype=torch.int64)
    torch.save(checkpoint(state), path("ckpt_integer_weights.bin"))

    state = vp3d_state(rng)
    state["expand_conv.weight"] = torch.zeros(4, 34, 2)
    torch.save(checkpoint(state), path("ckpt_even_filter.bin"))

    # A trajectory model must predict one joint.
    torch.save(checkpoint(vp3d_state(rng), vp3d_state(rng)), path("ckpt_traj_17_joints.bin"))
    # Would run the marker command if torch.load (or pickle) read it; torch pickles os.system as posix.system.
    torch.save({"epoch": 1, "model_pos": Payload()}, path("ckpt_payload.bin"))
    torch.save({"epoch": 1, "model_pos": Payload()}, path("ckpt_payload_legacy.bin"), _use_new_zipfile_serialization=False)
    # A usable model (3,3 with trajectory): the good checkpoint the CLI batch test runs.
    torch.save(checkpoint(vp3d_state(rng), vp3d_state(rng, joints_out=1)), path("ckpt_good_arc33.bin"))


# ------------------------------------------------------------------------------------------------
# Hand-built checkpoints: storages that claim far more elements than the file holds

class FakeStorage:
    def __init__(self, key, data, claimed_numel, storage_class=torch.FloatStorage, item_size=4):
        self.key = key
        self.data = data  # the bytes really written
        self.claimed_numel = claimed_numel
        self.storage_class = storage_class
        self.item_size = item_size


class FakeTensor:
    """Pickles exactly as torch pickles a tensor: _rebuild_tensor_v2(storage, offset, size, stride, ...)."""

    def __init__(self, storage, shape, stride, offset=0):
        self.storage, self.shape, self.stride, self.offset = storage, shape, stride, offset

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2,
                (self.storage, self.offset, tuple(self.shape), tuple(self.stride), False, collections.OrderedDict()))


def pickle_with_storages(obj, legacy):
    """Pickles `obj` with torch's persistent ids for FakeStorages (the legacy ones add view metadata)."""
    def persistent_id(value):
        if not isinstance(value, FakeStorage):
            return None
        pid = ("storage", value.storage_class, value.key, "cpu", value.claimed_numel)
        return pid + (None,) if legacy else pid

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=2)
    pickler.persistent_id = persistent_id
    pickler.dump(obj)
    return buffer.getvalue()


def write_legacy(name, obj, storages, header_numel=None):
    """torch's legacy stream: magic, protocol, sys info, object pickle, key list, raw storages."""
    with open(path(name), "wb") as f:
        pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2)
        pickle.dump(1001, f, protocol=2)
        pickle.dump({"protocol_version": 1001, "little_endian": True,
                     "type_sizes": {"short": 2, "int": 4, "long": 4}}, f, protocol=2)
        f.write(pickle_with_storages(obj, legacy=True))
        pickle.dump([s.key for s in storages], f, protocol=2)
        for s in storages:
            count = header_numel if header_numel is not None else len(s.data) // s.item_size
            f.write(struct.pack("<q", count))
            f.write(s.data)


def write_zip(name, obj, storages):
    """torch's zip format: <stem>/data.pkl, <stem>/data/<key>, <stem>/version, stored members."""
    stem = os.path.splitext(name)[0]
    with zipfile.ZipFile(path(name), "w", compression=zipfile.ZIP_STORED) as z:
        def add(member, data):
            info = zipfile.ZipInfo(stem + "/" + member, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)
        add("data.pkl", pickle_with_storages(obj, legacy=False))
        add("byteorder", b"little")
        for s in storages:
            add("data/" + s.key, s.data)
        add("version", b"3\n")


def fake_state_dict(state):
    """The state_dict with every tensor replaced by a FakeTensor on its own storage (keys "0", "1", ...)."""
    fake, storages = collections.OrderedDict(), []
    for i, (name, tensor) in enumerate(state.items()):
        is_long = tensor.dtype == torch.int64
        storage = FakeStorage(str(i), tensor.contiguous().numpy().tobytes(), tensor.numel(),
                              torch.LongStorage if is_long else torch.FloatStorage, 8 if is_long else 4)
        fake[name] = FakeTensor(storage, tuple(tensor.shape), tuple(tensor.stride()))
        storages.append(storage)
    return fake, storages


def write_huge_claim_checkpoints():
    rng = np.random.default_rng(40)
    # expand_conv.weight (4, 34, 3) lives on storage "0"; the pickle claims that storage holds 2^40
    # elements and the tensor spans (2^40 / 102, 34, 3) of them.
    fake, storages = fake_state_dict(vp3d_state(rng))
    storages[0].claimed_numel = HUGE
    fake["expand_conv.weight"] = FakeTensor(storages[0], (HUGE // 102, 34, 3), (102, 3, 1))
    obj = {"epoch": 1, "model_pos": fake}
    write_legacy("ckpt_legacy_numel_2e40.bin", obj, storages)
    write_zip("ckpt_zip_numel_2e40.bin", obj, storages)

    # The pickle is honest; the element count in front of the raw storages claims 2^40.
    fake, storages = fake_state_dict(vp3d_state(rng))
    write_legacy("ckpt_legacy_storage_header_2e40.bin", {"epoch": 1, "model_pos": fake}, storages,
                 header_numel=HUGE)
    # The same writer with honest counts gives a loadable checkpoint (checks the writer itself).
    write_legacy("ckpt_legacy_handmade_ok.bin", {"epoch": 1, "model_pos": fake}, storages)


# ------------------------------------------------------------------------------------------------
# VideoPose3D 2D / 3D .npz files

def pixels(rng, frames, joints=17):
    return rng.uniform(0, 1000, (frames, joints, 2)).astype(np.float32)


def metadata(videos=None, symmetry=None):
    meta = {"layout_name": "coco", "num_joints": 17,
            "keypoints_symmetry": [[1, 3, 5, 7, 9, 11, 13, 15], [2, 4, 6, 8, 10, 12, 14, 16]]
            if symmetry is None else symmetry}
    if videos is not None:
        meta["video_metadata"] = {name: {"w": 1000, "h": 1000} for name in videos}
    return meta


def savez(name, **arrays):
    """np.savez_compressed with fixed member timestamps, so that the output is deterministic."""
    with zipfile.ZipFile(path(name), "w", compression=zipfile.ZIP_DEFLATED) as z:
        for key, value in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asanyarray(value), allow_pickle=True)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, buffer.getvalue())


def save_2d(name, positions, meta):
    savez(name, positions_2d=positions, metadata=meta)


class HugeArray:
    """Pickles as a numpy ndarray whose BUILD state claims shape `shape` but holds `data`."""

    def __init__(self, shape, data):
        self.shape, self.data = shape, data

    def __reduce__(self):
        return (np.core.multiarray._reconstruct, (np.ndarray, (0,), b"b"),
                (1, self.shape, np.dtype("float32"), False, self.data))


class Payload:
    """Would run MARKER_COMMAND if unpickled by Python (os.system via REDUCE)."""

    def __reduce__(self):
        return (os.system, (MARKER_COMMAND,))


def patch_declared_size(name, member, uncompressed):
    """Rewrites the uncompressed size of `member` in its local and central headers (not zip64)."""
    data = bytearray(open(path(name), "rb").read())
    encoded = member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while True:
            at = data.find(signature, start)
            if at < 0:
                break
            if data[at + name_at:at + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", data, at + size_at, uncompressed)
            start = at + 4
    open(path(name), "wb").write(bytes(data))


def write_zip_damage():
    """Members whose declared sizes lie, made from an honest npz by patching its headers."""
    rng = np.random.default_rng(3)
    meta = io.BytesIO()
    np.lib.format.write_array(meta, np.asanyarray(metadata(["v.mp4"])), allow_pickle=True)
    # A zip bomb: 4 MiB of zeros (4 KB deflated) in a member that declares 1000 bytes.
    with zipfile.ZipFile(path("data_2d_zip_bomb.npz"), "w", compression=zipfile.ZIP_DEFLATED) as z:
        for member, data in (("metadata.npy", meta.getvalue()), ("positions_2d.npy", b"\0" * (4 << 20))):
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    patch_declared_size("data_2d_zip_bomb.npz", "positions_2d.npy", 1000)
    # A member that declares 4 GiB after inflating a few KB.
    save_2d("data_2d_huge_member.npz", {"v.mp4": {"custom": [pixels(rng, 10)]}}, metadata(["v.mp4"]))
    patch_declared_size("data_2d_huge_member.npz", "positions_2d.npy", 0xFFFFFFF0)


def write_videopose_files():
    rng = np.random.default_rng(2)
    videos = ["v.mp4"]

    def custom(array):
        return {"v.mp4": {"custom": [array]}}

    nan = pixels(rng, 10)
    nan[4, 3, 1] = np.nan
    save_2d("data_2d_nan.npz", custom(nan), metadata(videos))
    inf = pixels(rng, 10)
    inf[7, 0, 0] = np.inf
    save_2d("data_2d_inf.npz", custom(inf), metadata(videos))
    save_2d("data_2d_empty_sequence.npz", custom(np.zeros((0, 17, 2), np.float32)), metadata(videos))
    save_2d("data_2d_one_frame.npz", custom(pixels(rng, 1)), metadata(videos))
    save_2d("data_2d_15_joints.npz", custom(pixels(rng, 10, 15)), metadata(videos))
    save_2d("data_2d_bad_shape.npz", custom(pixels(rng, 10).reshape(10, 34)), metadata(videos))
    save_2d("data_2d_int_dtype.npz", custom(np.zeros((10, 17, 2), np.int32)), metadata(videos))
    save_2d("data_2d_symmetry_out_of_range.npz", custom(pixels(rng, 10)),
            metadata(videos, [[1, 3, 40], [2, 4, 6]]))
    save_2d("data_2d_symmetry_unequal.npz", custom(pixels(rng, 10)), metadata(videos, [[1, 3], [2]]))
    save_2d("data_2d_no_video_metadata_entry.npz", custom(pixels(rng, 10)), metadata(["other.mp4"]))
    bad_resolution = metadata(videos)
    bad_resolution["video_metadata"]["v.mp4"]["w"] = -5
    save_2d("data_2d_bad_resolution.npz", custom(pixels(rng, 10)), bad_resolution)
    savez("data_2d_no_positions.npz", metadata=metadata(videos))
    savez("data_2d_positions_numeric.npz", positions_2d=pixels(rng, 4), metadata=metadata(videos))
    save_2d("data_2d_actions_not_dict.npz", {"v.mp4": [pixels(rng, 4)]}, metadata(videos))
    save_2d("data_2d_cameras_not_list.npz", {"v.mp4": {"custom": pixels(rng, 4)}}, metadata(videos))
    save_2d("data_2d_huge_shape.npz", custom(HugeArray((HUGE, 17, 2), b"\0" * 136)), metadata(videos))
    # Integers that do not fit an int: they must be refused, not wrapped or cast with undefined behaviour.
    for name, width in (("huge_float", 1e300), ("wraps", 2 ** 32 + 640), ("bigint", 2 ** 70)):
        meta = metadata(videos)
        meta["video_metadata"]["v.mp4"]["w"] = width
        save_2d("data_2d_width_%s.npz" % name, custom(pixels(rng, 4)), meta)
    save_2d("data_2d_symmetry_wraps.npz", custom(pixels(rng, 4)), metadata(videos, [[2 ** 32 + 1], [2]]))
    save_2d("data_2d_symmetry_nan.npz", custom(pixels(rng, 4)),
            metadata(videos, np.array([[np.nan, 1.0], [2.0, 3.0]])))

    cyclic = {}
    cyclic["v.mp4"] = cyclic
    save_2d("data_2d_cyclic.npz", cyclic, metadata(videos))
    laughs = [pixels(rng, 2)]
    for _ in range(60):  # 2^60 paths through 60 shared lists
        laughs = [laughs, laughs]
    save_2d("data_2d_laughs.npz", {"v.mp4": {"custom": laughs}}, metadata(videos))
    save_2d("data_2d_payload.npz", {"v.mp4": {"custom": [Payload()]}}, metadata(videos))
    savez("data_2d_payload_metadata.npz", positions_2d=custom(pixels(rng, 4)),
                        metadata={"layout_name": Payload()})

    # No keypoints_symmetry and no layout_name: flip TTA cannot run on any of its two sequences.
    own = np.random.default_rng(7)
    savez("data_2d_no_symmetry.npz", positions_2d={v: {"custom": [pixels(own, 12)]} for v in ("v.mp4", "w.mp4")},
          metadata={"video_metadata": {v: {"w": 1000, "h": 1000} for v in ("v.mp4", "w.mp4")}})
    # Good files for the batch test: two small custom inputs.
    for i in (1, 2):
        save_2d("data_2d_good_%d.npz" % i, custom(pixels(rng, 30)), metadata(videos))

    savez("data_3d_huge_shape.npz",
                        positions_3d={"S1": {"Walking": HugeArray((HUGE, 32, 3), b"\0" * 384)}})
    savez("data_3d_payload.npz", positions_3d={"S1": {"Walking": Payload()}})
    savez("data_3d_inf.npz",
                        positions_3d={"S1": {"Walking": np.full((3, 32, 3), np.inf, np.float32)}})


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    write_torch_checkpoints()
    write_huge_claim_checkpoints()
    write_videopose_files()
    write_zip_damage()
    total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
    print("wrote %d files, %d bytes, to %s" % (len(os.listdir(OUT)), total, OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
