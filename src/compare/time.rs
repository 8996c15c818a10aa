//! `compare --over-time NAME`: one municipality's successive plans in year order — themes
//! added and dropped from one plan to the next, score changes, and each plan's distinctive
//! terms against the municipality's other plans (the same G² keyness as `compare A B`).

use serde::Serialize;

use super::{CompareError, KeyTerm, keyness_against, term_counts_by_document};
use crate::themes::{DocumentInput, Taxonomy, score_documents};
use crate::tokenize::JapaneseTokenizer;

/// Terms listed per plan.
const TERMS_PER_PLAN: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct OverTime {
    pub taxonomy: String,
    pub municipality: String,
    pub plans: Vec<PlanStep>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanStep {
    pub path: String,
    pub title: Option<String>,
    pub year: Option<i32>,
    /// Theme ids present in this plan.
    pub present: Vec<String>,
    /// Present here, absent in the plan before (every present theme for the first plan).
    pub added: Vec<String>,
    /// Present in the plan before, absent here.
    pub dropped: Vec<String>,
    /// Score change against the plan before, per theme whose score moved by ≥ 0.1.
    pub score_changes: Vec<ScoreChange>,
    pub terms: Vec<KeyTerm>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreChange {
    pub theme: String,
    pub from: f64,
    pub to: f64,
}

/// The plans of the municipality named `name` (exact, else a unique part of the name).
pub fn over_time(
    taxonomy: &Taxonomy,
    documents: &[DocumentInput<'_>],
    name: &str,
) -> Result<OverTime, CompareError> {
    let mut names: Vec<&str> =
        documents.iter().filter_map(|d| d.meta.municipality.as_deref()).collect();
    names.sort_unstable();
    names.dedup();
    let municipality = if names.contains(&name) {
        name.to_owned()
    } else {
        match names.iter().filter(|n| n.contains(name)).collect::<Vec<_>>().as_slice() {
            [one] => (**one).to_owned(),
            [] => {
                return Err(CompareError::Unknown {
                    name: name.to_owned(),
                    known: names.join(", "),
                });
            }
            many => {
                return Err(CompareError::Ambiguous {
                    name: name.to_owned(),
                    candidates: many.iter().map(|n| **n).collect::<Vec<_>>().join(", "),
                });
            }
        }
    };
    let mut plans: Vec<DocumentInput<'_>> = documents
        .iter()
        .filter(|d| d.meta.municipality.as_deref() == Some(municipality.as_str()))
        .copied()
        .collect();
    plans.sort_by(|a, b| a.meta.year.cmp(&b.meta.year).then_with(|| a.path.cmp(b.path)));
    let scored = score_documents(taxonomy, &plans);
    let tokenizer = JapaneseTokenizer::shared()
        .map_err(|source| CompareError::Tokenize { path: "(dictionary)".into(), source })?;
    let counts = term_counts_by_document(tokenizer, &plans, 1)?;
    let ids: Vec<&str> = taxonomy.themes.iter().map(|t| t.id.as_str()).collect();
    let mut steps: Vec<PlanStep> = Vec::new();
    let mut previous: Option<&crate::themes::DocumentThemes> = None;
    for plan in &plans {
        let Some(doc) = scored.iter().find(|d| d.path == plan.path) else { continue };
        let present_in = |d: &crate::themes::DocumentThemes, i: usize| {
            d.themes.get(i).is_some_and(|t| t.present)
        };
        let present: Vec<String> =
            (0..ids.len()).filter(|&i| present_in(doc, i)).map(|i| ids[i].to_owned()).collect();
        let (added, dropped, score_changes) = match previous {
            None => (present.clone(), Vec::new(), Vec::new()),
            Some(before) => (
                (0..ids.len())
                    .filter(|&i| present_in(doc, i) && !present_in(before, i))
                    .map(|i| ids[i].to_owned())
                    .collect(),
                (0..ids.len())
                    .filter(|&i| !present_in(doc, i) && present_in(before, i))
                    .map(|i| ids[i].to_owned())
                    .collect(),
                (0..ids.len())
                    .filter_map(|i| {
                        let (from, to) = (before.themes.get(i)?.score, doc.themes.get(i)?.score);
                        ((to - from).abs() >= 0.1).then(|| ScoreChange {
                            theme: ids[i].to_owned(),
                            from: (from * 1000.0).round() / 1000.0,
                            to: (to * 1000.0).round() / 1000.0,
                        })
                    })
                    .collect(),
            ),
        };
        let others: Vec<String> =
            plans.iter().filter(|p| p.path != plan.path).map(|p| p.path.to_owned()).collect();
        let mut terms = if others.is_empty() {
            Vec::new()
        } else {
            keyness_against(&counts, &[plan.path.to_owned()], Some(&others))
        };
        terms.truncate(TERMS_PER_PLAN);
        steps.push(PlanStep {
            path: plan.path.to_owned(),
            title: plan.meta.title.clone(),
            year: plan.meta.year,
            present,
            added,
            dropped,
            score_changes,
            terms,
        });
        previous = Some(doc);
    }
    Ok(OverTime {
        taxonomy: format!("{}@{}", taxonomy.name, taxonomy.version),
        municipality,
        plans: steps,
    })
}
