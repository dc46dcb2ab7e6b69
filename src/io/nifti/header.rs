//! The fixed NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header, read into one [`Header`]
//! with NIfTI-2's wider types, and [`Fields`], the fixed-offset reads it is made of (the
//! CIFTI reader walks the extensions after the header with them too).
//!
//! This part only reads and checks fields; what the dims describe is decided in
//! [`super::shape`], and the data type is interpreted in [`super::values`].
//!
//! * Either byte order: `sizeof_hdr` (348 for NIfTI-1, 540 for NIfTI-2) read little- or
//!   big-endian decides. Only single-file images (`n+1`, `n+2` magic); a `.hdr`/`.img` pair
//!   is refused.
//! * dim\[0\] must be 1 to 7, and `vox_offset` a byte offset at or after the header.

use std::path::Path;

use super::to_usize;
use crate::error::{hex_prefix, Error, Result};
use crate::io::check_len;
use crate::overlay::TimeStep;
use crate::volume::affine::Orientation;

const NIFTI1_SIZE: usize = 348;
const NIFTI2_SIZE: usize = 540;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    One,
    Two,
}

/// The header fields the reader uses, widened to NIfTI-2's types.
pub(super) struct Header {
    pub(super) version: Version,
    pub(super) little_endian: bool,
    /// 348 or 540.
    pub(super) size: usize,
    /// dim\[0\] (1 to 7).
    pub(super) ndim: usize,
    /// dim\[1..=7\]; only the first `ndim` count.
    dim: [i64; 7],
    pub(super) datatype: i32,
    pub(super) intent_code: i32,
    pub(super) vox_offset: u64,
    pub(super) scl_slope: f64,
    pub(super) scl_inter: f64,
    /// NIfTI-1 only (FreeSurfer keeps a vertex count > 32767 there); 0 for NIfTI-2.
    pub(super) glmin: i64,
    /// pixdim\[4\], the spacing along dim\[4\] (time, in the unit of `xyzt_units`).
    pub(super) pixdim4: f64,
    /// `xyzt_units`: spatial unit in bits 0-2, temporal unit in bits 3-5.
    pub(super) xyzt_units: i32,
    /// The orientation fields (voxel sizes, qform, sform), for volumes.
    pub(super) orientation: Orientation,
}

impl Header {
    /// The dims as stored: dim\[1..=dim\[0\]\].
    pub(super) fn dims(&self) -> &[i64] {
        self.dim.get(..self.ndim).unwrap_or(&self.dim)
    }

    /// The time between frames: pixdim\[4\] in the temporal unit of `xyzt_units`, for a
    /// file whose dim\[4\] (its frames) is more than 1: a single volume has no frames to
    /// space (as MGH's TR, see `io::mgh`).
    ///
    /// * s, ms and µs (codes 8, 16, 24) are converted to seconds.
    /// * No unit (code 0) is taken as seconds, as nibabel does (its `get_zooms` returns
    ///   pixdim\[4\] whatever the unit) and Connectome Workbench does ("pretending units are
    ///   seconds"); `source` says so, since nibabel's default header leaves the unit 0 and
    ///   pixdim\[4\] 1.
    /// * Hz, ppm and rad (32, 40, 48) make dim\[4\] a spectral or angular axis, not time:
    ///   no time step, as for any other code.
    /// * A pixdim\[4\] of 0, below 0 or not finite is none either ([`TimeStep::new`]).
    pub(super) fn time_step(&self) -> Option<TimeStep> {
        if self.ndim < 4 || self.dims().get(3).is_none_or(|&frames| frames <= 1) {
            return None;
        }
        // Divided rather than multiplied by 1e-3: 700 / 1000 is 0.7, 700 * 1e-3 is not.
        let (per_second, unit) = match self.xyzt_units & 0x38 {
            0 => (1.0, ", unit unset, read as s"),
            0x08 => (1.0, " in s"),
            0x10 => (1e3, " in ms"),
            0x18 => (1e6, " in us"),
            _ => return None,
        };
        TimeStep::new(self.pixdim4 / per_second, format!("NIfTI pixdim[4]{unit}"))
    }
}

/// Fixed-offset reads from a header whose length has been checked.
pub(super) struct Fields<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) little_endian: bool,
}

impl Fields<'_> {
    fn raw<const N: usize>(&self, at: usize) -> [u8; N] {
        self.bytes
            .get(at..at + N)
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .unwrap_or([0; N])
    }
    fn i16(&self, at: usize) -> i16 {
        let b = self.raw(at);
        if self.little_endian {
            i16::from_le_bytes(b)
        } else {
            i16::from_be_bytes(b)
        }
    }
    pub(super) fn i32(&self, at: usize) -> i32 {
        let b = self.raw(at);
        if self.little_endian {
            i32::from_le_bytes(b)
        } else {
            i32::from_be_bytes(b)
        }
    }
    fn i64(&self, at: usize) -> i64 {
        let b = self.raw(at);
        if self.little_endian {
            i64::from_le_bytes(b)
        } else {
            i64::from_be_bytes(b)
        }
    }
    fn f32(&self, at: usize) -> f32 {
        f32::from_bits(self.i32(at) as u32)
    }
    fn f64(&self, at: usize) -> f64 {
        f64::from_bits(self.i64(at) as u64)
    }
}

/// Reads and checks the fixed header (not yet the shape or data type).
pub(super) fn header(path: &Path, bytes: &[u8]) -> Result<Header> {
    let (version, little_endian) = detect_version(path, bytes)?;
    let f = Fields {
        bytes,
        little_endian,
    };
    let (size, what) = match version {
        Version::One => (NIFTI1_SIZE, "NIfTI-1 header"),
        Version::Two => (NIFTI2_SIZE, "NIfTI-2 header"),
    };
    check_len(path, bytes, size as u64, what)?;
    check_magic(path, &f, version, what)?;
    let stored = match version {
        Version::One => nifti1_fields(path, &f)?,
        Version::Two => nifti2_fields(path, &f)?,
    };
    let ndim = stored.ndim;
    if !(1..=7).contains(&ndim) {
        return Err(Error::invalid(
            path,
            format!("dim[0] (the number of dimensions) is {ndim}, expected 1 to 7"),
        ));
    }
    let vox_offset = stored.vox_offset;
    if vox_offset < size as u64 {
        return Err(Error::invalid(
            path,
            format!("vox_offset {vox_offset} lies inside the {size}-byte header"),
        ));
    }
    Ok(Header {
        version,
        little_endian,
        size,
        ndim: to_usize(ndim as u64),
        dim: stored.dim,
        datatype: stored.datatype,
        intent_code: stored.intent_code,
        vox_offset,
        scl_slope: stored.scl_slope,
        scl_inter: stored.scl_inter,
        glmin: stored.glmin,
        pixdim4: stored.pixdim4,
        xyzt_units: stored.xyzt_units,
        orientation: stored.orientation,
    })
}

/// The version and byte order, from `sizeof_hdr` read both ways: it is the one field
/// both versions store first, so it decides how everything after it is read.
fn detect_version(path: &Path, bytes: &[u8]) -> Result<(Version, bool)> {
    check_len(path, bytes, 4, "NIfTI header")?;
    let word = Fields {
        bytes,
        little_endian: true,
    }
    .raw::<4>(0);
    let (le, be) = (i32::from_le_bytes(word), i32::from_be_bytes(word));
    match (le, be) {
        (348, _) => Ok((Version::One, true)),
        (_, 348) => Ok((Version::One, false)),
        (540, _) => Ok((Version::Two, true)),
        (_, 540) => Ok((Version::Two, false)),
        _ => Err(Error::invalid(
            path,
            format!(
                "not a NIfTI file: sizeof_hdr is {le} (little-endian) / {be} (big-endian), \
                 expected 348 (NIfTI-1) or 540 (NIfTI-2); first bytes {}",
                hex_prefix(bytes)
            ),
        )),
    }
}

/// Refuses all but a single-file image: the header of a `.hdr`/`.img` pair says so in
/// its magic, and deserves a clearer message than a bad magic.
fn check_magic(path: &Path, f: &Fields, version: Version, what: &str) -> Result<()> {
    let (magic, single, pair) = match version {
        Version::One => (f.raw::<4>(344), b"n+1\0", b"ni1\0"),
        Version::Two => (f.raw::<4>(4), b"n+2\0", b"ni2\0"),
    };
    if &magic == pair {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "NIfTI layout",
            found: "a header of a .hdr/.img pair (magic \"ni1\"/\"ni2\"); \
                    the data are in the .img file: convert to a single .nii file"
                .into(),
        });
    }
    if &magic != single {
        return Err(Error::invalid(
            path,
            format!(
                "{what} has magic {:?}, expected {:?}",
                String::from_utf8_lossy(&magic),
                String::from_utf8_lossy(single)
            ),
        ));
    }
    Ok(())
}

/// The fields whose offsets and types differ between NIfTI-1 and NIfTI-2, widened to
/// NIfTI-2's types, before the checks both versions share.
struct Stored {
    ndim: i64,
    dim: [i64; 7],
    datatype: i32,
    intent_code: i32,
    vox_offset: u64,
    scl_slope: f64,
    scl_inter: f64,
    glmin: i64,
    pixdim4: f64,
    xyzt_units: i32,
    orientation: Orientation,
}

/// The NIfTI-1 fields. `vox_offset` is a float there, so it is checked to be a byte
/// offset before it is truncated.
fn nifti1_fields(path: &Path, f: &Fields) -> Result<Stored> {
    let mut dim = [0i64; 7];
    for (k, d) in dim.iter_mut().enumerate() {
        *d = i64::from(f.i16(42 + 2 * k));
    }
    let vox = f.f32(108);
    if !(vox.is_finite() && vox >= 0.0) {
        return Err(Error::invalid(
            path,
            format!("vox_offset is {vox}, not a byte offset"),
        ));
    }
    Ok(Stored {
        ndim: i64::from(f.i16(40)),
        dim,
        datatype: i32::from(f.i16(70)),
        intent_code: i32::from(f.i16(68)),
        // nibabel's int(vox_offset): truncation; finite and >= 0 checked above.
        vox_offset: vox as u64,
        scl_slope: f64::from(f.f32(112)),
        scl_inter: f64::from(f.f32(116)),
        glmin: i64::from(f.i32(144)),
        // pixdim is float[8] at 76; xyzt_units one byte at 123.
        pixdim4: TimeStep::decimal(f.f32(76 + 4 * 4)),
        xyzt_units: i32::from(f.raw::<1>(123)[0]),
        // pixdim float[8] at 76; qform_code, sform_code int16 at 252, 254; quatern_b..d,
        // qoffset_x..z float at 256..280; srow_x, srow_y, srow_z float[4] at 280, 296, 312.
        orientation: Orientation {
            pixdim: std::array::from_fn(|k| f64::from(f.f32(76 + 4 * k))),
            qform_code: i32::from(f.i16(252)),
            sform_code: i32::from(f.i16(254)),
            quatern: std::array::from_fn(|k| f64::from(f.f32(256 + 4 * k))),
            qoffset: std::array::from_fn(|k| f64::from(f.f32(268 + 4 * k))),
            srow: std::array::from_fn(|r| {
                std::array::from_fn(|c| f64::from(f.f32(280 + 16 * r + 4 * c)))
            }),
        },
    })
}

/// The NIfTI-2 fields. `vox_offset` is a signed integer there, so a negative one is
/// refused.
fn nifti2_fields(path: &Path, f: &Fields) -> Result<Stored> {
    let mut dim = [0i64; 7];
    for (k, d) in dim.iter_mut().enumerate() {
        *d = f.i64(24 + 8 * k);
    }
    let vox = f.i64(168);
    let vox = u64::try_from(vox)
        .map_err(|_| Error::invalid(path, format!("vox_offset is {vox}, not a byte offset")))?;
    Ok(Stored {
        ndim: f.i64(16),
        dim,
        datatype: i32::from(f.i16(12)),
        intent_code: f.i32(504),
        vox_offset: vox,
        scl_slope: f.f64(176),
        scl_inter: f.f64(184),
        glmin: 0,
        // pixdim is double[8] at 104; xyzt_units int32 at 500.
        pixdim4: f.f64(104 + 8 * 4),
        xyzt_units: f.i32(500),
        // pixdim double[8] at 104; qform_code, sform_code int32 at 344, 348; quatern_b..d,
        // qoffset_x..z double at 352..400; srow_x, srow_y, srow_z double[4] at 400, 432, 464.
        orientation: Orientation {
            pixdim: std::array::from_fn(|k| f.f64(104 + 8 * k)),
            qform_code: f.i32(344),
            sform_code: f.i32(348),
            quatern: std::array::from_fn(|k| f.f64(352 + 8 * k)),
            qoffset: std::array::from_fn(|k| f.f64(376 + 8 * k)),
            srow: std::array::from_fn(|r| std::array::from_fn(|c| f.f64(400 + 32 * r + 8 * c))),
        },
    })
}
