//! The foundation commands end to end: ingest, search, extract, analyze.

use predicates::prelude::*;

use crate::support::{fixture, gyokaku, search_json, seeded_index};

#[test]
fn search_ranks_the_tomakomai_facilities_passage_first() {
    let dir = seeded_index();
    let result = search_json(dir.path(), &["公共施設"]);
    let first = &result["hits"][0];
    assert_eq!(first["municipality"], "苫小牧市");
    assert!(first["text"].as_str().unwrap().contains("公共施設"));
    assert!(result["total"].as_u64().unwrap() >= 2);
}

#[test]
fn search_json_has_every_contract_field() {
    let dir = seeded_index();
    let result = search_json(dir.path(), &["公共施設", "老朽化"]);
    for key in ["query", "total", "hits", "facets"] {
        assert!(result.get(key).is_some(), "missing {key}");
    }
    let hit = &result["hits"][0];
    for key in [
        "path",
        "municipality",
        "prefecture",
        "title",
        "year",
        "page",
        "heading",
        "score",
        "snippet",
        "text",
    ] {
        assert!(hit.get(key).is_some(), "hit lacks {key}: {hit}");
    }
    assert_eq!(hit["prefecture"], "北海道");
    assert_eq!(hit["year"], 2020);
    assert!(result["facets"]["municipality"]["苫小牧市"].as_u64().unwrap() >= 1);
    assert!(result["facets"].get("theme").is_some());
    let highlights = hit["highlights"].as_array().unwrap();
    assert!(!highlights.is_empty());
}

#[test]
fn compound_query_also_finds_the_head_noun() {
    // 芽室町 speaks of 施設 and 老朽化 without the word 公共施設 in the same passage.
    let dir = seeded_index();
    let result = search_json(dir.path(), &["公共施設の老朽化", "--limit", "50"]);
    let cities: Vec<&str> = result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["municipality"].as_str())
        .collect();
    assert_eq!(cities.first(), Some(&"苫小牧市"));
}

#[test]
fn filters_by_city_year_and_manifest_column() {
    let dir = seeded_index();
    let by_city = search_json(dir.path(), &["職員", "--city", "芽室町", "--limit", "50"]);
    let hits = by_city["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["municipality"] == "芽室町"));

    let by_year = search_json(dir.path(), &["職員", "--year", "2000..2005", "--limit", "50"]);
    assert!(by_year["hits"].as_array().unwrap().iter().all(|h| h["year"] == 2003));

    let by_var =
        search_json(dir.path(), &["職員", "--where", "plan_type=実行計画", "--limit", "50"]);
    let cities: std::collections::BTreeSet<&str> = by_var["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["municipality"].as_str())
        .collect();
    assert!(!cities.is_empty());
    assert!(cities.iter().all(|c| ["苫小牧市", "藤枝市"].contains(c)), "{cities:?}");
}

#[test]
fn phrase_exclusion_and_or() {
    let dir = seeded_index();
    let phrase = search_json(dir.path(), &["\"市民協働\""]);
    for hit in phrase["hits"].as_array().unwrap() {
        assert!(hit["text"].as_str().unwrap().contains("市民協働"), "{hit}");
    }
    let all = search_json(dir.path(), &["職員", "--limit", "1000"])["total"].as_u64().unwrap();
    let without =
        search_json(dir.path(), &["職員", "-芽室町", "--limit", "1000"])["total"].as_u64().unwrap();
    assert!(without < all);
    // An excluded phrase (a phrase scorer under tantivy's `Exclude`) once panicked.
    let no_phrase = search_json(dir.path(), &["協働", "-\"市民協働\"", "--limit", "1000"]);
    let hits = no_phrase["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| !h["text"].as_str().unwrap().contains("市民協働")));
    let either = search_json(dir.path(), &["老朽化", "OR", "窓口"])["total"].as_u64().unwrap();
    let one = search_json(dir.path(), &["老朽化"])["total"].as_u64().unwrap();
    assert!(either > one);
}

#[test]
fn partial_matches_are_labelled() {
    let dir = seeded_index();
    let result = search_json(dir.path(), &["公共施設", "宇宙開発"]);
    assert_eq!(result["partial"], true);
    assert!(result["total"].as_u64().unwrap() > 0);
}

#[test]
fn reingest_reports_unchanged() {
    let dir = seeded_index();
    gyokaku(dir.path())
        .arg("ingest")
        .arg(fixture("seeds"))
        .args(["--index", "index"])
        .assert()
        .success()
        .stderr(predicate::str::contains("5 unchanged"))
        .stderr(predicate::str::contains("passages of unchanged documents kept"));
}

#[test]
fn search_without_index_hints_at_ingest() {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path())
        .args(["search", "協働"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no index").and(predicate::str::contains("hint: run")));
}

#[test]
fn empty_query_is_a_usage_error() {
    let dir = seeded_index();
    gyokaku(dir.path())
        .args(["search", " ", "--index", "index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("query is empty"));
}

#[test]
fn missing_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path())
        .args(["ingest", "no-such-folder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`no-such-folder` does not exist"));
}

#[test]
fn extract_json_of_a_text_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = gyokaku(dir.path())
        .args(["extract", "--format", "json"])
        .arg(fixture("seeds/002_2d715f04701229ac.txt"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["format"], "text");
    assert_eq!(json["pages"][0]["number"], 1);
    assert!(json["pages"][0]["text"].as_str().unwrap().contains("苫小牧市"));
    assert!(json["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn analyze_prints_body_tokens_per_passage() {
    let dir = tempfile::tempdir().unwrap();
    gyokaku(dir.path())
        .arg("analyze")
        .write_stdin("公共施設の老朽化に対応します。")
        .assert()
        .success()
        .stdout("公共 施設 老朽 化 対応 し する\n");
}

#[test]
fn metadata_is_inferred_without_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.txt");
    std::fs::copy(fixture("seeds/000_a6022af20f4b03f2.txt"), &plan).unwrap();
    gyokaku(dir.path()).args(["ingest", "plan.txt", "--index", "index"]).assert().success();
    let result = search_json(dir.path(), &["行政経営"]);
    let hit = &result["hits"][0];
    assert_eq!(hit["municipality"], "芽室町");
    assert_eq!(hit["year"], 2019);
    assert_eq!(hit["title"], "芽室町行政経営ポリシー");
}

#[test]
fn user_dictionary_entries_change_the_analysis_and_travel_with_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("terms.csv");
    std::fs::write(&dict, "めむろ未来会議,カスタム名詞,メムロミライカイギ\n").unwrap();
    let text = "めむろ未来会議を開催します。";
    gyokaku(dir.path())
        .arg("analyze")
        .write_stdin(text)
        .assert()
        .success()
        .stdout(predicate::str::contains("めむろ未来会議").not());
    gyokaku(dir.path())
        .args(["analyze", "--user-dict", "terms.csv"])
        .write_stdin(text)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("めむろ未来会議 "));

    std::fs::write(dir.path().join("plan.txt"), format!("第1 会議\n{text}")).unwrap();
    gyokaku(dir.path())
        .args(["ingest", "plan.txt", "--index", "index", "--user-dict", "terms.csv"])
        .assert()
        .success();
    assert!(dir.path().join("index/user-dict.csv").is_file());
    let result = search_json(dir.path(), &["めむろ未来会議"]);
    assert_eq!(result["total"], 1);
}

#[test]
fn bigram_field_finds_words_inside_longer_compounds() {
    let dir = seeded_index();
    let result = search_json(dir.path(), &["市民協働", "--city", "岡崎市", "--limit", "50"]);
    let texts: Vec<&str> =
        result["hits"].as_array().unwrap().iter().filter_map(|h| h["text"].as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("市民協働班")), "{texts:?}");
}

#[test]
fn theme_facet_and_filter() {
    let dir = seeded_index();
    let all = search_json(dir.path(), &["職員", "--limit", "1000"]);
    let facet = all["facets"]["theme"].as_object().unwrap();
    let (theme, count) = facet.iter().max_by_key(|(_, n)| n.as_u64()).unwrap();
    let filtered = search_json(dir.path(), &["職員", "--theme", theme, "--limit", "1000"]);
    assert_eq!(filtered["total"].as_u64(), count.as_u64());
    assert!(
        filtered["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| { h["themes"].as_array().unwrap().iter().any(|t| t == theme) })
    );
}

#[test]
fn run_on_the_shipped_corpus_makes_it_searchable_with_pages() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = crate::support::repo_root().join("corpus");
    let output = gyokaku(dir.path())
        .args(["run", "--corpus", corpus.to_str().unwrap(), "--index", "index"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("distinctive terms"), "{stdout}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("5 new or changed, 0 unchanged, 0 failed"), "{stderr}");

    let facilities = search_json(dir.path(), &["公共施設", "老朽化"]);
    assert_eq!(facilities["hits"][0]["municipality"], "苫小牧市");
    assert!(facilities["hits"][0]["path"].as_str().unwrap().ends_with("tomakomai.html"));

    // A PDF plan: hits carry the page they are on.
    let collaboration = search_json(dir.path(), &["市民協働", "--city", "岡崎市", "--limit", "50"]);
    let pages: Vec<u64> = collaboration["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["page"].as_u64().unwrap())
        .collect();
    assert!(!pages.is_empty() && pages.iter().all(|&p| p >= 1));
    assert!(pages.iter().any(|&p| p > 1), "{pages:?}");
    assert!(collaboration["hits"][0]["path"].as_str().unwrap().ends_with("okazaki.pdf"));
}

/// Facet counts from the index must equal the counts over every matching passage, also after
/// a changed document was replaced (its old passages are deleted, not yet merged away).
#[test]
fn facets_count_exactly_the_matching_passages() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for entry in std::fs::read_dir(fixture("seeds")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, corpus.join(path.file_name().unwrap())).unwrap();
    }
    let ingest = || {
        gyokaku(dir.path()).args(["ingest", "corpus", "--index", "index"]).assert().success();
    };
    ingest();
    let changed = corpus.join("002_2d715f04701229ac.txt");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, format!("{text}\n\n職員の意識改革を進める。\n")).unwrap();
    ingest();

    for query in [&["職員"][..], &["協働", "OR", "連携"], &["公共施設", "--year", "2015..2020"]]
    {
        let mut args = query.to_vec();
        args.extend(["--limit", "100000"]);
        let result = search_json(dir.path(), &args);
        let hits = result["hits"].as_array().unwrap();
        assert_eq!(result["total"].as_u64(), Some(hits.len() as u64), "{query:?}");
        let mut expected: std::collections::BTreeMap<
            &str,
            std::collections::BTreeMap<String, u64>,
        > = Default::default();
        for hit in hits {
            let mut add = |facet, value: &serde_json::Value| {
                let value = match value {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => return,
                };
                *expected.entry(facet).or_default().entry(value).or_default() += 1;
            };
            add("municipality", &hit["municipality"]);
            add("prefecture", &hit["prefecture"]);
            add("year", &hit["year"]);
            for theme in hit["themes"].as_array().unwrap() {
                add("theme", theme);
            }
        }
        for facet in ["municipality", "prefecture", "year", "theme"] {
            let reported: std::collections::BTreeMap<String, u64> =
                serde_json::from_value(result["facets"][facet].clone()).unwrap();
            assert_eq!(reported, expected.remove(facet).unwrap_or_default(), "{facet} {query:?}");
        }
    }
}

/// A compound the plans never use whole is still found through its head noun, and the
/// output says so instead of passing those passages off as matches of the compound.
#[test]
fn head_noun_only_matches_are_labelled() {
    let dir = seeded_index();
    let broadened = search_json(dir.path(), &["指定管理者制度"]);
    assert!(broadened["total"].as_u64().unwrap() > 0);
    assert_eq!(broadened["broadened"], serde_json::json!(["指定管理者制度 → 制度"]));
    let whole = search_json(dir.path(), &["公共施設"]);
    assert_eq!(whole["broadened"], serde_json::json!([]));
    gyokaku(dir.path())
        .args(["search", "指定管理者制度", "--index", "index"])
        .assert()
        .success()
        .stderr(predicate::str::contains("head noun `制度`"));
}
