#!/bin/bash
# Runs every cargo-fuzz target for a bounded time (default 60 s each), seeded with the
# shipped corpus and the hostile fixtures. Not part of `cargo test`.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Needs `cargo install cargo-fuzz` and a nightly toolchain. The first build takes long (every
# dependency is built with coverage instrumentation: 38 min on a busy 2-core machine). Crashing inputs land in
# fuzz/artifacts/<target>/; copy each into tests/fixtures/fuzz/<target>/ as a regression
# input (tests/it/batch.rs replays them, with every hostile fixture) after fixing the bug.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(pdf html extract manifest config taxonomy)
fi

seed() {
    local target=$1 dir=fuzz/corpus/$1
    mkdir -p "$dir"
    case $target in
        pdf) cp corpus/*.pdf tests/fixtures/hostile/*.pdf "$dir"/ ;;
        html) cp corpus/*.html tests/fixtures/hostile/*.html "$dir"/ ;;
        extract) cp corpus/*.pdf corpus/*.html tests/fixtures/hostile/* scripts/corpus/templates/*.txt "$dir"/ ;;
        manifest) cp corpus/manifest.csv "$dir"/ ;;
        config) printf 'name = "partner-2026"\ninputs = ["corpus/", "more/*.pdf"]\nmanifest = "corpus/manifest.csv"\ntaxonomy = "default"\nindex = "index/"\noutput = "runs/"\njobs = 2\n[limits]\nmax_file_mb = 200\nseconds_per_document = 120\n' > "$dir/contract.toml" ;;
        taxonomy) cp taxonomy/*.toml "$dir"/ ;;
    esac
    if [ -d "tests/fixtures/fuzz/$target" ]; then
        cp tests/fixtures/fuzz/"$target"/* "$dir"/ 2>/dev/null || true
    fi
}

# Our code forbids `unsafe`, so panics, hangs and memory blow-ups are what we look for; no
# sanitizer keeps the build and the runs fast. FUZZ_SANITIZER=address for the full check.
sanitizer=${FUZZ_SANITIZER:-none}
status=0
for target in "${targets[@]}"; do
    seed "$target"
    echo "== fuzzing $target for ${seconds}s" >&2
    # `pdf` and `html` link only their crates; leave the dictionary-embedding gyokaku out.
    features=()
    case $target in pdf | html) features=(--no-default-features) ;; esac
    if ! cargo +nightly fuzz run --sanitizer "$sanitizer" "${features[@]}" "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -max_len=1048576 \
        -print_final_stats=1; then
        echo "== $target: crash, see fuzz/artifacts/$target/" >&2
        status=1
    fi
done
exit $status
