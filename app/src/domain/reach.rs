//! "Reach it at": the address other containers on each of a container's networks should use —
//! the name the reachability model picks for a peer there (unambiguous, stable, as Coolify
//! documents it) and the internal port — with a warning when that name changes on every deploy
//! or answers for another container too.

use crate::domain::names::ContainerName;
use crate::domain::ports::Protocol;
use crate::domain::proxy::PortSource;
use crate::domain::reachability::Model;
use crate::domain::topology::{Attachment, Container, Topology};
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
    /// Other containers the name answers for on that network: Docker's DNS returns any of them.
    pub also: Vec<ContainerName>,
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

/// What the container page shows under "Reach it at": the lines, or why there are none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachAt {
    pub lines: Vec<ReachLine>,
    pub none: Option<NoReach>,
}

/// "Reach it at" for container `c` of `t`.
pub fn reach_at(t: &Topology, c: &Container) -> ReachAt {
    let model = Model::new(t);
    let named = named_on(&model, c);
    let ports = known_ports(c);
    let none = match (named.first(), ports.is_empty()) {
        (None, _) => Some(NoReach::NoNameResolution),
        (Some(first), true) => Some(NoReach::NoKnownPort {
            network: first.network.clone(),
            host: first.host.clone(),
        }),
        (Some(_), false) => None,
    };
    let lines = named
        .iter()
        .flat_map(|n| {
            ports.iter().map(move |(port, port_from)| ReachLine {
                network: n.network.clone(),
                url: format!("http://{}:{port}", n.host),
                host: n.host.clone(),
                port: *port,
                stable: n.stable,
                also: n.also.clone(),
                port_from: *port_from,
            })
        })
        .collect();
    ReachAt { lines, none }
}

/// The best name of `c` on one of its networks, for a peer there.
struct Named {
    network: String,
    host: String,
    stable: bool,
    also: Vec<ContainerName>,
}

/// For each network of `c` where names resolve: the name the model would have a peer there use.
/// The peer is on that network alone and, on the stack's own network, in `c`'s compose project
/// (where the service name is the one to use); elsewhere it is outside the stack.
fn named_on(model: &Model<'_>, c: &Container) -> Vec<Named> {
    model
        .dns_networks(c)
        .filter_map(|network| {
            let peer = peer_on(c, network);
            let best = model.candidates(&peer, c).into_iter().next()?;
            Some(Named {
                network: network.to_owned(),
                also: best.holders.into_iter().filter(|h| *h != c.name).collect(),
                host: best.name,
                stable: best.stable,
            })
        })
        .collect()
}

/// A container on `network` only, in `c`'s compose project when `network` is that project's
/// own network.
fn peer_on(c: &Container, network: &str) -> Container {
    let mut peer = c.clone();
    peer.name = ContainerName::from_engine("netdoctor-peer");
    peer.id = String::new();
    peer.attachments = vec![Attachment {
        network: network.to_owned(),
        ipv4: None,
        ipv6: None,
        aliases: Vec::new(),
        dns_names: Vec::new(),
        dns_names_from_engine: false,
    }];
    if peer.compose.as_ref().is_some_and(|x| x.project != network) {
        peer.compose = None;
    }
    peer
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

    use crate::domain::findings::test_support::{
        container, exposing, host, on, recorded, COMPOSE_WEB,
    };

    fn lines_of(t: &Topology, name: &str) -> Vec<ReachLine> {
        reach_at(t, t.container(name).expect(name)).lines
    }

    fn alone(c: Container) -> ReachAt {
        let t = host(vec![c.clone()], Vec::new());
        reach_at(&t, t.container(c.name.as_str()).expect("the container"))
    }

    #[test]
    fn a_stable_name_and_the_internal_port_make_the_address() {
        let t = recorded();
        let lines = lines_of(&t, "ro8kcog4kso4ck0ows4k4wkw");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].url, "http://ro8kcog4kso4ck0ows4k4wkw:5432");
        assert!(lines[0].stable);
    }

    #[test]
    fn a_per_deploy_name_without_an_alias_is_marked_unstable() {
        let t = recorded();
        let lines = lines_of(&t, "jk8c0wc4ok80s0gkcgwgo4s8-142311873944");
        assert_eq!(
            lines[0].url,
            "http://jk8c0wc4ok80s0gkcgwgo4s8-142311873944:3001"
        );
        assert!(!lines[0].stable);
    }

    #[test]
    fn a_per_deploy_name_with_an_alias_uses_the_alias() {
        let t = recorded();
        let lines = lines_of(&t, "web-b4k8w0gcc8sk4oowc84wg0o8-095730391184");
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
            let at = reach_at(&t, t.container(name).expect(name));
            assert!(at.lines.is_empty());
            assert_eq!(at.none, Some(NoReach::NoNameResolution), "{name}");
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
        let at = alone(c);
        let lines = at.lines;
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0].url, "http://web-app:80");
        assert!(lines[0].stable);
        assert_eq!(lines[0].port_from, PortFrom::RouteLabel);
        assert_eq!(at.none, None);
    }

    #[test]
    fn a_route_labels_port_is_not_added_beside_the_ports_the_image_exposes() {
        // The compose web service exposes 3000 while its route label says 8080: a finding
        // explains the mismatch; the address keeps to the declared port.
        let t = recorded();
        let lines = lines_of(&t, COMPOSE_WEB);
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
        let at = alone(on(container("worker"), "net", &[]));
        assert!(at.lines.is_empty());
        assert_eq!(
            at.none,
            Some(NoReach::NoKnownPort {
                network: "net".into(),
                host: "worker".into()
            })
        );
        let bridged = alone(exposing(container("bridged"), &[80]));
        assert_eq!(bridged.none, Some(NoReach::NoNameResolution));
    }

    #[test]
    fn an_alias_another_container_also_carries_is_not_the_address_and_is_named_when_it_is() {
        // `api` is the alias of both on `net`: the unique container name is offered instead.
        let t = host(
            vec![
                exposing(on(container("api-blue"), "net", &["api"]), &[3000]),
                exposing(on(container("api-green"), "net", &["api"]), &[3000]),
            ],
            Vec::new(),
        );
        let lines = lines_of(&t, "api-blue");
        assert_eq!(lines[0].url, "http://api-blue:3000", "{lines:?}");
        assert!(lines[0].also.is_empty());

        // An alias equal to another container's name: `db` answers for both, so the only
        // name of db that is its alone is its short ID, which does not survive a recreate.
        let t = host(
            vec![
                exposing(on(container("db"), "net", &[]), &[5432]),
                exposing(on(container("db-old"), "net", &["db"]), &[5432]),
            ],
            Vec::new(),
        );
        let db = t.container("db").expect("db");
        let lines = lines_of(&t, "db");
        assert_eq!(lines[0].host, db.short_id());
        assert!(!lines[0].stable);
        assert!(lines[0].also.is_empty());

        // With no unique name left at all, the line says with whom it is shared.
        let mut t = t;
        for c in &mut t.containers {
            for a in &mut c.attachments {
                a.dns_names.retain(|n| n == "db");
            }
        }
        let lines = lines_of(&t, "db");
        assert_eq!(lines[0].host, "db");
        assert_eq!(lines[0].also, vec![ContainerName::from_engine("db-old")]);
    }
}
