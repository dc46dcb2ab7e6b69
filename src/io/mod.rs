//! Readers: bytes on disk → [`Mesh`] and [`Overlay`]. Format is decided by magic bytes
//! first and the file name second, because pipelines rename files freely.
//!
//! Every length a header announces is checked against the bytes actually present before
//! anything is allocated, so a corrupt or hostile header costs an error message, not memory.

mod freesurfer;
mod mgh;

use std::io::Read;
use std::path::Path;

use crate::error::{hex_prefix, Error, Result};
use crate::mesh::Mesh;
use crate::overlay::Overlay;

/// FreeSurfer triangle surface magic (3 bytes, big-endian 0xFFFFFE).
pub(crate) const TRIANGLE_MAGIC: [u8; 3] = [0xff, 0xff, 0xfe];
/// FreeSurfer "new" curv magic; the same value marks an old quad surface.
pub(crate) const CURV_MAGIC: [u8; 3] = [0xff, 0xff, 0xff];
/// FreeSurfer "new" quad surface magic.
pub(crate) const NEW_QUAD_MAGIC: [u8; 3] = [0xff, 0xff, 0xfd];
/// An MGH file opens with its version, which has only ever been 1.
const MGH_VERSION_1: [u8; 4] = [0, 0, 0, 1];
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// File formats the readers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    FreeSurferSurface,
    FreeSurferCurv,
    Mgh,
}

/// Reads a surface mesh (FreeSurfer triangle format, optionally gzipped).
pub fn read_surface(path: &Path) -> Result<Mesh> {
    let bytes = read_file(path)?;
    freesurfer::parse_surface(path, &bytes)
}

/// Reads per-vertex data: FreeSurfer curv ("new" format), MGH or MGZ. All frames are kept.
pub fn read_overlay(path: &Path) -> Result<Overlay> {
    let bytes = read_file(path)?;
    match sniff(path, &bytes) {
        Some(Format::FreeSurferCurv) => freesurfer::parse_curv(path, &bytes),
        Some(Format::Mgh) => mgh::parse(path, &bytes),
        // Passing the mesh where the data belong is an easy slip on a command line; say so.
        Some(Format::FreeSurferSurface) if bytes.starts_with(&TRIANGLE_MAGIC) => {
            Err(Error::invalid(
                path,
                "this is a FreeSurfer triangle surface, not per-vertex data \
                 (give it as the surface, and a curv/MGH file as the overlay)",
            ))
        }
        _ => Err(Error::UnknownFormat {
            path: path.to_path_buf(),
            expected: "FreeSurfer curv (ff ff ff), MGH (00 00 00 01) or MGZ (gzipped MGH)",
            found: hex_prefix(&bytes),
        }),
    }
}

/// Guesses the format of `bytes` (already gunzipped, as [`read_file`] returns them).
/// Magic bytes win; the name only decides when the content is not recognised, so that
/// the matching reader can then explain what is wrong with the file.
pub fn sniff(path: &Path, bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&TRIANGLE_MAGIC) {
        return Some(Format::FreeSurferSurface);
    }
    if bytes.starts_with(&CURV_MAGIC) {
        return Some(Format::FreeSurferCurv);
    }
    if bytes.starts_with(&MGH_VERSION_1) {
        return Some(Format::Mgh);
    }
    sniff_name(path)
}

/// FreeSurfer names its files `lh.thickness`, `lh.sphere.reg`, `lh.area.pial` and so on,
/// with no extension, so the last name component is the measure or surface name (a
/// measure followed by `pial` is that measure on the pial surface). Only the last one is
/// looked at so that e.g. `lh.sulc.nii.gz` is not mistaken for a curv file.
fn sniff_name(path: &Path) -> Option<Format> {
    const CURV: &[&str] = &[
        "curv",
        "sulc",
        "thickness",
        "area",
        "volume",
        "jacobian_white",
    ];
    // Curvature measures that are never followed by a surface name (`lh.inflated.H`).
    const CURV_ALSO: &[&str] = &["avg_curv", "h", "k"];
    const SURF: &[&str] = &[
        "pial", "white", "inflated", "sphere", "orig", "smoothwm", "reg",
    ];
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if [".mgh", ".mgz", ".mgh.gz"]
        .iter()
        .any(|e| name.ends_with(e))
    {
        return Some(Format::Mgh);
    }
    let mut parts = name.rsplit('.');
    let last = parts.next()?;
    let before = parts.next().unwrap_or("");
    let measure_on_surface = SURF.contains(&last) && CURV.contains(&before);
    if CURV.contains(&last) || CURV_ALSO.contains(&last) || measure_on_surface {
        Some(Format::FreeSurferCurv)
    } else if SURF.contains(&last) {
        Some(Format::FreeSurferSurface)
    } else {
        None
    }
}

/// Reads a whole file, gunzipping it when its content is gzip: MGZ files and gzipped
/// surfaces circulate under every possible name, so the extension is not trusted.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(raw);
    }
    // Multi-member streams are legal gzip (e.g. `cat a.gz b.gz`); flate2 verifies the
    // CRC and length of each member and reports a stream cut short as an error.
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(raw.as_slice())
        .read_to_end(&mut out)
        .map_err(|source| Error::Gzip {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(out)
}

/// Bounds-checked big-endian reading over a file's bytes; running off the end is a
/// [`Error::Truncated`] naming the total size the file would need.
pub(crate) struct Cursor<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(path: &'a Path, bytes: &'a [u8]) -> Self {
        Cursor {
            path,
            bytes,
            pos: 0,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The error for needing `needed` bytes from the current position (u64 so that
    /// absurd header values are reported rather than overflowing).
    pub(crate) fn truncated(&self, what: &'static str, needed: u64) -> Error {
        Error::Truncated {
            path: self.path.to_path_buf(),
            what,
            expected: (self.pos as u64).saturating_add(needed),
            found: self.bytes.len() as u64,
        }
    }

    /// The next `n` bytes, or `Truncated` when fewer remain.
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let bytes = self.bytes;
        let out = self
            .pos
            .checked_add(n)
            .and_then(|end| bytes.get(self.pos..end))
            .ok_or_else(|| self.truncated(what, n as u64))?;
        self.pos += n;
        Ok(out)
    }

    /// Takes `count * size` bytes, refusing before any allocation when the product
    /// overflows or exceeds what the file holds.
    pub(crate) fn take_items(
        &mut self,
        count: u64,
        size: u64,
        what: &'static str,
    ) -> Result<&'a [u8]> {
        let needed = count
            .checked_mul(size)
            .ok_or_else(|| self.truncated(what, u64::MAX))?;
        let n = usize::try_from(needed).map_err(|_| self.truncated(what, needed))?;
        self.take(n, what)
    }

    pub(crate) fn skip_to(&mut self, pos: usize, what: &'static str) -> Result<()> {
        let n = pos.saturating_sub(self.pos);
        self.take(n, what).map(|_| ())
    }

    /// Bytes up to and including the next `\n`, or `None` (cursor unmoved) if there is none.
    pub(crate) fn line(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.pos..)?;
        let len = rest.iter().position(|&b| b == b'\n')? + 1;
        let line = rest.get(..len)?;
        self.pos += len;
        Some(line)
    }

    /// The next byte without consuming it.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn i32_be(&mut self, what: &'static str) -> Result<i32> {
        let b = self.take(4, what)?;
        Ok(i32::from_be_bytes(word(b)))
    }
}

/// Four bytes as an array; callers pass exact 4-byte chunks, so the zero fallback is
/// unreachable and only keeps the code free of panicking paths.
pub(crate) fn word(b: &[u8]) -> [u8; 4] {
    <[u8; 4]>::try_from(b).unwrap_or_default()
}

/// Big-endian float32 values of a byte run whose length is a multiple of 4.
pub(crate) fn be_f32s(data: &[u8]) -> impl Iterator<Item = f32> + '_ {
    data.chunks_exact(4).map(|c| f32::from_be_bytes(word(c)))
}

/// Big-endian int32 values of a byte run whose length is a multiple of 4.
pub(crate) fn be_i32s(data: &[u8]) -> impl Iterator<Item = i32> + '_ {
    data.chunks_exact(4).map(|c| i32::from_be_bytes(word(c)))
}
