#!/usr/bin/python3
"""Writes tests/fixtures/media/: tiny image and video files whose headers lift3d reads for
--size-from (src/io/media_size.cpp), and hostile variants of them.

Usage: /usr/bin/python3 tools/make_media_fixtures.py [--out tests/fixtures/media]

Everything is built byte by byte here (no image library):
  frame_64x48.png           a real 64x48 greyscale PNG (IHDR, one zlib IDAT, IEND)
  frame_64x48.jpg           a real 64x48 greyscale baseline JPEG: JFIF APP0, one quantisation table,
                            SOF0, two one-code Huffman tables (DC category 0 and end-of-block, one
                            bit each), 48 blocks of two zero bits: a flat grey image decoders accept
  frame_64x48_exif6.jpg     the same with an EXIF APP1 saying orientation 6 (shown turned 90
                            degrees: 48x64)
  clip_1920x1080.mp4        ftyp, then moov with mvhd and two traks: a sound track (tkhd 0x0,
                            hdlr 'soun') first, then the video track (tkhd 1920x1080 in 16.16 fixed
                            point, hdlr 'vide'); mdat last. No samples: only the box tree
                            lift3d walks.
  clip_1920x1080_rot90.mp4  the same, the video tkhd's matrix turning it 90 degrees (shown 1080x1920)
  clip_1920x1080_v1.mp4     tkhd version 1 (64-bit times) and a 64-bit box size on moov
Hostile:
  truncated.png             the signature and half an IHDR
  ihdr_lies.png             IHDR chunk length 2000000000
  zero_size.png             IHDR 0x48
  segment_past_end.jpg      an APP0 segment claiming 65535 bytes in a 40-byte file
  no_sof.jpg                start of scan before any frame header
  box_past_parent.mp4       a trak box claiming more bytes than moov holds
  largesize_lie.mp4         moov with a 64-bit size of 2^62
  tkhd_short.mp4            a tkhd box of 20 bytes
  no_video.mp4              only a sound track
  not_media.bin             text
"""

import argparse
import os
import struct
import zlib


def png(width, height, ihdr_length=13):
    def chunk(kind, data, length=None):
        length = len(data) if length is None else length
        return struct.pack(">I", length) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0), ihdr_length)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def exif_orientation(value):
    # TIFF little endian: header, IFD0 at 8 with one entry (0x0112 SHORT 1 value), next IFD 0.
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + struct.pack("<HHIHH", 0x0112, 3, 1, value, 0) + \
        struct.pack("<I", 0)
    return segment(0xE1, b"Exif\x00\x00" + tiff)


def jpeg(width, height, orientation=None):
    jfif = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = segment(0xDB, b"\x00" + b"\x01" * 64)
    sof = segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"  # one code of length 1 for the value 0
    dht = segment(0xC4, b"\x00" + one_code) + segment(0xC4, b"\x10" + one_code)
    sos = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    blocks = (width // 8) * (height // 8)
    scan = b"\x00" * ((blocks * 2 + 7) // 8)
    exif = exif_orientation(orientation) if orientation else b""
    return b"\xff\xd8" + jfif + exif + dqt + sof + dht + sos + scan + b"\xff\xd9"


def box(kind, payload, size=None):
    return struct.pack(">I", len(payload) + 8 if size is None else size) + kind + payload


def full_box(kind, version, payload):
    return box(kind, bytes([version, 0, 0, 0]) + payload)


IDENTITY = (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
TURN_90 = (0, 0x10000, 0, -0x10000 & 0xFFFFFFFF, 0, 0, 0, 0, 0x40000000)


def tkhd(width, height, matrix=IDENTITY, version=0):
    times = struct.pack(">QQIIQ", 0, 0, 1, 0, 0) if version == 1 else struct.pack(">IIIII", 0, 0, 1, 0, 0)
    body = times + b"\x00" * 8 + struct.pack(">hhhH", 0, 0, 0, 0) + struct.pack(">9I", *matrix) + \
        struct.pack(">II", width << 16, height << 16)
    return full_box(b"tkhd", version, body)


def hdlr(handler):
    return full_box(b"hdlr", 0, b"\x00" * 4 + handler + b"\x00" * 12 + b"\x00")


def trak(width, height, handler, matrix=IDENTITY, version=0):
    return box(b"trak", tkhd(width, height, matrix, version) + box(b"mdia", hdlr(handler)))


def mp4(traks, moov_largesize=None):
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = full_box(b"mvhd", 0, b"\x00" * 96)
    moov_payload = mvhd + b"".join(traks)
    if moov_largesize is None:
        moov = box(b"moov", moov_payload)
    else:
        moov = struct.pack(">I", 1) + b"moov" + struct.pack(">Q", moov_largesize) + moov_payload
    return ftyp + moov + box(b"mdat", b"")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "fixtures", "media"))
    out = os.path.normpath(parser.parse_args().out)
    os.makedirs(out, exist_ok=True)
    sound = trak(0, 0, b"soun")
    files = {
        "frame_64x48.png": png(64, 48),
        "frame_64x48.jpg": jpeg(64, 48),
        "frame_64x48_exif6.jpg": jpeg(64, 48, orientation=6),
        "clip_1920x1080.mp4": mp4([sound, trak(1920, 1080, b"vide")]),
        "clip_1920x1080_rot90.mp4": mp4([sound, trak(1920, 1080, b"vide", TURN_90)]),
        "truncated.png": png(64, 48)[:20],
        "ihdr_lies.png": png(64, 48, ihdr_length=2000000000),
        "zero_size.png": png(0, 48),
        "segment_past_end.jpg": b"\xff\xd8" + b"\xff\xe0\xff\xff" + b"JFIF\x00" + b"\x00" * 30,
        "no_sof.jpg": b"\xff\xd8" + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x00\x00\xff\xd9",
        "box_past_parent.mp4": mp4([box(b"trak", tkhd(1920, 1080), size=100000)]),
        "largesize_lie.mp4": mp4([trak(1920, 1080, b"vide")], moov_largesize=1 << 62),
        "tkhd_short.mp4": mp4([box(b"trak", full_box(b"tkhd", 0, b"\x00" * 8))]),
        "no_video.mp4": mp4([sound]),
        "not_media.bin": b"just some text, not an image\n",
    }
    # Version 1 tkhd and a truthful 64-bit moov size.
    v1_moov_payload = full_box(b"mvhd", 0, b"\x00" * 96) + trak(1920, 1080, b"vide", version=1)
    files["clip_1920x1080_v1.mp4"] = box(b"ftyp", b"isom\x00\x00\x02\x00isom") + struct.pack(">I", 1) + b"moov" + \
        struct.pack(">Q", len(v1_moov_payload) + 16) + v1_moov_payload
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
