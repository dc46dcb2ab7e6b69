//! Thin entry point: parse, run, report. Exit codes: 0 ok (also when standard output is
//! closed early, as by `| head`), 1 input or render error, 2 usage error (clap's own
//! errors also exit 2).

mod cli;

fn main() {
    surfrender::output::remove_temporaries_on_signals();
    let code = match cli::parse(std::env::args_os()).and_then(|inv| cli::run(&inv)) {
        Ok(notices) => {
            for n in notices {
                eprintln!("surfrender: note: {}", surfrender::error::one_line(&n));
            }
            0
        }
        Err(e) if e.is_broken_pipe() => 0,
        Err(e) => {
            eprintln!("surfrender: error: {}", e.one_line());
            e.exit_code()
        }
    };
    std::process::exit(code);
}
