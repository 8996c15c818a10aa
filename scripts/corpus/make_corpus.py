#!/usr/bin/env python3
"""Regenerate the shipped corpus (corpus/*.pdf, corpus/*.html, corpus/manifest.csv).

The five documents are rebuilt from the seed plans' text, kept here as light
markup in scripts/corpus/templates/ (PDFs) and HTML body fragments (web pages).
Each file is laid out the way the municipality published it: PDFs with embedded
IPA fonts, headings, footers, a bordered table and a two-column layout; web
pages with the chrome of a municipal CMS around the body.

Prerequisites (Debian 12):
    apt-get install -y --no-install-recommends libreoffice-writer fonts-wqy-microhei \
        fonts-ipafont-gothic fonts-ipafont-mincho poppler-utils
    pip install pillow            # figures drawn as raster images
Usage:
    python3 scripts/corpus/make_corpus.py [--out corpus] [--keep-fodt DIR]
Check the result against the seed texts with scripts/corpus/check_corpus.py.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fodt import Block, FodtWriter, Layout, parse_markup  # noqa: E402
from figures import FIGURES  # noqa: E402
import html_pages  # noqa: E402

REPO = HERE.parent.parent
TEMPLATES = HERE / "templates"

PDFS = {
    "memuro": Layout(title="芽室町行政経営ポリシー", footer="- {n} -"),
    "tokorozawa": Layout(
        title="所沢市行政経営のための職員行動ガイドライン",
        footer="- {n} -",
        accent="#1f4e79",
        accent_light="#dde8f4",
    ),
    "okazaki": Layout(
        title="中核市にふさわしい市役所への変革に向けたステップアップ戦略",
        landscape=True,
        margin_cm=1.5,
        footer="{n}",
        body_pt=9.0,
        line_height=125,
        accent="#8a3b12",
        accent_light="#f6e7dc",
    ),
}

MANIFEST_COLUMNS = ["path", "municipality", "prefecture", "code", "title", "year", "url", "plan_type", "end_year"]
MANIFEST_ROWS = [
    ["memuro.pdf", "芽室町", "北海道", "016373", "芽室町行政経営ポリシー", "2019", "", "行政経営方針", "2026"],
    ["tokorozawa.pdf", "所沢市", "埼玉県", "112089", "所沢市行政経営のための職員行動ガイドライン", "2020", "", "行動指針", ""],
    ["tomakomai.html", "苫小牧市", "北海道", "012131", "苫小牧市行政創革プラン", "2020", "", "行政改革プラン", "2024"],
    ["fujieda.html", "藤枝市", "静岡県", "222143", "藤枝市新公共経営実行計画", "2012", "", "実行計画", "2014"],
    ["okazaki.pdf", "岡崎市", "愛知県", "232025", "中核市にふさわしい市役所への変革に向けたステップアップ戦略", "2003", "", "改革戦略", "2004"],
]


def inline(lines: list[str]) -> str:
    return "<text:line-break/>".join(escape(x) for x in lines)


def render(blocks: list[Block], writer: FodtWriter, title_style: str) -> None:
    """Lay the parsed blocks out with the writer's paragraph styles."""
    in_box = False
    for b in blocks:
        k = b.kind
        text = inline(b.lines)
        if k == "cover":
            writer.start_cover()
        elif k == "page":
            writer.page_break(int(b.arg) if b.arg else None)
        elif k == "title":
            writer.para(title_style, text, outline=1)
        elif k == "h2":
            writer.para("H2", text, outline=2)
        elif k == "h3":
            writer.para("H3", text, outline=3)
        elif k == "h4":
            writer.para("H4", text, outline=4)
        elif k == "slogan":
            writer.para("Slogan", text)
        elif k in ("li", "oli"):
            style = "BoxItem" if in_box else ("Bullet" if b.lines[0].startswith("・") else "ListItem")
            writer.para(style, text)
        elif k == "center":
            writer.para("CoverCenter", text)
        elif k == "note":
            writer.para("Note", text)
        elif k == "p":
            writer.para("Body", text)
        elif k == "plain":
            writer.para("BodyNoIndent", escape(b.arg or ""))
        elif k == "chapter":
            number, _, title = (b.arg or "").partition("|")
            writer.band(number, title)
        elif k == "circles":
            writer.circles((b.arg or "").split("|"))
        elif k == "figure":
            make, width, height = FIGURES[b.arg or ""]
            writer.image(make(), width, height)
        elif k == "table":
            spec, _, flags = (b.arg or "1").partition(" ")
            widths = [float(x) for x in spec.split(",")]
            rows = [ln.split("\t") for ln in b.lines if ln.strip()]
            writer.table(rows, widths, header="nohead" not in flags)
        elif k == "box":
            in_box = True
        elif k == "end":
            in_box = False
        elif k == "columns":
            writer.start_columns()
        elif k == "endcolumns":
            writer.end_columns()
        elif k == "colbreak":
            writer.column_break()
        else:
            raise ValueError(f"unknown block kind {k!r}")


FIXED_DATE = b"20260101000000"


def make_reproducible(pdf: bytes) -> bytes:
    """Pin the creation date and derive the document ID from the content.

    Both substitutions keep every byte length, so the xref offsets stay valid, and
    a regenerated corpus is byte-identical (its content hashes do not change).
    """
    pdf = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:" + FIXED_DATE, pdf)
    body = re.sub(rb"/ID \[[^\]]*\]|/DocChecksum /[0-9A-Fa-f]+", b"", pdf)
    digest = hashlib.md5(body).hexdigest().upper().encode()
    second = hashlib.md5(digest).hexdigest().upper().encode()

    def fixed_id(m: re.Match) -> bytes:
        a, b = m.group(1), m.group(2)
        return m.group(0).replace(a, digest[: len(a)]).replace(b, second[: len(b)])

    pdf = re.sub(rb"/ID \[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]", fixed_id, pdf)
    pdf = re.sub(rb"(/DocChecksum /)([0-9A-Fa-f]+)", lambda m: m.group(1) + digest[: len(m.group(2))], pdf)
    return pdf


def build_pdf(name: str, workdir: Path, out: Path) -> Path:
    layout = PDFS[name]
    blocks = parse_markup((TEMPLATES / f"{name}.txt").read_text(encoding="utf-8"))
    writer = FodtWriter(layout)
    render(blocks, writer, "Title" if name == "memuro" else "DocTitle")
    fodt = workdir / f"{name}.fodt"
    fodt.write_text(writer.document(), encoding="utf-8")
    profile = workdir / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            'pdf:writer_pdf_Export:{"ExportBookmarks":{"type":"boolean","value":"true"}}',
            "--outdir",
            str(workdir),
            str(fodt),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    target = out / f"{name}.pdf"
    target.write_bytes(make_reproducible((workdir / f"{name}.pdf").read_bytes()))
    return target


def write_manifest(out: Path) -> Path:
    target = out / "manifest.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(MANIFEST_COLUMNS)
        w.writerows(MANIFEST_ROWS)
    return target


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "corpus")
    ap.add_argument("--keep-fodt", type=Path, help="also keep the intermediate .fodt files here")
    ap.add_argument("--only", help="comma-separated document names (memuro,tokorozawa,okazaki,tomakomai,fujieda)")
    args = ap.parse_args()
    if shutil.which("soffice") is None:
        print("error: soffice not found; apt-get install -y libreoffice-writer", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    with tempfile.TemporaryDirectory(prefix="gyokaku-corpus-") as tmp:
        work = Path(tmp)
        for name in PDFS:
            if only and name not in only:
                continue
            path = build_pdf(name, work, args.out)
            print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path} ({path.stat().st_size} bytes)")
            if args.keep_fodt:
                args.keep_fodt.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / f"{name}.fodt", args.keep_fodt / f"{name}.fodt")
    for name, path in html_pages.build_all(args.out, only):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    print(f"wrote {write_manifest(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
