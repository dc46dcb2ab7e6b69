//! FreeSurfer `.annot` and `.label` readers: against nibabel's numbers (shared corpus),
//! round trips of files written here byte by byte, and broken files whose errors must name
//! the file and the problem without panicking.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};
use surfrender::annotation::Annotation;
use surfrender::io::{load, Loaded};

use crate::util::{self, annotation, corpus, label, mentions, Truth};

/// truth.json keys under `fsaverage5/label/` of one `kind`.
fn label_keys(t: &Truth, kind: &str) -> Vec<String> {
    t.iter()
        .filter(|(k, v)| k.starts_with("fsaverage5/label/") && v["kind"] == kind)
        .map(|(k, _)| k.clone())
        .collect()
}

fn load_ok(path: &Path) -> Loaded {
    load(path, &Default::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Label statistics against truth.json: to 1e-6 relative, with a floor of 1 keeping
/// near-zero expectations from demanding the impossible.
fn close(got: f64, want: &Value, what: &str) {
    util::close(got, want, 1e-6, 1.0, what);
}

#[test]
fn fslabel_corpus_annots_match_truth() {
    let Some((shared, t)) = corpus() else { return };
    let keys = label_keys(&t, "annotation");
    assert_eq!(keys.len(), 2, "annotations in truth.json: {keys:?}");
    for key in keys {
        let want = &t[&key];
        let loaded = load_ok(&shared.join(&key));
        assert_eq!(loaded.details["format"], "freesurfer_annot", "{key}");
        assert_eq!(loaded.details["n_labels"], want["n_labels"], "{key}");
        let a = annotation(loaded);
        assert_eq!(
            json!(a.n_vertices()),
            want["n_vertices"],
            "{key} n_vertices"
        );
        assert_eq!(json!(a.table.len()), want["n_labels"], "{key} n_labels");
        let first5: Vec<Value> = a
            .table
            .iter()
            .take(5)
            .map(|e| json!({"name": e.name, "rgb": &e.rgba[..3]}))
            .collect();
        assert_eq!(json!(first5), want["first5"], "{key} first5");
        // Opaque: the synthetic table stores transparency 0.
        assert!(a.table.iter().all(|e| e.rgba[3] == 255), "{key} alpha");

        let (counts, none) = a.counts();
        let mut got: BTreeMap<String, u64> = BTreeMap::new();
        for (e, c) in a.table.iter().zip(counts) {
            *got.entry(e.name.clone()).or_default() += c as u64;
        }
        got.insert("<none>".into(), none as u64);
        got.retain(|_, c| *c > 0);
        let mut want_counts: BTreeMap<String, u64> =
            serde_json::from_value(want["vertex_counts"].clone()).expect("vertex_counts");
        want_counts.retain(|_, c| *c > 0);
        assert_eq!(got, want_counts, "{key} vertex_counts");
    }
}

/// The last column of a label file's vertex lines, parsed here independently of the reader.
fn value_column(path: &Path) -> Vec<f64> {
    let text = std::fs::read_to_string(path).expect("read label");
    text.lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().last().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn fslabel_corpus_labels_match_truth() {
    let Some((shared, t)) = corpus() else { return };
    let keys = label_keys(&t, "label");
    assert_eq!(keys.len(), 4, "labels in truth.json: {keys:?}");
    for key in keys {
        let want = &t[&key];
        let path = shared.join(&key);
        let loaded = load_ok(&path);
        assert_eq!(loaded.details["format"], "freesurfer_label", "{key}");
        let l = label(loaded);
        let n = l.vertices.len();
        assert_eq!(
            json!([n, l.vertices.first(), l.vertices.last()]),
            json!(["n_vertices_in_label", "first_vertex", "last_vertex"].map(|k| &want[k])),
            "{key}: n_vertices_in_label, first_vertex, last_vertex"
        );
        assert_eq!((l.coords.len(), l.values.len()), (n, n), "{key}");
        let vals: Vec<f64> = l.values.iter().map(|&v| f64::from(v)).collect();
        match &want["values"] {
            Value::Null => {
                // truth.json has no statistics for the stat_gt3 labels (its generator recorded
                // them only for synth05): check the values against the file's value column
                // and the selection the files were made by (stat > 3).
                let column = value_column(&path);
                assert_eq!(column.len(), n, "{key}");
                for (i, (&got, want)) in l.values.iter().zip(&column).enumerate() {
                    assert_eq!(got, *want as f32, "{key} value {i}");
                }
                assert!(l.values.iter().all(|&v| v > 3.0), "{key}: values > 3");
            }
            s => {
                let st = util::Summary::of(vals.iter().copied());
                assert_eq!(json!(n), s["n"], "{key} values n");
                assert_eq!(json!(st.n_nonfinite), s["n_nonfinite"], "{key} n_nonfinite");
                close(st.min, &s["min"], &format!("{key} min"));
                close(st.max, &s["max"], &format!("{key} max"));
                close(st.mean, &s["mean"], &format!("{key} mean"));
                close(st.std, &s["std"], &format!("{key} std"));
                for (name, i) in [("v0", 0), ("v1", 1), ("v100", 100), ("vlast", n - 1)] {
                    close(vals[i], &s[name], &format!("{key} {name}"));
                }
            }
        }
    }
}

// ---- writing annotations byte by byte ----

/// One colour-table entry: (structure index, name bytes as stored, R, G, B, T).
type Entry<'a> = (i32, &'a [u8], [i32; 4]);

fn be(out: &mut Vec<u8>, words: &[i32]) {
    for w in words {
        out.extend_from_slice(&w.to_be_bytes());
    }
}

fn string(out: &mut Vec<u8>, s: &[u8]) {
    be(out, &[s.len() as i32]);
    out.extend_from_slice(s);
}

fn packed(rgb: [i32; 4]) -> i32 {
    rgb[0] + rgb[1] * 256 + rgb[2] * 65536
}

/// Header and (vertex, value) pairs for vertices 0..n in order.
fn annot_body(values: &[i32]) -> Vec<u8> {
    let mut out = Vec::new();
    be(&mut out, &[values.len() as i32]);
    for (v, &value) in values.iter().enumerate() {
        be(&mut out, &[v as i32, value]);
    }
    out
}

/// An annotation with an old-format colour table (keys are positions; indices ignored).
fn old_annot(values: &[i32], entries: &[Entry]) -> Vec<u8> {
    let mut out = annot_body(values);
    be(&mut out, &[1, entries.len() as i32]);
    string(&mut out, b"/usr/local/freesurfer/FreeSurferColorLUT.txt\0");
    for (_, name, rgbt) in entries {
        string(&mut out, name);
        be(&mut out, rgbt);
    }
    out
}

/// An annotation with a version-2 colour table.
fn new_annot(values: &[i32], max_index: i32, entries: &[Entry]) -> Vec<u8> {
    let mut out = annot_body(values);
    be(&mut out, &[1, -2, max_index]);
    string(&mut out, b"NOFILE\0");
    be(&mut out, &[entries.len() as i32]);
    for (index, name, rgbt) in entries {
        be(&mut out, &[*index]);
        string(&mut out, name);
        be(&mut out, rgbt);
    }
    out
}

const UNKNOWN: [i32; 4] = [25, 5, 25, 0];
const RED: [i32; 4] = [220, 20, 10, 0];
const BLUE: [i32; 4] = [10, 20, 220, 64];

fn entries() -> Vec<Entry<'static>> {
    vec![
        (0, b"unknown\0", UNKNOWN),
        (3, b"red\0\0\0", RED),
        (7, b"blue", BLUE),
    ]
}

fn write_load(dir: &Path, name: &str, bytes: &[u8]) -> Loaded {
    load_ok(&util::write(dir, name, bytes))
}

/// The colour table as (key, name, RGBA) rows.
fn table_rows(a: &Annotation) -> Vec<(i32, &str, [u8; 4])> {
    let rows = a.table.iter().map(|e| (e.key, e.name.as_str(), e.rgba));
    rows.collect()
}

#[test]
fn fslabel_old_format_round_trip() {
    let dir = util::out_dir("fslabel_old_format");
    let values = [packed(RED), 0, packed(BLUE), packed(UNKNOWN), packed(RED)];
    let loaded = write_load(&dir, "lh.old.annot", &old_annot(&values, &entries()));
    assert_eq!(loaded.details["format"], "freesurfer_annot");
    assert_eq!(loaded.details["n_labels"], 3);
    assert_eq!(loaded.details["ctab_version"], 1);
    let a = annotation(loaded);
    assert_eq!(a.labels, [Some(1), None, Some(2), Some(0), Some(1)]);
    assert_eq!(
        table_rows(&a),
        [
            (0, "unknown", [25, 5, 25, 255]),
            (1, "red", [220, 20, 10, 255]),
            // Transparency 64 is alpha 191.
            (2, "blue", [10, 20, 220, 191]),
        ]
    );
    assert_eq!(a.counts(), (vec![1, 2, 1], 1));
}

#[test]
fn fslabel_new_format_round_trip() {
    let dir = util::out_dir("fslabel_new_format");
    let values = [packed(BLUE), packed(BLUE), 0, packed(RED)];
    let loaded = write_load(&dir, "rh.new.annot", &new_annot(&values, 10, &entries()));
    assert_eq!(loaded.details["n_labels"], 3);
    assert_eq!(loaded.details["ctab_version"], 2);
    assert_eq!(loaded.details["n_vertices_unmatched"], 0);
    let a = annotation(loaded);
    assert_eq!(a.labels, [Some(2), Some(2), None, Some(1)]);
    // Keys are the structure indices; entries stay in file order.
    assert_eq!(
        table_rows(&a),
        [
            (0, "unknown", [25, 5, 25, 255]),
            (3, "red", [220, 20, 10, 255]),
            (7, "blue", [10, 20, 220, 191]),
        ]
    );
}

#[test]
fn fslabel_pairs_are_placed_by_vertex_number() {
    let dir = util::out_dir("fslabel_pair_order");
    // Pairs out of order: vertex 2 first, vertex 0 last; vertex 1 appears twice (last wins).
    let mut bytes = Vec::new();
    be(&mut bytes, &[3]);
    be(
        &mut bytes,
        &[2, packed(RED), 1, packed(RED), 1, packed(BLUE)],
    );
    let mut full = new_annot(&[0, 0, 0], 10, &entries());
    full.splice(0..4 + 3 * 8, bytes);
    let a = annotation(write_load(&dir, "lh.order.annot", &full));
    assert_eq!(a.labels, [None, Some(2), Some(1)]);
}

#[test]
fn fslabel_unmatched_value_is_none() {
    let dir = util::out_dir("fslabel_unmatched");
    let stray = packed([1, 2, 3, 0]);
    let values = [stray, packed(RED), stray, 0];
    let loaded = write_load(&dir, "lh.stray.annot", &new_annot(&values, 10, &entries()));
    assert_eq!(loaded.details["n_vertices_unmatched"], 2);
    let a = annotation(loaded);
    assert_eq!(a.labels, [None, Some(1), None, None]);
    assert_eq!(a.counts(), (vec![0, 1, 0], 3));
}

#[test]
fn fslabel_shared_colour_takes_first_entry() {
    let dir = util::out_dir("fslabel_shared_colour");
    let table = [(0, &b"a"[..], RED), (1, &b"b"[..], RED)];
    let a = annotation(write_load(
        &dir,
        "lh.dup.annot",
        &new_annot(&[packed(RED), 0], 2, &table),
    ));
    assert_eq!(a.labels, [Some(0), None]);
}

#[test]
fn fslabel_label_round_trip() {
    let dir = util::out_dir("fslabel_label_round_trip");
    let text = "#!ascii label  , from subject x vox2ras=TkReg\r\n3\r\n\
                5  1.5  -2.25  3.0 0.5\r\n\
                \r\n\
                0 0 0 0 nan\r\n\
                10241\t-1e1 2 3 -Inf\r\n\r\n";
    let loaded = write_load(&dir, "lh.test.label", text.as_bytes());
    assert_eq!(loaded.details["format"], "freesurfer_label");
    assert_eq!(loaded.details["n_vertices_in_label"], 3);
    let l = label(loaded);
    assert_eq!(l.vertices, [5, 0, 10241]);
    assert_eq!(l.coords, [[1.5, -2.25, 3.0], [0.0; 3], [-10.0, 2.0, 3.0]]);
    assert_eq!(l.values[0], 0.5);
    assert!(l.values[1].is_nan());
    assert_eq!(l.values[2], f32::NEG_INFINITY);

    // A label of no vertices is valid.
    let l = label(write_load(&dir, "lh.none.label", b"#!ascii label\n0\n"));
    assert!(l.vertices.is_empty());
}

// ---- broken files ----

/// Loads `bytes` written as `dir/name`; the error message, which must name the file.
fn load_err(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let read = |path: &Path| load(path, &Default::default());
    util::refused(dir, name, bytes, read, &[]).to_string()
}

#[test]
fn fslabel_truncated_annots_fail_cleanly() {
    let dir = util::out_dir("fslabel_truncated");
    let values = [packed(RED), 0, packed(BLUE), packed(UNKNOWN)];
    let new = new_annot(&values, 10, &entries());
    let old = old_annot(&values, &entries());
    let pairs_end = 4 + values.len() * 8;
    for (which, full) in [("new", &new), ("old", &old)] {
        // Mid-header, mid-pairs, right after the pairs, in the table header, names, colours.
        let mut cuts = vec![0, 2, 4, 9, pairs_end - 1, pairs_end, pairs_end + 2];
        cuts.extend((pairs_end + 4..full.len()).step_by(3));
        cuts.push(full.len() - 1);
        for cut in cuts {
            let name = format!("lh.{which}_cut{cut}.annot");
            let msg = load_err(&dir, &name, &full[..cut]);
            if cut == pairs_end {
                mentions(&msg, &["no colour table"]);
            } else {
                mentions(&msg, &["truncated"]);
            }
        }
    }
}

#[test]
fn fslabel_bad_annots_fail_cleanly() {
    let dir = util::out_dir("fslabel_bad_annot");
    let values = [packed(RED), 0, packed(BLUE)];
    let good = new_annot(&values, 10, &entries());
    let patch = |at: usize, word: i32| {
        let mut b = good.clone();
        b[at..at + 4].copy_from_slice(&word.to_be_bytes());
        b
    };
    let pairs_end = 4 + values.len() * 8;
    // Offsets in the new-format table: flag, -version, max index, file name length
    // (7 bytes of name), entry count, then entry 0: index, name length.
    let version_at = pairs_end + 4;
    let max_at = pairs_end + 8;
    let count_at = pairs_end + 12 + 4 + 7;
    let index0_at = count_at + 4;
    let name0_at = index0_at + 4;

    // Vertex index >= nvertices, in pair 1.
    let msg = load_err(&dir, "lh.vertex.annot", &patch(4 + 8, 3));
    mentions(
        &msg,
        &["pair 1", "vertex 3", &format!("value {}", 0), "3 vertices"],
    );
    let msg = load_err(&dir, "lh.negvertex.annot", &patch(4 + 16, -1));
    mentions(
        &msg,
        &["pair 2", "vertex -1", &format!("value {}", packed(BLUE))],
    );

    // Absurd lengths and counts: refused before any allocation.
    let msg = load_err(&dir, "lh.hugename.annot", &patch(name0_at, i32::MAX));
    mentions(&msg, &["truncated", "entry name", "2147483"]);
    let msg = load_err(&dir, "lh.negname.annot", &patch(name0_at, i32::MIN));
    mentions(
        &msg,
        &[
            "entry name of colour-table entry 0",
            "negative length",
            "-2147483648",
        ],
    );
    let msg = load_err(&dir, "lh.hugecount.annot", &patch(count_at, i32::MAX));
    mentions(&msg, &["truncated", "entries"]);
    let msg = load_err(&dir, "lh.hugevertices.annot", &patch(0, i32::MAX));
    mentions(&msg, &["truncated", "pairs"]);
    // (A negative count starting ff ff ff or ff ff fe would be sniffed as curv/surface.)
    let msg = load_err(&dir, "lh.negvertices.annot", &patch(0, -16_777_216));
    mentions(&msg, &["negative vertex count", "-16777216"]);
    let mut old = old_annot(&values, &entries());
    old[pairs_end + 4..pairs_end + 8].copy_from_slice(&i32::MAX.to_be_bytes());
    let msg = load_err(&dir, "lh.oldhugecount.annot", &old);
    mentions(&msg, &["truncated"]);

    // Colour-table versions other than 2, and a missing table.
    let msg = load_err(&dir, "lh.version3.annot", &patch(version_at, -3));
    mentions(&msg, &["unsupported", "version", "3"]);
    let msg = load_err(&dir, "lh.version0.annot", &patch(version_at, 0));
    mentions(&msg, &["unsupported", "version", "0"]);
    let msg = load_err(&dir, "lh.noctab.annot", &patch(pairs_end, 0));
    mentions(&msg, &["no colour table"]);

    // Structure indices outside 0..max_index, or repeated.
    let msg = load_err(&dir, "lh.index.annot", &patch(index0_at, 10));
    mentions(&msg, &["entry 0", "index 10", "0..10"]);
    let msg = load_err(&dir, "lh.maxindex.annot", &patch(max_at, 5));
    mentions(&msg, &["entry 2", "index 7", "0..5"]);
    let dup = [(4, &b"a"[..], RED), (4, &b"b"[..], BLUE)];
    let msg = load_err(&dir, "lh.dupindex.annot", &new_annot(&values, 10, &dup));
    mentions(&msg, &["entry 1", "repeats structure index 4"]);

    // Not an annotation at all: text named .annot.
    load_err(&dir, "lh.text.annot", b"hello, world\n");
}

#[test]
fn fslabel_bad_labels_fail_cleanly() {
    let dir = util::out_dir("fslabel_bad_label");
    const HEAD: &str = "#!ascii label  , from subject x vox2ras=TkReg\n";
    let label = |count: &str, rows: &[&str]| {
        let mut s = format!("{HEAD}{count}\n");
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        s.into_bytes()
    };
    let row = "12  1.0  2.0  3.0 0.0000000000";

    let msg = load_err(&dir, "lh.more.label", &label("3", &[row, row]));
    mentions(&msg, &["announces 3 vertices", "2 vertex lines"]);
    let msg = load_err(&dir, "lh.fewer.label", &label("1", &[row, row]));
    mentions(&msg, &["announces 1 vertices", "2 vertex lines"]);
    // A huge count allocates nothing: it is compared with the lines first.
    let msg = load_err(
        &dir,
        "lh.hugecount.label",
        &label("18446744073709551615", &[row]),
    );
    mentions(&msg, &["announces 18446744073709551615", "1 vertex lines"]);

    let msg = load_err(&dir, "lh.count.label", &label("three", &[row]));
    mentions(&msg, &["line 2", "number of vertices", "\"three\""]);
    let msg = load_err(&dir, "lh.negcount.label", &label("-1", &[]));
    mentions(&msg, &["line 2", "\"-1\""]);

    let msg = load_err(
        &dir,
        "lh.field.label",
        &label("2", &[row, "13 1.0 abc 3.0 0.5"]),
    );
    mentions(&msg, &["line 4", "y (field 3)", "\"abc\""]);
    let msg = load_err(
        &dir,
        "lh.value.label",
        &label("1", &["13 1.0 2.0 3.0 1.2.3"]),
    );
    mentions(&msg, &["line 3", "value (field 5)", "\"1.2.3\""]);
    let msg = load_err(&dir, "lh.vertex.label", &label("1", &["1.5 1.0 2.0 3.0 0"]));
    mentions(&msg, &["line 3", "vertex (field 1)", "\"1.5\""]);
    let msg = load_err(
        &dir,
        "lh.negvertex.label",
        &label("2", &[row, "-1 1 2 3 0"]),
    );
    mentions(&msg, &["line 4", "vertex -1", "negative"]);
    let msg = load_err(
        &dir,
        "lh.fields.label",
        &label("2", &[row, "13 1.0 2.0 3.0"]),
    );
    mentions(&msg, &["line 4", "expected 5 fields", "found 4"]);

    let msg = load_err(&dir, "lh.empty.label", b"");
    mentions(&msg, &["empty label file"]);
    let msg = load_err(&dir, "lh.blank.label", b"\n \n");
    mentions(&msg, &["empty label file"]);
    let msg = load_err(&dir, "lh.oneline.label", HEAD.trim_end().as_bytes());
    mentions(&msg, &["ends after line 1"]);
    // Count on line 1 (no comment line): the message says what line 1 must be.
    let msg = load_err(&dir, "lh.nocomment.label", format!("1\n{row}\n").as_bytes());
    mentions(&msg, &["line 2", "line 1 must be a comment"]);
    // Binary bytes named .label.
    let msg = load_err(
        &dir,
        "lh.binary.label",
        &[0x80, 0xff, 0, 1, b'\n', 0xfe, 0x00],
    );
    mentions(&msg, &["line 2"]);
}
