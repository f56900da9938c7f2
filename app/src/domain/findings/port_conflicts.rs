//! "port is already allocated": two containers want one host port, or one takes Coolify's.

use super::{
    is_core, is_proxy, join, proxy_kind, proxy_name, Finding, FindingCode, Severity, Subject,
};
use crate::domain::ports::{PortMapping, Protocol};
use crate::domain::problem::FixStep;
use crate::domain::proxy::ProxyKind;
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
    out
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
    use super::super::test_support::{container, host, on, publishing, recorded};
    use super::*;

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
