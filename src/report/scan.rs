//! What a report shows, read from OUTDIR: a [`Figure`] per `*.png.json` sidecar with its
//! PNG beside it, and a [`Failure`] per failed row of the batch records (`batch.json`,
//! `batch-shard-I-of-N.json`) that no newer figure has replaced.
//!
//! Sidecars come from several versions of surfrender and from hands that edit them, so
//! every field is optional here: a fact that is missing or of the wrong type is left out
//! of the page, and a sidecar that is not JSON at all is skipped with a notice naming it.
//! One bad file must not cost the reviewer the other thousand figures.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// A figure found in OUTDIR, as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// The subject's name (see [`subject_of`]).
    pub subject: String,
    /// The PNG, relative to OUTDIR, with `/` between folders.
    pub png: String,
    /// The thumbnail, relative to OUTDIR; `None` when it could not be made (the page then
    /// shows the figure itself, scaled).
    pub thumb: Option<String>,
    /// The figure's row in its batch manifest (1-based), when a batch made it.
    pub row: Option<u64>,
    /// Vertex and face counts per surface.
    pub surfaces: Vec<SurfaceFacts>,
    /// Value range, non-finite count and colour range per overlay.
    pub overlays: Vec<OverlayFacts>,
    /// The PNG's full path.
    #[serde(skip)]
    pub path: PathBuf,
}

/// One surface's facts from the sidecar's `facts.surfaces`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SurfaceFacts {
    /// `lh` or `rh`.
    pub hemi: Option<String>,
    /// The surface file.
    pub path: Option<String>,
    /// Vertex count.
    pub vertices: Option<u64>,
    /// Face count.
    pub faces: Option<u64>,
}

/// One overlay's facts from the sidecar's `facts.overlays`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OverlayFacts {
    /// `lh` or `rh`.
    pub hemi: Option<String>,
    /// The overlay file.
    pub path: Option<String>,
    /// The smallest finite value.
    pub min: Option<f64>,
    /// The largest finite value.
    pub max: Option<f64>,
    /// Values that are NaN or infinite.
    pub non_finite: Option<u64>,
    /// The colour range used.
    pub range: Option<[f64; 2]>,
}

/// A subject whose figure a batch could not make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// The subject's name (the record's `subject`, else the output's file stem).
    pub subject: String,
    /// The output that was not written, relative to OUTDIR.
    pub output: String,
    /// The error, one line.
    pub error: String,
    /// The manifest row (1-based).
    pub row: Option<u64>,
    /// The batch record that tells (`batch.json`, `batch-shard-1-of-4.json`).
    pub record: String,
}

/// Everything a scan found, sorted by subject as people count (`sub-2` before `sub-10`).
#[derive(Debug, Default)]
pub struct Found {
    /// Figures with a readable sidecar.
    pub figures: Vec<Figure>,
    /// Failures that no newer figure replaced.
    pub failures: Vec<Failure>,
    /// Files skipped, and why.
    pub notices: Vec<String>,
}

/// Scans OUTDIR: sidecars in every folder but `thumbs`, batch records at its top.
pub fn scan(outdir: &Path) -> Result<Found> {
    let mut found = Found::default();
    let mut sidecars = Vec::new();
    walk(outdir, outdir, &mut sidecars)?;
    for side in sidecars {
        match read_figure(outdir, &side) {
            Ok(fig) => found.figures.push(fig),
            Err(why) => found.notices.push(why),
        }
    }
    found
        .figures
        .sort_by(|a, b| natural_cmp(&a.subject, &b.subject).then(a.png.cmp(&b.png)));
    let records = read_records(outdir, &mut found.notices)?;
    found.failures = failures(records, &found.figures);
    found
        .failures
        .sort_by(|a, b| natural_cmp(&a.subject, &b.subject).then(a.output.cmp(&b.output)));
    Ok(found)
}

/// Collects `*.png.json` under `dir`, not following links to folders (no cycles) and
/// leaving out OUTDIR's `thumbs`.
fn walk(outdir: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let rerr = |source| Error::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(rerr)?
        .collect::<std::io::Result<_>>()
        .map_err(rerr)?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let kind = e.file_type().map_err(rerr)?;
        if kind.is_dir() && !(dir == outdir && e.file_name() == super::THUMBS) {
            walk(outdir, &path, out)?;
        } else if !kind.is_dir() && e.file_name().to_string_lossy().ends_with(".png.json") {
            out.push(path);
        }
    }
    Ok(())
}

/// The figure of one sidecar, or the notice saying why it is left out.
fn read_figure(outdir: &Path, side: &Path) -> std::result::Result<Figure, String> {
    let skip = |why: String| format!("report: skipped {}: {why}", side.display());
    let text = std::fs::read_to_string(side).map_err(|e| skip(e.to_string()))?;
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| skip(format!("not a JSON sidecar ({e})")))?;
    if doc.get("surfrender").is_none() {
        return Err(skip(
            "not a surfrender sidecar (no \"surfrender\" key)".into(),
        ));
    }
    let png = side.with_extension("");
    if !png.is_file() {
        return Err(skip(format!("its figure {} is missing", png.display())));
    }
    let rel = relative(outdir, &png).ok_or_else(|| skip("its path is not UTF-8".into()))?;
    let facts = doc.get("facts");
    let list = |key: &str| {
        let items = facts.and_then(|f| f.get(key)).and_then(Value::as_array);
        items.map_or(&[][..], |a| a.as_slice())
    };
    Ok(Figure {
        subject: subject_of(&doc, &png),
        png: rel,
        thumb: None,
        row: doc.pointer("/batch/row").and_then(Value::as_u64),
        surfaces: list("surfaces").iter().map(surface_facts).collect(),
        overlays: list("overlays").iter().map(overlay_facts).collect(),
        path: png,
    })
}

/// The subject's name: `facts.subject`, else the batch row's `subject`, else the spec's
/// `subject` (FreeSurfer subject mode), else the PNG's name without `.png`.
pub fn subject_of(doc: &Value, png: &Path) -> String {
    ["/facts/subject", "/batch/values/subject", "/spec/subject"]
        .iter()
        .filter_map(|p| doc.pointer(p).and_then(Value::as_str))
        .find(|s| !s.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| stem(png))
}

/// `sub-01.png` → `sub-01`.
fn stem(png: &Path) -> String {
    png.file_stem()
        .map_or_else(|| png.display().to_string(), |s| s.to_string_lossy().into())
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn surface_facts(v: &Value) -> SurfaceFacts {
    SurfaceFacts {
        hemi: text(v, "hemi"),
        path: text(v, "path"),
        vertices: v.get("vertices").and_then(Value::as_u64),
        faces: v.get("faces").and_then(Value::as_u64),
    }
}

fn overlay_facts(v: &Value) -> OverlayFacts {
    let num = |key: &str| v.get(key).and_then(Value::as_f64);
    let range = v
        .get("range")
        .and_then(Value::as_array)
        .and_then(|r| match r[..] {
            [ref lo, ref hi] => Some([lo.as_f64()?, hi.as_f64()?]),
            _ => None,
        });
    OverlayFacts {
        hemi: text(v, "hemi"),
        path: text(v, "path"),
        min: num("min"),
        max: num("max"),
        non_finite: v.get("non_finite").and_then(Value::as_u64),
        range,
    }
}

/// `path` relative to `outdir`, with `/` between folders (a URL's separator).
fn relative(outdir: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(outdir).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// One row of a batch record, with the time its record was written.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub output: String,
    pub status: String,
    pub failure: Failure,
    pub written: Option<SystemTime>,
}

/// The rows of every `batch*.json` at OUTDIR's top; a record that does not parse is
/// skipped with a notice.
fn read_records(outdir: &Path, notices: &mut Vec<String>) -> Result<Vec<Row>> {
    let rerr = |source| Error::Read {
        path: outdir.to_path_buf(),
        source,
    };
    let mut rows = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(outdir)
        .map_err(rerr)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("batch") && n.ends_with(".json"))
        .collect();
    names.sort();
    for name in names {
        let path = outdir.join(&name);
        let doc = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()));
        let doc = match doc {
            Ok(d) => d,
            Err(why) => {
                notices.push(format!("report: skipped {}: {why}", path.display()));
                continue;
            }
        };
        let written = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        let figures = doc.get("figures").and_then(Value::as_array);
        rows.extend(figures.into_iter().flatten().filter_map(|f| {
            let output = text(f, "output")?.trim_start_matches("./").to_string();
            let failure = Failure {
                subject: text(f, "subject").unwrap_or_else(|| stem(Path::new(&output))),
                error: text(f, "error").unwrap_or_else(|| "(no error recorded)".into()),
                row: f.get("row").and_then(Value::as_u64),
                record: name.clone(),
                output: output.clone(),
            };
            let status = text(f, "status").unwrap_or_default();
            Some(Row {
                output,
                status,
                failure,
                written,
            })
        }));
    }
    Ok(rows)
}

/// The failures still standing: per output, the newest record's row counts (a later
/// batch that wrote the figure clears an older failure), and a failure older than the
/// figure now present for its output is cleared too (the figure was made since).
pub(crate) fn failures(mut rows: Vec<Row>, figures: &[Figure]) -> Vec<Failure> {
    // Newest first; the first row seen for an output decides.
    rows.sort_by_key(|r| std::cmp::Reverse(r.written));
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for row in rows {
        if !seen.insert(row.output.clone()) || row.status != "failed" {
            continue;
        }
        let newer_figure = figures.iter().any(|f| {
            let made = std::fs::metadata(&f.path).and_then(|m| m.modified()).ok();
            f.png == row.output && made >= row.written
        });
        if !newer_figure {
            out.push(row.failure);
        }
    }
    out
}

/// Compares names as people count: runs of digits by value, so `sub-2` < `sub-10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        let (Some(cx), Some(cy)) = (x.chars().next(), y.chars().next()) else {
            return x.len().cmp(&y.len()).then(a.cmp(b));
        };
        if cx.is_ascii_digit() && cy.is_ascii_digit() {
            let (dx, dy) = (digits(x), digits(y));
            let (nx, ny) = (dx.trim_start_matches('0'), dy.trim_start_matches('0'));
            let by_value = nx.len().cmp(&ny.len()).then(nx.cmp(ny));
            if by_value != Ordering::Equal {
                return by_value;
            }
            (x, y) = (&x[dx.len()..], &y[dy.len()..]);
        } else {
            let by_char = cx.to_lowercase().cmp(cy.to_lowercase());
            if by_char != Ordering::Equal {
                return by_char;
            }
            (x, y) = (&x[cx.len_utf8()..], &y[cy.len_utf8()..]);
        }
    }
}

/// The leading ASCII digits of `s`.
fn digits(s: &str) -> &str {
    &s[..s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len())]
}
