//! NIfTI-1 and NIfTI-2 files of per-vertex values, and CIFTI-2 files (a NIfTI-2 container
//! whose XML extension maps the data matrix onto surface vertices; see [`cifti`]).
//! nibabel (`nifti1.py`, `nifti2.py`, `cifti2/`) is the behavioural reference.
//!
//! We do not use the `nifti` crate: surfrender needs NIfTI-2 and the CIFTI-2 extension,
//! FreeSurfer's two shape conventions (below), and reads from a buffer that `read_file` has
//! already bounded (gunzipped only as far as [`implied_len`] says). A header is 348 or 540
//! bytes of fixed fields, so reading it here costs less than adapting a general reader.
//!
//! What is read:
//!
//! * Either byte order: `sizeof_hdr` (348 for NIfTI-1, 540 for NIfTI-2) read little- or
//!   big-endian decides. Only single-file images (`n+1`, `n+2` magic); a `.hdr`/`.img` pair
//!   is refused.
//! * Data types uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64;
//!   others are [`Error::Unsupported`] naming the code. `scl_slope`/`scl_inter` are applied
//!   as nibabel's `get_slope_inter` says: a slope of 0 or non-finite means no scaling; a
//!   valid slope with a non-finite intercept is refused (nibabel raises too). Values are
//!   scaled in f64, then stored as f32.
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
//! * Header claims are checked before anything is allocated: `vox_offset` must lie at or
//!   after the header and within the file, dims must be positive, and vox_offset + values ×
//!   bytes per value (checked arithmetic) must fit in the bytes present, else
//!   [`Error::Truncated`] with both sizes.
//!
//! Details for `inspect`, spelled as nibabel and ../shared/data/truth.json spell them:
//! `format` ("Nifti1Image", "Nifti2Image", "Cifti2Image"), `shape` (nibabel's
//! `img.shape`), `dtype_on_disk` (numpy's `str(dtype)` on a little-endian machine:
//! "float32" for little-endian data, ">f4" for big-endian, "uint8" for bytes).

#[path = "cifti.rs"]
mod cifti;

use std::path::Path;

use super::{check_len, Content, Loaded, Selection};
use crate::error::{hex_prefix, Error, Result};
use crate::overlay::Overlay;

const NIFTI1_SIZE: usize = 348;
const NIFTI2_SIZE: usize = 540;
/// NIfTI intent codes 3000–3099 are CIFTI (3006 dscalar, 3002 dtseries, 3007 dlabel...);
/// nibabel's CIFTI-2 loader takes a NIfTI-2 file with such a code.
const CIFTI_INTENTS: std::ops::Range<i32> = 3000..3100;
/// FreeSurfer's ico7 reshape: 163842 = 27307 · 6.
const ICO7_STORED: [i64; 3] = [27307, 1, 6];
const ICO7_VERTICES: i64 = 163842;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    One,
    Two,
}

/// The header fields the reader uses, widened to NIfTI-2's types.
struct Header {
    version: Version,
    little_endian: bool,
    /// 348 or 540.
    size: usize,
    /// dim\[0\] (1 to 7).
    ndim: usize,
    /// dim\[1..=7\]; only the first `ndim` count.
    dim: [i64; 7],
    datatype: i32,
    intent_code: i32,
    vox_offset: u64,
    scl_slope: f64,
    scl_inter: f64,
    /// NIfTI-1 only (FreeSurfer keeps a vertex count > 32767 there); 0 for NIfTI-2.
    glmin: i64,
}

impl Header {
    /// The dims as stored: dim\[1..=dim\[0\]\].
    fn dims(&self) -> &[i64] {
        self.dim.get(..self.ndim).unwrap_or(&self.dim)
    }
}

/// Fixed-offset reads from a header whose length has been checked.
struct Fields<'a> {
    bytes: &'a [u8],
    little_endian: bool,
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
    fn i32(&self, at: usize) -> i32 {
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
fn header(path: &Path, bytes: &[u8]) -> Result<Header> {
    check_len(path, bytes, 4, "NIfTI header")?;
    let word = Fields {
        bytes,
        little_endian: true,
    }
    .raw::<4>(0);
    let (le, be) = (i32::from_le_bytes(word), i32::from_be_bytes(word));
    let (version, little_endian) = match (le, be) {
        (348, _) => (Version::One, true),
        (_, 348) => (Version::One, false),
        (540, _) => (Version::Two, true),
        (_, 540) => (Version::Two, false),
        _ => {
            return Err(Error::invalid(
                path,
                format!(
                    "not a NIfTI file: sizeof_hdr is {le} (little-endian) / {be} (big-endian), \
                     expected 348 (NIfTI-1) or 540 (NIfTI-2); first bytes {}",
                    hex_prefix(bytes)
                ),
            ))
        }
    };
    let f = Fields {
        bytes,
        little_endian,
    };
    let (size, what) = match version {
        Version::One => (NIFTI1_SIZE, "NIfTI-1 header"),
        Version::Two => (NIFTI2_SIZE, "NIfTI-2 header"),
    };
    check_len(path, bytes, size as u64, what)?;
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
    let mut dim = [0i64; 7];
    let (ndim, datatype, intent_code, vox_offset, scl_slope, scl_inter, glmin) = match version {
        Version::One => {
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
            (
                i64::from(f.i16(40)),
                i32::from(f.i16(70)),
                i32::from(f.i16(68)),
                // nibabel's int(vox_offset): truncation; finite and >= 0 checked above.
                vox as u64,
                f64::from(f.f32(112)),
                f64::from(f.f32(116)),
                i64::from(f.i32(144)),
            )
        }
        Version::Two => {
            for (k, d) in dim.iter_mut().enumerate() {
                *d = f.i64(24 + 8 * k);
            }
            let vox = f.i64(168);
            let vox = u64::try_from(vox).map_err(|_| {
                Error::invalid(path, format!("vox_offset is {vox}, not a byte offset"))
            })?;
            (
                f.i64(16),
                i32::from(f.i16(12)),
                f.i32(504),
                vox,
                f.f64(176),
                f.f64(184),
                0,
            )
        }
    };
    if !(1..=7).contains(&ndim) {
        return Err(Error::invalid(
            path,
            format!("dim[0] (the number of dimensions) is {ndim}, expected 1 to 7"),
        ));
    }
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
        dim,
        datatype,
        intent_code,
        vox_offset,
        scl_slope,
        scl_inter,
        glmin,
    })
}

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
struct DType {
    ty: Type,
    /// Bytes per value.
    size: u64,
}

impl DType {
    fn from_code(path: &Path, code: i32) -> Result<DType> {
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

    /// numpy's `str(dtype)` on a little-endian machine, as truth.json records it.
    fn numpy_name(self, little_endian: bool) -> &'static str {
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

/// How the data are to be read.
enum Kind {
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
struct Plan {
    header: Header,
    dtype: DType,
    kind: Kind,
    /// vox_offset + bytes of data; `None` if that overflows u64.
    end: Option<u64>,
}

/// Everything that can be decided from the fixed header alone.
fn plan(path: &Path, bytes: &[u8]) -> Result<Plan> {
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
    let cifti = header.version == Version::Two && CIFTI_INTENTS.contains(&header.intent_code);
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
        positive(&shape)?;
        let ones = |from: usize, to: usize| {
            shape
                .get(from..to.min(shape.len()))
                .is_none_or(|d| d.iter().all(|&x| x == 1))
        };
        if !(ones(1, 3) && ones(4, 7)) {
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

/// The image data with their type, byte order and scaling; `get` gives nibabel's
/// `get_fdata()` value as f32.
struct Values<'a> {
    data: &'a [u8],
    ty: Type,
    size: usize,
    little_endian: bool,
    /// (slope, intercept) when the header asks for scaling.
    scale: Option<(f64, f64)>,
}

impl<'a> Values<'a> {
    fn new(path: &Path, h: &Header, dtype: DType, data: &'a [u8]) -> Result<Values<'a>> {
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
        Ok(Values {
            data,
            ty: dtype.ty,
            size: to_usize(dtype.size),
            little_endian: h.little_endian,
            scale,
        })
    }

    /// Number of values.
    fn len(&self) -> usize {
        self.data.len() / self.size.max(1)
    }

    /// Value `i` (in file order); NaN past the end, which callers never ask for.
    fn get(&self, i: usize) -> f32 {
        let at = i.saturating_mul(self.size);
        match self.data.get(at..at.saturating_add(self.size)) {
            Some(b) => self.convert(b),
            None => f32::NAN,
        }
    }

    /// All values, in file order.
    fn all(&self) -> Vec<f32> {
        self.data
            .chunks_exact(self.size.max(1))
            .map(|b| self.convert(b))
            .collect()
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

fn join(d: &[i64], sep: &str) -> String {
    d.iter().map(i64::to_string).collect::<Vec<_>>().join(sep)
}

/// A count already checked against the bytes in memory (or a header field checked to be
/// small), so it fits in usize.
fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
