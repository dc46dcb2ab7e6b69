//! STUB of the volume core (branch volume13), only so that the integration compiles
//! before the core lands; replaced by the real module at the merge.
#![allow(missing_docs, dead_code, unused_variables)]

use std::path::Path;

use crate::error::{Error, Result};
use crate::{Mesh, Overlay};

#[derive(Debug)]
pub struct Volume {
    pub affine: [[f64; 4]; 4],
    pub orientation: String,
    pub notes: Vec<String>,
    pub integer: bool,
}

pub fn read_volume(path: &Path, limits: &crate::io::Limits) -> Result<Volume> {
    Err(Error::invalid(path, "volume stub"))
}

pub fn is_volume(path: &Path) -> bool {
    let n = path.to_string_lossy().to_ascii_lowercase();
    (n.ends_with(".nii") || n.ends_with(".nii.gz") || n.ends_with(".mgz"))
        && !crate::hemi::is_cifti(path)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    pub depths: Vec<f32>,
    pub reduce: Reduce,
    pub interp: Interp,
}
impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            depths: vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            reduce: Reduce::Mean,
            interp: Interp::Trilinear,
        }
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduce {
    Mean,
    Max,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interp {
    Trilinear,
    Nearest,
}

pub fn sample(
    vol: &Volume,
    white: &Mesh,
    pial: Option<&Mesh>,
    cras: [f32; 3],
    s: &Sampling,
) -> Result<Overlay> {
    Err(Error::Internal("stub".into()))
}

pub fn sample_labels(
    vol: &Volume,
    white: &Mesh,
    pial: Option<&Mesh>,
    cras: [f32; 3],
    depths: &[f32],
) -> Result<Vec<i32>> {
    Err(Error::Internal("stub".into()))
}

pub struct Coverage {
    pub inside: f64,
    pub surface_box: [[f32; 3]; 2],
    pub volume_box: [[f64; 3]; 2],
}

pub fn coverage(vol: &Volume, mesh: &Mesh, cras: [f32; 3]) -> Coverage {
    Coverage {
        inside: 1.0,
        surface_box: [[0.0; 3]; 2],
        volume_box: [[0.0; 3]; 2],
    }
}
