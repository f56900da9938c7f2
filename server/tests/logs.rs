//! `GET /api/logs` through the real router against the live engine: lines and the end as
//! server-sent events, and plain refusals for bad input, unknown containers and no engine.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::endpoint::Endpoint;
use app::domain::logs::{LogEnd, LogEndReason, LogLine};
use app::engine::testkit::{ContainerSpec, TestLab};
use app::engine::Engine;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use server::access::Access;
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::state;

async fn get(engine: Engine, uri: &str) -> (StatusCode, String, String) {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    request
        .headers_mut()
        .insert("host", "localhost".parse().unwrap());
    let response = common::over_socket(
        &server::router(state(engine), Arc::new(Access::open())),
        request,
    )
    .await;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = tokio::time::timeout(Duration::from_secs(30), response.into_body().collect())
        .await
        .expect("the response ended")
        .unwrap()
        .to_bytes();
    (
        status,
        content_type,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// The `data:` of every event named `kind`, in order.
fn events<'a>(body: &'a str, kind: &str) -> Vec<&'a str> {
    body.split("\n\n")
        .filter(|block| block.lines().any(|l| l == format!("event: {kind}")))
        .filter_map(|block| block.lines().find_map(|l| l.strip_prefix("data: ")))
        .collect()
}

#[tokio::test]
async fn the_log_endpoint_streams_lines_as_events_and_ends_with_the_exit_code() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("logs").cmd([
            "sh",
            "-c",
            "echo first; usleep 200000; echo second >&2; usleep 300000; exit 7",
        ]))
        .await;

    let (status, content_type, body) = get(
        lab.engine(),
        &format!("/api/logs?name={c}&tail=all&follow=1"),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/event-stream");
    let lines: Vec<LogLine> = events(&body, "lines")
        .into_iter()
        .flat_map(|data| serde_json::from_str::<Vec<LogLine>>(data).unwrap())
        .collect();
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    // stdout and stderr are copied by separate Engine goroutines: order only holds across a pause.
    assert_eq!(texts, vec!["first", "second"]);
    let ends = events(&body, "end");
    assert_eq!(ends.len(), 1, "exactly one end event");
    let end: LogEnd = serde_json::from_str(ends[0]).unwrap();
    assert_eq!(end.reason, LogEndReason::Exited { code: 7 });
    assert_eq!(end.lines, 2);
}

#[tokio::test]
async fn bad_log_parameters_are_refused_before_the_engine_is_asked() {
    let lab = TestLab::start().await;
    let c = lab.container(ContainerSpec::new("quiet")).await;
    for (query, expected) in [
        ("name=a%3Bb".to_owned(), "container name"),
        (format!("name={c}&tail=lots"), "tail must be"),
        (format!("name={c}&since=%24(id)"), "since must"),
        (format!("name={c}&follow=maybe"), "follow must"),
    ] {
        let (status, _, body) = get(lab.engine(), &format!("/api/logs?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.contains(expected), "{query}: {body}");
    }
}

#[tokio::test]
async fn an_unknown_name_or_id_is_a_404_and_a_missing_engine_a_503() {
    let lab = TestLab::start().await;
    let missing = lab.name("absent");
    for unknown in [
        missing,
        "deadbeef0000".to_owned(),
        format!("deadbeef0000{}", "0".repeat(52)),
    ] {
        let (status, _, body) = get(lab.engine(), &format!("/api/logs?name={unknown}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}");
        assert_eq!(body, format!("no container with the name or id {unknown}"));
    }

    let socket =
        std::env::temp_dir().join(format!("nd-no-engine-{}/docker.sock", std::process::id()));
    let gone = Engine::new(Endpoint::Unix(socket.to_string_lossy().into_owned()));
    let (status, _, body) = get(gone, "/api/logs?name=web").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("Docker"), "{body}");
}

#[tokio::test]
async fn removing_the_container_ends_the_event_stream_saying_it_was_removed() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("doomed").cmd([
            "sh",
            "-c",
            "echo first; while true; do usleep 100000; done",
        ]))
        .await;
    let remover = async {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        lab.remove(&c).await;
    };
    let uri = format!("/api/logs?name={c}&tail=all&follow=1");
    let request = get(lab.engine(), &uri);
    let ((status, _, body), ()) = tokio::join!(request, remover);

    assert_eq!(status, StatusCode::OK);
    assert!(events(&body, "lines").concat().contains("first"), "{body}");
    let ends = events(&body, "end");
    assert_eq!(ends.len(), 1, "exactly one end event: {body}");
    let end: LogEnd = serde_json::from_str(ends[0]).unwrap();
    assert_eq!(end.reason, LogEndReason::Removed);
    assert!(end.message().contains("was removed"));
}

/// The router on a loopback port, as `netdoctor` serves it.
async fn serve(engine: Engine) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = server::router(state(engine), Arc::new(Access::open()));
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// A raw HTTP/1.1 client that asks for `uri` and reads until `until` has arrived.
async fn open_stream(addr: std::net::SocketAddr, uri: &str, until: &str) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(format!("GET {uri} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    tokio::time::timeout(Duration::from_secs(20), async {
        while !String::from_utf8_lossy(&seen).contains(until) {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the server closed the stream early");
            seen.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("the stream started");
    socket
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 5 s");
}

#[tokio::test]
async fn the_engine_log_request_is_closed_when_the_viewer_disconnects() {
    let lab = TestLab::start().await;
    let c = lab
        .container(ContainerSpec::new("chatty").cmd([
            "sh",
            "-c",
            "i=0; while true; do echo tick $i; i=$((i+1)); usleep 20000; done",
        ]))
        .await;
    let engine = lab.engine();
    let addr = serve(engine.clone()).await;
    assert_eq!(engine.open_log_streams(), 0);

    let viewer = open_stream(addr, &format!("/api/logs?name={c}&tail=0&follow=1"), "tick").await;
    assert_eq!(
        engine.open_log_streams(),
        1,
        "one viewer, one Engine request"
    );

    drop(viewer);
    wait_until("the Engine request is closed after the viewer left", || {
        engine.open_log_streams() == 0
    })
    .await;
    let read = engine.log_bytes_read();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(engine.log_bytes_read(), read, "nothing is read any more");
}

#[tokio::test]
async fn a_viewer_that_stops_reading_does_not_make_the_server_read_the_whole_log() {
    let lab = TestLab::start().await;
    // 1,000-byte lines, 40 MB in all, after a first line to start on.
    let c = lab
        .container(ContainerSpec::new("flood").cmd([
            "sh",
            "-c",
            "echo start; usleep 500000; \
             head -c 40000000 /dev/zero | tr '\\0' x | fold -w 999",
        ]))
        .await;
    let engine = lab.engine();
    let addr = serve(engine.clone()).await;

    let viewer = open_stream(
        addr,
        &format!("/api/logs?name={c}&tail=all&follow=1"),
        "start",
    )
    .await;
    // The viewer reads nothing more while the container writes its 40 MB and exits.
    let name = app::domain::names::ContainerName::parse(&c).unwrap();
    let mut exited = false;
    for _ in 0..300 {
        if engine.container(&name).await.unwrap().state.as_str() == "exited" {
            exited = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(exited, "the container wrote its 40 MB within 30 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let read = engine.log_bytes_read();
    assert!(
        read < 16_000_000,
        "a stalled viewer made the server read {read} bytes of the 40 MB log"
    );
    assert_eq!(engine.open_log_streams(), 1);
    drop(viewer);
    wait_until("the stream closes once the stalled viewer leaves", || {
        engine.open_log_streams() == 0
    })
    .await;
}
