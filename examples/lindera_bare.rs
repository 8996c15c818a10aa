//! lindera alone on standard input, line by line, one thread: the ceiling for gyokaku's
//! analysis in `scripts/bench_analysis.py`. `--search` uses lindera's search (decompose)
//! mode as gyokaku does; without it, normal mode. Prints the number of tokens.

use std::io::Read;

use gyokaku::tokenize::BareSegmenter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let search_mode = std::env::args().any(|arg| arg == "--search");
    let segmenter = BareSegmenter::new(search_mode)?;
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let mut tokens = 0;
    for line in text.lines() {
        tokens += segmenter.count(line)?;
    }
    std::io::Write::write_all(&mut std::io::stdout(), format!("{tokens} tokens\n").as_bytes())?;
    Ok(())
}
