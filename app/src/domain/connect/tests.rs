//! The builder's rules, each a sentence, on the recorded destination and small hand-built hosts.

use super::*;
use crate::domain::checks::outcome::Listener;
use crate::domain::findings::test_support::{
    container, coolify, exposing, host, on, publishing, recorded, route, APP, COMPOSE_DB,
    COMPOSE_UUID, N8N, SERVICE_UUID,
};

const DB: &str = "ro8kcog4kso4ck0ows4k4wkw";

fn name(n: &str) -> ContainerName {
    ContainerName::from_engine(n)
}

fn from(t: &Topology, source: &str, target: &str, port: Option<u16>) -> Connection {
    build(t, &Source::Container(name(source)), &name(target), port).expect("builds")
}

fn from_host(t: &Topology, target: &str, port: Option<u16>) -> Connection {
    build(t, &Source::Host, &name(target), port).expect("builds")
}

fn url(c: &Connection) -> &str {
    c.address.as_ref().map_or("", |a| a.url.as_str())
}

fn note(c: &Connection, code: NoteCode) -> &Note {
    c.notes
        .iter()
        .find(|n| n.code == code)
        .unwrap_or_else(|| panic!("no {code:?} note in {:#?}", c.notes))
}

fn has(c: &Connection, code: NoteCode) -> bool {
    c.notes.iter().any(|n| n.code == code)
}

/// Everything a note says, for "names the real thing" assertions.
fn said(n: &Note) -> String {
    let mut s = format!("{}\n{}\n", n.title, n.why);
    for f in &n.fix {
        s.push_str(&f.text);
        s.push('\n');
        if let Some(c) = &f.command {
            s.push_str(c);
            s.push('\n');
        }
    }
    s
}

#[test]
fn a_container_on_the_same_network_reaches_the_target_by_its_alias_and_internal_port() {
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            exposing(on(container("search-engine"), "net", &["search"]), &[7700]),
        ],
        vec![],
    );
    let c = from(&t, "client", "search-engine", None);
    assert_eq!(url(&c), "search:7700");
    let a = c.address.as_ref().expect("address");
    assert_eq!(a.via, Via::Network("net".into()));
    assert_eq!(a.env_line, "SEARCH_ENGINE_ADDR=search:7700");
    assert!(c.reasons[0].contains("network alias"), "{:?}", c.reasons);
    assert!(c.notes.is_empty(), "{:#?}", c.notes);
}

#[test]
fn the_recorded_app_reaches_the_standalone_database_by_its_uuid_with_a_postgres_url() {
    let c = from(&recorded(), APP, DB, None);
    assert_eq!(c.kind, ServiceKind::Postgres);
    assert_eq!(c.port, Some(5432));
    assert_eq!(url(&c), format!("postgres://USER:PASSWORD@{DB}:5432/DB"));
    assert_eq!(
        c.address.as_ref().expect("address").env_line,
        format!("DATABASE_URL=postgres://USER:PASSWORD@{DB}:5432/DB")
    );
    assert!(c.address.as_ref().expect("address").stable);
    assert!(c.reasons.iter().any(|r| r.contains("consistent name")));
    assert!(c.reasons.iter().any(|r| r.contains("placeholders")));
}

#[test]
fn inside_a_service_stack_the_app_reaches_its_database_by_the_compose_service_name() {
    let c = from(
        &recorded(),
        N8N,
        &format!("postgresql-{SERVICE_UUID}"),
        None,
    );
    assert_eq!(url(&c), "postgres://USER:PASSWORD@postgresql:5432/DB");
    assert_eq!(
        c.address.as_ref().map(|a| a.via.clone()),
        Some(Via::Network(SERVICE_UUID.into()))
    );
    assert!(c.reasons[0].contains("compose service name"));
}

#[test]
fn a_per_deploy_target_name_is_flagged_with_coolifys_setting_that_makes_it_stable() {
    let c = from(&recorded(), "coolify-proxy", APP, None);
    assert_eq!(url(&c), format!("http://{APP}:3001"));
    assert!(!c.address.as_ref().expect("address").stable);
    let n = note(&c, NoteCode::NameChangesEachDeploy);
    assert_eq!(n.severity, Severity::Warning);
    let text = said(n);
    assert!(text.contains("Consistent Container Name"), "{text}");
    assert!(text.contains("Network Alias"), "{text}");
    assert!(text.contains("`jk8c0wc4ok80s0gkcgwgo4s8`"), "{text}");
}

#[test]
fn an_http_target_gets_an_env_line_named_after_its_coolify_service() {
    let c = from(&recorded(), "coolify-proxy", APP, None);
    assert_eq!(c.kind, ServiceKind::Http);
    assert_eq!(
        c.address.as_ref().expect("address").env_line,
        format!("MY_EXPRESS_API_URL=http://{APP}:3001")
    );
}

#[test]
fn a_compose_service_name_that_also_reaches_coolifys_database_is_not_used_and_is_warned_about() {
    let c = from(&recorded(), APP, COMPOSE_DB, None);
    assert_eq!(
        url(&c),
        format!("postgres://USER:PASSWORD@{COMPOSE_DB}:5432/DB")
    );
    let n = note(&c, NoteCode::AmbiguousName);
    assert!(
        n.title
            .starts_with("`postgres` also answers for coolify-db"),
        "{}",
        n.title
    );
    let text = said(n);
    assert!(text.contains(&format!("Use `{COMPOSE_DB}`")), "{text}");
    assert!(text.contains("coolify#11142"), "{text}");
    let stable = said(note(&c, NoteCode::NameChangesEachDeploy));
    assert!(
        stable.contains(&format!("`postgres-{COMPOSE_UUID}`")),
        "the fix names the consistent name: {stable}"
    );
}

#[test]
fn a_tempting_alias_taken_elsewhere_gets_the_network_qualified_name_offered() {
    let t = host(
        vec![
            on(on(container("client"), "a", &[]), "b", &[]),
            exposing(on(container("target"), "a", &["cache"]), &[6379]),
            on(container("other"), "b", &["cache"]),
        ],
        vec![],
    );
    let c = from(&t, "client", "target", None);
    assert_eq!(url(&c), "redis://default:PASSWORD@target:6379/0");
    let text = said(note(&c, NoteCode::AmbiguousName));
    assert!(text.contains("`cache` also answers for other"), "{text}");
    assert!(text.contains("Use `target`"), "{text}");
    assert!(text.contains("`cache.a`"), "{text}");
}

#[test]
fn containers_that_share_no_network_get_the_reason_the_exact_fix_and_the_proxy_domain() {
    let c = from(&recorded(), APP, N8N, None);
    assert_eq!(c.address, None);
    let n = note(&c, NoteCode::NoSharedNetwork);
    assert_eq!(n.severity, Severity::Blocking);
    let text = said(n);
    assert!(text.contains("share no network"), "{text}");
    assert!(text.contains("user-defined network"), "{text}");
    assert!(text.contains("Connect To Predefined Network"), "{text}");
    assert!(
        text.contains(&format!("Then use `n8n-{SERVICE_UUID}:5678`")),
        "{text}"
    );
    assert!(
        n.fix.iter().any(|f| f.command.as_deref()
            == Some(&format!("docker network connect {SERVICE_UUID} {APP}") as &str)),
        "{text}"
    );
    assert!(
        text.contains(&format!("Then use `n8n-{SERVICE_UUID}:5678`")),
        "{text}"
    );
    let via_proxy = c
        .alternatives
        .iter()
        .find(|a| a.address.via == Via::ProxyDomain)
        .expect("the proxy's domain is offered");
    assert_eq!(via_proxy.address.url, "https://n8n.example.com");
    assert_eq!(
        via_proxy.address.env_line,
        "N8N_URL=https://n8n.example.com"
    );
}

#[test]
fn a_stack_cut_off_from_the_destination_is_told_to_connect_to_predefined_networks() {
    let c = from(&recorded(), N8N, DB, None);
    let text = said(note(&c, NoteCode::NoSharedNetwork));
    assert!(
        text.contains(&format!("open the service n8n-with-postgresql ({SERVICE_UUID}), enable \"Connect To Predefined Network\"")),
        "{text}"
    );
    assert!(text.contains("That is the source's stack"), "{text}");
    assert!(
        text.contains(&format!("docker network connect coolify {N8N}")),
        "{text}"
    );
    assert!(text.contains(&format!("Then use `{DB}:5432`")), "{text}");
}

#[test]
fn on_the_default_bridge_names_do_not_resolve_and_only_the_ip_works_until_a_restart() {
    let t = host(
        vec![
            on(container("legacy-app"), "bridge", &[]),
            exposing(on(container("legacy-db"), "bridge", &[]), &[3306]),
        ],
        vec![],
    );
    let c = from(&t, "legacy-app", "legacy-db", None);
    assert_eq!(c.address, None);
    let n = note(&c, NoteCode::DefaultBridgeOnly);
    let text = said(n);
    assert!(text.contains("no embedded DNS"), "{text}");
    assert!(
        n.fix.iter().any(|f| f.command.as_deref()
            == Some("docker network create my-network && docker network connect my-network legacy-app && docker network connect my-network legacy-db")),
        "{text}"
    );
    let ip = &c.alternatives[0].address;
    assert_eq!(ip.url, "mysql://USER:PASSWORD@10.0.1.9:3306/DB");
    assert!(!ip.stable);
}

#[test]
fn a_published_host_port_is_never_used_between_containers() {
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            publishing(
                exposing(on(container("pg"), "net", &[]), &[5432]),
                "0.0.0.0",
                15432,
                5432,
            ),
        ],
        vec![],
    );
    let c = from(&t, "client", "pg", Some(15432));
    assert_eq!(c.port, Some(5432));
    assert_eq!(url(&c), "postgres://USER:PASSWORD@pg:5432/DB");
    assert!(said(note(&c, NoteCode::HostPortCorrected))
        .contains("From other containers always use 5432"));
}

#[test]
fn from_the_host_a_loopback_binding_is_used_and_called_host_only() {
    let t = host(
        vec![publishing(
            exposing(on(container("pg"), "net", &[]), &[5432]),
            "127.0.0.1",
            15432,
            5432,
        )],
        vec![],
    );
    let c = from_host(&t, "pg", None);
    assert_eq!(url(&c), "postgres://USER:PASSWORD@127.0.0.1:15432/DB");
    assert_eq!(
        c.address.as_ref().map(|a| a.via.clone()),
        Some(Via::Published {
            binding: "127.0.0.1:15432->5432/tcp".into(),
            loopback_only: true
        })
    );
    let n = note(&c, NoteCode::LoopbackOnly);
    assert_eq!(
        n.fix[0].command.as_deref(),
        Some("ssh -N -L 15432:127.0.0.1:15432 user@your-server")
    );
    assert!(
        c.alternatives
            .iter()
            .all(|a| !a.address.url.contains("SERVER_IP")),
        "another machine cannot use a host-only binding"
    );
    assert!(!has(&c, NoteCode::PublishedOnAllInterfaces));
}

#[test]
fn from_the_host_a_binding_on_all_interfaces_warns_that_ufw_does_not_protect_it() {
    let t = host(
        vec![publishing(
            exposing(on(container("api"), "net", &[]), &[3000]),
            "0.0.0.0",
            3000,
            3000,
        )],
        vec![],
    );
    let c = from_host(&t, "api", None);
    assert_eq!(url(&c), "http://127.0.0.1:3000");
    let elsewhere = &c
        .alternatives
        .iter()
        .find(|a| a.title.starts_with("From another machine"))
        .expect("what another machine uses")
        .address;
    assert_eq!(elsewhere.url, "http://SERVER_IP:3000");
    assert_eq!(elsewhere.env_line, "API_URL=http://SERVER_IP:3000");
    let n = note(&c, NoteCode::PublishedOnAllInterfaces);
    assert!(n.why.contains("UFW"));
    assert!(said(n).contains("DOCKER-USER -p tcp -m conntrack --ctorigdstport 3000"));
    assert!(said(n).contains("-p 127.0.0.1:3000:3000"));
}

#[test]
fn from_the_host_an_unpublished_port_is_explained_with_what_to_do_and_other_ways_in() {
    let c = from_host(&recorded(), APP, None);
    assert_eq!(c.address, None);
    let n = note(&c, NoteCode::NotPublished);
    let text = said(n);
    assert!(text.contains("never on the host"), "{text}");
    assert!(
        text.contains("Ports Mappings") && text.contains("127.0.0.1:3001:3001"),
        "{text}"
    );
    let ip = c
        .alternatives
        .iter()
        .find(|a| matches!(a.address.via, Via::ContainerIp(_)))
        .expect("the container IP from the host");
    assert_eq!(ip.address.url, "http://192.168.144.6:3001");
    assert!(!ip.address.stable);
    assert!(c
        .alternatives
        .iter()
        .any(|a| a.address.url == "https://api.example.com"));
}

#[test]
fn from_the_host_a_public_coolify_database_is_reached_through_its_proxy() {
    let c = from_host(&recorded(), DB, None);
    assert_eq!(url(&c), "postgres://USER:PASSWORD@127.0.0.1:5433/DB");
    assert!(
        c.reasons[0].contains(&format!("public proxy {DB}-proxy")),
        "{:?}",
        c.reasons
    );
    assert!(
        said(note(&c, NoteCode::PublishedOnAllInterfaces)).contains("Make it publicly available")
    );
    assert!(
        c.alternatives
            .iter()
            .any(|a| a.address.url == "postgres://USER:PASSWORD@SERVER_IP:5433/DB"),
        "{:#?}",
        c.alternatives
    );
}

#[test]
fn from_another_machine_a_public_binding_of_a_routed_app_uses_its_domain() {
    let t = host(
        vec![publishing(
            exposing(on(container("api"), "net", &[]), &[3000]),
            "0.0.0.0",
            3000,
            3000,
        )],
        vec![route("r", "api.example.com", &["api"], Some(3000))],
    );
    let c = from_host(&t, "api", None);
    let elsewhere = c
        .alternatives
        .iter()
        .find(|a| a.title.starts_with("From another machine"))
        .expect("what another machine uses");
    assert_eq!(elsewhere.address.url, "http://api.example.com:3000");
    assert!(
        elsewhere.title.contains("not through a CDN"),
        "{}",
        elsewhere.title
    );
}

#[test]
fn a_container_reaches_itself_on_localhost() {
    let t = host(
        vec![exposing(on(container("api"), "net", &[]), &[3000])],
        vec![],
    );
    let c = from(&t, "api", "api", None);
    assert_eq!(url(&c), "http://localhost:3000");
    assert_eq!(
        c.address.as_ref().map(|a| a.via.clone()),
        Some(Via::SameContainer)
    );
}

#[test]
fn a_container_with_no_network_can_reach_nothing() {
    let c = from(&recorded(), "isolated", APP, None);
    assert_eq!(c.address, None);
    let n = note(&c, NoteCode::NoNetwork);
    assert!(n.title.contains("The source, isolated"));
    // Docker refuses to connect a `none` container until it has left `none`.
    assert!(n.fix[0].text.contains("--network coolify"), "{:#?}", n.fix);
    assert_eq!(
        n.fix[1].command.as_deref(),
        Some("docker network disconnect none isolated && docker network connect coolify isolated")
    );
}

#[test]
fn a_target_on_the_host_network_is_reached_through_host_docker_internal() {
    let mut agent = exposing(container("node-exporter"), &[9100]);
    agent.network_mode = NetworkMode::Host;
    let t = host(vec![on(container("client"), "net", &[]), agent], vec![]);
    let c = from(&t, "client", "node-exporter", None);
    assert_eq!(url(&c), "host.docker.internal:9100");
    assert!(said(note(&c, NoteCode::TargetOnHostNetwork)).contains("host-gateway"));
    assert_eq!(url(&from_host(&t, "node-exporter", None)), "127.0.0.1:9100");
}

#[test]
fn a_stopped_target_is_built_from_its_configuration_with_a_warning() {
    let c = from(&recorded(), APP, "stopped-worker", Some(8080));
    assert_eq!(url(&c), "http://stopped-worker:8080");
    let n = note(&c, NoteCode::TargetNotRunning);
    assert!(
        n.fix
            .iter()
            .any(|f| f.command.as_deref() == Some("docker start stopped-worker")),
        "{:?}",
        n.fix
    );
    assert!(has(&c, NoteCode::PortNotListed));
}

#[test]
fn a_target_with_no_known_port_asks_for_one() {
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            on(container("worker"), "net", &[]),
        ],
        vec![],
    );
    let c = from(&t, "client", "worker", None);
    assert_eq!(c.port, None);
    assert_eq!(url(&c), "worker:PORT");
    assert_eq!(note(&c, NoteCode::PortUnknown).severity, Severity::Warning);
}

#[test]
fn tls_between_containers_warns_that_the_certificate_will_not_match() {
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            exposing(on(container("secure"), "net", &[]), &[8443]),
        ],
        vec![],
    );
    let c = from(&t, "client", "secure", None);
    assert_eq!(url(&c), "https://secure:8443");
    assert!(has(&c, NoteCode::InternalTls));
}

#[test]
fn test_it_on_a_tls_port_checks_name_and_tcp_without_a_plain_http_request() {
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            exposing(on(container("secure"), "net", &[]), &[8443]),
        ],
        vec![],
    );
    let plan = from(&t, "client", "secure", None)
        .test_plan()
        .expect("a plan by name");
    assert_eq!(
        (plan.name.as_str(), plan.port, plan.http, plan.tls),
        ("secure", 8443, false, true)
    );
}

#[test]
fn test_it_on_an_http_target_asks_for_an_http_answer_by_the_built_name() {
    let plan = from(&recorded(), "coolify-proxy", APP, None)
        .test_plan()
        .expect("a plan by name");
    assert_eq!(plan.from.as_str(), "coolify-proxy");
    assert_eq!(
        (plan.name.as_str(), plan.port, plan.http, plan.tls),
        (APP, 3001, true, false)
    );
    let db = from(&recorded(), APP, DB, None)
        .test_plan()
        .expect("a plan by name");
    assert!(!db.http && !db.tls, "a database gets name and TCP only");
}

#[test]
fn test_it_is_offered_only_for_an_address_by_name_from_a_container() {
    let t = host(
        vec![exposing(on(container("api"), "net", &[]), &[3000])],
        vec![],
    );
    assert_eq!(from(&t, "api", "api", None).test_plan(), None, "localhost");
    assert_eq!(from_host(&recorded(), DB, None).test_plan(), None);
    assert_eq!(from(&recorded(), APP, N8N, None).test_plan(), None);
}

#[test]
fn a_stack_service_outside_its_stack_is_reached_by_its_service_uuid_name() {
    let uuid = "qg8s4kc0w4wsgk0k8c0ww8o4";
    let db = coolify(
        exposing(
            on(
                on(
                    container(&format!("postgresql-{uuid}")),
                    uuid,
                    &["postgresql"],
                ),
                "coolify",
                &[],
            ),
            &[5432],
        ),
        "service",
        uuid,
        "postgresql",
    );
    let t = host(vec![on(container("my-app"), "coolify", &[]), db], vec![]);
    let c = from(&t, "my-app", &format!("postgresql-{uuid}"), None);
    assert_eq!(
        url(&c),
        format!("postgres://USER:PASSWORD@postgresql-{uuid}:5432/DB")
    );
    assert!(c.reasons[0].contains("{service}-{uuid}"), "{:?}", c.reasons);
}

#[test]
fn names_that_are_not_on_the_host_are_a_clear_error() {
    let t = recorded();
    assert_eq!(
        build(&t, &Source::Host, &name("gone"), None),
        Err(BuildError::UnknownTarget("gone".into()))
    );
    assert_eq!(
        build(&t, &Source::Container(name("gone")), &name(APP), None).map_err(|e| e.to_string()),
        Err("there is no container named gone on this host (it may have been removed)".into())
    );
}

#[test]
fn every_pair_on_the_recording_builds_an_address_or_says_why_not_and_leaks_no_secret() {
    let t = recorded();
    let mut sources = vec![Source::Host];
    sources.extend(
        t.containers
            .iter()
            .map(|c| Source::Container(c.name.clone())),
    );
    for s in &sources {
        for target in &t.containers {
            let mut ports: Vec<Option<u16>> = vec![None, Some(1)];
            ports.extend(ports::port_options(&t, target).iter().map(|o| Some(o.port)));
            for p in ports {
                let c = build(&t, s, &target.name, p).expect("builds");
                assert!(!c.reasons.is_empty());
                assert!(
                    c.address.is_some()
                        || c.blocking().next().is_some()
                        || (c.port.is_none() && has(&c, NoteCode::PortUnknown)),
                    "{s} → {} has neither an address nor a reason why not",
                    target.name
                );
                let json = serde_json::to_string(&c).expect("serialises");
                for secret in [
                    "hunter2",
                    "very-secret",
                    "s3cret-password",
                    "POSTGRES_PASSWORD",
                ] {
                    assert!(!json.contains(secret), "{secret} leaked");
                }
            }
        }
    }
}

#[test]
fn the_same_choice_always_builds_the_same_connection() {
    let t = recorded();
    let mut reversed = t.clone();
    reversed.containers.reverse();
    reversed.networks.reverse();
    for target in [APP, DB, COMPOSE_DB, N8N] {
        assert_eq!(
            from(&t, APP, target, None),
            from(&reversed, APP, target, None)
        );
    }
}

#[test]
fn a_plain_pair_without_a_shared_network_is_told_to_join_the_targets_network() {
    let t = host(
        vec![
            on(container("client"), "front", &[]),
            exposing(on(container("api"), "back", &["api-alias"]), &[8000]),
        ],
        vec![],
    );
    let c = from(&t, "client", "api", None);
    let n = note(&c, NoteCode::NoSharedNetwork);
    assert_eq!(n.fix.len(), 1, "no Coolify setting applies: {:#?}", n.fix);
    assert!(
        n.fix[0].text.starts_with("Connect client to back"),
        "{}",
        n.fix[0].text
    );
    assert!(n.fix[0].text.contains("Then use `api-alias:8000`"));
    assert_eq!(
        n.fix[0].command.as_deref(),
        Some("docker network connect back client")
    );
}

#[test]
fn a_source_in_another_containers_network_namespace_uses_that_containers_networks() {
    // `network_mode: container:<app>`: the sidecar has no network of its own.
    let app = on(container("app"), "net", &[]);
    let mut sidecar = container("sidecar");
    sidecar.network_mode = NetworkMode::Container(app.id.clone());
    let db = exposing(on(container("db"), "net", &["database"]), &[5432]);
    let t = host(vec![app, sidecar, db], vec![]);

    let c = from(&t, "sidecar", "db", None);
    assert_eq!(url(&c), "postgres://USER:PASSWORD@database:5432/DB");
    assert_eq!(
        c.address.as_ref().map(|a| a.via.clone()),
        Some(Via::Network("net".into()))
    );
    assert!(c.notes.is_empty(), "{:#?}", c.notes);

    let own = from(&t, "sidecar", "app", Some(8080));
    assert_eq!(url(&own), "http://localhost:8080");
    assert!(
        own.reasons[0].contains("share one network namespace"),
        "{:?}",
        own.reasons
    );
}

#[test]
fn a_source_on_the_host_network_gets_the_hosts_address_not_a_container_name() {
    let mut agent = container("agent");
    agent.network_mode = NetworkMode::Host;
    let pg = publishing(
        exposing(on(container("pg"), "net", &[]), &[5432]),
        "127.0.0.1",
        15432,
        5432,
    );
    let api = exposing(on(container("api"), "net", &[]), &[3000]);
    let t = host(vec![agent, pg, api], vec![]);

    let c = from(&t, "agent", "pg", None);
    assert_eq!(url(&c), "postgres://USER:PASSWORD@127.0.0.1:15432/DB");
    assert!(
        c.reasons[0].contains("uses the host's network") && c.reasons[0].contains("do not resolve"),
        "{:?}",
        c.reasons
    );
    assert!(has(&c, NoteCode::LoopbackOnly));

    let unpublished = from(&t, "agent", "api", None);
    assert_eq!(unpublished.address, None);
    assert_eq!(
        note(&unpublished, NoteCode::NotPublished).severity,
        Severity::Blocking
    );
}

#[test]
fn from_the_host_an_ipv6_only_binding_is_dialled_on_the_ipv6_loopback() {
    let only_v6 = publishing(
        exposing(on(container("web"), "net", &[]), &[80]),
        "::",
        8080,
        80,
    );
    let t = host(vec![only_v6.clone()], vec![]);
    let c = from_host(&t, "web", None);
    assert_eq!(url(&c), "http://[::1]:8080");
    assert_eq!(
        c.address.as_ref().map(|a| a.via.clone()),
        Some(Via::Published {
            binding: "[::]:8080->80/tcp".into(),
            loopback_only: false
        })
    );
    assert!(has(&c, NoteCode::PublishedOnAllInterfaces));

    // With Docker's usual pair of bindings, the IPv4 loopback is given.
    let both = publishing(only_v6, "0.0.0.0", 8080, 80);
    let t = host(vec![both], vec![]);
    assert_eq!(url(&from_host(&t, "web", None)), "http://127.0.0.1:8080");
}

#[test]
fn a_compose_app_cut_off_from_the_destination_is_told_to_connect_to_predefined_network_under_advanced(
) {
    let uuid = "x8w4kc0gs0c8gkok0wgck4kc";
    let mut web = coolify(
        exposing(
            on(
                container(&format!("web-{uuid}-101010101010")),
                uuid,
                &["web"],
            ),
            &[8080],
        ),
        "application",
        uuid,
        "web",
    );
    if let Some(id) = web.coolify.as_mut() {
        id.resource_name = Some("my-compose-app".into());
    }
    let mut t = recorded();
    t.containers.push(web);
    let c = from(&t, APP, &format!("web-{uuid}-101010101010"), None);
    assert_eq!(c.address, None);
    let text = said(note(&c, NoteCode::NoSharedNetwork));
    assert!(
        text.contains(&format!("In Coolify, open the application my-compose-app ({uuid}), enable \"Connect To Predefined Network\" under Advanced, and redeploy.")),
        "{text}"
    );
    assert!(
        text.contains(&format!("Then use `web-{uuid}:8080` from {APP}.")),
        "{text}"
    );
    assert!(
        text.contains(&format!("Or connect {APP} to {uuid}")),
        "the manual connect is the second choice: {text}"
    );
}

fn listener(addr: &str, port: u16) -> Listener {
    Listener {
        address: addr.parse().expect("ip"),
        port,
    }
}

#[test]
fn a_declared_port_nothing_listens_on_gets_a_warning_naming_the_port_that_listens() {
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            exposing(on(container("api"), "net", &[]), &[9000]),
        ],
        vec![],
    );
    let c = from(&t, "client", "api", None).with_listening(&[listener("0.0.0.0", 8081)]);
    assert_eq!(url(&c), "http://api:9000", "the address is still built");
    let n = note(&c, NoteCode::NothingListens);
    assert_eq!(n.severity, Severity::Warning);
    let text = said(n);
    assert!(text.contains("port 9000"), "{text}");
    assert!(text.contains("api listens on 8081 now"), "{text}");
    assert!(text.contains("docker logs --tail 50 api"), "{text}");
    let ports: Vec<(u16, Listen)> = c.ports.iter().map(|o| (o.port, o.listen)).collect();
    assert_eq!(
        ports,
        [(8081, Listen::Listening), (9000, Listen::NotListening)]
    );
}

#[test]
fn an_undeclared_port_that_listens_is_no_longer_called_unlisted() {
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            exposing(on(container("api"), "net", &[]), &[9000]),
        ],
        vec![],
    );
    let before = from(&t, "client", "api", Some(8081));
    assert!(has(&before, NoteCode::PortNotListed));
    let after = before.with_listening(&[listener("::", 8081)]);
    assert!(!has(&after, NoteCode::PortNotListed), "{:#?}", after.notes);
    assert!(!has(&after, NoteCode::NothingListens));
    assert!(after
        .reasons
        .iter()
        .any(|r| r.contains("listens on it now (read live)")));
}

#[test]
fn a_port_bound_to_loopback_is_a_warning_except_from_the_same_namespace() {
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            exposing(on(container("api"), "net", &[]), &[3000]),
        ],
        vec![],
    );
    let loopback = [listener("127.0.0.1", 3000)];
    let c = from(&t, "client", "api", None).with_listening(&loopback);
    assert!(said(note(&c, NoteCode::ListensOnLoopbackOnly)).contains("0.0.0.0:3000"));
    let own = from(&t, "api", "api", None).with_listening(&loopback);
    assert!(!has(&own, NoteCode::ListensOnLoopbackOnly));
}

#[test]
fn with_no_declared_port_the_one_port_the_target_listens_on_becomes_the_address() {
    // `httpd -p 8080` in an image without EXPOSE, and nothing routed to it.
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            on(container("api"), "net", &[]),
        ],
        vec![],
    );
    let (source, target) = (Source::Container(name("client")), name("api"));
    let unread = build(&t, &source, &target, None).expect("built");
    assert_eq!(unread.port, None, "nothing says which port before the read");

    let sockets = [listener("127.0.0.11", 40123), listener("0.0.0.0", 8080)];
    let c = build_with_listening(&t, &source, &target, None, &sockets).expect("built");
    assert_eq!(c.port, Some(8080));
    assert_eq!(url(&c), "http://api:8080");
    assert!(
        c.reasons
            .iter()
            .any(|r| r.contains("the only port api listens on for other containers (read live)")),
        "{:#?}",
        c.reasons
    );
    assert!(!has(&c, NoteCode::NothingListens));
    assert!(!has(&c, NoteCode::PortNotListed));
}

#[test]
fn the_live_read_does_not_choose_when_several_ports_listen_or_a_port_was_asked_or_declared() {
    let t = host(
        vec![
            on(container("client"), "net", &[]),
            on(container("api"), "net", &[]),
            exposing(on(container("declared"), "net", &[]), &[9000]),
        ],
        vec![],
    );
    let source = Source::Container(name("client"));
    let two = [listener("0.0.0.0", 8080), listener("0.0.0.0", 9090)];
    let c = build_with_listening(&t, &source, &name("api"), None, &two).expect("built");
    assert_eq!(c.port, None, "two candidates: the user picks");

    let one = [listener("0.0.0.0", 8080)];
    let asked = build_with_listening(&t, &source, &name("api"), Some(9090), &one).expect("built");
    assert_eq!(asked.port, Some(9090), "the user's port stays");

    let declared = build_with_listening(&t, &source, &name("declared"), None, &one).expect("built");
    assert_eq!(
        declared.port,
        Some(9000),
        "a declared port stays the choice"
    );
    assert!(has(&declared, NoteCode::NothingListens));

    let loopback = [listener("127.0.0.1", 8080)];
    let c = build_with_listening(&t, &source, &name("api"), None, &loopback).expect("built");
    assert_eq!(
        c.port, None,
        "a loopback-only socket is not reachable from other containers"
    );
}

fn from_server(t: &Topology, target: &str, port: Option<u16>, public: Option<&str>) -> Connection {
    build_across(
        t,
        &Source::Server("app-1".into()),
        &name(target),
        port,
        public,
    )
    .expect("builds")
}

#[test]
fn from_another_server_a_published_port_is_reached_at_this_servers_public_address_never_by_name() {
    let t = host(
        vec![publishing(
            exposing(on(container("pg"), "net", &["postgres"]), &[5432]),
            "0.0.0.0",
            15432,
            5432,
        )],
        vec![],
    );
    let c = from_server(&t, "pg", None, Some("203.0.113.7"));
    assert_eq!(url(&c), "postgres://USER:PASSWORD@203.0.113.7:15432/DB");
    assert!(
        c.reasons.iter().any(|r| r.contains("own DNS")),
        "says why names do not cross: {:#?}",
        c.reasons
    );
    assert!(c
        .reasons
        .iter()
        .any(|r| r.contains("app-1 connects to 203.0.113.7:15432")));
    let n = note(&c, NoteCode::PublishedOnAllInterfaces);
    assert!(n.title.contains("not only app-1"), "{}", n.title);
    // Without a known address, the placeholder and what to put there.
    let c = from_server(&t, "pg", None, None);
    assert_eq!(url(&c), "postgres://USER:PASSWORD@SERVER_IP:15432/DB");
}

#[test]
fn from_another_server_a_loopback_binding_or_no_binding_is_blocked_with_the_same_words_as_the_model(
) {
    let loopback = host(
        vec![publishing(
            exposing(on(container("pg"), "net", &[]), &[5432]),
            "127.0.0.1",
            15432,
            5432,
        )],
        vec![],
    );
    let c = from_server(&loopback, "pg", None, Some("203.0.113.7"));
    assert_eq!(c.address, None);
    let n = note(&c, NoteCode::NotPublished);
    assert!(n.title.contains("loopback only"), "{}", n.title);
    assert_eq!(n.why, crate::domain::reachability::cause::OTHER_SERVER_WHY);
    assert!(
        said(n).contains("ssh -N -L 15432:127.0.0.1:15432"),
        "{}",
        said(n)
    );

    let t = recorded();
    let c = from_server(&t, APP, None, Some("203.0.113.7"));
    assert_eq!(c.address, None);
    let n = note(&c, NoteCode::NotPublished);
    // The same rule the model gives for a name asked from another server.
    let model = crate::domain::reachability::Model::new(&t);
    let asked = crate::domain::reachability::Address::parse(APP).expect("a name");
    let decided = model.between(&Source::Server("app-1".into()), &asked, c.port);
    let cause = decided.cause.expect("blocked from another server");
    assert_eq!(cause.code, CauseCode::NamesStayOnTheirServer);
    assert_eq!(n.why, cause.why);
    assert_eq!(n.fix, cause.fix);
    // The app is routed: its domain is offered, as the fix says.
    assert!(
        c.alternatives
            .iter()
            .any(|a| a.address.url.starts_with("http")),
        "{:#?}",
        c.alternatives
    );
    assert!(
        said(n).contains("through this server's proxy"),
        "{}",
        said(n)
    );
}

#[test]
fn another_server_is_written_in_the_url_by_name_and_refused_when_the_name_is_not_one() {
    let s = Source::parse("~server:app-1").expect("parses");
    assert_eq!(s, Source::Server("app-1".into()));
    assert_eq!(s.param(), "~server:app-1");
    assert_eq!(s.to_string(), "an app on server app-1");
    assert!(Source::parse("~server:a;b").is_err());
    assert!(Source::parse("~server:").is_err());
}
