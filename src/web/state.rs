//! What the server holds between requests: the open index, reloaded when a commit lands, and
//! what is computed once per index commit (documents, theme scores, matrices).
//!
//! A [`Snapshot`] is one commit of the index with its caches. Requests take the current
//! snapshot (an `Arc`) and keep it for their whole life, so a reload never changes data under
//! a request that is running, and concurrent requests share one searcher. At most every
//! [`RELOAD_CHECK`] the commit stamp (a hash of tantivy's `meta.json`, which every commit
//! rewrites atomically) is read again; when it changed, a new snapshot is opened and swapped in.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::index::{DocumentEntry, IndexedDocument, PassageIndex};
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
        let index = PassageIndex::open(index_dir)?;
        let entries = index.documents()?;
        Ok(Snapshot {
            stamp,
            index,
            entries,
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
            match commit_stamp(&self.index_dir) {
                Ok(stamp) if stamp != current.snapshot.stamp => {
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
