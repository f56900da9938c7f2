#![recursion_limit = "256"]
//! netdoctor's server: configuration, the axum router around the Leptos app, and start-up.
//! `main` only wires these together, so tests can build the same router.

pub mod access;
pub mod auth;
pub mod cli;
pub mod config;
pub mod health;
pub mod statics;

use access::Access;
use app::state::AppState;
use app::{shell, App};
use axum::routing::{get, post};
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;

/// The routes registered here beside the app's pages and server functions (method, path), so
/// the access tests can enumerate every route the router has.
pub const SERVER_ROUTES: [(&str, &str); 7] = [
    ("GET", "/healthz"),
    ("GET", "/api/events"),
    ("GET", "/api/logs"),
    ("GET", "/api/snapshot/bundle"),
    ("POST", "/auth/login"),
    ("POST", "/auth/logout"),
    ("POST", "/auth/password"),
];

/// Every route netdoctor serves — the app's pages, its server functions, the event stream,
/// static files under the site root, `/healthz` and the `/auth/*` forms — behind the access
/// gate. Static files have routes of their own that never render the app: a miss under `/pkg/`
/// is a plain 404.
pub fn router(state: AppState, access: Arc<Access>) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let site_root = std::path::PathBuf::from(options.site_root.as_ref());
    let pkg_dir = site_root.join(options.site_pkg_dir.as_ref());
    let auth = Router::new()
        .route("/auth/login", post(access::login))
        .route("/auth/logout", post(access::logout))
        .route("/auth/password", post(access::change_password))
        .with_state(Arc::clone(&access));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/events", get(app::api::events::engine_events))
        .route("/api/logs", get(app::api::logs::container_logs))
        .route("/api/snapshot/bundle", get(app::api::share::server::bundle))
        .nest_service("/pkg", statics::pkg(&pkg_dir))
        .route_service("/robots.txt", statics::file(&site_root.join("robots.txt")))
        .route_service(
            "/favicon.ico",
            statics::file(&site_root.join("favicon.ico")),
        )
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
        .merge(auth)
        .layer(statics::compression())
        .layer(axum::middleware::from_fn_with_state(access, access::gate))
}
