//! End-to-end tests in headless Chromium, driven through chromedriver (W3C WebDriver over
//! the small HTTP client of `http`). They type a query, narrow by a facet, open a plan at a
//! page, click a heatmap cell, export CSV, compare, and check that a hostile plan runs no
//! script. Screenshots go to `target/tmp/web-screenshots/`. Where Chromium or chromedriver
//! is not installed the tests say so and skip; `.ci/run` installs both.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::{enc, request};
use super::{HOSTILE_CITY, Server, copied_index, corpus_index};

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long to wait for a page or an element.
const WAIT: Duration = Duration::from_secs(20);

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
    })
}

/// A chromedriver process and one browser session, both ended when dropped.
struct Browser {
    driver: Child,
    host: String,
    session: String,
    /// Chromium's own process: it outlives chromedriver if the session is not closed.
    browser_pid: Option<u32>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and headless Chromium, or says why it cannot.
    fn start() -> Result<Browser, String> {
        let driver_path = find_program(&["chromedriver"]).ok_or("chromedriver is not installed")?;
        let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"])
            .ok_or("chromium is not installed")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start chromedriver: {e}"))?;
        let host = format!("127.0.0.1:{port}");
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut browser =
            Browser { driver, host, session: String::new(), browser_pid: None, _profile: profile };
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(&browser.host).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not start listening".to_owned());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = json!([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1000",
            format!("--user-data-dir={}", browser._profile.path().display()),
        ]);
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium.display().to_string(), "args": args},
        }}});
        let reply = browser.raw("POST", "/session", Some(capabilities));
        let Some(session) = reply["value"]["sessionId"].as_str() else {
            return Err(format!("Chromium cannot run here: {}", reply["value"]["message"]));
        };
        browser.session = session.to_owned();
        browser.browser_pid = reply["value"]["capabilities"]["goog:processID"]
            .as_u64()
            .and_then(|pid| u32::try_from(pid).ok());
        Ok(browser)
    }

    fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string());
        let reply = request(&self.host, method, path, body.as_deref().map(str::as_bytes));
        serde_json::from_slice(&reply.body).unwrap_or(Value::Null)
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let reply = self.raw(method, &path, body);
        if let Some(error) = reply["value"]["error"].as_str() {
            panic!("WebDriver {method} {path}: {error}: {}", reply["value"]["message"]);
        }
        reply["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap_or_default().to_owned()
    }

    /// Waits for an element matching `css` and returns its reference.
    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let path = format!("/session/{}/element", self.session);
            let reply =
                self.raw("POST", &path, Some(json!({"using": "css selector", "value": css})));
            if let Some(id) = reply["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "no element `{css}` on {}: {reply}", self.url());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": text})));
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": args})))
    }

    /// Waits until the URL satisfies `ok`.
    fn wait_url(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.url();
            if ok(&url) {
                return url;
            }
            assert!(Instant::now() < deadline, "never reached {what}: at {url}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether no script of a document ran: no marker set, no dialog open.
    fn nothing_ran(&self) -> bool {
        let marker = self.script("return typeof window.__pwned === 'undefined';", json!([]));
        let path = format!("/session/{}/alert/text", self.session);
        let alert = self.raw("GET", &path, None);
        marker == json!(true) && alert["value"]["error"] == "no such alert"
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let data = self.cmd("GET", "/screenshot", None);
        let bytes = base64_decode(data.as_str().unwrap_or_default());
        let dir = screenshot_dir();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
        say(&format!("screenshot: {}", path.display()));
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.raw("DELETE", &format!("/session/{}", self.session), None);
        }
        if let Some(pid) = self.browser_pid {
            let _ = Command::new("kill").arg(pid.to_string()).stderr(Stdio::null()).status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A line for the test's output: skip reasons and screenshot paths belong next to the result.
#[allow(clippy::print_stdout)] // The harness captures a test's stdout and shows it with the test.
fn say(line: &str) {
    println!("{line}");
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &d)| acc | (u32::from(d) << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

/// Starts a browser, or prints why the test is skipped.
fn browser_or_skip(test: &str) -> Option<Browser> {
    match Browser::start() {
        Ok(browser) => Some(browser),
        Err(reason) => {
            say(&format!("skipped {test}: {reason}"));
            None
        }
    }
}

#[test]
fn base64_decodes() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGk="), b"hi");
}

#[test]
fn browser_search_facet_plan_heatmap_export_compare() {
    let server = Server::start(corpus_index());
    let Some(browser) = browser_or_skip("browser_search_facet_plan_heatmap_export_compare") else {
        return;
    };
    // Type a query.
    browser.goto(&server.url("/"));
    browser.type_into("#q", "公共施設");
    browser.click("#go");
    browser.wait_url("the search", |u| u.contains("q="));
    browser.find("#hits");
    let total: u64 = browser
        .script("return document.getElementById('total').textContent;", json!([]))
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(total >= 2);
    browser.screenshot("1-search");

    // Narrow by a facet: 苫小牧市.
    browser.click("ul.facet[data-facet=city] a[data-value=\"苫小牧市\"]");
    browser.wait_url("the facet", |u| u.contains("city="));
    let cities = browser.script(
        "return Array.from(document.querySelectorAll('.plan-group .cite')).map(e => e.textContent);",
        json!([]),
    );
    let cities = cities.as_array().unwrap();
    assert!(!cities.is_empty());
    assert!(cities.iter().all(|c| c.as_str().unwrap().contains("苫小牧市")), "{cities:?}");
    let narrowed: u64 = browser
        .script("return document.getElementById('total').textContent;", json!([]))
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(narrowed <= total);
    browser.screenshot("2-facet");

    // Open a plan at the page of a hit.
    browser.goto(&server.url(&format!("/?q={}&view=passage", enc("行政評価"))));
    browser.click(".hit a.plan-link");
    let url = browser.wait_url("the plan", |u| u.contains("/plan?"));
    let page = url.split("#page-").nth(1).expect("a page anchor").to_owned();
    browser.find(&format!("section#page-{page}.current"));
    let in_view = browser.script(
        "const r = document.querySelector('section.current').getBoundingClientRect(); return r.top < window.innerHeight && r.bottom > 0;",
        json!([]),
    );
    assert_eq!(in_view, json!(true), "the plan opens at its page");
    browser.screenshot("3-plan-at-page");

    // Click a heatmap cell and see its evidence.
    browser.goto(&server.url("/themes?value=score"));
    browser.find("#heatmap");
    browser.screenshot("4-heatmap");
    browser.click("g[data-row=\"苫小牧市\"] a.cell[data-theme=\"public_facilities\"]");
    browser.wait_url("the cell", |u| u.contains("/themes/cell"));
    browser.find("#evidence li.evidence-item");
    browser.screenshot("5-cell-evidence");
    browser.click("#evidence a.plan-link");
    browser.wait_url("the plan from the evidence", |u| u.contains("/plan?"));
    browser.find("section.current");

    // Export all hits as CSV (what the link downloads).
    browser.goto(&server.url(&format!("/?q={}", enc("協働"))));
    let csv = browser.script(
        "return fetch(document.getElementById('export-csv').href).then(r => r.arrayBuffer())
           .then(b => { const u = new Uint8Array(b); return [u[0], u[1], u[2], new TextDecoder().decode(u).split('\\n').length]; });",
        json!([]),
    );
    assert_eq!(&csv.as_array().unwrap()[..3], &[json!(239), json!(187), json!(191)], "BOM");
    let total: u64 = browser
        .script("return document.getElementById('total').textContent;", json!([]))
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(csv[3].as_u64().unwrap() > total, "every hit is in the CSV: {csv}");

    // A concordance, sorted by the left context, and its CSV.
    browser.goto(&server.url("/kwic"));
    browser.type_into("#q", "協働");
    browser.click("#go");
    browser.find("#kwic td.match");
    browser.click("#kwic th.left a");
    browser.wait_url("the sorted KWIC", |u| u.contains("sort=left"));
    let kwic = browser.script(
        "return fetch(document.getElementById('kwic-csv').href).then(r => r.text()).then(t => t.split('\\n').length);",
        json!([]),
    );
    assert!(kwic.as_u64().unwrap() > 2);
    browser.screenshot("6-kwic");

    // Compare two municipalities.
    browser.goto(&server.url("/compare"));
    browser.click("input[value=\"芽室町\"]");
    browser.click("input[value=\"苫小牧市\"]");
    browser.click("#compare-go");
    browser.find("#profile");
    browser.find("#similarity li");
    browser.screenshot("7-compare");
    assert!(browser.nothing_ran());
}

#[test]
fn browser_runs_no_script_from_a_hostile_plan() {
    let server = Server::start(corpus_index());
    let Some(browser) = browser_or_skip("browser_runs_no_script_from_a_hostile_plan") else {
        return;
    };
    let documents = server.get("/api/documents").json();
    let hostile = documents
        .as_object()
        .unwrap()
        .iter()
        .find(|(p, _)| p.ends_with("hostile.txt"))
        .map(|(_, e)| e["doc_id"].as_str().unwrap().to_owned())
        .unwrap();
    let city = enc(HOSTILE_CITY);
    let pages = [
        format!("/?q={}", enc("悪意の計画")),
        format!("/?q={}&view=passage&city={city}", enc("公共施設")),
        format!("/plan?doc={hostile}&page=1"),
        "/themes?by=document".to_owned(),
        format!("/themes/cell?row={city}&theme=public_facilities"),
        format!("/compare?name={city}&name={}", enc("芽室町")),
        format!("/kwic?q={}", enc("script")),
        format!("/file/{hostile}"),
    ];
    for (i, target) in pages.iter().enumerate() {
        browser.goto(&server.url(target));
        browser.find("body");
        assert!(browser.nothing_ran(), "a script ran on {target}");
        let javascript_links = browser.script(
            "return document.querySelectorAll('a[href^=\"javascript:\" i]').length;",
            json!([]),
        );
        assert_eq!(javascript_links, json!(0), "{target}");
        // Images of a document never load (there are none: the <img> is text).
        let images = browser.script("return document.images.length;", json!([]));
        assert_eq!(images, json!(0), "{target}");
        if i == 2 {
            let text = browser.script("return document.body.innerText;", json!([]));
            assert!(text.as_str().unwrap().contains("<script>window.__pwned=5</script>"), "{text}");
            // Click every link the plan shows (the javascript: URL is text, not a link).
            browser.screenshot("8-hostile-plan");
        }
    }
    // Clicking the hostile plan's title and heading links runs nothing either.
    browser.goto(&server.url(&format!("/?q={}&view=passage", enc("悪意の計画"))));
    browser.click(".hit a.plan-link");
    browser.wait_url("the hostile plan", |u| u.contains("/plan?"));
    assert!(browser.nothing_ran());
    browser.screenshot("9-hostile-search");
    // The check itself sees a script that did run.
    browser.script("window.__pwned = 1;", json!([]));
    assert!(!browser.nothing_ran(), "the marker check works");
}

#[test]
fn i13_browser_shows_also_in_other_plans_and_opens_one() {
    let server = Server::start(copied_index());
    let Some(browser) = browser_or_skip("i13_browser_shows_also_in_other_plans_and_opens_one")
    else {
        return;
    };
    browser.goto(&server.url("/"));
    browser.type_into("#q", "延床面積");
    browser.click("#go");
    browser.wait_url("the search", |u| u.contains("q="));
    browser.find("#hits details.also-in");
    let count = browser.script(
        "return document.querySelector('details.also-in .also-in-count').textContent;",
        json!([]),
    );
    assert_eq!(count, json!("2"), "also in 2 other plans");
    // Closed at first; a click on the summary lists the other plans.
    let open = "return document.querySelector('details.also-in').open;";
    assert_eq!(browser.script(open, json!([])), json!(false));
    browser.click("details.also-in summary");
    assert_eq!(browser.script(open, json!([])), json!(true));
    let listed = browser.script(
        "const d = document.querySelector('details.also-in'); \
         const own = d.closest('.plan-group').querySelector('h2 a.plan-link').getAttribute('href'); \
         return [own.split('&')[0], Array.from(d.querySelectorAll('a.also-in-plan')).map(a => [a.getAttribute('href').split('&')[0], a.getBoundingClientRect().height > 0])];",
        json!([]),
    );
    let own = listed[0].as_str().unwrap().to_owned();
    let others = listed[1].as_array().unwrap();
    assert_eq!(others.len(), 2, "{listed}");
    for other in others {
        assert_ne!(other[0].as_str().unwrap(), own, "another plan, not this one: {listed}");
        assert_eq!(other[1], json!(true), "the link is visible once opened");
    }
    browser.screenshot("10-also-in-other-plans");
    // Follow the first to the other plan, at its page.
    let target = others[0][0].as_str().unwrap().to_owned();
    browser.click("details.also-in a.also-in-plan");
    let url = browser.wait_url("the other plan", |u| u.contains("/plan?"));
    assert!(url.contains(target.trim_start_matches('/')), "{url} vs {target}");
    browser.find("section.current");
    assert!(browser.nothing_ran());
}
