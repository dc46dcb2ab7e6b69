//! What a sequence writes besides its frames' encoder: the sidecar's record, the one
//! file of a one-frame sequence, and the progress bar.

use std::path::{Path, PathBuf};

use image::RgbaImage;

use super::encode::{FrameSink, MovieFormat, SinkOptions};
use super::Written;
use crate::error::{Error, Result};
use crate::scene::Scene;
use crate::spec::Sequence;

/// The sidecar's record of a sequence: what each output frame shows, the rate, the time
/// step and the colour ranges every frame shares.
pub(super) fn sequence_record(seq: &Sequence, w: &Written, scene: &Scene) -> serde_json::Value {
    let ranges: Vec<serde_json::Value> = scene
        .mappings
        .iter()
        .map(|m| match m {
            Some(m) => serde_json::json!({
                "threshold": m.threshold,
                "range": [m.lo, m.hi],
                "sign": format!("{:?}", m.sign).to_lowercase(),
                "cmap": m.cmap_name,
            }),
            None => serde_json::Value::Null,
        })
        .collect();
    serde_json::json!({
        "frames": w.frames,
        "count": w.frames.len(),
        "fps": seq.fps,
        "turntable": seq.turntable,
        "time_step_s": w.time_step,
        "ranges": ranges,
        "files": w.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
    })
}

/// One sidecar for the whole sequence: `rest.mp4.json`; for a PNG sequence, the
/// pattern with its number left out (`frames/f_%04d.png` → `frames/f_.png.json`).
pub fn sidecar_path(format: Option<&MovieFormat>, out: &Path) -> PathBuf {
    match format {
        Some(MovieFormat::PngSequence { pattern }) => {
            crate::output::sidecar::path(Path::new(&without_number(pattern)))
        }
        _ => crate::output::sidecar::path(out),
    }
}

/// A printf pattern without its one number conversion (`%d`, `%04d`), `%%` read as `%`.
fn without_number(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let conv = &rest[at + 1..];
        if let Some(tail) = conv.strip_prefix('%') {
            out.push('%');
            rest = tail;
            continue;
        }
        let digits = conv.chars().take_while(char::is_ascii_digit).count();
        rest = match conv[digits..].strip_prefix('d') {
            Some(tail) => tail,
            None => conv,
        };
    }
    out.push_str(rest);
    out
}

/// A sequence of one frame written to a `.png`: the plain figure.
pub(super) struct OnePng {
    pub(super) path: PathBuf,
    pub(super) opts: SinkOptions,
    pub(super) written: bool,
}

impl FrameSink for OnePng {
    fn push(&mut self, frame: &RgbaImage) -> Result<()> {
        if self.written {
            return Err(Error::Internal("a .png output takes one frame".into()));
        }
        let o = &self.opts;
        let level = o.png_compression;
        crate::output::write_png(&self.path, frame, o.alpha, &o.metadata, o.dpi, level)?;
        self.written = true;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>> {
        Ok(vec![self.path])
    }
}

/// A progress bar on standard error when it is a terminal; nothing in a log.
pub(super) struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub(super) fn new(count: usize) -> Progress {
        use std::io::IsTerminal;
        if count < 2 || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(count as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} frames, {per_sec}, {eta} left",
        ) {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    pub(super) fn tick(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }

    pub(super) fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
