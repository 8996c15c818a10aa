//! Page furniture: the lines of a saved web page that belong to its site, not to the plan.
//!
//! Plans saved from municipal sites and document-hosting mirrors carry their frame: breadcrumb
//! and menu lines, 「PDF形式のファイルをご覧いただく場合には…Adobe Reader」, お問い合わせ footers,
//! a mirror's 「検索結果がありません / N/A / Category: Documents」. Two stages must not read them
//! as plan text: `reuse` (unrelated plans on one site share them word for word) and passage roles
//! (a passage of them is `other`, not a statement of the plan). This module is the one test of
//! such a line; it sees one normalised line at a time and knows nothing of documents.

use std::sync::LazyLock;

use crate::analysis::is_cjk;
use crate::normalize::normalize;

/// A line whose ASCII letters make at least this share of its non-space characters is a UI
/// line (「Academic year: 2018」, 「Category: Documents」, 「Adobe Reader<外部リンク>」). Japanese
/// plan prose with an acronym or two (「DXの推進によりBPRを進める」) stays far below it.
pub const ASCII_LINE_SHARE: f64 = 0.4;

/// Words of site chrome (compared after normalisation): a line holding one is furniture
/// wherever it is. Each is a word of a page's frame (viewers, navigation, contact footers,
/// the widgets of document-hosting sites), not of a plan's argument.
pub const UI_MARKERS: &[&str] = &[
    "adobe",
    "acrobat",
    "javascript",
    "pdf形式",
    "pdfファイル",
    "ブラウザ",
    "検索結果がありません",
    "読み込み中",
    "全文を見る",
    "copied!",
    "by user",
    "category:",
    "お問い合わせ",
    "お問合せ",
    "このページ",
    "ページの先頭",
    "本文へ",
    "メニューを飛ばして",
    "外部リンク",
    "新しいウィンドウ",
];

/// [`UI_MARKERS`], normalised like the lines they are looked for in.
static NORMALISED_MARKERS: LazyLock<Vec<String>> =
    LazyLock::new(|| UI_MARKERS.iter().map(|m| normalize(m)).collect());

/// A line of site chrome: a UI marker, no Japanese at all, or mostly ASCII letters.
pub fn is_ui_line(line: &str) -> bool {
    if NORMALISED_MARKERS.iter().any(|m| line.contains(m.as_str())) {
        return true;
    }
    let chars = line.chars().filter(|c| !c.is_whitespace()).count();
    let letters = line.chars().filter(char::is_ascii_alphabetic).count();
    !line.chars().any(is_cjk) || letters as f64 >= ASCII_LINE_SHARE * chars as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_chrome_is_furniture_and_plan_text_is_not() {
        for line in ["pdf形式のファイルをご覧いただく場合には", "N/A", "Category: Documents", "19"]
        {
            assert!(is_ui_line(&normalize(line)), "{line}");
        }
        for line in ["DXの推進によりBPRを進める", "(2)民間委託等の推進"] {
            assert!(!is_ui_line(&normalize(line)), "{line}");
        }
    }
}
