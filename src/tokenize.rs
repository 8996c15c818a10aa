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
use lindera_dictionary::viterbi::Lattice;
use thiserror::Error;

mod embedded {
    lindera_dictionary::embedded_dictionary!("/ipadic", EmbeddedIpadicLoader);
}

/// The administrative-term user dictionary shipped with gyokaku.
const DEFAULT_USER_DICT: &str = include_str!("../dict/user-dict.csv");

/// Bump when the same text would be segmented differently: `ingest` then re-indexes
/// every document, so that index and queries agree. 2: normal mode with search-mode
/// re-segmentation of long tokens.
pub const SEGMENTATION_VERSION: u32 = 3;

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
    /// Normal mode: the whole text.
    segmenter: Arc<Segmenter>,
    /// Search (decompose) mode: only the tokens it would split (see `morphemes`).
    decomposer: Arc<Segmenter>,
    /// Search mode without the user dictionary: the parts of a term the user dictionary
    /// keeps whole (公共施設等総合管理計画 → 公共/施設/等/総合/管理/計画), for query broadening.
    parts: Arc<Segmenter>,
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
        let decomposer = Segmenter::new(
            Mode::Decompose(Penalty::default()),
            dictionary.clone(),
            Some(user_dictionary.clone()),
        );
        let parts = Segmenter::new(Mode::Decompose(Penalty::default()), dictionary.clone(), None);
        let segmenter = Segmenter::new(Mode::Normal, dictionary, Some(user_dictionary));
        Ok(JapaneseTokenizer {
            segmenter: Arc::new(segmenter),
            decomposer: Arc::new(decomposer),
            parts: Arc::new(parts),
        })
    }

    /// The dictionary's parts of one word, ignoring the user dictionary (byte spans into
    /// `word`): how a query broadens a term the user dictionary keeps whole.
    pub fn word_parts(&self, word: &str) -> Result<Vec<Morpheme>, TokenizeError> {
        Ok(segment(&self.parts, word)?.into_iter().map(to_morpheme).collect())
    }

    /// Splits `text` into morphemes. Whitespace is not returned.
    ///
    /// Compounds come out split into their parts, as lindera's search mode splits them, but
    /// search mode is slow: it weighs a length penalty on every edge of the lattice. So the
    /// text is segmented in normal mode and only the tokens that search mode would penalise
    /// (kanji runs longer than two characters, other tokens longer than seven) are segmented
    /// again in search mode.
    pub fn morphemes(&self, text: &str) -> Result<Vec<Morpheme>, TokenizeError> {
        let tokens = segment(&self.segmenter, text)?;
        let mut morphemes = Vec::with_capacity(tokens.len());
        let mut previous_start = None;
        for token in tokens {
            let (start, end) = (token.byte_start, token.byte_end);
            if search_mode_would_split(&token.surface) {
                morphemes.extend(self.decompose(text, previous_start, start, end)?);
            } else {
                morphemes.push(to_morpheme(token));
            }
            previous_start = Some(start);
        }
        Ok(morphemes)
    }

    /// Search-mode morphemes of `text[start..end]`, segmented together with the token before
    /// it (from `context_start`) so that the split depends on the left context as it does in
    /// search mode over the whole text (藤枝市役所 → 市/役所, where 市役所 alone stays whole).
    fn decompose(
        &self,
        text: &str,
        context_start: Option<usize>,
        start: usize,
        end: usize,
    ) -> Result<Vec<Morpheme>, TokenizeError> {
        let from = context_start.unwrap_or(start);
        let parts = segment(&self.decomposer, &text[from..end])?;
        let boundary = start - from;
        let straddles = parts.iter().any(|p| p.byte_start < boundary && p.byte_end > boundary);
        if straddles {
            return self.decompose(text, None, start, end);
        }
        Ok(parts
            .into_iter()
            .filter(|part| part.byte_start >= boundary)
            .map(|part| {
                let mut morpheme = to_morpheme(part);
                morpheme.start += from;
                morpheme.end += from;
                morpheme
            })
            .collect())
    }
}

thread_local! {
    /// One lattice per thread, reused: a fresh one per call allocates (and the kernel zeroes)
    /// new memory for every passage and every re-segmented compound.
    static LATTICE: std::cell::RefCell<Lattice> = std::cell::RefCell::new(Lattice::default());
}

fn segment<'a>(
    segmenter: &'a Segmenter,
    text: &'a str,
) -> Result<Vec<lindera::token::Token<'a>>, TokenizeError> {
    LATTICE.with(|lattice| {
        segmenter
            .segment_with_lattice(Cow::Borrowed(text), &mut lattice.borrow_mut())
            .map_err(|err| TokenizeError::Segment(err.to_string()))
    })
}

/// lindera alone, for benchmarks: segmentation with the embedded dictionary and no user
/// dictionary, no normalisation and no word information, so that the cost of everything
/// gyokaku adds can be measured against the segmenter itself.
#[doc(hidden)]
pub struct BareSegmenter {
    segmenter: Segmenter,
}

impl BareSegmenter {
    /// `search_mode`: lindera's decompose (search) mode, as gyokaku uses; else normal mode.
    pub fn new(search_mode: bool) -> Result<Self, TokenizeError> {
        let dictionary =
            embedded::load().map_err(|err| TokenizeError::Dictionary(err.to_string()))?;
        let mode = if search_mode { Mode::Decompose(Penalty::default()) } else { Mode::Normal };
        Ok(BareSegmenter { segmenter: Segmenter::new(mode, dictionary, None) })
    }

    /// The number of tokens in `text`.
    pub fn count(&self, text: &str) -> Result<usize, TokenizeError> {
        let tokens = self
            .segmenter
            .segment(Cow::Borrowed(text))
            .map_err(|err| TokenizeError::Segment(err.to_string()))?;
        Ok(tokens.len())
    }
}

/// Whether lindera's default search-mode penalty applies to a token of this surface, or the
/// token is one that search mode segments differently.
fn search_mode_would_split(surface: &str) -> bool {
    let penalty = Penalty::default();
    let chars = surface.chars().count();
    if chars <= penalty.kanji_penalty_length_threshold {
        return false;
    }
    // An unknown katakana word may swallow a middle dot (・イクボス) in normal mode.
    chars > penalty.other_penalty_length_threshold
        || surface.contains('・')
        || surface.chars().all(lindera_dictionary::viterbi::is_kanji)
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
    fn long_compounds_are_split_as_search_mode_splits_them() {
        assert_eq!(surfaces("事務次官が出席する"), ["事務", "次官", "が", "出席", "する"]);
        // The split of a compound depends on the word before it, as in search mode.
        assert_eq!(surfaces("藤枝市役所")[..3], ["藤枝", "市", "役所"]);
        // Offsets stay those of the whole text.
        let tokenizer = JapaneseTokenizer::shared().unwrap();
        let text = "本日、関西国際空港に着いた";
        for morpheme in tokenizer.morphemes(text).unwrap() {
            assert_eq!(&text[morpheme.start..morpheme.end], morpheme.surface);
        }
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
