//! `gyokaku themes`: the municipality × theme matrix with evidence (issue 5 fills this in).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::cli::Progress;

#[derive(Debug, Args)]
pub struct ThemesArgs {
    /// The index folder.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
}

pub fn run(_args: ThemesArgs, _progress: Progress) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`gyokaku themes` is not available yet")
}
