//! Themes × groups of plans (prefecture, type of body, 5-year band of the plan year): counts of
//! plans with the theme present, Pearson's χ² test of independence per theme and over the whole
//! table, adjusted standardised residuals per cell (Haberman's, as KH Coder reports them) and
//! Holm-adjusted p-values for the per-theme tests.
//!
//! Works on scored documents (one plan = one count); reads no index and prints nothing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CompareError, KeyTerm, keyness_against, term_counts_by_document};
use crate::model::DocMeta;
use crate::themes::export::{ExportError, Provenance, UTF8_BOM, excel_time, write_header};
use crate::themes::{DocumentInput, DocumentThemes, Taxonomy};
use crate::tokenize::JapaneseTokenizer;

/// How plans are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum GroupBy {
    Prefecture,
    /// `municipality_type` from the code table, else a manifest column `type` or `body_type`.
    Type,
    /// Five-year bands of the plan's first year: 2000–2004, 2005–2009, …
    YearBand,
}

/// The group of a plan, `None` when its metadata lacks the field.
pub fn group_of(meta: &DocMeta, by: GroupBy) -> Option<String> {
    match by {
        GroupBy::Prefecture => meta.prefecture.clone(),
        GroupBy::Type => meta
            .municipality_type
            .clone()
            .or_else(|| meta.extra.get("type").cloned())
            .or_else(|| meta.extra.get("body_type").cloned()),
        GroupBy::YearBand => meta.year.map(|y| {
            let start = y - y.rem_euclid(5);
            format!("{start}-{}", start + 4)
        }),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupTable {
    pub taxonomy: String,
    pub by: GroupBy,
    pub groups: Vec<String>,
    /// Plans per group.
    pub plans: Vec<usize>,
    /// Plans left out because their metadata has no group.
    pub ungrouped: usize,
    pub themes: Vec<ThemeRow>,
    /// χ² over the whole themes × groups table of present counts.
    pub overall: ChiSquare,
    pub note: String,
    /// Set by the caller for exports (gyokaku version, taxonomy, index and its commit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeRow {
    pub id: String,
    pub label_ja: String,
    /// Plans with the theme present, per group.
    pub present: Vec<usize>,
    /// Adjusted standardised residual of each `present` cell (|r| ≥ 1.96: p < .05).
    pub residuals: Vec<f64>,
    /// The 2 × groups test (present / absent).
    pub test: ChiSquare,
    /// Holm-adjusted p over the themes' tests.
    pub p_holm: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquare {
    pub chi2: f64,
    pub df: usize,
    pub p: f64,
}

/// The themes × groups table of the documents.
pub fn group_table(taxonomy: &Taxonomy, scored: &[DocumentThemes], by: GroupBy) -> GroupTable {
    let mut by_group: BTreeMap<String, Vec<&DocumentThemes>> = BTreeMap::new();
    let mut ungrouped = 0;
    for doc in scored {
        match group_of(&doc.meta, by) {
            Some(group) => by_group.entry(group).or_default().push(doc),
            None => ungrouped += 1,
        }
    }
    let groups: Vec<String> = by_group.keys().cloned().collect();
    let plans: Vec<usize> = by_group.values().map(Vec::len).collect();
    let mut themes = Vec::new();
    for (index, theme) in taxonomy.themes.iter().enumerate() {
        let present: Vec<usize> = by_group
            .values()
            .map(|docs| {
                docs.iter().filter(|d| d.themes.get(index).is_some_and(|t| t.present)).count()
            })
            .collect();
        let absent: Vec<usize> = plans.iter().zip(&present).map(|(n, p)| n - p).collect();
        let table = vec![present.clone(), absent];
        let residuals = adjusted_residuals(&table).into_iter().next().unwrap_or_default();
        themes.push(ThemeRow {
            id: theme.id.clone(),
            label_ja: theme.label_ja.clone(),
            present,
            residuals,
            test: chi_square(&table),
            p_holm: 1.0,
        });
    }
    let p_values: Vec<f64> = themes.iter().map(|t| t.test.p).collect();
    for (row, p) in themes.iter_mut().zip(holm(&p_values)) {
        row.p_holm = p;
    }
    let counts: Vec<Vec<usize>> = themes.iter().map(|t| t.present.clone()).collect();
    GroupTable {
        taxonomy: format!("{}@{}", taxonomy.name, taxonomy.version),
        by,
        groups,
        plans,
        ungrouped,
        themes,
        overall: chi_square(&counts),
        provenance: None,
        note: "Per theme: Pearson χ² of present/absent × groups (df = groups − 1); p_holm is \
               Holm's step-down adjustment over the themes (family-wise error). Residuals are \
               adjusted standardised residuals; |r| ≥ 1.96 marks a cell at p < .05 before any \
               adjustment. Expected counts below 5 make the χ² approximation rough."
            .to_owned(),
    }
}

/// Keyness of a group's plans against a reference group the user names.
#[derive(Debug, Clone, Serialize)]
pub struct GroupKeyness {
    pub by: GroupBy,
    pub group: String,
    pub reference: String,
    pub group_plans: usize,
    pub reference_plans: usize,
    /// Noun compounds over-represented in the group, by log-likelihood G² (the same keyness as
    /// `compare A B`).
    pub terms: Vec<KeyTerm>,
}

/// The terms of plans in `group` against plans in `reference` (groups as [`group_of`] names them).
pub fn group_keyness(
    documents: &[DocumentInput<'_>],
    by: GroupBy,
    group: &str,
    reference: &str,
) -> Result<GroupKeyness, CompareError> {
    let members = |name: &str| -> Vec<String> {
        documents
            .iter()
            .filter(|d| group_of(d.meta, by).as_deref() == Some(name))
            .map(|d| d.path.to_owned())
            .collect()
    };
    let (inside, outside) = (members(group), members(reference));
    for (name, paths) in [(group, &inside), (reference, &outside)] {
        if paths.is_empty() {
            let mut known: Vec<String> =
                documents.iter().filter_map(|d| group_of(d.meta, by)).collect();
            known.sort();
            known.dedup();
            return Err(CompareError::Unknown { name: name.to_owned(), known: known.join(", ") });
        }
    }
    let tokenizer = JapaneseTokenizer::shared()
        .map_err(|source| CompareError::Tokenize { path: "(dictionary)".into(), source })?;
    let chosen: Vec<DocumentInput<'_>> = documents
        .iter()
        .filter(|d| inside.iter().chain(&outside).any(|p| p == d.path))
        .copied()
        .collect();
    let counts = term_counts_by_document(tokenizer, &chosen, 1)?;
    Ok(GroupKeyness {
        by,
        group: group.to_owned(),
        reference: reference.to_owned(),
        group_plans: inside.len(),
        reference_plans: outside.len(),
        terms: keyness_against(&counts, &inside, Some(&outside)),
    })
}

/// Columns of the group table's CSV and XLSX sheet: one row per theme × group.
pub const GROUP_COLUMNS: [&str; 11] = [
    "theme", "label_ja", "group", "plans", "present", "residual", "chi2", "df", "p", "p_holm",
    "gyokaku",
];

fn group_rows(table: &GroupTable) -> Vec<[String; 11]> {
    let version = table.provenance.as_ref().map(|p| p.gyokaku_version.clone()).unwrap_or_default();
    let mut rows = Vec::new();
    for theme in &table.themes {
        for (g, group) in table.groups.iter().enumerate() {
            rows.push([
                theme.id.clone(),
                theme.label_ja.clone(),
                group.clone(),
                table.plans[g].to_string(),
                theme.present[g].to_string(),
                format!("{:.4}", theme.residuals.get(g).copied().unwrap_or_default()),
                format!("{:.4}", theme.test.chi2),
                theme.test.df.to_string(),
                format!("{:.6}", theme.test.p),
                format!("{:.6}", theme.p_holm),
                version.clone(),
            ]);
        }
    }
    rows
}

/// The group table as CSV with a BOM, one row per theme × group.
pub fn group_csv(table: &GroupTable) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::Writer::from_writer(UTF8_BOM.to_vec());
    writer.write_record(GROUP_COLUMNS)?;
    for row in group_rows(table) {
        writer.write_record(row)?;
    }
    writer.into_inner().map_err(|err| ExportError::Io(err.into_error()))
}

/// A workbook with a `groups` sheet (numbers as numbers) and an `about` sheet.
pub fn group_xlsx(table: &GroupTable) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{DocProperties, Workbook};
    let mut workbook = Workbook::new();
    if let Some(p) = &table.provenance {
        let properties = DocProperties::new()
            .set_title("gyokaku themes by group")
            .set_author("gyokaku")
            .set_creation_datetime(&excel_time(&p.generated)?);
        workbook.set_properties(&properties);
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("groups")?;
    write_header(sheet, &GROUP_COLUMNS)?;
    for (r, row) in (1u32..).zip(group_rows(table)) {
        for (c, field) in (0u16..).zip(row) {
            match field.parse::<f64>() {
                Ok(n) if (3..=9).contains(&c) => sheet.write_number(r, c, n)?,
                _ => sheet.write_string(r, c, field)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let about = workbook.add_worksheet();
    about.set_name("about")?;
    write_header(about, &["field", "value"])?;
    let p = table.provenance.clone();
    let field = |f: fn(&Provenance) -> String| p.as_ref().map(f).unwrap_or_default();
    let rows = [
        ("tool", field(|p| format!("gyokaku {}", p.gyokaku_version))),
        ("taxonomy", table.taxonomy.clone()),
        ("index", field(|p| p.index.clone())),
        ("index commit", field(|p| p.index_commit.clone().unwrap_or_default())),
        ("generated (UTC)", field(|p| p.generated.clone())),
        ("groups by", format!("{:?}", table.by)),
        (
            "overall",
            format!(
                "χ² = {:.2}, df = {}, p = {:.6}",
                table.overall.chi2, table.overall.df, table.overall.p
            ),
        ),
        ("note", table.note.clone()),
    ];
    for (r, (name, text)) in (1u32..).zip(rows) {
        about.write_string(r, 0, name)?;
        about.write_string(r, 1, text)?;
    }
    about.set_column_width(1, 90)?;
    Ok(workbook.save_to_buffer()?)
}

/// Pearson's χ² of independence of a rows × columns table; rows or columns that are all zero
/// are left out of the degrees of freedom.
pub fn chi_square(table: &[Vec<usize>]) -> ChiSquare {
    let (rows, cols, total) = margins(table);
    let mut chi2 = 0.0;
    for (i, row) in table.iter().enumerate() {
        for (j, &observed) in row.iter().enumerate() {
            let expected = rows[i] * cols[j] / total;
            if expected > 0.0 {
                chi2 += (count(observed) - expected).powi(2) / expected;
            }
        }
    }
    let live = |m: &[f64]| m.iter().filter(|x| **x > 0.0).count();
    let df = live(&rows).saturating_sub(1) * live(&cols).saturating_sub(1);
    let p = if df == 0 { 1.0 } else { chi2_sf(chi2, df) };
    ChiSquare { chi2, df, p }
}

/// Haberman's adjusted standardised residuals: (O − E) / √(E (1 − row/N) (1 − col/N)).
pub fn adjusted_residuals(table: &[Vec<usize>]) -> Vec<Vec<f64>> {
    let (rows, cols, total) = margins(table);
    table
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &observed)| {
                    let expected = rows[i] * cols[j] / total;
                    let variance = expected * (1.0 - rows[i] / total) * (1.0 - cols[j] / total);
                    if variance > 0.0 {
                        (count(observed) - expected) / variance.sqrt()
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect()
}

#[allow(clippy::cast_precision_loss)] // Plan counts are far below 2^52.
fn count(n: usize) -> f64 {
    n as f64
}

fn margins(table: &[Vec<usize>]) -> (Vec<f64>, Vec<f64>, f64) {
    let n_cols = table.iter().map(Vec::len).max().unwrap_or(0);
    let rows: Vec<f64> = table.iter().map(|r| r.iter().map(|&x| count(x)).sum()).collect();
    let cols: Vec<f64> = (0..n_cols)
        .map(|j| table.iter().map(|r| r.get(j).map_or(0.0, |&x| count(x))).sum())
        .collect();
    let total = rows.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    (rows, cols, total)
}

/// Holm's step-down adjusted p-values, in the input's order.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![1.0; p.len()];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        let value = (count(p.len() - rank) * p[i]).min(1.0);
        running = running.max(value);
        adjusted[i] = running;
    }
    adjusted
}

/// The survival function of the χ² distribution, P(X ≥ x) for `df` degrees of freedom: the
/// regularised upper incomplete gamma Q(df/2, x/2) (series below a + 1, Lentz's continued
/// fraction above, as in Numerical Recipes §6.2).
pub fn chi2_sf(x: f64, df: usize) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let a = count(df) / 2.0;
    let x = x / 2.0;
    let log_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (1.0 - sum * log_prefix.exp()).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -count(i) * (count(i) - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (log_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

/// ln Γ(a) by the Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for a > 0.
fn ln_gamma(a: f64) -> f64 {
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if a < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * a).sin()).ln() - ln_gamma(1.0 - a);
    }
    let a = a - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (i, c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (a + count(i));
    }
    let t = a + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (a + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1e-300)
    }

    #[test]
    fn chi2_survival_matches_known_values() {
        // Expected values of scipy.stats.chi2.sf(x, df), here from the closed forms (computed
        // with Python's math module): df 1: erfc(√(x/2)); df 2: exp(−x/2); df 3: erfc(√(x/2)) +
        // √(2x/π)·exp(−x/2); even df 2k: exp(−x/2)·Σ_{i<k} (x/2)^i/i!.
        for (x, df, expected) in [
            (3.841_458_820_694_124, 1, 0.05),
            (5.991_464_547_107_979, 2, 0.05),
            (10.0, 2, 0.006_737_946_999_085_467),
            (10.0, 3, 0.018_566_135_463_043_24),
            (1.0, 1, 0.317_310_507_862_914_1),
            (0.5, 4, 0.973_500_978_839_256_1),
            (30.0, 10, 0.000_856_641_210_775_300_4),
        ] {
            let got = chi2_sf(x, df);
            assert!(close(got, expected, 1e-9), "sf({x}, {df}) = {got}, want {expected}");
        }
        assert!((chi2_sf(0.0, 3) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_two_by_two_table() {
        // [[10, 20], [30, 40]]: χ² = 0.7937 (no continuity correction), df = 1, as
        // scipy.stats.chi2_contingency(..., correction=False) reports (p = 0.37299).
        let test = chi_square(&[vec![10, 20], vec![30, 40]]);
        assert!(close(test.chi2, 0.793_650_793_650_793_6, 1e-9), "{test:?}");
        assert_eq!(test.df, 1);
        assert!(close(test.p, 0.372_998_483_613_4, 1e-6), "{test:?}");
        // In a 2 × 2 table every adjusted residual is ±√χ².
        let r = adjusted_residuals(&[vec![10, 20], vec![30, 40]]);
        assert!(close(r[0][0].abs(), test.chi2.sqrt(), 1e-9));
        assert!(r[0][0] < 0.0 && r[0][1] > 0.0);
    }

    #[test]
    fn holm_adjustment() {
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!(close(*a, e, 1e-12), "{adjusted:?}");
        }
    }

    #[test]
    fn year_bands() {
        let meta = |year| DocMeta { year: Some(year), ..DocMeta::default() };
        assert_eq!(group_of(&meta(2017), GroupBy::YearBand).as_deref(), Some("2015-2019"));
        assert_eq!(group_of(&meta(2020), GroupBy::YearBand).as_deref(), Some("2020-2024"));
    }
}
