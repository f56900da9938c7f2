//! "502 Bad Gateway" on a domain: the proxy dials a port the container does not expose.

use super::{hosts_of, proxy_kind, route_subjects, Finding, FindingCode, Severity, Subject};
use crate::domain::coolify::CoolifyKind;
use crate::domain::ports::Protocol;
use crate::domain::problem::FixStep;
use crate::domain::proxy::{PortSource, ProxyKind, Route};
use crate::domain::topology::{Container, Topology};
use std::collections::BTreeMap;

/// Warning, not Blocking: the image's EXPOSE list is a hint, and an app can listen on a port
/// it does not declare. When it does not, this is the 502 Coolify's maintainers see most.
pub fn check(t: &Topology) -> Vec<Finding> {
    // (container, port) → routes: a container's http and https routers are one finding.
    let mut wrong: BTreeMap<(&str, u16), Vec<&Route>> = BTreeMap::new();
    for route in &t.routes {
        let Some(port) = route.target_port else {
            continue;
        };
        for name in &route.containers {
            let Some(c) = t.container(name) else {
                continue;
            };
            let exposed: Vec<u16> = tcp_exposed(c);
            if !exposed.is_empty() && !exposed.contains(&port) {
                wrong
                    .entry((c.name.as_str(), port))
                    .or_default()
                    .push(route);
            }
        }
    }
    wrong
        .into_iter()
        .filter_map(|((name, port), routes)| Some(finding(t, t.container(name)?, port, &routes)))
        .collect()
}

fn tcp_exposed(c: &Container) -> Vec<u16> {
    c.exposed
        .iter()
        .filter(|p| p.protocol == Protocol::Tcp)
        .map(|p| p.port)
        .collect()
}

fn finding(t: &Topology, c: &Container, port: u16, routes: &[&Route]) -> Finding {
    let hosts = hosts_of(routes);
    let exposed = tcp_exposed(c);
    let listed: Vec<String> = exposed.iter().map(|p| format!("{p}/tcp")).collect();
    let right = exposed.first().copied().unwrap_or(port);
    let host = routes
        .iter()
        .flat_map(|r| r.hosts.iter())
        .next()
        .map_or("app.example.com", String::as_str);
    let source = match routes.first().map(|r| r.port_source) {
        Some(PortSource::ProxyDefault) => "Caddy's bare `{{upstreams}}` dials port 80",
        _ => "the port comes from the route's port label",
    };
    let coolify_setting = match (
        c.coolify.as_ref().map(|i| i.kind),
        c.stack().is_some(),
    ) {
        (_, true) => FixStep::say(&format!(
            "In Coolify, end the service's domain with the port the app listens on, e.g. `https://{host}:{right}`, and redeploy."
        )),
        (Some(CoolifyKind::Application), false) => FixStep::say(&format!(
            "In Coolify, set \"Ports Exposes\" to the port the app listens on (here {right}) and redeploy."
        )),
        _ => FixStep::say(&match proxy_kind(t) {
            ProxyKind::Caddy => format!(
                "Point the label at the port the app listens on: `{{{{upstreams {right}}}}}`, then recreate {}.",
                c.name
            ),
            _ => format!(
                "Set the label `traefik.http.services.<service>.loadbalancer.server.port={right}` on {} and recreate it.",
                c.name
            ),
        }),
    };
    let mut fix = vec![coolify_setting];
    // From inside the proxy (busybox wget, used by its own health check), when it can resolve the
    // container by name on a shared network.
    if let Some(proxy) = t.proxy_container() {
        let resolvable = t
            .shared_networks(proxy, c)
            .any(|n| t.network_kind(n).resolves_names());
        if resolvable {
            fix.push(FixStep::run(
                &format!("Check which port answers, from inside {}:", proxy.name),
                &format!(
                    "docker exec {} wget -qO- -T 3 http://{}:{right}/",
                    proxy.name, c.name
                ),
            ));
        }
    }
    fix.push(FixStep::say(&format!(
        "If the app really listens on {port}, expose {port} instead (compose `expose: [\"{port}\"]`, Dockerfile `EXPOSE {port}`) so the image and the route agree."
    )));
    let mut subjects = vec![Subject::Container(c.name.to_string())];
    subjects.extend(route_subjects(routes));
    Finding {
        code: FindingCode::RoutePortNotExposed,
        severity: Severity::Warning,
        title: format!(
            "The proxy sends {hosts} to port {port} of {}, but it exposes only {}.",
            c.name,
            listed.join(", ")
        ),
        why: format!(
            "When nothing listens on the port the proxy dials, it answers 502 Bad Gateway; {source}. Coolify's rule: the port under \"Ports Exposes\" (for compose and service stacks, the `:port` at the end of the domain) must be the port the app listens on."
        ),
        fix,
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, exposing, host, on, recorded, route, COMPOSE_WEB};
    use super::*;

    #[test]
    fn a_route_to_8080_on_a_container_exposing_3000_gets_a_bad_gateway_warning() {
        let found = check(&recorded());
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.title,
            format!("The proxy sends shop.example.com to port 8080 of {COMPOSE_WEB}, but it exposes only 3000/tcp.")
        );
        assert!(f.fix[0].text.contains("https://shop.example.com:3000"));
        assert!(f.why.contains("502 Bad Gateway"));
    }

    #[test]
    fn a_standard_app_is_told_to_fix_ports_exposes_and_how_to_check() {
        let proxy = on(container("coolify-proxy"), "coolify", &[]);
        let mut app = exposing(on(container("my-api"), "coolify", &[]), &[3001]);
        app.coolify = crate::domain::coolify::CoolifyIdentity::from_labels(
            "my-api",
            &[("coolify.managed", "true"), ("coolify.type", "application")]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        let t = host(
            vec![proxy, app],
            vec![route(
                "https-0-my-api",
                "api.example.com",
                &["my-api"],
                Some(3000),
            )],
        );
        let found = check(&t);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix[0].text.contains("\"Ports Exposes\""));
        assert_eq!(
            found[0].fix[1].command.as_deref(),
            Some("docker exec coolify-proxy wget -qO- -T 3 http://my-api:3001/")
        );
    }

    #[test]
    fn a_route_to_an_exposed_port_is_fine() {
        let t = recorded();
        assert!(check(&t)
            .iter()
            .all(|f| !f.title.contains("api.example.com")));
    }

    #[test]
    fn a_container_that_exposes_nothing_cannot_be_judged() {
        let app = on(container("app"), "coolify", &[]);
        let t = host(
            vec![app],
            vec![route("r", "app.example.com", &["app"], Some(8080))],
        );
        assert!(check(&t).is_empty());
    }
}
