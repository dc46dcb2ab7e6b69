//! `surfrender backends`: what this machine can render with, and why not otherwise.

use surfrender::render::{auto_choice, describe_backends, probe_all};
use surfrender::{Error, Result};

/// Prints the report (JSON with `json`).
pub fn run(json: bool) -> Result<()> {
    let probes = probe_all();
    let auto = auto_choice();
    if !json {
        return super::out(&describe_backends(&probes, auto));
    }
    let v = serde_json::json!({ "auto": auto.as_str(), "backends": probes });
    super::out(
        &serde_json::to_string_pretty(&v).map_err(|e| Error::serialize("the report as JSON", e))?,
    )
}
