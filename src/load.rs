//! The read stage: every input file of a [`FigureSpec`] → a [`Scene`], with the checks
//! that need more than one file (vertex counts) or the data themselves (finite
//! coordinates, a surface with an extent).

use std::path::Path;

use crate::color::{ColorMapping, Cortex};
use crate::error::{Error, Result};
use crate::io;
use crate::io::{MapSelector, Selection};
use crate::mesh::Mesh;
use crate::render::{Paint, Scene, SceneSurface, VertexLayer, MAX_LAYERS};
use crate::scene::borders::region_borders;
use crate::scene::contours::iso_lines;
use crate::scene::foci::FocusAt;
use crate::spec::ContourLevels;
use crate::spec::{FigureSpec, LayerInput, LayerKind, SurfaceInput};

/// Coordinates are millimetres; a surface larger than this is not a brain in mm, and
/// one far-off vertex would shrink every panel to a dot.
const MAX_EXTENT_MM: f32 = 1.0e5;

/// Reads every input of `spec` and builds the scene. Returns notices for the user.
pub fn load_scene(spec: &FigureSpec) -> Result<(Scene, Vec<String>)> {
    // The hemispheres are independent: read them in parallel (the first error wins, in
    // hemisphere order, so messages do not depend on timing).
    let loaded: Vec<Result<(SceneSurface, Vec<String>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = spec
            .surfaces
            .iter()
            .map(|input| scope.spawn(move || load_surface(spec, input)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Internal("a reader thread panicked".into())))
            })
            .collect()
    });
    let mut notices = Vec::new();
    let mut surfaces = Vec::with_capacity(loaded.len());
    for l in loaded {
        let (surface, notes) = l?;
        surfaces.push(surface);
        notices.extend(notes);
    }
    contour_lines(spec, &mut surfaces)?;
    add_foci(spec, &mut surfaces)?;
    let mut mappings = Vec::with_capacity(spec.overlays.len());
    for (k, layer) in spec.overlays.iter().enumerate() {
        let values: Vec<&[f32]> = surfaces.iter().filter_map(|s| s.values(k)).collect();
        if values.is_empty() {
            mappings.push(None);
            continue;
        }
        if !values.iter().flat_map(|v| v.iter()).any(|v| v.is_finite()) {
            notices.push(format!(
                "{} has no finite values: nothing of it is coloured",
                overlay_name(spec, k)
            ));
            mappings.push(None);
            continue;
        }
        let m = ColorMapping::resolve(&layer.style, &values)?;
        if layer.outline {
            outline_threshold(spec, k, &m, &mut surfaces, &mut notices);
        }
        mappings.push(Some(m));
    }
    let scene = Scene {
        surfaces,
        mappings,
        cortex: spec.cortex,
        // Lines keep their look when --scale enlarges the whole figure.
        outline_px: spec.outline_px * spec.scale,
    };
    Ok((scene, notices))
}

/// How notices name overlay layer `k`: its file when there is one file, else its number.
fn overlay_name(spec: &FigureSpec, k: usize) -> String {
    let files: Vec<String> = spec
        .surfaces
        .iter()
        .filter_map(|s| s.overlays.get(k).cloned().flatten())
        .map(|p| p.display().to_string())
        .collect();
    match (spec.overlays.len(), files.as_slice()) {
        (1, _) => "the overlay".to_string(),
        (_, [one]) => format!("overlay {one}"),
        _ => format!("overlay layer {} ({})", k + 1, files.join(", ")),
    }
}

/// Lines where overlay layer `k` crosses its threshold (`--outline`).
fn outline_threshold(
    spec: &FigureSpec,
    k: usize,
    m: &ColorMapping,
    surfaces: &mut [SceneSurface],
    notices: &mut Vec<String>,
) {
    let levels: Vec<f32> = match m.sign {
        _ if m.threshold <= 0.0 => Vec::new(),
        crate::color::Sign::Pos => vec![m.threshold],
        crate::color::Sign::Neg => vec![-m.threshold],
        crate::color::Sign::Abs => vec![m.threshold, -m.threshold],
    };
    if levels.is_empty() {
        notices.push(format!(
            "--outline of {} draws nothing without --threshold",
            overlay_name(spec, k)
        ));
    }
    let rgba = [
        spec.outline_color[0],
        spec.outline_color[1],
        spec.outline_color[2],
        255,
    ];
    for s in surfaces {
        let lines = match s.values(k) {
            Some(values) => iso_lines(&s.mesh, values, &levels, |_| rgba),
            None => continue,
        };
        s.lines.extend(lines);
    }
}

/// Reads one hemisphere: surface, overlay, curvature, annotations and labels.
fn load_surface(spec: &FigureSpec, input: &SurfaceInput) -> Result<(SceneSurface, Vec<String>)> {
    let mut notices = Vec::new();
    let mesh = io::read_surface(&input.surface)?;
    check_mesh(&mesh, &input.surface)?;
    // Every overlay layer, masked; the first is the surface's own overlay, the others
    // join the annotations and labels in the stack.
    let n = mesh.vertices.len();
    let mut overlay = None;
    // (stack key, layer): categorical layers at position p sort at 2p, overlay layer k at
    // 2k + 1, so each lies where the command line put it.
    let mut stack: Vec<(usize, VertexLayer)> = Vec::new();
    let keep = match &input.mask {
        Some(mask) if input.overlays.iter().any(Option::is_some) => {
            Some(mask_keep(mask, n, input)?)
        }
        _ => None,
    };
    for (k, path) in input.overlays.iter().enumerate() {
        let Some(path) = path else { continue };
        let (frame, map) = spec
            .overlays
            .get(k)
            .map_or((0, None), |l| (l.frame, l.map.as_ref()));
        let mut values = overlay_frame(input, n, path, frame, map)?;
        if let Some(keep) = &keep {
            for (v, &kept) in values.iter_mut().zip(keep) {
                if !kept {
                    *v = f32::NAN;
                }
            }
        }
        if k == 0 {
            overlay = Some(values);
        } else {
            let alpha = spec.overlays.get(k).map_or(1.0, |l| l.style.opacity);
            stack.push((
                2 * k + 1,
                VertexLayer {
                    paint: Paint::Values { values, layer: k },
                    alpha,
                    over_overlay: true,
                },
            ));
        }
    }
    let mut lines = Vec::new();
    for l in spec.layers.iter().filter(|l| l.hemi == input.hemi) {
        let colors = layer_colors(spec, input, n, l)?;
        if l.outline {
            let mut borders = region_borders(&mesh, &colors);
            if let Some(c) = spec.border_color {
                borders
                    .iter_mut()
                    .for_each(|s| s.rgba = [c[0], c[1], c[2], 255]);
            }
            lines.extend(borders);
        } else {
            stack.push((
                2 * l.position,
                VertexLayer {
                    paint: Paint::Colors(colors),
                    alpha: l.alpha,
                    over_overlay: l.position > 0,
                },
            ));
        }
    }
    stack.sort_by_key(|(key, _)| *key);
    let layers: Vec<VertexLayer> = stack.into_iter().map(|(_, l)| l).collect();
    if layers.len() > MAX_LAYERS {
        return Err(Error::Usage(format!(
            "{}: {} layers above the first overlay (filled annotations and labels, further overlays); at most {MAX_LAYERS} per hemisphere",
            input.hemi,
            layers.len(),
        )));
    }
    let curv = if spec.cortex == Cortex::None {
        None
    } else {
        curvature(input, mesh.vertices.len(), &mut notices)?
    };
    let normals = mesh.vertex_normals();
    let winding = mesh.outward_winding();
    let surface = SceneSurface {
        hemi: input.hemi,
        mesh,
        normals,
        curv,
        overlay,
        winding,
        layers,
        lines,
    };
    Ok((surface, notices))
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

/// Per-vertex data whose length must match the surface (all frames).
fn per_vertex_all(
    input: &SurfaceInput,
    n: usize,
    path: &Path,
    map: Option<&MapSelector>,
) -> Result<crate::Overlay> {
    let sel = Selection {
        hemi: Some(input.hemi),
        map: map.cloned(),
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
    Ok(ov)
}

/// One frame of per-vertex data whose length must match the surface.
fn per_vertex(input: &SurfaceInput, n: usize, path: &Path, frame: usize) -> Result<Vec<f32>> {
    let ov = per_vertex_all(input, n, path, None)?;
    pick_frame(&ov, path, frame, "frame")
}

fn pick_frame(ov: &crate::Overlay, path: &Path, frame: usize, flag: &str) -> Result<Vec<f32>> {
    ov.frame(frame).map(<[f32]>::to_vec).ok_or_else(|| {
        Error::Usage(format!(
            "{flag} {frame}: {} has {} frame(s) (0..{})",
            path.display(),
            ov.n_frames,
            ov.n_frames.saturating_sub(1)
        ))
    })
}

/// The overlay frame chosen by `--map` (index or name) or `--frame`.
fn overlay_frame(
    input: &SurfaceInput,
    n: usize,
    path: &Path,
    frame: usize,
    map: Option<&MapSelector>,
) -> Result<Vec<f32>> {
    let ov = per_vertex_all(input, n, path, map)?;
    let frame = match map {
        None => frame,
        Some(MapSelector::Index(i)) => *i,
        Some(MapSelector::Name(name)) => {
            ov.frame_names
                .iter()
                .position(|f| f == name)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--map {name}: {} has no map of that name{}",
                        path.display(),
                        if ov.frame_names.is_empty() {
                            " (its frames are unnamed; give an index)".to_string()
                        } else {
                            format!("; maps: {}", ov.frame_names.join(", "))
                        }
                    ))
                })?
        }
    };
    let flag = if map.is_some() { "--map" } else { "--frame" };
    pick_frame(&ov, path, frame, flag)
}

/// An annotation or label as per-vertex colours.
fn layer_colors(
    spec: &FigureSpec,
    input: &SurfaceInput,
    n: usize,
    l: &LayerInput,
) -> Result<Vec<[u8; 4]>> {
    let mut colors = vec![[0u8; 4]; n];
    match l.kind {
        LayerKind::Annotation => {
            let sel = Selection {
                hemi: Some(l.hemi),
                map: spec.map.clone(),
            };
            let annot = io::read_annotation(&l.path, &sel)?;
            if annot.n_vertices() != n {
                return Err(Error::VertexMismatch {
                    surface: input.surface.clone(),
                    surface_vertices: n,
                    data: l.path.clone(),
                    data_vertices: annot.n_vertices(),
                });
            }
            for (c, label) in colors.iter_mut().zip(&annot.labels) {
                if let Some(entry) = label.and_then(|i| annot.table.get(i as usize)) {
                    *c = entry.rgba;
                }
            }
        }
        LayerKind::Label(rgb) => {
            let label = io::read_label(&l.path)?;
            for &v in &label.vertices {
                let c = colors.get_mut(v as usize).ok_or_else(|| {
                    Error::invalid(
                        &l.path,
                        format!(
                            "vertex {v} is beyond the {n} vertices of {}; is the label for another subject or surface?",
                            input.surface.display()
                        ),
                    )
                })?;
                *c = [rgb[0], rgb[1], rgb[2], 255];
            }
        }
    }
    Ok(colors)
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

/// The vertices a mask label keeps (the others' overlay values become "no data"), read
/// once for every overlay layer of the surface.
fn mask_keep(mask: &Path, n: usize, input: &SurfaceInput) -> Result<Vec<bool>> {
    let label = io::read_label(mask)?;
    let mut keep = vec![false; n];
    for &v in &label.vertices {
        let k = keep.get_mut(v as usize).ok_or_else(|| {
            Error::invalid(
                mask,
                format!(
                    "vertex {v} is beyond the {n} vertices of {}",
                    input.surface.display()
                ),
            )
        })?;
        *k = true;
    }
    Ok(keep)
}

/// Contour lines of each surface's `contours` map, at the given levels or at evenly
/// spaced ones between the 2nd and 98th percentiles of all hemispheres' values.
fn contour_lines(spec: &FigureSpec, surfaces: &mut [SceneSurface]) -> Result<()> {
    let mut maps = Vec::new();
    for (input, s) in spec.surfaces.iter().zip(surfaces.iter()) {
        maps.push(match &input.contours {
            Some(p) => Some(per_vertex(input, s.mesh.vertices.len(), p, 0)?),
            None => None,
        });
    }
    if maps.iter().all(Option::is_none) {
        return Ok(());
    }
    let levels = match &spec.contour_levels {
        ContourLevels::Given(l) => l.clone(),
        ContourLevels::Count(n) => {
            let mut all: Vec<f32> = maps
                .iter()
                .flatten()
                .flatten()
                .copied()
                .filter(|v| v.is_finite())
                .collect();
            all.sort_unstable_by(f32::total_cmp);
            let (lo, hi) = (
                crate::color::percentile(&all, 2.0),
                crate::color::percentile(&all, 98.0),
            );
            (0..*n)
                .map(|k| lo + (hi - lo) * (k as f32 + 0.5) / *n as f32)
                .collect()
        }
    };
    let n = levels.len().max(1) as f32;
    for (s, map) in surfaces.iter_mut().zip(&maps) {
        if let Some(values) = map {
            let lines = iso_lines(&s.mesh, values, &levels, |k| {
                let c = spec.contour_cmap.sample((k as f32 + 0.5) / n);
                [c[0], c[1], c[2], 255]
            });
            s.lines.extend(lines);
        }
    }
    Ok(())
}

/// Appends each focus as a sphere to its hemisphere's mesh, coloured by a layer of its own.
fn add_foci(spec: &FigureSpec, surfaces: &mut [SceneSurface]) -> Result<()> {
    if spec.foci.is_empty() {
        return Ok(());
    }
    let unit = crate::scene::foci::unit_sphere();
    // The foci layer of each surface, once made.
    let mut foci_layer: Vec<Option<usize>> = vec![None; surfaces.len()];
    for focus in &spec.foci {
        let (index, centre) = match focus.at {
            FocusAt::Vertex(hemi, v) => {
                let i = surfaces
                    .iter()
                    .position(|s| s.hemi == hemi)
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "focus at {hemi} vertex {v}: no {hemi} surface is drawn"
                        ))
                    })?;
                let n = spec
                    .surfaces
                    .get(i)
                    .map_or(0, |_| surfaces[i].mesh.vertices.len());
                let p = surfaces[i]
                    .mesh
                    .vertices
                    .get(v as usize)
                    .copied()
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "focus at {hemi} vertex {v}: the surface has {n} vertices"
                        ))
                    })?;
                (i, p)
            }
            // The hemisphere with a vertex nearest to the point.
            FocusAt::Coords(p) => {
                let d2 = |s: &SceneSurface| {
                    s.mesh
                        .vertices
                        .iter()
                        .map(|v| (0..3).map(|k| (v[k] - p[k]).powi(2)).sum::<f32>())
                        .fold(f32::INFINITY, f32::min)
                };
                let i = (0..surfaces.len())
                    .min_by(|&a, &b| d2(&surfaces[a]).total_cmp(&d2(&surfaces[b])))
                    .unwrap_or(0);
                (i, p)
            }
        };
        let Some(s) = surfaces.get_mut(index) else {
            continue;
        };
        let base = s.mesh.vertices.len() as u32;
        let n_new = unit.vertices.len();
        s.mesh.vertices.extend(
            unit.vertices
                .iter()
                .map(|u| [0, 1, 2].map(|k| centre[k] + focus.radius * u[k])),
        );
        // Wound like the surface, so back-face culling treats the sphere alike.
        let flip = s.winding == Some(-1.0);
        s.mesh.faces.extend(unit.faces.iter().map(|&[a, b, c]| {
            if flip {
                [base + a, base + c, base + b]
            } else {
                [base + a, base + b, base + c]
            }
        }));
        s.normals.extend(unit.vertices.iter().copied());
        if let Some(c) = &mut s.curv {
            c.extend(std::iter::repeat_n(-1.0, n_new));
        }
        if let Some(o) = &mut s.overlay {
            o.extend(std::iter::repeat_n(f32::NAN, n_new));
        }
        for l in &mut s.layers {
            l.extend_empty(n_new);
        }
        let rgba = [focus.rgb[0], focus.rgb[1], focus.rgb[2], 255];
        let existing = foci_layer[index]
            .and_then(|l| s.layers.get_mut(l))
            .and_then(|l| match &mut l.paint {
                Paint::Colors(c) => Some(c),
                Paint::Values { .. } => None,
            });
        match existing {
            Some(colors) => colors[base as usize..].iter_mut().for_each(|c| *c = rgba),
            None => {
                if s.layers.len() >= MAX_LAYERS {
                    return Err(Error::Usage(format!(
                        "{}: the foci need a layer, and {MAX_LAYERS} layers above the first overlay are in use (filled annotations and labels, further overlays)",
                        s.hemi
                    )));
                }
                let mut colors = vec![[0u8; 4]; s.mesh.vertices.len()];
                colors[base as usize..].iter_mut().for_each(|c| *c = rgba);
                s.layers.push(VertexLayer {
                    paint: Paint::Colors(colors),
                    alpha: 1.0,
                    over_overlay: true,
                });
                foci_layer[index] = Some(s.layers.len() - 1);
            }
        }
    }
    Ok(())
}
