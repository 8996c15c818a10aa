//! Passage roles: what a passage does in its plan — recount history (経過), describe the
//! present state and its problems (現状・課題), commit to a course (方針・取組), set a target
//! (目標), or none of these (titles, dates, site furniture).
//!
//! A researcher filtering a search to commitments, or reading only a plan's targets, needs the
//! distinction the theme scorer already draws between commitments and background. This module
//! generalises that reading (`context`: section cues from the heading path, sentence endings,
//! list items and pillar lines) from a weight on a keyword hit to a label on every passage, so
//! the index can store it, search can filter on it and the web app can show it. The labels are
//! measured against passages labelled by hand on real plans (`scripts/eval_roles.py`).

use serde::Serialize;

use super::context::{
    Context, classify_sentence, has_target_marker, heading_context, sentence_spans,
};
use crate::analysis::is_cjk;
use crate::furniture::is_ui_line;
use crate::normalize::{LineBreaks, Normalizer};

/// What a passage does in its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 経過: what earlier plans did and achieved.
    History,
    /// 現状・課題: the present situation, its problems, why reform is needed.
    State,
    /// 方針・取組: principles, pillars, measures, action items, outline lines naming them.
    Commitment,
    /// 目標: a numeric or dated target.
    Target,
    /// Titles, dates, page furniture, glossary entries: none of the above.
    Other,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::History, Role::State, Role::Commitment, Role::Target, Role::Other];

    /// The name used in the index, JSON and `--role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::History => "history",
            Role::State => "state",
            Role::Commitment => "commitment",
            Role::Target => "target",
            Role::Other => "other",
        }
    }

    /// The Japanese label shown to readers.
    pub fn label_ja(self) -> &'static str {
        match self {
            Role::History => "経過",
            Role::State => "現状・課題",
            Role::Commitment => "方針・取組",
            Role::Target => "目標",
            Role::Other => "その他",
        }
    }

    /// Parses a role name (`commitment`) or its Japanese label (`方針・取組`).
    pub fn parse(name: &str) -> Option<Role> {
        let name = name.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(name) || r.label_ja() == name)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Heading words of a history section (a subset of the scorer's background cues).
const HISTORY_HEADING_CUES: &[&str] =
    &["経過", "経緯", "沿革", "変遷", "これまで", "振り返", "総括", "実績", "成果"];
/// Heading words of a state section.
const STATE_HEADING_CUES: &[&str] =
    &["背景", "現状", "課題", "必要性", "取り巻く", "はじめに", "趣旨", "策定にあたって"];
/// A history or state sentence outweighs commitment sentences only when it holds at least this
/// share of the passage's classified characters; below it, the commitments decide (a measure
/// is often introduced by a sentence on the present state).
const BACKGROUND_MAJORITY: f64 = 0.6;

/// Outline lines that name a part of any document, not of this plan's argument (the role
/// definitions' "generic headers such as 基本理念 or 目標 alone"), compared on their kana and
/// kanji only, so `2 目次` and `【目次】` are 目次.
const GENERIC_HEADINGS: &[&str] =
    &["目次", "概要", "資料", "参考資料", "用語解説", "基本理念", "目標", "数値目標", "質疑応答"];
/// Labels of a notice's details (`◆日時 平成17年2月21日`, `場所 県庁特別室`).
const LABEL_HEADINGS: &[&str] = &["日時", "場所", "会場", "問合せ", "問い合わせ"];

/// A passage whose page-furniture lines ([`is_ui_line`]: menus, viewer notices, a mirror's
/// widgets) hold at least this share of its characters is `other`: what is left is a
/// breadcrumb's page title or a caption, not a statement of the plan. Half, because a passage
/// that opens with a breadcrumb and goes on with a paragraph of the plan is the plan's.
const FURNITURE_MAJORITY: f64 = 0.5;

/// The role of a passage from its heading path (outermost first) and its text.
pub fn passage_role(heading_path: &[String], text: &str) -> Role {
    let normalizer = Normalizer::embedded();
    let text = normalizer.normalize(text, LineBreaks::Keep);
    let heading_only =
        heading_path.last().is_some_and(|h| normalizer.normalize(h, LineBreaks::Keep) == text);
    if is_mostly_furniture(&text) {
        return Role::Other;
    }
    let section = section_role(heading_path);
    let chars: Vec<char> = text.chars().collect();
    let mut weights = Weights::default();
    for (start, end) in sentence_spans(&chars) {
        let sentence = &chars[start..end];
        let length = sentence.iter().filter(|c| !c.is_whitespace()).count() as f64;
        match classify_sentence(sentence) {
            Context::Background => weights.history += length,
            Context::State => weights.state += length,
            Context::Commitment if is_target(sentence) => weights.target += length,
            Context::Commitment => weights.commitment += length,
            Context::Neutral => weights.neutral += length,
        }
    }
    if heading_only {
        return outline_role(heading_path, &chars, section);
    }
    weights.decide(section)
}

/// Characters of a passage by the kind of sentence they are in.
#[derive(Debug, Default)]
struct Weights {
    history: f64,
    state: f64,
    commitment: f64,
    target: f64,
    neutral: f64,
}

impl Weights {
    fn decide(&self, section: Option<Role>) -> Role {
        let classified = self.history + self.state + self.commitment + self.target;
        // Nothing the reading recognises and no section cue: a caption, a list of names, a
        // table's labels, a page's frame. Read as `other`, not as the present state (the
        // fallback before session 7): on the labelled real passages (rounds 3–4) its state
        // precision was 0.07–0.15, and `other` raised round 4's passage accuracy 0.31 → 0.41.
        if classified == 0.0 {
            return section.unwrap_or(Role::Other);
        }
        if self.target > 0.0 && section != Some(Role::History) {
            return Role::Target;
        }
        let forward = self.commitment + self.target;
        let background = self.history + self.state;
        if background >= BACKGROUND_MAJORITY * classified || (forward == 0.0) {
            // Past-tense sentences outweigh a state section (はじめに, 背景): a plan's
            // introduction recounting the previous plan is history.
            return match section {
                _ if self.history > self.state => Role::History,
                Some(Role::History) => Role::History,
                _ if self.history == self.state && section.is_none() => Role::History,
                _ => Role::State,
            };
        }
        match section {
            Some(Role::History) if self.history > 0.0 => Role::History,
            _ => Role::Commitment,
        }
    }
}

/// The role a section's headings give its passages, innermost cue first: history, state, or
/// commitment (the scorer's commitment cues); `None` without a cue.
fn section_role(heading_path: &[String]) -> Option<Role> {
    heading_path.iter().rev().find_map(|heading| heading_role(heading))
}

fn heading_role(heading: &str) -> Option<Role> {
    if HISTORY_HEADING_CUES.iter().any(|cue| heading.contains(cue)) {
        return Some(Role::History);
    }
    if STATE_HEADING_CUES.iter().any(|cue| heading.contains(cue)) {
        return Some(Role::State);
    }
    match heading_context(std::slice::from_ref(&heading.to_owned())) {
        Context::Commitment => Some(Role::Commitment),
        Context::Background => Some(Role::State),
        _ => None,
    }
}

/// An outline or table-of-contents line (a heading no text follows): it names a part of the
/// plan. Its own words decide; a numbered line naming no background is a pillar or measure.
fn outline_role(heading_path: &[String], chars: &[char], section: Option<Role>) -> Role {
    let letters: String = chars.iter().filter(|c| is_cjk(**c)).collect();
    let generic = GENERIC_HEADINGS.contains(&letters.as_str())
        || LABEL_HEADINGS.iter().any(|label| letters.starts_with(label));
    if letters.chars().count() < 2 || generic {
        return Role::Other;
    }
    if let Some(role) = heading_path.last().and_then(|h| heading_role(h)) {
        return if role == Role::Commitment && is_target(chars) { Role::Target } else { role };
    }
    match section {
        Some(Role::History) => Role::History,
        _ => Role::Commitment,
    }
}

/// Whether page-furniture lines hold at least [`FURNITURE_MAJORITY`] of the passage's
/// characters: lines of site chrome ([`is_ui_line`]) and lines of punctuation alone (the dot
/// leaders and rules of a converted table of contents). Lines of figures alone (`10.9%`, a
/// table's cells) are left out: they belong to the table around them, whatever its role.
fn is_mostly_furniture(text: &str) -> bool {
    let (mut furniture, mut all) = (0usize, 0usize);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let lettered = line.chars().any(char::is_alphabetic);
        if !lettered && line.chars().any(|c| c.is_numeric()) {
            continue;
        }
        let chars = line.chars().count();
        all += chars;
        if !lettered || is_ui_line(line) {
            furniture += chars;
        }
    }
    all > 0 && furniture as f64 >= FURNITURE_MAJORITY * all as f64
}

/// A sentence that sets a target: a target marker (目標, までに, %) together with a number.
fn is_target(sentence: &[char]) -> bool {
    sentence.iter().any(|c| c.is_ascii_digit()) && has_target_marker(sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(headings: &[&str], text: &str) -> Role {
        let path: Vec<String> = headings.iter().map(|h| (*h).to_owned()).collect();
        passage_role(&path, text)
    }

    #[test]
    fn history_state_commitment_target() {
        assert_eq!(
            role(&["1 これまでの取組"], "第4次大綱では職員数を120人削減しました。"),
            Role::History
        );
        assert_eq!(
            role(&["第1 計画の背景"], "人口減少により財政は厳しい状況にあります。"),
            Role::State
        );
        assert_eq!(
            role(&["第3 改革の柱", "(1) 民間活力"], "指定管理者制度の導入を進めます。"),
            Role::Commitment
        );
        assert_eq!(
            role(&["(2) 定員管理"], "令和7年度までに職員数を50人削減することを目標とします。"),
            Role::Target
        );
    }

    #[test]
    fn a_measure_introduced_by_the_present_state_is_a_commitment() {
        let text = "公共施設の老朽化が進んでいます。施設の統廃合を計画的に進めます。\
                    利用の少ない施設は廃止を含めて検討します。";
        assert_eq!(role(&["(3) 公共施設"], text), Role::Commitment);
    }

    #[test]
    fn outline_lines_and_furniture() {
        assert_eq!(role(&["(2)民間委託等の推進"], "(2)民間委託等の推進"), Role::Commitment);
        assert_eq!(role(&["1 計画策定の背景"], "1 計画策定の背景"), Role::State);
        assert_eq!(role(&[], "2024年3月"), Role::Other);
        assert_eq!(role(&["【目次】"], "【目次】"), Role::Other);
        assert_eq!(role(&["◆日時 平成17年2月21日"], "◆日時 平成17年2月21日"), Role::Other);
    }

    #[test]
    fn site_chrome_is_other_and_a_plan_passage_under_a_breadcrumb_is_not() {
        let chrome = "このページの先頭へ\nPDF形式のファイルをご覧いただく場合には、Adobe Readerが必要です\n更新日";
        assert_eq!(role(&[], chrome), Role::Other);
        let plan =
            "ホーム > 市政情報\n公共施設の老朽化が進んでいるため、施設の統廃合を計画的に進めます。";
        assert_eq!(role(&["(3) 公共施設"], plan), Role::Commitment);
        assert_ne!(role(&["表1"], "10.9%\n77.3%"), Role::Other, "figures are not furniture");
    }

    #[test]
    fn names_parse_both_ways() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(Role::parse(r.label_ja()), Some(r));
        }
        assert_eq!(Role::parse("plan"), None);
    }
}
