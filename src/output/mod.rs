//! PNG output and its JSON sidecar, so that a figure is never lost, never destroys an
//! input, and never stands beside the record of another run.
//!
//! [`write_figure`] first encodes the PNG and builds the sidecar (and the colour-bar
//! file) in memory, then writes each to a temporary file beside its destination, then
//! takes an exclusive lock on the output folder (`.surfrender.lock`, see `lock`) and,
//! holding it, renames the sidecar, the colour-bar file and last the PNG into place. Runs
//! writing the same output at once are thus serialised at the renames: the pair left is
//! always one run's, and a reader sees another run's sidecar beside a PNG only between
//! two renames (or after a `SIGKILL` right there). A failed or interrupted run leaves
//! the previous figure untouched; one that fails between its renames removes what it
//! placed and the PNG, so no mismatched pair remains.
//!
//! Temporaries are named `.<name prefix>.<hash>.<host>.<pid>-<n>.surfrender-tmp`, at most
//! 80 bytes (see `temp`). [`remove_temporaries_on_signals`], which the binary installs,
//! removes this process's temporaries on SIGTERM and SIGINT and exits with 128 + the
//! signal; a run that was killed outright leaves them behind, and the next run writing into
//! that folder removes those whose process is dead and that are older than five minutes
//! (a day for another machine's). With `SURFRENDER_HOLD_TEMPORARIES_MS` set, a run waits
//! that long between writing its temporaries and renaming them, so that tests can
//! interrupt it there.
//!
//! [`check_destinations`] refuses, before anything is rendered, an output that is one of
//! the inputs (compared by device and inode, so also through links) and a name whose
//! sidecar name would exceed the file system's limit of 255 bytes.

use std::path::{Path, PathBuf};

use image::RgbaImage;

use crate::desc::FigureDesc;
use crate::error::{Error, Result};
use crate::figure::Figure;
use crate::montage::colorbar;
use crate::spec::{FigureSpec, PngCompression};

pub mod facts;
mod lock;
pub mod sidecar;
pub(crate) mod temp;
#[cfg(test)]
mod tests;

pub use temp::remove_temporaries_on_signals;
use temp::TempFile;

/// Text metadata stored in the PNG, in order. Latin-1 text goes into `tEXt` chunks, as
/// most viewers show those; anything else (a Greek letter in a title) into UTF-8 `iTXt`.
pub type Metadata = Vec<(String, String)>;

/// The longest file name (in bytes) of Linux's and macOS's file systems (`NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// Writes a figure as the `surfrender` binary does: the PNG, with its canonical command
/// line and backend in the metadata, its JSON sidecar and its colour-bar file; all of
/// them or none, and never interleaved with another run's (see the module's
/// documentation).
pub fn write_figure(path: &Path, fig: &Figure, desc: &FigureDesc, spec: &FigureSpec) -> Result<()> {
    write_figure_with(path, fig, desc, spec, sidecar::Extra::new())
}

/// [`write_figure`] with more keys in the sidecar (a batch records its row there); the
/// figure's `facts` are always recorded.
pub fn write_figure_with(
    path: &Path,
    fig: &Figure,
    desc: &FigureDesc,
    spec: &FigureSpec,
    mut extra: sidecar::Extra,
) -> Result<()> {
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
    let dir = folder(path);
    temp::clean_stale(dir);
    // The PNG is encoded on a thread of its own while this one hashes the inputs for the
    // sidecar: each takes milliseconds (a 163842-vertex figure's 13 MB of inputs about
    // as long as the encoding), and neither needs the other.
    let (png, side) = std::thread::scope(|scope| {
        let png = scope.spawn(|| {
            let level = spec.png_compression;
            encode_png(path, &fig.image, fig.alpha, &metadata, spec.dpi, level)
        });
        let side = match spec.sidecar {
            true => serde_json::to_value(&fig.facts)
                .map_err(|e| Error::serialize("the figure's facts", e))
                .and_then(|facts| {
                    extra.insert("facts".into(), facts);
                    sidecar::document_with(desc, spec, &fig.backend, extra).map(Some)
                }),
            false => Ok(None),
        };
        let png = png
            .join()
            .unwrap_or_else(|p| Err(Error::panicked("the PNG encoder", &*p)));
        (png, side)
    });
    // The PNG's error first, as when it was encoded before the sidecar was built.
    let (png, side) = (png?, side?);
    let bars = crate::figure::bar_refs(&fig.bars);
    // The sidecar first and the PNG last: a reader waiting for the PNG finds its record.
    let mut staged = Vec::new();
    if let Some(side) = side {
        staged.push(stage(&sidecar::path(path), &side)?);
    }
    if let Some(bar) = spec.colorbar_file.as_ref().filter(|_| !bars.is_empty()) {
        let bytes = colorbar::file_bytes(bar, &bars, spec.colorbar_vertical, spec.background)?;
        staged.push(stage(bar, &bytes)?);
    }
    staged.push(stage(path, &png)?);
    hold_for_tests();
    commit(dir, staged)
}

/// A temporary holding a file's bytes, and where it goes.
struct Staged {
    tmp: TempFile,
    dest: PathBuf,
}

/// Writes `bytes` to a temporary beside `dest`.
fn stage(dest: &Path, bytes: &[u8]) -> Result<Staged> {
    let werr = |source| Error::Write {
        path: dest.to_path_buf(),
        source,
    };
    let mut tmp = TempFile::beside(dest).map_err(werr)?;
    tmp.write_all(bytes).map_err(werr)?;
    Ok(Staged {
        tmp,
        dest: dest.to_path_buf(),
    })
}

/// Renames the staged files into place, in order, under the folder's lock and with no
/// signal handled in between. When a rename fails after another succeeded, every
/// destination is removed, so that no figure stands beside another run's record.
fn commit(dir: &Path, mut staged: Vec<Staged>) -> Result<()> {
    let lock = lock::FolderLock::acquire(dir);
    let mut live = temp::registry();
    let mut placed = 0;
    let mut failure = None;
    for s in &mut staged {
        match s.tmp.rename_onto(&s.dest, &mut live) {
            Ok(()) => placed += 1,
            Err(source) => {
                failure = Some(Error::Write {
                    path: s.dest.clone(),
                    source,
                });
                break;
            }
        }
    }
    if failure.is_some() && placed > 0 {
        for s in &staged {
            let _ = std::fs::remove_file(&s.dest);
        }
    }
    // The registry first: the temporaries left remove themselves through it.
    drop(live);
    drop(staged);
    drop(lock);
    failure.map_or(Ok(()), Err)
}

/// Waits `SURFRENDER_HOLD_TEMPORARIES_MS` milliseconds, when set: tests interrupt a run
/// while its temporaries exist.
fn hold_for_tests() {
    if let Some(ms) = std::env::var("SURFRENDER_HOLD_TEMPORARIES_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Checks, before any rendering, that the figure, its sidecar and its colour-bar file can
/// be written, that their names fit the file system, and that none of them is one of the
/// figure's inputs or of `also_inputs` (the spec file it was read from), which writing
/// it would destroy.
pub fn check_destinations(path: &Path, spec: &FigureSpec, also_inputs: &[PathBuf]) -> Result<()> {
    let side = sidecar::path(path);
    let len = name_len(path);
    if spec.sidecar && len <= NAME_MAX && name_len(&side) > NAME_MAX {
        return Err(Error::Usage(format!(
            "output {}: the name is {len} bytes, so its sidecar's name (the name + .json) would be {} bytes, over the file system's limit of {NAME_MAX} bytes; use a name of at most {} bytes",
            path.display(),
            name_len(&side),
            NAME_MAX - ".json".len()
        )));
    }
    check_destination(path)?;
    let mut dests = vec![(format!("output {}", path.display()), path)];
    if spec.sidecar {
        check_destination(&side)?;
        let what = format!("the sidecar {} of the output", side.display());
        dests.push((what, &side));
    }
    if let Some(bar) = &spec.colorbar_file {
        check_destination(bar)?;
        crate::montage::colorbar::file_is_svg(bar)?;
        if same_file(bar, path) || same_file(bar, &side) {
            return Err(Error::Usage(format!(
                "colour bar file {} is the figure's output or its sidecar; give it a name of its own",
                bar.display()
            )));
        }
        dests.push((format!("colour bar file {}", bar.display()), bar));
    }
    let mut inputs = sidecar::input_files(spec);
    inputs.extend(also_inputs.iter().cloned());
    for (what, dest) in dests {
        if let Some(input) = inputs.iter().find(|i| same_file(dest, i)) {
            return Err(Error::Usage(format!(
                "{what} is the input {}: writing it would destroy the input; choose another output name",
                input.display()
            )));
        }
    }
    Ok(())
}

/// Fails early, before any rendering, when the output cannot be written: its name is
/// longer than the file system allows, its folder does not exist or it names a folder.
pub fn check_destination(path: &Path) -> Result<()> {
    let len = name_len(path);
    if len > NAME_MAX {
        return Err(Error::Usage(format!(
            "{}: the name is {len} bytes, over the file system's limit of {NAME_MAX} bytes",
            path.display()
        )));
    }
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

/// Bytes in the last component of `path`.
fn name_len(path: &Path) -> usize {
    path.file_name().map_or(0, |n| n.as_encoded_bytes().len())
}

/// Whether `a` and `b` are one file: the same device and inode (so also through symbolic
/// and hard links); where that cannot be read, the same canonical path, or for a file not
/// yet made, the same name in the same (canonical) folder.
fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        if let Some(same) = same_inode(&x, &y) {
            return same;
        }
    }
    let canonical = |p: &Path| {
        p.canonicalize()
            .ok()
            .or_else(|| Some(folder(p).canonicalize().ok()?.join(p.file_name()?)))
    };
    matches!((canonical(a), canonical(b)), (Some(x), Some(y)) if x == y)
}

/// Whether two files' metadata are of one file, where the platform has inodes.
#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> Option<bool> {
    use std::os::unix::fs::MetadataExt;
    Some(a.dev() == b.dev() && a.ino() == b.ino())
}

/// Without inodes, metadata cannot tell.
#[cfg(not(unix))]
fn same_inode(_: &std::fs::Metadata, _: &std::fs::Metadata) -> Option<bool> {
    None
}

/// The folder `path` is written in (`.` for a bare file name).
fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so that a failed run
/// never leaves a partial file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    TempFile::write_and_rename(path, bytes).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `img` as PNG: RGB, or RGBA when `alpha` (transparent backgrounds), compressed
/// as `compression` says.
pub fn write_png(
    path: &Path,
    img: &RgbaImage,
    alpha: bool,
    metadata: &Metadata,
    dpi: Option<u32>,
    compression: PngCompression,
) -> Result<()> {
    write_atomic(
        path,
        &encode_png(path, img, alpha, metadata, dpi, compression)?,
    )
}

/// The bytes [`write_png`] writes, for a caller that places them itself (`path` only
/// names the file in an error).
pub fn encode_png(
    path: &Path,
    img: &RgbaImage,
    alpha: bool,
    metadata: &Metadata,
    dpi: Option<u32>,
    compression: PngCompression,
) -> Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(img.as_raw().len() / 4);
    encode(&mut bytes, img, alpha, metadata, dpi, compression).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    Ok(bytes)
}

fn encode<W: std::io::Write>(
    w: W,
    img: &RgbaImage,
    alpha: bool,
    metadata: &Metadata,
    dpi: Option<u32>,
    compression: PngCompression,
) -> std::result::Result<(), png::EncodingError> {
    let mut enc = png::Encoder::new(w, img.width(), img.height());
    enc.set_color(if alpha {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    enc.set_depth(png::BitDepth::Eight);
    set_compression(&mut enc, compression);
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
        let rgb = rgb_of(img.as_raw());
        writer.write_image_data(&rgb)?;
        crate::recycle::give(rgb);
    }
    writer.finish()
}

/// RGBA bytes without their alpha, four pixels at a time (16 bytes in, 12 out: one
/// shuffle once the compiler vectorises it), where appending each pixel's three bytes to
/// a vector cost about a third of the fast encoder's time.
fn rgb_of(rgba: &[u8]) -> Vec<u8> {
    let mut rgb = crate::recycle::scratch(rgba.len() / 4 * 3);
    let (quads, rest) = rgba.as_chunks::<16>();
    let (out, out_rest) = rgb.as_chunks_mut::<12>();
    for (d, s) in out.iter_mut().zip(quads) {
        *d = [
            s[0], s[1], s[2], s[4], s[5], s[6], s[8], s[9], s[10], s[12], s[13], s[14],
        ];
    }
    for (d, s) in out_rest
        .as_chunks_mut::<3>()
        .0
        .iter_mut()
        .zip(rest.as_chunks::<4>().0)
    {
        *d = [s[0], s[1], s[2]];
    }
    rgb
}

/// Sets the png crate's deflate level and row filter for `compression`, for figures and
/// animated PNGs alike. `fast` is fdeflate over Paeth-filtered rows: on the benchmark
/// figures (large flat areas, smooth shading) Paeth makes files 12 % smaller than Up for
/// about 1 ms more on 1600×1200, as small as a filter chosen per row at two thirds of its
/// time. The slower levels go through zlib (miniz_oxide), where choosing the filter per
/// row pays. The measurements are in benches/README.md (issue #15).
pub(crate) fn set_compression<W: std::io::Write>(
    enc: &mut png::Encoder<W>,
    compression: PngCompression,
) {
    let (deflate, filter) = match compression {
        PngCompression::Fast => (
            png::DeflateCompression::FdeflateUltraFast,
            png::Filter::Paeth,
        ),
        PngCompression::Default => (png::DeflateCompression::Level(6), png::Filter::Adaptive),
        PngCompression::Best => (png::DeflateCompression::Level(9), png::Filter::Adaptive),
    };
    enc.set_deflate_compression(deflate);
    enc.set_filter(filter);
}
