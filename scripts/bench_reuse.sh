#!/usr/bin/env bash
# `gyokaku reuse` on a generated scale corpus: passages compared, candidate pairs, verified
# pairs, clusters, wall time and peak memory (the index is ingested first if missing).
# usage: scripts/bench_reuse.sh [MEGABYTES]   (default 60)
# GYOKAKU_BIN overrides the binary (default: a release build); GYOKAKU_BENCH_DIR the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-60}
bin=${GYOKAKU_BIN:-target/release/gyokaku}
if [ -z "${GYOKAKU_BIN:-}" ]; then cargo build --release --quiet; fi
work=${GYOKAKU_BENCH_DIR:-/tmp/gyokaku-reuse-scale$mb}
mkdir -p "$work"
if [ ! -d "$work/corpus" ]; then
  python3 scripts/make_scale_corpus.py "$work/corpus" --megabytes "$mb"
fi
if [ ! -d "$work/index/tantivy" ]; then
  "$bin" ingest "$work/corpus" --index "$work/index" --jobs 2 --quiet --no-progress
fi
/usr/bin/time -v "$bin" reuse --index "$work/index" --format json > "$work/reuse.json" \
  2> "$work/time.txt"
secs=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
rss=$(grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
python3 - "$work/reuse.json" "$secs" "$rss" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
secs, rss = float(sys.argv[2]), int(sys.argv[3])
clusters = report["clusters"]
members = sum(len(c["members"]) for c in clusters)
print(f"{report['passages']} passages, {report['candidates']} candidate pairs, "
      f"{report['pairs']} pairs ≥ {report['threshold']}, {len(clusters)} clusters "
      f"({members} member passages, largest {max((len(c['members']) for c in clusters), default=0)})")
print(f"{secs:.1f} s wall, peak RSS {rss/1024:.0f} MB")
PY
