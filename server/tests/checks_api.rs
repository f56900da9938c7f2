//! The check server functions through the router: a report from the live engine, refusal of
//! bad input, and read-only mode, where nothing runs.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::access::Capabilities;
use app::engine::testkit::{ContainerSpec, TestLab};
use app::engine::Engine;
use app::state::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::access::Access;
use std::process::Command;
use std::sync::Arc;
use tower::ServiceExt;

fn state(engine: Engine, read_only: bool) -> AppState {
    AppState {
        leptos_options: LeptosOptions::builder().output_name("netdoctor").build(),
        engine,
        capabilities: Capabilities {
            read_only,
            ..Capabilities::default()
        },
    }
}

/// POSTs a form to a server function as a same-site browser on loopback would.
async fn post(state: AppState, path: &str, form: &str) -> (StatusCode, String) {
    let request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("request");
    send(state, request).await
}

async fn get(state: AppState, path: &str) -> (StatusCode, String) {
    send(
        state,
        Request::get(path).body(Body::empty()).expect("request"),
    )
    .await
}

async fn send(state: AppState, mut request: Request<Body>) -> (StatusCode, String) {
    let headers = request.headers_mut();
    headers.insert("host", "localhost".parse().expect("header"));
    headers.insert("origin", "http://localhost".parse().expect("header"));
    let response = server::router(state, Arc::new(Access::open()))
        .oneshot(request)
        .await
        .expect("response");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn exec_count(container: &str) -> usize {
    let out = Command::new("docker")
        .args(["inspect", "-f", "{{json .ExecIDs}}", container])
        .output()
        .expect("docker inspect runs");
    let ids: Option<Vec<String>> = serde_json::from_slice(&out.stdout).expect("JSON");
    ids.map_or(0, |v| v.len())
}

async fn web_and_client(lab: &TestLab) -> (String, String) {
    let net = lab.network("net").await;
    let web = lab
        .container(
            ContainerSpec::new("web")
                .cmd(["httpd", "-f", "-p", "80"])
                .network(&net, &[]),
        )
        .await;
    let client = lab
        .container(ContainerSpec::new("client").network(&net, &[]))
        .await;
    (web, client)
}

#[tokio::test]
async fn the_reach_server_function_answers_a_report_and_logs_its_runs() {
    let lab = TestLab::start().await;
    let (web, client) = web_and_client(&lab).await;
    let engine = lab.engine();

    let (status, body) = post(
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
    let (web, client) = web_and_client(&lab).await;

    let (status, body) = post(
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

    let (status, body) = post(
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

    assert_eq!(exec_count(&client), 0);
    assert_eq!(exec_count(&web), 0);
}
