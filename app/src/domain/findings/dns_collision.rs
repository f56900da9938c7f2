//! "My app sometimes talks to the wrong database": one DNS name answers for several containers.

use super::{join, Finding, FindingCode, Severity, Subject};
use crate::domain::coolify::{name_stability, NameStability};
use crate::domain::problem::FixStep;
use crate::domain::stacks::is_core;
use crate::domain::topology::{Container, NetworkKind, Topology};
use std::collections::BTreeSet;

/// A name can only collide if two containers hold it. Container names and short IDs are
/// unique on a host, so a clash on one of them always means another container took it as an
/// alias (a compose service called `coolify` shadowing Coolify, coolify#7884), and is reported.
pub fn check(t: &Topology) -> Vec<Finding> {
    // Every network names can resolve on, listed or only seen in attachments.
    let networks: BTreeSet<&str> = t
        .networks
        .iter()
        .filter(|n| n.kind.resolves_names())
        .map(|n| n.name.as_str())
        .chain(
            t.containers
                .iter()
                .flat_map(|c| c.network_names())
                .filter(|n| t.network(n).is_none() && NetworkKind::of(n, "").resolves_names()),
        )
        .collect();
    let mut out = Vec::new();
    for net in networks {
        for (name, holders) in t.names_on(net) {
            let holders: BTreeSet<&str> = holders.iter().map(|n| n.as_str()).collect();
            if holders.len() < 2 {
                continue;
            }
            let holders: Vec<&Container> = holders.iter().filter_map(|h| t.container(h)).collect();
            if holders.len() >= 2 {
                out.push(finding(t, net, name, &holders));
            }
        }
    }
    out
}

fn core_role(c: &Container) -> Option<&'static str> {
    match c.name.as_str() {
        "coolify-db" => Some("Coolify's own database"),
        "coolify-redis" => Some("Coolify's own Redis"),
        "coolify-realtime" => Some("Coolify's realtime server"),
        "coolify" => Some("Coolify itself"),
        _ if is_core(c) => Some("a Coolify core container"),
        _ => None,
    }
}

/// A name only `c` answers to: its container name when stable, else `{name}.{network}` on
/// another network where `name` is its alone.
fn unambiguous_name(t: &Topology, c: &Container, name: &str, net: &str) -> Option<String> {
    if name_stability(c.name.as_str()) == NameStability::Stable && c.name.as_str() != name {
        return Some(c.name.to_string());
    }
    c.attachments
        .iter()
        .filter(|a| a.network != net && a.dns_names.iter().any(|n| n == name))
        .find(|a| {
            t.names_on(&a.network)
                .get(name)
                .is_some_and(|h| h.len() == 1)
        })
        .map(|a| format!("{name}.{}", a.network))
}

fn finding(t: &Topology, net: &str, name: &str, holders: &[&Container]) -> Finding {
    let names: Vec<&str> = holders.iter().map(|c| c.name.as_str()).collect();
    let core: Vec<(&Container, &str)> = holders
        .iter()
        .filter_map(|c| core_role(c).map(|r| (*c, r)))
        .collect();
    let others: Vec<&Container> = holders
        .iter()
        .filter(|c| core_role(c).is_none())
        .copied()
        .collect();

    let title = match core.first() {
        Some((c, role)) => format!(
            "`{name}` on {net} answers for {} and for {}, so a client asking for `{name}` may reach {role} instead of its own service.",
            c.name,
            join(others.iter().map(|o| o.name.as_str()))
        ),
        None => format!(
            "`{name}` on {net} answers for {}, so a client asking for `{name}` reaches any one of them.",
            join(&names)
        ),
    };
    let mut why = format!(
        "Docker's embedded DNS returns every container holding a name on a network, in no fixed order (compose#2984), so connections go to one of them at random. Compose registers each service name as an alias on every network the service joins; that is how a stack's `{name}` lands on {net} when \"Connect To Predefined Network\" is on."
    );
    if !core.is_empty() {
        why.push_str(&format!(
            " Coolify's own containers answer to these short names too (coolify-db is compose service `postgres`, coolify-redis `redis`, coolify-realtime `soketi`) and Coolify connects to them by those names, so both sides can land on the wrong container: failed logins every few seconds in {}'s log are the usual sign (coolify#11142).",
            join(core.iter().map(|(c, _)| c.name.as_str()))
        ));
    }

    let mut fix = Vec::new();
    let instead: Vec<String> = others
        .iter()
        .filter_map(|c| unambiguous_name(t, c, name, net).map(|n| format!("`{n}` for {}", c.name)))
        .collect();
    if !instead.is_empty() {
        fix.push(FixStep::say(&format!(
            "Connect by a name only one container holds: {}.",
            join(&instead)
        )));
    }
    let renamable: Vec<&str> = others
        .iter()
        .filter(|c| {
            c.compose
                .as_ref()
                .and_then(|p| p.service.as_deref())
                .is_some_and(|s| s == name)
        })
        .map(|c| c.name.as_str())
        .collect();
    if !renamable.is_empty() {
        fix.push(FixStep::say(&format!(
            "Rename the compose service `{name}` of {} (e.g. to `{name}-app`) and redeploy, so its alias no longer matches; or, if the stack needs nothing on {net}, turn off \"Connect To Predefined Network\" for it.",
            join(&renamable)
        )));
    }
    for c in &others {
        let Some(a) = c.attachment(net) else {
            continue;
        };
        if !a.aliases.iter().any(|x| x == name) {
            continue;
        }
        // Reconnect with every other alias it had, so only the colliding one goes.
        let keep: BTreeSet<&str> = a
            .aliases
            .iter()
            .map(String::as_str)
            .filter(|x| *x != name && *x != c.name.as_str() && *x != c.short_id())
            .collect();
        let aliases: String = keep.iter().map(|x| format!(" --alias {x}")).collect();
        fix.push(FixStep::run(
            &format!(
                "To stop the collision now (until the next deploy), reconnect {} to {net} without `{name}`:",
                c.name
            ),
            &format!(
                "docker network disconnect {net} {c} && docker network connect{aliases} {net} {c}",
                c = c.name
            ),
        ));
    }
    if fix.is_empty() {
        fix.push(FixStep::say(&format!(
            "Remove the alias `{name}` from all but one of {} (compose `networks: {{ {net}: {{ aliases: [...] }} }}` or `--network-alias`), then recreate them.",
            join(&names)
        )));
    }

    let mut subjects: Vec<Subject> = names
        .iter()
        .map(|n| Subject::Container((*n).to_owned()))
        .collect();
    subjects.push(Subject::Network(net.to_owned()));
    Finding {
        code: FindingCode::DnsNameCollision,
        severity: Severity::Warning,
        title,
        why,
        fix,
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        container, coolify, host, on, recorded, text, COMPOSE_DB, COMPOSE_UUID,
    };
    use super::*;

    #[test]
    fn a_stack_postgres_on_coolify_collides_with_coolifys_own_database() {
        let found = check(&recorded());
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.severity, Severity::Warning);
        assert!(f
            .title
            .starts_with("`postgres` on coolify answers for coolify-db"));
        assert!(f.title.contains(COMPOSE_DB) && f.title.contains("Coolify's own database"));
        let all = text(f);
        assert!(
            all.contains(&format!("`postgres.{COMPOSE_UUID}` for {COMPOSE_DB}")),
            "{all}"
        );
        assert!(f.fix.iter().any(|s| s.command.as_deref()
            == Some(
                format!(
                    "docker network disconnect coolify {COMPOSE_DB} && docker network connect coolify {COMPOSE_DB}"
                )
                .as_str()
            )));
        assert!(
            f.fix
                .iter()
                .filter_map(|s| s.command.as_deref())
                .all(|c| !c.contains("coolify-db")),
            "Coolify's own containers are never touched"
        );
        assert!(f.subjects.contains(&Subject::Network("coolify".into())));
    }

    #[test]
    fn two_stacks_sharing_a_service_name_collide_without_core_wording() {
        let a = coolify(
            on(container("redis-aaa"), "coolify", &["redis"]),
            "service",
            "aaa",
            "redis",
        );
        let b = coolify(
            on(container("redis-bbb"), "coolify", &["redis"]),
            "service",
            "bbb",
            "redis",
        );
        let found = check(&host(vec![a, b], Vec::new()));
        assert_eq!(found.len(), 1);
        assert!(found[0].title.contains("any one of them"));
        assert!(text(&found[0]).contains("`redis-aaa` for redis-aaa"));
    }

    #[test]
    fn the_same_alias_on_different_networks_is_not_a_collision() {
        let a = on(container("db-a"), "stack-a", &["postgres"]);
        let b = on(container("db-b"), "stack-b", &["postgres"]);
        assert!(check(&host(vec![a, b], Vec::new())).is_empty());
    }

    #[test]
    fn own_names_and_short_ids_never_collide() {
        let a = on(container("web"), "coolify", &["web"]);
        let b = on(container("api"), "coolify", &[]);
        assert!(check(&host(vec![a, b], Vec::new())).is_empty());
    }

    #[test]
    fn an_alias_shadowing_the_coolify_container_is_reported() {
        let core = on(container("coolify"), "coolify", &[]);
        let app = on(container("my-coolify-clone"), "coolify", &["coolify"]);
        let found = check(&host(vec![core, app], Vec::new()));
        assert_eq!(found.len(), 1);
        assert!(found[0].title.contains("Coolify itself"));
    }

    #[test]
    fn names_on_the_default_bridge_are_not_names() {
        let mut a = container("a");
        let mut b = container("b");
        for c in [&mut a, &mut b] {
            *c = on(c.clone(), "bridge", &["x"]);
        }
        assert!(check(&host(vec![a, b], Vec::new())).is_empty());
    }
}
