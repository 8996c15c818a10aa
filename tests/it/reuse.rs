//! `gyokaku reuse`: a paragraph two towns share (with small edits) is one cluster; an
//! unrelated plan is in none; a guideline folder marks the cluster.

use std::path::Path;

use crate::support::gyokaku;

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
