//! Query-string parameters of the app's URLs, validated into what the library takes.
//!
//! Every state of a page lives in its URL, so these parameters are the app's interface: they
//! are named after the CLI's flags (`q`, `city`, `prefecture`, `year`, `theme`,
//! `source-format`, `where`, `limit`) and every bad value is a [`WebError::BadRequest`] that
//! names the parameter, never a panic or a 500. Empty values count as absent (an empty form
//! field), unknown names are refused so that a mistyped permalink does not silently show
//! something else.

use crate::cli::search::parse_years;
use crate::index::Filters;
use crate::model::Format;
use crate::web::WebError;

/// Longest query accepted, in characters. A query is analysed word by word; longer inputs
/// are pasted paragraphs, not queries, and would only cost time.
pub const MAX_QUERY_CHARS: usize = 500;

/// Most parameters in one URL (repeated filters included).
const MAX_PARAMS: usize = 100;

/// Most results shown on one page of the search.
pub const MAX_LIMIT: usize = 100;

/// Deepest result reachable by paging (`page × limit`): ranking deeper than this is noise, and
/// the export gives every hit.
pub const MAX_WINDOW: usize = 10_000;

/// The parameters of one request, in order.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

/// The filter parameters shared by search, KWIC and exports.
pub const FILTER_KEYS: [&str; 7] =
    ["city", "prefecture", "year", "theme", "role", "source-format", "where"];

impl Params {
    /// Parses a raw query string, refusing names not in `allowed`.
    pub fn parse(raw: &str, allowed: &[&str]) -> Result<Params, WebError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs.len() > MAX_PARAMS {
            return Err(bad(format!(
                "too many parameters ({}, at most {MAX_PARAMS})",
                pairs.len()
            )));
        }
        if let Some((key, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(bad(format!(
                "unknown parameter `{key}` (this page takes: {})",
                allowed.join(", ")
            )));
        }
        Ok(Params { pairs: pairs.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect() })
    }

    /// The last value of `key`, if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    /// All pairs, for rebuilding URLs.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// A number in `min..=max`, or `default` when absent.
    pub fn number(
        &self,
        key: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, WebError> {
        let Some(text) = self.get(key) else { return Ok(default) };
        let value: usize = text.trim().parse().map_err(|_| {
            bad(format!("`{key}` must be a whole number from {min} to {max}, not `{text}`"))
        })?;
        if value < min || value > max {
            return Err(bad(format!("`{key}` must be from {min} to {max}, not {value}")));
        }
        Ok(value)
    }

    /// The query (`q`), trimmed; absent is empty. Refuses overlong queries.
    pub fn query(&self, key: &str) -> Result<String, WebError> {
        let query = self.get(key).unwrap_or("").trim().to_owned();
        let n = query.chars().count();
        if n > MAX_QUERY_CHARS {
            return Err(bad(format!(
                "the query is {n} characters long; at most {MAX_QUERY_CHARS} are accepted"
            )));
        }
        Ok(query)
    }

    /// One of `choices`, or the first when absent.
    pub fn choice<'a>(&self, key: &str, choices: &[&'a str]) -> Result<&'a str, WebError> {
        match self.get(key) {
            None => Ok(choices[0]),
            Some(value) => choices.iter().copied().find(|c| *c == value).ok_or_else(|| {
                bad(format!("`{key}` must be one of {}, not `{value}`", choices.join(", ")))
            }),
        }
    }

    /// The search filters, as the CLI's flags give them.
    pub fn filters(&self) -> Result<Filters, WebError> {
        let years = match self.get("year") {
            None => None,
            Some(text) => {
                let years = parse_years(text).map_err(|reason| bad(format!("`year`: {reason}")))?;
                let valid = |y: Option<i32>| y.is_none_or(|y| (1..=9999).contains(&y));
                if !valid(years.0) || !valid(years.1) {
                    return Err(bad(format!("`year` must be between 1 and 9999, not `{text}`")));
                }
                Some(years)
            }
        };
        let formats = self
            .all("source-format")
            .into_iter()
            .map(|f| match f {
                "pdf" => Ok(Format::Pdf),
                "html" => Ok(Format::Html),
                "text" => Ok(Format::Text),
                other => {
                    Err(bad(format!("`source-format` must be pdf, html or text, not `{other}`")))
                }
            })
            .collect::<Result<_, _>>()?;
        let vars = self
            .all("where")
            .into_iter()
            .map(|text| {
                crate::cli::search::parse_key_value(text)
                    .map_err(|reason| bad(format!("`where`: {reason}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Filters {
            municipalities: self.all("city").into_iter().map(str::to_owned).collect(),
            prefectures: self.all("prefecture").into_iter().map(str::to_owned).collect(),
            years,
            formats,
            themes: self.all("theme").into_iter().map(str::to_owned).collect(),
            roles: self
                .all("role")
                .into_iter()
                .map(|text| {
                    crate::cli::search::parse_role(text)
                        .map_err(|reason| bad(format!("`role`: {reason}")))
                })
                .collect::<Result<_, _>>()?,
            vars,
            codes: self.all("code").into_iter().map(str::to_owned).collect(),
            municipality_types: self.all("type").into_iter().map(str::to_owned).collect(),
        })
    }
}

fn bad(message: String) -> WebError {
    WebError::BadRequest(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 4] = ["q", "limit", "year", "source-format"];

    #[test]
    fn decodes_and_drops_empty_values() {
        let params = Params::parse("q=%E5%85%AC+x&year=&limit=5", &KEYS).unwrap();
        assert_eq!(params.get("q"), Some("公 x"));
        assert_eq!(params.get("year"), None);
        assert_eq!(params.number("limit", 10, 1, 100).unwrap(), 5);
    }

    #[test]
    fn bad_values_are_bad_requests() {
        let check = |raw: &str| {
            let result = Params::parse(raw, &KEYS).and_then(|p| {
                p.number("limit", 10, 1, 100)?;
                p.filters()?;
                p.query("q").map(|_| ())
            });
            assert!(matches!(result, Err(WebError::BadRequest(_))), "{raw}: {result:?}");
        };
        for raw in [
            "limit=-1",
            "limit=99999999999999999999999",
            "limit=0",
            "limit=abc",
            "year=R1",
            "year=99999",
            "source-format=exe",
            "unknown=1",
            &format!("q={}", "あ".repeat(MAX_QUERY_CHARS + 1)),
        ] {
            check(raw);
        }
    }
}
