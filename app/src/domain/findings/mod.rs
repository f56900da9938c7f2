//! What is wrong with a host's networking and how to fix it: every diagnosis rule (one per
//! file) run over a [`Topology`], sorted so the same host always reads the same way.

use crate::domain::coolify::{CoolifyKind, PROXY_CONTAINER};
use crate::domain::problem::FixStep;
use crate::domain::proxy::{ProxyKind, Route};
use crate::domain::topology::{Container, NetworkMode, Topology};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub mod default_bridge;
pub mod deploy_name;
pub mod dns_collision;
pub mod file_route_unresolved;
pub mod internal_network;
pub mod loaded_route_orphan;
pub mod network_none;
pub mod overlay_not_attachable;
pub mod port_conflicts;
pub mod proxy_selected_network;
pub mod proxy_shared_network;
pub mod public_ports;
pub mod route_not_loaded;
pub mod route_port;
pub mod routed_target_state;
pub mod router_name_clash;
pub mod service_tasks_not_running;
pub mod stack_isolated;

#[cfg(test)]
pub(crate) mod test_support;

/// How much a finding matters; the order is the display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// Traffic fails now.
    Blocking,
    /// Fails sometimes, or will fail on the next deploy or restart, or exposes something.
    Warning,
    /// Worth knowing; often intended.
    Info,
}

/// Which rule found it. Stable: the slug is used in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FindingCode {
    ProxyNoSharedNetwork,
    ProxyNetworkNotJoined,
    StackCannotReachDestination,
    DnsNameCollision,
    DefaultBridge,
    NetworkNone,
    InternalNetwork,
    RoutedTargetDown,
    RoutedTargetUnhealthy,
    RoutePortNotExposed,
    PublishedOnAllInterfaces,
    HostPortConflict,
    NameChangesEachDeploy,
    /// Labels ask for a route the proxy did not load (or loaded and refused).
    RouteNotLoaded,
    /// The proxy loaded a route that dials an address no container has.
    LoadedRouteWithoutContainer,
    /// Two containers define one Traefik router differently.
    RouterNameClaimedTwice,
    /// A route from a dynamic file or a Caddyfile dials a name nothing holds.
    FileRouteNameUnresolved,
    /// A route on one server dials a name that runs on another server (several servers only).
    NameOnAnotherServer,
    /// A standalone container (or the proxy a label sends over it) needs a swarm overlay that
    /// is not attachable.
    OverlayNotAttachable,
    /// A swarm service wants tasks running that are not.
    ServiceTasksNotRunning,
}

impl FindingCode {
    pub const ALL: [FindingCode; 20] = [
        Self::ProxyNoSharedNetwork,
        Self::ProxyNetworkNotJoined,
        Self::StackCannotReachDestination,
        Self::DnsNameCollision,
        Self::DefaultBridge,
        Self::NetworkNone,
        Self::InternalNetwork,
        Self::RoutedTargetDown,
        Self::RoutedTargetUnhealthy,
        Self::RoutePortNotExposed,
        Self::PublishedOnAllInterfaces,
        Self::HostPortConflict,
        Self::NameChangesEachDeploy,
        Self::RouteNotLoaded,
        Self::LoadedRouteWithoutContainer,
        Self::RouterNameClaimedTwice,
        Self::FileRouteNameUnresolved,
        Self::NameOnAnotherServer,
        Self::OverlayNotAttachable,
        Self::ServiceTasksNotRunning,
    ];

    /// Kebab-case and stable: links to a finding keep working across releases.
    pub fn slug(self) -> &'static str {
        match self {
            Self::ProxyNoSharedNetwork => "proxy-no-shared-network",
            Self::ProxyNetworkNotJoined => "proxy-network-not-joined",
            Self::StackCannotReachDestination => "stack-cannot-reach-destination",
            Self::DnsNameCollision => "dns-name-collision",
            Self::DefaultBridge => "default-bridge",
            Self::NetworkNone => "network-none",
            Self::InternalNetwork => "internal-network",
            Self::RoutedTargetDown => "routed-target-down",
            Self::RoutedTargetUnhealthy => "routed-target-unhealthy",
            Self::RoutePortNotExposed => "route-port-not-exposed",
            Self::PublishedOnAllInterfaces => "published-on-all-interfaces",
            Self::HostPortConflict => "host-port-conflict",
            Self::NameChangesEachDeploy => "name-changes-each-deploy",
            Self::RouteNotLoaded => "route-not-loaded",
            Self::LoadedRouteWithoutContainer => "loaded-route-without-container",
            Self::RouterNameClaimedTwice => "router-name-claimed-twice",
            Self::FileRouteNameUnresolved => "file-route-name-unresolved",
            Self::NameOnAnotherServer => "name-on-another-server",
            Self::OverlayNotAttachable => "overlay-not-attachable",
            Self::ServiceTasksNotRunning => "service-tasks-not-running",
        }
    }

    /// The code for a slug from a URL.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == slug)
    }
}

/// Something on the graph a finding is about, so the graph can badge it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Subject {
    Container(String),
    Network(String),
    /// A route by its `Route.id`.
    Route(String),
    HostPort(u16),
    /// A swarm service by name.
    Service(String),
}

/// One diagnosis: what is wrong, why, and the exact fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    /// What is wrong, one sentence naming the containers and networks.
    pub title: String,
    /// The Docker or Coolify rule behind it.
    pub why: String,
    /// Exact commands or Coolify settings, in the order to try them.
    pub fix: Vec<FixStep>,
    /// What to badge on the graph.
    pub subjects: Vec<Subject>,
}

/// Runs every rule; sorted by severity, code, then subjects. Deterministic.
pub fn findings(t: &Topology) -> Vec<Finding> {
    let rules: [fn(&Topology) -> Vec<Finding>; 18] = [
        proxy_shared_network::check,
        proxy_selected_network::check,
        stack_isolated::check,
        dns_collision::check,
        default_bridge::check,
        network_none::check,
        internal_network::check,
        routed_target_state::check,
        route_port::check,
        public_ports::check,
        port_conflicts::check,
        deploy_name::check,
        route_not_loaded::check,
        loaded_route_orphan::check,
        router_name_clash::check,
        file_route_unresolved::check,
        overlay_not_attachable::check,
        service_tasks_not_running::check,
    ];
    let mut all: Vec<Finding> = rules.iter().flat_map(|rule| rule(t)).collect();
    for f in &mut all {
        f.subjects.sort();
        f.subjects.dedup();
    }
    all.sort_by(|a, b| {
        (a.severity, a.code, &a.subjects, &a.title).cmp(&(
            b.severity,
            b.code,
            &b.subjects,
            &b.title,
        ))
    });
    all
}

/// Findings touching one container, for its details panel.
pub fn for_container<'a>(all: &'a [Finding], name: &str) -> impl Iterator<Item = &'a Finding> {
    let name = name.to_owned();
    all.iter().filter(move |f| {
        f.subjects
            .iter()
            .any(|s| matches!(s, Subject::Container(n) if *n == name))
    })
}

// ---------------------------------------------------------------------------------------------
// What several rules need to know about a topology.

fn proxy_kind(t: &Topology) -> ProxyKind {
    t.proxy.as_ref().map_or(ProxyKind::Unknown, |p| p.kind)
}

fn proxy_name(t: &Topology) -> String {
    t.proxy
        .as_ref()
        .map_or_else(|| PROXY_CONTAINER.to_owned(), |p| p.container.to_string())
}

/// The label that tells the live proxy which of a container's networks to dial.
fn network_label(kind: ProxyKind) -> &'static str {
    match kind {
        ProxyKind::Caddy => "caddy_ingress_network",
        ProxyKind::Traefik | ProxyKind::Unknown => "traefik.docker.network",
    }
}

/// Every routed container (by name, the proxy itself excluded) with the routes that target it.
/// Names of containers that are not in the topology are kept; rules look them up and skip them.
fn routed(t: &Topology) -> BTreeMap<&str, Vec<&Route>> {
    let proxy = t.proxy.as_ref().map(|p| p.container.as_str());
    let mut out: BTreeMap<&str, Vec<&Route>> = BTreeMap::new();
    for route in &t.routes {
        for name in &route.containers {
            if Some(name.as_str()) != proxy {
                out.entry(name.as_str()).or_default().push(route);
            }
        }
    }
    out
}

/// Whether the proxy dials this container over its own networks. Containers in `host` mode are
/// reached through the host, and `container:` mode ones through another container's networks,
/// so network rules do not judge them.
fn has_own_networks(c: &Container) -> bool {
    !matches!(
        c.network_mode,
        NetworkMode::Host | NetworkMode::Container(_)
    )
}

fn is_proxy(t: &Topology, c: &Container) -> bool {
    t.proxy.as_ref().is_some_and(|p| p.container == c.name)
        || c.coolify
            .as_ref()
            .is_some_and(|i| i.kind == CoolifyKind::Proxy)
}

/// Which routes a rule judged, for its "why": read from the proxy, or its labels.
fn routes_source(t: &Topology) -> String {
    format!("netdoctor's view: {}.", t.route_table.describe())
}

/// The hosts a set of routes answer for, or their ids when no rule names a host.
fn hosts_of(routes: &[&Route]) -> String {
    let hosts: BTreeSet<&str> = routes
        .iter()
        .flat_map(|r| r.hosts.iter().map(String::as_str))
        .collect();
    if hosts.is_empty() {
        let ids: BTreeSet<String> = routes.iter().map(|r| format!("route {}", r.id)).collect();
        return join(ids);
    }
    join(hosts)
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn join<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let items: Vec<String> = items.into_iter().map(|s| s.as_ref().to_owned()).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn route_subjects(routes: &[&Route]) -> Vec<Subject> {
    routes
        .iter()
        .map(|r| Subject::Route(r.id.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::test_support::{recorded, APP, COMPOSE_WEB};
    use super::*;

    #[test]
    fn slugs_are_kebab_case_unique_and_round_trip() {
        let slugs: BTreeSet<&str> = FindingCode::ALL.iter().map(|c| c.slug()).collect();
        assert_eq!(slugs.len(), FindingCode::ALL.len());
        for code in FindingCode::ALL {
            let slug = code.slug();
            assert!(
                slug.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{slug}"
            );
            assert_eq!(FindingCode::from_slug(slug), Some(code));
        }
    }

    #[test]
    fn findings_come_blocking_first_and_in_the_same_order_every_time() {
        let t = recorded();
        let all = findings(&t);
        assert!(!all.is_empty());
        let keys: Vec<(Severity, FindingCode)> = all.iter().map(|f| (f.severity, f.code)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        let mut reversed = t.clone();
        reversed.containers.reverse();
        reversed.networks.reverse();
        reversed.routes.reverse();
        assert_eq!(findings(&reversed), all, "input order does not matter");
    }

    #[test]
    fn every_finding_says_what_why_and_how_to_fix_it() {
        for f in findings(&recorded()) {
            assert!(!f.title.is_empty() && !f.why.is_empty(), "{f:?}");
            assert!(!f.fix.is_empty(), "{:?} has no fix", f.code);
            assert!(!f.subjects.is_empty(), "{:?} badges nothing", f.code);
        }
    }

    #[test]
    fn the_recorded_destination_shows_its_planted_problems() {
        let codes: BTreeSet<FindingCode> = findings(&recorded()).iter().map(|f| f.code).collect();
        for code in [
            FindingCode::ProxyNoSharedNetwork,
            FindingCode::StackCannotReachDestination,
            FindingCode::DnsNameCollision,
            FindingCode::NetworkNone,
            FindingCode::InternalNetwork,
            FindingCode::RoutePortNotExposed,
            FindingCode::PublishedOnAllInterfaces,
            FindingCode::NameChangesEachDeploy,
        ] {
            assert!(codes.contains(&code), "{code:?} missing from {codes:?}");
        }
    }

    #[test]
    fn a_containers_panel_lists_only_the_findings_that_touch_it() {
        let all = findings(&recorded());
        let web: Vec<FindingCode> = for_container(&all, COMPOSE_WEB).map(|f| f.code).collect();
        assert!(web.contains(&FindingCode::ProxyNoSharedNetwork));
        assert!(web.contains(&FindingCode::RoutePortNotExposed));
        assert!(!web.contains(&FindingCode::NameChangesEachDeploy));
        assert!(for_container(&all, APP)
            .all(|f| f.subjects.contains(&Subject::Container(APP.to_owned()))));
        assert_eq!(for_container(&all, "no-such-container").count(), 0);
    }

    #[test]
    fn an_empty_host_has_nothing_to_report() {
        assert!(findings(&Topology::default()).is_empty());
    }

    #[test]
    fn odd_hosts_do_not_break_any_rule() {
        use super::test_support::{container, host, publishing, route};
        let mut bare = container("no-networks");
        bare.network_mode = NetworkMode::Container("abc".into());
        let odd = host(
            vec![
                container("coolify-proxy"),
                bare,
                publishing(container("zero"), "", 0, 0),
            ],
            vec![
                route(
                    "r1",
                    "gone.example.com",
                    &["gone", "coolify-proxy"],
                    Some(80),
                ),
                route("r2", "", &[], None),
                route("r3", "bare.example.com", &["no-networks"], Some(1)),
            ],
        );
        let first = findings(&odd);
        assert_eq!(findings(&odd), first);
    }

    #[test]
    fn no_secret_from_the_recording_reaches_a_finding() {
        let json = serde_json::to_string(&findings(&recorded())).expect("serialises");
        for secret in [
            "hunter2",
            "very-secret",
            "s3cret-password",
            "POSTGRES_PASSWORD",
        ] {
            assert!(!json.contains(secret), "{secret} leaked into a finding");
        }
    }

    #[test]
    fn the_destination_network_is_where_core_and_proxy_meet() {
        let t = recorded();
        assert_eq!(t.destination_networks(), ["coolify"]);
        let mut renamed = t.clone();
        for c in &mut renamed.containers {
            for a in &mut c.attachments {
                if a.network == "coolify" {
                    a.network = "main-destination".into();
                }
            }
        }
        assert_eq!(renamed.destination_networks(), ["main-destination"]);
    }

    #[test]
    fn lists_read_like_a_sentence() {
        assert_eq!(join(["a"]), "a");
        assert_eq!(join(["a", "b"]), "a and b");
        assert_eq!(join(["a", "b", "c"]), "a, b and c");
        assert_eq!(join(Vec::<String>::new()), "");
    }
}
