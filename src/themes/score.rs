//! Passage and document scoring: which themes a plan commits to, and how strongly.
//!
//! Every keyword or rule hit gets a weight: the product of what kind of sentence it sits in
//! (a commitment such as 〜します / 〜を推進 / a target, a neutral line, a description of the
//! current state, or history 〜してきました) and what kind of section it sits in (headings
//! with 取組・推進・重点・柱・目標 vs 背景・経過・これまで・現状・参考・用語). A heading that
//! names a theme counts as a pillar. Weak keywords count only next to a strong hit of the same
//! theme in the same section. A document's raw evidence is the sum over its passages (each
//! passage capped), mapped to a score in [0, 1] that crosses 0.5 exactly at the presence
//! threshold. How contexts are read is in `context`; docs/themes.md explains the numbers.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::context::{
    Context, MEASURE_TABLE_MARKERS, classify_sentence, combined_context, heading_context,
    heading_weight, own_heading_context, section_weight, sentence_spans, sentence_weight,
};
use super::fold::{FoldedText, Folder, ascii_boundaries_ok};
use super::presence::{PresenceModel, ThemeFeatures, default_model};
use super::rules::{Rule, RuleScope};
use super::taxonomy::Taxonomy;
use crate::model::Passage;

/// A weak keyword relative to a strong one.
const WEAK_FACTOR: f64 = 0.25;
/// One keyword counts at most this often per passage.
const MAX_REPEATS_PER_PASSAGE: usize = 2;
/// One passage contributes at most this much to a document theme.
const PASSAGE_CAP: f64 = 2.0;
/// Raw evidence at which a theme is present; the score is 0.5 there.
pub const PRESENCE_THRESHOLD: f64 = 0.9;
/// Passage-level threshold for the search facet.
const PASSAGE_FACET_THRESHOLD: f64 = 0.3;
/// Evidence weight from which a hit's keywords name subthemes.
const SUBTHEME_MIN_WEIGHT: f64 = 0.5;
/// Evidence passages kept per document and theme.
pub const MAX_EVIDENCE: usize = 3;

/// The taxonomy compiled for matching.
#[derive(Debug, Clone)]
pub struct Scorer {
    model: &'static dyn PresenceModel,
    folder: Folder,
    themes: Vec<CompiledTheme>,
    lexicon: Lexicon,
}

/// Every keyword of every theme, indexed by first character, so that a text is scanned once
/// for all of them.
#[derive(Debug, Clone, Default)]
struct Lexicon {
    by_first_char: HashMap<char, Vec<LexiconEntry>>,
}

#[derive(Debug, Clone, Copy)]
struct LexiconEntry {
    theme: usize,
    strong: bool,
    keyword: usize,
}

/// A keyword match: char span in the match view, strong or weak, and the keyword as written.
#[derive(Debug, Clone, Copy)]
struct Candidate<'k> {
    start: usize,
    end: usize,
    strong: bool,
    keyword: &'k str,
}

#[derive(Debug, Clone)]
struct CompiledTheme {
    id: String,
    strong: Vec<Keyword>,
    weak: Vec<Keyword>,
    rules: Vec<Rule>,
    subtheme_ids: Vec<String>,
    /// Folded keyword → the subthemes (indices into `subtheme_ids`) that list it.
    subthemes_by_keyword: HashMap<String, Vec<usize>>,
}

#[derive(Debug, Clone)]
struct Keyword {
    text: String,
    folded: Vec<char>,
}

/// One theme's evidence in one passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageHit {
    pub theme: usize,
    pub weight: f64,
    pub strong: usize,
    pub keywords: Vec<String>,
    pub context: Context,
}

/// The themes of one passage.
#[derive(Debug, Clone, PartialEq)]
pub struct PassageThemes {
    pub ordinal: u32,
    pub page: u32,
    pub heading: String,
    pub text: String,
    pub hits: Vec<PassageHit>,
}

/// A passage quoted as evidence for a document theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub path: String,
    pub page: u32,
    pub heading: String,
    pub text: String,
    pub weight: f64,
    pub keywords: Vec<String>,
    pub context: Context,
}

/// One theme's decision for one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeResult {
    pub present: bool,
    pub score: f64,
    /// Raw evidence before mapping to [0, 1].
    pub raw: f64,
    /// Number of strong keyword and rule hits.
    pub count: usize,
    /// Subthemes with commitment-level evidence (a hit of weight ≥ 0.5), sorted by id.
    pub subthemes: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// What the presence decision was made from (kept for evaluation, not exported).
    #[serde(skip)]
    pub features: ThemeFeatures,
}

impl ThemeResult {
    pub fn absent() -> ThemeResult {
        ThemeResult {
            present: false,
            score: 0.0,
            raw: 0.0,
            count: 0,
            subthemes: Vec::new(),
            evidence: Vec::new(),
            features: ThemeFeatures::default(),
        }
    }

    fn decided(
        model: &dyn PresenceModel,
        theme: &str,
        features: ThemeFeatures,
        subthemes: Vec<String>,
        evidence: Vec<Evidence>,
    ) -> ThemeResult {
        let probability = model.probability(theme, &features);
        ThemeResult {
            present: probability >= 0.5,
            score: (probability * 1000.0).round() / 1000.0,
            raw: round3(features.raw),
            count: features.strong,
            subthemes,
            evidence,
            features,
        }
    }
}

/// Maps raw evidence to [0, 1]: 0 at 0, 0.5 at the threshold, approaching 1.
pub fn score_of_raw(raw: f64) -> f64 {
    let score = 1.0 - (-raw / PRESENCE_THRESHOLD).exp2();
    (score * 1000.0).round() / 1000.0
}

impl Scorer {
    pub fn new(taxonomy: &Taxonomy) -> Scorer {
        let folder = Folder::new(&taxonomy.variants);
        // Spellings that fold to the same form (スクラップ&ビルド, スクラップ・アンド・ビルド)
        // are one keyword, so that one occurrence counts once.
        let compile = |words: &[String]| -> Vec<Keyword> {
            let mut keywords: Vec<Keyword> = Vec::new();
            for word in words {
                let folded: Vec<char> = folder.fold(word).chars().collect();
                if !folded.is_empty() && !keywords.iter().any(|k| k.folded == folded) {
                    keywords.push(Keyword { text: word.clone(), folded });
                }
            }
            keywords
        };
        let themes = taxonomy
            .themes
            .iter()
            .map(|theme| {
                let fold = |term: &str| folder.fold(term);
                let rules = theme
                    .rule
                    .iter()
                    .chain(theme.subthemes.iter().filter_map(|s| s.rule.as_ref()))
                    .map(|rule| rule.map_terms(&fold))
                    .collect();
                let mut subthemes_by_keyword: HashMap<String, Vec<usize>> = HashMap::new();
                for (index, sub) in theme.subthemes.iter().enumerate() {
                    for keyword in &sub.keywords {
                        let entry = subthemes_by_keyword.entry(folder.fold(keyword)).or_default();
                        if !entry.contains(&index) {
                            entry.push(index);
                        }
                    }
                }
                CompiledTheme {
                    strong: compile(&theme.keywords),
                    weak: compile(&theme.weak_keywords),
                    rules,
                    id: theme.id.clone(),
                    subtheme_ids: theme.subthemes.iter().map(|sub| sub.id.clone()).collect(),
                    subthemes_by_keyword,
                }
            })
            .collect::<Vec<CompiledTheme>>();
        let lexicon = Lexicon::new(&themes);
        Scorer { model: default_model(), folder, themes, lexicon }
    }

    /// The same scorer deciding presence with another model (for `themes eval --scorer`).
    pub fn with_model(mut self, model: &'static dyn PresenceModel) -> Scorer {
        self.model = model;
        self
    }

    /// The model that decides presence.
    pub fn model(&self) -> &'static dyn PresenceModel {
        self.model
    }

    fn keyword(&self, entry: LexiconEntry) -> &Keyword {
        let theme = &self.themes[entry.theme];
        if entry.strong { &theme.strong[entry.keyword] } else { &theme.weak[entry.keyword] }
    }

    /// All keyword matches in `text`, grouped by theme.
    fn scan(&self, text: &FoldedText) -> Vec<Vec<Candidate<'_>>> {
        let chars = text.match_chars();
        let mut by_theme: Vec<Vec<Candidate<'_>>> = vec![Vec::new(); self.themes.len()];
        for (start, c) in chars.iter().enumerate() {
            let Some(entries) = self.lexicon.by_first_char.get(c) else { continue };
            for &entry in entries {
                let keyword = self.keyword(entry);
                let end = start + keyword.folded.len();
                if end <= chars.len()
                    && chars[start..end] == keyword.folded[..]
                    && ascii_boundaries_ok(chars, start, end)
                {
                    by_theme[entry.theme].push(Candidate {
                        start,
                        end,
                        strong: entry.strong,
                        keyword: &keyword.text,
                    });
                }
            }
        }
        by_theme
    }

    pub fn fold(&self, text: &str) -> String {
        self.folder.fold(text)
    }

    /// Themes of every passage of a document (passages in document order).
    pub fn score_passages(&self, passages: &[Passage]) -> Vec<PassageThemes> {
        let sections = sections(passages);
        let mut out = Vec::with_capacity(passages.len());
        for range in sections {
            let section_passages = &passages[range];
            let folded: Vec<FoldedText> = section_passages
                .iter()
                .map(|p| FoldedText::new(self.folder.fold(&p.text)))
                .collect();
            let section_text = FoldedText::new(
                folded.iter().map(|f| f.text.as_str()).collect::<Vec<_>>().join("\n"),
            );
            let scans: Vec<Vec<Vec<Candidate<'_>>>> = folded.iter().map(|f| self.scan(f)).collect();
            let section_strong: Vec<bool> = (0..self.themes.len())
                .map(|t| scans.iter().any(|scan| scan[t].iter().any(|c| c.strong)))
                .collect();
            let section = SectionView { text: &section_text, strong: &section_strong };
            let heading_context = heading_context(&section_passages[0].heading_path);
            for ((passage, text), scan) in section_passages.iter().zip(&folded).zip(scans) {
                let hits = self.passage_hits(text, scan, section, heading_context);
                out.push(PassageThemes {
                    ordinal: passage.ordinal,
                    page: passage.page,
                    heading: passage.heading(),
                    text: passage.text.clone(),
                    hits,
                });
            }
        }
        out
    }

    /// Themes a heading names, with the keywords that name them. A heading whose own words
    /// mark background (これまでの…, …の経過) names nothing.
    fn heading_hits(&self, heading: &str) -> Vec<(usize, Vec<String>)> {
        if matches!(own_heading_context(heading), Some(Context::Background)) {
            return Vec::new();
        }
        let folded = FoldedText::new(self.folder.fold(heading));
        self.scan(&folded)
            .into_iter()
            .enumerate()
            .filter_map(|(index, candidates)| {
                let mut words: Vec<String> = Vec::new();
                for candidate in candidates.iter().filter(|c| c.strong) {
                    if !words.iter().any(|w| w == candidate.keyword) {
                        words.push(candidate.keyword.to_owned());
                    }
                }
                (!words.is_empty()).then_some((index, words))
            })
            .collect()
    }

    fn passage_hits(
        &self,
        text: &FoldedText,
        scan: Vec<Vec<Candidate<'_>>>,
        section: SectionView<'_>,
        section_context: Context,
    ) -> Vec<PassageHit> {
        let lined = text.lined_chars();
        let sentences = sentence_spans(lined);
        // In a table of measures every cell is a commitment, whatever its grammar.
        let in_measure_table = MEASURE_TABLE_MARKERS.iter().any(|m| text.text.contains(m));
        let classes: Vec<Context> = sentences
            .iter()
            .map(|&(start, end)| match classify_sentence(&lined[start..end]) {
                Context::Neutral if in_measure_table => Context::Commitment,
                class => class,
            })
            .collect();
        let weight_at = |offset: usize| -> (f64, Context) {
            let offset = text.lined_offset(offset);
            let index = sentences.iter().position(|&(s, e)| offset >= s && offset < e);
            let sentence_class = index.map_or(Context::Neutral, |i| classes[i]);
            let weight = sentence_weight(sentence_class) * section_weight(section_context);
            (weight, combined_context(sentence_class, section_context))
        };
        let mut hits = Vec::new();
        for ((index, theme), candidates) in self.themes.iter().enumerate().zip(scan) {
            let mut acc = HitAccumulator::default();
            let (strong, weak) = keyword_matches(candidates);
            for (offset, keyword) in strong {
                acc.add(weight_at(offset), keyword, 1.0);
            }
            let scope = RuleScope { passage: text, section: section.text };
            for rule in &theme.rules {
                if let Some(offsets) = rule.evaluate(scope) {
                    let best = offsets.iter().map(|&o| weight_at(o)).fold(None, best_of);
                    let hit = best.unwrap_or((section_weight(section_context), section_context));
                    acc.add(hit, "(rule)", 1.0);
                }
            }
            let section_has_strong = acc.strong > 0 || section.strong[index];
            if section_has_strong {
                for (offset, keyword) in weak {
                    acc.add_weak(weight_at(offset), keyword);
                }
            }
            if let Some(hit) = acc.finish(index) {
                hits.push(hit);
            }
        }
        hits
    }

    /// Per-theme results for one document, in taxonomy order.
    pub fn score_document(&self, path: &str, passages: &[Passage]) -> Vec<ThemeResult> {
        let scored = self.score_passages(passages);
        let mut features = vec![ThemeFeatures::default(); self.themes.len()];
        let chars: usize = passages.iter().map(|p| p.text.chars().count()).sum();
        features.iter_mut().for_each(|f| f.chars = chars);
        let mut evidence: Vec<Vec<Evidence>> = vec![Vec::new(); self.themes.len()];
        // A heading-only passage (an outline item with no text) is scored once, as a heading.
        let texts = scored.iter().zip(passages).filter(|(_, passage)| !passage.is_heading_only());
        for (passage, _) in texts {
            let table_row = passage.text.contains('\t');
            for hit in &passage.hits {
                let f = &mut features[hit.theme];
                f.raw += hit.weight.min(PASSAGE_CAP);
                f.strong += hit.strong;
                f.best = f.best.max(hit.weight.min(PASSAGE_CAP));
                f.commitment += usize::from(hit.context == Context::Commitment);
                f.background += usize::from(hit.context == Context::Background);
                f.table_rows += usize::from(table_row);
                f.weak_only += usize::from(hit.strong == 0);
                evidence[hit.theme].push(evidence_of(path, passage, hit));
            }
        }
        // Every heading of the outline counts once: a heading naming a theme is a pillar,
        // unless it sits inside a background section.
        let mut seen_headings = BTreeSet::new();
        for passage in passages {
            for depth in 1..=passage.heading_path.len() {
                let prefix = &passage.heading_path[..depth];
                if !seen_headings.insert(prefix.to_vec()) {
                    continue;
                }
                let (weight, context) = heading_weight(prefix);
                let outline_line = depth == passage.heading_path.len() && passage.is_heading_only();
                for (theme, words) in self.heading_hits(&prefix[depth - 1]) {
                    let f = &mut features[theme];
                    f.raw += weight;
                    f.strong += 1;
                    f.best = f.best.max(weight);
                    f.headings += usize::from(context != Context::Background);
                    f.background += usize::from(context == Context::Background);
                    f.table_rows += usize::from(outline_line);
                    evidence[theme].push(Evidence {
                        path: path.to_owned(),
                        page: passage.page,
                        heading: prefix.join(" > "),
                        text: prefix[depth - 1].clone(),
                        weight,
                        keywords: words,
                        context,
                    });
                }
            }
        }
        features
            .into_iter()
            .zip(evidence)
            .enumerate()
            .map(|(theme, (features, mut evidence))| {
                let subthemes = self.subthemes_of(theme, &evidence);
                sort_evidence(&mut evidence);
                evidence.truncate(MAX_EVIDENCE);
                ThemeResult::decided(
                    self.model,
                    &self.themes[theme].id,
                    features,
                    subthemes,
                    evidence,
                )
            })
            .collect()
    }

    /// Subthemes whose keywords matched in commitment-level evidence, sorted by id.
    fn subthemes_of(&self, theme: usize, evidence: &[Evidence]) -> Vec<String> {
        let compiled = &self.themes[theme];
        let mut found = vec![false; compiled.subtheme_ids.len()];
        let keywords =
            evidence.iter().filter(|e| e.weight >= SUBTHEME_MIN_WEIGHT).flat_map(|e| &e.keywords);
        for keyword in keywords {
            for &index in
                compiled.subthemes_by_keyword.get(&self.folder.fold(keyword)).into_iter().flatten()
            {
                found[index] = true;
            }
        }
        let mut ids: Vec<String> = (0..found.len())
            .filter(|&i| found[i])
            .map(|i| compiled.subtheme_ids[i].clone())
            .collect();
        ids.sort();
        ids
    }

    /// The naive baseline: indices of themes with any strong keyword (or any positive term
    /// of their rules) anywhere in the document, headings included, ignoring context. Used by `themes eval` for comparison.
    pub fn naive_themes(&self, passages: &[Passage]) -> Vec<usize> {
        let mut text = String::new();
        for passage in passages {
            for heading in &passage.heading_path {
                text.push_str(heading);
                text.push('\n');
            }
            text.push_str(&passage.text);
            text.push('\n');
        }
        let folded = FoldedText::new(self.folder.fold(&text));
        let scan = self.scan(&folded);
        (0..self.themes.len())
            .filter(|&i| {
                let mut rule_terms = self.themes[i].rules.iter().flat_map(Rule::positive_terms);
                scan[i].iter().any(|c| c.strong)
                    || rule_terms.any(|t| folded.contains(&t.chars().collect::<Vec<_>>()))
            })
            .collect()
    }

    /// Theme ids a single passage speaks for, for the search index's facet.
    pub fn passage_theme_ids(&self, taxonomy: &Taxonomy, heading: &str, text: &str) -> Vec<String> {
        let heading_path: Vec<String> =
            heading.split(" > ").filter(|h| !h.is_empty()).map(str::to_owned).collect();
        let passage = Passage {
            ordinal: 0,
            page: 1,
            heading_path: heading_path.clone(),
            text: text.to_owned(),
        };
        let scored = self.score_passages(std::slice::from_ref(&passage));
        let mut weights = vec![0.0_f64; self.themes.len()];
        for hit in scored.iter().flat_map(|p| &p.hits) {
            weights[hit.theme] += hit.weight;
        }
        for depth in 1..=heading_path.len() {
            let (weight, _) = heading_weight(&heading_path[..depth]);
            for (theme, _) in self.heading_hits(&heading_path[depth - 1]) {
                weights[theme] += weight;
            }
        }
        weights
            .iter()
            .enumerate()
            .filter(|(_, w)| **w >= PASSAGE_FACET_THRESHOLD)
            .filter_map(|(index, _)| taxonomy.themes.get(index).map(|t| t.id.clone()))
            .collect()
    }
}

/// A keyword found at a char offset.
type KeywordMatch<'k> = (usize, &'k str);

/// What a passage needs to know about its section.
#[derive(Debug, Clone, Copy)]
struct SectionView<'a> {
    text: &'a FoldedText,
    /// Per theme: does any passage of the section have a strong hit?
    strong: &'a [bool],
}

impl Lexicon {
    fn new(themes: &[CompiledTheme]) -> Lexicon {
        let mut by_first_char: HashMap<char, Vec<LexiconEntry>> = HashMap::new();
        for (theme_index, theme) in themes.iter().enumerate() {
            for (strong, keywords) in [(true, &theme.strong), (false, &theme.weak)] {
                for (keyword, k) in keywords.iter().enumerate() {
                    if let Some(&first) = k.folded.first() {
                        let entry = LexiconEntry { theme: theme_index, strong, keyword };
                        by_first_char.entry(first).or_default().push(entry);
                    }
                }
            }
        }
        Lexicon { by_first_char }
    }
}

/// Strong and weak keyword matches of one theme in a passage, as (char offset, keyword).
/// A match inside a longer match of the same theme is dropped (人材 inside 人材育成, 職員提案
/// inside 職員提案制度), and each keyword counts at most `MAX_REPEATS_PER_PASSAGE` times.
fn keyword_matches(found: Vec<Candidate<'_>>) -> (Vec<KeywordMatch<'_>>, Vec<KeywordMatch<'_>>) {
    let mut candidates: Vec<(usize, usize, bool, &str)> =
        found.into_iter().map(|c| (c.start, c.end, c.strong, c.keyword)).collect();
    // Longest first, strong before weak, then by position: the kept spans never depend on
    // keyword order in the taxonomy.
    candidates
        .sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    let mut kept: Vec<(usize, usize, bool, &str)> = Vec::new();
    for candidate in candidates {
        let inside = kept.iter().any(|k| k.0 <= candidate.0 && candidate.1 <= k.1);
        let repeats = kept.iter().filter(|k| k.3 == candidate.3).count();
        if !inside && repeats < MAX_REPEATS_PER_PASSAGE {
            kept.push(candidate);
        }
    }
    kept.sort_by_key(|k| k.0);
    let pick = |want: bool| kept.iter().filter(|k| k.2 == want).map(|k| (k.0, k.3)).collect();
    (pick(true), pick(false))
}

fn best_of(best: Option<(f64, Context)>, next: (f64, Context)) -> Option<(f64, Context)> {
    match best {
        Some(best) if best.0 >= next.0 => Some(best),
        _ => Some(next),
    }
}

#[derive(Default)]
struct HitAccumulator {
    weight: f64,
    strong: usize,
    keywords: Vec<String>,
    best: Option<(f64, Context)>,
}

impl HitAccumulator {
    fn add(&mut self, (weight, context): (f64, Context), keyword: &str, factor: f64) {
        self.weight += weight * factor;
        self.strong += 1;
        self.note(keyword, (weight, context));
    }

    fn add_weak(&mut self, (weight, context): (f64, Context), keyword: &str) {
        self.weight += weight * WEAK_FACTOR;
        self.note(keyword, (weight * WEAK_FACTOR, context));
    }

    fn note(&mut self, keyword: &str, hit: (f64, Context)) {
        if !self.keywords.iter().any(|k| k == keyword) {
            self.keywords.push(keyword.to_owned());
        }
        self.best = best_of(self.best, hit);
    }

    fn finish(self, theme: usize) -> Option<PassageHit> {
        let (_, context) = self.best?;
        (self.weight > 0.0).then(|| PassageHit {
            theme,
            weight: round3(self.weight),
            strong: self.strong,
            keywords: self.keywords,
            context,
        })
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn evidence_of(path: &str, passage: &PassageThemes, hit: &PassageHit) -> Evidence {
    Evidence {
        path: path.to_owned(),
        page: passage.page,
        heading: passage.heading.clone(),
        text: passage.text.clone(),
        weight: hit.weight,
        keywords: hit.keywords.clone(),
        context: hit.context,
    }
}

/// Strongest first; ties by page and text so the order never depends on hashing.
fn sort_evidence(evidence: &mut [Evidence]) {
    evidence.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.page.cmp(&b.page))
            .then_with(|| a.text.cmp(&b.text))
    });
}

/// Ranges of consecutive passages under the same heading path.
fn sections(passages: &[Passage]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for i in 1..=passages.len() {
        if i == passages.len() || passages[i].heading_path != passages[start].heading_path {
            if start < i {
                ranges.push(start..i);
            }
            start = i;
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_is_half_at_the_threshold() {
        assert_eq!(score_of_raw(0.0), 0.0);
        assert_eq!(score_of_raw(PRESENCE_THRESHOLD), 0.5);
        assert!(score_of_raw(10.0) <= 1.0);
    }
}
