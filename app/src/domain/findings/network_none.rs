//! "Nothing can reach this container, and it can reach nothing": it runs with network mode none.

use super::{join, Finding, FindingCode, Severity, Subject};
use crate::domain::problem::FixStep;
use crate::domain::reachability::cause::{default_network, none_fix, NONE_WHY};
use crate::domain::topology::{Attachment, Container, NetworkMode, Topology};

pub fn check(t: &Topology) -> Vec<Finding> {
    let net = default_network(t);
    t.containers
        .iter()
        .filter(|c| c.network_mode == NetworkMode::Null)
        .map(|c| {
            let joined: Vec<&Attachment> =
                c.attachments.iter().filter(|a| a.network != "none").collect();
            if !joined.is_empty() {
                return connected_afterwards(c, &joined);
            }
            let mut subjects = vec![Subject::Container(c.name.to_string())];
            subjects.extend(
                c.network_names()
                    .filter(|n| *n == "none")
                    .map(|n| Subject::Network((*n).to_owned())),
            );
            // The reachability model's words for a `none` end, so the connection builder and
            // the reach check give the same fix for this container.
            let mut fix = vec![FixStep::say(
                "If it needs no network (a batch job, a sandbox), this is as intended.",
            )];
            fix.extend(none_fix(c, net));
            Finding {
                code: FindingCode::NetworkNone,
                severity: Severity::Info,
                title: format!(
                    "{} has no network (network mode none): nothing can reach it and it can reach nothing.",
                    c.name
                ),
                why: NONE_WHY.to_owned(),
                fix,
                subjects,
            }
        })
        .collect()
}

/// Mode `none`, yet the Engine lists other networks: on Engine 20.10 `docker network connect`
/// refuses a `none` container, but after `docker network disconnect none <it>` the connect
/// succeeds and the mode still reads `none` (recorded in `fixtures/none-reconnected-api-1.41.json`).
fn connected_afterwards(c: &Container, joined: &[&Attachment]) -> Finding {
    let listed: Vec<String> = joined
        .iter()
        .map(|a| match (&a.ipv4, &a.ipv6) {
            (Some(ip), _) | (None, Some(ip)) => format!("{} ({ip})", a.network),
            (None, None) => format!("{} (no address while it is not running)", a.network),
        })
        .collect();
    let nets: Vec<&str> = joined.iter().map(|a| a.network.as_str()).collect();
    let mut subjects = vec![Subject::Container(c.name.to_string())];
    subjects.extend(nets.iter().map(|n| Subject::Network((*n).to_owned())));
    Finding {
        code: FindingCode::NetworkNone,
        severity: Severity::Warning,
        title: format!(
            "{} is set to network mode none, but the engine lists it on {}: containers there can reach it.",
            c.name,
            join(&listed)
        ),
        why: format!(
            "Docker refuses to connect a `--network none` container to a network (\"container cannot be connected to multiple networks with one of the networks in private (none) mode\"), but once it was disconnected from `none` the connect succeeds and `HostConfig.NetworkMode` still says none. The engine now gives {} an interface on {}, so anything reading only its network mode (compose files, `docker inspect -f '{{{{.HostConfig.NetworkMode}}}}'`) calls it isolated when it is not.",
            c.name,
            join(&nets)
        ),
        fix: vec![
            FixStep::run(
                "If it should be isolated, take it off again:",
                &nets
                    .iter()
                    .map(|n| format!("docker network disconnect {n} {}", c.name))
                    .collect::<Vec<_>>()
                    .join(" && "),
            ),
            FixStep::say(&format!(
                "If it should be on {}, recreate it there so its configuration says so: `docker run --network {} …`, or in compose replace `network_mode: none` with `networks: [{}]`.",
                join(&nets),
                nets[0],
                nets.join(", ")
            )),
        ],
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, host, on, recorded, recorded_from, text};
    use super::*;

    /// Recorded on Engine 20.10: `ndfx-none` ran with `--network none`, was disconnected from
    /// `none` and connected to `ndfx-out`; `ndfx-peer` on `ndfx-out` pinged it.
    const RECONNECTED: &str = include_str!("../fixtures/none-reconnected-api-1.41.json");

    #[test]
    fn a_none_container_connected_afterwards_is_reported_with_what_the_engine_lists() {
        let t = recorded_from(RECONNECTED);
        let none = t.container("ndfx-none").expect("recorded");
        assert_eq!(none.network_mode, NetworkMode::Null);
        let found = check(&t);
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.title,
            "ndfx-none is set to network mode none, but the engine lists it on ndfx-out (172.19.0.2): containers there can reach it."
        );
        assert!(!text(f).contains("nothing can reach it"));
        assert_eq!(
            f.fix[0].command.as_deref(),
            Some("docker network disconnect ndfx-out ndfx-none")
        );
        assert!(f.subjects.contains(&Subject::Network("ndfx-out".into())));
    }

    #[test]
    fn a_stopped_none_container_on_a_network_says_it_has_no_address_yet() {
        let mut c = on(container("job"), "backend", &[]);
        c.network_mode = NetworkMode::Null;
        c.attachments[0].ipv4 = None;
        let found = check(&host(vec![c], Vec::new()));
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .title
            .contains("backend (no address while it is not running)"));
    }

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
