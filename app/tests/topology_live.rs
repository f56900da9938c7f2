//! The topology built from the live engine for a small Coolify-like destination.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::proxy::ProxyKind;
use app::domain::topology::{NetworkKind, Topology};
use app::engine::testkit::{ContainerSpec, TestLab};

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

    // One proxy per engine: tests in this file share one lab so no other test's proxy competes.
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
