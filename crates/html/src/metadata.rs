//! Page metadata that belongs in fields, not in the reading text: the title, the
//! last-updated date (令和/平成/昭和 or western, to ISO 8601), and the department and phone
//! number of the お問い合わせ block.

use std::sync::LazyLock;

use chrono::NaiveDate;
use ego_tree::NodeRef;
use regex::Regex;
use scraper::{Html, Node, Selector};

use super::dom;

static ERA_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(令和|平成|昭和|R|H|S)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
        .expect("static regex is valid")
});

static WESTERN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[/.\-](\d{1,2})[/.\-](\d{1,2}))")
        .expect("static regex is valid")
});

static UPDATED_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\[【(（]?(最終更新日|最終更新|更新日時?|更新|掲載日|掲載開始日|公開日|ページ公開日|登録日|作成日|投稿日|掲載)")
        .expect("static regex is valid")
});

static DATE_AT_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(令和|平成|昭和|R|H|S)\s*(\d{1,2}|元)\s*年|\d{4}\s*[年/.\-])")
        .expect("static regex is valid")
});

static PHONE_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:電話|tel|℡|☎)[^0-9]{0,20}?(0\d{1,4}\s*[-‐(]\s*\d{1,4}\s*[-‐)]\s*\d{3,4})")
        .expect("static regex is valid")
});

static PHONE_ANY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"0\d{1,4}-\d{1,4}-\d{3,4}").expect("static regex is valid"));

/// Class and id words of elements that hold a page's date.
pub(crate) static DATE_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"update|modified|released|koushin|kousin|date|publish")
        .expect("static regex is valid")
});

static TITLE: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("head title, title").expect("static selector is valid"));
static TIME: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("time").expect("static selector is valid"));
static META_DATE: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(
        r#"meta[property="article:modified_time"], meta[name="dcterms.modified"], meta[name="date"], meta[property="article:published_time"]"#,
    )
    .expect("static selector is valid")
});

/// Digits and a few signs to ASCII, so `令和３年４月１日` and `２０２１／４／１` parse.
fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '／' => '/',
            '－' | 'ー' | '―' | '‐' | '−' => '-',
            '．' => '.',
            '（' => '(',
            '）' => ')',
            _ => c,
        })
        .collect()
}

/// The first date in `text`, in era or western form, as a calendar date.
pub(crate) fn parse_date_anywhere(text: &str) -> Option<NaiveDate> {
    let text = ascii_digits(text);
    let era = ERA_DATE.captures(&text).map(|caps| (caps.get(0).map_or(0, |m| m.start()), caps));
    let western =
        WESTERN_DATE.captures(&text).map(|caps| (caps.get(0).map_or(0, |m| m.start()), caps));
    match (era, western) {
        (Some((era_at, era)), Some((western_at, _))) if era_at <= western_at => era_date(&era),
        (Some((_, era)), None) => era_date(&era),
        (_, Some((_, western))) => western_date(&western),
        (None, None) => None,
    }
}

fn era_date(caps: &regex::Captures<'_>) -> Option<NaiveDate> {
    let base = match &caps[1] {
        "令和" | "R" => 2018,
        "平成" | "H" => 1988,
        _ => 1925,
    };
    let year = if &caps[2] == "元" { 1 } else { caps[2].parse::<i32>().ok()? };
    NaiveDate::from_ymd_opt(base + year, caps[3].parse().ok()?, caps[4].parse().ok()?)
}

fn western_date(caps: &regex::Captures<'_>) -> Option<NaiveDate> {
    let year = caps[1].parse().ok()?;
    let month = caps.get(2).or(caps.get(4))?.as_str().parse().ok()?;
    let day = caps.get(3).or(caps.get(5))?.as_str().parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A short line such as `更新日：2018年10月07日` or `【掲載日】令和3年4月1日`.
pub(crate) fn is_updated_line(compact_text: &str) -> bool {
    let Some(label) = UPDATED_LABEL.find(compact_text) else { return false };
    let rest = compact_text[label.end()..]
        .trim_start_matches(['日', '時', '】', ']', ')', '）', '：', ':', '　', ' ']);
    DATE_AT_START.is_match(&ascii_digits(rest))
}

/// The last-updated date of the page: a labelled line anywhere in the body, else a
/// `<time datetime>`, else a date meta tag.
pub(crate) fn find_updated(html: &Html) -> Option<String> {
    labelled_date(html)
        .or_else(|| {
            html.select(&TIME).find_map(|time| {
                time.value()
                    .attr("datetime")
                    .and_then(parse_date_anywhere)
                    .or_else(|| parse_date_anywhere(&time.text().collect::<String>()))
            })
        })
        .or_else(|| classed_date(html))
        .or_else(|| {
            html.select(&META_DATE)
                .find_map(|meta| meta.value().attr("content").and_then(parse_date_anywhere))
        })
        .map(|date| date.format("%Y-%m-%d").to_string())
}

/// A short element whose class says it holds the date (`<div class="released">`).
fn classed_date(html: &Html) -> Option<NaiveDate> {
    html.tree.root().descendants().find_map(|node| {
        node.value().as_element()?;
        if !DATE_CLASS.is_match(&dom::id_and_classes(&node)) {
            return None;
        }
        let text = dom::collapsed_text(node, 60);
        (text.chars().count() < 60).then(|| parse_date_anywhere(&text))?
    })
}

fn labelled_date(html: &Html) -> Option<NaiveDate> {
    html.tree.root().descendants().find_map(|node| {
        let text = node.value().as_text()?;
        if !["更新", "掲載", "公開", "登録", "作成", "投稿"]
            .iter()
            .any(|label| text.contains(label))
        {
            return None;
        }
        let block = node.parent().filter(|p| p.value().is_element())?;
        let block = if dom::collapsed_text(block, 80).chars().count() < 8 {
            block.parent().unwrap_or(block)
        } else {
            block
        };
        let compact: String =
            dom::collapsed_text(block, 120).chars().filter(|c| !c.is_whitespace()).collect();
        compact
            .char_indices()
            .map(|(at, _)| &compact[at..])
            .find(|from| is_updated_line(from))
            .and_then(parse_date_anywhere)
    })
}

/// The `<title>` of the page without the site name after a separator.
pub(crate) fn document_title(html: &Html) -> Option<String> {
    let raw = html.select(&TITLE).next()?.text().collect::<String>();
    let title = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let stripped = strip_site_name(&title);
    (!stripped.is_empty()).then_some(stripped)
}

const TITLE_SEPARATORS: &[&str] = &["｜", "|", " - ", " – ", " — ", "－", " / ", "：", "::", " : "];

/// `計画を策定しました｜苫小牧市` → `計画を策定しました`.
pub(crate) fn strip_site_name(title: &str) -> String {
    split_title(title).map_or_else(|| title.trim().to_owned(), |(page, _)| page.to_owned())
}

fn split_title(title: &str) -> Option<(&str, &str)> {
    TITLE_SEPARATORS.iter().find_map(|separator| {
        let (page, site) = title.split_once(separator)?;
        let page = page.trim();
        (!page.is_empty()).then(|| (page, site.trim()))
    })
}

/// The site name after the separator in `<title>`, if the title has one.
pub(crate) fn site_name(html: &Html) -> Option<String> {
    let raw = html.select(&TITLE).next()?.text().collect::<String>();
    let title = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    split_title(&title).map(|(_, site)| site.to_owned()).filter(|site| !site.is_empty())
}

/// The first h1 with text outside page furniture (site headers, logos, navigation).
pub(crate) fn page_h1<'a>(html: &'a Html) -> Option<(NodeRef<'a, Node>, String)> {
    html.tree.root().descendants().find_map(|node| {
        if dom::element_name(&node) != Some("h1") {
            return None;
        }
        let in_furniture = node.ancestors().any(|ancestor| {
            let name = dom::element_name(&ancestor).unwrap_or_default();
            let classes = dom::id_and_classes(&ancestor);
            matches!(name, "nav" | "footer" | "aside")
                || (name == "header"
                    && ancestor.parent().and_then(|p| dom::element_name(&p)) == Some("body"))
                || ["logo", "site", "head"].iter().any(|word| classes.contains(word))
        });
        let text = dom::collapsed_text(node, 200);
        (!in_furniture && !text.is_empty()).then_some((node, text))
    })
}

/// What the お問い合わせ block says.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Contact {
    pub department: Option<String>,
    pub phone: Option<String>,
}

/// Reads department and phone from contact-block lines (one line per block element).
pub(crate) fn parse_contact(lines: &[String]) -> Contact {
    let joined = lines.join("\n");
    let department = lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
        .find(|line| is_department_line(line))
        .map(|line| line.trim_start_matches(['【', '■', '●', '□']).to_owned());
    Contact { department, phone: find_phone(&joined) }
}

fn is_department_line(line: &str) -> bool {
    const NOT_DEPARTMENT: &[&str] = &[
        "問い合わせ",
        "問合せ",
        "電話",
        "TEL",
        "Tel",
        "FAX",
        "Fax",
        "ファクス",
        "ファックス",
        "〒",
        "メール",
        "@",
        "http",
        "フォーム",
        "住所",
        "所在地",
        "ページ",
        "担当課",
    ];
    const DEPARTMENT_ENDINGS: &[&str] = &[
        "課",
        "室",
        "部",
        "局",
        "係",
        "センター",
        "担当",
        "事務所",
        "委員会",
        "館",
        "所",
        "グループ",
        "チーム",
        "本部",
    ];
    line.chars().count() <= 40
        && !NOT_DEPARTMENT.iter().any(|word| line.contains(word))
        && DEPARTMENT_ENDINGS.iter().any(|word| line.contains(word))
}

/// The first phone number, preferring one labelled 電話/TEL over a bare number.
pub(crate) fn find_phone(text: &str) -> Option<String> {
    let text = ascii_digits(text);
    let number = PHONE_LABELLED
        .captures(&text)
        .and_then(|caps| caps.get(1))
        .map(|m| m.as_str().to_owned())
        .or_else(|| {
            PHONE_ANY
                .find_iter(&text)
                .find(|m| {
                    let before: Vec<char> = text[..m.start()].chars().collect();
                    let tail: String = before[before.len().saturating_sub(8)..].iter().collect();
                    let tail = tail.to_ascii_uppercase();
                    !["FAX", "ファクス", "ファックス"].iter().any(|word| tail.contains(word))
                })
                .map(|m| m.as_str().to_owned())
        })?;
    Some(number.split_whitespace().collect::<String>().replace('‐', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_and_western_dates_become_iso() {
        let check = |text: &str, expect: &str| {
            let date = parse_date_anywhere(text).map(|d| d.format("%Y-%m-%d").to_string());
            assert_eq!(date.as_deref(), Some(expect), "{text}");
        };
        check("更新日：2018年10月07日", "2018-10-07");
        check("令和5年2月1日", "2023-02-01");
        check("令和元年5月7日", "2019-05-07");
        check("平成２４年４月１日", "2012-04-01");
        check("H27.4.1 ではなく 2015/04/01", "2015-04-01");
        check("昭和61年3月31日", "1986-03-31");
        assert_eq!(parse_date_anywhere("令和2年13月1日"), None);
    }

    #[test]
    fn updated_lines_need_a_label_and_a_date() {
        assert!(is_updated_line("更新日：2018年10月07日"));
        assert!(is_updated_line("【最終更新日】令和3年4月1日"));
        assert!(!is_updated_line("令和3年4月1日に策定しました"));
        assert!(!is_updated_line("掲載した計画は令和3年4月1日に策定しました"));
        assert!(is_updated_line("掲載日2020年4月1日"));
    }

    #[test]
    fn site_name_is_stripped_from_title() {
        assert_eq!(strip_site_name("転居届 - 自治体サンプル"), "転居届");
        assert_eq!(strip_site_name("計画を策定しました｜苫小牧市"), "計画を策定しました");
        assert_eq!(strip_site_name("行政改革大綱"), "行政改革大綱");
    }

    #[test]
    fn contact_block_gives_department_and_phone() {
        let lines: Vec<String> = [
            "お問い合わせ",
            "総務部行政監理室",
            "電話:服務担当:0144-32-6159、行革担当:0144-32-6169",
            "フォームからのお問い合わせ(リンク)",
        ]
        .map(String::from)
        .to_vec();
        let contact = parse_contact(&lines);
        assert_eq!(contact.department.as_deref(), Some("総務部行政監理室"));
        assert_eq!(contact.phone.as_deref(), Some("0144-32-6159"));
    }

    #[test]
    fn fax_is_not_the_phone() {
        assert_eq!(
            find_phone("ファックス：054-643-3604 電話：054-643-2055").as_deref(),
            Some("054-643-2055")
        );
        assert_eq!(find_phone("FAX 054-643-3604").as_deref(), None);
    }
}
