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
}

impl Annotation {
    /// How many vertices the parcellation covers (the surface's count, when it fits).
    pub fn n_vertices(&self) -> usize {
        self.labels.len()
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
