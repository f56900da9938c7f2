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
use axum::http::Response;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use leptos::config::LeptosOptions;
use server::access::Access;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

pub fn state(engine: Engine) -> AppState {
    state_with(engine, Capabilities::default())
}

pub fn state_with(engine: Engine, capabilities: Capabilities) -> AppState {
    AppState {
        leptos_options: LeptosOptions::builder().output_name("netdoctor").build(),
        fleet: app::fleet::Fleet::only(engine.clone()),
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
    let response = over_socket(&server::router(state, Arc::new(Access::open())), request).await;
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

/// An engine at a socket that does not exist: pages say what to do, nothing answers.
pub fn missing_engine() -> Engine {
    Engine::new(app::domain::endpoint::Endpoint::Unix(
        "/nonexistent/netdoctor/docker.sock".into(),
    ))
}

/// Serves `router` as production does — `axum::serve` on a loopback socket, on a multi-thread
/// runtime with netdoctor's minimum of 4 workers shared by every request of the test binary,
/// hyper driving each connection on a task of its own, the peer address known — and sends
/// `request` to it over a connection of its own. The server stops when the response body is
/// dropped. (On a test's own current-thread runtime Leptos 0.8's streaming SSR left about one
/// page in several hundred unfinished, leptos-rs/leptos#4647; in-process with `Router::oneshot`
/// more: server/tests/ssr_concurrency.rs.) The request's path goes on the wire as it was
/// written, dot segments and all.
pub async fn over_socket(router: &Router, request: Request<Body>) -> Response<Body> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    let addr = listener.local_addr().expect("its address");
    let app = router.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    server_runtime().spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
        let serving = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        );
        tokio::select! {
            _ = serving => {}
            _ = stopped => {}
        }
    });
    let what = format!("{} {}", request.method(), request.uri());
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    parts.uri = format!("http://{addr}{path}")
        .parse()
        .unwrap_or_else(|e| panic!("{what}: not a URI: {e}"));
    let client = Client::builder(TokioExecutor::new()).build_http::<Body>();
    let limit = login::ANSWER_WITHIN;
    tokio::time::timeout(limit, client.request(Request::from_parts(parts, body)))
        .await
        .unwrap_or_else(|_| panic!("{what}: no response within {limit:?}"))
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .map(|body| Body::new(StopsServer { body, _stop: stop }))
}

/// The runtime every test server of this binary runs on, as production's does.
fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .thread_name("test-server")
            .enable_all()
            .build()
            .expect("the test servers' runtime")
    })
}

/// A response body that stops its one-request server when it is dropped.
struct StopsServer {
    body: hyper::body::Incoming,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl http_body::Body for StopsServer {
    type Data = bytes::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
