//! What a file says about itself in its header, read cheaply: the first bytes only (a
//! GIfTI file up to its first `<Data>`, a CIFTI-2 file up to its data matrix), scanned as
//! text without decoding any array. The resolve stage asks this before any file is read
//! (which hemisphere a GIfTI surface or overlay belongs to, which cortices a CIFTI file
//! holds), and the read stage asks who wrote a curvature file (the sign convention of its
//! values). The file is then read whole, once, by its reader.

use std::path::Path;

use super::input::Input;
use super::{sniff, Format, Limits};
use crate::error::Result;
use crate::hemi::Hemi;

/// How far into a file the header is looked for: a GIfTI file's metadata before its
/// first array, or a CIFTI-2 file's XML (about 1 MiB for HCP's 91k grayordinates).
const MAX_SCAN: usize = 16 << 20;

/// Who wrote a curvature or sulcal-depth file, as far as its header tells: the two
/// conventions store the same measure with opposite signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// FreeSurfer (or a converter keeping its values): positive in sulci.
    FreeSurfer,
    /// Connectome Workbench, Caret or the HCP pipelines: negated, positive on gyri.
    Workbench,
}

/// What a file's header says, with the words that said it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    /// The hemisphere named by a GIfTI file's `AnatomicalStructurePrimary`, with the
    /// entry (`AnatomicalStructurePrimary CortexLeft`).
    pub hemi: Option<(Hemi, String)>,
    /// The cortices a CIFTI-2 file has surface models for, left first.
    pub cifti_cortices: Vec<Hemi>,
    /// The writer of the file, with what says so (a metadata entry, a map name, the
    /// file format).
    pub writer: Option<(Writer, String)>,
}

/// The hints of `path`'s header; a file that is not GIfTI, CIFTI-2 or a FreeSurfer curv
/// file gives none. Errors only when the file cannot be opened or read (the reader would
/// say the same).
pub fn hints(path: &Path, limits: &Limits) -> Result<Hints> {
    let mut input = Input::open(path, *limits)?;
    match sniff(path, input.head()) {
        Some(Format::FreeSurferCurv) => Ok(Hints {
            writer: Some((Writer::FreeSurfer, "a FreeSurfer curv file".into())),
            ..Hints::default()
        }),
        Some(Format::Gifti) => {
            let mut want = input.head().len().max(1 << 16);
            loop {
                let head = input.head();
                if let Some(end) = data_start(head) {
                    return Ok(gifti_hints(&String::from_utf8_lossy(&head[..end])));
                }
                if want >= MAX_SCAN || head.len() < want {
                    return Ok(gifti_hints(&String::from_utf8_lossy(head)));
                }
                want = (want * 2).min(MAX_SCAN);
                input.fill(want)?;
            }
        }
        Some(Format::Nifti) => {
            let Some(end) = nifti2_vox_offset(input.head()) else {
                return Ok(Hints::default());
            };
            input.fill(end.min(MAX_SCAN))?;
            let head = input.head();
            let text = String::from_utf8_lossy(&head[..head.len().min(end)]);
            Ok(match text.find("<CIFTI") {
                Some(at) => cifti_hints(&text[at..]),
                None => Hints::default(),
            })
        }
        _ => Ok(Hints::default()),
    }
}

/// The hemisphere a GIfTI file's header names, with the entry that names it; `None` for
/// other files and for files that cannot be read (their reader says why later).
pub fn metadata_hemi(path: &Path) -> Option<(Hemi, String)> {
    hints(path, &Limits::default()).ok().and_then(|h| h.hemi)
}

/// Where the first `<Data>` element starts (`<DataArray>` and `<DataSpace>` are not it).
fn data_start(head: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find(&head[from..], b"<Data") {
        let at = from + i;
        match head.get(at + 5) {
            Some(b'>' | b' ' | b'/' | b'\t' | b'\n' | b'\r') => return Some(at),
            None => return None,
            _ => from = at + 5,
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A NIfTI-2 header's `vox_offset` (where the data start), either byte order.
fn nifti2_vox_offset(head: &[u8]) -> Option<usize> {
    let size = head.get(0..4)?;
    let off = <[u8; 8]>::try_from(head.get(168..176)?).ok()?;
    let v = if size == 540i32.to_le_bytes() {
        i64::from_le_bytes(off)
    } else if size == 540i32.to_be_bytes() {
        i64::from_be_bytes(off)
    } else {
        return None;
    };
    usize::try_from(v).ok()
}

/// The text of an element's content: CDATA unwrapped, the five XML entities decoded,
/// trimmed.
fn content(s: &str) -> String {
    let s = s.trim();
    let s = s
        .strip_prefix("<![CDATA[")
        .and_then(|r| r.strip_suffix("]]>"))
        .unwrap_or(s);
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// The text between `<tag>` and `</tag>` in `s`, each occurrence.
fn elements<'s>(s: &'s str, tag: &str) -> Vec<&'s str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

/// The `MD` entries (name, value) of a GIfTI or CIFTI-2 document's text.
fn metadata(s: &str) -> Vec<(String, String)> {
    elements(s, "MD")
        .into_iter()
        .filter_map(|md| {
            let name = elements(md, "Name").first().map(|n| content(n))?;
            let value = elements(md, "Value")
                .first()
                .map(|v| content(v))
                .unwrap_or_default();
            Some((name, value))
        })
        .collect()
}

/// Metadata that only Connectome Workbench and Caret write.
fn workbench_entry(md: &[(String, String)]) -> Option<String> {
    md.iter().find_map(|(name, value)| {
        let wb = matches!(
            name.as_str(),
            "ProgramProvenance" | "Provenance" | "ParentProvenance" | "WorkbenchVersion"
        ) || name.starts_with("Caret")
            || value.contains("Connectome Workbench");
        wb.then(|| format!("its metadata entry {name} (written by Workbench or Caret)"))
    })
}

/// Metadata that FreeSurfer's `mris_convert` writes: the path of the FreeSurfer file
/// converted (`…/surf/lh.sulc`) or its `ShapeDataType`.
fn freesurfer_entry(md: &[(String, String)]) -> Option<String> {
    md.iter().find_map(|(name, value)| {
        let fs = (name == "Name" && (value.contains("/surf/lh.") || value.contains("/surf/rh.")))
            || name == "ShapeDataType";
        fs.then(|| format!("its metadata entry {name} = {value} (written by FreeSurfer)"))
    })
}

/// HCP names its sulc and curvature maps `<subject>[_L|_R]_Sulc` / `_Curvature`, after
/// negating FreeSurfer's values.
fn hcp_map_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["_sulc", "_curvature", "_curv"]
        .iter()
        .any(|s| lower.ends_with(s))
}

fn gifti_hints(text: &str) -> Hints {
    let md = metadata(text);
    let mut hemis = md
        .iter()
        .filter(|(n, _)| n == "AnatomicalStructurePrimary")
        .filter_map(|(_, v)| {
            let h = match v.to_ascii_lowercase().replace('_', "").as_str() {
                "cortexleft" => Hemi::Left,
                "cortexright" => Hemi::Right,
                _ => return None,
            };
            Some((h, format!("AnatomicalStructurePrimary {v}")))
        });
    let first = hemis.next();
    // Metadata that names both hemispheres says nothing.
    let hemi = first.filter(|(h, _)| hemis.all(|(o, _)| o == *h));
    let map_name = md
        .iter()
        .find(|(n, v)| n == "Name" && hcp_map_name(v))
        .map(|(_, v)| format!("its map name {v} (HCP's naming)"));
    let writer = workbench_entry(&md)
        .map(|w| (Writer::Workbench, w))
        .or_else(|| freesurfer_entry(&md).map(|w| (Writer::FreeSurfer, w)))
        .or_else(|| map_name.map(|w| (Writer::Workbench, w)));
    Hints {
        hemi,
        cifti_cortices: Vec::new(),
        writer,
    }
}

fn cifti_hints(text: &str) -> Hints {
    let mut cortices = Vec::new();
    for (h, s) in [
        (Hemi::Left, "\"CIFTI_STRUCTURE_CORTEX_LEFT\""),
        (Hemi::Right, "\"CIFTI_STRUCTURE_CORTEX_RIGHT\""),
    ] {
        if text.contains(s) {
            cortices.push(h);
        }
    }
    let md = metadata(text);
    let map_name = elements(text, "MapName")
        .into_iter()
        .map(content)
        .find(|n| hcp_map_name(n))
        .map(|n| format!("its map name {n} (HCP's naming)"));
    // Every CIFTI-2 file comes from Workbench or a library writing its format; only
    // Workbench's provenance or HCP's map names say the values are negated.
    let writer = workbench_entry(&md)
        .or(map_name)
        .map(|w| (Writer::Workbench, w));
    Hints {
        hemi: None,
        cifti_cortices: cortices,
        writer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gifti_metadata() {
        let t = r#"<GIFTI><MetaData><MD><Name><![CDATA[AnatomicalStructurePrimary]]></Name>
            <Value><![CDATA[CortexLeft]]></Value></MD><MD><Name>ProgramProvenance</Name>
            <Value>Connectome Workbench</Value></MD></MetaData><DataArray>"#;
        let h = gifti_hints(t);
        assert_eq!(h.hemi.map(|x| x.0), Some(Hemi::Left));
        assert_eq!(h.writer.map(|x| x.0), Some(Writer::Workbench));
        let t = "<MD><Name>Name</Name><Value>/x/fsaverage5/surf/lh.sulc</Value></MD>";
        assert_eq!(gifti_hints(t).writer.map(|x| x.0), Some(Writer::FreeSurfer));
        let t = "<MD><Name>Name</Name><Value>100307_L_Sulc</Value></MD>";
        assert_eq!(gifti_hints(t).writer.map(|x| x.0), Some(Writer::Workbench));
        assert_eq!(gifti_hints("<GIFTI>").writer, None);
        assert_eq!(data_start(b"<DataArray><DataSpace/><Data>x"), Some(23));
    }
}
