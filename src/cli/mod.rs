//! The `surfrender` command: its arguments (the library's figure arguments plus the
//! subcommands, `--print-spec` and `--quiet`), and what each invocation does.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::parser::ValueSource::CommandLine;
use clap::{Args, FromArgMatches, Subcommand};
use surfrender::color::cmap::Colormap;
use surfrender::desc::usage_error;
use surfrender::render::{self, Renderer};
use surfrender::{figure, output, Error, FigureDesc, Result};

/// Subcommands besides rendering.
#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Say which rendering backends work on this machine, and why the others do not.
    Backends {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Render many figures in one process: one per row of a manifest (CSV/TSV/JSON
    /// lines) or per subject folder of a subjects directory, over a base --spec; skips
    /// figures already up to date, goes on past failures, writes batch.json and the
    /// report page. Exit status 0 every figure made, 3 some failed, 2 usage error.
    Batch {
        #[command(flatten)]
        args: surfrender::batch::BatchArgs,
        /// Log failures and the summary only, not each figure.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Say what each file is and holds: kind, format, encoding, vertex and face counts,
    /// bounding box, value statistics per frame, label names and colours.
    Inspect {
        /// Files to describe.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print JSON (field names as nibabel-derived truth files use them).
        #[arg(long)]
        json: bool,
    },
    /// Write OUTDIR/index.html, a QC page of the figures and failures found in OUTDIR.
    Report {
        /// The folder the figures (and their sidecars) were written to.
        outdir: PathBuf,
    },
}

/// The binary's own switches besides the figure's.
#[derive(Debug, clap::Args)]
pub struct Switches {
    /// Print the effective spec (TOML) instead of rendering: it replays this figure.
    #[arg(long)]
    print_spec: bool,
    /// Print no notices.
    #[arg(short, long)]
    quiet: bool,
    /// The `--spec` file, which no output may overwrite (the figure's inputs are in it).
    #[arg(skip)]
    spec_file: Option<PathBuf>,
    /// The options typed on the command line (field names), to tell a spec's errors.
    #[arg(skip)]
    typed: Vec<String>,
}

impl Switches {
    /// An error about an option that came from the `--spec` file names that file.
    fn name_spec(&self, e: Error) -> Error {
        match &self.spec_file {
            Some(spec) => e.in_spec(spec, &self.typed),
            None => e,
        }
    }
}

/// What the command line asks for.
pub enum Invocation {
    /// Render the figure (or print its spec).
    Figure(Box<FigureDesc>, Switches),
    /// A subcommand.
    Sub(Sub),
}

/// The whole command, with help and version; the colormap names, too many for a flag's
/// one-line help, follow the flags.
fn command() -> clap::Command {
    let cmd = surfrender::desc::command()
        .version(env!("CARGO_PKG_VERSION"))
        .after_help(format!(
            "Colormaps (append _r to reverse): {}\n\nExit status: 0 figure written, 1 input or rendering error, 2 usage error.",
            Colormap::names().join(", ")
        ))
        .args_conflicts_with_subcommands(true)
        .subcommand_negates_reqs(true);
    // Subcommands last, as their enum would otherwise lend the command its about text.
    Sub::augment_subcommands(Switches::augment_args(cmd))
        .about("Render cortical surfaces with overlays to a PNG, headless (EGL; no X server).")
}

/// Parses the command line; `--help` and `--version` end the process here, as clap
/// prints them. A malformed command line is a usage error of one line (clap's first,
/// without its tips).
pub fn parse(argv: impl IntoIterator<Item = OsString>) -> Result<Invocation> {
    use clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand as BareCommand;
    let m = match command().try_get_matches_from(argv) {
        Err(e) if !e.use_stderr() || e.kind() == BareCommand => e.exit(),
        m => m.map_err(usage_error)?,
    };
    if m.subcommand().is_some() {
        let sub = Sub::from_arg_matches(&m).map_err(usage_error)?;
        return Ok(Invocation::Sub(sub));
    }
    let mut switches = Switches::from_arg_matches(&m).map_err(usage_error)?;
    switches.spec_file = m.get_one::<PathBuf>("spec").cloned();
    let typed = m
        .ids()
        .filter(|id| m.value_source(id.as_str()) == Some(CommandLine));
    switches.typed = typed.map(|id| id.to_string()).collect();
    let desc = FigureDesc::from_matches(&m)?;
    Ok(Invocation::Figure(Box::new(desc), switches))
}

/// Runs an invocation; returns the notices to print.
pub fn run(inv: &Invocation) -> Result<Vec<String>> {
    match inv {
        // Every file is described, even after one fails; the run then fails with it.
        Invocation::Sub(Sub::Inspect { files, json }) => {
            let limits = surfrender::io::Limits::from_env()?;
            let (text, first_error) =
                surfrender::io::describe::describe_files_with(files, *json, &limits);
            out(&text)?;
            first_error.map_or(Ok(Vec::new()), Err)
        }
        Invocation::Sub(Sub::Batch { args, quiet }) => batch(args, *quiet),
        Invocation::Sub(Sub::Backends { json }) => {
            let (probes, auto) = (render::probe_all(), render::auto_choice());
            let text = match json {
                false => render::describe_backends(&probes, auto),
                true => serde_json::to_string_pretty(
                    &serde_json::json!({ "auto": auto.as_str(), "backends": probes }),
                )
                .map_err(|e| Error::serialize("the report as JSON", e))?,
            };
            out(&text).map(|()| Vec::new())
        }
        Invocation::Sub(Sub::Report { outdir }) => {
            let r = surfrender::report::write_report(outdir)?;
            let line = format!(
                "report: {} figures, {} failed: {}",
                r.figures,
                r.failed,
                r.page.display()
            );
            out(&line).map(|()| r.notices)
        }
        // A spec is printed only for a figure that could be drawn (the files paired).
        Invocation::Figure(desc, s) if s.print_spec => {
            desc.resolve().map_err(|e| s.name_spec(e))?;
            out(desc.to_toml()?.trim_end_matches('\n')).map(|()| Vec::new())
        }
        Invocation::Figure(desc, s) => {
            let notes = render(desc, s.spec_file.as_slice()).map_err(|e| s.name_spec(e))?;
            Ok(if s.quiet { Vec::new() } else { notes })
        }
    }
}

/// Runs a batch; its lines go to standard error as they come, and a batch with failed
/// figures ends in [`Error::BatchFailed`] (exit status 3).
fn batch(args: &surfrender::batch::BatchArgs, quiet: bool) -> Result<Vec<String>> {
    let log = |line: &str| eprintln!("surfrender: batch: {line}");
    let outcome = surfrender::batch::run(args, !quiet, &log)?;
    outcome.lines.iter().for_each(|l| log(l));
    match outcome.failed() {
        0 => Ok(Vec::new()),
        failed => Err(Error::BatchFailed {
            failed,
            total: outcome.done.len(),
            record: outcome.record,
        }),
    }
}

/// Renders and writes the figure (PNG and sidecar), over no input and no `spec_file`.
fn render(desc: &FigureDesc, spec_file: &[PathBuf]) -> Result<Vec<String>> {
    let out = desc.output.as_deref().ok_or_else(|| {
        Error::Usage("-o/--output is required (or `output` in the --spec file)".into())
    })?;
    let spec = desc.resolve()?;
    surfrender::movie::check_output(&spec, out)?;
    output::check_destinations(out, &spec, spec_file)?;
    let limits = surfrender::io::Limits::from_env()?;
    let mut renderer = Renderer::new(figure::render_options(&spec));
    if spec.sequence.is_some() {
        let written = surfrender::movie::render_sequence(&renderer, desc, &spec, out, &limits)?;
        return Ok(spec.notes.iter().chain(&written.notices).cloned().collect());
    }
    let fig = figure::render_figure_within(&renderer, &spec, &limits)?;
    // The backend is torn down on its own thread while the PNG is written.
    renderer.close();
    let mut t = std::time::Instant::now();
    output::write_figure(out, &fig, desc, &spec)?;
    surfrender::timing::stage("write", &mut t);
    Ok(spec.notes.iter().chain(&fig.notices).cloned().collect())
}

/// Writes `text` and a newline to standard output; a failure, such as a pipe closed by
/// its reader, is an [`Error::Stdout`].
pub(crate) fn out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    writeln!(o, "{text}")
        .and_then(|()| o.flush())
        .map_err(Error::Stdout)
}
