//! `GET /api/events`: server-sent events telling open pages that the engine changed. Names and
//! actions only; nothing else about the containers leaves through here.

use crate::engine::events::FeedEvent;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

/// `?server=NAME`: whose engine; the one netdoctor was started with when absent.
#[derive(Debug, serde::Deserialize)]
pub struct EventParams {
    #[serde(default)]
    server: Option<String>,
}

pub async fn engine_events(
    State(state): State<AppState>,
    Query(params): Query<EventParams>,
) -> Response {
    match state.fleet.engine_for(params.server.as_deref()) {
        Ok(engine) => feed(engine.changes()).into_response(),
        Err(crate::error::AppError::NotFound(message)) => {
            (StatusCode::NOT_FOUND, message).into_response()
        }
        Err(other) => (StatusCode::BAD_REQUEST, other.to_string()).into_response(),
    }
}

fn feed(
    receiver: tokio::sync::broadcast::Receiver<FeedEvent>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let hello = stream::once(async { Ok(Event::default().event("hello").data("{}")) });
    let changes = stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(FeedEvent::Change(change)) => {
                let data = serde_json::to_string(&change).unwrap_or_else(|_| "{}".to_owned());
                Event::default().event("change").data(data)
            }
            Ok(FeedEvent::Connected) => Event::default().event("engine-up").data("{}"),
            Ok(FeedEvent::Disconnected) => Event::default().event("engine-down").data("{}"),
            // Missed some changes: one refresh covers them all.
            Err(RecvError::Lagged(_)) => Event::default().event("change").data("{}"),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(event), receiver))
    });
    Sse::new(hello.chain(changes)).keep_alive(KeepAlive::default())
}
