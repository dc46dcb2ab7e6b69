//! `surfrender inspect`: what each file is and holds.

use std::path::PathBuf;

use crate::error::Result;

/// Prints a description of each file (JSON with `json`).
pub fn run(files: &[PathBuf], json: bool) -> Result<()> {
    let _ = (files, json);
    Err(crate::error::Error::Usage("inspect: not yet implemented".into()))
}
