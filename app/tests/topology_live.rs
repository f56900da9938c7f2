//! The topology built from the live engine for a small Coolify-like destination.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::findings::{findings, FindingCode, Subject};
use app::domain::proxy::ProxyKind;
use app::domain::topology::{NetworkKind, Topology};
use app::engine::testkit::{ContainerSpec, TestLab};

/// The topology has one proxy; tests that create one take turns (the guard outlives the lab).
static ONE_PROXY_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A destination network, a Traefik-like proxy on it and on a stack network, a routed app with
/// an alias, a stack service and a default-bridge container.
async fn destination(lab: &TestLab) -> (String, String, Topology) {
    let dest = lab.network("coolify").await;
    let stack = lab.network("stack").await;
    let traefik = lab.tag_image("traefik").await;
    let proxy = lab
        .container(
            ContainerSpec::new("proxy")
                .image(&traefik)
                .cmd(["httpd", "-f", "-p", "80"])
                .network(&dest, &[])
                .network(&stack, &[])
                .label("coolify.managed", "true")
                .label("coolify.proxy", "true"),
        )
        .await;
    let rule = format!("Host(`{}.example.test`)", lab.run_id());
    lab.container(
        ContainerSpec::new("api")
            .cmd(["httpd", "-f", "-p", "3001"])
            .network(&dest, &["api-alias"])
            .label("coolify.managed", "true")
            .label("coolify.type", "application")
            .label("traefik.enable", "true")
            .label("traefik.http.routers.https-0-api.rule", &rule)
            .label("traefik.http.routers.https-0-api.entryPoints", "https")
            .label("traefik.http.routers.https-0-api.tls", "true")
            .label(
                "traefik.http.services.https-0-api.loadbalancer.server.port",
                "3001",
            ),
    )
    .await;
    lab.container(ContainerSpec::new("svc").network(&stack, &["svc"]))
        .await;
    lab.container(ContainerSpec::new("plain")).await;
    let topology = lab.engine().topology().await.expect("topology");
    (dest, proxy, topology)
}

#[tokio::test]
async fn the_live_topology_has_the_networks_names_proxy_and_routes_the_engine_reports() {
    let _turn = ONE_PROXY_AT_A_TIME.lock().await;
    let lab = TestLab::start().await;
    let (dest, proxy, t) = destination(&lab).await;

    let net = t.network(&dest).expect("destination network");
    assert_eq!(net.kind, NetworkKind::UserDefined);
    let members: Vec<&str> = net.members.iter().map(|m| m.as_str()).collect();
    assert_eq!(members, [lab.name("api"), lab.name("proxy")]);
    assert!(!net.subnets.is_empty());

    let api = t.container(&lab.name("api")).expect("api");
    let on_dest = api.attachment(&dest).expect("attached");
    assert!(on_dest.ipv4.is_some());
    assert!(on_dest.dns_names.contains(&lab.name("api")));
    assert!(on_dest.dns_names.contains(&"api-alias".to_owned()));
    assert!(on_dest.dns_names.contains(&api.short_id().to_owned()));

    let plain = t.container(&lab.name("plain")).expect("plain");
    assert!(plain
        .attachment("bridge")
        .expect("default bridge")
        .dns_names
        .is_empty());

    // One proxy at a time: no other test's proxy competes (see ONE_PROXY_AT_A_TIME).
    if t.container("coolify-proxy").is_some() {
        eprintln!("skipped: a real coolify-proxy runs on this engine and is the proxy");
        return;
    }
    let p = t.proxy.as_ref().expect("the labelled proxy is found");
    assert_eq!(p.container.as_str(), proxy);
    assert_eq!(p.kind, ProxyKind::Traefik);
    let host = format!("{}.example.test", lab.run_id());
    let route = t
        .routes
        .iter()
        .find(|r| r.hosts.contains(&host))
        .expect("the app's route");
    assert_eq!(route.target_port, Some(3001));
    assert_eq!(route.containers, [lab.name("api")]);
    assert!(route.tls);
}

#[tokio::test]
async fn findings_on_the_live_engine_name_the_broken_containers() {
    let _turn = ONE_PROXY_AT_A_TIME.lock().await;
    let lab = TestLab::start().await;
    let dest = lab.network("dest").await;
    let other = lab.network("other").await;
    lab.traefik_proxy(&dest).await;
    // Routed, but on a network the proxy never joined: a 504 waiting to happen.
    let stranded = lab
        .container(
            ContainerSpec::new("stranded")
                .cmd(["httpd", "-f", "-p", "3000"])
                .network(&other, &[])
                .label("traefik.enable", "true")
                .label(
                    "traefik.http.routers.stranded.rule",
                    &format!("Host(`{}.example.test`)", lab.run_id()),
                )
                .label(
                    "traefik.http.services.stranded.loadbalancer.server.port",
                    "3000",
                ),
        )
        .await;
    // Two containers answering to one alias on the same network.
    let db_a = lab
        .container(ContainerSpec::new("db-a").network(&dest, &["db"]))
        .await;
    let db_b = lab
        .container(ContainerSpec::new("db-b").network(&dest, &["db"]))
        .await;
    let alone = lab
        .container(ContainerSpec::new("alone").network_mode("none"))
        .await;

    let t = lab.engine().topology().await.expect("topology");
    let found = findings(&t);
    let about = |code: FindingCode, name: &str| {
        found
            .iter()
            .any(|f| f.code == code && f.subjects.contains(&Subject::Container(name.to_owned())))
    };
    if t.container("coolify-proxy").is_none() {
        assert!(
            about(FindingCode::ProxyNoSharedNetwork, &stranded),
            "{found:#?}"
        );
    }
    assert!(
        about(FindingCode::DnsNameCollision, &db_a) && about(FindingCode::DnsNameCollision, &db_b),
        "{found:#?}"
    );
    assert!(about(FindingCode::NetworkNone, &alone), "{found:#?}");
    for f in &found {
        assert!(
            !f.title.is_empty() && !f.why.is_empty() && !f.fix.is_empty(),
            "{f:#?}"
        );
    }
}

/// A host port on 127.0.0.1 that nothing holds right now: bound by the OS, then let go.
fn free_loopback_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// Runs a fixed argv in one of the lab's containers with the docker CLI; its exit code.
fn exec_status(container: &str, argv: &[&str]) -> i32 {
    let out = std::process::Command::new("timeout")
        .args(["20", &app::engine::testkit::docker_cli(), "exec", container])
        .args(argv)
        .output()
        .expect("docker exec runs");
    out.status.code().unwrap_or(-1)
}

/// `docker network …` on the lab's own networks and containers; its stderr when it fails.
fn docker_network(args: &[&str]) -> Result<(), String> {
    let out = std::process::Command::new(app::engine::testkit::docker_cli())
        .arg("network")
        .args(args)
        .output()
        .expect("docker network runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test]
async fn a_container_left_created_by_a_taken_host_port_is_found_with_its_holder() {
    let lab = TestLab::start().await;
    let port = free_loopback_port();
    let holder = lab
        .container(
            ContainerSpec::new("holder")
                .cmd(["httpd", "-f", "-p", "80"])
                .publish_on(80, "127.0.0.1", port),
        )
        .await;
    let second = lab
        .container(
            ContainerSpec::new("second")
                .cmd(["httpd", "-f", "-p", "80"])
                .publish_on(80, "127.0.0.1", port)
                .created_only(),
        )
        .await;
    let refused = lab
        .try_start(&second)
        .await
        .expect_err("the engine refuses");
    assert!(refused.contains("port is already allocated"), "{refused}");

    let t = lab.engine().topology().await.expect("topology");
    let left = t.container(&second).expect("second");
    assert_eq!(left.state, app::domain::containers::ContainerState::Created);
    let found: Vec<_> = findings(&t)
        .into_iter()
        .filter(|f| f.code == FindingCode::HostPortConflict)
        .filter(|f| f.subjects.contains(&Subject::Container(second.clone())))
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(
        f.title,
        format!(
            "{second} cannot start: host port 127.0.0.1:{port}/tcp it asks for is held by {holder} (127.0.0.1)."
        )
    );
    assert!(f.subjects.contains(&Subject::Container(holder.clone())));
    assert!(f.subjects.contains(&Subject::HostPort(port)));
}

/// What the internal-network finding claims on this engine, checked: peers answer, the host's
/// address on the network (its gateway) answers, a container on another network does not.
/// Traffic goes only to this lab's containers and this lab's network's gateway.
#[tokio::test]
async fn on_this_engine_an_internal_network_reaches_peers_and_the_host_but_not_other_networks() {
    let lab = TestLab::start().await;
    let sealed = lab.network_with("sealed", true).await;
    let open = lab.network("open").await;
    let a = lab
        .container(ContainerSpec::new("a").network(&sealed, &[]))
        .await;
    let b = lab
        .container(ContainerSpec::new("b").network(&sealed, &[]))
        .await;
    let outside = lab
        .container(ContainerSpec::new("outside").network(&open, &[]))
        .await;

    let t = lab.engine().topology().await.expect("topology");
    let version = t.engine_version.clone().expect("engine version");
    let ip = |name: &str, net: &str| {
        t.container(name)
            .and_then(|c| c.attachment(net))
            .and_then(|at| at.ipv4.clone())
            .expect("an address")
    };
    let gateway = t.network(&sealed).expect("sealed").subnets[0]
        .gateway
        .clone();
    assert!(!gateway.is_empty());

    let ping = |to: &str| exec_status(&a, &["ping", "-c", "1", "-W", "2", to]);
    assert_eq!(
        ping(&ip(&b, &sealed)),
        0,
        "a peer on the internal network answers"
    );
    let outside_ip = ip(&outside, &open);
    assert_ne!(ping(&outside_ip), 0, "another network is not reachable");

    let f = findings(&t)
        .into_iter()
        .find(|f| {
            f.code == FindingCode::InternalNetwork
                && f.subjects.contains(&Subject::Container(a.clone()))
        })
        .expect("internal-network finding");
    assert!(f
        .title
        .contains("it reaches its peers there, but nothing outside the network"));
    let host_answers = ping(&gateway) == 0;
    if version.starts_with("20.10") {
        assert!(
            host_answers,
            "on 20.10 the host's address on the network answers"
        );
        assert!(
            f.why.contains(&format!(
                "default route via its gateway {gateway}, and the host's own addresses answer it"
            )),
            "{}",
            f.why
        );
    } else {
        // Other engines: the finding must not claim what this one did not show.
        assert!(host_answers || !f.why.contains("the host's own addresses answer it"));
    }
}

/// Engine 20.10 refuses to connect a `--network none` container; disconnected from `none`
/// first, it connects, keeps mode `none`, and the finding lists what the engine shows.
#[tokio::test]
async fn a_none_container_given_a_network_afterwards_is_reported_on_that_network() {
    let lab = TestLab::start().await;
    let net = lab.network("late").await;
    let alone = lab
        .container(ContainerSpec::new("alone").network_mode("none"))
        .await;
    let first = docker_network(&["connect", &net, &alone]);
    if let Err(refused) = &first {
        assert!(refused.contains("none"), "{refused}");
        docker_network(&["disconnect", "none", &alone]).expect("disconnect from none");
        docker_network(&["connect", &net, &alone]).expect("connect after leaving none");
    }

    let t = lab.engine().topology().await.expect("topology");
    let c = t.container(&alone).expect("alone");
    assert_eq!(c.network_mode, app::domain::topology::NetworkMode::Null);
    let addr = c
        .attachment(&net)
        .and_then(|at| at.ipv4.clone())
        .expect("an address on the late network");
    let f = findings(&t)
        .into_iter()
        .find(|f| {
            f.code == FindingCode::NetworkNone
                && f.subjects.contains(&Subject::Container(alone.clone()))
        })
        .expect("network-none finding");
    assert_eq!(
        f.title,
        format!("{alone} is set to network mode none, but the engine lists it on {net} ({addr}): containers there can reach it.")
    );
}
