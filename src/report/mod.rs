//! `surfrender report OUTDIR`: one static page, `OUTDIR/index.html`, for reviewing the
//! figures of a folder by eye (issue 14) — a thumbnail grid with each subject's facts,
//! the subjects that failed with their errors, a filter, keyboard review with pass / fail /
//! unsure marks and notes kept in the browser, and the marks exported as CSV.
//!
//! The stages, each in its own file:
//!
//! ```text
//! scan   (every *.png.json sidecar under OUTDIR, every batch*.json: figures and failures)
//!   → thumbs (OUTDIR/thumbs/<figure path>, made only where missing or older than the PNG)
//!   → page   (page.html with page.css, page.js and the data inlined: one self-contained file)
//! ```
//!
//! The page needs no network and no server: it works from `file://`, from a cluster's web
//! folder and after the folder is moved, since every link is relative to OUTDIR and the
//! data travel inside the page (a JSON block, not a fetch, which `file://` forbids).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

mod page;
mod scan;
mod thumbs;

pub use scan::{Failure, Figure};
pub use thumbs::{thumbnail_path, write_thumbnail, THUMB_WIDTH};

/// The folder of thumbnails inside OUTDIR; the scan skips it.
pub const THUMBS: &str = "thumbs";

/// What [`write_report`] wrote.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    /// Figures on the page.
    pub figures: usize,
    /// Failed subjects on the page (with no newer figure of the same output).
    pub failed: usize,
    /// `OUTDIR/index.html`.
    pub page: PathBuf,
    /// What was skipped and why (a corrupt sidecar, a PNG that does not decode), for the
    /// caller to print as notes; none of them stops the report.
    pub notices: Vec<String>,
}

/// Builds `OUTDIR/index.html` from the sidecars and batch records found in OUTDIR,
/// making the thumbnails that are missing or older than their figure first. The page is
/// written atomically, so a browser reloading it never sees half a page.
pub fn write_report(outdir: &Path) -> Result<ReportSummary> {
    check_outdir(outdir)?;
    let mut found = scan::scan(outdir)?;
    let mut notices = std::mem::take(&mut found.notices);
    notices.extend(thumbs::ensure_all(outdir, &mut found.figures));
    let html = page::render(outdir, &found.figures, &found.failures)?;
    let index = outdir.join("index.html");
    crate::output::write_atomic(&index, html.as_bytes())?;
    Ok(ReportSummary {
        figures: found.figures.len(),
        failed: found.failures.len(),
        page: index,
        notices,
    })
}

/// OUTDIR must be an existing folder: a typo must not build an empty report elsewhere.
fn check_outdir(outdir: &Path) -> Result<()> {
    let meta = std::fs::metadata(outdir).map_err(|source| Error::Read {
        path: outdir.to_path_buf(),
        source,
    })?;
    match meta.is_dir() {
        true => Ok(()),
        false => Err(Error::invalid(
            outdir,
            "not a folder; give the folder the figures were written to",
        )),
    }
}

#[cfg(test)]
mod tests;
