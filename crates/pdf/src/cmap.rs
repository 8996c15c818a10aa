//! Embedded CMaps: `/ToUnicode` streams (code → Unicode) and embedded `/Encoding` CMaps
//! (code → CID), both in Adobe's CMap syntax, plus the codespace that splits strings
//! into codes.
//!
//! The parser is a forgiving tokenizer: it reads the sections it understands
//! (`codespacerange`, `bfchar`, `bfrange`, `cidchar`, `cidrange`, `usecmap`, `/WMode`) and
//! skips everything else, so a damaged CMap yields the mappings that can be read.

use std::collections::HashMap;

/// A range of codes of one length, checked byte by byte as the PDF specification says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CodespaceRange {
    lo: Vec<u8>,
    hi: Vec<u8>,
}

impl CodespaceRange {
    fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.lo.len()
            && bytes
                .iter()
                .zip(self.lo.iter().zip(&self.hi))
                .all(|(b, (lo, hi))| lo <= b && b <= hi)
    }
}

/// A `bfrange` whose destination is a start string incremented per code, or an array.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RangeTarget {
    Start(Vec<u16>),
    Array(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct UnicodeRange {
    n_bytes: u8,
    lo: u32,
    hi: u32,
    target: RangeTarget,
}

/// A parsed CMap. `unicode` mappings come from bf sections, `cid` mappings from cid sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CMap {
    codespace: Vec<CodespaceRange>,
    unicode: HashMap<(u8, u32), String>,
    unicode_ranges: Vec<UnicodeRange>,
    cids: HashMap<(u8, u32), u32>,
    cid_ranges: Vec<(u8, u32, u32, u32)>,
    /// 1 for vertical writing.
    pub(crate) wmode: u8,
    /// The name of a predefined CMap this one builds on.
    pub(crate) usecmap: Option<String>,
}

/// A code read from a string: its value and its length in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code {
    pub(crate) value: u32,
    pub(crate) n_bytes: u8,
}

impl CMap {
    /// Whether the CMap says anything: a CMap with no mapping is not worth keeping.
    pub(crate) fn has_unicode(&self) -> bool {
        !self.unicode.is_empty() || !self.unicode_ranges.is_empty()
    }

    pub(crate) fn has_codespace(&self) -> bool {
        !self.codespace.is_empty()
    }

    /// Splits the next code off `bytes` by the codespace; without one, by the lengths of
    /// the mapped codes; at worst one byte. Returns the code and the bytes it used.
    pub(crate) fn next_code(&self, bytes: &[u8]) -> Code {
        for n_bytes in 1..=4usize.min(bytes.len()) {
            let candidate = &bytes[..n_bytes];
            if self.codespace.iter().any(|range| range.matches(candidate)) {
                return code_of(candidate);
            }
        }
        let fallback = self.typical_code_length().min(bytes.len()).max(1);
        code_of(&bytes[..fallback.min(bytes.len())])
    }

    fn typical_code_length(&self) -> usize {
        if let Some(range) = self.codespace.first() {
            return range.lo.len();
        }
        let from_ranges = self.unicode_ranges.first().map(|range| range.n_bytes);
        let from_chars = self.unicode.keys().next().map(|(n, _)| *n);
        usize::from(from_ranges.or(from_chars).unwrap_or(1))
    }

    /// The Unicode text of a code, from `bfchar` or `bfrange`.
    pub(crate) fn unicode(&self, code: Code) -> Option<String> {
        if let Some(text) = self.unicode.get(&(code.n_bytes, code.value)) {
            return Some(text.clone());
        }
        let range = self.unicode_ranges.iter().find(|range| {
            range.n_bytes == code.n_bytes && range.lo <= code.value && code.value <= range.hi
        })?;
        let offset = code.value - range.lo;
        match &range.target {
            RangeTarget::Array(items) => items.get(offset as usize).cloned(),
            RangeTarget::Start(units) => {
                let mut units = units.clone();
                let last = units.last_mut()?;
                *last = u16::try_from(u32::from(*last) + offset).ok()?;
                Some(String::from_utf16_lossy(&units))
            }
        }
    }

    /// The CID of a code, from `cidchar` or `cidrange`.
    pub(crate) fn cid(&self, code: Code) -> Option<u32> {
        if let Some(cid) = self.cids.get(&(code.n_bytes, code.value)) {
            return Some(*cid);
        }
        self.cid_ranges
            .iter()
            .find(|(n, lo, hi, _)| *n == code.n_bytes && *lo <= code.value && code.value <= *hi)
            .map(|(_, lo, _, cid)| cid + (code.value - lo))
    }
}

fn code_of(bytes: &[u8]) -> Code {
    let value = bytes.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
    Code { value, n_bytes: bytes.len() as u8 }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Hex(Vec<u8>),
    Literal(Vec<u8>),
    Name(String),
    Number(f64),
    Keyword(String),
    ArrayStart,
    ArrayEnd,
}

struct Tokenizer<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Tokenizer<'_> {
    fn skip_space_and_comments(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            if b == b'%' {
                while self.bytes.get(self.at).is_some_and(|&c| c != b'\n' && c != b'\r') {
                    self.at += 1;
                }
            } else if b.is_ascii_whitespace() || b == 0 {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &[u8] {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(|&b| keep(b)) {
            self.at += 1;
        }
        &self.bytes[start..self.at]
    }

    fn hex(&mut self) -> Token {
        let digits: Vec<u8> = self
            .take_while(|b| b != b'>')
            .iter()
            .filter_map(|b| (*b as char).to_digit(16).map(|d| d as u8))
            .collect();
        self.at += 1;
        let bytes = digits.chunks(2).map(|pair| pair[0] << 4 | pair.get(1).copied().unwrap_or(0));
        Token::Hex(bytes.collect())
    }

    fn literal(&mut self) -> Token {
        let mut depth = 1;
        let mut out = Vec::new();
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            match b {
                b'\\' => {
                    if let Some(&next) = self.bytes.get(self.at) {
                        self.at += 1;
                        out.push(match next {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            other => other,
                        });
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
        Token::Literal(out)
    }
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"[]<>(){}/%".contains(&b)
}

impl Iterator for Tokenizer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        self.skip_space_and_comments();
        let b = *self.bytes.get(self.at)?;
        match b {
            b'<' if self.bytes.get(self.at + 1) == Some(&b'<') => {
                self.at += 2;
                Some(Token::Keyword("<<".into()))
            }
            b'>' if self.bytes.get(self.at + 1) == Some(&b'>') => {
                self.at += 2;
                Some(Token::Keyword(">>".into()))
            }
            b'<' => {
                self.at += 1;
                Some(self.hex())
            }
            b'(' => {
                self.at += 1;
                Some(self.literal())
            }
            b'[' => {
                self.at += 1;
                Some(Token::ArrayStart)
            }
            b']' => {
                self.at += 1;
                Some(Token::ArrayEnd)
            }
            b'/' => {
                self.at += 1;
                let name = self.take_while(|b| !is_delimiter(b));
                Some(Token::Name(String::from_utf8_lossy(name).into_owned()))
            }
            _ => {
                let word = self.take_while(|b| !is_delimiter(b));
                if word.is_empty() {
                    self.at += 1;
                    return Some(Token::Keyword(String::new()));
                }
                let text = String::from_utf8_lossy(word).into_owned();
                Some(match text.parse::<f64>() {
                    Ok(number) => Token::Number(number),
                    Err(_) => Token::Keyword(text),
                })
            }
        }
    }
}

fn utf16_text(bytes: &[u8]) -> String {
    if bytes.len() == 1 {
        return char::from(bytes[0]).to_string();
    }
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]))
        .collect();
    String::from_utf16_lossy(&units)
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        return vec![u16::from(bytes[0])];
    }
    bytes.chunks(2).map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])).collect()
}

fn hex_code(token: &Token) -> Option<Code> {
    match token {
        Token::Hex(bytes) | Token::Literal(bytes) if !bytes.is_empty() && bytes.len() <= 4 => {
            Some(code_of(bytes))
        }
        _ => None,
    }
}

fn number(token: &Token) -> Option<u32> {
    match token {
        Token::Number(n) if *n >= 0.0 && *n < f64::from(u32::MAX) => Some(*n as u32),
        _ => None,
    }
}

/// Parses a CMap stream. Never fails: what cannot be read is skipped.
pub(crate) fn parse_cmap(bytes: &[u8]) -> CMap {
    let tokens: Vec<Token> = Tokenizer { bytes, at: 0 }.collect();
    let mut cmap = CMap::default();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Keyword(word) => match word.as_str() {
                "begincodespacerange" => i = read_codespace(&tokens, i + 1, &mut cmap),
                "beginbfchar" => i = read_bfchar(&tokens, i + 1, &mut cmap),
                "beginbfrange" => i = read_bfrange(&tokens, i + 1, &mut cmap),
                "begincidchar" => i = read_cidchar(&tokens, i + 1, &mut cmap),
                "begincidrange" => i = read_cidrange(&tokens, i + 1, &mut cmap),
                "usecmap" => {
                    if let Some(Token::Name(name)) = i.checked_sub(1).and_then(|j| tokens.get(j)) {
                        cmap.usecmap = Some(name.clone());
                    }
                    i += 1;
                }
                _ => i += 1,
            },
            Token::Name(name) if name == "WMode" => {
                if let Some(mode) = tokens.get(i + 1).and_then(number) {
                    cmap.wmode = mode.min(1) as u8;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    cmap
}

fn is_end(token: &Token) -> bool {
    matches!(token, Token::Keyword(word) if word.starts_with("end"))
}

fn read_codespace(tokens: &[Token], mut i: usize, cmap: &mut CMap) -> usize {
    while i + 1 < tokens.len() && !is_end(&tokens[i]) {
        if let (Token::Hex(lo), Token::Hex(hi)) = (&tokens[i], &tokens[i + 1])
            && lo.len() == hi.len()
            && !lo.is_empty()
            && lo.len() <= 4
        {
            cmap.codespace.push(CodespaceRange { lo: lo.clone(), hi: hi.clone() });
        }
        i += 2;
    }
    i + 1
}

fn read_bfchar(tokens: &[Token], mut i: usize, cmap: &mut CMap) -> usize {
    while i + 1 < tokens.len() && !is_end(&tokens[i]) {
        if let Some(code) = hex_code(&tokens[i]) {
            let text = match &tokens[i + 1] {
                Token::Hex(bytes) => Some(utf16_text(bytes)),
                Token::Name(name) => crate::tables::glyph_name_to_unicode(name),
                _ => None,
            };
            if let Some(text) = text {
                cmap.unicode.insert((code.n_bytes, code.value), text);
            }
        }
        i += 2;
    }
    i + 1
}

fn read_bfrange(tokens: &[Token], mut i: usize, cmap: &mut CMap) -> usize {
    while i + 2 < tokens.len() && !is_end(&tokens[i]) {
        let (Some(lo), Some(hi)) = (hex_code(&tokens[i]), hex_code(&tokens[i + 1])) else {
            i += 1;
            continue;
        };
        let target = match &tokens[i + 2] {
            Token::Hex(bytes) => {
                i += 3;
                Some(RangeTarget::Start(utf16_units(bytes)))
            }
            Token::ArrayStart => {
                let mut items = Vec::new();
                i += 3;
                while i < tokens.len() && tokens[i] != Token::ArrayEnd {
                    if let Token::Hex(bytes) = &tokens[i] {
                        items.push(utf16_text(bytes));
                    }
                    i += 1;
                }
                i += 1;
                Some(RangeTarget::Array(items))
            }
            _ => {
                i += 3;
                None
            }
        };
        if let Some(target) = target
            && lo.value <= hi.value
            && lo.n_bytes == hi.n_bytes
        {
            cmap.unicode_ranges.push(UnicodeRange {
                n_bytes: lo.n_bytes,
                lo: lo.value,
                hi: hi.value,
                target,
            });
        }
    }
    i + 1
}

fn read_cidchar(tokens: &[Token], mut i: usize, cmap: &mut CMap) -> usize {
    while i + 1 < tokens.len() && !is_end(&tokens[i]) {
        if let (Some(code), Some(cid)) = (hex_code(&tokens[i]), number(&tokens[i + 1])) {
            cmap.cids.insert((code.n_bytes, code.value), cid);
        }
        i += 2;
    }
    i + 1
}

fn read_cidrange(tokens: &[Token], mut i: usize, cmap: &mut CMap) -> usize {
    while i + 2 < tokens.len() && !is_end(&tokens[i]) {
        if let (Some(lo), Some(hi), Some(cid)) =
            (hex_code(&tokens[i]), hex_code(&tokens[i + 1]), number(&tokens[i + 2]))
            && lo.value <= hi.value
            && lo.n_bytes == hi.n_bytes
        {
            cmap.cid_ranges.push((lo.n_bytes, lo.value, hi.value, cid));
        }
        i += 3;
    }
    i + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TO_UNICODE: &str = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap
        /CMapName /Adobe-Identity-UCS def /CMapType 2 def
        1 begincodespacerange <0000> <FFFF> endcodespacerange
        2 beginbfchar <0003> <0020> <0010> <D842DFB7> endbfchar
        2 beginbfrange <0020> <0022> <3042> <0030> <0031> [<0066006C> <65E5>] endbfrange
        endcmap CMapName currentdict /CMap defineresource pop end end";

    fn code(value: u32, n_bytes: u8) -> Code {
        Code { value, n_bytes }
    }

    #[test]
    fn bfchar_and_bfrange_decode() {
        let cmap = parse_cmap(TO_UNICODE.as_bytes());
        assert_eq!(cmap.unicode(code(3, 2)).as_deref(), Some(" "));
        assert_eq!(cmap.unicode(code(0x10, 2)).as_deref(), Some("𠮷"));
        assert_eq!(cmap.unicode(code(0x21, 2)).as_deref(), Some("ぃ"));
        assert_eq!(cmap.unicode(code(0x30, 2)).as_deref(), Some("fl"));
        assert_eq!(cmap.unicode(code(0x31, 2)).as_deref(), Some("日"));
        assert_eq!(cmap.unicode(code(0x23, 2)), None);
    }

    #[test]
    fn codespace_splits_mixed_lengths() {
        let cmap = parse_cmap(
            b"2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange \
              1 begincidrange <8140> <817E> 633 endcidrange 1 begincidchar <41> 34 endcidchar",
        );
        let bytes = [0x41, 0x81, 0x41];
        let first = cmap.next_code(&bytes);
        assert_eq!(first, code(0x41, 1));
        let second = cmap.next_code(&bytes[1..]);
        assert_eq!(second, code(0x8141, 2));
        assert_eq!(cmap.cid(first), Some(34));
        assert_eq!(cmap.cid(second), Some(634));
    }

    #[test]
    fn wmode_and_usecmap_are_read() {
        let cmap = parse_cmap(b"/WMode 1 def /90ms-RKSJ-V usecmap");
        assert_eq!(cmap.wmode, 1);
        assert_eq!(cmap.usecmap.as_deref(), Some("90ms-RKSJ-V"));
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let cmap = parse_cmap(&bytes);
            let _ = cmap.next_code(&bytes);
        }

        #[test]
        fn bfchar_round_trips(entries in proptest::collection::btree_map(0u16..0xFFFF, proptest::char::range('\u{20}', '\u{D7FF}'), 1..40)) {
            let mut source = String::from("1 begincodespacerange <0000> <FFFF> endcodespacerange\n");
            source.push_str(&format!("{} beginbfchar\n", entries.len()));
            for (code, ch) in &entries {
                source.push_str(&format!("<{code:04X}> <{:04X}>\n", *ch as u32));
            }
            source.push_str("endbfchar\n");
            let cmap = parse_cmap(source.as_bytes());
            for (code_value, ch) in &entries {
                let expected = ch.to_string();
                prop_assert_eq!(cmap.unicode(code(u32::from(*code_value), 2)), Some(expected));
            }
        }

        #[test]
        fn bfrange_offsets_follow_the_start(lo in 0u16..0x7000, len in 0u16..200, start in 0x4E00u16..0x9000) {
            let hi = lo + len;
            let source = format!("1 beginbfrange <{lo:04X}> <{hi:04X}> <{start:04X}> endbfrange");
            let cmap = parse_cmap(source.as_bytes());
            for offset in [0, len / 2, len] {
                let expected = char::from_u32(u32::from(start + offset)).map(String::from);
                prop_assert_eq!(cmap.unicode(code(u32::from(lo + offset), 2)), expected);
            }
        }
    }
}
