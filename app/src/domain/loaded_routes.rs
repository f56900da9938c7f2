//! Intended vs loaded: the routes read from the proxy itself replace the label routes in the
//! topology when they could be read, and the topology says which it holds. Loaded routes name
//! what the proxy dials (`10.0.1.9:3001`, `app:3000`); here those become containers.

use crate::domain::proxy::loaded::{
    same_route, upstream_host, LoadedRoutes, LoadedVia, RouteSource, RouteTable,
};
use crate::domain::proxy::{ProxyKind, Route, RouteProvider};
use crate::domain::topology::{Container, Topology};
use std::net::IpAddr;

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
                "proxy/fixtures/caddy-2.6.2-caddyfile-config.json"
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
                "proxy/fixtures/traefik-rawdata-coolify.json"
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
}
