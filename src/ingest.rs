//! Ingest: files and folders in, passages in the index out.
//!
//! Each document is read, hashed, extracted (or taken from the extraction cache under
//! `<index>/extracted/`), segmented, given its metadata and written to the index. Documents
//! run in parallel on rayon; one writer thread owns the tantivy `IndexWriter`. A document
//! whose content and metadata are unchanged is skipped without extraction. One bad file never
//! stops the others: it gets a one-line reason in the report. Commits are periodic and
//! atomic, so a crash or Ctrl-C leaves the last committed index intact and searchable.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::extract::{self, ExtractError, Limits, OcrMode, OcrOptions, SourceHints};
use crate::index::{DocumentEntry, DocumentInput, IndexError, PassageIndex};
use crate::metadata::{self, Manifest, ManifestError};
use crate::model::{DocMeta, Extracted, Format, Passage};
use crate::segment;
use crate::tokenize::{JapaneseTokenizer, TokenizeError};

/// Bump when extraction output changes, so cached extractions are redone.
/// 2: PDF tables read by their ruling lines.
/// 4: text files decoded by the one decoder (ISO-2022-JP text, declared charsets cross-checked,
///    encoding described as for pages), binary text files by the one detector.
pub const EXTRACTOR_VERSION: u32 = 4;

/// Commit at least every this many documents or this much time, so a crash or a killed job
/// loses little work.
const COMMIT_EVERY_DOCUMENTS: usize = 500;
const COMMIT_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Extensions of files that are never documents when a folder is walked (a folder's README,
/// its manifest, sidecar files). Files named explicitly are always ingested.
const NOT_DOCUMENTS: [&str; 8] = ["md", "csv", "tsv", "json", "toml", "yml", "yaml", "charset"];

#[derive(Debug, Error)]
pub enum IngestError {
    #[error("`{}` does not exist", .0.display())]
    MissingInput(PathBuf),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Tokenize(#[from] TokenizeError),
    #[error("cannot start {0} worker threads: {1}")]
    Threads(usize, String),
}

/// What to ingest and how.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub inputs: Vec<PathBuf>,
    pub index_dir: PathBuf,
    pub manifest: Option<PathBuf>,
    pub jobs: usize,
    pub limits: Limits,
    /// Delete documents from the index that are not among the inputs any more.
    pub prune: bool,
    /// Process only this deterministic share of the inputs (`--shard K/N`).
    pub shard: Option<Shard>,
    /// More user-dictionary entries (CSV `surface,part_of_speech,reading`); kept in the index.
    pub user_dict: Option<PathBuf>,
}

impl IngestOptions {
    /// Options with safe defaults: no manifest beyond each folder's own, one job per CPU,
    /// default limits, no pruning, every shard, no extra user dictionary. Callers override
    /// fields with struct-update syntax, so new options do not touch every caller.
    pub fn new(inputs: Vec<PathBuf>, index_dir: PathBuf) -> Self {
        IngestOptions {
            inputs,
            index_dir,
            manifest: None,
            jobs: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            limits: Limits::default(),
            prune: false,
            shard: None,
            user_dict: None,
        }
    }
}

/// A deterministic share of the inputs: shard `index` (1-based) of `count`. A file belongs to
/// the shard chosen by its content hash (by its path when it cannot be read), so every file
/// falls in exactly one shard whatever the machine, the order or the other files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether the document with this key (content hash or path) belongs to this shard.
    pub fn owns(self, key: &str) -> bool {
        let hash = blake3::hash(key.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        u64::from_le_bytes(first) % u64::from(self.count.max(1)) == u64::from(self.index - 1)
    }

    fn owns_file(self, file: &InputFile, limits: &Limits) -> bool {
        let within_limit = fs_err::metadata(&file.path)
            .is_ok_and(|meta| meta.len() <= limits.max_file_bytes && meta.len() > 0);
        let bytes = if within_limit { fs_err::read(&file.path).ok() } else { None };
        match bytes {
            Some(bytes) => self.owns(&content_hash(&bytes)),
            None => self.owns(&file.key),
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("`{text}` is not a shard like 2/4 (shard K of N, 1 <= K <= N)");
        let (k, n) = text.split_once('/').ok_or_else(invalid)?;
        let index: u32 = k.trim().parse().map_err(|_| invalid())?;
        let count: u32 = n.trim().parse().map_err(|_| invalid())?;
        if index == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

/// Keeps the files and discovery problems that belong to `shard` (all when there is none).
fn select_shard(
    shard: Option<Shard>,
    files: Vec<InputFile>,
    mut problems: Vec<DocumentOutcome>,
    limits: &Limits,
) -> (Vec<InputFile>, Vec<DocumentOutcome>) {
    let Some(shard) = shard else { return (files, problems) };
    problems.retain(|outcome| shard.owns(&outcome.path));
    let files = files.into_par_iter().filter(|file| shard.owns_file(file, limits)).collect();
    (files, problems)
}

/// What happened to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocStatus {
    Indexed,
    Unchanged,
    Failed,
    Skipped,
}

/// The outcome for one input file, as reported to the user and in run reports.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentOutcome {
    pub path: String,
    pub hash: Option<String>,
    pub format: Option<Format>,
    pub status: DocStatus,
    pub pages: u32,
    pub passages: u32,
    pub chars: usize,
    pub municipality: Option<String>,
    pub error: Option<String>,
    pub warnings: Vec<String>,
    pub seconds: f64,
}

impl DocumentOutcome {
    fn new(path: &str, status: DocStatus) -> Self {
        DocumentOutcome {
            path: path.to_owned(),
            hash: None,
            format: None,
            status,
            pages: 0,
            passages: 0,
            chars: 0,
            municipality: None,
            error: None,
            warnings: Vec::new(),
            seconds: 0.0,
        }
    }
}

/// The outcome of an ingest run, documents sorted by path.
#[derive(Debug, Clone, Serialize)]
pub struct IngestReport {
    pub documents: Vec<DocumentOutcome>,
    pub pruned: Vec<String>,
    pub seconds: f64,
}

impl IngestReport {
    pub fn count(&self, status: DocStatus) -> usize {
        self.documents.iter().filter(|d| d.status == status).count()
    }
}

/// A document ready for the writer.
struct Prepared {
    outcome: DocumentOutcome,
    write: Option<PreparedWrite>,
}

struct PreparedWrite {
    doc_id: String,
    fingerprint: String,
    format: Format,
    meta: DocMeta,
    passages: Vec<Passage>,
    passage_themes: Vec<Vec<String>>,
    passage_roles: Vec<&'static str>,
    passage_ocr: Vec<bool>,
}

/// An input file with the name it is indexed under.
#[derive(Debug, Clone)]
struct InputFile {
    path: PathBuf,
    key: String,
}

/// Lists the files of the inputs: files as given, folders walked recursively in name order.
/// Unreadable entries and symlink loops become failed outcomes.
fn discover(inputs: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<DocumentOutcome>), IngestError> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        if !input.exists() && !input.is_symlink() {
            return Err(IngestError::MissingInput(input.clone()));
        }
        if !input.is_dir() {
            files.push(InputFile { path: input.clone(), key: path_key(input) });
            continue;
        }
        let walker = walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name();
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_document_name(entry.path()) => {
                    let path = entry.path().to_owned();
                    files.push(InputFile { key: path_key(&path), path });
                }
                Ok(_) => {}
                Err(err) => {
                    let path = err.path().map_or_else(|| input.clone(), Path::to_owned);
                    let mut outcome = DocumentOutcome::new(&path_key(&path), DocStatus::Failed);
                    outcome.error = Some(one_line(&err.to_string()));
                    problems.push(outcome);
                }
            }
        }
    }
    files.sort_by(|a, b| a.key.cmp(&b.key));
    files.dedup_by(|a, b| a.key == b.key);
    Ok((files, problems))
}

fn is_document_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    !name.starts_with('.') && !NOT_DOCUMENTS.contains(&extension.to_ascii_lowercase().as_str())
}

fn path_key(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Finds the manifest: the one given, else `manifest.csv` in each input folder.
fn load_manifests(options: &IngestOptions) -> Result<Vec<Manifest>, IngestError> {
    if let Some(path) = &options.manifest {
        return Ok(vec![Manifest::load(path)?]);
    }
    options
        .inputs
        .iter()
        .map(|input| input.join("manifest.csv"))
        .filter(|candidate| candidate.is_file())
        .map(|candidate| Manifest::load(&candidate).map_err(IngestError::from))
        .collect()
}

/// Ingests the inputs into the index. `on_document` is called as each document finishes.
pub fn ingest(
    options: &IngestOptions,
    on_start: &(dyn Fn(usize) + Sync),
    on_document: &(dyn Fn(&DocumentOutcome) + Sync),
) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    let manifests = load_manifests(options)?;
    let (files, outcomes) = discover(&options.inputs)?;
    let (files, mut outcomes) = select_shard(options.shard, files, outcomes, &options.limits);
    on_start(files.len() + outcomes.len());
    outcomes.iter().for_each(on_document);

    if let Some(user_dict) = &options.user_dict {
        install_user_dict(user_dict, &options.index_dir)?;
    }
    let index = PassageIndex::open_or_create(&options.index_dir)?;
    let tokenizer = index.tokenizer();
    let analysis_key = analysis_key(&options.index_dir);
    let mut documents = index.documents()?;
    let cache = ExtractionCache::new(&options.index_dir);
    let mut writer = index.writer()?;

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
        .map_err(|err| IngestError::Threads(options.jobs, err.to_string()))?;
    let (sender, receiver) = mpsc::sync_channel::<Prepared>(options.jobs.max(1) * 4);
    let known = &documents.clone();
    let context = PrepareContext {
        options,
        manifests: &manifests,
        known,
        cache: &cache,
        tokenizer,
        analysis_key: &analysis_key,
    };
    let mut last_commit = Instant::now();
    let mut pending = 0usize;
    let mut write_result: Result<(), IndexError> = Ok(());
    std::thread::scope(|scope| {
        scope.spawn(|| {
            pool.install(|| {
                files.par_iter().for_each_with(sender, |sender, file| {
                    let prepared = prepare_guarded(file, &context);
                    let _ = sender.send(prepared);
                });
            });
        });
        for prepared in receiver {
            if write_result.is_err() {
                continue;
            }
            let outcome = prepared.outcome;
            if let Some(write) = prepared.write {
                write_result = writer
                    .replace_document(&DocumentInput {
                        path: &outcome.path,
                        doc_id: &write.doc_id,
                        fingerprint: &write.fingerprint,
                        format: write.format,
                        meta: &write.meta,
                        passages: &write.passages,
                        passage_themes: &write.passage_themes,
                        passage_roles: &write.passage_roles,
                        passage_ocr: &write.passage_ocr,
                    })
                    .map(|()| {
                        documents.insert(outcome.path.clone(), entry_for(&write));
                    });
                pending += 1;
                let due =
                    pending >= COMMIT_EVERY_DOCUMENTS || last_commit.elapsed() >= COMMIT_EVERY;
                if due && write_result.is_ok() {
                    write_result = writer.commit(&documents);
                    last_commit = Instant::now();
                    pending = 0;
                }
            }
            on_document(&outcome);
            outcomes.push(outcome);
        }
    });
    write_result?;

    let mut pruned = Vec::new();
    if options.prune {
        let present: BTreeSet<&str> = files.iter().map(|f| f.key.as_str()).collect();
        pruned = documents.keys().filter(|k| !present.contains(k.as_str())).cloned().collect();
        for path in &pruned {
            writer.delete_path(path);
            documents.remove(path);
        }
    }
    writer.commit(&documents)?;
    writer.finish()?;
    outcomes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(IngestReport { documents: outcomes, pruned, seconds: started.elapsed().as_secs_f64() })
}

fn entry_for(write: &PreparedWrite) -> DocumentEntry {
    DocumentEntry {
        doc_id: write.doc_id.clone(),
        fingerprint: write.fingerprint.clone(),
        passages: u32::try_from(write.passages.len()).unwrap_or(u32::MAX),
        municipality: write.meta.municipality.clone(),
        year: write.meta.year,
    }
}

/// What every document of one ingest run is prepared against.
struct PrepareContext<'a> {
    options: &'a IngestOptions,
    manifests: &'a [Manifest],
    /// The index's documents before this run, by path.
    known: &'a BTreeMap<String, DocumentEntry>,
    cache: &'a ExtractionCache,
    tokenizer: &'a JapaneseTokenizer,
    analysis_key: &'a str,
}

/// Prepares one document; a panic anywhere becomes a failed outcome for that file alone.
fn prepare_guarded(file: &InputFile, context: &PrepareContext<'_>) -> Prepared {
    let started = Instant::now();
    let result = extract::catch_panic(|| prepare(file, context));
    let mut prepared = result.unwrap_or_else(|_| {
        let mut outcome = DocumentOutcome::new(&file.key, DocStatus::Failed);
        outcome.error = Some("internal error while processing this file (panic)".to_owned());
        Prepared { outcome, write: None }
    });
    prepared.outcome.seconds = started.elapsed().as_secs_f64();
    prepared
}

fn prepare(file: &InputFile, context: &PrepareContext<'_>) -> Prepared {
    let PrepareContext { options, manifests, known, cache, tokenizer, analysis_key } = *context;
    let mut outcome = DocumentOutcome::new(&file.key, DocStatus::Failed);
    let bytes = match read_limited(&file.path, &options.limits) {
        Ok(bytes) => bytes,
        Err(ReadProblem::Skip(reason)) => {
            outcome.status = DocStatus::Skipped;
            outcome.error = Some(reason);
            return Prepared { outcome, write: None };
        }
        Err(ReadProblem::Fail(reason)) => {
            outcome.error = Some(reason);
            return Prepared { outcome, write: None };
        }
    };
    let hash = content_hash(&bytes);
    outcome.hash = Some(hash.clone());
    let manifest_meta =
        manifests.iter().find_map(|m| m.get(&file.path)).cloned().unwrap_or_default();
    // A change of OCR mode or of the Tesseract installed may change the text of scans.
    let mut extraction_key = format!("{analysis_key}\n{}", options.limits.ocr.cache_tag());
    // The charset of a manifest column, else of a `NAME.charset` sidecar, as `extract` reads it.
    let hints = extract::source_hints(&file.path, manifest_meta.extra.get("charset").cloned());
    if let Some(charset) = &hints.charset {
        extraction_key.push_str(&format!("\ncharset {charset}"));
    }
    let fingerprint = fingerprint(&hash, &manifest_meta, &extraction_key);
    if let Some(entry) = known.get(&file.key).filter(|e| e.fingerprint == fingerprint) {
        outcome.status = DocStatus::Unchanged;
        outcome.passages = entry.passages;
        outcome.municipality = entry.municipality.clone();
        return Prepared { outcome, write: None };
    }
    let extracted = match cache.get_or_extract(&hash, &bytes, &options.limits, &hints) {
        Ok(extracted) => extracted,
        Err(err) => {
            outcome.status = match err {
                ExtractError::Empty => DocStatus::Skipped,
                _ => DocStatus::Failed,
            };
            outcome.error = Some(one_line(&err.to_string()));
            return Prepared { outcome, write: None };
        }
    };
    let mut meta = metadata::complete(&manifest_meta, &extracted, tokenizer);
    let identity_warning = metadata::resolve_identity(&mut meta);
    let passages = segment::segment(&extracted);
    let passage_themes = passage_themes(&passages);
    outcome.status = DocStatus::Indexed;
    outcome.format = Some(extracted.format);
    outcome.pages = u32::try_from(extracted.pages.len()).unwrap_or(u32::MAX);
    outcome.passages = u32::try_from(passages.len()).unwrap_or(u32::MAX);
    outcome.chars = extracted.char_count();
    outcome.warnings = extracted.warnings.clone();
    outcome.warnings.extend(identity_warning);
    outcome.municipality = meta.municipality.clone();
    if passages.is_empty() {
        outcome.warnings.push("no text to index".to_owned());
    }
    let write = PreparedWrite {
        doc_id: hash,
        fingerprint,
        format: extracted.format,
        meta,
        passage_ocr: passages
            .iter()
            .map(|p| extracted.ocr.iter().any(|page| page.page == p.page))
            .collect(),
        passage_roles: passages
            .iter()
            .map(|p| crate::themes::passage_role(&p.heading_path, &p.text).as_str())
            .collect(),
        passages,
        passage_themes,
    };
    Prepared { outcome, write: Some(write) }
}

/// Theme ids per passage for the index's `themes` facet, with the shipped taxonomy.
fn passage_themes(passages: &[Passage]) -> Vec<Vec<String>> {
    match crate::themes::Taxonomy::embedded_default() {
        Ok(taxonomy) => passages
            .iter()
            .map(|p| crate::themes::passage_theme_ids(taxonomy, &p.heading(), &p.text))
            .collect(),
        Err(_) => passages.iter().map(|_| Vec::new()).collect(),
    }
}

enum ReadProblem {
    Skip(String),
    Fail(String),
}

fn read_limited(path: &Path, limits: &Limits) -> Result<Vec<u8>, ReadProblem> {
    let metadata =
        fs_err::metadata(path).map_err(|err| ReadProblem::Fail(one_line(&err.to_string())))?;
    if metadata.len() == 0 {
        return Err(ReadProblem::Skip("empty file".to_owned()));
    }
    if metadata.len() > limits.max_file_bytes {
        return Err(ReadProblem::Skip(format!(
            "file is {} MB, over the limit of {} MB",
            metadata.len() / 1_000_000,
            limits.max_file_bytes / 1_000_000
        )));
    }
    fs_err::read(path).map_err(|err| ReadProblem::Fail(one_line(&err.to_string())))
}

/// The document id: the first 16 bytes of the BLAKE3 hash of the file, in hex.
pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_owned()
}

/// Changes whenever the content, the metadata or the way we analyse changes.
fn fingerprint(hash: &str, meta: &DocMeta, analysis_key: &str) -> String {
    let meta_json = serde_json::to_string(meta).unwrap_or_default();
    let input = format!(
        "{hash}\n{meta_json}\n{analysis_key}\n{}\n{EXTRACTOR_VERSION}\n{}",
        crate::index::SCHEMA_VERSION,
        env!("CARGO_PKG_VERSION")
    );
    blake3::hash(input.as_bytes()).to_hex()[..32].to_owned()
}

/// Copies extra user-dictionary entries into the index, so that searches use them too.
fn install_user_dict(user_dict: &Path, index_dir: &Path) -> Result<(), IngestError> {
    // Validate before installing: a broken file must not make the index unusable.
    JapaneseTokenizer::with_user_dict(Some(user_dict))?;
    let io = |source| IngestError::Index(IndexError::Io { dir: index_dir.to_owned(), source });
    fs_err::create_dir_all(index_dir).map_err(io)?;
    fs_err::copy(user_dict, index_dir.join(crate::index::USER_DICT_FILE)).map_err(io)?;
    Ok(())
}

/// What, besides content and metadata, decides how a document is indexed: the user
/// dictionary in the index, the segmentation and the taxonomy behind the `themes` facet (a
/// change re-indexes every document).
fn analysis_key(index_dir: &Path) -> String {
    let mut key = fs_err::read(index_dir.join(crate::index::USER_DICT_FILE)).unwrap_or_default();
    key.extend_from_slice(&crate::tokenize::SEGMENTATION_VERSION.to_le_bytes());
    key.extend_from_slice(crate::normalize::EMBEDDED_TAXONOMY.as_bytes());
    blake3::hash(&key).to_hex()[..16].to_owned()
}

/// Extraction results by content hash, so a re-run or a changed manifest row does not
/// extract a file again.
struct ExtractionCache {
    dir: PathBuf,
}

impl ExtractionCache {
    fn new(index_dir: &Path) -> Self {
        ExtractionCache { dir: index_dir.join("extracted") }
    }

    /// A declared charset changes the text of the same bytes, so it is part of the key.
    fn path(&self, hash: &str, hints: &SourceHints) -> PathBuf {
        match &hints.charset {
            None => self.dir.join(format!("{hash}-v{EXTRACTOR_VERSION}.json")),
            Some(charset) => {
                let charset: String = charset.chars().filter(char::is_ascii_alphanumeric).collect();
                self.dir.join(format!("{hash}-{charset}-v{EXTRACTOR_VERSION}.json"))
            }
        }
    }

    fn get_or_extract(
        &self,
        hash: &str,
        bytes: &[u8],
        limits: &Limits,
        hints: &SourceHints,
    ) -> Result<Extracted, ExtractError> {
        let path = self.path(hash, hints);
        if let Ok(json) = fs_err::read(&path)
            && let Ok(extracted) = serde_json::from_slice::<Extracted>(&json)
            && !ocr_would_differ(&extracted, &limits.ocr)
        {
            return Ok(extracted);
        }
        let extracted = extract::extract_with_deadline(bytes, limits, hints)?;
        self.store(&path, &extracted);
        Ok(extracted)
    }

    /// Writes atomically (temporary file, then rename); a failure only costs a re-extraction.
    fn store(&self, path: &Path, extracted: &Extracted) {
        let Ok(json) = serde_json::to_vec(extracted) else { return };
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = fs_err::create_dir_all(&self.dir)
            .and_then(|()| fs_err::write(&tmp, json))
            .and_then(|()| fs_err::rename(&tmp, path));
        if let Err(err) = written {
            tracing::warn!("cannot cache extraction: {err}");
        }
    }
}

/// Whether extracting again under `ocr` would read pages differently from the cached
/// extraction: a scan cached before Tesseract was installed, or another OCR mode.
fn ocr_would_differ(cached: &Extracted, ocr: &OcrOptions) -> bool {
    if cached.format != crate::model::Format::Pdf {
        return false;
    }
    let read = |number: u32| cached.ocr_of(number).is_some();
    match ocr.mode {
        OcrMode::Never => !cached.ocr.is_empty(),
        OcrMode::Always => {
            extract::pdf::ocr::engine().is_some() && cached.pages.iter().any(|p| !read(p.number))
        }
        OcrMode::Auto => {
            let unread = cached
                .pages
                .iter()
                .any(|p| !read(p.number) && extract::pdf::ocr::is_garbage(&p.text));
            unread && extract::pdf::ocr::engine().is_some()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_skip_readmes_and_manifests() {
        assert!(is_document_name(Path::new("corpus/memuro.pdf")));
        assert!(is_document_name(Path::new("corpus/plan")));
        assert!(!is_document_name(Path::new("corpus/manifest.csv")));
        assert!(!is_document_name(Path::new("corpus/README.md")));
        assert!(!is_document_name(Path::new("corpus/.DS_Store")));
    }

    #[test]
    fn every_key_belongs_to_exactly_one_shard() {
        let shards: Vec<Shard> = (1..=4).map(|index| Shard { index, count: 4 }).collect();
        let mut sizes = [0usize; 4];
        for i in 0..400 {
            let key = content_hash(format!("document {i}").as_bytes());
            let owners: Vec<usize> = (0..4).filter(|&s| shards[s].owns(&key)).collect();
            assert_eq!(owners.len(), 1, "{key}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| n > 60), "shares are balanced: {sizes:?}");
    }

    #[test]
    fn shards_parse_from_k_slash_n() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_are_paths_as_given() {
        assert_eq!(path_key(Path::new("./corpus/memuro.pdf")), "corpus/memuro.pdf");
    }

    #[test]
    fn cached_ocr_is_redone_only_when_the_mode_asks_for_other_pages() {
        use crate::model::{Format, OcrPage, Page};
        let page = |number, text: &str| Page { number, text: text.into(), headings: vec![] };
        let mut scanned =
            Extracted::new(Format::Pdf, vec![page(1, "本文"), page(2, "読み取った本文")]);
        scanned.ocr.push(OcrPage {
            page: 2,
            engine: "tesseract 5.3.0".into(),
            language: "jpn".into(),
            mean_confidence: 90.0,
        });
        let options = |mode| OcrOptions { mode, jobs: 1 };
        assert!(ocr_would_differ(&scanned, &options(OcrMode::Never)), "never drops OCR text");
        assert!(!ocr_would_differ(&scanned, &options(OcrMode::Auto)), "nothing left to read");
        let text = Extracted::new(Format::Text, vec![page(1, "")]);
        assert!(!ocr_would_differ(&text, &options(OcrMode::Always)), "only PDFs are OCR'd");
    }

    #[test]
    fn fingerprint_changes_with_metadata() {
        let meta = DocMeta { municipality: Some("芽室町".into()), ..DocMeta::default() };
        assert_ne!(fingerprint("abc", &meta, ""), fingerprint("abc", &DocMeta::default(), ""));
        assert_ne!(fingerprint("abc", &meta, "a"), fingerprint("abc", &meta, "b"));
    }
}
