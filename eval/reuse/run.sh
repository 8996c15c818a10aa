#!/bin/sh
# Re-run the reuse evaluation: copies of the texts go to /tmp/reuse, indexes too.
# Needs texts/ and reference/ re-made first (see README.md) and ../real/texts/.
set -eu
BIN=${BIN:-/tmp/gyokaku-s6base}
HERE=$(cd "$(dirname "$0")" && pwd)
W=/tmp/reuse
mkdir -p "$W/small" "$W/real"
cp "$HERE"/texts/*.txt "$W/small/"
python3 - "$HERE/manifest.csv" "$W/small/manifest.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
with open(sys.argv[2], 'w', newline='', encoding='utf-8') as fh:
    w = csv.writer(fh); w.writerow(['path', 'municipality', 'prefecture', 'title', 'url'])
    for r in rows:
        if r['file'].startswith('texts/'):
            w.writerow([r['file'][6:], r['body'], r['prefecture'], r['title'], r['url']])
PY
cp "$HERE"/../real/texts/*.txt "$W/real/"
( echo "path,municipality"; for f in "$W"/real/*.txt; do b=$(basename "$f"); echo "$b,${b%.txt}"; done ) > "$W/real/manifest.csv"
"$BIN" ingest --index "$W/idx" --no-progress -q "$W/small"
"$BIN" ingest --index "$W/idx_real" --no-progress -q "$W/real"
for T in 0.3 0.45 0.6; do
  "$BIN" reuse --index "$W/idx" --format json --threshold $T --reference "$HERE/reference" --no-progress > "$W/out_small_$T.json"
  "$BIN" reuse --index "$W/idx_real" --format json --threshold $T --reference "$HERE/reference" --no-progress > "$W/out_real_$T.json"
done
# extra probe used for the guideline question
"$BIN" reuse --index "$W/idx" --format json --threshold 0.2 --reference "$HERE/reference" --no-progress > "$W/out_small_0.2.json"
"$BIN" export --index "$W/idx" --format ndjson --output "$W/exp_small" --no-progress -q
"$BIN" export --index "$W/idx_real" --format ndjson --output "$W/exp_real" --no-progress -q
echo "outputs in $W"
