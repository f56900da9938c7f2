//! The bar across the top of every page, with the hydration marker the browser tests wait for.

use crate::testids;
use leptos::prelude::*;

#[component]
pub fn TopBar() -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    // Effects never run during server rendering: this flips only once the WASM has taken over.
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <header class="topbar">
            <a class="brand" href="/">"netdoctor"</a>
            <nav class="topnav">
                <a href="/">"Overview"</a>
            </nav>
            <span
                class="hydration"
                data-testid=testids::HYDRATION
                data-state=move || if hydrated.get() { "hydrated" } else { "ssr" }
                title=move || if hydrated.get() { "Live: the page updates by itself" } else { "Loading the interactive page…" }
            >
                {move || if hydrated.get() { "live" } else { "loading…" }}
            </span>
        </header>
    }
}
