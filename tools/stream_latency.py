#!/usr/bin/python3
"""Per-frame latency of `lift3d stream`: time from a line written to the output line it makes due read.

With delay D (0 for a causal model, the half receptive field for a symmetric one, --max-delay
otherwise), writing line i makes frame i - D due. Two ways to feed the lines:
  --lockstep   write line i, then wait (up to --timeout s) for frame i - D before writing line i + 1:
               the pure response time; fails when a due frame does not come (the stream sat on it)
  --fps F      write at F lines per second whatever comes back (a live camera); frames are matched
               to the line that made them due afterwards
Frames lifted at the end of the input are not counted. Prints p50, p99 and max in milliseconds.

usage: stream_latency.py LIFT3D FRAMES.ndjson --delay D (--lockstep | --fps F) [--frames N] -- [stream options]
"""
import argparse
import json
import queue
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
    parser.add_argument("--delay", type=int, required=True)
    parser.add_argument("--lockstep", action="store_true")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--frames", type=int, default=0, help="only the first N lines")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    lines = [line for line in open(args.ndjson) if line.strip()]
    if args.frames:
        lines = lines[:args.frames]
    index_of = {json.loads(line)["frame"]: i for i, line in enumerate(lines)}

    process = subprocess.Popen([args.lift3d, "stream", *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, bufsize=0)
    arrivals = queue.Queue()  # (frame index, time read, output)

    def reader():
        for raw in process.stdout:
            out = json.loads(raw)
            arrivals.put((index_of[out["frame"]], time.perf_counter(), out))
        arrivals.put(None)

    threading.Thread(target=reader, daemon=True).start()
    written = [None] * len(lines)
    received = {}
    missing = []
    start = time.perf_counter()
    for i, line in enumerate(lines):
        if not args.lockstep:
            pause = start + i / args.fps - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        written[i] = time.perf_counter()
        process.stdin.write(line.encode())
        due = i - args.delay
        if not args.lockstep or due < 0:
            continue
        deadline = time.perf_counter() + args.timeout
        while due not in received:
            try:
                item = arrivals.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                missing.append(due)
                break
            if item is None:
                break
            received[item[0]] = item[1:]
    process.stdin.close()
    while True:
        item = arrivals.get(timeout=120)
        if item is None:
            break
        received[item[0]] = item[1:]
    process.wait(60)
    stderr = process.stderr.read().decode()
    latencies = []
    for t, (read_at, out) in sorted(received.items()):
        if t + args.delay >= len(lines):
            continue  # lifted at the end of the input
        if out["delay_frames"] != args.delay:
            print(f"frame {t}: delay_frames {out['delay_frames']}, expected {args.delay}", file=sys.stderr)
            return 1
        latencies.append((read_at - written[t + args.delay]) * 1000)
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(round(p * (len(latencies) - 1))))]
    if latencies:
        print(f"{len(received)} frames out of {len(lines)}, {len(latencies)} counted "
              f"({'lockstep' if args.lockstep else f'{args.fps:g} fps'}): latency p50 {q(0.5):.3f} ms, "
              f"p99 {q(0.99):.3f} ms, max {latencies[-1]:.3f} ms")
    if stderr.strip():
        print(stderr.strip(), file=sys.stderr)
    if process.returncode != 0:
        print(f"lift3d exited {process.returncode}", file=sys.stderr)
        return 1
    if len(received) != len(lines) or not latencies:
        print(f"{len(lines)} lines but {len(received)} frames out", file=sys.stderr)
        return 1
    if missing:
        print(f"frames {missing[:10]} were due but did not come within {args.timeout:g} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
