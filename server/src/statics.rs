//! Static files: the site's `pkg/` directory (wasm, JS, CSS) and the few root files, served by
//! routes of their own that never render the app, compressed (precompressed `.br`/`.gz` files
//! when the release build wrote them, else on the fly), and the compression of dynamic answers.

use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use std::path::Path;
use tower::Layer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// The asset names carry no content hash yet, so a browser must ask again (a cheap 304 with
/// `If-Modified-Since`) rather than keep an old wasm that no longer matches the server.
const ASSET_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

/// `/pkg/*`: files from the site's pkg directory; anything else there is a plain, empty 404.
pub fn pkg(dir: &Path) -> SetResponseHeader<ServeDir, HeaderValue> {
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(false)
        .precompressed_br()
        .precompressed_gzip();
    SetResponseHeaderLayer::overriding(CACHE_CONTROL, ASSET_CACHE).layer(files)
}

/// One file at the site root (`/robots.txt`); a plain 404 when the site has none.
pub fn file(path: &Path) -> SetResponseHeader<ServeFile, HeaderValue> {
    SetResponseHeaderLayer::overriding(CACHE_CONTROL, ASSET_CACHE).layer(ServeFile::new(path))
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
