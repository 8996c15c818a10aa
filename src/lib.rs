//! gyokaku (行革): read, search and compare the administrative-reform plans of Japanese
//! municipalities.
//!
//! The pipeline, one module per stage:
//! `extract` → `normalize` → `segment` → `tokenize`/`analysis` → `index` → `themes` → `compare`.
//! The command-line interface in `cli` is a thin layer on top. See ARCHITECTURE.md.

pub mod compare;
pub mod extract;
pub mod model;
pub mod themes;
pub mod tokenize;
