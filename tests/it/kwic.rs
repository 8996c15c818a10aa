//! `gyokaku kwic` end to end on the real plans: table, CSV with BOM, JSON (snapshot), sorting.

use crate::support::{gyokaku, repo_root};

fn index() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path())
        .args(["ingest", "-q"])
        .arg(repo_root().join("corpus"))
        .args(["--index", "index"])
        .assert()
        .success();
    (dir, "index".to_owned())
}

fn run(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let output = gyokaku(dir).arg("kwic").args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

#[test]
fn kwic_lists_every_occurrence_with_its_citation() {
    let (dir, index) = index();
    let output = run(
        dir.path(),
        &[
            "市民協働",
            "--index",
            &index,
            "--city",
            "岡崎市",
            "--width",
            "12",
            "--sort",
            "left",
            "--format",
            "json",
        ],
    );
    // Sorted by context, so that the snapshot does not depend on the search's ranking.
    let mut report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let lines = report["lines"].as_array_mut().unwrap();
    assert!(!lines.is_empty());
    for line in lines.iter_mut() {
        assert_eq!(line["match"], "市民協働");
        assert_eq!(line["municipality"], "岡崎市");
        assert!(line["left"].as_str().unwrap().chars().count() <= 12);
        // The path is where the test ingested from; keep only the file name.
        let name = line["path"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        line["path"] = name.into();
    }
    insta::assert_json_snapshot!("kwic_okazaki_shimin_kyodo", report);

    let csv = run(dir.path(), &["市民協働", "--index", &index, "--format", "csv"]).stdout;
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(
        text.starts_with("left,match,right,municipality,prefecture,year,page,heading,title,path")
    );

    let table = run(dir.path(), &["市民協働", "--index", &index, "--sort", "right"]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("【市民協働】"), "{table}");
    let rights: Vec<&str> = table
        .lines()
        .skip(1)
        .filter_map(|l| l.split("【市民協働】").nth(1))
        .map(str::trim)
        .collect();
    let mut sorted = rights.clone();
    sorted.sort();
    assert_eq!(rights, sorted, "sorted by the right context");
}

#[test]
fn kwic_rejects_a_bad_width() {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path()).args(["kwic", "協働", "--width", "0"]).assert().code(2);
}
