//! The check server functions through the router: a report from the live engine, refusal of
//! bad input, and read-only mode, where nothing runs.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::access::Capabilities;
use app::engine::testkit::TestLab;
use app::engine::Engine;
use app::state::AppState;
use axum::http::StatusCode;

mod common;
use common::{get, post_form};

fn state(engine: Engine, read_only: bool) -> AppState {
    common::state_with(
        engine,
        Capabilities {
            read_only,
            ..Capabilities::default()
        },
    )
}

#[tokio::test]
async fn the_reach_server_function_answers_a_report_and_logs_its_runs() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;
    let engine = lab.engine();

    let (status, body) = post_form(
        state(engine.clone(), false),
        "/api/check/reach",
        &format!("from={client}&to={web}%3A80&http=false"),
    )
    .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(report["diagnosis"]["healthy"], true, "{report:#}");
    let (status, runs) = get(state(engine, false), "/api/check/runs").await;
    assert_eq!(status, StatusCode::OK, "{runs}");
    let runs: serde_json::Value = serde_json::from_str(&runs).expect("JSON");
    assert!(
        runs.as_array().is_some_and(|r| r.len() == 2),
        "resolve and connect: {runs:#}"
    );
}

#[tokio::test]
async fn read_only_mode_and_bad_input_are_refused_before_anything_runs() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;

    let (status, body) = post_form(
        state(lab.engine(), true),
        "/api/check/reach",
        &format!("from={client}&to={web}%3A80&http=false"),
    )
    .await;
    assert!(
        status.is_server_error() || status.is_client_error(),
        "{status}"
    );
    assert!(body.contains("ReadOnly"), "{body}");

    let (status, body) = post_form(
        state(lab.engine(), false),
        "/api/check/external",
        &format!("from={client}&name=%24%28id%29"),
    )
    .await;
    assert!(!status.is_success(), "{status}");
    assert!(
        body.contains("BadInput") && body.contains("host name"),
        "{body}"
    );

    assert_eq!(lab.exec_count(&client).await, 0);
    assert_eq!(lab.exec_count(&web).await, 0);
}

#[tokio::test]
async fn the_proxy_server_function_refuses_bad_input_and_names_a_missing_route() {
    let lab = TestLab::start().await;
    let (web, _client) = common::web_and_client(&lab).await;

    let (status, body) = post_form(
        state(lab.engine(), false),
        "/api/check/proxy",
        "domain=app.example.test%3Bid",
    )
    .await;
    assert!(
        status.is_client_error() || status.is_server_error(),
        "{status}"
    );
    assert!(body.contains("not allowed"), "{body}");

    // The lab's web container stands in as the proxy: it routes nothing.
    let domain = format!("nobody.{}.example.test", lab.run_id());
    let (status, body) = post_form(
        state(lab.engine(), false),
        "/api/check/proxy",
        &format!("domain={domain}&proxy={web}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(report["check"], "proxy");
    assert_eq!(report["diagnosis"]["healthy"], false, "{report:#}");
}

#[tokio::test]
async fn a_started_check_shows_its_steps_as_they_finish_and_then_its_report() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;
    let engine = lab.engine();

    let (status, body) = post_form(
        state(engine.clone(), false),
        "/api/check/start",
        &format!("check=reach&from={client}&to={web}%3A80"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let started: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let id = started["id"].as_str().expect("an id").to_owned();
    assert_eq!(id.len(), 32, "128 random bits: {id}");
    assert!(
        started["report"].is_null(),
        "it answers before the check ends"
    );

    let mut seen_steps = Vec::new();
    let finished = loop {
        let (status, body) = get(
            state(engine.clone(), false),
            &format!("/api/check/progress?id={id}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let p: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        seen_steps.push(p["steps"].as_array().map_or(0, Vec::len));
        if !p["report"].is_null() {
            break p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(
        finished["report"]["diagnosis"]["healthy"], true,
        "{finished:#}"
    );
    let report_steps = finished["report"]["steps"].as_array().map_or(0, Vec::len);
    assert_eq!(
        finished["steps"].as_array().map_or(0, Vec::len),
        report_steps
    );
    assert!(
        seen_steps.windows(2).all(|w| w[0] <= w[1]),
        "steps only ever grow: {seen_steps:?}"
    );

    for (path, why) in [
        ("/api/check/progress?id=zz%3Bid", "hexadecimal"),
        (
            "/api/check/progress?id=00000000000000000000000000000000",
            "no check with id",
        ),
    ] {
        let (status, body) = get(state(engine.clone(), false), path).await;
        assert!(
            status.is_client_error() || status.is_server_error(),
            "{path}: {status}"
        );
        assert!(body.contains(why), "{path}: {body}");
    }
    let (status, body) = post_form(
        state(engine.clone(), false),
        "/api/check/start",
        "check=rm&from=x",
    )
    .await;
    assert!(
        status.is_client_error() || status.is_server_error(),
        "{status}"
    );
    assert!(body.contains("no check named"), "{body}");
    let (_, body) = post_form(
        state(engine, true),
        "/api/check/start",
        &format!("check=reach&from={client}&to={web}%3A80"),
    )
    .await;
    assert!(body.contains("ReadOnly"), "{body}");
}

#[tokio::test]
async fn the_listening_ports_server_function_reads_the_sockets_and_refuses_read_only_and_bad_names()
{
    let lab = TestLab::start().await;
    let (web, _client) = common::web_and_client(&lab).await;

    let (status, body) = post_form(
        state(lab.engine(), true),
        "/api/check/listening",
        &format!("container={web}"),
    )
    .await;
    assert!(!status.is_success(), "{status}");
    assert!(body.contains("ReadOnly"), "{body}");
    let (status, body) = post_form(
        state(lab.engine(), false),
        "/api/check/listening",
        "container=web%3Bid",
    )
    .await;
    assert!(!status.is_success(), "{status}");
    assert!(body.contains("BadInput"), "{body}");
    assert_eq!(lab.exec_count(&web).await, 0, "nothing ran");

    // httpd may take a moment to bind.
    let mut read = serde_json::Value::Null;
    for _ in 0..20 {
        let (status, body) = post_form(
            state(lab.engine(), false),
            "/api/check/listening",
            &format!("container={web}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        read = serde_json::from_str(&body).expect("JSON");
        let sockets = read["Read"].as_array().expect("the sockets were read");
        if sockets.iter().any(|s| s["port"] == 80) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("web's httpd never showed as listening on 80: {read:#}");
}
