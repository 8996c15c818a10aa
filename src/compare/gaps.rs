//! Taxonomy gaps: salient noun compounds of the corpus (two or more nouns joined, ranked by
//! TF-IDF) that no theme's keywords cover, so an analyst can see what the plans talk about that the codebook does not code.
//!
//! A term is covered when it contains a keyword (公共施設マネジメント計画 ⊇ 公共施設マネジメント)
//! or a keyword contains it (人材 ⊆ 人材育成), both compared after the taxonomy's folding.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CompareError, term_counts_by_document};
use crate::themes::aggregate::DocumentInput;
use crate::themes::{Scorer, Taxonomy};
use crate::tokenize::JapaneseTokenizer;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapTerm {
    pub term: String,
    /// Sum over documents of tf × idf.
    pub tfidf: f64,
    /// Occurrences in the corpus.
    pub count: usize,
    /// Documents the term occurs in.
    pub documents: usize,
    /// The document where it weighs most.
    pub example: String,
}

/// The `limit` most salient uncovered terms, best first.
pub fn gaps(
    taxonomy: &Taxonomy,
    documents: &[DocumentInput<'_>],
    limit: usize,
) -> Result<Vec<GapTerm>, CompareError> {
    let tokenizer = JapaneseTokenizer::shared()
        .map_err(|source| CompareError::Tokenize { path: "(dictionary)".into(), source })?;
    let counts = term_counts_by_document(tokenizer, documents, 2)?;
    let scorer = Scorer::new(taxonomy);
    let keywords: Vec<String> = taxonomy
        .themes
        .iter()
        .flat_map(|t| t.keywords.iter().chain(&t.weak_keywords))
        .map(|k| scorer.fold(k))
        .filter(|k| !k.is_empty())
        .collect();
    let mut terms = rank(&counts);
    terms.retain(|t| {
        let folded = scorer.fold(&t.term);
        !keywords.iter().any(|k| folded.contains(k.as_str()) || k.contains(folded.as_str()))
    });
    terms.truncate(limit);
    Ok(terms)
}

/// TF-IDF over documents, with idf = ln((1 + N) / (1 + df)) + 1 so that terms in every
/// document still count.
fn rank(counts: &BTreeMap<String, BTreeMap<String, usize>>) -> Vec<GapTerm> {
    #[allow(clippy::cast_precision_loss)] // Document and term counts are small.
    let n_documents = counts.len() as f64;
    let mut document_frequency: BTreeMap<&str, usize> = BTreeMap::new();
    for terms in counts.values() {
        for term in terms.keys() {
            *document_frequency.entry(term).or_default() += 1;
        }
    }
    let mut by_term: BTreeMap<&str, GapTerm> = BTreeMap::new();
    let mut best_weight: BTreeMap<&str, f64> = BTreeMap::new();
    for (path, terms) in counts {
        let total: usize = terms.values().sum();
        for (term, &n) in terms {
            let df = document_frequency[term.as_str()];
            #[allow(clippy::cast_precision_loss)]
            let tf = n as f64 / total.max(1) as f64;
            #[allow(clippy::cast_precision_loss)]
            let idf = ((1.0 + n_documents) / (1.0 + df as f64)).ln() + 1.0;
            let weight = tf * idf;
            let entry = by_term.entry(term).or_insert_with(|| GapTerm {
                term: term.clone(),
                tfidf: 0.0,
                count: 0,
                documents: df,
                example: path.clone(),
            });
            let best = best_weight.entry(term).or_insert(0.0);
            if weight > *best {
                *best = weight;
                entry.example = path.clone();
            }
            entry.tfidf += weight;
            entry.count += n;
        }
    }
    let mut ranked: Vec<GapTerm> = by_term
        .into_values()
        .filter(|t| t.count >= 2)
        .map(|mut t| {
            t.tfidf = (t.tfidf * 10000.0).round() / 10000.0;
            t
        })
        .collect();
    ranked.sort_by(|a, b| b.tfidf.total_cmp(&a.tfidf).then_with(|| a.term.cmp(&b.term)));
    ranked
}
