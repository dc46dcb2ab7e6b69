//! The resolve stage, [`FigureDesc`] → [`FigureSpec`]: every default applied, the files
//! paired with the hemispheres they belong to (by name, else in order; in subject mode
//! found in the subjects directory), and the stack turned into what the read stage
//! loads. Only the foci tables are read here (their rows are the figure's foci); the
//! readers report every other unreadable file with its name.

use std::path::{Path, PathBuf};

use crate::color::{OverlayStyle, Sign, LABEL_COLORS};
use crate::desc::values::{Degrees, Given, LayoutArg, Orientation, Outline};
use crate::desc::{is_bare, FigureDesc, Layer, LayerKind};
use crate::error::{Error, Result};
use crate::hemi::{is_cifti, Hemi};
use crate::scene::foci::{read_foci, Focus, FocusAt};
use crate::scene::View;
use crate::spec::{
    ContourLevels, FigureSpec, LayerInput, LayerKind as Kind, Layout, OverlayLayer, SurfaceInput,
};

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
        let d = self.effective();
        let mut notes = Vec::new();
        let files = Files::find(&d)?;
        let hemis: Vec<Hemi> = files.surfaces.iter().map(|s| s.hemi).collect();
        let mut surfaces = files.surfaces.clone();
        let overlays = d.overlay_layers().collect::<Vec<_>>();
        for s in &mut surfaces {
            s.overlays = vec![None; overlays.len()];
        }
        for (k, layer) in overlays.iter().enumerate() {
            let paths = files.expand(&layer.overlay, "surf", "");
            for (i, j) in assign("--overlay", &paths, &hemis)? {
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
        files.per_surface(&d, &mut surfaces)?;
        for s in surfaces.iter().filter(|s| !s.curv_given) {
            let Some(c) = &s.curv else { continue };
            if !c.ends_with(format!("{}.curv", s.hemi)) {
                notes.push(format!(
                    "curvature for {}: {}, found beside it",
                    s.surface.display(),
                    c.display()
                ));
            }
        }
        let layers = categorical_layers(&d, &files, &hemis)?;
        let foci = foci(&d, &surfaces)?;
        notes.extend(unused_notes(self));
        // Left hemisphere first: it is the left column of the figure.
        surfaces.sort_by_key(|s| s.hemi);
        let spec = FigureSpec {
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
            title: d.title.clone().filter(|t| !t.trim().is_empty()),
            egl_device: d.egl_device.map(|i| i.0),
            backend: *set(&d.backend)?.value(),
            allow_empty: d.allow_empty == Some(true),
            notes,
        };
        check_layer_count(&spec)?;
        Ok(spec)
    }
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
        caption: l.cbar_label.clone().filter(|t| !t.trim().is_empty()),
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

/// Surfaces and the files named once per hemisphere.
struct Files {
    surfaces: Vec<SurfaceInput>,
    /// The subject's folder, in subject mode.
    root: Option<PathBuf>,
}

impl Files {
    fn find(d: &FigureDesc) -> Result<Files> {
        if d.subject.is_none() && (d.subjects_dir.is_some() || d.surf.is_some()) {
            return Err(usage("--subjects-dir and --surf need --subject"));
        }
        let (pairs, root) = match &d.subject {
            Some(_) if !d.surfaces.is_empty() => {
                return Err(usage("give SURFACE files or --subject, not both"))
            }
            Some(subject) => subject_surfaces(d, subject)?,
            None => (given_surfaces(d)?, None),
        };
        let surfaces = pairs
            .into_iter()
            .map(|(surface, hemi)| SurfaceInput {
                hemi,
                surface,
                overlays: Vec::new(),
                curv: None,
                curv_given: false,
                contours: None,
                mask: None,
            })
            .collect();
        Ok(Files { surfaces, root })
    }

    /// In subject mode a bare name stands for one file per hemisphere,
    /// `<folder>/<hemi>.<name><ext>`; other names are paths.
    fn expand(&self, given: &[PathBuf], folder: &str, ext: &str) -> Vec<PathBuf> {
        let Some(root) = &self.root else {
            return given.to_vec();
        };
        let mut out = Vec::new();
        for g in given {
            if is_bare(g) {
                out.extend(self.surfaces.iter().map(|s| {
                    root.join(folder)
                        .join(format!("{}.{}{ext}", s.hemi, g.display()))
                }));
            } else {
                out.push(g.clone());
            }
        }
        out
    }

    /// Curvature, contours and masks, each once per hemisphere.
    fn per_surface(&self, d: &FigureDesc, surfaces: &mut [SurfaceInput]) -> Result<()> {
        let hemis: Vec<Hemi> = surfaces.iter().map(|s| s.hemi).collect();
        let curvs = self.expand(&d.curv, "surf", "");
        for (i, k) in assign("--curv", &curvs, &hemis)? {
            surfaces[i].curv = Some(curvs[k].clone());
            surfaces[i].curv_given = true;
        }
        let contours = self.expand(&d.contours, "surf", "");
        for (i, k) in assign("--contours", &contours, &hemis)? {
            surfaces[i].contours = Some(contours[k].clone());
        }
        // FreeSurfer's cortex label hides the medial wall unless a mask was given.
        let masks = match (&self.root, d.mask.is_empty()) {
            (Some(root), true) => surfaces
                .iter()
                .map(|s| root.join("label").join(format!("{}.cortex.label", s.hemi)))
                .filter(|p| p.is_file())
                .collect(),
            _ => self.expand(&d.mask, "label", ".label"),
        };
        for (i, k) in assign("--mask", &masks, &hemis)? {
            surfaces[i].mask = Some(masks[k].clone());
        }
        for s in surfaces.iter_mut().filter(|s| s.curv.is_none()) {
            s.curv = default_curv(&s.surface, s.hemi);
        }
        Ok(())
    }
}

fn names(hemis: &[Hemi]) -> String {
    hemis
        .iter()
        .map(|h| h.short())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Surface files with their hemispheres.
type Surfaces = Vec<(PathBuf, Hemi)>;

fn given_surfaces(d: &FigureDesc) -> Result<Surfaces> {
    if d.surfaces.is_empty() {
        return Err(usage(
            "give one or two SURFACE files (or --subject NAME); see --help",
        ));
    }
    if !d.hemi.is_empty() && d.hemi.len() != d.surfaces.len() {
        return Err(usage(format!(
            "--hemi: {} value(s) for {} surface(s); give one per surface, in order",
            d.hemi.len(),
            d.surfaces.len()
        )));
    }
    let mut out = Vec::new();
    for (i, path) in d.surfaces.iter().enumerate() {
        let hemi = match d.hemi.get(i) {
            Some(h) => {
                let given = Hemi::parse(h)
                    .ok_or_else(|| usage(format!("--hemi {h}: expected lh or rh")))?;
                // A --hemi that contradicts the file name would mirror the figure.
                if let Some(named) = Hemi::from_path(path).filter(|n| *n != given) {
                    return Err(usage(format!(
                        "--hemi {h} for {}: its name says {named}; drop --hemi or rename the file",
                        path.display()
                    )));
                }
                if let Some((meta, why)) = metadata_hemi(path).filter(|(m, _)| *m != given) {
                    return Err(usage(format!(
                        "--hemi {h} for {}: its metadata says {meta} ({why}); drop --hemi",
                        path.display()
                    )));
                }
                given
            }
            None => file_hemi(path)?.ok_or_else(|| {
                usage(format!(
                    "cannot tell the hemisphere of {} from its name (lh., rh., hemi-L, hemi-R, .L., .R.) or its metadata (GIfTI AnatomicalStructurePrimary); pass --hemi lh or --hemi rh",
                    path.display()
                ))
            })?,
        };
        out.push((path.clone(), hemi));
    }
    if let [(_, a), (_, b)] = out.as_slice() {
        if a == b {
            return Err(usage(format!(
                "both surfaces are {a}: give one left and one right hemisphere"
            )));
        }
    }
    Ok(out)
}

/// Subject mode: `$SUBJECTS_DIR/<subject>/surf/<hemi>.<surf>`.
fn subject_surfaces(d: &FigureDesc, subject: &str) -> Result<(Surfaces, Option<PathBuf>)> {
    let sd = match &d.subjects_dir {
        Some(dir) => dir.clone(),
        None => std::env::var_os("SUBJECTS_DIR")
            .map(PathBuf::from)
            .ok_or_else(|| {
                usage("--subject needs --subjects-dir or the SUBJECTS_DIR environment variable")
            })?,
    };
    let root = sd.join(subject);
    if !root.is_dir() {
        return Err(usage(format!(
            "--subject {subject}: {} is not a folder",
            root.display()
        )));
    }
    let lower: Vec<String> = d.hemi.iter().map(|h| h.to_ascii_lowercase()).collect();
    let hemis =
        match lower.as_slice() {
            [] => vec![Hemi::Left, Hemi::Right],
            [b] if b == "both" => vec![Hemi::Left, Hemi::Right],
            [h] => vec![Hemi::parse(h)
                .ok_or_else(|| usage(format!("--hemi {h}: expected lh, rh or both")))?],
            _ => return Err(usage("--hemi in subject mode: give lh, rh or both")),
        };
    let surf = d.surf.as_deref().unwrap_or("inflated");
    let surfaces = hemis
        .iter()
        .map(|h| (root.join("surf").join(format!("{h}.{surf}")), *h))
        .collect();
    Ok((surfaces, Some(root)))
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
    for (i, k) in assign("--annot", &paths, hemis)? {
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

/// Pairs files with surfaces: a file whose name says its hemisphere goes with that
/// hemisphere's surface (and is an error when there is none: left data drawn on a right
/// hemisphere is a wrong figure); a CIFTI file serves every surface left; the others fill
/// the remaining surfaces in order. Returns `(surface index, file index)` pairs.
fn assign(flag: &str, files: &[PathBuf], hemis: &[Hemi]) -> Result<Vec<(usize, usize)>> {
    if files.len() > hemis.len() {
        return Err(usage(format!(
            "{flag} given {} times for {} surface(s)",
            files.len(),
            hemis.len()
        )));
    }
    let mut taken = vec![false; hemis.len()];
    let mut out = Vec::new();
    let named = files
        .iter()
        .map(|f| match is_cifti(f) {
            true => Ok(None),
            false => file_hemi(f),
        })
        .collect::<Result<Vec<_>>>()?;
    for (k, f) in files.iter().enumerate() {
        let Some(h) = named[k] else {
            continue;
        };
        let Some(i) = hemis.iter().position(|x| *x == h) else {
            return Err(usage(format!(
                "{flag} {}: {} says hemisphere {h}, but the surfaces are {}; rename the file or pass the matching surface",
                f.display(),
                if Hemi::from_path(f).is_some() { "the name" } else { "its metadata (AnatomicalStructurePrimary)" },
                names(hemis)
            )));
        };
        if taken[i] {
            return Err(usage(format!("{flag}: two files for hemisphere {h}")));
        }
        taken[i] = true;
        out.push((i, k));
    }
    for (k, f) in files.iter().enumerate().filter(|(_, f)| is_cifti(f)) {
        // A CIFTI file serves the hemispheres it has a cortex for (every one left when
        // its header cannot be read here; the reader then says why).
        let cortices = cifti_cortices(f);
        if !cortices.is_empty() && !hemis.iter().any(|h| cortices.contains(h)) {
            // The file's content disagrees with the surfaces: a data error, as a vertex
            // count that does not match.
            let msg = format!(
                "its brain models are {} only, but the surfaces are {} ({flag})",
                names(&cortices),
                names(hemis)
            );
            return Err(Error::invalid(f, msg));
        }
        for (i, t) in taken.iter_mut().enumerate().filter(|(_, t)| !**t) {
            if cortices.is_empty() || cortices.contains(&hemis[i]) {
                *t = true;
                out.push((i, k));
            }
        }
    }
    let unnamed = files
        .iter()
        .enumerate()
        .filter(|(k, f)| named[*k].is_none() && !is_cifti(f));
    for (k, f) in unnamed {
        let Some(i) = taken.iter().position(|t| !t) else {
            return Err(usage(format!(
                "{flag} {}: no surface left to pair it with",
                f.display()
            )));
        };
        taken[i] = true;
        out.push((i, k));
    }
    Ok(out)
}

/// A file name without its hemisphere (`lh.thickness` and `rh.thickness` are both
/// `?h.thickness`), to tell two hemispheres of one map from two different maps.
fn unsided(p: &Path) -> String {
    let mut out = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    for (l, r, x) in [
        ("lh.", "rh.", "?h."),
        ("hemi-l", "hemi-r", "hemi-?"),
        (".l.", ".r.", ".?."),
        ("_lh", "_rh", "_?h"),
        ("_l.", "_r.", "_?."),
    ] {
        out = out.replace(l, x).replace(r, x);
    }
    out
}

/// The hemisphere a file belongs to: by its name (`lh.`, `hemi-L`, `.L.`) or, where the
/// name says nothing, by its GIfTI `AnatomicalStructurePrimary`. A name that contradicts
/// the metadata is an error naming both.
fn file_hemi(path: &Path) -> Result<Option<Hemi>> {
    let named = Hemi::from_path(path);
    match (named, metadata_hemi(path)) {
        (Some(n), Some((m, why))) if n != m => Err(Error::invalid(
            path,
            format!(
                "its name says hemisphere {n} but its metadata says {m} ({why}); rename the file or correct its metadata"
            ),
        )),
        (Some(n), _) => Ok(Some(n)),
        (None, m) => Ok(m.map(|(h, _)| h)),
    }
}

/// The hemisphere a GIfTI file's header names, read from its first bytes only (the file
/// is read whole later, once); `None` for other files and for files that cannot be read
/// here (their reader says why).
fn metadata_hemi(path: &Path) -> Option<(Hemi, String)> {
    crate::io::hints::metadata_hemi(path)
}

/// The cortices a CIFTI-2 file has surface models for (none when it cannot be read here).
fn cifti_cortices(path: &Path) -> Vec<Hemi> {
    crate::io::hints::hints(path, &crate::io::Limits::default())
        .map(|h| h.cifti_cortices)
        .unwrap_or_default()
}

/// Curvature found beside a surface: FreeSurfer keeps `lh.curv` beside `lh.pial` in
/// `surf/`; HCP keeps `Subject.L.sulc.32k_fs_LR.shape.gii` (or one
/// `Subject.sulc.32k_fs_LR.dscalar.nii` for both hemispheres) beside
/// `Subject.L.inflated.32k_fs_LR.surf.gii`.
fn default_curv(surface: &Path, hemi: Hemi) -> Option<PathBuf> {
    let dir = surface.parent().unwrap_or(Path::new(""));
    let p = dir.join(format!("{}.curv", hemi.short()));
    if p.is_file() && p != surface {
        return Some(p);
    }
    hcp_curv_names(surface, hemi)
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file() && p != surface)
}

/// HCP's names of the sulcal depth (else curvature) beside an HCP-style surface
/// `<prefix>.<L|R>.<type>[.<mesh>].surf.gii`, most wanted first.
fn hcp_curv_names(surface: &Path, hemi: Hemi) -> Vec<String> {
    let Some(name) = surface.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let Some(stem) = name.strip_suffix(".surf.gii") else {
        return Vec::new();
    };
    let side = match hemi {
        Hemi::Left => "L",
        Hemi::Right => "R",
    };
    let parts: Vec<&str> = stem.split('.').collect();
    let Some(at) = parts.iter().position(|p| *p == side) else {
        return Vec::new();
    };
    if at + 1 >= parts.len() {
        return Vec::new();
    }
    let prefix = parts[..at].join(".");
    let mesh: String = parts[at + 2..].iter().map(|p| format!(".{p}")).collect();
    let join = |parts: &[&str]| {
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(".")
    };
    let mut out = Vec::new();
    for measure in ["sulc", "curvature"] {
        out.push(format!(
            "{}{mesh}.shape.gii",
            join(&[&prefix, side, measure])
        ));
        out.push(format!("{}{mesh}.dscalar.nii", join(&[&prefix, measure])));
    }
    out
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
