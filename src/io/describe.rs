//! What a file is and holds, as `surfrender inspect` shows it: kind, format, encodings,
//! shape, vertex and face counts, bounding box, per-frame statistics, label names and
//! colours. The JSON uses the field names of the nibabel-derived `truth.json` of the test
//! corpus, so the two can be compared field by field.

use serde_json::{json, Map, Value};

use crate::annotation::{Annotation, Label};
use crate::error::Error;
use crate::io::{Content, Limits, Loaded};
use crate::mesh::Mesh;
use crate::overlay::Overlay;

/// Describes each file, as `surfrender inspect` prints it: text, a paragraph per file,
/// or (`json`) one JSON object keyed by path. Every file is described, a file that
/// cannot be read by its error; the first error comes back beside the text.
pub fn describe_files(files: &[std::path::PathBuf], json: bool) -> (String, Option<Error>) {
    describe_files_with(files, json, &Limits::default())
}

/// [`describe_files`] reading each file within `limits` (a memory budget that a
/// `--max-memory` option would set).
pub fn describe_files_with(
    files: &[std::path::PathBuf],
    json: bool,
    limits: &Limits,
) -> (String, Option<Error>) {
    let (mut all, mut texts, mut first_error) = (Map::new(), Vec::new(), None);
    for path in files {
        let key = path.display().to_string();
        match super::load_with(path, &Default::default(), limits) {
            Ok(loaded) => {
                let v = describe(&loaded);
                texts.push(text(&key, &v));
                all.insert(key, v);
            }
            Err(e) => {
                // The message names the file already; the text names it once.
                let msg = e.one_line();
                let short = msg.strip_prefix(&format!("{key}: ")).unwrap_or(&msg);
                texts.push(format!("{key}: error: {short}"));
                all.insert(key, json!({ "error": msg }));
                first_error.get_or_insert(e);
            }
        }
    }
    let out = match json {
        // A map of plain values always serialises; keep the text if it somehow did not.
        true => serde_json::to_string_pretty(&Value::Object(all)).unwrap_or_else(|e| e.to_string()),
        false => texts.join("\n"),
    };
    (out, first_error)
}

/// The JSON description of one loaded file.
pub fn describe(loaded: &Loaded) -> Value {
    let mut v = match &loaded.content {
        Content::Surface(m) => surface(m),
        Content::Overlay(o) => overlay(o, loaded),
        Content::Annotation(a) => annotation(a),
        Content::Label(l) => label(l),
    };
    if let Value::Object(map) = &mut v {
        map.insert("kind".into(), loaded.content.kind().into());
        for (k, d) in &loaded.details {
            map.entry(k.clone()).or_insert_with(|| d.clone());
        }
    }
    v
}

fn surface(m: &Mesh) -> Value {
    let (lo, hi) = m.bounds();
    let n = m.vertices.len().max(1) as f64;
    let mean: Vec<f64> = (0..3)
        .map(|k| m.vertices.iter().map(|v| v[k] as f64).sum::<f64>() / n)
        .collect();
    json!({
        "n_vertices": m.vertices.len(),
        "n_faces": m.faces.len(),
        "bbox_min": lo,
        "bbox_max": hi,
        "mean": mean,
        "face0": m.faces.first(),
        "face_last": m.faces.last(),
    })
}

/// Statistics over finite values, and a few values by position (NaN as null).
pub fn stats(values: &[f32]) -> Value {
    // Passes over the values rather than a copy of them: a long series has many frames.
    let finite = || values.iter().filter(|v| v.is_finite()).map(|&v| v as f64);
    let count = finite().count();
    let n = count as f64;
    let mean = finite().sum::<f64>() / n.max(1.0);
    let var = finite().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n.max(1.0);
    let at = |i: usize| values.get(i).filter(|v| v.is_finite()).map(|&v| v as f64);
    let (min, max) = finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    json!({
        "n": values.len(),
        "n_nonfinite": values.len() - count,
        "min": (n > 0.0).then_some(min),
        "max": (n > 0.0).then_some(max),
        "mean": (n > 0.0).then_some(mean),
        "std": (n > 0.0).then_some(var.sqrt()),
        "v0": at(0),
        "v1": at(1),
        "v100": at(100),
        "vlast": values.len().checked_sub(1).and_then(at),
    })
}

fn overlay(o: &Overlay, loaded: &Loaded) -> Value {
    use rayon::prelude::*;
    // Frames in parallel (in order): a 1,200-frame series is most of `inspect`'s time.
    let frames: Vec<Value> = (0..o.n_frames)
        .into_par_iter()
        .filter_map(|f| o.frame(f))
        .map(stats)
        .collect();
    let mut v = json!({
        "n_vertices": o.n_vertices,
        "n_frames": o.n_frames,
        "frames": frames,
    });
    if let Value::Object(map) = &mut v {
        // truth.json's layouts: one "overlay" block, or GIfTI's "arrays" list.
        if let Some(first) = frames.first() {
            map.insert("overlay".into(), first.clone());
        }
        if loaded.details.get("format").and_then(Value::as_str) == Some("gifti") {
            map.insert("arrays".into(), Value::Array(frames.clone()));
        }
        if !o.frame_names.is_empty() {
            map.insert("frame_names".into(), json!(o.frame_names));
        }
    }
    v
}

fn annotation(a: &Annotation) -> Value {
    let (counts, none) = a.counts();
    let mut vertex_counts = Map::new();
    for (entry, c) in a.table.iter().zip(&counts) {
        if *c > 0 {
            *vertex_counts.entry(entry.name.clone()).or_insert(json!(0)) = json!(
                vertex_counts
                    .get(&entry.name)
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    + *c as u64
            );
        }
    }
    vertex_counts.insert("<none>".into(), json!(none));
    let labels: Vec<Value> = a
        .table
        .iter()
        .zip(&counts)
        .map(|(e, c)| json!({ "key": e.key, "name": e.name, "rgb": &e.rgba[..3], "alpha": e.rgba[3], "n_vertices": c }))
        .collect();
    json!({
        "n_vertices": a.n_vertices(),
        "n_labels": a.table.len(),
        "first5": a.table.iter().take(5).map(|e| json!({ "name": e.name, "rgb": &e.rgba[..3] })).collect::<Vec<_>>(),
        "vertex_counts": vertex_counts,
        "labels": labels,
    })
}

fn label(l: &Label) -> Value {
    json!({
        "n_vertices_in_label": l.vertices.len(),
        "first_vertex": l.vertices.first(),
        "last_vertex": l.vertices.last(),
        "values": stats(&l.values),
    })
}

/// A short human-readable summary of a description.
pub fn text(path: &str, v: &Value) -> String {
    let g = |k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let kind = g("kind");
    let format = g("format");
    let mut out = format!(
        "{path}: {} ({})",
        kind.as_str().unwrap_or("?"),
        format.as_str().unwrap_or("?")
    );
    for k in ["encodings", "endian", "shape", "dtype_on_disk"] {
        if let Some(x) = v.get(k) {
            out.push_str(&format!("\n  {k}: {x}"));
        }
    }
    match kind.as_str() {
        Some("surface") => out.push_str(&format!(
            "\n  vertices {}, faces {}\n  bounding box {} .. {}",
            g("n_vertices"),
            g("n_faces"),
            g("bbox_min"),
            g("bbox_max")
        )),
        Some("overlay") => {
            out.push_str(&format!(
                "\n  vertices {}, frames {}",
                g("n_vertices"),
                g("n_frames")
            ));
            let names = v.get("frame_names").and_then(Value::as_array);
            for (i, f) in g("frames").as_array().into_iter().flatten().enumerate() {
                let name = names
                    .and_then(|n| n.get(i))
                    .and_then(Value::as_str)
                    .map(|n| format!(" \"{n}\""))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "\n  frame {i}{name}: min {} max {} mean {} std {} (non-finite {})",
                    num(f.get("min")),
                    num(f.get("max")),
                    num(f.get("mean")),
                    num(f.get("std")),
                    f.get("n_nonfinite").cloned().unwrap_or(Value::Null)
                ));
            }
        }
        Some("annotation") => {
            out.push_str(&format!(
                "\n  vertices {}, labels {}",
                g("n_vertices"),
                g("n_labels")
            ));
            for l in g("labels").as_array().into_iter().flatten() {
                out.push_str(&format!(
                    "\n  {:>4} {:<32} rgb {} vertices {}",
                    l.get("key").cloned().unwrap_or(Value::Null),
                    l.get("name").and_then(Value::as_str).unwrap_or(""),
                    l.get("rgb").cloned().unwrap_or(Value::Null),
                    l.get("n_vertices").cloned().unwrap_or(Value::Null)
                ));
            }
            let none = v
                .get("vertex_counts")
                .and_then(|c| c.get("<none>"))
                .cloned()
                .unwrap_or(Value::Null);
            out.push_str(&format!("\n  unlabelled vertices {none}"));
        }
        Some("label") => out.push_str(&format!(
            "\n  vertices {} (first {}, last {})",
            g("n_vertices_in_label"),
            g("first_vertex"),
            g("last_vertex")
        )),
        _ => {}
    }
    out
}

fn num(v: Option<&Value>) -> String {
    match v.and_then(Value::as_f64) {
        Some(x) => format!("{x:.6}"),
        None => "-".into(),
    }
}
