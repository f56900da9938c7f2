//! One subscription to the Engine's event stream, shared by every open page: changes that
//! matter to the picture are broadcast; the subscription reconnects when the stream drops.

use super::Engine;
use crate::domain::events::{changes_topology, EngineChange};
use bollard::query_parameters::EventsOptionsBuilder;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::broadcast;

/// Events buffered per slow subscriber before it skips ahead (it only needs to refresh).
const CHANNEL_CAPACITY: usize = 64;
/// Wait before reconnecting after the stream ended or the engine was unreachable.
const RECONNECT_DELAYS: [Duration; 4] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(5),
];

/// The broadcast side of the engine's change feed.
pub(super) struct ChangeFeed {
    sender: broadcast::Sender<FeedEvent>,
}

/// What subscribers receive: a change, or news about the feed itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedEvent {
    /// The engine's event stream is (again) connected: anything may have changed meanwhile.
    Connected,
    /// The engine's event stream dropped; reconnecting.
    Disconnected,
    Change(EngineChange),
}

impl ChangeFeed {
    pub(super) fn new() -> Self {
        Self {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
        }
    }
}

impl Engine {
    /// Subscribes to the engine's changes. The first subscriber starts the shared watcher.
    pub fn changes(&self) -> broadcast::Receiver<FeedEvent> {
        let receiver = self.inner.feed.sender.subscribe();
        if !self
            .inner
            .watching
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            let engine = self.clone();
            tokio::spawn(async move { engine.watch().await });
        }
        receiver
    }

    /// Follows `GET /events` forever, reconnecting with growing delays.
    async fn watch(self) {
        let sender = self.inner.feed.sender.clone();
        let mut failures = 0usize;
        loop {
            match self.client().await {
                Ok(docker) => {
                    // Reaching the engine again means anything may have changed meanwhile.
                    let _ = sender.send(FeedEvent::Connected);
                    let filters = HashMap::from([("type", vec!["container", "network"])]);
                    let options = EventsOptionsBuilder::default().filters(&filters).build();
                    let mut stream = docker.events(Some(options));
                    while let Some(item) = stream.next().await {
                        let Ok(event) = item else { break };
                        failures = 0;
                        let kind = event.typ.map(|t| t.to_string()).unwrap_or_default();
                        let action = event.action.unwrap_or_default();
                        if changes_topology(&kind, &action) {
                            let actor = event.actor.unwrap_or_default();
                            let subject = actor
                                .attributes
                                .and_then(|mut a| a.remove("name"))
                                .or(actor.id)
                                .unwrap_or_default();
                            let _ = sender.send(FeedEvent::Change(EngineChange {
                                kind,
                                action,
                                subject,
                            }));
                        }
                    }
                    let _ = sender.send(FeedEvent::Disconnected);
                    // The stream ending may mean the engine went away: reconnect from scratch.
                    self.forget_client().await;
                }
                Err(e) => tracing::debug!("engine events: {e}"),
            }
            let delay = RECONNECT_DELAYS[failures.min(RECONNECT_DELAYS.len() - 1)];
            failures += 1;
            tokio::time::sleep(delay).await;
        }
    }
}
