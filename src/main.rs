//! The `gyokaku` command: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// Analysis and indexing allocate many small strings per morpheme from several threads;
/// mimalloc serves them faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
