//! The GIfTI reader against nibabel's numbers (shared corpus), against hand-built files
//! that pin byte order, column-major order, legacy spellings and label tables, and against
//! broken or hostile files: every failure must name the file and the problem, fast.

use std::path::Path;

use serde_json::{json, Value};
use surfrender::annotation::Annotation;
use surfrender::io::Loaded;
use surfrender::Overlay;

use crate::util::{self, annotation, check_surface, corpus, mentions, overlay, surface};

pub(crate) fn load(path: &Path) -> surfrender::Result<Loaded> {
    surfrender::io::load(path, &Default::default())
}

fn is_gifti(key: &str) -> bool {
    key.ends_with(".gii") || key.ends_with(".gii.gz")
}

fn check_overlay(key: &str, ov: &Overlay, want: &Value) {
    let arrays = want["arrays"].as_array().expect("arrays");
    assert_eq!(
        json!([ov.n_vertices, ov.n_frames, ov.values.len()]),
        json!([
            want["n_vertices"],
            arrays.len(),
            want["n_vertices"].as_u64().unwrap() * arrays.len() as u64
        ]),
        "{key}: n_vertices, frames, values"
    );
    for (f, s) in arrays.iter().enumerate() {
        let values = ov.frame(f).expect("frame");
        let nonfinite = values.iter().filter(|v| !v.is_finite()).count();
        let what = format!("{key} array {f}");
        assert_eq!(
            json!([values.len(), nonfinite]),
            json!([s["n"], s["n_nonfinite"]]),
            "{what} n, n_nonfinite"
        );
        util::check_stats(values, values.len(), s, &what);
    }
}

/// Label count, the first five entries, and vertex counts per name, where `<none>` or a
/// bare number (nibabel's name for a value with no entry) counts unlabelled vertices.
fn check_annotation(key: &str, a: &Annotation, want: &Value) {
    assert_eq!(
        json!([a.n_vertices(), a.table.len()]),
        json!([want["n_vertices"], want["n_labels"]]),
        "{key}: n_vertices, n_labels"
    );
    for (j, w) in want["first5"]
        .as_array()
        .expect("first5")
        .iter()
        .enumerate()
    {
        let e = &a.table[j];
        assert_eq!(
            json!([e.key, e.name, &e.rgba[..3]]),
            json!([w["key"], w["name"], w["rgb"]]),
            "{key}: table entry {j}"
        );
    }
    let (counts, none) = a.counts();
    let counts_of = |name: &str| -> usize {
        let entries = a.table.iter().zip(&counts);
        entries
            .filter(|(e, _)| e.name == name)
            .map(|(_, c)| c)
            .sum()
    };
    let mut want_none = 0;
    for (name, n) in want["vertex_counts"].as_object().expect("vertex_counts") {
        let n = n.as_u64().expect("count") as usize;
        if a.table.iter().any(|e| &e.name == name) {
            assert_eq!(counts_of(name), n, "{key}: vertices labelled {name}");
        } else {
            want_none += n;
        }
    }
    assert_eq!(none, want_none, "{key}: unlabelled vertices");
}

/// `inspect`'s encodings and endian lists, where truth.json has them.
fn check_details(key: &str, l: &Loaded, want: &Value) {
    assert_eq!(l.details["format"], json!("gifti"), "{key}: format");
    for k in ["encodings", "endian", "n_dataarrays"] {
        if let Some(w) = want.get(k) {
            assert_eq!(l.details.get(k), Some(w), "{key}: {k}");
        }
    }
}

#[test]
fn gifti_corpus_matches_truth() {
    let Some((shared, t)) = corpus() else { return };
    let keys: Vec<&String> = t.keys().filter(|k| is_gifti(k)).collect();
    assert_eq!(
        keys.len(),
        16 + 4 + 1 + 7,
        "GIfTI files in truth.json: {keys:?}"
    );
    for key in keys {
        let want = &t[key];
        let path = shared.join(key);
        let name = path.file_name().unwrap().to_str().unwrap();
        match want["kind"].as_str() {
            Some("surface") => {
                // nibabel's base64bin.gii has faces far beyond its 10 vertices: nibabel
                // reads it, we refuse it, naming the face.
                let n = want["n_vertices"].as_u64().unwrap();
                let faces = [&want["face0"], &want["face_last"]];
                let bad = faces.iter().flat_map(|f| f.as_array().unwrap());
                if let Some(v) = bad.map(|v| v.as_u64().unwrap()).find(|&v| v >= n) {
                    let msg = load(&path).expect_err(key).to_string();
                    mentions(&msg, &[name, "face 0", &v.to_string(), &n.to_string()]);
                    continue;
                }
                let l = load(&path).unwrap_or_else(|e| panic!("{e}"));
                check_details(key, &l, want);
                check_surface(key, &surface(l), want);
            }
            Some("overlay") => {
                let l = load(&path).unwrap_or_else(|e| panic!("{e}"));
                check_details(key, &l, want);
                check_overlay(key, &overlay(l), want);
            }
            Some("gifti_label") if want.get("n_labels").is_some() => {
                let l = load(&path).unwrap_or_else(|e| panic!("{e}"));
                check_details(key, &l, want);
                check_annotation(key, &annotation(l), want);
            }
            Some("gifti_label") => {
                // Caret's label.gii: names only; truth.json gives no numbers.
                let l = load(&path).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(l.details["encodings"], json!(["ASCII"]), "{key}");
                let a = annotation(l);
                let names: Vec<&str> = a.table.iter().map(|e| e.name.as_str()).collect();
                assert_eq!(names, ["???", "Positive", "Negative"], "{key}");
                let keys: Vec<i32> = a.table.iter().map(|e| e.key).collect();
                assert_eq!(keys, [0, 1, 2], "{key}");
                assert_eq!(a.n_vertices(), 71723, "{key}");
                let (counts, none) = a.counts();
                assert_eq!((counts.iter().sum::<usize>(), none), (71723, 0), "{key}");
                // Colours made up, but distinct and opaque.
                let rgba: Vec<[u8; 4]> = a.table.iter().map(|e| e.rgba).collect();
                assert!(rgba.iter().all(|c| c[3] == 255), "{key}: {rgba:?}");
                assert!(rgba[0] != rgba[1] && rgba[1] != rgba[2] && rgba[0] != rgba[2]);
            }
            other => panic!("{key}: unexpected kind {other:?}"),
        }
    }
}

/// Every GIfTI file in the corpus has a truth entry, so none escapes the test above.
#[test]
fn gifti_corpus_files_all_have_truth() {
    let Some((shared, t)) = corpus() else { return };
    let dirs = [
        "fsaverage5/gifti",
        "real/nilearn",
        "real/brainspace",
        "real/nibabel",
    ];
    for dir in dirs {
        for entry in std::fs::read_dir(shared.join(dir)).expect("list corpus") {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let key = format!("{dir}/{name}");
            if is_gifti(&key) {
                assert!(t.contains_key(&key), "{key}: no truth entry");
            }
        }
    }
}

/// The ASCII GIfTI copy of lh.thickness holds the FreeSurfer file's float32 values printed
/// with six decimals (as nibabel writes ASCII), so the two agree to half a unit in the sixth
/// decimal, not bit for bit.
#[test]
fn gifti_ascii_thickness_equals_freesurfer_curv() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let key = "lh.thickness.shape.gii";
    let gii = load(&shared.join("fsaverage5/gifti").join(key)).unwrap();
    assert_eq!(gii.details["encodings"], json!(["ASCII"]));
    let gii = overlay(gii);
    let curv = overlay(load(&util::data("lh.thickness")).unwrap());
    assert_eq!((gii.n_vertices, gii.n_frames), (curv.n_vertices, 1));
    for (i, (a, b)) in gii.values.iter().zip(&curv.values).enumerate() {
        assert!(
            (a - b).abs() <= 1e-6 * b.abs().max(1.0),
            "vertex {i}: GIfTI {a}, curv {b}"
        );
    }
}
