//! MP4 and WebM through ffmpeg: raw frames streamed to its standard input, the video
//! written to a temporary beside the destination and renamed onto it when ffmpeg has
//! succeeded.
//!
//! MP4 is H.264 in yuv420p (what players and slide programs show) at `-preset veryfast`:
//! on two cores `medium` takes twice as long for a figure-sized movie. WebM is VP9 (VP8
//! where ffmpeg lacks VP9) in constant-quality mode at realtime speed, and keeps a
//! transparent background (yuva420p); MP4 cannot, which [`check_options`] says before any
//! rendering. yuv420p needs an even width and height: an odd one is padded by one pixel
//! that repeats the last column or row (unlike ffmpeg's `pad` filter, whose black line
//! shows against a white background).
//!
//! The temporary is registered with the temporaries' registry before ffmpeg starts, so that
//! SIGINT and SIGTERM remove it; a sink dropped without finishing kills ffmpeg first, then
//! removes it. ffmpeg outlives a signalled surfrender by moments (it sees its input end):
//! it then finishes a file already removed (MP4's `faststart` pass, which reopens the file
//! by name, fails), so nothing reaches the destination. Only a signal within ffmpeg's first
//! moments, before it has opened the temporary, can let it create the temporary again:
//! that is left under a temporary's name, never the destination's, and a later run writing
//! into the folder removes it as stale (see `output::temp`). ffmpeg's messages are kept (the last few kilobytes), and a failure reports
//! their last lines as one error naming the output.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;

use image::RgbaImage;

use super::worker::Encoder;
use super::{io_error, place, write_error, Container, SinkOptions};
use crate::error::{Error, Result};
use crate::output::temp::TempFile;

/// What installs ffmpeg, and what needs nothing, for the messages of a missing one.
const INSTALL: &str = "install it (Debian/Ubuntu: apt-get install ffmpeg; RHEL/Fedora: dnf install ffmpeg, from RPM Fusion) or give its path with --ffmpeg; .gif, .apng and PNG sequences (-o frames/f_%04d.png) need nothing installed";

/// Bytes of ffmpeg's messages kept for an error.
const STDERR_KEPT: usize = 8192;

/// Refuses, without running ffmpeg, what the container cannot hold.
pub(super) fn check_options(container: Container, opts: &SinkOptions) -> Result<()> {
    if container == Container::Mp4 && opts.alpha {
        return Err(Error::Usage(
            "an MP4 (H.264) cannot keep a transparent background: use .webm, .gif, .apng or a PNG sequence, or another background".into(),
        ));
    }
    Ok(())
}

/// The ffmpeg to run and the encoder it has for the container.
pub(super) struct Tool {
    program: PathBuf,
    encoder: &'static str,
}

/// Runs `ffmpeg -hide_banner -encoders` (the `--ffmpeg` one, else the one on PATH) and
/// picks the container's encoder: libx264 for MP4, libvpx-vp9 or else libvpx for WebM.
pub(super) fn probe(container: Container, opts: &SinkOptions) -> Result<Tool> {
    let ext = container.ext();
    let (program, named) = match &opts.ffmpeg {
        Some(p) => (p.clone(), true),
        None => (PathBuf::from("ffmpeg"), false),
    };
    let out = Command::new(&program)
        .args(["-hide_banner", "-encoders"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            let why = match (named, e.kind()) {
                (false, std::io::ErrorKind::NotFound) => "no ffmpeg was found on PATH".to_string(),
                (true, std::io::ErrorKind::NotFound) => {
                    format!("--ffmpeg {} does not exist", program.display())
                }
                _ => format!("{} cannot be run: {e}", program.display()),
            };
            return Err(Error::Usage(format!(
                "{ext} output needs ffmpeg, but {why}; {INSTALL}"
            )));
        }
    };
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "{ext} output needs ffmpeg, but `{} -encoders` failed ({}): {}; {INSTALL}",
            program.display(),
            out.status,
            last_lines(&out.stderr, 2)
        )));
    }
    let list = String::from_utf8_lossy(&out.stdout);
    let has = |name: &str| {
        list.lines()
            .any(|l| l.split_whitespace().nth(1) == Some(name))
    };
    let wanted: &[&'static str] = match container {
        Container::Mp4 => &["libx264"],
        Container::Webm => &["libvpx-vp9", "libvpx"],
    };
    match wanted.iter().find(|e| has(e)) {
        Some(&encoder) => Ok(Tool { program, encoder }),
        None => Err(Error::Usage(format!(
            "{ext} output needs ffmpeg with the {} encoder, which {} lacks; install Debian's or RPM Fusion's ffmpeg, which have it (apt-get install ffmpeg; dnf install ffmpeg), or give another with --ffmpeg; .gif, .apng and PNG sequences (-o frames/f_%04d.png) need nothing installed",
            wanted.join(" or "),
            program.display()
        ))),
    }
}

/// The last `n` non-empty lines of ffmpeg's messages, as one line.
fn last_lines(stderr: &[u8], n: usize) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.len() {
        0 => "no message".to_string(),
        len => lines[len.saturating_sub(n)..].join(" / "),
    }
}

/// A running ffmpeg fed frames on its standard input.
pub(super) struct FfmpegEncoder {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Reads ffmpeg's messages as they come (so it never blocks on a full pipe) and
    /// returns their end.
    stderr: Option<JoinHandle<Vec<u8>>>,
    /// Whether `child` has been waited for.
    reaped: bool,
    dest: PathBuf,
    /// The video being written; dropped (removed) after the child is killed.
    tmp: Option<TempFile>,
    size: (u32, u32),
    alpha: bool,
    /// One frame as ffmpeg reads it.
    raw: Vec<u8>,
}

impl FfmpegEncoder {
    pub(super) fn spawn(
        tool: Tool,
        container: Container,
        dest: &Path,
        opts: &SinkOptions,
    ) -> Result<FfmpegEncoder> {
        // Made and registered first: ffmpeg overwrites it (-y), and a signal removes it.
        let tmp = TempFile::beside(dest).map_err(io_error(dest))?;
        let (w, h) = (opts.width + opts.width % 2, opts.height + opts.height % 2);
        let alpha = opts.alpha && container == Container::Webm;
        let mut cmd = Command::new(&tool.program);
        cmd.args(["-hide_banner", "-loglevel", "error", "-nostats", "-y"])
            .args([
                "-f",
                "rawvideo",
                "-pix_fmt",
                if alpha { "rgba" } else { "rgb24" },
            ])
            .args(["-s", &format!("{w}x{h}"), "-r", &format!("{}", opts.fps)])
            .args(["-i", "-", "-c:v", tool.encoder]);
        match tool.encoder {
            "libx264" => cmd.args(["-preset", "veryfast", "-pix_fmt", "yuv420p"]),
            "libvpx-vp9" => cmd.args([
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-row-mt",
                "1",
                "-b:v",
                "0",
                "-crf",
                "32",
            ]),
            // VP8's constant quality needs a bitrate ceiling.
            _ => cmd.args([
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-b:v",
                "8M",
                "-crf",
                "10",
            ]),
        };
        if container == Container::Webm {
            cmd.args(["-pix_fmt", if alpha { "yuva420p" } else { "yuv420p" }]);
        }
        for (k, v) in &opts.metadata {
            cmd.arg("-metadata").arg(format!("{k}={v}"));
        }
        match container {
            // The index first, so the movie plays while it downloads; and the tags kept.
            Container::Mp4 => cmd.args(["-movflags", "+faststart+use_metadata_tags", "-f", "mp4"]),
            Container::Webm => cmd.args(["-f", "webm"]),
        };
        cmd.arg(tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            write_error(
                dest,
                format!("cannot start {}: {e}", tool.program.display()),
            )
        })?;
        let stdin = child.stdin.take();
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut kept = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    kept.extend_from_slice(&buf[..n]);
                    if kept.len() > 2 * STDERR_KEPT {
                        kept.drain(..kept.len() - STDERR_KEPT);
                    }
                }
                kept
            })
        });
        Ok(FfmpegEncoder {
            child,
            stdin,
            stderr,
            reaped: false,
            dest: dest.to_path_buf(),
            tmp: Some(tmp),
            size: (w, h),
            alpha,
            raw: Vec::new(),
        })
    }

    /// Waits for ffmpeg to end and collects its messages.
    fn wait(&mut self) -> (std::io::Result<ExitStatus>, Vec<u8>) {
        self.stdin = None;
        let status = self.child.wait();
        self.reaped = true;
        let messages = self
            .stderr
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        (status, messages)
    }

    /// The error for an ffmpeg that failed or stopped reading.
    fn failed(&mut self) -> Error {
        let (status, messages) = self.wait();
        let status = match status {
            Ok(s) => s.to_string(),
            Err(e) => format!("unknown status ({e})"),
        };
        write_error(
            &self.dest,
            format!("ffmpeg failed ({status}): {}", last_lines(&messages, 3)),
        )
    }

    /// `frame` as ffmpeg reads it: RGB or RGBA, padded to an even size by repeating the
    /// last column and row.
    fn fill_raw(&mut self, frame: &RgbaImage) {
        let bpp = if self.alpha { 4 } else { 3 };
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        let (pw, ph) = (self.size.0 as usize, self.size.1 as usize);
        self.raw.clear();
        self.raw.reserve(pw * ph * bpp);
        for row in frame.as_raw().chunks_exact(w * 4) {
            match self.alpha {
                true => self.raw.extend_from_slice(row),
                false => {
                    for p in row.chunks_exact(4) {
                        self.raw.extend_from_slice(&p[..3]);
                    }
                }
            }
            if pw > w {
                let last = self.raw.len() - bpp;
                self.raw.extend_from_within(last..last + bpp);
            }
        }
        if ph > h {
            let stride = pw * bpp;
            let last = self.raw.len() - stride;
            self.raw.extend_from_within(last..last + stride);
        }
    }
}

impl Encoder for FfmpegEncoder {
    fn frame(&mut self, frame: RgbaImage) -> Result<()> {
        self.fill_raw(&frame);
        let written = match &mut self.stdin {
            Some(stdin) => stdin.write_all(&self.raw),
            None => Err(std::io::Error::other("ffmpeg's input is closed")),
        };
        // A write fails when ffmpeg has stopped reading: its messages say why.
        written.map_err(|_| self.failed())
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<PathBuf>> {
        let (status, messages) = self.wait();
        let ok = status.as_ref().is_ok_and(|s| s.success());
        if !ok {
            let status = match status {
                Ok(s) => s.to_string(),
                Err(e) => format!("unknown status ({e})"),
            };
            return Err(write_error(
                &self.dest,
                format!("ffmpeg failed ({status}): {}", last_lines(&messages, 3)),
            ));
        }
        let tmp = self
            .tmp
            .take()
            .ok_or_else(|| Error::Internal("video finished twice".into()))?;
        place(tmp, &self.dest)?;
        Ok(vec![self.dest.clone()])
    }
}

impl Drop for FfmpegEncoder {
    /// An abandoned or failed video: ffmpeg is killed before its output is removed, so it
    /// cannot write it again.
    fn drop(&mut self) {
        if !self.reaped {
            self.stdin = None;
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        self.tmp = None;
    }
}
