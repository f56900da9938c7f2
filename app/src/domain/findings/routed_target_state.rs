//! "no available server" (503) on a domain: the container behind it is stopped or unhealthy.

use super::{
    hosts_of, proxy_kind, route_subjects, routed, Finding, FindingCode, Severity, Subject,
};
use crate::domain::containers::ContainerState;
use crate::domain::problem::FixStep;
use crate::domain::proxy::{ProxyKind, Route};
use crate::domain::topology::{Container, Health, Topology};

pub fn check(t: &Topology) -> Vec<Finding> {
    let kind = proxy_kind(t);
    routed(t)
        .into_iter()
        .filter_map(|(name, routes)| {
            let c = t.container(name)?;
            if c.state != ContainerState::Running {
                return Some(down(c, &routes));
            }
            match c.health {
                Some(Health::Unhealthy) => Some(unhealthy(c, &routes, kind)),
                Some(Health::Starting) => Some(starting(c, &routes)),
                Some(Health::Healthy) | None => None,
            }
        })
        .collect()
}

fn subjects(c: &Container, routes: &[&Route]) -> Vec<Subject> {
    let mut s = vec![Subject::Container(c.name.to_string())];
    s.extend(route_subjects(routes));
    s
}

fn logs(c: &Container) -> FixStep {
    FixStep::run(
        &format!("See why {} is not running:", c.name),
        &format!("docker logs --tail 100 {}", c.name),
    )
}

fn down(c: &Container, routes: &[&Route]) -> Finding {
    let hosts = hosts_of(routes);
    let state = match c.state {
        ContainerState::Created => {
            "created but never started (a failed start, e.g. \"port is already allocated\", leaves it like this)".to_owned()
        }
        ContainerState::Restarting => format!(
            "restarting over and over (it crashed {} time{} so far)",
            c.restart_count,
            if c.restart_count == 1 { "" } else { "s" }
        ),
        other => other.as_str().to_owned(),
    };
    let mut fix = vec![logs(c)];
    match c.state {
        ContainerState::Restarting => {}
        ContainerState::Paused => fix.push(FixStep::run(
            "Resume it:",
            &format!("docker unpause {}", c.name),
        )),
        _ => fix.push(FixStep::run(
            "Start it:",
            &format!("docker start {}", c.name),
        )),
    }
    fix.push(FixStep::say(
        "For a Coolify resource, fix what the log shows and redeploy it from Coolify.",
    ));
    Finding {
        code: FindingCode::RoutedTargetDown,
        severity: Severity::Blocking,
        title: format!(
            "{hosts} has no server: {} is {}.",
            c.name,
            c.state.as_str()
        ),
        why: format!(
            "The proxy only routes to running containers. {} is {state}, so requests for {hosts} fall through to Coolify's catch-all router and get \"no available server\" (503).",
            c.name
        ),
        fix,
        subjects: subjects(c, routes),
    }
}

fn health_check(c: &Container) -> FixStep {
    FixStep::run(
        "Read the last health-check results:",
        &format!(
            "docker inspect --format '{{{{json .State.Health}}}}' {}",
            c.name
        ),
    )
}

fn unhealthy(c: &Container, routes: &[&Route], kind: ProxyKind) -> Finding {
    let hosts = hosts_of(routes);
    // Traefik filters out containers whose health is set and not healthy; caddy-docker-proxy
    // does not look at health, so there the route still works and the check is what is wrong.
    let (severity, why) = if kind == ProxyKind::Caddy {
        (
            Severity::Warning,
            format!(
                "Its health check fails. Caddy keeps sending {hosts} to it, but Coolify reports the resource as unhealthy, and the check usually fails because curl or wget is missing in the image or it probes the wrong port or path."
            ),
        )
    } else {
        (
            Severity::Blocking,
            format!(
                "Traefik drops containers whose health check fails: the route for {hosts} is left with no server and answers 503 \"no available server\". Checks usually fail because curl or wget is missing in the image, or they probe the wrong port or path."
            ),
        )
    };
    Finding {
        code: FindingCode::RoutedTargetUnhealthy,
        severity,
        title: format!(
            "{} is unhealthy, so the proxy has no healthy server for {hosts}.",
            c.name
        ),
        why,
        fix: vec![
            health_check(c),
            FixStep::say(
                "In Coolify, open the resource's Healthcheck settings and make the port and path match what the app serves (or turn the check off), then redeploy.",
            ),
        ],
        subjects: subjects(c, routes),
    }
}

fn starting(c: &Container, routes: &[&Route]) -> Finding {
    let hosts = hosts_of(routes);
    Finding {
        code: FindingCode::RoutedTargetUnhealthy,
        severity: Severity::Info,
        title: format!(
            "{} is still starting; {hosts} answers 503 until its health check passes.",
            c.name
        ),
        why: "Traefik routes to a container with a health check only once it reports healthy. A container stuck in \"starting\" usually has a check that never succeeds.".to_owned(),
        fix: vec![
            FixStep::say("Wait for the first checks to run."),
            health_check(c),
        ],
        subjects: subjects(c, routes),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{get_mut, recorded, APP};
    use super::*;

    #[test]
    fn a_routed_app_that_exited_leaves_its_domain_with_no_server() {
        let mut t = recorded();
        get_mut(&mut t, APP).state = ContainerState::Exited;
        let found = check(&t);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(
            (f.code, f.severity),
            (FindingCode::RoutedTargetDown, Severity::Blocking)
        );
        assert_eq!(
            f.title,
            format!("api.example.com has no server: {APP} is exited.")
        );
        assert!(f
            .fix
            .iter()
            .any(|s| s.command.as_deref() == Some(format!("docker start {APP}").as_str())));
        assert!(f
            .subjects
            .contains(&Subject::Route("https-0-jk8c0wc4ok80s0gkcgwgo4s8".into())));
    }

    #[test]
    fn an_unhealthy_routed_app_is_dropped_by_traefik() {
        let mut t = recorded();
        get_mut(&mut t, APP).health = Some(Health::Unhealthy);
        let found = check(&t);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].code, found[0].severity),
            (FindingCode::RoutedTargetUnhealthy, Severity::Blocking)
        );
        assert_eq!(
            found[0].fix[0].command.as_deref(),
            Some(format!("docker inspect --format '{{{{json .State.Health}}}}' {APP}").as_str())
        );
    }

    #[test]
    fn a_starting_app_is_only_information() {
        let mut t = recorded();
        get_mut(&mut t, APP).health = Some(Health::Starting);
        let found = check(&t);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Info);
    }

    #[test]
    fn a_crash_looping_app_is_not_told_to_start() {
        let mut t = recorded();
        get_mut(&mut t, APP).state = ContainerState::Restarting;
        let found = check(&t);
        assert!(found[0].fix.iter().all(|s| s
            .command
            .as_deref()
            .is_none_or(|c| !c.starts_with("docker start"))));
    }

    #[test]
    fn stopped_containers_nobody_routes_to_are_not_reported() {
        // stopped-worker is created but has no route; every routed container runs.
        assert!(check(&recorded()).is_empty());
    }
}
