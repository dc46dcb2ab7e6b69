//! The CIFTI-2 XML: found in the NIfTI extensions between the header and vox_offset,
//! parsed without a DTD (so nothing is expanded or fetched), and split into the
//! MatrixIndicesMap of each matrix dimension, which [`super::models`] and [`super::maps`]
//! then read.

use std::path::Path;

use roxmltree::{Document, Node};

use crate::error::{Error, Result};
use crate::io::nifti::header::{Fields, Header};
use crate::io::nifti::to_usize;

/// The NIfTI extension code of CIFTI XML.
const ECODE_CIFTI: i32 = 32;

/// The XML of the first extension with ecode 32, between the header and vox_offset.
pub(super) fn xml_text<'b>(path: &Path, bytes: &'b [u8], h: &Header) -> Result<&'b str> {
    let region = bytes.get(h.size..to_usize(h.vox_offset)).unwrap_or(&[]);
    let missing = || {
        Error::invalid(
            path,
            format!(
                "a CIFTI file (intent code {}) without the CIFTI-2 XML extension (ecode 32)",
                h.intent_code
            ),
        )
    };
    // The 4-byte extension flag after the header: its first byte non-zero if any follow.
    if region.first().is_none_or(|&b| b == 0) {
        return Err(missing());
    }
    let f = Fields {
        bytes: region,
        little_endian: h.little_endian,
    };
    let mut pos = 4usize;
    while pos + 8 <= region.len() {
        let (esize, ecode) = (f.i32(pos), f.i32(pos + 4));
        let at = h.size + pos;
        let end = usize::try_from(esize)
            .ok()
            .filter(|&s| s >= 8)
            .and_then(|s| pos.checked_add(s))
            .filter(|&e| e <= region.len())
            .ok_or_else(|| {
                Error::invalid(
                    path,
                    format!(
                        "the NIfTI extension at byte {at} has esize {esize}: not between 8 and \
                         the {} bytes left before vox_offset {}",
                        region.len() - pos,
                        h.vox_offset
                    ),
                )
            })?;
        if ecode == ECODE_CIFTI {
            let mut xml = region.get(pos + 8..end).unwrap_or(&[]);
            while let [rest @ .., 0] = xml {
                xml = rest;
            }
            let xml = xml.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(xml);
            return std::str::from_utf8(xml).map_err(|e| {
                Error::invalid(
                    path,
                    format!(
                        "the CIFTI-2 XML is not UTF-8 (invalid byte at offset {} of the XML)",
                        e.valid_up_to()
                    ),
                )
            });
        }
        pos = end;
    }
    Err(missing())
}

/// Parses the XML with roxmltree's defaults (no DTD, no entities, nothing fetched).
pub(super) fn parse<'a>(path: &Path, text: &'a str) -> Result<Document<'a>> {
    Document::parse(text).map_err(|e| {
        let message = match e {
            roxmltree::Error::DtdDetected => "malformed CIFTI-2 XML: it has a DOCTYPE, which is \
                 refused (CIFTI needs none, and entities are never expanded)"
                .to_string(),
            _ => {
                let p = e.pos();
                format!(
                    "malformed CIFTI-2 XML at line {}, column {}: {e}",
                    p.row, p.col
                )
            }
        };
        Error::invalid(path, message)
    })
}

/// The MatrixIndicesMap of each dimension.
pub(super) fn axes<'a, 'i>(path: &Path, matrix: Node<'a, 'i>) -> Result<[Node<'a, 'i>; 2]> {
    let bad = |msg: String| Error::invalid(path, format!("CIFTI-2 XML: {msg}"));
    let mut axes: [Option<Node>; 2] = [None, None];
    for map in matrix
        .children()
        .filter(|c| c.has_tag_name("MatrixIndicesMap"))
    {
        let applies = map
            .attribute("AppliesToMatrixDimension")
            .ok_or_else(|| bad("a MatrixIndicesMap has no AppliesToMatrixDimension".into()))?;
        for d in applies.split(',') {
            let slot = d
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|d| axes.get_mut(d))
                .ok_or_else(|| {
                    bad(format!(
                        "AppliesToMatrixDimension {applies:?}: dimensions are 0 (rows, dim[5]) \
                         and 1 (columns, dim[6])"
                    ))
                })?;
            if slot.is_some() {
                return Err(bad(format!(
                    "two MatrixIndicesMaps apply to dimension {}",
                    d.trim()
                )));
            }
            *slot = Some(map);
        }
    }
    match axes {
        [Some(a), Some(b)] => Ok([a, b]),
        [None, _] => Err(bad("no MatrixIndicesMap for dimension 0".into())),
        [_, None] => Err(bad("no MatrixIndicesMap for dimension 1".into())),
    }
}

/// All the text directly inside an element (comments split it into pieces).
pub(super) fn text_of(node: Node) -> String {
    node.children().filter_map(|c| c.text()).collect()
}
