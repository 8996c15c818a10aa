//! Charset decoding of web pages, before any parsing.
//!
//! Japanese municipal sites still serve Shift_JIS (really Windows-31J), EUC-JP and
//! ISO-2022-JP, sometimes undeclared, sometimes with a `<meta charset>` left over from an
//! older template. The order of evidence is: byte-order mark, then a charset known from
//! HTTP headers, then `<meta charset>` / `http-equiv`, then the XML declaration, then
//! detection. A declared label that produces replacement characters is cross-checked
//! against UTF-8 and the detector, so the result is never silent mojibake: the caller gets
//! the encoding, how it was decided and any doubts as warnings.

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8};
use regex::bytes::Regex;

/// How many bytes at the start of a page are searched for a charset declaration.
const PRESCAN_BYTES: usize = 8192;

/// The decoded text of a page and what is known about its encoding.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// E.g. `Shift_JIS (meta charset)`: the encoding and the evidence that chose it.
    pub description: String,
    pub warnings: Vec<String>,
}

/// Where a charset label came from, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    Bom,
    Http,
    Meta,
    XmlDeclaration,
    Detected,
}

impl Evidence {
    fn describe(self) -> &'static str {
        match self {
            Evidence::Bom => "BOM",
            Evidence::Http => "HTTP charset",
            Evidence::Meta => "meta charset",
            Evidence::XmlDeclaration => "XML declaration",
            Evidence::Detected => "detected",
        }
    }
}

static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)"#)
        .expect("static regex is valid")
});

static XML_ENCODING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([a-z0-9_\-:.]+)["']"#)
        .expect("static regex is valid")
});

/// Decodes the bytes of a page. `http_charset` is a charset known from outside the bytes.
pub fn decode_page(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    decode(bytes, http_charset, true)
}

/// Decodes the bytes of a plain text file (or a manifest, a seeds list): the same evidence
/// as [`decode_page`] without the in-page declarations, which only markup has. `charset`
/// is a charset known from outside the bytes (HTTP, a sidecar, a manifest column).
pub fn decode_text(bytes: &[u8], charset: Option<&str>) -> Decoded {
    decode(bytes, charset, false)
}

/// The one decoder: BOM > outside charset > meta / XML declaration (markup only) >
/// valid UTF-8 > detection with a .jp hint, a declared charset cross-checked.
fn decode(bytes: &[u8], http_charset: Option<&str>, markup: bool) -> Decoded {
    let mut warnings = Vec::new();
    let declared_in_page = match declared_charset(bytes).filter(|_| markup) {
        Some((label, None)) => {
            warnings.push(format!("unknown charset `{label}` declared in the page; ignored"));
            None
        }
        Some((label, Some(encoding))) => Some((label, encoding)),
        None => None,
    };
    if let Some((bom_encoding, bom_len)) = Encoding::for_bom(bytes) {
        if let Some((label, declared)) = &declared_in_page
            && declared.output_encoding() != bom_encoding
        {
            warnings.push(format!(
                "page declares charset `{label}` but its byte-order mark says {}; the BOM wins",
                bom_encoding.name()
            ));
        }
        return finish(bom_encoding, Evidence::Bom, &bytes[bom_len..], warnings);
    }
    let http = http_charset.map(|label| (label.to_owned(), encoding_for_label(label)));
    let declared = match http {
        Some((label, None)) => {
            warnings.push(format!("unknown HTTP charset `{label}` ignored"));
            declared_in_page.map(|(label, encoding)| (label, encoding, Evidence::Meta))
        }
        Some((label, Some(encoding))) => Some((label, encoding, Evidence::Http)),
        None => declared_in_page.map(|(label, encoding)| (label, encoding, evidence_kind(bytes))),
    };
    match declared {
        Some((label, encoding, evidence)) => {
            decode_declared(bytes, &label, encoding, evidence, warnings)
        }
        None => decode_undeclared(bytes, warnings),
    }
}

/// Decodes with a declared encoding, unless it yields replacement characters and another
/// reading of the bytes is clean.
fn decode_declared(
    bytes: &[u8],
    label: &str,
    encoding: &'static Encoding,
    evidence: Evidence,
    mut warnings: Vec<String>,
) -> Decoded {
    let (text, replacements) = decode_counting(encoding, bytes);
    if replacements == 0 {
        return finish_text(text, encoding, evidence, replacements, warnings);
    }
    if encoding != UTF_8 && std::str::from_utf8(bytes).is_ok() {
        warnings.push(format!(
            "declared `{label}` ({}) but decoded as UTF-8: the bytes are valid UTF-8 and the \
             declared charset gives {replacements} replacement characters",
            evidence.describe()
        ));
        return finish(UTF_8, Evidence::Detected, bytes, warnings);
    }
    let guess = detect(bytes);
    if guess != encoding {
        let (guess_text, guess_replacements) = decode_counting(guess, bytes);
        if guess_replacements < replacements {
            warnings.push(format!(
                "declared `{label}` ({}) but decoded as {}: {replacements} replacement characters \
                 with the declared charset, {guess_replacements} with the detected one",
                evidence.describe(),
                guess.name()
            ));
            return finish_text(
                guess_text,
                guess,
                Evidence::Detected,
                guess_replacements,
                warnings,
            );
        }
    }
    finish_text(text, encoding, evidence, replacements, warnings)
}

/// Decodes bytes that declare nothing: valid UTF-8 is UTF-8, else ask the detector.
fn decode_undeclared(bytes: &[u8], warnings: Vec<String>) -> Decoded {
    if std::str::from_utf8(bytes).is_ok() && !looks_like_iso_2022_jp(bytes) {
        return finish(UTF_8, Evidence::Detected, bytes, warnings);
    }
    finish(detect(bytes), Evidence::Detected, bytes, warnings)
}

fn finish(
    encoding: &'static Encoding,
    evidence: Evidence,
    bytes: &[u8],
    warnings: Vec<String>,
) -> Decoded {
    let (text, replacements) = decode_counting(encoding, bytes);
    finish_text(text, encoding, evidence, replacements, warnings)
}

fn finish_text(
    text: String,
    encoding: &'static Encoding,
    evidence: Evidence,
    replacements: usize,
    mut warnings: Vec<String>,
) -> Decoded {
    if replacements > 0 {
        warnings.push(format!(
            "{replacements} replacement characters (U+FFFD) after decoding as {}",
            encoding.name()
        ));
    }
    Decoded {
        text,
        description: format!("{} ({})", encoding.name(), evidence.describe()),
        warnings,
    }
}

/// Decodes without BOM sniffing and counts the replacement characters the decoder added.
fn decode_counting(encoding: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    let replacements = text.matches('\u{FFFD}').count();
    let literal = count_subslice(bytes, "\u{FFFD}".as_bytes());
    let added = if encoding == UTF_8 { replacements.saturating_sub(literal) } else { replacements };
    (text.into_owned(), added)
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    if looks_like_iso_2022_jp(bytes) {
        return encoding_rs::ISO_2022_JP;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(Some(b"jp"), true)
}

/// Seven-bit text with JIS X 0208 escape sequences (`ESC $ B`, `ESC $ @`).
fn looks_like_iso_2022_jp(bytes: &[u8]) -> bool {
    bytes.is_ascii()
        && (count_subslice(bytes, b"\x1b$B") > 0 || count_subslice(bytes, b"\x1b$@") > 0)
}

fn count_subslice(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|window| *window == needle).count()
}

/// The charset a page declares about itself (meta or XML declaration): its label, and
/// the encoding if the label is known.
fn declared_charset(bytes: &[u8]) -> Option<(String, Option<&'static Encoding>)> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let head = strip_bom(head);
    let captures = XML_ENCODING.captures(head).or_else(|| META_CHARSET.captures(head))?;
    let label = String::from_utf8_lossy(captures.get(1)?.as_bytes()).into_owned();
    let encoding = encoding_for_label(&label);
    Some((label, encoding))
}

fn evidence_kind(bytes: &[u8]) -> Evidence {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    if XML_ENCODING.is_match(strip_bom(head)) { Evidence::XmlDeclaration } else { Evidence::Meta }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    match Encoding::for_bom(bytes) {
        Some((_, len)) => &bytes[len..],
        None => bytes,
    }
}

/// Maps a charset label to an encoding, knowing the Windows aliases that the WHATWG list
/// lacks. UTF-16 labels in a page mean UTF-8, as browsers treat them.
fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let lower = label.trim().to_ascii_lowercase();
    let encoding = match lower.as_str() {
        "cp932" | "ms932" | "windows-932" | "x-ms-cp932" | "sjis-win" | "shift_jisx0213" => {
            Some(encoding_rs::SHIFT_JIS)
        }
        "eucjp-win" | "eucjp-ms" | "euc-jis-2004" | "x-euc" => Some(encoding_rs::EUC_JP),
        "iso-2022-jp-1" | "iso-2022-jp-2" | "iso-2022-jp-3" => Some(encoding_rs::ISO_2022_JP),
        _ => Encoding::for_label(lower.as_bytes()),
    }?;
    Some(encoding.output_encoding())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "行政改革大綱①Ⅰ㈱～の策定について。本市では令和2年度から取り組みます。";

    fn page(charset_meta: &str, body: &str) -> String {
        format!(
            "<html><head>{charset_meta}<title>t</title></head><body><p>{body}</p></body></html>"
        )
    }

    fn check(bytes: &[u8], http: Option<&str>, expect_encoding: &str) -> Decoded {
        let decoded = decode_page(bytes, http);
        assert_eq!(decoded.description, expect_encoding, "warnings: {:?}", decoded.warnings);
        assert!(decoded.text.contains(SAMPLE), "mojibake: {}", decoded.text);
        decoded
    }

    #[test]
    fn shift_jis_meta_charset_decodes_cp932_characters() {
        let html = page(r#"<meta charset="Shift_JIS">"#, SAMPLE);
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&html);
        assert!(!unmappable);
        let decoded = check(&bytes, None, "Shift_JIS (meta charset)");
        assert!(decoded.warnings.is_empty());
    }

    #[test]
    fn http_equiv_euc_jp() {
        let html = page(
            r#"<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">"#,
            "行政改革大綱の策定について",
        );
        let (bytes, _, _) = encoding_rs::EUC_JP.encode(&html);
        let decoded = decode_page(&bytes, None);
        assert_eq!(decoded.description, "EUC-JP (meta charset)");
        assert!(decoded.text.contains("行政改革大綱の策定について"));
    }

    #[test]
    fn windows_31j_and_cp932_labels_mean_shift_jis() {
        for label in ["Windows-31J", "cp932", "x-sjis", "MS932"] {
            assert_eq!(encoding_for_label(label), Some(encoding_rs::SHIFT_JIS), "{label}");
        }
    }

    #[test]
    fn bom_beats_stale_meta_and_warns() {
        let html = format!("\u{FEFF}{}", page(r#"<meta charset="Shift_JIS">"#, SAMPLE));
        let decoded = check(html.as_bytes(), None, "UTF-8 (BOM)");
        assert!(decoded.warnings[0].contains("Shift_JIS"), "{:?}", decoded.warnings);
    }

    #[test]
    fn http_charset_beats_meta() {
        let html = page(r#"<meta charset="EUC-JP">"#, SAMPLE);
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&html);
        check(&bytes, Some("shift_jis"), "Shift_JIS (HTTP charset)");
    }

    #[test]
    fn unknown_http_charset_falls_back_to_meta_with_warning() {
        let html = page(r#"<meta charset="Shift_JIS">"#, SAMPLE);
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&html);
        let decoded = check(&bytes, Some("x-nonsense"), "Shift_JIS (meta charset)");
        assert!(decoded.warnings[0].contains("x-nonsense"), "{:?}", decoded.warnings);
    }

    #[test]
    fn undeclared_shift_jis_is_detected() {
        let html = page("", SAMPLE);
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&html);
        check(&bytes, None, "Shift_JIS (detected)");
    }

    #[test]
    fn undeclared_iso_2022_jp_is_detected() {
        let html = page("", "行政改革大綱の策定について");
        let (bytes, _, _) = encoding_rs::ISO_2022_JP.encode(&html);
        let decoded = decode_page(&bytes, None);
        assert_eq!(decoded.description, "ISO-2022-JP (detected)");
        assert!(decoded.text.contains("行政改革大綱の策定について"));
    }

    #[test]
    fn wrong_declaration_with_valid_utf8_falls_back_to_utf8_with_warning() {
        let html = page(r#"<meta charset="EUC-JP">"#, SAMPLE);
        let decoded = check(html.as_bytes(), None, "UTF-8 (detected)");
        assert!(decoded.warnings[0].contains("declared `EUC-JP`"), "{:?}", decoded.warnings);
    }

    #[test]
    fn wrong_declaration_with_shift_jis_bytes_uses_detector() {
        let html = page(r#"<meta charset="EUC-JP">"#, SAMPLE);
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&html);
        let decoded = check(&bytes, None, "Shift_JIS (detected)");
        assert!(decoded.warnings[0].contains("declared `EUC-JP`"), "{:?}", decoded.warnings);
    }

    #[test]
    fn xml_declaration_is_evidence() {
        let html = format!(
            "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n{}",
            page("", "行政改革大綱の策定について")
        );
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&html);
        let decoded = decode_page(&bytes, None);
        assert_eq!(decoded.description, "Shift_JIS (XML declaration)");
    }

    #[test]
    fn unknown_declared_charset_is_named_in_a_warning() {
        let html = page(r#"<meta charset="x-gyokaku-unknown-9">"#, SAMPLE);
        let decoded = check(html.as_bytes(), None, "UTF-8 (detected)");
        assert!(decoded.warnings[0].contains("x-gyokaku-unknown-9"), "{:?}", decoded.warnings);
    }

    #[test]
    fn replacement_characters_are_counted() {
        let mut bytes = page(r#"<meta charset="utf-8">"#, "行政").into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\xff");
        let decoded = decode_page(&bytes, None);
        assert!(decoded.warnings.iter().any(|w| w.contains("replacement characters")));
    }
}
