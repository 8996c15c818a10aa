//! Text normalisation: the one implementation used by indexing, queries and theme matching.
//!
//! NFKC, lowercase ASCII, one form for 〜/～, ヶ/ケ, long-vowel marks and dashes; whitespace
//! dropped except between two ASCII words (PDF conversions break lines inside words, 行\n政改革,
//! and space characters out, 公 共 施 設); table cells stay apart by a tab; then the spelling
//! variants of the taxonomy's `[[normalization.variants]]` table (取り組み → 取組, 人財 → 人材 …).
//! Search and the index join lines ([`LineBreaks::Join`]); the theme scorer keeps them
//! ([`LineBreaks::Keep`]) to read sentences and list items. Normalisation changes lengths, so
//! [`Normalized`] keeps a map from every normalised byte back to the source, which snippets,
//! highlights and evidence use: what is shown is always the source text.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

/// The taxonomy shipped with gyokaku; its variant table drives spelling normalisation.
pub const EMBEDDED_TAXONOMY: &str = include_str!("../taxonomy/gyokaku-taxonomy.toml");

/// Normalised text plus, for every byte of it, the byte offset in the source it came from.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    /// `offsets[i]` is the source offset of normalised byte `i`; one extra entry maps the end.
    offsets: Vec<usize>,
}

impl Normalized {
    /// The source byte offset for a byte offset in the normalised text.
    pub fn source_offset(&self, normalized: usize) -> usize {
        self.offsets[normalized.min(self.offsets.len() - 1)]
    }
}

/// What happens to line breaks between words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineBreaks {
    /// A line break is whitespace like any other: dropped between Japanese characters.
    Join,
    /// A run of whitespace holding a line break becomes one `\n`.
    Keep,
}

/// A normaliser with a variant table: the embedded taxonomy's ([`Normalizer::embedded`]) or
/// another taxonomy's ([`Normalizer::with_variants`]).
#[derive(Debug, Clone)]
pub struct Normalizer {
    variants: VariantTable,
}

impl Normalizer {
    /// The normaliser of the index and of queries: the embedded taxonomy's variants.
    pub fn embedded() -> &'static Normalizer {
        &EMBEDDED
    }

    /// A normaliser for a taxonomy's own variant table: (canonical, forms).
    pub fn with_variants<'a>(
        variants: impl IntoIterator<Item = (&'a str, &'a [String])>,
    ) -> Normalizer {
        Normalizer { variants: VariantTable::new(variants) }
    }

    /// Normalises text and keeps the map back to source offsets.
    pub fn normalize_with_offsets(&self, text: &str, lines: LineBreaks) -> Normalized {
        let folded = squeeze_whitespace(&fold_characters(text), lines);
        apply_variants(&self.variants, &folded)
    }

    /// The normalised text alone.
    pub fn normalize(&self, text: &str, lines: LineBreaks) -> String {
        self.normalize_with_offsets(text, lines).text
    }
}

/// Normalises text for matching: the same function is used on documents and queries.
pub fn normalize(text: &str) -> String {
    normalize_with_offsets(text).text
}

/// Normalises text (lines joined) and keeps the map back to source offsets.
pub fn normalize_with_offsets(text: &str) -> Normalized {
    Normalizer::embedded().normalize_with_offsets(text, LineBreaks::Join)
}

/// Characters that attach to the previous one (voiced sound marks) and must be
/// normalised together with it.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{3099}' | '\u{309A}' | '\u{FF9E}' | '\u{FF9F}')
}

fn is_katakana_or_long_vowel(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー')
}

fn is_dash_variant(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2500}' | '\u{2501}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// NFKC per character cluster, then our own folds, keeping source offsets.
fn fold_characters(text: &str) -> Normalized {
    let mut out = String::with_capacity(text.len());
    let mut offsets = Vec::with_capacity(text.len() + 1);
    let mut chars = text.char_indices().peekable();
    let mut cluster = String::new();
    while let Some((start, first)) = chars.next() {
        cluster.clear();
        cluster.push(first);
        while let Some(&(_, next)) = chars.peek() {
            if !is_combining_mark(next) {
                break;
            }
            cluster.push(next);
            chars.next();
        }
        if cluster.chars().nth(1).is_none() && nfkc_is_identity(first) {
            let folded = fold_char(first, out.chars().next_back());
            let before = out.len();
            out.push(folded);
            offsets.extend(std::iter::repeat_n(start, out.len() - before));
            continue;
        }
        for c in cluster.nfkc() {
            let folded = fold_char(c, out.chars().next_back());
            let before = out.len();
            out.push(folded);
            offsets.extend(std::iter::repeat_n(start, out.len() - before));
        }
    }
    offsets.push(text.len());
    Normalized { text: out, offsets }
}

/// Characters whose NFKC form is themselves: most of Japanese running text. A fast path,
/// since the general NFKC decomposition is a large share of normalisation time.
fn nfkc_is_identity(c: char) -> bool {
    matches!(c,
        ' '..='~'
        | '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FA}'
        | 'ー'
        | '\u{3001}'..='\u{3002}'
        | '\u{4E00}'..='\u{9FFF}')
}

fn fold_char(c: char, previous: Option<char>) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        'ヶ' => 'ケ',
        'ヵ' => 'カ',
        '实' => '実',
        '〜' | '～' | '∼' | '〰' => '~',
        '-' if previous.is_some_and(is_katakana_or_long_vowel) => 'ー',
        c if is_dash_variant(c) => {
            if previous.is_some_and(is_katakana_or_long_vowel) {
                'ー'
            } else {
                '-'
            }
        }
        c => c,
    }
}

/// Drops whitespace inside Japanese text, keeping one space between two ASCII words, one tab
/// where a run holds a tab (a table cell boundary) and, with [`LineBreaks::Keep`], one line
/// break where a run holds one. Whitespace before a combining mark is kept, so that dropping
/// it never composes a new character (normalising twice gives the same text).
fn squeeze_whitespace(folded: &Normalized, lines: LineBreaks) -> Normalized {
    let text = &folded.text;
    let mut out = String::with_capacity(text.len());
    let mut offsets = Vec::with_capacity(text.len() + 1);
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if !c.is_whitespace() {
            out.push(c);
            offsets.extend_from_slice(&folded.offsets[at..at + c.len_utf8()]);
            continue;
        }
        let (mut has_tab, mut has_break) = (c == '\t', c == '\n');
        while let Some(&(_, next)) = chars.peek() {
            if !next.is_whitespace() {
                break;
            }
            has_tab |= next == '\t';
            has_break |= next == '\n';
            chars.next();
        }
        let before = out.chars().next_back();
        let after = chars.peek().map(|&(_, next)| next);
        let kept = if has_break && lines == LineBreaks::Keep {
            Some('\n')
        } else if has_tab {
            Some('\t')
        } else if after.is_some_and(is_combining_mark)
            || before.is_some_and(|b| b.is_ascii_alphanumeric())
                && after.is_some_and(|a| a.is_ascii_alphanumeric())
        {
            Some(' ')
        } else {
            None
        };
        if let (Some(kept), Some(_), Some(_)) = (kept, before, after) {
            out.push(kept);
            offsets.push(folded.offsets[at]);
        }
    }
    offsets.push(folded.offsets[text.len()]);
    Normalized { text: out, offsets }
}

#[derive(Deserialize)]
struct TaxonomyVariants {
    #[serde(default)]
    normalization: Option<NormalizationSection>,
}

#[derive(Deserialize)]
struct NormalizationSection {
    #[serde(default)]
    variants: Vec<VariantEntry>,
}

#[derive(Deserialize)]
struct VariantEntry {
    canonical: String,
    forms: Vec<String>,
}

/// Variant forms (already character-folded) grouped by their first character, sorted by
/// that character for a binary search (cheaper than hashing every character of the text).
#[derive(Debug, Clone)]
struct VariantTable {
    by_first_char: Vec<(char, Vec<(String, String)>)>,
}

static EMBEDDED: LazyLock<Normalizer> = LazyLock::new(|| {
    let parsed: Result<TaxonomyVariants, _> = toml::from_str(EMBEDDED_TAXONOMY);
    let entries = parsed.ok().and_then(|t| t.normalization).map(|n| n.variants).unwrap_or_default();
    Normalizer::with_variants(entries.iter().map(|e| (e.canonical.as_str(), e.forms.as_slice())))
});

/// A variant form or canonical spelling folded the way text is: characters, then whitespace.
fn fold_spelling(text: &str) -> String {
    squeeze_whitespace(&fold_characters(text), LineBreaks::Join).text
}

impl VariantTable {
    fn new<'a>(entries: impl IntoIterator<Item = (&'a str, &'a [String])>) -> Self {
        let mut by_first_char: HashMap<char, Vec<(String, String)>> = HashMap::new();
        for (canonical, forms) in entries {
            let canonical = fold_spelling(canonical);
            for form in forms {
                let form = fold_spelling(form);
                // A form that is a prefix of its canonical spelling (見直 → 見直し) would
                // rewrite inflections (見直す → 見直しす); it is left out.
                if form == canonical || canonical.starts_with(&form) {
                    continue;
                }
                if let Some(first) = form.chars().next() {
                    by_first_char.entry(first).or_default().push((form, canonical.clone()));
                }
            }
        }
        let mut by_first_char: Vec<(char, Vec<(String, String)>)> =
            by_first_char.into_iter().collect();
        for (_, forms) in &mut by_first_char {
            forms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        }
        by_first_char.sort_by_key(|(first, _)| *first);
        VariantTable { by_first_char }
    }

    fn longest_match<'a>(&'a self, text: &str, at: usize) -> Option<(&'a str, &'a str)> {
        let rest = &text[at..];
        let first = rest.chars().next()?;
        let slot = self.by_first_char.binary_search_by_key(&first, |(c, _)| *c).ok()?;
        self.by_first_char[slot].1.iter().find_map(|(form, canonical)| {
            let matches = rest.starts_with(form.as_str())
                && (!form.is_ascii() || ascii_word_boundaries(text, at, at + form.len()));
            matches.then_some((form.as_str(), canonical.as_str()))
        })
    }
}

fn ascii_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_alphanumeric())
        && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

fn apply_variants(table: &VariantTable, folded: &Normalized) -> Normalized {
    let text = &folded.text;
    let mut out = String::with_capacity(text.len());
    let mut offsets = Vec::with_capacity(text.len() + 1);
    let mut at = 0;
    while at < text.len() {
        if let Some((form, canonical)) = table.longest_match(text, at) {
            out.push_str(canonical);
            offsets.extend(std::iter::repeat_n(folded.offsets[at], canonical.len()));
            at += form.len();
            continue;
        }
        let ch_len = text[at..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[at..at + ch_len]);
        offsets.extend_from_slice(&folded.offsets[at..at + ch_len]);
        at += ch_len;
    }
    offsets.push(folded.offsets[text.len()]);
    Normalized { text: out, offsets }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn folds_width_case_and_marks() {
        assert_eq!(normalize("ＩＣＴ活用とＲＰＡ"), "ict活用とrpa");
        assert_eq!(normalize("ｶﾞｲﾄﾞﾗｲﾝ"), "ガイドライン");
        assert_eq!(normalize("霞ヶ関と3ヵ月"), "霞ケ関と3カ月");
        assert_eq!(normalize("4月〜6月"), "4月~6月");
        assert_eq!(normalize("コンピュ―タ"), "コンピュータ");
        assert_eq!(normalize("2019–2023"), "2019-2023");
    }

    #[test]
    fn applies_taxonomy_variants() {
        assert_eq!(normalize("取り組みを進める"), "取組を進める");
        assert_eq!(normalize("職員人財育成"), "職員人材育成");
        assert_eq!(normalize("継続的实施"), "継続的実施");
        assert_eq!(normalize("事務の見直す"), "事務の見直す");
    }

    #[test]
    fn whitespace_inside_japanese_is_dropped() {
        assert_eq!(normalize("公 共 施 設 の 老 朽 化"), "公共施設の老朽化");
        assert_eq!(normalize("行\n政改革を　進める"), "行政改革を進める");
        assert_eq!(
            normalize("Robotic Process  Automation の ICT 活用"),
            "robotic process automationのict活用"
        );
        assert_eq!(normalize("民間委託の推進\t総務課"), "民間委託の推進\t総務課");
        let keep = Normalizer::embedded().normalize("取り組み\n  を 進める", LineBreaks::Keep);
        assert_eq!(keep, "取組\nを進める");
    }

    #[test]
    fn a_variant_that_prefixes_its_canonical_form_leaves_inflections_alone() {
        let variants = [("見直し".to_owned(), vec!["見直".to_owned(), "見直し".to_owned()])];
        let normalizer =
            Normalizer::with_variants(variants.iter().map(|(c, f)| (c.as_str(), f.as_slice())));
        assert_eq!(normalizer.normalize("事業を見直す", LineBreaks::Keep), "事業を見直す");
    }

    #[test]
    fn offsets_map_back_to_source() {
        let source = "（仮称）取り組み";
        let normalized = normalize_with_offsets(source);
        assert_eq!(normalized.text, "(仮称)取組");
        let start = normalized.text.find("取組").unwrap();
        assert_eq!(&source[normalized.source_offset(start)..], "取り組み");
        assert_eq!(normalized.source_offset(normalized.text.len()), source.len());
        let spaced = "公 共 施 設";
        let normalized = normalize_with_offsets(spaced);
        assert_eq!(normalized.text, "公共施設");
        let end = normalized.source_offset(normalized.text.len() - "設".len());
        assert_eq!(&spaced[end..], "設");
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(text in "[\\PC 　\\n\\t]{0,40}") {
            let once = normalize(&text);
            prop_assert_eq!(normalize(&once), once.clone());
            let keep = |t: &str| Normalizer::embedded().normalize(t, LineBreaks::Keep);
            let kept = keep(&text);
            prop_assert_eq!(keep(&kept), kept);
        }

        #[test]
        fn offsets_fall_on_char_boundaries(text in "\\PC{0,40}") {
            let normalized = normalize_with_offsets(&text);
            for i in 0..=normalized.text.len() {
                let source = normalized.source_offset(i);
                prop_assert!(text.is_char_boundary(source));
            }
        }
    }
}
