//! Running a search plan against the index: tantivy queries, filters, facets, stored hits.
//!
//! The plan itself (which words, phrases and exclusions) is built in `crate::search` from
//! the user's query with the same analysis the index uses; here it becomes tantivy queries.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, EnableScoring, Explanation, Occur,
    PhraseQuery, Query, RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TantivyDocument, Term};

use super::facets::FacetCounter;
use super::{
    IndexError, PassageIndex, parse_format, split_heading, stored_facets, stored_i64, stored_str,
    stored_u64,
};
use crate::model::Format;

/// Share of a concept's other matching alternatives added to its best one's score.
const ALTERNATIVES_TIE_BREAKER: f32 = 0.5;

/// Which analysed field a query alternative targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    Body,
    Bigram,
    Heading,
}

/// One way a concept can match: a sequence of terms (a phrase if more than one) in a field.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub field: SearchField,
    /// Terms with their positions relative to the first.
    pub terms: Vec<(usize, String)>,
    pub boost: f32,
    pub form: Form,
}

/// How an alternative stands for its concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Every term is checked at its position (a quoted phrase).
    Exact,
    /// The concept as written: a run of bigrams may be checked through a subset that still
    /// pins every character.
    Whole,
    /// A part of a compound (a sub-compound or the head noun) standing in for the whole. Its
    /// boost is scaled by how specific the part is: a phrase of common bigrams (自治体 of
    /// 自治体DX) scores like its rarest bigram rather than by the sum of its bigrams' idf, so a
    /// short, rare part outranks a long, common one.
    Part,
}

/// How much of the idf of a part's terms other than its rarest counts (see `part_specificity`):
/// a quarter, so that a long part of rare bigrams (人事評価) still outranks a bare head noun
/// (制度), while a part of common bigrams (自治体) no longer outranks a rare one (dx). Chosen on
/// the real-plan dev split: nDCG@10 0.756 at 1 (no scaling), 0.775 at 0.25, 0.772 at 0.5;
/// 0 scored 0.778 but lets a head noun repeated four times outrank 人事評価. (Measured beside an
/// index-side alternative for compounds written apart, since dropped: 0.773 without it.)
const PART_OTHER_TERMS_SHARE: f32 = 0.25;

/// Something the user asked for: a word, a compound or a quoted phrase. It matches a
/// passage when any of its alternatives does.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub label: String,
    pub alternatives: Vec<Alternative>,
}

/// A whole query: concepts that must, may, and must not match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryPlan {
    pub required: Vec<Concept>,
    pub optional: Vec<Concept>,
    pub excluded: Vec<Concept>,
}

/// Restrictions on which passages count, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub municipalities: Vec<String>,
    pub prefectures: Vec<String>,
    /// 全国地方公共団体コード (six digits).
    pub codes: Vec<String>,
    /// 政令市, 中核市, 市, 特別区, 町, 村 … (see `identity::TYPES`).
    pub municipality_types: Vec<String>,
    pub years: Option<(Option<i32>, Option<i32>)>,
    pub formats: Vec<Format>,
    pub themes: Vec<String>,
    /// Passage roles (`commitment`, `target` …; see `themes::Role`).
    pub roles: Vec<String>,
    /// Manifest columns, `KEY=VALUE`.
    pub vars: Vec<(String, String)>,
}

/// One matching passage with everything needed to show and cite it.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub path: String,
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality_type: Option<String>,
    pub title: Option<String>,
    pub year: Option<i64>,
    pub format: Format,
    pub page: u64,
    /// The passage's position in its document (0-based), as `gyokaku themes` and plans count.
    pub ordinal: u64,
    pub heading: String,
    pub score: f32,
    pub text: String,
    pub themes: Vec<String>,
    /// The passage's role (history, state, commitment, target, other); absent in an index
    /// written before roles existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The passage was read from a page without a text layer, by OCR: cite with care.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ocr: bool,
    #[serde(skip)]
    pub heading_path: Vec<String>,
}

/// Hits, the total number of matching passages, and facet counts over all of them.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

impl PassageIndex {
    /// Runs a plan with filters and returns the best `limit` passages.
    pub fn search(
        &self,
        plan: &QueryPlan,
        filters: &Filters,
        limit: usize,
    ) -> Result<SearchResults, IndexError> {
        let searcher = self.reader()?.searcher();
        let query = self.build_query(plan, filters, &searcher);
        let (top, total, facet_counts) = searcher
            .search(
                &query,
                &(
                    TopDocs::with_limit(limit.max(1)).order_by_score(),
                    Count,
                    FacetCounter::new(&self.facet_cache),
                ),
            )
            .map_err(self.tantivy_err())?;
        let hits = top
            .into_iter()
            .take(limit)
            .map(|(score, address)| self.hit(&searcher, score, address))
            .collect::<Result<Vec<_>, _>>()?;
        let facets = self.facet_cache.name(facet_counts);
        Ok(SearchResults { total, hits, facets })
    }

    /// The best `limit` passages of a plan, without counting or facets: the cheap pass for
    /// candidates that a caller re-ranks (partial matches, documents).
    pub fn top_passages(
        &self,
        plan: &QueryPlan,
        filters: &Filters,
        limit: usize,
    ) -> Result<Vec<SearchHit>, IndexError> {
        let searcher = self.reader()?.searcher();
        let query = self.build_query(plan, filters, &searcher);
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())
            .map_err(self.tantivy_err())?;
        top.into_iter().map(|(score, address)| self.hit(&searcher, score, address)).collect()
    }

    fn hit(
        &self,
        searcher: &Searcher,
        score: f32,
        address: DocAddress,
    ) -> Result<SearchHit, IndexError> {
        let doc: TantivyDocument = searcher.doc(address).map_err(self.tantivy_err())?;
        let f = &self.fields;
        let optional = |field: Field| Some(stored_str(&doc, field)).filter(|s| !s.is_empty());
        let heading = stored_str(&doc, f.heading);
        Ok(SearchHit {
            path: stored_str(&doc, f.path),
            municipality: optional(f.municipality),
            prefecture: optional(f.prefecture),
            code: optional(f.code),
            municipality_type: optional(f.municipality_type),
            title: optional(f.title),
            year: stored_i64(&doc, f.year),
            format: parse_format(&stored_str(&doc, f.format)),
            page: stored_u64(&doc, f.page),
            ordinal: stored_u64(&doc, f.ordinal),
            heading_path: split_heading(&heading),
            heading,
            score,
            text: stored_str(&doc, f.text),
            themes: stored_facets(&doc, f.themes),
            role: optional(f.role),
            ocr: stored_u64(&doc, f.ocr) == 1,
        })
    }

    fn build_query(
        &self,
        plan: &QueryPlan,
        filters: &Filters,
        searcher: &Searcher,
    ) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for concept in &plan.required {
            clauses.push((Occur::Must, self.concept_query(concept, searcher)));
        }
        for concept in &plan.optional {
            clauses.push((Occur::Should, self.concept_query(concept, searcher)));
        }
        for concept in &plan.excluded {
            let excluded = ForwardOnly(self.concept_query(concept, searcher));
            clauses.push((Occur::MustNot, Box::new(excluded) as Box<dyn Query>));
        }
        for filter in self.filter_queries(filters) {
            clauses.push((Occur::Must, filter));
        }
        BooleanQuery::new(clauses)
    }

    fn field(&self, field: SearchField) -> Field {
        match field {
            SearchField::Body => self.fields.body,
            SearchField::Bigram => self.fields.body_bigram,
            SearchField::Heading => self.fields.heading,
        }
    }

    fn concept_query(&self, concept: &Concept, searcher: &Searcher) -> Box<dyn Query> {
        let alternatives: Vec<Box<dyn Query>> = concept
            .alternatives
            .iter()
            .filter(|alt| !alt.terms.is_empty())
            .map(|alt| {
                let field = self.field(alt.field);
                let mut boost = alt.boost;
                let query: Box<dyn Query> = if alt.terms.len() == 1 {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, &alt.terms[0].1),
                        IndexRecordOption::WithFreqs,
                    ))
                } else {
                    let terms: Vec<(usize, Term)> = alt
                        .terms
                        .iter()
                        .map(|(offset, text)| (*offset, Term::from_field_text(field, text)))
                        .collect();
                    if alt.form == Form::Part {
                        boost *= part_specificity(&terms, searcher);
                    }
                    let sparse = alt.field == SearchField::Bigram && alt.form != Form::Exact;
                    let terms = if sparse {
                        let (cover, weight) = bigram_cover(terms, searcher);
                        boost *= weight;
                        cover
                    } else {
                        terms
                    };
                    Box::new(PhraseQuery::new_with_offset(terms))
                };
                Box::new(BoostQuery::new(query, boost)) as Box<dyn Query>
            })
            .collect();
        if alternatives.is_empty() {
            Box::new(EmptyQuery)
        } else {
            // The best way a concept matches scores it; the others add a little. A sum would
            // count one word three times (heading, body, bigrams) in an outline line, and a
            // compound once more through each of its parts.
            Box::new(DisjunctionMaxQuery::with_tie_breaker(alternatives, ALTERNATIVES_TIE_BREAKER))
        }
    }

    fn filter_queries(&self, filters: &Filters) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut queries: Vec<Box<dyn Query>> = Vec::new();
        let any_of = |field: Field,
                      values: &mut dyn Iterator<Item = String>|
         -> Option<Box<dyn Query>> {
            let clauses: Vec<(Occur, Box<dyn Query>)> = values
                .map(|value| {
                    let term = Term::from_field_text(field, &value);
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
        };
        queries.extend(any_of(f.municipality, &mut filters.municipalities.iter().cloned()));
        queries.extend(any_of(f.prefecture, &mut filters.prefectures.iter().cloned()));
        queries.extend(any_of(f.code, &mut filters.codes.iter().cloned()));
        queries
            .extend(any_of(f.municipality_type, &mut filters.municipality_types.iter().cloned()));
        queries
            .extend(any_of(f.format, &mut filters.formats.iter().map(|x| x.as_str().to_owned())));
        queries.extend(any_of(f.role, &mut filters.roles.iter().cloned()));
        for (key, value) in &filters.vars {
            queries.extend(any_of(f.vars, &mut std::iter::once(format!("{key}={value}"))));
        }
        if !filters.themes.is_empty() {
            let clauses: Vec<(Occur, Box<dyn Query>)> = filters
                .themes
                .iter()
                .map(|theme| {
                    let term = Term::from_facet(f.themes, &Facet::from_path([theme.as_str()]));
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            queries.push(Box::new(BooleanQuery::new(clauses)));
        }
        if let Some((from, to)) = filters.years {
            let bound = |year: Option<i32>, inclusive: fn(Term) -> Bound<Term>| {
                year.map_or(Bound::Unbounded, |y| {
                    inclusive(Term::from_field_i64(f.year, i64::from(y)))
                })
            };
            queries.push(Box::new(RangeQuery::new(
                bound(from, Bound::Included),
                bound(to, Bound::Included),
            )));
        }
        queries
    }
}

/// The bigrams of a word, thinned to a subset that still pins every character (neighbours
/// at most two positions apart, the first and the last kept) and keeps the rarest bigram,
/// which leads the phrase's intersection. Fewer terms means fewer positions read per
/// candidate passage: サービス is checked as サー…ビス, アウトソーシング through four bigrams.
/// (A gap could in theory be filled by one token outside the word's run — サー, one Latin word,
/// ビス — which quoted phrases rule out by checking every bigram.)
fn bigram_cover(terms: Vec<(usize, Term)>, searcher: &Searcher) -> (Vec<(usize, Term)>, f32) {
    let consecutive = terms.windows(2).all(|w| w[1].0 == w[0].0 + 1);
    if terms.len() < 3 || !consecutive {
        return (terms, 1.0);
    }
    let doc_freqs: Vec<u64> =
        terms.iter().map(|(_, term)| searcher.doc_freq(term).unwrap_or(u64::MAX)).collect();
    let keep = cover_indexes(&doc_freqs);
    // A phrase scores by the summed idf of its terms: weigh the cover so that it scores as the
    // whole phrase would (it matches the same passages the same number of times).
    let idf = |i: usize| bm25_idf(doc_freqs[i], searcher.num_docs());
    let all: f32 = (0..terms.len()).map(idf).sum();
    let kept: f32 = keep.iter().map(|&i| idf(i)).sum();
    let weight = if kept > 0.0 { all / kept } else { 1.0 };
    let cover =
        terms.into_iter().enumerate().filter(|(i, _)| keep.contains(i)).map(|(_, t)| t).collect();
    (cover, weight)
}

/// The share of a phrase's BM25 weight that its specificity earns. tantivy scores a phrase by
/// the summed idf of its terms, which rewards length: three common bigrams (自治体) outweigh
/// one rare term (dx). A phrase is at least as rare as its rarest term and often not much rarer,
/// so it earns its rarest term's idf in full and `PART_OTHER_TERMS_SHARE` of the others'.
fn part_specificity(terms: &[(usize, Term)], searcher: &Searcher) -> f32 {
    let idfs: Vec<f32> = terms
        .iter()
        .map(|(_, term)| bm25_idf(searcher.doc_freq(term).unwrap_or(u64::MAX), searcher.num_docs()))
        .collect();
    let summed: f32 = idfs.iter().sum();
    let rarest = idfs.iter().copied().fold(0.0_f32, f32::max);
    if summed > 0.0 { (rarest + PART_OTHER_TERMS_SHARE * (summed - rarest)) / summed } else { 1.0 }
}

/// BM25's inverse document frequency, as tantivy computes it.
fn bm25_idf(doc_freq: u64, docs: u64) -> f32 {
    let (doc_freq, docs) = (doc_freq.min(docs) as f32, docs as f32);
    (1.0 + (docs - doc_freq + 0.5) / (doc_freq + 0.5)).ln()
}

/// Indexes of a cover of `0..n` (see `bigram_cover`): fewest members, then the rarest.
fn cover_indexes(doc_freqs: &[u64]) -> Vec<usize> {
    let n = doc_freqs.len();
    if n < 3 {
        return (0..n).collect();
    }
    let rarest = (0..n).min_by_key(|&i| doc_freqs[i]).unwrap_or(0);
    // best[i]: (members, summed frequency, previous member) of the cheapest cover of 0..=i
    // that ends with i; a step never jumps over the rarest bigram.
    let mut best: Vec<Option<(usize, u128, usize)>> = vec![None; n];
    best[0] = Some((1, u128::from(doc_freqs[0]), 0));
    for i in 1..n {
        for from in i.saturating_sub(2)..i {
            let skips_rarest = from < rarest && rarest < i;
            let Some((members, freq, _)) = best[from].filter(|_| !skips_rarest) else { continue };
            let candidate = (members + 1, freq + u128::from(doc_freqs[i]), from);
            if best[i].is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1)) {
                best[i] = Some(candidate);
            }
        }
    }
    let mut keep = vec![n - 1];
    let mut at = n - 1;
    while at > 0 {
        let Some((_, _, from)) = best[at] else { break };
        keep.push(from);
        at = from;
    }
    keep.reverse();
    keep
}

/// Wraps an excluded query so that it is never asked about a document before the one it
/// stands on. tantivy 0.27's `Exclude` does ask that when it starts (it checks the first
/// candidate against every excluded scorer, which may already stand past it), and
/// `PhraseScorer::seek_danger` asserts against it: `-"市民協働"` or `-芽室町` (a bigram phrase)
/// then panicked in debug builds. The answer for an earlier document is known: not a match.
/// (`seek_danger` is left to the trait's default, which only ever seeks forward.)
#[derive(Debug)]
struct ForwardOnly(Box<dyn Query>);

impl Clone for ForwardOnly {
    fn clone(&self) -> Self {
        ForwardOnly(self.0.box_clone())
    }
}

impl Query for ForwardOnly {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ForwardOnlyWeight(self.0.weight(scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ForwardOnlyWeight(Box<dyn Weight>);

impl Weight for ForwardOnlyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ForwardOnlyScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct ForwardOnlyScorer(Box<dyn Scorer>);

impl DocSet for ForwardOnlyScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if target <= doc { doc } else { self.0.seek(target) }
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for ForwardOnlyScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

#[cfg(test)]
mod tests {
    use super::cover_indexes;

    /// Every character of an n+1-character word is pinned when neighbours are at most two
    /// bigrams apart and the first and last bigram are kept.
    fn pins_every_character(keep: &[usize], n: usize) -> bool {
        keep.first() == Some(&0)
            && keep.last() == Some(&(n - 1))
            && keep.windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= 2)
    }

    #[test]
    fn cover_keeps_the_ends_the_rarest_and_pins_every_character() {
        // サービス: サー ービ ビス, all common.
        assert_eq!(cover_indexes(&[100, 100, 100]), [0, 2]);
        // 行政改革大綱: 行政 政改 改革 革大 大綱, 革大 rare.
        // 行政 and 大綱 (the ends), 革大 (the rarest), and 政改 rather than 改革 to bridge.
        assert_eq!(cover_indexes(&[900, 50, 800, 3, 400]), [0, 1, 3, 4]);
        for n in 3..12 {
            for rarest in 0..n {
                let mut freqs = vec![1000; n];
                freqs[rarest] = 1;
                let keep = cover_indexes(&freqs);
                assert!(keep.contains(&rarest), "n {n} rarest {rarest}: {keep:?}");
                assert!(pins_every_character(&keep, n), "n {n} rarest {rarest}: {keep:?}");
                assert!(keep.len() <= n / 2 + 2, "n {n} rarest {rarest}: {keep:?}");
            }
        }
    }
}
