//! "504 Gateway Timeout, sometimes or always": the proxy dials a network of the container it is not on.

use super::{
    has_own_networks, hosts_of, join, network_label, proxy_kind, route_subjects, routed, Finding,
    FindingCode, Severity, Subject,
};
use crate::domain::problem::FixStep;
use crate::domain::proxy::{ProxyKind, Route};
use crate::domain::topology::{Container, Topology};
use std::collections::BTreeMap;

/// Containers that share no network at all with the proxy are left to `proxy_shared_network`,
/// which gives the one fix that matters first; this rule covers the subtler cases where they
/// share one network but the proxy dials another.
pub fn check(t: &Topology) -> Vec<Finding> {
    let Some(proxy) = t.proxy_container() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, routes) in routed(t) {
        let Some(c) = t.container(name) else {
            continue;
        };
        let shared: Vec<&str> = t.shared_networks(proxy, c).collect();
        if !has_own_networks(c) || shared.is_empty() {
            continue;
        }
        // Routes of one container normally agree on the network (it is a container label).
        let mut by_network: BTreeMap<Option<&str>, Vec<&Route>> = BTreeMap::new();
        for r in &routes {
            by_network.entry(r.network.as_deref()).or_default().push(r);
        }
        for (selected, routes) in by_network {
            let found = match selected {
                Some(net) => selected_network(t, proxy, c, net, &shared, &routes),
                None => no_selected_network(t, proxy, c, &shared, &routes),
            };
            out.extend(found);
        }
    }
    out
}

/// The container's networks the proxy is not on (`none` and `host` aside).
fn missing<'a>(t: &Topology, proxy: &Container, c: &'a Container) -> Vec<&'a str> {
    c.network_names()
        .filter(|n| t.is_routable(n) && proxy.attachment(n).is_none())
        .collect()
}

fn selected_network(
    t: &Topology,
    proxy: &Container,
    c: &Container,
    net: &str,
    shared: &[&str],
    routes: &[&Route],
) -> Option<Finding> {
    let label = network_label(proxy_kind(t));
    let hosts = hosts_of(routes);
    let mut subjects = vec![
        Subject::Container(c.name.to_string()),
        Subject::Container(proxy.name.to_string()),
        Subject::Network(net.to_owned()),
    ];
    subjects.extend(route_subjects(routes));
    let relabel = FixStep::say(&format!(
        "Or set the label `{label}` on {} to a network both are on ({}) and redeploy.",
        c.name,
        join(shared)
    ));
    if c.attachment(net).is_some() {
        if proxy.attachment(net).is_some() {
            return None;
        }
        return Some(Finding {
            code: FindingCode::ProxyNetworkNotJoined,
            severity: Severity::Blocking,
            title: format!(
                "{} dials {} on {net}, a network {} is not on, so {hosts} times out.",
                proxy.name, c.name, proxy.name
            ),
            why: format!(
                "The label `{label}={net}` on {} tells the proxy to use its address on {net}. The proxy can only reach addresses on networks it is attached to, so every request ends in a 504 Gateway Timeout, even though both share {}.",
                c.name,
                join(shared)
            ),
            fix: vec![
                FixStep::run(
                    &format!("Connect {} to {net}:", proxy.name),
                    &format!("docker network connect {net} {}", proxy.name),
                ),
                relabel,
            ],
            subjects,
        });
    }
    // The label names a network the container is not on: the proxy ignores it and falls back
    // to any of the container's networks, which only hurts when some are out of its reach.
    let missing = missing(t, proxy, c);
    if missing.is_empty() {
        return None;
    }
    Some(Finding {
        code: FindingCode::ProxyNetworkNotJoined,
        severity: Severity::Warning,
        title: format!(
            "{} has `{label}={net}` but is not on {net}, so {} may dial it on {} and time out.",
            c.name,
            proxy.name,
            join(&missing)
        ),
        why: format!(
            "When the selected network is not one of the container's, the proxy logs \"Could not find network named {net}\" and picks any of its networks. {} is not on {}, so requests for {hosts} fail with 504 Gateway Timeout whenever that one is picked.",
            proxy.name,
            join(&missing)
        ),
        fix: vec![
            FixStep::say(&format!(
                "Set the label `{label}` on {} to a network both are on ({}) and redeploy.",
                c.name,
                join(shared)
            )),
            FixStep::say(
                "Check the spelling: Compose prefixes the networks it creates with the project name, and the label needs the full name `docker network ls` shows.",
            ),
        ],
        subjects,
    })
}

fn no_selected_network(
    t: &Topology,
    proxy: &Container,
    c: &Container,
    shared: &[&str],
    routes: &[&Route],
) -> Option<Finding> {
    // caddy-docker-proxy only dials addresses on its own ingress networks, so without the label
    // it never picks one it cannot reach. Traefik picks any of the container's networks.
    if proxy_kind(t) == ProxyKind::Caddy {
        return None;
    }
    let missing = missing(t, proxy, c);
    if missing.is_empty() {
        return None;
    }
    let label = network_label(proxy_kind(t));
    let target = shared[0];
    let mut fix: Vec<FixStep> = missing
        .iter()
        .map(|net| {
            FixStep::run(
                &format!("Connect {} to {net}:", proxy.name),
                &format!("docker network connect {net} {}", proxy.name),
            )
        })
        .collect();
    fix.push(FixStep::say(&format!(
        "Or add the label `{label}={target}` to {} (in the compose file's `labels:` for Coolify stacks) and redeploy, so the proxy always uses its address on {target}.",
        c.name
    )));
    let mut subjects = vec![
        Subject::Container(c.name.to_string()),
        Subject::Container(proxy.name.to_string()),
    ];
    subjects.extend(missing.iter().map(|n| Subject::Network((*n).to_owned())));
    subjects.extend(route_subjects(routes));
    Some(Finding {
        code: FindingCode::ProxyNetworkNotJoined,
        severity: Severity::Warning,
        title: format!(
            "{} is on {} but {} only on {}, so {} sometimes times out.",
            c.name,
            join(c.network_names().filter(|n| t.is_routable(n))),
            proxy.name,
            join(shared),
            hosts_of(routes)
        ),
        why: format!(
            "Without `{label}`, Traefik takes the address of whichever of the container's networks it sees first; when that is {} (which {} is not on) the request hangs until 504 Gateway Timeout. Traefik's debug log shows `dial tcp …: i/o timeout`.",
            join(&missing),
            proxy.name
        ),
        fix,
        subjects,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, host, on, recorded, route, text};
    use super::*;

    fn proxy_on(nets: &[&str]) -> Container {
        nets.iter()
            .fold(container("coolify-proxy"), |c, n| on(c, n, &[]))
    }

    #[test]
    fn a_stack_on_two_networks_without_the_label_times_out_intermittently() {
        let api = on(on(container("api"), "stack", &[]), "app_network", &[]);
        let t = host(
            vec![proxy_on(&["coolify", "stack"]), api],
            vec![route(
                "https-0-api",
                "api.example.com",
                &["api"],
                Some(3000),
            )],
        );
        let found = check(&t);
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(
            (f.code, f.severity),
            (FindingCode::ProxyNetworkNotJoined, Severity::Warning)
        );
        assert_eq!(
            f.fix[0].command.as_deref(),
            Some("docker network connect app_network coolify-proxy")
        );
        assert!(text(f).contains("traefik.docker.network=stack"));
    }

    #[test]
    fn a_selected_network_the_proxy_is_not_on_blocks_the_route() {
        let api = on(on(container("api"), "stack", &[]), "app_network", &[]);
        let mut r = route("https-0-api", "api.example.com", &["api"], Some(3000));
        r.network = Some("app_network".into());
        let t = host(vec![proxy_on(&["coolify", "stack"]), api], vec![r]);
        let found = check(&t);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Blocking);
        assert!(found[0].title.contains("app_network"));
        assert_eq!(
            found[0].fix[0].command.as_deref(),
            Some("docker network connect app_network coolify-proxy")
        );
    }

    #[test]
    fn a_label_naming_a_network_the_container_is_not_on_warns_when_it_matters() {
        let api = on(on(container("api"), "stack", &[]), "app_network", &[]);
        let mut r = route("https-0-api", "api.example.com", &["api"], Some(3000));
        r.network = Some("app-network-typo".into());
        let t = host(vec![proxy_on(&["stack"]), api], vec![r]);
        let found = check(&t);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(found[0].title.contains("app-network-typo"));
    }

    #[test]
    fn the_label_selecting_a_network_the_proxy_is_on_is_fine() {
        let api = on(on(container("api"), "stack", &[]), "app_network", &[]);
        let mut r = route("https-0-api", "api.example.com", &["api"], Some(3000));
        r.network = Some("stack".into());
        let t = host(vec![proxy_on(&["stack"]), api], vec![r]);
        assert!(check(&t).is_empty());
    }

    #[test]
    fn the_recorded_destination_has_no_half_joined_networks() {
        // The compose web service shares no network at all: that is proxy_shared_network's.
        assert!(check(&recorded()).is_empty());
    }

    #[test]
    fn caddy_only_dials_its_ingress_networks_so_several_networks_are_fine() {
        let api = on(on(container("api"), "stack", &[]), "app_network", &[]);
        let mut t = host(
            vec![proxy_on(&["stack"]), api],
            vec![route(
                "api.example.com",
                "api.example.com",
                &["api"],
                Some(80),
            )],
        );
        if let Some(p) = t.proxy.as_mut() {
            p.kind = ProxyKind::Caddy;
        }
        assert!(check(&t).is_empty());
    }
}
