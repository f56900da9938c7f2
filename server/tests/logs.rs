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
use tower::ServiceExt;

mod common;
use common::state;

async fn get(engine: Engine, uri: &str) -> (StatusCode, String, String) {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    request
        .headers_mut()
        .insert("host", "localhost".parse().unwrap());
    let response = server::router(state(engine), Arc::new(Access::open()))
        .oneshot(request)
        .await
        .unwrap();
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
async fn an_unknown_container_is_a_404_and_a_missing_engine_a_503() {
    let lab = TestLab::start().await;
    let missing = lab.name("absent");
    let (status, _, body) = get(lab.engine(), &format!("/api/logs?name={missing}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, format!("no container named {missing}"));

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
