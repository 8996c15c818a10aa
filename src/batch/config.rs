//! The batch config file (`gyokaku batch CONFIG.toml`, format in CONTRACT.md).
//!
//! Parsing happens in two steps: the raw TOML (unknown keys refused, errors with the line
//! they are on), then resolution, which makes every path relative to the config's folder,
//! expands globs and turns the limits into [`Limits`]. Nothing is read from the inputs here.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::extract::{Limits, OcrMode, OcrOptions};

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read batch config `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("batch config `{}` line {line}: {message}", .path.display())]
    Invalid { path: PathBuf, line: usize, message: String },
}

/// The config as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: String,
    #[serde(default)]
    inputs: Vec<String>,
    manifest: Option<PathBuf>,
    /// A mirror written by `gyokaku fetch`: its manifest's documents are inputs.
    mirror: Option<PathBuf>,
    /// Which revisions of the mirror: `current` (default), `superseded`, `vanished`.
    mirror_include: Option<Vec<String>>,
    taxonomy: Option<String>,
    user_dict: Option<PathBuf>,
    index: Option<PathBuf>,
    output: Option<PathBuf>,
    jobs: Option<usize>,
    /// `auto` (default), `never` or `always`: when scanned pages are read by OCR.
    ocr: Option<OcrMode>,
    limits: Option<RawLimits>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_file_mb: Option<u64>,
    seconds_per_document: Option<f64>,
    max_decompressed_mb: Option<u64>,
    max_depth: Option<u32>,
}

/// Where the taxonomy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaxonomySource {
    /// The taxonomy shipped with gyokaku.
    Default,
    /// A taxonomy TOML file.
    File(PathBuf),
}

/// A mirror as a batch input: its folder and the revision statuses taken from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorInput {
    pub dir: PathBuf,
    pub include: Vec<String>,
}

/// Revision statuses of a mirror's manifest.
pub const MIRROR_STATUSES: [&str; 3] = ["current", "superseded", "vanished"];

/// A resolved batch config: absolute-or-relative-to-cwd paths, expanded inputs.
#[derive(Debug, Clone)]
pub struct BatchConfig {
    /// The config file itself (copied into the run folder).
    pub path: PathBuf,
    pub name: String,
    /// Input files and folders, globs expanded, in the order given.
    pub inputs: Vec<PathBuf>,
    pub manifest: Option<PathBuf>,
    /// A `gyokaku fetch` mirror whose documents are inputs (with its manifest).
    pub mirror: Option<MirrorInput>,
    pub taxonomy: TaxonomySource,
    /// Extra user-dictionary entries (CSV), installed into the index by ingest.
    pub user_dict: Option<PathBuf>,
    pub index: PathBuf,
    pub output: PathBuf,
    pub jobs: usize,
    pub limits: Limits,
    /// Things worth telling the user that do not stop the run (a glob that matched nothing).
    pub warnings: Vec<String>,
}

const MB: u64 = 1_000_000;

/// Default cap on bytes decompressed from one document's streams in a batch. Lower than the
/// single-file default: a batch runs `jobs` documents at once, and peak memory is about
/// `jobs × this` plus the index writer's 200 MB budget, well under 1.5 GB with 2 jobs.
const BATCH_MAX_DECOMPRESSED_MB: u64 = 256;

impl BatchConfig {
    /// Reads and resolves a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = fs_err::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        Self::parse(&text, path)
    }

    /// Parses config text; `path` locates relative paths and names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        Self::parse_with(text, path, expand_input)
    }

    /// Parses config text without touching the file system: globs are kept as written.
    /// For checking a config, and for fuzzing the parser.
    pub fn parse_unexpanded(text: &str, path: &Path) -> Result<Self, ConfigError> {
        Self::parse_with(text, path, |base, input| Ok(vec![base.join(input)]))
    }

    fn parse_with(
        text: &str,
        path: &Path,
        expand: impl Fn(&Path, &str) -> Result<Vec<PathBuf>, String>,
    ) -> Result<Self, ConfigError> {
        let invalid = |line: usize, message: String| ConfigError::Invalid {
            path: path.to_owned(),
            line,
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|err| {
            let line = err.span().map_or(0, |span| line_of_offset(text, span.start));
            invalid(line, one_line(err.message()))
        })?;
        let key_line = |key: &str| line_of_key(text, key);
        validate_name(&raw.name).map_err(|message| invalid(key_line("name"), message))?;
        if raw.inputs.is_empty() && raw.mirror.is_none() {
            return Err(invalid(
                key_line("inputs"),
                "`inputs` is empty: name at least one file, folder or glob (or a `mirror`)"
                    .to_owned(),
            ));
        }
        if raw.mirror.is_some() && raw.manifest.is_some() {
            return Err(invalid(
                key_line("manifest"),
                "a `mirror` brings its own manifest: drop `manifest`".to_owned(),
            ));
        }
        let include = raw.mirror_include.clone().unwrap_or_else(|| vec!["current".to_owned()]);
        if let Some(bad) = include.iter().find(|s| !MIRROR_STATUSES.contains(&s.as_str())) {
            return Err(invalid(
                key_line("mirror_include"),
                format!("`{bad}` is not one of {}", MIRROR_STATUSES.join(", ")),
            ));
        }
        if raw.jobs == Some(0) {
            return Err(invalid(key_line("jobs"), "`jobs` must be at least 1".to_owned()));
        }
        let mut limits = resolve_limits(raw.limits.unwrap_or_default())
            .map_err(|(key, message)| invalid(key_line(key), message))?;
        limits.ocr = OcrOptions {
            mode: raw.ocr.unwrap_or_default(),
            jobs: raw.jobs.unwrap_or_else(default_jobs),
        };
        let base = path.parent().unwrap_or(Path::new("")).to_owned();
        let mut warnings = Vec::new();
        let mut inputs = Vec::new();
        for input in &raw.inputs {
            let expanded =
                expand(&base, input).map_err(|message| invalid(key_line("inputs"), message))?;
            if expanded.is_empty() {
                warnings.push(format!("input `{input}` matched no file"));
            }
            inputs.extend(expanded);
        }
        let taxonomy = match raw.taxonomy.as_deref() {
            None | Some("default") => TaxonomySource::Default,
            Some(file) => TaxonomySource::File(base.join(file)),
        };
        Ok(BatchConfig {
            path: path.to_owned(),
            name: raw.name,
            inputs,
            manifest: raw.manifest.map(|m| base.join(m)),
            mirror: raw.mirror.map(|dir| MirrorInput { dir: base.join(dir), include }),
            taxonomy,
            user_dict: raw.user_dict.map(|u| base.join(u)),
            index: base.join(raw.index.unwrap_or_else(|| PathBuf::from("index"))),
            output: base.join(raw.output.unwrap_or_else(|| PathBuf::from("runs"))),
            jobs: raw.jobs.unwrap_or_else(default_jobs),
            limits,
            warnings,
        })
    }
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

/// The run name becomes part of a folder name: keep it to one safe path component.
fn validate_name(name: &str) -> Result<(), String> {
    let bad = name.is_empty()
        || name.starts_with('.')
        || name.len() > 100
        || name.chars().any(|c| {
            c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        });
    if bad {
        return Err(format!(
            "`name = \"{name}\"` must be a short folder-safe name such as \"partner-2026\" (no slashes, no leading dot)"
        ));
    }
    Ok(())
}

fn resolve_limits(raw: RawLimits) -> Result<Limits, (&'static str, String)> {
    let defaults = Limits::default();
    let positive = |key: &'static str, value: Option<u64>| match value {
        Some(0) => Err((key, format!("`{key}` must be at least 1"))),
        other => Ok(other),
    };
    let max_file_mb = positive("max_file_mb", raw.max_file_mb)?;
    let max_decompressed_mb = positive("max_decompressed_mb", raw.max_decompressed_mb)?;
    if let Some(seconds) = raw.seconds_per_document
        && !(seconds.is_finite() && seconds > 0.0)
    {
        return Err((
            "seconds_per_document",
            "`seconds_per_document` must be a positive number".to_owned(),
        ));
    }
    Ok(Limits {
        max_file_bytes: max_file_mb.map_or(defaults.max_file_bytes, |mb| mb.saturating_mul(MB)),
        max_decompressed_bytes: max_decompressed_mb
            .unwrap_or(BATCH_MAX_DECOMPRESSED_MB)
            .saturating_mul(MB),
        max_seconds: raw.seconds_per_document.unwrap_or(defaults.max_seconds),
        max_depth: raw.max_depth.unwrap_or(defaults.max_depth),
        ocr: defaults.ocr,
    })
}

/// Resolves one input against the config's folder; a glob (`*`, `?`, `[`, `{`) expands to
/// the matching files in name order, anything else is kept as a path (checked at ingest).
fn expand_input(base: &Path, input: &str) -> Result<Vec<PathBuf>, String> {
    if !input.contains(['*', '?', '[', '{']) {
        return Ok(vec![base.join(input)]);
    }
    let glob = globset::GlobBuilder::new(input)
        .literal_separator(true)
        .build()
        .map_err(|err| format!("input `{input}` is not a valid glob: {err}"))?
        .compile_matcher();
    let literal_prefix: PathBuf = Path::new(input)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[', '{']))
        .collect();
    let root = base.join(&literal_prefix);
    let mut matches: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| !entry.file_type().is_dir())
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(base).ok()?.to_owned();
            glob.is_match(&relative).then(|| entry.path().to_owned())
        })
        .collect();
    matches.sort();
    Ok(matches)
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line on which `key = ...` is written (0 when it is not written at all).
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(0, |index| index + 1)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BatchConfig, ConfigError> {
        BatchConfig::parse(text, Path::new("work/batch.toml"))
    }

    fn error_of(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn contract_example_parses_with_paths_relative_to_the_config() {
        let config = parse(
            r#"
name = "partner-2026"
inputs = ["corpus/"]
manifest = "corpus/manifest.csv"
taxonomy = "default"
index = "index/"
output = "runs/"
jobs = 2
[limits]
max_file_mb = 200
seconds_per_document = 120
"#,
        )
        .unwrap();
        assert_eq!(config.name, "partner-2026");
        assert_eq!(config.inputs, vec![PathBuf::from("work/corpus/")]);
        assert_eq!(config.manifest, Some(PathBuf::from("work/corpus/manifest.csv")));
        assert_eq!(config.taxonomy, TaxonomySource::Default);
        assert_eq!(config.index, PathBuf::from("work/index/"));
        assert_eq!(config.output, PathBuf::from("work/runs/"));
        assert_eq!(config.jobs, 2);
        assert_eq!(config.limits.max_file_bytes, 200_000_000);
        assert!((config.limits.max_seconds - 120.0).abs() < f64::EPSILON);
    }

    #[test]
    fn ocr_mode_and_jobs_reach_the_limits() {
        let config = parse("name = \"a\"\ninputs = [\"x\"]\njobs = 3\nocr = \"never\"\n").unwrap();
        assert_eq!(config.limits.ocr.mode, OcrMode::Never);
        assert_eq!(config.limits.ocr.jobs, 3);
        let config = parse("name = \"a\"\ninputs = [\"x\"]\n").unwrap();
        assert_eq!(config.limits.ocr.mode, OcrMode::Auto, "auto by default");
        let message = error_of("name = \"a\"\ninputs = [\"x\"]\nocr = \"sometimes\"\n");
        assert!(message.contains("line 3"), "{message}");
    }

    #[test]
    fn unknown_key_is_refused_with_its_line() {
        let message = error_of("name = \"a\"\ninputs = [\"x\"]\njbos = 2\n");
        assert!(message.contains("line 3"), "{message}");
        assert!(message.contains("jbos"), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }

    #[test]
    fn unknown_limit_is_refused_with_its_line() {
        let message = error_of("name = \"a\"\ninputs = [\"x\"]\n[limits]\nmax_file_gb = 2\n");
        assert!(message.contains("line 4"), "{message}");
    }

    #[test]
    fn wrong_type_and_missing_key_are_explained() {
        let message = error_of("name = \"a\"\ninputs = \"corpus/\"\n");
        assert!(message.contains("line 2"), "{message}");
        let message = error_of("inputs = [\"corpus/\"]\n");
        assert!(message.contains("name"), "{message}");
    }

    #[test]
    fn semantic_errors_name_the_line() {
        assert!(error_of("name = \"../up\"\ninputs = [\"x\"]\n").contains("line 1"));
        assert!(error_of("name = \"a\"\ninputs = []\n").contains("line 2"));
        assert!(error_of("name = \"a\"\ninputs = [\"x\"]\njobs = 0\n").contains("line 3"));
        let message =
            error_of("name = \"a\"\ninputs = [\"x\"]\n[limits]\nseconds_per_document = -1\n");
        assert!(message.contains("line 4"), "{message}");
    }

    #[test]
    fn globs_expand_to_matching_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let more = dir.path().join("more");
        fs_err::create_dir_all(more.join("sub")).unwrap();
        for name in ["a.pdf", "b.pdf", "c.html", "sub/d.pdf"] {
            fs_err::write(more.join(name), "x").unwrap();
        }
        let config_path = dir.path().join("batch.toml");
        let config = BatchConfig::parse(
            "name = \"g\"\ninputs = [\"more/*.pdf\", \"none/*.pdf\"]\n",
            &config_path,
        )
        .unwrap();
        assert_eq!(config.inputs, vec![more.join("a.pdf"), more.join("b.pdf")]);
        assert_eq!(config.warnings, vec!["input `none/*.pdf` matched no file".to_owned()]);
        let deep = BatchConfig::parse("name = \"g\"\ninputs = [\"more/**/*.pdf\"]\n", &config_path)
            .unwrap();
        assert_eq!(deep.inputs.len(), 3);
    }
}
