#!/usr/bin/env python3
"""Scores gyokaku's HTML extraction against trafilatura on the same pages, in one run.

Metric: character-bigram F1 (multiset) between the extracted text and the gold text,
both after NFKC and with all whitespace removed. Also reported: whether the title is
right (exact after the same normalisation), replacement characters (U+FFFD, a sign of
mis-decoding) and, for pages without gold, the length of the extracted text.

Pages: the dev set in tests/fixtures/html (every NAME.html with NAME.gold.txt) and the
real-world pages in /work/shared/realworld/html (read in place, never copied).

trafilatura runs with favor_recall=True (pip install trafilatura lxml_html_clean), on the
raw bytes, so it decodes them itself as it would in a crawl.

Usage: python3 scripts/eval_html.py [--realworld DIR] [--dev DIR] [--json OUT]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def normalize(text):
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if not ch.isspace())


def bigram_f1(predicted, gold):
    p, g = normalize(predicted), normalize(gold)
    pb = Counter(p[i : i + 2] for i in range(len(p) - 1))
    gb = Counter(g[i : i + 2] for i in range(len(g) - 1))
    if not pb or not gb:
        return 0.0
    overlap = sum((pb & gb).values())
    precision = overlap / sum(pb.values())
    recall = overlap / sum(gb.values())
    return 0.0 if overlap == 0 else 2 * precision * recall / (precision + recall)


def collect(directory, label):
    pages = []
    for html in sorted(Path(directory).glob("*.html")):
        stem = html.name[: -len(".html")]
        gold = html.with_name(stem + ".gold.txt")
        title = html.with_name(stem + ".title.txt")
        pages.append(
            {
                "set": label,
                "name": stem,
                "path": str(html),
                "gold": gold.read_text(encoding="utf-8") if gold.exists() else None,
                "title": title.read_text(encoding="utf-8").strip() if title.exists() else None,
            }
        )
    return pages


# The shipped corpus pages (written by another helper, in those cities' CMS styles) are a
# held-out set: their gold is the body of their seed text, cut as tests/it/html.rs cuts it.
CORPUS = [
    ("tomakomai", "002", "『苫小牧市行政創革プラン』を策定しました", "Get Adobe Reader"),
    ("fujieda", "003", "藤枝市新公共経営実行計画を策定しました", "お問い合わせ"),
]


def collect_corpus(root):
    pages = []
    for name, seed, first, stop in CORPUS:
        html = root / "corpus" / f"{name}.html"
        seed_path = next((root / "tests/fixtures/seeds").glob(f"{seed}_*.txt"), None)
        if not html.exists() or seed_path is None:
            continue
        lines = [line.strip() for line in seed_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        body = lines[lines.index(first):]
        body = body[: next((i for i, line in enumerate(body) if line.startswith(stop)), len(body))]
        body = [line.lstrip("0123456789.•").strip() for line in body]
        pages.append({"set": "corpus", "name": name, "path": str(html), "gold": "\n".join(body), "title": first})
    return pages


def run_ours(pages, binary):
    """One process for all pages; one JSON line per page."""
    out = subprocess.run([binary, "--json"] + [p["path"] for p in pages], capture_output=True, text=True, check=True)
    results = {}
    for line in out.stdout.splitlines():
        if line.startswith("error: "):
            path = line.split("`")[1]
            results[path] = {"text": "", "title": None, "error": line}
            continue
        record = json.loads(line)
        text = "\n".join(page["text"] for page in record["pages"])
        results[record["source"]] = {"text": text, "title": record.get("title"), "encoding": record.get("encoding")}
    return results


def run_trafilatura(page):
    import trafilatura

    data = Path(page["path"]).read_bytes()
    try:
        document = trafilatura.bare_extraction(data, favor_recall=True, with_metadata=True)
    except Exception as err:  # a crash counts as no text
        return {"text": "", "title": None, "error": str(err)}
    if document is None:
        return {"text": "", "title": None}
    if not isinstance(document, dict):
        document = document.as_dict()
    return {"text": document.get("text") or "", "title": document.get("title")}


def score(page, result):
    text = result.get("text") or ""
    row = {
        "chars": len(normalize(text)),
        "fffd": text.count("\ufffd") + (result.get("title") or "").count("\ufffd"),
        "title_ok": None,
        "f1": None,
    }
    if page["title"] is not None:
        row["title_ok"] = normalize(result.get("title")) == normalize(page["title"])
    if page["gold"] is not None:
        row["f1"] = bigram_f1(text, page["gold"])
        row["mojibake"] = looks_misdecoded(text, page["gold"])
    else:
        row["mojibake"] = row["fffd"] > 0 or "\x1b" in text
    return row


def looks_misdecoded(text, gold):
    """Replacement characters, raw ISO-2022-JP escapes, or mostly characters the gold
    never uses: the signs of a page decoded with the wrong charset."""
    if "\ufffd" in text or "\x1b" in text:
        return True
    chars = normalize(text)
    if not chars:
        return False
    gold_chars = set(normalize(gold))
    foreign = sum(1 for ch in chars if ch not in gold_chars)
    return foreign / len(chars) > 0.3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", default=str(ROOT / "tests/fixtures/html"))
    parser.add_argument("--realworld", default="/work/shared/realworld/html")
    release = ROOT / "target/release/examples/htmltext"
    debug = ROOT / "target/debug/examples/htmltext"
    parser.add_argument("--binary", default=str(release if release.exists() else debug))
    parser.add_argument("--json", help="write per-page results here")
    args = parser.parse_args()

    pages = collect(args.dev, "dev") + collect_corpus(ROOT) + collect(args.realworld, "realworld")
    import trafilatura  # noqa: F401  (imported before timing)

    started = time.perf_counter()
    ours = run_ours(pages, args.binary)
    ours_seconds = time.perf_counter() - started
    traf_seconds = 0.0
    rows = []
    for page in pages:
        mine = score(page, ours.get(page["path"], {}))
        started = time.perf_counter()
        traf_result = run_trafilatura(page)
        traf_seconds += time.perf_counter() - started
        theirs = score(page, traf_result)
        rows.append({"page": page, "ours": mine, "trafilatura": theirs, "encoding": ours.get(page["path"], {}).get("encoding")})

    def fmt(value):
        if value is None:
            return "–"
        if isinstance(value, bool):
            return "yes" if value else "NO"
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    print("| set | page | ours F1 | trafilatura F1 | ours title | traf. title | ours decoded ok | traf. decoded ok | ours chars | traf. chars | our encoding |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        o, t = row["ours"], row["trafilatura"]
        print(
            f"| {row['page']['set']} | {row['page']['name']} | {fmt(o['f1'])} | {fmt(t['f1'])} | {fmt(o['title_ok'])} | "
            f"{fmt(t['title_ok'])} | {fmt(not o['mojibake'])} | {fmt(not t['mojibake'])} | {o['chars']} | {t['chars']} | {row['encoding']} |"
        )
    print()
    for subset in ("dev", "corpus", "realworld", "all"):
        scored = [r for r in rows if r["ours"]["f1"] is not None and (subset == "all" or r["page"]["set"] == subset)]
        titled = [r for r in rows if r["ours"]["title_ok"] is not None and (subset == "all" or r["page"]["set"] == subset)]
        if not scored:
            continue
        ours_f1 = statistics.mean(r["ours"]["f1"] for r in scored)
        traf_f1 = statistics.mean(r["trafilatura"]["f1"] for r in scored)
        ours_titles = sum(bool(r["ours"]["title_ok"]) for r in titled)
        traf_titles = sum(bool(r["trafilatura"]["title_ok"]) for r in titled)
        ours_bad = sum(1 for r in rows if r["ours"]["mojibake"] and (subset == "all" or r["page"]["set"] == subset))
        traf_bad = sum(1 for r in rows if r["trafilatura"]["mojibake"] and (subset == "all" or r["page"]["set"] == subset))
        print(
            f"{subset}: {len(scored)} pages with gold | mean bigram F1 ours {ours_f1:.3f} vs trafilatura {traf_f1:.3f} "
            f"(ratio {ours_f1 / max(traf_f1, 1e-9):.2f}) | titles right ours {ours_titles}/{len(titled)} vs "
            f"trafilatura {traf_titles}/{len(titled)} | mis-decoded pages ours {ours_bad} vs trafilatura {traf_bad}"
        )
    both_ok = [r for r in rows if r["ours"]["f1"] is not None and not r["ours"]["mojibake"] and not r["trafilatura"]["mojibake"]]
    if both_ok:
        print(
            f"pages both tools decode correctly ({len(both_ok)}): mean bigram F1 ours "
            f"{statistics.mean(r['ours']['f1'] for r in both_ok):.3f} vs trafilatura "
            f"{statistics.mean(r['trafilatura']['f1'] for r in both_ok):.3f}"
        )
    print(
        f"time for all {len(pages)} pages: ours {ours_seconds:.3f} s ({args.binary}, one process, "
        f"including start-up) vs trafilatura {traf_seconds:.3f} s (in-process) | "
        f"trafilatura/ours {traf_seconds / max(ours_seconds, 1e-9):.1f}x"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
