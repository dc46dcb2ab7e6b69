#!/usr/bin/env python3
"""Scaling (issue #15, item 3): how fig4's whole-process time grows with mesh size and
with figure size, on 1 and on 2 threads. Prints Markdown tables for benches/README.md.

    cargo build --release
    python3 benches/scaling.py [--runs 5] [--binary target/release/surfrender]
                               [--meshes /tmp/surfrender-scaling] [--only mesh|size] [--quick]

fig4 (benches/bench.py): lh+rh inflated x lateral+medial, curvature background,
thickness --threshold 2.5 --range 2.5 4.0 --cmap hot, with --size changed per run.
Always --backend cpu: the CPU rasterizer is the backend whose work grows with triangles
and pixels on the cores (GL backends hand it to the driver), and SURFRENDER_THREADS=1|2
sets how many of its worker threads run.

(a) mesh sweep at 1600x1200: fsaverage5 (data/fsaverage5, 10242 vertices/hemisphere) and
meshes made by ../shared/data/make_large.py --levels 1, 2, 3 (40962 = fsaverage6-size,
163842 = fsaverage-size, 655362) into --meshes, generated only when missing (numpy and
nibabel needed then; this script itself is standard library only).
(b) size sweep 800x600 to 4800x3600 on fsaverage5 and on the 163842 mesh.

Each configuration: one warm-up run, then --runs timed runs, each timed with os.wait4
(benches/timed.py: wall time and the process's peak RSS). Every run has SURFRENDER_TIMING
set, and the stage breakdown shown is the median-wall run's own `timing:` lines: on the
CPU backend these are a few lines on stderr (no GPU waits), so they cost microseconds.
--quick (runs=1, fsaverage5 and the 40962 mesh, 800x600 and 1600x1200) tests the script.
"""
import argparse
import os
import platform
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timed import run_once  # noqa: E402
from bench import fig4  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKE_LARGE = os.path.join(ROOT, "..", "shared", "data", "make_large.py")
THREADS = (1, 2)
SIZES = ("800x600", "1600x1200", "3200x2400", "4800x3600")
# `timing: cpu raster    36.2 ms`: stage names may hold spaces, so match up to the number.
TIMING = re.compile(r"^timing: (.+?)\s+(-?[0-9.]+) ms$")
STAGES = ("read", "cpu geometry", "cpu raster", "compose", "write")


def mesh_counts(path):
    """(vertices, faces) from a FreeSurfer triangle file's header: magic 0xFFFFFE, a
    creation line ended by two newlines, then big-endian int32 counts."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:3] != b"\xff\xff\xfe":
        sys.exit(f"{path}: not a FreeSurfer triangle surface")
    end = head.index(b"\n\n", 3) + 2
    return struct.unpack(">ii", head[end:end + 8])


def mesh_dir(meshes, levels):
    """fsaverage5 for levels 0, else make_large.py's subdivision, made once and kept."""
    if levels == 0:
        return os.path.join(ROOT, "data", "fsaverage5")
    d = os.path.join(meshes, f"levels{levels}")
    if not all(os.path.exists(os.path.join(d, f))
               for f in ("lh.inflated", "rh.inflated", "lh.thickness")):
        print(f"# making {d} with make_large.py --levels {levels}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, MAKE_LARGE, d, "--hemi", "both", "--levels", str(levels)],
                       check=True, stdout=subprocess.DEVNULL)
    return d


def stages(err):
    """{stage: ms} from a run's SURFRENDER_TIMING lines."""
    out = {}
    for line in err.splitlines():
        m = TIMING.match(line.strip())
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def measure(binary, d, size, threads, runs, out):
    """Median, min, max ms, peak MiB and the median run's stages for one configuration."""
    argv = [binary] + fig4(d, out, "cpu")
    argv[argv.index("--size") + 1] = size
    env = dict(os.environ, SURFRENDER_THREADS=str(threads), SURFRENDER_TIMING="1")
    run_once(argv, env)  # warm the page cache; untimed
    results = sorted(run_once(argv, env) for _ in range(runs))
    times = [r[0] * 1000 for r in results]
    # the lower median for an even count, so that it is one real run's breakdown
    mid = results[(len(results) - 1) // 2]
    return {"median": statistics.median(times), "min": times[0], "max": times[-1],
            "peak": max(r[1] for r in results), "stages": stages(mid[2])}


def spread(r):
    return f"{r['median']:.1f} ({r['min']:.1f}–{r['max']:.1f})"


def stage_cells(r, names):
    return [f"{r['stages'][n]:.1f}" if n in r["stages"] else "–" for n in names]


def speedup(by_threads, threads):
    """1-thread median / this row's median, shown on the 2-thread rows."""
    if threads == 1 or 1 not in by_threads:
        return ""
    return f"{by_threads[1]['median'] / by_threads[threads]['median']:.2f}×"


def row(cells):
    print("| " + " | ".join(cells) + " |", flush=True)


def mesh_sweep(a, levels, out):
    print("\n### Mesh size, fig4 at 1600×1200, `--backend cpu`\n")
    row(["mesh (vertices/hemi)", "triangles drawn", "threads", "median ms (min–max)",
         "ms per 100k vertices", "read", "geometry", "raster", "compose", "write",
         "peak MiB", "2-thread speed-up"])
    row(["---"] * 12)
    for lv in levels:
        d = mesh_dir(a.meshes, lv)
        nv, nf = mesh_counts(os.path.join(d, "lh.inflated"))
        # each hemisphere is drawn twice (lateral and medial panels)
        tris = 2 * 2 * nf
        res = {}
        for t in THREADS:
            res[t] = r = measure(a.binary, d, "1600x1200", t, a.runs, out)
            row([f"{nv}", f"{tris}", f"{t}", spread(r), f"{r['median'] / (2 * nv / 1e5):.1f}"]
                + stage_cells(r, STAGES) + [f"{r['peak']:.1f}", speedup(res, t)])


def size_sweep(a, levels, sizes, out):
    for lv in levels:
        d = mesh_dir(a.meshes, lv)
        nv, _ = mesh_counts(os.path.join(d, "lh.inflated"))
        print(f"\n### Figure size, fig4 on {nv} vertices/hemisphere, `--backend cpu`\n")
        row(["size", "megapixels", "threads", "median ms (min–max)", "ms per megapixel",
             "geometry", "raster", "compose", "write", "peak MiB", "2-thread speed-up"])
        row(["---"] * 11)
        for size in sizes:
            w, h = (int(x) for x in size.split("x"))
            mp = w * h / 1e6
            res = {}
            for t in THREADS:
                res[t] = r = measure(a.binary, d, size, t, a.runs, out)
                row([size.replace("x", "×"), f"{mp:.2f}", f"{t}", spread(r),
                     f"{r['median'] / mp:.1f}"] + stage_cells(r, STAGES[1:])
                    + [f"{r['peak']:.1f}", speedup(res, t)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/surfrender"))
    ap.add_argument("--meshes", default="/tmp/surfrender-scaling",
                    help="where make_large.py's meshes are made and kept")
    ap.add_argument("--only", choices=["mesh", "size"], help="run one sweep only")
    ap.add_argument("--quick", action="store_true",
                    help="a test: 1 run, fsaverage5 + the 40962 mesh, 800x600 and 1600x1200")
    a = ap.parse_args()
    # make_large.py levels: 0 = fsaverage5 itself, 1 = 40962, 2 = 163842, 3 = 655362
    mesh_levels, size_levels, sizes = (0, 1, 2, 3), (0, 2), SIZES
    if a.quick:
        a.runs, mesh_levels, size_levels, sizes = 1, (0, 1), (0, 1), SIZES[:2]
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"{a.binary}: not an executable (cargo build --release, or --binary)")
    print(f"# {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
          f"{platform.platform()}, {time.strftime('%Y-%m-%d')}, {a.runs} runs, {a.binary}")
    print("# stages in ms from the median run's SURFRENDER_TIMING; ms per 100k vertices "
          "counts both hemispheres")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "fig4.png")
        if a.only in (None, "mesh"):
            mesh_sweep(a, mesh_levels, out)
        if a.only in (None, "size"):
            size_sweep(a, size_levels, sizes, out)


if __name__ == "__main__":
    main()
