//! Per-vertex scalar data (overlays, curvature) as read from disk.

/// Values for each vertex, possibly in several frames (MGH's 4th dimension).
/// Stored frame-major: the `i`-th frame held is `values[i * n_vertices .. (i + 1) * n_vertices]`.
///
/// A reader asked for some frames only ([`Selection::frames`](crate::io::Selection)) holds
/// just those ([`Overlay::kept`]), so that a movie of a few frames of a long series does
/// not hold the whole series; [`Overlay::n_frames`] is still the file's count, so that
/// frame numbers and messages ("beyond the overlay's 1200 frames") mean the file's frames.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// Values per frame: one per vertex of the surface it belongs to.
    pub n_vertices: usize,
    /// Frames (time points, maps) in the file; at least 1. Not all of them need be held
    /// (see [`Overlay::kept`]).
    pub n_frames: usize,
    /// The values of the frames held, frame after frame: `n_frames * n_vertices` of them
    /// when every frame is held, else `kept.len() * n_vertices`.
    pub values: Vec<f32>,
    /// The file's frames held in `values`, ascending and each below `n_frames`, when the
    /// reader was asked for some frames only; `None` when every frame is held. Frames
    /// not held read as absent ([`Overlay::frame`] gives `None`).
    pub kept: Option<Vec<usize>>,
    /// Names of the frames where the file has them (CIFTI map names, GIfTI array names);
    /// empty otherwise.
    pub frame_names: Vec<String>,
    /// The time between frames as the file states it, so that frames can be labelled with
    /// their time; `None` when the file states none (or one that is zero, negative or not
    /// finite), and for single-frame formats.
    pub time_step: Option<TimeStep>,
}

/// The time between consecutive frames of an overlay, as a file states it.
///
/// Each format keeps it in its own field and unit (MGH's TR in milliseconds, NIfTI's
/// `pixdim[4]` in the unit of `xyzt_units`, GIfTI's `TimeStep` metadata, CIFTI's series
/// step); readers convert it to seconds and say in `source` where it came from, because a
/// time label on a figure should be traceable to the header field behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeStep {
    /// Seconds between frames: finite and greater than 0.
    pub seconds: f64,
    /// The field it was read from, e.g. "MGH TR", "NIfTI pixdim[4] in ms", "GIfTI TimeStep",
    /// "CIFTI SeriesStep".
    pub source: String,
}

impl TimeStep {
    /// A time step of `seconds` read from `source`, or `None` unless `seconds` is finite and
    /// greater than 0: writers store 0 (gifticlib's `TimeStep` 0.000000, nibabel's MGH
    /// default) or leave garbage where they know no time step, and neither is one.
    pub fn new(seconds: f64, source: impl Into<String>) -> Option<TimeStep> {
        (seconds.is_finite() && seconds > 0.0).then(|| TimeStep {
            seconds,
            source: source.into(),
        })
    }

    /// The decimal number a float32 field was written from, widened to f64: a writer that
    /// stores 0.72 stores the float32 nearest to it, which `f64::from` would show as
    /// 0.7200000286102295. The shortest decimal that reads back as the same float32 is
    /// what the writer meant (Rust's `Display` for f32 prints exactly that).
    pub(crate) fn decimal(x: f32) -> f64 {
        x.to_string().parse().unwrap_or(f64::from(x))
    }
}

impl Overlay {
    /// A single-frame overlay.
    pub fn single(values: Vec<f32>) -> Self {
        Overlay {
            n_vertices: values.len(),
            n_frames: 1,
            values,
            kept: None,
            frame_names: Vec::new(),
            time_step: None,
        }
    }

    /// The values of the file's frame `frame`, or `None` when it is out of range or not
    /// held (see [`Overlay::kept`]).
    pub fn frame(&self, frame: usize) -> Option<&[f32]> {
        if frame >= self.n_frames {
            return None;
        }
        let slot = match &self.kept {
            None => frame,
            Some(kept) => kept.binary_search(&frame).ok()?,
        };
        self.values
            .get(slot * self.n_vertices..(slot + 1) * self.n_vertices)
    }

    /// The file's frames held, ascending: `0..n_frames`, or [`Overlay::kept`].
    pub fn held_frames(&self) -> Vec<usize> {
        match &self.kept {
            None => (0..self.n_frames).collect(),
            Some(kept) => kept.clone(),
        }
    }
}
