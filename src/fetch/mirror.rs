//! The mirror: content-addressed files, the fetch log, and the manifest derived from them.
//!
//! A researcher cites what was published when, at which URL; so the mirror never deletes
//! or overwrites. Every request's outcome is one line of `fetch-log.jsonl`, appended and
//! flushed before the crawl moves on, and the log is the only source of truth: the state of
//! every URL (its revisions, validators, whether it vanished) is rebuilt by replaying it.
//! That makes a killed crawl resumable (the log says what this crawl already did) and keeps
//! no second file that could disagree with the log.
//!
//! Layout of a mirror folder:
//! - `documents/ab/<hash>.<ext>`: plans (PDFs and plan pages), every revision;
//! - `pages/ab/<hash>.html`: the other pages crawled (navigation), kept for provenance;
//! - `other/ab/<hash>.<ext>`: Word, Excel and other files, recorded but not extracted;
//! - `fetch-log.jsonl`: one JSON object per event;
//! - `manifest.csv`: one row per revision of a plan, in the manifest format of CONTRACT.md.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::FetchError;

/// The fetch log's file name inside the mirror.
pub const LOG_FILE: &str = "fetch-log.jsonl";
/// The manifest's file name inside the mirror.
pub const MANIFEST_FILE: &str = "manifest.csv";

/// One line of the fetch log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum LogEvent {
    CrawlStart {
        crawl: String,
        time: String,
        user_agent: String,
    },
    Fetch(Box<FetchRecord>),
    /// A known URL that the finished crawl no longer found; its files stay in the mirror.
    Vanished {
        crawl: String,
        time: String,
        url: String,
        last_seen: String,
    },
    CrawlEnd {
        crawl: String,
        time: String,
    },
}

/// What became of one URL in one crawl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A body was received and stored.
    Fetched,
    /// 304: the stored copy is current.
    NotModified,
    /// A final status other than 2xx/304 (404, 500 after retries …).
    HttpError,
    /// No answer after the retries (timeouts, network errors) or a body over the limit.
    Failed,
    /// robots.txt disallows it: no request was made.
    RobotsDisallowed,
    /// A redirect left the site: not followed.
    OffSite,
}

/// What a URL holds, decided from the link and the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An HTML page (its links are followed).
    Page,
    /// A PDF: extracted and indexed.
    Document,
    /// Word, Excel and the like: recorded, not extracted.
    Other,
}

/// One fetch-log record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FetchRecord {
    pub crawl: String,
    /// When the answer arrived (UTC, RFC 3339).
    pub time: String,
    pub url: String,
    pub final_url: String,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub hash: Option<String>,
    /// The stored file, relative to the mirror.
    pub path: Option<String>,
    pub kind: Kind,
    /// Whether this is a plan (listed in the manifest) rather than a page on the way.
    pub plan: bool,
    pub referrer: Option<String>,
    pub link_text: Option<String>,
    /// The page's own title, for pages.
    pub title: Option<String>,
    pub depth: u32,
    /// Every URL of the redirect chain after the first, in order.
    #[serde(default)]
    pub redirects: Vec<String>,
    pub attempts: u32,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub error: Option<String>,
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    pub code: Option<String>,
}

/// One stored version of a URL's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub hash: String,
    pub path: String,
    pub first_fetched: String,
    pub last_seen: String,
    pub content_type: Option<String>,
    pub size: u64,
}

/// Everything the log says about one URL.
#[derive(Debug, Clone)]
pub struct UrlState {
    pub revisions: Vec<Revision>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// When a crawl found it gone (date of that crawl), with the date it was last seen.
    pub vanished: Option<(String, String)>,
    /// The latest record about it.
    pub last: FetchRecord,
    /// The latest record with a body or a 304: what the URL holds (kind, whether it is a
    /// plan, title, link text, referrer), kept when a later request fails.
    pub last_ok: Option<FetchRecord>,
}

impl UrlState {
    /// The record that describes the URL's content: the last good one, else the last.
    pub fn described(&self) -> &FetchRecord {
        self.last_ok.as_ref().unwrap_or(&self.last)
    }
}

/// The mirror's state, replayed from the log.
#[derive(Debug, Clone, Default)]
pub struct MirrorState {
    pub urls: BTreeMap<String, UrlState>,
    /// A crawl that started and did not end: the next crawl resumes it.
    pub open_crawl: Option<String>,
}

impl MirrorState {
    /// Applies one log event.
    pub fn apply(&mut self, event: &LogEvent) {
        match event {
            LogEvent::CrawlStart { crawl, .. } => self.open_crawl = Some(crawl.clone()),
            LogEvent::CrawlEnd { crawl, .. } => {
                if self.open_crawl.as_deref() == Some(crawl) {
                    self.open_crawl = None;
                }
            }
            LogEvent::Vanished { time, url, last_seen, .. } => {
                if let Some(state) = self.urls.get_mut(url) {
                    state.vanished = Some((date(time), last_seen.clone()));
                }
            }
            LogEvent::Fetch(record) => self.apply_fetch(record),
        }
    }

    fn apply_fetch(&mut self, record: &FetchRecord) {
        let state = self.urls.entry(record.url.clone()).or_insert_with(|| UrlState {
            revisions: Vec::new(),
            etag: None,
            last_modified: None,
            vanished: None,
            last: record.clone(),
            last_ok: None,
        });
        state.last = record.clone();
        if matches!(record.outcome, Outcome::Fetched | Outcome::NotModified) {
            state.last_ok = Some(record.clone());
        }
        match record.outcome {
            Outcome::Fetched => {
                let (Some(hash), Some(path)) = (&record.hash, &record.path) else { return };
                state.etag.clone_from(&record.etag);
                state.last_modified.clone_from(&record.last_modified);
                state.vanished = None;
                match state.revisions.last_mut() {
                    Some(current) if &current.hash == hash => {
                        current.last_seen.clone_from(&record.time);
                    }
                    _ => state.revisions.push(Revision {
                        hash: hash.clone(),
                        path: path.clone(),
                        first_fetched: record.time.clone(),
                        last_seen: record.time.clone(),
                        content_type: record.content_type.clone(),
                        size: record.size.unwrap_or(0),
                    }),
                }
            }
            Outcome::NotModified => {
                state.vanished = None;
                if record.etag.is_some() {
                    state.etag.clone_from(&record.etag);
                }
                if record.last_modified.is_some() {
                    state.last_modified.clone_from(&record.last_modified);
                }
                if let Some(current) = state.revisions.last_mut() {
                    current.last_seen.clone_from(&record.time);
                }
            }
            Outcome::HttpError if matches!(record.status, Some(404 | 410)) => {
                if let Some(current) = state.revisions.last()
                    && state.vanished.is_none()
                {
                    state.vanished = Some((date(&record.time), date(&current.last_seen)));
                }
            }
            _ => {}
        }
    }

    /// Whether `url` was already handled by the crawl `crawl` (for resuming).
    pub fn done_in(&self, url: &str, crawl: &str) -> Option<&UrlState> {
        self.urls.get(url).filter(|state| state.last.crawl == crawl)
    }
}

/// The date part of an RFC 3339 time.
pub fn date(time: &str) -> String {
    time.get(..10).unwrap_or(time).to_owned()
}

/// An open mirror: its folder and the log, appended from many host threads.
pub struct Mirror {
    dir: PathBuf,
    log: Mutex<fs_err::File>,
}

impl Mirror {
    /// Opens (creating) the mirror folder and replays its log.
    pub fn open(dir: &Path) -> Result<(Mirror, MirrorState), FetchError> {
        let io = |source| FetchError::Io { path: dir.to_owned(), source };
        fs_err::create_dir_all(dir).map_err(io)?;
        let state = read_state(dir)?;
        let log = fs_err::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(LOG_FILE))
            .map_err(io)?;
        Ok((Mirror { dir: dir.to_owned(), log: Mutex::new(log) }, state))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one event to the log and flushes it (the crawl's progress point).
    pub fn append(&self, event: &LogEvent) -> Result<(), FetchError> {
        let log_path = self.dir.join(LOG_FILE);
        let mut line = serde_json::to_string(event).map_err(|err| FetchError::Io {
            path: log_path.clone(),
            source: std::io::Error::other(err),
        })?;
        line.push('\n');
        let mut log = self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        log.write_all(line.as_bytes())
            .and_then(|()| log.flush())
            .map_err(|source| FetchError::Io { path: log_path, source })
    }

    /// Stores bytes under their hash in `folder`; returns the hash and the relative path.
    /// Written to a temporary name and renamed, so a killed crawl leaves no torn file.
    pub fn store(
        &self,
        folder: &str,
        bytes: &[u8],
        extension: &str,
    ) -> Result<(String, String), FetchError> {
        // Two hosts can fetch the same bytes at once: each writes its own temporary file.
        static TEMPORARY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let hash = blake3::hash(bytes).to_hex().to_string();
        let relative = format!("{folder}/{}/{hash}.{extension}", &hash[..2]);
        let path = self.dir.join(&relative);
        if !path.exists() {
            let io = |source| FetchError::Io { path: path.clone(), source };
            if let Some(parent) = path.parent() {
                fs_err::create_dir_all(parent).map_err(io)?;
            }
            let n = TEMPORARY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let temporary = path.with_extension(format!("{}-{n}.partial", std::process::id()));
            fs_err::write(&temporary, bytes).map_err(io)?;
            fs_err::rename(&temporary, &path).map_err(io)?;
        }
        Ok((hash, relative))
    }

    /// Writes the HTTP charset next to a stored page, where `extract` looks for it.
    pub fn store_charset(&self, relative: &str, charset: &str) -> Result<(), FetchError> {
        let path = self.dir.join(format!("{relative}.charset"));
        fs_err::write(&path, charset).map_err(|source| FetchError::Io { path, source })
    }

    /// Reads a stored file back (to follow the links of an unchanged page).
    pub fn read(&self, relative: &str) -> Option<Vec<u8>> {
        fs_err::read(self.dir.join(relative)).ok()
    }
}

/// Replays the log of a mirror folder (an empty state when there is none yet). A torn
/// last line, from a crawl killed while writing it, is ignored.
pub fn read_state(dir: &Path) -> Result<MirrorState, FetchError> {
    let path = dir.join(LOG_FILE);
    let mut state = MirrorState::default();
    let text = match fs_err::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(state),
        Err(source) => return Err(FetchError::Io { path, source }),
    };
    let lines: Vec<&str> = text.lines().filter(|line| !line.trim().is_empty()).collect();
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<LogEvent>(line) {
            Ok(event) => state.apply(&event),
            Err(_) if i + 1 == lines.len() => {}
            Err(err) => {
                return Err(FetchError::Log { path, line: i + 1, reason: err.to_string() });
            }
        }
    }
    Ok(state)
}

/// The columns of the mirror's manifest: the contract's, then the mirror's own.
const MANIFEST_COLUMNS: [&str; 15] = [
    "path",
    "municipality",
    "prefecture",
    "code",
    "title",
    "year",
    "url",
    "final_url",
    "fetched",
    "last_seen",
    "version",
    "status",
    "content_type",
    "hash",
    "referrer",
];

/// The status of a revision in the manifest.
pub fn revision_status(state: &UrlState, index: usize) -> &'static str {
    if index + 1 < state.revisions.len() {
        "superseded"
    } else if state.vanished.is_some() {
        "vanished"
    } else {
        "current"
    }
}

/// Writes `manifest.csv`: one row per revision of every plan, oldest version first.
pub fn write_manifest(dir: &Path, state: &MirrorState) -> Result<usize, FetchError> {
    let path = dir.join(MANIFEST_FILE);
    let io = |source: std::io::Error| FetchError::Io { path: path.clone(), source };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let csv_err = |err: csv::Error| io(std::io::Error::other(err));
    writer.write_record(MANIFEST_COLUMNS).map_err(csv_err)?;
    let mut rows = 0;
    for (url, state) in &state.urls {
        let last = state.described();
        if !last.plan {
            continue;
        }
        for (i, revision) in state.revisions.iter().enumerate() {
            let last_seen = match (&state.vanished, i + 1 == state.revisions.len()) {
                (Some((_, seen)), true) => seen.clone(),
                _ => date(&revision.last_seen),
            };
            let title = last.link_text.as_deref().map(clean_link_text).or(last.title.clone());
            let version = (i + 1).to_string();
            let fields: [&str; 15] = [
                &revision.path,
                last.municipality.as_deref().unwrap_or(""),
                last.prefecture.as_deref().unwrap_or(""),
                last.code.as_deref().unwrap_or(""),
                title.as_deref().unwrap_or(""),
                "",
                url,
                &last.final_url,
                &date(&revision.first_fetched),
                &last_seen,
                &version,
                revision_status(state, i),
                revision.content_type.as_deref().unwrap_or(""),
                &revision.hash,
                last.referrer.as_deref().unwrap_or(""),
            ];
            writer.write_record(fields).map_err(csv_err)?;
            rows += 1;
        }
    }
    let bytes = writer.into_inner().map_err(|err| io(std::io::Error::other(err.to_string())))?;
    let temporary = dir.join(format!("{MANIFEST_FILE}.partial"));
    fs_err::write(&temporary, bytes).map_err(io)?;
    fs_err::rename(&temporary, &path).map_err(io)?;
    Ok(rows)
}

/// The documents of a mirror's manifest whose revision status is in `include`, as paths
/// (for a batch that names the mirror as its input).
pub fn documents(dir: &Path, include: &[String]) -> Result<Vec<PathBuf>, FetchError> {
    let path = dir.join(MANIFEST_FILE);
    let io = |source: std::io::Error| FetchError::Io { path: path.clone(), source };
    let mut reader = csv::Reader::from_path(&path).map_err(|err| io(std::io::Error::other(err)))?;
    let headers = reader.headers().map_err(|err| io(std::io::Error::other(err)))?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(path_at), Some(status_at)) = (column("path"), column("status")) else {
        return Err(io(std::io::Error::other(
            "not a gyokaku mirror manifest (no `path`/`status`)",
        )));
    };
    let mut files = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| io(std::io::Error::other(err)))?;
        let status = record.get(status_at).unwrap_or_default();
        if include.iter().any(|wanted| wanted == status)
            && let Some(file) = record.get(path_at)
        {
            files.push(dir.join(file));
        }
    }
    Ok(files)
}

/// A link text as a title: without the file-size notes CMSs append, `（PDF：1.2MB）`.
pub fn clean_link_text(text: &str) -> String {
    let mut title = text.trim().to_owned();
    for (open, close) in [('（', '）'), ('(', ')'), ('[', ']'), ('［', '］')] {
        if title.ends_with(close)
            && let Some(start) = title.rfind(open)
        {
            let note = &title[start..];
            let upper = note.to_ascii_uppercase();
            let is_file_note = ["PDF", "KB", "MB", "WORD", "EXCEL", "ファイル"]
                .iter()
                .any(|marker| upper.contains(marker));
            if is_file_note && start > 0 {
                title.truncate(start);
                title = title.trim_end().to_owned();
            }
        }
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(url: &str, crawl: &str, outcome: Outcome, hash: Option<&str>) -> FetchRecord {
        FetchRecord {
            crawl: crawl.to_owned(),
            time: format!("2026-0{}-01T00:00:00Z", crawl.len()),
            url: url.to_owned(),
            final_url: url.to_owned(),
            outcome,
            status: Some(200),
            content_type: Some("application/pdf".to_owned()),
            size: Some(3),
            hash: hash.map(str::to_owned),
            path: hash.map(|h| format!("documents/{h}.pdf")),
            kind: Kind::Document,
            plan: true,
            referrer: None,
            link_text: Some("大綱（PDF：1MB）".to_owned()),
            title: None,
            depth: 1,
            redirects: Vec::new(),
            attempts: 1,
            etag: None,
            last_modified: None,
            error: None,
            municipality: Some("芽室町".to_owned()),
            prefecture: None,
            code: None,
        }
    }

    #[test]
    fn a_new_hash_supersedes_and_a_404_archives() {
        let mut state = MirrorState::default();
        let url = "http://x/a.pdf";
        state.apply(&LogEvent::Fetch(Box::new(record(url, "a", Outcome::Fetched, Some("h1")))));
        state.apply(&LogEvent::Fetch(Box::new(record(url, "bb", Outcome::Fetched, Some("h1")))));
        assert_eq!(state.urls[url].revisions.len(), 1);
        state.apply(&LogEvent::Fetch(Box::new(record(url, "ccc", Outcome::Fetched, Some("h2")))));
        let url_state = &state.urls[url];
        assert_eq!(url_state.revisions.len(), 2);
        assert_eq!(revision_status(url_state, 0), "superseded");
        assert_eq!(revision_status(url_state, 1), "current");
        let mut gone = record(url, "dddd", Outcome::HttpError, None);
        gone.status = Some(404);
        state.apply(&LogEvent::Fetch(Box::new(gone)));
        let url_state = &state.urls[url];
        assert_eq!(revision_status(url_state, 1), "vanished");
        assert_eq!(url_state.vanished, Some(("2026-04-01".to_owned(), "2026-03-01".to_owned())));
        assert!(url_state.described().plan, "a failed request keeps what the URL held");
    }

    #[test]
    fn file_notes_leave_titles() {
        assert_eq!(clean_link_text("第3次行政改革大綱（PDF：1.2MB）"), "第3次行政改革大綱");
        assert_eq!(clean_link_text("実施計画 (PDF 300KB)"), "実施計画");
        assert_eq!(clean_link_text("（仮称）改革プラン"), "（仮称）改革プラン");
    }

    #[test]
    fn a_torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let event = LogEvent::CrawlStart {
            crawl: "c1".to_owned(),
            time: "t".to_owned(),
            user_agent: "ua".to_owned(),
        };
        let line = serde_json::to_string(&event).unwrap();
        fs_err::write(dir.path().join(LOG_FILE), format!("{line}\n{{\"event\":\"fet")).unwrap();
        let state = read_state(dir.path()).unwrap();
        assert_eq!(state.open_crawl.as_deref(), Some("c1"));
    }
}
