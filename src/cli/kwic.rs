//! `gyokaku kwic TERM`: the concordance of a word or phrase (left context | match | right
//! context) with municipality, year and page, as a table, CSV or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::cli::search::FilterArgs;
use crate::index::PassageIndex;
use crate::kwic::{DEFAULT_WIDTH, KwicReport, KwicSort, kwic, kwic_csv, sort_lines};
use crate::output;

#[derive(Debug, Args)]
pub struct KwicArgs {
    /// The word or phrase, e.g. 市民協働 (several words are one phrase).
    #[arg(required = true, num_args = 1..)]
    pub term: Vec<String>,
    /// Where the index lives.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Characters of context on each side.
    #[arg(long, default_value_t = DEFAULT_WIDTH as u16, value_parser = clap::value_parser!(u16).range(1..=300))]
    pub width: u16,
    /// Order of the lines: best passages first, or alphabetical by the left or right context.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// `table` for people, `csv` (with a BOM for Excel) or `json` for tools.
    #[arg(long, value_enum, default_value_t = KwicFormat::Table)]
    pub format: KwicFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KwicFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Relevance,
    Left,
    Right,
}

impl From<SortArg> for KwicSort {
    fn from(value: SortArg) -> Self {
        match value {
            SortArg::Relevance => KwicSort::Relevance,
            SortArg::Left => KwicSort::Left,
            SortArg::Right => KwicSort::Right,
        }
    }
}

pub fn run(args: KwicArgs) -> anyhow::Result<ExitCode> {
    let term = args.term.join(" ");
    let index = PassageIndex::open(&args.index)
        .with_context(|| format!("opening the index `{}`", args.index.display()))?;
    let filters = args.filters.into_filters();
    let mut report = kwic(&index, &term, &filters, usize::from(args.width))
        .with_context(|| format!("concordance of `{term}`"))?;
    sort_lines(&mut report.lines, args.sort.into());
    match args.format {
        KwicFormat::Json => output::data(&serde_json::to_string_pretty(&report)?),
        KwicFormat::Csv => output::data_raw(&kwic_csv(&report, true)?),
        KwicFormat::Table => print_table(&report),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(report: &KwicReport) {
    if report.lines.is_empty() {
        output::message(&format!("no passage contains `{}`", report.term));
        return;
    }
    let width = report.width;
    let mut rows = vec![
        ["municipality", "year", "page", "left", "match", "right"].map(str::to_owned).to_vec(),
    ];
    for line in &report.lines {
        let left =
            output::pad_to_width("", (width * 2).saturating_sub(output::display_width(&line.left)));
        rows.push(vec![
            line.municipality.clone().unwrap_or_else(|| "?".to_owned()),
            line.year.map_or_else(|| "?".to_owned(), |y| y.to_string()),
            format!("p.{}", line.page),
            format!("{left}{}", line.left),
            format!("【{}】", line.matched),
            line.right.clone(),
        ]);
    }
    output::data(output::render_table(&rows).trim_end());
    output::message(&format!(
        "{} lines in {} passages{}",
        report.lines.len(),
        report.passages,
        if report.truncated { " (truncated: narrow the filters to see every line)" } else { "" }
    ));
}
