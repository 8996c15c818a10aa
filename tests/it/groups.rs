//! `gyokaku compare --by prefecture|type|year-band` without names: the themes × groups table of
//! the shipped corpus, with χ² tests, residuals and Holm's p.

use crate::support::{gyokaku, repo_root};

#[test]
fn themes_by_prefecture_of_the_shipped_corpus() {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path())
        .arg("ingest")
        .arg(repo_root().join("corpus"))
        .args(["--index", "index", "--quiet"])
        .assert()
        .success();
    let output = gyokaku(dir.path())
        .args(["compare", "--by", "prefecture", "--index", "index", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let table: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(table["by"], "prefecture");
    let groups = table["groups"].as_array().unwrap();
    assert!(groups.iter().any(|g| g == "北海道"), "{groups:?}");
    let plans: u64 = table["plans"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(plans + table["ungrouped"].as_u64().unwrap(), 5);
    for theme in table["themes"].as_array().unwrap() {
        let p = theme["test"]["p"].as_f64().unwrap();
        let holm = theme["p_holm"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p) && holm >= p, "{theme}");
        assert_eq!(theme["present"].as_array().unwrap().len(), groups.len());
    }
    let table = gyokaku(dir.path())
        .args(["compare", "--by", "year-band", "--index", "index"])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("2020-2024") && text.contains("p_holm"), "{text}");
    // One name is not a comparison.
    gyokaku(dir.path()).args(["compare", "芽室", "--index", "index"]).assert().code(2);
}
