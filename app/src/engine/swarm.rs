//! Reads the swarm an engine manages: nodes, services, tasks and overlay networks, only when
//! `/info` (which the topology read asks anyway) says this engine is a manager. A worker or an
//! engine outside a swarm costs nothing more.

use super::{to_domain, Engine, EngineError};
use crate::domain::swarm::json::{
    InfoJson, NodeJson, ServiceJson, SwarmInfoJson, SwarmNetworkJson, TaskJson,
};
use crate::domain::swarm::{is_manager, Swarm};
use bollard::models::SystemInfo;
use bollard::query_parameters::ListNetworksOptionsBuilder;
use bollard::Docker;
use std::collections::HashMap;

impl Engine {
    /// The swarm this engine manages, or `None` when it is not a manager (one `/info` call).
    pub async fn swarm(&self) -> Result<Option<Swarm>, EngineError> {
        let result = async {
            let docker = self.client().await?;
            let info = docker.info().await.map_err(|e| self.classify(e))?;
            self.swarm_from_info(&docker, Some(&info)).await
        }
        .await;
        self.forget_client_if_unreachable(result).await
    }

    /// The swarm, read only when `info` (already fetched) says this engine manages one: its
    /// nodes, services, tasks and swarm-scoped networks, concurrently.
    pub(super) async fn swarm_from_info(
        &self,
        docker: &Docker,
        info: Option<&SystemInfo>,
    ) -> Result<Option<Swarm>, EngineError> {
        let Some(swarm_info) = info.map(swarm_info).transpose()? else {
            return Ok(None);
        };
        if !is_manager(&swarm_info) {
            return Ok(None);
        }
        let scope = HashMap::from([("scope", vec!["swarm"])]);
        let networks = ListNetworksOptionsBuilder::default()
            .filters(&scope)
            .build();
        let (nodes, services, tasks, networks) = tokio::try_join!(
            async { docker.list_nodes(None).await.map_err(|e| self.classify(e)) },
            async {
                docker
                    .list_services(None)
                    .await
                    .map_err(|e| self.classify(e))
            },
            async { docker.list_tasks(None).await.map_err(|e| self.classify(e)) },
            async {
                docker
                    .list_networks(Some(networks))
                    .await
                    .map_err(|e| self.classify(e))
            },
        )?;
        let nodes: Vec<NodeJson> = to_domain(&nodes)?;
        let services: Vec<ServiceJson> = to_domain(&services)?;
        let tasks: Vec<TaskJson> = to_domain(&tasks)?;
        let networks: Vec<SwarmNetworkJson> = to_domain(&networks)?;
        Ok(Some(Swarm::from_engine(
            &swarm_info,
            &nodes,
            &services,
            &tasks,
            &networks,
        )))
    }
}

fn swarm_info(info: &SystemInfo) -> Result<SwarmInfoJson, EngineError> {
    to_domain::<_, InfoJson>(info).map(|i| i.swarm)
}
