//! Numeric targets in one clause of text: value, unit, direction, baseline and target year.
//!
//! This is where a measure pattern goes: a unit in [`UNITS`], a direction word in
//! [`DIRECTIONS`], a cue that makes a number a target (not a result or a statistic) in
//! [`TARGET_CUES`], a year form in [`target_year`].

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::metadata::era_year;

/// Units a target's value may carry, longest first so 億円 wins over 円.
///
/// `パーセント` is kept as written (the plans that spell it out are read with the unit they
/// wrote); `つ` counts items and is read only before 以上 (`1年に1つ以上`), since `3つの柱`
/// and `次の3つを` name parts of the plan.
pub const UNITS: [&str; 27] = [
    "百万円",
    "億円",
    "千円",
    "万円",
    "円",
    "ポイント",
    "平方メートル",
    "㎡",
    "%",
    "パーセント",
    "人",
    "件",
    "施設",
    "時間",
    "か所",
    "箇所",
    "ヵ所",
    "回",
    "団体",
    "事業",
    "業務",
    "台",
    "校",
    "日",
    "名",
    "社",
    "つ",
];

/// Direction words after a value (or in its clause) and what they mean.
pub const DIRECTIONS: [(&str, Direction); 17] = [
    ("上限", Direction::AtMost),
    ("以下", Direction::AtMost),
    ("以内", Direction::AtMost),
    ("未満", Direction::AtMost),
    ("以上", Direction::AtLeast),
    ("を超", Direction::AtLeast),
    ("削減", Direction::Reduce),
    ("縮減", Direction::Reduce),
    ("減少", Direction::Reduce),
    ("抑制", Direction::Reduce),
    ("減ら", Direction::Reduce),
    ("増加", Direction::Increase),
    ("増や", Direction::Increase),
    ("向上", Direction::Increase),
    ("拡大", Direction::Increase),
    ("確保", Direction::AtLeast),
    ("維持", Direction::Maintain),
];

/// Words that make the numbers of a clause targets. Without one, a number is a statistic,
/// a result or a budget line, not a commitment.
pub const TARGET_CUES: [&str; 18] = [
    "目標",
    "目指",
    "めざ",
    "削減",
    "縮減",
    "以下",
    "以内",
    "以上",
    "抑制",
    "までに",
    "を図",
    "見込額",
    "改善見込",
    "効果額",
    "とします",
    "年間で",
    "超えない",
    "上限",
];

/// Words that make a clause a report of results rather than a target.
const RESULT_CUES: [&str; 14] = [
    "実績",
    "決算額",
    "決算では",
    "推移",
    "減少しています",
    "となりました",
    "となった",
    "となり",
    "でした",
    "上回り",
    "てきました",
    "に至",
    "達成した",
    "財源不足",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 削減, 縮減: the value is the amount removed.
    Reduce,
    /// 増加, 向上.
    Increase,
    /// 以下, 以内, 未満: a ceiling.
    AtMost,
    /// 以上, 確保: a floor.
    AtLeast,
    /// 維持.
    Maintain,
}

impl Direction {
    pub fn label_ja(self) -> &'static str {
        match self {
            Direction::Reduce => "削減",
            Direction::Increase => "増加",
            Direction::AtMost => "以下",
            Direction::AtLeast => "以上",
            Direction::Maintain => "維持",
        }
    }
}

/// One numeric target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub value: f64,
    pub unit: String,
    pub direction: Option<Direction>,
    /// The baseline as written (`平成27年度比`, `1,200人から`).
    pub baseline: Option<String>,
    /// The western year by which the target is to be met.
    pub year: Option<i32>,
    /// The matched text (value and unit).
    pub text: String,
}

static NUMBER_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    let units = UNITS.iter().map(|u| regex::escape(u)).collect::<Vec<_>>().join("|");
    Regex::new(&format!(r"(?:△|▲|約)?([0-9][0-9,]*(?:\.[0-9]+)?)\s*({units})")).expect("valid")
});

/// Money written in two or more denominations (`5億4,900万円`, `13億68百万円`,
/// `2億3千万円`): one value in the smallest denomination written, so that `4,900万円` is not
/// read on its own.
static COMPOUND_MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:△|▲|約)?([0-9][0-9,]*)億(?:([0-9][0-9,]*)百万円|(?:([0-9][0-9,]*)千)?([0-9][0-9,]*)?万円)",
    )
    .expect("valid")
});

/// Value and unit of a [`COMPOUND_MONEY`] match.
fn compound_money(caps: &regex::Captures<'_>) -> Option<(f64, &'static str)> {
    let number = |i: usize| caps.get(i).and_then(|m| parse_value(m.as_str()));
    let oku = number(1)?;
    if let Some(millions) = number(2) {
        return Some((oku * 100.0 + millions, "百万円"));
    }
    let thousands_of_man = number(3).unwrap_or(0.0);
    let man = number(4).unwrap_or(0.0);
    if caps.get(3).is_none() && caps.get(4).is_none() {
        return None;
    }
    Some((oku * 10_000.0 + thousands_of_man * 1_000.0 + man, "万円"))
}

static YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(令和|平成|R|H)\s*(元|[0-9]{1,2})\s*(?:[(（](?:19|20)[0-9]{2}[)）])?\s*年度?(末|中)?|((?:19|20)[0-9]{2})\s*年度?(末|中)?",
    )
    .expect("valid")
});

static BASELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"((?:令和|平成|R|H)\s*(?:元|[0-9]{1,2})\s*年度?(?:末)?(?:比|と比べ|と比較)|(?:19|20)[0-9]{2}\s*年度?(?:比)|現在の?\s*[0-9][0-9,.]*\s*\S{1,4}?から|[0-9][0-9,.]*\s*(?:人|億円|千円|円|%|件)から)",
    )
    .expect("valid")
});

/// Folds full-width digits, letters and signs to ASCII (the index keeps the text as written),
/// and positional kanji numerals of two or more digits (`一三六人`, `一〇人`, `一九九八`, as
/// vertical text writes numbers) to ASCII digits. A single kanji digit is left: 一部, 統一 and
/// 第一 are words, not values.
pub fn fold_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| kanji_digit(**c).is_some()).count();
        if run >= 2 {
            out.extend(chars[i..i + run].iter().filter_map(|c| kanji_digit(*c)));
            i += run;
            continue;
        }
        out.push(match chars[i] {
            c @ ('０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ') => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '％' => '%',
            '，' => ',',
            '．' => '.',
            '　' => ' ',
            c => c,
        });
        i += 1;
    }
    out
}

/// The ASCII digit of a positional kanji numeral (〇 to 九).
fn kanji_digit(c: char) -> Option<char> {
    "〇一二三四五六七八九".chars().position(|k| k == c).and_then(|d| char::from_digit(d as u32, 10))
}

/// A year the text names, with its span: a period (`平成16年度～20年度`) counts as its end.
#[derive(Debug, Clone, Copy)]
struct YearMention {
    start: usize,
    end: usize,
    year: i32,
    /// 3: まで/末/中 follows; 2: 目標/に follows; 1: a bare year.
    rank: u8,
}

static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(令和|平成|R|H)\s*(元|[0-9]{1,2})\s*(?:年度?)?\s*[~〜～\-–]\s*(令和|平成|R|H)?\s*(元|[0-9]{1,2})\s*年度",
    )
    .expect("valid")
});

fn year_mentions(clause: &str) -> Vec<YearMention> {
    let mut mentions: Vec<YearMention> = Vec::new();
    for caps in PERIOD.captures_iter(clause) {
        let whole = caps.get(0).expect("match");
        let era = caps.get(3).or(caps.get(1)).map_or("", |m| m.as_str());
        if let Some(year) = caps.get(4).and_then(|n| era_year(era, n.as_str())) {
            mentions.push(YearMention { start: whole.start(), end: whole.end(), year, rank: 3 });
        }
    }
    for caps in YEAR.captures_iter(clause) {
        let whole = caps.get(0).expect("match");
        if mentions.iter().any(|m| whole.start() < m.end && m.start < whole.end()) {
            continue;
        }
        let year = match (caps.get(1), caps.get(2), caps.get(4)) {
            (Some(era), Some(n), _) => era_year(era.as_str(), n.as_str()),
            (_, _, Some(western)) => western.as_str().parse().ok(),
            _ => None,
        };
        let Some(year) = year else { continue };
        let after: String = clause[whole.end()..].chars().take(8).collect();
        if after.starts_with('比')
            || after.starts_with("と比")
            || after.starts_with("から")
            || after.contains("現在")
            || after.starts_with([':', '：'])
            || after.starts_with("以降")
            || after.starts_with("実績")
        {
            continue;
        }
        let rank = if after.starts_with("まで") || caps.get(3).is_some() || caps.get(5).is_some()
        {
            3
        } else if after.starts_with("目標") || after.starts_with('に') || after.starts_with('を')
        {
            2
        } else {
            1
        };
        mentions.push(YearMention { start: whole.start(), end: whole.end(), year, rank });
    }
    mentions.sort_by_key(|m| m.start);
    mentions
}

/// The target year a clause names (`令和7年度まで` → 2025, `平成30年度末` → 2018), preferring
/// a year with までに/まで/末/目標 after it; `period_end` stands in for 計画期間中/最終年度.
pub fn target_year(clause: &str, period_end: Option<i32>) -> Option<i32> {
    let best =
        year_mentions(clause).into_iter().max_by_key(|m| (m.rank, std::cmp::Reverse(m.start)));
    if let Some(m) = best {
        return Some(m.year);
    }
    if ["計画期間中", "計画期間内", "計画期間終了", "最終年度"].iter().any(|w| clause.contains(w))
    {
        return period_end;
    }
    None
}

/// The year of a value at `start..end` of the clause: a year right after it (`99.0%(平成25年度)`),
/// else the nearest year before it, else the clause's target year.
fn year_of_value(
    mentions: &[YearMention],
    clause: &str,
    start: usize,
    end: usize,
    period_end: Option<i32>,
) -> Option<i32> {
    let opens = |gap: &str| matches!(gap.trim(), "" | "(" | "（" | "〔" | "[");
    if let Some(m) = mentions.iter().find(|m| m.start >= end && opens(&clause[end..m.start])) {
        return Some(m.year);
    }
    if let Some(m) = mentions.iter().rev().find(|m| m.end <= start) {
        // `令和9年に…「5年間で5人削減」`: a span of years between the year and the value
        // means the plan's period.
        let between = &clause[m.end..start];
        if period_end.is_some() && (between.contains("年間で") || between.contains("計画期間"))
        {
            return period_end;
        }
        return Some(m.year);
    }
    mentions.iter().max_by_key(|m| m.rank).map(|m| m.year)
}

/// Whether the clause speaks of a target rather than a result.
pub fn is_target_clause(clause: &str) -> bool {
    TARGET_CUES.iter().any(|cue| clause.contains(cue))
        && !RESULT_CUES.iter().any(|cue| clause.contains(cue))
}

/// Parses `1,200` or `3.5` (ASCII, after [`fold_digits`]).
pub fn parse_value(text: &str) -> Option<f64> {
    text.replace(',', "").parse().ok()
}

/// The numeric values with units in `clause` (already folded), each with its direction: a
/// direction word right after the value wins, else the first one in the clause. Values
/// that are a baseline (`1,200人から`) are left out and become the targets' baseline.
pub fn values_in(clause: &str, period_end: Option<i32>) -> Vec<Target> {
    let baseline = BASELINE.find(clause).map(|m| m.as_str().trim().to_owned());
    let mentions = year_mentions(clause);
    let period_year = target_year(clause, period_end);
    let clause_direction = first_direction(clause);
    let mut targets = Vec::new();
    let compounds: Vec<(usize, usize, f64, &str)> = COMPOUND_MONEY
        .captures_iter(clause)
        .filter_map(|caps| {
            let whole = caps.get(0).expect("match");
            compound_money(&caps).map(|(value, unit)| (whole.start(), whole.end(), value, unit))
        })
        .collect();
    let matches = NUMBER_UNIT.captures_iter(clause).filter_map(|caps| {
        let whole = caps.get(0).expect("match");
        if compounds.iter().any(|&(start, end, ..)| whole.start() < end && start < whole.end()) {
            return None;
        }
        let value = parse_value(caps.get(1)?.as_str())?;
        Some((whole.start(), whole.end(), value, caps.get(2)?.as_str()))
    });
    let mut found: Vec<(usize, usize, f64, &str)> =
        compounds.iter().copied().chain(matches).collect();
    found.sort_by_key(|&(start, ..)| start);
    for (start, end, value, unit) in found {
        let whole = &clause[start..end];
        // A year, a date or a page is not a value: 2025年 never matches (no unit), but
        // `第3回` and `1日` of dates are skipped here.
        let before: String = clause[..start].chars().rev().take(1).collect();
        if before == "第" || before == "月" && unit == "日" {
            continue;
        }
        let after = &clause[end..];
        if after.starts_with("から") || after.starts_with("より") || after.starts_with("を超えると")
        {
            continue;
        }
        // `103人(△8.1%)`: a share in parentheses restates the value before it.
        let open: String = before_chars(clause, start, 2);
        if open.ends_with('(')
            && UNITS.iter().any(|u| clause[..start].trim_end_matches(['(', '（']).ends_with(u))
            || open.ends_with("(△")
            || open.ends_with("(▲")
        {
            continue;
        }
        // `(平成25年度:231.2億円)`: a value after a year and a colon is the current figure.
        if after_year_colon(clause, start) {
            continue;
        }
        // `3つの柱`: a count of parts, not a target.
        if unit == "つ" && !after.starts_with("以上") {
            continue;
        }
        // Members of a committee are not a target.
        let window: String = clause[..start].chars().rev().take(8).collect();
        if window.contains("員委") {
            continue;
        }
        let direction = after_direction(after).or(clause_direction);
        targets.push(Target {
            value,
            unit: unit.to_owned(),
            direction,
            baseline: baseline.clone(),
            year: year_of_value(&mentions, clause, start, end, period_end).or(period_year),
            text: whole.to_owned(),
        });
    }
    targets
}

/// Whether the value at byte offset `start` follows a year and a colon (`平成25年度:`).
fn after_year_colon(clause: &str, start: usize) -> bool {
    let prefix = clause[..start].trim_end();
    let Some(colon) = prefix.strip_suffix([':', '：']) else {
        return false;
    };
    let colon = colon.trim_end();
    YEAR.find_iter(colon).any(|m| m.end() == colon.len())
}

/// The `n` characters before byte offset `at`, in order.
fn before_chars(text: &str, at: usize, n: usize) -> String {
    let mut chars: Vec<char> = text[..at].chars().rev().take(n).collect();
    chars.reverse();
    chars.into_iter().collect()
}

fn after_direction(after: &str) -> Option<Direction> {
    let window: String = after.chars().take(8).collect();
    DIRECTIONS
        .iter()
        .filter_map(|(word, direction)| window.find(word).map(|at| (at, *direction)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, direction)| direction)
}

fn first_direction(clause: &str) -> Option<Direction> {
    DIRECTIONS
        .iter()
        .filter_map(|(word, direction)| clause.find(word).map(|at| (at, *direction)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, direction)| direction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kanji_numerals_of_several_digits_are_folded() {
        assert_eq!(
            fold_digits("三年間で一三六人を配置し、一〇人の職員減"),
            "三年間で136人を配置し、10人の職員減"
        );
        assert_eq!(
            fold_digits("平成一〇年(一九九八)の統一した一部"),
            "平成10年(1998)の統一した一部"
        );
    }

    #[test]
    fn wareki_target_years() {
        for (clause, end, year) in [
            ("令和7年度までに職員数を50人削減", None, Some(2025)),
            ("平成30年度末の職員数を1,200人以下とする", None, Some(2018)),
            ("平成27年度比で令和2年度に10%削減", None, Some(2020)),
            ("計画期間中に5億円の効果額を目指す", Some(2026), Some(2026)),
            ("2030年度までに100%", None, Some(2030)),
            ("R5年度末 80%", None, Some(2023)),
            ("令和8(2026)年度末の基金残高 30億円以上", None, Some(2026)),
            ("収納率99%(令和元年度:97%)", None, None),
            ("職員数を50人削減", None, None),
        ] {
            assert_eq!(target_year(&fold_digits(clause), end), year, "{clause}");
        }
    }

    #[test]
    fn units_values_and_directions() {
        let check = |clause: &str, expect: &[(f64, &str, Option<Direction>)]| {
            let got: Vec<_> = values_in(&fold_digits(clause), None)
                .into_iter()
                .map(|t| (t.value, t.unit, t.direction))
                .collect();
            let expect: Vec<_> = expect.iter().map(|(v, u, d)| (*v, (*u).to_owned(), *d)).collect();
            assert_eq!(got, expect, "{clause}");
        };
        check("職員数を5年間で50人削減します", &[(50.0, "人", Some(Direction::Reduce))]);
        check("経常収支比率90％以下", &[(90.0, "%", Some(Direction::AtMost))]);
        check("効果額 1,234千円", &[(1234.0, "千円", None)]);
        check("１２億円の財源を確保", &[(12.0, "億円", Some(Direction::AtLeast))]);
        check("現在の1,200人から1,100人に削減", &[(1100.0, "人", Some(Direction::Reduce))]);
        check("第3回の会議で3.5時間", &[(3.5, "時間", None)]);
        check("公共施設を20施設削減", &[(20.0, "施設", Some(Direction::Reduce))]);
        check("効果額 5億4,900万円を目指す", &[(54900.0, "万円", None)]);
        check("13億68百万円の削減", &[(1368.0, "百万円", Some(Direction::Reduce))]);
        check("2億3千万円", &[(23000.0, "万円", None)]);
        check("収納率98パーセント以上", &[(98.0, "パーセント", Some(Direction::AtLeast))]);
        check("毎年2つ以上の事業を見直す", &[(2.0, "つ", Some(Direction::AtLeast))]);
        check("次の4つの柱で改革を目指す", &[]);
        check("寄附金3億円以上(令和元年度:0.8億円)", &[(3.0, "億円", Some(Direction::AtLeast))]);
    }

    #[test]
    fn baselines() {
        let targets = values_in("平成27年度比で10%削減", None);
        assert_eq!(targets[0].baseline.as_deref(), Some("平成27年度比"));
        let targets = values_in("現在の1,200人から1,100人に", None);
        assert_eq!(targets[0].baseline.as_deref(), Some("現在の1,200人から"));
    }

    #[test]
    fn results_are_not_targets() {
        assert!(is_target_clause("令和7年度までに50人削減を目指す"));
        assert!(!is_target_clause("職員数は平成28年度26,691人に減少しています"));
        assert!(!is_target_clause("歳出は1,366億円でした"));
    }
}
