#!/usr/bin/env python3
"""OCR quality and speed on scans of text we know, beside the ocrmypdf route, in one run.

The scans come from scripts/make_scans.py (NAME-DPI-VARIANT.pdf + NAME.txt). For each scan:
- gyokaku: `pdftext FILE` (OCR mode auto: the page has no text layer, so it is read by OCR);
- peer: `ocrmypdf -l LANG FILE out.pdf` then `pdftotext out.pdf -`, what a user does today
  (LANG is jpn, or jpn_vert for the vertical sets: the peer is told the direction; gyokaku
  finds it itself).
Score: 1 - Levenshtein distance / gold length after NFKC and removing whitespace (as
scripts/eval_pdf.py). Both tools get the same cores: gyokaku OCRs pages in parallel over
`jobs` (all cores), ocrmypdf with `--jobs` of the same number.

Usage: python3 scripts/make_scans.py && python3 scripts/eval_ocr.py [--scans DIR] [--bin PATH]
Needs: apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert ocrmypdf
       poppler-utils; pip install levenshtein
"""
import argparse
import collections
import glob
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eval_pdf import norm, score  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
VERTICAL = ("chromium_vertical", "unijis_ucs2_v")


def pages_of(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    return next((int(l.split()[1]) for l in out.splitlines() if l.startswith("Pages:")), 1)


def timed(cmd):
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, timeout=600)
    return done.stdout.decode("utf-8", "replace"), time.perf_counter() - start


def peer(pdf, lang, jobs):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.pdf")
        start = time.perf_counter()
        subprocess.run(["ocrmypdf", "-q", "-l", lang, "--jobs", str(jobs), "--output-type", "pdf",
                        "--optimize", "0", pdf, out], capture_output=True, timeout=600)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", out, "-"], capture_output=True)
        return text.stdout.decode("utf-8", "replace"), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", default="/tmp/gyokaku-scans")
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "examples", "pdftext"))
    args = parser.parse_args()
    jobs = os.cpu_count() or 2
    rows = []
    for pdf in sorted(glob.glob(os.path.join(args.scans, "*-*-*.pdf"))):
        base = os.path.basename(pdf)[:-4]
        name, dpi, variant = base.rsplit("-", 2)
        gold = open(os.path.join(args.scans, name + ".txt"), encoding="utf-8").read()
        vertical = name in VERTICAL
        ours, ours_s = timed([args.bin, pdf])
        theirs, theirs_s = peer(pdf, "jpn_vert" if vertical else "jpn", jobs)
        rows.append(dict(name=name, dpi=dpi, variant=variant, vertical=vertical, pages=pages_of(pdf),
                         ours=score(ours, gold), peer=score(theirs, gold), ours_s=ours_s, peer_s=theirs_s))
    print("| scan | pages | gyokaku | ocrmypdf + pdftotext |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']}-{r['dpi']}-{r['variant']} | {r['pages']} | {r['ours']:.3f} | {r['peer']:.3f} |")
    print()
    print("| set | scans | pages | gyokaku mean (min) | ocrmypdf mean (min) | gyokaku pages/s | ocrmypdf pages/s |")
    print("|---|---|---|---|---|---|---|")
    sets = collections.OrderedDict()
    for r in rows:
        key = f"{'vertical' if r['vertical'] else 'horizontal'} {r['dpi']} dpi {r['variant']}"
        sets.setdefault(key, []).append(r)
    for key in sorted(sets):
        rs = sets[key]
        mean = lambda xs: sum(xs) / len(xs)
        pages = sum(r["pages"] for r in rs)
        ours = [r["ours"] for r in rs]
        theirs = [r["peer"] for r in rs]
        print(f"| {key} | {len(rs)} | {pages} | {mean(ours):.3f} ({min(ours):.3f}) | "
              f"{mean(theirs):.3f} ({min(theirs):.3f}) | {pages / sum(r['ours_s'] for r in rs):.2f} | "
              f"{pages / sum(r['peer_s'] for r in rs):.2f} |")


if __name__ == "__main__":
    main()
