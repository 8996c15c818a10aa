//! Golden tokenisation snapshots: one line per morpheme, for the opening of each seed plan.
//! A dictionary, user-dictionary or normalisation change shows up here as a reviewed diff.

use gyokaku::analysis::{bigram_terms, body_terms};
use gyokaku::tokenize::JapaneseTokenizer;

use crate::support::fixture;

fn seed_opening(name: &str, lines: usize) -> String {
    let text = std::fs::read_to_string(fixture(&format!("seeds/{name}"))).unwrap();
    text.lines().filter(|l| !l.trim().is_empty()).take(lines).collect::<Vec<_>>().join("\n")
}

fn morpheme_table(text: &str) -> String {
    let tokenizer = JapaneseTokenizer::shared().unwrap();
    tokenizer
        .morphemes(text)
        .unwrap()
        .iter()
        .filter(|m| !m.surface.trim().is_empty())
        .map(|m| format!("{}\t{}..{}\t{}\t{}", m.surface, m.start, m.end, m.base, m.pos_detail))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn golden_morphemes_memuro() {
    insta::assert_snapshot!(morpheme_table(&seed_opening("000_a6022af20f4b03f2.txt", 14)));
}

#[test]
fn golden_morphemes_tomakomai() {
    insta::assert_snapshot!(morpheme_table(&seed_opening("002_2d715f04701229ac.txt", 30)));
}

#[test]
fn golden_index_terms_fujieda() {
    let text = seed_opening("003_81d845088d714549.txt", 30);
    let tokenizer = JapaneseTokenizer::shared().unwrap();
    let body: Vec<String> =
        body_terms(tokenizer, &text).unwrap().into_iter().map(|t| t.text).collect();
    let bigrams: Vec<String> = bigram_terms(&text).into_iter().take(200).map(|t| t.text).collect();
    insta::assert_snapshot!(format!("body: {}\n\nbigram: {}", body.join(" "), bigrams.join(" ")));
}

#[test]
fn seeds_contain_terms_a_morphological_field_alone_would_miss() {
    // Measured on the seeds: these occur inside longer words or after ・, so only the bigram
    // field finds them; the search combines both.
    for (seed, word) in [
        ("004_55fed4913e2e52af.txt", "市民協働班"),
        ("004_55fed4913e2e52af.txt", "アウトソーシング"),
        ("001_8ecc679afb28ea7b.txt", "取組"),
    ] {
        let text = std::fs::read_to_string(fixture(&format!("seeds/{seed}"))).unwrap();
        let bigrams: Vec<String> = bigram_terms(&text).into_iter().map(|t| t.text).collect();
        let word_bigrams: Vec<String> = bigram_terms(word).into_iter().map(|t| t.text).collect();
        assert!(
            bigrams.windows(word_bigrams.len()).any(|w| w == word_bigrams.as_slice()),
            "{word} in {seed}"
        );
    }
}
