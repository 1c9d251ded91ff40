//! AIMA's web UI, as HTTP: the front end built by Vite into `ui/dist`,
//! embedded into the binary at compile time (rust-embed), or read from a
//! folder (`aima serve --webui-dir`) while developing it.
//!
//! The UI is a single-page application and the API's first client: it only
//! calls `/api/v1`. Any path that is not a file of the build gets
//! `index.html`, so deep links (`/media/<id>?t=12`) work on reload. Files
//! under `assets/` carry a content hash in their names and are cached for a
//! year; `index.html` is revalidated (ETag) on every load. The build writes
//! Brotli and gzip twins of each text file (`ui/scripts/compress.mjs`),
//! sent to browsers that accept them.
//!
//! Why by hand and not `axum-embed`: that crate is built for axum 0.7, and
//! the cache policy per path (immutable hashed assets, revalidated
//! `index.html`) is ours. For a folder, tower-http's `ServeDir` does it all.
//!
//! When the UI was not built (`npm --prefix ui run build` never ran) the
//! binary still builds and `/` answers with a page that says how to build it.

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Assets;

/// Whether this binary carries a built UI.
pub fn built() -> bool {
    Assets::get("index.html").is_some()
}

/// The UI's routes: every GET or HEAD the API does not answer. `dir`
/// serves a build folder instead of the embedded files (development).
pub fn router(dir: Option<PathBuf>) -> Router {
    match dir {
        Some(dir) => {
            let index = dir.join("index.html");
            let files = tower_http::services::ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(tower_http::services::ServeFile::new(index));
            Router::new().fallback_service(files)
        }
        None => Router::new().fallback(embedded),
    }
}

const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AIMA: the web UI was not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">
<h1>The web UI was not built into this binary</h1>
<p>This <code>aima</code> was compiled before its web UI was built. The API works: it is under
<a href="/api/v1/openapi.json"><code>/api/v1</code></a>.</p>
<p>To get the UI, build it and then the binary (or run <code>bash scripts/serve.sh</code>, which does both):</p>
<pre>npm --prefix ui ci
npm --prefix ui run build
cargo build --release -p aima</pre>
<p>Or serve a built folder without rebuilding: <code>aima serve --webui-dir ui/dist</code>.</p>
</body></html>
"#;

async fn embedded(req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = req.uri().path().trim_start_matches('/');
    let file = if !path.is_empty() && Assets::get(path).is_some() {
        path
    } else if path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
    {
        // A file that is not there (an old hashed asset): no page for it.
        return (StatusCode::NOT_FOUND, "not found").into_response();
    } else {
        "index.html"
    };
    let Some(content) = Assets::get(file) else {
        return (
            StatusCode::OK,
            [(CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
            Html(NOT_BUILT),
        )
            .into_response();
    };
    let etag = format!("\"{}\"", hex(&content.metadata.sha256_hash()));
    let cache = if file.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut headers = HeaderMap::new();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(content.metadata.mimetype()) {
        headers.insert(CONTENT_TYPE, v);
    }
    let fresh = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if fresh {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let mut body = content.data;
    for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] {
        if accepts(req.headers(), encoding) {
            if let Some(packed) = Assets::get(&format!("{file}.{suffix}")) {
                headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
                body = packed.data;
                break;
            }
        }
    }
    (headers, Body::from(body.into_owned())).into_response()
}

/// Whether `Accept-Encoding` lists `encoding` without `q=0`.
fn accepts(headers: &HeaderMap, encoding: &str) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            parts.next().is_some_and(|name| name == encoding)
                && !parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q == 0.0)
                })
        })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br;q=0"),
        );
        assert!(accepts(&h, "gzip"));
        assert!(!accepts(&h, "br"));
        h.insert(ACCEPT_ENCODING, HeaderValue::from_static("br;q=0.5"));
        assert!(accepts(&h, "br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }
}
