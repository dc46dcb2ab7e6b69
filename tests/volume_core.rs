//! Volumes sampled onto surfaces (issue 13): the library core, `surfrender::volume`.
//! Volumes are written here as NIfTI-1 and MGZ files with known affines, read back
//! through `read_volume`, and sampled on fsaverage5; the real volumes of the shared
//! corpus are checked against the numbers in its README.

// Affines are indexed by row and column, as they are written on paper.
#![allow(clippy::needless_range_loop)]

use std::path::{Path, PathBuf};

use surfrender::io::{read_surface, Limits};
use surfrender::volume::{
    coverage, is_volume, read_volume, sample, sample_labels, Interp, Reduce, Sampling, Volume,
};
use surfrender::{Error, Mesh};

use crate::util::{data, gzip, out_dir, shared_data, write};

type Affine = [[f64; 4]; 4];

/// A NIfTI-1 file (little-endian, sform code 2, qform 0) of `dims` (3 or 4 of them)
/// holding `values` in Fortran order, as float32 (`datatype` 16) or int16 (4).
fn nifti1(dims: &[usize], affine: &Affine, values: &[f32], datatype: i16) -> Vec<u8> {
    let mut h = vec![0u8; 352];
    let put = |h: &mut Vec<u8>, at: usize, b: &[u8]| h[at..at + b.len()].copy_from_slice(b);
    put(&mut h, 0, &348i32.to_le_bytes());
    put(&mut h, 40, &(dims.len() as i16).to_le_bytes());
    for (k, &d) in dims.iter().enumerate() {
        put(&mut h, 42 + 2 * k, &(d as i16).to_le_bytes());
    }
    for k in dims.len()..7 {
        put(&mut h, 42 + 2 * k, &1i16.to_le_bytes());
    }
    let bitpix: i16 = if datatype == 4 { 16 } else { 32 };
    put(&mut h, 70, &datatype.to_le_bytes());
    put(&mut h, 72, &bitpix.to_le_bytes());
    put(&mut h, 76, &1f32.to_le_bytes());
    for k in 0..3 {
        let len = (0..3)
            .map(|r| affine[r][k] * affine[r][k])
            .sum::<f64>()
            .sqrt();
        put(&mut h, 80 + 4 * k, &(len as f32).to_le_bytes());
    }
    put(&mut h, 108, &352f32.to_le_bytes());
    put(&mut h, 254, &2i16.to_le_bytes());
    for r in 0..3 {
        for c in 0..4 {
            put(
                &mut h,
                280 + 16 * r + 4 * c,
                &(affine[r][c] as f32).to_le_bytes(),
            );
        }
    }
    put(&mut h, 344, b"n+1\0");
    for &v in values {
        if datatype == 4 {
            h.extend_from_slice(&(v as i16).to_le_bytes());
        } else {
            h.extend_from_slice(&v.to_le_bytes());
        }
    }
    h
}

/// An MGZ file of `dims` (width, height, depth, frames) float32 `values` (Fortran order)
/// whose geometry gives `affine`: voxel sizes the columns' lengths, direction cosines the
/// columns over them, and the centre the world position of voxel dims / 2.
fn mgz(dims: [usize; 4], affine: &Affine, values: &[f32], dtype: i32) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(&1i32.to_be_bytes());
    for d in dims {
        h.extend_from_slice(&(d as i32).to_be_bytes());
    }
    h.extend_from_slice(&dtype.to_be_bytes());
    h.extend_from_slice(&0i32.to_be_bytes());
    h.extend_from_slice(&1i16.to_be_bytes());
    let len: Vec<f64> = (0..3)
        .map(|k| {
            (0..3)
                .map(|r| affine[r][k] * affine[r][k])
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    for l in &len {
        h.extend_from_slice(&(*l as f32).to_be_bytes());
    }
    for k in 0..3 {
        for r in 0..3 {
            h.extend_from_slice(&((affine[r][k] / len[k]) as f32).to_be_bytes());
        }
    }
    for r in 0..3 {
        let c = (0..3)
            .map(|k| affine[r][k] * dims[k] as f64 / 2.0)
            .sum::<f64>()
            + affine[r][3];
        h.extend_from_slice(&(c as f32).to_be_bytes());
    }
    h.resize(284, 0);
    for &v in values {
        match dtype {
            3 => h.extend_from_slice(&v.to_be_bytes()),
            4 => h.extend_from_slice(&(v as i16).to_be_bytes()),
            _ => h.extend_from_slice(&(v as i32).to_be_bytes()),
        }
    }
    gzip(&h)
}

/// World position of voxel `v` through `a`.
fn world(a: &Affine, v: [f64; 3]) -> [f64; 3] {
    [0, 1, 2].map(|r| a[r][0] * v[0] + a[r][1] * v[1] + a[r][2] * v[2] + a[r][3])
}

/// Values of `f` at each voxel's world position, `frames` of them per voxel, Fortran
/// order (frames last).
fn fill(
    dims: [usize; 3],
    a: &Affine,
    frames: usize,
    f: impl Fn([f64; 3], usize) -> f64,
) -> Vec<f32> {
    let mut out = Vec::with_capacity(dims.iter().product::<usize>() * frames);
    for t in 0..frames {
        for k in 0..dims[2] {
            for j in 0..dims[1] {
                for i in 0..dims[0] {
                    out.push(f(world(a, [i as f64, j as f64, k as f64]), t) as f32);
                }
            }
        }
    }
    out
}

/// fsaverage5's left pial surface, from the repository.
fn lh_pial() -> Mesh {
    read_surface(&data("lh.pial")).expect("lh.pial")
}

/// A 3 mm RAS grid that holds every fsaverage5 vertex with room to spare: x −90..90,
/// y −120..90, z −60..96.
const RAS_DIMS: [usize; 3] = [61, 71, 53];
fn ras() -> Affine {
    [
        [3.0, 0.0, 0.0, -90.0],
        [0.0, 3.0, 0.0, -120.0],
        [0.0, 0.0, 3.0, -60.0],
        [0.0, 0.0, 0.0, 1.0],
    ]
}

/// The same grid stored left-to-right reversed (LAS): voxel i' is RAS voxel nx−1−i'.
fn las() -> Affine {
    let mut a = ras();
    a[0][3] += 3.0 * (RAS_DIMS[0] - 1) as f64;
    a[0][0] = -3.0;
    a
}

/// The same grid as FreeSurfer stores conformed volumes (LIA): i' left, j' inferior,
/// k' anterior; dims (nx, nz, ny).
fn lia() -> (Affine, [usize; 3]) {
    let [nx, ny, nz] = RAS_DIMS;
    let r = ras();
    let a = [
        [-3.0, 0.0, 0.0, r[0][3] + 3.0 * (nx - 1) as f64],
        [0.0, 0.0, 3.0, r[1][3]],
        [0.0, -3.0, 0.0, r[2][3] + 3.0 * (nz - 1) as f64],
        [0.0, 0.0, 0.0, 1.0],
    ];
    (a, [nx, nz, ny])
}

fn read(path: &Path) -> Volume {
    read_volume(path, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn single(depth: f32) -> Sampling {
    Sampling {
        depths: vec![depth],
        reduce: Reduce::Mean,
        interp: Interp::Trilinear,
    }
}

#[test]
fn a_volume_of_world_coordinates_samples_to_each_vertex_position() {
    let dir = out_dir("volume_world_xyz");
    let mesh = lh_pial();
    let a = ras();
    // Three frames: world x, y and z.
    let values = fill(RAS_DIMS, &a, 3, |w, t| w[t]);
    let mut dims = RAS_DIMS.to_vec();
    dims.push(3);
    let p = write(&dir, "xyz.nii", &nifti1(&dims, &a, &values, 16));
    let vol = read(&p);
    assert_eq!(vol.n_frames(), 3);
    assert!(vol.orientation.starts_with("sform"), "{}", vol.orientation);
    for (pial, what) in [(None, "one surface"), (Some(&mesh), "white = pial")] {
        let o = sample(&vol, &mesh, pial, [0.0; 3], &single(0.5)).expect("sample");
        assert_eq!((o.n_vertices, o.n_frames), (mesh.vertices.len(), 3));
        for t in 0..3 {
            let frame = o.frame(t).expect("frame");
            let worst = mesh
                .vertices
                .iter()
                .zip(frame)
                .map(|(v, &x)| (x - v[t]).abs())
                .fold(0f32, f32::max);
            assert!(worst < 1e-3, "{what}: axis {t}: off by {worst} mm");
        }
    }
}

/// A smooth but far from linear function of world position, so that interpolation
/// errors would show if voxel orders were mixed up.
fn wavy(w: [f64; 3], _: usize) -> f64 {
    (w[0] / 7.0).sin() * 10.0 + (w[1] / 5.0).cos() * w[2] / 20.0 + w[0] * 0.3
}

#[test]
fn ras_las_lia_and_mgz_storage_sample_the_same() {
    let dir = out_dir("volume_orders");
    let mesh = lh_pial();
    let white = read_surface(&data("lh.white")).ok();
    let a = ras();
    let (lia_a, lia_dims) = lia();
    let files = [
        (
            "ras.nii",
            nifti1(&RAS_DIMS, &a, &fill(RAS_DIMS, &a, 1, wavy), 16),
        ),
        (
            "las.nii.gz",
            gzip(&nifti1(
                &RAS_DIMS,
                &las(),
                &fill(RAS_DIMS, &las(), 1, wavy),
                16,
            )),
        ),
        (
            "lia.nii",
            nifti1(&lia_dims, &lia_a, &fill(lia_dims, &lia_a, 1, wavy), 16),
        ),
        ("lia.mgz", {
            let [x, y, z] = lia_dims;
            mgz([x, y, z, 1], &lia_a, &fill(lia_dims, &lia_a, 1, wavy), 3)
        }),
        ("las.mgz", {
            let [x, y, z] = RAS_DIMS;
            mgz([x, y, z, 1], &las(), &fill(RAS_DIMS, &las(), 1, wavy), 3)
        }),
    ];
    let white = white.as_ref().unwrap_or(&mesh);
    let mut first: Option<(Vec<f32>, Vec<f32>)> = None;
    for (name, bytes) in files {
        let vol = read(&write(&dir, name, &bytes));
        let tri = sample(&vol, white, Some(&mesh), [0.0; 3], &Sampling::default()).expect("sample");
        let near = Sampling {
            interp: Interp::Nearest,
            ..Sampling::default()
        };
        let nn = sample(&vol, white, Some(&mesh), [0.0; 3], &near).expect("sample");
        assert!(
            tri.values.iter().all(|x| x.is_finite()),
            "{name}: a vertex outside"
        );
        match &first {
            None => first = Some((tri.values, nn.values)),
            Some((t0, n0)) => {
                let worst = |a: &[f32], b: &[f32]| {
                    a.iter()
                        .zip(b)
                        .map(|(x, y)| (x - y).abs())
                        .fold(0f32, f32::max)
                };
                assert!(
                    worst(t0, &tri.values) < 1e-4,
                    "{name}: trilinear differs by {}",
                    worst(t0, &tri.values)
                );
                assert!(
                    worst(n0, &nn.values) < 1e-4,
                    "{name}: nearest differs by {}",
                    worst(n0, &nn.values)
                );
            }
        }
    }
}

#[test]
fn a_surface_cras_moves_it_into_scanner_coordinates() {
    let dir = out_dir("volume_cras");
    // lh.pial with its footer's cras (0 0 0) set to (12.5, -20, 31).
    let bytes = std::fs::read(data("lh.pial")).expect("lh.pial");
    let from = b"cras   = 0 0 0";
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("lh.pial has a volume-info footer");
    let mut moved = bytes[..at].to_vec();
    moved.extend_from_slice(b"cras   = 12.5 -20 31\n");
    let surf = write(&dir, "lh.pial", &moved);
    let shifted = read_surface(&surf).expect("surface");
    let centred = lh_pial();
    assert_eq!(centred.cras, Some([0.0; 3]), "fsaverage's cras is 0");
    let cras = shifted.cras.expect("cras read from the footer");
    assert_eq!(cras, [12.5, -20.0, 31.0]);
    assert_eq!(
        shifted.vertices, centred.vertices,
        "coordinates stay tkrRAS"
    );
    // The same scan, once centred (tkr) and once in scanner coordinates.
    let a = ras();
    let mut scanner = a;
    for r in 0..3 {
        scanner[r][3] += f64::from(cras[r]);
    }
    let tkr = read(&write(
        &dir,
        "tkr.nii",
        &nifti1(&RAS_DIMS, &a, &fill(RAS_DIMS, &a, 1, wavy), 16),
    ));
    let vals = fill(RAS_DIMS, &scanner, 1, |w, t| {
        wavy([0, 1, 2].map(|k| w[k] - f64::from(cras[k])), t)
    });
    let scan = read(&write(
        &dir,
        "scanner.nii",
        &nifti1(&RAS_DIMS, &scanner, &vals, 16),
    ));
    let s = Sampling::default();
    let want = sample(&tkr, &centred, Some(&centred), [0.0; 3], &s).expect("sample");
    let got = sample(&scan, &shifted, Some(&shifted), cras, &s).expect("sample");
    let worst = want
        .values
        .iter()
        .zip(&got.values)
        .map(|(x, y)| (x - y).abs())
        .fold(0f32, f32::max);
    assert!(worst < 1e-3, "differs by {worst}");
    // Without the cras the surface is 40 mm off, and the values are not those.
    let wrong = sample(&scan, &shifted, Some(&shifted), [0.0; 3], &s).expect("sample");
    assert!(wrong
        .values
        .iter()
        .zip(&want.values)
        .any(|(x, y)| (x - y).abs() > 1.0));
}

#[test]
fn a_vertex_outside_the_volume_is_nan_and_coverage_says_where_each_lies() {
    let dir = out_dir("volume_outside");
    let mesh = lh_pial();
    // A box that holds only the left hemisphere's posterior half (y < -20).
    let a = ras();
    let dims = [61, 34, 53];
    let vol = read(&write(
        &dir,
        "back.nii",
        &nifti1(&dims, &a, &fill(dims, &a, 1, |w, _| w[1]), 16),
    ));
    let o = sample(&vol, &mesh, None, [0.0; 3], &single(0.0)).expect("sample");
    let ymax = -120.0 + 3.0 * 33.0 + 1.5;
    for (v, x) in mesh.vertices.iter().zip(&o.values) {
        if v[1] > ymax as f32 + 0.01 {
            assert!(x.is_nan(), "vertex at y {} has {x}", v[1]);
        } else if v[1] < ymax as f32 - 1.6 {
            assert!(x.is_finite());
        }
    }
    let c = coverage(&vol, &mesh, [0.0; 3]);
    let inside = mesh.vertices.iter().filter(|v| v[1] <= ymax as f32).count() as f64;
    assert!(
        (c.inside - inside / mesh.vertices.len() as f64).abs() < 1e-3,
        "{c:?}"
    );
    assert_eq!(c.volume_box[0], [-91.5, -121.5, -61.5]);
    assert_eq!(c.volume_box[1][1], ymax);
    let (lo, hi) = mesh.bounds();
    assert_eq!(c.surface_box, [lo, hi]);
    // Far away: nothing inside.
    let c = coverage(&vol, &mesh, [500.0, 0.0, 0.0]);
    assert_eq!(c.inside, 0.0);
    assert_eq!(c.surface_box[0][0], lo[0] + 500.0);
}

#[test]
fn max_takes_the_largest_depth_and_nan_voxels_are_left_out() {
    let dir = out_dir("volume_reduce");
    let mesh = lh_pial();
    let a = ras();
    // Value = world z, with one NaN slab at z in (10, 20).
    let v = fill(RAS_DIMS, &a, 1, |w, _| {
        if w[2] > 10.0 && w[2] < 20.0 {
            f64::NAN
        } else {
            w[2]
        }
    });
    let vol = read(&write(&dir, "z.nii", &nifti1(&RAS_DIMS, &a, &v, 16)));
    // Pial vs pial moved up 6 mm: max over depths 0 and 1 is z + 6 where finite.
    let mut up = mesh.clone();
    for p in &mut up.vertices {
        p[2] += 6.0;
    }
    let s = Sampling {
        depths: vec![0.0, 1.0],
        reduce: Reduce::Max,
        interp: Interp::Trilinear,
    };
    let o = sample(&vol, &mesh, Some(&up), [0.0; 3], &s).expect("sample");
    for (p, x) in mesh.vertices.iter().zip(&o.values) {
        let z = p[2];
        if !(-5.0..=25.0).contains(&z) {
            assert!((x - (z + 6.0)).abs() < 1e-3, "z {z}: {x}");
        }
        if z > 12.0 && z < 12.5 {
            // Deep sample in the NaN slab, upper one above it (z + 6 > 18 < 20: in
            // the slab too, unless the upper's interpolation reaches past 20).
            assert!(x.is_nan() || *x > 20.0, "z {z}: {x}");
        }
    }
    let m = sample(
        &vol,
        &mesh,
        Some(&up),
        [0.0; 3],
        &Sampling {
            reduce: Reduce::Mean,
            ..s
        },
    )
    .expect("sample");
    for (p, x) in mesh.vertices.iter().zip(&m.values) {
        if p[2] > 25.0 {
            assert!((x - (p[2] + 3.0)).abs() < 1e-3);
        }
    }
}

/// A parcel for voxel (i, j, k) of the RAS grid: blocks of 8 voxels, 0 in some.
fn parcel(i: usize, j: usize, k: usize) -> i32 {
    let l = (i / 8 + 3 * (j / 8) + 7 * (k / 8)) as i32 % 11;
    l * 3
}

#[test]
fn a_parcel_volume_samples_to_each_vertex_parcel() {
    let dir = out_dir("volume_labels");
    let mesh = lh_pial();
    let a = ras();
    let [nx, ny, nz] = RAS_DIMS;
    let mut v = Vec::new();
    for k in 0..nz {
        for j in 0..ny {
            for i in 0..nx {
                v.push(parcel(i, j, k) as f32);
            }
        }
    }
    let depths = Sampling::default().depths;
    for (name, bytes) in [
        ("parcels.nii", nifti1(&RAS_DIMS, &a, &v, 4)),
        ("parcels.mgz", mgz([nx, ny, nz, 1], &a, &v, 1)),
    ] {
        let vol = read(&write(&dir, name, &bytes));
        assert!(vol.integer, "{name}");
        let got = sample_labels(&vol, &mesh, Some(&mesh), [0.0; 3], &depths).expect("labels");
        let mut checked = 0;
        for (p, &l) in mesh.vertices.iter().zip(&got) {
            let f = [0, 1, 2].map(|k| (f64::from(p[k]) - a[k][3]) / 3.0);
            // Skip vertices within 0.01 voxel of a rounding tie.
            if f.iter().any(|x| (x.fract().abs() - 0.5).abs() < 0.01) {
                continue;
            }
            let [i, j, k] = f.map(|x| x.round() as usize);
            assert_eq!(l, parcel(i, j, k), "{name}: vertex at {p:?}");
            checked += 1;
        }
        assert!(checked > 9500, "{checked} vertices checked");
        assert!(got.contains(&0) && got.iter().any(|&l| l > 0));
    }
}

#[test]
fn majority_over_depths_ignores_background() {
    let dir = out_dir("volume_majority");
    let mesh = lh_pial();
    let a = ras();
    // Label 5 where z < 0, background (0) above.
    let v = fill(RAS_DIMS, &a, 1, |w, _| if w[2] < 0.0 { 5.0 } else { 0.0 });
    let vol = read(&write(&dir, "half.nii", &nifti1(&RAS_DIMS, &a, &v, 4)));
    // White 30 mm below pial: a vertex whose lower third lies below z = 0 is 5.
    let mut low = mesh.clone();
    for p in &mut low.vertices {
        p[2] -= 30.0;
    }
    let d = Sampling::default().depths;
    let got = sample_labels(&vol, &low, Some(&mesh), [0.0; 3], &d).expect("labels");
    for (p, &l) in mesh.vertices.iter().zip(&got) {
        let z = p[2];
        if z < 28.0 {
            assert_eq!(l, 5, "z {z}");
        } else if z > 32.0 {
            assert_eq!(l, 0, "z {z}");
        }
    }
}

#[test]
fn errors_name_the_file_and_what_was_wrong() {
    let dir = out_dir("volume_errors");
    let a = ras();
    let dims = [4, 5, 6];
    let v = vec![1.0f32; 120];
    let msg = |p: &PathBuf| match read_volume(p, &Limits::default()) {
        Ok(_) => panic!("{} read", p.display()),
        Err(e) => {
            let m = e.to_string();
            assert!(m.contains(&p.display().to_string()), "{m}");
            assert!(!m.contains('\n'), "{m}");
            m
        }
    };
    // Singular: the third axis has no direction.
    let mut sing = a;
    sing[2][2] = 0.0;
    let m = msg(&write(&dir, "singular.nii", &nifti1(&dims, &sing, &v, 16)));
    assert!(m.contains("singular"), "{m}");
    let mut nan = a;
    nan[1][3] = f64::NAN;
    let m = msg(&write(&dir, "nan.nii", &nifti1(&dims, &nan, &v, 16)));
    assert!(m.contains("not a number") && m.contains("row 1"), "{m}");
    let m = msg(&write(
        &dir,
        "5d.nii",
        &nifti1(&[4, 5, 3, 1, 2], &a, &[0.0; 120], 16),
    ));
    assert!(m.contains("5-D") && m.contains("4x5x3x1x2"), "{m}");
    let whole = nifti1(&dims, &a, &v, 16);
    let p = write(&dir, "cut.nii", &whole[..whole.len() - 10]);
    let m = msg(&p);
    assert!(
        matches!(
            read_volume(&p, &Limits::default()),
            Err(Error::Truncated { .. })
        ),
        "{m}"
    );
    let p = write(&dir, "cut.nii.gz", &gzip(&whole[..whole.len() - 10]));
    assert!(msg(&p).contains("truncated"));
    // Per-vertex data are not a volume.
    let m = msg(&write(
        &dir,
        "pervertex.nii",
        &nifti1(&[100, 1, 1], &a, &[0.0; 100], 16),
    ));
    assert!(m.contains("per-vertex"), "{m}");
    let m = msg(&write(&dir, "junk.nii", b"not a volume at all"));
    assert!(m.contains("NIfTI"), "{m}");
    // A budget smaller than the volume: refused before reading.
    let small = Limits { max_memory: 100 };
    assert!(matches!(
        read_volume(&write(&dir, "big.nii", &whole), &small),
        Err(Error::TooLarge { .. })
    ));
    // No orientation at all: pixdim, with a note; a zero voxel size is singular.
    let mut bare = whole.clone();
    bare[254..256].copy_from_slice(&0i16.to_le_bytes());
    let vol = read(&write(&dir, "bare.nii", &bare));
    assert!(vol.orientation.starts_with("pixdim"), "{}", vol.orientation);
    assert_eq!(vol.affine[0][0], -3.0);
    assert!(!vol.notes.is_empty());
    bare[84..88].copy_from_slice(&0f32.to_le_bytes());
    assert!(msg(&write(&dir, "bare0.nii", &bare)).contains("singular"));
}

#[test]
fn labels_need_whole_numbers_and_surfaces_must_pair() {
    let dir = out_dir("volume_label_errors");
    let mesh = lh_pial();
    let a = ras();
    let half = fill(RAS_DIMS, &a, 1, |w, _| w[0].floor() + 0.5);
    let vol = read(&write(&dir, "half.nii", &nifti1(&RAS_DIMS, &a, &half, 16)));
    assert!(!vol.integer);
    let e = sample_labels(&vol, &mesh, None, [0.0; 3], &[0.5]).expect_err("non-integer");
    assert!(e.to_string().contains("not a label volume"), "{e}");
    // Whole numbers stored as float: still no label volume (not an integer type).
    let whole = fill(RAS_DIMS, &a, 1, |w, _| w[0].floor());
    let vol = read(&write(
        &dir,
        "whole.nii",
        &nifti1(&RAS_DIMS, &a, &whole, 16),
    ));
    assert!(!vol.integer);
    assert!(sample_labels(&vol, &mesh, None, [0.0; 3], &[0.5]).is_err());
    let mut fewer = mesh.clone();
    fewer.vertices.pop();
    let e = sample(&vol, &mesh, Some(&fewer), [0.0; 3], &Sampling::default()).expect_err("pair");
    assert!(
        e.to_string().contains("10242") && e.to_string().contains("10241"),
        "{e}"
    );
}

#[test]
fn is_volume_tells_volumes_from_per_vertex_data() {
    let dir = out_dir("volume_sniff");
    let a = ras();
    let vol = write(
        &dir,
        "v.nii.gz",
        &gzip(&nifti1(&[4, 5, 6], &a, &[0.0; 120], 16)),
    );
    assert!(is_volume(&vol));
    let mgz_vol = write(&dir, "v.mgz", &mgz([4, 5, 6, 1], &a, &[0.0; 120], 3));
    assert!(is_volume(&mgz_vol));
    let per_vertex = write(
        &dir,
        "pv.nii",
        &nifti1(&[100, 1, 1, 3], &a, &[0.0; 300], 16),
    );
    assert!(!is_volume(&per_vertex));
    let per_vertex_mgz = write(&dir, "pv.mgz", &mgz([100, 1, 1, 1], &a, &[0.0; 100], 3));
    assert!(!is_volume(&per_vertex_mgz));
    assert!(!is_volume(&data("lh.thickness")));
    assert!(!is_volume(&data("lh.pial")));
    assert!(!is_volume(&dir.join("missing.nii")));
}

/// fsaverage5's white and pial surfaces of `hemi` from the shared corpus.
fn fsaverage5(shared: &Path, hemi: &str) -> (Mesh, Mesh) {
    let surf = shared.join("fsaverage5").join("surf");
    let r = |n: &str| read_surface(&surf.join(format!("{hemi}.{n}"))).expect("surface");
    (r("white"), r("pial"))
}

#[test]
fn the_motor_map_lands_right_hand_positive_on_the_right_hemisphere() {
    let Some(shared) = shared_data() else { return };
    let vol = read(&shared.join("volumes").join("image_10426.nii.gz"));
    assert_eq!(vol.shape(), [53, 63, 46]);
    assert_eq!(vol.affine[0][0], -3.0, "stored with a negative x step");
    let mut means = Vec::new();
    for hemi in ["lh", "rh"] {
        let (white, pial) = fsaverage5(&shared, hemi);
        let o = sample(&vol, &white, Some(&pial), [0.0; 3], &Sampling::default()).expect("sample");
        let central: Vec<f32> = pial
            .vertices
            .iter()
            .zip(&o.values)
            .filter(|(p, x)| (-35.0..=-5.0).contains(&p[1]) && p[2] > 40.0 && x.is_finite())
            .map(|(_, &x)| x)
            .collect();
        assert!(
            central.len() > 100,
            "{hemi}: {} central vertices",
            central.len()
        );
        let mean = central.iter().sum::<f32>() / central.len() as f32;
        eprintln!(
            "motor map, {hemi} central region: mean {mean:.3} over {} vertices",
            central.len()
        );
        means.push(mean);
    }
    assert!(means[0] < -0.5, "lh mean {}", means[0]);
    assert!(means[1] > 0.5, "rh mean {}", means[1]);
}

#[test]
fn grey_matter_probability_is_high_in_the_ribbon() {
    let Some(shared) = shared_data() else { return };
    let vol = read(
        &shared
            .join("volumes")
            .join("mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz"),
    );
    assert_eq!(vol.shape(), [197, 233, 189]);
    let max = vol.data.iter().fold(0f32, |m, &x| m.max(x));
    for hemi in ["lh", "rh"] {
        let (white, pial) = fsaverage5(&shared, hemi);
        let o = sample(&vol, &white, Some(&pial), [0.0; 3], &Sampling::default()).expect("sample");
        let mut v: Vec<f32> = o.values.iter().copied().filter(|x| x.is_finite()).collect();
        assert_eq!(v.len(), o.values.len(), "{hemi}: every vertex inside");
        v.sort_by(f32::total_cmp);
        let median = v[v.len() / 2];
        let above = v.iter().filter(|&&x| x > max / 2.0).count() as f64 / v.len() as f64;
        eprintln!(
            "ICBM grey matter, {hemi}: median {median:.1} of {max}, {:.1}% above half",
            100.0 * above
        );
        assert!((median - 177.0).abs() < 8.0, "{hemi}: median {median}");
        assert!((0.68..=0.76).contains(&above), "{hemi}: {above}");
    }
}

/// A one-triangle GIfTI surface whose point set carries `meta` MetaData entries and a
/// coordinate system with data space `space`.
fn gifti_triangle(meta: &[(&str, &str)], space: &str) -> String {
    let md: String = meta
        .iter()
        .map(|(k, v)| {
            format!("<MD><Name><![CDATA[{k}]]></Name><Value><![CDATA[{v}]]></Value></MD>")
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<GIFTI Version="1.0" NumberOfDataArrays="2">
<DataArray Intent="NIFTI_INTENT_POINTSET" DataType="NIFTI_TYPE_FLOAT32" ArrayIndexingOrder="RowMajorOrder" Dimensionality="2" Dim0="3" Dim1="3" Encoding="ASCII">
<MetaData>{md}</MetaData>
<CoordinateSystemTransformMatrix><DataSpace><![CDATA[{space}]]></DataSpace><TransformedSpace><![CDATA[{space}]]></TransformedSpace><MatrixData>1 0 0 0 0 1 0 0 0 0 1 0 0 0 0 1</MatrixData></CoordinateSystemTransformMatrix>
<Data>0 0 0 1 0 0 0 1 0</Data>
</DataArray>
<DataArray Intent="NIFTI_INTENT_TRIANGLE" DataType="NIFTI_TYPE_INT32" ArrayIndexingOrder="RowMajorOrder" Dimensionality="2" Dim0="1" Dim1="3" Encoding="ASCII">
<MetaData/>
<Data>0 1 2</Data>
</DataArray>
</GIFTI>
"#
    )
}

#[test]
fn gifti_surfaces_take_cras_from_freesurfer_volume_geometry() {
    let dir = out_dir("volume_gifti_cras");
    let c = [
        ("VolGeomC_R", "1.5"),
        ("VolGeomC_A", "-2"),
        ("VolGeomC_S", "30.25"),
    ];
    let read = |name: &str, text: String| {
        read_surface(&write(&dir, name, text.as_bytes())).expect("GIfTI surface")
    };
    let tkr = read("tkr.surf.gii", gifti_triangle(&c, "NIFTI_XFORM_UNKNOWN"));
    assert_eq!(tkr.cras, Some([1.5, -2.0, 30.25]));
    // Coordinates already in scanner RAS: no shift to add.
    let scanner = read(
        "scanner.surf.gii",
        gifti_triangle(&c, "NIFTI_XFORM_SCANNER_ANAT"),
    );
    assert_eq!(scanner.cras, None);
    let none = read(
        "plain.surf.gii",
        gifti_triangle(&c[..2], "NIFTI_XFORM_UNKNOWN"),
    );
    assert_eq!(none.cras, None);
}
