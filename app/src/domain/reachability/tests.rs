//! `between` on the recorded Coolify destination (scripts/record-fixtures.sh, Engine 20.10):
//! a standalone database, a service stack (n8n + postgresql), a compose app (web + postgres)
//! joined to the destination, an internal network, a `none` container, a Created container and
//! the default bridge.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::matrix::{matrix, Scope};
use super::*;
use crate::domain::findings::test_support::{container, get_mut, on, recorded};

const APP: &str = "jk8c0wc4ok80s0gkcgwgo4s8-142311873944";
const N8N: &str = "n8n-qg8s4kc0w4wsgk0k8c0ww8o4";
const STACK_DB: &str = "postgresql-qg8s4kc0w4wsgk0k8c0ww8o4";
const WEB: &str = "web-b4k8w0gcc8sk4oowc84wg0o8-095730391184";
const COMPOSE_DB: &str = "postgres-b4k8w0gcc8sk4oowc84wg0o8-095730391184";
const STANDALONE_DB: &str = "ro8kcog4kso4ck0ows4k4wkw";

fn from(name: &str) -> Source {
    Source::Container(ContainerName::parse(name).unwrap())
}

fn ask(t: &Topology, source: &Source, to: &str, port: Option<u16>) -> Reachability {
    between(t, source, &Address::parse(to).unwrap(), port)
}

fn cause_of(r: &Reachability) -> CauseCode {
    r.cause
        .as_ref()
        .unwrap_or_else(|| panic!("blocked: {r:#?}"))
        .code
}

fn lands(r: &Reachability, name: &str) {
    assert!(r.reaches(), "{} reaches {name}: {r:#?}", r.from);
    assert_eq!(
        r.reached,
        Reached::Container(ContainerName::parse(name).unwrap())
    );
}

#[test]
fn a_network_alias_reaches_the_container_that_carries_it() {
    let mut t = recorded();
    let app = get_mut(&mut t, APP);
    let a = app
        .attachments
        .iter_mut()
        .find(|a| a.network == "coolify")
        .unwrap();
    a.aliases.push("my-express-api".into());
    a.dns_names.push("my-express-api".into());
    let r = ask(&t, &from("coolify-proxy"), "my-express-api", Some(3001));
    lands(&r, APP);
    assert_eq!(r.path.network.as_deref(), Some("coolify"));
    assert_eq!(r.path.ip.as_deref(), Some("192.168.144.6"));
    assert_eq!(r.resolution, Verdict::Yes);
}

#[test]
fn a_compose_service_name_reaches_its_peer_inside_the_stack() {
    let t = recorded();
    let r = ask(&t, &from(N8N), "postgresql", Some(5432));
    lands(&r, STACK_DB);
    assert_eq!(r.path.network.as_deref(), Some("qg8s4kc0w4wsgk0k8c0ww8o4"));
    assert!(!r.ambiguous());
}

#[test]
fn a_name_two_containers_answer_to_is_reachable_and_ambiguous() {
    let t = recorded();
    // `postgres` is coolify-db's alias and the compose app's database service on `coolify`.
    let r = ask(&t, &from(APP), "postgres", Some(5432));
    assert!(r.reaches());
    assert!(r.ambiguous(), "{r:#?}");
    let names: Vec<&str> = r
        .path
        .resolves_to
        .iter()
        .map(ContainerName::as_str)
        .collect();
    assert_eq!(names, ["coolify-db", COMPOSE_DB]);
}

#[test]
fn a_container_on_no_shared_network_is_blocked_with_coolifys_setting_as_the_fix() {
    let t = recorded();
    let r = ask(&t, &from(N8N), STANDALONE_DB, Some(5432));
    assert_eq!(cause_of(&r), CauseCode::NoSharedNetwork);
    assert_eq!(
        r.target.as_ref().map(ContainerName::as_str),
        Some(STANDALONE_DB)
    );
    let cause = r.cause.unwrap();
    assert!(cause.title.contains("share no network"), "{}", cause.title);
    assert!(
        cause
            .fix
            .iter()
            .any(|f| f.text.contains("Connect To Predefined Network")),
        "{:#?}",
        cause.fix
    );
    assert!(
        cause.fix.iter().any(|f| f.command.as_deref()
            == Some(&format!("docker network connect coolify {N8N}") as &str)),
        "{:#?}",
        cause.fix
    );
}

#[test]
fn another_stacks_service_name_names_its_container_and_says_they_share_no_network() {
    let t = recorded();
    let r = ask(&t, &from(N8N), "web", Some(3000));
    assert_eq!(cause_of(&r), CauseCode::NoSharedNetwork);
    assert_eq!(r.target.as_ref().map(ContainerName::as_str), Some(WEB));
}

#[test]
fn an_alias_set_on_another_network_says_which_name_to_use_instead() {
    let mut t = recorded();
    let web = get_mut(&mut t, WEB);
    let a = web
        .attachments
        .iter_mut()
        .find(|a| a.network == "b4k8w0gcc8sk4oowc84wg0o8")
        .unwrap();
    a.dns_names.push("frontend".into());
    // internal-only shares only backend-only with web, where web answers to `web`.
    let r = ask(&t, &from("internal-only"), "frontend", Some(3000));
    assert_eq!(cause_of(&r), CauseCode::NameOnOtherNetwork);
    let cause = r.cause.unwrap();
    assert!(
        cause.fix[0].text.starts_with("Use `web:3000` instead"),
        "{:#?}",
        cause.fix
    );
}

#[test]
fn peers_on_an_internal_network_reach_each_other_and_the_gateway_but_not_the_outside() {
    let t = recorded();
    lands(&ask(&t, &from("internal-only"), "web", Some(3000)), WEB);
    let gateway = ask(&t, &from("internal-only"), "192.168.192.1", None);
    assert!(gateway.reaches());
    assert_eq!(gateway.reached, Reached::Host);
    let outside = ask(&t, &from("internal-only"), "10.9.9.9", Some(443));
    assert_eq!(cause_of(&outside), CauseCode::InternalNetworkOnly);
    assert_eq!(outside.ip, Verdict::No);
}

#[test]
fn an_outside_address_from_a_normal_network_is_left_to_the_outside() {
    let t = recorded();
    let r = ask(&t, &from(APP), "10.9.9.9", Some(443));
    assert!(r.cause.is_none());
    assert_eq!(r.ip, Verdict::Unknown);
    assert_eq!(r.reached, Reached::Outside);
    let name = ask(&t, &from(APP), "api.example.com", Some(443));
    assert_eq!(name.resolution, Verdict::Unknown);
    assert!(name.cause.is_none());
}

#[test]
fn an_ip_reaches_only_over_a_network_the_source_is_on() {
    let t = recorded();
    // web's address on its stack network, which the app is not on.
    let r = ask(&t, &from(APP), "192.168.176.3", Some(3000));
    assert_eq!(cause_of(&r), CauseCode::IpOnOtherNetwork);
    assert_eq!(r.resolution, Verdict::NotNeeded);
    // The compose database's address on `coolify`, which the app is on.
    let ok = ask(&t, &from(APP), "192.168.144.7", Some(5432));
    lands(&ok, COMPOSE_DB);
    assert_eq!(ok.resolution, Verdict::NotNeeded);
}

#[test]
fn containers_sharing_only_the_default_bridge_reach_by_ip_but_not_by_name() {
    let mut t = recorded();
    let mut second = on(container("bridge-peer"), "bridge", &[]);
    second.attachments[0].ipv4 = Some("172.17.0.3".into());
    t.containers.push(second);
    let by_name = ask(&t, &from("bridge-peer"), "coolify-sentinel", None);
    assert_eq!(cause_of(&by_name), CauseCode::DefaultBridgeOnly);
    lands(
        &ask(&t, &from("bridge-peer"), "172.17.0.2", None),
        "coolify-sentinel",
    );
}

#[test]
fn a_none_container_reaches_nothing_and_nothing_reaches_it() {
    let t = recorded();
    assert_eq!(
        cause_of(&ask(&t, &from("isolated"), "coolify", None)),
        CauseCode::SourceNoNetwork
    );
    assert_eq!(
        cause_of(&ask(&t, &from(APP), "isolated", None)),
        CauseCode::TargetNoNetwork
    );
    lands(
        &ask(&t, &from("isolated"), "localhost", Some(80)),
        "isolated",
    );
}

#[test]
fn a_container_that_is_not_running_blocks_either_end() {
    let t = recorded();
    assert_eq!(
        cause_of(&ask(&t, &from(APP), "stopped-worker", None)),
        CauseCode::TargetStopped
    );
    assert_eq!(
        cause_of(&ask(&t, &from("stopped-worker"), "coolify", None)),
        CauseCode::SourceStopped
    );
    let gone = between(
        &t,
        &from("no-such-container"),
        &Address::parse("coolify").unwrap(),
        None,
    );
    assert_eq!(cause_of(&gone), CauseCode::UnknownSource);
}

#[test]
fn host_docker_internal_resolves_only_where_the_extra_host_is_set() {
    let mut t = recorded();
    assert_eq!(
        cause_of(&ask(&t, &from(APP), "host.docker.internal", Some(8000))),
        CauseCode::HostGatewayNotDefined
    );
    get_mut(&mut t, APP).extra_hosts = vec!["host.docker.internal:host-gateway".into()];
    let r = ask(&t, &from(APP), "host.docker.internal", Some(8000));
    assert!(r.reaches());
    assert_eq!(r.reached, Reached::Host);
    assert_eq!(
        r.path.published_by.as_ref().map(ContainerName::as_str),
        Some("coolify")
    );
}

#[test]
fn from_the_host_names_do_not_resolve_but_ips_and_published_ports_do() {
    let t = recorded();
    let name = ask(&t, &Source::Host, N8N, Some(5678));
    assert_eq!(cause_of(&name), CauseCode::HostCannotResolveNames);
    lands(&ask(&t, &Source::Host, "192.168.160.3", Some(5678)), N8N);
    let published = ask(&t, &Source::Host, "127.0.0.1", Some(8000));
    lands(&published, "coolify");
    assert_eq!(
        published
            .path
            .published_by
            .as_ref()
            .map(ContainerName::as_str),
        Some("coolify")
    );
    let db = ask(&t, &Source::Host, "localhost", Some(5433));
    lands(&db, "ro8kcog4kso4ck0ows4k4wkw-proxy");
}

#[test]
fn a_typo_is_an_unknown_name_not_an_outside_address() {
    let t = recorded();
    assert_eq!(
        cause_of(&ask(&t, &from(N8N), "postgresq", Some(5432))),
        CauseCode::UnknownName
    );
}

#[test]
fn the_matrix_of_a_stack_is_open_inside_and_blocked_to_the_outside_stack() {
    let t = recorded();
    let stack = matrix(&t, &Scope::parse("stack:qg8s4kc0w4wsgk0k8c0ww8o4").unwrap());
    let names: Vec<&str> = stack.containers.iter().map(ContainerName::as_str).collect();
    assert_eq!(names, [N8N, STACK_DB]);
    let n8n_to_db = stack.cells[0][1].as_ref().unwrap();
    assert_eq!(n8n_to_db.address, "postgresql");
    assert_eq!(n8n_to_db.port, Some(5432));
    assert_eq!(n8n_to_db.verdict, Verdict::Yes);
    assert!(stack.cells[0][0].is_none());

    let all = matrix(&t, &Scope::All);
    let i = all
        .containers
        .iter()
        .position(|c| c.as_str() == N8N)
        .unwrap();
    let j = all
        .containers
        .iter()
        .position(|c| c.as_str() == STANDALONE_DB)
        .unwrap();
    let blocked = all.cells[i][j].as_ref().unwrap();
    assert_eq!(blocked.cause, Some(CauseCode::NoSharedNetwork));
    let (open, total) = all.counts();
    assert!(open > 0 && open < total, "{open} of {total}");
}

#[test]
fn scopes_parse_strictly() {
    assert_eq!(Scope::parse("").unwrap(), Scope::All);
    assert_eq!(
        Scope::parse("network:coolify").unwrap(),
        Scope::Network("coolify".into())
    );
    assert!(Scope::parse("galaxy:x").is_err());
    assert!(Scope::parse("network:").is_err());
    assert!(Scope::parse("network:a\u{7}").is_err());
}

#[test]
fn the_wizard_suggests_the_names_the_source_should_use_open_ones_first() {
    let t = recorded();
    let s = super::matrix::suggestions(&t, N8N);
    let db = s
        .iter()
        .position(|(v, _)| v == "postgresql:5432")
        .expect("the stack's database by its service name");
    assert!(s[db].1.contains("reachable"), "{}", s[db].1);
    let first_blocked = s
        .iter()
        .position(|(_, l)| !l.ends_with("reachable"))
        .expect("some are blocked");
    assert!(db < first_blocked, "open ones first: {s:#?}");
    let blocked = s
        .iter()
        .find(|(v, _)| v.starts_with(STANDALONE_DB))
        .expect("the standalone database is offered");
    assert!(blocked.1.contains("no shared network"), "{}", blocked.1);
    assert!(super::matrix::suggestions(&t, "no-such").is_empty());
}

#[test]
fn a_name_registered_on_two_shared_networks_is_offered_once_on_the_first() {
    let t = crate::domain::findings::test_support::host(
        vec![
            on(on(container("web"), "front", &[]), "back", &[]),
            on(on(container("api-1"), "front", &["api"]), "back", &["api"]),
        ],
        Vec::new(),
    );
    let web = t.container("web").unwrap();
    let api = t.container("api-1").unwrap();
    let offered = naming::candidates(&t, web, api);
    let api_entries: Vec<&str> = offered
        .iter()
        .filter(|c| c.name == "api")
        .map(|c| c.network.as_str())
        .collect();
    assert_eq!(api_entries, ["back"], "{offered:#?}");
    let model = Model::new(&t);
    assert_eq!(
        model.best_name(web, api),
        Some(("api", "back")),
        "{offered:#?}"
    );
    assert_eq!(offered[0].name, "api");
}

#[test]
fn a_large_scope_is_summed_up_by_cause_with_the_first_pairs_of_each() {
    let t = recorded();
    let m = matrix(&t, &Scope::All);
    let groups = m.blocked_by_cause(2);
    let blocked = m
        .cells
        .iter()
        .flatten()
        .flatten()
        .filter(|c| c.cause.is_some())
        .count();
    assert!(blocked > 0);
    assert_eq!(
        groups.iter().map(|g| g.count).sum::<usize>(),
        blocked,
        "every blocked pair is in one group: {groups:#?}"
    );
    assert!(groups.windows(2).all(|w| w[0].count >= w[1].count));
    for g in &groups {
        assert!(!g.examples.is_empty() && g.examples.len() <= 2);
        for (from, to, cell) in &g.examples {
            let i = m.containers.iter().position(|c| c == from).unwrap();
            let j = m.containers.iter().position(|c| c == to).unwrap();
            assert_eq!(m.cells[i][j].as_ref(), Some(cell));
            assert_eq!(cell.cause, Some(g.cause));
        }
    }
}
