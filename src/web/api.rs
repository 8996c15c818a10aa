//! The JSON API under `/api/`, the downloads under `/export/`, and original files.
//!
//! The API returns the very structs the CLI serialises for `--format json` (`SearchOutcome`,
//! the theme matrix JSON, `CompareReport`, `KwicReport`): one definition, so a script can
//! move between the CLI and the server. Exports give *all* hits, not the page on screen.
//! Original files are served by document id only — never by a path from the request — and
//! only when the file on disk is still the one that was ingested (same content hash).

use serde::Serialize;

use crate::ingest::content_hash;
use crate::model::{DocMeta, Format};
use crate::reuse::Cluster;
use crate::search::SearchOutcome;
use crate::themes::export::{CellValue, matrix_csv, matrix_json, matrix_xlsx};
use crate::web::pages::{
    self, compare_report, find_cell, kwic_report, parse_by, plan_document, theme_view,
};
use crate::web::params::{MAX_LIMIT, Params};
use crate::web::{App, Reply, WebError};

/// Most hits in one export. A query matching more is a query to narrow; the export says so
/// in its `total`, which stays the full count.
pub const MAX_EXPORT: usize = 100_000;

/// The CLI's default `--limit`.
const CLI_LIMIT: usize = 10;

fn json(value: &impl Serialize) -> Result<Reply, WebError> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|err| WebError::Internal(err.to_string()))?;
    bytes.push(b'\n');
    Ok(Reply::Json(bytes))
}

/// The answer of `/api/reuse`: the cluster as `reuse --format json` prints it, and how many
/// other plans hold a copy of the passage.
#[derive(Serialize)]
struct ReuseJson<'a> {
    doc: &'a str,
    path: &'a str,
    ordinal: u32,
    other_plans: usize,
    cluster: Option<&'a Cluster>,
}

/// GET /api/reuse?doc=ID&ordinal=N — the reuse cluster of one passage (`cluster: null` when
/// it is in none); 404 when no clusters were saved for the index's commit.
pub fn reuse(app: &App, params: &Params) -> Result<Reply, WebError> {
    let ordinal = params.number("ordinal", 0, 0, u32::MAX as usize)? as u32;
    let Some(doc_id) = params.get("doc") else {
        return Err(WebError::BadRequest("`doc` (a document id) is required".to_owned()));
    };
    if params.get("ordinal").is_none() {
        return Err(WebError::BadRequest("`ordinal` (a passage number) is required".to_owned()));
    }
    let snapshot = app.snapshot();
    let path = snapshot
        .entries
        .iter()
        .find(|(_, entry)| entry.doc_id == doc_id)
        .map(|(path, _)| path.as_str())
        .ok_or_else(|| WebError::NotFound(format!("no document `{doc_id}` in the index")))?;
    let Some(clusters) = &snapshot.reuse else {
        return Err(WebError::NotFound(snapshot.reuse_note.clone()));
    };
    json(&ReuseJson {
        doc: doc_id,
        path,
        ordinal,
        other_plans: clusters.other_plans(path, ordinal).len(),
        cluster: clusters.cluster_of(path, ordinal),
    })
}

/// GET /api/search — `search --format json`.
pub fn search(app: &App, params: &Params) -> Result<Reply, WebError> {
    let limit = params.number("limit", CLI_LIMIT, 1, MAX_LIMIT * 10)?;
    params.number("page", 1, 1, 1)?;
    params.choice("view", &["passage"])?;
    if params.query("q")?.is_empty() {
        return Err(WebError::BadRequest("`q` (the query) is required".to_owned()));
    }
    json(&pages::outcome(&app.snapshot(), params, limit)?)
}

fn all_hits(app: &App, params: &Params) -> Result<SearchOutcome, WebError> {
    params.number("limit", 1, 1, MAX_LIMIT)?;
    params.choice("view", &["plan", "passage"])?;
    if params.query("q")?.is_empty() {
        return Err(WebError::BadRequest("`q` (the query) is required".to_owned()));
    }
    pages::outcome(&app.snapshot(), params, MAX_EXPORT)
}

/// GET /export/search.csv — every hit, one row each, with a BOM for Excel.
pub fn search_csv(app: &App, params: &Params) -> Result<Reply, WebError> {
    let outcome = all_hits(app, params)?;
    let csv_err = |err: csv::Error| WebError::Internal(err.to_string());
    let mut buffer = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut buffer);
        writer
            .write_record([
                "rank",
                "municipality",
                "prefecture",
                "year",
                "title",
                "page",
                "heading",
                "score",
                "themes",
                "snippet",
                "text",
                "path",
            ])
            .map_err(csv_err)?;
        for (rank, shown) in outcome.hits.iter().enumerate() {
            let hit = &shown.hit;
            writer
                .write_record([
                    (rank + 1).to_string(),
                    hit.municipality.clone().unwrap_or_default(),
                    hit.prefecture.clone().unwrap_or_default(),
                    hit.year.map(|y| y.to_string()).unwrap_or_default(),
                    hit.title.clone().unwrap_or_default(),
                    hit.page.to_string(),
                    hit.heading.clone(),
                    format!("{:.4}", hit.score),
                    hit.themes.join(" "),
                    shown.snippet.clone(),
                    hit.text.clone(),
                    hit.path.clone(),
                ])
                .map_err(csv_err)?;
        }
        writer.flush().map_err(|err| WebError::Internal(err.to_string()))?;
    }
    Ok(Reply::Download(buffer, "text/csv; charset=utf-8", "gyokaku-search.csv".to_owned()))
}

/// GET /export/search.json — every hit, as `search --format json`.
pub fn search_json(app: &App, params: &Params) -> Result<Reply, WebError> {
    let outcome = all_hits(app, params)?;
    let Reply::Json(bytes) = json(&outcome)? else { unreachable!("json() returns Json") };
    Ok(Reply::Download(bytes, "application/json", "gyokaku-search.json".to_owned()))
}

/// A plan as the API returns it.
#[derive(Debug, Serialize)]
struct PlanJson<'a> {
    path: &'a str,
    doc_id: &'a str,
    format: Format,
    meta: &'a DocMeta,
    warnings: Vec<String>,
    passages: Vec<PassageJson<'a>>,
}

#[derive(Debug, Serialize)]
struct PassageJson<'a> {
    ordinal: u32,
    page: u32,
    heading_path: &'a [String],
    text: &'a str,
    themes: &'a [String],
}

/// GET /api/plan?doc=ID — a document with its passages in reading order.
pub fn plan(app: &App, params: &Params) -> Result<Reply, WebError> {
    let (document, _) = plan_document(app, params)?;
    json(&PlanJson {
        path: &document.path,
        doc_id: &document.doc_id,
        format: document.format,
        meta: &document.meta,
        warnings: pages::warnings(app.index_dir(), &document.doc_id),
        passages: document
            .passages
            .iter()
            .zip(&document.passage_themes)
            .map(|(p, themes)| PassageJson {
                ordinal: p.ordinal,
                page: p.page,
                heading_path: &p.heading_path,
                text: &p.text,
                themes,
            })
            .collect(),
    })
}

/// GET /api/documents — the document list of the commit (path → id, passages, …).
pub fn documents(app: &App, _params: &Params) -> Result<Reply, WebError> {
    json(&app.snapshot().entries)
}

/// GET /api/themes — `themes --format json` (by municipality or document).
pub fn themes(app: &App, params: &Params) -> Result<Reply, WebError> {
    let view = theme_view(app, params)?;
    let bytes = matrix_json(&view.matrix).map_err(|err| WebError::Internal(err.to_string()))?;
    Ok(Reply::Json(bytes))
}

/// GET /api/themes/cell — one cell's decision and evidence.
pub fn theme_cell(app: &App, params: &Params) -> Result<Reply, WebError> {
    let by = parse_by(params)?;
    let matrix = app.snapshot().matrix(app.taxonomy(), by)?;
    let (row, column) = find_cell(&matrix, params)?;
    json(&serde_json::json!({
        "row": row.key,
        "theme": matrix.columns[column].id,
        "documents": row.documents,
        "cell": row.cells[column],
    }))
}

fn cell_value(params: &Params) -> Result<CellValue, WebError> {
    Ok(match params.choice("value", &["presence", "score", "count"])? {
        "score" => CellValue::Score,
        "count" => CellValue::Count,
        _ => CellValue::Presence,
    })
}

/// GET /export/themes.csv — the matrix as `themes --format csv --excel`.
pub fn themes_csv(app: &App, params: &Params) -> Result<Reply, WebError> {
    let view = theme_view(app, params)?;
    let bytes = matrix_csv(&view.matrix, cell_value(params)?, true)
        .map_err(|err| WebError::Internal(err.to_string()))?;
    let name = format!("gyokaku-themes-{}.csv", view.by.as_str());
    Ok(Reply::Download(bytes, "text/csv; charset=utf-8", name))
}

/// GET /export/themes.json — the matrix with evidence, as `themes --format json`.
pub fn themes_json(app: &App, params: &Params) -> Result<Reply, WebError> {
    let view = theme_view(app, params)?;
    let bytes = matrix_json(&view.matrix).map_err(|err| WebError::Internal(err.to_string()))?;
    Ok(Reply::Download(
        bytes,
        "application/json",
        format!("gyokaku-themes-{}.json", view.by.as_str()),
    ))
}

/// GET /export/themes.xlsx — the matrix and its evidence as an Excel workbook.
pub fn themes_xlsx(app: &App, params: &Params) -> Result<Reply, WebError> {
    let view = theme_view(app, params)?;
    let about = crate::cli::themes::about(app.index_dir());
    let bytes = matrix_xlsx(&view.matrix, app.taxonomy(), cell_value(params)?, &about)
        .map_err(|err| WebError::Internal(err.to_string()))?;
    Ok(Reply::Download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("gyokaku-themes-{}.xlsx", view.by.as_str()),
    ))
}

/// GET /api/compare?name=A&name=B — `compare --format json`.
pub fn compare(app: &App, params: &Params) -> Result<Reply, WebError> {
    json(&compare_report(app, params)?)
}

/// GET /api/kwic?q=… — `kwic --format json`.
pub fn kwic(app: &App, params: &Params) -> Result<Reply, WebError> {
    json(&kwic_report(app, params)?)
}

/// GET /export/kwic.csv — every concordance line, as `kwic --format csv`.
pub fn kwic_csv(app: &App, params: &Params) -> Result<Reply, WebError> {
    let report = kwic_report(app, params)?;
    let bytes =
        crate::kwic::kwic_csv(&report, true).map_err(|err| WebError::Internal(err.to_string()))?;
    Ok(Reply::Download(bytes, "text/csv; charset=utf-8", "gyokaku-kwic.csv".to_owned()))
}

/// Length of a document id (the first 32 hex digits of the content's blake3).
const DOC_ID_LEN: usize = 32;

/// GET /file/ID — the original file of an ingested document.
pub fn original(app: &App, id: &str) -> Result<Reply, WebError> {
    let not_served = || WebError::NotFound(format!("no ingested document `{id}`"));
    if id.len() != DOC_ID_LEN || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_served());
    }
    let snapshot = app.snapshot();
    let Some((path, _)) = snapshot.entries.iter().find(|(_, e)| e.doc_id == id) else {
        return Err(not_served());
    };
    let path = std::path::Path::new(path);
    // A symlink put where an ingested file was could point anywhere: only regular files.
    let metadata = fs_err::symlink_metadata(path).map_err(|_| not_served())?;
    if !metadata.file_type().is_file() {
        return Err(not_served());
    }
    let bytes = fs_err::read(path).map_err(|_| not_served())?;
    if content_hash(&bytes) != id {
        return Err(WebError::NotFound(format!(
            "`{}` changed since it was ingested; ingest it again to serve it",
            path.display()
        )));
    }
    let format = snapshot.documents()?.iter().find(|d| d.doc_id == id).map(|d| d.format);
    Ok(match format {
        Some(Format::Pdf) => Reply::Original(bytes, "application/pdf", false),
        // A web page from the corpus is shown in a sandbox: no scripts, its own origin.
        Some(Format::Html) => Reply::Original(bytes, "text/html", true),
        _ => Reply::Original(bytes, "text/plain; charset=utf-8", true),
    })
}
