//! Readers: bytes on disk → [`Mesh`] and [`Overlay`]. Format is decided by magic bytes
//! first and the file name second, because pipelines rename files freely.
//!
//! Every length a header announces is checked against the bytes actually present before
//! anything is allocated, so a corrupt or hostile header costs an error message, not memory.
//! Gzipped input is decompressed only as far as its header says the reader will look (see
//! `read_file`), so a small file that inflates to gigabytes costs neither.

mod cursor;
pub mod describe;
mod freesurfer;
mod fslabel;
mod gifti;
mod gzip;
mod mgh;
mod nifti;
mod text;

pub(crate) use cursor::{be_f32s, be_i32s, check_len, Cursor};
pub(crate) use gzip::read_file;
pub use gzip::MAX_DECOMPRESSED;
pub(crate) use text::read_text;

use std::path::Path;

use crate::annotation::{Annotation, Label};
use crate::error::{hex_prefix, Error, Result};
use crate::hemi::Hemi;
use crate::mesh::Mesh;
use crate::overlay::Overlay;

/// FreeSurfer triangle surface magic (3 bytes, big-endian 0xFFFFFE).
pub(crate) const TRIANGLE_MAGIC: [u8; 3] = [0xff, 0xff, 0xfe];
/// FreeSurfer "new" curv magic; the same value marks an old quad surface.
pub(crate) const CURV_MAGIC: [u8; 3] = [0xff, 0xff, 0xff];
/// FreeSurfer "new" quad surface magic.
pub(crate) const NEW_QUAD_MAGIC: [u8; 3] = [0xff, 0xff, 0xfd];
/// An MGH file opens with its version, which has only ever been 1.
const MGH_VERSION_1: [u8; 4] = [0, 0, 0, 1];
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// File formats the readers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// FreeSurfer triangle surface (`lh.pial`).
    FreeSurferSurface,
    /// FreeSurfer "new" curv (`lh.thickness`).
    FreeSurferCurv,
    /// MGH or MGZ.
    Mgh,
    /// GIfTI, also gzipped whole.
    Gifti,
    /// NIfTI-1 or NIfTI-2 (the reader tells them apart, and CIFTI-2 inside NIfTI-2).
    Nifti,
    /// FreeSurfer annotation (`lh.aparc.annot`).
    FreeSurferAnnot,
    /// FreeSurfer ASCII label (`lh.V1.label`).
    FreeSurferLabel,
}

/// What a file holds.
#[derive(Debug, Clone)]
pub enum Content {
    /// A triangle mesh.
    Surface(Mesh),
    /// Per-vertex values, one or more frames.
    Overlay(Overlay),
    /// A parcellation with its colour table.
    Annotation(Annotation),
    /// A set of vertices.
    Label(Label),
}

impl Content {
    /// "surface", "overlay", "annotation" or "label", as in messages and `inspect`.
    pub fn kind(&self) -> &'static str {
        match self {
            Content::Surface(_) => "surface",
            Content::Overlay(_) => "overlay",
            Content::Annotation(_) => "annotation",
            Content::Label(_) => "label",
        }
    }
}

/// A file's content plus what `inspect` reports about its container, under the names
/// nibabel uses (../shared/data/truth.json): `format`, `encodings`, `endian`, `shape`,
/// `dtype_on_disk`, ...
#[derive(Debug, Clone)]
pub struct Loaded {
    /// What the file holds.
    pub content: Content,
    /// About the container, by nibabel's names.
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl Loaded {
    /// Content without details yet.
    pub fn new(content: Content) -> Loaded {
        Loaded {
            content,
            details: serde_json::Map::new(),
        }
    }

    /// Adds one detail (builder style).
    pub fn detail(mut self, key: &str, value: impl Into<serde_json::Value>) -> Loaded {
        self.details.insert(key.to_string(), value.into());
        self
    }
}

/// Which part of a file holding more than one thing to read: the hemisphere of a CIFTI
/// file, the map of a CIFTI dlabel file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selection {
    /// The cortex of a CIFTI file to read (both hemispheres live in one file).
    pub hemi: Option<Hemi>,
    /// The map of a CIFTI dlabel file to read.
    pub map: Option<MapSelector>,
}

/// `--map N|NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MapSelector {
    /// The map at this index, from 0.
    Index(usize),
    /// The map of this name (CIFTI map names, GIfTI array names).
    Name(String),
}

/// Reads any supported file.
pub fn load(path: &Path, sel: &Selection) -> Result<Loaded> {
    load_as(path, sel, None)
}

/// Like [`load`]; content recognised neither by its bytes nor by its name is handed to the
/// reader of `fallback`, whose error then says what is wrong in terms of that format.
fn load_as(path: &Path, sel: &Selection, fallback: Option<Format>) -> Result<Loaded> {
    let bytes = read_file(path)?;
    match sniff(path, &bytes).or(fallback) {
        Some(Format::FreeSurferSurface) => Ok(Loaded::new(Content::Surface(
            freesurfer::parse_surface(path, &bytes)?,
        ))
        .detail("format", "freesurfer_triangle")),
        Some(Format::FreeSurferCurv) => Ok(Loaded::new(Content::Overlay(freesurfer::parse_curv(
            path, &bytes,
        )?))
        .detail("format", "freesurfer_curv")),
        Some(Format::Mgh) => mgh::parse(path, &bytes),
        Some(Format::Gifti) => gifti::read(path, &bytes),
        Some(Format::Nifti) => nifti::read(path, &bytes, sel),
        Some(Format::FreeSurferAnnot) => fslabel::read_annot(path, &bytes),
        Some(Format::FreeSurferLabel) => fslabel::read_label(path, &bytes),
        None => Err(Error::UnknownFormat {
            path: path.to_path_buf(),
            expected:
                "a FreeSurfer surface/curv/annot/label, MGH/MGZ, GIfTI, NIfTI-1/2 or CIFTI-2 file",
            found: hex_prefix(&bytes),
        }),
    }
}

/// Reads a surface mesh (FreeSurfer triangle format or GIfTI, optionally gzipped).
pub fn read_surface(path: &Path) -> Result<Mesh> {
    let loaded = load_as(path, &Selection::default(), Some(Format::FreeSurferSurface))?;
    match loaded.content {
        Content::Surface(m) => Ok(m),
        ref other => Err(Error::invalid(
            path,
            format!(
                "this is {} ({} data), not a surface (give a surface such as lh.pial or *.surf.gii)",
                describe(&loaded),
                other.kind()
            ),
        )),
    }
}

/// Reads per-vertex values: FreeSurfer curv, MGH/MGZ, GIfTI, NIfTI-1/2, CIFTI-2 dscalar
/// or dtseries (the cortex of `sel.hemi`). All frames are kept.
pub fn read_overlay(path: &Path, sel: &Selection) -> Result<Overlay> {
    let loaded = load(path, sel)?;
    match loaded.content {
        Content::Overlay(o) => Ok(o),
        Content::Surface(_) => Err(Error::invalid(
            path,
            format!(
                "this is {}, not per-vertex data (give it as the surface, and a curv/MGH/GIfTI/NIfTI file as the overlay)",
                describe(&loaded)
            ),
        )),
        ref other => Err(Error::invalid(
            path,
            format!(
                "this is {} ({}), not continuous values (use --annot or --label)",
                describe(&loaded),
                other.kind()
            ),
        )),
    }
}

/// Reads a parcellation: FreeSurfer `.annot`, GIfTI label file, CIFTI-2 dlabel.
pub fn read_annotation(path: &Path, sel: &Selection) -> Result<Annotation> {
    let loaded = load(path, sel)?;
    match loaded.content {
        Content::Annotation(a) => Ok(a),
        ref other => Err(Error::invalid(
            path,
            format!(
                "this is {} ({} data), not an annotation (.annot, .label.gii, .dlabel.nii)",
                describe(&loaded),
                other.kind()
            ),
        )),
    }
}

/// Reads a FreeSurfer `.label` file.
pub fn read_label(path: &Path) -> Result<Label> {
    let loaded = load(path, &Selection::default())?;
    match loaded.content {
        Content::Label(l) => Ok(l),
        ref other => Err(Error::invalid(
            path,
            format!(
                "this is {} ({} data), not a FreeSurfer .label file",
                describe(&loaded),
                other.kind()
            ),
        )),
    }
}

/// "a FreeSurfer curv file", "a GIfTI file", ... from the `format` detail.
fn describe(loaded: &Loaded) -> &'static str {
    match loaded.details.get("format").and_then(|v| v.as_str()) {
        Some("freesurfer_triangle") => "a FreeSurfer triangle surface",
        Some("freesurfer_curv") => "a FreeSurfer curv file",
        Some("MGHImage") => "an MGH file",
        Some("gifti") => "a GIfTI file",
        Some("Nifti1Image") => "a NIfTI-1 file",
        Some("Nifti2Image") => "a NIfTI-2 file",
        Some("Cifti2Image") => "a CIFTI-2 file",
        Some("freesurfer_annot") => "a FreeSurfer annotation",
        Some("freesurfer_label") => "a FreeSurfer label",
        _ => "a file",
    }
}

/// Guesses the format of `bytes` (already gunzipped, as `read_file` returns them).
/// Magic bytes win; the name only decides when the content is not recognised, so that
/// the matching reader can then explain what is wrong with the file.
pub fn sniff(path: &Path, bytes: &[u8]) -> Option<Format> {
    // Annotations and labels have no magic bytes; a tiny annotation (one vertex) would
    // otherwise look like an MGH header.
    match sniff_name(path) {
        Some(f @ (Format::FreeSurferAnnot | Format::FreeSurferLabel)) => Some(f),
        by_name => sniff_content(bytes).or(by_name),
    }
}

/// The format the first bytes announce, if any.
fn sniff_content(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&TRIANGLE_MAGIC) {
        Some(Format::FreeSurferSurface)
    } else if bytes.starts_with(&CURV_MAGIC) {
        Some(Format::FreeSurferCurv)
    } else if bytes.starts_with(&MGH_VERSION_1) {
        Some(Format::Mgh)
    } else if gifti::sniff(bytes) {
        Some(Format::Gifti)
    } else if nifti::sniff(bytes) {
        Some(Format::Nifti)
    } else {
        None
    }
}

/// How many bytes from the start the reader for `prefix`'s content will use, as its header
/// tells (`u64::MAX` if the header's sizes overflow): `None` until `prefix` holds a whole,
/// valid header, and for content of no known format. The readers check their input against
/// the same numbers.
fn implied_len(path: &Path, prefix: &[u8]) -> Option<u64> {
    match sniff_content(prefix)? {
        Format::FreeSurferSurface => freesurfer::surface_implied_len(path, prefix),
        Format::FreeSurferCurv => freesurfer::curv_implied_len(path, prefix),
        Format::Mgh => mgh::implied_len(path, prefix),
        // XML has no length up front: a gzipped GIfTI is read to its end (within the cap).
        Format::Gifti => Some(MAX_DECOMPRESSED),
        Format::Nifti => nifti::implied_len(path, prefix),
        // Never recognised by content; these are not read through gzip's early stop.
        Format::FreeSurferAnnot | Format::FreeSurferLabel => None,
    }
}

/// FreeSurfer names its files `lh.thickness`, `lh.sphere.reg`, `lh.area.pial` and so on,
/// with no extension, so the last name component is the measure or surface name (a
/// measure followed by `pial` is that measure on the pial surface). Only the last one is
/// looked at so that e.g. `lh.sulc.nii.gz` is not mistaken for a curv file.
fn sniff_name(path: &Path) -> Option<Format> {
    const CURV: &[&str] = &[
        "curv",
        "sulc",
        "thickness",
        "area",
        "volume",
        "jacobian_white",
    ];
    // Curvature measures that are never followed by a surface name (`lh.inflated.H`).
    const CURV_ALSO: &[&str] = &["avg_curv", "h", "k"];
    const SURF: &[&str] = &[
        "pial", "white", "inflated", "sphere", "orig", "smoothwm", "reg",
    ];
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let ends = |exts: &[&str]| exts.iter().any(|e| name.ends_with(e));
    if ends(&[".mgh", ".mgz", ".mgh.gz"]) {
        return Some(Format::Mgh);
    }
    if ends(&[".gii", ".gii.gz"]) {
        return Some(Format::Gifti);
    }
    if ends(&[".nii", ".nii.gz"]) {
        return Some(Format::Nifti);
    }
    if ends(&[".annot"]) {
        return Some(Format::FreeSurferAnnot);
    }
    if ends(&[".label"]) {
        return Some(Format::FreeSurferLabel);
    }
    let mut parts = name.rsplit('.');
    let last = parts.next()?;
    let before = parts.next().unwrap_or("");
    let measure_on_surface = SURF.contains(&last) && CURV.contains(&before);
    if CURV.contains(&last) || CURV_ALSO.contains(&last) || measure_on_surface {
        Some(Format::FreeSurferCurv)
    } else if SURF.contains(&last) {
        Some(Format::FreeSurferSurface)
    } else {
        None
    }
}

/// A map by index (a whole number) or by name, as `--map` reads it.
impl std::str::FromStr for MapSelector {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.parse::<usize>() {
            Ok(i) => MapSelector::Index(i),
            Err(_) => MapSelector::Name(s.to_string()),
        })
    }
}

impl std::fmt::Display for MapSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MapSelector::Index(i) => write!(f, "{i}"),
            MapSelector::Name(n) => f.write_str(n),
        }
    }
}

/// An index prints as a number, a name as text.
impl serde::Serialize for MapSelector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            MapSelector::Index(i) => s.serialize_u64(*i as u64),
            MapSelector::Name(n) => s.serialize_str(n),
        }
    }
}

/// A number or text, read as `--map` reads it.
impl<'de> serde::Deserialize<'de> for MapSelector {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged, expecting = "a map index or name")]
        enum Raw {
            Num(f64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Num(n) => (n as f32).to_string(),
            Raw::Text(t) => t,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}
