#!/usr/bin/env python3
"""Volumes onto surfaces (issue 13): whole-tool timings of figures whose overlay is a
volume, sampled at render time.

    python3 benches/volume.py [--runs 15] [--binary target/release/surfrender]
                              [--large /tmp/large] [--backend cpu]

Figures (each timed from process start to PNG written, os.wait4; median wall time and
peak RSS of --runs runs after one warm-up):

  motor        surfrender image_10426.nii.gz -o x.png: the NeuroVault motor map (53x63x46,
               3 mm) on the built-in fsaverage5 (10242 vertices per hemisphere), both
               hemispheres, 10 depths, trilinear: the README's command
  gm_large     a 163842-vertex mesh per hemisphere (../shared/data/make_large.py, with
               white and pial beside the inflated surface) with the 1 mm ICBM 2009a grey
               matter probability (197x233x189 uint8), 10 depths, trilinear
  large_plain  the same large figure with its per-vertex thickness, for comparison

Then one run of each with SURFRENDER_TIMING=1 shows where the time goes (the stages
"volumes": reading every volume, "sample": sampling one hemisphere, on the reader
threads). Standard library only.
"""
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
SHARED = os.path.join(ROOT, "..", "shared", "data")
VOLUMES = os.path.join(SHARED, "volumes")
MOTOR = os.path.join(VOLUMES, "image_10426.nii.gz")
GM = os.path.join(VOLUMES, "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz")


def median_runs(argv, runs):
    run_once(argv)  # warm-up: page cache, the default brain's cache folder
    times, rss = [], []
    for _ in range(runs):
        dt, mib, _ = run_once(argv)
        times.append(dt * 1000.0)
        rss.append(mib)
    return statistics.median(times), min(times), statistics.median(rss)


def timing(argv):
    env = dict(os.environ, SURFRENDER_TIMING="1")
    _, _, err = run_once(argv, env)
    return [l[len("timing: "):] for l in err.splitlines() if l.startswith("timing: ")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "surfrender"))
    ap.add_argument("--large", help="folder written by make_large.py --hemi both")
    ap.add_argument("--backend", default="cpu")
    a = ap.parse_args()
    for f in (a.binary, MOTOR):
        if not os.path.exists(f):
            sys.exit(f"missing {f}")
    out = tempfile.mkdtemp(prefix="surfrender-volume-bench-")
    png = os.path.join(out, "x.png")
    common = ["--backend", a.backend, "-q", "-o", png]
    figures = [("motor", [a.binary, MOTOR] + common)]
    if a.large:
        lh, rh = (os.path.join(a.large, f"{h}.inflated") for h in ("lh", "rh"))
        for h in ("lh", "rh"):
            for s in ("white", "pial"):
                if not os.path.exists(os.path.join(a.large, f"{h}.{s}")):
                    sys.exit(f"{a.large}: no {h}.{s} (make_large.py --hemi both writes it)")
        figures.append(("gm_large", [a.binary, lh, rh, "--overlay", GM] + common))
        thick = [os.path.join(a.large, f"{h}.thickness") for h in ("lh", "rh")]
        figures.append(("large_plain", [a.binary, lh, rh, "--overlay", thick[0], "--overlay", thick[1]] + common))
    print(f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} CPUs, "
          f"{platform.platform()}; {a.runs} runs, backend {a.backend}")
    print("| figure | median | min | peak RSS |")
    print("|---|---|---|---|")
    for name, argv in figures:
        med, lo, rss = median_runs(argv, a.runs)
        print(f"| {name} | {med:.1f} ms | {lo:.1f} ms | {rss:.1f} MiB |", flush=True)
    for name, argv in figures:
        print(f"\n{name} (SURFRENDER_TIMING=1):")
        for line in timing(argv):
            print(f"    {line}")


if __name__ == "__main__":
    main()
