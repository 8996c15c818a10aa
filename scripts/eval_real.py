#!/usr/bin/env python3
"""Score gyokaku on the real-text evaluation set (eval/real/), next to a naive peer.

    python3 scripts/eval_real.py --split dev [--bin PATH] [--verbose] [--json OUT]

For each split asked for, the split's texts are copied into a temporary folder with a
manifest.csv (body → municipality, prefecture, year, title, url, body_type, plan_type, ...)
and ingested into a temporary index (`BIN ingest DIR --index IDX --quiet`). Then:

SEARCH   each query of eval/real/queries.tsv is run as
         `BIN search WORD... --index IDX --format json --limit 200`. Documents are ranked by the
         JSON's `documents` array when there is one (the grouped view), else by the first
         appearance of each hit's `path` in `hits`. When `BIN search --help` lists `--group`,
         the run is repeated with `--group document` as a second gyokaku line.
         Measures at document level: nDCG@10 with gains 2^grade − 1 and a log2 discount, the ideal
         ranking taken from the split's qrels; P@5 (grade ≥ 1 counts as relevant); recall@10.
         Means are over the queries with ≥ 1 relevant document in the split. A query whose run
         fails counts as 0 and is listed.
NAIVE    character-bigram BM25 (k1 = 1.2, b = 0.75, idf = ln(1 + (N − df + 0.5)/(df + 0.5))) over
         whole documents: text NFKC-normalised, all whitespace removed, bigrams over all
         characters; the query is the set of bigrams of its words (NFKC, a one-character word is
         taken as is); a document's score is the sum over those bigrams; score 0 = not retrieved.
THEMES   `BIN themes eval --gold GOLD --index IDX --format json`, GOLD being labels_<split>.json
         with its keys rewritten to the indexed paths; its micro (and macro) P/R/F1 for gyokaku
         and for the naive "any strong keyword anywhere" baseline it computes.

HELD-OUT QUERIES  --queries FILE --qrels FILE score other queries than queries.tsv (e.g. the
         round-3 held-out queries eval/real/parts/queries_heldout.tsv, written and graded by someone
         who saw neither the tool's output nor its query-side vocabulary); --files LIST keeps only
         the split's texts that grader read, so an ungraded text never counts as irrelevant.

The binary: --bin, else $GYOKAKU_BIN, else target/debug/gyokaku. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "eval" / "real"
TEXTS = REAL / "texts"
K = 10
TIMEOUT = 300


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data


def read_manifest() -> list[dict]:
    path = REAL / "manifest.csv"
    if not path.exists():
        sys.exit("error: eval/real/manifest.csv not found; run `python3 scripts/real_set.py merge` first")
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_queries(path: Path = REAL / "queries.tsv") -> list[tuple[str, str]]:
    out = []
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f):
            cells = line.rstrip("\r\n").split("\t")
            if (n == 0 and cells[0] == "id") or len(cells) < 2 or not cells[1].strip():
                continue
            out.append((cells[0].strip(), cells[1].strip()))
    return out


def read_qrels(split: str, files: set[str], path: Path = REAL / "qrels.tsv") -> dict[str, dict[str, int]]:
    """query id → {file: grade} for the split's files."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f):
            cells = line.rstrip("\r\n").split("\t")
            if n == 0 and cells[0] == "query_id" or len(cells) < 3:
                continue
            qid, file, grade = cells[0], Path(cells[1]).name, int(cells[2])
            if file in files and grade > 0:
                qrels.setdefault(qid, {})[file] = max(grade, qrels.get(qid, {}).get(file, 0))
    return qrels


# ---------------------------------------------------------------- measures


def dcg(gains: list[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def measures(ranking: list[str], rel: dict[str, int]) -> dict[str, float]:
    gains = [2 ** rel.get(f, 0) - 1 for f in ranking[:K]]
    ideal = dcg(sorted((2**g - 1 for g in rel.values()), reverse=True)[:K])
    return {
        "ndcg@10": dcg(gains) / ideal if ideal > 0 else 0.0,
        "p@5": sum(1 for f in ranking[:5] if rel.get(f, 0) > 0) / 5,
        "recall@10": sum(1 for f in ranking[:K] if rel.get(f, 0) > 0) / len(rel) if rel else 0.0,
    }


ZERO = {"ndcg@10": 0.0, "p@5": 0.0, "recall@10": 0.0}


# ---------------------------------------------------------------- naive peer


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


class Bm25:
    def __init__(self, docs: dict[str, str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = {name: Counter(bigrams(normalise(text))) for name, text in docs.items()}
        self.len = {name: sum(tf.values()) for name, tf in self.tf.items()}
        self.avg = sum(self.len.values()) / len(self.len) if self.len else 0.0
        self.df: Counter = Counter()
        for tf in self.tf.values():
            self.df.update(tf.keys())
        self.n = len(docs)

    def query_terms(self, query: str) -> list[str]:
        terms: list[str] = []
        for word in query.split():
            w = normalise(word)
            for t in bigrams(w) if len(w) > 1 else [w]:
                if t and t not in terms:
                    terms.append(t)
        return terms

    def rank(self, query: str) -> list[str]:
        terms = self.query_terms(query)
        scores = {}
        for name, tf in self.tf.items():
            s = 0.0
            norm = self.k1 * (1 - self.b + self.b * self.len[name] / self.avg) if self.avg else self.k1
            for t in terms:
                f = tf.get(t, 0)
                if f:
                    idf = math.log(1 + (self.n - self.df[t] + 0.5) / (self.df[t] + 0.5))
                    s += idf * f * (self.k1 + 1) / (f + norm)
            if s > 0:
                scores[name] = s
        return sorted(scores, key=lambda n: (-scores[n], n))


# ---------------------------------------------------------------- gyokaku


def run(cmd: list[str], timeout: int = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def one_line(s: str) -> str:
    lines = [l for l in s.strip().splitlines() if l.strip()]
    return lines[0][:300] if lines else ""


def gyokaku_rank(bin_: str, idx: Path, query: str, extra: list[str]) -> tuple[list[str] | None, str, dict]:
    """Ranked file names, or None and the error; plus facts about the answer."""
    cmd = [bin_, "search", *query.split(), "--index", str(idx), "--format", "json", "--limit", "200", *extra]
    try:
        p = run(cmd)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT}s", {}
    if p.returncode != 0:
        return None, f"exit {p.returncode}: {one_line(p.stderr) or one_line(p.stdout)}", {}
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        return None, f"output is not JSON ({e})", {}
    facts = {k: data[k] for k in ("total", "partial", "broadened") if k in data}
    ranking: list[str] = []
    if isinstance(data.get("documents"), list):
        facts["view"] = "documents"
        entries = data["documents"]
    else:
        facts["view"] = "hits"
        entries = data.get("hits") or []
    for entry in entries:
        path = entry.get("path") if isinstance(entry, dict) else None
        if path:
            name = Path(path).name
            if name not in ranking:
                ranking.append(name)
    facts["documents"] = len(ranking)
    return ranking, "", facts


def accepts_group(bin_: str) -> bool:
    try:
        p = run([bin_, "search", "--help"], timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--group" in p.stdout


def ingest(bin_: str, split: str, rows: list[dict], work: Path) -> tuple[Path, Path, dict[str, str], list[str]]:
    """Copies the texts with a manifest and ingests them. Returns (docs dir, index, texts, problems)."""
    docs, idx = work / f"docs_{split}", work / f"index_{split}"
    docs.mkdir(parents=True)
    texts: dict[str, str] = {}
    problems = []
    with open(docs / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        cols = ["path", "municipality", "prefecture", "code", "title", "year", "url",
                "body_type", "plan_type", "era", "region", "split"]
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in rows:
            src = TEXTS / r["file"]
            if not src.is_file():
                problems.append(f"{r['file']}: text missing, left out")
                continue
            shutil.copyfile(src, docs / r["file"])
            texts[r["file"]] = src.read_text(encoding="utf-8", errors="replace")
            w.writerow({
                "path": r["file"], "municipality": r["body"], "prefecture": r["prefecture"], "code": "",
                "title": r["title"], "year": r["year"], "url": r["url"], "body_type": r["body_type"],
                "plan_type": r["plan_type"], "era": r.get("era", ""), "region": r.get("region", ""),
                "split": r["split"],
            })
    t = time.monotonic()
    p = run([bin_, "ingest", str(docs), "--index", str(idx), "--quiet"], timeout=1800)
    log(f"[{split}] ingested {len(texts)} texts in {time.monotonic() - t:.1f}s (exit {p.returncode})")
    if p.returncode == 2:
        sys.exit(f"error: ingest failed: {one_line(p.stderr)}")
    if p.returncode == 1:
        problems += [f"ingest: {l}" for l in p.stderr.strip().splitlines() if l.strip()]
    return docs, idx, texts, problems


def themes_eval(bin_: str, split: str, docs: Path, idx: Path, files: set[str], work: Path) -> dict:
    src = REAL / f"labels_{split}.json"
    if not src.exists():
        return {"error": f"{src.relative_to(ROOT)} not found"}
    gold = json.loads(src.read_text(encoding="utf-8"))
    # Keys as indexed (the tool also matches by file name; exact paths leave no doubt).
    labels = {str(docs / Path(k).name): v for k, v in gold["labels"].items() if Path(k).name in files}
    gold_path = work / f"gold_{split}.json"
    gold_path.write_text(json.dumps({"labels": labels}, ensure_ascii=False), encoding="utf-8")
    try:
        p = run([bin_, "themes", "eval", "--gold", str(gold_path), "--index", str(idx), "--format", "json"])
    except subprocess.TimeoutExpired:
        return {"error": f"themes eval timed out after {TIMEOUT}s"}
    if p.returncode != 0:
        return {"error": f"themes eval exit {p.returncode}: {one_line(p.stderr)}"}
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        return {"error": f"themes eval output is not JSON ({e})"}
    data["labelled_documents"] = len(labels)
    return data


# ---------------------------------------------------------------- one split


def evaluate_split(args: argparse.Namespace, split: str, manifest: list[dict], work: Path) -> dict:
    rows = [r for r in manifest if r["split"] == split]
    if args.files:
        wanted = {line.strip() for line in Path(args.files).read_text(encoding="utf-8").splitlines() if line.strip()}
        rows = [r for r in rows if r["file"] in wanted]
    docs, idx, texts, problems = ingest(args.bin, split, rows, work)
    files = set(texts)
    qrels = read_qrels(split, files, Path(args.qrels))
    queries = read_queries(Path(args.queries))
    bm25 = Bm25(texts)

    systems = {"gyokaku": []}
    if args.group:
        systems["gyokaku --group document"] = ["--group", "document"]
    per_query = []
    for qid, query in queries:
        rel = qrels.get(qid, {})
        entry = {"id": qid, "query": query, "relevant": len(rel), "grade2": sum(g == 2 for g in rel.values())}
        for name, extra in systems.items():
            ranking, error, facts = gyokaku_rank(args.bin, idx, query, extra)
            entry[name] = {**(measures(ranking, rel) if ranking is not None else ZERO), **facts,
                           "top": (ranking or [])[:K]}
            if error:
                entry[name]["error"] = error
        naive = bm25.rank(query)
        entry["naive"] = {**measures(naive, rel), "documents": len(naive), "top": naive[:K]}
        per_query.append(entry)

    scored = [q for q in per_query if q["relevant"] > 0]
    means = {}
    for name in [*systems, "naive"]:
        means[name] = {m: (sum(q[name][m] for q in scored) / len(scored) if scored else 0.0) for m in ZERO}
    errors = [
        f"{q['id']} ({name}): {q[name]['error']}" + ("" if q["relevant"] else " (not scored: no relevant document)")
        for q in per_query for name in systems if "error" in q[name]
    ]
    themes = themes_eval(args.bin, split, docs, idx, files, work)
    return {
        "split": split,
        "documents": len(files),
        "bodies": len({(r["prefecture"], r["body"]) for r in rows if r["file"] in files}),
        "queries_scored": len(scored),
        "queries_unscored": [q["id"] for q in per_query if q["relevant"] == 0],
        "search": means,
        "query_errors": errors,
        "problems": problems,
        "per_query": per_query,
        "themes": themes,
    }


# ---------------------------------------------------------------- report


def table(results: list[dict], verbose: bool) -> str:
    lines = []
    head = f"{'split':<5}  {'measure':<30}  {'gyokaku':>8}  {'naive':>8}  {'diff':>7}"
    lines += [head, "-" * len(head)]
    for res in results:
        s = res["split"]
        for name, m in res["search"].items():
            if name == "naive":
                continue
            label = "" if name == "gyokaku" else " (" + name.removeprefix("gyokaku ") + ")"
            for measure in ZERO:
                g, n = m[measure], res["search"]["naive"][measure]
                lines.append(f"{s:<5}  {(measure + label):<30}  {g:>8.3f}  {n:>8.3f}  {g - n:>+7.3f}")
        th = res["themes"]
        if "error" in th:
            lines.append(f"{s:<5}  themes: {th['error']}")
        else:
            for avg in ("micro", "macro"):
                for k in ("precision", "recall", "f1"):
                    if avg == "macro" and k != "f1":
                        continue
                    g, n = th["gyokaku"][avg][k], th["naive"][avg][k]
                    label = 'themes ' + avg + ' ' + k[:1].upper() + (k[1:] if k == 'f1' else '')
                    lines.append(f"{s:<5}  {label:<30}  {g:>8.3f}  {n:>8.3f}  {g - n:>+7.3f}")
                    if "rules" in th:
                        r = th["rules"][avg][k]
                        lines.append(f"{s:<5}  {label + ' (rules)':<30}  {r:>8.3f}  {n:>8.3f}  {r - n:>+7.3f}")
        lines.append(
            f"{s:<5}  {res['documents']} documents, {res['bodies']} bodies; search over {res['queries_scored']} "
            f"queries with ≥1 relevant document"
            + (f" (none for {' '.join(res['queries_unscored'])})" if res["queries_unscored"] else "")
            + ("" if "error" in th else f"; themes over {th['gyokaku']['documents']} labelled documents")
        )
        if verbose:
            names = [n for n in res["search"] if n != "naive"]
            lines.append("")
            lines.append(f"{'':<5}  {'id':<4} {'rel':>3} {'r2':>3}  " + "  ".join(f"{n[:14]:>14}" for n in names)
                         + f"  {'naive':>7}  query")
            for q in res["per_query"]:
                if q["relevant"] == 0:
                    continue
                cells = []
                for n in names:
                    v = q[n]
                    mark = "E" if "error" in v else ("b" if v.get("broadened") else " ")
                    cells.append(f"{v['ndcg@10']:>13.3f}{mark}")
                lines.append(f"{s:<5}  {q['id']:<4} {q['relevant']:>3} {q['grade2']:>3}  " + "  ".join(cells)
                             + f"  {q['naive']['ndcg@10']:>7.3f}  {q['query']}  (docs {q['gyokaku'].get('documents', 0)}"
                             f"/{q['naive']['documents']})")
            lines.append(f"{'':<5}  (nDCG@10 per query; E = the run failed, counted 0; b = the tool broadened the query;"
                         " docs = documents returned gyokaku/naive)")
        for e in res["query_errors"]:
            lines.append(f"{s:<5}  query error: {e}")
        for p in res["problems"]:
            lines.append(f"{s:<5}  problem: {p}")
        if "error" not in th and th["gyokaku"].get("unmatched"):
            lines.append(f"{s:<5}  themes: unmatched gold keys: {', '.join(th['gyokaku']['unmatched'])}")
        lines.append("")
    return "\n".join(lines).rstrip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] + " See the module docstring for the method.")
    ap.add_argument("--split", choices=["dev", "test", "both"], default="dev",
                    help="dev (tune on this), test (score once at the end) or both, each separately")
    ap.add_argument("--bin", default=os.environ.get("GYOKAKU_BIN") or str(ROOT / "target" / "debug" / "gyokaku"),
                    help="the gyokaku binary (default: $GYOKAKU_BIN, else target/debug/gyokaku)")
    ap.add_argument("--verbose", "-v", action="store_true", help="per-query nDCG@10 lines")
    ap.add_argument("--json", metavar="OUT", help="write every number, per query too, to OUT")
    ap.add_argument("--keep", metavar="DIR", help="build the texts and indexes in DIR (must not exist) and keep them")
    ap.add_argument("--no-group", dest="group", action="store_false", help="do not try `search --group document`")
    ap.add_argument("--queries", default=str(REAL / "queries.tsv"),
                    help="queries (id, query, intent), e.g. eval/real/parts/queries_heldout.tsv (default: queries.tsv)")
    ap.add_argument("--qrels", default=str(REAL / "qrels.tsv"),
                    help="graded pairs (query_id, file, grade) for those queries (default: qrels.tsv)")
    ap.add_argument("--files", metavar="LIST",
                    help="score only the split's texts named in LIST (one file name per line), e.g. the texts "
                         "a grader of held-out queries read: eval/real/parts/qrels_heldout_files.txt")
    args = ap.parse_args()
    if not (Path(args.bin).is_file() or shutil.which(args.bin)):
        sys.exit(f"error: gyokaku binary `{args.bin}` not found (use --bin or GYOKAKU_BIN)")
    args.bin = str(Path(args.bin).resolve()) if Path(args.bin).is_file() else shutil.which(args.bin)
    if args.group:
        args.group = accepts_group(args.bin)
        log(f"`search --group document`: {'supported, scored as a second line' if args.group else 'not supported by this binary'}")

    manifest = read_manifest()
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    for split in splits:
        if not any(r["split"] == split for r in manifest):
            sys.exit(f"error: the `{split}` split has no texts in eval/real/manifest.csv (the test split is "
                     f"round 3, parts named r3_*; see eval/real/README.md, then run `scripts/real_set.py merge`)")
    if args.keep:
        work_ctx = None
        work = Path(args.keep)
        work.mkdir(parents=True)
    else:
        work_ctx = tempfile.TemporaryDirectory(prefix="gyokaku-eval-real-")
        work = Path(work_ctx.name)
    try:
        results = [evaluate_split(args, s, manifest, work) for s in splits]
    finally:
        if work_ctx:
            work_ctx.cleanup()
    print(table(results, args.verbose))
    if args.json:
        version = ""
        try:
            version = run([args.bin, "--version"], timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
        out = {"bin": args.bin, "version": version, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "method": {"k": K, "gain": "2^grade-1", "discount": "log2(rank+1)", "naive": "char-bigram BM25 k1=1.2 b=0.75"},
               "results": results}
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
