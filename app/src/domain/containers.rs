//! The container list as `docker ps -a` shows it: one row per container, newest first.

use crate::domain::coolify::{proxy_preference, CoolifyIdentity};
use crate::domain::engine_json::ContainerSummaryJson;
use crate::domain::names::{short_id, ContainerName};
use crate::domain::ports::{ports_from_engine, PortMapping};
use serde::{Deserialize, Serialize};

/// A container's lifecycle state, as the Engine reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerState {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
    Unknown,
}

impl ContainerState {
    pub fn from_engine(raw: &str) -> Self {
        match raw {
            "created" => Self::Created,
            "running" => Self::Running,
            "paused" => Self::Paused,
            "restarting" => Self::Restarting,
            "removing" => Self::Removing,
            "exited" => Self::Exited,
            "dead" => Self::Dead,
            _ => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Restarting => "restarting",
            Self::Removing => "removing",
            Self::Exited => "exited",
            Self::Dead => "dead",
            Self::Unknown => "unknown",
        }
    }

    /// Running now: the processes run and the network answers (not paused, not between
    /// restarts). What the reachability model and the checks mean by "running".
    pub fn is_running(self) -> bool {
        self == Self::Running
    }

    /// Listed by `docker ps` without `-a`: running, paused or restarting. What the container
    /// list's "running" filter and the overview's count mean.
    pub fn is_listed_by_docker_ps(self) -> bool {
        matches!(self, Self::Running | Self::Restarting | Self::Paused)
    }
}

/// A container's health check state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Health {
    Starting,
    Healthy,
    Unhealthy,
}

impl Health {
    /// The word Docker uses, also the CSS class suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
        }
    }
}

/// One row of the container list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerRow {
    pub id: String,
    pub name: ContainerName,
    pub image: String,
    pub state: ContainerState,
    /// The Engine's human status, e.g. `Up 5 minutes` or `Exited (3) 2 hours ago`.
    pub status: String,
    /// Unix seconds.
    pub created: i64,
    pub ports: Vec<PortMapping>,
    /// Names of the networks the container is attached to, sorted; `none` and `host` included.
    pub networks: Vec<String>,
    /// Coolify's identity from the labels (no label values beyond Coolify's own slugs).
    pub coolify: Option<CoolifyIdentity>,
    /// `com.docker.compose.project` / `.service`.
    pub compose_project: Option<String>,
    pub compose_service: Option<String>,
    /// From the status text: `(healthy)`, `(unhealthy)`, `(health: starting)`.
    pub health: Option<Health>,
}

/// Reads the health the Engine appends to a summary's status (`Up 3 minutes (healthy)`).
pub fn health_from_status(status: &str) -> Option<Health> {
    if status.contains("(unhealthy)") {
        Some(Health::Unhealthy)
    } else if status.contains("(healthy)") {
        Some(Health::Healthy)
    } else if status.contains("(health: starting)") {
        Some(Health::Starting)
    } else {
        None
    }
}

impl ContainerRow {
    pub fn from_engine(raw: &ContainerSummaryJson) -> Self {
        let name = raw
            .names
            .iter()
            .map(|n| n.strip_prefix('/').unwrap_or(n))
            // Legacy `--link` adds names like `/other/alias`; the real name has no inner `/`.
            .find(|n| !n.contains('/'))
            .map(ContainerName::from_engine)
            .unwrap_or_else(|| ContainerName::from_engine(short_id(&raw.id)));
        let mut networks: Vec<String> = raw.network_settings.networks.keys().cloned().collect();
        if networks.is_empty() && !raw.host_config.network_mode.is_empty() {
            networks.push(raw.host_config.network_mode.clone());
        }
        networks.sort();
        Self {
            id: raw.id.clone(),
            coolify: CoolifyIdentity::from_labels(name.as_str(), &raw.labels),
            name,
            image: raw.image.clone(),
            state: ContainerState::from_engine(&raw.state),
            status: raw.status.clone(),
            created: raw.created,
            ports: ports_from_engine(&raw.ports),
            networks,
            compose_project: raw.labels.get("com.docker.compose.project").cloned(),
            compose_service: raw.labels.get("com.docker.compose.service").cloned(),
            health: health_from_status(&raw.status),
        }
    }

    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }
}

/// Rows for a whole `docker ps -a` answer, in its order: newest first, then by name so equal
/// creation times never swap places between refreshes.
pub fn rows_from_engine(raw: &[ContainerSummaryJson]) -> Vec<ContainerRow> {
    let mut rows: Vec<ContainerRow> = raw.iter().map(ContainerRow::from_engine).collect();
    rows.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.name.cmp(&b.name)));
    rows
}

/// Coolify's proxy among the rows: a container named `coolify-proxy` or labelled
/// `coolify.proxy=true`, a running one first, the conventional name first among equals.
pub fn proxy_container(rows: &[ContainerRow]) -> Option<&ContainerRow> {
    rows.iter()
        .filter_map(|r| {
            let rank = proxy_preference(r.name.as_str(), r.coolify.as_ref(), r.state.is_running())?;
            Some((rank, r))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, r)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded() -> Vec<ContainerRow> {
        let raw: Vec<ContainerSummaryJson> =
            serde_json::from_str(include_str!("fixtures/containers-list-api-1.41.json"))
                .expect("fixture parses");
        rows_from_engine(&raw)
    }

    fn row<'a>(rows: &'a [ContainerRow], name: &str) -> &'a ContainerRow {
        rows.iter()
            .find(|r| r.name.as_str() == name)
            .expect("row exists")
    }

    #[test]
    fn every_recorded_container_becomes_a_row_with_its_plain_name() {
        let rows = recorded();
        let mut names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["fx-bridge", "fx-exited", "fx-none", "fx-stopped", "fx-web"]
        );
    }

    #[test]
    fn states_and_statuses_are_read_from_the_engine() {
        let rows = recorded();
        assert_eq!(row(&rows, "fx-web").state, ContainerState::Running);
        assert_eq!(row(&rows, "fx-exited").state, ContainerState::Exited);
        assert!(row(&rows, "fx-exited").status.starts_with("Exited (3)"));
        assert_eq!(row(&rows, "fx-stopped").state, ContainerState::Created);
    }

    #[test]
    fn published_ports_and_networks_are_listed_like_docker_ps() {
        let rows = recorded();
        let web = row(&rows, "fx-web");
        let ports: Vec<String> = web.ports.iter().map(ToString::to_string).collect();
        assert_eq!(
            ports,
            [
                "127.0.0.1:8080->80/tcp",
                "0.0.0.0:8443->443/tcp",
                "[::]:8443->443/tcp"
            ]
        );
        assert_eq!(web.networks, ["fx-coolify"]);
        assert_eq!(row(&rows, "fx-none").networks, ["none"]);
        assert_eq!(row(&rows, "fx-bridge").networks, ["bridge"]);
    }

    #[test]
    fn rows_come_newest_first_and_ties_by_name() {
        let rows = recorded();
        for pair in rows.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(a.created > b.created || (a.created == b.created && a.name <= b.name));
        }
    }

    #[test]
    fn health_is_read_from_the_status_text() {
        assert_eq!(
            health_from_status("Up 3 minutes (healthy)"),
            Some(Health::Healthy)
        );
        assert_eq!(
            health_from_status("Up 3 minutes (unhealthy)"),
            Some(Health::Unhealthy)
        );
        assert_eq!(
            health_from_status("Up 2 seconds (health: starting)"),
            Some(Health::Starting)
        );
        assert_eq!(health_from_status("Up 3 minutes"), None);
    }

    #[test]
    fn coolify_and_compose_identity_come_from_the_labels() {
        let raw = ContainerSummaryJson {
            id: "x".repeat(64),
            names: vec!["/n8n-qg8s4kc0w4wsgk0k8c0ww8o4".into()],
            labels: [
                ("coolify.managed", "true"),
                ("coolify.type", "service"),
                ("coolify.projectName", "my-project"),
                ("com.docker.compose.project", "qg8s4kc0w4wsgk0k8c0ww8o4"),
                ("com.docker.compose.service", "n8n"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            ..Default::default()
        };
        let row = ContainerRow::from_engine(&raw);
        assert_eq!(
            row.coolify.and_then(|i| i.project).as_deref(),
            Some("my-project")
        );
        assert_eq!(
            row.compose_project.as_deref(),
            Some("qg8s4kc0w4wsgk0k8c0ww8o4")
        );
        assert_eq!(row.compose_service.as_deref(), Some("n8n"));
    }

    #[test]
    fn a_container_without_names_is_shown_by_its_short_id() {
        let raw = ContainerSummaryJson {
            id: "0123456789abcdef".into(),
            ..Default::default()
        };
        assert_eq!(
            ContainerRow::from_engine(&raw).name.as_str(),
            "0123456789ab"
        );
    }

    #[test]
    fn legacy_link_names_do_not_hide_the_real_name() {
        let raw = ContainerSummaryJson {
            id: "x".repeat(64),
            names: vec!["/app/db".into(), "/db".into()],
            ..Default::default()
        };
        assert_eq!(ContainerRow::from_engine(&raw).name.as_str(), "db");
    }

    #[test]
    fn the_proxy_is_found_by_its_name_and_a_running_one_wins() {
        use crate::domain::coolify::CoolifyIdentity;
        let mut rows = recorded();
        assert!(
            proxy_container(&rows).is_none(),
            "no proxy on the recorded host"
        );
        let proxy = |row: &mut ContainerRow, name: &str| {
            row.name = ContainerName::from_engine(name);
            row.coolify = CoolifyIdentity::from_labels(name, &Default::default());
        };
        let exited = rows
            .iter()
            .position(|r| r.state == ContainerState::Exited)
            .unwrap();
        proxy(&mut rows[exited], "coolify-proxy");
        assert_eq!(
            proxy_container(&rows).unwrap().name.as_str(),
            "coolify-proxy"
        );
        let running = rows
            .iter()
            .position(|r| r.state == ContainerState::Running)
            .unwrap();
        let mut labels = std::collections::BTreeMap::new();
        labels.insert("coolify.proxy".to_owned(), "true".to_owned());
        rows[running].coolify = CoolifyIdentity::from_labels("edge", &labels);
        rows[running].name = ContainerName::from_engine("edge");
        assert_eq!(proxy_container(&rows).unwrap().name.as_str(), "edge");
    }
}
