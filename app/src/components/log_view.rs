//! The Logs view: a container's log, live. One `EventSource` on `/api/logs` per view; the lines
//! land in a capped [`LogWindow`] and only the rows in sight are rendered, so a chatty container
//! costs the tab a fixed amount of memory and DOM. Stdout and stderr are told apart, ANSI
//! colours rendered, search highlighted; pause, timestamps, tail, since and streams live in the
//! URL, so a link reproduces the view.

use crate::domain::logs::search::{pieces, MAX_QUERY};
use crate::domain::logs::window::{visible_rows, WINDOW_CAP};
use crate::domain::logs::{
    group_digits, LogLine, LogQuery, LogStream, LogWindow, Since, StreamFilter, Tail,
};
use crate::domain::url::encode_query;
use crate::testids;
use leptos::html::Div;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

/// Height of one log row in pixels; `style/main.css` gives `.log-row` the same.
pub const ROW_HEIGHT: f64 = 18.0;
/// Rows rendered beyond the viewport on either side, so fast scrolling shows no gaps.
const OVERSCAN: usize = 30;
/// How close to the bottom (px) still counts as "at the newest line", which keeps following.
const STICK_DISTANCE: f64 = 2.0 * ROW_HEIGHT;

const TAIL_CHOICES: [(&str, &str); 5] = [
    ("100", "last 100"),
    ("500", "last 500"),
    ("1000", "last 1,000"),
    ("5000", "last 5,000"),
    ("all", "all"),
];
const SINCE_CHOICES: [(&str, &str); 7] = [
    ("", "any time"),
    ("5m", "5 min"),
    ("15m", "15 min"),
    ("1h", "1 hour"),
    ("6h", "6 hours"),
    ("1d", "1 day"),
    ("7d", "7 days"),
];

/// Where the stream stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamStatus {
    Connecting,
    Live,
    /// The server ended the stream; why.
    Ended(String),
    /// The stream could not be opened or broke.
    Failed(String),
}

/// Everything the view's parts share. Copy: signals and stored values only.
#[derive(Clone, Copy)]
struct LogState {
    window: StoredValue<LogWindow>,
    /// Lines that arrived while paused, shown on resume.
    held: StoredValue<LogWindow>,
    /// Bumped whenever the window changed.
    tick: RwSignal<u64>,
    status: RwSignal<StreamStatus>,
    paused: RwSignal<bool>,
    /// Lines held while paused.
    held_count: RwSignal<usize>,
    /// Keep scrolled to the newest line.
    stick: RwSignal<bool>,
    scroll_top: RwSignal<f64>,
    viewport: RwSignal<f64>,
    /// Bumped by "Reconnect" to open the stream again.
    restart: RwSignal<u64>,
    /// Told when the server ends the stream (the container stopped or went away).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    on_end: Option<Callback<()>>,
}

impl LogState {
    fn new(on_end: Option<Callback<()>>) -> Self {
        Self {
            window: StoredValue::new(LogWindow::new(WINDOW_CAP)),
            held: StoredValue::new(LogWindow::new(WINDOW_CAP)),
            tick: RwSignal::new(0),
            status: RwSignal::new(StreamStatus::Connecting),
            paused: RwSignal::new(false),
            held_count: RwSignal::new(0),
            stick: RwSignal::new(true),
            scroll_top: RwSignal::new(0.0),
            viewport: RwSignal::new(480.0),
            restart: RwSignal::new(0),
            on_end,
        }
    }

    /// A new stream begins: empty window, nothing held.
    fn reset(&self) {
        self.window.set_value(LogWindow::new(WINDOW_CAP));
        self.held.set_value(LogWindow::new(WINDOW_CAP));
        self.held_count.set(0);
        self.status.set(StreamStatus::Connecting);
        self.stick.set(true);
        self.tick.update(|t| *t += 1);
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    /// A batch from the server. One stream is one `EventSource` connection: `follow` closes it
    /// when it drops, before the browser's own retry could send the tail again, and only
    /// "Reconnect" opens another (with a fresh window), so the numbering never starts over.
    fn receive(&self, batch: Vec<LogLine>) {
        self.status.set(StreamStatus::Live);
        if self.paused.get_untracked() {
            self.held.update_value(|h| h.push(batch));
            self.held_count.set(self.held.with_value(|h| h.len()));
        } else {
            self.window.update_value(|w| w.push(batch));
            self.tick.update(|t| *t += 1);
        }
    }

    fn resume(&self) {
        let held = self.held.with_value(|h| {
            (0..h.len())
                .filter_map(|i| h.get(i).cloned())
                .collect::<Vec<_>>()
        });
        self.held.set_value(LogWindow::new(WINDOW_CAP));
        self.held_count.set(0);
        self.window.update_value(|w| w.push(held));
        self.paused.set(false);
        self.stick.set(true);
        self.tick.update(|t| *t += 1);
    }
}

#[component]
pub fn LogView(
    /// The container whose log this is.
    #[prop(into)]
    name: String,
    /// Called when the server ends the stream, as when the container stops: the page shows
    /// the container's new state.
    #[prop(optional, into)]
    on_end: Option<Callback<()>>,
) -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| LogQuery::from_params(|k| p.get(k))));
    let navigate = use_navigate();
    let location = use_location();
    let set_query = Callback::new(move |next: LogQuery| {
        let path = location.pathname.get_untracked();
        let params = encode_query(&next.to_params());
        let url = if params.is_empty() {
            path
        } else {
            format!("{path}?{params}")
        };
        navigate(&crate::nav::here(url), crate::nav::in_place());
    });
    let state = LogState::new(on_end);
    let server = crate::nav::use_server();

    // The stream's own parameters: changing tail or since (or "Reconnect") opens a new one.
    let stream_url = Memo::new({
        let name = name.clone();
        move |_| {
            state.restart.track();
            let q = query.get();
            crate::domain::url::with_server(
                &format!("/api/logs?{}", encode_query(&q.stream_params(&name))),
                server.get().as_deref(),
            )
        }
    });
    Effect::new(move |_| {
        let url = stream_url.get();
        state.reset();
        #[cfg(feature = "hydrate")]
        {
            let (task, handle) = futures_util::future::abortable(follow(url, state));
            leptos::task::spawn_local(async move {
                let _ = task.await;
            });
            on_cleanup(move || handle.abort());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = url;
    });

    let shown = Memo::new(move |_| {
        state.tick.track();
        let q = query.get();
        state.window.with_value(|w| w.shown(&q))
    });

    let download_name = format!("{name}.log");
    view! {
        <section class="panel logs" data-testid=testids::LOG_VIEW aria-label="Logs">
            <div class="details-head">
                <h2>"Logs"</h2>
                <LogStatusLine state shown query/>
            </div>
            <LogToolbar state query set_query shown download_name/>
            <LogRows state shown query/>
            {move || match state.status.get() {
                StreamStatus::Ended(message) => Some(view! {
                    <p class="log-end" role="status" data-testid=testids::LOG_END>{message}</p>
                }.into_any()),
                StreamStatus::Failed(message) => Some(view! {
                    <p class="notice error log-end" role="alert" data-testid=testids::LOG_END>
                        {message}" "
                        <button type="button" on:click=move |_| state.restart.update(|r| *r += 1)>"Reconnect"</button>
                    </p>
                }.into_any()),
                _ => None,
            }}
        </section>
    }
    .into_any()
}

/// "● live · 1,234 lines · 3 matches", or where the stream stands.
#[component]
fn LogStatusLine(state: LogState, shown: Memo<Vec<usize>>, query: Memo<LogQuery>) -> impl IntoView {
    let counts = move || {
        state.tick.track();
        let (received, dropped, kept) = state
            .window
            .with_value(|w| (w.received(), w.dropped(), w.len()));
        let shown_count = shown.with(Vec::len);
        let mut parts = vec![format!("{} lines", group_digits(received))];
        if shown_count != kept {
            parts.push(format!("{} shown", group_digits(shown_count as u64)));
        }
        if dropped > 0 {
            parts.push(format!(
                "the oldest {} left this view (it keeps {})",
                group_digits(dropped),
                group_digits(WINDOW_CAP as u64)
            ));
        }
        let needle = query.with(|q| q.search.clone());
        if !needle.is_empty() {
            let hits = state
                .window
                .with_value(|w| shown.with(|s| w.match_count(s, &needle)));
            parts.push(format!(
                "{} matching line{}",
                group_digits(hits as u64),
                if hits == 1 { "" } else { "s" }
            ));
        }
        parts.join(" · ")
    };
    let badge = move || match (state.status.get(), state.paused.get()) {
        (StreamStatus::Connecting, _) => ("connecting", "connecting…".to_owned()),
        (StreamStatus::Live, true) => (
            "paused",
            format!(
                "paused · {} new",
                group_digits(state.held_count.get() as u64)
            ),
        ),
        (StreamStatus::Live, false) => ("live", "live".to_owned()),
        (StreamStatus::Ended(_), _) => ("ended", "ended".to_owned()),
        (StreamStatus::Failed(_), _) => ("failed", "connection lost".to_owned()),
    };
    view! {
        <p class="log-status small" data-testid=testids::LOG_STATUS aria-live="polite">
            <span class=move || format!("live-dot {}", badge().0) data-state=move || badge().0>{move || badge().1}</span>
            " · "{counts}
        </p>
    }
}

#[component]
fn LogToolbar(
    state: LogState,
    query: Memo<LogQuery>,
    set_query: Callback<LogQuery>,
    shown: Memo<Vec<usize>>,
    download_name: String,
) -> impl IntoView {
    let update = move |change: &dyn Fn(&mut LogQuery)| {
        let mut next = query.get_untracked();
        change(&mut next);
        set_query.run(next);
    };
    let since_error = RwSignal::new(None::<String>);
    let on_download = move |_| {
        let text = state.window.with_value(|w| {
            shown.with_untracked(|s| w.download_text(s, query.with_untracked(|q| q.timestamps)))
        });
        crate::components::download::save_text(&text, "text/plain;charset=utf-8", &download_name);
    };
    view! {
        <div class="toolbar log-toolbar" role="toolbar" aria-label="Log controls">
            <button
                type="button"
                data-testid=testids::LOG_PAUSE
                aria-pressed=move || state.paused.get().to_string()
                on:click=move |_| if state.paused.get_untracked() { state.resume() } else { state.paused.set(true) }
            >
                {move || if state.paused.get() { "Resume" } else { "Pause" }}
            </button>
            <label class="visually-hidden" for="log-search">"Search the log"</label>
            <input
                id="log-search"
                type="search"
                placeholder="Search (highlights matches)"
                maxlength=MAX_QUERY.to_string()
                data-testid=testids::LOG_SEARCH
                prop:value=move || query.with(|q| q.search.clone())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    update(&|q| q.search = text.clone());
                }
            />
            <label>
                <input
                    type="checkbox"
                    prop:checked=move || query.with(|q| q.only_matching)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        update(&|q| q.only_matching = on);
                    }
                />
                " only matching"
            </label>
            <label>
                <input
                    type="checkbox"
                    data-testid=testids::LOG_TIMESTAMPS
                    prop:checked=move || query.with(|q| q.timestamps)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        update(&|q| q.timestamps = on);
                    }
                />
                " timestamps"
            </label>
            <label>"Streams "
                <select
                    prop:value=move || query.with(|q| q.streams.as_param().to_owned())
                    on:change=move |ev| {
                        let streams = match event_target_value(&ev).as_str() {
                            "stdout" => StreamFilter::Stdout,
                            "stderr" => StreamFilter::Stderr,
                            _ => StreamFilter::Both,
                        };
                        update(&|q| q.streams = streams);
                    }
                >
                    <option value="">"stdout + stderr"</option>
                    <option value="stdout">"stdout"</option>
                    <option value="stderr">"stderr"</option>
                </select>
            </label>
            <label>"Start with "
                <select
                    data-testid=testids::LOG_TAIL
                    prop:value=move || query.with(|q| q.tail.to_engine())
                    on:change=move |ev| {
                        let tail = Tail::parse(&event_target_value(&ev)).unwrap_or_default();
                        update(&|q| q.tail = tail);
                    }
                >
                    {TAIL_CHOICES.into_iter().map(|(v, label)| view! { <option value=v>{label}</option> }).collect_view()}
                </select>
            </label>
            <label>"from "
                <select
                    prop:value=move || query.with(|q| q.since.to_param())
                    on:change=move |ev| {
                        let since = Since::parse(&event_target_value(&ev)).unwrap_or_default();
                        update(&|q| q.since = since);
                    }
                >
                    {SINCE_CHOICES.into_iter().map(|(v, label)| view! { <option value=v>{label}</option> }).collect_view()}
                    {move || query.with(|q| matches!(q.since, Since::At(_))).then(|| {
                        let at = query.with(|q| q.since.to_param());
                        view! { <option value=at.clone()>{format!("{at} on")}</option> }
                    })}
                </select>
            </label>
            <label>"or from "
                <input
                    type="text"
                    class="since-at"
                    size="20"
                    maxlength="40"
                    placeholder="2026-11-26 07:30 (UTC)"
                    title="A UTC time, as 2026-11-26 07:30 or RFC 3339 (2026-11-26T07:30:00Z)"
                    data-testid=testids::LOG_SINCE_AT
                    aria-invalid=move || since_error.get().is_some().to_string()
                    prop:value=move || query.with(|q| match q.since {
                        Since::At(_) => q.since.to_param(),
                        _ => String::new(),
                    })
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        match Since::parse(&text) {
                            Ok(since) => {
                                since_error.set(None);
                                update(&|q| q.since = since);
                            }
                            Err(e) => since_error.set(Some(e)),
                        }
                    }
                />
            </label>
            {move || since_error.get().map(|e| view! { <span class="notice error small" role="alert">{e}</span> })}
            <button type="button" data-testid=testids::LOG_DOWNLOAD on:click=on_download title="Save the lines shown as a text file">
                "Download"
            </button>
            <button
                type="button"
                disabled=move || state.stick.get()
                on:click=move |_| state.stick.set(true)
                title="Scroll to the newest line and keep following"
            >
                "Newest ↓"
            </button>
        </div>
    }
}

/// The virtualised rows: a canvas as tall as every shown line, and only the rows in sight.
#[component]
fn LogRows(state: LogState, shown: Memo<Vec<usize>>, query: Memo<LogQuery>) -> impl IntoView {
    let viewport_ref = NodeRef::<Div>::new();
    // Rendered only in the browser: sizes are set through the CSSOM, which the CSP allows, and
    // the server has no lines to show anyway.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));

    let on_scroll = move |_| {
        if let Some(el) = viewport_ref.get_untracked() {
            let top = f64::from(el.scroll_top());
            let height = f64::from(el.client_height());
            let bottom = f64::from(el.scroll_height()) - height;
            let previous = state.scroll_top.get_untracked();
            state.scroll_top.set(top);
            state.viewport.set(height);
            // Only the user scrolling up lets go of the newest line: a scroll event that lands
            // just as more lines made the canvas taller is the view following them.
            if bottom - top <= STICK_DISTANCE {
                state.stick.set(true);
            } else if top < previous {
                state.stick.set(false);
            }
        }
    };
    // Follow the newest line while stuck to the bottom, once the canvas has its new height
    // (the next frame): scrolling before that would stop short of the newest rows.
    Effect::new(move |_| {
        shown.track();
        if state.stick.get() {
            if let Some(el) = viewport_ref.get() {
                request_animation_frame(move || {
                    if state.stick.get_untracked() {
                        el.set_scroll_top(el.scroll_height());
                        state.scroll_top.set(f64::from(el.scroll_top()));
                        state.viewport.set(f64::from(el.client_height()));
                    }
                });
            }
        }
    });

    let range = move || {
        let total = shown.with(Vec::len);
        visible_rows(
            total,
            state.scroll_top.get(),
            state.viewport.get(),
            ROW_HEIGHT,
            OVERSCAN,
        )
    };
    let rows = move || {
        let range = range();
        let q = query.get();
        state.tick.track();
        shown.with(|shown| {
            state.window.with_value(|w| {
                shown[range]
                    .iter()
                    .filter_map(|i| w.get(*i))
                    .map(|line| log_row(line, &q))
                    .collect_view()
            })
        })
    };
    let canvas_height = move || format!("{}px", shown.with(Vec::len) as f64 * ROW_HEIGHT);
    let offset = move || format!("translateY({}px)", range().start as f64 * ROW_HEIGHT);
    let empty = move || {
        shown.with(Vec::is_empty).then(|| match state.status.get() {
            StreamStatus::Connecting => "Opening the log stream…",
            _ if state.window.with_value(|w| !w.is_empty()) => "No line matches the filters.",
            _ => "No log lines yet: lines appear here as the container writes them.",
        })
    };

    view! {
        <div
            class="log-viewport"
            node_ref=viewport_ref
            tabindex="0"
            role="log"
            aria-label="Log lines"
            data-testid=testids::LOG_LINES
            on:scroll=on_scroll
        >
            {move || empty().map(|text| view! { <p class="muted log-empty" data-testid=testids::EMPTY_STATE>{text}</p> })}
            <Show when=move || mounted.get()>
                <div class="log-canvas" style:height=canvas_height>
                    <div class="log-rows" style:transform=offset>{rows}</div>
                </div>
            </Show>
        </div>
    }
}

fn log_row(line: &LogLine, q: &LogQuery) -> impl IntoView {
    let stream = match line.s {
        LogStream::Stderr => "log-row err",
        LogStream::Stdout | LogStream::Tty => "log-row",
    };
    let time = q
        .timestamps
        .then(|| view! { <span class="log-ts" title=line.ts.clone()>{line.short_time().to_owned()}</span> });
    let pieces = pieces(&line.text, &q.search)
        .into_iter()
        .map(|p| {
            let mut class = p.style.classes();
            if p.hit {
                class.push_str(if class.is_empty() { "hit" } else { " hit" });
            }
            if class.is_empty() {
                view! { <span>{p.text}</span> }.into_any()
            } else {
                view! { <span class=class>{p.text}</span> }.into_any()
            }
        })
        .collect_view();
    let cut = (line.cut > 0).then(|| {
        view! { <span class="log-cut">{format!(" … {} more bytes not shown", line.cut)}</span> }
    });
    view! {
        <div class=stream data-testid=testids::LOG_LINE data-n=line.n.to_string() data-stream=line.s.as_str()>
            {time}{pieces}{cut}
        </div>
    }
}

/// Reads one stream until its end. Runs in the browser; aborted when the view's stream changes
/// or the view goes away, which drops (and closes) the `EventSource`.
///
/// When the connection drops, the browser's `EventSource` retries by itself (after about 3 s),
/// and gloo-net reports nothing while it does; a retry would send the tail again under a new
/// numbering. So the stream's state is looked at twice a second: a stream that was open and is
/// connecting again is closed, and the view says the connection was lost, with "Reconnect".
#[cfg(feature = "hydrate")]
async fn follow(url: String, state: LogState) {
    use crate::domain::logs::LogEnd;
    use futures_util::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use gloo_net::eventsource::State;

    enum Input<T> {
        Event(T),
        Tick,
    }

    let Ok(mut source) = EventSource::new(&url) else {
        state.status.set(StreamStatus::Failed(
            "The browser could not open the log stream.".into(),
        ));
        return;
    };
    let subscriptions: Vec<_> = ["lines", "end"]
        .into_iter()
        .filter_map(|kind| source.subscribe(kind).ok())
        .collect();
    let events = futures_util::stream::select_all(subscriptions).map(Input::Event);
    let ticks = gloo_timers::future::IntervalStream::new(500).map(|()| Input::Tick);
    let mut inputs = futures_util::stream::select(events, ticks);
    let mut opened = false;
    while let Some(input) = inputs.next().await {
        match input {
            Input::Tick => match source.state() {
                State::Open => opened = true,
                State::Connecting if opened => {
                    lost(state);
                    break;
                }
                _ => {}
            },
            Input::Event(Ok((kind, message))) => {
                opened = true;
                let data = message.data().as_string().unwrap_or_default();
                if kind == "lines" {
                    match serde_json::from_str::<Vec<LogLine>>(&data) {
                        Ok(batch) => state.receive(batch),
                        Err(e) => leptos::logging::warn!("unreadable log batch: {e}"),
                    }
                } else {
                    let message = serde_json::from_str::<LogEnd>(&data)
                        .map(|end| end.message())
                        .unwrap_or_else(|_| "The stream has ended.".into());
                    state.status.set(StreamStatus::Ended(message));
                    if let Some(on_end) = state.on_end {
                        on_end.run(());
                    }
                    break;
                }
            }
            // The stream was refused (a 404 for a container gone meanwhile) or closed for good.
            Input::Event(Err(_)) => {
                lost(state);
                break;
            }
        }
    }
    source.close();
}

/// The stream broke off: say so, with "Reconnect" beside it.
#[cfg(feature = "hydrate")]
fn lost(state: LogState) {
    let received =
        state.window.with_value(|w| w.received()) + state.held.with_value(|h| h.received());
    let message = if received > 0 {
        "Connection lost: no new lines arrive (was netdoctor stopped or restarted?)."
    } else {
        "The log stream could not be opened (is netdoctor running, and does the container still exist?)."
    };
    state.status.set(StreamStatus::Failed(message.into()));
}
