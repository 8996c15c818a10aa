//! Aggregation: per-document theme results, then rows of a matrix by document or by
//! municipality (its latest plan by default, or all its plans merged).
//!
//! Rows are sorted by key and cells follow the taxonomy's order, so every export built on a
//! [`Matrix`] is deterministic.

use std::collections::BTreeMap;

use serde::Serialize;

use super::score::{MAX_EVIDENCE, Scorer, ThemeResult};
use super::taxonomy::Taxonomy;
use crate::model::{DocMeta, Passage};

/// One document to score.
#[derive(Debug, Clone, Copy)]
pub struct DocumentInput<'a> {
    pub path: &'a str,
    pub meta: &'a DocMeta,
    pub passages: &'a [Passage],
}

/// A document's theme results, in taxonomy order.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentThemes {
    pub path: String,
    pub meta: DocMeta,
    pub themes: Vec<ThemeResult>,
}

/// What a matrix row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum By {
    Municipality,
    Document,
    /// One row per type of body (政令市, 中核市, 市, 町, 村 …): a theme is present when at
    /// least half of the type's municipalities commit to it (their latest plans), its
    /// score is their mean and its count the number that commit.
    Type,
}

impl By {
    pub fn as_str(self) -> &'static str {
        match self {
            By::Municipality => "municipality",
            By::Document => "document",
            By::Type => "type",
        }
    }
}

/// A theme's identity as a matrix column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeColumn {
    pub id: String,
    pub label_ja: String,
    pub label_en: String,
}

/// Rows × themes, with evidence in every cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub taxonomy_name: String,
    pub taxonomy_version: String,
    pub by: By,
    pub columns: Vec<ThemeColumn>,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    /// The document's path, or the municipality's name.
    pub key: String,
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    /// The year of the (latest) plan in this row.
    pub year: Option<i32>,
    pub documents: Vec<String>,
    pub cells: Vec<ThemeResult>,
}

/// Scores every document; results are sorted by path.
pub fn score_documents(
    taxonomy: &Taxonomy,
    documents: &[DocumentInput<'_>],
) -> Vec<DocumentThemes> {
    let scorer = Scorer::new(taxonomy);
    let mut out: Vec<DocumentThemes> = documents
        .iter()
        .map(|doc| DocumentThemes {
            path: doc.path.to_owned(),
            meta: doc.meta.clone(),
            themes: scorer.score_document(doc.path, doc.passages),
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Builds the matrix. With `By::Municipality`, each municipality's latest plan is its row
/// unless `all_years` merges all of them (present if any plan commits, strongest score).
pub fn build_matrix(
    taxonomy: &Taxonomy,
    documents: &[DocumentThemes],
    by: By,
    all_years: bool,
) -> Matrix {
    let rows = match by {
        By::Document => {
            documents.iter().map(|doc| row_of_documents(doc.path.clone(), &[doc])).collect()
        }
        By::Municipality => municipality_rows(documents, all_years),
        By::Type => type_rows(documents, all_years),
    };
    Matrix {
        taxonomy_name: taxonomy.name.clone(),
        taxonomy_version: taxonomy.version.clone(),
        by,
        columns: taxonomy
            .themes
            .iter()
            .map(|t| ThemeColumn {
                id: t.id.clone(),
                label_ja: t.label_ja.clone(),
                label_en: t.label_en.clone(),
            })
            .collect(),
        rows,
    }
}

fn municipality_rows(documents: &[DocumentThemes], all_years: bool) -> Vec<MatrixRow> {
    let mut groups: BTreeMap<String, Vec<&DocumentThemes>> = BTreeMap::new();
    for doc in documents {
        let key = doc.meta.municipality.clone().unwrap_or_else(|| doc.path.clone());
        groups.entry(key).or_default().push(doc);
    }
    groups
        .into_iter()
        .map(|(key, mut docs)| {
            docs.sort_by(|a, b| a.meta.year.cmp(&b.meta.year).then_with(|| a.path.cmp(&b.path)));
            if all_years {
                row_of_documents(key, &docs)
            } else {
                let latest = docs.last().copied().into_iter().collect::<Vec<_>>();
                row_of_documents(key, &latest)
            }
        })
        .collect()
}

fn type_rows(documents: &[DocumentThemes], all_years: bool) -> Vec<MatrixRow> {
    let municipalities = municipality_rows(documents, all_years);
    let type_of: BTreeMap<&str, &str> = documents
        .iter()
        .map(|doc| {
            let kind = doc.meta.municipality_type.as_deref().unwrap_or("(unknown)");
            (doc.path.as_str(), kind)
        })
        .collect();
    let mut groups: BTreeMap<String, Vec<&MatrixRow>> = BTreeMap::new();
    for row in &municipalities {
        let kind = row.documents.last().and_then(|path| type_of.get(path.as_str()));
        groups.entry(kind.copied().unwrap_or("(unknown)").to_owned()).or_default().push(row);
    }
    groups
        .into_iter()
        .map(|(key, members)| {
            let n_themes = members.first().map_or(0, |row| row.cells.len());
            let cells = (0..n_themes)
                .map(|theme| {
                    let member_cells: Vec<&ThemeResult> =
                        members.iter().map(|row| &row.cells[theme]).collect();
                    let committing = member_cells.iter().filter(|cell| cell.present).count();
                    let mut cell = merge_cells(member_cells.iter().copied());
                    cell.present = committing * 2 >= member_cells.len() && committing > 0;
                    cell.score = member_cells.iter().map(|c| c.score).sum::<f64>()
                        / member_cells.len().max(1) as f64;
                    cell.count = committing;
                    cell
                })
                .collect();
            MatrixRow {
                key,
                municipality: None,
                prefecture: None,
                year: members.iter().filter_map(|row| row.year).max(),
                documents: members.iter().flat_map(|row| row.documents.clone()).collect(),
                cells,
            }
        })
        .collect()
}

/// One row from one or more documents (already in year order, latest last).
fn row_of_documents(key: String, docs: &[&DocumentThemes]) -> MatrixRow {
    let latest = docs.last();
    let n_themes = latest.map_or(0, |d| d.themes.len());
    let cells =
        (0..n_themes).map(|theme| merge_cells(docs.iter().map(|doc| &doc.themes[theme]))).collect();
    MatrixRow {
        key,
        municipality: latest.and_then(|d| d.meta.municipality.clone()),
        prefecture: latest.and_then(|d| d.meta.prefecture.clone()),
        year: latest.and_then(|d| d.meta.year),
        documents: docs.iter().map(|d| d.path.clone()).collect(),
        cells,
    }
}

fn merge_cells<'a>(cells: impl Iterator<Item = &'a ThemeResult>) -> ThemeResult {
    let mut merged = ThemeResult::absent();
    for cell in cells {
        merged.present |= cell.present;
        merged.raw = merged.raw.max(cell.raw);
        merged.score = merged.score.max(cell.score);
        merged.count += cell.count;
        for subtheme in &cell.subthemes {
            if !merged.subthemes.contains(subtheme) {
                merged.subthemes.push(subtheme.clone());
            }
        }
        merged.evidence.extend(cell.evidence.iter().cloned());
    }
    merged.subthemes.sort();
    merged.evidence.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.page.cmp(&b.page))
    });
    merged.evidence.truncate(MAX_EVIDENCE);
    merged
}

impl Matrix {
    /// Number of present cells per theme, in column order.
    pub fn present_counts(&self) -> Vec<usize> {
        (0..self.columns.len())
            .map(|i| self.rows.iter().filter(|row| row.cells[i].present).count())
            .collect()
    }
}
