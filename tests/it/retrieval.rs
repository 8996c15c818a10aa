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

/// Four short plans written for these tests: 南野市 names 集中改革プラン and 定員管理 in one
/// passage, 北川町 in two different passages, 東浜村 only 定員管理 (in 定員管理計画) and 人事評価,
/// 西岡町 only 制度 (in 職員提案制度 and alone).
fn search_fixture_index() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path())
        .arg("ingest")
        .arg(repo_root().join("tests/fixtures/search"))
        .args(["--index", "index"])
        .assert()
        .success();
    dir
}

fn cities(entries: &serde_json::Value) -> Vec<(String, bool)> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["municipality"].as_str().unwrap_or("?").to_owned(), e["partial"] == true))
        .collect()
}

#[test]
fn a_plan_with_every_word_in_different_passages_matches_when_grouped() {
    let dir = search_fixture_index();
    let result = search_json(dir.path(), &["集中改革プラン", "定員管理", "--group", "document"]);
    let documents = cities(&result["documents"]);
    assert_eq!(
        documents,
        [("南野市".to_owned(), false), ("北川町".to_owned(), false), ("東浜村".to_owned(), true)],
        "{result}"
    );
    let kitagawa = &result["documents"][1];
    assert_eq!(kitagawa["matched"], serde_json::json!(["集中改革プラン", "定員管理"]));
    assert_eq!(kitagawa["passages"], 2);
    assert_eq!(result["partial"], false);
}

#[test]
fn partial_passages_follow_the_full_ones_marked() {
    let dir = search_fixture_index();
    let result = search_json(dir.path(), &["集中改革プラン", "定員管理"]);
    assert_eq!(result["total"], 1, "{result}");
    let hits = cities(&result["hits"]);
    assert_eq!(hits[0], ("南野市".to_owned(), false), "{result}");
    assert!(hits.len() >= 3 && hits[1..].iter().all(|(_, partial)| *partial), "{hits:?}");
    for hit in &result["hits"].as_array().unwrap()[1..] {
        assert_eq!(hit["matched"].as_array().unwrap().len(), 1, "{hit}");
    }
}

#[test]
fn a_sub_compound_outranks_a_bare_head_noun() {
    let dir = search_fixture_index();
    let result = search_json(dir.path(), &["人事評価制度"]);
    let first = &result["hits"][0];
    assert_eq!(first["municipality"], "東浜村", "{result}");
    assert!(first["text"].as_str().unwrap().contains("人事評価"));
    let grouped = search_json(dir.path(), &["人事評価制度", "--group", "document"]);
    assert_eq!(grouped["documents"][0]["municipality"], "東浜村", "{grouped}");
}

#[test]
fn grouped_and_partial_tables_as_a_researcher_sees_them() {
    let dir = search_fixture_index();
    let run = |args: &[&str]| {
        let output = gyokaku(dir.path())
            .arg("search")
            .args(args)
            .args(["--index", "index"])
            .output()
            .expect("run gyokaku search");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        format!(
            "{}\n--- stderr\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    insta::assert_snapshot!(
        "search_grouped_table",
        run(&["集中改革プラン", "定員管理", "--group", "document"])
    );
    insta::assert_snapshot!("search_partial_table", run(&["集中改革プラン", "定員管理"]));
}
