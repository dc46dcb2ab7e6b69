//! Readers: bytes on disk → [`Mesh`] and [`Overlay`]. Format is decided by magic bytes
//! first and the file name second, because pipelines rename files freely.
//!
//! Every length a header announces is checked before anything is allocated for it: against
//! the surface the data are for (a [`ReadOptions`] with the surface's vertex count), against
//! the bytes the file can hold, and against the memory budget ([`Limits`]), so a corrupt or
//! hostile header costs an error message, not memory. Content is read through an
//! `Input`, which gunzips as it goes and only as far as the reader asks: data are streamed
//! straight into the vectors returned, never held inflated beside them.

mod cursor;
pub mod describe;
mod freesurfer;
mod fslabel;
mod gifti;
mod gzip;
pub mod hints;
mod input;
mod mgh;
mod nifti;
mod text;

pub(crate) use cursor::{be_i32s, check_len, Cursor};
pub use fslabel::{MAX_LABEL_BYTES, MAX_LABEL_LINES};
pub use gzip::{MAX_DECOMPRESSED, MAX_GZIP_MEMBERS};
pub(crate) use text::read_text;

use std::path::{Path, PathBuf};

use input::Input;

use crate::annotation::{Annotation, Label};
use crate::desc::values::{FramePart, FrameSel};
use crate::error::{hex_prefix, Error, Result};
use crate::hemi::Hemi;
use crate::mesh::Mesh;
use crate::overlay::Overlay;

/// The memory one input file may use while it is read unless a caller allows more
/// ([`Limits::max_memory`]): 1 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 1 << 30;

/// What reading one file may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The most bytes of memory reading one input file may take: the values and mesh it
    /// returns plus what must be held while they are decoded (a GIfTI file's XML, a CIFTI
    /// file's data matrix). A file whose header announces more is refused with
    /// [`Error::TooLarge`] before the memory is taken, so a small hostile file cannot make
    /// the program take gigabytes; a genuine file that large (a 163842-vertex series of
    /// 1,200 frames takes 750 MiB as float32) is read by raising this. A GIfTI file's
    /// decompressed XML may take at most half of it. Default [`DEFAULT_MAX_MEMORY`].
    pub max_memory: u64,
}

/// The environment variable that sets the command-line program's memory budget
/// ([`Limits::from_env`]).
pub const MAX_MEMORY_ENV: &str = "SURFRENDER_MAX_MEMORY";

impl Limits {
    /// The default limits, with the memory budget from [`MAX_MEMORY_ENV`] when it is set:
    /// bytes, or a number with a binary unit (`4G`, `512MiB`). The command-line program
    /// reads within these, so that a user whose genuine file needs more than 1 GiB can
    /// allow it for one run, as the refusal says, without an option on every command.
    pub fn from_env() -> Result<Limits> {
        let Some(value) = std::env::var_os(MAX_MEMORY_ENV) else {
            return Ok(Limits::default());
        };
        let text = value.to_string_lossy();
        let max_memory = parse_size(&text).ok_or_else(|| {
            Error::Usage(format!(
                "{MAX_MEMORY_ENV}={:?}: expected a size such as 4G, 512M or 1073741824 (bytes)",
                text.chars().take(40).collect::<String>()
            ))
        })?;
        Ok(Limits { max_memory })
    }
}

/// A byte count: digits, then an optional binary unit (K, M, G, T, with or without `iB`
/// or `B`, any case).
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.trim_end_matches("ib").trim_end_matches('b');
    let shift = match unit {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    n.checked_mul(1 << shift).filter(|&n| n > 0)
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory: DEFAULT_MAX_MEMORY,
        }
    }
}

/// The surface per-vertex data are read for: its file, for messages, and its vertex count.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SurfaceVertices {
    /// The surface file.
    pub surface: PathBuf,
    /// Its vertex count.
    pub n_vertices: usize,
}

/// What a caller knows before a file is read, so that a file that cannot be used is
/// refused from its header rather than after its data are decompressed and decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReadOptions {
    /// The surface the file's per-vertex data (an overlay, an annotation) must match: a
    /// file whose header gives another vertex count is refused with
    /// [`Error::VertexMismatch`] before any of its data are read. `None` (as for
    /// `inspect`): any count.
    pub surface: Option<SurfaceVertices>,
    /// The memory budget.
    pub limits: Limits,
}

/// The kind of content a caller asks for: the vertex count is checked from the header
/// only when the file holds that kind, so that a file of the wrong kind still gets the
/// message that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    Any,
    Surface,
    Overlay,
    Annotation,
    Label,
}

/// What a reader checks a header against: [`ReadOptions::surface`] for the kind asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expect<'a> {
    surface: Option<&'a SurfaceVertices>,
    want: Want,
}

impl Expect<'_> {
    /// Refuses `n` values per frame of content of kind `kind` in `data` when the surface
    /// asked for has another vertex count.
    pub(crate) fn vertices(&self, kind: Want, data: &Path, n: u64) -> Result<()> {
        match self.surface {
            Some(s) if self.want == kind && n != s.n_vertices as u64 => {
                Err(Error::VertexMismatch {
                    surface: s.surface.clone(),
                    surface_vertices: s.n_vertices,
                    data: data.to_path_buf(),
                    data_vertices: usize::try_from(n).unwrap_or(usize::MAX),
                })
            }
            _ => Ok(()),
        }
    }
}

/// Bytes roxmltree may take beyond the text to parse `text` (a GIfTI file, CIFTI XML):
/// about 160 bytes per node and per attribute, with a node per `<` (an element, a comment,
/// the text before it) and an attribute per `=`, plus a copy of the text where entities or
/// character references (`&`) are expanded. Counted before parsing: 100 MB of `<a/>`
/// would otherwise build gigabytes of nodes. Real files are mostly base64 or numbers, so
/// for them this is small.
pub(crate) fn xml_cost(text: &str) -> u64 {
    const NODE: u64 = 160;
    let count = |c: u8| text.bytes().filter(|&b| b == c).count() as u64;
    let items = count(b'<')
        .saturating_mul(2)
        .saturating_add(count(b'='))
        .saturating_add(1);
    let expanded = if text.contains('&') {
        text.len() as u64
    } else {
        0
    };
    items.saturating_mul(NODE).saturating_add(expanded)
}

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
/// file, the map of a CIFTI dlabel file, the frames of per-vertex data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selection {
    /// The cortex of a CIFTI file to read (both hemispheres live in one file).
    pub hemi: Option<Hemi>,
    /// The map of a CIFTI dlabel file to read.
    pub map: Option<MapSelector>,
    /// The frames of per-vertex data to keep (MGH/MGZ frames, the NIfTI 4th dimension,
    /// GIfTI data arrays, CIFTI dtseries points and dscalar maps), so that a sequence of
    /// a few frames of a long series holds those frames only ([`Overlay::kept`]); `None`
    /// keeps every frame. Resolved against the file's frame count with
    /// [`FrameSel::frames`]; a selection that names a frame beyond the file keeps every
    /// frame, and the caller, which knows what the selection came from, reports it in its
    /// own words. Single-frame formats (FreeSurfer curv) ignore it.
    pub frames: Option<FrameSel>,
}

/// The frames of a file of `n` frames that `frames` asks to keep, ascending and each
/// once; `None` to keep every frame: none asked for, all of them asked for, none (an
/// empty list), or a selection that does not fit the file (the caller reports it, see
/// [`Selection::frames`]). The list costs 8 bytes a frame: a selection that would name
/// more frames than the memory budget has room for is not resolved (every frame is then
/// kept, and the budget judges those), so that `0:` on a corrupt header that announces
/// 2^31 frames costs no 16 GiB list.
pub(crate) fn kept_frames(
    frames: Option<&FrameSel>,
    n: u64,
    limits: &Limits,
) -> Option<Vec<usize>> {
    let sel = frames?;
    let parts = match sel {
        FrameSel::All => return None,
        FrameSel::Parts(parts) => parts,
    };
    let n = usize::try_from(n).ok()?;
    let named = parts.iter().fold(0u64, |sum, p| {
        let count = match *p {
            FramePart::One(_) => 1,
            FramePart::Range { start, end, step } => {
                let stop = end.unwrap_or(n).min(n);
                (stop.saturating_sub(start) as u64).div_ceil(step.max(1) as u64)
            }
        };
        sum.saturating_add(count)
    });
    if named.saturating_mul(8) > limits.max_memory {
        return None;
    }
    let mut kept = sel.frames(n).ok()?;
    kept.sort_unstable();
    kept.dedup();
    (!kept.is_empty() && kept.len() < n).then_some(kept)
}

/// Reads a NIfTI-1/NIfTI-2 or MGH/MGZ volume (see [`crate::volume::read_volume`]),
/// gzipped or not whatever its name: the format is decided by the first bytes.
pub(crate) fn read_volume(path: &Path, limits: Limits) -> Result<crate::volume::Volume> {
    let mut input = Input::open(path, limits)?;
    let head = input.head();
    if nifti::sniff(head) {
        return nifti::read_volume(&mut input);
    }
    if head.starts_with(&MGH_VERSION_1) {
        return mgh::read_volume(&mut input);
    }
    Err(Error::UnknownFormat {
        path: path.to_path_buf(),
        expected: "a NIfTI-1/NIfTI-2 (.nii, .nii.gz) or MGH/MGZ volume",
        found: hex_prefix(head),
    })
}

/// Whether `path` holds a NIfTI or MGH/MGZ volume rather than per-vertex data (see
/// [`crate::volume::is_volume`]). Only the first bytes are read (and inflated).
pub(crate) fn is_volume(path: &Path) -> bool {
    let Ok(input) = Input::open(path, Limits::default()) else {
        return false;
    };
    let head = input.head();
    if nifti::sniff(head) {
        return nifti::is_volume(path, head);
    }
    head.starts_with(&MGH_VERSION_1) && mgh::is_volume(path, head)
}

/// `--map N|NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MapSelector {
    /// The map at this index, from 0.
    Index(usize),
    /// The map of this name (CIFTI map names, GIfTI array names).
    Name(String),
}

/// Reads any supported file, with the default [`Limits`].
pub fn load(path: &Path, sel: &Selection) -> Result<Loaded> {
    load_with(path, sel, &Limits::default())
}

/// Reads any supported file within `limits`.
pub fn load_with(path: &Path, sel: &Selection, limits: &Limits) -> Result<Loaded> {
    let opts = ReadOptions {
        surface: None,
        limits: *limits,
    };
    load_as(path, sel, None, &opts, Want::Any)
}

/// Like [`load`]; content recognised neither by its bytes nor by its name is handed to the
/// reader of `fallback`, whose error then says what is wrong in terms of that format.
/// Headers are checked against `opts` for content of kind `want`.
fn load_as(
    path: &Path,
    sel: &Selection,
    fallback: Option<Format>,
    opts: &ReadOptions,
    want: Want,
) -> Result<Loaded> {
    let mut input = Input::open(path, opts.limits)?;
    let expect = Expect {
        surface: opts.surface.as_ref(),
        want,
    };
    match sniff(path, input.head()).or(fallback) {
        Some(Format::FreeSurferSurface) => Ok(Loaded::new(Content::Surface(
            freesurfer::read_surface(&mut input)?,
        ))
        .detail("format", "freesurfer_triangle")),
        Some(Format::FreeSurferCurv) => Ok(Loaded::new(Content::Overlay(freesurfer::read_curv(
            &mut input, &expect,
        )?))
        .detail("format", "freesurfer_curv")),
        Some(Format::Mgh) => mgh::read(&mut input, sel, &expect),
        Some(Format::Gifti) => gifti::read(&mut input, sel, &expect),
        Some(Format::Nifti) => nifti::read(&mut input, sel, &expect),
        Some(Format::FreeSurferAnnot) => fslabel::read_annot(&mut input, &expect),
        Some(Format::FreeSurferLabel) => fslabel::read_label(&mut input),
        None => Err(Error::UnknownFormat {
            path: path.to_path_buf(),
            expected:
                "a FreeSurfer surface/curv/annot/label, MGH/MGZ, GIfTI, NIfTI-1/2 or CIFTI-2 file",
            found: hex_prefix(input.head()),
        }),
    }
}

/// Reads a surface mesh (FreeSurfer triangle format or GIfTI, optionally gzipped).
pub fn read_surface(path: &Path) -> Result<Mesh> {
    read_surface_with(path, &Limits::default())
}

/// Reads a surface mesh within `limits`.
pub fn read_surface_with(path: &Path, limits: &Limits) -> Result<Mesh> {
    let opts = ReadOptions {
        surface: None,
        limits: *limits,
    };
    let loaded = load_as(
        path,
        &Selection::default(),
        Some(Format::FreeSurferSurface),
        &opts,
        Want::Surface,
    )?;
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
/// or dtseries (the cortex of `sel.hemi`). All frames are kept. Any vertex count, the
/// default [`Limits`]: `inspect`'s reading.
pub fn read_overlay(path: &Path, sel: &Selection) -> Result<Overlay> {
    read_overlay_with(path, sel, &ReadOptions::default())
}

/// Reads per-vertex values as [`read_overlay`] does, for the surface and within the
/// limits of `opts`: a file whose header gives another vertex count than the surface's is
/// refused before its data are read.
pub fn read_overlay_with(path: &Path, sel: &Selection, opts: &ReadOptions) -> Result<Overlay> {
    let loaded = load_as(path, sel, None, opts, Want::Overlay)?;
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
    read_annotation_with(path, sel, &ReadOptions::default())
}

/// Reads a parcellation as [`read_annotation`] does, for the surface and within the
/// limits of `opts` (a vertex count that differs is refused from the header).
pub fn read_annotation_with(
    path: &Path,
    sel: &Selection,
    opts: &ReadOptions,
) -> Result<Annotation> {
    let loaded = load_as(path, sel, None, opts, Want::Annotation)?;
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
    read_label_with(path, &Limits::default())
}

/// Reads a FreeSurfer `.label` file within `limits`.
pub fn read_label_with(path: &Path, limits: &Limits) -> Result<Label> {
    let opts = ReadOptions {
        surface: None,
        limits: *limits,
    };
    let loaded = load_as(path, &Selection::default(), None, &opts, Want::Label)?;
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

/// Guesses the format of `bytes`, a file's first bytes (gunzipped when it is gzip).
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
    // Content is gunzipped whatever the name, so `lh.aparc.annot.gz` is an annotation.
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ends = |exts: &[&str]| exts.iter().any(|e| name.ends_with(e));
    if ends(&[".mgh", ".mgz"]) {
        return Some(Format::Mgh);
    }
    if ends(&[".gii"]) {
        return Some(Format::Gifti);
    }
    if ends(&[".nii"]) {
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
        let text = crate::desc::values::typed_text(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_for_the_memory_budget() {
        assert_eq!(parse_size("1073741824"), Some(1 << 30));
        assert_eq!(parse_size("4G"), Some(4 << 30));
        assert_eq!(parse_size(" 512MiB "), Some(512 << 20));
        assert_eq!(parse_size("2gb"), Some(2 << 30));
        assert_eq!(parse_size("64k"), Some(64 << 10));
        for bad in ["", "0", "G", "4X", "-1G", "1.5G", "99999999999999T"] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }
}
