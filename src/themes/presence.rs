//! Presence decisions: from a document's evidence for a theme to present / absent.
//!
//! The scorer (`score`) measures evidence — keyword and rule hits weighted by the sentence and
//! section they sit in, headings naming a theme — and summarises it per document and theme as
//! [`ThemeFeatures`]. A [`PresenceModel`] turns those features into a probability. Two models
//! stand behind that seam so that `themes eval` can show them side by side on the same files:
//!
//! - [`RawThreshold`], the hand-set rule the scorer started with: present when the weighted
//!   evidence reaches `PRESENCE_THRESHOLD` (tuned on five seed plans and fictional prose);
//! - [`Logistic`], a logistic regression over the same features whose weights were fitted on
//!   the real-plan development set (`scripts/train_presence.py`, weights in
//!   `presence-model.json`), so that what real plans do — outlines that are the pillars, short
//!   概要版 pages, commitments phrased as 〜を図る in lists — sets the weights, not intuition.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::score::{PRESENCE_THRESHOLD, score_of_raw};

/// What a document holds for one theme, before deciding whether it commits to it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ThemeFeatures {
    /// Weighted evidence: passages (each capped) plus outline headings.
    pub raw: f64,
    /// Strong keyword and rule hits.
    pub strong: usize,
    /// The strongest single hit (passage or heading).
    pub best: f64,
    /// Passages whose hits read as commitments (〜します, targets, measure tables).
    pub commitment: usize,
    /// Passages whose hits read as history or background.
    pub background: usize,
    /// Outline headings naming the theme (not inside a background section).
    pub headings: usize,
    /// Passages with hits that are table rows or outline lines (a tab, or a heading alone).
    pub table_rows: usize,
    /// Passages with only weak keywords.
    pub weak_only: usize,
    /// Characters of the document.
    pub chars: usize,
}

/// Names of [`ThemeFeatures::vector`]'s entries, in order (the model file lists them too).
pub const FEATURE_NAMES: [&str; 9] = [
    "ln_raw",
    "ln_strong",
    "best",
    "ln_commitment",
    "ln_background",
    "ln_headings",
    "ln_table_rows",
    "ln_weak_only",
    "ln_chars",
];

impl ThemeFeatures {
    /// The features as the logistic model reads them: counts on a log scale, so that the
    /// tenth mention adds less than the second.
    pub fn vector(&self) -> [f64; 9] {
        let ln = |x: usize| (1.0 + x as f64).ln();
        [
            self.raw.ln_1p(),
            ln(self.strong),
            self.best,
            ln(self.commitment),
            ln(self.background),
            ln(self.headings),
            ln(self.table_rows),
            ln(self.weak_only),
            (1.0 + self.chars as f64).ln() / 10.0,
        ]
    }
}

/// Decides presence from features.
pub trait PresenceModel: Send + Sync + std::fmt::Debug {
    /// A short name for reports (`rules`, `learned`).
    fn name(&self) -> &'static str;
    /// The probability that the document commits to `theme` (its id), in [0, 1].
    fn probability(&self, theme: &str, features: &ThemeFeatures) -> f64;
    /// Present when the probability reaches one half.
    fn present(&self, theme: &str, features: &ThemeFeatures) -> bool {
        self.probability(theme, features) >= 0.5
    }
}

/// The hand-set rule: present when the weighted evidence reaches the threshold.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawThreshold;

impl PresenceModel for RawThreshold {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn probability(&self, _theme: &str, features: &ThemeFeatures) -> f64 {
        if features.raw >= PRESENCE_THRESHOLD {
            score_of_raw(features.raw).max(0.5)
        } else {
            score_of_raw(features.raw).min(0.499)
        }
    }
}

/// A logistic regression over [`ThemeFeatures::vector`].
#[derive(Debug, Clone, Deserialize)]
pub struct Logistic {
    pub features: Vec<String>,
    pub weights: Vec<f64>,
    pub bias: f64,
    /// Added to `bias` for a theme: how often real plans that hold the same evidence commit to
    /// that theme rather than another (every plan mentions 進捗管理; few commit to it as a
    /// theme). A theme not listed adds nothing.
    #[serde(default)]
    pub theme_bias: std::collections::BTreeMap<String, f64>,
    /// What the weights were fitted on, for the record.
    #[serde(default)]
    pub trained_on: String,
}

/// The fitted model shipped with gyokaku (`scripts/train_presence.py` writes it).
const EMBEDDED_MODEL: &str = include_str!("presence-model.json");

impl Logistic {
    /// The shipped model; `None` if its file does not match this build's features.
    pub fn embedded() -> Option<&'static Logistic> {
        static MODEL: LazyLock<Option<Logistic>> = LazyLock::new(|| {
            let model: Logistic = serde_json::from_str(EMBEDDED_MODEL).ok()?;
            let names_match = model.features.iter().map(String::as_str).eq(FEATURE_NAMES);
            (names_match && model.weights.len() == FEATURE_NAMES.len()).then_some(model)
        });
        MODEL.as_ref()
    }
}

impl PresenceModel for Logistic {
    fn name(&self) -> &'static str {
        "learned"
    }

    fn probability(&self, theme: &str, features: &ThemeFeatures) -> f64 {
        // No evidence at all is absent whatever the weights say: evidence must exist to cite.
        if features.strong == 0 && features.weak_only == 0 {
            return 0.0;
        }
        let bias = self.bias + self.theme_bias.get(theme).copied().unwrap_or(0.0);
        let z: f64 =
            bias + self.weights.iter().zip(features.vector()).map(|(w, x)| w * x).sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// The model `themes` uses unless told otherwise: the learned one when it loads.
pub fn default_model() -> &'static dyn PresenceModel {
    match Logistic::embedded() {
        Some(model) => model,
        None => &RawThreshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_loads_and_needs_evidence() {
        let model = Logistic::embedded().expect("presence-model.json matches FEATURE_NAMES");
        assert!(!model.present("fiscal_health", &ThemeFeatures::default()));
        let strong = ThemeFeatures {
            raw: 4.0,
            strong: 6,
            best: 1.0,
            commitment: 3,
            headings: 2,
            chars: 3000,
            ..ThemeFeatures::default()
        };
        assert!(
            model.present("fiscal_health", &strong),
            "{}",
            model.probability("fiscal_health", &strong)
        );
    }

    #[test]
    fn raw_threshold_is_the_old_rule() {
        let at = |raw| {
            RawThreshold
                .present("fiscal_health", &ThemeFeatures { raw, strong: 1, ..Default::default() })
        };
        assert!(at(PRESENCE_THRESHOLD));
        assert!(!at(PRESENCE_THRESHOLD - 0.01));
    }
}
