//! `gyokaku compare A B …`: theme profiles side by side, themes unique to each, cosine
//! similarity of profiles and each municipality's distinctive terms, as a table or JSON.

use std::process::ExitCode;

use clap::Args;

use crate::cli::themes::{ReportFormat, SourceArgs, inputs, load_sources};
use crate::compare::groups::{
    GroupBy, GroupKeyness, GroupTable, group_csv, group_keyness, group_table, group_xlsx,
};
use crate::compare::time::{OverTime, over_time};
use crate::compare::{CompareReport, compare_by};
use crate::output;
use crate::themes::export::Provenance;
use crate::themes::{By, score_documents};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Municipalities to compare (at least two), e.g. 芽室町 苫小牧市; a unique part of a
    /// name is enough (芽室).
    /// Without names, `--by prefecture|type|year-band` cross-tabulates every plan's themes by
    /// group with χ² tests and adjusted residuals.
    #[arg(num_args = 0..)]
    pub names: Vec<String>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Compare municipalities, or types of body (`--by type 中核市 町`: each type's
    /// municipalities, a theme present when half of them commit to it).
    #[arg(long, value_enum, default_value_t = CompareBy::Municipality)]
    pub by: CompareBy,
    /// With `--by prefecture|type|year-band`: the distinctive terms (G²) of this group's plans
    /// against the `--reference` group's, e.g. `--by type --keyness 中核市 --reference 町`.
    #[arg(long, value_name = "GROUP", requires = "reference")]
    pub keyness: Option<String>,
    /// The reference group of `--keyness`.
    #[arg(long, value_name = "GROUP", requires = "keyness")]
    pub reference: Option<String>,
    /// One municipality's successive plans in year order: themes added and dropped, score
    /// changes, each plan's distinctive terms against its other plans.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["keyness", "names"])]
    pub over_time: Option<String>,
    /// Merge all plans of each municipality instead of taking its latest.
    #[arg(long)]
    pub all_years: bool,
    /// `table` for people, `json` for scripts.
    /// `table` for people, `json` for scripts; `csv` (BOM) and `xlsx` (needs --output) for the
    /// group table of `--by prefecture|type|year-band`.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    Table,
    Json,
    Csv,
    Xlsx,
}

/// Table or JSON for the reports that have no CSV/XLSX form.
fn report_format(format: CompareFormat) -> anyhow::Result<ReportFormat> {
    match format {
        CompareFormat::Table => Ok(ReportFormat::Table),
        CompareFormat::Json => Ok(ReportFormat::Json),
        CompareFormat::Csv | CompareFormat::Xlsx => anyhow::bail!(
            "`--format csv|xlsx` is for the group table (`--by prefecture|type|year-band` without names)"
        ),
    }
}

/// What `compare` puts side by side.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompareBy {
    Municipality,
    Type,
    /// Groups of plans by prefecture (a contingency table; no names).
    Prefecture,
    /// Groups of plans by 5-year bands of the plan year, 2015-2019 … (no names).
    YearBand,
}

pub fn run(args: CompareArgs) -> anyhow::Result<ExitCode> {
    if args.format == CompareFormat::Xlsx && args.output.is_none() {
        anyhow::bail!("`--format xlsx` needs `--output FILE`");
    }
    let (taxonomy, documents) = load_sources(&args.source)?;
    if let Some(name) = &args.over_time {
        let report = over_time(&taxonomy, &inputs(&documents), name)?;
        match report_format(args.format)? {
            ReportFormat::Json => output::data(&serde_json::to_string_pretty(&report)?),
            ReportFormat::Table => output::data(render_over_time(&report).trim_end()),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let group_by = match args.by {
        CompareBy::Prefecture => Some(GroupBy::Prefecture),
        CompareBy::YearBand => Some(GroupBy::YearBand),
        CompareBy::Type if args.names.is_empty() => Some(GroupBy::Type),
        _ => None,
    };
    if let (Some(group), Some(reference)) = (&args.keyness, &args.reference) {
        let Some(group_by) = group_by else {
            anyhow::bail!("`--keyness` needs `--by prefecture`, `--by type` or `--by year-band`");
        };
        let report = group_keyness(&inputs(&documents), group_by, group, reference)?;
        match report_format(args.format)? {
            ReportFormat::Json => output::data(&serde_json::to_string_pretty(&report)?),
            ReportFormat::Table => output::data(render_group_keyness(&report).trim_end()),
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(group_by) = group_by {
        let scored = score_documents(&taxonomy, &inputs(&documents));
        let mut table = group_table(&taxonomy, &scored, group_by);
        let about = crate::cli::themes::about(&args.source.index);
        table.provenance = Some(Provenance::new(
            &about,
            table.taxonomy.clone(),
            crate::cli::measures::index_commit(&args.source.index),
        ));
        let bytes = match args.format {
            CompareFormat::Json => {
                let mut text = serde_json::to_string_pretty(&table)?;
                text.push('\n');
                text.into_bytes()
            }
            CompareFormat::Table => format!("{}\n", render_groups(&table).trim_end()).into_bytes(),
            CompareFormat::Csv => group_csv(&table)?,
            CompareFormat::Xlsx => group_xlsx(&table)?,
        };
        match &args.output {
            Some(path) => fs_err::write(path, bytes)?,
            None => output::data_raw(&bytes),
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.names.len() < 2 {
        anyhow::bail!("name at least two municipalities (or types with `--by type`) to compare");
    }
    let by = match args.by {
        CompareBy::Type => By::Type,
        _ => By::Municipality,
    };
    let report = compare_by(&taxonomy, &inputs(&documents), &args.names, args.all_years, by)?;
    match report_format(args.format)? {
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

/// Themes down, groups across: plans with the theme present and the adjusted residual,
/// `12 (+2.1)`, then χ², df, p and Holm's p.
fn render_groups(table: &GroupTable) -> String {
    let mut header = vec!["theme".to_owned()];
    header.extend(table.groups.iter().zip(&table.plans).map(|(g, n)| format!("{g} (n={n})")));
    header.extend(["χ²", "df", "p", "p_holm"].map(str::to_owned));
    let mut rows = vec![header];
    for theme in &table.themes {
        let mut line = vec![theme.id.clone()];
        line.extend(
            theme.present.iter().zip(&theme.residuals).map(|(n, r)| format!("{n} ({r:+.1})")),
        );
        line.push(format!("{:.2}", theme.test.chi2));
        line.push(theme.test.df.to_string());
        line.push(format!("{:.4}", theme.test.p));
        line.push(format!("{:.4}", theme.p_holm));
        rows.push(line);
    }
    let mut text = output::render_table(&rows);
    text.push_str(&format!(
        "\noverall (themes × groups of present counts): χ² = {:.2}, df = {}, p = {:.4}\n",
        table.overall.chi2, table.overall.df, table.overall.p
    ));
    if table.ungrouped > 0 {
        text.push_str(&format!("{} plans without a group are left out\n", table.ungrouped));
    }
    text.push_str(&format!("note: {}\n", table.note));
    text
}

fn render_group_keyness(report: &GroupKeyness) -> String {
    let mut rows = vec![["term", "count", "reference", "G²"].map(str::to_owned).to_vec()];
    for t in &report.terms {
        rows.push(vec![
            t.term.clone(),
            t.count.to_string(),
            t.rest.to_string(),
            format!("{:.1}", t.g2),
        ]);
    }
    format!(
        "distinctive terms of {} ({} plans) against {} ({} plans), log-likelihood G²:\n{}",
        report.group,
        report.group_plans,
        report.reference,
        report.reference_plans,
        output::render_table(&rows)
    )
}

fn render_over_time(report: &OverTime) -> String {
    let mut text = format!("{}: {} plans in year order\n", report.municipality, report.plans.len());
    let list = |ids: &[String]| if ids.is_empty() { "(none)".to_owned() } else { ids.join(", ") };
    for plan in &report.plans {
        let year = plan.year.map_or_else(|| "?".to_owned(), |y| y.to_string());
        text.push_str(&format!(
            "\n{year}  {}  {}\n",
            plan.title.as_deref().unwrap_or(""),
            plan.path
        ));
        text.push_str(&format!("  present: {}\n", list(&plan.present)));
        text.push_str(&format!(
            "  added: {}\n  dropped: {}\n",
            list(&plan.added),
            list(&plan.dropped)
        ));
        for change in &plan.score_changes {
            text.push_str(&format!("  {}: {:.2} → {:.2}\n", change.theme, change.from, change.to));
        }
        let terms: Vec<String> =
            plan.terms.iter().map(|t| format!("{} ({:.1})", t.term, t.g2)).collect();
        text.push_str(&format!("  distinctive terms: {}\n", list(&terms)));
    }
    text
}
