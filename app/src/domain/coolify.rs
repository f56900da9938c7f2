//! Who a container is in Coolify's terms, read from its labels and name the way Coolify itself
//! looks containers up (`coolify.applicationId`, `coolify.serviceId`, `coolify.databaseId`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind of Coolify resource behind a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CoolifyKind {
    /// A standalone application or a service of a compose build-pack application.
    Application,
    /// A container of a service stack (one-click or "Docker Compose Empty").
    Service,
    /// A standalone database.
    Database,
    /// `coolify-proxy`.
    Proxy,
    /// Coolify's own containers: `coolify`, `coolify-db`, `coolify-redis`, `coolify-realtime`.
    Core,
    /// Helper agents: `coolify-sentinel`, `coolify-log-drain`.
    Agent,
    /// `coolify.managed=true` without a type Coolify documents.
    Other,
}

/// A container's Coolify identity. Values are Coolify's slugs, as in the labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoolifyIdentity {
    pub kind: CoolifyKind,
    /// The numeric id in Coolify's database (`coolify.applicationId=12` → "12").
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    pub project: Option<String>,
    pub environment: Option<String>,
    /// `coolify.serviceName`: the sub-service for stacks, else the resource name.
    pub service_name: Option<String>,
    /// `coolify.service.subType` (`application` / `database`) for stack containers.
    pub sub_type: Option<String>,
    /// `coolify.database.subType`, e.g. `standalone-postgresql`.
    pub database_type: Option<String>,
    /// Set for preview deployments (`coolify.pullRequestId` > 0).
    pub pull_request: Option<u32>,
}

/// Coolify's own containers, which carry no `coolify.*` labels of their own.
pub const CORE_CONTAINERS: [&str; 4] =
    ["coolify", "coolify-db", "coolify-redis", "coolify-realtime"];
/// The proxy's container name on every Coolify server.
pub const PROXY_CONTAINER: &str = "coolify-proxy";

impl CoolifyIdentity {
    /// Reads the identity from a container's name and labels; `None` for containers Coolify
    /// does not manage.
    pub fn from_labels(name: &str, labels: &BTreeMap<String, String>) -> Option<Self> {
        let get = |key: &str| {
            labels
                .get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let managed = get("coolify.managed").is_some_and(|v| v == "true");
        let kind = if name == PROXY_CONTAINER || get("coolify.proxy").is_some_and(|v| v == "true") {
            CoolifyKind::Proxy
        } else if CORE_CONTAINERS.contains(&name) {
            CoolifyKind::Core
        } else if !managed {
            return None;
        } else {
            match get("coolify.type").as_deref() {
                Some("application") => CoolifyKind::Application,
                Some("service") => CoolifyKind::Service,
                Some("database") => CoolifyKind::Database,
                _ if name == "coolify-sentinel" || name == "coolify-log-drain" => {
                    CoolifyKind::Agent
                }
                _ => CoolifyKind::Other,
            }
        };
        let resource_id = [
            "coolify.applicationId",
            "coolify.serviceId",
            "coolify.databaseId",
        ]
        .iter()
        .find_map(|k| get(k));
        Some(Self {
            kind,
            resource_id,
            resource_name: get("coolify.resourceName"),
            project: get("coolify.projectName"),
            environment: get("coolify.environmentName"),
            service_name: get("coolify.serviceName"),
            sub_type: get("coolify.service.subType"),
            database_type: get("coolify.database.subType"),
            pull_request: get("coolify.pullRequestId")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0),
        })
    }
}

/// How a container's name behaves across deploys, which decides whether it is safe to put in
/// a connection string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NameStability {
    /// `{uuid}-{12 digits}`: Coolify's default application name, new on every deploy.
    ChangesEachDeploy,
    /// Anything else: a uuid, `{service}-{uuid}`, a custom or core name.
    Stable,
}

/// Recognises Coolify's per-deploy names: a 24- (or old 7-) character lowercase id, or a
/// `{service}-{id}` prefix, followed by `-` and 12 digits (`now()->format('Hisu')`).
pub fn name_stability(name: &str) -> NameStability {
    let Some((prefix, digits)) = name.rsplit_once('-') else {
        return NameStability::Stable;
    };
    let is_stamp = digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit());
    let last = prefix.rsplit('-').next().unwrap_or(prefix);
    if is_stamp && is_coolify_uuid(last) {
        NameStability::ChangesEachDeploy
    } else {
        NameStability::Stable
    }
}

/// A Coolify resource id: 24 lowercase alphanumerics (current and Cuid2) or 7 (old betas).
pub fn is_coolify_uuid(s: &str) -> bool {
    (s.len() == 24 || s.len() == 7)
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// How Coolify's proxy is told apart from other containers that claim to be it (a stopped old
/// one beside the live one, a second `coolify.proxy=true`): a running one first, then the
/// conventional name. `None`: not a proxy. The topology and the container list both pick by it.
pub fn proxy_preference(
    name: &str,
    identity: Option<&CoolifyIdentity>,
    running: bool,
) -> Option<(bool, bool)> {
    identity.filter(|i| i.kind == CoolifyKind::Proxy)?;
    Some((!running, name != PROXY_CONTAINER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_application_is_read_from_its_coolify_labels() {
        let l = labels(&[
            ("coolify.managed", "true"),
            ("coolify.type", "application"),
            ("coolify.applicationId", "12"),
            ("coolify.resourceName", "my-express-api"),
            ("coolify.projectName", "my-project"),
            ("coolify.environmentName", "production"),
            ("coolify.serviceName", "my-express-api"),
            ("coolify.pullRequestId", "0"),
        ]);
        let id = CoolifyIdentity::from_labels("jk8c0wc4ok80s0gkcgwgo4s8-142311873944", &l)
            .expect("managed");
        assert_eq!(id.kind, CoolifyKind::Application);
        assert_eq!(id.resource_id.as_deref(), Some("12"));
        assert_eq!(id.project.as_deref(), Some("my-project"));
        assert_eq!(id.pull_request, None);
    }

    #[test]
    fn stack_containers_and_databases_carry_their_sub_types() {
        let svc = labels(&[
            ("coolify.managed", "true"),
            ("coolify.type", "service"),
            ("coolify.serviceId", "7"),
            ("coolify.service.subType", "database"),
        ]);
        let id = CoolifyIdentity::from_labels("postgresql-qg8s4kc0w4wsgk0k8c0ww8o4", &svc)
            .expect("managed");
        assert_eq!(
            (id.kind, id.sub_type.as_deref()),
            (CoolifyKind::Service, Some("database"))
        );
        let db = labels(&[
            ("coolify.managed", "true"),
            ("coolify.type", "database"),
            ("coolify.database.subType", "standalone-redis"),
        ]);
        let id = CoolifyIdentity::from_labels("ro8kcog4kso4ck0ows4k4wkw", &db).expect("managed");
        assert_eq!(
            (id.kind, id.database_type.as_deref()),
            (CoolifyKind::Database, Some("standalone-redis"))
        );
    }

    #[test]
    fn the_proxy_and_core_containers_are_known_by_name() {
        let none = BTreeMap::new();
        assert_eq!(
            CoolifyIdentity::from_labels("coolify-proxy", &none).map(|i| i.kind),
            Some(CoolifyKind::Proxy)
        );
        assert_eq!(
            CoolifyIdentity::from_labels("coolify-db", &none).map(|i| i.kind),
            Some(CoolifyKind::Core)
        );
        let sentinel = labels(&[("coolify.managed", "true")]);
        assert_eq!(
            CoolifyIdentity::from_labels("coolify-sentinel", &sentinel).map(|i| i.kind),
            Some(CoolifyKind::Agent)
        );
    }

    #[test]
    fn containers_without_coolify_labels_have_no_identity() {
        assert_eq!(
            CoolifyIdentity::from_labels("my-own-nginx", &BTreeMap::new()),
            None
        );
        let unmanaged = labels(&[
            ("coolify.managed", "false"),
            ("coolify.type", "application"),
        ]);
        assert_eq!(CoolifyIdentity::from_labels("x", &unmanaged), None);
    }

    #[test]
    fn preview_deployments_have_a_pull_request_number() {
        let l = labels(&[
            ("coolify.managed", "true"),
            ("coolify.type", "application"),
            ("coolify.pullRequestId", "42"),
        ]);
        assert_eq!(
            CoolifyIdentity::from_labels("x-pr-42", &l).and_then(|i| i.pull_request),
            Some(42)
        );
    }

    #[test]
    fn default_application_names_change_on_every_deploy() {
        assert_eq!(
            name_stability("jk8c0wc4ok80s0gkcgwgo4s8-142311873944"),
            NameStability::ChangesEachDeploy
        );
        assert_eq!(
            name_stability("app-d40gggw-095730391184"),
            NameStability::ChangesEachDeploy
        );
        assert_eq!(
            name_stability("web-b4k8w0gcc8sk4oowc84wg0o8-095730391184"),
            NameStability::ChangesEachDeploy
        );
    }

    #[test]
    fn uuid_service_and_custom_names_are_stable() {
        for name in [
            "jk8c0wc4ok80s0gkcgwgo4s8",
            "n8n-qg8s4kc0w4wsgk0k8c0ww8o4",
            "coolify-db",
            "my-api",
            "backup-123456789012",
            "jk8c0wc4ok80s0gkcgwgo4s8-pr-3",
        ] {
            assert_eq!(name_stability(name), NameStability::Stable, "{name}");
        }
    }
}
