//! The Japanese analysis used for indexing and for queries alike.
//!
//! Two views of the same text:
//! - `body`: morphemes of the normalised text (search-mode segmentation, so compounds are
//!   findable by their parts), surface and base form at the same position, particles,
//!   auxiliary verbs and symbols dropped;
//! - `body_bigram`: overlapping character bigrams over runs of CJK characters (words of
//!   Latin letters and digits whole), for recall on unknown words, names and compounds
//!   that segmentation splits differently (市民協働 inside 市民協働班).
//!
//! Every term carries byte offsets into the *source* text, so highlights land on the
//! characters the reader sees.

use crate::normalize::{Normalized, normalize_with_offsets};
use crate::tokenize::{JapaneseTokenizer, PartOfSpeech, TokenizeError};

/// One index term with its position and source byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub position: usize,
    pub start: usize,
    pub end: usize,
}

/// Terms of the `body` field: normalised morphemes without stop parts of speech.
pub fn body_terms(tokenizer: &JapaneseTokenizer, text: &str) -> Result<Vec<Term>, TokenizeError> {
    let normalized = normalize_with_offsets(text);
    let morphemes = tokenizer.morphemes(&normalized.text)?;
    let mut terms = Vec::with_capacity(morphemes.len() * 5 / 4);
    for (position, morpheme) in morphemes.into_iter().enumerate() {
        if morpheme.pos.is_stop() || !has_word_character(&morpheme.surface) {
            continue;
        }
        let (start, end) = source_span(&normalized, morpheme.start, morpheme.end);
        let base = (keeps_base_form(morpheme.pos) && *morpheme.base != *morpheme.surface)
            .then(|| morpheme.base.to_string());
        terms.push(Term { text: morpheme.surface, position, start, end });
        if let Some(base) = base {
            terms.push(Term { text: base, position, start, end });
        }
    }
    Ok(terms)
}

fn keeps_base_form(pos: PartOfSpeech) -> bool {
    matches!(pos, PartOfSpeech::Verb | PartOfSpeech::Adjective)
}

/// Whether a token has any letter, digit or CJK character (punctuation-only tokens such
/// as the ASCII brackets NFKC makes of （） are junk terms).
pub fn has_word_character(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

fn source_span(normalized: &Normalized, start: usize, end: usize) -> (usize, usize) {
    (normalized.source_offset(start), normalized.source_offset(end))
}

/// Whether a character belongs to a CJK run for bigrams: kanji, kana, the long-vowel
/// mark and iteration marks.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3005}' | '\u{3006}' | '\u{303B}'          // 々 〆 〻
        | '\u{3040}'..='\u{309F}'                     // hiragana
        | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}' // katakana and ー, not ・
        | '\u{3400}'..='\u{4DBF}'                     // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'                     // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'                     // compatibility ideographs
        | '\u{20000}'..='\u{2FFFF}')
}

/// Terms of the `body_bigram` field.
pub fn bigram_terms(text: &str) -> Vec<Term> {
    let normalized = normalize_with_offsets(text);
    let mut terms = Vec::new();
    let mut position = 0;
    let chars: Vec<(usize, char)> = normalized.text.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map_or(normalized.text.len(), |&(offset, _)| offset);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if is_cjk(c) {
            let run_end = (i..chars.len()).find(|&j| !is_cjk(chars[j].1)).unwrap_or(chars.len());
            if run_end - i == 1 {
                push_term(&mut terms, &normalized, &mut position, start, end_of(i));
            }
            for pair in chars[i..run_end].windows(2) {
                let end = pair[1].0 + pair[1].1.len_utf8();
                push_term(&mut terms, &normalized, &mut position, pair[0].0, end);
            }
            i = run_end;
        } else if c.is_alphanumeric() {
            let run_end = (i..chars.len())
                .find(|&j| !chars[j].1.is_alphanumeric() || is_cjk(chars[j].1))
                .unwrap_or(chars.len());
            push_term(&mut terms, &normalized, &mut position, start, end_of(run_end - 1));
            i = run_end;
        } else {
            i += 1;
        }
    }
    terms
}

fn push_term(
    terms: &mut Vec<Term>,
    normalized: &Normalized,
    position: &mut usize,
    start: usize,
    end: usize,
) {
    let (source_start, source_end) = source_span(normalized, start, end);
    terms.push(Term {
        text: normalized.text[start..end].to_owned(),
        position: *position,
        start: source_start,
        end: source_end,
    });
    *position += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Vec<String> {
        let tokenizer = JapaneseTokenizer::shared().unwrap();
        body_terms(tokenizer, text).unwrap().into_iter().map(|t| t.text).collect()
    }

    fn bigrams(text: &str) -> Vec<String> {
        bigram_terms(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn body_drops_particles_and_punctuation() {
        assert_eq!(body("（公共施設）の老朽化"), ["公共", "施設", "老朽", "化"]);
    }

    #[test]
    fn body_keeps_base_form_of_verbs() {
        let terms = body("改革を進めました");
        assert!(terms.contains(&"進め".to_owned()) && terms.contains(&"進める".to_owned()));
    }

    #[test]
    fn bigrams_cover_cjk_runs_and_keep_latin_words() {
        assert_eq!(bigrams("市民協働班"), ["市民", "民協", "協働", "働班"]);
        assert_eq!(bigrams("ＩＣＴの活用"), ["ict", "の活", "活用"]);
        assert_eq!(
            bigrams("・アウトソーシング"),
            ["アウ", "ウト", "トソ", "ソー", "ーシ", "シン", "ング"]
        );
        assert_eq!(bigrams("市"), ["市"]);
    }

    #[test]
    fn offsets_point_into_the_source() {
        let source = "（仮称）取り組み";
        for term in bigram_terms(source) {
            assert!(source.get(term.start..term.end).is_some(), "{term:?}");
        }
        let last = bigram_terms(source).pop().unwrap();
        assert_eq!(last.text, "取組");
        assert_eq!(&source[last.start..last.end], "取り組み");
    }
}
