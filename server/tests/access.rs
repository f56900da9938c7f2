//! Access control through the real router: every route refused without a session, sign-in,
//! expiry, forged cookies, cross-site requests, rate limiting, the loopback Host guard,
//! security headers, and secrets that never leave the server.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use app::engine::testkit::{ContainerSpec, TestLab};
use app::engine::Engine;
use app::App;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::login::{
    body, call, form, location, request, session, sign_in, with_login, with_login_for,
    with_login_without_behind_tls, Fixture, HOST, PASSWORD,
};
use server::access::{is_public, Access, SESSION_COOKIE};
use std::sync::Arc;
use std::time::Duration;

fn missing_engine() -> Engine {
    Engine::new(app::domain::endpoint::Endpoint::Unix(
        "/nonexistent/netdoctor/docker.sock".into(),
    ))
}

fn login_fixture() -> Fixture {
    with_login(missing_engine())
}

/// Every route the router has: the app's pages, its server functions, and the server's own.
fn every_route() -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> = leptos_axum::generate_route_list(App)
        .into_iter()
        .map(|r| ("GET".to_owned(), r.path().to_owned()))
        .collect();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.push((method.to_string(), path.to_owned()));
    }
    routes.extend(
        server::SERVER_ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned())),
    );
    routes
}

#[tokio::test]
async fn every_route_but_the_public_ones_is_refused_without_a_session() {
    let f = login_fixture();
    let routes = every_route();
    assert!(routes.len() >= 10, "{routes:?}");
    for (method, path) in routes {
        let response = call(
            &f.router,
            request(&method, &path)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        let status = response.status();
        if is_public(&path) {
            assert_ne!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} is public"
            );
            continue;
        }
        if method == "GET" && !path.starts_with("/api/") {
            assert_eq!(status, StatusCode::SEE_OTHER, "{method} {path}");
            assert!(
                location(&response).starts_with("/login?next="),
                "{method} {path}"
            );
        } else {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_the_right_one_opens_a_strict_http_only_session() {
    let f = login_fixture();
    let wrong = sign_in(&f.router, "not the password").await;
    assert_eq!(wrong.status(), StatusCode::SEE_OTHER);
    assert!(location(&wrong).contains("error=bad"));
    assert!(wrong.headers().get("set-cookie").is_none());

    let right = sign_in(&f.router, PASSWORD).await;
    assert_eq!(
        location(&right),
        "/containers",
        "back to where the user was going"
    );
    let cookie = right.headers()["set-cookie"].to_str().expect("ascii");
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let cookie = cookie.split(';').next().expect("pair");
    let page = call(
        &f.router,
        request("GET", "/containers")
            .header("cookie", cookie)
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
}

/// Signs in through a proxy that reports the browser's scheme; returns the Set-Cookie header.
async fn sign_in_through_proxy(f: &Fixture, scheme: &str) -> String {
    let response = call(
        &f.router,
        Request::builder()
            .method("POST")
            .uri("/auth/login")
            .header("host", HOST)
            .header("origin", format!("{scheme}://{HOST}"))
            .header("x-forwarded-proto", scheme)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("password", PASSWORD), ("next", "/containers")]))
            .expect("request"),
    )
    .await;
    assert_eq!(location(&response), "/containers", "{scheme}: signed in");
    response.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

#[tokio::test]
async fn without_behind_tls_the_cookie_is_secure_exactly_when_the_proxy_says_https() {
    // Coolify gives a generated http://…sslip.io domain or an https:// one; one compose file
    // must sign in on both. A Secure cookie on an http page is dropped by the browser.
    let f = with_login_without_behind_tls(missing_engine());
    let over_https = sign_in_through_proxy(&f, "https").await;
    assert!(over_https.contains("; Secure"), "{over_https}");
    let over_http = sign_in_through_proxy(&f, "http").await;
    assert!(!over_http.contains("Secure"), "{over_http}");
    for cookie in [over_https, over_http] {
        let pair = cookie.split(';').next().expect("pair");
        let page = call(
            &f.router,
            request("GET", "/containers")
                .header("cookie", pair)
                .body(Body::empty())
                .expect("r"),
        )
        .await;
        assert_eq!(page.status(), StatusCode::OK, "{cookie}");
    }
}

#[tokio::test]
async fn with_behind_tls_the_cookie_is_secure_whatever_the_proxy_says() {
    let f = login_fixture();
    let cookie = sign_in_through_proxy(&f, "http").await;
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn a_forged_or_revoked_cookie_opens_nothing() {
    let f = login_fixture();
    for forged in [
        format!("{SESSION_COOKIE}={}", "a".repeat(64)),
        format!("{SESSION_COOKIE}=../../etc"),
        format!("{SESSION_COOKIE}="),
    ] {
        let r = call(
            &f.router,
            request("GET", "/api/topology")
                .header("cookie", forged)
                .body(Body::empty())
                .expect("r"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let cookie = session(&f.router).await;
    let out = call(
        &f.router,
        request("POST", "/auth/logout")
            .header("cookie", &cookie)
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = call(
        &f.router,
        request("GET", "/api/topology")
            .header("cookie", &cookie)
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "signing out ends the session"
    );
}

#[tokio::test]
async fn an_idle_session_expires_and_the_page_says_so() {
    let f = with_login_for(
        missing_engine(),
        Duration::from_millis(300),
        Duration::from_secs(60),
    );
    let cookie = session(&f.router).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = call(
        &f.router,
        request("GET", "/")
            .header("cookie", &cookie)
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("error=expired"), "{}", location(&r));
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_session() {
    let f = login_fixture();
    let cookie = session(&f.router).await;
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let mut b = Request::builder()
            .method("POST")
            .uri("/api/overview")
            .header("host", HOST)
            .header("cookie", &cookie);
        if let Some(o) = origin {
            b = b.header("origin", o);
        }
        let r = call(&f.router, b.body(Body::empty()).expect("r")).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "origin {origin:?}");
    }
}

#[tokio::test]
async fn repeated_wrong_passwords_are_rate_limited_even_before_the_right_one() {
    let f = login_fixture();
    for _ in 0..server::access::MAX_LOGIN_FAILURES {
        assert_eq!(
            sign_in(&f.router, "guess").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let limited = sign_in(&f.router, PASSWORD).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    assert!(limited.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn without_a_login_only_loopback_host_names_are_answered() {
    let router = server::router(common::state(missing_engine()), Arc::new(Access::open()));
    for (host, expected) in [
        ("localhost:3000", StatusCode::OK),
        ("127.0.0.1:3000", StatusCode::OK),
        ("evil.example", StatusCode::FORBIDDEN),
        ("localhost.evil.example", StatusCode::FORBIDDEN),
    ] {
        let r = call(
            &router,
            Request::get("/healthz")
                .header("host", host)
                .body(Body::empty())
                .expect("r"),
        )
        .await;
        assert_eq!(r.status(), expected, "{host}");
    }
}

#[tokio::test]
async fn pages_carry_a_nonce_csp_that_matches_their_inline_scripts_and_are_not_cached() {
    let f = login_fixture();
    let r = call(
        &f.router,
        request("GET", "/login").body(Body::empty()).expect("r"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("a nonce")
        .to_owned();
    let html = body(r).await;
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the inline scripts carry the header's nonce"
    );
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_retires_the_old_password() {
    let f = login_fixture();
    let mine = session(&f.router).await;
    let other = session(&f.router).await;
    let new = "a much longer new password";
    let r = call(
        &f.router,
        request("POST", "/auth/password")
            .header("cookie", &mine)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("current", PASSWORD),
                ("new", new),
                ("confirm", new),
            ]))
            .expect("r"),
    )
    .await;
    assert!(location(&r).contains("error=changed"), "{}", location(&r));
    let other_after = call(
        &f.router,
        request("GET", "/api/topology")
            .header("cookie", &other)
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(other_after.status(), StatusCode::UNAUTHORIZED);
    assert!(location(&sign_in(&f.router, PASSWORD).await).contains("error=bad"));
    assert!(sign_in(&f.router, new)
        .await
        .headers()
        .contains_key("set-cookie"));
}

#[tokio::test]
async fn secrets_in_a_containers_environment_and_labels_never_leave_the_server() {
    let lab = TestLab::start().await;
    let secret_env = format!("env-secret-{}", lab.run_id());
    let secret_label = format!("label-secret-{}", lab.run_id());
    let name = lab
        .container(
            ContainerSpec::new("secretive")
                .env("DATABASE_PASSWORD", &secret_env)
                .label("app.db.password", &secret_label)
                .label(
                    "traefik.http.middlewares.auth.basicauth.users",
                    &secret_label,
                ),
        )
        .await;
    let f = with_login_for(
        lab.engine(),
        Duration::from_secs(3600),
        Duration::from_secs(7200),
    );
    let cookie = session(&f.router).await;
    let mut seen_name = false;
    for (method, path) in [
        ("GET", "/"),
        ("GET", "/containers"),
        ("GET", "/api/topology"),
        ("POST", "/api/overview"),
        ("GET", "/api/capabilities"),
    ] {
        let r = call(
            &f.router,
            request(method, path)
                .header("cookie", &cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::empty())
                .expect("r"),
        )
        .await;
        assert!(r.status().is_success(), "{method} {path}: {}", r.status());
        let text = body(r).await;
        seen_name |= text.contains(&name);
        assert!(
            !text.contains(&secret_env) && !text.contains(&secret_label),
            "{method} {path} leaked a secret"
        );
    }
    assert!(seen_name, "the scan read pages that show the container");
}
