//! `SEEDS.csv`: which bodies to crawl and where to start (format in CONTRACT.md).
//!
//! One row per start URL: `municipality` (or `code`), `url`, optional `prefecture`. Rows are
//! checked here, so a typo in a URL is refused with its line before any request is made.

use std::path::Path;

use url::Url;

use super::FetchError;

/// One start URL and the body it belongs to, as written in the seeds file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    pub code: Option<String>,
    pub url: Url,
    /// The line of the seeds file, for messages.
    pub line: u64,
}

/// Reads a seeds file (decoded as text files are, header row).
pub fn load_seeds(path: &Path) -> Result<Vec<Seed>, FetchError> {
    let bytes =
        fs_err::read(path).map_err(|source| FetchError::Io { path: path.to_owned(), source })?;
    // The one decoder, as for manifests: UTF-8 with or without BOM, Shift_JIS, ….
    let text = crate::extract::html::decode_text(&bytes, None).text;
    parse_seeds(&text, path)
}

fn parse_seeds(text: &str, path: &Path) -> Result<Vec<Seed>, FetchError> {
    let row_err =
        |line: u64, reason: String| FetchError::Seeds { path: path.to_owned(), line, reason };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|err| row_err(1, err.to_string()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if !headers.iter().any(|h| h == "url") {
        return Err(row_err(1, format!("no `url` column (columns: {})", headers.join(","))));
    }
    if !headers.iter().any(|h| h == "municipality" || h == "code") {
        return Err(row_err(1, "needs a `municipality` or a `code` column".to_owned()));
    }
    let mut seeds = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| {
            row_err(err.position().map_or(0, csv::Position::line), err.to_string())
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let field = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let Some(raw_url) = field("url") else {
            return Err(row_err(line, "empty `url`".to_owned()));
        };
        let url = Url::parse(&raw_url)
            .map_err(|err| row_err(line, format!("`{raw_url}` is not a URL: {err}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(row_err(line, format!("`{raw_url}` is not an http(s) URL")));
        }
        let (municipality, code) = (field("municipality"), field("code"));
        if municipality.is_none() && code.is_none() {
            return Err(row_err(line, "neither `municipality` nor `code` is given".to_owned()));
        }
        seeds.push(Seed { municipality, prefecture: field("prefecture"), code, url, line });
    }
    Ok(seeds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_with_and_without_codes() {
        let seeds = parse_seeds(
            "municipality,prefecture,url\n府中市,広島県,https://www.city.fuchu.hiroshima.jp/\n",
            Path::new("s.csv"),
        )
        .unwrap();
        assert_eq!(seeds[0].prefecture.as_deref(), Some("広島県"));
        assert_eq!(seeds[0].url.host_str(), Some("www.city.fuchu.hiroshima.jp"));
        let seeds = parse_seeds("code,url\n016373,http://127.0.0.1:1/\n", Path::new("s.csv"));
        assert_eq!(seeds.unwrap()[0].code.as_deref(), Some("016373"));
    }

    #[test]
    fn bad_rows_name_their_line() {
        for (csv, expect) in [
            ("municipality,url\n芽室町,not a url\n", "line 2"),
            ("municipality,url\n芽室町,ftp://x/\n", "not an http"),
            ("url\nhttp://x/\n", "`municipality` or a `code`"),
            ("municipality,url\n,http://x/\n", "neither"),
        ] {
            let err = parse_seeds(csv, Path::new("s.csv")).unwrap_err().to_string();
            assert!(err.contains(expect), "{csv}: {err}");
        }
    }
}
