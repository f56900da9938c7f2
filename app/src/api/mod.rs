//! Server functions: one-line delegations to the engine and the domain.

pub mod checks;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod logs;
pub mod servers;
pub mod share;

use crate::domain::access::Capabilities;
use crate::domain::graph::TopologyReport;
use crate::domain::overview::Overview;
use crate::error::AppError;
use leptos::prelude::*;

/// The first screen: engine status and `docker ps -a`. `POST /api/overview` answers JSON.
#[server(endpoint = "overview")]
pub async fn get_overview(#[server(default)] server: Option<String>) -> Result<Overview, AppError> {
    Ok(crate::state::engine_for(server.as_deref())?
        .overview()
        .await?)
}

/// The network picture of the host (networks, containers, names, the proxy and its routes)
/// and the findings drawn on it. `GET /api/topology` answers JSON.
#[server(endpoint = "topology", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_topology(
    #[server(default)] server: Option<String>,
) -> Result<TopologyReport, AppError> {
    Ok(TopologyReport::new(
        crate::state::engine_for(server.as_deref())?
            .topology()
            .await?,
    ))
}

/// Reads the proxy's own routing table again now (the graph's "Re-read routes") and answers the
/// picture with it. `POST /api/routes/refresh`. In read-only mode only what needs no exec is
/// read (Traefik's dynamic files, Caddy's saved config).
#[server(endpoint = "routes/refresh")]
pub async fn reread_proxy_routes(
    #[server(default)] server: Option<String>,
) -> Result<TopologyReport, AppError> {
    Ok(TopologyReport::new(
        crate::state::engine_for(server.as_deref())?
            .topology_with_fresh_routes()
            .await?,
    ))
}

/// Who can talk to whom in a scope (`all`, `project:NAME`, `network:NAME`, `stack:UUID`): the
/// reachability matrix. `GET /api/reach?scope=…` answers JSON; `netdoctor reach --json` prints
/// the same.
#[server(endpoint = "reach", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_reach_matrix(
    scope: Option<String>,
    #[server(default)] server: Option<String>,
) -> Result<crate::domain::reachability::matrix::Matrix, AppError> {
    let scope = crate::domain::reachability::matrix::Scope::parse(scope.as_deref().unwrap_or(""))
        .map_err(AppError::BadInput)?;
    let topology = crate::state::engine_for(server.as_deref())?
        .topology_from_labels()
        .await?;
    Ok(crate::domain::reachability::matrix::matrix(
        &topology, &scope,
    ))
}

/// Whether a login guards this netdoctor and whether it runs read-only.
#[server(endpoint = "capabilities", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_capabilities() -> Result<Capabilities, AppError> {
    crate::state::capabilities()
}

/// One container for its page. The name comes from the URL: refused unless Docker would accept
/// it, before anything reaches the engine.
#[server(endpoint = "container", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_container(
    name: String,
    #[server(default)] server: Option<String>,
) -> Result<crate::domain::topology::Container, AppError> {
    let name = crate::domain::names::ContainerName::parse(&name)
        .map_err(|e| AppError::BadInput(e.to_string()))?;
    Ok(crate::state::engine_for(server.as_deref())?
        .container(&name)
        .await?)
}

/// "Reach it at" for one container: the name a peer on each of its networks should use, as the
/// reachability model picks it over the whole topology (so a name another container also
/// answers to is never offered as if it were unique). `GET /api/reach_at?name=…` answers JSON.
#[server(endpoint = "reach_at", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_reach_at(
    name: String,
    #[server(default)] server: Option<String>,
) -> Result<crate::domain::reach::ReachAt, AppError> {
    let name = crate::domain::names::ContainerName::parse(&name)
        .map_err(|e| AppError::BadInput(e.to_string()))?;
    let topology = crate::state::engine_for(server.as_deref())?
        .topology()
        .await?;
    let container = topology
        .container(name.as_str())
        .ok_or_else(|| AppError::NotFound(format!("no container named {name}")))?;
    Ok(crate::domain::reach::reach_at(&topology, container))
}

/// The name of Coolify's proxy container on this host, if there is one (`coolify-proxy`, or a
/// container labelled `coolify.proxy=true`). `GET /api/proxy` answers JSON.
#[server(endpoint = "proxy", input = leptos::server_fn::codec::GetUrl)]
pub async fn find_proxy(
    #[server(default)] server: Option<String>,
) -> Result<Option<String>, AppError> {
    let overview = crate::state::engine_for(server.as_deref())?
        .overview()
        .await?;
    Ok(
        crate::domain::containers::proxy_container(&overview.containers)
            .map(|r| r.name.to_string()),
    )
}
