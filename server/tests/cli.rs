//! `netdoctor check …` as a user runs it: the built binary against the live engine, on
//! containers the test creates. Output, `--json` and exit codes (0 healthy, 1 problem, 2 bad
//! input, with nothing run).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::engine::testkit::{ContainerSpec, TestLab};
use std::process::{Command, Output};

mod common;

/// Runs the netdoctor binary against the lab's engine, with the lab's image as toolbox.
fn netdoctor(lab: &TestLab, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netdoctor"))
        .args(args)
        .env("DOCKER_HOST", lab.endpoint().to_string())
        .env("NETDOCTOR_TOOLBOX_IMAGE", lab.image())
        .env_remove("RUST_LOG")
        .env_remove("NETDOCTOR_READ_ONLY")
        .output()
        .expect("netdoctor runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn check_reach_between_containers_on_one_network_says_healthy_and_exits_0() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;

    let out = netdoctor(
        &lab,
        &[
            "check",
            "reach",
            "--from",
            &client,
            "--to",
            &format!("{web}:80"),
        ],
    );

    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(
        text.starts_with(&format!("netdoctor check reach: {client} → {web}:80")),
        "{text}"
    );
    assert!(
        text.contains(&format!("$ nslookup {web}   (in {client}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("Healthy: {client} reaches {web}:80")),
        "{text}"
    );
}

#[tokio::test]
async fn check_reach_with_json_reports_a_wrong_port_and_exits_1() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;

    let out = netdoctor(
        &lab,
        &[
            "check",
            "reach",
            "--from",
            &client,
            "--to",
            &format!("{web}:8080"),
            "--json",
        ],
    );

    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(report["diagnosis"]["code"], "wrong-port");
    assert_eq!(report["diagnosis"]["healthy"], false);
    let fix = report["diagnosis"]["fix"][0]["text"]
        .as_str()
        .expect("fix text");
    assert_eq!(fix, format!("Connect to {web}:80 instead of {web}:8080."));
    let steps = report["steps"].as_array().expect("steps");
    assert_eq!(steps.last().expect("a step")["kind"], "Listeners");
    assert!(
        steps.iter().any(|s| s["run"]["argv"][0] == "nc"),
        "{report:#}"
    );
}

#[tokio::test]
async fn check_reach_to_an_app_bound_to_loopback_prints_the_fix_and_exits_1() {
    let lab = TestLab::start().await;
    let net = lab.network("net").await;
    let app = lab
        .container(
            ContainerSpec::new("local")
                .cmd(["httpd", "-f", "-p", "127.0.0.1:3000"])
                .network(&net, &[]),
        )
        .await;
    let client = lab
        .container(ContainerSpec::new("client").network(&net, &[]))
        .await;

    let out = netdoctor(
        &lab,
        &[
            "check",
            "reach",
            "--from",
            &client,
            "--to",
            &format!("{app}:3000"),
        ],
    );

    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "Problem: {app} listens on port 3000 only on 127.0.0.1"
        )),
        "{text}"
    );
    assert!(text.contains("0.0.0.0:3000"), "{text}");
}

#[tokio::test]
async fn injection_attempts_exit_2_with_the_reason_and_run_nothing() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;
    let long = "a".repeat(400);
    let cases: Vec<Vec<String>> = vec![
        vec![
            "reach".into(),
            "--from".into(),
            format!("{client};id"),
            "--to".into(),
            format!("{web}:80"),
        ],
        vec![
            "reach".into(),
            "--from".into(),
            client.clone(),
            "--to".into(),
            format!("$(id):80"),
        ],
        vec![
            "reach".into(),
            "--from".into(),
            client.clone(),
            "--to".into(),
            format!("{web}:80`id`"),
        ],
        vec![
            "reach".into(),
            "--from".into(),
            client.clone(),
            "--to".into(),
            format!("{web}\nid:80"),
        ],
        vec![
            "reach".into(),
            "--from".into(),
            client.clone(),
            "--to".into(),
            format!("{long}:80"),
        ],
        vec![
            "external".into(),
            "--from".into(),
            client.clone(),
            // `--name=…`: clap itself refuses a separate value that starts with `-`.
            "--name=-oProxy=x".into(),
        ],
        vec![
            "external".into(),
            "--from".into(),
            client.clone(),
            "--ip".into(),
            "8.8.8.8;id".into(),
        ],
        vec![
            "external".into(),
            "--from".into(),
            client.clone(),
            "--url".into(),
            format!("http://{web}/$(id)"),
        ],
        vec![
            "proxy".into(),
            "--domain".into(),
            "app.example.test;id".into(),
        ],
        vec![
            "proxy".into(),
            "--domain".into(),
            "https://app.example.test/`id`".into(),
        ],
        vec![
            "proxy".into(),
            "--domain".into(),
            "app.example.test".into(),
            "--proxy".into(),
            format!("{client}\nid"),
        ],
    ];
    for case in &cases {
        let mut args = vec!["check"];
        args.extend(case.iter().map(String::as_str));
        let out = netdoctor(&lab, &args);
        assert_eq!(out.status.code(), Some(2), "{case:?}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("netdoctor: "),
            "{case:?}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "{case:?}");
    }
    assert!(stderr(&netdoctor(
        &lab,
        &[
            "check",
            "reach",
            "--from",
            &client,
            "--to",
            &format!("{web}:80;id")
        ]
    ))
    .contains("the port"),);
    assert_eq!(
        lab.exec_count(&client).await,
        0,
        "nothing ran in the source"
    );
    assert_eq!(lab.exec_count(&web).await, 0, "nothing ran in the target");
}

#[tokio::test]
async fn check_external_pointed_at_local_containers_runs_every_step_and_exits_0() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;
    let ip = lab
        .engine()
        .container(&app::domain::names::ContainerName::parse(&web).expect("name"))
        .await
        .expect("web")
        .attachments[0]
        .ipv4
        .clone()
        .expect("address");

    let out = netdoctor(
        &lab,
        &[
            "check",
            "external",
            "--from",
            &client,
            "--name",
            &web,
            "--ip",
            &ip,
            "--url",
            &format!("http://{web}/"),
            "--json",
        ],
    );

    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["check"], "external");
    assert_eq!(report["steps"].as_array().expect("steps").len(), 6);
}

#[tokio::test]
async fn read_only_refuses_to_run_checks_from_the_command_line_too() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;

    let out = netdoctor(
        &lab,
        &[
            "--read-only",
            "check",
            "reach",
            "--from",
            &client,
            "--to",
            &format!("{web}:80"),
        ],
    );

    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("read-only"), "{}", stdout(&out));
    assert_eq!(lab.exec_count(&client).await, 0);
}

#[tokio::test]
async fn check_proxy_says_healthy_for_a_routed_app_and_exits_1_with_the_fix_when_the_proxy_is_not_on_its_network(
) {
    let lab = TestLab::start().await;
    let dest = lab.network("dest").await;
    let private = lab.network("private").await;
    let proxy = lab.traefik_proxy(&dest).await;
    let routed = |suffix: &str, net: &str| {
        let domain = format!("{suffix}.{}.example.test", lab.run_id());
        let spec = ContainerSpec::new(suffix)
            .cmd(["httpd", "-f", "-p", "3000"])
            .network(net, &[])
            .traefik_route(suffix, &domain, 3000);
        (domain, spec)
    };
    let (good_domain, good) = routed("good", &dest);
    let (bad_domain, bad) = routed("bad", &private);
    let good = lab.container(good).await;
    lab.container(bad).await;

    let out = netdoctor(
        &lab,
        &[
            "check",
            "proxy",
            "--domain",
            &good_domain,
            "--proxy",
            &proxy,
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(
        text.starts_with(&format!(
            "netdoctor check proxy: {good_domain} through {proxy}"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Healthy: {proxy} routes {good_domain} to {good}:3000"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("   (in {proxy}, ")),
        "the probes ran in the proxy: {text}"
    );

    let out = netdoctor(
        &lab,
        &[
            "check",
            "proxy",
            "--domain",
            &bad_domain,
            "--proxy",
            &proxy,
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(
        report["diagnosis"]["code"], "proxy-not-on-network",
        "{report:#}"
    );
    assert_eq!(
        report["diagnosis"]["fix"][0]["command"],
        format!("docker network connect {private} {proxy}")
    );
}

#[tokio::test]
async fn check_reach_by_network_alias_and_by_ip_answers_like_by_container_name() {
    let lab = TestLab::start().await;
    let net = lab.network("alias").await;
    let api = lab
        .container(
            ContainerSpec::new("api")
                .cmd(["httpd", "-f", "-p", "3001"])
                .network(&net, &["my-express-api"]),
        )
        .await;
    let client = lab
        .container(ContainerSpec::new("client").network(&net, &[]))
        .await;
    let out = netdoctor(
        &lab,
        &[
            "check",
            "reach",
            "--from",
            &client,
            "--to",
            "my-express-api:3001",
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(
        text.contains(&format!("Healthy: {client} reaches my-express-api:3001")),
        "{text}"
    );
    assert!(
        text.contains(&format!("({api})")),
        "the prediction names the container: {text}"
    );

    let topology = lab.engine().topology().await.expect("topology");
    let ip = topology
        .container(&api)
        .and_then(|c| c.attachment(&net))
        .and_then(|a| a.ipv4.clone())
        .expect("api has an IP");
    let by_ip = netdoctor(
        &lab,
        &[
            "check",
            "reach",
            "--from",
            &client,
            "--to",
            &format!("{ip}:3001"),
            "--json",
        ],
    );
    assert_eq!(by_ip.status.code(), Some(0), "{}", stdout(&by_ip));
    let report: serde_json::Value = serde_json::from_str(&stdout(&by_ip)).expect("json");
    assert_eq!(report["diagnosis"]["healthy"], true, "{report}");
}

#[tokio::test]
async fn netdoctor_reach_prints_the_matrix_of_a_network_and_refuses_a_bad_scope() {
    let lab = TestLab::start().await;
    let (web, client) = common::web_and_client(&lab).await;
    let topology = lab.engine().topology().await.expect("topology");
    let net = topology
        .container(&web)
        .and_then(|c| c.network_names().next().map(str::to_owned))
        .expect("web's network");
    let out = netdoctor(
        &lab,
        &["reach", "--scope", &format!("network:{net}"), "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let names: Vec<&str> = m["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert_eq!(names.len(), 2, "{m}");
    let i = names.iter().position(|n| *n == client).expect("client");
    let j = names.iter().position(|n| *n == web).expect("web");
    let cell = &m["cells"][i][j];
    assert_eq!(cell["verdict"], "yes", "{cell}");
    assert_eq!(cell["address"], web.as_str(), "{cell}");

    let text = netdoctor(&lab, &["reach", "--scope", &format!("network:{net}")]);
    assert!(
        stdout(&text).contains("2 of 2 pairs can talk"),
        "{}",
        stdout(&text)
    );

    let bad = netdoctor(&lab, &["reach", "--scope", "galaxy:far"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("not a kind of scope"),
        "{}",
        stderr(&bad)
    );
}
