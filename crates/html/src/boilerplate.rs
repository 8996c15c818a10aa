//! Deciding which elements inside the main region are not reading text: navigation,
//! accessibility widgets (文字サイズ, 背景色, きせかえ, 読み上げ, ふりがな), breadcrumbs, page-top
//! links, Adobe Reader notices, page surveys, social buttons, contact blocks and
//! last-updated lines (the last two become metadata fields instead).
//!
//! Class and id patterns are only trusted when the element does not read like prose: a
//! CMS may well put `navi` or `side` in the class of its main column.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use regex::Regex;
use scraper::Node;

use super::dom::{self, TextStats};
use super::metadata;

/// Why an element was cut from the reading text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RemovalKind {
    /// Scripts, styles, form controls: never text, not worth reporting.
    Silent,
    Hidden,
    Navigation,
    Boilerplate,
    /// A last-updated line: its date goes to `updated`.
    Metadata,
    /// An お問い合わせ block: its department and phone go to their fields.
    Contact,
}

impl RemovalKind {
    pub fn label(self) -> &'static str {
        match self {
            RemovalKind::Silent => "silent",
            RemovalKind::Hidden => "hidden",
            RemovalKind::Navigation => "navigation",
            RemovalKind::Boilerplate => "boilerplate",
            RemovalKind::Metadata => "metadata",
            RemovalKind::Contact => "contact",
        }
    }
}

/// Texts longer than this are never taken for a widget, notice or contact block.
const SHORT_BLOCK_CHARS: usize = 600;

/// Finds the elements below `root` (not `root` itself) to leave out of the text.
pub(crate) fn find_removals(
    root: NodeRef<'_, Node>,
    stats: &HashMap<NodeId, TextStats>,
) -> HashMap<NodeId, RemovalKind> {
    let mut removals: HashMap<NodeId, RemovalKind> = HashMap::new();
    let mut skipping: Option<NodeId> = None;
    let mut texts = ShortTexts::default();
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() || node.id() == root.id() || !node.value().is_element() {
                    continue;
                }
                let kind = match removals.get(&node.id()) {
                    Some(kind) => Some(*kind),
                    None => classify(&node, stats, &mut texts),
                };
                if let Some(kind) = kind {
                    removals.insert(node.id(), kind);
                    if kind == RemovalKind::Contact {
                        mark_contact_details(&node, stats, &mut removals);
                    }
                    skipping = Some(node.id());
                    texts.pop_to(&node);
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                } else if skipping.is_none() {
                    texts.pop(node.id());
                }
            }
        }
    }
    removals
}

/// The collapsed text of short elements on the current path from the root. A wrapper
/// whose text is all in one child has the same text as that child, so nested wrappers
/// share one string instead of each walking the whole subtree again (which made deeply
/// nested markup quadratic).
#[derive(Default)]
struct ShortTexts {
    stack: Vec<(NodeId, usize, Option<Rc<str>>)>,
}

impl ShortTexts {
    /// The text of `node`, if it is short; pushes `node` on the path.
    fn text_of(&mut self, node: &NodeRef<'_, Node>, chars: usize) -> Option<Rc<str>> {
        let text = if chars == 0 || chars >= SHORT_BLOCK_CHARS {
            None
        } else {
            match self.stack.last() {
                Some((_, parent_chars, Some(text))) if *parent_chars == chars => Some(text.clone()),
                _ => Some(Rc::from(dom::collapsed_text(*node, SHORT_BLOCK_CHARS))),
            }
        };
        self.stack.push((node.id(), chars, text.clone()));
        text
    }

    fn pop(&mut self, id: NodeId) {
        if self.stack.last().is_some_and(|(top, _, _)| *top == id) {
            self.stack.pop();
        }
    }

    /// Forgets `node` when it turns out to be removed (its Close is skipped).
    fn pop_to(&mut self, node: &NodeRef<'_, Node>) {
        self.pop(node.id());
    }
}

/// When a contact heading stands alone, the details follow in sibling elements.
fn mark_contact_details(
    heading: &NodeRef<'_, Node>,
    stats: &HashMap<NodeId, TextStats>,
    removals: &mut HashMap<NodeId, RemovalKind>,
) {
    let heading_text = compact(&dom::collapsed_text(*heading, 40));
    if !CONTACT_HEADINGS.iter().any(|phrase| heading_text.trim_matches(PUNCT) == *phrase) {
        return;
    }
    for sibling in heading.next_siblings().filter(|n| n.value().is_element()).take(4) {
        let name = dom::element_name(&sibling).unwrap_or_default();
        let chars = stats.get(&sibling.id()).map_or(0, |s| s.chars);
        if dom::heading_level(name).is_some() || chars > 300 {
            break;
        }
        removals.insert(sibling.id(), RemovalKind::Contact);
    }
}

fn classify(
    node: &NodeRef<'_, Node>,
    stats: &HashMap<NodeId, TextStats>,
    texts: &mut ShortTexts,
) -> Option<RemovalKind> {
    let element = node.value().as_element()?;
    let name = element.name();
    if dom::is_never_text(name) {
        return Some(RemovalKind::Silent);
    }
    if is_hidden(element) {
        return Some(RemovalKind::Hidden);
    }
    let stats = stats.get(&node.id()).copied().unwrap_or_default();
    let text = texts.text_of(node, stats.chars);
    if let Some(text) = &text
        && name != "a"
        && is_contact_block(node, text, &stats)
    {
        return Some(RemovalKind::Contact);
    }
    if let Some(kind) = classify_by_tag(name, &stats) {
        return Some(kind);
    }
    if let Some(text) = &text
        && name != "a"
    {
        if let Some(kind) = classify_by_phrase(text, name, &stats) {
            return Some(kind);
        }
        if metadata::DATE_CLASS.is_match(&dom::id_and_classes(node))
            && text.chars().count() < 60
            && metadata::parse_date_anywhere(text).is_some()
        {
            return Some(RemovalKind::Metadata);
        }
    }
    if let Some(kind) = classify_by_class(node, &stats) {
        return Some(kind);
    }
    if is_link_list(node, name, &stats) {
        return Some(RemovalKind::Navigation);
    }
    None
}

fn is_hidden(element: &scraper::node::Element) -> bool {
    if element.attr("hidden").is_some() || element.attr("aria-hidden") == Some("true") {
        return true;
    }
    element.attr("style").is_some_and(|style| {
        let style: String = style.chars().filter(|c| !c.is_whitespace()).collect();
        let style = style.to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

/// Prose is long, has sentence punctuation and few links: never cut it on a class name.
fn reads_like_prose(stats: &TextStats) -> bool {
    stats.chars >= 200 && stats.link_density() < 0.3 && stats.punct >= 3
}

fn classify_by_tag(name: &str, stats: &TextStats) -> Option<RemovalKind> {
    match name {
        "nav" | "aside" | "menu" if !reads_like_prose(stats) => Some(RemovalKind::Navigation),
        "footer" if !reads_like_prose(stats) => Some(RemovalKind::Boilerplate),
        "header" if stats.headings == 0 => Some(RemovalKind::Boilerplate),
        "form" if stats.chars < 300 => Some(RemovalKind::Boilerplate),
        _ => None,
    }
}

const PUNCT: &[char] =
    &['。', '．', '.', '：', ':', '■', '□', '●', '○', '◆', '◇', '【', '】', '[', ']'];

const CONTACT_HEADINGS: &[&str] = &[
    "お問い合わせ",
    "お問合せ",
    "お問合わせ",
    "問い合わせ先",
    "お問い合わせ先",
    "このページに関するお問い合わせ",
    "このページについてのお問い合わせ",
    "このページの内容に関するお問い合わせ",
    "このページの担当",
    "担当課",
    "このページに関するお問い合わせ先",
];

static CONTACT_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"contact|inquiry|toiawase|otoiawase|reference|section_info")
        .expect("static regex is valid")
});

/// Whitespace removed: phrases are matched regardless of spacing.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// An お問い合わせ block: it starts with a contact heading, or its class says contact and
/// it names a department or phone number; and it is not a menu of links (a header link
/// named お問い合わせ is navigation, not the contact block).
fn is_contact_block(node: &NodeRef<'_, Node>, text: &str, stats: &TextStats) -> bool {
    if stats.link_density() >= 0.5 {
        return false;
    }
    let compact = compact(text);
    let bare = compact.trim_start_matches(PUNCT);
    CONTACT_HEADINGS.iter().any(|phrase| bare.starts_with(phrase))
        || CONTACT_CLASS.is_match(&dom::id_and_classes(node)) && looks_like_contact(text)
}

fn looks_like_contact(text: &str) -> bool {
    metadata::find_phone(text).is_some() || text.contains('課') || text.contains("担当")
}

fn classify_by_phrase(text: &str, name: &str, stats: &TextStats) -> Option<RemovalKind> {
    let compact = compact(text);
    let bare = compact.trim_start_matches(PUNCT);
    let len = bare.chars().count();
    if len < 80 && metadata::is_updated_line(bare) {
        return Some(RemovalKind::Metadata);
    }
    if is_skip_marker(bare, len) {
        return Some(RemovalKind::Boilerplate);
    }
    if may_be_widget(bare, name, stats) && is_widget_phrase(bare, len) {
        return Some(RemovalKind::Boilerplate);
    }
    if len < 300 && is_adobe_notice(bare) {
        return Some(RemovalKind::Boilerplate);
    }
    if len < SHORT_BLOCK_CHARS && is_survey(bare) {
        return Some(RemovalKind::Boilerplate);
    }
    if len < 300 && is_site_footer(bare) {
        return Some(RemovalKind::Boilerplate);
    }
    if len < 200 && stats.links >= 2 && is_breadcrumb(bare) {
        return Some(RemovalKind::Navigation);
    }
    None
}

const WIDGET_PREFIXES: &[&str] = &[
    "文字サイズ",
    "文字の大きさ",
    "文字を大きく",
    "背景色",
    "配色",
    "色合い",
    "きせかえ",
    "読み上げ",
    "音声読み上げ",
    "音声で読み上げ",
    "ふりがな",
    "ルビ",
    "ページの先頭",
    "このページの先頭",
    "このページのトップ",
    "ページトップ",
    "ページの上部",
    "ページ上部へ",
    "先頭へ戻る",
    "トップへ戻る",
    "▲ページ",
    "▲このページ",
    "前のページ",
    "このページを印刷",
    "印刷する",
    "印刷用",
    "スマートフォン表示",
    "スマートフォン版",
    "パソコン表示",
    "PC表示",
    "PC版",
    "本文へ",
    "メニューへ",
    "メインメニューへ",
    "サイト内検索",
    "このエントリーをはてな",
    "Language",
    "ツイート",
    "シェア",
    "リードスピーカー",
];

const WIDGET_WORDS: &[&str] =
    &["戻る", "印刷", "閉じる", "いいね", "検索", "メニュー", "ホーム", "HOME"];

/// Widgets are controls, not prose: no sentence end, not a heading, and not a plain
/// list item or definition (a ご利用案内 page describes 文字サイズ in its own text).
fn may_be_widget(bare: &str, name: &str, stats: &TextStats) -> bool {
    !bare.contains('。')
        && dom::heading_level(name).is_none()
        && (stats.links > 0 || !matches!(name, "dt" | "dd" | "li" | "td" | "th"))
}

/// `ここから本文です`, `メインメニューここまで` and the like: CMS skip markers.
fn is_skip_marker(bare: &str, len: usize) -> bool {
    if len < 30
        && (bare.contains("ここから") || bare.contains("ここまで"))
        && [
            "本文",
            "メニュー",
            "ナビ",
            "フッター",
            "ヘッダー",
            "サイド",
            "共通",
            "パンくず",
            "メイン",
        ]
        .iter()
        .any(|word| bare.contains(word))
    {
        return true;
    }
    len < 60 && (bare.contains("リードスピーカー") || bare.contains("読み上げされません"))
}

fn is_widget_phrase(bare: &str, len: usize) -> bool {
    len < 60
        && (WIDGET_PREFIXES.iter().any(|prefix| bare.starts_with(prefix))
            || WIDGET_WORDS.contains(&bare))
}

fn is_adobe_notice(bare: &str) -> bool {
    let mentions_reader =
        ["AdobeReader", "AdobeAcrobatReader", "AcrobatReader", "Adobe社", "AdobeAcrobat"]
            .iter()
            .any(|name| bare.contains(name));
    let starts_like_notice =
        ["PDF", "ＰＤＦ", "Adobe", "Get", "Acrobat", "「Adobe", "※", "pdf", "「PDF"]
            .iter()
            .any(|prefix| bare.starts_with(prefix));
    mentions_reader && starts_like_notice
}

fn is_survey(bare: &str) -> bool {
    let asks = [
        "役に立ちましたか",
        "分かりやすかったですか",
        "わかりやすかったですか",
        "見つけやすかったですか",
        "アンケート",
    ]
    .iter()
    .any(|phrase| bare.contains(phrase));
    let starts =
        ["このページ", "この情報", "アンケート", "ページに関する", "より良い", "ホームページ"]
            .iter()
            .any(|prefix| bare.starts_with(prefix));
    asks && starts
}

/// A copyright line, or the town hall's address line, that closes every page of a site.
fn is_site_footer(bare: &str) -> bool {
    let lower = bare.to_ascii_lowercase();
    let copyright =
        ["copyright", "allrightsreserved", "(c)", "©"].iter().any(|marker| lower.contains(marker));
    let hall_address = bare.contains('〒')
        && ["役所", "役場"].iter().any(|hall| bare.contains(hall))
        && !bare.contains('。');
    copyright || hall_address
}

fn is_breadcrumb(bare: &str) -> bool {
    let starts_home = ["ホーム", "トップページ", "HOME", "Home", "TOP", "トップ"]
        .iter()
        .any(|prefix| bare.starts_with(prefix));
    starts_home && bare.contains(['>', '＞', '›', '»', '〉', '/'])
}

/// Class and id words that mark navigation or page furniture.
static NAV_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)breadcrumb|pankuzu|topicpath|topic[-_]path|crumb|navi|gnav|lnav|snav|\bnav\b|menu|sidebar
        |(^|[\s_-])side([\s_-]|$)|sitemap|related|kanren|ranking|categor|\btags?\b|pager|pagination",
    )
    .expect("static regex is valid")
});

static FURNITURE_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)accessibility|kisekae|fontsize|font[-_]size|moji[-_]?size|txtsize|pagetop|page[-_]top
        |to[-_]?top|\bskip|enquete|questionnaire|feedback|survey|adobe|acrobat|readspeaker|social|\bsns
        |share|\btools?\b|\bprint\b|banner|footer|header|copyright|\bsearch\b|translate|\bad\b",
    )
    .expect("static regex is valid")
});

fn classify_by_class(node: &NodeRef<'_, Node>, stats: &TextStats) -> Option<RemovalKind> {
    let classes = dom::id_and_classes(node);
    if classes.is_empty() || reads_like_prose(stats) {
        return None;
    }
    if NAV_CLASS.is_match(&classes) && stats.headings == 0
        || NAV_CLASS.is_match(&classes) && stats.link_density() > 0.5
    {
        return Some(RemovalKind::Navigation);
    }
    if FURNITURE_CLASS.is_match(&classes) && stats.headings == 0 {
        return Some(RemovalKind::Boilerplate);
    }
    None
}

/// A list or box that is mostly links to other pages (not attachments) is navigation.
fn is_link_list(node: &NodeRef<'_, Node>, name: &str, stats: &TextStats) -> bool {
    if !matches!(
        name,
        "ul" | "ol"
            | "dl"
            | "div"
            | "table"
            | "tr"
            | "td"
            | "section"
            | "p"
            | "span"
            | "center"
            | "font"
    ) {
        return false;
    }
    if stats.links < 3 || stats.link_density() < 0.7 {
        return false;
    }
    !node.descendants().take(5_000).any(|child| {
        child
            .value()
            .as_element()
            .and_then(|element| element.attr("href"))
            .is_some_and(super::render::is_attachment_url)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed_texts(html: &str) -> Vec<(String, &'static str)> {
        let parsed = scraper::Html::parse_document(html);
        let root = parsed.tree.root();
        let stats = dom::text_stats(root, |_| false);
        let removals = find_removals(root, &stats);
        let mut out: Vec<(String, &'static str)> = root
            .descendants()
            .filter_map(|node| {
                let kind = removals.get(&node.id())?;
                (*kind != RemovalKind::Silent)
                    .then(|| (dom::collapsed_text(node, 200), kind.label()))
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn widgets_and_notices_are_removed() {
        let removed = removed_texts(
            "<body><div><p>ここから本文です。</p><p>本市の行政改革について。</p>\
             <div><p>PDFファイルをご覧になるには、Adobe Readerが必要です。</p></div>\
             <p>ページの先頭へ戻る</p></div></body>",
        );
        let texts: Vec<&str> = removed.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts.len(), 3, "{removed:?}");
        assert!(!texts.iter().any(|t| t.contains("行政改革")));
    }

    #[test]
    fn navi_class_on_main_column_is_kept() {
        let prose = "本市では、行政改革を進めてきました。".repeat(20);
        let html = format!(
            "<body><div class=\"navi-main\"><p>{prose}</p></div><div class=\"gnavi\"><a href=/a>くらし</a></div></body>"
        );
        let removed = removed_texts(&html);
        assert_eq!(removed, vec![("くらし".to_owned(), "navigation")]);
    }

    #[test]
    fn contact_heading_takes_its_details_along() {
        let removed = removed_texts(
            "<body><div><p>本文です。</p><h2>お問い合わせ</h2><p>企画政策課</p><p>電話：054-643-2055</p></div></body>",
        );
        let kinds: Vec<&str> = removed.iter().map(|(_, k)| *k).collect();
        assert_eq!(kinds, vec!["contact", "contact", "contact"], "{removed:?}");
    }

    #[test]
    fn attachment_lists_are_not_navigation() {
        let removed = removed_texts(
            "<body><ul><li><a href=\"plan.pdf\">計画本編</a></li><li><a href=\"a.pdf\">概要版</a></li>\
             <li><a href=\"b.pdf\">資料編</a></li></ul></body>",
        );
        assert!(removed.is_empty(), "{removed:?}");
    }
}
