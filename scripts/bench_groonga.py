#!/usr/bin/env python3
"""Query latency of Groonga (TokenMecab) beside gyokaku, on the same passages and queries.

Takes the passages of a gyokaku index (`gyokaku export --format ndjson`), loads them into a
Groonga database with a TokenMecab full-text index on the text (positions on, NormalizerAuto),
and runs the 30 queries of benches/query_latency.rs, 20 rounds after a warm-up, each as a
`select` returning the top 10 by score with an HTML snippet and drilldowns (facets) on
municipality, prefecture and year. Latency is the elapsed time Groonga reports for each select
(server side, one thread, as Groonga runs a select; its query cache off). Then runs gyokaku's
bench on the same index, and prints both engines' match counts per query.

Needs: apt-get install -y groonga-bin groonga-tokenizer-mecab mecab-ipadic-utf8
usage: scripts/bench_groonga.py INDEX_DIR [WORK_DIR]
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
ROUNDS = 20


def queries():
    source = (ROOT / "benches/query_latency.rs").read_text(encoding="utf-8")
    return [q.replace('\\"', '"') for q in re.findall(r'^    "(.*)",$', source, re.M)]


def export(index_dir, work):
    out = work / "export"
    if not (out / "passages.ndjson").exists():
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        subprocess.run([str(ROOT / "target/release/gyokaku"), "export", "--format", "ndjson",
                        "--index", str(index_dir), "--output", str(out), "-q"], check=True)
    return out / "passages.ndjson"


def build_database(ndjson, work):
    db = work / "groonga" / "db"
    if db.exists():
        return db
    db.parent.mkdir(parents=True, exist_ok=True)
    commands = work / "groonga" / "load.grn"
    with open(ndjson, encoding="utf-8") as src, open(commands, "w", encoding="utf-8") as out:
        out.write("table_create Passages TABLE_NO_KEY\n")
        for column, kind in [("text", "LongText"), ("heading", "ShortText"),
                             ("municipality", "ShortText"), ("prefecture", "ShortText"),
                             ("year", "Int32")]:
            out.write(f"column_create Passages {column} COLUMN_SCALAR {kind}\n")
        out.write("load --table Passages\n[\n")
        first = True
        for line in src:
            p = json.loads(line)
            row = {k: p.get(k) or "" for k in ["text", "heading", "municipality", "prefecture"]}
            row["year"] = p.get("year") or 0
            out.write(("" if first else ",\n") + json.dumps(row, ensure_ascii=False))
            first = False
        out.write("\n]\n")
        # Index after loading: Groonga then builds it offline, much faster than row by row.
        out.write("table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenMecab "
                  "--normalizer NormalizerAuto\n")
        out.write("column_create Terms passages_text COLUMN_INDEX|WITH_POSITION Passages text\n")
    started = time.perf_counter()
    with open(commands, encoding="utf-8") as stdin:
        subprocess.run(["groonga", "-n", str(db)], stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    print(f"groonga: loaded and indexed in {time.perf_counter() - started:.0f} s")
    return db


def groonga_latencies(db, qs):
    lines = []
    for _ in range(ROUNDS + 1):
        for q in qs:
            escaped = q.replace("\\", "\\\\").replace("'", "\\'")
            lines.append(
                "select Passages --command_version 2 --cache no --match_columns text --query '" + escaped
                + "' --output_columns '_id, _score, municipality, year, heading, snippet_html(text)' "
                "--sort_keys -_score --limit 10 --drilldown municipality,prefecture,year "
                "--drilldown_limit -1")
    result = subprocess.run(["groonga", str(db)], input="\n".join(lines) + "\n",
                            capture_output=True, text=True, check=True)
    responses = [json.loads(r) for r in result.stdout.splitlines() if r.strip()]
    if len(responses) != len(lines):
        sys.exit(f"groonga answered {len(responses)} of {len(lines)} selects: {result.stderr[:500]}")
    millis, totals = [], {}
    for i, response in enumerate(responses):
        header = response[0]
        if header[0] != 0 or len(response) < 2:
            sys.exit(f"groonga error on `{lines[i]}`: {header}")
        body = response[1]
        if i >= len(qs):
            millis.append(header[2] * 1000)
        totals[qs[i % len(qs)]] = body[0][0][0]
    return millis, totals


def pick(values, q):
    values = sorted(values)
    return values[round((len(values) - 1) * q)]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    index_dir = pathlib.Path(sys.argv[1]).resolve()
    work = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/gyokaku-groonga")
    work.mkdir(parents=True, exist_ok=True)
    qs = queries()
    db = build_database(export(index_dir, work), work)
    millis, totals = groonga_latencies(db, qs)
    print(f"groonga TokenMecab: queries={len(millis)} p50={pick(millis, 0.5):.2f}ms "
          f"p90={pick(millis, 0.9):.2f}ms p99={pick(millis, 0.99):.2f}ms max={max(millis):.2f}ms")
    binary = str(ROOT / "target/release/gyokaku")
    print("matches per query (gyokaku / groonga):")
    for q in qs:
        found = subprocess.run([binary, "search", "--index", str(index_dir), "--format", "json",
                                "-n", "1", *q.split()], capture_output=True, text=True, check=True)
        ours = json.loads(found.stdout)
        partial = " (partial)" if ours["partial"] else ""
        print(f"  {q}: {ours['total']}{partial} / {totals[q]}")
    env = dict(os.environ, GYOKAKU_BENCH_INDEX=str(index_dir))
    subprocess.run(["cargo", "bench", "--quiet", "--bench", "query_latency"], cwd=ROOT, env=env,
                   check=True)


if __name__ == "__main__":
    main()
