#!/usr/bin/env python3
"""Writes the HTML dev set in tests/fixtures/html/ from the seed texts.

Each page wraps a slice of a seed plan (tests/fixtures/seeds, or SEEDS_DIR) in the page
furniture of a Japanese municipal CMS template and is written in one of the encodings
such sites use. Next to each page go the gold main text (`NAME.gold.txt`: the page h1,
then one line per block; table cells tab-separated; ruby as base text), the title
(`NAME.title.txt`) and the expected metadata (`NAME.meta.json`).

Usage: python3 scripts/gen_html_fixtures.py [OUT_DIR]
"""

import json
import os
import re
import sys
from html import escape
from pathlib import Path

SEEDS_DIR = Path(os.environ.get("SEEDS_DIR", Path(__file__).resolve().parent.parent / "tests/fixtures/seeds"))
OUT_DIR = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests/fixtures/html"


def seed_lines(prefix):
    path = next(SEEDS_DIR.glob(f"{prefix}_*.txt"))
    lines = (line.replace("\xa0", " ").strip() for line in path.read_text(encoding="utf-8").splitlines())
    lines = [line for line in lines if line]
    # Bullets from the rendered text of a list become list items again.
    return [("- " + line[1:].strip()) if line.startswith("•") else line for line in lines]


def between(lines, first, stop):
    start = lines.index(first)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(stop))
    return lines[start:end]


# ---------------------------------------------------------------------------
# Blocks: ("h", level, text) | ("p", text) | ("ul", [text]) | ("table", caption, rows)
#         | ("br", [line]) | ("files", [(text, href)])


def blocks_from_lines(lines):
    """Turns seed lines into blocks: list items, table rows, headings, paragraphs."""
    blocks = []
    for line in lines:
        line = re.sub(r"</?p>", "", line)
        if "\t" in line:
            cells = [" ".join(c.split()) for c in line.split("\t")]
            if blocks and blocks[-1][0] == "table":
                blocks[-1][2].append(cells)
            else:
                blocks.append(("table", None, [cells]))
        elif line.startswith("- ") or line.startswith("・"):
            item = line[2:] if line.startswith("- ") else line
            if blocks and blocks[-1][0] == "ul":
                blocks[-1][1].append(item)
            else:
                blocks.append(("ul", [item]))
        elif len(line) <= 32 and "。" not in line and not line.endswith("、"):
            level = 2 if re.match(r"^(第\d|【|[ⅠⅡⅢⅣⅤⅥⅦ]|柱-)", line) else 3
            blocks.append(("h", level, line))
        else:
            blocks.append(("p", line))
    return blocks


RUBY = {"行政": "ぎょうせい", "職員": "しょくいん", "改革": "かいかく", "市民": "しみん", "町民": "ちょうみん"}


def inline(text, ruby=False):
    out = escape(text, quote=False)
    if ruby:
        for base, reading in RUBY.items():
            out = out.replace(base, f"<ruby>{base}<rp>（</rp><rt>{reading}</rt><rp>）</rp></ruby>")
    return out


def blocks_html(blocks, ruby=False, style="modern"):
    parts = []
    for block in blocks:
        kind = block[0]
        if kind == "h":
            parts.append(f"<h{block[1]}>{inline(block[2], ruby)}</h{block[1]}>")
        elif kind == "p":
            parts.append(f"<p>{inline(block[1], ruby)}</p>")
        elif kind == "ul":
            items = "\n".join(f"  <li>{inline(item, ruby)}</li>" for item in block[1])
            parts.append(f"<ul>\n{items}\n</ul>")
        elif kind == "table":
            caption = f"<caption>{inline(block[1])}</caption>" if block[1] else ""
            rows = []
            for i, row in enumerate(block[2]):
                tag = "th" if i == 0 else "td"
                rows.append("<tr>" + "".join(f"<{tag}>{inline(c, ruby)}</{tag}>" for c in row) + "</tr>")
            border = ' border="1" cellpadding="3"' if style == "table" else ' class="datatable"'
            parts.append(f"<table{border}>{caption}\n" + "\n".join(rows) + "\n</table>")
        elif kind == "br":
            parts.append('<div class="txt">\n' + "<br>\n".join(inline(l, ruby) for l in block[1]) + "\n</div>")
        elif kind == "files":
            items = "\n".join(f'  <li><a href="{href}">{escape(text)}</a></li>' for text, href in block[1])
            parts.append(f'<ul class="file_list">\n{items}\n</ul>')
    return "\n".join(parts)


def gold_lines(blocks):
    lines = []
    for block in blocks:
        kind = block[0]
        if kind == "h":
            lines.append(block[2])
        elif kind == "p":
            lines.append(block[1])
        elif kind in ("ul", "br"):
            lines.extend(block[1])
        elif kind == "table":
            if block[1]:
                lines.append(block[1])
            lines.extend("\t".join(row) for row in block[2])
        elif kind == "files":
            lines.extend(text for text, _ in block[1])
    return lines


# ---------------------------------------------------------------------------
# Templates. Each returns the full page for (site, title, body_html, date_text, contact).

NAV = ["くらし・手続き", "子育て・教育", "健康・福祉", "観光・文化", "産業・しごと", "市政情報"]


def nav_list(prefix=""):
    return "\n".join(f'<li><a href="/{prefix}{i}/">{name}</a></li>' for i, name in enumerate(NAV))


def contact_html(contact):
    dept, phone, fax = contact
    return (
        '<div id="tmp_inquiry"><div id="tmp_inquiry_ttl"><p>お問い合わせ</p></div>\n'
        f'<div id="tmp_inquiry_cnt"><form method="post" action="/form/"><p>{dept}<br>\n'
        f"電話：{phone}<br>\nファックス：{fax}</p>"
        '<p class="inquiry_btn"><input type="submit" value="お問い合わせフォーム"></p></form></div></div>'
    )


def template_modern(site, title, body, date_text, contact, charset_meta):
    """A modern CMS with ここから本文です / 本文ここまで skip markers (#tmp_ ids)."""
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
{charset_meta}
<title>{title}｜{site}</title>
<link rel="stylesheet" href="/css/style.css">
<script src="/js/jquery.js"></script>
<script>var kisekae = "きせかえ"; document.write("本文ではありません。");</script>
</head>
<body class="format_free">
<noscript><p>このサイトではJavaScriptを使用したコンテンツ・機能を提供しています。JavaScriptを有効にするとご利用いただけます。</p></noscript>
<div id="tmp_wrapper">
<p><a href="#tmp_honbun" class="skip">本文へスキップします。</a></p>
<div id="tmp_header">
<div id="tmp_hlogo"><p><a href="/"><span>{site}</span></a></p></div>
<div id="tmp_means">
<ul id="tmp_setting">
<li><a href="/kisekae.html" class="kisekae">きせかえ</a></li>
<li class="fontsize">文字サイズ<a href="#">小</a><a href="#">中</a><a href="#">大</a></li>
<li><a href="#" class="read">音声読み上げ</a></li>
</ul>
<form action="/search/" id="tmp_search"><p><input type="text" name="q" title="サイト内検索"><input type="submit" value="検索"></p></form>
</div>
</div>
<div id="tmp_gnavi">
<p class="skip">ここからメインメニュー</p>
<ul>
{nav_list()}
</ul>
<p class="skip">メインメニューここまで</p>
</div>
<div id="tmp_pankuzu"><p><a href="/">ホーム</a> &gt; <a href="/shisei/">市政情報</a> &gt; <a href="/shisei/gyokaku/">行政改革</a> &gt; {title}</p></div>
<div id="tmp_wrap_main" class="column_lnavi">
<div id="tmp_main">
<div class="wrap_col_main"><div class="col_main">
<p id="tmp_honbun" class="skip">ここから本文です。</p>
<div id="tmp_contents">
<h1>{title}</h1>
<p class="update">更新日：{date_text}</p>
{body}
<div id="tmp_viewer">
<p class="viewer_icon"><a href="https://get.adobe.com/jp/reader/"><img src="/images/get_adobe_reader.png" alt="Get Adobe Reader web logo"></a></p>
<p>PDFファイルをご覧になるには、Adobe Readerが必要です。<br>Adobe Readerをお持ちでない場合は、左の"Get AdobeReader"アイコンをクリックしてください。</p>
</div>
{contact_html(contact)}
<div id="tmp_enquete">
<form action="/enquete/"><h2>このページの情報は役に立ちましたか？</h2>
<p><input type="radio" name="q1" id="q1a"><label for="q1a">役に立った</label>
<input type="radio" name="q1" id="q1b"><label for="q1b">どちらともいえない</label>
<input type="radio" name="q1" id="q1c"><label for="q1c">役に立たなかった</label></p>
<p><input type="submit" value="送信"></p></form>
</div>
</div>
<p class="skip">本文ここまで</p>
</div></div>
<div class="wrap_col_lft_navi"><div class="col_lft_navi"><div id="tmp_lnavi">
<div id="tmp_lnavi_ttl"><p><a href="/shisei/gyokaku/">行政改革</a></p></div>
<div id="tmp_lnavi_cnt"><ul>
<li><a href="/shisei/gyokaku/taiko.html">行政改革大綱</a></li>
<li><a href="/shisei/gyokaku/jisshi.html">実施計画</a></li>
<li><a href="/shisei/gyokaku/shingikai.html">行政改革推進委員会</a></li>
</ul></div>
</div></div></div>
</div>
</div>
<div class="pnavi"><p class="ptop"><a href="#tmp_header">ページの先頭へ戻る</a></p></div>
<div id="tmp_footer">
<p class="skip">ここからフッターメニュー</p>
<ul><li><a href="/sitemap.html">サイトマップ</a></li><li><a href="/privacy.html">個人情報の取り扱い</a></li><li><a href="/accessibility.html">ウェブアクセシビリティ</a></li></ul>
<address>{site}役所　〒000-0000　代表電話：0000-00-0000</address>
<p class="copyright">Copyright &copy; {site} All Rights Reserved.</p>
</div>
</div>
</body>
</html>
"""


def template_shirasagi(site, title, body, date_text, contact, charset_meta):
    """SHIRASAGI-like: tool bar with skip-voice comments, #main, article.body, side."""
    dept, phone, fax = contact
    return f"""<!doctype html>
<html lang="ja">
<head>
{charset_meta}
<title>{title} - {site}</title>
<script src="/assets/cms/public.js"></script>
</head>
<body id="body--docs-page" class="body--docs">
<div id="page">
<!-- skip-voice -->
<div id="tool">
<nav>
  <a id="nocssread" href="#wrap">本文へ</a>
  <div id="size">文字サイズ<span id="ss-small">小さく</span><span id="ss-medium">標準</span><span id="ss-large">大きく</span></div>
  <div id="theme">背景色<a href="#">白</a><a href="#">黒</a><a href="#">青</a></div>
  <span id="ss-voice">読み上げる</span>
  <span id="ss-kana">ふりがなをつける</span>
</nav>
</div>
<!-- end-skip-voice -->
<header id="head"><div class="logo"><h1><a href="/"><img src="/img/logo.png" alt="{site}"></a></h1></div></header>
<nav id="navi"><ul>
{nav_list("kurashi")}
</ul></nav>
<div id="wrap">
<div class="crumbs"><span class="node"><a href="/">HOME</a></span><span class="separator">&rsaquo;</span><span class="page">{title}</span></div>
<div id="main" class="page">
<header><h1 id="ss-page-name">{title}</h1></header>
<nav class="cms-sns_share"><div class="site twitter"><a href="https://x.com/share" class="twitter-share-button">ポスト</a></div>
<div class="site line"><a href="https://line.me/">LINEで送る</a></div></nav>
<header class="released"><time datetime="">{date_text}</time></header>
<article class="body">
{body}
</article>
<footer class="contact">
<h2>お問い合わせ</h2>
<p class="group">{dept}</p>
<p class="tel">電話番号：{phone}</p>
<p class="fax">ファクス：{fax}</p>
</footer>
<nav class="categories"><header><h2>カテゴリー</h2></header><div class="nodes"><article><header><h3><a href="/shisei/">市政情報</a></h3></header></article></div></nav>
<nav class="ss-adobe-reader" style="display: none">Adobe Reader</nav>
<p class="pagetop"><a href="#page">このページの先頭へ</a></p>
</div>
<div id="side">
<article id="links-life"><header><h1>関連リンク</h1></header>
<nav><ul><li><a href="#">電子申請・届出</a></li><li><a href="#">施設予約</a></li><li><a href="#">ゴミ収集日</a></li></ul></nav></article>
</div>
</div>
<footer id="foot"><div id="address"><dl><dt>{site}役所</dt><dd>〒000-0000　電話番号：00-000-0000</dd></dl></div>
<div id="copyright"><small>Copyright &copy; {site} All rights Reserved.</small></div></footer>
</div>
</body>
</html>
"""


def template_table(site, title, body, date_text, contact, charset_meta):
    """An old site laid out with nested tables and font tags, no ids to go by."""
    dept, phone, fax = contact
    side = "\n".join(f'<tr><td><font size="2">・<a href="/menu{i}.html">{n}</a></font></td></tr>' for i, n in enumerate(NAV))
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<HTML>
<HEAD>
{charset_meta}
<TITLE>{title} - {site}ホームページ</TITLE>
</HEAD>
<BODY bgcolor="#FFFFFF" text="#000000" link="#0000FF">
<A name="top"></A>
<TABLE width="760" border="0" cellspacing="0" cellpadding="0">
<TR><TD colspan="2"><IMG src="/img/logo.gif" alt="{site}" width="300" height="60"><BR>
<FONT size="2"><A href="/">トップページ</A>｜<A href="/sitemap.html">サイトマップ</A>｜<A href="/mobile/">携帯サイト</A>｜<A href="/english/">English</A></FONT></TD></TR>
<TR>
<TD width="160" valign="top" bgcolor="#EEF5EE">
<TABLE width="100%" border="0" cellpadding="4">
{side}
</TABLE>
</TD>
<TD width="600" valign="top">
<FONT size="2"><A href="/">トップページ</A> &gt; <A href="/gyosei/">行政</A> &gt; {title}</FONT>
<H1><FONT color="#006633">{title}</FONT></H1>
{body}
<P align="right"><FONT size="2">最終更新日：{date_text}</FONT></P>
<HR>
<TABLE border="1" cellpadding="5" width="100%" class="toiawase"><TR><TD>
このページに関するお問い合わせ<BR>
{dept}<BR>
TEL：{phone}　FAX：{fax}
</TD></TR></TABLE>
<P align="right"><A href="#top">▲ページの先頭へ</A></P>
</TD>
</TR>
<TR><TD colspan="2" align="center"><HR><FONT size="2">{site}役所　〒000-0000　電話 0000-00-0000（代表）<BR>
Copyright(C) {site} All Rights Reserved.</FONT></TD></TR>
</TABLE>
</BODY>
</HTML>
"""


def template_nomain(site, title, body, date_text, contact, charset_meta):
    """Div soup without main/article/#main: the main column even has 'navi' in its class."""
    dept, phone, fax = contact
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
{charset_meta}
<title>{title}：{site}</title>
</head>
<body>
<div class="wrapper">
<div class="top_bar"><div class="sitename"><a href="/">{site}</a></div>
<div class="utility"><a href="/foreign/">Foreign Language</a> <a href="/easy/">やさしい日本語</a> <span>文字の大きさ 標準 拡大</span></div></div>
<div class="globalmenu"><ul>
{nav_list("g")}
</ul></div>
<div class="topicpath"><a href="/">トップページ</a> ＞ <a href="/shisei/">市政</a> ＞ {title}</div>
<div class="box_outer">
<div class="navi_main_column">
<h1 class="page_title">{title}</h1>
<div class="entry">
{body}
</div>
<div class="date_area">掲載日 {date_text}</div>
<div class="section_info">
<h2>このページに関するお問い合わせ</h2>
<p>{dept}</p>
<p>電話：{phone}</p>
<p>ファックス：{fax}</p>
</div>
</div>
<div class="side_navi">
<h2>関連ページ</h2>
<ul><li><a href="/a.html">財政状況</a></li><li><a href="/b.html">総合計画</a></li><li><a href="/c.html">公共施設マネジメント</a></li><li><a href="/d.html">職員採用</a></li></ul>
<div class="banner"><a href="/furusato/"><img src="/img/furusato.png" alt="ふるさと納税"></a></div>
</div>
</div>
<div class="bottom"><p>{site}　〒000-0000　電話：0000-00-0000</p><p>Copyright {site}. All rights reserved.</p></div>
</div>
</body>
</html>
"""


TEMPLATES = {
    "modern": template_modern,
    "shirasagi": template_shirasagi,
    "table": template_table,
    "nomain": template_nomain,
}

# Encodings: (python codec, meta tag, BOM prefix, expected description prefix)
ENCODINGS = {
    "utf8": ("utf-8", '<meta charset="UTF-8">', b"", "UTF-8 (meta charset)"),
    "utf8bom_stale": ("utf-8", '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', b"\xef\xbb\xbf", "UTF-8 (BOM)"),
    "sjis": ("cp932", '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', b"", "Shift_JIS (meta charset)"),
    "win31j": ("cp932", '<meta charset="Windows-31J">', b"", "Shift_JIS (meta charset)"),
    "eucjp": ("euc_jp", '<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">', b"", "EUC-JP (meta charset)"),
    "iso2022jp": ("iso2022_jp", '<meta http-equiv="Content-Type" content="text/html; charset=ISO-2022-JP">', b"", "ISO-2022-JP (meta charset)"),
    "sjis_undeclared": ("cp932", "", b"", "Shift_JIS (detected)"),
}


def sjis_pair_to_euc(pair):
    """A two-byte Windows-31J code to EUC-JP by its JIS row and cell (NEC row 13 too)."""
    b1, b2 = pair
    b1 = b1 - 0x40 if b1 >= 0xE0 else b1
    row = (b1 - 0x81) * 2 + 1
    if b2 >= 0x9F:
        row, cell = row + 1, b2 - 0x9F + 1
    else:
        cell = b2 - 0x40 + 1 - (1 if b2 >= 0x80 else 0)
    return bytes([0xA0 + row, 0xA0 + cell])


def encode(text, codec):
    """Encodes strictly; EUC-JP takes the Windows characters (①, Ⅰ, ～) the way browsers
    decode them, which Python's euc_jp codec refuses."""
    if codec != "euc_jp":
        return text.encode(codec)
    out = bytearray()
    for char in text:
        try:
            out += char.encode("euc_jp")
        except UnicodeEncodeError:
            out += sjis_pair_to_euc(char.encode("cp932"))
    return bytes(out)


def write_page(name, template, encoding, site, title, blocks, date_text, updated, contact, ruby=False, br=False):
    codec, meta, bom, expected_encoding = ENCODINGS[encoding]
    if br:
        blocks = [("br", gold_lines(blocks))]
        # Headings in <br> text are plain lines, so they only exist as text.
    html = TEMPLATES[template](site, title, blocks_html(blocks, ruby, template), date_text, contact, meta)
    data = bom + encode(html, codec)
    gold = "\n".join([title] + gold_lines(blocks)) + "\n"
    (OUT_DIR / f"{name}.html").write_bytes(data)
    (OUT_DIR / f"{name}.gold.txt").write_text(gold, encoding="utf-8")
    (OUT_DIR / f"{name}.title.txt").write_text(title + "\n", encoding="utf-8")
    meta_json = {
        "template": template,
        "encoding": expected_encoding,
        "updated": updated,
        "department": contact[0],
        "phone": contact[1],
        "ruby": ruby,
        "br": br,
    }
    (OUT_DIR / f"{name}.meta.json").write_text(json.dumps(meta_json, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    memuro = seed_lines("000")
    tokorozawa = seed_lines("001")
    tomakomai = seed_lines("002")
    fujieda = seed_lines("003")
    okazaki = seed_lines("004")

    toma_body = between(tomakomai, "『苫小牧市行政創革プラン』を策定しました", "Get Adobe Reader")[1:]
    toma_files = [("苫小牧市行政創革プラン【改定版】（PDF：2,345KB）", "/material/files/group/6/sokakuplan_kaitei.pdf"),
                  ("苫小牧市行政創革プラン（概要版）（PDF：512KB）", "/material/files/group/6/sokakuplan_gaiyo.pdf")]
    fuji_body = between(fujieda, "「藤枝市新公共経営実行計画」", "お問い合わせ")
    memuro_a = memuro[6:26]
    memuro_b = memuro[33:60]
    toko_a = tokorozawa[1:18]
    toko_b = tokorozawa[18:40]
    oka = [l for l in okazaki[60:110] if len(l) > 3]

    toma_contact = ("総務部行政監理室", "0144-32-6169", "0144-32-6385")
    fuji_contact = ("企画政策課", "054-643-2055", "054-643-3604")
    memuro_contact = ("総務課政策推進係", "0155-62-9720", "0155-62-4599")
    toko_contact = ("経営企画部経営企画課", "04-2998-9024", "04-2998-9151")
    oka_contact = ("企画政策部企画課", "0564-23-6034", "0564-23-6484")

    def files_block(files):
        return [("files", files)]

    pages = [
        # name, template, encoding, site, title, blocks, date_text, iso, contact, ruby, br
        ("modern_tomakomai_utf8", "modern", "utf8", "苫小牧市", "『苫小牧市行政創革プラン』を策定しました",
         blocks_from_lines(toma_body) + files_block(toma_files), "2023年2月28日", "2023-02-28", toma_contact, False, False),
        ("modern_fujieda_sjis", "modern", "sjis", "藤枝市", "藤枝市新公共経営実行計画を策定しました",
         blocks_from_lines(fuji_body) + [("ul", ["①職員を育てる", "②市政を高める", "③認識を共有する", "Ⅰ～Ⅵの柱で㈱など民間とも連携します。"])],
         "2018年10月07日", "2018-10-07", fuji_contact, False, False),
        ("modern_okazaki_bom_stale", "modern", "utf8bom_stale", "岡崎市", "中核市にふさわしい市役所への変革に向けたステップアップ戦略",
         [("br", oka)], "平成15年4月1日", "2003-04-01", oka_contact, False, False),
        ("shirasagi_memuro_bom_stale", "shirasagi", "utf8bom_stale", "芽室町", "芽室町行政経営ポリシー",
         blocks_from_lines(memuro_a), "令和元年5月20日", "2019-05-20", memuro_contact, False, False),
        ("shirasagi_tokorozawa_eucjp", "shirasagi", "eucjp", "所沢市", "所沢市行政経営のための職員行動ガイドライン",
         blocks_from_lines([l for l in toko_a if "～" not in l]), "令和2年4月1日", "2020-04-01", toko_contact, False, False),
        ("shirasagi_memuro_ruby", "shirasagi", "utf8", "芽室町", "芽室町行政経営ポリシー（経営方針と柱）",
         blocks_from_lines(memuro_b), "令和元年6月3日", "2019-06-03", memuro_contact, True, False),
        ("table_okazaki_sjis", "table", "sjis", "岡崎市", "ステップアップ戦略の概要",
         blocks_from_lines(oka[:25]), "平成15年5月12日", "2003-05-12", oka_contact, False, False),
        ("table_memuro_undeclared", "table", "sjis_undeclared", "芽室町", "芽室町行政経営ポリシー策定の背景",
         blocks_from_lines(memuro_a), "令和元年5月7日", "2019-05-07", memuro_contact, False, False),
        ("table_tokorozawa_ruby_win31j", "table", "win31j", "所沢市", "行政経営の推進体制と進捗管理",
         blocks_from_lines(toko_b), "令和3年3月31日", "2021-03-31", toko_contact, True, False),
        ("nomain_tokorozawa_iso2022jp", "nomain", "iso2022jp", "所沢市", "所沢市行政経営のための職員行動ガイドライン",
         blocks_from_lines([l for l in toko_a if "～" not in l]), "2020年4月1日", "2020-04-01", toko_contact, False, False),
        ("nomain_tomakomai_eucjp", "nomain", "eucjp", "苫小牧市", "行政創革プランの7つのテーマ",
         blocks_from_lines([l.replace("～", "から") for l in toma_body[18:44]]), "令和5年2月28日", "2023-02-28", toma_contact, False, False),
        ("br_fujieda_undeclared", "nomain", "sjis_undeclared", "藤枝市", "藤枝市新公共経営実行計画の6本の柱",
         blocks_from_lines(fuji_body), "2018年10月7日", "2018-10-07", fuji_contact, False, True),
        ("br_okazaki_iso2022jp", "table", "iso2022jp", "岡崎市", "市民満足度向上戦略",
         [("br", [l for l in okazaki[95:140] if len(l) > 3 and "∼" not in l])], "平成15年6月2日", "2003-06-02", oka_contact, False, False),
        ("ruby_fujieda_utf8", "modern", "utf8", "藤枝市", "藤枝市新公共経営実行計画（ふりがな付き）",
         blocks_from_lines(fuji_body[:12]), "2018年10月7日", "2018-10-07", fuji_contact, True, False),
    ]
    for page in pages:
        write_page(*page)
    print(f"wrote {len(pages)} pages to {OUT_DIR}")


if __name__ == "__main__":
    main()
