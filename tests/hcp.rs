//! HCP / Connectome Workbench data (issue 11, items 1–3 and 11): the sign of HCP's sulc
//! and curvature (negated copies of FreeSurfer's files written as Workbench writes them,
//! with its metadata and without any), HCP's sulc files found beside HCP-style surfaces,
//! the hemisphere from GIfTI `AnatomicalStructurePrimary` and CIFTI brain models, and
//! `inspect` of a CIFTI file per brain model.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::Value;
use surfrender::spec::FigureSpec;
use surfrender::FigureDesc;

use crate::nifti::{curv, extension, nifti2};
use crate::util::{self, le_f32, mentions};

/// What `mris_convert` or nibabel would not write and Workbench does: its provenance.
const WORKBENCH_MD: &str = "<MD><Name><![CDATA[ProgramProvenance]]></Name><Value><![CDATA[Connectome Workbench\nType: Command Line Application\nVersion: 1.5.0]]></Value></MD>\
<MD><Name><![CDATA[Provenance]]></Name><Value><![CDATA[wb_command -metric-math 'var * -1' ...]]></Value></MD>";

/// A one-array GIfTI shape file of `values` as Workbench writes it (GZipBase64Binary,
/// little-endian, `AnatomicalStructurePrimary`), with `file_md` and `array_md` as its
/// file's and its array's metadata entries.
fn shape_gii(values: &[f32], structure: Option<&str>, file_md: &str, array_md: &str) -> String {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&le_f32(values)).unwrap();
    let data = B64.encode(z.finish().unwrap());
    let structure = structure
        .map(|s| format!("<MD><Name><![CDATA[AnatomicalStructurePrimary]]></Name><Value><![CDATA[{s}]]></Value></MD>"))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<GIFTI Version="1" NumberOfDataArrays="1">
   <MetaData>{structure}{file_md}</MetaData>
   <LabelTable/>
   <DataArray Intent="NIFTI_INTENT_SHAPE" DataType="NIFTI_TYPE_FLOAT32" ArrayIndexingOrder="RowMajorOrder" Dimensionality="1" Dim0="{n}" Encoding="GZipBase64Binary" Endian="LittleEndian" ExternalFileName="" ExternalFileOffset="0">
      <MetaData>{array_md}</MetaData>
      <CoordinateSystemTransformMatrix><DataSpace><![CDATA[NIFTI_XFORM_UNKNOWN]]></DataSpace><TransformedSpace><![CDATA[NIFTI_XFORM_UNKNOWN]]></TransformedSpace><MatrixData>1 0 0 0 0 1 0 0 0 0 1 0 0 0 0 1</MatrixData></CoordinateSystemTransformMatrix>
      <Data>{data}</Data>
   </DataArray>
</GIFTI>
"#,
        n = values.len()
    )
}

/// FreeSurfer's sulc of the repository's brain, negated as the HCP pipelines store it.
fn hcp_sulc(hemi: &str) -> Vec<f32> {
    curv(&format!("{hemi}.sulc")).iter().map(|v| -v).collect()
}

/// A figure of `args` (one lateral view, CPU renderer), its image and standard error.
fn figure(dir: &Path, name: &str, args: &[&str]) -> (image::RgbaImage, String) {
    let out = dir.join(name);
    let o = util::surfrender()
        .current_dir(util::root())
        .args(args)
        .args([
            "--views",
            "lateral",
            "--backend",
            "cpu",
            "--size",
            "300x",
            "--no-colorbar",
            "--no-sidecar",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("run surfrender");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{args:?}: {err}");
    (image::open(&out).expect("read figure").to_rgba8(), err)
}

/// Pixels that differ between two figures of the same size.
fn differing(a: &image::RgbaImage, b: &image::RgbaImage) -> usize {
    assert_eq!(a.dimensions(), b.dimensions());
    a.pixels().zip(b.pixels()).filter(|(p, q)| p != q).count()
}

/// The figure of `lh.inflated` shaded by FreeSurfer's own `lh.sulc`.
fn freesurfer_reference(dir: &Path) -> image::RgbaImage {
    let (img, _) = figure(
        dir,
        "reference.png",
        &[
            &util::data_arg("lh.inflated"),
            "--curv",
            &util::data_arg("lh.sulc"),
        ],
    );
    img
}

/// The darkest and lightest cortex greys of a figure (sulci and gyri in the reference).
fn cortex_greys(img: &image::RgbaImage) -> (u8, u8) {
    let greys: Vec<u8> = img
        .pixels()
        .filter(|p| util::chroma(p) == 0 && p[0] < 250)
        .map(|p| p[0])
        .collect();
    (
        *greys.iter().min().unwrap_or(&0),
        *greys.iter().max().unwrap_or(&0),
    )
}

#[test]
fn hcp_curv_sign_from_workbench_metadata_and_from_geometry() {
    let dir = util::out_dir("hcp_curv_sign");
    let reference = freesurfer_reference(&dir);
    let (dark, light) = cortex_greys(&reference);
    assert!(light > dark + 40, "reference cortex greys {dark}..{light}");
    let surf = util::data_arg("lh.inflated");
    let cases = [
        // Workbench's metadata says the values are negated.
        (
            "wb.sulc.shape.gii",
            shape_gii(&hcp_sulc("lh"), Some("CortexLeft"), WORKBENCH_MD, ""),
            "ProgramProvenance",
        ),
        // HCP's map name says it.
        (
            "named.sulc.shape.gii",
            shape_gii(
                &hcp_sulc("lh"),
                Some("CortexLeft"),
                "",
                "<MD><Name><![CDATA[Name]]></Name><Value><![CDATA[100307_L_Sulc]]></Value></MD>",
            ),
            "100307_L_Sulc",
        ),
        // Nothing says: the surface's folding decides.
        (
            "bare.sulc.shape.gii",
            shape_gii(&hcp_sulc("lh"), None, "", ""),
            "correlation",
        ),
    ];
    for (name, text, why) in cases {
        let p = util::write(&dir, name, text.as_bytes());
        let p = p.display().to_string();
        let (img, err) = figure(&dir, &format!("{name}.png"), &[&surf, "--curv", &p]);
        assert_eq!(
            differing(&img, &reference),
            0,
            "{name}: the Workbench-signed sulc must shade as FreeSurfer's does (gyri light, sulci dark); stderr: {err}"
        );
        mentions(&err, &["HCP/Workbench sign", "negated", why, name]);
        // Told it is FreeSurfer's, the file is drawn as stored: gyri dark, sulci light.
        let (raw, _) = figure(
            &dir,
            &format!("{name}.raw.png"),
            &[&surf, "--curv", &p, "--curv-sign", "freesurfer"],
        );
        assert!(differing(&raw, &reference) > 1000, "{name}: sign ignored");
    }
    // FreeSurfer's own files, and a FreeSurfer-signed GIfTI without metadata, keep their
    // sign; --curv-sign workbench negates them.
    let plain = util::write(
        &dir,
        "fs.sulc.shape.gii",
        shape_gii(&curv("lh.sulc"), None, "", "").as_bytes(),
    );
    let plain = plain.display().to_string();
    let (img, err) = figure(&dir, "fs_gifti.png", &[&surf, "--curv", &plain]);
    assert_eq!(differing(&img, &reference), 0, "{err}");
    mentions(&err, &["FreeSurfer's sign", "correlation"]);
    let sulc = util::data_arg("lh.sulc");
    let (img, err) = figure(
        &dir,
        "fs_auto.png",
        &[&surf, "--curv", &sulc, "--curv-sign", "auto"],
    );
    assert_eq!(differing(&img, &reference), 0);
    assert!(
        !err.contains("sign"),
        "no note for FreeSurfer's own file: {err}"
    );
    let (img, err) = figure(
        &dir,
        "fs_as_wb.png",
        &[&surf, "--curv", &sulc, "--curv-sign", "workbench"],
    );
    assert!(differing(&img, &reference) > 1000);
    mentions(&err, &["--curv-sign workbench"]);
}

/// A dscalar file holding `left` and `right` over all their vertices, one map named
/// `map`, with Workbench's provenance when `workbench`.
fn dscalar(left: &[f32], right: &[f32], map: &str, workbench: bool) -> Vec<u8> {
    let all = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(" ");
    let md = if workbench {
        format!("<MetaData>{WORKBENCH_MD}</MetaData>")
    } else {
        String::new()
    };
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CIFTI Version="2">
 <Matrix>{md}
  <MatrixIndicesMap AppliesToMatrixDimension="0" IndicesMapToDataType="CIFTI_INDEX_TYPE_SCALARS"><NamedMap><MapName>{map}</MapName></NamedMap></MatrixIndicesMap>
  <MatrixIndicesMap AppliesToMatrixDimension="1" IndicesMapToDataType="CIFTI_INDEX_TYPE_BRAIN_MODELS">
   <BrainModel IndexOffset="0" IndexCount="{nl}" ModelType="CIFTI_MODEL_TYPE_SURFACE" BrainStructure="CIFTI_STRUCTURE_CORTEX_LEFT" SurfaceNumberOfVertices="{nl}"><VertexIndices>{il}</VertexIndices></BrainModel>
   <BrainModel IndexOffset="{nl}" IndexCount="{nr}" ModelType="CIFTI_MODEL_TYPE_SURFACE" BrainStructure="CIFTI_STRUCTURE_CORTEX_RIGHT" SurfaceNumberOfVertices="{nr}"><VertexIndices>{ir}</VertexIndices></BrainModel>
  </MatrixIndicesMap>
 </Matrix>
</CIFTI>"#,
        nl = left.len(),
        nr = right.len(),
        il = all(left.len()),
        ir = all(right.len()),
    );
    let data = le_f32(&[left, right].concat());
    nifti2(
        &[1, 1, 1, 1, 1, (left.len() + right.len()) as i64],
        16,
        3006,
        &extension(32, &xml),
        &data,
    )
}

#[test]
fn hcp_sulc_found_beside_hcp_surfaces() {
    let dir = util::out_dir("hcp_sulc_found");
    let reference = freesurfer_reference(&dir);
    // An HCP folder: the surface (FreeSurfer's inflated surface under HCP's name; the
    // format is told by content) and HCP's negated sulc as a GIfTI shape file.
    let hcp = dir.join("MNINonLinear/fsaverage_LR32k");
    std::fs::create_dir_all(&hcp).unwrap();
    let surf = hcp.join("100307.L.inflated.32k_fs_LR.surf.gii");
    std::fs::copy(util::data("lh.inflated"), &surf).unwrap();
    let sulc = hcp.join("100307.L.sulc.32k_fs_LR.shape.gii");
    std::fs::write(
        &sulc,
        shape_gii(&hcp_sulc("lh"), Some("CortexLeft"), WORKBENCH_MD, ""),
    )
    .unwrap();
    let s = surf.display().to_string();
    let (img, err) = figure(&dir, "gifti.png", &[&s]);
    assert_eq!(
        differing(&img, &reference),
        0,
        "HCP's sulc beside the surface, with its sign: {err}"
    );
    mentions(
        &err,
        &[
            "100307.L.sulc.32k_fs_LR.shape.gii",
            "found beside",
            "negated",
        ],
    );
    // Without the GIfTI, the one CIFTI file for both hemispheres.
    std::fs::remove_file(&sulc).unwrap();
    let cifti = hcp.join("100307.sulc.32k_fs_LR.dscalar.nii");
    std::fs::write(
        &cifti,
        dscalar(&hcp_sulc("lh"), &hcp_sulc("rh"), "100307_Sulc", false),
    )
    .unwrap();
    let (img, err) = figure(&dir, "cifti.png", &[&s]);
    assert_eq!(differing(&img, &reference), 0, "{err}");
    mentions(
        &err,
        &[
            "100307.sulc.32k_fs_LR.dscalar.nii",
            "100307_Sulc",
            "negated",
        ],
    );
    // The right hemisphere takes its model of the same file.
    let rsurf = hcp.join("100307.R.inflated.32k_fs_LR.surf.gii");
    std::fs::copy(util::data("rh.inflated"), &rsurf).unwrap();
    let (both, err) = figure(&dir, "both.png", &[&s, &rsurf.display().to_string()]);
    let (fs_both, _) = figure(
        &dir,
        "fs_both.png",
        &[
            &util::data_arg("lh.inflated"),
            &util::data_arg("rh.inflated"),
            "--curv",
            &util::data_arg("lh.sulc"),
            "--curv",
            &util::data_arg("rh.sulc"),
        ],
    );
    assert_eq!(differing(&both, &fs_both), 0, "{err}");
    // FreeSurfer's <hemi>.curv beside the surface is still found first, without a note.
    let fs = dir.join("surf");
    std::fs::create_dir_all(&fs).unwrap();
    std::fs::copy(util::data("lh.inflated"), fs.join("lh.inflated")).unwrap();
    std::fs::copy(util::data("lh.curv"), fs.join("lh.curv")).unwrap();
    let (_, err) = figure(
        &dir,
        "fs.png",
        &[&fs.join("lh.inflated").display().to_string()],
    );
    assert!(!err.contains("found beside"), "{err}");
}

/// The description of `args`, resolved.
fn spec_of(args: &[&str]) -> Result<FigureSpec, String> {
    let argv = std::iter::once("surfrender").chain(args.iter().copied());
    FigureDesc::from_args(argv)
        .and_then(|d| d.resolve())
        .map_err(|e| e.to_string())
}

fn copy(from: &Path, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(from, &to).unwrap();
    to
}

#[test]
fn hcp_hemisphere_from_gifti_metadata() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let g = shared.join("fsaverage5/gifti");
    let dir = util::out_dir("hcp_hemisphere_metadata");
    // Names that say nothing (Conte69's `..._sphere.gii`): AnatomicalStructurePrimary does.
    let left = copy(
        &g.join("lh.inflated.surf.gii"),
        &dir,
        "conte69_32k_sphere.gii",
    );
    let right = copy(
        &g.join("rh.inflated.surf.gii"),
        &dir,
        "conte69_32k_other.gii",
    );
    let lsulc = copy(&g.join("lh.sulc.shape.gii"), &dir, "sulc_a.shape.gii");
    let rsulc = copy(&g.join("rh.sulc.shape.gii"), &dir, "sulc_b.shape.gii");
    let s = |p: &PathBuf| p.display().to_string();
    // Given right first, both surfaces and both overlays still pair by their metadata.
    let spec = spec_of(&[
        &s(&right),
        &s(&left),
        "--overlay",
        &s(&rsulc),
        "--overlay",
        &s(&lsulc),
        "--curv",
        &s(&rsulc),
        "--curv",
        &s(&lsulc),
    ])
    .unwrap();
    let by: Vec<(String, Option<PathBuf>, Option<PathBuf>)> = spec
        .surfaces
        .iter()
        .map(|x| (x.hemi.to_string(), x.overlays[0].clone(), x.curv.clone()))
        .collect();
    assert_eq!(
        by,
        vec![
            ("lh".into(), Some(lsulc.clone()), Some(lsulc.clone())),
            ("rh".into(), Some(rsulc.clone()), Some(rsulc.clone())),
        ]
    );
    // The figure renders (the surfaces decoded once, through the cache).
    let (_, err) = figure(&dir, "fig.png", &[&s(&left), "--overlay", &s(&lsulc)]);
    assert!(!err.contains("cannot tell"), "{err}");
    // A name that contradicts the metadata is an error naming both.
    let liar = copy(
        &g.join("lh.inflated.surf.gii"),
        &dir,
        "rh.inflated.surf.gii",
    );
    let e = spec_of(&[&s(&liar)]).unwrap_err();
    mentions(
        &e,
        &[
            "rh.inflated.surf.gii",
            "name says hemisphere rh",
            "CortexLeft",
        ],
    );
    let e = spec_of(&[&s(&left), "--overlay", &s(&rsulc)]).unwrap_err();
    mentions(&e, &["sulc_b.shape.gii", "rh", "lh"]);
    let liar = copy(&g.join("lh.sulc.shape.gii"), &dir, "rh.sulc.shape.gii");
    let e = spec_of(&[&s(&left), &s(&right), "--overlay", &s(&liar)]).unwrap_err();
    mentions(&e, &["rh.sulc.shape.gii", "CortexLeft"]);
    let e = spec_of(&[&s(&left), "--hemi", "rh"]).unwrap_err();
    mentions(&e, &["--hemi rh", "CortexLeft"]);
}

#[test]
fn hcp_cifti_overlay_pairs_with_its_brain_models() {
    let dir = util::out_dir("hcp_cifti_models");
    // A CIFTI file with a right cortex only, given with two hemispheres: it serves the
    // right one (the left one is drawn without it), not both.
    let r = hcp_sulc("rh");
    let xml_right_only = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CIFTI Version="2"><Matrix>
  <MatrixIndicesMap AppliesToMatrixDimension="0" IndicesMapToDataType="CIFTI_INDEX_TYPE_SCALARS"><NamedMap><MapName>m</MapName></NamedMap></MatrixIndicesMap>
  <MatrixIndicesMap AppliesToMatrixDimension="1" IndicesMapToDataType="CIFTI_INDEX_TYPE_BRAIN_MODELS">
   <BrainModel IndexOffset="0" IndexCount="{n}" ModelType="CIFTI_MODEL_TYPE_SURFACE" BrainStructure="CIFTI_STRUCTURE_CORTEX_RIGHT" SurfaceNumberOfVertices="{n}"><VertexIndices>{i}</VertexIndices></BrainModel>
  </MatrixIndicesMap></Matrix></CIFTI>"#,
        n = r.len(),
        i = (0..r.len())
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let file = dir.join("right.dscalar.nii");
    std::fs::write(
        &file,
        nifti2(
            &[1, 1, 1, 1, 1, r.len() as i64],
            16,
            3006,
            &extension(32, &xml_right_only),
            &le_f32(&r),
        ),
    )
    .unwrap();
    let f = file.display().to_string();
    let spec = spec_of(&[
        &util::data_arg("lh.inflated"),
        &util::data_arg("rh.inflated"),
        "--overlay",
        &f,
    ])
    .unwrap();
    let got: Vec<(String, bool)> = spec
        .surfaces
        .iter()
        .map(|s| (s.hemi.to_string(), s.overlays[0].is_some()))
        .collect();
    assert_eq!(got, vec![("lh".into(), false), ("rh".into(), true)]);
    let (_, err) = figure(
        &dir,
        "fig.png",
        &[
            &util::data_arg("lh.inflated"),
            &util::data_arg("rh.inflated"),
            "--overlay",
            &f,
        ],
    );
    assert!(!err.contains("error"), "{err}");
    let e = spec_of(&[&util::data_arg("lh.inflated"), "--overlay", &f]).unwrap_err();
    mentions(&e, &["right.dscalar.nii", "rh only", "lh"]);
}

#[test]
fn hcp_inspect_cifti_prints_each_brain_model() {
    let p = util::root().join("tests/data/cifti/lr.dscalar.nii");
    let o = util::surfrender()
        .args(["inspect"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let left = text.find("CORTEX_LEFT:").expect(&text);
    let right = text.find("CORTEX_RIGHT:").expect(&text);
    assert!(left < right, "{text}");
    // Each model has its own frame lines.
    assert_eq!(text[left..right].matches("frame 0").count(), 1, "{text}");
    assert_eq!(text[right..].matches("frame 0").count(), 1, "{text}");
    let o = util::surfrender()
        .args(["inspect", "--json"])
        .arg(&p)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let v = &v[p.display().to_string()];
    // The fields inspect always had are kept...
    for k in [
        "frames",
        "brain_models",
        "structure",
        "map_names",
        "n_vertices",
    ] {
        assert!(v.get(k).is_some(), "{k} missing: {v}");
    }
    // ...and each cortex has its statistics, the right one's as reading it gives them.
    let models = v["model_stats"].as_array().expect("model_stats");
    let structures: Vec<&str> = models
        .iter()
        .map(|m| m["structure"].as_str().unwrap())
        .collect();
    assert_eq!(
        structures,
        [
            "CIFTI_STRUCTURE_CORTEX_LEFT",
            "CIFTI_STRUCTURE_CORTEX_RIGHT"
        ]
    );
    assert_eq!(models[0]["frames"], v["frames"]);
    let sel = surfrender::io::Selection {
        hemi: Some(surfrender::hemi::Hemi::Right),
        map: None,
        frames: None,
    };
    let right = surfrender::io::load(&p, &sel).unwrap();
    // As printed and read back, like inspect's numbers.
    let want: Value =
        serde_json::from_str(&surfrender::io::describe::describe(&right).to_string()).unwrap();
    assert_eq!(models[1]["frames"], want["frames"]);
    assert_ne!(models[1]["frames"], models[0]["frames"]);
    assert_eq!(
        models[1]["n_vertices_with_data"],
        want["n_vertices_with_data"]
    );
}
