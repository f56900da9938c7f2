//! Checks that run commands inside containers, for the wizards and the connection builder's
//! "Test it". Every one is refused in read-only mode and on bad input before anything runs.

use crate::domain::checks::outcome::RunRecord;
use crate::domain::checks::report::CheckReport;
use crate::error::AppError;
use leptos::prelude::*;

/// "Can FROM reach TO (CONTAINER:PORT)?", optionally with an HTTP request; `name` looks up that
/// name (an alias, a service name) instead of the container's. `POST /api/check/reach`.
#[server(endpoint = "check/reach")]
pub async fn check_reach(
    from: String,
    to: String,
    http: bool,
    #[server(default)] name: Option<String>,
) -> Result<CheckReport, AppError> {
    crate::state::require_writable()?;
    let request =
        crate::domain::checks::ReachRequest::parse_with_name(&from, &to, http, name.as_deref())
            .map_err(|e| AppError::BadInput(e.to_string()))?;
    Ok(crate::state::engine()?.run_check(&request).await?)
}

/// "Can FROM reach the outside?" with a name, an IP and a URL (`None`: the documented defaults,
/// google.com, 8.8.8.8, http://google.com). `POST /api/check/external`.
#[server(endpoint = "check/external")]
pub async fn check_external(
    from: String,
    name: Option<String>,
    ip: Option<String>,
    url: Option<String>,
) -> Result<CheckReport, AppError> {
    crate::state::require_writable()?;
    let request = crate::domain::checks::ExternalRequest::parse(
        &from,
        name.as_deref(),
        ip.as_deref(),
        url.as_deref(),
    )
    .map_err(|e| AppError::BadInput(e.to_string()))?;
    Ok(crate::state::engine()?.run_check(&request).await?)
}

/// "Why does DOMAIN not reach its app?" through the live proxy (or the container `proxy`).
/// `POST /api/check/proxy`.
#[server(endpoint = "check/proxy")]
pub async fn check_proxy(
    domain: String,
    #[server(default)] proxy: Option<String>,
) -> Result<CheckReport, AppError> {
    crate::state::require_writable()?;
    let request = crate::domain::checks::ProxyRequest::parse(&domain, proxy.as_deref())
        .map_err(|e| AppError::BadInput(e.to_string()))?;
    Ok(crate::state::engine()?.run_check(&request).await?)
}

/// The most recent probe runs, newest first: what ran, where, when, and the result.
/// `GET /api/check/runs`.
#[server(endpoint = "check/runs", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_recent_runs() -> Result<Vec<RunRecord>, AppError> {
    Ok(crate::state::engine()?.recent_runs())
}
