//! Concordance (keyword in context): every occurrence of a word or phrase in the matching
//! passages, as left context | match | right context, with the passage's citation.
//!
//! It exists because corpus researchers read a term through its contexts, and want *all* of
//! them with their metadata, not a page of snippets. The passages come from [`crate::search`]
//! (the term as an exact phrase, with the same filters); the occurrences are found in the
//! normalised text and mapped back to the source, so `ヶ` finds `ケ` as the search does.
//! `gyokaku kwic` and the web app's KWIC page both print a [`KwicReport`].

use serde::Serialize;

use crate::index::{Filters, PassageIndex};
use crate::normalize::{normalize, normalize_with_offsets};
use crate::search::{SearchError, search};

/// Passages read for one concordance. A term in a tenth of a national corpus would be tens of
/// thousands of passages; beyond this the report says it is truncated.
pub const MAX_PASSAGES: usize = 20_000;

/// Characters of context shown on each side by default.
pub const DEFAULT_WIDTH: usize = 30;

/// The widest context accepted (a whole passage is at most 600 characters).
pub const MAX_WIDTH: usize = 300;

/// One occurrence of the term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KwicLine {
    pub left: String,
    #[serde(rename = "match")]
    pub matched: String,
    pub right: String,
    pub path: String,
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    pub title: Option<String>,
    pub year: Option<i64>,
    pub page: u64,
    pub heading: String,
}

/// Every occurrence of a term, in the search's order of passages, then by position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KwicReport {
    pub term: String,
    pub width: usize,
    /// Passages that contain the term.
    pub passages: usize,
    /// True when more than [`MAX_PASSAGES`] passages matched and only those were read.
    pub truncated: bool,
    pub lines: Vec<KwicLine>,
}

/// How to order the lines of a concordance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KwicSort {
    /// The search's order (best passages first).
    #[default]
    Relevance,
    /// By the left context read backwards from the match (the word just before it first).
    Left,
    /// By the right context.
    Right,
}

/// The concordance of `term` over the passages that match it as a phrase under `filters`.
pub fn kwic(
    index: &PassageIndex,
    term: &str,
    filters: &Filters,
    width: usize,
) -> Result<KwicReport, SearchError> {
    let width = width.clamp(1, MAX_WIDTH);
    let phrase = format!("\"{}\"", term.replace('"', ""));
    let outcome = search(index, &phrase, filters, MAX_PASSAGES)?;
    let needle = normalize(term.trim());
    let mut lines = Vec::new();
    let mut passages = 0;
    for shown in &outcome.hits {
        let hit = &shown.hit;
        let found = occurrences(&hit.text, &needle);
        if !found.is_empty() {
            passages += 1;
        }
        for (start, end) in found {
            let (left, matched, right) = context(&hit.text, start, end, width);
            lines.push(KwicLine {
                left,
                matched,
                right,
                path: hit.path.clone(),
                municipality: hit.municipality.clone(),
                prefecture: hit.prefecture.clone(),
                title: hit.title.clone(),
                year: hit.year,
                page: hit.page,
                heading: hit.heading.clone(),
            });
        }
    }
    Ok(KwicReport {
        term: term.to_owned(),
        width,
        passages,
        truncated: outcome.total > outcome.hits.len(),
        lines,
    })
}

/// Orders the lines as asked; ties keep the search's order.
pub fn sort_lines(lines: &mut [KwicLine], sort: KwicSort) {
    match sort {
        KwicSort::Relevance => {}
        KwicSort::Left => lines.sort_by_cached_key(|l| l.left.chars().rev().collect::<String>()),
        KwicSort::Right => lines.sort_by(|a, b| a.right.cmp(&b.right)),
    }
}

/// Byte spans of `needle` (already normalised) in `text`, as source offsets.
fn occurrences(text: &str, needle: &str) -> Vec<(usize, usize)> {
    if needle.is_empty() {
        return Vec::new();
    }
    let normalized = normalize_with_offsets(text);
    let mut spans: Vec<(usize, usize)> = normalized
        .text
        .match_indices(needle)
        .map(|(at, _)| (normalized.source_offset(at), normalized.source_offset(at + needle.len())))
        .filter(|(start, end)| start < end && text.is_char_boundary(*start))
        .filter(|(_, end)| text.is_char_boundary(*end))
        .collect();
    spans.dedup();
    spans
}

/// `width` characters on each side of `text[start..end]`, line breaks as spaces.
fn context(text: &str, start: usize, end: usize, width: usize) -> (String, String, String) {
    let flat = |s: &str| s.replace(['\n', '\r', '\t'], " ");
    let left: Vec<char> = text[..start].chars().collect();
    let left: String = left[left.len().saturating_sub(width)..].iter().collect();
    let right: String = text[end..].chars().take(width).collect();
    (flat(&left), flat(&text[start..end]), flat(&right))
}

/// The report as CSV (one line per occurrence), with a byte-order mark when `bom` so that
/// Excel reads it as UTF-8.
pub fn kwic_csv(report: &KwicReport, bom: bool) -> Result<Vec<u8>, csv::Error> {
    let mut buffer = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
    {
        let mut writer = csv::Writer::from_writer(&mut buffer);
        writer.write_record([
            "left",
            "match",
            "right",
            "municipality",
            "prefecture",
            "year",
            "page",
            "heading",
            "title",
            "path",
        ])?;
        for line in &report.lines {
            writer.write_record([
                line.left.as_str(),
                &line.matched,
                &line.right,
                line.municipality.as_deref().unwrap_or(""),
                line.prefecture.as_deref().unwrap_or(""),
                &line.year.map(|y| y.to_string()).unwrap_or_default(),
                &line.page.to_string(),
                &line.heading,
                line.title.as_deref().unwrap_or(""),
                &line.path,
            ])?;
        }
        writer.flush()?;
    }
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_map_back_to_the_source() {
        let text = "市民協働を進める。ｶﾞｲﾄﾞ市民協働";
        let spans = occurrences(text, &normalize("市民協働"));
        assert_eq!(spans.len(), 2);
        assert_eq!(&text[spans[0].0..spans[0].1], "市民協働");
    }

    #[test]
    fn context_is_cut_to_width_in_characters() {
        let text = "あいうえお市民協働かきくけこ";
        let start = text.find("市民").unwrap();
        let end = start + "市民協働".len();
        let (left, matched, right) = context(text, start, end, 2);
        assert_eq!((left.as_str(), matched.as_str(), right.as_str()), ("えお", "市民協働", "かき"));
    }

    #[test]
    fn left_sort_reads_the_left_context_backwards() {
        let line = |left: &str| KwicLine {
            left: left.to_owned(),
            matched: "x".to_owned(),
            right: String::new(),
            path: String::new(),
            municipality: None,
            prefecture: None,
            title: None,
            year: None,
            page: 1,
            heading: String::new(),
        };
        let mut lines = vec![line("ab"), line("ba")];
        sort_lines(&mut lines, KwicSort::Left);
        assert_eq!(lines[0].left, "ba");
    }
}
