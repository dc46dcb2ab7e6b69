//! MGH/MGZ (FreeSurfer's volume format), used for per-vertex data as an Nx1x1xF "volume".
//! MGZ is gunzipped as it is read, and only as far as the header says the data go.
//!
//! Right after the image data FreeSurfer writes the scan parameters: big-endian float32
//! TR (ms), flip angle, TE, TI and FoV, then its tag blocks. nibabel (`MGHHeader`,
//! `footer_dtd`) reads them as an optional footer, zero-filled where the file ends first.
//! Only TR is used: it is the time between frames, reported as the overlay's time step
//! for a file of more than one frame (nibabel's `get_zooms` includes TR as the fourth
//! zoom only then). A file that ends before the 4 bytes of TR, or whose TR is 0, negative
//! or not finite, has no time step; that is never an error.

use std::path::Path;

use super::cursor::word;
use super::input::{Input, Region};
use super::{Cursor, Expect, Want};
use crate::error::{hex_prefix, Error, Result};
use crate::overlay::{Overlay, TimeStep};

/// Image data always start here, whatever the header holds.
const DATA_OFFSET: usize = 284;
/// Bytes of the TR field that starts the optional footer after the data.
const TR_BYTES: usize = 4;

/// What an MGH header says about per-vertex data.
struct Header {
    n_vertices: u64,
    n_frames: u64,
    dtype: i32,
    /// Bytes per value.
    size: u64,
}

impl Header {
    /// Where the image data end: the bytes the reader uses (`u64::MAX` if that overflows).
    fn end(&self) -> u64 {
        self.n_vertices
            .checked_mul(self.n_frames)
            .and_then(|n| n.checked_mul(self.size))
            .and_then(|n| n.checked_add(DATA_OFFSET as u64))
            .unwrap_or(u64::MAX)
    }
}

/// The start every MGH header shares, checked: version 1, four positive dimensions and
/// the data type; the cursor is left after them.
fn grid<'a>(path: &'a Path, bytes: &'a [u8]) -> Result<(Cursor<'a>, [i32; 4], i32)> {
    let mut cur = Cursor::new(path, bytes);
    let version = cur.i32_be("MGH header")?;
    if version != 1 {
        // Error::BadMagic would say "not a MGH ... file"; say it the way one reads it.
        return Err(Error::invalid(
            path,
            format!(
                "not an MGH file (version 1): first bytes {}; expected 00 00 00 01",
                hex_prefix(bytes)
            ),
        ));
    }
    let mut dims = [0i32; 4];
    for d in &mut dims {
        *d = cur.i32_be("MGH header")?;
    }
    let dtype = cur.i32_be("MGH header")?;
    if dims.iter().any(|&d| d <= 0) {
        let [w, h, d, f] = dims;
        return Err(Error::invalid(
            path,
            format!("MGH dimensions must be positive, found {w}x{h}x{d}x{f}"),
        ));
    }
    Ok((cur, dims, dtype))
}

/// Reads and checks an MGH header (all 284 bytes of it) for per-vertex data.
fn header(path: &Path, bytes: &[u8]) -> Result<Header> {
    let (mut cur, dims, dtype) = grid(path, bytes)?;
    let [width, height, depth, frames] = dims;
    let shape = format!("{width}x{height}x{depth}x{frames}");
    if height != 1 || depth != 1 {
        return Err(Error::invalid(
            path,
            format!(
                "MGH file is a volume of shape {shape}, not per-vertex data \
                 (expected Nx1x1 or Nx1x1xF)"
            ),
        ));
    }
    let size = type_size(path, dtype)?;
    cur.skip_to(DATA_OFFSET, "MGH header")?;
    // Dimensions are positive i32 here, so these conversions cannot fail.
    Ok(Header {
        n_vertices: u64::try_from(width).unwrap_or(0),
        n_frames: u64::try_from(frames).unwrap_or(0),
        dtype,
        size,
    })
}

/// Reads an MGH image that holds one value per vertex (width = vertices, frames kept),
/// streaming the data into the overlay once the header is checked against the surface,
/// the file and the budget. Of what follows the image only TR is read (see the module
/// documentation); the rest (the other scan parameters, FreeSurfer's tags) is ignored.
///
/// With a frame selection ([`Selection::frames`](super::Selection)) only those frames
/// are decoded and held (the data are frame-major, each frame's values contiguous); the
/// others are skipped as they stream past, and the budget counts the frames kept. The
/// file is still checked to hold every frame its header announces.
pub(crate) fn read(
    input: &mut Input,
    sel: &super::Selection,
    expect: &Expect,
) -> Result<super::Loaded> {
    let path = input.path();
    let h = input.header(|b| header(path, b))?;
    expect.vertices(Want::Overlay, path, h.n_vertices)?;
    const WHAT: &str = "MGH image data";
    input.check_end(h.end(), WHAT)?;
    let kept = super::kept_frames(sel.frames.as_ref(), h.n_frames, &input.limits);
    let held = kept.as_ref().map_or(h.n_frames, |k| k.len() as u64);
    let count = h.n_vertices.saturating_mul(held);
    input.budget(count.saturating_mul(4), || {
        format!(
            "its {} x {} values ({} bytes each on disk, float32 in memory)",
            h.n_vertices, held, h.size
        )
    })?;
    let mut values: Vec<f32> = input.vec(count)?;
    let region = Region {
        at: DATA_OFFSET as u64,
        count: h.n_vertices.saturating_mul(h.n_frames),
        size: h.size as usize,
        end: h.end(),
        what: WHAT,
    };
    let convert = |run: &[u8], out: &mut Vec<f32>| {
        decode(h.dtype, run, out);
        Ok(())
    };
    match &kept {
        None => input.region(&region, &mut values, convert)?,
        Some(kept) => {
            input.region_frames(&region, h.n_vertices, kept, &mut values, convert)?;
            input.reach(h.end(), WHAT)?;
        }
    }
    let time_step = if h.n_frames > 1 {
        footer_tr(input, h.end())?
    } else {
        None
    };
    input.finish()?;
    let overlay = Overlay {
        n_vertices: usize::try_from(h.n_vertices).unwrap_or(0),
        n_frames: usize::try_from(h.n_frames).unwrap_or(0),
        values,
        kept,
        frame_names: Vec::new(),
        time_step,
    };
    // nibabel's names, so `inspect --json` reads like truth.json.
    let mut shape = vec![overlay.n_vertices, 1, 1];
    if overlay.n_frames > 1 {
        shape.push(overlay.n_frames);
    }
    let dtype = match h.dtype {
        0 => "|u1",
        1 => ">i4",
        4 => ">i2",
        _ => ">f4",
    };
    Ok(super::Loaded::new(super::Content::Overlay(overlay))
        .detail("format", "MGHImage")
        .detail("shape", shape)
        .detail("dtype_on_disk", dtype))
}

/// Appends the big-endian values of `run` (whole values of MGH type `dtype`, checked to
/// be 0, 1, 3 or 4) to `out` as f32.
fn decode(dtype: i32, run: &[u8], out: &mut Vec<f32>) {
    match dtype {
        0 => out.extend(run.iter().map(|&b| f32::from(b))),
        1 => out.extend(
            run.chunks_exact(4)
                .map(|c| i32::from_be_bytes(word(c)) as f32),
        ),
        4 => out.extend(run.chunks_exact(2).map(|c| {
            f32::from(i16::from_be_bytes(
                <[u8; 2]>::try_from(c).unwrap_or_default(),
            ))
        })),
        // Only float32 (3) is left after the type check.
        _ => out.extend(run.chunks_exact(4).map(|c| f32::from_be_bytes(word(c)))),
    }
}

/// Bytes per value of MGH type `dtype`, or the error naming it.
fn type_size(path: &Path, dtype: i32) -> Result<u64> {
    match dtype {
        0 => Ok(1),
        1 | 3 => Ok(4),
        4 => Ok(2),
        _ => Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "MGH data type",
            found: format!("type code {dtype} (supported: 0 uchar, 1 int32, 3 float32, 4 short)"),
        }),
    }
}

/// What an MGH header says about a volume: its grid, type and geometry.
struct VolumeHeader {
    dims: [usize; 4],
    dtype: i32,
    size: u64,
    /// `goodRASFlag` > 0: the geometry below was written.
    good_ras: bool,
    delta: [f64; 3],
    /// Direction cosines, one row per voxel axis (x_r x_a x_s, y_..., z_...).
    mdc: [[f64; 3]; 3],
    c_ras: [f64; 3],
}

/// Reads an MGH header as a volume's: version, dims, type, then `dof`, `goodRASFlag`
/// (int16), the voxel sizes, the direction cosines and the centre (float32), as
/// nibabel's `MGHHeader` lays them out.
fn volume_header(path: &Path, bytes: &[u8]) -> Result<VolumeHeader> {
    let (mut cur, dims, dtype) = grid(path, bytes)?;
    let size = type_size(path, dtype)?;
    let _dof = cur.i32_be("MGH header")?;
    let flag = cur.take(2, "MGH header")?;
    let good_ras = i16::from_be_bytes([flag[0], flag[1]]) > 0;
    let mut f = [0f64; 15];
    for x in &mut f {
        *x = f64::from(f32::from_bits(cur.i32_be("MGH header")? as u32));
    }
    cur.skip_to(DATA_OFFSET, "MGH header")?;
    Ok(VolumeHeader {
        dims: dims.map(|d| usize::try_from(d).unwrap_or(0)),
        dtype,
        size,
        good_ras,
        delta: [f[0], f[1], f[2]],
        mdc: [[f[3], f[4], f[5]], [f[6], f[7], f[8]], [f[9], f[10], f[11]]],
        c_ras: [f[12], f[13], f[14]],
    })
}

/// Reads an MGH/MGZ volume: the header checked against the file and the memory budget,
/// then every frame streamed into a Fortran-order array (MGH stores the first index
/// fastest, frames last, as NIfTI does). The affine is nibabel's `MGHHeader.get_affine`;
/// a header whose `goodRASFlag` is not set has no geometry, and FreeSurfer (`mghRead`)
/// then takes its default, 1 mm coronal voxels (LIA) centred at 0, as done here with a
/// note. Per-vertex data (Nx1x1) are refused as not a volume.
pub(crate) fn read_volume(input: &mut Input) -> Result<crate::volume::Volume> {
    use crate::volume::affine;
    let path = input.path();
    let h = input.header(|b| volume_header(path, b))?;
    let [nx, ny, nz, nt] = h.dims;
    if ny == 1 && nz == 1 {
        return Err(Error::invalid(
            path,
            format!(
                "per-vertex data of shape {nx}x1x1x{nt} (values for {nx} vertices), not a \
                 volume: give it as an overlay of a surface"
            ),
        ));
    }
    let count = h.dims.iter().fold(1u64, |a, &d| a.saturating_mul(d as u64));
    let end = count
        .checked_mul(h.size)
        .and_then(|b| b.checked_add(DATA_OFFSET as u64))
        .unwrap_or(u64::MAX);
    const WHAT: &str = "MGH image data";
    input.check_end(end, WHAT)?;
    input.budget(count.saturating_mul(4), || {
        format!(
            "its {nx}x{ny}x{nz}x{nt} volume ({} bytes per value on disk, float32 in memory)",
            h.size
        )
    })?;
    let mut values: Vec<f32> = input.vec(count)?;
    let region = Region {
        at: DATA_OFFSET as u64,
        count,
        size: h.size as usize,
        end,
        what: WHAT,
    };
    input.region(&region, &mut values, |run, out| {
        decode(h.dtype, run, out);
        Ok(())
    })?;
    input.finish()?;
    let data = ndarray::Array4::from_shape_vec(ndarray::ShapeBuilder::f((nx, ny, nz, nt)), values)
        .map_err(|e| Error::Internal(format!("MGH volume shaped: {e}")))?;
    let mut notes = Vec::new();
    let (a, orientation) = if h.good_ras {
        let a = affine::mgh_affine([nx, ny, nz], h.delta, h.mdc, h.c_ras);
        (
            a,
            "MGH direction cosines, voxel sizes and centre (c_ras)".to_string(),
        )
    } else {
        notes.push(
            "no geometry stored (goodRASFlag 0): FreeSurfer's default assumed, 1 mm \
             coronal (LIA) voxels centred at 0"
                .to_string(),
        );
        let lia = [[-1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]];
        let a = affine::mgh_affine([nx, ny, nz], [1.0; 3], lia, [0.0; 3]);
        (
            a,
            "MGH default (goodRASFlag 0: coronal LIA, 1 mm, centred)".to_string(),
        )
    };
    affine::check(path, &a, &orientation)?;
    let integer = h.dtype != 3;
    Ok(crate::volume::Volume {
        data,
        affine: a,
        orientation,
        notes,
        integer,
    })
}

/// Whether `bytes`, the start of an MGH file, describe a volume (a grid whose second or
/// third dimension is more than 1) rather than per-vertex data.
pub(crate) fn is_volume(path: &Path, bytes: &[u8]) -> bool {
    volume_header(path, bytes).is_ok_and(|h| h.dims[1] != 1 || h.dims[2] != 1)
}

/// The time step from the TR (ms) that starts the footer at `end`, the end of the image
/// data: `None` when the file ends before it or it is no positive finite number.
fn footer_tr(input: &mut Input, end: u64) -> Result<Option<TimeStep>> {
    let mut tr = [0u8; TR_BYTES];
    if input.read_at(end, &mut tr)? < TR_BYTES {
        return Ok(None);
    }
    let ms = TimeStep::decimal(f32::from_be_bytes(tr));
    Ok(TimeStep::new(ms / 1000.0, "MGH TR"))
}
