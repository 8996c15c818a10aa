//! Evaluates theme presence on plain-text plans against a gold file, for gyokaku and for the
//! naive "any strong keyword anywhere" baseline, without building an index.
//!
//! `cargo run --example themes_eval -- GOLD.json FILE.txt...`
//! Files go through the same extraction and segmentation as `gyokaku ingest`, so the
//! numbers can be reproduced on files that are not in the corpus.

use std::path::Path;

use gyokaku::extract::{Limits, SourceHints, extract_file};
use gyokaku::model::{DocMeta, Passage};
use gyokaku::segment::segment;
use gyokaku::themes::eval::{Gold, evaluate, predict};
use gyokaku::themes::{DocumentInput, Taxonomy};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (gold_path, files) =
        args.split_first().ok_or_else(|| anyhow::anyhow!("usage: GOLD FILE..."))?;
    let taxonomy = Taxonomy::embedded_default()?;
    let ids: Vec<&str> = taxonomy.theme_ids().collect();
    let gold = Gold::load(Path::new(gold_path), &ids)?;
    let texts: Vec<(String, Vec<Passage>)> =
        files.iter().map(|f| Ok((f.clone(), file_passages(f)?))).collect::<anyhow::Result<_>>()?;
    let meta = DocMeta::default();
    let docs: Vec<DocumentInput<'_>> =
        texts.iter().map(|(p, ps)| DocumentInput { path: p, meta: &meta, passages: ps }).collect();
    let predictions = predict(taxonomy, &docs);
    for (name, predicted) in [("gyokaku", &predictions.gyokaku), ("naive", &predictions.naive)] {
        let report = evaluate(&ids, &gold, predicted);
        let line = format!(
            "{name:8} docs {} micro P {:.3} R {:.3} F1 {:.3} | macro P {:.3} R {:.3} F1 {:.3}",
            report.documents,
            report.micro.precision,
            report.micro.recall,
            report.micro.f1,
            report.macro_.precision,
            report.macro_.recall,
            report.macro_.f1
        );
        gyokaku_print(&line);
        if std::env::var_os("VERBOSE").is_some() {
            for e in &report.errors {
                gyokaku_print(&format!(
                    "   {}  FP {:?}  FN {:?}",
                    e.gold_key, e.false_positives, e.false_negatives
                ));
            }
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)] // An example's report goes to stdout.
fn gyokaku_print(line: &str) {
    println!("{line}");
}

/// Passages as `gyokaku ingest` makes them: extraction (PDF, HTML or text) and segmentation.
fn file_passages(path: &str) -> anyhow::Result<Vec<Passage>> {
    let extracted = extract_file(Path::new(path), &Limits::default(), &SourceHints::default())?;
    Ok(segment(&extracted))
}
