//! `gyokaku fetch SEEDS.csv --mirror DIR`: crawl municipal sites for plans into a mirror.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

use crate::cli::Progress;
use crate::fetch::{self, Body, Cues, FetchOptions};
use crate::identity;
use crate::output;

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The seeds: a CSV with `municipality` (or `code`), `url`, optional `prefecture`.
    #[arg(required_unless_present = "print_cues")]
    pub seeds: Option<PathBuf>,
    /// The mirror folder: fetched files, `fetch-log.jsonl` and `manifest.csv`.
    #[arg(long, required_unless_present = "print_cues")]
    pub mirror: Option<PathBuf>,
    /// Seconds between two requests to the same host (a site's Crawl-delay can make it longer).
    #[arg(long, default_value_t = fetch::DEFAULT_DELAY.as_secs_f64())]
    pub delay: f64,
    /// How many links deep from a seed pages are followed.
    #[arg(long, default_value_t = fetch::DEFAULT_DEPTH)]
    pub depth: u32,
    /// List what would be fetched, without making any request.
    #[arg(long)]
    pub dry_run: bool,
    /// An e-mail address or URL where site owners can reach you; sent in the User-Agent.
    #[arg(long)]
    pub contact: Option<String>,
    /// A cue file replacing the shipped list of words that mark plan links (see `--print-cues`).
    #[arg(long)]
    pub cues: Option<PathBuf>,
    /// Print the shipped cue file and exit.
    #[arg(long)]
    pub print_cues: bool,
    /// Largest file fetched, in MB (decimals allowed).
    #[arg(long, default_value_t = fetch::DEFAULT_MAX_FILE_BYTES as f64 / 1e6)]
    pub max_file_mb: f64,
    /// Time limit of one request, body included, in seconds.
    #[arg(long, default_value_t = fetch::DEFAULT_TIMEOUT.as_secs_f64())]
    pub timeout: f64,
    /// Retries after the first try on 5xx, 429 and timeouts.
    #[arg(long, default_value_t = fetch::DEFAULT_RETRIES)]
    pub retries: u32,
    /// First wait before a retry, in seconds, doubled each time (a Retry-After header wins).
    #[arg(long, default_value_t = fetch::DEFAULT_BACKOFF.as_secs_f64())]
    pub backoff: f64,
    /// Hosts crawled at the same time (each host gets one connection).
    #[arg(long, default_value_t = fetch::DEFAULT_PARALLEL_HOSTS)]
    pub parallel_hosts: usize,
    /// Requests per host and crawl at most.
    #[arg(long, default_value_t = fetch::DEFAULT_MAX_REQUESTS_PER_HOST)]
    pub max_requests_per_host: usize,
}

fn seconds(name: &str, value: f64) -> anyhow::Result<Duration> {
    if !(value.is_finite() && value >= 0.0) {
        bail!("`--{name}` must be a number of seconds, 0 or more");
    }
    Ok(Duration::from_secs_f64(value))
}

pub fn run(args: FetchArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    if args.print_cues {
        output::data_raw(fetch::DEFAULT_CUES.as_bytes());
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(seeds_path), Some(mirror)) = (args.seeds.clone(), args.mirror.clone()) else {
        bail!("`gyokaku fetch` needs SEEDS.csv and `--mirror DIR`");
    };
    let seeds = fetch::load_seeds(&seeds_path)?;
    let table = identity::Table::shipped();
    let mut bodies = Vec::new();
    for seed in &seeds {
        let resolved = table.resolve(
            seed.municipality.as_deref(),
            seed.prefecture.as_deref(),
            seed.code.as_deref(),
        );
        if let Ok(identity::Resolved::Corrected(_, warning)) = &resolved {
            output::warning(&format!("`{}` line {}: {warning}", seeds_path.display(), seed.line));
        }
        match resolved {
            Ok(identity::Resolved::Known(entity) | identity::Resolved::Corrected(entity, _)) => {
                bodies.push(Body {
                    municipality: Some(entity.name.clone()),
                    prefecture: Some(entity.prefecture.clone()),
                    code: Some(entity.code.clone()),
                });
            }
            Ok(identity::Resolved::Unknown { warning }) => {
                output::warning(&format!(
                    "`{}` line {}: {warning}; kept as written",
                    seeds_path.display(),
                    seed.line
                ));
                bodies.push(Body {
                    municipality: seed.municipality.clone(),
                    prefecture: seed.prefecture.clone(),
                    code: seed.code.clone(),
                });
            }
            Err(err) => {
                bail!("`{}` line {}: {err}", seeds_path.display(), seed.line);
            }
        }
    }
    let mut options = FetchOptions::new(mirror.clone(), args.contact.as_deref());
    options.delay = seconds("delay", args.delay)?;
    options.max_depth = args.depth;
    options.dry_run = args.dry_run;
    options.timeout = seconds("timeout", args.timeout)?;
    options.backoff = seconds("backoff", args.backoff)?;
    options.retries = args.retries;
    options.parallel_hosts = args.parallel_hosts.max(1);
    options.max_requests_per_host = args.max_requests_per_host.max(1);
    if !(args.max_file_mb.is_finite() && args.max_file_mb > 0.0) {
        bail!("`--max-file-mb` must be a positive number");
    }
    options.max_file_bytes = (args.max_file_mb * 1e6) as u64;
    if let Some(path) = &args.cues {
        options.cues = Cues::load(path)?;
    }
    if args.contact.is_none() && !args.dry_run && !progress.quiet {
        output::warning(
            "no `--contact`: site owners cannot reach you about this crawl; please give an e-mail address or URL",
        );
    }
    let summary = fetch::fetch(&seeds, &bodies, &options)
        .with_context(|| format!("fetching into `{}`", mirror.display()))?;
    if args.dry_run {
        for line in &summary.planned {
            output::data(line);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !progress.quiet {
        for problem in &summary.problems {
            output::message(&format!("error: {problem}"));
        }
        output::message(&format!(
            "crawl {}{}: {} hosts, {} requests; {} fetched ({} new or changed), {} unchanged (304), \
             {} failed, {} disallowed by robots.txt, {} vanished{}; manifest: {} rows in `{}`",
            summary.crawl,
            if summary.resumed { " (resumed)" } else { "" },
            summary.hosts,
            summary.requests,
            summary.fetched,
            summary.new_revisions,
            summary.not_modified,
            summary.failed,
            summary.disallowed,
            summary.vanished,
            if summary.reused > 0 {
                format!(", {} reused from the interrupted crawl", summary.reused)
            } else {
                String::new()
            },
            summary.manifest_rows,
            mirror.join(fetch::mirror::MANIFEST_FILE).display()
        ));
    }
    Ok(if summary.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
