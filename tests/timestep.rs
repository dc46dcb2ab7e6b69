//! The time between frames (issue 12, item 2): every overlay reader reports the time step
//! its file states (MGH TR, NIfTI pixdim[4] with xyzt_units, GIfTI TimeStep metadata, CIFTI
//! SeriesStep/SeriesUnit) and `inspect` shows it; files built here pin each field and its
//! unit, and files without one (or with a truncated MGH footer) read without one. The real
//! resting-state run of the shared corpus has TR 1000 ms.

use std::path::Path;

use serde_json::{json, Value};
use surfrender::io::Selection;
use surfrender::{Overlay, TimeStep};

use crate::nifti::{cifti_data, extension, load_ok, nifti2, N1};
use crate::util::{self, gzip, le_f32, overlay};

fn read(path: &Path) -> Overlay {
    overlay(load_ok(path, &Selection::default()))
}

fn step(seconds: f64, source: &str) -> Option<TimeStep> {
    Some(TimeStep {
        seconds,
        source: source.into(),
    })
}

// ---- MGH / MGZ ----

/// An MGH of `n` vertices × `frames` float32 frames (value = index), then `footer`.
fn mgh(n: i32, frames: i32, footer: &[u8]) -> Vec<u8> {
    let mut b: Vec<u8> = [1, n, 1, 1, frames, 3]
        .iter()
        .flat_map(|v: &i32| v.to_be_bytes())
        .collect();
    b.resize(284, 0);
    for i in 0..n * frames {
        b.extend_from_slice(&(i as f32).to_be_bytes());
    }
    b.extend_from_slice(footer);
    b
}

/// FreeSurfer's footer: TR (ms), flip angle, TE, TI, FoV, big-endian float32, then tags.
fn mrparams(tr_ms: f32) -> Vec<u8> {
    let mut f: Vec<u8> = [tr_ms, 0.5, 30.0, 0.0, 256.0]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    f.extend_from_slice(b"tags follow");
    f
}

#[test]
fn timestep_mgh_tr() {
    let dir = util::out_dir("timestep_mgh");
    let cases: Vec<(&str, Vec<u8>, Option<TimeStep>)> = vec![
        (
            "tr2000.mgh",
            mgh(3, 2, &mrparams(2000.0)),
            step(2.0, "MGH TR"),
        ),
        (
            "tr700.mgh",
            mgh(3, 4, &mrparams(700.0)),
            step(0.7, "MGH TR"),
        ),
        // Only the 4 bytes of TR after the data: nibabel zero-fills the rest.
        (
            "tr_only.mgh",
            mgh(3, 2, &1500f32.to_be_bytes()),
            step(1.5, "MGH TR"),
        ),
        ("no_footer.mgh", mgh(3, 2, &[]), None),
        // A footer cut inside TR: no time step, and no error.
        ("cut_footer.mgh", mgh(3, 2, &[0x44, 0x7a]), None),
        ("tr0.mgh", mgh(3, 2, &mrparams(0.0)), None),
        ("tr_negative.mgh", mgh(3, 2, &mrparams(-2000.0)), None),
        ("tr_nan.mgh", mgh(3, 2, &mrparams(f32::NAN)), None),
        ("tr_inf.mgh", mgh(3, 2, &mrparams(f32::INFINITY)), None),
        // One frame: TR spaces no frames (nibabel's get_zooms leaves it out too).
        ("one_frame.mgh", mgh(3, 1, &mrparams(2000.0)), None),
        // Large enough that the data are streamed past the first 64 KiB read.
        (
            "long.mgh",
            mgh(20_000, 2, &mrparams(800.0)),
            step(0.8, "MGH TR"),
        ),
        ("long_no_footer.mgh", mgh(20_000, 2, &[]), None),
        ("long_cut_footer.mgh", mgh(20_000, 2, &[0x44]), None),
    ];
    for (name, bytes, want) in cases {
        for (file, content) in [
            (name.to_string(), bytes.clone()),
            (name.replace(".mgh", ".mgz"), gzip(&bytes)),
        ] {
            let ov = read(&util::write(&dir, &file, &content));
            assert_eq!(ov.time_step, want, "{file}");
            // The footer never changes the values.
            let n = ov.n_vertices * ov.n_frames;
            assert!(ov
                .values
                .iter()
                .take(n)
                .enumerate()
                .all(|(i, &v)| v == i as f32));
        }
    }
}

// ---- NIfTI-1 / NIfTI-2 ----

/// A NIfTI-1 float32 file of `dims` with pixdim[4] and xyzt_units set (zero data).
fn nifti1(dims: &[i16], pixdim4: f32, xyzt_units: u8) -> Vec<u8> {
    let n: usize = dims.iter().map(|&d| d as usize).product();
    let mut b = N1::float32(dims).bytes(&le_f32(&vec![0.0; n]));
    b[92..96].copy_from_slice(&pixdim4.to_le_bytes());
    b[123] = xyzt_units;
    b
}

#[test]
fn timestep_nifti_pixdim4_and_units() {
    let dir = util::out_dir("timestep_nifti");
    let d4 = [5, 1, 1, 3];
    let cases: Vec<(&str, Vec<u8>, Option<TimeStep>)> = vec![
        // mm (2) in the spatial bits, ms (16) in the temporal ones.
        (
            "ms.nii",
            nifti1(&d4, 700.0, 0x12),
            step(0.7, "NIfTI pixdim[4] in ms"),
        ),
        (
            "s.nii",
            nifti1(&d4, 2.5, 0x0a),
            step(2.5, "NIfTI pixdim[4] in s"),
        ),
        (
            "us.nii",
            nifti1(&d4, 800_000.0, 0x18),
            step(0.8, "NIfTI pixdim[4] in us"),
        ),
        // No unit: seconds, as nibabel and Workbench read it, and the source says so.
        (
            "unset.nii",
            nifti1(&d4, 0.72, 0),
            step(0.72, "NIfTI pixdim[4], unit unset, read as s"),
        ),
        // Hz, ppm, rad: the fourth dimension is no time.
        ("hz.nii", nifti1(&d4, 2.0, 0x20), None),
        ("ppm.nii", nifti1(&d4, 2.0, 0x28), None),
        ("rad.nii", nifti1(&d4, 2.0, 0x30), None),
        ("zero.nii", nifti1(&d4, 0.0, 0x08), None),
        ("negative.nii", nifti1(&d4, -2.0, 0x08), None),
        ("nan.nii", nifti1(&d4, f32::NAN, 0x08), None),
        // One frame, or none at all: nothing to space.
        ("one_frame.nii", nifti1(&[5, 1, 1, 1], 2.0, 0x08), None),
        ("3d.nii", nifti1(&[5, 1, 1], 2.0, 0x08), None),
    ];
    for (name, bytes, want) in cases {
        let p = util::write(&dir, name, &bytes);
        assert_eq!(read(&p).time_step, want, "{name}");
        let p = util::write(&dir, &format!("{name}.gz"), &gzip(&bytes));
        assert_eq!(read(&p).time_step, want, "{name}.gz");
    }
    // NIfTI-2: pixdim is double[8] at 104, xyzt_units an int32 at 500.
    let nifti2_with = |pixdim4: f64, units: i32| {
        let mut b = nifti2(&[4, 1, 1, 2], 16, 0, &[], &le_f32(&[0.0; 8]));
        b[136..144].copy_from_slice(&pixdim4.to_le_bytes());
        b[500..504].copy_from_slice(&units.to_le_bytes());
        b
    };
    let p = util::write(&dir, "ms2.nii", &nifti2_with(1250.0, 0x10));
    assert_eq!(read(&p).time_step, step(1.25, "NIfTI pixdim[4] in ms"));
    let p = util::write(&dir, "hz2.nii", &nifti2_with(1250.0, 0x20));
    assert_eq!(read(&p).time_step, None);
}

// ---- GIfTI ----

/// A GIfTI of `frames` ASCII arrays of 3 values; `array_meta` goes in each DataArray's
/// MetaData, `file_meta` in the file's.
fn gifti(frames: usize, array_meta: &str, file_meta: &str) -> String {
    let array = format!(
        "<DataArray Intent=\"NIFTI_INTENT_TIME_SERIES\" DataType=\"NIFTI_TYPE_FLOAT32\" \
         ArrayIndexingOrder=\"RowMajorOrder\" Dimensionality=\"1\" Dim0=\"3\" \
         Encoding=\"ASCII\" Endian=\"LittleEndian\">\
         <MetaData>{array_meta}</MetaData><Data>1 2 3</Data></DataArray>\n"
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GIFTI Version=\"1.0\" \
         NumberOfDataArrays=\"{frames}\">\n<MetaData>{file_meta}</MetaData>\n{}</GIFTI>\n",
        array.repeat(frames)
    )
}

fn md(name: &str, value: &str) -> String {
    format!("<MD><Name><![CDATA[{name}]]></Name><Value><![CDATA[{value}]]></Value></MD>")
}

#[test]
fn timestep_gifti_metadata() {
    let dir = util::out_dir("timestep_gifti");
    let g = "GIfTI TimeStep";
    let cases: Vec<(&str, String, Option<TimeStep>)> = vec![
        (
            "arrays.gii",
            gifti(3, &md("TimeStep", "2.500000"), ""),
            step(2.5, g),
        ),
        (
            "file.gii",
            gifti(3, "", &md("TimeStep", "0.72")),
            step(0.72, g),
        ),
        // The arrays' own value first.
        (
            "both.gii",
            gifti(2, &md("TimeStep", "2"), &md("TimeStep", "3")),
            step(2.0, g),
        ),
        // gifticlib's 0.000000 where it knows none falls through to the file's.
        (
            "zero_then_file.gii",
            gifti(2, &md("TimeStep", "0.000000"), &md("TimeStep", "1.5")),
            step(1.5, g),
        ),
        ("zero.gii", gifti(2, &md("TimeStep", "0.000000"), ""), None),
        (
            "text.gii",
            gifti(2, &md("TimeStep", "two seconds"), ""),
            None,
        ),
        ("negative.gii", gifti(2, &md("TimeStep", "-1"), ""), None),
        ("none.gii", gifti(2, &md("Name", "run"), ""), None),
    ];
    for (name, text, want) in cases {
        let ov = read(&util::write(&dir, name, text.as_bytes()));
        assert_eq!(ov.time_step, want, "{name}");
    }
}

// ---- CIFTI-2 ----

/// A dtseries (intent 3002): a series of `points` on dimension 0 with `series_attrs`, the
/// left cortex of 4 vertices (0 and 2 listed) on dimension 1.
fn dtseries(points: i64, series_attrs: &str) -> Vec<u8> {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CIFTI Version="2">
 <Matrix>
  <MatrixIndicesMap AppliesToMatrixDimension="0" IndicesMapToDataType="CIFTI_INDEX_TYPE_SERIES"
    NumberOfSeriesPoints="{points}" SeriesStart="0" {series_attrs}/>
  <MatrixIndicesMap AppliesToMatrixDimension="1" IndicesMapToDataType="CIFTI_INDEX_TYPE_BRAIN_MODELS">
   <BrainModel IndexOffset="0" IndexCount="2" ModelType="CIFTI_MODEL_TYPE_SURFACE"
     BrainStructure="CIFTI_STRUCTURE_CORTEX_LEFT" SurfaceNumberOfVertices="4">
    <VertexIndices>0 2</VertexIndices>
   </BrainModel>
  </MatrixIndicesMap>
 </Matrix>
</CIFTI>"#
    );
    let data: Vec<f32> = (0..points * 2).map(|i| i as f32).collect();
    nifti2(
        &[1, 1, 1, 1, points, 2],
        16,
        3002,
        &extension(32, &xml),
        &le_f32(&data),
    )
}

#[test]
fn timestep_cifti_series() {
    let dir = util::out_dir("timestep_cifti");
    let c = "CIFTI SeriesStep";
    let attrs = |step: &str, exponent: &str, unit: &str| {
        format!("SeriesStep=\"{step}\" SeriesExponent=\"{exponent}\" SeriesUnit=\"{unit}\"")
    };
    let cases: Vec<(&str, i64, String, Option<TimeStep>)> = vec![
        ("s.nii", 3, attrs("0.72", "0", "SECOND"), step(0.72, c)),
        ("ms.nii", 3, attrs("700", "-3", "SECOND"), step(0.7, c)),
        ("ks.nii", 2, attrs("1.5", "3", "SECOND"), step(1500.0, c)),
        // Spectra and spatial or angular series: their step is no time.
        ("hz.nii", 3, attrs("0.5", "0", "HERTZ"), None),
        ("m.nii", 3, attrs("0.5", "0", "METER"), None),
        ("rad.nii", 3, attrs("0.5", "0", "RADIAN"), None),
        ("zero.nii", 3, attrs("0", "0", "SECOND"), None),
        ("text.nii", 3, attrs("fast", "0", "SECOND"), None),
    ];
    for (name, points, series, want) in cases {
        let ov = read(&util::write(&dir, name, &dtseries(points, &series)));
        assert_eq!((ov.n_vertices, ov.n_frames), (4, points as usize), "{name}");
        assert_eq!(ov.time_step, want, "{name}");
    }
    // nibabel's dtseries (step 0.72 s), and a dscalar's maps, which have no time step.
    let ov = read(&cifti_data("lh.dtseries.nii"));
    assert_eq!(ov.time_step, step(0.72, c));
    assert_eq!(read(&cifti_data("lr.dscalar.nii")).time_step, None);
}

// ---- inspect ----

#[test]
fn timestep_inspect_text_and_json() {
    let dir = util::out_dir("timestep_inspect");
    let with = util::write(&dir, "tr.mgh", &mgh(3, 2, &mrparams(2000.0)));
    let without = util::write(&dir, "none.mgh", &mgh(3, 2, &[]));
    let run = |args: &[&Path], json: bool| {
        let mut cmd = util::surfrender();
        cmd.arg("inspect");
        if json {
            cmd.arg("--json");
        }
        let out = cmd.args(args).output().expect("run inspect");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    };
    let text = run(&[&with, &without], false);
    let (first, second) = text.split_once("none.mgh").expect("both files described");
    assert!(
        first.contains("\n  vertices 3, frames 2\n  time step 2 s (MGH TR)\n  frame 0:"),
        "{text}"
    );
    assert!(!second.contains("time step"), "{text}");
    let v: Value = serde_json::from_str(&run(&[&with, &without], true)).expect("JSON");
    let key = |p: &Path| p.display().to_string();
    assert_eq!(v[key(&with)]["time_step_s"], json!(2.0));
    assert_eq!(v[key(&with)]["time_step_source"], json!("MGH TR"));
    assert!(v[key(&without)].get("time_step_s").is_none());
}

// ---- the shared corpus ----

/// The real run: rh of fsaverage5, 652 frames, TR 1000 ms; frames 0 and 651 through
/// `inspect --json` against nibabel's numbers in ../shared/data/timeseries/README.md.
#[test]
fn timestep_corpus_resting_state_mgz() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let path = shared
        .join("timeseries")
        .join("sub-010188_ses-02_task-rest_acq-AP_run-01.fsa5.rh.mgz");
    let out = util::surfrender()
        .args(["inspect", "--json"])
        .arg(&path)
        .output()
        .expect("run inspect");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: Value = serde_json::from_slice(&out.stdout).expect("inspect JSON");
    let v = &all[path.display().to_string()];
    assert_eq!(v["n_vertices"], json!(10242));
    assert_eq!(v["n_frames"], json!(652));
    assert_eq!(v["time_step_s"], json!(1.0));
    assert_eq!(v["time_step_source"], json!("MGH TR"));
    // nibabel 5.4.2, get_fdata(): n, min, max, mean, std, v0, v1, v100, vlast.
    let readme = [
        (
            0,
            [
                -1.3157703876495361,
                2.3922812938690186,
                0.2976042044789417,
                0.48591448702245904,
                0.43072327971458435,
                0.8506898283958435,
                0.060250602662563324,
                -0.2714681923389435,
            ],
        ),
        (
            651,
            [
                -2.0412373542785645,
                2.2388741970062256,
                -0.01617168907044655,
                0.6438351983420603,
                -0.9718580842018127,
                0.688450038433075,
                -0.9548795819282532,
                0.222523495554924,
            ],
        ),
    ];
    let fields = ["min", "max", "mean", "std", "v0", "v1", "v100", "vlast"];
    for (frame, want) in readme {
        let f = &v["frames"][frame];
        assert_eq!(f["n"], json!(10242), "frame {frame} n");
        assert_eq!(f["n_nonfinite"], json!(0), "frame {frame} n_nonfinite");
        for (field, w) in fields.iter().zip(want) {
            let got = f[field].as_f64().unwrap_or(f64::NAN);
            util::close(
                got,
                &json!(w),
                1e-5,
                1e-6,
                &format!("frame {frame} {field}"),
            );
        }
    }
    // The library gives the same time step.
    assert_eq!(read(&path).time_step, step(1.0, "MGH TR"));
}

/// The corpus's other files with frames state no time step: gifticlib writes TimeStep
/// 0.000000 on every array of task.func.gii, and the MGH and NIfTI overlays have one frame.
#[test]
fn timestep_corpus_others_have_none() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let ov = read(&shared.join("real/nibabel/task.func.gii"));
    assert_eq!((ov.n_frames, ov.time_step.clone()), (10, None));
    for name in [
        "lh.stat.mgh",
        "lh.stat.mgz",
        "lh.stat.nii.gz",
        "lh.stat.nii2.nii",
        "lh.curv.nii",
    ] {
        let ov = read(&shared.join("fsaverage5/overlays").join(name));
        assert_eq!(ov.time_step, None, "{name}");
    }
}
