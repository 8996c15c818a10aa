//! Columns of a horizontal scan, found in the image before Tesseract sees it.
//!
//! Tesseract's automatic page segmentation (`--psm 3`) reads a two-column page with a title
//! across both columns as blocks in the wrong order (the title's right half after the left
//! column) and, inside a column, splits lines at wide gaps and drops the characters beside
//! them (measured on the two-column LibreOffice scan: 0.884 against 0.993 for the same
//! columns cut apart). So the page is cut here as the text layer cuts its glyphs: a recursive
//! XY cut on the binarised image, preferring a vertical cut at a whitespace gutter with text
//! of several lines on both sides, else a horizontal cut at the widest blank band. When at
//! least one gutter was found, the pieces are stacked one under the other in reading order
//! (each at its own x, consecutive pieces of a column at their own distance), so nothing
//! stands side by side any more, and Tesseract reads the stack as one column (`--psm 4`).
//! Pages without a gutter are left to Tesseract's own segmentation, as before.

use super::{BLANK_INK_SHARE, Gray, INK_LEVEL};

/// A column gutter is a band of blank pixel columns at least this many times the text's line
/// height wide: the gutter of the LibreOffice two-column page is 1.4 lines, while the widest
/// gaps inside a line (a full-width space, 「 after 、) stay below one line height.
const GUTTER_LINES: f32 = 1.0;
/// Each side of a gutter must hold at least this many lines of text: a gap inside one line
/// (第1章　取組の方向, table cells of one row) is not a column break, and cutting there made
/// Tesseract misread the isolated heading (章 as 草).
const MIN_COLUMN_LINES: usize = 2;
/// Each side of a gutter must be at least this share of the region's width, so that a
/// narrow label or list mark beside a block stays on the block's lines, as the text layer
/// keeps narrow sides as rows.
const MIN_COLUMN_SHARE: f32 = 0.2;
/// The line height is measured in this many vertical strips of the page, so that lines of
/// two columns at different heights (or a slight skew) do not merge into one tall band.
const HEIGHT_STRIPS: usize = 8;
/// Ink runs shorter than this (pixels) are specks, not lines, when measuring line height.
const MIN_LINE_PX: usize = 4;
/// Blank margin, in line heights, around the stacked image and between two columns in it (a
/// paragraph break, as Tesseract sees one).
const STACK_GAP_LINES: f32 = 1.0;
/// Consecutive pieces of a column keep their distance up to this many line heights: a wide
/// blank area of the page (a figure left out, the foot of a short column) only makes the
/// stacked image taller, and Tesseract needs no more than a paragraph break there.
const MAX_KEPT_GAP_LINES: usize = 4;

/// A rectangle of the page image, `x0..x1` × `y0..y1` in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rect {
    pub(crate) x0: usize,
    pub(crate) y0: usize,
    pub(crate) x1: usize,
    pub(crate) y1: usize,
}

/// The page's pieces in reading order when it has columns, `None` when no gutter was found
/// (then Tesseract's own segmentation reads the page).
pub(crate) fn column_pieces(gray: &Gray) -> Option<(Vec<Rect>, usize)> {
    let ink = Ink::of(gray);
    let line = ink.line_height();
    let gutter = ((GUTTER_LINES * line as f32) as usize).max(1);
    let mut pieces = Vec::new();
    let mut found_gutter = false;
    // Regions still to cut, the next in reading order on top.
    let mut todo = vec![Rect { x0: 0, y0: 0, x1: ink.width, y1: ink.height }];
    while let Some(region) = todo.pop() {
        let Some(region) = ink.trim(region) else { continue };
        if let Some((left, right)) = ink.vertical_cut(region, gutter) {
            found_gutter = true;
            todo.push(right);
            todo.push(left);
        } else if let Some((top, bottom)) = ink.horizontal_cut(region) {
            todo.push(bottom);
            todo.push(top);
        } else {
            pieces.push(region);
        }
    }
    found_gutter.then_some((pieces, line))
}

/// The pieces one under the other, each at its own x: pieces that follow each other down a
/// column keep their distance, a piece that starts higher than the last one ended (the top
/// of the next column) starts after a paragraph gap.
pub(crate) fn stack(gray: &Gray, pieces: &[Rect], line: usize) -> Gray {
    let gap = ((STACK_GAP_LINES * line as f32) as usize).max(1);
    let mut tops = Vec::with_capacity(pieces.len());
    let mut height = gap;
    let mut previous: Option<Rect> = None;
    for piece in pieces {
        if let Some(previous) = previous {
            height += if piece.y0 >= previous.y1 {
                (piece.y0 - previous.y1).min(MAX_KEPT_GAP_LINES * gap)
            } else {
                gap
            };
        }
        tops.push(height);
        height += piece.y1 - piece.y0;
        previous = Some(*piece);
    }
    height += gap;
    let width = gray.width;
    let mut pixels = vec![255u8; width * height];
    for (piece, top) in pieces.iter().zip(tops) {
        for y in piece.y0..piece.y1 {
            let from = y * width;
            let to = (top + y - piece.y0) * width;
            pixels[to + piece.x0..to + piece.x1]
                .copy_from_slice(&gray.pixels[from + piece.x0..from + piece.x1]);
        }
    }
    Gray { width, height, pixels }
}

/// The binarised page.
struct Ink {
    width: usize,
    height: usize,
    dark: Vec<bool>,
}

impl Ink {
    fn of(gray: &Gray) -> Ink {
        let dark = gray.pixels.iter().map(|&p| p < INK_LEVEL).collect();
        Ink { width: gray.width, height: gray.height, dark }
    }

    fn at(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// Ink per row and per column of a region.
    fn profiles(&self, r: Rect) -> (Vec<usize>, Vec<usize>) {
        let mut rows = vec![0; r.y1 - r.y0];
        let mut columns = vec![0; r.x1 - r.x0];
        for y in r.y0..r.y1 {
            let row = &self.dark[y * self.width + r.x0..y * self.width + r.x1];
            for (column, _) in columns.iter_mut().zip(row).filter(|(_, dark)| **dark) {
                *column += 1;
                rows[y - r.y0] += 1;
            }
        }
        (rows, columns)
    }

    /// The region shrunk to its ink; `None` when it has none.
    fn trim(&self, r: Rect) -> Option<Rect> {
        let (rows, columns) = self.profiles(r);
        let y0 = rows.iter().position(|&n| n > 0)?;
        let y1 = rows.iter().rposition(|&n| n > 0)? + 1;
        let x0 = columns.iter().position(|&n| n > 0)?;
        let x1 = columns.iter().rposition(|&n| n > 0)? + 1;
        Some(Rect { x0: r.x0 + x0, y0: r.y0 + y0, x1: r.x0 + x1, y1: r.y0 + y1 })
    }

    /// The median height of the ink bands in vertical strips of the page: the line height.
    fn line_height(&self) -> usize {
        let step = self.width.div_ceil(HEIGHT_STRIPS).max(1);
        let mut heights = Vec::new();
        for x0 in (0..self.width).step_by(step) {
            let x1 = (x0 + step).min(self.width);
            let inked = (0..self.height).map(|y| (x0..x1).any(|x| self.at(x, y)));
            heights.extend(runs(inked, true).into_iter().map(|(a, b)| b - a));
        }
        heights.retain(|&h| h >= MIN_LINE_PX);
        heights.sort_unstable();
        heights.get(heights.len() / 2).copied().unwrap_or(MIN_LINE_PX)
    }

    /// The widest gutter of the region with enough text on both sides, cut in its middle.
    fn vertical_cut(&self, r: Rect, gutter: usize) -> Option<(Rect, Rect)> {
        let (_, columns) = self.profiles(r);
        let (width, height) = (r.x1 - r.x0, r.y1 - r.y0);
        let limit = (BLANK_INK_SHARE * height as f32) as usize;
        let min_side = (MIN_COLUMN_SHARE * width as f32) as usize;
        let mut gaps = inner_gaps(columns.iter().map(|&n| n <= limit), columns.len());
        gaps.retain(|&(a, b)| b - a >= gutter && a >= min_side && width - b >= min_side);
        gaps.sort_by_key(|&(a, b)| std::cmp::Reverse(b - a));
        gaps.into_iter().find_map(|(a, b)| {
            let middle = r.x0 + (a + b) / 2;
            let left = Rect { x1: middle, ..r };
            let right = Rect { x0: middle, ..r };
            (self.lines(left) >= MIN_COLUMN_LINES && self.lines(right) >= MIN_COLUMN_LINES)
                .then_some((left, right))
        })
    }

    /// The widest blank band across the region, cut in its middle (so no ink is lost when a
    /// skewed line's ends reach into the band).
    fn horizontal_cut(&self, r: Rect) -> Option<(Rect, Rect)> {
        let (rows, _) = self.profiles(r);
        let limit = (BLANK_INK_SHARE * (r.x1 - r.x0) as f32) as usize;
        let gaps = inner_gaps(rows.iter().map(|&n| n <= limit), rows.len());
        let (a, b) = gaps.into_iter().max_by_key(|&(a, b)| (b - a, std::cmp::Reverse(a)))?;
        let middle = r.y0 + (a + b) / 2;
        Some((Rect { y1: middle, ..r }, Rect { y0: middle, ..r }))
    }

    /// Lines of text in a region: its bands of inked rows.
    fn lines(&self, r: Rect) -> usize {
        let (rows, _) = self.profiles(r);
        runs(rows.iter().map(|&n| n > 0), true).len()
    }
}

/// Runs of `wanted` in a sequence, as index ranges.
fn runs(values: impl Iterator<Item = bool>, wanted: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut end = 0;
    for (i, value) in values.enumerate() {
        end = i + 1;
        match (value == wanted, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, end));
    }
    out
}

/// Runs of blank positions that have ink on both sides (a band at the region's edge is
/// margin, not a gap; and cutting only inside keeps the cut regions shrinking).
fn inner_gaps(blank: impl Iterator<Item = bool>, len: usize) -> Vec<(usize, usize)> {
    runs(blank, true).into_iter().filter(|&(a, b)| a > 0 && b < len).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of `lines` text lines (ink 10 px tall, 6 px apart) in the given x ranges.
    fn page(width: usize, height: usize, blocks: &[(usize, usize, usize, usize)]) -> Gray {
        let mut pixels = vec![255u8; width * height];
        for &(x0, x1, y0, y1) in blocks {
            for y in y0..y1 {
                if (y - y0) % 16 >= 10 {
                    continue;
                }
                for x in x0..x1 {
                    // Characters of 9 px with 1 px between them.
                    if (x - x0) % 10 < 9 {
                        pixels[y * width + x] = 0;
                    }
                }
            }
        }
        Gray { width, height, pixels }
    }

    #[test]
    fn a_title_over_two_columns_reads_title_left_right() {
        // Title across the page, then two columns of lines at different heights.
        let gray = page(400, 300, &[(20, 380, 10, 20), (20, 180, 50, 200), (220, 380, 58, 160)]);
        let (pieces, line) = column_pieces(&gray).expect("a gutter");
        assert_eq!(line, 10);
        assert_eq!(pieces[0].y0, 10, "the title first: {pieces:?}");
        let left_end = pieces.iter().rposition(|p| p.x1 <= 200).expect("left pieces");
        let right_start = pieces.iter().position(|p| p.x0 >= 200).expect("right pieces");
        assert!(left_end < right_start, "the left column before the right: {pieces:?}");
        let stacked = stack(&gray, &pieces, line);
        let ink = |g: &Gray| g.pixels.iter().filter(|&&p| p == 0).count();
        assert_eq!(ink(&stacked), ink(&gray), "no ink lost");
        assert!(stacked.height > gray.height - 40, "{}", stacked.height);
    }

    #[test]
    fn one_column_and_gaps_within_a_line_are_not_columns() {
        let one_column = page(400, 300, &[(20, 380, 10, 200)]);
        assert!(column_pieces(&one_column).is_none());
        // A heading line with a wide space in it, over one column.
        let heading = page(400, 300, &[(20, 100, 10, 20), (140, 300, 10, 20), (20, 380, 40, 200)]);
        assert!(column_pieces(&heading).is_none());
    }
}
