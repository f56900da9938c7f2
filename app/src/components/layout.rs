//! The bar across the top of every page, with the hydration marker the browser tests wait for.

use crate::live::{use_live_feed, LiveState};
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn TopBar() -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    let live = use_live_feed().state;
    let status = move || match (hydrated.get(), live.get()) {
        (false, _) => ("loading…", "Loading the interactive page…"),
        (true, LiveState::Connecting) => {
            ("connecting…", "Connecting to the engine's event stream…")
        }
        (true, LiveState::Live) => ("live", "Live: the page follows the engine's events"),
        (true, LiveState::EngineDown) => (
            "engine unreachable",
            "netdoctor cannot reach the Docker Engine; retrying",
        ),
        (true, LiveState::Offline) => (
            "reconnecting…",
            "Lost the link to netdoctor's server; retrying",
        ),
    };
    // Effects never run during server rendering: this flips only once the WASM has taken over.
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <header class="topbar">
            <a class="brand" href="/">"netdoctor"</a>
            <nav class="topnav">
                <a href="/">"Network"</a>
                <a href="/containers">"Containers"</a>
            </nav>
            <span
                class="hydration"
                data-testid=testids::HYDRATION
                data-state=move || if hydrated.get() { "hydrated" } else { "ssr" }
                data-live=move || format!("{:?}", live.get()).to_lowercase()
                title=move || status().1
            >
                {move || status().0}
            </span>
        </header>
    }
}
