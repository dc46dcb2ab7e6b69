#!/usr/bin/env python3
"""fig4 and fig4-large against Connectome Workbench (issue #15), in one run, alternating:
surfrender's whole process (FreeSurfer inputs) vs `wb_command -show-scene` alone (the
inputs converted to GIfTI/CIFTI and the scene built beforehand by
../shared/peers/workbench/fig4_workbench.sh). Wall time and peak RSS by os.wait4
(benches/timed.py); medians, min and max.

    bash ../shared/peers/workbench/setup_workbench.sh        # once: Debian's connectome-workbench
    python3 ../shared/data/make_large.py /tmp/large --hemi both
    cargo build --release
    python3 benches/workbench.py --runs 5 --large /tmp/large

The large mesh's GIfTI copies are written with nibabel (which make_large.py needs too)."""
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
from bench import fig4  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = os.path.join(ROOT, "..", "shared", "peers", "workbench")


def gifti_copies(src, dst):
    """{lh,rh}.inflated.surf.gii, .sulc.shape.gii, .thickness.shape.gii from FreeSurfer files."""
    import nibabel as nib
    import numpy as np
    os.makedirs(dst, exist_ok=True)
    for h in ("lh", "rh"):
        coords, faces = nib.freesurfer.read_geometry(os.path.join(src, f"{h}.inflated"))
        img = nib.gifti.GiftiImage(darrays=[
            nib.gifti.GiftiDataArray(coords.astype(np.float32), intent="NIFTI_INTENT_POINTSET"),
            nib.gifti.GiftiDataArray(faces.astype(np.int32), intent="NIFTI_INTENT_TRIANGLE")])
        img.meta["AnatomicalStructurePrimary"] = "CortexLeft" if h == "lh" else "CortexRight"
        nib.save(img, os.path.join(dst, f"{h}.inflated.surf.gii"))
        for k in ("sulc", "thickness"):
            src_k = os.path.join(src, f"{h}.{k}")
            if not os.path.exists(src_k) and k == "sulc":
                src_k = os.path.join(src, f"{h}.curv")  # make_large.py may write only curv
            v = nib.freesurfer.read_morph_data(src_k).astype(np.float32)
            nib.save(nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(v)]),
                     os.path.join(dst, f"{h}.{k}.shape.gii"))


def scene(gifti_dir, work):
    """Builds the Workbench scene once; returns the -show-scene command."""
    subprocess.run(["bash", os.path.join(PEER, "fig4_workbench.sh"), gifti_dir,
                    os.path.join(work, "prep.png"), work], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return ["wb_command", "-show-scene", os.path.join(work, "fig4.scene"), "1",
            os.path.join(work, "wb.png"), "1600", "1200"]


def compare(name, ours, theirs, runs):
    times = {"surfrender": [], "workbench": []}
    peaks = {"surfrender": [], "workbench": []}
    for r in range(runs + 1):  # round 0 warms the caches
        for who, argv in (("surfrender", ours), ("workbench", theirs)):
            dt, peak, _ = run_once(argv)
            if r:
                times[who].append(dt)
                peaks[who].append(peak)
    for who in times:
        t = times[who]
        print(f"{name:<11} {who:<10} median {statistics.median(t)*1000:8.1f} ms  "
              f"min {min(t)*1000:8.1f}  max {max(t)*1000:8.1f}  peak {max(peaks[who]):6.1f} MiB",
              flush=True)
    ratio = statistics.median(times["workbench"]) / statistics.median(times["surfrender"])
    print(f"{name:<11} surfrender is {ratio:.1f}x faster (medians)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/surfrender"))
    ap.add_argument("--large", help="folder written by make_large.py")
    ap.add_argument("--backend", default="auto")
    a = ap.parse_args()
    print(f"# {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
          f"{platform.platform()}, {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "fig4.png")
        sets = [("fig4", os.path.join(ROOT, "data", "fsaverage5"),
                 os.path.join(ROOT, "..", "shared", "data", "fsaverage5", "gifti"))]
        if a.large:
            conv = os.path.join(tmp, "large-gifti")
            gifti_copies(a.large, conv)
            sets.append(("fig4-large", a.large, conv))
        for name, fs_dir, gifti_dir in sets:
            work = os.path.join(tmp, f"wb-{name}")
            wb = scene(gifti_dir, work)
            compare(name, [a.binary] + fig4(fs_dir, out, a.backend), wb, a.runs)


if __name__ == "__main__":
    main()
