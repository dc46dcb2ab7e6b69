//! `surfrender inspect`: prints what each file is and holds (see `io::describe`).

use std::path::PathBuf;

use serde_json::{json, Map, Value};
use surfrender::io::{self, describe};
use surfrender::{Error, Result};

/// Prints a description of each file (one JSON object keyed by path with `json`). Every
/// file is described even when some fail; the run then fails with the first error.
pub fn run(files: &[PathBuf], json: bool) -> Result<()> {
    let mut all = Map::new();
    let mut first_error = None;
    for path in files {
        let described = io::load(path, &Default::default()).map(|l| describe::describe(&l));
        let key = path.display().to_string();
        match described {
            Ok(v) => {
                if !json {
                    super::out(&describe::text(&key, &v))?;
                }
                all.insert(key, v);
            }
            Err(e) => {
                if json {
                    all.insert(key, json!({ "error": e.to_string() }));
                } else {
                    super::out(&format!("{key}: error: {e}"))?;
                }
                first_error.get_or_insert(e);
            }
        }
    }
    if json {
        let out = serde_json::to_string_pretty(&Value::Object(all))
            .map_err(|e| Error::serialize("the description as JSON", e))?;
        super::out(&out)?;
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
