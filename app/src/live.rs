//! The browser's live link to the engine: one `EventSource` on `/api/events?server=…` (the
//! page's server) for the whole tab, turned into a version counter pages refetch on, and a
//! state the top bar shows. Reconnects by itself; changes arriving in a burst are coalesced
//! into one refresh.

use crate::domain::graph::TopologyReport;
use crate::domain::topology::Topology;
use crate::error::AppError;
use leptos::prelude::*;

/// What the live link knows right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    /// Not yet connected (and always during server rendering).
    Connecting,
    /// Connected, and the engine's event stream is flowing.
    Live,
    /// Connected to netdoctor, but netdoctor cannot reach the engine.
    EngineDown,
    /// The link to netdoctor's server dropped; retrying.
    Offline,
}

/// Provided once by the app; read with `use_context::<LiveFeed>()`.
#[derive(Debug, Clone, Copy)]
pub struct LiveFeed {
    /// Bumped whenever the engine reported a change that matters (or came back).
    pub version: ReadSignal<u64>,
    pub state: ReadSignal<LiveState>,
}

/// Wait after a change before refreshing, so a burst (a compose stack starting) is one refresh.
pub const COALESCE_MS: u32 = 300;

impl LiveFeed {
    /// Creates the feed of `server`'s engine; the connection starts once the page has hydrated,
    /// and moves to the other engine when the page's server changes.
    pub fn start(server: Memo<Option<String>>) -> Self {
        let (version, set_version) = signal(0u64);
        let (state, set_state) = signal(LiveState::Connecting);
        #[cfg(feature = "hydrate")]
        Effect::new(move |running: Option<futures_util::future::AbortHandle>| {
            if let Some(previous) = running {
                previous.abort();
            }
            let url = crate::domain::url::with_server("/api/events", server.get().as_deref());
            let (task, handle) = futures_util::future::abortable(run(url, set_version, set_state));
            leptos::task::spawn_local(async move {
                let _ = task.await;
            });
            handle
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (server, set_version, set_state);
        Self { version, state }
    }
}

/// Keeps `current` fresh in the browser: fetches again when the engine reports a change, and
/// as a safety net every `ok_seconds` (every `failing_seconds` while the last answer was an
/// error), one request at a time. Server rendering never fetches from here.
pub fn keep_fresh<T, F, Fut>(
    current: RwSignal<Result<T, AppError>>,
    fetch: F,
    ok_seconds: u32,
    failing_seconds: u32,
) where
    T: Send + Sync + 'static,
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + 'static,
{
    let since = StoredValue::new(0u32);
    let in_flight = StoredValue::new(false);
    // A change that arrives while a request is out must not be lost: ask once more after it.
    let again = StoredValue::new(false);
    let refresh = move || {
        since.set_value(0);
        if in_flight.get_value() {
            again.set_value(true);
            return;
        }
        in_flight.set_value(true);
        leptos::task::spawn_local(async move {
            loop {
                again.set_value(false);
                let answer = fetch().await;
                current.set(answer);
                if !again.get_value() {
                    break;
                }
            }
            in_flight.set_value(false);
        });
    };
    let version = use_live_feed().version;
    Effect::new(move |seen: Option<u64>| {
        let now = version.get();
        if seen.is_some_and(|v| v != now) {
            refresh();
        }
        now
    });
    Effect::new(move |_| {
        let tick = move || {
            let period = if current.with_untracked(Result::is_err) {
                failing_seconds
            } else {
                ok_seconds
            };
            let elapsed = since.get_value() + 1;
            if elapsed >= period {
                refresh();
            } else {
                since.set_value(elapsed);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
}

/// The network picture kept fresh (engine events, and a safety refresh every `ok_seconds`, or
/// `failing_seconds` while failing), split into what pages read.
pub struct LiveTopology {
    pub current: RwSignal<Result<TopologyReport, AppError>>,
    /// Why there is no picture, when there is none.
    pub problem: Memo<Option<AppError>>,
    pub topology: Memo<Option<Topology>>,
}

pub fn live_topology(
    first: Result<TopologyReport, AppError>,
    ok_seconds: u32,
    failing_seconds: u32,
) -> LiveTopology {
    let current = RwSignal::new(first);
    let server = crate::nav::use_server();
    keep_fresh(
        current,
        move || crate::api::get_topology(server.get_untracked()),
        ok_seconds,
        failing_seconds,
    );
    LiveTopology {
        current,
        problem: Memo::new(move |_| current.with(|r| r.as_ref().err().cloned())),
        topology: Memo::new(move |_| current.with(|r| r.as_ref().ok().map(|r| r.topology.clone()))),
    }
}

/// Returns the app's feed, or a quiet one (never changes) when none was provided.
pub fn use_live_feed() -> LiveFeed {
    use_context::<LiveFeed>().unwrap_or_else(|| LiveFeed {
        version: signal(0u64).0,
        state: signal(LiveState::Connecting).0,
    })
}

#[cfg(feature = "hydrate")]
async fn run(url: String, set_version: WriteSignal<u64>, set_state: WriteSignal<LiveState>) {
    use futures_util::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use gloo_timers::future::TimeoutFuture;
    use std::cell::Cell;
    use std::rc::Rc;

    let pending = Rc::new(Cell::new(false));
    loop {
        if let Ok(mut source) = EventSource::new(&url) {
            let subscriptions: Vec<_> = ["hello", "change", "engine-up", "engine-down"]
                .into_iter()
                .filter_map(|kind| source.subscribe(kind).ok())
                .collect();
            let mut events = futures_util::stream::select_all(subscriptions);
            while let Some(Ok((kind, _))) = events.next().await {
                match kind.as_str() {
                    "hello" => set_state.set(LiveState::Live),
                    "engine-down" => set_state.set(LiveState::EngineDown),
                    _ => {
                        set_state.set(LiveState::Live);
                        if !pending.replace(true) {
                            let pending = Rc::clone(&pending);
                            leptos::task::spawn_local(async move {
                                TimeoutFuture::new(COALESCE_MS).await;
                                pending.set(false);
                                set_version.update(|v| *v += 1);
                            });
                        }
                    }
                }
            }
            source.close();
        }
        set_state.set(LiveState::Offline);
        TimeoutFuture::new(2_000).await;
    }
}

/// Reads `?server=` from the address and provides it to everything inside, with the live feed
/// of that server's engine.
#[component]
pub fn ServerScope(children: Children) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let server = Memo::new(move |_| {
        query.with(|q| {
            q.get(crate::domain::url::SERVER_PARAM)
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty() && s != "local")
        })
    });
    provide_context(crate::nav::CurrentServer(server));
    provide_context(crate::nav::ServersChanged(RwSignal::new(0)));
    provide_context(LiveFeed::start(server));
    children()
}
