//! Evaluates theme presence on plain-text plans against a gold file, for gyokaku and for the
//! naive "any strong keyword anywhere" baseline, without building an index.
//!
//! `cargo run --example themes_eval -- GOLD.json FILE.txt...`
//! Passages come from a simple line-based segmenter (numbered and bracketed headings), so
//! the numbers can be reproduced on text that is not in the corpus.

use std::collections::BTreeSet;

use gyokaku::model::{DocMeta, Passage};
use gyokaku::themes::eval::{Gold, evaluate, predict};
use gyokaku::themes::{DocumentInput, Taxonomy};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (gold_path, files) =
        args.split_first().ok_or_else(|| anyhow::anyhow!("usage: GOLD FILE..."))?;
    let taxonomy = Taxonomy::embedded_default()?;
    let ids: Vec<&str> = taxonomy.theme_ids().collect();
    let gold = Gold::load(std::path::Path::new(gold_path), &ids)?;
    let texts: Vec<(String, Vec<Passage>)> = files
        .iter()
        .map(|f| Ok((f.clone(), plain_text_passages(&fs_err::read_to_string(f)?))))
        .collect::<anyhow::Result<_>>()?;
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
    let _: BTreeSet<()> = BTreeSet::new();
    Ok(())
}

#[allow(clippy::print_stdout)] // An example's report goes to stdout.
fn gyokaku_print(line: &str) {
    println!("{line}");
}

/// Lines that look like headings start sections; other non-empty lines are passages.
fn plain_text_passages(text: &str) -> Vec<Passage> {
    let mut headings: Vec<(u8, String)> = Vec::new();
    let mut passages = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(level) = heading_level(line) {
            headings.retain(|(l, _)| *l < level);
            headings.push((level, line.to_owned()));
            continue;
        }
        passages.push(Passage {
            ordinal: u32::try_from(passages.len()).unwrap_or(u32::MAX),
            page: 1,
            heading_path: headings.iter().map(|(_, h)| h.clone()).collect(),
            text: line.to_owned(),
        });
    }
    passages
}

fn heading_level(line: &str) -> Option<u8> {
    let short = line.chars().count() <= 40 && !line.ends_with('。');
    if !short {
        return None;
    }
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| line.starts_with(p));
    if line.starts_with('第')
        && line.chars().nth(1).is_some_and(|c| c.is_numeric() || "一二三四五六七八九十".contains(c))
    {
        return Some(1);
    }
    if line.starts_with('【') && line.ends_with('】')
        || starts(&["柱", "重点取組", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "その"])
    {
        return Some(2);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with([' ', '　', '.']) {
        return Some(2);
    }
    if line.starts_with('(') && line.chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
        return Some(3);
    }
    None
}
