//! `gyokaku themes`: the municipality (or document) × theme matrix with evidence, as a table,
//! CSV, JSON or Excel, optionally with a heatmap; `themes eval` scores it against gold labels
//! and `themes gaps` lists salient terms no theme covers. Also the exports of `gyokaku run`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};

use crate::cli::Progress;
use crate::cli::reuse::{DiscountArgs, apply_discount};
use crate::compare::gaps::gaps;
use crate::index::{IndexedDocument, load_documents};
use crate::output;
use crate::themes::aggregate::build_matrix;
use crate::themes::eval::{EvalReport, Gold, evaluate, predict};
use crate::themes::export::{
    About, CellValue, matrix_csv, matrix_json, matrix_xlsx, write_matrix_files,
};
use crate::themes::heatmap::write_heatmap;
use crate::themes::{By, DocumentInput, Matrix, Taxonomy, score_documents};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ThemesArgs {
    #[command(subcommand)]
    pub mode: Option<ThemesMode>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Rows of the matrix: one per municipality (its latest plan) or one per document.
    #[arg(long, value_enum, default_value_t = By::Municipality)]
    pub by: By,
    /// Merge all plans of a municipality instead of taking its latest (with --by municipality).
    #[arg(long)]
    pub all_years: bool,
    /// `table` for people; `csv`, `json` (with evidence) or `xlsx` (needs --output) for tools.
    #[arg(long, value_enum, default_value_t = MatrixFormat::Table)]
    pub format: MatrixFormat,
    /// Write the matrix to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// What a CSV or Excel cell holds: 1/0 presence, the score in [0, 1], or the hit count.
    #[arg(long, value_enum, default_value_t = CellValue::Presence)]
    pub value: CellValue,
    /// Start the CSV with a byte-order mark so that Excel reads it as UTF-8.
    #[arg(long)]
    pub excel: bool,
    /// Also draw a heatmap to FILE.svg or FILE.png (PNG needs a Japanese font).
    #[arg(long, value_name = "FILE")]
    pub heatmap: Option<PathBuf>,
    /// Instead of the matrix, show the evidence behind one row (a municipality, or a document
    /// path with --by document; a unique part of the name is enough), e.g. --explain 芽室.
    #[arg(long, value_name = "ROW")]
    pub explain: Option<String>,
    /// With --explain: only this theme id (repeat for several); absent themes are shown too.
    #[arg(long = "theme", value_name = "ID", requires = "explain")]
    pub themes: Vec<String>,
    #[command(flatten)]
    pub discount: DiscountArgs,
}

/// Where the plans and the taxonomy come from.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// The index folder.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    /// A taxonomy TOML to use instead of the built-in one (same schema).
    #[arg(long, value_name = "FILE")]
    pub taxonomy: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ThemesMode {
    /// Precision, recall and F1 per theme (micro and macro) against a gold file
    /// `{"labels": {"<path>": {"present": ["theme_id", …]}}}`, next to the naive
    /// "any strong keyword anywhere" baseline.
    Eval(EvalArgs),
    /// Salient noun compounds of the corpus (TF-IDF) that no theme's keywords cover.
    Gaps(GapsArgs),
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The gold labels (JSON).
    #[arg(long)]
    pub gold: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Also write every document × theme with its features and gold label as JSON lines, the
    /// input of `scripts/train_presence.py`.
    #[arg(long, value_name = "FILE")]
    pub features: Option<PathBuf>,
    #[command(flatten)]
    pub discount: DiscountArgs,
}

#[derive(Debug, Args)]
pub struct GapsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Number of terms to list.
    #[arg(long, short = 'n', default_value_t = 30)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Table,
    Csv,
    Json,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
}

pub fn run(args: ThemesArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    match args.mode {
        Some(ThemesMode::Eval(eval_args)) => run_eval(&eval_args, progress),
        Some(ThemesMode::Gaps(gaps_args)) => run_gaps(&gaps_args),
        None => run_matrix(&args, progress),
    }
}

/// The taxonomy and the indexed documents.
pub(crate) fn load_sources(
    source: &SourceArgs,
) -> anyhow::Result<(Taxonomy, Vec<IndexedDocument>)> {
    let taxonomy = Taxonomy::load(source.taxonomy.as_deref())?;
    let documents = load_documents(&source.index)
        .with_context(|| format!("reading the index `{}`", source.index.display()))?;
    Ok((taxonomy, documents))
}

pub(crate) fn inputs(documents: &[IndexedDocument]) -> Vec<DocumentInput<'_>> {
    documents
        .iter()
        .map(|doc| DocumentInput { path: &doc.path, meta: &doc.meta, passages: &doc.passages })
        .collect()
}

fn build(taxonomy: &Taxonomy, documents: &[IndexedDocument], by: By, all_years: bool) -> Matrix {
    let scored = score_documents(taxonomy, &inputs(documents));
    build_matrix(taxonomy, &scored, by, all_years)
}

fn run_matrix(args: &ThemesArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    let (taxonomy, mut documents) = load_sources(&args.source)?;
    apply_discount(&args.discount, &args.source.index, &mut documents, progress.quiet)?;
    let matrix = build(&taxonomy, &documents, args.by, args.all_years);
    if let Some(row) = &args.explain {
        output::data(render_explanation(&matrix, row, &args.themes)?.trim_end());
        return Ok(ExitCode::SUCCESS);
    }
    let bytes = match args.format {
        MatrixFormat::Table => render_matrix_table(&matrix).into_bytes(),
        MatrixFormat::Csv => matrix_csv(&matrix, args.value, args.excel)?,
        MatrixFormat::Json => matrix_json(&matrix)?,
        MatrixFormat::Xlsx => {
            if args.output.is_none() {
                anyhow::bail!("--format xlsx writes a binary file: give it --output FILE.xlsx");
            }
            matrix_xlsx(&matrix, &taxonomy, args.value, &about(&args.source.index))?
        }
    };
    match &args.output {
        Some(path) => {
            fs_err::write(path, &bytes)?;
            if !progress.quiet {
                output::message(&format!("wrote `{}`", path.display()));
            }
        }
        None => output::data_raw(&bytes),
    }
    if let Some(path) = &args.heatmap {
        write_heatmap(&matrix, path)?;
        if !progress.quiet {
            output::message(&format!("wrote `{}`", path.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn about(index: &Path) -> About {
    About {
        gyokaku_version: env!("CARGO_PKG_VERSION").to_owned(),
        dictionary: crate::tokenize::DICTIONARY_VERSION.to_owned(),
        generated: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        index: index.display().to_string(),
    }
}

/// Themes down, rows across: `●0.93` when the plan commits to the theme, `·0.12` otherwise.
pub fn render_matrix_table(matrix: &Matrix) -> String {
    let mut header = vec!["theme".to_owned(), "label".to_owned()];
    header.extend(matrix.rows.iter().map(|row| match row.year {
        Some(year) => format!("{} {year}", row.key),
        None => row.key.clone(),
    }));
    let mut rows = vec![header];
    for (theme, column) in matrix.columns.iter().enumerate() {
        let mut line = vec![column.id.clone(), output::truncate_to_width(&column.label_ja, 24)];
        line.extend(matrix.rows.iter().map(|row| {
            let cell = &row.cells[theme];
            format!("{}{:.2}", if cell.present { "●" } else { "·" }, cell.score)
        }));
        rows.push(line);
    }
    let mut totals = vec!["present".to_owned(), String::new()];
    totals.extend(matrix.rows.iter().map(|row| {
        format!("{}/{}", row.cells.iter().filter(|c| c.present).count(), row.cells.len())
    }));
    rows.push(totals);
    output::render_table(&rows)
}

/// The evidence behind one row: for each theme (present ones, or the ones asked for), its
/// decision, score and best passages with page, heading and context.
fn render_explanation(matrix: &Matrix, wanted: &str, themes: &[String]) -> anyhow::Result<String> {
    let candidates: Vec<&crate::themes::MatrixRow> =
        match matrix.rows.iter().find(|r| r.key == wanted) {
            Some(row) => vec![row],
            None => matrix.rows.iter().filter(|r| r.key.contains(wanted)).collect(),
        };
    let row = match candidates.as_slice() {
        [row] => *row,
        [] => anyhow::bail!(
            "no row `{wanted}` (rows: {})",
            matrix.rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>().join(", ")
        ),
        many => anyhow::bail!(
            "`{wanted}` matches several rows: {}",
            many.iter().map(|r| r.key.as_str()).collect::<Vec<_>>().join(", ")
        ),
    };
    if let Some(unknown) = themes.iter().find(|t| !matrix.columns.iter().any(|c| &c.id == *t)) {
        anyhow::bail!("unknown theme id `{unknown}`");
    }
    let mut text = format!("{} — {}\n", row.key, row.documents.join(", "));
    for (column, cell) in matrix.columns.iter().zip(&row.cells) {
        let asked = themes.contains(&column.id);
        if !(asked || themes.is_empty() && cell.present) {
            continue;
        }
        let verdict = if cell.present { "present" } else { "absent" };
        text.push_str(&format!(
            "\n{} {} — {verdict}, score {:.2}, {} hits\n",
            column.id, column.label_ja, cell.score, cell.count
        ));
        for evidence in &cell.evidence {
            let context = format!("{:?}", evidence.context).to_lowercase();
            text.push_str(&format!(
                "  p.{} [{}] {context} {:.2} ({})\n    {}\n",
                evidence.page,
                output::truncate_to_width(&evidence.heading, 60),
                evidence.weight,
                evidence.keywords.join("、"),
                output::truncate_to_width(&evidence.text.replace('\n', " "), 160)
            ));
        }
    }
    Ok(text)
}

/// Writes the municipality × theme matrix of the index at `index_dir` into
/// `<index_dir>/exports/` (CSV with BOM, XLSX, JSON, SVG heatmap, PNG when a Japanese font
/// is available) and prints it as a table unless `quiet`. Called at the end of `gyokaku run`.
pub fn write_run_exports(index_dir: &Path, quiet: bool) -> anyhow::Result<()> {
    let taxonomy = Taxonomy::embedded_default()?;
    let documents = load_documents(index_dir)
        .with_context(|| format!("reading the index `{}`", index_dir.display()))?;
    let dir = index_dir.join("exports");
    let (matrix, _) = write_matrix_files(taxonomy, &inputs(&documents), &dir, &about(index_dir))?;
    if !quiet {
        output::data(render_matrix_table(&matrix).trim_end());
        output::message(&format!(
            "theme matrix (evidence in JSON and XLSX) written to `{}`",
            dir.display()
        ));
    }
    Ok(())
}

fn run_eval(args: &EvalArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    let (taxonomy, mut documents) = load_sources(&args.source)?;
    apply_discount(&args.discount, &args.source.index, &mut documents, progress.quiet)?;
    let ids: Vec<&str> = taxonomy.theme_ids().collect();
    let gold = Gold::load(&args.gold, &ids)?;
    let predictions = predict(&taxonomy, &inputs(&documents));
    let ours = evaluate(&ids, &gold, &predictions.gyokaku);
    let rules = evaluate(&ids, &gold, &predictions.rules);
    let naive = evaluate(&ids, &gold, &predictions.naive);
    if let Some(path) = &args.features {
        write_features(path, &gold, &predictions.features)?;
    }
    if ours.documents == 0 {
        anyhow::bail!(
            "no document of the index `{}` matches a gold key of `{}`",
            args.source.index.display(),
            args.gold.display()
        );
    }
    for key in &ours.unmatched {
        output::warning(&format!("gold document `{key}` is not in the index; left out"));
    }
    match args.format {
        ReportFormat::Json => {
            let json = serde_json::json!({
                "taxonomy": taxonomy.stamp(),
                "gold": args.gold.display().to_string(),
                "model": crate::themes::presence::default_model().name(),
                "gyokaku": ours,
                "rules": rules,
                "naive": naive,
            });
            output::data(&serde_json::to_string_pretty(&json)?);
        }
        ReportFormat::Table => output::data(render_eval(&ours, &rules, &naive).trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}

/// One JSON line per document and theme: path, theme, features, gold label (documents
/// without a gold key are left out).
fn write_features(
    path: &std::path::Path,
    gold: &crate::themes::eval::Gold,
    rows: &[crate::themes::eval::FeatureRow],
) -> anyhow::Result<()> {
    let mut out = String::new();
    for row in rows {
        let Some(present) = gold.present_for(&row.path) else { continue };
        let line = serde_json::json!({
            "path": row.path,
            "theme": row.theme,
            "features": row.features,
            "vector": row.vector,
            "gold": present.contains(&row.theme),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    fs_err::write(path, out).with_context(|| format!("writing features to `{}`", path.display()))
}

fn render_eval(ours: &EvalReport, rules: &EvalReport, naive: &EvalReport) -> String {
    let f = |x: f64| format!("{x:.3}");
    let mut rows = vec![
        ["theme", "tp", "fp", "fn", "precision", "recall", "f1", "rules f1", "naive f1"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for ((theme, baseline), rule) in ours.themes.iter().zip(&naive.themes).zip(&rules.themes) {
        rows.push(vec![
            theme.theme.clone(),
            theme.tp.to_string(),
            theme.fp.to_string(),
            theme.fn_.to_string(),
            f(theme.prf.precision),
            f(theme.prf.recall),
            f(theme.prf.f1),
            f(rule.prf.f1),
            f(baseline.prf.f1),
        ]);
    }
    let model = crate::themes::presence::default_model().name();
    let averages = [
        (format!("micro ({model})"), ours.micro),
        ("rules micro".to_owned(), rules.micro),
        ("naive micro".to_owned(), naive.micro),
        (format!("macro ({model})"), ours.macro_),
        ("rules macro".to_owned(), rules.macro_),
        ("naive macro".to_owned(), naive.macro_),
    ];
    for (name, m) in averages {
        rows.push(vec![
            name,
            String::new(),
            String::new(),
            String::new(),
            f(m.precision),
            f(m.recall),
            f(m.f1),
            String::new(),
            String::new(),
        ]);
    }
    let mut text = output::render_table(&rows);
    text.push_str(&format!("\n{} documents evaluated\n", ours.documents));
    for error in &ours.errors {
        text.push_str(&format!(
            "{}: false positives [{}], false negatives [{}]\n",
            error.path,
            error.false_positives.join(", "),
            error.false_negatives.join(", ")
        ));
    }
    text
}

fn run_gaps(args: &GapsArgs) -> anyhow::Result<ExitCode> {
    let (taxonomy, documents) = load_sources(&args.source)?;
    let terms = gaps(&taxonomy, &inputs(&documents), args.limit)?;
    match args.format {
        ReportFormat::Json => {
            output::data(&serde_json::to_string_pretty(&serde_json::json!({
                "taxonomy": taxonomy.stamp(),
                "terms": terms,
            }))?);
        }
        ReportFormat::Table => {
            let mut rows = vec![
                ["term", "tfidf", "count", "documents", "example"].map(str::to_owned).to_vec(),
            ];
            rows.extend(terms.iter().map(|t| {
                vec![
                    t.term.clone(),
                    format!("{:.4}", t.tfidf),
                    t.count.to_string(),
                    t.documents.to_string(),
                    t.example.clone(),
                ]
            }));
            output::data(output::render_table(&rows).trim_end());
        }
    }
    Ok(ExitCode::SUCCESS)
}
