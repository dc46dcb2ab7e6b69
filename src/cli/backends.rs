//! `surfrender backends`: what this machine can render with, and why not otherwise.

use std::fmt::Write;

use surfrender::render::{auto_choice, packages_hint, probe_all};
use surfrender::{Error, Result};

/// Prints the report (JSON with `json`).
pub fn run(json: bool) -> Result<()> {
    let probes = probe_all();
    let auto = auto_choice();
    if json {
        let v = serde_json::json!({ "auto": auto.as_str(), "backends": probes });
        let s = serde_json::to_string_pretty(&v)
            .map_err(|e| Error::serialize("the report as JSON", e))?;
        return super::out(&s);
    }
    let mut text = String::new();
    for p in &probes {
        if p.works {
            let _ = writeln!(
                text,
                "{:<7} works: {}",
                p.backend,
                p.renderer.as_deref().unwrap_or("?")
            );
            if let (Some(vendor), Some(version)) = (&p.vendor, &p.version) {
                let _ = writeln!(
                    text,
                    "        GL_VENDOR {vendor}; GL_VERSION {version}; max MSAA samples {}",
                    p.max_samples.unwrap_or(0)
                );
            }
        } else {
            let reason = p.reason.as_deref().unwrap_or("unknown");
            let _ = writeln!(
                text,
                "{:<7} does not work: {}",
                p.backend,
                reason.replace('\n', "\n        ")
            );
        }
        for d in &p.devices {
            let _ = writeln!(
                text,
                "        device {}: {} ({}{})",
                d.index,
                d.name,
                if d.hardware { "hardware" } else { "software" },
                d.cuda_device
                    .map(|c| format!(", CUDA device {c}"))
                    .unwrap_or_default()
            );
        }
    }
    let _ = writeln!(text, "auto    renders with: {}", auto.as_str());
    if probes.iter().filter(|p| p.works).count() == 1 {
        let _ = writeln!(
            text,
            "\nOnly the built-in CPU renderer works here. To enable the others:\n  {}",
            packages_hint()
        );
    }
    super::out(text.trim_end())
}
