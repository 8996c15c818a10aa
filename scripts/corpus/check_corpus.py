#!/usr/bin/env python3
"""Compare the generated corpus with the seed texts (the exact-text oracles).

For every corpus file the visible text is extracted (pdftotext for PDFs, a tiny
HTML text dumper for web pages), all whitespace is removed from both sides,
and two numbers are printed:

  seq     difflib ratio of the two character sequences (order-sensitive)
  bigram  F1 of the character-bigram multisets (order-insensitive; the 岡崎市
          seed is an interleaved extraction of a diagram-heavy two-column PDF,
          so its order cannot be reproduced by a readable layout)

For web pages the body between the CMS's 本文 markers is compared as well
('body' rows), which must match the seed's body exactly.

Seed-side clean-up, all of which undoes artefacts of how the seeds were made:
markdown list prefixes ('- '), stray <p> tags, list bullets and numbers that a
text browser rendered for <li>, standalone page numbers, and the document-sharing
site's chrome around the 岡崎市 text ('by user', 'views', 'Fly UP', ...).

Usage: python3 scripts/corpus/check_corpus.py [--seeds DIR] [--corpus DIR] [--min-seq X]
Needs poppler-utils (pdftotext).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from difflib import SequenceMatcher
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

FILES = [
    ("memuro.pdf", "000"),
    ("tokorozawa.pdf", "001"),
    ("tomakomai.html", "002"),
    ("fujieda.html", "003"),
    ("okazaki.pdf", "004"),
]

SHARING_SITE_CHROME = {"...", "by user", "on", "Category: Documents", "views", "Report", "Comments", "Transcript", "Fly UP"}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def clean_seed(text: str, seed_id: str) -> str:
    lines = []
    for line in text.splitlines():
        line = re.sub(r"</?p>", "", line)
        stripped = line.strip()
        if re.fullmatch(r"\d+", stripped):
            continue  # page numbers (and the sharing site's view counter)
        if seed_id == "004" and stripped in SHARING_SITE_CHROME:
            continue
        line = re.sub(r"^- ", "", line)
        line = re.sub(r"^\s+(•|\d+\.)\s", "", line)
        lines.append(line)
    return "\n".join(lines)


class TextDump(HTMLParser):
    """Visible text of an HTML page: no script/style, img alt kept (as text browsers do)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self.skip += 1
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"\n{alt}\n")
        if tag in ("p", "br", "li", "h1", "h2", "h3", "div", "tr", "dt", "dd"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(raw: str) -> str:
    dump = TextDump()
    dump.feed(raw)
    return "".join(dump.parts)


def decode_html(data: bytes) -> str:
    head = data[:2048].decode("ascii", errors="replace")
    m = re.search(r"charset=[\"']?([A-Za-z0-9_-]+)", head)
    enc = (m.group(1) if m else "utf-8").lower()
    if enc in ("shift_jis", "sjis", "x-sjis"):
        enc = "cp932"
    return data.decode(enc)


def html_body(raw: str) -> str:
    for start, end in (("ここから本文です。", "本文ここまで"), ("<!-- ここから本文 -->", "<!-- 本文ここまで -->")):
        i, j = raw.find(start), raw.find(end)
        if i >= 0 and j > i:
            return html_text(raw[i + len(start) : j])
    raise ValueError("no body markers")


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True).stdout
    keep = [ln for ln in out.splitlines() if not re.fullmatch(r"\s*(-\s*)?\d+(\s*-)?\s*", ln)]
    return "\n".join(keep)


def bigram_f1(a: str, b: str) -> float:
    ca = Counter(a[i : i + 2] for i in range(len(a) - 1))
    cb = Counter(b[i : i + 2] for i in range(len(b) - 1))
    common = sum((ca & cb).values())
    if not common:
        return 0.0
    p, r = common / sum(cb.values()), common / sum(ca.values())
    return 2 * p * r / (p + r)


def compare(seed: str, got: str) -> tuple[float, float, int, int]:
    a, b = squash(seed), squash(got)
    return SequenceMatcher(None, a, b, autojunk=False).ratio(), bigram_f1(a, b), len(a), len(b)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=Path, default=Path("/work/shared/seeds"))
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    ap.add_argument("--min-seq", type=float, default=0.0, help="exit 1 if any whole-file seq ratio is below this")
    args = ap.parse_args()
    worst = 1.0
    print(f"{'file':<22}{'part':<6}{'seq':>7}{'bigram':>8}{'seed chars':>12}{'file chars':>12}")
    for name, seed_id in FILES:
        seed_path = next(args.seeds.glob(f"{seed_id}_*.txt"))
        seed_raw = seed_path.read_text(encoding="utf-8")
        seed = clean_seed(seed_raw, seed_id)
        path = args.corpus / name
        if name.endswith(".pdf"):
            rows = [("all", seed, pdf_text(path))]
        else:
            raw = decode_html(path.read_bytes())
            seed_body = seed
            if "ここから本文です。" in seed:
                seed_body = seed.split("ここから本文です。", 1)[1].split("本文ここまで", 1)[0]
            rows = [("all", seed, html_text(raw)), ("body", seed_body, html_body(raw))]
        for part, want, got in rows:
            seq, f1, na, nb = compare(want, got)
            if part == "all":
                worst = min(worst, seq)
            print(f"{name:<22}{part:<6}{seq:>7.3f}{f1:>8.3f}{na:>12}{nb:>12}")
            if part == "body" and squash(want) != squash(got):
                print(f"  body differs from seed {seed_path.name}")
    return 0 if worst >= args.min_seq else 1


if __name__ == "__main__":
    sys.exit(main())
