//! Shader programs, compiled once per context: the surface program once per layer
//! stack (its defines), the others once. On llvmpipe compiling
//! costs milliseconds per program, and each program's first draw pays its JIT, so a
//! renderer that serves many figures keeps them.

use std::collections::HashMap;

use glow::HasContext;

use super::setup::gl_err;
use crate::error::{Error, Result};
use crate::render::MAX_LAYERS;

const VERT: &str = include_str!("../../../shaders/surface.vert");
const FRAG: &str = include_str!("../../../shaders/surface.frag");
const GEOM: &str = include_str!("../../../shaders/surface.geom");
const FOCI_VERT: &str = include_str!("../../../shaders/foci.vert");
const FOCI_FRAG: &str = include_str!("../../../shaders/foci.frag");
const LIGHTING: &str = include_str!("../../../shaders/lighting.glsl");
const LINES_VERT: &str = include_str!("../../../shaders/lines.vert");
const LINES_GEOM: &str = include_str!("../../../shaders/lines.geom");
const LINES_FRAG: &str = include_str!("../../../shaders/lines.frag");
const RESOLVE_VERT: &str = include_str!("../../../shaders/resolve.vert");
const RESOLVE_FRAG: &str = include_str!("../../../shaders/resolve.frag");

/// The layer stack a surface program is made for: each layer's kind and slot, in
/// drawing order. The shader is specialised to it (its layer loop unrolled, every kind
/// and slot a constant), because llvmpipe runs a loop over uniform-indexed layers at
/// half the speed; programs are kept per stack, and a batch has few stacks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct SurfaceKind {
    /// `(kind, slot)` of each layer that draws: kind 0 an annotation or label (slot: its
    /// block of rows in the colour texture), 1 an overlay (slot: its value slot).
    pub layers: Vec<(i32, usize)>,
    /// Whether the geometry stage runs (surface.geom), which annotations and labels need.
    /// It is decided per figure, not per surface: llvmpipe interpolates a shade
    /// differently with it, and both hemispheres of a figure are drawn alike.
    pub categorical: bool,
}

impl SurfaceKind {
    /// Overlay value slots per vertex.
    pub fn values(&self) -> usize {
        self.layers.iter().filter(|(k, _)| *k == 1).count()
    }

    /// The defines inserted after the version line of the surface shaders.
    fn defines(&self) -> String {
        let mut d = format!("#define MAX_LAYERS {MAX_LAYERS}\n");
        if !self.layers.is_empty() {
            let list = |f: fn(&(i32, usize)) -> String| {
                self.layers.iter().map(f).collect::<Vec<_>>().join(", ")
            };
            d.push_str(&format!(
                "#define LAYERS\n#define N_LAYERS {}\n#define LAYER_KINDS int[]({})\n#define LAYER_SLOTS int[]({})\n",
                self.layers.len(),
                list(|l| l.0.to_string()),
                list(|l| l.1.to_string()),
            ));
        }
        if self.values() > 0 {
            d.push_str(&format!(
                "#define VALUES\n#define N_VALUES {}\n",
                self.values()
            ));
        }
        if self.categorical {
            d.push_str("#define CATEGORICAL\n");
        }
        d
    }
}

/// The programs compiled so far on one context. They must be released with
/// [`Programs::release`] while that context is still current.
#[derive(Debug, Default)]
pub struct Programs {
    surface: HashMap<SurfaceKind, glow::Program>,
    foci: Option<glow::Program>,
    lines: Option<glow::Program>,
    resolve: Option<glow::Program>,
}

impl Programs {
    /// The surface program for surfaces with this layer stack.
    pub(super) unsafe fn surface(
        &mut self,
        gl: &glow::Context,
        kind: &SurfaceKind,
    ) -> Result<glow::Program> {
        if let Some(&p) = self.surface.get(kind) {
            return Ok(p);
        }
        let defines = kind.defines();
        let (vert, geom, frag) = (
            source(VERT, &defines),
            source(GEOM, &defines),
            source(FRAG, &defines),
        );
        let mut stages = vec![(glow::VERTEX_SHADER, vert.as_str(), "vert")];
        if kind.categorical {
            stages.push((glow::GEOMETRY_SHADER, geom.as_str(), "geom"));
        }
        stages.push((glow::FRAGMENT_SHADER, frag.as_str(), "frag"));
        let p = compile(gl, &stages, "surface")?;
        self.surface.insert(kind.clone(), p);
        Ok(p)
    }

    /// The program that draws foci.
    pub(super) unsafe fn foci(&mut self, gl: &glow::Context) -> Result<glow::Program> {
        let frag = source(FOCI_FRAG, "");
        once(&mut self.foci, || {
            compile(
                gl,
                &[
                    (glow::VERTEX_SHADER, FOCI_VERT, "vert"),
                    (glow::FRAGMENT_SHADER, frag.as_str(), "frag"),
                ],
                "foci",
            )
        })
    }

    /// The program that draws borders and contours.
    pub(super) unsafe fn lines(&mut self, gl: &glow::Context) -> Result<glow::Program> {
        once(&mut self.lines, || {
            compile(
                gl,
                &[
                    (glow::VERTEX_SHADER, LINES_VERT, "vert"),
                    (glow::GEOMETRY_SHADER, LINES_GEOM, "geom"),
                    (glow::FRAGMENT_SHADER, LINES_FRAG, "frag"),
                ],
                "lines",
            )
        })
    }

    /// The multisample resolve program.
    pub(super) unsafe fn resolve(&mut self, gl: &glow::Context) -> Result<glow::Program> {
        once(&mut self.resolve, || {
            compile(
                gl,
                &[
                    (glow::VERTEX_SHADER, RESOLVE_VERT, "vert"),
                    (glow::FRAGMENT_SHADER, RESOLVE_FRAG, "frag"),
                ],
                "resolve",
            )
        })
    }

    /// Deletes every program; `gl` must be the context they were compiled on, current.
    pub unsafe fn release(&mut self, gl: &glow::Context) {
        let all = self
            .surface
            .drain()
            .map(|(_, p)| p)
            .chain(self.foci.take())
            .chain(self.lines.take())
            .chain(self.resolve.take());
        for p in all {
            gl.delete_program(p);
        }
    }
}

/// The program in `slot`, compiled by `make` the first time.
fn once(
    slot: &mut Option<glow::Program>,
    make: impl FnOnce() -> Result<glow::Program>,
) -> Result<glow::Program> {
    if let Some(p) = *slot {
        return Ok(p);
    }
    let p = make()?;
    *slot = Some(p);
    Ok(p)
}

/// A shader's source with `defines` after its version line, and lighting.glsl where it
/// asks for it (one lighting for the cortex and the foci).
fn source(src: &str, defines: &str) -> String {
    src.replacen(
        "#version 330 core\n",
        &format!("#version 330 core\n{defines}"),
        1,
    )
    .replace("// @include lighting.glsl\n", LIGHTING)
}

/// Compiles and links a program from its stages (`(kind, source, file extension)`); a
/// failure shows the driver's log and the numbered source.
unsafe fn compile(
    gl: &glow::Context,
    stages: &[(u32, &str, &str)],
    name: &str,
) -> Result<glow::Program> {
    let program = gl.create_program().map_err(|e| gl_err("program", e))?;
    let mut shaders = Vec::new();
    for &(kind, src, ext) in stages {
        let sh = gl.create_shader(kind).map_err(|e| gl_err("shader", e))?;
        gl.shader_source(sh, src);
        gl.compile_shader(sh);
        if !gl.get_shader_compile_status(sh) {
            let log = gl.get_shader_info_log(sh);
            gl.delete_shader(sh);
            for sh in shaders {
                gl.delete_shader(sh);
            }
            gl.delete_program(program);
            return Err(Error::Render(format!(
                "shaders/{name}.{ext} does not compile:\n{log}\n{}",
                numbered(src)
            )));
        }
        gl.attach_shader(program, sh);
        shaders.push(sh);
    }
    gl.link_program(program);
    for sh in shaders {
        gl.detach_shader(program, sh);
        gl.delete_shader(sh);
    }
    if !gl.get_program_link_status(program) {
        let log = gl.get_program_info_log(program);
        gl.delete_program(program);
        return Err(Error::Render(format!(
            "shader program {name} does not link: {log}"
        )));
    }
    Ok(program)
}

fn numbered(src: &str) -> String {
    src.lines()
        .enumerate()
        .map(|(i, l)| format!("{:4} {l}\n", i + 1))
        .collect()
}
