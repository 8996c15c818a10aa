//! Our tantivy tokenizers over the shared Japanese analysis (`crate::analysis`), written
//! against `tantivy-tokenizer-api` so lindera 6 and tantivy 0.27 fit together.
//! The same analysis builds query terms, so index and queries never disagree.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::analysis::{self, Term};
use crate::tokenize::JapaneseTokenizer;

/// Name under which the morphological analyzer is registered.
pub const BODY_ANALYZER: &str = "gyokaku_ja";
/// Name under which the character-bigram analyzer is registered.
pub const BIGRAM_ANALYZER: &str = "gyokaku_ja_bigram";

/// Morphological tokens for the `body` and `heading` fields.
#[derive(Clone)]
pub struct BodyTokenizer {
    tokenizer: JapaneseTokenizer,
}

/// Character bigrams for the `body_bigram` field.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

/// A token stream over terms computed up front.
pub struct TermStream {
    tokens: Vec<Token>,
    cursor: usize,
}

impl TermStream {
    fn new(terms: Vec<Term>) -> Self {
        let tokens = terms
            .into_iter()
            .map(|term| Token {
                offset_from: term.start,
                offset_to: term.end,
                position: term.position,
                text: term.text,
                position_length: 1,
            })
            .collect();
        TermStream { tokens, cursor: 0 }
    }
}

impl TokenStream for TermStream {
    fn advance(&mut self) -> bool {
        if self.cursor < self.tokens.len() {
            self.cursor += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.cursor.saturating_sub(1).min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self.cursor.saturating_sub(1).min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

impl Tokenizer for BodyTokenizer {
    type TokenStream<'a> = TermStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermStream {
        // Segmentation only fails on internal dictionary errors; index nothing then rather
        // than abort the whole commit.
        let terms = analysis::body_terms(&self.tokenizer, text).unwrap_or_else(|err| {
            tracing::warn!("cannot analyse passage: {err}");
            Vec::new()
        });
        TermStream::new(terms)
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = TermStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermStream {
        TermStream::new(analysis::bigram_terms(text))
    }
}

/// Registers both analyzers on an index.
pub fn register(index: &tantivy::Index, tokenizer: &JapaneseTokenizer) {
    index.tokenizers().register(
        BODY_ANALYZER,
        TextAnalyzer::from(BodyTokenizer { tokenizer: tokenizer.clone() }),
    );
    index.tokenizers().register(BIGRAM_ANALYZER, TextAnalyzer::from(BigramTokenizer));
}
