#!/usr/bin/env bash
# Speed of gyokaku's PDF text extraction beside pdftotext (poppler-utils), measured in one
# run on the same files, one process per file for both tools, single-threaded.
#
# Usage: scripts/bench_pdf.sh [ROUNDS] [FILES...]
#   default files: ../shared/realworld/pdf/*.pdf (read in place) + tests/fixtures/pdf/*.pdf
# Needs: cargo build --release --example pdftext; apt-get install poppler-utils poppler-data
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
shift || true
bin=target/release/examples/pdftext
[ -x "$bin" ] || { echo "build first: cargo build --release --example pdftext" >&2; exit 2; }
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  files=(../shared/realworld/pdf/*.pdf tests/fixtures/pdf/*.pdf)
fi
# Files both tools can open (the password-protected fixture is skipped).
readable=()
pages=0
for f in "${files[@]}"; do
  # Scans are OCR'd (seconds per page): scripts/eval_ocr.py measures them.
  case "$(basename "$f")" in scan_*) continue ;; esac
  n=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}') || true
  [ -n "${n:-}" ] || continue
  readable+=("$f")
  pages=$((pages + n))
done
extract_ours() { "$bin" "$1"; }
extract_peer() { pdftotext -q -enc UTF-8 "$1" -; }
run() {
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$rounds"); do
    for f in "${readable[@]}"; do "$1" "$f" >/dev/null 2>&1 || true; done
  done
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
ours=$(run extract_ours)
peer=$(run extract_peer)
total=$((pages * rounds))
printf 'files: %d, pages: %d, rounds: %d\n' "${#readable[@]}" "$pages" "$rounds"
printf 'gyokaku:   %.2f s, %.1f pages/s\n' "$ours" "$(echo "$total / $ours" | bc -l)"
printf 'pdftotext: %.2f s, %.1f pages/s\n' "$peer" "$(echo "$total / $peer" | bc -l)"
printf 'ratio (gyokaku pages/s / pdftotext pages/s): %.2f\n' "$(echo "$peer / $ours" | bc -l)"
