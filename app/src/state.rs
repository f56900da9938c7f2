//! Server state handed to every page render and server function.

use crate::engine::Engine;
use crate::error::AppError;
use leptos::prelude::*;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub engine: Engine,
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
