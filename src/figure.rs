//! The whole pipeline for one figure: read → scene → layout → render → compose.

use image::RgbaImage;

use crate::error::Result;
use crate::montage::{self, LayoutOptions};
use crate::render::{self, BackendInfo, RenderOptions};
use crate::spec::{Background, FigureSpec};

/// A finished figure and how it was made.
pub struct Figure {
    pub image: RgbaImage,
    /// Whether the PNG needs an alpha channel.
    pub alpha: bool,
    pub backend: BackendInfo,
    /// Notices for the user (e.g. "no curvature found").
    pub notices: Vec<String>,
}

/// Prints how long a stage took when `SURFRENDER_TIMING` is set: the benchmark's
/// "where the time goes" comes from here.
pub fn stage(name: &str, since: &mut std::time::Instant) {
    if timing() {
        eprintln!(
            "timing: {name:<10} {:7.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
    *since = std::time::Instant::now();
}

/// The colour bar's text settings; points become pixels at the figure's resolution
/// (`--dpi`, else 96) and scale.
pub fn bar_style(spec: &FigureSpec) -> crate::montage::colorbar::BarStyle {
    crate::montage::colorbar::BarStyle {
        caption: spec.colorbar_label.clone(),
        ticks: spec.colorbar_ticks,
        format: spec.colorbar_format,
        font_px: spec
            .font_size
            .map(|pt| pt * spec.dpi.unwrap_or(96) as f32 / 72.0 * spec.scale),
    }
}

/// Whether `SURFRENDER_TIMING` is set (read once).
pub fn timing() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("SURFRENDER_TIMING").is_some())
}

/// Makes the figure described by `spec`.
pub fn render_figure(spec: &FigureSpec) -> Result<Figure> {
    let mut t = std::time::Instant::now();
    let backend = render::start(RenderOptions {
        backend: spec.backend,
        egl_device: spec.egl_device,
    });
    let (scene, notices) = match crate::load::load_scene(spec) {
        Ok(r) => r,
        Err(e) => {
            backend.abandon();
            return Err(e);
        }
    };
    stage("read", &mut t);
    let plan = match montage::plan(
        &scene,
        &LayoutOptions {
            views: &spec.views,
            zoom: spec.zoom,
            layout: spec.layout.clone(),
            size: spec.size,
            colorbar: spec.colorbar && scene.mapping.is_some(),
            title: spec.title.is_some(),
            colorbar_label: spec.colorbar_label.is_some(),
            panel_labels: spec.panel_labels,
            scale: spec.scale,
            panel_size: spec.panel_size,
            colorbar_vertical: spec.colorbar_vertical,
            colorbar_side_units: crate::montage::colorbar::side_units_all(
                &scene
                    .mapping
                    .iter()
                    .map(|m| (m, bar_style(spec)))
                    .collect::<Vec<_>>(),
            ),
        },
    ) {
        Ok(p) => p,
        Err(e) => {
            backend.abandon();
            return Err(e);
        }
    };
    stage("layout", &mut t);
    let mapping = scene.mapping.clone();
    let (outcome, finishing) = backend.render(scene, plan.panels.clone());
    let (images, backend) = match outcome {
        Ok(r) => r,
        Err(e) => {
            finishing.join();
            return Err(e);
        }
    };
    stage("render", &mut t);
    if !spec.allow_empty {
        if let Err(e) = render::check_not_blank(&images, &backend) {
            finishing.join();
            return Err(e);
        }
    }
    let bars: Vec<_> = mapping.iter().map(|m| (m, bar_style(spec))).collect();
    let image = montage::compose(
        &plan,
        &images,
        spec.background,
        if spec.colorbar { &bars } else { &[] },
        spec.title.as_deref(),
        bar_style(spec).font_px,
    );
    stage("compose", &mut t);
    finishing.join();
    stage("teardown", &mut t);
    if let Some(path) = spec.colorbar_file.as_ref().filter(|_| !bars.is_empty()) {
        crate::montage::colorbar::write_file(path, &bars, spec.colorbar_vertical, spec.background)?;
    }
    Ok(Figure {
        image,
        alpha: spec.background == Background::Transparent,
        backend,
        notices,
    })
}
