//! "port is already allocated": two containers want one host port, or one takes Coolify's.

use super::{is_proxy, join, proxy_kind, proxy_name, Finding, FindingCode, Severity, Subject};
use crate::domain::containers::ContainerState;
use crate::domain::ports::{PortMapping, Protocol};
use crate::domain::problem::FixStep;
use crate::domain::proxy::ProxyKind;
use crate::domain::stacks::is_core;
use crate::domain::topology::{Container, Topology};
use std::collections::{BTreeMap, BTreeSet};

/// Who a reserved host port belongs to on a Coolify host (§1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Proxy,
    Core,
}

const RESERVED: [(u16, Protocol, Owner); 7] = [
    (80, Protocol::Tcp, Owner::Proxy),
    (443, Protocol::Tcp, Owner::Proxy),
    (443, Protocol::Udp, Owner::Proxy),
    (8080, Protocol::Tcp, Owner::Proxy),
    (8000, Protocol::Tcp, Owner::Core),
    (6001, Protocol::Tcp, Owner::Core),
    (6002, Protocol::Tcp, Owner::Core),
];

/// One host binding of one container.
struct Binding<'a> {
    container: &'a Container,
    port: u16,
    protocol: Protocol,
    ip: &'a str,
    mapping: &'a PortMapping,
}

pub fn check(t: &Topology) -> Vec<Finding> {
    let bindings: Vec<Binding<'_>> = t
        .containers
        .iter()
        .flat_map(|c| {
            c.published.iter().filter_map(move |p| {
                p.host.as_ref().map(|h| Binding {
                    container: c,
                    port: h.port,
                    protocol: p.protocol,
                    ip: h.ip.as_str(),
                    mapping: p,
                })
            })
        })
        .collect();
    let mut out = Vec::new();
    let mut conflicting: BTreeSet<(&str, u16, Protocol)> = BTreeSet::new();

    let mut by_port: BTreeMap<(u16, Protocol), Vec<&Binding<'_>>> = BTreeMap::new();
    for b in &bindings {
        by_port.entry((b.port, b.protocol)).or_default().push(b);
    }
    for ((port, protocol), group) in by_port {
        let mut involved: BTreeMap<&str, Vec<&Binding<'_>>> = BTreeMap::new();
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                if a.container.name != b.container.name && overlaps(a.ip, b.ip) {
                    involved
                        .entry(a.container.name.as_str())
                        .or_default()
                        .push(a);
                    involved
                        .entry(b.container.name.as_str())
                        .or_default()
                        .push(b);
                }
            }
        }
        if involved.is_empty() {
            continue;
        }
        for name in involved.keys() {
            conflicting.insert((name, port, protocol));
        }
        out.push(conflict(port, protocol, &involved));
    }

    // Reserved ports only mean something where Coolify runs.
    let coolify_here = t.proxy.is_some() || t.containers.iter().any(is_core);
    let mut reserved: BTreeMap<&str, Vec<(&Binding<'_>, Owner)>> = BTreeMap::new();
    for b in bindings.iter().filter(|_| coolify_here) {
        let owner = RESERVED
            .iter()
            .find(|(p, proto, _)| *p == b.port && *proto == b.protocol)
            .map(|(_, _, owner)| *owner);
        let Some(owner) = owner else {
            continue;
        };
        // Caddy publishes no 8080, so nothing of Coolify's wants it there.
        if b.port == 8080 && proxy_kind(t) == ProxyKind::Caddy {
            continue;
        }
        let owns = match owner {
            Owner::Proxy => is_proxy(t, b.container),
            Owner::Core => is_core(b.container),
        };
        if owns || conflicting.contains(&(b.container.name.as_str(), b.port, b.protocol)) {
            continue;
        }
        reserved
            .entry(b.container.name.as_str())
            .or_default()
            .push((b, owner));
    }
    for taken in reserved.values() {
        if let Some((first, _)) = taken.first() {
            out.push(takes_reserved(t, first, taken));
        }
    }
    out.extend(blocked_starts(t, &bindings));
    out
}

/// Containers left `created` (or `exited`) holding no live port, whose `-p` asks for a host port
/// that a running container holds: starting them fails with "port is already allocated", and the
/// live bindings above never show them because a container that did not start binds nothing.
fn blocked_starts(t: &Topology, live: &[Binding<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in &t.containers {
        if !matches!(c.state, ContainerState::Created | ContainerState::Exited)
            || !c.published.is_empty()
        {
            continue;
        }
        let mut seen: BTreeSet<(u16, Protocol, &str)> = BTreeSet::new();
        for want in &c.requested {
            let Some(host) = want.host.as_ref().filter(|h| h.port != 0) else {
                continue;
            };
            let holders: Vec<&Binding<'_>> = live
                .iter()
                .filter(|b| {
                    b.container.name != c.name
                        && b.port == host.port
                        && b.protocol == want.protocol
                        && overlaps(b.ip, &host.ip)
                })
                .collect();
            if holders.is_empty() || !seen.insert((host.port, want.protocol, host.ip.as_str())) {
                continue;
            }
            out.push(blocked_start(c, want, &host.ip, host.port, &holders));
        }
    }
    out
}

/// `0.0.0.0` for "every address", as the Engine's error message writes it.
fn bind_address(ip: &str) -> &str {
    if ip.is_empty() {
        "0.0.0.0"
    } else {
        ip
    }
}

fn blocked_start(
    c: &Container,
    want: &PortMapping,
    ip: &str,
    port: u16,
    holders: &[&Binding<'_>],
) -> Finding {
    let proto = want.protocol.as_str();
    let asked = bind_address(ip);
    let held: BTreeMap<&str, BTreeSet<&str>> = holders.iter().fold(BTreeMap::new(), |mut m, b| {
        m.entry(b.container.name.as_str())
            .or_insert_with(BTreeSet::new)
            .insert(bind_address(b.ip));
        m
    });
    let who: Vec<String> = held
        .iter()
        .map(|(name, ips)| format!("{name} ({})", join(ips)))
        .collect();
    let holder_names: Vec<&str> = held.keys().copied().collect();
    let (now, severity) = if c.state == ContainerState::Created {
        ("it never started and stays Created", Severity::Blocking)
    } else {
        ("it will fail the next time it starts", Severity::Warning)
    };
    let host_side = |p: u16| {
        if ip.is_empty() {
            format!("{p}:{}", want.container_port)
        } else {
            format!("{ip}:{p}:{}", want.container_port)
        }
    };
    let mut subjects = vec![Subject::Container(c.name.to_string())];
    subjects.extend(
        holder_names
            .iter()
            .map(|n| Subject::Container((*n).to_owned())),
    );
    subjects.push(Subject::HostPort(port));
    Finding {
        code: FindingCode::HostPortConflict,
        severity,
        title: format!(
            "{} cannot start: host port {asked}:{port}/{proto} it asks for is held by {}.",
            c.name,
            join(&who)
        ),
        why: format!(
            "Only one socket can listen on a host port and address, and 0.0.0.0 or :: takes the port on every address. While {} holds it, starting {} fails with \"Bind for {asked}:{port} failed: port is already allocated\", so {now}.",
            join(&holder_names),
            c.name
        ),
        fix: vec![
            FixStep::run(
                "See every container that publishes it:",
                &format!("docker ps -a --filter publish={port}/{proto}"),
            ),
            FixStep::say(&format!(
                "Give {} another host port: change `{}` to a free one (e.g. `{}`) in Coolify's \"Ports Mappings\" or `-p` / compose `ports:`, and redeploy. Or remove the mapping: the proxy reaches containers without published ports.",
                c.name,
                host_side(port),
                host_side(port.saturating_add(10_000))
            )),
            FixStep::run(
                &format!("Or, if {} should not run, stop it and start {}:", join(&holder_names), c.name),
                &format!("docker stop {} && docker start {}", holder_names.join(" "), c.name),
            ),
        ],
        subjects,
    }
}

/// Two bindings of one port clash when they share an address, or when either takes them all.
fn overlaps(a: &str, b: &str) -> bool {
    let any = |ip: &str| matches!(ip, "" | "0.0.0.0" | "::");
    a == b || any(a) || any(b)
}

fn address(ip: &str) -> &str {
    if ip.is_empty() {
        "all interfaces"
    } else {
        ip
    }
}

fn conflict(
    port: u16,
    protocol: Protocol,
    involved: &BTreeMap<&str, Vec<&Binding<'_>>>,
) -> Finding {
    let who: Vec<String> = involved
        .iter()
        .map(|(name, bs)| {
            let ips: BTreeSet<&str> = bs.iter().map(|b| address(b.ip)).collect();
            format!("{name} ({})", join(ips))
        })
        .collect();
    let proto = protocol.as_str();
    let mut subjects: Vec<Subject> = involved
        .keys()
        .map(|n| Subject::Container((*n).to_owned()))
        .collect();
    subjects.push(Subject::HostPort(port));
    Finding {
        code: FindingCode::HostPortConflict,
        severity: Severity::Blocking,
        title: format!("Host port {port}/{proto} is claimed by {}.", join(&who)),
        why: "Only one socket can listen on a host port and address, and 0.0.0.0 or :: takes the port on every address. Whichever container starts second fails with \"port is already allocated\".".to_owned(),
        fix: vec![
            FixStep::run(
                "See every container that publishes it:",
                &format!("docker ps -a --filter publish={port}/{proto}"),
            ),
            FixStep::say(&format!(
                "Change the host side of one mapping to a free port (e.g. `{}:{}` in Coolify's \"Ports Mappings\" or compose `ports:`), or remove it: the proxy reaches containers without published ports.",
                port.saturating_add(10_000),
                involved
                    .values()
                    .flatten()
                    .next()
                    .map_or(port, |b| b.mapping.container_port)
            )),
        ],
        subjects,
    }
}

/// `first` is `taken[0]`: the binding the example mapping is made from.
fn takes_reserved(t: &Topology, first: &Binding<'_>, taken: &[(&Binding<'_>, Owner)]) -> Finding {
    let c = first.container;
    let ports: BTreeSet<String> = taken
        .iter()
        .map(|(b, _)| format!("{}/{}", b.port, b.protocol.as_str()))
        .collect();
    let owners: BTreeSet<String> = taken
        .iter()
        .map(|(_, o)| match o {
            Owner::Proxy => format!("Coolify's proxy ({})", proxy_name(t)),
            Owner::Core => "Coolify's dashboard and realtime server (coolify)".to_owned(),
        })
        .collect();
    let mut subjects = vec![Subject::Container(c.name.to_string())];
    subjects.extend(taken.iter().map(|(b, _)| Subject::HostPort(b.port)));
    Finding {
        code: FindingCode::HostPortConflict,
        severity: Severity::Warning,
        title: format!(
            "{} holds host port{} {}, reserved on a Coolify host for {}.",
            c.name,
            if ports.len() == 1 { "" } else { "s" },
            join(&ports),
            join(&owners)
        ),
        why: "Coolify's proxy publishes 80, 443 (tcp and udp) and 8080, and Coolify itself 8000, 6001 and 6002. While another container holds one of them, the proxy or Coolify cannot start, or restart after an update, and fails with \"port is already allocated\".".to_owned(),
        fix: vec![
            FixStep::run(&format!("See {}'s mappings:", c.name), &format!("docker port {}", c.name)),
            FixStep::say(&format!(
                "Map {} to another host port (e.g. `{}:{}`) in its \"Ports Mappings\" in Coolify or its compose `ports:`, and redeploy.",
                c.name,
                first.port.saturating_add(10_000),
                first.mapping.container_port
            )),
        ],
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        container, host, on, publishing, recorded, recorded_from, requesting, text,
    };
    use super::*;

    /// Recorded on Engine 20.10: `ndfx-holder` runs with `-p 127.0.0.1:33551:80`; `ndfx-second`
    /// asks for the same and `docker start` failed with "port is already allocated".
    const LEFT_CREATED: &str = include_str!("../fixtures/port-conflict-api-1.41.json");

    fn created(name: &str) -> Container {
        let mut c = container(name);
        c.state = ContainerState::Created;
        c
    }

    #[test]
    fn a_container_left_created_by_a_taken_host_port_names_the_holder_and_the_fix() {
        let holder = requesting(
            publishing(container("grafana"), "0.0.0.0", 3000, 3000),
            "",
            3000,
            3000,
        );
        let blocked = requesting(created("metabase"), "127.0.0.1", 3000, 3000);
        let found = check(&host(vec![holder, blocked], Vec::new()));
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.severity, Severity::Blocking);
        assert_eq!(
            f.title,
            "metabase cannot start: host port 127.0.0.1:3000/tcp it asks for is held by grafana (0.0.0.0)."
        );
        assert!(f
            .why
            .contains("\"Bind for 127.0.0.1:3000 failed: port is already allocated\""));
        assert!(
            f.fix[1].text.contains("change `127.0.0.1:3000:3000`"),
            "{}",
            f.fix[1].text
        );
        assert!(f.fix[1].text.contains("`127.0.0.1:13000:3000`"));
        assert!(f.fix[1].text.contains("\"Ports Mappings\""));
        assert_eq!(
            f.fix[2].command.as_deref(),
            Some("docker stop grafana && docker start metabase")
        );
        assert_eq!(
            f.subjects,
            [
                Subject::Container("metabase".into()),
                Subject::Container("grafana".into()),
                Subject::HostPort(3000)
            ]
        );
    }

    #[test]
    fn an_exited_container_whose_port_is_now_taken_will_fail_on_its_next_start() {
        let holder = publishing(container("new-app"), "", 8081, 80);
        let mut old = requesting(container("old-app"), "", 8081, 80);
        old.state = ContainerState::Exited;
        let found = check(&host(vec![holder, old], Vec::new()));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(found[0]
            .title
            .starts_with("old-app cannot start: host port 0.0.0.0:8081/tcp"));
        assert!(text(&found[0]).contains("the next time it starts"));
    }

    #[test]
    fn a_stopped_container_asking_for_a_free_or_random_port_or_another_address_is_fine() {
        let holder = publishing(container("web"), "127.0.0.1", 8080, 80);
        let other_port = requesting(created("a"), "", 8081, 80);
        let random = requesting(created("b"), "", 0, 80);
        let other_ip = requesting(created("c"), "10.0.0.5", 8080, 80);
        let mut udp = requesting(created("d"), "", 8080, 80);
        udp.requested[0].protocol = Protocol::Udp;
        let found = check(&host(
            vec![holder, other_port, random, other_ip, udp],
            Vec::new(),
        ));
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn the_recorded_container_left_created_by_port_is_already_allocated_is_found() {
        let t = recorded_from(LEFT_CREATED);
        let second = t.container("ndfx-second").expect("recorded");
        assert_eq!(second.state, ContainerState::Created);
        assert!(second.published.is_empty());
        let found = check(&t);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            found[0].title,
            "ndfx-second cannot start: host port 127.0.0.1:33551/tcp it asks for is held by ndfx-holder (127.0.0.1)."
        );
        assert!(found[0].subjects.contains(&Subject::HostPort(33551)));
    }

    #[test]
    fn two_containers_on_the_same_host_port_block_each_other() {
        let a = publishing(container("grafana"), "0.0.0.0", 3000, 3000);
        let b = publishing(container("metabase"), "127.0.0.1", 3000, 3000);
        let found = check(&host(vec![a, b], Vec::new()));
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.severity, Severity::Blocking);
        assert_eq!(
            f.title,
            "Host port 3000/tcp is claimed by grafana (0.0.0.0) and metabase (127.0.0.1)."
        );
        assert_eq!(
            f.fix[0].command.as_deref(),
            Some("docker ps -a --filter publish=3000/tcp")
        );
    }

    #[test]
    fn different_addresses_or_protocols_share_a_port_fine() {
        let a = publishing(container("a"), "127.0.0.1", 53, 53);
        let b = publishing(container("b"), "10.0.0.5", 53, 53);
        let mut c = publishing(container("c"), "10.0.0.6", 53, 53);
        c.published[0].protocol = Protocol::Udp;
        let d = publishing(container("d"), "10.0.0.6", 53, 53);
        assert!(check(&host(vec![a, b, c, d], Vec::new())).is_empty());
    }

    #[test]
    fn one_containers_ipv4_and_ipv6_bindings_are_not_a_conflict() {
        let proxy = publishing(
            publishing(
                on(container("coolify-proxy"), "coolify", &[]),
                "0.0.0.0",
                80,
                80,
            ),
            "::",
            80,
            80,
        );
        assert!(check(&host(vec![proxy], Vec::new())).is_empty());
    }

    #[test]
    fn an_app_mapping_8080_takes_the_traefik_dashboard_port() {
        let proxy = on(container("coolify-proxy"), "coolify", &[]);
        let app = publishing(on(container("my-app"), "coolify", &[]), "", 8080, 80);
        let found = check(&host(vec![proxy, app], Vec::new()));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(
            found[0].title,
            "my-app holds host port 8080/tcp, reserved on a Coolify host for Coolify's proxy (coolify-proxy)."
        );
        assert!(found[0].fix[1].text.contains("`18080:80`"));
    }

    #[test]
    fn a_plain_docker_host_has_no_reserved_ports() {
        let nginx = publishing(container("nginx"), "0.0.0.0", 80, 80);
        assert!(check(&host(vec![nginx], Vec::new())).is_empty());
    }

    #[test]
    fn coolify_and_its_proxy_on_their_own_ports_are_not_conflicts() {
        assert!(check(&recorded()).is_empty());
    }
}
