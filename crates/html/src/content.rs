//! Finding the main content of a page, strongest evidence first:
//! 1. the CMS's own skip markers (`ここから本文です` … `本文ここまで`, as text or comments);
//! 2. the elements CMSs and skip links point at (`main`, `[role=main]`, `#tmp_contents`,
//!    `#main`, `#contents`, the target of a 「本文へ」 link, `article`), if they hold a fair
//!    share of the page's text;
//! 3. otherwise text density: after cutting navigation and furniture, descend from
//!    `<body>` while one child holds most of the plain (non-link) text.

use std::collections::HashMap;
use std::sync::LazyLock;

use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node, Selector};

use super::boilerplate;
use super::dom::{self, TextStats};

/// How the main region was found, for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Markers,
    Element,
    Density,
}

#[derive(Debug, Clone)]
pub(crate) struct Region {
    pub root: NodeId,
    pub start: Option<NodeId>,
    pub end: Option<NodeId>,
    pub method: Method,
}

static BODY: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("body").expect("static selector is valid"));

/// Candidate containers of the main text, in order of trust.
static CANDIDATES: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    [
        "[role=main]",
        "main",
        "#tmp_contents",
        "#main",
        "#main_body",
        "#mainContents, #maincontents, #main-contents, #main_contents, #contents_main, #main-content, #main_content, #mainContent",
        "#honbun, #contents-body, #contents_body, .contents-body",
        "#contents",
        "#content",
        "article",
    ]
    .iter()
    .map(|source| Selector::parse(source).expect("static selector is valid"))
    .collect()
});

static SKIP_LINKS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("a[href^='#']").expect("static selector is valid"));

/// A candidate must hold at least this share of the page's plain text.
const MIN_SHARE: f64 = 0.3;
/// Density descent continues into a child that holds at least this share of its parent.
const DESCEND_SHARE: f64 = 0.7;
/// … or this share whatever the rest is.
const ALMOST_ALL: f64 = 0.97;

/// The `<body>` element, or the document node for fragments without one.
pub(crate) fn body(html: &Html) -> NodeRef<'_, Node> {
    html.select(&BODY).next().map_or(html.tree.root(), |body| *body)
}

/// Finds the main region of a page.
pub(crate) fn find_region(html: &Html) -> Region {
    let body = body(html);
    if let Some((start, end)) = find_markers(body) {
        return Region { root: body.id(), start: Some(start), end, method: Method::Markers };
    }
    let stats = dom::text_stats(body, |_| false);
    if let Some(root) = find_candidate(html, &stats, body) {
        return Region { root, start: None, end: None, method: Method::Element };
    }
    if let Some(anchor) = skip_link_target(html)
        .filter(|id| html.tree.get(*id).is_some_and(|node| dom::collapsed_text(node, 1).is_empty()))
    {
        // `<a name="honbun"></a>`: an empty anchor where the main text begins.
        return Region { root: body.id(), start: Some(anchor), end: None, method: Method::Markers };
    }
    density_region(body)
}

/// The density fallback on its own, also used when another method found no text.
pub(crate) fn density_region(body: NodeRef<'_, Node>) -> Region {
    let raw = dom::text_stats(body, |_| false);
    let removals = boilerplate::find_removals(body, &raw);
    let clean = dom::text_stats(body, |id| removals.contains_key(&id));
    let mut current = body;
    while let Some(child) = dominant_child(current, &clean) {
        current = child;
    }
    Region { root: current.id(), start: None, end: None, method: Method::Density }
}

/// The child holding nearly all of a node's plain text, if the rest is no prose or heading.
fn dominant_child<'a>(
    node: NodeRef<'a, Node>,
    clean: &HashMap<NodeId, TextStats>,
) -> Option<NodeRef<'a, Node>> {
    let stats_of = |id: NodeId| clean.get(&id).copied().unwrap_or_default();
    let total = stats_of(node.id());
    let child = node
        .children()
        .filter(|child| child.value().is_element())
        .max_by_key(|child| stats_of(child.id()).plain_chars())?;
    let inner = stats_of(child.id());
    if total.plain_chars() == 0 {
        return None;
    }
    let share = inner.plain_chars() as f64 / total.plain_chars() as f64;
    // Sub-headings beside the child are part of the text: stop here. (An h1 beside it may
    // be the page title; it is put back on top by the caller.)
    if total.subheadings > inner.subheadings {
        return None;
    }
    let rest_is_furniture = total.punct.saturating_sub(inner.punct) <= 2;
    (share >= ALMOST_ALL || (share >= DESCEND_SHARE && rest_is_furniture)).then_some(child)
}

fn find_candidate(
    html: &Html,
    stats: &HashMap<NodeId, TextStats>,
    body: NodeRef<'_, Node>,
) -> Option<NodeId> {
    let total = stats.get(&body.id()).map_or(0, TextStats::plain_chars) as f64;
    let share =
        |id: NodeId| stats.get(&id).map_or(0, TextStats::plain_chars) as f64 / total.max(1.0);
    let pick = |elements: Vec<ElementRef<'_>>| {
        elements
            .into_iter()
            .map(|element| element.id())
            .filter(|id| share(*id) >= MIN_SHARE)
            .max_by(|a, b| share(*a).total_cmp(&share(*b)))
    };
    let (specific, generic) = CANDIDATES.split_at(CANDIDATES.len() - 2);
    for selector in specific {
        if let Some(id) = pick(html.select(selector).collect()) {
            return Some(id);
        }
    }
    if let Some(id) = skip_link_target(html).filter(|id| share(*id) >= MIN_SHARE) {
        return Some(id);
    }
    generic.iter().find_map(|selector| pick(html.select(selector).collect()))
}

/// The element a 「本文へ」 skip link points at.
fn skip_link_target(html: &Html) -> Option<NodeId> {
    let target = html.select(&SKIP_LINKS).find_map(|link| {
        let text: String = link.text().collect::<String>().split_whitespace().collect();
        let is_skip = text.contains("本文") || text.to_ascii_lowercase().contains("skip");
        is_skip.then(|| link.value().attr("href")).flatten().map(|href| href[1..].to_owned())
    })?;
    if target.is_empty() {
        return None;
    }
    html.tree.root().descendants().find_map(|node| {
        let element = node.value().as_element()?;
        (element.id() == Some(target.as_str()) || element.attr("name") == Some(target.as_str()))
            .then(|| node.id())
    })
}

/// The nodes after which the main text starts and before which it ends.
fn find_markers(body: NodeRef<'_, Node>) -> Option<(NodeId, Option<NodeId>)> {
    let mut start: Option<(NodeId, MarkerKind)> = None;
    for node in body.descendants() {
        let Some(text) = marker_text(&node) else { continue };
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        match start {
            None => {
                if let Some(kind) = start_marker(&compact)
                    && !inside_link(&node)
                {
                    start = Some((node.id(), kind));
                }
            }
            Some((start, kind)) if is_end_marker(&compact, kind) => {
                return Some((start, Some(node.id())));
            }
            Some(_) => {}
        }
    }
    start.map(|(start, _)| (start, None))
}

/// Which family a start marker belongs to, so that only its own end marker closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerKind {
    /// `ここから本文です` … `本文ここまで`, in text or comments.
    Honbun,
    /// Dreamweaver templates: `<!-- InstanceBeginEditable name="contents" -->` …
    /// `<!-- InstanceEndEditable -->`.
    Editable,
}

fn marker_text<'a>(node: &NodeRef<'a, Node>) -> Option<&'a str> {
    match node.value() {
        Node::Comment(comment) if comment.len() < 200 => Some(comment),
        Node::Text(text) if text.len() < 120 => Some(text),
        _ => None,
    }
}

fn inside_link(node: &NodeRef<'_, Node>) -> bool {
    node.ancestors().any(|ancestor| dom::element_name(&ancestor) == Some("a"))
}

const START_PHRASES: &[&str] = &[
    "ここから本文",
    "本文ここから",
    "本文開始",
    "本文はここから",
    "ここからが本文",
    "ここからメインコンテンツ",
    "メインコンテンツ開始",
    "メインコンテンツここから",
    "main_contentsstart",
    "maincontentsstart",
    "contents_start",
    "contentsstart",
];

const END_PHRASES: &[&str] = &[
    "本文ここまで",
    "ここまで本文",
    "本文終了",
    "本文はここまで",
    "ここで本文終わり",
    "メインコンテンツここまで",
    "メインコンテンツ終了",
    "ここまでメインコンテンツ",
    "main_contentsend",
    "maincontentsend",
    "contents_end",
    "contentsend",
];

/// Names of Dreamweaver editable regions that hold a page's main text.
const EDITABLE_MAIN: &[&str] = &["contents", "content", "main", "body", "honbun", "naiyo", "本文"];

fn start_marker(compact: &str) -> Option<MarkerKind> {
    if compact.chars().count() <= 40 {
        let lower = compact.to_ascii_lowercase();
        if START_PHRASES.iter().any(|phrase| lower.contains(phrase)) {
            return Some(MarkerKind::Honbun);
        }
    }
    let lower = compact.to_ascii_lowercase();
    let name = lower.strip_prefix("instancebegineditable")?.strip_prefix("name=")?;
    let name = name.trim_matches(|c: char| c == '"' || c == '\'');
    EDITABLE_MAIN.contains(&name).then_some(MarkerKind::Editable)
}

fn is_end_marker(compact: &str, kind: MarkerKind) -> bool {
    match kind {
        MarkerKind::Honbun => {
            compact.chars().count() <= 40 && {
                let lower = compact.to_ascii_lowercase();
                END_PHRASES.iter().any(|phrase| lower.contains(phrase))
            }
        }
        MarkerKind::Editable => compact.eq_ignore_ascii_case("InstanceEndEditable"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region_text(html: &str) -> (Method, String) {
        let parsed = Html::parse_document(html);
        let region = find_region(&parsed);
        let root = parsed.tree.get(region.root).unwrap();
        (region.method, dom::collapsed_text(root, 1000))
    }

    #[test]
    fn comment_markers_win() {
        let parsed = Html::parse_document(
            "<body><div>メニュー</div><!-- ここから本文です --><p>本文。</p><!-- 本文ここまで --><div>フッター</div></body>",
        );
        let region = find_region(&parsed);
        assert_eq!(region.method, Method::Markers);
        assert!(region.end.is_some());
    }

    #[test]
    fn dreamweaver_editable_region_is_a_marker() {
        let parsed = Html::parse_document(
            "<body><div>メニュー</div><!-- InstanceBeginEditable name=\"title\" --><h1>題</h1>\
             <!-- InstanceEndEditable --><!-- InstanceBeginEditable name=\"contents\" --><p>本文。</p>\
             <!-- InstanceEndEditable --><div>フッター</div></body>",
        );
        let region = find_region(&parsed);
        assert_eq!(region.method, Method::Markers);
        let start = parsed.tree.get(region.start.unwrap()).unwrap();
        assert!(start.value().as_comment().is_some_and(|c| c.contains("contents")));
        assert!(region.end.is_some());
    }

    #[test]
    fn empty_skip_link_anchor_starts_the_text() {
        let parsed = Html::parse_document(
            "<body><a href=\"#honbun\">本文へ</a><div><a href=/a>くらし</a></div>\
             <a name=\"honbun\"></a><p>本文です。</p></body>",
        );
        let region = find_region(&parsed);
        assert_eq!(region.method, Method::Markers);
    }

    #[test]
    fn main_element_is_taken_when_it_holds_the_text() {
        let (method, text) = region_text(
            "<body><nav><a href=/>ホーム</a></nav><div id=\"main\"><p>本市の行政改革について説明します。</p></div></body>",
        );
        assert_eq!(method, Method::Element);
        assert_eq!(text, "本市の行政改革について説明します。");
    }

    #[test]
    fn tiny_main_is_ignored_for_density() {
        let prose = "行政改革の取組を進めます。".repeat(10);
        let (method, text) = region_text(&format!(
            "<body><main>お知らせ</main><div><div class=\"left\"><a href=/a>くらし</a><a href=/b>子育て</a>\
             <a href=/c>健康</a></div><div class=\"body\"><p>{prose}</p></div></div></body>"
        ));
        assert_eq!(method, Method::Density);
        assert_eq!(text, prose);
    }
}
