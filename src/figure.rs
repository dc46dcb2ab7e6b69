//! The whole pipeline for one figure: read → scene → layout → render → compose. Each
//! step returns its error with `?`; the renderer, which the caller owns, cleans up when
//! it is dropped.

use std::sync::Arc;

use image::RgbaImage;

use crate::color::ColorMapping;
use crate::error::Result;
use crate::montage::colorbar::BarStyle;
use crate::montage::{self, LayoutOptions};
use crate::output::facts::Facts;
use crate::read;
use crate::render::{self, BackendInfo, RenderOptions, Renderer};
use crate::scene::{self, RangeFrames, Scene};
use crate::spec::{Background, FigureSpec};

/// A finished figure and how it was made.
pub struct Figure {
    /// The whole figure, as it is written to the PNG.
    pub image: RgbaImage,
    /// Whether the PNG needs an alpha channel.
    pub alpha: bool,
    /// What drew the panels.
    pub backend: BackendInfo,
    /// Notices for the user (e.g. "no curvature found").
    pub notices: Vec<String>,
    /// The colour bars, one per overlay layer that colours anything, bottom first (for
    /// `--colorbar-file`, which [`output::write_figure`](crate::output::write_figure)
    /// writes).
    pub bars: Vec<(ColorMapping, BarStyle)>,
    /// Counts and value ranges of what was drawn, for the sidecar.
    pub facts: Facts,
}

/// A colour bar's text settings; points become pixels at the figure's resolution
/// (`--dpi`, else 96) and scale.
pub fn bar_style(spec: &FigureSpec, caption: Option<String>) -> crate::montage::colorbar::BarStyle {
    crate::montage::colorbar::BarStyle {
        caption,
        ticks: spec.colorbar_ticks,
        format: spec.colorbar_format,
        font_px: spec
            .font_size
            .map(|pt| pt * spec.dpi.unwrap_or(96) as f32 / 72.0 * spec.scale),
    }
}

/// The layout of the figure's panels and decorations.
fn plan_figure(
    spec: &FigureSpec,
    scene: &Scene,
    bars: &[(ColorMapping, BarStyle)],
) -> Result<montage::Plan> {
    let refs = bar_refs(bars);
    let mut opts = LayoutOptions {
        views: &spec.views,
        zoom: spec.zoom,
        layout: spec.layout.clone(),
        size: spec.size,
        colorbar: spec.colorbar && !bars.is_empty(),
        title: spec.title.is_some(),
        colorbar_label: bars.iter().any(|(_, b)| b.caption.is_some()),
        panel_labels: spec.panel_labels,
        scale: spec.scale,
        panel_size: spec.panel_size,
        colorbar_vertical: spec.colorbar_vertical,
        colorbar_side_units: crate::montage::colorbar::side_units_all(&refs),
        caption_px: bar_style(spec, None).font_px,
        split_views: spec.split_views,
        turn: spec
            .sequence
            .as_ref()
            .and_then(|q| q.turntable)
            .unwrap_or(0),
    };
    let mut plan = montage::plan(scene, &opts)?;
    // Vertical bars with text of a given size (`--font-size`) need the strip that text
    // takes, which is known only once the unit is: widen the strip and plan again.
    if let (true, Some(side)) = (opts.colorbar, plan.colorbar_side) {
        for _ in 0..4 {
            let need = crate::montage::colorbar::side_px_all(&refs, plan.unit);
            let have = plan.width.saturating_sub(side) as f32;
            if need <= have + 0.5 || plan.unit <= 0.0 {
                break;
            }
            opts.colorbar_side_units = need / plan.unit * 1.01;
            plan = montage::plan(scene, &opts)?;
        }
    }
    Ok(plan)
}

/// A note when `--size` gives both sides in another aspect ratio than the figure's: the
/// figure is centred with empty margins, and one side alone gives it without them.
pub(crate) fn margin_note(spec: &FigureSpec, plan: &montage::Plan) -> Option<String> {
    let (Some(w), Some(h)) = spec.size else {
        return None;
    };
    if !plan.has_margins() || spec.panel_size.is_some() {
        return None;
    }
    let unscaled = |v: u32| (v as f32 / spec.scale).round() as u32;
    let (bw, bh) = (unscaled(plan.width), unscaled(plan.height));
    let (side, one) = if plan.canvas.1 > plan.height {
        ("above and below", format!("{w}x"))
    } else {
        ("left and right", format!("x{h}"))
    };
    Some(format!(
        "--size {w}x{h}: the figure takes {bw}x{bh} of it, centred, with empty margins {side}; --size {one} (one side only) gives the figure without them"
    ))
}

/// The bars as the montage takes them.
pub(crate) fn bar_refs(bars: &[(ColorMapping, BarStyle)]) -> Vec<(&ColorMapping, BarStyle)> {
    bars.iter().map(|(m, b)| (m, b.clone())).collect()
}

/// The rendering options a figure asks for.
pub fn render_options(spec: &FigureSpec) -> RenderOptions {
    RenderOptions {
        backend: spec.backend,
        egl_device: spec.egl_device,
    }
}

/// Makes the figure described by `spec` with `renderer`.
pub fn render_figure(renderer: &Renderer, spec: &FigureSpec) -> Result<Figure> {
    render_figure_within(renderer, spec, &crate::io::Limits::default())
}

/// [`render_figure`] reading every input file within `limits` (the command-line program's
/// come from `SURFRENDER_MAX_MEMORY`, see [`crate::io::Limits::from_env`]).
pub fn render_figure_within(
    renderer: &Renderer,
    spec: &FigureSpec,
    limits: &crate::io::Limits,
) -> Result<Figure> {
    // The decoded files are let go as soon as the scene is built.
    let built = build_scene(spec, &read::Cache::with_limits(*limits))?;
    draw_figure(renderer, spec, built)
}

/// [`render_figure`] reading through `cache`, which figures of one process may share:
/// each file they have in common is read and decoded once.
pub fn render_figure_with(
    renderer: &Renderer,
    spec: &FigureSpec,
    cache: &read::Cache,
) -> Result<Figure> {
    let built = build_scene(spec, cache)?;
    draw_figure(renderer, spec, built)
}

/// What the read and scene stages hand to drawing.
struct Built {
    scene: Scene,
    /// For the user.
    notices: Vec<String>,
    /// Seconds between frames, when known.
    step: Option<f64>,
    facts: Facts,
}

/// The read and scene stages: the scene of `spec`, with what the figure records of its
/// inputs.
fn build_scene(spec: &FigureSpec, cache: &read::Cache) -> Result<Built> {
    let mut t = std::time::Instant::now();
    let inputs = read::read(spec, cache)?;
    crate::timing::stage("read", &mut t);
    let (scene, notes) = scene::build(&inputs, spec, &RangeFrames::Displayed)?;
    crate::timing::stage("scene", &mut t);
    Ok(Built {
        step: time_step(spec, &inputs),
        facts: Facts::of(spec, &inputs, &scene),
        scene,
        notices: [inputs.notices, notes].concat(),
    })
}

/// Layout, render and compose: the figure of the scene.
fn draw_figure(renderer: &Renderer, spec: &FigureSpec, built: Built) -> Result<Figure> {
    let Built {
        scene,
        notices,
        step,
        facts,
    } = built;
    let mut t = std::time::Instant::now();
    check_renderer(renderer, spec)?;
    let (plan, bars) = layout(spec, &scene)?;
    let mut notices = notices;
    notices.extend(margin_note(spec, &plan));
    crate::timing::stage("layout", &mut t);
    let scene_faces = face_counts(&scene);
    // The scene goes to the renderer's thread, which lets it go once it is drawn.
    let (images, backend) = renderer.render(Arc::new(scene), plan.panels.clone())?;
    crate::timing::stage("render", &mut t);
    check_panels(spec, &plan, &scene_faces, &images, &backend)?;
    let mut image = compose(spec, &plan, &images, &bars);
    images
        .into_iter()
        .for_each(|i| crate::recycle::give(i.into_raw()));
    if let Some(label) = &spec.time_label {
        let frame = spec.overlays.first().map_or(0, |l| l.frame);
        if label.shows_time() && step.is_none() {
            notices.push(NO_TIME_STEP.into());
        }
        let text = label.label(frame, step);
        crate::montage::time_label(&mut image, &plan, spec.background, &text);
    }
    crate::timing::stage("compose", &mut t);
    Ok(Figure {
        image,
        alpha: spec.background == Background::Transparent,
        backend,
        notices,
        bars,
        facts,
    })
}

/// The notice for `--time-label` over a file without a time step.
pub(crate) const NO_TIME_STEP: &str =
    "--time-label: the overlay's file has no time step; frames are numbered (give --tr SECONDS for times)";

/// Seconds between frames: `--tr`, else the time step of the first overlay layer's
/// file that has one.
pub(crate) fn time_step(spec: &FigureSpec, inputs: &read::Inputs) -> Option<f64> {
    spec.time_step.or_else(|| {
        (0..spec.overlays.len()).find_map(|k| {
            inputs.surfaces.iter().find_map(|s| {
                let ov = s.overlays.get(k)?.as_ref()?;
                ov.time_step.as_ref().map(|t| t.seconds)
            })
        })
    })
}

/// The figure records the backend it asks for: it must be drawn with that one.
pub(crate) fn check_renderer(renderer: &Renderer, spec: &FigureSpec) -> Result<()> {
    let wanted = render_options(spec);
    if renderer.options() != &wanted {
        return Err(crate::Error::Usage(format!(
            "this figure asks for --backend {}{}, but its renderer draws with {}; make a Renderer for it",
            wanted.backend.as_str(),
            wanted.egl_device.map(|d| format!(" --egl-device {d}")).unwrap_or_default(),
            renderer.options().backend.as_str()
        )));
    }
    Ok(())
}

/// The layout of `scene`'s figure and its colour bars: one per overlay layer that
/// colours anything, bottom layer first.
pub(crate) fn layout(
    spec: &FigureSpec,
    scene: &Scene,
) -> Result<(montage::Plan, Vec<(ColorMapping, BarStyle)>)> {
    let bars: Vec<(ColorMapping, BarStyle)> = scene
        .mappings
        .iter()
        .zip(&spec.overlays)
        .filter_map(|(m, layer)| Some((m.clone()?, bar_style(spec, layer.caption.clone()))))
        .collect();
    let plan = plan_figure(spec, scene, &bars)?;
    Ok((plan, bars))
}

/// Each surface's triangle count, for [`check_panels`].
pub(crate) fn face_counts(scene: &Scene) -> Vec<usize> {
    scene.surfaces.iter().map(|s| s.mesh.faces.len()).collect()
}

/// Refuses a panel that came out empty or uniform (unless `--allow-empty`).
pub(crate) fn check_panels(
    spec: &FigureSpec,
    plan: &montage::Plan,
    scene_faces: &[usize],
    images: &[RgbaImage],
    backend: &BackendInfo,
) -> Result<()> {
    if spec.allow_empty {
        return Ok(());
    }
    // Each panel by its hemisphere (or "both"), view and surface files, and its
    // triangle count.
    let panels: Vec<(String, usize)> = (plan.panels.iter().zip(&plan.names))
        .map(|(p, name)| {
            let files: Vec<String> = (p.parts.iter())
                .map(|q| spec.surfaces[q.surface].surface.display().to_string())
                .collect();
            let faces = (p.parts.iter())
                .map(|q| scene_faces.get(q.surface).copied().unwrap_or(0))
                .sum();
            (format!("{name} of {}", files.join(" and ")), faces)
        })
        .collect();
    render::check_not_blank(images, backend, &panels)
}

/// The panels' images set in the figure with its title and colour bars.
pub(crate) fn compose(
    spec: &FigureSpec,
    plan: &montage::Plan,
    images: &[RgbaImage],
    bars: &[(ColorMapping, BarStyle)],
) -> RgbaImage {
    montage::into_panels(backdrop(spec, plan, bars), plan, images)
}

/// The figure without its panels ([`montage::backdrop`]): the same for every frame of a
/// sequence.
pub(crate) fn backdrop(
    spec: &FigureSpec,
    plan: &montage::Plan,
    bars: &[(ColorMapping, BarStyle)],
) -> RgbaImage {
    let drawn = bar_refs(bars);
    montage::backdrop(
        plan,
        spec.background,
        if spec.colorbar { &drawn } else { &[] },
        spec.title.as_deref(),
        bar_style(spec, None).font_px,
    )
}
