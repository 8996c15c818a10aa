#!/usr/bin/env python3
"""Analysis throughput of gyokaku beside MeCab on the same text, in one run.

gyokaku: `gyokaku analyze` = segmentation into passages + NFKC/variant normalisation +
         lindera morphemes + stop-POS filtering + base forms (the index's `body` field),
         once on one thread (RAYON_NUM_THREADS=1) and once on all cores.
MeCab:   `mecab -Owakati` with IPADIC (the same dictionary), segmentation only, one thread.
lindera: lindera alone on the same dictionary (examples/lindera_bare.rs), normal and search
         mode, one thread: the ceiling for anything built on lindera.
Reports best-of-5 wall-clock and CPU seconds, MB/s and the ratios.
Needs: apt-get install -y mecab mecab-ipadic-utf8, and a release build (cargo build --release).
"""
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def measure(cmd, text_path, env=None, rounds=5):
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with open(text_path, "rb") as stdin:
            subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL, check=True, env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def main():
    if not shutil.which("mecab"):
        sys.exit("install MeCab: apt-get install -y mecab mecab-ipadic-utf8")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "lindera_bare"], cwd=ROOT, check=True)
    binary = str(ROOT / "target/release/gyokaku")
    bare = str(ROOT / "target/release/examples/lindera_bare")
    seeds = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests/fixtures/seeds").glob("*.txt")))
    with tempfile.TemporaryDirectory() as tmp:
        text_path = pathlib.Path(tmp) / "text.txt"
        text_path.write_text(seeds * 200, encoding="utf-8")
        mb = text_path.stat().st_size / 1e6
        one = dict(os.environ, RAYON_NUM_THREADS="1")
        rows = [
            ("mecab -Owakati", measure(["mecab", "-Owakati"], text_path)),
            ("lindera alone, normal mode", measure([bare], text_path)),
            ("lindera alone, search mode", measure([bare, "--search"], text_path)),
            ("gyokaku analyze (1 thread)", measure([binary, "analyze"], text_path, env=one)),
            ("gyokaku analyze (all cores)", measure([binary, "analyze"], text_path)),
        ]
    mecab_wall, mecab_cpu = rows[0][1]
    print(f"text: {mb:.1f} MB of plan text (the five seeds x 200), {os.cpu_count()} CPUs")
    print(f"{'command':30} {'wall s':>7} {'MB/s':>6} {'ratio':>6} {'cpu s':>7} {'MB/cpu-s':>8} {'ratio':>6}")
    for name, (wall, cpu) in rows:
        print(f"{name:30} {wall:7.2f} {mb / wall:6.1f} {mecab_wall / wall:6.2f} "
              f"{cpu:7.2f} {mb / cpu:8.1f} {mecab_cpu / cpu:6.2f}")


if __name__ == "__main__":
    main()
