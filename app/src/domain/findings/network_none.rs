//! "Nothing can reach this container, and it can reach nothing": it runs with network mode none.

use super::{destination_networks, primary_destination, Finding, FindingCode, Severity, Subject};
use crate::domain::problem::FixStep;
use crate::domain::topology::{NetworkMode, Topology};

pub fn check(t: &Topology) -> Vec<Finding> {
    let destinations = destination_networks(t);
    let target = primary_destination(&destinations).unwrap_or("my-network");
    t.containers
        .iter()
        .filter(|c| c.network_mode == NetworkMode::Null)
        .map(|c| {
            let mut subjects = vec![Subject::Container(c.name.to_string())];
            subjects.extend(
                c.network_names()
                    .filter(|n| *n == "none")
                    .map(|n| Subject::Network(n.to_owned())),
            );
            Finding {
                code: FindingCode::NetworkNone,
                severity: Severity::Info,
                title: format!(
                    "{} has no network (network mode none): nothing can reach it and it can reach nothing.",
                    c.name
                ),
                why: "With `--network none` (compose `network_mode: none`) Docker gives the container only a loopback interface, and it cannot be connected to another network while in that mode.".to_owned(),
                fix: vec![
                    FixStep::say("If it needs no network (a batch job, a sandbox), this is as intended."),
                    FixStep::say(&format!(
                        "Otherwise recreate it on a network: `docker run --network {target} …`, or in compose replace `network_mode: none` with `networks: [{target}]`."
                    )),
                ],
                subjects,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, host, on, recorded, text};
    use super::*;

    #[test]
    fn a_container_on_network_none_is_reported_as_unreachable() {
        let found = check(&recorded());
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(
            (f.code, f.severity),
            (FindingCode::NetworkNone, Severity::Info)
        );
        assert!(f.title.starts_with("isolated has no network"));
        assert!(text(f).contains("--network coolify"));
        assert!(f.subjects.contains(&Subject::Network("none".into())));
    }

    #[test]
    fn containers_with_a_network_are_not_reported() {
        let t = host(vec![on(container("web"), "coolify", &[])], Vec::new());
        assert!(check(&t).is_empty());
    }
}
