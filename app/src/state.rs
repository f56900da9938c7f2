//! Server state handed to every page render and server function.

use crate::domain::access::Capabilities;
use crate::engine::Engine;
use crate::error::AppError;
use crate::fleet::Fleet;
use crate::store::ShareStore;
use leptos::prelude::*;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The engine netdoctor was started with (`local` in the fleet).
    pub engine: Engine,
    /// Every server: `local` and those in the servers file.
    pub fleet: Fleet,
    /// Login and read-only mode, as the pages show them.
    pub capabilities: Capabilities,
    /// The shared diagnostic links (`shares.db` in the data directory).
    pub shares: ShareStore,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state the router provided to this render or server function.
fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// The engine.
pub fn engine() -> Result<Engine, AppError> {
    state().map(|s| s.engine)
}

/// Every server netdoctor reaches.
pub fn fleet() -> Result<Fleet, AppError> {
    state().map(|s| s.fleet)
}

/// The engine of the server a request names (`?server=`), `local` when it names none.
pub fn engine_for(server: Option<&str>) -> Result<Engine, AppError> {
    fleet()?.engine_for(server)
}

/// The shared-links store.
pub fn shares() -> Result<ShareStore, AppError> {
    state().map(|s| s.shares)
}

/// What this netdoctor allows.
pub fn capabilities() -> Result<Capabilities, AppError> {
    state().map(|s| s.capabilities)
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
