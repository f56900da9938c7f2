//! "Could not attach to network X: … not manually attachable": a standalone container (or the
//! proxy a Coolify app's labels send over X) needs a swarm overlay created without
//! `--attachable`, which only service tasks may join.

use super::{join, Finding, FindingCode, Severity, Subject};
use crate::domain::problem::FixStep;
use crate::domain::topology::{Container, Network, NetworkMode, Topology};
use std::collections::BTreeSet;

/// Labels that name the network the proxy dials a container on (Traefik, caddy-docker-proxy).
const NETWORK_LABELS: [&str; 2] = ["traefik.docker.network", "caddy_ingress_network"];

/// Blocking: the container does not start on that network (or the proxy cannot join it).
pub fn check(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in t.containers.iter().filter(|c| is_standalone(t, c)) {
        let mut joined: BTreeSet<&str> = c
            .network_names()
            .filter(|n| is_sealed_overlay(t, n))
            .collect();
        if let NetworkMode::Network(n) = &c.network_mode {
            if is_sealed_overlay(t, n) {
                joined.insert(n.as_str());
            }
        }
        for net in joined {
            out.push(container_needs(t, c, net));
        }
        for label in NETWORK_LABELS {
            let Some(net) = c.labels.get(label) else {
                continue;
            };
            if is_sealed_overlay(t, net) && c.attachment(net).is_none() {
                out.push(label_names(t, c, label, net));
            }
        }
    }
    out
}

/// Not a swarm task: tasks join any overlay their service names, attachable or not.
fn is_standalone(t: &Topology, c: &Container) -> bool {
    c.swarm_service().is_none()
        && t.swarm
            .as_ref()
            .is_none_or(|s| s.task_of_container(&c.id).is_none())
}

fn sealed(t: &Topology, name: &str) -> Option<&'static str> {
    let overlay = t.swarm.as_ref().and_then(|s| s.overlay(name));
    match (overlay, t.network(name)) {
        (Some(o), _) if !o.attachable => Some(if o.ingress { "ingress" } else { "overlay" }),
        (
            None,
            Some(Network {
                driver,
                scope,
                attachable: false,
                ..
            }),
        ) if driver == "overlay" && scope == "swarm" => Some("overlay"),
        _ => None,
    }
}

fn is_sealed_overlay(t: &Topology, name: &str) -> bool {
    sealed(t, name).is_some()
}

/// The services whose tasks use the network (they must let go of it before it is recreated).
fn services_on<'a>(t: &'a Topology, net: &str) -> Vec<&'a str> {
    t.swarm
        .as_ref()
        .map(|s| {
            s.services
                .iter()
                .filter(|svc| svc.networks.iter().any(|n| n == net))
                .map(|svc| svc.name.as_str())
                .collect()
        })
        .unwrap_or_default()
}

const WHY: &str = "A swarm overlay network admits only the tasks of swarm services unless it was created with `--attachable`. Docker refuses a standalone container (`docker run --network`, a compose stack started with `docker compose up` rather than `docker stack deploy`, Coolify's standalone apps and its proxy) at start with \"Could not attach to network …: not manually attachable\", and the flag cannot be changed on an existing network. Coolify creates its swarm network as `docker network create --attachable --driver overlay coolify-overlay` for this reason.";

fn subjects(t: &Topology, c: &Container, net: &str) -> Vec<Subject> {
    let mut subjects = vec![
        Subject::Container(c.name.to_string()),
        Subject::Network(net.to_owned()),
    ];
    subjects.extend(
        services_on(t, net)
            .into_iter()
            .map(|s| Subject::Service(s.to_owned())),
    );
    subjects
}

fn container_needs(t: &Topology, c: &Container, net: &str) -> Finding {
    let started = if c.is_running() {
        String::new()
    } else {
        format!(" so {} cannot start (it is {})", c.name, c.state.as_str())
    };
    Finding {
        code: FindingCode::OverlayNotAttachable,
        severity: Severity::Blocking,
        title: format!(
            "{} is a standalone container on overlay network {net}, which is not attachable,{started}: Docker answers \"network {net} not manually attachable\".",
            c.name
        ),
        why: WHY.to_owned(),
        fix: fix(t, net, Some(c)),
        subjects: subjects(t, c, net),
    }
}

fn label_names(t: &Topology, c: &Container, label: &str, net: &str) -> Finding {
    let proxy = t
        .proxy
        .as_ref()
        .map_or_else(|| "the proxy".to_owned(), |p| p.container.to_string());
    Finding {
        code: FindingCode::OverlayNotAttachable,
        severity: Severity::Blocking,
        title: format!(
            "{}'s label `{label}={net}` sends the proxy over overlay network {net}, which is not attachable: {proxy}, a standalone container, cannot join it, so the route does not reach {}.",
            c.name, c.name
        ),
        why: WHY.to_owned(),
        fix: fix(t, net, None),
        subjects: subjects(t, c, net),
    }
}

fn fix(t: &Topology, net: &str, c: Option<&Container>) -> Vec<FixStep> {
    if sealed(t, net) == Some("ingress") {
        return vec![FixStep::say(&format!(
            "`{net}` is the routing mesh's own network: no container joins it. Publish the port on the service (`docker service update --publish-add published=PORT,target=PORT SERVICE`), or put the container and the service on an attachable overlay of their own (`docker network create --driver overlay --attachable NAME`)."
        ))];
    }
    let subnet = t
        .swarm
        .as_ref()
        .and_then(|s| s.overlay(net))
        .and_then(|o| o.subnets.first().cloned())
        .or_else(|| {
            t.network(net)
                .and_then(|n| n.subnets.first().map(|s| s.subnet.clone()))
        })
        .map(|s| format!(" --subnet {s}"))
        .unwrap_or_default();
    let services = services_on(t, net);
    let mut steps = Vec::new();
    let recreate = format!("docker network create --driver overlay --attachable{subnet} {net}");
    if services.is_empty() {
        steps.push(FixStep::run(
            &format!("Recreate {net} as attachable (the flag cannot be changed in place):"),
            &format!("docker network rm {net} && {recreate}"),
        ));
    } else {
        let rm: Vec<String> = services
            .iter()
            .map(|s| format!("docker service update --network-rm {net} {s}"))
            .collect();
        let add: Vec<String> = services
            .iter()
            .map(|s| format!("docker service update --network-add {net} {s}"))
            .collect();
        steps.push(FixStep::run(
            &format!(
                "Recreate {net} as attachable: take {} off it, recreate it, and put {} back (the flag cannot be changed in place):",
                join(&services),
                if services.len() == 1 { "it" } else { "them" }
            ),
            &format!(
                "{} && docker network rm {net} && {recreate} && {}",
                rm.join(" && "),
                add.join(" && ")
            ),
        ));
    }
    match c {
        Some(c) => steps.push(FixStep::run(
            &format!("Then start {}:", c.name),
            &format!("docker start {}", c.name),
        )),
        None => steps.push(FixStep::say(&format!(
            "Then connect the proxy to it (`docker network connect {net} {}`), or point the label at an attachable network the proxy is on.",
            t.proxy
                .as_ref()
                .map_or_else(|| "coolify-proxy".to_owned(), |p| p.container.to_string())
        ))),
    }
    steps.push(FixStep::say(&format!(
        "Or leave {net} as it is and run the container as a swarm service on it (`docker service create --network {net} …`, or `docker stack deploy` for a compose file)."
    )));
    steps
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, host, on, text};
    use super::*;
    use crate::domain::swarm::fixtures;

    #[test]
    fn a_container_run_on_a_sealed_overlay_is_told_why_it_does_not_start_and_how_to_recreate_it() {
        let t = fixtures::host();
        let found = check(&t);
        let standalone: Vec<&Finding> = found
            .iter()
            .filter(|f| {
                f.subjects
                    .contains(&Subject::Container("ndfx-standalone".into()))
            })
            .collect();
        assert_eq!(standalone.len(), 1, "{found:#?}");
        let f = standalone[0];
        assert_eq!(f.severity, Severity::Blocking);
        assert_eq!(
            f.title,
            "ndfx-standalone is a standalone container on overlay network ndfx-sealed, which is not attachable, so ndfx-standalone cannot start (it is created): Docker answers \"network ndfx-sealed not manually attachable\"."
        );
        assert_eq!(
            f.fix[0].command.as_deref(),
            Some("docker service update --network-rm ndfx-sealed ndfx-stuck && docker network rm ndfx-sealed && docker network create --driver overlay --attachable --subnet 10.250.2.0/24 ndfx-sealed && docker service update --network-add ndfx-sealed ndfx-stuck")
        );
        assert_eq!(
            f.fix[1].command.as_deref(),
            Some("docker start ndfx-standalone")
        );
        assert!(f.subjects.contains(&Subject::Service("ndfx-stuck".into())));
        assert!(text(f).contains("cannot be changed on an existing network"));
    }

    #[test]
    fn a_coolify_network_label_naming_a_sealed_overlay_is_reported_for_the_proxy() {
        let found = check(&fixtures::host());
        let labelled: Vec<&Finding> = found
            .iter()
            .filter(|f| f.title.contains("`traefik.docker.network=ndfx-sealed`"))
            .collect();
        // ndfx-wants-sealed is created on the network too, which is its own finding.
        assert_eq!(
            labelled.len(),
            0,
            "the container is on it already: {found:#?}"
        );
        let mut t = fixtures::host();
        let c = t
            .containers
            .iter_mut()
            .find(|c| c.name.as_str() == "ndfx-on-attachable")
            .expect("recorded");
        c.labels
            .insert("traefik.docker.network".into(), "ndfx-sealed".into());
        let found = check(&t);
        let f = found
            .iter()
            .find(|f| f.title.starts_with("ndfx-on-attachable's label"))
            .expect("reported");
        assert!(f.title.contains("cannot join it"), "{}", f.title);
        assert!(text(f).contains("docker network connect ndfx-sealed coolify-proxy"));
    }

    #[test]
    fn tasks_and_containers_on_attachable_overlays_are_fine() {
        let found = check(&fixtures::host());
        let named: BTreeSet<String> = found
            .iter()
            .flat_map(|f| &f.subjects)
            .filter_map(|s| match s {
                Subject::Container(n) => Some(n.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            named.into_iter().collect::<Vec<_>>(),
            ["ndfx-standalone", "ndfx-wants-sealed"]
        );
    }

    #[test]
    fn without_the_swarm_read_the_networks_scope_and_flag_still_tell() {
        let mut t = fixtures::host();
        t.swarm = None;
        let found = check(&t);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].fix[0]
            .command
            .as_deref()
            .is_some_and(|c| c.starts_with("docker network rm ndfx-sealed")));
    }

    #[test]
    fn a_plain_bridge_host_has_nothing_to_report() {
        let t = host(vec![on(container("web"), "coolify", &[])], Vec::new());
        assert!(check(&t).is_empty());
    }
}
