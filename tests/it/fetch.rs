//! End-to-end tests of `gyokaku fetch` against a small municipal site served on 127.0.0.1
//! by the test itself: Shift_JIS and UTF-8 pages, relative and absolute links, a redirect,
//! robots.txt disallowing a folder, 404/500/429 with Retry-After, a slow response, an
//! oversized file, a link loop, a plan revised and a PDF removed between two crawls.
//! Every request is recorded by the server, so counts and delays are asserted, not assumed.
//! Nothing here reaches beyond loopback.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const REPO: &str = env!("CARGO_MANIFEST_DIR");
/// The per-host delay the tests crawl with: short, but long enough to measure.
const DELAY: f64 = 0.2;
/// The `Crawl-delay` of the 府中市 site's robots.txt, longer than `--delay`, so it wins.
const CRAWL_DELAY: f64 = 0.3;
/// Scheduling slack allowed when comparing measured gaps with the delay.
const SLACK: Duration = Duration::from_millis(15);

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    at: Instant,
    user_agent: String,
    if_none_match: Option<String>,
    status: u16,
}

/// What the site serves; `revised` switches to the second state (plan revised, PDF removed).
struct Site {
    port: u16,
    revised: AtomicBool,
    requests: Mutex<Vec<Seen>>,
    open: AtomicUsize,
    max_open: AtomicUsize,
    kind: SiteKind,
}

#[derive(Clone, Copy, PartialEq)]
enum SiteKind {
    /// 府中市 (広島県): the full site.
    Fuchu,
    /// 芽室町: a second, tiny host without robots.txt.
    Memuro,
}

fn fixture(name: &str) -> Vec<u8> {
    fs_err::read(Path::new(REPO).join("tests/fixtures/pdf").join(name)).unwrap()
}

fn sjis(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Response {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// 200 with an ETag, or 304 when the client already has it.
    fn cached(content_type: &str, body: Vec<u8>, if_none_match: Option<&str>) -> Response {
        let etag = format!("\"{:016x}\"", fxhash(&body));
        if if_none_match == Some(etag.as_str()) {
            return Response::new(304, content_type, Vec::new()).header("ETag", &etag);
        }
        Response::new(200, content_type, body).header("ETag", &etag)
    }
}

fn fxhash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

impl Site {
    fn count(&self, path: &str) -> usize {
        self.requests.lock().unwrap().iter().filter(|r| r.path == path).count()
    }

    fn respond(&self, path: &str, if_none_match: Option<&str>) -> Response {
        let revised = self.revised.load(Ordering::SeqCst);
        let base = format!("http://127.0.0.1:{}", self.port);
        let html = "text/html; charset=utf-8";
        if self.kind == SiteKind::Memuro {
            return match path {
                "/" => Response::new(
                    200,
                    html,
                    "<html><head><title>芽室町</title></head><body><main><h1>芽室町</h1>\
                     <p><a href=\"/gyosei/policy.pdf\">行政経営ポリシー（PDF：20KB）</a></p></main></body></html>",
                ),
                "/gyosei/policy.pdf" => {
                    Response::cached("application/pdf", fixture("ruled_table.pdf"), if_none_match)
                }
                _ => Response::new(404, html, "<html><body>not found</body></html>"),
            };
        }
        match path {
            // robots.txt moved: the rules are read where the redirect points (RFC 9309).
            "/robots.txt" => Response::new(301, html, "").header("Location", "/cms/robots.txt"),
            "/cms/robots.txt" => Response::new(
                200,
                "text/plain",
                "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n\nUser-agent: otherbot\nDisallow: /\n",
            ),
            "/" => Response::new(
                200,
                html,
                "<html><head><title>府中市</title></head><body>\
                 <nav><ul><li><a href=\"/gyosei/index.html\">行政改革</a></li>\
                 <li><a href=\"/kurashi/gomi.html\">ごみの出し方</a></li>\
                 <li><a href=\"/private/secret.html\">行政改革（庁内）</a></li>\
                 <li><a href=\"http://192.0.2.1/gyokaku/\">行政改革（よその市）</a></li></ul></nav>\
                 <main><h1>府中市へようこそ</h1><p>お知らせ</p></main></body></html>",
            ),
            "/gyosei/index.html" => {
                let removed_link = if revised {
                    String::new()
                } else {
                    format!(
                        "<li><a href=\"{base}/gyosei/jisshi.pdf\">行政改革実施計画（PDF：3KB）</a></li>"
                    )
                };
                let page = format!(
                    "<html><head><meta charset=\"Shift_JIS\"><title>行政改革 - 府中市</title></head><body>\
                     <main><h1>行政改革</h1><p>本市の行政改革の取組を紹介します。</p><ul>\
                     <li><a href=\"taikou.pdf\">第3次行政改革大綱（PDF：20KB）</a></li>\
                     {removed_link}\
                     <li><a href=\"/old-plan\">改革プラン2020</a></li>\
                     <li><a href=\"keikaku.docx\">推進計画（Word）</a></li>\
                     <li><a href=\"missing.pdf\">取組状況（令和元年度）</a></li>\
                     <li><a href=\"broken.html\">取組状況（令和2年度）</a></li>\
                     <li><a href=\"busy.pdf\">取組状況（令和3年度）</a></li>\
                     <li><a href=\"slow.pdf\">取組状況（令和4年度）</a></li>\
                     <li><a href=\"huge.pdf\">資料集（PDF：2MB）</a></li>\
                     <li><a href=\"loop-a.html\">行政改革の経過</a></li>\
                     <li><a href=\"plan-page.html\">行政経営方針</a></li>\
                     <li><a href=\"/private/plan.pdf\">行政改革大綱（庁内案）</a></li>\
                     <li><a href=\"photo.jpg\"><img src=\"photo.jpg\" alt=\"行政改革の写真\"></a></li>\
                     </ul></main></body></html>"
                );
                Response::new(200, "text/html", sjis(&page))
            }
            "/gyosei/taikou.pdf" => {
                let pdf = if revised { fixture("table.pdf") } else { fixture("lo_writer.pdf") };
                Response::cached("application/pdf", pdf, if_none_match)
            }
            "/gyosei/jisshi.pdf" if !revised => {
                Response::cached("application/pdf", fixture("toc_leaders.pdf"), if_none_match)
            }
            "/old-plan" => Response::new(301, html, "").header("Location", "/gyosei/plan2020.pdf"),
            // Down during the second crawl: the plan must stay in the manifest as it was.
            "/gyosei/plan2020.pdf" if revised => Response::new(503, html, "maintenance"),
            "/gyosei/plan2020.pdf" => Response::cached(
                "application/pdf",
                fixture("two_columns_reversed.pdf"),
                if_none_match,
            ),
            "/gyosei/keikaku.docx" => Response::cached(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                b"PK\x03\x04 not really a docx".to_vec(),
                if_none_match,
            ),
            "/gyosei/broken.html" => Response::new(500, html, "<html><body>error</body></html>"),
            "/gyosei/busy.pdf" => {
                if self.count("/gyosei/busy.pdf") % 2 == 1 {
                    Response::new(429, html, "slow down").header("Retry-After", "1")
                } else {
                    Response::cached("application/pdf", fixture("euc_h.pdf"), if_none_match)
                }
            }
            "/gyosei/slow.pdf" => {
                let mut response = Response::new(200, "application/pdf", fixture("rksj_h.pdf"));
                response.delay = Duration::from_millis(1500);
                response
            }
            "/gyosei/huge.pdf" => {
                let mut body = fixture("table.pdf");
                body.resize(2_000_000, b' ');
                Response::new(200, "application/pdf", body)
            }
            "/gyosei/loop-a.html" => Response::new(
                200,
                html,
                "<html><head><title>経過</title></head><body><main><h1>行政改革の経過</h1>\
                 <p><a href=\"loop-b.html\">行政改革の経過（続き）</a></p></main></body></html>",
            ),
            "/gyosei/loop-b.html" => Response::new(
                200,
                html,
                "<html><head><title>経過2</title></head><body><main><h1>続き</h1>\
                 <p><a href=\"loop-a.html\">行政改革の経過に戻る</a> <a href=\"index.html\">行政改革</a></p>\
                 </main></body></html>",
            ),
            "/gyosei/plan-page.html" => {
                let paragraph = "本市は、持続可能な行政経営を実現するため、職員の働き方改革と公共施設の再編を進めます。";
                let body: String = (0..40).map(|_| format!("<p>{paragraph}</p>")).collect();
                let page = format!(
                    "<html><head><title>府中市行政経営方針</title></head><body><main><h1>府中市行政経営方針</h1>{body}</main></body></html>"
                );
                Response::cached(html, page.into_bytes(), if_none_match)
            }
            _ => Response::new(404, html, "<html><body>not found</body></html>"),
        }
    }

    fn serve(self: &Arc<Self>, mut stream: TcpStream) {
        let now_open = self.open.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_open.fetch_max(now_open, Ordering::SeqCst);
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        loop {
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                break;
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let mut headers = BTreeMap::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
                }
            }
            let at = Instant::now();
            let inm = headers.get("if-none-match").cloned();
            // Count this request before answering, so `respond` sees it.
            self.requests.lock().unwrap().push(Seen {
                path: path.clone(),
                at,
                user_agent: headers.get("user-agent").cloned().unwrap_or_default(),
                if_none_match: inm.clone(),
                status: 0,
            });
            let response = self.respond(&path, inm.as_deref());
            if let Some(seen) = self.requests.lock().unwrap().iter_mut().rev().find(|r| r.at == at)
            {
                seen.status = response.status;
            }
            if !response.delay.is_zero() && !wait_unless_closed(&stream, response.delay) {
                break;
            }
            let mut head = format!(
                "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: keep-alive\r\n",
                response.status,
                response.body.len()
            );
            for (name, value) in &response.headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            if stream.write_all(head.as_bytes()).is_err()
                || stream.write_all(&response.body).is_err()
            {
                break;
            }
        }
        let _ = reader.read(&mut [0; 1]);
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Sleeps `delay` (a slow server), returning early with `false` when the client hangs up,
/// so a connection the client abandoned is not counted as open any longer.
fn wait_unless_closed(stream: &TcpStream, delay: Duration) -> bool {
    let until = Instant::now() + delay;
    stream.set_nonblocking(true).unwrap();
    let open = loop {
        match stream.peek(&mut [0; 1]) {
            Ok(0) => break false,
            Err(err) if err.kind() != std::io::ErrorKind::WouldBlock => break false,
            _ => {}
        }
        if Instant::now() >= until {
            break true;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    stream.set_nonblocking(false).unwrap();
    open
}

fn start(kind: SiteKind) -> Arc<Site> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let site = Arc::new(Site {
        port: listener.local_addr().unwrap().port(),
        revised: AtomicBool::new(false),
        requests: Mutex::new(Vec::new()),
        open: AtomicUsize::new(0),
        max_open: AtomicUsize::new(0),
        kind,
    });
    let server = Arc::clone(&site);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let site = Arc::clone(&server);
            std::thread::spawn(move || site.serve(stream));
        }
    });
    site
}

fn gyokaku(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gyokaku"));
    command.current_dir(dir).env("NO_COLOR", "1").env_remove("RUST_LOG");
    for proxy in
        ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
    {
        command.env_remove(proxy);
    }
    command
}

const FETCH_FLAGS: [&str; 12] = [
    "--delay",
    "0.2",
    "--timeout",
    "0.5",
    "--retries",
    "1",
    "--backoff",
    "0.1",
    "--max-file-mb",
    "1",
    "--contact",
    "mailto:lab@example.org",
];

fn fetch(dir: &Path, extra: &[&str]) -> Output {
    gyokaku(dir)
        .args(["fetch", "seeds.csv", "--mirror", "mirror"])
        .args(FETCH_FLAGS)
        .args(extra)
        .output()
        .unwrap()
}

fn write_seeds(dir: &Path, fuchu: &Site, memuro: &Site) {
    fs_err::write(
        dir.join("seeds.csv"),
        format!(
            "municipality,prefecture,url\n府中市,広島県,http://127.0.0.1:{}/\n芽室町,,http://127.0.0.1:{}/\n",
            fuchu.port, memuro.port
        ),
    )
    .unwrap();
}

fn manifest(dir: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(dir.join("mirror/manifest.csv")).unwrap();
    reader.deserialize().map(Result::unwrap).collect()
}

fn log(dir: &Path) -> Vec<Value> {
    fs_err::read_to_string(dir.join("mirror/fetch-log.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Every gap between two consecutive requests to one host, from the `from`th request on
/// (one run of the crawler), is at least the delay: `--delay` until robots.txt is read,
/// `delay` (its Crawl-delay, when longer) after.
fn assert_paced(site: &Site, from: usize, delay: f64) {
    let requests = site.requests.lock().unwrap();
    for pair in requests[from..].windows(2) {
        let gap = pair[1].at - pair[0].at;
        let delay = if pair[1].path.ends_with("robots.txt") { DELAY } else { delay };
        assert!(
            gap + SLACK >= Duration::from_secs_f64(delay),
            "{} → {} only {gap:?} apart",
            pair[0].path,
            pair[1].path
        );
    }
}

fn counts(site: &Site) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in site.requests.lock().unwrap().iter() {
        *counts.entry(request.path.clone()).or_insert(0) += 1;
    }
    counts
}

fn expected(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(p, n)| ((*p).to_owned(), *n)).collect()
}

#[test]
fn crawls_politely_then_records_revision_and_removal() {
    let fuchu = start(SiteKind::Fuchu);
    let memuro = start(SiteKind::Memuro);
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    write_seeds(dir, &fuchu, &memuro);

    let output = fetch(dir, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "some URLs fail on purpose: {stderr}");

    // Exactly these requests, each once unless retried: robots.txt first; nothing under
    // /private/, no image, no off-site or off-topic link; the loop fetched once per page.
    assert_eq!(
        counts(&fuchu),
        expected(&[
            ("/robots.txt", 1),
            ("/cms/robots.txt", 1),
            ("/", 1),
            ("/gyosei/index.html", 1),
            ("/gyosei/taikou.pdf", 1),
            ("/gyosei/jisshi.pdf", 1),
            ("/old-plan", 1),
            ("/gyosei/plan2020.pdf", 1),
            ("/gyosei/keikaku.docx", 1),
            ("/gyosei/missing.pdf", 1),
            ("/gyosei/broken.html", 2),
            ("/gyosei/busy.pdf", 2),
            ("/gyosei/slow.pdf", 2),
            ("/gyosei/huge.pdf", 1),
            ("/gyosei/loop-a.html", 1),
            ("/gyosei/loop-b.html", 1),
            ("/gyosei/plan-page.html", 1),
        ]),
        "{stderr}"
    );
    assert_eq!(fuchu.requests.lock().unwrap()[0].path, "/robots.txt");
    assert_eq!(
        counts(&memuro),
        expected(&[("/robots.txt", 1), ("/", 1), ("/gyosei/policy.pdf", 1)])
    );
    // Politeness: the delay between any two requests to a host, Retry-After on top, one
    // connection per host, and the two hosts crawled at the same time.
    assert_paced(&fuchu, 0, CRAWL_DELAY);
    assert_paced(&memuro, 0, DELAY);
    {
        let requests = fuchu.requests.lock().unwrap();
        let busy: Vec<&Seen> = requests.iter().filter(|r| r.path == "/gyosei/busy.pdf").collect();
        assert_eq!((busy[0].status, busy[1].status), (429, 200));
        assert!(busy[1].at - busy[0].at >= Duration::from_secs(1) - SLACK, "Retry-After: 1");
        assert!(requests.iter().all(|r| r.user_agent.contains("gyokaku/")
            && r.user_agent.contains("+mailto:lab@example.org")));
        let memuro_first = memuro.requests.lock().unwrap()[0].at;
        assert!(memuro_first < requests.last().unwrap().at, "hosts are crawled in parallel");
    }
    assert_eq!(fuchu.max_open.load(Ordering::SeqCst), 1, "one connection per host");
    assert_eq!(memuro.max_open.load(Ordering::SeqCst), 1, "one connection per host");

    // The log: redirects and link texts recorded, robots refusals logged without a request.
    let events = log(dir);
    let record = |url_end: &str| {
        events
            .iter()
            .rev()
            .find(|e| e["event"] == "fetch" && e["url"].as_str().unwrap().ends_with(url_end))
            .unwrap_or_else(|| panic!("no record for {url_end}"))
            .clone()
    };
    let redirect = record("/old-plan");
    assert!(redirect["final_url"].as_str().unwrap().ends_with("/gyosei/plan2020.pdf"));
    assert_eq!(redirect["redirects"].as_array().unwrap().len(), 1);
    assert_eq!(redirect["link_text"], "改革プラン2020");
    assert_eq!(record("/private/plan.pdf")["outcome"], "robots-disallowed");
    assert!(
        events.iter().all(|e| !e["url"].as_str().is_some_and(|u| u.contains("192.0.2.1"))),
        "a link to another site is not followed"
    );
    assert_eq!(record("/private/secret.html")["outcome"], "robots-disallowed");
    assert_eq!(record("/gyosei/huge.pdf")["outcome"], "failed");
    assert_eq!(record("/gyosei/slow.pdf")["error"], "timed out");
    assert_eq!(record("/gyosei/broken.html")["status"], 500);
    assert_eq!(record("/gyosei/missing.pdf")["status"], 404);
    assert_eq!(record("/gyosei/keikaku.docx")["kind"], "other");
    let taikou = record("/gyosei/taikou.pdf");
    assert_eq!(
        taikou["link_text"], "第3次行政改革大綱（PDF：20KB）",
        "Shift_JIS link text decoded"
    );
    assert!(taikou["referrer"].as_str().unwrap().ends_with("/gyosei/index.html"));
    assert_eq!(taikou["size"], fixture("lo_writer.pdf").len());
    let stored = dir.join("mirror").join(taikou["path"].as_str().unwrap());
    assert_eq!(fs_err::read(stored).unwrap(), fixture("lo_writer.pdf"));

    // The manifest: every plan document, none of the pages on the way or the Word file,
    // with the municipality resolved to its code.
    let rows = manifest(dir);
    let by_url = |end: &str| rows.iter().filter(|r| r["url"].ends_with(end)).collect::<Vec<_>>();
    let mut plans: Vec<String> =
        rows.iter().map(|r| r["url"].rsplit('/').next().unwrap().to_owned()).collect();
    plans.sort();
    assert_eq!(
        plans,
        ["busy.pdf", "jisshi.pdf", "old-plan", "plan-page.html", "policy.pdf", "taikou.pdf"]
    );
    let taikou_row = by_url("/gyosei/taikou.pdf")[0];
    assert_eq!(taikou_row["municipality"], "府中市");
    assert_eq!(taikou_row["prefecture"], "広島県");
    assert_eq!(taikou_row["code"], "342084");
    assert_eq!(taikou_row["title"], "第3次行政改革大綱");
    assert_eq!((taikou_row["version"].as_str(), taikou_row["status"].as_str()), ("1", "current"));
    assert_eq!(by_url("/policy.pdf")[0]["code"], "016373");
    assert!(dir.join("mirror").join(&taikou_row["path"]).is_file());

    // Second crawl: the plan was revised and the implementation plan removed.
    fuchu.revised.store(true, Ordering::SeqCst);
    let before = fuchu.requests.lock().unwrap().len();
    let output = fetch(dir, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("1 vanished"), "{stderr}");
    let second: Vec<Seen> = fuchu.requests.lock().unwrap()[before..].to_vec();
    let revalidated: Vec<&str> =
        second.iter().filter(|r| r.if_none_match.is_some()).map(|r| r.path.as_str()).collect();
    for path in ["/gyosei/taikou.pdf", "/old-plan", "/gyosei/plan-page.html"] {
        assert!(revalidated.contains(&path), "{path} revalidated with its ETag: {revalidated:?}");
    }
    let not_modified = second.iter().filter(|r| r.status == 304).count();
    assert_eq!(not_modified, 3, "keikaku.docx, plan-page and busy.pdf unchanged");
    let down: Vec<u16> =
        second.iter().filter(|r| r.path == "/gyosei/plan2020.pdf").map(|r| r.status).collect();
    assert_eq!(down, [503, 503], "a 503 is retried once (--retries 1)");
    assert!(second.iter().all(|r| r.path != "/gyosei/jisshi.pdf"), "no link to it any more");
    assert_paced(&fuchu, before, CRAWL_DELAY);

    let rows = manifest(dir);
    let taikou_rows = by_url_owned(&rows, "/gyosei/taikou.pdf");
    assert_eq!(taikou_rows.len(), 2, "both versions kept");
    assert_eq!(
        (taikou_rows[0]["version"].as_str(), taikou_rows[0]["status"].as_str()),
        ("1", "superseded")
    );
    assert_eq!(
        (taikou_rows[1]["version"].as_str(), taikou_rows[1]["status"].as_str()),
        ("2", "current")
    );
    assert_ne!(taikou_rows[0]["path"], taikou_rows[1]["path"]);
    let old_plan = by_url_owned(&rows, "/old-plan");
    assert_eq!(old_plan.len(), 1);
    assert_eq!(old_plan[0]["status"], "current", "a server error is not a removal");
    let jisshi = by_url_owned(&rows, "/gyosei/jisshi.pdf");
    assert_eq!(jisshi[0]["status"], "vanished");
    assert_eq!(jisshi[0]["last_seen"], jisshi[0]["fetched"], "last seen in the first crawl");
    assert!(dir.join("mirror").join(&jisshi[0]["path"]).is_file(), "archived, not deleted");
}

fn by_url_owned<'a>(
    rows: &'a [BTreeMap<String, String>],
    end: &str,
) -> Vec<&'a BTreeMap<String, String>> {
    rows.iter().filter(|r| r["url"].ends_with(end)).collect()
}

#[test]
fn dry_run_makes_no_request() {
    let fuchu = start(SiteKind::Fuchu);
    let memuro = start(SiteKind::Memuro);
    let scratch = tempfile::tempdir().unwrap();
    write_seeds(scratch.path(), &fuchu, &memuro);
    let output = fetch(scratch.path(), &["--dry-run"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("seed  http://127.0.0.1:{}/", fuchu.port)), "{stdout}");
    assert!(stdout.contains("0.2 s apart"), "{stdout}");
    assert_eq!(fuchu.requests.lock().unwrap().len() + memuro.requests.lock().unwrap().len(), 0);
    assert!(!scratch.path().join("mirror/fetch-log.jsonl").exists());
}

#[test]
fn a_killed_crawl_resumes_without_refetching() {
    let fuchu = start(SiteKind::Fuchu);
    let memuro = start(SiteKind::Memuro);
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    write_seeds(dir, &fuchu, &memuro);
    let mut child = gyokaku(dir)
        .args(["fetch", "seeds.csv", "--mirror", "mirror"])
        .args(FETCH_FLAGS)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let log_path: PathBuf = dir.join("mirror/fetch-log.jsonl");
    let started = Instant::now();
    while fs_err::read_to_string(&log_path).map_or(0, |t| t.matches("\"event\":\"fetch\"").count())
        < 7
    {
        assert!(started.elapsed() < Duration::from_secs(30), "crawl made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let first_run = counts(&fuchu);
    let logged_first: Vec<String> = log(dir)
        .iter()
        .filter(|e| e["event"] == "fetch")
        .map(|e| e["url"].as_str().unwrap().to_owned())
        .collect();

    let output = fetch(dir, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("(resumed)") && stderr.contains("reused"), "{stderr}");
    // What the first run logged is not requested again; the rest is requested as in a
    // crawl that was never interrupted (the request in flight at the kill may repeat).
    let total = counts(&fuchu);
    let prefix = format!("http://127.0.0.1:{}", fuchu.port);
    for url in &logged_first {
        let Some(path) = url.strip_prefix(&prefix) else { continue };
        if path.ends_with("robots.txt") {
            continue; // read afresh by every run: the rules may have changed
        }
        assert_eq!(total.get(path), first_run.get(path), "{path} requested again after resume");
    }
    assert_eq!(total["/gyosei/taikou.pdf"], 1);
    assert_eq!(total["/gyosei/plan-page.html"], 1);
    let rows = manifest(dir);
    assert_eq!(rows.len(), 6, "the same manifest as an uninterrupted crawl");
    let ends = log(dir).iter().filter(|e| e["event"] == "crawl-start").count();
    assert_eq!(ends, 1, "one crawl, resumed");
}

fn json(output: &Output) -> Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn fetch_then_batch_indexes_codes_and_types() {
    let fuchu = start(SiteKind::Fuchu);
    let memuro = start(SiteKind::Memuro);
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    write_seeds(dir, &fuchu, &memuro);
    fetch(dir, &[]);
    fs_err::write(
        dir.join("batch.toml"),
        "name = \"fetched\"\nmirror = \"mirror\"\nindex = \"index\"\noutput = \"runs\"\njobs = 2\n",
    )
    .unwrap();
    let output = gyokaku(dir).args(["batch", "batch.toml"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let search = |args: &[&str]| {
        json(
            &gyokaku(dir)
                .arg("search")
                .args(args)
                .args(["--index", "index", "--format", "json"])
                .output()
                .unwrap(),
        )
    };
    let all = search(&["行政改革"]);
    let hit = &all["hits"][0];
    assert_eq!(
        (hit["municipality"].as_str(), hit["code"].as_str()),
        (Some("府中市"), Some("342084"))
    );
    assert_eq!(hit["municipality_type"], "市");
    let towns = search(&["行動", "--type", "町"]);
    assert!(towns["total"].as_u64().unwrap() >= 1, "{towns}");
    for hit in towns["hits"].as_array().unwrap() {
        assert_eq!(
            (hit["municipality"].as_str(), hit["code"].as_str()),
            (Some("芽室町"), Some("016373"))
        );
    }
    assert!(towns["facets"]["municipality_type"]["町"].as_u64().unwrap() >= 1, "{towns}");
    let by_code = search(&["行政改革", "--code", "342084"]);
    assert_eq!(by_code["total"], all["total"], "every 行政改革 hit is 府中市's");
    assert_eq!(search(&["行政改革", "--code", "016373"])["total"], 0);
    let refused = gyokaku(dir)
        .args(["search", "x", "--code", "342085", "--index", "index"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("check digit"));

    let compared = json(
        &gyokaku(dir)
            .args(["compare", "市", "町", "--by", "type", "--index", "index", "--format", "json"])
            .output()
            .unwrap(),
    );
    let names: Vec<&str> = compared["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["市", "町"]);

    let matrix = json(
        &gyokaku(dir)
            .args(["themes", "--by", "type", "--index", "index", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(matrix["by"], "type");
    let keys: Vec<&str> =
        matrix["rows"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["市", "町"]);
}

/// The cluster path over a fetched mirror: the Slurm array (2 shards) and merge jobs on a
/// one-node loopback cluster index the same passages as one batch. Skipped where Slurm is
/// not installed (`.ci/run` installs `slurm-wlm`).
#[test]
fn slurm_batch_over_a_fetched_mirror() {
    let has_slurm = Command::new("slurmctld").arg("-V").output().is_ok_and(|o| o.status.success());
    if !has_slurm {
        return;
    }
    let fuchu = start(SiteKind::Fuchu);
    let memuro = start(SiteKind::Memuro);
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    write_seeds(dir, &fuchu, &memuro);
    fetch(dir, &[]);
    let config = |name: &str, index: &str| {
        let path = dir.join(name);
        fs_err::write(
            &path,
            format!("name = \"mirror\"\nmirror = \"mirror\"\nindex = {index:?}\noutput = \"runs\"\njobs = 1\n"),
        )
        .unwrap();
        path
    };
    let sharded = config("sharded.toml", "index");
    let output = Command::new("bash")
        .arg(Path::new(REPO).join("scripts/slurm/run_local.sh"))
        .args([sharded.to_str().unwrap(), "2", "merged"])
        .env("GYOKAKU", env!("CARGO_BIN_EXE_gyokaku"))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let single = config("single.toml", "single");
    let output = gyokaku(dir).args(["batch", single.to_str().unwrap(), "-q"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for word in ["行政改革", "行動", "職員"] {
        let total = |index: &str| {
            json(
                &gyokaku(dir)
                    .args(["search", word, "--index", index, "--format", "json"])
                    .output()
                    .unwrap(),
            )["total"]
                .clone()
        };
        assert_eq!(total("merged"), total("single"), "{word}");
        assert!(total("single").as_u64().unwrap() > 0, "{word}");
    }
}

#[test]
fn seeds_with_a_wrong_check_digit_are_refused_before_any_request() {
    let site = start(SiteKind::Memuro);
    let scratch = tempfile::tempdir().unwrap();
    fs_err::write(
        scratch.path().join("seeds.csv"),
        format!(
            "code,url\n016373,http://127.0.0.1:{0}/\n016374,http://127.0.0.1:{0}/\n",
            site.port
        ),
    )
    .unwrap();
    let output = fetch(scratch.path(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("line 3") && stderr.contains("check digit"), "{stderr}");
    assert_eq!(site.requests.lock().unwrap().len(), 0);
}
