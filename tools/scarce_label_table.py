#!/usr/bin/python3
"""The scarce-label experiment's table (scripts/scarce_label_experiment.sh) from its logs: for each run
the labelled frames, epochs, wall time and the end-of-run evaluation of `lift3d train` on the
held-out subjects (Protocol #1 MPJPE and #2 P-MPJPE, millimetres): the action-wise averages lift3d
prints (run.py's: each clip is an action here, so every clip counts the same) and the frame-weighted
mean over all test frames, computed from the per-action rows.

Usage: scarce_label_table.py <logs folder>   (reads <run>.out, <run>.err, <run>.seconds)
"""

import pathlib
import re
import sys

RUNS = [("sup_10pct", "10 % of S1 (CMU 14)", "supervised"),
        ("semi_10pct", "10 % of S1 (CMU 14)", "semi-supervised (+ S5-S8 2D)"),
        ("sup_100pct", "all of S1 (CMU 14)", "supervised"),
        ("semi_100pct", "all of S1 (CMU 14)", "semi-supervised (+ S5-S8 2D)")]
ROW = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")


def read_run(logs, name):
    out = (logs / f"{name}.out").read_text()
    err = (logs / f"{name}.err").read_text()
    epochs = len(re.findall(r"^\[\d+\] ", out, re.M))
    labelled = re.search(r"training on (\d+) frames", err)
    rows = [ROW.match(line) for line in out.split("Final evaluation", 1)[-1].splitlines()]
    rows = [r for r in rows if r]
    frames = sum(int(r.group(3)) for r in rows)
    weighted = [sum(int(r.group(3)) * float(r.group(k)) for r in rows) / frames for k in (4, 5)]
    p1 = re.search(r"Protocol #1 +\(MPJPE\) action-wise average: ([\d.]+)", out)
    p2 = re.search(r"Protocol #2 \(P-MPJPE\) action-wise average: ([\d.]+)", out)
    seconds = int((logs / f"{name}.seconds").read_text())
    return dict(epochs=epochs, labelled=int(labelled.group(1)) // 4 if labelled else None,
                p1=float(p1.group(1)), p2=float(p2.group(1)), p1_frames=weighted[0], p2_frames=weighted[1],
                minutes=seconds / 60.0)


def main():
    logs = pathlib.Path(sys.argv[1])
    print("| labelled (3D) | training | epochs | MPJPE (mm) | P-MPJPE (mm) | MPJPE, frame-weighted | "
          "P-MPJPE, frame-weighted | time (min) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, labelled, kind in RUNS:
        if not (logs / f"{name}.seconds").exists():
            continue
        r = read_run(logs, name)
        print(f"| {labelled}: {r['labelled']} frames | {kind} | {r['epochs']} | {r['p1']:.1f} | {r['p2']:.1f} | "
              f"{r['p1_frames']:.1f} | {r['p2_frames']:.1f} | {r['minutes']:.1f} |")


if __name__ == "__main__":
    main()
