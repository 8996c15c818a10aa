//! Plain text files: decode (UTF-8 with or without BOM, Shift_JIS, EUC-JP) and return one page.

use crate::extract::{ExtractError, SourceHints};
use crate::model::{Extracted, Format, Page};

pub(crate) fn extract_text(bytes: &[u8], hints: &SourceHints) -> Result<Extracted, ExtractError> {
    if looks_binary(bytes) {
        return Err(ExtractError::Unsupported(
            "binary data, not a PDF, a web page or text".to_owned(),
        ));
    }
    let (text, encoding, warnings) = decode_text(bytes, hints.charset.as_deref());
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut extracted =
        Extracted::new(Format::Text, vec![Page { number: 1, text, headings: vec![] }]);
    extracted.encoding = Some(encoding);
    extracted.warnings = warnings;
    Ok(extracted)
}

/// Decodes bytes of unknown encoding: BOM, then a known charset, then UTF-8 if valid,
/// then a guess with a Japanese hint. Returns the text, the encoding with how it was
/// decided, and warnings.
fn decode_text(bytes: &[u8], charset: Option<&str>) -> (String, String, Vec<String>) {
    let mut warnings = Vec::new();
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), format!("{} (bom)", encoding.name()), warnings);
    }
    if let Some(encoding) =
        charset.and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
    {
        let (text, _, had_errors) = encoding.decode(bytes);
        if had_errors {
            warnings.push(format!("replacement characters when decoding as {}", encoding.name()));
        }
        return (text.into_owned(), format!("{} (declared)", encoding.name()), warnings);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), "UTF-8 (valid)".to_owned(), warnings);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(Some(b"jp"), true);
    let (text, _, had_errors) = encoding.decode(bytes);
    if had_errors {
        let count = text.chars().filter(|&c| c == '\u{FFFD}').count();
        warnings
            .push(format!("{count} replacement characters when decoding as {}", encoding.name()));
    }
    (text.into_owned(), format!("{} (detected)", encoding.name()), warnings)
}

/// Whether bytes without a PDF header or HTML markup are binary rather than text: a NUL
/// byte, or more than 2% C0 control characters other than tab, line breaks, form feed and
/// escape (ISO-2022-JP), in the first 64 KiB. UTF-16 text is recognised by its BOM first.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return false;
    }
    let head = &bytes[..bytes.len().min(65_536)];
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    head.contains(&0) || controls * 50 > head.len()
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
        assert!(looks_binary(&random));
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("芽室町行政経営ポリシー\n\t第1章");
        assert!(!looks_binary(&sjis));
        assert!(!looks_binary("\u{FEFF}所沢市".as_bytes()));
    }

    #[test]
    fn decodes_shift_jis_without_declaration() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("芽室町行政経営ポリシーの策定について");
        let (text, encoding, _) = decode_text(&bytes, None);
        assert_eq!(text, "芽室町行政経営ポリシーの策定について");
        assert!(encoding.starts_with("Shift_JIS"), "{encoding}");
    }

    #[test]
    fn strips_utf8_bom() {
        let (text, encoding, _) = decode_text("\u{FEFF}所沢市".as_bytes(), None);
        assert_eq!(text, "所沢市");
        assert_eq!(encoding, "UTF-8 (bom)");
    }
}
