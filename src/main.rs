//! The `gyokaku` command: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = gyokaku::cli::Cli::parse_from(gyokaku::cli::exclusions_as_words(std::env::args_os()));
    gyokaku::cli::init_logging(&cli.global);
    match gyokaku::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            gyokaku::cli::report_error(&err);
            ExitCode::from(2)
        }
    }
}
