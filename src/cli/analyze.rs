//! `gyokaku analyze`: the index's Japanese analysis of a text, like Elasticsearch's `_analyze`.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::{Term, bigram_terms, body_terms};
use crate::model::{Extracted, Format, Page, Passage};
use crate::output;
use crate::segment::segment;
use crate::tokenize::JapaneseTokenizer;

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A text file, or `-` (the default) for standard input.
    pub file: Option<PathBuf>,
    /// `text`: one line per passage with its `body` tokens. `json`: tokens of both fields with
    /// positions and offsets.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,
    /// Extra user-dictionary entries, as for `gyokaku ingest --user-dict`.
    #[arg(long)]
    pub user_dict: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AnalyzeFormat {
    Text,
    Json,
}

#[derive(Serialize)]
struct TokenJson<'a> {
    field: &'static str,
    token: &'a str,
    position: usize,
    start: usize,
    end: usize,
}

/// Passages analysed and printed together by the text format.
const TEXT_CHUNK_PASSAGES: usize = 1024;

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let text = match args.file.as_deref() {
        None => read_stdin()?,
        Some(path) if path.as_os_str() == "-" => read_stdin()?,
        Some(path) => {
            fs_err::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?
        }
    };
    let tokenizer = JapaneseTokenizer::with_user_dict(args.user_dict.as_deref())?;
    let tokenizer = &tokenizer;
    let document =
        Extracted::new(Format::Text, vec![Page { number: 1, text, headings: Vec::new() }]);
    let passages = segment(&document);
    match args.format {
        AnalyzeFormat::Text => {
            // Streamed in chunks of passages, each chunk analysed in parallel (as ingest does)
            // and printed in order, so memory stays flat however long the input is.
            for chunk in passages.chunks(TEXT_CHUNK_PASSAGES) {
                let analysed = analyse(tokenizer, chunk)?;
                let mut text = String::new();
                for body in &analysed {
                    let tokens: Vec<&str> = body.iter().map(|t| t.text.as_str()).collect();
                    text.push_str(&tokens.join(" "));
                    text.push('\n');
                }
                output::data_raw(text.as_bytes());
            }
        }
        AnalyzeFormat::Json => {
            let analysed = analyse(tokenizer, &passages)?;
            let json: Vec<serde_json::Value> = passages
                .iter()
                .zip(&analysed)
                .map(|(passage, body)| {
                    let bigrams = bigram_terms(&passage.text);
                    let tokens: Vec<TokenJson<'_>> = tokens_json("body", body)
                        .chain(tokens_json("body_bigram", &bigrams))
                        .collect();
                    serde_json::json!({
                        "heading": passage.heading(),
                        "text": passage.text,
                        "tokens": tokens,
                    })
                })
                .collect();
            output::data(&serde_json::to_string_pretty(&json)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The `body` terms of each passage, analysed in parallel as ingest does, in order.
fn analyse(tokenizer: &JapaneseTokenizer, passages: &[Passage]) -> anyhow::Result<Vec<Vec<Term>>> {
    Ok(passages
        .par_iter()
        .map(|passage| body_terms(tokenizer, &passage.text))
        .collect::<Result<_, _>>()?)
}

fn tokens_json<'a>(field: &'static str, terms: &'a [Term]) -> impl Iterator<Item = TokenJson<'a>> {
    terms.iter().map(move |t| TokenJson {
        field,
        token: &t.text,
        position: t.position,
        start: t.start,
        end: t.end,
    })
}

fn read_stdin() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).context("reading standard input")?;
    Ok(text)
}
