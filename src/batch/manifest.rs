//! The rows of a batch: a manifest file (CSV or TSV with a header, or JSON lines) whose
//! columns are figure fields or placeholder values, or the subject folders of a subjects
//! directory that match a pattern.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The largest manifest read: a million rows of a few short columns.
const MAX_MANIFEST_BYTES: u64 = 256 << 20;

/// The rows to draw, in order.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// The file the rows came from (relative paths in it are relative to its folder);
    /// `None` for a subjects directory.
    pub path: Option<PathBuf>,
    /// The column names, in the order first seen.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// One row: its cells by column. CSV and TSV cells are strings (typed later, by the
/// field they fill); JSON lines keep their JSON types.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based among the data rows, as the summary and the report count them.
    pub number: usize,
    /// The line of the file it starts on (1-based), for messages.
    pub line: usize,
    /// The cells, by column; an empty CSV cell is absent.
    pub cells: Map<String, Value>,
    /// Whether the cells are CSV/TSV text.
    pub text: bool,
}

impl Manifest {
    /// Reads a manifest: JSON lines for `.jsonl`/`.ndjson`/`.json`, TSV for
    /// `.tsv`/`.tab`, else CSV. Lines starting with `#` are comments.
    pub fn read(path: &Path) -> Result<Manifest> {
        let text = crate::io::read_text(path, MAX_MANIFEST_BYTES, "a batch manifest")?;
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let bad = |msg: String| Error::Usage(format!("{}: {msg}", path.display()));
        let mut m = match ext.as_str() {
            "jsonl" | "ndjson" | "json" => json_lines(&text).map_err(bad)?,
            "tsv" | "tab" => delimited(&text, b'\t').map_err(bad)?,
            _ => delimited(&text, b',').map_err(bad)?,
        };
        if m.rows.is_empty() {
            return Err(bad(
                "no rows (a header line, then one row per figure)".into()
            ));
        }
        m.path = Some(path.to_path_buf());
        Ok(m)
    }

    /// One row per folder of `dir` whose name matches `pattern` (`*` any run of
    /// characters, `?` one), sorted by name, each with its `subject`; hidden folders are
    /// left out.
    pub fn subjects(dir: &Path, pattern: &str) -> Result<Manifest> {
        let entries = std::fs::read_dir(dir).map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| !n.starts_with('.') && wildcard(pattern, n))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(Error::Usage(format!(
                "--subjects '{pattern}': no folder of {} matches",
                dir.display()
            )));
        }
        let rows = names.into_iter().enumerate().map(|(i, n)| Row {
            number: i + 1,
            line: 0,
            cells: [("subject".to_string(), Value::String(n))]
                .into_iter()
                .collect(),
            text: false,
        });
        Ok(Manifest {
            path: None,
            columns: vec!["subject".into()],
            rows: rows.collect(),
        })
    }

    /// Where a row's relative paths start: the manifest's folder, else the working one.
    pub fn folder(&self) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// How messages name a row: `manifest.csv row 3 (line 4)`, or the subject folder.
    pub fn where_is(&self, row: &Row) -> String {
        match &self.path {
            Some(p) => format!("{} row {} (line {})", p.display(), row.number, row.line),
            None => format!("subject {}", row.number),
        }
    }
}

/// CSV or TSV with a header line.
fn delimited(text: &str, sep: u8) -> std::result::Result<Manifest, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let columns: Vec<String> = header.iter().map(str::to_string).collect();
    check_columns(&columns)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::UnequalLengths {
                pos: Some(pos),
                expected_len,
                len,
            } => format!(
                "line {}: {len} fields, but the header has {expected_len}",
                pos.line()
            ),
            _ => e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cells = columns
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
            .collect();
        rows.push(Row {
            number: rows.len() + 1,
            line,
            cells,
            text: true,
        });
    }
    Ok(Manifest {
        path: None,
        columns,
        rows,
    })
}

/// One JSON object per line; blank and `#` lines are skipped.
fn json_lines(text: &str) -> std::result::Result<Manifest, String> {
    let mut columns: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let value: Value = serde_json::from_str(t).map_err(|e| format!("line {}: {e}", i + 1))?;
        let Value::Object(cells) = value else {
            return Err(format!("line {}: a row is a JSON object of fields", i + 1));
        };
        for k in cells.keys() {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
        let cells = cells.into_iter().filter(|(_, v)| !v.is_null()).collect();
        rows.push(Row {
            number: rows.len() + 1,
            line: i + 1,
            cells,
            text: false,
        });
    }
    check_columns(&columns)?;
    Ok(Manifest {
        path: None,
        columns,
        rows,
    })
}

/// Column names are non-empty and distinct.
fn check_columns(columns: &[String]) -> std::result::Result<(), String> {
    for (i, c) in columns.iter().enumerate() {
        if c.is_empty() {
            return Err(format!("column {} of the header has no name", i + 1));
        }
        if columns[..i].contains(c) {
            return Err(format!("column '{c}' appears twice in the header"));
        }
    }
    Ok(())
}

/// Whether `name` matches a shell-style `pattern` of `*` and `?`.
pub(crate) fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic two-pointer match with one backtrack point for the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("sub-*", "sub-01"));
        assert!(wildcard("*", "bert"));
        assert!(wildcard("s?b-*1", "sub-0001"));
        assert!(!wildcard("sub-*", "fsaverage"));
        assert!(!wildcard("sub-?", "sub-10"));
    }

    #[test]
    fn csv_rows_skip_empty_cells_and_name_bad_lines() {
        let m = delimited("subject,title\n# a comment\nbert,\nernie,E\n", b',').unwrap();
        assert_eq!(m.columns, ["subject", "title"]);
        assert_eq!(m.rows.len(), 2);
        assert!(m.rows[0].cells.get("title").is_none());
        assert_eq!(m.rows[1].line, 4);
        let e = delimited("subject,title\nbert\n", b',').unwrap_err();
        assert!(e.contains("line 2") && e.contains("header has 2"), "{e}");
        assert!(delimited("a,a\n1,2\n", b',').unwrap_err().contains("twice"));
    }

    #[test]
    fn json_lines_keep_types() {
        let m =
            json_lines("{\"subject\":\"b\",\"threshold\":2.5}\n\n{\"subject\":\"c\"}\n").unwrap();
        assert_eq!(m.rows.len(), 2);
        assert_eq!(m.rows[0].cells["threshold"], 2.5);
        assert!(json_lines("[1]\n").unwrap_err().contains("JSON object"));
    }
}
