//! The topology indexed once for the model's questions: which containers a name is registered
//! for on a network, who holds an IP, whose gateway an address is, who publishes a host port.
//! Asking `between` for one pair builds it once; the matrix builds it once for all its cells,
//! so a cell costs a few hash lookups instead of scans over every container.

use crate::domain::ports::Protocol;
use crate::domain::reachability::Address;
use crate::domain::topology::{Container, Network, NetworkKind, Topology};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the index is keyed by short names and addresses the engine reported, asked tens of
/// thousands of times per matrix; SipHash's resistance to crafted keys buys nothing here and
/// cost a quarter of the matrix's time.
pub(super) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A topology with its lookups. Borrowing the topology keeps the index true to it.
pub struct Model<'t> {
    pub topology: &'t Topology,
    /// What internal networks let through on this engine.
    pub internal_reach: InternalReach,
    containers: Map<&'t str, &'t Container>,
    networks: Map<&'t str, &'t Network>,
    /// Network → DNS name (lower case) → the containers registering it there, any state, in
    /// the topology's order.
    names: Map<&'t str, Map<Cow<'t, str>, Vec<&'t Container>>>,
    /// Container name, DNS name, alias or compose service (lower case) → containers.
    anywhere: Map<Cow<'t, str>, Vec<&'t Container>>,
    /// An IPv4 or IPv6 address → (container, network, the address as the topology spells it).
    ips: Map<&'t str, Vec<(&'t Container, &'t str)>>,
    /// A gateway address → its network, the first network listing it.
    gateways: Map<&'t str, &'t str>,
    /// A TCP host port → the running containers publishing it, each with the host address it
    /// binds (empty, `0.0.0.0` or `::` for every interface).
    published: Map<u16, Vec<(&'t Container, &'t str)>>,
}

/// A name as the index keys it: Docker's DNS ignores case.
pub(super) fn key(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

impl<'t> Model<'t> {
    pub fn new(t: &'t Topology) -> Self {
        let mut m = Self {
            topology: t,
            internal_reach: InternalReach::of(t.engine_version.as_deref()),
            containers: Map::with_capacity_and_hasher(t.containers.len(), Default::default()),
            networks: t.networks.iter().map(|n| (n.name.as_str(), n)).collect(),
            names: Map::default(),
            anywhere: Map::default(),
            ips: Map::default(),
            gateways: Map::default(),
            published: Map::default(),
        };
        for n in &t.networks {
            for s in &n.subnets {
                m.gateways.entry(s.gateway.as_str()).or_insert(&n.name);
            }
        }
        for c in &t.containers {
            m.containers.entry(c.name.as_str()).or_insert(c);
            let mut anywhere = vec![key(c.name.as_str())];
            for a in &c.attachments {
                let on = m.names.entry(a.network.as_str()).or_default();
                for n in &a.dns_names {
                    push_once(on.entry(key(n)).or_default(), c);
                }
                anywhere.extend(a.dns_names.iter().chain(&a.aliases).map(|n| key(n)));
                for ip in [&a.ipv4, &a.ipv6].into_iter().flatten() {
                    m.ips.entry(ip.as_str()).or_default().push((c, &a.network));
                }
            }
            anywhere.extend(
                c.compose
                    .as_ref()
                    .and_then(|x| x.service.as_deref())
                    .map(key),
            );
            for k in anywhere {
                push_once(m.anywhere.entry(k).or_default(), c);
            }
            if c.is_running() {
                for b in c
                    .published
                    .iter()
                    .filter(|p| p.protocol == Protocol::Tcp)
                    .filter_map(|p| p.host.as_ref())
                {
                    m.published
                        .entry(b.port)
                        .or_default()
                        .push((c, b.ip.as_str()));
                }
            }
        }
        m
    }

    pub fn container(&self, name: &str) -> Option<&'t Container> {
        self.containers.get(name).copied()
    }

    /// As [`Topology::network_kind`], by the index.
    pub fn network_kind(&self, network: &str) -> NetworkKind {
        self.networks
            .get(network)
            .map_or_else(|| NetworkKind::of(network, ""), |n| n.kind)
    }

    pub fn is_internal(&self, network: &str) -> bool {
        self.networks.get(network).is_some_and(|n| n.internal)
    }

    /// The networks of `c` on which names resolve, in `c`'s (sorted) order.
    pub fn dns_networks<'a>(&'a self, c: &'a Container) -> impl Iterator<Item = &'a str> + 'a {
        c.network_names()
            .filter(move |n| self.network_kind(n).resolves_names())
    }

    /// Every container registering `name` (any case) on one of the networks `on` yields, any
    /// state, with that network: in `on`'s order, then the topology's.
    pub fn registered_on<'a>(
        &'a self,
        on: impl Iterator<Item = &'a str> + 'a,
        name: &'a str,
    ) -> impl Iterator<Item = (&'t Container, &'a str)> + 'a {
        let name = key(name);
        on.flat_map(move |net| {
            self.names
                .get(net)
                .and_then(|names| names.get(name.as_ref()))
                .into_iter()
                .flatten()
                .map(move |c| (*c, net))
        })
    }

    /// The network whose gateway `ip` is.
    pub fn gateway_network(&self, ip: &str) -> Option<&'t str> {
        self.gateways.get(ip).copied()
    }

    /// The running container holding `ip` on a network, that network, and the address as the
    /// topology spells it.
    pub fn holder_of_ip(&self, ip: &str) -> Option<(&'t Container, &'t str, &'t str)> {
        let (key, holders) = self.ips.get_key_value(ip)?;
        holders
            .iter()
            .find(|(c, _)| c.is_running())
            .map(|(c, n)| (*c, *n, *key))
    }

    /// The running container publishing TCP host `port` on every interface, or (when
    /// `loopback` is allowed, from the host itself) on 127.0.0.1 too; the first in the
    /// topology's order.
    pub fn published_on_host(&self, port: Option<u16>, loopback: bool) -> Option<&'t Container> {
        self.published.get(&port?)?.iter().find_map(|(c, ip)| {
            (matches!(*ip, "" | "0.0.0.0" | "::") || (loopback && ip.starts_with("127.")))
                .then_some(*c)
        })
    }

    /// The container a name or IP means anywhere on the host, whether or not it is reachable:
    /// its container name, ID (12+ characters), an alias or DNS name on any network, its
    /// compose service name; the one of that very name first, then a running one.
    pub fn find_target(&self, to: &Address) -> Option<&'t Container> {
        let t = self.topology;
        // The container of that very name wins over any other that answers to it.
        if let Some(c) = to.name().and_then(|n| self.container(n)) {
            return Some(c);
        }
        let found: Vec<&'t Container> = match to {
            Address::Name { name, .. } => {
                let mut found: Vec<&'t Container> = self
                    .anywhere
                    .get(key(name).as_ref())
                    .map(|cs| cs.iter().copied().filter(|c| answers_to(c, name)).collect())
                    .unwrap_or_default();
                if name.len() >= 12 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                    found.extend(
                        t.containers
                            .iter()
                            .filter(|c| c.id.starts_with(name.as_str())),
                    );
                }
                found
            }
            Address::Ip(ip) => {
                let ip = ip.to_string();
                self.ips
                    .get(ip.as_str())
                    .map(|hs| hs.iter().map(|(c, _)| *c).collect())
                    .unwrap_or_default()
            }
        };
        found
            .into_iter()
            .min_by(|a, b| (!a.is_running(), &a.name).cmp(&(!b.is_running(), &b.name)))
    }
}

/// `name` is `c`'s container name, a DNS name or alias of it on some network (any case), or its
/// compose service name.
fn answers_to(c: &Container, name: &str) -> bool {
    c.name.as_str() == name
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

fn push_once<'t>(list: &mut Vec<&'t Container>, c: &'t Container) {
    if !list.last().is_some_and(|l| std::ptr::eq(*l, c)) {
        list.push(c);
    }
}

/// What an `--internal` network lets through, by engine version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InternalReach {
    /// Engine before 25.0 (verified on 20.10 by `tests/topology_live.rs` and the live
    /// reachability table): a default route via the gateway, the host's own addresses answer,
    /// forwarded traffic leaving the subnet is dropped.
    GatewayRoute,
    /// Engine 25 and later: no default route; the host's address on the network was removed in
    /// 25.0.0 and restored later (moby/moby 419f5a6), so it depends on the release.
    NoRoute,
    /// The version is not known: what holds on 20.10, and that others may differ.
    Unknown,
}

impl InternalReach {
    pub fn of(engine_version: Option<&str>) -> Self {
        let major = engine_version
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.trim_start_matches('v').parse::<u32>().ok());
        match major {
            Some(m) if m < 25 => Self::GatewayRoute,
            Some(_) => Self::NoRoute,
            None => Self::Unknown,
        }
    }

    /// Whether the host's own addresses answer a container only on internal networks.
    pub fn host_answers(self) -> bool {
        self != Self::NoRoute
    }
}
