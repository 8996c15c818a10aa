//! Ruled tables: grids found in the rules a page draws, and the text of their cells.
//!
//! In a bordered table a cell's text is often centred in a tall row, so the lines of
//! neighbouring cells sit at different heights and the gaps between lines say little
//! about where a row ends. The borders say it exactly: horizontal rules that run
//! across the whole grid end rows, and vertical rules crossing a row end its cells.

use super::interpreter::Rule;

/// Rules further apart than this (points) do not touch.
const TOUCH: f32 = 2.0;

/// Above this many rules on a page, grids are not looked for (a drawing, not a table).
const MAX_RULES_FOR_GRIDS: usize = 4_000;

/// A ruled table: its outline, its row boundaries and the rules that end cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    pub(crate) x0: f32,
    pub(crate) y0: f32,
    pub(crate) x1: f32,
    pub(crate) y1: f32,
    /// Heights of the boundaries between rows, top first (outline included).
    row_edges: Vec<f32>,
    verticals: Vec<Rule>,
}

impl Grid {
    /// Whether a point (page space) lies inside the grid's outline.
    pub(crate) fn contains(&self, x: f32, y: f32) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }

    /// The row holding height `y`, counted from the top.
    pub(crate) fn row_of(&self, y: f32) -> usize {
        self.row_edges.iter().skip(1).take_while(|&&edge| edge > y).count()
    }

    pub(crate) fn row_count(&self) -> usize {
        self.row_edges.len().saturating_sub(1)
    }

    /// The cell boundaries (x) of a row, left to right, outline included.
    fn column_edges(&self, row: usize) -> Vec<f32> {
        let (Some(&top), Some(&bottom)) = (self.row_edges.get(row), self.row_edges.get(row + 1))
        else {
            return vec![self.x0, self.x1];
        };
        let middle = 0.5 * (top + bottom);
        let mut edges: Vec<f32> = self
            .verticals
            .iter()
            .filter(|v| v.y0 < middle && v.y1 > middle)
            .map(|v| 0.5 * (v.x0 + v.x1))
            .collect();
        edges.push(self.x0);
        edges.push(self.x1);
        levels(edges)
    }

    /// Whether a line of text from `x0` to `x1` on baseline `y` (size `size`) stays
    /// inside one cell, as text in a table does.
    pub(crate) fn holds_in_one_cell(&self, x0: f32, x1: f32, y: f32, size: f32) -> bool {
        let row = self.row_of(y + 0.35 * size);
        let margin = 0.2 * size;
        self.row_of(y + 0.75 * size) == row
            && self.row_of(y) == row
            && self.column_of(row, x0 + margin) == self.column_of(row, x1 - margin)
    }

    /// Whether a line of text from `x0` to `x1` on baseline `y` overlaps the outline.
    pub(crate) fn overlaps(&self, x0: f32, x1: f32, y: f32, size: f32) -> bool {
        let margin = 0.3 * size;
        x1 - margin > self.x0 && x0 + margin < self.x1 && y + 0.75 * size > self.y0 && y < self.y1
    }

    /// The cell of a row holding abscissa `x`, counted from the left.
    pub(crate) fn column_of(&self, row: usize, x: f32) -> usize {
        self.column_edges(row).iter().skip(1).take_while(|&&edge| edge < x).count()
    }
}

/// Distinct values, sorted, with values closer than [`TOUCH`] counted once.
fn levels(mut values: Vec<f32>) -> Vec<f32> {
    values.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for value in values {
        if out.last().is_none_or(|&last| value - last > TOUCH) {
            out.push(value);
        }
    }
    out
}

fn touches(p: &Rule, q: &Rule) -> bool {
    p.x0 <= q.x1 + TOUCH && q.x0 <= p.x1 + TOUCH && p.y0 <= q.y1 + TOUCH && q.y0 <= p.y1 + TOUCH
}

fn find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Groups rules into sets that touch one another (one drawn figure each).
fn connected(rules: &[Rule]) -> Vec<Vec<Rule>> {
    let mut parent: Vec<usize> = (0..rules.len()).collect();
    for i in 0..rules.len() {
        for j in i + 1..rules.len() {
            if touches(&rules[i], &rules[j]) {
                let (a, b) = (find_root(&mut parent, i), find_root(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<Rule>> = Default::default();
    for (i, rule) in rules.iter().enumerate() {
        groups.entry(find_root(&mut parent, i)).or_default().push(*rule);
    }
    groups.into_values().collect()
}

/// How much of `lo..hi` the union of the intervals covers.
fn covered(mut intervals: Vec<(f32, f32)>, lo: f32, hi: f32) -> f32 {
    intervals.sort_by(|p, q| p.0.total_cmp(&q.0));
    let mut total = 0.0;
    let mut reach = lo;
    for (start, end) in intervals {
        let (start, end) = (start.max(reach), end.min(hi));
        if end > start {
            total += end - start;
            reach = end;
        }
    }
    total
}

/// Heights where horizontal rules run across (nearly) the whole width, top first.
fn full_width_rows(horizontals: &[Rule], x0: f32, x1: f32, y0: f32, y1: f32) -> Vec<f32> {
    let mut candidates: Vec<f32> = horizontals.iter().map(|h| 0.5 * (h.y0 + h.y1)).collect();
    candidates.extend([y0, y1]);
    let mut edges: Vec<f32> = levels(candidates)
        .into_iter()
        .filter(|&y| {
            let spans = horizontals
                .iter()
                .filter(|h| (0.5 * (h.y0 + h.y1) - y).abs() <= TOUCH)
                .map(|h| (h.x0 - TOUCH, h.x1 + TOUCH))
                .collect();
            y == y0 || y == y1 || covered(spans, x0, x1) >= 0.9 * (x1 - x0)
        })
        .collect();
    edges.reverse();
    edges
}

/// Whether rules draw the whole outline of the box: a table is closed on all sides,
/// while a diagram's touching boxes and arrows rarely are.
fn is_closed(horizontals: &[Rule], verticals: &[Rule], outline: (f32, f32, f32, f32)) -> bool {
    let (x0, y0, x1, y1) = outline;
    let across = |y: f32| {
        let spans = horizontals
            .iter()
            .filter(|h| (0.5 * (h.y0 + h.y1) - y).abs() <= TOUCH)
            .map(|h| (h.x0 - TOUCH, h.x1 + TOUCH))
            .collect();
        covered(spans, x0, x1) >= 0.95 * (x1 - x0)
    };
    let down = |x: f32| {
        let spans = verticals
            .iter()
            .filter(|v| (0.5 * (v.x0 + v.x1) - x).abs() <= TOUCH)
            .map(|v| (v.y0 - TOUCH, v.y1 + TOUCH))
            .collect();
        covered(spans, y0, y1) >= 0.95 * (y1 - y0)
    };
    across(y0) && across(y1) && down(x0) && down(x1)
}

/// Whether every rule ends on a rule across it, as the borders of cells do; an arrow
/// or a box set inside a frame ends in the open or in the middle of a line.
fn is_lattice(horizontals: &[Rule], verticals: &[Rule]) -> bool {
    let on_vertical = |x: f32, y: f32| {
        verticals.iter().any(|v| {
            (0.5 * (v.x0 + v.x1) - x).abs() <= TOUCH && v.y0 - TOUCH <= y && y <= v.y1 + TOUCH
        })
    };
    let on_horizontal = |x: f32, y: f32| {
        horizontals.iter().any(|h| {
            (0.5 * (h.y0 + h.y1) - y).abs() <= TOUCH && h.x0 - TOUCH <= x && x <= h.x1 + TOUCH
        })
    };
    let horizontals_end = horizontals.iter().all(|h| {
        let y = 0.5 * (h.y0 + h.y1);
        on_vertical(h.x0, y) && on_vertical(h.x1, y)
    });
    let verticals_end = verticals.iter().all(|v| {
        let x = 0.5 * (v.x0 + v.x1);
        on_horizontal(x, v.y0) && on_horizontal(x, v.y1)
    });
    horizontals_end && verticals_end
}

fn grid_of(figure: Vec<Rule>) -> Option<Grid> {
    let x0 = figure.iter().map(|r| r.x0).fold(f32::INFINITY, f32::min);
    let x1 = figure.iter().map(|r| r.x1).fold(f32::NEG_INFINITY, f32::max);
    let y0 = figure.iter().map(|r| r.y0).fold(f32::INFINITY, f32::min);
    let y1 = figure.iter().map(|r| r.y1).fold(f32::NEG_INFINITY, f32::max);
    let (horizontals, verticals): (Vec<Rule>, Vec<Rule>) =
        figure.into_iter().partition(Rule::is_horizontal);
    if horizontals.is_empty() || verticals.is_empty() || x1 - x0 < 20.0 || y1 - y0 < 10.0 {
        return None;
    }
    if !is_closed(&horizontals, &verticals, (x0, y0, x1, y1))
        || !is_lattice(&horizontals, &verticals)
    {
        return None;
    }
    let row_edges = full_width_rows(&horizontals, x0, x1, y0, y1);
    let grid = Grid { x0, y0, x1, y1, row_edges, verticals };
    let cells: usize = (0..grid.row_count()).map(|row| grid.column_edges(row).len() - 1).sum();
    (cells >= 2).then_some(grid)
}

/// The ruled grids of a page: figures of touching rules with at least two cells.
pub(crate) fn find_grids(rules: &[Rule]) -> Vec<Grid> {
    if rules.len() > MAX_RULES_FOR_GRIDS {
        return Vec::new();
    }
    let mut grids: Vec<Grid> = connected(rules).into_iter().filter_map(grid_of).collect();
    grids.sort_by(|p, q| q.y1.total_cmp(&p.y1));
    grids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(x0: f32, x1: f32, y: f32) -> Rule {
        Rule { x0, y0: y, x1, y1: y }
    }

    fn v(x: f32, y0: f32, y1: f32) -> Rule {
        Rule { x0: x, y0, x1: x, y1 }
    }

    #[test]
    fn a_ruled_table_has_rows_at_full_rules_and_cells_at_crossing_rules() {
        // Two rows; the lower row's first cell is cut by a rule only in the upper row.
        let rules = vec![
            h(0.0, 100.0, 100.0),
            h(0.0, 50.0, 60.0),
            h(50.0, 100.0, 60.0),
            h(0.0, 100.0, 0.0),
            v(0.0, 0.0, 100.0),
            v(50.0, 0.0, 100.0),
            v(100.0, 0.0, 100.0),
            v(25.0, 60.0, 100.0),
        ];
        let grids = find_grids(&rules);
        assert_eq!(grids.len(), 1);
        let grid = &grids[0];
        assert_eq!(grid.row_count(), 2);
        assert_eq!(grid.row_of(80.0), 0);
        assert_eq!(grid.row_of(30.0), 1);
        assert_eq!(grid.column_of(0, 30.0), 1);
        assert_eq!(grid.column_of(1, 30.0), 0);
        assert_eq!(grid.column_of(1, 75.0), 1);
    }

    #[test]
    fn a_lone_box_or_underline_is_not_a_grid() {
        let box_rules =
            vec![h(0.0, 100.0, 0.0), h(0.0, 100.0, 50.0), v(0.0, 0.0, 50.0), v(100.0, 0.0, 50.0)];
        assert!(find_grids(&box_rules).is_empty());
        assert!(find_grids(&[h(0.0, 100.0, 10.0)]).is_empty());
    }

    #[test]
    fn a_frame_with_a_dangling_arrow_is_a_diagram_not_a_grid() {
        let rules = vec![
            h(0.0, 100.0, 0.0),
            h(0.0, 100.0, 50.0),
            h(0.0, 100.0, 100.0),
            v(0.0, 0.0, 100.0),
            v(100.0, 0.0, 100.0),
            // An arrow from the middle line into the lower box, ending in the open.
            v(50.0, 20.0, 50.0),
        ];
        assert!(find_grids(&rules).is_empty());
        assert_eq!(find_grids(&rules[..5]).len(), 1);
    }
}
