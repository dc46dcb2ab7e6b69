//! Telling how a batch goes: on a terminal an indicatif bar with count, rate and time
//! left; in a log (a SLURM job's output) one line per figure and a summary line every
//! half minute, so that a tail of the log says how far the job is.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::run::{Done, Status};

/// How often a log gets a summary line.
const EVERY: Duration = Duration::from_secs(30);

/// The bar, or the log's state.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    verbose: bool,
    state: Mutex<State>,
}

struct State {
    done: usize,
    failed: usize,
    start: Instant,
    last: Instant,
}

impl Progress {
    /// Progress over `total` figures; `verbose` logs each figure, not only failures.
    pub fn new(total: usize, verbose: bool) -> Progress {
        let bar = (std::io::stderr().is_terminal() && total > 1).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} figures, {per_sec}, {eta} left {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            total,
            verbose,
            state: Mutex::new(State {
                done: 0,
                failed: 0,
                start: now,
                last: now,
            }),
        }
    }

    /// One figure finished.
    pub fn done(&self, d: &Done) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        st.done += 1;
        let failed = d.status == Status::Failed;
        st.failed += usize::from(failed);
        let who = d.subject.as_deref().unwrap_or(&d.output);
        let line = match (&d.error, d.status) {
            (Some(e), _) => format!("row {} {who}: FAILED: {e}", d.row),
            (None, Status::UpToDate) => format!("row {} {who}: up to date ({})", d.row, d.output),
            (None, _) => format!(
                "row {} {who}: written {} ({:.2} s)",
                d.row, d.output, d.seconds
            ),
        };
        match &self.bar {
            Some(bar) => {
                if failed {
                    bar.println(format!("surfrender: batch: {line}"));
                    bar.set_message(format!("({} failed)", st.failed));
                }
                bar.inc(1);
            }
            None => {
                if self.verbose || failed {
                    eprintln!("surfrender: batch: [{}/{}] {line}", st.done, self.total);
                }
                if st.last.elapsed() >= EVERY && st.done < self.total {
                    st.last = Instant::now();
                    let secs = st.start.elapsed().as_secs_f64();
                    let rate = st.done as f64 / secs.max(1e-9);
                    let left = (self.total - st.done) as f64 / rate.max(1e-9);
                    eprintln!(
                        "surfrender: batch: progress {}/{} figures, {} failed, {rate:.1} figures/s, about {left:.0} s left",
                        st.done, self.total, st.failed
                    );
                }
            }
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
