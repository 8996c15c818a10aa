//! `gyokaku fetch`: collecting the plans from municipal web sites, politely, with provenance.
//!
//! Partners used to find each site's 行政改革 section by hand, download its PDFs and type a
//! manifest. This module does that for many sites at once and keeps what a citation needs
//! (which URL held which bytes when). It owns crawling only: which links look like plans is
//! data (`cues`), the HTML is read by `extract::html` (links and charset), the mirror and its
//! log live in `mirror`, robots.txt rules in `robots`, single requests in `http`.
//!
//! Politeness is structural: each host is crawled by one thread that makes one request at a
//! time (so at most one connection per host), waiting the per-host delay between requests
//! (or the site's `Crawl-delay` when longer, or its `Retry-After`); many hosts are crawled in
//! parallel. Nothing is fetched that robots.txt disallows, and the crawl stays on the seeds'
//! hosts.

mod cues;
mod http;
pub mod mirror;
mod robots;
mod seeds;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use thiserror::Error;
use url::Url;

pub use self::cues::{Cues, DEFAULT_CUES};
use self::http::{Answer, Client, Failure, Headers, Validators};
use self::mirror::{FetchRecord, Kind, LogEvent, Mirror, MirrorState, Outcome, UrlState};
use self::robots::Rules;
pub use self::seeds::{Seed, load_seeds};
use crate::model::Link;

#[derive(Debug, Error)]
pub enum FetchError {
    #[error("`{}`: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("seeds file `{}` line {line}: {reason}", .path.display())]
    Seeds { path: PathBuf, line: u64, reason: String },
    #[error("cue file `{}`: {reason}", .path.display())]
    Cues { path: PathBuf, reason: String },
    #[error("fetch log `{}` line {line} is damaged: {reason}", .path.display())]
    Log { path: PathBuf, line: usize, reason: String },
}

/// The default wait between two requests to the same host. Two seconds is the pace that
/// public-sector crawl guidelines and the tools partners used before asked for; a site's
/// `Crawl-delay` can only make it longer.
pub const DEFAULT_DELAY: Duration = Duration::from_secs(2);
/// How many links deep from a seed pages are followed. Plans sit at most three clicks
/// below a 行政改革 section page, which is itself at most two below the top page; documents
/// linked from the deepest page are still fetched.
pub const DEFAULT_DEPTH: u32 = 4;
/// The largest file fetched. The largest plan in the shipped corpus is 14 MB; scanned plans
/// reach 100 MB; the batch's own limit is 200 MB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 200 * 1_000_000;
/// Time limit for one request, including the body: a 100 MB PDF at 2 MB/s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Tries after the first on 5xx, 429 and timeouts.
pub const DEFAULT_RETRIES: u32 = 3;
/// First wait before a retry when the server names none; doubled each time (1, 2, 4 s).
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);
/// A `Retry-After` longer than this gives the URL up for this crawl rather than stall its
/// host's thread (the next crawl tries again).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// Hosts crawled at the same time. Each is mostly waiting out its delay, so this is far
/// above the cores; it bounds the open connections and threads.
pub const DEFAULT_PARALLEL_HOSTS: usize = 16;
/// Requests per host and crawl, so a site that generates endless URLs (calendars, search
/// results) cannot keep a crawl going forever.
pub const DEFAULT_MAX_REQUESTS_PER_HOST: usize = 2000;
/// Redirect hops followed per URL (browsers use about 20; CMS chains are 1–3).
const MAX_REDIRECTS: usize = 5;
/// An on-topic page with at least this much text is a plan published as a web page (and
/// goes to the manifest); shorter ones are section pages listing the PDFs. The shortest
/// HTML plan in the corpus has about 3,000 characters; section pages have a few hundred.
const MIN_PLAN_PAGE_CHARS: usize = 1500;

/// How a crawl behaves; `FetchOptions::new` gives the polite defaults.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub mirror: PathBuf,
    pub delay: Duration,
    pub max_depth: u32,
    pub user_agent: String,
    /// The product token matched against robots.txt `User-agent` lines.
    pub robots_token: String,
    pub max_file_bytes: u64,
    pub timeout: Duration,
    pub retries: u32,
    pub backoff: Duration,
    pub max_retry_after: Duration,
    pub parallel_hosts: usize,
    pub max_requests_per_host: usize,
    pub cues: Cues,
    pub dry_run: bool,
}

impl FetchOptions {
    pub fn new(mirror: PathBuf, contact: Option<&str>) -> FetchOptions {
        FetchOptions {
            mirror,
            delay: DEFAULT_DELAY,
            max_depth: DEFAULT_DEPTH,
            user_agent: user_agent(contact),
            robots_token: "gyokaku".to_owned(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            backoff: DEFAULT_BACKOFF,
            max_retry_after: MAX_RETRY_AFTER,
            parallel_hosts: DEFAULT_PARALLEL_HOSTS,
            max_requests_per_host: DEFAULT_MAX_REQUESTS_PER_HOST,
            cues: Cues::builtin(),
            dry_run: false,
        }
    }
}

/// The User-Agent: who we are, what for, and whom to write to.
pub fn user_agent(contact: Option<&str>) -> String {
    let contact = contact.map_or_else(|| "no contact given".to_owned(), |c| format!("+{c}"));
    format!(
        "gyokaku/{} (research crawler collecting municipal administrative-reform plans; {contact})",
        env!("CARGO_PKG_VERSION")
    )
}

/// The body a seed belongs to, as the manifest will name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    pub code: Option<String>,
}

/// What a crawl did.
#[derive(Debug, Clone, Default)]
pub struct FetchSummary {
    pub crawl: String,
    pub resumed: bool,
    pub hosts: usize,
    /// HTTP requests made, robots.txt and retries included.
    pub requests: usize,
    pub fetched: usize,
    pub not_modified: usize,
    pub new_revisions: usize,
    pub failed: usize,
    pub disallowed: usize,
    pub vanished: usize,
    pub manifest_rows: usize,
    /// URLs handled before the crawl was interrupted, not requested again.
    pub reused: usize,
    /// One line per problem (URL and reason), for the closing summary.
    pub problems: Vec<String>,
    /// With `dry_run`: what would be fetched, one line each.
    pub planned: Vec<String>,
}

/// Crawls the seeds into the mirror, then writes its manifest. `bodies[i]` names the body
/// of `seeds[i]`.
pub fn fetch(
    seeds: &[Seed],
    bodies: &[Body],
    options: &FetchOptions,
) -> Result<FetchSummary, FetchError> {
    let jobs = host_jobs(seeds);
    if options.dry_run {
        let state = mirror::read_state(&options.mirror)?;
        return Ok(plan(seeds, &jobs, &state, options));
    }
    let (mirror, state) = Mirror::open(&options.mirror)?;
    let (crawl, resumed) = match &state.open_crawl {
        Some(open) => (open.clone(), true),
        None => (chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string(), false),
    };
    if !resumed {
        mirror.append(&LogEvent::CrawlStart {
            crawl: crawl.clone(),
            time: now(),
            user_agent: options.user_agent.clone(),
        })?;
    }
    let client = Client::new(&options.user_agent, options.timeout, options.max_file_bytes);
    let shared = Shared {
        options,
        seeds,
        bodies,
        mirror: &mirror,
        state: &state,
        client: &client,
        crawl: &crawl,
        requests: AtomicUsize::new(0),
        summary: Mutex::new(FetchSummary {
            crawl: crawl.clone(),
            resumed,
            hosts: jobs.len(),
            ..FetchSummary::default()
        }),
        errors: Mutex::new(Vec::new()),
    };
    let queue = Mutex::new(VecDeque::from(jobs));
    let workers = options.parallel_hosts.max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    // Popped in its own statement: a guard in the `while let` scrutinee
                    // would hold the queue's lock for the whole host crawl.
                    let next = lock(&queue).pop_front();
                    let Some(job) = next else { break };
                    if let Err(err) = HostCrawl::new(&shared, &job).run() {
                        lock(&shared.errors).push(err);
                    }
                }
            });
        }
    });
    let Shared { requests, summary, errors, .. } = shared;
    if let Some(err) = errors.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().next() {
        return Err(err);
    }
    let mut summary = summary.into_inner().unwrap_or_else(|e| e.into_inner());
    summary.requests = requests.into_inner();
    summary.vanished = finish_crawl(&mirror, &crawl)?;
    let state = mirror::read_state(mirror.dir())?;
    summary.manifest_rows = mirror::write_manifest(mirror.dir(), &state)?;
    summary.problems.sort();
    Ok(summary)
}

/// Marks as vanished the known URLs that the finished crawl did not find although the page
/// that linked them was read, then closes the crawl in the log. Returns how many vanished.
fn finish_crawl(mirror: &Mirror, crawl: &str) -> Result<usize, FetchError> {
    let state = mirror::read_state(mirror.dir())?;
    let read_in_crawl = |url: &str| {
        state
            .done_in(url, crawl)
            .is_some_and(|s| matches!(s.last.outcome, Outcome::Fetched | Outcome::NotModified))
    };
    let mut vanished = 0;
    for (url, url_state) in &state.urls {
        if url_state.revisions.is_empty() {
            continue;
        }
        let gone_now = url_state.last.crawl == crawl && url_state.vanished.is_some();
        let unreached = url_state.last.crawl != crawl
            && url_state.vanished.is_none()
            && url_state.described().referrer.as_deref().is_some_and(read_in_crawl);
        if gone_now {
            vanished += 1;
        } else if unreached {
            let last_seen =
                url_state.revisions.last().map(|r| mirror::date(&r.last_seen)).unwrap_or_default();
            mirror.append(&LogEvent::Vanished {
                crawl: crawl.to_owned(),
                time: now(),
                url: url.clone(),
                last_seen,
            })?;
            vanished += 1;
        }
    }
    mirror.append(&LogEvent::CrawlEnd { crawl: crawl.to_owned(), time: now() })?;
    Ok(vanished)
}

/// The seeds grouped by host (`host:port`), in the order the hosts first appear.
struct HostJob {
    host: String,
    seeds: Vec<usize>,
}

fn host_jobs(seeds: &[Seed]) -> Vec<HostJob> {
    let mut jobs: Vec<HostJob> = Vec::new();
    for (i, seed) in seeds.iter().enumerate() {
        let host = host_key(&seed.url);
        match jobs.iter_mut().find(|job| job.host == host) {
            Some(job) => job.seeds.push(i),
            None => jobs.push(HostJob { host, seeds: vec![i] }),
        }
    }
    jobs
}

fn host_key(url: &Url) -> String {
    format!("{}:{}", url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or(0))
}

/// What `--dry-run` prints: per host its pace and start URLs, and the known URLs of the
/// mirror that a crawl would revalidate. No request is made.
fn plan(
    seeds: &[Seed],
    jobs: &[HostJob],
    state: &MirrorState,
    options: &FetchOptions,
) -> FetchSummary {
    let mut planned = Vec::new();
    for job in jobs {
        planned.push(format!(
            "host {}: robots.txt first, then one request at a time, {:.1} s apart (longer if robots.txt asks)",
            job.host,
            options.delay.as_secs_f64()
        ));
        for &i in &job.seeds {
            planned.push(format!("  seed  {}  (depth up to {})", seeds[i].url, options.max_depth));
        }
        for (url, url_state) in &state.urls {
            let Ok(parsed) = Url::parse(url) else { continue };
            if host_key(&parsed) != job.host || url_state.revisions.is_empty() {
                continue;
            }
            let how = match (&url_state.etag, &url_state.last_modified) {
                (Some(etag), _) => format!("If-None-Match {etag}"),
                (None, Some(date)) => format!("If-Modified-Since {date}"),
                (None, None) => "unconditional".to_owned(),
            };
            planned.push(format!("  known {url}  ({how})"));
        }
    }
    FetchSummary { hosts: jobs.len(), planned, ..FetchSummary::default() }
}

/// What every host thread shares.
struct Shared<'a> {
    options: &'a FetchOptions,
    seeds: &'a [Seed],
    bodies: &'a [Body],
    mirror: &'a Mirror,
    /// The mirror as it was when this crawl started (validators, resume points).
    state: &'a MirrorState,
    client: &'a Client,
    crawl: &'a str,
    requests: AtomicUsize,
    summary: Mutex<FetchSummary>,
    errors: Mutex<Vec<FetchError>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// One URL waiting to be fetched.
#[derive(Debug, Clone)]
struct Task {
    url: Url,
    depth: u32,
    referrer: Option<String>,
    link_text: Option<String>,
    seed: usize,
    /// The link (or the seed URL) itself pointed at a plan.
    on_topic: bool,
}

/// Keeps the per-host delay: the next request may start only `delay` after the previous
/// one ended, or later when the server asked for a pause.
struct Pacer {
    delay: Duration,
    next: Option<Instant>,
}

impl Pacer {
    fn wait(&self) {
        if let Some(next) = self.next {
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
    }

    fn done(&mut self, pause: Option<Duration>) {
        let pause = pause.map_or(self.delay, |p| p.max(self.delay));
        self.next = Some(Instant::now() + pause);
    }
}

/// The result of fetching one URL, redirects followed.
struct Fetched {
    record: FetchRecord,
    /// The body of a page, to follow its links (also for 304, read from the mirror).
    page: Option<(Vec<u8>, Option<String>)>,
}

/// The crawl of one host: its robots rules, pace, frontier and visited set.
struct HostCrawl<'a> {
    shared: &'a Shared<'a>,
    job: &'a HostJob,
    /// robots.txt rules by origin (`host:port`): the seed's, and that of its scheme upgrade
    /// (`http://x/` redirected to `https://x/` is the same site on another origin).
    rules: HashMap<String, Rules>,
    pacer: Pacer,
    visited: HashSet<String>,
    requests: usize,
}

impl<'a> HostCrawl<'a> {
    fn new(shared: &'a Shared<'a>, job: &'a HostJob) -> HostCrawl<'a> {
        HostCrawl {
            shared,
            job,
            rules: HashMap::new(),
            pacer: Pacer { delay: shared.options.delay, next: None },
            visited: HashSet::new(),
            requests: 0,
        }
    }

    fn run(mut self) -> Result<(), FetchError> {
        let options = self.shared.options;
        let Some(&first) = self.job.seeds.first() else { return Ok(()) };
        self.load_robots(&self.shared.seeds[first].url.clone())?;
        let mut queue: VecDeque<Task> = self
            .job
            .seeds
            .iter()
            .map(|&i| {
                let url = self.shared.seeds[i].url.clone();
                let on_topic = options.cues.url_matches(url.as_str());
                Task { url, depth: 0, referrer: None, link_text: None, seed: i, on_topic }
            })
            .collect();
        while let Some(task) = queue.pop_front() {
            if !self.visited.insert(visit_key(&task.url)) {
                continue;
            }
            if self.requests >= options.max_requests_per_host {
                self.problem(format!(
                    "{}: stopped after {} requests (the per-host limit)",
                    self.job.host, self.requests
                ));
                break;
            }
            let Some(fetched) = self.fetch_task(&task)? else { continue };
            if let Some((bytes, charset)) = &fetched.page {
                let on_topic = task.on_topic
                    || fetched
                        .record
                        .title
                        .as_deref()
                        .is_some_and(|t| options.cues.text_matches(t));
                let base =
                    Url::parse(&fetched.record.final_url).unwrap_or_else(|_| task.url.clone());
                let links = crate::extract::html::all_links(bytes, charset.as_deref());
                queue.extend(self.follow(&task, &base, on_topic, &links));
            }
        }
        Ok(())
    }

    /// The links of a page worth fetching: on this host, not yet seen, and either a page
    /// whose link names a plan (within the depth), or a document whose link names a plan
    /// or that sits on a page about plans.
    fn follow(&self, task: &Task, base: &Url, page_on_topic: bool, links: &[Link]) -> Vec<Task> {
        let cues = &self.shared.options.cues;
        let mut tasks = Vec::new();
        for link in links {
            let Ok(mut url) = base.join(&link.url) else { continue };
            url.set_fragment(None);
            if !matches!(url.scheme(), "http" | "https") || !self.same_site(&url) {
                continue;
            }
            if self.visited.contains(&visit_key(&url)) {
                continue;
            }
            let link_on_topic = cues.link_matches(&link.text, url.as_str());
            let follow = match kind_from_url(&url) {
                None => false,
                Some(Kind::Page) => link_on_topic && task.depth < self.shared.options.max_depth,
                Some(Kind::Document | Kind::Other) => {
                    !cues.skipped(&link.text) && (link_on_topic || page_on_topic)
                }
            };
            if follow {
                tasks.push(Task {
                    url,
                    depth: task.depth + 1,
                    referrer: Some(task.url.to_string()),
                    link_text: Some(link.text.clone()).filter(|t| !t.is_empty()),
                    seed: task.seed,
                    on_topic: link_on_topic,
                });
            }
        }
        tasks
    }

    /// The same site: this job's origin, or the same host name reached through a scheme
    /// upgrade on the default ports (http → https), which a site's own redirects do.
    fn same_site(&self, url: &Url) -> bool {
        let key = host_key(url);
        if key == self.job.host || self.rules.contains_key(&key) {
            return true;
        }
        let Some(seed) = self.job.seeds.first().map(|&i| &self.shared.seeds[i].url) else {
            return false;
        };
        same_host_on_default_ports(seed, url)
    }

    /// Whether robots.txt of the URL's origin allows it; an origin seen for the first time
    /// (a scheme upgrade) has its robots.txt read first.
    fn allowed(&mut self, url: &Url) -> Result<bool, FetchError> {
        if !self.rules.contains_key(&host_key(url)) {
            self.load_robots(url)?;
        }
        Ok(self.rules.get(&host_key(url)).is_some_and(|rules| rules.allowed(url.as_str())))
    }

    /// Reads robots.txt of the URL's origin (following same-site redirects, RFC 9309
    /// §2.3.1.2) and raises the pace to its `Crawl-delay`.
    fn load_robots(&mut self, origin: &Url) -> Result<(), FetchError> {
        let key = host_key(origin);
        let Ok(mut robots_url) = origin.join("/robots.txt") else {
            self.rules.insert(key, Rules::AllowAll);
            return Ok(());
        };
        // Inserted first, so the redirects below cannot recurse into this origin.
        self.rules.insert(key.clone(), Rules::AllowAll);
        self.visited.insert(visit_key(&robots_url));
        let mut answer;
        let mut attempts = 0;
        let mut hops = 0;
        loop {
            let (this, tries) = self.request(&robots_url, &Validators::default());
            attempts += tries;
            answer = this;
            let Ok(Answer::Redirect { location, .. }) = &answer else { break };
            let target = robots_url.join(location).ok().filter(|t| self.same_site(t));
            match target {
                Some(target) if hops < MAX_REDIRECTS => {
                    hops += 1;
                    robots_url = target;
                }
                _ => break,
            }
        }
        let mut record = self.record_for(
            &Task {
                url: robots_url.clone(),
                depth: 0,
                referrer: None,
                link_text: None,
                seed: self.job.seeds[0],
                on_topic: false,
            },
            attempts,
        );
        record.kind = Kind::Other;
        record.final_url = robots_url.to_string();
        let rules = match answer {
            Ok(Answer::Body { status, bytes, .. }) => {
                record.status = Some(status);
                record.size = Some(bytes.len() as u64);
                Rules::parse(&self.shared.options.robots_token, &bytes)
            }
            Ok(Answer::Status { status, .. }) if status < 500 => {
                record.status = Some(status);
                record.outcome = Outcome::HttpError;
                Rules::AllowAll
            }
            Ok(Answer::Redirect { status, .. } | Answer::Status { status, .. }) => {
                record.status = Some(status);
                record.outcome = Outcome::HttpError;
                if status >= 500 {
                    self.problem(format!(
                        "{robots_url}: HTTP {status}; the host is not crawled (RFC 9309)"
                    ));
                    Rules::DisallowAll
                } else {
                    Rules::AllowAll
                }
            }
            Ok(Answer::NotModified { .. }) => Rules::AllowAll,
            Err(failure) => {
                record.outcome = Outcome::Failed;
                record.error = Some(failure.describe());
                self.problem(format!(
                    "{robots_url}: {}; the host is not crawled",
                    failure.describe()
                ));
                Rules::DisallowAll
            }
        };
        if let Some(delay) = rules.crawl_delay() {
            self.pacer.delay = self.pacer.delay.max(Duration::from_secs_f32(delay));
            // The robots.txt request itself already counts: the next one waits the new delay.
            self.pacer.done(None);
        }
        self.rules.insert(key, rules);
        self.shared.mirror.append(&LogEvent::Fetch(Box::new(record)))
    }

    /// Fetches one task (or reuses what this crawl already logged for it before it was
    /// interrupted) and logs the outcome.
    fn fetch_task(&mut self, task: &Task) -> Result<Option<Fetched>, FetchError> {
        if let Some(done) = self.shared.state.done_in(task.url.as_str(), self.shared.crawl) {
            lock(&self.shared.summary).reused += 1;
            for hop in &done.last.redirects {
                if let Ok(hop) = Url::parse(hop) {
                    self.visited.insert(visit_key(&hop));
                }
            }
            let page = match (done.last.kind, done.revisions.last()) {
                (Kind::Page, Some(revision)) => self
                    .shared
                    .mirror
                    .read(&revision.path)
                    .map(|bytes| (bytes, charset_of(done.last.content_type.as_deref()))),
                _ => None,
            };
            return Ok(Some(Fetched { record: done.last.clone(), page }));
        }
        if !self.allowed(&task.url)? {
            let mut record = self.record_for(task, 0);
            record.outcome = Outcome::RobotsDisallowed;
            record.kind = kind_from_url(&task.url).unwrap_or(Kind::Page);
            lock(&self.shared.summary).disallowed += 1;
            self.shared.mirror.append(&LogEvent::Fetch(Box::new(record)))?;
            return Ok(None);
        }
        let fetched = self.fetch_url(task)?;
        {
            let mut summary = lock(&self.shared.summary);
            match fetched.record.outcome {
                Outcome::Fetched => {
                    summary.fetched += 1;
                    let known = self.shared.state.urls.get(task.url.as_str());
                    let new_hash = known.is_none_or(|k| {
                        k.revisions.last().map(|r| Some(&r.hash))
                            != Some(fetched.record.hash.as_ref())
                    });
                    if new_hash {
                        summary.new_revisions += 1;
                    }
                }
                Outcome::NotModified => summary.not_modified += 1,
                Outcome::RobotsDisallowed => summary.disallowed += 1,
                Outcome::HttpError | Outcome::Failed | Outcome::OffSite => {
                    summary.failed += 1;
                    let reason = fetched.record.error.clone().unwrap_or_else(|| {
                        fetched.record.status.map_or_else(String::new, |s| format!("HTTP {s}"))
                    });
                    summary.problems.push(format!("{}: {reason}", task.url));
                }
            }
        }
        self.shared.mirror.append(&LogEvent::Fetch(Box::new(fetched.record.clone())))?;
        Ok(Some(fetched))
    }

    fn fetch_url(&mut self, task: &Task) -> Result<Fetched, FetchError> {
        let known = self.shared.state.urls.get(task.url.as_str());
        let validators = known
            .filter(|k| !k.revisions.is_empty())
            .map(|k| Validators { etag: k.etag.clone(), last_modified: k.last_modified.clone() })
            .unwrap_or_default();
        let mut record = self.record_for(task, 0);
        let mut current = task.url.clone();
        for hop in 0..=MAX_REDIRECTS {
            let (answer, attempts) = self.request(&current, &validators);
            record.attempts += attempts;
            record.final_url = current.to_string();
            record.time = now();
            match answer {
                Err(failure) => {
                    record.outcome = Outcome::Failed;
                    record.error = Some(failure.describe());
                    return Ok(Fetched { record, page: None });
                }
                Ok(Answer::Status { status, .. }) => {
                    record.outcome = Outcome::HttpError;
                    record.status = Some(status);
                    return Ok(Fetched { record, page: None });
                }
                Ok(Answer::Redirect { status, location }) => {
                    record.status = Some(status);
                    let Ok(mut target) = current.join(&location) else {
                        record.outcome = Outcome::HttpError;
                        record.error = Some(format!("redirect to a bad URL `{location}`"));
                        return Ok(Fetched { record, page: None });
                    };
                    target.set_fragment(None);
                    record.redirects.push(target.to_string());
                    if !self.same_site(&target) {
                        record.outcome = Outcome::OffSite;
                        record.final_url = target.to_string();
                        record.error = Some(format!("redirected off the site to {target}"));
                        return Ok(Fetched { record, page: None });
                    }
                    if !self.allowed(&target)? {
                        record.outcome = Outcome::RobotsDisallowed;
                        record.final_url = target.to_string();
                        return Ok(Fetched { record, page: None });
                    }
                    if hop == MAX_REDIRECTS || !self.visited.insert(visit_key(&target)) {
                        record.outcome = Outcome::HttpError;
                        record.error = Some(if hop == MAX_REDIRECTS {
                            format!("more than {MAX_REDIRECTS} redirects")
                        } else {
                            format!("redirected to {target}, which this crawl already has")
                        });
                        return Ok(Fetched { record, page: None });
                    }
                    current = target;
                }
                Ok(Answer::NotModified { headers }) => {
                    record.outcome = Outcome::NotModified;
                    record.status = Some(304);
                    let previous = known.and_then(|k| k.revisions.last());
                    record.etag = headers.etag.or_else(|| known.and_then(|k| k.etag.clone()));
                    record.last_modified = headers
                        .last_modified
                        .or_else(|| known.and_then(|k| k.last_modified.clone()));
                    if let Some(known) = known.map(UrlState::described) {
                        record.kind = known.kind;
                        record.plan = known.plan;
                        record.title.clone_from(&known.title);
                        record.content_type.clone_from(&known.content_type);
                    }
                    if let Some(previous) = previous {
                        record.hash = Some(previous.hash.clone());
                        record.path = Some(previous.path.clone());
                        record.size = Some(previous.size);
                    }
                    let page = (record.kind == Kind::Page)
                        .then(|| previous.and_then(|p| self.shared.mirror.read(&p.path)))
                        .flatten()
                        .map(|bytes| (bytes, charset_of(record.content_type.as_deref())));
                    return Ok(Fetched { record, page });
                }
                Ok(Answer::Body { status, headers, bytes }) => {
                    record.status = Some(status);
                    return self.store_body(record, task, &headers, bytes);
                }
            }
        }
        Ok(Fetched { record, page: None })
    }

    fn store_body(
        &self,
        mut record: FetchRecord,
        task: &Task,
        headers: &Headers,
        bytes: Vec<u8>,
    ) -> Result<Fetched, FetchError> {
        record.outcome = Outcome::Fetched;
        record.content_type.clone_from(&headers.content_type);
        record.etag.clone_from(&headers.etag);
        record.last_modified.clone_from(&headers.last_modified);
        record.size = Some(bytes.len() as u64);
        let final_url = Url::parse(&record.final_url).unwrap_or_else(|_| task.url.clone());
        record.kind = kind_of_body(headers.media_type().as_deref(), &bytes, &final_url);
        let charset = headers.charset();
        let (folder, extension) = match record.kind {
            Kind::Document => {
                record.plan = true;
                ("documents", "pdf".to_owned())
            }
            Kind::Other => ("other", extension_of(&final_url).unwrap_or_else(|| "bin".to_owned())),
            Kind::Page => {
                let hints = crate::extract::SourceHints { charset: charset.clone() };
                let extracted = crate::extract::html::extract_html(&bytes, &hints).ok();
                record.title = extracted.as_ref().and_then(|e| e.title.clone());
                let on_topic = task.on_topic
                    || record
                        .title
                        .as_deref()
                        .is_some_and(|t| self.shared.options.cues.text_matches(t));
                record.plan = on_topic
                    && extracted.as_ref().is_some_and(|e| e.char_count() >= MIN_PLAN_PAGE_CHARS);
                (if record.plan { "documents" } else { "pages" }, "html".to_owned())
            }
        };
        let (hash, path) = self.shared.mirror.store(folder, &bytes, &extension)?;
        if record.kind == Kind::Page
            && let Some(charset) = &charset
        {
            self.shared.mirror.store_charset(&path, charset)?;
        }
        record.hash = Some(hash);
        record.path = Some(path);
        let page = (record.kind == Kind::Page).then_some((bytes, charset));
        Ok(Fetched { record, page })
    }

    /// One URL with retries: 5xx, 429 and transient failures are tried again after the
    /// server's `Retry-After` or an exponential backoff, each try paced like any request.
    /// Returns the last answer and the number of requests made.
    fn request(&mut self, url: &Url, validators: &Validators) -> (Result<Answer, Failure>, u32) {
        let options = self.shared.options;
        let mut attempts = 0;
        loop {
            self.pacer.wait();
            self.requests += 1;
            self.shared.requests.fetch_add(1, Ordering::Relaxed);
            attempts += 1;
            let answer = self.shared.client.get(url, validators);
            let backoff = options.backoff.saturating_mul(1 << (attempts - 1).min(16));
            let pause = match &answer {
                Ok(Answer::Status { status, retry_after }) if *status == 429 || *status >= 500 => {
                    Some(retry_after.unwrap_or(backoff))
                }
                Err(failure) if failure.is_transient() => Some(backoff),
                _ => None,
            };
            self.pacer.done(pause);
            match pause {
                Some(pause) if attempts <= options.retries && pause <= options.max_retry_after => {}
                _ => return (answer, attempts),
            }
        }
    }

    fn record_for(&self, task: &Task, attempts: u32) -> FetchRecord {
        let body = self.shared.bodies.get(task.seed).cloned().unwrap_or_default();
        FetchRecord {
            crawl: self.shared.crawl.to_owned(),
            time: now(),
            url: task.url.to_string(),
            final_url: task.url.to_string(),
            outcome: Outcome::Failed,
            status: None,
            content_type: None,
            size: None,
            hash: None,
            path: None,
            kind: kind_from_url(&task.url).unwrap_or(Kind::Page),
            plan: false,
            referrer: task.referrer.clone(),
            link_text: task.link_text.clone(),
            title: None,
            depth: task.depth,
            redirects: Vec::new(),
            attempts,
            etag: None,
            last_modified: None,
            error: None,
            municipality: body.municipality,
            prefecture: body.prefecture,
            code: body.code,
        }
    }

    fn problem(&self, line: String) {
        lock(&self.shared.summary).problems.push(line);
    }
}

/// `http://x/` and `https://x/` (default ports): one site on two origins.
fn same_host_on_default_ports(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.port().is_none() && b.port().is_none()
}

/// URLs are the same page when they differ only in the fragment.
fn visit_key(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    url.to_string()
}

fn extension_of(url: &Url) -> Option<String> {
    let last = url.path_segments()?.next_back()?;
    let (_, extension) = last.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    (extension.len() <= 5 && extension.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some(extension)
}

/// Extensions of files that are recorded but not extracted.
const OTHER_EXTENSIONS: [&str; 12] =
    ["doc", "docx", "xls", "xlsx", "xlsm", "ppt", "pptx", "odt", "ods", "rtf", "jtd", "zip"];
/// Extensions never fetched: images, media, styles and scripts hold no plan text.
const SKIPPED_EXTENSIONS: [&str; 16] = [
    "jpg", "jpeg", "png", "gif", "svg", "webp", "ico", "bmp", "mp3", "mp4", "mov", "avi", "css",
    "js", "xml", "txt",
];

/// What a link probably leads to, from its URL; `None` for files never fetched.
fn kind_from_url(url: &Url) -> Option<Kind> {
    match extension_of(url).as_deref() {
        Some("pdf") => Some(Kind::Document),
        Some(ext) if OTHER_EXTENSIONS.contains(&ext) => Some(Kind::Other),
        Some(ext) if SKIPPED_EXTENSIONS.contains(&ext) => None,
        _ => Some(Kind::Page),
    }
}

/// What a body is: the bytes decide over the content type, the content type over the URL.
fn kind_of_body(media_type: Option<&str>, bytes: &[u8], url: &Url) -> Kind {
    match crate::extract::sniff_format(bytes) {
        crate::model::Format::Pdf => return Kind::Document,
        crate::model::Format::Html => return Kind::Page,
        crate::model::Format::Text => {}
    }
    match media_type {
        Some("text/html" | "application/xhtml+xml") => Kind::Page,
        Some("application/pdf") => Kind::Document,
        _ => match kind_from_url(url) {
            Some(Kind::Page) | None => Kind::Other,
            Some(kind) => kind,
        },
    }
}

fn charset_of(content_type: Option<&str>) -> Option<String> {
    Headers { content_type: content_type.map(str::to_owned), ..Headers::default() }.charset()
}

/// The hosts of a set of seeds, for messages.
pub fn seed_hosts(seeds: &[Seed]) -> BTreeSet<String> {
    seeds.iter().map(|s| host_key(&s.url)).collect()
}

/// Counts of log outcomes by URL, for summaries and tests.
pub fn outcomes(state: &MirrorState) -> BTreeMap<String, Outcome> {
    state.urls.iter().map(|(url, s)| (url.clone(), s.last.outcome)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn kinds_from_urls_and_bodies() {
        assert_eq!(kind_from_url(&url("http://h/a/taikou.PDF")), Some(Kind::Document));
        assert_eq!(kind_from_url(&url("http://h/a/b.xlsx")), Some(Kind::Other));
        assert_eq!(kind_from_url(&url("http://h/logo.png")), None);
        assert_eq!(kind_from_url(&url("http://h/soshiki/")), Some(Kind::Page));
        assert_eq!(
            kind_of_body(Some("application/octet-stream"), b"%PDF-1.4", &url("http://h/x")),
            Kind::Document
        );
        assert_eq!(
            kind_of_body(Some("application/msword"), b"\xd0\xcf\x11\xe0", &url("http://h/x.doc")),
            Kind::Other
        );
    }

    #[test]
    fn a_scheme_upgrade_stays_on_the_site() {
        let seed = url("http://www.city.example.lg.jp/");
        assert!(same_host_on_default_ports(&seed, &url("https://www.city.example.lg.jp/a")));
        assert!(!same_host_on_default_ports(&seed, &url("https://www.city.example.lg.jp:8443/")));
        assert!(!same_host_on_default_ports(&seed, &url("https://example.lg.jp/")));
        assert!(!same_host_on_default_ports(
            &url("http://127.0.0.1:1/"),
            &url("http://127.0.0.1:2/")
        ));
    }

    #[test]
    fn pacer_waits_the_delay_or_the_longer_pause() {
        let mut pacer = Pacer { delay: Duration::from_millis(30), next: None };
        let start = Instant::now();
        pacer.wait();
        pacer.done(None);
        pacer.wait();
        assert!(start.elapsed() >= Duration::from_millis(30));
        pacer.done(Some(Duration::from_millis(60)));
        let before = Instant::now();
        pacer.wait();
        assert!(before.elapsed() >= Duration::from_millis(50));
    }

    #[test]
    fn user_agent_names_the_contact() {
        assert!(user_agent(Some("mailto:lab@example.org")).contains("+mailto:lab@example.org"));
        assert!(user_agent(None).contains("no contact given"));
    }
}
