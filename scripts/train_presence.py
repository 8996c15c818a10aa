#!/usr/bin/env python3
"""Fit the learned theme-presence model (src/themes/presence-model.json) on the real dev set.

    python3 scripts/train_presence.py [--bin target/debug/gyokaku] [--write]

1. ingests the dev texts of eval/real (manifest split `dev`; never the held-out `test`) and the
   five seed plans into temporary indexes and asks `gyokaku themes eval --features` for one row
   per document and theme: the scorer's features (evidence, hits by context, outline headings,
   table rows …) and the gold label;
2. fits an L2-regularised logistic regression (standard library only, Newton's method), with
   the regularisation and the decision threshold chosen by 5-fold cross-validation grouped by
   body (a body's documents are never both in the fitting and the scoring fold);
3. prints cross-validated micro P/R/F1 beside the hand-set rule's on the same rows, and with
   --write stores the weights (the threshold folded into the bias, so present = p >= 0.5).

The held-out test split is not read. Rebuild gyokaku after --write: the model is embedded.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "eval" / "real"
MODEL = ROOT / "src" / "themes" / "presence-model.json"
FEATURES = ["ln_raw", "ln_strong", "best", "ln_commitment", "ln_background", "ln_headings",
            "ln_table_rows", "ln_weak_only", "ln_chars"]
# Regularisation strengths tried (L2 penalty on the weights, not the bias).
LAMBDAS = [0.001, 0.01, 0.1, 1.0]
# Decision thresholds tried on the cross-validated probabilities.
THRESHOLDS = [t / 100 for t in range(20, 71, 2)]
FOLDS = 5


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def feature_rows(binary: str, work: Path) -> list[dict]:
    """Rows from the dev texts (grouped by body) and the seeds (one group each)."""
    body_of = {}
    dev_gold = {"labels": {}}
    docs = work / "dev"
    docs.mkdir()
    labels = json.loads((REAL / "labels_dev.json").read_text(encoding="utf-8"))["labels"]
    with open(REAL / "manifest.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["split"] != "dev":
                continue
            text = REAL / "texts" / row["file"]
            key = f"eval/real/texts/{row['file']}"
            if not text.exists() or key not in labels:
                continue
            shutil.copy(text, docs / row["file"])
            body_of[row["file"]] = f"{row['prefecture']}/{row['body']}"
            dev_gold["labels"][row["file"]] = labels[key]
    (work / "gold_dev.json").write_text(json.dumps(dev_gold, ensure_ascii=False), encoding="utf-8")
    rows = []
    sources = [
        (docs, work / "gold_dev.json", lambda name: body_of.get(name, name)),
        (ROOT / "tests" / "fixtures" / "seeds", ROOT / "tests" / "gold" / "seeds.json", lambda name: "seed/" + name),
    ]
    for i, (folder, gold, group_of) in enumerate(sources):
        index = work / f"index{i}"
        out = work / f"features{i}.jsonl"
        run([binary, "ingest", str(folder), "--index", str(index), "--quiet"])
        run([binary, "themes", "eval", "--gold", str(gold), "--index", str(index), "--quiet",
             "--features", str(out)])
        for line in out.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row["group"] = group_of(Path(row["path"]).name)
            rows.append(row)
    return rows


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


def solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col:
                factor = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-12 else 0.0 for i in range(n)]


def fit(xs: list[list[float]], ys: list[int], lam: float) -> list[float]:
    """Logistic regression by Newton's method; returns [bias, w1, …]."""
    d = len(xs[0]) + 1
    w = [0.0] * d
    for _ in range(25):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y in zip(xs, ys):
            v = [1.0] + x
            p = sigmoid(sum(wi * vi for wi, vi in zip(w, v)))
            for i in range(d):
                grad[i] += (p - y) * v[i]
                for j in range(d):
                    hess[i][j] += p * (1 - p) * v[i] * v[j]
        for i in range(1, d):
            grad[i] += lam * w[i] * len(xs)
            hess[i][i] += lam * len(xs)
        step = solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def prob(w: list[float], x: list[float]) -> float:
    return sigmoid(w[0] + sum(wi * xi for wi, xi in zip(w[1:], x)))


def prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = sum(1 for p, g in pairs if p and g)
    fp = sum(1 for p, g in pairs if p and not g)
    fn = sum(1 for p, g in pairs if not p and g)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def fold_of(group: str) -> int:
    return int.from_bytes(hashlib.blake2b(group.encode(), digest_size=4).digest(), "big") % FOLDS


def has_evidence(row: dict) -> bool:
    """The Rust model answers absent without any hit; train and score the same way."""
    f = row["features"]
    return f["strong"] > 0 or f["weak_only"] > 0


def cross_validated(rows: list[dict], lam: float) -> list[float]:
    probs = [0.0] * len(rows)
    for k in range(FOLDS):
        train = [r for r in rows if fold_of(r["group"]) != k and has_evidence(r)]
        w = fit([r["vector"] for r in train], [int(r["gold"]) for r in train], lam)
        for i, r in enumerate(rows):
            if fold_of(r["group"]) == k and has_evidence(r):
                probs[i] = prob(w, r["vector"])
    return probs


def with_theme_columns(rows: list[dict]) -> list[str]:
    """Appends one indicator per theme to every row's vector (a per-theme intercept, so a theme
    most plans mention but few commit to needs more evidence); returns the themes in order."""
    themes = sorted({r["theme"] for r in rows})
    for r in rows:
        r["vector"] = r["vector"] + [1.0 if r["theme"] == t else 0.0 for t in themes]
    return themes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.environ.get("GYOKAKU_BIN", str(ROOT / "target" / "debug" / "gyokaku")))
    ap.add_argument("--write", action="store_true", help="write src/themes/presence-model.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = feature_rows(args.bin, Path(tmp))
    themes = with_theme_columns(rows)
    groups = {r["group"] for r in rows}
    print(f"{len(rows)} document×theme rows, {sum(r['gold'] for r in rows)} present, {len(groups)} bodies")
    rules = prf([(r["features"]["raw"] >= 0.9, r["gold"]) for r in rows])
    print(f"hand-set rule (raw >= 0.9):         P {rules[0]:.3f}  R {rules[1]:.3f}  F1 {rules[2]:.3f}")
    best = None
    for lam in LAMBDAS:
        probs = cross_validated(rows, lam)
        for t in THRESHOLDS:
            score = prf([(p >= t, r["gold"]) for p, r in zip(probs, rows)])
            if best is None or score[2] > best[0][2]:
                best = (score, lam, t)
    (p, r, f1), lam, t = best
    print(f"logistic, {FOLDS}-fold CV by body:     P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  (lambda {lam}, threshold {t:.2f})")
    w = fit([r_["vector"] for r_ in rows if has_evidence(r_)], [int(r_["gold"]) for r_ in rows if has_evidence(r_)], lam)
    bias = w[0] - math.log(t / (1 - t))
    weights, theme_bias = w[1 : 1 + len(FEATURES)], w[1 + len(FEATURES) :]
    print("weights:", ", ".join(f"{n} {v:+.3f}" for n, v in zip(FEATURES, weights)), f"bias {bias:+.3f}")
    print("theme bias:", ", ".join(f"{t} {v:+.2f}" for t, v in zip(themes, theme_bias)))
    if args.write:
        model = {
            "features": FEATURES,
            "weights": [round(v, 5) for v in weights],
            "bias": round(bias, 5),
            "theme_bias": {t: round(v, 5) for t, v in zip(themes, theme_bias)},
            "trained_on": (f"eval/real dev, rounds 1-2 ({len(groups) - 5} bodies) + 5 seed plans, {len(rows)} rows; "
                           f"lambda {lam}, threshold {t:.2f}; {FOLDS}-fold CV by body: P {p:.3f} R {r:.3f} F1 {f1:.3f}"),
        }
        MODEL.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL.relative_to(ROOT)}; rebuild gyokaku to embed it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
