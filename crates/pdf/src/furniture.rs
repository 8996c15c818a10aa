//! Page furniture: running headers, footers and page numbers, found by what repeats at
//! the top or bottom of most pages, and dot leaders of tables of contents. What is
//! removed is returned so that the caller can keep it under `removed`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::layout::Fragment;
use gyokaku_extract_model::Removed;

/// The page box in the same space as the fragments: (x0, y0, x1, y1).
pub(crate) type PageBox = (f32, f32, f32, f32);

/// Share of the page height at the top and bottom where furniture lives.
const BAND: f32 = 0.07;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Band {
    Top,
    Bottom,
}

fn band_of(fragment: &Fragment, page: PageBox) -> Option<Band> {
    let height = (page.3 - page.1).abs().max(1.0);
    let (_, y0, _, y1) = fragment.bbox;
    if y0 >= page.3 - BAND * height {
        Some(Band::Top)
    } else if y1 <= page.1 + BAND * height + fragment.size {
        Some(Band::Bottom)
    } else {
        None
    }
}

pub(crate) fn page_number_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"^(?:[-‐‑–—―ー(〈]*\s*(?:[pP]\.?\s*)?\d{1,4}\s*[-‐‑–—―ー)〉]*|\d{1,4}\s*/\s*\d{1,4}|第?\d{1,4}頁|[-‐–—―]\s*[ivxIVX]{1,6}\s*[-‐–—―])$")
            .unwrap_or_else(|_| Regex::new("^$").unwrap_or_else(|_| unreachable!()))
    })
}

fn normalized(text: &str) -> String {
    text.nfkc().filter(|ch| !ch.is_whitespace()).collect()
}

/// A fragment's identity across pages: its text with digits blurred, and its band.
fn repeat_key(fragment: &Fragment, band: Band) -> (Band, String) {
    let text: String = normalized(&fragment.text)
        .chars()
        .map(|ch| if ch.is_ascii_digit() { '#' } else { ch })
        .collect();
    (band, text)
}

/// Removes running headers, footers, page numbers and specks from pages read by OCR,
/// where there are only lines of text, no positions: a first or last line that repeats
/// (digits blurred) on at least half of the OCR'd pages, a first or last line that is a
/// page number, and lines of one character that is not Japanese (scanner specks read as
/// `O` or `.`).
pub(crate) fn remove_ocr_furniture(
    pages: &mut [&mut gyokaku_extract_model::Page],
    removed: &mut Vec<Removed>,
) {
    const EDGE_LINES: usize = 2;
    let key = |line: &str| -> String {
        normalized(line).chars().map(|ch| if ch.is_ascii_digit() { '#' } else { ch }).collect()
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in pages.iter() {
        let lines: Vec<&str> = page.text.lines().collect();
        let mut keys: HashSet<String> = HashSet::new();
        for (i, line) in lines.iter().enumerate() {
            if i < EDGE_LINES || i + EDGE_LINES >= lines.len() {
                keys.insert(key(line));
            }
        }
        for k in keys {
            *counts.entry(k).or_default() += 1;
        }
    }
    let n_pages = pages.len();
    let repeated = |k: &str| counts.get(k).is_some_and(|&n| n >= 2 && 2 * n >= n_pages);
    for page in pages.iter_mut() {
        let lines: Vec<&str> = page.text.lines().collect();
        let n = lines.len();
        let mut kept = Vec::with_capacity(n);
        for (i, line) in lines.iter().enumerate() {
            let edge = i < EDGE_LINES || i + EDGE_LINES >= n;
            let k = key(line);
            let kind = if edge && repeated(&k) && !k.is_empty() {
                Some(if i < EDGE_LINES { "header" } else { "footer" })
            } else if edge && page_number_pattern().is_match(&normalized(line)) {
                Some("page-number")
            } else if k.chars().count() == 1 && !k.chars().all(super::layout::is_cjk) {
                Some("ocr-speck")
            } else {
                None
            };
            match kind {
                Some(kind) => removed.push(Removed {
                    page: page.number,
                    kind: kind.to_owned(),
                    text: (*line).to_owned(),
                }),
                None => kept.push(*line),
            }
        }
        if kept.len() != n {
            // Heading marks point into the old text; they are dropped rather than shifted
            // wrongly (the segmenter still finds numbered headings in the text).
            page.headings.clear();
            page.text = kept.join("\n");
        }
    }
}

/// Removes running headers, footers and page numbers from every page's fragments.
///
/// Only text no larger than the body text counts: a chapter heading at the top of a page
/// is not a running header even when its number changes like a page number.
pub(crate) fn remove_furniture(
    pages: &mut [(u32, PageBox, Vec<Fragment>)],
    removed: &mut Vec<Removed>,
) {
    let n_pages = pages.len();
    let sizes =
        pages.iter().flat_map(|(_, _, fragments)| fragments.iter().map(|f| f.size)).collect();
    let body_size = super::layout::median(sizes).unwrap_or(10.0);
    let mut seen_on: HashMap<(Band, String), HashSet<u32>> = HashMap::new();
    for (number, page_box, fragments) in pages.iter() {
        for fragment in fragments {
            if let Some(band) = band_of(fragment, *page_box) {
                seen_on.entry(repeat_key(fragment, band)).or_default().insert(*number);
            }
        }
    }
    let threshold = (n_pages.div_ceil(2)).max(2);
    let numbered = page_number_candidates(pages);
    let numbered_pages = |band: Band| {
        numbered
            .iter()
            .filter(|(b, _)| *b == band)
            .map(|(_, page)| page)
            .collect::<HashSet<_>>()
            .len()
    };
    let page_numbers_in = |band: Band| n_pages == 1 || numbered_pages(band) >= threshold;
    for (number, page_box, fragments) in pages.iter_mut() {
        let alone: Vec<bool> = (0..fragments.len())
            .map(|i| band_of(&fragments[i], *page_box).is_some() && alone_on_line(fragments, i))
            .collect();
        let mut index = 0;
        fragments.retain(|fragment| {
            let is_alone = alone[index];
            index += 1;
            let Some(band) = band_of(fragment, *page_box) else { return true };
            if fragment.size > 1.15 * body_size {
                return true;
            }
            let kind = if is_alone
                && page_number_pattern().is_match(&normalized(&fragment.text))
                && page_numbers_in(band)
            {
                "page-number"
            } else if n_pages >= 2
                && seen_on
                    .get(&repeat_key(fragment, band))
                    .is_some_and(|pages| pages.len() >= threshold)
            {
                if band == Band::Top { "header" } else { "footer" }
            } else {
                return true;
            };
            removed.push(Removed {
                page: *number,
                kind: kind.to_owned(),
                text: fragment.text.clone(),
            });
            false
        });
    }
}

/// Whether a fragment has its line to itself (a page number does; a list number
/// starting a line of text does not).
fn alone_on_line(fragments: &[Fragment], index: usize) -> bool {
    let me = &fragments[index];
    fragments.iter().enumerate().all(|(i, other)| {
        i == index || other.orientation != me.orientation || (other.c - me.c).abs() > 0.5 * me.size
    })
}

/// (band, page) for every fragment that looks like a page number and is alone on its line.
fn page_number_candidates(pages: &[(u32, PageBox, Vec<Fragment>)]) -> Vec<(Band, u32)> {
    let mut out = Vec::new();
    for (number, page_box, fragments) in pages {
        for (i, fragment) in fragments.iter().enumerate() {
            if let Some(band) = band_of(fragment, *page_box)
                && page_number_pattern().is_match(&normalized(&fragment.text))
                && alone_on_line(fragments, i)
            {
                out.push((band, *number));
            }
        }
    }
    out
}

fn leader_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"[.・·‥…．･・ 　]{4,}|[.・·‥…．･]{3,}")
            .unwrap_or_else(|_| Regex::new("^$").unwrap_or_else(|_| unreachable!()))
    })
}

/// Replaces dot leaders (`目次……… 3`) by a tab, recording what was removed.
pub fn remove_dot_leaders(page: u32, text: &str, removed: &mut Vec<Removed>) -> String {
    let pattern = leader_pattern();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for found in pattern.find_iter(text) {
        let run = found.as_str();
        let dots = run.chars().filter(|ch| !ch.is_whitespace()).count();
        if dots < 3 {
            continue;
        }
        out.push_str(&text[last..found.start()]);
        out.push('\t');
        removed.push(Removed { page, kind: "dot-leader".into(), text: run.to_owned() });
        last = found.end();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Orientation;

    fn fragment(text: &str, y: f32) -> Fragment {
        Fragment {
            text: text.into(),
            a0: 50.0,
            a1: 150.0,
            c: -y,
            size: 10.0,
            orientation: Orientation::Horizontal,
            bbox: (50.0, y, 150.0, y + 10.0),
        }
    }

    #[test]
    fn page_numbers_and_running_headers_are_removed() {
        let page_box = (0.0, 0.0, 600.0, 800.0);
        let mut pages: Vec<(u32, PageBox, Vec<Fragment>)> = (1..=3)
            .map(|n| {
                let body = fragment(&format!("本文{n}"), 400.0);
                let header = fragment("芽室町行政改革大綱", 780.0);
                let footer = fragment(&format!("- {n} -"), 20.0);
                (n, page_box, vec![header, body, footer])
            })
            .collect();
        let mut removed = Vec::new();
        remove_furniture(&mut pages, &mut removed);
        assert!(pages.iter().all(|(_, _, fragments)| fragments.len() == 1));
        assert_eq!(removed.iter().filter(|r| r.kind == "page-number").count(), 3);
        assert_eq!(removed.iter().filter(|r| r.kind == "header").count(), 3);
    }

    #[test]
    fn list_numbers_at_the_top_of_a_page_stay() {
        let page_box = (0.0, 0.0, 600.0, 800.0);
        let mut number = fragment("(1)", 780.0);
        number.a1 = 70.0;
        let mut text = fragment("公共施設の再編", 780.0);
        text.a0 = 90.0;
        let mut pages = vec![(1, page_box, vec![number, text])];
        let mut removed = Vec::new();
        remove_furniture(&mut pages, &mut removed);
        assert!(removed.is_empty(), "{removed:?}");
        assert_eq!(pages[0].2.len(), 2);
    }

    #[test]
    fn dot_leaders_become_tabs() {
        let mut removed = Vec::new();
        let text = remove_dot_leaders(1, "第1章 はじめに…………… 3\n1.5 倍", &mut removed);
        assert_eq!(text, "第1章 はじめに\t3\n1.5 倍");
        assert_eq!(removed.len(), 1);
    }
}
