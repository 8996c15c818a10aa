//! Text folding for keyword matching: both the lexicon and the document go through the same
//! [`Folder`], so 取り組み matches 取組, ＩＣＴ matches ict and 人財 matches 人材.
//!
//! Folding *is* [`crate::normalize`] with the taxonomy's variant table and line breaks kept
//! (the scorer reads sentences and list items from lines): the index, queries and themes share
//! one normaliser. The folded text is only used to find hits; evidence always quotes the
//! original passage text.

use crate::normalize::{LineBreaks, Normalizer};

use super::taxonomy::Variant;

/// Folds text with a taxonomy's variant table.
#[derive(Debug, Clone)]
pub struct Folder {
    normalizer: Normalizer,
}

impl Folder {
    pub fn new(variants: &[Variant]) -> Folder {
        let pairs = variants.iter().map(|v| (v.canonical.as_str(), v.forms.as_slice()));
        Folder { normalizer: Normalizer::with_variants(pairs) }
    }

    /// The matching form of `text`.
    pub fn fold(&self, text: &str) -> String {
        self.normalizer.normalize(text, LineBreaks::Keep)
    }
}

/// Folding without a variant table: NFKC, lowercase ASCII, whitespace, line breaks kept.
#[cfg(test)]
pub fn basic_fold(text: &str) -> String {
    Folder::new(&[]).fold(text)
}

/// A match of `chars[start..end]` must not cut an ASCII word: `it` may not match inside `item`.
pub fn ascii_boundaries_ok(chars: &[char], start: usize, end: usize) -> bool {
    let starts_ascii = chars.get(start).is_some_and(char::is_ascii_alphanumeric);
    let ends_ascii = end > 0 && chars.get(end - 1).is_some_and(char::is_ascii_alphanumeric);
    let before_ok = !starts_ascii || start == 0 || !chars[start - 1].is_ascii_alphanumeric();
    let after_ok = !ends_ascii || chars.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
    before_ok && after_ok
}

/// Folded text prepared for repeated searches. Matching ignores line breaks (PDF lines wrap
/// inside words: 理\n解); sentence and list structure is read from the lines.
#[derive(Debug, Clone)]
pub struct FoldedText {
    /// The folded text with its line breaks.
    pub text: String,
    lined: Vec<char>,
    /// The folded text without line breaks: what terms are matched on.
    chars: Vec<char>,
    /// For each char of `chars`, its index in `lined`.
    positions: Vec<usize>,
}

impl FoldedText {
    pub fn new(text: String) -> FoldedText {
        let lined: Vec<char> = text.chars().collect();
        let (positions, chars) = lined.iter().enumerate().filter(|(_, c)| **c != '\n').unzip();
        FoldedText { text, lined, chars, positions }
    }

    /// The chars without line breaks: the view matches are found and reported in.
    pub fn match_chars(&self) -> &[char] {
        &self.chars
    }

    /// The chars with line breaks, for sentence splitting.
    pub fn lined_chars(&self) -> &[char] {
        &self.lined
    }

    /// Where a match offset (from [`FoldedText::find_all`]) lies in [`FoldedText::lined_chars`].
    pub fn lined_offset(&self, offset: usize) -> usize {
        self.positions.get(offset).copied().unwrap_or(self.lined.len())
    }

    /// Char offsets of every occurrence of the folded `term`, respecting ASCII word boundaries.
    pub fn find_all(&self, term: &[char]) -> Vec<usize> {
        if term.is_empty() || term.len() > self.chars.len() {
            return Vec::new();
        }
        (0..=self.chars.len() - term.len())
            .filter(|&i| {
                self.chars[i..i + term.len()] == term[..]
                    && ascii_boundaries_ok(&self.chars, i, i + term.len())
            })
            .collect()
    }

    pub fn contains(&self, term: &[char]) -> bool {
        !self.find_all(term).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::Taxonomy;

    fn folder() -> Folder {
        Folder::new(&Taxonomy::embedded_default().unwrap().variants)
    }

    #[test]
    fn folds_width_case_and_variants() {
        let f = folder();
        assert_eq!(f.fold("ＩＣＴの活用"), "ictの活用");
        assert_eq!(f.fold("取り組みを進める"), "取組を進める");
        assert_eq!(f.fold("人財育成基本方針"), "人材育成基本方針");
        assert_eq!(f.fold("スクラップ＆ビルド"), "スクラップ・アンド・ビルド");
        assert_eq!(f.fold("継続的实施"), "継続的実施");
        // 見直 → 見直し is left out: it would turn 見直す into 見直しす (the index agrees).
        assert_eq!(f.fold("事業を見直す"), crate::normalize::normalize("事業を見直す"));
    }

    #[test]
    fn whitespace_inside_japanese_is_removed_but_kept_between_latin_words() {
        assert_eq!(basic_fold("背景と 考え方"), "背景と考え方");
        assert_eq!(basic_fold("理\r\n解"), "理\n解");
        assert_eq!(basic_fold("公 共 施 設 の 老 朽 化"), "公共施設の老朽化");
        assert_eq!(basic_fold("Robotic Process  Automation"), "robotic process automation");
    }

    #[test]
    fn ascii_variants_and_terms_respect_word_boundaries() {
        let f = folder();
        assert_eq!(f.fold("HP化"), "ホームページ化");
        assert_eq!(f.fold("CHPS"), "chps");
        let wrapped = FoldedText::new(f.fold("市民の理\n解を高める"));
        assert_eq!(wrapped.find_all(&"理解".chars().collect::<Vec<_>>()), [3]);
        assert_eq!(wrapped.lined_offset(4), 5);
        let text = FoldedText::new(f.fold("ITEM と IT を活用"));
        let it: Vec<char> = "it".chars().collect();
        assert_eq!(text.find_all(&it).len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn folding_is_idempotent(text in "[\\PC取り組み人財HPＩＴ見直しスクラップ＆ビルド 　\\n]{0,40}") {
            let f = folder();
            let once = f.fold(&text);
            proptest::prop_assert_eq!(f.fold(&once), once);
        }
    }
}
