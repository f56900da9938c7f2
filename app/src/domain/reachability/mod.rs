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
pub mod naming;
#[cfg(test)]
mod tests;

pub use address::{Address, AddressPort, HOST_GATEWAY_NAME};
pub use cause::{Cause, CauseCode};

use crate::domain::names::{ContainerName, NameError};
use crate::domain::ports::Protocol;
use crate::domain::topology::{Container, NetworkMode, Topology};
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
}

/// How the host is written in the URL. It cannot be a container name: Docker names start with
/// a letter or a digit.
pub const HOST_PARAM: &str = "~host";

impl Source {
    /// The URL value: [`HOST_PARAM`] or the container's name.
    pub fn param(&self) -> String {
        match self {
            Self::Host => HOST_PARAM.to_owned(),
            Self::Container(name) => name.to_string(),
        }
    }

    /// Reads a URL value; container names are checked the way Docker checks them.
    pub fn parse(value: &str) -> Result<Self, NameError> {
        if value == HOST_PARAM {
            return Ok(Self::Host);
        }
        ContainerName::parse(value).map(Self::Container)
    }

    pub fn container(&self) -> Option<&ContainerName> {
        match self {
            Self::Host => None,
            Self::Container(name) => Some(name),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Host => f.write_str("the host"),
            Self::Container(name) => write!(f, "{name}"),
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
    let mut r = Reachability {
        from: from.clone(),
        to: to.clone(),
        port,
        target: None,
        reached: Reached::Nothing,
        resolution: Verdict::No,
        ip: Verdict::No,
        icmp: Verdict::No,
        path: Path::default(),
        cause: None,
    };
    let source = match from {
        Source::Host => None,
        Source::Container(name) => match t.container(name.as_str()) {
            Some(c) => Some(c),
            None => {
                r.cause = Some(cause::unknown_source(name));
                return r;
            }
        },
    };
    match source {
        Some(s) if !s.is_running() => {
            r.cause = Some(cause::source_stopped(s));
            r.target = find_target(t, to).map(|c| c.name.clone());
            r
        }
        Some(s) if t.namespace_owner(s).network_mode != NetworkMode::Host => {
            from_container(t, t.namespace_owner(s), to, port, r)
        }
        _ => from_host(t, source, to, port, r),
    }
}

fn from_container(
    t: &Topology,
    s: &Container,
    to: &Address,
    port: Option<u16>,
    mut r: Reachability,
) -> Reachability {
    if to.is_loopback() {
        return lands_in(r, s, None, None);
    }
    if s.network_mode == NetworkMode::Null || s.attachments.is_empty() {
        r.target = find_target(t, to).map(|c| c.name.clone());
        let fix_net = r
            .target
            .as_ref()
            .and_then(|n| t.container(n.as_str()))
            .map_or_else(|| "my-network".to_owned(), |c| cause::fix_network(t, c));
        r.cause = Some(cause::no_network(s, "source", &fix_net));
        return r;
    }
    match to {
        Address::Name { name, dns } => by_name(t, s, name, *dns, port, r),
        Address::Ip(ip) => by_ip(t, s, *ip, port, r),
    }
}

fn by_name(
    t: &Topology,
    s: &Container,
    name: &str,
    dns: bool,
    port: Option<u16>,
    mut r: Reachability,
) -> Reachability {
    if dns {
        let holders = holders_from(t, s, name);
        if let Some((first, net)) = holders.first() {
            r.resolution = Verdict::Yes;
            let mut names: Vec<ContainerName> =
                holders.iter().map(|(c, _)| c.name.clone()).collect();
            names.sort();
            names.dedup();
            r.path.resolves_to = names;
            let ip = first.attachment(net).and_then(|a| a.ipv4.clone());
            return lands_in(r, first, Some(net), ip);
        }
        if name.eq_ignore_ascii_case(HOST_GATEWAY_NAME) {
            if s.extra_hosts.iter().any(|h| {
                h.split_once(':')
                    .is_some_and(|(n, _)| n.eq_ignore_ascii_case(HOST_GATEWAY_NAME))
            }) {
                r.resolution = Verdict::Yes;
                r.ip = Verdict::Yes;
                r.icmp = Verdict::Yes;
                r.reached = Reached::Host;
                r.path.published_by = published_on_host(t, port, false).map(|c| c.name.clone());
                if r.path.published_by.is_some() && s.network_names().all(|n| t.is_internal(n)) {
                    r.ip = Verdict::No;
                    r.cause = Some(cause::internal_only(
                        s,
                        &format!("{name}:{}", port.unwrap_or_default()),
                    ));
                }
            } else {
                r.cause = Some(cause::host_gateway_not_defined(s));
            }
            return r;
        }
    }
    let Some(target) = find_target(
        t,
        &Address::Name {
            name: name.to_owned(),
            dns,
        },
    ) else {
        if name.contains('.') {
            return outside(t, s, name, r);
        }
        r.cause = Some(cause::unknown_name(t, s, name));
        return r;
    };
    r.target = Some(target.name.clone());
    let target = t.namespace_owner(target);
    r.cause = Some(blocked_between(t, s, target, Some(name), dns, port));
    r
}

/// Why `s` cannot reach `target` by name: the topology's reasons in the order a user meets them.
fn blocked_between(
    t: &Topology,
    s: &Container,
    target: &Container,
    name: Option<&str>,
    dns: bool,
    port: Option<u16>,
) -> Cause {
    if !target.is_running() {
        return cause::target_stopped(target);
    }
    network_cause(t, s, target, name, dns, port)
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
    if s.network_mode == NetworkMode::Null || s.attachments.is_empty() {
        return cause::no_network(s, "source", &cause::fix_network(t, target));
    }
    if target.network_mode == NetworkMode::Host {
        return cause::target_on_host_network(s, target);
    }
    if target.network_mode == NetworkMode::Null || target.attachments.is_empty() {
        return cause::no_network(target, "target", &cause::fix_network(t, s));
    }
    let shared_dns: Vec<&str> = t
        .shared_networks(s, target)
        .filter(|n| t.resolves_names_on(n))
        .collect();
    match (shared_dns.first(), name) {
        (Some(net), Some(name)) if !dns => cause::name_not_dns(
            net,
            target,
            &format!("`{name}` has a label longer than 63 characters"),
        ),
        (Some(_), Some(name)) => cause::name_on_other_network(t, s, target, name, port),
        _ => cause::no_shared_network(t, s, target, port),
    }
}

fn by_ip(
    t: &Topology,
    s: &Container,
    ip: IpAddr,
    port: Option<u16>,
    mut r: Reachability,
) -> Reachability {
    r.resolution = Verdict::NotNeeded;
    let text = ip.to_string();
    if let Some((holder, net)) = holder_of_ip(t, &text) {
        r.target = Some(holder.name.clone());
        r.path.ip = Some(text.clone());
        if s.attachment(net).is_some() {
            return lands_in(r, holder, Some(net), Some(text));
        }
        r.path.network = Some(net.to_owned());
        r.cause = Some(cause::ip_on_other_network(s, holder, &text, net));
        return r;
    }
    if let Some(net) = t
        .networks
        .iter()
        .find(|n| n.subnets.iter().any(|x| x.gateway == text))
    {
        r.ip = Verdict::Yes;
        r.icmp = Verdict::Yes;
        r.reached = Reached::Host;
        r.path.ip = Some(text.clone());
        r.path.network = s.attachment(&net.name).map(|_| net.name.clone());
        if let Some(publisher) = published_on_host(t, port, false) {
            r.path.published_by = Some(publisher.name.clone());
            // A published port is DNAT-ed on to its container, and an internal network drops
            // whatever leaves its subnet (the host's own listeners still answer).
            if s.network_names().all(|n| t.is_internal(n)) {
                r.ip = Verdict::No;
                r.cause = Some(cause::internal_only(
                    s,
                    &format!("{text}:{}", port.unwrap_or_default()),
                ));
            }
        } else if let Some(publisher) = published_on_host(t, port, true) {
            r.target = Some(publisher.name.clone());
            r.cause = Some(cause::published_on_loopback_only(
                s,
                publisher,
                port.unwrap_or_default(),
            ));
        }
        return r;
    }
    outside(t, s, &text, r)
}

/// Beyond the host: out through the host's NAT, unless every network of `s` is internal.
fn outside(t: &Topology, s: &Container, address: &str, mut r: Reachability) -> Reachability {
    r.reached = Reached::Outside;
    if r.resolution != Verdict::NotNeeded {
        r.resolution = Verdict::Unknown;
    }
    if s.network_names().all(|n| t.is_internal(n)) {
        r.ip = Verdict::No;
        r.icmp = Verdict::No;
        r.cause = Some(cause::internal_only(s, address));
    } else {
        r.ip = Verdict::Unknown;
        r.icmp = Verdict::Unknown;
    }
    r
}

/// From the host, or a container on the host's network: no Docker DNS; container IPs and
/// published ports answer.
fn from_host(
    t: &Topology,
    source: Option<&Container>,
    to: &Address,
    port: Option<u16>,
    mut r: Reachability,
) -> Reachability {
    let host_address = match to {
        Address::Name { .. } => to.is_loopback(),
        Address::Ip(ip) => {
            ip.is_loopback()
                || t.networks
                    .iter()
                    .any(|n| n.subnets.iter().any(|x| x.gateway == ip.to_string()))
        }
    };
    r.resolution = match to {
        Address::Name { .. } => Verdict::Yes,
        Address::Ip(_) => Verdict::NotNeeded,
    };
    if host_address {
        r.ip = Verdict::Yes;
        r.icmp = Verdict::Yes;
        r.reached = Reached::Host;
        if let Some(c) = published_on_host(t, port, true) {
            r.path.published_by = Some(c.name.clone());
            r.target = Some(c.name.clone());
            r.reached = Reached::Container(c.name.clone());
        } else if let Some(c) = t
            .containers
            .iter()
            .find(|c| c.is_running() && c.network_mode == NetworkMode::Host)
            .filter(|_| port.is_some())
            .filter(|c| c.exposed.iter().any(|p| Some(p.port) == port))
        {
            r.target = Some(c.name.clone());
            r.reached = Reached::Container(c.name.clone());
        }
        return r;
    }
    match to {
        Address::Ip(ip) => {
            let text = ip.to_string();
            if let Some((holder, net)) = holder_of_ip(t, &text) {
                r.path.ip = Some(text.clone());
                r.path.network = Some(net.to_owned());
                r.target = Some(holder.name.clone());
                r.ip = Verdict::Yes;
                r.icmp = Verdict::Yes;
                r.reached = Reached::Container(holder.name.clone());
                return r;
            }
            r.reached = Reached::Outside;
            r.ip = Verdict::Unknown;
            r.icmp = Verdict::Unknown;
            r
        }
        Address::Name { name, .. } => {
            if let Some(target) = find_target(t, to) {
                r.target = Some(target.name.clone());
                r.resolution = Verdict::No;
                r.cause = Some(if target.is_running() {
                    cause::host_cannot_resolve(target, name, port)
                } else {
                    cause::target_stopped(target)
                });
                return r;
            }
            let _ = source;
            r.resolution = Verdict::Unknown;
            r.reached = Reached::Outside;
            r.ip = Verdict::Unknown;
            r.icmp = Verdict::Unknown;
            r
        }
    }
}

fn lands_in(
    mut r: Reachability,
    c: &Container,
    network: Option<&str>,
    ip: Option<String>,
) -> Reachability {
    if r.resolution == Verdict::No {
        r.resolution = Verdict::Yes;
    }
    r.target = Some(c.name.clone());
    r.reached = Reached::Container(c.name.clone());
    r.ip = Verdict::Yes;
    r.icmp = Verdict::Yes;
    r.path.network = network.map(str::to_owned);
    r.path.ip = ip;
    r
}

/// Every running container `name` answers for from `s`, with the network it answers on; the
/// networks in `s`'s order, containers by name.
fn holders_from<'a>(t: &'a Topology, s: &Container, name: &str) -> Vec<(&'a Container, &'a str)> {
    let mut out = Vec::new();
    for net in t.dns_networks(s) {
        for c in &t.containers {
            if !c.is_running() {
                continue;
            }
            if let Some(a) = c.attachment(net) {
                if a.dns_names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    out.push((c, a.network.as_str()));
                }
            }
        }
    }
    out
}

/// The running container holding `ip` on a network, with that network.
fn holder_of_ip<'a>(t: &'a Topology, ip: &str) -> Option<(&'a Container, &'a str)> {
    t.containers
        .iter()
        .filter(|c| c.is_running())
        .find_map(|c| {
            c.attachments
                .iter()
                .find(|a| a.ipv4.as_deref() == Some(ip) || a.ipv6.as_deref() == Some(ip))
                .map(|a| (c, a.network.as_str()))
        })
}

/// The container a name or IP means anywhere on the host, whether or not it is reachable: its
/// container name, ID (12+ characters), an alias or DNS name on any network, its compose
/// service name; a running one first.
pub fn find_target<'a>(t: &'a Topology, to: &Address) -> Option<&'a Container> {
    let matches = |c: &&Container| match to {
        Address::Name { name, .. } => {
            c.name.as_str() == name
                || (name.len() >= 12 && c.id.starts_with(name.as_str()))
                || c.attachments.iter().any(|a| {
                    a.dns_names
                        .iter()
                        .chain(&a.aliases)
                        .any(|n| n.eq_ignore_ascii_case(name))
                })
                || c.compose
                    .as_ref()
                    .and_then(|x| x.service.as_deref())
                    .is_some_and(|svc| svc == name)
        }
        Address::Ip(ip) => {
            let ip = ip.to_string();
            c.attachments.iter().any(|a| {
                a.ipv4.as_deref() == Some(ip.as_str()) || a.ipv6.as_deref() == Some(ip.as_str())
            })
        }
    };
    let exact = |c: &&Container| to.name().is_some_and(|n| c.name.as_str() == n);
    t.containers
        .iter()
        .filter(matches)
        .min_by_key(|c| (!exact(c), !c.is_running(), c.name.clone()))
}

/// The running container publishing TCP host `port` on the host's addresses: on every
/// interface, or (when `loopback` is allowed, from the host itself) on 127.0.0.1 too.
fn published_on_host(t: &Topology, port: Option<u16>, loopback: bool) -> Option<&Container> {
    let port = port?;
    t.containers.iter().filter(|c| c.is_running()).find(|c| {
        c.published.iter().any(|m| {
            m.protocol == Protocol::Tcp
                && m.host.as_ref().is_some_and(|b| {
                    b.port == port
                        && (b.is_all_interfaces() || (loopback && b.ip.starts_with("127.")))
                })
        })
    })
}
