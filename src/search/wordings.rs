//! Other wordings of a query word: the words plans use for the same thing.
//!
//! A researcher who types 時間外勤務 means the plan that writes 超過勤務 too, and one who types
//! 自治体DX the plan that writes デジタル化. The groups live in `taxonomy/wordings.toml` (embedded),
//! next to the taxonomy, because they are vocabulary of the domain rather than code; this module
//! only reads them and answers "which other wordings has this word".

use std::sync::LazyLock;

use serde::Deserialize;

use crate::normalize::normalize;

/// The groups as shipped.
const EMBEDDED_WORDINGS: &str = include_str!("../../taxonomy/wordings.toml");

#[derive(Debug, Deserialize)]
struct WordingsFile {
    group: Vec<Group>,
}

#[derive(Debug, Deserialize)]
struct Group {
    words: Vec<String>,
}

/// The embedded groups, normalised as the index normalises text. The file is checked by the
/// tests below, so a group that fails to parse cannot ship; should it, search runs without
/// other wordings rather than failing.
static GROUPS: LazyLock<Vec<Vec<String>>> =
    LazyLock::new(|| parse(EMBEDDED_WORDINGS).unwrap_or_default());

fn parse(toml_text: &str) -> Result<Vec<Vec<String>>, toml::de::Error> {
    let file: WordingsFile = toml::from_str(toml_text)?;
    Ok(file
        .group
        .into_iter()
        .map(|g| g.words.iter().map(|w| normalize(w)).filter(|w| !w.is_empty()).collect())
        .collect())
}

/// The other wordings of a normalised word, from every group it stands in, in file order and
/// without repeats; empty for a word in no group. A wording that contains the word (窓口サービス
/// for 窓口) is left out: every passage it matches holds the word already, so asking it only
/// costs a phrase check per match.
pub fn other_wordings(word: &str) -> Vec<String> {
    let mut others: Vec<String> = Vec::new();
    for group in GROUPS.iter().filter(|g| g.iter().any(|w| w == word)) {
        for other in group {
            if !other.contains(word) && !others.contains(other) {
                others.push(other.clone());
            }
        }
    }
    others
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_groups_parse_and_hold_two_words_or_more() {
        let groups = parse(EMBEDDED_WORDINGS).expect("taxonomy/wordings.toml parses");
        assert!(groups.len() >= 20, "only {} groups", groups.len());
        for group in &groups {
            assert!(group.len() >= 2, "a group needs two wordings: {group:?}");
        }
    }

    #[test]
    fn a_word_gets_the_other_words_of_its_groups_normalised() {
        let others = other_wordings("時間外勤務");
        assert!(others.contains(&"超過勤務".to_owned()), "{others:?}");
        assert!(!others.contains(&"時間外勤務".to_owned()));
        // Latin words are matched after the normaliser's lower-casing.
        assert!(other_wordings("自治体dx").contains(&"デジタル化".to_owned()));
        assert!(other_wordings("行政改革").is_empty(), "not a wording of anything");
        // A wording holding the word itself adds no passage.
        assert!(!other_wordings("窓口").iter().any(|w| w.contains("窓口")));
    }
}
