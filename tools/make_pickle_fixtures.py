#!/usr/bin/python3
"""Golden fixtures for the restricted unpickler and the torch checkpoint reader.

Writes tests/fixtures/pickle/ (pickles made by Python's own pickle module at protocols 0-5,
hand-assembled pickles for opcodes Python 3 no longer emits -- each checked by decoding it with
pickle.loads here -- and hostile pickles that name os.system and friends) and
tests/fixtures/checkpoints/ (torch.save output in the legacy and zip formats). Every expected
value in the JSON sidecars is computed from the objects Python itself loads or saved.

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
import shutil
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


ALL_OPCODES = {op.name for op in pickletools.opcodes}


# ------------------------------------------------------------------------------------------------

def main():
    covered = make_pickle_fixtures()
    missing = ALL_OPCODES - covered
    if missing:
        sys.exit("opcodes not covered by the pickle fixtures: " + ", ".join(sorted(missing)))


if __name__ == "__main__":
    main()
