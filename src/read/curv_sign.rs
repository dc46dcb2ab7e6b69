//! The sign convention of a curvature file ([`CurvSign`]): FreeSurfer's `sulc` and `curv`
//! are positive in sulci, HCP's, Workbench's and Caret's are negated. The cortex is shaded
//! in FreeSurfer's convention, so Workbench-signed values are negated here, once, when the
//! file is read.
//!
//! `auto` decides per file, from what the file says first (see [`crate::io::hints`]):
//! Workbench's or Caret's provenance metadata and HCP's map names (`…_Sulc`) say
//! Workbench; FreeSurfer's curv format and `mris_convert`'s metadata say FreeSurfer.
//! Where the file says nothing (a GIfTI or MGH written by a script), the surface decides:
//! each vertex's height above a smoothed copy of the surface, along its normal, is
//! positive on gyral crowns and negative in sulcal fundi, so it correlates negatively
//! with FreeSurfer's sulc and curv and positively with Workbench's. A surface without
//! folds (a sphere) cannot tell, and FreeSurfer's sign is kept, with a note saying so.

use std::path::Path;
use std::sync::Arc;

use crate::io::hints::{hints, Writer};
use crate::io::Limits;
use crate::mesh::Mesh;
use crate::spec::CurvSign;
use crate::Overlay;

/// Smoothing steps of the surface the heights are measured from: enough to smooth away
/// the folds of a 10k- to 164k-vertex cortex, not its overall shape.
const SMOOTHING_STEPS: usize = 20;

/// How strongly values must follow the folding, as a correlation, for the surface to
/// decide their sign: FreeSurfer's sulc and curv on fsaverage5 reach 0.3 to 0.8 on the
/// white, pial and inflated surfaces; on a sphere it is about 0.
const DECISIVE: f64 = 0.1;

/// What was decided for one curvature file: its values in FreeSurfer's sign, and a note
/// for the user when the sign was not plain (negated, decided by the surface, or not
/// decidable).
pub(super) struct Signed {
    pub(super) curv: Arc<Overlay>,
    pub(super) note: Option<String>,
}

/// `curv` (read from `path`, for the surface `mesh` with outward `normals`) in
/// FreeSurfer's sign, as `sign` says or `auto` decides.
pub(super) fn signed(
    sign: CurvSign,
    path: &Path,
    curv: Arc<Overlay>,
    mesh: &Mesh,
    normals: &[[f32; 3]],
    limits: &Limits,
) -> Signed {
    let shown = path.display();
    let (writer, why) = match sign {
        CurvSign::FreeSurfer => {
            return Signed { curv, note: None };
        }
        CurvSign::Workbench => (Writer::Workbench, "as --curv-sign workbench says".into()),
        CurvSign::Auto => match hints(path, limits).ok().and_then(|h| h.writer) {
            Some((Writer::FreeSurfer, _)) => return Signed { curv, note: None },
            Some((Writer::Workbench, why)) => (Writer::Workbench, format!("from {why}")),
            None => {
                let values = curv.frame(0).unwrap_or(&[]);
                match folding_correlation(values, mesh, normals) {
                    Some(r) if r < -DECISIVE => (
                        Writer::FreeSurfer,
                        format!("its values are high where the surface is folded inwards (correlation {r:.2} with the height of each vertex above the smoothed surface)"),
                    ),
                    Some(r) if r > DECISIVE => (
                        Writer::Workbench,
                        format!("its values are high on the crowns of the folds (correlation {r:.2} with the height of each vertex above the smoothed surface)"),
                    ),
                    r => {
                        let r = r.map_or("none".into(), |r| format!("{r:.2}"));
                        return Signed {
                            curv,
                            note: Some(format!(
                                "curvature {shown}: neither the file nor the surface tells its sign (correlation {r} with the folding); FreeSurfer's sign (positive in sulci) is assumed, pass --curv-sign workbench if it is HCP/Workbench data"
                            )),
                        };
                    }
                }
            }
        },
    };
    match writer {
        Writer::FreeSurfer => Signed {
            curv,
            note: Some(format!(
                "curvature {shown}: FreeSurfer's sign (positive in sulci), as {why}; pass --curv-sign to override"
            )),
        },
        Writer::Workbench => {
            let mut negated = (*curv).clone();
            for v in &mut negated.values {
                *v = -*v;
            }
            Signed {
                curv: Arc::new(negated),
                note: Some(format!(
                    "curvature {shown}: HCP/Workbench sign (positive on gyri), negated to FreeSurfer's, {why}{}",
                    if sign == CurvSign::Auto {
                        "; pass --curv-sign freesurfer to override"
                    } else {
                        ""
                    }
                )),
            }
        }
    }
}

/// The correlation of `values` with each vertex's height above a smoothed copy of the
/// surface, along its outward normal (positive on gyral crowns); `None` when either does
/// not vary.
pub(super) fn folding_correlation(
    values: &[f32],
    mesh: &Mesh,
    normals: &[[f32; 3]],
) -> Option<f64> {
    let n = mesh.vertices.len();
    if values.len() != n || normals.len() != n || n == 0 {
        return None;
    }
    // Each vertex's neighbours, as the edges of its faces (an edge shared by two faces
    // counts twice, which only weights the average).
    let mut degree = vec![0u32; n];
    let mut sum = vec![[0f64; 3]; n];
    let mut smooth: Vec<[f64; 3]> = mesh.vertices.iter().map(|v| v.map(f64::from)).collect();
    for _ in 0..SMOOTHING_STEPS {
        sum.fill([0.0; 3]);
        degree.fill(0);
        for f in &mesh.faces {
            for (a, b) in [(f[0], f[1]), (f[1], f[2]), (f[2], f[0])] {
                let (a, b) = (a as usize, b as usize);
                for k in 0..3 {
                    sum[a][k] += smooth[b][k];
                    sum[b][k] += smooth[a][k];
                }
                degree[a] += 1;
                degree[b] += 1;
            }
        }
        for i in 0..n {
            if degree[i] > 0 {
                let d = f64::from(degree[i]);
                smooth[i] = [sum[i][0] / d, sum[i][1] / d, sum[i][2] / d];
            }
        }
    }
    let height: Vec<f64> = (0..n)
        .map(|i| {
            let v = mesh.vertices[i];
            (0..3)
                .map(|k| (f64::from(v[k]) - smooth[i][k]) * f64::from(normals[i][k]))
                .sum()
        })
        .collect();
    correlation(values, &height)
}

/// Pearson's correlation over the finite values; `None` when either side is constant.
fn correlation(a: &[f32], b: &[f64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(&x, &y)| (f64::from(x), y))
        .collect();
    let n = pairs.len() as f64;
    if n < 3.0 {
        return None;
    }
    let (ma, mb) = pairs
        .iter()
        .fold((0.0, 0.0), |(s, t), (x, y)| (s + x / n, t + y / n));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    let den = (saa * sbb).sqrt();
    (den > 0.0 && den.is_finite()).then(|| sab / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_says_freesurfer_sign() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fsaverage5");
        for surf in ["lh.inflated", "lh.pial", "rh.inflated", "rh.pial"] {
            let mesh = crate::io::read_surface(&root.join(surf)).unwrap();
            let normals = mesh.vertex_normals();
            for c in ["sulc", "curv"] {
                let hemi = &surf[..2];
                let ov =
                    crate::io::read_overlay(&root.join(format!("{hemi}.{c}")), &Default::default())
                        .unwrap();
                let r = folding_correlation(ov.frame(0).unwrap(), &mesh, &normals).unwrap();
                eprintln!("{surf} {c}: {r:.3}");
                assert!(r < -DECISIVE, "{surf} {c}: {r}");
            }
        }
    }
}
