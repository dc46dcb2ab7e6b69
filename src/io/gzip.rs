//! gzip streams, decompressed as they are read, member after member, so that a reader
//! takes only what its header says it needs and nothing is inflated ahead of it.

use std::fs::File;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use super::GZIP_MAGIC;
use crate::error::{Error, Result};

/// The most decompressed data one gzipped file may hold for surfrender: 2 GiB, more than
/// any surface or per-vertex data there is reason to render (an HCP dense time series,
/// 91282 grayordinates x 1200 float32 frames, is about 438 MB). A header that implies more
/// is refused before anything is decompressed; the memory budget
/// ([`super::Limits::max_memory`], 1 GiB by default) usually refuses such a file first.
pub const MAX_DECOMPRESSED: u64 = 2 << 30;
/// The most gzip members (streams concatenated in one file) read: each costs a fresh
/// decompressor, so a million empty members took seconds. bgzip, the one writer that
/// makes many members, makes one per 64 KiB of data, 32768 for the 2 GiB of
/// [`MAX_DECOMPRESSED`]; twice that is allowed.
pub const MAX_GZIP_MEMBERS: u64 = 1 << 16;
/// Deflate cannot compress better than about 1032:1 (a 258-byte match in two bits), so a
/// header implying more data than that ratio allows from the file's size is wrong, and is
/// refused before inflating anything.
pub(crate) const MAX_DEFLATE_RATIO: u64 = 1032;
/// Size of the buffer over the compressed file.
const BUF: usize = 64 << 10;

/// A file read through a buffer that can always show its next two bytes, so that a gzip
/// member's magic number can be looked for after the previous member ends.
pub(crate) struct Buffered {
    file: File,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl Buffered {
    pub(crate) fn new(file: File) -> Buffered {
        Buffered {
            file,
            buf: vec![0; BUF].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    /// The next two bytes (fewer only at the end of the file), without consuming them.
    pub(crate) fn peek2(&mut self) -> std::io::Result<&[u8]> {
        if self.end - self.start < 2 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            while self.end < 2 {
                let n = self.file.read(&mut self.buf[self.end..])?;
                if n == 0 {
                    break;
                }
                self.end += n;
            }
        }
        Ok(&self.buf[self.start..self.end])
    }
}

impl Buffered {
    /// Skips `n` bytes: those buffered, then the rest by seeking, so that a plain file's
    /// frames that are not wanted are not read from disk at all. The caller keeps `n`
    /// within the file.
    pub(crate) fn skip(&mut self, n: u64) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let buffered = (self.end - self.start) as u64;
        let from_buf = n.min(buffered);
        self.consume(from_buf as usize);
        let rest = n - from_buf;
        if rest > 0 {
            let rest = i64::try_from(rest)
                .map_err(|_| std::io::Error::other("a skip beyond 2^63 bytes"))?;
            self.file.seek(SeekFrom::Current(rest))?;
        }
        Ok(())
    }
}

impl Read for Buffered {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.start == self.end && out.len() >= self.buf.len() {
            return self.file.read(out); // large reads bypass the buffer
        }
        let n = {
            let mut have = self.fill_buf()?;
            have.read(out)?
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Buffered {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.start == self.end {
            self.start = 0;
            self.end = self.file.read(&mut self.buf)?;
        }
        Ok(&self.buf[self.start..self.end])
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }
}

/// Where a gzip file is: inside a member, between members, or past the last one.
enum State {
    Member(Box<flate2::bufread::GzDecoder<Buffered>>),
    Between(Buffered),
    Done,
}

/// The decompressed content of a gzip file.
///
/// Multi-member streams are legal gzip (e.g. `cat a.gz b.gz`), so after a member ends,
/// bytes that start with the gzip magic are decoded as the next member (at most
/// [`MAX_GZIP_MEMBERS`]). Anything else after a complete member is trailing garbage and
/// ignored, as `gzip -d` does. flate2 checks the CRC and length of each member read to its
/// end.
pub(crate) struct Gunzip {
    path: PathBuf,
    state: State,
    members: u64,
}

impl Gunzip {
    /// A reader of the gzip file whose first bytes `file` shows (the magic checked).
    pub(crate) fn new(path: &Path, file: Buffered) -> Gunzip {
        Gunzip {
            path: path.to_path_buf(),
            state: State::Between(file),
            members: 0,
        }
    }

    /// Decompressed bytes into `out`; 0 at the end of the last member.
    pub(crate) fn read(&mut self, out: &mut [u8]) -> Result<usize> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Member(mut member) => {
                    let got = member.read(out).map_err(|e| gzip_error(&self.path, e))?;
                    if got > 0 || out.is_empty() {
                        self.state = State::Member(member);
                        return Ok(got);
                    }
                    // End of this member, CRC checked.
                    self.state = State::Between(member.into_inner());
                }
                State::Between(mut file) => {
                    let next = file.peek2().map_err(|source| Error::Read {
                        path: self.path.clone(),
                        source,
                    })?;
                    if !next.starts_with(&GZIP_MAGIC) {
                        return Ok(0);
                    }
                    self.members += 1;
                    if self.members > MAX_GZIP_MEMBERS {
                        return Err(Error::Unsupported {
                            path: self.path.clone(),
                            what: "gzip file",
                            found: format!(
                                "more than {MAX_GZIP_MEMBERS} members (gzip streams one after \
                                 another), the most surfrender reads"
                            ),
                        });
                    }
                    let member = flate2::bufread::GzDecoder::new(file);
                    self.state = State::Member(Box::new(member));
                }
                State::Done => return Ok(0),
            }
        }
    }

    /// Decompresses on, up to `slack` bytes, to the end of the current member, so that an
    /// ordinary file (whose trailing MGH tags or surface volume info are a few hundred
    /// bytes) has its CRC checked; a gzip bomb's tail is never reached. No further member
    /// is started.
    pub(crate) fn finish_member(&mut self, slack: u64) -> Result<()> {
        let mut scratch = [0u8; 8192];
        let mut left = slack;
        while left > 0 {
            let State::Member(member) = &mut self.state else {
                return Ok(());
            };
            let want = usize::try_from(left).map_or(scratch.len(), |l| l.min(scratch.len()));
            let got = member
                .read(&mut scratch[..want])
                .map_err(|e| gzip_error(&self.path, e))?;
            if got == 0 {
                return Ok(());
            }
            left -= got as u64;
        }
        Ok(())
    }
}

/// A header that claims more than [`MAX_DECOMPRESSED`] bytes.
pub(crate) fn too_large(path: &Path, implied: u64) -> Error {
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
