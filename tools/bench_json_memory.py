#!/usr/bin/python3
"""Peak memory of `lift3d infer` on long keypoint JSON files, against the keypoints they hold.

Generates long inputs in a temporary folder (deleted afterwards) from data/samples/cmu_02_06_coco.json,
its frames repeated with small offsets (x + 0.5 v, y + 0.25 v px, v = repetition % 10), in lift3d's
own JSON, COCO results, AlphaPose and MMPose 1.x form, runs

    lift3d infer --input FILE --output out.npy [--image-size WxH]

and prints, per format and length: the JSON size, the float32 keypoints (frames x 17 joints x 3
floats: x, y, score, as decoded), the peak resident memory of the run, the fixed part (the peak of
the same command on a 300-frame input: program, model, working chunk), the ratio
(peak - fixed) / keypoints, and the seconds.

    tools/bench_json_memory.py --lift3d build/lift3d [--frames 200000,1000000]
        [--formats lift3d,coco,alphapose,mmpose] [--check-ratio 1.5] [--infer-arg=--no-tta ...]

--check-ratio R exits 1 when a ratio exceeds R (tests/cli/json_memory.sh uses it).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "data", "samples", "cmu_02_06_coco.json")
FIXED_FRAMES = 300
EXTRA_ARGS = []  # --infer-arg
VARIANTS = 10  # distinct offsets; each base frame's text is made once per offset


def fmt(value):
    return ("%.2f" % value).rstrip("0").rstrip(".")


def load_sample():
    with open(SAMPLE) as f:
        doc = json.load(f)
    frames = [f for f in doc["keypoints"] if all(j is not None for j in f)]
    return doc["image_width"], doc["image_height"], frames


def variant(frame, v):
    return [(x + 0.5 * v, y + 0.25 * v, s) for x, y, s in frame]


def mean_score(points):
    return sum(p[2] for p in points) / len(points)


# Each writer: (header, record(points, index) -> text, footer, needs --image-size)
def lift3d_form(width, height):
    header = ('{"format": "lift3d-keypoints-2d", "version": 1, "layout": "coco", "image_width": %d, '
              '"image_height": %d, "fps": 50,\n "keypoints": [\n' % (width, height))

    def record(points, _):
        return "[" + ", ".join("[%s, %s, %s]" % (fmt(x), fmt(y), fmt(s)) for x, y, s in points) + "]"
    return header, record, "\n]}\n", False


def flat(points):
    return ", ".join("%s, %s, %s" % (fmt(x), fmt(y), fmt(s)) for x, y, s in points)


def coco_form(width, height):
    def record(points, _):
        return '{"image_id": %%d, "category_id": 1, "keypoints": [%s], "score": %s}' % (
            flat(points), fmt(mean_score(points)))
    return "[\n", record, "\n]\n", True


def alphapose_form(width, height):
    def record(points, _):
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        box = "%s, %s, %s, %s" % (fmt(min(xs)), fmt(min(ys)), fmt(max(xs) - min(xs)), fmt(max(ys) - min(ys)))
        return ('{"image_id": "%%d.jpg", "category_id": 1, "keypoints": [%s], "score": %s, "box": [%s], '
                '"idx": [0.0]}' % (flat(points), fmt(mean_score(points)), box))
    return "[\n", record, "\n]\n", True


def mmpose_form(width, height):
    def record(points, _):
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        return ('{"frame_id": %%d, "instances": [{"keypoints": [%s], "keypoint_scores": [%s], '
                '"bbox": [[%s, %s, %s, %s]], "bbox_score": 0.9}]}' % (
                    ", ".join("[%s, %s]" % (fmt(x), fmt(y)) for x, y, _ in points),
                    ", ".join(fmt(s) for _, _, s in points),
                    fmt(min(xs)), fmt(min(ys)), fmt(max(xs)), fmt(max(ys))))
    return "[\n", record, "\n]\n", True


FORMS = {"lift3d": lift3d_form, "coco": coco_form, "alphapose": alphapose_form, "mmpose": mmpose_form}


def write_input(path, form, frames_wanted, sample):
    width, height, base = sample
    header, record, footer, needs_size = form(width, height)
    texts = [[record(variant(frame, v), 0) for frame in base] for v in range(VARIANTS)]
    numbered = "%d" in texts[0][0]
    with open(path, "w") as out:
        out.write(header)
        for i in range(frames_wanted):
            rep, k = divmod(i, len(base))
            text = texts[rep % VARIANTS][k]
            out.write((",\n" if i else "") + (text % i if numbered else text))
        out.write(footer)
    return needs_size


def run(lift3d, path, output, size_args):
    command = [lift3d, "infer", "--input", path, "--output", output] + size_args + EXTRA_ARGS
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if status != 0:
        sys.exit("bench_json_memory: %s failed (status %d): %s" % (" ".join(command), status, stderr[-2000:]))
    return usage.ru_maxrss / 1024.0, seconds  # ru_maxrss is in KiB


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lift3d", default=os.path.join(ROOT, "build", "lift3d"))
    parser.add_argument("--frames", default="200000,1000000")
    parser.add_argument("--formats", default="lift3d,coco,alphapose,mmpose")
    parser.add_argument("--check-ratio", type=float, default=None)
    parser.add_argument("--tmp", default=None, help="folder for the generated files (default: a new temporary one)")
    parser.add_argument("--infer-arg", action="append", default=[], help="one more infer argument (repeatable)")
    args = parser.parse_args()
    EXTRA_ARGS.extend(args.infer_arg)
    sample = load_sample()
    lengths = [int(n) for n in args.frames.split(",")]
    work = tempfile.mkdtemp(prefix="lift3d-json-memory-", dir=args.tmp)
    rows = []
    failed = False
    try:
        for name in args.formats.split(","):
            form = FORMS[name]
            output = os.path.join(work, "out.npy")
            small = os.path.join(work, "fixed.json")
            needs_size = write_input(small, form, FIXED_FRAMES, sample)
            size_args = ["--image-size", "%dx%d" % sample[:2]] if needs_size else []
            fixed, _ = run(args.lift3d, small, output, size_args)
            for frames in lengths:
                path = os.path.join(work, "%s_%d.json" % (name, frames))
                write_input(path, form, frames, sample)
                json_mb = os.path.getsize(path) / 2**20
                peak, seconds = run(args.lift3d, path, output, size_args)
                os.remove(path)
                keypoints_mb = frames * 17 * 3 * 4 / 2**20
                ratio = (peak - fixed) / keypoints_mb
                rows.append((name, frames, json_mb, keypoints_mb, peak, fixed, ratio, seconds))
                print("%-10s %9d frames: peak %.0f MiB, ratio %.2f, %.1f s" % (name, frames, peak, ratio, seconds),
                      file=sys.stderr, flush=True)
                if args.check_ratio is not None and ratio > args.check_ratio:
                    failed = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| format | frames | JSON MiB | float32 keypoints MiB | peak RSS MiB | fixed part MiB | "
          "(peak - fixed) / keypoints | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, frames, json_mb, keypoints_mb, peak, fixed, ratio, seconds in rows:
        print("| %s | %d | %.0f | %.1f | %.0f | %.0f | %.2f | %.1f |" % (
            name, frames, json_mb, keypoints_mb, peak, fixed, ratio, seconds))
    if failed:
        print("bench_json_memory: a ratio exceeds %g" % args.check_ratio, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
