//! "could not resolve host / EAI_AGAIN" from a compose stack: it is not on the destination network.

use super::{join, Finding, FindingCode, Severity, Subject};
use crate::domain::problem::FixStep;
use crate::domain::stacks::{primary_destination, Stack, StackKind};
use crate::domain::topology::{Container, Topology};
use std::collections::BTreeMap;

/// Info, not Warning: many stacks are self-contained and never need the destination network;
/// turning the setting on also brings the short-name collisions `dns_collision` reports.
pub fn check(t: &Topology) -> Vec<Finding> {
    let destinations = t.destination_networks();
    let Some(primary) = primary_destination(&destinations) else {
        return Vec::new();
    };
    let mut stacks: BTreeMap<&str, Vec<(&Container, Stack<'_>)>> = BTreeMap::new();
    for c in &t.containers {
        if let Some(s) = c.stack() {
            stacks.entry(s.uuid).or_default().push((c, s));
        }
    }
    let on_destination = |c: &Container| destinations.iter().any(|d| c.attachment(d).is_some());
    let mut out = Vec::new();
    for (uuid, mut members) in stacks {
        members.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        let (connected, isolated): (Vec<(&Container, Stack<'_>)>, Vec<_>) =
            members.iter().partition(|(c, _)| on_destination(c));
        // The stack's kind and name, read from any of its containers.
        let Some((_, stack)) = isolated.first().copied() else {
            continue;
        };
        out.push(finding(uuid, stack, primary, &connected, &isolated));
    }
    out
}

fn finding(
    uuid: &str,
    stack: Stack<'_>,
    destination: &str,
    connected: &[(&Container, Stack<'_>)],
    isolated: &[(&Container, Stack<'_>)],
) -> Finding {
    let what = match stack.kind {
        StackKind::Service => "service stack",
        StackKind::ComposeApp => "Docker Compose application",
    };
    let setting = stack.predefined_network_step(destination);
    let names: Vec<&str> = isolated.iter().map(|(c, _)| c.name.as_str()).collect();
    let mut fix = vec![FixStep::say(&setting)];
    for (c, s) in isolated {
        let (command, reach_as) = match s.service {
            Some(svc) => {
                let alias = format!("{svc}-{uuid}");
                (
                    format!(
                        "docker network connect --alias {alias} {destination} {}",
                        c.name
                    ),
                    alias,
                )
            }
            None => (
                format!("docker network connect {destination} {}", c.name),
                c.name.to_string(),
            ),
        };
        fix.push(FixStep::run(
            &format!(
                "Or connect {} by hand (undone by the next deploy); resources on {destination} then reach it as `{reach_as}`:",
                c.name
            ),
            &command,
        ));
    }
    let partly = if connected.is_empty() {
        String::new()
    } else {
        format!(
            " {} of the same stack {} on {destination}, so the setting took effect for part of the stack only.",
            join(connected.iter().map(|(c, _)| c.name.as_str())),
            if connected.len() == 1 { "is" } else { "are" }
        )
    };
    let mut subjects: Vec<Subject> = names
        .iter()
        .map(|n| Subject::Container((*n).to_owned()))
        .collect();
    subjects.push(Subject::Network(destination.to_owned()));
    Finding {
        code: FindingCode::StackCannotReachDestination,
        severity: Severity::Info,
        title: format!(
            "{} of the {what} {} {} not on {destination}, so {} cannot reach the databases and apps there.",
            join(&names),
            stack.display_name(),
            if names.len() == 1 { "is" } else { "are" },
            if names.len() == 1 { "it" } else { "they" }
        ),
        why: format!(
            "Coolify gives each {what} its own network ({uuid}); standalone apps and databases live on the destination network {destination}. Containers resolve and reach each other only on a network they share, so from this stack their names fail with `EAI_AGAIN` / `could not resolve host`. This only matters if the stack needs something on {destination}.{partly}"
        ),
        fix,
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        container, coolify, host, on, recorded, text, COMPOSE_DB, COMPOSE_UUID, COMPOSE_WEB, N8N,
        SERVICE_UUID,
    };
    use super::*;

    #[test]
    fn a_service_stack_without_predefined_networks_cannot_reach_the_database() {
        let found = check(&recorded());
        let f = found
            .iter()
            .find(|f| f.title.contains(SERVICE_UUID))
            .expect("the n8n stack is reported");
        assert_eq!(f.severity, Severity::Info);
        assert!(f.title.contains(N8N) && f.title.contains("postgresql-qg8s4kc0w4wsgk0k8c0ww8o4"));
        assert!(f.title.contains("n8n-with-postgresql"));
        let commands: Vec<&str> = f.fix.iter().filter_map(|s| s.command.as_deref()).collect();
        assert!(commands
            .contains(&format!("docker network connect --alias {N8N} coolify {N8N}").as_str()));
        assert!(text(f).contains("Connect To Predefined Network"));
    }

    #[test]
    fn a_compose_app_connected_only_in_part_names_the_missing_service() {
        let found = check(&recorded());
        let f = found
            .iter()
            .find(|f| f.title.contains(COMPOSE_UUID))
            .expect("the compose app is reported");
        assert!(f.title.contains(COMPOSE_WEB));
        assert!(!f.title.contains(COMPOSE_DB), "postgres is on coolify");
        assert!(f.why.contains("part of the stack"));
        assert!(f.fix.iter().any(|s| s.command.as_deref()
            == Some(
                format!("docker network connect --alias web-{COMPOSE_UUID} coolify {COMPOSE_WEB}")
                    .as_str()
            )));
    }

    #[test]
    fn standalone_apps_and_databases_are_not_stacks() {
        let found = check(&recorded());
        assert_eq!(found.len(), 2, "{found:#?}");
    }

    #[test]
    fn a_stack_connected_to_the_destination_is_fine() {
        let core = on(container("coolify"), "coolify", &[]);
        let proxy = on(on(container("coolify-proxy"), "coolify", &[]), "svc1", &[]);
        let n8n = coolify(
            on(on(container("n8n-svc1"), "svc1", &["n8n"]), "coolify", &[]),
            "service",
            "svc1",
            "n8n",
        );
        assert!(check(&host(vec![core, proxy, n8n], Vec::new())).is_empty());
    }

    #[test]
    fn a_host_without_coolify_has_no_destination_to_miss() {
        let n8n = coolify(
            on(container("n8n-svc1"), "svc1", &["n8n"]),
            "service",
            "svc1",
            "n8n",
        );
        assert!(check(&host(vec![n8n], Vec::new())).is_empty());
    }
}
