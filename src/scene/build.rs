//! Inputs → [`Scene`]: the frame each overlay layer shows, masks, the layer stack in
//! drawing order, region borders, contour and threshold lines, foci, and the colour
//! mapping of each overlay layer. Reads no file; the same [`Inputs`] build the scene of
//! any frame.

use crate::color::ColorMapping;
use crate::error::{Error, Result};
use crate::io::MapSelector;
use crate::read::{Inputs, LayerData, SurfaceData};
use crate::render::MAX_LAYERS;
use crate::scene::borders::{region_borders, Segment};
use crate::scene::contours::iso_lines;
use crate::scene::foci::{Focus, FocusAt};
use crate::scene::{FociMesh, Paint, Scene, SceneSurface, VertexLayer};
use crate::spec::{ContourLevels, FigureSpec, LayerInput, LayerKind, SurfaceInput};
use crate::Overlay;

/// The frames of each overlay layer that its colour range (percentile thresholds and
/// ranges, the sign shown) is resolved from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RangeFrames {
    /// The frame the layer shows (`--frame`, `--map`): each figure its own range.
    #[default]
    Displayed,
    /// Every frame of the layer's files: one range, one colour bar for all frames of a
    /// movie.
    All,
    /// These frames of every layer's files.
    These(Vec<usize>),
    /// These frames of the layers that move in a sequence ([`moves`]); every other layer
    /// its displayed frame.
    Moving(Vec<usize>),
}

/// Builds the scene of `spec` from its `inputs`; returns notices for the user.
pub fn build(
    inputs: &Inputs,
    spec: &FigureSpec,
    ranges: &RangeFrames,
) -> Result<(Scene, Vec<String>)> {
    // Hemispheres are independent (normals and borders cost milliseconds on large
    // meshes): build them in parallel, the first error in hemisphere order winning.
    let built: Vec<Result<SceneSurface>> = std::thread::scope(|scope| {
        let handles: Vec<_> = spec
            .surfaces
            .iter()
            .zip(&inputs.surfaces)
            .map(|(input, data)| scope.spawn(move || surface(spec, input, data)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|p| Err(Error::panicked("a scene thread", &*p)))
            })
            .collect()
    });
    let mut surfaces = built.into_iter().collect::<Result<Vec<_>>>()?;
    let mut notices = Vec::new();
    contour_lines(spec, inputs, &mut surfaces)?;
    add_foci(spec, &mut surfaces)?;
    let mut mappings = Vec::with_capacity(spec.overlays.len());
    for (k, layer) in spec.overlays.iter().enumerate() {
        let values = range_values(spec, inputs, &surfaces, k, ranges)?;
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
        let slices: Vec<&[f32]> = values.iter().map(|v| &**v).collect();
        let m = ColorMapping::resolve(&layer.style, &slices)?;
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
        edge_px: 0.5 * spec.outline_px * spec.scale,
        geometry_key: None,
    };
    Ok((scene, notices))
}

/// The values overlay layer `k`'s colour range is resolved from, one slice per frame
/// and hemisphere, masked as drawn.
fn range_values<'a>(
    spec: &FigureSpec,
    inputs: &'a Inputs,
    surfaces: &'a [SceneSurface],
    k: usize,
    ranges: &RangeFrames,
) -> Result<Vec<std::borrow::Cow<'a, [f32]>>> {
    use std::borrow::Cow;
    if *ranges == RangeFrames::Displayed {
        return Ok(surfaces
            .iter()
            .filter_map(|s| s.values(k).map(Cow::Borrowed))
            .collect());
    }
    let mut out = Vec::new();
    let surfs = spec.surfaces.iter().zip(&inputs.surfaces).zip(surfaces);
    for ((input, data), shown) in surfs {
        let (Some(Some(ov)), Some(Some(path))) = (data.overlays.get(k), input.overlays.get(k))
        else {
            continue;
        };
        let frames: Vec<usize> = match ranges {
            RangeFrames::These(f) => f.clone(),
            RangeFrames::Moving(f) if moves(spec, k, ov) => f.clone(),
            // A layer of one frame, or one --map, shows the same values in every frame.
            RangeFrames::Moving(_) => {
                out.extend(shown.values(k).map(Cow::Borrowed));
                continue;
            }
            // The frames held: all of them unless only some were read.
            _ => ov.held_frames(),
        };
        let keep = mask_keep(data);
        for f in frames {
            // Unmasked frames are read where they lie: a long series is not copied.
            match (&keep, ov.frame(f)) {
                (None, Some(values)) => out.push(Cow::Borrowed(values)),
                _ => {
                    let mut values = pick_frame(ov, path, f, "frame")?;
                    apply_mask(&mut values, keep.as_deref());
                    out.push(Cow::Owned(values));
                }
            }
        }
    }
    Ok(out)
}

/// Whether overlay layer `k` (of which `ov` is a file) changes over the frames of a
/// sequence: it has several frames and no `--map` picks one.
pub fn moves(spec: &FigureSpec, k: usize, ov: &Overlay) -> bool {
    ov.n_frames > 1 && spec.overlays.get(k).is_some_and(|l| l.map.is_none())
}

/// Shows frame `frame` of every overlay layer that moves ([`moves`]) in `scene`, a
/// scene built from the same `inputs` and `spec`: only the layers' values change, so the
/// renderer may reuse what it computed for another frame.
pub fn set_frame(
    scene: &mut Scene,
    inputs: &Inputs,
    spec: &FigureSpec,
    frame: usize,
) -> Result<()> {
    let surfs = spec.surfaces.iter().zip(&inputs.surfaces);
    for ((input, data), surf) in surfs.zip(&mut scene.surfaces) {
        let keep = mask_keep(data);
        for layer in &mut surf.layers {
            let Paint::Values { values, layer: k } = &mut layer.paint else {
                continue;
            };
            let (Some(Some(ov)), Some(Some(path))) =
                (data.overlays.get(*k), input.overlays.get(*k))
            else {
                continue;
            };
            if moves(spec, *k, ov) {
                *values = pick_frame(ov, path, frame, "--frames")?;
                apply_mask(values, keep.as_deref());
            }
        }
    }
    Ok(())
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

/// One hemisphere's surface: the shown frame of each overlay, masked; annotations and
/// labels filled or outlined; curvature, normals and winding.
fn surface(spec: &FigureSpec, input: &SurfaceInput, data: &SurfaceData) -> Result<SceneSurface> {
    let keep = mask_keep(data);
    // (stack key, layer): categorical layers at position p sort at 2p, overlay layer k at
    // 2k + 1, so each lies where the command line put it.
    let mut stack: Vec<(usize, VertexLayer)> = Vec::new();
    for (k, (ov, path)) in data.overlays.iter().zip(&input.overlays).enumerate() {
        let (Some(ov), Some(path)) = (ov, path) else {
            continue;
        };
        let (frame, map) = spec
            .overlays
            .get(k)
            .map_or((0, None), |l| (l.frame, l.map.as_ref()));
        let mut values = shown_frame(ov, path, frame, map)?;
        apply_mask(&mut values, keep.as_deref());
        let alpha = spec
            .overlays
            .get(k)
            .map_or(1.0, |l| l.style.opacity.clamp(0.0, 1.0));
        stack.push((
            2 * k + 1,
            VertexLayer {
                paint: Paint::Values { values, layer: k },
                alpha,
            },
        ));
    }
    let (mut lines, mut edges) = (Vec::new(), Vec::new());
    for (i, layer) in &data.layers {
        let Some(l) = spec.layers.get(*i) else {
            continue;
        };
        let colors = layer_colors(l, layer, data.mesh.vertices.len(), spec.annot_unknown);
        if l.outline {
            let mut borders = region_borders(&data.mesh, &colors);
            match spec.border_color {
                Some(c) => borders
                    .iter_mut()
                    .for_each(|s| s.rgba = [c[0], c[1], c[2], 255]),
                // A parcel's own colour may match the grey or the parcel behind its
                // border: a contrasting edge keeps every border visible.
                None if l.kind == LayerKind::Annotation => {
                    edges.extend(borders.iter().map(|s| Segment {
                        rgba: contrasting_edge(s.rgba),
                        ..*s
                    }));
                }
                None => {}
            }
            lines.extend(borders);
        }
        if l.fill {
            stack.push((
                2 * l.position,
                VertexLayer {
                    paint: Paint::Colors(colors),
                    alpha: l.alpha,
                },
            ));
        }
    }
    stack.sort_by_key(|(key, _)| *key);
    let layers: Vec<VertexLayer> = stack.into_iter().map(|(_, l)| l).collect();
    if layers.len() > MAX_LAYERS {
        return Err(Error::Usage(format!(
            "{}: {} layers (overlays, filled annotations and labels); at most {MAX_LAYERS} per hemisphere (the first plus at most {} more)",
            input.hemi,
            layers.len(),
            MAX_LAYERS - 1,
        )));
    }
    let mesh = std::sync::Arc::clone(&data.mesh);
    Ok(SceneSurface {
        hemi: input.hemi,
        normals: std::sync::Arc::clone(&data.normals),
        winding: data.winding,
        foci: FociMesh::default(),
        curv: data
            .curv
            .as_ref()
            .and_then(|c| c.frame(0))
            .map(<[f32]>::to_vec),
        layers,
        lines,
        edges,
        mesh,
    })
}

/// The edge drawn on both sides of a border line of colour `rgba`: black beside a light
/// line, white beside a dark one (Rec. 601 luma below one half), so that the line or its
/// edge differs from any cortex grey and from the parcels on either side.
pub fn contrasting_edge(rgba: [u8; 4]) -> [u8; 4] {
    let luma = 0.299 * rgba[0] as f32 + 0.587 * rgba[1] as f32 + 0.114 * rgba[2] as f32;
    if luma < 127.5 {
        [255, 255, 255, 255]
    } else {
        [0, 0, 0, 255]
    }
}

/// The vertices the `--mask` label keeps (the others' overlay values become "no data").
fn mask_keep(data: &SurfaceData) -> Option<Vec<bool>> {
    let label = data.mask.as_ref()?;
    let mut keep = vec![false; data.mesh.vertices.len()];
    for &v in &label.vertices {
        if let Some(k) = keep.get_mut(v as usize) {
            *k = true;
        }
    }
    Some(keep)
}

fn apply_mask(values: &mut [f32], keep: Option<&[bool]>) {
    if let Some(keep) = keep {
        for (v, &kept) in values.iter_mut().zip(keep) {
            if !kept {
                *v = f32::NAN;
            }
        }
    }
}

/// One frame's values; `flag` names the option that chose it in the error.
fn pick_frame(ov: &Overlay, path: &std::path::Path, frame: usize, flag: &str) -> Result<Vec<f32>> {
    ov.frame(frame).map(<[f32]>::to_vec).ok_or_else(|| {
        Error::Usage(format!(
            "{flag} {frame}: {} has {} frame(s) (0..{})",
            path.display(),
            ov.n_frames,
            ov.n_frames.saturating_sub(1)
        ))
    })
}

/// The frame chosen by `--map` (index or name) or `--frame`.
fn shown_frame(
    ov: &Overlay,
    path: &std::path::Path,
    frame: usize,
    map: Option<&MapSelector>,
) -> Result<Vec<f32>> {
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
    pick_frame(ov, path, frame, flag)
}

/// An annotation or label as per-vertex colours (alpha 0 where it draws nothing: no
/// label, and the regions that mean "no label" unless `unknown` asks for them).
fn layer_colors(l: &LayerInput, data: &LayerData, n: usize, unknown: bool) -> Vec<[u8; 4]> {
    let mut colors = vec![[0u8; 4]; n];
    match data {
        LayerData::Annotation(annot) => {
            let shown: Vec<Option<[u8; 4]>> = (0..annot.table.len())
                .map(|i| (unknown || !annot.is_unlabelled(i)).then(|| annot.table[i].rgba))
                .collect();
            for (c, label) in colors.iter_mut().zip(&annot.labels) {
                if let Some(Some(rgba)) = label.and_then(|i| shown.get(i as usize)) {
                    *c = *rgba;
                }
            }
        }
        LayerData::Label(label) => {
            // The read stage reads a label only for a `LayerKind::Label`.
            let [r, g, b] = match l.kind {
                LayerKind::Label(rgb) => rgb,
                LayerKind::Annotation => [255; 3],
            };
            for &v in &label.vertices {
                if let Some(c) = colors.get_mut(v as usize) {
                    *c = [r, g, b, 255];
                }
            }
        }
    }
    colors
}

/// Contour lines of each surface's `contours` map, at the given levels or at evenly
/// spaced ones between the 2nd and 98th percentiles of all hemispheres' values.
fn contour_lines(spec: &FigureSpec, inputs: &Inputs, surfaces: &mut [SceneSurface]) -> Result<()> {
    let maps: Vec<Option<&[f32]>> = inputs
        .surfaces
        .iter()
        .map(|d| d.contours.as_ref().and_then(|c| c.frame(0)))
        .collect();
    if maps.iter().all(Option::is_none) {
        return Ok(());
    }
    let levels = match &spec.contour_levels {
        ContourLevels::Given(l) => l.clone(),
        ContourLevels::Count(n) => {
            let mut all: Vec<f32> = maps
                .iter()
                .flatten()
                .flat_map(|m| m.iter())
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

/// Adds each focus to the foci mesh of the hemisphere it marks.
fn add_foci(spec: &FigureSpec, surfaces: &mut [SceneSurface]) -> Result<()> {
    if spec.foci.is_empty() {
        return Ok(());
    }
    let unit = crate::scene::foci::unit_sphere();
    for focus in &spec.foci {
        let (index, centre) = place_focus(focus, surfaces)?;
        let Some(s) = surfaces.get_mut(index) else {
            continue;
        };
        // Wound like the surface, so back-face culling treats the sphere alike.
        let flip = s.winding == Some(-1.0);
        let foci = &mut s.foci;
        let base = foci.mesh.vertices.len() as u32;
        foci.mesh.vertices.extend(
            unit.vertices
                .iter()
                .map(|u| [0, 1, 2].map(|k| centre[k] + focus.radius * u[k])),
        );
        foci.mesh.faces.extend(unit.faces.iter().map(|&[a, b, c]| {
            if flip {
                [base + a, base + c, base + b]
            } else {
                [base + a, base + b, base + c]
            }
        }));
        foci.normals.extend(unit.vertices.iter().copied());
        foci.colors
            .extend(std::iter::repeat_n(focus.rgb, unit.vertices.len()));
    }
    Ok(())
}

/// How far from the nearest vertex drawn a focus may be, in millimetres: a head is about
/// 200 mm across.
const MAX_FOCUS_DISTANCE: f32 = 1000.0;

/// The surface a focus goes on (the hemisphere it names, or the one with a vertex
/// nearest to its point) and its centre.
fn place_focus(focus: &Focus, surfaces: &[SceneSurface]) -> Result<(usize, [f32; 3])> {
    match focus.at {
        FocusAt::Vertex(hemi, v) => {
            let i = surfaces
                .iter()
                .position(|s| s.hemi == hemi)
                .ok_or_else(|| {
                    focus.error(format!(
                        "focus at {hemi} vertex {v}: no {hemi} surface is drawn"
                    ))
                })?;
            let vertices = &surfaces[i].mesh.vertices;
            let p = vertices.get(v as usize).copied().ok_or_else(|| {
                focus.error(format!(
                    "focus at {hemi} vertex {v}: the surface has {} vertices",
                    vertices.len()
                ))
            })?;
            Ok((i, p))
        }
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
            // A focus a metre from the cortex would shrink the brain to a dot (or
            // overflow the view): a slip of units or columns, refused by its source.
            let far = surfaces.get(i).map_or(0.0, |s| d2(s).sqrt());
            if far.is_nan() || far > MAX_FOCUS_DISTANCE {
                let [x, y, z] = p;
                return Err(focus.error(format!(
                    "focus at {x},{y},{z} is more than {MAX_FOCUS_DISTANCE} mm from the nearest vertex drawn; foci are in the surface's millimetres"
                )));
            }
            Ok((i, p))
        }
    }
}
