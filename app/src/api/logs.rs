//! `GET /api/logs?name=web&tail=500&since=1h&follow=1`: a container's log as server-sent
//! events. `name` is a name, short id or full id; `since` a duration back (`1h`) or a UTC time
//! (`2026-11-26T07:30:00Z`, `2026-11-26 07:30`). `lines` events carry a JSON array of [`LogLine`](crate::domain::logs::LogLine)s in
//! order; one `end` event carries a [`LogEnd`](crate::domain::logs::LogEnd) and closes the
//! stream. Refused input is a 400, an unknown container a 404, an unreachable engine a 503,
//! each with a one-line plain-text reason and before anything reaches the engine's log.
//!
//! The response body pulls from the engine's stream only as fast as the client reads, and is
//! dropped with the connection, which closes the engine's log request. Keep-alive comments
//! every 15 s make a departed viewer of a quiet container noticed within that time.

use crate::domain::logs::{Since, Tail};
use crate::domain::names::ContainerName;
use crate::engine::logs::{LogEvent, LogRequest};
use crate::engine::EngineError;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use std::convert::Infallible;

#[derive(Debug, Deserialize)]
pub struct LogParams {
    name: String,
    #[serde(default)]
    tail: Option<String>,
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    follow: Option<String>,
    /// The server the container is on; the engine netdoctor was started with when absent.
    #[serde(default)]
    server: Option<String>,
}

impl LogParams {
    fn parse(&self) -> Result<(ContainerName, LogRequest), String> {
        let name = ContainerName::parse(&self.name).map_err(|e| e.to_string())?;
        let tail = match &self.tail {
            Some(t) => Tail::parse(t)?,
            None => Tail::default(),
        };
        let since = match &self.since {
            Some(s) => Since::parse(s)?,
            None => Since::Any,
        };
        let follow = match self.follow.as_deref() {
            None | Some("1" | "true") => true,
            Some("0" | "false") => false,
            Some(other) => return Err(format!("follow must be 1 or 0 (got {other:?})")),
        };
        Ok((
            name,
            LogRequest {
                tail,
                since,
                follow,
            },
        ))
    }
}

pub async fn container_logs(
    State(state): State<AppState>,
    Query(params): Query<LogParams>,
) -> Response {
    let (name, request) = match params.parse() {
        Ok(parsed) => parsed,
        Err(reason) => return (StatusCode::BAD_REQUEST, reason).into_response(),
    };
    let engine = match state.fleet.engine_for(params.server.as_deref()) {
        Ok(engine) => engine,
        Err(crate::error::AppError::NotFound(message)) => {
            return (StatusCode::NOT_FOUND, message).into_response()
        }
        Err(other) => return (StatusCode::BAD_REQUEST, other.to_string()).into_response(),
    };
    let stream = match engine.logs(&name, request).await {
        Ok(stream) => stream,
        Err(EngineError::NotFound(message)) => {
            return (StatusCode::NOT_FOUND, message).into_response()
        }
        Err(EngineError::Unreachable(problem)) => {
            return (StatusCode::SERVICE_UNAVAILABLE, problem.headline()).into_response()
        }
        Err(other) => return (StatusCode::BAD_GATEWAY, other.to_string()).into_response(),
    };
    let events = stream.map(|event| {
        let event = match event {
            LogEvent::Lines(lines) => Event::default()
                .event("lines")
                .data(serde_json::to_string(&lines).unwrap_or_else(|_| "[]".into())),
            LogEvent::End(end) => Event::default()
                .event("end")
                .data(serde_json::to_string(&end).unwrap_or_else(|_| "{}".into())),
        };
        Ok::<_, Infallible>(event)
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}
