//! Which port goes into the address: the target's internal port — one it exposes or the proxy
//! routes to — never the host port it may be published on, which only the host uses.

use crate::domain::connect::kind::ServiceKind;
use crate::domain::ports::Protocol;
use crate::domain::topology::{Container, Topology};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a port is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PortOrigin {
    /// `EXPOSE` in the image or `--expose`: the port the software says it listens on.
    Exposed,
    /// The port the proxy forwards web traffic to.
    Route,
}

/// A port the page offers for the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortOption {
    pub port: u16,
    pub origins: Vec<PortOrigin>,
    /// The host ports it is published on (`127.0.0.1:5433`), for the label only.
    pub published: Vec<String>,
}

impl PortOption {
    /// "5432 · exposed · published 0.0.0.0:5433".
    pub fn label(&self) -> String {
        let mut parts = vec![self.port.to_string()];
        for o in &self.origins {
            parts.push(
                match o {
                    PortOrigin::Exposed => "exposed",
                    PortOrigin::Route => "proxy routes here",
                }
                .to_owned(),
            );
        }
        if !self.published.is_empty() {
            parts.push(format!("published {}", self.published.join(", ")));
        }
        parts.join(" · ")
    }
}

/// The target's candidate ports, sorted: exposed TCP ports and route target ports.
pub fn port_options(t: &Topology, c: &Container) -> Vec<PortOption> {
    let mut by_port: BTreeMap<u16, PortOption> = BTreeMap::new();
    let mut add = |port: u16, origin: PortOrigin| {
        let o = by_port.entry(port).or_insert_with(|| PortOption {
            port,
            origins: Vec::new(),
            published: Vec::new(),
        });
        if !o.origins.contains(&origin) {
            o.origins.push(origin);
        }
    };
    for p in c.exposed.iter().filter(|p| p.protocol == Protocol::Tcp) {
        add(p.port, PortOrigin::Exposed);
    }
    for r in t
        .routes
        .iter()
        .filter(|r| r.containers.iter().any(|n| n == c.name.as_str()))
    {
        if let Some(p) = r.target_port {
            add(p, PortOrigin::Route);
        }
    }
    for p in c.published.iter().filter(|p| p.protocol == Protocol::Tcp) {
        if let (Some(o), Some(h)) = (by_port.get_mut(&p.container_port), &p.host) {
            let shown = crate::domain::graph::binding_label(
                if h.ip.is_empty() { "0.0.0.0" } else { &h.ip },
                h.port,
            );
            if !o.published.contains(&shown) {
                o.published.push(shown);
            }
        }
    }
    by_port.into_values().collect()
}

/// Whether the proxy routes to this port of the container.
pub fn is_routed(t: &Topology, c: &Container, port: u16) -> bool {
    t.routes
        .iter()
        .any(|r| r.target_port == Some(port) && r.containers.iter().any(|n| n == c.name.as_str()))
}

/// The chosen port and what the page should say about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortChoice {
    pub port: Option<u16>,
    pub why: String,
    /// A port the user asked for that is a published host port: corrected to this container port.
    pub corrected_from: Option<u16>,
    /// The user's port is not among the known ones.
    pub unlisted: bool,
}

/// Picks the internal port: the user's (a host port is mapped back to its container port),
/// else the kind's standard port when offered, else the proxy's, else the only one, else the
/// lowest; with nothing offered, the kind's standard port.
pub fn choose_port(
    c: &Container,
    options: &[PortOption],
    asked: Option<u16>,
    kind: Option<ServiceKind>,
) -> PortChoice {
    let offered = |p: u16| options.iter().any(|o| o.port == p);
    if let Some(asked) = asked {
        if offered(asked) {
            return PortChoice {
                port: Some(asked),
                why: format!("Port {asked} is {}'s internal port you picked.", c.name),
                corrected_from: None,
                unlisted: false,
            };
        }
        let mapped = c
            .published
            .iter()
            .filter(|p| p.protocol == Protocol::Tcp)
            .find(|p| p.host.as_ref().is_some_and(|h| h.port == asked))
            .map(|p| p.container_port);
        if let Some(internal) = mapped {
            return PortChoice {
                port: Some(internal),
                why: format!(
                    "Port {internal} is the internal port behind host port {asked}: containers talk to each other on the container's own port, the published one exists only on the host."
                ),
                corrected_from: Some(asked),
                unlisted: false,
            };
        }
        return PortChoice {
            port: Some(asked),
            why: format!("Port {asked} is the port you picked."),
            corrected_from: None,
            unlisted: true,
        };
    }
    let standard = kind.and_then(ServiceKind::default_port);
    if let Some(p) = standard.filter(|p| offered(*p)) {
        return picked(
            p,
            format!(
                "Port {p} is the standard port of the server {} runs, and it exposes it.",
                c.name
            ),
        );
    }
    if let Some(o) = options
        .iter()
        .find(|o| o.origins.contains(&PortOrigin::Route))
    {
        return picked(
            o.port,
            format!(
                "Port {} is where the proxy sends {}'s web traffic, so the app listens there.",
                o.port, c.name
            ),
        );
    }
    match options {
        [only] => picked(
            only.port,
            format!("Port {} is the only port {} exposes.", only.port, c.name),
        ),
        [first, ..] => picked(
            first.port,
            format!(
                "Port {} is the lowest of the ports {} exposes; pick another above if the app listens elsewhere.",
                first.port, c.name
            ),
        ),
        [] => match standard {
            Some(p) => picked(
                p,
                format!("{} exposes no port, so this is the server's standard port {p}.", c.name),
            ),
            None => PortChoice {
                port: None,
                why: format!(
                    "{} exposes no port and nothing says which one it listens on: enter the port the app listens on.",
                    c.name
                ),
                corrected_from: None,
                unlisted: false,
            },
        },
    }
}

fn picked(port: u16, why: String) -> PortChoice {
    PortChoice {
        port: Some(port),
        why,
        corrected_from: None,
        unlisted: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::{
        container, exposing, host, on, publishing, recorded, route, N8N,
    };

    #[test]
    fn candidates_are_exposed_ports_and_route_target_ports() {
        let t = host(
            vec![exposing(on(container("api"), "net", &[]), &[9000, 3001])],
            vec![route("r", "api.example.com", &["api"], Some(8080))],
        );
        let c = t.container("api").expect("api");
        let ports: Vec<(u16, Vec<PortOrigin>)> = port_options(&t, c)
            .into_iter()
            .map(|o| (o.port, o.origins))
            .collect();
        assert_eq!(
            ports,
            [
                (3001, vec![PortOrigin::Exposed]),
                (8080, vec![PortOrigin::Route]),
                (9000, vec![PortOrigin::Exposed])
            ]
        );
    }

    #[test]
    fn a_published_host_port_is_corrected_to_the_internal_port() {
        let t = host(vec![], vec![]);
        let c = publishing(exposing(container("pg"), &[5432]), "0.0.0.0", 15432, 5432);
        let options = port_options(&t, &c);
        let choice = choose_port(&c, &options, Some(15432), None);
        assert_eq!(choice.port, Some(5432));
        assert_eq!(choice.corrected_from, Some(15432));
        assert!(choice.why.contains("internal port behind host port 15432"));
        assert_eq!(
            options[0].label(),
            "5432 · exposed · published 0.0.0.0:15432"
        );
    }

    #[test]
    fn the_standard_port_of_the_server_wins_among_several() {
        let c = exposing(container("pg"), &[5432, 8008]);
        let choice = choose_port(
            &c,
            &port_options(&host(vec![], vec![]), &c),
            None,
            Some(ServiceKind::Postgres),
        );
        assert_eq!(choice.port, Some(5432));
    }

    #[test]
    fn a_routed_port_is_chosen_for_a_web_app() {
        let t = recorded();
        let n8n = t.container(N8N).expect("n8n");
        let choice = choose_port(n8n, &port_options(&t, n8n), None, None);
        assert_eq!(choice.port, Some(5678));
        assert!(choice.why.contains("proxy"));
    }

    #[test]
    fn the_only_exposed_port_is_chosen_and_the_lowest_of_several() {
        let one = exposing(container("a1"), &[3000]);
        let t = host(vec![], vec![]);
        assert_eq!(
            choose_port(&one, &port_options(&t, &one), None, None).port,
            Some(3000)
        );
        let many = exposing(container("a2"), &[9000, 4000]);
        let choice = choose_port(&many, &port_options(&t, &many), None, None);
        assert_eq!(choice.port, Some(4000));
        assert!(choice.why.contains("lowest"));
    }

    #[test]
    fn an_unlisted_port_is_kept_and_flagged() {
        let c = exposing(container("a1"), &[3000]);
        let choice = choose_port(
            &c,
            &port_options(&host(vec![], vec![]), &c),
            Some(4321),
            None,
        );
        assert_eq!((choice.port, choice.unlisted), (Some(4321), true));
    }

    #[test]
    fn nothing_exposed_falls_back_to_the_standard_port_or_asks() {
        let c = container("a1");
        let t = host(vec![], vec![]);
        assert_eq!(
            choose_port(&c, &port_options(&t, &c), None, Some(ServiceKind::Redis)).port,
            Some(6379)
        );
        let unknown = choose_port(&c, &port_options(&t, &c), None, None);
        assert_eq!(unknown.port, None);
        assert!(unknown.why.contains("enter the port"));
    }
}
