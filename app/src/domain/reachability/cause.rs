//! Why a connection cannot work, each rule worded once: the title a screen shows, the Docker or
//! Coolify rule behind it, and the fix. The connection builder turns a cause into a blocking
//! note, the reach check into its diagnosis, the matrix into a blocked cell; all three show the
//! same words because they come from here.

use crate::domain::names::ContainerName;
use crate::domain::problem::FixStep;
use crate::domain::reachability::model::InternalReach;
use crate::domain::reachability::naming;
use crate::domain::stacks::primary_destination;
use crate::domain::topology::{Attachment, Container, NetworkMode, Topology};
use serde::{Deserialize, Serialize};

/// Which rule blocks the connection. Stable: tests, styles and URLs key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CauseCode {
    UnknownSource,
    SourceStopped,
    SourceNoNetwork,
    TargetStopped,
    TargetNoNetwork,
    TargetOnHostNetwork,
    NoSharedNetwork,
    DefaultBridgeOnly,
    NameOnOtherNetwork,
    NameNotDns,
    UnknownName,
    HostGatewayNotDefined,
    IpOnOtherNetwork,
    InternalNetworkOnly,
    HostCannotResolveNames,
    PublishedOnLoopbackOnly,
    /// The source is on another server: this host's names and container IPs mean nothing there.
    NamesStayOnTheirServer,
}

impl CauseCode {
    /// A few words for a matrix cell; the cause's title says the rest.
    pub fn short(self) -> &'static str {
        match self {
            Self::UnknownSource => "no such source",
            Self::SourceStopped => "source stopped",
            Self::SourceNoNetwork => "source on no network",
            Self::TargetStopped => "stopped",
            Self::TargetNoNetwork => "on no network",
            Self::TargetOnHostNetwork => "host network",
            Self::NoSharedNetwork => "no shared network",
            Self::DefaultBridgeOnly => "default bridge only",
            Self::NameOnOtherNetwork => "name on another network",
            Self::NameNotDns => "name too long for DNS",
            Self::UnknownName => "unknown name",
            Self::HostGatewayNotDefined => "no host.docker.internal",
            Self::IpOnOtherNetwork => "IP on another network",
            Self::InternalNetworkOnly => "internal network",
            Self::HostCannotResolveNames => "names do not resolve on the host",
            Self::PublishedOnLoopbackOnly => "published on 127.0.0.1 only",
            Self::NamesStayOnTheirServer => "Docker names stay on their server",
        }
    }

    pub fn slug(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// The one reason a connection is blocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    pub code: CauseCode,
    pub title: String,
    pub why: String,
    pub fix: Vec<FixStep>,
}

/// Which end a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Source,
    Target,
}

/// The rule that blocks a connection, with what its words need. The model decides this
/// (cheap: borrowed, nothing worded); [`Blocked::title`] words the one line a matrix cell
/// shows, [`Blocked::cause`] the whole cause with its why and fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked<'a> {
    UnknownSource(&'a ContainerName),
    SourceStopped(&'a Container),
    /// `c` is on no network; `other` is the end whose network the fix suggests.
    NoNetwork {
        c: &'a Container,
        end: End,
        other: Option<&'a Container>,
    },
    TargetStopped(&'a Container),
    TargetOnHostNetwork {
        source: &'a Container,
        target: &'a Container,
    },
    HostGatewayNotDefined(&'a Container),
    /// No network where names resolve is shared; `bridge` when they share the default bridge.
    NoSharedNetwork {
        source: &'a Container,
        target: &'a Container,
        bridge: Option<&'a str>,
        port: Option<u16>,
    },
    /// `name` is the target's on some network, but not on any the source shares with it.
    NameOnOtherNetwork {
        source: &'a Container,
        target: &'a Container,
        name: &'a str,
        port: Option<u16>,
    },
    /// `name` (a label over 63 characters) reaches `target` on `shared` only in theory.
    NameNotDns {
        shared: &'a str,
        target: &'a Container,
        name: &'a str,
    },
    UnknownName {
        source: &'a Container,
        name: &'a str,
    },
    IpOnOtherNetwork {
        source: &'a Container,
        target: &'a Container,
        ip: &'a str,
        network: &'a str,
    },
    /// `source` is only on internal networks and `address` lies beyond them.
    InternalOnly {
        source: &'a Container,
        address: String,
    },
    HostCannotResolve {
        target: &'a Container,
        name: &'a str,
        port: Option<u16>,
    },
    PublishedOnLoopbackOnly {
        source: &'a Container,
        target: &'a Container,
        host_port: u16,
    },
    /// An app on `server` (another engine) asked for `address`, a name or container IP of
    /// `target` on this host.
    OtherServerCannotResolve {
        server: &'a str,
        target: &'a Container,
        address: &'a crate::domain::reachability::Address,
        port: Option<u16>,
    },
}

impl Blocked<'_> {
    pub fn code(&self) -> CauseCode {
        match self {
            Self::UnknownSource(_) => CauseCode::UnknownSource,
            Self::SourceStopped(_) => CauseCode::SourceStopped,
            Self::NoNetwork {
                end: End::Source, ..
            } => CauseCode::SourceNoNetwork,
            Self::NoNetwork { .. } => CauseCode::TargetNoNetwork,
            Self::TargetStopped(_) => CauseCode::TargetStopped,
            Self::TargetOnHostNetwork { .. } => CauseCode::TargetOnHostNetwork,
            Self::HostGatewayNotDefined(_) => CauseCode::HostGatewayNotDefined,
            Self::NoSharedNetwork {
                bridge: Some(_), ..
            } => CauseCode::DefaultBridgeOnly,
            Self::NoSharedNetwork { .. } => CauseCode::NoSharedNetwork,
            Self::NameOnOtherNetwork { .. } => CauseCode::NameOnOtherNetwork,
            Self::NameNotDns { .. } => CauseCode::NameNotDns,
            Self::UnknownName { .. } => CauseCode::UnknownName,
            Self::IpOnOtherNetwork { .. } => CauseCode::IpOnOtherNetwork,
            Self::InternalOnly { .. } => CauseCode::InternalNetworkOnly,
            Self::HostCannotResolve { .. } => CauseCode::HostCannotResolveNames,
            Self::PublishedOnLoopbackOnly { .. } => CauseCode::PublishedOnLoopbackOnly,
            Self::OtherServerCannotResolve { .. } => CauseCode::NamesStayOnTheirServer,
        }
    }

    /// The one line every screen shows.
    pub fn title(&self) -> String {
        match self {
            Self::UnknownSource(name) => format!("There is no container named {name}"),
            Self::SourceStopped(c) => format!("{} is not running", c.name),
            Self::NoNetwork { c, end, .. } => format!(
                "The {}, {}, is on no network (`network_mode: none`), so it can reach nothing and nothing can reach it",
                end.word(),
                c.name
            ),
            Self::TargetStopped(c) => format!(
                "{} is {}, so nothing answers at any of its addresses",
                c.name,
                c.state.as_str()
            ),
            Self::TargetOnHostNetwork { target, .. } => format!(
                "{} uses the host's network, so it has no name in any Docker network",
                target.name
            ),
            Self::HostGatewayNotDefined(source) => {
                format!("`host.docker.internal` is not defined in {}", source.name)
            }
            Self::NoSharedNetwork {
                source,
                target,
                bridge: Some(_),
                ..
            } => format!(
                "{} and {} share only Docker's default bridge, where container names do not resolve",
                source.name, target.name
            ),
            Self::NoSharedNetwork { source, target, .. } => format!(
                "{} and {} share no network, so `{}` does not resolve from {}",
                source.name, target.name, target.name, source.name
            ),
            Self::NameOnOtherNetwork {
                source,
                target,
                name,
                ..
            } => {
                let registered: Vec<&str> = target
                    .attachments
                    .iter()
                    .filter(|a| a.dns_names.iter().any(|n| n == name))
                    .map(|a| a.network.as_str())
                    .collect();
                format!(
                    "`{name}` is {}'s name on {}, which {} is not on",
                    target.name,
                    join_or_none(&registered),
                    source.name
                )
            }
            Self::NameNotDns { target, .. } => format!(
                "{} cannot be reached by its name: DNS cannot carry it",
                target.name
            ),
            Self::UnknownName { source, name } => {
                format!("No container answers to `{name}` from {}", source.name)
            }
            Self::IpOnOtherNetwork {
                source,
                target,
                ip,
                network,
            } => format!(
                "{ip} is {}'s address on {network}, which {} is not on",
                target.name, source.name
            ),
            Self::InternalOnly { source, address } => format!(
                "{} is only on internal networks, so {address} is out of its reach",
                source.name
            ),
            Self::HostCannotResolve { name, .. } => format!(
                "The host cannot look up `{name}`: container names resolve only inside Docker networks"
            ),
            Self::PublishedOnLoopbackOnly {
                target, host_port, ..
            } => format!(
                "{} publishes port {host_port} on 127.0.0.1 only, which other containers cannot reach through the host",
                target.name
            ),
            Self::OtherServerCannotResolve {
                server,
                target,
                address,
                ..
            } => format!(
                "An app on server {server} cannot reach `{address}`: {}'s Docker names and IPs exist only on the server it runs on",
                target.name
            ),
        }
    }

    /// The whole cause: title, the Docker or Coolify rule behind it, and the fix.
    pub fn cause(&self, t: &Topology) -> Cause {
        Cause {
            code: self.code(),
            title: self.title(),
            why: self.why(t),
            fix: self.fix(t),
        }
    }

    fn why(&self, t: &Topology) -> String {
        match self {
            Self::UnknownSource(_) => {
                "The Docker Engine lists no container by that name (it may have been removed).".to_owned()
            }
            Self::SourceStopped(c) => format!(
                "{} is {}: a stopped container sends nothing, and nothing can be checked from inside it.",
                c.name,
                c.state.as_str()
            ),
            Self::NoNetwork { .. } => NONE_WHY.to_owned(),
            Self::TargetStopped(_) => "Docker registers a container's names in its DNS and gives it an address only while it runs; the name and the port are right once it is started.".to_owned(),
            Self::TargetOnHostNetwork { .. } => "A container with `network_mode: host` listens on the host's own addresses; other containers reach it through the host, as `host.docker.internal` (defined only for containers started with `--add-host=host.docker.internal:host-gateway`, Docker 20.10+), and the app must listen on the bridge's gateway address, not only on 127.0.0.1.".to_owned(),
            Self::HostGatewayNotDefined(_) => "On Linux, Docker defines `host.docker.internal` only for containers started with `--add-host=host.docker.internal:host-gateway`; Coolify adds it to its proxy and sentinel only. Without it the name goes to the host's DNS, which does not know it.".to_owned(),
            Self::NoSharedNetwork {
                bridge: Some(bridge),
                ..
            } => default_bridge_why(bridge),
            Self::NoSharedNetwork { source, target, .. } => format!(
                "Docker's embedded DNS resolves a container's names only for containers on a user-defined network it is also on, and Docker drops traffic between different networks. {} is on {}; {} is on {}.",
                source.name,
                networks_of(source),
                target.name,
                networks_of(target)
            ),
            Self::NameOnOtherNetwork { .. } => "Docker registers an alias or compose service name only on the network where it was set: the same container answers to other names on the networks it shares with the source.".to_owned(),
            Self::NameNotDns { name, .. } => format!(
                "`{name}` has a label longer than 63 characters. Docker accepts the name, but no resolver can look it up."
            ),
            Self::UnknownName { source, .. } => {
                let nets: Vec<&str> = t.dns_networks(source).collect();
                format!(
                    "Docker's DNS on {}'s networks ({}) knows no container, alias or compose service by that name, and no container on this host is called that; the lookup goes on to the host's resolver, which does not know it either.",
                    source.name,
                    join_or_none(&nets)
                )
            }
            Self::IpOnOtherNetwork { .. } => "Docker drops traffic between different networks on one host (the DOCKER-ISOLATION chains), though the host routes all of them; an IP also changes whenever the container restarts.".to_owned(),
            Self::InternalOnly { source, .. } => internal_why(t, source),
            Self::HostCannotResolve { .. } => "Docker's embedded DNS (127.0.0.11) answers containers on user-defined networks; the host and anything outside use their own resolver, which knows no container names.".to_owned(),
            Self::PublishedOnLoopbackOnly { .. } => "Inside a container 127.0.0.1 is the container itself, and a binding on the host's 127.0.0.1 does not answer on the gateway addresses containers see.".to_owned(),
            Self::OtherServerCannotResolve { .. } => OTHER_SERVER_WHY.to_owned(),
        }
    }

    fn fix(&self, t: &Topology) -> Vec<FixStep> {
        match self {
            Self::UnknownSource(_) => vec![FixStep::run(
                "List the containers and their names:",
                "docker ps -a --format '{{.Names}}'",
            )],
            Self::SourceStopped(c) => vec![FixStep::run(
                "Start it (or redeploy it in Coolify):",
                &format!("docker start {}", c.name),
            )],
            Self::NoNetwork { c, other, .. } => {
                let net = other.map_or_else(|| default_network(t).to_owned(), |o| fix_network(t, o));
                none_fix(c, &net)
            }
            Self::TargetStopped(c) => vec![
                FixStep::run("See why it stopped:", &format!("docker logs --tail 50 {}", c.name)),
                FixStep::run(
                    "Start it (or redeploy it in Coolify):",
                    &format!("docker start {}", c.name),
                ),
            ],
            Self::TargetOnHostNetwork { source, .. } => vec![FixStep::say(&format!(
                "Add `host.docker.internal:host-gateway` to {}'s extra hosts (compose `extra_hosts:`, or Coolify's custom Docker options `--add-host=host.docker.internal:host-gateway`), redeploy it, and connect to `host.docker.internal`.",
                source.name
            ))],
            Self::HostGatewayNotDefined(source) => vec![FixStep::say(&format!(
                "Add `host.docker.internal:host-gateway` to {}'s extra hosts (compose `extra_hosts:`, or Coolify's custom Docker options `--add-host=host.docker.internal:host-gateway`) and redeploy it; or use the gateway IP of one of its networks.",
                source.name
            ))],
            Self::NoSharedNetwork {
                source,
                target,
                port,
                ..
            } => join_fix(t, source, target, *port),
            Self::NameOnOtherNetwork {
                source,
                target,
                name,
                port,
            } => match naming::candidates(t, source, target).into_iter().next() {
                Some(best) => vec![FixStep::say(&format!(
                    "Use `{}` instead: {}",
                    with_port(&best.name, *port),
                    naming::why(&best, target)
                ))],
                None => vec![FixStep::say(&format!(
                    "Set the alias on a network both are on (compose `networks: {{ NET: {{ aliases: [{name}] }} }}`), or use {}'s own name.",
                    target.name
                ))],
            },
            Self::NameNotDns { shared, target, .. } => {
                let to = &target.name;
                vec![
                    FixStep::run(
                        "Give the container a short network alias (here `app`) and use that name:",
                        &format!(
                            "docker network disconnect {shared} {to} && docker network connect --alias app {shared} {to}"
                        ),
                    ),
                    FixStep::say("Or give it a shorter name (in compose: a shorter service name or container_name)."),
                ]
            }
            Self::UnknownName { .. } => vec![FixStep::run(
                "List every container with the names it answers to on each network:",
                "docker ps -a --format '{{.Names}}\t{{.Networks}}'",
            )],
            Self::IpOnOtherNetwork {
                source, network, ..
            } => vec![FixStep::run(
                &format!("Connect {} to {network} (then prefer a name to the IP):", source.name),
                &format!("docker network connect {network} {}", source.name),
            )],
            Self::InternalOnly { source, .. } => internal_fix(t, source),
            Self::HostCannotResolve { target, port, .. } => {
                let published = port.and_then(|p| {
                    target
                        .published
                        .iter()
                        .find(|m| m.container_port == p)
                        .and_then(|m| m.host.as_ref())
                });
                match (published, port) {
                    (Some(b), _) => vec![FixStep::say(&format!(
                        "Use 127.0.0.1:{} from the host: {} publishes port {} there.",
                        b.port,
                        target.name,
                        port.unwrap_or_default()
                    ))],
                    (None, Some(p)) => vec![FixStep::say(&format!(
                        "Publish the port on the host's loopback (`-p 127.0.0.1:{p}:{p}`, in Coolify: Ports Mappings `127.0.0.1:{p}:{p}`) and use 127.0.0.1:{p}; or use its IP on a network, which changes on restart."
                    ))],
                    (None, None) => vec![FixStep::say(
                        "Publish the port on the host's loopback (`-p 127.0.0.1:HOST:PORT`) and use 127.0.0.1:HOST.",
                    )],
                }
            }
            Self::PublishedOnLoopbackOnly { source, target, .. } => vec![FixStep::say(&format!(
                "Reach {} over a network both are on, by name (connect {} to one of its networks).",
                target.name, source.name
            ))],
            Self::OtherServerCannotResolve {
                server,
                target,
                port,
                ..
            } => other_server_fix(t, server, target, *port),
        }
    }
}

/// Why nothing of one server's Docker networks is seen from another: the cross-server builder,
/// the reach check from another server and the cross-server finding say this.
pub const OTHER_SERVER_WHY: &str = "Each server runs its own Docker Engine with its own networks and its own DNS (127.0.0.11): container names, network aliases, compose service names and container IPs exist only on the server the container runs on. Coolify connects apps on one server, never across servers; between servers only a port published on an address the other server can reach, or a domain through the proxy, works.";

/// How an app on `server` reaches `target` on this host instead: a published port on an
/// address other machines reach, its domain, or what to publish.
pub fn other_server_fix(
    t: &Topology,
    server: &str,
    target: &Container,
    port: Option<u16>,
) -> Vec<FixStep> {
    let owner = t.namespace_owner(target);
    let mut steps = Vec::new();
    let bindings: Vec<_> = owner
        .published
        .iter()
        .filter(|m| port.is_none_or(|p| m.container_port == p))
        .filter_map(|m| m.host.as_ref().map(|h| (m, h)))
        .collect();
    let open: Vec<_> = bindings.iter().filter(|(_, h)| !h.is_loopback()).collect();
    if let Some((m, h)) = open.first() {
        let address = if h.is_all_interfaces() {
            "this server's public (or private-network) address".to_owned()
        } else {
            h.ip.clone()
        };
        steps.push(FixStep::say(&format!(
            "From {server}, connect to {address} on port {} ({} publishes {m}); let only {server}'s address through this server's firewall.",
            h.port, target.name
        )));
    } else if let Some((_, h)) = bindings.first() {
        steps.push(FixStep::run(
            &format!(
                "{} publishes port {} on 127.0.0.1 only; from {server}, tunnel to it through SSH (or publish it on an address {server} reaches):",
                target.name, h.port
            ),
            &format!("ssh -N -L {p}:127.0.0.1:{p} user@this-server", p = h.port),
        ));
    } else {
        let p = port.map_or_else(|| "PORT".to_owned(), |p| p.to_string());
        steps.push(FixStep::say(&format!(
            "Publish port {p} of {} on this server (Coolify: Ports Mappings `{p}:{p}`, or \"Make it publicly available\" for a database), firewalled to {server}'s address, then connect to this server's address from {server}.",
            target.name
        )));
    }
    let name = target.name.as_str();
    if let Some(domain) = t
        .routes
        .iter()
        .filter(|r| r.containers.iter().any(|c| c == name))
        .flat_map(|r| r.hosts.iter())
        .find(|h| !h.is_empty() && !h.contains('*'))
    {
        steps.push(FixStep::say(&format!(
            "Or over HTTP(S) through this server's proxy: https://{domain} (the proxy routes it to {name})."
        )));
    }
    steps
}

impl End {
    fn word(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Target => "target",
        }
    }
}

// These two are worded from the container alone: no topology needed.
pub fn unknown_source(name: &ContainerName) -> Cause {
    Blocked::UnknownSource(name).cause(&Topology::default())
}

pub fn target_stopped(c: &Container) -> Cause {
    Blocked::TargetStopped(c).cause(&Topology::default())
}

/// Why a container only on internal networks reaches its peers and nothing beyond, and what
/// holds for the host's own addresses on this engine. The internal-network finding, the
/// external check and every blocked pair say this.
pub fn internal_why(t: &Topology, c: &Container) -> String {
    let gateways: Vec<&str> = c
        .network_names()
        .filter_map(|n| t.network(n))
        .flat_map(|n| n.subnets.iter().map(|s| s.gateway.as_str()))
        .filter(|g| !g.is_empty())
        .collect();
    let gateway = if gateways.is_empty() {
        "its gateway".to_owned()
    } else {
        format!("its gateway {}", gateways.join(", "))
    };
    let engine = t.engine_version.as_deref().unwrap_or("20.10");
    let host = match InternalReach::of(t.engine_version.as_deref()) {
        InternalReach::GatewayRoute => format!(
            "On Engine {engine} the container still has a default route via {gateway}, and the host's own addresses answer it (a service on the host listening on all interfaces is reachable)."
        ),
        InternalReach::NoRoute => format!(
            "On Engine {engine} (25 and later) the container has no default route, so connections outside the subnet fail at once; whether the host's address on the network ({gateway}) answers depends on the release: 25.0.0 removed it and later releases restored it (moby/moby 419f5a6)."
        ),
        InternalReach::Unknown => format!(
            "On Engine 20.10 the container still has a default route via {gateway} and the host's own addresses answer it; other engine versions may differ (25.0 removed the default route)."
        ),
    };
    format!(
        "Docker drops traffic that an `--internal` network would forward out of its subnet: containers on it talk to each other, and downloads, webhooks, external APIs, names outside Docker and ports published on the host fail from {}. {host}",
        c.name
    )
}

/// How to give `c` a way out: a network that is not internal as well (the destination when it
/// is not internal), or the network made non-internal.
pub fn internal_fix(t: &Topology, c: &Container) -> Vec<FixStep> {
    let destinations = t.destination_networks();
    let outside = primary_destination(&destinations)
        .filter(|n| !t.is_internal(n))
        .or_else(|| {
            t.networks
                .iter()
                .find(|n| !n.internal && n.kind.resolves_names())
                .map(|n| n.name.as_str())
        })
        .unwrap_or("NETWORK");
    vec![
        FixStep::run(
            &format!("Attach {} to a network that is not internal as well:", c.name),
            &format!("docker network connect {outside} {}", c.name),
        ),
        FixStep::say("Or remove `internal: true` from the network in the compose file (`--internal` from `docker network create`) and recreate it."),
    ]
}

/// Why names do not work on Docker's default bridge; the default-bridge finding says the same.
pub fn default_bridge_why(bridge: &str) -> String {
    format!("The default `{bridge}` network has no embedded DNS: a container there gets a copy of the host's resolv.conf and reaches other containers only by IP, which changes on every restart. Docker's DNS resolves names only on user-defined networks (such as Coolify's destination networks), between containers on the same one.")
}

/// Why a `none` container is cut off; the `none` finding says the same.
pub const NONE_WHY: &str = "A container started with `--network none` (compose `network_mode: none`) has only a loopback interface, and Docker refuses to connect it to another network while it is in that mode.";

/// How to give `c`, on no network, an interface on `net`: recreating it lasts; until then,
/// leaving `none` first lets Docker connect it (recorded on Engine 20.10:
/// `fixtures/none-reconnected-api-1.41.json`).
pub fn none_fix(c: &Container, net: &str) -> Vec<FixStep> {
    let name = &c.name;
    let mut fix = vec![FixStep::say(&format!(
        "Recreate {name} on a network so its configuration says so: `docker run --network {net} …`, or in compose replace `network_mode: none` with `networks: [{net}]` (in Coolify, edit the service and redeploy)."
    ))];
    let connect = format!("docker network connect {net} {name}");
    fix.push(if c.network_mode == NetworkMode::Null {
        FixStep::run(
            "Or, until it is recreated, take it off `none` and connect it (Docker allows the connect once it has left `none`):",
            &format!("docker network disconnect none {name} && {connect}"),
        )
    } else {
        FixStep::run("Or connect it now (until it is recreated):", &connect)
    });
    fix
}

/// The network a fix puts a container on when no other end decides: the destination network,
/// else a placeholder.
pub fn default_network(t: &Topology) -> &str {
    primary_destination(&t.destination_networks()).unwrap_or("my-network")
}

/// How to put `source` and `target` on one network: Coolify's lasting setting first when a
/// stack is involved, then the manual connect with the name to use after it.
fn join_fix(
    t: &Topology,
    source: &Container,
    target: &Container,
    port: Option<u16>,
) -> Vec<FixStep> {
    let target_nets: Vec<&str> = t.dns_networks(target).collect();
    let mut fix = Vec::new();

    // Coolify's own setting first: it survives deploys, a manual connect does not.
    let destinations = t.destination_networks();
    let on_destination = |c: &Container| destinations.iter().any(|d| c.attachment(d).is_some());
    let destination = primary_destination(&destinations);
    if let Some((stack, net)) = target
        .stack()
        .zip(destination)
        .filter(|_| on_destination(source))
    {
        let after = stack
            .service
            .map(|svc| {
                let name = format!("{svc}-{}", stack.uuid);
                format!(
                    " Then use `{}` from {}.",
                    with_port(&name, port),
                    source.name
                )
            })
            .unwrap_or_default();
        fix.push(FixStep::say(&format!(
            "{}{after}",
            stack.predefined_network_step(net)
        )));
    } else if let Some((stack, net)) = source
        .stack()
        .zip(destination)
        .filter(|_| on_destination(target))
    {
        fix.push(FixStep::say(&format!(
            "{} (That is the source's stack; its containers then join {net}, where {} is.)",
            stack.predefined_network_step(net),
            target.name,
        )));
    }

    let coolify_step = !fix.is_empty();
    if target_nets.is_empty() {
        // Onto the destination network when there is one (where Coolify's resources are),
        // else onto a new one.
        let net = destination.unwrap_or("my-network");
        let mut commands: Vec<String> = Vec::new();
        if destination.is_none() {
            commands.push(format!("docker network create {net}"));
        }
        commands.extend(
            [source, target]
                .into_iter()
                .filter(|c| c.attachment(net).is_none())
                .map(|c| format!("docker network connect {net} {}", c.name)),
        );
        let what = if destination.is_some() {
            format!("Put both containers on {net}:")
        } else {
            "Create one and put both containers on it:".to_owned()
        };
        fix.push(FixStep::run(
            &format!(
                "{} is on no network where names resolve. {what}",
                target.name
            ),
            &commands.join(" && "),
        ));
    } else {
        let net = fix_network(t, target);
        let then = after_joining(t, source, target, &net, port);
        let (or, lasting) = if fix.is_empty() {
            ("C", "")
        } else {
            ("Or c", ", so prefer the setting above")
        };
        fix.push(FixStep::run(
            &format!(
                "{or}onnect {} to {net}, one of {}'s networks.{then} This lasts until {} is recreated (Coolify recreates containers on every deploy){lasting}.",
                source.name, target.name, source.name
            ),
            &format!("docker network connect {net} {}", source.name),
        ));
    }
    // A stack whose destination netdoctor cannot tell (no Coolify core or proxy on this host):
    // still name Coolify's lasting setting.
    if !coolify_step && (source.stack().is_some() || target.stack().is_some()) {
        fix.push(FixStep::say("For a lasting fix in Coolify: enable \"Connect To Predefined Network\" on the stack, or put both resources in the same Destination network, and redeploy."));
    }
    fix
}

/// The network to suggest joining: a DNS network of the target, the destination first.
pub fn fix_network(t: &Topology, target: &Container) -> String {
    let target_nets: Vec<&str> = t.dns_networks(target).collect();
    let destinations = t.destination_networks();
    destinations
        .iter()
        .find(|d| target_nets.contains(d))
        .or_else(|| target_nets.first())
        .map_or_else(|| "my-network".to_owned(), |n| (*n).to_owned())
}

/// "Then use `name:port`": the name the builder would pick once `source` joins `net`.
fn after_joining(
    t: &Topology,
    source: &Container,
    target: &Container,
    net: &str,
    port: Option<u16>,
) -> String {
    let mut joined = source.clone();
    joined.attachments.push(Attachment {
        network: net.to_owned(),
        ipv4: None,
        ipv6: None,
        aliases: Vec::new(),
        dns_names: Vec::new(),
        dns_names_from_engine: false,
    });
    naming::candidates(t, &joined, target)
        .first()
        .map(|c| format!(" Then use `{}`.", with_port(&c.name, port)))
        .unwrap_or_default()
}

fn with_port(name: &str, port: Option<u16>) -> String {
    port.map_or_else(|| name.to_owned(), |p| format!("{name}:{p}"))
}

/// A container's networks for a sentence: `a, b` or `no network`.
pub fn networks_of(c: &Container) -> String {
    let nets: Vec<&str> = c.network_names().collect();
    join_or_none(&nets)
}

fn join_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "no network".to_owned()
    } else {
        items.join(", ")
    }
}
