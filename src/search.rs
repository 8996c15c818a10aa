//! Search as researchers expect from a search box, over the passage index.
//!
//! Words are wanted together; "…" is an exact phrase; `-word` excludes; `A OR B` accepts
//! either. Each word is analysed exactly as the index analysed the text: a compound such as
//! 人事評価制度 matches as a phrase of its morphemes, as a run of character bigrams (for words
//! the dictionary splits differently), by its sub-compounds (人事評価) and, with a low weight,
//! by its head noun (制度), so text that says only 人事評価 is still found, ranked below text
//! that says 人事評価制度 and above text that says only 制度.
//!
//! Ranking is in tiers: passages with every word first (BM25, raised when the words stand
//! close together), then passages with some of them, more words first, each marked `partial`.
//! Grouped by document ([`Group::Documents`]), a plan that holds every word anywhere, even in
//! different passages, matches; plans holding some follow, marked. Partial candidates come
//! from one extra pass over the index, run only when the full matches do not fill the page.

use serde::Serialize;
use thiserror::Error;

use crate::analysis::{bigram_terms, body_terms, is_cjk};
use crate::index::query::{Alternative, Concept, Form, QueryPlan, SearchField};
use crate::index::{Filters, IndexError, PassageIndex, SearchHit};
use crate::normalize::{normalize, normalize_with_offsets};
use crate::tokenize::{JapaneseTokenizer, TokenizeError};

mod wordings;

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

/// The normalised strings that show a concept in a text: whole forms, sub-compounds (人事評価
/// of 人事評価制度) and the head noun (制度).
#[derive(Debug, Clone, Default)]
struct ConceptForms {
    label: String,
    whole: Vec<String>,
    subs: Vec<String>,
    head: Option<String>,
    /// A compound's morphemes, which also show it written apart (事務事業の評価), once as
    /// written and once per body wording of its first morpheme (住民|満足|度 → 市民の満足度).
    parts: Vec<Vec<String>>,
}

/// A concept of the query together with the normalised strings that show it in a passage.
#[derive(Debug, Clone)]
struct PlannedConcept {
    concept: Concept,
    forms: ConceptForms,
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
    /// The forms of each required concept, in query order.
    concepts: Vec<ConceptForms>,
}

/// A hit as shown to the user: the passage plus a snippet with highlight spans.
#[derive(Debug, Clone, Serialize)]
pub struct ShownHit {
    #[serde(flatten)]
    pub hit: SearchHit,
    pub snippet: String,
    /// Highlighted spans of `snippet` as `[start, end)` character offsets.
    pub highlights: Vec<[usize; 2]>,
    /// True when the passage lacks some of the query's words (see `matched`).
    pub partial: bool,
    /// The query's words (concept labels) this passage holds, in query order.
    pub matched: Vec<String>,
}

/// One plan among the results of a grouped search: its best passages and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentHit {
    pub path: String,
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    pub title: Option<String>,
    pub year: Option<i64>,
    pub score: f32,
    /// True when the plan lacks some of the query's words in every passage.
    pub partial: bool,
    /// The query's words the plan holds somewhere, in query order.
    pub matched: Vec<String>,
    /// Matching passages of this plan among the candidates.
    pub passages: usize,
    /// The best passages, best first.
    pub best: Vec<ShownHit>,
}

/// How results are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Group {
    /// The best passages, whichever plans they come from.
    #[default]
    Passages,
    /// One entry per plan, with its best passages (as Overton groups a policy document).
    Documents,
}

/// Everything a search returns.
#[derive(Debug, Clone, Serialize)]
pub struct SearchOutcome {
    pub query: String,
    /// Passages with every word; when there are none (`partial`), passages with some.
    pub total: usize,
    /// True when no passage had every word and these are the best partial matches.
    pub partial: bool,
    /// Compounds that no shown passage contains whole, so the hits show them only through
    /// their head noun: `公共施設等総合管理計画 → 計画`.
    pub broadened: Vec<Broadened>,
    pub hits: Vec<ShownHit>,
    /// With [`Group::Documents`]: one entry per plan, best first (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<DocumentHit>>,
    pub facets: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
}

/// Characters of context around the matches in a snippet.
const SNIPPET_CHARS: usize = 140;
/// Candidate passages of the partial-match pass: enough to fill a page of plans after the
/// full matches, few enough to re-rank in well under a millisecond.
const PARTIAL_POOL: usize = 200;
/// Passages asked of each pass when grouping by plan: plans need several candidates each.
const DOCUMENT_POOL: usize = 400;
/// Best passages shown per plan.
const PASSAGES_PER_DOCUMENT: usize = 3;
/// A plan's further passages add this share of their score to its best one's, so that a plan
/// that speaks of the topic in several places ranks above one mention (capped by the count).
const FURTHER_PASSAGE_SHARE: f32 = 0.1;
/// Saturation of a plan's evidence for a word, relative to the strongest plan's: at this
/// share of the strongest it counts half (BM25's k1 in spirit: a word mentioned well counts
/// nearly fully, so that a plan naming two words beats one naming one word loudly).
const SATURATION: f32 = 0.3;
/// At most this many further passages count for a plan's score.
const FURTHER_PASSAGES_COUNTED: usize = 4;
/// Weight of a word found only through a sub-compound (人事評価 of 人事評価制度) or only
/// through its head noun (制度), relative to the whole word, in coordination.
const SUB_COMPOUND_CREDIT: f32 = 0.6;
const HEAD_NOUN_CREDIT: f32 = 0.25;
/// Words closer than this many characters count as together; the proximity bonus fades
/// beyond it (a passage is at most 600 characters).
const PROXIMITY_CHARS: f32 = 40.0;
/// The largest proximity bonus, as a share of the passage's score.
const PROXIMITY_BONUS: f32 = 0.3;
/// Terms the user dictionary keeps whole are broadened to their parts from this length on.
const MIN_CHARS_TO_SPLIT_A_TERM: usize = 4;
/// Words a plan writes after its kind of body, with the shortest rest of a query word that
/// starting with one of them makes the word asked in the others' wording too. Residents: a bare
/// 市民 names the body's own residents and stays as it is, 住民協働 is also 市民協働 and 町民協働.
/// Local bonds: 地方債 is a 市債 in a city's plan and a 県債 in a prefecture's, alone or not.
const BODY_WORDINGS: &[(&[&str], usize)] = &[
    (&["住民", "市民", "町民", "村民", "県民", "区民", "府民", "都民", "道民"], 2),
    (&["地方債", "市債", "町債", "村債", "県債", "区債", "府債", "都債", "道債"], 0),
];
/// Boost of a word's body wordings: nearly the word itself (3 for a bigram-covered word).
const RESIDENT_VARIANT_BOOST: f32 = 2.5;
/// Boost of another wording of a word (超過勤務 for 時間外勤務, `taxonomy/wordings.toml`), asked
/// as a part (`Form::Part`: weighed by its rarest bigram, so a long wording does not outweigh the
/// word itself). Below the word (3 for a bigram-covered word) and its body wordings (2.5).
/// Chosen on the real-plan dev split, grouped nDCG@10: 0.773 without wordings; 1.0: 0.798,
/// 1.25: 0.798, 1.5: 0.800, 2.0: 0.798, 2.5: 0.794; asked as whole words at 2.0: 0.785.
const WORDING_BOOST: f32 = 1.5;
/// How many characters may stand between two morphemes of a compound written apart: a particle
/// and a short word (事務事業を毎年評価). Checked in the text of the passages the index returned;
/// asking the index itself for the morphemes as a phrase with slop cost 0.5 ms of the p50 at
/// 606k passages for no gain in ranking (dev nDCG@10 0.775 vs 0.773).
const SCATTERED_GAP_CHARS: usize = 4;
/// Parts of a compound that attach to a neighbour and mean nothing alone at its edge.
const ATTACHING_PARTS: &[&str] = &["等", "的", "化", "性", "及び", "及", "並びに", "・", "の"];
/// Sub-compounds tried per compound word, longest first.
const MAX_SUB_COMPOUNDS: usize = 8;
/// Boost of a compound's head noun alone: low enough that BM25 on a short passage (an outline
/// line) holding only 制度 stays below a passage holding 人事評価.
const HEAD_NOUN_BOOST: f32 = 0.8;
/// Boost of a sub-compound's phrase, between the whole word's (2–3) and the head noun's.
const SUB_COMPOUND_BOOST: f32 = 1.0;

/// Parses and runs a query with filters, listing the best `limit` passages.
pub fn search(
    index: &PassageIndex,
    query: &str,
    filters: &Filters,
    limit: usize,
) -> Result<SearchOutcome, SearchError> {
    search_grouped(index, query, filters, limit, Group::Passages)
}

/// Parses and runs a query with filters; `limit` counts passages or plans, as `group` says.
pub fn search_grouped(
    index: &PassageIndex,
    query: &str,
    filters: &Filters,
    limit: usize,
    group: Group,
) -> Result<SearchOutcome, SearchError> {
    let parsed = parse_query(index.tokenizer(), query)?;
    let pool = match group {
        Group::Passages => limit,
        Group::Documents => DOCUMENT_POOL.max(limit),
    };
    let mut full = index.search(&parsed.plan, filters, pool)?;
    let multi_word = parsed.plan.required.len() > 1;
    let page_unfilled = full.hits.len() < limit;
    let relaxed_plan = QueryPlan {
        required: Vec::new(),
        optional: parsed.plan.required.clone(),
        excluded: parsed.plan.excluded.clone(),
    };
    let mut partial_only = false;
    let relaxed = if multi_word && full.total == 0 {
        // Nothing has every word: the partial matches are the results, counted and faceted.
        let relaxed = index.search(&relaxed_plan, filters, pool.max(PARTIAL_POOL))?;
        partial_only = relaxed.total > 0;
        full.total = relaxed.total;
        full.facets = relaxed.facets;
        relaxed.hits
    } else if multi_word && (page_unfilled || group == Group::Documents) {
        index.top_passages(&relaxed_plan, filters, pool.max(PARTIAL_POOL))?
    } else {
        Vec::new()
    };
    let candidates = rank_candidates(&parsed, full.hits, relaxed);
    let documents = match group {
        Group::Documents => Some(rank_documents(index, &parsed, filters)?),
        Group::Passages => None,
    };
    let mut hits: Vec<ShownHit> = candidates.into_iter().map(|c| c.shown).collect();
    hits.truncate(limit);
    let documents = documents.map(|mut docs| {
        docs.truncate(limit);
        docs
    });
    let shown: Vec<&SearchHit> = match &documents {
        Some(docs) => docs.iter().flat_map(|d| d.best.iter().map(|h| &h.hit)).collect(),
        None => hits.iter().map(|h| &h.hit).collect(),
    };
    let broadened = broadened_compounds(&parsed.compounds, &shown);
    Ok(SearchOutcome {
        query: query.to_owned(),
        total: full.total,
        partial: partial_only,
        broadened,
        hits,
        documents,
        facets: full.facets,
    })
}

/// A candidate passage with what it holds of the query and its rank score.
struct Candidate {
    shown: ShownHit,
    /// Per concept of the query: 1 whole, less through a sub-compound or head noun, 0 absent.
    credit: Vec<f32>,
    rank: f32,
}

/// Merges the full matches and the partial pass into one ranking: every word first (BM25 with
/// a proximity bonus), then by how much of the query a passage holds, then by score.
fn rank_candidates(
    parsed: &ParsedQuery,
    full: Vec<SearchHit>,
    relaxed: Vec<SearchHit>,
) -> Vec<Candidate> {
    let mut seen = std::collections::HashSet::new();
    let mut candidates = Vec::with_capacity(full.len() + relaxed.len());
    let full_count = full.len();
    for (i, hit) in full.into_iter().chain(relaxed).enumerate() {
        if !seen.insert((hit.path.clone(), hit.ordinal)) {
            continue;
        }
        let text = normalize(&format!("{}\n{}", hit.heading, hit.text));
        let mut credit = concept_credits(&parsed.concepts, &text);
        // The index found every word of a full match; one the text check cannot see was
        // matched through a base form (見直す for 見直し) and counts whole.
        if i < full_count {
            credit.iter_mut().filter(|c| **c == 0.0).for_each(|c| *c = 1.0);
        }
        let complete = credit.iter().all(|c| *c >= 1.0);
        let proximity =
            if complete { proximity_bonus(&parsed.concepts, &normalize(&hit.text)) } else { 0.0 };
        let rank = hit.score * (1.0 + proximity);
        let (snippet, highlights) = snippet(&hit.text, &parsed.highlights);
        let matched = matched_labels(&parsed.concepts, &credit);
        candidates.push(Candidate {
            shown: ShownHit { hit, snippet, highlights, partial: !complete, matched },
            credit,
            rank,
        });
    }
    candidates.sort_by(|a, b| {
        // How many of the words a passage holds at all; how (whole, part, head noun) is
        // weighed by the index's scores, which follow each form's specificity (idf).
        let coverage = |c: &Candidate| c.credit.iter().filter(|x| **x > 0.0).count();
        a.shown
            .partial
            .cmp(&b.shown.partial)
            .then_with(|| coverage(b).cmp(&coverage(a)))
            .then_with(|| b.rank.total_cmp(&a.rank))
    });
    candidates
}

/// How much of each concept a normalised text holds: 1 for a whole form, less for a
/// sub-compound or the head noun alone.
fn concept_credits(concepts: &[ConceptForms], text: &str) -> Vec<f32> {
    concepts
        .iter()
        .map(|forms| {
            if forms.whole.iter().any(|w| text.contains(w.as_str()))
                || forms.parts.iter().any(|parts| written_apart(text, parts))
            {
                1.0
            } else if forms.subs.iter().any(|w| text.contains(w.as_str())) {
                SUB_COMPOUND_CREDIT
            } else if forms.head.as_ref().is_some_and(|h| text.contains(h.as_str())) {
                HEAD_NOUN_CREDIT
            } else {
                0.0
            }
        })
        .collect()
}

/// Whether `parts` (two or more) stand in `text` in order, each within
/// `SCATTERED_GAP_CHARS` characters of the one before: 事務事業を評価 for 事務事業 + 評価.
fn written_apart(text: &str, parts: &[String]) -> bool {
    let [first, rest @ ..] = parts else { return false };
    if rest.is_empty() {
        return false;
    }
    text.match_indices(first.as_str()).any(|(at, _)| {
        let mut end = at + first.len();
        rest.iter().all(|part| {
            let window: String =
                text[end..].chars().take(SCATTERED_GAP_CHARS + part.chars().count()).collect();
            match window.find(part.as_str()) {
                Some(offset) => {
                    end += offset + part.len();
                    true
                }
                None => false,
            }
        })
    })
}

fn matched_labels(concepts: &[ConceptForms], credit: &[f32]) -> Vec<String> {
    concepts.iter().zip(credit).filter(|(_, c)| **c > 0.0).map(|(f, _)| f.label.clone()).collect()
}

/// A bonus in [0, PROXIMITY_BONUS] for a passage whose words stand close together in its
/// text (not its heading): the shortest window holding one occurrence of every concept.
fn proximity_bonus(concepts: &[ConceptForms], text: &str) -> f32 {
    if concepts.len() < 2 {
        return 0.0;
    }
    let mut occurrences: Vec<(usize, usize)> = Vec::new();
    for (index, forms) in concepts.iter().enumerate() {
        for form in forms.whole.iter().filter(|f| !f.is_empty()) {
            occurrences.extend(text.match_indices(form.as_str()).map(|(at, _)| (at, index)));
        }
    }
    occurrences.sort_unstable();
    let Some(window) = shortest_window(&occurrences, concepts.len()) else { return 0.0 };
    let chars = text.get(window.0..window.1).map_or(0, |w| w.chars().count()) as f32;
    PROXIMITY_BONUS * PROXIMITY_CHARS / (PROXIMITY_CHARS + chars)
}

/// The shortest byte window `(from, to_start)` over sorted `(offset, concept)` occurrences that
/// holds every one of `n` concepts.
fn shortest_window(occurrences: &[(usize, usize)], n: usize) -> Option<(usize, usize)> {
    let mut counts = vec![0usize; n];
    let mut covered = 0;
    let mut best: Option<(usize, usize)> = None;
    let mut left = 0;
    for right in 0..occurrences.len() {
        let concept = occurrences[right].1;
        counts[concept] += 1;
        if counts[concept] == 1 {
            covered += 1;
        }
        while covered == n {
            let window = (occurrences[left].0, occurrences[right].0);
            if best.is_none_or(|b| window.1 - window.0 < b.1 - b.0) {
                best = Some(window);
            }
            let gone = occurrences[left].1;
            counts[gone] -= 1;
            if counts[gone] == 0 {
                covered -= 1;
            }
            left += 1;
        }
    }
    best
}

/// One passage's scores per concept of the query, from the per-concept passes.
struct ScoredPassage {
    hit: SearchHit,
    scores: Vec<f32>,
}

/// Ranks plans for a grouped search. Each concept of the query is asked of the index on its
/// own, so that every plan's evidence for every word is known even when the words sit in
/// different passages; a plan's score is the sum over the words of its best passage's score
/// for that word (BM25 with our analysis: a rare word weighs more than a common one) plus a
/// share of its further passages', raised when one passage holds every word close together.
/// Plans holding every word come first; the others follow, marked partial.
fn rank_documents(
    index: &PassageIndex,
    parsed: &ParsedQuery,
    filters: &Filters,
) -> Result<Vec<DocumentHit>, SearchError> {
    let n = parsed.plan.required.len();
    let mut passages: Vec<ScoredPassage> = Vec::new();
    let mut at: std::collections::HashMap<(String, u64), usize> = std::collections::HashMap::new();
    for (concept_index, concept) in parsed.plan.required.iter().enumerate() {
        let plan = QueryPlan {
            required: vec![concept.clone()],
            optional: Vec::new(),
            excluded: parsed.plan.excluded.clone(),
        };
        for hit in index.top_passages(&plan, filters, DOCUMENT_POOL)? {
            let key = (hit.path.clone(), hit.ordinal);
            let slot = *at.entry(key).or_insert_with(|| {
                passages.push(ScoredPassage { hit: hit.clone(), scores: vec![0.0; n] });
                passages.len() - 1
            });
            passages[slot].scores[concept_index] = hit.score;
        }
    }
    let mut by_path: std::collections::BTreeMap<String, Vec<ScoredPassage>> =
        std::collections::BTreeMap::new();
    for passage in passages {
        by_path.entry(passage.hit.path.clone()).or_default().push(passage);
    }
    let plans: Vec<PlanEvidence> =
        by_path.into_iter().map(|(path, passages)| document_hit(parsed, path, passages)).collect();
    // Per concept: the strongest evidence of any plan, and how many plans have some.
    let mut strongest = vec![0.0_f32; n];
    let mut plans_with = vec![0_usize; n];
    for plan in &plans {
        for (c, evidence) in plan.evidence.iter().enumerate() {
            strongest[c] = strongest[c].max(*evidence);
            plans_with[c] += usize::from(*evidence > 0.0);
        }
    }
    let all_plans = index.documents()?.len().max(plans.len()) as f32;
    let specificity: Vec<f32> =
        plans_with.iter().map(|df| (1.0 + all_plans / (1.0 + *df as f32)).ln()).collect();
    let mut documents: Vec<(f32, DocumentHit)> = plans
        .into_iter()
        .map(|plan| {
            let mut score = 0.0;
            for c in 0..n {
                if strongest[c] > 0.0 {
                    let relative = plan.evidence[c] / strongest[c];
                    score +=
                        specificity[c] * relative * (1.0 + SATURATION) / (relative + SATURATION);
                }
            }
            let score = score * (1.0 + plan.together);
            let mut hit = plan.hit;
            hit.score = score;
            (score, hit)
        })
        .collect();
    documents.sort_by(|a, b| {
        a.1.partial
            .cmp(&b.1.partial)
            .then_with(|| b.0.total_cmp(&a.0))
            .then_with(|| a.1.path.cmp(&b.1.path))
    });
    Ok(documents.into_iter().map(|(_, doc)| doc).collect())
}

/// What a plan holds for a grouped search, before plans are compared.
struct PlanEvidence {
    /// Per concept: its best passage's score plus a share of the next ones'.
    evidence: Vec<f32>,
    /// The proximity bonus of its best passage holding every word (0 if none does).
    together: f32,
    hit: DocumentHit,
}

/// One plan from its passages' per-concept scores.
fn document_hit(parsed: &ParsedQuery, path: String, passages: Vec<ScoredPassage>) -> PlanEvidence {
    let n = parsed.concepts.len();
    let mut credit = vec![0.0_f32; n];
    let mut per_concept: Vec<Vec<f32>> = vec![Vec::new(); n];
    let mut together = 0.0_f32;
    let mut ranked: Vec<(f32, ShownHit)> = Vec::with_capacity(passages.len());
    for passage in passages {
        let text = normalize(&format!("{}\n{}", passage.hit.heading, passage.hit.text));
        // The index found the concept (perhaps through a base form the text check cannot see).
        let passage_credit: Vec<f32> = concept_credits(&parsed.concepts, &text)
            .into_iter()
            .zip(&passage.scores)
            .map(|(c, s)| {
                if *s <= 0.0 {
                    0.0
                } else if c == 0.0 {
                    1.0
                } else {
                    c
                }
            })
            .collect();
        for concept in 0..n {
            if passage.scores[concept] > 0.0 {
                per_concept[concept].push(passage.scores[concept]);
            }
            credit[concept] = credit[concept].max(passage_credit[concept]);
        }
        let every_word = passage.scores.iter().all(|s| *s > 0.0);
        let body = normalize(&passage.hit.text);
        let proximity = if every_word { proximity_bonus(&parsed.concepts, &body) } else { 0.0 };
        if every_word && n > 1 {
            together = together.max(PROXIMITY_BONUS.max(proximity));
        }
        let total = passage.scores.iter().sum::<f32>() * (1.0 + proximity);
        let (snippet, highlights) = snippet(&passage.hit.text, &parsed.highlights);
        let complete = passage_credit.iter().all(|c| *c >= 1.0);
        let matched = matched_labels(&parsed.concepts, &passage_credit);
        ranked.push((
            total,
            ShownHit { hit: passage.hit, snippet, highlights, partial: !complete, matched },
        ));
    }
    let evidence: Vec<f32> = per_concept
        .iter_mut()
        .map(|scores| {
            scores.sort_by(|a, b| b.total_cmp(a));
            let further: f32 = scores.iter().skip(1).take(FURTHER_PASSAGES_COUNTED).sum();
            scores.first().copied().unwrap_or(0.0) + FURTHER_PASSAGE_SHARE * further
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let count = ranked.len();
    let best: Vec<ShownHit> =
        ranked.into_iter().take(PASSAGES_PER_DOCUMENT).map(|(_, hit)| hit).collect();
    let first = best.first().map(|shown| &shown.hit);
    let hit = DocumentHit {
        municipality: first.and_then(|h| h.municipality.clone()),
        prefecture: first.and_then(|h| h.prefecture.clone()),
        title: first.and_then(|h| h.title.clone()),
        year: first.and_then(|h| h.year),
        path,
        score: 0.0,
        partial: !credit.iter().all(|c| *c >= 1.0),
        matched: matched_labels(&parsed.concepts, &credit),
        passages: count,
        best,
    };
    PlanEvidence { evidence, together, hit }
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
fn broadened_compounds(compounds: &[(String, String)], hits: &[&SearchHit]) -> Vec<Broadened> {
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
    let mut concepts = Vec::new();
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
                concepts
                    .push(ConceptForms { label: planned.concept.label.clone(), ..planned.forms });
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
    Ok(ParsedQuery { plan, highlights, compounds, concepts })
}

/// `A OR B`: one concept that matches when any part of A or B does.
fn merge_alternatives(
    left: Vec<PlannedConcept>,
    right: Vec<PlannedConcept>,
) -> Vec<PlannedConcept> {
    let mut merged = PlannedConcept {
        concept: Concept { label: String::new(), alternatives: Vec::new() },
        forms: ConceptForms::default(),
        highlights: Vec::new(),
        compound: None,
    };
    let mut labels = Vec::new();
    for planned in left.into_iter().chain(right) {
        labels.push(planned.concept.label);
        merged.concept.alternatives.extend(planned.concept.alternatives);
        merged.highlights.extend(planned.highlights);
        merged.forms.whole.extend(planned.forms.whole);
        merged.forms.subs.extend(planned.forms.subs);
        merged.forms.head = merged.forms.head.or(planned.forms.head);
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
        Alternative { field: SearchField::Bigram, terms: bigrams, boost: 1.0, form: Form::Exact },
        Alternative {
            field: SearchField::Body,
            terms: relative(body),
            boost: 2.0,
            form: Form::Exact,
        },
    ];
    let whole = normalize(text);
    Ok(Some(PlannedConcept {
        concept: Concept { label: format!("\"{text}\""), alternatives },
        forms: ConceptForms { whole: vec![whole.clone()], ..ConceptForms::default() },
        highlights: vec![whole],
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
            concepts.extend(concept_from_chunk(
                text,
                &chunk,
                &word_parts(tokenizer, text, &chunk)?,
            ));
            chunk.clear();
        }
        chunk.push(term);
    }
    concepts.extend(concept_from_chunk(text, &chunk, &word_parts(tokenizer, text, &chunk)?));
    if concepts.is_empty() {
        // Only particles or symbols: fall back to the characters themselves.
        concepts.extend(plan_phrase(tokenizer, text)?);
    }
    Ok(concepts)
}

/// The parts a concept broadens to: its morphemes, or for one long term that the user
/// dictionary keeps whole (行財政改革, 公共施設等総合管理計画), the dictionary's own parts.
fn word_parts(
    tokenizer: &JapaneseTokenizer,
    text: &str,
    chunk: &[(usize, String, usize, usize)],
) -> Result<Vec<(usize, String, usize, usize)>, SearchError> {
    let [(position, term, start, end)] = chunk else { return Ok(chunk.to_vec()) };
    if term.chars().count() < MIN_CHARS_TO_SPLIT_A_TERM || !term.chars().all(is_cjk) {
        return Ok(chunk.to_vec());
    }
    let parts = tokenizer.word_parts(&text[*start..*end])?;
    Ok(parts
        .into_iter()
        .map(|m| (*position, normalize(&m.surface), start + m.start, start + m.end))
        .collect())
}

fn concept_from_chunk(
    text: &str,
    chunk: &[(usize, String, usize, usize)],
    parts: &[(usize, String, usize, usize)],
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
        form: Form::Whole,
    }];
    if !bigrams_cover_body {
        alternatives.push(Alternative {
            field: SearchField::Body,
            terms: relative(body),
            boost: 2.0,
            form: Form::Whole,
        });
    }
    if !bigrams.is_empty() {
        alternatives.push(Alternative {
            field: SearchField::Bigram,
            terms: relative(bigrams),
            boost: if bigrams_cover_body { 3.0 } else { 1.0 },
            form: Form::Whole,
        });
    }
    let mut forms = ConceptForms { whole: vec![normalized.clone()], ..ConceptForms::default() };
    let mut highlights = vec![normalized.clone()];
    // A plan names its residents after the body (市民, 町民, 県民 …): 住民満足度 is 市民満足度.
    for variant in resident_variants(&normalized) {
        alternatives.extend(bigram_phrase(&variant, RESIDENT_VARIANT_BOOST, Form::Whole));
        highlights.push(variant.clone());
        forms.whole.push(variant);
    }
    // … and writes many things in several ways: 時間外勤務 is also 超過勤務 and 残業.
    for wording in wordings::other_wordings(&normalized) {
        if forms.whole.contains(&wording) {
            continue;
        }
        alternatives.extend(bigram_phrase(&wording, WORDING_BOOST, Form::Part));
        highlights.push(wording.clone());
        forms.whole.push(wording);
    }
    // Sub-compounds (人事評価 of 人事評価制度) match, as bigram phrases, with a middle weight …
    for sub in sub_compounds(parts) {
        let surface = normalize(&text[sub[0].2..sub[sub.len() - 1].3]);
        let Some(alternative) = bigram_phrase(&surface, SUB_COMPOUND_BOOST, Form::Part) else {
            continue;
        };
        alternatives.push(alternative);
        highlights.push(surface.clone());
        forms.subs.push(surface);
    }
    // … its morphemes written apart (事務事業の評価) count as the whole in the text check
    // (`written_apart`), and they match through the head noun's alternative below …
    if parts.len() > 1 {
        let morphemes: Vec<String> = parts.iter().map(|(_, t, _, _)| t.clone()).collect();
        let wordings =
            BODY_WORDINGS.iter().find(|(family, _)| family.contains(&morphemes[0].as_str()));
        for first in wordings.map_or(&[][..], |(family, _)| *family) {
            if *first != morphemes[0] {
                let mut variant = morphemes.clone();
                variant[0] = (*first).to_owned();
                forms.parts.push(variant);
            }
        }
        forms.parts.insert(0, morphemes);
    }
    // … and the head noun of a compound (施設 of 公共施設) with a low one.
    let mut compound = None;
    let last = parts.last().unwrap_or(last);
    if parts.len() > 1 && last.1.chars().count() >= 2 {
        alternatives.push(Alternative {
            field: SearchField::Body,
            terms: vec![(0, last.1.clone())],
            boost: HEAD_NOUN_BOOST,
            form: Form::Part,
        });
        highlights.push(last.1.clone());
        forms.head = Some(last.1.clone());
        compound = Some((highlights[0].clone(), last.1.clone()));
    }
    Some(PlannedConcept {
        concept: Concept { label: surface.to_owned(), alternatives },
        forms,
        highlights,
        compound,
    })
}

/// A (normalised) string as a bigram phrase, checked through a cover (not a quoted phrase).
fn bigram_phrase(surface: &str, boost: f32, form: Form) -> Option<Alternative> {
    let terms: Vec<(usize, String)> =
        bigram_terms(surface).into_iter().map(|t| (t.position, t.text)).collect();
    (!terms.is_empty()).then(|| Alternative {
        field: SearchField::Bigram,
        terms: relative(terms),
        boost,
        form,
    })
}

/// The same word in another kind of body's wording: 住民協働 → 市民協働, 町民協働 …; 地方債残高 →
/// 市債残高, 県債残高 ….
fn resident_variants(word: &str) -> Vec<String> {
    BODY_WORDINGS
        .iter()
        .find_map(|(family, min_rest)| {
            let rest = family.iter().find_map(|r| word.strip_prefix(r))?;
            (rest.chars().count() >= *min_rest).then_some((family, rest))
        })
        .map(|(family, rest)| {
            family.iter().map(|r| format!("{r}{rest}")).filter(|v| v != word).collect()
        })
        .unwrap_or_default()
}

/// The compound's proper prefixes and suffixes of at least two parts (or a prefix of one long
/// part) that neither start nor end with an attaching part (等, 的), longest first, at most
/// `MAX_SUB_COMPOUNDS`:
/// 人事評価制度 → 人事評価, 評価制度; 公共施設等総合管理計画 → …, 総合管理計画, 公共施設, 管理計画.
fn sub_compounds(parts: &[(usize, String, usize, usize)]) -> Vec<&[(usize, String, usize, usize)]> {
    let n = parts.len();
    // Parts that only attach (等, 的, 及び) never start or end a sub-compound.
    let one_char = |i: usize| ATTACHING_PARTS.contains(&parts[i].1.as_str());
    let mut subs: Vec<&[(usize, String, usize, usize)]> = Vec::new();
    for len in (1..n).rev() {
        let prefix = &parts[..len];
        let suffix = &parts[n - len..];
        // A one-part prefix is a sub-compound when it is long (人事評価 of 人事評価制度); a
        // one-part suffix is the head noun, broadened separately.
        let long = parts[0].1.chars().count() >= 3
            || parts[0].1.chars().count() >= 2
                && parts[1..].iter().all(|p| p.1.chars().count() < 2);
        if !one_char(len - 1) && (len >= 2 || long) {
            subs.push(prefix);
        }
        if len >= 2 && !one_char(n - len) {
            subs.push(suffix);
        }
    }
    subs.truncate(MAX_SUB_COMPOUNDS);
    subs
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
    fn compounds_broaden_to_their_parts_and_resident_names() {
        let tokenizer = JapaneseTokenizer::shared().unwrap();
        let parsed =
            parse_query(tokenizer, "人事評価制度 公共施設等総合管理計画 住民満足度").unwrap();
        let forms = &parsed.concepts;
        assert_eq!(forms[0].subs, ["人事評価"]);
        assert_eq!(forms[0].head.as_deref(), Some("制度"));
        // The user dictionary keeps this one whole; the dictionary's parts broaden it.
        assert!(forms[1].subs.contains(&"公共施設".to_owned()), "{:?}", forms[1].subs);
        assert!(forms[1].subs.contains(&"総合管理計画".to_owned()), "{:?}", forms[1].subs);
        assert!(forms[2].whole.contains(&"市民満足度".to_owned()), "{:?}", forms[2].whole);
        assert_eq!(resident_variants("市民"), Vec::<String>::new());
        assert!(resident_variants("地方債残高").contains(&"県債残高".to_owned()));
        assert!(resident_variants("地方債").contains(&"市債".to_owned()));
    }

    #[test]
    fn compounds_written_apart_are_found_in_order_and_close() {
        let parts = ["事務事業".to_owned(), "評価".to_owned()];
        assert!(written_apart("全ての事務事業を評価する", &parts));
        assert!(written_apart("事務事業の毎年評価", &parts));
        assert!(!written_apart("評価と事務事業", &parts), "order matters");
        assert!(!written_apart("事務事業の見直しと行政評価", &parts), "too far apart");
        assert!(!written_apart("事務事業", &parts[..1]), "one part is not a compound");
    }

    #[test]
    fn shortest_window_holds_every_concept() {
        let occurrences = [(0, 0), (10, 1), (50, 0), (55, 1), (90, 1)];
        assert_eq!(shortest_window(&occurrences, 2), Some((50, 55)));
        assert_eq!(shortest_window(&occurrences[..1], 2), None);
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
