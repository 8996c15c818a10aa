//! Document metadata: rows of `manifest.csv`, and inference from the text when no row
//! names a document (title, municipality, plan year from era dates).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use thiserror::Error;

use crate::model::{DocMeta, Extracted};
use crate::tokenize::{JapaneseTokenizer, PartOfSpeech};

#[derive(Debug, Error)]
pub enum ManifestError {
    #[error("cannot read manifest `{}`: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("manifest `{}` line {line}: {reason}", .path.display())]
    Row { path: PathBuf, line: u64, reason: String },
    #[error("manifest `{}` has no `path` column (columns: {columns})", .path.display())]
    NoPathColumn { path: PathBuf, columns: String },
}

/// Manifest rows by the canonical path of the document they describe.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    rows: HashMap<PathBuf, DocMeta>,
}

const KNOWN_COLUMNS: [&str; 7] =
    ["path", "municipality", "prefecture", "code", "title", "year", "url"];

impl Manifest {
    /// Reads a manifest (UTF-8 with or without BOM, Shift_JIS, …: decoded as text files are). Paths are relative to the manifest's folder.
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let bytes = fs_err::read(path)
            .map_err(|source| ManifestError::Io { path: path.to_owned(), source })?;
        // The one decoder: spreadsheet programs save CSV as Shift_JIS as often as UTF-8.
        let text = crate::extract::html::decode_text(&bytes, None).text;
        Self::parse(&text, path)
    }

    fn parse(text: &str, manifest_path: &Path) -> Result<Self, ManifestError> {
        let base = manifest_path.parent().unwrap_or(Path::new("."));
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let row_err = |line: u64, reason: String| ManifestError::Row {
            path: manifest_path.to_owned(),
            line,
            reason,
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(|err| row_err(1, err.to_string()))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        if !headers.iter().any(|h| h == "path") {
            return Err(ManifestError::NoPathColumn {
                path: manifest_path.to_owned(),
                columns: headers.join(","),
            });
        }
        let mut rows = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(|err| {
                row_err(err.position().map_or(0, csv::Position::line), err.to_string())
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            let mut meta = DocMeta::default();
            let mut doc_path = None;
            for (header, value) in headers.iter().zip(record.iter()) {
                let value = value.trim();
                if value.is_empty() {
                    continue;
                }
                let owned = Some(value.to_owned());
                match header.as_str() {
                    "path" => doc_path = Some(base.join(value)),
                    "municipality" => meta.municipality = owned,
                    "prefecture" => meta.prefecture = owned,
                    "code" => {
                        let code = crate::identity::verified_code(value)
                            .map_err(|err| row_err(line, err.to_string()))?;
                        meta.code = Some(code);
                    }
                    "title" => meta.title = owned,
                    "url" => meta.url = owned,
                    "year" => {
                        meta.year = Some(value.parse().map_err(|_| {
                            row_err(line, format!("year `{value}` is not a western year like 2019"))
                        })?);
                    }
                    other => {
                        meta.extra.insert(other.to_owned(), value.to_owned());
                    }
                }
            }
            let doc_path = doc_path.ok_or_else(|| row_err(line, "empty `path`".to_owned()))?;
            rows.insert(canonical(&doc_path), meta);
        }
        debug_assert!(KNOWN_COLUMNS.contains(&"path"));
        Ok(Manifest { rows })
    }

    /// The row describing the file at `path`, if any.
    pub fn get(&self, path: &Path) -> Option<&DocMeta> {
        self.rows.get(&canonical(path))
    }
}

fn canonical(path: &Path) -> PathBuf {
    fs_err::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

/// Fills what the manifest did not give from the document's text.
pub fn complete(meta: &DocMeta, extracted: &Extracted, tokenizer: &JapaneseTokenizer) -> DocMeta {
    let mut meta = meta.clone();
    let head: String =
        extracted.pages.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n");
    if meta.title.is_none() {
        meta.title = extracted.title.clone().or_else(|| infer_title(&head));
    }
    if meta.municipality.is_none() {
        meta.municipality = infer_municipality(&head, tokenizer);
    }
    if meta.year.is_none() {
        meta.year = infer_year(&head);
    }
    meta
}

/// Resolves the body through the 全国地方公共団体コード table: fills the code, the official
/// name and prefecture, and the type. A name not in the table (or ambiguous without its
/// prefecture) is kept as written; the returned warning says why.
pub fn resolve_identity(meta: &mut DocMeta) -> Option<String> {
    let table = crate::identity::Table::shipped();
    let resolved = table.resolve(
        meta.municipality.as_deref(),
        meta.prefecture.as_deref(),
        meta.code.as_deref(),
    );
    let (entity, warning) = match resolved {
        Ok(crate::identity::Resolved::Known(entity)) => (entity, None),
        Ok(crate::identity::Resolved::Corrected(entity, warning)) => {
            (entity, Some(format!("municipality: {warning}")))
        }
        Ok(crate::identity::Resolved::Unknown { warning }) => {
            return meta.municipality.as_ref().map(|_| format!("municipality: {warning}"));
        }
        Err(err) => return Some(format!("municipality: {err}")),
    };
    meta.municipality = Some(entity.name.clone());
    meta.prefecture = Some(entity.prefecture.clone());
    meta.code = Some(entity.code.clone());
    meta.municipality_type = Some(entity.kind.clone());
    warning
}

/// The first short line that looks like a title.
pub fn infer_title(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|line| {
            let n = line.chars().count();
            (4..=60).contains(&n)
                && !line.ends_with('。')
                && line.chars().any(crate::analysis::is_cjk)
        })
        .map(str::to_owned)
}

/// The municipality a plan is about: place names followed by 市, 町, 村 or 区; the most
/// frequent wins, ties going to the earliest.
pub fn infer_municipality(text: &str, tokenizer: &JapaneseTokenizer) -> Option<String> {
    let sample: String = text.chars().take(20_000).collect();
    let morphemes = tokenizer.morphemes(&sample).ok()?;
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (i, pair) in morphemes.windows(2).enumerate() {
        let (name, suffix) = (&pair[0], &pair[1]);
        let is_place = name.pos == PartOfSpeech::PlaceName
            || (name.pos == PartOfSpeech::ProperNoun && name.surface.chars().count() >= 2);
        if is_place && matches!(suffix.surface.as_str(), "市" | "町" | "村" | "区") {
            let entry =
                counts.entry(format!("{}{}", name.surface, suffix.surface)).or_insert((0, i));
            entry.0 += 1;
        }
    }
    let mut whole: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (name, (count, first)) in counts {
        let entry = whole.entry(known_name_around(&sample, &name)).or_insert((0, first));
        entry.0 += count;
        entry.1 = entry.1.min(first);
    }
    if whole.is_empty() {
        // No city, town or village: a prefecture's own plan names the prefecture.
        for name in crate::identity::Table::shipped().prefecture_names() {
            let mut at = sample.match_indices(name).map(|(i, _)| i);
            if let Some(first) = at.next() {
                whole.insert(name.to_owned(), (1 + at.count(), first));
            }
        }
    }
    whole.into_iter().max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1))).map(|(name, _)| name)
}

/// Characters before a place name that may belong to it (大 of 大田原市).
const LONGEST_NAME_PREFIX: usize = 3;

/// The dictionary may split a name and tag only its end as a place (大|田原市): when the text
/// shows `name` preceded by characters that make a body of the code table (大田原市), that
/// body is meant. Returns the longest such name, else `name`.
fn known_name_around(text: &str, name: &str) -> String {
    let table = crate::identity::Table::shipped();
    let mut best = name.to_owned();
    for (at, _) in text.match_indices(name) {
        let before: Vec<char> = text[..at].chars().rev().take(LONGEST_NAME_PREFIX).collect();
        for len in (1..=before.len()).rev() {
            let prefix: String = before[..len].iter().rev().collect();
            let longer = format!("{prefix}{name}");
            if longer.chars().count() > best.chars().count() && table.knows_name(&longer) {
                best = longer;
                break;
            }
        }
    }
    best
}

/// The year of the first era or western date in the text (the cover date of a plan).
pub fn infer_year(text: &str) -> Option<i32> {
    static DATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"(令和|平成|昭和)\s*(元|[0-9０-９]{1,2}|[〇一二三四五六七八九十]{1,3})\s*年|((?:19|20)[0-9]{2}|(?:１９|２０)[０-９]{2})\s*年",
        )
        .ok()
    });
    let captures = DATE.as_ref()?.captures(text)?;
    if let Some(western) = captures.get(3) {
        return parse_number(western.as_str());
    }
    era_year(captures.get(1)?.as_str(), captures.get(2)?.as_str())
}

/// The western year of a Japanese era year: `era_year("令和", "7")` is 2025, `元` is year 1;
/// the number may be ASCII, full-width or kanji. `None` for an era this tool does not know.
/// The one wareki conversion of the crate (dates of plans, target years of measures).
pub fn era_year(era: &str, number: &str) -> Option<i32> {
    let era_start = match era {
        "令和" | "R" => 2018,
        "平成" | "H" => 1988,
        "昭和" | "S" => 1925,
        _ => return None,
    };
    let year = if number == "元" { 1 } else { parse_number(number)? };
    Some(era_start + year)
}

/// Parses ASCII or full-width digits, or kanji numerals up to 九十九.
pub fn parse_number(text: &str) -> Option<i32> {
    let digits: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    if let Ok(n) = digits.parse() {
        return Some(n);
    }
    let value = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c).map(|v| v as i32);
    match digits.split_once('十') {
        Some((tens, ones)) => {
            let tens = if tens.is_empty() { 1 } else { value(tens.chars().next()?)? };
            let ones = if ones.is_empty() { 0 } else { value(ones.chars().next()?)? };
            Some(tens * 10 + ones)
        }
        None => digits.chars().try_fold(0, |acc, c| Some(acc * 10 + value(c)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_from_era_dates() {
        for (text, year) in [
            ("令和元年5月 芽室町", Some(2019)),
            ("平成31年度から", Some(2019)),
            ("昭和61年度に第1次", Some(1986)),
            ("平成二十四年三月", Some(2012)),
            ("令和２年", Some(2020)),
            ("２０２１年４月", Some(2021)),
            ("日付なし", None),
        ] {
            assert_eq!(infer_year(text), year, "{text}");
        }
    }

    #[test]
    fn municipality_from_place_names() {
        let tokenizer = JapaneseTokenizer::shared().unwrap();
        let text = "苫小牧市行政創革プラン。苫小牧市では、札幌市と連携し…";
        assert_eq!(infer_municipality(text, tokenizer).as_deref(), Some("苫小牧市"));
    }

    #[test]
    fn a_name_the_dictionary_splits_is_read_whole() {
        // IPADIC reads 大田原市 as 大 + 田原市 (a city of 愛知県); the code table knows both.
        let tokenizer = JapaneseTokenizer::shared().unwrap();
        let text = "第2次大田原市行政改革大綱の実施状況。大田原市では、行政改革を推進する。";
        assert_eq!(infer_municipality(text, tokenizer).as_deref(), Some("大田原市"));
        let text = "田原市行政改革大綱。田原市では、行政改革を推進する。";
        assert_eq!(infer_municipality(text, tokenizer).as_deref(), Some("田原市"));
    }

    #[test]
    fn a_prefecture_plan_without_a_city_names_the_prefecture() {
        let tokenizer = JapaneseTokenizer::shared().unwrap();
        let text = "岩手県行政経営プラン。県は、国や宮城県と連携し、岩手県の行財政改革を進める。";
        assert_eq!(infer_municipality(text, tokenizer).as_deref(), Some("岩手県"));
    }

    #[test]
    fn manifest_rows_with_extra_columns() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("manifest.csv");
        let csv = "\u{FEFF}path,municipality,year,plan_type\nmemuro.pdf,芽室町,2019,大綱\n";
        let parsed = Manifest::parse(csv.trim_start_matches('\u{FEFF}'), &manifest).unwrap();
        let row = parsed.get(&dir.path().join("memuro.pdf")).unwrap();
        assert_eq!(row.municipality.as_deref(), Some("芽室町"));
        assert_eq!(row.year, Some(2019));
        assert_eq!(row.extra["plan_type"], "大綱");
    }

    #[test]
    fn a_wrong_check_digit_is_refused_with_its_row() {
        let err = Manifest::parse("path,code\na.pdf,016373\nb.pdf,016374\n", Path::new("m.csv"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("check digit"), "{err}");
    }

    #[test]
    fn identity_resolves_names_and_codes() {
        let mut meta = DocMeta { municipality: Some("鎌ヶ谷市".into()), ..DocMeta::default() };
        assert_eq!(resolve_identity(&mut meta), None);
        assert_eq!(meta.code.as_deref(), Some("122246"));
        assert_eq!(meta.municipality.as_deref(), Some("鎌ケ谷市"));
        assert_eq!(meta.municipality_type.as_deref(), Some("市"));
        let mut meta = DocMeta { municipality: Some("府中市".into()), ..DocMeta::default() };
        let warning = resolve_identity(&mut meta).unwrap();
        assert!(warning.contains("ambiguous"), "{warning}");
        assert_eq!(meta.code, None);
        let mut meta = DocMeta { code: Some("012025".into()), ..DocMeta::default() };
        assert_eq!(resolve_identity(&mut meta), None);
        assert_eq!(meta.municipality.as_deref(), Some("函館市"));
        assert_eq!(meta.municipality_type.as_deref(), Some("中核市"));
    }

    #[test]
    fn bad_year_names_the_line() {
        let err = Manifest::parse("path,year\na.pdf,R1\n", Path::new("m.csv")).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
