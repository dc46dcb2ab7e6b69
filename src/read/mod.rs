//! The read stage: every file a [`FigureSpec`] names, decoded once and checked against
//! its surface (vertex counts, label vertices, usable coordinates), with every frame of
//! every overlay kept. Nothing here decides what is drawn or how; `scene::build` does,
//! so a figure per frame of a movie reads its files once.

mod cache;
mod curv_sign;
mod volume;

pub use cache::Cache;

use std::path::Path;
use std::sync::Arc;

use crate::annotation::{Annotation, Label};
use crate::color::Cortex;
use crate::desc::values::FrameSel;
use crate::error::{Error, Result};
use crate::hemi::Hemi;
use crate::io::{Selection, SurfaceVertices};
use crate::mesh::Mesh;
use crate::spec::{FigureSpec, LayerKind, SurfaceInput};
use crate::Overlay;

/// Coordinates are millimetres; a surface larger than this is not a brain in mm, and
/// one far-off vertex would shrink every panel to a dot.
const MAX_EXTENT_MM: f32 = 1.0e5;

/// Everything a figure's files hold, checked, in the order of `FigureSpec::surfaces`.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Each hemisphere's files, as `FigureSpec::surfaces` lists them.
    pub surfaces: Vec<SurfaceData>,
    /// Notices for the user (a curvature file that could not be used, say).
    pub notices: Vec<String>,
}

/// A surface with what drawing it needs of it, derived once when it is decoded, in the
/// reader's thread: figures sharing a surface through a [`Cache`] share these too.
#[derive(Debug, Clone)]
pub struct Geometry {
    /// The surface, checked to be drawable (finite coordinates, faces, a millimetre
    /// extent).
    pub mesh: Arc<Mesh>,
    /// One normal per vertex ([`Mesh::vertex_normals`]), for lighting.
    pub normals: Arc<Vec<[f32; 3]>>,
    /// [`Mesh::outward_winding`], for culling.
    pub winding: Option<f32>,
}

/// One hemisphere's files. The `Arc`s are shared with the [`Cache`] and with other
/// figures that read the same files.
#[derive(Debug, Clone)]
pub struct SurfaceData {
    /// The hemisphere the files belong to.
    pub hemi: Hemi,
    /// The surface, checked to be drawable (finite coordinates, faces, a millimetre
    /// extent).
    pub mesh: Arc<Mesh>,
    /// Its normals, for lighting ([`Geometry::normals`]).
    pub normals: Arc<Vec<[f32; 3]>>,
    /// Its winding, for culling ([`Geometry::winding`]).
    pub winding: Option<f32>,
    /// Each overlay layer's file with all its frames (`FigureSpec::overlays` order);
    /// `None` where the layer has no file for this hemisphere.
    pub overlays: Vec<Option<Arc<Overlay>>>,
    /// The `--mask` label, read only when there is an overlay for it to hide.
    pub mask: Option<Arc<Label>>,
    /// This hemisphere's annotations and labels, with their index in `FigureSpec::layers`.
    pub layers: Vec<(usize, LayerData)>,
    /// The curvature, with at least one frame; `None` for flat grey.
    pub curv: Option<Arc<Overlay>>,
    /// The map drawn as contour lines, with at least one frame.
    pub contours: Option<Arc<Overlay>>,
}

/// An annotation or label as read.
#[derive(Debug, Clone)]
pub enum LayerData {
    /// A parcellation with one entry per vertex of the surface.
    Annotation(Arc<Annotation>),
    /// A vertex set whose vertices all exist on the surface.
    Label(Arc<Label>),
}

/// Reads every input of `spec` through `cache` (a new [`Cache`] for one figure, or one
/// shared by the figures of a batch), with every frame of every overlay.
pub fn read(spec: &FigureSpec, cache: &Cache) -> Result<Inputs> {
    read_frames(spec, cache, None)
}

/// Reads every input of `spec` as [`read`] does, keeping of each overlay layer's files
/// only the frames `frames` selects ([`Selection::frames`], [`Overlay::kept`]) when it
/// is given: a sequence of a few frames of a long series then holds those frames, not
/// the series. Layers with `--map` (which picks its frame by name or index after
/// reading), curvature, contour maps, masks and parcellations are read whole. A
/// selection that does not fit a file keeps all its frames; the caller reports it.
pub fn read_frames(spec: &FigureSpec, cache: &Cache, frames: Option<&FrameSel>) -> Result<Inputs> {
    // Volumes first, once, for both hemispheres.
    let mut t = std::time::Instant::now();
    let volume_notes = volume::preload(spec, cache)?;
    if !spec.volumes.files.is_empty() {
        crate::timing::stage("volumes", &mut t);
    }
    // The hemispheres are independent: read them in parallel (the first error wins, in
    // hemisphere order, so messages do not depend on timing).
    let read: Vec<Result<(SurfaceData, Vec<String>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = spec
            .surfaces
            .iter()
            .map(|input| scope.spawn(move || read_surface(spec, input, cache, frames)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|p| Err(Error::panicked("a reader thread", &*p)))
            })
            .collect()
    });
    let mut notices = volume_notes;
    let mut surfaces = Vec::with_capacity(read.len());
    for r in read {
        let (surface, notes) = r?;
        surfaces.push(surface);
        for n in notes {
            // Both hemispheres may say the same of a volume they share.
            if !notices.contains(&n) {
                notices.push(n);
            }
        }
    }
    // Contour maps after every surface, as their errors always came after the surfaces'.
    for (input, s) in spec.surfaces.iter().zip(&mut surfaces) {
        if let Some(p) = &input.contours {
            s.contours = Some(first_frame(per_vertex(input, &s.mesh, p, cache)?, p)?);
        }
    }
    Ok(Inputs { surfaces, notices })
}

/// Reads one hemisphere: surface, mask, overlays, annotations and labels, curvature.
fn read_surface(
    spec: &FigureSpec,
    input: &SurfaceInput,
    cache: &Cache,
    frames: Option<&FrameSel>,
) -> Result<(SurfaceData, Vec<String>)> {
    let mut notices = Vec::new();
    let Geometry {
        mesh,
        normals,
        winding,
    } = cache.surface(&input.surface, check_mesh)?;
    // What per-vertex files are checked against from their headers.
    let vertices = SurfaceVertices {
        surface: input.surface.clone(),
        n_vertices: mesh.vertices.len(),
    };
    let mask = match &input.mask {
        Some(m) if input.overlays.iter().any(Option::is_some) => {
            Some(mask_label(m, &mesh, input, cache)?)
        }
        _ => None,
    };
    let mut overlays = Vec::with_capacity(input.overlays.len());
    for (k, path) in input.overlays.iter().enumerate() {
        let Some(path) = path else {
            overlays.push(None);
            continue;
        };
        // The map of an overlay is picked from its frames by the scene, so every map of
        // one file shares one decoded copy; a layer without one keeps the frames asked for.
        let mapped = spec.overlays.get(k).is_none_or(|l| l.map.is_some());
        let sel = Selection {
            hemi: Some(input.hemi),
            map: None,
            frames: frames.filter(|_| !mapped).cloned(),
        };
        // A volume is sampled whole: its frames are few next to a series of vertices'.
        let ov = match spec.volumes.contains(path) {
            true => volume::overlay(spec, input, &mesh, path, cache, &mut notices)?,
            false => cache.overlay(path, &sel, &vertices)?,
        };
        check_count(input, &mesh, path, ov.n_vertices)?;
        overlays.push(Some(ov));
    }
    let mut layers = Vec::new();
    for (i, l) in spec.layers.iter().enumerate() {
        if l.hemi != input.hemi {
            continue;
        }
        let data = match l.kind {
            LayerKind::Annotation if spec.volumes.contains(&l.path) => LayerData::Annotation(
                volume::annotation(spec, input, &mesh, &l.path, cache, &mut notices)?,
            ),
            LayerKind::Annotation => {
                let sel = Selection {
                    hemi: Some(l.hemi),
                    map: spec.map.clone(),
                    frames: None,
                };
                let annot = cache.annotation(&l.path, &sel, &vertices)?;
                check_count(input, &mesh, &l.path, annot.n_vertices())?;
                LayerData::Annotation(annot)
            }
            LayerKind::Label(_) => {
                let label = cache.label(&l.path)?;
                check_label(&label, &l.path, &mesh, input, true)?;
                LayerData::Label(label)
            }
        };
        layers.push((i, data));
    }
    let curv = if spec.cortex == Cortex::None {
        None
    } else {
        curvature(spec, input, (&mesh, &normals), cache, &mut notices)?
    };
    let surface = SurfaceData {
        hemi: input.hemi,
        mesh,
        normals,
        winding,
        overlays,
        mask,
        layers,
        curv,
        contours: None,
    };
    Ok((surface, notices))
}

/// What a surface must satisfy to be drawn; checked once when it is decoded.
fn check_mesh(mesh: &Mesh, path: &Path) -> Result<()> {
    // A NaN coordinate would silently wreck the shared scale of every panel. Every
    // coordinate is tested without stopping at the first (a loop the compiler
    // vectorises); the vertex is looked for only when there is one.
    let finite = |v: &[f32]| v.iter().fold(true, |ok, c| ok & c.is_finite());
    if !finite(mesh.vertices.as_flattened()) {
        let i = mesh
            .vertices
            .iter()
            .position(|v| !finite(v))
            .unwrap_or_default();
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

/// Per-vertex data must have one value per vertex of the surface it is drawn on.
fn check_count(input: &SurfaceInput, mesh: &Mesh, data: &Path, count: usize) -> Result<()> {
    let n = mesh.vertices.len();
    if count != n {
        return Err(Error::VertexMismatch {
            surface: input.surface.clone(),
            surface_vertices: n,
            data: data.to_path_buf(),
            data_vertices: count,
        });
    }
    Ok(())
}

/// A label's vertices must exist on the surface (`hint`: say it may be another
/// subject's).
fn check_label(
    label: &Label,
    path: &Path,
    mesh: &Mesh,
    input: &SurfaceInput,
    hint: bool,
) -> Result<()> {
    let n = mesh.vertices.len();
    match label.vertices.iter().find(|&&v| v as usize >= n) {
        Some(v) => Err(Error::invalid(
            path,
            format!(
                "vertex {v} is beyond the {n} vertices of {}{}",
                input.surface.display(),
                if hint {
                    "; is the label for another subject or surface?"
                } else {
                    ""
                }
            ),
        )),
        None => Ok(()),
    }
}

/// The `--mask` label, read once for every overlay layer of the surface.
fn mask_label(path: &Path, mesh: &Mesh, input: &SurfaceInput, cache: &Cache) -> Result<Arc<Label>> {
    let label = cache.label(path)?;
    check_label(&label, path, mesh, input, false)?;
    Ok(label)
}

/// Per-vertex data of one frame or more, matching the surface.
fn per_vertex(
    input: &SurfaceInput,
    mesh: &Mesh,
    path: &Path,
    cache: &Cache,
) -> Result<Arc<Overlay>> {
    let sel = Selection {
        hemi: Some(input.hemi),
        map: None,
        frames: None,
    };
    let vertices = SurfaceVertices {
        surface: input.surface.clone(),
        n_vertices: mesh.vertices.len(),
    };
    let ov = cache.overlay(path, &sel, &vertices)?;
    check_count(input, mesh, path, ov.n_vertices)?;
    Ok(ov)
}

/// Data of which only the first frame is drawn (curvature, contour maps) must have one.
fn first_frame(ov: Arc<Overlay>, path: &Path) -> Result<Arc<Overlay>> {
    if ov.frame(0).is_none() {
        return Err(Error::invalid(path, "holds no values (0 frames)"));
    }
    Ok(ov)
}

/// The curvature: an error when the user named the file, a note and flat grey when a
/// file found beside the surface cannot be used.
/// Its sign is turned to FreeSurfer's (see `curv_sign`), with a note when that was not
/// plain.
fn curvature(
    spec: &FigureSpec,
    input: &SurfaceInput,
    (mesh, normals): (&Mesh, &[[f32; 3]]),
    cache: &Cache,
    notices: &mut Vec<String>,
) -> Result<Option<Arc<Overlay>>> {
    let Some(p) = &input.curv else {
        notices.push(format!(
            "no curvature for {} (pass --curv or put {}.curv, or HCP's sulc file, beside it): cortex is flat grey",
            input.surface.display(),
            input.hemi
        ));
        return Ok(None);
    };
    let read = || per_vertex(input, mesh, p, cache).and_then(|c| first_frame(c, p));
    let decide = |c: Arc<Overlay>| {
        let s = curv_sign::signed(spec.curv_sign, p, c, mesh, normals, &cache.limits());
        (s.curv, s.note)
    };
    let sel = Selection {
        hemi: Some(input.hemi),
        map: None,
        frames: None,
    };
    match cache.curvature(p, &sel, &input.surface, spec.curv_sign, read, decide) {
        Ok((c, note)) => {
            notices.extend(note);
            Ok(Some(c))
        }
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
