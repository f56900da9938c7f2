//! Intended vs loaded: the routes read from the proxy itself replace the label routes in the
//! topology when they could be read, and the topology says which it holds. Loaded routes name
//! what the proxy dials (`10.0.1.9:3001`, `app:3000`); here those become containers.

use super::{ProxyKind, Route, RouteProvider};
use crate::domain::topology::{Container, Topology};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// How the loaded routes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoadedVia {
    /// `GET http://localhost:2019/config/` inside the proxy's network namespace.
    CaddyAdminApi,
    /// The `autosave.json` Caddy writes whenever it loads a config (read from the container's
    /// file system, no exec).
    CaddyAutosave,
    /// `GET http://localhost:8080/api/rawdata` inside the proxy's network namespace.
    TraefikApi,
    /// The file provider's files (read from the container's file system) plus the labels:
    /// what Traefik was told, not what it accepted.
    TraefikFiles,
}

impl LoadedVia {
    /// "Caddy's admin API", for "routes read from …".
    pub fn describe(self) -> &'static str {
        match self {
            Self::CaddyAdminApi => "Caddy's admin API (/config/)",
            Self::CaddyAutosave => "Caddy's saved config (autosave.json)",
            Self::TraefikApi => "Traefik's API (/api/rawdata)",
            Self::TraefikFiles => "Traefik's dynamic files and the labels",
        }
    }

    pub fn kind(self) -> ProxyKind {
        match self {
            Self::CaddyAdminApi | Self::CaddyAutosave => ProxyKind::Caddy,
            Self::TraefikApi | Self::TraefikFiles => ProxyKind::Traefik,
        }
    }

    /// Whether the proxy itself said which routes it accepted (its API), rather than what it
    /// was given (files).
    pub fn is_runtime_view(self) -> bool {
        matches!(
            self,
            Self::CaddyAdminApi | Self::CaddyAutosave | Self::TraefikApi
        )
    }
}

/// What was read from the proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadedRoutes {
    pub via: LoadedVia,
    /// Routes as the proxy names them; `containers` still empty.
    pub routes: Vec<Route>,
    /// Caveats on what was read (a file that did not parse, an answer cut at the cap).
    pub notes: Vec<String>,
}

/// Where the topology's routes came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteSource {
    /// Container labels only: what the routes should be.
    #[default]
    Labels,
    /// Read from the proxy.
    Loaded(LoadedVia),
}

/// The topology's note on its routes: their source, when they were read, and why the labels
/// are used when the proxy could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTable {
    pub source: RouteSource,
    /// When the proxy was last asked (Unix ms), whatever the answer.
    pub read_at_ms: Option<u64>,
    /// Why the labels are used, or caveats on the loaded table.
    pub notes: Vec<String>,
}

impl RouteTable {
    /// "routes loaded from Caddy's admin API" / "routes from the containers' labels".
    pub fn describe(&self) -> String {
        match self.source {
            RouteSource::Loaded(via) => format!("routes loaded from {}", via.describe()),
            RouteSource::Labels => "routes from the containers' labels".into(),
        }
    }

    pub fn is_loaded(&self) -> bool {
        matches!(self.source, RouteSource::Loaded(_))
    }
}

/// What one upstream address lands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream {
    /// A container, by IP or by a name it holds (on `network`, when known).
    Container {
        name: String,
        network: Option<String>,
    },
    /// `localhost` or a loopback address: the proxy itself.
    ProxyItself,
    /// `host.docker.internal` or a gateway address: the Docker host.
    Host,
    /// An IP no container has.
    UnknownIp(String),
    /// A name no container holds on any network.
    UnresolvedName(String),
    /// A placeholder, a Unix socket or dynamic upstreams: nothing to match.
    Unknown,
}

/// The host part of an upstream (`http://app:3000/x`, `10.0.1.9:3001`, `[fd00::2]:80`).
pub fn upstream_host(upstream: &str) -> Option<String> {
    let rest = upstream.split_once("://").map_or(upstream, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(inner) = authority.strip_prefix('[') {
        inner.split(']').next().unwrap_or_default()
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority,
        }
    };
    let host = host.trim().to_ascii_lowercase();
    let plausible = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b));
    plausible.then_some(host)
}

/// Where an upstream the proxy loaded lands: by IP on any network, by name on the networks the
/// proxy is on first (where it resolves), then anywhere.
pub fn resolve_upstream(t: &Topology, proxy: Option<&Container>, upstream: &str) -> Upstream {
    let Some(host) = upstream_host(upstream) else {
        return Upstream::Unknown;
    };
    if host == "localhost" {
        return Upstream::ProxyItself;
    }
    if host == "host.docker.internal" {
        return Upstream::Host;
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        if ip.is_loopback() {
            return Upstream::ProxyItself;
        }
        let text = ip.to_string();
        for c in &t.containers {
            for a in &c.attachments {
                if a.ipv4.as_deref() == Some(text.as_str())
                    || a.ipv6.as_deref() == Some(text.as_str())
                {
                    return Upstream::Container {
                        name: c.name.to_string(),
                        network: Some(a.network.clone()),
                    };
                }
            }
        }
        let is_gateway = t
            .networks
            .iter()
            .flat_map(|n| n.subnets.iter())
            .any(|s| s.gateway == text);
        return if is_gateway {
            Upstream::Host
        } else {
            Upstream::UnknownIp(text)
        };
    }
    let holds = |c: &Container, network: Option<&str>| {
        c.attachments
            .iter()
            .filter(|a| network.is_none_or(|n| a.network == n))
            .find(|a| {
                c.name.as_str().eq_ignore_ascii_case(&host)
                    || a.aliases
                        .iter()
                        .chain(&a.dns_names)
                        .any(|n| n.eq_ignore_ascii_case(&host))
            })
            .map(|a| a.network.clone())
    };
    // Where the proxy resolves it: a network both are on.
    if let Some(proxy) = proxy {
        for net in proxy.network_names() {
            if !t.resolves_names_on(net) {
                continue;
            }
            if let Some(c) = t
                .containers
                .iter()
                .find(|c| c.name != proxy.name && holds(c, Some(net)).is_some())
            {
                return Upstream::Container {
                    name: c.name.to_string(),
                    network: Some(net.to_owned()),
                };
            }
        }
    }
    // Held somewhere else (the proxy does not resolve it there), or by a container's own name.
    if let Some(c) = t
        .containers
        .iter()
        .find(|c| holds(c, None).is_some() || c.name.as_str().eq_ignore_ascii_case(&host))
    {
        return Upstream::Container {
            name: c.name.to_string(),
            network: None,
        };
    }
    Upstream::UnresolvedName(host)
}

/// A short, single-line start of an answer, for error messages.
pub fn excerpt(text: &str) -> String {
    let flat: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    if flat.is_empty() {
        "(nothing)".into()
    } else if text.trim().chars().count() > 120 {
        format!("{flat}…")
    } else {
        flat
    }
}

impl Topology {
    /// The routes the containers' labels describe for the live proxy: what the routes should be.
    /// The same as `routes` unless the routes were read from the proxy.
    pub fn intended_routes(&self) -> &[Route] {
        if self.route_table.is_loaded() {
            &self.label_routes
        } else {
            &self.routes
        }
    }

    /// Replaces the label routes with those read from the proxy: each upstream becomes the
    /// container it lands on, Caddy sites that labels explain are marked as from labels, and
    /// the proxy's kind becomes the one that answered.
    pub fn use_loaded_routes(&mut self, loaded: &LoadedRoutes, read_at_ms: u64) {
        let kind = loaded.via.kind();
        if let Some(p) = self.proxy.as_mut() {
            p.kind = kind;
        }
        let labels = if self.route_table.is_loaded() {
            std::mem::take(&mut self.label_routes)
        } else {
            std::mem::take(&mut self.routes)
        };
        // Labels of the family that answered, when the image did not say which (a plain Caddy
        // image runs caddy-docker-proxy's labels only if it is caddy-docker-proxy).
        let labels = if labels.iter().all(|r| r.kind == kind) {
            labels
        } else {
            Vec::new()
        };
        let mut routes = loaded.routes.clone();
        if loaded.via == LoadedVia::TraefikFiles {
            // Traefik's docker provider reads the labels as they are: they are part of what it
            // was given.
            let extra: Vec<Route> = labels
                .iter()
                .filter(|r| !routes.iter().any(|l| l.id == r.id))
                .cloned()
                .collect();
            routes.extend(extra);
        }
        let proxy = self.proxy_container().cloned();
        for route in &mut routes {
            let from_labels = labels.iter().find(|l| same_route(l, route));
            let mut containers = Vec::new();
            for upstream in &route.upstreams {
                if let Upstream::Container { name, network } =
                    resolve_upstream(self, proxy.as_ref(), upstream)
                {
                    if route.network.is_none() {
                        route.network = network;
                    }
                    containers.push(name);
                }
            }
            if let Some(label) = from_labels {
                if route.kind == ProxyKind::Caddy && route.provider == RouteProvider::CaddyConfig {
                    route.provider = RouteProvider::Labels;
                }
                if containers.is_empty() && route.upstreams.is_empty() {
                    containers.extend(label.containers.iter().cloned());
                }
                if route.network.is_none() {
                    route.network.clone_from(&label.network);
                }
            }
            if route.upstreams.is_empty() && !route.containers.is_empty() {
                containers.extend(route.containers.iter().cloned());
            }
            containers.sort();
            containers.dedup();
            route.containers = containers;
        }
        routes.sort_by(|a, b| {
            let first = |r: &Route| r.hosts.first().cloned().unwrap_or_default();
            (first(a), &a.id).cmp(&(first(b), &b.id))
        });
        self.label_routes = labels;
        self.routes = routes;
        self.route_table = RouteTable {
            source: RouteSource::Loaded(loaded.via),
            read_at_ms: Some(read_at_ms),
            notes: loaded.notes.clone(),
        };
    }

    /// Keeps the label routes and says why the proxy's own table is not used.
    pub fn keep_label_routes(&mut self, why: String, read_at_ms: Option<u64>) {
        if self.route_table.is_loaded() {
            self.routes = std::mem::take(&mut self.label_routes);
        }
        self.route_table = RouteTable {
            source: RouteSource::Labels,
            read_at_ms,
            notes: vec![why],
        };
    }
}

/// A loaded route and a label route are the same route: Traefik by router name, Caddy by its
/// set of hosts.
pub fn same_route(label: &Route, loaded: &Route) -> bool {
    if label.kind != loaded.kind {
        return false;
    }
    match loaded.kind {
        ProxyKind::Caddy => {
            let set = |r: &Route| {
                let mut h: Vec<String> = r.hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
                h.sort();
                h.dedup();
                h
            };
            !label.hosts.is_empty() && set(label) == set(loaded)
        }
        _ => loaded.provider == RouteProvider::Labels && label.id == loaded.id,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::{container, exposing, host, on, route};
    use crate::domain::proxy::{caddy_config, traefik_api};

    fn with_ip(mut c: Container, network: &str, ip: &str) -> Container {
        if let Some(a) = c.attachments.iter_mut().find(|a| a.network == network) {
            a.ipv4 = Some(ip.to_owned());
        }
        c
    }

    /// The proxy and two apps on `coolify`; `app` also answers to the alias `app-uuid`.
    fn destination() -> Topology {
        let mut t = host(
            vec![
                with_ip(
                    on(container("coolify-proxy"), "coolify", &[]),
                    "coolify",
                    "10.0.1.2",
                ),
                with_ip(
                    exposing(on(container("app"), "coolify", &["app-uuid"]), &[3000]),
                    "coolify",
                    "10.0.1.20",
                ),
                with_ip(on(container("api"), "coolify", &[]), "coolify", "10.0.1.21"),
                with_ip(
                    on(container("elsewhere"), "private", &["hidden"]),
                    "private",
                    "10.0.2.5",
                ),
            ],
            vec![route(
                "https-0-app",
                "app.example.com",
                &["app"],
                Some(3000),
            )],
        );
        if let Some(n) = t.networks.iter_mut().find(|n| n.name == "coolify") {
            n.subnets.push(crate::domain::topology::Subnet {
                subnet: "10.0.1.0/24".into(),
                gateway: "10.0.1.1".into(),
            });
        }
        t
    }

    #[test]
    fn upstreams_land_on_containers_by_ip_by_alias_and_never_on_strangers() {
        let t = destination();
        let proxy = t.proxy_container().cloned();
        let at = |u: &str| resolve_upstream(&t, proxy.as_ref(), u);
        assert_eq!(
            at("10.0.1.20:3000"),
            Upstream::Container {
                name: "app".into(),
                network: Some("coolify".into())
            }
        );
        assert_eq!(
            at("http://app-uuid:3000/"),
            Upstream::Container {
                name: "app".into(),
                network: Some("coolify".into())
            }
        );
        assert_eq!(
            at("API:80"),
            Upstream::Container {
                name: "api".into(),
                network: Some("coolify".into())
            }
        );
        assert_eq!(
            at("hidden:80"),
            Upstream::Container {
                name: "elsewhere".into(),
                network: None
            }
        );
        assert_eq!(at("10.0.9.9:80"), Upstream::UnknownIp("10.0.9.9".into()));
        assert_eq!(at("10.0.1.1:80"), Upstream::Host);
        assert_eq!(at("nosuch:80"), Upstream::UnresolvedName("nosuch".into()));
        assert_eq!(at("localhost:2019"), Upstream::ProxyItself);
        assert_eq!(
            at("http://***@api:80/"),
            Upstream::Container {
                name: "api".into(),
                network: Some("coolify".into())
            }
        );
        assert_eq!(at("127.0.0.1:80"), Upstream::ProxyItself);
        assert_eq!(
            at("{http.reverse_proxy.upstream.hostport}"),
            Upstream::Unknown
        );
        assert_eq!(
            at("unix//run/app.sock"),
            Upstream::UnresolvedName("unix".into())
        );
    }

    #[test]
    fn a_caddyfile_table_replaces_the_labels_and_says_where_it_came_from() {
        let mut t = destination();
        t.proxy.as_mut().unwrap().kind = ProxyKind::Unknown;
        let loaded = LoadedRoutes {
            via: LoadedVia::CaddyAdminApi,
            routes: caddy_config::routes(include_str!(
                "fixtures/caddy-2.6.2-caddyfile-config.json"
            ))
            .unwrap(),
            notes: Vec::new(),
        };
        t.use_loaded_routes(&loaded, 1_700_000_000_000);
        assert_eq!(t.proxy.as_ref().unwrap().kind, ProxyKind::Caddy);
        assert_eq!(
            t.route_table.source,
            RouteSource::Loaded(LoadedVia::CaddyAdminApi)
        );
        assert_eq!(t.route_table.read_at_ms, Some(1_700_000_000_000));
        assert!(
            t.label_routes.is_empty(),
            "Traefik labels mean nothing to Caddy"
        );
        let app = t
            .routes
            .iter()
            .find(|r| r.serves("app.example.com"))
            .unwrap();
        assert_eq!(app.containers, ["app"]);
        assert_eq!(app.network.as_deref(), Some("coolify"));
        assert_eq!(app.provider, RouteProvider::CaddyConfig);
        assert!(t.routed_hosts().contains(&"shop.example.com".to_owned()));
        assert_eq!(t.intended_routes().len(), 0);
        t.keep_label_routes("the admin API did not answer".into(), Some(1));
        assert_eq!(t.route_table.source, RouteSource::Labels);
        assert!(t.routes.is_empty(), "back to the (empty) label routes");
    }

    #[test]
    fn traefiks_api_table_keeps_label_routers_lined_up_with_their_labels() {
        let mut t = destination();
        t.routes = vec![route(
            "https-0-jk8c0wc4ok80s0gkcgwgo4s8",
            "api.example.com",
            &["api"],
            Some(3001),
        )];
        t.routes[0].network = Some("coolify".into());
        let loaded = LoadedRoutes {
            via: LoadedVia::TraefikApi,
            routes: traefik_api::routes_from_rawdata(include_str!(
                "fixtures/traefik-rawdata-coolify.json"
            ))
            .unwrap(),
            notes: Vec::new(),
        };
        t.use_loaded_routes(&loaded, 5);
        assert_eq!(t.intended_routes().len(), 1);
        let https = t
            .routes
            .iter()
            .find(|r| r.id == "https-0-jk8c0wc4ok80s0gkcgwgo4s8")
            .unwrap();
        // 10.0.1.9 is nobody here: the route is loaded but dials no container.
        assert!(https.containers.is_empty());
        let coolify = t
            .routes
            .iter()
            .find(|r| r.id == "coolify-https@file")
            .unwrap();
        assert!(
            coolify.containers.is_empty(),
            "no container is called coolify here"
        );
        // Reading again starts from the labels, not from the last table.
        t.use_loaded_routes(&loaded, 6);
        assert_eq!(t.intended_routes().len(), 1);
    }

    #[test]
    fn with_the_file_provider_the_labels_count_as_loaded_beside_the_files() {
        let mut t = destination();
        let loaded = LoadedRoutes {
            via: LoadedVia::TraefikFiles,
            routes: vec![],
            notes: vec!["Traefik's API did not answer".into()],
        };
        t.use_loaded_routes(&loaded, 1);
        assert_eq!(t.routes.len(), 1);
        assert_eq!(t.routes[0].containers, ["app"]);
        assert_eq!(t.route_table.notes, ["Traefik's API did not answer"]);
    }

    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(excerpt("  \n"), "(nothing)");
        assert_eq!(excerpt("a\nb"), "a b");
        let long = "é".repeat(500);
        assert_eq!(excerpt(&long).chars().count(), 121);
    }
}
