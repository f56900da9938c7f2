//! `netdoctor health`, the container health check, against real servers on loopback: the
//! netdoctor binary itself, the router with and without a login, and servers that answer
//! wrongly or not at all.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::access::Capabilities;
use app::domain::endpoint::Endpoint;
use app::engine::Engine;
use app::state::AppState;
use app::store::ShareStore;
use leptos::config::LeptosOptions;
use server::access::Access;
use server::config::LoginSettings;
use server::health::{check, HealthError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const NETDOCTOR: &str = env!("CARGO_BIN_EXE_netdoctor");

fn missing_engine() -> Engine {
    Engine::new(Endpoint::Unix("/nonexistent/netdoctor/docker.sock".into()))
}

fn temp_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("nd-health-{tag}-{}-{n}", std::process::id()))
}

/// Serves netdoctor's router on a free loopback port until the test ends.
async fn serve_router(access: Access) -> SocketAddr {
    let state = AppState {
        leptos_options: LeptosOptions::builder().output_name("netdoctor").build(),
        engine: missing_engine(),
        fleet: app::fleet::Fleet::only(missing_engine()),
        capabilities: Capabilities {
            login: access.login_required(),
            read_only: false,
        },
        shares: ShareStore::temporary().expect("a share store in a temporary directory"),
    };
    let router = server::router(state, Arc::new(access));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    addr
}

/// Answers every connection with `answer` (or, when `None`, reads and never answers).
async fn serve_raw(answer: Option<&'static [u8]>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf).await;
                match answer {
                    Some(bytes) => {
                        let _ = stream.write_all(bytes).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    addr
}

/// Runs `netdoctor health` with `NETDOCTOR_LISTEN=listen`, as a container engine would.
async fn run_health(listen: SocketAddr) -> Output {
    tokio::process::Command::new(NETDOCTOR)
        .arg("health")
        .env("NETDOCTOR_LISTEN", listen.to_string())
        .output()
        .await
        .expect("run netdoctor health")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn the_health_command_succeeds_against_a_netdoctor_without_a_login() {
    let addr = serve_router(Access::open()).await;
    let out = run_health(addr).await;
    assert!(
        out.status.success(),
        "exit {:?}, stderr {}",
        out.status,
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("healthy"),
        "{}",
        text(&out.stdout)
    );
}

#[tokio::test]
async fn the_health_command_needs_no_session_when_a_login_guards_netdoctor() {
    let dir = temp_dir("login");
    std::fs::create_dir_all(&dir).expect("dir");
    let settings = LoginSettings {
        admin_password: Some("correct horse battery staple".to_owned()),
        secure_cookies: true,
        idle: Duration::from_secs(60),
        absolute: Duration::from_secs(600),
    };
    let (access, _) = Access::with_login(&settings, &dir).expect("login");
    let addr = serve_router(access).await;

    let out = run_health(addr).await;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "stderr {}", text(&out.stderr));
    // The dashboard itself stays closed: only the liveness route is public.
    let page = check_path(addr, "/containers").await;
    assert!(page.starts_with("HTTP/1.1 303"), "{page}");
}

/// The status line of `GET path`, sent with a loopback Host like the health check sends.
async fn check_path(addr: SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn with_nothing_listening_the_health_command_fails_with_one_line_saying_so() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let out = run_health(SocketAddr::from(([127, 0, 0, 1], port))).await;
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("nothing answers on 127.0.0.1:"), "{err}");
}

#[tokio::test]
async fn a_server_answering_503_is_not_healthy_and_the_status_is_named() {
    let addr = serve_raw(Some(
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n",
    ))
    .await;
    let out = run_health(addr).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("503 Service Unavailable"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn a_server_that_is_not_http_is_not_healthy() {
    let addr = serve_raw(Some(b"SSH-2.0-OpenSSH_9.2\r\n")).await;
    let err = check(addr, Duration::from_secs(2))
        .await
        .expect_err("not http");
    assert!(matches!(err, HealthError::NotHttp { .. }), "{err}");
}

#[tokio::test]
async fn a_server_that_never_answers_fails_the_check_when_the_time_is_up() {
    let addr = serve_raw(None).await;
    let started = Instant::now();
    let err = check(addr, Duration::from_millis(300))
        .await
        .expect_err("timeout");
    assert!(matches!(err, HealthError::Timeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// The netdoctor binary, serving until dropped.
struct RunningNetdoctor {
    child: Child,
    data_dir: PathBuf,
}

impl Drop for RunningNetdoctor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

#[tokio::test]
async fn the_netdoctor_binary_reports_itself_healthy_once_it_serves() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let listen = SocketAddr::from(([127, 0, 0, 1], port));
    let data_dir = temp_dir("bin");
    let server = RunningNetdoctor {
        child: Command::new(NETDOCTOR)
            .env("NETDOCTOR_LISTEN", listen.to_string())
            .env("NETDOCTOR_DATA_DIR", &data_dir)
            .env("DOCKER_HOST", "unix:///nonexistent/netdoctor/docker.sock")
            .env("LEPTOS_OUTPUT_NAME", "netdoctor")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start netdoctor"),
        data_dir,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = run_health(listen).await;
    while !last.status.success() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = run_health(listen).await;
    }
    assert!(
        last.status.success(),
        "netdoctor health never succeeded: {}",
        text(&last.stderr)
    );
    drop(server);
    let after = run_health(listen).await;
    assert_eq!(
        after.status.code(),
        Some(1),
        "a stopped server is not healthy"
    );
}
