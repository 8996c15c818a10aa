//! End-to-end tests: one test binary, one module per area.

mod batch;
mod cli;
mod fetch;
mod golden;
mod groups;
mod html;
mod kwic;
mod measures;
mod ocr;
mod pdf;
mod retrieval;
mod reuse;
mod support;
mod themes;
#[cfg(feature = "web")]
mod web;
