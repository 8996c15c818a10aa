//! Reading commitment vs background from a plan's structure and grammar: the context of a
//! section from its heading path (取組・推進・重点・柱 vs 背景・経過・これまで・現状), and the
//! context of a sentence from its ending (〜します, 〜しています, 〜しました), targets, list
//! items, pillar lines and tables of measures. `score` turns these contexts into weights.

use serde::Serialize;

/// Weight of a hit by the kind of sentence it is in.
pub(super) const SENTENCE_COMMITMENT: f64 = 1.0;
pub(super) const SENTENCE_NEUTRAL: f64 = 0.45;
pub(super) const SENTENCE_STATE: f64 = 0.3;
pub(super) const SENTENCE_HISTORY: f64 = 0.08;
/// Weight of a hit by the kind of section it is in.
pub(super) const SECTION_COMMITMENT: f64 = 1.0;
pub(super) const SECTION_NEUTRAL: f64 = 0.9;
pub(super) const SECTION_BACKGROUND: f64 = 0.3;
/// A heading naming a theme (a pillar, a measure's title).
pub(super) const HEADING_HIT: f64 = 1.0;

/// Heading words that mark a section as background.
const BACKGROUND_HEADING_CUES: &[&str] = &[
    "背景",
    "経過",
    "経緯",
    "沿革",
    "変遷",
    "これまで",
    "現状",
    "参考",
    "用語",
    "振り返",
    "総括",
    "実績",
    "策定にあたって",
    "はじめに",
    "趣旨",
];
/// Heading words that mark a section as commitments.
const COMMITMENT_HEADING_CUES: &[&str] = &[
    "取組",
    "推進",
    "重点",
    "方針",
    "目標",
    "柱",
    "戦略",
    "行動計画",
    "施策",
    "実施項目",
    "実施計画",
    "具体的",
    "プロジェクト",
    "テーマ",
    "方策",
    "改革項目",
    "計画表",
    "今後",
    "事項",
    "展開",
    "アクション",
    "考え方",
    "方向",
];
/// Sentence endings of history.
const HISTORY_ENDINGS: &[&str] =
    &["ました", "でした", "てきた", "であった", "だった", "ったところです", "たところです", "た"];
/// Sentence endings describing the current state.
const STATE_ENDINGS: &[&str] = &[
    "ています",
    "ている",
    "でいます",
    "でいる",
    "ております",
    "おります",
    "てきています",
    "あります",
    "状況です",
    "懸念されます",
    "見込まれます",
    "求められます",
    "です",
    "である",
];
/// Sentence endings of a commitment.
const COMMITMENT_ENDINGS: &[&str] = &[
    "ます",
    "する",
    "図る",
    "進める",
    "目指す",
    "行う",
    "とする",
    "努める",
    "推進",
    "導入",
    "実施",
    "設置",
    "充実",
    "拡充",
    "強化",
    "構築",
    "創設",
    "策定",
    "見直し",
    "活用",
    "徹底",
    "整備",
    "検討",
    "開催",
    "削減",
    "縮減",
    "向上",
    "確保",
    "廃止",
    "統合",
    "開始",
    "展開",
    "発行",
    "制度化",
    "明文化",
    "化",
    "宣言",
    "プラス",
    "目標値",
    "など",
    "等",
];
/// Phrases that mark a target anywhere in a sentence.
const TARGET_MARKERS: &[&str] =
    &["目標", "前年比", "までに", "パーセント", "%", "以上に", "以下に"];
/// Column labels of a table of measures (取組内容 | 確認指標 | 目標).
pub(super) const MEASURE_TABLE_MARKERS: &[&str] =
    &["取組内容", "確認指標", "行動目標", "成果指標", "取組項目", "実施項目", "主な取組", "目標値"];
/// Words that open a pillar or measure line.
const PILLAR_PREFIXES: &[&str] =
    &["柱", "重点", "施策", "取組", "戦略", "基本方針", "方針", "目標", "テーマ"];
/// List markers that start an item of a table or list of measures.
const LIST_MARKERS: &[char] = &['・', '-', '①', '②', '③', '④', '⑤', '○', '◆', '●', '■', '•', '※'];

/// What kind of text a hit sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Context {
    Commitment,
    Neutral,
    State,
    Background,
}

/// The context a heading sets by its own words, if any. A heading with both kinds of cue
/// (背景と考え方, これまでの経過と今後の方向性) is neutral: its sentences decide.
pub(super) fn own_heading_context(heading: &str) -> Option<Context> {
    let background = BACKGROUND_HEADING_CUES.iter().any(|cue| heading.contains(cue));
    let commitment = COMMITMENT_HEADING_CUES.iter().any(|cue| heading.contains(cue));
    match (background, commitment) {
        (true, true) => Some(Context::Neutral),
        (true, false) => Some(Context::Background),
        (false, true) => Some(Context::Commitment),
        (false, false) => None,
    }
}

/// Weight and context of a hit in the last heading of `prefix`.
pub(super) fn heading_weight(prefix: &[String]) -> (f64, Context) {
    match heading_context(prefix) {
        Context::Background => (HEADING_HIT * SECTION_BACKGROUND, Context::Background),
        _ => (HEADING_HIT, Context::Commitment),
    }
}

/// The innermost heading with a cue decides; with no cue anywhere the section is neutral.
pub(super) fn heading_context(heading_path: &[String]) -> Context {
    heading_path.iter().rev().find_map(|h| own_heading_context(h)).unwrap_or(Context::Neutral)
}

pub(super) fn section_weight(context: Context) -> f64 {
    match context {
        Context::Commitment => SECTION_COMMITMENT,
        Context::Neutral | Context::State => SECTION_NEUTRAL,
        Context::Background => SECTION_BACKGROUND,
    }
}

pub(super) fn sentence_weight(context: Context) -> f64 {
    match context {
        Context::Commitment => SENTENCE_COMMITMENT,
        Context::Neutral => SENTENCE_NEUTRAL,
        Context::State => SENTENCE_STATE,
        Context::Background => SENTENCE_HISTORY,
    }
}

/// The context reported for a hit: the weaker of sentence and section.
pub(super) fn combined_context(sentence: Context, section: Context) -> Context {
    sentence.max(section)
}

/// Char ranges of sentences: split after 。！？, and at a line break only when the next line
/// opens a list item or a pillar (PDF lines also break in the middle of sentences).
pub(super) fn sentence_spans(chars: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        let boundary = matches!(c, '。' | '!' | '?') || (c == '\n' && opens_item(&chars[i + 1..]));
        if boundary {
            spans.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < chars.len() {
        spans.push((start, chars.len()));
    }
    spans
}

/// Commitment, history, state or neutral, from the sentence's ending and markers.
pub(super) fn classify_sentence(chars: &[char]) -> Context {
    let sentence: String = chars.iter().collect();
    let trimmed = sentence.trim_end_matches(|c: char| {
        c.is_whitespace() || "。!?」』)】>、.".contains(c) || c.is_ascii_digit()
    });
    let trimmed = trimmed.trim_start();
    if trimmed.is_empty() {
        return Context::Neutral;
    }
    if HISTORY_ENDINGS.iter().any(|e| trimmed.ends_with(e)) {
        return Context::Background;
    }
    if STATE_ENDINGS.iter().any(|e| trimmed.ends_with(e)) {
        return Context::State;
    }
    if COMMITMENT_ENDINGS.iter().any(|e| trimmed.ends_with(e))
        || TARGET_MARKERS.iter().any(|m| trimmed.contains(m))
    {
        return Context::Commitment;
    }
    if trimmed.starts_with(LIST_MARKERS)
        || starts_with_item_number(trimmed)
        || is_pillar_line(trimmed)
    {
        return Context::Commitment;
    }
    Context::Neutral
}

/// Whether a sentence holds a target marker (目標, までに, %, 以下に …).
pub(super) fn has_target_marker(chars: &[char]) -> bool {
    let sentence: String = chars.iter().collect();
    TARGET_MARKERS.iter().any(|m| sentence.contains(m))
}

/// A heading-like line left inside a passage's text (`柱-2 …`, `Ⅵ …`, `重点取組3 …`): the
/// segmenter does not know every numbering style, so pillars are also recognised here.
fn is_pillar_line(line: &str) -> bool {
    let short = line.chars().count() <= 40;
    let numeral = line.starts_with(['Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', 'Ⅵ', 'Ⅶ', 'Ⅷ', 'Ⅸ', 'Ⅹ', '【']);
    short && (numeral || PILLAR_PREFIXES.iter().any(|p| line.starts_with(p)))
}

/// Whether a line starting at `rest` opens a list item, a numbered item or a pillar.
fn opens_item(rest: &[char]) -> bool {
    let line: String = rest.iter().take_while(|&&c| c != '\n').collect();
    line.starts_with(LIST_MARKERS) || starts_with_item_number(&line) || is_pillar_line(&line)
}

/// `(1)`, `1.`, `1 ` style item numbers.
fn starts_with_item_number(text: &str) -> bool {
    let rest = text.trim_start_matches('(');
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with([')', '.', ' '])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(text: &str) -> Context {
        let chars: Vec<char> = text.chars().collect();
        classify_sentence(&chars)
    }

    #[test]
    fn sentence_forms() {
        assert_eq!(classify("職員数を42人削減しました。"), Context::Background);
        assert_eq!(classify("行政改革を進めてきた"), Context::Background);
        assert_eq!(classify("公共施設の老朽化が進んでいます。"), Context::State);
        assert_eq!(classify("テレワークを推進します。"), Context::Commitment);
        assert_eq!(classify("・文書管理システムの導入"), Context::Commitment);
        assert_eq!(classify("経常収支比率を90パーセント以下に抑える目標"), Context::Commitment);
        assert_eq!(classify("人口減少"), Context::Neutral);
    }

    #[test]
    fn heading_cues_innermost_first() {
        let path = |hs: &[&str]| hs.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            heading_context(&path(&["第1 計画の背景", "1 これまでの経過"])),
            Context::Background
        );
        assert_eq!(heading_context(&path(&["第3 改革の柱", "(1) 財政"])), Context::Commitment);
        assert_eq!(heading_context(&path(&["第1 背景", "3 進捗管理"])), Context::Background);
        assert_eq!(heading_context(&path(&["はじめに"])), Context::Background);
        assert_eq!(heading_context(&[]), Context::Neutral);
    }
}
