//! "My connection string broke after a redeploy": the app is reachable only by a per-deploy name.

use super::{join, Finding, FindingCode, Severity, Subject};
use crate::domain::coolify::{name_stability, CoolifyKind, NameStability};
use crate::domain::problem::FixStep;
use crate::domain::topology::{Container, Topology};

pub fn check(t: &Topology) -> Vec<Finding> {
    t.containers
        .iter()
        .filter(|c| {
            c.coolify
                .as_ref()
                .is_some_and(|i| i.kind == CoolifyKind::Application)
        })
        .filter(|c| name_stability(c.name.as_str()) == NameStability::ChangesEachDeploy)
        .filter(|c| !has_stable_name(c))
        .map(finding)
        .collect()
}

/// Any name on any network besides the container name and short ID: a Coolify "Network
/// Aliases" entry, or a compose service name.
fn has_stable_name(c: &Container) -> bool {
    c.attachments
        .iter()
        .flat_map(|a| a.aliases.iter().chain(&a.dns_names))
        .any(|n| !n.is_empty() && n != c.name.as_str() && n != c.short_id())
}

fn finding(c: &Container) -> Finding {
    let id = c.coolify.as_ref();
    let resource = id.and_then(|i| i.resource_name.as_deref());
    let uuid = c
        .name
        .as_str()
        .rsplit_once('-')
        .map_or(c.name.as_str(), |(uuid, _)| uuid);
    let alias = resource.unwrap_or("my-app");
    let nets: Vec<&str> = c.network_names().collect();
    let app = match resource {
        Some(r) => format!("The application {r} ({})", c.name),
        None => c.name.to_string(),
    };
    let mut subjects = vec![Subject::Container(c.name.to_string())];
    subjects.extend(nets.iter().map(|n| Subject::Network((*n).to_owned())));
    Finding {
        code: FindingCode::NameChangesEachDeploy,
        severity: Severity::Info,
        title: format!(
            "{app} can only be reached by its container name, which changes on every deploy."
        ),
        why: format!(
            "Coolify names an application's container `{{uuid}}-{{time of deploy}}` unless \"Consistent Container Name\" is on, and adds no other alias unless \"Network Aliases\" is set. A connection string or env var pointing at `{}` breaks at the next deploy.",
            c.name
        ),
        fix: vec![
            FixStep::say(&format!(
                "In Coolify, open the application's Advanced settings, set \"Network Aliases\" to a stable name such as `{alias}`, and redeploy; containers on {} can then use `{alias}`.",
                if nets.is_empty() { "its network".to_owned() } else { join(&nets) }
            )),
            FixStep::say(&format!(
                "Or enable \"Consistent Container Name\" there: the container is then always named `{uuid}` (this turns off rolling updates)."
            )),
        ],
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{container, coolify, host, on, recorded, APP};
    use super::*;

    #[test]
    fn a_default_named_app_without_aliases_breaks_connection_strings_on_redeploy() {
        let found = check(&recorded());
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(
            f.title,
            format!("The application my-express-api ({APP}) can only be reached by its container name, which changes on every deploy.")
        );
        assert!(
            f.fix[0].text.contains("\"Network Aliases\"")
                && f.fix[0].text.contains("`my-express-api`")
        );
        assert!(f.fix[1].text.contains("`jk8c0wc4ok80s0gkcgwgo4s8`"));
    }

    #[test]
    fn an_app_with_a_network_alias_is_fine() {
        let app = coolify(
            on(container(APP), "coolify", &[APP, "my-express-api"]),
            "application",
            "jk8c0wc4ok80s0gkcgwgo4s8",
            APP,
        );
        assert!(check(&host(vec![app], Vec::new())).is_empty());
    }

    #[test]
    fn compose_services_keep_their_service_name_as_an_alias() {
        // web-… and postgres-… of the compose app change names too, but answer to web/postgres.
        assert!(check(&recorded())
            .iter()
            .all(|f| !f.title.contains("b4k8w0gcc8sk4oowc84wg0o8")));
    }

    #[test]
    fn a_consistent_name_is_stable() {
        let app = coolify(
            on(container("jk8c0wc4ok80s0gkcgwgo4s8"), "coolify", &[]),
            "application",
            "jk8c0wc4ok80s0gkcgwgo4s8",
            "jk8c0wc4ok80s0gkcgwgo4s8",
        );
        assert!(check(&host(vec![app], Vec::new())).is_empty());
    }
}
