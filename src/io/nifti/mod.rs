//! NIfTI-1 and NIfTI-2 files of per-vertex values, and CIFTI-2 files (a NIfTI-2 container
//! whose XML extension maps the data matrix onto surface vertices; see [`cifti`]).
//! nibabel (`nifti1.py`, `nifti2.py`, `cifti2/`) is the behavioural reference.
//!
//! We do not use the `nifti` crate: surfrender needs NIfTI-2 and the CIFTI-2 extension,
//! FreeSurfer's two shape conventions (see [`shape`]), and streams the data of a (gzipped)
//! file straight into the values it returns once the header is checked. A header is 348 or
//! 540 bytes of fixed fields, so reading it here costs less than adapting a general reader.
//!
//! The reader is in parts, which [`read`] passes through in turn:
//!
//! * [`header`]: the fixed 348- or 540-byte header, in either byte order, read and checked
//!   field by field (what the fields mean is not yet decided there).
//! * [`shape`]: what the header describes — per-vertex values (after FreeSurfer's shape
//!   conventions), a CIFTI-2 matrix, or a volume, which is refused — and where the data
//!   end. All of it is decided from the fixed header alone, so that a file whose vertex
//!   count differs from its surface's, or whose data would exceed the memory budget, is
//!   refused before its data are read.
//! * [`values`]: the data types, byte order and scaling that turn stored values into f32.
//! * [`cifti`]: the CIFTI-2 XML extension, which maps a matrix onto one hemisphere's
//!   vertices.
//!
//! Header claims are checked before anything is allocated: `vox_offset` must lie at or
//! after the header and within the file, dims must be positive, and vox_offset + values ×
//! bytes per value (checked arithmetic) must fit in the bytes present, else
//! [`Error::Truncated`] with both sizes.
//!
//! A frame selection ([`Selection::frames`]) is read by skipping the frames not kept, as
//! per-vertex data are stored frame after frame; a CIFTI-2 matrix is held whole while it
//! is read (see [`cifti`]), and only the kept frames are taken from it.
//!
//! The overlay's time step is pixdim\[4\] in the unit of `xyzt_units` (see
//! `Header::time_step` for which files have one); a CIFTI-2 file's comes from its XML.
//!
//! Details for `inspect`, spelled as nibabel and ../shared/data/truth.json spell them:
//! `format` ("Nifti1Image", "Nifti2Image", "Cifti2Image"), `shape` (nibabel's
//! `img.shape`), `dtype_on_disk` (numpy's `str(dtype)` on a little-endian machine:
//! "float32" for little-endian data, ">f4" for big-endian, "uint8" for bytes).

mod cifti;
mod header;
mod shape;
mod values;
mod volume;

pub(crate) use volume::{is_volume, read_volume};

use std::path::Path;

use header::Version;
use shape::{plan, Kind};
use values::Decoder;

use super::input::{Input, Region};
use super::{Content, Expect, Loaded, Selection, Want};
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

/// Reads a NIfTI-1/2 file of per-vertex values, or a CIFTI-2 file.
pub(crate) fn read(input: &mut Input, sel: &Selection, expect: &Expect) -> Result<Loaded> {
    let path = input.path();
    let p = input.header(|b| plan(path, b))?;
    let h = &p.header;
    if let Kind::Vertices { n_vertices, .. } = p.kind {
        expect.vertices(Want::Overlay, path, n_vertices)?;
    }
    if let Some(found) = input.len().filter(|&len| h.vox_offset > len) {
        return Err(beyond_end(path, h.vox_offset, found));
    }
    let end = match (p.end, input.len()) {
        (Some(end), _) => end,
        // A gzip stream: refused as implying more than 2 GiB.
        (None, None) => u64::MAX,
        (None, Some(_)) => {
            return Err(Error::invalid(
                path,
                format!(
                    "the header's dims {} with {}-byte values overflow a 64-bit size",
                    join(h.dims(), "x"),
                    p.dtype.size
                ),
            ))
        }
    };
    const WHAT: &str = "NIfTI image data";
    input.check_end(end, WHAT)?;
    match p.kind {
        Kind::Vertices {
            ref shape,
            n_vertices,
            n_frames,
        } => {
            // Frames are stored one after another (each vertex's value of frame 0, then
            // of frame 1, ...): a selection of frames is read by skipping the others.
            let kept = super::kept_frames(sel.frames.as_ref(), n_frames, &input.limits);
            let held = kept.as_ref().map_or(n_frames, |k| k.len() as u64);
            let count = n_vertices.saturating_mul(held);
            input.budget(count.saturating_mul(4), || {
                format!("its {n_vertices} x {held} values (float32 in memory)")
            })?;
            let decoder = Decoder::new(path, h, p.dtype)?;
            let mut values = input.vec(count)?;
            if h.vox_offset > input.head().len() as u64 {
                input.skip_to(h.vox_offset)?;
                if input.taken() < h.vox_offset {
                    return Err(beyond_end(path, h.vox_offset, input.taken()));
                }
            }
            let region = Region {
                at: h.vox_offset,
                count: n_vertices.saturating_mul(n_frames),
                size: to_usize(p.dtype.size),
                end,
                what: WHAT,
            };
            let convert = |run: &[u8], out: &mut Vec<f32>| {
                decoder.extend(run, out);
                Ok(())
            };
            match &kept {
                None => input.region(&region, &mut values, convert)?,
                Some(kept) => {
                    input.region_frames(&region, n_vertices, kept, &mut values, convert)?;
                    input.reach(end, WHAT)?;
                }
            }
            input.finish()?;
            let overlay = Overlay {
                n_vertices: to_usize(n_vertices),
                n_frames: to_usize(n_frames),
                values,
                kept,
                frame_names: Vec::new(),
                time_step: h.time_step(),
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
        Kind::Cifti { rows, cols } => {
            // The header and extensions (the XML), which must all be read; the data
            // matrix only once the XML is checked.
            let vox = h.vox_offset;
            input.budget(vox, || "its CIFTI-2 XML extension".into())?;
            input.fill(to_usize(vox))?;
            if (input.head().len() as u64) < vox {
                return Err(beyond_end(path, vox, input.taken()));
            }
            let matrix = cifti::Matrix {
                dims: [rows, cols],
                decoder: Decoder::new(path, h, p.dtype)?,
                dtype_on_disk: p.dtype.numpy_name(h.little_endian),
                end,
            };
            cifti::read(input, h, matrix, sel, expect)
        }
    }
}

/// vox_offset past the end of the content (`found` bytes).
fn beyond_end(path: &Path, vox_offset: u64, found: u64) -> Error {
    Error::invalid(
        path,
        format!(
            "vox_offset {vox_offset} lies beyond the end of the file ({found} bytes): \
             the file is truncated or its header corrupt"
        ),
    )
}

fn join(d: &[i64], sep: &str) -> String {
    d.iter().map(i64::to_string).collect::<Vec<_>>().join(sep)
}

/// A count already checked against the bytes in memory (or a header field checked to be
/// small), so it fits in usize.
fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
