//! Foci: small spheres marking coordinates or vertices (PySurfer's `add_foci`). Each
//! hemisphere's foci form a mesh of their own ([`FociMesh`](crate::scene::FociMesh)),
//! drawn in the surface's pass right after its triangles, so every renderer lights and
//! depth-sorts them like the cortex without touching the surface's arrays.

use std::path::Path;

use crate::error::{Error, Result};
use crate::hemi::Hemi;
use crate::mesh::Mesh;

/// Where a focus goes.
#[derive(Debug, Clone, PartialEq)]
pub enum FocusAt {
    /// RAS millimetres in the coordinates of the surface drawn.
    Coords([f32; 3]),
    /// A vertex of one hemisphere's surface.
    Vertex(Hemi, u32),
}

/// One focus.
#[derive(Debug, Clone, PartialEq)]
pub struct Focus {
    /// Its centre.
    pub at: FocusAt,
    /// Sphere radius in millimetres.
    pub radius: f32,
    /// Its colour, lit like the cortex.
    pub rgb: [u8; 3],
    /// The file and line it came from, for error messages (`None`: the command line).
    pub source: Option<(std::path::PathBuf, usize)>,
}

impl Focus {
    /// An error about this focus: an input error naming its file and line when it came
    /// from a file, a usage error otherwise.
    pub fn error(&self, msg: String) -> Error {
        match &self.source {
            Some((path, line)) => Error::Line {
                path: path.clone(),
                line: *line as u64,
                message: msg,
            },
            // Typed, or a spec's field: the option's name lets the binary tell which.
            None => Error::Usage(match self.at {
                FocusAt::Coords(_) => format!("--focus: {msg}"),
                FocusAt::Vertex(..) => format!("--focus-vertex: {msg}"),
            }),
        }
    }
}

/// The most foci one figure draws: each is a sphere of 320 triangles, so ten thousand
/// already take ~300 MB and seconds to draw, and far more would cover the cortex.
pub const MAX_FOCI: usize = 10_000;

/// The largest foci table read: far more than [`MAX_FOCI`] rows of numbers need.
const MAX_TABLE_BYTES: u64 = 16 << 20;

/// A unit icosphere subdivided twice (162 vertices, 320 faces), counter-clockwise seen
/// from outside.
pub fn unit_sphere() -> Mesh {
    let t = (1.0 + 5.0f32.sqrt()) / 2.0;
    let mut v: Vec<[f32; 3]> = vec![
        [-1.0, t, 0.0],
        [1.0, t, 0.0],
        [-1.0, -t, 0.0],
        [1.0, -t, 0.0],
        [0.0, -1.0, t],
        [0.0, 1.0, t],
        [0.0, -1.0, -t],
        [0.0, 1.0, -t],
        [t, 0.0, -1.0],
        [t, 0.0, 1.0],
        [-t, 0.0, -1.0],
        [-t, 0.0, 1.0],
    ];
    let mut f: Vec<[u32; 3]> = vec![
        [0, 11, 5],
        [0, 5, 1],
        [0, 1, 7],
        [0, 7, 10],
        [0, 10, 11],
        [1, 5, 9],
        [5, 11, 4],
        [11, 10, 2],
        [10, 7, 6],
        [7, 1, 8],
        [3, 9, 4],
        [3, 4, 2],
        [3, 2, 6],
        [3, 6, 8],
        [3, 8, 9],
        [4, 9, 5],
        [2, 4, 11],
        [6, 2, 10],
        [8, 6, 7],
        [9, 8, 1],
    ];
    for _ in 0..2 {
        let mut mid = std::collections::HashMap::new();
        let mut next = Vec::with_capacity(f.len() * 4);
        let mut midpoint = |a: u32, b: u32, v: &mut Vec<[f32; 3]>| -> u32 {
            *mid.entry((a.min(b), a.max(b))).or_insert_with(|| {
                let (p, q) = (v[a as usize], v[b as usize]);
                v.push([0, 1, 2].map(|k| 0.5 * (p[k] + q[k])));
                (v.len() - 1) as u32
            })
        };
        for [a, b, c] in f {
            let ab = midpoint(a, b, &mut v);
            let bc = midpoint(b, c, &mut v);
            let ca = midpoint(c, a, &mut v);
            next.extend([[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]);
        }
        f = next;
    }
    for p in &mut v {
        let l = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt();
        *p = p.map(|x| x / l);
    }
    Mesh {
        vertices: v,
        faces: f,
        cras: None,
    }
}

/// Reads foci from a CSV or TSV file with a header naming its columns: `x,y,z` or
/// `vertex` (with `hemi` when two hemispheres are drawn), and optionally `radius` and
/// `color`. Errors give the line number.
pub fn read_foci(
    path: &Path,
    default_radius: f32,
    default_rgb: [u8; 3],
    single: Option<Hemi>,
) -> Result<Vec<Focus>> {
    let text = crate::io::read_text(path, MAX_TABLE_BYTES, "a foci table")?;
    let mut reader = foci_reader(&text);
    let cols = FociColumns::from_header(path, &mut reader)?;
    let mut out = Vec::new();
    for record in reader.records() {
        if out.len() == MAX_FOCI {
            let line = record
                .as_ref()
                .ok()
                .and_then(|r| r.position())
                .map_or(0, |p| p.line());
            let msg = format!("more than {MAX_FOCI} foci; a figure draws at most {MAX_FOCI}");
            return Err(line_error(path, line, msg));
        }
        let record = record
            .map_err(|e| line_error(path, e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let n = record.position().map_or(0, |p| p.line());
        let fields: Vec<&str> = record.iter().collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        if fields.len() != cols.count {
            return Err(line_error(
                path,
                n,
                format!("{} fields, the header has {}", fields.len(), cols.count),
            ));
        }
        let row = FociRow {
            path,
            line: n,
            fields: &fields,
        };
        out.push(Focus {
            at: row.at(&cols, single)?,
            radius: row.radius(&cols, default_radius)?,
            rgb: row.rgb(&cols, default_rgb)?,
            source: Some((path.to_path_buf(), n as usize)),
        });
    }
    Ok(out)
}

/// An error about line `line` of the foci file `path`: bad rows are input errors that
/// the user fixes in that file, so they name it and the line.
fn line_error(path: &Path, line: u64, message: String) -> Error {
    Error::Line {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// A CSV reader for the foci table `text`, tab-separated when the header line has a
/// tab. The csv crate handles quoting, a byte-order mark and `#` comments as
/// spreadsheets and pandas write them.
fn foci_reader(text: &str) -> csv::Reader<&[u8]> {
    let header_line = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or("");
    let sep = if header_line.contains('\t') {
        b'\t'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .delimiter(sep)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Where each known column of a foci table is, found once from its header (names in
/// any case) so that every row is read by position.
struct FociColumns {
    /// `x`, `y` and `z`, when all three are there.
    coords: Option<[usize; 3]>,
    vertex: Option<usize>,
    hemi: Option<usize>,
    radius: Option<usize>,
    color: Option<usize>,
    /// How many columns the header names: every row must have as many fields.
    count: usize,
}

impl FociColumns {
    /// Reads the header of `reader`, refusing one that gives no position (neither
    /// `x,y,z` nor `vertex`) before any row is read.
    fn from_header(path: &Path, reader: &mut csv::Reader<&[u8]>) -> Result<FociColumns> {
        let header = reader
            .headers()
            .map_err(|e| line_error(path, e.position().map_or(1, |p| p.line()), e.to_string()))?
            .clone();
        if header.iter().all(str::is_empty) {
            return Err(Error::invalid(path, "no header line (x,y,z or vertex)"));
        }
        let cols: Vec<String> = header.iter().map(|c| c.to_ascii_lowercase()).collect();
        let header_at = header.position().map_or(1, |p| p.line());
        let col = |name: &str| cols.iter().position(|c| c == name);
        let (x, y, z, vertex) = (col("x"), col("y"), col("z"), col("vertex"));
        let coords = match (x, y, z) {
            (Some(x), Some(y), Some(z)) => Some([x, y, z]),
            _ => None,
        };
        if coords.is_none() && vertex.is_none() {
            return Err(line_error(
                path,
                header_at,
                format!(
                    "the header names no x,y,z or vertex column: {}",
                    cols.join(",")
                ),
            ));
        }
        Ok(FociColumns {
            coords,
            vertex,
            hemi: col("hemi"),
            radius: col("radius"),
            color: col("color"),
            count: cols.len(),
        })
    }
}

/// One row of a foci table with as many fields as the header, and where it stands in
/// its file for error messages.
struct FociRow<'r> {
    path: &'r Path,
    line: u64,
    fields: &'r [&'r str],
}

impl FociRow<'_> {
    /// An error about this row.
    fn error(&self, message: String) -> Error {
        line_error(self.path, self.line, message)
    }

    /// Field `c` as a finite number; `what` names the column in the error.
    fn number(&self, c: usize, what: &str) -> Result<f32> {
        self.fields[c]
            .parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.error(format!("{what} is not a number: {:?}", self.fields[c])))
    }

    /// The focus's position: coordinates when the table has them, else a vertex, whose
    /// hemisphere may be left out only when one hemisphere is drawn (`single`).
    fn at(&self, cols: &FociColumns, single: Option<Hemi>) -> Result<FocusAt> {
        match (cols.coords, cols.vertex) {
            (Some([x, y, z]), _) => Ok(FocusAt::Coords([
                self.number(x, "x")?,
                self.number(y, "y")?,
                self.number(z, "z")?,
            ])),
            (_, Some(v)) => {
                let fields = self.fields;
                let index: u32 = fields[v]
                    .parse()
                    .map_err(|_| self.error(format!("vertex is not an index: {:?}", fields[v])))?;
                let hemi = match cols.hemi {
                    Some(h) => Hemi::parse(fields[h]).ok_or_else(|| {
                        self.error(format!("hemi is not lh or rh: {:?}", fields[h]))
                    })?,
                    None => single.ok_or_else(|| {
                        self.error("with two hemispheres a vertex needs a hemi column".into())
                    })?,
                };
                Ok(FocusAt::Vertex(hemi, index))
            }
            _ => Err(self.error("no position".into())),
        }
    }

    /// The row's radius, or `default` when the table has no `radius` column.
    fn radius(&self, cols: &FociColumns, default: f32) -> Result<f32> {
        match cols.radius {
            // The limits of --focus-radius: a sphere of a kilometre hides the brain.
            Some(r) => self.number(r, "radius").and_then(|r| {
                crate::desc::values::Radius::new(r as f64)
                    .map(|r| r.0)
                    .map_err(|e| self.error(format!("radius {e}")))
            }),
            None => Ok(default),
        }
    }

    /// The row's colour, or `default` when the table has no `color` column.
    fn rgb(&self, cols: &FociColumns, default: [u8; 3]) -> Result<[u8; 3]> {
        match cols.color {
            Some(c) => crate::color::parse_color(self.fields[c]).ok_or_else(|| {
                self.error(format!(
                    "color is not a colour name or #rrggbb: {:?}",
                    self.fields[c]
                ))
            }),
            None => Ok(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sphere_is_closed_and_outward() {
        let s = unit_sphere();
        assert_eq!((s.vertices.len(), s.faces.len()), (162, 320));
        assert_eq!(s.outward_winding(), Some(1.0));
    }

    fn read(name: &str, bytes: &[u8]) -> Result<Vec<Focus>> {
        let dir = std::env::temp_dir().join(format!("surfrender-foci-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::Internal(e.to_string()))?;
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::Internal(e.to_string()))?;
        read_foci(&path, 5.0, [255; 3], Some(Hemi::Left))
    }

    /// Files as spreadsheets and pandas write them: a byte-order mark, quoted fields,
    /// comments and blank lines; errors count lines as a text editor does.
    #[test]
    fn spreadsheet_csv_files_are_read() {
        let text = b"\xef\xbb\xbf# foci\n\"Vertex\",\"hemi\",\"color\"\n\n12,rh,red\n\"7\",\"lh\",\"#00ff00\"\n";
        let foci = read("a.csv", text).expect("read");
        assert_eq!(foci.len(), 2);
        assert!(matches!(foci[0].at, FocusAt::Vertex(Hemi::Right, 12)));
        assert_eq!(foci[1].rgb, [0, 255, 0]);
        assert_eq!(foci[1].source.as_ref().map(|s| s.1), Some(5));
        let err = read("b.tsv", b"x\ty\tz\n1\t2\t3\n1\tq\t3\n").expect_err("bad y");
        assert!(
            err.to_string().contains("line 3: y is not a number"),
            "{err}"
        );
        let err = read("c.csv", b"vertex\n1\n2,3\n").expect_err("extra field");
        assert!(err.to_string().contains("line 3: 2 fields"), "{err}");
    }
}
