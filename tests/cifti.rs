//! CIFTI-2 readers: small files made by nibabel (tests/data/cifti, see its README) mapped
//! to vertices, maps by index and name, labels, long gzipped XML, and broken files built
//! here: every failure names the file and the problem.

use serde_json::json;
use surfrender::annotation::{Annotation, LabelEntry};
use surfrender::hemi::Hemi;
use surfrender::io::{load, MapSelector, Selection};
use surfrender::Error;

use crate::nifti::{
    cifti, cifti_data, curv, dscalar_xml, extension, load_ok, nifti2, refused, sel,
};
use crate::util::{self, annotation, gzip, le_f32, mentions, overlay};

// ---------------------------------------------------------------------------------------
// CIFTI-2 files made by nibabel (tests/data/cifti/make.py)

/// The vertices make.py put in each cortex model.
fn left_vertices() -> Vec<usize> {
    let thick = curv("lh.thickness");
    (0..10242)
        .filter(|&v| v % 8 == 0 && thick[v] != 0.0)
        .collect()
}

fn right_vertices() -> Vec<usize> {
    (0..10242).step_by(10).collect()
}

/// `values` equal `want(v)` at `included` vertices and NaN elsewhere.
fn check_frame(frame: &[f32], included: &[usize], want: impl Fn(usize) -> f32, what: &str) {
    assert_eq!(frame.len(), 10242, "{what}");
    let mut inc = vec![false; frame.len()];
    for &v in included {
        inc[v] = true;
    }
    for (v, &x) in frame.iter().enumerate() {
        if inc[v] {
            assert_eq!(x, want(v), "{what}: vertex {v}");
        } else {
            assert!(
                x.is_nan(),
                "{what}: vertex {v} is {x}, expected NaN (not in the model)"
            );
        }
    }
}

#[test]
fn nifti_cifti_dscalar() {
    let lh = left_vertices();
    let rh = right_vertices();
    let (lt, rt) = (curv("lh.thickness"), curv("rh.thickness"));
    let p = cifti_data("lr.dscalar.nii");
    for hemi in [None, Some(Hemi::Left)] {
        let loaded = load_ok(&p, &sel(hemi, Some(MapSelector::Index(1))));
        let d = &loaded.details;
        assert_eq!(d["format"], json!("Cifti2Image"));
        assert_eq!(d["cifti_type"], json!("dscalar"));
        assert_eq!(d["shape"], json!([2, lh.len() + rh.len() + 3]));
        assert_eq!(d["dtype_on_disk"], json!("float32"));
        assert_eq!(d["structure"], json!("CIFTI_STRUCTURE_CORTEX_LEFT"));
        assert_eq!(d["map_names"], json!(["thickness", "synthetic"]));
        assert_eq!(d["intent_code"], json!(3006));
        let models = d["brain_models"].as_array().unwrap();
        assert_eq!(models.len(), 3);
        assert_eq!(models[2]["model_type"], json!("voxels"));
        assert_eq!(models[0]["surface_vertices"], json!(10242));
        let ov = overlay(loaded);
        // The map selection picks nothing here: every map is a frame.
        assert_eq!((ov.n_vertices, ov.n_frames), (10242, 2));
        assert_eq!(ov.frame_names, ["thickness", "synthetic"]);
        check_frame(ov.frame(0).unwrap(), &lh, |v| lt[v], "lh thickness");
        check_frame(
            ov.frame(1).unwrap(),
            &lh,
            |v| v as f32 * 0.25 - 100.0,
            "lh synthetic",
        );
    }
    let ov = overlay(load_ok(&p, &sel(Some(Hemi::Right), None)));
    check_frame(ov.frame(0).unwrap(), &rh, |v| rt[v], "rh thickness");
    check_frame(
        ov.frame(1).unwrap(),
        &rh,
        |v| -(v as f32 * 0.25),
        "rh synthetic",
    );

    // The brain models on dimension 0 (rows): the same left-cortex values.
    let loaded = load_ok(&cifti_data("swapped.dscalar.nii"), &Selection::default());
    assert_eq!(loaded.details["shape"], json!([lh.len(), 2]));
    let ov = overlay(loaded);
    check_frame(ov.frame(0).unwrap(), &lh, |v| lt[v], "swapped thickness");
    check_frame(
        ov.frame(1).unwrap(),
        &lh,
        |v| v as f32 * 0.25 - 100.0,
        "swapped synthetic",
    );
}

#[test]
fn nifti_cifti_dtseries() {
    let lh = left_vertices();
    let p = cifti_data("lh.dtseries.nii");
    let loaded = load_ok(&p, &sel(Some(Hemi::Left), None));
    assert_eq!(loaded.details["cifti_type"], json!("dtseries"));
    assert_eq!(loaded.details["series"]["points"], json!(3));
    assert_eq!(loaded.details["series"]["step"], json!(0.72));
    let ov = overlay(loaded);
    assert_eq!((ov.n_vertices, ov.n_frames), (10242, 3));
    for t in 0..3 {
        let want = |v: usize| v as f32 + 1000.0 * t as f32;
        check_frame(ov.frame(t).unwrap(), &lh, want, &format!("t{t}"));
    }
    // No right cortex in this file: the message names what there is.
    let err = load(&p, &sel(Some(Hemi::Right), None)).unwrap_err();
    mentions(
        &err.to_string(),
        &[
            "lh.dtseries.nii",
            "no CIFTI_STRUCTURE_CORTEX_RIGHT surface",
            "CIFTI_STRUCTURE_CORTEX_LEFT (surface)",
        ],
    );
}

#[test]
fn nifti_cifti_dlabel() {
    let lh = left_vertices();
    let rh = right_vertices();
    let p = cifti_data("lr.dlabel.nii");
    let entry = |key, name: &str, rgba| LabelEntry {
        key,
        name: name.to_string(),
        rgba,
    };
    let check = |a: &Annotation, included: &[usize], want: &dyn Fn(usize) -> Option<u32>| {
        assert_eq!(a.labels.len(), 10242);
        let mut inc = vec![false; 10242];
        included.iter().for_each(|&v| inc[v] = true);
        for (v, &l) in a.labels.iter().enumerate() {
            let w = if inc[v] { want(v) } else { None };
            assert_eq!(l, w, "vertex {v}");
        }
    };
    // Default map 0 (parcA): key = vertex % 4, key 3 has no entry.
    let loaded = load_ok(&p, &Selection::default());
    assert_eq!(loaded.details["map"], json!("parcA"));
    assert_eq!(loaded.details["map_names"], json!(["parcA", "parcB"]));
    assert_eq!(loaded.details["cifti_type"], json!("dlabel"));
    let a = annotation(loaded);
    assert_eq!(
        a.table,
        [
            entry(0, "???", [0, 0, 0, 0]),
            entry(1, "alpha", [255, 0, 0, 255]),
            entry(2, "beta", [0, 128, 255, 255]),
        ]
    );
    let parc_a = |v: usize| (v % 4 != 3).then_some((v % 4) as u32);
    check(&a, &lh, &parc_a);
    let a = annotation(load_ok(
        &p,
        &sel(Some(Hemi::Left), Some(MapSelector::Index(0))),
    ));
    check(&a, &lh, &parc_a);

    // parcB by name and by index: 5 on even vertices, 7 (no entry) on odd.
    let parc_b = |v: usize| v.is_multiple_of(2).then_some(1);
    for m in [MapSelector::Name("parcB".into()), MapSelector::Index(1)] {
        let a = annotation(load_ok(&p, &sel(Some(Hemi::Right), Some(m))));
        assert_eq!(
            a.table,
            [
                entry(0, "???", [0, 0, 0, 0]),
                entry(5, "gamma", [51, 102, 153, 204])
            ]
        );
        check(&a, &rh, &parc_b);
    }

    // Unknown names and indices are usage errors listing the maps.
    for (m, part) in [
        (MapSelector::Name("nope".into()), "--map nope"),
        (MapSelector::Index(2), "--map 2"),
    ] {
        let err = load(&p, &sel(None, Some(m))).unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err:?}");
        mentions(
            &err.to_string(),
            &[part, "lr.dlabel.nii", "0: parcA", "1: parcB"],
        );
    }
    // Not continuous values.
    let err = surfrender::io::read_overlay(&p, &Selection::default()).unwrap_err();
    assert!(err.to_string().contains("CIFTI-2"), "{err}");
}

/// A gzipped CIFTI file whose XML is longer than the 64 KiB gzip reads before it knows a
/// file's length: the header alone tells the length, XML included.
#[test]
fn nifti_cifti_long_xml_gzipped() {
    let n = 30000u32;
    let verts: Vec<String> = (0..n).map(|v| (v * 2).to_string()).collect();
    let xml = dscalar_xml(1, "60000", 0, &verts.join(" "));
    assert!(xml.len() > 100_000);
    let data: Vec<f32> = (0..n).map(|v| v as f32).collect();
    let bytes = cifti(&xml, 1, n as i64, &data);
    let dir = util::out_dir("nifti_cifti_gz");
    let p = util::write(&dir, "long.dscalar.nii.gz", &gzip(&bytes));
    let ov = overlay(load_ok(&p, &Selection::default()));
    assert_eq!(ov.n_vertices, 60000);
    for v in 0..60000usize {
        let x = ov.values[v];
        if v % 2 == 0 {
            assert_eq!(x, (v / 2) as f32);
        } else {
            assert!(x.is_nan());
        }
    }
}

#[test]
fn nifti_bad_cifti() {
    let dir = util::out_dir("nifti_bad_cifti");
    let none = Selection::default();
    let bad = |name: &str, bytes: &[u8], parts: &[&str]| refused(&dir, name, bytes, &none, parts);
    let data = [1.0f32, 2.0, 3.0];

    // The helper itself makes a good file.
    let ok = cifti(&dscalar_xml(1, "10", 0, "2 5 7"), 1, 3, &data);
    let p = util::write(&dir, "ok.dscalar.nii", &ok);
    let ov = overlay(load_ok(&p, &none));
    assert_eq!((ov.values[2], ov.values[5], ov.values[7]), (1.0, 2.0, 3.0));
    assert_eq!(ov.values.iter().filter(|v| v.is_nan()).count(), 7);

    bad(
        "index.dscalar.nii",
        &cifti(&dscalar_xml(1, "10", 0, "2 5 10"), 1, 3, &data),
        &[
            "CORTEX_LEFT",
            "vertex index 10 (entry 2) is not below SurfaceNumberOfVertices 10",
        ],
    );
    bad(
        "twice.dscalar.nii",
        &cifti(&dscalar_xml(1, "10", 0, "2 5 5"), 1, 3, &data),
        &["vertex 5 is listed twice"],
    );
    bad(
        "word.dscalar.nii",
        &cifti(&dscalar_xml(1, "10", 0, "2 five 7"), 1, 3, &data),
        &["vertex index \"five\" is not a whole number"],
    );
    bad(
        "offset.dscalar.nii",
        &cifti(&dscalar_xml(1, "10", 1, "2 5 7"), 1, 3, &data),
        &["IndexOffset 1 + IndexCount 3 exceed the 3 brainordinates of dimension 1 (dim[6])"],
    );
    bad(
        "maps.dscalar.nii",
        &cifti(&dscalar_xml(2, "10", 0, "2 5 7"), 1, 3, &data),
        &["dimension 0 has 2 NamedMaps but the matrix has 1 (dim[5])"],
    );
    // A small file may not claim a surface of two billion vertices.
    bad(
        "vast.dscalar.nii",
        &cifti(&dscalar_xml(1, "2000000000", 0, "2 5 7"), 1, 3, &data),
        &["SurfaceNumberOfVertices 2000000000", "stores 3"],
    );
    let xml = dscalar_xml(1, "10", 0, "2 5 7").replace("</Matrix>", "</Matrx>");
    bad(
        "xml.dscalar.nii",
        &cifti(&xml, 1, 3, &data),
        &["malformed CIFTI-2 XML at line"],
    );
    let xml = dscalar_xml(1, "10", 0, "2 5 7")
        .replace("<CIFTI", "<!DOCTYPE CIFTI [<!ENTITY a \"aaaa\">]><CIFTI");
    bad("dtd.dscalar.nii", &cifti(&xml, 1, 3, &data), &["DOCTYPE"]);
    let xml = dscalar_xml(1, "10", 0, "2 5 7").replace("Version=\"2\"", "Version=\"1.0\"");
    bad(
        "v1.dscalar.nii",
        &cifti(&xml, 1, 3, &data),
        &["CIFTI version", "\"1.0\""],
    );
    let xml = dscalar_xml(1, "10", 0, "2 5 7").replace("CORTEX_LEFT", "CEREBELLUM");
    bad(
        "cereb.dscalar.nii",
        &cifti(&xml, 1, 3, &data),
        &[
            "no CIFTI_STRUCTURE_CORTEX_LEFT or CIFTI_STRUCTURE_CORTEX_RIGHT surface",
            "CIFTI_STRUCTURE_CEREBELLUM (surface)",
        ],
    );
    let right = Selection {
        hemi: Some(Hemi::Right),
        map: None,
        frames: None,
    };
    refused(
        &dir,
        "left.dscalar.nii",
        &ok,
        &right,
        &[
            "no CIFTI_STRUCTURE_CORTEX_RIGHT surface",
            "CIFTI_STRUCTURE_CORTEX_LEFT (surface)",
        ],
    );
    let xml = dscalar_xml(1, "10", 0, "2 5 7")
        .replace("CIFTI_INDEX_TYPE_SCALARS", "CIFTI_INDEX_TYPE_PARCELS");
    bad(
        "parcels.dscalar.nii",
        &cifti(&xml, 1, 3, &data),
        &["CIFTI_INDEX_TYPE_PARCELS"],
    );

    let bytes = le_f32(&data);
    let no_ext = nifti2(&[1, 1, 1, 1, 1, 3], 16, 3006, &[], &bytes);
    bad(
        "noext.dscalar.nii",
        &no_ext,
        &["intent code 3006", "without the CIFTI-2 XML extension"],
    );
    let other_ext = nifti2(
        &[1, 1, 1, 1, 1, 3],
        16,
        3006,
        &extension(6, "comment"),
        &bytes,
    );
    bad(
        "ext6.dscalar.nii",
        &other_ext,
        &["without the CIFTI-2 XML extension"],
    );
    let mut long_ext = extension(32, &dscalar_xml(1, "10", 0, "2 5 7"));
    long_ext[4..8].copy_from_slice(&100_000i32.to_le_bytes());
    let b = nifti2(&[1, 1, 1, 1, 1, 3], 16, 3006, &long_ext, &bytes);
    bad(
        "esize.dscalar.nii",
        &b,
        &["NIfTI extension at byte 544 has esize 100000"],
    );
    let b = nifti2(
        &[1, 1, 1, 2, 1, 3],
        16,
        3006,
        &extension(32, "<CIFTI/>"),
        &bytes,
    );
    bad("dims.dscalar.nii", &b, &["dims 1 to 4 must be 1"]);
    let b = nifti2(
        &[1, 1, 1, 1, 3],
        16,
        3006,
        &extension(32, "<CIFTI/>"),
        &bytes,
    );
    bad("dim5.dscalar.nii", &b, &["CIFTI-2 matrix", "dim[0] = 5"]);

    // No prefix of a CIFTI file makes the reader panic.
    for cut in (0..ok.len()).step_by(5) {
        let p = util::write(&dir, "cut.dscalar.nii", &ok[..cut]);
        assert!(load(&p, &none).is_err(), "prefix {cut}");
    }
}
