//! Small facts about the parsed tree that every later step needs: which tags are blocks,
//! which are never text, and per-element counts of text, link text and Japanese
//! punctuation.
//!
//! Everything here walks the tree iteratively (ego-tree's `traverse`), never by recursion,
//! so deeply nested markup cannot overflow the stack.

use std::collections::HashMap;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::Node;

/// Elements whose content is never reading text.
pub(crate) fn is_never_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "math"
            | "canvas"
            | "select"
            | "option"
            | "button"
            | "input"
            | "textarea"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "rt"
            | "rp"
    )
}

/// Elements that start and end a line of text.
pub(crate) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "legend"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "tfoot"
            | "thead"
            | "tr"
            | "ul"
            | "html"
    )
}

/// The heading level of `h1`…`h6`.
pub(crate) fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// The element name of a node, if it is an element.
pub(crate) fn element_name<'a>(node: &NodeRef<'a, Node>) -> Option<&'a str> {
    node.value().as_element().map(|element| element.name())
}

/// The id and class attributes of an element, lower-cased, for pattern matching.
pub(crate) fn id_and_classes(node: &NodeRef<'_, Node>) -> String {
    let Some(element) = node.value().as_element() else { return String::new() };
    let mut out = String::new();
    if let Some(id) = element.attr("id") {
        out.push_str(id);
    }
    if let Some(class) = element.attr("class") {
        out.push(' ');
        out.push_str(class);
    }
    out.to_ascii_lowercase()
}

/// Counts over the text below one element. Characters are counted without whitespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TextStats {
    pub chars: usize,
    pub link_chars: usize,
    /// Japanese sentence punctuation (。、) — a sign of prose rather than menus.
    pub punct: usize,
    pub links: usize,
    pub headings: usize,
    /// Headings h2–h6: the structure of a text, unlike an h1 that may be a site logo.
    pub subheadings: usize,
}

impl TextStats {
    pub fn link_density(&self) -> f64 {
        if self.chars == 0 { 0.0 } else { self.link_chars as f64 / self.chars as f64 }
    }

    /// Characters that are neither inside links nor whitespace.
    pub fn plain_chars(&self) -> usize {
        self.chars.saturating_sub(self.link_chars)
    }

    fn add(&mut self, other: &TextStats) {
        self.chars += other.chars;
        self.link_chars += other.link_chars;
        self.punct += other.punct;
        self.links += other.links;
        self.headings += other.headings;
        self.subheadings += other.subheadings;
    }
}

/// Computes [`TextStats`] for every element below `root` (inclusive), skipping
/// never-text elements and any node for which `skip` returns true.
pub(crate) fn text_stats(
    root: NodeRef<'_, Node>,
    skip: impl Fn(NodeId) -> bool,
) -> HashMap<NodeId, TextStats> {
    let mut result = HashMap::new();
    let mut stack: Vec<(NodeId, TextStats)> = Vec::new();
    let mut link_depth = 0usize;
    let mut skipping: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                if let Some(name) = element_name(&node) {
                    if is_never_text(name) || skip(node.id()) {
                        skipping = Some(node.id());
                        continue;
                    }
                    let mut stats = TextStats::default();
                    if name == "a" {
                        link_depth += 1;
                        stats.links = 1;
                    }
                    if let Some(level) = heading_level(name) {
                        stats.headings = 1;
                        stats.subheadings = usize::from(level > 1);
                    }
                    stack.push((node.id(), stats));
                } else if let Some(text) = node.value().as_text() {
                    let (chars, punct) = count_text(text);
                    if let Some((_, top)) = stack.last_mut() {
                        top.chars += chars;
                        top.punct += punct;
                        if link_depth > 0 {
                            top.link_chars += chars;
                        }
                    }
                }
            }
            Edge::Close(node) => {
                if let Some(skipped) = skipping {
                    if skipped == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if node.value().is_element() {
                    if element_name(&node) == Some("a") {
                        link_depth = link_depth.saturating_sub(1);
                    }
                    if let Some((id, stats)) = stack.pop() {
                        if let Some((_, parent)) = stack.last_mut() {
                            parent.add(&stats);
                        }
                        result.insert(id, stats);
                    }
                }
            }
        }
    }
    result
}

fn count_text(text: &str) -> (usize, usize) {
    let mut chars = 0;
    let mut punct = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            continue;
        }
        chars += 1;
        if matches!(c, '。' | '、' | '．' | '，') {
            punct += 1;
        }
    }
    (chars, punct)
}

/// The text below a node with whitespace collapsed, skipping never-text elements.
/// Meant for short blocks (phrases, contact blocks): stops after about `limit`
/// characters or after visiting a bounded number of nodes.
pub(crate) fn collapsed_text(node: NodeRef<'_, Node>, limit: usize) -> String {
    let mut out = String::new();
    let mut skipping: Option<NodeId> = None;
    let mut pending_space = false;
    let max_edges = 2 * (limit * 8 + 256);
    for edge in node.traverse().take(max_edges) {
        match edge {
            Edge::Open(child) => {
                if skipping.is_some() {
                    continue;
                }
                if let Some(name) = element_name(&child) {
                    if is_never_text(name) {
                        skipping = Some(child.id());
                    } else if is_block(name) || name == "br" || name == "td" || name == "th" {
                        pending_space = true;
                    }
                } else if let Some(text) = child.value().as_text() {
                    for c in text.chars() {
                        if c.is_whitespace() {
                            pending_space = true;
                            continue;
                        }
                        if pending_space && !out.is_empty() {
                            out.push(' ');
                        }
                        pending_space = false;
                        out.push(c);
                    }
                    if out.len() > limit * 4 {
                        break;
                    }
                }
            }
            Edge::Close(child) => {
                if skipping == Some(child.id()) {
                    skipping = None;
                }
            }
        }
    }
    out
}

/// True for characters that are typeset full width in Japanese text: no space is
/// inserted where a source line break falls between two of them.
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2460..=0x24FF | 0x2160..=0x217F | 0x2E80..=0x2FDF | 0x3000..=0x30FF | 0x3100..=0x31FF
        | 0x3200..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_count_links_and_punctuation() {
        let html = scraper::Html::parse_document(
            "<body><div id=x><p>本市では、改革を進めます。</p><ul><li><a href=/a>くらし</a></li></ul>\
             <script>var a = '。。。';</script></div></body>",
        );
        let div = html.tree.root().descendants().find(|n| id_and_classes(n) == "x").unwrap();
        let stats = text_stats(div, |_| false)[&div.id()];
        assert_eq!(stats.chars, 16);
        assert_eq!(stats.link_chars, 3);
        assert_eq!(stats.punct, 2);
        assert_eq!(stats.links, 1);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 10_000;
        let html = format!("{}本文{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let parsed = scraper::Html::parse_document(&html);
        let stats = text_stats(parsed.tree.root(), |_| false);
        assert!(stats.values().any(|s| s.chars == 2));
        // The text is deeper than the node budget of `collapsed_text`: it gives up early.
        assert!(collapsed_text(parsed.tree.root(), 100).is_empty());
    }
}
