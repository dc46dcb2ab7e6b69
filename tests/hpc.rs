//! The SLURM and Snakemake integrations (examples/slurm, examples/snakemake) run for real:
//! a single-node SLURM cluster started from Debian's slurm-wlm and munge packages by
//! `tests/hpc/slurm-cluster.sh`, and Snakemake (env `SURFRENDER_SNAKEMAKE`, else
//! `snakemake` on PATH). Where either cannot be had the test says SKIPPED, or fails under
//! `SURFRENDER_REQUIRE_SERVICES=1` (set by `.ci/run`).
//!
//! A test binary of its own (`cargo test --test hpc`): it starts daemons and waits on a
//! scheduler, which the fast tests should not share a process with. The cluster is started
//! once for the tests that need it and, when this process started it, stopped after the last
//! of them (`SURFRENDER_KEEP_CLUSTER=1` leaves it running); one already running is reused.
//!
//! The study is 24 FreeSurfer subjects `sub-01`..`sub-24`, each `surf/` folder symlinks to
//! the repository's fsaverage5.

#[path = "util.rs"]
mod util;

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use util::{names, out_dir, root};

/// How long a submission or workflow may take before the test gives up.
const TIMEOUT: Duration = Duration::from_secs(240);

fn require_services() -> bool {
    std::env::var_os("SURFRENDER_REQUIRE_SERVICES").is_some_and(|v| v == "1")
}

/// Skips (prints SKIPPED, returns `None`) or, under `SURFRENDER_REQUIRE_SERVICES=1`, fails.
fn unavailable<T>(why: &str) -> Option<T> {
    if require_services() {
        panic!("SURFRENDER_REQUIRE_SERVICES=1 but {why}");
    }
    eprintln!("SKIPPED: {why}");
    None
}

fn surfrender_bin() -> &'static str {
    env!("CARGO_BIN_EXE_surfrender")
}

/// A study of `n` subjects `sub-01`, `sub-02`, ... in `dir/subjects`, each with
/// `surf/{lh,rh}.{inflated,curv,thickness,white,pial}` symlinked to data/fsaverage5.
fn study(dir: &Path, n: usize) -> PathBuf {
    let subjects = dir.join("subjects");
    for i in 1..=n {
        let surf = subjects.join(format!("sub-{i:02}")).join("surf");
        std::fs::create_dir_all(&surf).unwrap();
        for h in ["lh", "rh"] {
            for f in ["inflated", "curv", "thickness", "white", "pial"] {
                let name = format!("{h}.{f}");
                std::os::unix::fs::symlink(util::data(&name), surf.join(&name)).unwrap();
            }
        }
    }
    subjects
}

/// examples/qc.toml made small (400 pixels wide) and fast, as `dir/qc.toml`.
fn small_spec(dir: &Path) -> PathBuf {
    let base = std::fs::read_to_string(root().join("examples/qc.toml")).unwrap();
    let spec = dir.join("qc.toml");
    std::fs::write(&spec, format!("{base}\nsize = \"400x\"\n")).unwrap();
    spec
}

/// Runs `cmd` with its output in `dir/NAME.out` and `dir/NAME.err`, for at most
/// [`TIMEOUT`]; returns whether it succeeded and both outputs (a timeout kills it and fails
/// the test).
fn run_logged(cmd: &mut Command, dir: &Path, name: &str) -> (bool, String) {
    let (out, err) = (
        dir.join(format!("{name}.out")),
        dir.join(format!("{name}.err")),
    );
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("{name}: cannot start {cmd:?}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let text = format!(
        "{}{}",
        std::fs::read_to_string(&out).unwrap_or_default(),
        std::fs::read_to_string(&err).unwrap_or_default()
    );
    let Some(status) = status else {
        panic!("{name}: still running after {TIMEOUT:?}, killed:\n{text}");
    };
    eprintln!("{name}: {status} in {:.1}s", start.elapsed().as_secs_f64());
    (status.success(), text)
}

// ---------------------------------------------------------------------------------------
// The cluster

/// Tests using the cluster now, and whether this process started it.
static CLUSTER: Mutex<(usize, bool)> = Mutex::new((0, false));

/// A use of the single-node cluster; dropping the last one stops the daemons this process
/// started.
struct Cluster;

fn cluster_script(arg: &str) -> std::process::Output {
    Command::new(root().join("tests/hpc/slurm-cluster.sh"))
        .arg(arg)
        .output()
        .expect("run tests/hpc/slurm-cluster.sh")
}

/// The cluster, started (or reused) by `slurm-cluster.sh up`; `None` (SKIPPED) where it
/// cannot be started.
fn cluster() -> Option<Cluster> {
    let mut c = CLUSTER.lock().unwrap_or_else(|e| e.into_inner());
    if c.0 == 0 {
        let o = cluster_script("up");
        let stdout = String::from_utf8_lossy(&o.stdout);
        if !o.status.success() {
            let stderr = String::from_utf8_lossy(&o.stderr);
            return unavailable(&format!(
                "no SLURM cluster (slurm-cluster.sh up):\n{stderr}"
            ));
        }
        c.1 = stdout.lines().last() == Some("started");
    }
    c.0 += 1;
    Some(Cluster)
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let mut c = CLUSTER.lock().unwrap_or_else(|e| e.into_inner());
        c.0 -= 1;
        let keep = std::env::var_os("SURFRENDER_KEEP_CLUSTER").is_some_and(|v| v == "1");
        if c.0 == 0 && c.1 && !keep {
            let o = cluster_script("down");
            eprint!("{}", String::from_utf8_lossy(&o.stderr));
            c.1 = false;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Checks on what a run left

/// The figures `sub-01.png` .. in `out`, each 400 pixels wide with its sidecar.
#[track_caller]
fn assert_figures(out: &Path, n: usize) {
    let all = names(out);
    for i in 1..=n {
        let png = format!("sub-{i:02}.png");
        assert!(
            all.contains(&png),
            "{png} missing in {}: {all:?}",
            out.display()
        );
        assert!(all.contains(&format!("{png}.json")), "{png}.json missing");
        let img = image::open(out.join(&png)).expect("read figure");
        assert_eq!(img.width(), 400, "{png} width");
    }
    let pngs = all.iter().filter(|f| f.ends_with(".png")).count();
    assert_eq!(pngs, n, "figures in {}: {all:?}", out.display());
}

/// `out/index.html` exists and names every subject.
#[track_caller]
fn assert_report(out: &Path, n: usize) {
    let html = std::fs::read_to_string(out.join("index.html"))
        .unwrap_or_else(|e| panic!("{}/index.html: {e}", out.display()));
    for i in 1..=n {
        let s = format!("sub-{i:02}");
        assert!(html.contains(&s), "index.html does not name {s}");
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

// ---------------------------------------------------------------------------------------
// SLURM

/// Runs examples/slurm/submit.sh in `dir` over `subjects` with `tasks` array tasks, writing
/// to `dir/qc`, and waits for the report job (QC_WAIT=1): whether it succeeded, and what
/// it printed.
fn submit(dir: &Path, subjects: &Path, spec: &Path, tasks: usize) -> (bool, String) {
    run_logged(
        Command::new(root().join("examples/slurm/submit.sh"))
            .current_dir(dir)
            .env("SUBJECTS_DIR", subjects)
            .env("QC_SUBJECTS", "sub-*")
            .env("QC_SPEC", spec)
            .env("QC_OUT", dir.join("qc"))
            .env("QC_TASKS", tasks.to_string())
            .env("QC_WAIT", "1")
            .env("SURFRENDER", surfrender_bin()),
        dir,
        "submit",
    )
}

/// The files in `dir` one after the other, each under its name (nothing when `dir` is missing).
fn read_all(dir: &Path) -> String {
    if !dir.is_dir() {
        return String::new();
    }
    names(dir)
        .iter()
        .map(|f| {
            format!(
                "--- {f}\n{}",
                std::fs::read_to_string(dir.join(f)).unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn slurm_array_renders_every_subject() {
    const N: usize = 24;
    const TASKS: usize = 4;
    let Some(_cluster) = cluster() else { return };
    let dir = out_dir("slurm_array_renders_every_subject");
    let subjects = study(&dir, N);
    let spec = small_spec(&dir);
    let out = dir.join("qc");

    let (ok, text) = submit(&dir, &subjects, &spec, TASKS);
    let logs = out.join("logs");
    let job_logs = read_all(&logs);
    assert!(ok, "submit.sh failed:\n{text}\n{job_logs}");

    assert_figures(&out, N);
    assert_report(&out, N);
    assert!(!out.join("batch.json").exists(), "a shard wrote batch.json");

    // Task I rendered rows I, I+4, ... (0-based; `row` is 1-based), each row once.
    let mut seen = BTreeSet::new();
    for i in 0..TASKS {
        let name = format!("batch-shard-{i}-of-{TASKS}.json");
        let b = read_json(&out.join(&name));
        assert_eq!(b["shard"]["index"], i, "{name}: shard");
        assert_eq!(b["shard"]["count"], TASKS, "{name}: shard");
        assert_eq!(b["counts"]["written"], N / TASKS, "{name}: counts");
        assert_eq!(b["counts"]["failed"], 0, "{name}: counts");
        let figures = b["figures"].as_array().expect("figures");
        assert_eq!(figures.len(), N / TASKS, "{name}: figures");
        for f in figures {
            let row = f["row"].as_u64().expect("row") as usize;
            assert_eq!((row - 1) % TASKS, i, "{name}: row {row} is not its shard's");
            assert!(seen.insert(row), "row {row} rendered by two shards");
            // Rows are the subjects in sorted order.
            assert_eq!(f["subject"], format!("sub-{row:02}"), "{name}: row {row}");
            assert_eq!(f["status"], "written", "{name}: row {row}");
        }
        // The task says where its shard came from.
        let task_log = std::fs::read_to_string(
            names(&logs)
                .iter()
                .find(|f| f.starts_with("qc-") && f.ends_with(&format!("_{i}.out")))
                .map(|f| logs.join(f))
                .unwrap_or_else(|| panic!("no log of task {i} in {}", logs.display())),
        )
        .unwrap();
        assert!(task_log.contains("SLURM"), "task {i} log:\n{task_log}");
    }
    assert_eq!(seen, (1..=N).collect::<BTreeSet<_>>(), "rows rendered");
}

/// A task whose subject cannot be drawn fails (batch exits 3), so the report job's
/// afterok dependency can never be met: SLURM cancels it and submit.sh says so and fails.
#[test]
fn slurm_failed_task_cancels_report() {
    let Some(_cluster) = cluster() else { return };
    let dir = out_dir("slurm_failed_task_cancels_report");
    let subjects = study(&dir, 2);
    std::fs::remove_file(subjects.join("sub-02/surf/lh.thickness")).unwrap();
    let spec = small_spec(&dir);
    let out = dir.join("qc");

    let (ok, text) = submit(&dir, &subjects, &spec, 2);
    assert!(!ok, "submit.sh succeeded with a failed task:\n{text}");
    assert!(text.contains("JobState=CANCELLED"), "submit.sh:\n{text}");
    assert!(
        !out.join("index.html").exists(),
        "the report ran after a failed task"
    );
    let b = read_json(&out.join("batch-shard-1-of-2.json"));
    assert_eq!(b["counts"]["failed"], 1, "{b}");
    assert_eq!(b["figures"][0]["subject"], "sub-02", "{b}");
    assert!(out.join("sub-01.png").is_file(), "the other task's figure");
}

// ---------------------------------------------------------------------------------------
// Snakemake

/// The Snakemake to run: env `SURFRENDER_SNAKEMAKE`, else `snakemake` on PATH.
fn snakemake() -> Option<PathBuf> {
    let exe = match std::env::var_os("SURFRENDER_SNAKEMAKE") {
        Some(p) => PathBuf::from(p),
        None => std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join("snakemake"))
            .find(|p| p.is_file())?,
    };
    match Command::new(&exe).arg("--version").output() {
        Ok(o) if o.status.success() => Some(exe),
        _ => None,
    }
}

fn snakemake_or_skip() -> Option<PathBuf> {
    snakemake()
        .or_else(|| unavailable("no snakemake (set SURFRENDER_SNAKEMAKE or put snakemake on PATH)"))
}

/// A Snakemake command for examples/snakemake over `subjects`, run in `dir`, writing
/// to `dir/qc`.
fn workflow(exe: &Path, dir: &Path, subjects: &Path, spec: &Path) -> Command {
    let mut c = Command::new(exe);
    c.current_dir(dir)
        .arg("-s")
        .arg(root().join("examples/snakemake/Snakefile"))
        .arg("--config")
        .arg(format!("subjects_dir={}", subjects.display()))
        .arg("subjects=sub-*")
        .arg(format!("spec={}", spec.display()))
        .arg(format!("outdir={}", dir.join("qc").display()))
        .arg(format!("surfrender={}", surfrender_bin()));
    c
}

fn mtime(p: &Path) -> SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

#[test]
fn snakemake_local_renders_and_reruns_only_changed() {
    const N: usize = 6;
    let Some(exe) = snakemake_or_skip() else {
        return;
    };
    let dir = out_dir("snakemake_local_renders_and_reruns_only_changed");
    let subjects = study(&dir, N);
    let spec = small_spec(&dir);
    let out = dir.join("qc");

    let (ok, text) = run_logged(
        workflow(&exe, &dir, &subjects, &spec).args(["--cores", "2"]),
        &dir,
        "first",
    );
    assert!(ok, "snakemake failed:\n{text}");
    assert_figures(&out, N);
    assert_report(&out, N);

    // sub-03's thickness changes: its symlink becomes a file, newer than the figures and
    // with other values (Snakemake does not re-run for a newer file with the same checksum).
    let before: Vec<SystemTime> = names(&out)
        .iter()
        .filter(|f| f.ends_with(".png"))
        .map(|f| mtime(&out.join(f)))
        .collect();
    let changed = subjects.join("sub-03/surf/lh.thickness");
    std::fs::remove_file(&changed).unwrap();
    std::fs::copy(util::data("rh.thickness"), &changed).unwrap();

    // A dry run names what would run: sub-03's figure and the report, nothing else.
    let (ok, dry) = run_logged(
        workflow(&exe, &dir, &subjects, &spec).args(["--cores", "2", "-n"]),
        &dir,
        "dry-run",
    );
    assert!(ok, "snakemake -n failed:\n{dry}");
    let figures: Vec<&str> = dry
        .lines()
        .filter_map(|l| l.trim().strip_prefix("wildcards: subject="))
        .collect();
    assert_eq!(
        figures,
        ["sub-03"],
        "figures the dry run would make:\n{dry}"
    );
    assert!(
        dry.contains("rule report:"),
        "dry run without the report:\n{dry}"
    );

    let index_before = mtime(&out.join("index.html"));
    let (ok, text) = run_logged(
        workflow(&exe, &dir, &subjects, &spec).args(["--cores", "2"]),
        &dir,
        "second",
    );
    assert!(ok, "snakemake failed:\n{text}");
    let pngs: Vec<String> = names(&out)
        .into_iter()
        .filter(|f| f.ends_with(".png"))
        .collect();
    for (f, t) in pngs.iter().zip(&before) {
        let remade = mtime(&out.join(f)) != *t;
        assert_eq!(remade, f == "sub-03.png", "{f} remade: {remade}");
    }
    assert_ne!(
        mtime(&out.join("index.html")),
        index_before,
        "report not remade"
    );
}

#[test]
fn snakemake_through_slurm() {
    const N: usize = 3;
    let Some(exe) = snakemake_or_skip() else {
        return;
    };
    let Some(_cluster) = cluster() else { return };
    let dir = out_dir("snakemake_through_slurm");
    let subjects = study(&dir, N);
    let spec = small_spec(&dir);
    let out = dir.join("qc");
    let slurm_logs = dir.join("slurm-logs");
    std::fs::create_dir_all(&slurm_logs).unwrap();

    let submit = format!(
        "sbatch --parsable --partition=debug --cpus-per-task={{threads}} --output={}/slurm-%j.out",
        slurm_logs.display()
    );
    let (ok, text) = run_logged(
        workflow(&exe, &dir, &subjects, &spec)
            .args(["--executor", "cluster-generic"])
            .arg("--cluster-generic-submit-cmd")
            .arg(&submit)
            .args(["--jobs", "3", "--latency-wait", "5"]),
        &dir,
        "snakemake",
    );
    assert!(ok, "snakemake through SLURM failed:\n{text}");
    assert_figures(&out, N);
    assert_report(&out, N);
    // Every figure and the report ran as a SLURM job, each with its log.
    let jobs = names(&slurm_logs);
    assert_eq!(jobs.len(), N + 1, "SLURM job logs: {jobs:?}");
}
