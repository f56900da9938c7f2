//! "502 on a domain whose app is fine": the proxy loaded a route that dials an address no
//! container has (a stale table, or an IP written into a dynamic file or Caddyfile, which
//! changes whenever the container is recreated).

use super::{join, proxy_name, routes_source, Finding, FindingCode, Severity, Subject};
use crate::domain::loaded_routes::{resolve_upstream, Upstream};
use crate::domain::problem::FixStep;
use crate::domain::proxy::{Route, RouteProvider};
use crate::domain::topology::Topology;

pub fn check(t: &Topology) -> Vec<Finding> {
    if !t.route_table.is_loaded() {
        return Vec::new();
    }
    let proxy = t.proxy_container();
    t.routes
        .iter()
        .filter(|r| r.containers.is_empty())
        .filter_map(|r| {
            let unknown: Vec<String> = r
                .upstreams
                .iter()
                .filter_map(|u| match resolve_upstream(t, proxy, u) {
                    Upstream::UnknownIp(ip) => Some(ip),
                    _ => None,
                })
                .collect();
            (!unknown.is_empty()).then(|| finding(t, r, &unknown))
        })
        .collect()
}

fn finding(t: &Topology, route: &Route, ips: &[String]) -> Finding {
    let proxy = proxy_name(t);
    let hosts = if route.hosts.is_empty() {
        format!("route `{}`", route.id)
    } else {
        join(&route.hosts)
    };
    let fix = match route.provider {
        RouteProvider::Labels => vec![
            FixStep::say("The proxy's table is stale: restart the proxy so it reads the containers again (Coolify: Servers → Proxy → Restart Proxy)."),
            FixStep::run("Restart it now:", &format!("docker restart {proxy}")),
        ],
        _ => vec![
            FixStep::say(&format!("In the {} of route `{}`, dial the container by name (its name, a network alias or Coolify's `{{uuid}}`) instead of an address: addresses change whenever a container is recreated.", route.provider.describe(), route.id)),
            FixStep::run("Find the container's current name and address:", "docker ps --format '{{.Names}}' | xargs -n1 docker inspect -f '{{.Name}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'"),
        ],
    };
    Finding {
        code: FindingCode::LoadedRouteWithoutContainer,
        severity: Severity::Blocking,
        title: format!("{proxy} sends {hosts} to {}, an address no container has", join(ips)),
        why: format!(
            "Route `{}` (from {}) dials {}; nothing on this host answers there, so requests get 502 Bad Gateway or hang. {}",
            route.id,
            route.provider.describe(),
            route.upstreams.join(", "),
            routes_source(t)
        ),
        fix,
        subjects: vec![Subject::Route(route.id.clone())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::{container, host, on, text};
    use crate::domain::proxy::loaded::{LoadedRoutes, LoadedVia};
    use crate::domain::proxy::{PortSource, ProxyKind};

    fn caddy_route(host: &str, upstream: &str) -> Route {
        Route {
            hosts: vec![host.to_owned()],
            upstreams: vec![upstream.to_owned()],
            port_source: PortSource::Loaded,
            provider: RouteProvider::CaddyConfig,
            ..Route::new(host, ProxyKind::Caddy)
        }
    }

    #[test]
    fn a_route_dialling_an_address_nobody_has_is_blocking_and_says_to_use_a_name() {
        let mut t = host(
            vec![
                on(container("coolify-proxy"), "coolify", &[]),
                on(container("app"), "coolify", &[]),
            ],
            Vec::new(),
        );
        t.use_loaded_routes(
            &LoadedRoutes {
                via: LoadedVia::CaddyAdminApi,
                routes: vec![
                    caddy_route("old.example.com", "10.0.1.77:3000"),
                    caddy_route("ok.example.com", "10.0.1.9:3000"),
                ],
                notes: Vec::new(),
            },
            1,
        );
        let found = check(&t);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].title.contains("10.0.1.77"));
        let all = text(&found[0]);
        assert!(
            all.contains("instead of an address") && all.contains("Caddy's admin API"),
            "{all}"
        );
    }

    #[test]
    fn label_routes_are_never_judged_here() {
        let t = host(
            vec![on(container("coolify-proxy"), "coolify", &[])],
            Vec::new(),
        );
        assert!(check(&t).is_empty());
    }
}
