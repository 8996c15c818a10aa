//! Throughput of the Japanese analysis on real plan text (the seeds), in bytes per second.
//! Dictionary loading is measured apart from analysis.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gyokaku::analysis::{bigram_terms, body_terms};
use gyokaku::normalize::normalize;
use gyokaku::tokenize::JapaneseTokenizer;

const SEEDS: [&str; 5] = [
    include_str!("../tests/fixtures/seeds/000_a6022af20f4b03f2.txt"),
    include_str!("../tests/fixtures/seeds/001_8ecc679afb28ea7b.txt"),
    include_str!("../tests/fixtures/seeds/002_2d715f04701229ac.txt"),
    include_str!("../tests/fixtures/seeds/003_81d845088d714549.txt"),
    include_str!("../tests/fixtures/seeds/004_55fed4913e2e52af.txt"),
];

fn analysis(c: &mut Criterion) {
    let text = SEEDS.join("\n");
    let tokenizer = JapaneseTokenizer::shared().expect("embedded dictionary loads");
    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("normalize", |b| b.iter(|| normalize(&text)));
    group.bench_function("body_terms", |b| {
        b.iter(|| {
            let terms = body_terms(tokenizer, &text).expect("analysis");
            assert!(terms.len() > 5_000);
            terms
        })
    });
    group.bench_function("bigram_terms", |b| {
        b.iter(|| {
            let terms = bigram_terms(&text);
            assert!(terms.len() > 10_000);
            terms
        })
    });
    group.finish();
    c.bench_function("dictionary_load", |b| {
        b.iter(|| JapaneseTokenizer::with_user_dict(None).expect("dictionary loads"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = analysis
}
criterion_main!(benches);
