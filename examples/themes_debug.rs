//! Prints the passages of one file with their theme hits, for inspecting the scorer.
//!
//! `cargo run --example themes_debug -- FILE [THEME_ID]`

use std::path::Path;

use gyokaku::extract::{Limits, SourceHints, extract_file};
use gyokaku::segment::segment;
use gyokaku::themes::{Scorer, Taxonomy};

#[allow(clippy::print_stdout)] // A debugging aid: its report goes to stdout.
fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or_else(|| anyhow::anyhow!("usage: FILE [THEME_ID]"))?;
    let taxonomy = Taxonomy::embedded_default()?;
    let only = args.get(1).and_then(|id| taxonomy.themes.iter().position(|t| &t.id == id));
    let passages =
        segment(&extract_file(Path::new(path), &Limits::default(), &SourceHints::default())?);
    let scorer = Scorer::new(taxonomy);
    for passage in scorer.score_passages(&passages) {
        let hits: Vec<String> = passage
            .hits
            .iter()
            .filter(|h| only.is_none_or(|t| t == h.theme))
            .map(|h| {
                format!(
                    "{}={:.2}{:?}{:?}",
                    taxonomy.themes[h.theme].id, h.weight, h.context, h.keywords
                )
            })
            .collect();
        if only.is_some() && hits.is_empty() {
            continue;
        }
        println!(
            "#{} p{} [{}]\n   {}\n   {}",
            passage.ordinal,
            passage.page,
            passage.heading,
            passage.text.replace('\n', "⏎"),
            hits.join(" ")
        );
    }
    let results = scorer.score_document(path, &passages);
    for (theme, result) in taxonomy.themes.iter().zip(&results) {
        if only.is_none_or(|t| taxonomy.themes[t].id == theme.id) {
            println!(
                "{:32} present={} raw={:.3} score={:.3}",
                theme.id, result.present, result.raw, result.score
            );
        }
    }
    Ok(())
}
