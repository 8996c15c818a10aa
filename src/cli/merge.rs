//! `gyokaku merge OUT SHARD...`: join shard indexes (from `batch --shard K/N`) into one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::batch;
use crate::cli::Progress;
use crate::index;
use crate::output;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The index folder to create (must not hold an index yet, unless `--replace`).
    pub out: PathBuf,
    /// The shard index folders, e.g. `index/shards/1-of-4 index/shards/2-of-4 ...`.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Replace the index already in OUT (its extraction cache is kept).
    #[arg(long)]
    pub replace: bool,
}

pub fn run(args: MergeArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    let target = args.out.join("tantivy");
    if target.exists() && !args.replace {
        anyhow::bail!(
            "`{}` already holds an index; merge into a new folder or pass --replace",
            args.out.display()
        );
    }
    let staging = args.out.join(".merge-staging");
    remove_if_present(&staging)?;
    let documents = index::merge_indexes(&staging, &args.shards)
        .with_context(|| format!("merging shards into `{}`", args.out.display()))?;
    remove_if_present(&target)?;
    fs_err::rename(staging.join("tantivy"), &target)?;
    let user_dict = args.out.join(index::USER_DICT_FILE);
    if user_dict.exists() {
        fs_err::remove_file(&user_dict)?;
    }
    if staging.join(index::USER_DICT_FILE).exists() {
        fs_err::rename(staging.join(index::USER_DICT_FILE), &user_dict)?;
    }
    remove_if_present(&staging)?;
    let copied = merge_extraction_caches(&args.out, &args.shards)?;
    let report = batch::merge_reports(&args.out, &args.shards)?;
    if !progress.quiet {
        let totals = &report["totals"];
        output::message(&format!(
            "merged {} shards into `{}`: {} documents in the index ({} failed, {} skipped in the shard runs); {copied} cached extractions copied",
            args.shards.len(),
            args.out.display(),
            documents.len(),
            totals["failed"],
            totals["skipped"],
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        fs_err::remove_dir_all(path)?;
    }
    Ok(())
}

/// Copies (hard-links where possible) the shards' cached extractions into OUT, so a later
/// batch on the merged index extracts nothing it already extracted.
fn merge_extraction_caches(out: &Path, shards: &[PathBuf]) -> anyhow::Result<usize> {
    let target = out.join("extracted");
    let mut copied = 0;
    for shard in shards {
        let Ok(entries) = fs_err::read_dir(shard.join("extracted")) else { continue };
        fs_err::create_dir_all(&target)?;
        for entry in entries.flatten() {
            let destination = target.join(entry.file_name());
            if destination.exists() {
                continue;
            }
            if fs_err::hard_link(entry.path(), &destination).is_err() {
                fs_err::copy(entry.path(), &destination)?;
            }
            copied += 1;
        }
    }
    Ok(copied)
}
