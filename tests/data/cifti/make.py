"""Builds the small CIFTI-2 and NIfTI-1 test files in this folder (see README.md).

Run from the repository root:  python tests/data/cifti/make.py
Needs numpy and nibabel (written with nibabel 5.4.2). Sources: the repository's own
data/fsaverage5/{lh,rh}.thickness (FreeSurfer curv files); everything else is synthetic,
with values chosen to be exact in float32 so that tests can recompute them.
"""

import gzip
import os

import nibabel as nib
import numpy as np
from nibabel import cifti2 as ci
from nibabel.freesurfer import read_morph_data
from nibabel.nifti1 import intent_codes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
N = 10242  # fsaverage5 vertices per hemisphere
DSCALAR = "NIFTI_INTENT_CONNECTIVITY_DENSE_SCALARS"  # 3006


def thickness(hemi):
    return read_morph_data(os.path.join(ROOT, "data", "fsaverage5", f"{hemi}.thickness")).astype(np.float32)


lh_thick, rh_thick = thickness("lh"), thickness("rh")
# Left cortex: every 8th vertex, medial wall (thickness == 0) excluded.
lh_idx = np.array([v for v in range(N) if v % 8 == 0 and lh_thick[v] != 0], dtype=np.int64)
# Right cortex: every 10th vertex.
rh_idx = np.arange(0, N, 10, dtype=np.int64)

left = ci.BrainModelAxis.from_surface(lh_idx, N, "CortexLeft")
right = ci.BrainModelAxis.from_surface(rh_idx, N, "CortexRight")
# A volume model (subcortical), which surfrender skips: 3 voxels of a 2x2x2 grid.
mask = np.zeros((2, 2, 2), dtype=bool)
mask[0, 0, 0] = mask[1, 0, 1] = mask[1, 1, 1] = True
thal = ci.BrainModelAxis.from_mask(mask, name="ThalamusLeft", affine=np.eye(4))
brain = left + right + thal
n_vol = int(mask.sum())


def save_gz(img, name):
    """nibabel's own bytes for the image, gzipped at level 9 with a fixed mtime (smaller
    and reproducible; nibabel's .nii.gz writer uses a faster level)."""
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        f.write(gzip.compress(img.to_bytes(), compresslevel=9, mtime=0))
    return path


def save(img, name, intent):
    """Writes a CIFTI-2 file with Workbench's intent code (nibabel would write 3000)."""
    img.nifti_header.set_intent(intent)
    path = os.path.join(HERE, name)
    img.to_filename(path)
    back = nib.load(path)
    assert back.nifti_header["intent_code"] == intent_codes.code[intent], back.nifti_header.get_intent()
    assert np.array_equal(back.get_fdata(), np.asarray(img.dataobj, dtype=np.float64)), name
    print(f"{name}: {os.path.getsize(path)} bytes, shape {back.shape}")
    return back


# --- lr.dscalar.nii: 2 maps x (left + right + thalamus), scalars on dimension 0 (rows)
map0 = np.concatenate([lh_thick[lh_idx], rh_thick[rh_idx], [7, 8, 9]])
map1 = np.concatenate([lh_idx * 0.25 - 100, -(rh_idx * 0.25), [-7, -8, -9]])
scalars = ci.ScalarAxis(["thickness", "synthetic"])
dscalar = np.stack([map0, map1]).astype(np.float32)
save(ci.Cifti2Image(dscalar, header=(scalars, brain)), "lr.dscalar.nii", DSCALAR)

# --- swapped.dscalar.nii: the same left cortex with the brain models on dimension 0
swapped = np.stack([lh_thick[lh_idx], lh_idx * 0.25 - 100]).astype(np.float32).T
save(ci.Cifti2Image(swapped, header=(left, scalars)), "swapped.dscalar.nii", DSCALAR)

# --- lh.dtseries.nii: left cortex only, 3 time points, value = vertex + 1000 * t
series = ci.SeriesAxis(start=0.0, step=0.72, size=3, unit="second")
ts = np.stack([lh_idx + 1000.0 * t for t in range(3)]).astype(np.float32)
save(ci.Cifti2Image(ts, header=(series, left)), "lh.dtseries.nii", "NIFTI_INTENT_CONNECTIVITY_DENSE_SERIES")

# --- lr.dlabel.nii: 2 label maps over left + right (+ thalamus)
# parcA: key = vertex % 4; key 3 has no table entry. parcB: 5 on even vertices, else 7 (no entry).
labels = ci.LabelAxis(
    ["parcA", "parcB"],
    [
        {0: ("???", (0.0, 0.0, 0.0, 0.0)), 1: ("alpha", (1.0, 0.0, 0.0, 1.0)), 2: ("beta", (0.0, 0.5, 1.0, 1.0))},
        {0: ("???", (0.0, 0.0, 0.0, 0.0)), 5: ("gamma", (0.2, 0.4, 0.6, 0.8))},
    ],
)
verts = np.concatenate([lh_idx, rh_idx, [0, 1, 2]])
parc_a = verts % 4
parc_b = np.where(verts % 2 == 0, 5, 7)
save(ci.Cifti2Image(np.stack([parc_a, parc_b]).astype(np.float32), header=(labels, brain)), "lr.dlabel.nii", "NIFTI_INTENT_CONNECTIVITY_DENSE_LABELS")

# --- ico7.nii.gz: NIfTI-1, 163842 vertices x 2 frames; nibabel stores dims 27307x1x6x2
ico = np.stack([np.arange(163842) % 1000 + 1000.0 * f for f in range(2)], axis=-1)
ico = ico.astype(np.float32)[:, None, None, :]
path = save_gz(nib.Nifti1Image(ico, np.eye(4)), "ico7.nii.gz")
raw = nib.load(path)
assert list(raw.header["dim"][:5]) == [4, 27307, 1, 6, 2], raw.header["dim"]
assert raw.shape == (163842, 1, 1, 2) and np.array_equal(raw.get_fdata(), ico)
print(f"ico7.nii.gz: {os.path.getsize(path)} bytes, dim {[int(d) for d in raw.header['dim']]}")

# --- glmin.nii.gz: NIfTI-1, 40000 vertices: dim[1] = -1 and the count in glmin
big = (np.arange(40000) % 1000 * 0.5).astype(np.float32)[:, None, None]
path = save_gz(nib.Nifti1Image(big, np.eye(4)), "glmin.nii.gz")
raw = nib.load(path)
assert raw.header["dim"][1] == -1 and raw.header["glmin"] == 40000
assert raw.shape == (40000, 1, 1) and np.array_equal(raw.get_fdata(), big)
print(f"glmin.nii.gz: {os.path.getsize(path)} bytes, dim {[int(d) for d in raw.header['dim']]}, glmin 40000")

# --- be_int16_scaled.nii: big-endian NIfTI-1, int16 i - 50 for i < 100, slope 0.5, inter -3
hdr = nib.Nifti1Header(endianness=">")
hdr.set_data_shape((100, 1, 1))
hdr.set_data_dtype(np.int16)
hdr.set_slope_inter(0.5, -3.0)
hdr["vox_offset"] = 352
stored = (np.arange(100) - 50).astype(">i2")
path = os.path.join(HERE, "be_int16_scaled.nii")
with open(path, "wb") as f:
    f.write(hdr.binaryblock + b"\0" * 4 + stored.tobytes())
raw = nib.load(path)
assert raw.header.endianness == ">" and str(raw.get_data_dtype()) == ">i2"
assert np.array_equal(raw.get_fdata()[:, 0, 0], (np.arange(100) - 50) * 0.5 - 3)
print(f"be_int16_scaled.nii: {os.path.getsize(path)} bytes")
print("nibabel", nib.__version__)
