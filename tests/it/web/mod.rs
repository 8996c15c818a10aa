//! The web app (`gyokaku serve`) end to end: the real binary serving a real index on
//! 127.0.0.1, driven over HTTP (`routes`) and in headless Chromium (`browser`).

mod browser;
mod http;
mod routes;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use crate::support::{fixture, repo_root};

/// A plan whose metadata and text try every trick to run script in the reader's browser.
pub const HOSTILE_TEXT: &str = "第1 行政改革の方針\n\
    悪意の計画では行政改革を推進する。<script>window.__pwned=5</script>\n\
    <img src=x onerror=\"window.__pwned=6\"> 市民協働を進める。\n\
    <a href=\"javascript:window.__pwned=7\">詳しくはこちら</a> javascript:window.__pwned=8\n\
    第2 公共施設の見直し\n公共施設の老朽化に対応し、施設の統廃合を計画的に進める。</svg><script>window.__pwned=9</script>\n";

/// The manifest row of the hostile plan: title, municipality, URL and a column are hostile.
const HOSTILE_ROW: &str = "hostile.txt,悪意村<b>,北海道,,\"<script>window.__pwned=1</script><img src=x onerror=\"\"window.__pwned=2\"\">悪意の計画\",2021,javascript:window.__pwned=3,<img src=x onerror=window.__pwned=4>,\n";

/// The name of the hostile municipality as the index holds it.
pub const HOSTILE_CITY: &str = "悪意村<b>";

/// The binary under test.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gyokaku"))
}

/// A scratch folder under cargo's target/tmp, unique to this test process. Folders left by
/// test processes that have ended are removed first, so runs do not pile up.
pub fn scratch(name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let pid = file_name.strip_prefix("web-").and_then(|rest| rest.split('-').next());
        let is_pid = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
        if let Some(pid) = pid.filter(is_pid)
            && !Path::new("/proc").join(pid).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let dir = root.join(format!("web-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Ingests `plans` into `index` with the real binary.
pub fn ingest(plans: &Path, index: &Path) {
    let output = Command::new(binary())
        .args(["ingest", "-q"])
        .arg(plans)
        .arg("--index")
        .arg(index)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "ingest: {}", String::from_utf8_lossy(&output.stderr));
}

/// The shipped corpus plus the hostile plan, ingested once per test process.
pub fn corpus_index() -> &'static Path {
    static INDEX: OnceLock<PathBuf> = OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = scratch("corpus");
        let plans = dir.join("plans");
        std::fs::create_dir_all(&plans).unwrap();
        for entry in std::fs::read_dir(repo_root().join("corpus")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "pdf" || e == "html") {
                std::fs::copy(&path, plans.join(path.file_name().unwrap())).unwrap();
            }
        }
        let manifest = std::fs::read_to_string(repo_root().join("corpus/manifest.csv")).unwrap();
        std::fs::write(
            plans.join("manifest.csv"),
            format!("{}{HOSTILE_ROW}", manifest.trim_end_matches('\n').to_owned() + "\n"),
        )
        .unwrap();
        std::fs::write(plans.join("hostile.txt"), HOSTILE_TEXT).unwrap();
        let index = dir.join("index");
        ingest(&plans, &index);
        index
    })
}

/// `tests/fixtures/copied/plans` (one paragraph in three towns' plans) ingested, with the
/// clusters `gyokaku reuse` saves, once per test process.
pub fn copied_index() -> &'static Path {
    static INDEX: OnceLock<PathBuf> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = scratch("copied").join("index");
        ingest(&fixture("copied/plans"), &index);
        save_reuse(&index);
        index
    })
}

/// Runs `gyokaku reuse` on `index`, which saves its clusters there.
pub fn save_reuse(index: &Path) {
    let output = Command::new(binary())
        .args(["reuse", "-q", "--index"])
        .arg(index)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "reuse: {}", String::from_utf8_lossy(&output.stderr));
}

/// A running `gyokaku serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    pub host: String,
    /// The start-up line (with the URL).
    pub ready: String,
    /// What the server said before it was ready (warnings).
    pub preamble: Vec<String>,
}

impl Server {
    pub fn start(index: &Path) -> Server {
        Server::start_on(index, "127.0.0.1:0")
    }

    pub fn start_on(index: &Path, bind: &str) -> Server {
        let mut child = Command::new(binary())
            .arg("serve")
            .arg("--index")
            .arg(index)
            .args(["--bind", bind])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let mut preamble = Vec::new();
        let (host, ready) = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("serve exited before it was ready: {preamble:?}");
            };
            if let Some(rest) = line.split("http://").nth(1) {
                break (rest.split('/').next().unwrap().to_owned(), line.clone());
            }
            preamble.push(line);
        };
        // Keep draining the server's log so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, host, ready, preamble }
    }

    pub fn get(&self, target: &str) -> http::Reply {
        http::get(&self.host, target)
    }

    pub fn url(&self, target: &str) -> String {
        format!("http://{}{target}", self.host)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the CLI and parses its JSON output.
pub fn cli_json(args: &[&str]) -> serde_json::Value {
    let output = Command::new(binary()).args(args).env("NO_COLOR", "1").output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}
