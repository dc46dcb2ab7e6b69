//! From rows to figures: each row's fields over the base spec's, placeholders filled,
//! paths placed (a row's relative to the manifest's folder, the spec's relative to its
//! own, outputs inside the output folder), and every row checked before anything is
//! drawn, so that a bad manifest fails at once and names its row and column.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::manifest::{Manifest, Row};
use crate::desc::{template, FigureDesc};
use crate::error::{Error, Result};

/// One figure of the batch.
#[derive(Debug, Clone)]
pub struct Job {
    /// 0-based among all rows (shards split by it).
    pub index: usize,
    /// 1-based among all rows, as the manifest counts them.
    pub row: usize,
    /// The subject, when the row has one.
    pub subject: Option<String>,
    /// What to draw.
    pub desc: FigureDesc,
    /// Where the PNG goes (absolute).
    pub output: PathBuf,
    /// The row's cells (after filling), for the sidecar's `batch.values`.
    pub values: Map<String, Value>,
}

/// Fields whose text is never a number or a flag, even when it looks like one
/// (`title = 2024`, `subject = 0042`).
const TEXT_FIELDS: &[&str] = &[
    "title",
    "subject",
    "output",
    "cbar_label",
    "surf",
    "subjects_dir",
    "colorbar_file",
    "lut",
    "ffmpeg",
    "time_label",
];

/// The base spec: its fields as written, and its folder.
pub struct Base {
    fields: Map<String, Value>,
    folder: PathBuf,
}

impl Base {
    /// A base of built-in fields (JSON).
    pub(crate) fn from_json(text: &str) -> Result<Base> {
        let fields = match serde_json::from_str(text) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(Error::Internal(
                    "the built-in batch spec is not a table".into(),
                ))
            }
        };
        Ok(Base {
            fields,
            folder: PathBuf::new(),
        })
    }

    /// Reads `--spec`; it must be a valid spec on its own (its errors name its lines).
    pub fn read(path: Option<&Path>) -> Result<Base> {
        let Some(path) = path else {
            return Ok(Base {
                fields: Map::new(),
                folder: PathBuf::new(),
            });
        };
        FigureDesc::from_spec_file(path)?;
        let (value, _, _) = crate::desc::spec_file_value(path)?;
        let Value::Object(fields) = value else {
            return Err(Error::Usage(format!(
                "{}: a spec is a table of options",
                path.display()
            )));
        };
        Ok(Base {
            fields,
            folder: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        })
    }
}

/// Every row's figure, checked: fields parse, placeholders name columns, outputs are
/// PNGs and distinct. `subjects_dir` is the batch's `--subjects-dir`, which every row
/// gets unless it names its own.
pub fn plan(
    manifest: &Manifest,
    base: &Base,
    subjects_dir: Option<&Path>,
    out_dir: &Path,
) -> Result<Vec<Job>> {
    let fields = crate::desc::field_names();
    let used = placeholders_used(manifest, base)?;
    for c in &manifest.columns {
        if !fields.contains(c.as_str()) && !used.contains(c) {
            return Err(Error::Usage(format!(
                "{}: column '{c}' is not a figure field{} and no {{{c}}} placeholder uses it",
                manifest_name(manifest),
                suggest(c, fields)
            )));
        }
    }
    let mut jobs = Vec::with_capacity(manifest.rows.len());
    let mut outputs: HashMap<PathBuf, usize> = HashMap::new();
    for (index, row) in manifest.rows.iter().enumerate() {
        let at = manifest.where_is(row);
        let job = job(manifest, base, subjects_dir, out_dir, row, index, fields)
            .map_err(|m| Error::Usage(format!("{at}: {m}")))?;
        if let Some(first) = outputs.insert(job.output.clone(), row.number) {
            return Err(Error::Usage(format!(
                "{at}: rows {first} and {} both write {}; give each row its own output (e.g. output = \"{{subject}}.png\")",
                row.number,
                job.output.display()
            )));
        }
        jobs.push(job);
    }
    Ok(jobs)
}

/// The manifest's name for messages.
fn manifest_name(m: &Manifest) -> String {
    m.path
        .as_ref()
        .map_or("the subjects".into(), |p| p.display().to_string())
}

/// A row's placeholder values: every cell as text, and the row's number.
struct Names(Map<String, Value>);

impl Names {
    fn of(row: &Row) -> Names {
        let mut names = row.cells.clone();
        names.insert("row".into(), Value::from(row.number));
        Names(names)
    }

    /// `v` with its placeholders filled; the error names the field.
    fn fill(&self, field: &str, v: &Value) -> std::result::Result<Value, String> {
        let known: Vec<&str> = self.0.keys().map(String::as_str).collect();
        fill_all(v, &|n: &str| self.0.get(n).map(as_text), &known)
            .map_err(|m| format!("{field}: {m}"))
    }
}

/// One row's figure.
fn job(
    manifest: &Manifest,
    base: &Base,
    subjects_dir: Option<&Path>,
    out_dir: &Path,
    row: &Row,
    index: usize,
    fields: &HashSet<String>,
) -> std::result::Result<Job, String> {
    let names = Names::of(row);
    let (mut merged, from_row) = merge(base, row, &names, fields)?;
    if let (Some(sd), false) = (subjects_dir, merged.contains_key("subjects_dir")) {
        // The command line's folder is the working folder's, not the spec's.
        let sd = std::path::absolute(sd).map_err(|e| format!("--subjects-dir: {e}"))?;
        let sd = Value::String(sd.display().to_string());
        merged.insert("subjects_dir".into(), sd);
    }
    let subject = merged.get("subject").map(as_text);
    if let (Some(s), false) = (&subject, merged.contains_key("title")) {
        merged.insert("title".into(), Value::String(s.clone()));
    }
    let output = output_of(merged.remove("output"), subject.as_deref())?;
    let mut desc = FigureDesc::from_row_value(Value::Object(merged))?;
    if desc.subject.is_none()
        && desc.surfaces.is_empty()
        && desc.layers.iter().all(|l| l.overlay.is_empty())
    {
        return Err(
            "nothing to draw: give a `subject` or `surfaces` column (or --subjects-dir), or name them in --spec"
                .into(),
        );
    }
    let subjects = desc.subject.is_some() || desc.surfaces.is_empty();
    let (row_folder, base_folder) = (manifest.folder(), &base.folder);
    desc.rebase_each(subjects, |p| {
        if p.is_relative() {
            let folder = match from_row.contains(p) {
                true => &row_folder,
                false => base_folder,
            };
            *p = folder.join(&*p);
        }
    });
    let output = std::path::absolute(out_dir.join(output)).map_err(|e| e.to_string())?;
    let values = row
        .cells
        .iter()
        .map(|(k, v)| (k.clone(), names.fill(k, v).unwrap_or(v.clone())))
        .collect();
    Ok(Job {
        index,
        row: row.number,
        subject,
        desc: FigureDesc {
            output: Some(output.clone()),
            ..desc.absolute()
        },
        output,
        values,
    })
}

/// The base spec's fields with the row's over them, placeholders filled everywhere (a
/// base `title = "{subject}"` too), and the paths the row wrote (which are relative to
/// the manifest's folder, not the spec's).
fn merge(
    base: &Base,
    row: &Row,
    names: &Names,
    fields: &HashSet<String>,
) -> std::result::Result<(Map<String, Value>, HashSet<PathBuf>), String> {
    let mut merged = Map::new();
    for (k, v) in base
        .fields
        .iter()
        .filter(|(k, _)| !row.cells.contains_key(*k))
    {
        merged.insert(k.clone(), names.fill(k, v)?);
    }
    let mut from_row = HashSet::new();
    for (k, v) in row.cells.iter().filter(|(k, _)| fields.contains(*k)) {
        let v = match row.text {
            true => typed_cell(k, v),
            false => v.clone(),
        };
        let v = names.fill(k, &v)?;
        strings(&v, &mut |s| {
            from_row.insert(PathBuf::from(s));
        });
        merged.insert(k.clone(), v);
    }
    Ok((merged, from_row))
}

/// The row's output (relative to the output folder): given, else `{subject}.png`; a PNG.
fn output_of(given: Option<Value>, subject: Option<&str>) -> std::result::Result<PathBuf, String> {
    let output = match (given, subject) {
        (Some(o), _) => PathBuf::from(as_text(&o)),
        (None, Some(s)) => PathBuf::from(format!("{s}.png")),
        (None, None) => {
            return Err(
                "no output: give an `output` column (e.g. fig-{row}.png) or a subject".into(),
            )
        }
    };
    match output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        true => Ok(output),
        false => Err(format!(
            "output {}: a batch writes PNG figures (name it .png)",
            output.display()
        )),
    }
}

/// A CSV cell as the JSON its field takes: `a;b` is a list, a list field's single item
/// is a list of one, `[...]` is JSON, and numbers and `true`/`false` are typed, except in
/// text fields.
fn typed_cell(field: &str, cell: &Value) -> Value {
    let text = as_text(cell);
    let t = text.trim();
    if t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Value>(t) {
            return v;
        }
    }
    let scalar = |s: &str| -> Value {
        if TEXT_FIELDS.contains(&field) {
            return Value::String(s.to_string());
        }
        match s {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => s
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .and_then(|x| serde_json::Number::from_f64(x).map(Value::Number))
                .unwrap_or_else(|| Value::String(s.to_string())),
        }
    };
    if t.contains(';') || crate::desc::is_list(field) {
        let items = t.split(';').map(str::trim).filter(|s| !s.is_empty());
        return Value::Array(items.map(scalar).collect());
    }
    scalar(t)
}

/// A cell's text: strings as they are, other JSON as written.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `v` with placeholders filled in every string it holds.
fn fill_all(
    v: &Value,
    value: &impl Fn(&str) -> Option<String>,
    known: &[&str],
) -> std::result::Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(template::fill(s, value, known)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| fill_all(x, value, known))
                .collect::<std::result::Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), fill_all(x, value, known)?)))
                .collect::<std::result::Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// Calls `f` on every string in `v`.
fn strings(v: &Value, f: &mut impl FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, f)),
        Value::Object(m) => m.values().for_each(|x| strings(x, f)),
        _ => {}
    }
}

/// Every placeholder name in the base spec and the manifest's cells; a malformed one is
/// an error.
fn placeholders_used(manifest: &Manifest, base: &Base) -> Result<HashSet<String>> {
    let mut used = HashSet::new();
    let mut bad = None;
    let mut scan = |s: &str| match template::names(s) {
        Ok(n) => used.extend(n),
        Err(e) => bad = bad.take().or(Some(e)),
    };
    strings(&Value::Object(base.fields.clone()), &mut scan);
    for row in &manifest.rows {
        strings(&Value::Object(row.cells.clone()), &mut scan);
    }
    match bad {
        Some(e) => Err(Error::Usage(format!("{}: {e}", manifest_name(manifest)))),
        None => Ok(used),
    }
}

/// ` (did you mean 'overlay'?)` for a near miss.
fn suggest(name: &str, fields: &HashSet<String>) -> String {
    fields
        .iter()
        // Jaro-Winkler alone favours short prefixes (`tresh` → `tr`); the edit
        // distance weighs the whole word.
        .map(|f| {
            let score =
                strsim::jaro_winkler(name, f) + strsim::normalized_damerau_levenshtein(name, f);
            (score / 2.0, f)
        })
        .filter(|(s, _)| *s > 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, f)| format!(" (did you mean '{f}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_take_their_fields_types() {
        let s = |t: &str| Value::String(t.into());
        assert_eq!(
            typed_cell("overlay", &s("a.mgh")),
            serde_json::json!(["a.mgh"])
        );
        assert_eq!(
            typed_cell("surfaces", &s("lh.x; rh.x")),
            serde_json::json!(["lh.x", "rh.x"])
        );
        assert_eq!(typed_cell("threshold", &s("2.5")), serde_json::json!(2.5));
        assert_eq!(typed_cell("threshold", &s("95%")), serde_json::json!("95%"));
        assert_eq!(
            typed_cell("range", &s("2;4")),
            serde_json::json!([2.0, 4.0])
        );
        assert_eq!(
            typed_cell("colorbar", &s("false")),
            serde_json::json!(false)
        );
        assert_eq!(typed_cell("title", &s("2024")), serde_json::json!("2024"));
        assert_eq!(typed_cell("subject", &s("0042")), serde_json::json!("0042"));
    }

    #[test]
    fn field_names_cover_figure_and_layer_fields() {
        let f = crate::desc::field_names();
        for k in [
            "subject",
            "surfaces",
            "overlay",
            "annot",
            "title",
            "threshold",
            "views",
        ] {
            assert!(f.contains(k), "{k}");
        }
        let list = crate::desc::is_list;
        assert!(list("overlay") && list("views") && !list("title"));
    }
}
