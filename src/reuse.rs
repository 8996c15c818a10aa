//! Copied text across plans: near-duplicate passages grouped into clusters (`gyokaku reuse`).
//!
//! Researchers want to know which passages a municipality wrote itself and which it copied
//! from a national guideline, a neighbour or a consultant's template. This module owns that
//! question and nothing else: it takes passages already read from the index (through
//! `index::load_documents`) and, optionally, reference texts (national guidelines) that it
//! extracts and segments like plans; it never prints and never touches the index itself.
//!
//! The method, for each passage:
//! 1. **Page furniture is dropped line by line** ([`is_furniture`]). Web pages saved as plans
//!    carry the chrome of their site: a document-hosting site's 「検索結果がありません / N/A /
//!    Protected / Copied!」 or 「by user on Category: Documents … views Report Comments
//!    Transcript」, the 「PDF形式のファイルをご覧いただく場合には…Adobe Reader」 notice, the
//!    お問い合わせ footer. Unrelated plans hosted on one site share these lines word for word, so
//!    they made nearly every pair reported on real text. Each line of a passage is normalised
//!    (lines kept) and dropped when
//!    - it is a *UI line*: it holds one of the [`crate::furniture::UI_MARKERS`] (words of site chrome, never of a
//!      plan's argument), it has no kana or kanji at all (「N/A」, 「19」, 「Academic year:
//!      2018」), or ASCII letters make at least [`crate::furniture::ASCII_LINE_SHARE`] of it (see [`is_ui_line`]); or
//!    - it *recurs and is not prose*: the same normalised line is in at least
//!      [`FURNITURE_MIN_DOCS`] documents (plans and references) and is shorter than
//!      [`PROSE_MIN_CHARS`] characters or less than half Japanese. Short lines recurring in many
//!      documents are menus, headings (「はじめに」) and footers, whose shingles are shared by
//!      everyone. A *long Japanese line* that recurs is kept however many plans share it: that
//!      is what a guideline sentence copied into several plans looks like (with or without
//!      「。」: a list item of a guideline, copied word for word, is one too).
//!
//!    The remaining lines are joined again; `--min-chars` applies to what is left. With
//!    `keep_furniture` (`--keep-furniture`) nothing is dropped.
//! 2. What is left is cut into overlapping character [`SHINGLE_CHARS`]-grams (after
//!    [`crate::normalize`], the project's one normaliser, so full-width digits, 取り組み/取組 and
//!    broken lines don't hide a copy). Heading-only passages (a guideline's list item that a
//!    plan copies as its own heading) take part like any other once long enough.
//! 3. Two passages from different documents are compared by one of two [`Measure`]s:
//!    - [`Measure::Containment`] (the default): |A∩B| / min(|A|,|B|), the share of the smaller
//!      passage's shingles found in the other. A sentence copied into a longer passage of
//!      another plan scores high although most of the longer passage is the plan's own text
//!      (its Jaccard is only 0.2–0.4). The smaller set must have at least
//!      [`CONTAINMENT_MIN_SHINGLES`] shingles, so a short stock phrase is never "contained".
//!      Candidates come from an exact **prefix filter**, not from MinHash: shingles are ordered
//!      by how few passages hold them (rarest first); the *prefix* of a set of n shingles is its
//!      first n − ⌈t·n⌉ + 1. If the smaller set A has at least ⌈t·|A|⌉ shingles in B, at most
//!      ⌈t·|A|⌉ − 1 of them can lie outside A's prefix, so A's prefix meets B: probing every
//!      shingle of every passage against an index of prefixes finds *every* pair that reaches
//!      the threshold (no probability, no pair lost). MinHash banding could not guarantee this:
//!      for a size ratio r = |B|/|A| the Jaccard of a pair with containment t can be as low as
//!      t/(1 + r − t), a 40-character sentence inside a 1,000-character passage about 0.04,
//!      where no banding finds it. The prefixes hold the rarest shingles, so the index's lists
//!      are short; the commonest ones were mostly furniture, dropped in step 1.
//!    - [`Measure::Jaccard`] (the behaviour before session 6): |A∩B| / |A∪B|, estimated with a
//!      MinHash signature of [`NUM_HASHES`] values; LSH banding ([`band_rows`]: 32 bands × 4
//!      rows at 0.6) makes candidate pairs of passages that agree on a whole band; a candidate
//!      is kept when the estimate and then the exact Jaccard reach the threshold. It needs less
//!      memory on very large indexes (one signature per passage, no shingle sets kept).
//!
//!    A pair is kept when its value in the measure reaches the threshold; its exact Jaccard is
//!    reported either way (`min_jaccard`, `max_jaccard`).
//! 4. Kept pairs are grouped into star clusters around the passages with most partners
//!    (see `clusters`), so chains of pairs do not merge unrelated passages.
//!
//! MinHash and banding are written here rather than taken from a crate: they are about a
//! hundred lines, and the crates that offer them (`probminhash`, `gaoya`, `lsh-rs`) either
//! bring hashing and dependency choices we would have to match for deterministic output,
//! or are unmaintained; owning the code keeps the signatures reproducible across releases
//! (fixed seeds, our own FNV-1a shingle hash, no `RandomState`).
//!
//! This module is also the one place that says *which passages are copied*: [`PassageClusters`]
//! indexes a report's clusters by passage, [`is_copied`] decides when a cluster is copied
//! boilerplate (a guideline's text, or a paragraph in the plans of at least
//! [`COPIED_MIN_MUNICIPALITIES`] municipalities), and [`discount_copied`] takes those passages
//! out of documents before themes or measures read them. `gyokaku reuse` saves its report next
//! to the index ([`SAVED_FILE`], with the index commit it was computed on); `themes` and
//! `measures --discount-copied` and the web app (`serve`) read it back with [`read_saved`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::analysis::is_cjk;
use crate::extract::{Limits, SourceHints, extract_file};
use crate::furniture::is_ui_line;
use crate::index::IndexedDocument;
use crate::model::Passage;
use crate::normalize::{LineBreaks, Normalizer};
use crate::segment::segment;

/// Characters per shingle. Five characters of Japanese are about two words: short enough
/// that a few edited words leave most shingles intact, long enough that unrelated passages
/// on the same topic (which share 2- and 3-grams like 行政改革) share few of them.
pub const SHINGLE_CHARS: usize = 5;

/// MinHash values per signature. 128 gives an estimate within about ±0.05 of the exact
/// Jaccard near 0.6 (standard error √(J(1−J)/128) ≈ 0.043) at 512 bytes per passage.
pub const NUM_HASHES: usize = 128;

/// Below this threshold, bands of 2 rows (64 bands): with 4 rows a pair of Jaccard 0.5 would
/// be a candidate with probability only 1 − (1 − 0.5⁴)³² ≈ 0.87; with 2 rows ≈ 1.
const LOW_THRESHOLD: f64 = 0.55;

/// From this threshold on, bands of 8 rows (16 bands): a pair of Jaccard 0.85 is still a
/// candidate with probability 1 − (1 − 0.85⁸)¹⁶ ≈ 0.99, and far fewer pairs of 0.6 are.
const HIGH_THRESHOLD: f64 = 0.85;

/// Signature rows per LSH band for a threshold; the bands are `NUM_HASHES / rows`. With 4
/// rows (32 bands, thresholds 0.55–0.85), a pair of Jaccard 0.6 becomes a candidate with
/// probability 1 − (1 − 0.6⁴)³² ≈ 0.99 and a pair of Jaccard 0.2 with ≈ 0.05.
pub fn band_rows(threshold: f64) -> usize {
    if threshold < LOW_THRESHOLD {
        2
    } else if threshold < HIGH_THRESHOLD {
        4
    } else {
        8
    }
}

/// The default Jaccard threshold: at 0.6 of 5-gram shingles, a paragraph with a few words
/// changed (a municipality's name, a year, a number) still matches, and two passages that
/// merely share stock phrases do not.
pub const DEFAULT_THRESHOLD: f64 = 0.6;

/// The default shortest passage (normalised characters) taken into account. Shorter ones
/// — headings, "以下のとおり。" — are the same everywhere without being copied.
pub const DEFAULT_MIN_CHARS: usize = 40;

/// The default containment threshold ([`Measure::Containment`]): half the shingles of the
/// smaller passage found in the other. A copied sentence that is half of a short passage, or a
/// passage copied whole with a name, year and number changed, reaches it; two passages that
/// share a stock phrase (「最少の経費で最大の効果を挙げる」, 18 characters) are far from it once
/// the smaller one has [`CONTAINMENT_MIN_SHINGLES`] shingles.
pub const DEFAULT_CONTAINMENT_THRESHOLD: f64 = 0.5;

/// The smallest shingle set a containment pair's smaller passage may have: 36 shingles, a
/// text of 40 characters (the default `--min-chars`). Below it a few stock phrases would
/// make up most of the passage and count as "contained" in any plan using them.
pub const CONTAINMENT_MIN_SHINGLES: usize = 36;

/// A line found in this many documents (plans and references, each counted once) is page
/// furniture unless it is prose (see [`is_furniture`]). Two or three plans sharing a short line
/// can be a copy between neighbours; four or more sharing a line that is short or not
/// Japanese is a site template, a menu or a stock heading. Counted on the documents compared,
/// so a small index (fewer than four documents) drops only UI lines.
pub const FURNITURE_MIN_DOCS: usize = 4;

/// A recurring line at least this long (normalised characters) and at least half kana and
/// kanji is prose and kept: a sentence or list item of a guideline copied into several plans.
/// Menus, headings, footers and site chrome lines are shorter (「このページの先頭へ」,
/// 「第1章 はじめに」, 「読み込み中.... (全文を見る)」).
pub const PROSE_MIN_CHARS: usize = 25;

/// How far below the threshold the MinHash estimate may fall and still be checked exactly,
/// about two standard errors of the estimate, so that few true pairs are lost to its noise.
const ESTIMATE_SLACK: f64 = 0.1;

/// Above this many members, an LSH bucket (Jaccard) or a prefix posting list (containment) is
/// not expanded into all its pairs: each member is compared with the list's first member only.
/// Stock boilerplate repeated in thousands of plans would otherwise cost millions of
/// comparisons for one cluster (on the 600k-passage scale corpus, where every paragraph has
/// about 2,500 perturbed copies, the containment run did not finish in 30 minutes without it).
const MAX_BUCKET_ALL_PAIRS: usize = 64;

/// Characters of a member's text shown as its excerpt.
const EXCERPT_CHARS: usize = 60;

/// Seed of the MinHash hash family; fixed so that signatures and outputs are reproducible.
const MINHASH_SEED: u64 = 0x6779_6f6b_616b_7521;

#[derive(Debug, Error)]
pub enum ReuseError {
    #[error("reference folder `{}` is not a folder", .dir.display())]
    ReferenceMissing { dir: PathBuf },
    #[error("threshold {threshold} is not between 0 (exclusive) and 1")]
    Threshold { threshold: f64 },
    #[error("cannot write the reuse clusters as CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot read the saved reuse clusters `{}`: {source}", .path.display())]
    Saved {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The file, inside an index folder, where `gyokaku reuse` saves its report for `serve` and
/// `--discount-copied`. It is derived data like the rest of the index folder: deleting it
/// only means running `gyokaku reuse` again.
pub const SAVED_FILE: &str = "reuse.json";

/// A cluster is copied boilerplate (for `--discount-copied`) when its plan passages come from
/// at least this many municipalities, or when it holds a guideline passage. Two municipalities
/// sharing a paragraph is often local work: a joint plan of neighbours, one town adopting
/// another's wording for a measure it really takes on. A paragraph found in three or more
/// municipalities' plans is circulating text — a prefecture's model plan, a consultant's
/// template, a guideline quoted without `--reference` — and says little about what each
/// of them decided. Successive plans of one municipality count once.
pub const COPIED_MIN_MUNICIPALITIES: usize = 3;

/// How two passages' shingle sets are compared (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// |A∩B| / min(|A|,|B|), candidates from an exact prefix filter.
    #[default]
    Containment,
    /// |A∩B| / |A∪B|, candidates from MinHash LSH (the measure before session 6).
    Jaccard,
}

impl Measure {
    /// The default threshold of the measure.
    pub fn default_threshold(self) -> f64 {
        match self {
            Measure::Containment => DEFAULT_CONTAINMENT_THRESHOLD,
            Measure::Jaccard => DEFAULT_THRESHOLD,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Measure::Containment => "containment",
            Measure::Jaccard => "Jaccard",
        }
    }
}

/// What `find_reuse` looks for.
#[derive(Debug, Clone, Copy)]
pub struct ReuseOptions {
    /// The measure's value (containment or Jaccard of shingle sets) a pair must reach.
    pub threshold: f64,
    /// Passages shorter than this (normalised characters, after furniture is dropped) are
    /// skipped.
    pub min_chars: usize,
    pub measure: Measure,
    /// Compare passages as they are, page furniture included.
    pub keep_furniture: bool,
}

impl Default for ReuseOptions {
    fn default() -> Self {
        ReuseOptions {
            threshold: Measure::default().default_threshold(),
            min_chars: DEFAULT_MIN_CHARS,
            measure: Measure::default(),
            keep_furniture: false,
        }
    }
}

/// A national guideline text, segmented like a plan.
#[derive(Debug, Clone)]
pub struct ReferenceDocument {
    /// The file's path relative to the reference folder.
    pub path: String,
    pub passages: Vec<Passage>,
}

/// Where a report's data came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Provenance {
    pub gyokaku_version: String,
    pub index: String,
    pub reference: Option<String>,
}

/// The result of `gyokaku reuse`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReuseReport {
    pub provenance: Provenance,
    /// The measure `threshold` is of (reports saved before session 6 were all Jaccard).
    #[serde(default = "jaccard_measure")]
    pub measure: Measure,
    pub threshold: f64,
    pub min_chars: usize,
    pub shingle_chars: usize,
    pub num_hashes: usize,
    /// Passages compared (plans and references, long enough).
    pub passages: usize,
    /// Candidate pairs from LSH buckets (different documents).
    pub candidates: usize,
    /// Pairs whose exact value in the measure reached the threshold.
    pub pairs: usize,
    /// Lines dropped as page furniture (see [`is_furniture`]).
    #[serde(default)]
    pub furniture_lines: usize,
    pub clusters: Vec<Cluster>,
    /// Reference files that could not be read, one line each.
    pub warnings: Vec<String>,
}

/// Passages that are copies of one another (connected by verified pairs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cluster {
    /// 1-based, in the report's order.
    pub id: usize,
    /// Whether a reference (national guideline) passage is among the members.
    pub guideline: bool,
    /// Distinct plan documents among the members (references not counted).
    pub documents: usize,
    /// The range of the measure's values over the cluster's pairs (for Jaccard, the same
    /// values as `min_jaccard` and `max_jaccard`).
    #[serde(default)]
    pub min_similarity: f64,
    #[serde(default)]
    pub max_similarity: f64,
    /// The range of the exact Jaccard values over the cluster's pairs.
    pub min_jaccard: f64,
    pub max_jaccard: f64,
    pub members: Vec<Member>,
}

/// One passage of a cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub path: String,
    pub municipality: Option<String>,
    pub year: Option<i32>,
    pub page: u32,
    pub heading: String,
    pub ordinal: u32,
    /// A reference (guideline) passage rather than a plan's.
    pub reference: bool,
    pub excerpt: String,
}

/// Reads every file of a reference folder (any format `extract` reads) into passages.
/// A file that cannot be read becomes a warning, not an error.
pub fn load_references(dir: &Path) -> Result<(Vec<ReferenceDocument>, Vec<String>), ReuseError> {
    if !dir.is_dir() {
        return Err(ReuseError::ReferenceMissing { dir: dir.to_owned() });
    }
    let mut documents = Vec::new();
    let mut warnings = Vec::new();
    let walker = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                warnings.push(format!("cannot walk `{}`: {err}", dir.display()));
                continue;
            }
        };
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !entry.file_type().is_file() || hidden {
            continue;
        }
        let path = entry.path();
        let relative = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().into_owned();
        match extract_file(path, &Limits::default(), &SourceHints::default()) {
            Ok(extracted) => {
                documents.push(ReferenceDocument { path: relative, passages: segment(&extracted) });
            }
            Err(err) => warnings.push(format!("cannot read reference `{}`: {err}", path.display())),
        }
    }
    Ok((documents, warnings))
}

/// One passage taking part in the comparison.
struct Item<'a> {
    doc: u32,
    reference: bool,
    passage: &'a Passage,
    path: &'a str,
    municipality: Option<&'a str>,
    year: Option<i32>,
}

/// Finds clusters of near-duplicate passages across `documents` (and `references`).
pub fn find_reuse(
    documents: &[IndexedDocument],
    references: &[ReferenceDocument],
    options: ReuseOptions,
    provenance: Provenance,
) -> Result<ReuseReport, ReuseError> {
    if !(options.threshold > 0.0 && options.threshold <= 1.0) {
        return Err(ReuseError::Threshold { threshold: options.threshold });
    }
    let mut items = Vec::new();
    for (doc_idx, doc) in documents.iter().enumerate() {
        for passage in &doc.passages {
            items.push(Item {
                doc: doc_idx as u32,
                reference: false,
                passage,
                path: &doc.path,
                municipality: doc.meta.municipality.as_deref(),
                year: doc.meta.year,
            });
        }
    }
    for (ref_idx, doc) in references.iter().enumerate() {
        for passage in &doc.passages {
            items.push(Item {
                doc: (documents.len() + ref_idx) as u32,
                reference: true,
                passage,
                path: &doc.path,
                municipality: None,
                year: None,
            });
        }
    }
    let mut warnings = Vec::new();
    let (texts, furniture_lines) = passage_texts(&items, options);
    let kept: Vec<usize> = (0..items.len()).filter(|&i| texts[i].is_some()).collect();
    let docs: Vec<u32> = kept.iter().map(|&i| items[i].doc).collect();
    let refs: Vec<bool> = kept.iter().map(|&i| items[i].reference).collect();
    let text_of = |k: usize| texts[kept[k]].as_deref().unwrap_or_default();
    let (n_candidates, verified) = match options.measure {
        Measure::Containment => {
            let sets: Vec<Vec<u64>> =
                (0..kept.len()).into_par_iter().map(|k| shingles(text_of(k))).collect();
            let (candidates, starred) = prefix_candidates(&sets, &docs, &refs, options.threshold);
            if starred > 0 {
                warnings.push(starred_warning(starred));
            }
            let verified: Vec<Pair> = candidates
                .par_iter()
                .filter_map(|&(a, b)| {
                    let (set_a, set_b) = (&sets[a as usize], &sets[b as usize]);
                    let smaller = set_a.len().min(set_b.len());
                    if smaller < CONTAINMENT_MIN_SHINGLES {
                        return None;
                    }
                    let common = overlap(set_a, set_b);
                    reaches(common, smaller, options.threshold).then(|| Pair {
                        a,
                        b,
                        similarity: common as f64 / smaller as f64,
                        jaccard: common as f64 / (set_a.len() + set_b.len() - common) as f64,
                    })
                })
                .collect();
            (candidates.len(), verified)
        }
        Measure::Jaccard => {
            let hasher = MinHasher::new();
            let signatures: Vec<Signature> = (0..kept.len())
                .into_par_iter()
                .map(|k| hasher.signature(&shingles(text_of(k))))
                .collect();
            let candidates =
                candidate_pairs(&signatures, &docs, &refs, band_rows(options.threshold));
            let verified: Vec<Pair> = candidates
                .par_iter()
                .filter_map(|&(a, b)| {
                    let estimate = signatures[a as usize].estimate(&signatures[b as usize]);
                    if estimate + ESTIMATE_SLACK < options.threshold {
                        return None;
                    }
                    let exact =
                        jaccard(&shingles(text_of(a as usize)), &shingles(text_of(b as usize)));
                    (exact >= options.threshold).then_some(Pair {
                        a,
                        b,
                        similarity: exact,
                        jaccard: exact,
                    })
                })
                .collect();
            (candidates.len(), verified)
        }
    };
    let n_pairs = verified.len();
    let weighted: Vec<(u32, u32, f64)> =
        verified.iter().map(|p| (p.a, p.b, p.similarity)).collect();
    let groups = clusters(kept.len(), &weighted);
    let mut cluster_of: HashMap<u32, usize> = HashMap::new();
    for (idx, (members, _)) in groups.iter().enumerate() {
        for &m in members {
            cluster_of.insert(m, idx);
        }
    }
    let mut jaccard_range = vec![(f64::MAX, f64::MIN); groups.len()];
    for pair in &verified {
        if let (Some(&ca), Some(&cb)) = (cluster_of.get(&pair.a), cluster_of.get(&pair.b))
            && ca == cb
        {
            let range = &mut jaccard_range[ca];
            *range = (range.0.min(pair.jaccard), range.1.max(pair.jaccard));
        }
    }
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .zip(jaccard_range)
        .map(|((members, (min_similarity, max_similarity)), (min_jaccard, max_jaccard))| {
            let mut members: Vec<Member> =
                members.iter().map(|&k| member(&items[kept[k as usize]])).collect();
            members.sort_by(|a, b| {
                (a.reference, &a.path, a.ordinal).cmp(&(b.reference, &b.path, b.ordinal))
            });
            let plan_docs: HashSet<&str> =
                members.iter().filter(|m| !m.reference).map(|m| m.path.as_str()).collect();
            Cluster {
                id: 0,
                guideline: members.iter().any(|m| m.reference),
                documents: plan_docs.len(),
                min_similarity: round3(min_similarity),
                max_similarity: round3(max_similarity),
                min_jaccard: round3(min_jaccard),
                max_jaccard: round3(max_jaccard),
                members,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.documents.cmp(&a.documents).then(b.members.len().cmp(&a.members.len())).then_with(|| {
            let key = |c: &Cluster| (c.members[0].path.clone(), c.members[0].ordinal);
            key(a).cmp(&key(b))
        })
    });
    for (idx, cluster) in out.iter_mut().enumerate() {
        cluster.id = idx + 1;
    }
    Ok(ReuseReport {
        provenance,
        measure: options.measure,
        threshold: options.threshold,
        min_chars: options.min_chars,
        shingle_chars: SHINGLE_CHARS,
        num_hashes: NUM_HASHES,
        passages: kept.len(),
        candidates: n_candidates,
        pairs: n_pairs,
        furniture_lines,
        clusters: out,
        warnings,
    })
}

/// The report's note that some shingles were too common for all their pairs to be listed.
fn starred_warning(starred: usize) -> String {
    format!(
        "{starred} shingles were each in the prefixes of more than {MAX_BUCKET_ALL_PAIRS} \
         passages (text repeated across many plans): their holders were compared with one \
         holder each rather than with one another, so a cluster may miss a member that only \
         resembles a non-centre member"
    )
}

fn jaccard_measure() -> Measure {
    Measure::Jaccard
}

/// A verified pair: indices into the kept passages, the measure's value and the Jaccard.
struct Pair {
    a: u32,
    b: u32,
    similarity: f64,
    jaccard: f64,
}

/// Whether `common` shared shingles out of a smaller set of `smaller` reach containment
/// `threshold`. The one test used both by the prefix length and by the verification, so the
/// two can never disagree on a pair at the boundary.
fn reaches(common: usize, smaller: usize, threshold: f64) -> bool {
    common >= needed(smaller, threshold)
}

/// ⌈t·n⌉: the shared shingles a smaller set of `n` needs (at least one).
fn needed(n: usize, threshold: f64) -> usize {
    ((threshold * n as f64) - 1e-9).ceil().max(1.0) as usize
}

/// The normalised text of every item without its furniture lines (`None` when what is left is
/// shorter than `min_chars`), and how many lines were dropped.
fn passage_texts(items: &[Item<'_>], options: ReuseOptions) -> (Vec<Option<String>>, usize) {
    let normalizer = Normalizer::embedded();
    let lines: Vec<Vec<String>> = items
        .par_iter()
        .map(|item| {
            normalizer
                .normalize(&item.passage.text, LineBreaks::Keep)
                .split('\n')
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect();
    // Documents holding each line (items come grouped by document).
    let mut docs_with: HashMap<u64, u32> = HashMap::new();
    let mut seen: HashSet<u64> = HashSet::new();
    for (idx, item) in items.iter().enumerate() {
        if idx > 0 && items[idx - 1].doc != item.doc {
            seen.clear();
        }
        for line in &lines[idx] {
            let key = fnv1a(line.as_bytes());
            if seen.insert(key) {
                *docs_with.entry(key).or_default() += 1;
            }
        }
    }
    let min_chars = options.min_chars.max(SHINGLE_CHARS);
    let dropped = std::sync::atomic::AtomicUsize::new(0);
    let texts = lines
        .par_iter()
        .map(|lines| {
            let mut text = String::new();
            for line in lines {
                let docs = docs_with.get(&fnv1a(line.as_bytes())).copied().unwrap_or(1);
                if !options.keep_furniture && is_furniture(line, docs as usize) {
                    dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                } else {
                    text.push_str(line);
                }
            }
            (text.chars().count() >= min_chars).then_some(text)
        })
        .collect();
    (texts, dropped.into_inner())
}

/// Whether a normalised line is page furniture, given the number of documents it is in (see
/// the module documentation): a UI line anywhere, or a recurring line that is not prose.
pub fn is_furniture(line: &str, documents: usize) -> bool {
    is_ui_line(line) || documents >= FURNITURE_MIN_DOCS && !is_prose(line)
}

/// A long line, at least half of it kana and kanji.
fn is_prose(line: &str) -> bool {
    let chars = line.chars().count();
    let japanese = line.chars().filter(|&c| is_cjk(c)).count();
    chars >= PROSE_MIN_CHARS && 2 * japanese >= chars
}

/// Candidate pairs for containment threshold `threshold` (indices, smaller first, sorted):
/// every pair from different documents (not both references) whose smaller set has at least
/// ⌈t·n⌉ of its n shingles in the other. Exact prefix filter (see the module documentation):
/// the prefix of each set (its rarest n − ⌈t·n⌉ + 1 shingles) is indexed; every shingle of
/// every set is probed against the index, and a hit on a set that is smaller (by size, then
/// index) is a candidate. A posting list longer than [`MAX_BUCKET_ALL_PAIRS`] is not probed:
/// its holders are paired with its first holder (a star), which keeps one cluster for text
/// copied into hundreds of plans at a cost linear in their number. Also returns how many lists
/// were starred (0 = the filter was exact).
fn prefix_candidates(
    sets: &[Vec<u64>],
    docs: &[u32],
    refs: &[bool],
    threshold: f64,
) -> (Vec<(u32, u32)>, usize) {
    let index = prefix_index(sets, threshold);
    let smaller = |a: u32, b: u32| (sets[a as usize].len(), a) < (sets[b as usize].len(), b);
    let allowed = |a: u32, b: u32| {
        docs[a as usize] != docs[b as usize] && !(refs[a as usize] && refs[b as usize])
    };
    let per_set: Vec<Vec<(u32, u32)>> = (0..sets.len() as u32)
        .into_par_iter()
        .map(|b| {
            let mut found: Vec<u32> = Vec::new();
            if sets[b as usize].len() < CONTAINMENT_MIN_SHINGLES {
                return Vec::new();
            }
            for h in &sets[b as usize] {
                if let Some(list) = index.get(h).filter(|l| l.len() <= MAX_BUCKET_ALL_PAIRS) {
                    found.extend(list.iter().copied().filter(|&a| smaller(a, b) && allowed(a, b)));
                }
            }
            found.sort_unstable();
            found.dedup();
            found.into_iter().map(|a| (a.min(b), a.max(b))).collect()
        })
        .collect();
    let long_lists: Vec<&Vec<u32>> =
        index.values().filter(|list| list.len() > MAX_BUCKET_ALL_PAIRS).collect();
    let stars = long_lists.iter().flat_map(|list| {
        let centre = list[0];
        list[1..]
            .iter()
            .filter(move |&&m| allowed(centre, m))
            .map(move |&m| (centre.min(m), centre.max(m)))
    });
    let mut pairs: Vec<(u32, u32)> = per_set.into_iter().flatten().chain(stars).collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    (pairs, long_lists.len())
}

/// The prefix of every set long enough to be compared, indexed by shingle: its rarest
/// n − ⌈t·n⌉ + 1 shingles (ties by hash, so copies order theirs alike); each list holds set
/// indices in increasing order.
fn prefix_index(sets: &[Vec<u64>], threshold: f64) -> HashMap<u64, Vec<u32>> {
    let mut frequency: HashMap<u64, u32> = HashMap::new();
    for set in sets {
        for &h in set {
            *frequency.entry(h).or_default() += 1;
        }
    }
    let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
    for (idx, set) in sets.iter().enumerate() {
        if set.len() < CONTAINMENT_MIN_SHINGLES {
            continue;
        }
        let mut ordered: Vec<(u32, u64)> =
            set.iter().map(|&h| (frequency.get(&h).copied().unwrap_or(0), h)).collect();
        ordered.sort_unstable();
        let prefix = set.len() - needed(set.len(), threshold) + 1;
        for &(_, h) in &ordered[..prefix.min(ordered.len())] {
            index.entry(h).or_default().push(idx as u32);
        }
    }
    index
}

/// The number of elements two sorted sets share.
fn overlap(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The clusters as CSV with a BOM (for Excel): one row per member.
pub fn report_csv(report: &ReuseReport) -> Result<Vec<u8>, ReuseError> {
    let mut buffer = UTF8_BOM.to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut buffer);
        writer.write_record([
            "cluster",
            "guideline",
            "documents",
            "path",
            "municipality",
            "year",
            "page",
            "heading",
            "ordinal",
            "reference",
            "excerpt",
        ])?;
        for cluster in &report.clusters {
            for m in &cluster.members {
                writer.write_record([
                    cluster.id.to_string(),
                    cluster.guideline.to_string(),
                    cluster.documents.to_string(),
                    m.path.clone(),
                    m.municipality.clone().unwrap_or_default(),
                    m.year.map(|y| y.to_string()).unwrap_or_default(),
                    m.page.to_string(),
                    m.heading.clone(),
                    m.ordinal.to_string(),
                    m.reference.to_string(),
                    m.excerpt.clone(),
                ])?;
            }
        }
        writer.flush().map_err(csv::Error::from)?;
    }
    Ok(buffer)
}

/// A report saved next to an index, with the commit it was computed on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedReuse {
    /// The index's commit stamp (`index::commit_stamp`) when the report was made.
    pub commit: String,
    pub report: ReuseReport,
}

/// The JSON bytes of a saved report (what `gyokaku reuse` writes to [`SAVED_FILE`]).
pub fn saved_json(saved: &SavedReuse) -> Vec<u8> {
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_vec(saved).unwrap_or_default()
}

/// The report saved in `index_dir`, if there is one.
pub fn read_saved(index_dir: &Path) -> Result<Option<SavedReuse>, ReuseError> {
    let path = index_dir.join(SAVED_FILE);
    let bytes = match fs_err::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(ReuseError::Saved { path, source: Box::new(err) }),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|err| ReuseError::Saved { path, source: Box::new(err) })
}

/// Distinct municipalities among a cluster's plan passages (a passage without a known
/// municipality counts as one of its own, by path).
pub fn municipalities(cluster: &Cluster) -> usize {
    let names: HashSet<&str> = cluster
        .members
        .iter()
        .filter(|m| !m.reference)
        .map(|m| m.municipality.as_deref().unwrap_or(m.path.as_str()))
        .collect();
    names.len()
}

/// Whether a cluster is copied boilerplate: it holds a guideline passage, or its plan passages
/// come from at least `min_municipalities` municipalities.
pub fn is_copied(cluster: &Cluster, min_municipalities: usize) -> bool {
    cluster.guideline || municipalities(cluster) >= min_municipalities
}

/// A report's clusters, looked up by plan passage (path and ordinal).
#[derive(Debug, Clone, Default)]
pub struct PassageClusters {
    clusters: Vec<Cluster>,
    by_passage: HashMap<String, HashMap<u32, usize>>,
}

impl PassageClusters {
    pub fn new(clusters: Vec<Cluster>) -> PassageClusters {
        let mut by_passage: HashMap<String, HashMap<u32, usize>> = HashMap::new();
        for (idx, cluster) in clusters.iter().enumerate() {
            for m in cluster.members.iter().filter(|m| !m.reference) {
                by_passage.entry(m.path.clone()).or_default().insert(m.ordinal, idx);
            }
        }
        PassageClusters { clusters, by_passage }
    }

    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    /// The cluster holding the plan passage `ordinal` of the document at `path`.
    pub fn cluster_of(&self, path: &str, ordinal: u32) -> Option<&Cluster> {
        let idx = *self.by_passage.get(path)?.get(&ordinal)?;
        self.clusters.get(idx)
    }

    /// The other plans holding a copy of this passage: one member per other document (its
    /// first passage of the cluster), in the cluster's order. Empty when the passage is in no
    /// cluster.
    pub fn other_plans(&self, path: &str, ordinal: u32) -> Vec<&Member> {
        let Some(cluster) = self.cluster_of(path, ordinal) else { return Vec::new() };
        let mut seen: HashSet<&str> = HashSet::new();
        cluster
            .members
            .iter()
            .filter(|m| !m.reference && m.path != path && seen.insert(m.path.as_str()))
            .collect()
    }

    /// Whether the passage is copied boilerplate (see [`is_copied`]).
    pub fn is_copied(&self, path: &str, ordinal: u32, min_municipalities: usize) -> bool {
        self.cluster_of(path, ordinal).is_some_and(|c| is_copied(c, min_municipalities))
    }
}

/// Takes the copied passages (see [`is_copied`]) out of each document, with their stored
/// themes and roles, so that themes and measures never read them. Returns how many passages
/// were taken out.
pub fn discount_copied(
    documents: &mut [IndexedDocument],
    clusters: &PassageClusters,
    min_municipalities: usize,
) -> usize {
    let mut removed = 0;
    for doc in documents {
        let keep: Vec<bool> = doc
            .passages
            .iter()
            .map(|p| !clusters.is_copied(&doc.path, p.ordinal, min_municipalities))
            .collect();
        if keep.iter().all(|&k| k) {
            continue;
        }
        removed += keep.iter().filter(|&&k| !k).count();
        let mut flags = keep.iter();
        doc.passages.retain(|_| *flags.next().unwrap_or(&true));
        if doc.passage_themes.len() == keep.len() {
            let mut flags = keep.iter();
            doc.passage_themes.retain(|_| *flags.next().unwrap_or(&true));
        }
        if doc.passage_roles.len() == keep.len() {
            let mut flags = keep.iter();
            doc.passage_roles.retain(|_| *flags.next().unwrap_or(&true));
        }
    }
    removed
}

fn member(item: &Item<'_>) -> Member {
    let flat: String = item.passage.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut excerpt: String = flat.chars().take(EXCERPT_CHARS).collect();
    if flat.chars().count() > EXCERPT_CHARS {
        excerpt.push('…');
    }
    Member {
        path: item.path.to_owned(),
        municipality: item.municipality.map(str::to_owned),
        year: item.year,
        page: item.passage.page,
        heading: item.passage.heading(),
        ordinal: item.passage.ordinal,
        reference: item.reference,
        excerpt,
    }
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// FNV-1a over bytes: a fixed, portable hash for shingles.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// splitmix64's finaliser: spreads the bits of `x` (used to derive the hash family and to
/// mix shingle hashes before the multiply-shift permutations).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The set of character shingles of a normalised text, as sorted distinct hashes. A text
/// shorter than a shingle is one shingle of itself.
fn shingles(text: &str) -> Vec<u64> {
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let n_chars = bounds.len() - 1;
    let mut out: Vec<u64> = if n_chars < SHINGLE_CHARS {
        vec![mix(fnv1a(text.as_bytes()))]
    } else {
        (0..=n_chars - SHINGLE_CHARS)
            .map(|start| mix(fnv1a(&text.as_bytes()[bounds[start]..bounds[start + SHINGLE_CHARS]])))
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Exact Jaccard similarity of two sorted sets.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let common = overlap(a, b);
    let union = a.len() + b.len() - common;
    if union == 0 { 0.0 } else { common as f64 / union as f64 }
}

/// A MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Signature([u32; NUM_HASHES]);

impl Signature {
    /// The estimated Jaccard similarity: the share of positions where two signatures agree.
    fn estimate(&self, other: &Signature) -> f64 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / NUM_HASHES as f64
    }

    /// The bucket key of one band of `rows` rows.
    fn band_key(&self, band: usize, rows: usize) -> u64 {
        let rows = &self.0[band * rows..(band + 1) * rows];
        let mut key = band as u64;
        for &row in rows {
            key = mix(key ^ u64::from(row));
        }
        key
    }
}

/// A family of multiply-shift hash functions h(x) = (a·x + b) >> 32, with odd `a`, over
/// already mixed 64-bit shingle hashes: one multiply per hash and shingle, which the
/// compiler vectorises.
struct MinHasher {
    a: [u64; NUM_HASHES],
    b: [u64; NUM_HASHES],
}

impl MinHasher {
    fn new() -> Self {
        let mut a = [0; NUM_HASHES];
        let mut b = [0; NUM_HASHES];
        let mut state = MINHASH_SEED;
        for i in 0..NUM_HASHES {
            state = mix(state);
            a[i] = state | 1;
            state = mix(state);
            b[i] = state;
        }
        MinHasher { a, b }
    }

    fn signature(&self, shingles: &[u64]) -> Signature {
        let mut sig = [u32::MAX; NUM_HASHES];
        for &x in shingles {
            for ((slot, &a), &b) in sig.iter_mut().zip(&self.a).zip(&self.b) {
                let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                *slot = (*slot).min(h);
            }
        }
        Signature(sig)
    }
}

/// Candidate pairs (indices into `signatures`, smaller first, sorted) of passages that share
/// a band bucket, from different documents and not both references.
fn candidate_pairs(
    signatures: &[Signature],
    docs: &[u32],
    refs: &[bool],
    rows: usize,
) -> Vec<(u32, u32)> {
    let per_band: Vec<Vec<(u32, u32)>> = (0..NUM_HASHES / rows)
        .into_par_iter()
        .map(|band| {
            let mut buckets: HashMap<u64, Vec<u32>> = HashMap::new();
            for (idx, sig) in signatures.iter().enumerate() {
                buckets.entry(sig.band_key(band, rows)).or_default().push(idx as u32);
            }
            let mut pairs = Vec::new();
            let allowed = |a: u32, b: u32| {
                docs[a as usize] != docs[b as usize] && !(refs[a as usize] && refs[b as usize])
            };
            for members in buckets.values().filter(|m| m.len() > 1) {
                if members.len() <= MAX_BUCKET_ALL_PAIRS {
                    for (i, &a) in members.iter().enumerate() {
                        for &b in &members[i + 1..] {
                            if allowed(a, b) {
                                pairs.push((a, b));
                            }
                        }
                    }
                } else {
                    // Star around the first member: enough to join the bucket into one
                    // cluster when its members are copies of one another.
                    let first = members[0];
                    for &b in &members[1..] {
                        if allowed(first, b) {
                            pairs.push((first, b));
                        }
                    }
                }
            }
            pairs
        })
        .collect();
    let mut pairs: Vec<(u32, u32)> = per_band.into_iter().flatten().collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Groups verified pairs into clusters around centres (star clustering): the passage with
/// the most pairs becomes a centre and takes every unassigned passage paired with it; then the
/// next. A passage left over (all its partners already taken) joins the cluster of its most
/// similar partner. Union-find would chain A–B, B–C, C–D … into one cluster of passages that
/// share nothing end to end (on the 600k-passage scale corpus it made clusters of thousands);
/// here every member is paired with its centre or with a member paired with it.
/// Returns members (sorted indices) and the range of the Jaccard values of the pairs inside
/// each cluster, ordered by smallest member.
fn clusters(n: usize, pairs: &[(u32, u32, f64)]) -> Vec<(Vec<u32>, (f64, f64))> {
    let mut partners: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for &(a, b, jaccard) in pairs {
        partners[a as usize].push((b, jaccard));
        partners[b as usize].push((a, jaccard));
    }
    let mut by_degree: Vec<u32> =
        (0..n as u32).filter(|&i| !partners[i as usize].is_empty()).collect();
    by_degree.sort_by_key(|&i| (std::cmp::Reverse(partners[i as usize].len()), i));
    let mut cluster_of: Vec<Option<u32>> = vec![None; n];
    let mut centres: Vec<u32> = Vec::new();
    for &centre in &by_degree {
        let free = |i: u32, cluster_of: &[Option<u32>]| cluster_of[i as usize].is_none();
        if !free(centre, &cluster_of) {
            continue;
        }
        let taken: Vec<u32> = partners[centre as usize]
            .iter()
            .map(|&(p, _)| p)
            .filter(|&p| free(p, &cluster_of))
            .collect();
        if taken.is_empty() {
            continue;
        }
        let id = centres.len() as u32;
        centres.push(centre);
        cluster_of[centre as usize] = Some(id);
        for p in taken {
            cluster_of[p as usize] = Some(id);
        }
    }
    for &left in &by_degree {
        if cluster_of[left as usize].is_some() {
            continue;
        }
        let best = partners[left as usize]
            .iter()
            .filter_map(|&(p, j)| cluster_of[p as usize].map(|c| (c, j)))
            .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)));
        cluster_of[left as usize] = best.map(|(c, _)| c);
    }
    let mut groups: BTreeMap<u32, (Vec<u32>, (f64, f64))> = BTreeMap::new();
    for (member, cluster) in cluster_of.iter().enumerate() {
        if let Some(c) = cluster {
            groups
                .entry(*c)
                .or_insert_with(|| (Vec::new(), (f64::MAX, f64::MIN)))
                .0
                .push(member as u32);
        }
    }
    for &(a, b, jaccard) in pairs {
        if let (Some(ca), Some(cb)) = (cluster_of[a as usize], cluster_of[b as usize])
            && ca == cb
            && let Some(entry) = groups.get_mut(&ca)
        {
            entry.1 = (entry.1.0.min(jaccard), entry.1.1.max(jaccard));
        }
    }
    let mut out: Vec<(Vec<u32>, (f64, f64))> = groups.into_values().collect();
    out.sort_by_key(|(members, _)| members[0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocMeta;
    use crate::normalize::normalize;

    const BASE: &str = "本市では、人口減少と少子高齢化が進む中で、限られた経営資源を最大限に活用し、\
        持続可能な行政運営を実現するため、事務事業の見直しと職員の適正配置を計画的に進めるとともに、\
        公共施設の総量を適正化し、市民との協働による地域づくりを推進する。";

    fn doc(path: &str, texts: &[&str]) -> IndexedDocument {
        IndexedDocument {
            path: path.to_owned(),
            doc_id: path.to_owned(),
            format: crate::model::Format::Text,
            meta: DocMeta { municipality: Some(path.to_owned()), ..DocMeta::default() },
            passages: texts
                .iter()
                .enumerate()
                .map(|(i, text)| Passage {
                    ordinal: i as u32,
                    page: 1,
                    heading_path: vec!["第1 方針".to_owned()],
                    text: (*text).to_owned(),
                })
                .collect(),
            passage_themes: vec![Vec::new(); texts.len()],
            passage_roles: vec![String::new(); texts.len()],
        }
    }

    fn provenance() -> Provenance {
        Provenance {
            gyokaku_version: "test".to_owned(),
            index: "index".to_owned(),
            reference: None,
        }
    }

    fn edited() -> String {
        BASE.replace("本市", "本町").replace("市民", "町民").replace("計画的に", "着実に")
    }

    fn jaccard_options() -> ReuseOptions {
        ReuseOptions {
            measure: Measure::Jaccard,
            threshold: DEFAULT_THRESHOLD,
            ..ReuseOptions::default()
        }
    }

    /// A plan page of a made-up hosting site: the chrome lines around a plan's own text.
    fn hosted(title: &str, own: &str) -> String {
        format!(
            "{title}\nuploaded by admin\nTags: Public Sector\n42\npages\nDownload\n\
             ファイルを開くにはAdobe Acrobatの閲覧ソフトをご利用ください。\n\
             電子版の閲覧\n{own}\n印刷用ページ\n"
        )
    }

    const OWN: [&str; 5] = [
        "山あいの集落を結ぶ町営バスの路線を見直し、予約制の乗合タクシーを導入する。",
        "漁港周辺の空き倉庫を改修して水産加工の起業を支援し、移住と雇用につなげる。",
        "駅前の再開発にあわせて図書館と子育て支援センターを複合施設として整備する。",
        "窓口の手続はオンラインで完結できるようにし、紙の申請書を半分以下に減らす。",
        "ため池と農業用水路の点検を地域の組合と分担し、改修の優先順位を毎年見直す。",
    ];

    #[test]
    fn ui_lines_are_furniture_anywhere() {
        for line in ["uploaded by admin", "Tags: Public Sector", "42", "(3)", "Download now"] {
            assert!(is_furniture(&normalize(line), 1), "{line}");
        }
        let viewer = normalize("ファイルを開くにはAdobe Acrobatの閲覧ソフトをご利用ください。");
        assert!(is_furniture(&viewer, 1), "a viewer notice");
        assert!(is_furniture(&normalize("ご意見は下記までお問い合わせください。"), 1));
        // Plan prose with an acronym or two is not a UI line.
        let prose = normalize("DXの推進によりBPRを進め、窓口の待ち時間を半分にする。");
        assert!(!is_furniture(&prose, 1));
    }

    #[test]
    fn recurring_short_lines_are_furniture_but_recurring_prose_is_not() {
        let menu = normalize("印刷用ページ");
        assert!(!is_furniture(&menu, FURNITURE_MIN_DOCS - 1), "three documents may copy");
        assert!(is_furniture(&menu, FURNITURE_MIN_DOCS));
        // A guideline's sentence, and its list item without 「。」, in many plans: kept.
        let sentence = normalize(BASE);
        assert!(!is_furniture(&sentence, 50));
        let item =
            normalize("(3)職員定数の適正化と組織機構の簡素化(事務事業の統廃合、民間委託の推進等)");
        assert!(!is_furniture(&item, 50));
    }

    #[test]
    fn plans_sharing_only_site_chrome_are_not_paired() {
        let docs: Vec<IndexedDocument> = (0..5)
            .map(|i| {
                let page = hosted(&format!("第{i}次行政改革大綱"), OWN[i]);
                doc(&format!("{i}.txt"), &[&page])
            })
            .collect();
        for options in [ReuseOptions::default(), jaccard_options()] {
            let report = find_reuse(&docs, &[], options, provenance()).unwrap();
            assert!(report.clusters.is_empty(), "{:?}", report.clusters);
            assert!(report.furniture_lines >= 5 * 6, "{}", report.furniture_lines);
            let kept = ReuseOptions { keep_furniture: true, threshold: 0.3, ..options };
            let report = find_reuse(&docs, &[], kept, provenance()).unwrap();
            assert!(!report.clusters.is_empty(), "with the chrome they look alike");
        }
    }

    #[test]
    fn a_guideline_sentence_in_longer_passages_is_found_by_containment() {
        // Each plan quotes BASE amid a paragraph of its own: Jaccard ≈ 0.3, containment ≈ 1.
        let docs: Vec<IndexedDocument> = (0..3)
            .map(|i| {
                let reversed: String = OWN[i].chars().rev().collect();
                let passage = format!("{}{BASE}{reversed}", OWN[i]);
                doc(&format!("{i}.txt"), &[&passage])
            })
            .collect();
        let jaccard = find_reuse(&docs, &[], jaccard_options(), provenance()).unwrap();
        assert!(jaccard.clusters.is_empty(), "{:?}", jaccard.clusters);
        let report = find_reuse(&docs, &[], ReuseOptions::default(), provenance()).unwrap();
        assert_eq!(report.measure, Measure::Containment);
        assert_eq!(report.clusters.len(), 1, "{:?}", report.clusters);
        let cluster = &report.clusters[0];
        assert_eq!(cluster.documents, 3);
        assert!(cluster.min_similarity >= DEFAULT_CONTAINMENT_THRESHOLD, "{cluster:?}");
        assert!(cluster.max_jaccard < DEFAULT_THRESHOLD, "{cluster:?}");
        assert!(cluster.members.iter().all(|m| m.ordinal == 0));
    }

    #[test]
    fn a_short_shared_phrase_is_not_contained() {
        // 「最少の経費で最大の効果を挙げる」 alone, and inside a plan's sentence: all of the short
        // passage is in the long one, but it has fewer shingles than a pair's smaller set needs.
        let phrase = "最少の経費で最大の効果を挙げる。";
        let long = format!("{}そのため最少の経費で最大の効果を挙げるよう努める。", OWN[0]);
        let docs = [doc("a.txt", &[phrase]), doc("b.txt", &[&long])];
        let options = ReuseOptions { min_chars: 10, ..ReuseOptions::default() };
        let report = find_reuse(&docs, &[], options, provenance()).unwrap();
        assert_eq!(report.passages, 2);
        assert!(report.clusters.is_empty(), "{:?}", report.clusters);
        assert!(shingles(&normalize(phrase)).len() < CONTAINMENT_MIN_SHINGLES);
    }

    #[test]
    fn the_prefix_filter_finds_every_pair_brute_force_finds() {
        // Passages made of overlapping pieces of a few sentences, so that containment takes
        // many values; every pair at or above the threshold must be a candidate.
        let pieces: Vec<String> =
            [BASE, OWN[0], OWN[1], OWN[2], OWN[3], OWN[4]].iter().map(|t| normalize(t)).collect();
        let mut texts = Vec::new();
        for (i, first) in pieces.iter().enumerate() {
            for (j, second) in pieces.iter().enumerate() {
                let cut: String = second.chars().take(10 + 7 * ((i + j) % 6)).collect();
                texts.push(format!("{first}{cut}"));
                texts.push(cut.chars().rev().collect::<String>() + first);
            }
        }
        let sets: Vec<Vec<u64>> = texts.iter().map(|t| shingles(t)).collect();
        let docs: Vec<u32> = (0..sets.len() as u32).map(|i| i / 3).collect();
        let refs = vec![false; sets.len()];
        for threshold in [0.2, 0.5, 0.8, 1.0] {
            let (pairs, starred) = prefix_candidates(&sets, &docs, &refs, threshold);
            assert_eq!(starred, 0, "no posting list is long in this test");
            let candidates: HashSet<(u32, u32)> = pairs.into_iter().collect();
            let mut found = 0;
            for a in 0..sets.len() {
                for b in a + 1..sets.len() {
                    let smaller = sets[a].len().min(sets[b].len());
                    if docs[a] == docs[b] || smaller < CONTAINMENT_MIN_SHINGLES {
                        continue;
                    }
                    if reaches(overlap(&sets[a], &sets[b]), smaller, threshold) {
                        found += 1;
                        assert!(
                            candidates.contains(&(a as u32, b as u32)),
                            "{a}–{b} at {threshold}"
                        );
                    }
                }
            }
            assert!(found > 0 || threshold > 0.9, "the test has pairs at {threshold}");
        }
    }

    #[test]
    fn a_heading_only_passage_takes_part() {
        // A guideline's list item that two plans use as a heading of their own.
        let item = "(2)定員管理の適正化と給与制度の見直し(退職手当、特殊勤務手当その他諸手当の総点検を含む)";
        let heading_only = |path: &str| {
            let mut d = doc(path, &[item]);
            d.passages[0].heading_path = vec![item.to_owned()];
            assert!(d.passages[0].is_heading_only());
            d
        };
        let docs = [heading_only("a.txt"), heading_only("b.txt")];
        let report = find_reuse(&docs, &[], ReuseOptions::default(), provenance()).unwrap();
        assert_eq!(report.clusters.len(), 1, "{report:?}");
        assert_eq!(report.clusters[0].documents, 2);
    }

    #[test]
    fn text_copied_into_hundreds_of_plans_is_one_starred_cluster() {
        // Above MAX_BUCKET_ALL_PAIRS holders the prefix lists are starred, not expanded.
        let copies = 3 * MAX_BUCKET_ALL_PAIRS;
        let docs: Vec<IndexedDocument> =
            (0..copies).map(|i| doc(&format!("p{i:03}.txt"), &[BASE])).collect();
        let report = find_reuse(&docs, &[], ReuseOptions::default(), provenance()).unwrap();
        assert_eq!(report.clusters.len(), 1, "{:?}", report.warnings);
        assert_eq!(report.clusters[0].documents, copies);
        assert!(report.pairs < copies * 2, "linear, not all {} pairs", copies * (copies - 1) / 2);
        assert!(report.warnings.iter().any(|w| w.contains("prefixes of more than")));
    }

    #[test]
    fn a_report_saved_before_measures_reads_as_jaccard() {
        let report = find_reuse(&copied_into(2), &[], jaccard_options(), provenance()).unwrap();
        let mut value = serde_json::to_value(&report).unwrap();
        let object = value.as_object_mut().unwrap();
        object.remove("measure");
        object.remove("furniture_lines");
        let back: ReuseReport = serde_json::from_value(value).unwrap();
        assert_eq!(back.measure, Measure::Jaccard);
        assert_eq!(back.clusters.len(), 1);
    }

    #[test]
    fn minhash_estimate_is_close_to_exact_jaccard() {
        let hasher = MinHasher::new();
        let variants = [
            edited(),
            BASE.replace("公共施設の総量を適正化し、", ""),
            format!(
                "{}また、デジタル技術を活用した窓口サービスの向上に取り組む。",
                BASE.chars().take(40).collect::<String>()
            ),
        ];
        for other in &variants {
            let (a, b) = (shingles(&normalize(BASE)), shingles(&normalize(other)));
            let exact = jaccard(&a, &b);
            let estimate = hasher.signature(&a).estimate(&hasher.signature(&b));
            assert!((estimate - exact).abs() < 0.12, "estimate {estimate} vs exact {exact}");
        }
    }

    #[test]
    fn identical_sets_have_jaccard_one_and_disjoint_zero() {
        let a = shingles("行政改革大綱の策定");
        assert!((jaccard(&a, &a) - 1.0).abs() < f64::EPSILON);
        assert!(jaccard(&a, &shingles("まったく別の文章です")).abs() < f64::EPSILON);
    }

    #[test]
    fn banding_finds_a_planted_pair() {
        let hasher = MinHasher::new();
        let noise: Vec<String> = (0..50)
            .map(|i| format!("第{i}号議案として、道路{i}号線の改良工事と橋梁{i}の点検を実施した。"))
            .collect();
        let mut texts: Vec<String> = noise.clone();
        texts.push(BASE.to_owned());
        texts.push(edited());
        let signatures: Vec<Signature> =
            texts.iter().map(|t| hasher.signature(&shingles(&normalize(t)))).collect();
        let docs: Vec<u32> = (0..texts.len() as u32).collect();
        let refs = vec![false; texts.len()];
        let planted = (noise.len() as u32, noise.len() as u32 + 1);
        for rows in [2, 4, 8] {
            let pairs = candidate_pairs(&signatures, &docs, &refs, rows);
            if rows < 8 {
                assert!(pairs.contains(&planted), "{rows} rows: {pairs:?}");
            }
        }
    }

    #[test]
    fn band_rows_follow_the_threshold() {
        assert_eq!(band_rows(0.3), 2);
        assert_eq!(band_rows(DEFAULT_THRESHOLD), 4);
        assert_eq!(band_rows(0.9), 8);
        for threshold in [0.3, 0.6, 0.9] {
            assert_eq!(NUM_HASHES % band_rows(threshold), 0);
        }
    }

    #[test]
    fn a_lower_threshold_finds_a_looser_copy() {
        // Half the paragraph rewritten: below 0.6, found at 0.3.
        let loose = format!(
            "{}なお、具体的な取組は別に定める実施計画において年度ごとに示す。",
            BASE.chars().take(60).collect::<String>()
        );
        let docs = [doc("a.txt", &[BASE]), doc("b.txt", &[&loose])];
        let strict = find_reuse(&docs, &[], jaccard_options(), provenance()).unwrap();
        assert!(strict.clusters.is_empty());
        let options = ReuseOptions { threshold: 0.3, ..jaccard_options() };
        let loose_report = find_reuse(&docs, &[], options, provenance()).unwrap();
        assert_eq!(loose_report.clusters.len(), 1);
    }

    #[test]
    fn stars_join_partners_of_a_centre_and_keep_singletons_out() {
        let pairs = [(0, 1, 0.9), (1, 2, 0.7), (4, 5, 0.8)];
        let groups = clusters(7, &pairs);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].0, vec![0, 1, 2]);
        assert_eq!(groups[0].1, (0.7, 0.9));
        assert_eq!(groups[1].0, vec![4, 5]);
    }

    #[test]
    fn a_long_chain_is_cut_into_stars() {
        // 0–1–2–3–4–5–6: union-find would make one cluster of seven passages whose ends share
        // nothing; stars keep each member next to its centre.
        let pairs: Vec<(u32, u32, f64)> = (0..6).map(|i| (i, i + 1, 0.7)).collect();
        let groups = clusters(7, &pairs);
        assert!(groups.len() >= 2, "{groups:?}");
        assert_eq!(groups.iter().map(|g| g.0.len()).sum::<usize>(), 7, "nobody is lost");
        assert!(groups.iter().all(|g| g.0.len() <= 4), "{groups:?}");
    }

    #[test]
    fn no_pairs_within_one_document() {
        // The same paragraph twice in one plan and nowhere else is not reuse.
        let docs =
            [doc("a.txt", &[BASE, &edited()]), doc("b.txt", &["関係のない短い文章だけがある。"])];
        let report = find_reuse(&docs, &[], ReuseOptions::default(), provenance()).unwrap();
        assert!(report.clusters.is_empty(), "{:?}", report.clusters);
    }

    #[test]
    fn a_copy_across_documents_is_one_cluster() {
        let docs = [
            doc("a.txt", &[BASE]),
            doc("b.txt", &["冒頭の文章はそれぞれ違うものである。", &edited()]),
            doc(
                "c.txt",
                &["道路や橋梁の点検を実施し、長寿命化計画に基づいて計画的に修繕を進める。"],
            ),
        ];
        let report = find_reuse(&docs, &[], ReuseOptions::default(), provenance()).unwrap();
        assert_eq!(report.clusters.len(), 1);
        let cluster = &report.clusters[0];
        assert_eq!(cluster.documents, 2);
        assert!(!cluster.guideline);
        let members: Vec<(&str, u32)> =
            cluster.members.iter().map(|m| (m.path.as_str(), m.ordinal)).collect();
        assert_eq!(members, vec![("a.txt", 0), ("b.txt", 1)]);
    }

    #[test]
    fn a_reference_passage_marks_the_cluster_as_guideline() {
        let docs = [doc("a.txt", &[BASE])];
        let reference = ReferenceDocument {
            path: "guideline.txt".to_owned(),
            passages: doc("g", &[&edited()]).passages,
        };
        let report =
            find_reuse(&docs, &[reference], ReuseOptions::default(), provenance()).unwrap();
        assert_eq!(report.clusters.len(), 1);
        assert!(report.clusters[0].guideline);
        assert_eq!(report.clusters[0].documents, 1);
        assert!(report.clusters[0].members[1].reference);
    }

    /// Plans `a.txt`, `b.txt`, … (one municipality each) whose first passage is a copy of
    /// `BASE` and whose second is their own.
    fn copied_into(n: usize) -> Vec<IndexedDocument> {
        let own = [
            "山あいの集落を結ぶ町営バスの路線を見直し、予約制の乗合タクシーを導入する。",
            "漁港周辺の空き倉庫を改修して水産加工の起業を支援し、移住と雇用につなげる。",
            "駅前の再開発にあわせて図書館と子育て支援センターを複合施設として整備する。",
            "窓口の手続はオンラインで完結できるようにし、紙の申請書を半分以下に減らす。",
        ];
        (0..n)
            .map(|i| {
                let mut d = doc(&format!("{}.txt", (b'a' + i as u8) as char), &[BASE, own[i]]);
                d.passage_themes = vec![vec!["copied".to_owned()], vec!["own".to_owned()]];
                d.passage_roles = vec!["commitment".to_owned(), "state".to_owned()];
                d
            })
            .collect()
    }

    fn clusters_of(docs: &[IndexedDocument], refs: &[ReferenceDocument]) -> PassageClusters {
        let report = find_reuse(docs, refs, ReuseOptions::default(), provenance()).unwrap();
        PassageClusters::new(report.clusters)
    }

    #[test]
    fn copied_needs_three_municipalities_or_a_guideline() {
        let two = copied_into(2);
        let clusters = clusters_of(&two, &[]);
        assert_eq!(clusters.clusters().len(), 1);
        assert!(!clusters.is_copied("a.txt", 0, COPIED_MIN_MUNICIPALITIES), "two towns");
        let three = copied_into(3);
        let clusters = clusters_of(&three, &[]);
        assert_eq!(municipalities(&clusters.clusters()[0]), 3);
        assert!(clusters.is_copied("a.txt", 0, COPIED_MIN_MUNICIPALITIES));
        assert!(!clusters.is_copied("a.txt", 1, COPIED_MIN_MUNICIPALITIES), "its own text");
        let guideline = ReferenceDocument {
            path: "shishin.txt".to_owned(),
            passages: doc("g", &[&edited()]).passages,
        };
        let one = copied_into(1);
        let clusters = clusters_of(&one, &[guideline]);
        assert!(clusters.is_copied("a.txt", 0, COPIED_MIN_MUNICIPALITIES), "a guideline's copy");
    }

    #[test]
    fn one_municipality_twice_counts_once() {
        let mut docs = copied_into(3);
        docs[1].meta.municipality = docs[0].meta.municipality.clone();
        let clusters = clusters_of(&docs, &[]);
        assert_eq!(municipalities(&clusters.clusters()[0]), 2);
        assert!(!clusters.is_copied("a.txt", 0, COPIED_MIN_MUNICIPALITIES));
    }

    #[test]
    fn discount_takes_copied_passages_out_with_their_themes_and_roles() {
        let mut docs = copied_into(3);
        let clusters = clusters_of(&docs, &[]);
        let removed = discount_copied(&mut docs, &clusters, COPIED_MIN_MUNICIPALITIES);
        assert_eq!(removed, 3);
        for d in &docs {
            assert_eq!(d.passages.len(), 1);
            assert_eq!(d.passages[0].ordinal, 1, "the plan's own passage stays");
            assert_eq!(d.passage_themes, vec![vec!["own".to_owned()]]);
            assert_eq!(d.passage_roles, vec!["state".to_owned()]);
        }
        let mut two = copied_into(2);
        let clusters = clusters_of(&two, &[]);
        assert_eq!(discount_copied(&mut two, &clusters, COPIED_MIN_MUNICIPALITIES), 0);
        assert_eq!(discount_copied(&mut two, &clusters, 2), 2, "the threshold is a parameter");
    }

    #[test]
    fn other_plans_lists_each_other_document_once() {
        let docs = copied_into(3);
        let clusters = clusters_of(&docs, &[]);
        let others: Vec<&str> =
            clusters.other_plans("b.txt", 0).iter().map(|m| m.path.as_str()).collect();
        assert_eq!(others, vec!["a.txt", "c.txt"]);
        assert!(clusters.other_plans("b.txt", 1).is_empty());
        assert!(clusters.other_plans("z.txt", 0).is_empty());
    }

    #[test]
    fn a_saved_report_reads_back_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_saved(dir.path()).unwrap().is_none());
        let report = find_reuse(&copied_into(3), &[], ReuseOptions::default(), provenance());
        let saved = SavedReuse { commit: "abc".to_owned(), report: report.unwrap() };
        fs_err::write(dir.path().join(SAVED_FILE), saved_json(&saved)).unwrap();
        let back = read_saved(dir.path()).unwrap().unwrap();
        assert_eq!(back.commit, "abc");
        assert_eq!(back.report.clusters.len(), 1);
        assert_eq!(back.report.clusters[0].members.len(), 3);
        fs_err::write(dir.path().join(SAVED_FILE), b"{not json").unwrap();
        assert!(matches!(read_saved(dir.path()), Err(ReuseError::Saved { .. })));
    }

    #[test]
    fn a_threshold_outside_zero_to_one_is_refused() {
        let options = ReuseOptions { threshold: 1.5, min_chars: 10, ..ReuseOptions::default() };
        let err = find_reuse(&[], &[], options, provenance()).unwrap_err();
        assert!(matches!(err, ReuseError::Threshold { .. }));
    }
}
