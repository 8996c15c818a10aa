//! Provenance of a run: which gyokaku, dictionary and taxonomy produced it, where and when.
//!
//! A partner who finds a surprising number in a matrix a year later must be able to tell
//! which build made it. Everything here degrades to `"unknown"` rather than failing a run.

use serde::{Deserialize, Serialize};

/// The commit gyokaku was built from: `GYOKAKU_GIT_COMMIT` at build time if the build set
/// it, else `git rev-parse HEAD` in the source tree the binary was built from, else `unknown`.
pub fn git_commit() -> String {
    if let Some(commit) = option_env!("GYOKAKU_GIT_COMMIT") {
        return commit.to_owned();
    }
    let source_dir = env!("CARGO_MANIFEST_DIR");
    let output = std::process::Command::new("git")
        .args(["-C", source_dir, "rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output();
    match output {
        Ok(output) if output.status.success() => {
            let commit = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            if commit.is_empty() { "unknown".to_owned() } else { commit }
        }
        _ => "unknown".to_owned(),
    }
}

/// The machine's host name (from the kernel, then `HOSTNAME`), or `unknown`.
pub fn host_name() -> String {
    fs_err::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Name and version of a taxonomy, as recorded in run reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxonomyIdentity {
    pub name: String,
    pub version: String,
}

impl TaxonomyIdentity {
    /// `name@version`, the form CONTRACT.md shows in `run.taxonomy`.
    pub fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// Reads `[meta] name` and `version` (or top-level `name`/`version`) from taxonomy TOML.
    /// A file that is not TOML or lacks them gives `unknown`; the themes stage reports the
    /// real problem with the file.
    pub fn from_toml(text: &str) -> Self {
        let value: Option<toml::Table> = toml::from_str(text).ok();
        let field = |key: &str| {
            value.as_ref().and_then(|table| {
                table
                    .get("meta")
                    .and_then(|meta| meta.get(key))
                    .or_else(|| table.get(key))
                    .and_then(toml::Value::as_str)
                    .map(str::to_owned)
            })
        };
        TaxonomyIdentity {
            name: field("name").unwrap_or_else(|| "unknown".to_owned()),
            version: field("version").unwrap_or_else(|| "unknown".to_owned()),
        }
    }
}

/// The shipped taxonomy: `taxonomy/gyokaku-taxonomy.toml` in the source tree.
pub const DEFAULT_TAXONOMY_TOML: &str = include_str!("../../taxonomy/gyokaku-taxonomy.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_identity_from_meta_table() {
        let identity = TaxonomyIdentity::from_toml("[meta]\nname = \"t\"\nversion = \"0.2.0\"\n");
        assert_eq!(identity.label(), "t@0.2.0");
        assert_eq!(TaxonomyIdentity::from_toml("not toml [").label(), "unknown@unknown");
    }

    #[test]
    fn shipped_taxonomy_has_a_name() {
        let identity = TaxonomyIdentity::from_toml(DEFAULT_TAXONOMY_TOML);
        assert_ne!(identity.name, "unknown");
    }
}
