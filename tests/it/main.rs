//! End-to-end tests: one test binary, one module per area.

mod batch;
mod cli;
mod golden;
mod html;
mod ocr;
mod pdf;
mod retrieval;
mod support;
mod themes;
