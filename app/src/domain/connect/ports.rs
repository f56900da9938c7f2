//! Which port goes into the address: the target's internal port — one it exposes or the proxy
//! routes to — never the host port it may be published on, which only the host uses.

use crate::domain::checks::outcome::Listener;
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
    /// A socket listens on it, though nothing declares it (read live, see [`merge_listening`]).
    Listening,
}

/// What a live read of the target's sockets says about a port.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Listen {
    /// Not read (yet): the page reads it after it shows.
    #[default]
    Unknown,
    /// A socket listens on all interfaces: other containers can connect.
    Listening,
    /// Only on 127.0.0.1/::1: only the container itself can connect.
    LoopbackOnly,
    /// Declared, but no socket listens on it.
    NotListening,
}

/// What the target listens on, read live (the listeners probe), or why it was not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Listening {
    /// The TCP sockets in the LISTEN state.
    Read(Vec<Listener>),
    /// Not read; the sentence says why (container stopped, no tool, read-only mode).
    NotRead(String),
}

/// A port the page offers for the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortOption {
    pub port: u16,
    pub origins: Vec<PortOrigin>,
    /// The host ports it is published on (`127.0.0.1:5433`), for the label only.
    pub published: Vec<String>,
    /// Whether something listens on it, once read live.
    #[serde(default)]
    pub listen: Listen,
}

impl PortOption {
    /// "5432 · exposed · published 0.0.0.0:5433".
    pub fn label(&self) -> String {
        let mut parts = vec![self.port.to_string()];
        for o in &self.origins {
            match o {
                PortOrigin::Exposed => parts.push("exposed".to_owned()),
                PortOrigin::Route => parts.push("proxy routes here".to_owned()),
                PortOrigin::Listening => {}
            }
        }
        if !self.published.is_empty() {
            parts.push(format!("published {}", self.published.join(", ")));
        }
        let declared = self.declared();
        match self.listen {
            Listen::Unknown => {}
            Listen::Listening if declared => parts.push("listening".to_owned()),
            Listen::Listening => parts.push("listening, not declared".to_owned()),
            Listen::LoopbackOnly if declared => {
                parts.push("⚠ listens on 127.0.0.1 only".to_owned());
            }
            Listen::LoopbackOnly => {
                parts.push("listens on 127.0.0.1 only, not declared".to_owned());
            }
            Listen::NotListening => parts.push("⚠ nothing listens".to_owned()),
        }
        parts.join(" · ")
    }

    /// Exposed by the image or routed to by the proxy, not only found listening.
    pub fn declared(&self) -> bool {
        self.origins.iter().any(|o| *o != PortOrigin::Listening)
    }

    /// Declared, yet other containers cannot connect to it right now.
    pub fn flagged(&self) -> bool {
        self.declared() && matches!(self.listen, Listen::NotListening | Listen::LoopbackOnly)
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
            listen: Listen::Unknown,
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

/// Marks each option with what the target really listens on, flags declared ports nothing
/// listens on, and adds the ports that listen without being declared (sorted by port). Docker's
/// embedded DNS socket (127.0.0.11) is not the application's and is left out.
pub fn merge_listening(options: &[PortOption], sockets: &[Listener]) -> Vec<PortOption> {
    let mut live: BTreeMap<u16, Listen> = BTreeMap::new();
    for s in sockets.iter().filter(|s| !s.is_docker_dns()) {
        let state = if s.is_loopback_only() {
            Listen::LoopbackOnly
        } else {
            Listen::Listening
        };
        let e = live.entry(s.port).or_insert(state);
        if state == Listen::Listening {
            *e = Listen::Listening;
        }
    }
    // Ports an earlier read added are read afresh: dropped here, added back if still listening.
    let mut by_port: BTreeMap<u16, PortOption> = options
        .iter()
        .filter(|o| o.declared())
        .map(|o| {
            let mut o = o.clone();
            o.listen = live.get(&o.port).copied().unwrap_or(Listen::NotListening);
            (o.port, o)
        })
        .collect();
    for (port, listen) in live {
        by_port.entry(port).or_insert_with(|| PortOption {
            port,
            origins: vec![PortOrigin::Listening],
            published: Vec::new(),
            listen,
        });
    }
    by_port.into_values().collect()
}

/// The one port the live read finds listening on all interfaces, when there is exactly one.
pub fn only_listening_port(options: &[PortOption], sockets: &[Listener]) -> Option<u16> {
    let merged = merge_listening(options, sockets);
    let mut listening = merged.iter().filter(|o| o.listen == Listen::Listening);
    match (listening.next(), listening.next()) {
        (Some(only), None) => Some(only.port),
        _ => None,
    }
}

/// One sentence on what the live read found, for the line under the port picker.
pub fn listening_summary(options: &[PortOption]) -> String {
    let list = |f: &dyn Fn(&PortOption) -> bool| -> Vec<String> {
        options
            .iter()
            .filter(|o| f(o))
            .map(|o| o.port.to_string())
            .collect()
    };
    let listening = list(&|o| o.listen == Listen::Listening);
    let undeclared = list(&|o| !o.declared() && o.listen != Listen::NotListening);
    let silent = list(&|o| o.declared() && o.listen == Listen::NotListening);
    let loopback = list(&|o| o.declared() && o.listen == Listen::LoopbackOnly);
    let mut parts = vec![if listening.is_empty() {
        "Nothing listens on all interfaces right now.".to_owned()
    } else {
        format!("Listening now: {}.", listening.join(", "))
    }];
    if !undeclared.is_empty() {
        parts.push(format!(
            "Not declared (no EXPOSE, no route) but listening: {}.",
            undeclared.join(", ")
        ));
    }
    if !silent.is_empty() {
        parts.push(format!(
            "Declared but nothing listens: {} — an address on {} gets \"connection refused\".",
            silent.join(", "),
            if silent.len() == 1 { "it" } else { "them" }
        ));
    }
    if !loopback.is_empty() {
        parts.push(format!(
            "Declared but listening on 127.0.0.1 only (other containers cannot connect): {}.",
            loopback.join(", ")
        ));
    }
    parts.join(" ")
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

    fn listener(addr: &str, port: u16) -> Listener {
        Listener {
            address: addr.parse().expect("ip"),
            port,
        }
    }

    #[test]
    fn a_port_that_listens_undeclared_is_added_and_a_declared_port_without_a_listener_is_flagged() {
        let t = host(vec![], vec![]);
        let c = exposing(container("api"), &[3000, 9000]);
        let merged = merge_listening(
            &port_options(&t, &c),
            &[
                listener("0.0.0.0", 3000),
                listener("::", 8081),
                listener("127.0.0.11", 41234),
            ],
        );
        let seen: Vec<(u16, Listen, bool)> = merged
            .iter()
            .map(|o| (o.port, o.listen, o.flagged()))
            .collect();
        assert_eq!(
            seen,
            [
                (3000, Listen::Listening, false),
                (8081, Listen::Listening, false),
                (9000, Listen::NotListening, true)
            ],
            "Docker's DNS socket is not the app's"
        );
        assert_eq!(merged[0].label(), "3000 · exposed · listening");
        assert_eq!(merged[1].label(), "8081 · listening, not declared");
        assert_eq!(merged[2].label(), "9000 · exposed · ⚠ nothing listens");
        assert_eq!(
            listening_summary(&merged),
            "Listening now: 3000, 8081. Not declared (no EXPOSE, no route) but listening: 8081. Declared but nothing listens: 9000 — an address on it gets \"connection refused\"."
        );
    }

    #[test]
    fn a_port_bound_to_loopback_only_is_flagged_unless_another_socket_listens_on_all_interfaces() {
        let t = host(vec![], vec![]);
        let c = exposing(container("api"), &[3000, 5000]);
        let merged = merge_listening(
            &port_options(&t, &c),
            &[
                listener("127.0.0.1", 3000),
                listener("127.0.0.1", 5000),
                listener("0.0.0.0", 5000),
            ],
        );
        assert_eq!(
            (merged[0].listen, merged[0].flagged()),
            (Listen::LoopbackOnly, true)
        );
        assert_eq!(
            merged[0].label(),
            "3000 · exposed · ⚠ listens on 127.0.0.1 only"
        );
        assert_eq!(
            (merged[1].listen, merged[1].flagged()),
            (Listen::Listening, false)
        );
    }

    #[test]
    fn merging_twice_gives_the_same_options_and_unread_ports_have_no_listening_word() {
        let t = recorded();
        let n8n = t.container(N8N).expect("n8n");
        let options = port_options(&t, n8n);
        assert!(options.iter().all(|o| o.listen == Listen::Unknown));
        assert_eq!(options[0].label(), "5678 · exposed · proxy routes here");
        let sockets = [listener("0.0.0.0", 5678), listener("0.0.0.0", 9229)];
        let once = merge_listening(&options, &sockets);
        assert_eq!(merge_listening(&once, &sockets), once);
        // A listening-only port that stopped listening disappears on the next read.
        let later = merge_listening(&once, &[listener("0.0.0.0", 5678)]);
        assert_eq!(later.iter().map(|o| o.port).collect::<Vec<_>>(), [5678]);
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
