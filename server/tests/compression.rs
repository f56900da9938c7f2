//! What a browser gets on the wire: the site's files precompressed (brotli, else gzip) with
//! `Vary: Accept-Encoding`, content-named files kept for a year and plain-named ones asked
//! again, pages and JSON gzipped and never cached, and the live streams never compressed.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use app::engine::Engine;
use app::state::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::BodyExt;
use server::access::Access;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::{missing_engine, over_socket, state};

/// A site whose pkg directory holds a content-named wasm with both compressed twins and a
/// plain-named script without any.
fn site(dir: &Path) {
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = pkg.join("netdoctor.dIr6EcJIX8TTIIZs3dGk5A.wasm");
    std::fs::write(&wasm, vec![b'w'; 4096]).unwrap();
    std::fs::write(wasm.with_extension("wasm.br"), b"brotli twin").unwrap();
    std::fs::write(wasm.with_extension("wasm.gz"), b"gzip twin").unwrap();
    std::fs::write(pkg.join("netdoctor.js"), "export default 1;\n".repeat(100)).unwrap();
}

fn state_over(engine: Engine, site_root: &Path) -> AppState {
    let mut state = state(engine);
    state.leptos_options.site_root = site_root.to_string_lossy().as_ref().into();
    state
}

async fn fetch(state: AppState, path: &str, accept: &str) -> Response<Body> {
    let request = Request::get(path)
        .header("host", "localhost")
        .header("accept-encoding", accept)
        .body(Body::empty())
        .unwrap();
    over_socket(&server::router(state, Arc::new(Access::open())), request).await
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

async fn body(response: Response<Body>) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

#[tokio::test]
async fn site_files_come_precompressed_and_content_named_ones_are_kept_a_year() {
    let dir = std::env::temp_dir().join(format!("nd-site-{}", std::process::id()));
    site(&dir);
    let wasm = "/pkg/netdoctor.dIr6EcJIX8TTIIZs3dGk5A.wasm";

    let r = fetch(state_over(missing_engine(), &dir), wasm, "br, gzip").await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(header(&h, "content-encoding"), "br");
    assert!(
        header(&h, "vary")
            .to_ascii_lowercase()
            .contains("accept-encoding"),
        "{h:?}"
    );
    assert_eq!(header(&h, "content-type"), "application/wasm");
    assert_eq!(
        header(&h, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(body(r).await, b"brotli twin");

    let r = fetch(state_over(missing_engine(), &dir), wasm, "gzip").await;
    assert_eq!(header(r.headers(), "content-encoding"), "gzip");
    assert_eq!(body(r).await, b"gzip twin");

    let r = fetch(state_over(missing_engine(), &dir), wasm, "identity").await;
    assert_eq!(header(r.headers(), "content-encoding"), "");
    assert_eq!(body(r).await.len(), 4096);

    // No twin on disk: compressed on the fly, and asked again next time (the name may be reused).
    let r = fetch(
        state_over(missing_engine(), &dir),
        "/pkg/netdoctor.js",
        "br, gzip",
    )
    .await;
    let h = r.headers().clone();
    assert_eq!(header(&h, "content-encoding"), "gzip");
    assert_eq!(header(&h, "cache-control"), "no-cache");

    let r = fetch(
        state_over(missing_engine(), &dir),
        "/pkg/netdoctor.nothingHereAtAll00000.js",
        "br",
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_ne!(
        header(r.headers(), "cache-control"),
        "public, max-age=31536000, immutable",
        "a miss is never kept"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_file_shipped_only_as_its_brotli_twin_is_unpacked_for_a_client_that_takes_no_brotli() {
    use std::io::{Read, Write};
    let dir = std::env::temp_dir().join(format!("nd-twins-{}", std::process::id()));
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let raw: Vec<u8> = (0..50_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let mut br = brotli::CompressorWriter::new(Vec::new(), 4096, 9, 22);
    br.write_all(&raw).unwrap();
    let br = br.into_inner();
    let name = "netdoctor.QQr6EcJIX8TTIIZs3dGk5A.wasm";
    std::fs::write(pkg.join(format!("{name}.br")), &br).unwrap();
    let path = format!("/pkg/{name}");
    // An older site layout: a file shipped only as its gzip twin.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&raw).unwrap();
    let gz_name = "netdoctor.GGr6EcJIX8TTIIZs3dGk5A.js";
    std::fs::write(pkg.join(format!("{gz_name}.gz")), gz.finish().unwrap()).unwrap();

    let r = fetch(state_over(missing_engine(), &dir), &path, "br, gzip").await;
    assert_eq!(header(r.headers(), "content-encoding"), "br");
    assert_eq!(body(r).await, br);

    let r = fetch(state_over(missing_engine(), &dir), &path, "identity").await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(header(&h, "content-encoding"), "");
    assert_eq!(header(&h, "content-type"), "application/wasm");
    assert_eq!(
        header(&h, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(body(r).await, raw);

    // A browser over plain HTTP takes gzip but not brotli: gzipped on the way out.
    let r = fetch(state_over(missing_engine(), &dir), &path, "gzip, deflate").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(r.headers(), "content-encoding"), "gzip");
    let packed = body(r).await;
    assert!(
        packed.len() < raw.len() / 2,
        "{} bytes gzipped",
        packed.len()
    );
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(packed.as_slice())
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, raw);

    let r = fetch(
        state_over(missing_engine(), &dir),
        &format!("/pkg/{gz_name}"),
        "identity",
    )
    .await;
    assert_eq!(header(r.headers(), "content-type"), "text/javascript");
    assert_eq!(body(r).await, raw);

    // Nothing outside the directory and no hidden names, however spelled.
    for bad in ["/pkg/..%2fpkg%2fx", "/pkg/.hidden", "/pkg/nothing.wasm"] {
        let r = fetch(state_over(missing_engine(), &dir), bad, "identity").await;
        assert!(r.status().is_client_error(), "{bad}: {}", r.status());
        assert!(body(r).await.len() < 200, "{bad}: a short refusal, no file");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn pages_and_json_are_gzipped_and_pages_are_never_cached() {
    let lab = TestLab::start().await;
    lab.container(ContainerSpec::new("listed")).await;
    for path in ["/", "/containers", "/api/topology"] {
        let r = fetch(state(lab.engine()), path, "br, gzip").await;
        let h = r.headers().clone();
        assert_eq!(header(&h, "content-encoding"), "gzip", "{path}: {h:?}");
        assert!(
            header(&h, "vary")
                .to_ascii_lowercase()
                .contains("accept-encoding"),
            "{path}"
        );
        assert_eq!(header(&h, "cache-control"), "no-store", "{path}");
        let _ = body(r).await;
    }
}

#[tokio::test]
async fn the_event_streams_are_never_compressed() {
    let lab = TestLab::start().await;
    let chatty = lab
        .container(ContainerSpec::new("chatty").cmd([
            "sh",
            "-c",
            "while true; do echo tick; sleep 1; done",
        ]))
        .await;
    for path in [
        "/api/events".to_owned(),
        format!("/api/logs?name={chatty}&tail=10&follow=1"),
    ] {
        let r = fetch(state(lab.engine()), &path, "br, gzip").await;
        let h = r.headers().clone();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(
            header(&h, "content-type").starts_with("text/event-stream"),
            "{path}: {h:?}"
        );
        assert_eq!(header(&h, "content-encoding"), "", "{path}: {h:?}");
        // The first event arrives as written, not held back by a compressor.
        let mut stream = r.into_body();
        let first = tokio::time::timeout(Duration::from_secs(10), stream.frame())
            .await
            .unwrap_or_else(|_| panic!("{path}: no event within 10 s"))
            .expect("a frame")
            .expect("no error");
        let data = first.into_data().expect("data");
        assert!(
            data.starts_with(b"event:") || data.starts_with(b":") || data.starts_with(b"data:"),
            "{path}: {data:?}"
        );
    }
}
