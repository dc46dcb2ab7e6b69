//! Volumes among the layers' files: which files are volumes, the surfaces each
//! hemisphere samples them between, and how (depths, reduction, interpolation).
//!
//! The surface drawn is rarely where the data lie: an inflated or sphere surface has
//! left the cortex's anatomy behind, so it is never sampled. The sampling surfaces are
//! found beside it by FreeSurfer's names (`<hemi>.white`, `<hemi>.pial`), or given with
//! `--sample-surf`; a surface drawn that is itself anatomical (white, pial,
//! midthickness) is sampled when no white/pial pair lies beside it.

use std::path::{Path, PathBuf};

use super::usage;
use crate::desc::values::{SampleInterp, SampleReduce};
use crate::desc::{is_bare, FigureDesc, Layer};
use crate::error::Result;
use crate::hemi::Hemi;
use crate::spec::{SamplingSurfaces, SurfaceInput};
use crate::volume::{Interp, Reduce, Sampling};

/// Whether `p` is a volume (a NIfTI or MGH file whose shape is a 3-D or 4-D grid rather
/// than per-vertex data). A bare subject-mode name (`thickness`) is not.
pub(crate) fn is_volume(p: &Path) -> bool {
    crate::volume::is_volume(p)
}

/// Surfaces that hold anatomy and may be sampled when they are the surface drawn.
const ANATOMICAL: [&str; 5] = ["white", "pial", "midthickness", "graymid", "smoothwm"];

/// Surfaces that are never sampled: their coordinates are not the cortex's.
const NOT_ANATOMICAL: [&str; 6] = [
    "inflated",
    "very_inflated",
    "sphere",
    "flat",
    "flattened",
    "orig_avg",
];

/// `surfrender zstat.nii.gz -o fig.png`: volumes given where the surfaces go are the
/// figure's bottom overlay layer (taking the options typed before any --overlay), and
/// the surfaces are left to the default brain.
pub(super) fn volumes_as_overlay(d: &mut FigureDesc) {
    if d.subject.is_some() || d.surfaces.is_empty() || !d.surfaces.iter().all(|p| is_volume(p)) {
        return;
    }
    let volumes = std::mem::take(&mut d.surfaces);
    match d.layers.iter_mut().find(|l| l.kind().is_none()) {
        Some(options) => options.overlay = volumes,
        None => d.layers.insert(
            0,
            Layer {
                overlay: volumes,
                ..Layer::default()
            },
        ),
    }
}

/// Every overlay and annotation file of the figure that is a volume, in stack order.
pub(super) fn volume_files(d: &FigureDesc) -> Vec<PathBuf> {
    let subject = d.subject.is_some();
    let mut out: Vec<PathBuf> = Vec::new();
    for p in d
        .layers
        .iter()
        .flat_map(|l| l.overlay.iter().chain(&l.annot))
    {
        if !(subject && is_bare(p)) && is_volume(p) && !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

/// The sampling the options ask for: nilearn's ribbon depths, or `--projfrac`'s one.
pub(super) fn sampling(d: &FigureDesc) -> Sampling {
    let mut s = Sampling::default();
    if let Some(f) = d.projfrac {
        s.depths = vec![f.0];
    }
    if let Some(r) = &d.sample_reduce {
        s.reduce = match r.value() {
            SampleReduce::Mean => Reduce::Mean,
            SampleReduce::Max => Reduce::Max,
        };
    }
    if let Some(i) = &d.sample_interp {
        s.interp = match i.value() {
            SampleInterp::Trilinear => Interp::Trilinear,
            SampleInterp::Nearest => Interp::Nearest,
        };
    }
    s
}

/// A `--sample-surf` entry that is a name (`white`, `midthickness`): one word without a
/// dot or a path separator; anything else is a path.
fn is_name(p: &Path) -> bool {
    p.components().count() == 1 && !p.to_string_lossy().contains('.')
}

/// Sets each surface's sampling surfaces; notes say what was chosen where it was not
/// the plain white/pial pair. `volumes` names the figure's volumes for messages.
pub(super) fn sampling_surfaces(
    d: &FigureDesc,
    surfaces: &mut [SurfaceInput],
    volumes: &[PathBuf],
    notes: &mut Vec<String>,
) -> Result<()> {
    let what = volumes
        .first()
        .and_then(|v| v.file_name())
        .map_or(String::new(), |v| format!("{}: ", v.to_string_lossy()));
    if d.sample_surf.is_empty() {
        for s in surfaces.iter_mut() {
            let found = beside(&s.surface, s.hemi, &what)?;
            if found.outer.is_none() {
                notes.push(format!(
                    "{}: no white/pial pair beside it; volumes are sampled on the surface itself",
                    s.surface.display()
                ));
            }
            s.sampling = Some(found);
        }
        return Ok(());
    }
    if d.sample_surf.len() > 4 {
        return Err(usage(format!(
            "--sample-surf: {} surfaces given; give one or two names (white,pial or midthickness), or one or two paths per hemisphere",
            d.sample_surf.len()
        )));
    }
    let hemis: Vec<Hemi> = surfaces.iter().map(|s| s.hemi).collect();
    for s in surfaces.iter_mut() {
        let mut chosen = Vec::new();
        for (k, g) in d.sample_surf.iter().enumerate() {
            if is_name(g) {
                let name = g.to_string_lossy();
                let tried = named_beside(&s.surface, s.hemi, &name);
                match tried.iter().find(|p| p.is_file()) {
                    Some(p) => chosen.push(p.clone()),
                    None => return Err(missing(&what, &s.surface, &tried, true)),
                }
                continue;
            }
            let belongs = match Hemi::from_path(g) {
                Some(h) => h == s.hemi,
                // A path whose name does not say its hemisphere serves the one surface,
                // or the surface at its place among two paths per hemisphere.
                None if hemis.len() == 1 => true,
                None => {
                    return Err(usage(format!(
                        "--sample-surf {}: cannot tell its hemisphere; name it lh.* or rh.* (or give names such as white,pial)",
                        g.display()
                    )))
                }
            };
            if belongs {
                if !g.is_file() {
                    return Err(usage(format!(
                        "--sample-surf {}: no such file (entry {})",
                        g.display(),
                        k + 1
                    )));
                }
                chosen.push(g.clone());
            }
        }
        s.sampling = Some(match chosen.as_slice() {
            [one] => SamplingSurfaces {
                inner: one.clone(),
                outer: None,
            },
            [inner, outer] => SamplingSurfaces {
                inner: inner.clone(),
                outer: Some(outer.clone()),
            },
            [] => {
                return Err(usage(format!(
                    "--sample-surf: no surface given for {} ({}); name each path lh.* or rh.*",
                    s.hemi,
                    s.surface.display()
                )))
            }
            more => {
                return Err(usage(format!(
                    "--sample-surf: {} surfaces for {}; give one (sampled on it) or two (white, then pial)",
                    more.len(),
                    s.hemi
                )))
            }
        });
        if let Some(SamplingSurfaces { inner, outer: None }) = &s.sampling {
            if let Some(f) = d.projfrac.filter(|f| f.0 != 0.0) {
                notes.push(format!(
                    "--projfrac {} ignored on {}: one sampling surface ({}) has no ribbon to go into",
                    f.0,
                    s.hemi,
                    inner.display()
                ));
            }
        }
    }
    Ok(())
}

/// The sampling surfaces beside `surface`: white and pial, else the surface itself when
/// it is anatomical; an error naming every path tried otherwise.
fn beside(surface: &Path, hemi: Hemi, what: &str) -> Result<SamplingSurfaces> {
    let white = named_beside(surface, hemi, "white");
    let pial = named_beside(surface, hemi, "pial");
    let found = |c: &[PathBuf]| c.iter().find(|p| p.is_file()).cloned();
    match (found(&white), found(&pial)) {
        (Some(inner), Some(outer)) => Ok(SamplingSurfaces {
            inner,
            outer: Some(outer),
        }),
        _ if surface_kind(surface).is_some_and(|k| ANATOMICAL.contains(&k.as_str())) => {
            Ok(SamplingSurfaces {
                inner: surface.to_path_buf(),
                outer: None,
            })
        }
        _ => {
            let tried: Vec<PathBuf> = white.into_iter().chain(pial).collect();
            Err(missing(what, surface, &tried, false))
        }
    }
}

/// The sampling surfaces were not found: which paths were tried (by name, in their one
/// folder, so the line stays short), and the option that gives them.
fn missing(what: &str, surface: &Path, tried: &[PathBuf], named: bool) -> crate::Error {
    let list: Vec<String> = tried
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let dir = surface.parent().unwrap_or(Path::new(""));
    let why = match surface_kind(surface) {
        Some(k) if NOT_ANATOMICAL.contains(&k.as_str()) => {
            format!(" ({k} surfaces are drawn, never sampled)")
        }
        _ => String::new(),
    };
    let fix = if named {
        "give --sample-surf names found beside the surface, or paths"
    } else {
        "give them with --sample-surf white,pial (names beside the surface) or --sample-surf PATH[,PATH]"
    };
    usage(format!(
        "{what}no surfaces to sample on for {}{why}: tried {} in {}; {fix}",
        surface.display(),
        list.join(", "),
        if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }
        .display()
    ))
}

/// The surface type a file name says: `lh.inflated` → inflated,
/// `sub.L.midthickness.32k_fs_LR.surf.gii` → midthickness.
fn surface_kind(surface: &Path) -> Option<String> {
    let name = surface.file_name()?.to_string_lossy().to_ascii_lowercase();
    let words: Vec<&str> = name.split(['.', '_', '-']).collect();
    // Longer names first: "very_inflated" before "inflated".
    let mut known: Vec<&str> = ANATOMICAL.iter().chain(&NOT_ANATOMICAL).copied().collect();
    known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    known
        .into_iter()
        .find(|k| {
            let parts: Vec<&str> = k.split('_').collect();
            words.windows(parts.len()).any(|w| w == parts.as_slice())
        })
        .map(str::to_string)
}

/// Where a surface named `name` would lie beside `surface`, most likely first:
/// FreeSurfer's `<hemi>.<name>`, its GIfTI forms, and the name of `surface` with its own
/// surface type replaced by `name` (`sub.L.inflated.32k_fs_LR.surf.gii` →
/// `sub.L.white.32k_fs_LR.surf.gii`).
fn named_beside(surface: &Path, hemi: Hemi, name: &str) -> Vec<PathBuf> {
    let dir = surface.parent().unwrap_or(Path::new(""));
    let h = hemi.short();
    let mut out: Vec<PathBuf> = [
        format!("{h}.{name}"),
        format!("{h}.{name}.gii"),
        format!("{h}.{name}.surf.gii"),
    ]
    .into_iter()
    .map(|n| dir.join(n))
    .collect();
    if let (Some(kind), Some(file)) = (surface_kind(surface), surface.file_name()) {
        let file = file.to_string_lossy();
        if let Some(at) = file.to_ascii_lowercase().find(&kind) {
            let swapped = format!("{}{name}{}", &file[..at], &file[at + kind.len()..]);
            let p = dir.join(swapped);
            if !out.contains(&p) && p != surface {
                out.push(p);
            }
        }
    }
    out
}

/// Notes for the volume options given to a figure without a volume.
pub(super) fn unused_notes(d: &FigureDesc) -> Option<String> {
    let mut unused = Vec::new();
    if !d.sample_surf.is_empty() {
        unused.push("--sample-surf");
    }
    if d.projfrac.is_some() {
        unused.push("--projfrac");
    }
    if d.sample_reduce.is_some() {
        unused.push("--sample-reduce");
    }
    if d.sample_interp.is_some() {
        unused.push("--sample-interp");
    }
    if d.lut.is_some() {
        unused.push("--lut");
    }
    (!unused.is_empty()).then(|| {
        format!(
            "{} ignored: no --overlay or --annot is a volume",
            unused.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surface_kinds_from_names() {
        let k = |n: &str| surface_kind(Path::new(n));
        assert_eq!(k("lh.inflated").as_deref(), Some("inflated"));
        assert_eq!(
            k("sub.L.very_inflated.32k_fs_LR.surf.gii").as_deref(),
            Some("very_inflated")
        );
        assert_eq!(
            k("sub.R.midthickness.32k_fs_LR.surf.gii").as_deref(),
            Some("midthickness")
        );
        assert_eq!(k("lh.sphere.reg").as_deref(), Some("sphere"));
        assert_eq!(k("lh.white").as_deref(), Some("white"));
        assert_eq!(k("brain.gii"), None);
    }

    #[test]
    fn names_beside_a_hcp_surface() {
        let p = Path::new("/d/sub.L.inflated.32k_fs_LR.surf.gii");
        let c = named_beside(p, Hemi::Left, "white");
        assert_eq!(c[0], Path::new("/d/lh.white"));
        assert!(c.contains(&PathBuf::from("/d/sub.L.white.32k_fs_LR.surf.gii")));
    }

    #[test]
    fn sample_surf_names_and_paths() {
        assert!(is_name(Path::new("white")));
        assert!(is_name(Path::new("midthickness")));
        assert!(!is_name(Path::new("lh.white")));
        assert!(!is_name(Path::new("surf/white")));
    }
}
