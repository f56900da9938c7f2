//! The engine layer against the live Docker Engine: what the overview reads, how failures are
//! sorted, and recovery when the engine comes back.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::containers::ContainerState;
use app::domain::endpoint::Endpoint;
use app::domain::problem::UnreachableKind;
use app::engine::testkit::{leftovers, test_endpoint, ContainerSpec, TestLab};
use app::engine::{Engine, EngineError};
use std::path::PathBuf;

/// A private directory for sockets; Unix socket paths must stay short.
struct ScratchDir(PathBuf);
impl ScratchDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("nd-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }
}
impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unreachable_kind(result: Result<impl std::fmt::Debug, EngineError>) -> UnreachableKind {
    match result {
        Err(EngineError::Unreachable(problem)) => problem.kind,
        other => panic!("expected an unreachable engine, got {other:?}"),
    }
}

#[tokio::test]
async fn the_overview_lists_a_labelled_container_with_its_ports_networks_and_state() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let web = lab
        .container(
            ContainerSpec::new("web")
                .cmd(["httpd", "-f", "-p", "80"])
                .network(&net, &["web"])
                .publish(80, "127.0.0.1"),
        )
        .await;
    let idle = lab
        .container(ContainerSpec::new("idle").created_only())
        .await;

    let overview = lab.engine().overview().await.expect("overview");

    let row = overview
        .containers
        .iter()
        .find(|r| r.name.as_str() == web)
        .expect("web is listed");
    assert_eq!(row.state, ContainerState::Running);
    assert_eq!(row.networks, [net.as_str()]);
    let ports: Vec<String> = row.ports.iter().map(ToString::to_string).collect();
    assert_eq!(ports.len(), 1, "{ports:?}");
    assert!(
        ports[0].starts_with("127.0.0.1:") && ports[0].ends_with("->80/tcp"),
        "{ports:?}"
    );
    assert!(row.image.starts_with("netdoctor-test-busybox:"));

    let idle_row = overview
        .containers
        .iter()
        .find(|r| r.name.as_str() == idle)
        .expect("idle is listed");
    assert_eq!(idle_row.state, ContainerState::Created);
    assert!(
        overview.status.containers >= 2 && overview.status.networks >= 4,
        "{:?}",
        overview.status
    );
}

#[tokio::test]
async fn the_api_version_is_negotiated_down_to_what_the_engine_speaks() {
    let lab = TestLab::start().await;
    let status = lab.engine().overview().await.expect("overview").status;
    let as_pair = |v: &str| -> (u32, u32) {
        let (a, b) = v.split_once('.').expect("major.minor");
        (a.parse().expect("major"), b.parse().expect("minor"))
    };
    let negotiated = as_pair(&status.negotiated_api_version);
    let engine = as_pair(&status.engine_api_version);
    assert!(negotiated <= engine, "{status:?}");
    // bollard's default is 1.53; an older engine (20.10 speaks 1.41) gets its own version.
    assert_eq!(negotiated, engine.min((1, 53)), "{status:?}");
}

#[tokio::test]
async fn a_missing_socket_is_reported_as_missing() {
    let dir = ScratchDir::new("missing");
    let engine = Engine::new(Endpoint::Unix(
        dir.0.join("docker.sock").to_string_lossy().into_owned(),
    ));
    assert_eq!(
        unreachable_kind(engine.overview().await),
        UnreachableKind::SocketMissing
    );
}

#[tokio::test]
async fn a_socket_nobody_listens_on_is_reported_as_a_stopped_engine() {
    let dir = ScratchDir::new("stopped");
    let path = dir.0.join("docker.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).expect("bind"));
    assert!(
        path.exists(),
        "the socket file stays behind, as after a crashed dockerd"
    );
    let engine = Engine::new(Endpoint::Unix(path.to_string_lossy().into_owned()));
    assert_eq!(
        unreachable_kind(engine.overview().await),
        UnreachableKind::EngineStopped
    );
}

#[tokio::test]
async fn nothing_listening_on_a_tcp_endpoint_is_reported_as_a_stopped_engine() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let engine = Engine::new(Endpoint::Tcp(format!("127.0.0.1:{port}")));
    assert_eq!(
        unreachable_kind(engine.overview().await),
        UnreachableKind::EngineStopped
    );
}

#[tokio::test]
async fn the_same_engine_handle_recovers_when_the_engine_comes_back() {
    let Endpoint::Unix(real_socket) = test_endpoint() else {
        eprintln!("skipped: the test engine is not on a Unix socket");
        return;
    };
    let lab = TestLab::start().await;
    let marker = lab
        .container(ContainerSpec::new("marker").created_only())
        .await;
    let dir = ScratchDir::new("recover");
    let path = dir.0.join("docker.sock");
    let engine = Engine::new(Endpoint::Unix(path.to_string_lossy().into_owned()));

    assert_eq!(
        unreachable_kind(engine.overview().await),
        UnreachableKind::SocketMissing
    );
    drop(std::os::unix::net::UnixListener::bind(&path).expect("bind"));
    assert_eq!(
        unreachable_kind(engine.overview().await),
        UnreachableKind::EngineStopped
    );

    // The engine "comes back" at that path.
    std::fs::remove_file(&path).expect("remove stale socket");
    std::os::unix::fs::symlink(&real_socket, &path).expect("symlink to the real engine");
    let overview = engine
        .overview()
        .await
        .expect("recovered without a new handle");
    assert!(overview
        .containers
        .iter()
        .any(|r| r.name.as_str() == marker));
}

#[tokio::test]
async fn the_test_lab_removes_everything_it_created_when_dropped_even_after_a_panic() {
    let run_id = {
        let lab = TestLab::start().await;
        let net = lab.network("gone").await;
        lab.container(ContainerSpec::new("gone").network(&net, &[]))
            .await;
        assert_eq!(leftovers(lab.run_id()).await, (1, 1));
        lab.run_id().to_owned()
    };
    assert_eq!(leftovers(&run_id).await, (0, 0));

    let lab = TestLab::start().await;
    let run_id = lab.run_id().to_owned();
    lab.container(ContainerSpec::new("doomed")).await;
    let outcome = tokio::spawn(async move {
        let _lab = lab;
        panic!("an assertion fails mid-test");
    })
    .await;
    assert!(outcome.is_err());
    assert_eq!(leftovers(&run_id).await, (0, 0));
}

#[tokio::test]
async fn engine_changes_arrive_when_a_container_starts() {
    use app::engine::events::FeedEvent;
    let lab = TestLab::start().await;
    let engine = lab.engine();
    let mut changes = engine.changes();
    // The watcher announces that it reached the engine before anything else.
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), changes.recv()).await;
    assert_eq!(first.expect("in time").expect("open"), FeedEvent::Connected);
    let name = lab.container(ContainerSpec::new("evented")).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let event = tokio::time::timeout(left, changes.recv())
            .await
            .expect("a start event in time")
            .expect("open");
        if let FeedEvent::Change(c) = event {
            if c.subject == name && c.action == "start" {
                assert_eq!(c.kind, "container");
                break;
            }
        }
    }
}

#[tokio::test]
async fn debug_containers_left_by_a_crash_are_swept_and_nothing_else_is_touched() {
    let lab = TestLab::start().await;
    let left = lab
        .container(ContainerSpec::new("left-debug").label(app::engine::exec::DEBUG_LABEL, "true"))
        .await;
    let bystander = lab.container(ContainerSpec::new("bystander")).await;
    let engine = lab.engine();
    let own = format!("{}={}", app::engine::testkit::TEST_LABEL, lab.run_id());

    // Young debug containers belong to a check that may still be running: kept.
    let kept = engine
        .remove_stale_debug_containers(std::time::Duration::from_secs(600), Some(&own))
        .await
        .expect("sweep");
    assert_eq!(kept, 0);

    let removed = engine
        .remove_stale_debug_containers(std::time::Duration::ZERO, Some(&own))
        .await
        .expect("sweep");
    assert_eq!(removed, 1);
    let topology = engine.topology().await.expect("topology");
    assert!(topology.container(&left).is_none(), "{left} was swept");
    assert!(
        topology.container(&bystander).is_some(),
        "{bystander} is not a debug container"
    );
}
