//! Web page extraction end to end: the HTML dev set against its gold text, title and
//! metadata; the shipped corpus pages against their seed text (also through
//! `gyokaku extract`); hostile and huge input; one regression test per bug found.

use std::path::{Path, PathBuf};

use gyokaku::extract::html::extract_html;
use gyokaku::extract::{self, Limits, SourceHints};
use gyokaku::model::Extracted;
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

use crate::support::{fixture, gyokaku, repo_root};

/// NFKC, whitespace removed: the normalisation of the quality metric.
fn normalize(text: &str) -> String {
    text.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// Character-bigram F1 (multiset) after [`normalize`], as scripts/eval_html.py computes it.
fn bigram_f1(predicted: &str, gold: &str) -> f64 {
    use std::collections::HashMap;
    fn bigrams(text: &str) -> HashMap<(char, char), usize> {
        let chars: Vec<char> = normalize(text).chars().collect();
        let mut counts = HashMap::new();
        for pair in chars.windows(2) {
            *counts.entry((pair[0], pair[1])).or_insert(0) += 1;
        }
        counts
    }
    let (p, g) = (bigrams(predicted), bigrams(gold));
    let overlap: usize = p.iter().map(|(k, n)| (*n).min(g.get(k).copied().unwrap_or(0))).sum();
    let (p_total, g_total): (usize, usize) = (p.values().sum(), g.values().sum());
    if overlap == 0 {
        return 0.0;
    }
    let precision = overlap as f64 / p_total as f64;
    let recall = overlap as f64 / g_total as f64;
    2.0 * precision * recall / (precision + recall)
}

fn extract_path(path: &Path) -> Extracted {
    let bytes = fs_err::read(path).expect("read fixture");
    extract_html(&bytes, &SourceHints::default())
        .unwrap_or_else(|err| panic!("`{}`: {err}", path.display()))
}

fn html_of(body: &str) -> Extracted {
    extract_html(body.as_bytes(), &SourceHints::default()).expect("extracts")
}

fn dev_pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs_err::read_dir(fixture("html"))
        .expect("tests/fixtures/html exists")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "html"))
        .collect();
    pages.sort();
    pages
}

fn sidecar(page: &Path, suffix: &str) -> String {
    let name = page.file_stem().and_then(|s| s.to_str()).expect("utf-8 name");
    fs_err::read_to_string(page.with_file_name(format!("{name}.{suffix}"))).expect("sidecar")
}

/// Heading marks point at the start of a line of the page text.
fn assert_headings_on_lines(extracted: &Extracted) {
    let page = &extracted.pages[0];
    for mark in &page.headings {
        assert!((1..=6).contains(&mark.level));
        assert!(page.text.is_char_boundary(mark.start), "{mark:?}");
        assert!(mark.start == 0 || page.text[..mark.start].ends_with('\n'), "{mark:?}");
    }
}

#[test]
fn dev_set_covers_encodings_and_templates() {
    let pages = dev_pages();
    assert!(pages.len() >= 12, "{} pages", pages.len());
    let metas: Vec<serde_json::Value> = pages
        .iter()
        .map(|page| serde_json::from_str(&sidecar(page, "meta.json")).expect("meta json"))
        .collect();
    let distinct = |key: &str| {
        let mut values: Vec<String> = metas.iter().map(|m| m[key].to_string()).collect();
        values.sort();
        values.dedup();
        values.len()
    };
    assert!(distinct("encoding") >= 5);
    assert!(distinct("template") >= 4);
    assert!(metas.iter().any(|m| m["ruby"] == true) && metas.iter().any(|m| m["br"] == true));
}

#[test]
fn dev_set_matches_gold_text_title_and_metadata() {
    for page in dev_pages() {
        let name = page.display();
        let extracted = extract_path(&page);
        let text = &extracted.pages[0].text;
        let f1 = bigram_f1(text, &sidecar(&page, "gold.txt"));
        assert!(f1 >= 0.97, "`{name}`: bigram F1 {f1:.3}\n{text}");
        assert!(!text.contains('\u{FFFD}'), "`{name}`: replacement characters");
        assert_eq!(extracted.title.as_deref(), Some(sidecar(&page, "title.txt").trim()), "{name}");
        let meta: serde_json::Value = serde_json::from_str(&sidecar(&page, "meta.json")).unwrap();
        assert_eq!(extracted.encoding.as_deref(), meta["encoding"].as_str(), "{name}");
        assert_eq!(extracted.updated.as_deref(), meta["updated"].as_str(), "{name}");
        assert_eq!(extracted.department.as_deref(), meta["department"].as_str(), "{name}");
        assert_eq!(extracted.phone.as_deref(), meta["phone"].as_str(), "{name}");
        for furniture in [
            "ここから本文",
            "本文ここまで",
            "文字サイズ",
            "役に立ちましたか",
            "Adobe",
            "お問い合わせ",
            "更新日",
        ] {
            assert!(!text.contains(furniture), "`{name}`: `{furniture}` left in the text");
        }
        assert_headings_on_lines(&extracted);
    }
}

#[test]
fn dev_set_text_snapshots() {
    for page in dev_pages() {
        let name = page.file_stem().and_then(|s| s.to_str()).unwrap().to_owned();
        let extracted = extract_path(&page);
        insta::assert_snapshot!(format!("html_{name}"), extracted.pages[0].text);
    }
}

#[test]
fn attachment_links_are_listed() {
    let extracted = extract_path(&fixture("html/modern_tomakomai_utf8.html"));
    let urls: Vec<&str> = extracted.links.iter().map(|link| link.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "/material/files/group/6/sokakuplan_kaitei.pdf",
            "/material/files/group/6/sokakuplan_gaiyo.pdf"
        ]
    );
    assert!(extracted.removed.iter().any(|r| r.kind == "contact"));
    assert!(extracted.removed.iter().any(|r| r.kind == "navigation"));
}

// --- The shipped corpus pages against their seed texts -------------------------------

/// The body of a seed text: from `first` up to the first line starting with `stop`,
/// without list markers that a browser's text dump adds.
fn seed_body(prefix: &str, first: &str, stop: &str) -> Vec<String> {
    let dir = fixture("seeds");
    let path = fs_err::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)))
        .expect("seed exists");
    let text = fs_err::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let start = lines.iter().position(|l| *l == first).expect("first line in seed");
    lines[start..]
        .iter()
        .take_while(|line| !line.starts_with(stop))
        .map(|line| {
            let line =
                line.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '•');
            normalize(line)
        })
        .filter(|line| !line.is_empty())
        .collect()
}

fn assert_matches_seed(extracted: &Extracted, seed_lines: &[String]) {
    let text = &extracted.pages[0].text;
    let ours = normalize(text);
    for line in seed_lines {
        assert!(ours.contains(line.as_str()), "seed line missing: {line}\n--- ours:\n{text}");
    }
    let f1 = bigram_f1(text, &seed_lines.join("\n"));
    assert!(f1 >= 0.98, "bigram F1 {f1:.3}\n{text}");
}

#[test]
fn corpus_tomakomai_extracts_to_its_seed_text() {
    let extracted = extract_path(&repo_root().join("corpus/tomakomai.html"));
    let seed = seed_body("002", "『苫小牧市行政創革プラン』を策定しました", "Get Adobe Reader");
    assert_matches_seed(&extracted, &seed);
    assert_eq!(extracted.title.as_deref(), Some("『苫小牧市行政創革プラン』を策定しました"));
    assert_eq!(extracted.department.as_deref(), Some("総務部行政監理室"));
    assert_eq!(extracted.phone.as_deref(), Some("0144-32-6159"));
    assert!(extracted.encoding.as_deref().is_some_and(|e| e.starts_with("UTF-8")));
}

#[test]
fn corpus_fujieda_extracts_to_its_seed_text() {
    let extracted = extract_path(&repo_root().join("corpus/fujieda.html"));
    let seed = seed_body("003", "藤枝市新公共経営実行計画を策定しました", "お問い合わせ");
    assert_matches_seed(&extracted, &seed);
    assert_eq!(extracted.encoding.as_deref(), Some("Shift_JIS (meta charset)"));
    assert_eq!(extracted.updated.as_deref(), Some("2018-10-07"));
    assert_eq!(extracted.department.as_deref(), Some("企画政策課"));
    assert_eq!(extracted.phone.as_deref(), Some("054-643-2055"));
    assert!(extracted.links.iter().any(|link| link.url.ends_with(".pdf")));
}

#[test]
fn cli_extract_json_carries_html_fields() {
    let output = gyokaku(&repo_root())
        .args(["extract", "corpus/fujieda.html", "--format", "json"])
        .output()
        .expect("run gyokaku extract");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["format"], "html");
    assert_eq!(json["title"], "藤枝市新公共経営実行計画を策定しました");
    assert_eq!(json["encoding"], "Shift_JIS (meta charset)");
    assert_eq!(json["updated"], "2018-10-07");
    assert_eq!(json["department"], "企画政策課");
    let text = json["pages"][0]["text"].as_str().unwrap();
    assert!(text.contains("市役所の最大の経営資源は職員です。"));
    assert!(!text.contains("文字サイズ"));
}

#[test]
fn sidecar_charset_file_is_the_http_charset() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let html = "<html><head><meta charset=\"EUC-JP\"></head><body><h1>行政改革大綱</h1><p>本市の取組です。</p></body></html>";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(html);
    fs_err::write(&page, &bytes).unwrap();
    fs_err::write(dir.path().join("page.html.charset"), "Shift_JIS\n").unwrap();
    let extracted =
        extract::extract_file(&page, &Limits::default(), &SourceHints::default()).unwrap();
    assert_eq!(extracted.encoding.as_deref(), Some("Shift_JIS (HTTP charset)"));
    assert_eq!(extracted.pages[0].text, "行政改革大綱\n本市の取組です。");
}

/// `ingest` reads the sidecar as `extract` does (issue 10): the extraction it caches and
/// indexes was decoded with the sidecar's charset, which beats the page's stale meta.
#[test]
fn ingest_honours_the_sidecar_charset() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    fs_err::create_dir_all(&plans).unwrap();
    let html = "<html><head><meta charset=\"EUC-JP\"></head><body><h1>行政改革大綱</h1><p>本市の取組です。</p></body></html>";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(html);
    fs_err::write(plans.join("page.html"), &bytes).unwrap();
    fs_err::write(plans.join("page.html.charset"), "Shift_JIS\n").unwrap();
    gyokaku(dir.path()).args(["ingest", "plans", "--index", "index", "-q"]).assert().success();
    let cached: Vec<_> = fs_err::read_dir(dir.path().join("index/extracted"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let extracted: Extracted = serde_json::from_slice(&fs_err::read(&cached[0]).unwrap()).unwrap();
    assert_eq!(extracted.encoding.as_deref(), Some("Shift_JIS (HTTP charset)"));
    assert_eq!(extracted.pages[0].text, "行政改革大綱\n本市の取組です。");
    let result = crate::support::search_json(dir.path(), &["取組"]);
    assert!(
        result["hits"][0]["path"].as_str().is_some_and(|p| p.ends_with("page.html")),
        "{result}"
    );
}

// --- Hostile input ---------------------------------------------------------------------

#[test]
fn binary_junk_named_html_is_a_clear_error() {
    let bytes = fs_err::read(fixture("hostile/random.html")).unwrap();
    let err = extract_html(&bytes, &SourceHints::default()).unwrap_err();
    assert!(err.to_string().starts_with("binary data"), "{err}");
}

#[test]
fn binary_junk_is_refused_before_the_text_extractor() {
    let err = extract::extract_file(
        &fixture("hostile/random.html"),
        &Limits::default(),
        &SourceHints::default(),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("binary data"), "{err}");
}

#[test]
fn unknown_charset_falls_back_to_detection_with_a_warning() {
    let extracted = extract_path(&fixture("hostile/unknown_charset.html"));
    assert_eq!(extracted.encoding.as_deref(), Some("UTF-8 (detected)"));
    assert!(extracted.warnings.iter().any(|w| w.contains("x-gyokaku-unknown-9")));
    assert!(extracted.pages[0].text.starts_with("行政改革推進計画の概要\n本市では"));
}

#[test]
fn empty_body_is_a_warning_not_an_error() {
    let extracted = html_of(
        "<!DOCTYPE html><html><head><title>空のページ</title></head><body>\n</body></html>",
    );
    assert_eq!(extracted.pages[0].text, "");
    assert_eq!(extracted.warnings, ["page body has no text"]);
}

#[test]
fn only_furniture_is_a_warning() {
    let extracted = html_of(
        "<body><nav><a href=/a>くらし</a><a href=/b>子育て</a><a href=/c>健康</a></nav></body>",
    );
    assert_eq!(extracted.pages[0].text, "");
    assert!(extracted.warnings[0].starts_with("no main text found"), "{:?}", extracted.warnings);
}

#[test]
fn malformed_markup_still_reads() {
    let extracted = html_of(
        "<html><body><p>第一段落<p>第二段落<td>迷子のセル</table><li>項目</ul></div></span>\
         <h2>見出し<p>続き&amp;記号&unknown;</body></body></html><p>後ろ",
    );
    let text = &extracted.pages[0].text;
    for part in
        ["第一段落", "第二段落", "迷子のセル", "項目", "見出し", "続き&記号&unknown;", "後ろ"]
    {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    assert_headings_on_lines(&extracted);
}

#[test]
fn deeply_nested_markup_does_not_overflow_the_stack() {
    let depth = 10_000;
    let html = format!(
        "<html><body>{}<p>深い入れ子の本文です。</p>{}</body></html>",
        "<div><span>".repeat(depth),
        "</span></div>".repeat(depth)
    );
    let extracted = html_of(&html);
    assert_eq!(extracted.pages[0].text, "深い入れ子の本文です。");

    let tables = 2_000;
    let html = format!(
        "<body>{}表の中の本文{}</body>",
        "<table><tr><td>".repeat(tables),
        "</td></tr></table>".repeat(tables)
    );
    assert!(html_of(&html).pages[0].text.contains("表の中の本文"));
}

#[test]
fn fifty_megabyte_page_is_extracted() {
    let paragraph =
        format!("<p>{}</p>\n", "公共施設の老朽化対策と行政改革の推進について。".repeat(40));
    let count = 50 * 1024 * 1024 / paragraph.len() + 1;
    let mut html = String::with_capacity(count * paragraph.len() + 100);
    html.push_str("<html><head><meta charset=\"utf-8\"><title>大きなページ</title></head><body><div id=\"main\">");
    for _ in 0..count {
        html.push_str(&paragraph);
    }
    html.push_str("</div></body></html>");
    assert!(html.len() >= 50 * 1024 * 1024);
    let extracted = html_of(&html);
    assert_eq!(extracted.pages[0].text.lines().count(), count);
    assert_eq!(extracted.title.as_deref(), Some("大きなページ"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = extract_html(&bytes, &SourceHints::default());
    }

    #[test]
    fn tag_soup_never_panics_and_marks_headings_on_lines(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<p>"), Just("</p>"), Just("<h2>"), Just("</h2>"), Just("<h1>"), Just("<br>"),
                Just("<table><tr><td>"), Just("</td><td>"), Just("</table>"), Just("<ruby>"),
                Just("<rt>"), Just("</ruby>"), Just("<nav>"), Just("</nav>"), Just("<!-- ここから本文です -->"),
                Just("本文ここまで"), Just("行政改革。"), Just("お問い合わせ"), Just("<a href=\"x.pdf\">"),
                Just("</a>"), Just(" \n "), Just("<div class=\"navi\">"), Just("</div>"), Just("更新日：令和3年4月1日"),
            ],
            0..60,
        )
    ) {
        let html = parts.concat();
        let extracted = extract_html(html.as_bytes(), &SourceHints::default()).unwrap();
        assert_headings_on_lines(&extracted);
    }
}

// --- Regressions: one test per bug found ---------------------------------------------

/// A short wrapper starting with ここから本文です was cut whole as a widget, article and all.
#[test]
fn regression_skip_marker_phrase_does_not_cut_its_container() {
    let extracted = html_of(
        "<body><div><p>ここから本文です。</p><p>本市の行政改革について。</p>\
         <p>ページの先頭へ戻る</p></div></body>",
    );
    assert_eq!(extracted.pages[0].text, "本市の行政改革について。");
}

/// A contact block in a one-cell table came out as one line, hiding the department.
#[test]
fn regression_contact_in_a_table_cell_gives_the_department() {
    let extracted = html_of(
        "<body><div><h1>計画</h1><p>本文です。</p><table class=\"toiawase\"><tr><td>\
         このページに関するお問い合わせ<br>企画政策部企画課<br>TEL：0564-23-6034　FAX：0564-23-6484\
         </td></tr></table></div></body>",
    );
    assert_eq!(extracted.department.as_deref(), Some("企画政策部企画課"));
    assert_eq!(extracted.phone.as_deref(), Some("0564-23-6034"));
    assert_eq!(extracted.pages[0].text, "計画\n本文です。");
}

/// A `<footer class="contact">` inside the main column was cut as a footer, unread.
#[test]
fn regression_contact_in_a_footer_element_is_read() {
    let extracted = html_of(
        "<body><div id=\"main\"><h1>計画</h1><p>本文です。本文です。</p><footer class=\"contact\">\
         <h2>お問い合わせ</h2><p>総務課政策推進係</p><p>電話番号：0155-62-9720</p></footer></div></body>",
    );
    assert_eq!(extracted.department.as_deref(), Some("総務課政策推進係"));
    assert_eq!(extracted.phone.as_deref(), Some("0155-62-9720"));
}

/// A `<time>` without a datetime attribute gave no date.
#[test]
fn regression_time_element_text_gives_the_updated_date() {
    let extracted = html_of(
        "<body><div id=\"main\"><h1>計画</h1><header class=\"released\"><time>令和元年6月3日</time></header>\
         <p>本文です。</p></div></body>",
    );
    assert_eq!(extracted.updated.as_deref(), Some("2019-06-03"));
    assert_eq!(extracted.pages[0].text, "計画\n本文です。");
}

/// A site-header link named お問い合わせ must not be taken for the contact block.
#[test]
fn regression_contact_link_in_navigation_is_not_a_contact_block() {
    let extracted = html_of(
        "<body><div class=\"menu\"><a class=\"inquiry\" href=\"/inquiry/\">お問い合わせ</a> \
         <a href=\"/sitemap/\">サイトマップ</a></div><div id=\"main\"><h1>計画</h1><p>本文です。</p></div>\
         <div class=\"foot\">市役所 電話番号：00-000-0000</div></body>",
    );
    assert_eq!(extracted.department, None);
}

/// A ご利用案内 page describing the 文字サイズ and ふりがな tools lost its headings and
/// definitions to the widget rules.
#[test]
fn regression_text_about_widgets_is_not_a_widget() {
    let extracted = html_of(
        "<body><div id=\"main\"><h1>ご利用案内</h1><h2>文字サイズ変更機能</h2>\
         <p>文字の大きさを変更することで、文字を見やすくします。</p>\
         <dl><dt>ふりがなをつける</dt><dd>漢字にふりがなをつけます。</dd></dl>\
         <div class=\"tool\"><a href=\"#\">文字サイズ 小</a><a href=\"#\">大</a></div></div></body>",
    );
    assert_eq!(
        extracted.pages[0].text,
        "ご利用案内\n文字サイズ変更機能\n文字の大きさを変更することで、文字を見やすくします。\n\
         ふりがなをつける\n漢字にふりがなをつけます。"
    );
}

/// A paragraph that starts with 掲載 and mentions a date is text, not the updated line.
#[test]
fn regression_paragraph_with_a_date_is_not_the_updated_line() {
    let extracted = html_of(
        "<body><div id=\"main\"><h1>計画</h1><p>掲載した計画は令和3年4月1日に策定しました。</p>\
         <p class=\"update\">更新日：2021年4月2日</p></div></body>",
    );
    assert_eq!(extracted.pages[0].text, "計画\n掲載した計画は令和3年4月1日に策定しました。");
    assert_eq!(extracted.updated.as_deref(), Some("2021-04-02"));
}

// --- Pages in styles the dev set does not have, written after the rules were tuned ------

fn unseen(name: &str) -> Extracted {
    extract_path(&fixture(&format!("html/unseen/{name}")))
}

/// WordPress: `article`, entry meta with 投稿日, entry footer, widget sidebar.
#[test]
fn unseen_wordpress_post() {
    let extracted = unseen("wordpress.html");
    assert_eq!(
        extracted.pages[0].text,
        "第2次行政改革大綱を策定しました\n\
         本町では、持続可能な行財政運営を実現するため、第2次行政改革大綱を策定しました。\n\
         大綱の期間\n令和3年度から令和7年度までの5年間とします。\n重点項目\n\
         事務事業の見直し\n公共施設の適正配置\nデジタル化の推進\n第2次行政改革大綱（PDF：820KB）"
    );
    assert_eq!(extracted.updated.as_deref(), Some("2021-04-01"));
    assert_eq!(extracted.links.len(), 1);
}

/// The site name in an h1 of the page header must not become the title, and the
/// address/copyright footer is not text.
#[test]
fn unseen_site_logo_h1_and_address_footer() {
    let extracted = unseen("logo_h1_footer.html");
    assert_eq!(extracted.title.as_deref(), Some("行政評価の結果について"));
    let text = &extracted.pages[0].text;
    assert!(text.starts_with("行政評価の結果について\n令和4年度に実施した"), "{text}");
    assert!(text.ends_with("詳しくは下記の報告書をご覧ください。"), "{text}");
}

/// A 2000s page: `<center>` navigation, `<blockquote>` with `<br>` text, Shift_JIS.
#[test]
fn unseen_old_center_layout() {
    let extracted = unseen("center_sjis.html");
    let text = &extracted.pages[0].text;
    assert!(text.starts_with("行財政改革推進計画\n本村では、"), "{text}");
    assert!(!text.contains("お知らせ") && !text.contains("Copyright"), "{text}");
    assert_eq!(extracted.encoding.as_deref(), Some("Shift_JIS (meta charset)"));
}

/// When text density picks a column without the page's h1, the h1 is put back on top
/// as a level-1 heading and the other heading marks move with the text.
#[test]
fn page_h1_outside_the_dense_column_is_put_on_top() {
    let prose = "本市では、公共施設の老朽化対策と事務事業の見直しに取り組みます。".repeat(12);
    let extracted = html_of(&format!(
        "<body><div class=\"ttl\"><h1>行政改革推進計画</h1></div>\
         <div class=\"txt\"><h2>計画の趣旨</h2><p>{prose}</p></div></body>"
    ));
    let page = &extracted.pages[0];
    assert_eq!(page.text, format!("行政改革推進計画\n計画の趣旨\n{prose}"));
    let marks: Vec<(usize, u8)> = page.headings.iter().map(|m| (m.start, m.level)).collect();
    assert_eq!(marks, [(0, 1), ("行政改革推進計画\n".len(), 2)]);
    assert_eq!(extracted.title.as_deref(), Some("行政改革推進計画"));
}
