//! The tantivy schema: one tantivy document per passage, with its document's metadata.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

use super::analyzer::{BIGRAM_ANALYZER, BODY_ANALYZER};

/// Bump when the schema or the analysis changes in a way that needs a rebuild.
/// 3: `municipality_type`, and `code` as a fast field (issue 12).
/// 4: `role`, the passage's role (history, state, commitment, target, other), and `ocr`
/// (1 for a passage read from an OCR'd page).
pub const SCHEMA_VERSION: u32 = 4;

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    pub path: Field,
    pub doc_id: Field,
    pub fingerprint: Field,
    pub municipality: Field,
    pub prefecture: Field,
    pub code: Field,
    pub municipality_type: Field,
    pub title: Field,
    pub year: Field,
    pub format: Field,
    pub url: Field,
    pub page: Field,
    pub ordinal: Field,
    pub heading: Field,
    pub text: Field,
    pub body: Field,
    pub body_bigram: Field,
    pub themes: Field,
    /// The passage's role (`themes::Role`), for `--role` filters.
    pub role: Field,
    /// 1 when the passage's page was read by OCR (absent otherwise).
    pub ocr: Field,
    pub vars: Field,
    pub meta_json: Field,
}

impl Fields {
    pub fn build() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let analyzed = |name: &str, stored: bool| {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(name)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let options = TextOptions::default().set_indexing_options(indexing);
            if stored { options.set_stored() } else { options }
        };
        let fields = Fields {
            path: builder.add_text_field("path", STRING | STORED),
            doc_id: builder.add_text_field("doc_id", STRING | STORED),
            fingerprint: builder.add_text_field("fingerprint", STRING | STORED),
            municipality: builder.add_text_field("municipality", STRING | STORED | FAST),
            prefecture: builder.add_text_field("prefecture", STRING | STORED | FAST),
            code: builder.add_text_field("code", STRING | STORED | FAST),
            municipality_type: builder.add_text_field("municipality_type", STRING | STORED | FAST),
            title: builder.add_text_field("title", STRING | STORED),
            year: builder.add_i64_field("year", INDEXED | STORED | FAST),
            format: builder.add_text_field("format", STRING | STORED),
            url: builder.add_text_field("url", STORED),
            page: builder.add_u64_field("page", STORED),
            ordinal: builder.add_u64_field("ordinal", STORED | FAST),
            heading: builder.add_text_field("heading", analyzed(BODY_ANALYZER, true)),
            text: builder.add_text_field("text", STORED),
            body: builder.add_text_field("body", analyzed(BODY_ANALYZER, false)),
            body_bigram: builder.add_text_field("body_bigram", analyzed(BIGRAM_ANALYZER, false)),
            themes: builder.add_facet_field("themes", FacetOptions::default().set_stored()),
            role: builder.add_text_field("role", STRING | STORED | FAST),
            ocr: builder.add_u64_field("ocr", INDEXED | STORED),
            vars: builder.add_text_field("vars", STRING | STORED),
            meta_json: builder.add_text_field("meta_json", STORED),
        };
        (builder.build(), fields)
    }
}
