//! Theme mapping end to end: scoring on hand-made plans (background vs commitment), aggregation,
//! export round trips (CSV with csv, XLSX with calamine), determinism, the heatmap, and the
//! evaluation on the held-back plans in tests/gold against the naive baseline.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use gyokaku::model::{DocMeta, Passage};
use gyokaku::themes::aggregate::build_matrix;
use gyokaku::themes::eval::{Gold, evaluate, predict};
use gyokaku::themes::export::{About, CellValue, matrix_csv, matrix_json, matrix_xlsx};
use gyokaku::themes::heatmap::{heatmap_svg, japanese_font_path, write_heatmap};
use gyokaku::themes::{By, DocumentInput, Matrix, Taxonomy, score_documents};

fn taxonomy() -> &'static Taxonomy {
    Taxonomy::embedded_default().unwrap()
}

fn passage(ordinal: u32, headings: &[&str], text: &str) -> Passage {
    Passage {
        ordinal,
        page: 1,
        heading_path: headings.iter().map(|h| (*h).to_owned()).collect(),
        text: text.to_owned(),
    }
}

fn meta(municipality: &str, year: i32) -> DocMeta {
    DocMeta { municipality: Some(municipality.to_owned()), year: Some(year), ..DocMeta::default() }
}

fn theme_index(id: &str) -> usize {
    taxonomy().themes.iter().position(|t| t.id == id).unwrap()
}

/// A plan that recounts outsourcing and headcount cuts as history and commits to DX and
/// work-style reform.
fn plan_a() -> Vec<Passage> {
    vec![
        passage(
            0,
            &["第1章 計画の背景", "1 これまでの経過"],
            "平成18年度には市民会館に指定管理者制度を導入し、職員数の削減にも取り組んできました。",
        ),
        passage(
            1,
            &["第1章 計画の背景", "1 これまでの経過"],
            "財政危機に直面し、歳出削減を進めました。",
        ),
        passage(
            2,
            &["第2章 改革の柱", "柱1 デジタル化の推進"],
            "行政手続のオンライン化を進め、RPAを導入します。",
        ),
        passage(
            3,
            &["第2章 改革の柱", "柱2 働き方改革"],
            "テレワークを推進し、時間外勤務を前年度比10パーセント縮減します。",
        ),
    ]
}

fn plan_b() -> Vec<Passage> {
    vec![
        passage(0, &["重点取組"], "指定管理者制度の導入施設を拡大し、民間委託を推進します。"),
        passage(1, &["重点取組"], "公共施設等総合管理計画に基づき、施設の統廃合を進めます。"),
    ]
}

#[test]
fn history_does_not_make_a_theme_present_but_commitments_do() {
    let passages = plan_a();
    let meta = meta("北浜市", 2022);
    let docs = [DocumentInput { path: "a.txt", meta: &meta, passages: &passages }];
    let scored = score_documents(taxonomy(), &docs);
    let cell = |id: &str| &scored[0].themes[theme_index(id)];
    assert!(!cell("outsourcing_ppp").present, "{:?}", cell("outsourcing_ppp"));
    assert!(!cell("staffing_compensation").present);
    assert!(!cell("fiscal_health").present);
    assert!(cell("outsourcing_ppp").score > 0.0, "background still leaves a trace in the score");
    assert!(cell("digital_transformation").present);
    assert!(cell("work_style").present);
    let evidence = &cell("work_style").evidence[0];
    assert_eq!(evidence.path, "a.txt");
    assert!(evidence.heading.contains("働き方改革"));
}

#[test]
fn same_sentence_flips_with_its_section_and_tense() {
    let background = vec![passage(
        0,
        &["1 これまでの取組と成果"],
        "町民体育館など12施設に指定管理者制度を導入しました。",
    )];
    let commitment =
        vec![passage(0, &["3 今後の取組"], "町民体育館など12施設に指定管理者制度を導入します。")];
    let m = DocMeta::default();
    let outsourcing = theme_index("outsourcing_ppp");
    let score = |passages: &[Passage]| {
        let docs = [DocumentInput { path: "x", meta: &m, passages }];
        score_documents(taxonomy(), &docs)[0].themes[outsourcing].clone()
    };
    let (past, future) = (score(&background), score(&commitment));
    assert!(!past.present && future.present, "{past:?} vs {future:?}");
    assert!(future.score > 0.5 && past.score < 0.2);
}

fn two_city_matrix(by: By, all_years: bool) -> Matrix {
    let (a, b, old_a) = (plan_a(), plan_b(), plan_b());
    let (meta_a, meta_b, meta_old) =
        (meta("北浜市", 2022), meta("南台町", 2011), meta("北浜市", 2006));
    let docs = [
        DocumentInput { path: "corpus/kitahama.txt", meta: &meta_a, passages: &a },
        DocumentInput { path: "corpus/minamidai.txt", meta: &meta_b, passages: &b },
        DocumentInput { path: "corpus/kitahama_2006.txt", meta: &meta_old, passages: &old_a },
    ];
    let scored = score_documents(taxonomy(), &docs);
    build_matrix(taxonomy(), &scored, by, all_years)
}

#[test]
fn municipality_rows_use_the_latest_plan_unless_all_years() {
    let latest = two_city_matrix(By::Municipality, false);
    assert_eq!(
        latest.rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["北浜市", "南台町"]
    );
    let kitahama = &latest.rows[0];
    assert_eq!(kitahama.year, Some(2022));
    assert_eq!(kitahama.documents, ["corpus/kitahama.txt"]);
    let outsourcing = theme_index("outsourcing_ppp");
    assert!(!kitahama.cells[outsourcing].present);

    let merged = two_city_matrix(By::Municipality, true);
    let kitahama = &merged.rows[0];
    assert_eq!(kitahama.documents, ["corpus/kitahama_2006.txt", "corpus/kitahama.txt"]);
    assert!(kitahama.cells[outsourcing].present, "the 2006 plan committed to outsourcing");
    assert!(kitahama.cells[theme_index("work_style")].present);

    let by_document = two_city_matrix(By::Document, false);
    assert_eq!(by_document.rows.len(), 3);
    assert_eq!(by_document.rows[0].key, "corpus/kitahama.txt");
    for row in &by_document.rows {
        assert_eq!(row.cells.len(), 19, "every theme in every row");
    }
}

#[test]
fn csv_round_trips_with_and_without_bom() {
    let matrix = two_city_matrix(By::Municipality, false);
    let plain = matrix_csv(&matrix, CellValue::Presence, false).unwrap();
    let excel = matrix_csv(&matrix, CellValue::Presence, true).unwrap();
    assert!(excel.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(&excel[3..], &plain[..]);
    let mut reader = csv::Reader::from_reader(plain.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&header[..5], ["key", "municipality", "prefecture", "year", "documents"]);
    assert_eq!(header[5], "fiscal_health");
    assert_eq!(header.len(), 5 + 19);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][0], "北浜市");
    let dx_column = header.iter().position(|h| h == "digital_transformation").unwrap();
    assert_eq!(&rows[0][dx_column], "1");
    let scores = matrix_csv(&matrix, CellValue::Score, false).unwrap();
    let text = String::from_utf8(scores).unwrap();
    assert!(text.lines().nth(1).unwrap().contains("0.000"), "{text}");
}

#[test]
fn json_follows_the_contract() {
    let matrix = two_city_matrix(By::Municipality, false);
    let json: serde_json::Value = serde_json::from_slice(&matrix_json(&matrix).unwrap()).unwrap();
    assert_eq!(json["by"], "municipality");
    assert_eq!(json["taxonomy"]["name"], "jp-municipal-admin-reform-taxonomy");
    assert_eq!(json["themes"].as_array().unwrap().len(), 19);
    let row = &json["rows"][0];
    assert_eq!(row["key"], "北浜市");
    assert_eq!(row["municipality"], "北浜市");
    assert_eq!(row["documents"][0], "corpus/kitahama.txt");
    assert_eq!(row["themes"].as_object().unwrap().len(), 19);
    let dx = &row["themes"]["digital_transformation"];
    assert_eq!(dx["present"], true);
    assert!(dx["score"].as_f64().unwrap() > 0.5);
    assert_eq!(dx["evidence"][0]["path"], "corpus/kitahama.txt");
    assert_eq!(dx["evidence"][0]["page"], 1);
    assert!(dx["evidence"][0]["text"].as_str().unwrap().contains("オンライン化"));
}

fn about() -> About {
    About {
        gyokaku_version: "0.1.0".into(),
        dictionary: "ipadic".into(),
        generated: "2026-11-21T09:00:00Z".into(),
        index: "index".into(),
    }
}

#[test]
fn xlsx_reads_back_with_calamine() {
    let matrix = two_city_matrix(By::Municipality, false);
    let bytes = matrix_xlsx(&matrix, taxonomy(), CellValue::Score, &about()).unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["matrix", "evidence", "taxonomy", "about"]);
    let sheet = workbook.worksheet_range("matrix").unwrap();
    assert_eq!(sheet.get_value((0, 5)), Some(&Data::String("fiscal_health".into())));
    assert_eq!(sheet.get_value((1, 0)), Some(&Data::String("北浜市".into())));
    assert_eq!(sheet.get_value((1, 3)), Some(&Data::Float(2022.0)));
    let dx = 5 + theme_index("digital_transformation");
    let Some(Data::Float(score)) = sheet.get_value((1, u32::try_from(dx).unwrap())) else {
        panic!("score cell is not a number");
    };
    assert!(*score > 0.5);
    let evidence = workbook.worksheet_range("evidence").unwrap();
    let rows: Vec<_> = evidence.rows().skip(1).collect();
    assert!(rows.iter().any(|r| r[1] == Data::String("digital_transformation".into())
        && r[12].to_string().contains("オンライン化")));
    let taxonomy_sheet = workbook.worksheet_range("taxonomy").unwrap();
    assert_eq!(taxonomy_sheet.height(), 1 + 19 + 76);
    let about_sheet = workbook.worksheet_range("about").unwrap();
    assert!(about_sheet.rows().any(|r| r[1].to_string().contains("2026-11-21T09:00:00Z")));
}

#[test]
fn exports_are_byte_identical_across_runs() {
    let first = two_city_matrix(By::Municipality, true);
    let second = two_city_matrix(By::Municipality, true);
    assert_eq!(matrix_json(&first).unwrap(), matrix_json(&second).unwrap());
    assert_eq!(
        matrix_csv(&first, CellValue::Score, true).unwrap(),
        matrix_csv(&second, CellValue::Score, true).unwrap()
    );
    assert_eq!(
        matrix_xlsx(&first, taxonomy(), CellValue::Score, &about()).unwrap(),
        matrix_xlsx(&second, taxonomy(), CellValue::Score, &about()).unwrap()
    );
    assert_eq!(heatmap_svg(&first).unwrap(), heatmap_svg(&second).unwrap());
}

#[test]
fn heatmap_has_japanese_labels_and_png_needs_a_font() {
    let matrix = two_city_matrix(By::Municipality, false);
    let svg = heatmap_svg(&matrix).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("北浜市"));
    assert!(svg.contains("\n健\n</text>"), "theme labels are drawn one character per line");
    assert!(svg.contains("IPAGothic"));
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("heatmap.png");
    match (japanese_font_path(), write_heatmap(&matrix, &png)) {
        (Some(_), Ok(())) => {
            let bytes = fs_err::read(&png).unwrap();
            assert!(bytes.starts_with(b"\x89PNG"));
        }
        (None, Err(err)) => assert!(err.to_string().contains("no Japanese font")),
        (font, result) => panic!("font {font:?} but PNG result {result:?}"),
    }
    let err = write_heatmap(&matrix, &dir.path().join("heatmap.gif")).unwrap_err();
    assert!(err.to_string().contains(".svg or .png"));
}

/// Lines that look like headings start sections; other non-empty lines are passages.
fn plain_text_passages(text: &str) -> Vec<Passage> {
    let mut headings: Vec<(u8, String)> = Vec::new();
    let mut passages = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(level) = heading_level(line) {
            headings.retain(|(l, _)| *l < level);
            headings.push((level, line.to_owned()));
            continue;
        }
        let ordinal = u32::try_from(passages.len()).unwrap();
        let heading_path = headings.iter().map(|(_, h)| h.clone()).collect();
        passages.push(Passage { ordinal, page: 1, heading_path, text: line.to_owned() });
    }
    passages
}

fn heading_level(line: &str) -> Option<u8> {
    if line.chars().count() > 40 || line.ends_with('。') {
        return None;
    }
    let second = line.chars().nth(1);
    if line.starts_with('第') && second.is_some_and(|c| c.is_numeric() || "一二三".contains(c))
    {
        return Some(1);
    }
    let pillars = ["柱", "重点取組", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "その"];
    if (line.starts_with('【') && line.ends_with('】'))
        || pillars.iter().any(|p| line.starts_with(p))
    {
        return Some(2);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with([' ', '　', '.']) {
        return Some(2);
    }
    (line.starts_with('(') && second.is_some_and(|c| c.is_ascii_digit())).then_some(3)
}

#[test]
fn beats_the_naive_matcher_on_held_back_plans() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ids: Vec<&str> = taxonomy().theme_ids().collect();
    let gold = Gold::load(&root.join("tests/gold/heldout.json"), &ids).unwrap();
    let texts: BTreeMap<String, Vec<Passage>> = gold
        .labels
        .keys()
        .map(|key| {
            let text = fs_err::read_to_string(root.join(key)).unwrap();
            (key.clone(), plain_text_passages(&text))
        })
        .collect();
    let m = DocMeta::default();
    let docs: Vec<DocumentInput<'_>> =
        texts.iter().map(|(path, passages)| DocumentInput { path, meta: &m, passages }).collect();
    let predictions = predict(taxonomy(), &docs);
    let ours = evaluate(&ids, &gold, &predictions.gyokaku);
    let naive = evaluate(&ids, &gold, &predictions.naive);
    assert_eq!(ours.documents, 6);
    assert!(ours.micro.f1 >= naive.micro.f1 + 0.05, "{:?} vs naive {:?}", ours.micro, naive.micro);
    assert!(ours.micro.precision > naive.micro.precision);
    assert!(ours.micro.f1 >= 0.85, "{:?}", ours.micro);
}
