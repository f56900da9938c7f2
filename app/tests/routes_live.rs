//! The proxy's real routing table against the live engine, with a real Caddy (Debian's caddy
//! 2.6.2 binary in a `FROM scratch` test image; no registry): configured by a Caddyfile and by
//! labels-equivalent JSON, read through its admin API inside its network namespace, and the
//! domain wizard's verdicts on it (a routed app, a route to a stopped app, an unknown domain).
//! Then the bad cases: a proxy answering garbage, a config over the cap, an admin API that never
//! answers, a proxy without any tool (debug container), and read-only mode (no exec at all).
//!
//! Traffic goes only to the containers and networks these tests create.
#![cfg(feature = "testkit")]
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::checks::outcome::Via;
use app::domain::checks::report::{CheckReport, DiagnosisCode};
use app::domain::checks::ProxyRequest;
use app::domain::graph::TopologyReport;
use app::domain::names::ContainerName;
use app::domain::proxy::loaded::{LoadedVia, RouteSource};
use app::domain::proxy::{PortSource, ProxyKind, Route, RouteProvider};
use app::domain::topology::Topology;
use app::engine::exec::ProbeSettings;
use app::engine::testkit::{CaddyConfig, ContainerSpec, TestLab};
use app::engine::Engine;
use std::time::{Duration, Instant};

fn name(n: &str) -> ContainerName {
    ContainerName::parse(n).expect("container name")
}

/// The topology as this proxy sees it, its routes read now (another test's proxy may be on the
/// engine, so the proxy is always named).
async fn through(engine: &Engine, proxy: &str) -> Topology {
    engine
        .topology_for_proxy(Some(&name(proxy)), true)
        .await
        .expect("topology")
}

fn route_for<'a>(t: &'a Topology, host: &str) -> &'a Route {
    t.routes
        .iter()
        .find(|r| r.serves(host))
        .unwrap_or_else(|| panic!("no route for {host}: {:#?} ({:?})", t.routes, t.route_table))
}

async fn wizard(engine: &Engine, domain: &str, proxy: &str) -> CheckReport {
    let request = ProxyRequest::parse(domain, Some(proxy)).expect("input");
    engine.run_check(&request).await.expect("check runs")
}

/// An HTTP server on port 3000 of `network`.
async fn web(lab: &TestLab, suffix: &str, network: &str) -> String {
    lab.container(
        ContainerSpec::new(suffix)
            .cmd(["httpd", "-f", "-p", "3000", "-h", "/"])
            .network(network, &[]),
    )
    .await
}

#[tokio::test]
async fn a_real_caddy_configured_by_a_caddyfile_or_json_gives_its_routes_and_the_wizard_its_verdicts(
) {
    let lab = TestLab::start().await;
    let engine = lab.probing_engine();
    let dest = lab.network("dest").await;
    let app = web(&lab, "app", &dest).await;
    let app2 = web(&lab, "app2", &dest).await;
    let stopped = web(&lab, "stopped", &dest).await;
    let run = lab.run_id().to_owned();
    let (app_domain, secure_domain, stopped_domain) = (
        format!("app.{run}.example.test"),
        format!("secure.{run}.example.test"),
        format!("stopped.{run}.example.test"),
    );
    let caddyfile = format!(
        "{{\n\tlocal_certs\n\tskip_install_trust\n}}\n\
         http://{app_domain} {{\n\treverse_proxy {app}:3000\n}}\n\
         http://{stopped_domain} {{\n\treverse_proxy {stopped}:3000\n}}\n\
         https://{secure_domain} {{\n\thandle_path /api/* {{\n\t\treverse_proxy {app}:3000 {app2}:3000\n\t}}\n}}\n"
    );
    let caddy = lab
        .caddy_proxy("caddy", &dest, CaddyConfig::Caddyfile(caddyfile), false)
        .await;
    lab.stop(&stopped, 0).await;

    // The table, read from the admin API inside the proxy.
    let t = through(&engine, &caddy).await;
    assert_eq!(
        t.route_table.source,
        RouteSource::Loaded(LoadedVia::CaddyAdminApi),
        "{:?}",
        t.route_table
    );
    assert!(t.route_table.read_at_ms.is_some());
    assert_eq!(
        t.proxy.as_ref().unwrap().kind,
        ProxyKind::Caddy,
        "decided by what answered"
    );
    let routed = route_for(&t, &app_domain);
    assert_eq!(routed.containers, std::slice::from_ref(&app));
    assert_eq!(routed.upstreams, [format!("{app}:3000")]);
    assert_eq!(
        (routed.target_port, routed.port_source),
        (Some(3000), PortSource::Loaded)
    );
    assert_eq!(routed.network.as_deref(), Some(dest.as_str()));
    assert_eq!(routed.provider, RouteProvider::CaddyConfig);
    assert!(!routed.tls);
    let secure = route_for(&t, &secure_domain);
    assert!(secure.tls && secure.redirect_to_https);
    assert_eq!(secure.paths, ["/api/"]);
    assert_eq!(secure.containers, {
        let mut both = vec![app.clone(), app2.clone()];
        both.sort();
        both
    });
    assert_eq!(
        route_for(&t, &stopped_domain).containers,
        std::slice::from_ref(&stopped)
    );
    let read = engine
        .recent_runs()
        .into_iter()
        .find(|r| r.container == caddy && r.argv.iter().any(|a| a.contains(":2019/config/")))
        .expect("the read is a recorded, allow-listed probe");
    assert_eq!(read.via, Via::InContainer);
    assert_eq!(read.argv[0], "wget");

    // The graph shows the Caddyfile's domains.
    let report = TopologyReport::new(t.clone());
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains(&app_domain) && json.contains(&secure_domain));

    // The wizard's verdicts.
    let ok = wizard(&engine, &app_domain, &caddy).await;
    assert!(ok.diagnosis.healthy, "{ok:#?}");
    let down = wizard(&engine, &stopped_domain, &caddy).await;
    assert_eq!(
        down.diagnosis.code,
        DiagnosisCode::TargetStopped,
        "{down:#?}"
    );
    let unknown = wizard(&engine, &format!("nothing.{run}.example.test"), &caddy).await;
    assert_eq!(
        unknown.diagnosis.code,
        DiagnosisCode::NoRoute,
        "{unknown:#?}"
    );
    assert!(
        unknown.diagnosis.why.contains("Caddy's admin API"),
        "{}",
        unknown.diagnosis.why
    );

    // Labels-equivalent JSON, dialling the app's address as caddy-docker-proxy writes it.
    let ip = t
        .container(&app)
        .and_then(|c| c.attachment(&dest))
        .and_then(|a| a.ipv4.clone())
        .expect("app's address");
    let json_domain = format!("json.{run}.example.test");
    let config = format!(
        r#"{{"apps":{{"http":{{"servers":{{"srv0":{{"listen":[":80"],"routes":[{{"match":[{{"host":["{json_domain}"]}}],"handle":[{{"handler":"reverse_proxy","upstreams":[{{"dial":"{ip}:3000"}}]}}],"terminal":true}}]}}}}}}}}}}"#
    );
    let json_proxy = lab
        .caddy_proxy("caddy-json", &dest, CaddyConfig::Json(config), false)
        .await;
    let t = through(&engine, &json_proxy).await;
    let by_ip = route_for(&t, &json_domain);
    assert_eq!(by_ip.containers, std::slice::from_ref(&app));
    assert_eq!(by_ip.target_port, Some(3000));
    let ok = wizard(&engine, &json_domain, &json_proxy).await;
    assert!(ok.diagnosis.healthy, "{ok:#?}");
}

/// Waits until something in `container` listens on port 2019 (read with `netstat`: a
/// connection would hang on the hung fake).
async fn listening_on_2019(lab: &TestLab, container: &str) {
    listening_on(lab, container, 2019).await;
}

/// Waits until something in `container` listens on `port`.
async fn listening_on(lab: &TestLab, container: &str, port: u16) {
    use app::domain::checks::{Observation, Probe};
    let engine = lab.engine();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let record = engine
            .run_probe(&name(container), &Probe::Listeners)
            .await
            .expect("probe");
        if let Observation::Listeners { sockets } = &record.outcome.observation {
            if sockets.iter().any(|s| s.port == port) {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{container} never listened: {record:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn garbage_a_huge_config_a_hung_api_a_toolless_proxy_and_read_only_mode_are_each_handled() {
    let lab = TestLab::start().await;
    let dest = lab.network("dest").await;
    let looks_like_caddy = lab.tag_image("caddy").await;
    // A fake admin API: busybox httpd serving `body` at /config/ on port 2019.
    let fake = |suffix: &str, body: &str| {
        ContainerSpec::new(suffix)
            .image(&looks_like_caddy)
            .network(&dest, &[])
            .cmd([
                "sh".to_owned(),
                "-c".to_owned(),
                format!("mkdir -p /www/config && {body} > /www/config/index.html && exec httpd -f -p 2019 -h /www"),
            ])
    };
    let garbage = lab
        .container(fake(
            "garbage",
            "echo '<html><body>Welcome to nginx!</body></html>'",
        ))
        .await;
    let huge = lab
        .container(fake("huge", "head -c 5000000 /dev/zero | tr '\\0' a"))
        .await;
    let hung = lab
        .container(
            ContainerSpec::new("hung")
                .image(&looks_like_caddy)
                .network(&dest, &[])
                // Accepts every connection and never answers.
                .cmd(["nc", "-ll", "-p", "2019", "-e", "sleep", "3600"]),
        )
        .await;
    for fake in [&garbage, &huge, &hung] {
        listening_on_2019(&lab, fake).await;
    }
    let quick = lab.engine().with_probe_settings(ProbeSettings {
        step_timeout: Duration::from_secs(2),
        ..lab.probe_settings()
    });

    let t = through(&quick, &garbage).await;
    assert_eq!(t.route_table.source, RouteSource::Labels);
    let note = t.route_table.notes.join(" ");
    assert!(
        note.contains("not JSON") && note.contains("Welcome to nginx"),
        "{note}"
    );

    let t = through(&quick, &huge).await;
    let note = t.route_table.notes.join(" ");
    assert!(note.contains("more than 4 MiB"), "{note}");

    let started = Instant::now();
    let t = through(&quick, &hung).await;
    let note = t.route_table.notes.join(" ");
    assert!(note.contains("No answer within 2 s"), "{note}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "time-limited: {:?}",
        started.elapsed()
    );

    // A real Caddy without any tool: read from a debug container in its network namespace.
    let app = web(&lab, "app", &dest).await;
    let domain = format!("bare.{}.example.test", lab.run_id());
    let bare = lab
        .caddy_proxy(
            "caddy-bare",
            &dest,
            CaddyConfig::Caddyfile(format!(
                "http://{domain} {{\n\treverse_proxy {app}:3000\n}}\n"
            )),
            true,
        )
        .await;
    let engine = lab.probing_engine();
    let t = through(&engine, &bare).await;
    assert_eq!(
        t.route_table.source,
        RouteSource::Loaded(LoadedVia::CaddyAdminApi),
        "{:?}",
        t.route_table
    );
    assert_eq!(
        route_for(&t, &domain).containers,
        std::slice::from_ref(&app)
    );
    let read = engine
        .recent_runs()
        .into_iter()
        .find(|r| r.container == bare && r.argv.iter().any(|a| a.contains(":2019/config/")))
        .expect("recorded");
    assert!(
        matches!(read.via, Via::DebugContainer { .. }),
        "{:?}",
        read.via
    );

    // Read-only: nothing runs; the config Caddy saved is read from its file system instead.
    let read_only = lab.engine().with_probe_settings(ProbeSettings {
        read_only: true,
        ..ProbeSettings::default()
    });
    let execs = lab.exec_count(&bare).await;
    let t = through(&read_only, &bare).await;
    assert_eq!(
        t.route_table.source,
        RouteSource::Loaded(LoadedVia::CaddyAutosave),
        "{:?}",
        t.route_table
    );
    assert_eq!(route_for(&t, &domain).containers, [app]);
    assert!(t.route_table.notes.join(" ").contains("read-only"));
    assert_eq!(
        lab.exec_count(&bare).await,
        execs,
        "no exec in read-only mode"
    );
    assert!(read_only.recent_runs().is_empty());
}

/// No registry here carries a Traefik binary, so these stand-ins answer as Traefik does: one
/// serves `/api/rawdata` (Traefik's documented shape, with a label router it refused), the other
/// has no API and a file provider directory on its command line.
#[tokio::test]
async fn a_traefik_api_answer_and_traefiks_dynamic_files_are_read_and_a_refused_router_is_a_finding(
) {
    let lab = TestLab::start().await;
    let engine = lab.probing_engine();
    let dest = lab.network("dest").await;
    let traefik = lab.tag_image("traefik").await;
    let rawdata = include_str!("../src/domain/proxy/fixtures/traefik-rawdata-coolify.json");
    let api = lab
        .container(
            ContainerSpec::new("traefik-api")
                .image(&traefik)
                .network(&dest, &[])
                .env("RAWDATA", rawdata)
                .cmd([
                    "sh",
                    "-c",
                    "mkdir -p /www/api && printf '%s' \"$RAWDATA\" > /www/api/rawdata && exec httpd -f -p 8080 -h /www",
                ]),
        )
        .await;
    // The label router Traefik refused in the answer above, on a running container.
    let broken = lab
        .container(
            ContainerSpec::new("broken")
                .cmd(["httpd", "-f", "-p", "8080", "-h", "/"])
                .network(&dest, &[])
                .label("traefik.enable", "true")
                .label(
                    "traefik.http.routers.https-0-brokenrule.rule",
                    "Host(`broken.example.com`) && PathPrefix(`/`",
                )
                .label(
                    "traefik.http.services.https-0-brokenrule.loadbalancer.server.port",
                    "8080",
                ),
        )
        .await;
    listening_on(&lab, &api, 8080).await;
    let t = through(&engine, &api).await;
    assert_eq!(
        t.route_table.source,
        RouteSource::Loaded(LoadedVia::TraefikApi),
        "{:?}",
        t.route_table
    );
    assert!(t
        .routes
        .iter()
        .any(|r| r.id == "coolify-https@file" && r.provider == RouteProvider::File));
    let findings = TopologyReport::new(t).findings;
    // The engine is shared: other containers' routes may be judged too; this one is ours.
    let ours = app::domain::findings::Subject::Container(broken);
    let refused = findings
        .iter()
        .find(|f| {
            f.code == app::domain::findings::FindingCode::RouteNotLoaded
                && f.subjects.contains(&ours)
        })
        .expect("the refused router is a finding");
    assert!(
        refused.title.contains("refused route `https-0-brokenrule`"),
        "{}",
        refused.title
    );
    assert!(
        refused.why.contains("error while parsing rule"),
        "{}",
        refused.why
    );

    // Without an API: the file provider's directory, read from the container with no exec.
    let dynamic = include_str!("../src/domain/proxy/fixtures/traefik-dynamic-coolify.yaml");
    let files = lab
        .container(
            ContainerSpec::new("traefik-files")
                .image(&traefik)
                .network(&dest, &[])
                .env("DYN", dynamic)
                .cmd([
                    "sh",
                    "-c",
                    "mkdir -p /traefik/dynamic && printf '%s' \"$DYN\" > /traefik/dynamic/coolify.yaml && exec httpd -f -p 80 -h /",
                    "traefik",
                    "--providers.file.directory=/traefik/dynamic/",
                ]),
        )
        .await;
    listening_on(&lab, &files, 80).await;
    let t = through(&engine, &files).await;
    assert_eq!(
        t.route_table.source,
        RouteSource::Loaded(LoadedVia::TraefikFiles),
        "{:?}",
        t.route_table
    );
    let coolify = t
        .routes
        .iter()
        .find(|r| r.id == "coolify-https@file")
        .expect("Coolify's dashboard route from its dynamic file");
    assert_eq!(coolify.upstreams, ["http://coolify:8080"]);
    assert!(
        t.route_table.notes.join(" ").contains("8080/api/rawdata"),
        "says why the API was not used: {:?}",
        t.route_table.notes
    );
}

/// Opening a page must never run a command: the page's topology reads the proxy's files and an
/// earlier read only; the API (a request inside the proxy) is asked when the user runs the
/// domain check or presses Re-read routes.
#[tokio::test]
async fn opening_a_page_runs_nothing_in_the_proxy_and_an_explicit_read_asks_its_api() {
    let lab = TestLab::start().await;
    let engine = lab.probing_engine();
    let dest = lab.network("dest").await;
    let app = web(&lab, "app", &dest).await;
    let domain = format!("app.{}.example.test", lab.run_id());
    let caddy = lab
        .caddy_proxy(
            "caddy",
            &dest,
            CaddyConfig::Caddyfile(format!(
                "http://{domain} {{\n\treverse_proxy {app}:3000\n}}\n"
            )),
            false,
        )
        .await;
    listening_on_2019(&lab, &caddy).await;

    for _ in 0..3 {
        let page = TopologyReport::new(engine.topology().await.expect("topology"));
        assert!(!page.topology.containers.is_empty());
    }
    assert!(
        engine.recent_runs().is_empty(),
        "nothing ran for the pages: {:#?}",
        engine.recent_runs()
    );

    let t = through(&engine, &caddy).await;
    assert_eq!(
        t.route_table.source,
        RouteSource::Loaded(LoadedVia::CaddyAdminApi),
        "{:?}",
        t.route_table
    );
    assert!(
        engine
            .recent_runs()
            .iter()
            .any(|r| r.container == caddy && r.argv.iter().any(|a| a.contains(":2019/config/"))),
        "the explicit read is a recorded probe"
    );
}
