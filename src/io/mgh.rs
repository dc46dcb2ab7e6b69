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

/// Reads and checks an MGH header (all 284 bytes of it) for per-vertex data.
fn header(path: &Path, bytes: &[u8]) -> Result<Header> {
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
    let [width, height, depth, frames] = dims;
    let shape = format!("{width}x{height}x{depth}x{frames}");
    if dims.iter().any(|&d| d <= 0) {
        return Err(Error::invalid(
            path,
            format!("MGH dimensions must be positive, found {shape}"),
        ));
    }
    if height != 1 || depth != 1 {
        return Err(Error::invalid(
            path,
            format!(
                "MGH file is a volume of shape {shape}, not per-vertex data \
                 (expected Nx1x1 or Nx1x1xF)"
            ),
        ));
    }
    let size = match dtype {
        0 => 1,
        1 | 3 => 4,
        4 => 2,
        _ => {
            return Err(Error::Unsupported {
                path: path.to_path_buf(),
                what: "MGH data type",
                found: format!(
                    "type code {dtype} (supported: 0 uchar, 1 int32, 3 float32, 4 short)"
                ),
            })
        }
    };
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
        match h.dtype {
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
            // Only float32 (3) is left after the type check in `header`.
            _ => out.extend(run.chunks_exact(4).map(|c| f32::from_be_bytes(word(c)))),
        }
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
