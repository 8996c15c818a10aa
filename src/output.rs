//! The one owner of stdout and stderr: data goes to stdout, messages and progress to stderr.
//!
//! Everything the tool prints passes through here, so progress bars, logs and data never
//! interleave, and `NO_COLOR` / non-terminal output is handled in one place.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};

use unicode_width::UnicodeWidthStr;

/// Writes a line of data to stdout. A closed pipe (e.g. `| head`) is not an error.
pub fn data(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

/// Writes raw bytes of data to stdout (for binary or pre-formatted output).
pub fn data_raw(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

/// Writes a message for the user to stderr.
pub fn message(line: &str) {
    eprintln!("{line}");
}

/// Writes a warning to stderr.
pub fn warning(line: &str) {
    eprintln!("warning: {line}");
}

/// Whether stdout is a terminal on which we may use bold text.
pub fn stdout_styled() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Whether progress bars should be drawn on stderr.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Display width of text in a terminal: CJK characters take two columns.
pub fn display_width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts `text` to at most `width` terminal columns, adding `…` when it was cut.
pub fn truncate_to_width(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

/// Pads `text` with spaces to `width` terminal columns (left-aligned).
pub fn pad_to_width(text: &str, width: usize) -> String {
    let w = display_width(text);
    if w >= width { text.to_owned() } else { format!("{text}{}", " ".repeat(width - w)) }
}

/// Renders rows as a table whose columns line up in a terminal, Japanese included.
/// Every column but the last is padded; the first row is the header.
pub fn render_table(rows: &[Vec<String>]) -> String {
    let n_cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n_cols)
        .map(|col| {
            rows.iter().filter_map(|row| row.get(col)).map(|c| display_width(c)).max().unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> =
            row.iter()
                .enumerate()
                .map(|(col, cell)| {
                    if col + 1 == row.len() {
                        cell.clone()
                    } else {
                        pad_to_width(cell, widths[col])
                    }
                })
                .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_columns_line_up() {
        let table =
            render_table(&[vec!["市".into(), "件数".into()], vec!["苫小牧市".into(), "3".into()]]);
        let lines: Vec<&str> = table.lines().collect();
        let col = |line: &str| display_width(&line[..line.rfind(' ').unwrap() + 1]);
        assert_eq!(col(lines[0]), col(lines[1]));
    }

    #[test]
    fn truncation_respects_display_width() {
        let cut = truncate_to_width("公共施設の老朽化対策", 9);
        assert!(display_width(&cut) <= 9, "{cut}");
        assert!(cut.ends_with('…'));
    }
}
