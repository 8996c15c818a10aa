//! Exports of measures: CSV (UTF-8 BOM for Excel), JSON and XLSX, each with the provenance
//! of the theme matrices (gyokaku version, taxonomy, index and its commit, run time).
//! Writers return bytes; the caller decides where they go.

use serde::Serialize;

use super::Measure;
pub use crate::themes::export::Provenance;
use crate::themes::export::{ExportError, UTF8_BOM, excel_time, write_header};

/// The result of `gyokaku measures`.
#[derive(Debug, Clone, Serialize)]
pub struct MeasuresReport {
    pub provenance: Provenance,
    pub documents: usize,
    pub measures: Vec<Measure>,
}

/// Columns of the CSV and of the XLSX `measures` sheet.
pub const COLUMNS: [&str; 19] = [
    "path",
    "municipality",
    "prefecture",
    "plan_year",
    "page",
    "ordinal",
    "heading",
    "measure",
    "value",
    "unit",
    "direction",
    "baseline",
    "target_year",
    "department",
    "status",
    "source",
    "themes",
    "text",
    "gyokaku",
];

fn fields(m: &Measure, version: &str) -> [String; 19] {
    let opt = |x: &Option<String>| x.clone().unwrap_or_default();
    let year = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_default();
    [
        m.path.clone(),
        opt(&m.municipality),
        opt(&m.prefecture),
        year(m.plan_year),
        m.page.to_string(),
        m.ordinal.to_string(),
        m.heading.clone(),
        m.measure.clone(),
        format_value(m.value),
        m.unit.clone(),
        m.direction.map(|d| d.label_ja().to_owned()).unwrap_or_default(),
        opt(&m.baseline),
        year(m.target_year),
        opt(&m.department),
        opt(&m.status),
        m.source.to_owned(),
        m.themes.join(" "),
        m.text.clone(),
        version.to_owned(),
    ]
}

/// `50`, `3.5`: no trailing `.0`.
pub fn format_value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// One row per measure, with a BOM; the last column repeats the gyokaku version so a
/// spreadsheet row keeps its provenance.
pub fn measures_csv(report: &MeasuresReport) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::Writer::from_writer(UTF8_BOM.to_vec());
    writer.write_record(COLUMNS)?;
    for m in &report.measures {
        writer.write_record(fields(m, &report.provenance.gyokaku_version))?;
    }
    writer.into_inner().map_err(|err| ExportError::Io(err.into_error()))
}

pub fn measures_json(report: &MeasuresReport) -> Result<Vec<u8>, ExportError> {
    let mut bytes = serde_json::to_vec_pretty(report)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A workbook with a `measures` sheet (numbers as numbers) and an `about` sheet.
pub fn measures_xlsx(report: &MeasuresReport) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{DocProperties, Workbook};
    let mut workbook = Workbook::new();
    let properties = DocProperties::new()
        .set_title("gyokaku measures")
        .set_author("gyokaku")
        .set_creation_datetime(&excel_time(&report.provenance.generated)?);
    workbook.set_properties(&properties);
    let sheet = workbook.add_worksheet();
    sheet.set_name("measures")?;
    write_header(sheet, &COLUMNS)?;
    let numeric = ["plan_year", "page", "ordinal", "value", "target_year"];
    for (row, m) in (1u32..).zip(&report.measures) {
        for (col, (name, field)) in
            (0u16..).zip(COLUMNS.iter().zip(fields(m, &report.provenance.gyokaku_version)))
        {
            match field.parse::<f64>() {
                Ok(number) if numeric.contains(name) => sheet.write_number(row, col, number)?,
                _ => sheet.write_string(row, col, field)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let about = workbook.add_worksheet();
    about.set_name("about")?;
    write_header(about, &["field", "value"])?;
    let p = &report.provenance;
    let rows = [
        ("tool", format!("gyokaku {}", p.gyokaku_version)),
        ("taxonomy", p.taxonomy.clone()),
        ("dictionary", p.dictionary.clone()),
        ("index", p.index.clone()),
        ("index commit", p.index_commit.clone().unwrap_or_default()),
        ("generated (UTC)", p.generated.clone()),
        ("documents", report.documents.to_string()),
        ("measures", report.measures.len().to_string()),
    ];
    for (row, (field, text)) in (1u32..).zip(rows) {
        about.write_string(row, 0, field)?;
        about.write_string(row, 1, text)?;
    }
    about.set_column_width(1, 60)?;
    Ok(workbook.save_to_buffer()?)
}
