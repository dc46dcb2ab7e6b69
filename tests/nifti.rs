//! NIfTI-1/2 and CIFTI-2 readers: the shared corpus against nibabel's numbers, FreeSurfer's
//! shape conventions, small CIFTI files made by nibabel (tests/data/cifti, see its README),
//! and broken files built here: every failure names the file and the problem.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use surfrender::hemi::Hemi;
use surfrender::io::{load, Loaded, MapSelector, Selection};
use surfrender::Error;

use crate::util::{self, gzip, le_f32, overlay};

pub(crate) fn cifti_data(name: &str) -> PathBuf {
    util::root()
        .join("tests")
        .join("data")
        .join("cifti")
        .join(name)
}

pub(crate) fn sel(hemi: Option<Hemi>, map: Option<MapSelector>) -> Selection {
    Selection {
        hemi,
        map,
        frames: None,
    }
}

pub(crate) fn load_ok(path: &Path, s: &Selection) -> Loaded {
    load(path, s).unwrap_or_else(|e| panic!("{e}"))
}

/// A FreeSurfer curv file of the repository's small brain (`data/fsaverage5`).
pub(crate) fn curv(name: &str) -> Vec<f32> {
    overlay(load_ok(&util::data(name), &Selection::default())).values
}

// ---------------------------------------------------------------------------------------
// Shared corpus against truth.json

#[test]
fn nifti_corpus_matches_truth() {
    let Some((shared, truth)) = util::corpus() else {
        return;
    };
    let dir = "fsaverage5/overlays";
    let mut names: Vec<String> = std::fs::read_dir(shared.join(dir))
        .expect("list overlays")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".nii") || n.ends_with(".nii.gz"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 8, "NIfTI files in the corpus: {names:?}");
    for name in names {
        let key = format!("{dir}/{name}");
        let want = util::truth_entry(&truth, &key);
        let s = &want["overlay"];
        let loaded = load_ok(&shared.join(&key), &Selection::default());
        for k in ["format", "shape", "dtype_on_disk"] {
            assert_eq!(loaded.details.get(k), Some(&want[k]), "{key}: {k}");
        }
        let ov = overlay(loaded);
        let nonfinite = ov.values.iter().filter(|v| !v.is_finite()).count();
        assert_eq!(
            json!([ov.n_vertices, ov.n_frames, nonfinite]),
            json!([want["n_vertices"], want["n_frames"], s["n_nonfinite"]]),
            "{key}: n_vertices, n_frames, n_nonfinite"
        );
        assert_eq!(ov.values.len(), ov.n_vertices * ov.n_frames, "{key}");
        util::check_stats(&ov.values, ov.n_vertices, s, &key);
    }
}

#[test]
fn nifti_thickness_same_as_curv() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let p = shared.join("fsaverage5/overlays/lh.thickness.nii.gz");
    let nii = overlay(load_ok(&p, &Selection::default()));
    assert_eq!(nii.values, curv("lh.thickness"));
    assert_eq!((nii.n_vertices, nii.n_frames), (10242, 1));
}

// ---------------------------------------------------------------------------------------
// Headers built here

/// A NIfTI-1 header (348 bytes, 4 extension bytes) followed by `data`.
pub(crate) struct N1 {
    le: bool,
    dims: Vec<i16>,
    datatype: i16,
    bitpix: i16,
    vox_offset: f32,
    slope: f32,
    inter: f32,
    pub(crate) glmin: i32,
}

impl N1 {
    pub(crate) fn float32(dims: &[i16]) -> N1 {
        N1 {
            le: true,
            dims: dims.to_vec(),
            datatype: 16,
            bitpix: 32,
            vox_offset: 352.0,
            slope: 0.0,
            inter: 0.0,
            glmin: 0,
        }
    }

    pub(crate) fn bytes(&self, data: &[u8]) -> Vec<u8> {
        let mut h = vec![0u8; 352];
        let le = self.le;
        let put = |h: &mut Vec<u8>, at: usize, b: &[u8]| h[at..at + b.len()].copy_from_slice(b);
        let i16b = |v: i16| if le { v.to_le_bytes() } else { v.to_be_bytes() };
        let i32b = |v: i32| if le { v.to_le_bytes() } else { v.to_be_bytes() };
        let f32b = |v: f32| if le { v.to_le_bytes() } else { v.to_be_bytes() };
        put(&mut h, 0, &i32b(348));
        put(&mut h, 40, &i16b(self.dims.len() as i16));
        for (k, &d) in self.dims.iter().enumerate() {
            put(&mut h, 42 + 2 * k, &i16b(d));
        }
        put(&mut h, 70, &i16b(self.datatype));
        put(&mut h, 72, &i16b(self.bitpix));
        for k in 0..8 {
            put(&mut h, 76 + 4 * k, &f32b(1.0));
        }
        put(&mut h, 108, &f32b(self.vox_offset));
        put(&mut h, 112, &f32b(self.slope));
        put(&mut h, 116, &f32b(self.inter));
        put(&mut h, 144, &i32b(self.glmin));
        put(&mut h, 344, b"n+1\0");
        h.extend_from_slice(data);
        h
    }
}

/// A NIfTI-2 header (540 bytes), then `ext` (the extension flag and extensions), then data.
pub(crate) fn nifti2(dims: &[i64], datatype: i16, intent: i32, ext: &[u8], data: &[u8]) -> Vec<u8> {
    let mut h = vec![0u8; 540];
    let put = |h: &mut Vec<u8>, at: usize, b: &[u8]| h[at..at + b.len()].copy_from_slice(b);
    put(&mut h, 0, &540i32.to_le_bytes());
    put(&mut h, 4, b"n+2\0\r\n\x1a\n");
    put(&mut h, 12, &datatype.to_le_bytes());
    put(&mut h, 16, &(dims.len() as i64).to_le_bytes());
    for (k, &d) in dims.iter().enumerate() {
        put(&mut h, 24 + 8 * k, &d.to_le_bytes());
    }
    let vox = 540 + ext.len().max(4) as i64;
    put(&mut h, 168, &vox.to_le_bytes());
    put(&mut h, 504, &intent.to_le_bytes());
    if ext.is_empty() {
        h.extend_from_slice(&[0; 4]);
    }
    h.extend_from_slice(ext);
    h.extend_from_slice(data);
    h
}

/// The extension flag plus one extension of code `ecode` holding `text`, padded to 16.
pub(crate) fn extension(ecode: i32, text: &str) -> Vec<u8> {
    let mut body = text.as_bytes().to_vec();
    while !(body.len() + 8).is_multiple_of(16) {
        body.push(0);
    }
    let mut e = vec![1, 0, 0, 0];
    e.extend_from_slice(&(body.len() as i32 + 8).to_le_bytes());
    e.extend_from_slice(&ecode.to_le_bytes());
    e.extend_from_slice(&body);
    e
}

/// A CIFTI-2 dscalar (intent 3006) of `rows` x `cols` float32 values with `xml`.
pub(crate) fn cifti(xml: &str, rows: i64, cols: i64, data: &[f32]) -> Vec<u8> {
    let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
    nifti2(
        &[1, 1, 1, 1, rows, cols],
        16,
        3006,
        &extension(32, xml),
        &bytes,
    )
}

/// A dscalar XML: `maps` named maps on dimension 0, one left-cortex surface model of
/// `surface_vertices` listing `vertices` on dimension 1.
pub(crate) fn dscalar_xml(
    maps: usize,
    surface_vertices: &str,
    offset: u64,
    vertices: &str,
) -> String {
    let count = vertices.split_whitespace().count();
    let names: String = (0..maps)
        .map(|i| format!("<NamedMap><MapName>m{i}</MapName></NamedMap>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CIFTI Version="2">
 <Matrix>
  <MatrixIndicesMap AppliesToMatrixDimension="0" IndicesMapToDataType="CIFTI_INDEX_TYPE_SCALARS">{names}</MatrixIndicesMap>
  <MatrixIndicesMap AppliesToMatrixDimension="1" IndicesMapToDataType="CIFTI_INDEX_TYPE_BRAIN_MODELS">
   <BrainModel IndexOffset="{offset}" IndexCount="{count}" ModelType="CIFTI_MODEL_TYPE_SURFACE"
     BrainStructure="CIFTI_STRUCTURE_CORTEX_LEFT" SurfaceNumberOfVertices="{surface_vertices}">
    <VertexIndices>{vertices}</VertexIndices>
   </BrainModel>
  </MatrixIndicesMap>
 </Matrix>
</CIFTI>"#
    )
}

#[test]
fn nifti_types_orders_and_scaling() {
    let dir = util::out_dir("nifti_types");
    let want = [0.0f32, 1.0, 2.0, 100.0, 7.0];
    // (datatype code, bitpix, encoder, numpy name little / big endian)
    type Enc = fn(f32, bool) -> Vec<u8>;
    let cases: [(i16, i16, Enc, &str, &str); 10] = [
        (2, 8, |v, _| vec![v as u8], "uint8", "uint8"),
        (256, 8, |v, _| vec![v as i8 as u8], "int8", "int8"),
        (
            4,
            16,
            |v, le| e(&(v as i16).to_le_bytes(), le),
            "int16",
            ">i2",
        ),
        (
            512,
            16,
            |v, le| e(&(v as u16).to_le_bytes(), le),
            "uint16",
            ">u2",
        ),
        (
            8,
            32,
            |v, le| e(&(v as i32).to_le_bytes(), le),
            "int32",
            ">i4",
        ),
        (
            768,
            32,
            |v, le| e(&(v as u32).to_le_bytes(), le),
            "uint32",
            ">u4",
        ),
        (
            1024,
            64,
            |v, le| e(&(v as i64).to_le_bytes(), le),
            "int64",
            ">i8",
        ),
        (
            1280,
            64,
            |v, le| e(&(v as u64).to_le_bytes(), le),
            "uint64",
            ">u8",
        ),
        (16, 32, |v, le| e(&v.to_le_bytes(), le), "float32", ">f4"),
        (
            64,
            64,
            |v, le| e(&f64::from(v).to_le_bytes(), le),
            "float64",
            ">f8",
        ),
    ];
    /// Little-endian bytes, reversed for big-endian.
    fn e(b: &[u8], le: bool) -> Vec<u8> {
        let mut v = b.to_vec();
        if !le {
            v.reverse();
        }
        v
    }
    for (code, bitpix, enc, name_le, name_be) in cases {
        for le in [true, false] {
            let data: Vec<u8> = want.iter().flat_map(|&v| enc(v, le)).collect();
            let mut h = N1::float32(&[5, 1, 1]);
            (h.le, h.datatype, h.bitpix) = (le, code, bitpix);
            let name = format!("t{code}_{le}.nii");
            let p = util::write(&dir, &name, &h.bytes(&data));
            let loaded = load_ok(&p, &Selection::default());
            let dtype = if le { name_le } else { name_be };
            assert_eq!(loaded.details["dtype_on_disk"], json!(dtype), "{name}");
            assert_eq!(loaded.details["format"], json!("Nifti1Image"), "{name}");
            assert_eq!(overlay(loaded).values, want, "{name}");
        }
    }
    // Negative int8 / int16.
    let mut h = N1::float32(&[2]);
    (h.datatype, h.bitpix) = (256, 8);
    let p = util::write(&dir, "neg8.nii", &h.bytes(&[0xff, 0x80]));
    assert_eq!(
        overlay(load_ok(&p, &Selection::default())).values,
        [-1.0, -128.0]
    );

    // Scaling as nibabel: slope 0 or NaN = none; otherwise value * slope + inter.
    let raw = le_f32(&[1.0, 2.0]);
    for (slope, inter, want) in [
        (0.0, 5.0, [1.0, 2.0]),
        (f32::NAN, 5.0, [1.0, 2.0]),
        (2.0, 0.5, [2.5, 4.5]),
        (1.0, 0.0, [1.0, 2.0]),
    ] {
        let mut h = N1::float32(&[2, 1, 1]);
        (h.slope, h.inter) = (slope, inter);
        let p = util::write(&dir, "scaled.nii", &h.bytes(&raw));
        let got = overlay(load_ok(&p, &Selection::default())).values;
        assert_eq!(got, want, "slope {slope} inter {inter}");
    }

    // Frames in dim[4], frame-major; NIfTI-2 the same way.
    let vals: Vec<f32> = (0..6).map(|v| v as f32).collect();
    let h = N1::float32(&[3, 1, 1, 2]);
    let p = util::write(&dir, "frames.nii", &h.bytes(&le_f32(&vals)));
    let loaded = load_ok(&p, &Selection::default());
    assert_eq!(loaded.details["shape"], json!([3, 1, 1, 2]));
    let ov = overlay(loaded);
    assert_eq!((ov.n_vertices, ov.n_frames), (3, 2));
    assert_eq!(ov.frame(1), Some(&[3.0f32, 4.0, 5.0][..]));
    let p = util::write(
        &dir,
        "frames2.nii",
        &nifti2(&[3, 1, 1, 2], 16, 0, &[], &le_f32(&vals)),
    );
    let loaded = load_ok(&p, &Selection::default());
    assert_eq!(loaded.details["format"], json!("Nifti2Image"));
    assert_eq!(overlay(loaded).values, vals);

    // Big-endian int16 with scaling, written by nibabel (see tests/data/cifti/README.md).
    let loaded = load_ok(&cifti_data("be_int16_scaled.nii"), &Selection::default());
    assert_eq!(loaded.details["dtype_on_disk"], json!(">i2"));
    let want: Vec<f32> = (0..100).map(|i| (i - 50) as f32 * 0.5 - 3.0).collect();
    assert_eq!(overlay(loaded).values, want);
}

/// FreeSurfer's two NIfTI-1 conventions, in files written by nibabel.
#[test]
fn nifti_freesurfer_ico7_and_glmin() {
    let loaded = load_ok(&cifti_data("ico7.nii.gz"), &Selection::default());
    assert_eq!(loaded.details["shape"], json!([163842, 1, 1, 2]));
    assert_eq!(loaded.details["dim_on_disk"], json!([27307, 1, 6, 2]));
    let ov = overlay(loaded);
    assert_eq!((ov.n_vertices, ov.n_frames), (163842, 2));
    for f in 0..2 {
        let frame = ov.frame(f).unwrap();
        for (v, &x) in frame.iter().enumerate() {
            assert_eq!(
                x,
                (v % 1000) as f32 + 1000.0 * f as f32,
                "frame {f} vertex {v}"
            );
        }
    }
    let loaded = load_ok(&cifti_data("glmin.nii.gz"), &Selection::default());
    assert_eq!(loaded.details["shape"], json!([40000, 1, 1]));
    assert_eq!(loaded.details["dim_on_disk"], json!([-1, 1, 1]));
    let ov = overlay(loaded);
    assert_eq!(ov.n_vertices, 40000);
    let want: Vec<f32> = (0..40000).map(|v| (v % 1000) as f32 * 0.5).collect();
    assert_eq!(ov.values, want);

    // Built here: big-endian, and the same dims in NIfTI-2 are just a volume.
    let vals: Vec<f32> = (0..163842).map(|v| v as f32).collect();
    let mut h = N1::float32(&[27307, 1, 6]);
    h.le = false;
    let be: Vec<u8> = vals.iter().flat_map(|v| v.to_be_bytes()).collect();
    let dir = util::out_dir("nifti_ico7");
    let p = util::write(&dir, "ico7_be.nii", &h.bytes(&be));
    assert_eq!(overlay(load_ok(&p, &Selection::default())).values, vals);
    let p = util::write(
        &dir,
        "ico7.nii2.nii",
        &nifti2(&[27307, 1, 6], 16, 0, &[], &le_f32(&vals)),
    );
    let msg = load(&p, &Selection::default()).unwrap_err().to_string();
    assert!(msg.contains("volume of shape 27307x1x6"), "{msg}");
}

// ---------------------------------------------------------------------------------------
// Broken files

/// Writes `bytes` as `dir/name`, loads it, and asserts the load fails with a message
/// naming the file and containing every one of `parts`.
pub(crate) fn refused(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    s: &Selection,
    parts: &[&str],
) -> Error {
    util::refused(dir, name, bytes, |path| load(path, s), parts)
}

#[test]
fn nifti_bad_headers() {
    let dir = util::out_dir("nifti_bad");
    let none = Selection::default();
    let bad = |name: &str, bytes: &[u8], parts: &[&str]| refused(&dir, name, bytes, &none, parts);
    let vals: Vec<f32> = (0..100).map(|v| v as f32).collect();
    let good = N1::float32(&[100, 1, 1]).bytes(&le_f32(&vals));
    assert_eq!(good.len(), 752);

    let err = bad(
        "head.nii",
        &good[..200],
        &["NIfTI-1 header", "expected 348 bytes, found 200"],
    );
    assert!(matches!(err, Error::Truncated { .. }));
    let err = bad(
        "data.nii",
        &good[..552],
        &["image data", "expected 752 bytes, found 552"],
    );
    assert!(matches!(err, Error::Truncated { .. }));
    bad(
        "data.nii.gz",
        &gzip(&good[..552]),
        &["expected 752 bytes, found 552"],
    );
    bad("empty.nii", &[], &["expected 4 bytes, found 0"]);

    // 2^40 values in a 600-byte file: refused from the header, at once.
    let start = Instant::now();
    let huge = nifti2(&[1 << 40, 1, 1], 16, 0, &[], &[0; 56]);
    let expected = (544u64 + (1u64 << 42)).to_string();
    bad("huge.nii", &huge, &[&expected, "found 600"]);
    bad("huge.nii.gz", &gzip(&huge), &["exceed 2 GiB"]);
    let over = nifti2(&[1 << 62, 1, 1, 1 << 62], 16, 0, &[], &[0; 56]);
    bad("over.nii", &over, &["overflow"]);
    assert!(start.elapsed() < Duration::from_secs(2));

    let mut h = N1::float32(&[100, 1, 1]);
    h.vox_offset = 100_000.0;
    bad(
        "vox.nii",
        &h.bytes(&le_f32(&vals)),
        &["vox_offset 100000 lies beyond the end", "752 bytes"],
    );
    h.vox_offset = 100.0;
    bad(
        "vox_in.nii",
        &h.bytes(&[]),
        &["vox_offset 100 lies inside the 348-byte header"],
    );
    h.vox_offset = f32::NAN;
    bad("vox_nan.nii", &h.bytes(&[]), &["vox_offset is NaN"]);

    let vol = N1::float32(&[3, 4, 5]).bytes(&le_f32(&[0.0; 60]));
    bad(
        "vol.nii",
        &vol,
        &["volume of shape 3x4x5, not per-vertex data"],
    );
    bad("vol.nii.gz", &gzip(&vol), &["volume of shape 3x4x5"]);
    let vol5 = N1::float32(&[3, 1, 1, 1, 2]).bytes(&le_f32(&[0.0; 6]));
    bad("vol5.nii", &vol5, &["volume of shape 3x1x1x1x2"]);
    bad(
        "zero.nii",
        &N1::float32(&[10, 0, 1]).bytes(&[]),
        &["must be positive, found 10x0x1"],
    );
    bad(
        "neg.nii",
        &N1::float32(&[-5, 1, 1]).bytes(&[]),
        &["must be positive, found -5x1x1"],
    );
    let mut h = N1::float32(&[-1, 1, 1]);
    bad("glmin0.nii", &h.bytes(&[]), &["dim[1] is -1", "glmin is 0"]);
    h.glmin = 3;
    let p = util::write(&dir, "glmin3.nii", &h.bytes(&le_f32(&[1.0, 2.0, 3.0])));
    assert_eq!(overlay(load_ok(&p, &none)).values, [1.0, 2.0, 3.0]);

    let mut h = N1::float32(&[4, 1, 1]);
    (h.datatype, h.bitpix) = (32, 64);
    let err = bad(
        "complex.nii",
        &h.bytes(&[0; 32]),
        &["NIfTI datatype", "code 32 (complex64)"],
    );
    assert!(matches!(err, Error::Unsupported { .. }));
    h.datatype = 3;
    bad(
        "three.nii",
        &h.bytes(&[0; 32]),
        &["code 3 (not a NIfTI type)"],
    );

    let mut h = N1::float32(&[4, 1, 1]);
    h.slope = 2.0;
    h.inter = f32::INFINITY;
    bad("inter.nii", &h.bytes(&[0; 16]), &["scl_inter is inf"]);

    let mut b = good.clone();
    b[344..348].copy_from_slice(b"ni1\0");
    bad(
        "pair.hdr",
        &b[..348],
        &["unsupported NIfTI layout", ".hdr/.img pair"],
    );
    let mut b = good.clone();
    b[40..42].copy_from_slice(&9i16.to_le_bytes());
    bad("ndim.nii", &b, &["dim[0]", "is 9, expected 1 to 7"]);
    // A .nii name whose content is no NIfTI at all.
    bad(
        "text.nii",
        b"hello world, not a header",
        &["not a NIfTI file", "sizeof_hdr"],
    );

    // No prefix of a file makes the reader panic.
    for cut in (0..good.len()).step_by(7) {
        let p = util::write(&dir, "cut.nii", &good[..cut]);
        assert!(load(&p, &none).is_err(), "prefix {cut}");
    }
}
