//! The whole pipeline for one figure: read → scene → layout → render → compose.

use std::path::Path;

use image::RgbaImage;

use crate::color::ColorMapping;
use crate::error::{Error, Result};
use crate::io;
use crate::montage::{self, LayoutOptions};
use crate::render::{self, BackendInfo, RenderOptions, Scene, SceneSurface};
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

/// Reads every input of `spec` and builds the scene, checking vertex counts.
pub fn load_scene(spec: &FigureSpec) -> Result<(Scene, Vec<String>)> {
    let mut notices = Vec::new();
    let mut surfaces = Vec::with_capacity(spec.surfaces.len());
    for input in &spec.surfaces {
        let mesh = io::read_surface(&input.surface)?;
        // A NaN coordinate would silently wreck the shared scale of every panel.
        if let Some(i) = mesh
            .vertices
            .iter()
            .position(|v| !v.iter().all(|c| c.is_finite()))
        {
            return Err(Error::invalid(
                &input.surface,
                format!(
                    "vertex {i} has a non-finite coordinate {:?}",
                    mesh.vertices[i]
                ),
            ));
        }
        if mesh.faces.is_empty() {
            return Err(Error::invalid(
                &input.surface,
                "the surface has no faces to draw",
            ));
        }
        let n = mesh.vertices.len();
        let per_vertex = |path: &Path, what: &str| -> Result<Vec<f32>> {
            let ov = io::read_overlay(path)?;
            if ov.n_vertices != n {
                return Err(Error::VertexMismatch {
                    surface: input.surface.clone(),
                    surface_vertices: n,
                    data: path.to_path_buf(),
                    data_vertices: ov.n_vertices,
                });
            }
            let frame = if what == "overlay" { spec.frame } else { 0 };
            ov.frame(frame).map(<[f32]>::to_vec).ok_or_else(|| {
                Error::Usage(format!(
                    "--frame {frame}: {} has {} frame(s) (0..{})",
                    path.display(),
                    ov.n_frames,
                    ov.n_frames.saturating_sub(1)
                ))
            })
        };
        let overlay = input
            .overlay
            .as_deref()
            .map(|p| per_vertex(p, "overlay"))
            .transpose()?;
        let curv = match (&input.curv, spec.cortex) {
            (_, crate::color::Cortex::None) => None,
            (Some(p), _) => Some(per_vertex(p, "curvature")?),
            (None, _) => {
                notices.push(format!(
                    "no curvature for {} (pass --curv or put {}.curv beside it): cortex is flat grey",
                    input.surface.display(),
                    input.hemi
                ));
                None
            }
        };
        let normals = mesh.vertex_normals();
        let winding = mesh.outward_winding();
        surfaces.push(SceneSurface {
            winding,
            hemi: input.hemi,
            mesh,
            normals,
            curv,
            overlay,
        });
    }
    let mapping = match &spec.overlay_style {
        Some(style) => {
            let values: Vec<&[f32]> = surfaces
                .iter()
                .filter_map(|s| s.overlay.as_deref())
                .collect();
            if values.is_empty() {
                None
            } else {
                Some(ColorMapping::resolve(style, &values)?)
            }
        }
        None => None,
    };
    Ok((
        Scene {
            surfaces,
            mapping,
            cortex: spec.cortex,
        },
        notices,
    ))
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

/// Whether `SURFRENDER_TIMING` is set (read once).
pub fn timing() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("SURFRENDER_TIMING").is_some())
}

/// Makes the figure described by `spec`.
pub fn render_figure(spec: &FigureSpec) -> Result<Figure> {
    let mut t = std::time::Instant::now();
    let backend = render::start(RenderOptions {
        egl_device: spec.egl_device,
    });
    let (scene, notices) = match load_scene(spec) {
        Ok(r) => r,
        Err(e) => {
            backend.abandon();
            return Err(e);
        }
    };
    stage("read", &mut t);
    let plan = montage::plan(
        &scene,
        &LayoutOptions {
            views: &spec.views,
            zoom: spec.zoom,
            layout: spec.layout,
            size: spec.size,
            colorbar: spec.colorbar && scene.mapping.is_some(),
            title: spec.title.is_some(),
        },
    );
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
    let image = montage::compose(
        &plan,
        &images,
        spec.background,
        mapping.as_ref().filter(|_| spec.colorbar),
        spec.title.as_deref(),
    );
    stage("compose", &mut t);
    finishing.join();
    stage("teardown", &mut t);
    Ok(Figure {
        image,
        alpha: spec.background == Background::Transparent,
        backend,
        notices,
    })
}
