//! Which files go with which hemisphere: surfaces given on the command line or found in a
//! FreeSurfer subjects directory, and the overlays, curvatures, annotations and labels
//! paired with them.

use std::path::{Path, PathBuf};

use super::layers::LayerMap;
use super::{usage, Args};
use crate::color::{parse_color, LABEL_COLORS};
use crate::error::Result;
use crate::hemi::Hemi;
use crate::spec::{LayerInput, LayerKind, SurfaceInput};

/// What the command line's files become.
pub struct Resolved {
    /// Left hemisphere first.
    pub surfaces: Vec<SurfaceInput>,
    /// Annotations and labels.
    pub layers: Vec<LayerInput>,
    /// The overlay layer of each --overlay argument.
    pub layer_map: LayerMap,
    /// Notices for the user.
    pub notes: Vec<String>,
}

/// Surfaces (left first) with their overlays and curvatures, and the layers.
pub fn resolve(a: &Args) -> Result<Resolved> {
    let files = match &a.subject {
        Some(subject) => subject_files(a, subject)?,
        None => given_files(a)?,
    };
    let hemis: Vec<Hemi> = files.surfaces.iter().map(|(_, h)| *h).collect();
    let mut inputs: Vec<SurfaceInput> = files
        .surfaces
        .iter()
        .map(|(path, hemi)| SurfaceInput {
            hemi: *hemi,
            surface: path.clone(),
            overlays: Vec::new(),
            curv: None,
            curv_given: false,
            contours: None,
            mask: None,
        })
        .collect();
    let layer_map = LayerMap::new(group_overlays(
        a.overlay.len(),
        &files.overlays,
        &files.overlay_arg,
        &hemis,
        &a.order.new_layer_after,
    ));
    let n_overlay_layers = layer_map.count();
    let mut notes = Vec::new();
    for s in &mut inputs {
        s.overlays = vec![None; n_overlay_layers];
    }
    for layer in 0..n_overlay_layers {
        let paths: Vec<PathBuf> = files
            .overlays
            .iter()
            .zip(&files.overlay_arg)
            .filter(|(_, &arg)| layer_map.of_overlay(arg) == Some(layer))
            .map(|(p, _)| p.clone())
            .collect();
        for (i, k) in assign("--overlay", &paths, &hemis)? {
            inputs[i].overlays[layer] = Some(paths[k].clone());
        }
        if let [a, b] = paths.as_slice() {
            if unsided(a) != unsided(b) {
                notes.push(format!(
                    "overlay layer {} pairs {} with {}: one map, one colour scale; if they are two maps, give each hemisphere's files in turn or use --new-layer",
                    layer + 1,
                    a.display(),
                    b.display()
                ));
            }
        }
    }
    let mut resolved = Resolved {
        surfaces: Vec::new(),
        layers: Vec::new(),
        layer_map,
        notes,
    };
    for (i, k) in assign("--curv", &files.curvs, &hemis)? {
        inputs[i].curv = Some(files.curvs[k].clone());
        inputs[i].curv_given = true;
    }
    for (i, k) in assign("--contours", &files.contours, &hemis)? {
        inputs[i].contours = Some(files.contours[k].clone());
    }
    for (i, k) in assign("--mask", &files.masks, &hemis)? {
        inputs[i].mask = Some(files.masks[k].clone());
    }
    for s in &mut inputs {
        if s.curv.is_none() {
            s.curv = default_curv(&s.surface, s.hemi);
        }
    }
    let mut layers = Vec::new();
    for (i, k) in assign("--annot", &files.annots, &hemis)? {
        let arg = files.annot_arg.get(k).copied().unwrap_or(k);
        layers.push(LayerInput {
            hemi: hemis[i],
            path: files.annots[k].clone(),
            kind: LayerKind::Annotation,
            outline: a.annot_outline,
            alpha: a.annot_alpha,
            position: resolved
                .layer_map
                .position(a.order.annot_after.get(arg).copied().unwrap_or(0)),
        });
    }
    if a.label_color.len() > a.label.len() {
        return Err(usage(format!(
            "--label-color given {} times for {} --label",
            a.label_color.len(),
            a.label.len()
        )));
    }
    for (k, (p, hemi)) in files.labels.iter().enumerate() {
        let arg = files.label_arg.get(k).copied().unwrap_or(k);
        let color = match a.label_color.get(arg) {
            Some(c) => parse_color(c).ok_or_else(|| {
                usage(format!(
                    "--label-color {c}: expected a colour name or #rrggbb"
                ))
            })?,
            None => LABEL_COLORS[arg % LABEL_COLORS.len()],
        };
        let hemi = match hemi {
            Some(h) if hemis.contains(h) => *h,
            Some(h) => {
                return Err(usage(format!(
                    "--label {}: the name says hemisphere {h}, but the surfaces are {}",
                    p.display(),
                    names(&hemis)
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
        layers.push(LayerInput {
            hemi,
            path: p.clone(),
            kind: LayerKind::Label(color),
            outline: a.label_outline,
            alpha: 1.0,
            position: resolved
                .layer_map
                .position(a.order.label_after.get(arg).copied().unwrap_or(0)),
        });
    }
    // Left hemisphere first: it is the left column of the figure.
    inputs.sort_by_key(|s| s.hemi);
    resolved.surfaces = inputs;
    resolved.layers = layers;
    Ok(resolved)
}

/// The overlay layer of each of the `n_args` --overlay arguments. Arguments join the
/// current layer until one would give a hemisphere a second file (by name, or a free
/// surface for a file whose name does not say), or comes after `--new-layer` (`breaks`
/// holds how many --overlay arguments precede each one). A CIFTI file holds both
/// hemispheres and is a layer of its own; a bare name in subject mode (`files` holds
/// every argument's files, `arg` which argument each came from) is one layer. Options
/// never split a layer, so `--overlay lh.x --threshold 2 --overlay rh.x` stays one map
/// with one scale; [`assign`] then pairs each layer's files with surfaces.
fn group_overlays(
    n_args: usize,
    files: &[PathBuf],
    arg: &[usize],
    hemis: &[Hemi],
    breaks: &[usize],
) -> Vec<usize> {
    let mut layer_of = Vec::with_capacity(n_args);
    let mut layer = 0;
    // What the current layer holds: named hemispheres, unnamed files, a CIFTI file.
    let (mut named, mut unnamed, mut whole) = (Vec::<Hemi>::new(), 0usize, false);
    for a in 0..n_args {
        let mine: Vec<&PathBuf> = files
            .iter()
            .zip(arg)
            .filter(|(_, &k)| k == a)
            .map(|(p, _)| p)
            .collect();
        let cifti = mine.iter().any(|p| is_cifti(p));
        let hemis_named: Vec<Hemi> = mine
            .iter()
            .filter(|p| !is_cifti(p))
            .filter_map(|p| Hemi::from_path(p))
            .filter(|h| hemis.contains(h))
            .collect();
        let n_unnamed = mine
            .iter()
            .filter(|p| !is_cifti(p) && Hemi::from_path(p).is_none())
            .count();
        let free = hemis.len().saturating_sub(named.len() + unnamed);
        let empty = named.is_empty() && unnamed == 0 && !whole;
        let clash = whole
            || cifti
            || hemis_named.iter().any(|h| named.contains(h))
            || hemis_named.len() + n_unnamed > free;
        if a > 0 && !empty && (clash || breaks.contains(&a)) {
            layer += 1;
            (named, unnamed, whole) = (Vec::new(), 0, false);
        }
        named.extend(hemis_named);
        unnamed += n_unnamed;
        whole |= cifti;
        layer_of.push(layer);
    }
    layer_of
}

/// Files named on the command line (or found in a subjects directory).
struct Files {
    surfaces: Vec<(PathBuf, Hemi)>,
    overlays: Vec<PathBuf>,
    /// For each overlay file, which --overlay argument it came from.
    overlay_arg: Vec<usize>,
    contours: Vec<PathBuf>,
    masks: Vec<PathBuf>,
    curvs: Vec<PathBuf>,
    annots: Vec<PathBuf>,
    /// For each annotation, which --annot argument it came from.
    annot_arg: Vec<usize>,
    labels: Vec<(PathBuf, Option<Hemi>)>,
    /// For each label, which --label argument it came from.
    label_arg: Vec<usize>,
}

fn names(hemis: &[Hemi]) -> String {
    hemis
        .iter()
        .map(|h| h.short())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn given_files(a: &Args) -> Result<Files> {
    if a.surfaces.is_empty() {
        return Err(usage(
            "give one or two SURFACE files (or --subject NAME); see --help",
        ));
    }
    if !a.hemi.is_empty() && a.hemi.len() != a.surfaces.len() {
        return Err(usage(format!(
            "--hemi: {} value(s) for {} surface(s); give one per surface, in order",
            a.hemi.len(),
            a.surfaces.len()
        )));
    }
    let mut surfaces = Vec::new();
    for (i, path) in a.surfaces.iter().enumerate() {
        let hemi = match a.hemi.get(i) {
            Some(h) => {
                let given = Hemi::parse(h).ok_or_else(|| usage(format!("--hemi {h}: expected lh or rh")))?;
                // A --hemi that contradicts the file name would mirror the figure.
                if let Some(named) = Hemi::from_path(path).filter(|n| *n != given) {
                    return Err(usage(format!(
                        "--hemi {h} for {}: its name says {named}; drop --hemi or rename the file",
                        path.display()
                    )));
                }
                given
            }
            None => Hemi::from_path(path).ok_or_else(|| {
                usage(format!(
                    "cannot tell the hemisphere of {} from its name (lh., rh., hemi-L, hemi-R, .L., .R.); pass --hemi lh or --hemi rh",
                    path.display()
                ))
            })?,
        };
        surfaces.push((path.clone(), hemi));
    }
    if surfaces.len() == 2 && surfaces[0].1 == surfaces[1].1 {
        return Err(usage(format!(
            "both surfaces are {}: give one left and one right hemisphere",
            surfaces[0].1
        )));
    }
    Ok(Files {
        surfaces,
        overlays: a.overlay.clone(),
        overlay_arg: (0..a.overlay.len()).collect(),
        contours: a.contours.clone(),
        masks: a.mask.clone(),
        curvs: a.curv.clone(),
        annots: a.annot.clone(),
        annot_arg: (0..a.annot.len()).collect(),
        labels: a
            .label
            .iter()
            .map(|p| (p.clone(), Hemi::from_path(p)))
            .collect(),
        label_arg: (0..a.label.len()).collect(),
    })
}

/// Subject mode: `$SUBJECTS_DIR/<subject>/surf/<hemi>.<surf>`; a bare overlay name means
/// `surf/<hemi>.<name>`, bare annotation and label names `label/<hemi>.<name>.annot|label`.
fn subject_files(a: &Args, subject: &str) -> Result<Files> {
    let sd = match &a.subjects_dir {
        Some(d) => d.clone(),
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
    let hemis =
        match a
            .hemi
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .as_slice()
        {
            [] => vec![Hemi::Left, Hemi::Right],
            [b] if b == "both" => vec![Hemi::Left, Hemi::Right],
            [h] => vec![Hemi::parse(h)
                .ok_or_else(|| usage(format!("--hemi {h}: expected lh, rh or both")))?],
            _ => return Err(usage("--hemi in subject mode: give lh, rh or both")),
        };
    let surfaces = hemis
        .iter()
        .map(|h| (root.join("surf").join(format!("{h}.{}", a.surf)), *h))
        .collect();
    // A name that is not an existing file stands for one file per hemisphere.
    let expand = |given: &[PathBuf], folder: &str, ext: &str| -> (Vec<PathBuf>, Vec<usize>) {
        let mut out = Vec::new();
        let mut arg = Vec::new();
        for (k, g) in given.iter().enumerate() {
            if g.exists() || g.components().count() > 1 {
                out.push(g.clone());
                arg.push(k);
            } else {
                for h in &hemis {
                    out.push(root.join(folder).join(format!("{h}.{}{ext}", g.display())));
                    arg.push(k);
                }
            }
        }
        (out, arg)
    };
    let (overlays, overlay_arg) = expand(&a.overlay, "surf", "");
    let (contours, _) = expand(&a.contours, "surf", "");
    // FreeSurfer's cortex label hides the medial wall unless a mask was given.
    let masks = if a.mask.is_empty() {
        hemis
            .iter()
            .map(|h| root.join("label").join(format!("{h}.cortex.label")))
            .filter(|p| p.is_file())
            .collect()
    } else {
        expand(&a.mask, "label", ".label").0
    };
    let (curvs, _) = expand(&a.curv, "surf", "");
    let (annots, annot_arg) = expand(&a.annot, "label", ".annot");
    let (labels, label_arg) = expand(&a.label, "label", ".label");
    Ok(Files {
        surfaces,
        overlays,
        overlay_arg,
        contours,
        masks,
        curvs,
        annots,
        annot_arg,
        labels: labels
            .into_iter()
            .map(|p| {
                let h = Hemi::from_path(&p);
                (p, h)
            })
            .collect(),
        label_arg,
    })
}

/// Pairs files with surfaces: a file whose name says its hemisphere goes with that
/// hemisphere's surface (and is an error when there is none: left data drawn on a right
/// hemisphere is a wrong figure); the others fill the remaining surfaces in order.
/// Returns `(surface index, file index)` pairs.
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
    for (k, f) in files.iter().enumerate() {
        let Some(h) = Hemi::from_path(f).filter(|_| !is_cifti(f)) else {
            continue;
        };
        let Some(i) = hemis.iter().position(|x| *x == h) else {
            return Err(usage(format!(
                "{flag} {}: the name says hemisphere {h}, but the surfaces are {}; rename the file or pass the matching surface",
                f.display(),
                names(hemis)
            )));
        };
        if taken[i] {
            return Err(usage(format!("{flag}: two files for hemisphere {h}")));
        }
        taken[i] = true;
        out.push((i, k));
    }
    // A CIFTI file holds both hemispheres: once given, it serves every surface left.
    for (k, _) in files.iter().enumerate().filter(|(_, f)| is_cifti(f)) {
        for (i, t) in taken.iter_mut().enumerate() {
            if !*t {
                *t = true;
                out.push((i, k));
            }
        }
    }
    for (k, f) in files
        .iter()
        .enumerate()
        .filter(|(_, f)| Hemi::from_path(f).is_none() && !is_cifti(f))
    {
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
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut out = name.clone();
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

/// CIFTI-2's naming convention (`*.dscalar.nii`, `*.dtseries.nii`, `*.dlabel.nii`).
fn is_cifti(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [".dscalar.nii", ".dtseries.nii", ".dlabel.nii"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// FreeSurfer keeps `lh.curv` beside `lh.pial` in `surf/`.
fn default_curv(surface: &Path, hemi: Hemi) -> Option<PathBuf> {
    let dir = surface.parent().unwrap_or(Path::new(""));
    let p = dir.join(format!("{}.curv", hemi.short()));
    (p.is_file() && p != surface).then_some(p)
}
