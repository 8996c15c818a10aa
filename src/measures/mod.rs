//! Measures and their numeric targets: which plan commits to what number, by when, owned by
//! which department, with what reported status.
//!
//! Themes say *what* a plan is about; researchers of 行政改革 then ask which plans set
//! numeric targets (職員数を5年間で50人削減, 経常収支比率90%以下) and for when. This module
//! reads them from a document's passages — prose clauses with a target cue, and rows of
//! action tables (工程表, 実施計画表) read through their header row — and returns plain
//! values. It reads no index and prints nothing: `cli::measures` loads documents, and the
//! themes of a passage are those the index stored for it (the themes module's own passage
//! matching, `themes::passage_theme_ids`, applied at ingest). Patterns live in [`targets`]
//! (units, directions, cues, years) and [`table`] (columns, statuses).

pub mod export;
pub mod table;
pub mod targets;

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::analysis::is_cjk;
use crate::index::IndexedDocument;
use crate::metadata::era_year;
use table::{Column, cells, header_columns, status_of};
use targets::{Direction, Target, fold_digits, is_target_clause, target_year, values_in};

/// One numeric target of a plan, with where it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    pub path: String,
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    /// The plan's (first) year.
    pub plan_year: Option<i32>,
    pub page: u32,
    pub heading: String,
    pub ordinal: u32,
    /// The measure (取組項目): a table's measure cell, else the passage's innermost heading.
    pub measure: String,
    pub value: f64,
    pub unit: String,
    pub direction: Option<Direction>,
    pub baseline: Option<String>,
    pub target_year: Option<i32>,
    pub department: Option<String>,
    pub status: Option<String>,
    /// `prose` or `table`.
    pub source: &'static str,
    /// The clause or table row the target was read from.
    pub text: String,
    /// Theme ids of the passage.
    pub themes: Vec<String>,
}

/// The measures of documents, in document order (sorted by path), then passage order.
pub fn find_measures(documents: &[IndexedDocument]) -> Vec<Measure> {
    let mut documents: Vec<&IndexedDocument> = documents.iter().collect();
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    documents.into_iter().flat_map(document_measures).collect()
}

/// The measures of one document.
pub fn document_measures(doc: &IndexedDocument) -> Vec<Measure> {
    let period_end = period_end(doc);
    let mut measures = Vec::new();
    // The era a bare `21年度` is counted in: the last one the plan named, else its year's.
    let mut era = doc.meta.year.map(era_of_year);
    let mut header: Option<Vec<Column>> = None;
    // A table whose header row holds only years (`R6(2024年) | R12(2030年)`): the last value
    // of each row is the target for the last year.
    let mut year_header: Option<Vec<i32>> = None;
    // A table written one cell a line under a `目標値` label: short value lines are targets.
    let mut target_block = false;
    // Rows under a header naming a present value and a target (`平成21年度実績 目標収納率`).
    let mut pair_rows = false;
    for (index, passage) in doc.passages.iter().enumerate() {
        if passage.is_heading_only() {
            continue;
        }
        let themes = doc.passage_themes.get(index).cloned().unwrap_or_default();
        let heading_measure = passage.heading_path.last().cloned().unwrap_or_default();
        let passage_department = department_in(&passage.text);
        let base = |target: Target, source, text: String| Measure {
            path: doc.path.clone(),
            municipality: doc.meta.municipality.clone(),
            prefecture: doc.meta.prefecture.clone(),
            plan_year: doc.meta.year,
            page: passage.page,
            heading: passage.heading(),
            ordinal: passage.ordinal,
            measure: heading_measure.clone(),
            value: target.value,
            unit: target.unit,
            direction: target.direction,
            baseline: target.baseline,
            target_year: target.year,
            department: passage_department.clone(),
            status: None,
            source,
            text,
            themes: themes.clone(),
        };
        if is_target_label(&fold_digits(&heading_measure)) {
            target_block = true;
        }
        let mut previous_line = String::new();
        for line in passage.text.lines() {
            let folded = fold_digits(line);
            era = last_era(&folded).or(era);
            let folded = with_era(&folded, era);
            if let Some(row) = cells(&folded) {
                if let Some(columns) = header_columns(&row) {
                    header = Some(columns);
                    year_header = None;
                    continue;
                }
                if let Some(years) = years_header(&row) {
                    year_header = Some(years);
                    header = None;
                    continue;
                }
                if row.iter().all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))) {
                    continue;
                }
                if let Some(years) = &year_header {
                    for (target, name) in year_row_targets(years, &row, period_end) {
                        let mut measure = base(target, "table", folded.clone());
                        measure.measure = name.unwrap_or_else(|| heading_measure.clone());
                        measures.push(measure);
                    }
                    continue;
                }
                if let Some(columns) = &header {
                    for m in row_measures(columns, &row, period_end) {
                        let mut measure = base(m.target, "table", folded.clone());
                        if let Some(name) = m.measure {
                            measure.measure = name;
                        }
                        measure.department = m.department.or(measure.department);
                        measure.status = m.status;
                        measures.push(measure);
                    }
                    continue;
                }
            } else {
                header = None;
                year_header = None;
            }
            if is_target_label(&folded) {
                target_block = true;
                continue;
            }
            if is_baseline_target_header(&folded) {
                pair_rows = true;
                continue;
            }
            // A sentence is prose, not a row.
            pair_rows &= !folded.contains('。');
            if pair_rows {
                let mut values = values_in(&folded, period_end);
                if values.len() >= 2 {
                    let target = values.pop().expect("two values");
                    let mut measure = base(target, "table", folded.clone());
                    measure.baseline = Some(values[0].text.clone());
                    measure.department = department_in(&folded)
                        .or_else(|| trailing_department(&folded))
                        .or(measure.department);
                    measures.push(measure);
                    continue;
                }
                // A short line is a cell continued (a second department); prose ends the rows.
                pair_rows = folded.chars().count() <= VALUE_CELL_CHARS;
            }
            let long = folded.chars().count() > VALUE_CELL_CHARS && !is_list_item(&folded);
            if folded.contains("実績") || long {
                target_block = false;
            }
            if is_legend(&folded) {
                continue;
            }
            for clause in clauses(&folded) {
                let cell = is_value_cell(clause) || is_list_item(clause);
                if !(is_target_clause(clause) || target_block && cell) {
                    continue;
                }
                // A line that is only a value (`目標値 50人`) takes its year from the line
                // before it, as list items and two-line table cells do.
                let mut targets = values_in(clause, period_end);
                let annual = clause.contains("毎年");
                if !annual && targets.iter().all(|t| t.year.is_none()) {
                    let year = target_year(&previous_line, period_end);
                    targets.iter_mut().for_each(|t| t.year = year);
                }
                // A target without a year of its own is meant for the end of the plan.
                // An annual target (毎年度) has no end year.
                if !annual {
                    targets.iter_mut().for_each(|t| t.year = t.year.or(period_end));
                }
                for target in targets {
                    let mut measure = base(target, "prose", clause.trim().to_owned());
                    measure.department = department_in(clause).or(measure.department);
                    measure.status = status_word(clause);
                    measures.push(measure);
                }
            }
            if !folded.trim().is_empty() {
                previous_line = folded;
            }
        }
    }
    measures
}

struct RowMeasure {
    target: Target,
    measure: Option<String>,
    department: Option<String>,
    status: Option<String>,
}

/// The targets of one table row read through its header's columns.
fn row_measures(columns: &[Column], row: &[&str], period_end: Option<i32>) -> Vec<RowMeasure> {
    let cell = |want: Column| {
        columns
            .iter()
            .zip(row)
            .find(|(c, text)| **c == want && !text.is_empty())
            .map(|(_, text)| (*text).to_owned())
    };
    let measure = cell(Column::Measure);
    let department = cell(Column::Department);
    let status = cell(Column::Status).and_then(|s| status_of(&s));
    let year = cell(Column::Year).and_then(|y| target_year(&y, period_end));
    let has_target_column = columns.contains(&Column::Target);
    let mut found = Vec::new();
    for (column, text) in columns.iter().zip(row) {
        let wanted = match column {
            Column::Target => true,
            Column::Other | Column::Measure => !has_target_column && is_target_clause(text),
            _ => false,
        };
        if !wanted {
            continue;
        }
        for mut target in values_in(text, period_end) {
            target.year = target.year.or(year).or(period_end);
            found.push(RowMeasure {
                target,
                measure: measure.clone(),
                department: department.clone(),
                status: status.clone(),
            });
        }
    }
    found
}

/// Cells of a year header that total the years before them (`合計`): they take the last year.
const TOTAL_CELLS: [&str; 4] = ["合計", "累計", "総計", "計"];

/// The year of each cell of a header row made only of years (`R6(2024年)`, `令和12年度`,
/// `2030`); a trailing total cell (`合計`) takes the last year.
fn years_header(row: &[&str]) -> Option<Vec<i32>> {
    let cells: Vec<&&str> = row.iter().filter(|c| !c.is_empty()).collect();
    if cells.len() < 2 {
        return None;
    }
    let mut years: Vec<i32> = Vec::new();
    for cell in cells {
        if !values_in(cell, None).is_empty() {
            return None;
        }
        if TOTAL_CELLS.contains(&cell.trim()) {
            years.push(*years.last()?);
            continue;
        }
        let year = target_year(cell, None)
            .or_else(|| cell.trim().parse().ok().filter(|y| (1950..2100).contains(y)))?;
        years.push(year);
    }
    (years.len() >= 2).then_some(years)
}

/// The targets of a row under a year header, each with the row's label if it has one.
///
/// A labelled row (`正規職員 | 3,137人 | 3,000人`) holds the present figure and the goal: its
/// last value is the target for the last year. A row of values only, one for each year
/// (`341百万円 | 364百万円 | … | 合計`), sets a target for every year.
fn year_row_targets(
    years: &[i32],
    row: &[&str],
    period_end: Option<i32>,
) -> Vec<(Target, Option<String>)> {
    let last_year = *years.last().expect("a year header has years");
    let per_cell: Vec<Vec<Target>> = row.iter().map(|c| values_in(c, None)).collect();
    if row.len() == years.len() && per_cell.iter().all(|v| v.len() == 1) {
        return per_cell
            .into_iter()
            .zip(years)
            .map(|(mut values, year)| {
                let mut target = values.remove(0);
                target.year = Some(*year);
                (target, None)
            })
            .collect();
    }
    let values: Vec<Target> = row.iter().skip(1).flat_map(|c| values_in(c, period_end)).collect();
    // A one-cell line continues the row before it (`標準財政規模の11.25% |`).
    let values = if row.len() == 1 { values_in(row[0], None) } else { values };
    if values.len() >= 2 || values.len() == 1 && (row.len() >= 3 || row.len() == 1) {
        let mut target = values.last().cloned().expect("non-empty");
        target.year = Some(last_year);
        return vec![(target, Some(row[0].to_owned()))];
    }
    Vec::new()
}

/// Labels that head a column of targets written one cell a line (`目標値`, then `93%以上`).
const TARGET_LABELS: [&str; 5] = ["目標値", "目標", "数値目標", "目標額", "目標数値"];

/// The longest line read as one cell of such a column (`97.5%以上(現年)`); a longer line is
/// prose and ends the column.
const VALUE_CELL_CHARS: usize = 16;

/// A label line of targets: one of [`TARGET_LABELS`], or a short line ending in の目標 /
/// 数値目標 (`行政改革の目標`, `(2)数値目標`, `【目標】`), numbering and brackets aside.
fn is_target_label(line: &str) -> bool {
    let label = line
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || "()（）.．、【】■◆●○・ ".contains(c))
        .trim_end_matches(|c: char| "】:：".contains(c));
    TARGET_LABELS.contains(&label)
        || label.chars().count() <= VALUE_CELL_CHARS
            && (label.ends_with("の目標") || label.ends_with("数値目標"))
}

/// The longest list item (`・具体的な取組項目の実施率 100%`) read as a target under a label.
const LIST_ITEM_CHARS: usize = 40;

/// A bulleted line of at most [`LIST_ITEM_CHARS`] holding a value.
fn is_list_item(line: &str) -> bool {
    let line = line.trim();
    line.starts_with(['・', '•', '○', '◯', '-', '－'])
        && line.chars().count() <= LIST_ITEM_CHARS
        && !values_in(line, None).is_empty()
}

/// The era a western year falls in (the one its plan would write).
fn era_of_year(year: i32) -> &'static str {
    if year >= 2019 { "令和" } else { "平成" }
}

/// The last era the line names (`平成`, `令和`, `H`, `R` before a number).
fn last_era(line: &str) -> Option<&'static str> {
    static ERA: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(令和|平成|R|H)\s*(?:元|[0-9]{1,2})\s*年").expect("valid"));
    ERA.captures_iter(line).last().map(|caps| match &caps[1] {
        "令和" | "R" => "令和",
        _ => "平成",
    })
}

/// The line with `era` written before each bare two-digit fiscal year (`21年度末` →
/// `平成21年度末`), as plans write years once the era is clear; the target patterns then read
/// them like any other. A number after a digit, a letter, an era or a period sign is left.
fn with_era(line: &str, era: Option<&str>) -> String {
    static BARE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"([0-9]{1,2})\s*年度").expect("valid"));
    let Some(era) = era else { return line.to_owned() };
    let mut out = String::with_capacity(line.len() + 16);
    let mut last = 0;
    for caps in BARE.captures_iter(line) {
        let number = caps.get(1).expect("group");
        let before = line[..number.start()].trim_end();
        let attached = before.ends_with(|c: char| {
            c.is_ascii_alphanumeric()
                || matches!(c, '.' | ',' | '元' | '~' | '〜' | '～' | '-' | '–')
        }) || before.ends_with("令和")
            || before.ends_with("平成")
            || before.ends_with("昭和");
        if attached {
            continue;
        }
        out.push_str(&line[last..number.start()]);
        out.push_str(era);
        last = number.start();
    }
    out.push_str(&line[last..]);
    out
}

/// Words of a header's present-value column (the other column names the target).
const PRESENT_COLUMN_WORDS: [&str; 4] = ["実績", "現状", "現況", "基準"];

/// A header line of a table written with spaces, naming a present value and a target and
/// holding no value itself: `平成21年度実績 目標収入(収納)率 所管課`, `現状値 目標値`. In the
/// rows under it the last value is the target and the first the baseline. Read after the last
/// 。, since a converted page can join the header to the sentence introducing the table.
fn is_baseline_target_header(line: &str) -> bool {
    let tail = line.rsplit('。').next().unwrap_or(line);
    tail.contains("目標")
        && PRESENT_COLUMN_WORDS.iter().any(|w| tail.contains(w))
        && values_in(tail, None).is_empty()
}

/// A short line holding a value (`31,000千円`, `年間2,000千円`).
fn is_value_cell(clause: &str) -> bool {
    clause.trim().chars().count() <= VALUE_CELL_CHARS && !values_in(clause, None).is_empty()
}

/// A legend line of a grading scale (`a:ほぼ達成した(90%以上)`): thresholds, not targets.
fn is_legend(line: &str) -> bool {
    let mut chars = line.trim_start_matches([' ', '•', '・', '-']).chars();
    matches!(
        (chars.next(), chars.next()),
        (Some('a'..='e' | 'A'..='E' | 'S'), Some(':' | '：' | '…' | '.'))
    )
}

/// Clauses of a line: split after 。 and before ・ bullets.
fn clauses(line: &str) -> impl Iterator<Item = &str> {
    line.split_inclusive('。').filter(|c| !c.trim().is_empty())
}

/// A department named in the text: `担当課：人事課`, `（所管課 財政課）`, `(行政管理課)`.
fn department_in(text: &str) -> Option<String> {
    static DEPARTMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"(?:担当課|所管課|担当部署|担当|所管|実施課|問合せ|問い合わせ)\s*[:：]?\s*([^\s、。:：()（）「」・]{{1,14}}?(?:{}))",
            DEPARTMENT_SUFFIXES.join("|")
        ))
        .expect("valid")
    });
    DEPARTMENT.captures(text).and_then(|c| c.get(1)).map(|m| m.as_str().to_owned())
}

/// How a department's name ends (収税課, 行政改革推進室, 総務部, 情報センター).
const DEPARTMENT_SUFFIXES: [&str; 5] = ["課", "室", "局", "部", "センター"];

/// The department cell a row ends with (`市税 98.1% 99.0%(平成25年度) 収税課`).
fn trailing_department(row: &str) -> Option<String> {
    let last = row.split_whitespace().last()?;
    let named = last.chars().count() <= MAX_DEPARTMENT_CHARS && last.chars().any(is_cjk);
    (named && DEPARTMENT_SUFFIXES.iter().any(|s| last.ends_with(s))).then(|| last.to_owned())
}

/// The longest department name read from a row's last cell (保険徴収医療課 is 7).
const MAX_DEPARTMENT_CHARS: usize = 14;

fn status_word(clause: &str) -> Option<String> {
    const WORDS: [&str; 5] = ["一部達成", "未達成", "達成済", "完了しました", "継続して"];
    WORDS.iter().find(|w| clause.contains(*w)).map(|w| {
        w.trim_end_matches("しました").trim_end_matches("して").trim_end_matches('済').to_owned()
    })
}

/// The last year of the plan's period (`令和3年度～令和7年度`), from a manifest column
/// `end_year` or the title and first passages; the year of 計画期間中.
pub fn period_end(doc: &IndexedDocument) -> Option<i32> {
    static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(令和|平成|R|H)?\s*(元|[0-9]{1,4})\s*(?:年度?)?\s*[~〜～\-ー–から]+\s*(令和|平成|R|H)?\s*(元|[0-9]{1,4})\s*年度?",
        )
        .expect("valid")
    });
    if let Some(end) = doc.meta.extra.get("end_year").and_then(|y| y.trim().parse().ok()) {
        return Some(end);
    }
    let head: String = std::iter::once(doc.meta.title.clone().unwrap_or_default())
        .chain(doc.passages.iter().take(5).map(|p| p.text.clone()))
        .map(|t| fold_digits(&t))
        .collect::<Vec<_>>()
        .join("\n");
    static ENDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(令和|平成)\s*(元|[0-9]{1,2})\s*年度(?:で|に)計画期間が(?:終了|満了)|計画終期\s*(令和|平成)\s*(元|[0-9]{1,2})\s*年度",
        )
        .expect("valid")
    });
    // A span followed by 実績 is the years reported on (`平成23~26年度実績`), not the plan's.
    let plan_period = PERIOD
        .captures_iter(&head)
        .find(|caps| !head[caps.get(0).expect("match").end()..].trim_start().starts_with("実績"));
    let Some(caps) = plan_period else {
        let caps = ENDS.captures(&head)?;
        let era = caps.get(1).or(caps.get(3))?.as_str();
        return era_year(era, caps.get(2).or(caps.get(4))?.as_str());
    };
    let start_era = caps.get(1).map(|m| m.as_str());
    let end_era = caps.get(3).map(|m| m.as_str()).or(start_era);
    let end = caps.get(4)?.as_str();
    match end_era {
        Some(era) => era_year(era, end),
        None => end.parse().ok().filter(|y| *y > 1900),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocMeta, Format, Passage};

    fn doc(texts: &[&str]) -> IndexedDocument {
        IndexedDocument {
            path: "plan.pdf".into(),
            doc_id: "x".into(),
            format: Format::Text,
            meta: DocMeta::default(),
            passages: texts
                .iter()
                .zip(0u32..)
                .map(|(t, i)| Passage {
                    ordinal: i,
                    page: 1,
                    heading_path: vec!["第3章 取組".into()],
                    text: (*t).into(),
                })
                .collect(),
            passage_themes: vec![vec!["staffing".into()]; texts.len()],
            passage_roles: vec![String::new(); texts.len()],
        }
    }

    #[test]
    fn a_bare_fiscal_year_is_counted_in_the_era_the_plan_named() {
        assert_eq!(
            with_era("(2)21年度末の職員数を1,100人以下とする。", Some("平成")),
            "(2)平成21年度末の職員数を1,100人以下とする。"
        );
        assert_eq!(
            with_era("R2〜5年度平均 平成 20年度", Some("令和")),
            "R2〜5年度平均 平成 20年度"
        );
        assert_eq!(last_era("平成18年3月に策定し"), Some("平成"));
        let d =
            doc(&["平成18年3月に行革プランを策定し、", "(2)21年度末の職員数を1,100人以下とする。"]);
        let years: Vec<_> =
            document_measures(&d).into_iter().map(|m| (m.value, m.target_year)).collect();
        assert_eq!(years, vec![(1100.0, Some(2009))]);
    }

    #[test]
    fn bulleted_values_under_a_target_label_are_targets() {
        let d = doc(&[
            "行政改革の目標\n・具体的な取組項目の実施率 100%\n・A評価の割合 80%以上\n本市はこれまで改革に取り組んできました。",
        ]);
        let values: Vec<_> = document_measures(&d).into_iter().map(|m| m.value).collect();
        assert_eq!(values, vec![100.0, 80.0]);
        assert!(is_target_label("(2)数値目標"));
        assert!(!is_target_label("目標達成に向けた取組の状況について"));
    }

    #[test]
    fn rows_under_a_present_and_target_header_take_their_last_value() {
        let d = doc(&[
            "収納率の目標は次のとおりとします。平成21年度実績 目標収入(収納)率()内は目標年次 所管課\n\
             市税 98.1% 99.0%(平成25年度) 収税課\n\
             各市税事務所\n\
             介護保険料 97.8% 98.0%(平成23年度) 介護保険課\n\
             ※コンビニ収納等の取組を推進し、収入率を向上させます。",
        ]);
        let found: Vec<_> = document_measures(&d)
            .into_iter()
            .map(|m| (m.value, m.target_year, m.baseline, m.department))
            .collect();
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            found,
            vec![
                (99.0, Some(2013), s("98.1%"), s("収税課")),
                (98.0, Some(2011), s("97.8%"), s("介護保険課")),
            ]
        );
    }

    #[test]
    fn prose_and_table_targets() {
        let d = doc(&[
            "計画期間は令和3年度～令和7年度とします。",
            "職員数を令和7年度までに50人削減します。担当課：人事課",
            "取組項目\t目標\t担当課\t進捗状況\n窓口の民間委託\t3施設以上\t市民課\t一部達成\n公用車の削減\t10台削減\t管財課\tB",
            "計画期間中に経常収支比率を90%以下とする。",
            "平成28年度の職員数は26,691人に減少しています。",
        ]);
        let found: Vec<_> = document_measures(&d)
            .into_iter()
            .map(|m| (m.value, m.unit, m.target_year, m.department, m.status, m.measure, m.source))
            .collect();
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            found,
            vec![
                (50.0, "人".into(), Some(2025), s("人事課"), None, "第3章 取組".into(), "prose"),
                (
                    3.0,
                    "施設".into(),
                    Some(2025),
                    s("市民課"),
                    s("一部達成"),
                    "窓口の民間委託".into(),
                    "table"
                ),
                (
                    10.0,
                    "台".into(),
                    Some(2025),
                    s("管財課"),
                    s("B"),
                    "公用車の削減".into(),
                    "table"
                ),
                (90.0, "%".into(), Some(2025), None, None, "第3章 取組".into(), "prose"),
            ]
        );
    }

    fn values_years(d: &IndexedDocument) -> Vec<(f64, String, Option<i32>)> {
        document_measures(d).into_iter().map(|m| (m.value, m.unit, m.target_year)).collect()
    }

    #[test]
    fn year_header_with_total_sets_a_target_each_year() {
        let d = doc(&["令和3年度 | 令和4年度 | 合計 |\n12百万円 | 15百万円 | 27百万円 |"]);
        let s = |v: f64, y: i32| (v, "百万円".to_owned(), Some(y));
        assert_eq!(values_years(&d), vec![s(12.0, 2021), s(15.0, 2022), s(27.0, 2022)]);
    }

    #[test]
    fn cell_per_line_target_column() {
        let d = doc(&[
            "計画期間は令和2年度～令和6年度とします。",
            "目標値\n窓口満足度\n80%以上\n使用料収入\n12,000千円\n取組 実績\n9,500千円",
        ]);
        assert_eq!(
            values_years(&d),
            vec![(80.0, "%".into(), Some(2024)), (12000.0, "千円".into(), Some(2024))]
        );
    }

    #[test]
    fn annual_targets_have_no_year_and_reported_spans_are_not_the_period() {
        let d = doc(&[
            "(令和2~4年度実績 及び 令和5年度計画)\n計画終期 令和5年度",
            "令和4年度 12人\n効果額 毎年度3億円以上",
            "経常収支比率を90%以下とする。",
        ]);
        assert_eq!(
            values_years(&d),
            vec![(3.0, "億円".into(), None), (90.0, "%".into(), Some(2023))]
        );
    }
}
