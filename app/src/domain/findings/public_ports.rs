//! "I thought my database was private": ports published on all interfaces bypass UFW.

use super::{is_proxy, join, proxy_kind, Finding, FindingCode, Severity, Subject};
use crate::domain::coolify::{is_coolify_uuid, CoolifyKind};
use crate::domain::ports::PortMapping;
use crate::domain::problem::FixStep;
use crate::domain::proxy::ProxyKind;
use crate::domain::stacks::is_core;
use crate::domain::topology::{Container, Topology};
use std::collections::BTreeSet;

/// The proxy's 80 and 443 are the point of the proxy: never reported. Coolify's own 8000, 6001
/// and 6002 and Traefik's 8080 are published by Coolify's installer on every host, so they are
/// Info (worth closing, not a mistake); everything else on all interfaces is a Warning.
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in &t.containers {
        let open: Vec<&PortMapping> = c
            .published
            .iter()
            .filter(|p| p.host.as_ref().is_some_and(|h| h.is_all_interfaces()))
            .collect();
        let (expected, unexpected): (Vec<&PortMapping>, Vec<&PortMapping>) = open
            .into_iter()
            .filter(|p| !(is_proxy(t, c) && matches!(host_port(p), 80 | 443)))
            .partition(|p| is_expected(t, c, host_port(p)));
        if !expected.is_empty() {
            out.push(expected_finding(t, c, &expected));
        }
        if !unexpected.is_empty() {
            out.push(unexpected_finding(t, c, &unexpected));
        }
    }
    out
}

fn host_port(p: &PortMapping) -> u16 {
    p.host.as_ref().map_or(0, |h| h.port)
}

fn is_expected(t: &Topology, c: &Container, port: u16) -> bool {
    (is_proxy(t, c) && port == 8080 && proxy_kind(t) != ProxyKind::Caddy)
        || (is_core(c) && matches!(port, 8000 | 6001 | 6002))
}

fn shown(ports: &[&PortMapping]) -> String {
    join(ports.iter().map(|p| p.to_string()))
}

fn subjects(c: &Container, ports: &[&PortMapping]) -> Vec<Subject> {
    let mut s = vec![Subject::Container(c.name.to_string())];
    let distinct: BTreeSet<u16> = ports.iter().map(|p| host_port(p)).collect();
    s.extend(distinct.into_iter().map(Subject::HostPort));
    s
}

/// One DOCKER-USER rule per published port (and its IPv6 twin when bound on `::`). The match is
/// on `--ctorigdstport` because Docker's DNAT has already rewritten the destination port.
pub(crate) fn docker_user_rules(ports: &[&PortMapping]) -> Vec<FixStep> {
    let distinct: BTreeSet<(u16, &str)> = ports
        .iter()
        .map(|p| (host_port(p), p.protocol.as_str()))
        .collect();
    let v6 = ports
        .iter()
        .any(|p| p.host.as_ref().is_some_and(|h| h.ip.contains(':')));
    let mut steps = Vec::new();
    for (port, proto) in distinct {
        steps.push(FixStep::run(
            "Or let only trusted addresses in, in the DOCKER-USER chain (set TRUSTED_CIDR first, e.g. TRUSTED_CIDR=198.51.100.7/32):",
            &format!(
                "sudo iptables -I DOCKER-USER -p {proto} -m conntrack --ctorigdstport {port} --ctdir ORIGINAL ! -s \"$TRUSTED_CIDR\" -j DROP"
            ),
        ));
        if v6 {
            steps.push(FixStep::run(
                "The same for IPv6 (set TRUSTED_CIDR6, e.g. 2001:db8::/48):",
                &format!(
                    "sudo ip6tables -I DOCKER-USER -p {proto} -m conntrack --ctorigdstport {port} --ctdir ORIGINAL ! -s \"$TRUSTED_CIDR6\" -j DROP"
                ),
            ));
        }
    }
    steps
}

pub(crate) const UFW_RULE: &str = "Docker writes its own iptables rules for published ports, ahead of UFW's, so `ufw deny` does not close them; only rules in the DOCKER-USER chain, or a firewall outside the host, filter them.";

fn expected_finding(t: &Topology, c: &Container, ports: &[&PortMapping]) -> Finding {
    let (what, origin, setting) = if is_proxy(t, c) {
        (
            "Traefik's dashboard port",
            "Coolify's default proxy configuration publishes 8080:8080 for the Traefik dashboard.",
            "If you do not use the Traefik dashboard from outside, remove the `8080:8080` line in Coolify under Servers › Proxy › Configuration and restart the proxy.".to_owned(),
        )
    } else {
        (
            "Coolify's dashboard and realtime ports",
            "Coolify publishes its dashboard (8000) and realtime server (6001, 6002) so it can be reached by IP before it has a domain.",
            "Once the Coolify dashboard has a domain served by the proxy, these need not be open to the internet: close them in DOCKER-USER or in your cloud firewall.".to_owned(),
        )
    };
    let mut fix = vec![FixStep::say(&setting)];
    fix.extend(docker_user_rules(ports));
    Finding {
        code: FindingCode::PublishedOnAllInterfaces,
        severity: Severity::Info,
        title: format!(
            "{} publishes {what} on all interfaces: {}.",
            c.name,
            shown(ports)
        ),
        why: format!("{origin} {UFW_RULE}"),
        fix,
        subjects: subjects(c, ports),
    }
}

/// `{uuid}-proxy` next to a database `{uuid}`: Coolify's public TCP proxy for that database.
fn public_database<'a>(t: &'a Topology, c: &Container) -> Option<&'a Container> {
    let uuid = c.name.as_str().strip_suffix("-proxy")?;
    if !is_coolify_uuid(uuid) {
        return None;
    }
    t.container(uuid).filter(|db| {
        db.coolify
            .as_ref()
            .is_some_and(|i| i.kind == CoolifyKind::Database)
    })
}

fn unexpected_finding(t: &Topology, c: &Container, ports: &[&PortMapping]) -> Finding {
    let (host, inside) = ports
        .first()
        .map_or((0, 0), |p| (host_port(p), p.container_port));
    let loopback = format!("127.0.0.1:{host}:{inside}");
    let setting = if let Some(db) = public_database(t, c) {
        let name = db
            .coolify
            .as_ref()
            .and_then(|i| i.resource_name.as_deref())
            .map_or_else(|| db.name.to_string(), |n| format!("{n} ({})", db.name));
        format!(
            "{} is Coolify's public proxy for the database {name}. If the database need not be public, turn off \"Make it publicly available\" in its settings in Coolify.",
            c.name
        )
    } else if c.stack().is_some() {
        format!(
            "In the stack's compose file in Coolify, remove the `ports:` entry (the proxy and the stack reach it without one) or bind it to the host's loopback: `{loopback}`."
        )
    } else if c
        .coolify
        .as_ref()
        .is_some_and(|i| i.kind == CoolifyKind::Application)
    {
        format!(
            "In Coolify, remove the mapping from the application's \"Ports Mappings\" (the proxy reaches the app without it) or bind it to the host's loopback: `{loopback}`."
        )
    } else {
        format!(
            "If only the host needs it, recreate {} with `-p {loopback}`.",
            c.name
        )
    };
    let mut fix = vec![FixStep::say(&setting)];
    fix.extend(docker_user_rules(ports));
    Finding {
        code: FindingCode::PublishedOnAllInterfaces,
        severity: Severity::Warning,
        title: format!(
            "{} is published on all interfaces ({}), so it is reachable from the internet even with UFW on.",
            c.name,
            shown(ports)
        ),
        why: UFW_RULE.to_owned(),
        fix,
        subjects: subjects(c, ports),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, host, on, publishing, recorded, PUBLIC_DB_PROXY};
    use super::*;

    #[test]
    fn a_public_database_proxy_on_all_interfaces_is_a_firewall_warning() {
        let found = check(&recorded());
        let f = found
            .iter()
            .find(|f| f.title.starts_with(PUBLIC_DB_PROXY))
            .expect("the public database proxy is reported");
        assert_eq!(f.severity, Severity::Warning);
        assert!(f
            .title
            .contains("0.0.0.0:5433->5433/tcp and [::]:5433->5433/tcp"));
        assert!(f.fix[0].text.contains("Make it publicly available"));
        assert!(f.fix[0].text.contains("postgresql-database"));
        assert!(f
            .fix
            .iter()
            .any(|s| s.command.as_deref().is_some_and(|c| c.starts_with(
                "sudo iptables -I DOCKER-USER -p tcp -m conntrack --ctorigdstport 5433"
            ))));
        assert!(f.fix.iter().any(|s| s
            .command
            .as_deref()
            .is_some_and(|c| c.starts_with("sudo ip6tables"))));
        assert_eq!(
            f.subjects,
            [
                Subject::Container(PUBLIC_DB_PROXY.into()),
                Subject::HostPort(5433)
            ]
        );
    }

    #[test]
    fn the_proxys_80_and_443_are_expected_and_8080_is_only_information() {
        let found = check(&recorded());
        let proxy: Vec<&Finding> = found
            .iter()
            .filter(|f| f.title.starts_with("coolify-proxy"))
            .collect();
        assert_eq!(proxy.len(), 1, "{proxy:#?}");
        assert_eq!(proxy[0].severity, Severity::Info);
        assert!(
            proxy[0].title.contains("8080")
                && !proxy[0].title.contains(":80->")
                && !proxy[0].title.contains("443")
        );
    }

    #[test]
    fn coolifys_own_dashboard_port_is_only_information() {
        let found = check(&recorded());
        let core = found
            .iter()
            .find(|f| f.title.starts_with("coolify publishes"))
            .expect("8000 is listed");
        assert_eq!(core.severity, Severity::Info);
        assert!(core.title.contains("0.0.0.0:8000->8080/tcp"));
    }

    #[test]
    fn ports_published_on_loopback_are_private() {
        let t = host(
            vec![publishing(
                on(container("adminer"), "coolify", &[]),
                "127.0.0.1",
                8081,
                8080,
            )],
            Vec::new(),
        );
        assert!(check(&t).is_empty());
    }

    #[test]
    fn an_unlabelled_container_is_told_to_bind_to_loopback() {
        let t = host(
            vec![publishing(container("grafana"), "", 3000, 3000)],
            Vec::new(),
        );
        let found = check(&t);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix[0].text.contains("-p 127.0.0.1:3000:3000"));
        assert!(found.iter().all(|f| f.fix.iter().all(|s| !s
            .command
            .as_deref()
            .unwrap_or("")
            .contains("ip6tables"))));
    }
}
