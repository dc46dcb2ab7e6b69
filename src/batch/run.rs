//! Drawing the jobs: `jobs` worker threads each take the next row, read its files,
//! build its scene, hand it to the one shared renderer and compose and write it, so one
//! figure's reading and writing overlap another's drawing. A figure that fails is
//! recorded with its error and the run goes on.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};

use super::figures::Job;
use crate::error::{one_line, Error, Result};
use crate::render::Renderer;

/// What became of one figure.
#[derive(Debug, Clone, Serialize)]
pub struct Done {
    /// 1-based row.
    pub row: usize,
    /// The subject, when the row has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The PNG, relative to the output folder when inside it.
    pub output: String,
    /// `written`, `up to date` or `failed`.
    pub status: Status,
    /// Why it failed, in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Seconds this figure took (reading to writing).
    pub seconds: f64,
}

/// A figure's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Drawn and written.
    #[serde(rename = "written")]
    Written,
    /// Its PNG and sidecar match the description and the inputs; not drawn again.
    #[serde(rename = "up to date")]
    UpToDate,
    /// Not made; see the error.
    #[serde(rename = "failed")]
    Failed,
}

/// How to run the jobs.
pub struct Settings<'a> {
    /// Figures in flight at once.
    pub jobs: usize,
    /// Draw even figures that are up to date.
    pub force: bool,
    /// Compare inputs by SHA-256 instead of size and modification time.
    pub check_hashes: bool,
    /// Per-figure log lines (off with --quiet; failures are always told).
    pub verbose: bool,
    /// Reading limits.
    pub limits: crate::io::Limits,
    /// The output folder (outputs are shown relative to it).
    pub out_dir: &'a Path,
    /// Make each figure's report thumbnail from the image in hand, so that the report
    /// need not decode the PNG again.
    pub thumbnails: bool,
}

/// Draws `jobs` and returns what became of each, in row order.
pub fn run(jobs: &[Job], renderer: &Renderer, s: &Settings) -> Vec<Done> {
    // Each figure's buffers serve the next one (see crate::recycle).
    crate::recycle::enable();
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<Done>();
    let mut done = Vec::with_capacity(jobs.len());
    std::thread::scope(|scope| {
        let mut started = 0;
        for w in 0..s.jobs.clamp(1, jobs.len().max(1)) {
            let (tx, next) = (tx.clone(), &next);
            let spawned = std::thread::Builder::new()
                .name(format!("surfrender-batch-{w}"))
                .spawn_scoped(scope, move || work(jobs, next, &tx, renderer, s));
            started += usize::from(spawned.is_ok());
        }
        if started == 0 {
            // No thread at all: draw on this one, one figure after another.
            work(jobs, &next, &tx, renderer, s);
        }
        drop(tx);
        let progress = super::progress::Progress::new(jobs.len(), s.verbose);
        for d in rx {
            progress.done(&d);
            done.push(d);
        }
        progress.finish();
    });
    done.sort_by_key(|d| d.row);
    done
}

/// A worker: takes the next job until none is left.
fn work(
    jobs: &[Job],
    next: &AtomicUsize,
    tx: &mpsc::Sender<Done>,
    renderer: &Renderer,
    s: &Settings,
) {
    while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
        if tx.send(one(job, renderer, s)).is_err() {
            break;
        }
    }
}

/// Makes one figure; never panics out (a panic is the figure's failure).
fn one(job: &Job, renderer: &Renderer, s: &Settings) -> Done {
    let start = Instant::now();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| make(job, renderer, s)))
        .unwrap_or_else(|p| Err(Error::panicked("making the figure", &*p)));
    let (status, error) = match outcome {
        Ok(status) => (status, None),
        Err(e) => (Status::Failed, Some(e.one_line())),
    };
    let output = job.output.strip_prefix(s.out_dir).unwrap_or(&job.output);
    Done {
        row: job.row,
        subject: job.subject.clone(),
        output: output.display().to_string(),
        status,
        error,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// Resolves, checks whether it is up to date, draws and writes one figure.
fn make(job: &Job, renderer: &Renderer, s: &Settings) -> Result<Status> {
    let spec = job.desc.resolve()?;
    if !s.force && up_to_date(job, &spec, s.check_hashes) {
        return Ok(Status::UpToDate);
    }
    if let Some(dir) = job.output.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    crate::output::check_destinations(&job.output, &spec, &[])?;
    let fig = crate::figure::render_figure_within(renderer, &spec, &s.limits)?;
    let extra = [(
        "batch".to_string(),
        json!({ "row": job.row, "values": job.values }),
    )];
    crate::output::write_figure_with(
        &job.output,
        &fig,
        &job.desc,
        &spec,
        extra.into_iter().collect(),
    )?;
    if s.thumbnails {
        let thumb = crate::report::thumbnail_path(s.out_dir, &job.output);
        crate::report::write_thumbnail(&fig.image, &thumb)?;
    }
    crate::recycle::give(fig.image.into_raw());
    Ok(Status::Written)
}

/// Whether the PNG and its sidecar stand for this very figure: the same surfrender, the
/// same effective description, and the same input files, unchanged (size and
/// modification time, or SHA-256 with `hashes`).
fn up_to_date(job: &Job, spec: &crate::FigureSpec, hashes: bool) -> bool {
    let side = crate::output::sidecar::path(&job.output);
    let (Ok(_), Ok(text)) = (std::fs::metadata(&job.output), std::fs::read(&side)) else {
        return false;
    };
    let Ok(doc) = serde_json::from_slice::<Value>(&text) else {
        return false;
    };
    let Ok(want) = job.desc.to_spec_value() else {
        return false;
    };
    if doc["surfrender"] != env!("CARGO_PKG_VERSION") || doc["spec"] != want {
        return false;
    }
    let files = crate::output::sidecar::input_files(spec);
    let Some(recorded) = doc["inputs"].as_array().filter(|r| r.len() == files.len()) else {
        return false;
    };
    files.iter().zip(recorded).all(|(p, r)| {
        if r["path"].as_str() != Some(&*p.display().to_string()) {
            return false;
        }
        let Ok(meta) = std::fs::metadata(p) else {
            return false;
        };
        if r["bytes"].as_u64() != Some(meta.len()) {
            return false;
        }
        if hashes {
            crate::output::sidecar::sha256_file(p)
                .is_ok_and(|(_, hex)| r["sha256"].as_str() == Some(hex.as_str()))
        } else {
            r["mtime_ns"].as_u64() == Some(crate::output::sidecar::mtime_ns(&meta))
        }
    })
}

/// The summary of a run, as `batch.json` holds it.
pub fn record(done: &[Done], shard: Option<super::Shard>, took: Duration) -> Value {
    let count = |st| done.iter().filter(|d| d.status == st).count();
    json!({
        "surfrender": env!("CARGO_PKG_VERSION"),
        "shard": shard.map(|s| json!({ "index": s.index, "count": s.count })),
        "seconds": (took.as_secs_f64() * 1000.0).round() / 1000.0,
        "counts": {
            "written": count(Status::Written),
            "up_to_date": count(Status::UpToDate),
            "failed": count(Status::Failed),
        },
        "figures": done,
    })
}

/// The closing lines: counts, rate, and each failure with its row.
pub fn summary(done: &[Done], took: Duration) -> Vec<String> {
    let count = |st| done.iter().filter(|d| d.status == st).count();
    let written = count(Status::Written);
    let secs = took.as_secs_f64().max(1e-9);
    let rate = match written {
        0 => String::new(),
        n => format!(" ({:.1} figures/s)", n as f64 / secs),
    };
    let mut lines = vec![format!(
        "{written} written, {} up to date, {} failed, in {secs:.1} s{rate}",
        count(Status::UpToDate),
        count(Status::Failed),
    )];
    for d in done.iter().filter(|d| d.status == Status::Failed) {
        let who = d.subject.as_deref().unwrap_or(&d.output);
        let why = d.error.as_deref().unwrap_or("");
        lines.push(format!("failed: row {} {who}: {}", d.row, one_line(why)));
    }
    lines
}
