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
                <a href="/proxy" data-testid=testids::PROXY_LOGS title="Logs of Coolify's proxy (coolify-proxy)">"Proxy logs"</a>
                <a href="/connect">"Connect"</a>
                <a href="/reach" title="Who can talk to whom">"Reach"</a>
                <a href="/diagnose">"Diagnose"</a>
                <a href="/shared">"Shared links"</a>
            </nav>
            <AccessMarks/>
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

/// "read-only" and the account and sign-out controls, when they apply.
#[component]
fn AccessMarks() -> impl IntoView {
    let capabilities = Resource::new(|| (), |_| crate::api::get_capabilities());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let c = capabilities.await.unwrap_or_default();
                view! {
                    {c.read_only.then(|| view! {
                        <span class="mark" data-testid=testids::READ_ONLY title="Started with --read-only: checks that run commands inside containers are disabled">"read-only"</span>
                    })}
                    {c.login.then(|| view! {
                        <a class="account" href="/account">"Account"</a>
                        <form class="signout" method="post" action="/auth/logout">
                            <button type="submit" class="link" data-testid=testids::SIGN_OUT>"Sign out"</button>
                        </form>
                    })}
                }
            })}
        </Suspense>
    }
}
