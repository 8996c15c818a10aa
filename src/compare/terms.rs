//! Noun compounds: the unit of keyness and gap analysis.
//!
//! Japanese administrative vocabulary is compound-heavy (公共施設等総合管理計画 is four or
//! five morphemes), so consecutive content nouns are joined into one term, as KH Coder's
//! compound-word extraction does. Numbers, pronouns, dependent nouns (こと, ため) and
//! one-character leftovers are dropped.

use crate::tokenize::{JapaneseTokenizer, Morpheme, PartOfSpeech, TokenizeError};

/// A noun compound and the number of content nouns it joins (suffixes such as 化 or 的 are
/// not counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compound {
    pub text: String,
    pub parts: usize,
}

/// Noun compounds of `text` in order of appearance.
pub fn noun_compounds(
    tokenizer: &JapaneseTokenizer,
    text: &str,
) -> Result<Vec<Compound>, TokenizeError> {
    let morphemes = tokenizer.morphemes(text)?;
    let mut compounds = Vec::new();
    let mut current = Compound { text: String::new(), parts: 0 };
    let mut last_end = None;
    for morpheme in &morphemes {
        let adjacent = last_end.is_none_or(|end| end == morpheme.start);
        if !(is_content_noun(morpheme) && adjacent) {
            flush(&mut current, &mut compounds);
        }
        if is_content_noun(morpheme) {
            current.text.push_str(&morpheme.surface);
            current.parts += usize::from(morpheme.pos != PartOfSpeech::NounSuffix);
        }
        last_end = Some(morpheme.end);
    }
    flush(&mut current, &mut compounds);
    Ok(compounds)
}

fn flush(current: &mut Compound, compounds: &mut Vec<Compound>) {
    let compound = std::mem::replace(current, Compound { text: String::new(), parts: 0 });
    let trimmed =
        compound.text.trim_start_matches(|c: char| c.is_ascii_digit() || "・-ー".contains(c));
    if is_term(trimmed) {
        compounds.push(Compound { text: trimmed.to_owned(), parts: compound.parts });
    }
}

fn is_content_noun(morpheme: &Morpheme) -> bool {
    let excluded_detail = ["非自立", "代名詞", "副詞可能", "数", "接尾,助数詞", "特殊"];
    morpheme.pos.is_noun()
        && morpheme.pos != PartOfSpeech::Unknown
        && !excluded_detail.iter().any(|d| morpheme.pos_detail.contains(d))
        && morpheme.surface.chars().any(|c| c.is_alphanumeric())
}

fn is_term(term: &str) -> bool {
    let chars = term.chars().count();
    let has_japanese = !term.is_ascii();
    chars >= 2 && (has_japanese || chars >= 3) && !term.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_consecutive_nouns_and_drops_function_nouns() {
        let tokenizer = JapaneseTokenizer::shared().unwrap();
        let terms =
            noun_compounds(tokenizer, "公共施設の老朽化という課題に対応することが必要です。")
                .unwrap();
        let texts: Vec<&str> = terms.iter().map(|t| t.text.as_str()).collect();
        assert!(texts.contains(&"公共施設"), "{texts:?}");
        assert!(terms.iter().any(|t| t.text == "老朽化" && t.parts == 1), "{terms:?}");
        assert!(!texts.contains(&"こと"), "{texts:?}");
    }
}
