//! Morphological analysis of Japanese with lindera on the IPADIC dictionary embedded in
//! the binary. This is the only module that imports lindera.
//!
//! The dictionary is built by `build.rs` from the vendored MeCab IPADIC source in `dict/`,
//! so nothing is downloaded at build or run time. A user dictionary of administrative
//! terms (`dict/user-dict.csv`) is applied by default; more entries can be added at run time.

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use lindera::dictionary::{Dictionary, UserDictionary};
use lindera::mode::{Mode, Penalty};
use lindera::segmenter::Segmenter;
use lindera_dictionary::builder::DictionaryBuilder;
use thiserror::Error;

mod embedded {
    lindera_dictionary::embedded_dictionary!("/ipadic", EmbeddedIpadicLoader);
}

/// The administrative-term user dictionary shipped with gyokaku.
const DEFAULT_USER_DICT: &str = include_str!("../dict/user-dict.csv");

/// Name and version of the system dictionary, for provenance in reports and exports.
pub const DICTIONARY_VERSION: &str = "mecab-ipadic-2.7.0-20070801";

#[derive(Debug, Error)]
pub enum TokenizeError {
    #[error("cannot load the embedded dictionary: {0}")]
    Dictionary(String),
    #[error("cannot read user dictionary `{}`: {reason}", .path.display())]
    UserDictionary { path: std::path::PathBuf, reason: String },
    #[error("cannot segment text: {0}")]
    Segment(String),
}

/// Coarse part of speech, enough to decide what is a search term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartOfSpeech {
    Noun,
    ProperNoun,
    /// 名詞,固有名詞,地域: place names (市区町村 among them).
    PlaceName,
    NounSuffix,
    Number,
    Verb,
    Adjective,
    Adverb,
    Prefix,
    Particle,
    AuxiliaryVerb,
    Symbol,
    Other,
    Unknown,
}

impl PartOfSpeech {
    /// Parts of speech that carry no search meaning: particles, auxiliary verbs, symbols.
    pub fn is_stop(self) -> bool {
        matches!(self, PartOfSpeech::Particle | PartOfSpeech::AuxiliaryVerb | PartOfSpeech::Symbol)
    }

    pub fn is_noun(self) -> bool {
        matches!(
            self,
            PartOfSpeech::Noun
                | PartOfSpeech::ProperNoun
                | PartOfSpeech::PlaceName
                | PartOfSpeech::NounSuffix
                | PartOfSpeech::Unknown
        )
    }
}

/// One morpheme: its surface in the input, its byte span and its dictionary form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Morpheme {
    pub surface: String,
    pub start: usize,
    pub end: usize,
    pub pos: PartOfSpeech,
    /// Dictionary (base) form; equals the surface for unknown words and most nouns.
    pub base: Arc<str>,
    /// The raw IPADIC part-of-speech fields, e.g. `名詞,固有名詞,地域,一般`.
    pub pos_detail: Arc<str>,
}

/// What the dictionary says about a word, independent of where it occurs.
#[derive(Clone)]
struct WordInfo {
    pos: PartOfSpeech,
    /// `None` when the base form is the surface itself.
    base: Option<Arc<str>>,
    pos_detail: Arc<str>,
}

thread_local! {
    /// Word information of system-dictionary entries by word id. Parsing an entry's detail
    /// fields is a large share of analysis time; the same few thousand words recur.
    static SYSTEM_WORDS: std::cell::RefCell<WordCache> =
        std::cell::RefCell::new(WordCache::default());
}

type WordCache = std::collections::HashMap<u32, WordInfo, BuildWordIdHasher>;

/// Word ids are dense small integers: a multiplicative hash is enough and much cheaper
/// than the default SipHash.
#[derive(Default, Clone, Copy)]
struct BuildWordIdHasher;

#[derive(Default)]
struct WordIdHasher(u64);

impl std::hash::BuildHasher for BuildWordIdHasher {
    type Hasher = WordIdHasher;
    fn build_hasher(&self) -> WordIdHasher {
        WordIdHasher(0)
    }
}

impl std::hash::Hasher for WordIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, value: u32) {
        self.0 = u64::from(value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Bound on the per-thread cache of word information.
const MAX_CACHED_WORDS: usize = 200_000;

/// A segmenter over the embedded IPADIC dictionary plus user entries.
#[derive(Clone)]
pub struct JapaneseTokenizer {
    segmenter: Arc<Segmenter>,
}

static DEFAULT_TOKENIZER: LazyLock<Result<JapaneseTokenizer, String>> =
    LazyLock::new(|| JapaneseTokenizer::with_user_dict(None).map_err(|err| err.to_string()));

impl JapaneseTokenizer {
    /// The tokenizer with the embedded dictionary and the default user dictionary,
    /// loaded once per process.
    pub fn shared() -> Result<&'static JapaneseTokenizer, TokenizeError> {
        DEFAULT_TOKENIZER.as_ref().map_err(|err| TokenizeError::Dictionary(err.clone()))
    }

    /// A tokenizer whose user dictionary is the default one plus the CSV file `extra`
    /// (lines `surface,part_of_speech,reading`, e.g. `協働推進,カスタム名詞,キョウドウスイシン`).
    pub fn with_user_dict(extra: Option<&Path>) -> Result<Self, TokenizeError> {
        let dictionary =
            embedded::load().map_err(|err| TokenizeError::Dictionary(err.to_string()))?;
        let mut csv = DEFAULT_USER_DICT.to_owned();
        if let Some(path) = extra {
            let more = fs_err::read_to_string(path).map_err(|err| {
                TokenizeError::UserDictionary { path: path.to_owned(), reason: err.to_string() }
            })?;
            csv.push('\n');
            csv.push_str(&more);
        }
        let user_dictionary = build_user_dictionary(&dictionary, &csv).map_err(|reason| {
            TokenizeError::UserDictionary {
                path: extra.map_or_else(|| "dict/user-dict.csv".into(), Path::to_path_buf),
                reason,
            }
        })?;
        let segmenter =
            Segmenter::new(Mode::Decompose(Penalty::default()), dictionary, Some(user_dictionary));
        Ok(JapaneseTokenizer { segmenter: Arc::new(segmenter) })
    }

    /// Splits `text` into morphemes. Whitespace is not returned.
    pub fn morphemes(&self, text: &str) -> Result<Vec<Morpheme>, TokenizeError> {
        let tokens = self
            .segmenter
            .segment(Cow::Borrowed(text))
            .map_err(|err| TokenizeError::Segment(err.to_string()))?;
        Ok(tokens.into_iter().map(to_morpheme).collect())
    }
}

fn build_user_dictionary(dictionary: &Dictionary, csv: &str) -> Result<UserDictionary, String> {
    let rows: String = csv
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect();
    DictionaryBuilder::new((*dictionary.metadata).clone())
        .build_user_dict_from_reader(rows.as_bytes())
        .map_err(|err| err.to_string())
}

fn to_morpheme(mut token: lindera::token::Token<'_>) -> Morpheme {
    let surface = token.surface.to_string();
    let (start, end) = (token.byte_start, token.byte_end);
    let info = if token.word_id.is_system() {
        let id = token.word_id.id();
        let cached = SYSTEM_WORDS.with(|cache| cache.borrow().get(&id).cloned());
        cached.unwrap_or_else(|| {
            let info = word_info(&mut token);
            SYSTEM_WORDS.with(|cache| {
                let mut cache = cache.borrow_mut();
                if cache.len() < MAX_CACHED_WORDS {
                    cache.insert(id, info.clone());
                }
            });
            info
        })
    } else {
        word_info(&mut token)
    };
    let base = info.base.unwrap_or_else(|| Arc::from(surface.as_str()));
    Morpheme { surface, start, end, pos: info.pos, base, pos_detail: info.pos_detail }
}

fn word_info(token: &mut lindera::token::Token<'_>) -> WordInfo {
    let details = token.details();
    let field = |i: usize| details.get(i).copied().unwrap_or("*");
    let pos = classify(field(0), field(1), field(2));
    let base = match field(6) {
        "*" | "" => None,
        base => Some(Arc::from(base)),
    };
    let pos_detail = Arc::from([field(0), field(1), field(2), field(3)].join(","));
    WordInfo { pos, base, pos_detail }
}

fn classify(major: &str, sub1: &str, sub2: &str) -> PartOfSpeech {
    match (major, sub1) {
        ("名詞", "固有名詞") if sub2 == "地域" => PartOfSpeech::PlaceName,
        ("名詞", "固有名詞") => PartOfSpeech::ProperNoun,
        ("名詞", "数") => PartOfSpeech::Number,
        ("名詞", "接尾") => PartOfSpeech::NounSuffix,
        ("名詞", _) | ("カスタム名詞", _) => PartOfSpeech::Noun,
        ("動詞", _) => PartOfSpeech::Verb,
        ("形容詞", _) => PartOfSpeech::Adjective,
        ("副詞", _) => PartOfSpeech::Adverb,
        ("接頭詞", _) => PartOfSpeech::Prefix,
        ("助詞", _) => PartOfSpeech::Particle,
        ("助動詞", _) => PartOfSpeech::AuxiliaryVerb,
        ("記号", _) => PartOfSpeech::Symbol,
        ("UNK", _) => PartOfSpeech::Unknown,
        _ => PartOfSpeech::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surfaces(text: &str) -> Vec<String> {
        let tokenizer = JapaneseTokenizer::shared().unwrap();
        tokenizer.morphemes(text).unwrap().into_iter().map(|m| m.surface).collect()
    }

    #[test]
    fn segments_with_embedded_dictionary() {
        assert_eq!(surfaces("公共施設の老朽化"), ["公共", "施設", "の", "老朽", "化"]);
    }

    #[test]
    fn user_dictionary_terms_survive_compound_splitting() {
        // Search mode splits long compounds, but a user-dictionary term stays whole:
        // IPADIC alone would give 指定/管理/者.
        assert_eq!(
            surfaces("指定管理者制度を導入する"),
            ["指定管理者", "制度", "を", "導入", "する"]
        );
    }
}
