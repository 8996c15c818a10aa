//! The content-stream interpreter: runs a page's operators (text state, text and
//! graphics matrices, Form XObjects, marked content) and emits every shown glyph with
//! its Unicode text, its position on the page, its size and its writing direction.
//!
//! It draws nothing: only what layout needs is tracked, which includes the straight
//! horizontal and vertical strokes of paths (table rules), since a ruled table's
//! borders say where its rows and cells end better than the gaps between lines do.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::Font;
use super::objects::{self, Budget, LimitHit};

/// A 2×3 affine matrix `[a b c d e f]` as in PDF.
pub(crate) type Matrix = [f32; 6];

pub(crate) const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m1 × m2` in PDF's row-vector convention (apply m1 first).
pub(crate) fn multiply(m1: &Matrix, m2: &Matrix) -> Matrix {
    [
        m1[0] * m2[0] + m1[1] * m2[2],
        m1[0] * m2[1] + m1[1] * m2[3],
        m1[2] * m2[0] + m1[3] * m2[2],
        m1[2] * m2[1] + m1[3] * m2[3],
        m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
        m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
    ]
}

pub(crate) fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

/// One glyph placed on the page, in page space (y grows upwards).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlacedGlyph {
    pub(crate) text: String,
    /// Where the glyph starts and where the next one would start.
    pub(crate) start: (f32, f32),
    pub(crate) end: (f32, f32),
    /// The font size on the page (the height of an em).
    pub(crate) size: f32,
    /// Set by a vertical (WMode 1) font.
    pub(crate) vertical_font: bool,
}

/// A straight horizontal or vertical line drawn on the page (y upwards), with
/// `x0 <= x1` and `y0 <= y1`: a table rule, a box edge or an underline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rule {
    pub(crate) x0: f32,
    pub(crate) y0: f32,
    pub(crate) x1: f32,
    pub(crate) y1: f32,
}

impl Rule {
    /// The segment from `p` to `q` as a rule, if it runs (nearly) straight across or down.
    fn between(p: (f32, f32), q: (f32, f32)) -> Option<Rule> {
        let (dx, dy) = ((q.0 - p.0).abs(), (q.1 - p.1).abs());
        let finite = p.0.is_finite() && p.1.is_finite() && q.0.is_finite() && q.1.is_finite();
        let straight = (dy <= 1.0 && dx >= 3.0) || (dx <= 1.0 && dy >= 3.0);
        (finite && straight).then(|| Rule {
            x0: p.0.min(q.0),
            y0: p.1.min(q.1),
            x1: p.0.max(q.0),
            y1: p.1.max(q.1),
        })
    }

    pub(crate) fn is_horizontal(&self) -> bool {
        self.x1 - self.x0 > self.y1 - self.y0
    }
}

/// Rules kept per page: enough for any table, bounded against hostile content.
const MAX_RULES: usize = 20_000;

/// The path being built: its segments' ends in page space, the current point and
/// where the current subpath started.
#[derive(Debug, Default)]
struct PathState {
    segments: Vec<((f32, f32), (f32, f32))>,
    current: Option<(f32, f32)>,
    start: Option<(f32, f32)>,
}

#[derive(Debug, Clone)]
struct TextState {
    char_spacing: f32,
    word_spacing: f32,
    horizontal_scale: f32,
    leading: f32,
    font: Rc<Font>,
    size: f32,
    rise: f32,
}

#[derive(Debug, Clone)]
struct GraphicsState {
    ctm: Matrix,
    text: TextState,
}

/// What the interpreter learned beyond the glyphs.
#[derive(Debug, Default)]
pub(crate) struct PageReport {
    pub(crate) unmapped_fonts: Vec<String>,
    pub(crate) broken_streams: usize,
}

/// Interprets content streams, with fonts cached per document.
pub(crate) struct Interpreter<'a> {
    doc: &'a Document,
    budget: &'a Budget,
    fonts: HashMap<ObjectId, Rc<Font>>,
    pub(crate) glyphs: Vec<PlacedGlyph>,
    pub(crate) rules: Vec<Rule>,
    path: PathState,
    pub(crate) report: PageReport,
    state: GraphicsState,
    stack: Vec<GraphicsState>,
    text_matrix: Matrix,
    line_matrix: Matrix,
    /// Form XObjects being run, for cycle detection.
    forms: Vec<ObjectId>,
    /// Marked-content stack: `Some(text)` for spans with `/ActualText`.
    marked: Vec<Option<ActualText>>,
    operations: usize,
}

#[derive(Debug)]
struct ActualText {
    text: String,
    glyph: Option<usize>,
}

impl<'a> Interpreter<'a> {
    pub(crate) fn new(doc: &'a Document, budget: &'a Budget) -> Self {
        let text = TextState {
            char_spacing: 0.0,
            word_spacing: 0.0,
            horizontal_scale: 1.0,
            leading: 0.0,
            font: Rc::new(Font::fallback()),
            size: 0.0,
            rise: 0.0,
        };
        Interpreter {
            doc,
            budget,
            fonts: HashMap::new(),
            glyphs: Vec::new(),
            rules: Vec::new(),
            path: PathState::default(),
            report: PageReport::default(),
            state: GraphicsState { ctm: IDENTITY, text },
            stack: Vec::new(),
            text_matrix: IDENTITY,
            line_matrix: IDENTITY,
            forms: Vec::new(),
            marked: Vec::new(),
            operations: 0,
        }
    }

    /// Runs one page's content with its resources, starting from `ctm`.
    pub(crate) fn run_page(
        &mut self,
        content: &[u8],
        resources: &Dictionary,
        ctm: Matrix,
    ) -> Result<(), LimitHit> {
        self.glyphs.clear();
        self.rules.clear();
        self.path = PathState::default();
        self.report = PageReport::default();
        self.state.ctm = ctm;
        self.stack.clear();
        self.marked.clear();
        self.run(content, resources)
    }

    fn run(&mut self, content: &[u8], resources: &Dictionary) -> Result<(), LimitHit> {
        for operation in Content::decode_iter(content) {
            let Ok(operation) = operation else {
                self.report.broken_streams += 1;
                break;
            };
            self.operations += 1;
            if self.operations.is_multiple_of(4096) {
                self.budget.check_time()?;
            }
            self.execute(&operation.operator, &operation.operands, resources)?;
        }
        Ok(())
    }

    fn num(&self, operands: &[Object], index: usize) -> f32 {
        operands.get(index).and_then(|o| objects::number(self.doc, o)).unwrap_or(0.0)
    }

    fn execute(
        &mut self,
        operator: &str,
        operands: &[Object],
        resources: &Dictionary,
    ) -> Result<(), LimitHit> {
        match operator {
            "q" if self.stack.len() < 256 => self.stack.push(self.state.clone()),
            "Q" => {
                if let Some(state) = self.stack.pop() {
                    self.state = state;
                }
            }
            "cm" => {
                if let Some(m) = objects::matrix(self.doc, operands) {
                    self.state.ctm = multiply(&m, &self.state.ctm);
                }
            }
            "BT" => {
                self.text_matrix = IDENTITY;
                self.line_matrix = IDENTITY;
            }
            "Tc" => self.state.text.char_spacing = self.num(operands, 0),
            "Tw" => self.state.text.word_spacing = self.num(operands, 0),
            "Tz" => self.state.text.horizontal_scale = self.num(operands, 0) / 100.0,
            "TL" => self.state.text.leading = self.num(operands, 0),
            "Ts" => self.state.text.rise = self.num(operands, 0),
            "Tf" => self.set_font(operands, resources)?,
            "Td" => self.move_line(self.num(operands, 0), self.num(operands, 1)),
            "TD" => {
                self.state.text.leading = -self.num(operands, 1);
                self.move_line(self.num(operands, 0), self.num(operands, 1));
            }
            "Tm" => {
                if let Some(m) = objects::matrix(self.doc, operands) {
                    self.text_matrix = m;
                    self.line_matrix = m;
                }
            }
            "T*" => self.next_line(),
            "Tj" => self.show_operand(operands.first()),
            "'" => {
                self.next_line();
                self.show_operand(operands.first());
            }
            "\"" => {
                self.state.text.word_spacing = self.num(operands, 0);
                self.state.text.char_spacing = self.num(operands, 1);
                self.next_line();
                self.show_operand(operands.get(2));
            }
            "TJ" => self.show_array(operands.first()),
            "Do" => self.do_xobject(operands, resources)?,
            "m" => self.move_to(self.num(operands, 0), self.num(operands, 1)),
            "l" => self.line_to(self.num(operands, 0), self.num(operands, 1)),
            "c" => self.curve_to(self.num(operands, 4), self.num(operands, 5)),
            "v" | "y" => self.curve_to(self.num(operands, 2), self.num(operands, 3)),
            "h" => self.close_path(),
            "re" => self.rectangle(operands),
            "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" => self.paint_path(),
            "n" => self.path = PathState::default(),
            "BMC" => self.marked.push(None),
            "BDC" => {
                let actual = self.actual_text(operands, resources);
                self.marked.push(actual.map(|text| ActualText { text, glyph: None }));
            }
            "EMC" => {
                self.marked.pop();
            }
            _ => {}
        }
        Ok(())
    }

    fn move_to(&mut self, x: f32, y: f32) {
        let point = apply(&self.state.ctm, x, y);
        self.path.current = Some(point);
        self.path.start = Some(point);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let point = apply(&self.state.ctm, x, y);
        if let Some(from) = self.path.current
            && self.path.segments.len() < MAX_RULES
        {
            self.path.segments.push((from, point));
        }
        self.path.current = Some(point);
    }

    /// Curves are not rules: only the current point moves.
    fn curve_to(&mut self, x: f32, y: f32) {
        self.path.current = Some(apply(&self.state.ctm, x, y));
    }

    fn close_path(&mut self) {
        if let (Some(from), Some(to)) = (self.path.current, self.path.start)
            && self.path.segments.len() < MAX_RULES
        {
            self.path.segments.push((from, to));
        }
        self.path.current = self.path.start;
    }

    fn rectangle(&mut self, operands: &[Object]) {
        let (x, y) = (self.num(operands, 0), self.num(operands, 1));
        let (w, h) = (self.num(operands, 2), self.num(operands, 3));
        self.move_to(x, y);
        self.line_to(x + w, y);
        self.line_to(x + w, y + h);
        self.line_to(x, y + h);
        self.close_path();
    }

    /// A painted path leaves its straight segments as rules (a thin filled bar gives
    /// its two long edges).
    fn paint_path(&mut self) {
        let path = std::mem::take(&mut self.path);
        let room = MAX_RULES.saturating_sub(self.rules.len());
        let rules = path.segments.into_iter().filter_map(|(p, q)| Rule::between(p, q));
        self.rules.extend(rules.take(room));
    }

    fn set_font(&mut self, operands: &[Object], resources: &Dictionary) -> Result<(), LimitHit> {
        self.state.text.size = self.num(operands, 1);
        let Some(Object::Name(name)) = operands.first() else { return Ok(()) };
        let fonts = objects::get_dict(self.doc, resources, b"Font");
        let font = match fonts {
            Some(fonts) => self.load_font(fonts, name)?,
            None => None,
        };
        self.state.text.font = font.unwrap_or_else(|| Rc::new(Font::fallback()));
        Ok(())
    }

    fn load_font(&mut self, fonts: &Dictionary, name: &[u8]) -> Result<Option<Rc<Font>>, LimitHit> {
        let id = objects::reference_id(fonts, name);
        if let Some(font) = id.and_then(|id| self.fonts.get(&id)) {
            return Ok(Some(font.clone()));
        }
        let Some(dict) = objects::get_dict(self.doc, fonts, name) else { return Ok(None) };
        let font = Rc::new(Font::load(self.doc, dict, self.budget)?);
        if let Some(id) = id {
            self.fonts.insert(id, font.clone());
        }
        Ok(Some(font))
    }

    fn move_line(&mut self, tx: f32, ty: f32) {
        self.line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.line_matrix);
        self.text_matrix = self.line_matrix;
    }

    fn next_line(&mut self) {
        self.move_line(0.0, -self.state.text.leading);
    }

    fn show_operand(&mut self, operand: Option<&Object>) {
        if let Some(Object::String(bytes, _)) = operand {
            self.show_string(bytes);
        }
    }

    fn show_array(&mut self, operand: Option<&Object>) {
        let Some(Object::Array(items)) = operand else { return };
        for item in items {
            match item {
                Object::String(bytes, _) => self.show_string(bytes),
                other => {
                    if let Some(adjust) = objects::number(self.doc, other) {
                        self.adjust(adjust);
                    }
                }
            }
        }
    }

    /// A number in a TJ array moves the pen back by thousandths of the font size.
    fn adjust(&mut self, amount: f32) {
        let text = &self.state.text;
        let shift = -amount / 1000.0 * text.size;
        let (tx, ty) =
            if text.font.vertical { (0.0, shift) } else { (shift * text.horizontal_scale, 0.0) };
        self.text_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.text_matrix);
    }

    fn show_string(&mut self, bytes: &[u8]) {
        let font = self.state.text.font.clone();
        for glyph in font.decode(bytes) {
            if glyph.unmapped && !self.report.unmapped_fonts.contains(&font.name) {
                self.report.unmapped_fonts.push(font.name.clone());
            }
            let text = &self.state.text;
            let spacing =
                text.char_spacing + if glyph.is_word_space { text.word_spacing } else { 0.0 };
            let (tx, ty) = if font.vertical {
                (0.0, glyph.vertical_advance * text.size + spacing)
            } else {
                ((glyph.width * text.size + spacing) * text.horizontal_scale, 0.0)
            };
            let render = [text.size * text.horizontal_scale, 0.0, 0.0, text.size, 0.0, text.rise];
            let device = multiply(&multiply(&render, &self.text_matrix), &self.state.ctm);
            let start = apply(&device, 0.0, 0.0);
            let size = (device[2] * device[2] + device[3] * device[3]).sqrt();
            self.text_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.text_matrix);
            let after = multiply(&multiply(&render, &self.text_matrix), &self.state.ctm);
            let end = apply(&after, 0.0, 0.0);
            self.emit(PlacedGlyph {
                text: glyph.text,
                start,
                end,
                size,
                vertical_font: font.vertical,
            });
        }
    }

    fn emit(&mut self, glyph: PlacedGlyph) {
        if let Some(Some(actual)) = self.marked.iter_mut().rev().find(|m| m.is_some()) {
            match actual.glyph {
                Some(index) => {
                    if let Some(first) = self.glyphs.get_mut(index) {
                        first.end = glyph.end;
                    }
                }
                None => {
                    actual.glyph = Some(self.glyphs.len());
                    let text = std::mem::take(&mut actual.text);
                    self.glyphs.push(PlacedGlyph { text, ..glyph });
                }
            }
            return;
        }
        self.glyphs.push(glyph);
    }

    fn actual_text(&self, operands: &[Object], resources: &Dictionary) -> Option<String> {
        let properties = match operands.get(1)? {
            Object::Dictionary(dict) => dict,
            Object::Name(name) => {
                let all = objects::get_dict(self.doc, resources, b"Properties")?;
                objects::get_dict(self.doc, all, name)?
            }
            _ => return None,
        };
        match objects::get(self.doc, properties, b"ActualText")? {
            Object::String(bytes, _) => Some(decode_text_string(bytes)),
            _ => None,
        }
    }

    fn do_xobject(&mut self, operands: &[Object], resources: &Dictionary) -> Result<(), LimitHit> {
        let Some(Object::Name(name)) = operands.first() else { return Ok(()) };
        let Some(xobjects) = objects::get_dict(self.doc, resources, b"XObject") else {
            return Ok(());
        };
        let id = objects::reference_id(xobjects, name);
        let Some(Object::Stream(stream)) = objects::get(self.doc, xobjects, name) else {
            return Ok(());
        };
        if objects::get_name(self.doc, &stream.dict, b"Subtype") != Some("Form") {
            return Ok(());
        }
        let too_deep = self.forms.len() >= self.budget.max_depth as usize;
        if too_deep || id.is_some_and(|id| self.forms.contains(&id)) {
            return Ok(());
        }
        let Some(content) = self.budget.stream_content(stream)? else {
            self.report.broken_streams += 1;
            return Ok(());
        };
        let saved = (self.state.clone(), self.stack.len(), self.text_matrix, self.line_matrix);
        if let Some(m) = objects::get_array(self.doc, &stream.dict, b"Matrix")
            .and_then(|m| objects::matrix(self.doc, m))
        {
            self.state.ctm = multiply(&m, &self.state.ctm);
        }
        let form_resources =
            objects::get_dict(self.doc, &stream.dict, b"Resources").unwrap_or(resources);
        self.forms.push(id.unwrap_or((0, 0)));
        let result = self.run(&content, form_resources);
        self.forms.pop();
        self.state = saved.0;
        self.stack.truncate(saved.1);
        self.text_matrix = saved.2;
        self.line_matrix = saved.3;
        result
    }
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding).
pub(crate) fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> =
            rest.chunks(2).map(|p| u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes
        .iter()
        .map(|&b| {
            super::tables::base_encoding_glyph(super::tables::BaseEncoding::PdfDoc, b)
                .and_then(super::tables::glyph_name_to_unicode)
                .unwrap_or_else(|| char::from(b).to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_compose_in_pdf_order() {
        let translate = [1.0, 0.0, 0.0, 1.0, 10.0, 20.0];
        let scale = [2.0, 0.0, 0.0, 2.0, 0.0, 0.0];
        assert_eq!(apply(&multiply(&translate, &scale), 1.0, 1.0), (22.0, 42.0));
        assert_eq!(apply(&multiply(&scale, &translate), 1.0, 1.0), (12.0, 22.0));
    }

    #[test]
    fn text_strings_decode() {
        assert_eq!(decode_text_string(&[0xFE, 0xFF, 0x65, 0xE5, 0x67, 0x2C]), "日本");
        assert_eq!(decode_text_string(b"Plan"), "Plan");
    }
}
