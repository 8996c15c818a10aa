//! Web page extraction: charset decoding and CMS-aware main-text extraction (issue 4).
//!
//! Municipal plans are often published as pages of a CMS, wrapped in navigation,
//! accessibility widgets, breadcrumbs, contact blocks and page surveys, and older sites
//! still serve Shift_JIS or EUC-JP. This module turns such a page into one [`Page`] of
//! reading text plus fields:
//!
//! - `decode`: bytes → text, with the encoding and how it was decided;
//! - `content`: where the main text is (CMS markers, main elements, text density);
//! - `boilerplate`: what inside it is furniture, contact block or updated line;
//! - `render`: structure → lines, heading marks and links;
//! - `metadata`: title, updated date, department and phone.
//!
//! It knows nothing about the rest of the pipeline; [`extract_html`] is its main entry.
//!
//! Why a crate of its own (issue 10): web-page extraction needs scraper and encoding_rs,
//! not the dictionary or the index, so as a crate it builds and tests on its own (`cargo
//! test -p gyokaku-html`) and its fuzz target links only it. It also owns the one charset
//! decoder of the project ([`decode_page`], [`decode_text`]), which the crawler, the text-file
//! extractor and the manifest reader use too, and the one binary-file detector
//! ([`reject_binary`]). Public API: [`extract_html`], [`all_links`], the decoders, [`reject_binary`],
//! [`SourceHints`] and [`HtmlError`].

mod boilerplate;
mod content;
mod decode;

pub use decode::{Decoded, decode_page, decode_text};
mod dom;
mod metadata;
mod render;

use std::collections::HashMap;
use std::sync::LazyLock;

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node, Selector};
use thiserror::Error;

use self::boilerplate::RemovalKind;
use self::content::{Method, Region};
use self::render::{Rendered, Scope};
use gyokaku_extract_model::{Extracted, Format, HeadingMark, Link, Page, Removed};

/// Optional knowledge about a file that does not come from its bytes.
#[derive(Debug, Clone, Default)]
pub struct SourceHints {
    /// A charset known from HTTP headers (a sidecar file or a manifest column).
    pub charset: Option<String>,
}

#[derive(Debug, Error)]
pub enum HtmlError {
    #[error(
        "binary data, not a web page or text: {control} of the first {sampled} bytes are NUL \
         or control bytes"
    )]
    Binary { control: usize, sampled: usize },
}

/// How many bytes are sampled to tell binary data from text.
const BINARY_SAMPLE: usize = 8192;
/// Removed blocks are reported with at most this many characters each…
const REMOVED_TEXT_CHARS: usize = 200;
/// …and at most this many blocks per page.
const MAX_REMOVED: usize = 200;

/// Extracts the main text of a web page as one page.
pub fn extract_html(bytes: &[u8], hints: &SourceHints) -> Result<Extracted, HtmlError> {
    reject_binary(bytes)?;
    let decoded = decode::decode_page(bytes, hints.charset.as_deref());
    let html = Html::parse_document(&decoded.text);
    let mut warnings = decoded.warnings;

    let body = content::body(&html);
    let mut main = MainText::find(&html);
    let title = main.attach_title(&html);
    if main.rendered.text.is_empty() {
        let body_empty = dom::collapsed_text(body, 1).is_empty();
        warnings.push(if body_empty {
            "page body has no text".to_owned()
        } else {
            "no main text found in the page body: everything looked like navigation or \
             page furniture"
                .to_owned()
        });
    }
    let contact = main.contact(&html);

    let mut extracted = Extracted::new(
        Format::Html,
        vec![Page { number: 1, text: main.rendered.text, headings: main.rendered.headings }],
    );
    extracted.title = title;
    extracted.encoding = Some(decoded.description);
    extracted.warnings = warnings;
    extracted.removed = main.removed;
    extracted.links = main.rendered.links;
    extracted.updated = metadata::find_updated(&html);
    extracted.department = contact.department;
    extracted.phone = contact.phone;
    Ok(extracted)
}

/// Every link of a page, menus included, with its text (or its image's `alt`), for the
/// crawler: [`extract_html`]'s `links` hold only the main text's links, but a site's top
/// page reaches its plan section through menus. Decoded like [`extract_html`].
pub fn all_links(bytes: &[u8], http_charset: Option<&str>) -> Vec<Link> {
    static ANCHORS: LazyLock<Option<Selector>> =
        LazyLock::new(|| Selector::parse("a[href], area[href]").ok());
    static IMAGES: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("img[alt]").ok());
    let (Some(anchors), Some(images)) = (ANCHORS.as_ref(), IMAGES.as_ref()) else {
        return Vec::new();
    };
    let decoded = decode::decode_page(bytes, http_charset);
    let html = Html::parse_document(&decoded.text);
    let mut links: Vec<Link> = Vec::new();
    for element in html.select(anchors) {
        let url = element.value().attr("href").unwrap_or_default().trim().to_owned();
        let lower = url.to_ascii_lowercase();
        if url.is_empty()
            || url.starts_with('#')
            || ["javascript:", "mailto:", "tel:"].iter().any(|s| lower.starts_with(s))
        {
            continue;
        }
        let mut text =
            element.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            text = element
                .value()
                .attr("alt")
                .map(str::to_owned)
                .or_else(|| {
                    element
                        .select(images)
                        .find_map(|img| img.value().attr("alt").map(str::to_owned))
                })
                .unwrap_or_default();
        }
        if !links.iter().any(|link| link.url == url && link.text == text) {
            links.push(Link { text, url });
        }
    }
    links
}

/// Binary files have NUL and control bytes that no web page has (ESC aside, which
/// ISO-2022-JP uses). UTF-16 pages, with their NULs, announce themselves with a BOM.
/// Also used by `gyokaku::extract` for files that are not PDF.
pub fn reject_binary(bytes: &[u8]) -> Result<(), HtmlError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Ok(());
    }
    let sample = &bytes[..bytes.len().min(BINARY_SAMPLE)];
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    if control > 4 && control * 100 > sample.len() {
        return Err(HtmlError::Binary { control, sampled: sample.len() });
    }
    Ok(())
}

/// The rendered main region and what was cut from it.
struct MainText {
    region: Region,
    rendered: Rendered,
    removals: HashMap<NodeId, RemovalKind>,
    removed: Vec<Removed>,
}

impl MainText {
    /// Renders the best region; when it has no text, falls back to text density.
    fn find(html: &Html) -> MainText {
        let region = content::find_region(html);
        let main = MainText::render(html, region);
        if !main.rendered.text.is_empty() || main.region.method == Method::Density {
            return main;
        }
        MainText::render(html, content::density_region(content::body(html)))
    }

    fn render(html: &Html, region: Region) -> MainText {
        let root = html.tree.get(region.root).unwrap_or_else(|| html.tree.root());
        let stats = dom::text_stats(root, |_| false);
        let removals = boilerplate::find_removals(root, &stats);
        let rendered = render::render(&Scope {
            root,
            start: region.start,
            end: region.end,
            removals: &removals,
            tables_as_layout: false,
        });
        let removed = describe_removals(root, &removals);
        MainText { region, rendered, removals, removed }
    }

    fn root<'a>(&self, html: &'a Html) -> NodeRef<'a, Node> {
        html.tree.get(self.region.root).unwrap_or_else(|| html.tree.root())
    }

    /// The page title: the main region's h1; else a page h1 outside the region, which is
    /// then put at the top of the text as the gold convention of CMS pages has it; else
    /// the `<title>` without the site name; else the first heading.
    fn attach_title(&mut self, html: &Html) -> Option<String> {
        if let Some(h1) = self.rendered.first_h1() {
            return Some(h1.to_owned());
        }
        let root_id = self.region.root;
        let site = metadata::site_name(html);
        let outside_h1 = metadata::page_h1(html).filter(|(node, text)| {
            let is_site_logo = site.as_deref().is_some_and(|site| site.contains(text.as_str()));
            !is_site_logo
                && node.id() != root_id
                && !node.ancestors().any(|ancestor| ancestor.id() == root_id)
        });
        if let Some((_, h1)) = outside_h1 {
            self.prepend_heading(&h1);
            return Some(h1);
        }
        metadata::document_title(html).or_else(|| {
            let mark = self.rendered.headings.first()?;
            self.rendered.text[mark.start..].lines().next().map(str::to_owned)
        })
    }

    fn prepend_heading(&mut self, heading: &str) {
        let shift = heading.len() + 1;
        for mark in &mut self.rendered.headings {
            mark.start += shift;
        }
        self.rendered.headings.insert(0, HeadingMark { start: 0, level: 1 });
        self.rendered.text = if self.rendered.text.is_empty() {
            heading.to_owned()
        } else {
            format!("{heading}\n{}", self.rendered.text)
        };
    }

    /// Department and phone from the contact blocks cut from the region, else from
    /// contact blocks anywhere in the body.
    fn contact(&self, html: &Html) -> metadata::Contact {
        let root = self.root(html);
        let in_region = contact_from(root, &self.removals);
        if in_region.department.is_some() || in_region.phone.is_some() {
            return in_region;
        }
        let body = content::body(html);
        if body.id() == root.id() {
            return in_region;
        }
        let stats = dom::text_stats(body, |_| false);
        contact_from(body, &boilerplate::find_removals(body, &stats))
    }
}

fn contact_from(
    root: NodeRef<'_, Node>,
    removals: &HashMap<NodeId, RemovalKind>,
) -> metadata::Contact {
    let no_removals = HashMap::new();
    let lines: Vec<String> = root
        .descendants()
        .filter(|node| removals.get(&node.id()) == Some(&RemovalKind::Contact))
        .flat_map(|node| {
            render::render(&Scope {
                root: node,
                start: None,
                end: None,
                removals: &no_removals,
                tables_as_layout: true,
            })
            .lines()
        })
        .collect();
    metadata::parse_contact(&lines)
}

/// The text of each reported removal, in document order.
fn describe_removals(
    root: NodeRef<'_, Node>,
    removals: &HashMap<NodeId, RemovalKind>,
) -> Vec<Removed> {
    root.descendants()
        .filter_map(|node| {
            let kind = removals.get(&node.id())?;
            if *kind == RemovalKind::Silent {
                return None;
            }
            let text: String = dom::collapsed_text(node, REMOVED_TEXT_CHARS)
                .chars()
                .take(REMOVED_TEXT_CHARS)
                .collect();
            (!text.is_empty()).then(|| Removed { page: 1, kind: kind.label().to_owned(), text })
        })
        .take(MAX_REMOVED)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_bytes_are_binary_but_japanese_text_is_not() {
        let mut state: u32 = 12345;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (state >> 16) as u8
            })
            .collect();
        assert!(reject_binary(&random).is_err());
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("芽室町行政経営ポリシー\n\t第1章");
        assert!(reject_binary(&sjis).is_ok());
        assert!(reject_binary("\u{FEFF}所沢市".as_bytes()).is_ok());
        assert!(reject_binary(&[0xFF, 0xFE, 0x40, 0x62, 0, 0]).is_ok());
    }

    #[test]
    fn text_decoding_ignores_markup_declarations() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("<meta charset=euc-jp> 所沢市の計画");
        let decoded = decode_text(&sjis, Some("Shift_JIS"));
        assert_eq!(decoded.text, "<meta charset=euc-jp> 所沢市の計画");
        assert_eq!(decoded.description, "Shift_JIS (HTTP charset)");
        assert_eq!(decode_text("所沢".as_bytes(), None).description, "UTF-8 (detected)");
    }

    #[test]
    fn binary_junk_is_a_clear_error() {
        let junk: Vec<u8> =
            (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let err = extract_html(&junk, &SourceHints::default()).unwrap_err();
        assert!(err.to_string().starts_with("binary data"), "{err}");
    }

    #[test]
    fn empty_body_is_a_warning() {
        let extracted = extract_html(
            b"<html><head><title>t</title></head><body></body></html>",
            &SourceHints::default(),
        )
        .unwrap();
        assert_eq!(extracted.pages[0].text, "");
        assert_eq!(extracted.warnings, vec!["page body has no text".to_owned()]);
        assert_eq!(extracted.title.as_deref(), Some("t"));
    }
}
