//! What the graph page shows: the URL's view of it (filters, selection) and the translation
//! from the topology to the layout's input, filtered.

use crate::domain::coolify::{is_coolify_uuid, name_stability, NameStability};
use crate::domain::findings::{findings, Finding, FindingCode, Severity, Subject};
use crate::domain::layout::{
    domain_node_id, homes, host_port_node_id, ContainerIn, DomainIn, Edge, GroupBox, Layout,
    LayoutInput, LayoutOptions, NetworkIn, NodeBox, NodeKind, INGRESS_MARK, NO_NETWORK_ID,
};
use crate::domain::swarm::{ServiceMode, Task};
use crate::domain::topology::{Container, Network, NetworkKind, Topology};
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
    /// Swarm service name → badge in the services panel.
    pub services: BTreeMap<String, Badge>,
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
                Subject::Service(name) => {
                    add(&mut badges.services, name.clone(), f.severity);
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

/// The graph's state in the URL:
/// `?v=1&net=coolify&project=shop&problems=1&sel=web&finding=network-none-1a2b3c4d&open=a,b`.
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
    /// The selected finding, by [`finding_key`].
    #[serde(default)]
    pub finding: Option<String>,
    /// Networks opened in the overview, sorted; [`OPEN_ALL`] opens every one.
    #[serde(default)]
    pub open: Vec<String>,
}

/// The URL format's version; bumped if the meaning of a parameter ever changes.
pub const GRAPH_QUERY_VERSION: &str = "1";

/// `open=*`: every group open, even on a large host.
pub const OPEN_ALL: &str = "*";

/// Longest value kept from a URL parameter.
const MAX_PARAM: usize = 253;
/// Most networks kept open from a URL.
const MAX_OPEN: usize = 100;

fn clean(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(MAX_PARAM).collect())
}

impl GraphQuery {
    /// Reads the URL parameters `net`, `project`, `problems`, `sel`, `finding`, `open`. Unknown
    /// versions are read as version 1 (the only one so far) rather than dropping the user's view.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let mut open: Vec<String> = get("open")
            .unwrap_or_default()
            .split(',')
            .filter_map(|n| clean(Some(n)))
            .take(MAX_OPEN)
            .collect();
        open.sort_unstable();
        open.dedup();
        if open.iter().any(|n| n == OPEN_ALL) {
            open = vec![OPEN_ALL.to_owned()];
        }
        Self {
            network: clean(get("net").as_deref()),
            project: clean(get("project").as_deref()),
            only_problems: matches!(get("problems").as_deref(), Some("1" | "true")),
            selected: clean(get("sel").as_deref()),
            finding: clean(get("finding").as_deref()),
            open,
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
        if let Some(f) = &self.finding {
            params.push(("finding", f.clone()));
        }
        if !self.open.is_empty() {
            params.push(("open", self.open.join(",")));
        }
        params
    }

    pub fn is_filtered(&self) -> bool {
        self.network.is_some() || self.project.is_some() || self.only_problems
    }

    /// Whether this network's group is opened in the overview.
    pub fn is_open(&self, network: &str) -> bool {
        self.open.iter().any(|n| n == OPEN_ALL || n == network)
    }

    /// Opens or closes one network's group in the overview.
    pub fn toggle_open(&mut self, network: &str) {
        if self.open.iter().any(|n| n == OPEN_ALL) {
            return;
        }
        if let Some(i) = self.open.iter().position(|n| n == network) {
            self.open.remove(i);
        } else {
            self.open.push(network.to_owned());
            self.open.sort_unstable();
        }
    }

    /// Selects a container (a second click on it clears the selection); clears the finding.
    pub fn select_container(&mut self, name: &str) {
        self.finding = None;
        self.selected = if self.selected.as_deref() == Some(name) {
            None
        } else {
            Some(name.to_owned())
        };
    }

    /// Selects a finding (a second click clears it); clears the container.
    pub fn select_finding(&mut self, key: &str) {
        self.selected = None;
        self.finding = if self.finding.as_deref() == Some(key) {
            None
        } else {
            Some(key.to_owned())
        };
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
        .map(|c| {
            let name = node_name(c);
            ContainerIn {
                id: c.name.to_string(),
                label: name.label,
                context: name.context,
                context_network: name.context_network,
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
                    .chain(mesh_bindings(t, c))
                    .collect(),
            }
        })
        .collect();

    // Filtered, the networks the shown containers use (the proxy's others would be empty boxes).
    let used: BTreeSet<&str> = containers
        .iter()
        .filter(|c| !c.is_proxy)
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
            label: network_label(t, &n.name),
            note: network_note(t, n),
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

/// What the graph calls a container, and the stack it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeName {
    /// Drawn on its box: the Coolify resource or service name when the container's own name is
    /// made of Coolify uuids, else the name.
    pub label: String,
    /// The stack's resource (or project) name, when the container is part of one.
    pub context: Option<String>,
    /// The stack's own network.
    pub context_network: Option<String>,
}

/// Coolify names containers after uuids (`jk8c0wc4ok80s0gkcgwgo4s8-142311873944`,
/// `n8n-qg8s4kc0w4wsgk0k8c0ww8o4`); users know them by the resource's name, which its labels
/// carry (`coolify.resourceName`, the compose service). Anything else keeps its name.
pub fn node_name(c: &Container) -> NodeName {
    let name = c.name.as_str();
    let identity = c.coolify.as_ref();
    let plain = NodeName {
        label: name.to_owned(),
        context: None,
        context_network: None,
    };
    // A swarm task's container is `web.1.<task id>`: drawn as `web.1` (the full name is in its
    // tooltip and details).
    if let Some(task_id) = c.labels.get("com.docker.swarm.task.id") {
        if let Some(short) = name
            .strip_suffix(task_id.as_str())
            .and_then(|n| n.strip_suffix('.'))
            .filter(|n| !n.is_empty())
        {
            return NodeName {
                label: short.to_owned(),
                ..plain
            };
        }
    }
    if let Some(stack) = c.stack() {
        if !name.contains(stack.uuid) {
            return plain;
        }
        let context = stack
            .resource_name
            .or_else(|| identity.and_then(|i| i.project.as_deref()))
            .map(str::to_owned);
        return NodeName {
            label: stack.service.unwrap_or(name).to_owned(),
            context,
            context_network: Some(stack.uuid.to_owned()),
        };
    }
    let named_by_uuid = name_stability(name) == NameStability::ChangesEachDeploy
        || (name.len() == 24 && is_coolify_uuid(name));
    match identity.and_then(|i| i.resource_name.as_deref()) {
        Some(resource) if named_by_uuid => {
            let label = match identity.and_then(|i| i.pull_request) {
                Some(pr) => format!("{resource} (PR #{pr})"),
                None => resource.to_owned(),
            };
            NodeName {
                label,
                context: None,
                context_network: None,
            }
        }
        _ => plain,
    }
}

/// A network's group label: its name, what kind it is when that matters, and for a stack's
/// own `{uuid}` network the stack's resource name first.
fn network_label(t: &Topology, name: &str) -> String {
    let stack = t
        .containers
        .iter()
        .filter_map(Container::stack)
        .find(|s| s.uuid == name);
    let base = match stack {
        Some(s) => {
            let resource = s.resource_name.map(str::to_owned).or_else(|| {
                t.containers
                    .iter()
                    .filter(|c| c.stack().is_some_and(|x| x.uuid == name))
                    .find_map(|c| c.coolify.as_ref().and_then(|i| i.project.clone()))
            });
            match resource {
                Some(r) => format!("{r} · {name}"),
                None => name.to_owned(),
            }
        }
        None => name.to_owned(),
    };
    base
}

/// What kind of network it is, when that changes what works on it: a swarm overlay says so,
/// and whether standalone containers may join it.
fn network_note(t: &Topology, n: &Network) -> Option<String> {
    if n.driver == "overlay" && n.scope == "swarm" {
        let ingress = t
            .swarm
            .as_ref()
            .and_then(|s| s.overlay(&n.name))
            .map_or(n.name == "ingress", |o| o.ingress);
        let how = if ingress {
            "ingress mesh"
        } else if n.attachable {
            "attachable"
        } else {
            "not attachable"
        };
        let internal = if n.internal { ", internal" } else { "" };
        return Some(format!("overlay · {how}{internal}"));
    }
    match n.kind {
        // The default bridge: names do not resolve on it.
        NetworkKind::DefaultBridge => Some("no DNS".to_owned()),
        _ if n.internal => Some("internal".to_owned()),
        _ => None,
    }
}

/// The host-port entries of a swarm task's container: each port its service publishes through
/// the ingress mesh, `*:8080 ingress (every node)` (every node of the swarm answers on it).
fn mesh_bindings(t: &Topology, c: &Container) -> Vec<String> {
    let Some(service) = c
        .swarm_service()
        .and_then(|name| t.swarm.as_ref()?.service(name))
    else {
        return Vec::new();
    };
    if !c.is_running() {
        return Vec::new();
    }
    service
        .ingress_ports()
        .map(|p| format!("*:{}{INGRESS_MARK}", p.published))
        .collect()
}

/// A swarm service as the graph's side panel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSummary {
    pub name: String,
    /// `2 of 2 running` (`global, 1 of 1 running`).
    pub state: String,
    /// Whether every task it wants runs.
    pub healthy: bool,
    pub image: String,
    /// `*:8080→80/tcp (ingress, every node)`.
    pub ports: Vec<String>,
    /// `backend (overlay, not attachable)`.
    pub networks: Vec<String>,
    /// The tasks it wants now (history left out), in slot order.
    pub tasks: Vec<TaskLine>,
    /// Earlier tries kept in the task history (failed, shut down).
    pub earlier: usize,
}

/// One task of a service, as a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskLine {
    /// `web.1`.
    pub label: String,
    /// `vm`, or `not scheduled`.
    pub node: String,
    /// `running`, or `pending (wanted: running)`.
    pub state: String,
    pub running: bool,
    /// The task's error, or its last try's.
    pub error: Option<String>,
    /// The container's name when the engine lists it here (to select it on the graph).
    pub container: Option<String>,
}

/// The services of the swarm this engine manages, with their current tasks: empty on a worker
/// or an engine outside a swarm.
pub fn swarm_services(t: &Topology) -> Vec<ServiceSummary> {
    let Some(swarm) = &t.swarm else {
        return Vec::new();
    };
    swarm
        .services
        .iter()
        .map(|s| {
            let (running, desired) = (s.running(), s.desired());
            let mode = match s.mode {
                ServiceMode::Replicated(_) => "",
                ServiceMode::Global => "global, ",
                ServiceMode::Job => "job, ",
            };
            let current: Vec<&Task> = s.tasks.iter().filter(|task| task.is_wanted()).collect();
            ServiceSummary {
                name: s.name.clone(),
                state: format!("{mode}{running} of {desired} running"),
                healthy: running >= desired && s.not_running().next().is_none(),
                image: s.image.clone(),
                ports: s.ports.iter().map(|p| p.describe()).collect(),
                networks: s
                    .networks
                    .iter()
                    .map(|n| match swarm.overlay(n) {
                        Some(o) if o.attachable => format!("{n} (overlay, attachable)"),
                        Some(_) => format!("{n} (overlay, not attachable)"),
                        None => n.clone(),
                    })
                    .collect(),
                tasks: current
                    .iter()
                    .map(|task| TaskLine {
                        label: task.label(&s.name),
                        node: task
                            .node
                            .clone()
                            .unwrap_or_else(|| "not scheduled".to_owned()),
                        state: if task.state == task.desired {
                            task.state.clone()
                        } else {
                            format!("{} (wanted: {})", task.state, task.desired)
                        },
                        running: task.is_running(),
                        error: s.error_for(task).map(str::to_owned),
                        container: task.container_id.as_deref().and_then(|id| {
                            t.containers
                                .iter()
                                .find(|c| c.id == id)
                                .map(|c| c.name.to_string())
                        }),
                    })
                    .collect(),
                earlier: s.tasks.len() - current.len(),
            }
        })
        .collect()
}

/// Above this many containers the graph opens on the overview: every network one box.
pub const OVERVIEW_ABOVE: usize = 40;

/// Whether this picture is large enough to open on the overview.
pub fn is_overview(input: &LayoutInput) -> bool {
    input.containers.iter().filter(|c| !c.is_proxy).count() > OVERVIEW_ABOVE
}

/// How to lay out `input` for a viewport of `aspect`: on a large host every group closed but
/// those the user opened and those holding a container in `reveal` (the selection).
pub fn layout_options(
    input: &LayoutInput,
    query: &GraphQuery,
    aspect: f64,
    reveal: &[String],
) -> LayoutOptions {
    let mut options = LayoutOptions::fitted(aspect);
    if !is_overview(input) || query.is_open(OPEN_ALL) {
        return options;
    }
    let homes = homes(input);
    let kept: BTreeSet<&str> = reveal
        .iter()
        .filter_map(|c| homes.get(c))
        .map(String::as_str)
        .collect();
    options.closed = input
        .networks
        .iter()
        .map(|n| n.id.as_str())
        .chain([NO_NETWORK_ID])
        .filter(|n| !query.is_open(n) && !kept.contains(n))
        .map(str::to_owned)
        .collect();
    options
}

/// What a selection lights up; everything else is dimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    pub nodes: BTreeSet<String>,
    pub groups: BTreeSet<String>,
    /// By [`edge_key`].
    pub edges: BTreeSet<String>,
}

impl Focus {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.groups.is_empty() && self.edges.is_empty()
    }

    fn light(&mut self, e: &Edge) {
        self.edges.insert(edge_key(e));
        self.nodes.insert(e.from.clone());
        if e.to_group {
            self.groups.insert(e.to.clone());
        } else {
            self.nodes.insert(e.to.clone());
        }
    }
}

/// Every path that reaches a node: for a container, domain → proxy → its networks → it and host
/// port → it, and its other networks; for any node, the lines it touches.
pub fn focus_on_node(layout: &Layout, id: &str) -> Focus {
    let mut focus = Focus::default();
    let Some(node) = layout.nodes.iter().find(|n| n.id == id) else {
        return focus;
    };
    focus.nodes.insert(id.to_owned());
    focus.groups.extend(node.group.clone());
    for e in &layout.edges {
        let touches = e.from == id || (!e.to_group && e.to == id);
        if touches || e.serves.iter().any(|s| s == id) {
            focus.light(e);
        }
    }
    focus
}

/// A finding's nodes (its containers, networks, domains and host ports) and the lines between
/// them; the proxy too when the finding is about a route.
pub fn focus_on_finding(layout: &Layout, t: &Topology, finding: &Finding) -> Focus {
    let mut focus = Focus::default();
    let node_ids: BTreeSet<&str> = layout.nodes.iter().map(|n| n.id.as_str()).collect();
    let folded_into = |id: &str| {
        layout
            .nodes
            .iter()
            .find(|n| n.folded.iter().any(|f| f == id))
            .map(|n| n.id.clone())
    };
    let mut about_route = ROUTE_BREAKING.contains(&finding.code);
    for subject in &finding.subjects {
        match subject {
            Subject::Container(name) => {
                if node_ids.contains(name.as_str()) {
                    focus.nodes.insert(name.clone());
                } else if let Some(g) = layout.groups.iter().find(|g| g.members.contains(name)) {
                    focus.groups.insert(g.network.clone());
                }
            }
            Subject::Network(name) => {
                let drawn_as = match t.network(name).map(|n| n.kind) {
                    Some(NetworkKind::Null | NetworkKind::Host) => NO_NETWORK_ID.to_owned(),
                    _ => name.clone(),
                };
                focus.groups.insert(drawn_as);
            }
            Subject::Route(id) => {
                about_route = true;
                for host in t
                    .routes
                    .iter()
                    .filter(|r| &r.id == id)
                    .flat_map(|r| &r.hosts)
                {
                    let node = domain_node_id(host);
                    if node_ids.contains(node.as_str()) {
                        focus.nodes.insert(node);
                    } else if let Some(f) = folded_into(&node) {
                        focus.nodes.insert(f);
                    }
                }
            }
            Subject::HostPort(port) => {
                let suffix = format!(":{port}");
                for n in layout.nodes.iter().filter(|n| n.kind == NodeKind::HostPort) {
                    if n.label.ends_with(&suffix) || n.folded.iter().any(|f| f.ends_with(&suffix)) {
                        focus.nodes.insert(n.id.clone());
                    }
                }
            }
            Subject::Service(name) => {
                // The service's task containers that are drawn.
                for c in t
                    .containers
                    .iter()
                    .filter(|c| c.swarm_service() == Some(name.as_str()))
                {
                    if node_ids.contains(c.name.as_str()) {
                        focus.nodes.insert(c.name.to_string());
                    }
                }
            }
        }
    }
    if about_route {
        focus.nodes.extend(
            layout
                .nodes
                .iter()
                .filter(|n| n.kind == NodeKind::Proxy)
                .map(|n| n.id.clone()),
        );
    }
    let lit: Vec<String> = layout
        .edges
        .iter()
        .filter(|e| {
            let to_lit = if e.to_group {
                focus.groups.contains(&e.to)
            } else {
                focus.nodes.contains(&e.to)
            };
            focus.nodes.contains(&e.from) && to_lit
        })
        .map(edge_key)
        .collect();
    focus.edges.extend(lit);
    focus
}

/// A line's identity across layouts: its ends and kind (one line per those).
pub fn edge_key(e: &Edge) -> String {
    let to = if e.to_group { "group:" } else { "" };
    format!("{}>{to}{}:{:?}", e.from, e.to, e.kind)
}

/// How much a selection may zoom in over the fitted picture.
pub const SELECTION_ZOOM: f64 = 1.25;

/// The view (x, y, width, height in layout units) for a selection: the fitted view's shape,
/// zoomed so everything the selection lights up is in sight (never wider than the whole picture
/// fitted, and zoomed in at most by [`SELECTION_ZOOM`], so the context stays), and centred on
/// the selection as nearly as that allows. `None` when nothing is selected.
pub fn selection_view(
    layout: &Layout,
    focus: &Focus,
    selected: Option<&str>,
) -> Option<(f64, f64, f64, f64)> {
    let (cx, cy) = focus_point(layout, focus, selected)?;
    let mut boxes: Vec<(f64, f64, f64, f64)> = layout
        .nodes
        .iter()
        .filter(|n| focus.nodes.contains(&n.id))
        .map(|n| (n.x, n.y, n.x + n.w, n.y + n.h))
        .collect();
    boxes.extend(
        layout
            .groups
            .iter()
            .filter(|g| focus.groups.contains(&g.network) && g.closed)
            .map(|g| (g.x, g.y, g.x + g.w, g.y + g.h)),
    );
    for e in layout
        .edges
        .iter()
        .filter(|e| focus.edges.contains(&edge_key(e)))
    {
        boxes.extend(e.points.iter().map(|&(x, y)| (x, y, x, y)));
    }
    let pad = 24.0;
    let (x0, y0, x1, y1) = boxes.iter().fold((cx, cy, cx, cy), |(a, b, c, d), e| {
        (a.min(e.0), b.min(e.1), c.max(e.2), d.max(e.3))
    });
    let (x0, y0, x1, y1) = (x0 - pad, y0 - pad, x1 + pad, y1 + pad);
    let (fit_w, fit_h) = (layout.width.max(1.0), layout.height.max(1.0));
    let aspect = fit_w / fit_h;
    let w = (x1 - x0)
        .max((y1 - y0) * aspect)
        .clamp(fit_w / SELECTION_ZOOM, fit_w);
    let h = w / aspect;
    // As near the selection's centre as keeps the lit box in sight.
    let place = |centre: f64, size: f64, low: f64, high: f64| {
        let (least, most) = (high - size, low);
        if least <= most {
            (centre - size / 2.0).clamp(least, most)
        } else {
            (low + high - size) / 2.0
        }
    };
    Some((place(cx, w, x0, x1), place(cy, h, y0, y1), w, h))
}

/// Where to centre the view for a selection: the selected node, else the first lit container,
/// node or group.
pub fn focus_point(layout: &Layout, focus: &Focus, selected: Option<&str>) -> Option<(f64, f64)> {
    let node_at = |id: &str| {
        layout
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| (n.x + n.w / 2.0, n.y + n.h / 2.0))
    };
    if let Some(p) = selected.and_then(node_at) {
        return Some(p);
    }
    let lit = |kind: Option<NodeKind>| {
        layout
            .nodes
            .iter()
            .filter(|n| kind.is_none_or(|k| n.kind == k))
            .find(|n| focus.nodes.contains(&n.id))
            .map(|n| (n.x + n.w / 2.0, n.y + n.h / 2.0))
    };
    lit(Some(NodeKind::Container))
        .or_else(|| lit(None))
        .or_else(|| {
            layout
                .groups
                .iter()
                .find(|g| focus.groups.contains(&g.network))
                .map(|g| (g.x + g.w / 2.0, g.y + g.h / 2.0))
        })
}

/// A finding's stable handle for the URL: its code and a hash of what it is about.
pub fn finding_key(f: &Finding) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for subject in &f.subjects {
        let part = match subject {
            Subject::Container(n) => format!("c:{n}|"),
            Subject::Network(n) => format!("n:{n}|"),
            Subject::Route(r) => format!("r:{r}|"),
            Subject::HostPort(p) => format!("p:{p}|"),
            Subject::Service(s) => format!("s:{s}|"),
        };
        for b in part.bytes() {
            hash ^= u32::from(b);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    }
    format!("{}-{hash:08x}", f.code.slug())
}

/// The finding a URL's key names.
pub fn finding_by_key<'f>(findings: &'f [Finding], key: &str) -> Option<&'f Finding> {
    findings.iter().find(|f| finding_key(f) == key)
}

/// The containers a finding names, to open their groups in the overview.
pub fn finding_containers(f: &Finding) -> Vec<String> {
    f.subjects
        .iter()
        .filter_map(|s| match s {
            Subject::Container(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// Two badges as one: the worse severity, the counts added.
pub fn merge_badges(a: Option<Badge>, b: Option<Badge>) -> Option<Badge> {
    match (a, b) {
        (Some((sa, na)), Some((sb, nb))) => Some((sa.min(sb), na + nb)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// A node's badge, including the nodes it stands for when folded.
pub fn node_badge(badges: &GraphBadges, node: &NodeBox) -> Option<Badge> {
    node.folded
        .iter()
        .chain(std::iter::once(&node.id))
        .map(|id| badges.nodes.get(id).copied())
        .fold(None, merge_badges)
}

/// A group's badge: its network's findings, and when closed its containers' too (the worst
/// finding inside shows on the box).
pub fn group_badge(badges: &GraphBadges, group: &GroupBox) -> Option<Badge> {
    let own = badges.groups.get(&group.network).copied();
    if !group.closed {
        return own;
    }
    group
        .members
        .iter()
        .map(|m| badges.nodes.get(m).copied())
        .fold(own, merge_badges)
}

/// A route line's badge: on the last hop into a container (or a closed group) the proxy cannot
/// deliver to.
pub fn edge_badge(badges: &GraphBadges, edge: &Edge) -> Option<Badge> {
    let last_hop = edge.to_group || (edge.serves.len() == 1 && edge.serves[0] == edge.to);
    if edge.kind != crate::domain::layout::EdgeKind::Route || !last_hop {
        return None;
    }
    edge.serves
        .iter()
        .map(|c| badges.route_edges.get(c).copied())
        .fold(None, merge_badges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::layout::{layout, EdgeKind, NodeKind};

    use crate::domain::findings::test_support::recorded;

    fn names(input: &LayoutInput) -> Vec<&str> {
        input.containers.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn swarm_overlays_are_marked_overlay_with_whether_containers_may_join() {
        let t = crate::domain::swarm::fixtures::host();
        let input = layout_input(&t, &GraphQuery::default(), &BTreeSet::new());
        let note = |id: &str| {
            input
                .networks
                .iter()
                .find(|n| n.id == id)
                .and_then(|n| n.note.clone())
        };
        assert_eq!(
            note("ndfx-attachable").as_deref(),
            Some("overlay · attachable")
        );
        assert_eq!(
            note("ndfx-sealed").as_deref(),
            Some("overlay · not attachable")
        );
        assert_eq!(note("ingress").as_deref(), Some("overlay · ingress mesh"));
        assert_eq!(note("bridge").as_deref(), Some("no DNS"));
        let mut without = t.clone();
        without.swarm = None;
        let input = layout_input(&without, &GraphQuery::default(), &BTreeSet::new());
        assert!(input
            .networks
            .iter()
            .any(|n| n.id == "ingress" && n.note.as_deref() == Some("overlay · ingress mesh")));
    }

    #[test]
    fn the_mesh_port_is_drawn_with_the_host_ports_marked_ingress_on_every_node() {
        let t = crate::domain::swarm::fixtures::host();
        let input = layout_input(&t, &GraphQuery::default(), &BTreeSet::new());
        let publishing: Vec<&str> = input
            .containers
            .iter()
            .filter(|c| {
                c.published
                    .iter()
                    .any(|p| p == "*:18080 ingress (every node)")
            })
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(
            publishing.len(),
            2,
            "both running web tasks: {publishing:?}"
        );
        assert!(publishing.iter().all(|c| c.starts_with("ndfx-web.")));
        let l = layout(&input, &LayoutOptions::fitted(1.4));
        let port = l
            .nodes
            .iter()
            .find(|n| n.kind == NodeKind::HostPort && n.label == "*:18080")
            .expect("the mesh port is a host-port node");
        assert_eq!(port.detail.as_deref(), Some("ingress"));
        assert!(
            port.title.starts_with("*:18080 ingress (every node) → "),
            "{}",
            port.title
        );
        let edges = l
            .edges
            .iter()
            .filter(|e| e.from == port.id && e.kind == EdgeKind::Published)
            .count();
        assert_eq!(edges, 2);
        // The host-mode service's binding is an ordinary host port.
        assert!(l
            .nodes
            .iter()
            .any(|n| n.kind == NodeKind::HostPort && n.label == "0.0.0.0:18081"));
    }

    #[test]
    fn a_swarm_tasks_container_is_drawn_by_its_service_and_slot() {
        let t = crate::domain::swarm::fixtures::host();
        let input = layout_input(&t, &GraphQuery::default(), &BTreeSet::new());
        let label = |id: &str| {
            input
                .containers
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.label.clone())
        };
        assert_eq!(
            label("ndfx-web.1.kk08o0x4s2ps2fp1wo7jqzpy2").as_deref(),
            Some("ndfx-web.1")
        );
        assert_eq!(
            label("ndfx-host.ll5octysk0djd73qb8qttrtpu.xx5ztj4z2uflxo7816aatwmi4").as_deref(),
            Some("ndfx-host.ll5octysk0djd73qb8qttrtpu")
        );
        assert_eq!(label("ndfx-standalone").as_deref(), Some("ndfx-standalone"));
    }

    #[test]
    fn the_side_panel_lists_each_service_with_its_current_tasks_and_why_they_wait() {
        let t = crate::domain::swarm::fixtures::host();
        let services = swarm_services(&t);
        let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["ndfx-crash", "ndfx-host", "ndfx-stuck", "ndfx-web"]);
        let web = &services[3];
        assert!(web.healthy);
        assert_eq!(web.state, "2 of 2 running");
        assert_eq!(web.ports, ["*:18080→80/tcp (ingress, every node)"]);
        assert_eq!(web.networks, ["ndfx-attachable (overlay, attachable)"]);
        assert_eq!(web.tasks.len(), 2);
        assert!(web.tasks.iter().all(|task| task.running
            && task.node == "vm"
            && task
                .container
                .as_deref()
                .is_some_and(|c| c.starts_with("ndfx-web."))));
        let stuck = &services[2];
        assert!(!stuck.healthy);
        assert_eq!(stuck.state, "0 of 1 running");
        assert_eq!(stuck.networks, ["ndfx-sealed (overlay, not attachable)"]);
        let task = &stuck.tasks[0];
        assert_eq!(
            (task.label.as_str(), task.node.as_str(), task.state.as_str()),
            ("ndfx-stuck.1", "not scheduled", "pending (wanted: running)")
        );
        assert!(task
            .error
            .as_deref()
            .is_some_and(|e| e.contains("no suitable node")));
        let crash = &services[0];
        assert_eq!(crash.tasks.len(), 1);
        assert_eq!(crash.earlier, 4);
        assert_eq!(
            crash.tasks[0].error.as_deref(),
            Some("task: non-zero exit (3)")
        );
        assert_eq!(services[1].state, "global, 1 of 1 running");
        assert!(swarm_services(&recorded()).is_empty());
    }

    #[test]
    fn a_service_finding_badges_the_service_and_lights_its_tasks() {
        let t = crate::domain::swarm::fixtures::host();
        let all = findings(&t);
        let badges = graph_badges(&t, &all);
        assert!(badges.services.contains_key("ndfx-stuck"));
        assert!(!badges.services.contains_key("ndfx-web"));
        let input = layout_input(&t, &GraphQuery::default(), &BTreeSet::new());
        let l = layout(&input, &LayoutOptions::fitted(1.4));
        let f = Finding {
            subjects: vec![Subject::Service("ndfx-web".into())],
            ..all[0].clone()
        };
        let focus = focus_on_finding(&l, &t, &f);
        assert_eq!(
            focus
                .nodes
                .iter()
                .filter(|n| n.starts_with("ndfx-web."))
                .count(),
            2,
            "{focus:?}"
        );
    }

    #[test]
    fn graph_queries_round_trip_through_url_parameters() {
        let q = GraphQuery {
            network: Some("coolify".into()),
            project: Some("shop".into()),
            only_problems: true,
            selected: Some("coolify-proxy".into()),
            finding: Some("network-none-0badc0de".into()),
            open: vec!["coolify".into(), "stack-a".into()],
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
        let layout = layout(
            &layout_input(&report.topology, &GraphQuery::default(), &BTreeSet::new()),
            &LayoutOptions::default(),
        );
        for id in badges.nodes.keys() {
            assert!(
                layout
                    .nodes
                    .iter()
                    .any(|n| &n.id == id || n.folded.contains(id)),
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
        let l = layout(
            &layout_input(&t, &GraphQuery::default(), &BTreeSet::new()),
            &LayoutOptions::default(),
        );
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

    fn recorded_layout(query: &GraphQuery) -> (TopologyReport, Layout) {
        let report = TopologyReport::new(recorded());
        let input = layout_input(&report.topology, query, &BTreeSet::new());
        let l = layout(&input, &layout_options(&input, query, 1.4, &[]));
        (report, l)
    }

    fn label_of<'l>(l: &'l Layout, id: &str) -> &'l str {
        l.nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.label.as_str())
            .expect(id)
    }

    #[test]
    fn coolify_uuid_names_are_drawn_by_their_resource_or_service_name() {
        let (_, l) = recorded_layout(&GraphQuery::default());
        assert_eq!(
            label_of(&l, "jk8c0wc4ok80s0gkcgwgo4s8-142311873944"),
            "my-express-api"
        );
        assert_eq!(
            label_of(&l, "ro8kcog4kso4ck0ows4k4wkw"),
            "postgresql-database"
        );
        let n8n = l
            .nodes
            .iter()
            .find(|n| n.id == "n8n-qg8s4kc0w4wsgk0k8c0ww8o4")
            .expect("n8n");
        assert_eq!(
            n8n.label, "n8n",
            "inside its stack's group the service name is enough"
        );
        assert!(
            n8n.title.starts_with("n8n-qg8s4kc0w4wsgk0k8c0ww8o4"),
            "{}",
            n8n.title
        );
        let stack = l
            .groups
            .iter()
            .find(|g| g.network == "qg8s4kc0w4wsgk0k8c0ww8o4")
            .expect("stack");
        assert_eq!(
            stack.label,
            "n8n-with-postgresql · qg8s4kc0w4wsgk0k8c0ww8o4"
        );
        // The compose app's web is drawn on coolify's side? No: on its own network, named by service.
        assert_eq!(
            label_of(&l, "web-b4k8w0gcc8sk4oowc84wg0o8-095730391184"),
            "web"
        );
        assert_eq!(label_of(&l, "coolify-proxy"), "coolify-proxy");
        assert_eq!(label_of(&l, "isolated"), "isolated", "plain names stay");
    }

    #[test]
    fn a_stack_service_drawn_on_another_network_is_named_with_its_stack() {
        let t = recorded();
        let c = t
            .container("postgres-b4k8w0gcc8sk4oowc84wg0o8-095730391184")
            .expect("postgres");
        let name = node_name(c);
        assert_eq!(name.label, "postgres");
        assert_eq!(name.context.as_deref(), Some("shop"));
        assert_eq!(
            name.context_network.as_deref(),
            Some("b4k8w0gcc8sk4oowc84wg0o8")
        );
        let (_, l) = recorded_layout(&GraphQuery::default());
        let node = l
            .nodes
            .iter()
            .find(|n| n.id == c.name.as_str())
            .expect("node");
        if node.group.as_deref() == Some("b4k8w0gcc8sk4oowc84wg0o8") {
            assert_eq!(node.label, "postgres");
        } else {
            assert_eq!(node.label, "postgres · shop");
        }
    }

    #[test]
    fn a_large_host_opens_on_the_overview_and_keeps_the_selection_open() {
        let mut input = LayoutInput::default();
        for n in 0..10 {
            input.networks.push(NetworkIn {
                id: format!("n{n}"),
                label: format!("n{n}"),
                note: None,
            });
        }
        for i in 0..(OVERVIEW_ABOVE + 1) {
            input.containers.push(ContainerIn {
                id: format!("c{i}"),
                label: format!("c{i}"),
                networks: vec![format!("n{}", i % 10)],
                ..ContainerIn::default()
            });
        }
        assert!(is_overview(&input));
        let q = GraphQuery {
            open: vec!["n3".into()],
            ..GraphQuery::default()
        };
        let options = layout_options(&input, &q, 1.4, &["c7".to_owned()]);
        assert!(!options.closed.contains("n3"), "opened by the user");
        assert!(!options.closed.contains("n7"), "holds the selection");
        assert!(options.closed.contains("n0") && options.closed.contains(NO_NETWORK_ID));
        let all = GraphQuery {
            open: vec![OPEN_ALL.into()],
            ..GraphQuery::default()
        };
        assert!(layout_options(&input, &all, 1.4, &[]).closed.is_empty());
        input.containers.pop();
        assert!(layout_options(&input, &GraphQuery::default(), 1.4, &[])
            .closed
            .is_empty());
    }

    #[test]
    fn opening_and_selecting_edit_the_query_as_a_user_expects() {
        let mut q = GraphQuery::default();
        q.toggle_open("b");
        q.toggle_open("a");
        assert_eq!(q.open, ["a", "b"]);
        q.toggle_open("a");
        assert_eq!(q.open, ["b"]);
        q.select_finding("k");
        q.select_container("web");
        assert_eq!(
            (q.selected.as_deref(), q.finding.as_deref()),
            (Some("web"), None)
        );
        q.select_container("web");
        assert_eq!(q.selected, None);
        let parsed = GraphQuery::from_params(|k| (k == "open").then(|| "x,*,y".to_owned()));
        assert_eq!(parsed.open, [OPEN_ALL]);
        assert!(parsed.is_open("anything"));
    }

    #[test]
    fn selecting_a_routed_container_lights_every_path_to_it_and_nothing_else() {
        let (report, l) = recorded_layout(&GraphQuery::default());
        let app = "jk8c0wc4ok80s0gkcgwgo4s8-142311873944";
        let focus = focus_on_node(&l, app);
        let lit = |from: &str, to: &str| {
            l.edges
                .iter()
                .any(|e| e.from == from && e.to == to && focus.edges.contains(&edge_key(e)))
        };
        let domain = domain_node_id("api.example.com");
        assert!(lit(&domain, "coolify-proxy"));
        assert!(lit("coolify-proxy", app));
        assert!(
            lit("coolify-proxy", "coolify"),
            "the proxy's network the route runs over"
        );
        assert!(focus.nodes.contains(&domain) && focus.nodes.contains("coolify-proxy"));
        assert!(
            !focus.nodes.contains(&domain_node_id("n8n.example.com")),
            "another app's domain stays dim"
        );
        assert!(!lit("coolify-proxy", "n8n-qg8s4kc0w4wsgk0k8c0ww8o4"));
        // The view centres on it and keeps its domain and the proxy in sight.
        let (x, y, w, h) = selection_view(&l, &focus, Some(app)).expect("a view");
        for id in [domain.as_str(), "coolify-proxy", app] {
            let n = l.nodes.iter().find(|n| n.id == id).expect(id);
            assert!(
                n.x >= x && n.y >= y && n.x + n.w <= x + w && n.y + n.h <= y + h,
                "{id} is in sight"
            );
        }

        // A host port → container path.
        let db_proxy = "ro8kcog4kso4ck0ows4k4wkw-proxy";
        let focus = focus_on_node(&l, db_proxy);
        assert!(
            focus.nodes.contains(&host_port_node_id("0.0.0.0:5433")),
            "{:?}",
            focus.nodes
        );
        assert!(l
            .edges
            .iter()
            .any(|e| e.to == db_proxy && focus.edges.contains(&edge_key(e))));
        assert_eq!(
            focus_point(&l, &focus, Some(db_proxy)),
            l.nodes
                .iter()
                .find(|n| n.id == db_proxy)
                .map(|n| (n.x + n.w / 2.0, n.y + n.h / 2.0))
        );
        drop(report);
    }

    #[test]
    fn selecting_a_finding_lights_its_nodes_and_the_broken_route() {
        let (report, l) = recorded_layout(&GraphQuery::default());
        let web = "web-b4k8w0gcc8sk4oowc84wg0o8-095730391184";
        let finding = report
            .findings
            .iter()
            .find(|f| f.code == FindingCode::ProxyNoSharedNetwork)
            .expect("the proxy cannot reach shop's web");
        let key = finding_key(finding);
        assert!(key.starts_with("proxy-no-shared-network-"), "{key}");
        assert_eq!(finding_by_key(&report.findings, &key), Some(finding));
        let focus = focus_on_finding(&l, &report.topology, finding);
        assert!(focus.nodes.contains(web) && focus.nodes.contains("coolify-proxy"));
        let route = l
            .edges
            .iter()
            .position(|e| e.from == "coolify-proxy" && e.to == web && e.kind == EdgeKind::Route)
            .expect("the route edge");
        assert!(focus.edges.contains(&edge_key(&l.edges[route])));
        let (vx, vy, vw, vh) = selection_view(&l, &focus, None).expect("a view");
        assert!(
            vw <= l.width + 0.01 && vw >= l.width / SELECTION_ZOOM - 0.01,
            "between fit and the zoom limit: {vw}"
        );
        assert!(
            ((vw / vh) - l.width / l.height).abs() < 1e-9,
            "the fitted shape"
        );
        let (x, y) = focus_point(&l, &focus, None).expect("a point");
        assert!(x >= vx && x <= vx + vw && y >= vy && y <= vy + vh);
        let node = l.nodes.iter().find(|n| n.id == web).expect("web");
        assert_eq!(
            (x, y),
            (node.x + node.w / 2.0, node.y + node.h / 2.0),
            "centred on its container"
        );
        let badges = graph_badges(&report.topology, &report.findings);
        assert_eq!(
            edge_badge(&badges, &l.edges[route]).map(|b| b.0),
            Some(Severity::Blocking)
        );
    }

    #[test]
    fn finding_keys_are_unique_and_stable() {
        let report = TopologyReport::new(recorded());
        let keys: BTreeSet<String> = report.findings.iter().map(finding_key).collect();
        assert_eq!(keys.len(), report.findings.len());
        let again = TopologyReport::new(recorded());
        assert_eq!(
            again
                .findings
                .iter()
                .map(finding_key)
                .collect::<BTreeSet<_>>(),
            keys
        );
    }

    #[test]
    fn a_closed_group_carries_the_worst_badge_of_what_it_holds() {
        let report = TopologyReport::new(recorded());
        let badges = graph_badges(&report.topology, &report.findings);
        let input = layout_input(&report.topology, &GraphQuery::default(), &BTreeSet::new());
        let mut options = LayoutOptions::fitted(1.4);
        options.closed.insert("b4k8w0gcc8sk4oowc84wg0o8".to_owned());
        let l = layout(&input, &options);
        let g = l
            .groups
            .iter()
            .find(|g| g.network == "b4k8w0gcc8sk4oowc84wg0o8")
            .expect("group");
        assert!(g.closed);
        assert_eq!(
            group_badge(&badges, g).map(|b| b.0),
            Some(Severity::Blocking)
        );
        assert_eq!(
            merge_badges(Some((Severity::Info, 1)), Some((Severity::Warning, 2))),
            Some((Severity::Warning, 3))
        );
    }
}
