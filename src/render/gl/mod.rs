//! The OpenGL 3.3 core renderer shared by every GL context: upload, draw each panel into
//! a multisampled FBO, resolve, read back. Programs are compiled once per context and
//! kept ([`Programs`]); everything else belongs to one job, except the objects of a
//! figure with a geometry key, which its next frame draws with (see draw.rs). All
//! `unsafe` here is glow's FFI.

use glow::HasContext;
use image::RgbaImage;

mod draw;
mod layers;
mod programs;
mod setup;

pub use programs::Programs;

use super::{BackendInfo, Panel};
use crate::error::Result;
use crate::scene::Scene;

/// GL_VENDOR, GL_RENDERER, GL_VERSION and GL_MAX_SAMPLES of the current context.
pub fn describe(gl: &glow::Context) -> (String, String, String, i32) {
    // SAFETY: plain queries on the current context.
    unsafe {
        (
            gl.get_parameter_string(glow::VENDOR),
            gl.get_parameter_string(glow::RENDERER),
            gl.get_parameter_string(glow::VERSION),
            gl.get_parameter_i32(glow::MAX_SAMPLES),
        )
    }
}

/// What the GL renderer needs of a context (EGL or OSMesa): current on this thread for as
/// long as the value lives.
pub trait Context {
    /// The context's function table.
    fn gl(&self) -> &glow::Context;
    /// How it was obtained, for metadata and diagnostics.
    fn origin(&self) -> &str;
}

/// A GL context and the programs compiled on it, serving job after job; the programs
/// (and the objects of the last figure with a geometry key) are deleted before the
/// context goes.
pub struct Session {
    programs: Programs,
    /// The objects of the last figure with a geometry key, for its next frame (boxed:
    /// most sessions never keep any).
    kept: Option<Box<draw::Kept>>,
    context: Box<dyn Context>,
}

impl Session {
    /// A session on `context`, with nothing compiled yet.
    pub fn new(context: Box<dyn Context>) -> Session {
        Session {
            programs: Programs::default(),
            kept: None,
            context,
        }
    }

    /// Draws every panel of `scene` (see [`render_panels`]).
    pub fn render(
        &mut self,
        scene: &Scene,
        panels: &[Panel],
    ) -> Result<(Vec<RgbaImage>, BackendInfo)> {
        let gl = self.context.gl();
        let (images, mut info) =
            render_panels(gl, &mut self.programs, &mut self.kept, scene, panels)?;
        info.origin = self.context.origin().to_string();
        Ok((images, info))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: the programs and kept objects were made on this context, which is
        // still current (it is dropped after this, with the fields).
        unsafe {
            if let Some(kept) = self.kept.take() {
                kept.release(self.context.gl());
            }
            self.programs.release(self.context.gl())
        }
    }
}

/// Draws all panels with the current context, compiling into `programs` (that
/// context's) what it does not hold yet, and drawing with the objects `kept` from the
/// last figure when `scene` is its next frame ([`crate::scene::Scene::geometry_key`]).
fn render_panels(
    gl: &glow::Context,
    programs: &mut Programs,
    kept: &mut Option<Box<draw::Kept>>,
    scene: &Scene,
    panels: &[Panel],
) -> Result<(Vec<RgbaImage>, BackendInfo)> {
    let mut res = setup::Resources::new(gl);
    // SAFETY: a context is current on this thread for the lifetime of `gl`; every object
    // created is owned by `res` and deleted on drop (after `unbind`) unless the figure
    // keeps it in `kept` (deleted by a later job or by the session's drop, on this
    // context), and the programs were compiled on this context.
    unsafe {
        let out = draw::run(&mut res, programs, scene, panels, kept);
        draw::unbind(gl);
        out
    }
}
