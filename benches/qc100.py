#!/usr/bin/env python3
"""qc100 (issue #14): a QC figure for each of 100 fsaverage5 subjects, each with its own
copies of the files (not links, so that no cache of identical files helps), drawn by
`surfrender batch` and by the two shell loops a user would write instead, in the same
run, alternating; whole-command wall time and peak RSS by os.wait4 (benches/timed.py).

    cargo build --release
    python3 benches/qc100.py --runs 5

fig4-style: thickness over curvature (--threshold 2.5 --range 2.5 4 --cmap hot), lh + rh
x lateral + medial, 1600x1200; then the same at 800x600 (QC thumbnails are small).
Standard library only."""
import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timed import run_once  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = [f"{h}.{k}" for h in ("lh", "rh") for k in ("inflated", "curv", "thickness")]


def study(tmp, n):
    """n subject folders with real copies of fsaverage5's files."""
    sd = os.path.join(tmp, "subjects")
    for i in range(1, n + 1):
        surf = os.path.join(sd, f"sub-{i:03d}", "surf")
        os.makedirs(surf)
        for f in FILES:
            shutil.copyfile(os.path.join(ROOT, "data", "fsaverage5", f), os.path.join(surf, f))
    return sd


def spec(tmp, size):
    path = os.path.join(tmp, f"qc-{size}.toml")
    with open(path, "w") as f:
        f.write('overlay = ["thickness"]\nthreshold = 2.5\nrange = [2.5, 4.0]\n'
                f'cmap = "hot"\nsize = "{size}"\n')
    return path


def commands(binary, sd, spec_file, out):
    single = (f"{binary} --spec {spec_file} --subject {{s}} --subjects-dir {sd} "
              f"--title {{s}} -o {out}/{{s}}.png")
    subjects = f"ls {sd}"
    return {
        "surfrender batch": [binary, "batch", "--subjects-dir", sd, "--spec", spec_file,
                             "-O", out, "--force", "--no-report", "-q"],
        "surfrender batch + report": [binary, "batch", "--subjects-dir", sd, "--spec",
                                      spec_file, "-O", out, "--force", "-q"],
        "shell loop": ["bash", "-c", f"for s in $({subjects}); do "
                       + single.replace("{s}", "$s") + " 2>/dev/null; done"],
        "xargs -P 2": ["bash", "-c", f"{subjects} | xargs -P 2 -I{{s}} "
                       + single + " 2>/dev/null"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--subjects", type=int, default=100)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/surfrender"))
    ap.add_argument("--sizes", default="1600x1200,800x600")
    a = ap.parse_args()
    print(f"# {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
          f"{platform.platform()}, {time.strftime('%Y-%m-%d')}, {a.subjects} subjects")
    with tempfile.TemporaryDirectory() as tmp:
        sd = study(tmp, a.subjects)
        for size in a.sizes.split(","):
            cmds = commands(a.binary, sd, spec(tmp, size), os.path.join(tmp, "out"))
            times = {k: [] for k in cmds}
            peaks = {k: [] for k in cmds}
            for r in range(a.runs + 1):  # the first round warms the caches, untimed
                for name, argv in cmds.items():
                    shutil.rmtree(os.path.join(tmp, "out"), ignore_errors=True)
                    os.makedirs(os.path.join(tmp, "out"))
                    dt, peak, _ = run_once(argv)
                    if len(os.listdir(os.path.join(tmp, "out"))) < a.subjects:
                        sys.exit(f"{name}: not every figure was written")
                    if r:
                        times[name].append(dt)
                        peaks[name].append(peak)
            best_loop = min(statistics.median(times["shell loop"]),
                            statistics.median(times["xargs -P 2"]))
            for name in cmds:
                med = statistics.median(times[name])
                print(f"{size} {name:<26} median {med:7.2f} s  min {min(times[name]):7.2f}"
                      f"  max {max(times[name]):7.2f}  {med / a.subjects * 1000:6.1f} ms/figure"
                      f"  {best_loop / med:5.2f}x the better loop  peak {max(peaks[name]):6.1f} MiB",
                      flush=True)


if __name__ == "__main__":
    main()
