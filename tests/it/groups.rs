//! `gyokaku compare --by prefecture|type|year-band` without names: the themes × groups table of
//! the shipped corpus, with χ² tests, residuals and Holm's p.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

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
    assert_eq!(table["provenance"]["gyokaku_version"], env!("CARGO_PKG_VERSION"));
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
    let csv = gyokaku(dir.path())
        .args(["compare", "--by", "type", "--index", "index", "--format", "csv"])
        .output()
        .unwrap();
    assert!(csv.status.success());
    assert!(csv.stdout.starts_with(b"\xEF\xBB\xBFtheme,label_ja,group,plans,present,residual"));
    gyokaku(dir.path())
        .args(["compare", "--by", "prefecture", "--index", "index", "--format", "xlsx"])
        .args(["--output", "groups.xlsx"])
        .assert()
        .success();
    let bytes = fs_err::read(dir.path().join("groups.xlsx")).unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["groups", "about"]);
    let sheet = workbook.worksheet_range("groups").unwrap();
    assert_eq!(sheet.get_value((0, 8)), Some(&Data::String("p".into())));
    assert!(matches!(sheet.get_value((1, 8)), Some(Data::Float(_))));
    // One name is not a comparison.
    gyokaku(dir.path()).args(["compare", "芽室", "--index", "index"]).assert().code(2);
}

/// Two plans of one town, five years apart, and one of another town: `--over-time` lines up
/// the town's plans; `--keyness` compares year bands.
#[test]
fn over_time_and_group_keyness() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    fs_err::create_dir_all(&plans).unwrap();
    fs_err::write(
        plans.join("a1.txt"),
        "第1 重点取組\n指定管理者制度を導入し、公共施設の管理運営を民間事業者に委ねる。\
         窓口業務の民間委託を進める。\n",
    )
    .unwrap();
    fs_err::write(
        plans.join("a2.txt"),
        "第1 重点取組\n行政手続のオンライン化を進め、電子申請とキャッシュレス決済を導入する。\
         テレワークを推進する。\n",
    )
    .unwrap();
    fs_err::write(plans.join("b1.txt"), "第1 重点取組\n職員の人材育成を進め、研修を充実する。\n")
        .unwrap();
    fs_err::write(
        plans.join("manifest.csv"),
        "path,municipality,prefecture,code,title,year,url\n\
         a1.txt,甲町,北海道,,第1次甲町行革大綱,2012,\n\
         a2.txt,甲町,北海道,,第2次甲町行革大綱,2022,\n\
         b1.txt,乙町,青森県,,乙町行革大綱,2013,\n",
    )
    .unwrap();
    gyokaku(dir.path()).args(["ingest", "plans", "--index", "index", "--quiet"]).assert().success();
    let json = |args: &[&str]| -> serde_json::Value {
        let output = gyokaku(dir.path())
            .args(["compare", "--index", "index", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let report = json(&["--over-time", "甲"]);
    assert_eq!(report["municipality"], "甲町");
    let steps = report["plans"].as_array().unwrap();
    let years: Vec<i64> = steps.iter().map(|s| s["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [2012, 2022]);
    let second = &steps[1];
    assert!(second["added"].as_array().unwrap().iter().any(|t| t == "digital_transformation"));
    assert!(second["dropped"].as_array().unwrap().iter().any(|t| t == "outsourcing_ppp"));
    assert!(!second["terms"].as_array().unwrap().is_empty());
    let keyness =
        json(&["--by", "year-band", "--keyness", "2020-2024", "--reference", "2010-2014"]);
    assert_eq!(keyness["group_plans"], 1);
    assert_eq!(keyness["reference_plans"], 2);
    let terms: Vec<&str> =
        keyness["terms"].as_array().unwrap().iter().map(|t| t["term"].as_str().unwrap()).collect();
    assert!(terms.iter().any(|t| t.contains("オンライン") || t.contains("電子申請")), "{terms:?}");
}
