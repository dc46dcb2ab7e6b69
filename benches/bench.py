#!/usr/bin/env python3
"""Whole-tool benchmark: process start to PNG written, median wall time and peak RSS.

    python3 benches/bench.py [--runs 15] [--binary target/release/surfrender] [--large DIR]
                             [--backends auto,egl,osmesa,cpu] [--baseline OTHER_BINARY]

fig4: lh+rh inflated x lateral+medial, curvature background, thickness with threshold
2.5 and range 2.5-4.0, --cmap hot, 1600x1200; stack4: the same with a second overlay
layer stacked over it. Run on fsaverage5 (data/) and, with
--large DIR, on the 163842-vertex mesh from ../shared/data/make_large.py DIR.
Uses only the standard library; each run is timed with os.wait4 (its own rusage).
--baseline times another build (an earlier commit's) on the same figures in the same run,
alternating the two binaries run by run so that the machine's drift touches both alike.
--many times examples/many_figures (five figures through one renderer in one process)
against the same five figures made by five runs of the binary, as a shell loop makes them.
"""
import json
import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timed import run_once  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fig4(d, out, backend):
    return ["--backend", backend,
        f"{d}/lh.inflated", f"{d}/rh.inflated",
        "--overlay", f"{d}/lh.thickness", "--overlay", f"{d}/rh.thickness",
        "--threshold", "2.5", "--range", "2.5", "4.0", "--cmap", "hot",
        "--size", "1600x1200", "-o", out,
    ]


def stack4(d, out, backend):
    """fig4 with a second overlay layer over it: the statistic map (fsaverage5's
    lh/rh.stat.mgh, or the thickness again on the large mesh), thresholded, at 80 %."""
    top = "stat.mgh" if os.path.exists(f"{d}/lh.stat.mgh") else "thickness"
    return fig4(d, out, backend)[:-2] + [
        "--overlay", f"{d}/lh.{top}", "--overlay", f"{d}/rh.{top}",
        "--threshold", "3", "--cmap", "viridis", "--opacity", "0.8", "-o", out,
    ]


def report(name, times, mems):
    print(f"{name:<40} median {statistics.median(times)*1000:7.1f} ms   "
          f"min {min(times)*1000:7.1f} ms   max {max(times)*1000:7.1f} ms   "
          f"peak RSS {max(mems):6.1f} MiB   ({len(times)} runs)", flush=True)


def bench(name, binaries, args, runs, env):
    """Times each binary on `args`, alternating them run by run."""
    for b in binaries:
        run_once([b] + args, env)  # warm the page cache and Mesa's shader cache
    results = [([], []) for _ in binaries]
    for _ in range(runs):
        for b, (times, mems) in zip(binaries, results):
            t, m, _ = run_once([b] + args, env)
            times.append(t)
            mems.append(m)
    labels = [""] if len(binaries) == 1 else ["", " (baseline)"]
    for label, (times, mems) in zip(labels, results):
        report(name + label, times, mems)


def many(binary, example, backend, runs, env):
    """The library example's five figures in one process, against a loop of processes."""
    env = dict(env, SURFRENDER_BACKEND=backend)
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([example, tmp], env=env, cwd=ROOT, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"failed: {example}\n{p.stderr}")
        specs = []
        for png in p.stdout.split():
            spec = os.path.join(tmp, os.path.basename(png) + ".spec.json")
            with open(png + ".json") as side, open(spec, "w") as out:
                json.dump(json.load(side)["spec"], out)
            specs.append((spec, png))
        one, loop = [], []
        for _ in range(runs):
            one.append(run_once([example, tmp], env)[0])
            loop.append(sum(run_once([binary, "--spec", s, "-o", o], env)[0] for s, o in specs))
    for name, times in [("one process, one renderer", one), ("a loop of processes", loop)]:
        print(f"{len(specs)} figures {backend}: {name:<26} median {statistics.median(times)*1000:7.1f} ms"
              f"   min {min(times)*1000:7.1f} ms   max {max(times)*1000:7.1f} ms   ({runs} runs)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/surfrender"))
    ap.add_argument("--large", help="folder written by make_large.py")
    ap.add_argument("--backends", default="auto", help="comma-separated backends to run")
    ap.add_argument("--baseline", help="another binary to time alongside, run by run")
    ap.add_argument("--many", help="the built examples/many_figures, to time against a loop")
    a = ap.parse_args()
    env = dict(os.environ)
    print(f"# {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
          f"{platform.platform()}, {time.strftime('%Y-%m-%d')}")
    if a.many:
        for b in a.backends.split(","):
            many(a.binary, a.many, b, a.runs, env)
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "fig4.png")
        for b in a.backends.split(","):
            for name, fig in [("fig4", fig4), ("stack4", stack4)]:
                d = os.path.join(ROOT, "data/fsaverage5")
                binaries = [a.binary] + ([a.baseline] if a.baseline else [])
                bench(f"{name} fsaverage5 {b}", binaries, fig(d, out, b), a.runs, env)
                if a.large:
                    bench(f"{name} 163842 vertices {b}", binaries, fig(a.large, out, b), a.runs, env)


if __name__ == "__main__":
    main()
