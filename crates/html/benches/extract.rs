//! Main-text extraction of the HTML fixtures (`tests/fixtures/html/*.html`: Shift_JIS,
//! EUC-JP, ISO-2022-JP and UTF-8 pages of real municipal sites), through this crate alone:
//! decoding, main text, boilerplate, rendering and metadata; no dictionary, no pipeline.
//!
//! `cargo bench -p gyokaku-html --bench extract` (CI only checks that it builds: `--no-run`).

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gyokaku_html::{SourceHints, all_links, extract_html};

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/html");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("the HTML fixtures")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "html"))
        .filter_map(|path| {
            let name = path.file_stem()?.to_string_lossy().into_owned();
            Some((name, std::fs::read(&path).expect("a fixture")))
        })
        .collect();
    files.sort();
    files
}

fn extract(c: &mut Criterion) {
    let files = fixtures();
    assert!(files.len() >= 5, "{} fixtures", files.len());
    let hints = SourceHints::default();
    let chars: usize = files
        .iter()
        .map(|(name, bytes)| {
            let extracted = extract_html(bytes, &hints).unwrap_or_else(|e| panic!("{name}: {e}"));
            extracted.pages.iter().map(|p| p.text.chars().count()).sum::<usize>()
        })
        .sum();
    assert!(chars > 1_000, "{chars} characters of main text");
    let bytes: usize = files.iter().map(|(_, bytes)| bytes.len()).sum();
    let mut group = c.benchmark_group("html");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("fixtures", |b| {
        b.iter(|| {
            let mut n = 0;
            for (_, bytes) in &files {
                let extracted = extract_html(bytes, &hints).expect("a fixture");
                n += extracted.pages.iter().map(|p| p.text.chars().count()).sum::<usize>();
            }
            assert_eq!(n, chars);
            n
        })
    });
    // What the crawler asks of every page it fetches.
    group.bench_function("all_links", |b| {
        b.iter(|| files.iter().map(|(_, bytes)| all_links(bytes, None).len()).sum::<usize>())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = extract
}
criterion_main!(benches);
