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
