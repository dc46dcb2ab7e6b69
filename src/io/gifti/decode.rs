//! From a DataArray's `<Data>` text (or its external file) to typed values, in row-major
//! order. Every size the Dims imply is checked, with overflow-proof arithmetic, against the
//! bytes actually decoded before any typed vector is allocated.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Component, Path};

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use super::xml::{ArrayDesc, DataType, Encoding, Endian};
use crate::error::{Error, Result};
use crate::io::gzip::MAX_DEFLATE_RATIO;
use crate::io::input::not_regular;
use crate::io::MAX_DECOMPRESSED;

/// Padding optional and stray bits after the last symbol ignored, as Python's `b64decode`
/// (nibabel) accepts them; anything that is not base64 or whitespace is an error.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A DataArray's values in their on-disk type.
#[derive(Debug, Clone)]
pub(super) enum Values {
    F32(Vec<f32>),
    I32(Vec<i32>),
    U8(Vec<u8>),
    F64(Vec<f64>),
}

impl Values {
    /// Values as f32, as rendering uses them (float64 and large int32 round); float32
    /// values are handed over, not copied.
    pub(super) fn into_f32(self) -> Vec<f32> {
        match self {
            Values::F32(v) => v,
            Values::I32(v) => v.iter().map(|&x| x as f32).collect(),
            Values::U8(v) => v.iter().map(|&x| f32::from(x)).collect(),
            Values::F64(v) => v.iter().map(|&x| x as f32).collect(),
        }
    }

    /// Number of values.
    pub(super) fn len(&self) -> usize {
        match self {
            Values::F32(v) => v.len(),
            Values::I32(v) => v.len(),
            Values::U8(v) => v.len(),
            Values::F64(v) => v.len(),
        }
    }

    /// Value `i` exactly as an integer, or `None` for a float type (or past the end).
    pub(super) fn int_at(&self, i: usize) -> Option<i64> {
        match self {
            Values::I32(v) => v.get(i).map(|&x| i64::from(x)),
            Values::U8(v) => v.get(i).map(|&x| i64::from(x)),
            Values::F32(_) | Values::F64(_) => None,
        }
    }

    /// Value `i` as f64 (NaN past the end).
    pub(super) fn f64_at(&self, i: usize) -> f64 {
        match self {
            Values::F32(v) => v.get(i).map_or(f64::NAN, |&x| f64::from(x)),
            Values::I32(v) => v.get(i).map_or(f64::NAN, |&x| f64::from(x)),
            Values::U8(v) => v.get(i).map_or(f64::NAN, |&x| f64::from(x)),
            Values::F64(v) => v.get(i).copied().unwrap_or(f64::NAN),
        }
    }
}

/// The error for DataArray `desc.index` of `path`.
fn bad(path: &Path, desc: &ArrayDesc, msg: impl std::fmt::Display) -> Error {
    Error::invalid(path, format!("DataArray {}: {msg}", desc.index))
}

/// Decodes one DataArray; `text` is its `<Data>` content.
pub(super) fn decode(path: &Path, desc: &ArrayDesc, text: &str) -> Result<Values> {
    let count = desc
        .dims
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(d))
        .ok_or_else(|| bad(path, desc, format!("Dims {:?} overflow", desc.dims)))?;
    let values = match desc.encoding {
        Encoding::Ascii => ascii(path, desc, text, count)?,
        encoding => {
            let expected = count.checked_mul(desc.dtype.size()).ok_or_else(|| {
                bad(
                    path,
                    desc,
                    format!(
                        "Dims {:?} overflow at {} bytes each",
                        desc.dims,
                        desc.dtype.size()
                    ),
                )
            })?;
            let raw = match encoding {
                Encoding::Base64 => base64(path, desc, text)?,
                Encoding::GzipBase64 => inflate(path, desc, &base64(path, desc, text)?, expected)?,
                _ => external(path, desc, expected)?,
            };
            if raw.len() as u64 != expected {
                return Err(bad(
                    path,
                    desc,
                    format!(
                        "Dims {:?} of {} need {expected} bytes, but the {} data hold {}",
                        desc.dims,
                        desc.dtype.name(),
                        encoding.name(),
                        raw.len()
                    ),
                ));
            }
            from_bytes(&raw, desc.dtype, desc.endian)
        }
    };
    Ok(if desc.column_major && desc.dims.len() > 1 {
        to_row_major(values, &desc.dims)
    } else {
        values
    })
}

/// Whitespace-separated numbers. The vector grows with the text, never to the count the
/// Dims claim, so a huge Dims costs nothing before the mismatch is reported.
fn ascii(path: &Path, desc: &ArrayDesc, text: &str, count: u64) -> Result<Values> {
    fn parse_all<T>(
        path: &Path,
        desc: &ArrayDesc,
        text: &str,
        count: u64,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>> {
        let mut tokens = text.split_ascii_whitespace();
        let mut out = Vec::new();
        for (j, tok) in tokens.by_ref().enumerate() {
            if j as u64 == count {
                let total = count + 1 + tokens.count() as u64;
                return Err(too_many_or_few(path, desc, count, total));
            }
            let v = parse(tok).ok_or_else(|| {
                let shown: String = tok.chars().take(24).collect();
                bad(
                    path,
                    desc,
                    format!("ASCII value {j} ({shown:?}) is not a {}", desc.dtype.name()),
                )
            })?;
            out.push(v);
        }
        if out.len() as u64 != count {
            return Err(too_many_or_few(path, desc, count, out.len() as u64));
        }
        Ok(out)
    }
    // Through f64 like numpy's loadtxt, so values round as nibabel's do.
    Ok(match desc.dtype {
        DataType::F32 => Values::F32(parse_all(path, desc, text, count, |s| {
            s.parse::<f64>().ok().map(|v| v as f32)
        })?),
        DataType::F64 => Values::F64(parse_all(path, desc, text, count, |s| s.parse().ok())?),
        DataType::I32 => Values::I32(parse_all(path, desc, text, count, |s| s.parse().ok())?),
        DataType::U8 => Values::U8(parse_all(path, desc, text, count, |s| s.parse().ok())?),
    })
}

fn too_many_or_few(path: &Path, desc: &ArrayDesc, count: u64, found: u64) -> Error {
    bad(
        path,
        desc,
        format!(
            "Dims {:?} need {count} values, but the ASCII data hold {found}",
            desc.dims
        ),
    )
}

/// Decodes base64 text, whitespace (line breaks, indentation) ignored. The text is
/// decoded a few thousand symbols at a time, so no whitespace-free copy of it is made; a
/// run that holds padding is decoded with everything after it, as one final run, so that
/// misplaced padding is refused as it would be in one piece.
fn base64(path: &Path, desc: &ArrayDesc, text: &str) -> Result<Vec<u8>> {
    const RUN: usize = 4096; // symbols, a multiple of 4
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let mut symbols = text.bytes().filter(|b| !b.is_ascii_whitespace());
    let mut run = Vec::with_capacity(RUN);
    let mut done = 0usize; // symbols decoded before `run`
    loop {
        run.clear();
        run.extend(symbols.by_ref().take(RUN));
        let last = run.len() < RUN || run.contains(&b'=');
        if last {
            run.extend(symbols.by_ref());
        }
        BASE64
            .decode_vec(&run, &mut out)
            .map_err(|e| base64_error(path, desc, e, done))?;
        if last {
            return Ok(out);
        }
        done += run.len();
    }
}

/// A base64 error at symbol `done` + the position the decoder gives.
fn base64_error(path: &Path, desc: &ArrayDesc, e: base64::DecodeError, done: usize) -> Error {
    use base64::DecodeError as D;
    let what = match e {
        D::InvalidByte(at, b) | D::InvalidLastSymbol(at, b) => format!(
            "character {:?} at position {} (whitespace not counted)",
            char::from(b),
            done + at
        ),
        D::InvalidLength(n) => format!("{} symbols, which no byte count encodes to", done + n),
        D::InvalidPadding => "misplaced '=' padding".to_string(),
    };
    bad(
        path,
        desc,
        format!("bad base64 in {} data: {what}", desc.encoding.name()),
    )
}

/// Inflates a zlib stream (GIfTI's "GZip" is zlib, as gifticlib writes and nibabel reads
/// it), stopping one byte past `expected` so that excess is detected without inflating it.
fn inflate(path: &Path, desc: &ArrayDesc, compressed: &[u8], expected: u64) -> Result<Vec<u8>> {
    let most = (compressed.len() as u64)
        .saturating_mul(MAX_DEFLATE_RATIO)
        .saturating_add(64)
        .min(MAX_DECOMPRESSED);
    if expected > most {
        return Err(bad(
            path,
            desc,
            format!(
                "Dims {:?} of {} need {expected} bytes, more than {} compressed bytes can hold \
                 (at most {most})",
                desc.dims,
                desc.dtype.name(),
                compressed.len()
            ),
        ));
    }
    let limit = expected.saturating_add(1);
    let mut out = Vec::with_capacity(usize::try_from(limit.min(16 << 20)).unwrap_or(0));
    flate2::read::ZlibDecoder::new(compressed)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| {
            bad(
                path,
                desc,
                format!("corrupt GZipBase64Binary data (zlib): {e}"),
            )
        })?;
    if out.len() as u64 > expected {
        return Err(bad(
            path,
            desc,
            format!(
                "GZipBase64Binary data inflate to more than the {expected} bytes that Dims {:?} \
                 of {} need (stopped there)",
                desc.dims,
                desc.dtype.name()
            ),
        ));
    }
    Ok(out)
}

/// Reads ExternalFileBinary data: `expected` bytes from ExternalFileOffset in the file
/// named, which must lie in the GIfTI file's folder or below it. The name is checked, not
/// the resolved path, so symbolic links in the data folder (git-annex, DataLad) still work;
/// what a file may name is confined, which is what protects a user opening a stranger's file.
fn external(path: &Path, desc: &ArrayDesc, expected: u64) -> Result<Vec<u8>> {
    let Some((name, offset)) = desc.external.as_ref() else {
        return Err(bad(
            path,
            desc,
            "ExternalFileBinary without an ExternalFileName",
        ));
    };
    let rel = Path::new(name);
    for c in rel.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(bad(
                    path,
                    desc,
                    format!(
                        "ExternalFileName {name:?} contains '..'; external data must lie in \
                         the GIfTI file's folder or below it"
                    ),
                ))
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(bad(
                    path,
                    desc,
                    format!(
                        "ExternalFileName {name:?} is an absolute path; external data must be \
                         named relative to the GIfTI file's folder"
                    ),
                ))
            }
        }
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let full = dir.join(rel);
    let io_err = |e: std::io::Error| {
        bad(
            path,
            desc,
            format!("cannot read external data file {}: {e}", full.display()),
        )
    };
    // The type is checked before opening: opening a FIFO would wait for a writer.
    let regular = |meta: &std::fs::Metadata| match not_regular(meta) {
        None => Ok(()),
        Some(kind) => Err(bad(
            path,
            desc,
            format!(
                "external data file {} is {kind}, not a regular file",
                full.display()
            ),
        )),
    };
    regular(&std::fs::metadata(&full).map_err(io_err)?)?;
    let mut file = std::fs::File::open(&full).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    regular(&meta)?;
    let len = meta.len();
    let end = offset.checked_add(expected).filter(|&end| end <= len);
    if end.is_none() {
        return Err(bad(
            path,
            desc,
            format!(
                "external data file {} holds {len} bytes, but ExternalFileOffset {offset} plus \
                 the {expected} bytes Dims {:?} of {} need goes past its end",
                full.display(),
                desc.dims,
                desc.dtype.name()
            ),
        ));
    }
    file.seek(SeekFrom::Start(*offset)).map_err(io_err)?;
    let mut out = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(expected).read_to_end(&mut out).map_err(io_err)?;
    Ok(out)
}

/// Converts raw bytes whose length is a multiple of the type size.
fn from_bytes(raw: &[u8], dtype: DataType, endian: Endian) -> Values {
    let big = endian == Endian::Big;
    match dtype {
        DataType::U8 => Values::U8(raw.to_vec()),
        DataType::F32 => Values::F32(
            raw.chunks_exact(4)
                .map(|c| {
                    let w = bytes::<4>(c);
                    if big {
                        f32::from_be_bytes(w)
                    } else {
                        f32::from_le_bytes(w)
                    }
                })
                .collect(),
        ),
        DataType::I32 => Values::I32(
            raw.chunks_exact(4)
                .map(|c| {
                    let w = bytes::<4>(c);
                    if big {
                        i32::from_be_bytes(w)
                    } else {
                        i32::from_le_bytes(w)
                    }
                })
                .collect(),
        ),
        DataType::F64 => Values::F64(
            raw.chunks_exact(8)
                .map(|c| {
                    let w = bytes::<8>(c);
                    if big {
                        f64::from_be_bytes(w)
                    } else {
                        f64::from_le_bytes(w)
                    }
                })
                .collect(),
        ),
    }
}

/// A chunk as an array; callers pass exact chunks, so the zero fallback is unreachable and
/// only keeps the code free of panicking paths.
fn bytes<const N: usize>(c: &[u8]) -> [u8; N] {
    <[u8; N]>::try_from(c).unwrap_or([0; N])
}

/// Reorders column-major (Fortran order, first index fastest) values into row-major, as
/// nibabel's `reshape(dims, order='F')` presents them: a ColumnMajorOrder (N, 3) array
/// stores all x, then all y, then all z. The caller has checked that the Dims product is
/// the value count.
fn to_row_major(values: Values, dims: &[u64]) -> Values {
    fn reorder<T: Copy>(v: Vec<T>, dims: &[u64]) -> Vec<T> {
        let dims: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
        // Stride of each index in the column-major layout.
        let mut strides = Vec::with_capacity(dims.len());
        let mut s = 1usize;
        for &d in &dims {
            strides.push(s);
            s = s.saturating_mul(d);
        }
        let mut idx = vec![0usize; dims.len()];
        let mut out = Vec::with_capacity(v.len());
        for _ in 0..v.len() {
            let at: usize = idx.iter().zip(&strides).map(|(i, s)| i * s).sum();
            if let Some(&x) = v.get(at) {
                out.push(x);
            }
            // Advance the row-major index: last index fastest.
            for (i, &d) in idx.iter_mut().zip(&dims).rev() {
                *i += 1;
                if *i < d {
                    break;
                }
                *i = 0;
            }
        }
        out
    }
    match values {
        Values::F32(v) => Values::F32(reorder(v, dims)),
        Values::I32(v) => Values::I32(reorder(v, dims)),
        Values::U8(v) => Values::U8(reorder(v, dims)),
        Values::F64(v) => Values::F64(reorder(v, dims)),
    }
}
