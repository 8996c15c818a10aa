#!/usr/bin/env python3
"""Scale bench for `gyokaku batch`: a national-scale corpus, one run, a re-run, 4 shards + merge.

Generates 1,741 municipalities x 3 plans (5,223 documents) from the shipped corpus into a
scratch folder (never committed), with perturbations so every file has its own content hash
and text: for each municipality one PDF (a shipped PDF with a trailing comment naming the
copy), one web page (a shipped page with the municipality's name and year substituted, in
the page's own encoding) and one plain-text plan (a shipped plan's lines shuffled, names
substituted). The hostile fixtures are added once, so a run at scale also explains failures.

Then, with the release binary, it measures (GNU time -v):
  1. one batch over everything: documents/s, MB/s, peak RSS, index size;
  2. the same batch again (everything unchanged);
  3. the corpus as 4 shards (run one after the other here) + `gyokaku merge`, and checks
     that the merged index gives the same hit counts as the single index;
  4. the peer: poppler's `pdftotext` over the same PDFs with the same parallelism.

    python3 scripts/bench_scale.py [--out /tmp/gyokaku-scale] [--jobs 2]

Prints a Markdown table and writes <out>/bench.json.
"""

import argparse
import csv
import json
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
]
NAME_PARTS_A = "東西南北上下大小高長本新古中青白黒赤金銀松竹梅桜森林川山田野原島"
NAME_PARTS_B = "浜崎沢岡谷津井川田野原瀬橋坂宮里郷辺尾"
SUFFIXES = ["市", "町", "村", "町", "市"]
QUERIES = ["行政改革", "職員", "財政 健全化", "\"行政経営\"", "公共施設 老朽化", "市民 OR 町民"]


def municipality_names(n):
    """n distinct synthetic municipality names (two kanji + 市/町/村, a digit kanji if needed)."""
    names, seen = [], set()
    rng = random.Random(1741)
    while len(names) < n:
        name = rng.choice(NAME_PARTS_A) + rng.choice(NAME_PARTS_B) + rng.choice(SUFFIXES)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def read_manifest():
    with open(REPO / "corpus" / "manifest.csv", encoding="utf-8-sig") as f:
        return {row["path"]: row for row in csv.DictReader(f)}


def perturbed_html(source: Path, original_name: str, name: str, year: int):
    data = source.read_bytes()
    head = data[:2048].lower()
    encoding = "cp932" if b"shift_jis" in head or b"sjis" in head else "utf-8"
    text = data.decode(encoding, errors="replace")
    text = text.replace(original_name, name)
    text = re.sub(r"20[0-2][0-9]", str(year), text, count=3)
    return text.encode(encoding, errors="replace")


def perturbed_text(lines, original_name, name, rng, index):
    body = [line for line in lines if line.strip()]
    head, rest = body[:3], body[3:]
    rng.shuffle(rest)
    keep = rest[: max(10, int(len(rest) * rng.uniform(0.6, 1.0)))]
    text = "\n".join(head + keep).replace(original_name, name)
    return f"{text}\n（第{index}版）\n".encode("utf-8")


def generate(out: Path, n_municipalities: int, plans: int):
    corpus = out / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    manifest = read_manifest()
    pdfs = sorted(p for p in (REPO / "corpus").glob("*.pdf"))
    htmls = sorted(p for p in (REPO / "corpus").glob("*.html"))
    templates = {
        "memuro": "芽室町",
        "okazaki": "岡崎市",
        "tokorozawa": "所沢市",
    }
    texts = {k: (REPO / "scripts/corpus/templates" / f"{k}.txt").read_text(encoding="utf-8").splitlines()
             for k in templates}
    rng = random.Random(20261121)
    rows = []
    for i, name in enumerate(municipality_names(n_municipalities)):
        prefecture = PREFECTURES[i % len(PREFECTURES)]
        code = f"{(i % 47) + 1:02d}{i:04d}"
        folder = corpus / f"{i:04d}"
        folder.mkdir()
        year = 2005 + (i % 20)
        kinds = []
        pdf = pdfs[i % len(pdfs)]
        data = pdf.read_bytes() + f"\n% gyokaku scale copy {i} for {name}\n".encode("utf-8")
        (folder / "taiko.pdf").write_bytes(data)
        kinds.append(("taiko.pdf", f"{name}行政改革大綱"))
        if plans > 1:
            html = htmls[i % len(htmls)]
            original = manifest[html.name]["municipality"]
            (folder / "plan.html").write_bytes(perturbed_html(html, original, name, year))
            kinds.append(("plan.html", f"{name}行政改革実施計画"))
        if plans > 2:
            key = list(templates)[i % len(templates)]
            (folder / "kodo.txt").write_bytes(perturbed_text(texts[key], templates[key], name, rng, i))
            kinds.append(("kodo.txt", f"{name}行動計画"))
        for file_name, title in kinds:
            rows.append({"path": f"{i:04d}/{file_name}", "municipality": name, "prefecture": prefecture,
                         "code": code, "title": title, "year": year, "url": ""})
    hostile = corpus / "hostile"
    hostile.mkdir()
    for path in sorted((REPO / "tests/fixtures/hostile").iterdir()):
        if path.suffix in (".pdf", ".html"):
            shutil.copy(path, hostile / path.name)
    with open(corpus / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["path", "municipality", "prefecture", "code", "title", "year", "url"])
        writer.writeheader()
        writer.writerows(rows)
    files = [p for p in corpus.rglob("*") if p.is_file() and p.name != "manifest.csv"]
    return len(files), sum(p.stat().st_size for p in files)


def timed(command, cwd):
    """Runs a command under GNU time -v; returns (exit code, wall seconds, peak RSS MB)."""
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-v", *command], cwd=cwd, capture_output=True, text=True)
    wall = time.monotonic() - started
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    rss_mb = int(match.group(1)) / 1024 if match else float("nan")
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.returncode, wall, rss_mb


def du_mb(path: Path):
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6 if path.exists() else 0.0


def hit_counts(binary, index, cwd):
    counts = {}
    for query in QUERIES:
        out = subprocess.run([binary, "search", query, "--index", index, "--format", "json", "--limit", "1"],
                             cwd=cwd, capture_output=True, text=True)
        counts[query] = json.loads(out.stdout)["total"] if out.returncode == 0 else None
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("/tmp/gyokaku-scale"))
    parser.add_argument("--municipalities", type=int, default=1741)
    parser.add_argument("--plans", type=int, default=3, choices=[1, 2, 3])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--binary", type=Path, default=REPO / "target/release/gyokaku")
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args()
    out, binary = args.out.resolve(), str(args.binary.resolve())
    out.mkdir(parents=True, exist_ok=True)

    if args.skip_generate:
        files = [p for p in (out / "corpus").rglob("*") if p.is_file() and p.name != "manifest.csv"]
        n_files, n_bytes = len(files), sum(p.stat().st_size for p in files)
    else:
        n_files, n_bytes = generate(out, args.municipalities, args.plans)
    print(f"corpus: {n_files} files, {n_bytes / 1e6:.1f} MB in {out / 'corpus'}", file=sys.stderr)

    for stale in ("index", "merged", "runs"):
        shutil.rmtree(out / stale, ignore_errors=True)
    (out / "scale.toml").write_text(
        f'name = "scale"\ninputs = ["corpus/"]\nmanifest = "corpus/manifest.csv"\nindex = "index/"\n'
        f'output = "runs/"\njobs = {args.jobs}\n[limits]\nmax_file_mb = 200\nseconds_per_document = 60\n',
        encoding="utf-8")
    results = {"files": n_files, "megabytes": n_bytes / 1e6, "jobs": args.jobs}

    code, wall, rss = timed([binary, "-q", "batch", "scale.toml"], out)
    report = json.loads((out / "index/last-report.json").read_text(encoding="utf-8"))
    results["single"] = {"exit": code, "seconds": wall, "peak_rss_mb": rss, "totals": report["totals"],
                         "index_mb": du_mb(out / "index/tantivy"), "cache_mb": du_mb(out / "index/extracted")}
    code, wall, rss = timed([binary, "-q", "batch", "scale.toml"], out)
    report = json.loads((out / "index/last-report.json").read_text(encoding="utf-8"))
    results["rerun"] = {"exit": code, "seconds": wall, "peak_rss_mb": rss, "totals": report["totals"]}

    shards = []
    for k in range(1, args.shards + 1):
        code, wall, rss = timed([binary, "-q", "batch", "scale.toml", "--shard", f"{k}/{args.shards}"], out)
        shards.append({"shard": k, "seconds": wall, "peak_rss_mb": rss})
    shard_dirs = [f"index/shards/{k}-of-{args.shards}" for k in range(1, args.shards + 1)]
    code, wall, rss = timed([binary, "-q", "merge", "merged", *shard_dirs], out)
    merged_report = json.loads((out / "merged/last-report.json").read_text(encoding="utf-8"))
    single_hits, merged_hits = hit_counts(binary, "index", out), hit_counts(binary, "merged", out)
    results["shards"] = {"runs": shards, "merge_seconds": wall, "merge_peak_rss_mb": rss,
                         "merged_totals": merged_report["totals"], "index_mb": du_mb(out / "merged/tantivy"),
                         "single_hits": single_hits, "merged_hits": merged_hits,
                         "hits_identical": single_hits == merged_hits}

    pdfs = sorted(str(p) for p in (out / "corpus").rglob("*.pdf") if "hostile" not in p.parts)
    listing = out / "pdfs.txt"
    listing.write_text("\n".join(pdfs) + "\n", encoding="utf-8")
    started = time.monotonic()
    subprocess.run(f"xargs -P {args.jobs} -I{{}} pdftotext -q {{}} /dev/null < {listing}", shell=True, cwd=out)
    results["peer_pdftotext"] = {"pdfs": len(pdfs), "seconds": time.monotonic() - started}

    (out / "bench.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print_table(results)


def print_table(r):
    s, t = r["single"], r["single"]["totals"]
    docs = t["indexed"] + t["unchanged"] + t["failed"] + t["skipped"]
    print(f"| measure | value |\n|---|---|")
    print(f"| corpus | {r['files']} files, {r['megabytes']:.1f} MB |")
    print(f"| single batch (jobs={r['jobs']}) | {s['seconds']:.1f} s: {docs / s['seconds']:.1f} documents/s, "
          f"{r['megabytes'] / s['seconds']:.2f} MB/s, peak RSS {s['peak_rss_mb']:.0f} MB |")
    print(f"| outcome | {t['indexed']} indexed, {t['failed']} failed, {t['skipped']} skipped, {t['passages']} passages |")
    print(f"| index size | {s['index_mb']:.1f} MB tantivy + {s['cache_mb']:.1f} MB extraction cache |")
    rr = r["rerun"]
    print(f"| re-run, nothing changed | {rr['seconds']:.1f} s ({rr['totals']['unchanged']} unchanged), "
          f"peak RSS {rr['peak_rss_mb']:.0f} MB |")
    sh = r["shards"]
    walls = [x["seconds"] for x in sh["runs"]]
    print(f"| {len(walls)} shards, one after the other | {sum(walls):.1f} s in all, longest shard {max(walls):.1f} s, "
          f"peak RSS {max(x['peak_rss_mb'] for x in sh['runs']):.0f} MB |")
    print(f"| merge | {sh['merge_seconds']:.1f} s, peak RSS {sh['merge_peak_rss_mb']:.0f} MB, "
          f"merged index {sh['index_mb']:.1f} MB |")
    print(f"| hit counts merged = single | {sh['hits_identical']} ({sh['merged_hits']}) |")
    p = r["peer_pdftotext"]
    print(f"| peer: pdftotext on the {p['pdfs']} PDFs (-P {r['jobs']}) | {p['seconds']:.1f} s, "
          f"{p['pdfs'] / p['seconds']:.1f} PDFs/s |")


if __name__ == "__main__":
    main()
