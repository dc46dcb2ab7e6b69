//! Categorical per-vertex data: parcellations (annotations) and labels (vertex sets), as
//! read from FreeSurfer `.annot`/`.label`, GIfTI LabelTables and CIFTI dlabel files.

/// One entry of a colour table.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelEntry {
    /// The file's own key for this entry (FreeSurfer annotation value, GIfTI/CIFTI Key).
    pub key: i32,
    /// The region's name (`precentral`, `7Networks_1`).
    pub name: String,
    /// Colour as stored; alpha is 255 unless the file says otherwise.
    pub rgba: [u8; 4],
}

/// A parcellation: for each vertex an index into `table`, or `None` for no label (the
/// medial wall of most atlases, "???" in freeview).
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// Per vertex, an index into `table`.
    pub labels: Vec<Option<u32>>,
    /// The colour table.
    pub table: Vec<LabelEntry>,
    /// Whether key 0 means "no label" whatever its name: true for GIfTI and CIFTI label
    /// tables (Workbench's `???`, the GIfTI convention), false for FreeSurfer
    /// annotations, whose structure index 0 is `unknown` by name in FreeSurfer's own
    /// tables but may be a real region in a table written by another program.
    pub key_zero_unlabelled: bool,
}

/// The names that mean "no label" in the parcellations people draw, compared
/// case-insensitively and ignoring spaces, underscores and hyphens: FreeSurfer's
/// `unknown` (aparc, DKT) and `Unknown` / `Medial_wall` (aparc.a2009s), aparc's
/// `corpuscallosum` (a medial-wall entry, kept in its table though fsaverage assigns it no
/// vertex), Workbench's and HCP-MMP1.0's `???`, Yeo's `FreeSurfer_Defined_Medial_Wall`,
/// Schaefer's `Background+FreeSurfer_Defined_Medial_Wall`, and `Background` (nilearn's
/// atlases). The same names netneurotools, abagen and neuromaps drop from parcellations.
pub const UNLABELLED_NAMES: [&str; 7] = [
    "???",
    "unknown",
    "medialwall",
    "corpuscallosum",
    "freesurferdefinedmedialwall",
    "background+freesurferdefinedmedialwall",
    "background",
];

impl LabelEntry {
    /// Whether the entry's name is one of [`UNLABELLED_NAMES`].
    pub fn has_unlabelled_name(&self) -> bool {
        let name: String = self
            .name
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect();
        UNLABELLED_NAMES.contains(&name.as_str())
    }
}

impl Annotation {
    /// How many vertices the parcellation covers (the surface's count, when it fits).
    pub fn n_vertices(&self) -> usize {
        self.labels.len()
    }

    /// Whether table entry `i` means "no label" (see [`UNLABELLED_NAMES`] and
    /// [`key_zero_unlabelled`](Self::key_zero_unlabelled)); drawn transparent unless
    /// `--annot-unknown`.
    pub fn is_unlabelled(&self, i: usize) -> bool {
        self.table
            .get(i)
            .is_some_and(|e| (self.key_zero_unlabelled && e.key == 0) || e.has_unlabelled_name())
    }

    /// Vertex count per table entry, plus the count of unlabelled vertices.
    pub fn counts(&self) -> (Vec<usize>, usize) {
        let mut counts = vec![0usize; self.table.len()];
        let mut none = 0;
        for l in &self.labels {
            match l.and_then(|i| counts.get_mut(i as usize)) {
                Some(c) => *c += 1,
                None => none += 1,
            }
        }
        (counts, none)
    }
}

/// A FreeSurfer label: a set of vertices with a coordinate and a value each.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Vertex indices into the surface the label was drawn on.
    pub vertices: Vec<u32>,
    /// Each vertex's coordinate as the file records it (RAS millimetres).
    pub coords: Vec<[f32; 3]>,
    /// Each vertex's value (often a statistic, or 0).
    pub values: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: i32, name: &str) -> LabelEntry {
        LabelEntry {
            key,
            name: name.into(),
            rgba: [25, 5, 25, 255],
        }
    }

    #[test]
    fn unlabelled_names_and_key_zero() {
        let names = [
            "???",
            "unknown",
            "Unknown",
            "Medial_Wall",
            "medial wall",
            "Medial_wall",
            "corpuscallosum",
            "FreeSurfer_Defined_Medial_Wall",
            "Background+FreeSurfer_Defined_Medial_Wall",
            "Background",
        ];
        for n in names {
            assert!(entry(5, n).has_unlabelled_name(), "{n}");
        }
        for n in [
            "precentral",
            "V1",
            "unknown2",
            "L_MedialWall_ROI x",
            "7Networks_1",
        ] {
            assert!(!entry(5, n).has_unlabelled_name(), "{n}");
        }
        let mut a = Annotation {
            labels: vec![Some(0), Some(1)],
            table: vec![entry(0, "region0"), entry(1, "precentral")],
            key_zero_unlabelled: false,
        };
        assert!(!a.is_unlabelled(0) && !a.is_unlabelled(1));
        a.key_zero_unlabelled = true;
        assert!(a.is_unlabelled(0) && !a.is_unlabelled(1) && !a.is_unlabelled(2));
    }
}
