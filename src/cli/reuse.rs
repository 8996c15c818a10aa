//! `gyokaku reuse`: clusters of near-duplicate passages across plans, optionally marked as
//! copied from national guidelines, as a table, CSV (BOM) or JSON with provenance. The report
//! is also saved in the index folder (`reuse::SAVED_FILE`) for `serve` and for the
//! `--discount-copied` flag of `themes` and `measures`, whose arguments and loading live here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::index::{IndexedDocument, commit_stamp, load_documents};
use crate::output;
use crate::reuse::{
    COPIED_MIN_MUNICIPALITIES, DEFAULT_MIN_CHARS, Measure, PassageClusters, Provenance,
    ReferenceDocument, ReuseOptions, ReuseReport, SAVED_FILE, SavedReuse, discount_copied,
    find_reuse, load_references, read_saved, report_csv, saved_json,
};

/// Members shown per cluster in the table; the CSV and JSON list them all.
const TABLE_MEMBERS: usize = 8;

#[derive(Debug, Args)]
pub struct ReuseArgs {
    /// The index folder.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    /// A folder of national guideline texts (any format `extract` reads); clusters holding
    /// one of their passages are marked `guideline`.
    #[arg(long, value_name = "DIR")]
    pub reference: Option<PathBuf>,
    /// The value of --measure a pair of passages must reach (0–1]: the share of the smaller
    /// passage's character 5-grams found in the other (containment, default 0.5) or the
    /// Jaccard similarity of the two 5-gram sets (jaccard, default 0.6).
    #[arg(long, value_name = "T")]
    pub threshold: Option<f64>,
    /// How passages are compared: `containment` finds a sentence copied into a longer
    /// passage; `jaccard` (the measure before session 6) only passages alike as a whole.
    #[arg(long, value_enum, default_value_t = MeasureArg::Containment)]
    pub measure: MeasureArg,
    /// Compare passages as they are: do not drop lines of page furniture (site chrome,
    /// viewer notices, contact footers, lines recurring in 4+ documents that are not prose).
    #[arg(long)]
    pub keep_furniture: bool,
    /// Passages shorter than this many characters (after normalisation and dropping page
    /// furniture) are skipped.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_CHARS)]
    pub min_chars: usize,
    /// `table` for people, `csv` (with a BOM, one row per member) or `json` for scripts.
    #[arg(long, value_enum, default_value_t = ReuseFormat::Table)]
    pub format: ReuseFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasureArg {
    Containment,
    Jaccard,
}

impl From<MeasureArg> for Measure {
    fn from(arg: MeasureArg) -> Measure {
        match arg {
            MeasureArg::Containment => Measure::Containment,
            MeasureArg::Jaccard => Measure::Jaccard,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReuseFormat {
    Table,
    Csv,
    Json,
}

pub fn run(args: ReuseArgs) -> anyhow::Result<ExitCode> {
    let documents = load_documents(&args.index)
        .with_context(|| format!("reading the index at `{}`", args.index.display()))?;
    let (references, warnings, provenance) =
        references_and_provenance(&args.index, args.reference.as_deref())?;
    let measure = Measure::from(args.measure);
    let options = ReuseOptions {
        threshold: args.threshold.unwrap_or_else(|| measure.default_threshold()),
        min_chars: args.min_chars,
        measure,
        keep_furniture: args.keep_furniture,
    };
    let mut report = find_reuse(&documents, &references, options, provenance)?;
    for warning in &report.warnings {
        output::warning(warning);
    }
    report.warnings.splice(0..0, warnings);
    save(&args.index, &report);
    match args.format {
        ReuseFormat::Json => output::data(&serde_json::to_string_pretty(&report)?),
        ReuseFormat::Csv => output::data_raw(&report_csv(&report)?),
        ReuseFormat::Table => output::data(render(&report).trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Saves the report in the index folder for `serve` and `--discount-copied`. Failing to (a
/// read-only index) is a warning: the report itself was printed.
fn save(index: &Path, report: &ReuseReport) {
    let path = index.join(SAVED_FILE);
    let saved = match commit_stamp(index) {
        Ok(commit) => SavedReuse { commit, report: report.clone() },
        Err(err) => {
            output::warning(&format!("clusters not saved: cannot read the index commit: {err}"));
            return;
        }
    };
    // Written aside and renamed, so that a running `serve` never reads half a file.
    let partial = index.join(format!("{SAVED_FILE}.partial"));
    let written =
        fs_err::write(&partial, saved_json(&saved)).and_then(|()| fs_err::rename(&partial, &path));
    if let Err(err) = written {
        output::warning(&format!("clusters not saved: {err}"));
    }
}

/// The `--discount-copied` flag of `themes` (matrix and `eval`) and `measures`.
#[derive(Debug, Args)]
pub struct DiscountArgs {
    /// Leave out copied boilerplate: passages of a `gyokaku reuse` cluster that spans the
    /// plans of at least 3 municipalities, or that matches a guideline text of --reference.
    /// They count neither as theme evidence nor as measures. The clusters `gyokaku reuse`
    /// saved in the index are used when they are of its current commit; else (or with
    /// --reference) they are found now with reuse's defaults.
    #[arg(long)]
    pub discount_copied: bool,
    /// With --discount-copied: a folder of national guideline texts (any format `extract`
    /// reads); plan passages copied from them are left out too.
    #[arg(long, value_name = "DIR", requires = "discount_copied")]
    pub reference: Option<PathBuf>,
}

/// Applies `--discount-copied` to the index's documents (all of them: clusters span the whole
/// index, so call this before filtering documents). Says on stderr how many passages were
/// left out and where the clusters came from, unless `quiet`.
pub(crate) fn apply_discount(
    args: &DiscountArgs,
    index: &Path,
    documents: &mut [IndexedDocument],
    quiet: bool,
) -> anyhow::Result<()> {
    if !args.discount_copied {
        return Ok(());
    }
    let (clusters, source) = copied_clusters(args, index, documents)?;
    let removed = discount_copied(documents, &clusters, COPIED_MIN_MUNICIPALITIES);
    if !quiet {
        output::message(&format!(
            "--discount-copied: {removed} copied passages left out (clusters {source})"
        ));
    }
    Ok(())
}

/// The clusters for `--discount-copied` and where they came from.
fn copied_clusters(
    args: &DiscountArgs,
    index: &Path,
    documents: &[IndexedDocument],
) -> anyhow::Result<(PassageClusters, String)> {
    if args.reference.is_none() {
        let saved = read_saved(index)?;
        let current = commit_stamp(index).ok();
        match saved {
            Some(saved) if Some(&saved.commit) == current.as_ref() => {
                let source = format!("saved by `gyokaku reuse` in `{}`", index.display());
                return Ok((PassageClusters::new(saved.report.clusters), source));
            }
            Some(_) => output::warning(&format!(
                "the clusters saved in `{}` are of an older commit of the index; finding them \
                 again (run `gyokaku reuse` to save them)",
                index.join(SAVED_FILE).display()
            )),
            None => {}
        }
    }
    let (references, _, provenance) = references_and_provenance(index, args.reference.as_deref())?;
    let report = find_reuse(documents, &references, ReuseOptions::default(), provenance)?;
    let source = match &args.reference {
        Some(dir) => format!("found now, with the guidelines of `{}`", dir.display()),
        None => "found now".to_owned(),
    };
    Ok((PassageClusters::new(report.clusters), source))
}

/// The guideline passages of `--reference DIR` (its warnings printed and returned) and the
/// provenance of a report found now on `index`.
fn references_and_provenance(
    index: &Path,
    reference: Option<&Path>,
) -> anyhow::Result<(Vec<ReferenceDocument>, Vec<String>, Provenance)> {
    let (references, warnings) = match reference {
        Some(dir) => load_references(dir)
            .with_context(|| format!("reading the reference folder `{}`", dir.display()))?,
        None => (Vec::new(), Vec::new()),
    };
    for warning in &warnings {
        output::warning(warning);
    }
    let provenance = Provenance {
        gyokaku_version: env!("CARGO_PKG_VERSION").to_owned(),
        index: index.display().to_string(),
        reference: reference.map(|dir| dir.display().to_string()),
    };
    Ok((references, warnings, provenance))
}

fn render(report: &ReuseReport) -> String {
    let mut text = format!(
        "{} clusters of copied passages ({} passages compared, {} candidate pairs, {} pairs \
         with {} ≥ {})\n",
        report.clusters.len(),
        report.passages,
        report.candidates,
        report.pairs,
        report.measure.name(),
        report.threshold
    );
    for cluster in &report.clusters {
        let mark = if cluster.guideline { "  guideline" } else { "" };
        text.push_str(&format!(
            "\ncluster {}: {} plans, {} passages, {}{mark}\n",
            cluster.id,
            cluster.documents,
            cluster.members.len(),
            ranges(report.measure, cluster),
        ));
        let mut rows = vec![
            ["municipality", "year", "path", "page", "#", "excerpt"].map(str::to_owned).to_vec(),
        ];
        for m in cluster.members.iter().take(TABLE_MEMBERS) {
            let who = if m.reference {
                "(guideline)".to_owned()
            } else {
                m.municipality.clone().unwrap_or_else(|| "?".to_owned())
            };
            rows.push(vec![
                who,
                m.year.map(|y| y.to_string()).unwrap_or_default(),
                output::truncate_to_width(&m.path, 32),
                m.page.to_string(),
                m.ordinal.to_string(),
                output::truncate_to_width(&m.excerpt, 48),
            ]);
        }
        text.push_str(&output::render_table(&rows));
        if cluster.members.len() > TABLE_MEMBERS {
            text.push_str(&format!(
                "… and {} more (see --format csv)\n",
                cluster.members.len() - TABLE_MEMBERS
            ));
        }
    }
    text
}

/// The cluster's ranges as the table shows them: Jaccard alone for the Jaccard measure, else
/// the measure's range and then Jaccard's.
fn ranges(measure: Measure, cluster: &crate::reuse::Cluster) -> String {
    let jaccard = format!("Jaccard {:.2}–{:.2}", cluster.min_jaccard, cluster.max_jaccard);
    match measure {
        Measure::Jaccard => jaccard,
        Measure::Containment => format!(
            "{} {:.2}–{:.2}, {jaccard}",
            measure.name(),
            cluster.min_similarity,
            cluster.max_similarity
        ),
    }
}
