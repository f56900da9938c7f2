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
    let server = crate::nav::use_server();
    let on = move |path: &'static str| {
        move || crate::domain::url::with_server(path, server.get().as_deref())
    };
    view! {
        <header class="topbar">
            <a class="brand" href=on("/")>"netdoctor"</a>
            <ServerSwitcher/>
            <nav class="topnav">
                <a href=on("/")>"Network"</a>
                <a href=on("/containers")>"Containers"</a>
                <a href=on("/proxy") data-testid=testids::PROXY_LOGS title="Logs of Coolify's proxy (coolify-proxy)">"Proxy logs"</a>
                <a href=on("/connect")>"Connect"</a>
                <a href=on("/reach") title="Who can talk to whom">"Reach"</a>
                <a href=on("/diagnose")>"Diagnose"</a>
                <a href="/shared">"Shared links"</a>
                <a href=on("/servers") data-testid=testids::SERVERS_LINK>"Servers"</a>
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

/// Which server the pages are about: every server netdoctor reaches, the current one chosen.
/// Choosing another opens the same page on it (a new address, so the back button returns).
#[component]
fn ServerSwitcher() -> impl IntoView {
    let server = crate::nav::use_server();
    let changed = crate::nav::servers_changed();
    let servers = Resource::new(
        move || changed.get(),
        |_| crate::api::servers::list_servers(),
    );
    let current = move || server.get().unwrap_or_else(|| "local".to_owned());
    let here = crate::nav::current_path();
    let switch = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        let path = here.get_untracked();
        let target = crate::domain::url::with_server(&path, Some(&chosen));
        #[cfg(feature = "hydrate")]
        let _ = window().location().set_href(&target);
        #[cfg(not(feature = "hydrate"))]
        let _ = target;
    };
    view! {
        <label class="switcher" title="The server these pages are about">
            <span class="small">"Server"</span>
            <Transition fallback=move || view! {
                <select data-testid=testids::SERVER_SWITCHER disabled=true>
                    <option selected=true>{current()}</option>
                </select>
            }>
                {move || Suspend::new(async move {
                    let list = servers.await.unwrap_or_default();
                    let names: Vec<String> = if list.is_empty() {
                        vec![current()]
                    } else {
                        list.into_iter().map(|s| s.name.to_string()).collect()
                    };
                    view! {
                        <select data-testid=testids::SERVER_SWITCHER on:change=switch>
                            {names.into_iter().map(|name| {
                                let selected = name == current();
                                let label = name.clone();
                                view! { <option value=name selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    }
                })}
            </Transition>
        </label>
    }
}
