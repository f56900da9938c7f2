//! Server state handed to every page render and server function.

use crate::domain::access::Capabilities;
use crate::engine::Engine;
use crate::error::AppError;
use leptos::prelude::*;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub engine: Engine,
    /// Login and read-only mode, as the pages show them.
    pub capabilities: Capabilities,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The engine, from the state the router provided.
pub fn engine() -> Result<Engine, AppError> {
    use_context::<AppState>().map(|s| s.engine).ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// What this netdoctor allows.
pub fn capabilities() -> Result<Capabilities, AppError> {
    use_context::<AppState>()
        .map(|s| s.capabilities)
        .ok_or(AppError::Internal)
}

/// Refuses when netdoctor runs read-only: every exec-based check and debug container must call
/// this before anything runs.
pub fn require_writable() -> Result<(), AppError> {
    if capabilities()?.read_only {
        Err(AppError::ReadOnly)
    } else {
        Ok(())
    }
}
