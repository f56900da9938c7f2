//! The servers' server functions through the router, against the SSH server of
//! `scripts/engines.sh`: a name with shell characters is refused before anything runs, a new
//! host key is shown (and nothing stored) until accepted, the key never comes back in any
//! answer, and the server can be switched to by name.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::access::Capabilities;
use app::engine::testkit::{test_endpoint, ContainerSpec, TestLab, TestServers};
use app::engine::Engine;
use app::fleet::Fleet;
use app::state::AppState;
use app::store::TempDir;
use axum::http::StatusCode;

mod common;
use common::{get, post_form};

/// A form value, percent-encoded (keys hold newlines, `+` and `/`).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn state(fleet: &Fleet) -> AppState {
    AppState {
        fleet: fleet.clone(),
        ..common::state_with(fleet.local(), Capabilities::default())
    }
}

#[tokio::test]
async fn a_server_is_added_through_the_api_once_its_host_key_is_accepted_and_its_key_never_comes_back(
) {
    let servers = TestServers::from_env();
    let lab2 = TestLab::start_on(servers.engine2.clone()).await;
    let web = lab2
        .container(ContainerSpec::new("web").cmd(["httpd", "-f", "-p", "80"]))
        .await;
    let data = TempDir::new("servers-api").unwrap();
    let fleet = Fleet::open(Engine::new(test_endpoint()), data.path()).unwrap();
    let key = std::fs::read_to_string(servers.ssh_dir.join("client_key")).unwrap();
    let form = |name: &str, accept: &str| {
        format!(
            "name={}&endpoint={}&ssh_key={}&accept_host_key={}",
            encode(name),
            encode(&servers.ssh.to_string()),
            encode(&key),
            encode(accept)
        )
    };

    // Shell characters in the name: refused, nothing contacted, nothing stored.
    let (status, body) = post_form(state(&fleet), "/api/servers/add", &form("db;reboot", "")).await;
    assert!(!status.is_success(), "{status}");
    assert!(
        body.contains("BadInput") && body.contains("not a server name"),
        "{body}"
    );

    // A new host key: its fingerprint, and nothing stored.
    let (status, body) = post_form(state(&fleet), "/api/servers/add", &form("app-1", "")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let fingerprint = answer["HostKeyToAccept"]["offered"][0]["fingerprint"]
        .as_str()
        .unwrap_or_else(|| panic!("no fingerprint offered: {answer:#}"))
        .to_owned();
    assert!(fingerprint.starts_with("SHA256:"), "{fingerprint}");
    assert!(!data.path().join("servers.json").exists());

    // Accepted: added, listed, and no answer carries the key or where it is kept.
    let (status, body) = post_form(
        state(&fleet),
        "/api/servers/add",
        &form("app-1", &fingerprint),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"Added\""), "{body}");
    let (status, listed) = get(state(&fleet), "/api/servers").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert!(
        listed.contains("\"app-1\"") && listed.contains("\"local\""),
        "{listed}"
    );
    for answer in [&body, &listed] {
        assert!(!answer.contains("PRIVATE KEY"), "{answer}");
        assert!(!answer.contains("ssh_key"), "{answer}");
        assert!(
            !answer.contains(&data.path().display().to_string()),
            "{answer}"
        );
    }

    // Its engine, by name, lists the second engine's container.
    let overview = fleet
        .engine_for(Some("app-1"))
        .unwrap()
        .overview()
        .await
        .expect("over ssh");
    assert!(overview.containers.iter().any(|c| c.name.as_str() == web));

    // Every view asks the server its URL names: the topology, the servers' summary line and
    // the event stream, with the engine netdoctor was started with when none is named.
    let (status, body) = get(state(&fleet), "/api/topology?server=app-1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(&web), "app-1's picture holds its container");
    let (status, body) = get(state(&fleet), "/api/topology").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        !body.contains(&web),
        "the local picture does not hold app-1's container"
    );
    let (status, body) = get(state(&fleet), "/api/servers/summary?server=app-1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let summary: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        summary["containers"].as_u64().unwrap_or(0) >= 1,
        "{summary:#}"
    );
    // Server functions answer errors as the rest of the API does (500 with the kind).
    let (status, body) = get(state(&fleet), "/api/topology?server=nope").await;
    assert!(!status.is_success(), "{status}: {body}");
    assert!(
        body.contains("NotFound") && body.contains("no server named nope"),
        "{body}"
    );
    let (status, body) = get(state(&fleet), "/api/topology?server=db%3Breboot").await;
    assert!(!status.is_success(), "{status}: {body}");
    assert!(
        body.contains("BadInput") && body.contains("not a server name"),
        "{body}"
    );
    let (status, body) = get(state(&fleet), "/api/events?server=nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // The search over every server finds app-1's container there, and only there.
    let (status, body) = get(state(&fleet), &format!("/api/servers/search?q={web}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found: serde_json::Value = serde_json::from_str(&body).unwrap();
    let hits = found["hits"].as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["server"] == "app-1" && h["name"] == web.as_str()),
        "{found:#}"
    );
    assert!(hits.iter().all(|h| h["server"] == "app-1"), "{found:#}");
    let (status, body) = get(state(&fleet), "/api/servers/findings").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The host key: known now; removing the server takes its key away.
    let (status, body) = get(state(&fleet), "/api/servers/host_key?name=app-1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"Known\""), "{body}");
    let (status, body) = post_form(state(&fleet), "/api/servers/remove", "name=app-1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!data.path().join("servers/app-1").exists());
    let (_, listed) = get(state(&fleet), "/api/servers").await;
    assert!(!listed.contains("app-1"), "{listed}");
}

#[tokio::test]
async fn local_cannot_be_added_or_removed_and_a_public_key_is_refused_as_such() {
    let servers = TestServers::from_env();
    let data = TempDir::new("servers-api-bad").unwrap();
    let fleet = Fleet::open(Engine::new(test_endpoint()), data.path()).unwrap();
    let public = std::fs::read_to_string(servers.ssh_dir.join("client_key.pub")).unwrap();

    let (status, body) = post_form(
        state(&fleet),
        "/api/servers/add",
        &format!(
            "name=local&endpoint={}&ssh_key=x",
            encode(&servers.ssh.to_string())
        ),
    )
    .await;
    assert!(!status.is_success() && body.contains("local"), "{body}");
    let (status, body) = post_form(state(&fleet), "/api/servers/remove", "name=local").await;
    assert!(
        !status.is_success() && body.contains("cannot be removed"),
        "{body}"
    );
    let (status, body) = post_form(
        state(&fleet),
        "/api/servers/add",
        &format!(
            "name=pub&endpoint={}&ssh_key={}",
            encode(&servers.ssh.to_string()),
            encode(&public)
        ),
    )
    .await;
    assert!(
        !status.is_success() && body.contains("public key"),
        "{body}"
    );
    assert!(std::fs::read_dir(data.path()).unwrap().next().is_none());
}
