//! Every route over real HTTP: answers, security headers, the API's identity with the CLI's
//! JSON, bad parameters, path traversal, escaping of a hostile plan, reload on commit.

use super::http::{enc, get};
use super::{
    HOSTILE_CITY, Server, cli_json, copied_index, corpus_index, ingest, save_reuse, scratch,
};
use crate::support::fixture;

/// The id of the first document whose path ends with `suffix`.
fn doc_id(server: &Server, suffix: &str) -> String {
    let documents = server.get("/api/documents").json();
    let (_, entry) = documents
        .as_object()
        .unwrap()
        .iter()
        .find(|(path, _)| path.ends_with(suffix))
        .unwrap_or_else(|| panic!("no document {suffix}"));
    entry["doc_id"].as_str().unwrap().to_owned()
}

fn assert_secure(target: &str, reply: &super::http::Reply) {
    let csp = reply.header("content-security-policy").unwrap_or_else(|| panic!("{target}: no CSP"));
    assert!(csp.contains("default-src 'none'"), "{target}: {csp}");
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{target}");
}

#[test]
fn every_route_answers_with_security_headers() {
    let server = Server::start(corpus_index());
    let memuro = doc_id(&server, "memuro.pdf");
    let q = enc("公共施設");
    let routes = [
        ("/".to_owned(), "text/html"),
        (format!("/?q={q}"), "text/html"),
        (format!("/?q={q}&view=passage&limit=2&page=2"), "text/html"),
        (format!("/plan?doc={memuro}"), "text/html"),
        (format!("/plan?doc={memuro}&page=2"), "text/html"),
        ("/themes".to_owned(), "text/html"),
        ("/themes?by=document&value=score&sort=present".to_owned(), "text/html"),
        (format!("/themes/cell?row={}&theme=public_facilities", enc("芽室町")), "text/html"),
        ("/compare".to_owned(), "text/html"),
        (format!("/compare?name={}&name={}", enc("芽室町"), enc("苫小牧市")), "text/html"),
        ("/kwic".to_owned(), "text/html"),
        (format!("/kwic?q={}&sort=left", enc("協働")), "text/html"),
        (format!("/api/search?q={q}"), "application/json"),
        (format!("/api/plan?doc={memuro}"), "application/json"),
        ("/api/documents".to_owned(), "application/json"),
        ("/api/themes".to_owned(), "application/json"),
        (
            format!("/api/themes/cell?row={}&theme=public_facilities", enc("芽室町")),
            "application/json",
        ),
        (
            format!("/api/compare?name={}&name={}", enc("芽室町"), enc("苫小牧市")),
            "application/json",
        ),
        (format!("/api/kwic?q={}", enc("協働")), "application/json"),
        (format!("/export/search.csv?q={q}"), "text/csv"),
        (format!("/export/search.json?q={q}"), "application/json"),
        (format!("/export/kwic.csv?q={}", enc("協働")), "text/csv"),
        ("/export/themes.csv?value=score".to_owned(), "text/csv"),
        ("/export/themes.json".to_owned(), "application/json"),
        ("/export/themes.xlsx".to_owned(), "application/vnd.openxmlformats"),
        (format!("/file/{memuro}"), "application/pdf"),
        ("/static/app.js".to_owned(), "text/javascript"),
        ("/static/app.css".to_owned(), "text/css"),
    ];
    for (target, content_type) in &routes {
        let reply = server.get(target);
        assert_eq!(reply.status, 200, "{target}: {}", reply.text());
        assert!(
            reply.header("content-type").is_some_and(|t| t.starts_with(content_type)),
            "{target}: {:?}",
            reply.header("content-type")
        );
        assert_secure(target, &reply);
        assert!(!reply.body.is_empty(), "{target}");
    }
    // Nothing in a page is loaded from another host.
    let page = server.get(&format!("/?q={q}")).text();
    assert!(!page.contains("src=\"http") && !page.contains("href=\"//"), "{page}");
}

#[test]
fn api_returns_the_cli_json() {
    let index = corpus_index();
    let index_arg = index.to_str().unwrap();
    let server = Server::start(index);
    let api = server.get(&format!("/api/search?q={}&limit=5", enc("公共施設 老朽化"))).json();
    let cli = cli_json(&[
        "search",
        "公共施設",
        "老朽化",
        "--limit",
        "5",
        "--format",
        "json",
        "--index",
        index_arg,
    ]);
    assert_eq!(api, cli);
    let api = server.get(&format!("/api/search?q={}&city={}", enc("協働"), enc("岡崎市"))).json();
    let cli =
        cli_json(&["search", "協働", "--city", "岡崎市", "--format", "json", "--index", index_arg]);
    assert_eq!(api, cli);
    assert_eq!(
        server.get("/api/themes").json(),
        cli_json(&["themes", "--format", "json", "--index", index_arg])
    );
    assert_eq!(
        server.get("/api/themes?by=document").json(),
        cli_json(&["themes", "--by", "document", "--format", "json", "--index", index_arg])
    );
    assert_eq!(
        server.get(&format!("/api/compare?name={}&name={}", enc("芽室町"), enc("藤枝市"))).json(),
        cli_json(&["compare", "芽室町", "藤枝市", "--format", "json", "--index", index_arg])
    );
    let api = server.get(&format!("/api/kwic?q={}&width=10", enc("協働"))).json();
    assert_eq!(
        api,
        cli_json(&["kwic", "協働", "--width", "10", "--format", "json", "--index", index_arg])
    );
    assert!(api["lines"].as_array().unwrap().len() >= 3, "{api}");
    assert!(api["lines"][0]["match"].as_str().unwrap().contains("協働"));
}

#[test]
fn exports_give_every_hit() {
    let server = Server::start(corpus_index());
    let q = enc("協働");
    let total =
        server.get(&format!("/api/search?q={q}")).json()["total"].as_u64().unwrap() as usize;
    assert!(total > 10, "needs more hits than a page: {total}");
    let csv = server.get(&format!("/export/search.csv?q={q}&limit=2&view=plan"));
    assert!(csv.body.starts_with(b"\xEF\xBB\xBF"), "CSV has a BOM for Excel");
    assert!(csv.header("content-disposition").unwrap().contains("attachment"));
    let mut reader = csv::Reader::from_reader(&csv.body[3..]);
    assert_eq!(reader.records().count(), total);
    let json = server.get(&format!("/export/search.json?q={q}")).json();
    assert_eq!(json["hits"].as_array().unwrap().len(), total);
    let kwic = server.get(&format!("/export/kwic.csv?q={q}"));
    assert!(kwic.body.starts_with(b"\xEF\xBB\xBF"));
    let lines = server.get(&format!("/api/kwic?q={q}")).json()["lines"].as_array().unwrap().len();
    assert_eq!(csv::Reader::from_reader(&kwic.body[3..]).records().count(), lines);
    let themes = server.get("/export/themes.csv");
    assert!(themes.body.starts_with(b"\xEF\xBB\xBF"));
}

#[test]
fn malformed_parameters_are_clear_400s() {
    let server = Server::start(corpus_index());
    let long = enc(&"公共施設".repeat(300));
    let q = enc("協働");
    for target in [
        format!("/?q={q}&limit=0"),
        format!("/?q={q}&limit=-5"),
        format!("/?q={q}&limit=100000000000000000000000000"),
        format!("/?q={q}&page=abc"),
        format!("/?q={q}&page=999999"),
        format!("/?q={q}&year=R1"),
        format!("/?q={q}&year=2019..99999"),
        format!("/?q={q}&view=grid"),
        format!("/?q={q}&source-format=exe"),
        format!("/?q={q}&where=novalue"),
        format!("/?q={q}&bogus=1"),
        format!("/?q={long}"),
        format!("/?q={}", enc("\"協働")),
        format!("/?q={}", enc("協働 OR")),
        format!("/?q={}", enc("-協働")),
        "/?q=%FF%FE%00".to_owned(),
        "/plan".to_owned(),
        "/plan?doc=0123456789abcdef0123456789abcdef&page=x".to_owned(),
        "/themes?by=city".to_owned(),
        "/themes?sort=no_such_theme".to_owned(),
        "/themes?year=abc".to_owned(),
        "/themes/cell?row=x".to_owned(),
        format!("/compare?name={}&name={}", enc("芽室町"), enc("存在しない市")),
        "/kwic?q=%E5%8D%94&width=0".to_owned(),
        "/kwic?q=%E5%8D%94&sort=middle".to_owned(),
        "/api/search".to_owned(),
        format!("/api/search?q={q}&limit=x"),
        "/api/kwic".to_owned(),
        "/export/search.csv".to_owned(),
    ] {
        let reply = server.get(&target);
        assert_eq!(reply.status, 400, "{target}: {}", reply.text());
        assert_secure(&target, &reply);
        let text = reply.text();
        if target.starts_with("/api/") {
            assert!(reply.json()["error"].as_str().is_some_and(|e| !e.is_empty()), "{target}");
        } else {
            assert!(text.contains("id=\"error\""), "{target}: {text}");
        }
    }
    // A page number past the plan's pages names the range.
    let memuro = doc_id(&server, "memuro.pdf");
    let reply = server.get(&format!("/plan?doc={memuro}&page=9999"));
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("page"), "{}", reply.text());
    // The app is read-only.
    let reply = super::http::request(&server.host, "POST", "/api/search?q=x", Some(b"{}"));
    assert_eq!(reply.status, 405);
    assert_secure("POST /api/search", &reply);
    // The server is still healthy after all of that.
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn no_path_outside_the_ingested_documents_is_served() {
    let dir = scratch("traversal");
    let plans = dir.join("plans");
    std::fs::create_dir_all(&plans).unwrap();
    std::fs::write(plans.join("a.txt"), "第1 方針\n行政改革を進める。\n").unwrap();
    std::fs::write(plans.join("b.txt"), "第1 方針\n市民協働を進める。\n").unwrap();
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "秘密の文書\n").unwrap();
    let index = dir.join("index");
    ingest(&plans, &index);
    let server = Server::start(&index);
    let a = doc_id(&server, "a.txt");
    let b = doc_id(&server, "b.txt");
    let served = server.get(&format!("/file/{a}"));
    assert_eq!(served.status, 200);
    assert_eq!(served.text(), "第1 方針\n行政改革を進める。\n");
    // Text originals are shown as text, in a sandbox.
    assert!(served.header("content-security-policy").unwrap().contains("sandbox"));
    for target in [
        "/file/../secret.txt".to_owned(),
        "/file/..%2fsecret.txt".to_owned(),
        "/file/..%2F..%2F..%2Fetc%2Fpasswd".to_owned(),
        "/file/%2e%2e%2f%2e%2e%2fetc%2fpasswd".to_owned(),
        "/file/%252e%252e%252fsecret.txt".to_owned(),
        "/file/....//....//etc/passwd".to_owned(),
        "/static/../Cargo.toml".to_owned(),
        "/static/..%2f..%2fCargo.toml".to_owned(),
        "/static/%2e%2e/%2e%2e/Cargo.toml".to_owned(),
        format!("/file/{}", secret.display()),
        format!("/file/{}", enc(&secret.display().to_string())),
        "/file/etc%2Fpasswd".to_owned(),
        format!("/file/{a}%2F..%2F..%2Fsecret.txt"),
        format!("/file/{a}/../../secret.txt"),
        "/file/00000000000000000000000000000000".to_owned(),
        "/plan?doc=../../etc/passwd".to_owned(),
    ] {
        let reply = server.get(&target);
        assert!(reply.status == 404 || reply.status == 400, "{target}: {}", reply.status);
        assert!(!reply.text().contains("秘密") && !reply.text().contains("root:"), "{target}");
        assert!(!reply.text().contains("[package]"), "{target}");
    }
    // An ingested file replaced by a symlink (to anything, even the same content) is not served.
    let b_path = plans.join("b.txt");
    std::fs::remove_file(&b_path).unwrap();
    std::os::unix::fs::symlink(&secret, &b_path).unwrap();
    let reply = server.get(&format!("/file/{b}"));
    assert_eq!(reply.status, 404, "{}", reply.text());
    assert!(!reply.text().contains("秘密"));
    let copy = dir.join("copy-of-a.txt");
    std::fs::copy(plans.join("a.txt"), &copy).unwrap();
    std::fs::remove_file(plans.join("a.txt")).unwrap();
    std::os::unix::fs::symlink(&copy, plans.join("a.txt")).unwrap();
    assert_eq!(server.get(&format!("/file/{a}")).status, 404);
    // A file changed since ingest is not served either.
    std::fs::remove_file(plans.join("a.txt")).unwrap();
    std::fs::write(plans.join("a.txt"), "別の内容\n").unwrap();
    let reply = server.get(&format!("/file/{a}"));
    assert_eq!(reply.status, 404);
    assert!(!reply.text().contains("別の内容"));
}

/// Markup of the hostile plan that must never reach a page unescaped.
const HOSTILE_MARKUP: [&str; 6] = [
    "<script>window",
    "<img src=x",
    "onerror=\"window",
    "href=\"javascript:",
    "<b>",
    "</svg><script>",
];

#[test]
fn a_hostile_plan_is_escaped_everywhere() {
    let server = Server::start(corpus_index());
    let hostile = doc_id(&server, "hostile.txt");
    let city = enc(HOSTILE_CITY);
    let pages = [
        format!("/?q={}", enc("行政改革")),
        format!("/?q={}&view=passage", enc("script")),
        format!("/?q={}&city={city}", enc("公共施設")),
        format!("/plan?doc={hostile}&page=1"),
        "/themes".to_owned(),
        "/themes?by=document".to_owned(),
        format!("/themes/cell?row={city}&theme=public_facilities"),
        format!("/compare?name={city}&name={}", enc("芽室町")),
        format!("/kwic?q={}", enc("script")),
        format!("/?q={}&city={}", enc("行政改革"), enc("<script>alert(1)</script>")),
        format!("/?q={}", enc("<script>alert(1)</script>")),
        format!("/bogus{}", enc("<script>alert(1)</script>")),
    ];
    for target in &pages {
        let reply = server.get(target);
        assert!(reply.status < 500, "{target}: {}", reply.status);
        let text = reply.text();
        for markup in HOSTILE_MARKUP {
            assert!(!text.contains(markup), "{target} contains `{markup}`");
        }
        assert!(!text.contains("<script>alert"), "{target}");
    }
    let plan = server.get(&format!("/plan?doc={hostile}")).text();
    assert!(plan.contains("&lt;script&gt;window.__pwned=5&lt;/script&gt;"), "{plan}");
    assert!(plan.contains("悪意村&lt;b&gt;"));
    // The manifest's javascript: URL is shown as text, not as a link.
    assert!(plan.contains("<span class=\"unsafe-url\">javascript:window.__pwned=3</span>"));
    let search = server.get(&format!("/?q={}&city={city}", enc("公共施設"))).text();
    assert!(search.contains("悪意村&lt;b&gt;"), "{search}");
}

#[test]
fn plan_page_reads_the_whole_plan_at_a_page() {
    let server = Server::start(corpus_index());
    let memuro = doc_id(&server, "memuro.pdf");
    let plan = server.get(&format!("/api/plan?doc={memuro}")).json();
    let passages = plan["passages"].as_array().unwrap();
    assert_eq!(plan["meta"]["municipality"], "芽室町");
    let ordinals: Vec<u64> = passages.iter().map(|p| p["ordinal"].as_u64().unwrap()).collect();
    assert!(ordinals.windows(2).all(|w| w[0] < w[1]), "reading order");
    let page = server.get(&format!("/plan?doc={memuro}&page=3")).text();
    assert!(page.contains("<section id=\"page-3\" class=\"current\">"), "{page}");
    assert!(page.contains(&format!("href=\"/file/{memuro}#page=3\"")));
    assert!(page.contains("id=\"outline\""));
    assert_eq!(page.matches("class=\"passage\"").count(), passages.len());
    assert!(page.contains("class=\"badge\""), "theme badges");
    let missing = server.get("/plan?doc=0123456789abcdef0123456789abcdef");
    assert_eq!(missing.status, 404);
}

#[test]
fn search_pages_group_paginate_and_keep_state_in_the_url() {
    let server = Server::start(corpus_index());
    let q = enc("協働");
    let grouped = server.get(&format!("/?q={q}")).text();
    assert!(grouped.contains("class=\"plan-group\""));
    assert!(grouped.contains("data-facet=\"city\""));
    // Facet links narrow and carry the query.
    assert!(grouped.contains(&format!("href=\"/?q={q}&amp;city=")), "{grouped}");
    let page1 = server.get(&format!("/?q={q}&view=passage&limit=3")).text();
    let page2 = server.get(&format!("/?q={q}&view=passage&limit=3&page=2")).text();
    assert_eq!(page1.matches("class=\"hit\"").count(), 3);
    assert!(page2.contains("<span class=\"rank\">4</span>"));
    assert!(page1.contains("rel=\"next\""));
    let narrowed = server.get(&format!("/?q={q}&view=passage&city={}", enc("岡崎市"))).text();
    assert!(narrowed.matches("<strong>岡崎市</strong>").count() >= 1);
    assert!(!narrowed.contains("<strong>藤枝市</strong>"));
    // Partial matches are said to be partial.
    let partial = server.get(&format!("/?q={}", enc("協働 宇宙開発"))).text();
    assert!(partial.contains("部分的に一致"), "{partial}");
}

#[test]
fn heatmap_cells_link_to_their_evidence() {
    let server = Server::start(corpus_index());
    let page = server.get("/themes?value=score").text();
    assert!(page.contains("<svg id=\"heatmap\""));
    let cells = page.matches("class=\"cell\"").count();
    let themes = server.get("/api/themes").json();
    let n = themes["rows"].as_array().unwrap().len() * themes["themes"].as_array().unwrap().len();
    assert_eq!(cells, n, "one link per cell");
    let cell =
        server.get(&format!("/themes/cell?row={}&theme=public_facilities", enc("苫小牧市"))).text();
    assert!(cell.contains("id=\"evidence\""));
    assert!(cell.contains("class=\"evidence-item\""), "{cell}");
    assert!(cell.contains("href=\"/plan?doc="));
    let filtered = server.get(&format!("/themes?prefecture={}", enc("北海道"))).text();
    assert!(filtered.contains("data-row=\"芽室町\"") && !filtered.contains("data-row=\"藤枝市\""));
    let typed = server.get(&format!("/themes?by=document&type={}", enc("実行計画"))).text();
    assert!(typed.contains("fujieda.html") && !typed.contains("memuro.pdf\""), "{typed}");
}

#[test]
fn binding_beyond_loopback_warns() {
    let server = super::Server::start_on(corpus_index(), "0.0.0.0:0");
    assert!(
        server.preamble.iter().any(|l| l.contains("warning") && l.contains("loopback")),
        "{:?}",
        server.preamble
    );
    let loopback = Server::start(corpus_index());
    assert!(loopback.preamble.is_empty(), "{:?}", loopback.preamble);
}

#[test]
fn a_new_commit_is_served_without_a_restart() {
    let dir = scratch("reload");
    let plans = dir.join("plans");
    std::fs::create_dir_all(&plans).unwrap();
    std::fs::write(plans.join("a.txt"), "第1 方針\n行政改革を進める。\n").unwrap();
    let index = dir.join("index");
    ingest(&plans, &index);
    let server = Server::start(&index);
    let search = format!("/api/search?q={}", enc("電子自治体"));
    assert_eq!(server.get(&search).json()["total"], 0);
    let themes_before =
        server.get("/api/themes?by=document").json()["rows"].as_array().unwrap().len();
    std::fs::write(plans.join("b.txt"), "第1 方針\n電子自治体を推進する。\n").unwrap();
    ingest(&plans, &index);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.get(&search).json()["total"] == 0 {
        assert!(std::time::Instant::now() < deadline, "the new commit was never served");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(server.get("/api/documents").json().as_object().unwrap().len(), 2);
    let themes_after =
        server.get("/api/themes?by=document").json()["rows"].as_array().unwrap().len();
    assert_eq!(themes_after, themes_before + 1, "the theme cache follows the commit");
}

#[test]
fn concurrent_requests_share_one_server() {
    let server = Server::start(corpus_index());
    let host = server.host.clone();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let host = host.clone();
            std::thread::spawn(move || {
                let queries = ["協働", "公共施設", "行政評価", "職員"];
                for j in 0..5 {
                    let q = enc(queries[(i + j) % queries.len()]);
                    assert_eq!(get(&host, &format!("/?q={q}")).status, 200);
                    assert_eq!(get(&host, "/themes").status, 200);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn a_loopback_server_answers_only_to_its_own_host_names() {
    let server = Server::start(corpus_index());
    let port = server.host.rsplit(':').next().unwrap().to_owned();
    for host in [format!("localhost:{port}"), server.host.clone()] {
        let reply = super::http::request_with_host(&server.host, &host, "/api/documents");
        assert_eq!(reply.status, 200, "{host}");
    }
    // DNS rebinding: a page of another site that resolves its name to 127.0.0.1.
    for host in [format!("evil.example:{port}"), "evil.example".to_owned(), String::new()] {
        let reply = super::http::request_with_host(&server.host, &host, "/api/documents");
        assert_eq!(reply.status, 400, "{host:?}: {}", reply.text());
        assert!(!reply.text().contains("doc_id"));
    }
}

#[test]
fn large_pages_are_gzipped_for_clients_that_accept_it() {
    use std::io::Read;
    let server = Server::start(corpus_index());
    let plain = server.get("/themes");
    assert_eq!(plain.header("content-encoding"), None);
    let reply =
        super::http::request_with_headers(&server.host, "/themes", "Accept-Encoding: gzip, br\r\n");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-encoding"), Some("gzip"));
    assert!(
        reply.body.len() * 3 < plain.body.len(),
        "{} vs {}",
        reply.body.len(),
        plain.body.len()
    );
    let mut html = Vec::new();
    flate2::read::GzDecoder::new(&reply.body[..]).read_to_end(&mut html).unwrap();
    assert_eq!(html, plain.body);
    assert!(reply.header("content-security-policy").is_some());
}

#[test]
fn serving_a_missing_index_says_how_to_build_one() {
    let dir = scratch("missing");
    let output = std::process::Command::new(super::binary())
        .args(["serve", "--bind", "127.0.0.1:0", "--index"])
        .arg(dir.join("nothing"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no index at") && stderr.contains("hint: run `gyokaku ingest"),
        "{stderr}"
    );
}

/// The copied paragraph of `tests/fixtures/copied`, as a query.
const COPIED_QUERY: &str = "延床面積";

#[test]
fn i13_a_copied_passage_shows_the_other_plans() {
    let server = Server::start(copied_index());
    assert!(server.ready.contains("1 clusters of copied passages from"), "{}", server.ready);
    let html = server.get(&format!("/?q={}&view=passage", enc(COPIED_QUERY))).text();
    assert_eq!(html.matches("<details class=\"also-in\" data-others=\"2\">").count(), 3, "{html}");
    assert_eq!(html.matches("class=\"also-in-plan\"").count(), 6, "{html}");
    assert!(html.contains("ほかの <span class=\"also-in-count\">2</span> 計画にも同じ段落"));
    // The grouped view shows it too; a passage of a plan's own words does not.
    let grouped = server.get(&format!("/?q={}", enc(COPIED_QUERY))).text();
    assert_eq!(grouped.matches("data-others=\"2\"").count(), 3);
    let own = server.get(&format!("/?q={}&view=passage", enc("乗合タクシー"))).text();
    assert!(own.contains("class=\"hit\"") && !own.contains("also-in"), "{own}");

    // The API: the cluster as `reuse --format json` prints it.
    let hits = server.get(&format!("/api/search?q={}", enc(COPIED_QUERY))).json();
    let hit = &hits["hits"][0];
    let path = hit["path"].as_str().unwrap();
    let suffix = path.rsplit('/').next().unwrap();
    let doc = doc_id(&server, suffix);
    let ordinal = hit["ordinal"].as_u64().unwrap();
    let reply = server.get(&format!("/api/reuse?doc={doc}&ordinal={ordinal}"));
    assert_eq!(reply.status, 200);
    let reuse = reply.json();
    assert_eq!(reuse["other_plans"], 2, "{reuse:#}");
    assert_eq!(reuse["cluster"]["documents"], 3);
    assert_eq!(reuse["cluster"]["members"].as_array().unwrap().len(), 3);
    let saved =
        cli_json(&["reuse", "--index", copied_index().to_str().unwrap(), "--format", "json"]);
    assert_eq!(reuse["cluster"]["members"], saved["clusters"][0]["members"], "one definition");
    let none = server.get(&format!("/api/reuse?doc={doc}&ordinal=0")).json();
    assert_eq!(none["other_plans"], 0);
    assert!(none["cluster"].is_null());
    assert_eq!(server.get(&format!("/api/reuse?doc={doc}")).status, 400);
    assert_eq!(server.get("/api/reuse?doc=nope&ordinal=1").status, 404);
}

#[test]
fn i13_clusters_saved_while_serving_are_picked_up() {
    let dir = scratch("reuse-reload");
    let index = dir.join("index");
    ingest(&fixture("copied/plans"), &index);
    let server = Server::start(&index);
    assert!(server.ready.contains("copied passages not shown"), "{}", server.ready);
    let search = format!("/?q={}&view=passage", enc(COPIED_QUERY));
    assert!(!server.get(&search).text().contains("also-in"));
    assert_eq!(server.get("/api/reuse?doc=x&ordinal=1").status, 404);
    save_reuse(&index);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server.get(&search).text().contains("data-others=\"2\"") {
        assert!(std::time::Instant::now() < deadline, "the saved clusters were never read");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // A new commit makes the saved clusters stale: they are not shown for it.
    std::fs::write(dir.join("extra.txt"), "第1 方針\n電子自治体を推進する。\n").unwrap();
    ingest(&dir.join("extra.txt"), &index);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.get(&search).text().contains("also-in") {
        assert!(std::time::Instant::now() < deadline, "stale clusters are still shown");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
