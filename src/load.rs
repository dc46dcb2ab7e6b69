//! The read stage: every input file of a [`FigureSpec`] → a [`Scene`], with the checks
//! that need more than one file (vertex counts) or the data themselves (finite
//! coordinates, a surface with an extent).

use std::path::Path;

use crate::color::{ColorMapping, Cortex};
use crate::error::{Error, Result};
use crate::io;
use crate::mesh::Mesh;
use crate::render::{Scene, SceneSurface};
use crate::spec::{FigureSpec, SurfaceInput};

/// Coordinates are millimetres; a surface larger than this is not a brain in mm, and
/// one far-off vertex would shrink every panel to a dot.
const MAX_EXTENT_MM: f32 = 1.0e5;

/// Reads every input of `spec` and builds the scene. Returns notices for the user.
pub fn load_scene(spec: &FigureSpec) -> Result<(Scene, Vec<String>)> {
    let mut notices = Vec::new();
    let mut surfaces = Vec::with_capacity(spec.surfaces.len());
    for input in &spec.surfaces {
        let mesh = io::read_surface(&input.surface)?;
        check_mesh(&mesh, &input.surface)?;
        let overlay = input
            .overlay
            .as_deref()
            .map(|p| per_vertex(input, mesh.vertices.len(), p, spec.frame))
            .transpose()?;
        let curv = if spec.cortex == Cortex::None {
            None
        } else {
            curvature(input, mesh.vertices.len(), &mut notices)?
        };
        let normals = mesh.vertex_normals();
        let winding = mesh.outward_winding();
        surfaces.push(SceneSurface {
            hemi: input.hemi,
            mesh,
            normals,
            curv,
            overlay,
            winding,
        });
    }
    let values: Vec<&[f32]> = surfaces
        .iter()
        .filter_map(|s| s.overlay.as_deref())
        .collect();
    let mapping = match &spec.overlay_style {
        Some(style) if !values.is_empty() => {
            if !values.iter().flat_map(|v| v.iter()).any(|v| v.is_finite()) {
                notices.push("the overlay has no finite values: nothing is coloured".to_string());
                None
            } else {
                Some(ColorMapping::resolve(style, &values)?)
            }
        }
        _ => None,
    };
    let scene = Scene {
        surfaces,
        mapping,
        cortex: spec.cortex,
    };
    Ok((scene, notices))
}

fn check_mesh(mesh: &Mesh, path: &Path) -> Result<()> {
    // A NaN coordinate would silently wreck the shared scale of every panel.
    if let Some(i) = mesh
        .vertices
        .iter()
        .position(|v| !v.iter().all(|c| c.is_finite()))
    {
        return Err(Error::invalid(
            path,
            format!(
                "vertex {i} has a non-finite coordinate {:?}",
                mesh.vertices[i]
            ),
        ));
    }
    if mesh.faces.is_empty() {
        return Err(Error::invalid(path, "the surface has no faces to draw"));
    }
    let (lo, hi) = mesh.bounds();
    let extent = (0..3).map(|k| hi[k] - lo[k]).fold(0.0f32, f32::max);
    if extent <= 0.0 {
        return Err(Error::invalid(
            path,
            "all vertices are at the same point; nothing to draw",
        ));
    }
    if extent > MAX_EXTENT_MM {
        return Err(Error::invalid(
            path,
            format!("the vertices span {extent:.3e} mm (at most {MAX_EXTENT_MM:.0e} expected for a surface in millimetres)"),
        ));
    }
    Ok(())
}

/// One frame of per-vertex data whose length must match the surface.
fn per_vertex(input: &SurfaceInput, n: usize, path: &Path, frame: usize) -> Result<Vec<f32>> {
    let sel = io::Selection {
        hemi: Some(input.hemi),
        map: None,
    };
    let ov = io::read_overlay(path, &sel)?;
    if ov.n_vertices != n {
        return Err(Error::VertexMismatch {
            surface: input.surface.clone(),
            surface_vertices: n,
            data: path.to_path_buf(),
            data_vertices: ov.n_vertices,
        });
    }
    ov.frame(frame).map(<[f32]>::to_vec).ok_or_else(|| {
        Error::Usage(format!(
            "--frame {frame}: {} has {} frame(s) (0..{})",
            path.display(),
            ov.n_frames,
            ov.n_frames.saturating_sub(1)
        ))
    })
}

/// The curvature: an error when the user named the file, a note and flat grey when a
/// file found beside the surface cannot be used.
fn curvature(
    input: &SurfaceInput,
    n: usize,
    notices: &mut Vec<String>,
) -> Result<Option<Vec<f32>>> {
    let Some(p) = &input.curv else {
        notices.push(format!(
            "no curvature for {} (pass --curv or put {}.curv beside it): cortex is flat grey",
            input.surface.display(),
            input.hemi
        ));
        return Ok(None);
    };
    match per_vertex(input, n, p, 0) {
        Ok(c) => Ok(Some(c)),
        Err(e) if !input.curv_given => {
            notices.push(format!(
                "ignoring {}: {e}; cortex is flat grey",
                p.display()
            ));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
