//! `gyokaku compare A B …`: theme profiles side by side, themes unique to each, cosine
//! similarity of profiles and each municipality's distinctive terms, as a table or JSON.

use std::process::ExitCode;

use clap::Args;

use crate::cli::themes::{ReportFormat, SourceArgs, inputs, load_sources};
use crate::compare::{CompareReport, compare_by};
use crate::output;
use crate::themes::By;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Municipalities to compare (at least two), e.g. 芽室町 苫小牧市; a unique part of a
    /// name is enough (芽室).
    #[arg(required = true, num_args = 2..)]
    pub names: Vec<String>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Compare municipalities, or types of body (`--by type 中核市 町`: each type's
    /// municipalities, a theme present when half of them commit to it).
    #[arg(long, value_enum, default_value_t = CompareBy::Municipality)]
    pub by: CompareBy,
    /// Merge all plans of each municipality instead of taking its latest.
    #[arg(long)]
    pub all_years: bool,
    /// `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

/// What `compare` puts side by side.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompareBy {
    Municipality,
    Type,
}

pub fn run(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let (taxonomy, documents) = load_sources(&args.source)?;
    let by = match args.by {
        CompareBy::Municipality => By::Municipality,
        CompareBy::Type => By::Type,
    };
    let report = compare_by(&taxonomy, &inputs(&documents), &args.names, args.all_years, by)?;
    match args.format {
        ReportFormat::Json => output::data(&serde_json::to_string_pretty(&report)?),
        ReportFormat::Table => output::data(render(&report).trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}

fn render(report: &CompareReport) -> String {
    let mut header = vec!["theme".to_owned(), "label".to_owned()];
    header.extend(report.municipalities.iter().map(|side| match side.year {
        Some(year) => format!("{} {year}", side.name),
        None => side.name.clone(),
    }));
    let mut rows = vec![header];
    for theme in &report.themes {
        let mut line = vec![theme.id.clone(), output::truncate_to_width(&theme.label_ja, 24)];
        line.extend(
            theme
                .cells
                .iter()
                .map(|c| format!("{}{:.2}", if c.present { "●" } else { "·" }, c.score)),
        );
        rows.push(line);
    }
    let mut text = output::render_table(&rows);
    text.push_str("\nthemes only one of them commits to:\n");
    for side in &report.municipalities {
        let unique = report.unique.get(&side.name).map(|u| u.join(", ")).unwrap_or_default();
        let unique = if unique.is_empty() { "(none)".to_owned() } else { unique };
        text.push_str(&format!("  {}: {unique}\n", side.name));
    }
    text.push_str("\ncosine similarity of theme profiles:\n");
    for pair in &report.similarity {
        text.push_str(&format!("  {} – {}: {:.3}\n", pair.a, pair.b, pair.cosine));
    }
    text.push_str("\ndistinctive terms against the rest of the corpus (log-likelihood G²):\n");
    for side in &report.municipalities {
        let terms = report.keyness.get(&side.name).map_or_else(String::new, |terms| {
            terms
                .iter()
                .take(10)
                .map(|t| format!("{} ({:.1})", t.term, t.g2))
                .collect::<Vec<_>>()
                .join("、")
        });
        text.push_str(&format!("  {}: {terms}\n", side.name));
    }
    text
}
