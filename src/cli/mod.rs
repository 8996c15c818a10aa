//! The command-line interface: argument definitions and dispatch, nothing else.
//!
//! Each subcommand lives in its own file with one `Args` struct and one `run` function.
//! Library errors become `anyhow` errors with context here, at the edge; `main` maps the
//! result to the exit codes of CONTRACT.md (0 ok, 1 some documents failed, 2 error).

mod analyze;
mod batch;
mod compare;
mod export;
mod extract;
mod fetch;
mod ingest;
mod kwic;
pub(crate) mod measures;
mod merge;
pub(crate) mod reuse;
mod run;
pub(crate) mod search;
#[cfg(feature = "web")]
mod serve;
pub mod themes;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::output;

/// Read, search and compare the administrative-reform plans (行政改革) of Japanese municipalities.
///
/// Start with `gyokaku run`: it ingests the shipped corpus into `index/` and prints a summary.
/// Then try `gyokaku search 公共施設 老朽化`.
#[derive(Debug, Parser)]
#[command(name = "gyokaku", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only data and errors, no progress or summaries.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More log output on stderr (repeat for more). `RUST_LOG` overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Never draw progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: ingest corpus/ into index/, map themes, write matrices, print a summary.
    Run(run::RunArgs),
    /// Extract the text of one file (PDF, web page or text) and print it.
    Extract(extract::ExtractArgs),
    /// Add files and folders to the search index (unchanged files are skipped).
    Ingest(ingest::IngestArgs),
    /// Search the indexed passages, like a search box: every word wanted (passages with all of
    /// them first, then those with some), "exact phrase", -exclude, OR; --group document.
    Search(search::SearchArgs),
    /// Show how gyokaku analyses Japanese text for the index (tokens per passage).
    Analyze(analyze::AnalyzeArgs),
    /// Map every plan onto the common taxonomy and export the theme matrix.
    Themes(themes::ThemesArgs),
    /// Compare municipalities: theme profiles, unique themes, similarity, distinctive terms.
    Compare(compare::CompareArgs),
    /// Run a comparison batch from a config file: run folder, report.json, provenance.
    Batch(batch::BatchArgs),
    /// Merge shard indexes (from `batch --shard K/N`) and their reports into one index.
    Merge(merge::MergeArgs),
    /// Export every passage with an index definition for OpenSearch, Quickwit or NDJSON.
    Export(export::ExportArgs),
    /// Crawl municipal web sites for plans into a mirror with a fetch log and a manifest.
    Fetch(fetch::FetchArgs),
    /// A concordance: every occurrence of a word or phrase with its left and right context.
    Kwic(kwic::KwicArgs),
    /// The local web app: search, read plans, theme heatmap with evidence, compare, KWIC.
    #[cfg(feature = "web")]
    Serve(serve::ServeArgs),
    /// Find passages copied across plans (near duplicates), grouped into clusters; with
    /// `--reference DIR`, mark those copied from national guidelines.
    Reuse(reuse::ReuseArgs),
    /// Each plan's measures with numeric targets: value, unit, direction, baseline, target
    /// year, department and status, from prose and action tables, with passage and themes.
    Measures(measures::MeasuresArgs),
}

/// Lets `gyokaku search 職員 -芽室町` exclude a word: after `search`, an argument made of `-`
/// and a word (not one of the command's own short flags) is passed on as a query word with
/// a full-width minus, which the query language also reads as "exclude".
pub fn exclusions_as_words(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut in_search = false;
    args.into_iter()
        .map(|arg| {
            let Some(text) = arg.to_str() else { return arg };
            if text == "search" {
                in_search = true;
            }
            let is_word = text.len() > 2 && text.starts_with('-') && !text.starts_with("--")
                || text.starts_with('-') && text.chars().nth(1).is_some_and(|c| !c.is_ascii());
            if in_search && is_word { format!("－{}", &text[1..]).into() } else { arg }
        })
        .collect()
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(&cli.global);
    match cli.command {
        Command::Run(args) => run::run(args, progress),
        Command::Extract(args) => extract::run(args),
        Command::Ingest(args) => ingest::run(args, progress),
        Command::Search(args) => search::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Themes(args) => themes::run(args, progress),
        Command::Compare(args) => compare::run(args),
        Command::Batch(args) => batch::run(args, progress),
        Command::Merge(args) => merge::run(args, progress),
        Command::Export(args) => export::run(args, progress),
        Command::Fetch(args) => fetch::run(args, progress),
        Command::Kwic(args) => kwic::run(args),
        #[cfg(feature = "web")]
        Command::Serve(args) => serve::run(args, progress),
        Command::Reuse(args) => reuse::run(args),
        Command::Measures(args) => measures::run(args, progress),
    }
}

/// Whether and how to show progress and summaries, decided once from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub quiet: bool,
    pub bars: bool,
}

impl Progress {
    fn new(global: &GlobalArgs) -> Self {
        let bars = !global.quiet
            && !global.no_progress
            && global.verbose == 0
            && output::stderr_is_terminal();
        Progress { quiet: global.quiet, bars }
    }
}

/// Sets up `tracing` on stderr; `RUST_LOG` overrides `-v`.
pub fn init_logging(global: &GlobalArgs) {
    // lopdf logs every damaged or encrypted file at warn level; those problems already
    // reach the user as the file's warnings or error, so its own log starts at `error`.
    let level = match global.verbose {
        0 => "warn,lopdf=error",
        1 => "info,lopdf=warn",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// Prints an error chain on one line, plus a hint for mistakes we recognise.
pub fn report_error(err: &anyhow::Error) {
    output::message(&format!("error: {err:#}"));
    if let Some(hint) = hint_for(err) {
        output::message(&format!("hint: {hint}"));
    }
}

fn hint_for(err: &anyhow::Error) -> Option<String> {
    for cause in err.chain() {
        if let Some(crate::index::IndexError::Missing { .. }) =
            cause.downcast_ref::<crate::index::IndexError>()
        {
            return Some(
                "run `gyokaku ingest FOLDER` (or `gyokaku run` for the shipped corpus) first"
                    .to_owned(),
            );
        }
    }
    None
}

/// The default index folder, `index/` in the current directory.
pub fn default_index_dir() -> PathBuf {
    PathBuf::from("index")
}
