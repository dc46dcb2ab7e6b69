//! The built-in CPU renderer (helper implements this module).

use image::RgbaImage;

use super::{BackendInfo, Panel, Scene};
use crate::error::{Error, Result};

/// Renders every panel on the CPU; same output conventions as the GL path.
pub fn render_panels(scene: &Scene, panels: &[Panel]) -> Result<(Vec<RgbaImage>, BackendInfo)> {
    let _ = (scene, panels);
    Err(Error::Render("CPU renderer not yet implemented".into()))
}

/// What `surfrender backends` says about this renderer.
pub fn describe() -> String {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("surfrender CPU rasterizer ({threads} threads)")
}
