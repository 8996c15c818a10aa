//! Segmentation: an extracted document becomes passages, the unit of search and evidence.
//!
//! Passages break at headings (第1, 1, (1), ①, 【…】, ■, and headings the extractor marked),
//! at page boundaries and between sentences (。！？), up to 600 characters and never cutting a
//! sentence unless it alone is longer than the maximum. A passage never spans two headings,
//! so a short section makes a short passage. A heading with no text of its own (an outline
//! item, a pillar listed under its chapter, a table-of-contents line) becomes a passage whose
//! text is the heading itself: real plans often state their pillars only that way, and text
//! that is in no passage is invisible to search and themes. Each passage keeps the page it
//! starts on and the path of headings above it.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Extracted, Page, Passage};

/// Passages grow until adding the next sentence would pass this many characters.
pub const MAX_PASSAGE_CHARS: usize = 600;
/// Lines longer than this are never taken for headings.
const MAX_HEADING_CHARS: usize = 60;

/// Splits the pages of a document into passages.
pub fn segment(extracted: &Extracted) -> Vec<Passage> {
    let mut builder = PassageBuilder::default();
    for page in &extracted.pages {
        segment_page(page, &mut builder);
        builder.flush();
    }
    builder.emit_bare_heading();
    builder.passages
}

fn segment_page(page: &Page, builder: &mut PassageBuilder) {
    builder.page = page.number;
    let mut offset = 0;
    for raw_line in page.text.split('\n') {
        let line_start = offset;
        offset += raw_line.len() + 1;
        let line = raw_line.trim();
        if line.is_empty() {
            continue;
        }
        let marked = page.headings.iter().find(|mark| {
            mark.start >= line_start && mark.start < line_start + raw_line.len().max(1)
        });
        // Headings the extractor marked (from tags or font sizes) are the outer structure;
        // numbered headings found by pattern nest inside them.
        let pattern_offset = if page.headings.is_empty() { 0 } else { 6 };
        let level = marked
            .map(|mark| mark.level.min(6))
            .or_else(|| heading_level(line).map(|level| level + pattern_offset));
        match level {
            Some(level) => builder.heading(level, line),
            None => sentences(line).for_each(|sentence| builder.sentence(sentence)),
        }
    }
}

/// The level of a numbered heading line, or `None` for body text. Lower is outer.
pub fn heading_level(line: &str) -> Option<u8> {
    static PATTERNS: LazyLock<Vec<(Regex, u8)>> = LazyLock::new(|| {
        [
            (r"^第\s*[0-9０-９一二三四五六七八九十百]+\s*[章部編]", 1),
            (r"^第\s*[0-9０-９一二三四五六七八九十]+(\s|　|$|[節条]|[^0-9０-９年回次期号項])", 2),
            // `1 概要`, `2. 方針`, `3、組織`; not a decimal (`97.5%以上`) or `1.2倍`.
            (r"^[0-9０-９]{1,2}([\s　]\S|[．.、][\s　]?[^0-9０-９\s　])", 3),
            (r"^[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ][\s　．.]", 2),
            (r"^[（(][0-9０-９一二三四五六七八九十]{1,2}[）)]", 4),
            (r"^[①-⑳]", 5),
            (r"^[ア-ン][\s　．.、]", 6),
            (r"^【[^】]{1,40}】[^。]{0,40}$", 3),
            (r"^[■□◆◇●○▼▶◎]", 4),
        ]
        .into_iter()
        .filter_map(|(pattern, level)| Regex::new(pattern).ok().map(|re| (re, level)))
        .collect()
    });
    let n_chars = line.chars().count();
    if n_chars > MAX_HEADING_CHARS || ends_sentence(line) || line.contains('\t') {
        return None;
    }
    PATTERNS.iter().find(|(re, _)| re.is_match(line)).map(|&(_, level)| level)
}

fn ends_sentence(line: &str) -> bool {
    line.ends_with(['。', '！', '？', '.', '!', '?'])
}

/// Splits a line into sentences after 。！？ (the mark stays with its sentence). Table rows
/// (lines with tabs) stay whole.
fn sentences(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = if line.contains('\t') { "" } else { line };
    let whole = line.contains('\t').then_some(line);
    whole.into_iter().chain(std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = rest
            .char_indices()
            .find(|&(_, c)| matches!(c, '。' | '！' | '？'))
            .map_or(rest.len(), |(i, c)| i + c.len_utf8());
        // Keep closing brackets and quotes with the sentence they end.
        let cut = cut
            + rest[cut..]
                .chars()
                .take_while(|c| matches!(c, '」' | '』' | '）' | ')'))
                .map(char::len_utf8)
                .sum::<usize>();
        let (sentence, tail) = rest.split_at(cut);
        rest = tail;
        Some(sentence)
    }))
}

#[derive(Default)]
struct PassageBuilder {
    passages: Vec<Passage>,
    headings: Vec<(u8, String)>,
    page: u32,
    start_page: u32,
    current: String,
    current_chars: usize,
    current_headings: Vec<String>,
    /// The page of the innermost heading while no text has followed it.
    bare_heading_page: Option<u32>,
}

impl PassageBuilder {
    fn heading(&mut self, level: u8, text: &str) {
        // A passage never spans two headings, however short: its heading path must be
        // the one a reader would cite.
        self.flush();
        self.emit_bare_heading();
        while self.headings.last().is_some_and(|(l, _)| *l >= level) {
            self.headings.pop();
        }
        self.headings.push((level, text.to_owned()));
        self.bare_heading_page = Some(self.page);
    }

    /// A heading that no text followed becomes a passage of its own words.
    fn emit_bare_heading(&mut self) {
        let Some(page) = self.bare_heading_page.take() else { return };
        let Some((_, text)) = self.headings.last() else { return };
        self.passages.push(Passage {
            ordinal: u32::try_from(self.passages.len()).unwrap_or(u32::MAX),
            page,
            heading_path: self.headings.iter().map(|(_, h)| h.clone()).collect(),
            text: text.clone(),
        });
    }

    fn sentence(&mut self, sentence: &str) {
        self.bare_heading_page = None;
        let n_chars = sentence.chars().count();
        if self.current_chars > 0 && self.current_chars + n_chars > MAX_PASSAGE_CHARS {
            self.flush();
        }
        if n_chars > MAX_PASSAGE_CHARS {
            for piece in split_long(sentence) {
                self.sentence(piece);
            }
            return;
        }
        if self.current.is_empty() {
            self.start_page = self.page;
            self.current_headings = self.headings.iter().map(|(_, h)| h.clone()).collect();
        } else if !self.current.ends_with(['。', '！', '？']) || sentence.contains('\t') {
            self.current.push('\n');
        }
        self.current.push_str(sentence);
        self.current_chars += n_chars;
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.current);
        self.current_chars = 0;
        if text.trim().is_empty() {
            return;
        }
        self.passages.push(Passage {
            ordinal: u32::try_from(self.passages.len()).unwrap_or(u32::MAX),
            page: self.start_page,
            heading_path: std::mem::take(&mut self.current_headings),
            text,
        });
    }
}

/// Cuts an over-long sentence at 、 or, failing that, every `MAX_PASSAGE_CHARS` characters.
fn split_long(sentence: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = sentence;
    while rest.chars().count() > MAX_PASSAGE_CHARS {
        let limit = rest.char_indices().nth(MAX_PASSAGE_CHARS).map_or(rest.len(), |(i, _)| i);
        let cut = rest[..limit].rfind('、').map_or(limit, |i| i + '、'.len_utf8());
        let cut = if cut == 0 { limit } else { cut };
        pieces.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;

    fn doc(pages: &[&str]) -> Extracted {
        let pages = pages
            .iter()
            .enumerate()
            .map(|(i, text)| Page {
                number: i as u32 + 1,
                text: (*text).to_owned(),
                headings: vec![],
            })
            .collect();
        Extracted::new(Format::Text, pages)
    }

    #[test]
    fn a_decimal_number_is_not_a_numbered_heading() {
        assert_eq!(heading_level("97.5%以上(現年)"), None);
        assert_eq!(heading_level("1.2倍に拡大"), None);
        assert_eq!(heading_level("2.行政サービスの効率化"), Some(3));
        assert_eq!(heading_level("3 組織の見直し"), Some(3));
    }

    #[test]
    fn recognises_numbered_headings() {
        for (line, expected) in [
            ("第1 ポリシー策定の背景と考え方", Some(2)),
            ("第2章 行政経営の方針", Some(1)),
            ("1 芽室町行政経営ポリシー策定までの経過", Some(3)),
            ("(1) 事務事業の見直し", Some(4)),
            ("① 窓口サービスの向上", Some(5)),
            ("【基本方針】", Some(3)),
            ("【取組項目1】公共施設の適正配置", Some(3)),
            ("■ 推進体制", Some(4)),
            ("芽室町では、昭和61年度に第1次行政改革大綱を策定しました。", None),
            ("第1次芽室町行政改革大綱", None),
            ("2019年度から実施する", None),
        ] {
            assert_eq!(heading_level(line), expected, "{line}");
        }
    }

    #[test]
    fn passages_keep_heading_path_and_page() {
        let body = "行政改革を進めてきました。".repeat(10);
        let extracted =
            doc(&[&format!("第1 背景\n1 経過\n{body}\n(1) 課題\n{body}"), "本文の続きです。"]);
        let passages = segment(&extracted);
        assert_eq!(passages[0].heading_path, ["第1 背景"]);
        assert!(passages[0].is_heading_only());
        assert_eq!(passages[1].heading_path, ["第1 背景", "1 経過"]);
        assert_eq!(passages[2].heading_path, ["第1 背景", "1 経過", "(1) 課題"]);
        assert_eq!(passages.last().unwrap().page, 2);
    }

    #[test]
    fn short_sections_keep_their_own_headings() {
        let extracted = doc(&[
            "1 組織機構の見直し\n組織を見直します。\n2 定員管理の適正化\n定員を管理します。\n3 公共施設の統廃合\n施設を統合します。",
        ]);
        let passages = segment(&extracted);
        let headings: Vec<String> = passages.iter().map(Passage::heading).collect();
        assert_eq!(headings, ["1 組織機構の見直し", "2 定員管理の適正化", "3 公共施設の統廃合"]);
    }

    #[test]
    fn headings_without_text_become_passages_of_their_own() {
        let extracted = doc(&[
            "第2章 重点取組\n(1)民間委託等の推進\n(2)組織機構の見直し\n職員を再配置します。",
            "(3)定員管理の適正化",
        ]);
        let passages = segment(&extracted);
        let shown: Vec<(u32, String, &str)> =
            passages.iter().map(|p| (p.page, p.heading(), p.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                (1, "第2章 重点取組".to_owned(), "第2章 重点取組"),
                (1, "第2章 重点取組 > (1)民間委託等の推進".to_owned(), "(1)民間委託等の推進"),
                (1, "第2章 重点取組 > (2)組織機構の見直し".to_owned(), "職員を再配置します。"),
                (2, "第2章 重点取組 > (3)定員管理の適正化".to_owned(), "(3)定員管理の適正化"),
            ]
        );
        assert!(passages.iter().enumerate().all(|(i, p)| p.ordinal as usize == i));
    }

    #[test]
    fn long_text_is_cut_between_sentences() {
        let sentence = "公共施設の老朽化に対応するため、計画的な保全を進めます。";
        let extracted = doc(&[&sentence.repeat(60)]);
        let passages = segment(&extracted);
        assert!(passages.len() > 1);
        for passage in &passages {
            let n = passage.text.chars().count();
            assert!(n <= MAX_PASSAGE_CHARS, "{n}");
            assert!(passage.text.ends_with('。'));
        }
    }
}
