//! `gyokaku search`: find passages, with filters and facets, as a table or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::index::{Filters, PassageIndex};
use crate::model::Format;
use crate::output;
use crate::search::{self, DocumentHit, Group, SearchOutcome, ShownHit};

/// The filters every passage-level command takes (search, kwic): one definition, so that a
/// new filter reaches all of them.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Only this municipality (repeat for several), e.g. --city 苫小牧市.
    #[arg(long = "city")]
    pub cities: Vec<String>,
    /// Only this prefecture (repeat for several), e.g. --prefecture 北海道.
    #[arg(long = "prefecture")]
    pub prefectures: Vec<String>,
    /// Only this 全国地方公共団体コード (repeat for several), e.g. --code 016373.
    #[arg(long = "code", value_parser = parse_code)]
    pub codes: Vec<String>,
    /// Only this type of body (repeat for several): 政令市, 中核市, 市, 特別区, 町, 村, 都道府県, 行政区.
    #[arg(long = "type", value_parser = parse_type)]
    pub types: Vec<String>,
    /// Plan years, `2015..2020`, `2019`, `2015..` or `..2010`.
    #[arg(long, value_parser = parse_years)]
    pub year: Option<(Option<i32>, Option<i32>)>,
    /// Only passages mapped to this theme id (repeat for several), e.g. --theme public_facilities.
    #[arg(long = "theme")]
    pub themes: Vec<String>,
    /// Only passages of this role (repeat for several): commitment (方針・取組), target (目標),
    /// state (現状・課題), history (経過) or other, e.g. --role commitment --role target.
    #[arg(long = "role", value_parser = parse_role)]
    pub roles: Vec<String>,
    /// Only documents of this source format.
    #[arg(long = "source-format", value_enum)]
    pub source_formats: Vec<SourceFormat>,
    /// Filter on a manifest column, e.g. --where plan_type=大綱 (repeat for several).
    #[arg(long = "where", value_parser = parse_key_value)]
    pub wheres: Vec<(String, String)>,
}

impl FilterArgs {
    /// The filters as the index applies them.
    pub fn into_filters(self) -> Filters {
        Filters {
            municipalities: self.cities,
            prefectures: self.prefectures,
            codes: self.codes,
            municipality_types: self.types,
            years: self.year,
            formats: self.source_formats.into_iter().map(Format::from).collect(),
            themes: self.themes,
            roles: self.roles,
            vars: self.wheres,
        }
    }
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find, "exact phrase", -excluded, A OR B, e.g. `公共施設 老朽化 -廃止`.
    /// Passages with every word come first, then passages with some (marked `~`).
    /// Quote phrases for the shell: `'"市民協働"'`.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Where the index lives.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Number of passages (or plans, with --group document) to show.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// `passage`: the best passages; `document`: one entry per plan with its best passages
    /// (a plan matches when it holds every word anywhere, even in different passages).
    #[arg(long, value_enum, default_value_t = GroupBy::Passage)]
    pub group: GroupBy,
    /// `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GroupBy {
    Passage,
    Document,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SourceFormat {
    Pdf,
    Html,
    Text,
}

impl From<SourceFormat> for Format {
    fn from(value: SourceFormat) -> Self {
        match value {
            SourceFormat::Pdf => Format::Pdf,
            SourceFormat::Html => Format::Html,
            SourceFormat::Text => Format::Text,
        }
    }
}

/// Parses `2015..2020`, `2019`, `2015..` and `..2010`.
pub fn parse_years(text: &str) -> Result<(Option<i32>, Option<i32>), String> {
    let year = |s: &str| -> Result<Option<i32>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse().map(Some).map_err(|_| format!("`{s}` is not a year; use e.g. 2015..2020"))
    };
    match text.split_once("..") {
        Some((from, to)) => Ok((year(from)?, year(to)?)),
        None => {
            let single = year(text)?;
            Ok((single, single))
        }
    }
}

fn parse_code(text: &str) -> Result<String, String> {
    crate::identity::verified_code(text).map_err(|err| err.to_string())
}

fn parse_type(text: &str) -> Result<String, String> {
    let text = text.trim();
    if crate::identity::TYPES.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(format!("`{text}` is not a type; use one of {}", crate::identity::TYPES.join(", ")))
    }
}

/// A passage role by name (`commitment`) or Japanese label (`方針・取組`), as the index stores it.
pub(crate) fn parse_role(text: &str) -> Result<String, String> {
    use crate::themes::Role;
    Role::parse(text).map(|role| role.as_str().to_owned()).ok_or_else(|| {
        let names: Vec<String> =
            Role::ALL.iter().map(|r| format!("{} ({})", r.as_str(), r.label_ja())).collect();
        format!("`{text}` is not a role; use one of {}", names.join(", "))
    })
}

pub(crate) fn parse_key_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE, e.g. plan_type=大綱"))
}

pub fn run(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let query = args.query.join(" ");
    let index = PassageIndex::open(&args.index)
        .with_context(|| format!("opening the index `{}`", args.index.display()))?;
    let filters = args.filters.into_filters();
    let group = match args.group {
        GroupBy::Passage => Group::Passages,
        GroupBy::Document => Group::Documents,
    };
    let outcome = search::search_grouped(&index, &query, &filters, args.limit, group)
        .with_context(|| format!("searching for `{query}`"))?;
    match args.format {
        OutputFormat::Json => output::data(&serde_json::to_string_pretty(&outcome)?),
        OutputFormat::Table => print_table(&outcome),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(outcome: &SearchOutcome) {
    if outcome.hits.is_empty() {
        output::message(&format!("no passage matches `{}`", outcome.query));
        return;
    }
    if outcome.partial {
        output::message(&format!(
            "no passage contains every word of `{}`; showing the best partial matches",
            outcome.query
        ));
    }
    for broadened in &outcome.broadened {
        output::message(&format!(
            "no passage shown contains `{}` itself; these have its head noun `{}`",
            broadened.whole, broadened.head
        ));
    }
    if let Some(documents) = &outcome.documents {
        print_documents(outcome, documents);
        return;
    }
    let styled = output::stdout_styled();
    let mut rows = vec![vec![
        "#".to_owned(),
        "municipality".to_owned(),
        "year".to_owned(),
        "page".to_owned(),
        "heading".to_owned(),
        "snippet".to_owned(),
    ]];
    for (rank, shown) in outcome.hits.iter().enumerate() {
        let hit = &shown.hit;
        rows.push(vec![
            rank_label(rank, shown.partial),
            hit.municipality.clone().unwrap_or_else(|| "?".to_owned()),
            hit.year.map_or_else(|| "?".to_owned(), |y| y.to_string()),
            format!("p.{}", hit.page),
            output::truncate_to_width(hit.heading_path.last().map_or("", String::as_str), 28),
            render_snippet(shown, styled, SNIPPET_COLUMNS),
        ]);
    }
    output::data(output::render_table(&rows).trim_end());
    let shown = outcome.hits.len();
    output::message(&format!(
        "{shown} shown · {} passages with {} word{}{}",
        outcome.total,
        if outcome.partial { "some" } else { "every" },
        partial_note(outcome.hits.iter().any(|h| h.partial)),
        facet_line(outcome).map(|f| format!(" · {f}")).unwrap_or_default()
    ));
    for shown in &outcome.hits {
        tracing::debug!(path = %shown.hit.path, score = shown.hit.score, "hit");
    }
}

/// The rank column: `~` marks an entry that lacks some of the words.
fn rank_label(rank: usize, partial: bool) -> String {
    if partial { format!("{}~", rank + 1) } else { (rank + 1).to_string() }
}

fn partial_note(any_partial: bool) -> &'static str {
    if any_partial { " · ~ = holds only some of the words" } else { "" }
}

/// One row per plan: its metadata, how many passages matched, and its best passage.
fn print_documents(outcome: &SearchOutcome, documents: &[DocumentHit]) {
    let styled = output::stdout_styled();
    let mut rows = vec![
        ["#", "municipality", "year", "plan", "passages", "page", "best passage"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for (rank, document) in documents.iter().enumerate() {
        let Some(best) = document.best.first() else { continue };
        rows.push(vec![
            rank_label(rank, document.partial),
            document.municipality.clone().unwrap_or_else(|| "?".to_owned()),
            document.year.map_or_else(|| "?".to_owned(), |y| y.to_string()),
            output::truncate_to_width(document.title.as_deref().unwrap_or(&document.path), 24),
            document.passages.to_string(),
            format!("p.{}", best.hit.page),
            render_snippet(best, styled, SNIPPET_COLUMNS - 16),
        ]);
    }
    output::data(output::render_table(&rows).trim_end());
    output::message(&format!(
        "{} plans shown · {} passages with {} word{}",
        documents.len(),
        outcome.total,
        if outcome.partial { "some" } else { "every" },
        partial_note(documents.iter().any(|d| d.partial)),
    ));
}

fn facet_line(outcome: &SearchOutcome) -> Option<String> {
    let cities = outcome.facets.get("municipality")?;
    let mut counts: Vec<(&String, &u64)> = cities.iter().collect();
    counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = counts.iter().take(8).map(|(c, n)| format!("{c} {n}")).collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Terminal columns given to the snippet in the table.
const SNIPPET_COLUMNS: usize = 80;

/// The snippet with highlights in bold on a terminal, or in 【】 elsewhere, cut to `columns`.
fn render_snippet(shown: &ShownHit, styled: bool, columns: usize) -> String {
    let (open, close) = if styled { ("\x1b[1m", "\x1b[0m") } else { ("【", "】") };
    let mut chars: Vec<char> = Vec::new();
    let mut used = 0;
    let mut cut = false;
    for ch in shown.snippet.chars() {
        used += unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if used > columns {
            cut = true;
            break;
        }
        chars.push(ch);
    }
    let visible = chars.len();
    let mut out = String::new();
    let mut at = 0;
    for &[start, end] in &shown.highlights {
        let (start, end) = (start.min(visible), end.min(visible));
        if start < at || start >= visible {
            continue;
        }
        out.extend(&chars[at..start]);
        out.push_str(open);
        out.extend(&chars[start..end]);
        out.push_str(close);
        at = end;
    }
    out.extend(&chars[at..]);
    if cut {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_ranges() {
        assert_eq!(parse_years("2015..2020"), Ok((Some(2015), Some(2020))));
        assert_eq!(parse_years("2019"), Ok((Some(2019), Some(2019))));
        assert_eq!(parse_years("..2010"), Ok((None, Some(2010))));
        assert!(parse_years("R1").is_err());
    }
}
