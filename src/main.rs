//! Thin entry point: parse (a spec file's options first, the command line's after them),
//! run, report. Exit codes: 0 ok, 1 input or render error, 2 usage error (clap's own
//! errors also exit 2).

use std::ffi::OsString;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use surfrender::cli::specfile::FigureFile;
use surfrender::cli::{help_footer, Args, LayerOrder};

fn main() {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let command = Args::command().after_help(help_footer());
    let mut matches = command.clone().get_matches_from(&argv);
    if let Some(spec) = matches.get_one::<std::path::PathBuf>("spec").cloned() {
        let file = FigureFile::load(&spec).unwrap_or_else(|e| fail(&e));
        let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
        let mut merged: Vec<OsString> = argv.iter().take(1).cloned().collect();
        merged.extend(file.to_args(&given));
        merged.extend(argv.iter().skip(1).cloned());
        matches = command.get_matches_from(&merged);
    }
    let mut args = match Args::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
    args.order = LayerOrder::from_matches(&matches);
    match surfrender::cli::run(&args) {
        Ok(notices) => {
            for n in notices {
                eprintln!("surfrender: note: {n}");
            }
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &surfrender::Error) -> ! {
    if e.is_broken_pipe() {
        std::process::exit(0);
    }
    eprintln!("surfrender: error: {e}");
    std::process::exit(e.exit_code());
}
