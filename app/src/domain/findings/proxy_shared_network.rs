//! "504 Gateway Timeout" on a domain: the proxy shares no network with the container it routes to.

use super::{
    has_own_networks, hosts_of, join, network_label, proxy_kind, route_subjects, routed, Finding,
    FindingCode, Severity, Subject,
};
use crate::domain::problem::FixStep;
use crate::domain::proxy::{ProxyKind, Route};
use crate::domain::topology::{Container, Topology};

pub fn check(t: &Topology) -> Vec<Finding> {
    let Some(proxy) = t.proxy_container() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, routes) in routed(t) {
        let Some(c) = t.container(name) else {
            continue;
        };
        if !has_own_networks(c) || t.shared_networks(proxy, c).next().is_some() {
            continue;
        }
        out.push(finding(t, proxy, c, &routes));
    }
    out
}

/// The network to connect the proxy to: the one the route selects, else the container's own
/// stack network (`{uuid}`, which Coolify would have connected), else its first network.
fn network_to_join<'a>(c: &'a Container, routes: &[&'a Route]) -> Option<&'a str> {
    let selected = routes
        .iter()
        .filter_map(|r| r.network.as_deref())
        .find(|n| c.attachment(n).is_some());
    let stack = c
        .compose
        .as_ref()
        .map(|p| p.project.as_str())
        .filter(|p| c.attachment(p).is_some());
    selected.or(stack).or_else(|| {
        c.network_names()
            .find(|n| *n != "none" && *n != "host" && *n != "bridge")
            .or_else(|| c.network_names().find(|n| *n == "bridge"))
    })
}

fn finding(t: &Topology, proxy: &Container, c: &Container, routes: &[&Route]) -> Finding {
    let hosts = hosts_of(routes);
    let nets: Vec<&str> = c.network_names().filter(|n| t.is_routable(n)).collect();
    let proxy_nets: Vec<&str> = proxy.network_names().collect();
    let where_c = if nets.is_empty() {
        format!("{} is on no network the proxy could join", c.name)
    } else {
        format!("{} is on {}", c.name, join(&nets))
    };
    let where_proxy = if proxy_nets.is_empty() {
        format!("{} is on no network", proxy.name)
    } else {
        format!("{} is on {}", proxy.name, join(&proxy_nets))
    };
    let mut fix = Vec::new();
    let mut subjects = vec![
        Subject::Container(c.name.to_string()),
        Subject::Container(proxy.name.to_string()),
    ];
    match network_to_join(c, routes) {
        Some(net) => {
            fix.push(FixStep::run(
                &format!("Connect {} to {net}:", proxy.name),
                &format!("docker network connect {net} {}", proxy.name),
            ));
            subjects.push(Subject::Network(net.to_owned()));
            let selects_one = routes.iter().any(|r| r.network.is_some());
            if nets.len() > 1 && !selects_one && proxy_kind(t) != ProxyKind::Caddy {
                fix.push(FixStep::say(&format!(
                    "{} is on several networks: also add the label `{}={net}` to it (in the compose file's `labels:` for Coolify stacks) and redeploy, so the proxy always dials its address on {net}.",
                    c.name,
                    network_label(proxy_kind(t)),
                )));
            }
            fix.push(FixStep::say(&format!(
                "The connection is lost when {} is recreated. Redeploying the resource in Coolify makes Coolify connect the proxy to the resource's network again.",
                proxy.name
            )));
        }
        None => fix.push(FixStep::say(&format!(
            "Put {} on a user-defined network the proxy is on (e.g. recreate it with `--network {}`), then redeploy.",
            c.name,
            proxy_nets.first().copied().unwrap_or("coolify"),
        ))),
    }
    subjects.extend(route_subjects(routes));
    Finding {
        code: FindingCode::ProxyNoSharedNetwork,
        severity: Severity::Blocking,
        title: format!(
            "{} shares no network with {}, so {hosts} cannot be served.",
            proxy.name, c.name
        ),
        why: format!(
            "The proxy reaches a container only over a network both are attached to: {where_c}, {where_proxy}. The proxy dials an address it has no route to and the request times out (504 Gateway Timeout), or, once it drops the server, ends in Coolify's catch-all \"no available server\" (503)."
        ),
        fix,
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        container, host, on, recorded, route, text, APP, COMPOSE_UUID, COMPOSE_WEB, N8N,
    };
    use super::*;

    #[test]
    fn a_compose_app_whose_network_the_proxy_never_joined_gets_a_blocking_finding() {
        let found = check(&recorded());
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.severity, Severity::Blocking);
        assert!(f.title.contains(COMPOSE_WEB) && f.title.contains("shop.example.com"));
        assert_eq!(
            f.fix[0].command.as_deref(),
            Some(format!("docker network connect {COMPOSE_UUID} coolify-proxy").as_str())
        );
        assert!(
            text(f).contains(&format!("traefik.docker.network={COMPOSE_UUID}")),
            "on two networks without the label, the fix says which one to select"
        );
        assert!(f.subjects.contains(&Subject::Container(COMPOSE_WEB.into())));
    }

    #[test]
    fn apps_and_stacks_the_proxy_can_reach_are_not_reported() {
        let found = check(&recorded());
        assert!(found
            .iter()
            .all(|f| !f.title.contains(APP) && !f.title.contains(N8N)));
    }

    #[test]
    fn without_a_proxy_there_is_nothing_to_check() {
        let web = on(container("web"), "shop", &[]);
        let t = host(
            vec![web],
            vec![route("r", "shop.example.com", &["web"], None)],
        );
        assert!(check(&t).is_empty());
    }

    #[test]
    fn a_route_naming_a_container_that_is_gone_is_skipped() {
        let proxy = on(container("coolify-proxy"), "coolify", &[]);
        let t = host(
            vec![proxy],
            vec![route("r", "gone.example.com", &["gone"], Some(80))],
        );
        assert!(check(&t).is_empty());
    }

    #[test]
    fn a_routed_container_on_no_network_is_told_to_join_one() {
        let proxy = on(container("coolify-proxy"), "coolify", &[]);
        let mut lonely = container("lonely");
        lonely.network_mode = crate::domain::topology::NetworkMode::Null;
        let t = host(
            vec![proxy, lonely],
            vec![route("r", "lonely.example.com", &["lonely"], Some(80))],
        );
        let found = check(&t);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix[0].command.is_none());
        assert!(text(&found[0]).contains("--network coolify"));
    }
}
