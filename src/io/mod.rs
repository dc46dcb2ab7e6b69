//! Readers: bytes on disk → [`Mesh`] and [`Overlay`]. Format is decided by magic bytes
//! first and the file name second, because pipelines rename files freely.
//!
//! Every length a header announces is checked against the bytes actually present before
//! anything is allocated, so a corrupt or hostile header costs an error message, not memory.
//! Gzipped input is decompressed only as far as its header says the reader will look (see
//! `read_file`), so a small file that inflates to gigabytes costs neither.

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

/// The most decompressed data `read_file` will hold for one gzipped file: 2 GiB, more
/// than any surface or per-vertex data there is reason to render (an HCP dense time
/// series, 91282 grayordinates x 1200 float32 frames, is about 438 MB). A header that
/// implies more is refused before decompressing further; otherwise decompression stops at
/// the implied length or, with no header to tell, at a 64 KiB prefix, so no stream can
/// make it hold more.
pub const MAX_DECOMPRESSED: u64 = 2 << 30;
/// How much of a gzip stream is decompressed to recognise content whose header does not
/// (yet) tell how long it is: unknown formats, invalid headers. Every header we read is
/// far shorter, and the reader then explains the problem from these bytes.
const SNIFF_PREFIX: u64 = 64 << 10;
/// How far past the bytes a header implies decompression goes on, so that an ordinary file
/// (whose trailing MGH tags or surface volume info are a few hundred bytes) is read to the
/// end of its gzip member and so has its CRC checked; a gzip bomb's tail is never reached.
const TAIL_SLACK: u64 = 64 << 10;
/// Size of each read from the gzip decoder.
const CHUNK: usize = 64 << 10;

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

/// Guesses the format of `bytes` (already gunzipped, as `read_file` returns them).
/// Magic bytes win; the name only decides when the content is not recognised, so that
/// the matching reader can then explain what is wrong with the file.
pub fn sniff(path: &Path, bytes: &[u8]) -> Option<Format> {
    sniff_content(bytes).or_else(|| sniff_name(path))
}

/// The format the first bytes announce, if any.
fn sniff_content(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&TRIANGLE_MAGIC) {
        Some(Format::FreeSurferSurface)
    } else if bytes.starts_with(&CURV_MAGIC) {
        Some(Format::FreeSurferCurv)
    } else if bytes.starts_with(&MGH_VERSION_1) {
        Some(Format::Mgh)
    } else {
        None
    }
}

/// How many bytes from the start the reader for `prefix`'s content will use, as its header
/// tells (`u64::MAX` if the header's sizes overflow): `None` until `prefix` holds a whole,
/// valid header, and for content of no known format. The readers check their input against
/// the same numbers.
fn implied_len(path: &Path, prefix: &[u8]) -> Option<u64> {
    match sniff_content(prefix)? {
        Format::FreeSurferSurface => freesurfer::surface_implied_len(path, prefix),
        Format::FreeSurferCurv => freesurfer::curv_implied_len(path, prefix),
        Format::Mgh => mgh::implied_len(path, prefix),
    }
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

/// Reads a file, gunzipping it when its content is gzip: MGZ files and gzipped surfaces
/// circulate under every possible name, so the extension is not trusted.
///
/// A plain file is read whole (its length is known, and the readers check headers against
/// it). A gzip stream is decompressed in chunks, and only as far as needed: once the bytes
/// decompressed so far hold a header, up to the length it implies (plus [`TAIL_SLACK`]);
/// while they hold none, up to [`SNIFF_PREFIX`]. A header implying more than
/// [`MAX_DECOMPRESSED`] is refused at once. Short data are left to the readers, which report
/// them as truncated.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(raw);
    }
    gunzip(path, &raw)
}

/// Decompresses the gzip stream `raw` (from `path`) as far as [`read_file`] describes.
///
/// Multi-member streams are legal gzip (e.g. `cat a.gz b.gz`), so after a member ends,
/// bytes that start with the gzip magic are decoded as the next member. Anything else after
/// a complete member is trailing garbage and ignored, as `gzip -d` does. flate2 checks the
/// CRC and length of each member it reads to the end.
fn gunzip(path: &Path, raw: &[u8]) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; CHUNK];
    // What the header implies, once known.
    let mut needed: Option<u64> = None;
    let mut rest = raw;
    loop {
        let mut member = flate2::bufread::GzDecoder::new(&mut rest);
        loop {
            let stop = match needed {
                Some(n) => n.saturating_add(TAIL_SLACK).min(MAX_DECOMPRESSED),
                None => SNIFF_PREFIX,
            };
            let room = stop.saturating_sub(out.len() as u64);
            if room == 0 {
                return Ok(out);
            }
            let want = usize::try_from(room).map_or(CHUNK, |r| r.min(CHUNK));
            let got = member
                .read(&mut chunk[..want])
                .map_err(|e| gzip_error(path, e))?;
            if got == 0 {
                break; // end of this member, CRC checked
            }
            // Grow by doubling, but never past `stop`: no over-allocation near the end.
            if out.capacity() - out.len() < got {
                let left = usize::try_from(room).unwrap_or(usize::MAX);
                out.reserve_exact(out.len().max(got).min(left));
            }
            out.extend_from_slice(&chunk[..got]);
            if needed.is_none() {
                needed = implied_len(path, &out);
                if let Some(n) = needed.filter(|&n| n > MAX_DECOMPRESSED) {
                    return Err(too_large(path, n));
                }
            }
        }
        drop(member);
        if needed.is_some_and(|n| out.len() as u64 >= n) || !rest.starts_with(&GZIP_MAGIC) {
            return Ok(out);
        }
    }
}

/// A header that claims more than [`MAX_DECOMPRESSED`] bytes.
fn too_large(path: &Path, implied: u64) -> Error {
    Error::invalid(
        path,
        format!(
            "the header implies {implied} bytes of decompressed data, which exceed 2 GiB; \
             not a surface or per-vertex file surfrender can render"
        ),
    )
}

/// A decoding error, saying so plainly when the stream was cut short.
fn gzip_error(path: &Path, e: std::io::Error) -> Error {
    let source = if e.kind() == std::io::ErrorKind::UnexpectedEof {
        std::io::Error::new(
            e.kind(),
            format!("{e} (the stream ends early: the file is truncated)"),
        )
    } else {
        e
    };
    Error::Gzip {
        path: path.to_path_buf(),
        source,
    }
}

/// Refuses a file shorter than the `end` bytes its header implies, naming both sizes.
pub(crate) fn check_len(path: &Path, bytes: &[u8], end: u64, what: &'static str) -> Result<()> {
    let found = bytes.len() as u64;
    if end > found {
        return Err(Error::Truncated {
            path: path.to_path_buf(),
            what,
            expected: end,
            found,
        });
    }
    Ok(())
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
