//! "It can't download anything / no outside access": the container is only on internal networks.

use super::{join, Finding, FindingCode, Severity, Subject};
use crate::domain::problem::FixStep;
use crate::domain::reachability::cause::{internal_fix, internal_why};
use crate::domain::topology::Topology;

/// Info: an internal-only database is often exactly what was meant.
pub fn check(t: &Topology) -> Vec<Finding> {
    t.containers
        .iter()
        .filter(|c| {
            !c.attachments.is_empty() && c.network_names().all(|n| t.is_internal(n))
        })
        .map(|c| {
            let nets: Vec<&str> = c.network_names().collect();
            let mut subjects = vec![Subject::Container(c.name.to_string())];
            subjects.extend(nets.iter().map(|n| Subject::Network((*n).to_owned())));
            let published = if c.published.is_empty() {
                ""
            } else {
                " Its own published ports do not work either."
            };
            // The reachability model's words, so a blocked pair and this finding agree.
            let mut fix = vec![FixStep::say(
                "If it should be sealed off (a database behind an app), this is as intended.",
            )];
            fix.extend(internal_fix(t, c));
            Finding {
                code: FindingCode::InternalNetwork,
                severity: Severity::Info,
                title: format!(
                    "{} is only on internal network{} {}: it reaches its peers there, but nothing outside the network (other networks, the LAN, the internet), and nothing outside can reach it.",
                    c.name,
                    if nets.len() == 1 { "" } else { "s" },
                    join(&nets)
                ),
                why: format!("{}{published}", internal_why(t, c)),
                fix,
                subjects,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, host, on, recorded, text};
    use super::*;

    fn sealed(engine: Option<&str>) -> Finding {
        let mut t = host(vec![on(container("db"), "private", &[])], Vec::new());
        t.engine_version = engine.map(str::to_owned);
        if let Some(n) = t.networks.iter_mut().find(|n| n.name == "private") {
            n.internal = true;
            n.subnets.push(crate::domain::topology::Subnet {
                subnet: "172.30.0.0/16".into(),
                gateway: "172.30.0.1".into(),
            });
        }
        let mut found = check(&t);
        assert_eq!(found.len(), 1, "{found:#?}");
        found.remove(0)
    }

    #[test]
    fn on_engine_20_10_peers_answer_the_outside_does_not_and_the_host_does() {
        let f = sealed(Some("20.10.24+dfsg1"));
        assert!(f
            .title
            .contains("it reaches its peers there, but nothing outside the network"));
        assert!(!text(&f).contains("cannot reach the internet or the host"));
        assert!(f.why.contains("On Engine 20.10.24+dfsg1 the container still has a default route via its gateway 172.30.0.1, and the host's own addresses answer it"), "{}", f.why);
    }

    #[test]
    fn on_engine_25_and_later_the_wording_says_there_is_no_route_and_the_host_depends_on_the_release(
    ) {
        let f = sealed(Some("28.1.1"));
        assert!(
            f.why
                .contains("On Engine 28.1.1 (25 and later) the container has no default route"),
            "{}",
            f.why
        );
        assert!(f.why.contains("depends on the release"));
        assert!(!f.why.contains("the host's own addresses answer it"));
    }

    #[test]
    fn with_no_engine_version_it_says_what_holds_on_20_10_and_that_others_may_differ() {
        let f = sealed(None);
        assert!(f
            .why
            .contains("On Engine 20.10 the container still has a default route"));
        assert!(f.why.contains("other engine versions may differ"));
    }

    #[test]
    fn a_container_only_on_an_internal_network_has_no_way_out() {
        let found = check(&recorded());
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert!(f
            .title
            .starts_with("internal-only is only on internal network backend-only"));
        assert_eq!(
            f.fix[1].command.as_deref(),
            Some("docker network connect coolify internal-only")
        );
    }

    #[test]
    fn a_container_also_on_a_normal_network_is_fine() {
        // The compose web service is on backend-only and on its stack network.
        let found = check(&recorded());
        assert!(found.iter().all(|f| !f.title.contains("web-")));
    }

    #[test]
    fn a_container_with_no_networks_is_not_internal() {
        let mut t = host(
            vec![container("stopped"), on(container("x"), "plain", &[])],
            Vec::new(),
        );
        if let Some(n) = t.networks.iter_mut().find(|n| n.name == "plain") {
            n.internal = false;
        }
        assert!(check(&t).is_empty());
    }
}
