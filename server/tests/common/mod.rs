//! What the router tests share: an app state on a given engine, and requests sent as a
//! same-site browser on loopback sends them.
#![allow(dead_code, clippy::expect_used)]

pub mod login;

use app::domain::access::Capabilities;
use app::engine::testkit::{ContainerSpec, TestLab};
use app::engine::Engine;
use app::state::AppState;
use app::store::ShareStore;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::access::Access;
use std::sync::Arc;
use tower::ServiceExt;

pub fn state(engine: Engine) -> AppState {
    state_with(engine, Capabilities::default())
}

pub fn state_with(engine: Engine, capabilities: Capabilities) -> AppState {
    AppState {
        leptos_options: LeptosOptions::builder().output_name("netdoctor").build(),
        engine,
        capabilities,
        shares: ShareStore::temporary().expect("a share store in a temporary directory"),
    }
}

pub async fn get(state: AppState, uri: &str) -> (StatusCode, String) {
    send(
        state,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await
}

/// POSTs a form (a server function's arguments).
pub async fn post_form(state: AppState, path: &str, form: &str) -> (StatusCode, String) {
    let request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("request");
    send(state, request).await
}

/// Sends as a same-site browser on loopback would: `Host: localhost`, and `Origin` on POSTs.
pub async fn send(state: AppState, mut request: Request<Body>) -> (StatusCode, String) {
    let headers = request.headers_mut();
    headers.insert("host", "localhost".parse().expect("header"));
    headers.insert("origin", "http://localhost".parse().expect("header"));
    let what = format!("{} {}", request.method(), request.uri());
    let limit = login::ANSWER_WITHIN;
    let response = tokio::time::timeout(
        limit,
        server::router(state, Arc::new(Access::open())).oneshot(request),
    )
    .await
    .unwrap_or_else(|_| panic!("{what}: no response within {limit:?}"))
    .expect("response");
    let status = response.status();
    let body = tokio::time::timeout(limit, response.into_body().collect())
        .await
        .unwrap_or_else(|_| panic!("{what}: the body did not end within {limit:?}"))
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A busybox web server on port 80 and a client container, on one network of their own:
/// `(web, client)`.
pub async fn web_and_client(lab: &TestLab) -> (String, String) {
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
