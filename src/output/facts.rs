//! What a figure shows, in numbers, for the sidecar's `facts`: each hemisphere's vertex
//! and face counts and each overlay's value range and non-finite count. A QC report shows
//! them beside the figure, where a subject with a broken surface or an empty overlay
//! stands out before anyone looks at a picture.

use serde::Serialize;

use crate::read::Inputs;
use crate::scene::Scene;
use crate::spec::FigureSpec;

/// The facts of one figure.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    /// The subject, in subject mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Each surface drawn.
    pub surfaces: Vec<SurfaceFacts>,
    /// Each overlay file drawn, per hemisphere, bottom layer first.
    pub overlays: Vec<OverlayFacts>,
}

/// One surface.
#[derive(Debug, Clone, Serialize)]
pub struct SurfaceFacts {
    /// `lh` or `rh`.
    pub hemi: String,
    /// The surface file.
    pub path: String,
    /// Vertex count.
    pub vertices: usize,
    /// Triangle count.
    pub faces: usize,
}

/// One overlay file on one hemisphere, over the frame drawn.
#[derive(Debug, Clone, Serialize)]
pub struct OverlayFacts {
    /// `lh` or `rh`.
    pub hemi: String,
    /// The overlay file (a volume's, when it was sampled).
    pub path: String,
    /// The frame drawn.
    pub frame: usize,
    /// The smallest and largest finite values; absent when there are none.
    pub min: Option<f32>,
    /// See `min`.
    pub max: Option<f32>,
    /// Values that are NaN or infinite (drawn as no data).
    pub non_finite: usize,
    /// The colour range used, `[lo, hi]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<[f32; 2]>,
}

impl Facts {
    /// The facts of `spec` drawn from `inputs` as `scene`.
    pub fn of(spec: &FigureSpec, inputs: &Inputs, scene: &Scene) -> Facts {
        let mut facts = Facts {
            subject: spec.subject.clone(),
            ..Facts::default()
        };
        for (input, data) in spec.surfaces.iter().zip(&inputs.surfaces) {
            let hemi = data.hemi.short().to_string();
            facts.surfaces.push(SurfaceFacts {
                hemi: hemi.clone(),
                path: input.surface.display().to_string(),
                vertices: data.mesh.vertices.len(),
                faces: data.mesh.faces.len(),
            });
            for (k, ov) in data.overlays.iter().enumerate() {
                let (Some(ov), Some(layer)) = (ov, spec.overlays.get(k)) else {
                    continue;
                };
                let path = input.overlays.get(k).cloned().flatten();
                let values = ov.frame(layer.frame).unwrap_or(&[]);
                let (min, max, non_finite) = span(values);
                let mapping = scene.mappings.get(k).and_then(Option::as_ref);
                facts.overlays.push(OverlayFacts {
                    hemi: hemi.clone(),
                    path: path.map(|p| p.display().to_string()).unwrap_or_default(),
                    frame: layer.frame,
                    min,
                    max,
                    non_finite,
                    range: mapping.map(|m| [m.lo, m.hi]),
                });
            }
        }
        facts
    }
}

/// The finite minimum and maximum and the count of other values.
fn span(values: &[f32]) -> (Option<f32>, Option<f32>, usize) {
    let mut bad = 0;
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for &v in values {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        } else {
            bad += 1;
        }
    }
    let some = bad < values.len();
    (some.then_some(lo), some.then_some(hi), bad)
}

#[cfg(test)]
mod tests {
    #[test]
    fn span_counts_non_finite_and_skips_them() {
        let (lo, hi, bad) = super::span(&[2.0, f32::NAN, -1.0, f32::INFINITY]);
        assert_eq!((lo, hi, bad), (Some(-1.0), Some(2.0), 2));
        assert_eq!(super::span(&[f32::NAN]), (None, None, 1));
    }
}
