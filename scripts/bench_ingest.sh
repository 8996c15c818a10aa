#!/usr/bin/env bash
# Ingest throughput, index size and peak memory on a generated scale corpus, then query
# latency (p50/p99 over 30 queries) on the resulting index, optionally beside Groonga.
# usage: scripts/bench_ingest.sh [MEGABYTES]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-60}
cargo build --release --quiet
work=${GYOKAKU_BENCH_DIR:-/tmp/gyokaku-scale}
rm -rf "$work" && mkdir -p "$work"
python3 scripts/make_scale_corpus.py "$work/corpus" --megabytes "$mb"
bytes=$(du -sb "$work/corpus" | cut -f1)
/usr/bin/time -v target/release/gyokaku ingest "$work/corpus" --index "$work/index" --jobs 2 \
  2> "$work/time.txt" || true
grep -E "new or changed" "$work/time.txt" || true
secs=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
rss=$(grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
passages=$(grep -oE "[0-9]+ passages" "$work/time.txt" | head -1 | cut -d' ' -f1)
size=$(du -sb "$work/index/tantivy" | cut -f1)
python3 - "$bytes" "$secs" "$rss" "$passages" "$size" <<'PY'
import sys
b, s, rss, p, size = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4] or 0), int(sys.argv[5])
print(f"corpus {b/1e6:.1f} MB, {p} passages, {s:.1f} s: {b/1e6/s:.2f} MB/s, {p/s:.0f} passages/s")
print(f"peak RSS {rss/1024:.0f} MB, index {size/1e6:.1f} MB")
PY
GYOKAKU_BENCH_INDEX="$work/index" cargo bench --quiet --bench query_latency
