//! Several engines from one netdoctor, against real ones: the second Docker Engine that
//! `scripts/engines.sh` starts, reached by its socket, over TLS (`dockerd --tlsverify`) and over
//! SSH (a local sshd whose sessions run `docker system dial-stdio`). Each is read, switched
//! between, lost mid-use and recovered; bad input (a certificate for another name, another CA,
//! a key sshd does not know, an unknown or changed host key, a closed port) gives its own clear
//! error, and a server that fails to connect leaves nothing in the data directory.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::endpoint::Endpoint;
use app::domain::problem::{EngineProblem, UnreachableKind};
use app::domain::servers::known_hosts::{HostKey, HostKeyVerdict};
use app::domain::servers::{ServerName, ServerOrigin};
use app::engine::ssh;
use app::engine::testkit::{test_endpoint, ContainerSpec, TestLab, TestServers};
use app::engine::transport::Credentials;
use app::engine::{Engine, EngineError};
use app::error::AppError;
use app::fleet::secrets::NewSecrets;
use app::fleet::{AddOutcome, Fleet, NewServer};
use app::store::TempDir;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn problem<T: std::fmt::Debug>(result: Result<T, EngineError>) -> EngineProblem {
    match result {
        Err(EngineError::Unreachable(problem)) => problem,
        other => panic!("expected an unreachable engine, got {other:?}"),
    }
}

fn app_problem<T: std::fmt::Debug>(result: Result<T, AppError>) -> EngineProblem {
    match result {
        Err(AppError::EngineUnreachable(problem)) => problem,
        other => panic!("expected an unreachable engine, got {other:?}"),
    }
}

/// The test sshd's host key and its fingerprint, as `ssh-keygen -l` prints it.
fn host_key(servers: &TestServers) -> (HostKey, String) {
    let public = std::fs::read_to_string(servers.ssh_dir.join("host_ed25519.pub")).unwrap();
    let mut fields = public.split_whitespace();
    let key = HostKey::parse(fields.next().unwrap(), fields.next().unwrap()).unwrap();
    let fingerprint = ssh::fingerprint(&key).unwrap();
    (key, fingerprint)
}

/// An SSH engine with `key` and a `known_hosts` holding `known` (written in `dir`).
fn ssh_engine(servers: &TestServers, dir: &Path, key: &str, known: &str) -> Engine {
    let known_hosts = dir.join("known_hosts");
    std::fs::write(&known_hosts, known).unwrap();
    Engine::with_credentials(
        servers.ssh.clone(),
        Credentials {
            ssh_key: Some(servers.ssh_dir.join(key)),
            known_hosts: Some(known_hosts),
            tls: None,
        },
    )
}

fn tls_engine(endpoint: Endpoint, servers: &TestServers, ca: &str, cert: &str) -> Engine {
    Engine::with_credentials(
        endpoint,
        Credentials {
            tls: Some(servers.tls_files(ca, cert)),
            ..Credentials::default()
        },
    )
}

fn port_of(endpoint: &Endpoint) -> u16 {
    let text = endpoint.to_string();
    text.rsplit(':').next().unwrap().parse().unwrap()
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn each_engine_is_read_over_its_own_transport_and_shows_only_its_own_containers() {
    let servers = TestServers::from_env();
    let lab2 = TestLab::start_on(servers.engine2.clone()).await;
    let web = lab2
        .container(ContainerSpec::new("web").cmd(["httpd", "-f", "-p", "80"]))
        .await;
    let dir = TempDir::new("servers-read").unwrap();
    let (key, _) = host_key(&servers);
    let known = servers.known_hosts_line(&servers.ssh);
    assert!(known.contains(&key.blob));

    let over_tls = tls_engine(servers.tls.clone(), &servers, "ca", "client");
    let over_ssh = ssh_engine(&servers, dir.path(), "client_key", &known);
    let local = Engine::new(test_endpoint());
    for (how, engine) in [("TLS", &over_tls), ("SSH", &over_ssh)] {
        let overview = engine
            .overview()
            .await
            .unwrap_or_else(|e| panic!("{how}: {e}"));
        assert!(
            overview.containers.iter().any(|c| c.name.as_str() == web),
            "{how} does not list {web}"
        );
        assert_eq!(overview.status.endpoint, engine.endpoint().to_string());
        let topology = engine
            .topology()
            .await
            .unwrap_or_else(|e| panic!("{how}: {e}"));
        assert!(
            topology.container(&web).is_some(),
            "{how}: topology lacks {web}"
        );
    }
    let shared = local.overview().await.expect("the shared engine");
    assert!(
        shared.containers.iter().all(|c| c.name.as_str() != web),
        "the shared engine shows the second engine's container"
    );
}

#[tokio::test]
async fn a_tls_certificate_for_another_name_is_refused_as_such() {
    let servers = TestServers::from_env();
    let port = port_of(&servers.tls);
    let engine = tls_engine(
        Endpoint::Tls(format!("localhost:{port}")),
        &servers,
        "ca",
        "client",
    );
    let p = problem(engine.overview().await);
    assert_eq!(p.kind, UnreachableKind::TlsWrongName, "{p:?}");
    assert!(
        p.headline().contains("another host name"),
        "{}",
        p.headline()
    );
}

#[tokio::test]
async fn a_tls_engine_signed_by_another_ca_is_untrusted_and_a_foreign_client_certificate_is_refused(
) {
    let servers = TestServers::from_env();
    let untrusted = tls_engine(servers.tls.clone(), &servers, "other-ca", "client");
    assert_eq!(
        problem(untrusted.overview().await).kind,
        UnreachableKind::TlsUntrusted
    );
    let foreign = tls_engine(servers.tls.clone(), &servers, "ca", "other-client");
    let p = problem(foreign.overview().await);
    assert_eq!(p.kind, UnreachableKind::TlsClientRefused, "{p:?}");
}

#[tokio::test]
async fn an_ssh_key_the_server_does_not_know_is_refused_as_such() {
    let servers = TestServers::from_env();
    let dir = TempDir::new("servers-key").unwrap();
    let known = servers.known_hosts_line(&servers.ssh);
    let p = problem(
        ssh_engine(&servers, dir.path(), "wrong_key", &known)
            .overview()
            .await,
    );
    assert_eq!(p.kind, UnreachableKind::SshAuthFailed, "{p:?}");
    assert!(
        p.detail.contains("Permission denied (publickey)"),
        "{}",
        p.detail
    );
}

#[tokio::test]
async fn an_unknown_host_key_stops_before_ssh_with_its_fingerprint() {
    let servers = TestServers::from_env();
    let dir = TempDir::new("servers-unknown").unwrap();
    let (_, fingerprint) = host_key(&servers);
    let p = problem(
        ssh_engine(&servers, dir.path(), "client_key", "")
            .overview()
            .await,
    );
    assert_eq!(p.kind, UnreachableKind::SshHostKeyUnknown, "{p:?}");
    assert!(
        p.detail.contains(&format!("ED25519 {fingerprint}")),
        "{}",
        p.detail
    );
}

#[tokio::test]
async fn a_changed_host_key_is_refused_with_the_fingerprint_the_server_now_offers() {
    let servers = TestServers::from_env();
    let dir = TempDir::new("servers-changed").unwrap();
    let (_, fingerprint) = host_key(&servers);
    let Endpoint::Ssh(address) = &servers.ssh else {
        unreachable!()
    };
    let other = std::fs::read_to_string(servers.ssh_dir.join("wrong_key.pub")).unwrap();
    let forged = format!(
        "{} {}\n",
        address.known_hosts_name(),
        other
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let p = problem(
        ssh_engine(&servers, dir.path(), "client_key", &forged)
            .overview()
            .await,
    );
    assert_eq!(p.kind, UnreachableKind::SshHostKeyChanged, "{p:?}");
    assert!(
        p.detail
            .starts_with(&format!("The server now offers ED25519 key {fingerprint}")),
        "{}",
        p.detail
    );
}

#[tokio::test]
async fn an_unreachable_host_gives_a_clear_error_quickly() {
    let servers = TestServers::from_env();
    let dir = TempDir::new("servers-closed").unwrap();
    let port = closed_port();
    let started = Instant::now();
    let ssh_closed = Endpoint::parse(&format!("ssh://root@127.0.0.1:{port}")).unwrap();
    let engine = Engine::with_credentials(
        ssh_closed,
        Credentials {
            ssh_key: Some(servers.ssh_dir.join("client_key")),
            known_hosts: Some(dir.path().join("known_hosts")),
            tls: None,
        },
    );
    assert_eq!(
        problem(engine.overview().await).kind,
        UnreachableKind::SshConnectFailed
    );
    let tls_closed = tls_engine(
        Endpoint::Tls(format!("127.0.0.1:{port}")),
        &servers,
        "ca",
        "client",
    );
    assert_eq!(
        problem(tls_closed.overview().await).kind,
        UnreachableKind::EngineStopped
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

/// Every file and directory under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            out.push(path.strip_prefix(base).unwrap().display().to_string());
            if path.is_dir() {
                walk(base, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn new_ssh(name: &str, servers: &TestServers, key: &str, accept: Option<&str>) -> NewServer {
    let text = std::fs::read_to_string(servers.ssh_dir.join(key)).unwrap();
    NewServer {
        name: ServerName::parse_new(name).unwrap(),
        endpoint: servers.ssh.clone(),
        secrets: NewSecrets::SshKey(text),
        accept_host_key: accept.map(str::to_owned),
    }
}

#[tokio::test]
async fn adding_a_server_over_ssh_asks_to_accept_its_key_then_stores_it_private() {
    let servers = TestServers::from_env();
    let lab2 = TestLab::start_on(servers.engine2.clone()).await;
    let idle = lab2.container(ContainerSpec::new("idle")).await;
    let data = TempDir::new("servers-add").unwrap();
    let fleet = Fleet::open(Engine::new(test_endpoint()), data.path()).unwrap();
    let (_, fingerprint) = host_key(&servers);

    let first = fleet
        .add(new_ssh("app-1", &servers, "client_key", None))
        .await
        .expect("asks first");
    let AddOutcome::HostKeyToAccept(check) = first else {
        panic!("added without asking: {first:?}");
    };
    assert_eq!(check.verdict, HostKeyVerdict::Unknown);
    assert_eq!(check.offered[0].fingerprint, fingerprint);
    assert!(
        listing(data.path()).iter().all(|p| !p.contains("app-1")),
        "stored before the key was accepted: {:?}",
        listing(data.path())
    );

    let added = fleet
        .add(new_ssh("app-1", &servers, "client_key", Some(&fingerprint)))
        .await
        .expect("added");
    assert!(matches!(added, AddOutcome::Added(ref info) if info.name.as_str() == "app-1"));
    assert_eq!(
        listing(data.path()),
        [
            "known_hosts",
            "servers",
            "servers.json",
            "servers/app-1",
            "servers/app-1/ssh_key"
        ]
    );
    for file in ["known_hosts", "servers.json", "servers/app-1/ssh_key"] {
        assert_eq!(mode(&data.path().join(file)), 0o600, "{file}");
    }
    assert_eq!(mode(&data.path().join("servers/app-1")), 0o700);
    let file = std::fs::read_to_string(data.path().join("servers.json")).unwrap();
    assert!(!file.contains("PRIVATE KEY"), "{file}");

    // Switch to it, and to local, by name; it shows the second engine's container.
    let engine = fleet.engine_for(Some("app-1")).expect("by name");
    let overview = engine.overview().await.expect("over ssh");
    assert!(overview.containers.iter().any(|c| c.name.as_str() == idle));
    assert_eq!(fleet.engine_for(None).unwrap().endpoint(), &test_endpoint());
    assert!(matches!(
        fleet.engine_for(Some("app;reboot")),
        Err(AppError::BadInput(_))
    ));
    assert!(matches!(
        fleet.engine_for(Some("nope")),
        Err(AppError::NotFound(_))
    ));

    // A netdoctor started later on the same data directory has it too.
    let again = Fleet::open(Engine::new(test_endpoint()), data.path()).unwrap();
    let listed: Vec<(String, ServerOrigin)> = again
        .list()
        .into_iter()
        .map(|s| (s.name.to_string(), s.origin))
        .collect();
    assert_eq!(
        listed,
        [
            ("local".to_owned(), ServerOrigin::StartedWith),
            ("app-1".to_owned(), ServerOrigin::ServersFile)
        ]
    );
    let reread = again.engine_for(Some("app-1")).unwrap().overview().await;
    assert!(reread
        .expect("after a restart")
        .containers
        .iter()
        .any(|c| c.name.as_str() == idle));

    // Removed: its key goes, its entry goes.
    again
        .remove(&ServerName::parse("app-1").unwrap())
        .await
        .expect("removed");
    assert!(!data.path().join("servers/app-1").exists());
    assert!(Fleet::open(Engine::new(test_endpoint()), data.path())
        .unwrap()
        .engine_for(Some("app-1"))
        .is_err());
}

#[tokio::test]
async fn a_server_that_fails_to_connect_leaves_nothing_behind() {
    let servers = TestServers::from_env();
    let data = TempDir::new("servers-refused").unwrap();
    let fleet = Fleet::open(Engine::new(test_endpoint()), data.path()).unwrap();
    let (_, fingerprint) = host_key(&servers);

    // A key sshd does not accept, with the host key accepted.
    let wrong = fleet
        .add(new_ssh("wrong", &servers, "wrong_key", Some(&fingerprint)))
        .await;
    assert_eq!(app_problem(wrong).kind, UnreachableKind::SshAuthFailed);

    // A fingerprint the server does not offer.
    let forged = fleet
        .add(new_ssh(
            "forged",
            &servers,
            "client_key",
            Some("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ))
        .await;
    assert!(
        matches!(&forged, Err(AppError::BadInput(m)) if m.contains("Compare again")),
        "{forged:?}"
    );

    // A TLS engine whose certificate names another host.
    let pem = |name: &str| std::fs::read_to_string(servers.tls_dir.join(name)).unwrap();
    let other_name = fleet
        .add(NewServer {
            name: ServerName::parse_new("tls-1").unwrap(),
            endpoint: Endpoint::Tls(format!("localhost:{}", port_of(&servers.tls))),
            secrets: NewSecrets::Tls {
                ca: pem("ca.pem"),
                cert: pem("client.pem"),
                key: pem("client-key.pem"),
            },
            accept_host_key: None,
        })
        .await;
    assert_eq!(app_problem(other_name).kind, UnreachableKind::TlsWrongName);

    // An unreachable host.
    let closed = fleet
        .add(NewServer {
            name: ServerName::parse_new("gone").unwrap(),
            endpoint: Endpoint::parse(&format!("ssh://root@127.0.0.1:{}", closed_port())).unwrap(),
            secrets: NewSecrets::SshKey(
                std::fs::read_to_string(servers.ssh_dir.join("client_key")).unwrap(),
            ),
            accept_host_key: None,
        })
        .await;
    assert_eq!(app_problem(closed).kind, UnreachableKind::SshConnectFailed);

    // Nothing of any of them was kept: no entry, no key, no host key, no staging directory.
    let left: Vec<String> = listing(data.path())
        .into_iter()
        .filter(|p| p != "servers")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(fleet.list().len(), 1);
}

#[tokio::test]
async fn a_changed_host_key_is_never_accepted_until_the_old_one_is_forgotten() {
    let servers = TestServers::from_env();
    let data = TempDir::new("servers-forget").unwrap();
    let (_, fingerprint) = host_key(&servers);
    let Endpoint::Ssh(address) = &servers.ssh else {
        unreachable!()
    };
    let other = std::fs::read_to_string(servers.ssh_dir.join("wrong_key.pub")).unwrap();
    let forged = format!(
        "{} {}\n",
        address.known_hosts_name(),
        other
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    );
    std::fs::write(data.path().join("known_hosts"), &forged).unwrap();
    std::fs::write(
        data.path().join("servers.json"),
        format!(
            r#"{{"version": 1, "servers": [{{"name": "app-2", "endpoint": "{}", "ssh_key": "{}"}}]}}"#,
            servers.ssh,
            servers.ssh_dir.join("client_key").display()
        ),
    )
    .unwrap();
    let fleet = Fleet::open(Engine::new(test_endpoint()), data.path()).unwrap();
    let name = ServerName::parse("app-2").unwrap();

    let p = problem(fleet.engine(&name).unwrap().overview().await);
    assert_eq!(p.kind, UnreachableKind::SshHostKeyChanged);
    let refused = fleet.accept_host_key(&name, &fingerprint).await;
    assert_eq!(
        app_problem(refused).kind,
        UnreachableKind::SshHostKeyChanged
    );
    assert_eq!(
        std::fs::read_to_string(data.path().join("known_hosts")).unwrap(),
        forged
    );

    fleet.forget_host_key(&name).await.expect("forgotten");
    let unknown = problem(fleet.engine(&name).unwrap().overview().await);
    assert_eq!(unknown.kind, UnreachableKind::SshHostKeyUnknown);
    let accepted = fleet
        .accept_host_key(&name, &fingerprint)
        .await
        .expect("accepted");
    assert_eq!(accepted.verdict, HostKeyVerdict::Known);
    fleet
        .engine(&name)
        .unwrap()
        .overview()
        .await
        .expect("connects once accepted");
}

/// A loopback TCP relay in front of a server, which the test can cut and bring back on the same
/// port: a server lost mid-use without stopping the shared test servers.
struct Relay {
    port: u16,
    target: u16,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Relay {
    async fn start(target: u16) -> Self {
        let mut relay = Self {
            port: 0,
            target,
            task: None,
        };
        relay.restore().await;
        relay
    }

    async fn restore(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        self.port = listener.local_addr().unwrap().port();
        let target = self.target;
        self.task = Some(tokio::spawn(async move {
            let mut links = tokio::task::JoinSet::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    break;
                };
                links.spawn(async move {
                    if let Ok(mut outbound) =
                        tokio::net::TcpStream::connect(("127.0.0.1", target)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Closes the port and every connection through it (the JoinSet aborts its tasks on drop).
    async fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

#[tokio::test]
async fn a_server_lost_mid_use_says_so_and_recovers_when_it_comes_back() {
    let servers = TestServers::from_env();
    let mut relay = Relay::start(port_of(&servers.tls)).await;
    let engine = tls_engine(
        Endpoint::Tls(format!("127.0.0.1:{}", relay.port)),
        &servers,
        "ca",
        "client",
    );
    engine.overview().await.expect("through the relay");

    relay.cut().await;
    let p = problem(engine.overview().await);
    assert!(
        matches!(
            p.kind,
            UnreachableKind::EngineStopped | UnreachableKind::Other
        ),
        "{p:?}"
    );

    relay.restore().await;
    engine.overview().await.expect("recovered");
}

#[tokio::test]
async fn a_server_that_never_answers_does_not_slow_the_others() {
    // Accepts connections and never says a word: the worst kind of lost server.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let data = TempDir::new("servers-silent").unwrap();
    std::fs::write(
        data.path().join("servers.json"),
        format!(r#"{{"version": 1, "servers": [{{"name": "silent", "endpoint": "tcp://127.0.0.1:{port}"}}]}}"#),
    )
    .unwrap();
    let fleet = Fleet::open(Engine::new(test_endpoint()), data.path()).unwrap();
    let hung = fleet.engine_for(Some("silent")).unwrap();
    let waiting = tokio::spawn(async move { hung.overview().await });
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    fleet.local().overview().await.expect("local answers");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "local took {:?} while another server hung",
        started.elapsed()
    );
    assert!(!waiting.is_finished(), "the silent server answered?");
    waiting.abort();
    drop(silent);
}
