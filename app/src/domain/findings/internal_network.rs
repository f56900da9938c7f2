//! "It can't download anything / no outside access": the container is only on internal networks.

use super::{
    destination_networks, is_internal, join, primary_destination, Finding, FindingCode, Severity,
    Subject,
};
use crate::domain::problem::FixStep;
use crate::domain::topology::Topology;

/// Info: an internal-only database is often exactly what was meant.
pub fn check(t: &Topology) -> Vec<Finding> {
    let destinations = destination_networks(t);
    let outside = primary_destination(&destinations).unwrap_or("bridge");
    t.containers
        .iter()
        .filter(|c| {
            !c.attachments.is_empty() && c.network_names().all(|n| is_internal(t, n))
        })
        .map(|c| {
            let nets: Vec<&str> = c.network_names().collect();
            let mut subjects = vec![Subject::Container(c.name.to_string())];
            subjects.extend(nets.iter().map(|n| Subject::Network((*n).to_owned())));
            let published = if c.published.is_empty() {
                ""
            } else {
                " Its published ports do not work either."
            };
            Finding {
                code: FindingCode::InternalNetwork,
                severity: Severity::Info,
                title: format!(
                    "{} is only on internal network{} {}: it cannot reach the internet or the host, and nothing outside can reach it.",
                    c.name,
                    if nets.len() == 1 { "" } else { "s" },
                    join(&nets)
                ),
                why: format!(
                    "Docker creates an `--internal` network without a route out: its containers talk only to each other. Downloads, webhooks, external APIs and DNS names outside Docker fail from {}.{published}",
                    c.name
                ),
                fix: vec![
                    FixStep::say("If it should be sealed off (a database behind an app), this is as intended."),
                    FixStep::run(
                        "Otherwise give it a way out by attaching it to a non-internal network too:",
                        &format!("docker network connect {outside} {}", c.name),
                    ),
                ],
                subjects,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, host, on, recorded};
    use super::*;

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
