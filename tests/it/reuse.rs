//! `gyokaku reuse`: a paragraph two towns share (with small edits) is one cluster; an
//! unrelated plan is in none; a guideline folder marks the cluster. `--discount-copied` on
//! the fixture `tests/fixtures/copied`: a paragraph in three towns' plans is their only
//! evidence for public facilities and their only numeric target; with the flag, neither is
//! found, and a guideline copy is left out with `--reference`.

use std::path::Path;

use crate::support::{fixture, gyokaku};

const SHARED: &str = "本町では、人口減少と少子高齢化が急速に進む中で、限られた財源と人材を最大限に生かし、\
将来にわたって持続可能な行政運営を実現するため、すべての事務事業を住民の視点から点検し、\
効果の薄い事業は廃止または統合するとともに、職員の適正な配置と育成を計画的に進める。";

fn write_plans(dir: &Path) {
    let plans = dir.join("plans");
    fs_err::create_dir_all(&plans).unwrap();
    let town_a = format!(
        "第1 計画の趣旨\n{SHARED}\n第2 重点取組\n\
         山あいの集落を結ぶ町営バスの路線を見直し、予約制の乗合タクシーを導入して通院や買い物の足を確保する。\n"
    );
    let town_b = format!(
        "第1 計画の趣旨\n{}\n第2 重点取組\n\
         漁港周辺の空き倉庫を改修して水産加工の起業を支援し、若い世代の移住と雇用の場づくりにつなげる。\n",
        SHARED.replace("計画的に", "着実に").replace("住民の視点", "町民の視点")
    );
    let city_c = "第1 計画の趣旨\n\
        本市は、駅前の再開発にあわせて図書館と子育て支援センターを複合施設として整備し、\
        既存の三つの公民館は利用状況を踏まえて段階的に集約する方針とする。\n\
        第2 重点取組\n\
        窓口の手続はオンラインで完結できるようにし、紙の申請書は令和八年度までに半分以下に減らす。\n";
    fs_err::write(plans.join("a_town.txt"), town_a).unwrap();
    fs_err::write(plans.join("b_town.txt"), town_b).unwrap();
    fs_err::write(plans.join("c_city.txt"), city_c).unwrap();
    fs_err::write(
        plans.join("manifest.csv"),
        "path,municipality,prefecture,code,title,year,url\n\
         a_town.txt,甲町,北海道,,甲町行政改革大綱,2021,\n\
         b_town.txt,乙町,北海道,,乙町行政改革大綱,2022,\n\
         c_city.txt,丙市,北海道,,丙市行政改革プラン,2020,\n",
    )
    .unwrap();
    gyokaku(dir).args(["ingest", "plans", "--index", "index", "--quiet"]).assert().success();
}

fn reuse_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let output = gyokaku(dir)
        .args(["reuse", "--index", "index", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("reuse prints JSON")
}

#[test]
fn a_paragraph_in_seventy_plans_is_one_cluster_and_the_shortcut_is_reported() {
    // More holders than the prefix filter expands (64): they are joined as a star, and the
    // report says the filter was not exact, on stderr and in the JSON.
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    fs_err::create_dir_all(&plans).unwrap();
    let mut manifest = String::from("path,municipality,prefecture,code,title,year,url\n");
    for i in 0..70 {
        let own = format!(
            "第2 重点取組\n第{i}地区の集会所を地域の団体に任せ、利用の手続を簡単にする。\n"
        );
        fs_err::write(
            plans.join(format!("p{i:02}.txt")),
            format!("第1 計画の趣旨\n{SHARED}\n{own}"),
        )
        .unwrap();
        manifest.push_str(&format!("p{i:02}.txt,町{i:02},北海道,,行政改革大綱,2021,\n"));
    }
    fs_err::write(plans.join("manifest.csv"), manifest).unwrap();
    gyokaku(dir.path()).args(["ingest", "plans", "--index", "index", "--quiet"]).assert().success();
    let output = gyokaku(dir.path())
        .args(["reuse", "--index", "index", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let biggest = &report["clusters"][0];
    assert_eq!(biggest["documents"], 70, "{report:#}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("prefixes of more than 64"));
    assert!(report["warnings"][0].as_str().unwrap().contains("prefixes of more than 64"));
}

#[test]
fn a_shared_paragraph_is_one_cluster_of_two_towns() {
    let dir = tempfile::tempdir().unwrap();
    write_plans(dir.path());
    let report = reuse_json(dir.path(), &[]);
    assert_eq!(report["provenance"]["index"], "index");
    assert_eq!(report["provenance"]["gyokaku_version"], env!("CARGO_PKG_VERSION"));
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{report:#}");
    let cluster = &clusters[0];
    assert_eq!(cluster["documents"], 2);
    assert_eq!(cluster["guideline"], false);
    assert!(cluster["min_jaccard"].as_f64().unwrap() >= 0.6);
    let members = cluster["members"].as_array().unwrap();
    let who: Vec<(&str, i64)> = members
        .iter()
        .map(|m| (m["municipality"].as_str().unwrap(), m["year"].as_i64().unwrap()))
        .collect();
    assert_eq!(who, vec![("甲町", 2021), ("乙町", 2022)]);
    for member in members {
        assert_eq!(member["heading"], "第1 計画の趣旨");
        assert_eq!(member["page"], 1);
        assert!(member["excerpt"].as_str().unwrap().starts_with("本町では"), "{member}");
    }
}

#[test]
fn a_guideline_folder_marks_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    write_plans(dir.path());
    let guidelines = dir.path().join("guidelines");
    fs_err::create_dir_all(&guidelines).unwrap();
    fs_err::write(
        guidelines.join("shishin.txt"),
        format!("第1 基本的な考え方\n{}\n", SHARED.replace("本町", "各地方公共団体")),
    )
    .unwrap();
    let report = reuse_json(dir.path(), &["--reference", "guidelines"]);
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{report:#}");
    assert_eq!(clusters[0]["guideline"], true);
    let last = clusters[0]["members"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["reference"], true);
    assert_eq!(last["path"], "shishin.txt");
}

#[test]
fn reuse_table_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    write_plans(dir.path());
    let table = gyokaku(dir.path()).args(["reuse", "--index", "index"]).output().unwrap();
    assert!(table.status.success());
    insta::assert_snapshot!(String::from_utf8(table.stdout).unwrap());
    let csv = gyokaku(dir.path())
        .args(["reuse", "--index", "index", "--format", "csv"])
        .output()
        .unwrap();
    assert!(csv.stdout.starts_with(b"\xEF\xBB\xBF"), "CSV starts with a BOM");
    let text = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "header and two members: {text}");
}

/// `tests/fixtures/copied/plans` ingested into `index/` of a scratch folder.
fn copied_index() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path())
        .arg("ingest")
        .arg(fixture("copied/plans"))
        .args(["--index", "index", "--quiet"])
        .assert()
        .success();
    dir
}

fn json_of(dir: &Path, args: &[&str]) -> serde_json::Value {
    let output = gyokaku(dir).args(args).args(["--index", "index"]).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| panic!("{args:?}: {err}"))
}

/// Each town's public-facilities cell: (row key, present).
fn facilities(matrix: &serde_json::Value) -> Vec<(String, bool)> {
    matrix["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let cell = &row["themes"]["public_facilities"];
            (row["key"].as_str().unwrap().to_owned(), cell["present"] == true)
        })
        .collect()
}

#[test]
fn i13_discount_copied_takes_boilerplate_out_of_themes() {
    let dir = copied_index();
    let plain = json_of(dir.path(), &["themes", "--format", "json"]);
    let towns = ["丙町", "乙町", "甲町"];
    let present: Vec<(String, bool)> = towns.iter().map(|t| ((*t).to_owned(), true)).collect();
    assert_eq!(facilities(&plain), present, "the copied paragraph alone makes the theme present");
    let discounted = json_of(dir.path(), &["themes", "--format", "json", "--discount-copied"]);
    let absent: Vec<(String, bool)> = towns.iter().map(|t| ((*t).to_owned(), false)).collect();
    assert_eq!(facilities(&discounted), absent, "{discounted:#}");
    for row in discounted["rows"].as_array().unwrap() {
        let cell = &row["themes"]["public_facilities"];
        assert!(cell["evidence"].as_array().is_none_or(Vec::is_empty), "{cell}");
    }
}

#[test]
fn i13_discount_copied_takes_boilerplate_out_of_measures() {
    let dir = copied_index();
    let plain = json_of(dir.path(), &["measures", "--format", "json"]);
    let measures = plain["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 3, "one copied target per town: {plain:#}");
    for m in measures {
        assert_eq!(m["value"], 20.0);
        assert_eq!(m["target_year"], 2035);
    }
    let output = gyokaku(dir.path())
        .args(["measures", "--index", "index", "--format", "json", "--discount-copied"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3 copied passages left out (clusters found now)"), "{stderr}");
    let discounted: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(discounted["measures"], serde_json::json!([]), "{discounted:#}");
}

#[test]
fn i13_discount_copied_reads_the_clusters_reuse_saved() {
    let dir = copied_index();
    gyokaku(dir.path()).args(["reuse", "--index", "index", "--quiet"]).assert().success();
    assert!(dir.path().join("index/reuse.json").is_file());
    let output = gyokaku(dir.path())
        .args(["themes", "--index", "index", "--format", "json", "--discount-copied"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("saved by `gyokaku reuse`"), "{stderr}");
    let matrix: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(facilities(&matrix).iter().all(|(_, present)| !present), "{matrix:#}");
}

#[test]
fn i13_a_guideline_copy_is_discounted_with_reference() {
    let dir = copied_index();
    let theme = "digital_transformation";
    let cell = |matrix: &serde_json::Value| {
        let rows = matrix["rows"].as_array().unwrap();
        let row = rows.iter().find(|r| r["key"] == "丙町").unwrap();
        row["themes"][theme]["evidence"].as_array().map_or(0, Vec::len)
    };
    let without = json_of(dir.path(), &["themes", "--format", "json", "--discount-copied"]);
    assert!(cell(&without) > 0, "only 丙町 has the guideline's paragraph: not a cluster");
    let guidelines = fixture("copied/guidelines");
    let with = json_of(
        dir.path(),
        &[
            "themes",
            "--format",
            "json",
            "--discount-copied",
            "--reference",
            guidelines.to_str().unwrap(),
        ],
    );
    assert_eq!(cell(&with), 0, "{:#}", with["rows"]);
}

#[test]
fn i13_themes_eval_takes_the_flag() {
    let dir = copied_index();
    let gold = dir.path().join("gold.json");
    fs_err::write(
        &gold,
        r#"{"labels": {"kou.txt": {"present": ["public_facilities"]},
                      "otsu.txt": {"present": ["public_facilities"]},
                      "hei.txt": {"present": ["public_facilities"]}}}"#,
    )
    .unwrap();
    let eval = |extra: &[&str]| {
        let mut args = vec!["themes", "eval", "--gold", gold.to_str().unwrap(), "--format", "json"];
        args.extend_from_slice(extra);
        let report = json_of(dir.path(), &args);
        let theme = report["gyokaku"]["themes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["theme"] == "public_facilities")
            .unwrap()
            .clone();
        theme["tp"].as_u64().unwrap()
    };
    assert_eq!(eval(&[]), 3);
    assert_eq!(eval(&["--discount-copied"]), 0);
}
