//! Choosing and running a backend: EGL (a GPU, or Mesa on the CPU), OSMesa, or the
//! built-in CPU renderer. `auto` takes a hardware GPU through EGL when there is one and
//! otherwise the fastest software path measured in benches/README.md.

use image::RgbaImage;

use super::egl::{self, EglContext, EGL_PACKAGES};
use super::osmesa::{OsMesaContext, OSMESA_PACKAGES};
use super::{cpu, gl, BackendInfo, Panel, RenderOptions};
use crate::error::{Error, Result};
use crate::scene::Scene;

/// `--backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendKind {
    /// A hardware GPU through EGL when there is one, else the fastest software path
    /// (`SOFTWARE_DEFAULT`).
    #[default]
    Auto,
    /// OpenGL through libEGL (a GPU, or Mesa's llvmpipe).
    Egl,
    /// OpenGL through libOSMesa (older Mesa).
    OsMesa,
    /// The built-in CPU rasterizer.
    Cpu,
}

impl BackendKind {
    /// The backend of a `--backend` value, in any case.
    pub fn parse(s: &str) -> Option<BackendKind> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Some(BackendKind::Auto),
            "egl" => Some(BackendKind::Egl),
            "osmesa" => Some(BackendKind::OsMesa),
            "cpu" => Some(BackendKind::Cpu),
            _ => None,
        }
    }

    /// The `--backend` value naming this backend.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Auto => "auto",
            BackendKind::Egl => "egl",
            BackendKind::OsMesa => "osmesa",
            BackendKind::Cpu => "cpu",
        }
    }
}

/// Without a hardware GPU, `auto` uses this backend: the fastest software path in
/// benches/README.md.
pub const SOFTWARE_DEFAULT: BackendKind = BackendKind::Cpu;

/// A backend ready to draw, owned by the renderer's thread: a GL context with its
/// compiled programs, or the CPU renderer's thread pool.
pub(super) enum Ready {
    Gl(gl::Session),
    Cpu(cpu::Pool),
}

impl Ready {
    /// Draws every panel of `scene`.
    pub(super) fn draw(
        &mut self,
        scene: &Scene,
        panels: &[Panel],
    ) -> Result<(Vec<RgbaImage>, BackendInfo)> {
        match self {
            Ready::Gl(session) => session.render(scene, panels),
            Ready::Cpu(pool) => pool.render(scene, panels),
        }
    }
}

/// Opens the backend `opts` asks for. A forced backend that cannot start is an error that
/// says what was tried, why it failed, what to install, and that `--backend cpu` always
/// works.
pub(super) fn open(opts: &RenderOptions) -> Result<Ready> {
    let way_out = "or render with --backend cpu (built in, needs no library)";
    let gl = |c: Box<dyn gl::Context>| Ready::Gl(gl::Session::new(c));
    let cpu = || Ok(Ready::Cpu(cpu::Pool::new(cpu::threads())));
    match opts.backend {
        BackendKind::Egl => EglContext::new(opts.egl_device)
            .map(|c| gl(Box::new(c)))
            .map_err(|e| match e {
                Error::Render(m) => Error::Render(format!("--backend egl: {m}\n  {way_out}")),
                other => other,
            }),
        BackendKind::OsMesa => OsMesaContext::new()
            .map(|c| gl(Box::new(c)))
            .map_err(|e| match e {
                Error::Render(m) => Error::Render(format!("--backend osmesa: {m}\n  {way_out}")),
                other => other,
            }),
        BackendKind::Cpu => cpu(),
        BackendKind::Auto => {
            let hardware = opts.egl_device.is_some() || egl::has_hardware_device();
            match (hardware, SOFTWARE_DEFAULT) {
                (true, _) | (false, BackendKind::Egl) => match EglContext::new(opts.egl_device) {
                    Ok(ctx) => Ok(gl(Box::new(ctx))),
                    Err(Error::Usage(m)) => Err(Error::Usage(m)),
                    // No usable EGL: the CPU renderer needs nothing.
                    Err(_) => cpu(),
                },
                (false, BackendKind::OsMesa) => match OsMesaContext::new() {
                    Ok(ctx) => Ok(gl(Box::new(ctx))),
                    Err(_) => cpu(),
                },
                (false, _) => cpu(),
            }
        }
    }
}

/// The most common silent failure of other tools is a blank or uniform image. A panel
/// with no surface pixels, or whose surface pixels are all one colour, is an error.
///
/// `panels` names each panel (`lh lateral of lh.inflated`). A uniform panel is a broken
/// GL driver's signature, not the CPU renderer's, and a surface of a few triangles (a
/// test mesh, a flat patch) is legitimately uniform: `faces` tells how many triangles
/// each panel's surface has, and a uniform panel is refused only from a GL backend drawing
/// a surface of at least [`UNIFORM_MIN_FACES`] triangles.
pub fn check_not_blank(
    images: &[RgbaImage],
    info: &BackendInfo,
    panels: &[(String, usize)],
) -> Result<()> {
    let cpu = info.origin == super::cpu::ORIGIN;
    let advice = if cpu {
        "; check --zoom, --azimuth/--elevation/--roll and the views, or give --allow-empty to accept it"
    } else {
        ", or the renderer failed: try --backend cpu, or --allow-empty to accept it"
    };
    for (img, (name, faces)) in images.iter().zip(panels) {
        // A surface of a few triangles may lie edge-on or in one colour in a view: valid
        // and tiny (nibabel's 3-vertex ascii.gii), not a failure.
        if *faces < UNIFORM_MIN_FACES {
            continue;
        }
        let mut surface = img.pixels().filter(|p| p[3] == 255);
        let Some(first) = surface.next() else {
            return Err(Error::Render(format!(
                "panel {name} came out empty ({} drew no surface pixels): the surface may be outside the view{advice}",
                info.renderer
            )));
        };
        let uniform = surface.all(|p| p == first);
        if uniform && !cpu {
            return Err(Error::Render(format!(
                "panel {name} is one uniform colour {:?} ({} drew no shading){advice}",
                &first.0[..3],
                info.renderer
            )));
        }
    }
    Ok(())
}

/// Fewer triangles than this may well be drawn in one colour (a flat patch).
pub const UNIFORM_MIN_FACES: usize = 100;

/// Packages that enable the GL backends, for `surfrender backends`.
pub fn packages_hint() -> String {
    format!("EGL: {EGL_PACKAGES}\n  OSMesa: {OSMESA_PACKAGES}")
}

/// What `surfrender backends` reports about one backend.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Probe {
    /// `egl`, `osmesa` or `cpu`.
    pub backend: &'static str,
    /// Whether a context could be made (always for `cpu`).
    pub works: bool,
    /// Why it does not work (the whole error chain).
    pub reason: Option<String>,
    /// GL_VENDOR.
    pub vendor: Option<String>,
    /// GL_RENDERER, or the CPU renderer's name.
    pub renderer: Option<String>,
    /// GL_VERSION, or surfrender's.
    pub version: Option<String>,
    /// GL_MAX_SAMPLES.
    pub max_samples: Option<i32>,
    /// EGL only: the devices, hardware first in `auto`'s order of preference.
    pub devices: Vec<DeviceInfo>,
}

/// One EGL device as `surfrender backends` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceInfo {
    /// The number `--egl-device` takes.
    pub index: usize,
    /// The driver's name for it.
    pub name: String,
    /// Not a software rasterizer.
    pub hardware: bool,
    /// The CUDA device number of an NVIDIA GPU.
    pub cuda_device: Option<i32>,
}

impl Probe {
    fn new(backend: &'static str) -> Probe {
        Probe {
            backend,
            works: false,
            reason: None,
            vendor: None,
            renderer: None,
            version: None,
            max_samples: None,
            devices: Vec::new(),
        }
    }

    fn with_gl(mut self, gl: &glow::Context) -> Probe {
        let (vendor, renderer, version, samples) = gl::describe(gl);
        self.works = true;
        self.vendor = Some(vendor);
        self.renderer = Some(renderer);
        self.version = Some(version);
        self.max_samples = Some(samples);
        self
    }
}

/// Tries every backend on this machine.
pub fn probe_all() -> Vec<Probe> {
    let mut egl_probe = Probe::new("egl");
    match egl::load() {
        Ok(lib) => {
            egl_probe.devices = egl::list_devices(&lib)
                .into_iter()
                .map(|d| DeviceInfo {
                    index: d.index,
                    name: d.name,
                    hardware: d.hardware,
                    cuda_device: d.cuda,
                })
                .collect();
            drop(lib);
            match EglContext::new(None) {
                Ok(ctx) => {
                    egl_probe = egl_probe.with_gl(&ctx.gl);
                    egl_probe.renderer = egl_probe
                        .renderer
                        .map(|r| format!("{r} via {}", ctx.origin));
                }
                Err(e) => egl_probe.reason = Some(e.to_string()),
            }
        }
        Err(e) => egl_probe.reason = Some(e.to_string()),
    }
    let mut os = Probe::new("osmesa");
    match OsMesaContext::new() {
        Ok(ctx) => os = os.with_gl(&ctx.gl),
        Err(e) => os.reason = Some(e.to_string()),
    }
    let mut cpu_probe = Probe::new("cpu");
    cpu_probe.works = true;
    cpu_probe.renderer = Some(cpu::describe());
    cpu_probe.version = Some(env!("CARGO_PKG_VERSION").to_string());
    cpu_probe.max_samples = Some(4);
    vec![egl_probe, os, cpu_probe]
}

/// The backend `auto` picks on this machine.
pub fn auto_choice() -> BackendKind {
    if egl::has_hardware_device() {
        BackendKind::Egl
    } else {
        SOFTWARE_DEFAULT
    }
}

/// `surfrender backends` in words: each backend, whether it works (with its renderer, or
/// why not), the EGL devices, which one `auto` picks, and what to install for the others.
pub fn describe_backends(probes: &[Probe], auto: BackendKind) -> String {
    use std::fmt::Write;
    let mut text = String::new();
    for p in probes {
        if p.works {
            let _ = writeln!(
                text,
                "{:<7} works: {}",
                p.backend,
                p.renderer.as_deref().unwrap_or("?")
            );
            if let (Some(vendor), Some(version)) = (&p.vendor, &p.version) {
                let _ = writeln!(
                    text,
                    "        GL_VENDOR {vendor}; GL_VERSION {version}; max MSAA samples {}",
                    p.max_samples.unwrap_or(0)
                );
            }
        } else {
            let reason = p.reason.as_deref().unwrap_or("unknown");
            let _ = writeln!(
                text,
                "{:<7} does not work: {}",
                p.backend,
                reason.replace('\n', "\n        ")
            );
        }
        for d in &p.devices {
            let _ = writeln!(
                text,
                "        device {}: {} ({}{})",
                d.index,
                d.name,
                if d.hardware { "hardware" } else { "software" },
                d.cuda_device
                    .map(|c| format!(", CUDA device {c}"))
                    .unwrap_or_default()
            );
        }
    }
    let _ = writeln!(text, "auto    renders with: {}", auto.as_str());
    if probes.iter().filter(|p| p.works).count() == 1 {
        let _ = writeln!(
            text,
            "\nOnly the built-in CPU renderer works here. To enable the others:\n  {}",
            packages_hint()
        );
    }
    text.trim_end().to_string()
}

/// A backend by name, as the command line and spec files give it (one message for both).
impl std::str::FromStr for BackendKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        BackendKind::parse(s).ok_or_else(|| format!("'{s}': expected auto, egl, osmesa or cpu"))
    }
}
