//! Animated GIF with one palette for the whole movie.
//!
//! A figure's colours come from a few lookup tables and greys under lighting, so one
//! palette chosen from the first frames fits the whole movie, and a colour is mapped to the
//! same index in every frame: nothing flickers, as it would with a palette per frame (and
//! no dithering, whose noise moves between frames). The palette is built from the first
//! [`PALETTE_FRAMES`] frames (held until then): the [`EXACT`] most frequent colours
//! exactly (background, text, flat fills), most of the rest by NeuQuant learning from the
//! pixels, and the last [`FARTHEST`] for the colours those serve worst; or every colour
//! exactly when there are at most 255. Each colour is then mapped to its
//! nearest palette entry once, and remembered in a table of all 2^24 colours that fills as
//! colours appear (16 MiB of address space, of which only the pages of colours met are
//! touched).
//!
//! Frames after the first cover only the rectangle that changed. With a transparent
//! background, pixels of alpha below 128 take a transparent index (GIF has no partial
//! transparency) and every frame is whole and disposed to the background, so that a pixel
//! that turns transparent does not show the frame before.
//!
//! Delays are in hundredths of a second: frame k is shown from `round(100·k/fps)` to
//! `round(100·(k+1)/fps)`, so 30 fps alternates 3 and 4 hundredths and the movie's length
//! stays exact. Players slow delays under 2 hundredths to 10, so at most 50 fps is
//! accepted.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use image::RgbaImage;

use super::worker::Encoder;
use super::{changed_rect, io_error, place, write_error, SinkOptions};
use crate::error::{Error, Result};
use crate::output::temp::TempFile;
use crate::output::Metadata;

/// Frames the palette is built from.
pub(super) const PALETTE_FRAMES: usize = 4;
/// The most frequent colours, kept exactly.
const EXACT: usize = 32;
/// Entries for the colours NeuQuant serves worst.
const FARTHEST: usize = 32;
/// Colours in the palette; index 255 is left for transparency (and marks unknown colours
/// in the table).
const COLORS: usize = 255;
/// Pixels NeuQuant learns from, about: of more, it samples one in `n` (its sampling
/// factor), which keeps the palette's cost near 0.1 s and changes its quality little.
const NEUQUANT_SAMPLES: usize = 200_000;
/// The fastest rate whose delay (2 hundredths) players respect.
pub(super) const MAX_FPS: f64 = 50.0;

/// Refuses what a GIF cannot hold.
pub(super) fn check(opts: &SinkOptions) -> Result<()> {
    if opts.width > u16::MAX as u32 || opts.height > u16::MAX as u32 {
        return Err(Error::Usage(format!(
            "a GIF is at most 65535 pixels wide and high, and this movie is {}x{}: use .apng, .mp4 or a PNG sequence",
            opts.width, opts.height
        )));
    }
    if opts.fps > MAX_FPS {
        return Err(Error::Usage(format!(
            "--fps {}: a GIF shows at most 50 frames a second (its delays are in hundredths of a second, and players slow shorter ones); use --fps 50 or less, or .apng, .mp4 or .webm",
            opts.fps
        )));
    }
    Ok(())
}

/// The delay of each frame in hundredths of a second (see the module's documentation).
pub(super) struct Clock {
    fps: f64,
    k: u64,
}

impl Clock {
    pub(super) fn new(fps: f64) -> Clock {
        Clock { fps, k: 0 }
    }

    pub(super) fn next_delay(&mut self) -> u16 {
        let at = |k: u64| (100.0 * k as f64 / self.fps).round() as u64;
        let d = at(self.k + 1) - at(self.k);
        self.k += 1;
        d.clamp(2, u16::MAX as u64) as u16
    }
}

/// The movie's palette and the colour → index table.
pub(super) struct Palette {
    rgb: Vec<[u8; 3]>,
    /// Index + 1 for each 24-bit colour met so far, 0 for one not yet looked up.
    table: Vec<u8>,
}

impl Palette {
    /// The palette for frames like `frames` (opaque pixels only when `alpha`).
    pub(super) fn build(frames: &[RgbaImage], alpha: bool) -> Palette {
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for frame in frames {
            // Runs of one colour (the background) are counted at once.
            let mut run: Option<(u32, u64)> = None;
            for p in frame.pixels() {
                if alpha && p[3] < 128 {
                    continue;
                }
                let key = u32::from_be_bytes([0, p[0], p[1], p[2]]);
                match &mut run {
                    Some((k, n)) if *k == key => *n += 1,
                    _ => {
                        if let Some((k, n)) = run.replace((key, 1)) {
                            *counts.entry(k).or_default() += n;
                        }
                    }
                }
            }
            if let Some((k, n)) = run {
                *counts.entry(k).or_default() += n;
            }
        }
        let mut colors: Vec<(u32, u64)> = counts.into_iter().collect();
        // Most frequent first; ties by colour, so the palette never depends on hashing.
        colors.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let rgb_of = |key: u32| {
            let [_, r, g, b] = key.to_be_bytes();
            [r, g, b]
        };
        let mut rgb: Vec<[u8; 3]> = colors.iter().take(EXACT).map(|c| rgb_of(c.0)).collect();
        if colors.len() <= COLORS {
            rgb = colors.iter().map(|c| rgb_of(c.0)).collect();
        } else {
            // NeuQuant learns from the pixels themselves, so that large areas (cortex
            // greys) get more entries than a colour met once; the exact colours are left
            // out of its sample.
            let exact: std::collections::HashSet<u32> =
                colors.iter().take(EXACT).map(|c| c.0).collect();
            let mut pixels = Vec::new();
            for frame in frames {
                for p in frame.pixels() {
                    let key = u32::from_be_bytes([0, p[0], p[1], p[2]]);
                    let transparent = alpha && p[3] < 128;
                    if !transparent && !exact.contains(&key) {
                        pixels.extend_from_slice(&[p[0], p[1], p[2], 255]);
                    }
                }
            }
            let samplefac = (pixels.len() / 4 / NEUQUANT_SAMPLES).clamp(1, 30) as i32;
            let nq = color_quant::NeuQuant::new(samplefac, COLORS - EXACT - FARTHEST, &pixels);
            for c in nq.color_map_rgb().chunks_exact(3) {
                let c = [c[0], c[1], c[2]];
                if !rgb.contains(&c) {
                    rgb.push(c);
                }
            }
            // NeuQuant, learning from areas, serves rare colours poorly (a colour bar's
            // end, a small bright blob): the colours worst served get entries of their
            // own, one at a time, which bounds the error of every colour seen.
            let distinct: Vec<[u8; 3]> = colors.iter().map(|c| rgb_of(c.0)).collect();
            let mut err: Vec<i32> = distinct
                .iter()
                .map(|c| rgb.iter().map(|p| distance(p, c)).min().unwrap_or(i32::MAX))
                .collect();
            while rgb.len() < COLORS {
                let Some((worst, &e)) = err
                    .iter()
                    .enumerate()
                    .max_by_key(|&(i, e)| (e, -(i as i64)))
                else {
                    break;
                };
                if e == 0 {
                    break;
                }
                let c = distinct[worst];
                rgb.push(c);
                for (d, e) in distinct.iter().zip(&mut err) {
                    *e = (*e).min(distance(d, &c));
                }
            }
        }
        Palette {
            rgb,
            table: vec![0; 1 << 24],
        }
    }

    /// Palette entries, the transparent one not counted.
    pub(super) fn len(&self) -> usize {
        self.rgb.len()
    }

    /// The palette as the GIF stores it, with a black entry for transparency when `alpha`.
    fn bytes(&self, alpha: bool) -> Vec<u8> {
        let mut bytes: Vec<u8> = self.rgb.iter().flatten().copied().collect();
        if alpha {
            bytes.extend_from_slice(&[0, 0, 0]);
        }
        bytes
    }

    /// The index of the entry nearest `key` (0xRRGGBB), looked up once per colour.
    fn index(&mut self, key: u32) -> u8 {
        let known = self.table[key as usize];
        if known != 0 {
            return known - 1;
        }
        let [_, r, g, b] = key.to_be_bytes();
        let best = (0..self.rgb.len())
            .min_by_key(|&i| distance(&self.rgb[i], &[r, g, b]))
            .unwrap_or(0) as u8;
        self.table[key as usize] = best + 1;
        best
    }

    /// Maps `frame` to indices in `out`; with `transparent`, pixels of alpha below 128
    /// take that index.
    pub(super) fn map(&mut self, frame: &RgbaImage, transparent: Option<u8>, out: &mut Vec<u8>) {
        out.clear();
        out.reserve(frame.as_raw().len() / 4);
        let mut last: Option<(u32, u8)> = None;
        for p in frame.as_raw().chunks_exact(4) {
            if let (Some(t), true) = (transparent, p[3] < 128) {
                out.push(t);
                continue;
            }
            let key = u32::from_be_bytes([0, p[0], p[1], p[2]]);
            let index = match last {
                Some((k, i)) if k == key => i,
                _ => self.index(key),
            };
            last = Some((key, index));
            out.push(index);
        }
    }

    /// The colour of index `i`.
    #[cfg(test)]
    pub(super) fn color(&self, i: u8) -> [u8; 3] {
        self.rgb[i as usize]
    }
}

/// How far apart two colours look: squared differences, green weighing most and blue
/// least, as the eye weighs them.
pub(super) fn distance(a: &[u8; 3], b: &[u8; 3]) -> i32 {
    let d = |i: usize| (a[i] as i32 - b[i] as i32).pow(2);
    2 * d(0) + 4 * d(1) + 3 * d(2)
}

type Writer = gif::Encoder<BufWriter<File>>;

pub(super) struct GifEncoder {
    /// Before `tmp`: fields drop in order, and an abandoned writer writes its trailer.
    writer: Option<Writer>,
    dest: PathBuf,
    tmp: TempFile,
    size: (u16, u16),
    alpha: bool,
    metadata: Metadata,
    clock: Clock,
    palette_frames: usize,
    /// Frames held until the palette is built.
    pending: Vec<RgbaImage>,
    palette: Option<Palette>,
    /// The last frame's indices (frames cover what changed since).
    prev: Vec<u8>,
    indices: Vec<u8>,
}

impl GifEncoder {
    pub(super) fn new(dest: &Path, opts: &SinkOptions) -> Result<GifEncoder> {
        let tmp = TempFile::beside(dest).map_err(io_error(dest))?;
        Ok(GifEncoder {
            writer: None,
            dest: dest.to_path_buf(),
            tmp,
            size: (opts.width as u16, opts.height as u16),
            alpha: opts.alpha,
            metadata: opts.metadata.clone(),
            clock: Clock::new(opts.fps),
            // A count of 0 is taken as unknown.
            palette_frames: match opts.frames {
                0 => PALETTE_FRAMES,
                n => n.min(PALETTE_FRAMES),
            },
            pending: Vec::new(),
            palette: None,
            prev: Vec::new(),
            indices: Vec::new(),
        })
    }

    /// Builds the palette from the frames held, starts the file and writes them.
    fn start(&mut self) -> Result<()> {
        let palette = Palette::build(&self.pending, self.alpha);
        let file = self.tmp.try_clone_file().map_err(io_error(&self.dest))?;
        let gerr = |e: gif::EncodingError| write_error(&self.dest, e);
        let (w, h) = self.size;
        let mut writer = gif::Encoder::new(BufWriter::new(file), w, h, &palette.bytes(self.alpha))
            .map_err(gerr)?;
        writer.set_repeat(gif::Repeat::Infinite).map_err(gerr)?;
        let comment: String = self
            .metadata
            .iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect();
        if !comment.is_empty() {
            let label = gif::AnyExtension(gif::Extension::Comment as u8);
            writer
                .write_raw_extension(label, &[comment.as_bytes()])
                .map_err(gerr)?;
        }
        self.writer = Some(writer);
        self.palette = Some(palette);
        for frame in std::mem::take(&mut self.pending) {
            self.write(&frame)?;
        }
        Ok(())
    }

    fn write(&mut self, frame: &RgbaImage) -> Result<()> {
        let (Some(palette), Some(writer)) = (&mut self.palette, &mut self.writer) else {
            return Err(Error::Internal("GIF frame before its palette".into()));
        };
        let transparent = self.alpha.then_some(palette.len() as u8);
        palette.map(frame, transparent, &mut self.indices);
        let (w, h) = (self.size.0 as u32, self.size.1 as u32);
        let rect = match (self.alpha, self.prev.is_empty()) {
            (false, false) => changed_rect(&self.prev, &self.indices, w as usize, 1),
            _ => Some([0, 0, w, h]),
        };
        // An unchanged frame still takes its time on screen: one pixel, unchanged.
        let [x, y, rw, rh] = rect.unwrap_or([0, 0, 1, 1]);
        let buffer: Vec<u8> = match [x, y, rw, rh] == [0, 0, w, h] {
            true => self.indices.clone(),
            false => (y..y + rh)
                .flat_map(|row| {
                    let start = (row * w + x) as usize;
                    self.indices[start..start + rw as usize].iter().copied()
                })
                .collect(),
        };
        let gif_frame = gif::Frame {
            delay: self.clock.next_delay(),
            dispose: match self.alpha {
                true => gif::DisposalMethod::Background,
                false => gif::DisposalMethod::Keep,
            },
            transparent,
            left: x as u16,
            top: y as u16,
            width: rw as u16,
            height: rh as u16,
            buffer: buffer.into(),
            ..gif::Frame::default()
        };
        writer
            .write_frame(&gif_frame)
            .map_err(|e| write_error(&self.dest, e))?;
        std::mem::swap(&mut self.prev, &mut self.indices);
        Ok(())
    }
}

impl Encoder for GifEncoder {
    fn frame(&mut self, frame: RgbaImage) -> Result<()> {
        if self.palette.is_some() {
            return self.write(&frame);
        }
        self.pending.push(frame);
        if self.pending.len() >= self.palette_frames {
            self.start()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<PathBuf>> {
        if self.palette.is_none() {
            if self.pending.is_empty() {
                return Err(Error::Internal("a GIF without frames".into()));
            }
            self.start()?;
        }
        let writer = self
            .writer
            .take()
            .ok_or_else(|| Error::Internal("GIF finished twice".into()))?;
        let buffered = writer
            .into_inner()
            .map_err(|e| write_error(&self.dest, e))?;
        let file = buffered
            .into_inner()
            .map_err(|e| io_error(&self.dest)(e.into_error()))?;
        drop(file);
        let GifEncoder { tmp, dest, .. } = *self;
        place(tmp, &dest)?;
        Ok(vec![dest])
    }
}
