//! The scene a renderer draws, as plain data: [`build`] turns a figure's read inputs
//! into a [`Scene`] (the frame each overlay shows, the layer stack, lines, foci, colour
//! mappings), and views, cameras and lights say how each panel sees it. No GL state
//! lives here.
//!
//! World coordinates are RAS (x right, y anterior, z superior). A view is a direction
//! from the surface towards the camera plus an up vector; the image's right-hand axis is
//! `forward × up`. The orientation conventions are documented in README.md and tested.

pub mod borders;
mod build;
pub mod contours;
pub mod foci;
mod model;
pub mod nodata;
mod view;

pub use build::{build, moves, set_frame, RangeFrames};
pub use model::{FociMesh, Paint, Scene, SceneSurface, VertexLayer};
pub use view::{Camera, View, ViewName};

use crate::hemi::Hemi;

/// A directional light relative to the camera: `dir` points from the surface towards
/// the light in camera coordinates (x right, y up, z towards the viewer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Light {
    /// Unit vector towards the light.
    pub dir: [f32; 3],
    /// Share of the diffuse light it gives.
    pub intensity: f32,
}

/// Mayavi's default "raymond" lights that PySurfer figures are lit by, with azimuths
/// mirrored for the right hemisphere as PySurfer does.
pub fn lights(hemi: Hemi) -> [Light; 3] {
    let mirror = if hemi == Hemi::Right { -1.0 } else { 1.0 };
    [(45.0, 45.0, 1.0), (-30.0, -60.0, 0.6), (-30.0, 60.0, 0.5)].map(
        |(elev, azim, intensity): (f32, f32, f32)| {
            let (e, a) = (elev.to_radians(), (mirror * azim).to_radians());
            Light {
                dir: [e.cos() * a.sin(), e.sin(), e.cos() * a.cos()],
                intensity,
            }
        },
    )
}

/// Ambient share of the shading, so surfaces turned from every light are not black.
pub const AMBIENT: f32 = 0.2;
