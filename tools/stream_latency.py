#!/usr/bin/python3
"""Per-frame latency of `lift3d stream`: time from a frame's line written to its 3D line read.

A frame's 3D is due once the line `delay_frames` after it is written (its own line for a causal
model); the latency of frame t is (its output read) - (the line that made it due written). Lines are
written one at a time at --fps (0: each as soon as the previous frame's output is due and read).
Frames lifted only at the end of the input (padded_frames > 0 after the input closed) are not
counted. Prints p50, p99 and max in milliseconds, and with --check fails unless every counted frame
arrived before the next line was written (the stream never sat on a frame that was due).

usage: stream_latency.py LIFT3D FRAMES.ndjson [--fps F] [--check] [--frames N] -- [stream options]
"""
import argparse
import json
import subprocess
import sys
import threading
import time


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser()
    parser.add_argument("lift3d")
    parser.add_argument("ndjson")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--frames", type=int, default=0, help="only the first N lines")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    lines = [line for line in open(args.ndjson) if line.strip()]
    if args.frames:
        lines = lines[:args.frames]
    numbers = [json.loads(line)["frame"] for line in lines]
    index_of = {n: i for i, n in enumerate(numbers)}

    process = subprocess.Popen([args.lift3d, "stream", *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, bufsize=0)
    written = [None] * len(lines)
    received = {}  # frame index -> (time read, output)
    done = threading.Event()

    def reader():
        for raw in process.stdout:
            out = json.loads(raw)
            received[index_of[out["frame"]]] = (time.perf_counter(), out)
        done.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    late = []
    start = time.perf_counter()
    for i, line in enumerate(lines):
        if args.fps > 0:
            pause = start + i / args.fps - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        # Before writing line i: every frame due with line i - 1 must have arrived by now (--check),
        # allowing it the frame interval to come.
        written[i] = time.perf_counter()
        process.stdin.write(line.encode())
    process.stdin.close()
    done.wait(120)
    process.wait(60)
    stderr = process.stderr.read().decode()
    latencies = []
    for t, (read_at, out) in sorted(received.items()):
        due = t + out["delay_frames"]
        if out["padded_frames"] > 0 and due >= len(lines) - 1:
            continue  # lifted at the end of the input
        latency = read_at - written[due]
        latencies.append(latency * 1000)
        if due + 1 < len(lines) and read_at > written[due + 1]:
            late.append(t)
    latencies.sort()
    if not latencies:
        print("no frames counted; stderr:", stderr, file=sys.stderr)
        return 1
    q = lambda p: latencies[min(len(latencies) - 1, int(round(p * (len(latencies) - 1))))]
    delays = sorted({out["delay_frames"] for _, out in received.values()})
    print(f"{len(received)} frames out of {len(lines)}, {len(latencies)} counted; delay_frames {delays}; "
          f"latency p50 {q(0.5):.3f} ms, p99 {q(0.99):.3f} ms, max {latencies[-1]:.3f} ms; "
          f"{len(late)} frame(s) arrived after the next line was written")
    if stderr.strip():
        print(stderr.strip(), file=sys.stderr)
    if process.returncode != 0:
        print(f"lift3d exited {process.returncode}", file=sys.stderr)
        return 1
    if len(received) != len(lines):
        print(f"{len(lines)} lines but {len(received)} frames out", file=sys.stderr)
        return 1
    if args.check and late:
        print(f"frames {late[:10]} came after the next line was written", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
