//! The reachability model: can `from` reach `to` on `port`, by the name or address the user
//! typed, and if not, the one cause and its fix. Pure, on the topology alone: what the networks
//! decide (name resolution, IP routing, ICMP). Whether an app listens is what the live probes
//! add. Every screen asks here — the connection builder, the reach check, the proxy check, the
//! findings, the matrix — so they cannot disagree.
//!
//! The rules, as Docker Engine 20.10+ applies them on one host:
//! - Docker's embedded DNS answers a container only for names registered on the user-defined
//!   networks it is attached to (container name, aliases, compose service name, short ID), and
//!   only names of running containers. The default `bridge` has no DNS.
//! - Traffic between containers flows on a network both are on; between different networks it
//!   is dropped (DOCKER-ISOLATION), though the host routes all of them.
//! - The host's own addresses (any network's gateway) answer from every container, also on
//!   `--internal` networks; beyond the host, an internal network reaches nothing.
//! - The host and `network_mode: host` containers do not use Docker's DNS; they reach container
//!   IPs directly and published ports on the host's addresses.

pub mod address;
pub mod cause;
pub mod matrix;
pub mod model;
pub mod naming;
#[cfg(test)]
mod tests;

pub use address::{Address, AddressPort, HOST_GATEWAY_NAME};
pub use cause::{Blocked, Cause, CauseCode, End};
pub use model::Model;

use crate::domain::names::{ContainerName, NameError};
use crate::domain::topology::{Container, NetworkKind, NetworkMode, Topology};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Where the connection starts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Source {
    /// The Docker host itself, or anything outside Docker (a laptop, another server).
    Host,
    /// A container on this host.
    Container(ContainerName),
    /// An app on another server netdoctor reaches (its name in the servers list): it has its
    /// own engine, its own networks and its own Docker DNS.
    Server(String),
}

/// How the host is written in the URL. It cannot be a container name: Docker names start with
/// a letter or a digit.
pub const HOST_PARAM: &str = "~host";

/// How another server is written in the URL: `~server:NAME` (no container name has a `~`).
pub const SERVER_PARAM_PREFIX: &str = "~server:";

impl Source {
    /// The URL value: [`HOST_PARAM`] or the container's name.
    pub fn param(&self) -> String {
        match self {
            Self::Host => HOST_PARAM.to_owned(),
            Self::Container(name) => name.to_string(),
            Self::Server(server) => format!("{SERVER_PARAM_PREFIX}{server}"),
        }
    }

    /// Reads a URL value; container names are checked the way Docker checks them.
    pub fn parse(value: &str) -> Result<Self, NameError> {
        if value == HOST_PARAM {
            return Ok(Self::Host);
        }
        if let Some(server) = value.strip_prefix(SERVER_PARAM_PREFIX) {
            // Server names follow container names' rules (crate::domain::servers::ServerName).
            return ContainerName::parse(server).map(|n| Self::Server(n.to_string()));
        }
        ContainerName::parse(value).map(Self::Container)
    }

    pub fn container(&self) -> Option<&ContainerName> {
        match self {
            Self::Host | Self::Server(_) => None,
            Self::Container(name) => Some(name),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Host => f.write_str("the host"),
            Self::Container(name) => write!(f, "{name}"),
            Self::Server(server) => write!(f, "an app on server {server}"),
        }
    }
}

/// What the networks decide about one part of the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Yes,
    No,
    /// Decided beyond this host (a public name, an address outside it).
    Unknown,
    /// Not asked: an IP needs no name resolution.
    NotNeeded,
}

/// Where the traffic lands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reached {
    Container(ContainerName),
    /// The Docker host's own addresses (a gateway, `host.docker.internal`, `localhost` from
    /// the host).
    Host,
    /// Beyond this host.
    Outside,
    Nothing,
}

/// The way the traffic takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Path {
    /// The network it crosses.
    pub network: Option<String>,
    /// For a name: every running container it may answer for from the source, across all the
    /// source's networks, sorted. More than one: Docker answers with any of them.
    pub resolves_to: Vec<ContainerName>,
    /// The IP the traffic goes to, when the topology knows it.
    pub ip: Option<String>,
    /// A host port: the container that publishes it.
    pub published_by: Option<ContainerName>,
}

/// The model's answer for one (source, address, port).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reachability {
    pub from: Source,
    pub to: Address,
    pub port: Option<u16>,
    /// The container the address names, also when the way to it is blocked (the fixes and the
    /// live "what does it listen on" read use it).
    pub target: Option<ContainerName>,
    pub reached: Reached,
    pub resolution: Verdict,
    pub ip: Verdict,
    pub icmp: Verdict,
    pub path: Path,
    /// Why it is blocked; `None` when the networks let it through (or cannot tell).
    pub cause: Option<Cause>,
}

impl Reachability {
    /// The networks let the traffic through to a known place.
    pub fn reaches(&self) -> bool {
        self.cause.is_none() && self.ip == Verdict::Yes
    }

    /// The name answers for more than one container.
    pub fn ambiguous(&self) -> bool {
        self.path.resolves_to.len() > 1
    }

    /// One line for a report: what the topology predicts.
    pub fn prediction(&self) -> String {
        let to = match (&self.to, self.port) {
            (a, Some(p)) => format!("{}:{p}", a.url_host()),
            (a, None) => a.to_string(),
        };
        if let Some(c) = &self.cause {
            return format!("{to} is not reachable from {}: {}", self.from, c.title);
        }
        let lands = match &self.reached {
            Reached::Container(c) if c.as_str() != self.to.to_string() => format!(" ({c})"),
            Reached::Host => " (the host)".to_owned(),
            _ => String::new(),
        };
        let over = self
            .path
            .network
            .as_ref()
            .map(|n| format!(" over {n}"))
            .unwrap_or_default();
        match self.ip {
            Verdict::Yes => format!("{} reaches {to}{lands}{over}", self.from),
            _ => format!(
                "{to} is beyond this host: whether {} reaches it is decided outside Docker",
                self.from
            ),
        }
    }
}

/// What the networks decide for `from` → `to` (`port` when known: fixes name it, host ports
/// are looked up by it).
pub fn between(t: &Topology, from: &Source, to: &Address, port: Option<u16>) -> Reachability {
    Model::new(t).between(from, to, port)
}

/// Why the networks keep `s` from `target` when no name of the target resolves for it: a
/// `none` or host-network end, no shared network, only the default bridge, or a name (`name`,
/// when one was asked for) registered elsewhere. Running-ness is not judged here; the
/// connection builder builds addresses for stopped targets too.
pub fn network_cause(
    t: &Topology,
    s: &Container,
    target: &Container,
    name: Option<&str>,
    dns: bool,
    port: Option<u16>,
) -> Cause {
    Model::new(t)
        .network_blocked(s, target, name, dns, port)
        .cause(t)
}

/// Where the traffic lands, as the model decides it (borrowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing<'a> {
    Container(&'a Container),
    Host,
    Outside,
    Nothing,
}

/// The model's decision before anything is worded: what [`Reachability`] holds, borrowed, and
/// the blocking rule undecorated. The matrix reads it directly; [`Model::between`] words it.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    pub target: Option<&'a Container>,
    pub reached: Landing<'a>,
    pub resolution: Verdict,
    pub ip: Verdict,
    pub icmp: Verdict,
    pub network: Option<&'a str>,
    /// Every running container a name may answer for, sorted by name.
    pub resolves_to: Vec<&'a Container>,
    pub path_ip: Option<String>,
    pub published_by: Option<&'a Container>,
    pub blocked: Option<Blocked<'a>>,
}

impl<'a> Decision<'a> {
    fn new() -> Self {
        Self {
            target: None,
            reached: Landing::Nothing,
            resolution: Verdict::No,
            ip: Verdict::No,
            icmp: Verdict::No,
            network: None,
            resolves_to: Vec::new(),
            path_ip: None,
            published_by: None,
            blocked: None,
        }
    }

    fn blocked(mut self, b: Blocked<'a>) -> Self {
        self.blocked = Some(b);
        self
    }

    /// The decision worded, as every screen receives it.
    fn word(self, t: &Topology, from: &Source, to: &Address, port: Option<u16>) -> Reachability {
        let name = |c: &Container| c.name.clone();
        Reachability {
            from: from.clone(),
            to: to.clone(),
            port,
            target: self.target.map(name),
            reached: match self.reached {
                Landing::Container(c) => Reached::Container(name(c)),
                Landing::Host => Reached::Host,
                Landing::Outside => Reached::Outside,
                Landing::Nothing => Reached::Nothing,
            },
            resolution: self.resolution,
            ip: self.ip,
            icmp: self.icmp,
            path: Path {
                network: self.network.map(str::to_owned),
                resolves_to: self.resolves_to.into_iter().map(name).collect(),
                ip: self.path_ip,
                published_by: self.published_by.map(name),
            },
            cause: self.blocked.map(|b| b.cause(t)),
        }
    }
}

impl<'t> Model<'t> {
    /// What the networks decide for `from` → `to`, worded; see [`between`].
    pub fn between(&self, from: &Source, to: &Address, port: Option<u16>) -> Reachability {
        let source = match from {
            Source::Host => None,
            Source::Server(server) => {
                return self.decide_from_other_server(server, to, port).word(
                    self.topology,
                    from,
                    to,
                    port,
                )
            }
            Source::Container(name) => match self.container(name.as_str()) {
                Some(c) => Some(c),
                None => {
                    return Decision::new().blocked(Blocked::UnknownSource(name)).word(
                        self.topology,
                        from,
                        to,
                        port,
                    )
                }
            },
        };
        self.decide(source, to, port)
            .word(self.topology, from, to, port)
    }

    /// The decision for a source on this host (`None`: the host) → `to`.
    pub fn decide<'a>(
        &'a self,
        source: Option<&'a Container>,
        to: &'a Address,
        port: Option<u16>,
    ) -> Decision<'a> {
        let t = self.topology;
        match source {
            Some(s) if !s.is_running() => {
                let mut d = Decision::new().blocked(Blocked::SourceStopped(s));
                d.target = self.find_target(to);
                d
            }
            Some(s) if t.namespace_owner(s).network_mode != NetworkMode::Host => {
                self.decide_from_container(t.namespace_owner(s), to, port)
            }
            _ => self.decide_from_host(to, port),
        }
    }

    fn decide_from_container<'a>(
        &'a self,
        s: &'a Container,
        to: &'a Address,
        port: Option<u16>,
    ) -> Decision<'a> {
        if to.is_loopback() {
            return lands_in(Decision::new(), s, None, None);
        }
        if s.network_mode == NetworkMode::Null || s.attachments.is_empty() {
            let target = self.find_target(to);
            let mut d = Decision::new().blocked(Blocked::NoNetwork {
                c: s,
                end: End::Source,
                other: target,
            });
            d.target = target;
            return d;
        }
        match to {
            Address::Name { name, dns } => self.by_name(s, name, *dns, port, to),
            Address::Ip(ip) => self.by_ip(s, *ip, port),
        }
    }

    fn by_name<'a>(
        &'a self,
        s: &'a Container,
        name: &'a str,
        dns: bool,
        port: Option<u16>,
        to: &'a Address,
    ) -> Decision<'a> {
        let mut d = Decision::new();
        if dns {
            let holders = self.holders_from(s, name);
            if let Some((first, net)) = holders.first().copied() {
                d.resolution = Verdict::Yes;
                let mut names: Vec<&Container> = holders.iter().map(|(c, _)| *c).collect();
                names.sort_by(|a, b| a.name.cmp(&b.name));
                names.dedup_by(|a, b| a.name == b.name);
                d.resolves_to = names;
                let ip = first.attachment(net).and_then(|a| a.ipv4.clone());
                return lands_in(d, first, Some(net), ip);
            }
            if name.eq_ignore_ascii_case(HOST_GATEWAY_NAME) {
                if s.extra_hosts.iter().any(|h| {
                    h.split_once(':')
                        .is_some_and(|(n, _)| n.eq_ignore_ascii_case(HOST_GATEWAY_NAME))
                }) {
                    d.resolution = Verdict::Yes;
                    return self.to_host(s, name, port, d);
                }
                return d.blocked(Blocked::HostGatewayNotDefined(s));
            }
        }
        let Some(target) = self.find_target(to) else {
            if name.contains('.') {
                return self.outside(s, name, d);
            }
            return d.blocked(Blocked::UnknownName { source: s, name });
        };
        d.target = Some(target);
        let owner = self.topology.namespace_owner(target);
        let b = if owner.is_running() {
            self.network_blocked(s, owner, Some(name), dns, port)
        } else {
            Blocked::TargetStopped(owner)
        };
        d.blocked(b)
    }

    /// See [`network_cause`].
    pub fn network_blocked<'a>(
        &'a self,
        s: &'a Container,
        target: &'a Container,
        name: Option<&'a str>,
        dns: bool,
        port: Option<u16>,
    ) -> Blocked<'a> {
        if s.network_mode == NetworkMode::Null || s.attachments.is_empty() {
            return Blocked::NoNetwork {
                c: s,
                end: End::Source,
                other: Some(target),
            };
        }
        if target.network_mode == NetworkMode::Host {
            return Blocked::TargetOnHostNetwork { source: s, target };
        }
        if target.network_mode == NetworkMode::Null || target.attachments.is_empty() {
            return Blocked::NoNetwork {
                c: target,
                end: End::Target,
                other: Some(s),
            };
        }
        let shared_dns = s
            .network_names()
            .find(|n| target.attachment(n).is_some() && self.network_kind(n).resolves_names());
        match (shared_dns, name) {
            (Some(shared), Some(name)) if !dns => Blocked::NameNotDns {
                shared,
                target,
                name,
            },
            (Some(_), Some(name)) => Blocked::NameOnOtherNetwork {
                source: s,
                target,
                name,
                port,
            },
            _ => Blocked::NoSharedNetwork {
                source: s,
                target,
                bridge: s.network_names().find(|n| {
                    target.attachment(n).is_some()
                        && self.network_kind(n) == NetworkKind::DefaultBridge
                }),
                port,
            },
        }
    }

    fn by_ip<'a>(&'a self, s: &'a Container, ip: IpAddr, port: Option<u16>) -> Decision<'a> {
        let mut d = Decision::new();
        d.resolution = Verdict::NotNeeded;
        let text = ip.to_string();
        if let Some((holder, net, spelled)) = self.holder_of_ip(&text) {
            d.target = Some(holder);
            d.path_ip = Some(text.clone());
            if s.attachment(net).is_some() {
                return lands_in(d, holder, Some(net), Some(text));
            }
            d.network = Some(net);
            return d.blocked(Blocked::IpOnOtherNetwork {
                source: s,
                target: holder,
                ip: spelled,
                network: net,
            });
        }
        if let Some(net) = self.gateway_network(&text) {
            d.network = s.attachment(net).map(|_| net);
            d.path_ip = Some(text.clone());
            let mut d = self.to_host(s, &text, port, d);
            if d.published_by.is_some() {
                return d;
            }
            if let Some(publisher) = self.published_on_host(port, true) {
                d.target = Some(publisher);
                d.blocked = Some(Blocked::PublishedOnLoopbackOnly {
                    source: s,
                    target: publisher,
                    host_port: port.unwrap_or_default(),
                });
            }
            return d;
        }
        self.outside(s, &text, d)
    }

    /// To the host's own addresses from container `s` (a gateway, `host.docker.internal`):
    /// they answer, and a port some container publishes there is forwarded to it — unless `s`
    /// is only on internal networks, which drop the forwarded traffic (DNAT to the publisher
    /// leaves the subnet; the host's own listeners still answer).
    fn to_host<'a>(
        &'a self,
        s: &'a Container,
        address: &str,
        port: Option<u16>,
        mut d: Decision<'a>,
    ) -> Decision<'a> {
        d.ip = Verdict::Yes;
        d.icmp = Verdict::Yes;
        d.reached = Landing::Host;
        d.published_by = self.published_on_host(port, false);
        let internal = self.only_internal(s);
        if internal && !self.internal_reach.host_answers() {
            // Engine 25+: whether the host's address on an internal network answers depends
            // on the release.
            d.ip = Verdict::Unknown;
            d.icmp = Verdict::Unknown;
        }
        if d.published_by.is_some() && internal {
            d.ip = Verdict::No;
            d.blocked = Some(Blocked::InternalOnly {
                source: s,
                address: format!("{address}:{}", port.unwrap_or_default()),
            });
        }
        d
    }

    /// Every network of `s` was created `--internal`.
    fn only_internal(&self, s: &Container) -> bool {
        s.network_names().all(|n| self.is_internal(n))
    }

    /// Beyond the host: out through the host's NAT, unless every network of `s` is internal.
    fn outside<'a>(&'a self, s: &'a Container, address: &str, mut d: Decision<'a>) -> Decision<'a> {
        d.reached = Landing::Outside;
        if d.resolution != Verdict::NotNeeded {
            d.resolution = Verdict::Unknown;
        }
        if self.only_internal(s) {
            d.ip = Verdict::No;
            d.icmp = Verdict::No;
            d.blocked = Some(Blocked::InternalOnly {
                source: s,
                address: address.to_owned(),
            });
        } else {
            d.ip = Verdict::Unknown;
            d.icmp = Verdict::Unknown;
        }
        d
    }

    /// From the host, or a container on the host's network: no Docker DNS; container IPs and
    /// published ports answer.
    fn decide_from_host<'a>(&'a self, to: &'a Address, port: Option<u16>) -> Decision<'a> {
        let t = self.topology;
        let mut d = Decision::new();
        let host_address = match to {
            Address::Name { .. } => to.is_loopback(),
            Address::Ip(ip) => ip.is_loopback() || self.gateway_network(&ip.to_string()).is_some(),
        };
        d.resolution = match to {
            Address::Name { .. } => Verdict::Yes,
            Address::Ip(_) => Verdict::NotNeeded,
        };
        if host_address {
            d.ip = Verdict::Yes;
            d.icmp = Verdict::Yes;
            d.reached = Landing::Host;
            if let Some(c) = self.published_on_host(port, true) {
                d.published_by = Some(c);
                d.target = Some(c);
                d.reached = Landing::Container(c);
            } else if let Some(c) = t
                .containers
                .iter()
                .find(|c| c.is_running() && c.network_mode == NetworkMode::Host)
                .filter(|_| port.is_some())
                .filter(|c| c.exposed.iter().any(|p| Some(p.port) == port))
            {
                d.target = Some(c);
                d.reached = Landing::Container(c);
            }
            return d;
        }
        match to {
            Address::Ip(ip) => {
                let text = ip.to_string();
                if let Some((holder, net, _)) = self.holder_of_ip(&text) {
                    d.path_ip = Some(text);
                    d.network = Some(net);
                    d.target = Some(holder);
                    d.ip = Verdict::Yes;
                    d.icmp = Verdict::Yes;
                    d.reached = Landing::Container(holder);
                    return d;
                }
                d.reached = Landing::Outside;
                d.ip = Verdict::Unknown;
                d.icmp = Verdict::Unknown;
                d
            }
            Address::Name { name, .. } => {
                if let Some(target) = self.find_target(to) {
                    d.target = Some(target);
                    d.resolution = Verdict::No;
                    return d.blocked(if target.is_running() {
                        Blocked::HostCannotResolve { target, name, port }
                    } else {
                        Blocked::TargetStopped(target)
                    });
                }
                d.resolution = Verdict::Unknown;
                d.reached = Landing::Outside;
                d.ip = Verdict::Unknown;
                d.icmp = Verdict::Unknown;
                d
            }
        }
    }

    /// From an app on another server: this host's Docker names and container IPs mean nothing
    /// there (its engine has its own networks and DNS); any other address is decided beyond
    /// this host (a published port on this server's public address, a domain).
    fn decide_from_other_server<'a>(
        &'a self,
        server: &'a str,
        to: &'a Address,
        port: Option<u16>,
    ) -> Decision<'a> {
        let mut d = Decision::new();
        if let Some(target) = self.find_target(to) {
            d.target = Some(target);
            d.resolution = Verdict::No;
            return d.blocked(Blocked::OtherServerCannotResolve {
                server,
                target,
                address: to,
                port,
            });
        }
        d.resolution = Verdict::Unknown;
        d.reached = Landing::Outside;
        d.ip = Verdict::Unknown;
        d.icmp = Verdict::Unknown;
        d
    }

    /// Every running container `name` answers for from `s`, with the network it answers on;
    /// the networks in `s`'s order, containers in the topology's.
    fn holders_from<'a>(
        &'a self,
        s: &'a Container,
        name: &'a str,
    ) -> Vec<(&'a Container, &'a str)> {
        self.registered_on(self.dns_networks(s), name)
            .filter(|(c, _)| c.is_running())
            .collect()
    }
}

fn lands_in<'a>(
    mut d: Decision<'a>,
    c: &'a Container,
    network: Option<&'a str>,
    ip: Option<String>,
) -> Decision<'a> {
    if d.resolution == Verdict::No {
        d.resolution = Verdict::Yes;
    }
    d.target = Some(c);
    d.reached = Landing::Container(c);
    d.ip = Verdict::Yes;
    d.icmp = Verdict::Yes;
    d.network = network;
    d.path_ip = ip;
    d
}
