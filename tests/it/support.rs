//! Helpers shared by the end-to-end tests: the binary, fixtures and scratch folders.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under tests/fixtures.
pub fn fixture(relative: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(relative)
}

/// The gyokaku binary, run in `dir`, with progress bars off.
pub fn gyokaku(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("gyokaku").expect("binary is built by cargo test");
    command.current_dir(dir).env("NO_COLOR", "1").env_remove("RUST_LOG");
    command
}

/// A scratch folder with the five seed plans ingested into `index/`.
pub fn seeded_index() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create temp dir");
    gyokaku(dir.path())
        .arg("ingest")
        .arg(fixture("seeds"))
        .args(["--index", "index"])
        .assert()
        .success();
    dir
}

/// Runs a search with `--format json` and parses the output.
pub fn search_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let output = gyokaku(dir)
        .arg("search")
        .args(args)
        .args(["--index", "index", "--format", "json"])
        .output()
        .expect("run gyokaku search");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("search prints JSON")
}
