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
                let mut v = describe(&loaded);
                if let Err(e) = add_model_stats(path, &loaded, limits, &mut v) {
                    texts.push(format!("{key}: error: {e}"));
                    all.insert(key, json!({ "error": e.to_string() }));
                    first_error.get_or_insert(e);
                    continue;
                }
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

/// A CIFTI-2 file holds a cortex per hemisphere (and volumes): `model_stats` describes
/// each cortical surface model on its own (`structure`, its vertices with data, and per
/// frame statistics, or an annotation's counts), the one read first as it was read.
fn add_model_stats(
    path: &std::path::Path,
    loaded: &Loaded,
    limits: &Limits,
    v: &mut Value,
) -> crate::error::Result<()> {
    if loaded.details.get("format").and_then(Value::as_str) != Some("Cifti2Image") {
        return Ok(());
    }
    let read = loaded.details.get("structure").and_then(Value::as_str);
    let models = loaded
        .details
        .get("brain_models")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for m in &models {
        let structure = m.get("structure").and_then(Value::as_str).unwrap_or("");
        let hemi = match structure {
            "CIFTI_STRUCTURE_CORTEX_LEFT" => crate::hemi::Hemi::Left,
            "CIFTI_STRUCTURE_CORTEX_RIGHT" => crate::hemi::Hemi::Right,
            _ => continue,
        };
        if m.get("model_type").and_then(Value::as_str) != Some("surface") {
            continue;
        }
        let model = if read == Some(structure) {
            describe(loaded)
        } else {
            let sel = super::Selection {
                hemi: Some(hemi),
                map: None,
                frames: None,
            };
            describe(&super::load_with(path, &sel, limits)?)
        };
        let mut entry = json!({
            "structure": structure,
            "n_vertices": model.get("n_vertices").cloned().unwrap_or(Value::Null),
            "n_vertices_with_data": model.get("n_vertices_with_data").cloned().unwrap_or(Value::Null),
        });
        if let Value::Object(e) = &mut entry {
            for k in ["frames", "vertex_counts", "map"] {
                if let Some(x) = model.get(k) {
                    e.insert(k.into(), x.clone());
                }
            }
        }
        out.push(entry);
    }
    if let (Value::Object(map), false) = (v, out.is_empty()) {
        map.insert("model_stats".into(), Value::Array(out));
    }
    Ok(())
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
        if let Some(t) = &o.time_step {
            map.insert("time_step_s".into(), json!(t.seconds));
            map.insert("time_step_source".into(), json!(t.source));
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
            let names = v.get("frame_names").and_then(Value::as_array);
            match v.get("model_stats").and_then(Value::as_array) {
                Some(models) => {
                    out.push_str(&format!("\n  frames {}", g("n_frames")));
                    time_step_line(&mut out, v);
                    for m in models {
                        out.push_str(&format!("\n  {}", model_head(m)));
                        frame_lines(&mut out, m.get("frames"), names, "    ");
                    }
                }
                None => {
                    out.push_str(&format!(
                        "\n  vertices {}, frames {}",
                        g("n_vertices"),
                        g("n_frames")
                    ));
                    time_step_line(&mut out, v);
                    frame_lines(&mut out, v.get("frames"), names, "  ");
                }
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
            for m in v
                .get("model_stats")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let none = m.get("vertex_counts").and_then(|c| c.get("<none>"));
                let none = none.cloned().unwrap_or(Value::Null);
                out.push_str(&format!("\n  {}, unlabelled {none}", model_head(m)));
            }
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

/// "time step 1 s (MGH TR)" for an overlay whose file states one; nothing otherwise.
fn time_step_line(out: &mut String, v: &Value) {
    if let Some(seconds) = v.get("time_step_s").and_then(Value::as_f64) {
        let source = v.get("time_step_source").and_then(Value::as_str);
        out.push_str(&format!(
            "\n  time step {seconds} s ({})",
            source.unwrap_or("?")
        ));
    }
}

/// One line of statistics per frame, indented by `indent`.
fn frame_lines(out: &mut String, frames: Option<&Value>, names: Option<&Vec<Value>>, indent: &str) {
    for (i, f) in frames
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name = names
            .and_then(|n| n.get(i))
            .and_then(Value::as_str)
            .map(|n| format!(" \"{n}\""))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n{indent}frame {i}{name}: min {} max {} mean {} std {} (non-finite {})",
            num(f.get("min")),
            num(f.get("max")),
            num(f.get("mean")),
            num(f.get("std")),
            f.get("n_nonfinite").cloned().unwrap_or(Value::Null)
        ));
    }
}

fn num(v: Option<&Value>) -> String {
    match v.and_then(Value::as_f64) {
        Some(x) => format!("{x:.6}"),
        None => "-".into(),
    }
}

/// "CORTEX_LEFT: vertices N (M with data)": the head of a CIFTI brain model's block.
fn model_head(m: &Value) -> String {
    let structure = m.get("structure").and_then(Value::as_str).unwrap_or("?");
    let field = |k: &str| m.get(k).cloned().unwrap_or(Value::Null);
    format!(
        "{}: vertices {} ({} with data)",
        structure.trim_start_matches("CIFTI_STRUCTURE_"),
        field("n_vertices"),
        field("n_vertices_with_data")
    )
}
