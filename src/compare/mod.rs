//! Comparing municipalities: theme profiles side by side, themes unique to each, cosine
//! similarity of profiles, and the distinctive terms of each against the rest of the corpus
//! (log-likelihood keyness, as KH Coder and quanteda report it). Also `gaps`: salient terms
//! of the corpus that no theme of the taxonomy covers.
//!
//! Works on the theme [`Matrix`] and on passages; it neither reads the index nor prints.

pub mod gaps;
pub mod groups;
pub mod terms;
pub mod time;

use std::collections::BTreeMap;

use serde::Serialize;
use thiserror::Error;

use crate::themes::Taxonomy;
use crate::themes::aggregate::{By, DocumentInput, Matrix, build_matrix, score_documents};
use crate::tokenize::{JapaneseTokenizer, TokenizeError};

/// Distinctive terms reported per municipality.
const KEY_TERMS: usize = 15;

#[derive(Debug, Error)]
pub enum CompareError {
    #[error("compare needs at least two municipalities, got {0}")]
    TooFew(usize),
    #[error("no municipality `{name}` in the index (known: {known})")]
    Unknown { name: String, known: String },
    #[error("`{name}` is ambiguous: {candidates}")]
    Ambiguous { name: String, candidates: String },
    #[error("cannot tokenize `{path}`: {source}")]
    Tokenize {
        path: String,
        #[source]
        source: TokenizeError,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareReport {
    pub taxonomy: String,
    pub municipalities: Vec<CompareSide>,
    pub themes: Vec<ThemeProfileRow>,
    /// Theme ids present for one municipality and absent for all the others compared.
    pub unique: BTreeMap<String, Vec<String>>,
    pub similarity: Vec<Similarity>,
    pub keyness: BTreeMap<String, Vec<KeyTerm>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareSide {
    pub name: String,
    pub year: Option<i32>,
    pub documents: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeProfileRow {
    pub id: String,
    pub label_ja: String,
    /// One entry per compared municipality, in the order given.
    pub cells: Vec<ProfileCell>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProfileCell {
    pub present: bool,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Similarity {
    pub a: String,
    pub b: String,
    pub cosine: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyTerm {
    pub term: String,
    /// Occurrences in this municipality's plans.
    pub count: usize,
    /// Occurrences in the rest of the corpus.
    pub rest: usize,
    /// Dunning's log-likelihood G².
    pub g2: f64,
}

/// Compares the named municipalities over all `documents` of the index.
pub fn compare(
    taxonomy: &Taxonomy,
    documents: &[DocumentInput<'_>],
    names: &[String],
    all_years: bool,
) -> Result<CompareReport, CompareError> {
    compare_by(taxonomy, documents, names, all_years, By::Municipality)
}

/// Compares rows of the matrix built `by` municipality or by type of body (中核市 vs 町).
pub fn compare_by(
    taxonomy: &Taxonomy,
    documents: &[DocumentInput<'_>],
    names: &[String],
    all_years: bool,
    by: By,
) -> Result<CompareReport, CompareError> {
    if names.len() < 2 {
        return Err(CompareError::TooFew(names.len()));
    }
    let scored = score_documents(taxonomy, documents);
    let matrix = build_matrix(taxonomy, &scored, by, all_years);
    let rows: Vec<usize> =
        names.iter().map(|name| resolve(&matrix, name)).collect::<Result<_, _>>()?;
    let tokenizer = JapaneseTokenizer::shared()
        .map_err(|source| CompareError::Tokenize { path: "(dictionary)".into(), source })?;
    let counts = term_counts_by_document(tokenizer, documents, 1)?;
    let sides: Vec<CompareSide> = rows
        .iter()
        .map(|&r| CompareSide {
            name: matrix.rows[r].key.clone(),
            year: matrix.rows[r].year,
            documents: matrix.rows[r].documents.clone(),
        })
        .collect();
    let keyness = sides
        .iter()
        .map(|side| (side.name.clone(), keyness_of(&counts, &side.documents)))
        .collect();
    Ok(CompareReport {
        taxonomy: format!("{}@{}", matrix.taxonomy_name, matrix.taxonomy_version),
        themes: profile_rows(&matrix, &rows),
        unique: unique_themes(&matrix, &rows),
        similarity: similarities(&matrix, &rows),
        municipalities: sides,
        keyness,
    })
}

/// The most distinctive terms of every municipality against all the others (G² keyness
/// of noun compounds), `per_municipality` each, municipalities in name order.
pub fn distinctive_terms_by_municipality(
    documents: &[DocumentInput<'_>],
    per_municipality: usize,
) -> Result<BTreeMap<String, Vec<KeyTerm>>, CompareError> {
    let tokenizer = JapaneseTokenizer::shared()
        .map_err(|source| CompareError::Tokenize { path: "(dictionary)".into(), source })?;
    let counts = term_counts_by_document(tokenizer, documents, 1)?;
    let mut paths_by_city: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for doc in documents {
        let city = doc.meta.municipality.clone().unwrap_or_else(|| "(unknown)".to_owned());
        paths_by_city.entry(city).or_default().push(doc.path.to_owned());
    }
    Ok(paths_by_city
        .into_iter()
        .map(|(city, paths)| {
            let mut terms = keyness_of(&counts, &paths);
            terms.truncate(per_municipality);
            (city, terms)
        })
        .collect())
}

/// Finds a row by exact name, else by a unique partial match (芽室 → 芽室町).
fn resolve(matrix: &Matrix, name: &str) -> Result<usize, CompareError> {
    if let Some(index) = matrix.rows.iter().position(|row| row.key == name) {
        return Ok(index);
    }
    let candidates: Vec<usize> =
        (0..matrix.rows.len()).filter(|&i| matrix.rows[i].key.contains(name)).collect();
    match candidates.as_slice() {
        [one] => Ok(*one),
        [] => Err(CompareError::Unknown {
            name: name.to_owned(),
            known: matrix.rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>().join(", "),
        }),
        many => Err(CompareError::Ambiguous {
            name: name.to_owned(),
            candidates: many
                .iter()
                .map(|&i| matrix.rows[i].key.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn profile_rows(matrix: &Matrix, rows: &[usize]) -> Vec<ThemeProfileRow> {
    matrix
        .columns
        .iter()
        .enumerate()
        .map(|(theme, column)| ThemeProfileRow {
            id: column.id.clone(),
            label_ja: column.label_ja.clone(),
            cells: rows
                .iter()
                .map(|&r| {
                    let cell = &matrix.rows[r].cells[theme];
                    ProfileCell { present: cell.present, score: cell.score }
                })
                .collect(),
        })
        .collect()
}

fn unique_themes(matrix: &Matrix, rows: &[usize]) -> BTreeMap<String, Vec<String>> {
    rows.iter()
        .map(|&r| {
            let unique = (0..matrix.columns.len())
                .filter(|&t| {
                    matrix.rows[r].cells[t].present
                        && rows
                            .iter()
                            .filter(|&&o| o != r)
                            .all(|&o| !matrix.rows[o].cells[t].present)
                })
                .map(|t| matrix.columns[t].id.clone())
                .collect();
            (matrix.rows[r].key.clone(), unique)
        })
        .collect()
}

fn similarities(matrix: &Matrix, rows: &[usize]) -> Vec<Similarity> {
    let profile = |r: usize| matrix.rows[r].cells.iter().map(|c| c.score).collect::<Vec<f64>>();
    let mut out = Vec::new();
    for (i, &a) in rows.iter().enumerate() {
        for &b in &rows[i + 1..] {
            out.push(Similarity {
                a: matrix.rows[a].key.clone(),
                b: matrix.rows[b].key.clone(),
                cosine: round3(cosine(&profile(a), &profile(b))),
            });
        }
    }
    out
}

/// Cosine similarity; 0 when either vector is all zeros.
pub fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator == 0.0 { 0.0 } else { dot / denominator }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Counts per document path of the noun compounds joining at least `min_parts` nouns.
pub(crate) fn term_counts_by_document(
    tokenizer: &JapaneseTokenizer,
    documents: &[DocumentInput<'_>],
    min_parts: usize,
) -> Result<BTreeMap<String, BTreeMap<String, usize>>, CompareError> {
    let mut out = BTreeMap::new();
    for doc in documents {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for passage in doc.passages {
            let terms = terms::noun_compounds(tokenizer, &passage.text)
                .map_err(|source| CompareError::Tokenize { path: doc.path.to_owned(), source })?;
            for term in terms.into_iter().filter(|t| t.parts >= min_parts) {
                *counts.entry(term.text).or_default() += 1;
            }
        }
        out.insert(doc.path.to_owned(), counts);
    }
    Ok(out)
}

/// Terms over-represented in `target` documents against all other documents, by G².
fn keyness_of(
    counts: &BTreeMap<String, BTreeMap<String, usize>>,
    target: &[String],
) -> Vec<KeyTerm> {
    keyness_against(counts, target, None)
}

/// Terms over-represented in `target` documents against the `reference` documents (all
/// other documents when `None`), by G².
fn keyness_against(
    counts: &BTreeMap<String, BTreeMap<String, usize>>,
    target: &[String],
    reference: Option<&[String]>,
) -> Vec<KeyTerm> {
    let mut inside: BTreeMap<&str, usize> = BTreeMap::new();
    let mut outside: BTreeMap<&str, usize> = BTreeMap::new();
    for (path, terms) in counts {
        let bucket = if target.contains(path) {
            &mut inside
        } else if reference.is_none_or(|r| r.contains(path)) {
            &mut outside
        } else {
            continue;
        };
        for (term, n) in terms {
            *bucket.entry(term).or_default() += n;
        }
    }
    let total_in: usize = inside.values().sum();
    let total_out: usize = outside.values().sum();
    let mut key_terms: Vec<KeyTerm> = inside
        .iter()
        .filter_map(|(term, &count)| {
            let rest = outside.get(term).copied().unwrap_or(0);
            let g2 = log_likelihood(count, rest, total_in, total_out)?;
            Some(KeyTerm { term: (*term).to_owned(), count, rest, g2: round3(g2) })
        })
        .collect();
    key_terms.sort_by(|a, b| b.g2.total_cmp(&a.g2).then_with(|| a.term.cmp(&b.term)));
    key_terms.truncate(KEY_TERMS);
    key_terms
}

/// Dunning's G² for a term seen `a` times in a corpus of `c` terms and `b` times in one of
/// `d` terms; `None` unless the term is over-represented in the first corpus.
pub fn log_likelihood(a: usize, b: usize, c: usize, d: usize) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)] // Term counts are far below 2^52.
    let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);
    if a == 0.0 || c == 0.0 || (d > 0.0 && a / c <= b / d) {
        return None;
    }
    let e1 = c * (a + b) / (c + d);
    let e2 = d * (a + b) / (c + d);
    let part = |observed: f64, expected: f64| {
        if observed > 0.0 { observed * (observed / expected).ln() } else { 0.0 }
    };
    Some(2.0 * (part(a, e1) + part(b, e2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_of_profiles() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-9);
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 1.0]), 0.0);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
    }

    #[test]
    fn log_likelihood_matches_a_hand_computed_value() {
        // 10 of 1000 vs 10 of 10000: E1 = 1000*20/11000, E2 = 10000*20/11000.
        let g2 = log_likelihood(10, 10, 1000, 10000).unwrap();
        let e1: f64 = 1000.0 * 20.0 / 11000.0;
        let e2: f64 = 10000.0 * 20.0 / 11000.0;
        let expected = 2.0 * (10.0 * (10.0 / e1).ln() + 10.0 * (10.0_f64 / e2).ln());
        assert!((g2 - expected).abs() < 1e-9);
        assert!(
            log_likelihood(1, 100, 1000, 1000).is_none(),
            "under-represented terms are not key"
        );
    }
}
