//! Which links point at plans: the cue list, kept as data (`cues.toml`) so researchers can
//! widen or narrow a crawl without a new build.
//!
//! A municipal site has thousands of pages; the plans sit in one section reached through
//! words such as 行政改革 or 大綱, or URL fragments such as `gyokaku`. The crawler asks this
//! module one question per link: does its text, its URL or the page it sits on say "plan"?

use std::path::Path;

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::FetchError;

/// The cue list shipped with gyokaku.
pub const DEFAULT_CUES: &str = include_str!("cues.toml");

/// Cues for plan links: words of link texts and titles, URL fragments, and skip words.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cues {
    text: Vec<String>,
    url: Vec<String>,
    #[serde(default)]
    skip: Vec<String>,
}

impl Cues {
    /// The shipped cue list.
    pub fn builtin() -> Cues {
        Cues::parse(DEFAULT_CUES, Path::new("cues.toml")).unwrap_or_else(|_| Cues {
            text: Vec::new(),
            url: Vec::new(),
            skip: Vec::new(),
        })
    }

    /// Reads a cue file in the format of `cues.toml`.
    pub fn load(path: &Path) -> Result<Cues, FetchError> {
        let text = fs_err::read_to_string(path)
            .map_err(|source| FetchError::Io { path: path.to_owned(), source })?;
        Cues::parse(&text, path)
    }

    fn parse(text: &str, path: &Path) -> Result<Cues, FetchError> {
        let raw: Cues = toml::from_str(text).map_err(|err| FetchError::Cues {
            path: path.to_owned(),
            reason: err.message().to_owned(),
        })?;
        Ok(Cues {
            text: raw.text.iter().map(|cue| fold(cue)).collect(),
            url: raw.url.iter().map(|cue| cue.to_ascii_lowercase()).collect(),
            skip: raw.skip.iter().map(|cue| fold(cue)).collect(),
        })
    }

    /// Whether a text (link text, page title) names a plan.
    pub fn text_matches(&self, text: &str) -> bool {
        let text = fold(text);
        self.text.iter().any(|cue| text.contains(cue.as_str()))
    }

    /// Whether a URL has a plan section's fragment in it.
    pub fn url_matches(&self, url: &str) -> bool {
        let url = url.to_ascii_lowercase();
        self.url.iter().any(|cue| url.contains(cue.as_str()))
    }

    /// Whether a link is to be skipped whatever its cues.
    pub fn skipped(&self, text: &str) -> bool {
        let text = fold(text);
        self.skip.iter().any(|cue| text.contains(cue.as_str()))
    }

    /// Whether a link leads to a plan: a cue in its text or URL, and no skip word.
    pub fn link_matches(&self, text: &str, url: &str) -> bool {
        !self.skipped(text) && (self.text_matches(text) || self.url_matches(url))
    }
}

/// NFKC and ASCII lowercase, so that full-width and half-width spellings agree.
fn fold(text: &str) -> String {
    text.nfkc().collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_cues_find_plan_links() {
        let cues = Cues::builtin();
        for (text, url, expect) in [
            ("第3次行政改革大綱（PDF：1.2MB）", "/a.pdf", true),
            ("行財政改革の取組状況", "/b.html", true),
            ("ごみの出し方", "/kurashi/gomi.html", false),
            ("ページ", "/soshiki/gyokaku/index.html", true),
            ("行政改革カレンダー", "/cal.html", false),
            ("ＡＣＴＩＯＮ", "/GYOKAKU/x.html", true),
        ] {
            assert_eq!(cues.link_matches(text, url), expect, "{text} {url}");
        }
    }

    #[test]
    fn a_bad_cue_file_names_itself() {
        let err = Cues::parse("text = 1", Path::new("my-cues.toml")).unwrap_err();
        assert!(err.to_string().contains("my-cues.toml"), "{err}");
    }
}
