//! `gyokaku measures`: numeric targets of a hand-written plan (prose, an action table with a
//! header row, a year-column table) end to end — the table output (insta), CSV with a BOM,
//! JSON with provenance, XLSX read back with calamine — and the shipped corpus, whose plans
//! set no numeric target: nothing may be reported there.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use crate::support::{gyokaku, repo_root};

/// Our own text, in the shapes real plans use.
const PLAN: &str = "第1章 計画の概要\n\
計画期間は令和3年度～令和7年度の5年間とします。\n\
第2章 数値目標\n\
職員数を令和7年度までに50人削減します。担当課：人事課\n\
経常収支比率を計画期間中に90%以下とすることを目指します。\n\
平成28年度の職員数は1,234人に減少しています。\n\
第3章 実施計画表\n\
取組項目\t目標\t担当課\t進捗状況\n\
窓口業務の民間委託\t3施設以上\t市民課\t一部達成\n\
公用車の削減\t10台削減\t管財課\t継続\n\
第4章 財政目標\n\
R2(2020年) | R7(2025年) |\n\
---|---|\n\
地方債残高 | 350億円 | 320億円以下 |\n";

fn write_plan(dir: &Path) {
    let plans = dir.join("plans");
    fs_err::create_dir_all(&plans).unwrap();
    fs_err::write(plans.join("kou.txt"), PLAN).unwrap();
    fs_err::write(
        plans.join("manifest.csv"),
        "path,municipality,prefecture,code,title,year,url\n\
         kou.txt,甲市,北海道,,甲市行政改革実施計画,2021,\n",
    )
    .unwrap();
    gyokaku(dir).args(["ingest", "plans", "--index", "index", "--quiet"]).assert().success();
}

fn run(dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = gyokaku(dir).args(["measures", "--index", "index"]).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// Value, unit, target year, department, status.
type Found = (f64, String, Option<i64>, Option<String>, Option<String>);

#[test]
fn targets_of_prose_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path());
    let report: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["--format", "json"])).unwrap();
    assert_eq!(report["provenance"]["gyokaku_version"], env!("CARGO_PKG_VERSION"));
    assert!(report["provenance"]["taxonomy"].as_str().unwrap().contains('@'));
    assert!(report["provenance"]["index_commit"].is_string());
    let found: Vec<Found> = report["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["value"].as_f64().unwrap(),
                m["unit"].as_str().unwrap().to_owned(),
                m["target_year"].as_i64(),
                m["department"].as_str().map(str::to_owned),
                m["status"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let s = |x: &str| Some(x.to_owned());
    assert_eq!(
        found,
        vec![
            (50.0, "人".into(), Some(2025), s("人事課"), None),
            (90.0, "%".into(), Some(2025), s("人事課"), None),
            (3.0, "施設".into(), Some(2025), s("市民課"), s("一部達成")),
            (10.0, "台".into(), Some(2025), s("管財課"), s("継続")),
            (320.0, "億円".into(), Some(2025), None, None),
        ],
        "{report:#}"
    );
    let first = &report["measures"][0];
    assert_eq!(first["direction"], "reduce");
    assert_eq!(first["heading"], "第2章 数値目標");
    assert_eq!(first["path"], "plans/kou.txt");
    assert_eq!(report["measures"][2]["measure"], "窓口業務の民間委託");
    assert_eq!(report["measures"][2]["source"], "table");
}

#[test]
fn table_output() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path());
    let table = String::from_utf8(run(dir.path(), &[])).unwrap();
    insta::assert_snapshot!(table);
}

#[test]
fn csv_has_a_bom_and_xlsx_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path());
    let csv = run(dir.path(), &["--format", "csv"]);
    assert!(csv.starts_with(b"\xEF\xBB\xBFpath,municipality,"));
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 6);
    run(dir.path(), &["--format", "xlsx", "--output", "m.xlsx"]);
    let bytes = fs_err::read(dir.path().join("m.xlsx")).unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["measures", "about"]);
    let sheet = workbook.worksheet_range("measures").unwrap();
    assert_eq!(sheet.get_value((0, 8)), Some(&Data::String("value".into())));
    assert_eq!(sheet.get_value((1, 8)), Some(&Data::Float(50.0)));
    assert_eq!(sheet.get_value((1, 12)), Some(&Data::Float(2025.0)));
    let about = workbook.worksheet_range("about").unwrap();
    assert_eq!(
        about.get_value((1, 1)),
        Some(&Data::String(format!("gyokaku {}", env!("CARGO_PKG_VERSION"))))
    );
    // xlsx without --output is refused.
    gyokaku(dir.path())
        .args(["measures", "--index", "index", "--format", "xlsx"])
        .assert()
        .failure();
}

#[test]
fn filters_narrow_the_plans() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path());
    let report: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["--format", "json", "--municipality", "乙町"]))
            .unwrap();
    assert_eq!(report["documents"], 0);
    let report: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["--format", "json", "--year", "2020..2021"]))
            .unwrap();
    assert_eq!(report["measures"].as_array().unwrap().len(), 5);
}

/// The five shipped plans set no numeric target (their numbers are headings such as
/// `3.人の改革プロジェクト` and names such as `1人1改善運動`): nothing is reported.
#[test]
fn the_shipped_corpus_has_no_false_targets() {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path())
        .arg("ingest")
        .arg(repo_root().join("corpus"))
        .args(["--index", "index", "--quiet"])
        .assert()
        .success();
    let report: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["--format", "json"])).unwrap();
    assert_eq!(report["documents"], 5);
    assert_eq!(report["measures"], serde_json::json!([]), "{report:#}");
}
