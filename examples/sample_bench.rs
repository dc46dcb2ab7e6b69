//! Times volume → surface sampling (issue 13, item 5): fsaverage5 (10242 vertices) × the
//! default ribbon of 10 depths, and a 163842-vertex mesh (fsaverage5 subdivided twice,
//! as ../shared/data/make_large.py makes it) × the same ribbon on the 1 mm ICBM volume
//! (197×233×189). Prints the median of repeated runs for each, trilinear and nearest.
//!
//! ```text
//! cargo run --release --example sample_bench
//! ```
//!
//! Recorded 2026-12-02 on this project's 2-vCPU Xeon development machine (idle, load
//! < 0.6; release profile; the real ICBM volume and fsaverage5 white/pial):
//!
//! ```text
//!                  2 threads            1 thread
//!                  trilinear  nearest   trilinear  nearest
//! fsaverage5       3.1-3.4    1.6-1.8   5.4        3.0      ms
//! 163842 vertices  41.2-41.6  23.3-24.7 88.8       46.2     ms
//! ```
//!
//! The time is mostly memory latency: the 1 mm volume as f32 is 35 MB, and each sample
//! reads 4 cache lines (trilinear) or 1 (nearest). Visiting vertices in the volume's
//! memory order (sorted by voxel k, j, i) was tried and measured no faster.
//!
//! Uses ../shared/data when present (the real white/pial surfaces and ICBM volume);
//! otherwise the repository's lh.pial for both surfaces and a synthetic volume on the
//! same 1 mm grid, which costs the same to sample.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use surfrender::io::{read_surface, Limits};
use surfrender::volume::{read_volume, sample, Interp, Sampling, Volume};
use surfrender::Mesh;

fn main() -> surfrender::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/data");
    let surf = shared.join("fsaverage5/surf");
    let (white, pial) = if surf.join("lh.white").is_file() {
        (
            read_surface(&surf.join("lh.white"))?,
            read_surface(&surf.join("lh.pial"))?,
        )
    } else {
        let p = read_surface(&root.join("data/fsaverage5/lh.pial"))?;
        (p.clone(), p)
    };
    let icbm = shared.join("volumes/mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz");
    let (vol, what) = if icbm.is_file() {
        (
            read_volume(&icbm, &Limits::default())?,
            "ICBM 2009a grey matter",
        )
    } else {
        (synthetic(), "synthetic 197x233x189")
    };
    let [nx, ny, nz] = vol.shape();
    println!(
        "volume: {what}, {nx}x{ny}x{nz}; {} threads",
        rayon::current_num_threads()
    );
    let (white7, pial7) = (subdivide(&subdivide(&white)), subdivide(&subdivide(&pial)));
    for interp in [Interp::Trilinear, Interp::Nearest] {
        let s = Sampling {
            interp,
            ..Sampling::default()
        };
        for (name, w, p, runs) in [
            ("fsaverage5", &white, &pial, 200),
            ("163842 vertices", &white7, &pial7, 30),
        ] {
            let ms = median_ms(runs, || {
                let o = sample(&vol, w, Some(p), [0.0; 3], &s).expect("sample");
                std::hint::black_box(o);
            });
            println!(
                "{name:>16} x {} depths, {interp:?}: median {ms:.2} ms over {runs} runs",
                s.depths.len()
            );
        }
    }
    Ok(())
}

/// The median wall time of `runs` calls of `f`, in milliseconds (after one warm-up).
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// A 1 mm volume on the ICBM grid with a smooth pattern.
fn synthetic() -> Volume {
    let (nx, ny, nz) = (197, 233, 189);
    let data = ndarray::Array4::from_shape_fn(
        ndarray::ShapeBuilder::f((nx, ny, nz, 1)),
        |(i, j, k, _)| ((i as f32 / 9.0).sin() + (j as f32 / 7.0).cos()) * k as f32,
    );
    Volume {
        data,
        affine: [
            [1.0, 0.0, 0.0, -98.0],
            [0.0, 1.0, 0.0, -134.0],
            [0.0, 0.0, 1.0, -72.0],
            [0.0, 0.0, 0.0, 1.0],
        ],
        orientation: "synthetic".into(),
        notes: Vec::new(),
        integer: false,
    }
}

/// Splits every triangle into 4 at its edges' midpoints (shared midpoints made once):
/// ico5 (10242 vertices) → ico6 (40962) → ico7 (163842), the first vertices kept.
/// Both surfaces of a pair subdivide alike, so their vertices still correspond.
fn subdivide(m: &Mesh) -> Mesh {
    let mut vertices = m.vertices.clone();
    let mut mid: HashMap<(u32, u32), u32> = HashMap::new();
    let mut at = |a: u32, b: u32, vertices: &mut Vec<[f32; 3]>| -> u32 {
        let key = (a.min(b), a.max(b));
        *mid.entry(key).or_insert_with(|| {
            let (p, q) = (vertices[a as usize], vertices[b as usize]);
            vertices.push([0, 1, 2].map(|k| 0.5 * (p[k] + q[k])));
            (vertices.len() - 1) as u32
        })
    };
    let mut faces = Vec::with_capacity(m.faces.len() * 4);
    for &[a, b, c] in &m.faces {
        let ab = at(a, b, &mut vertices);
        let bc = at(b, c, &mut vertices);
        let ca = at(c, a, &mut vertices);
        faces.extend([[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]);
    }
    Mesh {
        vertices,
        faces,
        cras: m.cras,
    }
}
