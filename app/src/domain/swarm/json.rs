//! The parts of the Engine's Swarm answers netdoctor reads (`GET /info`'s `Swarm`, `/nodes`,
//! `/services`, `/tasks`, `/networks`), with the Engine's own field names. Live answers (through
//! bollard's models) and recorded fixtures take this one path.

use crate::domain::engine_json::nullable;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `GET /info`, the fields that say whether this engine is in a swarm and manages it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InfoJson {
    #[serde(default, deserialize_with = "nullable")]
    pub swarm: SwarmInfoJson,
}

/// `GET /info`'s `Swarm`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SwarmInfoJson {
    #[serde(rename = "NodeID", default, deserialize_with = "nullable")]
    pub node_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub node_addr: String,
    /// `inactive`, `pending`, `active`, `error`, `locked`.
    #[serde(default, deserialize_with = "nullable")]
    pub local_node_state: String,
    /// True on a manager: only managers answer `/services`, `/tasks` and `/nodes`.
    #[serde(default, deserialize_with = "nullable")]
    pub control_available: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub error: String,
}

/// One item of `GET /nodes`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NodeJson {
    #[serde(rename = "ID", default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub spec: NodeSpecJson,
    #[serde(default, deserialize_with = "nullable")]
    pub description: NodeDescriptionJson,
    #[serde(default, deserialize_with = "nullable")]
    pub status: NodeStatusJson,
    #[serde(default, deserialize_with = "nullable")]
    pub manager_status: ManagerStatusJson,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NodeSpecJson {
    #[serde(default, deserialize_with = "nullable")]
    pub role: String,
    #[serde(default, deserialize_with = "nullable")]
    pub availability: String,
    #[serde(default, deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NodeDescriptionJson {
    #[serde(default, deserialize_with = "nullable")]
    pub hostname: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NodeStatusJson {
    #[serde(default, deserialize_with = "nullable")]
    pub state: String,
    #[serde(default, deserialize_with = "nullable")]
    pub addr: String,
    #[serde(default, deserialize_with = "nullable")]
    pub message: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagerStatusJson {
    #[serde(default, deserialize_with = "nullable")]
    pub leader: bool,
}

/// One item of `GET /services`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceJson {
    #[serde(rename = "ID", default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub spec: ServiceSpecJson,
    #[serde(default, deserialize_with = "nullable")]
    pub endpoint: ServiceEndpointJson,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceSpecJson {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub task_template: TaskTemplateJson,
    #[serde(default, deserialize_with = "nullable")]
    pub mode: ServiceModeJson,
    #[serde(default, deserialize_with = "nullable")]
    pub endpoint_spec: EndpointSpecJson,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskTemplateJson {
    #[serde(default, deserialize_with = "nullable")]
    pub container_spec: ContainerSpecJson,
    #[serde(default, deserialize_with = "nullable")]
    pub networks: Vec<NetworkAttachmentConfigJson>,
    #[serde(default, deserialize_with = "nullable")]
    pub placement: PlacementJson,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerSpecJson {
    #[serde(default, deserialize_with = "nullable")]
    pub image: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAttachmentConfigJson {
    /// A network id or name.
    #[serde(default, deserialize_with = "nullable")]
    pub target: String,
    #[serde(default, deserialize_with = "nullable")]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PlacementJson {
    #[serde(default, deserialize_with = "nullable")]
    pub constraints: Vec<String>,
}

/// `{"Replicated": {"Replicas": 2}}`, `{"Global": {}}`, or the job modes of API 1.41.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceModeJson {
    #[serde(default)]
    pub replicated: Option<ReplicatedJson>,
    #[serde(default)]
    pub global: Option<serde_json::Value>,
    #[serde(default)]
    pub replicated_job: Option<serde_json::Value>,
    #[serde(default)]
    pub global_job: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicatedJson {
    #[serde(default, deserialize_with = "nullable")]
    pub replicas: u64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointSpecJson {
    #[serde(default, deserialize_with = "nullable")]
    pub ports: Vec<EndpointPortJson>,
}

/// The service's endpoint as the manager set it up: ports and a virtual IP per network.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceEndpointJson {
    #[serde(default, deserialize_with = "nullable")]
    pub ports: Vec<EndpointPortJson>,
    #[serde(rename = "VirtualIPs", default, deserialize_with = "nullable")]
    pub virtual_ips: Vec<VirtualIpJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointPortJson {
    #[serde(default, deserialize_with = "nullable")]
    pub protocol: String,
    #[serde(default, deserialize_with = "nullable")]
    pub target_port: u16,
    #[serde(default, deserialize_with = "nullable")]
    pub published_port: u16,
    /// `ingress` (the routing mesh, Docker's default) or `host`.
    #[serde(default, deserialize_with = "nullable")]
    pub publish_mode: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VirtualIpJson {
    #[serde(rename = "NetworkID", default, deserialize_with = "nullable")]
    pub network_id: String,
    /// `10.0.0.3/24`.
    #[serde(default, deserialize_with = "nullable")]
    pub addr: String,
}

/// One item of `GET /tasks`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskJson {
    #[serde(rename = "ID", default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(rename = "ServiceID", default, deserialize_with = "nullable")]
    pub service_id: String,
    /// Replicated services number their tasks; global ones leave it out.
    #[serde(default)]
    pub slot: Option<u64>,
    #[serde(rename = "NodeID", default, deserialize_with = "nullable")]
    pub node_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub desired_state: String,
    #[serde(default, deserialize_with = "nullable")]
    pub status: TaskStatusJson,
    #[serde(default, deserialize_with = "nullable")]
    pub networks_attachments: Vec<TaskNetworkJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskStatusJson {
    #[serde(default, deserialize_with = "nullable")]
    pub timestamp: String,
    #[serde(default, deserialize_with = "nullable")]
    pub state: String,
    #[serde(default, deserialize_with = "nullable")]
    pub message: String,
    #[serde(default, deserialize_with = "nullable")]
    pub err: String,
    #[serde(default, deserialize_with = "nullable")]
    pub container_status: TaskContainerStatusJson,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskContainerStatusJson {
    #[serde(rename = "ContainerID", default, deserialize_with = "nullable")]
    pub container_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub exit_code: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskNetworkJson {
    #[serde(default, deserialize_with = "nullable")]
    pub network: TaskNetworkRefJson,
    #[serde(default, deserialize_with = "nullable")]
    pub addresses: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskNetworkRefJson {
    #[serde(rename = "ID", default, deserialize_with = "nullable")]
    pub id: String,
}

/// One item of `GET /networks` (scope `swarm`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SwarmNetworkJson {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(rename = "Id", default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub driver: String,
    #[serde(default, deserialize_with = "nullable")]
    pub scope: String,
    #[serde(default, deserialize_with = "nullable")]
    pub attachable: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub ingress: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub internal: bool,
    #[serde(rename = "IPAM", default, deserialize_with = "nullable")]
    pub ipam: SwarmIpamJson,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SwarmIpamJson {
    #[serde(default, deserialize_with = "nullable")]
    pub config: Vec<SwarmIpamConfigJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SwarmIpamConfigJson {
    #[serde(default, deserialize_with = "nullable")]
    pub subnet: String,
}
