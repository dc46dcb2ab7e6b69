//! The image data as values: the NIfTI data types surfrender reads ([`DType`], with the
//! numpy name `inspect` reports), and [`Decoder`], which reads stored values in the
//! file's byte order and applies the header's scaling, as nibabel's `get_fdata()` does
//! (over a run of values as they stream in, or one at a time from a matrix held whole,
//! [`Values`]).
//!
//! * Data types uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64;
//!   others are [`Error::Unsupported`] naming the code. `scl_slope`/`scl_inter` are applied
//!   as nibabel's `get_slope_inter` says: a slope of 0 or non-finite means no scaling; a
//!   valid slope with a non-finite intercept is refused (nibabel raises too). Values are
//!   scaled in f64, then stored as f32.

use std::path::Path;

use super::header::Header;
use super::to_usize;
use crate::error::{Error, Result};

/// NIfTI data types the reader converts to f32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    U8,
    I8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct DType {
    ty: Type,
    /// Bytes per value.
    pub(super) size: u64,
}

impl DType {
    pub(super) fn from_code(path: &Path, code: i32) -> Result<DType> {
        let (ty, size) = match code {
            2 => (Type::U8, 1),
            256 => (Type::I8, 1),
            4 => (Type::I16, 2),
            512 => (Type::U16, 2),
            8 => (Type::I32, 4),
            768 => (Type::U32, 4),
            1024 => (Type::I64, 8),
            1280 => (Type::U64, 8),
            16 => (Type::F32, 4),
            64 => (Type::F64, 8),
            _ => {
                let name = match code {
                    0 => "unknown",
                    1 => "binary",
                    32 => "complex64",
                    128 => "RGB24",
                    1536 => "float128",
                    1792 => "complex128",
                    2048 => "complex256",
                    2304 => "RGBA32",
                    _ => "not a NIfTI type",
                };
                return Err(Error::Unsupported {
                    path: path.to_path_buf(),
                    what: "NIfTI datatype",
                    found: format!(
                        "code {code} ({name}); supported: uint8, int8, int16, uint16, int32, \
                         uint32, int64, uint64, float32, float64"
                    ),
                });
            }
        };
        Ok(DType { ty, size })
    }

    /// Whether the type stores integers (a label volume's must).
    pub(super) fn is_integer(self) -> bool {
        !matches!(self.ty, Type::F32 | Type::F64)
    }

    /// numpy's `str(dtype)` on a little-endian machine, as truth.json records it.
    pub(super) fn numpy_name(self, little_endian: bool) -> &'static str {
        match (self.ty, little_endian) {
            (Type::U8, _) => "uint8",
            (Type::I8, _) => "int8",
            (Type::I16, true) => "int16",
            (Type::U16, true) => "uint16",
            (Type::I32, true) => "int32",
            (Type::U32, true) => "uint32",
            (Type::I64, true) => "int64",
            (Type::U64, true) => "uint64",
            (Type::F32, true) => "float32",
            (Type::F64, true) => "float64",
            (Type::I16, false) => ">i2",
            (Type::U16, false) => ">u2",
            (Type::I32, false) => ">i4",
            (Type::U32, false) => ">u4",
            (Type::I64, false) => ">i8",
            (Type::U64, false) => ">u8",
            (Type::F32, false) => ">f4",
            (Type::F64, false) => ">f8",
        }
    }
}

/// How stored values become f32: their type, byte order and scaling, as nibabel's
/// `get_fdata()` gives them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Decoder {
    ty: Type,
    size: usize,
    little_endian: bool,
    /// (slope, intercept) when the header asks for scaling.
    scale: Option<(f64, f64)>,
}

impl Decoder {
    pub(super) fn new(path: &Path, h: &Header, dtype: DType) -> Result<Decoder> {
        let (slope, inter) = (h.scl_slope, h.scl_inter);
        let scale = if slope == 0.0 || !slope.is_finite() {
            None
        } else if !inter.is_finite() {
            return Err(Error::invalid(
                path,
                format!("scl_slope is {slope} but scl_inter is {inter}, not a number to add"),
            ));
        } else if slope == 1.0 && inter == 0.0 {
            None
        } else {
            Some((slope, inter))
        };
        Ok(Decoder {
            ty: dtype.ty,
            size: to_usize(dtype.size),
            little_endian: h.little_endian,
            scale,
        })
    }

    /// The (slope, intercept) applied, when the header asks for scaling.
    pub(super) fn scale(&self) -> Option<(f64, f64)> {
        self.scale
    }

    /// Appends the values of `run`, a run of whole stored values, to `out`.
    pub(super) fn extend(&self, run: &[u8], out: &mut Vec<f32>) {
        // The common case, unscaled float32, without a type test per value.
        if self.ty == Type::F32 && self.scale.is_none() {
            let word = |b: &[u8]| <[u8; 4]>::try_from(b).unwrap_or_default();
            if self.little_endian {
                out.extend(run.chunks_exact(4).map(|b| f32::from_le_bytes(word(b))));
            } else {
                out.extend(run.chunks_exact(4).map(|b| f32::from_be_bytes(word(b))));
            }
            return;
        }
        out.extend(run.chunks_exact(self.size.max(1)).map(|b| self.convert(b)));
    }

    fn convert(&self, b: &[u8]) -> f32 {
        let raw = self.raw(b);
        match self.scale {
            None => raw as f32,
            Some((slope, inter)) => (raw * slope + inter) as f32,
        }
    }

    /// One stored value as f64 (exact for every type but 64-bit integers beyond 2^53).
    fn raw(&self, b: &[u8]) -> f64 {
        macro_rules! num {
            ($t:ty) => {{
                let a = <[u8; std::mem::size_of::<$t>()]>::try_from(b).unwrap_or_default();
                if self.little_endian {
                    <$t>::from_le_bytes(a)
                } else {
                    <$t>::from_be_bytes(a)
                }
            }};
        }
        match self.ty {
            Type::U8 => f64::from(b.first().copied().unwrap_or(0)),
            Type::I8 => f64::from(b.first().map_or(0, |&x| x as i8)),
            Type::I16 => f64::from(num!(i16)),
            Type::U16 => f64::from(num!(u16)),
            Type::I32 => f64::from(num!(i32)),
            Type::U32 => f64::from(num!(u32)),
            Type::I64 => num!(i64) as f64,
            Type::U64 => num!(u64) as f64,
            // f32 → f64 → f32 is exact, NaN payloads aside.
            Type::F32 => f64::from(num!(f32)),
            Type::F64 => num!(f64),
        }
    }
}

/// The image data held whole (a CIFTI matrix, read in any order), decoded one value at a
/// time.
pub(super) struct Values<'a> {
    pub(super) data: &'a [u8],
    pub(super) decoder: Decoder,
}

impl Values<'_> {
    /// Value `i` (in file order); NaN past the end, which callers never ask for.
    pub(super) fn get(&self, i: usize) -> f32 {
        let size = self.decoder.size;
        let at = i.saturating_mul(size);
        match self.data.get(at..at.saturating_add(size)) {
            Some(b) => self.decoder.convert(b),
            None => f32::NAN,
        }
    }
}
