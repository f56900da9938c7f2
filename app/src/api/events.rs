//! `GET /api/events`: server-sent events telling open pages that the engine changed. Names and
//! actions only; nothing else about the containers leaves through here.

use crate::engine::events::FeedEvent;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

pub async fn engine_events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.engine.changes();
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
