//! Action tables (工程表, 実施計画表): the text layer gives a table row as tab-separated cells;
//! a header row names the columns, and each later row is read through it.

/// What a column of an action table holds, decided from its header cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// 取組項目, 実施項目, 取組事項, 項目.
    Measure,
    /// 目標, 目標値, 数値目標.
    Target,
    /// 担当課, 所管課, 実施課, 担当.
    Department,
    /// 進捗状況, 評価, 達成状況.
    Status,
    /// 年度, 期限, 目標年度.
    Year,
    /// Anything else (内容, 効果額 …): read for targets only when its header is a target cue.
    Other,
}

/// The column of a header cell.
pub fn column_of(header: &str) -> Column {
    let h = header.trim();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if has(&["担当", "所管", "実施課", "主管", "課名"]) || h.ends_with('課') {
        Column::Department
    } else if has(&["評価", "進捗", "達成状況", "状況"]) {
        Column::Status
    } else if has(&["目標年度", "期限", "達成年度"]) {
        Column::Year
    } else if has(&["目標", "数値", "効果額", "指標"]) {
        Column::Target
    } else if has(&["取組", "項目", "事項", "名称", "事業名", "施策"]) {
        Column::Measure
    } else {
        Column::Other
    }
}

/// A header row: at least two cells, at least one of them a measure, target, department or
/// status column.
pub fn header_columns(cells: &[&str]) -> Option<Vec<Column>> {
    if cells.len() < 2 {
        return None;
    }
    let columns: Vec<Column> = cells.iter().map(|c| column_of(c)).collect();
    // A header holds labels, not values: no cell of it may carry a digit.
    if cells.iter().any(|c| c.chars().any(|ch| ch.is_ascii_digit() || ('０'..='９').contains(&ch)))
    {
        return None;
    }
    let useful = columns
        .iter()
        .filter(|c| matches!(c, Column::Target | Column::Department | Column::Status));
    // A target column beside a label column (`推進方針 | 指標`) is enough on its own.
    let has_target = columns.contains(&Column::Target);
    (has_target
        || useful.count() >= 1 && columns.iter().filter(|c| **c != Column::Other).count() >= 2)
        .then_some(columns)
}

/// Splits a table row into cells (tab-separated; the web pages' `|` pipes too).
pub fn cells(line: &str) -> Option<Vec<&str>> {
    if line.contains('\t') {
        Some(line.split('\t').map(str::trim).collect())
    } else if line.matches('|').count() >= 2 || line.trim_end().ends_with('|') {
        Some(line.split('|').map(str::trim).filter(|c| !c.is_empty()).collect())
    } else {
        None
    }
}

/// Status words of a cell (達成, 未達成 …, or a grade A/B/C that the plan's legend explains).
pub fn status_of(cell: &str) -> Option<String> {
    const WORDS: [&str; 9] =
        ["一部達成", "未達成", "達成", "未実施", "実施済", "完了", "継続", "検討中", "順調"];
    if let Some(word) = WORDS.iter().find(|w| cell.contains(*w)) {
        return Some((*word).to_owned());
    }
    let t = cell.trim();
    (t.chars().count() == 1
        && matches!(t, "A" | "B" | "C" | "D" | "Ａ" | "Ｂ" | "Ｃ" | "Ｄ" | "S" | "Ｓ"))
    .then(|| super::targets::fold_digits(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_rows_name_their_columns() {
        let row = cells("取組項目\t目標値\t目標年度\t担当課").unwrap();
        assert_eq!(
            header_columns(&row),
            Some(vec![Column::Measure, Column::Target, Column::Year, Column::Department])
        );
        let row = cells("職員数の適正化\t50人削減\t令和7年度\t人事課").unwrap();
        assert_eq!(header_columns(&row), None);
        assert_eq!(header_columns(&["内容", "備考"]), None);
        assert_eq!(
            header_columns(&["基本方針", "成果指標"]),
            Some(vec![Column::Other, Column::Target])
        );
        let row = cells("| 取組内容 | 評価 | 所管課 |").unwrap();
        assert_eq!(
            header_columns(&row),
            Some(vec![Column::Measure, Column::Status, Column::Department])
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(status_of("一部達成").as_deref(), Some("一部達成"));
        assert_eq!(status_of("Ｂ").as_deref(), Some("B"));
        assert_eq!(status_of("予定どおり"), None);
    }
}
