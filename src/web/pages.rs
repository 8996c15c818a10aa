//! The HTML pages: search, plan, themes (heatmap and cell evidence), compare, KWIC.
//!
//! Each page is one function from the request's parameters to HTML. They call the same
//! library functions as the CLI (`search::search`, `themes`, `compare::compare`,
//! `kwic::kwic`) and only lay out the result; every text from a document goes through
//! [`escape`] or a helper of [`crate::web::html`] that escapes.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::compare::compare as compare_municipalities;
use crate::index::IndexedDocument;
use crate::kwic::{DEFAULT_WIDTH, KwicSort, MAX_WIDTH, kwic as concordance, sort_lines};
use crate::search::{SearchOutcome, ShownHit, search as run_search};
use crate::themes::{By, Matrix, MatrixRow, Taxonomy, ThemeResult};
use crate::web::html::{escape, external_link, highlighted, layout, link, url};
use crate::web::params::{FILTER_KEYS, MAX_LIMIT, MAX_WINDOW, Params};
use crate::web::state::Snapshot;
use crate::web::{App, Reply, WebError};

/// The parameter names each route accepts.
pub mod keys {
    pub const SEARCH: &[&str] = &[
        "q",
        "city",
        "prefecture",
        "year",
        "theme",
        "role",
        "source-format",
        "where",
        "limit",
        "page",
        "view",
    ];
    pub const PLAN: &[&str] = &["doc", "page"];
    pub const THEMES: &[&str] = &["by", "value", "prefecture", "year", "type", "sort"];
    pub const CELL: &[&str] = &["by", "row", "theme"];
    pub const COMPARE: &[&str] = &["name"];
    pub const REUSE: &[&str] = &["doc", "ordinal"];
    pub const KWIC: &[&str] = &[
        "q",
        "city",
        "prefecture",
        "year",
        "theme",
        "role",
        "source-format",
        "where",
        "width",
        "sort",
    ];
}

/// Results per page of the search unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 20;

/// Most passages read to group hits by plan. Reading a hit (stored text, snippet) is the main
/// cost of a search page, so the grouped view reads `GROUP_FACTOR` passages per plan it shows
/// and reads more only when they came from too few plans.
const GROUP_FETCH: usize = 2_000;

/// Passages read per plan shown, in the first try of the grouped view.
const GROUP_FACTOR: usize = 4;

/// Passages shown under each plan in the grouped view.
const PASSAGES_PER_PLAN: usize = 3;

/// Facet values shown per facet (the rest are reachable by typing them in a filter).
const FACET_VALUES: usize = 30;

/// Concordance lines shown on the page; the CSV export has all of them.
const KWIC_SHOWN: usize = 1_000;

/// Other plans listed under "also in N other plans" on a hit; the count is always whole and
/// `/api/reuse` lists them all.
const ALSO_IN_SHOWN: usize = 10;

/// The manifest column that says what kind of plan a document is.
const PLAN_TYPE: &str = "plan_type";

/// The manifest column behind each facet of the search, and how the facet is labelled.
const FACETS: [(&str, &str, &str); 4] = [
    ("municipality", "city", "自治体"),
    ("prefecture", "prefecture", "都道府県"),
    ("year", "year", "年度"),
    ("theme", "theme", "テーマ"),
];

/// The search outcome for the parameters, with `limit` passages.
pub fn outcome(
    snapshot: &Snapshot,
    params: &Params,
    limit: usize,
) -> Result<SearchOutcome, WebError> {
    let query = params.query("q")?;
    let filters = params.filters()?;
    Ok(run_search(&snapshot.index, &query, &filters, limit)?)
}

fn theme_label<'a>(taxonomy: &'a Taxonomy, id: &'a str) -> &'a str {
    taxonomy.theme(id).map_or(id, |t| t.label_ja.as_str())
}

/// The URL of the current page with `key` set to `value` (or removed when empty) and the
/// page reset.
fn with_param(path: &str, params: &Params, key: &str, value: &str, add: bool) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .pairs()
        .iter()
        .filter(|(k, v)| k != "page" && (k != key || add && v != value))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if !value.is_empty() {
        pairs.push((key, value));
    }
    url(path, &pairs)
}

fn without_pair(path: &str, params: &Params, key: &str, value: &str) -> String {
    let pairs: Vec<(&str, &str)> = params
        .pairs()
        .iter()
        .filter(|(k, v)| k != "page" && !(k == key && v == value))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    url(path, &pairs)
}

fn plan_href(snapshot: &Snapshot, path: &str, page: u64) -> Option<String> {
    let doc_id = snapshot.doc_id(path)?;
    let page = page.to_string();
    Some(format!("{}#page-{page}", url("/plan", &[("doc", doc_id), ("page", &page)])))
}

fn badges(taxonomy: &Taxonomy, themes: &[String]) -> String {
    themes
        .iter()
        .map(|id| {
            format!(
                "<span class=\"badge\" title=\"{}\">{}</span>",
                escape(id),
                escape(theme_label(taxonomy, id))
            )
        })
        .collect()
}

/// The passage's role as a badge (方針・取組, 目標 …), nothing for an index without roles, and
/// an OCR mark for a passage read from a scanned page.
fn role_badge(hit: &crate::index::SearchHit) -> String {
    let ocr = if hit.ocr {
        "<span class=\"role role-ocr\" title=\"OCRで読み取った頁: 引用前に原本を確認\">OCR</span>"
    } else {
        ""
    };
    let role = match hit.role.as_deref().and_then(crate::themes::Role::parse) {
        Some(role) => format!(
            "<span class=\"role role-{}\" title=\"{}\">{}</span>",
            role.as_str(),
            role.as_str(),
            role.label_ja()
        ),
        None => String::new(),
    };
    format!("{role}{ocr}")
}

/// The search form, filters kept as hidden fields so that a new query keeps them.
fn search_form(params: &Params, action: &str, extra: &str) -> String {
    let mut hidden = String::new();
    for (key, value) in params.pairs() {
        if ["city", "prefecture", "theme", "view", "sort", "width"].contains(&key.as_str()) {
            let _ = write!(
                hidden,
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(key),
                escape(value)
            );
        }
    }
    let format = params.get("source-format").unwrap_or("");
    let role = params.get("role").unwrap_or("");
    let role_options: String = std::iter::once(("", "すべて"))
        .chain(crate::themes::Role::ALL.iter().map(|r| (r.as_str(), r.label_ja())))
        .map(|(value, label)| {
            let selected = if value == role { " selected" } else { "" };
            format!("<option value=\"{value}\"{selected}>{label}</option>")
        })
        .collect();
    let option = |value: &str, label: &str| {
        let selected = if value == format { " selected" } else { "" };
        format!("<option value=\"{value}\"{selected}>{label}</option>")
    };
    format!(
        "<form id=\"search-form\" class=\"search\" action=\"{action}\" method=\"get\">\
         <input type=\"search\" name=\"q\" id=\"q\" value=\"{}\" placeholder=\"公共施設 老朽化 / &quot;市民協働&quot; / 協働 OR 連携 / -除外\" autocomplete=\"off\">\
         <button type=\"submit\" id=\"go\">検索</button>{hidden}{extra}\
         <details class=\"more\"{}><summary>条件</summary>\
         <label>年度 <input name=\"year\" id=\"year\" value=\"{}\" placeholder=\"2015..2020\" size=\"10\"></label>\
         <label>形式 <select name=\"source-format\" id=\"source-format\">{}{}{}{}</select></label>\
         <label>役割 <select name=\"role\" id=\"role\">{role_options}</select></label>\
         <label>列 <input name=\"where\" id=\"where\" value=\"{}\" placeholder=\"plan_type=実行計画\" size=\"18\"></label>\
         </details></form>",
        escape(params.get("q").unwrap_or("")),
        if params.get("year").is_some()
            || params.get("where").is_some()
            || !format.is_empty()
            || !role.is_empty()
        {
            " open"
        } else {
            ""
        },
        escape(params.get("year").unwrap_or("")),
        option("", "すべて"),
        option("pdf", "PDF"),
        option("html", "HTML"),
        option("text", "テキスト"),
        escape(params.get("where").unwrap_or("")),
    )
}

/// The filters in force, each with a link that removes it.
fn active_filters(path: &str, params: &Params, taxonomy: &Taxonomy) -> String {
    let mut chips = String::new();
    for key in FILTER_KEYS {
        for value in params.all(key) {
            let label = if key == "theme" { theme_label(taxonomy, value) } else { value };
            let _ = write!(
                chips,
                "<a class=\"chip\" href=\"{}\" title=\"外す\">{}: {} ×</a>",
                escape(&without_pair(path, params, key, value)),
                escape(key),
                escape(label)
            );
        }
    }
    if chips.is_empty() { chips } else { format!("<div class=\"filters\">{chips}</div>") }
}

/// GET / — the search page.
pub fn search(app: &App, params: &Params) -> Result<Reply, WebError> {
    let limit = params.number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)?;
    let page = params.number("page", 1, 1, MAX_WINDOW / limit)?;
    let view = params.choice("view", &["plan", "passage"])?;
    let query = params.query("q")?;
    let taxonomy = app.taxonomy();
    let mut body = search_form(params, "/", "");
    body.push_str(&active_filters("/", params, taxonomy));
    if query.is_empty() {
        params.filters()?;
        body.push_str(
            "<section class=\"help\"><h2>検索のしかた</h2><ul>\
             <li><code>公共施設 老朽化</code> — すべての語を含む段落</li>\
             <li><code>\"市民協働\"</code> — 完全一致のフレーズ</li>\
             <li><code>協働 OR 連携</code> — どちらか</li>\
             <li><code>職員 -芽室町</code> — 除外</li></ul>\
             <p>結果のURLはそのまま引用・共有できます。</p></section>",
        );
        return Ok(Reply::Html(layout("検索", "/", &body)));
    }
    let snapshot = app.snapshot();
    let outcome = if view == "plan" {
        grouped_outcome(&snapshot, params, page * limit)?
    } else {
        outcome(&snapshot, params, page * limit)?
    };
    body.push_str("<div class=\"results\"><aside class=\"facets\" id=\"facets\">");
    body.push_str(&facets_html(params, &outcome, taxonomy));
    body.push_str("</aside><section class=\"hits\" id=\"hits\">");
    body.push_str(&summary_html(params, &outcome, view));
    if view == "plan" {
        body.push_str(&grouped_html(&snapshot, taxonomy, &outcome, page, limit, params));
    } else {
        let shown: Vec<&ShownHit> = outcome.hits.iter().skip((page - 1) * limit).collect();
        for (rank, hit) in shown.iter().enumerate() {
            body.push_str(&hit_html(&snapshot, taxonomy, hit, (page - 1) * limit + rank + 1));
        }
        let pages = outcome.total.min(MAX_WINDOW).div_ceil(limit);
        body.push_str(&pager(params, page, pages));
    }
    body.push_str("</section></div>");
    Ok(Reply::Html(layout(&format!("{query} — 検索"), "/", &body)))
}

/// A search outcome with the best passages of at least `plans` plans (or of all of them).
fn grouped_outcome(
    snapshot: &Snapshot,
    params: &Params,
    plans: usize,
) -> Result<SearchOutcome, WebError> {
    let mut fetch = (plans * GROUP_FACTOR).min(GROUP_FETCH);
    loop {
        let result = outcome(snapshot, params, fetch)?;
        let distinct: std::collections::HashSet<&str> =
            result.hits.iter().map(|h| h.hit.path.as_str()).collect();
        if distinct.len() >= plans || result.hits.len() >= result.total || fetch >= GROUP_FETCH {
            return Ok(result);
        }
        fetch = (fetch * GROUP_FACTOR).min(GROUP_FETCH);
    }
}

fn summary_html(params: &Params, outcome: &SearchOutcome, view: &str) -> String {
    let mut html = String::new();
    if outcome.total == 0 {
        let _ = write!(
            html,
            "<p class=\"notice\" id=\"no-hits\">「{}」に一致する段落はありません。</p>",
            escape(&outcome.query)
        );
        return html;
    }
    if outcome.partial {
        html.push_str(
            "<p class=\"notice\">すべての語を含む段落はありません。部分的に一致する段落を表示しています。</p>",
        );
    }
    for broadened in &outcome.broadened {
        let _ = write!(
            html,
            "<p class=\"notice\">表示中の段落は「{}」そのものを含まず、主要語「{}」で一致しています。</p>",
            escape(&broadened.whole),
            escape(&broadened.head)
        );
    }
    let other = if view == "plan" { "passage" } else { "plan" };
    let toggle =
        if view == "plan" { "段落ごとに表示" } else { "計画ごとにまとめる" };
    let export: Vec<(&str, &str)> = params
        .pairs()
        .iter()
        .filter(|(k, _)| !["page", "limit", "view"].contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let _ = write!(
        html,
        "<p class=\"summary\"><span id=\"total\">{}</span> 件の段落 · {} · 全件を書き出す: \
         <a id=\"export-csv\" href=\"{}\">CSV</a> <a id=\"export-json\" href=\"{}\">JSON</a></p>",
        outcome.total,
        link(&with_param("/", params, "view", other, false), toggle),
        escape(&url("/export/search.csv", &export)),
        escape(&url("/export/search.json", &export)),
    );
    html
}

fn facets_html(params: &Params, outcome: &SearchOutcome, taxonomy: &Taxonomy) -> String {
    let mut html = String::new();
    for (facet, key, label) in FACETS {
        let Some(counts) = outcome.facets.get(facet) else { continue };
        if counts.is_empty() {
            continue;
        }
        let mut counts: Vec<(&String, &u64)> = counts.iter().collect();
        counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let _ = write!(html, "<h3>{label}</h3><ul class=\"facet\" data-facet=\"{key}\">");
        for (value, count) in counts.into_iter().take(FACET_VALUES) {
            let shown = if facet == "theme" { theme_label(taxonomy, value) } else { value };
            let active = params.all(key).contains(&value.as_str());
            let href = if active {
                without_pair("/", params, key, value)
            } else if key == "year" {
                with_param("/", params, key, value, false)
            } else {
                with_param("/", params, key, value, true)
            };
            let _ = write!(
                html,
                "<li{}><a href=\"{}\" data-value=\"{}\">{}</a> <span class=\"count\">{count}</span></li>",
                if active { " class=\"active\"" } else { "" },
                escape(&href),
                escape(value),
                escape(shown)
            );
        }
        html.push_str("</ul>");
    }
    html
}

/// "Also in N other plans" under a passage that belongs to a saved reuse cluster: the count,
/// a mark when the cluster holds a guideline passage, and links to the other plans at their
/// copy's page (a `<details>`, so it opens without script). Empty for other passages.
fn also_in_html(snapshot: &Snapshot, path: &str, ordinal: u64) -> String {
    let Some(clusters) = &snapshot.reuse else { return String::new() };
    let Ok(ordinal) = u32::try_from(ordinal) else { return String::new() };
    let others = clusters.other_plans(path, ordinal);
    if others.is_empty() {
        return String::new();
    }
    let guideline = clusters.cluster_of(path, ordinal).is_some_and(|c| c.guideline);
    let mut html = format!(
        "<details class=\"also-in\" data-others=\"{n}\"><summary title=\"also in {n} other plans\">\
         ほかの <span class=\"also-in-count\">{n}</span> 計画にも同じ段落{}</summary><ul>",
        if guideline { "（国の指針と一致）" } else { "" },
        n = others.len(),
    );
    for member in others.iter().take(ALSO_IN_SHOWN) {
        let href = plan_href(snapshot, &member.path, u64::from(member.page)).unwrap_or_default();
        let _ = write!(
            html,
            "<li><a class=\"also-in-plan\" href=\"{}\">{} {} p.{}</a></li>",
            escape(&href),
            escape(member.municipality.as_deref().unwrap_or(&member.path)),
            member.year.map(|y| y.to_string()).unwrap_or_default(),
            member.page,
        );
    }
    if others.len() > ALSO_IN_SHOWN {
        let _ = write!(html, "<li>… ほか {} 計画</li>", others.len() - ALSO_IN_SHOWN);
    }
    html.push_str("</ul></details>");
    html
}

fn hit_html(snapshot: &Snapshot, taxonomy: &Taxonomy, shown: &ShownHit, rank: usize) -> String {
    let hit = &shown.hit;
    let plan = plan_href(snapshot, &hit.path, hit.page).unwrap_or_default();
    format!(
        "<article class=\"hit\"><div class=\"cite\"><span class=\"rank\">{rank}</span> \
         <strong>{}</strong> {} <a class=\"plan-link\" href=\"{}\">{} p.{}</a></div>\
         <div class=\"heading\">{}{}</div><p class=\"snippet\">{}</p><div>{}</div>{}</article>",
        escape(hit.municipality.as_deref().unwrap_or("?")),
        hit.year.map(|y| y.to_string()).unwrap_or_default(),
        escape(&plan),
        escape(hit.title.as_deref().unwrap_or(&hit.path)),
        hit.page,
        role_badge(hit),
        escape(&hit.heading),
        highlighted(&shown.snippet, &shown.highlights),
        badges(taxonomy, &hit.themes),
        also_in_html(snapshot, &hit.path, hit.ordinal),
    )
}

fn grouped_html(
    snapshot: &Snapshot,
    taxonomy: &Taxonomy,
    outcome: &SearchOutcome,
    page: usize,
    limit: usize,
    params: &Params,
) -> String {
    // Plans in the order of their best passage.
    let mut order: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&ShownHit>> = BTreeMap::new();
    for hit in &outcome.hits {
        let path = hit.hit.path.as_str();
        let group = groups.entry(path).or_default();
        if group.is_empty() {
            order.push(path);
        }
        group.push(hit);
    }
    let mut html = String::new();
    for path in order.iter().skip((page - 1) * limit).take(limit) {
        let hits = &groups[path];
        let first = &hits[0].hit;
        let plan = plan_href(snapshot, path, first.page).unwrap_or_default();
        let _ = write!(
            html,
            "<article class=\"plan-group\"><h2><a class=\"plan-link\" href=\"{}\">{}</a></h2>\
             <div class=\"cite\">{} {} · 上位 {} 段落</div>",
            escape(&plan),
            escape(first.title.as_deref().unwrap_or(path)),
            escape(first.municipality.as_deref().unwrap_or("?")),
            first.year.map(|y| y.to_string()).unwrap_or_default(),
            hits.len(),
        );
        for shown in hits.iter().take(PASSAGES_PER_PLAN) {
            let hit = &shown.hit;
            let href = plan_href(snapshot, path, hit.page).unwrap_or_default();
            let _ = write!(
                html,
                "<div class=\"passage-hit\"><a href=\"{}\">p.{}</a> {}<span class=\"heading\">{}</span>\
                 <p class=\"snippet\">{}</p>{}{}</div>",
                escape(&href),
                hit.page,
                role_badge(hit),
                escape(&hit.heading),
                highlighted(&shown.snippet, &shown.highlights),
                badges(taxonomy, &hit.themes),
                also_in_html(snapshot, path, hit.ordinal)
            );
        }
        html.push_str("</article>");
    }
    html.push_str(&pager(params, page, order.len().div_ceil(limit)));
    html
}

fn pager(params: &Params, page: usize, pages: usize) -> String {
    if pages <= 1 {
        return String::new();
    }
    let href = |p: usize| {
        let mut pairs: Vec<(&str, &str)> = params
            .pairs()
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let p = p.to_string();
        pairs.push(("page", &p));
        escape(&url("/", &pairs))
    };
    let mut html = String::from("<nav class=\"pager\" id=\"pager\">");
    if page > 1 {
        let _ = write!(html, "<a rel=\"prev\" href=\"{}\">← 前へ</a>", href(page - 1));
    }
    let _ = write!(html, " {page} / {pages} ");
    if page < pages {
        let _ = write!(html, "<a rel=\"next\" href=\"{}\">次へ →</a>", href(page + 1));
    }
    html.push_str("</nav>");
    html
}

/// The extraction warnings of a document, from the extraction cache (empty when the cache
/// was deleted: it is rebuildable, and the plan is still readable).
pub fn warnings(index_dir: &std::path::Path, doc_id: &str) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Cached {
        #[serde(default)]
        warnings: Vec<String>,
    }
    let dir = index_dir.join("extracted");
    let Ok(entries) = fs_err::read_dir(&dir) else { return Vec::new() };
    let prefix = format!("{doc_id}-v");
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix))
                && p.extension().is_some_and(|e| e == "json")
        })
        .collect();
    files.sort();
    files
        .last()
        .and_then(|path| fs_err::read(path).ok())
        .and_then(|bytes| serde_json::from_slice::<Cached>(&bytes).ok())
        .map(|c| c.warnings)
        .unwrap_or_default()
}

/// The document of `doc`, and the page asked for (validated against its pages).
pub fn plan_document(
    app: &App,
    params: &Params,
) -> Result<(IndexedDocument, Option<u32>), WebError> {
    // The page's form is checked before the document is looked up: `page=x` is a bad request
    // whichever document it names.
    params.number("page", 1, 1, u32::MAX as usize)?;
    let Some(doc_id) = params.get("doc") else {
        return Err(WebError::BadRequest("`doc` (a document id) is required".to_owned()));
    };
    let snapshot = app.snapshot();
    let document = snapshot
        .document(doc_id)?
        .ok_or_else(|| WebError::NotFound(format!("no document `{doc_id}` in the index")))?;
    let n_pages = document.passages.iter().map(|p| p.page).max().unwrap_or(1).max(1);
    let page = match params.get("page") {
        None => None,
        Some(_) => Some(params.number("page", 1, 1, n_pages as usize)? as u32),
    };
    Ok((document, page))
}

/// GET /plan?doc=ID&page=N — a whole plan in reading order.
pub fn plan(app: &App, params: &Params) -> Result<Reply, WebError> {
    let (document, current) = plan_document(app, params)?;
    let taxonomy = app.taxonomy();
    let meta = &document.meta;
    let title = meta.title.clone().unwrap_or_else(|| document.path.clone());
    let original = format!("/file/{}", document.doc_id);
    let page_fragment = |page: u32| match document.format {
        crate::model::Format::Pdf => format!("{original}#page={page}"),
        _ => original.clone(),
    };
    let mut body = format!("<h1 id=\"plan-title\">{}</h1><dl class=\"meta\">", escape(&title));
    let mut row = |label: &str, value: String| {
        let _ = write!(body, "<dt>{label}</dt><dd>{value}</dd>");
    };
    let text = |v: &Option<String>| escape(v.as_deref().unwrap_or("—"));
    row("自治体", text(&meta.municipality));
    row("都道府県", text(&meta.prefecture));
    row("団体コード", text(&meta.code));
    row("年度", meta.year.map(|y| y.to_string()).unwrap_or_else(|| "—".to_owned()));
    row("形式", document.format.as_str().to_owned());
    row("ファイル", escape(&document.path));
    if let Some(source) = &meta.url {
        row("URL", external_link(source));
    }
    for (key, value) in &meta.extra {
        row(&escape(key), escape(value));
    }
    body.push_str("</dl>");
    let warnings = warnings(app.index_dir(), &document.doc_id);
    if !warnings.is_empty() {
        body.push_str("<ul class=\"warnings\" id=\"warnings\">");
        for warning in &warnings {
            let _ = write!(body, "<li>{}</li>", escape(warning));
        }
        body.push_str("</ul>");
    }
    let _ = write!(
        body,
        "<p><a id=\"original\" href=\"{}\" target=\"_blank\" rel=\"noopener\">原本を開く{}</a> · \
         <a href=\"{}\">JSON</a></p>",
        escape(&page_fragment(current.unwrap_or(1))),
        current.map(|p| format!("（p.{p}）")).unwrap_or_default(),
        escape(&url("/api/plan", &[("doc", &document.doc_id)])),
    );
    // Outline: each heading path where it starts; pages: where each page starts.
    let mut outline = String::new();
    let mut pages = String::new();
    let mut last_heading: Option<&[String]> = None;
    let mut last_page = 0;
    for passage in &document.passages {
        if last_heading != Some(passage.heading_path.as_slice()) && !passage.heading_path.is_empty()
        {
            let depth = passage.heading_path.len().min(4);
            let _ = write!(
                outline,
                "<li class=\"depth-{depth}\"><a href=\"#p-{}\">{}</a></li>",
                passage.ordinal,
                escape(passage.heading_path.last().map_or("", String::as_str))
            );
        }
        last_heading = Some(passage.heading_path.as_slice());
        if passage.page != last_page {
            let _ = write!(pages, "<a href=\"#page-{0}\">{0}</a> ", passage.page);
            last_page = passage.page;
        }
    }
    let _ = write!(
        body,
        "<div class=\"plan\"><aside class=\"outline\"><h3>目次</h3><ul id=\"outline\">{outline}</ul>\
         <h3>ページ</h3><p class=\"pages\">{pages}</p></aside><article class=\"passages\">"
    );
    let mut open_page = 0;
    let mut last_heading: Option<&[String]> = None;
    for (passage, themes) in document.passages.iter().zip(&document.passage_themes) {
        if passage.page != open_page {
            if open_page != 0 {
                body.push_str("</section>");
            }
            let class = if Some(passage.page) == current { " class=\"current\"" } else { "" };
            let _ = write!(
                body,
                "<section id=\"page-{0}\"{class}><h2 class=\"page-number\">p.{0} \
                 <a href=\"{1}\" target=\"_blank\" rel=\"noopener\">原本</a></h2>",
                passage.page,
                escape(&page_fragment(passage.page))
            );
            open_page = passage.page;
        }
        if last_heading != Some(passage.heading_path.as_slice()) {
            let _ = write!(body, "<h3 class=\"heading\">{}</h3>", escape(&passage.heading()));
            last_heading = Some(passage.heading_path.as_slice());
        }
        let _ = write!(
            body,
            "<div class=\"passage\" id=\"p-{}\"><p>{}</p>{}</div>",
            passage.ordinal,
            escape(&passage.text).replace('\n', "<br>"),
            badges(taxonomy, themes)
        );
    }
    if open_page != 0 {
        body.push_str("</section>");
    }
    body.push_str("</article></div>");
    Ok(Reply::Html(layout(&title, "", &body)))
}

/// What a themes page shows: the matrix, filtered and sorted as the parameters say.
pub struct ThemeView {
    pub matrix: std::sync::Arc<Matrix>,
    pub rows: Vec<usize>,
    pub by: By,
    pub value: &'static str,
}

pub fn parse_by(params: &Params) -> Result<By, WebError> {
    Ok(match params.choice("by", &["municipality", "document"])? {
        "document" => By::Document,
        _ => By::Municipality,
    })
}

/// The matrix for `by`, its rows filtered by prefecture, year and plan type and sorted.
pub fn theme_view(app: &App, params: &Params) -> Result<ThemeView, WebError> {
    let by = parse_by(params)?;
    let value = params.choice("value", &["presence", "score", "count"])?;
    let snapshot = app.snapshot();
    let matrix = snapshot.matrix(app.taxonomy(), by)?;
    let years = match params.get("year") {
        None => None,
        Some(text) => Some(
            crate::cli::search::parse_years(text)
                .map_err(|reason| WebError::BadRequest(format!("`year`: {reason}")))?,
        ),
    };
    let plan_type = params.get("type");
    let types = if plan_type.is_some() { plan_types(&snapshot)? } else { BTreeMap::new() };
    let mut rows: Vec<usize> = (0..matrix.rows.len())
        .filter(|&i| {
            let row = &matrix.rows[i];
            params.get("prefecture").is_none_or(|p| row.prefecture.as_deref() == Some(p))
                && years.is_none_or(|(from, to)| {
                    row.year
                        .is_some_and(|y| from.is_none_or(|f| y >= f) && to.is_none_or(|t| y <= t))
                })
                && plan_type.is_none_or(|t| {
                    row.documents.iter().any(|d| types.get(d).map(String::as_str) == Some(t))
                })
        })
        .collect();
    let sort = params.get("sort").unwrap_or("key");
    match sort {
        "key" => {}
        "present" => rows.sort_by_key(|&i| {
            std::cmp::Reverse(matrix.rows[i].cells.iter().filter(|c| c.present).count())
        }),
        theme => {
            let Some(column) = matrix.columns.iter().position(|c| c.id == theme) else {
                return Err(WebError::BadRequest(format!(
                    "`sort` must be key, present or a theme id, not `{theme}`"
                )));
            };
            rows.sort_by(|&a, &b| {
                matrix.rows[b].cells[column].score.total_cmp(&matrix.rows[a].cells[column].score)
            });
        }
    }
    Ok(ThemeView { matrix, rows, by, value })
}

fn plan_types(snapshot: &Snapshot) -> Result<BTreeMap<String, String>, WebError> {
    Ok(snapshot
        .documents()?
        .iter()
        .filter_map(|d| d.meta.extra.get(PLAN_TYPE).map(|t| (d.path.clone(), t.clone())))
        .collect())
}

/// Geometry of the heatmap, in SVG pixels.
const LABEL_W: usize = 240;
const HEADER_H: usize = 200;
const CELL_W: usize = 30;
const CELL_H: usize = 24;

fn cell_value(cell: &ThemeResult, value: &str, max_count: usize) -> (f64, String) {
    match value {
        "score" => (cell.score, format!("{:.0}", cell.score * 100.0)),
        "count" => (
            if max_count == 0 { 0.0 } else { cell.count as f64 / max_count as f64 },
            cell.count.to_string(),
        ),
        _ => (if cell.present { 1.0 } else { 0.0 }, if cell.present { "●" } else { "" }.to_owned()),
    }
}

/// A colour from pale to deep blue for a value in [0, 1].
fn shade(x: f64) -> String {
    let x = x.clamp(0.0, 1.0);
    let channel = |from: f64, to: f64| (from + (to - from) * x).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        channel(246.0, 24.0),
        channel(247.0, 78.0),
        channel(249.0, 150.0)
    )
}

fn row_label(row: &MatrixRow, by: By) -> String {
    let year = row.year.map(|y| format!(" {y}")).unwrap_or_default();
    match by {
        By::Municipality | By::Type => format!("{}{year}", row.key),
        By::Document => format!("{}{year} {}", row.municipality.as_deref().unwrap_or(""), row.key),
    }
}

/// The heatmap: one clickable cell per row × theme, each a link to its evidence.
pub fn heatmap(view: &ThemeView) -> String {
    let matrix = &view.matrix;
    let width = LABEL_W + CELL_W * matrix.columns.len() + 10;
    let height = HEADER_H + CELL_H * view.rows.len().max(1) + 10;
    let max_count = view
        .rows
        .iter()
        .flat_map(|&r| matrix.rows[r].cells.iter().map(|c| c.count))
        .max()
        .unwrap_or(0);
    let mut svg = format!(
        "<svg id=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"テーマの有無\" font-size=\"12\">"
    );
    for (c, column) in matrix.columns.iter().enumerate() {
        let x = LABEL_W + c * CELL_W + CELL_W / 2;
        let _ = write!(
            svg,
            "<text transform=\"translate({x},{}) rotate(-60)\">{}</text>",
            HEADER_H - 6,
            escape(&crate::output::truncate_to_width(&column.label_ja, 26))
        );
    }
    // A matrix of 1,741 municipalities has 33,000 cells: each is kept to a link and a rect
    // (geometry per row in a group, the rest in the stylesheet), its value as text only when
    // it has one.
    for (line, &r) in view.rows.iter().enumerate() {
        let row = &matrix.rows[r];
        let y = HEADER_H + line * CELL_H;
        let _ = write!(
            svg,
            "<g class=\"row\" data-row=\"{}\" transform=\"translate(0,{y})\"><text class=\"label\" x=\"{}\" y=\"{}\">{}</text>",
            escape(&row.key),
            LABEL_W - 6,
            CELL_H - 7,
            escape(&crate::output::truncate_to_width(&row_label(row, view.by), 36))
        );
        for (c, (column, cell)) in matrix.columns.iter().zip(&row.cells).enumerate() {
            let x = LABEL_W + c * CELL_W;
            let (level, label) = cell_value(cell, view.value, max_count);
            let href = url(
                "/themes/cell",
                &[("by", view.by.as_str()), ("row", &row.key), ("theme", &column.id)],
            );
            let _ = write!(
                svg,
                "<a href=\"{}\" class=\"cell\" data-theme=\"{}\"><rect x=\"{x}\" width=\"{CELL_W}\" height=\"{CELL_H}\" fill=\"{}\"/>",
                escape(&href),
                escape(&column.id),
                shade(level),
            );
            if !label.is_empty() {
                let ink = if level > 0.55 { " class=\"dark\"" } else { "" };
                let _ = write!(
                    svg,
                    "<text x=\"{}\" y=\"{}\"{ink}>{}</text>",
                    x + CELL_W / 2,
                    CELL_H - 7,
                    escape(&label)
                );
            }
            svg.push_str("</a>");
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// GET /themes — the heatmap with its filters and downloads.
pub fn themes(app: &App, params: &Params) -> Result<Reply, WebError> {
    let view = theme_view(app, params)?;
    let snapshot = app.snapshot();
    let prefectures: std::collections::BTreeSet<&str> =
        view.matrix.rows.iter().filter_map(|r| r.prefecture.as_deref()).collect();
    let types: std::collections::BTreeSet<String> = plan_types(&snapshot)?.into_values().collect();
    let select = |name: &str, options: &[(String, String)]| {
        let current = params.get(name).unwrap_or("");
        let mut html = format!("<select name=\"{name}\" id=\"{name}\">");
        for (value, label) in options {
            let selected = if value == current { " selected" } else { "" };
            let _ = write!(
                html,
                "<option value=\"{}\"{selected}>{}</option>",
                escape(value),
                escape(label)
            );
        }
        html.push_str("</select>");
        html
    };
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    };
    let mut prefecture_options = vec![(String::new(), "すべて".to_owned())];
    prefecture_options.extend(prefectures.iter().map(|p| ((*p).to_owned(), (*p).to_owned())));
    let mut type_options = vec![(String::new(), "すべて".to_owned())];
    type_options.extend(types.iter().map(|t| (t.clone(), t.clone())));
    let mut sort_options = pairs(&[("key", "名前順"), ("present", "テーマ数順")]);
    sort_options.extend(
        view.matrix.columns.iter().map(|c| (c.id.clone(), format!("{} の強さ順", c.label_ja))),
    );
    let value_param = view.value;
    let downloads: Vec<(&str, &str)> = vec![("by", view.by.as_str()), ("value", value_param)];
    let body = format!(
        "<h1>テーマ × 自治体</h1><form class=\"filters-form\" id=\"themes-form\" action=\"/themes\" method=\"get\">\
         <label>行 {}</label> <label>値 {}</label> <label>都道府県 {}</label> \
         <label>年度 <input name=\"year\" value=\"{}\" placeholder=\"2015..2020\" size=\"10\"></label> \
         <label>種類 {}</label> <label>並び {}</label> <button type=\"submit\">表示</button></form>\
         <p class=\"downloads\">ダウンロード: <a id=\"themes-csv\" href=\"{}\">CSV</a> · <a href=\"{}\">JSON</a> · <a href=\"{}\">Excel</a> · {} 行</p>\
         <p class=\"hint\">セルをクリックすると根拠の段落が表示されます。</p><div class=\"heatmap\">{}</div>",
        select("by", &pairs(&[("municipality", "自治体（最新の計画）"), ("document", "計画ごと")])),
        select("value", &pairs(&[("presence", "有無"), ("score", "スコア"), ("count", "件数")])),
        select("prefecture", &prefecture_options),
        escape(params.get("year").unwrap_or("")),
        select("type", &type_options),
        select("sort", &sort_options),
        escape(&url("/export/themes.csv", &downloads)),
        escape(&url("/export/themes.json", &downloads[..1])),
        escape(&url("/export/themes.xlsx", &downloads)),
        view.rows.len(),
        heatmap(&view),
    );
    Ok(Reply::Html(layout("テーマ", "/themes", &body)))
}

/// The row and column of a cell named by `row` and `theme`.
pub fn find_cell<'a>(
    matrix: &'a Matrix,
    params: &Params,
) -> Result<(&'a MatrixRow, usize), WebError> {
    let (Some(key), Some(theme)) = (params.get("row"), params.get("theme")) else {
        return Err(WebError::BadRequest("`row` and `theme` are required".to_owned()));
    };
    let row = matrix
        .rows
        .iter()
        .find(|r| r.key == key)
        .ok_or_else(|| WebError::NotFound(format!("no row `{key}` in the matrix")))?;
    let column = matrix
        .columns
        .iter()
        .position(|c| c.id == theme)
        .ok_or_else(|| WebError::NotFound(format!("no theme `{theme}`")))?;
    Ok((row, column))
}

/// GET /themes/cell?by=…&row=…&theme=… — the evidence behind one cell.
pub fn theme_cell(app: &App, params: &Params) -> Result<Reply, WebError> {
    let by = parse_by(params)?;
    let snapshot = app.snapshot();
    let matrix = snapshot.matrix(app.taxonomy(), by)?;
    let (row, column) = find_cell(&matrix, params)?;
    let cell = &row.cells[column];
    let theme = &matrix.columns[column];
    let mut body = format!(
        "<p><a href=\"{}\">← ヒートマップ</a></p><h1 id=\"cell-title\">{} × {}</h1>\
         <p class=\"verdict\">{} · スコア {:.2} · {} 件</p><p class=\"docs\">{}</p>",
        escape(&url("/themes", &[("by", by.as_str())])),
        escape(&row.key),
        escape(&theme.label_ja),
        if cell.present {
            "<strong>あり</strong>（計画が取り組むと判定）"
        } else {
            "なし"
        },
        cell.score,
        cell.count,
        escape(&row.documents.join(", ")),
    );
    if !cell.subthemes.is_empty() {
        let _ = write!(body, "<p>サブテーマ: {}</p>", escape(&cell.subthemes.join(", ")));
    }
    if cell.evidence.is_empty() {
        body.push_str(
            "<p class=\"notice\" id=\"no-evidence\">このセルの根拠となる段落はありません。</p>",
        );
    }
    body.push_str("<ol class=\"evidence\" id=\"evidence\">");
    for evidence in &cell.evidence {
        let href =
            plan_href(&snapshot, &evidence.path, u64::from(evidence.page)).unwrap_or_default();
        let _ = write!(
            body,
            "<li class=\"evidence-item\"><div class=\"cite\"><a class=\"plan-link\" href=\"{}\">p.{}</a> \
             <span class=\"heading\">{}</span> <span class=\"context\">{}</span> 重み {:.2} · {}</div>\
             <p>{}</p></li>",
            escape(&href),
            evidence.page,
            escape(&evidence.heading),
            escape(&format!("{:?}", evidence.context).to_lowercase()),
            evidence.weight,
            escape(&evidence.keywords.join("、")),
            escape(&evidence.text).replace('\n', "<br>"),
        );
    }
    body.push_str("</ol>");
    Ok(Reply::Html(layout(&format!("{} × {}", row.key, theme.label_ja), "/themes", &body)))
}

/// GET /compare?name=A&name=B — theme profiles side by side.
pub fn compare(app: &App, params: &Params) -> Result<Reply, WebError> {
    let snapshot = app.snapshot();
    let matrix = snapshot.matrix(app.taxonomy(), By::Municipality)?;
    let chosen = params.all("name");
    let mut body = String::from(
        "<h1>自治体の比較</h1><form id=\"compare-form\" action=\"/compare\" method=\"get\" class=\"choices\">",
    );
    for row in &matrix.rows {
        let checked = if chosen.contains(&row.key.as_str()) { " checked" } else { "" };
        let _ = write!(
            body,
            "<label><input type=\"checkbox\" name=\"name\" value=\"{}\"{checked}> {}</label> ",
            escape(&row.key),
            escape(&row.key)
        );
    }
    body.push_str("<button type=\"submit\" id=\"compare-go\">比較</button></form>");
    if chosen.len() < 2 {
        body.push_str("<p class=\"hint\">2つ以上の自治体を選んでください。</p>");
        return Ok(Reply::Html(layout("比較", "/compare", &body)));
    }
    let report = compare_report(app, params)?;
    body.push_str("<table class=\"profile\" id=\"profile\"><thead><tr><th>テーマ</th>");
    for side in &report.municipalities {
        let _ = write!(
            body,
            "<th>{}{}</th>",
            escape(&side.name),
            side.year.map(|y| format!(" {y}")).unwrap_or_default()
        );
    }
    body.push_str("</tr></thead><tbody>");
    for theme in &report.themes {
        let _ = write!(body, "<tr><td>{}</td>", escape(&theme.label_ja));
        for cell in &theme.cells {
            let _ = write!(
                body,
                "<td class=\"{}\">{}{:.2}</td>",
                if cell.present { "present" } else { "absent" },
                if cell.present { "● " } else { "" },
                cell.score
            );
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table><h2>その自治体だけが取り組むテーマ</h2><ul id=\"unique\">");
    let taxonomy = app.taxonomy();
    for side in &report.municipalities {
        let unique = report.unique.get(&side.name).cloned().unwrap_or_default();
        let labels: Vec<&str> = unique.iter().map(|id| theme_label(taxonomy, id)).collect();
        let _ = write!(
            body,
            "<li><strong>{}</strong>: {}</li>",
            escape(&side.name),
            escape(&if labels.is_empty() { "（なし）".to_owned() } else { labels.join("、") })
        );
    }
    body.push_str("</ul><h2>テーマ構成の類似度（コサイン）</h2><ul id=\"similarity\">");
    for pair in &report.similarity {
        let _ =
            write!(body, "<li>{} – {}: {:.3}</li>", escape(&pair.a), escape(&pair.b), pair.cosine);
    }
    body.push_str("</ul><h2>特徴語（対数尤度比 G²）</h2><ul id=\"keyness\">");
    for side in &report.municipalities {
        let terms = report.keyness.get(&side.name).map_or_else(String::new, |terms| {
            terms.iter().map(|t| format!("{} ({:.1})", t.term, t.g2)).collect::<Vec<_>>().join("、")
        });
        let _ =
            write!(body, "<li><strong>{}</strong>: {}</li>", escape(&side.name), escape(&terms));
    }
    let names: Vec<(&str, &str)> = chosen.iter().map(|n| ("name", *n)).collect();
    let _ =
        write!(body, "</ul><p><a href=\"{}\">JSON</a></p>", escape(&url("/api/compare", &names)));
    Ok(Reply::Html(layout("比較", "/compare", &body)))
}

/// The CLI's compare report for the `name` parameters.
pub fn compare_report(
    app: &App,
    params: &Params,
) -> Result<crate::compare::CompareReport, WebError> {
    let names: Vec<String> = params.all("name").into_iter().map(str::to_owned).collect();
    let snapshot = app.snapshot();
    let documents = snapshot.documents()?;
    let inputs = crate::cli::themes::inputs(&documents);
    compare_municipalities(app.taxonomy(), &inputs, &names, false)
        .map_err(|err| WebError::BadRequest(err.to_string()))
}

/// The concordance for the parameters, sorted as asked.
pub fn kwic_report(app: &App, params: &Params) -> Result<crate::kwic::KwicReport, WebError> {
    let term = params.query("q")?;
    if term.is_empty() {
        return Err(WebError::BadRequest("`q` (the word or phrase) is required".to_owned()));
    }
    let width = params.number("width", DEFAULT_WIDTH, 1, MAX_WIDTH)?;
    let sort = match params.choice("sort", &["relevance", "left", "right"])? {
        "left" => KwicSort::Left,
        "right" => KwicSort::Right,
        _ => KwicSort::Relevance,
    };
    let filters = params.filters()?;
    let snapshot = app.snapshot();
    let mut report = concordance(&snapshot.index, &term, &filters, width)?;
    sort_lines(&mut report.lines, sort);
    Ok(report)
}

/// GET /kwic?q=… — the concordance of a word or phrase.
pub fn kwic(app: &App, params: &Params) -> Result<Reply, WebError> {
    let taxonomy = app.taxonomy();
    let mut body = String::from("<h1>KWIC（コンコーダンス）</h1>");
    body.push_str(&search_form(params, "/kwic", ""));
    body.push_str(&active_filters("/kwic", params, taxonomy));
    if params.query("q")?.is_empty() {
        params.filters()?;
        params.number("width", DEFAULT_WIDTH, 1, MAX_WIDTH)?;
        body.push_str("<p class=\"hint\">語またはフレーズを入力してください。</p>");
        return Ok(Reply::Html(layout("KWIC", "/kwic", &body)));
    }
    let report = kwic_report(app, params)?;
    let snapshot = app.snapshot();
    let export: Vec<(&str, &str)> =
        params.pairs().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let _ = write!(
        body,
        "<p class=\"summary\"><span id=\"kwic-total\">{}</span> 行（{} 段落）{} · <a id=\"kwic-csv\" href=\"{}\">全行をCSVで</a></p>",
        report.lines.len(),
        report.passages,
        if report.truncated {
            " · 一部のみ（条件で絞り込んでください）"
        } else {
            ""
        },
        escape(&url("/export/kwic.csv", &export)),
    );
    let sort_link =
        |sort: &str, label: &str| link(&with_param("/kwic", params, "sort", sort, false), label);
    let _ = write!(
        body,
        "<table class=\"kwic\" id=\"kwic\"><thead><tr><th class=\"left\">{}</th><th>語</th><th>{}</th>\
         <th>自治体</th><th>年度</th><th>頁</th></tr></thead><tbody>",
        sort_link("left", "左文脈 ⇅"),
        sort_link("right", "右文脈 ⇅"),
    );
    for line in report.lines.iter().take(KWIC_SHOWN) {
        let href = plan_href(&snapshot, &line.path, line.page).unwrap_or_default();
        let _ = write!(
            body,
            "<tr><td class=\"left\">{}</td><td class=\"match\"><mark>{}</mark></td><td class=\"right\">{}</td>\
             <td>{}</td><td>{}</td><td><a href=\"{}\">p.{}</a></td></tr>",
            escape(&line.left),
            escape(&line.matched),
            escape(&line.right),
            escape(line.municipality.as_deref().unwrap_or("?")),
            line.year.map(|y| y.to_string()).unwrap_or_default(),
            escape(&href),
            line.page
        );
    }
    body.push_str("</tbody></table>");
    Ok(Reply::Html(layout(&format!("{} — KWIC", report.term), "/kwic", &body)))
}
