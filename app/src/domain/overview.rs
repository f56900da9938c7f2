//! What the first screen shows: the engine status strip and the container list.

use crate::domain::containers::{rows_from_engine, ContainerRow};
use crate::domain::engine_json::{ContainerSummaryJson, VersionJson};
use serde::{Deserialize, Serialize};

/// The engine status strip: who answered, which API both sides agreed on, and counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineStatus {
    /// `unix:///var/run/docker.sock`, `tcp://…`.
    pub endpoint: String,
    pub engine_version: String,
    /// The newest API the engine speaks.
    pub engine_api_version: String,
    /// The API version netdoctor uses after negotiation (≤ both sides' maximum).
    pub negotiated_api_version: String,
    pub os: String,
    pub arch: String,
    pub containers: usize,
    pub running: usize,
    pub networks: usize,
}

/// The first screen: status and `docker ps -a`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub status: EngineStatus,
    pub containers: Vec<ContainerRow>,
}

impl Overview {
    /// Builds the screen from the Engine's answers to `/version`, `/containers/json?all=1` and
    /// the number of networks `/networks` listed.
    pub fn from_engine(
        endpoint: String,
        negotiated_api_version: String,
        version: &VersionJson,
        containers: &[ContainerSummaryJson],
        networks: usize,
    ) -> Self {
        let containers = rows_from_engine(containers);
        let running = containers
            .iter()
            .filter(|c| c.state.is_listed_by_docker_ps())
            .count();
        Self {
            status: EngineStatus {
                endpoint,
                engine_version: version.version.clone(),
                engine_api_version: version.api_version.clone(),
                negotiated_api_version,
                os: version.os.clone(),
                arch: version.arch.clone(),
                containers: containers.len(),
                running,
                networks,
            },
            containers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_counts_containers_running_ones_and_networks() {
        let version: VersionJson =
            serde_json::from_str(include_str!("fixtures/version-api-1.41.json")).expect("parses");
        let containers: Vec<ContainerSummaryJson> =
            serde_json::from_str(include_str!("fixtures/containers-list-api-1.41.json"))
                .expect("parses");
        let o = Overview::from_engine(
            "unix:///var/run/docker.sock".into(),
            "1.41".into(),
            &version,
            &containers,
            4,
        );
        assert_eq!(o.status.containers, 5);
        assert_eq!(o.status.running, 3);
        assert_eq!(o.status.networks, 4);
        assert_eq!(o.status.engine_version, "20.10.24+dfsg1");
        assert_eq!(o.status.negotiated_api_version, "1.41");
        assert_eq!(o.containers.len(), 5);
    }
}
