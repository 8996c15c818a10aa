//! gyokaku (行革): read, search and compare the administrative-reform plans of Japanese
//! municipalities.
//!
//! The pipeline, one module per stage:
//! [`extract`] → [`normalize`] → [`segment`] → [`tokenize`] / [`analysis`] → [`index`] →
//! [`themes`], with [`ingest`] driving the stages over many files and [`search`] answering
//! queries ([`kwic`] for concordances). The command-line interface in [`cli`] and the local web
//! app in `web` (feature `web`) are thin layers on top; only [`output`] writes to stdout and
//! stderr. See ARCHITECTURE.md.

pub mod analysis;
pub mod batch;
pub mod cli;
pub mod compare;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod furniture;
pub mod identity;
pub mod index;
pub mod ingest;
pub mod kwic;
pub mod measures;
pub mod metadata;
pub mod model;
pub mod normalize;
pub mod output;
pub mod reuse;
pub mod search;
pub mod segment;
pub mod themes;
pub mod tokenize;
#[cfg(feature = "web")]
pub mod web;
