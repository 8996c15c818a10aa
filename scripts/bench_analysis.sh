#!/usr/bin/env bash
# Analysis throughput of gyokaku beside MeCab on the same text, in one run.
#   gyokaku: `gyokaku analyze` = segmentation into passages + NFKC/variant normalisation +
#            lindera morphemes + stop-POS filtering + base forms (the index's `body` field).
#   MeCab:   `mecab -Owakati` with IPADIC (the same dictionary), segmentation only.
# Needs: apt-get install -y mecab mecab-ipadic-utf8; a release build (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v mecab >/dev/null || { echo "install MeCab: apt-get install -y mecab mecab-ipadic-utf8" >&2; exit 2; }
cargo build --release --quiet
bin=target/release/gyokaku
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# About 20 MB of real plan text: the five seeds, repeated.
for _ in $(seq 1 300); do cat tests/fixtures/seeds/*.txt; done > "$work/text.txt"
bytes=$(stat -c %s "$work/text.txt")
best() { # best of 3 wall-clock seconds of a command reading text.txt
  local best=999999
  for _ in 1 2 3; do
    local start end
    start=$(date +%s.%N); "$@" < "$work/text.txt" > /dev/null; end=$(date +%s.%N)
    best=$(python3 -c "print(min($best, $end - $start))")
  done
  echo "$best"
}
ours=$(best "$bin" analyze)
mecab=$(best mecab -Owakati)
python3 - "$bytes" "$ours" "$mecab" <<'PY'
import sys
size, ours, mecab = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
mb = size / 1e6
print(f"text: {mb:.1f} MB")
print(f"gyokaku analyze : {ours:.2f} s  {mb/ours:.1f} MB/s")
print(f"mecab -Owakati  : {mecab:.2f} s  {mb/mecab:.1f} MB/s")
print(f"ratio gyokaku/MeCab: {(mb/ours)/(mb/mecab):.2f}x")
PY
