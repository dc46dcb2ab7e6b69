//! Voxel → world affines: how a NIfTI header's orientation fields become one, the checks
//! every affine passes before it is used, and its inverse for sampling.
//!
//! nibabel's `Nifti1Header.get_best_affine` is the reference: the sform when its code is
//! set, else the qform (a quaternion, voxel sizes and offsets), else an affine built from
//! the voxel sizes alone ("base affine"). Codes are taken as set when > 0; nibabel takes
//! any non-zero code, but the standard's codes are 1 to 5 and a negative one is garbage.

use std::path::Path;

use crate::error::{Error, Result};

/// A 4×4 affine, rows first, voxel (i, j, k, 1) → world (x, y, z, 1) in millimetres.
pub type Affine = [[f64; 4]; 4];

/// The orientation fields of a NIfTI-1 or NIfTI-2 header, widened to f64.
#[derive(Debug, Clone, Default)]
pub(crate) struct Orientation {
    /// pixdim\[0..8\]: pixdim\[0\] is the qform's `qfac`, 1..=3 the voxel sizes.
    pub(crate) pixdim: [f64; 8],
    pub(crate) qform_code: i32,
    pub(crate) sform_code: i32,
    /// quatern_b, quatern_c, quatern_d.
    pub(crate) quatern: [f64; 3],
    /// qoffset_x, qoffset_y, qoffset_z.
    pub(crate) qoffset: [f64; 3],
    /// srow_x, srow_y, srow_z.
    pub(crate) srow: [[f64; 4]; 3],
}

/// What the NIfTI standard calls each xform code, for the orientation note.
fn xform_name(code: i32) -> &'static str {
    match code {
        1 => "scanner anatomical",
        2 => "aligned anatomical",
        3 => "Talairach",
        4 => "MNI152",
        5 => "template",
        _ => "unknown code",
    }
}

/// The affine a NIfTI header's orientation fields describe for a grid of `shape` voxels,
/// and how it was chosen (the string for [`Volume::orientation`](super::Volume)), as
/// nibabel's `get_best_affine`:
///
/// * sform (`sform_code` > 0): the three `srow` rows.
/// * qform (`qform_code` > 0): the rotation of the unit quaternion (b, c, d) (a = √(1 −
///   b² − c² − d²), 0 where rounding makes that negative), times the voxel sizes with the
///   third negated when `qfac` (pixdim\[0\]) is −1, then `qoffset`. A negative voxel size
///   is refused, as nibabel refuses it.
/// * neither: nibabel's base affine, the voxel sizes on the diagonal with x negated
///   (the Analyze convention of a left-handed, radiological storage order) and the grid's
///   centre at the origin. Nothing in such a file says where the brain is; this is the
///   guess every nibabel-based tool makes, so a volume lands where nilearn puts it.
pub(crate) fn nifti_affine(
    path: &Path,
    o: &Orientation,
    shape: [usize; 3],
) -> Result<(Affine, String)> {
    if o.sform_code > 0 {
        let [x, y, z] = o.srow;
        let a = [x, y, z, [0.0, 0.0, 0.0, 1.0]];
        return Ok((
            a,
            format!(
                "sform (code {}, {})",
                o.sform_code,
                xform_name(o.sform_code)
            ),
        ));
    }
    let zooms = [o.pixdim[1], o.pixdim[2], o.pixdim[3]];
    if o.qform_code > 0 {
        if let Some(k) = zooms.iter().position(|&z| z < 0.0) {
            return Err(Error::invalid(
                path,
                format!(
                    "the qform's voxel size pixdim[{}] is {}: expected a positive size",
                    k + 1,
                    zooms[k]
                ),
            ));
        }
        let [b, c, d] = o.quatern;
        let a = (1.0 - (b * b + c * c + d * d)).max(0.0).sqrt();
        let r = quat_to_rotation([a, b, c, d]);
        let qfac = if o.pixdim[0] < 0.0 { -1.0 } else { 1.0 };
        let s = [zooms[0], zooms[1], zooms[2] * qfac];
        let mut m = [[0.0; 4]; 4];
        for (row, (rr, off)) in m.iter_mut().zip(r.iter().zip(o.qoffset)) {
            for k in 0..3 {
                row[k] = rr[k] * s[k];
            }
            row[3] = off;
        }
        m[3] = [0.0, 0.0, 0.0, 1.0];
        return Ok((
            m,
            format!(
                "qform (code {}, {})",
                o.qform_code,
                xform_name(o.qform_code)
            ),
        ));
    }
    let z = zooms.map(f64::abs);
    let centre = shape.map(|n| (n as f64 - 1.0) / 2.0);
    let m = [
        [-z[0], 0.0, 0.0, centre[0] * z[0]],
        [0.0, z[1], 0.0, -centre[1] * z[1]],
        [0.0, 0.0, z[2], -centre[2] * z[2]],
        [0.0, 0.0, 0.0, 1.0],
    ];
    Ok((
        m,
        "pixdim (no orientation stored: sform and qform codes 0; assumed LAS with the grid's \
         centre at the origin, as nibabel assumes)"
            .into(),
    ))
}

/// The rotation of the unit quaternion (w, x, y, z), as nibabel's `quat2mat` (which
/// normalises it; a zero quaternion is the identity).
fn quat_to_rotation(q: [f64; 4]) -> [[f64; 3]; 3] {
    let [w, x, y, z] = q;
    let n = w * w + x * x + y * y + z * z;
    if n < f64::EPSILON {
        return [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    }
    let s = 2.0 / n;
    let (xs, ys, zs) = (x * s, y * s, z * s);
    let (wx, wy, wz) = (w * xs, w * ys, w * zs);
    let (xx, xy, xz) = (x * xs, x * ys, x * zs);
    let (yy, yz, zz) = (y * ys, y * zs, z * zs);
    [
        [1.0 - (yy + zz), xy - wz, xz + wy],
        [xy + wz, 1.0 - (xx + zz), yz - wx],
        [xz - wy, yz + wx, 1.0 - (xx + yy)],
    ]
}

/// The affine of an MGH header, as nibabel's `MGHHeader.get_affine`: direction cosines
/// `mdc` (one row per voxel axis, as stored) scaled by the voxel sizes `delta`, and the
/// translation that puts the grid's centre (`dims / 2`, FreeSurfer's convention) at
/// `c_ras`.
pub(crate) fn mgh_affine(
    dims: [usize; 3],
    delta: [f64; 3],
    mdc: [[f64; 3]; 3],
    c_ras: [f64; 3],
) -> Affine {
    let mut m = [[0.0; 4]; 4];
    for r in 0..3 {
        for k in 0..3 {
            // Column k is voxel axis k's direction: row k of the stored Mdc.
            m[r][k] = mdc[k][r] * delta[k];
        }
        let centre: f64 = (0..3).map(|k| m[r][k] * dims[k] as f64 / 2.0).sum();
        m[r][3] = c_ras[r] - centre;
    }
    m[3] = [0.0, 0.0, 0.0, 1.0];
    m
}

/// Refuses an affine that cannot map world coordinates back to voxels: one with a value
/// that is not finite, or whose 3×3 part is singular (a zero voxel size, a zero or
/// repeated direction). Singular means a determinant below 1e-12 of the product of the
/// columns' lengths, so that the test does not depend on the voxel size.
pub(crate) fn check(path: &Path, a: &Affine, orientation: &str) -> Result<()> {
    if let Some((r, c)) = (0..3)
        .flat_map(|r| (0..4).map(move |c| (r, c)))
        .find(|&(r, c)| !a[r][c].is_finite())
    {
        return Err(Error::invalid(
            path,
            format!(
                "the {} affine has a value that is not a number ({} at row {r}, column {c}): \
                 expected a finite voxel-to-world matrix",
                short(orientation),
                a[r][c]
            ),
        ));
    }
    let det = det3(a);
    let scale: f64 = (0..3)
        .map(|c| (0..3).map(|r| a[r][c] * a[r][c]).sum::<f64>().sqrt())
        .product();
    // The affine was checked finite, so det and scale are numbers.
    if det.abs() <= 1e-12 * scale || scale == 0.0 {
        return Err(Error::invalid(
            path,
            format!(
                "the {} affine is singular (determinant {det:e}; rows {}): expected an \
                 invertible voxel-to-world matrix (a zero voxel size or a repeated axis \
                 cannot be sampled)",
                short(orientation),
                rows(a)
            ),
        ));
    }
    Ok(())
}

/// The first word of an orientation ("sform", "qform", "pixdim", "MGH").
fn short(orientation: &str) -> &str {
    orientation.split([' ', '(']).next().unwrap_or(orientation)
}

fn rows(a: &Affine) -> String {
    a.iter()
        .take(3)
        .map(|r| format!("[{} {} {} {}]", r[0], r[1], r[2], r[3]))
        .collect::<Vec<_>>()
        .join(" ")
}

fn det3(a: &Affine) -> f64 {
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
        - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
}

/// The inverse of a checked affine's top three rows: world → voxel.
pub(crate) fn inverse(a: &Affine) -> [[f64; 4]; 3] {
    let det = det3(a);
    let m = |r: usize, c: usize| a[r][c];
    // Adjugate of the 3×3 part, divided by the determinant.
    let mut inv = [[0.0; 4]; 3];
    for (i, row) in inv.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().take(3).enumerate() {
            let (r0, r1) = ((j + 1) % 3, (j + 2) % 3);
            let (c0, c1) = ((i + 1) % 3, (i + 2) % 3);
            *v = (m(r0, c0) * m(r1, c1) - m(r0, c1) * m(r1, c0)) / det;
        }
    }
    for row in inv.iter_mut() {
        row[3] = -(0..3).map(|k| row[k] * a[k][3]).sum::<f64>();
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_undoes_the_affine() {
        let a = [
            [-2.0, 0.1, 0.0, 90.0],
            [0.0, 0.0, 3.0, -126.0],
            [0.2, -2.5, 0.0, 72.0],
            [0.0, 0.0, 0.0, 1.0],
        ];
        let inv = inverse(&a);
        let v = [3.0, 7.0, 11.0];
        let w: Vec<f64> = (0..3)
            .map(|r| (0..3).map(|k| a[r][k] * v[k]).sum::<f64>() + a[r][3])
            .collect();
        for r in 0..3 {
            let back = (0..3).map(|k| inv[r][k] * w[k]).sum::<f64>() + inv[r][3];
            assert!((back - v[r]).abs() < 1e-9, "{back} vs {}", v[r]);
        }
    }

    #[test]
    fn a_half_turn_quaternion_flips_two_axes() {
        // b = 1: 180° about x, so y and z flip.
        let r = quat_to_rotation([0.0, 1.0, 0.0, 0.0]);
        assert_eq!(r, [[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]]);
    }

    #[test]
    fn mgh_centre_lands_on_c_ras() {
        // FreeSurfer's conformed LIA 256³ with c_ras (1, 2, 3).
        let mdc = [[-1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]];
        let a = mgh_affine([256; 3], [1.0; 3], mdc, [1.0, 2.0, 3.0]);
        let c = [128.0, 128.0, 128.0];
        for (r, want) in [1.0, 2.0, 3.0].iter().enumerate() {
            let w = (0..3).map(|k| a[r][k] * c[k]).sum::<f64>() + a[r][3];
            assert!((w - want).abs() < 1e-9);
        }
        assert_eq!(a[0][0], -1.0);
        assert_eq!(a[2][1], -1.0);
        assert_eq!(a[1][2], 1.0);
    }
}
