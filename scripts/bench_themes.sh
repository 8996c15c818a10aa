#!/usr/bin/env bash
# Theme-presence evaluation: gyokaku's commitment scoring and the naive "any strong keyword
# anywhere" matcher, side by side in one run, on four gold sets. Files go through the same
# extraction and segmentation as `gyokaku ingest`.
set -euo pipefail
cd "$(dirname "$0")/.."
eval_set() {
    echo "== $1"
    shift
    cargo run -q --example themes_eval -- "$@"
}
eval_set "shipped corpus (PDF/HTML renditions of the seeds; tuned)" tests/gold/corpus.json corpus/*.pdf corpus/*.html
eval_set "seed plans as text (tuned)" tests/gold/seeds.json tests/fixtures/seeds/*.txt
eval_set "held-back A (written before the scorer; errors seen during tuning)" tests/gold/heldout.json tests/gold/heldout/*.txt
eval_set "held-back B (written after tuning; never tuned on)" tests/gold/heldout_b.json tests/gold/heldout_b/*.txt
eval_set "held-back C (written with the scorer frozen; never tuned on)" tests/gold/heldout_c.json tests/gold/heldout_c/*.txt
