//! The gate in front of every route: login sessions, the cross-site request and DNS-rebinding
//! guards, login rate limiting, security headers, and the `/auth/*` form handlers.

use crate::auth::origin::{forwarded_https, is_loopback_host, same_origin};
use crate::auth::password::{
    check_new_password, generate_password, hash_password, load_hash, store_hash, verify_password,
};
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::sessions::{SessionPolicy, Sessions};
use crate::auth::AuthError;
use crate::config::LoginSettings;
use app::domain::access::{safe_next, LoginNotice};
use app::domain::url::encode;
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, FORWARDED, HOST, LOCATION,
    ORIGIN, REFERER, RETRY_AFTER, SET_COOKIE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Form;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "netdoctor_session";
/// Failed logins allowed per client and window before refusing.
pub const MAX_LOGIN_FAILURES: u32 = 5;
pub const LOGIN_WINDOW: Duration = Duration::from_secs(300);
/// The file in the data directory holding the admin password's argon2 hash.
pub const PASSWORD_FILE: &str = "admin-password.argon2";

/// Paths anyone may reach: the health check, the login page and form, static assets, and a
/// shared snapshot by its token (`/s/<token>`, `/api/snapshot`, its bundle) — the token is the
/// only key there, and it opens that one snapshot.
pub fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/healthz"
            | "/login"
            | "/auth/login"
            | "/favicon.ico"
            | "/robots.txt"
            | "/api/snapshot"
            | "/api/snapshot/bundle"
    ) || path.starts_with("/pkg/")
        || path.starts_with("/s/")
}

/// Who may do what; shared by the gate and the handlers.
pub struct Access {
    login: Option<Login>,
}

struct Login {
    hash: RwLock<String>,
    hash_path: PathBuf,
    sessions: Sessions,
    limiter: LoginLimiter,
    secure_cookies: bool,
    absolute: Duration,
}

impl Access {
    /// No login: for a dashboard on loopback (the Host guard still applies).
    pub fn open() -> Self {
        Self { login: None }
    }

    /// A login with the password from the settings, else the stored hash, else a generated one
    /// (returned so `main` prints it once).
    pub fn with_login(
        settings: &LoginSettings,
        data_dir: &Path,
    ) -> Result<(Self, Option<String>), AuthError> {
        let hash_path = data_dir.join(PASSWORD_FILE);
        let mut generated = None;
        let hash = match (&settings.admin_password, load_hash(&hash_path)?) {
            (Some(password), _) => {
                check_new_password(password)?;
                let hash = hash_password(password)?;
                store_hash(&hash_path, &hash)?;
                hash
            }
            (None, Some(stored)) => stored,
            (None, None) => {
                let password = generate_password()?;
                let hash = hash_password(&password)?;
                store_hash(&hash_path, &hash)?;
                generated = Some(password);
                hash
            }
        };
        let login = Login {
            hash: RwLock::new(hash),
            hash_path,
            sessions: Sessions::new(SessionPolicy {
                idle: settings.idle,
                absolute: settings.absolute,
            }),
            limiter: LoginLimiter::new(MAX_LOGIN_FAILURES, LOGIN_WINDOW),
            secure_cookies: settings.secure_cookies,
            absolute: settings.absolute,
        };
        Ok((Self { login: Some(login) }, generated))
    }

    pub fn login_required(&self) -> bool {
        self.login.is_some()
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The session token from the `Cookie` header, if any.
fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

fn client_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (
        status,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

fn login_redirect(notice: Option<LoginNotice>, next: &str) -> Response {
    let mut url = format!("/login?next={}", encode(next));
    if let Some(n) = notice {
        url.push_str(&format!("&error={}", n.as_param()));
    }
    redirect(&url)
}

/// Runs in front of every route.
pub async fn gate(State(access): State<Arc<Access>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = header(headers, &HOST);
    let path = request.uri().path().to_owned();

    // Without a login, only a browser that asked for a loopback name may talk to us: a page on
    // another site cannot reach this dashboard through DNS rebinding.
    if access.login.is_none() && !host.is_some_and(is_loopback_host) {
        return refuse(
            StatusCode::FORBIDDEN,
            "netdoctor answers only to localhost on this address",
        );
    }
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !same_origin(host, header(headers, &ORIGIN), header(headers, &REFERER)) {
        return refuse(StatusCode::FORBIDDEN, "cross-site request refused");
    }
    if let Some(login) = &access.login {
        if !is_public(&path) {
            let token = session_token(headers);
            let valid = token.is_some_and(|t| login.sessions.validate(t, Instant::now()));
            if !valid {
                let wants_page = safe && !path.starts_with("/api/");
                if !wants_page {
                    return refuse(StatusCode::UNAUTHORIZED, "sign in first: POST /auth/login");
                }
                let next = request
                    .uri()
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_owned();
                let notice = token.map(|_| LoginNotice::SessionExpired);
                return login_redirect(notice, &next);
            }
        }
    }
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(CONTENT_SECURITY_POLICY) {
        h.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    if !path.starts_with("/pkg/") && !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /auth/login`.
pub async fn login(State(access): State<Arc<Access>>, request: Request) -> Response {
    let ip = client_ip(&request);
    let secure = secure_cookie(&access, request.headers());
    let Some(login) = &access.login else {
        return redirect("/");
    };
    let Ok(Form(form)) = Form::<LoginForm>::from_request(request, &()).await else {
        return refuse(StatusCode::BAD_REQUEST, "expected a form with a password");
    };
    let next = safe_next(form.next.as_deref());
    if let Err(retry_after) = login.limiter.check(ip, Instant::now()) {
        let mut response = login_redirect(Some(LoginNotice::TooManyAttempts), &next);
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(v) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string()) {
            response.headers_mut().insert(RETRY_AFTER, v);
        }
        return response;
    }
    let hash = login
        .hash
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let password = form.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false);
    if !ok {
        login.limiter.record_failure(ip, Instant::now());
        tracing::warn!(%ip, "failed login");
        return login_redirect(Some(LoginNotice::WrongPassword), &next);
    }
    login.limiter.record_success(ip);
    let Ok(token) = login.sessions.create(Instant::now()) else {
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not start a session",
        );
    };
    let mut response = redirect(&next);
    set_cookie(
        &mut response,
        &cookie(&token, login.absolute.as_secs(), secure),
    );
    response
}

const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// The session cookie is `Secure` with `--behind-tls`, or when the proxy in front says the
/// browser came over HTTPS — so one compose file works for Coolify's https and plain-http
/// (generated `sslip.io`) domains alike: a Secure cookie on an http page is dropped by the
/// browser, and signing in would silently loop back to the login page.
fn secure_cookie(access: &Access, headers: &HeaderMap) -> bool {
    access
        .login
        .as_ref()
        .is_some_and(|login| login.secure_cookies)
        || forwarded_https(
            header(headers, &X_FORWARDED_PROTO),
            header(headers, &FORWARDED),
        )
}

fn cookie(value: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    )
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        response.headers_mut().insert(SET_COOKIE, v);
    }
}

/// `POST /auth/logout`.
pub async fn logout(State(access): State<Arc<Access>>, headers: HeaderMap) -> Response {
    let Some(login) = &access.login else {
        return redirect("/");
    };
    if let Some(token) = session_token(&headers) {
        login.sessions.revoke(token);
    }
    let mut response = redirect(&format!(
        "/login?error={}",
        LoginNotice::SignedOut.as_param()
    ));
    set_cookie(
        &mut response,
        &cookie("", 0, secure_cookie(&access, &headers)),
    );
    response
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// `POST /auth/password`: the gate has checked the session.
pub async fn change_password(
    State(access): State<Arc<Access>>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let Some(login) = &access.login else {
        return redirect("/");
    };
    let back = |n: LoginNotice| redirect(&format!("/account?error={}", n.as_param()));
    let hash = login
        .hash
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let current = form.current;
    if !tokio::task::spawn_blocking(move || verify_password(&hash, &current))
        .await
        .unwrap_or(false)
    {
        return back(LoginNotice::CurrentPasswordWrong);
    }
    if form.new != form.confirm {
        return back(LoginNotice::PasswordsDiffer);
    }
    if check_new_password(&form.new).is_err() {
        return back(LoginNotice::PasswordRejected);
    }
    let new = form.new;
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || hash_password(&new)).await else {
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not hash the new password",
        );
    };
    if let Err(e) = store_hash(&login.hash_path, &hash) {
        tracing::error!("storing the new password hash: {e}");
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not store the new password",
        );
    }
    *login
        .hash
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = hash;
    if let Some(token) = session_token(&headers) {
        login.sessions.revoke_all_except(token);
    }
    back(LoginNotice::PasswordChanged)
}
