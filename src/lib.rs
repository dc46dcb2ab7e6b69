//! surfrender: headless figures of cortical surfaces with scalar overlays.
//!
//! The pipeline, one module per stage, plain data between stages:
//!
//! ```text
//! io + load (read) → Mesh / Overlay → color (threshold, colormap, cortex) → scene (views, camera, lights)
//!   → render (EGL + OpenGL into an FBO) → montage (crop, tile, colour bar, text) → output (PNG)
//! ```
//!
//! [`figure::render_figure`] runs the whole pipeline from a validated [`spec::FigureSpec`].

pub mod annotation;
pub mod color;
pub mod desc;
pub mod error;
pub mod figure;
pub mod hemi;
pub mod io;
pub mod mesh;
pub mod montage;
pub mod output;
pub mod overlay;
pub mod read;
pub mod render;
pub mod resolve;
pub mod scene;
pub mod spec;
pub mod text;
pub mod timing;

pub use desc::FigureDesc;
pub use error::{Error, Result};
pub use mesh::Mesh;
pub use overlay::Overlay;
