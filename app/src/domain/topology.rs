//! The network picture of one Docker host: networks, containers, how they attach, which names
//! resolve where, the proxy and its routes. Built from the Engine's inspect answers, in both the
//! API ≥ 1.44 shape (`DNSNames`) and the older one (names derived from name, aliases, short ID).

use crate::domain::containers::ContainerState;
pub use crate::domain::containers::Health;
use crate::domain::coolify::{proxy_preference, CoolifyIdentity};
use crate::domain::engine_json::{
    ContainerInspectJson, EndpointJson, NetworkInspectJson, PortBindingJson,
};
use crate::domain::names::{short_id, ContainerName};
use crate::domain::ports::{HostBinding, PortMapping, Protocol};
use crate::domain::proxy::{self, ProxyKind, Route, RoutedContainer};
use crate::domain::redact::is_secret_label_entry;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What kind of network this is, which decides whether names resolve on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetworkKind {
    /// Docker's default `bridge`: no embedded DNS, containers find each other by IP only.
    DefaultBridge,
    /// `host`: the container shares the host's network stack.
    Host,
    /// `none`: no network at all.
    Null,
    /// A user-defined network (bridge, overlay, …): the embedded DNS at 127.0.0.11 resolves names.
    UserDefined,
}

impl NetworkKind {
    pub fn of(name: &str, driver: &str) -> Self {
        match (name, driver) {
            ("bridge", "bridge" | "") => Self::DefaultBridge,
            ("host", _) | (_, "host") => Self::Host,
            ("none", _) | (_, "null") => Self::Null,
            _ => Self::UserDefined,
        }
    }

    /// Whether Docker's embedded DNS resolves container names on this network.
    pub fn resolves_names(self) -> bool {
        self == Self::UserDefined
    }
}

/// An IPAM range of a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    pub subnet: String,
    pub gateway: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub driver: String,
    pub scope: String,
    pub kind: NetworkKind,
    pub subnets: Vec<Subnet>,
    pub internal: bool,
    pub attachable: bool,
    /// Names of the containers attached (running or not), sorted.
    pub members: Vec<ContainerName>,
}

/// How a container's network namespace is set up (`HostConfig.NetworkMode`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetworkMode {
    /// `default` / `bridge`.
    DefaultBridge,
    Host,
    Null,
    /// `container:<id>`: shares another container's namespace.
    Container(String),
    /// A user-defined network by name.
    Network(String),
}

impl NetworkMode {
    pub fn from_engine(raw: &str) -> Self {
        match raw {
            "" | "default" | "bridge" => Self::DefaultBridge,
            "host" => Self::Host,
            "none" => Self::Null,
            other => match other.strip_prefix("container:") {
                Some(id) => Self::Container(id.to_owned()),
                None => Self::Network(other.to_owned()),
            },
        }
    }
}

/// A container's endpoint on one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub network: String,
    /// IPv4 without prefix; `None` while stopped.
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
    pub aliases: Vec<String>,
    /// The names other containers on this network can resolve this one by.
    pub dns_names: Vec<String>,
    /// `true` when the Engine listed them (`DNSNames`, API ≥ 1.44); `false` when derived.
    pub dns_names_from_engine: bool,
}

/// A container port that is exposed (reachable from other containers on a shared network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExposedPort {
    pub port: u16,
    pub protocol: Protocol,
}

/// Compose project and service, from `com.docker.compose.*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeIdentity {
    pub project: String,
    pub service: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    pub id: String,
    pub name: ContainerName,
    /// The image reference the container was created from.
    pub image: String,
    pub state: ContainerState,
    pub health: Option<Health>,
    pub restart_count: i64,
    pub network_mode: NetworkMode,
    /// Sorted by network name.
    pub attachments: Vec<Attachment>,
    pub exposed: Vec<ExposedPort>,
    /// Host bindings in force (running containers only), sorted.
    pub published: Vec<PortMapping>,
    /// Host bindings asked for (`HostConfig.PortBindings`, `-p`), also while it is not running,
    /// sorted. A random host port (`-p 80`) is asked for as port 0.
    #[serde(default)]
    pub requested: Vec<PortMapping>,
    /// `--add-host` entries (`host.docker.internal:host-gateway`), as the Engine lists them.
    #[serde(default)]
    pub extra_hosts: Vec<String>,
    pub coolify: Option<CoolifyIdentity>,
    pub compose: Option<ComposeIdentity>,
    /// The labels that matter for networking (coolify.*, com.docker.compose.*, traefik.*,
    /// caddy*), minus any secret-looking key.
    pub labels: BTreeMap<String, String>,
}

impl Container {
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }

    pub fn attachment(&self, network: &str) -> Option<&Attachment> {
        self.attachments.iter().find(|a| a.network == network)
    }

    pub fn network_names(&self) -> impl Iterator<Item = &str> {
        self.attachments.iter().map(|a| a.network.as_str())
    }

    /// Running now (see [`ContainerState::is_running`]).
    pub fn is_running(&self) -> bool {
        self.state.is_running()
    }

    /// The routes this container's own proxy labels describe, read as Traefik labels, then as
    /// caddy-docker-proxy ones (a container page knows the container, not the live proxy).
    pub fn own_routes(&self) -> Vec<Route> {
        let exposed: Vec<u16> = self.exposed.iter().map(|p| p.port).collect();
        let me = [RoutedContainer {
            name: self.name.as_str(),
            labels: &self.labels,
            exposed_ports: &exposed,
        }];
        [ProxyKind::Traefik, ProxyKind::Caddy]
            .into_iter()
            .flat_map(|kind| proxy::routes(kind, &me))
            .collect()
    }

    /// The swarm service this container is a task of (`com.docker.swarm.service.name`), when
    /// it is one; standalone containers (`docker run`, compose) have none.
    pub fn swarm_service(&self) -> Option<&str> {
        self.labels
            .get("com.docker.swarm.service.name")
            .map(String::as_str)
    }

    /// The first domain this container's own proxy labels route to it.
    pub fn first_host(&self) -> Option<String> {
        self.own_routes()
            .into_iter()
            .find_map(|r| r.hosts.into_iter().next())
    }
}

/// The live proxy: `coolify-proxy`, its type decided by its image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proxy {
    pub container: ContainerName,
    pub kind: ProxyKind,
    pub image: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    /// Sorted by name.
    pub networks: Vec<Network>,
    /// Sorted by name.
    pub containers: Vec<Container>,
    pub proxy: Option<Proxy>,
    /// The live proxy's routes: read from the proxy itself when it could be (`route_table`
    /// says so), else parsed from the routed containers' labels.
    pub routes: Vec<Route>,
    /// The label routes, kept beside `routes` when those were read from the proxy: what the
    /// routes should be (see `intended_routes`).
    #[serde(default)]
    pub label_routes: Vec<Route>,
    /// Where `routes` came from, when they were read, and why the labels are used.
    #[serde(default)]
    pub route_table: crate::domain::proxy::loaded::RouteTable,
    /// The Engine's version (`GET /version`'s `Version`, e.g. `20.10.24+dfsg1`), when known.
    #[serde(default)]
    pub engine_version: Option<String>,
    /// The host's name as the Engine reports it (`GET /info`'s `Name`), when known.
    #[serde(default)]
    pub host_name: Option<String>,
    /// The swarm this engine manages (nodes, services and their tasks, overlays); `None` on a
    /// worker or an engine outside a swarm.
    #[serde(default)]
    pub swarm: Option<crate::domain::swarm::Swarm>,
}

/// Label prefixes kept on a container (secret-looking keys are still dropped).
/// `com.docker.swarm.` marks a swarm task's container (service and task names and ids).
const KEPT_LABELS: [&str; 5] = [
    "coolify.",
    "com.docker.compose.",
    "traefik.",
    "caddy",
    "com.docker.swarm.",
];

impl Topology {
    /// Builds the picture from `GET /containers/{id}/json` for every container and
    /// `GET /networks/{id}` for every network. Containers or networks that vanished between the
    /// calls are simply absent; nothing here fails.
    pub fn from_engine(
        containers: &[ContainerInspectJson],
        networks: &[NetworkInspectJson],
    ) -> Self {
        let kinds: BTreeMap<&str, NetworkKind> = networks
            .iter()
            .map(|n| (n.name.as_str(), NetworkKind::of(&n.name, &n.driver)))
            .collect();
        let kind_of = |name: &str| {
            kinds
                .get(name)
                .copied()
                .unwrap_or_else(|| NetworkKind::of(name, ""))
        };

        let endpoint_gateways: BTreeMap<&str, String> = containers
            .iter()
            .flat_map(|c| c.network_settings.networks.iter())
            .filter(|(_, ep)| !ep.gateway.is_empty())
            .map(|(net, ep)| (net.as_str(), ep.gateway.clone()))
            .collect();
        let mut containers: Vec<Container> = containers
            .iter()
            .map(|c| container_from_engine(c, &kind_of))
            .collect();
        containers.sort_by(|a, b| a.name.cmp(&b.name));

        let mut members: BTreeMap<&str, BTreeSet<ContainerName>> = BTreeMap::new();
        for c in &containers {
            for a in &c.attachments {
                members
                    .entry(a.network.as_str())
                    .or_default()
                    .insert(c.name.clone());
            }
        }
        let mut networks: Vec<Network> = networks
            .iter()
            .map(|n| Network {
                id: n.id.clone(),
                name: n.name.clone(),
                driver: n.driver.clone(),
                scope: n.scope.clone(),
                kind: kind_of(&n.name),
                subnets: n
                    .ipam
                    .config
                    .iter()
                    .filter(|c| !c.subnet.is_empty())
                    .map(|c| Subnet {
                        subnet: c.subnet.clone(),
                        // Engine 20.10 lists no gateway for the default bridge; its containers'
                        // endpoints carry it.
                        gateway: if c.gateway.is_empty() {
                            endpoint_gateways
                                .get(n.name.as_str())
                                .cloned()
                                .unwrap_or_default()
                        } else {
                            c.gateway.clone()
                        },
                    })
                    .collect(),
                internal: n.internal,
                attachable: n.attachable,
                members: members
                    .get(n.name.as_str())
                    .map(|m| m.iter().cloned().collect())
                    .unwrap_or_default(),
            })
            .collect();
        networks.sort_by(|a, b| a.name.cmp(&b.name));

        let proxy = containers
            .iter()
            .filter_map(|c| {
                let rank = proxy_preference(c.name.as_str(), c.coolify.as_ref(), c.is_running())?;
                Some((rank, c))
            })
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, c)| Proxy {
                container: c.name.clone(),
                kind: ProxyKind::from_image(&c.image),
                image: c.image.clone(),
            });

        let mut topology = Self {
            networks,
            containers,
            proxy,
            routes: Vec::new(),
            engine_version: None,
            ..Self::default()
        };
        topology.routes = topology
            .proxy
            .as_ref()
            .map(|p| topology.routes_for(p.kind))
            .unwrap_or_default();
        topology
    }

    /// The routes a proxy of this kind reads from the containers' labels (`routes` holds those
    /// of the live proxy; a check told to use another proxy container asks for its kind).
    pub fn routes_for(&self, kind: ProxyKind) -> Vec<Route> {
        let exposed: Vec<Vec<u16>> = self
            .containers
            .iter()
            .map(|c| {
                c.exposed
                    .iter()
                    .filter(|p| p.protocol == Protocol::Tcp)
                    .map(|p| p.port)
                    .collect()
            })
            .collect();
        let routed: Vec<RoutedContainer<'_>> = self
            .containers
            .iter()
            .zip(&exposed)
            .map(|(c, ports)| RoutedContainer {
                name: c.name.as_str(),
                labels: &c.labels,
                exposed_ports: ports,
            })
            .collect();
        proxy::routes(kind, &routed)
    }

    /// Every domain the live proxy routes, sorted, once each.
    pub fn routed_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .routes
            .iter()
            .flat_map(|r| r.hosts.iter().cloned())
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }

    pub fn container(&self, name: &str) -> Option<&Container> {
        self.containers.iter().find(|c| c.name.as_str() == name)
    }

    pub fn network(&self, name: &str) -> Option<&Network> {
        self.networks.iter().find(|n| n.name == name)
    }

    /// The container whose network namespace `c` uses: itself, or the one named by
    /// `network_mode: container:<id or name>` when it is on this host.
    pub fn namespace_owner<'a>(&'a self, c: &'a Container) -> &'a Container {
        match &c.network_mode {
            NetworkMode::Container(id) => self
                .containers
                .iter()
                .find(|o| o.id.starts_with(id.as_str()) || o.name.as_str() == id)
                .unwrap_or(c),
            _ => c,
        }
    }

    /// The kind of a network by name, also for one the topology did not list (a container can
    /// name a network that vanished between the Engine's answers).
    pub fn network_kind(&self, name: &str) -> NetworkKind {
        self.network(name)
            .map_or_else(|| NetworkKind::of(name, ""), |n| n.kind)
    }

    /// Whether Docker's embedded DNS resolves container names on this network.
    pub fn resolves_names_on(&self, network: &str) -> bool {
        self.network_kind(network).resolves_names()
    }

    /// Whether containers can be reached over this network at all: a user-defined network or
    /// the default bridge, not `none` and not `host`.
    pub fn is_routable(&self, network: &str) -> bool {
        matches!(
            self.network_kind(network),
            NetworkKind::UserDefined | NetworkKind::DefaultBridge
        )
    }

    /// Whether the network was created `--internal`.
    pub fn is_internal(&self, network: &str) -> bool {
        self.network(network).is_some_and(|n| n.internal)
    }

    /// The networks of `c` on which names resolve, sorted.
    pub fn dns_networks<'a>(&'a self, c: &'a Container) -> impl Iterator<Item = &'a str> + 'a {
        c.network_names().filter(move |n| self.resolves_names_on(n))
    }

    /// Networks both containers are attached to, sorted.
    pub fn shared_networks<'a>(
        &'a self,
        a: &'a Container,
        b: &'a Container,
    ) -> impl Iterator<Item = &'a str> + 'a {
        a.network_names().filter(move |n| b.attachment(n).is_some())
    }

    /// On one network: each resolvable name → the containers that answer to it, sorted.
    pub fn names_on(&self, network: &str) -> BTreeMap<&str, Vec<&ContainerName>> {
        let mut names: BTreeMap<&str, Vec<&ContainerName>> = BTreeMap::new();
        for c in &self.containers {
            if let Some(a) = c.attachment(network) {
                for n in &a.dns_names {
                    names.entry(n.as_str()).or_default().push(&c.name);
                }
            }
        }
        names
    }
}

fn container_from_engine(
    raw: &ContainerInspectJson,
    kind_of: &impl Fn(&str) -> NetworkKind,
) -> Container {
    let name = ContainerName::from_engine(if raw.name.is_empty() {
        short_id(&raw.id)
    } else {
        &raw.name
    });
    let short = short_id(&raw.id).to_owned();
    let mut attachments: Vec<Attachment> = raw
        .network_settings
        .networks
        .iter()
        .map(|(net, ep)| attachment(net, ep, name.as_str(), &short, kind_of(net)))
        .collect();
    attachments.sort_by(|a, b| a.network.cmp(&b.network));

    let mut exposed: Vec<ExposedPort> = raw
        .config
        .exposed_ports
        .keys()
        .filter_map(|k| parse_port_key(k))
        .collect();
    exposed.sort();
    exposed.dedup();

    let mut published: Vec<PortMapping> = raw
        .network_settings
        .ports
        .iter()
        .filter_map(|(key, bindings)| Some((parse_port_key(key)?, bindings.as_ref()?)))
        .flat_map(|(port, bindings)| bindings.iter().filter_map(move |b| published_port(port, b)))
        .collect();
    published.sort();
    published.dedup();

    let mut requested: Vec<PortMapping> = raw
        .host_config
        .port_bindings
        .iter()
        .filter_map(|(key, bindings)| Some((parse_port_key(key)?, bindings.as_ref()?)))
        .flat_map(|(port, bindings)| bindings.iter().map(move |b| requested_port(port, b)))
        .collect();
    requested.sort();
    requested.dedup();

    let labels: BTreeMap<String, String> = raw
        .config
        .labels
        .iter()
        .filter(|(k, v)| {
            KEPT_LABELS.iter().any(|p| k.starts_with(p)) && !is_secret_label_entry(k, v)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let compose = raw
        .config
        .labels
        .get("com.docker.compose.project")
        .map(|project| ComposeIdentity {
            project: project.clone(),
            service: raw.config.labels.get("com.docker.compose.service").cloned(),
        });

    let state = if raw.state.restarting {
        ContainerState::Restarting
    } else {
        ContainerState::from_engine(&raw.state.status)
    };
    let health = raw
        .state
        .health
        .as_ref()
        .and_then(|h| match h.status.as_str() {
            "starting" => Some(Health::Starting),
            "healthy" => Some(Health::Healthy),
            "unhealthy" => Some(Health::Unhealthy),
            _ => None,
        });

    Container {
        id: raw.id.clone(),
        coolify: CoolifyIdentity::from_labels(name.as_str(), &raw.config.labels),
        name,
        image: raw.config.image.clone(),
        state,
        health,
        restart_count: raw.restart_count,
        network_mode: NetworkMode::from_engine(&raw.host_config.network_mode),
        attachments,
        exposed,
        published,
        requested,
        extra_hosts: raw.host_config.extra_hosts.clone(),
        compose,
        labels,
    }
}

fn attachment(
    network: &str,
    ep: &EndpointJson,
    name: &str,
    short: &str,
    kind: NetworkKind,
) -> Attachment {
    let (dns_names, from_engine) = match &ep.dns_names {
        Some(names) => (names.clone(), true),
        None if kind.resolves_names() => {
            // API < 1.44: the embedded DNS answers to the name, every alias and the short ID.
            let mut names: Vec<String> = Vec::new();
            for n in std::iter::once(name)
                .chain(ep.aliases.iter().map(String::as_str))
                .chain(std::iter::once(short))
            {
                if !n.is_empty() && !names.iter().any(|m| m == n) {
                    names.push(n.to_owned());
                }
            }
            (names, false)
        }
        None => (Vec::new(), false),
    };
    Attachment {
        network: network.to_owned(),
        ipv4: Some(ep.ip_address.clone()).filter(|ip| !ip.is_empty()),
        ipv6: Some(ep.global_ipv6_address.clone()).filter(|ip| !ip.is_empty()),
        aliases: ep.aliases.clone(),
        dns_names,
        dns_names_from_engine: from_engine,
    }
}

/// `"3001/tcp"` → port and protocol.
fn parse_port_key(key: &str) -> Option<ExposedPort> {
    let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    Some(ExposedPort {
        port: port.parse().ok()?,
        protocol: Protocol::from_engine(proto),
    })
}

fn published_port(port: ExposedPort, b: &PortBindingJson) -> Option<PortMapping> {
    let host_port: u16 = b.host_port.parse().ok().filter(|p| *p != 0)?;
    Some(PortMapping {
        container_port: port.port,
        protocol: port.protocol,
        host: Some(HostBinding {
            ip: b.host_ip.clone(),
            port: host_port,
        }),
    })
}

/// A binding as asked for: an empty or unparsable host port means "any free port" (0).
fn requested_port(port: ExposedPort, b: &PortBindingJson) -> PortMapping {
    PortMapping {
        container_port: port.port,
        protocol: port.protocol,
        host: Some(HostBinding {
            ip: b.host_ip.clone(),
            port: b.host_port.parse().unwrap_or(0),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::coolify::CoolifyKind;
    use serde_json::Value;

    const DESTINATION: &str = include_str!("fixtures/destination-api-1.41.json");

    fn parse(raw: &Value) -> Topology {
        let containers: Vec<ContainerInspectJson> =
            serde_json::from_value(raw["containers"].clone()).expect("containers parse");
        let networks: Vec<NetworkInspectJson> =
            serde_json::from_value(raw["networks"].clone()).expect("networks parse");
        Topology::from_engine(&containers, &networks)
    }

    fn recorded() -> Topology {
        parse(&serde_json::from_str(DESTINATION).expect("fixture is JSON"))
    }

    /// The same destination as Engine ≥ 1.45 would answer: `DNSNames` present and `Aliases`
    /// holding only what was submitted (no short ID). Derived from the recording, since the
    /// engine here speaks 1.41.
    fn recorded_as_api_1_45() -> Topology {
        let mut raw: Value = serde_json::from_str(DESTINATION).expect("fixture is JSON");
        for c in raw["containers"].as_array_mut().expect("array") {
            let name = c["Name"]
                .as_str()
                .expect("name")
                .trim_start_matches('/')
                .to_owned();
            let short = c["Id"].as_str().expect("id")[..12].to_owned();
            for (net, ep) in c["NetworkSettings"]["Networks"]
                .as_object_mut()
                .expect("networks")
            {
                let submitted: Vec<Value> = ep["Aliases"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|v| v.as_str() != Some(&short))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                let dns: Vec<Value> = if ["bridge", "none", "host"].contains(&net.as_str()) {
                    Vec::new()
                } else {
                    let mut names = vec![Value::from(name.clone())];
                    names.extend(
                        submitted
                            .iter()
                            .filter(|v| v.as_str() != Some(&name))
                            .cloned(),
                    );
                    names.push(Value::from(short.clone()));
                    names
                };
                ep["Aliases"] = Value::from(submitted);
                ep["DNSNames"] = Value::from(dns);
            }
        }
        parse(&raw)
    }

    fn container<'a>(t: &'a Topology, name: &str) -> &'a Container {
        t.container(name)
            .unwrap_or_else(|| panic!("{name} is in the topology"))
    }

    #[test]
    fn a_container_page_finds_the_domain_its_own_labels_route_to_it() {
        use crate::domain::findings::test_support::{container, recorded};
        let t = recorded();
        let routed = t
            .routes
            .iter()
            .find(|r| {
                r.containers
                    .iter()
                    .any(|c| c == "jk8c0wc4ok80s0gkcgwgo4s8-142311873944")
            })
            .expect("the recorded app is routed");
        let app = t
            .container("jk8c0wc4ok80s0gkcgwgo4s8-142311873944")
            .expect("app");
        assert_eq!(app.first_host().as_ref(), routed.hosts.first());
        assert_eq!(container("plain").first_host(), None);
    }

    #[test]
    fn networks_carry_their_kind_settings_and_members() {
        let t = recorded();
        let coolify = t.network("coolify").expect("coolify network");
        assert_eq!(coolify.kind, NetworkKind::UserDefined);
        assert!(coolify.attachable && !coolify.internal);
        assert_eq!(coolify.subnets.len(), 1);
        assert!(coolify
            .members
            .iter()
            .any(|m| m.as_str() == "coolify-proxy"));
        assert!(
            coolify
                .members
                .iter()
                .any(|m| m.as_str() == "stopped-worker"),
            "stopped containers are members too"
        );
        assert!(
            t.network("backend-only")
                .expect("internal network")
                .internal
        );
        assert_eq!(
            t.network("bridge").expect("bridge").kind,
            NetworkKind::DefaultBridge
        );
        assert_eq!(t.network("none").expect("none").kind, NetworkKind::Null);
        let names: Vec<&str> = t.networks.iter().map(|n| n.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "networks are sorted by name");
    }

    #[test]
    fn old_engines_get_dns_names_derived_from_name_aliases_and_short_id() {
        let t = recorded();
        let db = container(&t, "coolify-db");
        let on_coolify = db.attachment("coolify").expect("on coolify");
        assert!(!on_coolify.dns_names_from_engine);
        assert_eq!(
            on_coolify.dns_names,
            ["coolify-db", "postgres", db.short_id()]
        );
        assert!(on_coolify.ipv4.is_some());
    }

    #[test]
    fn new_engines_dns_names_are_taken_as_given() {
        let t = recorded_as_api_1_45();
        let db = container(&t, "coolify-db");
        let on_coolify = db.attachment("coolify").expect("on coolify");
        assert!(on_coolify.dns_names_from_engine);
        assert_eq!(on_coolify.aliases, ["postgres"]);
        assert_eq!(
            on_coolify.dns_names,
            ["coolify-db", "postgres", db.short_id()]
        );
    }

    #[test]
    fn both_api_shapes_give_the_same_names_on_every_network() {
        let (old, new) = (recorded(), recorded_as_api_1_45());
        for (a, b) in old.containers.iter().zip(&new.containers) {
            for (x, y) in a.attachments.iter().zip(&b.attachments) {
                assert_eq!(x.dns_names, y.dns_names, "{} on {}", a.name, x.network);
            }
        }
    }

    #[test]
    fn the_default_bridge_and_none_resolve_no_names() {
        let t = recorded();
        assert!(container(&t, "coolify-sentinel")
            .attachment("bridge")
            .expect("bridge")
            .dns_names
            .is_empty());
        assert!(container(&t, "isolated")
            .attachment("none")
            .expect("none")
            .dns_names
            .is_empty());
        assert_eq!(container(&t, "isolated").network_mode, NetworkMode::Null);
    }

    #[test]
    fn coolify_identity_and_compose_project_are_read_from_labels() {
        let t = recorded();
        let app = container(&t, "jk8c0wc4ok80s0gkcgwgo4s8-142311873944");
        let id = app.coolify.as_ref().expect("managed");
        assert_eq!(id.kind, CoolifyKind::Application);
        assert_eq!(id.resource_name.as_deref(), Some("my-express-api"));
        assert_eq!(
            app.compose.as_ref().map(|c| c.project.as_str()),
            Some("jk8c0wc4ok80s0gkcgwgo4s8")
        );
        let stack_db = container(&t, "postgresql-qg8s4kc0w4wsgk0k8c0ww8o4");
        assert_eq!(
            stack_db
                .coolify
                .as_ref()
                .and_then(|i| i.sub_type.as_deref()),
            Some("database")
        );
        assert_eq!(
            container(&t, "coolify-db").coolify.as_ref().map(|i| i.kind),
            Some(CoolifyKind::Core)
        );
        assert_eq!(container(&t, "internal-only").coolify, None);
    }

    #[test]
    fn exposed_and_published_ports_are_separated() {
        let t = recorded();
        let app = container(&t, "jk8c0wc4ok80s0gkcgwgo4s8-142311873944");
        assert_eq!(
            app.exposed,
            [ExposedPort {
                port: 3001,
                protocol: Protocol::Tcp
            }]
        );
        assert!(app.published.is_empty());
        let public_db = container(&t, "ro8kcog4kso4ck0ows4k4wkw-proxy");
        let shown: Vec<String> = public_db
            .published
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            shown.contains(&"0.0.0.0:5433->5433/tcp".to_owned()),
            "{shown:?}"
        );
    }

    #[test]
    fn the_proxy_type_comes_from_its_image_and_its_routes_from_app_labels() {
        let t = recorded();
        let proxy = t.proxy.as_ref().expect("coolify-proxy");
        assert_eq!(proxy.kind, ProxyKind::Traefik);
        let api: Vec<&Route> = t
            .routes
            .iter()
            .filter(|r| r.hosts.iter().any(|h| h == "api.example.com"))
            .collect();
        assert!(!api.is_empty());
        assert!(api.iter().all(|r| r.target_port == Some(3001)));
        assert!(t
            .routes
            .iter()
            .any(|r| r.network.as_deref() == Some("qg8s4kc0w4wsgk0k8c0ww8o4")));
    }

    #[test]
    fn stopped_containers_keep_their_networks_without_an_address() {
        let t = recorded();
        let worker = container(&t, "stopped-worker");
        assert_eq!(worker.state, ContainerState::Created);
        assert_eq!(
            worker.attachment("coolify").and_then(|a| a.ipv4.clone()),
            None
        );
    }

    #[test]
    fn routed_hosts_are_listed_sorted_and_once_each() {
        let mut t = recorded();
        let hosts = t.routed_hosts();
        assert!(!hosts.is_empty());
        assert!(hosts.windows(2).all(|w| w[0] < w[1]), "{hosts:?}");
        let first = t.routes[0].clone();
        t.routes.push(first);
        assert_eq!(t.routed_hosts(), hosts);
    }

    #[test]
    fn shared_networks_and_names_on_a_network_answer_who_resolves_whom() {
        let t = recorded();
        let app = container(&t, "jk8c0wc4ok80s0gkcgwgo4s8-142311873944");
        let n8n = container(&t, "n8n-qg8s4kc0w4wsgk0k8c0ww8o4");
        let db = container(&t, "ro8kcog4kso4ck0ows4k4wkw");
        assert_eq!(t.shared_networks(app, n8n).count(), 0);
        assert_eq!(t.shared_networks(app, db).collect::<Vec<_>>(), ["coolify"]);
        let names = t.names_on("coolify");
        let postgres: Vec<&str> = names["postgres"].iter().map(|n| n.as_str()).collect();
        assert_eq!(
            postgres,
            [
                "coolify-db",
                "postgres-b4k8w0gcc8sk4oowc84wg0o8-095730391184"
            ]
        );
    }

    #[test]
    fn no_environment_value_or_secret_label_reaches_the_topology() {
        let json = serde_json::to_string(&recorded()).expect("serialises");
        for secret in [
            "hunter2",
            "very-secret",
            "s3cret-password",
            "POSTGRES_PASSWORD",
            "DATABASE_URL",
        ] {
            assert!(!json.contains(secret), "{secret} leaked into the topology");
        }
    }

    #[test]
    fn containers_that_vanished_between_calls_do_not_break_the_picture() {
        let t = Topology::from_engine(&[], &[]);
        assert!(
            t.containers.is_empty()
                && t.networks.is_empty()
                && t.proxy.is_none()
                && t.routes.is_empty()
        );
    }
}
