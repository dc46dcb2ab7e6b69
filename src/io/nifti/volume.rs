//! NIfTI-1 and NIfTI-2 volumes ([`Volume`]): the header checked as for per-vertex data
//! ([`super::header`]), the shape refused unless it is a 3-D or 4-D grid, the data's size
//! checked against the file and the memory budget, and only then the data read.
//!
//! NIfTI-1 data are decoded by the `nifti` crate (see [`crate::volume::read_volume`] for
//! why it is handed bytes rather than the file); NIfTI-2, which it does not read, by this
//! reader's own [`Decoder`]. Both give the same values: the stored type as f32, with
//! `scl_slope`/`scl_inter` applied when the slope is finite and not 0 (nibabel's rule).

use std::path::Path;

use nifti::{IntoNdArray, NiftiHeader};

use super::header::{header, Header, Version};
use super::shape::{freesurfer_shape, is_cifti, per_vertex};
use super::values::{DType, Decoder};
use super::{beyond_end, join};
use crate::error::{Error, Result};
use crate::io::input::{Input, Region};
use crate::volume::{affine, Volume};

const WHAT: &str = "NIfTI image data";

/// Reads a NIfTI-1/NIfTI-2 volume (see the module documentation).
pub(crate) fn read_volume(input: &mut Input) -> Result<Volume> {
    let path = input.path();
    let h = input.header(|b| header(path, b))?;
    let dtype = DType::from_code(path, h.datatype)?;
    if is_cifti(&h) {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "volume",
            found: format!(
                "a CIFTI-2 file (intent code {}): its data are already on surface vertices, \
                 give it as an overlay",
                h.intent_code
            ),
        });
    }
    let shape = grid(path, &h)?;
    let [nx, ny, nz, nt] = shape;
    let count = shape.iter().try_fold(1u64, |a, &d| a.checked_mul(d as u64));
    let bytes = count.and_then(|c| c.checked_mul(dtype.size));
    let end = bytes.and_then(|b| b.checked_add(h.vox_offset));
    let (Some(count), Some(bytes), Some(end)) = (count, bytes, end) else {
        return Err(Error::invalid(
            path,
            format!(
                "the header's dims {} with {}-byte values overflow a 64-bit size",
                join(h.dims(), "x"),
                dtype.size
            ),
        ));
    };
    if let Some(found) = input.len().filter(|&len| h.vox_offset > len) {
        return Err(beyond_end(path, h.vox_offset, found));
    }
    input.check_end(end, WHAT)?;
    // NIfTI-1: the raw bytes, then the crate's f32 array beside them (and, for types it
    // must byte-swap or realign, one more copy of the bytes while it converts them).
    let needed = match h.version {
        Version::One => bytes
            .saturating_mul(2)
            .saturating_add(count.saturating_mul(4)),
        Version::Two => count.saturating_mul(4),
    };
    input.budget(needed, || {
        format!(
            "its {nx}x{ny}x{nz}x{nt} volume ({} bytes per value on disk, float32 in memory)",
            dtype.size
        )
    })?;
    if h.vox_offset > input.head().len() as u64 {
        input.skip_to(h.vox_offset)?;
        if input.taken() < h.vox_offset {
            return Err(beyond_end(path, h.vox_offset, input.taken()));
        }
    }
    let mut notes = Vec::new();
    let decoder = Decoder::new(path, &h, dtype)?;
    let data = match h.version {
        Version::One => nifti1_data(input, &h, bytes, end, shape)?,
        Version::Two => nifti2_data(input, &h, (&decoder, dtype.size), count, end, shape)?,
    };
    input.finish()?;
    if let Some((slope, inter)) = decoder.scale() {
        notes.push(format!(
            "values scaled by the header's scl_slope {slope} and scl_inter {inter}"
        ));
    }
    let o = &h.orientation;
    let (a, orientation) = affine::nifti_affine(path, o, [nx, ny, nz])?;
    affine::check(path, &a, &orientation)?;
    if o.sform_code <= 0 && o.qform_code <= 0 {
        notes.push(
            "no orientation stored (sform and qform codes 0): placed by its voxel sizes \
             alone, x reversed and centred as nibabel assumes; the figure may be mirrored \
             or misplaced"
                .into(),
        );
    }
    let integer = dtype.is_integer() && data.iter().all(|x| !x.is_finite() || x.fract() == 0.0);
    Ok(Volume {
        data,
        affine: a,
        orientation,
        notes,
        integer,
    })
}

/// A NIfTI-1 volume's values: the raw bytes streamed within the budget, then decoded
/// and scaled by the `nifti` crate into an array.
fn nifti1_data(
    input: &mut Input,
    h: &Header,
    bytes: u64,
    end: u64,
    [nx, ny, nz, nt]: [usize; 4],
) -> Result<ndarray::Array4<f32>> {
    let path = input.path();
    let mut nh = NiftiHeader::from_reader(input.head().get(..h.size).unwrap_or_default())
        .map_err(|e| Error::invalid(path, format!("NIfTI-1 header: {e}")))?;
    // nibabel's scaling rule (which `Decoder::new` has checked): a slope of 0 or
    // not finite means none. The crate would scale by a NaN slope.
    if !(nh.scl_slope.is_finite() && nh.scl_slope != 0.0) {
        nh.scl_slope = 0.0;
    }
    let mut raw: Vec<u8> = input.vec(bytes)?;
    let region = Region {
        at: h.vox_offset,
        count: bytes,
        size: 1,
        end,
        what: WHAT,
    };
    input.region(&region, &mut raw, |run, out| {
        out.extend_from_slice(run);
        Ok(())
    })?;
    let nifti_error =
        |e: nifti::NiftiError| Error::invalid(path, format!("cannot decode the image data: {e}"));
    let vol = nifti::InMemNiftiVolume::from_raw_data(&nh, raw).map_err(nifti_error)?;
    let arr = vol.into_ndarray::<f32>().map_err(nifti_error)?;
    arr.into_shape_with_order(((nx, ny, nz, nt), ndarray::Order::ColumnMajor))
        .map_err(|e| Error::Internal(format!("NIfTI volume reshaped: {e}")))
}

/// A NIfTI-2 volume's values, decoded and scaled by the project's own decoder (the
/// `nifti` crate reads NIfTI-1 only).
fn nifti2_data(
    input: &mut Input,
    h: &Header,
    (decoder, value_size): (&Decoder, u64),
    count: u64,
    end: u64,
    [nx, ny, nz, nt]: [usize; 4],
) -> Result<ndarray::Array4<f32>> {
    let mut values: Vec<f32> = input.vec(count)?;
    let region = Region {
        at: h.vox_offset,
        count,
        size: usize::try_from(value_size).unwrap_or(usize::MAX),
        end,
        what: WHAT,
    };
    input.region(&region, &mut values, |run, out| {
        decoder.extend(run, out);
        Ok(())
    })?;
    ndarray::Array4::from_shape_vec(ndarray::ShapeBuilder::f((nx, ny, nz, nt)), values)
        .map_err(|e| Error::Internal(format!("NIfTI volume shaped: {e}")))
}

/// The grid (i, j, k, frames) of a volume: dims 1 to 3 (1 where dim\[0\] is smaller),
/// frames in dim 4, and dims 5 to 7 1 where present. Per-vertex data (Nx1x1[xF], after
/// FreeSurfer's conventions) and 5-D data are refused.
fn grid(path: &Path, h: &Header) -> Result<[usize; 4]> {
    let dims = h.dims();
    if dims.iter().any(|&d| d <= 0) {
        return Err(Error::invalid(
            path,
            format!(
                "NIfTI dimensions must be positive, found {} (dim[0] = {})",
                join(dims, "x"),
                h.ndim
            ),
        ));
    }
    let shape = freesurfer_shape(path, h)?;
    if per_vertex(&shape) {
        return Err(Error::invalid(
            path,
            format!(
                "per-vertex data of shape {} (values for {} vertices), not a volume: give it \
                 as an overlay of a surface",
                join(&shape, "x"),
                shape.first().copied().unwrap_or(0)
            ),
        ));
    }
    if dims.get(4..).is_some_and(|d| d.iter().any(|&x| x != 1)) {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "volume dimensions",
            found: format!(
                "{}-D data of shape {}; expected a 3-D volume or a 4-D series of volumes",
                h.ndim,
                join(dims, "x")
            ),
        });
    }
    let d = |k: usize| {
        dims.get(k)
            .map_or(1, |&x| usize::try_from(x).unwrap_or(usize::MAX))
    };
    Ok([d(0), d(1), d(2), d(3)])
}

/// Whether `bytes`, the start of a NIfTI file, describe a volume rather than per-vertex
/// data or a CIFTI-2 matrix: the per-vertex reader's rule ([`per_vertex`]) is not met.
pub(crate) fn is_volume(path: &Path, bytes: &[u8]) -> bool {
    let Ok(h) = header(path, bytes) else {
        return false;
    };
    if is_cifti(&h) || h.dims().iter().any(|&d| d <= 0) {
        return false;
    }
    freesurfer_shape(path, &h).is_ok_and(|s| !per_vertex(&s))
}
