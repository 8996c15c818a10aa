//! Matrix exports: CSV (optionally with a BOM for Excel), JSON (the CONTRACT format with
//! evidence) and XLSX (matrix with a colour scale, evidence, taxonomy and about sheets).
//!
//! Every writer returns bytes; the caller decides where they go. Rows come sorted from
//! [`Matrix`] and columns follow the taxonomy, so the same matrix always gives the same bytes.
//! The only time-dependent content is the run time in the XLSX `about` sheet and document
//! properties, which the caller passes in.

use serde::Serialize;
use serde::ser::SerializeMap;
use thiserror::Error;

use std::path::{Path, PathBuf};

use super::aggregate::{
    By, DocumentInput, Matrix, MatrixRow, ThemeColumn, build_matrix, score_documents,
};
use super::heatmap::{japanese_font_path, write_heatmap};
use super::score::{Evidence, ThemeResult};
use super::taxonomy::Taxonomy;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("invalid run time `{0}` for the XLSX properties")]
    RunTime(String),
    #[error("cannot write exports: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Heatmap(#[from] super::heatmap::HeatmapError),
}

/// File stem of the matrix files written by [`write_matrix_files`].
pub const MATRIX_FILE_STEM: &str = "themes-municipality";

/// Scores `documents` and writes the municipality × theme matrix into `dir`:
/// `themes-municipality.csv` (presence, with a BOM for Excel), `.json` (with evidence),
/// `.xlsx` (scores, evidence, taxonomy, about), `.svg` heatmap, and `.png` when a Japanese
/// font is available. Returns the matrix and the files written. Used by `gyokaku run` and
/// by batch runs.
pub fn write_matrix_files(
    taxonomy: &Taxonomy,
    documents: &[DocumentInput<'_>],
    dir: &Path,
    about: &About,
) -> Result<(Matrix, Vec<PathBuf>), ExportError> {
    let scored = score_documents(taxonomy, documents);
    let matrix = build_matrix(taxonomy, &scored, By::Municipality, false);
    fs_err::create_dir_all(dir)?;
    let path = |extension: &str| dir.join(format!("{MATRIX_FILE_STEM}.{extension}"));
    let mut written = Vec::new();
    for (extension, bytes) in [
        ("csv", matrix_csv(&matrix, CellValue::Presence, true)?),
        ("json", matrix_json(&matrix)?),
        ("xlsx", matrix_xlsx(&matrix, taxonomy, CellValue::Score, about)?),
    ] {
        fs_err::write(path(extension), bytes)?;
        written.push(path(extension));
    }
    let mut heatmaps = vec![path("svg")];
    if japanese_font_path().is_some() {
        heatmaps.push(path("png"));
    }
    for heatmap in heatmaps {
        write_heatmap(&matrix, &heatmap)?;
        written.push(heatmap);
    }
    Ok((matrix, written))
}

/// What a matrix cell shows in CSV and in the XLSX matrix sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CellValue {
    /// 1 when the plan commits to the theme, else 0.
    #[default]
    Presence,
    /// The strength of the commitment, in [0, 1].
    Score,
    /// The number of strong keyword and rule hits.
    Count,
}

impl CellValue {
    pub fn as_str(self) -> &'static str {
        match self {
            CellValue::Presence => "presence",
            CellValue::Score => "score",
            CellValue::Count => "count",
        }
    }

    fn number(self, cell: &ThemeResult) -> f64 {
        match self {
            CellValue::Presence => f64::from(u8::from(cell.present)),
            CellValue::Score => cell.score,
            #[allow(clippy::cast_precision_loss)] // Hit counts are far below 2^52.
            CellValue::Count => cell.count as f64,
        }
    }

    fn text(self, cell: &ThemeResult) -> String {
        match self {
            CellValue::Presence => u8::from(cell.present).to_string(),
            CellValue::Score => format!("{:.3}", cell.score),
            CellValue::Count => cell.count.to_string(),
        }
    }
}

pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const ROW_HEADER: [&str; 5] = ["key", "municipality", "prefecture", "year", "documents"];

/// The matrix as CSV: one row per matrix row, one column per theme id.
pub fn matrix_csv(matrix: &Matrix, value: CellValue, bom: bool) -> Result<Vec<u8>, ExportError> {
    let mut buffer = if bom { UTF8_BOM.to_vec() } else { Vec::new() };
    {
        let mut writer = csv::Writer::from_writer(&mut buffer);
        let header = ROW_HEADER.iter().copied().chain(matrix.columns.iter().map(|c| c.id.as_str()));
        writer.write_record(header)?;
        for row in &matrix.rows {
            let mut record = row_fields(row);
            record.extend(row.cells.iter().map(|cell| value.text(cell)));
            writer.write_record(&record)?;
        }
        writer.flush().map_err(csv::Error::from)?;
    }
    Ok(buffer)
}

fn row_fields(row: &MatrixRow) -> Vec<String> {
    vec![
        row.key.clone(),
        row.municipality.clone().unwrap_or_default(),
        row.prefecture.clone().unwrap_or_default(),
        row.year.map(|y| y.to_string()).unwrap_or_default(),
        row.documents.join(";"),
    ]
}

#[derive(Serialize)]
struct JsonMatrix<'a> {
    taxonomy: JsonTaxonomy<'a>,
    by: &'static str,
    themes: &'a [ThemeColumn],
    rows: Vec<JsonRow<'a>>,
}

#[derive(Serialize)]
struct JsonTaxonomy<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    key: &'a str,
    municipality: Option<&'a str>,
    prefecture: Option<&'a str>,
    year: Option<i32>,
    documents: &'a [String],
    themes: JsonCells<'a>,
}

/// Cells keyed by theme id, in taxonomy order.
struct JsonCells<'a> {
    columns: &'a [ThemeColumn],
    cells: &'a [ThemeResult],
}

impl Serialize for JsonCells<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.columns.len()))?;
        for (column, cell) in self.columns.iter().zip(self.cells) {
            map.serialize_entry(&column.id, &JsonCell::from(cell))?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct JsonCell<'a> {
    present: bool,
    score: f64,
    count: usize,
    subthemes: &'a [String],
    evidence: &'a [Evidence],
}

impl<'a> From<&'a ThemeResult> for JsonCell<'a> {
    fn from(cell: &'a ThemeResult) -> Self {
        JsonCell {
            present: cell.present,
            score: cell.score,
            count: cell.count,
            subthemes: &cell.subthemes,
            evidence: &cell.evidence,
        }
    }
}

/// The matrix as JSON, in the CONTRACT's `themes --format json` shape, pretty-printed.
pub fn matrix_json(matrix: &Matrix) -> Result<Vec<u8>, ExportError> {
    let json = JsonMatrix {
        taxonomy: JsonTaxonomy { name: &matrix.taxonomy_name, version: &matrix.taxonomy_version },
        by: matrix.by.as_str(),
        themes: &matrix.columns,
        rows: matrix
            .rows
            .iter()
            .map(|row| JsonRow {
                key: &row.key,
                municipality: row.municipality.as_deref(),
                prefecture: row.prefecture.as_deref(),
                year: row.year,
                documents: &row.documents,
                themes: JsonCells { columns: &matrix.columns, cells: &row.cells },
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&json)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Provenance written into the XLSX `about` sheet.
#[derive(Debug, Clone)]
pub struct About {
    pub gyokaku_version: String,
    pub dictionary: String,
    /// The run time, ISO 8601 UTC (`2026-11-21T09:00:00Z`).
    pub generated: String,
    pub index: String,
}

/// Where a report came from (measures, group tables): the `About` of the theme matrices
/// plus the taxonomy and the index commit, serialisable.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub gyokaku_version: String,
    /// `name@version` of the taxonomy that gave the passages' themes.
    pub taxonomy: String,
    pub dictionary: String,
    pub index: String,
    /// blake3 of the index's tantivy `meta.json` (changes with every commit).
    pub index_commit: Option<String>,
    /// The run time, ISO 8601 UTC.
    pub generated: String,
}

impl Provenance {
    pub fn new(about: &About, taxonomy: String, index_commit: Option<String>) -> Provenance {
        Provenance {
            gyokaku_version: about.gyokaku_version.clone(),
            taxonomy,
            dictionary: about.dictionary.clone(),
            index: about.index.clone(),
            index_commit,
            generated: about.generated.clone(),
        }
    }
}

/// The matrix as an Excel workbook: `matrix`, `evidence`, `taxonomy` and `about` sheets.
pub fn matrix_xlsx(
    matrix: &Matrix,
    taxonomy: &Taxonomy,
    value: CellValue,
    about: &About,
) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{DocProperties, Workbook};
    let mut workbook = Workbook::new();
    let properties = DocProperties::new()
        .set_title(format!("gyokaku theme matrix ({})", matrix.by.as_str()))
        .set_author("gyokaku")
        .set_creation_datetime(&excel_time(&about.generated)?);
    workbook.set_properties(&properties);
    xlsx_matrix_sheet(workbook.add_worksheet(), matrix, value)?;
    xlsx_evidence_sheet(workbook.add_worksheet(), matrix)?;
    xlsx_taxonomy_sheet(workbook.add_worksheet(), taxonomy)?;
    xlsx_about_sheet(workbook.add_worksheet(), matrix, value, about)?;
    Ok(workbook.save_to_buffer()?)
}

pub(crate) fn excel_time(iso: &str) -> Result<rust_xlsxwriter::ExcelDateTime, ExportError> {
    let bad = || ExportError::RunTime(iso.to_owned());
    let parsed = chrono::DateTime::parse_from_rfc3339(iso).map_err(|_| bad())?;
    use chrono::{Datelike, Timelike};
    let year = u16::try_from(parsed.year()).map_err(|_| bad())?;
    let narrow = |x: u32| u8::try_from(x).map_err(|_| bad());
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
        year,
        narrow(parsed.month())?,
        narrow(parsed.day())?,
    )?;
    let hour = u16::try_from(parsed.hour()).map_err(|_| bad())?;
    Ok(date.and_hms(hour, narrow(parsed.minute())?, f64::from(parsed.second()))?)
}

fn header_format() -> rust_xlsxwriter::Format {
    rust_xlsxwriter::Format::new().set_bold().set_background_color("D9E1F2")
}

/// Writes one header row of strings at row 0.
pub(crate) fn write_header(
    sheet: &mut rust_xlsxwriter::Worksheet,
    names: &[&str],
) -> Result<(), ExportError> {
    let format = header_format();
    for (col, name) in (0u16..).zip(names) {
        sheet.write_string_with_format(0, col, *name, &format)?;
    }
    Ok(())
}

fn xlsx_matrix_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    matrix: &Matrix,
    value: CellValue,
) -> Result<(), ExportError> {
    use rust_xlsxwriter::ConditionalFormat3ColorScale;
    sheet.set_name("matrix")?;
    let mut header: Vec<&str> = ROW_HEADER.to_vec();
    header.extend(matrix.columns.iter().map(|c| c.id.as_str()));
    write_header(sheet, &header)?;
    let first_theme_col = u16::try_from(ROW_HEADER.len()).unwrap_or(u16::MAX);
    for (row_index, row) in (1u32..).zip(&matrix.rows) {
        for (col, field) in (0u16..).zip(row_fields(row)) {
            match (col, row.year) {
                (3, Some(year)) => sheet.write_number(row_index, col, f64::from(year))?,
                _ => sheet.write_string(row_index, col, field)?,
            };
        }
        for (col, cell) in (first_theme_col..).zip(&row.cells) {
            sheet.write_number(row_index, col, value.number(cell))?;
        }
    }
    if let (Ok(last_row), Ok(n_columns)) =
        (u32::try_from(matrix.rows.len()), u16::try_from(matrix.columns.len()))
        && last_row > 0
        && n_columns > 0
    {
        let scale = ConditionalFormat3ColorScale::new()
            .set_minimum_color("F8F8F8")
            .set_midpoint_color("FFE699")
            .set_maximum_color("63BE7B");
        let last_col = first_theme_col + n_columns - 1;
        sheet.add_conditional_format(1, first_theme_col, last_row, last_col, &scale)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    sheet.set_column_width(0, 28)?;
    Ok(())
}

fn xlsx_evidence_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    matrix: &Matrix,
) -> Result<(), ExportError> {
    sheet.set_name("evidence")?;
    let header = [
        "key", "theme", "label_ja", "present", "score", "rank", "path", "page", "heading",
        "context", "weight", "keywords", "text",
    ];
    write_header(sheet, &header)?;
    let mut row_index = 1u32;
    for row in &matrix.rows {
        for (column, cell) in matrix.columns.iter().zip(&row.cells) {
            for (rank, evidence) in (1u32..).zip(&cell.evidence) {
                sheet.write_string(row_index, 0, &row.key)?;
                sheet.write_string(row_index, 1, &column.id)?;
                sheet.write_string(row_index, 2, &column.label_ja)?;
                sheet.write_boolean(row_index, 3, cell.present)?;
                sheet.write_number(row_index, 4, cell.score)?;
                sheet.write_number(row_index, 5, f64::from(rank))?;
                sheet.write_string(row_index, 6, &evidence.path)?;
                sheet.write_number(row_index, 7, f64::from(evidence.page))?;
                sheet.write_string(row_index, 8, &evidence.heading)?;
                sheet.write_string(row_index, 9, context_name(evidence))?;
                sheet.write_number(row_index, 10, evidence.weight)?;
                sheet.write_string(row_index, 11, evidence.keywords.join("、"))?;
                sheet.write_string(row_index, 12, &evidence.text)?;
                row_index += 1;
            }
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    sheet.set_column_width(12, 80)?;
    Ok(())
}

fn context_name(evidence: &Evidence) -> &'static str {
    match evidence.context {
        super::Context::Commitment => "commitment",
        super::Context::Neutral => "neutral",
        super::Context::State => "state",
        super::Context::Background => "background",
    }
}

fn xlsx_taxonomy_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    taxonomy: &Taxonomy,
) -> Result<(), ExportError> {
    sheet.set_name("taxonomy")?;
    write_header(
        sheet,
        &["id", "level", "label_ja", "label_en", "keywords", "weak_keywords", "rule", "definition"],
    )?;
    let mut row = 1u32;
    for theme in &taxonomy.themes {
        let rule = theme.rule.as_ref().map(|_| "yes").unwrap_or_default();
        let fields = [
            theme.id.as_str(),
            "theme",
            &theme.label_ja,
            &theme.label_en,
            &theme.keywords.join("、"),
            &theme.weak_keywords.join("、"),
            rule,
            &theme.definition,
        ];
        for (col, field) in (0u16..).zip(fields) {
            sheet.write_string(row, col, field)?;
        }
        row += 1;
        for sub in &theme.subthemes {
            let rule = sub.rule.as_ref().map(|_| "yes").unwrap_or_default();
            let fields = [
                sub.id.as_str(),
                "subtheme",
                &sub.label_ja,
                &sub.label_en,
                &sub.keywords.join("、"),
                "",
                rule,
                "",
            ];
            for (col, field) in (0u16..).zip(fields) {
                sheet.write_string(row, col, field)?;
            }
            row += 1;
        }
    }
    sheet.set_freeze_panes(1, 1)?;
    Ok(())
}

fn xlsx_about_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    matrix: &Matrix,
    value: CellValue,
    about: &About,
) -> Result<(), ExportError> {
    sheet.set_name("about")?;
    let rows = [
        ("tool", format!("gyokaku {}", about.gyokaku_version)),
        ("taxonomy", format!("{}@{}", matrix.taxonomy_name, matrix.taxonomy_version)),
        ("dictionary", about.dictionary.clone()),
        ("rows by", matrix.by.as_str().to_owned()),
        ("matrix values", value.as_str().to_owned()),
        ("rows", matrix.rows.len().to_string()),
        ("index", about.index.clone()),
        ("generated (UTC)", about.generated.clone()),
        (
            "present means",
            "the plan commits to the theme (pillar, measure, target or heading); history and background do not count. See docs/themes.md.".to_owned(),
        ),
    ];
    write_header(sheet, &["field", "value"])?;
    for (row, (field, text)) in (1u32..).zip(rows) {
        sheet.write_string(row, 0, field)?;
        sheet.write_string(row, 1, text)?;
    }
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 90)?;
    Ok(())
}
