//! The parts of the Docker Engine's JSON that netdoctor reads, in the Engine's own field names.
//! Both recorded fixtures and live answers (bollard's models re-serialised) arrive through these
//! types, so one conversion path is tested on both. Every field tolerates absence and `null`,
//! because the Engine omits or nulls fields across API versions.

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// `null` and absence both become the type's default.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
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
