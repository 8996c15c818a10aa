//! Structure to text: one line per paragraph, list item, heading, `<br>` run, definition
//! term or table row (cells tab-separated), with the heading lines marked and the links
//! kept. Ruby annotations are dropped (base text only). Source line breaks between two
//! Japanese characters vanish instead of becoming spaces, as a Japanese reader expects.
//!
//! The walk is iterative over ego-tree edges, so nesting depth is no risk.

use std::collections::HashMap;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::Node;

use super::boilerplate::RemovalKind;
use super::dom;
use gyokaku_extract_model::{HeadingMark, Link};

/// What to render: a subtree, optionally only between two marker nodes.
pub(crate) struct Scope<'a> {
    pub root: NodeRef<'a, Node>,
    /// Text starts after this node closes (a `ここから本文です` marker).
    pub start: Option<NodeId>,
    /// Text stops where this node opens (a `本文ここまで` marker).
    pub end: Option<NodeId>,
    pub removals: &'a HashMap<NodeId, RemovalKind>,
    /// Read every table as layout, one line per block (for contact blocks in tables).
    pub tables_as_layout: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Rendered {
    pub text: String,
    pub headings: Vec<HeadingMark>,
    pub links: Vec<Link>,
}

impl Rendered {
    pub fn lines(&self) -> Vec<String> {
        self.text.lines().map(str::to_owned).collect()
    }

    /// The text of the first level-1 heading line.
    pub fn first_h1(&self) -> Option<&str> {
        let mark = self.headings.iter().find(|mark| mark.level == 1)?;
        self.text[mark.start..].lines().next()
    }
}

/// How a table is read: data tables give one line per row, layout tables are just boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableKind {
    Data,
    Layout,
}

#[derive(Default)]
struct Writer {
    out: String,
    line: String,
    pending_space: bool,
    pending_newline: bool,
    line_heading: Option<u8>,
    headings: Vec<HeadingMark>,
    /// Open data-table cells: line breaks inside them become spaces.
    data_cells: usize,
    in_heading: usize,
    in_pre: usize,
}

impl Writer {
    fn text(&mut self, text: &str, links: &mut [LinkFrame]) {
        for c in text.chars() {
            if self.in_pre > 0 && c == '\n' {
                self.line_break();
                continue;
            }
            let c = if c == '\u{a0}' { ' ' } else { c };
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c') {
                if self.in_pre > 0 && c == ' ' {
                    self.push_char(c, links);
                    continue;
                }
                self.pending_space = true;
                self.pending_newline |= c == '\n' || c == '\r';
                continue;
            }
            if self.pending_space {
                let last = self.line.chars().last();
                let joins_wide =
                    self.pending_newline && last.is_some_and(dom::is_wide) && dom::is_wide(c);
                if last.is_some_and(|last| last != '\t' && last != ' ') && !joins_wide {
                    self.push_char(' ', links);
                }
            }
            self.pending_space = false;
            self.pending_newline = false;
            self.push_char(c, links);
        }
    }

    fn push_char(&mut self, c: char, links: &mut [LinkFrame]) {
        self.line.push(c);
        for frame in links.iter_mut() {
            frame.text.push(c);
        }
    }

    fn whitespace(&mut self) {
        self.pending_space = true;
    }

    fn line_break(&mut self) {
        if self.data_cells > 0 || self.in_heading > 0 {
            self.whitespace();
        } else {
            self.flush();
        }
    }

    fn cell_separator(&mut self) {
        self.line.push('\t');
        self.pending_space = false;
        self.pending_newline = false;
    }

    fn flush(&mut self) {
        // Ideographic-space indents (`　本市では…`) go; leading tabs are empty table cells.
        let line =
            self.line.trim_end().trim_start_matches(|c: char| c.is_whitespace() && c != '\t');
        if line.chars().any(|c| !c.is_whitespace()) {
            if let Some(level) = self.line_heading {
                self.headings.push(HeadingMark { start: self.out.len(), level });
            }
            self.out.push_str(line);
            self.out.push('\n');
        }
        self.line.clear();
        self.pending_space = false;
        self.pending_newline = false;
        self.line_heading = None;
    }
}

struct LinkFrame {
    id: NodeId,
    url: String,
    text: String,
}

/// Renders a scope to text, headings and links.
pub(crate) fn render(scope: &Scope<'_>) -> Rendered {
    let mut writer = Writer::default();
    let mut links: Vec<Link> = Vec::new();
    let mut open_links: Vec<LinkFrame> = Vec::new();
    let mut tables: Vec<TableKind> = Vec::new();
    let mut row_cells: Vec<usize> = Vec::new();
    let mut skipping: Option<NodeId> = None;
    let mut active = scope.start.is_none();
    let mut voice_skip = false;
    for edge in scope.root.traverse() {
        match edge {
            Edge::Open(node) => {
                if Some(node.id()) == scope.end {
                    writer.flush();
                    active = false;
                }
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(text) if active && !voice_skip => writer.text(text, &mut open_links),
                    Node::Comment(comment) => {
                        if let Some(skip) = voice_marker(comment) {
                            writer.line_break();
                            voice_skip = skip;
                        }
                    }
                    Node::Element(element) => {
                        let name = element.name();
                        if scope.removals.contains_key(&node.id()) || dom::is_never_text(name) {
                            skipping = Some(node.id());
                            continue;
                        }
                        if name == "table" && scope.tables_as_layout {
                            writer.line_break();
                            tables.push(TableKind::Layout);
                        } else {
                            open_element(&node, name, &mut writer, &mut tables, &mut row_cells);
                        }
                        if name == "a"
                            && let Some(href) = element.attr("href")
                        {
                            open_links.push(LinkFrame {
                                id: node.id(),
                                url: href.trim().to_owned(),
                                text: String::new(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if Some(node.id()) == scope.start {
                    writer.flush();
                    active = true;
                }
                if let Some(skipped) = skipping {
                    if skipped == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Some(name) = dom::element_name(&node) {
                    close_element(name, &mut writer, &mut tables, &mut row_cells);
                    if name == "a"
                        && open_links.last().is_some_and(|frame| frame.id == node.id())
                        && let Some(frame) = open_links.pop()
                        && active
                    {
                        keep_link(frame, &node, &mut links);
                    }
                }
            }
        }
    }
    writer.flush();
    let mut text = writer.out;
    while text.ends_with('\n') {
        text.pop();
    }
    Rendered { text, headings: writer.headings, links }
}

fn open_element(
    node: &NodeRef<'_, Node>,
    name: &str,
    writer: &mut Writer,
    tables: &mut Vec<TableKind>,
    row_cells: &mut Vec<usize>,
) {
    let in_data_table = tables.last() == Some(&TableKind::Data);
    match name {
        "table" => {
            writer.line_break();
            tables.push(table_kind(node));
        }
        "tr" if in_data_table => {
            writer.line_break();
            row_cells.push(0);
        }
        "td" | "th" if in_data_table => {
            if let Some(count) = row_cells.last_mut() {
                if *count > 0 {
                    writer.cell_separator();
                }
                *count += 1;
            }
            writer.data_cells += 1;
        }
        "td" | "th" | "br" => writer.line_break(),
        "pre" => {
            writer.line_break();
            writer.in_pre += 1;
        }
        _ => {
            if let Some(level) = dom::heading_level(name)
                && writer.data_cells == 0
            {
                writer.flush();
                writer.in_heading += 1;
                writer.line_heading = Some(level);
            } else if dom::is_block(name) {
                writer.line_break();
            } else if matches!(name, "img" | "input") {
                writer.whitespace();
            }
        }
    }
}

fn close_element(
    name: &str,
    writer: &mut Writer,
    tables: &mut Vec<TableKind>,
    row_cells: &mut Vec<usize>,
) {
    let in_data_table = tables.last() == Some(&TableKind::Data);
    match name {
        "table" => {
            tables.pop();
            writer.line_break();
        }
        "tr" if in_data_table => {
            row_cells.pop();
            writer.line_break();
        }
        "td" | "th" if in_data_table => {
            writer.data_cells = writer.data_cells.saturating_sub(1);
        }
        "td" | "th" => writer.line_break(),
        "pre" => {
            writer.in_pre = writer.in_pre.saturating_sub(1);
            writer.line_break();
        }
        _ => {
            if dom::heading_level(name).is_some() && writer.in_heading > 0 {
                writer.in_heading -= 1;
                if writer.in_heading == 0 {
                    writer.flush();
                }
            } else if dom::is_block(name) {
                writer.line_break();
            }
        }
    }
}

/// `<!-- skip-voice -->` … `<!-- end-skip-voice -->` (SHIRASAGI) mark page furniture.
fn voice_marker(comment: &scraper::node::Comment) -> Option<bool> {
    match comment.trim() {
        "skip-voice" => Some(true),
        "end-skip-voice" => Some(false),
        _ => None,
    }
}

/// A table is a layout box when its cells hold headings, lists, nested tables or
/// several paragraphs; otherwise it is data, read one row per line.
fn table_kind(table: &NodeRef<'_, Node>) -> TableKind {
    if table.value().as_element().and_then(|e| e.attr("role")) == Some("presentation") {
        return TableKind::Layout;
    }
    let mut blocks_in_cell = 0usize;
    for node in table.descendants().skip(1).take(5_000) {
        let Some(name) = dom::element_name(&node) else { continue };
        match name {
            "table" | "ul" | "ol" | "dl" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "form" => {
                return TableKind::Layout;
            }
            "td" | "th" => blocks_in_cell = 0,
            "p" | "div" => {
                blocks_in_cell += 1;
                if blocks_in_cell >= 3 {
                    return TableKind::Layout;
                }
            }
            _ => {}
        }
    }
    TableKind::Data
}

fn keep_link(frame: LinkFrame, node: &NodeRef<'_, Node>, links: &mut Vec<Link>) {
    let url = frame.url;
    if url.is_empty()
        || url.starts_with('#')
        || has_scheme(&url, &["javascript:", "mailto:", "tel:"])
    {
        return;
    }
    let mut text = frame.text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        text = image_alt(node).unwrap_or_default();
    }
    if text.is_empty() && is_attachment_url(&url) {
        text = url.rsplit('/').next().unwrap_or(&url).to_owned();
    }
    if text.is_empty() || links.iter().any(|link| link.url == url && link.text == text) {
        return;
    }
    links.push(Link { text, url });
}

fn has_scheme(url: &str, schemes: &[&str]) -> bool {
    let lower = url.to_ascii_lowercase();
    schemes.iter().any(|scheme| lower.starts_with(scheme))
}

fn image_alt(node: &NodeRef<'_, Node>) -> Option<String> {
    node.descendants().find_map(|child| {
        let element = child.value().as_element()?;
        (element.name() == "img").then(|| element.attr("alt"))?.map(|alt| alt.trim().to_owned())
    })
}

/// Links to documents (plan PDFs, spreadsheets) rather than to other pages.
pub(crate) fn is_attachment_url(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url).to_ascii_lowercase();
    [
        ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".csv", ".zip", ".jtd", ".odt",
        ".ods", ".txt",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str, expect: &str) -> Rendered {
        let html = scraper::Html::parse_document(&format!("<body>{body}</body>"));
        let removals = HashMap::new();
        let rendered = render(&Scope {
            root: html.tree.root(),
            start: None,
            end: None,
            removals: &removals,
            tables_as_layout: false,
        });
        assert_eq!(rendered.text, expect);
        rendered
    }

    #[test]
    fn paragraphs_lists_and_breaks_are_lines() {
        check(
            "<p>第一\n  背景</p><ul><li>一つ目</li><li>二つ<b>目</b></li></ul>観測結果<br>込浜 17<br><br>平田",
            "第一背景\n一つ目\n二つ目\n観測結果\n込浜 17\n平田",
        );
    }

    #[test]
    fn ideographic_space_indents_are_dropped() {
        check(
            "<p>\u{3000}本市では、改革を進めます。\u{3000}</p><p>第１\u{3000}趣旨</p>",
            "本市では、改革を進めます。\n第１\u{3000}趣旨",
        );
    }

    #[test]
    fn latin_words_keep_their_space_across_lines() {
        check("<p>Adobe\nReader と NEXT\nSTAGE</p>", "Adobe Reader と NEXT STAGE");
    }

    #[test]
    fn data_tables_are_rows_of_tab_separated_cells() {
        check(
            "<table><caption>表1</caption><tr><th>区分</th><th>目標</th></tr>\
             <tr><td><p>財政</p></td><td>黒字<br>維持</td></tr></table>",
            "表1\n区分\t目標\n財政\t黒字 維持",
        );
    }

    #[test]
    fn layout_tables_are_boxes() {
        check(
            "<table><tr><td><h2>見出し</h2><p>本文一。</p></td><td><p>本文二。</p></td></tr></table>",
            "見出し\n本文一。\n本文二。",
        );
    }

    #[test]
    fn ruby_keeps_the_base_text() {
        check("<p><ruby>行政<rp>(</rp><rt>ぎょうせい</rt><rp>)</rp></ruby>改革</p>", "行政改革");
    }

    #[test]
    fn headings_are_marked_at_their_line() {
        let rendered = check("<h1>計画</h1><p>本文</p><h3>趣<br>旨</h3>", "計画\n本文\n趣 旨");
        assert_eq!(
            rendered.headings,
            vec![HeadingMark { start: 0, level: 1 }, HeadingMark { start: 14, level: 3 }]
        );
        assert_eq!(rendered.first_h1(), Some("計画"));
    }

    #[test]
    fn links_keep_text_and_url() {
        let rendered = check(
            "<p><a href=\"/plan.pdf\">計画本編（PDF：1MB）</a> <a href=\"#top\">上へ</a> <a href=\"/a.pdf\"><img alt=\"概要\"></a></p>",
            "計画本編（PDF：1MB） 上へ",
        );
        let urls: Vec<(&str, &str)> =
            rendered.links.iter().map(|l| (l.text.as_str(), l.url.as_str())).collect();
        assert_eq!(urls, vec![("計画本編（PDF：1MB）", "/plan.pdf"), ("概要", "/a.pdf")]);
    }

    #[test]
    fn voice_skip_comments_hide_furniture() {
        check(
            "<p>本文</p><!-- skip-voice --><p>文字サイズ</p><!-- end-skip-voice --><p>続き</p>",
            "本文\n続き",
        );
    }
}
