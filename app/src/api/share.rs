//! Shared links: "Share" freezes what is on screen into a redacted snapshot in the store and
//! answers a link with an unguessable token; the owner lists and revokes links; anyone with a
//! link reads that one snapshot (`/api/snapshot`, and the bundle as Markdown or JSON) and
//! nothing else. Creating, listing and revoking sit behind the session gate like every other
//! server function; reading by token is the only thing a link's viewer can do.

// `create_share` takes each kind's fields as plain form fields; the function the server macro
// generates from it trips this lint, which an item attribute cannot reach.
#![allow(clippy::too_many_arguments)]

use crate::domain::snapshot::{SharedLink, SharedLinks, SharedSnapshot};
use crate::error::AppError;
use leptos::prelude::*;

/// Freezes a screen. `kind` is `wizard` (with `report_id`, the id of a check the wizard ran),
/// `container` (with `container`) or `graph` (with `query`, the graph's URL query);
/// `log_lines` (at most 1,000) adds the last lines of the logs of the container, or of the
/// containers the wizard's check ran in. `taken_from` is the live page's path;
/// `ttl_hours` the link's life (default 7 days); `server` the server it was taken on (the
/// engine netdoctor was started with when absent). `POST /api/share/create`.
#[server(endpoint = "share/create")]
pub async fn create_share(
    kind: String,
    taken_from: String,
    #[server(default)] title: String,
    #[server(default)] ttl_hours: Option<u32>,
    #[server(default)] report_id: Option<String>,
    #[server(default)] container: Option<String>,
    #[server(default)] log_lines: Option<u32>,
    #[server(default)] query: Option<String>,
    #[server(default)] server: Option<String>,
) -> Result<SharedLink, AppError> {
    use crate::domain::snapshot::{Snapshot, SnapshotView};
    if !crate::domain::snapshot::is_local_path(&taken_from) {
        return Err(AppError::BadInput(
            "taken_from must be a path on this site, starting with /".into(),
        ));
    }
    let engine = crate::state::engine_for(server.as_deref())?;
    let view = match kind.as_str() {
        "wizard" => {
            let id = report_id.unwrap_or_default();
            let report = engine
                .check_progress(&id)
                .and_then(|p| p.report)
                .ok_or_else(|| {
                    AppError::NotFound(
                        "that check's result is no longer kept; run it again, then share".into(),
                    )
                })?;
            SnapshotView::Wizard { report }
        }
        "container" => {
            let name = crate::domain::names::ContainerName::parse(
                container.as_deref().unwrap_or_default(),
            )
            .map_err(|e| AppError::BadInput(e.to_string()))?;
            SnapshotView::Container {
                name: name.to_string(),
            }
        }
        "graph" => SnapshotView::Graph {
            query: query.unwrap_or_default().chars().take(1_000).collect(),
        },
        other => {
            return Err(AppError::BadInput(format!(
                "cannot share a {:?}; use wizard, container or graph",
                other.chars().take(40).collect::<String>()
            )))
        }
    };
    let title = match (title.trim(), &view) {
        ("", SnapshotView::Wizard { report }) => report.subject.clone(),
        ("", SnapshotView::Container { name, .. }) => format!("Container {name}"),
        ("", SnapshotView::Graph { .. }) => "Network graph".to_owned(),
        (given, _) => given.to_owned(),
    };
    // A snapshot of another server says which one in its title, as its live link does.
    let title = match server.as_deref().map(str::trim) {
        Some(named) if !named.is_empty() && named != "local" && !title.trim().is_empty() => {
            format!("{title} (server {named})")
        }
        _ => title,
    };
    let lines = log_lines
        .unwrap_or(0)
        .min(crate::domain::snapshot::MAX_LOG_LINES);
    let mut logs = Vec::new();
    if lines > 0 {
        for name in view.containers() {
            let name = crate::domain::names::ContainerName::parse(&name)
                .map_err(|e| AppError::BadInput(e.to_string()))?;
            logs.push(crate::domain::snapshot::ContainerLog {
                container: name.to_string(),
                lines: engine
                    .recent_logs(&name, lines, crate::domain::logs::Since::Any)
                    .await?,
            });
        }
    }
    let topology = crate::domain::graph::TopologyReport::new(engine.topology().await?);
    let snapshot = Snapshot::new(title, server::now_ms(), taken_from, view, topology, logs);
    server::store(snapshot, ttl_hours).await
}

/// Every link made here, newest first, with its state (never its token).
/// `GET /api/share/list`.
#[server(endpoint = "share/list", input = leptos::server_fn::codec::GetUrl)]
pub async fn list_shares() -> Result<SharedLinks, AppError> {
    let store = crate::state::shares()?;
    let list = store
        .list(std::time::SystemTime::now())
        .await
        .map_err(server::store_failed)?;
    Ok(SharedLinks {
        now_ms: server::now_ms(),
        links: list,
    })
}

/// Ends a link at once. `POST /api/share/revoke`.
#[server(endpoint = "share/revoke")]
pub async fn revoke_share(id: String) -> Result<bool, AppError> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::BadInput("not a link id".into()));
    }
    crate::state::shares()?
        .revoke(&id, std::time::SystemTime::now())
        .await
        .map_err(server::store_failed)
}

/// The snapshot behind a link, for anyone holding it. `GET /api/snapshot?token=…`.
#[server(endpoint = "snapshot", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_snapshot(token: String) -> Result<SharedSnapshot, AppError> {
    server::open(&crate::state::shares()?, &token).await
}

#[cfg(feature = "ssr")]
pub mod server {
    //! The store and the engine behind the server functions, and the bundle download.

    use crate::domain::snapshot::markdown::markdown;
    use crate::domain::snapshot::{SharedLink, SharedSnapshot, Snapshot};
    use crate::domain::time::utc_text;
    use crate::error::AppError;
    use crate::state::AppState;
    use crate::store::{NewShare, ShareStore, StoreError};
    use axum::extract::{Query, State};
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Response};
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    pub fn now_ms() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or_default()
    }

    pub fn store_failed(e: StoreError) -> AppError {
        tracing::error!(error = %e, "the share store failed");
        AppError::Internal
    }

    pub async fn store(snapshot: Snapshot, ttl_hours: Option<u32>) -> Result<SharedLink, AppError> {
        let payload = serde_json::to_string(&snapshot).map_err(|e| {
            tracing::error!(error = %e, "a snapshot did not serialise");
            AppError::Internal
        })?;
        let new = NewShare {
            kind: snapshot.view.kind().to_owned(),
            title: snapshot.title.clone(),
            payload,
            ttl: ttl_hours.map(|h| Duration::from_secs(u64::from(h) * 3600)),
        };
        let created = crate::state::shares()?
            .create(new, SystemTime::now())
            .await
            .map_err(|e| {
                if e.is_bad_input() {
                    AppError::BadInput(e.to_string())
                } else {
                    store_failed(e)
                }
            })?;
        Ok(SharedLink {
            path: format!("/s/{}", created.token),
            info: created.info,
        })
    }

    /// The snapshot for a token, or a message that says why not.
    pub async fn open(store: &ShareStore, token: &str) -> Result<SharedSnapshot, AppError> {
        let opened = store
            .open_token(token, SystemTime::now())
            .await
            .map_err(store_failed)?;
        // One message per refusal; a guessed token reads exactly like a mistyped one.
        let shared = opened.map_err(|refused| AppError::NotFound(refused.to_string()))?;
        let snapshot: Snapshot = serde_json::from_str(&shared.payload).map_err(|e| {
            tracing::error!(error = %e, id = %shared.info.id, "a stored snapshot did not parse");
            AppError::Internal
        })?;
        Ok(SharedSnapshot {
            snapshot,
            expires_at_ms: shared.info.expires_at_ms,
        })
    }

    #[derive(serde::Deserialize)]
    pub struct BundleQuery {
        token: String,
        #[serde(default)]
        format: String,
    }

    /// `GET /api/snapshot/bundle?token=…&format=md|json`: the support bundle as a download.
    pub async fn bundle(State(state): State<AppState>, Query(q): Query<BundleQuery>) -> Response {
        let shared = match open(&state.shares, &q.token).await {
            Ok(s) => s,
            Err(AppError::NotFound(why)) => return (StatusCode::NOT_FOUND, why).into_response(),
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        };
        let stamp = utc_text(shared.snapshot.taken_at_ms)
            .trim_end_matches(" UTC")
            .replace([' ', ':'], "-");
        let (body, mime, ext) = match q.format.as_str() {
            "json" => (
                serde_json::to_string_pretty(&shared.snapshot).unwrap_or_default(),
                "application/json",
                "json",
            ),
            _ => (
                markdown(&shared.snapshot),
                "text/markdown; charset=utf-8",
                "md",
            ),
        };
        (
            [
                (header::CONTENT_TYPE, mime.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"netdoctor-{stamp}.{ext}\""),
                ),
            ],
            body,
        )
            .into_response()
    }
}
