#!/usr/bin/python3
"""Writes the golden .npy/.npz/.zip fixtures for lift3d's npy, npz and zip readers.

Run with the system Python (it needs numpy):  /usr/bin/python3 tools/make_npy_fixtures.py
Output goes to tests/fixtures/npy/ next to this script's repository root, together with
expected.json, which records for every fixture what numpy itself reads back (dtype, shape and
every element in C order), so the C++ tests compare element values, not just shapes.
Everything is seeded and timestamp-free, so reruns produce identical bytes.
"""

import io
import json
import os
import re
import sys
import zipfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "npy")

# Six values per dtype (saved as a 2x3 array) that reach the edges of each type.
VALUES = {
    "b1": [True, False, True, True, False, False],
    "i1": [-128, -1, 0, 1, 127, 42],
    "u1": [0, 1, 2, 254, 255, 42],
    "i2": [-32768, -1, 0, 1, 32767, 1234],
    "u2": [0, 1, 2, 65534, 65535, 1234],
    "i4": [-2147483648, -1, 0, 1, 2147483647, 123456],
    "u4": [0, 1, 2, 4294967294, 4294967295, 123456],
    "i8": [-9223372036854775808, -1, 0, 1, 9223372036854775807, 1 << 53 | 1],
    "u8": [0, 1, 2, 18446744073709551614, 18446744073709551615, 1 << 53 | 1],
    # 65504 is float16's largest value and 2**-24 its smallest subnormal; both are exact in all three.
    "f2": [-1.5, 0.0, 0.1, 65504.0, 2.0 ** -24, -2.25],
    "f4": [-1.5, 0.0, 0.1, 3.4028234663852886e38, 1.401298464324817e-45, -2.25],
    "f8": [-1.5, 0.0, 0.1, 1.7976931348623157e308, 5e-324, -2.25],
}
NAMES = {"b1": "bool", "i1": "int8", "u1": "uint8", "i2": "int16", "u2": "uint16", "i4": "int32",
         "u4": "uint32", "i8": "int64", "u8": "uint64", "f2": "float16", "f4": "float32", "f8": "float64"}

METADATA = {"layout_name": "coco", "num_joints": 17, "keypoints_symmetry": [[1, 3, 5], [2, 4, 6]]}


def element_list(array):
    """Elements in C order as JSON numbers (Python ints stay exact, floats are exact doubles)."""
    flat = np.ascontiguousarray(array).reshape(-1)
    if flat.dtype.kind == "b":
        return [bool(v) for v in flat]
    if flat.dtype.kind in "iu":
        return [int(v) for v in flat]
    return [float(v) for v in flat]


def describe(array):
    return {"dtype": NAMES[array.dtype.newbyteorder("=").str[1:]] if array.dtype.kind != "b" else "bool",
            "shape": list(array.shape), "fortran_order": bool(array.flags.f_contiguous and array.ndim > 1
                                                              and not array.flags.c_contiguous),
            "values": element_list(array)}


def save_npy(expected, name, array, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        if version is None:
            np.save(f, array)
        else:
            np.lib.format.write_array(f, array, version=version)
    reread = np.load(path)
    assert reread.dtype == array.dtype and reread.shape == array.shape and np.array_equal(reread, array,
                                                                                          equal_nan=False)
    expected["npy"][name] = describe(reread)


def write_streamed_zip(path, members):
    """A zip written to an unseekable stream, so every member carries a data descriptor (flag bit 3),
    as torch.save's zip checkpoints do."""

    class Unseekable:
        def __init__(self):
            self.buffer = io.BytesIO()

        def write(self, data):
            return self.buffer.write(data)

        def flush(self):
            pass

    sink = Unseekable()
    with zipfile.ZipFile(sink, "w") as z:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    with open(path, "wb") as f:
        f.write(sink.buffer.getvalue())


def write_zip64_zip(path, members):
    """A zip whose every size and offset goes through zip64 records: zipfile switches to zip64 above
    ZIP64_LIMIT, so lowering that limit gives a real zip64 layout for a few bytes of data."""
    saved = zipfile.ZIP64_LIMIT
    zipfile.ZIP64_LIMIT = 8
    try:
        with zipfile.ZipFile(path, "w") as z:
            for name, data, method in members:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = method
                z.writestr(info, data)
    finally:
        zipfile.ZIP64_LIMIT = saved


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240613)
    expected = {"npy": {}, "npz": {}, "zip": {}}

    for code, values in VALUES.items():
        array = np.array(values, dtype="<" + code if code != "b1" else "|b1").reshape(2, 3)
        save_npy(expected, NAMES[code] + ".npy", array)
        if code not in ("b1", "i1", "u1"):
            save_npy(expected, NAMES[code] + "_be.npy", array.astype(">" + code))

    keypoints = rng.normal(500.0, 120.0, size=(5, 17, 2)).astype(np.float32)
    save_npy(expected, "keypoints.npy", keypoints)
    save_npy(expected, "float64_fortran.npy", np.asfortranarray(rng.normal(size=(3, 4, 2))))
    save_npy(expected, "int32_fortran_be.npy",
             np.asfortranarray(np.arange(12, dtype=">i4").reshape(3, 4) * 1000 - 5000))
    save_npy(expected, "float32_fortran_2d.npy", np.asfortranarray(keypoints[0]))
    save_npy(expected, "scalar_float64.npy", np.array(3.25))
    save_npy(expected, "scalar_int64.npy", np.array(-7, dtype="<i8"))
    save_npy(expected, "empty_float32.npy", np.zeros((0, 17, 2), dtype=np.float32))
    save_npy(expected, "empty_1d_int64.npy", np.zeros((0,), dtype=np.int64))
    save_npy(expected, "vector_float32.npy", np.linspace(-1.0, 1.0, 7, dtype=np.float32))
    save_npy(expected, "float32_v2.npy", keypoints[:2], version=(2, 0))
    save_npy(expected, "float32_v3.npy", keypoints[:1], version=(3, 0))

    labels = np.arange(5, dtype=np.int64) * 3
    arrays = {"keypoints": keypoints, "labels": labels, "scale": np.array(0.5)}
    for name, writer in (("arrays_stored.npz", np.savez), ("arrays_compressed.npz", np.savez_compressed)):
        path = os.path.join(OUT, name)
        writer(path, **arrays)
        with np.load(path) as npz:
            expected["npz"][name] = {"keys": list(npz.keys()),
                                     "arrays": {key: describe(npz[key]) for key in npz.keys()}}

    # VideoPose3D-style: a pickled dict stored as a 0-d object array next to a numeric array.
    path = os.path.join(OUT, "metadata_object.npz")
    np.savez_compressed(path, positions=keypoints[:3], metadata=METADATA)
    with np.load(path, allow_pickle=True) as npz:
        assert npz["metadata"].item() == METADATA
        expected["npz"]["metadata_object.npz"] = {"keys": list(npz.keys()),
                                                  "arrays": {"positions": describe(npz["positions"])},
                                                  "metadata": METADATA}

    members = [("alpha.txt", b"alpha " * 40, zipfile.ZIP_DEFLATED),
               ("dir/beta.bin", bytes(range(256)), zipfile.ZIP_STORED),
               ("empty", b"", zipfile.ZIP_STORED)]
    for name, writer in (("streamed.zip", write_streamed_zip), ("zip64.zip", write_zip64_zip)):
        path = os.path.join(OUT, name)
        writer(path, members)
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
            infos = z.infolist()
            expected["zip"][name] = {"members": [{"name": i.filename, "method": i.compress_type,
                                                  "flags": i.flag_bits, "size": i.file_size,
                                                  "crc32": i.CRC, "hex": z.read(i).hex()} for i in infos]}

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        text = json.dumps(expected, indent=1, sort_keys=True)
        # Keep each list of numbers on one line so the file stays short and diffable.
        def one_line(match):
            return "[" + re.sub(r"\s*\n\s*", " ", match.group(1)) + "]"
        text = re.sub(r"\[\s*([^\[\]{}]*?)\s*\]", one_line, text)
        f.write(text + "\n")
    print("wrote", len(os.listdir(OUT)), "files to", os.path.relpath(OUT, ROOT), file=sys.stderr)


if __name__ == "__main__":
    main()
