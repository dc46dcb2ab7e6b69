//! The resolve stage, [`FigureDesc`] → [`FigureSpec`]: every default applied, the files
//! paired with the hemispheres they belong to (by name, else in order; in subject mode
//! found in the subjects directory), and the stack turned into what the read stage
//! loads. Only the foci tables are read here (their rows are the figure's foci); the
//! readers report every other unreadable file with its name.

use std::path::PathBuf;

use crate::color::{OverlayStyle, Sign, LABEL_COLORS};
use crate::desc::values::{Degrees, Given, LayoutArg, Orientation, Outline};
use crate::desc::{FigureDesc, Layer, LayerKind};
use crate::error::{Error, Result};
use crate::hemi::Hemi;
use crate::scene::foci::{read_foci, Focus, FocusAt};
use crate::scene::View;
use crate::spec::{
    ContourLevels, FigureSpec, LayerInput, LayerKind as Kind, Layout, OverlayLayer, SurfaceInput,
};

pub mod brain;
mod files;
mod volumes;

use files::{assign, names, unsided, Files};

fn usage(msg: impl Into<String>) -> Error {
    Error::Usage(msg.into())
}

/// The value of an option that has a default (`effective` wrote it out).
fn set<T: Clone>(v: &Option<T>) -> Result<T> {
    v.clone()
        .ok_or_else(|| Error::Internal("an option without its default".into()))
}

impl FigureDesc {
    /// What the pipeline draws: defaults applied, files paired with hemispheres, the
    /// stack split into overlay layers and annotations/labels, foci read.
    pub fn resolve(&self) -> Result<FigureSpec> {
        if self.backend.is_none() {
            crate::desc::env_backend()?;
        }
        self.check_stack()?;
        let mut d = self.effective();
        volumes::volumes_as_overlay(&mut d);
        let volume_files = volumes::volume_files(&d);
        let mut notes = Vec::new();
        let files = Files::find(&d, !volume_files.is_empty())?;
        if files.default_brain {
            notes.push(brain::MNI_NOTE.to_string());
        }
        let hemis: Vec<Hemi> = files.surfaces.iter().map(|s| s.hemi).collect();
        let mut surfaces = files.surfaces.clone();
        let overlays = d.overlay_layers().collect::<Vec<_>>();
        pair_overlays(&overlays, &files, &hemis, &mut surfaces, &mut notes)?;
        files.per_surface(&d, &mut surfaces)?;
        if volume_files.is_empty() {
            notes.extend(volumes::unused_notes(&d));
        } else {
            volumes::sampling_surfaces(&d, &mut surfaces, &volume_files, &mut notes)?;
        }
        notes.extend(found_curv_notes(&surfaces));
        let layers = categorical_layers(&d, &files, &hemis)?;
        let foci = foci(&d, &surfaces)?;
        // A volume given as SURFACE is the overlay its options were typed for.
        let mut given = self.clone();
        volumes::volumes_as_overlay(&mut given);
        notes.extend(unused_notes(&given));
        // Left hemisphere first: it is the left column of the figure.
        surfaces.sort_by_key(|s| s.hemi);
        let spec = FigureSpec {
            subject: d.subject.clone(),
            foci,
            foci_files: d.foci.clone(),
            surfaces,
            map: dlabel_map(&d),
            cortex: *set(&d.cortex)?.value(),
            curv_sign: *set(&d.curv_sign)?.value(),
            layers,
            annot_unknown: d.annot_unknown == Some(true),
            outline_px: set(&d.outline_width)?.0,
            border_color: d.border_color.as_ref().map(|c| c.value().0),
            outline_color: set(&d.outline_color)?.value().0,
            contour_levels: match d.levels.as_slice() {
                [] => ContourLevels::Count(set(&d.n_contours)?.0),
                l => ContourLevels::Given(l.iter().map(|v| v.0).collect()),
            },
            contour_cmap: set(&d.contour_cmap)?.value().clone(),
            overlays: overlays
                .iter()
                .map(|l| overlay_layer(l, &d))
                .collect::<Result<_>>()?,
            views: views(&d),
            zoom: set(&d.zoom)?.0,
            layout: layout(&d)?,
            size: d
                .size
                .as_ref()
                .map_or((None, None), |s| (s.value().0, s.value().1)),
            background: *set(&d.background)?.value(),
            colorbar: d.colorbar != Some(false),
            sidecar: d.sidecar != Some(false),
            colorbar_vertical: *set(&d.cbar_orientation)?.value() == Orientation::Vertical,
            colorbar_ticks: d.cbar_ticks.map(|t| t.0),
            colorbar_format: *set(&d.cbar_format)?.value(),
            font_size: d.font_size.map(|f| f.0),
            colorbar_file: d.colorbar_file.clone(),
            panel_labels: d.panel_labels == Some(true),
            split_views: d.split_views == Some(true),
            panel_size: d.panel_size.as_ref().map(|p| (p.value().0, p.value().1)),
            scale: set(&d.scale)?.0,
            dpi: d.dpi.map(|x| x.0),
            png_compression: *set(&d.png_compression)?.value(),
            title: d
                .title
                .as_deref()
                .map(|t| subject_text(t, &d))
                .filter(|t| !t.trim().is_empty()),
            egl_device: d.egl_device.map(|i| i.0),
            backend: *set(&d.backend)?.value(),
            allow_empty: d.allow_empty == Some(true),
            sequence: sequence(&d),
            time_label: d.time_label.as_ref().map(|f| f.value().clone()),
            time_step: d.tr.map(|t| t.0 as f64),
            volumes: crate::spec::Volumes {
                lut: d.lut.clone().filter(|_| !volume_files.is_empty()),
                files: volume_files,
                sampling: volumes::sampling(&d),
                default_brain: files.default_brain,
            },
            notes,
        };
        check_layer_count(&spec)?;
        Ok(spec)
    }
}

/// Gives each surface its file of each overlay layer (by hemisphere), with a note for a
/// pair of files that look like two different maps.
fn pair_overlays(
    overlays: &[&Layer],
    files: &Files,
    hemis: &[Hemi],
    surfaces: &mut [SurfaceInput],
    notes: &mut Vec<String>,
) -> Result<()> {
    for s in surfaces.iter_mut() {
        s.overlays = vec![None; overlays.len()];
    }
    for (k, layer) in overlays.iter().enumerate() {
        let paths = files.expand(&layer.overlay, "surf", "");
        for (i, j) in assign("--overlay", &paths, hemis)? {
            surfaces[i].overlays[k] = Some(paths[j].clone());
        }
        if let [a, b] = paths.as_slice() {
            if unsided(a) != unsided(b) {
                notes.push(format!(
                    "overlay layer {} pairs {} with {}: one map, one colour scale; if they are two maps, give each hemisphere's files in turn or use --new-layer",
                    k + 1,
                    a.display(),
                    b.display()
                ));
            }
        }
    }
    Ok(())
}

/// A note for each curvature file found beside its surface under another name than
/// `<hemi>.curv`, so that the user sees which file shades the cortex.
fn found_curv_notes(surfaces: &[SurfaceInput]) -> impl Iterator<Item = String> + '_ {
    surfaces.iter().filter(|s| !s.curv_given).filter_map(|s| {
        let c = s.curv.as_ref()?;
        (!c.ends_with(format!("{}.curv", s.hemi))).then(|| {
            format!(
                "curvature for {}: {}, found beside it",
                s.surface.display(),
                c.display()
            )
        })
    })
}

/// A title or caption with `{subject}` filled in subject mode.
fn subject_text(text: &str, d: &FigureDesc) -> String {
    match &d.subject {
        Some(s) => crate::desc::template::fill_subject(text, s),
        None => text.to_string(),
    }
}

/// The sequence `--frames` or `--turntable` asks for.
fn sequence(d: &FigureDesc) -> Option<crate::spec::Sequence> {
    if d.frames.is_none() && d.turntable.is_none() {
        return None;
    }
    Some(crate::spec::Sequence {
        frames: d.frames.as_ref().map(|f| f.value().clone()),
        turntable: d.turntable.map(|t| t.0),
        fps: d.fps.map_or(crate::desc::DEFAULT_FPS, |f| f.0),
        ffmpeg: d.ffmpeg.clone(),
    })
}

/// The colouring of one overlay layer; its frame and map, else the figure's.
fn overlay_layer(l: &Layer, d: &FigureDesc) -> Result<OverlayLayer> {
    Ok(OverlayLayer {
        style: OverlayStyle {
            cmap: l
                .cmap
                .as_ref()
                .map_or(crate::color::CmapChoice::Auto, |c| c.value().clone()),
            threshold: l.threshold.map(|t| t.0),
            range: l.range.map(|r| (r.0, r.1)),
            sign: l.sign.as_ref().map_or(Sign::Abs, |s| *s.value()),
            symmetric: l.symmetric == Some(true),
            opacity: l.opacity.map_or(1.0, |o| o.0),
        },
        caption: l
            .cbar_label
            .as_deref()
            .map(|t| subject_text(t, d))
            .filter(|t| !t.trim().is_empty()),
        outline: l.outline == Some(true),
        frame: l.frame.or(d.frame).map_or(0, |f| f.0),
        map: l.map.clone().or_else(|| d.map.clone()),
    })
}

/// CIFTI dlabel annotations take the last `--map` given: the top layer's own, else the
/// figure's.
fn dlabel_map(d: &FigureDesc) -> Option<crate::io::MapSelector> {
    d.layers
        .iter()
        .rev()
        .find_map(|l| l.map.clone())
        .or_else(|| d.map.clone())
}

/// The views, turned as asked, in the order given (a grid layout names its own).
fn views(d: &FigureDesc) -> Vec<View> {
    let names: Vec<crate::scene::ViewName> = match d.layout.as_ref().map(Given::value) {
        Some(LayoutArg::Rows(rows)) => {
            let mut names = Vec::new();
            for v in rows.iter().flatten() {
                if !names.contains(v) {
                    names.push(*v);
                }
            }
            names
        }
        _ => d.views.iter().map(|v| *v.value()).collect(),
    };
    let turn = |v: &Option<Degrees>| v.map_or(0.0, |x| x.0);
    names
        .into_iter()
        .map(|n| {
            let mut view = View::named(n);
            view.azimuth = turn(&d.azimuth);
            view.elevation = turn(&d.elevation);
            view.roll = turn(&d.roll);
            view
        })
        .collect()
}

fn layout(d: &FigureDesc) -> Result<Layout> {
    Ok(match set(&d.layout)?.value() {
        LayoutArg::Grid => Layout::Grid,
        LayoutArg::Row => Layout::Row,
        LayoutArg::Column => Layout::Column,
        LayoutArg::Rows(rows) => {
            let names: Vec<_> = views(d).iter().map(|v| v.name).collect();
            let index = |v| names.iter().position(|n| *n == v).unwrap_or(0);
            Layout::Rows(
                rows.iter()
                    .map(|r| r.iter().map(|v| index(*v)).collect())
                    .collect(),
            )
        }
    })
}

/// Annotations and labels, each with its place in the stack: how many overlay layers lie
/// under it.
fn categorical_layers(d: &FigureDesc, files: &Files, hemis: &[Hemi]) -> Result<Vec<LayerInput>> {
    let mut annots: Vec<(PathBuf, usize)> = Vec::new();
    let mut labels_given = 0;
    // (file, overlay layers under it, colour); a label's default colour follows its
    // place among all labels given, and a bare name's two files share it.
    let mut labels: Vec<(PathBuf, usize, [u8; 3])> = Vec::new();
    let mut under = 0;
    for l in &d.layers {
        match l.kind() {
            Some(LayerKind::Overlay) => under += 1,
            Some(LayerKind::Annot) => annots.extend(
                files
                    .expand(&l.annot, "label", ".annot")
                    .into_iter()
                    .map(|p| (p, under)),
            ),
            Some(LayerKind::Label) => {
                for (k, name) in l.label.iter().enumerate() {
                    let color = l
                        .label_color
                        .get(k)
                        .map_or(LABEL_COLORS[labels_given % LABEL_COLORS.len()], |c| {
                            c.value().0
                        });
                    labels_given += 1;
                    let paths = files.expand(std::slice::from_ref(name), "label", ".label");
                    labels.extend(paths.into_iter().map(|p| (p, under, color)));
                }
            }
            None => {}
        }
    }
    let mut out = Vec::new();
    let paths: Vec<PathBuf> = annots.iter().map(|(p, _)| p.clone()).collect();
    let twice = (paths.iter().enumerate()).find(|(i, p)| paths[..*i].contains(p));
    if let Some((_, p)) = twice {
        return Err(usage(format!(
            "--annot {} is given twice; to fill a parcellation and draw its borders over the fill, give it once with --annot-outline=both (annot_outline = \"both\" in a spec)",
            p.display()
        )));
    }
    let outline = d.annot_outline.unwrap_or(Outline::Fill);
    // A label volume is sampled onto every hemisphere; the other files pair as usual.
    let (volumes, files_k): (Vec<usize>, Vec<usize>) =
        (0..paths.len()).partition(|&k| volumes::is_volume(&paths[k]));
    let per_hemi: Vec<PathBuf> = files_k.iter().map(|&k| paths[k].clone()).collect();
    let mut pairs: Vec<(usize, usize)> = assign("--annot", &per_hemi, hemis)?
        .into_iter()
        .map(|(i, j)| (i, files_k[j]))
        .collect();
    pairs.extend(
        volumes
            .iter()
            .flat_map(|&k| (0..hemis.len()).map(move |i| (i, k))),
    );
    if !volumes.is_empty() {
        pairs.sort_by_key(|&(i, k)| (k, i));
    }
    for (i, k) in pairs {
        out.push(LayerInput {
            hemi: hemis[i],
            path: paths[k].clone(),
            kind: Kind::Annotation,
            fill: outline.fills(),
            outline: outline.borders(),
            alpha: d.annot_alpha.map_or(1.0, |a| a.0),
            position: annots[k].1,
        });
    }
    for (p, position, color) in labels {
        let hemi = match Hemi::from_path(&p) {
            Some(h) if hemis.contains(&h) => h,
            Some(h) => {
                return Err(usage(format!(
                    "--label {}: the name says hemisphere {h}, but the surfaces are {}",
                    p.display(),
                    names(hemis)
                )))
            }
            None if hemis.len() == 1 => hemis[0],
            None => {
                return Err(usage(format!(
                    "--label {}: cannot tell its hemisphere; name it lh.* or rh.*",
                    p.display()
                )))
            }
        };
        out.push(LayerInput {
            hemi,
            path: p,
            kind: Kind::Label(color),
            fill: d.label_outline != Some(true),
            outline: d.label_outline == Some(true),
            alpha: 1.0,
            position,
        });
    }
    Ok(out)
}

/// Foci from --focus, --focus-vertex and --foci files.
fn foci(d: &FigureDesc, surfaces: &[SurfaceInput]) -> Result<Vec<Focus>> {
    let radius = set(&d.focus_radius)?.0;
    let rgb = set(&d.focus_color)?.value().0;
    let single = (surfaces.len() == 1).then(|| surfaces[0].hemi);
    let focus = |at| Focus {
        at,
        radius,
        rgb,
        source: None,
    };
    let mut out = Vec::new();
    for f in &d.focus {
        let c: Vec<f32> = f
            .split(',')
            .filter_map(|v| v.trim().parse().ok())
            .filter(|v: &f32| v.is_finite())
            .collect();
        let [x, y, z] = c[..] else {
            return Err(usage(format!("--focus {f}: expected X,Y,Z in millimetres")));
        };
        out.push(focus(FocusAt::Coords([x, y, z])));
    }
    for f in &d.focus_vertex {
        let (hemi, n) = match f.split_once(':') {
            Some((h, n)) => (Hemi::parse(h), n),
            None => (single, f.as_str()),
        };
        let (Some(hemi), Ok(n)) = (hemi, n.trim().parse::<u32>()) else {
            return Err(usage(format!(
                "--focus-vertex {f}: expected N, or lh:N / rh:N with two hemispheres"
            )));
        };
        out.push(focus(FocusAt::Vertex(hemi, n)));
    }
    for path in &d.foci {
        out.extend(read_foci(path, radius, rgb, single)?);
        if out.len() > crate::scene::foci::MAX_FOCI {
            return Err(Error::invalid(
                path,
                format!(
                    "brings the figure's foci past {}, the most a figure draws",
                    crate::scene::foci::MAX_FOCI
                ),
            ));
        }
    }
    Ok(out)
}

/// Each hemisphere draws at most [`MAX_LAYERS`](crate::render::MAX_LAYERS) layers, its
/// overlays and filled annotations and labels (foci take none); say so before reading any
/// file.
fn check_layer_count(spec: &FigureSpec) -> Result<()> {
    let max = crate::render::MAX_LAYERS;
    for s in &spec.surfaces {
        let filled = spec
            .layers
            .iter()
            .filter(|l| l.hemi == s.hemi && l.fill)
            .count();
        let overlays = s.overlays.iter().flatten().count();
        let n = filled + overlays;
        if n > max {
            return Err(usage(format!(
                "{}: {n} layers ({overlays} overlays, {filled} filled annotations and labels); at most {max} per hemisphere (the first plus at most {} more)",
                s.hemi,
                max - 1
            )));
        }
    }
    Ok(())
}

/// Notes for options given with nothing to act on.
fn unused_notes(d: &FigureDesc) -> Vec<String> {
    let mut notes = Vec::new();
    let no_overlay = d.overlay_layers().next().is_none();
    if no_overlay && d.colorbar_file.is_some() {
        notes.push("--colorbar-file ignored: there is no --overlay".to_string());
    }
    // Defaults written out (a replayed --print-spec) are not options given.
    let defaults = FigureDesc::default().effective();
    let given = |set: bool, same: bool| set && !same;
    if d.contours.is_empty()
        && (!d.levels.is_empty()
            || given(d.n_contours.is_some(), d.n_contours == defaults.n_contours)
            || given(
                d.contour_cmap.is_some(),
                d.contour_cmap == defaults.contour_cmap,
            ))
    {
        notes.push(
            "--levels, --n-contours and --contour-cmap ignored: there is no --contours".into(),
        );
    }
    if d.frames.is_none() && d.turntable.is_none() {
        let mut unused: Vec<&str> = Vec::new();
        if d.fps.is_some_and(|f| f.0 != crate::desc::DEFAULT_FPS) {
            unused.push("--fps");
        }
        if d.ffmpeg.is_some() {
            unused.push("--ffmpeg");
        }
        if !unused.is_empty() {
            notes.push(format!(
                "{} ignored: there is no --frames or --turntable",
                unused.join(" and ")
            ));
        }
    }
    if no_overlay && d.frames.is_some() {
        notes.push("--frames ignored: there is no --overlay".into());
    }
    if no_overlay {
        let mut unused: Vec<String> = d
            .layers
            .iter()
            .filter(|l| l.kind().is_none())
            .flat_map(|l| l.style_fields_beyond_defaults())
            .filter(|f| !matches!(*f, "frame" | "map"))
            .map(|f| format!("--{}", f.replace('_', "-")))
            .collect();
        if !d.mask.is_empty() {
            unused.push("--mask".into());
        }
        if !unused.is_empty() {
            notes.push(format!(
                "{} ignored: there is no --overlay",
                unused.join(", ")
            ));
        }
    }
    notes
}
