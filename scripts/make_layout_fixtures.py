#!/usr/bin/env python3
"""Generate the layout regression fixtures of issue 10 under tests/fixtures/pdf/.

Each case of the issue where the page was read as a table (every line `left <TAB> right`) or
where vertical Type 3 text lost its order, re-made from text written for these fixtures by the
tools that produced the originals:

- lo_columns_short_lines: LibreOffice Writer, a two-column section whose left column starts
  with short menu lines (きせかえ, 文字サイズ) beside the right column's full lines.
- rl_columns_header_footer: two columns with a running header and footer on every page, the
  left column starting with short list lines; an embedded TrueType subset (reportlab).
- chromium_vertical: vertical-rl, Chromium, Noto Serif CJK (which Skia writes as Type 3 fonts).
- chromium_columns: Chromium CSS columns with a header and footer on every page.

Every NAME.pdf comes with NAME.txt, the reading text without running headers and footers.
Needs: apt-get install libreoffice-writer-nogui chromium fonts-noto-cjk fonts-ipafont;
pip install reportlab. Run: python3 scripts/make_layout_fixtures.py [NAME...]
"""
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "pdf")
IPA_GOTHIC = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"

LEFT = [
    "行政改革の推進にあたっては、市民の視点に立った行政サービスの提供を第一に考え、限られた経営資源を効果的に配分します。",
    "また、事務事業の見直しを継続的に行い、成果を重視した行政運営へと転換を図るとともに、職員一人ひとりの意識改革を進めます。",
    "公共施設については、長期的な視点から総量の適正化を図り、施設の複合化や民間活力の導入を検討します。",
]
RIGHT = [
    "財政運営の面では、中長期的な財政見通しを毎年度更新し、将来負担の抑制と基金の計画的な活用に努めます。",
    "デジタル技術の活用により、窓口手続のオンライン化と庁内業務の効率化を進め、市民の利便性の向上を図ります。",
    "地域との協働を深めるため、自治会やNPOとの連携を強化し、地域課題の解決に向けた仕組みをつくります。",
]
# A title across both columns: the page cannot be cut into columns from top to bottom.
TITLE = "第5次行政改革推進計画（令和6年度～令和10年度）の概要"
MENU = ["きせかえ", "文字サイズ", "ホーム", "くらし・手続き"]
SECOND = [
    "人材の育成については、研修体系を見直し、職員が自ら学び成長できる環境を整えます。",
    "組織の見直しでは、部局の再編と権限の委譲を進め、迅速な意思決定ができる体制とします。",
    "外部評価の仕組みを取り入れ、計画の進捗状況を毎年度公表し、市民への説明責任を果たします。",
    "民間委託や指定管理者制度の活用を進め、サービスの質の確保とコストの縮減を両立させます。",
    "受益者負担の適正化に向けて、使用料と手数料を定期的に見直し、負担の公平性を確保します。",
    "広域連携を推進し、近隣の自治体と事務の共同処理や施設の相互利用を進めます。",
]


def write(name, data, gold):
    data = re.sub(rb"/CreationDate\s*\(D:[^)]*\)", b"/CreationDate(D:20260101000000Z)", data)
    data = re.sub(rb"/ModDate\s*\(D:[^)]*\)", b"/ModDate(D:20260101000000Z)", data)
    with open(os.path.join(OUT, name + ".pdf"), "wb") as f:
        f.write(data)
    with open(os.path.join(OUT, name + ".txt"), "w", encoding="utf-8") as f:
        f.write(gold.rstrip("\n") + "\n")
    print("wrote", name)


def fodt(body):
    """A flat ODF text document: one two-column section holding `body` (ODF XML)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls>
 <style:font-face style:name="IPAGothic" svg:font-family="IPAGothic" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:text-properties style:font-name="IPAGothic" fo:font-size="10.5pt"
   style:font-name-asian="IPAGothic" style:font-size-asian="10.5pt"/>
 </style:default-style>
</office:styles>
<office:automatic-styles>
 <style:style style:name="Sect1" style:family="section">
  <style:section-properties>
   <style:columns fo:column-count="2" fo:column-gap="0.8cm"/>
  </style:section-properties>
 </style:style>
 <style:style style:name="P1" style:family="paragraph">
  <style:paragraph-properties fo:text-align="justify" fo:margin-bottom="0.2cm"/>
 </style:style>
 <style:style style:name="Title" style:family="paragraph">
  <style:paragraph-properties fo:margin-bottom="0.4cm"/>
  <style:text-properties fo:font-size="16pt" style:font-size-asian="16pt"/>
 </style:style>
</office:automatic-styles>
<office:body><office:text>
<text:p text:style-name="Title">{TITLE}</text:p>
<text:section text:style-name="Sect1" text:name="Columns">
{body}
</text:section>
</office:text></office:body></office:document>
"""


def lo_columns_short_lines():
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found: skipping lo_columns_short_lines")
        return
    # The left column: menu lines, then paragraphs; the right column is filled by the flow.
    left = MENU + LEFT
    right = RIGHT + SECOND[:2]
    paragraphs = "\n".join(
        f'<text:p text:style-name="P1">{html.escape(p)}</text:p>' for p in left
    )
    # A column break moves the rest into the right column.
    paragraphs += '\n<text:p text:style-name="Break">' + html.escape(right[0]) + "</text:p>\n"
    paragraphs += "\n".join(
        f'<text:p text:style-name="P1">{html.escape(p)}</text:p>' for p in right[1:]
    )
    doc = fodt(paragraphs).replace(
        "</office:automatic-styles>",
        ' <style:style style:name="Break" style:family="paragraph" style:parent-style-name="P1">\n'
        '  <style:paragraph-properties fo:break-before="column"/>\n </style:style>\n'
        "</office:automatic-styles>",
    )
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "lo_columns_short_lines.fodt")
        with open(src, "w", encoding="utf-8") as f:
            f.write(doc)
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, src],
                       check=True, capture_output=True)
        data = open(os.path.join(tmp, "lo_columns_short_lines.pdf"), "rb").read()
    write("lo_columns_short_lines", data, "\n".join([TITLE] + left + right))


def wrap(text, width):
    return [text[i:i + width] for i in range(0, len(text), width)]


def rl_columns_header_footer():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAGothic", IPA_GOTHIC))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.pdf")
        c = canvas.Canvas(path, pagesize=A4, invariant=1)
        size = 10
        gold = []
        pages = [(["(1) 目的", "(2) 期間", "(3) 体系"] + LEFT, RIGHT),
                 (["ア 職員", "イ 組織"] + SECOND[:3], SECOND[3:] + LEFT[:1])]
        for number, (left, right) in enumerate(pages, start=1):
            c.setFont("IPAGothic", 8)
            c.drawString(20 * mm, 285 * mm, "第3次行政改革大綱　実施計画")
            c.drawString(105 * mm, 12 * mm, f"- {number} -")
            top = 270 * mm
            if number == 1:
                c.setFont("IPAGothic", 16)
                c.drawString(20 * mm, top, TITLE)
                gold.append(TITLE)
                top -= 16 * 2
            for column, paragraphs in enumerate([left, right]):
                x = 20 * mm + column * 90 * mm
                y = top
                for paragraph in paragraphs:
                    for line in wrap(paragraph, 22):
                        c.setFont("IPAGothic", size)
                        c.drawString(x, y, line)
                        y -= size * 1.6
                    y -= size * 0.6
                gold.extend(paragraphs)
            c.showPage()
        c.save()
        data = open(path, "rb").read()
    write("rl_columns_header_footer", data, "\n".join(gold))


def chromium(name, page_html, gold):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print(f"chromium not found: skipping {name}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, name + ".html")
        out = os.path.join(tmp, name + ".pdf")
        with open(src, "w", encoding="utf-8") as f:
            f.write(page_html)
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-pdf-header-footer", f"--print-to-pdf={out}", "file://" + src],
                       check=True, capture_output=True, timeout=120)
        data = open(out, "rb").read()
    write(name, data, gold)


def chromium_vertical():
    paragraphs = LEFT + RIGHT
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    page = f"""<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>
@page {{ size: A4 landscape; margin: 20mm; }}
body {{ writing-mode: vertical-rl; font-family: 'Noto Serif CJK JP'; font-size: 12pt;
       line-height: 1.7; }}
h1 {{ font-size: 16pt; }} p {{ margin: 0 0 0 0.6em; text-indent: 1em; }}
</style></head><body><h1>行政改革大綱について</h1>{body}</body></html>"""
    chromium("chromium_vertical", page, "\n".join(["行政改革大綱について"] + paragraphs))


def chromium_columns():
    """Two pages, each a header, two CSS columns and a footer with the page number."""
    pages = [MENU[:2] + LEFT + RIGHT, SECOND + LEFT[:1]]
    sheets = ""
    for number, paragraphs in enumerate(pages, start=1):
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        title = f"<h1>{TITLE}</h1>" if number == 1 else ""
        sheets += (f'<section><header>第2次行政経営改革プラン</header>{title}<main>{body}</main>'
                   f'<footer>市役所 行政経営課　{number}</footer></section>')
    page = f"""<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>
@page {{ size: A5; margin: 10mm 14mm; }}
body {{ font-family: 'Noto Sans CJK JP'; font-size: 10pt; line-height: 1.6; margin: 0; }}
section {{ height: 188mm; position: relative; break-after: page; }}
header {{ font-size: 8pt; height: 8mm; }}
footer {{ font-size: 8pt; position: absolute; bottom: 0; }}
main {{ column-count: 2; column-gap: 8mm; text-align: justify;
        }}
p {{ margin: 0 0 0.4em 0; }} h1 {{ font-size: 13pt; margin: 0 0 0.5em 0; }}
</style></head><body>{sheets}</body></html>"""
    chromium("chromium_columns", page, "\n".join([TITLE] + [p for ps in pages for p in ps]))


def main():
    os.makedirs(OUT, exist_ok=True)
    makers = [lo_columns_short_lines, rl_columns_header_footer, chromium_vertical,
              chromium_columns]
    wanted = set(sys.argv[1:])
    for make in makers:
        if not wanted or make.__name__ in wanted:
            make()


if __name__ == "__main__":
    main()
