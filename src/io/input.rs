//! One input file as its readers see it: its content (gunzipped when it is gzip, whatever
//! its name), read forward and only as far as a reader asks.
//!
//! A reader parses its header from the first bytes ([`Input::header`]), checks what the
//! header announces against the surface it is for, against what the file can hold and
//! against the memory budget, and only then takes the data: streamed through a small
//! buffer straight into the vector it returns ([`Input::region`]), so a gzipped file is
//! never held inflated beside its decoded values. Formats that need their whole content
//! (XML, ASCII, annotations) take it with [`Input::read_to_end`], which stops at a cap.
//!
//! Only regular files are read: a FIFO would block forever and `/dev/zero` never ends, so
//! both are refused from their file type before they are opened.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::gzip::{too_large, Buffered, Gunzip, MAX_DECOMPRESSED, MAX_DEFLATE_RATIO};
use super::{Limits, GZIP_MAGIC};
use crate::error::{Error, Result};

/// Bytes read first, to recognise the format and parse a header: every fixed header is far
/// shorter, and a small file is then read whole.
const HEAD: usize = 64 << 10;
/// The most bytes read while looking for a header that is not complete yet (a FreeSurfer
/// surface's creator line is the only header of no fixed length).
const MAX_HEADER: usize = 1 << 20;
/// The most room taken for a gzip stream's values before they arrive (see [`Input::vec`]).
const FIRST_ROOM: usize = 1 << 20;
/// Size of each read while data are streamed.
const CHUNK: usize = 64 << 10;
/// How far past the data a gzip member is decompressed so that its CRC is checked (see
/// [`Gunzip::finish_member`]).
const TAIL_SLACK: u64 = 64 << 10;

/// Where the content comes from.
enum Source {
    Plain(Buffered),
    Gzip(Box<Gunzip>),
}

/// A run of fixed-size items of the content, for [`Input::region`].
pub(crate) struct Region {
    /// Offset of the first item in the content.
    pub(crate) at: u64,
    /// Number of items.
    pub(crate) count: u64,
    /// Bytes per item on disk (1 to 16).
    pub(crate) size: usize,
    /// Where the header says the data end, for the message when the content is shorter.
    pub(crate) end: u64,
    /// What the data are, for messages ("curv values").
    pub(crate) what: &'static str,
}

/// An open input file (see the module documentation).
pub(crate) struct Input<'p> {
    path: &'p Path,
    /// Content bytes from the start, as far as read into memory.
    head: Vec<u8>,
    source: Source,
    /// Content bytes taken from `source` so far (into `head`, streamed or skipped).
    taken: u64,
    eof: bool,
    /// The size of a plain file: its content's length, known before reading.
    len: Option<u64>,
    /// The size of the file on disk.
    disk: u64,
    /// The memory budget and other limits.
    pub(crate) limits: Limits,
}

impl<'p> Input<'p> {
    /// Opens `path` (a regular file only) and reads its first bytes.
    pub(crate) fn open(path: &'p Path, limits: Limits) -> Result<Input<'p>> {
        let read_error = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        // Checked before opening, as opening a FIFO blocks until a writer comes.
        regular_file(path, &std::fs::metadata(path).map_err(read_error)?)?;
        let file = File::open(path).map_err(read_error)?;
        let meta = file.metadata().map_err(read_error)?;
        regular_file(path, &meta)?;
        let mut file = Buffered::new(file);
        let gzip = file.peek2().map_err(read_error)?.starts_with(&GZIP_MAGIC);
        let (source, len) = if gzip {
            (Source::Gzip(Box::new(Gunzip::new(path, file))), None)
        } else {
            (Source::Plain(file), Some(meta.len()))
        };
        let mut input = Input {
            path,
            head: Vec::new(),
            source,
            taken: 0,
            eof: false,
            len,
            disk: meta.len(),
            limits,
        };
        input.fill(HEAD)?;
        Ok(input)
    }

    pub(crate) fn path(&self) -> &'p Path {
        self.path
    }

    /// The content read into memory so far: the first bytes, or more after [`Input::fill`]
    /// and [`Input::read_to_end`].
    pub(crate) fn head(&self) -> &[u8] {
        &self.head
    }

    /// The content's length when known before reading it (a plain file's size).
    pub(crate) fn len(&self) -> Option<u64> {
        self.len
    }

    /// Content bytes taken from the file so far; the whole content's length once a read
    /// has reached its end.
    pub(crate) fn taken(&self) -> u64 {
        self.taken
    }

    /// Next content bytes into `out` (0 at the end).
    fn pull(&mut self, out: &mut [u8]) -> Result<usize> {
        if self.eof || out.is_empty() {
            return Ok(0);
        }
        let got = match &mut self.source {
            Source::Plain(f) => f.read(out).map_err(|source| Error::Read {
                path: self.path.to_path_buf(),
                source,
            })?,
            Source::Gzip(g) => g.read(out)?,
        };
        self.taken += got as u64;
        self.eof = got == 0;
        Ok(got)
    }

    /// Reads on until the head holds `want` bytes or the content ends. Callers bound
    /// `want` (by [`MAX_HEADER`], or by what the budget allows).
    pub(crate) fn fill(&mut self, want: usize) -> Result<()> {
        if self.taken > self.head.len() as u64 {
            return Err(Error::Internal(
                "an input's head grown after its data were streamed".into(),
            ));
        }
        let mut head = std::mem::take(&mut self.head);
        let result = self.fill_into(&mut head, want);
        self.head = head;
        result
    }

    fn fill_into(&mut self, head: &mut Vec<u8>, want: usize) -> Result<()> {
        while head.len() < want && !self.eof {
            let at = head.len();
            // Grow by at most doubling, so a short content costs no large zeroed buffer.
            let stop = at + (want - at).min(CHUNK.max(at));
            head.resize(stop, 0);
            let mut filled = at;
            while filled < stop {
                let got = match self.pull(&mut head[filled..stop]) {
                    Ok(got) => got,
                    Err(e) => {
                        head.truncate(filled);
                        return Err(e);
                    }
                };
                if got == 0 {
                    break;
                }
                filled += got;
            }
            head.truncate(filled);
        }
        Ok(())
    }

    /// The header `parse` finds in the first bytes. While it fails and more bytes could
    /// help (the content goes on, and less than [`MAX_HEADER`] has been read), more is read
    /// and `parse` tried again; its last error is the answer.
    pub(crate) fn header<H>(&mut self, mut parse: impl FnMut(&[u8]) -> Result<H>) -> Result<H> {
        loop {
            match parse(&self.head) {
                Ok(h) => return Ok(h),
                Err(e) if self.eof || self.head.len() >= MAX_HEADER => return Err(e),
                Err(_) => self.fill((self.head.len() * 2).clamp(HEAD, MAX_HEADER))?,
            }
        }
    }

    /// Refuses data ending at `end` (as a header implies) that the file cannot hold: past
    /// the end of a plain file ([`Error::Truncated`]); for gzip, beyond
    /// [`MAX_DECOMPRESSED`] or beyond what deflate can pack into the file's size.
    pub(crate) fn check_end(&self, end: u64, what: &'static str) -> Result<()> {
        if let Some(len) = self.len {
            if end > len {
                return Err(Error::Truncated {
                    path: self.path.to_path_buf(),
                    what,
                    expected: end,
                    found: len,
                });
            }
            return Ok(());
        }
        if end > MAX_DECOMPRESSED {
            return Err(too_large(self.path, end));
        }
        let most = self.disk.saturating_mul(MAX_DEFLATE_RATIO);
        if end > most {
            return Err(Error::invalid(
                self.path,
                format!(
                    "the header implies {end} bytes of data, more than this {}-byte gzip file \
                     can hold (deflate compresses at most {MAX_DEFLATE_RATIO}:1, so at most \
                     {most} bytes): the header is corrupt",
                    self.disk
                ),
            ));
        }
        Ok(())
    }

    /// Refuses to go on when reading the file needs `needed` bytes of memory, more than
    /// the budget; `what` says what would take them.
    pub(crate) fn budget(&self, needed: u64, what: impl FnOnce() -> String) -> Result<()> {
        if needed > self.limits.max_memory {
            return Err(Error::TooLarge {
                path: self.path.to_path_buf(),
                what: what(),
                needed,
                budget: self.limits.max_memory,
            });
        }
        Ok(())
    }

    /// An empty vector for `count` items, allocated fallibly (the budget has been checked;
    /// the system may still refuse). A plain file has been checked to hold them, so room
    /// for all is taken at once; a gzip stream's header may still lie about what it holds,
    /// so room for at most [`FIRST_ROOM`] bytes of items is taken, and [`Input::region`]
    /// grows it as the data arrive (see [`grow`]).
    pub(crate) fn vec<T>(&self, count: u64) -> Result<Vec<T>> {
        let count = match self.len {
            Some(_) => count,
            None => count.min((FIRST_ROOM / std::mem::size_of::<T>().max(1)) as u64),
        };
        let mut v = Vec::new();
        usize::try_from(count)
            .ok()
            .and_then(|n| v.try_reserve_exact(n).ok())
            .ok_or_else(|| self.no_memory(count))?;
        Ok(v)
    }

    fn no_memory(&self, count: u64) -> Error {
        Error::invalid(
            self.path,
            format!("cannot allocate memory for {count} values"),
        )
    }

    /// Discards content up to offset `at` (which lies past the head), or to the end of
    /// the content where it ends first. A plain file is skipped by seeking (not read); a
    /// gzip stream is inflated through a small buffer.
    pub(crate) fn skip_to(&mut self, at: u64) -> Result<()> {
        if let (Source::Plain(f), Some(len)) = (&mut self.source, self.len) {
            let to = at.min(len);
            if to > self.taken && !self.eof {
                f.skip(to - self.taken).map_err(|source| Error::Read {
                    path: self.path.to_path_buf(),
                    source,
                })?;
                self.taken = to;
            }
            return Ok(());
        }
        let mut scratch = vec![0u8; CHUNK];
        while self.taken < at && !self.eof {
            let want = usize::try_from(at - self.taken).map_or(CHUNK, |n| n.min(CHUNK));
            self.pull(&mut scratch[..want])?;
        }
        Ok(())
    }

    /// Streams the items of `r` through `convert`, which gets runs of whole items and
    /// appends their values to `out`: the content is never held beyond one chunk. Content
    /// that ends first is [`Error::Truncated`] (expected `r.end`, found what there was).
    pub(crate) fn region<T>(
        &mut self,
        r: &Region,
        out: &mut Vec<T>,
        mut convert: impl FnMut(&[u8], &mut Vec<T>) -> Result<()>,
    ) -> Result<()> {
        self.region_into(r, r.count, out, &mut convert)
    }

    /// Streams the frames `kept` (ascending, each below the region's frame count) of `r`,
    /// a region of frames of `frame_items` items each stored one after another, through
    /// `convert` into `out`, as [`Input::region`] streams a whole region. The bytes of the
    /// frames not kept are skipped through a small buffer and never held, so reading a
    /// few frames of a long series costs the memory of those frames only (the time to
    /// inflate a gzip stream up to the last of them is still spent). A region that ends
    /// before the last frame kept is [`Error::Truncated`]; one that ends after it is not
    /// read further (callers check the content's length against the header first).
    pub(crate) fn region_frames<T>(
        &mut self,
        r: &Region,
        frame_items: u64,
        kept: &[usize],
        out: &mut Vec<T>,
        mut convert: impl FnMut(&[u8], &mut Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let cap = frame_items.saturating_mul(kept.len() as u64);
        let frame_bytes = frame_items.saturating_mul(r.size.max(1) as u64);
        for &f in kept {
            let at = (f as u64)
                .checked_mul(frame_bytes)
                .and_then(|b| b.checked_add(r.at))
                .ok_or_else(|| self.truncated(r))?;
            let frame = Region {
                at,
                count: frame_items,
                size: r.size,
                end: r.end,
                what: r.what,
            };
            self.region_into(&frame, cap, out, &mut convert)?;
        }
        Ok(())
    }

    /// [`Input::region`], growing `out` towards `cap` items in all (the items of every
    /// region streamed into it).
    fn region_into<T>(
        &mut self,
        r: &Region,
        cap: u64,
        out: &mut Vec<T>,
        convert: &mut impl FnMut(&[u8], &mut Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let size = r.size.max(1);
        let mut left = r
            .count
            .checked_mul(size as u64)
            .ok_or_else(|| self.truncated(r))?;
        // What the head already holds.
        let head_len = self.head.len() as u64;
        if r.at < head_len {
            let from = usize::try_from(r.at).unwrap_or(usize::MAX);
            let n = usize::try_from(left.min(head_len - r.at)).unwrap_or(0) / size * size;
            let run = self.head.get(from..from + n).unwrap_or_default();
            grow(out, n / size, cap).map_err(|()| self.no_memory(cap))?;
            convert(run, out)?;
            left -= n as u64;
        }
        if left == 0 {
            return Ok(());
        }
        let start = r.at.saturating_add(r.count * size as u64 - left);
        if start < self.taken {
            // An item split at the end of the head: carry its first bytes over.
            let from = usize::try_from(start).unwrap_or(usize::MAX);
            let carried = self.head.get(from..).unwrap_or_default().to_vec();
            return self.stream(r, cap, carried, left, out, convert);
        }
        self.skip_to(start)?;
        self.stream(r, cap, Vec::new(), left, out, convert)
    }

    /// The rest of [`Input::region`]: `left` bytes from the source, the first of them
    /// already in `carry`; `out` grows towards `cap` items.
    fn stream<T>(
        &mut self,
        r: &Region,
        cap: u64,
        carry: Vec<u8>,
        mut left: u64,
        out: &mut Vec<T>,
        convert: &mut impl FnMut(&[u8], &mut Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let size = r.size.max(1);
        let mut buf = vec![0u8; CHUNK.max(size * 2)];
        let mut have = carry.len();
        buf[..have].copy_from_slice(&carry);
        while left > 0 {
            let room = (buf.len() - have).min(usize::try_from(left).unwrap_or(usize::MAX) - have);
            let got = self.pull(&mut buf[have..have + room])?;
            if got == 0 {
                return Err(self.truncated(r));
            }
            have += got;
            let whole = have / size * size;
            grow(out, whole / size, cap).map_err(|()| self.no_memory(cap))?;
            convert(&buf[..whole], out)?;
            left -= whole as u64;
            buf.copy_within(whole..have, 0);
            have -= whole;
        }
        Ok(())
    }

    /// Up to `out.len()` content bytes from offset `at` into `out`, for a small optional
    /// block after the data (MGH's scan parameters): how many there were, fewer (or 0)
    /// where the content ends first, which is no error. Only `out.len()` bytes are added to
    /// what is held; bytes before `at` that lie past the head are skipped, not kept. `at`
    /// must not lie among bytes already streamed past the head.
    pub(crate) fn read_at(&mut self, at: u64, out: &mut [u8]) -> Result<usize> {
        let want = at.saturating_add(out.len() as u64);
        let head_len = self.head.len() as u64;
        // The head is the content's prefix, as far as it was taken.
        let prefix = self.taken == head_len;
        if prefix && at <= head_len && want > head_len {
            // Extend the head by the few bytes asked for (fewer where the content ends).
            self.fill(usize::try_from(want).unwrap_or(usize::MAX))?;
        }
        let head_len = self.head.len() as u64;
        if (prefix && at <= head_len) || want <= head_len {
            let from = usize::try_from(at).unwrap_or(usize::MAX);
            let rest = self.head.get(from..).unwrap_or_default();
            let n = rest.len().min(out.len());
            out[..n].copy_from_slice(&rest[..n]);
            return Ok(n);
        }
        if at < self.taken {
            return Err(Error::Internal(
                "an input's bytes asked for after they were streamed".into(),
            ));
        }
        self.skip_to(at)?;
        let mut got = 0;
        while got < out.len() {
            let n = self.pull(&mut out[got..])?;
            if n == 0 {
                break;
            }
            got += n;
        }
        Ok(got)
    }

    /// Checks that the content goes on to `end`, where a header says the data end, after
    /// a reader has skipped data it did not want (the frames not kept): a gzip stream is
    /// inflated that far through a small buffer, so that a stream cut short is
    /// [`Error::Truncated`] whichever frames were asked for; a plain file's length was
    /// checked by [`Input::check_end`], and it is skipped by seeking.
    pub(crate) fn reach(&mut self, end: u64, what: &'static str) -> Result<()> {
        self.skip_to(end)?;
        if self.taken < end {
            return Err(Error::Truncated {
                path: self.path.to_path_buf(),
                what,
                expected: end,
                found: self.len.unwrap_or(self.taken),
            });
        }
        Ok(())
    }

    /// The error for content that ends before the end of region `r`.
    fn truncated(&self, r: &Region) -> Error {
        Error::Truncated {
            path: self.path.to_path_buf(),
            what: r.what,
            expected: r.end,
            found: self.len.unwrap_or(self.taken),
        }
    }

    /// Reads the content through to its end into [`Input::head`]; `over(n)` is the error
    /// when it is longer than `cap` bytes (`n`: the plain file's size, or at least the
    /// bytes decompressed so far, which stops there).
    pub(crate) fn read_to_end(&mut self, cap: u64, over: impl FnOnce(u64) -> Error) -> Result<()> {
        let cap = cap.min(MAX_DECOMPRESSED);
        if let Some(len) = self.len.filter(|&len| len > cap) {
            return Err(over(len));
        }
        if let Some(len) = self.len {
            let left = usize::try_from(len)
                .unwrap_or(0)
                .saturating_sub(self.head.len());
            self.head.try_reserve_exact(left).map_err(|_| {
                Error::invalid(self.path, format!("cannot allocate {len} bytes to read it"))
            })?;
        }
        let stop = usize::try_from(cap.saturating_add(1)).unwrap_or(usize::MAX);
        self.fill(stop)?;
        if self.head.len() as u64 > cap {
            return Err(over(self.head.len() as u64));
        }
        Ok(())
    }

    /// The content read into memory, handed over (after [`Input::read_to_end`]); nothing
    /// more is read after it.
    pub(crate) fn take_head(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.head)
    }

    /// Ends the read: a gzip member is decompressed on a little, to its end where that is
    /// near, so that its CRC is checked.
    pub(crate) fn finish(&mut self) -> Result<()> {
        match &mut self.source {
            Source::Gzip(g) if !self.eof => g.finish_member(TAIL_SLACK),
            _ => Ok(()),
        }
    }
}

/// Makes room in `out` for `items` more, of a region of `count` items in all: by doubling,
/// never past `count`, so that a vector started small (a gzip stream's, see
/// [`Input::vec`]) ends with room for exactly the items read, and a header that claims
/// more than its stream holds costs no more memory than the stream's data.
fn grow<T>(out: &mut Vec<T>, items: usize, count: u64) -> std::result::Result<(), ()> {
    if out.capacity() - out.len() >= items {
        return Ok(());
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    let want = out
        .capacity()
        .saturating_mul(2)
        .max(out.len() + items)
        .min(count.max(out.len() + items));
    out.try_reserve_exact(want - out.len()).map_err(|_| ())
}

/// Refuses what is not a regular file (a directory, a FIFO, a device such as
/// `/dev/zero`), naming what it is.
pub(crate) fn regular_file(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    match not_regular(meta) {
        None => Ok(()),
        Some(kind) => Err(Error::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{kind}, not a regular file (surfrender reads only regular files)"),
            ),
        }),
    }
}

/// What a file is when it is not a regular file ("a named pipe (FIFO)"), else `None`.
pub(crate) fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    (!ft.is_file()).then(|| file_kind(&ft))
}

/// What a file that is not a regular file is, in words.
fn file_kind(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of `len` bytes (byte i = i mod 251) in a temporary folder, plain and gzipped.
    fn files(name: &str, len: usize) -> [std::path::PathBuf; 2] {
        let dir = std::env::temp_dir().join(format!("surfrender-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let plain = dir.join(name);
        std::fs::write(&plain, &bytes).expect("write");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, &bytes).expect("gzip");
        let gz = dir.join(format!("{name}.gz"));
        std::fs::write(&gz, enc.finish().expect("gzip")).expect("write");
        [plain, gz]
    }

    fn want(at: usize, n: usize) -> Vec<u8> {
        (at..at + n).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn read_at_within_past_and_beyond_the_head() {
        let len = 3 * HEAD + 10;
        for path in files("read_at", len) {
            // From the head, across its end (it grows by those bytes only), past it.
            let mut input = Input::open(&path, Limits::default()).expect("open");
            let mut buf = [0u8; 8];
            assert_eq!(input.read_at(100, &mut buf).expect("read"), 8);
            assert_eq!(buf.to_vec(), want(100, 8));
            assert_eq!(input.read_at(HEAD as u64 - 3, &mut buf).expect("read"), 8);
            assert_eq!(buf.to_vec(), want(HEAD - 3, 8));
            assert_eq!(input.head().len(), HEAD + 5);
            let at = 2 * HEAD + 7;
            assert_eq!(input.read_at(at as u64, &mut buf).expect("read"), 8);
            assert_eq!(buf.to_vec(), want(at, 8));
            assert_eq!(input.head().len(), HEAD + 5, "skipped bytes are not kept");
            // Bytes skipped past the head are gone: an internal error, not wrong bytes.
            assert!(matches!(
                input.read_at(HEAD as u64 + 100, &mut buf),
                Err(Error::Internal(_))
            ));
            // Where the content ends: fewer bytes, or none, and no error.
            assert_eq!(input.read_at(len as u64 - 3, &mut buf).expect("read"), 3);
            assert_eq!(buf[..3].to_vec(), want(len - 3, 3));
            assert_eq!(input.read_at(len as u64 + 50, &mut buf).expect("read"), 0);
        }
        for path in files("read_at_short", 20) {
            let mut input = Input::open(&path, Limits::default()).expect("open");
            let mut buf = [0u8; 8];
            assert_eq!(input.read_at(16, &mut buf).expect("read"), 4);
            assert_eq!(input.read_at(20, &mut buf).expect("read"), 0);
            assert_eq!(input.read_at(30, &mut buf).expect("read"), 0);
        }
    }
}
