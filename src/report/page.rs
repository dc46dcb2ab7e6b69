//! The page itself: `page.html` with `page.css`, `page.js` and the report's data
//! inlined, so that `index.html` is one file that needs nothing else but the figures and
//! thumbnails beside it.
//!
//! The data go into a `<script type="application/json">` block that the script parses;
//! the page's own text is built in the browser with `textContent`, never `innerHTML`, so
//! a subject named `<b>"&` is shown as typed. Only two things are escaped here: the JSON
//! (no `<`, `>` or `&` in it at all, so no `</script>` can end the block) and the title.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::scan::{Failure, Figure};
use crate::error::{Error, Result};

const HTML: &str = include_str!("page.html");
const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// The page for the figures and failures of `outdir`.
pub fn render(outdir: &Path, figures: &[Figure], failures: &[Failure]) -> Result<String> {
    // The absolute folder at build time keys the marks in the browser's storage: two
    // reports opened from one web server keep their marks apart.
    let id = std::fs::canonicalize(outdir).unwrap_or_else(|_| outdir.to_path_buf());
    let title = id
        .file_name()
        .map_or_else(|| id.display().to_string(), |n| n.to_string_lossy().into());
    let generated = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let data = json!({
        "id": id.display().to_string(),
        "title": title,
        "version": env!("CARGO_PKG_VERSION"),
        "generated": generated,
        "figures": figures,
        "failures": failures,
    });
    let data = serde_json::to_string(&data)
        .map_err(|e| Error::serialize("the report's data as JSON", e))?;
    Ok(fill(
        HTML,
        &[
            ("title", &escape_html(&format!("QC: {title}"))),
            ("style", CSS),
            ("script", JS),
            ("data", &script_json(&data)),
        ],
    ))
}

/// `template` with each `{{name}}` replaced by its value, in one pass: a value that
/// itself holds `{{data}}` (a subject's name) is not filled again.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let found = after.find("}}").and_then(|end| {
            let value = values.iter().find(|(k, _)| *k == &after[..end])?.1;
            Some((value, end))
        });
        match found {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// JSON text safe inside a `<script>` element: `<`, `>` and `&` occur in JSON only
/// inside strings, where their `\u` escapes mean the same to `JSON.parse`.
pub fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// Text safe in HTML content and in quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
