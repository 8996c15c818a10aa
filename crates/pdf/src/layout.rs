//! Layout: from placed glyphs to text in reading order.
//!
//! Glyphs are first turned into *reading coordinates*: `a` runs along a line in reading
//! direction, `c` runs across lines in reading order (downwards for horizontal text,
//! right to left for vertical text). Everything after that is direction-free:
//! glyphs → fragments (runs on one baseline) → a recursive XY cut that prefers columns
//! (gaps in `a`) and keeps table rows together → paragraphs joined as a reader would.
//! Reading order therefore comes from positions, never from the drawing order.
//! Horizontal text inside a ruled grid (see `grid`) is read cell by cell instead.

use unicode_normalization::UnicodeNormalization;

use super::grid::Grid;
use super::interpreter::PlacedGlyph;

/// The four orientations a run of text can have on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Orientation {
    Horizontal,
    Vertical,
    Upside,
    Upward,
}

/// A run of glyphs on one baseline with no wide gap, in reading coordinates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fragment {
    pub(crate) text: String,
    pub(crate) a0: f32,
    pub(crate) a1: f32,
    pub(crate) c: f32,
    pub(crate) size: f32,
    pub(crate) orientation: Orientation,
    /// Bounding box on the page: (x0, y0, x1, y1), y upwards.
    pub(crate) bbox: (f32, f32, f32, f32),
}

impl Fragment {
    fn c_lo(&self) -> f32 {
        self.c - 0.7 * self.size
    }
    fn c_hi(&self) -> f32 {
        self.c + 0.3 * self.size
    }
}

#[derive(Debug, Clone)]
struct Oriented {
    text: String,
    a0: f32,
    a1: f32,
    c: f32,
    size: f32,
    orientation: Orientation,
    x: f32,
    y: f32,
}

/// The centre line and top of a glyph, for seeing glyphs stacked into a vertical line.
fn centre_and_top(glyph: &PlacedGlyph) -> (f32, f32) {
    if glyph.vertical_font {
        glyph.start
    } else {
        let advance = (glyph.end.0 - glyph.start.0).max(0.0);
        (glyph.start.0 + 0.5 * advance, glyph.start.1 + 0.88 * glyph.size)
    }
}

/// Marks upright glyphs that a producer placed one below the other (vertical text set
/// glyph by glyph with a horizontal font), judged from consecutive glyphs in drawing order.
fn stacked_glyphs(glyphs: &[PlacedGlyph]) -> Vec<bool> {
    let mut stacked = vec![false; glyphs.len()];
    for i in 1..glyphs.len() {
        let (prev, next) = (&glyphs[i - 1], &glyphs[i]);
        let size = prev.size.max(next.size).max(0.1);
        let (px, ptop) = centre_and_top(prev);
        let (nx, ntop) = centre_and_top(next);
        let drop = ptop - ntop;
        if (px - nx).abs() < 0.3 * size && drop > 0.5 * size && drop < 1.8 * size {
            stacked[i - 1] = true;
            stacked[i] = true;
        }
    }
    stacked
}

/// The middle of a Latin glyph's body above its baseline, in ems (x-height to cap height is
/// 0.5–0.7 em): where a word turned sideways in a vertical line is centred across it.
const ROTATED_BODY_CENTRE: f32 = 0.35;

fn orient(glyph: &PlacedGlyph, stacked: bool) -> Oriented {
    let (x0, y0) = glyph.start;
    let (x1, y1) = glyph.end;
    let (dx, dy) = (x1 - x0, y1 - y0);
    let size = glyph.size.max(0.1);
    let turned = dy.abs() > dx.abs() && dy < 0.0;
    if stacked && !glyph.vertical_font && dx >= 0.0 && !turned {
        let (centre, top) = centre_and_top(glyph);
        return Oriented {
            text: glyph.text.clone(),
            a0: -top,
            a1: -top + size,
            c: -centre,
            size,
            orientation: Orientation::Vertical,
            x: x0,
            y: y0,
        };
    }
    let (orientation, a0, a1, c) = if glyph.vertical_font {
        (Orientation::Vertical, -y0, -y1, -x0)
    } else if turned {
        // A horizontal glyph turned a quarter clockwise (Latin words in vertical lines):
        // its baseline is the left edge of the line, its body lies to the right of it.
        (Orientation::Vertical, -y0, -y1, -(x0 + ROTATED_BODY_CENTRE * size))
    } else if dy.abs() > dx.abs() {
        (Orientation::Upward, y0, y1, x0)
    } else if dx < 0.0 {
        (Orientation::Upside, -x0, -x1, y0)
    } else {
        (Orientation::Horizontal, x0, x1, -y0)
    };
    let a1 = if a1 - a0 < 0.05 * size { a0 + 0.5 * size } else { a1 };
    Oriented { text: glyph.text.clone(), a0, a1, c, size, orientation, x: x0, y: y0 }
}

pub(crate) fn is_cjk(ch: char) -> bool {
    matches!(ch as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Builds fragments from the glyphs of one page.
pub(crate) fn fragments(glyphs: &[PlacedGlyph]) -> Vec<Fragment> {
    let stacked = stacked_glyphs(glyphs);
    let mut oriented: Vec<Oriented> = glyphs
        .iter()
        .zip(stacked)
        .filter(|(g, _)| !g.text.is_empty() && g.start.0.is_finite() && g.start.1.is_finite())
        .map(|(g, stacked)| orient(g, stacked))
        .collect();
    adopt_upright_glyphs(&mut oriented);
    oriented.sort_by(|p, q| {
        p.orientation.cmp(&q.orientation).then(p.c.total_cmp(&q.c)).then(p.a0.total_cmp(&q.a0))
    });
    let mut out = Vec::new();
    let mut line: Vec<Oriented> = Vec::new();
    for glyph in oriented {
        let joins = line.first().is_some_and(|first| {
            first.orientation == glyph.orientation
                && (glyph.c - first.c).abs()
                    <= 0.4 * first.size.min(glyph.size).max(0.5 * first.size)
        });
        if !joins && !line.is_empty() {
            split_line(std::mem::take(&mut line), &mut out);
        }
        line.push(glyph);
    }
    if !line.is_empty() {
        split_line(line, &mut out);
    }
    out
}

/// On a page of vertical text, upright glyphs that do not form a horizontal run of at
/// least three (list numbers placed one by one, digits set across the line, 縦中横)
/// belong to the vertical lines they sit in.
fn adopt_upright_glyphs(glyphs: &mut [Oriented]) {
    let count = |orientation| glyphs.iter().filter(|g| g.orientation == orientation).count();
    if count(Orientation::Vertical) <= 2 * count(Orientation::Horizontal) {
        return;
    }
    let mut horizontal: Vec<usize> =
        (0..glyphs.len()).filter(|&i| glyphs[i].orientation == Orientation::Horizontal).collect();
    horizontal.sort_by(|&p, &q| {
        glyphs[p].c.total_cmp(&glyphs[q].c).then(glyphs[p].a0.total_cmp(&glyphs[q].a0))
    });
    let mut run: Vec<usize> = Vec::new();
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for index in horizontal {
        let joins = run.last().is_some_and(|&last| {
            let (prev, next) = (&glyphs[last], &glyphs[index]);
            (next.c - prev.c).abs() < 0.2 * prev.size
                && (-0.1 * prev.size..0.5 * prev.size).contains(&(next.a0 - prev.a1))
        });
        if !joins && !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
        run.push(index);
    }
    runs.push(run);
    let vertical_size = median(
        glyphs.iter().filter(|g| g.orientation == Orientation::Vertical).map(|g| g.size).collect(),
    )
    .unwrap_or(10.0);
    for short in runs.into_iter().filter(|run| run.len() < 3) {
        // A larger title (a masthead) keeps its own direction.
        for index in short {
            let glyph = &mut glyphs[index];
            if glyph.size > 1.1 * vertical_size {
                continue;
            }
            let centre = 0.5 * (glyph.a0 + glyph.a1);
            let top = glyph.y + 0.88 * glyph.size;
            glyph.orientation = Orientation::Vertical;
            glyph.a0 = -top;
            glyph.a1 = -top + glyph.size;
            glyph.c = -centre;
        }
    }
}

/// Vertical presentation forms (︵, ︑) stand for ordinary punctuation.
fn push_glyph_text(text: &mut String, glyph: &str) {
    for ch in glyph.chars() {
        if matches!(ch as u32, 0xFE10..=0xFE19 | 0xFE30..=0xFE4F) {
            text.extend(std::iter::once(ch).nfkc());
        } else {
            text.push(ch);
        }
    }
}

/// Splits one baseline's glyphs into fragments at wide gaps, dropping overprinted copies
/// (fake bold) of the same glyph.
fn split_line(mut line: Vec<Oriented>, out: &mut Vec<Fragment>) {
    // Same start: digits set side by side across a vertical line read left to right.
    line.sort_by(|p, q| p.a0.total_cmp(&q.a0).then(q.c.total_cmp(&p.c)));
    let vertical = line.first().is_some_and(|g| g.orientation == Orientation::Vertical);
    let max_gap = if vertical { 0.75 } else { 1.0 };
    let mut current: Vec<Oriented> = Vec::new();
    for glyph in line {
        if let Some(last) = current.last() {
            // Fake bold: the same glyph drawn again a hair to the side.
            let advance = (last.a1 - last.a0).abs();
            let duplicate = last.text == glyph.text
                && (glyph.a0 - last.a0).abs() < (0.3 * last.size).min(0.5 * advance);
            if duplicate {
                continue;
            }
            if glyph.a0 - last.a1 > max_gap * last.size.max(glyph.size) {
                out.extend(make_fragment(std::mem::take(&mut current)));
            }
        }
        current.push(glyph);
    }
    if !current.is_empty() {
        out.extend(make_fragment(current));
    }
}

fn is_blank(glyph: &Oriented) -> bool {
    glyph.text.chars().all(char::is_whitespace)
}

/// Joins glyphs into a fragment. Space glyphs only separate words (they also keep a
/// spaced heading like 第1章　総則 in one fragment); blank fragments are dropped.
fn make_fragment(mut glyphs: Vec<Oriented>) -> Option<Fragment> {
    while glyphs.last().is_some_and(is_blank) {
        glyphs.pop();
    }
    let first_visible = glyphs.iter().position(|g| !is_blank(g))?;
    glyphs.drain(..first_visible);
    let mut text = String::new();
    let mut previous: Option<&Oriented> = None;
    let mut pending_space: Option<char> = None;
    for glyph in &glyphs {
        if is_blank(glyph) {
            let wide = glyph.text.contains('\u{3000}');
            pending_space = Some(if wide { '\u{3000}' } else { pending_space.unwrap_or(' ') });
            continue;
        }
        if let Some(prev) = previous {
            let gap = glyph.a0 - prev.a1;
            let cjk_pair = prev.text.chars().last().is_some_and(is_cjk)
                && glyph.text.chars().next().is_some_and(is_cjk);
            // A wide gap between Japanese characters is a real space (第1章　はじめに).
            let by_gap = (gap > 0.15 * prev.size && !cjk_pair) || gap > 0.6 * prev.size;
            if let Some(space) = pending_space.filter(|_| !cjk_pair || gap > 0.6 * prev.size) {
                text.push(if cjk_pair { '\u{3000}' } else { space });
            } else if by_gap {
                text.push(if cjk_pair { '\u{3000}' } else { ' ' });
            }
        }
        pending_space = None;
        push_glyph_text(&mut text, &glyph.text);
        previous = Some(glyph);
    }
    glyphs.retain(|g| !is_blank(g));
    let a0 = glyphs.iter().map(|g| g.a0).fold(f32::INFINITY, f32::min);
    let mut a1 = glyphs.iter().map(|g| g.a1).fold(f32::NEG_INFINITY, f32::max);
    // Hanging punctuation (ぶら下げ) sticks out past the line end: it should not close
    // the gap to the next column or tier.
    if let Some(last) = glyphs.last()
        && matches!(last.text.as_str(), "、" | "。" | "，" | "．" | "," | "." | "︑" | "︒" | "︐")
        && glyphs.len() > 1
    {
        a1 = a1.min(last.a0 + 0.1 * last.size);
    }
    let size = median(glyphs.iter().map(|g| g.size).collect()).unwrap_or(10.0);
    let c = median(glyphs.iter().map(|g| g.c).collect()).unwrap_or(0.0);
    let xs = glyphs.iter().map(|g| g.x);
    let ys = glyphs.iter().map(|g| g.y);
    let bbox = (
        xs.clone().fold(f32::INFINITY, f32::min),
        ys.clone().fold(f32::INFINITY, f32::min),
        xs.fold(f32::NEG_INFINITY, f32::max) + size,
        ys.fold(f32::NEG_INFINITY, f32::max) + size,
    );
    let orientation = glyphs.first().map_or(Orientation::Horizontal, |g| g.orientation);
    Some(Fragment { text, a0, a1, c, size, orientation, bbox })
}

pub(crate) fn median(mut values: Vec<f32>) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f32::total_cmp);
    Some(values[values.len() / 2])
}

/// Text of a page region in reading order, with heading lines marked.
#[derive(Debug, Default)]
pub(crate) struct PageText {
    pub(crate) text: String,
    /// Byte offsets of heading lines and their levels.
    pub(crate) headings: Vec<(usize, u8)>,
}

/// Lays out the fragments of one page into text, reading the cells of ruled `grids`.
pub(crate) fn page_text(fragments: Vec<Fragment>, grids: &[Grid]) -> PageText {
    for f in &fragments {
        tracing::trace!(
            "{:?} a={:.1}..{:.1} c={:.1} s={:.1} {}",
            f.orientation,
            f.a0,
            f.a1,
            f.c,
            f.size,
            f.text
        );
    }
    let body_size = median(fragments.iter().map(|f| f.size).collect()).unwrap_or(10.0);
    let mut groups: Vec<Vec<Fragment>> = Vec::new();
    for orientation in
        [Orientation::Horizontal, Orientation::Vertical, Orientation::Upside, Orientation::Upward]
    {
        let group: Vec<Fragment> =
            fragments.iter().filter(|f| f.orientation == orientation).cloned().collect();
        if !group.is_empty() {
            groups.push(group);
        }
    }
    // Mixed pages: the group that starts higher on the page comes first.
    groups.sort_by(|p, q| top_of(q).total_cmp(&top_of(p)));
    let mut out = PageText::default();
    for group in groups {
        let horizontal = group.first().is_some_and(|f| f.orientation == Orientation::Horizontal);
        if horizontal && !grids.is_empty() {
            render_around_grids(group, grids, body_size, &mut out);
            continue;
        }
        render_part(group, body_size, &mut out);
    }
    out
}

fn render_part(fragments: Vec<Fragment>, body_size: f32, out: &mut PageText) {
    let node = cut(fragments, body_size);
    if !out.text.is_empty() {
        out.text.push('\n');
    }
    render(&node, body_size, out);
}

/// Where a horizontal fragment sits for grid purposes: its first character's middle.
fn anchor(fragment: &Fragment) -> (f32, f32) {
    let first = fragment.text.chars().next().map_or(1.0, |ch| if is_cjk(ch) { 1.0 } else { 0.5 });
    (fragment.a0 + 0.5 * first * fragment.size, -fragment.c + 0.35 * fragment.size)
}

/// Lays out horizontal text with the ruled grids read as tables, each in its place
/// between the text above and below it.
fn render_around_grids(group: Vec<Fragment>, grids: &[Grid], body_size: f32, out: &mut PageText) {
    let mut inside: Vec<Vec<Fragment>> = vec![Vec::new(); grids.len()];
    let mut outside: Vec<Fragment> = Vec::new();
    for fragment in group {
        let (x, y) = anchor(&fragment);
        match grids.iter().position(|grid| grid.contains(x, y)) {
            Some(index) => inside[index].push(fragment),
            None => outside.push(fragment),
        }
    }
    let mut used: Vec<(&Grid, Vec<Fragment>)> = Vec::new();
    for (grid, fragments) in grids.iter().zip(inside) {
        if fragments.is_empty() {
            continue;
        }
        let table = reads_as_table(grid, &fragments, &outside);
        tracing::debug!(
            "grid {:.0},{:.0}..{:.0},{:.0}: {} rows, {} fragments, read as a table: {table}",
            grid.x0,
            grid.y0,
            grid.x1,
            grid.y1,
            grid.row_count(),
            fragments.len()
        );
        if table {
            used.push((grid, fragments));
        } else {
            outside.extend(fragments);
        }
    }
    let mut between: Vec<Vec<Fragment>> = vec![Vec::new(); used.len() + 1];
    for fragment in outside {
        let (_, y) = anchor(&fragment);
        let above = used.iter().filter(|(grid, _)| 0.5 * (grid.y0 + grid.y1) > y).count();
        between[above].push(fragment);
    }
    let mut parts = between.into_iter();
    for (grid, fragments) in used {
        if let Some(text) = parts.next().filter(|part| !part.is_empty()) {
            render_part(text, body_size, out);
        }
        let table = grid_text(grid, fragments);
        if !table.is_empty() {
            if !out.text.is_empty() {
                out.text.push('\n');
            }
            out.text.push_str(&table);
        }
    }
    for rest in parts.filter(|part| !part.is_empty()) {
        render_part(rest, body_size, out);
    }
}

/// A grid is read as a table only when its text keeps to the cells: no line crosses a
/// rule and no line outside runs into it (a diagram drawn with boxes does not).
fn reads_as_table(grid: &Grid, inside: &[Fragment], outside: &[Fragment]) -> bool {
    let crossing = inside.iter().find(|f| !grid.holds_in_one_cell(f.a0, f.a1, -f.c, f.size));
    let running_in = outside.iter().find(|f| grid.overlaps(f.a0, f.a1, -f.c, f.size));
    if let Some(f) = crossing.or(running_in) {
        tracing::debug!("not a table: {} crosses a rule", f.text);
    }
    crossing.is_none() && running_in.is_none()
}

/// The text of a ruled table: a line per row, cells separated by tabs, each cell's
/// lines joined as wrapped text.
fn grid_text(grid: &Grid, fragments: Vec<Fragment>) -> String {
    let mut cells: Vec<Vec<Vec<Fragment>>> = vec![Vec::new(); grid.row_count().max(1)];
    for fragment in fragments {
        let (x, y) = anchor(&fragment);
        let row = grid.row_of(y).min(cells.len() - 1);
        let column = grid.column_of(row, x);
        let row_cells = &mut cells[row];
        if row_cells.len() <= column {
            row_cells.resize(column + 1, Vec::new());
        }
        row_cells[column].push(fragment);
    }
    let rows: Vec<String> = cells
        .iter()
        .map(|row| row.iter().map(|cell| cell_text(cell)).collect::<Vec<_>>().join("\t"))
        .map(|row| row.trim_end_matches('\t').to_owned())
        .filter(|row| !row.is_empty())
        .collect();
    rows.join("\n")
}

fn cell_text(fragments: &[Fragment]) -> String {
    let mut text = String::new();
    for line in leaf_lines(fragments) {
        join_wrapped(&mut text, line.text.trim());
    }
    text
}

fn top_of(fragments: &[Fragment]) -> f32 {
    fragments.iter().map(|f| f.bbox.3).fold(f32::NEG_INFINITY, f32::max)
}

#[derive(Debug)]
enum Node {
    Leaf(Vec<Fragment>),
    /// Text columns side by side, in reading order.
    Columns(Vec<Node>),
    /// Parts side by side that may be the cells of a table row, in reading order.
    Row(Vec<Node>),
    /// Parts one after the other across lines.
    Stack(Vec<Node>),
    /// The cells of one table row, each possibly of several lines.
    TableRow(Vec<Node>),
}

/// Splits items into groups separated by gaps wider than `min_gap` on one axis.
fn split_by_gaps(
    mut items: Vec<Fragment>,
    axis: fn(&Fragment) -> (f32, f32),
    min_gap: f32,
) -> Vec<Vec<Fragment>> {
    items.sort_by(|p, q| axis(p).0.total_cmp(&axis(q).0));
    let mut groups: Vec<Vec<Fragment>> = Vec::new();
    let mut reach = f32::NEG_INFINITY;
    for item in items {
        let (lo, hi) = axis(&item);
        match groups.last_mut() {
            Some(group) if lo - reach <= min_gap => group.push(item),
            _ => groups.push(vec![item]),
        }
        reach = reach.max(hi);
    }
    groups
}

fn along(f: &Fragment) -> (f32, f32) {
    (f.a0, f.a1)
}

fn across(f: &Fragment) -> (f32, f32) {
    (f.c_lo(), f.c_hi())
}

fn gutter(size: f32) -> f32 {
    0.8 * size
}

fn cut(fragments: Vec<Fragment>, size: f32) -> Node {
    if fragments.len() <= 1 {
        return Node::Leaf(fragments);
    }
    let columns = split_by_gaps(fragments.clone(), along, gutter(size));
    if columns.len() > 1 && is_column_layout(&columns, size) {
        return Node::Columns(columns.into_iter().map(|part| cut(part, size)).collect());
    }
    let slabs = split_by_gaps(fragments, across, 0.0);
    if let Some(gutter) = find_gutter(&slabs, size) {
        return split_at_gutter(slabs, &gutter, size);
    }
    if slabs.len() == 1 {
        let parts =
            split_by_gaps(slabs.into_iter().next().unwrap_or_default(), along, gutter(size));
        return if parts.len() > 1 {
            Node::Row(parts.into_iter().map(Node::Leaf).collect())
        } else {
            Node::Leaf(parts.into_iter().flatten().collect())
        };
    }
    let mut groups: Vec<(SlabKind, Vec<Fragment>)> = Vec::new();
    for slab in slabs {
        let kind = slab_kind(&slab, size);
        let merge = match (groups.last().map(|(kind, _)| *kind), kind) {
            (Some(SlabKind::Plain), SlabKind::Plain) => true,
            (Some(SlabKind::Columns), SlabKind::Columns | SlabKind::Plain)
            | (Some(SlabKind::Plain), SlabKind::Columns) => {
                groups.last().is_some_and(|(_, group)| merged_is_columns(group, &slab, size))
            }
            (Some(SlabKind::Cells), SlabKind::Cells | SlabKind::Plain) => {
                groups.last().is_some_and(|(_, group)| cells_align(group, &slab, size))
            }
            _ => false,
        };
        match groups.last_mut() {
            Some((group_kind, group)) if merge => {
                group.extend(slab);
                if kind == SlabKind::Columns {
                    *group_kind = SlabKind::Columns;
                }
            }
            _ => groups.push((kind, slab)),
        }
    }
    if groups.len() == 1 {
        let (kind, only) = groups.pop().unwrap_or((SlabKind::Plain, Vec::new()));
        if kind == SlabKind::Cells {
            return table(only, size);
        }
        let columns = split_by_gaps(only.clone(), along, gutter(size));
        if columns.len() > 1 {
            return Node::Row(columns.into_iter().map(|part| cut(part, size)).collect());
        }
        return Node::Leaf(only);
    }
    Node::Stack(
        groups
            .into_iter()
            .map(
                |(kind, group)| {
                    if kind == SlabKind::Cells { table(group, size) } else { cut(group, size) }
                },
            )
            .collect(),
    )
}

/// The narrowest band free of text, in ems, that still separates two columns once the
/// free gaps of consecutive lines are intersected (column gaps are 1.5–3 em; the gap
/// between two words of one Latin line is a third of an em).
const MIN_GUTTER_EM: f32 = 0.5;
/// Lines with text on both sides of a gutter needed before it counts as one: three lines
/// side by side are the least a text column has (two could be a label and its value).
const MIN_TWO_SIDED_LINES: usize = 3;
/// Of the lines a gutter runs through, the share that must have text on both sides: a band
/// beside a long one-sided stretch is a margin or an indent, not a gutter.
const MIN_TWO_SIDED_SHARE: f32 = 0.5;
/// Both sides of a gutter must be at least this wide, in ems, to be text columns; narrower
/// sides are the cells of a table or a label column, read row by row.
const MIN_COLUMN_EM: f32 = 10.0;

/// A whitespace gutter: a band `lo..hi` along the lines that is free of text in the
/// consecutive slabs `first..=last`, with text on both sides of it in `two_sided` of them.
#[derive(Debug, Clone, PartialEq)]
struct Gutter {
    first: usize,
    last: usize,
    lo: f32,
    hi: f32,
    two_sided: usize,
}

/// The free intervals along a slab: the complement of its text, gaps narrower than a
/// gutter ignored; the first and last interval run to the page edges.
fn free_intervals(slab: &[Fragment], size: f32) -> Vec<(f32, f32, bool)> {
    let parts = split_by_gaps(slab.to_vec(), along, gutter(size));
    let mut free = Vec::with_capacity(parts.len() + 1);
    let mut reach = f32::NEG_INFINITY;
    for part in &parts {
        let lo = part.iter().map(|f| f.a0).fold(f32::INFINITY, f32::min);
        let hi = part.iter().map(|f| f.a1).fold(f32::NEG_INFINITY, f32::max);
        // The flag tells whether there is text on both sides of the interval.
        free.push((reach, lo, reach.is_finite()));
        reach = reach.max(hi);
    }
    free.push((reach, f32::INFINITY, false));
    free
}

/// Finds the gutter that separates text columns: a band of whitespace running through
/// consecutive lines (a whitespace cover, as in Breuel's layout analysis and pdfminer's
/// column detection) rather than a gap that only some lines show. Short lines in one
/// column (a menu, list items) therefore cannot turn the page into table rows.
fn find_gutter(slabs: &[Vec<Fragment>], size: f32) -> Option<Gutter> {
    if slabs.len() < MIN_TWO_SIDED_LINES {
        return None;
    }
    let free: Vec<Vec<(f32, f32, bool)>> =
        slabs.iter().map(|slab| free_intervals(slab, size)).collect();
    let min_width = MIN_GUTTER_EM * size;
    let mut best: Option<Gutter> = None;
    for (seed, intervals) in free.iter().enumerate() {
        for &(lo, hi, inner) in intervals {
            if !inner || hi - lo < min_width {
                continue;
            }
            let gutter = grow_gutter(&free, seed, lo, hi, min_width);
            let better = best.as_ref().is_none_or(|b| {
                (gutter.two_sided, gutter.hi - gutter.lo) > (b.two_sided, b.hi - b.lo)
            });
            if better && gutter_separates_columns(slabs, &gutter, size) {
                best = Some(gutter);
            }
        }
    }
    best
}

/// Extends a free band from the slab `seed` up and down while the lines keep it free.
fn grow_gutter(
    free: &[Vec<(f32, f32, bool)>],
    seed: usize,
    lo: f32,
    hi: f32,
    min_width: f32,
) -> Gutter {
    let mut gutter = Gutter { first: seed, last: seed, lo, hi, two_sided: 1 };
    let step = |index: usize, gutter: &mut Gutter| -> bool {
        let overlap = free[index]
            .iter()
            .map(|&(l, h, inner)| (gutter.lo.max(l), gutter.hi.min(h), inner))
            .filter(|(l, h, _)| h - l >= min_width)
            .max_by(|p, q| (p.1 - p.0).total_cmp(&(q.1 - q.0)));
        let Some((l, h, inner)) = overlap else { return false };
        gutter.lo = l;
        gutter.hi = h;
        gutter.two_sided += usize::from(inner);
        true
    };
    while gutter.last + 1 < free.len() && step(gutter.last + 1, &mut gutter) {
        gutter.last += 1;
    }
    while gutter.first > 0 && step(gutter.first - 1, &mut gutter) {
        gutter.first -= 1;
    }
    gutter
}

/// Whether the text on the two sides of a gutter reads as two columns: enough lines side by
/// side, most of the band's lines two-sided, and both sides as wide as text columns.
fn gutter_separates_columns(slabs: &[Vec<Fragment>], gutter: &Gutter, size: f32) -> bool {
    let lines = gutter.last - gutter.first + 1;
    if gutter.two_sided < MIN_TWO_SIDED_LINES
        || (gutter.two_sided as f32) < MIN_TWO_SIDED_SHARE * lines as f32
    {
        return false;
    }
    let (mut left, mut right) =
        ((f32::INFINITY, f32::NEG_INFINITY), (f32::INFINITY, f32::NEG_INFINITY));
    for fragment in slabs[gutter.first..=gutter.last].iter().flatten() {
        let side = if fragment.a1 <= gutter.lo { &mut left } else { &mut right };
        side.0 = side.0.min(fragment.a0);
        side.1 = side.1.max(fragment.a1);
    }
    let wide = |(lo, hi): (f32, f32)| hi - lo >= MIN_COLUMN_EM * size;
    wide(left) && wide(right)
}

/// The slabs above a gutter, the two columns beside it, and the slabs below it.
fn split_at_gutter(slabs: Vec<Vec<Fragment>>, gutter: &Gutter, size: f32) -> Node {
    let mut parts = Vec::new();
    let (mut above, mut left, mut right, mut below) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (index, slab) in slabs.into_iter().enumerate() {
        if index < gutter.first {
            above.extend(slab);
        } else if index > gutter.last {
            below.extend(slab);
        } else {
            for fragment in slab {
                if fragment.a1 <= gutter.lo { left.push(fragment) } else { right.push(fragment) }
            }
        }
    }
    if !above.is_empty() {
        parts.push(cut(above, size));
    }
    parts.push(Node::Columns(vec![cut(left, size), cut(right, size)]));
    if !below.is_empty() {
        parts.push(cut(below, size));
    }
    if parts.len() == 1 {
        parts.pop().unwrap_or(Node::Leaf(Vec::new()))
    } else {
        Node::Stack(parts)
    }
}

/// Whether a slab continues a table: it bridges none of the table's column gaps.
fn cells_align(group: &[Fragment], slab: &[Fragment], size: f32) -> bool {
    let before = split_by_gaps(group.to_vec(), along, gutter(size)).len();
    let mut merged = group.to_vec();
    merged.extend_from_slice(slab);
    let after = split_by_gaps(merged, along, gutter(size)).len();
    before >= 2 && after == before
}

/// A table: cells by the column gaps; rows end at the wider gaps between lines (rows of
/// several lines), or at every line when the lines are evenly spaced (one-line rows).
fn table(fragments: Vec<Fragment>, size: f32) -> Node {
    let lines = split_by_gaps(fragments, across, 0.0);
    let extent = |line: &Vec<Fragment>| {
        let lo = line.iter().map(Fragment::c_lo).fold(f32::INFINITY, f32::min);
        let hi = line.iter().map(Fragment::c_hi).fold(f32::NEG_INFINITY, f32::max);
        (lo, hi)
    };
    let gaps: Vec<f32> = lines.windows(2).map(|w| extent(&w[1]).0 - extent(&w[0]).1).collect();
    let typical = median(gaps.clone()).unwrap_or(0.0);
    let wide_gap = |gap: f32| gap > (1.5 * typical).max(typical + 0.3 * size);
    let uneven = gaps.iter().any(|&gap| wide_gap(gap));
    let mut rows: Vec<Vec<Fragment>> = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        let new_row = i == 0 || !uneven || wide_gap(gaps[i - 1]);
        match rows.last_mut() {
            Some(row) if !new_row => row.extend(line),
            _ => rows.push(line),
        }
    }
    let rows: Vec<Node> = rows
        .into_iter()
        .map(|row| {
            let cells = split_by_gaps(row, along, gutter(size));
            if cells.len() == 1 {
                Node::Leaf(cells.into_iter().flatten().collect())
            } else {
                Node::TableRow(cells.into_iter().map(Node::Leaf).collect())
            }
        })
        .collect();
    Node::Stack(rows)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlabKind {
    /// One run across the line: ordinary text.
    Plain,
    /// Wide parts side by side: lines of text columns.
    Columns,
    /// Narrow parts side by side: a table row or a label and its value.
    Cells,
}

fn slab_kind(slab: &[Fragment], size: f32) -> SlabKind {
    let parts = split_by_gaps(slab.to_vec(), along, gutter(size));
    if parts.len() == 1 {
        SlabKind::Plain
    } else if is_column_slice(&parts, size) {
        SlabKind::Columns
    } else {
        SlabKind::Cells
    }
}

/// Side-by-side parts are text columns when there are few of them and each is wide.
/// Parts with several lines must all be wide; short parts (a signature, a lone
/// caption) may sit beside them.
fn is_column_layout(parts: &[Vec<Fragment>], size: f32) -> bool {
    column_layout_with(parts, size, 3, 12.0)
}

/// The test of [`is_column_layout`] for a thin slice of the page (one or two lines):
/// the lines of text columns need not align, so one slice may hold a single line of
/// each column; such parts must be clearly wider than table cells.
fn is_column_slice(parts: &[Vec<Fragment>], size: f32) -> bool {
    column_layout_with(parts, size, 1, 12.0)
}

fn column_layout_with(parts: &[Vec<Fragment>], size: f32, min_lines: usize, min_em: f32) -> bool {
    let wide = |part: &Vec<Fragment>| {
        let lo = part.iter().map(|f| f.a0).fold(f32::INFINITY, f32::min);
        let hi = part.iter().map(|f| f.a1).fold(f32::NEG_INFINITY, f32::max);
        hi - lo >= min_em * size
    };
    let lines: Vec<usize> = parts.iter().map(|part| line_count(part)).collect();
    parts.len() <= 6
        && parts.iter().filter(|part| wide(part)).count() >= 2
        && parts.iter().zip(&lines).all(|(part, n)| *n < 3 || wide(part) || is_debris(part))
        && lines.iter().max().copied().unwrap_or(0) >= min_lines
}

/// Scattered pieces of one or two characters (a masthead, list numbers), not a column.
fn is_debris(part: &[Fragment]) -> bool {
    let chars: usize = part.iter().map(|f| f.text.chars().count()).sum();
    chars <= 3 * part.len()
}

fn line_count(part: &[Fragment]) -> usize {
    split_by_gaps(part.to_vec(), across, 0.0).len()
}

fn merged_is_columns(group: &[Fragment], slab: &[Fragment], size: f32) -> bool {
    let mut merged = group.to_vec();
    merged.extend_from_slice(slab);
    let parts = split_by_gaps(merged, along, gutter(size));
    parts.len() > 1 && is_column_slice(&parts, size)
}

fn render(node: &Node, body_size: f32, out: &mut PageText) {
    match node {
        Node::Leaf(fragments) => render_leaf(fragments, body_size, out),
        Node::Stack(parts) | Node::Columns(parts) => {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.text.push('\n');
                }
                render(part, body_size, out);
            }
        }
        Node::TableRow(cells) => {
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    out.text.push('\t');
                }
                let mut text = PageText::default();
                render(cell, body_size, &mut text);
                let mut joined = String::new();
                for line in text.text.lines() {
                    join_wrapped(&mut joined, line.trim());
                }
                out.text.push_str(&joined);
            }
        }
        Node::Row(parts) => {
            let mut rendered: Vec<PageText> = Vec::new();
            for part in parts {
                let mut text = PageText::default();
                render(part, body_size, &mut text);
                rendered.push(text);
            }
            let single_lines = rendered.iter().all(|part| !part.text.trim_end().contains('\n'));
            let separator = if single_lines { '\t' } else { '\n' };
            for (i, part) in rendered.into_iter().enumerate() {
                if i > 0 {
                    out.text.push(separator);
                }
                let base = out.text.len();
                out.headings.extend(part.headings.iter().map(|(at, level)| (at + base, *level)));
                out.text.push_str(part.text.trim_end());
            }
        }
    }
}

/// One visual line of a leaf: fragments on the same baseline.
struct Line {
    text: String,
    a0: f32,
    a1: f32,
    c: f32,
    size: f32,
}

fn leaf_lines(fragments: &[Fragment]) -> Vec<Line> {
    let mut sorted = fragments.to_vec();
    sorted.sort_by(|p, q| p.c.total_cmp(&q.c).then(p.a0.total_cmp(&q.a0)));
    let mut lines: Vec<Line> = Vec::new();
    let mut run: Vec<Fragment> = Vec::new();
    for fragment in sorted {
        if run.first().is_some_and(|first| (fragment.c - first.c).abs() > 0.4 * first.size) {
            lines.push(join_run(std::mem::take(&mut run)));
        }
        run.push(fragment);
    }
    if !run.is_empty() {
        lines.push(join_run(run));
    }
    lines
}

fn join_run(mut run: Vec<Fragment>) -> Line {
    run.sort_by(|p, q| p.a0.total_cmp(&q.a0));
    let mut text = String::new();
    for (i, fragment) in run.iter().enumerate() {
        if i > 0 {
            let gap = fragment.a0 - run[i - 1].a1;
            text.push(if gap > 2.0 * fragment.size { '\t' } else { ' ' });
        }
        text.push_str(&fragment.text);
    }
    Line {
        text,
        a0: run.first().map_or(0.0, |f| f.a0),
        a1: run.last().map_or(0.0, |f| f.a1),
        c: run.first().map_or(0.0, |f| f.c),
        size: median(run.iter().map(|f| f.size).collect()).unwrap_or(10.0),
    }
}

pub(crate) fn heading_level(size: f32, body_size: f32) -> Option<u8> {
    let ratio = size / body_size.max(0.1);
    if ratio >= 1.8 {
        Some(1)
    } else if ratio >= 1.4 {
        Some(2)
    } else if ratio >= 1.2 {
        Some(3)
    } else {
        None
    }
}

fn render_leaf(fragments: &[Fragment], body_size: f32, out: &mut PageText) {
    let lines = leaf_lines(fragments);
    let left = lines.iter().map(|l| l.a0).fold(f32::INFINITY, f32::min);
    let right = lines.iter().map(|l| l.a1).fold(f32::NEG_INFINITY, f32::max);
    let pitch = median(lines.windows(2).map(|w| w[1].c - w[0].c).collect()).unwrap_or(0.0);
    for (i, line) in lines.iter().enumerate() {
        let heading = heading_level(line.size, body_size);
        if i > 0 {
            let prev = &lines[i - 1];
            let paragraph_break = heading.is_some()
                || prev.text.contains('\t')
                || has_leader(&prev.text)
                || heading_level(prev.size, body_size).is_some()
                || line.c - prev.c > 1.4 * pitch.max(prev.size)
                || prev.a1 < right - 1.5 * prev.size
                || line.a0 > left + 0.8 * line.size
                || (line.size - prev.size).abs() > 0.2 * prev.size;
            if paragraph_break {
                out.text.push('\n');
            } else {
                join_wrapped(&mut out.text, &line.text);
                continue;
            }
        }
        if let Some(level) = heading {
            out.headings.push((out.text.len(), level));
        }
        out.text.push_str(&line.text);
    }
}

/// Whether a line carries a dot leader (a table-of-contents entry), which ends a line.
fn has_leader(text: &str) -> bool {
    let mut run = 0;
    for ch in text.chars() {
        run = if matches!(ch, '.' | '・' | '·' | '‥' | '…' | '．' | '･') {
            run + 1
        } else {
            0
        };
        if run >= 3 {
            return true;
        }
    }
    false
}

/// Appends a wrapped continuation line: no space between Japanese characters, a space
/// between Latin words, and English hyphenation undone.
pub(crate) fn join_wrapped(text: &mut String, next: &str) {
    let last = text.chars().last();
    let first = next.chars().next();
    match (last, first) {
        (Some('-'), Some(f)) if f.is_ascii_lowercase() => {
            let before = text.chars().rev().nth(1);
            if before.is_some_and(|b| b.is_ascii_lowercase()) {
                text.pop();
            } else {
                text.push(' ');
            }
        }
        (Some(l), Some(f)) if !is_cjk(l) && !is_cjk(f) && !l.is_whitespace() => text.push(' '),
        _ => {}
    }
    text.push_str(next);
}

#[cfg(test)]
mod tests {
    use super::super::interpreter::Rule;
    use super::*;

    fn glyphs_of(text: &str, x: f32, y: f32, size: f32) -> Vec<PlacedGlyph> {
        text.chars()
            .enumerate()
            .map(|(i, ch)| {
                let x0 = x + i as f32 * size;
                PlacedGlyph {
                    text: ch.to_string(),
                    start: (x0, y),
                    end: (x0 + size, y),
                    size,
                    vertical_font: false,
                }
            })
            .collect()
    }

    fn vertical_glyphs(text: &str, x: f32, y: f32, size: f32) -> Vec<PlacedGlyph> {
        text.chars()
            .enumerate()
            .map(|(i, ch)| {
                let y0 = y - i as f32 * size;
                PlacedGlyph {
                    text: ch.to_string(),
                    start: (x, y0),
                    end: (x, y0 - size),
                    size,
                    vertical_font: true,
                }
            })
            .collect()
    }

    #[test]
    fn lines_drawn_in_reverse_come_out_in_reading_order() {
        let mut glyphs = glyphs_of("三行目です", 50.0, 660.0, 10.0);
        glyphs.extend(glyphs_of("二行目です", 50.0, 680.0, 10.0));
        glyphs.extend(glyphs_of("一行目です", 50.0, 700.0, 10.0));
        let text = page_text(fragments(&glyphs), &[]).text;
        assert_eq!(text, "一行目です二行目です三行目です");
    }

    #[test]
    fn vertical_columns_read_right_to_left() {
        let mut glyphs = vertical_glyphs("左の列", 100.0, 700.0, 10.0);
        glyphs.extend(vertical_glyphs("右の列", 120.0, 700.0, 10.0));
        assert_eq!(page_text(fragments(&glyphs), &[]).text, "右の列左の列");
    }

    #[test]
    fn two_columns_read_left_column_first() {
        let mut glyphs = Vec::new();
        for row in 0..4 {
            let y = 700.0 - row as f32 * 15.0;
            glyphs.extend(glyphs_of(&format!("右段{row}の文章はここにあります"), 320.0, y, 10.0));
            glyphs.extend(glyphs_of(&format!("左段{row}の文章はここにあります"), 50.0, y, 10.0));
        }
        let text = page_text(fragments(&glyphs), &[]).text;
        let left = text.find("左段3").unwrap();
        let right = text.find("右段0").unwrap();
        assert!(left < right, "{text}");
    }

    #[test]
    fn short_lines_beside_a_column_do_not_make_a_table() {
        // Regression (issue 10): a title across the page, then a left column whose first
        // lines are short (menu lines) beside the right column's lines at the same heights
        // was read as table rows, `left <TAB> right`.
        let mut glyphs =
            glyphs_of("第5次行政改革推進計画（令和6年度～令和10年度）の概要", 50.0, 740.0, 16.0);
        let left = [
            "きせかえ",
            "文字サイズ",
            "ホーム",
            "左段の本文はここから始まり長く続きます",
            "左段の本文の二行目も長く続いています",
        ];
        for (row, line) in left.iter().enumerate() {
            glyphs.extend(glyphs_of(line, 50.0, 700.0 - row as f32 * 15.0, 10.0));
        }
        for row in 0..5 {
            let line = format!("右段{row}の文章はここにあって長く続きます");
            glyphs.extend(glyphs_of(&line, 300.0, 700.0 - row as f32 * 15.0, 10.0));
        }
        let text = page_text(fragments(&glyphs), &[]).text;
        assert!(!text.contains('\t'), "{text}");
        assert!(text.find("二行目").unwrap() < text.find("右段0").unwrap(), "{text}");
        assert!(text.starts_with("第5次"), "{text}");
    }

    #[test]
    fn a_narrow_label_column_is_still_read_row_by_row() {
        // Labels beside values are rows, not two text columns, however many there are.
        let mut glyphs = Vec::new();
        for (row, label) in ["目的", "期間", "体系", "対象"].iter().enumerate() {
            let y = 700.0 - row as f32 * 15.0;
            glyphs.extend(glyphs_of(label, 50.0, y, 10.0));
            glyphs.extend(glyphs_of(&format!("値{row}の説明がここに入ります"), 200.0, y, 10.0));
        }
        let text = page_text(fragments(&glyphs), &[]).text;
        assert!(text.starts_with("目的\t値0"), "{text}");
    }

    #[test]
    fn a_latin_word_turned_in_a_vertical_line_stays_in_the_line() {
        // Regression (Chromium, vertical-rl): NPO, drawn turned a quarter clockwise, became
        // a line of its own and cut its vertical line in two.
        let mut glyphs = Vec::new();
        let mut y = 700.0;
        for ch in "自治会や".chars() {
            glyphs.push(PlacedGlyph {
                text: ch.into(),
                start: (95.0, y),
                end: (105.0, y),
                size: 10.0,
                vertical_font: false,
            });
            y -= 10.0;
        }
        // The turned word starts at the top of the next character's em box.
        y += 8.8;
        for ch in "NPO".chars() {
            let start = (96.5, y);
            y -= 6.0;
            glyphs.push(PlacedGlyph {
                text: ch.into(),
                start,
                end: (96.5, y),
                size: 10.0,
                vertical_font: false,
            });
        }
        y -= 8.8;
        for ch in "との連携".chars() {
            glyphs.push(PlacedGlyph {
                text: ch.into(),
                start: (95.0, y),
                end: (105.0, y),
                size: 10.0,
                vertical_font: false,
            });
            y -= 10.0;
        }
        assert_eq!(page_text(fragments(&glyphs), &[]).text, "自治会やNPOとの連携");
    }

    #[test]
    fn table_rows_keep_row_order_with_tabs() {
        let mut glyphs = glyphs_of("項目", 50.0, 700.0, 10.0);
        glyphs.extend(glyphs_of("金額", 200.0, 700.0, 10.0));
        glyphs.extend(glyphs_of("人件費", 50.0, 685.0, 10.0));
        glyphs.extend(glyphs_of("100", 200.0, 685.0, 10.0));
        assert_eq!(page_text(fragments(&glyphs), &[]).text, "項目\t金額\n人件費\t100");
    }

    #[test]
    fn narrow_double_letters_are_not_taken_for_fake_bold() {
        // Regression: the second `l` of "Hello" (advance 0.22 em) was dropped.
        let advances = [0.72, 0.56, 0.22, 0.22, 0.56];
        let mut x = 50.0;
        let mut glyphs = Vec::new();
        for (ch, advance) in "Hello".chars().zip(advances) {
            let end = x + advance * 10.0;
            glyphs.push(PlacedGlyph {
                text: ch.to_string(),
                start: (x, 700.0),
                end: (end, 700.0),
                size: 10.0,
                vertical_font: false,
            });
            x = end;
        }
        let mut bold = glyphs[0].clone();
        bold.start.0 += 0.3;
        bold.end.0 += 0.3;
        glyphs.push(bold);
        assert_eq!(page_text(fragments(&glyphs), &[]).text, "Hello");
    }

    #[test]
    fn a_drawn_ideographic_space_keeps_a_heading_in_one_piece() {
        // Regression: 第1章　取組の方向 came out as two table cells.
        let mut glyphs = glyphs_of("第1章", 50.0, 700.0, 16.0);
        glyphs.extend(glyphs_of("\u{3000}", 98.0, 700.0, 16.0));
        glyphs.extend(glyphs_of("取組の方向", 114.0, 700.0, 16.0));
        assert_eq!(page_text(fragments(&glyphs), &[]).text, "第1章\u{3000}取組の方向");
    }

    #[test]
    fn vertical_tiers_read_one_after_the_other_despite_hanging_commas() {
        // Regression: lines of the upper and lower tier were paired with tabs.
        let mut glyphs = Vec::new();
        for (i, x) in [300.0, 285.0, 270.0].into_iter().enumerate() {
            glyphs.extend(vertical_glyphs(
                &format!("上段{i}の文章はここまで続く、"),
                x,
                700.0,
                10.0,
            ));
            glyphs.extend(vertical_glyphs(
                &format!("下段{i}の文章はここから始まる"),
                x,
                552.0,
                10.0,
            ));
        }
        let text = page_text(fragments(&glyphs), &[]).text;
        assert!(text.find("上段2").unwrap() < text.find("下段0").unwrap(), "{text}");
        assert!(!text.contains('\t'), "{text}");
    }

    #[test]
    fn table_cells_of_several_lines_stay_in_their_row() {
        // Regression: lines of a multi-line cell were interleaved with the next cells.
        let mut glyphs = glyphs_of("第一", 50.0, 700.0, 10.0);
        for (i, line) in ["説明の一行目", "説明の二行目", "説明の三行目"].iter().enumerate()
        {
            glyphs.extend(glyphs_of(line, 200.0, 700.0 - 15.0 * i as f32, 10.0));
        }
        glyphs.extend(glyphs_of("第二", 50.0, 640.0, 10.0));
        glyphs.extend(glyphs_of("次の説明", 200.0, 640.0, 10.0));
        assert_eq!(
            page_text(fragments(&glyphs), &[]).text,
            "第一\t説明の一行目説明の二行目説明の三行目\n第二\t次の説明"
        );
    }

    fn ruled_grid(columns: &[f32], rows: &[f32]) -> Vec<Grid> {
        let (left, right) = (columns[0], columns[columns.len() - 1]);
        let (top, bottom) = (rows[0], rows[rows.len() - 1]);
        let mut rules: Vec<Rule> =
            rows.iter().map(|&y| Rule { x0: left, y0: y, x1: right, y1: y }).collect();
        rules.extend(columns.iter().map(|&x| Rule { x0: x, y0: bottom, x1: x, y1: top }));
        super::super::grid::find_grids(&rules)
    }

    #[test]
    fn ruled_table_cells_centred_in_a_tall_row_stay_in_their_row() {
        // Regression (tokorozawa.pdf): in a tall row, a two-line cell centred beside a
        // four-line cell was cut at the gaps between lines and interleaved with it.
        let mut glyphs = glyphs_of("目標", 45.0, 705.0, 10.0);
        glyphs.extend(glyphs_of("取組", 145.0, 705.0, 10.0));
        glyphs.extend(glyphs_of("指標", 405.0, 705.0, 10.0));
        for (i, line) in
            ["取組の一行目", "取組の二行目", "取組の三行目", "取組の四行目"].iter().enumerate()
        {
            glyphs.extend(glyphs_of(line, 145.0, 685.0 - 18.0 * i as f32, 10.0));
        }
        glyphs.extend(glyphs_of("縦横の障壁を", 45.0, 667.0, 10.0));
        glyphs.extend(glyphs_of("なくす", 45.0, 649.0, 10.0));
        glyphs.extend(glyphs_of("前年比", 405.0, 658.0, 10.0));
        glyphs.extend(glyphs_of("次の目標", 45.0, 610.0, 10.0));
        glyphs.extend(glyphs_of("次の取組", 145.0, 610.0, 10.0));
        let grids = ruled_grid(&[40.0, 140.0, 400.0, 480.0], &[720.0, 700.0, 625.0, 600.0]);
        assert_eq!(grids.len(), 1);
        assert_eq!(
            page_text(fragments(&glyphs), &grids).text,
            "目標\t取組\t指標\n\
             縦横の障壁をなくす\t取組の一行目取組の二行目取組の三行目取組の四行目\t前年比\n\
             次の目標\t次の取組"
        );
    }

    #[test]
    fn text_above_and_below_a_ruled_table_keeps_its_place() {
        let mut glyphs = glyphs_of("表の前の文", 40.0, 740.0, 10.0);
        glyphs.extend(glyphs_of("左", 45.0, 705.0, 10.0));
        glyphs.extend(glyphs_of("右", 145.0, 705.0, 10.0));
        glyphs.extend(glyphs_of("表の後の文", 40.0, 670.0, 10.0));
        let grids = ruled_grid(&[40.0, 140.0, 240.0], &[720.0, 700.0]);
        assert_eq!(page_text(fragments(&glyphs), &grids).text, "表の前の文\n左\t右\n表の後の文");
    }

    #[test]
    fn wrapped_latin_words_get_a_space_and_hyphens_are_undone() {
        let mut text = String::from("admini-");
        join_wrapped(&mut text, "stration of");
        join_wrapped(&mut text, "plans");
        assert_eq!(text, "administration of plans");
    }
}
