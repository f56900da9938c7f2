//! "The route vanished when I deployed a second app": two containers define one Traefik router
//! name differently (a copied compose file, a hand-written label), and Traefik drops the router
//! altogether ("Router defined multiple times with different configurations").

use super::{join, proxy_kind, proxy_name, routes_source, Finding, FindingCode, Severity, Subject};
use crate::domain::ports::Protocol;
use crate::domain::problem::FixStep;
use crate::domain::proxy::{self, ProxyKind, Route, RoutedContainer};
use crate::domain::topology::{Container, Topology};

pub fn check(t: &Topology) -> Vec<Finding> {
    if proxy_kind(t) != ProxyKind::Traefik {
        return Vec::new();
    }
    let mut out = Vec::new();
    for shared in t
        .intended_routes()
        .iter()
        .filter(|r| r.containers.len() > 1)
    {
        let claims: Vec<(&Container, Route)> = shared
            .containers
            .iter()
            .filter_map(|n| t.container(n))
            .filter_map(|c| Some((c, own_router(c, &shared.id)?)))
            .collect();
        let Some((_, first)) = claims.first() else {
            continue;
        };
        if claims.iter().all(|(_, r)| r == first) {
            continue; // the same router on several containers: one load-balanced route
        }
        out.push(finding(t, shared, &claims));
    }
    out
}

/// The router as this container's labels alone define it (containers and port source aside).
fn own_router(c: &Container, id: &str) -> Option<Route> {
    let ports: Vec<u16> = c
        .exposed
        .iter()
        .filter(|p| p.protocol == Protocol::Tcp)
        .map(|p| p.port)
        .collect();
    let me = [RoutedContainer {
        name: c.name.as_str(),
        labels: &c.labels,
        exposed_ports: &ports,
    }];
    let mut route = proxy::routes(ProxyKind::Traefik, &me)
        .into_iter()
        .find(|r| r.id == id)?;
    route.containers.clear();
    Some(route)
}

fn finding(t: &Topology, shared: &Route, claims: &[(&Container, Route)]) -> Finding {
    let proxy = proxy_name(t);
    let names: Vec<&str> = claims.iter().map(|(c, _)| c.name.as_str()).collect();
    let differences: Vec<String> = claims
        .iter()
        .map(|(c, r)| {
            format!(
                "{}: rule {}, port {}",
                c.name,
                if r.rule.is_empty() {
                    "(none)"
                } else {
                    r.rule.as_str()
                },
                r.target_port
                    .map_or_else(|| "unknown".to_owned(), |p| p.to_string())
            )
        })
        .collect();
    let loaded_note = if t.route_table.is_loaded() && !t.routes.iter().any(|r| r.id == shared.id) {
        format!(
            " {proxy}'s own table confirms it: router `{}` is not there.",
            shared.id
        )
    } else {
        String::new()
    };
    let mut subjects = vec![Subject::Route(shared.id.clone())];
    subjects.extend(names.iter().map(|n| Subject::Container((*n).to_owned())));
    Finding {
        code: FindingCode::RouterNameClaimedTwice,
        severity: Severity::Blocking,
        title: format!("Router `{}` is defined differently by {}", shared.id, join(&names)),
        why: format!(
            "Traefik keeps one router per name; when containers define it differently it drops the router, and {} answer 404. {}.{loaded_note} {}",
            if shared.hosts.is_empty() { "its domains".to_owned() } else { join(&shared.hosts) },
            differences.join("; "),
            routes_source(t)
        ),
        fix: vec![
            FixStep::say("Give each container its own router name (the `traefik.http.routers.<name>.` part of its labels), or remove the copied labels from the one that should not be routed, and redeploy."),
            FixStep::run("See every container that defines it:", &format!("docker ps -a --filter label=traefik.http.routers.{}.rule --format '{{{{.Names}}}}'", shared.id)),
        ],
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::{container, exposing, host, on, text};
    use std::collections::BTreeMap;

    fn labelled(name: &str, rule: &str, port: &str) -> Container {
        let mut c = exposing(on(container(name), "coolify", &[]), &[3000]);
        c.labels = BTreeMap::from([
            ("traefik.enable".to_owned(), "true".to_owned()),
            ("traefik.http.routers.web.rule".to_owned(), rule.to_owned()),
            (
                "traefik.http.services.web.loadbalancer.server.port".to_owned(),
                port.to_owned(),
            ),
        ]);
        c
    }

    fn with_routes(containers: Vec<Container>) -> Topology {
        let mut t = host(containers, Vec::new());
        t.routes = t.routes_for(ProxyKind::Traefik);
        t
    }

    #[test]
    fn two_containers_defining_one_router_differently_are_blocking() {
        let t = with_routes(vec![
            on(container("coolify-proxy"), "coolify", &[]),
            labelled("shop", "Host(`shop.example.com`)", "3000"),
            labelled("blog", "Host(`blog.example.com`)", "3000"),
        ]);
        let found = check(&t);
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.severity, Severity::Blocking);
        assert!(
            f.title.contains("`web`") && f.title.contains("blog and shop"),
            "{}",
            f.title
        );
        assert!(text(f).contains("Host(`blog.example.com`)"));
    }

    #[test]
    fn the_same_router_on_two_containers_of_a_rolling_update_is_fine() {
        let t = with_routes(vec![
            on(container("coolify-proxy"), "coolify", &[]),
            labelled("app-1", "Host(`app.example.com`)", "3000"),
            labelled("app-2", "Host(`app.example.com`)", "3000"),
        ]);
        assert!(check(&t).is_empty());
    }
}
