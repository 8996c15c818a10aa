//! Theme mapping: from a document's passages to the common taxonomy, with evidence.
//!
//! This module owns the taxonomy (loading and validation), keyword and rule matching, the
//! commitment-vs-background scoring of passages and documents, aggregation by document and
//! by municipality into a [`Matrix`], its exports (CSV, JSON, XLSX, heatmap) and the
//! evaluation against gold labels. It does not read the index or print: `cli::themes` does.
//! How a score is built is documented in docs/themes.md.

pub mod aggregate;
mod context;
pub mod eval;
pub mod export;
mod fold;
pub mod heatmap;
pub mod presence;
pub mod roles;
pub mod rules;
pub mod score;
pub mod taxonomy;

use std::sync::LazyLock;

pub use aggregate::{By, DocumentInput, DocumentThemes, Matrix, MatrixRow, score_documents};
pub use context::Context;
pub use roles::{Role, passage_role};
pub use score::{Evidence, Scorer, ThemeResult};
pub use taxonomy::{Subtheme, Taxonomy, TaxonomyError, Theme};

/// Theme ids a passage speaks for (its heading path joined with ` > `, and its text), for the
/// search index's `theme` facet. Uses the same weights as document scoring, at passage level.
pub fn passage_theme_ids(taxonomy: &Taxonomy, heading: &str, text: &str) -> Vec<String> {
    static DEFAULT_SCORER: LazyLock<Option<Scorer>> =
        LazyLock::new(|| Taxonomy::embedded_default().ok().map(Scorer::new));
    let is_default =
        Taxonomy::embedded_default().is_ok_and(|default| std::ptr::eq(default, taxonomy));
    match DEFAULT_SCORER.as_ref() {
        Some(scorer) if is_default => scorer.passage_theme_ids(taxonomy, heading, text),
        _ => Scorer::new(taxonomy).passage_theme_ids(taxonomy, heading, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passage_facet_prefers_commitments() {
        let taxonomy = Taxonomy::embedded_default().unwrap();
        let ids = passage_theme_ids(
            taxonomy,
            "第3章 改革の柱 > 柱2 働き方改革",
            "テレワークを推進し、時間外勤務を縮減します。",
        );
        assert!(ids.contains(&"work_style".to_owned()), "{ids:?}");
        let ids = passage_theme_ids(
            taxonomy,
            "第1章 計画の背景 > 1 これまでの経過",
            "平成18年度には指定管理者制度を導入しました。",
        );
        assert!(!ids.contains(&"outsourcing_ppp".to_owned()), "{ids:?}");
    }
}
