//! Fonts: how the bytes of a shown string split into codes, what Unicode text each code
//! stands for, and how far each glyph advances.
//!
//! Sources of text, in order: the font's `/ToUnicode` CMap; for composite (Type0) fonts
//! the code's Unicode value under a Unicode-based predefined CMap, or its CID through the
//! Adobe collection's CID → Unicode table, or the embedded TrueType font's `cmap` read
//! backwards; for simple fonts the `/Encoding` (base encoding + `/Differences`) through
//! glyph names.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::cmap::{CMap, Code, parse_cmap};
use super::objects::{self, Budget, LimitHit};
use super::tables::{self, BaseEncoding, Collection, Predefined, PredefinedKind};

/// One glyph of a shown string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DecodedGlyph {
    /// The text the glyph stands for; empty when the font gives no way to know.
    pub(crate) text: String,
    /// Horizontal advance in text space units per unit of font size (w0 / 1000).
    pub(crate) width: f32,
    /// Vertical advance (w1y / 1000, negative downwards) for vertical fonts.
    pub(crate) vertical_advance: f32,
    /// Whether word spacing applies (the single-byte code 32).
    pub(crate) is_word_space: bool,
    /// True when no mapping to Unicode was found.
    pub(crate) unmapped: bool,
}

/// How codes of a composite font become CIDs.
#[derive(Debug, Clone)]
enum CidEncoding {
    Predefined(Predefined),
    Embedded(Box<CMap>),
}

#[derive(Debug, Clone)]
struct CompositeFont {
    encoding: CidEncoding,
    collection: Option<Collection>,
    /// CID → text from an embedded TrueType font's cmap (via CIDToGIDMap).
    truetype_unicode: HashMap<u32, char>,
    prefer_truetype: bool,
    widths: HashMap<u32, f32>,
    default_width: f32,
    vertical_advances: HashMap<u32, f32>,
    default_vertical_advance: f32,
}

#[derive(Debug, Clone)]
struct SimpleFont {
    codes: Vec<Option<String>>,
    widths: Vec<Option<f32>>,
    default_width: f32,
    /// Glyph space → text space scale (0.001 except for Type3 fonts).
    scale: f32,
}

#[derive(Debug, Clone)]
enum FontKind {
    Simple(SimpleFont),
    Composite(Box<CompositeFont>),
}

/// A font ready to decode strings.
#[derive(Debug, Clone)]
pub(crate) struct Font {
    pub(crate) name: String,
    to_unicode: Option<CMap>,
    kind: FontKind,
    pub(crate) vertical: bool,
}

impl Font {
    /// Reads a font dictionary. Never fails on bad data: missing parts fall back to defaults.
    pub(crate) fn load(
        doc: &Document,
        dict: &Dictionary,
        budget: &Budget,
    ) -> Result<Font, LimitHit> {
        let name = objects::get_name(doc, dict, b"BaseFont").unwrap_or("(unnamed)").to_owned();
        let to_unicode = match objects::get_stream(doc, dict, b"ToUnicode") {
            Some(stream) => budget.stream_content(stream)?.map(|bytes| parse_cmap(&bytes)),
            None => None,
        }
        .filter(CMap::has_unicode);
        let subtype = objects::get_name(doc, dict, b"Subtype").unwrap_or("");
        let (kind, vertical) = if subtype == "Type0" {
            let (composite, vertical) = load_composite(doc, dict, budget, to_unicode.is_none())?;
            (FontKind::Composite(Box::new(composite)), vertical)
        } else {
            (FontKind::Simple(load_simple(doc, dict, subtype)), false)
        };
        Ok(Font { name, to_unicode, kind, vertical })
    }

    /// A font for text shown before any `Tf` or with a font that cannot be found.
    pub(crate) fn fallback() -> Font {
        let kind = FontKind::Simple(SimpleFont {
            codes: (0..=255u8)
                .map(|code| simple_code_text(None, BaseEncoding::Standard, code))
                .collect(),
            widths: Vec::new(),
            default_width: 500.0,
            scale: 0.001,
        });
        Font { name: "(none)".into(), to_unicode: None, kind, vertical: false }
    }

    /// Splits a shown string into glyphs.
    pub(crate) fn decode(&self, bytes: &[u8]) -> Vec<DecodedGlyph> {
        match &self.kind {
            FontKind::Simple(simple) => {
                bytes.iter().map(|&b| self.decode_simple(simple, b)).collect()
            }
            FontKind::Composite(composite) => self.decode_composite(composite, bytes),
        }
    }

    fn decode_simple(&self, simple: &SimpleFont, byte: u8) -> DecodedGlyph {
        let code = Code { value: u32::from(byte), n_bytes: 1 };
        let text = self
            .to_unicode
            .as_ref()
            .and_then(|cmap| cmap.unicode(code))
            .or_else(|| simple.codes.get(usize::from(byte)).cloned().flatten());
        let width =
            simple.widths.get(usize::from(byte)).copied().flatten().unwrap_or(simple.default_width);
        DecodedGlyph {
            unmapped: text.is_none(),
            text: text.unwrap_or_default(),
            width: width * simple.scale,
            vertical_advance: 0.0,
            is_word_space: byte == 32,
        }
    }

    fn decode_composite(&self, font: &CompositeFont, bytes: &[u8]) -> Vec<DecodedGlyph> {
        let mut glyphs = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let code = font.next_code(rest);
            rest = &rest[usize::from(code.n_bytes).min(rest.len()).max(1)..];
            let cid = font.cid(code);
            let text = self
                .to_unicode
                .as_ref()
                .and_then(|cmap| cmap.unicode(code))
                .or_else(|| font.text(code, cid));
            let width = font.widths.get(&cid).copied().unwrap_or(font.default_width);
            let vertical_advance =
                font.vertical_advances.get(&cid).copied().unwrap_or(font.default_vertical_advance);
            glyphs.push(DecodedGlyph {
                unmapped: text.is_none(),
                text: text.unwrap_or_default(),
                width: width / 1000.0,
                vertical_advance: vertical_advance / 1000.0,
                is_word_space: code.n_bytes == 1 && code.value == 32,
            });
        }
        glyphs
    }
}

impl CompositeFont {
    fn next_code(&self, bytes: &[u8]) -> Code {
        match &self.encoding {
            CidEncoding::Embedded(cmap) if cmap.has_codespace() => cmap.next_code(bytes),
            CidEncoding::Embedded(cmap) => {
                match cmap.usecmap.as_deref().and_then(tables::predefined_cmap) {
                    Some(predefined) => predefined_next_code(predefined, bytes),
                    None => cmap.next_code(bytes),
                }
            }
            CidEncoding::Predefined(predefined) => predefined_next_code(*predefined, bytes),
        }
    }

    fn cid(&self, code: Code) -> u32 {
        match &self.encoding {
            CidEncoding::Predefined(predefined) => predefined_cid(*predefined, code).unwrap_or(0),
            CidEncoding::Embedded(cmap) => cmap
                .cid(code)
                .or_else(|| {
                    let base = cmap.usecmap.as_deref().and_then(tables::predefined_cmap)?;
                    predefined_cid(base, code)
                })
                .unwrap_or(0),
        }
    }

    fn text(&self, code: Code, cid: u32) -> Option<String> {
        if let CidEncoding::Predefined(predefined) = &self.encoding
            && let Some(text) = predefined_unicode(*predefined, code)
        {
            return Some(text);
        }
        let from_truetype = || self.truetype_unicode.get(&cid).map(|ch| ch.to_string());
        let from_collection = || {
            let collection = self.collection?;
            tables::cid_to_unicode(collection, cid).map(String::from)
        };
        if self.prefer_truetype {
            from_truetype().or_else(from_collection)
        } else {
            from_collection().or_else(from_truetype)
        }
    }
}

fn predefined_next_code(predefined: Predefined, bytes: &[u8]) -> Code {
    let take = |n: usize| {
        let n = n.min(bytes.len()).max(1);
        let value = bytes[..n].iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
        Code { value, n_bytes: n as u8 }
    };
    match predefined.kind {
        PredefinedKind::Identity | PredefinedKind::Ucs2 => take(2),
        PredefinedKind::Utf32 => take(4),
        PredefinedKind::Utf16 => {
            let high = bytes.first().is_some_and(|b| (0xD8..0xDC).contains(b));
            take(if high { 4 } else { 2 })
        }
        PredefinedKind::Utf8 => take(match bytes.first().copied().unwrap_or(0) {
            0xF0..=0xFF => 4,
            0xE0..=0xEF => 3,
            0xC0..=0xDF => 2,
            _ => 1,
        }),
        PredefinedKind::Bytes(id) => {
            let lead = bytes.first().copied().unwrap_or(0);
            take(if tables::byte_cmap_is_lead(id, lead) { 2 } else { 1 })
        }
    }
}

fn predefined_cid(predefined: Predefined, code: Code) -> Option<u32> {
    match predefined.kind {
        PredefinedKind::Identity => Some(code.value),
        PredefinedKind::Bytes(id) => {
            tables::byte_cmap_cid(id, u16::try_from(code.value).ok()?, code.n_bytes)
        }
        _ => None,
    }
}

fn code_bytes(code: Code) -> Vec<u8> {
    (0..code.n_bytes).rev().map(|i| (code.value >> (8 * u32::from(i))) as u8).collect()
}

/// Unicode-based CMaps carry the text in the code itself; byte CMaps go through the CID.
fn predefined_unicode(predefined: Predefined, code: Code) -> Option<String> {
    match predefined.kind {
        PredefinedKind::Ucs2 | PredefinedKind::Utf16 => {
            let bytes = code_bytes(code);
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|p| u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16(&units).ok()
        }
        PredefinedKind::Utf8 => String::from_utf8(code_bytes(code)).ok(),
        PredefinedKind::Utf32 => char::from_u32(code.value).map(String::from),
        PredefinedKind::Bytes(_) => {
            let cid = predefined_cid(predefined, code)?;
            tables::cid_to_unicode(predefined.collection?, cid).map(String::from)
        }
        PredefinedKind::Identity => None,
    }
}

/// `read_program` says whether to read the embedded TrueType program for its `cmap`
/// (only needed when there is no ToUnicode, which wins anyway).
fn load_composite(
    doc: &Document,
    dict: &Dictionary,
    budget: &Budget,
    read_program: bool,
) -> Result<(CompositeFont, bool), LimitHit> {
    let (encoding, vertical) = match objects::get(doc, dict, b"Encoding") {
        Some(Object::Name(name)) => {
            let name = String::from_utf8_lossy(name);
            let predefined = tables::predefined_cmap(&name).unwrap_or(Predefined {
                kind: PredefinedKind::Identity,
                vertical: false,
                collection: None,
            });
            (CidEncoding::Predefined(predefined), predefined.vertical)
        }
        Some(Object::Stream(stream)) => {
            let cmap =
                budget.stream_content(stream)?.map(|bytes| parse_cmap(&bytes)).unwrap_or_default();
            let used_vertical = cmap
                .usecmap
                .as_deref()
                .and_then(tables::predefined_cmap)
                .is_some_and(|p| p.vertical);
            let vertical = cmap.wmode == 1 || used_vertical;
            (CidEncoding::Embedded(Box::new(cmap)), vertical)
        }
        _ => (
            CidEncoding::Predefined(Predefined {
                kind: PredefinedKind::Identity,
                vertical: false,
                collection: None,
            }),
            false,
        ),
    };
    let descendant = objects::get_array(doc, dict, b"DescendantFonts")
        .and_then(|items| items.first())
        .map(|first| objects::resolve(doc, first))
        .and_then(|object| object.as_dict().ok());
    let empty = Dictionary::new();
    let cid_font = descendant.unwrap_or(&empty);
    let ordering = objects::get_dict(doc, cid_font, b"CIDSystemInfo").and_then(|info| {
        match objects::get(doc, info, b"Ordering")? {
            Object::String(bytes, _) | Object::Name(bytes) => {
                Some(String::from_utf8_lossy(bytes).into_owned())
            }
            _ => None,
        }
    });
    let predefined_collection = match &encoding {
        CidEncoding::Predefined(predefined) => predefined.collection,
        CidEncoding::Embedded(cmap) => {
            cmap.usecmap.as_deref().and_then(tables::predefined_cmap).and_then(|p| p.collection)
        }
    };
    let collection =
        ordering.as_deref().and_then(Collection::from_ordering).or(predefined_collection);
    let (truetype_unicode, prefer_truetype) = if read_program {
        truetype_cid_unicode(doc, cid_font, budget)?
    } else {
        (HashMap::new(), false)
    };
    let default_width = objects::get_number(doc, cid_font, b"DW").unwrap_or(1000.0);
    let widths =
        objects::get_array(doc, cid_font, b"W").map(|w| parse_w(doc, w, 1)).unwrap_or_default();
    let default_vertical_advance = objects::get_array(doc, cid_font, b"DW2")
        .and_then(|items| items.get(1))
        .and_then(|item| objects::number(doc, item))
        .unwrap_or(-1000.0);
    let vertical_advances =
        objects::get_array(doc, cid_font, b"W2").map(|w| parse_w(doc, w, 3)).unwrap_or_default();
    let font = CompositeFont {
        encoding,
        collection,
        truetype_unicode,
        prefer_truetype: prefer_truetype || collection.is_none(),
        widths,
        default_width,
        vertical_advances,
        default_vertical_advance,
    };
    Ok((font, vertical))
}

/// Parses a `/W` (stride 1: widths) or `/W2` (stride 3: w1y vx vy) array, keeping the
/// first number of each entry.
fn parse_w(doc: &Document, items: &[Object], stride: usize) -> HashMap<u32, f32> {
    let mut out = HashMap::new();
    let mut i = 0;
    while i < items.len() {
        let Some(first) = objects::number(doc, &items[i]) else { break };
        match items.get(i + 1).map(|item| objects::resolve(doc, item)) {
            Some(Object::Array(values)) => {
                for (n, chunk) in values.chunks(stride).enumerate() {
                    if let Some(width) = chunk.first().and_then(|v| objects::number(doc, v)) {
                        out.insert(first as u32 + n as u32, width);
                    }
                }
                i += 2;
            }
            Some(_) => {
                let last = items.get(i + 1).and_then(|v| objects::number(doc, v));
                let width = items.get(i + 2).and_then(|v| objects::number(doc, v));
                if let (Some(last), Some(width)) = (last, width) {
                    let (first, last) = (first as u32, (last as u32).min(first as u32 + 65_536));
                    for cid in first..=last {
                        out.insert(cid, width);
                    }
                }
                i += 2 + stride;
            }
            None => break,
        }
    }
    out
}

/// For a CIDFontType2 with an embedded TrueType program: CID → Unicode by mapping the
/// CID to a glyph id (`/CIDToGIDMap`) and reading the font's own `cmap` backwards.
/// The flag says whether this source should win over the collection's table (it should
/// when the CIDs are glyph ids of a subset font rather than Adobe CIDs).
fn truetype_cid_unicode(
    doc: &Document,
    cid_font: &Dictionary,
    budget: &Budget,
) -> Result<(HashMap<u32, char>, bool), LimitHit> {
    let Some(descriptor) = objects::get_dict(doc, cid_font, b"FontDescriptor") else {
        return Ok((HashMap::new(), false));
    };
    let Some(program) = objects::get_stream(doc, descriptor, b"FontFile2") else {
        return Ok((HashMap::new(), false));
    };
    let Some(bytes) = budget.stream_content(program)? else {
        return Ok((HashMap::new(), false));
    };
    let gid_to_char = truetype_reverse_cmap(&bytes);
    if gid_to_char.is_empty() {
        return Ok((HashMap::new(), false));
    }
    let cid_to_gid = match objects::get(doc, cid_font, b"CIDToGIDMap") {
        Some(Object::Stream(stream)) => budget.stream_content(stream)?.map(|map| {
            map.chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect::<Vec<u16>>()
        }),
        _ => None,
    };
    let out = match cid_to_gid {
        Some(map) => map
            .iter()
            .enumerate()
            .filter_map(|(cid, gid)| Some((cid as u32, *gid_to_char.get(gid)?)))
            .collect(),
        None => gid_to_char.into_iter().map(|(gid, ch)| (u32::from(gid), ch)).collect(),
    };
    Ok((out, true))
}

/// Glyph id → character from a TrueType font's Unicode `cmap` subtables.
///
/// The code points are probed over the BMP and the CJK supplementary plane rather than
/// enumerated from the subtable: a damaged format 12 subtable can claim billions of them.
fn truetype_reverse_cmap(bytes: &[u8]) -> HashMap<u16, char> {
    let mut out = HashMap::new();
    let Ok(face) = ttf_parser::Face::parse(bytes, 0) else { return out };
    let Some(cmap) = face.tables().cmap else { return out };
    let probes = (0x20u32..0xD800).chain(0xE000..0x1_0000).chain(0x2_0000..0x3_0000);
    for subtable in cmap.subtables.into_iter().filter(|s| s.is_unicode()).take(4) {
        for codepoint in probes.clone() {
            let (Some(ch), Some(gid)) =
                (char::from_u32(codepoint), subtable.glyph_index(codepoint))
            else {
                continue;
            };
            let keep = out.get(&gid.0).is_none_or(|old: &char| prefer_char(ch, *old));
            if keep {
                out.insert(gid.0, ch);
            }
        }
    }
    out
}

/// Among several characters sharing a glyph, prefer the ordinary one over compatibility
/// and private-use forms.
fn prefer_char(new: char, old: char) -> bool {
    let rank = |ch: char| match ch as u32 {
        0xE000..=0xF8FF => 3,
        0xF900..=0xFAFF | 0x2F00..=0x2FDF | 0x2E80..=0x2EFF => 2,
        _ => 0,
    };
    rank(new) < rank(old)
}

fn load_simple(doc: &Document, dict: &Dictionary, subtype: &str) -> SimpleFont {
    let (base, differences) = simple_encoding(doc, dict, subtype);
    let codes = (0..=255u8)
        .map(|code| {
            let named = differences.get(&code).map(String::as_str);
            simple_code_text(named, base, code)
        })
        .collect();
    let first_char = objects::get_number(doc, dict, b"FirstChar").unwrap_or(0.0).max(0.0) as usize;
    let mut widths = vec![None; 256];
    if let Some(items) = objects::get_array(doc, dict, b"Widths") {
        for (offset, item) in items.iter().enumerate() {
            if let Some(slot) = widths.get_mut(first_char + offset) {
                *slot = objects::number(doc, item);
            }
        }
    }
    let scale = if subtype == "Type3" {
        objects::get_array(doc, dict, b"FontMatrix")
            .and_then(|m| objects::matrix(doc, m))
            .map_or(0.001, |m| m[0].abs().max(1e-6))
    } else {
        0.001
    };
    let missing = objects::get_dict(doc, dict, b"FontDescriptor")
        .and_then(|d| objects::get_number(doc, d, b"MissingWidth"))
        .unwrap_or(if subtype == "Type3" { 0.0 } else { 500.0 });
    SimpleFont { codes, widths, default_width: missing, scale }
}

fn simple_encoding(
    doc: &Document,
    dict: &Dictionary,
    subtype: &str,
) -> (BaseEncoding, HashMap<u8, String>) {
    let default =
        if subtype == "TrueType" { BaseEncoding::WinAnsi } else { BaseEncoding::Standard };
    let mut differences = HashMap::new();
    let base = match objects::get(doc, dict, b"Encoding") {
        Some(Object::Name(name)) => base_encoding(name).unwrap_or(default),
        Some(Object::Dictionary(encoding)) => {
            if let Some(items) = objects::get_array(doc, encoding, b"Differences") {
                let mut code: i64 = 0;
                for item in items {
                    match objects::resolve(doc, item) {
                        Object::Integer(n) => code = *n,
                        Object::Name(name) => {
                            if let Ok(byte) = u8::try_from(code) {
                                differences
                                    .insert(byte, String::from_utf8_lossy(name).into_owned());
                            }
                            code += 1;
                        }
                        _ => {}
                    }
                }
            }
            match objects::get(doc, encoding, b"BaseEncoding") {
                Some(Object::Name(name)) => base_encoding(name).unwrap_or(default),
                _ => default,
            }
        }
        _ => default,
    };
    (base, differences)
}

fn base_encoding(name: &[u8]) -> Option<BaseEncoding> {
    match name {
        b"WinAnsiEncoding" => Some(BaseEncoding::WinAnsi),
        b"MacRomanEncoding" => Some(BaseEncoding::MacRoman),
        b"StandardEncoding" => Some(BaseEncoding::Standard),
        b"PDFDocEncoding" => Some(BaseEncoding::PdfDoc),
        _ => None,
    }
}

fn simple_code_text(named: Option<&str>, base: BaseEncoding, code: u8) -> Option<String> {
    if let Some(name) = named {
        return tables::glyph_name_to_unicode(name);
    }
    let name = tables::base_encoding_glyph(base, code)?;
    tables::glyph_name_to_unicode(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn predefined(name: &str) -> Predefined {
        tables::predefined_cmap(name).unwrap()
    }

    #[test]
    fn shift_jis_splits_into_one_and_two_byte_codes() {
        let cmap = predefined("90ms-RKSJ-H");
        let bytes = [0x41, 0x82, 0xA0];
        let first = predefined_next_code(cmap, &bytes);
        assert_eq!(first, Code { value: 0x41, n_bytes: 1 });
        let second = predefined_next_code(cmap, &bytes[1..]);
        assert_eq!(predefined_unicode(cmap, second).as_deref(), Some("あ"));
    }

    #[test]
    fn unicode_cmaps_decode_the_code_itself() {
        let ucs2 = predefined("UniJIS-UCS2-V");
        assert_eq!(
            predefined_unicode(ucs2, Code { value: 0x65E5, n_bytes: 2 }).as_deref(),
            Some("日")
        );
        let utf16 = predefined("UniJIS-UTF16-H");
        let code = predefined_next_code(utf16, &[0xD8, 0x42, 0xDF, 0xB7]);
        assert_eq!(predefined_unicode(utf16, code).as_deref(), Some("𠮷"));
        let utf8 = predefined("UniJIS-UTF8-H");
        let code = predefined_next_code(utf8, "本".as_bytes());
        assert_eq!(predefined_unicode(utf8, code).as_deref(), Some("本"));
    }

    #[test]
    fn euc_and_jis_decode_through_cids() {
        let euc = predefined("EUC-H");
        let code = predefined_next_code(euc, &[0xA4, 0xA2]);
        assert_eq!(predefined_unicode(euc, code).as_deref(), Some("あ"));
        let jis = predefined("H");
        let code = predefined_next_code(jis, &[0x24, 0x22]);
        assert_eq!(predefined_unicode(jis, code).as_deref(), Some("あ"));
    }

    #[test]
    fn w_arrays_parse_both_forms() {
        let doc = Document::new();
        let items = vec![
            Object::Integer(1),
            Object::Array(vec![Object::Integer(500), Object::Integer(600)]),
            Object::Integer(10),
            Object::Integer(12),
            Object::Integer(1000),
        ];
        let widths = parse_w(&doc, &items, 1);
        assert_eq!(widths.get(&2), Some(&600.0));
        assert_eq!(widths.get(&11), Some(&1000.0));
        assert_eq!(widths.get(&13), None);
    }

    #[test]
    fn simple_encoding_uses_differences_and_glyph_names() {
        assert_eq!(
            simple_code_text(Some("uni65E5"), BaseEncoding::WinAnsi, 1).as_deref(),
            Some("日")
        );
        assert_eq!(simple_code_text(None, BaseEncoding::WinAnsi, b'A').as_deref(), Some("A"));
        assert_eq!(simple_code_text(None, BaseEncoding::Standard, 0x27).as_deref(), Some("’"));
    }
}
