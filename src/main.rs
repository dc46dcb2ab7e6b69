//! Thin entry point: parse, run, report. Exit codes: 0 ok, 1 input or render error,
//! 2 usage error (clap's own errors also exit 2).

use clap::{CommandFactory, FromArgMatches};
use surfrender::cli::{help_footer, Args, LayerOrder};

fn main() {
    let matches = Args::command().after_help(help_footer()).get_matches();
    let mut args = match Args::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
    args.order = LayerOrder::from_matches(&matches);
    // Lossy: a file name that is not UTF-8 must not stop the run, only its metadata.
    let command_line = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    match surfrender::cli::run(&args, &command_line) {
        Ok(notices) => {
            for n in notices {
                eprintln!("surfrender: note: {n}");
            }
        }
        Err(e) => {
            eprintln!("surfrender: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
