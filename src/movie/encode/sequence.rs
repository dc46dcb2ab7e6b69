//! A PNG sequence: each frame its own PNG, written atomically as it comes, encoded as
//! figures are (fast deflate, Up filter) with the movie's metadata in each.

use std::path::PathBuf;

use image::RgbaImage;

use super::pattern::{self, Pattern};
use super::worker::Encoder;
use super::SinkOptions;
use crate::error::{Error, Result};
use crate::output::{self, Metadata};

pub(super) struct Sequence {
    pattern: Pattern,
    alpha: bool,
    metadata: Metadata,
    dpi: Option<u32>,
    compression: crate::spec::PngCompression,
    written: Vec<PathBuf>,
}

impl Sequence {
    pub(super) fn new(pattern: &str, opts: &SinkOptions) -> Result<Sequence> {
        let pattern = pattern::of_path(pattern.as_ref())?.ok_or_else(|| {
            Error::Usage(format!(
                "-o {pattern}: not a frame pattern: give one %d or %04d in the file name"
            ))
        })?;
        Ok(Sequence {
            pattern,
            alpha: opts.alpha,
            metadata: opts.metadata.clone(),
            dpi: opts.dpi,
            compression: opts.png_compression,
            written: Vec::with_capacity(opts.frames),
        })
    }
}

impl Encoder for Sequence {
    fn frame(&mut self, frame: RgbaImage) -> Result<()> {
        let path = self.pattern.path(self.written.len());
        let (alpha, level) = (self.alpha, self.compression);
        let png = output::encode_png(&path, &frame, alpha, &self.metadata, self.dpi, level)?;
        output::write_atomic(&path, &png)?;
        self.written.push(path);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>> {
        Ok(self.written)
    }
}
