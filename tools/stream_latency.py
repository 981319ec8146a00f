#!/usr/bin/python3
"""Per-frame latency of `lift3d stream`: time from a line written to the output line it makes due read.

With delay D (0 for a causal model, the half receptive field for a symmetric one, --max-delay
otherwise), writing line i makes frame i - D due. Two ways to feed the lines:
  --lockstep   write line i, then wait (up to --timeout s) for frame i - D before writing line i + 1:
               the pure response time; fails when a due frame does not come (the stream sat on it)
  --fps F      write at F lines per second whatever comes back (a live camera); frames are matched
               to the line that made them due afterwards
Frames lifted at the end of the input are not counted. Prints p50, p99 and max in milliseconds.

  --compute    the per-frame compute time instead: runs `lift3d stream --timing --timing-warmup W`
               on the file --runs times (default 3) and prints each run's p50, p99 and max (wall
               clock and CPU time of the lifting thread, the first W frames left out), the best run
               of each, and beside them the memory-bandwidth bound: the bytes of weights a frame
               reads (from `lift3d inspect` of --checkpoint, which is also the one streamed; the
               default model when none is given),
               the host's streaming-read rate over that many bytes (numpy dot of two halves, best
               of 20, one thread), hence the floor in ms; the CPU, its ISA and caches (lscpu); the load average.

usage: stream_latency.py LIFT3D FRAMES.ndjson --delay D (--lockstep | --fps F) [--frames N] -- [stream options]
       stream_latency.py LIFT3D FRAMES.ndjson --compute [--warmup W] [--runs N] [--checkpoint FILE] -- [stream options]
"""
import argparse
import json
import os
import queue
import re
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
    parser.add_argument("--delay", type=int)
    parser.add_argument("--lockstep", action="store_true")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--frames", type=int, default=0, help="only the first N lines")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--compute", action="store_true")
    parser.add_argument("--warmup", type=int, default=100, help="--compute: frames left out at the start")
    parser.add_argument("--runs", type=int, default=3, help="--compute: runs (the best of them is reported)")
    parser.add_argument("--checkpoint", default="", help="--compute: the checkpoint streamed (default: the default model)")
    args = parser.parse_args(argv)
    if args.compute:
        return compute(args, extra)
    if args.delay is None:
        parser.error("--delay is required (except with --compute)")
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


DEFAULT_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "models",
                             "default_coco_h36m_81f.bin")
TIMING = re.compile(r"timing: (\d+) frames.*?: p50 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms \(wall clock\); "
                    r"p50 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms \(CPU time")


def weight_bytes(lift3d, checkpoint):
    """float32 bytes of the convolution weights one frame reads: expand, every block's two, shrink."""
    text = subprocess.run([lift3d, "inspect", checkpoint or DEFAULT_MODEL], capture_output=True, text=True).stdout
    field = lambda name: re.search(rf"^{name}:\s+(.+)$", text, re.M).group(1)
    widths = [int(w) for w in field("architecture").split()[0].split(",")]
    channels, inputs = int(field("channels")), int(field("input").split()[0])
    joints = int(field("output joints"))
    weights = channels * inputs * widths[0] + sum(channels * channels * (w + 1) for w in widths[1:])
    weights += 3 * joints * channels
    return weights * 4, field("architecture"), channels


def read_rate(nbytes):
    """Bytes per second of a one-thread streaming read over nbytes: the dot product of an array's two
    halves (OpenBLAS sdot, one thread), the fastest plain read measured here (numpy's sum stops at
    about half the rate, bound by its own arithmetic)."""
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before numpy loads OpenBLAS
    import numpy as np
    data = np.ones(max(2, nbytes // 4), np.float32)
    half = data.size // 2
    best = float("inf")
    for _ in range(20):
        start = time.perf_counter()
        np.dot(data[:half], data[half:2 * half])
        best = min(best, time.perf_counter() - start)
    return 2 * half * 4 / best


def host():
    info = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    get = lambda name: (re.search(rf"^{name}:\s+(.+)$", info, re.M) or [None, "?"])[1]
    flags = get("Flags").split()
    isa = "+".join(f for f in ("avx2", "fma", "avx512f") if f in flags) or "no avx2"
    cpus = get(r"CPU\(s\)")
    return (f"{get('Model name')}, {cpus} CPUs, {isa}, L2 {get('L2 cache')}, L3 {get('L3 cache')}; "
            f"load average {os.getloadavg()[0]:.1f}")


def compute(args, extra):
    runs = []
    with open(args.ndjson) as frames:
        for _ in range(args.runs):
            frames.seek(0)
            checkpoint = [args.checkpoint] if args.checkpoint else []
            done = subprocess.run([args.lift3d, "stream", *checkpoint, "--timing", "--timing-warmup", str(args.warmup), *extra],
                                  stdin=frames, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            found = TIMING.search(done.stderr)
            if done.returncode != 0 or not found:
                print(done.stderr.strip(), file=sys.stderr)
                return 1
            count, *values = found.groups()
            runs.append([float(v) for v in values])
            print(f"run {len(runs)}: {count} frames after {args.warmup}: wall p50 {values[0]} / p99 {values[1]} / "
                  f"max {values[2]} ms; CPU p50 {values[3]} / p99 {values[4]} / max {values[5]} ms")
    best_wall = min(runs, key=lambda r: r[1])
    best_cpu = min(runs, key=lambda r: r[4])
    print(f"best of {len(runs)}: wall p50 {best_wall[0]:.3f} / p99 {best_wall[1]:.3f} / max {best_wall[2]:.3f} ms; "
          f"CPU p50 {best_cpu[3]:.3f} / p99 {best_cpu[4]:.3f} / max {best_cpu[5]:.3f} ms")
    nbytes, architecture, channels = weight_bytes(args.lift3d, args.checkpoint)
    rate = read_rate(nbytes)
    print(f"weights read per frame: {nbytes / 1e6:.1f} MB ({architecture}, {channels} channels); streaming read "
          f"over {nbytes / 1e6:.1f} MB: {rate / 1e9:.1f} GB/s, so at least {nbytes / rate * 1e3:.2f} ms per frame "
          f"per column pass")
    print(f"host: {host()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
