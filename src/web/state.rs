//! What the server holds between requests: the open index, reloaded when a commit lands, and
//! what is computed once per index commit (documents, theme scores, matrices).
//!
//! A [`Snapshot`] is one commit of the index with its caches. Requests take the current
//! snapshot (an `Arc`) and keep it for their whole life, so a reload never changes data under
//! a request that is running, and concurrent requests share one searcher. At most every
//! [`RELOAD_CHECK`] the commit stamp (a hash of tantivy's `meta.json`, which every commit
//! rewrites atomically) is read again; when it changed, a new snapshot is opened and swapped in.
//!
//! The clusters of copied passages come from the report `gyokaku reuse` saved in the index
//! folder (`reuse::SAVED_FILE`), read when a snapshot is opened and used only when it was made
//! on the snapshot's commit (after a new ingest, passage ordinals may have moved). Finding
//! clusters takes about a minute on 600k passages, far beyond a search's latency, so the app
//! never computes them; reading the saved file once per snapshot costs a JSON parse, and a hit
//! then costs two hash lookups. A new saved file (its modification time) reopens the snapshot
//! like a new commit.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use crate::index::{DocumentEntry, IndexedDocument, PassageIndex};
use crate::reuse::{PassageClusters, SAVED_FILE, read_saved};
use crate::themes::aggregate::build_matrix;
use crate::themes::{By, DocumentInput, DocumentThemes, Matrix, Taxonomy, score_documents};
use crate::web::WebError;

/// How often a request may look for a new commit. Reading and hashing `meta.json` costs
/// microseconds; checking at most twice a second keeps it off the hot path under load while a
/// researcher who re-ingests sees the new plans on the next click.
pub const RELOAD_CHECK: Duration = Duration::from_millis(500);

/// The app: where the index is, and its current snapshot.
pub struct App {
    index_dir: PathBuf,
    taxonomy: &'static Taxonomy,
    current: Mutex<Current>,
}

struct Current {
    snapshot: Arc<Snapshot>,
    checked: Instant,
}

/// One commit of the index with what is derived from it.
pub struct Snapshot {
    /// Identifies the commit: blake3 of `meta.json`.
    pub stamp: String,
    pub index: PassageIndex,
    /// Every document by path, from the commit payload.
    pub entries: BTreeMap<String, DocumentEntry>,
    /// The saved reuse clusters of this commit, if `gyokaku reuse` saved them.
    pub reuse: Option<PassageClusters>,
    /// One line on where the reuse clusters came from, or why there are none.
    pub reuse_note: String,
    /// The modification time of the saved clusters' file when the snapshot was opened.
    reuse_modified: Option<SystemTime>,
    documents: Mutex<Option<Arc<Vec<IndexedDocument>>>>,
    scored: Mutex<Option<Arc<Vec<DocumentThemes>>>>,
    matrices: Mutex<HashMap<&'static str, Arc<Matrix>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another request must not take the server down with a poisoned lock: the
    // guarded values are only ever replaced whole.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn commit_stamp(index_dir: &Path) -> Result<String, WebError> {
    crate::index::commit_stamp(index_dir).map_err(|err| WebError::Internal(err.to_string()))
}

impl Snapshot {
    fn open(index_dir: &Path) -> Result<Snapshot, WebError> {
        // The stamp is read before opening so that a commit landing in between makes the
        // next check reload again rather than being missed.
        let stamp = commit_stamp(index_dir)?;
        let reuse_modified = saved_modified(index_dir);
        let index = PassageIndex::open(index_dir)?;
        let entries = index.documents()?;
        let (reuse, reuse_note) = open_reuse(index_dir, &stamp);
        Ok(Snapshot {
            stamp,
            index,
            entries,
            reuse,
            reuse_note,
            reuse_modified,
            documents: Mutex::new(None),
            scored: Mutex::new(None),
            matrices: Mutex::new(HashMap::new()),
        })
    }

    /// Every document with its passages, read once per commit.
    pub fn documents(&self) -> Result<Arc<Vec<IndexedDocument>>, WebError> {
        let mut slot = lock(&self.documents);
        if let Some(documents) = slot.as_ref() {
            return Ok(Arc::clone(documents));
        }
        let documents = Arc::new(self.index.load_documents()?);
        *slot = Some(Arc::clone(&documents));
        Ok(documents)
    }

    /// The document with this id.
    pub fn document(&self, doc_id: &str) -> Result<Option<IndexedDocument>, WebError> {
        Ok(self.documents()?.iter().find(|d| d.doc_id == doc_id).cloned())
    }

    /// The id of the document at `path`.
    pub fn doc_id(&self, path: &str) -> Option<&str> {
        self.entries.get(path).map(|e| e.doc_id.as_str())
    }

    /// Every document's theme scores, computed once per commit.
    pub fn scored(&self, taxonomy: &Taxonomy) -> Result<Arc<Vec<DocumentThemes>>, WebError> {
        let documents = self.documents()?;
        let mut slot = lock(&self.scored);
        if let Some(scored) = slot.as_ref() {
            return Ok(Arc::clone(scored));
        }
        let inputs: Vec<DocumentInput<'_>> = documents
            .iter()
            .map(|d| DocumentInput { path: &d.path, meta: &d.meta, passages: &d.passages })
            .collect();
        let scored = Arc::new(score_documents(taxonomy, &inputs));
        *slot = Some(Arc::clone(&scored));
        Ok(scored)
    }

    /// The theme matrix by municipality (latest plan) or by document, once per commit.
    pub fn matrix(&self, taxonomy: &Taxonomy, by: By) -> Result<Arc<Matrix>, WebError> {
        if let Some(matrix) = lock(&self.matrices).get(by.as_str()) {
            return Ok(Arc::clone(matrix));
        }
        let scored = self.scored(taxonomy)?;
        let matrix = Arc::new(build_matrix(taxonomy, &scored, by, false));
        lock(&self.matrices).insert(by.as_str(), Arc::clone(&matrix));
        Ok(matrix)
    }
}

/// The modification time of the saved reuse clusters, if the file is there.
fn saved_modified(index_dir: &Path) -> Option<SystemTime> {
    fs_err::metadata(index_dir.join(SAVED_FILE)).and_then(|m| m.modified()).ok()
}

/// The saved reuse clusters of the commit `stamp`, and a line saying what was found.
fn open_reuse(index_dir: &Path, stamp: &str) -> (Option<PassageClusters>, String) {
    let path = index_dir.join(SAVED_FILE);
    match read_saved(index_dir) {
        Ok(Some(saved)) if saved.commit == stamp => {
            let note = format!(
                "{} clusters of copied passages from `{}`",
                saved.report.clusters.len(),
                path.display()
            );
            (Some(PassageClusters::new(saved.report.clusters)), note)
        }
        Ok(Some(_)) => (
            None,
            format!(
                "copied passages not shown: `{}` is of an older index commit (run `gyokaku reuse`)",
                path.display()
            ),
        ),
        Ok(None) => (None, "copied passages not shown (run `gyokaku reuse` first)".to_owned()),
        Err(err) => {
            tracing::warn!("{err}");
            (None, format!("copied passages not shown: {err}"))
        }
    }
}

impl App {
    /// Opens the index at `index_dir` (it must exist).
    pub fn open(index_dir: &Path) -> Result<App, WebError> {
        if !crate::web::has_index(index_dir) {
            return Err(crate::index::IndexError::Missing { dir: index_dir.to_owned() }.into());
        }
        let snapshot = Snapshot::open(index_dir)?;
        let taxonomy = Taxonomy::embedded_default()
            .map_err(|err| WebError::Internal(format!("the built-in taxonomy: {err}")))?;
        Ok(App {
            index_dir: index_dir.to_owned(),
            taxonomy,
            current: Mutex::new(Current { snapshot: Arc::new(snapshot), checked: Instant::now() }),
        })
    }

    pub fn taxonomy(&self) -> &'static Taxonomy {
        self.taxonomy
    }

    pub fn index_dir(&self) -> &Path {
        &self.index_dir
    }

    /// The current snapshot, reloaded first if a new commit landed.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        let mut current = lock(&self.current);
        if current.checked.elapsed() >= RELOAD_CHECK {
            current.checked = Instant::now();
            let saved_changed = saved_modified(&self.index_dir) != current.snapshot.reuse_modified;
            match commit_stamp(&self.index_dir) {
                Ok(stamp) if stamp != current.snapshot.stamp || saved_changed => {
                    match Snapshot::open(&self.index_dir) {
                        Ok(snapshot) => {
                            tracing::info!(stamp = %snapshot.stamp, "index reloaded");
                            current.snapshot = Arc::new(snapshot);
                        }
                        Err(err) => tracing::warn!("keeping the open index: {err}"),
                    }
                }
                Ok(_) => {}
                Err(err) => tracing::warn!("cannot check the index for a new commit: {err}"),
            }
        }
        Arc::clone(&current.snapshot)
    }
}
