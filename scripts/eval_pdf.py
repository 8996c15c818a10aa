#!/usr/bin/env python3
"""Quality of gyokaku's PDF text beside pdftotext.

1. Real-world PDFs (../shared/realworld/pdf/MANIFEST.tsv, read in place, never copied):
   how many expected snippets each tool's text contains, after NFKC and removing all
   whitespace.
2. The corpus PDFs (corpus/*.pdf) against the seed plans they were typeset from
   (../shared/seeds/*.txt, read in place).
3. Generated fixtures with known text (tests/fixtures/pdf/NAME.pdf + NAME.txt):
   score = 1 - Levenshtein distance / gold length, after NFKC and removing whitespace.

Usage: cargo build --release --example pdftext
       python3 scripts/eval_pdf.py [--realworld DIR] [--bin target/release/examples/pdftext]
Every table has a PyMuPDF column too when `pymupdf` is installed (its plain `get_text()`, which
reads in file order), so the three tools are scored in one run.

Needs: pip install levenshtein pymupdf; apt-get install poppler-utils poppler-data
"""
import argparse
import csv
import glob
import os
import subprocess
import sys
import unicodedata

import Levenshtein

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def norm(text):
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def run(cmd):
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=120)
        return done.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return ""


def ours(binary, path):
    return run([binary, path])


def pdftotext(path):
    return run(["pdftotext", "-enc", "UTF-8", path, "-"])


try:
    import pymupdf
except ImportError:  # the column is left out
    pymupdf = None


def mupdf(path):
    try:
        with pymupdf.open(path) as doc:
            return "\n".join(page.get_text() for page in doc)
    except Exception:  # an unreadable file scores as empty text
        return ""


def peers(path):
    """The peers' texts of one file: pdftotext, then PyMuPDF when installed."""
    texts = [pdftotext(path)]
    if pymupdf is not None:
        texts.append(mupdf(path))
    return texts


def peer_header():
    return "pdftotext | PyMuPDF" if pymupdf is not None else "pdftotext"


def score(text, gold):
    text, gold = norm(text), norm(gold)
    if not gold:
        return 1.0
    return max(0.0, 1.0 - Levenshtein.distance(text, gold) / len(gold))


def snippets(field):
    _, _, listed = field.partition(":")
    return [s.strip() for s in listed.split("|") if s.strip()]


def realworld(binary, folder):
    manifest = os.path.join(folder, "MANIFEST.tsv")
    rows = list(csv.DictReader(open(manifest, encoding="utf-8"), delimiter="\t"))
    print("## Real-world PDFs: expected snippets found\n")
    print(f"| file | gyokaku | {peer_header()} |")
    print("|---|---|---|" + ("---|" if pymupdf else ""))
    totals = [0, 0, 0, 0]
    for row in rows:
        path = os.path.join(folder, row["file"])
        wanted = [norm(s) for s in snippets(row[list(row)[-1]])]
        mine = norm(ours(binary, path))
        found_mine = sum(s in mine for s in wanted)
        found_peers = [sum(s in norm(t) for s in wanted) for t in peers(path)]
        totals[0] += found_mine
        totals[2] += len(wanted)
        totals[1] += found_peers[0]
        totals[3] += found_peers[-1] if len(found_peers) > 1 else 0
        missing = [s for s in wanted if s not in mine]
        note = f" (missing: {', '.join(missing[:3])})" if missing else ""
        cells = " | ".join(f"{n}/{len(wanted)}" for n in found_peers)
        print(f"| {row['file']} | {found_mine}/{len(wanted)}{note} | {cells} |")
    extra = f" | **{totals[3]}/{totals[2]}**" if pymupdf is not None else ""
    print(f"| **total** | **{totals[0]}/{totals[2]}** | **{totals[1]}/{totals[2]}**{extra} |\n")


def fixtures(binary):
    print("## Generated fixtures: 1 - Levenshtein / gold length\n")
    print(f"| fixture | gyokaku | {peer_header()} |")
    print("|---|---|---|" + ("---|" if pymupdf else ""))
    mine_scores, peer_scores = [], []
    for gold_path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "pdf", "*.txt"))):
        if os.path.basename(gold_path).startswith("scan_"):
            continue  # scans are scored by scripts/eval_ocr.py
        pdf = gold_path[:-4] + ".pdf"
        if not os.path.exists(pdf):
            continue
        gold = open(gold_path, encoding="utf-8").read()
        mine = score(ours(binary, pdf), gold)
        others = [score(t, gold) for t in peers(pdf)]
        mine_scores.append(mine)
        peer_scores.append(others)
        cells = " | ".join(f"{x:.3f}" for x in others)
        print(f"| {os.path.basename(pdf)} | {mine:.3f} | {cells} |")
    if mine_scores:
        mean = lambda xs: sum(xs) / len(xs)
        columns = [[row[i] for row in peer_scores] for i in range(len(peer_scores[0]))]
        cells = " | ".join(f"**{mean(c):.3f}** ({min(c):.3f})" for c in columns)
        print(f"| **mean** (min) | **{mean(mine_scores):.3f}** ({min(mine_scores):.3f}) "
              f"| {cells} |\n")


def corpus(binary, seeds_folder):
    """The shipped corpus PDFs against the seed plans they were typeset from (the seeds are
    in manifest order: 000 is the first row of corpus/manifest.csv)."""
    manifest = os.path.join(ROOT, "corpus", "manifest.csv")
    seeds = sorted(glob.glob(os.path.join(seeds_folder, "*.txt")))
    if not os.path.exists(manifest) or not seeds:
        return
    rows = list(csv.DictReader(open(manifest, encoding="utf-8-sig")))
    print("## Corpus PDFs against their seed text: 1 - Levenshtein / gold length\n")
    print(f"| file | gyokaku | {peer_header()} |")
    print("|---|---|---|" + ("---|" if pymupdf else ""))
    for row, seed in zip(rows, seeds):
        if not row["path"].endswith(".pdf"):
            continue
        pdf = os.path.join(ROOT, "corpus", row["path"])
        gold = open(seed, encoding="utf-8").read()
        cells = " | ".join(f"{score(t, gold):.3f}" for t in peers(pdf))
        print(f"| {row['path']} | {score(ours(binary, pdf), gold):.3f} | {cells} |")
    print()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "examples", "pdftext"))
    parser.add_argument("--realworld", default=os.path.join(ROOT, "..", "shared", "realworld", "pdf"))
    args = parser.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"build the extractor first: cargo build --release --example pdftext ({args.bin})")
    if os.path.exists(os.path.join(args.realworld, "MANIFEST.tsv")):
        realworld(args.bin, args.realworld)
    corpus(args.bin, os.path.join(args.realworld, "..", "..", "seeds"))
    fixtures(args.bin)


if __name__ == "__main__":
    main()
