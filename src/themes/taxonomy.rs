//! The common taxonomy: themes, subthemes, keyword lexicons, coding rules and the variant
//! table, loaded from TOML and validated before anything is scored with it.
//!
//! The default taxonomy ships inside the binary (`taxonomy/gyokaku-taxonomy.toml`); `--taxonomy
//! FILE` loads another with the same schema. Validation reports problems with the line they
//! are on: unknown keys (a typo such as `keyword =` would otherwise silently drop a lexicon),
//! duplicate ids, subthemes outside their theme's id space, empty lexicons and rules that do
//! not parse.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::Deserialize;
use thiserror::Error;

use super::rules::{Rule, RuleError};

/// The taxonomy compiled into the binary.
const DEFAULT_TAXONOMY: &str = include_str!("../../taxonomy/gyokaku-taxonomy.toml");

/// Where the embedded taxonomy says it comes from, for error messages.
const DEFAULT_ORIGIN: &str = "taxonomy/gyokaku-taxonomy.toml (embedded)";

#[derive(Debug, Error)]
pub enum TaxonomyError {
    #[error("cannot read taxonomy `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("taxonomy `{origin}` line {line}: {message}")]
    Invalid { origin: String, line: usize, message: String },
}

/// A validated taxonomy, in file order.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub name: String,
    pub version: String,
    pub themes: Vec<Theme>,
    pub variants: Vec<Variant>,
}

/// A top-level theme: one column of every matrix.
#[derive(Debug, Clone)]
pub struct Theme {
    pub id: String,
    pub label_ja: String,
    pub label_en: String,
    pub definition: String,
    /// Strong keywords of the theme and of its subthemes (minus the theme's weak ones).
    pub keywords: Vec<String>,
    pub weak_keywords: Vec<String>,
    pub rule: Option<Rule>,
    pub subthemes: Vec<Subtheme>,
}

#[derive(Debug, Clone)]
pub struct Subtheme {
    pub id: String,
    pub label_ja: String,
    pub label_en: String,
    pub keywords: Vec<String>,
    pub rule: Option<Rule>,
}

/// Spellings that NFKC does not fold onto one form (取組/取り組み, 人材/人財, …).
#[derive(Debug, Clone)]
pub struct Variant {
    pub canonical: String,
    pub forms: Vec<String>,
}

impl Taxonomy {
    /// The taxonomy shipped with gyokaku, parsed once per process.
    pub fn embedded_default() -> Result<&'static Taxonomy, TaxonomyError> {
        static DEFAULT: LazyLock<Result<Taxonomy, String>> = LazyLock::new(|| {
            Taxonomy::from_toml_str(DEFAULT_TAXONOMY, DEFAULT_ORIGIN).map_err(|e| e.to_string())
        });
        DEFAULT.as_ref().map_err(|message| TaxonomyError::Invalid {
            origin: DEFAULT_ORIGIN.to_owned(),
            line: 0,
            message: message.clone(),
        })
    }

    /// The embedded taxonomy, or the one in `path` when given.
    pub fn load(path: Option<&Path>) -> Result<Taxonomy, TaxonomyError> {
        match path {
            None => Taxonomy::embedded_default().cloned(),
            Some(path) => Taxonomy::from_file(path),
        }
    }

    pub fn from_file(path: &Path) -> Result<Taxonomy, TaxonomyError> {
        let text = fs_err::read_to_string(path)
            .map_err(|source| TaxonomyError::Read { path: path.to_owned(), source })?;
        Taxonomy::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses and validates a taxonomy; `origin` names the source in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Taxonomy, TaxonomyError> {
        let invalid = |line: usize, message: String| TaxonomyError::Invalid {
            origin: origin.to_owned(),
            line,
            message,
        };
        let raw: RawTaxonomy = toml::from_str(text).map_err(|err| {
            let line = err.span().map_or(0, |span| line_of_offset(text, span.start));
            invalid(line, err.message().to_owned())
        })?;
        validate_ids(&raw, text).map_err(|(line, message)| invalid(line, message))?;
        let themes = raw
            .themes
            .into_iter()
            .map(|theme| build_theme(theme, text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|(line, message)| invalid(line, message))?;
        let variants = raw
            .normalization
            .map(|n| n.variants)
            .unwrap_or_default()
            .into_iter()
            .map(|v| Variant { canonical: v.canonical, forms: v.forms })
            .collect();
        Ok(Taxonomy { name: raw.meta.name, version: raw.meta.version, themes, variants })
    }

    /// `name@version`, as stamped in every export.
    pub fn stamp(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|theme| theme.id == id)
    }

    pub fn theme_ids(&self) -> impl Iterator<Item = &str> {
        self.themes.iter().map(|theme| theme.id.as_str())
    }
}

fn build_theme(raw: RawTheme, text: &str) -> Result<Theme, (usize, String)> {
    let rule = parse_rule(raw.rule.as_deref(), &raw.id, text)?;
    let weak: BTreeSet<&str> = raw.weak_keywords.iter().map(String::as_str).collect();
    let mut keywords: Vec<String> = Vec::new();
    let all_strong = raw.keywords.iter().chain(raw.subthemes.iter().flat_map(|s| &s.keywords));
    for keyword in all_strong {
        if !weak.contains(keyword.as_str()) && !keywords.contains(keyword) {
            keywords.push(keyword.clone());
        }
    }
    if keywords.is_empty() && rule.is_none() {
        let line = line_of_id(text, &raw.id);
        return Err((line, format!("theme `{}` has no keywords and no rule", raw.id)));
    }
    let subthemes = raw
        .subthemes
        .into_iter()
        .map(|sub| {
            let rule = parse_rule(sub.rule.as_deref(), &sub.id, text)?;
            Ok(Subtheme {
                id: sub.id,
                label_ja: sub.label_ja,
                label_en: sub.label_en,
                keywords: sub.keywords,
                rule,
            })
        })
        .collect::<Result<Vec<_>, (usize, String)>>()?;
    Ok(Theme {
        id: raw.id,
        label_ja: raw.label_ja,
        label_en: raw.label_en,
        definition: raw.definition,
        keywords,
        weak_keywords: raw.weak_keywords,
        rule,
        subthemes,
    })
}

fn parse_rule(rule: Option<&str>, id: &str, text: &str) -> Result<Option<Rule>, (usize, String)> {
    let Some(source) = rule else { return Ok(None) };
    Rule::parse(source).map(Some).map_err(|err: RuleError| {
        (line_of_id(text, id), format!("rule of `{id}` does not parse: {err}"))
    })
}

fn validate_ids(raw: &RawTaxonomy, text: &str) -> Result<(), (usize, String)> {
    if raw.themes.is_empty() {
        return Err((1, "no [[themes]] defined".to_owned()));
    }
    let source_ids: BTreeSet<&str> = raw.sources.iter().map(|s| s.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    for theme in &raw.themes {
        check_id(&theme.id, &mut seen, text)?;
        if let Some(unknown) = theme.sources.iter().find(|s| !source_ids.contains(s.as_str())) {
            let line = line_of_id(text, &theme.id);
            return Err((line, format!("theme `{}` cites unknown source `{unknown}`", theme.id)));
        }
        for sub in &theme.subthemes {
            check_id(&sub.id, &mut seen, text)?;
            if !sub.id.starts_with(&format!("{}.", theme.id)) {
                let line = line_of_id(text, &sub.id);
                return Err((
                    line,
                    format!("subtheme id `{}` must start with `{}.`", sub.id, theme.id),
                ));
            }
        }
    }
    Ok(())
}

fn check_id(id: &str, seen: &mut BTreeSet<String>, text: &str) -> Result<(), (usize, String)> {
    let well_formed = !id.is_empty()
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
    if !well_formed {
        return Err((line_of_id(text, id), format!("id `{id}` is not ascii snake_case")));
    }
    if !seen.insert(id.to_owned()) {
        let line = nth_line_of_id(text, id, 1).unwrap_or_else(|| line_of_id(text, id));
        return Err((line, format!("duplicate id `{id}`")));
    }
    Ok(())
}

/// 1-based line of a byte offset.
fn line_of_offset(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

fn line_of_id(text: &str, id: &str) -> usize {
    nth_line_of_id(text, id, 0).unwrap_or(0)
}

/// The line of the `n`-th (from 0) `id = "…"` assignment of `id`.
fn nth_line_of_id(text: &str, id: &str, n: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let line = line.trim();
            line.strip_prefix("id")
                .map(|rest| rest.trim_start().trim_start_matches('=').trim())
                .is_some_and(|value| value.trim_matches('"') == id)
        })
        .nth(n)
        .map(|(index, _)| index + 1)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    meta: RawMeta,
    #[serde(default)]
    normalization: Option<RawNormalization>,
    #[serde(default)]
    themes: Vec<RawTheme>,
    #[serde(default)]
    sources: Vec<RawSource>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation fields: parsed so that unknown keys are caught, not scored.
struct RawMeta {
    name: String,
    version: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    top_level_count: Option<u32>,
    #[serde(default)]
    id_scheme: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNormalization {
    #[serde(default)]
    variants: Vec<RawVariant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation fields: parsed so that unknown keys are caught, not scored.
struct RawVariant {
    canonical: String,
    forms: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation fields: parsed so that unknown keys are caught, not scored.
struct RawTheme {
    id: String,
    label_ja: String,
    label_en: String,
    #[serde(default)]
    definition: String,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    source_note: Option<String>,
    #[serde(default)]
    cap_codes: Vec<u32>,
    #[serde(default)]
    oecd: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    weak_keywords: Vec<String>,
    #[serde(default)]
    disambiguation: Option<String>,
    /// A KH Coder-style coding rule, e.g. `(公共施設 & (老朽化 | 統廃合)) | 総合管理計画`.
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    subthemes: Vec<RawSubtheme>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubtheme {
    id: String,
    label_ja: String,
    label_en: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    rule: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Documentation fields: parsed so that unknown keys are caught, not scored.
struct RawSource {
    id: String,
    title: String,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    verified: Vec<String>,
    #[serde(default)]
    evidence_urls: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[meta]
name = "t"
version = "1"

[[themes]]
id = "a"
label_ja = "あ"
label_en = "A"
keywords = ["老朽化"]
"#;

    fn error_of(text: &str) -> String {
        Taxonomy::from_toml_str(text, "t.toml").unwrap_err().to_string()
    }

    #[test]
    fn embedded_default_has_nineteen_themes_in_file_order() {
        let taxonomy = Taxonomy::embedded_default().unwrap();
        assert_eq!(taxonomy.themes.len(), 19);
        assert_eq!(taxonomy.themes[0].id, "fiscal_health");
        assert_eq!(taxonomy.themes.last().unwrap().id, "compliance_integrity");
        let subthemes: usize = taxonomy.themes.iter().map(|t| t.subthemes.len()).sum();
        assert_eq!(subthemes, 76);
        assert!(taxonomy.stamp().starts_with("jp-municipal-admin-reform-taxonomy@"));
    }

    #[test]
    fn weak_keywords_of_a_theme_stay_weak_even_when_a_subtheme_lists_them() {
        let taxonomy = Taxonomy::embedded_default().unwrap();
        let facilities = taxonomy.theme("public_facilities").unwrap();
        assert!(facilities.weak_keywords.iter().any(|k| k == "耐震化"));
        assert!(!facilities.keywords.iter().any(|k| k == "耐震化"));
    }

    #[test]
    fn unknown_key_is_reported_with_its_line() {
        let text = MINIMAL.replace("keywords = [", "keyword = [");
        let message = error_of(&text);
        assert!(message.contains("line 10"), "{message}");
        assert!(message.contains("keyword"), "{message}");
    }

    #[test]
    fn duplicate_id_is_reported_at_the_second_definition() {
        let text = format!(
            "{MINIMAL}\n[[themes]]\nid = \"a\"\nlabel_ja = \"い\"\nlabel_en = \"B\"\nkeywords = [\"x\"]\n"
        );
        let message = error_of(&text);
        assert!(message.contains("duplicate id `a`"), "{message}");
        assert!(message.contains("line 13"), "{message}");
    }

    #[test]
    fn subtheme_outside_its_theme_is_rejected() {
        let text = format!(
            "{MINIMAL}\n  [[themes.subthemes]]\n  id = \"b.x\"\n  label_ja = \"x\"\n  label_en = \"x\"\n"
        );
        assert!(error_of(&text).contains("must start with `a.`"));
    }

    #[test]
    fn bad_rule_names_the_theme() {
        let text = MINIMAL.replace("keywords = [\"老朽化\"]", "rule = \"(公共施設 & \"");
        let message = error_of(&text);
        assert!(message.contains("rule of `a`"), "{message}");
    }

    #[test]
    fn syntax_error_has_a_line() {
        let message = error_of("[meta]\nname = \"t\"\nversion = \n");
        assert!(message.contains("line 3"), "{message}");
    }
}
