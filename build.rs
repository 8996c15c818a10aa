//! Builds the IPADIC morphological dictionary from the vendored MeCab source in `dict/`
//! and hands its location to `lindera_dictionary::embedded_dictionary!` through
//! `LINDERA_WORKDIR`. Nothing is downloaded: the whole dictionary comes from the repository.

use std::path::{Path, PathBuf};

use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;

const ARCHIVE: &str = "dict/mecab-ipadic-2.7.0-20070801.tar.xz";
const METADATA: &str = "dict/metadata.json";
/// Bump when the archive or metadata changes so stale builds are never reused.
const BUILD_TAG: &str = "ipadic-2.7.0-20070801-v1";

fn main() {
    println!("cargo::rerun-if-changed={ARCHIVE}");
    println!("cargo::rerun-if-changed={METADATA}");
    println!("cargo::rerun-if-changed=build.rs");

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let work_dir = out_dir.join("lindera");
    let dict_dir = work_dir.join("ipadic");
    let stamp = dict_dir.join("BUILD_TAG");

    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(BUILD_TAG) {
        build_dictionary(&out_dir, &dict_dir);
        std::fs::write(&stamp, BUILD_TAG).expect("write dictionary stamp");
    }
    println!("cargo::rustc-env=LINDERA_WORKDIR={}", work_dir.display());
}

fn build_dictionary(out_dir: &Path, dict_dir: &Path) {
    let source_dir = out_dir.join("ipadic-source");
    if source_dir.exists() {
        std::fs::remove_dir_all(&source_dir).expect("clean dictionary source dir");
    }
    std::fs::create_dir_all(&source_dir).expect("create dictionary source dir");

    let archive =
        std::fs::File::open(ARCHIVE).unwrap_or_else(|err| panic!("open {ARCHIVE}: {err}"));
    tar::Archive::new(xz2::read::XzDecoder::new(archive))
        .unpack(&source_dir)
        .unwrap_or_else(|err| panic!("unpack {ARCHIVE}: {err}"));

    let metadata_json = std::fs::read(METADATA).expect("read dict/metadata.json");
    let metadata = Metadata::load(&metadata_json).expect("parse dict/metadata.json");

    if dict_dir.exists() {
        std::fs::remove_dir_all(dict_dir).expect("clean dictionary output dir");
    }
    std::fs::create_dir_all(dict_dir).expect("create dictionary output dir");
    DictionaryBuilder::new(metadata)
        .build_dictionary(&source_dir.join("ipadic"), dict_dir)
        .unwrap_or_else(|err| panic!("build IPADIC dictionary: {err}"));
}
