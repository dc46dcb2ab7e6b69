//! Bounds-checked reading of binary headers and arrays.

use std::path::Path;

use crate::error::{Error, Result};

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

/// Big-endian int32 values of a byte run whose length is a multiple of 4.
pub(crate) fn be_i32s(data: &[u8]) -> impl Iterator<Item = i32> + '_ {
    data.chunks_exact(4).map(|c| i32::from_be_bytes(word(c)))
}
