//! Which hemisphere a file belongs to, from the naming conventions of FreeSurfer
//! (`lh.pial`), BIDS (`hemi-L`) and HCP/Workbench (`x.L.midthickness.surf.gii`).

use std::fmt;
use std::path::Path;

/// A cerebral hemisphere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hemi {
    /// `lh`
    Left,
    /// `rh`
    Right,
}

impl Hemi {
    /// FreeSurfer's short name, used in file names and panel labels.
    pub fn short(self) -> &'static str {
        match self {
            Hemi::Left => "lh",
            Hemi::Right => "rh",
        }
    }

    /// Parses `lh`, `rh`, `left`, `right`, `L`, `R` (any case).
    pub fn parse(s: &str) -> Option<Hemi> {
        match s.to_ascii_lowercase().as_str() {
            "lh" | "l" | "left" => Some(Hemi::Left),
            "rh" | "r" | "right" => Some(Hemi::Right),
            _ => None,
        }
    }

    /// Guesses the hemisphere from a file name; `None` when the name says nothing or
    /// says both (a name like `lh.rh.x` is ambiguous and must be given with `--hemi`).
    pub fn from_path(path: &Path) -> Option<Hemi> {
        let name = path.file_name()?.to_string_lossy().to_string();
        let mut found = None;
        for (hemi, pats) in [
            (Hemi::Left, ["lh.", "hemi-l_", "hemi-l.", ".l."]),
            (Hemi::Right, ["rh.", "hemi-r_", "hemi-r.", ".r."]),
        ] {
            let lower = name.to_ascii_lowercase();
            let hit = pats.iter().any(|p| match *p {
                // FreeSurfer prefixes only count at the start of the name.
                "lh." | "rh." => lower.starts_with(p),
                ".l." | ".r." => name.contains(&p.to_ascii_uppercase()),
                _ => lower.contains(p),
            });
            if hit {
                if found.is_some() {
                    return None;
                }
                found = Some(hemi);
            }
        }
        found
    }
}

impl fmt::Display for Hemi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short())
    }
}

/// Whether a file is CIFTI-2 by its name (`*.dscalar.nii`, `*.dtseries.nii`,
/// `*.dlabel.nii`): one file that holds both hemispheres.
pub fn is_cifti(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [".dscalar.nii", ".dtseries.nii", ".dlabel.nii"]
        .iter()
        .any(|e| name.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let h = |s: &str| Hemi::from_path(Path::new(s));
        assert_eq!(h("lh.pial"), Some(Hemi::Left));
        assert_eq!(h("/x/y/rh.thickness.mgh"), Some(Hemi::Right));
        assert_eq!(h("sub-01_hemi-L_pial.surf.gii"), Some(Hemi::Left));
        assert_eq!(h("sub-01_hemi-R_pial.surf.gii"), Some(Hemi::Right));
        assert_eq!(
            h("100307.L.midthickness.32k_fs_LR.surf.gii"),
            Some(Hemi::Left)
        );
        assert_eq!(
            h("100307.R.midthickness.32k_fs_LR.surf.gii"),
            Some(Hemi::Right)
        );
        assert_eq!(h("thickness.mgh"), None);
        assert_eq!(h("flh.pial"), None);
        assert_eq!(h("lh.hemi-R_pial.gii"), None);
    }
}
