//! Which file goes with which hemisphere: surfaces given or found in a subjects
//! directory, per-hemisphere files paired by name, metadata or order, and the curvature
//! found beside a surface (FreeSurfer's or HCP's).

use std::path::{Path, PathBuf};

use super::usage;
use crate::desc::{is_bare, FigureDesc};
use crate::error::{Error, Result};
use crate::hemi::{is_cifti, Hemi};
use crate::spec::SurfaceInput;

/// Surfaces and the files named once per hemisphere.
pub(super) struct Files {
    pub(super) surfaces: Vec<SurfaceInput>,
    /// The subject's folder, in subject mode.
    pub(super) root: Option<PathBuf>,
    /// The surfaces are the bundled fsaverage5: a volume was given without a surface.
    pub(super) default_brain: bool,
}

impl Files {
    /// The surfaces of `d`: given, the subject's, or (with `volume`, a volume among the
    /// layers, and no surface) the bundled fsaverage5's.
    pub(super) fn find(d: &FigureDesc, volume: bool) -> Result<Files> {
        if d.subject.is_none() && (d.subjects_dir.is_some() || d.surf.is_some()) {
            return Err(usage("--subjects-dir and --surf need --subject"));
        }
        let default_brain = volume && d.subject.is_none() && d.surfaces.is_empty();
        let (pairs, root) = match &d.subject {
            Some(_) if !d.surfaces.is_empty() => {
                return Err(usage("give SURFACE files or --subject, not both"))
            }
            Some(subject) => subject_surfaces(d, subject)?,
            None if default_brain => (default_surfaces(d)?, None),
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
                sampling: None,
            })
            .collect();
        Ok(Files {
            surfaces,
            root,
            default_brain,
        })
    }

    /// In subject mode a bare name stands for one file per hemisphere,
    /// `<folder>/<hemi>.<name><ext>`; other names are paths.
    pub(super) fn expand(&self, given: &[PathBuf], folder: &str, ext: &str) -> Vec<PathBuf> {
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
    pub(super) fn per_surface(&self, d: &FigureDesc, surfaces: &mut [SurfaceInput]) -> Result<()> {
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

pub(super) fn names(hemis: &[Hemi]) -> String {
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

/// The hemispheres `--hemi` asks for where it may say lh, rh or both (default both).
fn hemis_or_both(d: &FigureDesc, mode: &str) -> Result<Vec<Hemi>> {
    let lower: Vec<String> = d.hemi.iter().map(|h| h.to_ascii_lowercase()).collect();
    Ok(match lower.as_slice() {
        [] => vec![Hemi::Left, Hemi::Right],
        [b] if b == "both" => vec![Hemi::Left, Hemi::Right],
        [h] => {
            vec![Hemi::parse(h)
                .ok_or_else(|| usage(format!("--hemi {h}: expected lh, rh or both")))?]
        }
        _ => return Err(usage(format!("--hemi {mode}: give lh, rh or both"))),
    })
}

/// A volume without a surface: the bundled fsaverage5's inflated surfaces (see
/// `brain`), both hemispheres unless `--hemi` says one.
fn default_surfaces(d: &FigureDesc) -> Result<Surfaces> {
    let hemis = hemis_or_both(d, "with the default brain")?;
    let dir = super::brain::folder()?;
    Ok(hemis
        .into_iter()
        .map(|h| (dir.join(format!("{h}.{}", super::brain::DISPLAY)), h))
        .collect())
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
    let hemis = hemis_or_both(d, "in subject mode")?;
    let surf = d.surf.as_deref().unwrap_or("inflated");
    let surfaces = hemis
        .iter()
        .map(|h| (root.join("surf").join(format!("{h}.{surf}")), *h))
        .collect();
    Ok((surfaces, Some(root)))
}

/// Pairs files with surfaces: a file whose name says its hemisphere goes with that
/// hemisphere's surface (and is an error when there is none: left data drawn on a right
/// hemisphere is a wrong figure); a CIFTI file serves every surface left, and a volume
/// every surface (it is sampled onto each); the others fill the remaining surfaces in
/// order. Returns `(surface index, file index)` pairs.
pub(super) fn assign(flag: &str, files: &[PathBuf], hemis: &[Hemi]) -> Result<Vec<(usize, usize)>> {
    if files.len() > hemis.len() {
        return Err(usage(format!(
            "{flag} given {} times for {} surface(s)",
            files.len(),
            hemis.len()
        )));
    }
    let mut taken = vec![false; hemis.len()];
    let mut out = Vec::new();
    if let Some(k) = files.iter().position(|f| super::volumes::is_volume(f)) {
        if files.len() > 1 {
            return Err(usage(format!(
                "{flag} {}: a volume serves both hemispheres; give it alone in its layer (--new-layer before the next file)",
                files[k].display()
            )));
        }
        return Ok((0..hemis.len()).map(|i| (i, k)).collect());
    }
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
pub(super) fn unsided(p: &Path) -> String {
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
