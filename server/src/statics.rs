//! Static files: the site's `pkg/` directory (wasm, JS, CSS) and the few root files, served by
//! routes of their own that never render the app, compressed (precompressed `.br`/`.gz` files
//! when the release build wrote them, else on the fly), and the compression of dynamic answers.

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower::Layer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// A file whose name carries a hash of its content never changes: browsers keep it for a year
/// without asking again.
const CONTENT_NAMED: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// A file whose name carries no hash may change with the next build, so a browser must ask
/// again (a cheap 304 with `If-Modified-Since`) rather than keep an old one.
const PLAIN_NAMED: HeaderValue = HeaderValue::from_static("no-cache");

/// `/pkg/*`: files from the site's pkg directory, the brotli or gzip twin when the browser
/// takes it (with `Vary: Accept-Encoding`); anything else there is a plain, empty 404.
pub fn pkg(dir: &Path) -> Router {
    let twins = dir.to_path_buf();
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(false)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(axum::routing::any(move |request: Request| {
            let dir = twins.clone();
            async move { unpacked_twin(&dir, request.uri().path()).await }
        }));
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_by_name))
}

/// The container image ships the big files only as their `.br` twins (the raw wasm alone, or
/// a second twin beside the brotli one, would push it over its 20 MB budget). A client that
/// takes no brotli still gets the file: the twin, unpacked here, and gzipped on the way out by
/// [`compression`] when the client takes gzip. A site with only `.gz` twins is unpacked the
/// same way. Only a plain file name is looked up (`ServeDir` has already refused anything
/// else); anything missing is an empty 404.
async fn unpacked_twin(dir: &Path, path: &str) -> Response {
    use axum::http::header::CONTENT_TYPE;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let name = path.trim_start_matches('/');
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if !plain {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut unpacked = None;
    for packing in [Packing::Brotli, Packing::Gzip] {
        let twin = dir.join(format!("{name}.{}", packing.extension()));
        let Ok(packed) = tokio::fs::read(&twin).await else {
            continue;
        };
        match packing.unpack(&packed) {
            Ok(raw) => {
                unpacked = Some(raw);
                break;
            }
            Err(error) => {
                tracing::warn!(file = %twin.display(), %error, "a compressed twin in the site does not unpack");
            }
        }
    }
    let Some(raw) = unpacked else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let kind = match name.rsplit('.').next() {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    };
    ([(CONTENT_TYPE, kind)], raw).into_response()
}

/// How a twin beside a site file is compressed.
#[derive(Clone, Copy)]
enum Packing {
    Brotli,
    Gzip,
}

impl Packing {
    fn extension(self) -> &'static str {
        match self {
            Packing::Brotli => "br",
            Packing::Gzip => "gz",
        }
    }

    fn unpack(self, packed: &[u8]) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut raw = Vec::with_capacity(packed.len() * 4);
        match self {
            Packing::Brotli => {
                brotli_decompressor::Decompressor::new(packed, 64 * 1024).read_to_end(&mut raw)?
            }
            Packing::Gzip => flate2::read::GzDecoder::new(packed).read_to_end(&mut raw)?,
        };
        Ok(raw)
    }
}

/// Sets `Cache-Control` on a `/pkg` answer by its file name (see [`is_content_named`]), and
/// `Vary: Accept-Encoding`: which twin was sent depends on it, so a shared cache must not hand
/// a brotli body to a browser that asked for gzip (`ServeDir` does not say so itself).
async fn cache_by_name(request: Request, next: Next) -> Response {
    let content_named = is_content_named(request.uri().path());
    let mut response = next.run(request).await;
    let value = if content_named && response.status().is_success() {
        CONTENT_NAMED
    } else {
        PLAIN_NAMED
    };
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, value);
    let varies = headers.get_all(VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !varies {
        headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether the last segment of `path` is a name cargo-leptos gave a content hash
/// (`hash-files`): `netdoctor.<hash>.wasm`, `__wasm_split.<hash>.js`, where `<hash>` is the
/// MD5 of the content in unpadded URL-safe base64 (22 characters). Lazily loaded chunks are
/// named by their own content hash the same way.
pub fn is_content_named(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts: Vec<&str> = name.split('.').collect();
    if parts.len() < 3 {
        return false;
    }
    parts.pop();
    parts.remove(0);
    parts.iter().any(|p| {
        p.len() == 22
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// One file at the site root (`/robots.txt`); a plain 404 when the site has none.
pub fn file(path: &Path) -> SetResponseHeader<ServeFile, HeaderValue> {
    SetResponseHeaderLayer::overriding(CACHE_CONTROL, PLAIN_NAMED).layer(ServeFile::new(path))
}

/// Gzip for pages and JSON when the browser accepts it (with `Vary`; the site's files come
/// precompressed, brotli first);
/// never for the live streams (`text/event-stream`: a compressor would hold events back) nor
/// for files that are already compressed.
pub fn compression() -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(256)
        .and(NotForContentType::const_new("text/event-stream"))
        .and(NotForContentType::IMAGES);
    // Level 5 is fast and within a few percent of the best for HTML and JSON, also on a
    // 3 MB wasm when no precompressed file is there (debug builds).
    CompressionLayer::new()
        .gzip(true)
        .quality(CompressionLevel::Precise(5))
        .compress_when(predicate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_a_cargo_leptos_content_hash_are_content_named() {
        assert!(is_content_named("/netdoctor.dIr6EcJIX8TTIIZs3dGk5A.wasm"));
        assert!(is_content_named(
            "/pkg/__wasm_split.AbCdEfGhIjKlMnOpQrSt_-.js"
        ));
        assert!(is_content_named("/netdoctor.dIr6EcJIX8TTIIZs3dGk5A.css"));
    }

    #[test]
    fn plain_names_and_near_misses_are_not() {
        assert!(!is_content_named("/netdoctor.wasm"));
        assert!(!is_content_named("/netdoctor.js"));
        assert!(!is_content_named("/dIr6EcJIX8TTIIZs3dGk5A.wasm"));
        assert!(!is_content_named("/netdoctor.dIr6EcJIX8TTIIZs3dGk5.wasm"));
        assert!(!is_content_named("/netdoctor.dIr6EcJIX8TTIIZs3dGk5A!.wasm"));
        assert!(!is_content_named("/"));
    }
}
