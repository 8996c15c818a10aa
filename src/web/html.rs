//! HTML building for the web app, with the one escaping function every page goes through.
//!
//! Pages are built as strings by hand rather than by a template engine: they are few and
//! small, and one rule keeps them safe — every text that did not come from this file (titles,
//! headings, passages, manifest columns, query parameters) passes through [`escape`], in
//! element content and in attribute values alike (attributes are always double-quoted).
//! URLs that come from documents become links only when they are `http:` or `https:`
//! ([`external_link`]); anything else is shown as text.

use std::fmt::Write;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A URL of this app with query parameters (percent-encoded), not yet escaped for HTML.
pub fn url(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs.iter().filter(|(_, value)| !value.is_empty()) {
        query.append_pair(key, value);
    }
    let query = query.finish();
    if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
}

/// `<a href="…">text</a>` for a URL of this app; both escaped.
pub fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape(href), escape(text))
}

/// A link to a URL from a document, only when it is `http:` or `https:`; otherwise the URL
/// as plain text (a `javascript:` URL in a manifest must never become clickable).
pub fn external_link(url: &str) -> String {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{}</a>",
            escape(url.trim()),
            escape(url)
        )
    } else {
        format!("<span class=\"unsafe-url\">{}</span>", escape(url))
    }
}

/// A snippet with its highlight spans (`[start, end)` in characters) in `<mark>`.
pub fn highlighted(snippet: &str, highlights: &[[usize; 2]]) -> String {
    let chars: Vec<char> = snippet.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    for &[start, end] in highlights {
        let (start, end) = (start.min(chars.len()), end.min(chars.len()));
        if start < at || start >= end {
            continue;
        }
        out.push_str(&escape(&chars[at..start].iter().collect::<String>()));
        out.push_str("<mark>");
        out.push_str(&escape(&chars[start..end].iter().collect::<String>()));
        out.push_str("</mark>");
        at = end;
    }
    out.push_str(&escape(&chars[at..].iter().collect::<String>()));
    out
}

/// The pages of the navigation bar: (path, label).
const NAV: [(&str, &str); 4] =
    [("/", "検索"), ("/themes", "テーマ"), ("/compare", "比較"), ("/kwic", "KWIC")];

/// A whole page: head with the embedded stylesheet and script, navigation, and `body`
/// (already HTML). `title` is text and is escaped here.
pub fn layout(title: &str, active: &str, body: &str) -> String {
    let mut nav = String::new();
    for (path, label) in NAV {
        let class = if path == active { " class=\"active\"" } else { "" };
        let _ = write!(nav, "<a href=\"{path}\"{class}>{label}</a>");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — gyokaku</title><link rel=\"stylesheet\" href=\"/static/app.css\">\
         <script src=\"/static/app.js\" defer></script></head>\
         <body><header><span class=\"brand\">gyokaku 行革</span><nav>{nav}</nav></header>\
         <main>{body}</main></body></html>\n",
        escape(title)
    )
}

/// The page for a bad request or a missing thing: status line and message.
pub fn error_page(status: u16, reason: &str, message: &str) -> String {
    layout(
        &format!("{status} {reason}"),
        "",
        &format!(
            "<h1>{status} {}</h1><p class=\"error\" id=\"error\">{}</p><p><a href=\"/\">検索に戻る</a></p>",
            escape(reason),
            escape(message)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<img src=x onerror=\"a('b')\">&"),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
    }

    #[test]
    fn only_http_urls_become_links() {
        assert!(external_link("https://www.city.example.jp/a?b=1&c=2").starts_with("<a href="));
        assert!(external_link("https://x.jp/?a=1&b=2").contains("&amp;b=2"));
        let hostile = external_link(" JavaScript:alert(1)");
        assert!(!hostile.contains("href"), "{hostile}");
    }

    #[test]
    fn highlights_are_marked_and_escaped() {
        let html = highlighted("a<b>公共施設c", &[[4, 8]]);
        assert_eq!(html, "a&lt;b&gt;<mark>公共施設</mark>c");
        // Out-of-range and overlapping spans are ignored, never a panic.
        assert_eq!(highlighted("abc", &[[2, 9], [1, 2], [7, 8]]), "ab<mark>c</mark>");
    }

    #[test]
    fn urls_are_percent_encoded() {
        assert_eq!(
            url("/", &[("q", "公共 施設&x"), ("city", "")]),
            "/?q=%E5%85%AC%E5%85%B1+%E6%96%BD%E8%A8%AD%26x"
        );
    }
}
