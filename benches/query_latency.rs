//! Query latency over a fixed list of 30 realistic queries: p50 and p99 in milliseconds.
//!
//! `GYOKAKU_BENCH_INDEX=DIR cargo bench --bench query_latency` measures an existing index
//! (e.g. the scale corpus of scripts/bench_ingest.sh); without it, an index of the seed
//! plans is built in a temporary folder. `GYOKAKU_BENCH_QUERY=QUERY` times one query alone
//! (500 rounds), for profiling.

use std::path::PathBuf;
use std::time::Instant;

use gyokaku::index::{Filters, PassageIndex};
use gyokaku::ingest::{IngestOptions, ingest};

const QUERIES: [&str; 30] = [
    "公共施設 老朽化",
    "公共施設の老朽化",
    "指定管理者制度",
    "ふるさと納税",
    "行政評価",
    "事務事業評価 見直し",
    "\"市民協働\"",
    "協働 OR 連携",
    "人材育成",
    "働き方改革",
    "窓口 サービス 向上",
    "財政健全化",
    "経常収支比率",
    "職員 定員管理",
    "民間委託 アウトソーシング",
    "ICT 活用",
    "RPA",
    "電子申請",
    "受益者負担 使用料",
    "広域連携",
    "行政改革大綱",
    "PDCAサイクル",
    "情報公開",
    "組織 機構 見直し",
    "補助金 見直し -廃止",
    "市民 参画",
    "業務改善 提案",
    "人事評価",
    "公民連携 OR 官民連携",
    "財政調整基金",
];

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let (index_dir, _scratch) = match std::env::var_os("GYOKAKU_BENCH_INDEX") {
        Some(dir) => (PathBuf::from(dir), None),
        None => {
            let scratch = tempfile::tempdir().expect("temp dir");
            let dir = scratch.path().join("index");
            let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
            let options = IngestOptions { jobs: 2, ..IngestOptions::new(vec![seeds], dir.clone()) };
            ingest(&options, &|_| {}, &|_| {}).expect("ingest seeds");
            (dir, Some(scratch))
        }
    };
    let index = PassageIndex::open(&index_dir).expect("open index");
    // GYOKAKU_BENCH_QUERY=QUERY runs only that query (for profiling one query).
    let only = std::env::var("GYOKAKU_BENCH_QUERY").ok();
    let rounds = if only.is_some() { 500 } else { 20 };
    // GYOKAKU_BENCH_GROUP=document times the grouped search (one entry per plan) instead.
    let group = match std::env::var("GYOKAKU_BENCH_GROUP").as_deref() {
        Ok("document") => gyokaku::search::Group::Documents,
        _ => gyokaku::search::Group::Passages,
    };
    let mut millis = Vec::with_capacity(QUERIES.len() * rounds);
    let mut per_query = vec![0.0f64; QUERIES.len()];
    let mut hits = 0usize;
    for round in 0..=rounds {
        for (q, query) in QUERIES.iter().enumerate() {
            if only.as_ref().is_some_and(|only| only != query) {
                continue;
            }
            let started = Instant::now();
            let outcome =
                gyokaku::search::search_grouped(&index, query, &Filters::default(), 10, group)
                    .expect("query runs");
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            if round > 0 {
                millis.push(elapsed);
                per_query[q] += elapsed / rounds as f64;
                hits += outcome.hits.len();
            }
        }
    }
    millis.sort_by(f64::total_cmp);
    let pick = |q: f64| millis[((millis.len() - 1) as f64 * q).round() as usize];
    let report = format!(
        "query_latency group={group:?} index={} queries={} p50={:.2}ms p90={:.2}ms p99={:.2}ms max={:.2}ms hits={hits}",
        index_dir.display(),
        millis.len(),
        pick(0.5),
        pick(0.9),
        pick(0.99),
        pick(1.0)
    );
    let mut slowest: Vec<(f64, &str)> = per_query.iter().copied().zip(QUERIES).collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let slowest: Vec<String> = slowest.iter().map(|(ms, q)| format!("{q} {ms:.2}ms")).collect();
    let report = format!("{report}\nper query (mean ms, slowest first): {}\n", slowest.join(", "));
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes()).expect("write report");
}
