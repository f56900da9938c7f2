//! Server functions: one-line delegations to the engine and the domain.

use crate::domain::overview::Overview;
use crate::error::AppError;
use leptos::prelude::*;

/// The first screen: engine status and `docker ps -a`. `POST /api/overview` answers JSON.
#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    Ok(crate::state::engine()?.overview().await?)
}
