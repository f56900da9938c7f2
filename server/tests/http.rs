//! The router as a browser meets it, server-rendered, against the live engine and a missing one.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::endpoint::Endpoint;
use app::engine::testkit::{ContainerSpec, TestLab};
use app::engine::Engine;
use axum::body::Body;
use axum::http::{Request, StatusCode};

mod common;
use common::{get, send, state};

fn missing_engine() -> Engine {
    let path =
        std::env::temp_dir().join(format!("nd-no-engine-{}/docker.sock", std::process::id()));
    Engine::new(Endpoint::Unix(path.to_string_lossy().into_owned()))
}

#[tokio::test]
async fn the_overview_page_lists_a_labelled_container_from_the_live_engine() {
    let lab = TestLab::start().await;
    let name = lab.container(ContainerSpec::new("listed")).await;
    let (status, html) = get(state(lab.engine()), "/containers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&name),
        "the server-rendered page lists {name}"
    );
    assert!(html.contains("data-testid=\"engine-strip\""));
    assert!(
        html.contains("/pkg/netdoctor.js"),
        "the page loads the app's script for hydration"
    );
}

#[tokio::test]
async fn with_no_engine_every_page_still_loads_and_says_what_to_do() {
    for page in ["/", "/containers"] {
        let (status, html) = get(state(missing_engine()), page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            html.contains("No Docker Engine socket at"),
            "{page}: {html}"
        );
        assert!(html.contains("sudo systemctl start docker"));
        assert!(html.contains("data-testid=\"engine-problem\""));
    }
}

#[tokio::test]
async fn the_graph_page_draws_a_labelled_container_and_its_network() {
    let lab = TestLab::start().await;
    let net = lab.network("drawn").await;
    let name = lab
        .container(ContainerSpec::new("drawn").network(&net, &[]))
        .await;
    let (status, html) = get(state(lab.engine()), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("data-node=\"{name}\"")),
        "the server-rendered graph has a node for {name}"
    );
    assert!(
        html.contains(&format!("data-network=\"{net}\"")),
        "and a group for {net}"
    );
}

#[tokio::test]
async fn the_topology_endpoint_answers_json_with_findings_for_scripts() {
    let lab = TestLab::start().await;
    let name = lab
        .container(ContainerSpec::new("alone").network_mode("none"))
        .await;
    let (status, body) = get(state(lab.engine()), "/api/topology").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    let containers = json["topology"]["containers"]
        .as_array()
        .expect("containers");
    assert!(containers.iter().any(|c| c["name"] == name.as_str()));
    let findings = json["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "NetworkNone" && f["subjects"].to_string().contains(&name)),
        "a container on network none gets a finding: {findings:?}"
    );
}

#[tokio::test]
async fn the_overview_server_function_answers_json_for_scripts() {
    let lab = TestLab::start().await;
    let name = lab.container(ContainerSpec::new("json")).await;
    let request = Request::post("/api/overview")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::empty())
        .expect("request");
    let (status, body) = send(state(lab.engine()), request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert!(json["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .any(|c| c["name"] == name.as_str()));
    assert!(json["status"]["negotiated_api_version"].is_string());
}

#[tokio::test]
async fn the_overview_server_function_reports_an_unreachable_engine_as_a_typed_error() {
    let request = Request::post("/api/overview")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::empty())
        .expect("request");
    let (status, body) = send(state(missing_engine()), request).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let json: serde_json::Value = serde_json::from_str(&body).expect("json error");
    assert_eq!(json["EngineUnreachable"]["kind"], "SocketMissing", "{body}");
}

#[tokio::test]
async fn the_health_endpoint_answers_without_an_engine() {
    assert_eq!(
        get(state(missing_engine()), "/healthz").await,
        (StatusCode::OK, "ok".to_owned())
    );
}

#[tokio::test]
async fn an_unknown_address_gets_a_404_page() {
    let (status, html) = get(state(missing_engine()), "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("No such page"));
}

#[tokio::test]
async fn read_only_mode_is_reported_shown_and_refuses_exec_paths() {
    let mut s = state(missing_engine());
    s.capabilities.read_only = true;
    let (status, body) = get(s.clone(), "/api/capabilities").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"read_only\":true"), "{body}");
    let (_, html) = get(s.clone(), "/").await;
    assert!(
        html.contains("data-testid=\"read-only\""),
        "the top bar says read-only"
    );
    // The guard every exec-based check must pass first.
    let owner = leptos::prelude::Owner::new();
    let refused = owner.with(|| {
        leptos::prelude::provide_context(s.clone());
        app::state::require_writable()
    });
    assert_eq!(refused, Err(app::error::AppError::ReadOnly));
    let mut writable = s;
    writable.capabilities.read_only = false;
    let allowed = leptos::prelude::Owner::new().with(|| {
        leptos::prelude::provide_context(writable);
        app::state::require_writable()
    });
    assert_eq!(allowed, Ok(()));
}

#[tokio::test]
async fn a_containers_page_shows_its_name_networks_and_where_to_reach_it() {
    let lab = TestLab::start().await;
    let net = lab.network("page").await;
    let name = lab
        .container(
            ContainerSpec::new("paged")
                .cmd(["httpd", "-f", "-p", "8080"])
                .network(&net, &["paged-alias"]),
        )
        .await;
    let (status, html) = get(state(lab.engine()), &format!("/containers/{name}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-testid=\"container-header\""), "{html}");
    assert!(html.contains(&net) && html.contains("paged-alias"));
    // busybox exposes no port of its own and nothing routes to it, so no address is offered:
    // the page says which name works on which network, and that the port is unknown.
    assert!(html.contains("data-testid=\"no-reach\""), "{html}");
    assert!(html.contains("but no port is known"), "{html}");
}

#[tokio::test]
async fn a_bad_or_unknown_container_name_gets_a_clear_error_and_nothing_runs() {
    let lab = TestLab::start().await;
    let (status, body) = get(
        state(lab.engine()),
        "/api/container?name=web%3Brm%20-rf%20%2F",
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body.contains("BadInput") && body.contains("is not a container name"),
        "{body}"
    );
    let missing = format!("nd-{}-never-created", lab.run_id());
    let (status, body) = get(
        state(lab.engine()),
        &format!("/api/container?name={missing}"),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body.contains("NotFound") && body.contains(&missing),
        "{body}"
    );
}

#[tokio::test]
async fn the_reach_endpoint_answers_the_matrix_as_json_and_refuses_a_bad_scope() {
    let lab = TestLab::start().await;
    let net = lab.network("matrix").await;
    let a = lab
        .container(ContainerSpec::new("a").network(&net, &["alpha"]))
        .await;
    let b = lab
        .container(ContainerSpec::new("b").network(&net, &[]))
        .await;
    let (status, body) = get(
        state(lab.engine()),
        &format!("/api/reach?scope=network:{net}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let m: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(m["scope"]["network"], net.as_str(), "{m}");
    let names: Vec<&str> = m["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert_eq!(names, [a.as_str(), b.as_str()]);
    assert_eq!(
        m["cells"][1][0]["address"], "alpha",
        "b should use a's alias: {m}"
    );
    assert_eq!(m["cells"][1][0]["verdict"], "yes");
    let (status, body) = get(state(lab.engine()), "/api/reach?scope=galaxy:x").await;
    assert_ne!(status, StatusCode::OK, "{body}");
    assert!(body.contains("not a kind of scope"), "{body}");
}
