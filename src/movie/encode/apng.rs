//! Animated PNG through the `png` crate: lossless, RGB (RGBA with a transparent
//! background), looping forever, the figure's metadata in text chunks.
//!
//! An APNG states its frame count before the first frame, so the sink is told it
//! ([`SinkOptions::frames`]) and finishing with another count is an error. Frames after the
//! first cover only the rectangle that changed, replacing what was there (blend "source",
//! dispose "none"), which keeps a time series' unchanged background and colour bar out of
//! every frame. Frame delays are `1/fps` seconds as a fraction of 16-bit numbers (exact
//! for whole rates, 29.97 is 1001/30000).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use image::RgbaImage;

use super::worker::Encoder;
use super::{changed_rect, io_error, place, write_error, SinkOptions};
use crate::error::{Error, Result};
use crate::output::temp::TempFile;

/// Refuses what an APNG cannot hold.
pub(super) fn check(opts: &SinkOptions) -> Result<()> {
    if opts.frames == 0 || u32::try_from(opts.frames).is_err() {
        return Err(Error::Usage(format!(
            "an APNG holds 1 to {} frames, not {}",
            u32::MAX,
            opts.frames
        )));
    }
    if delay_fraction(opts.fps).is_none() {
        return Err(Error::Usage(format!(
            "--fps {}: an APNG's frame delay is a fraction of 16-bit numbers; use 1/65535 to 65535 frames a second",
            opts.fps
        )));
    }
    Ok(())
}

/// `1/fps` seconds as the nearest fraction `numerator/denominator` of 16-bit numbers (a
/// continued fraction's last convergent that fits), `None` when there is none above 0.
pub(super) fn delay_fraction(fps: f64) -> Option<(u16, u16)> {
    if !(fps.is_finite() && fps > 0.0) {
        return None;
    }
    let mut x = 1.0 / fps;
    let (mut h, mut h_prev) = (1u64, 0u64);
    let (mut k, mut k_prev) = (0u64, 1u64);
    let mut best = None;
    for _ in 0..64 {
        let a = x.floor();
        if a > u16::MAX as f64 {
            break;
        }
        let a = a as u64;
        let (h_next, k_next) = (a * h + h_prev, a * k + k_prev);
        if h_next > u16::MAX as u64 || k_next > u16::MAX as u64 {
            break;
        }
        (h_prev, h, k_prev, k) = (h, h_next, k, k_next);
        if h > 0 {
            best = Some((h as u16, k as u16));
        }
        let frac = x - a as f64;
        if frac < 1e-9 {
            break;
        }
        x = 1.0 / frac;
    }
    best
}

type Writer = png::Writer<BufWriter<File>>;

pub(super) struct ApngEncoder {
    /// Before `tmp`: fields drop in order, and an abandoned writer writes its end.
    writer: Option<Writer>,
    dest: PathBuf,
    tmp: TempFile,
    alpha: bool,
    width: u32,
    height: u32,
    frames: usize,
    written: usize,
    /// The last frame's pixels (RGB or RGBA), and the current one's.
    prev: Vec<u8>,
    cur: Vec<u8>,
}

impl ApngEncoder {
    pub(super) fn new(dest: &Path, opts: &SinkOptions) -> Result<ApngEncoder> {
        let (num, den) = delay_fraction(opts.fps)
            .ok_or_else(|| Error::Internal(format!("APNG delay for {} fps", opts.fps)))?;
        let tmp = TempFile::beside(dest).map_err(io_error(dest))?;
        let file = tmp.try_clone_file().map_err(io_error(dest))?;
        let perr = |e: png::EncodingError| write_error(dest, e);
        let mut enc = png::Encoder::new(BufWriter::new(file), opts.width, opts.height);
        enc.set_color(match opts.alpha {
            true => png::ColorType::Rgba,
            false => png::ColorType::Rgb,
        });
        enc.set_depth(png::BitDepth::Eight);
        crate::output::set_compression(&mut enc, opts.png_compression);
        enc.set_animated(opts.frames as u32, 0).map_err(perr)?;
        enc.set_frame_delay(num, den).map_err(perr)?;
        enc.set_dispose_op(png::DisposeOp::None).map_err(perr)?;
        enc.set_blend_op(png::BlendOp::Source).map_err(perr)?;
        if let Some(dpi) = opts.dpi {
            let ppm = (dpi as f64 / 0.0254).round() as u32;
            enc.set_pixel_dims(Some(png::PixelDimensions {
                xppu: ppm,
                yppu: ppm,
                unit: png::Unit::Meter,
            }));
        }
        for (k, v) in &opts.metadata {
            // Latin-1 in tEXt (most viewers show it), anything else in UTF-8 iTXt.
            match v.chars().all(|c| (c as u32) < 256) {
                true => enc.add_text_chunk(k.clone(), v.clone()),
                false => enc.add_itxt_chunk(k.clone(), v.clone()),
            }
            .map_err(perr)?;
        }
        let writer = enc.write_header().map_err(perr)?;
        Ok(ApngEncoder {
            writer: Some(writer),
            dest: dest.to_path_buf(),
            tmp,
            alpha: opts.alpha,
            width: opts.width,
            height: opts.height,
            frames: opts.frames,
            written: 0,
            prev: Vec::new(),
            cur: Vec::new(),
        })
    }
}

impl Encoder for ApngEncoder {
    fn frame(&mut self, frame: RgbaImage) -> Result<()> {
        if self.written == self.frames {
            return Err(Error::Internal(format!(
                "an APNG of {} frames given more",
                self.frames
            )));
        }
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| Error::Internal("APNG frame after its end".into()))?;
        let perr = |e: png::EncodingError| write_error(&self.dest, e);
        let bpp = if self.alpha { 4 } else { 3 };
        self.cur.clear();
        match self.alpha {
            true => self.cur.extend_from_slice(frame.as_raw()),
            false => {
                self.cur.reserve(frame.as_raw().len() / 4 * 3);
                for p in frame.as_raw().chunks_exact(4) {
                    self.cur.extend_from_slice(&p[..3]);
                }
            }
        }
        let (w, h) = (self.width, self.height);
        let rect = match self.written {
            0 => Some([0, 0, w, h]),
            _ => changed_rect(&self.prev, &self.cur, w as usize, bpp),
        };
        // An unchanged frame still takes its time on screen: one pixel, unchanged.
        let [x, y, rw, rh] = rect.unwrap_or([0, 0, 1, 1]);
        writer.reset_frame_position().map_err(perr)?;
        writer.set_frame_dimension(rw, rh).map_err(perr)?;
        writer.set_frame_position(x, y).map_err(perr)?;
        if [x, y, rw, rh] == [0, 0, w, h] {
            writer.write_image_data(&self.cur).map_err(perr)?;
        } else {
            let stride = w as usize * bpp;
            let mut part = Vec::with_capacity(rw as usize * rh as usize * bpp);
            for row in y..y + rh {
                let start = row as usize * stride + x as usize * bpp;
                part.extend_from_slice(&self.cur[start..start + rw as usize * bpp]);
            }
            writer.write_image_data(&part).map_err(perr)?;
        }
        self.written += 1;
        std::mem::swap(&mut self.prev, &mut self.cur);
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<PathBuf>> {
        if self.written != self.frames {
            return Err(Error::Internal(format!(
                "an APNG of {} frames given {}",
                self.frames, self.written
            )));
        }
        let writer = self
            .writer
            .take()
            .ok_or_else(|| Error::Internal("APNG finished twice".into()))?;
        writer.finish().map_err(|e| write_error(&self.dest, e))?;
        let ApngEncoder { tmp, dest, .. } = *self;
        place(tmp, &dest)?;
        Ok(vec![dest])
    }
}
