//! What a checked header describes, decided before any data are read: per-vertex values
//! (with FreeSurfer's shape conventions applied), a CIFTI-2 matrix, or a volume, which is
//! refused; and where the data end. [`plan`] needs only the fixed header, so it also says
//! how much of a gzipped file to inflate (see [`super::implied_len`]).
//!
//! * Per-vertex data are an N×1×1 "volume", frames in dim\[4\] (1 when dim\[0\] < 4);
//!   dims 5–7, where present, must be 1. Anything else is refused as a volume.
//! * FreeSurfer's conventions for NIfTI-1, whose dims are int16, applied exactly as nibabel's
//!   `Nifti1Header.get_data_shape` applies them (NIfTI-2 has int64 dims and gets neither):
//!   - dims 1–3 = (-1, 1, 1): the vertex count is in `glmin` (FreeSurfer's `save_nifti.m`
//!     for more than 32767 vertices); 0 there is refused.
//!   - dims 1–3 = (27307, 1, 6): 163842 vertices (fsaverage, ico7), which FreeSurfer writes
//!     as 27307×1×6. NIfTI stores the first index fastest, so each frame on disk is
//!     x + 27307·z, and FreeSurfer's `load_nifti.m` reshapes it (column-major, like every
//!     NIfTI reshape) to 163842×1×1: vertex v is simply the v-th value of the frame. The
//!     reported `shape` is nibabel's, (163842, 1, 1[, F]); the detail `dim_on_disk` keeps
//!     the stored dims.
//! * A NIfTI-2 file with a CIFTI intent code is a matrix in dims 5 and 6 (dims 1 to 4 all 1).

use std::path::Path;

use super::header::{header, Header, Version};
use super::join;
use super::values::DType;
use crate::error::{Error, Result};

/// NIfTI intent codes 3000–3099 are CIFTI (3006 dscalar, 3002 dtseries, 3007 dlabel...);
/// nibabel's CIFTI-2 loader takes a NIfTI-2 file with such a code.
const CIFTI_INTENTS: std::ops::Range<i32> = 3000..3100;
/// FreeSurfer's ico7 reshape: 163842 = 27307 · 6.
const ICO7_STORED: [i64; 3] = [27307, 1, 6];
const ICO7_VERTICES: i64 = 163842;

/// How the data are to be read.
pub(super) enum Kind {
    /// Per-vertex values; `shape` is nibabel's (after FreeSurfer's conventions).
    Vertices {
        shape: Vec<i64>,
        n_vertices: u64,
        n_frames: u64,
    },
    /// A CIFTI-2 matrix of dim\[5\] rows and dim\[6\] columns.
    Cifti { rows: u64, cols: u64 },
}

/// What the header says, checked: the data type, the shape and where the data end.
pub(super) struct Plan {
    pub(super) header: Header,
    pub(super) dtype: DType,
    pub(super) kind: Kind,
    /// vox_offset + bytes of data; `None` if that overflows u64.
    pub(super) end: Option<u64>,
}

/// Everything that can be decided from the fixed header alone.
pub(super) fn plan(path: &Path, bytes: &[u8]) -> Result<Plan> {
    let header = header(path, bytes)?;
    let dtype = DType::from_code(path, header.datatype)?;
    let dims = header.dims();
    let shape_str = |d: &[i64]| join(d, "x");
    let positive = |d: &[i64]| -> Result<()> {
        if d.iter().any(|&x| x <= 0) {
            return Err(Error::invalid(
                path,
                format!(
                    "NIfTI dimensions must be positive, found {} (dim[0] = {})",
                    shape_str(d),
                    header.ndim
                ),
            ));
        }
        Ok(())
    };
    let cifti = is_cifti(&header);
    let (kind, count) = if cifti {
        positive(dims)?;
        if header.ndim != 6 {
            return Err(Error::Unsupported {
                path: path.to_path_buf(),
                what: "CIFTI-2 matrix",
                found: format!(
                    "dim[0] = {} (shape {}); supported: 2-D matrices (dim[0] = 6)",
                    header.ndim,
                    shape_str(dims)
                ),
            });
        }
        if dims.get(..4).is_some_and(|d| d.iter().any(|&x| x != 1)) {
            return Err(Error::invalid(
                path,
                format!(
                    "CIFTI-2 file with dims {}: dims 1 to 4 must be 1 (the matrix is in dims 5 and 6)",
                    shape_str(dims)
                ),
            ));
        }
        let rows = dims.get(4).map_or(1, |&d| d as u64);
        let cols = dims.get(5).map_or(1, |&d| d as u64);
        (Kind::Cifti { rows, cols }, rows.checked_mul(cols))
    } else {
        let shape = freesurfer_shape(path, &header)?;
        positive(&shape)?;
        if !per_vertex(&shape) {
            return Err(Error::invalid(
                path,
                format!(
                    "a volume of shape {}, not per-vertex data (expected Nx1x1 or Nx1x1xF)",
                    shape_str(&shape)
                ),
            ));
        }
        let n_vertices = shape.first().map_or(0, |&n| n as u64);
        let n_frames = shape.get(3).map_or(1, |&f| f as u64);
        (
            Kind::Vertices {
                shape,
                n_vertices,
                n_frames,
            },
            n_vertices.checked_mul(n_frames),
        )
    };
    let end = count
        .and_then(|c| c.checked_mul(dtype.size))
        .and_then(|b| b.checked_add(header.vox_offset));
    Ok(Plan {
        header,
        dtype,
        kind,
        end,
    })
}

/// The shape nibabel reports (`get_data_shape`): the dims, with FreeSurfer's two NIfTI-1
/// conventions for per-vertex data applied (see the module documentation).
pub(super) fn freesurfer_shape(path: &Path, header: &Header) -> Result<Vec<i64>> {
    let dims = header.dims();
    let mut shape = dims.to_vec();
    if header.version == Version::One {
        match dims.get(..3) {
            Some([-1, 1, 1]) => {
                if header.glmin <= 0 {
                    return Err(Error::invalid(
                        path,
                        format!(
                            "dim[1] is -1 (FreeSurfer's convention for more than 32767 \
                             vertices, the count then being in glmin) but glmin is {}",
                            header.glmin
                        ),
                    ));
                }
                if let Some(n) = shape.first_mut() {
                    *n = header.glmin;
                }
            }
            Some(d) if d == ICO7_STORED.as_slice() => {
                if let Some(s) = shape.get_mut(..3) {
                    s.copy_from_slice(&[ICO7_VERTICES, 1, 1]);
                }
            }
            _ => {}
        }
    }
    Ok(shape)
}

/// Whether a shape (after [`freesurfer_shape`]) is per-vertex data, Nx1x1 or Nx1x1xF
/// (dims 5 to 7, where present, 1); anything else is a volume.
pub(super) fn per_vertex(shape: &[i64]) -> bool {
    let ones = |from: usize, to: usize| {
        shape
            .get(from..to.min(shape.len()))
            .is_none_or(|d| d.iter().all(|&x| x == 1))
    };
    ones(1, 3) && ones(4, 7)
}

/// Whether a NIfTI-2 header is a CIFTI-2 file's (an intent code of 3000 to 3099).
pub(super) fn is_cifti(header: &Header) -> bool {
    header.version == Version::Two && CIFTI_INTENTS.contains(&header.intent_code)
}
