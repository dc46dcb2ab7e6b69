//! Sequences of frames from one command: the frames of a time series (`--frames`) or a
//! turn of the camera (`--turntable`), written as a PNG sequence, a GIF, an APNG or a
//! video ([`encode`]).
//!
//! The inputs are read once and the scene is built once: a frame only swaps the values
//! of the layers that move ([`scene::set_frame`]), with one colour range over every
//! frame shown, and the renderer keeps what it rasterised for the frame before (the
//! scenes share a [`Scene::geometry_key`]). Frame `k + 1` is drawn on the renderer's
//! thread while frame `k` is composed and encoded here.

pub mod encode;
mod record;

pub use record::sidecar_path;
use record::{sequence_record, OnePng, Progress};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::RgbaImage;

use crate::desc::values::{FramePart, FrameSel};
use crate::desc::FigureDesc;
use crate::error::{Error, Result};
use crate::figure;
use crate::read;
use crate::render::{BackendInfo, Panel, Renderer};
use crate::scene::{self, RangeFrames, Scene};
use crate::spec::{Background, FigureSpec, Sequence};
use encode::{FrameSink, SinkOptions};

/// What a written sequence holds, for its sidecar and the user.
#[derive(Debug, Clone)]
pub struct Written {
    /// The files written (one for an animation or a video, one per frame for a PNG
    /// sequence).
    pub files: Vec<PathBuf>,
    /// The overlay frame of each output frame (the one frame throughout a turntable).
    pub frames: Vec<usize>,
    /// Seconds between the overlay's frames, if known.
    pub time_step: Option<f64>,
    /// Notices for the user.
    pub notices: Vec<String>,
}

/// The overlay frames a sequence shows, the time step, and how many overlay frames the
/// moving layers have.
struct Selection {
    frames: Vec<usize>,
    moving: bool,
}

/// Checks the output and the encoder before anything is read: an unknown extension, a
/// pattern without `%d` for several frames, or a missing ffmpeg fails here.
pub fn check_output(spec: &FigureSpec, out: &Path) -> Result<()> {
    let Some(seq) = &spec.sequence else {
        return Ok(());
    };
    // The count is known here only for a turntable; any other sequence may have several.
    let n = seq.turntable.unwrap_or(2).max(2);
    match encode::format_of(out, n)? {
        Some(format) => encode::check(&format, &sink_options(spec, seq, (2, 2), n)),
        None => Ok(()),
    }
}

/// Renders the sequence `spec` describes and writes it to `out`, with one sidecar.
pub fn render_sequence(
    renderer: &Renderer,
    desc: &FigureDesc,
    spec: &FigureSpec,
    out: &Path,
    limits: &crate::io::Limits,
) -> Result<Written> {
    let seq = spec
        .sequence
        .as_ref()
        .ok_or_else(|| Error::Internal("render_sequence needs --frames or --turntable".into()))?;
    check_output(spec, out)?;
    figure::check_renderer(renderer, spec)?;
    let (frames, notices) = Frames::prepare(spec, seq, limits)?;
    let format = encode::format_of(out, frames.count)?;
    let mut opts = sink_options(spec, seq, frames.plan.canvas, frames.count);
    // Each PNG frame, the GIF's comment and the video's tags say what made them.
    opts.metadata
        .push(("surfrender:command".into(), desc.canonical_command()));
    let mut sink: Box<dyn FrameSink> = match &format {
        Some(format) => encode::open(format, out, &opts)?,
        // One frame to a .png: a plain figure.
        None => Box::new(OnePng {
            path: out.to_path_buf(),
            opts,
            written: false,
        }),
    };
    let mut t = std::time::Instant::now();
    let backend = frames.draw(renderer, sink.as_mut())?;
    crate::timing::stage("frames", &mut t);
    let files = sink.finish()?;
    crate::timing::stage("encode end", &mut t);
    let written = Written {
        files,
        frames: (0..frames.count).map(|i| frames.frame_of(i)).collect(),
        time_step: frames.time_step,
        notices,
    };
    // One colour bar serves every frame: `--colorbar-file` is written once.
    if let Some(bar) = spec
        .colorbar_file
        .as_ref()
        .filter(|_| !frames.bars.is_empty())
    {
        let bars = figure::bar_refs(&frames.bars);
        let bytes = crate::montage::colorbar::file_bytes(
            bar,
            &bars,
            spec.colorbar_vertical,
            spec.background,
        )?;
        crate::output::write_atomic(bar, &bytes)?;
    }
    if spec.sidecar {
        let extra = sequence_record(seq, &written, &frames.base);
        let doc = crate::output::sidecar::document_with(
            desc,
            spec,
            &backend,
            [("sequence".to_string(), extra)].into_iter().collect(),
        )?;
        crate::output::write_atomic(&sidecar_path(format.as_ref(), out), &doc)?;
    }
    Ok(written)
}

/// What every frame of a sequence shares, prepared once: the inputs, the first frame's
/// scene with the colour ranges of all frames, the layout and the backdrop.
struct Frames<'a> {
    spec: &'a FigureSpec,
    seq: &'a Sequence,
    inputs: read::Inputs,
    sel: Selection,
    ranges: RangeFrames,
    base: Arc<Scene>,
    plan: crate::montage::Plan,
    /// The colour bars every frame shares.
    bars: Vec<(
        crate::color::ColorMapping,
        crate::montage::colorbar::BarStyle,
    )>,
    backdrop: RgbaImage,
    /// Lines drawn from the values (`--outline`) move with them: such frames are built
    /// in full, without the renderer's kept geometry.
    outlines_move: bool,
    time_step: Option<f64>,
    /// Frames written.
    count: usize,
}

impl<'a> Frames<'a> {
    /// Reads the inputs (only the frames shown) and builds the first frame.
    fn prepare(
        spec: &'a FigureSpec,
        seq: &'a Sequence,
        limits: &crate::io::Limits,
    ) -> Result<(Frames<'a>, Vec<String>)> {
        let mut t = std::time::Instant::now();
        let cache = read::Cache::with_limits(*limits);
        let inputs = read::read_frames(spec, &cache, frames_read(spec, seq).as_ref())?;
        crate::timing::stage("read", &mut t);
        let sel = select(spec, seq, &inputs)?;
        let ranges = match sel.moving {
            true => RangeFrames::Moving(sel.frames.clone()),
            false => RangeFrames::Displayed,
        };
        let first = showing(spec, &inputs, sel.frames[0]);
        let (mut base, scene_notes) = scene::build(&inputs, &first, &ranges)?;
        crate::timing::stage("scene", &mut t);
        let time_step = figure::time_step(spec, &inputs);
        let (plan, bars) = figure::layout(spec, &base)?;
        let mut notices: Vec<String> = [inputs.notices.clone(), scene_notes].concat();
        notices.extend(figure::margin_note(spec, &plan));
        if spec.time_label.as_ref().is_some_and(|f| f.shows_time()) && time_step.is_none() {
            notices.push(figure::NO_TIME_STEP.into());
        }
        let outlines_move = sel.moving && spec.overlays.iter().any(|l| l.outline);
        base.geometry_key = (!outlines_move && seq.turntable.is_none()).then(new_key);
        let frames = Frames {
            spec,
            seq,
            count: seq.turntable.unwrap_or(sel.frames.len()),
            backdrop: figure::backdrop(spec, &plan, &bars),
            bars,
            inputs,
            sel,
            ranges,
            base: Arc::new(base),
            plan,
            outlines_move,
            time_step,
        };
        Ok((frames, notices))
    }

    /// The overlay frame output frame `i` shows.
    fn frame_of(&self, i: usize) -> usize {
        self.sel.frames[if self.seq.turntable.is_some() { 0 } else { i }]
    }

    /// The scene of output frame `i`: the first frame's with the moving layers' values
    /// of frame `i` swapped in.
    fn scene_of(&self, i: usize) -> Result<Arc<Scene>> {
        if !self.sel.moving || i == 0 {
            return Ok(self.base.clone());
        }
        if self.outlines_move {
            let s = showing(self.spec, &self.inputs, self.frame_of(i));
            return Ok(Arc::new(scene::build(&self.inputs, &s, &self.ranges)?.0));
        }
        let mut s = Scene::clone(&self.base);
        scene::set_frame(&mut s, &self.inputs, self.spec, self.frame_of(i))?;
        Ok(Arc::new(s))
    }

    /// The panels of output frame `i`: turned by its share of the turn for a turntable.
    fn panels_of(&self, i: usize) -> Vec<Panel> {
        match self.seq.turntable {
            Some(n) if i > 0 => {
                let degrees = 360.0 * i as f32 / n as f32;
                crate::montage::turned(&self.plan.panels, &self.base, degrees)
            }
            _ => self.plan.panels.clone(),
        }
    }

    /// Draws every frame into `sink`; frame `i + 1` is drawn while frame `i` is composed
    /// and encoded. Returns what drew them.
    fn draw(&self, renderer: &Renderer, sink: &mut dyn FrameSink) -> Result<BackendInfo> {
        let progress = Progress::new(self.count);
        let mut timer = FrameTimer::default();
        let mut backend = None;
        let mut pending = Some(renderer.submit(self.scene_of(0)?, self.panels_of(0))?);
        for i in 0..self.count {
            let job = pending
                .take()
                .ok_or_else(|| Error::Internal("no frame pending".into()))?;
            let (images, drawn_by) = job.wait()?;
            timer.lap(0);
            if i + 1 < self.count {
                pending = Some(renderer.submit(self.scene_of(i + 1)?, self.panels_of(i + 1))?);
            }
            timer.lap(1);
            if i == 0 {
                let faces = figure::face_counts(&self.base);
                figure::check_panels(self.spec, &self.plan, &faces, &images, &drawn_by)?;
            }
            backend.get_or_insert(drawn_by);
            let image = self.compose(i, &images);
            timer.lap(2);
            sink.push(&image)?;
            timer.lap(3);
            progress.tick();
        }
        progress.finish();
        timer.report(self.count);
        backend.ok_or_else(|| Error::Internal("a sequence of no frames".into()))
    }

    /// Output frame `i` from its panels' images.
    fn compose(&self, i: usize, images: &[RgbaImage]) -> RgbaImage {
        let (spec, plan) = (self.spec, &self.plan);
        let mut image = crate::montage::with_panels(&self.backdrop, plan, images);
        if let Some(label) = &spec.time_label {
            let text = label.label(self.frame_of(i), self.time_step);
            crate::montage::time_label(&mut image, plan, spec.background, &text);
        }
        image
    }
}

/// `spec` with every moving overlay layer showing `frame`.
fn showing(spec: &FigureSpec, inputs: &read::Inputs, frame: usize) -> FigureSpec {
    let mut s = spec.clone();
    for (k, layer) in s.overlays.iter_mut().enumerate() {
        if moving_layer(spec, inputs, k) {
            layer.frame = frame;
        }
    }
    s
}

/// Where a frame's time goes (`SURFRENDER_TIMING`): waiting for the renderer, building
/// the next scene, composing, and handing the frame to the encoder.
struct FrameTimer {
    spent: [std::time::Duration; 4],
    clock: std::time::Instant,
}

impl Default for FrameTimer {
    fn default() -> FrameTimer {
        FrameTimer {
            spent: [std::time::Duration::ZERO; 4],
            clock: std::time::Instant::now(),
        }
    }
}

impl FrameTimer {
    fn lap(&mut self, k: usize) {
        let now = std::time::Instant::now();
        self.spent[k] += now - self.clock;
        self.clock = now;
    }

    fn report(&self, count: usize) {
        if !crate::timing::enabled() {
            return;
        }
        let names = ["render wait", "next scene", "compose", "encode push"];
        for (name, d) in names.iter().zip(self.spent) {
            let ms = d.as_secs_f64() * 1000.0;
            let per = ms / count.max(1) as f64;
            eprintln!("timing: {name:<11} {ms:7.1} ms ({per:.2} ms a frame)");
        }
    }
}

/// Whether overlay layer `k` moves over the frames ([`scene::moves`] on any of its files).
fn moving_layer(spec: &FigureSpec, inputs: &read::Inputs, k: usize) -> bool {
    inputs
        .surfaces
        .iter()
        .filter_map(|s| s.overlays.get(k)?.as_ref())
        .any(|ov| scene::moves(spec, k, ov))
}

/// The frames of the overlay layers to decode: `--frames`, or for a turntable without
/// it the one `--frame` of every layer, so that a short sequence of a long series holds
/// only what it shows. `None` (every frame) when the layers' `--frame`s differ, as
/// which frame then shows is decided after reading ([`select`]).
fn frames_read(spec: &FigureSpec, seq: &Sequence) -> Option<FrameSel> {
    if let Some(frames) = &seq.frames {
        return Some(frames.clone());
    }
    let mut shown = spec.overlays.iter().map(|l| l.frame);
    let first = shown.next()?;
    shown
        .all(|f| f == first)
        .then(|| FrameSel::Parts(vec![FramePart::One(first)]))
}

/// The overlay frames shown: `--frames` of the layers that move (all of which must have
/// the same count), else the figure's one frame.
fn select(spec: &FigureSpec, seq: &Sequence, inputs: &read::Inputs) -> Result<Selection> {
    let mut counts: Vec<(usize, PathBuf)> = Vec::new();
    for (input, data) in spec.surfaces.iter().zip(&inputs.surfaces) {
        for (k, (ov, path)) in data.overlays.iter().zip(&input.overlays).enumerate() {
            if let (Some(ov), Some(path)) = (ov, path) {
                if scene::moves(spec, k, ov) {
                    counts.push((ov.n_frames, path.clone()));
                }
            }
        }
    }
    let Some(sel) = &seq.frames else {
        let frame = spec.overlays.first().map_or(0, |l| l.frame);
        return Ok(Selection {
            frames: vec![frame],
            moving: false,
        });
    };
    let Some((n, _)) = counts.first().cloned() else {
        let what = match spec.overlays.is_empty() {
            true => "there is no --overlay".to_string(),
            false => "no overlay layer has more than one frame (a layer with --map shows one)"
                .to_string(),
        };
        return Err(Error::Usage(format!("--frames: {what}")));
    };
    if let Some((m, p)) = counts.iter().find(|(m, _)| *m != n) {
        return Err(Error::Usage(format!(
            "--frames: the overlays that move have different frame counts: {} has {n}, {} has {m}",
            counts[0].1.display(),
            p.display()
        )));
    }
    let frames = sel
        .frames(n)
        .map_err(|e| Error::Usage(format!("--frames: {e} ({})", counts[0].1.display())))?;
    if seq.turntable.is_some() && frames.len() != 1 {
        return Err(Error::Usage(format!(
            "--turntable turns one overlay frame; --frames selects {}: give one frame (--frame N or --frames N)",
            frames.len()
        )));
    }
    Ok(Selection {
        frames,
        moving: seq.turntable.is_none(),
    })
}

/// The encoder's settings for a figure of `size`.
fn sink_options(spec: &FigureSpec, seq: &Sequence, size: (u32, u32), frames: usize) -> SinkOptions {
    SinkOptions {
        width: size.0,
        height: size.1,
        fps: seq.fps as f64,
        alpha: spec.background == Background::Transparent,
        ffmpeg: seq.ffmpeg.clone(),
        metadata: vec![(
            "Software".to_string(),
            format!("surfrender {}", env!("CARGO_PKG_VERSION")),
        )],
        frames,
        dpi: spec.dpi,
        png_compression: spec.png_compression,
    }
}

/// A key no other sequence of this process uses.
fn new_key() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    (u64::from(std::process::id()) << 32) | NEXT.fetch_add(1, Ordering::Relaxed)
}
