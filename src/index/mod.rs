//! The passage index: tantivy under `<index>/tantivy/`, one tantivy document per passage.
//!
//! This is the only module that imports tantivy. Which documents the index holds, and in
//! which version (their fingerprints), travels in the commit payload, so it is always
//! consistent with the committed passages: a crash between commits leaves the previous
//! commit, its passages and its document list intact.

mod analyzer;
mod facets;
pub mod query;
mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::schema::{Facet, OwnedValue, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use thiserror::Error;

pub use query::{Filters, SearchHit, SearchResults};
use schema::Fields;
pub use schema::SCHEMA_VERSION;

use crate::model::{DocMeta, Format, Passage};
use crate::tokenize::JapaneseTokenizer;

#[derive(Debug, Error)]
pub enum IndexError {
    #[error("no index at `{}`", .dir.display())]
    Missing { dir: PathBuf },
    #[error(
        "the index at `{}` was built by another version of gyokaku (schema {found}, need {expected}); delete it and ingest again",
        .dir.display()
    )]
    Version { dir: PathBuf, found: u32, expected: u32 },
    #[error("index at `{}`: {source}", .dir.display())]
    Tantivy {
        dir: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("index at `{}`: {source}", .dir.display())]
    Io {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("index at `{}`: corrupt document list: {reason}", .dir.display())]
    Payload { dir: PathBuf, reason: String },
    #[error("`{}` already holds an index; merge into a new folder", .dir.display())]
    MergeTargetExists { dir: PathBuf },
    #[error("the index at `{}` has another schema than this gyokaku's; rebuild it with this version", .dir.display())]
    SchemaMismatch { dir: PathBuf },
    #[error("`{}` and `{}` were built with different user dictionaries", .first.display(), .second.display())]
    UserDictMismatch { first: PathBuf, second: PathBuf },
    #[error("document `{path}` is in both `{}` and `{}`; shards must not overlap", .first.display(), .second.display())]
    DuplicateDocument { path: String, first: PathBuf, second: PathBuf },
}

/// What the index knows of one document without reading its passages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentEntry {
    pub doc_id: String,
    /// Changes when the content, the metadata or the analysis changes.
    pub fingerprint: String,
    pub passages: u32,
    pub municipality: Option<String>,
    pub year: Option<i32>,
}

/// The commit payload: every document of the index by path.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct CommitPayload {
    schema_version: u32,
    documents: BTreeMap<String, DocumentEntry>,
}

/// A document read back from the index with all its passages in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedDocument {
    pub path: String,
    pub doc_id: String,
    pub format: Format,
    pub meta: DocMeta,
    pub passages: Vec<Passage>,
    /// Theme ids per passage, as stored in the `themes` facet (same order as `passages`).
    pub passage_themes: Vec<Vec<String>>,
    /// Each passage's role (`history`, `state`, `commitment`, `target`, `other`; empty in an
    /// index written before roles existed), same order as `passages`.
    pub passage_roles: Vec<String>,
}

/// A document ready to be written: its metadata and passages.
#[derive(Debug, Clone)]
pub struct DocumentInput<'a> {
    pub path: &'a str,
    pub doc_id: &'a str,
    pub fingerprint: &'a str,
    pub format: Format,
    pub meta: &'a DocMeta,
    pub passages: &'a [Passage],
    /// Theme ids per passage (may be empty).
    pub passage_themes: &'a [Vec<String>],
    /// Role names per passage (may be empty).
    pub passage_roles: &'a [&'static str],
    /// Per passage: read from an OCR'd page (may be empty).
    pub passage_ocr: &'a [bool],
}

/// A short fingerprint of the index's current commit (blake3 of tantivy's `meta.json`, 16 hex
/// digits): it changes with every commit, so reports can name the index state they read and the
/// web app can tell when to reload.
pub fn commit_stamp(index_dir: &Path) -> std::io::Result<String> {
    let bytes = fs_err::read(index_dir.join("tantivy").join("meta.json"))?;
    Ok(blake3::hash(&bytes).to_hex()[..16].to_owned())
}

/// An open passage index.
pub struct PassageIndex {
    dir: PathBuf,
    index: Index,
    fields: Fields,
    tokenizer: JapaneseTokenizer,
    /// Opened on first use and reused: opening a reader costs more than a typical query.
    reader: std::sync::OnceLock<IndexReader>,
    /// What each segment holds for facet counting, read on first use.
    facet_cache: facets::FacetCache,
}

/// The user dictionary an index was built with, kept inside it so that queries are
/// analysed with exactly the same entries.
pub const USER_DICT_FILE: &str = "user-dict.csv";

fn tantivy_dir(index_dir: &Path) -> PathBuf {
    index_dir.join("tantivy")
}

impl PassageIndex {
    /// Opens an existing index.
    pub fn open(index_dir: &Path) -> Result<Self, IndexError> {
        let dir = tantivy_dir(index_dir);
        if !dir.join("meta.json").exists() {
            return Err(IndexError::Missing { dir: index_dir.to_owned() });
        }
        let index = Index::open_in_dir(&dir)
            .map_err(|source| IndexError::Tantivy { dir: index_dir.to_owned(), source })?;
        let this = Self::from_index(index_dir, index)?;
        let payload = this.payload()?;
        if payload.schema_version != SCHEMA_VERSION {
            return Err(IndexError::Version {
                dir: index_dir.to_owned(),
                found: payload.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        Ok(this)
    }

    /// Opens the index, creating an empty one if there is none.
    pub fn open_or_create(index_dir: &Path) -> Result<Self, IndexError> {
        let dir = tantivy_dir(index_dir);
        if dir.join("meta.json").exists() {
            return Self::open(index_dir);
        }
        fs_err::create_dir_all(&dir)
            .map_err(|source| IndexError::Io { dir: index_dir.to_owned(), source })?;
        let (schema, _) = Fields::build();
        let index = Index::create_in_dir(&dir, schema)
            .map_err(|source| IndexError::Tantivy { dir: index_dir.to_owned(), source })?;
        let this = Self::from_index(index_dir, index)?;
        let mut writer = this.writer()?;
        writer.commit(&BTreeMap::new())?;
        Ok(this)
    }

    /// Opens a freshly merged index (no payload yet) or creates an empty one.
    fn open_or_create_unchecked(index_dir: &Path) -> Result<Self, IndexError> {
        let dir = tantivy_dir(index_dir);
        if !dir.join("meta.json").exists() {
            return Self::open_or_create(index_dir);
        }
        let index = Index::open_in_dir(&dir)
            .map_err(|source| IndexError::Tantivy { dir: index_dir.to_owned(), source })?;
        Self::from_index(index_dir, index)
    }

    fn from_index(index_dir: &Path, mut index: Index) -> Result<Self, IndexError> {
        // A query visits segments independently; spreading them over the cores roughly divides
        // the latency of a query that matches many passages by the number of cores.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        if threads > 1 {
            index
                .set_multithread_executor(threads)
                .map_err(|source| IndexError::Tantivy { dir: index_dir.to_owned(), source })?;
        }
        let user_dict = index_dir.join(USER_DICT_FILE);
        let tokenizer = if user_dict.is_file() {
            JapaneseTokenizer::with_user_dict(Some(&user_dict))
        } else {
            JapaneseTokenizer::shared().cloned()
        }
        .map_err(|err| IndexError::Payload {
            dir: index_dir.to_owned(),
            reason: err.to_string(),
        })?;
        analyzer::register(&index, &tokenizer);
        let fields = Fields::build().1;
        Ok(PassageIndex {
            dir: index_dir.to_owned(),
            index,
            fields,
            tokenizer,
            reader: std::sync::OnceLock::new(),
            facet_cache: facets::FacetCache::default(),
        })
    }

    fn tantivy_err(&self) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
        |source| IndexError::Tantivy { dir: self.dir.clone(), source }
    }

    fn payload(&self) -> Result<CommitPayload, IndexError> {
        let metas = self.index.load_metas().map_err(self.tantivy_err())?;
        match metas.payload {
            None => Ok(CommitPayload { schema_version: SCHEMA_VERSION, ..Default::default() }),
            Some(json) => serde_json::from_str(&json).map_err(|err| IndexError::Payload {
                dir: self.dir.clone(),
                reason: err.to_string(),
            }),
        }
    }

    /// The analysis this index was built with; queries must use the same.
    pub fn tokenizer(&self) -> &JapaneseTokenizer {
        &self.tokenizer
    }

    /// Every document of the last commit, by path.
    pub fn documents(&self) -> Result<BTreeMap<String, DocumentEntry>, IndexError> {
        Ok(self.payload()?.documents)
    }

    /// A writer for adding, replacing and deleting documents.
    pub fn writer(&self) -> Result<PassageWriter<'_>, IndexError> {
        let writer = self.index.writer(200_000_000).map_err(self.tantivy_err())?;
        Ok(PassageWriter { index: self, writer })
    }

    fn reader(&self) -> Result<&IndexReader, IndexError> {
        if let Some(reader) = self.reader.get() {
            return Ok(reader);
        }
        let reader: IndexReader = self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(self.tantivy_err())?;
        Ok(self.reader.get_or_init(|| reader))
    }

    /// Reads every document with its passages, sorted by path.
    pub fn load_documents(&self) -> Result<Vec<IndexedDocument>, IndexError> {
        let searcher = self.reader()?.searcher();
        let mut by_path: BTreeMap<String, IndexedDocument> = BTreeMap::new();
        let mut ordinals: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_some_and(|bits| !bits.is_alive(doc)) {
                    continue;
                }
                let address = tantivy::DocAddress::new(segment_ord as u32, doc);
                let stored: TantivyDocument = searcher.doc(address).map_err(self.tantivy_err())?;
                let record = self.passage_record(&stored);
                let entry = by_path.entry(record.path.clone()).or_insert_with(|| IndexedDocument {
                    path: record.path.clone(),
                    doc_id: record.doc_id.clone(),
                    format: record.format,
                    meta: record.meta.clone(),
                    passages: Vec::new(),
                    passage_themes: Vec::new(),
                    passage_roles: Vec::new(),
                });
                entry.passages.push(record.passage);
                entry.passage_themes.push(record.themes);
                entry.passage_roles.push(record.role);
                ordinals.entry(record.path).or_default().push(record.ordinal);
            }
        }
        for (path, document) in &mut by_path {
            let mut order: Vec<usize> = (0..document.passages.len()).collect();
            let keys = &ordinals[path];
            order.sort_by_key(|&i| keys[i]);
            document.passages = order.iter().map(|&i| document.passages[i].clone()).collect();
            document.passage_themes =
                order.iter().map(|&i| document.passage_themes[i].clone()).collect();
            document.passage_roles =
                order.iter().map(|&i| document.passage_roles[i].clone()).collect();
        }
        Ok(by_path.into_values().collect())
    }

    fn passage_record(&self, doc: &TantivyDocument) -> PassageRecord {
        let f = &self.fields;
        let meta: DocMeta = serde_json::from_str(&stored_str(doc, f.meta_json)).unwrap_or_default();
        let heading = stored_str(doc, f.heading);
        PassageRecord {
            path: stored_str(doc, f.path),
            doc_id: stored_str(doc, f.doc_id),
            format: parse_format(&stored_str(doc, f.format)),
            ordinal: stored_u64(doc, f.ordinal),
            themes: stored_facets(doc, f.themes),
            role: stored_str(doc, f.role),
            passage: Passage {
                ordinal: u32::try_from(stored_u64(doc, f.ordinal)).unwrap_or(u32::MAX),
                page: u32::try_from(stored_u64(doc, f.page)).unwrap_or(0),
                heading_path: split_heading(&heading),
                text: stored_str(doc, f.text),
            },
            meta,
        }
    }
}

struct PassageRecord {
    path: String,
    doc_id: String,
    format: Format,
    ordinal: u64,
    themes: Vec<String>,
    role: String,
    passage: Passage,
    meta: DocMeta,
}

/// Separator of heading levels in the stored `heading` field.
const HEADING_SEPARATOR: &str = " > ";

fn split_heading(heading: &str) -> Vec<String> {
    if heading.is_empty() {
        Vec::new()
    } else {
        heading.split(HEADING_SEPARATOR).map(str::to_owned).collect()
    }
}

fn parse_format(text: &str) -> Format {
    match text {
        "pdf" => Format::Pdf,
        "html" => Format::Html,
        _ => Format::Text,
    }
}

fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
}

fn stored_u64(doc: &TantivyDocument, field: tantivy::schema::Field) -> u64 {
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or_default()
}

fn stored_i64(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<i64> {
    doc.get_first(field).and_then(|v| v.as_i64())
}

fn stored_facets(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|value| match OwnedValue::from(value) {
            OwnedValue::Facet(facet) => facet.to_path().last().map(|segment| (*segment).to_owned()),
            _ => None,
        })
        .collect()
}

/// Reads every document of the index at `index_dir` with its passages.
pub fn load_documents(index_dir: &Path) -> Result<Vec<IndexedDocument>, IndexError> {
    PassageIndex::open(index_dir)?.load_documents()
}

/// Merges shard indexes into a new index at `out_dir` (tantivy's `merge_indices`), with the
/// union of their document lists as the commit payload. Refuses shards of another schema
/// version or tantivy schema, and shards that share a document. Returns the merged list.
pub fn merge_indexes(
    out_dir: &Path,
    shard_dirs: &[PathBuf],
) -> Result<BTreeMap<String, DocumentEntry>, IndexError> {
    let out_tantivy = tantivy_dir(out_dir);
    if out_tantivy.join("meta.json").exists() {
        return Err(IndexError::MergeTargetExists { dir: out_dir.to_owned() });
    }
    let (expected_schema, _) = Fields::build();
    let mut documents: BTreeMap<String, DocumentEntry> = BTreeMap::new();
    let mut owners: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut indices = Vec::new();
    let mut n_segments = 0;
    for shard_dir in shard_dirs {
        let shard = PassageIndex::open(shard_dir)?;
        if shard.index.schema() != expected_schema {
            return Err(IndexError::SchemaMismatch { dir: shard_dir.clone() });
        }
        for (path, entry) in shard.documents()? {
            if let Some(first) = owners.insert(path.clone(), shard_dir.clone()) {
                return Err(IndexError::DuplicateDocument {
                    path,
                    first,
                    second: shard_dir.clone(),
                });
            }
            documents.insert(path, entry);
        }
        n_segments += shard.index.searchable_segment_ids().map_err(shard.tantivy_err())?.len();
        indices.push(shard.index);
    }
    let io_err = |source| IndexError::Io { dir: out_dir.to_owned(), source };
    if let Some(user_dict) = common_user_dict(shard_dirs)? {
        fs_err::create_dir_all(out_dir).map_err(io_err)?;
        fs_err::write(out_dir.join(USER_DICT_FILE), user_dict).map_err(io_err)?;
    }
    if n_segments > 0 {
        fs_err::create_dir_all(&out_tantivy).map_err(io_err)?;
        let directory = tantivy::directory::MmapDirectory::open(&out_tantivy).map_err(|err| {
            IndexError::Io { dir: out_dir.to_owned(), source: std::io::Error::other(err) }
        })?;
        tantivy::indexer::merge_indices(&indices, directory)
            .map_err(|source| IndexError::Tantivy { dir: out_dir.to_owned(), source })?;
    }
    let merged = PassageIndex::open_or_create_unchecked(out_dir)?;
    let mut writer = merged.writer()?;
    writer.commit(&documents)?;
    writer.finish()?;
    Ok(documents)
}

/// The user dictionary the shards share (they must all have the same one, or none).
fn common_user_dict(shard_dirs: &[PathBuf]) -> Result<Option<Vec<u8>>, IndexError> {
    let mut first: Option<(&PathBuf, Option<Vec<u8>>)> = None;
    for shard_dir in shard_dirs {
        let user_dict = fs_err::read(shard_dir.join(USER_DICT_FILE)).ok();
        match &first {
            None => first = Some((shard_dir, user_dict)),
            Some((first_dir, first_dict)) if *first_dict != user_dict => {
                return Err(IndexError::UserDictMismatch {
                    first: (*first_dir).clone(),
                    second: shard_dir.clone(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(first.and_then(|(_, user_dict)| user_dict))
}

/// Adds, replaces and deletes documents; nothing is visible until [`PassageWriter::commit`].
pub struct PassageWriter<'a> {
    index: &'a PassageIndex,
    writer: IndexWriter,
}

impl PassageWriter<'_> {
    /// Removes every passage of the document at `path`.
    pub fn delete_path(&mut self, path: &str) {
        self.writer.delete_term(Term::from_field_text(self.index.fields.path, path));
    }

    /// Replaces the document at `input.path` (if any) by the given passages.
    pub fn replace_document(&mut self, input: &DocumentInput<'_>) -> Result<(), IndexError> {
        self.delete_path(input.path);
        let f = &self.index.fields;
        let meta_json = serde_json::to_string(input.meta).unwrap_or_default();
        for (i, passage) in input.passages.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.path, input.path);
            doc.add_text(f.doc_id, input.doc_id);
            doc.add_text(f.fingerprint, input.fingerprint);
            doc.add_text(f.format, input.format.as_str());
            add_meta(&mut doc, f, input.meta);
            doc.add_text(f.meta_json, &meta_json);
            doc.add_u64(f.page, u64::from(passage.page));
            doc.add_u64(f.ordinal, u64::from(passage.ordinal));
            doc.add_text(f.heading, passage.heading_path.join(HEADING_SEPARATOR));
            doc.add_text(f.text, &passage.text);
            doc.add_text(f.body, &passage.text);
            doc.add_text(f.body_bigram, &passage.text);
            for theme in input.passage_themes.get(i).into_iter().flatten() {
                doc.add_facet(f.themes, Facet::from_path([theme.as_str()]));
            }
            if let Some(role) = input.passage_roles.get(i) {
                doc.add_text(f.role, role);
            }
            if input.passage_ocr.get(i).copied().unwrap_or(false) {
                doc.add_u64(f.ocr, 1);
            }
            self.writer.add_document(doc).map_err(self.index.tantivy_err())?;
        }
        Ok(())
    }

    /// Makes every change so far durable and visible, together with the document list.
    pub fn commit(
        &mut self,
        documents: &BTreeMap<String, DocumentEntry>,
    ) -> Result<(), IndexError> {
        let payload =
            CommitPayload { schema_version: SCHEMA_VERSION, documents: documents.clone() };
        let json = serde_json::to_string(&payload).unwrap_or_default();
        let mut prepared = self.writer.prepare_commit().map_err(self.index.tantivy_err())?;
        prepared.set_payload(&json);
        prepared.commit().map_err(self.index.tantivy_err())?;
        Ok(())
    }

    /// Waits for merges to finish so the index on disk is compact.
    pub fn finish(self) -> Result<(), IndexError> {
        let tantivy_err = self.index.tantivy_err();
        self.writer.wait_merging_threads().map_err(tantivy_err)
    }
}

fn add_meta(doc: &mut TantivyDocument, f: &Fields, meta: &DocMeta) {
    let optional = [
        (f.municipality, &meta.municipality),
        (f.prefecture, &meta.prefecture),
        (f.code, &meta.code),
        (f.municipality_type, &meta.municipality_type),
        (f.title, &meta.title),
        (f.url, &meta.url),
    ];
    for (field, value) in optional {
        if let Some(value) = value {
            doc.add_text(field, value);
        }
    }
    if let Some(year) = meta.year {
        doc.add_i64(f.year, i64::from(year));
    }
    for (key, value) in &meta.extra {
        doc.add_text(f.vars, format!("{key}={value}"));
    }
}
