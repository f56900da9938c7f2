//! What only several servers together show: a proxy route on one server that dials a name
//! which runs on another (Docker names never cross servers), and a search for a container or a
//! domain over every server. Pure: it reads the servers' topologies, never an engine.

use crate::domain::findings::{join, Finding, FindingCode, Severity, Subject};
use crate::domain::loaded_routes::{resolve_upstream, Upstream};
use crate::domain::problem::FixStep;
use crate::domain::reachability::cause::{other_server_fix, OTHER_SERVER_WHY};
use crate::domain::reachability::{Address, Model};
use crate::domain::topology::Topology;
use serde::{Deserialize, Serialize};

/// A finding and the server whose configuration it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerFinding {
    pub server: String,
    pub finding: Finding,
}

/// Every route on each server that dials a name no container there holds, when a container on
/// another server answers to that name.
pub fn findings(servers: &[(&str, &Topology)]) -> Vec<ServerFinding> {
    let models: Vec<Model> = servers.iter().map(|(_, t)| Model::new(t)).collect();
    let mut out = Vec::new();
    for (here, (server, t)) in servers.iter().enumerate() {
        let proxy = t.proxy_container();
        for route in &t.routes {
            for upstream in &route.upstreams {
                let Upstream::UnresolvedName(name) = resolve_upstream(t, proxy, upstream) else {
                    continue;
                };
                let Ok(address) = Address::parse(&name) else {
                    continue;
                };
                let found = servers.iter().zip(&models).enumerate().find_map(
                    |(i, ((other, ot), model))| {
                        (i != here)
                            .then(|| model.find_target(&address))
                            .flatten()
                            .map(|c| (*other, *ot, c))
                    },
                );
                let Some((other, ot, target)) = found else {
                    continue;
                };
                let hosts = if route.hosts.is_empty() {
                    format!("route `{}`", route.id)
                } else {
                    join(&route.hosts)
                };
                let port = upstream_port(upstream).or(route.target_port);
                let mut fix = other_server_fix(ot, server, target, port);
                fix.push(FixStep::say(&format!(
                    "Then change the route's upstream `{upstream}` on {server} (Coolify: Servers → {server} → Proxy → Dynamic Configurations) to that address."
                )));
                out.push(ServerFinding {
                    server: (*server).to_owned(),
                    finding: Finding {
                        code: FindingCode::NameOnAnotherServer,
                        severity: Severity::Blocking,
                        title: format!(
                            "Route `{}` on {server} sends {hosts} to `{name}`, which runs on server {other}",
                            route.id
                        ),
                        why: OTHER_SERVER_WHY.to_owned(),
                        fix,
                        subjects: vec![Subject::Route(route.id.clone())],
                    },
                });
            }
        }
    }
    out
}

/// The port of an upstream (`http://app:3000/x` → 3000), when it names one.
fn upstream_port(upstream: &str) -> Option<u16> {
    let rest = upstream.split_once("://").map_or(upstream, |(_, r)| r);
    let authority = rest.split('/').next()?;
    let (_, port) = authority.rsplit_once(':')?;
    port.parse().ok()
}

/// One thing the search found, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub server: String,
    pub kind: HitKind,
    /// The container's name, or the domain.
    pub name: String,
    /// The container a domain routes to, or the container's state.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HitKind {
    Container,
    Domain,
}

/// Containers whose name, alias, compose service or image contains `query`, and domains that
/// contain it, on every server; at most `limit` (servers in order, then containers, then
/// domains). Case does not matter; an empty query finds nothing.
pub fn search(servers: &[(&str, &Topology)], query: &str, limit: usize) -> Vec<Hit> {
    let q = query.trim().to_ascii_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let has = |s: &str| s.to_ascii_lowercase().contains(&q);
    let mut hits = Vec::new();
    for (server, t) in servers {
        for c in &t.containers {
            let matched = has(c.name.as_str())
                || has(&c.image)
                || c.compose
                    .as_ref()
                    .and_then(|k| k.service.as_deref())
                    .is_some_and(has)
                || c.attachments
                    .iter()
                    .any(|a| a.aliases.iter().any(|alias| has(alias)));
            if matched {
                hits.push(Hit {
                    server: (*server).to_owned(),
                    kind: HitKind::Container,
                    name: c.name.to_string(),
                    detail: c.state.as_str().to_owned(),
                });
            }
        }
        let mut domains: Vec<(&str, String)> = t
            .routes
            .iter()
            .flat_map(|r| {
                r.hosts
                    .iter()
                    .filter(|h| has(h))
                    .map(move |h| (h.as_str(), r.containers.join(", ")))
            })
            .collect();
        domains.sort();
        domains.dedup();
        hits.extend(domains.into_iter().map(|(d, to)| Hit {
            server: (*server).to_owned(),
            kind: HitKind::Domain,
            name: d.to_owned(),
            detail: to,
        }));
    }
    hits.truncate(limit);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::{
        container, exposing, host, on, publishing, recorded, route, APP,
    };
    use crate::domain::proxy::RouteProvider;

    /// Server "edge": a proxy whose dynamic file sends api.example.com to `billing-api:4000`,
    /// a name nothing on edge holds. Server "db": `billing-api` publishes 4000 on all
    /// interfaces.
    fn two_servers() -> (Topology, Topology) {
        let mut edge = host(
            vec![],
            vec![route("file-api", "api.example.com", &[], Some(4000))],
        );
        edge.routes[0].provider = RouteProvider::File;
        edge.routes[0].upstreams = vec!["http://billing-api:4000".into()];
        let db = host(
            vec![publishing(
                exposing(on(container("billing-api"), "net", &[]), &[4000]),
                "0.0.0.0",
                4000,
                4000,
            )],
            vec![],
        );
        (edge, db)
    }

    #[test]
    fn a_route_dialling_a_name_that_runs_on_another_server_is_found_with_the_address_that_works() {
        let (edge, db) = two_servers();
        let found = findings(&[("edge", &edge), ("db", &db)]);
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.server, "edge");
        assert_eq!(f.finding.code, FindingCode::NameOnAnotherServer);
        assert!(
            f.finding
                .title
                .contains("`billing-api`, which runs on server db"),
            "{}",
            f.finding.title
        );
        assert_eq!(f.finding.why, OTHER_SERVER_WHY);
        let fix: Vec<&str> = f.finding.fix.iter().map(|s| s.text.as_str()).collect();
        assert!(fix[0].contains("on port 4000"), "{fix:#?}");
        assert!(fix
            .last()
            .is_some_and(|s| s.contains("http://billing-api:4000")));
    }

    #[test]
    fn a_name_that_runs_nowhere_else_or_resolves_at_home_is_not_a_cross_server_finding() {
        let (edge, _) = two_servers();
        let elsewhere = recorded();
        assert!(findings(&[("edge", &edge), ("other", &elsewhere)]).is_empty());
        let (_, db) = two_servers();
        let mut edge_with_it = host(
            vec![on(container("billing-api"), "net", &[])],
            vec![route("file-api", "api.example.com", &[], Some(4000))],
        );
        edge_with_it.routes[0].upstreams = vec!["http://billing-api:4000".into()];
        assert!(findings(&[("edge", &edge_with_it), ("db", &db)]).is_empty());
    }

    #[test]
    fn search_finds_containers_and_domains_on_every_server_by_any_of_their_names() {
        let (edge, db) = two_servers();
        let t = recorded();
        let servers = [("edge", &edge), ("db", &db), ("main", &t)];
        let hits = search(&servers, "BILLING", 10);
        assert_eq!(hits.len(), 1, "{hits:#?}");
        assert_eq!(
            (hits[0].server.as_str(), hits[0].kind),
            ("db", HitKind::Container)
        );
        let hits = search(&servers, "api.example", 10);
        assert_eq!(hits[0].kind, HitKind::Domain);
        assert_eq!(hits[0].server, "edge");
        let app = search(&servers, &APP[..8], 10);
        assert!(
            app.iter().any(|h| h.name == APP && h.server == "main"),
            "{app:#?}"
        );
        assert!(search(&servers, "  ", 10).is_empty());
        assert_eq!(search(&servers, "e", 2).len(), 2);
    }
}
