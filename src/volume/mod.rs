//! Volumes sampled onto surfaces: a statistic map in MNI or subject space becomes
//! per-vertex values ([`Overlay`]) or labels.
//!
//! * [`read_volume`] reads a NIfTI-1/NIfTI-2 (`.nii`, `.nii.gz`) or MGH/MGZ volume with its
//!   voxel → world affine ([`Volume`]); [`is_volume`] tells such a file from per-vertex
//!   data stored in the same formats, from its header alone.
//! * [`sample`] takes each vertex between a white and a pial surface (or on one sampling
//!   surface), moves it into the volume's world by the surface's `cras` and through the
//!   inverse affine into voxels, and interpolates every frame there ([`Sampling`]);
//!   [`sample_labels`] does the same for a label volume by nearest neighbour and majority.
//! * [`coverage`] says how much of a surface falls inside a volume, for the "wrong
//!   space" message a caller gives when a surface misses the volume.
//!
//! World coordinates are RAS millimetres. FreeSurfer surfaces are in tkrRAS, whose origin
//! is the centre of the subject's conformed volume; scanner RAS (where a subject's native
//! scans live) is tkrRAS + `cras` ([`crate::Mesh::cras`]). fsaverage's `cras` is 0, and
//! its coordinates are MNI305; an MNI152 volume sampled there is sampled at MNI305
//! coordinates directly, as nilearn does (the two spaces differ by a few millimetres).

pub(crate) mod affine;
mod sample;

use std::path::Path;

pub use affine::Affine;
pub use sample::{coverage, sample, sample_labels, Coverage};

use crate::error::Result;

/// A volume with its voxel → world (RAS mm) affine.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    /// Values as `[i, j, k, frame]` (a 3-D volume has one frame), scaling applied
    /// (NIfTI's `scl_slope`/`scl_inter`). Readers build it in Fortran (column-major)
    /// order, the order of the file, so that a frame is one contiguous run.
    pub data: ndarray::Array4<f32>,
    /// Voxel (i, j, k, 1) → world (x, y, z, 1), rows first. Readers guarantee it finite
    /// and invertible.
    pub affine: Affine,
    /// Where the affine came from: "sform (code 4, MNI152)", "qform (...)", "pixdim
    /// (...)", "MGH direction cosines", ...
    pub orientation: String,
    /// What a user may want to know about how the file was read (scaling applied, an
    /// orientation guessed), one sentence each.
    pub notes: Vec<String>,
    /// Stored as an integer type and every finite value whole: a label volume may be
    /// sampled as labels ([`sample_labels`]).
    pub integer: bool,
}

impl Volume {
    /// The grid's size (i, j, k).
    pub fn shape(&self) -> [usize; 3] {
        let s = self.data.shape();
        [s[0], s[1], s[2]]
    }

    /// The number of frames (the 4th dimension; 1 for a 3-D volume).
    pub fn n_frames(&self) -> usize {
        self.data.shape()[3]
    }
}

/// Reads a NIfTI-1/NIfTI-2 (`.nii`, `.nii.gz`) or MGH/MGZ volume within `limits`.
///
/// NIfTI-1 goes through the `nifti` crate: the file's content is read through the
/// project's bounded input (gunzipped as it streams, only as far as the header says the
/// data go, after the header's claims are checked against the file's size and the
/// memory budget), and the crate is handed the 348-byte header and the data bytes, which
/// it turns into an `ndarray` with the header's scaling applied. Handing it the file
/// itself would let a corrupt header ask for gigabytes before any check (its readers
/// reserve what the header announces), and would not read a gzip file whose name does not
/// end in `.gz`. NIfTI-2 (which the crate does not read) and MGH/MGZ go through the
/// project's own readers into the same `ndarray` type.
///
/// The affine is the sform when its code is set, else the qform, else one from the voxel
/// sizes with a note (see `nifti_affine`); MGH's comes from its direction cosines, voxel
/// sizes and centre, as nibabel's `MGHHeader.get_affine`. Errors, each one line naming
/// the file: an affine that is singular or not finite, a volume of more than 4
/// dimensions, per-vertex data (an N×1×1 "volume"), a truncated file, a file that would
/// exceed the memory budget.
pub fn read_volume(path: &Path, limits: &crate::io::Limits) -> Result<Volume> {
    crate::io::read_volume(path, *limits)
}

/// Whether `path` is a NIfTI or MGH/MGZ volume rather than per-vertex data in the same
/// formats, decided from its header: the readers' rule for per-vertex data (N×1×1 or
/// N×1×1×F after FreeSurfer's shape conventions; a CIFTI-2 file is per-vertex data too)
/// is not met. False for other formats and for files that cannot be read.
pub fn is_volume(path: &Path) -> bool {
    crate::io::is_volume(path)
}

/// How a volume is sampled at each vertex.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// Where between the white (0) and pial (1) surface to sample, as fractions of the
    /// distance between a vertex's two positions; values outside 0..=1 sample beyond
    /// them. Ignored when sampling on a single surface.
    pub depths: Vec<f32>,
    /// How the samples at the depths become one value.
    pub reduce: Reduce,
    /// How a volume is read between voxel centres.
    pub interp: Interp,
}

/// How the samples of one vertex at several depths become one value. Samples that are
/// NaN (outside the volume, or NaN in it) are left out; a vertex with none is NaN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduce {
    /// The mean of the samples (nilearn's `vol_to_surf`).
    Mean,
    /// The largest sample (FreeSurfer's `mri_vol2surf --projfrac-max`), for a peak that
    /// lies in part of the ribbon only.
    Max,
}

/// How a volume's value is read at a point between voxel centres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interp {
    /// Trilinear interpolation of the eight voxels around the point (nilearn's default).
    Trilinear,
    /// The value of the nearest voxel.
    Nearest,
}

impl Default for Sampling {
    /// The ribbon, as nilearn's `vol_to_surf` samples it by default when given an inner
    /// mesh (`kind="depth"`, the `"auto"` choice then): `n_samples` 10 depths at
    /// `np.linspace(0, 1, 10)` between the pial and the white surface, that is 0, 1/9,
    /// 2/9, ..., 1 (both surfaces and eight evenly spaced between; the set is the same
    /// measured from either surface), averaged, with trilinear interpolation.
    fn default() -> Self {
        Sampling {
            depths: (0..10).map(|k| k as f32 / 9.0).collect(),
            reduce: Reduce::Mean,
            interp: Interp::Trilinear,
        }
    }
}
