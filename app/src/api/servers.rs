//! The servers netdoctor reaches: list, add (proven before anything is stored), remove, and
//! their SSH host keys. Keys and certificates go in and never come back out: answers carry
//! names, endpoints and host-key fingerprints only.

// `add_server` takes the form's fields as plain form fields (so `curl -d` works); the function
// the server macro generates from it trips this lint, which an item attribute cannot reach.
#![allow(clippy::too_many_arguments)]

use crate::domain::servers::known_hosts::HostKeyCheck;
use crate::domain::servers::{AddOutcome, ServerInfo};
use crate::error::AppError;
use leptos::prelude::*;

/// Every server, `local` first. `GET /api/servers`.
#[server(endpoint = "servers", input = leptos::server_fn::codec::GetUrl)]
pub async fn list_servers() -> Result<Vec<ServerInfo>, AppError> {
    Ok(crate::state::fleet()?.list())
}

/// One server's line on the Servers page: engine, counts, worst finding, and how many
/// container pairs can talk, from the same model as its own pages. `GET /api/servers/summary?server=…`.
#[server(endpoint = "servers/summary", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_server_summary(
    #[server(default)] server: Option<String>,
) -> Result<crate::domain::servers::summary::ServerSummary, AppError> {
    use crate::domain::reachability::matrix::{matrix, Scope};
    let engine = crate::state::engine_for(server.as_deref())?;
    let (overview, topology) = tokio::join!(engine.overview(), engine.topology());
    let (overview, topology) = (overview?, topology?);
    let findings = crate::domain::findings::findings(&topology);
    let pairs = matrix(&topology, &Scope::All);
    Ok(crate::domain::servers::summary::ServerSummary::new(
        &overview.status,
        &findings,
        &pairs,
    ))
}

/// How long the all-servers views wait for any one server.
#[cfg(feature = "ssr")]
const FLEET_READ_LIMIT: std::time::Duration = std::time::Duration::from_secs(8);

/// What only several servers together show: routes on one server that dial a name running on
/// another, and which servers could not be read. `GET /api/servers/findings`.
#[server(endpoint = "servers/findings", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_fleet_findings() -> Result<FleetFindings, AppError> {
    let read = crate::state::fleet()?.topologies(FLEET_READ_LIMIT).await;
    let (found, unread) = split(&read);
    Ok(FleetFindings {
        findings: crate::domain::servers::across::findings(&found),
        unread,
    })
}

/// Containers (by name, alias, compose service or image) and domains matching `q` on every
/// server, at most 50. `GET /api/servers/search?q=…`.
#[server(endpoint = "servers/search", input = leptos::server_fn::codec::GetUrl)]
pub async fn search_servers(q: String) -> Result<FleetSearch, AppError> {
    if q.chars().count() > 100 {
        return Err(AppError::BadInput(
            "a search is at most 100 characters".into(),
        ));
    }
    let read = crate::state::fleet()?.topologies(FLEET_READ_LIMIT).await;
    let (found, unread) = split(&read);
    Ok(FleetSearch {
        hits: crate::domain::servers::across::search(&found, &q, 50),
        unread,
    })
}

/// The cross-server findings, and the servers they could not include.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FleetFindings {
    pub findings: Vec<crate::domain::servers::across::ServerFinding>,
    /// Server name and why it was not read.
    pub unread: Vec<(String, String)>,
}

/// What a search across servers found, and the servers it could not search.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FleetSearch {
    pub hits: Vec<crate::domain::servers::across::Hit>,
    pub unread: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
type Read = (
    crate::domain::servers::ServerName,
    Result<crate::domain::topology::Topology, AppError>,
);

/// Servers read (by name, with their topology), and those that were not (with why).
#[cfg(feature = "ssr")]
type Split<'a> = (
    Vec<(&'a str, &'a crate::domain::topology::Topology)>,
    Vec<(String, String)>,
);

/// The servers read, by name, and those that were not, with why.
#[cfg(feature = "ssr")]
fn split(read: &[Read]) -> Split<'_> {
    let mut found = Vec::new();
    let mut unread = Vec::new();
    for (name, result) in read {
        match result {
            Ok(t) => found.push((name.as_str(), t)),
            Err(e) => unread.push((name.to_string(), e.to_string())),
        }
    }
    (found, unread)
}

/// Adds a server: NAME (letters, digits, `_.-`), ENDPOINT (`ssh://user@host[:port]`,
/// `https://host:2376`, `tcp://host:2375`, `unix:///path`), the private key for `ssh://` or the
/// CA, client certificate and key (PEM) for TLS. An `ssh://` server whose host key is new
/// answers `HostKeyToAccept` with its fingerprints and stores nothing; the same form sent again
/// with `accept_host_key=SHA256:…` accepts that key. The server must answer before anything is
/// stored. `POST /api/servers/add`.
#[server(endpoint = "servers/add")]
pub async fn add_server(
    name: String,
    endpoint: String,
    #[server(default)] ssh_key: Option<String>,
    #[server(default)] tls_ca: Option<String>,
    #[server(default)] tls_cert: Option<String>,
    #[server(default)] tls_key: Option<String>,
    #[server(default)] accept_host_key: Option<String>,
) -> Result<AddOutcome, AppError> {
    use crate::domain::endpoint::Endpoint;
    use crate::domain::servers::ServerName;
    use crate::fleet::secrets::NewSecrets;
    let bad = |e: &dyn std::fmt::Display| AppError::BadInput(e.to_string());
    let name = ServerName::parse_new(&name).map_err(|e| bad(&e))?;
    let endpoint = Endpoint::parse(&endpoint).map_err(|e| bad(&e))?;
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().to_owned();
    let secrets = NewSecrets::for_endpoint(
        &endpoint,
        &text(&ssh_key),
        &text(&tls_ca),
        &text(&tls_cert),
        &text(&tls_key),
    )
    .map_err(AppError::BadInput)?;
    crate::state::fleet()?
        .add(crate::fleet::NewServer {
            name,
            endpoint,
            secrets,
            accept_host_key: accept_host_key.filter(|f| !f.trim().is_empty()),
        })
        .await
}

/// Removes a server and the key netdoctor kept for it. `POST /api/servers/remove`.
#[server(endpoint = "servers/remove")]
pub async fn remove_server(name: String) -> Result<(), AppError> {
    let name = parse_name(&name)?;
    crate::state::fleet()?.remove(&name).await
}

/// The host keys an `ssh://` server offers now against those accepted, with fingerprints.
/// `GET /api/servers/host_key?name=…`.
#[server(endpoint = "servers/host_key", input = leptos::server_fn::codec::GetUrl)]
pub async fn check_host_key(name: String) -> Result<HostKeyCheck, AppError> {
    let name = parse_name(&name)?;
    crate::state::fleet()?.check_host_key(&name).await
}

/// Accepts the host key with this fingerprint for a server with none accepted (a changed key
/// must be forgotten first). `POST /api/servers/accept_host_key`.
#[server(endpoint = "servers/accept_host_key")]
pub async fn accept_host_key(name: String, fingerprint: String) -> Result<HostKeyCheck, AppError> {
    let name = parse_name(&name)?;
    crate::state::fleet()?
        .accept_host_key(&name, &fingerprint)
        .await
}

/// Forgets the host keys accepted for a server, after the user checked on the server itself
/// that its key changed. `POST /api/servers/forget_host_key`.
#[server(endpoint = "servers/forget_host_key")]
pub async fn forget_host_key(name: String) -> Result<(), AppError> {
    let name = parse_name(&name)?;
    crate::state::fleet()?.forget_host_key(&name).await
}

#[cfg(feature = "ssr")]
fn parse_name(name: &str) -> Result<crate::domain::servers::ServerName, AppError> {
    crate::domain::servers::ServerName::parse(name).map_err(|e| AppError::BadInput(e.to_string()))
}
