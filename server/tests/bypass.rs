//! No protected content without a session, whatever the spelling of the path: dot segments (raw
//! or percent-encoded, any case), doubled slashes, backslashes and encoded separators in front
//! of every page route and API path, on a live engine holding a container with a known name,
//! IP and label — none of which may appear in any answer. And a miss under `/pkg/` is a plain
//! 404, never a page.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use app::engine::testkit::{ContainerSpec, TestLab};
use app::App;
use axum::body::Body;
use axum::http::StatusCode;
use common::login::{body, call, request, with_login};

/// Every route the router has (pages with their parameters filled in, server functions, the
/// server's own), as paths without the leading `/`.
fn every_path(container: &str) -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> = leptos_axum::generate_route_list(App)
        .into_iter()
        .map(|r| {
            let path = r
                .path()
                .split('/')
                .map(|seg| match seg.strip_prefix(':') {
                    Some(_) => container.to_owned(),
                    None => seg.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/");
            ("GET".to_owned(), path)
        })
        .collect();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.push((method.to_string(), path.to_owned()));
    }
    routes.extend(
        server::SERVER_ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned())),
    );
    routes.push(("GET".to_owned(), format!("/api/logs?name={container}")));
    routes
        .into_iter()
        .map(|(m, p)| (m, p.trim_start_matches('/').to_owned()))
        .collect()
}

/// The spellings that once reached the app through the public `/pkg/` prefix, and their kin.
const SPELLINGS: [&str; 14] = [
    "/pkg/../",
    "/pkg/%2e%2e/",
    "/pkg/%2E%2E/",
    "/pkg/.%2e/",
    "/pkg/%2e./",
    "/pkg/%252e%252e/",
    "/pkg/./../",
    "/pkg/..%2f",
    "/pkg/..%2F",
    "/pkg\\..\\",
    "/pkg/..%5c",
    "//",
    "/s/../",
    "/pkg//../",
];

#[tokio::test]
async fn no_spelling_of_any_path_shows_a_container_name_ip_or_label_without_a_session() {
    let lab = TestLab::start().await;
    let net = lab.network("bypass").await;
    let marker = format!("label-marker-{}", lab.run_id());
    let name = lab
        .container(
            ContainerSpec::new("visible")
                .network(&net, &[])
                .label("coolify.name", &marker),
        )
        .await;
    let topology = lab.engine().topology().await.expect("topology");
    let ip = topology
        .container(&name)
        .and_then(|c| c.attachment(&net))
        .and_then(|a| a.ipv4.clone())
        .expect("the container has an IP on its network");

    let f = with_login(lab.engine());
    let mut asked = 0;
    for (method, path) in every_path(&name) {
        for spelling in SPELLINGS {
            let uri = format!("{spelling}{path}");
            let response = call(
                &f.router,
                request(&method, &uri)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
            let status = response.status();
            let text = body(response).await;
            asked += 1;
            assert!(
                matches!(
                    status,
                    StatusCode::BAD_REQUEST
                        | StatusCode::NOT_FOUND
                        | StatusCode::UNAUTHORIZED
                        | StatusCode::SEE_OTHER
                        | StatusCode::FORBIDDEN
                        | StatusCode::METHOD_NOT_ALLOWED
                ),
                "{method} {uri}: {status}"
            );
            for secret in [&name, &ip, &marker] {
                assert!(
                    !text.contains(secret.as_str()),
                    "{method} {uri} ({status}) showed {secret}"
                );
            }
        }
    }
    assert!(asked > 100, "asked {asked}");

    // The same container is shown once signed in: the scan looked for the right strings.
    let cookie = common::login::session(&f.router).await;
    let signed_in = call(
        &f.router,
        request("GET", "/containers")
            .header("cookie", &cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert!(body(signed_in).await.contains(&name));
}

#[tokio::test]
async fn the_three_lines_from_the_report_are_refused_with_400_and_no_page() {
    let f = with_login(common::missing_engine());
    for uri in [
        "/pkg/../containers",
        "/pkg/%2e%2e/containers",
        "/pkg/.%2e/diagnose",
    ] {
        let response = call(&f.router, request("GET", uri).body(Body::empty()).unwrap()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
        let text = body(response).await;
        assert!(text.starts_with("bad request: "), "{uri}: {text}");
        assert!(!text.contains("<html"), "{uri}");
    }
}

#[tokio::test]
async fn a_miss_under_pkg_is_a_plain_404_with_no_page_signed_in_or_not() {
    let f = with_login(common::missing_engine());
    let cookie = common::login::session(&f.router).await;
    for with_cookie in [false, true] {
        for uri in [
            "/pkg/nothing-here.js",
            "/pkg/containers",
            "/pkg/",
            "/favicon.ico",
        ] {
            let mut r = request("GET", uri);
            if with_cookie {
                r = r.header("cookie", &cookie);
            }
            let response = call(&f.router, r.body(Body::empty()).unwrap()).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
            let text = body(response).await;
            assert!(
                !text.contains("<html") && !text.contains("<!DOCTYPE"),
                "{uri}: {text}"
            );
        }
    }
}
