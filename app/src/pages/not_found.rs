//! The page for an address netdoctor does not have.

use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="panel">
            <h2>"No such page"</h2>
            <p>"netdoctor has nothing at this address. " <a href="/">"Go to the overview"</a></p>
        </section>
    }
}
