#![recursion_limit = "256"]
//! netdoctor's server: configuration, the axum router around the Leptos app, and start-up.
//! `main` only wires these together, so tests can build the same router.

pub mod auth;
pub mod config;

use app::state::AppState;
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};

/// Every route netdoctor serves: the app's pages, its server functions, static files under
/// the site root, and `/healthz` for health checks.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/events", get(app::api::events::engine_events))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
}
