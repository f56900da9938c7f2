//! The parts of the Docker Engine's JSON that netdoctor reads, in the Engine's own field names.
//! Both recorded fixtures and live answers (bollard's models re-serialised) arrive through these
//! types, so one conversion path is tested on both. Every field tolerates absence and `null`,
//! because the Engine omits or nulls fields across API versions.

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// `null` and absence both become the type's default (for `deserialize_with`; the swarm's
/// answers use it too).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// One item of `GET /containers/json?all=1`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerSummaryJson {
    #[serde(rename = "Id", default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub names: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub image: String,
    #[serde(default, deserialize_with = "nullable")]
    pub created: i64,
    #[serde(default, deserialize_with = "nullable")]
    pub ports: Vec<PortJson>,
    #[serde(default, deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub state: String,
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    #[serde(default, deserialize_with = "nullable")]
    pub host_config: SummaryHostConfigJson,
    #[serde(default, deserialize_with = "nullable")]
    pub network_settings: SummaryNetworkSettingsJson,
}

/// One entry of a summary's `Ports`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortJson {
    #[serde(rename = "IP", default, deserialize_with = "nullable")]
    pub ip: String,
    #[serde(default, deserialize_with = "nullable")]
    pub private_port: u16,
    #[serde(default)]
    pub public_port: Option<u16>,
    #[serde(rename = "Type", default, deserialize_with = "nullable")]
    pub protocol: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SummaryHostConfigJson {
    #[serde(default, deserialize_with = "nullable")]
    pub network_mode: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SummaryNetworkSettingsJson {
    /// Network name → endpoint; only the names are used here.
    #[serde(default, deserialize_with = "nullable")]
    pub networks: BTreeMap<String, serde_json::Value>,
}

/// `GET /version`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionJson {
    #[serde(default, deserialize_with = "nullable")]
    pub version: String,
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    #[serde(rename = "MinAPIVersion", default, deserialize_with = "nullable")]
    pub min_api_version: String,
    #[serde(default, deserialize_with = "nullable")]
    pub os: String,
    #[serde(default, deserialize_with = "nullable")]
    pub arch: String,
}

/// `GET /containers/{id}/json`: the parts the topology reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspectJson {
    #[serde(rename = "Id", default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub created: String,
    #[serde(default, deserialize_with = "nullable")]
    pub restart_count: i64,
    #[serde(default, deserialize_with = "nullable")]
    pub state: ContainerStateJson,
    #[serde(default, deserialize_with = "nullable")]
    pub config: ContainerConfigJson,
    #[serde(default, deserialize_with = "nullable")]
    pub host_config: HostConfigJson,
    #[serde(default, deserialize_with = "nullable")]
    pub network_settings: NetworkSettingsJson,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerStateJson {
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    #[serde(default, deserialize_with = "nullable")]
    pub running: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub restarting: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub exit_code: i64,
    #[serde(default, deserialize_with = "nullable")]
    pub started_at: String,
    #[serde(default)]
    pub health: Option<HealthJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthJson {
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    #[serde(default, deserialize_with = "nullable")]
    pub failing_streak: i64,
}

/// `Config`: the image reference, labels and exposed ports. `Env` is deliberately not read:
/// it holds secrets and netdoctor never needs it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfigJson {
    #[serde(default, deserialize_with = "nullable")]
    pub image: String,
    #[serde(default, deserialize_with = "nullable")]
    pub hostname: String,
    #[serde(default, deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
    /// `{"3001/tcp": {}}`.
    #[serde(default, deserialize_with = "nullable")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostConfigJson {
    #[serde(default, deserialize_with = "nullable")]
    pub network_mode: String,
    /// Requested bindings: `{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}`.
    #[serde(default, deserialize_with = "nullable")]
    pub port_bindings: BTreeMap<String, Option<Vec<PortBindingJson>>>,
    /// `--add-host` entries: `["host.docker.internal:host-gateway"]`.
    #[serde(default, deserialize_with = "nullable")]
    pub extra_hosts: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortBindingJson {
    #[serde(default, deserialize_with = "nullable")]
    pub host_ip: String,
    #[serde(default, deserialize_with = "nullable")]
    pub host_port: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkSettingsJson {
    /// Runtime bindings; exposed-but-unpublished ports map to `null`.
    #[serde(default, deserialize_with = "nullable")]
    pub ports: BTreeMap<String, Option<Vec<PortBindingJson>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub networks: BTreeMap<String, EndpointJson>,
}

/// One network endpoint of a container. `DNSNames` exists from API 1.44; from 1.45 `Aliases`
/// holds only what was submitted (no short ID).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointJson {
    #[serde(rename = "NetworkID", default, deserialize_with = "nullable")]
    pub network_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub aliases: Vec<String>,
    #[serde(rename = "DNSNames", default)]
    pub dns_names: Option<Vec<String>>,
    #[serde(rename = "IPAddress", default, deserialize_with = "nullable")]
    pub ip_address: String,
    #[serde(rename = "IPPrefixLen", default, deserialize_with = "nullable")]
    pub ip_prefix_len: i64,
    #[serde(default, deserialize_with = "nullable")]
    pub gateway: String,
    #[serde(rename = "GlobalIPv6Address", default, deserialize_with = "nullable")]
    pub global_ipv6_address: String,
}

/// `GET /networks/{id}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInspectJson {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(rename = "Id", default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub driver: String,
    #[serde(default, deserialize_with = "nullable")]
    pub scope: String,
    #[serde(default, deserialize_with = "nullable")]
    pub internal: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub attachable: bool,
    #[serde(rename = "EnableIPv6", default, deserialize_with = "nullable")]
    pub enable_ipv6: bool,
    #[serde(rename = "IPAM", default, deserialize_with = "nullable")]
    pub ipam: IpamJson,
    /// Container ID → endpoint; filled by inspect, never by the list call.
    #[serde(default, deserialize_with = "nullable")]
    pub containers: BTreeMap<String, NetworkMemberJson>,
    #[serde(default, deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpamJson {
    #[serde(default, deserialize_with = "nullable")]
    pub config: Vec<IpamConfigJson>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpamConfigJson {
    #[serde(default, deserialize_with = "nullable")]
    pub subnet: String,
    #[serde(default, deserialize_with = "nullable")]
    pub gateway: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkMemberJson {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(rename = "IPv4Address", default, deserialize_with = "nullable")]
    pub ipv4_address: String,
    #[serde(rename = "IPv6Address", default, deserialize_with = "nullable")]
    pub ipv6_address: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_with_null_fields_still_parses() {
        let raw = r#"{"Id":"abc","Names":null,"Ports":null,"Labels":null,"State":"running","NetworkSettings":{"Networks":null}}"#;
        let parsed: ContainerSummaryJson = serde_json::from_str(raw).expect("parses");
        assert_eq!(parsed.id, "abc");
        assert!(
            parsed.names.is_empty()
                && parsed.ports.is_empty()
                && parsed.network_settings.networks.is_empty()
        );
    }

    #[test]
    fn the_recorded_version_of_engine_20_10_parses() {
        let parsed: VersionJson =
            serde_json::from_str(include_str!("fixtures/version-api-1.41.json")).expect("parses");
        assert_eq!(parsed.version, "20.10.24+dfsg1");
        assert_eq!(parsed.api_version, "1.41");
        assert_eq!(parsed.min_api_version, "1.12");
    }
}
