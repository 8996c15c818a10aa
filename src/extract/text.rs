//! Plain text files: decode (UTF-8 with or without BOM, Shift_JIS, EUC-JP) and split into pages.
//!
//! Plain text of a plan is usually a conversion of a PDF (pdftotext, a document-hosting site's
//! transcript), so it carries the PDF's page structure in its own way: form feeds between pages,
//! or `Page 2:` markers, each followed on many sites by the same preview of the document. Both
//! become page breaks (so passages cite the right page), the repeated preview is dropped, and
//! dot leaders of a table of contents (`民間委託の推進・・・・ 8`) become a tab, as in PDFs.

use std::sync::LazyLock;

use regex::Regex;

use crate::extract::html::decode_text;
use crate::extract::pdf::remove_dot_leaders;
use crate::extract::{ExtractError, SourceHints};
use crate::model::{Extracted, Format, Page, Removed};

pub(crate) fn extract_text(bytes: &[u8], hints: &SourceHints) -> Result<Extracted, ExtractError> {
    // The one binary-file detector; `extract` has already applied it, the check here keeps
    // this function safe on its own.
    crate::extract::html::reject_binary(bytes).map_err(ExtractError::from)?;
    let decoded = decode_text(bytes, hints.charset.as_deref());
    let (text, encoding, warnings) = (decoded.text, decoded.description, decoded.warnings);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut removed = Vec::new();
    let pages = split_pages(&text, &mut removed);
    let mut extracted = Extracted::new(Format::Text, pages);
    extracted.encoding = Some(encoding);
    extracted.warnings = warnings;
    extracted.removed = removed;
    Ok(extracted)
}

/// A page marker of a transcript: `Page 12:` at the start of a line, then (often) a preview.
static PAGE_MARKER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*Page\s+([0-9]{1,5})\s*:\s*(.*)$").ok());

/// Pages of a text: at form feeds and at `Page N:` markers (numbered by the marker).
fn split_pages(text: &str, removed: &mut Vec<Removed>) -> Vec<Page> {
    let mut pages: Vec<Page> = Vec::new();
    let mut current = String::new();
    let mut number = 1_u32;
    let mut previews: Vec<String> = Vec::new();
    let finish = |current: &mut String, number: u32, pages: &mut Vec<Page>, removed: &mut _| {
        let text = std::mem::take(current);
        if !text.trim().is_empty() || pages.is_empty() {
            let text = remove_dot_leaders(number, &text, removed);
            pages.push(Page { number, text, headings: vec![] });
        }
    };
    for line in text.split('\n') {
        for (i, piece) in line.split('\u{0C}').enumerate() {
            if i > 0 {
                finish(&mut current, number, &mut pages, removed);
                number += 1;
            }
            let marker = PAGE_MARKER.as_ref().and_then(|re| re.captures(piece));
            let Some(marker) = marker else {
                current.push_str(piece);
                current.push('\n');
                continue;
            };
            let marked: u32 = marker[1].parse().unwrap_or(number);
            // Text before the first marker (a site's header) belongs to the first page.
            if !(pages.is_empty() && previews.is_empty()) {
                finish(&mut current, number, &mut pages, removed);
            }
            number = marked.max(1);
            let preview = marker[2].trim().to_owned();
            if previews.contains(&preview) {
                removed.push(Removed { page: number, kind: "page-preview".into(), text: preview });
            } else if !preview.is_empty() {
                current.push_str(&preview);
                current.push('\n');
                previews.push(preview);
            }
        }
    }
    finish(&mut current, number, &mut pages, removed);
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(text: &str) -> Vec<(u32, String)> {
        let mut removed = Vec::new();
        split_pages(text, &mut removed).into_iter().map(|p| (p.number, p.text)).collect()
    }

    #[test]
    fn page_markers_and_form_feeds_break_pages() {
        let text = "Page 1: 第三次行政改革大綱 本市においては\n目 次\n1.目的・・・・・・・・2\n\
                    Page 2: 第三次行政改革大綱 本市においては\n本文です。\n\u{0C}次の頁。";
        let got = pages(text);
        assert_eq!(
            got,
            [
                (1, "第三次行政改革大綱 本市においては\n目 次\n1.目的\t2\n".to_owned()),
                (2, "本文です。\n\n".to_owned()),
                (3, "次の頁。\n".to_owned()),
            ]
        );
        assert_eq!(pages("本文のみ。"), [(1, "本文のみ。\n".to_owned())]);
    }

    #[test]
    fn decodes_shift_jis_without_declaration() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("芽室町行政経営ポリシーの策定について");
        let decoded = decode_text(&bytes, None);
        assert_eq!(decoded.text, "芽室町行政経営ポリシーの策定について");
        assert!(decoded.description.starts_with("Shift_JIS"), "{}", decoded.description);
    }

    #[test]
    fn decodes_seven_bit_iso_2022_jp_text() {
        let (bytes, _, _) = encoding_rs::ISO_2022_JP.encode("行政改革大綱");
        let extracted = extract_text(&bytes, &SourceHints::default()).unwrap();
        assert_eq!(extracted.pages[0].text, "行政改革大綱\n");
        assert_eq!(extracted.encoding.as_deref(), Some("ISO-2022-JP (detected)"));
    }

    #[test]
    fn strips_utf8_bom() {
        let decoded = decode_text("\u{FEFF}所沢市".as_bytes(), None);
        assert_eq!(decoded.text, "所沢市");
        assert_eq!(decoded.description, "UTF-8 (BOM)");
    }
}
