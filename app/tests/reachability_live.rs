//! The reachability model against the live engine: for every (source, address, port) pair of
//! one small Coolify-like destination, `reachability::between` on the live topology predicts
//! what a TCP connect from inside the source observes. One table, one assertion at the end.
//!
//! Traffic goes only to loopback and to the containers and networks this test creates.
#![cfg(feature = "testkit")]
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::checks::{Host, Observation, Port, Probe, StepStatus};
use app::domain::names::ContainerName;
use app::domain::reachability::{between, Address, CauseCode, Source, Verdict};
use app::domain::topology::Topology;
use app::engine::testkit::{ContainerSpec, TestLab};
use app::engine::Engine;
use futures_util::StreamExt;
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

/// Probes in flight at once: the engine runs at most four.
const PROBES_AT_ONCE: usize = 4;

/// Two host ports nobody holds right now (held together so they differ).
fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("0.0.0.0:0").expect("bind a free port");
    let b = TcpListener::bind("0.0.0.0:0").expect("bind a free port");
    (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    )
}

fn name(n: &str) -> ContainerName {
    ContainerName::parse(n).expect("container name")
}

/// Waits until something accepts on the host's loopback `port` (docker-proxy, a host-network
/// server).
async fn wait_for_loopback(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect_timeout(
        &format!("127.0.0.1:{port}").parse().unwrap(),
        Duration::from_millis(200),
    )
    .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "nothing listens on 127.0.0.1:{port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the server inside `container` accepts on its own loopback `port`.
async fn wait_for_server(engine: &Engine, container: &str, port: u16) {
    let probe = Probe::TcpConnect {
        host: Host::parse("127.0.0.1").unwrap(),
        port: Port::parse(&port.to_string()).unwrap(),
    };
    for _ in 0..20 {
        let record = engine
            .run_probe(&name(container), &probe)
            .await
            .expect("probe runs");
        if record.status() == StepStatus::Ok {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{container} never listened on its port {port}");
}

/// One pair and what the model and the probe said about it.
struct Row {
    source: String,
    address: String,
    /// What the address is, for the reader: `name of web`, `IP of web on app`, `gateway of app`.
    what: String,
    port: u16,
    predicted: bool,
    cause: Option<CauseCode>,
    /// The model answered Unknown somewhere: not compared (none should be).
    undecided: bool,
    observed: bool,
    seen: String,
}

/// A target address to try from every source.
struct Target {
    address: String,
    what: String,
    port: u16,
}

fn ipv4_of(t: &Topology, container: &str, network: &str) -> String {
    t.container(container)
        .and_then(|c| c.attachment(network))
        .and_then(|a| a.ipv4.clone())
        .unwrap_or_else(|| panic!("{container} has an IPv4 address on {network}"))
}

/// The network's IPv4 gateway as the topology lists it (IPAM), else as the engine reports it on
/// `member`'s endpoint: Docker 20.10 lists no gateway in the default bridge's IPAM config.
fn gateway_of(t: &Topology, network: &str, member: &str) -> String {
    if let Some(gw) = t
        .network(network)
        .and_then(|n| n.subnets.iter().find(|s| s.gateway.contains('.')))
    {
        return gw.gateway.clone();
    }
    let format = format!("{{{{(index .NetworkSettings.Networks \"{network}\").Gateway}}}}");
    let out = Command::new("docker")
        .args(["inspect", "-f", &format, member])
        .output()
        .expect("docker inspect runs");
    let gw = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(gw.contains('.'), "{network} has an IPv4 gateway: {out:?}");
    eprintln!("the topology lists no gateway for {network}; the engine reports {gw} on {member}");
    gw
}

// What this table taught the model (Docker 20.10.24; 24 of 286 pairs disagreed before):
// - From a container only on `--internal` networks, a gateway on a port another container
//   publishes is dropped: the Engine DNATs it to the publisher and the internal network's
//   `! -d SUBNET -i BRIDGE -j DROP` rule drops it. A port the host itself listens on answers.
// - Docker 20.10 lists no gateway for the default bridge in its IPAM config; the topology takes
//   it from the containers' endpoints, so 172.17.0.1 is known as the host.
#[tokio::test]
async fn for_every_pair_of_a_coolify_like_destination_the_model_predicts_what_the_probe_observes() {
    let started = Instant::now();
    let lab = TestLab::start().await;
    let engine = lab.probing_engine();
    let short = |n: &str| n.replace(&lab.name(""), "");
    let (published, host_port) = free_ports();

    // A user-defined network: a web server with an alias and a client beside it.
    let app_net = lab.network("app").await;
    let web = lab
        .container(
            ContainerSpec::new("web")
                .cmd(["httpd", "-f", "-p", "80"])
                .network(&app_net, &["web-alias"]),
        )
        .await;
    let client = lab
        .container(ContainerSpec::new("client").network(&app_net, &[]))
        .await;

    // A compose-like stack on its own network; Compose sets each service name as an alias.
    let stack_net = lab.network("shop_default").await;
    let project = lab.name("shop");
    let shop_api = lab
        .container(
            ContainerSpec::new("shop-api-1")
                .cmd(["httpd", "-f", "-p", "3000"])
                .network(&stack_net, &["api"])
                .label("com.docker.compose.project", &project)
                .label("com.docker.compose.service", "api"),
        )
        .await;
    let shop_worker = lab
        .container(
            ContainerSpec::new("shop-worker-1")
                .network(&stack_net, &["worker"])
                .label("com.docker.compose.project", &project)
                .label("com.docker.compose.service", "worker"),
        )
        .await;

    // A proxy-like container on both, as Coolify's proxy joins the networks it routes to.
    let proxy = lab
        .container(
            ContainerSpec::new("proxy")
                .cmd(["httpd", "-f", "-p", "80"])
                .network(&app_net, &[])
                .network(&stack_net, &[]),
        )
        .await;

    // An internal network with two peers.
    let internal_net = lab.network_with("internal", true).await;
    let int_db = lab
        .container(
            ContainerSpec::new("int-db")
                .cmd(["httpd", "-f", "-p", "5432"])
                .network(&internal_net, &[]),
        )
        .await;
    let int_client = lab
        .container(ContainerSpec::new("int-client").network(&internal_net, &[]))
        .await;

    // Two on the default bridge; the server publishes the host port the gateways are tried on.
    let bridge_web = lab
        .container(
            ContainerSpec::new("bridge-web")
                .cmd(["httpd", "-f", "-p", "80"])
                .network_mode("bridge")
                .publish_on(80, "0.0.0.0", published),
        )
        .await;
    let bridge_client = lab.container(ContainerSpec::new("bridge-client")).await;

    // On no network at all (it serves, so it is a target too).
    let none_srv = lab
        .container(
            ContainerSpec::new("none-srv")
                .cmd(["httpd", "-f", "-p", "80"])
                .network_mode("none"),
        )
        .await;

    // On the host's network: reachable only through the host, on the port it listens on.
    let host_srv = lab
        .container(
            ContainerSpec::new("host-srv")
                .cmd(["httpd", "-f", "-p", &host_port.to_string()])
                .network_mode("host"),
        )
        .await;

    // Exited: started, then stopped.
    let gone = lab
        .container(
            ContainerSpec::new("gone")
                .cmd(["httpd", "-f", "-p", "80"])
                .network(&app_net, &["old-web"]),
        )
        .await;
    lab.stop(&gone, 0).await;

    // Left `Created`: its host port is already held by bridge-web.
    let conflict = lab
        .container(
            ContainerSpec::new("conflict")
                .cmd(["httpd", "-f", "-p", "80"])
                .network(&app_net, &[])
                .publish_on(80, "0.0.0.0", published)
                .created_only(),
        )
        .await;
    let refusal = lab
        .try_start(&conflict)
        .await
        .expect_err("the engine refuses a second binding of one host port");
    eprintln!("conflict refused as expected: {refusal}");

    wait_for_loopback(published).await;
    wait_for_loopback(host_port).await;
    for (server, port) in [
        (&web, 80),
        (&shop_api, 3000),
        (&proxy, 80),
        (&int_db, 5432),
        (&bridge_web, 80),
        (&none_srv, 80),
    ] {
        wait_for_server(&engine, server, port).await;
    }

    let t = engine.topology().await.expect("topology");
    for (c, state) in [(&gone, "exited"), (&conflict, "created")] {
        let c = t.container(c).expect("listed");
        assert_eq!(c.state.as_str(), state, "{c:#?}");
    }

    let mut targets: Vec<Target> = Vec::new();
    let mut add = |address: String, what: String, port: u16| {
        targets.push(Target {
            address,
            what,
            port,
        })
    };
    for (server, port, names, networks) in [
        (&web, 80, vec!["web-alias"], vec![&app_net]),
        (&shop_api, 3000, vec!["api"], vec![&stack_net]),
        (&proxy, 80, vec![], vec![&app_net, &stack_net]),
        (&int_db, 5432, vec![], vec![&internal_net]),
        (&bridge_web, 80, vec![], vec![&"bridge".to_owned()]),
        (&gone, 80, vec!["old-web"], vec![]),
        (&conflict, 80, vec![], vec![]),
        (&none_srv, 80, vec![], vec![]),
        (&host_srv, host_port, vec![], vec![]),
    ] {
        let s = short(server);
        add(server.clone(), format!("name of {s}"), port);
        for alias in names {
            add(alias.to_owned(), format!("alias of {s}"), port);
        }
        for net in networks {
            let ip = ipv4_of(&t, server, net);
            add(ip, format!("IP of {s} on {}", short(net)), port);
        }
    }
    for (net, member) in [
        (&app_net, &web),
        (&stack_net, &shop_api),
        (&internal_net, &int_db),
        (&"bridge".to_owned(), &bridge_web),
    ] {
        let gw = gateway_of(&t, net, member);
        add(
            gw.clone(),
            format!("gateway of {} (bridge-web's host port)", short(net)),
            published,
        );
        add(
            gw,
            format!("gateway of {} (host-srv's port)", short(net)),
            host_port,
        );
    }

    let sources = [
        &web,
        &client,
        &shop_api,
        &shop_worker,
        &proxy,
        &int_db,
        &int_client,
        &bridge_web,
        &bridge_client,
        &none_srv,
        &host_srv,
    ];
    let mut pairs = Vec::new();
    for source in sources {
        for target in &targets {
            let address = Address::parse(&target.address).expect("address");
            let r = between(
                &t,
                &Source::Container(name(source)),
                &address,
                Some(target.port),
            );
            // Undecided pairs are still probed, so a failure says what the probe saw there,
            // but they are not compared.
            let undecided = [r.resolution, r.ip, r.icmp].contains(&Verdict::Unknown);
            let cause = r.cause.as_ref().map(|c| c.code);
            pairs.push((source, target, address, r.reaches(), cause, undecided));
        }
    }

    let setup = started.elapsed();
    let mut probed: Vec<(usize, Result<Row, String>)> = futures_util::stream::iter(pairs)
        .enumerate()
        .map(
            |(i, (source, target, address, predicted, cause, undecided))| {
                let engine = &engine;
                let short = &short;
                let row = async move {
                    let probe = Probe::TcpConnect {
                        host: address.host().expect("a name DNS can carry"),
                        port: Port::parse(&target.port.to_string()).unwrap(),
                    };
                    let pair = format!("{} -> {}:{}", short(source), target.address, target.port);
                    let record = engine
                        .run_probe(&name(source), &probe)
                        .await
                        .map_err(|e| format!("{pair}: the probe could not run: {e}"))?;
                    let observed = match (record.status(), &record.outcome.observation) {
                        (StepStatus::Ok, _) => true,
                        (
                            StepStatus::Failed,
                            Observation::ConnectionRefused
                            | Observation::ConnectTimedOut
                            | Observation::NameNotFound
                            | Observation::NoDnsAnswer
                            | Observation::NetworkUnreachable
                            | Observation::HostUnreachable,
                        ) => false,
                        (status, obs) => {
                            return Err(format!(
                                "{pair}: the probe gave no answer ({}, {obs:?}): {} — output: {:?}",
                                status.as_str(),
                                record.outcome.summary,
                                record.output
                            ))
                        }
                    };
                    Ok(Row {
                        source: short(source),
                        address: short(&target.address),
                        what: target.what.clone(),
                        port: target.port,
                        predicted,
                        cause,
                        undecided,
                        observed,
                        seen: format!(
                            "{:?} ({} ms)",
                            record.outcome.observation, record.duration_ms
                        ),
                    })
                };
                async move { (i, row.await) }
            },
        )
        .buffer_unordered(PROBES_AT_ONCE)
        .collect()
        .await;
    probed.sort_by_key(|(i, _)| *i);

    let mut rows = Vec::new();
    let mut not_run = Vec::new();
    for (_, result) in probed {
        match result {
            Ok(row) => rows.push(row),
            Err(why) => not_run.push(why),
        }
    }

    let line = |r: &Row| {
        format!(
            "{:<14} {:<16} {:>5}  {:<42} {:<8} {:<22} {:<8} {}",
            r.source,
            r.address,
            r.port,
            r.what,
            match (r.undecided, r.predicted) {
                (true, _) => "UNKNOWN",
                (false, true) => "reaches",
                (false, false) => "blocked",
            },
            r.cause.map_or("-".to_owned(), |c| c.slug()),
            if r.observed { "open" } else { "closed" },
            r.seen,
        )
    };
    let mut table = format!(
        "{:<14} {:<16} {:>5}  {:<42} {:<8} {:<22} {:<8} {}\n",
        "source", "address", "port", "what", "model", "cause", "probe", "observation"
    );
    for r in &rows {
        table.push_str(&line(r));
        table.push('\n');
    }
    let mismatches: Vec<String> = rows
        .iter()
        .filter(|r| !r.undecided && r.predicted != r.observed)
        .map(line)
        .collect();
    let unknown: Vec<String> = rows.iter().filter(|r| r.undecided).map(line).collect();
    eprintln!(
        "run {}: {} rows ({} open, {} closed), set up in {:.1?}, all in {:.1?}\n{table}",
        lab.run_id(),
        rows.len(),
        rows.iter().filter(|r| r.observed).count(),
        rows.iter().filter(|r| !r.observed).count(),
        setup,
        started.elapsed()
    );

    let mut failures = Vec::new();
    if !mismatches.is_empty() {
        failures.push(format!(
            "the model and the live probe disagree on {} of {} pairs:\n{}",
            mismatches.len(),
            rows.len(),
            mismatches.join("\n")
        ));
    }
    if !unknown.is_empty() {
        failures.push(format!(
            "the model left {} pairs undecided (Verdict::Unknown) on a host it should know whole:\n{}",
            unknown.len(),
            unknown.join("\n")
        ));
    }
    if !not_run.is_empty() {
        failures.push(format!(
            "{} probes could not answer:\n{}",
            not_run.len(),
            not_run.join("\n")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
