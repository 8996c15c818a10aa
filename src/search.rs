//! Search as researchers expect from a search box, over the passage index.
//!
//! Words are required by default; "…" is an exact phrase; `-word` excludes; `A OR B` accepts
//! either. Each word is analysed exactly as the index analysed the text: a compound such as
//! 公共施設 matches as a phrase of its morphemes, as a run of character bigrams (for words the
//! dictionary splits differently), and, with a low weight, by its head noun (施設), so text
//! that says only 施設の老朽化 is still found, ranked below text that says 公共施設. When no
//! passage has every word, the best partial matches are returned and marked as such.

use serde::Serialize;
use thiserror::Error;

use crate::analysis::{bigram_terms, body_terms, is_cjk};
use crate::index::query::{Alternative, Concept, QueryPlan, SearchField};
use crate::index::{Filters, IndexError, PassageIndex, SearchHit};
use crate::normalize::{normalize, normalize_with_offsets};
use crate::tokenize::{JapaneseTokenizer, TokenizeError};

#[derive(Debug, Error)]
pub enum SearchError {
    #[error("the query is empty; give one or more words, e.g. `gyokaku search 公共施設 老朽化`")]
    EmptyQuery,
    #[error("unbalanced quote in query `{0}`: close the phrase with another \"")]
    UnbalancedQuote(String),
    #[error("the query `{0}` has only excluded words; add a word to search for")]
    OnlyExclusions(String),
    #[error("`OR` needs a word on both sides in `{0}`")]
    DanglingOr(String),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Tokenize(#[from] TokenizeError),
}

/// A concept of the query together with the normalised strings that show it in a passage.
#[derive(Debug, Clone)]
struct PlannedConcept {
    concept: Concept,
    highlights: Vec<String>,
    /// For a compound also found by its head noun: the whole (normalised) and the head noun.
    compound: Option<(String, String)>,
}

/// The parsed query: the plan for the index plus what to highlight.
#[derive(Debug, Clone)]
pub struct ParsedQuery {
    pub plan: QueryPlan,
    highlights: Vec<String>,
    /// Required compounds also found by their head noun: (whole, head noun).
    compounds: Vec<(String, String)>,
}

/// A hit as shown to the user: the passage plus a snippet with highlight spans.
#[derive(Debug, Clone, Serialize)]
pub struct ShownHit {
    #[serde(flatten)]
    pub hit: SearchHit,
    pub snippet: String,
    /// Highlighted spans of `snippet` as `[start, end)` character offsets.
    pub highlights: Vec<[usize; 2]>,
}

/// Everything a search returns.
#[derive(Debug, Clone, Serialize)]
pub struct SearchOutcome {
    pub query: String,
    pub total: usize,
    /// True when no passage had every word and these are the best partial matches.
    pub partial: bool,
    /// Compounds that no shown passage contains whole, so the hits show them only through
    /// their head noun: `公共施設等総合管理計画 → 計画`.
    pub broadened: Vec<Broadened>,
    pub hits: Vec<ShownHit>,
    pub facets: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
}

/// Characters of context around the matches in a snippet.
const SNIPPET_CHARS: usize = 140;

/// Parses and runs a query with filters.
pub fn search(
    index: &PassageIndex,
    query: &str,
    filters: &Filters,
    limit: usize,
) -> Result<SearchOutcome, SearchError> {
    let parsed = parse_query(index.tokenizer(), query)?;
    let mut results = index.search(&parsed.plan, filters, limit)?;
    let mut partial = false;
    if results.total == 0 && parsed.plan.required.len() > 1 {
        let relaxed = QueryPlan {
            required: Vec::new(),
            optional: parsed.plan.required.clone(),
            excluded: parsed.plan.excluded.clone(),
        };
        results = index.search(&relaxed, filters, limit)?;
        partial = results.total > 0;
    }
    let broadened = broadened_compounds(&parsed.compounds, &results.hits);
    let hits = results
        .hits
        .into_iter()
        .map(|hit| {
            let (snippet, highlights) = snippet(&hit.text, &parsed.highlights);
            ShownHit { hit, snippet, highlights }
        })
        .collect();
    Ok(SearchOutcome {
        query: query.to_owned(),
        total: results.total,
        partial,
        broadened,
        hits,
        facets: results.facets,
    })
}

/// A compound of the query that the shown passages hold only through its head noun.
/// In JSON it is the string `"whole → head"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadened {
    pub whole: String,
    pub head: String,
}

impl std::fmt::Display for Broadened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} → {}", self.whole, self.head)
    }
}

impl Serialize for Broadened {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The compounds that none of `hits` contains whole (checked only when there are hits).
fn broadened_compounds(compounds: &[(String, String)], hits: &[SearchHit]) -> Vec<Broadened> {
    if hits.is_empty() {
        return Vec::new();
    }
    let texts: Vec<String> = hits.iter().map(|hit| normalize(&hit.text)).collect();
    compounds
        .iter()
        .filter(|(whole, _)| !texts.iter().any(|text| text.contains(whole.as_str())))
        .map(|(whole, head)| Broadened { whole: whole.clone(), head: head.clone() })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Word(String),
    Phrase(String),
    Or,
}

fn lex(query: &str) -> Result<Vec<(bool, Item)>, SearchError> {
    let mut items = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = matches!(c, '-' | '－');
        if negated {
            chars.next();
        }
        match chars.peek() {
            Some('"' | '“' | '”' | '＂' | '「') => {
                let close = match chars.next() {
                    Some('「') => '」',
                    Some('“') => '”',
                    Some(other) => other,
                    None => break,
                };
                let phrase: String = chars.by_ref().take_while(|&c| c != close).collect();
                if !query.contains(close) || query.matches(close).count() < 2 && close == '"' {
                    return Err(SearchError::UnbalancedQuote(query.to_owned()));
                }
                items.push((negated, Item::Phrase(phrase)));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                if word == "OR" && !negated {
                    items.push((false, Item::Or));
                } else if !word.is_empty() {
                    items.push((negated, Item::Word(word)));
                }
            }
        }
    }
    Ok(items)
}

/// Turns the user's query into concepts, analysing each word like the index does.
pub fn parse_query(tokenizer: &JapaneseTokenizer, query: &str) -> Result<ParsedQuery, SearchError> {
    if query.trim().is_empty() {
        return Err(SearchError::EmptyQuery);
    }
    let items = lex(query)?;
    let mut plan = QueryPlan::default();
    let mut highlights = Vec::new();
    let mut compounds = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let (negated, item) = &items[i];
        if *item == Item::Or {
            return Err(SearchError::DanglingOr(query.to_owned()));
        }
        let mut group = plan_item(tokenizer, item)?;
        while items.get(i + 1).is_some_and(|(_, next)| *next == Item::Or) {
            let Some((_, next)) = items.get(i + 2) else {
                return Err(SearchError::DanglingOr(query.to_owned()));
            };
            group = merge_alternatives(group, plan_item(tokenizer, next)?);
            i += 2;
        }
        i += 1;
        if *negated {
            plan.excluded.extend(group.into_iter().map(|planned| planned.concept));
        } else {
            for planned in group {
                highlights.extend(planned.highlights);
                compounds.extend(planned.compound);
                plan.required.push(planned.concept);
            }
        }
    }
    if plan.required.is_empty() {
        return Err(if plan.excluded.is_empty() {
            SearchError::EmptyQuery
        } else {
            SearchError::OnlyExclusions(query.to_owned())
        });
    }
    Ok(ParsedQuery { plan, highlights, compounds })
}

/// `A OR B`: one concept that matches when any part of A or B does.
fn merge_alternatives(
    left: Vec<PlannedConcept>,
    right: Vec<PlannedConcept>,
) -> Vec<PlannedConcept> {
    let mut merged = PlannedConcept {
        concept: Concept { label: String::new(), alternatives: Vec::new() },
        highlights: Vec::new(),
        compound: None,
    };
    let mut labels = Vec::new();
    for planned in left.into_iter().chain(right) {
        labels.push(planned.concept.label);
        merged.concept.alternatives.extend(planned.concept.alternatives);
        merged.highlights.extend(planned.highlights);
    }
    merged.concept.label = labels.join(" OR ");
    vec![merged]
}

fn plan_item(
    tokenizer: &JapaneseTokenizer,
    item: &Item,
) -> Result<Vec<PlannedConcept>, SearchError> {
    match item {
        Item::Phrase(text) => Ok(plan_phrase(tokenizer, text)?.into_iter().collect()),
        Item::Word(text) => plan_word(tokenizer, text),
        Item::Or => Ok(Vec::new()),
    }
}

fn plan_phrase(
    tokenizer: &JapaneseTokenizer,
    text: &str,
) -> Result<Option<PlannedConcept>, SearchError> {
    let body = query_body_terms(tokenizer, text)?;
    let bigrams = relative(bigram_terms(text).into_iter().map(|t| (t.position, t.text)).collect());
    if bigrams.is_empty() {
        return Ok(None);
    }
    let alternatives = vec![
        Alternative { field: SearchField::Bigram, terms: bigrams, boost: 1.0, exact: true },
        Alternative { field: SearchField::Body, terms: relative(body), boost: 2.0, exact: true },
    ];
    Ok(Some(PlannedConcept {
        concept: Concept { label: format!("\"{text}\""), alternatives },
        highlights: vec![normalize(text)],
        compound: None,
    }))
}

/// A word of the query may hold several concepts (公共施設の老朽化 → 公共施設, 老朽化): runs of
/// adjacent content morphemes form one concept each.
fn plan_word(
    tokenizer: &JapaneseTokenizer,
    text: &str,
) -> Result<Vec<PlannedConcept>, SearchError> {
    let terms = query_body_terms_with_spans(tokenizer, text)?;
    let mut concepts = Vec::new();
    let mut chunk: Vec<(usize, String, usize, usize)> = Vec::new();
    for term in terms {
        if chunk.last().is_some_and(|last| term.0 != last.0 + 1) {
            concepts.extend(concept_from_chunk(text, &chunk));
            chunk.clear();
        }
        chunk.push(term);
    }
    concepts.extend(concept_from_chunk(text, &chunk));
    if concepts.is_empty() {
        // Only particles or symbols: fall back to the characters themselves.
        concepts.extend(plan_phrase(tokenizer, text)?);
    }
    Ok(concepts)
}

fn concept_from_chunk(
    text: &str,
    chunk: &[(usize, String, usize, usize)],
) -> Option<PlannedConcept> {
    let (first, last) = (chunk.first()?, chunk.last()?);
    let surface = &text[first.2..last.3];
    let body: Vec<(usize, String)> = chunk.iter().map(|(p, t, _, _)| (*p, t.clone())).collect();
    let bigrams: Vec<(usize, String)> =
        bigram_terms(surface).into_iter().map(|t| (t.position, t.text)).collect();
    let normalized = normalize(surface);
    // Uninflected words written in CJK characters only, at least two of them (市民, 行政改革大綱),
    // are found by their bigrams wherever their body terms match, so asking the body field too
    // only costs time: for a compound the bigram phrase is led by a rare bigram across a
    // morpheme boundary (革大) while the body phrase checks positions in every passage with its
    // rarest morpheme, and for a common word the two fields double the union's work. The
    // bigrams then carry the weight of both.
    let bigrams_cover_body = normalized.chars().count() >= 2
        && !bigrams.is_empty()
        && normalized.chars().all(is_cjk)
        && body.iter().map(|(_, t)| t.as_str()).collect::<String>() == normalized;
    let mut alternatives = vec![Alternative {
        field: SearchField::Heading,
        terms: relative(body.clone()),
        boost: 0.5,
        exact: false,
    }];
    if !bigrams_cover_body {
        alternatives.push(Alternative {
            field: SearchField::Body,
            terms: relative(body),
            boost: 2.0,
            exact: false,
        });
    }
    if !bigrams.is_empty() {
        alternatives.push(Alternative {
            field: SearchField::Bigram,
            terms: relative(bigrams),
            boost: if bigrams_cover_body { 3.0 } else { 1.0 },
            exact: false,
        });
    }
    let mut highlights = vec![normalized];
    // The head noun of a compound (施設 of 公共施設) also matches, with a low weight.
    let mut compound = None;
    if chunk.len() > 1 && last.1.chars().count() >= 2 {
        alternatives.push(Alternative {
            field: SearchField::Body,
            terms: vec![(0, last.1.clone())],
            boost: 0.3,
            exact: false,
        });
        highlights.push(last.1.clone());
        compound = Some((highlights[0].clone(), last.1.clone()));
    }
    Some(PlannedConcept {
        concept: Concept { label: surface.to_owned(), alternatives },
        highlights,
        compound,
    })
}

/// Body terms of a query, one per position: the base form of inflected words, since the
/// index holds the base form at every position where a surface form was inflected.
fn query_body_terms(
    tokenizer: &JapaneseTokenizer,
    text: &str,
) -> Result<Vec<(usize, String)>, SearchError> {
    Ok(query_body_terms_with_spans(tokenizer, text)?
        .into_iter()
        .map(|(p, t, _, _)| (p, t))
        .collect())
}

fn query_body_terms_with_spans(
    tokenizer: &JapaneseTokenizer,
    text: &str,
) -> Result<Vec<(usize, String, usize, usize)>, SearchError> {
    let mut out: Vec<(usize, String, usize, usize)> = Vec::new();
    for term in body_terms(tokenizer, text)? {
        match out.last_mut() {
            Some(last) if last.0 == term.position => last.1 = term.text,
            _ => out.push((term.position, term.text, term.start, term.end)),
        }
    }
    Ok(out)
}

fn relative(terms: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let base = terms.first().map_or(0, |t| t.0);
    terms.into_iter().map(|(p, t)| (p - base, t)).collect()
}

/// Picks the part of a passage with the most highlighted matches and returns it with the
/// highlight spans as character offsets into the snippet.
pub fn snippet(text: &str, highlights: &[String]) -> (String, Vec<[usize; 2]>) {
    let normalized = normalize_with_offsets(text);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for needle in highlights.iter().filter(|n| !n.is_empty()) {
        for (at, _) in normalized.text.match_indices(needle.as_str()) {
            let start = normalized.source_offset(at);
            let end = normalized.source_offset(at + needle.len());
            if start < end {
                spans.push((start, end));
            }
        }
    }
    spans.sort_unstable();
    let spans = merge_spans(spans);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let char_index = |byte: usize| chars.partition_point(|&(offset, _)| offset < byte);
    let char_spans: Vec<(usize, usize)> =
        spans.iter().map(|&(s, e)| (char_index(s), char_index(e))).collect();
    let (from, to) = best_window(&char_spans, chars.len(), SNIPPET_CHARS);
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(offset, _)| offset);
    let mut snippet = String::new();
    if from > 0 {
        snippet.push('…');
    }
    let prefix = snippet.chars().count();
    snippet.push_str(&text[byte_at(from)..byte_at(to)].replace('\n', " "));
    if to < chars.len() {
        snippet.push('…');
    }
    let highlights = char_spans
        .iter()
        .filter(|&&(s, e)| s >= from && e <= to)
        .map(|&(s, e)| [s - from + prefix, e - from + prefix])
        .collect();
    (snippet, highlights)
}

fn merge_spans(spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The window of `width` characters that covers the most highlight spans.
fn best_window(spans: &[(usize, usize)], len: usize, width: usize) -> (usize, usize) {
    if len <= width {
        return (0, len);
    }
    let mut best = (0, 0usize);
    for &(start, _) in spans {
        let from = start.saturating_sub(width / 4);
        let covered = spans.iter().filter(|&&(s, e)| s >= from && e <= from + width).count();
        if covered > best.1 {
            best = (from, covered);
        }
    }
    let from = best.0.min(len.saturating_sub(width));
    (from, (from + width).min(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(query: &str) -> QueryPlan {
        parse_query(JapaneseTokenizer::shared().unwrap(), query).unwrap().plan
    }

    #[test]
    fn words_become_required_concepts() {
        let plan = plan("公共施設の老朽化 -学校");
        let labels: Vec<&str> = plan.required.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["公共施設", "老朽化"]);
        assert_eq!(plan.excluded.len(), 1);
    }

    #[test]
    fn or_joins_alternatives_into_one_concept() {
        let plan = plan("協働 OR 連携 財政");
        assert_eq!(plan.required.len(), 2);
        assert_eq!(plan.required[0].label, "協働 OR 連携");
    }

    #[test]
    fn quoted_phrase_is_one_concept() {
        let plan = plan("\"行政評価システム\"");
        assert_eq!(plan.required.len(), 1);
        assert!(plan.required[0].alternatives.iter().any(|a| a.field == SearchField::Bigram));
    }

    #[test]
    fn malformed_queries_are_errors() {
        let tokenizer = JapaneseTokenizer::shared().unwrap();
        assert!(matches!(parse_query(tokenizer, "  "), Err(SearchError::EmptyQuery)));
        assert!(matches!(parse_query(tokenizer, "-学校"), Err(SearchError::OnlyExclusions(_))));
        assert!(matches!(parse_query(tokenizer, "協働 OR"), Err(SearchError::DanglingOr(_))));
        assert!(matches!(parse_query(tokenizer, "\"協働"), Err(SearchError::UnbalancedQuote(_))));
    }

    #[test]
    fn snippet_highlights_matches() {
        let text = format!(
            "{}公共施設の老朽化が進んでいます。{}",
            "前文。".repeat(60),
            "後文。".repeat(60)
        );
        let (snippet, spans) = snippet(&text, &["公共施設".to_owned(), "老朽化".to_owned()]);
        let chars: Vec<char> = snippet.chars().collect();
        let marked: Vec<String> =
            spans.iter().map(|[s, e]| chars[*s..*e].iter().collect()).collect();
        assert_eq!(marked, ["公共施設", "老朽化"]);
        assert!(snippet.starts_with('…') && snippet.ends_with('…'));
    }
}
