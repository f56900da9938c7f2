//! Checks that run commands inside containers, for the wizards and the connection builder's
//! "Test it". Every one is refused in read-only mode and on bad input before anything runs.

// `start_check` takes every wizard's fields as plain form fields (so `curl -d` works); the
// function the server macro generates from it trips this lint, which an item attribute cannot
// reach.
#![allow(clippy::too_many_arguments)]

use crate::domain::checks::outcome::RunRecord;
use crate::domain::checks::report::{CheckProgress, CheckReport};
use crate::error::AppError;
use leptos::prelude::*;

/// "Can FROM reach TO (ADDRESS:PORT: a container name, alias, service name or IP)?", optionally with an HTTP request; `name` looks up that
/// name (an alias, a service name) instead of the container's; `tls` marks a TLS port (name and
/// TCP only, and the report says HTTP was not tried). `POST /api/check/reach`.
#[server(endpoint = "check/reach")]
pub async fn check_reach(
    from: String,
    to: String,
    http: bool,
    #[server(default)] name: Option<String>,
    #[server(default)] tls: bool,
    #[server(default)] server: Option<String>,
) -> Result<CheckReport, AppError> {
    crate::state::require_writable()?;
    let request =
        crate::domain::checks::ReachRequest::parse_with_name(&from, &to, http, name.as_deref())
            .map_err(|e| AppError::BadInput(e.to_string()))?
            .with_tls(tls);
    Ok(crate::state::engine_for(server.as_deref())?
        .run_check(&request)
        .await?)
}

/// What CONTAINER listens on right now (TCP sockets in the LISTEN state), read with the reach
/// check's listeners probe — same allow-list, same runner, recorded in the run log — for the
/// connection builder's port list. Refused in read-only mode. `POST /api/check/listening`.
#[server(endpoint = "check/listening")]
pub async fn get_listening_ports(
    container: String,
    #[server(default)] server: Option<String>,
) -> Result<crate::domain::connect::ports::Listening, AppError> {
    crate::state::require_writable()?;
    let name = crate::domain::names::ContainerName::parse(&container)
        .map_err(|e| AppError::BadInput(e.to_string()))?;
    Ok(crate::state::engine_for(server.as_deref())?
        .listening_ports(&name)
        .await?)
}

/// "Can FROM reach the outside?" with a name, an IP and a URL (`None`: the documented defaults,
/// google.com, 8.8.8.8, http://google.com). `POST /api/check/external`.
#[server(endpoint = "check/external")]
pub async fn check_external(
    from: String,
    name: Option<String>,
    ip: Option<String>,
    url: Option<String>,
    #[server(default)] server: Option<String>,
) -> Result<CheckReport, AppError> {
    crate::state::require_writable()?;
    let request = crate::domain::checks::ExternalRequest::parse(
        &from,
        name.as_deref(),
        ip.as_deref(),
        url.as_deref(),
    )
    .map_err(|e| AppError::BadInput(e.to_string()))?;
    Ok(crate::state::engine_for(server.as_deref())?
        .run_check(&request)
        .await?)
}

/// "Why does DOMAIN not reach its app?" through the live proxy (or the container `proxy`).
/// `POST /api/check/proxy`.
#[server(endpoint = "check/proxy")]
pub async fn check_proxy(
    domain: String,
    #[server(default)] proxy: Option<String>,
    #[server(default)] server: Option<String>,
) -> Result<CheckReport, AppError> {
    crate::state::require_writable()?;
    let request = crate::domain::checks::ProxyRequest::parse(&domain, proxy.as_deref())
        .map_err(|e| AppError::BadInput(e.to_string()))?;
    Ok(crate::state::engine_for(server.as_deref())?
        .run_check(&request)
        .await?)
}

/// Starts a wizard's check in the background and answers at once with its id; the page polls
/// [`get_check_progress`] to show each step as it finishes. `check` is `reach` (`from`, `to`,
/// `http`), `external` (`from`, `name`, `ip`, `url`) or `proxy` (`domain`, `proxy`); empty
/// optional fields take their defaults. `POST /api/check/start`.
#[server(endpoint = "check/start")]
pub async fn start_check(
    check: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] http: bool,
    #[server(default)] name: Option<String>,
    #[server(default)] ip: Option<String>,
    #[server(default)] url: Option<String>,
    #[server(default)] domain: String,
    #[server(default)] proxy: Option<String>,
    #[server(default)] server: Option<String>,
) -> Result<CheckProgress, AppError> {
    use crate::domain::checks::{ExternalRequest, ProxyRequest, ReachRequest};
    crate::state::require_writable()?;
    let bad = |e: crate::domain::checks::InputError| AppError::BadInput(e.to_string());
    let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let engine = crate::state::engine_for(server.as_deref())?;
    Ok(match check.as_str() {
        "reach" => engine.start_check(ReachRequest::parse(&from, &to, http).map_err(bad)?),
        "external" => engine.start_check(
            ExternalRequest::parse(
                &from,
                given(name).as_deref(),
                given(ip).as_deref(),
                given(url).as_deref(),
            )
            .map_err(bad)?,
        ),
        "proxy" => {
            engine.start_check(ProxyRequest::parse(&domain, given(proxy).as_deref()).map_err(bad)?)
        }
        other => {
            return Err(AppError::BadInput(format!(
                "there is no check named {:?}; use reach, external or proxy",
                other.chars().take(40).collect::<String>()
            )))
        }
    })
}

/// The steps so far of a check started with [`start_check`], then its report.
/// `GET /api/check/progress?id=…`.
#[server(endpoint = "check/progress", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_check_progress(
    id: String,
    #[server(default)] server: Option<String>,
) -> Result<CheckProgress, AppError> {
    if id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::BadInput("a check id is hexadecimal".into()));
    }
    crate::state::engine_for(server.as_deref())?
        .check_progress(&id)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no check with id {id} (netdoctor keeps the last 64)"
            ))
        })
}

/// The most recent probe runs, newest first: what ran, where, when, and the result.
/// `GET /api/check/runs`.
#[server(endpoint = "check/runs", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_recent_runs(
    #[server(default)] server: Option<String>,
) -> Result<Vec<RunRecord>, AppError> {
    Ok(crate::state::engine_for(server.as_deref())?.recent_runs())
}
