#!/usr/bin/env python3
"""movie652: the real 652-frame resting-state run as a movie, against the shell loop a
user has without --frames.

    python3 benches/movie.py [--runs 3] [--binary target/release/surfrender]
                             [--loop-frames 652] [--single-runs 15]

Figure: ../shared/data/fsaverage5/surf/rh.inflated with the run
(../shared/data/timeseries/*.rh.mgz) as overlay, lateral+medial in a row, 1200x450,
--time-label, 20 frames a second. Timed, each with os.wait4 (process start to last file
written; median wall time and peak RSS):

  mp4       all 652 frames to MP4 (ffmpeg, H.264 veryfast), one command
  pngseq    all 652 frames to a PNG sequence, one command
  single    one invocation of the same figure (--frame 7, its own PNG)
  loop      the shell loop: one invocation per frame (--frame k) for --loop-frames frames,
            then ffmpeg over the PNG files; with fewer than 652 frames the total is
            scaled to 652 (said in the output)

Then one run with SURFRENDER_TIMING=1 says where the movie's time goes (decode, scene,
per frame: waiting for the renderer, building the next frame's scene, composing, handing
the frame to the encoder). Uses only the standard library and ffmpeg on PATH.
"""
import argparse
import glob
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timed import run_once  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data")
FRAMES = 652


def figure(binary, surf, run):
    return [binary, surf, "--overlay", run, "--views", "lateral,medial", "--layout", "row",
            "--size", "1200x450", "-q"]


def median_runs(label, argv, runs, clean):
    times, rss = [], []
    for _ in range(runs):
        clean()
        dt, mb, _ = run_once(argv)
        times.append(dt)
        rss.append(mb)
    med = statistics.median(times)
    print(f"{label:<8} median {med:8.3f} s  (min {min(times):.3f}, max {max(times):.3f}, "
          f"{runs} runs)  peak RSS {statistics.median(rss):6.1f} MiB")
    return med


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--single-runs", type=int, default=15)
    ap.add_argument("--loop-frames", type=int, default=FRAMES)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "surfrender"))
    args = ap.parse_args()
    runs_ = glob.glob(os.path.join(SHARED, "timeseries", "*.rh.mgz"))
    surf = os.path.join(SHARED, "fsaverage5", "surf", "rh.inflated")
    if not runs_ or not os.path.exists(surf):
        sys.exit("needs ../shared/data (timeseries/ and fsaverage5/)")
    if not shutil.which("ffmpeg"):
        sys.exit("needs ffmpeg on PATH (apt-get install ffmpeg)")
    run = runs_[0]
    fig = figure(args.binary, surf, run)
    print(f"movie652 — {platform.node()}, {os.cpu_count()} CPUs, {platform.platform()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    print(f"binary {args.binary}")
    with tempfile.TemporaryDirectory() as tmp:
        mp4 = os.path.join(tmp, "rest.mp4")
        seq = os.path.join(tmp, "seq")
        os.makedirs(seq)

        def clean_seq():
            for f in os.listdir(seq):
                os.remove(os.path.join(seq, f))

        def nothing():
            pass

        movie = fig + ["--frames", "all", "--time-label", "--fps", "20"]
        t_mp4 = median_runs("mp4", movie + ["-o", mp4], args.runs, nothing)
        t_seq = median_runs("pngseq", movie + ["-o", os.path.join(seq, "f_%04d.png")],
                            args.runs, clean_seq)
        t_one = median_runs("single", fig + ["--frame", "7", "-o", os.path.join(tmp, "one.png")],
                            args.single_runs, nothing)
        # The shell loop: one process per frame, then ffmpeg over the files.
        loop = os.path.join(tmp, "loop")
        os.makedirs(loop)
        n = min(args.loop_frames, FRAMES)
        t0 = time.perf_counter()
        for k in range(n):
            run_once(fig + ["--frame", str(k), "--no-sidecar",
                            "-o", os.path.join(loop, f"f_{k:04d}.png")])
        t_render = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_once(["ffmpeg", "-v", "error", "-y", "-framerate", "20", "-i",
                  os.path.join(loop, "f_%04d.png"), "-c:v", "libx264", "-preset", "veryfast",
                  "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
                  os.path.join(tmp, "loop.mp4")])
        t_enc = time.perf_counter() - t0
        scale = FRAMES / n
        t_loop = (t_render + t_enc) * scale
        said = "" if n == FRAMES else f" (measured over {n} frames, scaled to {FRAMES})"
        print(f"loop     {t_loop:8.1f} s  = {t_render * scale:.1f} s rendering "
              f"({t_render / n * 1000:.0f} ms a frame) + {t_enc * scale:.1f} s ffmpeg{said}")
        print()
        print(f"mp4: {t_mp4:.2f} s for {FRAMES} frames = {t_mp4 / FRAMES * 1000:.1f} ms a frame "
              f"(target <= 15 s); {t_loop / t_mp4:.0f}x faster than the loop")
        per = t_seq / FRAMES
        print(f"pngseq: {per * 1000:.1f} ms a frame = 1/{t_one / per:.1f} of one single-figure "
              f"invocation ({t_one * 1000:.0f} ms; target <= 1/5)")
        print()
        env = dict(os.environ, SURFRENDER_TIMING="1")
        _, _, err = run_once(movie + ["-o", mp4], env)
        keep = [l for l in err.splitlines()
                if l.startswith("timing:") and not re.match(r"timing: cpu ", l)]
        print("where the MP4's time goes (one run, SURFRENDER_TIMING=1):")
        for l in keep:
            print("  " + l)


if __name__ == "__main__":
    main()
