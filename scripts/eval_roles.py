#!/usr/bin/env python3
"""Score gyokaku's passage roles against lines labelled by hand on real plans.

    python3 scripts/eval_roles.py [--bin target/debug/gyokaku] [--split dev|test|all] [--verbose]

Gold: eval/roles/gold_s6.jsonl (default; 1,742 lines of 32 texts, labelled blind in session 6,
split as the real set: dev = round-3 texts, test = round-4 texts) or eval/roles/gold.jsonl
(session 4's first 113 lines, split by body hash), one labelled line of a real-plan excerpt per
row (`file`, `line` (1-based), `prefix` (its first 20 characters), `role`, `split`); the texts are
the git-ignored eval/real/texts/ (see eval/real/README.md to re-materialise them).

The script copies the labelled texts into a temporary folder, runs `BIN ingest` and
`BIN export --format ndjson`, and finds the passage each gold line starts in (by its normalised
prefix). Passages: a passage's gold role is the most frequent role of its labelled lines other
than `other` (site furniture shares a passage with the text it frames), `other` when all are.
Lines: each line gets its passage's role (a line the tool dropped counts as `other`). Both are
printed by split beside the majority-class baseline of the same unit and split, with per-role
precision and recall.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "roles" / "gold_s6.jsonl"
TEXTS = ROOT / "eval" / "real" / "texts"
ROLES = ["history", "state", "commitment", "target", "other"]
# Characters of a gold line used to find it in the passages: enough to be unique in an
# excerpt, short enough to stay inside one passage.
LOCATOR_CHARS = 12


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("⺠", "民")
    return re.sub(r"\s+", "", text)


def predicted_roles(binary: str, files: list[str], work: Path) -> dict[str, list[tuple[str, str]]]:
    """file → [(normalised heading + text, role)] in passage order."""
    docs = work / "docs"
    docs.mkdir()
    for name in files:
        shutil.copy(TEXTS / name, docs / name)
    index, out = work / "index", work / "export"
    subprocess.run([binary, "ingest", str(docs), "--index", str(index), "--quiet"], check=True)
    subprocess.run([binary, "export", "--index", str(index), "--format", "ndjson", "--output", str(out),
                    "--quiet"], check=True)
    passages: dict[str, list[tuple[int, str, str]]] = collections.defaultdict(list)
    for line in (out / "passages.ndjson").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        name = Path(record["path"]).name
        passages[name].append((record["ordinal"], norm(record["text"]), record.get("role", "")))
    return {name: [(text, role) for _, text, role in sorted(rows)] for name, rows in passages.items()}


def passage_of_line(line: str, passages: list[tuple[str, str]]) -> int | None:
    """Index of the passage a line starts in (None: the tool dropped it)."""
    locator = norm(line)[:LOCATOR_CHARS]
    if not locator:
        return None
    return next((i for i, (text, _) in enumerate(passages) if locator in text), None)


# A passage's gold role from its labelled lines: the most frequent role other than `other`
# (site furniture sits in the same passage as the text it frames), ties broken in this order;
# `other` only when every line is.
TIE_ORDER = ["target", "commitment", "state", "history"]


def passage_gold(roles: list[str]) -> str:
    counts = collections.Counter(r for r in roles if r != "other")
    if not counts:
        return "other"
    return max(counts, key=lambda r: (counts[r], -TIE_ORDER.index(r)))


def scores(pairs: list[tuple[str, str]]) -> tuple[float, float, dict[str, tuple[float, float, int]]]:
    accuracy = sum(p == g for p, g in pairs) / max(1, len(pairs))
    per_role = {}
    f1s = []
    for role in ROLES:
        tp = sum(p == role and g == role for p, g in pairs)
        fp = sum(p == role and g != role for p, g in pairs)
        fn = sum(p != role and g == role for p, g in pairs)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_role[role] = (precision, recall, tp + fn)
        if tp + fn:
            f1s.append(f1)
    return accuracy, sum(f1s) / max(1, len(f1s)), per_role


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.environ.get("GYOKAKU_BIN", str(ROOT / "target" / "debug" / "gyokaku")))
    ap.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    ap.add_argument("--gold", type=Path, default=GOLD, help=f"labelled lines (default {GOLD.relative_to(ROOT)})")
    ap.add_argument("--verbose", action="store_true", help="print every wrong line and passage")
    args = ap.parse_args()
    if not args.gold.exists():
        print(f"error: no gold at {args.gold}", file=sys.stderr)
        return 2
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    missing = sorted({g["file"] for g in gold if not (TEXTS / g["file"]).exists()})
    if missing:
        print(f"warning: {len(missing)} labelled texts are missing from {TEXTS} (re-materialise them, "
              f"see eval/real/README.md): {', '.join(missing[:5])} …", file=sys.stderr)
    gold = [g for g in gold if g["file"] not in missing]
    dev_roles = collections.Counter(g["role"] for g in gold if g["split"] == "dev")
    majority = dev_roles.most_common(1)[0][0] if dev_roles else "other"
    with tempfile.TemporaryDirectory() as tmp:
        passages = predicted_roles(args.bin, sorted({g["file"] for g in gold}), Path(tmp))
    lines_of = {name: (TEXTS / name).read_text(encoding="utf-8").splitlines() for name in passages}
    splits = ["dev", "test"] if args.split == "all" else [args.split]
    for split in splits:
        rows = [g for g in gold if g["split"] == split]
        lines, by_passage, dropped = [], collections.defaultdict(list), 0
        for g in rows:
            source = lines_of.get(g["file"], [])
            line = source[g["line"] - 1] if 0 < g["line"] <= len(source) else g["prefix"]
            found = passage_of_line(line, passages.get(g["file"], []))
            if found is None:
                dropped += 1
                predicted = "other"
            else:
                predicted = passages[g["file"]][found][1] or "other"
                by_passage[(g["file"], found)].append(g["role"])
            lines.append((predicted, g["role"]))
            if args.verbose and predicted != g["role"]:
                print(f"  {g['file']}:{g['line']} gold {g['role']:10} got {predicted:10} {g['prefix']}")
        units = [
            ("passages", [(passages[f][i][1] or "other", passage_gold(r)) for (f, i), r in by_passage.items()]),
            ("lines", lines),
        ]
        if args.verbose:
            for (f, i), r in sorted(by_passage.items()):
                got, want = passages[f][i][1] or "other", passage_gold(r)
                if got != want:
                    print(f"  passage {f}#{i} gold {want:10} got {got:10} {passages[f][i][0][:70]!r}")
        texts = len({g["file"] for g in rows})
        for unit, pairs in units:
            majority_of_unit = collections.Counter(g for _, g in pairs).most_common(1)[0][0] if pairs else majority
            acc, macro, per_role = scores(pairs)
            bacc, bmacro, _ = scores([(majority_of_unit, g) for _, g in pairs])
            print(f"{split:6} {unit:8} {len(pairs):5} ({texts} texts)  gyokaku acc {acc:.3f} macro F1 {macro:.3f}   "
                  f"majority ({majority_of_unit}) acc {bacc:.3f} macro F1 {bmacro:.3f}")
            print("       " + "  ".join(f"{r} P {p:.2f} R {rc:.2f} (n {n})" for r, (p, rc, n) in per_role.items()))
        if dropped:
            print(f"       {dropped} labelled lines not found in any passage (counted as `other` at line level)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
