//! "Reach it at": the address other containers on a shared network should use for a container
//! — its name and internal port, as the Coolify docs teach — and a warning when that name
//! changes on every deploy.

use crate::domain::coolify::{name_stability, NameStability};
use crate::domain::ports::Protocol;
use crate::domain::proxy::PortSource;
use crate::domain::topology::Container;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachLine {
    pub network: String,
    pub host: String,
    pub port: u16,
    /// `http://host:port`.
    pub url: String,
    /// False when the host is a per-deploy name: the address breaks on the next deploy.
    pub stable: bool,
    /// Where the port comes from.
    pub port_from: PortFrom,
}

/// Why a port is offered: the image declares it, or only the proxy's route names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortFrom {
    Exposed,
    /// A route label (`loadbalancer.server.port`, `{{upstreams N}}`) names a port the image
    /// does not declare; the app listens there for the proxy, so other containers can use it.
    RouteLabel,
}

/// Why a container has no "reach it at" line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoReach {
    /// On no network where Docker's DNS resolves names (default bridge, `host`, `none`).
    NoNameResolution,
    /// Reachable by name — `host` on `network` — but no port is known: the image declares none
    /// and no route label names one.
    NoKnownPort { network: String, host: String },
}

/// One line per network that resolves names and per TCP port — the exposed ones, or when the
/// image declares none, the port its route labels send the proxy to. The host is the container's own name when it is
/// stable (always unique on the network), else a network alias (stable across deploys), else
/// the per-deploy name, marked unstable.
pub fn reach_lines(c: &Container) -> Vec<ReachLine> {
    let ports = known_ports(c);
    let mut lines = Vec::new();
    for (network, host, stable) in named_on(c) {
        for (port, port_from) in &ports {
            lines.push(ReachLine {
                network: network.clone(),
                url: format!("http://{host}:{port}"),
                host: host.clone(),
                port: *port,
                stable,
                port_from: *port_from,
            });
        }
    }
    lines
}

/// Why [`reach_lines`] is empty, `None` when it is not.
pub fn why_no_reach(c: &Container) -> Option<NoReach> {
    if !known_ports(c).is_empty() {
        return named_on(c)
            .next()
            .is_none()
            .then_some(NoReach::NoNameResolution);
    }
    Some(match named_on(c).next() {
        Some((network, host, _)) => NoReach::NoKnownPort { network, host },
        None => NoReach::NoNameResolution,
    })
}

/// (network, best host name there, stable) for each network that resolves names.
fn named_on(c: &Container) -> impl Iterator<Item = (String, String, bool)> + '_ {
    let name = c.name.as_str();
    let name_is_stable = name_stability(name) == NameStability::Stable;
    c.attachments
        .iter()
        .filter(|a| !a.dns_names.is_empty())
        .map(move |a| {
            let alias = a
                .dns_names
                .iter()
                .find(|n| n.as_str() != name && n.as_str() != c.short_id());
            let (host, stable) = match (name_is_stable, alias) {
                (true, _) => (name.to_owned(), true),
                (false, Some(alias)) => (alias.clone(), true),
                (false, None) => (name.to_owned(), false),
            };
            (a.network.clone(), host, stable)
        })
}

/// The exposed TCP ports; when the image declares none, the ports its own route labels name.
/// (When both exist and differ, the graph's "route port not exposed" finding explains it; the
/// address keeps to what the image declares.)
fn known_ports(c: &Container) -> Vec<(u16, PortFrom)> {
    let mut ports: Vec<(u16, PortFrom)> = c
        .exposed
        .iter()
        .filter(|p| p.protocol == Protocol::Tcp)
        .map(|p| (p.port, PortFrom::Exposed))
        .collect();
    if !ports.is_empty() {
        return ports;
    }
    for route in c.own_routes() {
        if let (Some(port), PortSource::Label) = (route.target_port, route.port_source) {
            if !ports.iter().any(|(p, _)| *p == port) {
                ports.push((port, PortFrom::RouteLabel));
            }
        }
    }
    ports
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::findings::test_support::{container, exposing, on, recorded, COMPOSE_WEB};

    #[test]
    fn a_stable_name_and_the_internal_port_make_the_address() {
        let t = recorded();
        let db = t.container("ro8kcog4kso4ck0ows4k4wkw").expect("db");
        let lines = reach_lines(db);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].url, "http://ro8kcog4kso4ck0ows4k4wkw:5432");
        assert!(lines[0].stable);
    }

    #[test]
    fn a_per_deploy_name_without_an_alias_is_marked_unstable() {
        let t = recorded();
        let app = t
            .container("jk8c0wc4ok80s0gkcgwgo4s8-142311873944")
            .expect("app");
        let lines = reach_lines(app);
        assert_eq!(
            lines[0].url,
            "http://jk8c0wc4ok80s0gkcgwgo4s8-142311873944:3001"
        );
        assert!(!lines[0].stable);
    }

    #[test]
    fn a_per_deploy_name_with_an_alias_uses_the_alias() {
        let t = recorded();
        let web = t
            .container("web-b4k8w0gcc8sk4oowc84wg0o8-095730391184")
            .expect("web");
        let lines = reach_lines(web);
        assert!(
            lines
                .iter()
                .all(|l| l.host == "web" && l.stable && l.port == 3000),
            "{lines:?}"
        );
    }

    #[test]
    fn containers_on_networks_without_dns_have_no_address() {
        let t = recorded();
        for name in ["coolify-sentinel", "isolated"] {
            let c = t.container(name).expect(name);
            assert!(reach_lines(c).is_empty());
            assert_eq!(why_no_reach(c), Some(NoReach::NoNameResolution), "{name}");
        }
    }

    #[test]
    fn a_route_labels_port_is_offered_when_the_image_declares_none() {
        // `httpd -p 80` in an image without EXPOSE, routed by Traefik labels to port 80; a
        // per-deploy name with an alias, so the alias is the address.
        let mut c = on(
            container("k8s0c4wskgcw0o8ss4kkg8og-141516171819"),
            "net",
            &["web-app"],
        );
        c.labels = [
            ("traefik.enable", "true"),
            ("traefik.http.routers.web.rule", "Host(`web.example.com`)"),
            ("traefik.http.services.web.loadbalancer.server.port", "80"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let lines = reach_lines(&c);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0].url, "http://web-app:80");
        assert!(lines[0].stable);
        assert_eq!(lines[0].port_from, PortFrom::RouteLabel);
        assert_eq!(why_no_reach(&c), None);
    }

    #[test]
    fn a_route_labels_port_is_not_added_beside_the_ports_the_image_exposes() {
        // The compose web service exposes 3000 while its route label says 8080: a finding
        // explains the mismatch; the address keeps to the declared port.
        let t = recorded();
        let web = t.container(COMPOSE_WEB).expect("web");
        let lines = reach_lines(web);
        assert!(!lines.is_empty());
        assert!(
            lines
                .iter()
                .all(|l| l.port_from == PortFrom::Exposed && l.port == 3000),
            "{lines:?}"
        );
    }

    #[test]
    fn a_named_container_without_any_known_port_says_its_name_and_that_the_port_is_unknown() {
        let c = on(container("worker"), "net", &[]);
        assert!(reach_lines(&c).is_empty());
        assert_eq!(
            why_no_reach(&c),
            Some(NoReach::NoKnownPort {
                network: "net".into(),
                host: "worker".into()
            })
        );
        let bridged = exposing(container("bridged"), &[80]);
        assert_eq!(why_no_reach(&bridged), Some(NoReach::NoNameResolution));
    }
}
