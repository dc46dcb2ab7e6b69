//! surfrender: headless figures of cortical surfaces with scalar overlays.
//!
//! The pipeline, one module per stage, plain data between stages:
//!
//! ```text
//! desc (FigureDesc: the command line, spec files and programs describe a figure alike)
//!   → resolve (FigureSpec: defaults applied, files paired with hemispheres)
//!   → read (Inputs: meshes and every frame of every overlay, decoded once, shared by a Cache)
//!   → scene::build (Scene: layers coloured through color, views, lights, lines, foci)
//!   → render (Renderer: one backend for many figures, EGL/OSMesa + OpenGL or the CPU
//!     rasterizer) → montage (crop, tile, colour bars, text) → output (PNG + sidecar)
//! ```
//!
//! [`figure::render_figure`] runs the stages from `read` to `montage` for one
//! [`spec::FigureSpec`] on a [`render::Renderer`] that lives for many figures:
//!
//! ```no_run
//! use surfrender::{figure, output, render::Renderer, FigureDesc};
//!
//! let desc = FigureDesc::from_args(["surfrender", "lh.inflated", "--overlay", "lh.thickness"])?;
//! let spec = desc.resolve()?;
//! let renderer = Renderer::new(figure::render_options(&spec));
//! let fig = figure::render_figure(&renderer, &spec)?;
//! output::write_figure("thickness.png".as_ref(), &fig, &desc, &spec)?;
//! # Ok::<(), surfrender::Error>(())
//! ```
//!
//! `examples/many_figures.rs` draws several figures through one renderer and one read
//! cache. The readers ([`io`]) are usable on their own. [`report`] builds a static QC
//! page (`index.html`) of the figures in a folder. `unsafe` code lives only in the
//! GL/EGL/OSMesa modules of [`render`].

#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod annotation;
pub mod batch;
pub mod color;
pub mod desc;
pub mod error;
pub mod figure;
pub mod hemi;
pub mod io;
pub mod mesh;
pub mod montage;
pub mod movie;
pub mod output;
pub mod overlay;
pub mod read;
mod recycle;
pub mod render;
pub mod report;
mod resolve;
pub mod scene;
pub mod spec;
#[cfg(test)]
mod test_util;
mod text;
pub mod timing;
pub mod volume;

pub use desc::{FigureDesc, Layer};
pub use error::{Error, Result};
pub use mesh::Mesh;
pub use overlay::{Overlay, TimeStep};
pub use render::Renderer;
pub use spec::FigureSpec;
