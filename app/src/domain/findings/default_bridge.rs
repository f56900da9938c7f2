//! "My container can't reach the others by name": it sits on Docker's default bridge.

use super::{Finding, FindingCode, Severity, Subject};
use crate::domain::coolify::CoolifyKind;
use crate::domain::problem::FixStep;
use crate::domain::reachability::cause::default_bridge_why;
use crate::domain::stacks::primary_destination;
use crate::domain::topology::{NetworkKind, NetworkMode, Topology};

/// Coolify's agents (`coolify-sentinel`, `coolify-log-drain`) are skipped: Coolify starts them on
/// the default bridge on purpose (`docker run` without `--network`), they talk only to the
/// host, and Coolify recreates them the same way, so a finding would be noise nobody can act on.
pub fn check(t: &Topology) -> Vec<Finding> {
    let destinations = t.destination_networks();
    let target = primary_destination(&destinations).unwrap_or("my-network");
    t.containers
        .iter()
        .filter(|c| c.network_mode == NetworkMode::DefaultBridge)
        .filter(|c| !c.coolify.as_ref().is_some_and(|i| i.kind == CoolifyKind::Agent))
        .filter_map(|c| {
            let bridge = c.attachments.iter().find(|a| {
                t.network_kind(&a.network)
                    == NetworkKind::DefaultBridge
            })?;
            let mut fix = Vec::new();
            if destinations.is_empty() {
                fix.push(FixStep::run(
                    "Create a user-defined network for the containers that talk to each other:",
                    "docker network create my-network",
                ));
            }
            fix.push(FixStep::run(
                &format!(
                    "Attach {} to {target}; containers there can then reach it as `{}`:",
                    c.name, c.name
                ),
                &format!("docker network connect {target} {}", c.name),
            ));
            fix.push(FixStep::say(&format!(
                "To make it last, recreate it with `--network {target}` (compose: a `networks:` entry), or deploy it as a Coolify resource."
            )));
            Some(Finding {
                code: FindingCode::DefaultBridge,
                severity: Severity::Info,
                title: format!(
                    "{} is on Docker's default bridge, where containers cannot reach each other by name.",
                    c.name
                ),
                why: format!(
                    "{} No container can resolve `{}`.",
                    default_bridge_why(&bridge.network),
                    c.name
                ),
                fix,
                subjects: vec![
                    Subject::Container(c.name.to_string()),
                    Subject::Network(bridge.network.clone()),
                ],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, get_mut, host, on, recorded, text};
    use super::*;

    #[test]
    fn a_container_started_without_a_network_is_told_it_has_no_name_resolution() {
        let mut t = recorded();
        get_mut(&mut t, "coolify-sentinel").coolify = None;
        let found = check(&t);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.severity, Severity::Info);
        assert!(f.title.contains("coolify-sentinel"));
        assert_eq!(
            f.fix[0].command.as_deref(),
            Some("docker network connect coolify coolify-sentinel")
        );
        assert!(f.subjects.contains(&Subject::Network("bridge".into())));
    }

    #[test]
    fn coolifys_sentinel_is_expected_on_the_default_bridge() {
        assert!(check(&recorded()).is_empty());
    }

    #[test]
    fn without_coolify_the_fix_creates_a_network_first() {
        let t = host(vec![on(container("legacy"), "bridge", &[])], Vec::new());
        let found = check(&t);
        assert_eq!(found.len(), 1);
        assert!(text(&found[0]).contains("docker network create my-network"));
    }

    #[test]
    fn containers_on_user_defined_networks_are_fine() {
        let t = host(vec![on(container("web"), "coolify", &[])], Vec::new());
        assert!(check(&t).is_empty());
    }
}
