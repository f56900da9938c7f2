//! Shared links through the real router, with a login: a snapshot opens by its token without a
//! session and grants nothing else; guessed, tampered and revoked tokens open nothing; and no
//! secret a container holds reaches a snapshot, a bundle or the store's file.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use app::engine::testkit::{ContainerSpec, TestLab};
use axum::http::StatusCode;
use common::login::{body, call, form, request, session, with_login, Fixture};
use std::time::Duration;

/// A signed-in request: a form POST when `fields` is given, else a GET.
async fn signed_in(
    f: &Fixture,
    cookie: &str,
    path: &str,
    fields: Option<&[(&str, &str)]>,
) -> (StatusCode, String) {
    let builder =
        request(if fields.is_some() { "POST" } else { "GET" }, path).header("cookie", cookie);
    let request = match fields {
        Some(fields) => builder
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(fields)),
        None => builder.body(axum::body::Body::empty()),
    };
    let response = call(&f.router, request.unwrap()).await;
    let status = response.status();
    (status, body(response).await)
}

/// Signs in, runs a reach check through the wizard's start/progress API, and shares its
/// result: `(session cookie, token)`.
async fn share_a_wizard_result(f: &Fixture, from: &str, to: &str) -> (String, String) {
    let cookie = session(&f.router).await;
    let fields = [("check", "reach"), ("from", from), ("to", to)];
    let (status, started) = signed_in(f, &cookie, "/api/check/start", Some(&fields)).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let started: serde_json::Value = serde_json::from_str(&started).unwrap();
    let id = started["id"].as_str().unwrap().to_owned();
    for _ in 0..200 {
        let (_, p) = signed_in(f, &cookie, &format!("/api/check/progress?id={id}"), None).await;
        let p: serde_json::Value = serde_json::from_str(&p).unwrap();
        if !p["report"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let taken_from = format!("/diagnose?check=reach&from={from}");
    let fields = [
        ("kind", "wizard"),
        ("report_id", id.as_str()),
        ("taken_from", taken_from.as_str()),
    ];
    let (status, text) = signed_in(f, &cookie, "/api/share/create", Some(&fields)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let link: serde_json::Value = serde_json::from_str(&text).unwrap();
    let path = link["path"].as_str().unwrap();
    let token = path.strip_prefix("/s/").expect("a /s/ link").to_owned();
    (cookie, token)
}

async fn anonymous(f: &Fixture, method: &str, path: &str) -> (StatusCode, String) {
    let response = call(
        &f.router,
        request(method, path)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    let status = response.status();
    (status, body(response).await)
}

#[tokio::test]
async fn a_shared_wizard_result_opens_by_its_token_without_a_session_and_grants_nothing_else() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;
    let f = with_login(lab.engine());
    let (_cookie, token) = share_a_wizard_result(&f, &client, &format!("{web}:80")).await;
    assert_eq!(token.len(), 64, "{token}");

    let (status, json) = anonymous(&f, "GET", &format!("/api/snapshot?token={token}")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let shared: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(shared["snapshot"]["view"]["kind"], "wizard");
    assert_eq!(
        shared["snapshot"]["view"]["report"]["diagnosis"]["healthy"],
        true
    );

    let (status, page) = anonymous(&f, "GET", &format!("/s/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("{client} → {web}:80")),
        "the page renders the snapshot"
    );

    let (status, md) = anonymous(
        &f,
        "GET",
        &format!("/api/snapshot/bundle?token={token}&format=md"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(md.starts_with("# netdoctor snapshot: "), "{md}");
    let (status, json) = anonymous(
        &f,
        "GET",
        &format!("/api/snapshot/bundle?token={token}&format=json"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());

    // The token is no key to anything else: live data, checks, the link list, revocation.
    for (method, path) in [
        ("GET", format!("/api/topology?token={token}")),
        ("POST", "/api/overview".to_owned()),
        ("GET", "/api/share/list".to_owned()),
        ("POST", format!("/api/check/start?token={token}")),
        ("GET", format!("/api/logs?name={client}&token={token}")),
        ("GET", "/containers".to_owned()),
    ] {
        let (status, _) = anonymous(&f, method, &path).await;
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::SEE_OTHER,
            "{method} {path}: {status}"
        );
    }
    for cookie in [
        format!("{}={token}", server::access::SESSION_COOKIE),
        format!("token={token}"),
    ] {
        let (status, _) = signed_in(&f, &cookie, "/api/share/list", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{cookie}");
    }
}

#[tokio::test]
async fn guessed_tampered_and_revoked_tokens_open_nothing_and_say_so() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;
    let f = with_login(lab.engine());
    let (cookie, token) = share_a_wizard_result(&f, &client, &format!("{web}:80")).await;

    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        tampered.as_str(),
        &"0".repeat(64),
        "not-a-token",
        &token[..63],
        &format!("{token}0"),
        "",
    ] {
        let (status, text) = anonymous(&f, "GET", &format!("/api/snapshot?token={bad}")).await;
        assert_ne!(status, StatusCode::OK, "{bad:?}");
        assert!(text.contains("does not exist"), "{bad:?}: {text}");
        let (status, _) = anonymous(&f, "GET", &format!("/api/snapshot/bundle?token={bad}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad:?}");
    }

    // Revoked from the list page's API: the link stops at once and says why.
    let (_, list) = signed_in(&f, &cookie, "/api/share/list", None).await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let id = list["links"][0]["id"].as_str().unwrap().to_owned();
    assert!(!token.contains(&id), "the list never shows the token");
    let (_, revoked) = signed_in(&f, &cookie, "/api/share/revoke", Some(&[("id", &id)])).await;
    assert_eq!(revoked, "true");
    let (status, text) = anonymous(&f, "GET", &format!("/api/snapshot?token={token}")).await;
    assert_ne!(status, StatusCode::OK);
    assert!(text.contains("revoked"), "{text}");
}

#[tokio::test]
async fn no_secret_a_container_holds_reaches_a_snapshot_a_bundle_or_the_store() {
    let lab = TestLab::start().await;
    let secret = format!("S3cret-{}", lab.run_id());
    let net = lab.network("net").await;
    let leaky = lab
        .container(
            ContainerSpec::new("leaky")
                .cmd([
                    "sh",
                    "-c",
                    &format!(
                        "echo password={secret}; echo connecting to postgres://app:{secret}@db/app; \
                         echo 'Authorization: Bearer {secret}'; httpd -f -p 80"
                    ),
                ])
                .network(&net, &[])
                .env("POSTGRES_PASSWORD", &secret)
                .label("app.db_password", &secret)
                .label("coolify.managed", "true"),
        )
        .await;
    let f = with_login(lab.engine());
    let cookie = session(&f.router).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut tokens = Vec::new();
    for fields in [
        vec![
            ("kind", "container"),
            ("container", leaky.as_str()),
            ("log_lines", "100"),
        ],
        vec![("kind", "graph"), ("query", "v=1")],
    ] {
        let mut fields = fields;
        fields.push(("taken_from", "/"));
        let (_, text) = signed_in(&f, &cookie, "/api/share/create", Some(&fields)).await;
        let link: serde_json::Value = serde_json::from_str(&text).expect(&text);
        tokens.push(
            link["path"]
                .as_str()
                .unwrap()
                .trim_start_matches("/s/")
                .to_owned(),
        );
    }
    let mut seen = String::new();
    for token in &tokens {
        for path in [
            format!("/api/snapshot?token={token}"),
            format!("/api/snapshot/bundle?token={token}&format=md"),
            format!("/api/snapshot/bundle?token={token}&format=json"),
            format!("/s/{token}"),
        ] {
            let (status, text) = anonymous(&f, "GET", &path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(!text.contains(&secret), "{path} leaks the secret:\n{text}");
            seen.push_str(&text);
        }
    }
    assert!(
        seen.contains("password=***"),
        "the log line is there, masked"
    );
    assert!(seen.contains("postgres://app:***@db/app"));
    assert!(seen.contains(&leaky));
    let db = std::fs::read(f.data_dir().join("shares.db")).expect("the store's file");
    let wal = std::fs::read(f.data_dir().join("shares.db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the store holds the secret"
        );
    }
}
