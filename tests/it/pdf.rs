//! PDF extraction end to end, on the generated fixtures under tests/fixtures/pdf/
//! (made by scripts/make_pdf_fixtures.py; each NAME.pdf has its reading text in NAME.txt).

use std::path::PathBuf;

use gyokaku::extract::Limits;
use gyokaku::extract::pdf::extract_pdf;
use gyokaku::model::Extracted;
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf").join(name)
}

fn extract_fixture(name: &str) -> Extracted {
    let bytes = fs_err::read(fixture_path(&format!("{name}.pdf"))).expect("fixture exists");
    extract_pdf(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn all_text(extracted: &Extracted) -> String {
    extracted.pages.iter().map(|page| page.text.as_str()).collect::<Vec<_>>().join("\n\x0c")
}

/// NFKC without whitespace: how the quality score compares texts.
fn squeezed(text: &str) -> String {
    text.nfkc().filter(|ch| !ch.is_whitespace()).collect()
}

fn check_gold(name: &str) {
    let gold = fs_err::read_to_string(fixture_path(&format!("{name}.txt"))).expect("gold exists");
    let text = all_text(&extract_fixture(name));
    assert_eq!(squeezed(&text), squeezed(&gold), "{name}:\n{text}");
}

#[test]
fn predefined_unicode_cmap_horizontal() {
    check_gold("unijis_ucs2_h");
}

#[test]
fn predefined_unicode_cmap_vertical_reads_columns_right_to_left_in_tiers() {
    check_gold("unijis_ucs2_v");
}

#[test]
fn r10_libreoffice_columns_with_short_lines_are_not_a_table() {
    check_gold("lo_columns_short_lines");
}

#[test]
fn r10_two_columns_with_header_footer_and_short_list_lines() {
    check_gold("rl_columns_header_footer");
}

#[test]
fn r10_chromium_css_columns_with_header_and_footer() {
    check_gold("chromium_columns");
}

#[test]
fn r10_chromium_vertical_type3_fonts_read_in_order() {
    check_gold("chromium_vertical");
}

#[test]
fn shift_jis_cmap() {
    check_gold("rksj_h");
}

#[test]
fn euc_cmap() {
    check_gold("euc_h");
}

#[test]
fn right_column_drawn_first_and_lines_bottom_up() {
    check_gold("two_columns_reversed");
}

#[test]
fn fragments_drawn_in_random_order() {
    check_gold("shuffled_fragments");
}

#[test]
fn embedded_truetype_with_latin() {
    check_gold("ttf_embedded");
}

#[test]
fn text_in_a_rotated_matrix_reads_downwards() {
    check_gold("rotated_matrix");
}

#[test]
fn libreoffice_output() {
    check_gold("lo_writer");
}

#[test]
fn empty_user_password_decrypts() {
    check_gold("encrypted_empty_password");
}

#[test]
fn user_password_is_a_clear_error() {
    let bytes = fs_err::read(fixture_path("encrypted_user_password.pdf")).expect("fixture exists");
    let error = extract_pdf(&bytes, &Limits::default()).expect_err("needs a password");
    assert_eq!(
        error.to_string(),
        "PDF is encrypted with a user password; ask the publisher for an unprotected copy"
    );
}

#[test]
fn table_rows_are_kept_with_tab_separated_cells() {
    insta::assert_snapshot!(all_text(&extract_fixture("table")));
}

#[test]
fn ruled_table_cells_centred_in_tall_rows_are_read_row_by_row() {
    // Cells are drawn column by column and centred in their rows: only the borders say
    // which lines belong together.
    let gold = fs_err::read_to_string(fixture_path("ruled_table.txt")).expect("gold exists");
    let text = all_text(&extract_fixture("ruled_table"));
    assert_eq!(text.trim_end(), gold.trim_end());
}

#[test]
fn dot_leaders_are_removed_and_recorded() {
    let extracted = extract_fixture("toc_leaders");
    insta::assert_snapshot!(all_text(&extracted));
    assert_eq!(extracted.removed.iter().filter(|r| r.kind == "dot-leader").count(), 3);
}

#[test]
fn running_headers_and_page_numbers_are_removed_but_kept_in_json() {
    let extracted = extract_fixture("unijis_ucs2_h");
    assert_eq!(extracted.title.as_deref(), Some("行政改革大綱の概要"));
    insta::assert_json_snapshot!(extracted.removed);
    assert!(!all_text(&extracted).contains("- 1 -"));
    let first = &extracted.pages[0];
    assert_eq!(first.headings.first().map(|h| h.start), Some(0), "{:?}", first.headings);
}

#[test]
fn vertical_text_snapshot() {
    insta::assert_snapshot!(all_text(&extract_fixture("unijis_ucs2_v")));
}

/// A one-page PDF built with lopdf: `content` on the page, `F1` a Helvetica font and
/// `X0` a Form XObject whose own content is `form`, with the form's resources pointing
/// back at the form itself.
fn build_pdf(content: &str, form: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let form_id = doc.new_object_id();
    let form_resources = dictionary! {
        "Font" => dictionary! { "F1" => font_id },
        "XObject" => dictionary! { "X0" => form_id },
    };
    let form_stream = Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 600.into(), 800.into()], "Resources" => form_resources.clone() },
        form.as_bytes().to_vec(),
    );
    doc.objects.insert(form_id, Object::Stream(form_stream));
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => form_resources, "MediaBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save to memory");
    bytes
}

#[test]
fn self_referencing_form_xobject_terminates() {
    let bytes = build_pdf("/X0 Do", "BT /F1 12 Tf 100 700 Td (Loop) Tj ET /X0 Do");
    let extracted = extract_pdf(&bytes, &Limits::default()).expect("extracts");
    assert_eq!(extracted.pages[0].text, "Loop");
}

#[test]
fn nested_forms_beyond_the_depth_limit_are_skipped() {
    let bytes = build_pdf(
        "/X0 Do BT /F1 12 Tf 100 600 Td (Page) Tj ET",
        "BT /F1 12 Tf 100 700 Td (Form) Tj ET",
    );
    let limits = Limits { max_depth: 0, ..Limits::default() };
    let extracted = extract_pdf(&bytes, &limits).expect("extracts");
    assert_eq!(extracted.pages[0].text, "Page");
}

#[test]
fn actual_text_replaces_the_glyphs_it_covers() {
    let content =
        "BT /F1 12 Tf 100 700 Td /Span << /ActualText (Reform) >> BDC (Rfm) Tj EMC ( plan) Tj ET";
    let bytes = build_pdf(content, "");
    let extracted = extract_pdf(&bytes, &Limits::default()).expect("extracts");
    assert_eq!(extracted.pages[0].text, "Reform plan");
}

#[test]
fn page_without_text_gets_a_warning() {
    let bytes = build_pdf("0 0 m 100 100 l S", "");
    let extracted = extract_pdf(&bytes, &Limits::default()).expect("extracts");
    assert_eq!(extracted.pages[0].text, "");
    assert_eq!(extracted.warnings, vec!["page 1 has no text (scanned image?)".to_owned()]);
}

#[test]
fn decompression_limit_is_an_error() {
    let bytes = fs_err::read(fixture_path("lo_writer.pdf")).expect("fixture exists");
    let limits = Limits { max_decompressed_bytes: 64, ..Limits::default() };
    let error = extract_pdf(&bytes, &limits).expect_err("over the limit");
    assert!(error.to_string().starts_with("decompressed size over the limit"), "{error}");
}

#[test]
fn time_limit_is_an_error() {
    let bytes = fs_err::read(fixture_path("unijis_ucs2_h.pdf")).expect("fixture exists");
    let limits = Limits { max_seconds: 0.0, ..Limits::default() };
    let error = extract_pdf(&bytes, &limits).expect_err("no time at all");
    assert_eq!(error.to_string(), "PDF extraction took longer than the limit of 0 s");
}

#[test]
fn broken_header_is_refused() {
    let error = extract_pdf(b"PK\x03\x04 not a pdf", &Limits::default()).expect_err("not a pdf");
    assert_eq!(error.to_string(), "not a PDF: broken header");
}

#[test]
fn operations_fixture_builder_is_sane() {
    // Guards the helper above: lopdf must be able to read what it wrote.
    let bytes = build_pdf("BT /F1 12 Tf 100 700 Td (Hello) Tj ET", "");
    let doc = Document::load_mem(&bytes).expect("reloads");
    let content = doc.get_page_content(*doc.get_pages().values().next().expect("one page"));
    let operations = Content::decode(&content).expect("decodes").operations;
    assert!(operations.iter().any(|op: &Operation| op.operator == "Tj"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Damaged files give text or an error, never a panic.
    #[test]
    fn corrupted_pdfs_never_panic(edits in proptest::collection::vec((0usize..4000, any::<u8>()), 1..12), cut in 200usize..4000) {
        let mut bytes = fs_err::read(fixture_path("rksj_h.pdf")).expect("fixture exists");
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut.max(16).min(bytes.len()));
        let _ = extract_pdf(&bytes, &Limits::default());
    }
}
