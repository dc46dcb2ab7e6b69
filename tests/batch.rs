//! Batch runs (`surfrender batch`) and what they rely on in single figures: a spec's bare
//! names meaning the subject's files, and `{subject}` in titles.

use std::path::{Path, PathBuf};

use crate::util::{self, data, out_dir, surfrender};

/// A subjects folder of `names`, each `surf/` linking to the repository's fsaverage5.
fn study(dir: &Path, names: &[&str]) -> PathBuf {
    let sd = dir.join("subjects");
    for n in names {
        let surf = sd.join(n).join("surf");
        std::fs::create_dir_all(&surf).unwrap();
        for f in ["inflated", "curv", "thickness", "white", "pial"] {
            for h in ["lh", "rh"] {
                let name = format!("{h}.{f}");
                std::os::unix::fs::symlink(data(&name), surf.join(&name)).unwrap();
            }
        }
    }
    sd
}

/// A spec elsewhere than the subjects, naming the overlay by its bare name, serves any
/// subject: `thickness` is the subject's `surf/<hemi>.thickness`, and the title names it.
#[test]
fn a_spec_serves_every_subject() {
    let dir = out_dir("batch_spec_subject");
    let sd = study(&dir, &["bert", "ernie"]);
    let spec = dir.join("specs").join("qc.toml");
    std::fs::create_dir_all(spec.parent().unwrap()).unwrap();
    std::fs::write(
        &spec,
        // One item of a list field may be written plainly.
        "overlay = \"thickness\"\ntitle = \"{subject} thickness\"\nsize = \"400x300\"\n",
    )
    .unwrap();
    let printed = util::succeeds(
        surfrender()
            .args([
                "--spec".as_ref(),
                spec.as_os_str(),
                "--subject".as_ref(),
                "ernie".as_ref(),
            ])
            .arg("--subjects-dir")
            .arg(&sd)
            .arg("--print-spec"),
    );
    let text = String::from_utf8_lossy(&printed.stdout);
    assert!(text.contains("\"thickness\""), "{text}");
    for subject in ["bert", "ernie"] {
        let png = dir.join(format!("{subject}.png"));
        util::succeeds(
            surfrender()
                .arg("--spec")
                .arg(&spec)
                .args(["--subject", subject, "--subjects-dir"])
                .arg(&sd)
                .arg("-o")
                .arg(&png),
        );
        let side = std::fs::read_to_string(dir.join(format!("{subject}.png.json"))).unwrap();
        let want = sd.join(subject).join("surf").join("lh.thickness");
        assert!(side.contains(&*want.to_string_lossy()), "{side}");
    }
    // The titles differ (the subject's name is drawn), the brains do not.
    let a = image::open(dir.join("bert.png")).unwrap().to_rgb8();
    let b = image::open(dir.join("ernie.png")).unwrap().to_rgb8();
    assert_eq!(a.dimensions(), b.dimensions());
    let rows_differing: Vec<u32> = (0..a.height())
        .filter(|&y| (0..a.width()).any(|x| a.get_pixel(x, y) != b.get_pixel(x, y)))
        .collect();
    assert!(
        !rows_differing.is_empty(),
        "the title does not name the subject"
    );
    assert!(
        *rows_differing.last().unwrap() < a.height() / 5,
        "only the title rows may differ: {rows_differing:?}"
    );
}

/// Runs `surfrender batch ARGS`, returning (exit code, stderr).
fn batch(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = surfrender().arg("batch").args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), err)
}

/// `batch.json` (or a shard's record) of `dir`.
fn record(dir: &Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(name)).expect("batch record");
    serde_json::from_str(&text).unwrap()
}

/// The statuses of a record's figures by subject.
fn statuses(rec: &serde_json::Value) -> Vec<(String, String)> {
    rec["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("subject"), s("status"))
        })
        .collect()
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

/// A study of subjects with the small spec and an output folder, as most tests here use.
struct Study {
    dir: PathBuf,
    sd: PathBuf,
    spec: PathBuf,
    out: PathBuf,
}

impl Study {
    fn new(test: &str, names: &[&str]) -> Study {
        let dir = out_dir(test);
        let sd = study(&dir, names);
        let spec = util::write(&dir, "qc.toml", SMALL.as_bytes());
        let out = dir.join("qc");
        Study { dir, sd, spec, out }
    }

    /// `--subjects-dir SD --spec SPEC -O OUT`, then `more`.
    fn args<'a>(&'a self, more: &[&'a str]) -> Vec<&'a std::ffi::OsStr> {
        let mut a = vec![
            os("--subjects-dir"),
            self.sd.as_os_str(),
            os("--spec"),
            self.spec.as_os_str(),
            os("-O"),
            self.out.as_os_str(),
        ];
        a.extend(more.iter().map(|m| os(m)));
        a
    }
}

const SMALL: &str =
    "overlay = [\"thickness\"]\nthreshold = 2.5\nrange = [2.5, 4.0]\nsize = \"400x300\"\n";

/// A subjects directory: one figure per subject, a broken subject reported with its
/// reason while the others are made (exit 3), a re-run skipping what is up to date, a
/// changed input drawn again, and --force drawing everything.
#[test]
fn batch_goes_on_past_failures_and_skips_what_is_up_to_date() {
    let st = Study::new("batch_subjects", &["sub-01", "sub-02", "sub-03", "other"]);
    let (sd, out) = (st.sd.clone(), st.out.clone());
    std::fs::remove_file(sd.join("sub-02/surf/rh.thickness")).unwrap();
    let args = st.args(&["--subjects", "sub-*"]);
    let (code, err) = batch(&args);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("row 2 sub-02: FAILED: cannot read") && err.contains("rh.thickness"),
        "{err}"
    );
    assert!(err.contains("2 written, 0 up to date, 1 failed"), "{err}");
    let rec = record(&out, "batch.json");
    let want = |a: &str, b: &str, c: &str| {
        vec![
            ("sub-01".to_string(), a.to_string()),
            ("sub-02".to_string(), b.to_string()),
            ("sub-03".to_string(), c.to_string()),
        ]
    };
    assert_eq!(statuses(&rec), want("written", "failed", "written"));
    assert!(rec["figures"][1]["error"]
        .as_str()
        .unwrap()
        .contains("rh.thickness"));
    assert!(!out.join("sub-02.png").exists() && !out.join("other.png").exists());
    // The report page: every subject, the failure with its reason, thumbnails made by
    // the batch from the images in hand.
    let page = std::fs::read_to_string(out.join("index.html")).expect("the report page");
    for s in ["sub-01", "sub-02", "sub-03"] {
        assert!(page.contains(s), "{s} not in the report");
    }
    assert!(
        page.contains("rh.thickness"),
        "the failure's reason is not in the report"
    );
    for s in ["sub-01", "sub-03"] {
        let thumb = image::open(out.join("thumbs").join(format!("{s}.png"))).unwrap();
        // The figures are 400 px wide, and a thumbnail is never enlarged.
        assert_eq!(thumb.width(), surfrender::report::THUMB_WIDTH.min(400));
    }
    assert!(
        err.contains("report: ") && err.contains("index.html"),
        "{err}"
    );
    let side: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sub-03.png.json")).unwrap())
            .unwrap();
    assert_eq!(side["batch"]["row"], 3);
    assert_eq!(side["batch"]["values"]["subject"], "sub-03");
    assert_eq!(side["facts"]["subject"], "sub-03");
    assert_eq!(side["facts"]["surfaces"][0]["vertices"], 10242);

    // The broken subject mended: only it is drawn.
    std::os::unix::fs::symlink(data("rh.thickness"), sd.join("sub-02/surf/rh.thickness")).unwrap();
    let (code, err) = batch(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        statuses(&record(&out, "batch.json")),
        want("up to date", "written", "up to date")
    );

    // A changed input (a new copy, so a new modification time) is drawn again.
    let thick = sd.join("sub-01/surf/lh.thickness");
    std::fs::remove_file(&thick).unwrap();
    std::fs::copy(data("lh.thickness"), &thick).unwrap();
    let (code, err) = batch(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        statuses(&record(&out, "batch.json")),
        want("written", "up to date", "up to date")
    );
    // The same bytes: up to date by hash, whatever the time says.
    let mut hashed = args.to_vec();
    hashed.push(os("--check-hashes"));
    filetime_touch(&thick);
    let (code, _) = batch(&hashed);
    assert_eq!(code, 0);
    assert_eq!(
        statuses(&record(&out, "batch.json")),
        want("up to date", "up to date", "up to date")
    );

    let mut forced = args.to_vec();
    forced.push(os("--force"));
    let (code, _) = batch(&forced);
    assert_eq!(code, 0);
    assert_eq!(
        statuses(&record(&out, "batch.json")),
        want("written", "written", "written")
    );
}

/// Gives `path` a new modification time by rewriting its bytes.
fn filetime_touch(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(path, bytes).unwrap();
}

/// A batch figure is the figure a single invocation makes of the same row, pixel for
/// pixel, with any number of jobs.
#[test]
fn batch_figures_equal_single_figures() {
    let st = Study::new("batch_equal", &["bert", "ernie", "grover"]);
    let (dir, sd, spec, out) = (
        st.dir.clone(),
        st.sd.clone(),
        st.spec.clone(),
        st.out.clone(),
    );
    let (code, err) = batch(&st.args(&["--jobs", "3"]));
    assert_eq!(code, 0, "{err}");
    for s in ["bert", "ernie", "grover"] {
        let single = dir.join(format!("single-{s}.png"));
        util::succeeds(
            surfrender()
                .arg("--spec")
                .arg(&spec)
                .args(["--subject", s, "--title", "{subject}", "--subjects-dir"])
                .arg(&sd)
                .arg("-o")
                .arg(&single),
        );
        let a = image::open(&single).unwrap().to_rgba8();
        let b = image::open(out.join(format!("{s}.png")))
            .unwrap()
            .to_rgba8();
        assert!(
            a == b,
            "{s}: the batch figure differs from the single figure"
        );
    }
}

/// A manifest: columns are fields or placeholder values (`site`), relative paths are the
/// manifest's, text fields take placeholders, a CSV list is `a;b`, and JSON lines do the
/// same.
#[test]
fn a_manifest_fills_placeholders_and_places_paths() {
    let dir = out_dir("batch_manifest");
    let rows = dir.join("rows");
    std::fs::create_dir_all(&rows).unwrap();
    for f in [
        "lh.inflated",
        "rh.inflated",
        "lh.thickness",
        "rh.thickness",
        "lh.curv",
        "rh.curv",
    ] {
        std::fs::copy(data(f), rows.join(f)).unwrap();
    }
    let csv = util::write(
        &rows,
        "m.csv",
        b"name,site,surfaces,overlay,title,output,threshold,size\n\
          a,X,lh.inflated;rh.inflated,lh.thickness;rh.thickness,{name} at {site},{site}/{name}.png,2.5,400x300\n\
          b,Y,lh.inflated,lh.thickness,row {row},{site}/{name}.png,95%,400x300\n",
    );
    let out = dir.join("out");
    let (code, err) = batch(&[
        csv.as_os_str(),
        os("-O"),
        out.as_os_str(),
        os("--no-report"),
    ]);
    assert_eq!(code, 0, "{err}");
    for (path, title) in [("X/a.png", "a at X"), ("Y/b.png", "row 2")] {
        let side = std::fs::read_to_string(out.join(format!("{path}.json"))).unwrap();
        let side: serde_json::Value = serde_json::from_str(&side).unwrap();
        assert_eq!(side["spec"]["title"], title, "{path}");
        let first = side["inputs"][0]["path"].as_str().unwrap();
        assert!(first.starts_with(&*rows.to_string_lossy()), "{first}");
    }
    let jsonl = util::write(
        &rows,
        "m.jsonl",
        b"{\"surfaces\": [\"lh.inflated\"], \"overlay\": [\"lh.thickness\"], \"output\": \"j-{row}.png\", \"threshold\": 2.5, \"size\": \"400x300\"}\n",
    );
    let (code, err) = batch(&[
        jsonl.as_os_str(),
        os("-O"),
        out.as_os_str(),
        os("--no-report"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.join("j-1.png").is_file());
}

/// A bad manifest is refused before anything is drawn, in one line that names the row
/// or column, with exit status 2 and nothing written.
#[test]
fn bad_manifests_are_refused_before_drawing() {
    let dir = out_dir("batch_bad");
    let sd = study(&dir, &["sub-01"]);
    let cases: &[(&str, &str, &str)] = &[
        (
            "subject,colour\nsub-01,red\n",
            "column 'colour' is not a figure field",
            "",
        ),
        ("subject,tresh\nsub-01,2\n", "did you mean 'threshold'?", ""),
        ("subject,title\nsub-01,{site}\n", "'site'", "row 1"),
        (
            "subject,output\nsub-01,a.png\nsub-01,a.png\n",
            "rows 1 and 2 both write",
            "",
        ),
        ("title,output\nx,x.png\n", "nothing to draw", "row 1"),
        ("title\nx\n", "no output", "row 1"),
        (
            "subject,output\nsub-01,a.gif\n",
            "a batch writes PNG figures",
            "",
        ),
        ("subject,threshold\nsub-01,abc\n", "threshold", "row 1"),
        ("subject,title\nsub-01\n", "line 2", "header has 2"),
    ];
    for (i, (text, says, also)) in cases.iter().enumerate() {
        let m = util::write(&dir, &format!("m{i}.csv"), text.as_bytes());
        let out = dir.join(format!("out{i}"));
        let (code, err) = batch(&[
            m.as_os_str(),
            os("--subjects-dir"),
            sd.as_os_str(),
            os("-O"),
            out.as_os_str(),
        ]);
        assert_eq!(code, 2, "{text}: {err}");
        assert!(err.contains(says) && err.contains(also), "{text}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!out.exists(), "{text}: the output folder was made");
    }
    let (code, err) = batch(&[
        os("--subjects-dir"),
        sd.as_os_str(),
        os("--shard"),
        os("3/2"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("0 <= I < N"), "{err}");
    let file = util::write(&dir, "not-a-folder", b"x");
    let (code, err) = batch(&[
        os("--subjects-dir"),
        sd.as_os_str(),
        os("-O"),
        file.join("x").as_os_str(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot write there") && err.contains("not-a-folder"),
        "{err}"
    );
}

/// A relative `--subjects-dir` is the working folder's, wherever the spec is.
#[test]
fn a_relative_subjects_dir_is_the_working_folders() {
    let dir = out_dir("batch_relative");
    study(&dir, &["sub-01"]);
    let specs = dir.join("elsewhere");
    std::fs::create_dir_all(&specs).unwrap();
    let spec = util::write(&specs, "qc.toml", SMALL.as_bytes());
    util::succeeds(
        surfrender()
            .current_dir(&dir)
            .args(["batch", "--subjects-dir", "subjects", "--spec"])
            .arg(&spec)
            .args(["-O", "out", "--no-report"]),
    );
    assert!(dir.join("out/sub-01.png").is_file());
}

/// Shards split the rows without overlap, `--shard I/N` or a SLURM array task's
/// environment (which the log names), each writing its own record.
#[test]
fn shards_split_the_rows() {
    let names = ["s1", "s2", "s3", "s4", "s5"];
    let st = Study::new("batch_shards", &names);
    let (out, base) = (st.out.clone(), st.args(&[]));
    assert_eq!(batch(&st.args(&["--shard", "0/2"])).0, 0);
    let out_b = surfrender()
        .arg("batch")
        .args(base)
        .env("SLURM_ARRAY_TASK_ID", "11")
        .env("SLURM_ARRAY_TASK_MIN", "10")
        .env("SLURM_ARRAY_TASK_COUNT", "2")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out_b.stderr);
    assert!(out_b.status.success(), "{err}");
    assert!(err.contains("shard 1/2 from SLURM"), "{err}");
    let subjects = |name: &str| -> Vec<String> {
        statuses(&record(&out, name))
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    };
    assert_eq!(subjects("batch-shard-0-of-2.json"), ["s1", "s3", "s5"]);
    assert_eq!(subjects("batch-shard-1-of-2.json"), ["s2", "s4"]);
    assert_eq!(record(&out, "batch-shard-1-of-2.json")["shard"]["index"], 1);
    for n in names {
        assert!(out.join(format!("{n}.png")).is_file(), "{n}");
    }
    assert!(!out.join("batch.json").exists());
    assert!(!out.join("index.html").exists(), "a shard wrote the report");
}

/// A batch killed outright (a node failure, `scancel --signal=KILL`) leaves only whole
/// figures, and the same command run again draws only what is missing.
#[test]
fn a_killed_batch_resumes_where_it_stopped() {
    let names: Vec<String> = (1..=12).map(|i| format!("s{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let st = Study::new("batch_killed", &refs);
    let out = st.out.clone();
    let args = st.args(&["-j", "1"]);
    let mut child = surfrender()
        .arg("batch")
        .args(&args)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pngs = || -> Vec<PathBuf> {
        std::fs::read_dir(&out)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "png"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let start = std::time::Instant::now();
    while pngs().len() < 2 && start.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let made = pngs();
    assert!(
        made.len() >= 2 && made.len() < 12,
        "{} figures before the kill",
        made.len()
    );
    for p in &made {
        image::open(p).unwrap_or_else(|e| panic!("{}: not a whole PNG: {e}", p.display()));
        assert!(
            surfrender::output::sidecar::path(p).is_file(),
            "{} has no sidecar",
            p.display()
        );
    }
    let (code, err) = batch(&args);
    assert_eq!(code, 0, "{err}");
    let rec = record(&out, "batch.json");
    assert_eq!(rec["counts"]["up_to_date"], made.len(), "{err}");
    assert_eq!(rec["counts"]["written"], 12 - made.len(), "{err}");
}
