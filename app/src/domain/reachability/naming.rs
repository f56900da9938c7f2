//! Which of the target's names a source container should use: one that resolves to the target
//! alone from everywhere the source looks names up, that survives a redeploy, and that reads
//! the way Coolify documents it (service name inside a stack, `{service}-{uuid}` outside).

use crate::domain::coolify::{is_coolify_uuid, name_stability, NameStability};
use crate::domain::names::ContainerName;
use crate::domain::reachability::model::Model;
use crate::domain::topology::{Container, Topology};
use serde::{Deserialize, Serialize};

/// What a name is to the target, best first (the order is the preference among names that
/// are equally unambiguous and stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NameKind {
    /// The compose service name, used from inside the same stack (`postgresql`).
    StackService,
    /// A network alias someone set on purpose (Coolify's "Network Aliases", `--network-alias`).
    Alias,
    /// Coolify's consistent `{uuid}` container name (standalone databases, "Consistent
    /// Container Name" apps).
    ConsistentUuid,
    /// `{service}-{uuid}`: a service-stack container, or a compose app with consistent names.
    StackName,
    /// Any other stable container name (`coolify-db`, `my-api`).
    ContainerName,
    /// A compose service name seen from outside its stack: registered on shared networks by
    /// "Connect To Predefined Network", and a magnet for collisions.
    ComposeServiceOutsideStack,
    /// Coolify's default `{uuid}-{12 digits}` name: new on every deploy.
    PerDeployName,
    /// The 12-character container ID: new whenever the container is recreated.
    ShortId,
}

/// One name the target answers to on a network it shares with the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub name: String,
    /// The shared network it resolves on.
    pub network: String,
    pub kind: NameKind,
    /// Survives a redeploy.
    pub stable: bool,
    /// Every container the source may reach when it asks for this name, sorted. Docker's DNS
    /// answers from each of the source's networks, so this spans all of them.
    pub holders: Vec<ContainerName>,
}

impl Candidate {
    /// Resolves to the target alone.
    pub fn unique(&self) -> bool {
        self.holders.len() == 1
    }
}

/// Classifies `name` as a name of `target`, from `source`'s point of view.
pub fn name_kind(source: &Container, target: &Container, name: &str) -> NameKind {
    if name == target.short_id() {
        return NameKind::ShortId;
    }
    if name == target.name.as_str() {
        return container_name_kind(name);
    }
    let compose_service = target
        .compose
        .as_ref()
        .and_then(|c| c.service.as_deref())
        .filter(|s| *s != target.name.as_str());
    if compose_service == Some(name) {
        let same_project = match (&source.compose, &target.compose) {
            (Some(a), Some(b)) => a.project == b.project && !a.project.is_empty(),
            _ => false,
        };
        return if same_project {
            NameKind::StackService
        } else {
            NameKind::ComposeServiceOutsideStack
        };
    }
    if name_stability(name) == NameStability::ChangesEachDeploy {
        // Coolify lists an app's per-deploy container name among its aliases.
        return NameKind::PerDeployName;
    }
    NameKind::Alias
}

/// What a container name is, by Coolify's naming rules.
pub fn container_name_kind(name: &str) -> NameKind {
    if name_stability(name) == NameStability::ChangesEachDeploy {
        NameKind::PerDeployName
    } else if is_coolify_uuid(name) {
        NameKind::ConsistentUuid
    } else if name
        .rsplit_once('-')
        .is_some_and(|(svc, uuid)| !svc.is_empty() && uuid.len() == 24 && is_coolify_uuid(uuid))
    {
        NameKind::StackName
    } else {
        NameKind::ContainerName
    }
}

/// Every name of `target` on the DNS networks it shares with `source`, each with the
/// containers it may reach from `source`. Sorted best first: unambiguous, then stable, then by
/// [`NameKind`], then by name and network, so the first is the one to use.
pub fn candidates(t: &Topology, source: &Container, target: &Container) -> Vec<Candidate> {
    Model::new(t).candidates(source, target)
}

impl Model<'_> {
    /// See [`candidates`].
    pub fn candidates(&self, source: &Container, target: &Container) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = self
            .names_of(source, target)
            .map(|(name, network)| {
                let mut holders: Vec<&ContainerName> =
                    self.holders_of(source, name).map(|c| &c.name).collect();
                holders.sort();
                holders.dedup();
                let kind = name_kind(source, target, name);
                Candidate {
                    name: name.to_owned(),
                    network: network.to_owned(),
                    kind,
                    stable: is_stable(kind),
                    holders: holders.into_iter().cloned().collect(),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            rank(a.unique(), a.stable, a.kind, &a.name, &a.network).cmp(&rank(
                b.unique(),
                b.stable,
                b.kind,
                &b.name,
                &b.network,
            ))
        });
        // A name on several shared networks: its entries sort together, the first network first.
        out.dedup_by(|later, first| later.name == first.name);
        out
    }

    /// The first of [`candidates`] (name, network), without building the list: what the
    /// matrix asks for every cell.
    pub fn best_name<'a>(
        &'a self,
        source: &'a Container,
        target: &'a Container,
    ) -> Option<(&'a str, &'a str)> {
        self.names_of(source, target)
            .map(|(name, network)| {
                let kind = name_kind(source, target, name);
                let unique = self.unique(source, target, name);
                (
                    rank(unique, is_stable(kind), kind, name, network),
                    name,
                    network,
                )
            })
            .min_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, name, network)| (name, network))
    }

    /// Each name of `target` on each DNS network of `source` it is on too, in `source`'s
    /// (sorted) network order; a name registered on several shared networks comes once per
    /// network, so the best of its entries is the one on the first network.
    fn names_of<'a>(
        &'a self,
        source: &'a Container,
        target: &'a Container,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.dns_networks(source).flat_map(move |net| {
            target
                .attachment(net)
                .into_iter()
                .flat_map(|a| a.dns_names.iter().map(String::as_str))
                .map(move |name| (name, net))
        })
    }

    /// Every container `source` may reach when it asks for `name` (exactly this name, as it is
    /// registered), across all its DNS networks, any state.
    fn holders_of<'a>(
        &'a self,
        source: &'a Container,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Container> + 'a {
        self.registered_on(self.dns_networks(source), name)
            .filter(move |(c, net)| {
                c.attachment(net)
                    .is_some_and(|a| a.dns_names.iter().any(|n| n == name))
            })
            .map(|(c, _)| c)
    }

    /// `name` reaches `target` alone from `source`.
    fn unique(&self, source: &Container, target: &Container, name: &str) -> bool {
        self.holders_of(source, name).all(|c| c.name == target.name)
    }
}

fn is_stable(kind: NameKind) -> bool {
    kind != NameKind::ShortId && kind != NameKind::PerDeployName
}

/// The order of [`candidates`]: unambiguous, then stable, then by kind, name and network.
fn rank<'a>(
    unique: bool,
    stable: bool,
    kind: NameKind,
    name: &'a str,
    network: &'a str,
) -> (bool, bool, NameKind, &'a str, &'a str) {
    (!unique, !stable, kind, name, network)
}

/// `name.network`: Docker's DNS resolves it on that network only. Offered when a name is taken
/// by several containers across the source's networks but by the target alone on `network`.
pub fn qualified(t: &Topology, target: &Container, name: &str, network: &str) -> Option<String> {
    let holders = t.names_on(network);
    let on_net = holders.get(name)?;
    (on_net.len() == 1 && on_net[0] == &target.name).then(|| format!("{name}.{network}"))
}

/// Why this name was chosen, in one sentence.
pub fn why(c: &Candidate, target: &Container) -> String {
    let net = &c.network;
    let base = match c.kind {
        NameKind::StackService => format!(
            "`{}` is {}'s compose service name: inside the same stack Compose registers it on {net}, and it stays the same across deploys (Coolify's own templates connect this way).",
            c.name, target.name
        ),
        NameKind::Alias => format!(
            "`{}` is a network alias of {} on {net}: set on purpose, it stays the same across deploys.",
            c.name, target.name
        ),
        NameKind::ConsistentUuid => format!(
            "`{}` is the container's consistent name (Coolify's resource uuid): it stays the same on every deploy.",
            c.name
        ),
        NameKind::StackName => format!(
            "`{}` is the stack container's `{{service}}-{{uuid}}` name: stable across deploys, and the name Coolify's docs give for reaching a stack service from outside it.",
            c.name
        ),
        NameKind::ContainerName => format!(
            "`{}` is the container's own name, which Docker's DNS resolves on {net}.",
            c.name
        ),
        NameKind::ComposeServiceOutsideStack => format!(
            "`{}` is {}'s compose service name, registered on {net} (\"Connect To Predefined Network\"); it is the only stable name here.",
            c.name, target.name
        ),
        NameKind::PerDeployName => format!(
            "`{}` is the only name that reaches {} alone right now, but Coolify gives the container a new name on every deploy.",
            c.name, target.name
        ),
        NameKind::ShortId => format!(
            "`{}` is the container's short ID: it works until the container is recreated.",
            c.name
        ),
    };
    format!("{base} It resolves on {net}, a network both containers are on.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::{
        container, coolify, host, on, recorded, APP, COMPOSE_DB, COMPOSE_WEB, N8N, SERVICE_UUID,
    };

    fn best(t: &Topology, from: &str, to: &str) -> Candidate {
        let (s, d) = (
            t.container(from).expect("source"),
            t.container(to).expect("target"),
        );
        candidates(t, s, d).into_iter().next().expect("a name")
    }

    #[test]
    fn inside_a_service_stack_the_compose_service_name_is_used() {
        let t = recorded();
        let c = best(&t, N8N, &format!("postgresql-{SERVICE_UUID}"));
        assert_eq!(
            (c.name.as_str(), c.kind, c.network.as_str()),
            ("postgresql", NameKind::StackService, SERVICE_UUID)
        );
        assert!(c.unique() && c.stable);
    }

    #[test]
    fn a_standalone_database_is_reached_by_its_consistent_uuid_name() {
        let t = recorded();
        let c = best(&t, APP, "ro8kcog4kso4ck0ows4k4wkw");
        assert_eq!(c.name, "ro8kcog4kso4ck0ows4k4wkw");
        assert_eq!(c.kind, NameKind::ConsistentUuid);
    }

    #[test]
    fn a_network_alias_beats_the_container_name() {
        let t = host(
            vec![
                on(container("client"), "net", &[]),
                on(container("my-api"), "net", &["api"]),
            ],
            vec![],
        );
        let c = best(&t, "client", "my-api");
        assert_eq!((c.name.as_str(), c.kind), ("api", NameKind::Alias));
    }

    #[test]
    fn a_unique_per_deploy_name_beats_a_stable_name_that_reaches_coolifys_own_database() {
        // The compose app's `postgres` is also coolify-db's compose service name on coolify.
        let t = recorded();
        let all = candidates(
            &t,
            t.container(APP).expect("app"),
            t.container(COMPOSE_DB).expect("db"),
        );
        assert_eq!(all[0].name, COMPOSE_DB);
        assert_eq!(all[0].kind, NameKind::PerDeployName);
        let postgres = all.iter().find(|c| c.name == "postgres").expect("postgres");
        assert!(!postgres.unique());
        let holders: Vec<&str> = postgres.holders.iter().map(|h| h.as_str()).collect();
        assert_eq!(holders, ["coolify-db", COMPOSE_DB]);
        assert_eq!(postgres.kind, NameKind::ComposeServiceOutsideStack);
    }

    #[test]
    fn inside_a_compose_app_the_service_name_beats_the_per_deploy_container_name() {
        let t = recorded();
        let c = best(&t, COMPOSE_DB, COMPOSE_WEB);
        assert_eq!((c.name.as_str(), c.kind), ("web", NameKind::StackService));
    }

    #[test]
    fn coolify_core_is_reached_by_its_container_name_not_its_compose_service_name() {
        let t = recorded();
        let c = best(&t, APP, "coolify-db");
        assert_eq!(
            (c.name.as_str(), c.kind),
            ("coolify-db", NameKind::ContainerName)
        );
    }

    #[test]
    fn the_short_id_is_the_last_resort() {
        let t = recorded();
        let app = t.container(APP).expect("app");
        let all = candidates(&t, t.container("coolify-db").expect("db"), app);
        assert_eq!(all.last().map(|c| c.kind), Some(NameKind::ShortId));
        assert!(!all.last().expect("some").stable);
    }

    #[test]
    fn a_name_is_ambiguous_when_another_network_of_the_source_gives_it_to_someone_else() {
        // client is on a and b; target holds `cache` on a, an unrelated container on b.
        let t = host(
            vec![
                on(on(container("client"), "a", &[]), "b", &[]),
                on(container("target"), "a", &["cache"]),
                on(container("other"), "b", &["cache"]),
            ],
            vec![],
        );
        let all = candidates(
            &t,
            t.container("client").expect("client"),
            t.container("target").expect("target"),
        );
        let cache = all.iter().find(|c| c.name == "cache").expect("cache");
        assert!(!cache.unique());
        assert_eq!(all[0].name, "target");
        assert_eq!(
            qualified(&t, t.container("target").expect("t"), "cache", "a"),
            Some("cache.a".to_owned())
        );
    }

    #[test]
    fn container_names_are_classified_by_coolifys_naming_rules() {
        assert_eq!(
            container_name_kind("ro8kcog4kso4ck0ows4k4wkw"),
            NameKind::ConsistentUuid
        );
        assert_eq!(
            container_name_kind("n8n-qg8s4kc0w4wsgk0k8c0ww8o4"),
            NameKind::StackName
        );
        assert_eq!(container_name_kind(APP), NameKind::PerDeployName);
        assert_eq!(container_name_kind("coolify-db"), NameKind::ContainerName);
        let t = host(
            vec![coolify(
                on(container("x-qg8s4kc0w4wsgk0k8c0ww8o4"), "n", &["x"]),
                "service",
                "qg8s4kc0w4wsgk0k8c0ww8o4",
                "x",
            )],
            vec![],
        );
        let x = t.container("x-qg8s4kc0w4wsgk0k8c0ww8o4").expect("x");
        let outsider = container("outsider");
        assert_eq!(
            name_kind(&outsider, x, "x"),
            NameKind::ComposeServiceOutsideStack
        );
        assert_eq!(name_kind(x, x, "x"), NameKind::StackService);
    }
}
