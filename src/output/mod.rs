//! PNG output, written to a temporary file in the destination folder and renamed into
//! place, so a failed or interrupted run never leaves a half-written figure behind.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use image::RgbaImage;

use crate::desc::FigureDesc;
use crate::error::{Error, Result};
use crate::figure::Figure;
use crate::montage::colorbar;
use crate::spec::FigureSpec;

pub mod sidecar;

/// Text metadata stored in the PNG, in order. Latin-1 text goes into `tEXt` chunks, as
/// most viewers show those; anything else (a Greek letter in a title) into UTF-8 `iTXt`.
pub type Metadata = Vec<(String, String)>;

/// Writes a figure as the `surfrender` binary does: the PNG, with its canonical command
/// line and backend in the metadata, and its JSON sidecar; both or neither.
pub fn write_figure(path: &Path, fig: &Figure, desc: &FigureDesc, spec: &FigureSpec) -> Result<()> {
    let metadata = vec![
        (
            "Software".to_string(),
            format!("surfrender {}", env!("CARGO_PKG_VERSION")),
        ),
        ("surfrender:command".to_string(), desc.canonical_command()),
        // The origin only: the CPU renderer's name carries its thread count, which must
        // not change the file (images are identical for any thread count).
        ("surfrender:backend".to_string(), fig.backend.origin.clone()),
    ];
    write_png(path, &fig.image, fig.alpha, &metadata, spec.dpi)?;
    let bars = crate::figure::bar_refs(&fig.bars);
    let extras = sidecar::write(path, desc, spec, &fig.backend).and_then(|()| {
        match spec.colorbar_file.as_ref().filter(|_| !bars.is_empty()) {
            Some(bar) => colorbar::write_file(bar, &bars, spec.colorbar_vertical, spec.background),
            None => Ok(()),
        }
    });
    if let Err(e) = extras {
        // No half-made result: the figure goes with its record (and its bars) or not at
        // all.
        let _ = std::fs::remove_file(path);
        let _ = std::fs::remove_file(sidecar::path(path));
        return Err(e);
    }
    Ok(())
}

/// Checks, before any rendering, that the figure, its sidecar and its colour-bar file can
/// be written.
pub fn check_destinations(path: &Path, spec: &FigureSpec) -> Result<()> {
    check_destination(path)?;
    check_destination(&sidecar::path(path))?;
    if let Some(bar) = &spec.colorbar_file {
        check_destination(bar)?;
        crate::montage::colorbar::file_is_svg(bar)?;
    }
    Ok(())
}

/// Fails early, before any rendering, when the output cannot be written: its folder does
/// not exist or it names a folder.
pub fn check_destination(path: &Path) -> Result<()> {
    let fail = |msg: String| Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(msg),
    };
    if path.is_dir() {
        return Err(fail(
            "it is a directory; give a file name such as fig.png".into(),
        ));
    }
    let dir = folder(path);
    if !dir.is_dir() {
        return Err(fail(format!("the folder {} does not exist", dir.display())));
    }
    Ok(())
}

fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A temporary file beside the destination, removed unless renamed into place.
struct TempFile {
    path: PathBuf,
    file: Option<File>,
}

impl TempFile {
    /// Created with the process umask's permissions (0644 typically), unlike
    /// `tempfile`'s 0600, so collaborators on a cluster can read the figure.
    fn beside(dest: &Path) -> std::io::Result<TempFile> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut last = None;
        for attempt in 0..100u32 {
            let path = folder(dest).join(format!(
                ".{name}.{}-{attempt}.surfrender-tmp",
                std::process::id()
            ));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file: Some(file),
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no temporary name available")))
    }

    fn persist(mut self, dest: &Path) -> std::io::Result<()> {
        drop(self.file.take());
        std::fs::rename(&self.path, dest)?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = TempFile::beside(path).map_err(werr)?;
    let file = tmp
        .file
        .as_mut()
        .ok_or_else(|| werr(std::io::Error::other("temporary file closed")))?;
    file.write_all(bytes).map_err(werr)?;
    // No fsync: the rename is what keeps a failed run from leaving a partial file, and
    // fsync costs tens of milliseconds on the network filesystems of HPC clusters.
    tmp.persist(path).map_err(werr)
}

/// Writes `img` as PNG: RGBA when `alpha` (transparent backgrounds), RGB otherwise.
pub fn write_png(
    path: &Path,
    img: &RgbaImage,
    alpha: bool,
    metadata: &Metadata,
    dpi: Option<u32>,
) -> Result<()> {
    let mut bytes = Vec::with_capacity(img.as_raw().len() / 4);
    encode(&mut bytes, img, alpha, metadata, dpi).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    write_atomic(path, &bytes)
}

fn encode<W: Write>(
    w: W,
    img: &RgbaImage,
    alpha: bool,
    metadata: &Metadata,
    dpi: Option<u32>,
) -> std::result::Result<(), png::EncodingError> {
    let mut enc = png::Encoder::new(w, img.width(), img.height());
    enc.set_color(if alpha {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    // Up-filtering suits figures (large flat areas, smooth shading) and is cheaper than
    // choosing a filter per row.
    enc.set_filter(png::Filter::Up);
    if let Some(dpi) = dpi {
        // pHYs counts pixels per metre.
        let ppm = (dpi as f64 / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
    }
    for (k, v) in metadata {
        if v.chars().all(|c| (c as u32) < 256) {
            enc.add_text_chunk(k.clone(), v.clone())?;
        } else {
            enc.add_itxt_chunk(k.clone(), v.clone())?;
        }
    }
    let mut writer = enc.write_header()?;
    if alpha {
        writer.write_image_data(img.as_raw())?;
    } else {
        let mut rgb = Vec::with_capacity(img.as_raw().len() / 4 * 3);
        for p in img.as_raw().chunks_exact(4) {
            rgb.extend_from_slice(&p[..3]);
        }
        writer.write_image_data(&rgb)?;
    }
    writer.finish()
}
