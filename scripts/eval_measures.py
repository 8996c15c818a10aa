#!/usr/bin/env python3
"""Score `gyokaku measures` on numeric targets labelled in real plan excerpts, next to a naive peer.

    python3 scripts/eval_measures.py [--set dev|test] [--gold FILE ...] [--texts DIR] [--bin PATH] [--verbose]

Gold: one line per numeric target a text sets
`{"file", "quote", "value", "unit", "year", "direction", "department"}` (`quote` is a short
locator, ≤ 40 characters, checked against the text) or `{"file", "none": true}` for a text with
no target. The texts are those of eval/real/texts (git-ignored; --texts points elsewhere), and
their rows in eval/real/manifest.csv (run `scripts/real_set.py merge` after adding a part).

Sets (the split is the real set's, by round of collection and so by body):
- `dev` (tuned on): eval/measures/gold.jsonl (session 4, rounds 1–2), gold_r3.jsonl (session 5,
  labelled blind on the round-3 texts and scored once there before round 3 joined dev) and
  gold_r4_*.jsonl (session 6, blind, scored once at the end of session 6, dev since session 7);
- `test` (score once): eval/measures/gold_r5_*.jsonl, labelled on the round-5 texts by the
  labellers who collected them, who had seen no output of the tool.
`--gold FILE ...` scores exactly the given files instead.

The chosen texts are copied with a manifest.csv (body → municipality, prefecture, year, title)
into a temporary folder, ingested (`BIN ingest DIR --index IDX --quiet`) and read back with
`BIN measures --index IDX --format json`. A target counts as found when a measure of the same
file has the same value and unit (money compared in yen: 億円, 百万円, 万円, 千円, 円) and the
same target year (both unknown counts as the same). Each gold target matches at most one
prediction and the other way round. P = matched / predicted, R = matched / gold.

NAIVE   every number + unit (the same units) on a line holding 目標, 削減, 以下, 以上, 以内 or
        までに, with the first era or western year of that line as its year.

Standard library only. The binary: --bin, else $GYOKAKU_BIN, else target/debug/gyokaku.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ROOT / "eval" / "measures"
DEV_GOLD = [MEASURES / "gold.jsonl", MEASURES / "gold_r3.jsonl", *sorted(MEASURES.glob("gold_r4_*.jsonl"))]
MANIFEST = ROOT / "eval" / "real" / "manifest.csv"
YEN = {"億円": 1e8, "百万円": 1e6, "万円": 1e4, "千円": 1e3, "円": 1.0}
UNITS = ["百万円", "億円", "千円", "万円", "円", "ポイント", "平方メートル", "㎡", "%", "人", "件",
         "施設", "時間", "か所", "箇所", "回", "団体", "事業", "業務", "台", "校"]


def gold_files(chosen_set: str) -> list[Path]:
    if chosen_set == "dev":
        return DEV_GOLD
    return sorted(MEASURES.glob("gold_r5_*.jsonl"))


def key(value: float, unit: str) -> tuple[float, str]:
    unit = unicodedata.normalize("NFKC", unit)
    if unit in YEN:
        return round(value * YEN[unit], 2), "円"
    if unit == "㎡":
        unit = "平方メートル"
    if unit == "パーセント":
        unit = "%"
    return round(value, 4), unit


def score(gold: dict[str, list], pred: dict[str, list]) -> tuple[int, int, int, dict]:
    matched = n_gold = n_pred = 0
    misses: dict[str, dict] = {}
    for file in sorted(set(gold) | set(pred)):
        g = list(gold.get(file, []))
        p = list(pred.get(file, []))
        n_gold += len(g)
        n_pred += len(p)
        left = list(p)
        missed = []
        for item in g:
            if item in left:
                left.remove(item)
                matched += 1
            else:
                missed.append(item)
        if missed or left:
            misses[file] = {"missed": missed, "extra": left}
    return matched, n_gold, n_pred, misses


def naive(text: str) -> list:
    out = []
    units = "|".join(map(re.escape, UNITS))
    for line in unicodedata.normalize("NFKC", text).splitlines():
        if not re.search(r"目標|削減|以下|以上|以内|までに", line):
            continue
        year = None
        m = re.search(r"(令和|平成)(元|\d{1,2})年|((?:19|20)\d\d)年", line)
        if m:
            if m.group(3):
                year = int(m.group(3))
            else:
                n = 1 if m.group(2) == "元" else int(m.group(2))
                year = n + (2018 if m.group(1) == "令和" else 1988)
        for v in re.finditer(rf"(\d[\d,]*(?:\.\d+)?)\s*({units})", line):
            out.append((*key(float(v.group(1).replace(",", "")), v.group(2)), year))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=["dev", "test"], default="dev",
                    help="dev: gold.jsonl + gold_r3.jsonl + gold_r4_*.jsonl (rounds 1–4, tuned on); test: gold_r5_*.jsonl (score once)")
    ap.add_argument("--texts", type=Path, default=ROOT / "eval" / "real" / "texts")
    ap.add_argument("--bin", default=os.environ.get("GYOKAKU_BIN", str(ROOT / "target" / "debug" / "gyokaku")))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--gold", type=Path, nargs="+", help="score these gold files instead of a set")
    args = ap.parse_args()

    with open(MANIFEST, encoding="utf-8-sig", newline="") as f:
        rows = {r["file"]: r for r in csv.DictReader(f)}
    paths = args.gold or gold_files(args.set)
    if not paths:
        sys.exit(f"error: no gold files for --set {args.set} in {MEASURES}")
    gold_lines = [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    chosen = sorted({g["file"] for g in gold_lines})
    unknown = [f for f in chosen if f not in rows]
    if unknown:
        sys.exit(f"error: {len(unknown)} gold files have no row in {MANIFEST} (run scripts/real_set.py merge): "
                 f"{unknown[:5]}")
    # Development gold must never name the test round's texts: a pattern tuned there would be
    # scored on itself.
    if not args.gold and args.set == "dev":
        leaked = [f for f in chosen if rows[f].get("split") == "test"]
        if leaked:
            sys.exit(f"error: dev gold names test-split texts {leaked[:5]}; they belong in gold_r5_*.jsonl")
    gold: dict[str, list] = defaultdict(list)
    for g in gold_lines:
        if g["file"] not in chosen or g.get("none"):
            continue
        text = unicodedata.normalize("NFKC", (args.texts / g["file"]).read_text(encoding="utf-8"))
        if unicodedata.normalize("NFKC", g["quote"]).replace(" ", "") not in text.replace(" ", ""):
            print(f"warning: quote not in {g['file']}: {g['quote']}", file=sys.stderr)
        gold[g["file"]].append((*key(g["value"], g["unit"]), g["year"]))

    work = Path(tempfile.mkdtemp(prefix="eval_measures_"))
    try:
        docs, idx = work / "docs", work / "index"
        docs.mkdir()
        with open(docs / "manifest.csv", "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["path", "municipality", "prefecture", "title", "year"])
            for file in chosen:
                shutil.copy(args.texts / file, docs / file)
                r = rows[file]
                w.writerow([file, r["body"], r["prefecture"], r["title"], r["year"]])
        subprocess.run([args.bin, "ingest", str(docs), "--index", str(idx), "--quiet"], check=True)
        out = subprocess.run([args.bin, "measures", "--index", str(idx), "--format", "json"],
                             check=True, capture_output=True, text=True).stdout
        report = json.loads(out)
        pred: dict[str, list] = defaultdict(list)
        for m in report["measures"]:
            pred[Path(m["path"]).name].append((*key(m["value"], m["unit"]), m["target_year"]))
        base: dict[str, list] = {f: naive((args.texts / f).read_text(encoding="utf-8")) for f in chosen}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"set {'gold ' + ' '.join(p.name for p in paths) if args.gold else args.set}: {len(chosen)} texts, {sum(map(len, gold.values()))} gold targets")
    print(f"{'system':10} {'P':>6} {'R':>6} {'F1':>6}  matched/pred/gold")
    for name, predicted in [("gyokaku", pred), ("naive", base)]:
        m, g, p, misses = score(gold, predicted)
        prec = m / p if p else 0.0
        rec = m / g if g else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        print(f"{name:10} {prec:6.3f} {rec:6.3f} {f1:6.3f}  {m}/{p}/{g}")
        if args.verbose and name == "gyokaku":
            for file, d in misses.items():
                print(f"  {file}: missed {d['missed']} extra {d['extra']}")


if __name__ == "__main__":
    main()
