//! A router with a login, and requests as a browser on another host sends them: for the
//! access-control and shared-link tests.

use app::domain::access::Capabilities;
use app::engine::Engine;
use app::state::AppState;
use app::store::ShareStore;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::access::Access;
use server::config::LoginSettings;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub const PASSWORD: &str = "correct horse battery staple";
pub const HOST: &str = "netdoctor.example.test";

pub struct Fixture {
    pub router: Router,
    pub access: Arc<Access>,
    pub shares: ShareStore,
    _dir: TempDir,
}

impl Fixture {
    /// The share store's data directory.
    pub fn data_dir(&self) -> &Path {
        self.shares.path().parent().expect("the store's directory")
    }
}

pub struct TempDir(PathBuf);
impl TempDir {
    pub fn path(&self) -> &Path {
        &self.0
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn temp_dir() -> TempDir {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("nd-login-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    TempDir(dir)
}

/// A router behind a login with [`PASSWORD`], sessions that idle out after an hour.
pub fn with_login(engine: Engine) -> Fixture {
    with_login_for(engine, Duration::from_secs(3600), Duration::from_secs(7200))
}

pub fn with_login_for(engine: Engine, idle: Duration, absolute: Duration) -> Fixture {
    with_settings(
        engine,
        LoginSettings {
            admin_password: Some(PASSWORD.to_owned()),
            secure_cookies: true,
            idle,
            absolute,
        },
    )
}

/// As [`with_login`], without `--behind-tls`: cookies are Secure only when a proxy says HTTPS.
pub fn with_login_without_behind_tls(engine: Engine) -> Fixture {
    with_settings(
        engine,
        LoginSettings {
            admin_password: Some(PASSWORD.to_owned()),
            secure_cookies: false,
            idle: Duration::from_secs(3600),
            absolute: Duration::from_secs(7200),
        },
    )
}

fn with_settings(engine: Engine, settings: LoginSettings) -> Fixture {
    let dir = temp_dir();
    let (access, generated) = Access::with_login(&settings, &dir.0).expect("login set up");
    assert!(generated.is_none());
    let shares = ShareStore::temporary().expect("a share store in a temporary directory");
    let state = AppState {
        leptos_options: LeptosOptions::builder().output_name("netdoctor").build(),
        fleet: app::fleet::Fleet::only(engine.clone()),
        engine,
        capabilities: Capabilities {
            login: true,
            read_only: false,
        },
        shares: shares.clone(),
    };
    let access = Arc::new(access);
    Fixture {
        router: server::router(state, Arc::clone(&access)),
        access,
        shares,
        _dir: dir,
    }
}

pub fn request(method: &str, path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header("host", HOST)
        .header("origin", format!("https://{HOST}"))
}

/// Far above any answer's time (Engine requests time out after 10 s): a router that has not
/// answered by then never will, and the test says so instead of hanging the whole run.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(90);

/// Sends `request` to `router` served on a loopback socket, as a browser reaches it.
pub async fn call(router: &Router, request: Request<Body>) -> Response<Body> {
    super::over_socket(router, request).await
}

pub async fn body(response: Response<Body>) -> String {
    let bytes = tokio::time::timeout(ANSWER_WITHIN, response.into_body().collect())
        .await
        .unwrap_or_else(|_| panic!("the body did not end within {ANSWER_WITHIN:?}"))
        .expect("body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn form(fields: &[(&str, &str)]) -> Body {
    Body::from(
        fields
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    app::domain::url::encode(k),
                    app::domain::url::encode(v)
                )
            })
            .collect::<Vec<_>>()
            .join("&"),
    )
}

pub async fn sign_in(router: &Router, password: &str) -> Response<Body> {
    call(
        router,
        request("POST", "/auth/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("password", password), ("next", "/containers")]))
            .expect("request"),
    )
    .await
}

/// The session cookie a successful sign-in set.
pub async fn session(router: &Router) -> String {
    let response = sign_in(router, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    cookie.split(';').next().expect("pair").to_owned()
}

pub fn location(response: &Response<Body>) -> String {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default()
}
