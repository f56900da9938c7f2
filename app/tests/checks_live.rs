//! The check runner against the live Docker Engine: each probe in real containers, the reach
//! check through its diagnoses (wrong port, bound to 127.0.0.1, stopped target, network none,
//! internal network, default bridge, a Coolify stack without the predefined network), the proxy
//! check (healthy, proxy not on the app's network and the fix applied, app on 127.0.0.1, wrong
//! route port, stopped app, no route), the debug container for an image without tools,
//! timeouts, read-only mode, and injection attempts refused before anything runs.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::checks::outcome::{Observation, StepStatus, Via};
use app::domain::checks::report::{CheckReport, DiagnosisCode, StepKind};
use app::domain::checks::{
    ExternalRequest, Host, Hostname, Port, Probe, ProbeUrl, ProxyRequest, ReachRequest, Tool,
};
use app::domain::names::ContainerName;
use app::engine::exec::{ProbeSettings, DEBUG_RUN_LABEL};
use app::engine::testkit::{ContainerSpec, TestLab};
use app::engine::Engine;
use std::process::Command;
use std::time::Duration;

fn name(n: &str) -> ContainerName {
    ContainerName::parse(n).expect("container name")
}

fn resolve(n: &str) -> Probe {
    Probe::Resolve {
        name: Hostname::parse(n).expect("host name"),
    }
}

fn connect(host: &str, port: u16) -> Probe {
    Probe::TcpConnect {
        host: Host::parse(host).expect("host"),
        port: Port::parse(&port.to_string()).expect("port"),
    }
}

/// How many execs the Engine has recorded for a container (`ExecIDs`), via the docker CLI.
/// Containers (any state) carrying a label, via the docker CLI.
fn containers_labelled(label: &str) -> usize {
    let out = Command::new("docker")
        .args(["ps", "-aq", "--filter", &format!("label={label}")])
        .output()
        .expect("docker ps runs");
    String::from_utf8_lossy(&out.stdout).lines().count()
}

/// An HTTP server on port 80 of a user-defined network, and a client beside it.
async fn web_and_client(lab: &TestLab) -> (String, String, String) {
    let net = lab.network("net").await;
    let web = lab
        .container(
            ContainerSpec::new("web")
                .cmd(["httpd", "-f", "-p", "80", "-h", "/"])
                .network(&net, &["web-alias"]),
        )
        .await;
    let client = lab
        .container(ContainerSpec::new("client").network(&net, &[]))
        .await;
    (net, web, client)
}

fn step(report: &CheckReport, kind: StepKind) -> &app::domain::checks::CheckStep {
    report
        .steps
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} step in {report:#?}"))
}

#[tokio::test]
async fn each_probe_runs_inside_a_container_that_has_the_tools_and_is_logged() {
    let lab = TestLab::start().await;
    let (_net, web, client) = web_and_client(&lab).await;
    let engine = lab.probing_engine();
    let mut runner = engine.probe_runner();
    let from = name(&client);

    let resolved = runner.run(&from, &resolve(&web)).await.expect("runs");
    assert_eq!(resolved.status(), StepStatus::Ok, "{resolved:#?}");
    assert_eq!(resolved.via, Via::InContainer);
    assert_eq!(resolved.tool, Some(Tool::Nslookup), "busybox has no getent");
    assert_eq!(resolved.argv, ["nslookup", web.as_str()]);
    let Observation::Resolved { addresses } = &resolved.outcome.observation else {
        panic!("{resolved:#?}")
    };
    assert_eq!(addresses.len(), 1);

    let alias = runner
        .run(&from, &resolve("web-alias"))
        .await
        .expect("runs");
    assert_eq!(alias.status(), StepStatus::Ok, "{alias:#?}");

    let open = runner.run(&from, &connect(&web, 80)).await.expect("runs");
    assert_eq!(open.status(), StepStatus::Ok, "{open:#?}");
    assert_eq!(open.argv, ["nc", "-w", "3", web.as_str(), "80"]);

    let url = ProbeUrl::parse(&format!("http://{web}/")).expect("url");
    let http = runner
        .run(&from, &Probe::HttpGet { url })
        .await
        .expect("runs");
    assert_eq!(http.tool, Some(Tool::Wget), "busybox has no curl");
    assert!(
        matches!(
            http.outcome.observation,
            Observation::HttpStatus { code: 200 | 404 }
        ),
        "{http:#?}"
    );

    let ping = runner
        .run(
            &from,
            &Probe::Ping {
                host: Host::parse(&web).expect("host"),
            },
        )
        .await
        .expect("runs");
    assert_eq!(ping.status(), StepStatus::Ok, "{ping:#?}");

    let conf = runner
        .run(&from, &Probe::ReadResolvConf)
        .await
        .expect("runs");
    let Observation::ResolvConf(rc) = &conf.outcome.observation else {
        panic!("{conf:#?}")
    };
    assert!(rc.uses_docker_dns(), "{rc:?}");

    let listening = runner
        .run(&name(&web), &Probe::Listeners)
        .await
        .expect("runs");
    let Observation::Listeners { sockets } = &listening.outcome.observation else {
        panic!("{listening:#?}")
    };
    assert!(
        sockets
            .iter()
            .any(|s| s.port == 80 && !s.is_loopback_only()),
        "{sockets:?}"
    );

    let log = engine.recent_runs();
    assert_eq!(
        log.first().map(|r| &r.id),
        Some(&listening.id),
        "newest first"
    );
    assert!(log.iter().any(|r| r.id == resolved.id));
    assert!(resolved.started_at_ms > 0 && resolved.container_id.is_some());
}

#[tokio::test]
async fn the_reach_check_passes_between_containers_on_one_network_with_http() {
    let lab = TestLab::start().await;
    let (_net, web, client) = web_and_client(&lab).await;
    let request = ReachRequest::parse(&client, &format!("{web}:80"), true).expect("input");

    let report = lab
        .probing_engine()
        .run_check(&request)
        .await
        .expect("check runs");

    assert!(report.diagnosis.healthy, "{report:#?}");
    assert_eq!(report.diagnosis.code, DiagnosisCode::Healthy);
    let kinds: Vec<StepKind> = report.steps.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::Topology,
            StepKind::Resolve,
            StepKind::Connect,
            StepKind::Http
        ]
    );
}

#[tokio::test]
async fn an_app_bound_to_127_0_0_1_is_found_by_reading_its_listeners() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let app = lab
        .container(
            ContainerSpec::new("local")
                .cmd(["httpd", "-f", "-p", "127.0.0.1:8080"])
                .network(&net, &[]),
        )
        .await;
    let client = lab
        .container(ContainerSpec::new("client").network(&net, &[]))
        .await;
    let request = ReachRequest::parse(&client, &format!("{app}:8080"), false).expect("input");

    let report = lab
        .probing_engine()
        .run_check(&request)
        .await
        .expect("check runs");

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::BoundToLoopback,
        "{report:#?}"
    );
    assert_eq!(
        step(&report, StepKind::Connect).outcome.observation,
        Observation::ConnectionRefused
    );
    assert_eq!(
        step(&report, StepKind::Listeners).on.as_deref(),
        Some(app.as_str())
    );
    assert!(report.diagnosis.fix[0].text.contains("0.0.0.0:8080"));
}

#[tokio::test]
async fn a_wrong_port_is_diagnosed_with_the_port_the_app_listens_on() {
    let lab = TestLab::start().await;
    let (_net, web, client) = web_and_client(&lab).await;
    let request = ReachRequest::parse(&client, &format!("{web}:81"), false).expect("input");

    let report = lab
        .probing_engine()
        .run_check(&request)
        .await
        .expect("check runs");

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::WrongPort,
        "{report:#?}"
    );
    assert_eq!(
        report.diagnosis.fix[0].text,
        format!("Connect to {web}:80 instead of {web}:81.")
    );
}

#[tokio::test]
async fn a_stopped_target_is_diagnosed_and_nothing_runs_inside_a_stopped_container() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let stopped = lab
        .container(
            ContainerSpec::new("stopped")
                .network(&net, &[])
                .created_only(),
        )
        .await;
    let client = lab
        .container(ContainerSpec::new("client").network(&net, &[]))
        .await;
    let engine = lab.probing_engine();

    let request = ReachRequest::parse(&client, &format!("{stopped}:80"), false).expect("input");
    let report = engine.run_check(&request).await.expect("check runs");
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::TargetStopped,
        "{report:#?}"
    );
    assert!(report.steps.iter().all(|s| s.run.is_none()));

    let record = engine
        .run_probe(&name(&stopped), &Probe::Listeners)
        .await
        .expect("answers");
    assert_eq!(record.status(), StepStatus::CouldNotRun);
    assert!(
        record.outcome.summary.contains("docker start"),
        "{record:#?}"
    );
    assert_eq!(lab.exec_count(&stopped).await, 0);
}

#[tokio::test]
async fn a_container_on_network_none_reaches_nothing() {
    let lab = TestLab::start().await;
    let (_net, web, _client) = web_and_client(&lab).await;
    let isolated = lab
        .container(ContainerSpec::new("isolated").network_mode("none"))
        .await;
    let engine = lab.probing_engine();

    let report = engine
        .run_check(&ReachRequest::parse(&isolated, &format!("{web}:80"), false).expect("input"))
        .await
        .expect("check runs");
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::NoNetwork,
        "{report:#?}"
    );

    let record = engine
        .run_probe(&name(&isolated), &resolve(&web))
        .await
        .expect("runs");
    assert_eq!(
        record.outcome.observation,
        Observation::NetworkUnreachable,
        "{record:#?}"
    );
}

#[tokio::test]
async fn containers_on_an_internal_network_reach_each_other_but_nothing_beyond() {
    let lab = TestLab::start().await;
    let (_net, web, _client) = web_and_client(&lab).await;
    let internal = lab.network_with("internal", true).await;
    let db = lab
        .container(
            ContainerSpec::new("db")
                .cmd(["httpd", "-f", "-p", "5432"])
                .network(&internal, &[]),
        )
        .await;
    let api = lab
        .container(ContainerSpec::new("api").network(&internal, &[]))
        .await;
    let engine = lab.probing_engine();

    let inside = engine
        .run_check(&ReachRequest::parse(&api, &format!("{db}:5432"), false).expect("input"))
        .await
        .expect("check runs");
    assert!(inside.diagnosis.healthy, "{inside:#?}");

    let across = engine
        .run_check(&ReachRequest::parse(&api, &format!("{web}:80"), false).expect("input"))
        .await
        .expect("check runs");
    assert_eq!(
        across.diagnosis.code,
        DiagnosisCode::NoSharedNetwork,
        "{across:#?}"
    );
    assert!(across.diagnosis.fix[0]
        .command
        .as_deref()
        .is_some_and(|c| c.starts_with("docker network connect")));
}

#[tokio::test]
async fn names_do_not_resolve_on_the_default_bridge_but_the_address_connects() {
    let lab = TestLab::start().await;
    let server = lab
        .container(ContainerSpec::new("server").cmd(["httpd", "-f", "-p", "80"]))
        .await;
    let client = lab.container(ContainerSpec::new("client")).await;

    let report = lab
        .probing_engine()
        .run_check(&ReachRequest::parse(&client, &format!("{server}:80"), false).expect("input"))
        .await
        .expect("check runs");

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::DefaultBridgeNoNames,
        "{report:#?}"
    );
    assert_eq!(
        step(&report, StepKind::Resolve).status(),
        StepStatus::Failed
    );
    assert_eq!(step(&report, StepKind::Connect).status(), StepStatus::Ok);
}

#[tokio::test]
async fn a_container_without_tools_is_probed_from_a_debug_container_that_is_then_removed() {
    let lab = TestLab::start().await;
    let (net, web, _client) = web_and_client(&lab).await;
    let bare_image = lab.toolless_image().await;
    let bare = lab
        .container(
            ContainerSpec::new("bare")
                .image(&bare_image)
                .cmd(["/idle/busybox", "sleep", "3600"])
                .network(&net, &[]),
        )
        .await;
    let engine = lab.probing_engine();
    let mut runner = engine.probe_runner();

    let resolved = runner
        .run(&name(&bare), &resolve(&web))
        .await
        .expect("runs");
    assert_eq!(resolved.status(), StepStatus::Ok, "{resolved:#?}");
    assert_eq!(
        resolved.via,
        Via::DebugContainer {
            image: lab.image().to_owned()
        }
    );
    assert_eq!(
        containers_labelled(&format!("{DEBUG_RUN_LABEL}={}", resolved.id)),
        0,
        "the debug container is gone"
    );

    // The debug container shares the target's network namespace: it sees the target's sockets.
    let listeners = runner
        .run(&name(&bare), &Probe::Listeners)
        .await
        .expect("runs");
    let Observation::Listeners { sockets } = &listeners.outcome.observation else {
        panic!("{listeners:#?}")
    };
    assert!(
        sockets.is_empty(),
        "nothing listens in the idle container: {sockets:?}"
    );
    let connected = runner
        .run(&name(&bare), &connect(&web, 80))
        .await
        .expect("runs");
    assert_eq!(connected.status(), StepStatus::Ok, "{connected:#?}");
    assert_eq!(
        containers_labelled(&format!("{DEBUG_RUN_LABEL}={}", connected.id)),
        0
    );
}

#[tokio::test]
async fn a_missing_toolbox_image_that_cannot_be_pulled_is_said_plainly() {
    let lab = TestLab::start().await;
    let (net, web, _client) = web_and_client(&lab).await;
    let bare_image = lab.toolless_image().await;
    let bare = lab
        .container(
            ContainerSpec::new("bare")
                .image(&bare_image)
                .cmd(["/idle/busybox", "sleep", "3600"])
                .network(&net, &[]),
        )
        .await;
    // A registry on a closed loopback port: the pull fails at once, and nothing leaves the host.
    let missing = format!("127.0.0.1:9/netdoctor-missing-{}:none", lab.run_id());
    let engine = lab.engine().with_probe_settings(ProbeSettings {
        toolbox_image: missing.clone(),
        pull_timeout: Duration::from_secs(30),
        ..ProbeSettings::default()
    });

    let record = engine
        .run_probe(&name(&bare), &resolve(&web))
        .await
        .expect("answers");

    assert_eq!(record.status(), StepStatus::CouldNotRun, "{record:#?}");
    let summary = &record.outcome.summary;
    assert!(
        summary.contains(&missing) && summary.contains("could not be pulled"),
        "{summary}"
    );
    assert!(summary.contains("docker pull"), "{summary}");
}

#[tokio::test]
async fn a_step_that_hangs_is_cut_at_the_timeout_and_says_so() {
    let lab = TestLab::start().await;
    let (_net, web, _client) = web_and_client(&lab).await;
    let internal = lab.network_with("internal", true).await;
    let api = lab
        .container(ContainerSpec::new("api").network(&internal, &[]))
        .await;
    let engine = lab.probing_engine();
    let web_ip = engine
        .container(&name(&web))
        .await
        .expect("web")
        .attachments[0]
        .ipv4
        .clone()
        .expect("web has an address");
    let engine = engine.with_probe_settings(ProbeSettings {
        step_timeout: Duration::from_secs(2),
        ..lab.probe_settings()
    });

    // busybox wget has no usable timeout of its own; from an internal network it waits forever.
    let url = ProbeUrl::parse(&format!("http://{web_ip}/")).expect("url");
    let record = engine
        .run_probe(&name(&api), &Probe::HttpGet { url })
        .await
        .expect("answers");

    assert!(
        matches!(
            record.outcome.observation,
            Observation::TimedOut { after_ms: 2000 }
        ),
        "{record:#?}"
    );
    assert!(record.outcome.summary.contains("within 2 s"), "{record:#?}");
    assert!(record.duration_ms < 6000, "{record:#?}");
}

#[tokio::test]
async fn read_only_mode_runs_nothing() {
    let lab = TestLab::start().await;
    let (_net, web, client) = web_and_client(&lab).await;
    let engine = lab.engine().with_probe_settings(ProbeSettings {
        read_only: true,
        ..ProbeSettings::default()
    });

    let record = engine
        .run_probe(&name(&client), &resolve(&web))
        .await
        .expect("answers");

    assert_eq!(record.status(), StepStatus::CouldNotRun);
    assert!(record.outcome.summary.contains("read-only"));
    assert_eq!(lab.exec_count(&client).await, 0);
}

#[tokio::test]
async fn injection_attempts_are_refused_before_anything_runs() {
    let lab = TestLab::start().await;
    let (_net, web, client) = web_and_client(&lab).await;
    let long = "a".repeat(400);
    let attempts = [
        format!("{web};id"),
        format!("{web}$(id)"),
        format!("{web}`id`"),
        format!("{web}|id"),
        format!("{web}&id"),
        format!("{web}\nid"),
        format!("'{web}'"),
        format!("{web} id"),
        format!("-{web}"),
        long,
    ];
    for bad in &attempts {
        assert!(
            ReachRequest::parse(&client, &format!("{bad}:80"), false).is_err(),
            "{bad:?}"
        );
        assert!(
            ReachRequest::parse(bad, &format!("{web}:80"), false).is_err(),
            "{bad:?}"
        );
        assert!(Hostname::parse(bad).is_err(), "{bad:?}");
        assert!(Host::parse(bad).is_err(), "{bad:?}");
        assert!(
            ProbeUrl::parse(&format!("http://{bad}/")).is_err(),
            "{bad:?}"
        );
    }
    for bad_port in ["80;id", "$(id)", "`id`", "80\n", "-1", "0", "65536"] {
        assert!(
            ReachRequest::parse(&client, &format!("{web}:{bad_port}"), false).is_err(),
            "{bad_port:?}"
        );
    }
    assert_eq!(
        lab.exec_count(&client).await,
        0,
        "no exec was created in the source"
    );
    assert_eq!(
        lab.exec_count(&web).await,
        0,
        "no exec was created in the target"
    );
    assert!(lab.probing_engine().recent_runs().is_empty());
}

/// The web container's address on its first network.
async fn address_of(engine: &Engine, container: &str) -> String {
    engine
        .container(&name(container))
        .await
        .expect("container")
        .attachments[0]
        .ipv4
        .clone()
        .expect("an address")
}

#[tokio::test]
async fn the_external_check_passes_when_name_address_and_url_answer() {
    let lab = TestLab::start().await;
    let (_net, web, client) = web_and_client(&lab).await;
    let engine = lab.probing_engine();
    let ip = address_of(&engine, &web).await;
    let url = format!("http://{web}/");
    let request =
        ExternalRequest::parse(&client, Some(&web), Some(&ip), Some(&url)).expect("input");

    let report = engine.run_check(&request).await.expect("check runs");

    assert!(report.diagnosis.healthy, "{report:#?}");
    let kinds: Vec<StepKind> = report.steps.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::NetworkMode,
            StepKind::InternalNetwork,
            StepKind::ResolvConf,
            StepKind::Resolve,
            StepKind::Ping,
            StepKind::Http
        ]
    );
}

#[tokio::test]
async fn the_external_check_blames_an_internal_network_when_nothing_gets_out() {
    let lab = TestLab::start().await;
    let (_net, web, _client) = web_and_client(&lab).await;
    let internal = lab.network_with("internal", true).await;
    let api = lab
        .container(ContainerSpec::new("api").network(&internal, &[]))
        .await;
    let engine = lab.probing_engine().with_probe_settings(ProbeSettings {
        step_timeout: Duration::from_secs(3),
        ..lab.probe_settings()
    });
    let ip = address_of(&engine, &web).await;
    let url = format!("http://{ip}/");
    let request = ExternalRequest::parse(&api, Some(&web), Some(&ip), Some(&url)).expect("input");

    let report = engine.run_check(&request).await.expect("check runs");

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::InternalNetworkOnly,
        "{report:#?}"
    );
    assert_eq!(
        step(&report, StepKind::InternalNetwork).status(),
        StepStatus::Failed
    );
}

/// A Coolify stack deployed without "Connect To Predefined Network": its services share their
/// own network, and a database on the destination network is out of reach by name.
#[tokio::test]
async fn a_stack_without_the_predefined_network_cannot_reach_the_destination_and_is_told_the_setting(
) {
    let lab = TestLab::start().await;
    let destination = lab.network("coolify").await;
    let stack_net = lab.network("stackuuid").await;
    let db = lab
        .container(
            ContainerSpec::new("db")
                .cmd(["httpd", "-f", "-p", "5432"])
                .network(&destination, &[])
                .label("coolify.managed", "true")
                .label("coolify.type", "database"),
        )
        .await;
    let app = lab
        .container(
            ContainerSpec::new("app")
                .network(&stack_net, &["app"])
                .label("coolify.managed", "true")
                .label("coolify.type", "service")
                .label("com.docker.compose.project", &stack_net)
                .label("com.docker.compose.service", "app"),
        )
        .await;
    let request = ReachRequest::parse(&app, &format!("{db}:5432"), false).expect("input");

    let report = lab
        .probing_engine()
        .run_check(&request)
        .await
        .expect("check runs");

    let d = &report.diagnosis;
    assert_eq!(d.code, DiagnosisCode::NoSharedNetwork, "{report:#?}");
    assert_eq!(
        d.fix[0].command.as_deref(),
        Some(format!("docker network connect {destination} {app}").as_str())
    );
    assert!(d.fix[1].text.contains("Connect To Predefined Network"));
    let resolve = step(&report, StepKind::Resolve);
    assert_eq!(resolve.status(), StepStatus::Failed);
    assert!(
        resolve.run.is_some(),
        "the lookup really ran in the stack's container"
    );
}

/// A Traefik-like proxy on a destination network: `(network, proxy)`.
async fn proxy_lab(lab: &TestLab) -> (String, String) {
    let dest = lab.network("dest").await;
    let proxy = lab.traefik_proxy(&dest).await;
    (dest, proxy)
}

/// An app routed from `sub.<run id>.example.test` to `port`, on `network`, running `cmd`.
async fn routed_app(
    lab: &TestLab,
    suffix: &str,
    network: &str,
    cmd: &[&str],
    port: u16,
) -> (String, String) {
    let domain = format!("{suffix}.{}.example.test", lab.run_id());
    let name = lab
        .container(
            ContainerSpec::new(suffix)
                .cmd(cmd.iter().copied())
                .network(network, &[])
                .label("coolify.managed", "true")
                .traefik_route(&format!("http-0-{suffix}"), &domain, port),
        )
        .await;
    (name, domain)
}

/// The check names the lab's proxy: a real coolify-proxy on this engine must not be used.
async fn proxy_check(lab: &TestLab, domain: &str, proxy: &str) -> CheckReport {
    let request = ProxyRequest::parse(domain, Some(proxy)).expect("input");
    lab.probing_engine()
        .run_check(&request)
        .await
        .expect("check runs")
}

#[tokio::test]
async fn the_proxy_check_passes_for_a_routed_app_it_reaches_from_inside_the_proxy() {
    let lab = TestLab::start().await;
    let (dest, proxy) = proxy_lab(&lab).await;
    let (app, domain) = routed_app(
        &lab,
        "app",
        &dest,
        &["httpd", "-f", "-p", "3000", "-h", "/"],
        3000,
    )
    .await;

    let report = proxy_check(&lab, &format!("https://{domain}/login"), &proxy).await;

    assert!(report.diagnosis.healthy, "{report:#?}");
    assert_eq!(
        report.diagnosis.title,
        format!("{proxy} routes {domain} to {app}:3000")
    );
    let connect = step(&report, StepKind::Connect);
    let run = connect.run.as_ref().expect("a probe ran");
    assert_eq!(run.container, proxy, "the probe ran inside the proxy");
    assert_eq!(step(&report, StepKind::Http).status(), StepStatus::Ok);
    assert_eq!(step(&report, StepKind::ProxyLog).status(), StepStatus::Ok);
}

#[tokio::test]
async fn a_proxy_not_on_the_apps_network_is_diagnosed_and_the_suggested_fix_makes_it_pass() {
    let lab = TestLab::start().await;
    let (_dest, proxy) = proxy_lab(&lab).await;
    let private = lab.network("private").await;
    let (app, domain) = routed_app(
        &lab,
        "app",
        &private,
        &["httpd", "-f", "-p", "3000", "-h", "/"],
        3000,
    )
    .await;

    let report = proxy_check(&lab, &domain, &proxy).await;

    let d = &report.diagnosis;
    assert_eq!(d.code, DiagnosisCode::ProxyNotOnNetwork, "{report:#?}");
    let command = format!("docker network connect {private} {proxy}");
    assert_eq!(d.fix[0].command.as_deref(), Some(command.as_str()));
    assert!(
        report.steps.iter().all(|s| s.run.is_none()),
        "the topology proves it; nothing ran"
    );

    // Apply the fix as a user would; the same check now passes.
    let done = Command::new("docker")
        .args(["network", "connect", &private, &proxy])
        .status()
        .expect("docker network connect");
    assert!(done.success());
    let report = proxy_check(&lab, &domain, &proxy).await;
    assert!(report.diagnosis.healthy, "{report:#?}");
    assert!(report.diagnosis.title.contains(&app));
}

#[tokio::test]
async fn the_proxy_check_finds_an_app_bound_to_127_0_0_1_and_a_wrong_route_port() {
    let lab = TestLab::start().await;
    let (dest, proxy) = proxy_lab(&lab).await;
    let (loopback, loopback_domain) = routed_app(
        &lab,
        "local",
        &dest,
        &["httpd", "-f", "-p", "127.0.0.1:3000"],
        3000,
    )
    .await;
    let (_, wrong_domain) =
        routed_app(&lab, "wrong", &dest, &["httpd", "-f", "-p", "8080"], 3000).await;

    let report = proxy_check(&lab, &loopback_domain, &proxy).await;
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::BoundToLoopback,
        "{report:#?}"
    );
    assert_eq!(
        step(&report, StepKind::Listeners).on.as_deref(),
        Some(loopback.as_str())
    );

    let report = proxy_check(&lab, &wrong_domain, &proxy).await;
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::WrongPort,
        "{report:#?}"
    );
    assert!(
        report.diagnosis.title.contains("it listens on 8080"),
        "{}",
        report.diagnosis.title
    );
}

#[tokio::test]
async fn the_proxy_check_reports_a_stopped_app_and_a_domain_nobody_routes() {
    let lab = TestLab::start().await;
    let (dest, proxy) = proxy_lab(&lab).await;
    let (app, domain) = routed_app(&lab, "app", &dest, &["httpd", "-f", "-p", "3000"], 3000).await;
    lab.stop(&app, 1).await;

    let report = proxy_check(&lab, &domain, &proxy).await;
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::TargetStopped,
        "{report:#?}"
    );

    let nobody = format!("nobody.{}.example.test", lab.run_id());
    let report = proxy_check(&lab, &nobody, &proxy).await;
    assert_eq!(report.diagnosis.code, DiagnosisCode::NoRoute, "{report:#?}");
    assert!(
        report.diagnosis.why.contains(&domain),
        "{}",
        report.diagnosis.why
    );
    assert!(report.steps.iter().all(|s| s.run.is_none()));
}
