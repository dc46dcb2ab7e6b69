//! Issue 13: volumes onto surfaces from the command line. A statistic map in MNI space
//! renders on the bundled fsaverage5 with no surface given, on explicit surfaces and in
//! subject mode alike; a subject-space MGZ lands on the subject's surfaces through their
//! `cras`; label volumes draw as parcellations; bad volumes are refused in one line with
//! no output.

use std::io::Write;
use std::path::{Path, PathBuf};

use image::RgbaImage;
use surfrender::read::{self, Cache, LayerData};
use surfrender::FigureDesc;

use crate::util::{self, run_in};

/// NeuroVault 10426, the motor map (`../shared/data/volumes/`), when the corpus is here.
fn motor_map() -> Option<PathBuf> {
    Some(
        util::shared_data()?
            .join("volumes")
            .join("image_10426.nii.gz"),
    )
}

/// Runs the binary in `dir` with `args` plus the CPU backend, with its cache folder in
/// `dir` (so the default brain is written as on a fresh machine).
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let o = util::surfrender()
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .args(args)
        .args(["--backend", "cpu"])
        .output()
        .expect("run surfrender");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Renders `args` into `dir/name`; the figure and standard error.
fn render(dir: &Path, name: &str, args: &[&str]) -> (RgbaImage, String) {
    let out = dir.join(name).display().to_string();
    let (code, err) = run(dir, &[args, &["-o", &out]].concat());
    assert_eq!(code, 0, "{args:?}: {err}");
    (image::open(&out).expect("read figure").to_rgba8(), err)
}

/// Strongly red and strongly blue pixels (RdBu_r's ends, heat's positive and negative
/// halves) in columns `x0..x1` of the lateral row (the figure's top half).
fn red_blue(img: &RgbaImage, x0: u32, x1: u32) -> (usize, usize, f64) {
    let (mut red, mut blue, mut red_x) = (0, 0, 0.0);
    for y in 0..img.height() / 2 {
        for x in x0..x1 {
            let p = img.get_pixel(x, y);
            let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
            if r > 150 && r - g > 60 && r - b > 60 {
                red += 1;
                red_x += (x - x0) as f64 / (x1 - x0) as f64;
            }
            if b > 150 && b - r > 60 && b - g > 20 {
                blue += 1;
            }
        }
    }
    (red, blue, red_x / red.max(1) as f64)
}

/// The motor map's positive values lie in the right hemisphere's central region and its
/// negative values in the left's: the lateral panels (left column lh, right column rh)
/// are red on the right and blue on the left, the red near the middle of the panel.
#[track_caller]
fn motor_map_looks_right(img: &RgbaImage) {
    let w = img.width();
    let (lh_red, lh_blue, _) = red_blue(img, 0, w / 2);
    let (rh_red, rh_blue, rh_red_x) = red_blue(img, w / 2, w);
    assert!(
        lh_blue > 2000 && lh_blue > 5 * lh_red.max(1),
        "lh lateral: {lh_blue} blue, {lh_red} red pixels"
    );
    assert!(
        rh_red > 2000 && rh_red > 5 * rh_blue.max(1),
        "rh lateral: {rh_red} red, {rh_blue} blue pixels"
    );
    assert!(
        (0.25..0.75).contains(&rh_red_x),
        "rh's red lies at {rh_red_x:.2} of the panel's width, not in its central region"
    );
}

#[test]
fn issue13_motor_map_renders_on_the_default_brain() {
    let Some(vol) = motor_map() else {
        return;
    };
    let dir = util::out_dir("volumes_default_brain");
    let vol = vol.display().to_string();
    let (img, err) = render(&dir, "motor.png", &[&vol]);
    motor_map_looks_right(&img);
    util::mentions(
        &err,
        &[
            "fsaverage5",
            "MNI305",
            "MNI152",
            "image_10426.nii.gz sampled onto lh.white..lh.pial at 10 depths (mean, trilinear)",
        ],
    );
    // On a fresh machine the built-in brain was written to the cache folder.
    let cached = std::fs::read_dir(dir.join("cache").join("surfrender"))
        .expect("cache folder")
        .flatten()
        .next()
        .expect("the default brain's folder")
        .path();
    assert!(cached.join("rh.white").is_file() && cached.join("lh.pial").is_file());

    // The same volume with --overlay and no surface is the same figure.
    let (alone, _) = render(&dir, "overlay.png", &["--overlay", &vol]);
    assert!(
        alone == img,
        "--overlay alone differs from the volume as SURFACE"
    );
}

#[test]
fn issue13_motor_map_on_explicit_surfaces_and_in_subject_mode() {
    let Some(vol) = motor_map() else {
        return;
    };
    let Some(shared) = util::shared_data() else {
        return;
    };
    let dir = util::out_dir("volumes_explicit");
    let vol = vol.display().to_string();
    let surf = shared.join("fsaverage5").join("surf");
    let (lh, rh) = (surf.join("lh.inflated"), surf.join("rh.inflated"));
    let (img, err) = render(
        &dir,
        "explicit.png",
        &[
            lh.to_str().unwrap(),
            rh.to_str().unwrap(),
            "--overlay",
            &vol,
        ],
    );
    motor_map_looks_right(&img);
    assert!(
        !err.contains("fsaverage5 (inflated"),
        "no default-brain note: {err}"
    );
    util::mentions(
        &err,
        &[
            "sampled onto lh.white..lh.pial",
            "sampled onto rh.white..rh.pial",
        ],
    );
    // The shared fsaverage5 is the bundled one: the same figure.
    let (default, _) = render(&dir, "default.png", &[&vol]);
    assert!(
        default == img,
        "explicit fsaverage5 differs from the default brain"
    );

    // Subject mode: surf/{lh,rh}.white and .pial of the subject.
    let subjects = shared.display().to_string();
    let (img, err) = render(
        &dir,
        "subject.png",
        &[
            "--subject",
            "fsaverage5",
            "--subjects-dir",
            &subjects,
            "--overlay",
            &vol,
        ],
    );
    motor_map_looks_right(&img);
    util::mentions(&err, &["sampled onto lh.white..lh.pial"]);
}

// ---------------------------------------------------------------------------------------
// Volumes written by the tests

/// A gzipped MGH volume (MGZ) of float32 `values` (x fastest) with identity direction
/// cosines, `voxel` mm voxels and centre `c_ras`.
fn write_mgz(path: &Path, dims: [usize; 3], voxel: f32, c_ras: [f32; 3], values: &[f32]) {
    let mut b = Vec::new();
    for v in [
        1i32,
        dims[0] as i32,
        dims[1] as i32,
        dims[2] as i32,
        1,
        3,
        0,
    ] {
        b.extend(v.to_be_bytes());
    }
    b.extend(1i16.to_be_bytes()); // goodRASflag
    for v in [voxel; 3] {
        b.extend(v.to_be_bytes());
    }
    for v in [1f32, 0., 0., 0., 1., 0., 0., 0., 1.] {
        b.extend(v.to_be_bytes());
    }
    for v in c_ras {
        b.extend(v.to_be_bytes());
    }
    b.resize(284, 0);
    for v in values {
        b.extend(v.to_be_bytes());
    }
    std::fs::write(path, util::gzip(&b)).expect("write mgz");
}

/// A NIfTI-1 volume (`dim` as the header's, dim[0] first) of `data` (already in the
/// datatype's little-endian bytes), with sform `srow` (code 1; qform code 0).
fn write_nifti(
    path: &Path,
    dim: [i16; 8],
    datatype: i16,
    bitpix: i16,
    srow: [[f32; 4]; 3],
    data: &[u8],
) {
    let mut h = vec![0u8; 352];
    h[0..4].copy_from_slice(&348i32.to_le_bytes());
    for (k, d) in dim.iter().enumerate() {
        h[40 + 2 * k..42 + 2 * k].copy_from_slice(&d.to_le_bytes());
    }
    h[70..72].copy_from_slice(&datatype.to_le_bytes());
    h[72..74].copy_from_slice(&bitpix.to_le_bytes());
    for (k, p) in [1f32, 2., 2., 2., 1., 1., 1., 1.].iter().enumerate() {
        h[76 + 4 * k..80 + 4 * k].copy_from_slice(&p.to_le_bytes());
    }
    h[108..112].copy_from_slice(&352f32.to_le_bytes());
    h[112..116].copy_from_slice(&1f32.to_le_bytes());
    h[254..256].copy_from_slice(&1i16.to_le_bytes());
    for (r, row) in srow.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let at = 280 + 16 * r + 4 * c;
            h[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
    }
    h[344..348].copy_from_slice(b"n+1\0");
    let mut f = std::fs::File::create(path).expect("create nifti");
    f.write_all(&h)
        .and_then(|()| f.write_all(data))
        .expect("write nifti");
}

/// 2 mm voxels over ±120 mm around `centre` (121 per side): fsaverage reaches y = -103.
const N: usize = 121;

/// A 2 mm NIfTI grid around `centre` whose value at each voxel is `f(x, y, z)` of its
/// world coordinates, as float32.
fn nifti_of(path: &Path, centre: [f32; 3], f: impl Fn(f32, f32, f32) -> f32) {
    let o = centre.map(|c| c - 120.0);
    let mut data = Vec::with_capacity(N * N * N * 4);
    for k in 0..N {
        for j in 0..N {
            for i in 0..N {
                let v = f(
                    o[0] + 2.0 * i as f32,
                    o[1] + 2.0 * j as f32,
                    o[2] + 2.0 * k as f32,
                );
                data.extend(v.to_le_bytes());
            }
        }
    }
    let srow = [[2., 0., 0., o[0]], [0., 2., 0., o[1]], [0., 0., 2., o[2]]];
    write_nifti(
        path,
        [3, N as i16, N as i16, N as i16, 1, 1, 1, 1],
        16,
        32,
        srow,
        &data,
    );
}

/// A folder holding the bundled lh.inflated, lh.white and lh.pial (and lh.curv), the
/// white and pial with their volume-info `cras` set to `cras`.
fn subject_surfaces(dir: &Path, cras: [f32; 3]) -> PathBuf {
    let surf = dir.join("surf");
    std::fs::create_dir_all(&surf).expect("surf folder");
    for name in ["lh.inflated", "lh.curv"] {
        std::fs::copy(util::data(name), surf.join(name)).expect("copy");
    }
    for name in ["lh.white", "lh.pial"] {
        let bytes = std::fs::read(util::data(name)).expect("read surface");
        let at = bytes
            .windows(4)
            .rposition(|w| w == b"cras")
            .expect("a volume-info cras line");
        let mut out = bytes[..at].to_vec();
        out.extend(format!("cras   = {} {} {}\n", cras[0], cras[1], cras[2]).as_bytes());
        std::fs::write(surf.join(name), out).expect("write surface");
    }
    surf
}

/// The sampled values of `args`' first overlay layer on its first hemisphere.
fn sampled(args: &[&str]) -> Vec<f32> {
    let desc = FigureDesc::from_args([&["surfrender"], args].concat()).expect("arguments");
    let spec = desc.resolve().expect("resolve");
    let inputs = read::read(&spec, &Cache::new()).expect("read");
    let ov = inputs.surfaces[0].overlays[0].as_ref().expect("an overlay");
    ov.frame(0).expect("frame 0").to_vec()
}

/// Each vertex's mean x over the ribbon depths `depths` between `white` and `pial`
/// (what trilinear sampling of a volume whose value is x gives: exact for a linear
/// function).
fn ribbon_x(white: &Path, pial: &Path, depths: &[f32], offset: f32) -> Vec<f32> {
    let w = surfrender::io::read_surface(white).expect("white");
    let p = surfrender::io::read_surface(pial).expect("pial");
    (w.vertices.iter().zip(&p.vertices))
        .map(|(a, b)| {
            let sum: f32 = depths.iter().map(|d| a[0] + d * (b[0] - a[0])).sum();
            sum / depths.len() as f32 + offset
        })
        .collect()
}

#[track_caller]
fn all_close(got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len());
    let worst = (got.iter().zip(want))
        .map(|(g, w)| (g - w).abs())
        .fold(0f32, f32::max);
    assert!(worst <= tol, "largest difference {worst} > {tol}");
}

/// A subject-space MGZ (scanner coordinates, centred on the subject's c_ras) lands on
/// the subject's surfaces: the value sampled at each vertex is its own scanner x, the
/// surface's tkrRAS x plus its cras, over the ribbon.
#[test]
fn issue13_subject_space_mgz_lands_through_the_surfaces_cras() {
    let dir = util::out_dir("volumes_mgz");
    let cras = [5.0f32, -10.0, 20.0];
    let surf = subject_surfaces(&dir, cras);
    // 1 mm voxels, 200 per side, centred on c_ras; value = world x.
    let n = 200usize;
    let mut values = Vec::with_capacity(n * n * n);
    for _k in 0..n {
        for _j in 0..n {
            for i in 0..n {
                // nibabel's MGH affine: world = c_ras + (index - dims/2) * voxel.
                values.push(cras[0] + (i as f32 - n as f32 / 2.0));
            }
        }
    }
    let vol = dir.join("x.mgz");
    write_mgz(&vol, [n, n, n], 1.0, cras, &values);
    let inflated = surf.join("lh.inflated");
    let args = [
        inflated.to_str().unwrap(),
        "--overlay",
        vol.to_str().unwrap(),
        "--projfrac",
        "0.5",
    ];
    let got = sampled(&args);
    let want = ribbon_x(
        &surf.join("lh.white"),
        &surf.join("lh.pial"),
        &[0.5],
        cras[0],
    );
    all_close(&got, &want, 1e-3);
    // The figure renders, and says how it sampled.
    let (_, err) = render(&dir, "mgz.png", &args);
    util::mentions(
        &err,
        &["x.mgz sampled onto lh.white..lh.pial at depth 0.5 (mean, trilinear)"],
    );
}

/// A test folder with a subject's surfaces (cras 0) and `x.nii`, a volume whose value
/// is its world x.
fn x_on_subject_surfaces(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = util::out_dir(name);
    let surf = subject_surfaces(&dir, [0.0; 3]);
    let vol = dir.join("x.nii");
    nifti_of(&vol, [0.0; 3], |x, _, _| x);
    (dir, surf, vol)
}

/// The ribbon default (nilearn's depths, mean) of a volume whose value is x is each
/// vertex's mean x over those depths; `--sample-surf white` samples on white alone.
#[test]
fn issue13_ribbon_and_single_surface_sampling() {
    let (dir, surf, vol) = x_on_subject_surfaces("volumes_ribbon");
    let inflated = surf.join("lh.inflated");
    let base = [
        inflated.to_str().unwrap(),
        "--overlay",
        vol.to_str().unwrap(),
    ];
    let depths = surfrender::volume::Sampling::default().depths;
    let (white, pial) = (surf.join("lh.white"), surf.join("lh.pial"));
    all_close(
        &sampled(&base),
        &ribbon_x(&white, &pial, &depths, 0.0),
        1e-3,
    );
    // The same surfaces given as paths.
    let paths = format!("{},{}", white.display(), pial.display());
    let given = [&base[..], &["--sample-surf", &paths]].concat();
    all_close(&sampled(&given), &sampled(&base), 0.0);
    let one = [&base[..], &["--sample-surf", "white"]].concat();
    all_close(&sampled(&one), &ribbon_x(&white, &white, &[0.0], 0.0), 1e-3);
    let max = [&base[..], &["--sample-reduce", "max"]].concat();
    let ends = ribbon_x(&white, &pial, &[0.0], 0.0)
        .into_iter()
        .zip(ribbon_x(&white, &pial, &[1.0], 0.0))
        .map(|(a, b)| a.max(b))
        .collect::<Vec<_>>();
    all_close(&sampled(&max), &ends, 1e-3);
    let (_, err) = render(&dir, "white.png", &one);
    util::mentions(&err, &["x.nii sampled onto lh.white (mean, trilinear)"]);
}

/// A label volume (`--annot-volume`, int16) with a colour table: the parcel of each
/// vertex is the label around it, in the table's colour.
#[test]
fn issue13_label_volume_draws_as_a_parcellation() {
    let dir = util::out_dir("volumes_labels");
    let surf = subject_surfaces(&dir, [0.0; 3]);
    // Label 17 in front of y = -20 mm, label 53 behind, 0 outside |x| < 90.
    let label = |x: f32, y: f32| -> i16 {
        match (x.abs() < 90.0, y > -20.0) {
            (false, _) => 0,
            (true, true) => 17,
            (true, false) => 53,
        }
    };
    let mut data = Vec::new();
    for _k in 0..N {
        for j in 0..N {
            for i in 0..N {
                let (x, y) = (-120.0 + 2.0 * i as f32, -120.0 + 2.0 * j as f32);
                data.extend(label(x, y).to_le_bytes());
            }
        }
    }
    let srow = [
        [2., 0., 0., -120.],
        [0., 2., 0., -120.],
        [0., 0., 2., -120.],
    ];
    let vol = dir.join("labels.nii");
    write_nifti(
        &vol,
        [3, N as i16, N as i16, N as i16, 1, 1, 1, 1],
        4,
        16,
        srow,
        &data,
    );
    let lut = dir.join("lut.txt");
    std::fs::write(
        &lut,
        "0 Unknown 0 0 0 0\n17 Front 0 255 0 0\n53 Back 255 0 255 0\n",
    )
    .expect("lut");
    let inflated = surf.join("lh.inflated");
    let args = [
        inflated.to_str().unwrap(),
        "--annot-volume",
        vol.to_str().unwrap(),
        "--lut",
        lut.to_str().unwrap(),
    ];
    let desc = FigureDesc::from_args([&["surfrender"], &args[..]].concat()).expect("args");
    let inputs = read::read(&desc.resolve().expect("resolve"), &Cache::new()).expect("read");
    let Some((_, LayerData::Annotation(a))) = inputs.surfaces[0].layers.first() else {
        panic!("no annotation layer");
    };
    let names: Vec<&str> = a.table.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Front", "Back"]);
    // Every vertex away from the boundary carries the label of its midpoint.
    let w = surfrender::io::read_surface(&surf.join("lh.white")).expect("white");
    let p = surfrender::io::read_surface(&surf.join("lh.pial")).expect("pial");
    let (mut checked, mut wrong) = (0, 0);
    for (i, (a_, b)) in w.vertices.iter().zip(&p.vertices).enumerate() {
        let (lo, hi) = (a_[1].min(b[1]), a_[1].max(b[1]));
        if lo - 2.0 < -20.0 && hi + 2.0 > -20.0 {
            continue;
        }
        checked += 1;
        let want = if lo > -20.0 { "Front" } else { "Back" };
        let got = a.labels[i].map(|k| a.table[k as usize].name.as_str());
        wrong += usize::from(got != Some(want));
    }
    assert!(
        checked > 8000 && wrong == 0,
        "{wrong} of {checked} vertices mislabelled"
    );
    // Drawn: green (Front) and magenta (Back) parcels.
    let (img, err) = render(&dir, "labels.png", &args);
    let green = util::count(&img, |p| p[1] > 200 && p[0] < 60 && p[2] < 60);
    let magenta = util::count(&img, |p| p[0] > 200 && p[2] > 200 && p[1] < 60);
    assert!(
        green > 1000 && magenta > 1000,
        "green {green}, magenta {magenta}"
    );
    util::mentions(
        &err,
        &["labels.nii sampled as labels onto lh.white..lh.pial"],
    );
    // Borders only, with generated colours (no table).
    let (_, err) = render(
        &dir,
        "borders.png",
        &[
            inflated.to_str().unwrap(),
            "--annot-volume",
            vol.to_str().unwrap(),
            "--annot-outline",
        ],
    );
    assert!(!err.contains("error"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Errors: one line, exit 1 or 2, no figure

/// Runs `args` expecting a refusal with exit `code` and every one of `parts` in its one
/// line; no figure is written.
#[track_caller]
fn refused(dir: &Path, args: &[&str], code: i32, parts: &[&str]) {
    let out = dir.join("refused.png");
    let (got, err) = run(dir, &[args, &["-o", out.to_str().unwrap()]].concat());
    assert_eq!(got, code, "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    util::mentions(&err, parts);
    assert!(!out.exists(), "{args:?} wrote a figure");
}

#[test]
fn issue13_bad_volumes_are_refused() {
    let dir = util::out_dir("volumes_errors");
    let surf = subject_surfaces(&dir, [0.0; 3]);
    let inflated = surf.join("lh.inflated").display().to_string();
    let small = |name: &str, dim: [i16; 8], srow: [[f32; 4]; 3]| {
        let n: usize = dim[1..=dim[0] as usize]
            .iter()
            .map(|&d| d as usize)
            .product();
        let p = dir.join(name);
        write_nifti(&p, dim, 16, 32, srow, &util::le_f32(&vec![1.0; n]));
        p.display().to_string()
    };
    let good = [[2., 0., 0., -10.], [0., 2., 0., -10.], [0., 0., 2., -10.]];
    let singular = small(
        "singular.nii",
        [3, 10, 10, 10, 1, 1, 1, 1],
        [[2., 0., 0., 0.], [4., 0., 0., 0.], [0., 0., 2., 0.]],
    );
    refused(
        &dir,
        &[&inflated, "--overlay", &singular],
        1,
        &["singular.nii", "is singular"],
    );
    let nan = small(
        "nan.nii",
        [3, 10, 10, 10, 1, 1, 1, 1],
        [[f32::NAN, 0., 0., 0.], [0., 2., 0., 0.], [0., 0., 2., 0.]],
    );
    refused(
        &dir,
        &[&inflated, "--overlay", &nan],
        1,
        &["nan.nii", "not a number"],
    );
    let five = small("five.nii", [5, 4, 4, 4, 1, 2, 1, 1], good);
    refused(
        &dir,
        &[&inflated, "--overlay", &five],
        1,
        &["five.nii", "5-D"],
    );

    // A volume far from the surface: the wrong space, with both extents.
    let far = dir.join("far.nii");
    nifti_of(&far, [1000.0, 1000.0, 1000.0], |x, _, _| x);
    let far = far.display().to_string();
    refused(
        &dir,
        &[&inflated, "--overlay", &far],
        1,
        &["wrong space?", "surface x -66 to 1", "volume x 879 to 1121"],
    );

    // No sampling surfaces beside an inflated surface.
    let alone = dir.join("alone");
    std::fs::create_dir_all(&alone).expect("folder");
    std::fs::copy(surf.join("lh.inflated"), alone.join("lh.inflated")).expect("copy");
    let lone = alone.join("lh.inflated").display().to_string();
    let vol = dir.join("x.nii");
    nifti_of(&vol, [0.0; 3], |x, _, _| x);
    let vol = vol.display().to_string();
    refused(
        &dir,
        &[&lone, "--overlay", &vol],
        2,
        &[
            "tried",
            "lh.white",
            "lh.pial",
            "--sample-surf",
            "inflated surfaces are drawn, never sampled",
        ],
    );
    refused(
        &dir,
        &[&lone, "--overlay", &vol, "--sample-surf", "midthickness"],
        2,
        &["lh.midthickness", "--sample-surf"],
    );

    // A statistic map given as labels.
    refused(
        &dir,
        &[&inflated, "--annot-volume", &vol],
        1,
        &["x.nii", "not whole numbers", "--overlay"],
    );
    // A label table that is not one.
    let lut = dir.join("bad_lut.txt");
    std::fs::write(&lut, "17 Front 0 300 0 0\n").expect("lut");
    let labels = dir.join("int.nii");
    write_nifti(
        &labels,
        [3, 10, 10, 10, 1, 1, 1, 1],
        4,
        16,
        good,
        &vec![0u8; 2000],
    );
    refused(
        &dir,
        &[
            &inflated,
            "--annot-volume",
            labels.to_str().unwrap(),
            "--lut",
            lut.to_str().unwrap(),
        ],
        1,
        &["bad_lut.txt", "line 1"],
    );
}

/// The sampling options travel in a printed spec and replay.
#[test]
fn issue13_sampling_options_print_and_replay() {
    let (dir, surf, vol) = x_on_subject_surfaces("volumes_spec");
    let inflated = surf.join("lh.inflated");
    let args = [
        inflated.to_str().unwrap(),
        "--overlay",
        vol.to_str().unwrap(),
        "--projfrac",
        "0.25",
        "--sample-reduce",
        "max",
        "--sample-interp",
        "nearest",
        "--sample-surf",
        "white,pial",
        "--print-spec",
    ];
    let (code, out, err) = run_in(&dir, &args);
    assert_eq!(code, 0, "{err}");
    for line in [
        "projfrac = 0.25",
        "sample_reduce = \"max\"",
        "sample_interp = \"nearest\"",
        "sample_surf = [\"white\", \"pial\"]",
    ] {
        assert!(out.contains(line), "{line} not in\n{out}");
    }
    let spec = dir.join("fig.toml");
    std::fs::write(&spec, &out).expect("spec");
    let (code, again, err) = run_in(&dir, &["--spec", spec.to_str().unwrap(), "--print-spec"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(again, out);
    // Given without a volume they change nothing and say so.
    let (code, _, err) = run_in(
        &dir,
        &[
            inflated.to_str().unwrap(),
            "--projfrac",
            "0.5",
            "--print-spec",
        ],
    );
    assert_eq!(code, 0, "{err}");
}

/// A 4-D volume's frames are the layer's frames: frame f of a volume whose value is
/// (f + 1) x is (f + 1) times frame 0, and `--frame` draws any of them.
#[test]
fn issue13_four_d_volume_frames() {
    let dir = util::out_dir("volumes_frames");
    let surf = subject_surfaces(&dir, [0.0; 3]);
    // 4 mm voxels, 61 per side over ±120 mm, 3 frames.
    let n = 61usize;
    let mut data = Vec::with_capacity(n * n * n * 3 * 4);
    for f in 0..3 {
        for _k in 0..n {
            for _j in 0..n {
                for i in 0..n {
                    let x = -120.0 + 4.0 * i as f32;
                    data.extend(((f + 1) as f32 * x).to_le_bytes());
                }
            }
        }
    }
    let srow = [
        [4., 0., 0., -120.],
        [0., 4., 0., -120.],
        [0., 0., 4., -120.],
    ];
    let vol = dir.join("frames.nii");
    let d = n as i16;
    write_nifti(&vol, [4, d, d, d, 3, 1, 1, 1], 16, 32, srow, &data);
    let inflated = surf.join("lh.inflated");
    let args = [
        inflated.to_str().unwrap(),
        "--overlay",
        vol.to_str().unwrap(),
    ];
    let desc = FigureDesc::from_args([&["surfrender"], &args[..]].concat()).expect("args");
    let inputs = read::read(&desc.resolve().expect("resolve"), &Cache::new()).expect("read");
    let ov = inputs.surfaces[0].overlays[0].as_ref().expect("overlay");
    assert_eq!(ov.n_frames, 3);
    let first = ov.frame(0).expect("frame 0");
    for f in 1..3 {
        let want: Vec<f32> = first.iter().map(|x| x * (f + 1) as f32).collect();
        all_close(ov.frame(f).expect("frame"), &want, 1e-3);
    }
    let (_, err) = render(&dir, "frame2.png", &[&args[..], &["--frame", "2"]].concat());
    assert!(!err.contains("error"), "{err}");
    // A sequence of its frames (one colour range for all of them).
    let pattern = dir.join("f_%d.png").display().to_string();
    let (code, err) = run(
        &dir,
        &[&args[..], &["--frames", "all", "-o", &pattern]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    for f in 0..3 {
        assert!(dir.join(format!("f_{f}.png")).is_file(), "frame {f}: {err}");
    }
}
