//! "My service shows 0/1": the swarm wants tasks running that are not, with the reason the
//! manager gave (no node meets the constraints, the container exits, the image is missing).

use super::{join, Finding, FindingCode, Severity, Subject};
use crate::domain::problem::FixStep;
use crate::domain::swarm::{Service, Task};
use crate::domain::topology::Topology;

/// Tasks quoted in a title; the rest are counted.
const QUOTED: usize = 3;

/// Blocking when nothing of the service runs, a warning when some of it does.
pub fn check(t: &Topology) -> Vec<Finding> {
    let Some(swarm) = &t.swarm else {
        return Vec::new();
    };
    swarm
        .services
        .iter()
        .filter_map(|s| {
            let waiting: Vec<&Task> = s.not_running().collect();
            let (running, desired) = (s.running(), s.desired());
            if waiting.is_empty() && running >= desired {
                return None;
            }
            Some(finding(t, s, &waiting, running, desired))
        })
        .collect()
}

fn finding(
    t: &Topology,
    s: &Service,
    waiting: &[&Task],
    running: usize,
    desired: usize,
) -> Finding {
    let quoted: Vec<String> = waiting
        .iter()
        .take(QUOTED)
        .map(|task| {
            let state = match task.node.as_deref() {
                Some(node) => format!("{} on {node}", task.state),
                None => task.state.clone(),
            };
            match (&task.error, s.error_for(task)) {
                (Some(err), _) => {
                    format!("{} is {state}: \u{201c}{err}\u{201d}", task.label(&s.name))
                }
                // A retry waiting out the restart delay: the error is its last try's.
                (None, Some(err)) => format!(
                    "{} is {state}, to be tried again after \u{201c}{err}\u{201d}",
                    task.label(&s.name)
                ),
                (None, None) => format!("{} is {state} ({})", task.label(&s.name), task.message),
            }
        })
        .collect();
    let more = waiting.len().saturating_sub(QUOTED);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let detail = if quoted.is_empty() {
        "the manager has not created the missing tasks yet".to_owned()
    } else {
        format!("{}{more}", join(&quoted))
    };
    let errors: Vec<&str> = waiting
        .iter()
        .filter_map(|task| s.error_for(task))
        .collect();
    let mut subjects = vec![Subject::Service(s.name.clone())];
    subjects.extend(s.networks.iter().map(|n| Subject::Network(n.clone())));
    subjects.extend(
        s.tasks
            .iter()
            .filter_map(|task| task.container_id.as_deref())
            .filter_map(|id| t.containers.iter().find(|c| c.id == id))
            .map(|c| Subject::Container(c.name.to_string())),
    );
    Finding {
        code: FindingCode::ServiceTasksNotRunning,
        severity: if running == 0 {
            Severity::Blocking
        } else {
            Severity::Warning
        },
        title: format!(
            "Swarm service {} runs {running} of {desired} task{}: {detail}.",
            s.name,
            if desired == 1 { "" } else { "s" }
        ),
        why: why(s, &errors),
        fix: fix(t, s, &errors),
        subjects,
    }
}

fn mentions(errors: &[&str], words: &[&str]) -> bool {
    errors
        .iter()
        .any(|e| words.iter().any(|w| e.to_lowercase().contains(w)))
}

fn why(s: &Service, errors: &[&str]) -> String {
    let mut why = String::from("Swarm keeps trying to reach the service's task count, but until a task runs the service has no container behind its name and virtual IP, and its published ports answer nothing. ");
    if mentions(errors, &["no suitable node"]) {
        let constraints = if s.constraints.is_empty() {
            String::new()
        } else {
            format!(
                " (here {})",
                join(s.constraints.iter().map(|c| format!("`{c}`")))
            )
        };
        why.push_str(&format!("The scheduler places a task only on a node that is active, meets every placement constraint{constraints} and has the reserved CPU and memory free; while none does, the task stays pending."));
    } else if mentions(
        errors,
        &["no such image", "pull access denied", "manifest unknown"],
    ) {
        why.push_str("Each node runs the image it has or can pull: with no registry the node needs the image locally, under the exact name the service gives.");
    } else if mentions(errors, &["non-zero exit", "exit code"]) {
        why.push_str("The task's container exits with an error; swarm replaces it after the restart delay (5 s by default) for as long as the restart policy allows, so the service loops between starting and failing.");
    } else {
        why.push_str("The manager's own reason is quoted above; `docker service ps --no-trunc` shows every try.");
    }
    why
}

fn fix(t: &Topology, s: &Service, errors: &[&str]) -> Vec<FixStep> {
    let name = &s.name;
    let mut steps = vec![FixStep::run(
        "See every try and its whole error:",
        &format!("docker service ps --no-trunc {name}"),
    )];
    if mentions(errors, &["no suitable node"]) {
        let node = t
            .swarm
            .as_ref()
            .and_then(|sw| sw.nodes.first())
            .map_or("NODE", |n| n.hostname.as_str());
        for constraint in &s.constraints {
            if let Some((key, value)) = constraint
                .strip_prefix("node.labels.")
                .and_then(|c| c.split_once("=="))
            {
                steps.push(FixStep::run(
                    &format!("Give a node the label the constraint `{constraint}` asks for:"),
                    &format!("docker node update --label-add {key}={value} {node}"),
                ));
            }
            steps.push(FixStep::run(
                &format!("Or drop the constraint `{constraint}`:"),
                &format!("docker service update --constraint-rm '{constraint}' {name}"),
            ));
        }
        steps.push(FixStep::run(
            "Check the nodes are ready and active (not drained or paused):",
            "docker node ls",
        ));
    } else if mentions(
        errors,
        &["no such image", "pull access denied", "manifest unknown"],
    ) {
        steps.push(FixStep::say(&format!(
            "Load `{}` on every node that may run it (`docker save {} | ssh NODE docker load`), or push it to a registry the nodes can reach and `docker service update --image REGISTRY/{} {name}`.",
            s.image, s.image, s.image
        )));
    } else {
        steps.push(FixStep::run(
            "Read what the container printed before it stopped:",
            &format!("docker service logs --tail 50 {name}"),
        ));
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::swarm::fixtures;

    fn for_service<'a>(found: &'a [Finding], name: &str) -> Option<&'a Finding> {
        found
            .iter()
            .find(|f| f.subjects.contains(&Subject::Service(name.into())))
    }

    #[test]
    fn a_service_no_node_may_run_quotes_the_schedulers_reason_and_fixes_the_constraint() {
        let found = check(&fixtures::host());
        let f = for_service(&found, "ndfx-stuck").expect("reported");
        assert_eq!(f.severity, Severity::Blocking);
        assert_eq!(
            f.title,
            "Swarm service ndfx-stuck runs 0 of 1 task: ndfx-stuck.1 is pending: \u{201c}no suitable node (scheduling constraints not satisfied on 1 node)\u{201d}."
        );
        assert!(
            f.why.contains("(here `node.labels.nd-never==yes`)"),
            "{}",
            f.why
        );
        let commands: Vec<&str> = f.fix.iter().filter_map(|s| s.command.as_deref()).collect();
        assert_eq!(
            commands,
            [
                "docker service ps --no-trunc ndfx-stuck",
                "docker node update --label-add nd-never=yes vm",
                "docker service update --constraint-rm 'node.labels.nd-never==yes' ndfx-stuck",
                "docker node ls"
            ]
        );
        assert!(f.subjects.contains(&Subject::Network("ndfx-sealed".into())));
    }

    #[test]
    fn a_crash_looping_service_quotes_the_exit_of_its_last_try() {
        let found = check(&fixtures::host());
        let f = for_service(&found, "ndfx-crash").expect("reported");
        assert_eq!(
            f.title,
            "Swarm service ndfx-crash runs 0 of 1 task: ndfx-crash.1 is ready on vm, to be tried again after \u{201c}task: non-zero exit (3)\u{201d}."
        );
        assert!(f.why.contains("loops between starting and failing"));
        assert_eq!(
            f.fix[1].command.as_deref(),
            Some("docker service logs --tail 50 ndfx-crash")
        );
    }

    #[test]
    fn running_services_are_not_reported() {
        let found = check(&fixtures::host());
        assert!(for_service(&found, "ndfx-web").is_none());
        assert!(for_service(&found, "ndfx-host").is_none());
        assert_eq!(found.len(), 2, "{found:#?}");
    }

    #[test]
    fn a_service_with_some_tasks_up_is_a_warning() {
        let mut t = fixtures::host();
        let swarm = t.swarm.as_mut().expect("recorded");
        let web = swarm
            .services
            .iter_mut()
            .find(|s| s.name == "ndfx-web")
            .expect("recorded");
        web.tasks[1].state = "rejected".into();
        web.tasks[1].error = Some("No such image: ndswarm-busybox:fixture".into());
        let found = check(&t);
        let f = for_service(&found, "ndfx-web").expect("reported");
        assert_eq!(f.severity, Severity::Warning);
        assert!(
            f.title.starts_with(
                "Swarm service ndfx-web runs 1 of 2 tasks: ndfx-web.2 is rejected on vm"
            ),
            "{}",
            f.title
        );
        assert!(f.fix[1]
            .text
            .contains("docker save ndswarm-busybox:fixture"));
    }

    #[test]
    fn an_engine_outside_a_swarm_has_nothing_to_report() {
        let mut t = fixtures::host();
        t.swarm = None;
        assert!(check(&t).is_empty());
    }
}
