#!/usr/bin/env python3
"""Generate the small, licence-clean PDF fixtures under tests/fixtures/pdf/.

Every fixture NAME.pdf comes with NAME.txt, the text a reader would read, in reading order
(used by tests/it/pdf.rs and scripts/eval_pdf.py). All text is written for these fixtures.

Needs: pip install reportlab; apt-get install fonts-ipafont-gothic libreoffice-writer
(LibreOffice only for the lo_*.pdf files). Run: python3 scripts/make_pdf_fixtures.py [NAME...]
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import CIDFont, UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.lib import pdfencrypt

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "pdf")
IPA_GOTHIC = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"

PARAGRAPHS = [
    "本市では、人口減少と少子高齢化が進む中で、持続可能な行政運営を実現するため、行政改革大綱を策定しました。",
    "公共施設の老朽化に対応するため、施設の統廃合と長寿命化を計画的に進め、維持管理費の縮減を図ります。",
    "職員の働き方改革として、業務の見直しとデジタル化を推進し、市民サービスの向上につなげます。",
    "財政の健全化に向けて、事務事業の評価を毎年度実施し、その結果を予算編成に反映させます。",
]
LINE_CHARS = 24


def wrap(text, width=LINE_CHARS):
    return [text[i:i + width] for i in range(0, len(text), width)]


def register():
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    # reportlab names a vertical CID font like its horizontal twin: use another face.
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5", isVertical=True))
    pdfmetrics.registerFont(CIDFont("HeiseiMin-W3", "90ms-RKSJ-H"))
    pdfmetrics.registerFont(CIDFont("HeiseiMin-W3", "EUC-H"))
    pdfmetrics.registerFont(TTFont("IPAGothic", IPA_GOTHIC))


def write_gold(name, text):
    with open(os.path.join(OUT, name + ".txt"), "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + "\n")


def new_canvas(name, **kwargs):
    c = canvas.Canvas(os.path.join(OUT, name + ".pdf"), pagesize=A4, invariant=1, **kwargs)
    c.setTitle("行政改革大綱の概要")
    return c


def paragraphs_page(c, font, paragraphs, top=260 * mm, size=11):
    """Draws wrapped paragraphs with a one-character indent; returns the gold text."""
    y = top
    for paragraph in paragraphs:
        for i, line in enumerate(wrap(paragraph)):
            x = 25 * mm + (size if i == 0 else 0)
            c.setFont(font, size)
            c.drawString(x, y, line)
            y -= size * 1.7
        y -= size * 0.8
    return "\n".join(paragraphs)


def unijis_ucs2_h():
    """UniJIS-UCS2-H (non-embedded HeiseiMin), two pages with a running header and page numbers."""
    c = new_canvas("unijis_ucs2_h")
    gold = []
    for page, chunk in enumerate([PARAGRAPHS[:2], PARAGRAPHS[2:]], start=1):
        c.setFont("HeiseiMin-W3", 9)
        c.drawString(25 * mm, 285 * mm, "第3次行政改革大綱")
        c.drawCentredString(105 * mm, 12 * mm, f"- {page} -")
        c.setFont("HeiseiMin-W3", 16)
        c.drawString(25 * mm, 272 * mm, f"第{page}章　取組の方向")
        gold.append(f"第{page}章　取組の方向\n" + paragraphs_page(c, "HeiseiMin-W3", chunk))
        c.showPage()
    c.save()
    write_gold("unijis_ucs2_h", "\n\f".join(gold))


def unijis_ucs2_v():
    """UniJIS-UCS2-V: vertical lines read right to left, in two tiers (段)."""
    c = new_canvas("unijis_ucs2_v")
    size = 12
    tiers = [PARAGRAPHS[0] + PARAGRAPHS[1], PARAGRAPHS[2] + PARAGRAPHS[3]]
    for tier, text in enumerate(tiers):
        top = 270 * mm - tier * 130 * mm
        x = 180 * mm
        for line in wrap(text, 18):
            c.setFont("HeiseiKakuGo-W5", size)
            c.drawString(x, top, line)
            x -= size * 1.8
    c.showPage()
    c.save()
    write_gold("unijis_ucs2_v", "\n".join(tiers))


def rksj_h():
    """90ms-RKSJ-H: Shift-JIS codes through a predefined CMap."""
    c = new_canvas("rksj_h")
    y = 260 * mm
    lines = []
    for paragraph in PARAGRAPHS[:2]:
        for line in wrap(paragraph):
            c.setFont("HeiseiMin-W3-90ms-RKSJ-H", 11)
            c.drawString(25 * mm, y, line.encode("cp932").decode("latin-1"))
            y -= 18
            lines.append(line)
    c.showPage()
    c.save()
    write_gold("rksj_h", "".join(PARAGRAPHS[:2]))


def euc_h():
    """EUC-H: EUC-JP codes through a predefined CMap."""
    c = new_canvas("euc_h")
    y = 260 * mm
    for paragraph in PARAGRAPHS[2:]:
        for line in wrap(paragraph):
            c.setFont("HeiseiMin-W3-EUC-H", 11)
            c.drawString(25 * mm, y, line.encode("euc_jp").decode("latin-1"))
            y -= 18
    c.showPage()
    c.save()
    write_gold("euc_h", "".join(PARAGRAPHS[2:]))


def two_columns_reversed():
    """Two columns, the right column drawn first and every column's lines drawn bottom-up."""
    c = new_canvas("two_columns_reversed")
    size = 10
    columns = [PARAGRAPHS[0] + PARAGRAPHS[1], PARAGRAPHS[2] + PARAGRAPHS[3]]
    c.setFont("HeiseiMin-W3", 16)
    c.drawString(25 * mm, 275 * mm, "行政改革の基本方針")
    for column in reversed(range(2)):
        lines = wrap(columns[column], 20)
        x = 20 * mm + column * 95 * mm
        for i in reversed(range(len(lines))):
            c.setFont("HeiseiMin-W3", size)
            c.drawString(x, 260 * mm - i * size * 1.6, lines[i])
    c.showPage()
    c.save()
    write_gold("two_columns_reversed", "行政改革の基本方針\n" + "\n".join(columns))


def shuffled_fragments():
    """Lines cut into fragments drawn in random order (seeded)."""
    rng = random.Random(7)
    c = new_canvas("shuffled_fragments")
    size = 11
    pieces = []
    y = 260 * mm
    for paragraph in PARAGRAPHS:
        for i, line in enumerate(wrap(paragraph)):
            x = 25 * mm + (size if i == 0 else 0)
            cut_points = sorted(rng.sample(range(1, len(line)), min(3, len(line) - 1)))
            start = 0
            for end in cut_points + [len(line)]:
                pieces.append((x + start * size, y, line[start:end]))
                start = end
            y -= size * 1.7
        y -= size * 0.8
    rng.shuffle(pieces)
    for x, y, text in pieces:
        c.setFont("HeiseiMin-W3", size)
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    write_gold("shuffled_fragments", "\n".join(PARAGRAPHS))


def table():
    """A table: rows read top to bottom, cells separated by tabs."""
    rows = [
        ("取組項目", "担当課", "目標年度"),
        ("公共施設の再編", "財産活用課", "2027"),
        ("窓口業務の委託", "市民課", "2026"),
        ("電子申請の拡大", "情報政策課", "2025"),
    ]
    c = new_canvas("table")
    c.setFont("HeiseiMin-W3", 11)
    for r, row in enumerate(rows):
        y = 250 * mm - r * 10 * mm
        for col, cell in enumerate(row):
            c.drawString(25 * mm + col * 55 * mm, y, cell)
        c.line(22 * mm, y - 3 * mm, 190 * mm, y - 3 * mm)
    c.showPage()
    c.save()
    write_gold("table", "\n".join("\t".join(row) for row in rows))


def ruled_table():
    """A bordered table whose cells are centred in tall rows: the lines of neighbouring
    cells sit at different heights, and only the rules say where a row ends."""
    rows = [
        (["行動目標"], ["取組内容"], ["目標"]),
        (["部局間の壁を", "なくして連携する"],
         ["各所属は、情報共有に", "取り組む。職員は、職位の", "枠を超えた対話を進める。", "《確認指標》職員意識調査"],
         ["前年比", "プラス"]),
        (["発想力を業務に活かす"],
         ["各所属は、職員の持ち味を", "引き出す。"],
         ["継続的実施"]),
    ]
    edges = [20 * mm, 70 * mm, 150 * mm, 190 * mm]
    size, pitch, pad = 10, 15, 8
    c = new_canvas("ruled_table")
    c.setFont("HeiseiMin-W3", 12)
    c.drawString(20 * mm, 265 * mm, "行動計画表")
    top = 255 * mm
    tops = []
    for row in rows:
        tops.append(top)
        top -= max(len(cell) for cell in row) * pitch + 2 * pad
    tops.append(top)
    c.setFont("HeiseiMin-W3", size)
    # Column by column, so that drawing order is not reading order.
    for col in range(3):
        for r, row in enumerate(rows):
            lines = row[col]
            middle = (tops[r] + tops[r + 1]) / 2
            first = middle + (len(lines) - 1) * pitch / 2 - size * 0.35
            for i, line in enumerate(lines):
                c.drawString(edges[col] + 3 * mm, first - i * pitch, line)
    # Borders drawn cell by cell, as office software does.
    c.setLineWidth(0.5)
    for r in range(len(rows)):
        for col in range(3):
            c.rect(edges[col], tops[r + 1], edges[col + 1] - edges[col], tops[r] - tops[r + 1])
    c.setFont("HeiseiMin-W3", 12)
    c.drawString(20 * mm, top - 12 * mm, "以上の取組を進めます。")
    c.showPage()
    c.save()
    gold = ["行動計画表"]
    gold += ["\t".join("".join(cell) for cell in row) for row in rows]
    gold.append("以上の取組を進めます。")
    write_gold("ruled_table", "\n".join(gold))


def ttf_embedded():
    """IPAGothic embedded as TrueType subsets with ToUnicode, mixed with English."""
    c = new_canvas("ttf_embedded")
    text = PARAGRAPHS[1:3]
    gold = paragraphs_page(c, "IPAGothic", text)
    c.setFont("IPAGothic", 11)
    english = "Administrative reform plan of the city, fiscal year 2025."
    c.drawString(25 * mm, 150 * mm, english)
    c.showPage()
    c.save()
    write_gold("ttf_embedded", gold + "\n" + english)


def rotated_matrix():
    """Horizontal font, text matrix rotated by -90 degrees: lines run downwards."""
    c = new_canvas("rotated_matrix")
    lines = wrap(PARAGRAPHS[0], 20)
    for i, line in enumerate(lines):
        c.saveState()
        c.translate(180 * mm - i * 18, 270 * mm)
        c.rotate(-90)
        c.setFont("HeiseiMin-W3", 12)
        c.drawString(0, 0, line)
        c.restoreState()
    c.showPage()
    c.save()
    write_gold("rotated_matrix", PARAGRAPHS[0])


def toc_leaders():
    """A table of contents with dot leaders."""
    entries = [("第1章　はじめに", "1"), ("第2章　改革の取組", "5"), ("第3章　推進体制", "12")]
    c = new_canvas("toc_leaders")
    c.setFont("HeiseiMin-W3", 11)
    gold = []
    for i, (title, page) in enumerate(entries):
        y = 250 * mm - i * 9 * mm
        c.drawString(25 * mm, y, title + "・" * (30 - len(title)) + page)
        gold.append(f"{title}\t{page}")
    c.showPage()
    c.save()
    write_gold("toc_leaders", "\n".join(gold))


def encrypted():
    """Print/copy restrictions with an empty user password, and a real user password."""
    for name, user in [("encrypted_empty_password", ""), ("encrypted_user_password", "secret")]:
        enc = pdfencrypt.StandardEncryption(user, ownerPassword="owner-pass", canPrint=0, canCopy=0)
        c = new_canvas(name, encrypt=enc)
        gold = paragraphs_page(c, "HeiseiMin-W3", PARAGRAPHS[:1])
        c.showPage()
        c.save()
        if not user:
            write_gold(name, gold)


def libreoffice():
    """LibreOffice Writer output (TrueType subsets with ToUnicode)."""
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found: skipping lo_*.pdf")
        return
    with tempfile.TemporaryDirectory() as tmp:
        # Plain text import: LibreOffice's HTML import drops the first block in headless mode.
        src = os.path.join(tmp, "lo_writer.txt")
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(PARAGRAPHS) + "\n")
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, src],
            check=True, capture_output=True,
        )
        with open(os.path.join(tmp, "lo_writer.pdf"), "rb") as f:
            data = f.read()
    data = re.sub(rb"/CreationDate\(D:[^)]*\)", b"/CreationDate(D:20260101000000Z)", data)
    gold = "\n".join(PARAGRAPHS)
    with open(os.path.join(OUT, "lo_writer.pdf"), "wb") as f:
        f.write(data)
    write_gold("lo_writer", gold)


def main():
    """Makes every fixture, or only those named on the command line (ruled_table)."""
    os.makedirs(OUT, exist_ok=True)
    register()
    makers = [unijis_ucs2_h, unijis_ucs2_v, rksj_h, euc_h, two_columns_reversed, shuffled_fragments,
              table, ruled_table, ttf_embedded, rotated_matrix, toc_leaders, encrypted, libreoffice]
    wanted = set(sys.argv[1:])
    for make in makers:
        if not wanted or make.__name__ in wanted:
            make()


if __name__ == "__main__":
    main()
