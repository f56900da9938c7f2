//! "502 Bad Gateway from a route in a dynamic file or a Caddyfile": it dials a name that no
//! container holds on any network (a typo, a renamed container, Coolify's name that changes on
//! every deploy), or one the proxy cannot resolve because it is not on that container's network.

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
    let mut out = Vec::new();
    for route in &t.routes {
        if !matches!(
            route.provider,
            RouteProvider::File | RouteProvider::CaddyConfig
        ) {
            continue;
        }
        for upstream in &route.upstreams {
            match resolve_upstream(t, proxy, upstream) {
                Upstream::UnresolvedName(name) => out.push(unresolved(t, route, &name, None)),
                Upstream::Container {
                    name: holder,
                    network: None,
                } => {
                    let host =
                        crate::domain::proxy::loaded::upstream_host(upstream).unwrap_or_default();
                    out.push(unresolved(t, route, &host, Some(&holder)));
                }
                _ => {}
            }
        }
    }
    out
}

fn unresolved(t: &Topology, route: &Route, name: &str, holder: Option<&str>) -> Finding {
    let proxy = proxy_name(t);
    let hosts = if route.hosts.is_empty() {
        format!("route `{}`", route.id)
    } else {
        join(&route.hosts)
    };
    let place = match route.provider {
        RouteProvider::File => "the dynamic file (Coolify: Servers → Proxy → Dynamic Configurations, /data/coolify/proxy/dynamic/)",
        _ => "the Caddyfile (Coolify: Servers → Proxy → Dynamic Configurations)",
    };
    let (title, why, severity) = match holder {
        None => (
            format!("Route `{}` sends {hosts} to `{name}`, a name no network resolves", route.id),
            format!(
                "No container on any network is named or aliased `{name}`, so {proxy}'s DNS lookup fails and {hosts} answers 502 Bad Gateway. {}",
                routes_source(t)
            ),
            Severity::Blocking,
        ),
        Some(holder) => (
            format!("Route `{}` sends {hosts} to `{name}`, which {proxy} cannot resolve", route.id),
            format!(
                "`{name}` is {holder}, but only on networks {proxy} is not on; names resolve only on a shared user-defined network, so {hosts} answers 502 Bad Gateway. {}",
                routes_source(t)
            ),
            Severity::Blocking,
        ),
    };
    let mut fix = vec![FixStep::say(&format!(
        "In {place}, dial a container name, network alias or Coolify `{{uuid}}` that is on a network {proxy} is on, with the port the app listens on; the proxy reloads the file on its own (Caddy: reload it)."
    ))];
    match holder {
        Some(holder) => fix.push(FixStep::run(
            &format!("Or attach {proxy} to {holder}'s network:"),
            &format!("docker network connect <network of {holder}> {proxy}"),
        )),
        None => fix.push(FixStep::run(
            "List the names there are:",
            "docker ps -a --format '{{.Names}}'",
        )),
    }
    let mut subjects = vec![Subject::Route(route.id.clone())];
    subjects.extend(holder.map(|h| Subject::Container(h.to_owned())));
    Finding {
        code: FindingCode::FileRouteNameUnresolved,
        severity,
        title,
        why,
        fix,
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::{container, host, on, text};
    use crate::domain::proxy::loaded::{LoadedRoutes, LoadedVia};
    use crate::domain::proxy::traefik_files::routes_from_files;

    #[test]
    fn a_typo_in_a_dynamic_file_is_blocking_and_a_name_held_elsewhere_says_where() {
        let mut t = host(
            vec![
                on(container("coolify-proxy"), "coolify", &[]),
                on(container("legacy-app"), "coolify", &[]),
                on(container("hidden"), "private", &[]),
            ],
            Vec::new(),
        );
        let (mut routes, _) = routes_from_files(&[(
            "user.toml".to_owned(),
            include_str!("../proxy/fixtures/traefik-dynamic-user.toml").to_owned(),
        )]);
        let (more, _) = routes_from_files(&[(
            "x.yml".to_owned(),
            "http:\n  routers:\n    h:\n      rule: Host(`h.example.com`)\n      service: h\n  services:\n    h:\n      loadBalancer:\n        servers:\n          - url: http://hidden:80\n".to_owned(),
        )]);
        routes.extend(more);
        t.use_loaded_routes(
            &LoadedRoutes {
                via: LoadedVia::TraefikFiles,
                routes,
                notes: Vec::new(),
            },
            1,
        );
        let found = check(&t);
        assert_eq!(found.len(), 2, "{found:#?}");
        let typo = found
            .iter()
            .find(|f| f.title.contains("legcy-app"))
            .expect("the typo");
        assert!(typo.title.contains("no network resolves"));
        assert!(text(typo).contains("Dynamic Configurations"));
        let hidden = found
            .iter()
            .find(|f| f.title.contains("`hidden`"))
            .expect("held elsewhere");
        assert!(
            hidden
                .why
                .contains("only on networks coolify-proxy is not on"),
            "{}",
            hidden.why
        );
        assert!(hidden
            .subjects
            .contains(&Subject::Container("hidden".into())));
    }
}
