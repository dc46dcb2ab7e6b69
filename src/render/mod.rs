//! Rendering: a [`Scene`] (plain data) and a list of [`Panel`]s in, one image per panel
//! out. Backends only draw; every colour and camera decision was made upstream.

pub mod cpu;
pub mod egl;
mod gl;

use image::RgbaImage;

use crate::color::{ColorMapping, Cortex};
use crate::error::Result;
use crate::hemi::Hemi;
use crate::mesh::Mesh;
use crate::scene::{Camera, Light};

/// One hemisphere ready to draw.
#[derive(Debug, Clone)]
pub struct SceneSurface {
    pub hemi: Hemi,
    pub mesh: Mesh,
    pub normals: Vec<[f32; 3]>,
    pub curv: Option<Vec<f32>>,
    pub overlay: Option<Vec<f32>>,
    /// [`Mesh::outward_winding`], computed once.
    pub winding: Option<f32>,
    /// Filled annotation and label layers, in drawing order (at most [`MAX_LAYERS`]).
    pub layers: Vec<VertexLayer>,
    /// Borders of outlined layers, drawn `Scene::outline_px` wide over everything.
    pub lines: Vec<crate::scene::borders::Segment>,
}

/// Most categorical layers one surface can carry (the shader's uniform arrays).
pub const MAX_LAYERS: usize = 8;

/// A filled categorical layer (annotation or label): one colour per vertex, alpha 0 where
/// it draws nothing. Regions are decided per pixel by the nearest triangle corner.
#[derive(Debug, Clone)]
pub struct VertexLayer {
    pub colors: Vec<[u8; 4]>,
    /// Opacity multiplied into each colour's alpha.
    pub alpha: f32,
    /// Drawn over the overlay (given after it) rather than under it.
    pub over_overlay: bool,
}

/// Everything the backends draw.
#[derive(Debug, Clone)]
pub struct Scene {
    pub surfaces: Vec<SceneSurface>,
    pub mapping: Option<ColorMapping>,
    pub cortex: Cortex,
    /// Width of borders in pixels, the same at any figure size.
    pub outline_px: f32,
}

/// One view of one surface, with its exact orthographic window.
#[derive(Debug, Clone)]
pub struct Panel {
    pub surface: usize,
    pub camera: Camera,
    pub lights: [Light; 3],
    /// `[x0, x1, y0, y1]` along the camera's right and up axes, in millimetres.
    pub window: [f32; 4],
    /// `[near, far]` along the camera's eye axis (far < near: larger is nearer).
    pub depth: [f32; 2],
    pub width: u32,
    pub height: u32,
}

/// Rendering options that are not part of the picture's content.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// `--egl-device N`.
    pub egl_device: Option<usize>,
}

/// What drew the figure, for metadata and diagnostics.
#[derive(Debug, Clone)]
pub struct BackendInfo {
    pub origin: String,
    pub renderer: String,
    pub version: String,
    pub samples: i32,
}

/// Triangle indices of `surface` that face the camera of `panel`. On a closed surface
/// the others are hidden anyway; leaving them out halves the work of software
/// rasterizers, whose geometry stage is single-threaded. Other meshes keep every face.
pub fn visible_indices(surface: &SceneSurface, panel: &Panel) -> Vec<u32> {
    let faces = &surface.mesh.faces;
    let Some(winding) = surface.winding else {
        return faces.iter().flatten().copied().collect();
    };
    let v = &surface.mesh.vertices;
    let eye = panel.camera.eye.map(|x| x * winding);
    let mut out = Vec::with_capacity(faces.len() * 3 / 2 + 3);
    for f in faces {
        let [a, b, c] = f.map(|i| v[i as usize]);
        let n = crate::mesh::cross(crate::mesh::sub(b, a), crate::mesh::sub(c, a));
        if crate::mesh::dot(n, eye) > 0.0 {
            out.extend_from_slice(f);
        }
    }
    out
}

/// Renders every panel. Images are premultiplied RGBA with a transparent background, top
/// row first.
pub fn render(
    scene: &Scene,
    panels: &[Panel],
    opts: &RenderOptions,
) -> Result<(Vec<RgbaImage>, BackendInfo)> {
    let mut t = std::time::Instant::now();
    let ctx = egl::EglContext::new(opts.egl_device)?;
    crate::figure::stage("context", &mut t);
    let (images, mut info) = gl::render_panels(&ctx.gl, scene, panels)?;
    info.origin = ctx.origin.clone();
    Ok((images, info))
}

type Job = (Scene, Vec<Panel>);
type Outcome = Result<(Vec<RgbaImage>, BackendInfo)>;

/// A backend being started on its own thread: loading libEGL and the driver (tens of
/// milliseconds) overlaps with reading the inputs. The GL context lives and dies on
/// that thread, as EGL requires of a current context.
pub struct Pending {
    jobs: std::sync::mpsc::Sender<Job>,
    results: std::sync::mpsc::Receiver<Outcome>,
    thread: std::thread::JoinHandle<()>,
}

/// The render thread after its images were delivered, still tearing its context down.
/// Join it before the process exits: Mesa's exit handlers must not race a live context.
pub struct Finishing(std::thread::JoinHandle<()>);

impl Finishing {
    pub fn join(self) {
        let _ = self.0.join();
    }
}

/// Starts opening a rendering context in the background.
pub fn start(opts: RenderOptions) -> Pending {
    let (jobs, job_rx) = std::sync::mpsc::channel::<Job>();
    let (result_tx, results) = std::sync::mpsc::channel::<Outcome>();
    let thread = std::thread::spawn(move || {
        let mut t = std::time::Instant::now();
        let ctx = egl::EglContext::new(opts.egl_device);
        crate::figure::stage("context", &mut t);
        // No job arrives when reading the inputs failed: then just close.
        let Ok((scene, panels)) = job_rx.recv() else {
            return;
        };
        let outcome = ctx.as_ref().map_err(clone_error).and_then(|ctx| {
            let (images, mut info) = gl::render_panels(&ctx.gl, &scene, &panels)?;
            info.origin = ctx.origin.clone();
            Ok((images, info))
        });
        let _ = result_tx.send(outcome);
        // The context is torn down here, after the images were handed over, so the
        // figure is composed and written meanwhile.
        drop(ctx);
    });
    Pending {
        jobs,
        results,
        thread,
    }
}

/// Context errors are plain messages; rebuilding one keeps the context owned by the thread.
fn clone_error(e: &crate::error::Error) -> crate::error::Error {
    match e {
        crate::error::Error::Usage(m) => crate::error::Error::Usage(m.clone()),
        other => crate::error::Error::Render(other.to_string()),
    }
}

impl Pending {
    /// Renders on the background context once it is ready.
    pub fn render(self, scene: Scene, panels: Vec<Panel>) -> (Outcome, Finishing) {
        let lost =
            || crate::error::Error::Render("the rendering thread stopped unexpectedly".into());
        let outcome = match self.jobs.send((scene, panels)) {
            Ok(()) => self.results.recv().unwrap_or_else(|_| Err(lost())),
            Err(_) => Err(lost()),
        };
        (outcome, Finishing(self.thread))
    }

    /// Gives up without rendering (the inputs were bad) and waits for the thread, so the
    /// process does not exit while the driver is still starting.
    pub fn abandon(self) {
        drop(self.jobs);
        let _ = self.thread.join();
    }
}
