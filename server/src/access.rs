//! The gate in front of every route: login sessions, the cross-site request and DNS-rebinding
//! guards, login rate limiting, security headers, and the `/auth/*` form handlers.

use crate::auth::origin::{forwarded_https, is_loopback_host, same_origin};
use crate::auth::password::{
    check_new_password, generate_password, hash_password, load_hash, store_hash, verify_password,
};
use crate::auth::path::check_path;
use crate::auth::rate_limit::{GlobalLimiter, LoginLimiter};
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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The session cookie's name on plain http (loopback, an SSH tunnel).
pub const SESSION_COOKIE: &str = "netdoctor_session";
/// Its name when the cookie is `Secure`: with the `__Host-` prefix a browser takes it only
/// from this exact host over https, with `Path=/` and no `Domain`, so no sibling subdomain can
/// set or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-netdoctor_session";
/// Failed logins allowed per client and window before refusing.
pub const MAX_LOGIN_FAILURES: u32 = 5;
pub const LOGIN_WINDOW: Duration = Duration::from_secs(300);
/// Failed sign-ins from all clients together per window: behind a proxy every client has one
/// address, and many addresses must not mean many budgets.
pub const MAX_GLOBAL_FAILURES: u32 = 20;
/// Argon2 verifications running at once (each holds 19 MiB); more are answered 429 at once.
pub const MAX_CONCURRENT_VERIFIES: usize = 2;
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
    global: GlobalLimiter,
    verifying: tokio::sync::Semaphore,
    /// Password verifications started, for the tests and the log.
    verifies: AtomicU64,
    /// Whether the global cap's warning was logged for the current pause.
    paused_logged: AtomicBool,
    secure_cookies: bool,
    absolute: Duration,
}

/// Why a password was not verified.
enum Held {
    /// This client used up its attempts.
    Client(Duration),
    /// All clients together did.
    Everyone(Duration),
    /// Every verification slot is busy.
    Busy,
}

impl Held {
    fn notice(&self) -> LoginNotice {
        match self {
            Self::Client(_) => LoginNotice::TooManyAttempts,
            Self::Everyone(_) => LoginNotice::SignInPaused,
            Self::Busy => LoginNotice::Busy,
        }
    }

    fn retry_after(&self) -> Duration {
        match self {
            Self::Client(d) | Self::Everyone(d) => *d,
            Self::Busy => Duration::from_secs(1),
        }
    }
}

impl Login {
    /// One password attempt: counted before it is verified (for the client and for everyone),
    /// verified only when a verification slot is free.
    async fn attempt(
        &self,
        ip: IpAddr,
        password: String,
        what: &'static str,
    ) -> Result<bool, Held> {
        let Ok(_permit) = self.verifying.try_acquire() else {
            return Err(Held::Busy);
        };
        let now = Instant::now();
        self.limiter.begin(ip, now).map_err(Held::Client)?;
        if let Err(wait) = self.global.begin(now) {
            if !self.paused_logged.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    failures = self.global.recent(now),
                    window_secs = LOGIN_WINDOW.as_secs(),
                    "sign-in paused for everyone: too many wrong passwords from all addresses \
                     together; someone may be guessing the admin password"
                );
            }
            return Err(Held::Everyone(wait));
        }
        self.paused_logged.store(false, Ordering::Relaxed);
        self.verifies.fetch_add(1, Ordering::Relaxed);
        let hash = self
            .hash
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
            .await
            .unwrap_or(false);
        if ok {
            self.limiter.record_success(ip);
            self.global.forgive();
        } else {
            tracing::warn!(%ip, what, "wrong password");
        }
        Ok(ok)
    }
}

/// What netdoctor prints when it generated the admin password: the password on a line of its
/// own in `key: value` form, which the share redactor masks (a snapshot of netdoctor's own log
/// never carries it), and where its hash is.
pub fn generated_password_notice(password: &str, data_dir: &Path) -> String {
    format!(
        "netdoctor: no admin password was set, so one was generated. Sign in with it; it is shown \
         only now and stored only as a hash in {}/{PASSWORD_FILE} (change it on the Account page).\n\
         netdoctor admin password: {password}",
        data_dir.display()
    )
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
            global: GlobalLimiter::new(MAX_GLOBAL_FAILURES, LOGIN_WINDOW),
            verifying: tokio::sync::Semaphore::new(MAX_CONCURRENT_VERIFIES),
            verifies: AtomicU64::new(0),
            paused_logged: AtomicBool::new(false),
            secure_cookies: settings.secure_cookies,
            absolute: settings.absolute,
        };
        Ok((Self { login: Some(login) }, generated))
    }

    pub fn login_required(&self) -> bool {
        self.login.is_some()
    }

    /// How many password verifications (sign-in or password change) have started.
    pub fn verifications(&self) -> u64 {
        self.login
            .as_ref()
            .map_or(0, |l| l.verifies.load(Ordering::Relaxed))
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Every session token the `Cookie` headers carry, under either name. A browser may send
/// several (an old cookie beside a new one, or one set by a sibling host): none of them wins by
/// its position; the request has a session when any of them is valid.
fn session_tokens(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == SESSION_COOKIE || *name == SECURE_SESSION_COOKIE)
        .map(|(_, value)| value)
        .collect()
}

/// The first of the request's tokens that is a valid session.
fn valid_session<'h>(login: &Login, headers: &'h HeaderMap) -> Option<&'h str> {
    session_tokens(headers)
        .into_iter()
        .find(|t| login.sessions.validate(t, Instant::now()))
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
    // Before anything is decided on the path: one the routers could read differently from the
    // gate (`/pkg/../containers`, `/pkg/%2e%2e/…`, `//`, `\`) is refused outright.
    if let Err(why) = check_path(request.uri().path()) {
        return refuse(StatusCode::BAD_REQUEST, why.message());
    }
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
        if !is_public(&path) && valid_session(login, headers).is_none() {
            let wants_page = safe && !path.starts_with("/api/");
            if !wants_page {
                return refuse(StatusCode::UNAUTHORIZED, "sign in first: POST /auth/login");
            }
            let next = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            let notice =
                (!session_tokens(headers).is_empty()).then_some(LoginNotice::SessionExpired);
            return login_redirect(notice, &next);
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
    match login.attempt(ip, form.password, "sign-in").await {
        Ok(true) => {}
        Ok(false) => return login_redirect(Some(LoginNotice::WrongPassword), &next),
        Err(held) => {
            let mut response = login_redirect(Some(held.notice()), &next);
            held_response(&mut response, &held);
            return response;
        }
    }
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

/// 429 with `Retry-After` in whole seconds (at least 1).
fn held_response(response: &mut Response, held: &Held) {
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let secs = held.retry_after().as_secs().max(1);
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, v);
    }
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
    let (name, secure) = if secure {
        (SECURE_SESSION_COOKIE, "; Secure")
    } else {
        (SESSION_COOKIE, "")
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, v);
    }
}

/// `POST /auth/logout`.
pub async fn logout(State(access): State<Arc<Access>>, headers: HeaderMap) -> Response {
    let Some(login) = &access.login else {
        return redirect("/");
    };
    for token in session_tokens(&headers) {
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
pub async fn change_password(State(access): State<Arc<Access>>, request: Request) -> Response {
    let ip = client_ip(&request);
    let headers = request.headers().clone();
    let Ok(Form(form)) = Form::<PasswordForm>::from_request(request, &()).await else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "expected a form with the passwords",
        );
    };
    let Some(login) = &access.login else {
        return redirect("/");
    };
    let back = |n: LoginNotice| redirect(&format!("/account?error={}", n.as_param()));
    match login.attempt(ip, form.current, "password change").await {
        Ok(true) => {}
        Ok(false) => return back(LoginNotice::CurrentPasswordWrong),
        Err(held) => {
            let mut response = back(held.notice());
            held_response(&mut response, &held);
            return response;
        }
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
    if let Some(token) = valid_session(login, &headers) {
        login.sessions.revoke_all_except(token);
    }
    back(LoginNotice::PasswordChanged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_password_notice_is_masked_in_a_shared_log() {
        let password = "Xq7v-long-generated-Secret-42";
        let notice = generated_password_notice(password, Path::new("/data"));
        assert!(notice.contains(password));
        assert!(notice.contains("/data/admin-password.argon2"));
        for line in notice.lines() {
            let shared = app::domain::redact::redact_text(line);
            assert!(!shared.contains(password), "{shared}");
        }
    }
}
