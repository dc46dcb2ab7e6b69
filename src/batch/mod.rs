//! `surfrender batch`: many figures from one process. Rows come from a manifest (CSV,
//! TSV or JSON lines whose columns are figure fields) or from the subject folders of a
//! subjects directory; a base spec gives what every row shares. Every row is checked
//! before anything is drawn; then worker threads draw them through one renderer, skip
//! figures already up to date, record failures and go on, and write `batch.json` (and,
//! unsharded, the report page). `--shard I/N` or a SLURM job array splits the rows
//! between processes.
//!
//! ```text
//! manifest (rows) + base spec → figures::plan (Jobs, all checked)
//!   → shard (this process's rows) → run (workers, one Renderer) → batch.json, report
//! ```

pub mod figures;
pub mod manifest;
mod progress;
pub mod run;
pub mod shard;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use figures::Job;
pub use manifest::Manifest;
pub use run::{Done, Status};
pub use shard::Shard;

use crate::error::{Error, Result};
use crate::render::{RenderOptions, Renderer};

/// The `batch` subcommand's arguments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BatchArgs {
    /// Manifest: CSV or TSV with a header line, or JSON lines (.jsonl). Its columns are
    /// figure fields as spec files name them (subject, surfaces, overlay, annot, title,
    /// output, threshold, ...; a CSV list is `a;b`) or values for `{column}` placeholders.
    #[arg(value_name = "MANIFEST")]
    pub manifest: Option<PathBuf>,
    /// Base spec (TOML or JSON) that every row's fields override; in subject mode its
    /// bare names (`overlay = ["thickness"]`) are each subject's files.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Subjects directory: without a manifest, one figure per subject folder matching
    /// --subjects; with one, every row's unless it gives its own (default: $SUBJECTS_DIR).
    #[arg(long, value_name = "DIR")]
    pub subjects_dir: Option<PathBuf>,
    /// Which subject folders to draw: a name pattern with * and ? [default: *]
    #[arg(long, value_name = "PATTERN")]
    pub subjects: Option<String>,
    /// Output folder: outputs are placed in it (default `{subject}.png`), with
    /// batch.json and the report page.
    #[arg(short = 'O', long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Figures in flight at once [default: the CPUs available to this process, at most
    /// SLURM_CPUS_PER_TASK].
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Draw rows I, I+N, I+2N, ... (0-based) of the manifest; under a SLURM job array
    /// the task's shard by default.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Draw every figure, even those whose PNG and sidecar are up to date.
    #[arg(long)]
    pub force: bool,
    /// Tell changed inputs by SHA-256 rather than by size and modification time.
    #[arg(long)]
    pub check_hashes: bool,
    /// Do not write the report page (index.html) at the end.
    #[arg(long)]
    pub no_report: bool,
}

/// What a finished batch says.
#[derive(Debug)]
pub struct Outcome {
    /// Each figure, in row order.
    pub done: Vec<Done>,
    /// Lines for the log (shard, summary, failures, report).
    pub lines: Vec<String>,
    /// The run's record (`batch.json`).
    pub record: PathBuf,
}

impl Outcome {
    /// Figures that failed.
    pub fn failed(&self) -> usize {
        self.done
            .iter()
            .filter(|d| d.status == Status::Failed)
            .count()
    }
}

/// The base spec of `--subjects-dir` without `--spec` or a manifest: thickness over
/// curvature, both hemispheres, lateral and medial, on one scale for every subject.
const DEFAULT_QC: &str =
    r#"{"overlay": ["thickness"], "range": [1.0, 4.0], "cbar_label": "thickness (mm)"}"#;

/// Runs a batch; `log` receives progress lines as they happen (the shard chosen). The
/// result is an error only when nothing could start (a bad manifest, an unwritable
/// folder); figures that fail are in [`Outcome::done`].
pub fn run(args: &BatchArgs, verbose: bool, log: &dyn Fn(&str)) -> Result<Outcome> {
    let start = Instant::now();
    let shard = match args.shard {
        Some(s) => Some(s),
        None => Shard::from_slurm(|k| std::env::var(k).ok())?.map(|(s, line)| {
            log(&line);
            s
        }),
    };
    let subjects_dir = args
        .subjects_dir
        .clone()
        .or_else(|| std::env::var_os("SUBJECTS_DIR").map(PathBuf::from));
    let manifest = match (&args.manifest, &subjects_dir) {
        (Some(m), _) => Manifest::read(m)?,
        (None, Some(sd)) => Manifest::subjects(sd, args.subjects.as_deref().unwrap_or("*"))?,
        (None, None) => {
            return Err(Error::Usage(
                "batch needs a MANIFEST or --subjects-dir (or SUBJECTS_DIR); see surfrender batch --help".into(),
            ))
        }
    };
    if args.subjects.is_some() && args.manifest.is_some() {
        return Err(Error::Usage(
            "--subjects picks subject folders; a manifest lists its rows itself".into(),
        ));
    }
    let base = match (&args.spec, &args.manifest) {
        (None, None) => figures::Base::from_json(DEFAULT_QC)?,
        (spec, _) => figures::Base::read(spec.as_deref())?,
    };
    let absolute = std::path::absolute(&args.out_dir).map_err(|source| Error::Write {
        path: args.out_dir.clone(),
        source,
    })?;
    let jobs = figures::plan(&manifest, &base, subjects_dir.as_deref(), &absolute)?;
    let out_dir = writable(&absolute)?;
    let mine: Vec<Job> = jobs
        .into_iter()
        .filter(|j| shard.is_none_or(|s| s.takes(j.index)))
        .collect();
    let renderer = Renderer::new(render_options(&mine));
    let limits = crate::io::Limits::from_env()?;
    let settings = run::Settings {
        jobs: args.jobs.filter(|&n| n > 0).unwrap_or_else(cores),
        force: args.force,
        check_hashes: args.check_hashes,
        verbose,
        limits,
        out_dir: &out_dir,
        // Shards make them too, for the report the job after the array writes.
        thumbnails: !args.no_report,
    };
    let done = run::run(&mine, &renderer, &settings);
    drop(renderer);
    let record = out_dir.join(shard.map_or("batch.json".into(), |s| s.record_name()));
    let doc = run::record(&done, shard, start.elapsed());
    let text =
        serde_json::to_string_pretty(&doc).map_err(|e| Error::serialize("the batch record", e))?;
    crate::output::write_atomic(&record, format!("{text}\n").as_bytes())?;
    let mut lines = run::summary(&done, start.elapsed());
    lines.push(format!("record: {}", record.display()));
    // A shard's report would show only its rows; the job after the array writes it.
    if shard.is_none() && !args.no_report {
        let report = crate::report::write_report(&out_dir)?;
        lines.extend(report.notices.iter().map(|n| format!("report: {n}")));
        lines.push(format!("report: {}", report.page.display()));
    }
    Ok(Outcome {
        done,
        lines,
        record,
    })
}

/// The backend the rows ask for (the first that says); a row asking for another fails
/// alone with a message that says so.
fn render_options(jobs: &[Job]) -> RenderOptions {
    jobs.iter()
        .find_map(|j| j.desc.resolve().ok())
        .map(|spec| crate::figure::render_options(&spec))
        .unwrap_or_default()
}

/// The CPUs this process may use: its affinity and cgroup quota, at most
/// `SLURM_CPUS_PER_TASK` under SLURM.
pub fn cores() -> usize {
    let here = std::thread::available_parallelism().map_or(1, |n| n.get());
    let slurm = std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    slurm.map_or(here, |s| s.min(here))
}

/// The output folder (absolute), made if need be and checked to take files.
fn writable(dir: &Path) -> Result<PathBuf> {
    // Told before anything is drawn, as the other mistakes of a command line are.
    let werr = |e: std::io::Error| {
        Error::Usage(format!(
            "--out-dir {}: cannot write there: {e}",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(werr)?;
    let probe = dir.join(format!(".surfrender-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(werr)?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir.to_path_buf())
}
