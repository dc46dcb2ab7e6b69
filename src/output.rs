//! PNG output, written to a temporary file in the destination folder and renamed into
//! place, so a failed or interrupted run never leaves a half-written figure behind.

use std::io::{BufWriter, Write};
use std::path::Path;

use image::RgbaImage;

use crate::error::{Error, Result};

/// Text metadata stored in the PNG (tEXt chunks), in order.
pub type Metadata = Vec<(String, String)>;

/// Writes `img` as PNG: RGBA when `alpha` (transparent backgrounds), RGB otherwise.
pub fn write_png(path: &Path, img: &RgbaImage, alpha: bool, metadata: &Metadata) -> Result<()> {
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".surfrender-")
        .suffix(".png.tmp")
        .tempfile_in(dir)
        .map_err(werr)?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        encode(&mut w, img, alpha, metadata).map_err(|e| werr(std::io::Error::other(e)))?;
        w.flush().map_err(werr)?;
    }
    // No fsync: the rename is what keeps a failed run from leaving a partial figure, and
    // fsync costs tens of milliseconds on network filesystems of HPC clusters.
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(())
}

fn encode<W: Write>(
    w: W,
    img: &RgbaImage,
    alpha: bool,
    metadata: &Metadata,
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
    for (k, v) in metadata {
        enc.add_text_chunk(k.clone(), v.clone())?;
    }
    let mut writer = enc.write_header()?;
    if alpha {
        writer.write_image_data(img.as_raw())?;
    } else {
        let rgb: Vec<u8> = img.pixels().flat_map(|p| [p[0], p[1], p[2]]).collect();
        writer.write_image_data(&rgb)?;
    }
    writer.finish()
}
