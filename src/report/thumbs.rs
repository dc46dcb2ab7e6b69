//! Thumbnails for the report's grid: `OUTDIR/thumbs/<figure path>`, about 400 pixels
//! wide, so that a page of a thousand subjects loads in seconds over a cluster's web
//! folder where the full figures (often 1600 pixels and more) would take minutes.
//!
//! `surfrender batch` writes a figure's thumbnail from the image it holds
//! ([`write_thumbnail`]); the report only makes those that are missing or older than
//! their figure, decoding the PNG then.

use std::path::{Path, PathBuf};

use image::RgbaImage;
use rayon::prelude::*;

use super::scan::Figure;
use crate::error::{Error, Result};

/// A thumbnail's width in pixels: two columns of them fit a laptop's screen, and a
/// figure's panels still read at this size.
pub const THUMB_WIDTH: u32 = 400;

/// Where the thumbnail of `png` goes: `OUTDIR/thumbs/<png relative to OUTDIR>`, with the
/// figure's own name, so that figures in different folders never share one. A `png`
/// outside OUTDIR keeps only its file name.
pub fn thumbnail_path(outdir: &Path, png: &Path) -> PathBuf {
    let rel = png
        .strip_prefix(outdir)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .map_or_else(
            || PathBuf::from(png.file_name().unwrap_or_default()),
            Path::to_path_buf,
        );
    outdir.join(super::THUMBS).join(rel)
}

/// Writes `image` scaled to [`THUMB_WIDTH`] pixels wide (never enlarged) as a PNG at
/// `path`, atomically, making its folder. Each thumbnail pixel is the mean of the figure's
/// pixels it covers (`imageops::thumbnail`): thin lines (outlines, colour-bar ticks,
/// text) fade rather than alias, at a fifth of a Lanczos filter's cost, which a batch
/// pays per figure.
pub fn write_thumbnail(image: &RgbaImage, path: &Path) -> Result<()> {
    let (w, h) = image.dimensions();
    let small;
    let thumb = match w > THUMB_WIDTH {
        true => {
            let th = ((h as u64 * THUMB_WIDTH as u64 + w as u64 / 2) / w as u64).max(1) as u32;
            small = image::imageops::thumbnail(image, THUMB_WIDTH, th);
            &small
        }
        false => image,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    // Alpha only where a pixel is see-through (figures on a transparent background).
    let alpha = thumb.pixels().any(|p| p[3] < 255);
    // Thumbnails are small and many: the fastest level.
    let fast = crate::spec::PngCompression::Fast;
    let bytes = crate::output::encode_png(path, thumb, alpha, &Vec::new(), None, fast)?;
    crate::output::write_atomic(path, &bytes)
}

/// Whether the thumbnail at `thumb` is missing or older than the figure `png`.
pub fn is_stale(png: &Path, thumb: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(png), modified(thumb)) {
        (Some(fig), Some(th)) => th < fig,
        (_, None) => true,
        (None, Some(_)) => false,
    }
}

/// Makes the missing and stale thumbnails of `figures`, in parallel, and sets each
/// figure's `thumb`; a figure whose PNG does not decode or whose thumbnail cannot be
/// written keeps no thumbnail (the page shows the figure itself) and gives a notice.
pub fn ensure_all(outdir: &Path, figures: &mut [Figure]) -> Vec<String> {
    figures
        .par_iter_mut()
        .filter_map(|fig| {
            let thumb = thumbnail_path(outdir, &fig.path);
            if is_stale(&fig.path, &thumb) {
                if let Err(e) = make(&fig.path, &thumb) {
                    return Some(format!("report: no thumbnail for {}: {e}", fig.png));
                }
            }
            fig.thumb = Some(format!("{}/{}", super::THUMBS, fig.png));
            None
        })
        .collect()
}

/// Decodes the figure and writes its thumbnail.
fn make(png: &Path, thumb: &Path) -> Result<()> {
    let img =
        image::open(png).map_err(|e| Error::invalid(png, format!("not a readable PNG: {e}")))?;
    write_thumbnail(&img.to_rgba8(), thumb)
}
