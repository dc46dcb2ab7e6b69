//! FreeSurfer parcellations (`lh.aparc.annot`, binary, big-endian) and labels
//! (`lh.V1.label`, ASCII). nibabel's `nibabel.freesurfer.io` (`read_annot`, `read_label`)
//! is the behavioural reference; where it is silent or lax, FreeSurfer's own reader
//! (`MRISreadAnnotation`, `CTABreadFromBinary`, `LabelRead`) decides.
//!
//! Annotation layout:
//!
//! ```text
//! int32 n                                   number of (vertex, value) pairs = vertices
//! n × (int32 vertex, int32 value)           value = R + G·256 + B·65536
//! int32 has_colortable                      0: none (refused, as nibabel does)
//! old table:  int32 n_entries (> 0), int32 len + file name,
//!             n_entries × (int32 len + name, int32 R, G, B, T)
//! new table:  int32 -version (version 2 only), int32 max_index, int32 len + file name,
//!             int32 n_entries, n_entries × (int32 index, int32 len + name, int32 R, G, B, T)
//! ```
//!
//! Every count and length is checked against the bytes left before anything is allocated
//! for it, so a corrupt header is a [`Error::Truncated`] or [`Error::Invalid`], never a
//! large allocation or a panic.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::input::Input;
use super::{be_i32s, Content, Cursor, Expect, Loaded, Want};
use crate::annotation::{Annotation, Label, LabelEntry};
use crate::error::{human_bytes, Error, Result};

/// The largest FreeSurfer `.label` file read: 128 MiB of text. A label of every vertex of
/// a 163842-vertex surface is about 9 MB, so this leaves room for surfaces ten times finer,
/// while a 900 MB file of lines is refused before it is read.
pub const MAX_LABEL_BYTES: u64 = 128 << 20;
/// The most vertex lines a FreeSurfer `.label` file may announce and hold: 2^22
/// (4,194,304), 25 times the vertices of fsaverage's 163842-vertex surfaces, as a label
/// names each vertex of one surface at most once. A count beyond it is refused from line 2,
/// before the lines are parsed (counting them is cheap; parsing them is not), so that a file
/// of millions of tiny lines costs no time.
pub const MAX_LABEL_LINES: u64 = 1 << 22;
/// Memory each vertex of a label takes once read (vertex, coordinates, value).
const LABEL_VERTEX_BYTES: u64 = 20;

/// The most bytes of colour table read after an annotation's vertex values: 16 MiB. Real
/// tables are a few kB (aparc.a2009s has 76 entries); bytes after the table are ignored, so
/// a file padded with gigabytes is never inflated past this.
const MAX_CTAB_BYTES: u64 = 16 << 20;
/// Smallest size of an old-format colour-table entry: name length + R, G, B, T.
const OLD_ENTRY_MIN: u64 = 5 * 4;
/// Smallest size of a new-format colour-table entry: index + name length + R, G, B, T.
const NEW_ENTRY_MIN: u64 = 6 * 4;
/// How messages name the strings of a colour table.
const FILE_NAME: &str = "annotation colour-table file name";
const ENTRY_NAME: &str = "annotation colour-table entry name";
/// The only new-format colour-table version FreeSurfer writes (and nibabel reads).
const CTAB_VERSION: i64 = 2;

/// Reads a FreeSurfer annotation.
///
/// * Each vertex gets the table entry whose value R + G·256 + B·65536 equals the vertex's
///   annotation value (the first such entry if several share a colour, as FreeSurfer's
///   `CTABfindAnnotation`). Value 0 gives `None` (nibabel's label -1), even when an entry
///   is coloured (0, 0, 0), as in nibabel. A non-zero value that matches no entry also gives
///   `None`, as FreeSurfer's lookup does (nibabel's `searchsorted` gives such vertices a
///   neighbouring entry instead); such vertices are counted in the detail
///   `n_vertices_unmatched`.
/// * Values are placed by the vertex number of their pair, as FreeSurfer does (nibabel
///   ignores the numbers and takes the values in file order; FreeSurfer writes 0..n-1 in
///   order, so the two agree on its files). Each number must be below n; a vertex that no
///   pair names keeps value 0 (no label); a vertex named twice keeps its last value.
/// * Table entry keys are the structure index (new format) or the entry's position (old
///   format). Entries are kept in file order.
/// * FreeSurfer stores transparency T, not opacity: `rgba` = [R, G, B, 255 - T]. Components
///   outside 0..=255 are clamped for display; the matching value uses the stored numbers.
/// * A file without a colour table is refused, as nibabel refuses it: its values are packed
///   colours of a table we do not have, so there are no names to show.
/// * Bytes after the colour table are ignored.
///
/// The vertex count is checked against the surface asked for, and what the vertices will
/// take against the memory budget, before the rest of the file is read.
pub(crate) fn read_annot(input: &mut Input, expect: &Expect) -> Result<Loaded> {
    let path = input.path();
    let n = input.header(|b| Cursor::new(path, b).i32_be("annotation header (vertex count)"))?;
    let mut want = None;
    if let Ok(n) = u64::try_from(n) {
        expect.vertices(Want::Annotation, path, n)?;
        // A count the file cannot hold is a truncated file, before it is a large one.
        let pairs = n.saturating_mul(8).saturating_add(4);
        input.check_end(pairs, "annotation (vertex, value) pairs")?;
        // The pairs as read (8 bytes a vertex), then each vertex's value and label (4 + 8).
        input.budget(n.saturating_mul(20), || format!("its {n} vertices"))?;
        // The count, the pairs and the colour table; whatever follows is never read.
        let end = n.saturating_mul(8).saturating_add(4 + MAX_CTAB_BYTES);
        input.fill(usize::try_from(end).unwrap_or(usize::MAX))?;
        want = Some(end);
    }
    let bytes = input.take_head();
    let loaded = parse_annot(path, &bytes);
    if loaded.is_err() && want == Some(bytes.len() as u64) {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "annotation colour table",
            found: format!(
                "one that does not end within {} after the vertex values (the most read)",
                human_bytes(MAX_CTAB_BYTES)
            ),
        });
    }
    loaded
}

/// Parses a whole annotation (see [`read_annot`]).
fn parse_annot(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let mut cur = Cursor::new(path, bytes);
    let n = cur.i32_be("annotation header (vertex count)")?;
    let n = usize::try_from(n).map_err(|_| {
        Error::invalid(
            path,
            format!("annotation header gives a negative vertex count ({n})"),
        )
    })?;
    let pairs = cur.take_items(n as u64, 8, "annotation (vertex, value) pairs")?;
    let mut values = vec![0i32; n];
    let mut words = be_i32s(pairs);
    let mut pair = 0usize;
    while let (Some(vno), Some(value)) = (words.next(), words.next()) {
        let slot = usize::try_from(vno)
            .ok()
            .and_then(|v| values.get_mut(v))
            .ok_or_else(|| {
                Error::invalid(
                    path,
                    format!(
                        "(vertex, value) pair {pair} (counting from 0) gives vertex {vno} (value {value}), but the \
                         annotation has {n} vertices (valid indices 0..{})",
                        n.saturating_sub(1)
                    ),
                )
            })?;
        *slot = value;
        pair += 1;
    }

    let no_table = || {
        Error::invalid(
            path,
            format!(
                "annotation has no colour table (the has-colortable flag after the {n} vertex \
                 values is missing or 0), so its labels have no names or colours"
            ),
        )
    };
    if cur.pos() == bytes.len() {
        return Err(no_table());
    }
    if cur.i32_be("annotation colour-table flag")? == 0 {
        return Err(no_table());
    }
    let first = cur.i32_be("annotation colour-table header")?;
    let (table, ctab_version) = if first > 0 {
        (old_table(path, &mut cur, bytes.len(), first)?, 1)
    } else {
        let version = -i64::from(first);
        if version != CTAB_VERSION {
            return Err(Error::Unsupported {
                path: path.to_path_buf(),
                what: "annotation colour-table version",
                found: format!(
                    "{version} (header word {first}; supported: the old format, whose first \
                     word is a positive entry count, and version 2, stored as -2)"
                ),
            });
        }
        (new_table(path, &mut cur, bytes.len())?, 2)
    };

    let mut by_value: HashMap<i64, u32> = HashMap::with_capacity(table.len());
    for (i, (_, value)) in table.iter().enumerate() {
        by_value.entry(*value).or_insert(i as u32);
    }
    let mut unmatched = 0usize;
    let labels: Vec<Option<u32>> = values
        .iter()
        .map(|&v| {
            if v == 0 {
                return None;
            }
            let found = by_value.get(&i64::from(v)).copied();
            if found.is_none() {
                unmatched += 1;
            }
            found
        })
        .collect();
    let table: Vec<LabelEntry> = table.into_iter().map(|(entry, _)| entry).collect();
    let n_labels = table.len();
    Ok(Loaded::new(Content::Annotation(Annotation {
        labels,
        table,
        key_zero_unlabelled: false,
    }))
    .detail("format", "freesurfer_annot")
    .detail("n_labels", n_labels)
    .detail("ctab_version", ctab_version)
    .detail("n_vertices_unmatched", unmatched))
}

/// Old-format colour table, after its entry count `n_entries` (> 0).
fn old_table(
    path: &Path,
    cur: &mut Cursor,
    total: usize,
    n_entries: i32,
) -> Result<Vec<(LabelEntry, i64)>> {
    read_string(path, cur, FILE_NAME, None)?;
    let n_entries = table_count(path, cur, total, n_entries, OLD_ENTRY_MIN)?;
    let mut table = Vec::with_capacity(n_entries);
    for i in 0..n_entries {
        let name = read_string(path, cur, ENTRY_NAME, Some(i))?;
        table.push(read_colour(cur, i as i32, name)?);
    }
    Ok(table)
}

/// New-format (version 2) colour table, after its version word.
fn new_table(path: &Path, cur: &mut Cursor, total: usize) -> Result<Vec<(LabelEntry, i64)>> {
    let max_index = cur.i32_be("annotation colour-table header (maximum index)")?;
    if max_index < 0 {
        return Err(Error::invalid(
            path,
            format!("annotation colour table gives a negative maximum index ({max_index})"),
        ));
    }
    read_string(path, cur, FILE_NAME, None)?;
    let n_entries = cur.i32_be("annotation colour-table header (entry count)")?;
    let n_entries = table_count(path, cur, total, n_entries, NEW_ENTRY_MIN)?;
    let mut table = Vec::with_capacity(n_entries);
    let mut seen = HashSet::with_capacity(n_entries);
    for i in 0..n_entries {
        let index = cur.i32_be("annotation colour-table entry (index)")?;
        if !(0..max_index).contains(&index) {
            return Err(Error::invalid(
                path,
                format!(
                    "colour-table entry {i} has structure index {index}, outside 0..{max_index} \
                     (the table's maximum index)"
                ),
            ));
        }
        if !seen.insert(index) {
            return Err(Error::invalid(
                path,
                format!("colour-table entry {i} repeats structure index {index}"),
            ));
        }
        let name = read_string(path, cur, ENTRY_NAME, Some(i))?;
        table.push(read_colour(cur, index, name)?);
    }
    Ok(table)
}

/// A colour-table entry count as usize, refused when negative or when the bytes left
/// (of `total`) cannot hold that many entries of at least `min_size` bytes each.
fn table_count(path: &Path, cur: &Cursor, total: usize, n: i32, min_size: u64) -> Result<usize> {
    let count = usize::try_from(n).map_err(|_| {
        Error::invalid(
            path,
            format!("annotation colour table gives a negative entry count ({n})"),
        )
    })?;
    let needed = (count as u64).saturating_mul(min_size);
    let left = total.saturating_sub(cur.pos()) as u64;
    if needed > left {
        return Err(cur.truncated("annotation colour table (entries)", needed));
    }
    Ok(count)
}

/// R, G, B, T of one entry, as a [`LabelEntry`] with `key` plus its annotation value.
fn read_colour(cur: &mut Cursor, key: i32, name: String) -> Result<(LabelEntry, i64)> {
    let mut c = [0i32; 4];
    for v in &mut c {
        *v = cur.i32_be("annotation colour-table entry (R, G, B, T)")?;
    }
    let [r, g, b, t] = c;
    let value = i64::from(r) + i64::from(g) * 256 + i64::from(b) * 65536;
    let byte = |v: i32| v.clamp(0, 255) as u8;
    let entry = LabelEntry {
        key,
        name,
        rgba: [byte(r), byte(g), byte(b), 255 - byte(t)],
    };
    Ok((entry, value))
}

/// An int32 length and that many bytes, as text: trailing NULs (C terminators) dropped,
/// invalid UTF-8 replaced. The length is checked against the bytes left before reading.
/// `what` names the string in messages; `entry` is its colour-table entry, if any.
fn read_string(
    path: &Path,
    cur: &mut Cursor,
    what: &'static str,
    entry: Option<usize>,
) -> Result<String> {
    let len = cur.i32_be(what)?;
    let len = usize::try_from(len).map_err(|_| {
        let whose = entry.map_or(String::new(), |i| format!(" of colour-table entry {i}"));
        Error::invalid(
            path,
            format!(
                "{what}{whose}: negative length ({len}) at byte {}",
                cur.pos().saturating_sub(4)
            ),
        )
    })?;
    let raw = cur.take(len, what)?;
    let end = raw.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let raw = raw.get(..end).unwrap_or_default();
    Ok(String::from_utf8_lossy(raw).into_owned())
}

/// Reads a FreeSurfer ASCII label:
///
/// ```text
/// #!ascii label  , from subject fsaverage vox2ras=TkReg      (line 1, a comment)
/// 287                                                        (line 2, number of vertices)
/// 22  -11.668  53.893  1.293 0.0000000000                    (vertex x y z value)
/// ```
///
/// * Each vertex line must have exactly the five fields FreeSurfer writes; the vertex is an
///   integer ≥ 0 (volume labels use -1 for points off the surface: those cannot be drawn on a
///   surface and are refused with that explanation); x, y, z and the value are numbers, and
///   `nan`/`inf` are accepted (as nibabel's `loadtxt` accepts them).
/// * Blank lines, and lines starting with `#` after the first, are skipped, as nibabel's
///   `loadtxt` skips them. The count on line 2 must equal the number of vertex lines (nibabel
///   ignores it; FreeSurfer reads exactly that many). Windows line ends are accepted.
/// * Nothing is allocated from the count line: vertex lines are counted first. A file
///   over [`MAX_LABEL_BYTES`] is refused before it is read (a gzipped one once that much is
///   inflated), and more than [`MAX_LABEL_LINES`] vertex lines before they are parsed.
pub(crate) fn read_label(input: &mut Input) -> Result<Loaded> {
    let path = input.path();
    input.read_to_end(MAX_LABEL_BYTES, |size| Error::Unsupported {
        path: path.to_path_buf(),
        what: "FreeSurfer label file size",
        found: format!(
            "{} or more; labels are read up to {} (a label of every vertex of a \
             163842-vertex surface is about 9 MB)",
            human_bytes(size),
            human_bytes(MAX_LABEL_BYTES)
        ),
    })?;
    let bytes = input.take_head();
    parse_label(input, &bytes)
}

/// Parses a whole label file (see [`read_label`]).
fn parse_label(input: &Input, bytes: &[u8]) -> Result<Loaded> {
    const LAYOUT: &str = "a FreeSurfer .label has a comment line ('#!ascii label ...'), \
                          then the number of vertices, then one line 'vertex x y z value' \
                          per vertex";
    let path = input.path();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid(path, format!("empty label file: {LAYOUT}")));
    }
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l));
    let first_is_comment = lines
        .next()
        .is_some_and(|(_, l)| l.trim_ascii_start().starts_with(b"#"));
    let hint = if first_is_comment {
        ""
    } else {
        " (line 1 must be a comment such as '#!ascii label ...'; this file's is not)"
    };
    let Some((_, count_line)) = lines.next() else {
        return Err(Error::invalid(
            path,
            format!("label file ends after line 1; expected the vertex count on line 2: {LAYOUT}"),
        ));
    };
    let count_text = String::from_utf8_lossy(count_line);
    let count: u64 = count_text.trim().parse().map_err(|_| {
        Error::invalid(
            path,
            format!(
                "line 2: expected the number of vertices (an integer >= 0), found {}{hint}",
                shown(&count_text)
            ),
        )
    })?;
    let is_data = |(_, l): &(usize, &[u8])| {
        let t = l.trim_ascii();
        !t.is_empty() && !t.starts_with(b"#")
    };
    let n_data = lines.clone().filter(is_data).count();
    if n_data as u64 != count {
        return Err(Error::invalid(
            path,
            format!("line 2 announces {count} vertices but the file has {n_data} vertex lines"),
        ));
    }
    if count > MAX_LABEL_LINES {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "FreeSurfer label vertex count",
            found: format!(
                "{count} on line 2; labels are read up to {MAX_LABEL_LINES} vertices \
                 (25 times a 163842-vertex surface)"
            ),
        });
    }
    let held = (n_data as u64).saturating_mul(LABEL_VERTEX_BYTES);
    input.budget(held.saturating_add(bytes.len() as u64), || {
        format!("its {n_data} vertices")
    })?;
    let data = lines.filter(is_data);

    let mut label = Label {
        vertices: Vec::with_capacity(n_data),
        coords: Vec::with_capacity(n_data),
        values: Vec::with_capacity(n_data),
    };
    for (ln, line) in data {
        vertex_line(path, ln, line, &mut label)?;
    }
    let n = label.vertices.len();
    Ok(Loaded::new(Content::Label(label))
        .detail("format", "freesurfer_label")
        .detail("n_vertices_in_label", n))
}

/// Parses vertex line `ln` ('vertex x y z value') onto the end of `label`.
fn vertex_line(path: &Path, ln: usize, line: &[u8], label: &mut Label) -> Result<()> {
    let text = std::str::from_utf8(line)
        .map_err(|_| Error::invalid(path, format!("line {ln}: not text (invalid UTF-8)")))?;
    let fields: Vec<&str> = text.split_ascii_whitespace().take(6).collect();
    let [v, x, y, z, value] = fields.as_slice() else {
        let found = text.split_ascii_whitespace().count();
        return Err(Error::invalid(
            path,
            format!(
                "line {ln}: expected 5 fields 'vertex x y z value', found {found}: {}",
                shown(text)
            ),
        ));
    };
    let vertex: i64 = v.parse().map_err(|_| {
        Error::invalid(
            path,
            format!(
                "line {ln}: vertex (field 1) is not an integer: {}",
                shown(v)
            ),
        )
    })?;
    let vertex = u32::try_from(vertex).map_err(|_| {
        let why = if vertex < 0 {
            "negative (volume labels mark points off the surface with -1; \
             only surface labels can be drawn)"
        } else {
            "too large"
        };
        Error::invalid(path, format!("line {ln}: vertex {vertex} is {why}"))
    })?;
    let num = |tok: &str, field: &str| -> Result<f32> {
        tok.parse().map_err(|_| {
            Error::invalid(
                path,
                format!("line {ln}: {field} is not a number: {}", shown(tok)),
            )
        })
    };
    label.vertices.push(vertex);
    label.coords.push([
        num(x, "x (field 2)")?,
        num(y, "y (field 3)")?,
        num(z, "z (field 4)")?,
    ]);
    label.values.push(num(value, "value (field 5)")?);
    Ok(())
}

/// A field or line for a message: quoted, and cut short when long.
fn shown(text: &str) -> String {
    const MAX: usize = 40;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}...", text.get(..cut).unwrap_or(text)),
        None => format!("{text:?}"),
    }
}
