//! Batch runs for partners: one config in, one self-describing run folder out.
//!
//! A batch is an ingest driven by a config file ([`config`]) that leaves a run folder
//! `<output>/<name>-<UTC time>/` behind: `report.json` (every document with its status and
//! reason, totals, provenance), copies of the config and taxonomy, and the theme matrices.
//! Incrementality and crash safety come from [`crate::ingest`] (content-hash cache, commits
//! carrying the document list); this module adds what makes a run reproducible and
//! auditable. With a shard (`--shard K/N`) the run writes its own index under
//! `<index>/shards/K-of-N/`, and [`merge_reports`] joins the shards' reports after
//! `gyokaku merge`.

pub mod config;
pub mod provenance;

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use thiserror::Error;

pub use config::{BatchConfig, ConfigError, TaxonomySource};
use provenance::TaxonomyIdentity;

use crate::ingest::{self, DocStatus, DocumentOutcome, IngestError, IngestOptions, Shard};
use crate::themes::aggregate::build_matrix;
use crate::themes::export::{About, CellValue, matrix_csv, matrix_json, write_matrix_files};
use crate::themes::{By, DocumentInput, Taxonomy, score_documents};

/// Name of the report every run writes into the index it built, so `merge` finds it.
pub const LAST_REPORT: &str = "last-report.json";

#[derive(Debug, Error)]
pub enum BatchError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("cannot read taxonomy `{}`: {source}", .path.display())]
    Taxonomy {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{}`: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    InvalidTaxonomy(String),
    #[error(transparent)]
    Mirror(#[from] crate::fetch::FetchError),
    #[error("shard report `{}` is not a gyokaku run report: {reason}", .path.display())]
    ShardReport { path: PathBuf, reason: String },
}

/// Provenance and settings of one run (`run` in report.json).
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub name: String,
    /// gyokaku's version.
    pub gyokaku: String,
    pub commit: String,
    pub dictionary: String,
    /// `name@version` of the taxonomy.
    pub taxonomy: String,
    pub taxonomy_source: String,
    pub host: String,
    pub started: String,
    pub finished: String,
    pub seconds: f64,
    pub config: String,
    pub index: String,
    pub shard: Option<String>,
    pub jobs: usize,
    pub limits: LimitsInfo,
}

/// The limits a run used, in the config's units.
#[derive(Debug, Clone, Serialize)]
pub struct LimitsInfo {
    pub max_file_mb: f64,
    pub seconds_per_document: f64,
    pub max_decompressed_mb: f64,
    pub max_depth: u32,
}

/// How many documents ended in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub indexed: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Passages of the indexed and unchanged documents.
    pub passages: u64,
}

impl Totals {
    pub fn of(documents: &[DocumentOutcome]) -> Self {
        let count = |status| documents.iter().filter(|d| d.status == status).count();
        let passages = documents
            .iter()
            .filter(|d| matches!(d.status, DocStatus::Indexed | DocStatus::Unchanged))
            .map(|d| u64::from(d.passages))
            .sum();
        Totals {
            indexed: count(DocStatus::Indexed),
            unchanged: count(DocStatus::Unchanged),
            failed: count(DocStatus::Failed),
            skipped: count(DocStatus::Skipped),
            passages,
        }
    }
}

/// `report.json` of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run: RunInfo,
    pub documents: Vec<DocumentOutcome>,
    pub totals: Totals,
    pub warnings: Vec<String>,
}

/// A finished run: its report and the folder it wrote.
#[derive(Debug, Clone)]
pub struct BatchRun {
    pub report: RunReport,
    pub folder: PathBuf,
    pub index_dir: PathBuf,
}

/// The index a run writes: the config's, or the shard's own under it.
pub fn index_dir_for(config: &BatchConfig, shard: Option<Shard>) -> PathBuf {
    match shard {
        None => config.index.clone(),
        Some(shard) => {
            config.index.join("shards").join(format!("{}-of-{}", shard.index, shard.count))
        }
    }
}

/// Runs a batch: creates the run folder, ingests, and writes the report. `on_start` and
/// `on_document` report progress as in [`ingest::ingest`].
pub fn run(
    config: &BatchConfig,
    shard: Option<Shard>,
    on_start: &(dyn Fn(usize) + Sync),
    on_document: &(dyn Fn(&DocumentOutcome) + Sync),
) -> Result<BatchRun, BatchError> {
    let started = Utc::now();
    let (taxonomy, taxonomy_text) = load_taxonomy(&config.taxonomy)?;
    let identity =
        TaxonomyIdentity { name: taxonomy.name.clone(), version: taxonomy.version.clone() };
    let index_dir = index_dir_for(config, shard);
    let folder = create_run_folder(&config.output, &config.name, shard, started)?;
    copy_inputs(config, &folder, &taxonomy_text)?;

    let mut inputs = config.inputs.clone();
    let mut manifest = config.manifest.clone();
    if let Some(mirror) = &config.mirror {
        inputs.extend(crate::fetch::mirror::documents(&mirror.dir, &mirror.include)?);
        manifest = Some(mirror.dir.join(crate::fetch::mirror::MANIFEST_FILE));
    }
    let options = IngestOptions {
        inputs,
        index_dir: index_dir.clone(),
        manifest,
        jobs: config.jobs,
        limits: config.limits.clone(),
        prune: false,
        shard,
        user_dict: config.user_dict.clone(),
    };
    let ingested = ingest::ingest(&options, on_start, on_document)?;
    let mut warnings = config.warnings.clone();
    if let Err(reason) = write_theme_exports(&index_dir, &folder, &taxonomy, started) {
        warnings.push(format!("theme matrices not written: {reason}"));
    }

    let finished = Utc::now();
    let report = RunReport {
        run: run_info(config, shard, &index_dir, &identity, started, finished),
        totals: Totals::of(&ingested.documents),
        documents: ingested.documents,
        warnings,
    };
    write_json(&folder.join("report.json"), &report)?;
    write_json(&index_dir.join(LAST_REPORT), &report)?;
    Ok(BatchRun { report, folder, index_dir })
}

/// Writes the theme matrices of the run's index, scored with the run's taxonomy, into
/// `<run folder>/exports/`: the municipality × theme matrix as `gyokaku run` writes it (CSV,
/// JSON with evidence, Excel, heatmap) and the document × theme matrix as CSV and JSON.
fn write_theme_exports(
    index_dir: &Path,
    folder: &Path,
    taxonomy: &Taxonomy,
    generated: DateTime<Utc>,
) -> Result<Vec<PathBuf>, String> {
    let documents = crate::index::load_documents(index_dir).map_err(|err| err.to_string())?;
    let inputs: Vec<DocumentInput<'_>> = documents
        .iter()
        .map(|doc| DocumentInput { path: &doc.path, meta: &doc.meta, passages: &doc.passages })
        .collect();
    let about = About {
        gyokaku_version: env!("CARGO_PKG_VERSION").to_owned(),
        dictionary: crate::tokenize::DICTIONARY_VERSION.to_owned(),
        generated: timestamp(generated),
        index: index_dir.display().to_string(),
    };
    let exports = folder.join("exports");
    let (_, mut written) =
        write_matrix_files(taxonomy, &inputs, &exports, &about).map_err(|err| err.to_string())?;
    let by_document =
        build_matrix(taxonomy, &score_documents(taxonomy, &inputs), By::Document, false);
    for (extension, bytes) in [
        ("csv", matrix_csv(&by_document, CellValue::Presence, true)),
        ("json", matrix_json(&by_document)),
    ] {
        let path = exports.join(format!("themes-document.{extension}"));
        let bytes = bytes.map_err(|err| err.to_string())?;
        fs_err::write(&path, bytes).map_err(|err| err.to_string())?;
        written.push(path);
    }
    Ok(written)
}

fn load_taxonomy(source: &TaxonomySource) -> Result<(Taxonomy, String), BatchError> {
    match source {
        TaxonomySource::Default => {
            let taxonomy = Taxonomy::embedded_default()
                .map_err(|err| BatchError::InvalidTaxonomy(err.to_string()))?;
            Ok((taxonomy.clone(), provenance::DEFAULT_TAXONOMY_TOML.to_owned()))
        }
        TaxonomySource::File(path) => {
            let text = fs_err::read_to_string(path)
                .map_err(|source| BatchError::Taxonomy { path: path.clone(), source })?;
            let taxonomy = Taxonomy::from_toml_str(&text, &path.display().to_string())
                .map_err(|err| BatchError::InvalidTaxonomy(err.to_string()))?;
            Ok((taxonomy, text))
        }
    }
}

fn run_info(
    config: &BatchConfig,
    shard: Option<Shard>,
    index_dir: &Path,
    taxonomy: &TaxonomyIdentity,
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
) -> RunInfo {
    let mb = |bytes: u64| bytes as f64 / 1_000_000.0;
    RunInfo {
        name: config.name.clone(),
        gyokaku: env!("CARGO_PKG_VERSION").to_owned(),
        commit: provenance::git_commit(),
        dictionary: crate::tokenize::DICTIONARY_VERSION.to_owned(),
        taxonomy: taxonomy.label(),
        taxonomy_source: match &config.taxonomy {
            TaxonomySource::Default => "default".to_owned(),
            TaxonomySource::File(path) => path.display().to_string(),
        },
        host: provenance::host_name(),
        started: timestamp(started),
        finished: timestamp(finished),
        seconds: (finished - started).as_seconds_f64(),
        config: config.path.display().to_string(),
        index: index_dir.display().to_string(),
        shard: shard.map(|s| s.to_string()),
        jobs: config.jobs,
        limits: LimitsInfo {
            max_file_mb: mb(config.limits.max_file_bytes),
            seconds_per_document: config.limits.max_seconds,
            max_decompressed_mb: mb(config.limits.max_decompressed_bytes),
            max_depth: config.limits.max_depth,
        },
    }
}

/// RFC 3339 in UTC to the second, e.g. `2026-11-21T08:53:15Z`.
pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Creates `<output>/<name>[-shard-K-of-N]-<YYYYMMDDTHHMMSSZ>/`; a second run in the same
/// second gets `-2`, `-3`, ….
fn create_run_folder(
    output: &Path,
    name: &str,
    shard: Option<Shard>,
    started: DateTime<Utc>,
) -> Result<PathBuf, BatchError> {
    let shard_part =
        shard.map_or_else(String::new, |s| format!("-shard-{}-of-{}", s.index, s.count));
    let stem = format!("{name}{shard_part}-{}", started.format("%Y%m%dT%H%M%SZ"));
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |source| BatchError::Write { path, source }
    };
    fs_err::create_dir_all(output).map_err(write_err(output))?;
    for attempt in 1..1000 {
        let candidate = if attempt == 1 {
            output.join(&stem)
        } else {
            output.join(format!("{stem}-{attempt}"))
        };
        match fs_err::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(write_err(&candidate)(err)),
        }
    }
    Err(write_err(&output.join(stem))(std::io::Error::other("too many runs in the same second")))
}

/// Copies the config (as `config.toml`) and the taxonomy (as `taxonomy.toml`) into the run
/// folder, so the run can be reproduced from the folder alone.
fn copy_inputs(config: &BatchConfig, folder: &Path, taxonomy_text: &str) -> Result<(), BatchError> {
    let config_copy = folder.join("config.toml");
    fs_err::copy(&config.path, &config_copy)
        .map_err(|source| BatchError::Write { path: config_copy.clone(), source })?;
    let taxonomy_copy = folder.join("taxonomy.toml");
    fs_err::write(&taxonomy_copy, taxonomy_text)
        .map_err(|source| BatchError::Write { path: taxonomy_copy.clone(), source })
}

/// Writes pretty JSON atomically (temporary file, then rename).
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), BatchError> {
    let write_err = |source| BatchError::Write { path: path.to_owned(), source };
    let mut json = serde_json::to_vec_pretty(value).map_err(|err| write_err(err.into()))?;
    json.push(b'\n');
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent).map_err(write_err)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    fs_err::write(&tmp, json).and_then(|()| fs_err::rename(&tmp, path)).map_err(write_err)
}

/// Joins the reports of shard runs (each shard index's `last-report.json`) into one:
/// documents of all shards by path, totals recomputed, `run` listing the shards' runs.
/// Shards without a report are named in `warnings`.
pub fn merge_reports(
    out_index: &Path,
    shard_dirs: &[PathBuf],
) -> Result<serde_json::Value, BatchError> {
    let mut documents: Vec<serde_json::Value> = Vec::new();
    let mut runs = Vec::new();
    let mut warnings = Vec::new();
    for shard_dir in shard_dirs {
        let path = shard_dir.join(LAST_REPORT);
        let Ok(text) = fs_err::read_to_string(&path) else {
            warnings.push(format!("no run report in `{}`", shard_dir.display()));
            continue;
        };
        let bad = |reason: String| BatchError::ShardReport { path: path.clone(), reason };
        let mut report: serde_json::Value =
            serde_json::from_str(&text).map_err(|err| bad(err.to_string()))?;
        let Some(serde_json::Value::Array(shard_documents)) =
            report.get_mut("documents").map(std::mem::take)
        else {
            return Err(bad("no `documents` list".to_owned()));
        };
        documents.extend(shard_documents);
        runs.push(report.get("run").cloned().unwrap_or_default());
    }
    documents.sort_by(|a, b| document_path(a).cmp(document_path(b)));
    let totals = totals_of_values(&documents);
    let merged = serde_json::json!({
        "run": {
            "merged": timestamp(Utc::now()),
            "index": out_index.display().to_string(),
            "gyokaku": env!("CARGO_PKG_VERSION"),
            "commit": provenance::git_commit(),
            "host": provenance::host_name(),
            "shards": runs,
        },
        "documents": documents,
        "totals": totals,
        "warnings": warnings,
    });
    write_json(&out_index.join(LAST_REPORT), &merged)?;
    Ok(merged)
}

fn document_path(document: &serde_json::Value) -> &str {
    document.get("path").and_then(serde_json::Value::as_str).unwrap_or_default()
}

fn totals_of_values(documents: &[serde_json::Value]) -> serde_json::Value {
    let status = |d: &serde_json::Value| {
        d.get("status").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned()
    };
    let count = |wanted: &str| documents.iter().filter(|d| status(d) == wanted).count();
    let passages: u64 = documents
        .iter()
        .filter(|d| matches!(status(d).as_str(), "indexed" | "unchanged"))
        .filter_map(|d| d.get("passages").and_then(serde_json::Value::as_u64))
        .sum();
    serde_json::json!({
        "indexed": count("indexed"),
        "unchanged": count("unchanged"),
        "failed": count("failed"),
        "skipped": count("skipped"),
        "passages": passages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_folders_are_unique_within_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let time =
            DateTime::parse_from_rfc3339("2026-11-21T08:53:15Z").unwrap().with_timezone(&Utc);
        let first = create_run_folder(dir.path(), "p", None, time).unwrap();
        let second = create_run_folder(dir.path(), "p", None, time).unwrap();
        let shard = Shard { index: 2, count: 4 };
        let third = create_run_folder(dir.path(), "p", Some(shard), time).unwrap();
        assert!(first.ends_with("p-20261121T085315Z"), "{}", first.display());
        assert!(second.ends_with("p-20261121T085315Z-2"), "{}", second.display());
        assert!(third.ends_with("p-shard-2-of-4-20261121T085315Z"), "{}", third.display());
    }

    #[test]
    fn totals_count_each_status() {
        let outcome = |path: &str, status, passages| DocumentOutcome {
            path: path.to_owned(),
            hash: None,
            format: None,
            status,
            pages: 1,
            passages,
            chars: 0,
            municipality: None,
            error: None,
            warnings: Vec::new(),
            seconds: 0.0,
        };
        let a = outcome("a", DocStatus::Indexed, 3);
        let b = outcome("b", DocStatus::Failed, 0);
        let totals = Totals::of(&[a, b]);
        assert_eq!((totals.indexed, totals.failed, totals.passages), (1, 1, 3));
    }
}
