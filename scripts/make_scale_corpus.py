#!/usr/bin/env python3
"""Generate a scale corpus for the ingest benchmark (not committed).

The five seed plans, replicated and perturbed: paragraphs shuffled per copy, the
municipality names replaced by generated names, digits changed, so that no two documents are
identical. Like the real country, the corpus has 1,741 municipalities (--municipalities) in 47
prefectures, each with plans of several years; `--municipalities 0` gives every document its
own municipality (an unrealistically wide municipality facet). Writes text files and a
manifest.csv into OUT.

usage: scripts/make_scale_corpus.py OUT [--megabytes 60] [--municipalities 1741]
"""
import argparse
import pathlib
import random

CITIES = ["芽室町", "所沢市", "苫小牧市", "藤枝市", "岡崎市"]
HEADS = "北南東西中新上下大小本古高長山川田野原島松竹梅桜花森林石岡浜津"
TAILS = "沢谷浦崎橋井村里瀬坂丘台宮城野岩泉湊"
SUFFIX = ["市", "町", "村"]
PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 "
    "神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 "
    "大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 "
    "福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()


def city_name(i):
    a = HEADS[i % len(HEADS)]
    b = TAILS[(i // len(HEADS)) % len(TAILS)]
    c = HEADS[(i // (len(HEADS) * len(TAILS))) % len(HEADS)]
    return f"{a}{c}{b}{SUFFIX[i % 3]}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--megabytes", type=float, default=60)
    parser.add_argument("--municipalities", type=int, default=1741,
                        help="distinct municipalities (Japan has 1,741); 0 = one per document")
    args = parser.parse_args()
    root = pathlib.Path(__file__).resolve().parent.parent
    seeds = [p.read_text(encoding="utf-8") for p in sorted((root / "tests/fixtures/seeds").glob("*.txt"))]
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261121)
    rows = ["path,municipality,prefecture,year"]
    total, i = 0, 0
    while total < args.megabytes * 1e6:
        town = i % args.municipalities if args.municipalities else i
        plan_round = i // args.municipalities if args.municipalities else 0
        name = city_name(town)
        prefecture = PREFECTURES[town % len(PREFECTURES)]
        paragraphs = [p for seed in rng.sample(seeds, 3) for p in seed.split("\n\n")]
        rng.shuffle(paragraphs)
        text = "\n\n".join(paragraphs)
        for city in CITIES:
            text = text.replace(city, name)
        text = "".join(str(rng.randint(0, 9)) if ch.isdigit() and rng.random() < 0.3 else ch for ch in text)
        path = out / f"plan_{i:06d}.txt"
        path.write_text(text, encoding="utf-8")
        total += path.stat().st_size
        rows.append(f"{path.name},{name},{prefecture},{2000 + (town + plan_round * 3) % 25}")
        i += 1
    (out / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{i} documents, {total / 1e6:.1f} MB in {out}")


if __name__ == "__main__":
    main()
