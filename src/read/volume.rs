//! Volumes read as layers: a statistic map sampled onto each hemisphere's sampling
//! surfaces becomes an [`Overlay`] (one value per vertex, a frame per volume frame), a
//! label volume becomes an [`Annotation`]. Each volume is read once for both
//! hemispheres, before they are read in parallel.

use std::path::Path;
use std::sync::Arc;

use super::{check_mesh, Cache};
use crate::annotation::{Annotation, LabelEntry};
use crate::error::{Error, Result};
use crate::mesh::Mesh;
use crate::spec::{FigureSpec, SamplingSurfaces, SurfaceInput};
use crate::volume::{self, Interp, Reduce, Volume};
use crate::Overlay;

/// The largest colour table read (FreeSurferColorLUT.txt is about 0.5 MB).
const MAX_LUT_BYTES: u64 = 16 << 20;

/// Reads every volume of the figure into `cache`, so the hemispheres read in parallel
/// share one copy; returns the readers' notes on them (an orientation taken from the
/// qform or pixdim, say).
pub(super) fn preload(spec: &FigureSpec, cache: &Cache) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for path in &spec.volumes.files {
        let v = cache.volume(path)?;
        notes.extend(v.notes.iter().map(|n| format!("{}: {n}", path.display())));
    }
    Ok(notes)
}

/// The meshes a hemisphere's volumes are sampled on, checked to match the surface drawn
/// vertex for vertex, and the centre (`cras`) their tkrRAS coordinates are offset by.
struct Sampler {
    inner: Arc<Mesh>,
    outer: Option<Arc<Mesh>>,
    cras: [f32; 3],
}

impl Sampler {
    fn new<'a>(
        input: &'a SurfaceInput,
        drawn: &Mesh,
        cache: &Cache,
    ) -> Result<(Sampler, &'a SamplingSurfaces)> {
        let s = input.sampling.as_ref().ok_or_else(|| {
            Error::Internal(format!(
                "{}: a volume without sampling surfaces",
                input.hemi
            ))
        })?;
        let load = |p: &Path| -> Result<Arc<Mesh>> {
            let m = cache.mesh(p, check_mesh)?;
            if m.vertices.len() != drawn.vertices.len() {
                return Err(Error::invalid(
                    p,
                    format!(
                        "has {} vertices, but the surface drawn ({}) has {}: a sampling surface must be the same mesh as the surface drawn (the same subject's white and pial)",
                        m.vertices.len(),
                        input.surface.display(),
                        drawn.vertices.len()
                    ),
                ));
            }
            Ok(m)
        };
        let inner = load(&s.inner)?;
        let outer = s.outer.as_deref().map(load).transpose()?;
        let cras = surface_cras(&inner);
        Ok((Sampler { inner, outer, cras }, s))
    }

    /// Refuses a volume that no vertex of the sampling surface lies in (most likely a
    /// volume in another space than the surface), naming both extents; notes one that
    /// covers less than half of it.
    fn check_coverage(&self, vol: &Volume, path: &Path, surface: &Path) -> Result<Option<String>> {
        let c = volume::coverage(vol, &self.inner, self.cras);
        let span = |lo: [f64; 3], hi: [f64; 3]| {
            format!(
                "x {:.0} to {:.0}, y {:.0} to {:.0}, z {:.0} to {:.0} mm",
                lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]
            )
        };
        let sb = c.surface_box.map(|p| p.map(f64::from));
        let surface_span = span(sb[0], sb[1]);
        let volume_span = span(c.volume_box[0], c.volume_box[1]);
        if c.inside <= 0.0 {
            let cras = match self.cras {
                [0.0, 0.0, 0.0] => String::new(),
                [x, y, z] => format!(", the surface's tkrRAS + its cras {x:.1},{y:.1},{z:.1}"),
            };
            return Err(Error::invalid(
                path,
                format!(
                    "wrong space? No vertex of {} lies inside the volume: surface {surface_span}, volume {volume_span} (world RAS{cras}). An MNI volume goes on fsaverage (give no surface), a subject's on that subject's surfaces",
                    name(surface),
                ),
            ));
        }
        Ok((c.inside < 0.5).then(|| {
            format!(
                "only {:.0}% of the vertices of {} lie inside {} (surface {surface_span}; volume {volume_span}): the rest are no data",
                c.inside * 100.0,
                surface.display(),
                path.display()
            )
        }))
    }
}

/// The centre FreeSurfer surfaces' tkrRAS coordinates are offset by (the volume-info
/// `c_ras`), so that a subject's scanner-space volume lands on the subject's surfaces;
/// zero for other surfaces and for fsaverage.
fn surface_cras(mesh: &Mesh) -> [f32; 3] {
    mesh.cras.unwrap_or([0.0; 3])
}

/// Volume `path` sampled onto hemisphere `input` (drawn as `drawn`), with the note that
/// says how.
pub(super) fn overlay(
    spec: &FigureSpec,
    input: &SurfaceInput,
    drawn: &Mesh,
    path: &Path,
    cache: &Cache,
    notes: &mut Vec<String>,
) -> Result<Arc<Overlay>> {
    let vol = cache.volume(path)?;
    let (sampler, surfaces) = Sampler::new(input, drawn, cache)?;
    notes.extend(sampler.check_coverage(&vol, path, &surfaces.inner)?);
    let s = &spec.volumes.sampling;
    let detail = format!("{:?} {:?}", surfaces.outer, s);
    let ov = cache.sampled(path, &surfaces.inner, detail, || {
        let mut t = std::time::Instant::now();
        let ov = volume::sample(
            &vol,
            &sampler.inner,
            sampler.outer.as_deref(),
            sampler.cras,
            s,
        )?;
        crate::timing::stage("sample", &mut t);
        Ok(Arc::new(ov))
    })?;
    let how = match (s.reduce, s.interp) {
        (Reduce::Mean, Interp::Trilinear) => "mean, trilinear",
        (Reduce::Mean, Interp::Nearest) => "mean, nearest",
        (Reduce::Max, Interp::Trilinear) => "max, trilinear",
        (Reduce::Max, Interp::Nearest) => "max, nearest",
    };
    notes.push(format!(
        "{} sampled onto {} ({how})",
        name(path),
        where_sampled(surfaces, &s.depths)
    ));
    Ok(ov)
}

/// Label volume `path` sampled onto hemisphere `input`: the label at each depth by
/// nearest voxel, the most frequent over the depths, coloured from `--lut` or generated.
pub(super) fn annotation(
    spec: &FigureSpec,
    input: &SurfaceInput,
    drawn: &Mesh,
    path: &Path,
    cache: &Cache,
    notes: &mut Vec<String>,
) -> Result<Arc<Annotation>> {
    let vol = cache.volume(path)?;
    if !vol.integer {
        return Err(Error::invalid(
            path,
            "holds values that are not whole numbers, so it is not a label volume (--annot and --annot-volume sample labels); draw a statistic map with --overlay",
        ));
    }
    let (sampler, surfaces) = Sampler::new(input, drawn, cache)?;
    notes.extend(sampler.check_coverage(&vol, path, &surfaces.inner)?);
    let depths = &spec.volumes.sampling.depths;
    let lut = spec.volumes.lut.as_deref();
    let detail = format!("{:?} {depths:?} {lut:?}", surfaces.outer);
    let mut missing = Vec::new();
    let annot = cache.sampled_labels(path, &surfaces.inner, detail, || {
        let keys = volume::sample_labels(
            &vol,
            &sampler.inner,
            sampler.outer.as_deref(),
            sampler.cras,
            depths,
        )?;
        let table = match lut {
            Some(p) => read_lut(p, &cache.limits())?,
            None => Vec::new(),
        };
        let (annot, absent) = labels_to_annotation(&keys, &table);
        missing = absent;
        Ok(Arc::new(annot))
    })?;
    if let (Some(lut), false) = (lut, missing.is_empty()) {
        let shown: Vec<String> = missing.iter().take(8).map(i32::to_string).collect();
        notes.push(format!(
            "{}: {} label value(s) not in {} ({}{}): generated colours",
            name(path),
            missing.len(),
            lut.display(),
            shown.join(", "),
            if missing.len() > 8 { ", ..." } else { "" }
        ));
    }
    notes.push(format!(
        "{} sampled as labels onto {} (nearest voxel, most frequent label over the depths)",
        name(path),
        where_sampled(surfaces, depths)
    ));
    Ok(annot)
}

/// A file's name for notes.
fn name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// "lh.white..lh.pial at 7 depths", "lh.white..lh.pial at depth 0.5", "lh.midthickness".
fn where_sampled(s: &SamplingSurfaces, depths: &[f32]) -> String {
    match &s.outer {
        None => name(&s.inner),
        Some(outer) => {
            let at = match depths {
                [d] => format!("depth {d}"),
                d => format!("{} depths", d.len()),
            };
            format!("{}..{} at {at}", name(&s.inner), name(outer))
        }
    }
}

/// One row of a colour table: key, name, RGBA.
type LutRow = (i32, String, [u8; 4]);

/// A colour table in FreeSurferColorLUT.txt format: `index name R G B A` per line (A is
/// FreeSurfer's transparency, 0 for opaque), `#` comments and blank lines skipped.
pub(crate) fn read_lut(path: &Path, limits: &crate::io::Limits) -> Result<Vec<LutRow>> {
    let max = MAX_LUT_BYTES.min(limits.max_memory);
    let text = crate::io::read_text(path, max, "a colour table")?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let bad = |message: String| Error::Line {
            path: path.to_path_buf(),
            line: i as u64 + 1,
            message,
        };
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 5 {
            return Err(bad(format!(
                "expected 'index name R G B [A]' (FreeSurferColorLUT.txt format), found {} field(s)",
                f.len()
            )));
        }
        let key: i32 = f[0]
            .parse()
            .map_err(|_| bad(format!("index '{}' is not a whole number", f[0])))?;
        let byte = |s: &str| {
            s.parse::<u8>()
                .map_err(|_| bad(format!("colour value '{s}' is not 0 to 255")))
        };
        let transparency = match f.get(5) {
            Some(a) => byte(a)?,
            None => 0,
        };
        let rgba = [byte(f[2])?, byte(f[3])?, byte(f[4])?, 255 - transparency];
        rows.push((key, f[1].to_string(), rgba));
    }
    if rows.is_empty() {
        return Err(Error::invalid(
            path,
            "holds no colour table rows ('index name R G B A')",
        ));
    }
    Ok(rows)
}

/// The labels of the vertices as a parcellation: one table entry per label present
/// (named and coloured from `lut` where it has the label, else `label N` in a generated
/// colour); 0 and negative labels (background, outside the volume) are no label. Also
/// returns the labels `lut` lacks (none when it is empty).
fn labels_to_annotation(keys: &[i32], lut: &[LutRow]) -> (Annotation, Vec<i32>) {
    let mut present: Vec<i32> = keys.iter().copied().filter(|&k| k > 0).collect();
    present.sort_unstable();
    present.dedup();
    let mut missing = Vec::new();
    let table: Vec<LabelEntry> = present
        .iter()
        .map(|&k| match lut.iter().find(|r| r.0 == k) {
            Some((_, name, rgba)) => LabelEntry {
                key: k,
                name: name.clone(),
                rgba: *rgba,
            },
            None => {
                if !lut.is_empty() {
                    missing.push(k);
                }
                LabelEntry {
                    key: k,
                    name: format!("label {k}"),
                    rgba: generated_color(k),
                }
            }
        })
        .collect();
    let labels = keys
        .iter()
        .map(|k| present.binary_search(k).ok().map(|i| i as u32))
        .collect();
    let annot = Annotation {
        labels,
        table,
        key_zero_unlabelled: true,
    };
    (annot, missing)
}

/// A colour for label `k` with no colour table: hues a golden angle apart, so that
/// neighbouring label numbers (often neighbouring regions) differ clearly.
fn generated_color(k: i32) -> [u8; 4] {
    let h = (k as f64 * 0.618_033_988_75).rem_euclid(1.0) * 6.0;
    let (s, v) = (0.65, 0.92);
    let c = v * s;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    let to = |u: f64| ((u + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    [to(r), to(g), to(b), 255]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_a_parcellation() {
        let lut = vec![
            (0, "Unknown".to_string(), [0, 0, 0, 255]),
            (17, "Left-Hippocampus".to_string(), [220, 216, 20, 255]),
        ];
        let (a, missing) = labels_to_annotation(&[0, 17, 17, 42, -1], &lut);
        assert_eq!(a.labels, vec![None, Some(0), Some(0), Some(1), None]);
        assert_eq!(a.table[0].name, "Left-Hippocampus");
        assert_eq!(a.table[0].rgba, [220, 216, 20, 255]);
        assert_eq!(a.table[1].name, "label 42");
        assert_eq!(missing, vec![42]);
        let (_, none) = labels_to_annotation(&[3, 4], &[]);
        assert!(none.is_empty());
    }

    #[test]
    fn generated_colours_differ_between_neighbours() {
        for k in 1..200 {
            let (a, b) = (generated_color(k), generated_color(k + 1));
            let d: i32 = (0..3).map(|i| (a[i] as i32 - b[i] as i32).abs()).sum();
            assert!(d > 60, "{k}: {a:?} vs {b:?}");
        }
    }

    #[test]
    fn lut_rows_and_errors() {
        let dir = std::env::temp_dir().join(format!("surfrender-lut-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("lut.txt");
        std::fs::write(
            &p,
            "# comment\n\n0   Unknown  0 0 0 0\n17  Left-Hippocampus 220 216 20 0\n",
        )
        .expect("write");
        let rows = read_lut(&p, &crate::io::Limits::default()).expect("read");
        assert_eq!(
            rows[1],
            (17, "Left-Hippocampus".into(), [220, 216, 20, 255])
        );
        std::fs::write(&p, "17 Left 300 0 0 0\n").expect("write");
        let e = read_lut(&p, &crate::io::Limits::default()).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
