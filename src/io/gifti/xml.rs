//! The XML layer: turning the file's bytes into text roxmltree accepts, and reading each
//! DataArray's attributes, with GIfTI's legacy spellings normalised.

use std::borrow::Cow;
use std::path::Path;

use roxmltree::{Document, Node};

use crate::error::{Error, Result};

/// How a DataArray's values are stored in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    Ascii,
    Base64,
    GzipBase64,
    External,
}

impl Encoding {
    /// Accepts the spec's names and the older gifticlib/nibabel aliases that real files
    /// carry (`GIFTI_ENCODING_B64BIN` in FreeSurfer 5 era files, for instance).
    fn parse(s: &str) -> Option<Encoding> {
        Some(match s {
            "ASCII" | "GIFTI_ENCODING_ASCII" => Encoding::Ascii,
            "Base64Binary" | "GIFTI_ENCODING_B64BIN" | "B64BIN" => Encoding::Base64,
            "GZipBase64Binary" | "GIFTI_ENCODING_B64GZ" | "B64GZ" => Encoding::GzipBase64,
            "ExternalFileBinary" | "GIFTI_ENCODING_EXTBIN" | "External" => Encoding::External,
            _ => return None,
        })
    }

    /// The modern spelling, as nibabel reports it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Encoding::Ascii => "ASCII",
            Encoding::Base64 => "Base64Binary",
            Encoding::GzipBase64 => "GZipBase64Binary",
            Encoding::External => "ExternalFileBinary",
        }
    }
}

/// Byte order of the binary encodings (ignored for ASCII, and for one-byte types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endian {
    Little,
    Big,
}

impl Endian {
    fn parse(s: &str) -> Option<Endian> {
        match s {
            "LittleEndian" | "GIFTI_ENDIAN_LITTLE" | "little" => Some(Endian::Little),
            "BigEndian" | "GIFTI_ENDIAN_BIG" | "big" => Some(Endian::Big),
            _ => None,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Endian::Little => "LittleEndian",
            Endian::Big => "BigEndian",
        }
    }
}

/// The element types this reader converts; GIfTI allows every NIfTI type, but surfaces
/// and per-vertex data in the wild use only these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DataType {
    F32,
    I32,
    U8,
    F64,
}

impl DataType {
    fn parse(s: &str) -> Option<DataType> {
        match s {
            "NIFTI_TYPE_FLOAT32" => Some(DataType::F32),
            "NIFTI_TYPE_INT32" => Some(DataType::I32),
            "NIFTI_TYPE_UINT8" => Some(DataType::U8),
            "NIFTI_TYPE_FLOAT64" => Some(DataType::F64),
            _ => None,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            DataType::F32 => "NIFTI_TYPE_FLOAT32",
            DataType::I32 => "NIFTI_TYPE_INT32",
            DataType::U8 => "NIFTI_TYPE_UINT8",
            DataType::F64 => "NIFTI_TYPE_FLOAT64",
        }
    }

    /// Whether values of this type are integers (label keys, face indices).
    pub(super) fn is_int(self) -> bool {
        matches!(self, DataType::I32 | DataType::U8)
    }

    pub(super) fn size(self) -> u64 {
        match self {
            DataType::U8 => 1,
            DataType::F32 | DataType::I32 => 4,
            DataType::F64 => 8,
        }
    }
}

/// The intents that decide what a file is; every other intent is per-vertex data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Intent {
    PointSet,
    Triangle,
    Label,
    Other,
}

impl Intent {
    /// Names as the spec writes them, or NIfTI's numeric intent codes.
    fn parse(s: &str) -> Intent {
        match s {
            "NIFTI_INTENT_POINTSET" | "1008" => Intent::PointSet,
            "NIFTI_INTENT_TRIANGLE" | "1009" => Intent::Triangle,
            "NIFTI_INTENT_LABEL" | "1002" => Intent::Label,
            _ => Intent::Other,
        }
    }
}

/// Everything about one DataArray except its values.
#[derive(Debug, Clone)]
pub(super) struct ArrayDesc {
    /// Position among the file's DataArrays, from 0, for messages.
    pub(super) index: usize,
    pub(super) intent: Intent,
    pub(super) dtype: DataType,
    pub(super) encoding: Encoding,
    pub(super) endian: Endian,
    pub(super) column_major: bool,
    pub(super) dims: Vec<u64>,
    /// ExternalFileName and ExternalFileOffset, for ExternalFileBinary only.
    pub(super) external: Option<(String, u64)>,
    /// The `Name` entry of the array's MetaData.
    pub(super) name: Option<String>,
    /// The centre of the volume a FreeSurfer surface was made from (`VolGeomC_R`,
    /// `VolGeomC_A`, `VolGeomC_S` in the MetaData, as `mris_convert` writes them), unless
    /// the array's coordinate system says its coordinates are scanner RAS already
    /// (`DataSpace` `NIFTI_XFORM_SCANNER_ANAT`): see [`crate::Mesh::cras`].
    pub(super) cras: Option<[f32; 3]>,
}

/// The file as UTF-8 text that roxmltree will parse with its DTD refusal left on.
///
/// Nearly every GIfTI writer emits `<!DOCTYPE GIFTI SYSTEM "…gifti.dtd">`, which roxmltree
/// would refuse. Such a declaration only names a DTD that nobody needs, so it is blanked
/// out (newlines kept, so error positions stay right) and never fetched. A DOCTYPE with an
/// internal subset is refused instead: that is where entities are declared, and GIfTI
/// has no use for them.
pub(super) fn prepare(path: &Path, mut bytes: Vec<u8>) -> Result<String> {
    if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        bytes.drain(..3);
    }
    if let Err(e) = std::str::from_utf8(&bytes) {
        let at = e.valid_up_to();
        let line = bytes
            .get(..at)
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
            + 1;
        return Err(Error::invalid(
            path,
            format!("not UTF-8 text: invalid byte at offset {at} (line {line}); GIfTI files are UTF-8 XML"),
        ));
    }
    // Blanked in place: the file may be hundreds of megabytes, so no copy is made.
    let text = std::str::from_utf8(&bytes).unwrap_or_default();
    if let Some(start) = doctype_start(text) {
        let end = doctype_end(path, text, start)?;
        for b in bytes.iter_mut().take(end + 1).skip(start) {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    // Whole characters between two ASCII bytes were replaced, so this cannot fail.
    String::from_utf8(bytes).map_err(|_| Error::invalid(path, "not UTF-8 text"))
}

/// Byte offset of a `<!DOCTYPE` in the prolog (after the XML declaration, comments and
/// processing instructions), if there is one.
fn doctype_start(text: &str) -> Option<usize> {
    let mut pos = 0;
    loop {
        let rest = text.get(pos..)?;
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        if trimmed.starts_with("<!DOCTYPE") {
            return Some(pos);
        }
        let close = if trimmed.starts_with("<?") {
            "?>"
        } else if trimmed.starts_with("<!--") {
            "-->"
        } else {
            return None;
        };
        pos += trimmed.find(close)? + close.len();
    }
}

/// Offset of the `>` that closes the DOCTYPE at `start`; refuses an internal subset.
fn doctype_end(path: &Path, text: &str, start: usize) -> Result<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in text.as_bytes().iter().enumerate().skip(start) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'[') => {
                let (line, _) = line_col(text, i);
                return Err(Error::invalid(
                    path,
                    format!(
                        "the DOCTYPE declares entities or elements (internal subset at line {line}); \
                         GIfTI needs none, so such files are refused rather than expanded"
                    ),
                ));
            }
            (None, b'>') => return Ok(i),
            (None, _) => {}
        }
    }
    let (line, _) = line_col(text, start);
    Err(Error::invalid(
        path,
        format!("malformed XML: the DOCTYPE at line {line} is never closed"),
    ))
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parses the XML with roxmltree's defaults (no DTD, no entity resolver), so nothing
/// outside the file is ever read while parsing.
pub(super) fn parse<'a>(path: &Path, text: &'a str) -> Result<Document<'a>> {
    Document::parse(text).map_err(|e| {
        use roxmltree::Error as X;
        let message = match e {
            X::DtdDetected => "malformed XML: a DOCTYPE outside the prolog (refused)".to_string(),
            X::UnexpectedEndOfStream | X::UnclosedRootNode | X::NoRootNode => {
                let (line, col) = line_col(text, text.len());
                format!(
                    "malformed XML: {e}; the text ends at line {line}, column {col} \
                     (is the file cut short?)"
                )
            }
            _ => {
                // roxmltree ends its messages with "at row:col"; say it in words instead.
                let p = e.pos();
                let full = e.to_string();
                let what = full.strip_suffix(&format!(" at {p}")).unwrap_or(&full);
                format!("malformed XML at line {}, column {}: {what}", p.row, p.col)
            }
        };
        Error::invalid(path, message)
    })
}

/// Reads a DataArray's attributes and the `Name` of its MetaData.
pub(super) fn describe(path: &Path, index: usize, node: Node) -> Result<ArrayDesc> {
    let bad = |msg: String| Error::invalid(path, format!("DataArray {index}: {msg}"));
    let required = |name: &'static str| {
        node.attribute(name)
            .map(str::trim)
            .ok_or_else(|| bad(format!("no {name} attribute")))
    };
    let unsupported = |what: &'static str, found: &str, known: &str| Error::Unsupported {
        path: path.to_path_buf(),
        what,
        found: format!("{found:?} (DataArray {index}); supported: {known}"),
    };
    let dtype_s = required("DataType")?;
    let dtype = DataType::parse(dtype_s).ok_or_else(|| {
        unsupported(
            "GIfTI DataType",
            dtype_s,
            "NIFTI_TYPE_FLOAT32, NIFTI_TYPE_INT32, NIFTI_TYPE_UINT8, NIFTI_TYPE_FLOAT64",
        )
    })?;
    let enc_s = required("Encoding")?;
    let encoding = Encoding::parse(enc_s).ok_or_else(|| {
        unsupported(
            "GIfTI Encoding",
            enc_s,
            "ASCII, Base64Binary, GZipBase64Binary, ExternalFileBinary",
        )
    })?;
    // nibabel assumes little-endian when the attribute is absent.
    let endian = match node.attribute("Endian").map(str::trim) {
        None => Endian::Little,
        Some(s) => Endian::parse(s)
            .ok_or_else(|| unsupported("GIfTI Endian", s, "LittleEndian, BigEndian"))?,
    };
    let column_major = match node.attribute("ArrayIndexingOrder").map(str::trim) {
        None | Some("RowMajorOrder") => false,
        Some("ColumnMajorOrder") => true,
        Some(s) => {
            return Err(unsupported(
                "GIfTI ArrayIndexingOrder",
                s,
                "RowMajorOrder, ColumnMajorOrder",
            ))
        }
    };
    let dims = dims(node, &bad)?;
    let external = if encoding == Encoding::External {
        let name = node.attribute("ExternalFileName").unwrap_or("").trim();
        if name.is_empty() {
            return Err(bad(
                "Encoding is ExternalFileBinary but ExternalFileName is empty".into(),
            ));
        }
        let offset = match node.attribute("ExternalFileOffset").map(str::trim) {
            None | Some("") => 0,
            Some(s) => s
                .parse::<u64>()
                .map_err(|_| bad(format!("ExternalFileOffset {s:?} is not a byte offset")))?,
        };
        Some((name.to_string(), offset))
    } else {
        None
    };
    Ok(ArrayDesc {
        index,
        intent: Intent::parse(node.attribute("Intent").unwrap_or("").trim()),
        dtype,
        encoding,
        endian,
        column_major,
        dims,
        external,
        name: meta_value(node, "Name"),
        cras: vol_geom_cras(node),
    })
}

/// [`ArrayDesc::cras`]: all three entries present and finite numbers, and the data space
/// not scanner RAS.
fn vol_geom_cras(node: Node) -> Option<[f32; 3]> {
    let scanner = node
        .children()
        .filter(|c| c.has_tag_name("CoordinateSystemTransformMatrix"))
        .filter_map(|c| c.children().find(|d| d.has_tag_name("DataSpace")))
        .any(|d| text_of(d).trim() == "NIFTI_XFORM_SCANNER_ANAT");
    if scanner {
        return None;
    }
    let c = ["VolGeomC_R", "VolGeomC_A", "VolGeomC_S"]
        .map(|k| meta_value(node, k).and_then(|v| v.trim().parse::<f32>().ok()));
    match c {
        [Some(r), Some(a), Some(s)] if [r, a, s].iter().all(|x| x.is_finite()) => Some([r, a, s]),
        _ => None,
    }
}

/// `Dim0..Dim{n-1}` for `Dimensionality="n"`. A Dim beyond the dimensionality is tolerated
/// only when it is 1, which adds nothing; any other value means the writer disagreed with
/// itself about the shape.
fn dims(node: Node, bad: &dyn Fn(String) -> Error) -> Result<Vec<u64>> {
    /// The spec allows at most 6 dimensions, like NIfTI.
    const MAX_DIMS: usize = 6;
    let n_s = node
        .attribute("Dimensionality")
        .map(str::trim)
        .ok_or_else(|| bad("no Dimensionality attribute".into()))?;
    let n = n_s
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_DIMS).contains(n))
        .ok_or_else(|| {
            bad(format!(
                "Dimensionality {n_s:?} is not a number from 1 to 6"
            ))
        })?;
    let mut dims = Vec::with_capacity(n);
    for k in 0..MAX_DIMS {
        let name = format!("Dim{k}");
        let value = node.attribute(name.as_str()).map(str::trim);
        match value {
            None if k < n => {
                return Err(bad(format!(
                    "Dimensionality is {n} but there is no {name} attribute"
                )))
            }
            None => {}
            Some(s) => {
                let d = s
                    .parse::<u64>()
                    .map_err(|_| bad(format!("{name} {s:?} is not a length")))?;
                if k < n {
                    dims.push(d);
                } else if d != 1 {
                    return Err(bad(format!(
                        "{name} is {d} but Dimensionality is {n}: the shape is inconsistent"
                    )));
                }
            }
        }
    }
    Ok(dims)
}

/// The text of a `<MetaData><MD><Name>key</Name><Value>…</Value></MD>` entry of `node`
/// (a DataArray, or the GIFTI element for the file's own MetaData).
pub(super) fn meta_value(node: Node, key: &str) -> Option<String> {
    let meta = node.children().find(|c| c.has_tag_name("MetaData"))?;
    meta.children()
        .filter(|md| md.has_tag_name("MD"))
        .find(|md| child_text(*md, "Name").as_deref().map(str::trim) == Some(key))
        .and_then(|md| child_text(md, "Value"))
        .map(|v| v.trim().to_string())
}

fn child_text<'a>(node: Node<'a, '_>, name: &str) -> Option<Cow<'a, str>> {
    node.children().find(|c| c.has_tag_name(name)).map(text_of)
}

/// All the text directly inside an element: roxmltree merges CDATA into text, but a
/// comment splits it into pieces, which are joined here.
pub(super) fn text_of<'a>(node: Node<'a, '_>) -> Cow<'a, str> {
    let mut pieces = node.children().filter_map(|c| c.text());
    let first = pieces.next().unwrap_or("");
    match pieces.next() {
        None => Cow::Borrowed(first),
        Some(second) => {
            let mut s = String::from(first);
            s.push_str(second);
            pieces.for_each(|p| s.push_str(p));
            Cow::Owned(s)
        }
    }
}

/// The text of the DataArray's `<Data>` element (empty when there is none, as for
/// external data).
pub(super) fn data_text<'a>(node: Node<'a, '_>) -> Cow<'a, str> {
    child_text(node, "Data").unwrap_or(Cow::Borrowed(""))
}
