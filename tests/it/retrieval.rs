//! Retrieval on plans the search was not tuned on: six held-back plan texts written for the
//! theme evaluation (tests/gold/heldout), with questions a researcher would ask.

use crate::support::{gyokaku, repo_root, search_json};

fn heldout_index() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path())
        .arg("ingest")
        .arg(repo_root().join("tests/gold/heldout"))
        .args(["--index", "index"])
        .assert()
        .success();
    dir
}

#[test]
fn researcher_questions_find_the_right_plan_first() {
    let dir = heldout_index();
    for (query, city, must_contain) in [
        ("公共施設の老朽化", "北浜市", "老朽化"),
        ("書かない窓口", "北浜市", "書かない窓口"),
        ("施設 統廃合", "東山村", "統廃合"),
        ("ふるさと納税 返礼品", "北浜市", "返礼品"),
    ] {
        let result = search_json(dir.path(), &[query]);
        let first = &result["hits"][0];
        assert!(
            first["municipality"].as_str().unwrap_or_default().starts_with(city)
                && first["text"].as_str().unwrap().contains(must_contain),
            "{query}: {first}"
        );
        assert_eq!(result["partial"], false, "{query}");
    }
}

#[test]
fn inferred_metadata_of_unseen_plans() {
    let dir = heldout_index();
    let result = search_json(dir.path(), &["ふるさと納税", "--limit", "20"]);
    let mut seen: Vec<(String, i64)> = result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (h["municipality"].as_str().unwrap_or("?").to_owned(), h["year"].as_i64().unwrap_or(0))
        })
        .collect();
    seen.sort();
    seen.dedup();
    assert!(seen.contains(&("北浜市".to_owned(), 2022)), "{seen:?}");
}
