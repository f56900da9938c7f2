//! "Reach it at": the address other containers on a shared network should use for a container
//! — its name and internal port, as the Coolify docs teach — and a warning when that name
//! changes on every deploy.

use crate::domain::coolify::{name_stability, NameStability};
use crate::domain::ports::Protocol;
use crate::domain::topology::Container;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachLine {
    pub network: String,
    pub host: String,
    pub port: u16,
    /// `http://host:port`.
    pub url: String,
    /// False when the host is a per-deploy name: the address breaks on the next deploy.
    pub stable: bool,
}

/// One line per network that resolves names and per exposed TCP port. The host is the
/// container's own name when it is stable (always unique on the network), else a network alias
/// (stable across deploys), else the per-deploy name, marked unstable.
pub fn reach_lines(c: &Container) -> Vec<ReachLine> {
    let name = c.name.as_str();
    let name_is_stable = name_stability(name) == NameStability::Stable;
    let mut lines = Vec::new();
    for a in c.attachments.iter().filter(|a| !a.dns_names.is_empty()) {
        let alias = a
            .dns_names
            .iter()
            .find(|n| n.as_str() != name && n.as_str() != c.short_id());
        let (host, stable) = match (name_is_stable, alias) {
            (true, _) => (name.to_owned(), true),
            (false, Some(alias)) => (alias.clone(), true),
            (false, None) => (name.to_owned(), false),
        };
        for p in c.exposed.iter().filter(|p| p.protocol == Protocol::Tcp) {
            lines.push(ReachLine {
                network: a.network.clone(),
                url: format!("http://{host}:{}", p.port),
                host: host.clone(),
                port: p.port,
                stable,
            });
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::findings::test_support::recorded;

    #[test]
    fn a_stable_name_and_the_internal_port_make_the_address() {
        let t = recorded();
        let db = t.container("ro8kcog4kso4ck0ows4k4wkw").expect("db");
        let lines = reach_lines(db);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].url, "http://ro8kcog4kso4ck0ows4k4wkw:5432");
        assert!(lines[0].stable);
    }

    #[test]
    fn a_per_deploy_name_without_an_alias_is_marked_unstable() {
        let t = recorded();
        let app = t
            .container("jk8c0wc4ok80s0gkcgwgo4s8-142311873944")
            .expect("app");
        let lines = reach_lines(app);
        assert_eq!(
            lines[0].url,
            "http://jk8c0wc4ok80s0gkcgwgo4s8-142311873944:3001"
        );
        assert!(!lines[0].stable);
    }

    #[test]
    fn a_per_deploy_name_with_an_alias_uses_the_alias() {
        let t = recorded();
        let web = t
            .container("web-b4k8w0gcc8sk4oowc84wg0o8-095730391184")
            .expect("web");
        let lines = reach_lines(web);
        assert!(
            lines
                .iter()
                .all(|l| l.host == "web" && l.stable && l.port == 3000),
            "{lines:?}"
        );
    }

    #[test]
    fn containers_on_networks_without_dns_have_no_address() {
        let t = recorded();
        assert!(reach_lines(t.container("coolify-sentinel").expect("sentinel")).is_empty());
        assert!(reach_lines(t.container("isolated").expect("isolated")).is_empty());
    }
}
