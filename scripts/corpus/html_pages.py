"""Wrap the two web-page bodies in the chrome of a municipal CMS.

苫小牧市 uses a modern UTF-8 template (skip links, 'ここから本文です' markers,
きせかえ/文字サイズ widgets, a reader survey). 藤枝市 gets an older table-based
template served as Shift_JIS. The body fragments (templates/*_body.html) carry
exactly the seed text; everything added here is navigation and boilerplate that
an extractor is expected to drop.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"

TOMAKOMAI_HEAD = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="keywords" content="行政改革,行政創革,苫小牧市">
<title>『苫小牧市行政創革プラン』を策定しました｜苫小牧市</title>
<link rel="stylesheet" href="/shared/templates/free/style/default.css" media="all">
<link rel="stylesheet" href="/shared/style/color/color0.css" media="all" id="tmp_color" title="default">
<script src="/shared/js/jquery.js"></script>
<script>
// きせかえ・文字サイズの設定を保存する
var tmp_setting = {color: "default", fontsize: "normal"};
function tmpChangeColor(name) { document.getElementById("tmp_color").title = name; tmp_setting.color = name; }
</script>
<style>
body { margin: 0; font-family: sans-serif; line-height: 1.7; color: #222; }
#tmp_header { background: #0a5a9c; color: #fff; padding: 8px 16px; }
#tmp_gnavi ul { display: flex; gap: 1em; list-style: none; margin: 0; padding: 6px 16px; background: #e8f1f8; }
#tmp_pankuzu { font-size: 85%; padding: 6px 16px; }
#tmp_contents { max-width: 860px; margin: 0 auto; padding: 0 16px 24px; }
#tmp_contents h1 { border-bottom: 3px solid #0a5a9c; }
.skip { position: absolute; left: -9999px; }
#reference { border: 1px solid #999; padding: 8px 16px; margin-top: 24px; }
#tmp_footer { background: #333; color: #eee; padding: 16px; font-size: 90%; }
</style>
</head>
"""

TOMAKOMAI_TOP = """<body class="format_free no_javascript">
<noscript><p class="skip">このサイトではJavaScriptを使用したコンテンツ・機能を提供しています。JavaScriptを有効にするとご利用いただけます。</p></noscript>
<div id="tmp_wrapper">
<p class="skip"><a href="#tmp_honbun">本文へスキップします。</a></p>
<div id="tmp_header">
<div id="tmp_hlogo"><p><a href="/"><img src="/shared/images/header/logo.png" alt="苫小牧市" width="230" height="50"></a></p></div>
<div id="tmp_means">
<ul id="tmp_hnavi">
<li><a href="/foreign/">Foreign Language</a></li>
<li><a href="/sitemap.html">サイトマップ</a></li>
<li><a href="/mobile/">携帯サイト</a></li>
</ul>
<div id="tmp_setting">
<dl class="fontsize"><dt>文字サイズ</dt>
<dd><a href="javascript:void(0)" onclick="tmp_setting.fontsize='normal'">標準</a></dd>
<dd><a href="javascript:void(0)" onclick="tmp_setting.fontsize='large'">拡大</a></dd></dl>
<dl class="bgcolor"><dt>背景色</dt>
<dd><a href="javascript:void(0)" onclick="tmpChangeColor('white')">白</a></dd>
<dd><a href="javascript:void(0)" onclick="tmpChangeColor('black')">黒</a></dd>
<dd><a href="javascript:void(0)" onclick="tmpChangeColor('blue')">青</a></dd></dl>
<div id="tmp_kisekae"><p class="kisekae_btn"><a href="javascript:void(0)">きせかえ</a></p>
<div class="kisekae_panel"><p class="kisekae_ttl">きせかえ</p></div></div>
</div>
<form id="tmp_search" action="/search/result.html" method="get">
<label for="tmp_query">サイト内検索</label>
<input id="tmp_query" name="q" type="text" value="" placeholder="キーワードを入力">
<input type="submit" value="検索">
</form>
</div>
</div>
<div id="tmp_gnavi">
<p class="skip">ここからメインメニュー</p>
<ul>
<li><a href="/kurashi/">くらし・手続き</a></li>
<li><a href="/kosodate/">子育て・教育</a></li>
<li><a href="/kenko/">健康・福祉</a></li>
<li><a href="/kanko/">観光・文化・スポーツ</a></li>
<li><a href="/sangyo/">産業・ビジネス</a></li>
<li><a href="/shisei/">市政情報</a></li>
</ul>
<p class="skip">メインメニューここまで</p>
</div>
<div id="tmp_pankuzu">
<p><a href="/">ホーム</a> &gt; <a href="/shisei/">市政情報</a> &gt; <a href="/shisei/gyokaku/">行財政改革</a> &gt; 『苫小牧市行政創革プラン』を策定しました</p>
</div>
<div id="tmp_main">
<div id="tmp_contents">
<p class="skip"><a id="tmp_honbun" name="tmp_honbun">ここから本文です。</a></p>
"""

TOMAKOMAI_BOTTOM = """<p class="skip">本文ここまで</p>
</div>
<div id="tmp_inquiry">
<form action="/survey/send.php" method="post" id="tmp_survey">
<h2>このページの情報は役に立ちましたか</h2>
<fieldset><legend>このページの情報は役に立ちましたか</legend>
<label><input type="radio" name="q1" value="1">役に立った</label>
<label><input type="radio" name="q1" value="2">どちらともいえない</label>
<label><input type="radio" name="q1" value="3">役に立たなかった</label></fieldset>
<fieldset><legend>このページの情報は見つけやすかったですか</legend>
<label><input type="radio" name="q2" value="1">見つけやすかった</label>
<label><input type="radio" name="q2" value="2">どちらともいえない</label>
<label><input type="radio" name="q2" value="3">見つけにくかった</label></fieldset>
<p><input type="submit" value="送信"></p>
</form>
</div>
<div id="tmp_pagetop">
<ul>
<li><a href="javascript:history.back()">前のページに戻る</a></li>
<li><a href="#tmp_wrapper">ページの先頭へ戻る</a></li>
</ul>
</div>
</div>
<div id="tmp_footer">
<p class="skip">ここからフッターメニュー</p>
<p class="skip">フッターメニューの文章は、リードスピーカーにより読み上げされません</p>
<ul id="tmp_fnavi">
<li><a href="/about/link.html">リンク・著作権・免責事項</a></li>
<li><a href="/about/privacy.html">個人情報の取り扱い</a></li>
<li><a href="/about/accessibility.html">ウェブアクセシビリティ</a></li>
<li><a href="/about/usage.html">このサイトの使い方</a></li>
</ul>
<address>
<span class="name">苫小牧市役所</span>
〒053-8722 北海道苫小牧市旭町4丁目5番6号 電話：0144-32-6111（代表）<br>
開庁時間：月曜日から金曜日の午前8時45分から午後5時15分まで（祝日・休日、年末年始を除く）
</address>
<p class="copyright" lang="en">Copyright &copy; Tomakomai City. All Rights Reserved.</p>
</div>
</div>
</body>
</html>
"""

FUJIEDA_HEAD = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html lang="ja">
<head>
<meta charset="Shift_JIS">
<meta http-equiv="Content-Style-Type" content="text/css">
<meta http-equiv="Content-Script-Type" content="text/javascript">
<title>藤枝市新公共経営実行計画を策定しました - 藤枝市ホームページ</title>
<link rel="stylesheet" type="text/css" href="../../common/css/base.css">
<link rel="stylesheet" type="text/css" href="../../common/css/print.css" media="print">
<script type="text/javascript" src="../../common/js/fontsize.js"></script>
</head>
"""

FUJIEDA_TOP = """<body bgcolor="#FFFFFF" text="#333333" link="#0033CC" vlink="#663399" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<a name="pagetop"></a>
<div class="skip"><a href="#honbun">本文へ移動</a></div>
<table width="950" border="0" cellspacing="0" cellpadding="0" align="center" id="header">
<tr>
<td width="300" rowspan="2"><a href="../../index.html"><img src="../../common/images/logo.gif" width="280" height="60" alt="藤枝市ホームページ トップへ" border="0"></a></td>
<td align="right" class="headlink"><a href="../../sitemap.html">サイトマップ</a> | <a href="../../english/index.html">English</a> | <a href="../../access.html">市役所へのアクセス</a></td>
</tr>
<tr>
<td align="right">
<table border="0" cellspacing="0" cellpadding="2"><tr>
<td class="fontsize">文字サイズ</td>
<td><a href="javascript:fontChange('small')">小</a></td>
<td><a href="javascript:fontChange('medium')">中</a></td>
<td><a href="javascript:fontChange('large')">大</a></td>
<td class="bgcolor">&nbsp;背景色</td>
<td><a href="javascript:colorChange('white')">白</a></td>
<td><a href="javascript:colorChange('black')">黒</a></td>
<td><a href="javascript:colorChange('blue')">青</a></td>
<td><form action="../../search/index.html" method="get"><input type="text" name="keyword" size="18"><input type="submit" value="検索"></form></td>
</tr></table>
</td>
</tr>
</table>
<table width="950" border="0" cellspacing="0" cellpadding="0" align="center" id="gnavi">
<tr>
<td><a href="../../kurashi/index.html">くらし・手続き</a></td>
<td><a href="../../kenko/index.html">健康・福祉</a></td>
<td><a href="../../kyoiku/index.html">教育・文化</a></td>
<td><a href="../../sangyo/index.html">産業・しごと</a></td>
<td><a href="../../shisei/index.html">市政情報</a></td>
</tr>
</table>
<table width="950" border="0" cellspacing="0" cellpadding="0" align="center">
<tr><td class="pankuzu">現在の位置：&nbsp;<a href="../../index.html">トップページ</a> &gt; <a href="../../shisei/index.html">市政情報</a> &gt; <a href="../index.html">行財政運営</a> &gt; 藤枝市新公共経営実行計画を策定しました</td></tr>
</table>
<table width="950" border="0" cellspacing="0" cellpadding="0" align="center" id="layout">
<tr valign="top">
<td width="200" id="side">
<table width="190" border="0" cellspacing="0" cellpadding="4">
<tr><th class="sidettl">行財政運営</th></tr>
<tr><td><a href="../gyoseikaikaku/index.html">行政改革</a></td></tr>
<tr><td><a href="../gyoseihyoka/index.html">行政評価</a></td></tr>
<tr><td><a href="../zaisei/index.html">財政状況</a></td></tr>
<tr><td><a href="../teiin/index.html">定員管理・給与</a></td></tr>
</table>
</td>
<td width="750" id="main">
<a name="honbun"></a>
<!-- ここから本文 -->
<div id="contents">
"""

FUJIEDA_BOTTOM = """</div>
<!-- 本文ここまで -->
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr>
<td align="right" class="pagetop"><a href="#pagetop">このページの先頭へ</a></td>
</tr></table>
</td>
</tr>
</table>
<table width="950" border="0" cellspacing="0" cellpadding="8" align="center" id="footer">
<tr><td class="footlink"><a href="../../about/policy.html">サイトポリシー</a> | <a href="../../about/privacy.html">個人情報の取り扱い</a> | <a href="../../about/accessibility.html">アクセシビリティ</a> | <a href="../../about/link.html">リンク集</a></td></tr>
<tr><td class="address"><strong>藤枝市役所</strong>&nbsp;〒426-8722 静岡県藤枝市岡出山1-11-1&nbsp;電話：054-643-3111（代表）<br>
開庁時間：午前8時30分から午後5時15分まで（土曜日・日曜日・祝日・年末年始を除く）</td></tr>
<tr><td class="copyright">Copyright (C) Fujieda City. All Rights Reserved.</td></tr>
</table>
</body>
</html>
"""


def tomakomai() -> bytes:
    body = (TEMPLATES / "tomakomai_body.html").read_text(encoding="utf-8")
    return (TOMAKOMAI_HEAD + TOMAKOMAI_TOP + body + TOMAKOMAI_BOTTOM).encode("utf-8")


def fujieda() -> bytes:
    body = (TEMPLATES / "fujieda_body.html").read_text(encoding="utf-8")
    page = FUJIEDA_HEAD + FUJIEDA_TOP + body + FUJIEDA_BOTTOM
    # strict: every character of the page must exist in Shift_JIS (cp932)
    return page.replace("\r\n", "\n").replace("\n", "\r\n").encode("cp932")


PAGES = {"tomakomai": ("tomakomai.html", tomakomai), "fujieda": ("fujieda.html", fujieda)}


def build_all(out: Path, only: set[str] | None) -> list[tuple[str, Path]]:
    written = []
    for name, (filename, make) in PAGES.items():
        if only and name not in only:
            continue
        target = out / filename
        target.write_bytes(make())
        written.append((name, target))
    return written
