//! The connection-string builder on the live engine: real networks, aliases, stacks, the default
//! bridge and published ports, read back through `Engine::topology`, and the built addresses
//! proven by a one-shot busybox container that fetches them from the source's networks (no
//! exec: the probe's exit code is the answer). Traffic goes only to this lab's containers and
//! to loopback; no name outside the lab is ever looked up.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::connect::ports::{
    listening_summary, merge_listening, port_options, Listen, Listening,
};
use app::domain::connect::{build, Connection, NoteCode, Source, Via};
use app::domain::names::ContainerName;
use app::domain::topology::Topology;
use app::engine::exec::ProbeSettings;
use app::engine::testkit::{ContainerSpec, TestLab};
use std::io::{Read, Write};

fn name(n: &str) -> ContainerName {
    ContainerName::from_engine(n)
}

/// A busybox web server on `port` answering `ok` at `/`.
fn serve(port: u16) -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        format!("mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p {port} -h /www"),
    ]
}

async fn topology(lab: &TestLab) -> Topology {
    lab.engine().topology().await.expect("topology")
}

fn from(t: &Topology, source: &str, target: &str, port: Option<u16>) -> Connection {
    build(t, &Source::Container(name(source)), &name(target), port).expect("builds")
}

fn url(c: &Connection) -> String {
    c.address
        .as_ref()
        .map(|a| a.url.clone())
        .unwrap_or_default()
}

/// Fetches `http://host:port/` from a fresh container on `networks` (what the source sees) and
/// returns its exit code: 0 means the name resolved, the port accepted and HTTP answered.
async fn fetch_from(lab: &TestLab, suffix: &str, networks: &[&str], host: &str, port: u16) -> i32 {
    // busybox-static's wget segfaults in the FROM-scratch image (exit 139, even for an IP), so
    // the request goes through nc; host and port are passed as arguments, never spliced in.
    let port = port.to_string();
    let mut spec = ContainerSpec::new(suffix).cmd([
        "sh",
        "-c",
        r#"printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 "$1" "$2" | grep -q ' 200 '"#,
        "probe",
        host,
        &port,
    ]);
    for n in networks {
        spec = spec.network(n, &[]);
    }
    let probe = lab.container(spec).await;
    // Tests may use the docker CLI (the product never does); `timeout` bounds a hung probe.
    let out = std::process::Command::new("timeout")
        .args(["60", "docker", "wait", &probe])
        .output()
        .expect("docker wait");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| {
            panic!(
                "docker wait {probe}: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// Waits until the web server in a just-started container answers, so probes do not race it.
async fn until_serving(lab: &TestLab, networks: &[&str], host: &str, port: u16) {
    static PROBES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    for _ in 0..5 {
        let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if fetch_from(lab, &format!("ready-{n}"), networks, host, port).await == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    panic!("{host}:{port} never answered");
}

#[tokio::test]
async fn a_container_on_the_same_network_reaches_the_target_by_its_alias_and_the_address_answers() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let postgres = lab.tag_image("postgres").await;
    let db = lab
        .container(
            ContainerSpec::new("db")
                .image(&postgres)
                .cmd(serve(5432))
                .network(&net, &["db-alias"]),
        )
        .await;
    let client = lab
        .container(ContainerSpec::new("client").network(&net, &[]))
        .await;

    let t = topology(&lab).await;
    let c = from(&t, &client, &db, None);
    assert_eq!(url(&c), "postgres://USER:PASSWORD@db-alias:5432/DB");
    let a = c.address.as_ref().expect("address");
    assert_eq!(a.via, Via::Network(net.clone()));
    assert!(a.stable);
    assert_eq!(
        a.env_line,
        "DATABASE_URL=postgres://USER:PASSWORD@db-alias:5432/DB"
    );

    until_serving(&lab, &[&net], &a.host, 5432).await;
    assert_eq!(fetch_from(&lab, "probe", &[&net], &a.host, 5432).await, 0);
}

#[tokio::test]
async fn a_coolify_like_stack_is_reached_by_service_name_inside_and_by_service_uuid_outside() {
    let lab = TestLab::start().await;
    // A Coolify resource uuid: 24 lowercase alphanumerics.
    let uuid = format!("{}qg8s4kc0w4wsgk", lab.run_id());
    let stack = lab.network(&uuid).await;
    let dest = lab.network("coolify").await;
    let postgres = lab.tag_image("postgres").await;
    let service = |spec: ContainerSpec, svc: &str| {
        spec.label("coolify.managed", "true")
            .label("coolify.type", "service")
            .label("coolify.serviceName", svc)
            .label("com.docker.compose.project", &uuid)
            .label("com.docker.compose.service", svc)
    };
    // "Connect To Predefined Network" put the database on the destination network too.
    let db = lab
        .container(service(
            ContainerSpec::new(&format!("postgresql-{uuid}"))
                .image(&postgres)
                .cmd(serve(5432))
                .network(&stack, &["postgresql"])
                .network(&dest, &[]),
            "postgresql",
        ))
        .await;
    let app = lab
        .container(service(
            ContainerSpec::new(&format!("app-{uuid}")).network(&stack, &["app"]),
            "app",
        ))
        .await;
    let outsider = lab
        .container(ContainerSpec::new("outsider").network(&dest, &[]))
        .await;

    let t = topology(&lab).await;
    let inside = from(&t, &app, &db, None);
    assert_eq!(url(&inside), "postgres://USER:PASSWORD@postgresql:5432/DB");
    assert_eq!(
        inside.address.as_ref().map(|a| a.via.clone()),
        Some(Via::Network(stack.clone()))
    );
    let outside = from(&t, &outsider, &db, None);
    assert_eq!(
        url(&outside),
        format!("postgres://USER:PASSWORD@{db}:5432/DB")
    );
    assert!(
        outside.reasons[0].contains("{service}-{uuid}"),
        "{:?}",
        outside.reasons
    );

    until_serving(&lab, &[&stack], "postgresql", 5432).await;
    assert_eq!(
        fetch_from(&lab, "probe-in", &[&stack], "postgresql", 5432).await,
        0
    );
    assert_eq!(fetch_from(&lab, "probe-out", &[&dest], &db, 5432).await, 0);
}

#[tokio::test]
async fn a_per_deploy_app_name_is_flagged_and_its_network_alias_is_preferred() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let client = lab
        .container(ContainerSpec::new("client").network(&net, &[]))
        .await;
    let bare = lab
        .container(
            ContainerSpec::new("jk8c0wc4ok80s0gkcgwgo4s8-142311873944")
                .cmd(serve(3000))
                .network(&net, &[]),
        )
        .await;
    let aliased = lab
        .container(
            ContainerSpec::new("ab8c0wc4ok80s0gkcgwgo4s8-142311873944")
                .cmd(serve(3000))
                .network(&net, &["my-express-api"]),
        )
        .await;

    let t = topology(&lab).await;
    let flagged = from(&t, &client, &bare, Some(3000));
    assert_eq!(url(&flagged), format!("http://{bare}:3000"));
    assert!(flagged
        .notes
        .iter()
        .any(|n| n.code == NoteCode::NameChangesEachDeploy));
    let stable = from(&t, &client, &aliased, Some(3000));
    assert_eq!(url(&stable), "http://my-express-api:3000");
    assert!(stable
        .notes
        .iter()
        .all(|n| n.code != NoteCode::NameChangesEachDeploy));
}

#[tokio::test]
async fn containers_without_a_shared_network_get_the_fix_and_the_fix_works() {
    let lab = TestLab::start().await;
    let a = lab.network("a").await;
    let b = lab.network("b").await;
    let client = lab
        .container(ContainerSpec::new("client").network(&a, &[]))
        .await;
    let target = lab
        .container(
            ContainerSpec::new("target")
                .cmd(serve(3000))
                .network(&b, &[]),
        )
        .await;

    let t = topology(&lab).await;
    let c = from(&t, &client, &target, Some(3000));
    assert_eq!(c.address, None);
    let blocking = c
        .notes
        .iter()
        .find(|n| n.code == NoteCode::NoSharedNetwork)
        .expect("no shared network");
    let command = format!("docker network connect {b} {client}");
    let step = blocking
        .fix
        .iter()
        .find(|s| s.command.as_deref() == Some(command.as_str()))
        .expect("the exact connect command");
    assert!(step.text.contains(&format!("Then use `{target}:3000`")));

    // Apply the fix as a user would, then the builder finds the address and it answers.
    let done = std::process::Command::new("docker")
        .args(["network", "connect", &b, &client])
        .status()
        .expect("docker network connect");
    assert!(done.success());
    let t = topology(&lab).await;
    let c = from(&t, &client, &target, Some(3000));
    assert_eq!(url(&c), format!("http://{target}:3000"));
    until_serving(&lab, &[&a, &b], &target, 3000).await;
    assert_eq!(fetch_from(&lab, "probe", &[&a, &b], &target, 3000).await, 0);
}

#[tokio::test]
async fn on_the_default_bridge_no_name_is_offered_and_the_ip_alternative_answers() {
    let lab = TestLab::start().await;
    let client = lab.container(ContainerSpec::new("client")).await;
    let target = lab
        .container(ContainerSpec::new("target").cmd(serve(3000)))
        .await;

    let t = topology(&lab).await;
    let c = from(&t, &client, &target, Some(3000));
    assert_eq!(c.address, None);
    assert!(c
        .notes
        .iter()
        .any(|n| n.code == NoteCode::DefaultBridgeOnly));
    let ip = c
        .alternatives
        .iter()
        .find(|a| a.address.via == Via::ContainerIp("bridge".into()))
        .expect("the IP on the bridge");
    assert!(!ip.address.stable);

    let host = ip.address.host.clone();
    until_serving(&lab, &["bridge"], &host, 3000).await;
    assert_eq!(fetch_from(&lab, "probe", &["bridge"], &host, 3000).await, 0);
}

#[tokio::test]
async fn the_published_port_is_for_the_host_and_the_internal_port_for_containers() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let target = lab
        .container(
            ContainerSpec::new("web")
                .cmd(serve(8080))
                .network(&net, &[])
                .publish(8080, "127.0.0.1"),
        )
        .await;
    let client = lab
        .container(ContainerSpec::new("client").network(&net, &[]))
        .await;

    let t = topology(&lab).await;
    let host_port = t
        .container(&target)
        .and_then(|c| c.published.first())
        .and_then(|p| p.host.as_ref())
        .map(|h| h.port)
        .expect("published on a host port");

    // A user who copies the host port gets the internal one between containers.
    let c = from(&t, &client, &target, Some(host_port));
    assert_eq!(c.port, Some(8080));
    assert_eq!(url(&c), format!("http://{target}:8080"));
    assert!(c
        .notes
        .iter()
        .any(|n| n.code == NoteCode::HostPortCorrected));

    let h = build(&t, &Source::Host, &name(&target), None).expect("builds");
    assert_eq!(url(&h), format!("http://127.0.0.1:{host_port}"));
    assert!(matches!(
        h.address.as_ref().map(|a| &a.via),
        Some(Via::Published {
            loopback_only: true,
            ..
        })
    ));
    assert!(h.notes.iter().any(|n| n.code == NoteCode::LoopbackOnly));

    until_serving(&lab, &[&net], &target, 8080).await;
    assert_eq!(fetch_from(&lab, "probe", &[&net], &target, 8080).await, 0);
    // From the host, over loopback, the built address answers too.
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", host_port)).expect("host port accepts");
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .expect("request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    assert!(
        answer.starts_with("HTTP/1.") && answer.contains(" 200 "),
        "{answer}"
    );
}

#[tokio::test]
async fn the_port_list_shows_what_the_target_really_listens_on_and_flags_a_declared_port_nothing_listens_on(
) {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    // Declares 9000 (EXPOSE) but serves on 8081, which nothing declares.
    let target = lab
        .container(
            ContainerSpec::new("target")
                .cmd(serve(8081))
                .expose(9000)
                .network(&net, &[]),
        )
        .await;
    let t = topology(&lab).await;
    let declared = port_options(&t, t.container(&target).expect("target"));
    assert_eq!(
        declared.iter().map(|o| o.port).collect::<Vec<_>>(),
        [9000],
        "without the live read only the declared port is offered"
    );

    let engine = lab.engine();
    let mut merged = Vec::new();
    // httpd may take a moment to bind.
    for _ in 0..20 {
        let Listening::Read(sockets) = engine
            .listening_ports(&name(&target))
            .await
            .expect("the probe runs")
        else {
            panic!("the listeners were not read")
        };
        merged = merge_listening(&declared, &sockets);
        if merged.iter().any(|o| o.port == 8081) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let seen: Vec<(u16, Listen, bool, bool)> = merged
        .iter()
        .map(|o| (o.port, o.listen, o.declared(), o.flagged()))
        .collect();
    assert_eq!(
        seen,
        [
            (8081, Listen::Listening, false, false),
            (9000, Listen::NotListening, true, true)
        ]
    );
    let summary = listening_summary(&merged);
    assert!(summary.contains("but listening: 8081"), "{summary}");
    assert!(
        summary.contains("Declared but nothing listens: 9000"),
        "{summary}"
    );
    assert!(
        engine
            .recent_runs()
            .iter()
            .any(|r| r.container == target && r.argv == ["netstat", "-ltn"]),
        "the read is an allow-listed probe, recorded like every run"
    );

    // Read-only mode runs nothing and says so.
    let read_only = lab.engine().with_probe_settings(ProbeSettings {
        read_only: true,
        ..engine.probe_settings()
    });
    let refused = read_only
        .listening_ports(&name(&target))
        .await
        .expect("answers");
    assert!(
        matches!(&refused, Listening::NotRead(why) if why.contains("read-only")),
        "{refused:?}"
    );
}
