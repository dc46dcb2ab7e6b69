//! NIfTI-1 and NIfTI-2 files of per-vertex values, and CIFTI-2 files (a NIfTI-2 container
//! whose XML extension maps the data matrix onto surface vertices; see [`cifti`]).
//! nibabel (`nifti1.py`, `nifti2.py`, `cifti2/`) is the behavioural reference.
//!
//! We do not use the `nifti` crate: surfrender needs NIfTI-2 and the CIFTI-2 extension,
//! FreeSurfer's two shape conventions (see [`shape`]), and reads from a buffer that `read_file` has
//! already bounded (gunzipped only as far as [`implied_len`] says). A header is 348 or 540
//! bytes of fixed fields, so reading it here costs less than adapting a general reader.
//!
//! The reader is in parts, which [`read`] passes through in turn:
//!
//! * [`header`]: the fixed 348- or 540-byte header, in either byte order, read and checked
//!   field by field (what the fields mean is not yet decided there).
//! * [`shape`]: what the header describes — per-vertex values (after FreeSurfer's shape
//!   conventions), a CIFTI-2 matrix, or a volume, which is refused — and where the data
//!   end. All of it is decided from the fixed header alone, so that [`implied_len`] can
//!   answer from the first bytes of a gzipped file.
//! * [`values`]: the data types, byte order and scaling that turn stored values into f32.
//! * [`cifti`]: the CIFTI-2 XML extension, which maps a matrix onto one hemisphere's
//!   vertices.
//!
//! Header claims are checked before anything is allocated: `vox_offset` must lie at or
//! after the header and within the file, dims must be positive, and vox_offset + values ×
//! bytes per value (checked arithmetic) must fit in the bytes present, else
//! [`Error::Truncated`] with both sizes.
//!
//! Details for `inspect`, spelled as nibabel and ../shared/data/truth.json spell them:
//! `format` ("Nifti1Image", "Nifti2Image", "Cifti2Image"), `shape` (nibabel's
//! `img.shape`), `dtype_on_disk` (numpy's `str(dtype)` on a little-endian machine:
//! "float32" for little-endian data, ">f4" for big-endian, "uint8" for bytes).

mod cifti;
mod header;
mod shape;
mod values;

use std::path::Path;

use header::Version;
use shape::{plan, Kind};
use values::Values;

use super::{check_len, Content, Loaded, Selection};
use crate::error::{Error, Result};
use crate::overlay::Overlay;

/// Whether the bytes start with a NIfTI-1 or NIfTI-2 header (either byte order).
pub(crate) fn sniff(bytes: &[u8]) -> bool {
    let size = |b: &[u8]| {
        b.get(0..4).map(|w| {
            (
                i32::from_le_bytes([w[0], w[1], w[2], w[3]]),
                i32::from_be_bytes([w[0], w[1], w[2], w[3]]),
            )
        })
    };
    match size(bytes) {
        Some((348, _)) | Some((_, 348)) => {
            matches!(bytes.get(344..348), Some(b"n+1\0") | Some(b"ni1\0"))
        }
        Some((540, _)) | Some((_, 540)) => {
            matches!(bytes.get(4..8), Some(b"n+2\0") | Some(b"ni2\0"))
        }
        _ => false,
    }
}

/// Bytes a NIfTI file's header says the reader uses, once the header is in `prefix`:
/// vox_offset + the data (`u64::MAX` if that overflows). `None` before, and for headers
/// the reader refuses (volumes, unknown data types), so that a gzipped volume is not
/// inflated only to be refused: the reader explains from the first bytes.
///
/// For CIFTI the XML extension lies between the header and vox_offset, so this total
/// already covers it; waiting for the extension instead would stop decompression at the
/// 64 KiB sniffing prefix whenever the XML is longer than that, as HCP files' XML is.
pub(crate) fn implied_len(path: &Path, prefix: &[u8]) -> Option<u64> {
    plan(path, prefix).ok().map(|p| p.end.unwrap_or(u64::MAX))
}

/// Reads a NIfTI-1/2 file of per-vertex values, or a CIFTI-2 file.
pub(crate) fn read(path: &Path, bytes: &[u8], sel: &Selection) -> Result<Loaded> {
    let p = plan(path, bytes)?;
    let h = &p.header;
    let found = bytes.len() as u64;
    if h.vox_offset > found {
        return Err(Error::invalid(
            path,
            format!(
                "vox_offset {} lies beyond the end of the file ({found} bytes): \
                 the file is truncated or its header corrupt",
                h.vox_offset
            ),
        ));
    }
    let end = p.end.ok_or_else(|| {
        Error::invalid(
            path,
            format!(
                "the header's dims {} with {}-byte values overflow a 64-bit size",
                join(h.dims(), "x"),
                p.dtype.size
            ),
        )
    })?;
    check_len(path, bytes, end, "NIfTI image data")?;
    // Both are at most bytes.len() here, so they fit in usize.
    let start = usize::try_from(h.vox_offset).unwrap_or(usize::MAX);
    let stop = usize::try_from(end).unwrap_or(usize::MAX);
    let data = bytes
        .get(start..stop)
        .ok_or_else(|| Error::invalid(path, "image data out of range"))?;
    let values = Values::new(path, h, p.dtype, data)?;
    match p.kind {
        Kind::Vertices {
            shape,
            n_vertices,
            n_frames,
        } => {
            let overlay = Overlay {
                n_vertices: to_usize(n_vertices),
                n_frames: to_usize(n_frames),
                values: values.all(),
                frame_names: Vec::new(),
            };
            let format = match h.version {
                Version::One => "Nifti1Image",
                Version::Two => "Nifti2Image",
            };
            let mut loaded = Loaded::new(Content::Overlay(overlay))
                .detail("format", format)
                .detail("shape", shape.clone())
                .detail("dtype_on_disk", p.dtype.numpy_name(h.little_endian));
            if shape.as_slice() != h.dims() {
                loaded = loaded.detail("dim_on_disk", h.dims().to_vec());
            }
            Ok(loaded)
        }
        Kind::Cifti { rows, cols } => cifti::read(
            path,
            bytes,
            h,
            cifti::Matrix {
                dims: [rows, cols],
                values: &values,
                dtype_on_disk: p.dtype.numpy_name(h.little_endian),
            },
            sel,
        ),
    }
}

fn join(d: &[i64], sep: &str) -> String {
    d.iter().map(i64::to_string).collect::<Vec<_>>().join(sep)
}

/// A count already checked against the bytes in memory (or a header field checked to be
/// small), so it fits in usize.
fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
