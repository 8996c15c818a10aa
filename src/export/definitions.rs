//! Index definitions for the engines: which field is analysed how.
//!
//! OpenSearch gets three views of the passage text: `text` with the kuromoji analyzer (the
//! engine's own Japanese morphology), `text.bigram` with CJK bigrams (recall for names and
//! compounds), and `body_tokens` with a whitespace analyzer over our pre-tokenised terms
//! (our analysis, identical to `gyokaku search`). Quickwit 0.9 no longer ships a Japanese
//! tokenizer, so there `body_tokens` on the whitespace tokenizer is the Japanese field.

use serde_json::json;

use super::ExportFormat;

/// The definition file of `format`: its name and contents (`None` for plain NDJSON).
pub fn index_definition(format: ExportFormat, index_name: &str) -> Option<(&'static str, String)> {
    match format {
        ExportFormat::OpenSearch => Some(("index.json", opensearch_index(index_name))),
        ExportFormat::Quickwit => Some(("index-config.yaml", quickwit_index_config(index_name))),
        ExportFormat::Ndjson => None,
    }
}

/// The action line that precedes each record in an OpenSearch bulk file.
pub fn bulk_action(index_name: &str, id: &str) -> String {
    json!({"index": {"_index": index_name, "_id": id}}).to_string()
}

fn opensearch_index(_index_name: &str) -> String {
    let keyword = json!({"type": "keyword"});
    let ja_text = json!({"type": "text", "analyzer": "gyokaku_kuromoji"});
    let definition = json!({
        "settings": {
            "index": {"number_of_shards": 1, "number_of_replicas": 0},
            "analysis": {
                "tokenizer": {
                    "gyokaku_kuromoji_search": {"type": "kuromoji_tokenizer", "mode": "search"}
                },
                "filter": {
                    "gyokaku_ja_stop": {"type": "ja_stop", "stopwords": "_japanese_"}
                },
                "analyzer": {
                    "gyokaku_kuromoji": {
                        "type": "custom",
                        "tokenizer": "gyokaku_kuromoji_search",
                        "filter": ["cjk_width", "kuromoji_baseform", "kuromoji_part_of_speech",
                                   "gyokaku_ja_stop", "kuromoji_stemmer", "lowercase"]
                    },
                    "gyokaku_bigram": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["cjk_width", "lowercase", "cjk_bigram"]
                    },
                    "gyokaku_pretokenized": {"type": "custom", "tokenizer": "whitespace"}
                }
            }
        },
        "mappings": {
            "dynamic_templates": [
                {"vars_as_keywords": {"path_match": "vars.*", "mapping": {"type": "keyword"}}}
            ],
            "properties": {
                "id": keyword,
                "path": keyword,
                "doc_id": keyword,
                "format": keyword,
                "municipality": keyword,
                "prefecture": keyword,
                "code": keyword,
                "title": {"type": "text", "analyzer": "gyokaku_kuromoji",
                          "fields": {"raw": {"type": "keyword"}}},
                "year": {"type": "integer"},
                "url": {"type": "keyword", "index": false},
                "page": {"type": "integer"},
                "ordinal": {"type": "integer"},
                "heading": ja_text,
                "themes": keyword,
                "role": keyword,
                "vars": {"type": "object", "dynamic": true},
                "text": {
                    "type": "text",
                    "analyzer": "gyokaku_kuromoji",
                    "fields": {"bigram": {"type": "text", "analyzer": "gyokaku_bigram"}}
                },
                "body_tokens": {"type": "text", "analyzer": "gyokaku_pretokenized"}
            }
        }
    });
    let mut text = serde_json::to_string_pretty(&definition).unwrap_or_default();
    text.push('\n');
    text
}

/// Quickwit 0.9 index config (YAML). Fields are listed in the order of the records.
fn quickwit_index_config(index_name: &str) -> String {
    let raw = |name: &str| {
        format!("    - name: {name}\n      type: text\n      tokenizer: raw\n      fast: true\n")
    };
    let int = |name: &str| format!("    - name: {name}\n      type: u64\n      fast: true\n");
    let mut fields = String::new();
    for name in ["id", "path", "doc_id", "format", "municipality", "prefecture", "code"] {
        fields.push_str(&raw(name));
    }
    fields.push_str("    - name: title\n      type: text\n      tokenizer: raw\n");
    fields.push_str("    - name: year\n      type: i64\n      fast: true\n");
    fields.push_str("    - name: url\n      type: text\n      indexed: false\n");
    fields.push_str(&int("page"));
    fields.push_str(&int("ordinal"));
    fields.push_str("    - name: heading\n      type: text\n      indexed: false\n");
    fields.push_str(
        "    - name: themes\n      type: array<text>\n      tokenizer: raw\n      fast: true\n",
    );
    fields.push_str("    - name: role\n      type: text\n      tokenizer: raw\n      fast: true\n");
    fields.push_str("    - name: vars\n      type: json\n      tokenizer: raw\n");
    fields.push_str("    - name: text\n      type: text\n      indexed: false\n");
    fields.push_str(
        "    - name: body_tokens\n      type: text\n      tokenizer: whitespace\n      record: position\n      stored: false\n",
    );
    format!(
        "# Quickwit 0.9 index for gyokaku passages. Quickwit 0.9 has no Japanese tokenizer:\n\
         # search `body_tokens`, which holds gyokaku's own analysis (see `gyokaku analyze`).\n\
         version: 0.9\n\
         index_id: {index_name}\n\
         doc_mapping:\n  mode: lenient\n  field_mappings:\n{fields}\
         search_settings:\n  default_search_fields: [body_tokens]\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opensearch_definition_has_the_three_text_views() {
        let (_, text) = index_definition(ExportFormat::OpenSearch, "gyokaku").unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let properties = &value["mappings"]["properties"];
        assert_eq!(properties["text"]["analyzer"], "gyokaku_kuromoji");
        assert_eq!(properties["text"]["fields"]["bigram"]["analyzer"], "gyokaku_bigram");
        assert_eq!(properties["body_tokens"]["analyzer"], "gyokaku_pretokenized");
        let analyzers = &value["settings"]["analysis"]["analyzer"];
        assert_eq!(analyzers["gyokaku_pretokenized"]["tokenizer"], "whitespace");
    }

    #[test]
    fn quickwit_config_names_the_index_and_whitespace_field() {
        let (name, text) = index_definition(ExportFormat::Quickwit, "plans").unwrap();
        assert_eq!(name, "index-config.yaml");
        assert!(text.contains("index_id: plans"));
        assert!(text.contains("version: 0.9"));
        assert!(
            text.contains("- name: body_tokens\n      type: text\n      tokenizer: whitespace")
        );
    }
}
