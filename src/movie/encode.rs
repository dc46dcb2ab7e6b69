//! Encoders for a movie's frames, chosen by the output's name: a PNG sequence
//! (`frames/f_%04d.png`), an animated GIF, an animated PNG (APNG), or MP4/WebM through
//! ffmpeg.
//!
//! The caller renders frames one at a time and hands each to a [`FrameSink`] from [`open`];
//! the sink encodes on a thread of its own (a queue of [`QUEUE`] frames), so that encoding
//! overlaps the rendering of the next frame. Everything that can be refused is refused by
//! [`format_of`] and [`check`] before any rendering (an unknown extension, a bad pattern,
//! a missing ffmpeg).
//!
//! Writes are atomic, as for figures (see [`crate::output`]): a GIF, APNG or video is
//! streamed into a temporary beside its destination and renamed onto it by
//! [`FrameSink::finish`]; a sink dropped without `finish`, an encoding error or SIGINT and
//! SIGTERM (through the temporaries' registry, with
//! [`crate::output::remove_temporaries_on_signals`] installed) remove the temporary, and
//! the destination is untouched. A PNG sequence writes each frame atomically as it comes:
//! frames written before an interruption stay, each complete.

use std::path::{Path, PathBuf};

use image::RgbaImage;

use crate::error::{Error, Result};
use crate::output::Metadata;

mod apng;
mod ffmpeg;
mod gif_out;
mod pattern;
mod sequence;
#[cfg(test)]
mod tests;
mod worker;

/// Frames queued between the caller and a sink's encoding thread: enough to keep the
/// encoder busy while the next frame renders, few enough to bound memory (about 2 MB a
/// frame at 1200×450).
pub const QUEUE: usize = 2;

/// How a movie is written, from the output's name (see [`format_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MovieFormat {
    /// One PNG file per frame, named by a printf-style pattern with one `%d` or `%0Nd`
    /// (the frame's index in the output sequence, from 0) and `%%` for a literal `%`.
    PngSequence {
        /// The output path as given, the pattern in its file name.
        pattern: String,
    },
    /// An animated GIF with one palette for the whole movie, looping forever.
    Gif,
    /// An animated PNG (lossless), looping forever.
    Apng,
    /// A video encoded by ffmpeg from raw RGB frames.
    Ffmpeg {
        /// The video's container (and so its codec).
        container: Container,
    },
}

/// Containers written through ffmpeg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// MP4 with H.264 (libx264), yuv420p: what every player and slide program shows.
    Mp4,
    /// WebM with VP9 (libvpx-vp9), or VP8 (libvpx) where ffmpeg lacks VP9.
    Webm,
}

impl Container {
    /// The extension users give, for messages.
    fn ext(self) -> &'static str {
        match self {
            Container::Mp4 => ".mp4",
            Container::Webm => ".webm",
        }
    }
}

/// How a movie of `frames` frames is written to `path` (`-o`), or `Ok(None)` for a plain
/// figure: one frame to a name that is not a movie's (`.png` without a pattern, or any
/// other extension, which the figure writer judges). Several frames to a `.png` without a
/// pattern make an APNG.
///
/// A file name with a `%d` or `%0Nd` conversion is a PNG sequence's pattern (also for one
/// frame); it must end in `.png`, and any other `%` in it must be `%%`. A name without such
/// a conversion is taken literally (`100%.gif`), but one with another conversion (`%4d`,
/// `%i`, `%s`) is refused rather than written under that literal name. Extensions are
/// matched without regard to case; `.m4v` is MP4.
pub fn format_of(path: &Path, frames: usize) -> Result<Option<MovieFormat>> {
    if frames == 0 {
        return Err(Error::Usage(format!(
            "-o {}: no frames to write",
            path.display()
        )));
    }
    if pattern::of_path(path)?.is_some() {
        let pattern = path.to_str().ok_or_else(|| {
            Error::Usage(format!(
                "-o {}: a frame pattern must be valid UTF-8",
                path.display()
            ))
        })?;
        return Ok(Some(MovieFormat::PngSequence {
            pattern: pattern.to_string(),
        }));
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let format = match ext.as_deref() {
        Some("gif") => MovieFormat::Gif,
        Some("apng") => MovieFormat::Apng,
        Some("png") if frames > 1 => MovieFormat::Apng,
        Some("mp4" | "m4v") => MovieFormat::Ffmpeg {
            container: Container::Mp4,
        },
        Some("webm") => MovieFormat::Ffmpeg {
            container: Container::Webm,
        },
        _ if frames == 1 => return Ok(None),
        _ => {
            let what = match &ext {
                Some(e) => format!("unknown extension .{e}"),
                None => "no extension".to_string(),
            };
            return Err(Error::Usage(format!(
                "-o {}: {what} for {frames} frames: use a %04d pattern (PNG sequence), .gif, .apng, .png, .mp4 or .webm",
                path.display()
            )));
        }
    };
    Ok(Some(format))
}

/// The file frame `k` of a PNG sequence goes to (`pattern` as in
/// [`MovieFormat::PngSequence`]).
pub fn sequence_path(pattern: &str, k: usize) -> Result<PathBuf> {
    let path = Path::new(pattern);
    let p = pattern::of_path(path)?.ok_or_else(|| {
        Error::Usage(format!(
            "-o {pattern}: not a frame pattern: give one %d or %04d in the file name"
        ))
    })?;
    Ok(p.path(k))
}

/// What every sink needs to know before the first frame.
#[derive(Debug, Clone)]
pub struct SinkOptions {
    /// Frame width in pixels; every frame has it.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frames a second (`--fps`).
    pub fps: f64,
    /// Whether frames keep their alpha channel (a transparent background); otherwise they
    /// are written as opaque RGB.
    pub alpha: bool,
    /// The ffmpeg to run (`--ffmpeg`), else `ffmpeg` on PATH.
    pub ffmpeg: Option<PathBuf>,
    /// Text stored with the movie: in each PNG of a sequence, in an APNG, as a GIF comment,
    /// as ffmpeg metadata tags.
    pub metadata: Metadata,
    /// Frames that will be pushed: an APNG announces its count before the first frame,
    /// and a GIF builds its palette from the first few.
    pub frames: usize,
    /// Dots per inch recorded in PNG files (sequence frames and APNG), when set.
    pub dpi: Option<u32>,
    /// How PNG files (sequence frames and APNG) are compressed.
    pub png_compression: crate::spec::PngCompression,
}

impl SinkOptions {
    /// Options for `frames` frames of `width`×`height` at 10 frames a second, opaque, with
    /// `ffmpeg` from PATH and no metadata.
    pub fn new(width: u32, height: u32, frames: usize) -> SinkOptions {
        SinkOptions {
            width,
            height,
            fps: 10.0,
            alpha: false,
            ffmpeg: None,
            metadata: Metadata::new(),
            frames,
            dpi: None,
            png_compression: crate::spec::PngCompression::Fast,
        }
    }
}

/// Checks, before any rendering, that `format` can be written with `opts`: a frame rate
/// above 0, a GIF's size and rate limits, an APNG's frame count, and for a video that
/// ffmpeg runs and has the needed encoder (libx264 for MP4; libvpx-vp9 or libvpx for
/// WebM). What is missing is a usage error that says what to install, and that `.gif`,
/// `.apng` and PNG sequences need nothing installed.
pub fn check(format: &MovieFormat, opts: &SinkOptions) -> Result<()> {
    check_options(format, opts)?;
    if let MovieFormat::Ffmpeg { container } = format {
        ffmpeg::probe(*container, opts)?;
    }
    Ok(())
}

/// [`check`] without running ffmpeg.
fn check_options(format: &MovieFormat, opts: &SinkOptions) -> Result<()> {
    if opts.width == 0 || opts.height == 0 {
        return Err(Error::Usage(format!(
            "a movie's frames must not be empty ({}x{})",
            opts.width, opts.height
        )));
    }
    if !(opts.fps.is_finite() && opts.fps > 0.0) {
        return Err(Error::Usage(format!(
            "--fps {}: give a number of frames a second above 0",
            opts.fps
        )));
    }
    match format {
        MovieFormat::PngSequence { pattern } => sequence_path(pattern, 0).map(drop),
        MovieFormat::Gif => gif_out::check(opts),
        MovieFormat::Apng => apng::check(opts),
        MovieFormat::Ffmpeg { container } => ffmpeg::check_options(*container, opts),
    }
}

/// Takes a movie's frames in order and writes them.
pub trait FrameSink {
    /// Queues the next frame: straight (not premultiplied) RGBA of the options' size. An
    /// error is the encoder's (a full disk, ffmpeg gone), reported at the first push or
    /// `finish` after it happened; the sink is then spent.
    fn push(&mut self, frame: &RgbaImage) -> Result<()>;
    /// Encodes the frames still queued, completes the file and puts it in place; returns
    /// the files written (every frame's for a PNG sequence).
    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>>;
}

/// Opens a sink writing `format` to `path` (for a PNG sequence, the pattern in `format`
/// names the files). Checks as [`check`] does; for a GIF, APNG or video, creates the
/// temporary beside `path` (so a missing folder fails here, naming it).
pub fn open(format: &MovieFormat, path: &Path, opts: &SinkOptions) -> Result<Box<dyn FrameSink>> {
    check_options(format, opts)?;
    // As figures do: temporaries that killed runs left in the folder go first.
    let dest = match format {
        MovieFormat::PngSequence { pattern } => sequence_path(pattern, 0)?,
        _ => path.to_path_buf(),
    };
    match dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => crate::output::temp::clean_stale(dir),
        None => crate::output::temp::clean_stale(Path::new(".")),
    }
    let encoder: Box<dyn worker::Encoder> = match format {
        MovieFormat::PngSequence { pattern } => Box::new(sequence::Sequence::new(pattern, opts)?),
        MovieFormat::Gif => Box::new(gif_out::GifEncoder::new(path, opts)?),
        MovieFormat::Apng => Box::new(apng::ApngEncoder::new(path, opts)?),
        MovieFormat::Ffmpeg { container } => {
            let tool = ffmpeg::probe(*container, opts)?;
            Box::new(ffmpeg::FfmpegEncoder::spawn(tool, *container, path, opts)?)
        }
    };
    Ok(Box::new(worker::Threaded::spawn(encoder, opts)?))
}

/// An error writing `path`, from any error of an encoder or the operating system.
fn write_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// An I/O error writing `path`.
fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Renames a finished temporary onto `dest`, under the temporaries' registry so that a
/// signal does not come between the rename and the registry's update.
fn place(mut tmp: crate::output::temp::TempFile, dest: &Path) -> Result<()> {
    let mut live = crate::output::temp::registry();
    let renamed = tmp.rename_onto(dest, &mut live);
    // The guard goes before `tmp`: a failed rename's temporary removes itself through it.
    drop(live);
    renamed.map_err(io_error(dest))
}

/// The smallest rectangle `(x, y, width, height)` holding every pixel that differs between
/// two frames of `width` pixels a row and `bpp` bytes a pixel, or `None` when they are
/// equal: animated GIF and PNG frames after the first cover only what changed.
fn changed_rect(prev: &[u8], next: &[u8], width: usize, bpp: usize) -> Option<[u32; 4]> {
    let stride = width * bpp;
    let rows = prev.len() / stride.max(1);
    let row = |y: usize| (&prev[y * stride..][..stride], &next[y * stride..][..stride]);
    let top = (0..rows).find(|&y| row(y).0 != row(y).1)?;
    let bottom = (top..rows).rev().find(|&y| row(y).0 != row(y).1)?;
    let (mut left, mut right) = (width, 0);
    for y in top..=bottom {
        let (a, b) = row(y);
        if a == b {
            continue;
        }
        // Only the columns outside the rectangle so far need looking at.
        let differs = |x: usize| a[x * bpp..][..bpp] != b[x * bpp..][..bpp];
        if let Some(f) = (0..left).find(|&x| differs(x)) {
            left = f;
        }
        if let Some(l) = (right..width).rev().find(|&x| differs(x)) {
            right = l;
        }
    }
    Some([
        left as u32,
        top as u32,
        (right - left + 1) as u32,
        (bottom - top + 1) as u32,
    ])
}
