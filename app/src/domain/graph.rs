//! What the graph page shows: the URL's view of it (filters, selection) and the translation
//! from the topology to the layout's input, filtered.

use crate::domain::findings::{findings, Finding, FindingCode, Severity, Subject};
use crate::domain::layout::{
    domain_node_id, host_port_node_id, ContainerIn, DomainIn, LayoutInput, NetworkIn, NO_NETWORK_ID,
};
use crate::domain::topology::{NetworkKind, Topology};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The topology and what is wrong in it: what the graph page shows and `GET /api/topology`
/// answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyReport {
    pub topology: Topology,
    pub findings: Vec<Finding>,
}

impl TopologyReport {
    pub fn new(topology: Topology) -> Self {
        let findings = findings(&topology);
        Self { topology, findings }
    }
}

/// Containers some finding is about.
pub fn flagged_containers(findings: &[Finding]) -> BTreeSet<String> {
    findings
        .iter()
        .flat_map(|f| &f.subjects)
        .filter_map(|s| match s {
            Subject::Container(name) => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// A badge: the worst severity among the findings about something, and how many there are.
pub type Badge = (Severity, usize);

/// Badges for everything the graph draws, keyed as the layout keys them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphBadges {
    /// Node id (container name, `domain:<host>`, `hostport:<binding>`) → badge.
    pub nodes: BTreeMap<String, Badge>,
    /// Network name → badge on its group.
    pub groups: BTreeMap<String, Badge>,
    /// Container name → badge on the route edges that end at it (the proxy cannot deliver).
    pub route_edges: BTreeMap<String, Badge>,
}

/// Findings whose container is where routed traffic breaks, so the route edge carries them.
const ROUTE_BREAKING: [FindingCode; 5] = [
    FindingCode::ProxyNoSharedNetwork,
    FindingCode::ProxyNetworkNotJoined,
    FindingCode::RoutedTargetDown,
    FindingCode::RoutedTargetUnhealthy,
    FindingCode::RoutePortNotExposed,
];

fn add(map: &mut BTreeMap<String, Badge>, key: String, severity: Severity) {
    let entry = map.entry(key).or_insert((severity, 0));
    entry.0 = entry.0.min(severity);
    entry.1 += 1;
}

/// Places each finding's badges: on its containers, networks, domains (via its routes) and
/// host ports, and on the route edges into containers where routed traffic breaks.
pub fn graph_badges(t: &Topology, findings: &[Finding]) -> GraphBadges {
    let mut badges = GraphBadges::default();
    for f in findings {
        let mut nodes: BTreeSet<String> = BTreeSet::new();
        for subject in &f.subjects {
            match subject {
                Subject::Container(name) => {
                    nodes.insert(name.clone());
                    if ROUTE_BREAKING.contains(&f.code) {
                        add(&mut badges.route_edges, name.clone(), f.severity);
                    }
                }
                Subject::Network(name) => {
                    // `none` and `host` are drawn as the one "no network" group.
                    let drawn_as = match t.network(name).map(|n| n.kind) {
                        Some(NetworkKind::Null | NetworkKind::Host) => NO_NETWORK_ID.to_owned(),
                        _ => name.clone(),
                    };
                    add(&mut badges.groups, drawn_as, f.severity);
                }
                Subject::Route(id) => {
                    for r in t.routes.iter().filter(|r| &r.id == id) {
                        nodes.extend(r.hosts.iter().map(|h| domain_node_id(h)));
                    }
                }
                Subject::HostPort(port) => {
                    for c in &t.containers {
                        for h in c
                            .published
                            .iter()
                            .filter_map(|p| p.host.as_ref())
                            .filter(|h| h.port == *port)
                        {
                            nodes.insert(host_port_node_id(&binding_label(&h.ip, h.port)));
                        }
                    }
                }
            }
        }
        for node in nodes {
            add(&mut badges.nodes, node, f.severity);
        }
    }
    badges
}

/// How a host binding is labelled on the graph (and so keyed): `0.0.0.0:5433`, `[::]:5433`.
pub fn binding_label(ip: &str, port: u16) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// The graph's state in the URL: `?v=1&net=coolify&project=shop&problems=1&sel=web`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphQuery {
    /// Only containers on this network (and the proxy).
    pub network: Option<String>,
    /// Only containers of this Coolify project or compose project (and the proxy).
    pub project: Option<String>,
    /// Only containers a finding names (and the proxy).
    pub only_problems: bool,
    /// The selected container.
    pub selected: Option<String>,
}

/// The URL format's version; bumped if the meaning of a parameter ever changes.
pub const GRAPH_QUERY_VERSION: &str = "1";

/// Longest value kept from a URL parameter.
const MAX_PARAM: usize = 253;

fn clean(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(MAX_PARAM).collect())
}

impl GraphQuery {
    /// Reads the URL parameters `net`, `project`, `problems`, `sel`. Unknown versions are read
    /// as version 1 (the only one so far) rather than dropping the user's view.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            network: clean(get("net").as_deref()),
            project: clean(get("project").as_deref()),
            only_problems: matches!(get("problems").as_deref(), Some("1" | "true")),
            selected: clean(get("sel").as_deref()),
        }
    }

    /// The URL parameters for this view, `v` first; defaults are left out.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![("v", GRAPH_QUERY_VERSION.to_owned())];
        if let Some(n) = &self.network {
            params.push(("net", n.clone()));
        }
        if let Some(p) = &self.project {
            params.push(("project", p.clone()));
        }
        if self.only_problems {
            params.push(("problems", "1".to_owned()));
        }
        if let Some(s) = &self.selected {
            params.push(("sel", s.clone()));
        }
        params
    }

    pub fn is_filtered(&self) -> bool {
        self.network.is_some() || self.project.is_some() || self.only_problems
    }
}

/// The project a container belongs to: Coolify's project slug, else its compose project.
pub fn project_of(t: &Topology, name: &str) -> Option<String> {
    let c = t.container(name)?;
    c.coolify
        .as_ref()
        .and_then(|i| i.project.clone())
        .or_else(|| c.compose.as_ref().map(|p| p.project.clone()))
}

/// Every project present, sorted, for the filter menu.
pub fn projects(t: &Topology) -> Vec<String> {
    let set: BTreeSet<String> = t
        .containers
        .iter()
        .filter_map(|c| project_of(t, c.name.as_str()))
        .collect();
    set.into_iter().collect()
}

/// The layout input for the topology as filtered by `query`. `flagged` names the containers a
/// finding is about (for "only problems"). The proxy stays whenever anything it routes stays.
pub fn layout_input(t: &Topology, query: &GraphQuery, flagged: &BTreeSet<String>) -> LayoutInput {
    let proxy = t.proxy.as_ref().map(|p| p.container.as_str());
    let shown = |name: &str| -> bool {
        let Some(c) = t.container(name) else {
            return false;
        };
        let on_network = query
            .network
            .as_ref()
            .is_none_or(|n| c.attachment(n).is_some());
        let in_project = query
            .project
            .as_ref()
            .is_none_or(|p| project_of(t, name).as_deref() == Some(p.as_str()));
        let flagged_ok = !query.only_problems || flagged.contains(name);
        on_network && in_project && flagged_ok
    };
    let mut visible: BTreeSet<&str> = t
        .containers
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| Some(*n) != proxy && shown(n))
        .collect();
    if let Some(p) = proxy {
        let routes_something = t
            .routes
            .iter()
            .any(|r| r.containers.iter().any(|c| visible.contains(c.as_str())));
        if !query.is_filtered() || routes_something || shown(p) {
            visible.insert(p);
        }
    }

    let drawn_network = |name: &str| -> bool {
        t.network(name)
            .is_none_or(|n| !matches!(n.kind, NetworkKind::Null | NetworkKind::Host))
    };
    let containers: Vec<ContainerIn> = t
        .containers
        .iter()
        .filter(|c| visible.contains(c.name.as_str()))
        .map(|c| ContainerIn {
            id: c.name.to_string(),
            label: c.name.to_string(),
            networks: c
                .network_names()
                .filter(|n| drawn_network(n))
                .map(str::to_owned)
                .collect(),
            is_proxy: Some(c.name.as_str()) == proxy,
            ports: c
                .exposed
                .iter()
                .map(|p| format!("{}/{}", p.port, p.protocol.as_str()))
                .collect(),
            published: c
                .published
                .iter()
                .filter_map(|p| p.host.as_ref())
                .map(|h| {
                    if h.ip.contains(':') {
                        format!("[{}]:{}", h.ip, h.port)
                    } else {
                        format!("{}:{}", h.ip, h.port)
                    }
                })
                .collect(),
        })
        .collect();

    let used: BTreeSet<&str> = containers
        .iter()
        .flat_map(|c| c.networks.iter().map(String::as_str))
        .collect();
    let networks: Vec<NetworkIn> = t
        .networks
        .iter()
        .filter(|n| drawn_network(&n.name))
        .filter(|n| {
            if query.is_filtered() {
                used.contains(n.name.as_str())
            } else {
                true
            }
        })
        .map(|n| NetworkIn {
            id: n.name.clone(),
            label: match n.kind {
                NetworkKind::DefaultBridge => format!("{} (default bridge: no DNS)", n.name),
                _ if n.internal => format!("{} (internal)", n.name),
                _ => n.name.clone(),
            },
        })
        .collect();

    let mut domains: Vec<DomainIn> = Vec::new();
    for route in &t.routes {
        let targets: Vec<String> = route
            .containers
            .iter()
            .filter(|c| visible.contains(c.as_str()))
            .cloned()
            .collect();
        if targets.is_empty() {
            continue;
        }
        for host in &route.hosts {
            match domains.iter_mut().find(|d| &d.host == host) {
                Some(d) => {
                    d.tls |= route.tls;
                    for c in &targets {
                        if !d.containers.contains(c) {
                            d.containers.push(c.clone());
                        }
                    }
                }
                None => domains.push(DomainIn {
                    host: host.clone(),
                    containers: targets.clone(),
                    tls: route.tls,
                }),
            }
        }
    }
    LayoutInput {
        networks,
        containers,
        domains,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::layout::{layout, NodeKind};

    use crate::domain::findings::test_support::recorded;

    fn names(input: &LayoutInput) -> Vec<&str> {
        input.containers.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn graph_queries_round_trip_through_url_parameters() {
        let q = GraphQuery {
            network: Some("coolify".into()),
            project: Some("shop".into()),
            only_problems: true,
            selected: Some("coolify-proxy".into()),
        };
        let params = q.to_params();
        assert_eq!(params[0], ("v", "1".to_owned()));
        let back = GraphQuery::from_params(|k| {
            params.iter().find(|(p, _)| *p == k).map(|(_, v)| v.clone())
        });
        assert_eq!(back, q);
        assert_eq!(GraphQuery::from_params(|_| None), GraphQuery::default());
    }

    #[test]
    fn url_values_are_trimmed_and_bounded() {
        let long = "x".repeat(1000);
        let q = GraphQuery::from_params(|k| match k {
            "net" => Some(long.clone()),
            "sel" => Some("  ".into()),
            "problems" => Some("yes".into()),
            _ => None,
        });
        assert_eq!(q.network.map(|n| n.len()), Some(MAX_PARAM));
        assert_eq!(q.selected, None);
        assert!(!q.only_problems);
    }

    #[test]
    fn the_unfiltered_graph_draws_every_container_and_every_drawable_network() {
        let t = recorded();
        let input = layout_input(&t, &GraphQuery::default(), &BTreeSet::new());
        assert_eq!(input.containers.len(), t.containers.len());
        let nets: Vec<&str> = input.networks.iter().map(|n| n.id.as_str()).collect();
        assert!(nets.contains(&"coolify") && nets.contains(&"bridge"));
        assert!(
            !nets.contains(&"none"),
            "none is drawn as the 'no network' group"
        );
        let isolated = input
            .containers
            .iter()
            .find(|c| c.id == "isolated")
            .expect("isolated");
        assert!(isolated.networks.is_empty());
        assert!(input
            .domains
            .iter()
            .any(|d| d.host == "api.example.com" && d.tls));
    }

    #[test]
    fn filtering_by_network_keeps_its_members_and_the_proxy() {
        let t = recorded();
        let q = GraphQuery {
            network: Some("qg8s4kc0w4wsgk0k8c0ww8o4".into()),
            ..Default::default()
        };
        let input = layout_input(&t, &q, &BTreeSet::new());
        assert_eq!(
            names(&input),
            [
                "coolify-proxy",
                "n8n-qg8s4kc0w4wsgk0k8c0ww8o4",
                "postgresql-qg8s4kc0w4wsgk0k8c0ww8o4"
            ]
        );
        assert!(input.domains.iter().all(|d| d.host == "n8n.example.com"));
    }

    #[test]
    fn filtering_by_project_uses_coolify_then_compose_projects() {
        let t = recorded();
        assert!(projects(&t).contains(&"shop".to_owned()));
        let q = GraphQuery {
            project: Some("shop".into()),
            ..Default::default()
        };
        let input = layout_input(&t, &q, &BTreeSet::new());
        assert_eq!(
            names(&input),
            [
                "coolify-proxy",
                "postgres-b4k8w0gcc8sk4oowc84wg0o8-095730391184",
                "web-b4k8w0gcc8sk4oowc84wg0o8-095730391184"
            ],
            "the proxy stays: it has a route to shop's web (and cannot reach it, which the graph must show)"
        );
    }

    #[test]
    fn only_problems_keeps_the_flagged_containers() {
        let t = recorded();
        let flagged: BTreeSet<String> = ["isolated".to_owned()].into();
        let q = GraphQuery {
            only_problems: true,
            ..Default::default()
        };
        assert_eq!(names(&layout_input(&t, &q, &flagged)), ["isolated"]);
    }

    #[test]
    fn badges_carry_the_worst_severity_and_the_count_per_container() {
        let report = TopologyReport::new(recorded());
        let badges = graph_badges(&report.topology, &report.findings);
        let web = badges
            .nodes
            .get("web-b4k8w0gcc8sk4oowc84wg0o8-095730391184")
            .expect("web has findings");
        assert_eq!(web.0, Severity::Blocking);
        assert!(web.1 >= 2, "{web:?}");
        assert!(flagged_containers(&report.findings).contains("isolated"));
        assert!(!badges.nodes.contains_key("coolify-redis"));
    }

    #[test]
    fn a_route_the_proxy_cannot_deliver_badges_its_edge_and_public_ports_badge_their_host_port() {
        let report = TopologyReport::new(recorded());
        let badges = graph_badges(&report.topology, &report.findings);
        let edge = badges
            .route_edges
            .get("web-b4k8w0gcc8sk4oowc84wg0o8-095730391184")
            .expect("edge badge");
        assert_eq!(edge.0, Severity::Blocking);
        assert!(
            badges.nodes.contains_key("hostport:0.0.0.0:5433"),
            "{:?}",
            badges.nodes.keys()
        );
        let layout = layout(&layout_input(
            &report.topology,
            &GraphQuery::default(),
            &BTreeSet::new(),
        ));
        for id in badges.nodes.keys() {
            assert!(
                layout.nodes.iter().any(|n| &n.id == id),
                "badge for {id} has a node to sit on"
            );
        }
        for net in badges.groups.keys() {
            assert!(
                layout.groups.iter().any(|g| &g.network == net),
                "badge for {net} has a group"
            );
        }
    }

    #[test]
    fn the_recorded_destination_lays_out_with_domains_proxy_and_host_ports() {
        let t = recorded();
        let l = layout(&layout_input(&t, &GraphQuery::default(), &BTreeSet::new()));
        for kind in [
            NodeKind::Internet,
            NodeKind::Host,
            NodeKind::Domain,
            NodeKind::Proxy,
            NodeKind::HostPort,
        ] {
            assert!(l.nodes.iter().any(|n| n.kind == kind), "{kind:?}");
        }
        assert!(l.groups.iter().any(|g| g.network == "coolify"));
    }
}
