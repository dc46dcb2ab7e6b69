//! Reading files whole, and gzip streams only as far as their content needs.

use std::io::Read;
use std::path::Path;

use super::{implied_len, GZIP_MAGIC};
use crate::error::{Error, Result};

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
