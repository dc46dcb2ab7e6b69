//! `surfrender inspect --json` against the nibabel-derived truth.json, for every file of
//! the shared corpus.

use serde_json::Value;

use crate::util;

/// Compares `ours` with `truth` recursively; every field truth.json has must be present
/// and equal (numbers to 1e-5 relative, as float32 data and float64 statistics allow).
fn compare(path: &str, field: &str, truth: &Value, ours: Option<&Value>, errors: &mut Vec<String>) {
    let Some(ours) = ours else {
        errors.push(format!("{path}: {field}: missing (truth {truth})"));
        return;
    };
    match (truth, ours) {
        (Value::Object(t), Value::Object(o)) => {
            for (k, tv) in t {
                if k == "note" {
                    continue;
                }
                compare(path, &format!("{field}.{k}"), tv, o.get(k), errors);
            }
        }
        (Value::Array(t), Value::Array(o)) => {
            if t.len() != o.len() {
                errors.push(format!(
                    "{path}: {field}: {} entries, truth {}",
                    o.len(),
                    t.len()
                ));
                return;
            }
            for (i, (tv, ov)) in t.iter().zip(o).enumerate() {
                compare(path, &format!("{field}[{i}]"), tv, Some(ov), errors);
            }
        }
        (Value::Number(t), Value::Number(o)) => {
            let (t, o) = (
                t.as_f64().unwrap_or(f64::NAN),
                o.as_f64().unwrap_or(f64::NAN),
            );
            if (t - o).abs() > 1e-5 * t.abs().max(1e-1) {
                errors.push(format!("{path}: {field}: {o}, truth {t}"));
            }
        }
        (t, o) if t == o => {}
        (t, o) => errors.push(format!("{path}: {field}: {o}, truth {t}")),
    }
}

#[test]
fn inspect_json_matches_truth_for_every_corpus_file() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let truth: Value =
        serde_json::from_slice(&std::fs::read(shared.join("truth.json")).expect("read truth.json"))
            .expect("parse truth.json");
    let truth = truth.as_object().expect("truth.json is an object");
    let keys: Vec<&String> = truth.keys().collect();
    let out = util::surfrender()
        .current_dir(&shared)
        .arg("inspect")
        .arg("--json")
        .args(keys.iter().map(|k| k.as_str()))
        .output()
        .expect("run inspect");
    let ours: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "inspect printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut errors = Vec::new();
    for (key, t) in truth {
        let o = ours.get(key.as_str());
        let kind = t.get("kind").and_then(Value::as_str).unwrap_or("");
        // nibabel's base64bin.gii has face indices up to 25604 for 10 vertices; nibabel
        // does not check, we refuse it (naming the face), so there is nothing to compare.
        if key == "real/nibabel/base64bin.gii" {
            let err = o
                .and_then(|o| o.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if !err.contains("face") {
                errors.push(format!(
                    "{key}: expected a refusal naming the bad face, got {o:?}"
                ));
            }
            continue;
        }
        match kind {
            // Not per-vertex data: must be refused with the reason.
            "volume" => {
                let err = o
                    .and_then(|o| o.get("error"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !err.contains("volume") {
                    errors.push(format!(
                        "{key}: expected a refusal naming a volume, got {o:?}"
                    ));
                }
            }
            // Caret's label file without colours: read as an annotation.
            "gifti_label" => {
                if o.and_then(|o| o.get("kind")).and_then(Value::as_str) != Some("annotation") {
                    errors.push(format!("{key}: expected an annotation, got {o:?}"));
                }
            }
            _ => {
                let mut t = t.clone();
                // truth.json has no value statistics for some labels (null): nothing to compare.
                if let Some(obj) = t.as_object_mut() {
                    obj.retain(|_, v| !v.is_null());
                }
                compare(key, "", &t, o, &mut errors);
            }
        }
    }
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
    // The run fails (exit 1) because of the refused volume, after describing the rest.
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn inspect_describes_repo_data() {
    let out = util::surfrender()
        .current_dir(util::root())
        .args([
            "inspect",
            "data/fsaverage5/lh.pial",
            "data/fsaverage5/lh.stat.mgh",
        ])
        .output()
        .expect("run inspect");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("surface") && text.contains("vertices 10242, faces 20480"),
        "{text}"
    );
    assert!(
        text.contains("overlay") && text.contains("frame 0"),
        "{text}"
    );
}
