//! Throughput of theme scoring over the shipped corpus, repeated: passages per second for
//! `passage_theme_ids` (what ingest calls) and documents per second for document scoring.
//!
//! `cargo run --release --example themes_speed`

use std::path::Path;
use std::time::Instant;

use gyokaku::extract::{Limits, SourceHints, extract_file};
use gyokaku::segment::segment;
use gyokaku::themes::{Scorer, Taxonomy, passage_theme_ids};

#[allow(clippy::print_stdout)] // A measurement tool: its report goes to stdout.
fn main() -> anyhow::Result<()> {
    let taxonomy = Taxonomy::embedded_default()?;
    let mut passages = Vec::new();
    for name in ["memuro.pdf", "tokorozawa.pdf", "okazaki.pdf", "tomakomai.html", "fujieda.html"] {
        let path = Path::new("corpus").join(name);
        passages.extend(segment(&extract_file(
            &path,
            &Limits::default(),
            &SourceHints::default(),
        )?));
    }
    let chars: usize = passages.iter().map(|p| p.text.chars().count()).sum();
    let rounds = 20;
    let start = Instant::now();
    let mut facets = 0;
    for _ in 0..rounds {
        for p in &passages {
            facets += passage_theme_ids(taxonomy, &p.heading(), &p.text).len();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let n = (passages.len() * rounds) as f64;
    println!(
        "passage_theme_ids: {} passages ({} chars) x {rounds}: {:.0} passages/s, {:.2} MB/s ({facets} facets)",
        passages.len(),
        chars,
        n / seconds,
        (chars * rounds * 3) as f64 / seconds / 1e6
    );
    let scorer = Scorer::new(taxonomy);
    let start = Instant::now();
    for _ in 0..rounds {
        let _ = scorer.score_document("corpus", &passages);
    }
    println!(
        "score_document (whole corpus as one document): {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0 / rounds as f64
    );
    Ok(())
}
