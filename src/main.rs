//! Thin entry point: parse, run, report. Exit codes: 0 ok, 1 input or render error,
//! 2 usage error (clap's own errors also exit 2).

use clap::Parser;

fn main() {
    let args = surfrender::cli::Args::parse();
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    match surfrender::cli::run(&args, &command_line) {
        Ok(notices) => {
            for n in notices {
                eprintln!("surfrender: note: {n}");
            }
        }
        Err(e) => {
            eprintln!(
                "surfrender: error: {}",
                surfrender::render::egl::error_chain(&e)
            );
            std::process::exit(e.exit_code());
        }
    }
}
