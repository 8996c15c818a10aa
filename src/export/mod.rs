//! Exports of the passage index for search engines that serve it at scale.
//!
//! gyokaku's index is for one researcher's machine; partners who serve thousands of plans
//! load them into OpenSearch or Quickwit. Every passage becomes one JSON record with its
//! document's metadata, its themes, its text, and `body_tokens`: the passage's `body` terms
//! from our own Japanese analysis ([`crate::analysis::body_terms`]) joined by spaces, so any
//! engine with a whitespace tokenizer searches with exactly our analysis. Next to the records
//! goes the engine's index definition. The export reads the index, never the corpus.

mod definitions;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::analysis::body_terms;
use crate::index::{IndexError, IndexedDocument, PassageIndex};
use crate::model::DocMeta;
use crate::tokenize::{JapaneseTokenizer, TokenizeError};

/// The engines (and the plain format) we export for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `index.json` (settings + mappings) and `bulk-NNNN.ndjson` for the `_bulk` API.
    OpenSearch,
    /// `index-config.yaml` (Quickwit 0.9) and `docs-NNNN.ndjson` for `quickwit index ingest`.
    Quickwit,
    /// `passages.ndjson`: one record per line, for jq, DuckDB, pandas.
    Ndjson,
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Tokenize(#[from] TokenizeError),
    #[error("cannot write `{}`: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What an export wrote.
#[derive(Debug, Clone, Default)]
pub struct ExportSummary {
    pub files: Vec<PathBuf>,
    pub documents: usize,
    pub passages: usize,
}

/// One passage as exported.
#[derive(Debug, Clone, Serialize)]
pub struct PassageRecord<'a> {
    pub id: String,
    pub path: &'a str,
    pub doc_id: &'a str,
    pub format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    pub page: u32,
    pub ordinal: u32,
    pub heading: String,
    pub themes: &'a [String],
    /// The passage's role (`themes::Role`); absent for an index written before roles existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'a str>,
    pub vars: &'a std::collections::BTreeMap<String, String>,
    pub text: &'a str,
    pub body_tokens: String,
}

/// Bulk files are split so each stays under the engines' request limits (OpenSearch's
/// `http.max_content_length` is 100 MB by default, Quickwit's ingest API takes 10 MB).
fn chunk_bytes(format: ExportFormat) -> u64 {
    match format {
        ExportFormat::OpenSearch => 50_000_000,
        ExportFormat::Quickwit => 9_000_000,
        ExportFormat::Ndjson => u64::MAX,
    }
}

/// Exports the index at `index_dir` into `out_dir` for `format`; `index_name` names the
/// index in the engine.
pub fn export(
    index_dir: &Path,
    format: ExportFormat,
    out_dir: &Path,
    index_name: &str,
) -> Result<ExportSummary, ExportError> {
    let index = PassageIndex::open(index_dir)?;
    let documents = index.load_documents()?;
    let tokenizer = index.tokenizer();
    fs_err::create_dir_all(out_dir).map_err(write_err(out_dir))?;
    let mut summary = ExportSummary { documents: documents.len(), ..ExportSummary::default() };
    if let Some((name, text)) = definitions::index_definition(format, index_name) {
        let path = out_dir.join(name);
        fs_err::write(&path, text).map_err(write_err(&path))?;
        summary.files.push(path);
    }
    let mut sink = ChunkedSink::new(out_dir, format);
    for document in &documents {
        for record in records_of(document, tokenizer)? {
            let json = serde_json::to_string(&record)
                .map_err(|err| write_err(out_dir)(std::io::Error::other(err)))?;
            let action = (format == ExportFormat::OpenSearch)
                .then(|| definitions::bulk_action(index_name, &record.id));
            sink.write(action.as_deref(), &json)?;
            summary.passages += 1;
        }
    }
    summary.files.extend(sink.finish()?);
    Ok(summary)
}

/// The records of one document's passages, in reading order.
pub fn records_of<'a>(
    document: &'a IndexedDocument,
    tokenizer: &JapaneseTokenizer,
) -> Result<Vec<PassageRecord<'a>>, TokenizeError> {
    let meta: &DocMeta = &document.meta;
    document
        .passages
        .iter()
        .enumerate()
        .map(|(i, passage)| {
            let tokens = body_terms(tokenizer, &passage.text)?;
            Ok(PassageRecord {
                id: format!("{}-{}", document.doc_id, passage.ordinal),
                path: &document.path,
                doc_id: &document.doc_id,
                format: document.format.as_str(),
                municipality: meta.municipality.as_deref(),
                prefecture: meta.prefecture.as_deref(),
                code: meta.code.as_deref(),
                title: meta.title.as_deref(),
                year: meta.year,
                url: meta.url.as_deref(),
                page: passage.page,
                ordinal: passage.ordinal,
                heading: passage.heading_path.join(" > "),
                themes: document.passage_themes.get(i).map_or(&[], Vec::as_slice),
                role: document.passage_roles.get(i).map(String::as_str).filter(|r| !r.is_empty()),
                vars: &meta.extra,
                text: &passage.text,
                body_tokens: join_tokens(tokens.iter().map(|t| t.text.as_str())),
            })
        })
        .collect()
}

/// Joins tokens with single spaces; whitespace inside a token would split it in the engine,
/// so it is removed.
fn join_tokens<'a>(tokens: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for token in tokens {
        let clean: String = token.chars().filter(|c| !c.is_whitespace()).collect();
        if clean.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&clean);
    }
    out
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Write { path: path.to_owned(), source }
}

/// Writes NDJSON lines into numbered files of bounded size (one file for plain NDJSON).
struct ChunkedSink<'a> {
    dir: &'a Path,
    format: ExportFormat,
    current: Option<(PathBuf, std::io::BufWriter<fs_err::File>, u64)>,
    written: Vec<PathBuf>,
}

impl<'a> ChunkedSink<'a> {
    fn new(dir: &'a Path, format: ExportFormat) -> Self {
        ChunkedSink { dir, format, current: None, written: Vec::new() }
    }

    fn file_name(&self, number: usize) -> String {
        match self.format {
            ExportFormat::OpenSearch => format!("bulk-{number:04}.ndjson"),
            ExportFormat::Quickwit => format!("docs-{number:04}.ndjson"),
            ExportFormat::Ndjson => "passages.ndjson".to_owned(),
        }
    }

    fn write(&mut self, action: Option<&str>, json: &str) -> Result<(), ExportError> {
        let size = (action.map_or(0, str::len) + json.len() + 2) as u64;
        let full = self
            .current
            .as_ref()
            .is_some_and(|(_, _, used)| *used > 0 && used + size > chunk_bytes(self.format));
        if full || self.current.is_none() {
            self.close_current()?;
            let path = self.dir.join(self.file_name(self.written.len() + 1));
            let file = fs_err::File::create(&path).map_err(write_err(&path))?;
            self.current = Some((path, std::io::BufWriter::new(file), 0));
        }
        if let Some((path, out, used)) = self.current.as_mut() {
            let mut line = String::with_capacity(size as usize);
            if let Some(action) = action {
                line.push_str(action);
                line.push('\n');
            }
            line.push_str(json);
            line.push('\n');
            out.write_all(line.as_bytes()).map_err(write_err(path))?;
            *used += size;
        }
        Ok(())
    }

    fn close_current(&mut self) -> Result<(), ExportError> {
        if let Some((path, mut out, _)) = self.current.take() {
            out.flush().map_err(write_err(&path))?;
            self.written.push(path);
        }
        Ok(())
    }

    /// Closes the last file; an empty index still gets one (empty) data file.
    fn finish(mut self) -> Result<Vec<PathBuf>, ExportError> {
        if self.current.is_none() && self.written.is_empty() {
            let path = self.dir.join(self.file_name(1));
            fs_err::write(&path, "").map_err(write_err(&path))?;
            self.written.push(path);
        }
        self.close_current()?;
        Ok(self.written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_joined_without_inner_whitespace() {
        assert_eq!(join_tokens(["公共", "施設", "a b", " "].into_iter()), "公共 施設 ab");
    }

    #[test]
    fn bulk_files_split_at_the_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = ChunkedSink::new(dir.path(), ExportFormat::Quickwit);
        let line = "x".repeat(1_000_000);
        for _ in 0..20 {
            sink.write(None, &line).unwrap();
        }
        let files = sink.finish().unwrap();
        assert_eq!(files.len(), 3, "{files:?}");
        for file in files {
            assert!(fs_err::metadata(&file).unwrap().len() <= 9_000_000);
        }
    }
}
