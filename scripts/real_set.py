#!/usr/bin/env python3
"""Build and check the real-text evaluation set under eval/real/.

    python3 scripts/real_set.py merge           # parts/ -> manifest.csv, labels_{dev,test}.json, qrels.tsv
    python3 scripts/real_set.py check-overlap   # the set against the repo's other evaluation data

`merge` reads eval/real/parts/manifest_*.csv, labels_*.json and qrels_*.tsv (one triple per
labelling helper, e.g. east and west), assigns each body (prefecture + name) to `dev` or `test`
by a keyed hash of its name, so that no body is in both splits, and writes:

    eval/real/manifest.csv      the parts' columns + part, region, era, split
    eval/real/labels_dev.json   {"labels": {"eval/real/texts/<file>": {"present": [...]}}, "notes": {...}}
    eval/real/labels_test.json
    eval/real/qrels.tsv         query_id, file, grade, split

Problems are printed as `warning:` (the set is usable, e.g. a text not yet on disk) or `error:`
(a row was dropped or a value fixed: unknown theme id, duplicate URL, bad grade); the exit code is 1
when there was an error, else 0. Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import json
import re
import sys
import tomllib
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "eval" / "real"
PARTS = REAL / "parts"
TEXTS = REAL / "texts"
TAXONOMY = ROOT / "taxonomy" / "gyokaku-taxonomy.toml"
KEY_PREFIX = "eval/real/texts/"

# The split, by collection round. Round 1 (parts east, west) was dealt by body: dev when
# blake2b(SALT + key) mod 100 < DEV_PERCENT; its test part was scored once (17:38 UTC, session 3)
# and then joined dev. Round 2 (parts holdout_*) was the test split of session 3, scored once at
# its end, and is dev since session 4. Round 3 (parts r3_*): new bodies only, collected and
# labelled in sessions 4–5 by labellers who saw no labels of earlier rounds and no tool output;
# it was the test split, scored once at the end of session 5 (08:42 UTC), and is dev since. Round
# 4 (parts r4_*): new bodies only, same conditions, collected in sessions 5–6, the test split
# scored once at the end of session 6 (14:21 UTC), dev since. Round 5 (parts r5_*): new bodies
# only, same conditions, collected in session 7: the test split.
ROUND_PREFIXES = [("r5_", 5), ("r4_", 4), ("r3_", 3), ("holdout", 2)]
TEST_ROUND = 5
SALT = "gyokaku-real-v1:"
DEV_PERCENT = 60

MANIFEST_COLUMNS = ["file", "body", "prefecture", "body_type", "plan_type", "title", "year", "url", "query"]
OUT_COLUMNS = MANIFEST_COLUMNS + ["part", "round", "region", "era", "split", "round1_split"]

# The 47 prefectures by region (the usual eight blocks).
REGIONS = {
    "北海道": ["北海道"],
    "東北": ["青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"],
    "関東": ["茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県"],
    "中部": ["新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県"],
    "近畿": ["三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県"],
    "中国": ["鳥取県", "島根県", "岡山県", "広島県", "山口県"],
    "四国": ["徳島県", "香川県", "愛媛県", "高知県"],
    "九州・沖縄": ["福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"],
}
PREFECTURES = {p: region for region, ps in REGIONS.items() for p in ps}
SHORT_PREFECTURE = {re.sub(r"[都府県]$", "", p): p for p in PREFECTURES if p != "北海道"}
SHORT_PREFECTURE["北海道"] = "北海道"


class Log:
    def __init__(self) -> None:
        self.errors = 0
        self.warnings = 0

    def warn(self, msg: str) -> None:
        self.warnings += 1
        print(f"warning: {msg}", file=sys.stderr)

    def error(self, msg: str) -> None:
        self.errors += 1
        print(f"error: {msg}", file=sys.stderr)


def theme_ids() -> list[str]:
    with open(TAXONOMY, "rb") as f:
        return [t["id"] for t in tomllib.load(f)["themes"]]


def canonical_prefecture(name: str) -> str | None:
    name = name.strip()
    if name in PREFECTURES:
        return name
    return SHORT_PREFECTURE.get(name)


def body_key(prefecture: str, body: str) -> str:
    """Prefecture + name: two bodies may share a name (府中市 in 東京都 and 広島県)."""
    return f"{prefecture}/{body.strip()}"


def round1_split_of(key: str) -> str:
    """Round 1's split, kept for the record (manifest column `round1_split`)."""
    digest = hashlib.blake2b((SALT + key).encode("utf-8"), digest_size=8).digest()
    return "dev" if int.from_bytes(digest, "big") % 100 < DEV_PERCENT else "test"


def round_of(part: str) -> int:
    return next((n for prefix, n in ROUND_PREFIXES if part.startswith(prefix)), 1)


def split_of(part: str) -> str:
    return "test" if round_of(part) == TEST_ROUND else "dev"


def era_of(year: str) -> str:
    try:
        y = int(year)
    except ValueError:
        return "unknown"
    if y < 2005:
        return "-2004"
    if y < 2010:
        return "2005-2009"
    if y < 2015:
        return "2010-2014"
    if y < 2020:
        return "2015-2019"
    return "2020-"


def norm_url(url: str) -> str:
    """For duplicate detection: no scheme, no www., no fragment, no trailing slash, decoded."""
    u = urllib.parse.urlsplit(url.strip())
    host = u.netloc.lower().removeprefix("www.")
    path = urllib.parse.unquote(u.path).rstrip("/")
    query = f"?{u.query}" if u.query else ""
    return f"{host}{path}{query}"


def label_key(file: str) -> str:
    return KEY_PREFIX + Path(file).name


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def part_names() -> list[str]:
    return sorted(p.stem.removeprefix("manifest_") for p in PARTS.glob("manifest_*.csv"))


# ---------------------------------------------------------------- merge


def load_parts(log: Log) -> tuple[list[dict], dict, dict, list[tuple[str, str, int]]]:
    """Rows (with `part`), labels by key, notes by key, qrels."""
    rows: list[dict] = []
    labels: dict[str, list[str]] = {}
    notes: dict[str, object] = {}
    qrels: list[tuple[str, str, int]] = []
    for part in part_names():
        mpath = PARTS / f"manifest_{part}.csv"
        try:
            part_rows = read_csv(mpath)
        except (OSError, csv.Error, UnicodeDecodeError) as e:
            log.error(f"{mpath.relative_to(ROOT)}: cannot read ({e}); part skipped")
            continue
        missing = [c for c in MANIFEST_COLUMNS if part_rows and c not in part_rows[0]]
        if missing:
            log.error(f"{mpath.relative_to(ROOT)}: missing columns {missing}")
        for n, r in enumerate(part_rows, start=2):
            if None in r:  # more fields than the header: an unquoted comma
                log.error(f"{mpath.relative_to(ROOT)}:{n}: {len(r[None])} extra field(s) (unquoted comma?); row skipped")
                continue
            row = {c: (r.get(c) or "").strip() for c in MANIFEST_COLUMNS}
            if not row["file"]:
                log.error(f"{mpath.relative_to(ROOT)}:{n}: empty `file`; row skipped")
                continue
            row["part"] = part
            rows.append(row)

        lpath = PARTS / f"labels_{part}.json"
        if not lpath.exists():
            log.warn(f"{lpath.relative_to(ROOT)} does not exist yet")
        else:
            try:
                data = json.loads(lpath.read_text(encoding="utf-8"))
                for k, v in data.get("labels", {}).items():
                    key = label_key(k)
                    if key in labels:
                        log.error(f"{lpath.relative_to(ROOT)}: `{k}` labelled twice (another part); first kept")
                        continue
                    present = v.get("present") if isinstance(v, dict) else None
                    if not isinstance(present, list):
                        log.error(f"{lpath.relative_to(ROOT)}: `{k}` has no `present` list; skipped")
                        continue
                    labels[key] = present
                for k, v in (data.get("notes") or {}).items():
                    notes[label_key(k)] = v
            except (OSError, json.JSONDecodeError, AttributeError) as e:
                log.error(f"{lpath.relative_to(ROOT)}: not valid JSON ({e}); its labels are skipped")

        qpath = PARTS / f"qrels_{part}.tsv"
        if not qpath.exists():
            log.warn(f"{qpath.relative_to(ROOT)} does not exist yet")
            continue
        with open(qpath, encoding="utf-8-sig") as f:
            for n, line in enumerate(f, start=1):
                cells = line.rstrip("\r\n").split("\t")
                if not line.strip() or (n == 1 and cells[0] == "query_id"):
                    continue
                if len(cells) < 3:
                    log.error(f"{qpath.relative_to(ROOT)}:{n}: expected 3 tab-separated cells; skipped")
                    continue
                qid, file, grade = cells[0].strip(), Path(cells[1].strip()).name, cells[2].strip()
                if grade not in ("0", "1", "2"):
                    log.error(f"{qpath.relative_to(ROOT)}:{n}: grade `{grade}` is not 1 or 2; skipped")
                    continue
                if grade != "0":
                    qrels.append((qid, file, int(grade)))
    return rows, labels, notes, qrels


def load_queries() -> dict[str, str]:
    path = REAL / "queries.tsv"
    out = {}
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f):
            cells = line.rstrip("\r\n").split("\t")
            if n == 0 and cells[0] == "id" or len(cells) < 2:
                continue
            out[cells[0].strip()] = cells[1].strip()
    return out


def counter_line(title: str, counts: collections.Counter, width: int = 14) -> str:
    items = "  ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"  {title:<{width}}{items}"


def cmd_merge(args: argparse.Namespace) -> int:
    log = Log()
    ids = theme_ids()
    if len(ids) != 19:
        log.warn(f"the taxonomy has {len(ids)} themes, not 19")
    idset = set(ids)
    rows, labels, notes, qrels = load_parts(log)
    queries = load_queries()

    # Manifest rows: unique file, unique URL, canonical prefecture, split by body.
    kept: list[dict] = []
    seen_file: dict[str, str] = {}
    seen_url: dict[str, str] = {}
    fixed_pref = collections.Counter()
    for row in rows:
        file = Path(row["file"]).name
        if file != row["file"]:
            log.warn(f"{row['part']}: `{row['file']}` given with a folder; using `{file}`")
            row["file"] = file
        if file in seen_file:
            log.error(f"`{file}` appears twice in the manifests ({seen_file[file]}, {row['part']}); later row dropped")
            continue
        url = norm_url(row["url"]) if row["url"] else ""
        if not url:
            log.warn(f"`{file}` has no URL")
        elif url in seen_url:
            log.error(f"URL of `{file}` is the URL of `{seen_url[url]}` ({row['url']}); `{file}` dropped")
            continue
        pref = canonical_prefecture(row["prefecture"])
        if pref is None:
            log.error(f"`{file}`: unknown prefecture `{row['prefecture']}`; kept as is, region unknown")
            pref = row["prefecture"]
        elif pref != row["prefecture"]:
            fixed_pref[f"{row['prefecture']}→{pref}"] += 1
            row["prefecture"] = pref
        if not row["body"]:
            log.error(f"`{file}`: empty `body`")
        if not re.fullmatch(r"\d{4}", row["year"]):
            log.warn(f"`{file}`: year `{row['year']}` is not a western year" if row["year"] else f"`{file}`: no year")
        row["region"] = PREFECTURES.get(pref, "unknown")
        row["era"] = era_of(row["year"])
        row["split"] = split_of(row["part"])
        row["round"] = str(round_of(row["part"]))
        row["round1_split"] = round1_split_of(body_key(pref, row["body"])) if row["round"] == "1" else ""
        seen_file[file] = row["part"]
        if url:
            seen_url[url] = file
        kept.append(row)
    if fixed_pref:
        print(
            "note: prefecture written in full: " + ", ".join(f"{k} ×{v}" for k, v in sorted(fixed_pref.items())),
            file=sys.stderr,
        )

    # A test body must be new: one that an earlier round already has is dropped from test.
    dev_bodies = {body_key(r["prefecture"], r["body"]) for r in kept if r["split"] == "dev"}
    for row in [r for r in kept if r["split"] == "test"]:
        if body_key(row["prefecture"], row["body"]) in dev_bodies:
            log.error(f"`{row['file']}`: held-out body `{row['body']}` is also in dev; dropped")
            kept.remove(row)
    # A body name under two prefectures is worth a look (homonym or a typo).
    prefs_of_body = collections.defaultdict(set)
    for row in kept:
        prefs_of_body[row["body"]].add(row["prefecture"])
    for body, prefs in sorted(prefs_of_body.items()):
        if len(prefs) > 1:
            log.warn(f"body `{body}` appears under several prefectures: {sorted(prefs)} (homonym or typo?)")

    # Texts on disk.
    by_file = {r["file"]: r for r in kept}
    on_disk = {p.name for p in TEXTS.glob("*.txt")} if TEXTS.is_dir() else set()
    for file in by_file:
        if file not in on_disk:
            log.warn(f"`{file}` is in the manifest but not in eval/real/texts/")
        elif (TEXTS / file).stat().st_size == 0:
            log.warn(f"eval/real/texts/{file} is empty")
    for file in sorted(on_disk - set(by_file)):
        log.warn(f"eval/real/texts/{file} has no manifest row (not in the set)")
    # The same text saved twice under two URLs.
    by_hash = collections.defaultdict(list)
    for file in sorted(by_file):
        if file in on_disk:
            text = re.sub(r"\s+", "", (TEXTS / file).read_text(encoding="utf-8", errors="replace"))
            by_hash[hashlib.blake2b(text.encode()).hexdigest()].append(file)
    for files in by_hash.values():
        if len(files) > 1:
            log.warn(f"identical texts (apart from whitespace): {', '.join(files)}")

    # Labels.
    split_labels = {"dev": {}, "test": {}}
    split_notes = {"dev": {}, "test": {}}
    for file, row in sorted(by_file.items()):
        key = label_key(file)
        if key not in labels:
            log.warn(f"`{file}` has no labels (left out of labels_{row['split']}.json)")
            continue
        present = []
        for t in labels[key]:
            if t not in idset:
                log.error(f"`{file}`: unknown theme id `{t}` dropped")
            elif t not in present:
                present.append(t)
        split_labels[row["split"]][key] = {"present": present}
        if key in notes:
            split_notes[row["split"]][key] = notes[key]
    for key in sorted(set(labels) - {label_key(f) for f in by_file}):
        log.warn(f"labels for `{key}` but no manifest row; dropped")

    # Qrels.
    grades: dict[tuple[str, str], int] = {}
    for qid, file, grade in qrels:
        if qid not in queries:
            log.error(f"qrels: unknown query id `{qid}` ({file}); skipped")
            continue
        if file not in by_file:
            log.warn(f"qrels: `{qid}` → `{file}` has no manifest row; skipped")
            continue
        if (qid, file) in grades and grades[(qid, file)] != grade:
            log.error(f"qrels: `{qid}` → `{file}` graded {grades[(qid, file)]} and {grade}; the higher kept")
        grades[(qid, file)] = max(grade, grades.get((qid, file), 0))

    if args.dry_run:
        print("dry run: nothing written", file=sys.stderr)
    else:
        with open(REAL / "manifest.csv", "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=OUT_COLUMNS, lineterminator="\n")
            w.writeheader()
            for row in sorted(kept, key=lambda r: r["file"]):
                w.writerow({c: row.get(c, "") for c in OUT_COLUMNS})
        for split in ("dev", "test"):
            doc = {
                "description": (
                    f"Real-text evaluation set, {split} split (bodies assigned by hash; see eval/real/README.md). "
                    "present = explicit commitment, pillar, measure, target, action-table item or a TOC/outline "
                    "heading naming a pillar; history, background, purpose clauses, glossary and boilerplate = absent."
                ),
                "labels": dict(sorted(split_labels[split].items())),
                "notes": dict(sorted(split_notes[split].items())),
            }
            (REAL / f"labels_{split}.json").write_text(
                json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
        with open(REAL / "qrels.tsv", "w", encoding="utf-8", newline="") as f:
            f.write("query_id\tfile\tgrade\tsplit\n")
            for (qid, file), grade in sorted(grades.items()):
                f.write(f"{qid}\t{file}\t{grade}\t{by_file[file]['split']}\n")

    # Counts.
    def bodies(rs):
        return {body_key(r["prefecture"], r["body"]) for r in rs}

    print(f"files {len(kept)}  bodies {len(bodies(kept))}  texts on disk {len(set(by_file) & on_disk)}")
    for split in ("dev", "test"):
        rs = [r for r in kept if r["split"] == split]
        q = [(k, g) for k, g in grades.items() if by_file[k[1]]["split"] == split]
        nq = len({k[0] for k, _ in q})
        n_labels = sum(len(v["present"]) for v in split_labels[split].values())
        print(
            f"{split:<5} files {len(rs):>3}  bodies {len(bodies(rs)):>3}  labelled {len(split_labels[split]):>3}"
            f" ({n_labels} present labels)  qrels {len(q):>3} (grade 2: {sum(g == 2 for _, g in q)})"
            f"  queries with ≥1 relevant {nq}/{len(queries)}"
        )
    for col in ("part", "body_type", "plan_type", "era", "region"):
        print(f"by {col}:")
        for split in ("dev", "test"):
            print(counter_line(split, collections.Counter(r[col] for r in kept if r["split"] == split), 6))
    theme_counts = collections.Counter(t for s in split_labels.values() for v in s.values() for t in v["present"])
    print("present labels per theme (dev+test):")
    print("  " + "  ".join(f"{t} {theme_counts.get(t, 0)}" for t in ids))
    no_rel = [q for q in queries if not any(k[0] == q for k in grades)]
    if no_rel:
        print(f"queries with no relevant document yet: {' '.join(no_rel)}")
    print(f"{log.errors} error(s), {log.warnings} warning(s)", file=sys.stderr)
    return 1 if log.errors else 0


# ---------------------------------------------------------------- check-overlap


def eval_rows() -> list[dict]:
    merged = REAL / "manifest.csv"
    if merged.exists():
        return read_csv(merged)
    rows = []
    for part in part_names():
        rows += read_csv(PARTS / f"manifest_{part}.csv")
    return rows


def cmd_check_overlap(args: argparse.Namespace) -> int:
    rows = eval_rows()
    if not rows:
        print("error: no evaluation rows (run `merge` first)", file=sys.stderr)
        return 2
    eval_urls = {norm_url(r["url"]): r["file"] for r in rows if r.get("url")}
    eval_bodies = collections.defaultdict(list)
    for r in rows:
        eval_bodies[r["body"].strip()].append(r["file"])
    eval_names = {Path(r["file"]).name: r["file"] for r in rows}
    url_tails = {}
    for r in rows:
        tail = urllib.parse.unquote(urllib.parse.urlsplit(r.get("url", "")).path).rstrip("/").rsplit("/", 1)[-1]
        if tail:
            url_tails.setdefault(tail.lower(), []).append(r["file"])
    findings: list[str] = []

    # corpus/manifest.csv: the shipped corpus.
    corpus_manifest = ROOT / "corpus" / "manifest.csv"
    corpus_body_of = {}
    if corpus_manifest.exists():
        for r in read_csv(corpus_manifest):
            corpus_body_of[Path(r.get("path", "")).name] = r.get("municipality", "")
            if r.get("url") and norm_url(r["url"]) in eval_urls:
                findings.append(f"URL: corpus/manifest.csv {r['path']} = {eval_urls[norm_url(r['url'])]} ({r['url']})")
            m = (r.get("municipality") or "").strip()
            if m and m in eval_bodies:
                findings.append(f"body: {m} is in corpus/manifest.csv ({r['path']}) and in the set ({', '.join(eval_bodies[m])})")
    else:
        print("note: corpus/manifest.csv not found", file=sys.stderr)

    # tests/gold/*.json: their keys, and the bodies their texts name near the top.
    def head_of(key: str) -> str | None:
        for base in (ROOT, ROOT.parent / "shared" / "seeds", ROOT.parent / "shared"):
            p = base / key
            if p.is_file():
                try:
                    return p.read_bytes()[:1500].decode("utf-8", errors="ignore")
                except OSError:
                    return None
        return None

    long_bodies = [b for b in eval_bodies if len(b) >= 2]
    for gold in sorted((ROOT / "tests" / "gold").glob("*.json")):
        try:
            keys = json.loads(gold.read_text(encoding="utf-8")).get("labels", {}).keys()
        except (OSError, json.JSONDecodeError) as e:
            print(f"note: {gold.relative_to(ROOT)} unreadable ({e})", file=sys.stderr)
            continue
        for key in keys:
            name = Path(key).name
            where = f"{gold.relative_to(ROOT)} key {key}"
            if name in eval_names:
                findings.append(f"file name: {where} = eval file {eval_names[name]}")
            body = corpus_body_of.get(name)
            if body and body in eval_bodies:
                findings.append(f"body: {where} is {body}, also in the set ({', '.join(eval_bodies[body])})")
            head = head_of(key)
            if head:
                for b in long_bodies:
                    if b in head and b != body:
                        findings.append(
                            f"mention: the start of {key} ({gold.name}) names {b}, a body of the set "
                            f"({', '.join(eval_bodies[b])}); check by hand"
                        )

    # ../shared/realworld and ../shared/seeds file names (and the realworld manifests' sources).
    shared = ROOT.parent / "shared"
    for sub in ("realworld", "seeds"):
        base = shared / sub
        if not base.is_dir():
            print(f"note: {base} not found", file=sys.stderr)
            continue
        for p in sorted(base.rglob("*")):
            if not p.is_file():
                continue
            rel = p.relative_to(shared)
            if p.name in eval_names:
                findings.append(f"file name: shared/{rel} = eval file {p.name}")
            for tail, files in url_tails.items():
                stem = p.stem.split("__")[-1].lower()
                if p.name.lower() == tail or (len(stem) >= 6 and stem == Path(tail).stem):
                    findings.append(f"file name: shared/{rel} looks like the URL of {', '.join(files)}")
            for b in long_bodies:
                if b in p.name:
                    findings.append(f"body: shared/{rel} is named after {b} ({', '.join(eval_bodies[b])})")
            if p.name == "MANIFEST.tsv" or sub == "seeds":
                head = p.read_bytes()[:200_000].decode("utf-8", errors="ignore")
                for url, file in eval_urls.items():
                    if url and url in head:
                        findings.append(f"URL: shared/{rel} mentions the URL of {file}")
                if sub == "seeds":
                    for b in long_bodies:
                        if b in head[:1500]:
                            findings.append(
                                f"mention: the start of shared/{rel} names {b} ({', '.join(eval_bodies[b])}); check by hand"
                            )

    findings = sorted(set(findings))
    for f in findings:
        print(f)
    print(
        f"{len(findings)} overlap finding(s) for {len(rows)} files, {len(eval_bodies)} body names, {len(eval_urls)} URLs",
        file=sys.stderr,
    )
    return 1 if any(f.startswith(("URL:", "body:", "file name:")) for f in findings) else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("merge", help="merge eval/real/parts into the set's files, with checks and counts")
    m.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    m.set_defaults(func=cmd_merge)
    c = sub.add_parser("check-overlap", help="URLs and bodies shared with tests/gold, corpus/ and ../shared")
    c.set_defaults(func=cmd_check_overlap)
    args = ap.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
