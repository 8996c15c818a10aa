//! `gyokaku serve`: a read-only local web app over an index, for the researchers and analysts
//! who will not use a shell. Pages (Japanese UI) for search, reading a plan, the theme
//! heatmap with each cell's evidence, comparing municipalities and a concordance, and a JSON
//! API under `/api/` that returns the very structs the CLI prints with `--format json`.
//!
//! The stack is axum on a tokio runtime. Handlers are thin: each parses its query string
//! ([`params`]), then runs the library's synchronous work on tokio's blocking pool (search,
//! scoring and reading stored documents are CPU and disk work), so a panic there becomes a
//! 500 for that request only. The index and what is derived from it live in [`state`]. Every
//! response passes through `respond`, which sets the security headers (a strict
//! Content-Security-Policy: scripts and styles only from this server, nothing from another
//! host), and every text from a document passes through [`html::escape`].
//!
//! Where to add a page: a function `fn(&App, &Params) -> Result<Reply, WebError>` in
//! `pages.rs` (HTML) or `api.rs` (JSON, downloads), its allowed parameter names, and a line in
//! [`router`].

mod api;
pub mod html;
mod pages;
pub mod params;
pub mod state;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::routing::{MethodRouter, get};
use thiserror::Error;

use crate::index::IndexError;
use crate::search::SearchError;
use params::Params;
pub use state::App;

/// The address `gyokaku serve` listens on unless told otherwise: loopback only, so that the
/// plans of a researcher's laptop are not served to the network by accident.
pub const DEFAULT_BIND: &str = "127.0.0.1:8350";

/// Scripts, styles and images only from this server; no frames, no plugins, forms only to
/// this server. Inline scripts and event-handler attributes are refused by the browser even
/// if escaping ever failed.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// For original web pages served back from the corpus: a unique origin with no scripts.
const SANDBOX_CSP: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

#[derive(Debug, Error)]
pub enum WebError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the server: {0}")]
    Runtime(#[source] std::io::Error),
}

impl From<SearchError> for WebError {
    fn from(err: SearchError) -> Self {
        match err {
            SearchError::Index(err) => WebError::Index(err),
            SearchError::Tokenize(err) => WebError::Internal(err.to_string()),
            other => WebError::BadRequest(other.to_string()),
        }
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// What a handler returns.
pub enum Reply {
    Html(String),
    /// JSON bytes (the CLI's serialisation).
    Json(Vec<u8>),
    /// A file to save: bytes, content type, file name.
    Download(Vec<u8>, &'static str, String),
    /// An original document, shown in the browser.
    Original(Vec<u8>, &'static str, bool),
    Asset(&'static str, &'static str),
}

/// Whether errors are shown as an HTML page or as JSON.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Page,
    Api,
}

type Handler = fn(&App, &Params) -> Result<Reply, WebError>;

/// Options of `gyokaku serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub index_dir: PathBuf,
    pub bind: SocketAddr,
}

/// A bound server, ready to run.
pub struct Server {
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    hosts: Arc<HostGuard>,
}

/// The `Host` headers a loopback server answers to. A web page on another site can make the
/// browser send requests to 127.0.0.1 under a name it controls (DNS rebinding) and read the
/// answers as its own; refusing every other `Host` closes that. A server bound to another
/// address was asked to serve the network and answers to any name.
#[derive(Debug, Clone, Default)]
pub struct HostGuard {
    allowed: Option<Vec<String>>,
}

impl HostGuard {
    fn for_address(addr: SocketAddr) -> HostGuard {
        if !addr.ip().is_loopback() {
            return HostGuard { allowed: None };
        }
        let port = addr.port();
        let allowed = [addr.to_string(), format!("localhost:{port}"), format!("127.0.0.1:{port}")]
            .into_iter()
            .chain(std::iter::once(format!("[::1]:{port}")))
            .collect();
        HostGuard { allowed: Some(allowed) }
    }

    fn allows(&self, host: Option<&str>) -> bool {
        match (&self.allowed, host) {
            (None, _) => true,
            (Some(allowed), Some(host)) => allowed.iter().any(|a| a.eq_ignore_ascii_case(host)),
            (Some(_), None) => false,
        }
    }
}

impl Server {
    /// Opens the index and binds the address (port 0 picks a free port).
    pub fn bind(options: &ServeOptions) -> Result<Server, WebError> {
        let app = Arc::new(App::open(&options.index_dir)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("gyokaku-web")
            .build()
            .map_err(WebError::Runtime)?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(options.bind))
            .map_err(|source| WebError::Bind { addr: options.bind, source })?;
        let local = listener.local_addr().map_err(WebError::Runtime)?;
        let hosts = Arc::new(HostGuard::for_address(local));
        Ok(Server { runtime, listener, app, hosts })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> Result<SocketAddr, WebError> {
        self.listener.local_addr().map_err(WebError::Runtime)
    }

    /// Where the clusters of copied passages come from, or why there are none (for the
    /// start-up line).
    pub fn reuse_note(&self) -> String {
        self.app.snapshot().reuse_note.clone()
    }

    /// Serves until the process is stopped.
    pub fn run(self) -> Result<(), WebError> {
        let Server { runtime, listener, app, hosts } = self;
        let router = router(app).layer(axum::middleware::from_fn_with_state(hosts, check_host));
        runtime
            .block_on(async move { axum::serve(listener, router).await })
            .map_err(WebError::Runtime)
    }
}

/// Every route of the app.
pub fn router(app: Arc<App>) -> Router {
    use pages::keys;
    Router::new()
        .route("/", route(Kind::Page, pages::search, keys::SEARCH))
        .route("/plan", route(Kind::Page, pages::plan, keys::PLAN))
        .route("/themes", route(Kind::Page, pages::themes, keys::THEMES))
        .route("/themes/cell", route(Kind::Page, pages::theme_cell, keys::CELL))
        .route("/compare", route(Kind::Page, pages::compare, keys::COMPARE))
        .route("/kwic", route(Kind::Page, pages::kwic, keys::KWIC))
        .route("/api/search", route(Kind::Api, api::search, keys::SEARCH))
        .route("/api/plan", route(Kind::Api, api::plan, keys::PLAN))
        .route("/api/documents", route(Kind::Api, api::documents, &[]))
        .route("/api/themes", route(Kind::Api, api::themes, keys::THEMES))
        .route("/api/themes/cell", route(Kind::Api, api::theme_cell, keys::CELL))
        .route("/api/compare", route(Kind::Api, api::compare, keys::COMPARE))
        .route("/api/kwic", route(Kind::Api, api::kwic, keys::KWIC))
        .route("/api/reuse", route(Kind::Api, api::reuse, keys::REUSE))
        .route("/export/search.csv", route(Kind::Page, api::search_csv, keys::SEARCH))
        .route("/export/search.json", route(Kind::Page, api::search_json, keys::SEARCH))
        .route("/export/kwic.csv", route(Kind::Page, api::kwic_csv, keys::KWIC))
        .route("/export/themes.csv", route(Kind::Page, api::themes_csv, keys::THEMES))
        .route("/export/themes.json", route(Kind::Page, api::themes_json, keys::THEMES))
        .route("/export/themes.xlsx", route(Kind::Page, api::themes_xlsx, keys::THEMES))
        .route("/file/{id}", get(original))
        .route("/static/app.js", get(|| async { asset("/static/app.js") }))
        .route("/static/app.css", get(|| async { asset("/static/app.css") }))
        .fallback(|| async {
            respond(Err(WebError::NotFound("no such page".to_owned())), Kind::Page)
        })
        .method_not_allowed_fallback(|| async {
            let message = "the app is read-only: only GET requests are answered".to_owned();
            let mut response = respond(Err(WebError::BadRequest(message)), Kind::Page);
            *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            response
        })
        .with_state(app)
}

async fn check_host(
    State(hosts): State<Arc<HostGuard>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response<Body> {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if hosts.allows(host) {
        return next.run(request).await;
    }
    let message = format!(
        "this server answers only on its loopback address, not to the host `{}`",
        host.unwrap_or("(none)")
    );
    respond(Err(WebError::BadRequest(message)), Kind::Page)
}

fn route(kind: Kind, handler: Handler, allowed: &'static [&'static str]) -> MethodRouter<Arc<App>> {
    get(
        move |State(app): State<Arc<App>>, headers: HeaderMap, RawQuery(query): RawQuery| async move {
            let response = blocking(app, kind, move |app| {
                let params = Params::parse(query.as_deref().unwrap_or(""), allowed)?;
                handler(app, &params)
            })
            .await;
            compress(response, &headers).await
        },
    )
}

/// Bodies smaller than this are sent as they are: gzip would save less than it costs.
const MIN_COMPRESS: usize = 2048;

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| coding.split(';').next().is_some_and(|c| c.trim() == "gzip"))
}

/// Gzips a text response (HTML, JSON, CSV, SVG) when the client accepts it.
async fn compress(response: Response<Body>, request_headers: &HeaderMap) -> Response<Body> {
    let textual = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("text/") || t.starts_with("application/json"));
    if !textual || !accepts_gzip(request_headers) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if bytes.len() < MIN_COMPRESS {
        return Response::from_parts(parts, Body::from(bytes));
    }
    // Compressing megabytes is CPU work: off the async workers, like the handlers' work.
    let gzipped = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let gzipped = encoder.write_all(&bytes).and_then(|()| encoder.finish());
        gzipped.map_err(|_| bytes)
    })
    .await;
    match gzipped {
        Ok(Ok(gzipped)) => {
            parts.headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            parts.headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(gzipped))
        }
        Ok(Err(bytes)) => Response::from_parts(parts, Body::from(bytes)),
        Err(_) => {
            parts.status = StatusCode::INTERNAL_SERVER_ERROR;
            Response::from_parts(parts, Body::empty())
        }
    }
}

async fn blocking(
    app: Arc<App>,
    kind: Kind,
    work: impl FnOnce(&App) -> Result<Reply, WebError> + Send + 'static,
) -> Response<Body> {
    let started = std::time::Instant::now();
    let result = tokio::task::spawn_blocking(move || work(&app)).await.unwrap_or_else(|err| {
        tracing::error!("request failed: {err}");
        Err(WebError::Internal("the request failed; see the server's log".to_owned()))
    });
    let mut response = respond(result, kind);
    // The server's own time for the request (parsing, library work, rendering), for the load
    // bench and the browser's developer tools.
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&format!("app;dur={millis:.2}")) {
        response.headers_mut().insert("server-timing", value);
    }
    response
}

async fn original(
    State(app): State<Arc<App>>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response<Body> {
    blocking(app, Kind::Page, move |app| api::original(app, &id)).await
}

fn asset(path: &str) -> Response<Body> {
    let reply = match path {
        "/static/app.js" => {
            Reply::Asset(include_str!("assets/app.js"), "text/javascript; charset=utf-8")
        }
        _ => Reply::Asset(include_str!("assets/app.css"), "text/css; charset=utf-8"),
    };
    respond(Ok(reply), Kind::Page)
}

/// Builds the HTTP response, with the security headers on every one of them.
fn respond(result: Result<Reply, WebError>, kind: Kind) -> Response<Body> {
    let (status, content_type, body, csp, disposition) = match result {
        Ok(Reply::Html(html)) => {
            (StatusCode::OK, "text/html; charset=utf-8", html.into_bytes(), CSP, None)
        }
        Ok(Reply::Json(json)) => (StatusCode::OK, "application/json", json, CSP, None),
        Ok(Reply::Download(bytes, content_type, name)) => {
            (StatusCode::OK, content_type, bytes, CSP, Some(name))
        }
        Ok(Reply::Original(bytes, content_type, sandbox)) => {
            (StatusCode::OK, content_type, bytes, if sandbox { SANDBOX_CSP } else { CSP }, None)
        }
        Ok(Reply::Asset(text, content_type)) => {
            (StatusCode::OK, content_type, text.as_bytes().to_vec(), CSP, None)
        }
        Err(err) => {
            let status = err.status();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!("{err}");
            }
            let reason = status.canonical_reason().unwrap_or("Error");
            match kind {
                Kind::Api => {
                    let json =
                        serde_json::json!({"error": err.to_string(), "status": status.as_u16()});
                    (status, "application/json", json.to_string().into_bytes(), CSP, None)
                }
                Kind::Page => {
                    let page = html::error_page(status.as_u16(), reason, &err.to_string());
                    (status, "text/html; charset=utf-8", page.into_bytes(), CSP, None)
                }
            }
        }
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(name) = disposition {
        // File names are ours (ASCII), never from a document.
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}

/// Whether `path` is a folder holding an index (for the CLI's error messages).
pub fn has_index(path: &Path) -> bool {
    path.join("tantivy").join("meta.json").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_answers_only_to_its_names() {
        let guard = HostGuard::for_address("127.0.0.1:8350".parse().unwrap());
        assert!(guard.allows(Some("127.0.0.1:8350")));
        assert!(guard.allows(Some("LOCALHOST:8350")));
        assert!(!guard.allows(Some("localhost:8351")));
        assert!(!guard.allows(Some("evil.example:8350")));
        assert!(!guard.allows(None));
        let open = HostGuard::for_address("0.0.0.0:8350".parse().unwrap());
        assert!(open.allows(Some("plans.example.jp")));
    }

    #[test]
    fn gzip_is_read_from_accept_encoding() {
        let mut headers = HeaderMap::new();
        assert!(!accepts_gzip(&headers));
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br, gzip;q=0.8"));
        assert!(accepts_gzip(&headers));
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzipx"));
        assert!(!accepts_gzip(&headers));
    }

    #[test]
    fn errors_keep_the_security_headers() {
        let response = respond(Err(WebError::BadRequest("`limit` …".to_owned())), Kind::Api);
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()[header::CONTENT_SECURITY_POLICY], CSP);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    }
}
