//! Evaluation of theme presence against gold labels: per-theme precision, recall and F1,
//! micro and macro averages, and the errors of each document.
//!
//! Gold files look like `{"labels": {"<path>": {"present": ["theme_id", …]}}}`; every theme
//! not listed is absent. A gold key matches a document by exact path, else by file name, else
//! by file stem, so the same gold works for `corpus/x.pdf` and an index built elsewhere.
//! The naive baseline ("any strong keyword anywhere") is computed here too, so every report
//! can show how much the commitment scoring adds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::aggregate::DocumentInput;
use super::presence::{PresenceModel, RawThreshold, ThemeFeatures};
use super::score::Scorer;
use super::taxonomy::Taxonomy;

#[derive(Debug, Error)]
pub enum EvalError {
    #[error("cannot read gold file `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("gold file `{}` is not valid: {reason}", .path.display())]
    Parse { path: PathBuf, reason: String },
    #[error("gold file `{}` names unknown theme `{theme}` for `{document}`", .path.display())]
    UnknownTheme { path: PathBuf, document: String, theme: String },
}

#[derive(Debug, Deserialize)]
struct RawGold {
    labels: BTreeMap<String, RawLabel>,
}

#[derive(Debug, Deserialize)]
struct RawLabel {
    present: Vec<String>,
}

/// Gold labels: document key → present theme ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gold {
    pub labels: BTreeMap<String, BTreeSet<String>>,
}

impl Gold {
    /// Reads and checks a gold file against the taxonomy's theme ids.
    pub fn load(path: &Path, theme_ids: &[&str]) -> Result<Gold, EvalError> {
        let text = fs_err::read_to_string(path)
            .map_err(|source| EvalError::Read { path: path.to_owned(), source })?;
        Gold::from_json(&text, theme_ids).map_err(|err| match err {
            EvalError::Parse { reason, .. } => EvalError::Parse { path: path.to_owned(), reason },
            EvalError::UnknownTheme { document, theme, .. } => {
                EvalError::UnknownTheme { path: path.to_owned(), document, theme }
            }
            other => other,
        })
    }

    /// The gold label of an indexed document, matched as [`evaluate`] matches keys.
    pub fn present_for(&self, path: &str) -> Option<&BTreeSet<String>> {
        let paths = BTreeSet::from([path]);
        self.labels.iter().find(|(key, _)| match_key(key, &paths).is_some()).map(|(_, v)| v)
    }

    pub fn from_json(text: &str, theme_ids: &[&str]) -> Result<Gold, EvalError> {
        let raw: RawGold = serde_json::from_str(text)
            .map_err(|err| EvalError::Parse { path: PathBuf::new(), reason: err.to_string() })?;
        let mut labels = BTreeMap::new();
        for (document, label) in raw.labels {
            if let Some(theme) = label.present.iter().find(|t| !theme_ids.contains(&t.as_str())) {
                return Err(EvalError::UnknownTheme {
                    path: PathBuf::new(),
                    document,
                    theme: theme.clone(),
                });
            }
            labels.insert(document, label.present.into_iter().collect());
        }
        Ok(Gold { labels })
    }
}

/// Precision, recall, F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn from_counts(tp: usize, fp: usize, fn_: usize) -> Prf {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf { precision: round3(precision), recall: round3(recall), f1: round3(f1) }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeScores {
    pub theme: String,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    #[serde(flatten)]
    pub prf: Prf,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentErrors {
    pub gold_key: String,
    pub path: String,
    pub false_positives: Vec<String>,
    pub false_negatives: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub documents: usize,
    /// Gold keys no document matched (left out of the scores).
    pub unmatched: Vec<String>,
    pub micro: Prf,
    /// Mean over themes that occur in gold or predictions.
    #[serde(rename = "macro")]
    pub macro_: Prf,
    pub themes: Vec<ThemeScores>,
    pub errors: Vec<DocumentErrors>,
}

/// Finds the prediction for a gold key: exact path, then file name, then file stem.
fn match_key<'a>(key: &str, paths: &'a BTreeSet<&'a str>) -> Option<&'a str> {
    if let Some(path) = paths.get(key) {
        return Some(path);
    }
    let name = |p: &str| Path::new(p).file_name().map(|n| n.to_string_lossy().into_owned());
    let stem = |p: &str| Path::new(p).file_stem().map(|n| n.to_string_lossy().into_owned());
    let by = |f: &dyn Fn(&str) -> Option<String>| -> Option<&'a str> {
        let wanted = f(key)?;
        let mut found = paths.iter().filter(|p| f(p).as_deref() == Some(wanted.as_str()));
        let first = found.next()?;
        found.next().is_none().then_some(*first)
    };
    by(&name).or_else(|| by(&stem))
}

/// Scores `predictions` (path → present theme ids) against `gold`, theme by theme in
/// `theme_ids` order.
pub fn evaluate(
    theme_ids: &[&str],
    gold: &Gold,
    predictions: &BTreeMap<String, BTreeSet<String>>,
) -> EvalReport {
    let paths: BTreeSet<&str> = predictions.keys().map(String::as_str).collect();
    let mut counts: BTreeMap<&str, (usize, usize, usize)> =
        theme_ids.iter().map(|id| (*id, (0, 0, 0))).collect();
    let mut unmatched = Vec::new();
    let mut errors = Vec::new();
    let mut documents = 0;
    for (key, truth) in &gold.labels {
        let Some(path) = match_key(key, &paths) else {
            unmatched.push(key.clone());
            continue;
        };
        documents += 1;
        let predicted = &predictions[path];
        let mut doc_errors = DocumentErrors {
            gold_key: key.clone(),
            path: path.to_owned(),
            false_positives: Vec::new(),
            false_negatives: Vec::new(),
        };
        for id in theme_ids {
            let (is_true, is_predicted) = (truth.contains(*id), predicted.contains(*id));
            let entry = counts.entry(id).or_default();
            match (is_true, is_predicted) {
                (true, true) => entry.0 += 1,
                (false, true) => {
                    entry.1 += 1;
                    doc_errors.false_positives.push((*id).to_owned());
                }
                (true, false) => {
                    entry.2 += 1;
                    doc_errors.false_negatives.push((*id).to_owned());
                }
                (false, false) => {}
            }
        }
        if !doc_errors.false_positives.is_empty() || !doc_errors.false_negatives.is_empty() {
            errors.push(doc_errors);
        }
    }
    summarise(theme_ids, &counts, documents, unmatched, errors)
}

fn summarise(
    theme_ids: &[&str],
    counts: &BTreeMap<&str, (usize, usize, usize)>,
    documents: usize,
    unmatched: Vec<String>,
    errors: Vec<DocumentErrors>,
) -> EvalReport {
    let themes: Vec<ThemeScores> = theme_ids
        .iter()
        .map(|id| {
            let (tp, fp, fn_) = counts.get(id).copied().unwrap_or_default();
            ThemeScores { theme: (*id).to_owned(), tp, fp, fn_, prf: Prf::from_counts(tp, fp, fn_) }
        })
        .collect();
    let (tp, fp, fn_) =
        themes.iter().fold((0, 0, 0), |acc, t| (acc.0 + t.tp, acc.1 + t.fp, acc.2 + t.fn_));
    let active: Vec<&ThemeScores> = themes.iter().filter(|t| t.tp + t.fp + t.fn_ > 0).collect();
    let mean = |f: &dyn Fn(&Prf) -> f64| {
        if active.is_empty() {
            0.0
        } else {
            round3(active.iter().map(|t| f(&t.prf)).sum::<f64>() / active.len() as f64)
        }
    };
    let macro_ =
        Prf { precision: mean(&|p| p.precision), recall: mean(&|p| p.recall), f1: mean(&|p| p.f1) };
    EvalReport {
        documents,
        unmatched,
        micro: Prf::from_counts(tp, fp, fn_),
        macro_,
        themes,
        errors,
    }
}

/// Present theme ids per document path: gyokaku's shipped model, the hand-set rule on the same
/// features, and the naive baseline; plus every (document, theme) feature row for training.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Predictions {
    pub gyokaku: BTreeMap<String, BTreeSet<String>>,
    pub rules: BTreeMap<String, BTreeSet<String>>,
    pub naive: BTreeMap<String, BTreeSet<String>>,
    pub features: Vec<FeatureRow>,
}

/// One document and theme with the features its presence was decided from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureRow {
    pub path: String,
    pub theme: String,
    pub features: ThemeFeatures,
    pub vector: [f64; 9],
}

/// Scores `documents` every way.
pub fn predict(taxonomy: &Taxonomy, documents: &[DocumentInput<'_>]) -> Predictions {
    let scorer = Scorer::new(taxonomy);
    let id = |index: usize| taxonomy.themes[index].id.clone();
    let mut predictions = Predictions::default();
    for doc in documents {
        let results = scorer.score_document(doc.path, doc.passages);
        let present = (0..results.len()).filter(|&i| results[i].present).map(id).collect();
        predictions.gyokaku.insert(doc.path.to_owned(), present);
        let rules = (0..results.len())
            .filter(|&i| RawThreshold.present(&id(i), &results[i].features))
            .map(id);
        predictions.rules.insert(doc.path.to_owned(), rules.collect());
        let naive = scorer.naive_themes(doc.passages).into_iter().map(id).collect();
        predictions.naive.insert(doc.path.to_owned(), naive);
        for (index, result) in results.into_iter().enumerate() {
            predictions.features.push(FeatureRow {
                path: doc.path.to_owned(),
                theme: id(index),
                vector: result.features.vector(),
                features: result.features,
            });
        }
    }
    predictions
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: &[&str] = &["a", "b", "c"];

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn micro_and_macro_from_counts() {
        let gold = Gold::from_json(
            r#"{"labels": {"x.txt": {"present": ["a", "b"]}, "y.txt": {"present": ["a"]}}}"#,
            IDS,
        )
        .unwrap();
        let predictions = BTreeMap::from([
            ("corpus/x.txt".to_owned(), set(&["a", "c"])),
            ("corpus/y.txt".to_owned(), set(&["a"])),
        ]);
        let report = evaluate(IDS, &gold, &predictions);
        assert_eq!(report.documents, 2);
        // tp = 2 (a, a), fp = 1 (c), fn = 1 (b).
        assert_eq!(report.micro, Prf { precision: 0.667, recall: 0.667, f1: 0.667 });
        // a: F1 1, b: 0, c: 0 → macro F1 0.333.
        assert_eq!(report.macro_.f1, 0.333);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].false_positives, ["c"]);
        assert_eq!(report.errors[0].false_negatives, ["b"]);
    }

    #[test]
    fn gold_keys_match_by_stem_and_unknown_themes_are_rejected() {
        let gold = Gold::from_json(r#"{"labels": {"memuro.txt": {"present": []}}}"#, IDS).unwrap();
        let predictions = BTreeMap::from([("corpus/memuro.pdf".to_owned(), set(&[]))]);
        assert_eq!(evaluate(IDS, &gold, &predictions).documents, 1);
        let err = Gold::from_json(r#"{"labels": {"m": {"present": ["zzz"]}}}"#, IDS).unwrap_err();
        assert!(err.to_string().contains("unknown theme `zzz`"));
    }
}
