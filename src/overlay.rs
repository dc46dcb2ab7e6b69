//! Per-vertex scalar data (overlays, curvature) as read from disk.

/// Values for each vertex, possibly in several frames (MGH's 4th dimension).
/// Stored frame-major: frame `f` is `values[f * n_vertices .. (f + 1) * n_vertices]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// Values per frame: one per vertex of the surface it belongs to.
    pub n_vertices: usize,
    /// Frames (time points, maps); at least 1.
    pub n_frames: usize,
    /// `n_frames * n_vertices` values, frame after frame.
    pub values: Vec<f32>,
    /// Names of the frames where the file has them (CIFTI map names, GIfTI array names);
    /// empty otherwise.
    pub frame_names: Vec<String>,
}

impl Overlay {
    /// A single-frame overlay.
    pub fn single(values: Vec<f32>) -> Self {
        Overlay {
            n_vertices: values.len(),
            n_frames: 1,
            values,
            frame_names: Vec::new(),
        }
    }

    /// The values of one frame, or `None` when `frame` is out of range.
    pub fn frame(&self, frame: usize) -> Option<&[f32]> {
        if frame >= self.n_frames {
            return None;
        }
        self.values
            .get(frame * self.n_vertices..(frame + 1) * self.n_vertices)
    }
}
