#!/usr/bin/python3
"""Golden fixtures for the restricted unpickler and the torch checkpoint reader.

Writes tests/fixtures/pickle/ (pickles made by Python's own pickle module at protocols 0-5,
hand-assembled pickles for opcodes Python 3 no longer emits -- each checked by decoding it with
pickle.loads here -- and hostile pickles that name os.system and friends) and
tests/fixtures/checkpoints/ (torch.save output in the legacy and zip formats; legacy files get
their address-based storage names replaced by 0, 1, ... so the bytes are reproducible). Every
expected value in the JSON sidecars is computed from the objects Python itself loads or saved.

Run with /usr/bin/python3 (it needs torch and numpy); the output is deterministic.
"""

import collections
import copyreg
import io
import json
import math
import os
import pickle
import pickletools
import struct
import subprocess
import sys
import zipfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PICKLE_DIR = os.path.join(ROOT, "tests", "fixtures", "pickle")
CHECKPOINT_DIR = os.path.join(ROOT, "tests", "fixtures", "checkpoints")


# ------------------------------------------------------------------------------------------------
# Expected values as JSON: exact (floats as IEEE bits, bytes and array data as hex)

class Opaque:
    """Marks an object that the C++ side must decode as an opaque placeholder called `name`."""

    def __init__(self, obj, name):
        self.obj = obj
        self.name = name


def encode(o, opaque_names):
    if id(o) in opaque_names:
        return {"t": "opaque", "name": opaque_names[id(o)]}
    if isinstance(o, (np.ndarray, np.generic)):  # before float: np.float64 is a float subclass
        a = np.asarray(o)
        if a.dtype == object:
            return {"t": "objarray", "shape": list(a.shape),
                    "items": [encode(x, opaque_names) for x in a.reshape(-1, order="C")]}
        if a.dtype.kind not in "biuf":
            return {"t": "opaque", "name": "numpy.ndarray"}
        little = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"))
        return {"t": "array", "dtype": a.dtype.name, "shape": list(a.shape), "hex": little.tobytes().hex()}
    if o is None:
        return {"t": "none"}
    if isinstance(o, bool):
        return {"t": "bool", "v": o}
    if isinstance(o, int):
        if -2**63 <= o < 2**63:
            return {"t": "int", "v": o}
        return {"t": "bigint", "hex": hex(o)}
    if isinstance(o, float):
        return {"t": "float", "bits": struct.pack(">d", o).hex()}
    if isinstance(o, str):
        return {"t": "str", "v": o}
    if isinstance(o, (bytes, bytearray)):
        return {"t": "bytes", "hex": bytes(o).hex()}
    if isinstance(o, dict):
        return {"t": "dict", "entries": [[encode(k, opaque_names), encode(v, opaque_names)] for k, v in o.items()]}
    if isinstance(o, (list, set)):
        return {"t": "list", "items": [encode(x, opaque_names) for x in o]}
    if isinstance(o, (tuple, frozenset)):
        return {"t": "tuple", "items": [encode(x, opaque_names) for x in o]}
    raise TypeError("no expectation for %r" % (o,))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")


def opcodes_of(data):
    names = set()
    stream = io.BytesIO(data)
    for opcode, _, _ in pickletools.genops(stream):
        names.add(opcode.name)
    return names


# ------------------------------------------------------------------------------------------------
# Pickle fixtures

class Point:
    """A class the unpickler must not rebuild; __getnewargs_ex__ makes protocol 4 use NEWOBJ_EX."""

    def __init__(self, x, y=0):
        self.x, self.y = x, y

    def __getnewargs_ex__(self):
        return (self.x,), {"y": self.y}

    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


def values_object():
    rng = np.random.RandomState(1234)
    strs = ["s%03d" % i for i in range(300)]
    shared = ["shared", 1]
    object_2d = np.empty((2, 2), dtype=object)
    object_2d[0, 0], object_2d[0, 1], object_2d[1, 0], object_2d[1, 1] = "a", 1, None, (2,)
    object_0d = np.empty((), dtype=object)
    object_0d[()] = {"k": [1, 2]}
    object_1d = np.empty(3, dtype=object)
    object_1d[0], object_1d[1], object_1d[2] = np.arange(3, dtype=np.float32), "x", None
    random_state = np.random.RandomState(1234)
    complex_value = 1 + 2j
    values = {
        "none": None, "true": True, "false": False,
        "int_small": 7, "int_neg": -3, "int_byte": 255, "int_u16": 65535, "int_i32_min": -2**31,
        "int_i32_max": 2**31 - 1, "int_i64_max": 2**63 - 1, "int_i64_min": -2**63,
        "int_torch_magic": 0x1950a86a20f9469cfc6c, "int_big_neg": -2**100 - 1, "int_huge": 2**2100 + 12345,
        "float": 1.5, "float_neg_zero": -0.0, "float_tiny": 5e-324, "float_inf": math.inf,
        "float_ninf": -math.inf, "float_nan": math.nan, "float_lr": 0.0001, "float_pi": math.pi,
        "float_big": 1e300,
        "str_empty": "", "str_ascii": "hello", "str_latin1": "caf\xe9 \xf8",
        "str_unicode": "\u03c0\u22483.14 \u2713 \U0001d11e", "str_escapes": "back\\slash\nnew line\r\x00\x1a tab\t",
        "str_long": "x" * 300,
        "bytes_empty": b"", "bytes_small": b"\x00\x01\n\\\xff", "bytes_long": bytes(range(256)) * 2,
        "bytearray": bytearray(b"\x00abc\xff"),
        "list_empty": [], "list": [1, "a", None], "list_nested": [[1, [2, [3]]]], "list_long": list(range(1001)),
        "tuple0": (), "tuple1": (1,), "tuple2": (1, 2), "tuple3": (1, 2, 3), "tuple4": (1, 2, 3, 4),
        "dict_empty": {}, "dict_int_keys": {1: "one", 2: "two", -5: "neg"}, "dict_nested": {"a": {"b": {"c": []}}},
        "dict_tuple_key": {(1, 2): "pair"},
        "set": {3, 1, 2}, "set_empty": set(), "frozenset": frozenset({5, 4}),
        "ordered": collections.OrderedDict([("z", 1), ("a", 2)]),
        "shared_a": shared, "shared_b": shared,
        "strs": strs, "late_str": strs[299],
        "np_f32": (np.arange(6, dtype=np.float32).reshape(2, 3) / 7).astype(np.float32),
        "np_f64_be": np.array([1.5, -2.25, 1e300], dtype=">f8"),
        "np_i64_fortran": np.asfortranarray(np.arange(12, dtype=np.int64).reshape(3, 4) - 5),
        "np_f32_transposed": np.arange(6, dtype=np.float32).reshape(2, 3).T,
        "np_3d": rng.normal(size=(2, 3, 4)).astype(np.float32),
        "np_bool": np.array([True, False, True]),
        "np_i8": np.array([-128, 0, 127], dtype=np.int8),
        "np_u8": np.arange(5, dtype=np.uint8),
        "np_i16_be": np.array([-2, 300], dtype=">i2"),
        "np_u16": np.array([65535, 1], dtype=np.uint16),
        "np_i32": np.array([-2**31, 7], dtype=np.int32),
        "np_u32": np.array([2**32 - 1], dtype=np.uint32),
        "np_u64": np.array([2**64 - 1], dtype=np.uint64),
        "np_f16": np.array([0.5, -1, 65504], dtype=np.float16),
        "np_0d": np.array(3.25),
        "np_empty": np.zeros((0, 3), np.float32),
        "np_scalar_f64": np.float64(2.5), "np_scalar_i64": np.int64(-7), "np_scalar_f32": np.float32(0.1),
        "np_scalar_bool": np.bool_(True),
        "np_object_0d": object_0d, "np_object_1d": object_1d, "np_object_2d_fortran": np.asfortranarray(object_2d),
        "np_str": np.array(["ab", "c"]),
        "random_state": random_state,
        "complex": complex_value,
    }
    ctor = random_state.__reduce__()[0]
    opaque = {id(random_state): ctor.__module__ + "." + ctor.__name__, id(complex_value): "builtins.complex"}
    return values, opaque


class PersistentPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, str) and obj.startswith("pid:"):
            return obj
        return None


class PersistentUnpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        return "loaded " + pid  # the C++ test's persistent_load does the same


class Hostile:
    """Objects whose pickles name dangerous globals (pickling them runs nothing)."""

    def __init__(self, reduce_value, claimed_class=None):
        self.reduce_value = reduce_value
        self.claimed_class = claimed_class

    def __reduce__(self):
        return self.reduce_value

    @property
    def __class__(self):  # lets the pickler emit NEWOBJ for a class this object only claims to be
        return self.claimed_class or Hostile


# Hand-assembled pickles for opcodes Python 3's pickler never writes: name -> bytes.
HANDMADE = {
    "string": b"(S'plain'\nS\"dq \\\"x\\\"\"\nS'esc\\n\\t\\\\\\x41\\101\\'q'\nS''\nl.",
    "binstring": b"(T\x03\x00\x00\x00abcU\x02hiU\x00l.",
    "inst_set": b"((I1\nI2\nli__builtin__\nset\n.",
    "inst_empty": b"(icollections\nOrderedDict\n.",
    "obj_frozenset": b"(c__builtin__\nfrozenset\n(I3\nI4\nlo.",
    "obj_empty": b"(ccollections\nOrderedDict\no.",
    "dup": b"(I5\n2l.",
    "binunicode8": b"\x80\x04\x8d\x03\x00\x00\x00\x00\x00\x00\x00a\xc3\xa9.",
    "binbytes8": b"\x80\x04\x8e\x02\x00\x00\x00\x00\x00\x00\x00\x01\x02.",
    "put_get_text": b"((I1\nlp7\ng7\nl.",
    "long_text": b"L-123456789012345678901234567890L\n.",
    "int_bool_text": b"(I01\nI00\nI-42\nl.",
    "float_text": b"(F1e-05\nF-inf\nF2.5\nl.",
    "dict_duplicate_key": b"\x80\x02}(K\x01K\x02\x88K\x03X\x01\x00\x00\x00aK\x04u.",
}


def make_pickle_fixtures():
    os.makedirs(PICKLE_DIR, exist_ok=True)
    manifest = {"values": [], "handmade": {}, "recursive": [], "persistent": [], "covered_opcodes": []}
    covered = set()

    values, opaque = values_object()
    for protocol in range(6):
        data = pickle.dumps(values, protocol=protocol)
        loaded = pickle.loads(data)
        assert loaded.keys() == values.keys()
        name = "values_p%d.pkl" % protocol
        write(os.path.join(PICKLE_DIR, name), data)
        manifest["values"].append(name)
        covered |= opcodes_of(data)
    write_json(os.path.join(PICKLE_DIR, "values.json"), encode(values, opaque))

    # Self-referencing containers make the pickler emit POP (protocol 0) and POP_MARK (1+).
    for protocol in range(6):
        inner = []
        pair = (inner, 1)
        inner.append(pair)
        data = pickle.dumps([pair], protocol=protocol)
        again = pickle.loads(data)
        assert again[0][0][0] is again[0]
        name = "recursive_p%d.pkl" % protocol
        write(os.path.join(PICKLE_DIR, name), data)
        manifest["recursive"].append(name)
        covered |= opcodes_of(data)

    # Persistent ids: PERSID at protocol 0, BINPERSID from protocol 1.
    persistent_object = {"a": "pid:first", "b": ["pid:second", 3]}
    expected = None
    for protocol in range(6):
        buffer = io.BytesIO()
        PersistentPickler(buffer, protocol=protocol).dump(persistent_object)
        data = buffer.getvalue()
        loaded = PersistentUnpickler(io.BytesIO(data)).load()
        expected = encode(loaded, {})
        name = "persistent_p%d.pkl" % protocol
        write(os.path.join(PICKLE_DIR, name), data)
        manifest["persistent"].append(name)
        covered |= opcodes_of(data)
    write_json(os.path.join(PICKLE_DIR, "persistent.json"), expected)

    # NEWOBJ_EX (protocol 4+) for an instance of a class we keep opaque.
    data = pickle.dumps([Point(3, y=4)], protocol=4)
    assert pickle.loads(data) == [Point(3, y=4)]
    write(os.path.join(PICKLE_DIR, "newobj_ex_p4.pkl"), data)
    covered |= opcodes_of(data)

    # Hand-assembled pickles, decoded here by Python to get the expected values.
    for name, data in HANDMADE.items():
        loaded = pickle.loads(data, encoding="bytes")
        manifest["handmade"][name] = encode(loaded, {})
        write(os.path.join(PICKLE_DIR, "handmade_%s.pkl" % name), data)
        covered |= opcodes_of(data)

    # The extension registry and out-of-band buffers: valid pickles the C++ side rejects.
    for code, name in ((1, "ext1"), (300, "ext2"), (70000, "ext4")):
        copyreg.add_extension("collections", "OrderedDict", code)
        data = pickle.dumps(collections.OrderedDict, protocol=2)
        copyreg.remove_extension("collections", "OrderedDict", code)
        write(os.path.join(PICKLE_DIR, "reject_%s.pkl" % name), data)
        covered |= opcodes_of(data)
    buffers = []
    data = pickle.dumps([pickle.PickleBuffer(b"abc"), pickle.PickleBuffer(bytearray(b"de"))], protocol=5,
                        buffer_callback=buffers.append)
    write(os.path.join(PICKLE_DIR, "reject_buffers.pkl"), data)
    covered |= opcodes_of(data)

    # Hostile pickles made by Python's pickler (dumping them runs nothing).
    hostile = {
        "reduce_system": Hostile((os.system, ("echo pwned",))),
        "reduce_eval": Hostile((eval, ("1+1",))),
        "newobj_popen": Hostile((copyreg.__newobj__, (subprocess.Popen, ["true"])), subprocess.Popen),
        "build_state_system": Hostile((collections.OrderedDict, (), {"f": os.system})),
    }
    for name, obj in hostile.items():
        for protocol in range(6):
            buffer = io.BytesIO()
            pickle._Pickler(buffer, protocol=protocol).dump(obj)  # the pure-Python pickler
            data = buffer.getvalue()
            write(os.path.join(PICKLE_DIR, "hostile_%s_p%d.pkl" % (name, protocol)), data)
            covered |= opcodes_of(data)

    manifest["covered_opcodes"] = sorted(covered)
    write_json(os.path.join(PICKLE_DIR, "manifest.json"), manifest)
    return covered


# ------------------------------------------------------------------------------------------------
# Torch checkpoint fixtures

TORCH_DTYPE_NAMES = {
    "torch.float32": "float32", "torch.float64": "float64", "torch.float16": "float16", "torch.bfloat16": "bfloat16",
    "torch.int64": "int64", "torch.int32": "int32", "torch.int16": "int16", "torch.int8": "int8",
    "torch.uint8": "uint8", "torch.bool": "bool",
}


def tensor_expectation(t):
    import torch
    flat = t.detach().contiguous().reshape(-1)
    raw = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
    return {"dtype": TORCH_DTYPE_NAMES[str(t.dtype)], "shape": list(t.shape), "hex": raw.hex()}


def tensors_object():
    import torch
    torch.manual_seed(7)
    base = torch.arange(20, dtype=torch.float32).reshape(4, 5) / 3
    return {
        "f32": torch.randn(3, 4),
        "f64": torch.randn(2, 3, dtype=torch.float64),
        "f16": torch.randn(5).half(),
        "bf16": torch.randn(4).bfloat16(),
        "i64": torch.arange(-3, 3),
        "i32": torch.tensor([-(2**31), 5, 2**31 - 1], dtype=torch.int32),
        "i16": torch.tensor([-300, 7], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "base": base,
        "view_offset": base[1:, 2:],
        "transposed": base.t(),
        "strided": base[:, ::2],
        "expanded": torch.arange(3, dtype=torch.float32).reshape(3, 1).expand(3, 4),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "param": torch.nn.Parameter(torch.randn(2)),
        "size": torch.Size([2, 3]),
        "nested": {"list": [torch.ones(2, dtype=torch.float64), 1], "none": None},
    }


def tensors_expectation(obj):
    import torch
    out = {}
    for name, value in obj.items():
        if isinstance(value, torch.Tensor):
            out[name] = tensor_expectation(value)
    out["nested.list.0"] = tensor_expectation(obj["nested"]["list"][0])
    return out


class TinyTemporalModel:
    """A VideoPose3D TemporalModel's parameter layout (expand_conv, expand_bn, layers_conv,
    layers_bn, shrink) at toy size: 2 joints in and out, 4 channels, filter widths 3,3."""

    @staticmethod
    def build():
        import torch.nn as nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.expand_conv = nn.Conv1d(4, 4, 3, bias=False)
                self.expand_bn = nn.BatchNorm1d(4, momentum=0.1)
                self.layers_conv = nn.ModuleList([nn.Conv1d(4, 4, 3, dilation=3, bias=False),
                                                  nn.Conv1d(4, 4, 1, bias=False)])
                self.layers_bn = nn.ModuleList([nn.BatchNorm1d(4), nn.BatchNorm1d(4)])
                self.shrink = nn.Conv1d(4, 6, 1)

            def forward(self, x):
                x = self.expand_bn(self.expand_conv(x)).relu()
                x = self.layers_bn[0](self.layers_conv[0](x)).relu()
                x = self.layers_bn[1](self.layers_conv[1](x)).relu()
                return self.shrink(x)

        return Model()


def videopose_object():
    import torch
    torch.manual_seed(1234)
    model = TinyTemporalModel.build()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, amsgrad=True)
    loss = model(torch.randn(2, 4, 9)).pow(2).mean()  # one step so the optimizer has state tensors
    loss.backward()
    optimizer.step()
    with torch.no_grad():  # make the running statistics non-trivial
        model(torch.randn(2, 4, 9))
    return {
        "epoch": 80,
        "lr": 0.0001,
        "random_state": np.random.RandomState(1234),
        "optimizer": optimizer.state_dict(),
        "model_pos": model.state_dict(),
        "model_traj": None,
        "random_state_semi": None,
    }


class _ViewStorage:
    pass


class _RebuildOnView:
    def __reduce__(self):
        import torch
        return (torch._utils._rebuild_tensor_v2,
                (_ViewStorage(), 1, (2, 2), (1, 2), False, collections.OrderedDict()))


class _ViewPickler(pickle.Pickler):
    def persistent_id(self, obj):
        import torch
        if isinstance(obj, _ViewStorage):  # a view of 5 elements starting at element 3 of 'root'
            return ("storage", torch.FloatStorage, "root", "cpu", 10, ("view1", 3, 5))
        return None


def legacy_checkpoint_with_storage_view():
    """Old torch.save could store views of storages; torch 1.13 still loads them but no longer
    writes them, so this file is assembled here in the legacy layout (and checked by torch.load)."""
    import torch
    stream = io.BytesIO()
    pickle.dump(0x1950a86a20f9469cfc6c, stream, protocol=2)
    pickle.dump(1001, stream, protocol=2)
    pickle.dump({"protocol_version": 1001, "little_endian": True,
                 "type_sizes": {"short": 2, "int": 4, "long": 4}}, stream, protocol=2)
    _ViewPickler(stream, protocol=2).dump({"t": _RebuildOnView()})
    pickle.dump(["root"], stream, protocol=2)
    stream.write(struct.pack("<q", 10))
    stream.write(np.arange(10, dtype="<f4").tobytes())
    return stream.getvalue()


def canonicalise_legacy_storage_keys(path):
    """Legacy torch.save names storages by their memory address and writes them sorted by that
    name, so plain output differs from run to run. Rename them 0, 1, ... in the order the object
    pickle first uses them and lay the data out in that order (the file is ours, so decoding its
    object pickle with Python's pickle to learn the storage types is safe)."""
    data = open(path, "rb").read()
    stream = io.BytesIO(data)
    for _ in range(3):
        pickle.load(stream)
    objects_start = stream.tell()
    first_use = []
    element_sizes = {}

    class Recorder(pickle.Unpickler):
        def persistent_load(self, pid):
            _, storage_type, key, _, numel, _ = pid
            if key not in element_sizes:
                first_use.append(key)
                element_sizes[key] = storage_type().element_size()
            return storage_type(numel)

    Recorder(stream).load()
    objects_end = stream.tell()
    keys = pickle.load(stream)
    position = stream.tell()
    blocks = {}
    for key in keys:  # each: int64 element count, then the elements
        (count,) = struct.unpack("<q", data[position:position + 8])
        end = position + 8 + count * element_sizes[key]
        blocks[key] = data[position:end]
        position = end
    assert position == len(data) and sorted(first_use) == sorted(keys)
    objects = data[objects_start:objects_end]
    width = len(str(len(keys)))
    names = {key: str(index).zfill(width) for index, key in enumerate(first_use)}
    for key, name in names.items():
        old = b"X" + struct.pack("<I", len(key)) + key.encode()
        assert old in objects
        objects = objects.replace(old, b"X" + struct.pack("<I", len(name)) + name.encode())
    out = data[:objects_start] + objects + pickle.dumps([names[k] for k in first_use], protocol=2)
    out += b"".join(blocks[k] for k in first_use)
    write(path, out)


def optimizer_state(checkpoint):
    return checkpoint["optimizer"]["state"]


def make_checkpoint_fixtures():
    import torch
    os.makedirs(CHECKPOINT_DIR, exist_ok=True)
    expectations = {}

    tensors = tensors_object()
    torch.save(tensors, os.path.join(CHECKPOINT_DIR, "tensors_legacy.pt"), _use_new_zipfile_serialization=False)
    canonicalise_legacy_storage_keys(os.path.join(CHECKPOINT_DIR, "tensors_legacy.pt"))
    torch.save(tensors, os.path.join(CHECKPOINT_DIR, "tensors_zip.pt"))  # top folder: the file stem
    buffer = io.BytesIO()
    torch.save(tensors, buffer)  # saved without a file name: top folder "archive"
    write(os.path.join(CHECKPOINT_DIR, "tensors_archive.pt"), buffer.getvalue())
    for name in ("tensors_legacy.pt", "tensors_zip.pt", "tensors_archive.pt"):
        loaded = torch.load(os.path.join(CHECKPOINT_DIR, name))
        assert tensors_expectation(loaded) == tensors_expectation(tensors), name
    expectations["tensors"] = tensors_expectation(tensors)
    expectations["zip_folders"] = {
        name: sorted({n.split("/")[0] for n in zipfile.ZipFile(os.path.join(CHECKPOINT_DIR, name)).namelist()})
        for name in ("tensors_zip.pt", "tensors_archive.pt")}

    checkpoint = videopose_object()
    torch.save(checkpoint, os.path.join(CHECKPOINT_DIR, "videopose_legacy.bin"), _use_new_zipfile_serialization=False)
    canonicalise_legacy_storage_keys(os.path.join(CHECKPOINT_DIR, "videopose_legacy.bin"))
    torch.save(checkpoint, os.path.join(CHECKPOINT_DIR, "videopose_zip.bin"))
    for name in ("videopose_legacy.bin", "videopose_zip.bin"):
        loaded = torch.load(os.path.join(CHECKPOINT_DIR, name), weights_only=False) \
            if "weights_only" in torch.load.__code__.co_varnames else torch.load(os.path.join(CHECKPOINT_DIR, name))
        assert [[n, tensor_expectation(t)] for n, t in loaded["model_pos"].items()] == \
            [[n, tensor_expectation(t)] for n, t in checkpoint["model_pos"].items()], name
        assert [tensor_expectation(t) for state in loaded["optimizer"]["state"].values() for t in state.values()] == \
            [tensor_expectation(t) for state in optimizer_state(checkpoint).values() for t in state.values()], name
    optimizer = checkpoint["optimizer"]
    expectations["videopose"] = {
        "epoch": checkpoint["epoch"],
        "lr_bits": struct.pack(">d", checkpoint["lr"]).hex(),
        "keys": list(checkpoint.keys()),
        "model_pos": [[name, tensor_expectation(t)] for name, t in checkpoint["model_pos"].items()],
        "optimizer_state": {str(k): {n: tensor_expectation(v) for n, v in state.items()}
                            for k, state in optimizer["state"].items()},
        "optimizer_param_groups_keys": list(optimizer["param_groups"][0].keys()),
        "random_state_reduce": ".".join((checkpoint["random_state"].__reduce__()[0].__module__,
                                         checkpoint["random_state"].__reduce__()[0].__name__)),
    }

    data = legacy_checkpoint_with_storage_view()
    path = os.path.join(CHECKPOINT_DIR, "storage_view_legacy.pt")
    write(path, data)
    expectations["storage_view"] = {"t": tensor_expectation(torch.load(path)["t"])}

    write_json(os.path.join(CHECKPOINT_DIR, "expected.json"), expectations)


ALL_OPCODES = {op.name for op in pickletools.opcodes}


# ------------------------------------------------------------------------------------------------

def main():
    covered = make_pickle_fixtures()
    missing = ALL_OPCODES - covered
    if missing:
        sys.exit("opcodes not covered by the pickle fixtures: " + ", ".join(sorted(missing)))
    make_checkpoint_fixtures()


if __name__ == "__main__":
    main()
